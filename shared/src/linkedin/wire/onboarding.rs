//! Customer onboarding (docs/linkedin-wire.md "Onboarding"): the customer's child application,
//! provisioned with the partner's token, and the customer's integrations, their names, state
//! and configurations, with the customer's (child) token. Requests and body spellings are
//! LinkedIn's Postman collection's (Module 1, "Configure Customer Middleware Integrations
//! (Partner Only)") unless a field says otherwise. Keys are built by `restli`, never here.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::linkedin::restli::CompoundKey;
use crate::linkedin::wire::EntityStatus;

/// The key of one of a customer's integrations (collection, "Update Customer ATSIntegration"):
/// `integrationContext=<org or contract URN>&integrationType=<type>&tenantType=RECRUITER&dataProvider=ATS`.
pub fn integration_key(context: &str, integration_type: &str) -> CompoundKey {
    CompoundKey::of(&[
        ("integrationContext", context),
        ("integrationType", integration_type),
        ("tenantType", "RECRUITER"),
        ("dataProvider", "ATS"),
    ])
}

/// `integrationType` values (collection, "Update Customer ATSIntegration - ONE_CLICK_EXPORT /
/// IN_ATS_INDICATOR / PROFILE_PLUGIN / CSA_API"). CSA_API is keyed by contract, the others by
/// organization.
pub const ONE_CLICK_EXPORT: &str = "ONE_CLICK_EXPORT";
pub const IN_ATS_INDICATOR: &str = "IN_ATS_INDICATOR";
pub const PROFILE_PLUGIN: &str = "PROFILE_PLUGIN";
pub const CSA_API: &str = "CSA_API";

/// The body of a naming patch (collection, "Update Customer ATSIntegration - ..."):
/// `{"patch": {"$set": {"integrationName": ".."}}}`.
pub fn integration_name_patch(name: &str) -> serde_json::Value {
    serde_json::json!({ "patch": { "$set": { "integrationName": name } } })
}

/// `status` of an integration the customer switched on in Recruiter (unverified: the collection
/// reads the integrations back with "Verify Customer's  ATSIntegrations" but shows no answer;
/// `status` with `ENABLED`/`DISABLED` is what the `q=request` finder's elements carry). The one
/// place this spelling lives.
pub const INTEGRATION_ENABLED: &str = "ENABLED";

/// One integration of the batch GET of `atsIntegrations?ids[i]...` (collection, "Verify
/// Customer's  ATSIntegrations"): `integrationName` is the field the naming sets (collection);
/// `status` is (unverified), see [`INTEGRATION_ENABLED`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationRecord {
    #[serde(default)]
    pub integration_name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// The answer to a batch GET of integrations: records by key, keys LinkedIn has none for under
/// `errors` (404). Keys are matched field by field (`restli::CompoundKey::matches`).
#[derive(Debug, Default, Deserialize)]
pub struct IntegrationRecords {
    #[serde(default)]
    pub results: HashMap<String, IntegrationRecord>,
    #[serde(default)]
    pub errors: HashMap<String, EntityStatus>,
}

/// One element of `atsIntegrations?q=request` (collection for the request, "GET Notification
/// Type INTEGRATION_STATUS_CHANGE"): the new state of an integration. Field names (unverified).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationStatus {
    pub integration_context: String,
    #[serde(default)]
    pub integration_type: Option<String>,
    pub status: String,
}

/// Configurations (collection, "Sync Integration Configuration - Callback URL (Mandatory)",
/// "- Job Posting Viewers (Optional)", "- Application Viewers (Optional)").
pub const CALLBACK_URL: &str = "CALLBACK_URL";
pub const JOB_POSTING_VIEWERS: &str = "JOB_POSTING_VIEWERS";
pub const APPLICATION_VIEWERS: &str = "APPLICATION_VIEWERS";

/// Each configuration with the integration type whose key carries it (collection: the
/// callback URL and job posting viewers on ONE_CLICK_EXPORT, application viewers on
/// IN_ATS_INDICATOR).
pub const CONFIGURATIONS: [(&str, &str); 3] = [
    (CALLBACK_URL, ONE_CLICK_EXPORT),
    (JOB_POSTING_VIEWERS, ONE_CLICK_EXPORT),
    (APPLICATION_VIEWERS, IN_ATS_INDICATOR),
];

/// The integration type whose key carries a configuration; `None` for a name LinkedIn does not
/// publish.
pub fn configuration_carrier(name: &str) -> Option<&'static str> {
    CONFIGURATIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, kind)| *kind)
}

