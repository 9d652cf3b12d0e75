//! Onboarding a customer the way LinkedIn's partner flow does (collection, Module 1 "Configure
//! Customer Middleware Integrations (Partner Only)"; docs/linkedin-wire.md "Onboarding"):
//!
//! 1. with the **partner** (parent) application's token, provision the customer's child
//!    application, find it again by our id for the customer, change its JavaScript SDK domains
//!    (doc "Provisioning API": "All API requests require 2-legged tokens"; every provisioning
//!    item of the collection uses `partner_access_token`);
//! 2. with the **customer's** (child) token, name the customer's integrations (mandatory), read
//!    whether the customer switched them on in Recruiter, and set or remove their
//!    configurations, the callback URL among them.
//!
//! The partner's credentials are a [`LinkedInCredentials`] like a customer's; the token cache is
//! keyed by client id, so both live in one client.

use std::fmt;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::restli::{CompoundKey, Query, escape};
use super::writes::{Answered, MAX_BATCH, RecordOutcome, decode_updated, outcomes};
use super::{Base, LinkedIn, wire};
use crate::error::{Error, Result};
use crate::secrets::LinkedInCredentials;

/// Requests one application may make to `v2/atsIntegrations` in a day (doc,
/// rsc-customer-configuration, "Throttle Limits"): naming and reading back are one batch each.
pub const INTEGRATIONS_DAILY_CALL_LIMIT: u64 = 5_000;

const PROVISIONED: &str = "/provisionedApplications";
const INTEGRATIONS: &str = "/atsIntegrations";

/// A kind of integration a customer switches on in Recruiter (collection, "Update Customer
/// ATSIntegration - ..."). Serialized in LinkedIn's spelling (`ONE_CLICK_EXPORT`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IntegrationType {
    OneClickExport,
    InAtsIndicator,
    ProfilePlugin,
    /// Recruiter activity (InMails, notes, contact shares); keyed by contract, not organization.
    CsaApi,
}

impl IntegrationType {
    pub const ALL: [IntegrationType; 4] = [
        IntegrationType::OneClickExport,
        IntegrationType::InAtsIndicator,
        IntegrationType::ProfilePlugin,
        IntegrationType::CsaApi,
    ];

    /// LinkedIn's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationType::OneClickExport => wire::ONE_CLICK_EXPORT,
            IntegrationType::InAtsIndicator => wire::IN_ATS_INDICATOR,
            IntegrationType::ProfilePlugin => wire::PROFILE_PLUGIN,
            IntegrationType::CsaApi => wire::CSA_API,
        }
    }

    /// The type LinkedIn spells `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether its context is a contract (`urn:li:contract:N`) rather than the organization.
    pub fn per_contract(self) -> bool {
        self == IntegrationType::CsaApi
    }

    /// The name the collection gives the customer's integration of this type, e.g. "Globex
    /// LinkedIn Recruiter One-Click Export Integration".
    pub fn collection_name(self, customer: &str) -> String {
        let what = match self {
            IntegrationType::OneClickExport => "One-Click Export",
            IntegrationType::InAtsIndicator => "ATS Indicator",
            IntegrationType::ProfilePlugin => "Profile Plugin",
            IntegrationType::CsaApi => "CSA_API",
        };
        format!("{customer} LinkedIn Recruiter {what} Integration")
    }
}

impl fmt::Display for IntegrationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of a customer's integrations: its type and context (`urn:li:organization:N`, or
/// `urn:li:contract:N` for [`IntegrationType::CsaApi`]). Serialized as LinkedIn's key fields,
/// `{"integrationContext", "integrationType"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Integration {
    #[serde(rename = "integrationContext")]
    pub context: String,
    #[serde(rename = "integrationType")]
    pub kind: IntegrationType,
}

impl Integration {
    pub fn new(context: impl Into<String>, kind: IntegrationType) -> Self {
        Self {
            context: context.into(),
            kind,
        }
    }

    /// Every integration of a customer, in the collection's order: One-Click Export, ATS
    /// Indicator and Profile Plugin for the organization, CSA_API for each contract.
    pub fn for_customer(organization: &str, contracts: &[String]) -> Vec<Integration> {
        IntegrationType::ALL
            .into_iter()
            .filter(|t| !t.per_contract())
            .map(|t| Integration::new(organization, t))
            .chain(
                contracts
                    .iter()
                    .map(|c| Integration::new(c.as_str(), IntegrationType::CsaApi)),
            )
            .collect()
    }

