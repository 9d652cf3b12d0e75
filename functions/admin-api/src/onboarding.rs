//! `POST /tenants/{tenantId}/linkedin/onboard`: a customer onboarded with LinkedIn's partner flow
//! in one call, and `GET /tenants/{tenantId}/linkedin/onboarding`, the checklist it leaves
//! (docs/onboarding.md). Every step is idempotent: calling again resumes where a failure
//! stopped, and never makes a second application.

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use serde::{Deserialize, Serialize};
use shared::domain::{JobAvailability, Onboarding, OnboardingStep, StepState, StepStatus, Tenant};
use shared::http::{self, Answer, Refusal};
use shared::onboarding::{self as steps};
use shared::secrets::LinkedInCredentials;
use shared::{clock, ids};

use crate::AdminApi;
use crate::callback::own_callback_url;
use crate::request::text;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct OnboardInput {
    name: String,
    organization: String,
    /// `JOB_POSTING_VIEWERS` at LinkedIn (e.g. `ALL_PRODUCT_USERS`); absent: not set (removed).
    #[serde(default)]
    job_posting_viewers: Option<String>,
    /// `APPLICATION_VIEWERS` at LinkedIn; absent: not set (removed).
    #[serde(default)]
    application_viewers: Option<String>,
    #[serde(default)]
    delete_purged_data: Option<bool>,
    #[serde(default)]
    job_availability: Option<JobAvailability>,
}

/// The checklist as the API shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OnboardingView {
    pub tenant_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// Every step done.
    pub complete: bool,
    pub steps: Vec<StepView>,
    pub updated_at: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    pub step: OnboardingStep,
    pub label: &'static str,
    pub state: StepState,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    pub at: String,
}

impl From<&Onboarding> for OnboardingView {
    fn from(o: &Onboarding) -> Self {
        Self {
            tenant_id: o.tenant_id.clone(),
            application: o.application.clone(),
            complete: o.complete(),
            steps: o.steps.iter().map(StepView::from).collect(),
            updated_at: clock::to_rfc3339(o.updated_at),
        }
    }
}

impl From<&StepStatus> for StepView {
    fn from(s: &StepStatus) -> Self {
        Self {
            step: s.step,
            label: s.step.label(),
            state: s.state,
            detail: s.detail.clone(),
            next: s.next.clone(),
            at: clock::to_rfc3339(s.at),
        }
    }
}

/// A viewer setting as LinkedIn spells its values: upper-case letters and `_`.
fn viewers(field: &str, value: Option<String>) -> Result<Option<String>, Refusal> {
    match value {
        None => Ok(None),
        Some(v)
            if !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') =>
        {
            Ok(Some(v))
        }
        Some(_) => Err(Refusal::invalid(format!(
            "{field} must be a LinkedIn value such as ALL_PRODUCT_USERS"
        ))),
    }
}

