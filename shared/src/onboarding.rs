//! Onboarding a customer with LinkedIn's partner flow (collection, Module 1; docs/onboarding.md).
//! Each step is idempotent and records where it stands in the tenant's checklist
//! (`domain::Onboarding`), with LinkedIn's answer and what to do next:
//!
//! 1. the child application: looked up by our tenant id first (`uniqueForeignId`), provisioned
//!    with the partner's credentials only when LinkedIn has none, its credentials stored in the
//!    tenant's secret (never in the table, answers or logs);
//! 2. the integrations' names (`ONE_CLICK_EXPORT`, `IN_ATS_INDICATOR`, `PROFILE_PLUGIN` for the
//!    organization, `CSA_API` for every connected contract);
//! 3. the callback URL (done by the admin API, which knows its own URL);
//! 4. the optional viewer configurations;
//! 5. whether the customer enabled the integrations in Recruiter, which only they can do.
//!
//! Steps 2 and 5 run again every hour (contract-expiry), which names the `CSA_API` of contracts
//! connected since and notices the customer enabling the integrations.

use crate::domain::{Contract, Onboarding, OnboardingStep, StepState, StepStatus, Tenant};
use crate::error::{Error, Result};
use crate::linkedin::LinkedIn;
use crate::linkedin::{Integration, NewApplication, RecordOutcome};
use crate::secrets::{CustomerSecrets, LinkedInCredentials, PartnerSecret};
use crate::store::Store;

/// LinkedIn's limit on a child application's name (doc, Provisioning API).
const MAX_APPLICATION_NAME: usize = 50;

/// What the deployment tells LinkedIn about every customer it onboards.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The ATS's product name, for the child application's name (`"<ATS> - <customer>"`).
    pub ats_name: String,
    /// Domains that host LinkedIn's JS SDK plugins (profile and configuration plugins).
    pub js_sdk_domains: Vec<String>,
}

impl Settings {
    /// `ATS_NAME` (default `ATS`) and `JS_SDK_DOMAINS` (comma-separated host names or
    /// origins, without a trailing `/`, as LinkedIn asks).
    pub fn from_env(
        env: &crate::config::Env,
    ) -> std::result::Result<Self, crate::config::ConfigError> {
        let ats_name = env
            .get("ATS_NAME")
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("ATS")
            .to_owned();
        let mut js_sdk_domains = Vec::new();
        for d in env.get("JS_SDK_DOMAINS").unwrap_or("").split(',') {
            let d = d.trim();
            if d.is_empty() {
                continue;
            }
            if d.ends_with('/') || d.chars().any(char::is_whitespace) {
                return Err(crate::config::ConfigError::Invalid {
                    name: "JS_SDK_DOMAINS".into(),
                    problem: format!("{d:?}: domains are written without a trailing '/'"),
                });
            }
            js_sdk_domains.push(d.to_owned());
        }
        Ok(Self {
            ats_name,
            js_sdk_domains,
        })
    }
}