    fn key(&self) -> CompoundKey {
        wire::integration_key(&self.context, self.kind.as_str())
    }
}

/// The customer's child application. `Debug` never prints the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ChildApplication {
    /// `urn:li:developerApplication:N`
    pub urn: String,
    pub client_id: String,
    /// `None` when LinkedIn's answer left it out (whether the finder returns it is unverified).
    pub client_secret: Option<String>,
}

impl ChildApplication {
    /// The credentials the customer's calls are made with, when the secret is known.
    pub fn credentials(&self) -> Option<LinkedInCredentials> {
        self.client_secret
            .as_ref()
            .map(|secret| LinkedInCredentials::new(self.client_id.clone(), secret.clone()))
    }
}

impl fmt::Debug for ChildApplication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildApplication")
            .field("urn", &self.urn)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .finish()
    }
}

/// What the partner asks LinkedIn to provision (doc "Provisioning API": `name` at most 50
/// characters, formatted "{ATS Name} - {Customer Name}", without "LinkedIn"; domains without a
/// trailing `/`). LinkedIn judges these; the client sends them as given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewApplication<'a> {
    pub name: &'a str,
    pub description: &'a str,
    /// Our id for the customer: the child is found again by it, and a second child with the
    /// same id is refused (409).
    pub unique_foreign_id: &'a str,
    pub js_sdk_domains: &'a [String],
}

/// What LinkedIn holds of one integration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IntegrationState {
    pub name: Option<String>,
    /// (unverified) `ENABLED` once the customer switched it on in Recruiter.
    pub status: Option<String>,
}

impl IntegrationState {
    /// Whether the customer switched the integration on.
    pub fn enabled(&self) -> bool {
        self.status.as_deref() == Some(wire::INTEGRATION_ENABLED)
    }
}

impl LinkedIn {
    /// The child application provisioned for `unique_foreign_id` (collection, "Get Child
    /// Application"; partner token), or `None` when there is none.
    pub async fn provisioned_application(
        &self,
        partner: &LinkedInCredentials,
        unique_foreign_id: &str,
    ) -> Result<Option<ChildApplication>> {
        let q = Query::new()
            .param("q", wire::FINDER_BY_FOREIGN_ID)
            .param("uniqueForeignId", unique_foreign_id);
        let page: wire::Elements<wire::ProvisionedApplication> =
            match self.get(partner, Base::V2, PROVISIONED, &q).await {
                Ok(page) => page,
                Err(Error::LinkedInRejected { status: 404, .. }) => return Ok(None),
                Err(e) => return Err(e),
            };
        page.elements
            .into_iter()
            .find(|a| {
                a.unique_foreign_id
                    .as_deref()
                    .is_none_or(|id| id == unique_foreign_id)
            })
            .map(child_application)
            .transpose()
    }

