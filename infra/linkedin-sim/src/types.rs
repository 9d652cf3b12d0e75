//! The simulator's public data types: its settings, what tests seed, and what it reports.

use std::collections::BTreeMap;
use std::fmt;

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Settings of a simulator instance.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimConfig {
    /// Lifetime of issued access tokens (`expires_in`), in seconds.
    pub token_ttl_secs: u64,
    /// Partner (parent) applications registered at start (see [`crate::Sim::register_partner`]).
    #[serde(default)]
    pub partners: Vec<Partner>,
    /// Whether the provisioning finder (`q=credentialsByUniqueForeignId`) answers the child's
    /// `client_secret` too. Off by default: whether LinkedIn does is unverified, so clients
    /// must cope without it.
    #[serde(default)]
    pub secret_in_finder: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            token_ttl_secs: 1800,
            partners: Vec::new(),
            secret_in_finder: false,
        }
    }
}

/// A partner (parent) application: the ATS vendor's own, the only one allowed to provision
/// customers' child applications.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Partner {
    pub client_id: String,
    pub client_secret: String,
}

/// A child application a partner provisioned (`POST /v2/provisionedApplications`), as
/// [`crate::Sim::provisioned_apps`] reports it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProvisionedApp {
    /// `urn:li:developerApplication:N`, the answer's `key`.
    pub urn: String,
    /// The partner that provisioned it.
    pub partner_client_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub name: String,
    pub description: String,
    pub unique_foreign_id: String,
    pub valid_js_sdk_domains: Vec<String>,
    pub oauth2_authorized_callback_urls: Vec<String>,
    /// Bound at the child's first naming of an organization integration; `None` before.
    pub organization: Option<String>,
}

/// A (child) application: one per ATS customer. Registered directly, or provisioned by a partner
/// (then its `organization` is empty until bound, see `provisioning.rs`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct App {
    pub client_id: String,
    pub client_secret: String,
    /// `urn:li:organization:N`: the integration context of the customer.
    pub organization: String,
    /// Where push notifications go; `None` means exports are only stored.
    #[serde(default)]
    pub callback_url: Option<String>,
}

/// One One-Click Export made by a recruiter.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportSpec {
    pub client_id: String,
    /// Generated (uuid v4) when `None`.
    #[serde(default)]
    pub request_id: Option<String>,
    /// `urn:li:contract:N`
    pub contract: String,
    /// `urn:li:seat:N`: the exporting seat. When a [`crate::Seat`] with this URN is seeded, its
    /// holder is served as the element's `requester`.
    pub exporter: String,
    pub ats_job_posting_id: String,
    /// The full candidate object, served unchanged (may carry extra fields).
    pub candidate: Value,
}

/// Outcome of one push notification delivery.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PushResult {
    pub notification_id: String,
    pub request_id: String,
    /// The callback's HTTP status; `None` when there is no callback URL or the connection failed.
    pub status: Option<u16>,
    /// The callback's response body (the error text when the connection failed, empty when no
    /// callback URL is set).
    pub body: String,
}

/// State of a contract.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContractState {
    Active,
    Expired,
    Disabled,
}

impl ContractState {
    /// `ACTIVE`, `EXPIRED` or `DISABLED`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContractState::Active => "ACTIVE",
            ContractState::Expired => "EXPIRED",
            ContractState::Disabled => "DISABLED",
        }
    }
}

/// A fault injected into the next matching requests to `/oauth`, `/v2` or `/rest`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Prefix of the request path, e.g. `/v2/exportedCandidates`, `/oauth`, or `""` for all.
    #[serde(default)]
    pub path_prefix: String,
    pub kind: FaultKind,
    /// How many requests it applies to (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// Query parameters a request must have, each with exactly this value (decoded; for a
    /// repeated parameter, one of its values), for the fault to apply: e.g.
    /// `{"viewer": "urn:li:seat:9003"}` fails one seat's InMail reads.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
}

fn one() -> u32 {
    1
}

/// What a fault does.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FaultKind {
    /// Answer this status with the error JSON body (and `Retry-After` when given).
    Status {
        status: u16,
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    /// Sleep, then handle the request normally.
    Delay { ms: u64 },
}

/// One request to `/oauth`, `/v2` or `/rest`, as logged.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    pub method: String,
    pub path: String,
    /// Raw query string, empty when none.
    pub query: String,
    /// For `/oauth`: the form's `client_id`; for the API: the owner of the bearer token (if known).
    pub client_id: Option<String>,
    pub status: u16,
    /// When the request arrived (epoch ms).
    pub at_ms: i64,
    /// The Rest.li and content headers sent, names lower-cased: only `x-restli-method`,
    /// `x-restli-protocol-version`, `linkedin-version` and `content-type` (never
    /// `Authorization`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The raw body of an API call (`None` when empty). For `/oauth`, only the form's keys
    /// (`grant_type&client_id&client_secret`), never its values: the secret stays out of logs.
    #[serde(default)]
    pub body: Option<String>,
}

/// Errors of the simulator's control API.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum SimError {
    UnknownApp(String),
    UnknownNotification(String),
    NoCallback(String),
    /// A provisioned child application whose organization is not bound yet (it is bound at its
    /// first naming of an organization integration).
    Unbound(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::UnknownApp(id) => write!(f, "unknown application {id}"),
            SimError::UnknownNotification(id) => write!(f, "unknown notification {id}"),
            SimError::NoCallback(id) => write!(f, "application {id} has no callback URL"),
            SimError::Unbound(id) => write!(
                f,
                "application {id} has no organization yet: it is bound when the application \
                 first names an organization integration"
            ),
        }
    }
}

impl std::error::Error for SimError {}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}