/// The child application's name as LinkedIn allows it: `"<ATS> - <customer>"`, at most 50
/// characters, without the word "LinkedIn" (doc, Provisioning API).
pub fn application_name(ats_name: &str, customer: &str) -> String {
    let without = |s: &str| {
        let mut out = s.to_owned();
        while let Some(i) = out.to_ascii_lowercase().find("linkedin") {
            out.replace_range(i..i + "linkedin".len(), "");
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let name = format!("{} - {}", without(ats_name), without(customer));
    name.chars()
        .take(MAX_APPLICATION_NAME)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// The integrations a tenant needs named: three for its organization, one per contract.
fn integrations(tenant: &Tenant, contracts: &[Contract]) -> Vec<Integration> {
    let urns: Vec<String> = contracts.iter().map(Contract::urn).collect();
    Integration::for_customer(&tenant.organization, &urns)
}

fn label(i: &Integration) -> String {
    format!("{} {}", i.context, i.kind.as_str())
}

fn status(
    step: OnboardingStep,
    state: StepState,
    detail: String,
    next: Option<&str>,
    at: i64,
) -> StepStatus {
    StepStatus {
        step,
        state,
        detail,
        next: next.map(str::to_owned),
        at,
    }
}

/// A refusal or failure from LinkedIn as a sentence for the checklist.
fn linkedin_said(e: &Error) -> String {
    match e {
        Error::LinkedInRejected {
            status, message, ..
        } => {
            format!("LinkedIn refused it (status {status}): {message}")
        }
        other => format!("LinkedIn could not be asked: {other}"),
    }
}

/// What provisioning needs: LinkedIn, the partner's secret (none: customers bring their own
/// application), and the deployment's settings.
pub struct Partner<'a> {
    pub linkedin: &'a LinkedIn,
    pub secret: Option<&'a PartnerSecret>,
    pub settings: &'a Settings,
}

/// Step 1: the child application, looked up by our tenant id before it is created, so a retry
/// or a second call never makes a second one. `own` is the tenant's secret, when it has one.
pub async fn application(
    partner: &Partner<'_>,
    tenant_id: &str,
    customer: &str,
    own: Option<&LinkedInCredentials>,
    record: &mut Onboarding,
    now: i64,
) -> Result<Option<LinkedInCredentials>> {
    let Partner {
        linkedin,
        secret: partner,
        settings,
    } = *partner;
    let step = OnboardingStep::Application;
    // Credentials typed in (PUT /tenants) and nothing provisioned here: the customer brought its
    // own application, and the partner is not needed.
    if record.application.is_none()
        && let Some(own) = own
    {
        record.set(status(
            step,
            StepState::Done,
            format!(
                "the customer's own application (client id {})",
                own.client_id
            ),
            None,
            now,
        ));
        return Ok(Some(own.clone()));
    }
    let Some(partner) = partner else {
        record.set(status(
            step,
            StepState::Failed,
            "no partner credentials are configured for this deployment".into(),
            Some("set the PartnerSecretName parameter to the secret holding your partner application's clientId and clientSecret (runbook, onboarding), or enter the customer's own credentials with PUT /tenants/{tenantId}"),
            now,
        ));
        return Ok(None);
    };
    let partner_creds = match partner.get().await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "partner secret unreadable");
            record.set(status(
                step,
                StepState::Failed,
                format!("the partner secret {} could not be read", partner.name()),
                Some("check that the secret PartnerSecretName names exists and holds clientId and clientSecret"),
                now,
            ));
            return Ok(None);
        }
    };
    let found = match linkedin
        .provisioned_application(&partner_creds, tenant_id)
        .await
    {
        Ok(found) => found,
        Err(e) if !e.is_retryable() => {
            record.set(status(step, StepState::Failed, linkedin_said(&e), Some("check the partner application's credentials and its access to the Provisioning API"), now));
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let app = match found {
        Some(app) => app,
        None => {
            let name = application_name(&settings.ats_name, customer);
            let description =
                format!("LinkedIn Recruiter System Connect for {customer} (tenant {tenant_id})");
            let new = NewApplication {
                name: &name,
                description: &description,
                unique_foreign_id: tenant_id,
                js_sdk_domains: &settings.js_sdk_domains,
            };
            match linkedin.provision_application(&partner_creds, &new).await {
                Ok(app) => {
                    record.js_sdk_domains = settings.js_sdk_domains.clone();
                    app
                }
                // Another call made it meanwhile (or LinkedIn made it but its answer was lost):
                // read it back rather than fail.
                Err(Error::LinkedInRejected { status: 409, .. }) => {
                    match linkedin
                        .provisioned_application(&partner_creds, tenant_id)
                        .await?
                    {
                        Some(app) => app,
                        None => {
                            record.set(status(step, StepState::Failed, "LinkedIn answered that an application for this tenant exists but did not show it".into(), Some("onboard again"), now));
                            return Ok(None);
                        }
                    }
                }
                Err(e) if !e.is_retryable() => {
                    record.set(status(
                        step,
                        StepState::Failed,
                        linkedin_said(&e),
                        Some("fix what LinkedIn names and onboard again"),
                        now,
                    ));
                    return Ok(None);
                }
                Err(e) => return Err(e),
            }
        }
    };
    if record.application.as_deref() == Some(app.urn.as_str())
        && record.js_sdk_domains != settings.js_sdk_domains
    {
        match linkedin
            .set_js_sdk_domains(&partner_creds, &app.urn, &settings.js_sdk_domains)
            .await
        {
            Ok(()) => record.js_sdk_domains = settings.js_sdk_domains.clone(),
            Err(e) if !e.is_retryable() => {
                record.set(status(
                    step,
                    StepState::Failed,
                    linkedin_said(&e),
                    Some("check the JsSdkDomains parameter (no trailing '/')"),
                    now,
                ));
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
    }
    // LinkedIn may not give the secret again once it has been handed out (unverified): the
    // one stored for this tenant then stands, if it is this application's.
    let secret = app.client_secret.clone().or_else(|| {
        own.filter(|o| o.client_id == app.client_id)
            .map(|o| o.client_secret.clone())
    });
    let Some(secret) = secret else {
        record.set(status(
            step,
            StepState::Failed,
            format!("LinkedIn has application {} for this tenant but did not give its secret, and none is stored", app.urn),
            Some("ask LinkedIn to reset the application's secret, then enter it with PUT /tenants/{tenantId}"),
            now,
        ));
        return Ok(None);
    };
    record.application = Some(app.urn.clone());
    let creds = LinkedInCredentials::new(app.client_id.clone(), secret);
    record.set(status(
        step,
        StepState::Done,
        format!("application {} (client id {})", app.urn, app.client_id),
        None,
        now,
    ));
    Ok(Some(creds))
}

/// Step 2: names every integration not named yet (all of them when `again`), one request.
pub async fn name_integrations(
    linkedin: &LinkedIn,
    creds: &LinkedInCredentials,
    tenant: &Tenant,
    contracts: &[Contract],
    record: &mut Onboarding,
    again: bool,
    now: i64,
) -> Result<()> {
    let step = OnboardingStep::IntegrationNames;
    let wanted = integrations(tenant, contracts);
    let to_name: Vec<(Integration, String)> = wanted
        .iter()
        .filter(|i| again || !record.named.contains(&label(i)))
        .map(|i| (i.clone(), i.kind.collection_name(&tenant.name)))
        .collect();
    if !to_name.is_empty() {
        let outcomes = match linkedin.name_integrations(creds, &to_name).await {
            Ok(o) => o,
            Err(e) if !e.is_retryable() => {
                record.set(status(
                    step,
                    StepState::Failed,
                    linkedin_said(&e),
                    Some("check the tenant's organization and credentials, then onboard again"),
                    now,
                ));
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let mut refused = Vec::new();
        for (integration, outcome) in outcomes {
            let l = label(&integration);
            match outcome {
                RecordOutcome::Accepted => {
                    if !record.named.contains(&l) {
                        record.named.push(l);
                    }
                }
                RecordOutcome::Rejected { status, message } => {
                    refused.push(format!("{l}: status {status}, {message}"));
                }
                RecordOutcome::NotDone(m) => refused.push(format!("{l}: not done ({m})")),
            }
        }
        if !refused.is_empty() {
            record.set(status(
                step,
                StepState::Failed,
                format!("LinkedIn did not name {}", refused.join("; ")),
                Some("onboard again; if LinkedIn keeps refusing, check that the customer pre-authorized the integrations in the configuration plugin"),
                now,
            ));
            return Ok(());
        }
    }
    let contracts_named: Vec<&str> = contracts.iter().map(|c| c.contract_id.as_str()).collect();
    record.set(status(
        step,
        StepState::Done,
        if contracts_named.is_empty() {
            "named ONE_CLICK_EXPORT, IN_ATS_INDICATOR and PROFILE_PLUGIN; no contract connected yet for CSA_API".into()
        } else {
            format!(
                "named ONE_CLICK_EXPORT, IN_ATS_INDICATOR, PROFILE_PLUGIN, and CSA_API for contract{} {}",
                if contracts_named.len() == 1 { "" } else { "s" },
                contracts_named.join(", ")
            )
        },
        None,
        now,
    ));
    Ok(())
}

/// Step 4: sets or removes the two viewer configurations as the tenant asks.
pub async fn viewers(
    linkedin: &LinkedIn,
    creds: &LinkedInCredentials,
    tenant: &Tenant,
    record: &mut Onboarding,
    now: i64,
) -> Result<()> {
    let step = OnboardingStep::Viewers;
    let mut said = Vec::new();
    for (name, value) in [
        ("JOB_POSTING_VIEWERS", record.job_posting_viewers.clone()),
        ("APPLICATION_VIEWERS", record.application_viewers.clone()),
    ] {
        let done = match &value {
            Some(v) => linkedin
                .set_configuration(creds, &tenant.organization, name, v)
                .await
                .map(|()| format!("{name} = {v}")),
            None => linkedin
                .remove_configuration(creds, &tenant.organization, name)
                .await
                .map(|()| format!("{name} not set")),
        };
        match done {
            Ok(s) => said.push(s),
            Err(e) if !e.is_retryable() => {
                record.set(status(
                    step,
                    StepState::Failed,
                    format!("{name}: {}", linkedin_said(&e)),
                    Some("check the value (for example ALL_PRODUCT_USERS) and onboard again"),
                    now,
                ));
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
    record.set(status(step, StepState::Done, said.join("; "), None, now));
    Ok(())
}

/// Step 5: reads the integrations back to learn whether the customer enabled them.
pub async fn enablement(
    linkedin: &LinkedIn,
    creds: &LinkedInCredentials,
    tenant: &Tenant,
    contracts: &[Contract],
    record: &mut Onboarding,
    now: i64,
) -> Result<()> {
    let step = OnboardingStep::Enablement;
    let wanted = integrations(tenant, contracts);
    let states = match linkedin.integration_states(creds, &wanted).await {
        Ok(s) => s,
        Err(e) if !e.is_retryable() => {
            record.set(status(
                step,
                StepState::Failed,
                linkedin_said(&e),
                Some("onboard again; the hourly review also reads it"),
                now,
            ));
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let not_enabled: Vec<String> = states
        .iter()
        .filter(|(_, s)| !s.as_ref().is_some_and(|s| s.enabled()))
        .map(|(i, _)| label(i))
        .collect();
    if not_enabled.is_empty() {
        record.set(status(
            step,
            StepState::Done,
            format!(
                "the customer enabled all {} integrations in Recruiter",
                states.len()
            ),
            None,
            now,
        ));
    } else {
        record.set(status(
            step,
            StepState::Waiting,
            format!("not enabled yet: {}", not_enabled.join(", ")),
            Some("ask the customer's Recruiter admin to enable the integrations in Recruiter's admin settings (ATS integrations); this checklist is refreshed every hour"),
            now,
        ));
    }
    Ok(())
}

/// Marks the steps after a failed one as waiting for it.
pub fn waiting_for(record: &mut Onboarding, failed: OnboardingStep, now: i64) {
    let after = OnboardingStep::ALL
        .iter()
        .skip_while(|s| **s != failed)
        .skip(1)
        .copied()
        .collect::<Vec<_>>();
    for step in after {
        record.set(status(
            step,
            StepState::Waiting,
            format!("waits for: {}", failed.label()),
            None,
            now,
        ));
    }
}

/// The hourly refresh of an onboarded tenant: names integrations of contracts connected since,
/// then reads whether the customer enabled them. Stores the checklist.
pub async fn refresh(
    store: &Store,
    linkedin: &LinkedIn,
    secrets: &CustomerSecrets,
    tenant: &Tenant,
    now: i64,
) -> Result<Option<Onboarding>> {
    let Some(mut record) = store.get_onboarding(&tenant.tenant_id).await? else {
        return Ok(None);
    };
    let ready = record
        .step(OnboardingStep::Application)
        .is_some_and(|s| s.state == StepState::Done);
    if !ready {
        return Ok(Some(record));
    }
    let creds = secrets.get(&tenant.tenant_id).await?;
    let contracts = store.list_contracts(&tenant.tenant_id).await?;
    name_integrations(
        linkedin,
        &creds,
        tenant,
        &contracts,
        &mut record,
        false,
        now,
    )
    .await?;
    enablement(linkedin, &creds, tenant, &contracts, &mut record, now).await?;
    record.updated_at = now;
    store.put_onboarding(&record).await?;
    Ok(Some(record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_names_follow_linkedins_rules() {
        assert_eq!(application_name("Acme ATS", "Globex"), "Acme ATS - Globex");
        let long = application_name("Acme ATS", &"Very Long Customer Name ".repeat(5));
        assert!(long.chars().count() <= 50, "{long}");
        assert!(!long.ends_with(' '));
        let clean = application_name("LinkedIn-ready ATS", "Linkedin Fans Inc");
        assert!(!clean.to_ascii_lowercase().contains("linkedin"), "{clean}");
    }

    #[test]
    fn later_steps_wait_for_a_failed_one() {
        let mut o = Onboarding::new("t");
        waiting_for(&mut o, OnboardingStep::Application, 1);
        let waiting: Vec<_> = o.steps.iter().map(|s| s.step).collect();
        assert_eq!(waiting, &OnboardingStep::ALL[1..]);
        assert!(o.steps.iter().all(|s| s.state == StepState::Waiting));
    }
}