    /// Provisions the customer's child application (collection, "Provision Child Application";
    /// partner token). A refusal is `Error::LinkedInRejected` with LinkedIn's status: 409 when
    /// a child with this `unique_foreign_id` exists (also after a retry of a create LinkedIn did
    /// carry out), to be read with [`LinkedIn::provisioned_application`]. When the answer
    /// does not carry the credentials, they are read back with that finder.
    pub async fn provision_application(
        &self,
        partner: &LinkedInCredentials,
        app: &NewApplication<'_>,
    ) -> Result<ChildApplication> {
        let body = serde_json::to_value(wire::NewProvisionedApplication {
            name: app.name,
            description: app.description,
            unique_foreign_id: app.unique_foreign_id,
            valid_js_sdk_domains: app.js_sdk_domains,
        })
        .map_err(|e| Error::Invalid(format!("cannot encode the application: {e}")))?;
        // The collection's create carries no method header.
        let resp = self
            .write(
                partner,
                Method::POST,
                PROVISIONED,
                &Query::new(),
                None,
                &body,
            )
            .await?;
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| Error::LinkedInUnavailable(super::transport_error(PROVISIONED, &e)))?;
        let answer: wire::ProvisionedApplication = if bytes.iter().all(u8::is_ascii_whitespace) {
            wire::ProvisionedApplication::default()
        } else {
            serde_json::from_slice(&bytes)
                .map_err(|e| Error::LinkedInContract(format!("{PROVISIONED}: {e}")))?
        };
        match child_application(answer) {
            Ok(child) => Ok(child),
            Err(_) => self
                .provisioned_application(partner, app.unique_foreign_id)
                .await?
                .ok_or_else(|| {
                    Error::LinkedInContract(format!(
                        "{PROVISIONED}: created, but not found by uniqueForeignId {}",
                        app.unique_foreign_id
                    ))
                }),
        }
    }

    /// Replaces the child application's JavaScript SDK domains (collection, "Update JavaScript
    /// SDK Domain for Child Application"; partner token; no method header).
    pub async fn set_js_sdk_domains(
        &self,
        partner: &LinkedInCredentials,
        urn: &str,
        domains: &[String],
    ) -> Result<()> {
        let path = format!("{PROVISIONED}/{}", escape(urn));
        let body = wire::js_sdk_domains_patch(domains);
        self.write(partner, Method::POST, &path, &Query::new(), None, &body)
            .await?;
        Ok(())
    }

    /// Names integrations (collection, "Update Customer ATSIntegration - ..."; customer token):
    /// one `batch_partial_update` of `integrationName`, at most [`MAX_BATCH`] keys; the outcome
    /// of each, in the order given.
    pub async fn name_integrations(
        &self,
        creds: &LinkedInCredentials,
        names: &[(Integration, String)],
    ) -> Result<Vec<(Integration, RecordOutcome)>> {
        let keys = batch_keys(names.iter().map(|(i, _)| i))?;
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let entities: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .zip(names)
            .map(|(key, (_, name))| (key.to_key_string(), wire::integration_name_patch(name)))
            .collect();
        let body = serde_json::json!({ "entities": entities });
        let query = Query::new().keys(&keys);
        let resp = self
            .write(
                creds,
                Method::POST,
                INTEGRATIONS,
                &query,
                Some("batch_partial_update"),
                &body,
            )
            .await?;
        let answer = decode_updated(INTEGRATIONS, resp).await?;
        let mut by_index = outcomes(
            keys.into_iter()
                .enumerate()
                .map(|(i, key)| (i.to_string(), Answered::Compound(key))),
            answer,
        );
        Ok(names
            .iter()
            .enumerate()
            .map(|(i, (integration, _))| {
                let outcome = by_index.remove(&i.to_string()).unwrap_or_else(|| {
                    RecordOutcome::NotDone("LinkedIn's answer did not mention it".into())
                });
                (integration.clone(), outcome)
            })
            .collect())
    }

    /// What LinkedIn holds of each integration (collection, "Verify Customer's  ATSIntegrations";
    /// customer token): one batch GET, at most [`MAX_BATCH`] keys; `None` where LinkedIn has
    /// none (404 under `errors`).
    pub async fn integration_states(
        &self,
        creds: &LinkedInCredentials,
        integrations: &[Integration],
    ) -> Result<Vec<(Integration, Option<IntegrationState>)>> {
        let keys = batch_keys(integrations.iter())?;
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let query = Query::new().keys(&keys);
        let answer: wire::IntegrationRecords =
            match self.get(creds, Base::V2, INTEGRATIONS, &query).await {
                Ok(answer) => answer,
                Err(Error::LinkedInRejected { status: 404, .. }) => Default::default(),
                Err(e) => return Err(e),
            };
        integrations
            .iter()
            .zip(&keys)
            .map(|(integration, key)| {
                let state = if let Some((_, record)) =
                    answer.results.iter().find(|(k, _)| key.matches(k))
                {
                    Some(IntegrationState {
                        name: record.integration_name.clone(),
                        status: record.status.clone(),
                    })
                } else if let Some((_, err)) = answer.errors.iter().find(|(k, _)| key.matches(k)) {
                    let message = format!(
                        "{INTEGRATIONS} {} of {}: {}",
                        integration.kind,
                        integration.context,
                        err.message.clone().unwrap_or_default()
                    );
                    match err.status {
                        404 => None,
                        429 => return Err(Error::Throttled { retry_after: None }),
                        500..=599 => return Err(Error::LinkedInUnavailable(message)),
                        status => {
                            return Err(Error::LinkedInRejected {
                                status,
                                service_error_code: None,
                                message,
                            });
                        }
                    }
                } else {
                    None
                };
                Ok((integration.clone(), state))
            })
            .collect()
    }

    /// Sets one configuration of the organization's integrations (collection, "Sync Integration
    /// Configuration - ..."; customer token): `batch_update` on the key of the integration that
    /// carries it (`JOB_POSTING_VIEWERS` on ONE_CLICK_EXPORT, `APPLICATION_VIEWERS` on
    /// IN_ATS_INDICATOR). A name LinkedIn does not publish is `Error::Invalid`.
    pub async fn set_configuration(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        name: &str,
        value: &str,
    ) -> Result<()> {
        let path = configurations_path(organization, name)?;
        let q = Query::new().ids([name]);
        let body = wire::configuration(name, value);
        let resp = self
            .write(creds, Method::PUT, &path, &q, Some("batch_update"), &body)
            .await?;
        let answer = decode_updated(&path, resp).await?;
        match configuration_outcome(name, answer) {
            Some(RecordOutcome::Accepted) => Ok(()),
            Some(RecordOutcome::Rejected { status, message }) => Err(Error::LinkedInRejected {
                status,
                service_error_code: None,
                message,
            }),
            Some(RecordOutcome::NotDone(m)) => Err(Error::LinkedInUnavailable(m)),
            None => Err(Error::LinkedInUnavailable(format!("{path}: no answer"))),
        }
    }

    /// Removes one configuration (collection, "Delete Integration Configuration - ..."; a
    /// DELETE with `ids` and no method header). One that was not set (404) counts as removed.
    pub async fn remove_configuration(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        name: &str,
    ) -> Result<()> {
        let path = configurations_path(organization, name)?;
        let q = Query::new().ids([name]);
        let resp = match self
            .write(
                creds,
                Method::DELETE,
                &path,
                &q,
                None,
                &serde_json::Value::Null,
            )
            .await
        {
            Ok(resp) => resp,
            Err(Error::LinkedInRejected { status: 404, .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        let answer = decode_updated(&path, resp).await?;
        match configuration_outcome(name, answer) {
            Some(RecordOutcome::Rejected { status, message }) if status != 404 => {
                Err(Error::LinkedInRejected {
                    status,
                    service_error_code: None,
                    message,
                })
            }
            Some(RecordOutcome::NotDone(m)) => Err(Error::LinkedInUnavailable(m)),
            _ => Ok(()),
        }
    }

    /// Registers the customer's callback URL: the `CALLBACK_URL` configuration (collection,
    /// "Sync Integration Configuration - Callback URL (Mandatory)"). LinkedIn validates the URL
    /// with a challenge before it answers.
    pub async fn register_callback(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        url: &str,
    ) -> Result<()> {
        self.set_configuration(creds, organization, wire::CALLBACK_URL, url)
            .await
    }

    /// The callback URL registered now, read back with a batch GET of the same configuration
    /// (collection, "Verify Customer Integrations - Configs"; `None` when LinkedIn has none).
    pub async fn registered_callback(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
    ) -> Result<Option<String>> {
        let path = configurations_path(organization, wire::CALLBACK_URL)?;
        let q = Query::new().ids([wire::CALLBACK_URL]);
        let answer: wire::Configurations = self.get(creds, Base::V2, &path, &q).await?;
        Ok(answer
            .results
            .get(wire::CALLBACK_URL)
            .and_then(|c| c.configuration_value.string.clone()))
    }

    /// Removes the callback URL.
    pub async fn remove_callback(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
    ) -> Result<()> {
        self.remove_configuration(creds, organization, wire::CALLBACK_URL)
            .await
    }
}

/// The child application of a create answer or a finder element; the URN and client id are
/// required.
fn child_application(app: wire::ProvisionedApplication) -> Result<ChildApplication> {
    let missing = |what: &str| Error::LinkedInContract(format!("{PROVISIONED}: no {what}"));
    let urn = app.key.ok_or_else(|| missing("key"))?;
    let creds = app.credentials.unwrap_or_default();
    Ok(ChildApplication {
        urn,
        client_id: creds
            .client_id
            .ok_or_else(|| missing("credentials.client_id"))?,
        client_secret: creds.client_secret,
    })
}

/// The keys of a batch of integrations: at most [`MAX_BATCH`], each once.
fn batch_keys<'a>(integrations: impl Iterator<Item = &'a Integration>) -> Result<Vec<CompoundKey>> {
    let mut keys: Vec<CompoundKey> = Vec::new();
    for integration in integrations {
        let key = integration.key();
        if keys.contains(&key) {
            return Err(Error::Invalid(format!(
                "{} of {} is named twice in one batch",
                integration.kind, integration.context
            )));
        }
        keys.push(key);
    }
    if keys.len() > MAX_BATCH {
        return Err(Error::Invalid(format!(
            "{} integrations in one batch; LinkedIn takes at most {MAX_BATCH}",
            keys.len()
        )));
    }
    Ok(keys)
}

/// `/atsIntegrations/<key of the carrying integration>/configurations`.
fn configurations_path(organization: &str, name: &str) -> Result<String> {
    let kind = wire::configuration_carrier(name)
        .ok_or_else(|| Error::Invalid(format!("LinkedIn publishes no configuration {name}")))?;
    let key = wire::integration_key(organization, kind);
    Ok(format!(
        "{INTEGRATIONS}/{}/configurations",
        key.to_key_string()
    ))
}

fn configuration_outcome(name: &str, answer: wire::BatchUpdated) -> Option<RecordOutcome> {
    outcomes(
        std::iter::once((name.to_owned(), Answered::Simple(name.to_owned()))),
        answer,
    )
    .remove(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integration_types_serialize_as_linkedin_spells_them() {
        for t in IntegrationType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
            assert_eq!(IntegrationType::parse(t.as_str()), Some(t));
        }
        let stored = serde_json::to_value(Integration::new(
            "urn:li:contract:7",
            IntegrationType::CsaApi,
        ))
        .unwrap();
        assert_eq!(
            stored,
            serde_json::json!({"integrationContext": "urn:li:contract:7", "integrationType": "CSA_API"})
        );
        assert_eq!(
            serde_json::from_value::<Integration>(stored).unwrap().kind,
            IntegrationType::CsaApi
        );
    }

    #[test]
    fn a_customer_has_three_organization_integrations_and_one_per_contract() {
        let got = Integration::for_customer(
            "urn:li:organization:7",
            &["urn:li:contract:1".into(), "urn:li:contract:2".into()],
        );
        let kinds: Vec<_> = got.iter().map(|i| i.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "ONE_CLICK_EXPORT",
                "IN_ATS_INDICATOR",
                "PROFILE_PLUGIN",
                "CSA_API",
                "CSA_API"
            ]
        );
        assert_eq!(got[4].context, "urn:li:contract:2");
        assert_eq!(
            IntegrationType::OneClickExport.collection_name("Globex"),
            "Globex LinkedIn Recruiter One-Click Export Integration"
        );
    }

    #[test]
    fn a_batch_names_each_integration_once() {
        let one = Integration::new("urn:li:organization:7", IntegrationType::ProfilePlugin);
        assert!(matches!(
            batch_keys([&one, &one].into_iter()),
            Err(Error::Invalid(_))
        ));
    }

    #[test]
    fn the_secret_stays_out_of_debug() {
        let child = ChildApplication {
            urn: "urn:li:developerApplication:1".into(),
            client_id: "86abc".into(),
            client_secret: Some("s3cret".into()),
        };
        assert!(!format!("{child:?}").contains("s3cret"));
        assert_eq!(child.credentials().unwrap().client_secret, "s3cret");
    }

    #[test]
    fn enabled_is_linkedins_enabled_status() {
        let state = |s: Option<&str>| IntegrationState {
            name: None,
            status: s.map(str::to_owned),
        };
        assert!(state(Some("ENABLED")).enabled());
        assert!(!state(Some("DISABLED")).enabled());
        assert!(!state(None).enabled());
    }
}