impl AdminApi {
    pub(crate) async fn onboard(
        &self,
        tenant_id: &str,
        req: &ApiGatewayV2httpRequest,
        body: OnboardInput,
    ) -> Answer {
        let name = text("name", &body.name, 200)?;
        let organization = format!(
            "urn:li:organization:{}",
            ids::urn_number("organization", &body.organization)?
        );
        let job_posting_viewers = viewers("jobPostingViewers", body.job_posting_viewers)?;
        let application_viewers = viewers("applicationViewers", body.application_viewers)?;
        let url = own_callback_url(req, tenant_id)?;
        let now = self.clock.now_ms();
        let existing = self.store.get_tenant(tenant_id).await?;
        let own = match existing {
            Some(_) => self.secrets.current(tenant_id).await?,
            None => None,
        };
        let mut record = self
            .store
            .get_onboarding(tenant_id)
            .await?
            .unwrap_or_else(|| Onboarding::new(tenant_id));
        record.job_posting_viewers = job_posting_viewers;
        record.application_viewers = application_viewers;

        let partner = steps::Partner {
            linkedin: &self.linkedin,
            secret: self.partner.as_ref(),
            settings: &self.onboarding,
        };
        let creds =
            steps::application(&partner, tenant_id, &name, own.as_ref(), &mut record, now).await?;
        let Some(creds) = creds else {
            steps::waiting_for(&mut record, OnboardingStep::Application, now);
            return self.save(record, now).await;
        };
        // The secret first: a tenant item never points at a secret that is not there. And
        // before it, the record naming the provisioned application: stored credentials without
        // it would read as the customer's own application on the next call.
        if own.as_ref().is_none_or(|o| {
            o.client_id != creds.client_id || o.client_secret != creds.client_secret
        }) {
            record.updated_at = now;
            self.store.put_onboarding(&record).await?;
            let creds =
                LinkedInCredentials::new(creds.client_id.clone(), creds.client_secret.clone())
                    .replacing(own.as_ref(), now);
            self.secrets.put(tenant_id, &creds).await?;
        }
        let tenant = Tenant {
            tenant_id: tenant_id.to_owned(),
            name,
            organization,
            client_id: creds.client_id.clone(),
            delete_purged_data: body
                .delete_purged_data
                .or(existing.as_ref().map(|t| t.delete_purged_data))
                .unwrap_or(false),
            job_availability: body
                .job_availability
                .or(existing.as_ref().map(|t| t.job_availability))
                .unwrap_or_default(),
            created_at: existing.as_ref().map_or(now, |t| t.created_at),
            updated_at: now,
        };
        // Written only when something but the time changed: a second call leaves it as it was.
        let unchanged = existing.as_ref().is_some_and(|t| {
            Tenant {
                updated_at: now,
                ..t.clone()
            } == tenant
        });
        if !unchanged {
            self.store.put_tenant(&tenant).await?;
        }
        let contracts = self.store.list_contracts(tenant_id).await?;
        steps::name_integrations(
            &self.linkedin,
            &creds,
            &tenant,
            &contracts,
            &mut record,
            true,
            now,
        )
        .await?;
        let callback = match self.register(&tenant, &url, &creds).await {
            Ok(r) => StepStatus {
                step: OnboardingStep::CallbackUrl,
                state: StepState::Done,
                detail: format!(
                    "{} registered; LinkedIn validated it and our own challenge was answered in {} ms",
                    r.callback_url, r.round_trip_ms
                ),
                next: None,
                at: now,
            },
            Err(refused) if refused.status == 422 || refused.status >= 500 => StepStatus {
                step: OnboardingStep::CallbackUrl,
                state: StepState::Failed,
                detail: refused.message,
                next: Some(format!(
                    "check that {url} is reachable from LinkedIn and answers its challenge, then onboard again"
                )),
                at: now,
            },
            Err(refused) => return Err(refused),
        };
        record.set(callback);
        steps::viewers(&self.linkedin, &creds, &tenant, &mut record, now).await?;
        steps::enablement(
            &self.linkedin,
            &creds,
            &tenant,
            &contracts,
            &mut record,
            now,
        )
        .await?;
        self.save(record, now).await
    }

    async fn save(&self, mut record: Onboarding, now: i64) -> Answer {
        record.updated_at = now;
        self.store.put_onboarding(&record).await?;
        tracing::info!(complete = record.complete(), "onboarding recorded");
        Ok(http::json(200, &OnboardingView::from(&record)))
    }

    pub(crate) async fn get_onboarding(&self, tenant_id: &str) -> Answer {
        let record = self.store.get_onboarding(tenant_id).await?.ok_or_else(|| {
            Refusal::not_found(
                "this tenant was not onboarded with POST /tenants/{tenantId}/linkedin/onboard",
            )
        })?;
        Ok(http::json(200, &OnboardingView::from(&record)))
    }

    /// After a contract is connected: its `CSA_API` is named and the checklist read again, for a
    /// tenant onboarded with the partner flow. A failure waits for the hourly review.
    pub(crate) async fn name_new_contract(&self, tenant: &Tenant) {
        let now = self.clock.now_ms();
        if let Err(e) =
            steps::refresh(&self.store, &self.linkedin, &self.secrets, tenant, now).await
        {
            tracing::warn!(error = %e, "onboarding not refreshed; the hourly review does it");
        }
    }
}