/// The body of a configuration `batch_update`:
/// `{"entities": {"<NAME>": {"configurationValue": {"string": "<value>"}}}}` (collection).
pub fn configuration(name: &str, value: &str) -> serde_json::Value {
    serde_json::json!({ "entities": { name: { "configurationValue": { "string": value } } } })
}

/// The answer to a batch GET of configurations: each configuration's value by name; names
/// not configured are under `errors` (collection, "Verify Customer Integrations - Configs").
#[derive(Debug, Default, Deserialize)]
pub struct Configurations {
    #[serde(default)]
    pub results: HashMap<String, Configuration>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Configuration {
    #[serde(default)]
    pub configuration_value: ConfigurationValue,
}

#[derive(Debug, Default, Deserialize)]
pub struct ConfigurationValue {
    #[serde(default)]
    pub string: Option<String>,
}

/// The body of `POST /v2/provisionedApplications` (collection, "Provision Child Application";
/// doc "Provisioning API": `name`, `description`, `uniqueForeignId` required, `name` at most 50
/// characters without "LinkedIn", domains without a trailing `/`). The collection also sends
/// `oauth2AuthorizedCallbackUrls`, optional: we use no 3-legged OAuth, so it is never sent.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewProvisionedApplication<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub unique_foreign_id: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub valid_js_sdk_domains: &'a [String],
}

/// The finder of a child application by our id for the customer (collection, "Get Child
/// Application"): `q=credentialsByUniqueForeignId&uniqueForeignId=<ours>`.
pub const FINDER_BY_FOREIGN_ID: &str = "credentialsByUniqueForeignId";

/// The body of "Update JavaScript SDK Domain for Child Application" (collection), sent without
/// a method header: `{"patch": {"$set": {"validJsSdkDomains": [..]}}}`.
pub fn js_sdk_domains_patch(domains: &[String]) -> serde_json::Value {
    serde_json::json!({ "patch": { "$set": { "validJsSdkDomains": domains } } })
}

/// A child application as the create answer and the finder's elements carry it. `key` is the
/// application URN (collection: the create's test script keeps `jsonData.key`). Everything else
/// is (unverified: LinkedIn's Java SDK's test data only), so everything else is optional:
/// `credentials` with snake_case `client_id`/`client_secret` (camelCase accepted too), and
/// the finder may leave the secret out.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionedApplication {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub credentials: Option<ApplicationCredentials>,
    #[serde(default)]
    pub unique_foreign_id: Option<String>,
}

/// (unverified: LinkedIn's Java SDK's test data, `{"client_id", "client_secret"}`).
#[derive(Clone, Default, Deserialize)]
pub struct ApplicationCredentials {
    #[serde(default, alias = "clientId")]
    pub client_id: Option<String>,
    #[serde(default, alias = "clientSecret")]
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for ApplicationCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplicationCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisioned_application_as_the_sdk_shows_it_or_without_its_secret() {
        let created: ProvisionedApplication = serde_json::from_value(serde_json::json!({
            "credentials": {"client_id": "86abc", "client_secret": "s3cret"},
            "key": "urn:li:developerApplication:234"
        }))
        .unwrap();
        let creds = created.credentials.unwrap();
        assert_eq!(creds.client_id.as_deref(), Some("86abc"));
        assert_eq!(creds.client_secret.as_deref(), Some("s3cret"));
        assert!(!format!("{creds:?}").contains("s3cret"));
        let found: ProvisionedApplication = serde_json::from_value(serde_json::json!({
            "key": "urn:li:developerApplication:234", "name": "Acme ATS - Globex",
            "credentials": {"clientId": "86abc"}
        }))
        .unwrap();
        let creds = found.credentials.unwrap();
        assert_eq!(
            (creds.client_id.as_deref(), creds.client_secret),
            (Some("86abc"), None)
        );
    }

    #[test]
    fn the_new_application_leaves_out_what_it_has_none_of() {
        let domains = vec![];
        let body = serde_json::to_value(NewProvisionedApplication {
            name: "Acme ATS - Globex",
            description: "d",
            unique_foreign_id: "t-1",
            valid_js_sdk_domains: &domains,
        })
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"name": "Acme ATS - Globex", "description": "d", "uniqueForeignId": "t-1"})
        );
    }

    #[test]
    fn each_configuration_has_its_carrier() {
        assert_eq!(configuration_carrier(CALLBACK_URL), Some(ONE_CLICK_EXPORT));
        assert_eq!(
            configuration_carrier(APPLICATION_VIEWERS),
            Some(IN_ATS_INDICATOR)
        );
        assert_eq!(configuration_carrier("RECRUITER_VIEWERS"), None);
    }
}
