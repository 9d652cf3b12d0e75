//! A local simulator of LinkedIn's Recruiter System Connect (RSC) partner API.
//!
//! It follows `shared/docs/linkedin-rsc.md` (LinkedIn's side of the contract) and is written
//! independently of the project's own client so that the two cross-check each other.
//!
//! Served endpoints:
//! - `POST /oauth/v2/accessToken` (client credentials),
//! - `GET /v2/exportedCandidates?q=request&requestId=..`,
//! - `GET /v2/atsIntegrations?q=request&requestId=..`,
//! - recruiter activity and seats (rules in `src/activity.rs`):
//!   `GET /v2/conversationEvents`, `/v2/prospectNotes`, `/v2/mailStubs`, `/v2/seatsV2`,
//! - ATS → LinkedIn sync (rules in `src/sync.rs`, wire details in `docs/outbound-sync.md`):
//!   `POST /v2/simpleJobPostings` (`batch_create`),
//!   `GET /v2/simpleJobPostingTasks?ids=List(..)` (`batch_get`),
//!   `PUT /v2/atsCandidates?ids[i]...`, `PUT /v2/atsApplications?ids[i]...` and
//!   `PUT /v2/atsApplications/<application key>/stages?ids=List(..)` (`batch_update`);
//!   what LinkedIn holds is read with [`Sim::synced`],
//! - `GET /v2/atsPurgedExportedCandidates` (closed profiles) and
//!   `POST /v2/atsIntegrationConfigurations` (callback URL registration), in `src/compliance.rs`,
//! - control routes under `/_sim/...` for scripts and outside tools.
//!
//! Push notifications (signed with the child application's client secret) are sent to the
//! application's callback URL by [`Sim::export`] and [`Sim::push_status_change`].

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::{post, put},
};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;

mod activity;
mod compliance;
mod sync;

pub use activity::{InMail, MAX_PAGE_COUNT, MAX_WINDOW_MS, Note, Phone, Seat, Stub};
pub use sync::{APPLICATION_FIELDS, MAX_SYNC_BATCH, MAX_TITLE_CHARS, SyncRequest, Synced};

type HmacSha256 = Hmac<Sha256>;

/// Notification type of a One-Click Export.
pub const EXPORT_CANDIDATE_PROFILE: &str = "EXPORT_CANDIDATE_PROFILE";
/// Notification type of an integration being switched on or off.
pub const INTEGRATION_STATUS_CHANGE: &str = "INTEGRATION_STATUS_CHANGE";

/// `serviceErrorCode` of an invalid or expired access token.
pub const CODE_INVALID_TOKEN: i64 = 65600;
/// `serviceErrorCode` of a call for an expired or disabled contract (assumed).
pub const CODE_CONTRACT_INACTIVE: i64 = 100;

// ---------------------------------------------------------------------------------------------
// Public data types
// ---------------------------------------------------------------------------------------------

/// Settings of a simulator instance.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimConfig {
    /// Lifetime of issued access tokens (`expires_in`), in seconds.
    pub token_ttl_secs: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            token_ttl_secs: 1800,
        }
    }
}

/// A (child) application: one per ATS customer.
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
    /// `urn:li:seat:N`
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

/// A fault injected into the next matching requests to `/oauth` or `/v2`.
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
    /// Query parameters a request must have, each with exactly this value (decoded), for the
    /// fault to apply: e.g. `{"viewer": "urn:li:seat:9003"}` fails one seat's InMail reads.
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

/// One request to `/oauth` or `/v2`, as logged.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    pub method: String,
    pub path: String,
    /// Raw query string, empty when none.
    pub query: String,
    /// For `/oauth`: the form's `client_id`; for `/v2`: the owner of the bearer token (if known).
    pub client_id: Option<String>,
    pub status: u16,
    /// When the request arrived (epoch ms).
    pub at_ms: i64,
}

/// Errors of the simulator's control API.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum SimError {
    UnknownApp(String),
    UnknownNotification(String),
    NoCallback(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::UnknownApp(id) => write!(f, "unknown application {id}"),
            SimError::UnknownNotification(id) => write!(f, "unknown notification {id}"),
            SimError::NoCallback(id) => write!(f, "application {id} has no callback URL"),
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

// ---------------------------------------------------------------------------------------------
// Internal state
// ---------------------------------------------------------------------------------------------

struct Token {
    client_id: String,
    expires_at_ms: i64,
}

#[derive(Clone)]
struct StoredExport {
    request_id: String,
    integration_context: String,
    contract: String,
    exporter: String,
    ats_job_posting_id: String,
    exported_at: i64,
    candidate: Value,
}

#[derive(Clone)]
struct StatusRequest {
    integration_context: String,
    status: String,
}

#[derive(Clone)]
struct Notification {
    client_id: String,
    request_id: String,
    body: Bytes,
    signature: String,
}

impl SimState {
    /// A contract's state now: as set, else EXPIRED once its end date has passed.
    fn contract_state(&self, contract_urn: &str) -> Option<ContractState> {
        self.contracts.get(contract_urn).copied().or_else(|| {
            self.contract_ends
                .get(contract_urn)
                .filter(|end| **end <= now_ms())
                .map(|_| ContractState::Expired)
        })
    }
}

#[derive(Default)]
struct SimState {
    apps: HashMap<String, App>,
    tokens: HashMap<String, Token>,
    /// client id -> request id -> export
    exports: HashMap<String, HashMap<String, StoredExport>>,
    /// client id -> request id -> status change
    status_requests: HashMap<String, HashMap<String, StatusRequest>>,
    contracts: HashMap<String, ContractState>,
    /// Contract URN -> end date (epoch ms): from then on the contract answers as EXPIRED.
    contract_ends: HashMap<String, i64>,
    faults: Vec<Fault>,
    calls: Vec<Call>,
    notifications: HashMap<String, Notification>,
    activity: activity::Activity,
    /// Organization -> member -> when LinkedIn reported the profile closed.
    purged: HashMap<String, std::collections::BTreeMap<String, i64>>,
    sync: sync::SyncState,
}

struct Inner {
    addr: SocketAddr,
    config: SimConfig,
    state: Mutex<SimState>,
    http: reqwest::Client,
    shutdown: tokio::sync::watch::Sender<bool>,
}

/// A running simulator. Cheap to clone; all clones share one state.
#[derive(Clone)]
pub struct Sim {
    inner: Arc<Inner>,
}

impl fmt::Debug for Sim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sim")
            .field("addr", &self.inner.addr)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationBody<'a> {
    notification_id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    request_id: &'a str,
    integration_context: &'a str,
    occurred_at: i64,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn hmac_hex(key: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// `X-LI-Signature` of a push notification body: hex(HMAC-SHA256(secret, "hmacsha256=" + body)).
pub fn push_signature(client_secret: &str, body: &[u8]) -> String {
    hmac_hex(client_secret.as_bytes(), &[b"hmacsha256=", body])
}

/// The expected `challengeResponse`: hex(HMAC-SHA256(secret, challengeCode)).
pub fn challenge_response(client_secret: &str, challenge_code: &str) -> String {
    hmac_hex(client_secret.as_bytes(), &[challenge_code.as_bytes()])
}

/// Decodes an `application/x-www-form-urlencoded` string (also a URL query). The first
/// occurrence of a key wins.
fn parse_urlencoded(input: &[u8]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for pair in input.split(|b| *b == b'&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        out.entry(percent_decode(k))
            .or_insert_with(|| percent_decode(v));
    }
    out
}

fn percent_decode(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < s.len() => {
                let hex = std::str::from_utf8(&s[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn default_service_code(status: u16) -> i64 {
    match status {
        401 => CODE_INVALID_TOKEN,
        403 => CODE_CONTRACT_INACTIVE,
        _ => 0,
    }
}

/// `{"status": N, "serviceErrorCode": N, "message": "..."}`
fn api_error(status: u16, service_code: i64, message: impl Into<String>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        Json(json!({
            "status": status,
            "serviceErrorCode": service_code,
            "message": message.into(),
        })),
    )
        .into_response()
}

/// An API error before it becomes a response (keeps `Result`s small).
struct ApiErr {
    status: u16,
    code: i64,
    message: String,
}

impl ApiErr {
    fn new(status: u16, code: i64, message: impl Into<String>) -> Self {
        ApiErr {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        api_error(self.status, self.code, self.message)
    }
}

/// OAuth error shape: `{"error": "...", "error_description": "..."}`
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        Some(token.trim())
    } else {
        None
    }
}

fn paging(query: &HashMap<String, String>) -> (usize, usize) {
    let start = query.get("start").and_then(|s| s.parse().ok()).unwrap_or(0);
    let count = query
        .get("count")
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    (start, count)
}

fn page(elements: Vec<Value>, start: usize, count: usize) -> Response {
    let elements: Vec<Value> = elements.into_iter().skip(start).take(count).collect();
    Json(json!({
        "elements": elements,
        "paging": { "start": start, "count": count },
    }))
    .into_response()
}

// ---------------------------------------------------------------------------------------------
// Sim
// ---------------------------------------------------------------------------------------------

impl Sim {
    /// Binds `addr` (port 0 allowed) and serves the simulator on a spawned tokio task.
    pub async fn start(addr: SocketAddr, config: SimConfig) -> std::io::Result<Sim> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let mut local = listener.local_addr()?;
        if local.ip().is_unspecified() {
            local.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
            .map_err(std::io::Error::other)?;
        let (tx, mut rx) = tokio::sync::watch::channel(false);
        let sim = Sim {
            inner: Arc::new(Inner {
                addr: local,
                config,
                state: Mutex::new(SimState::default()),
                http,
                shutdown: tx,
            }),
        };
        let router = router(sim.clone());
        tokio::spawn(async move {
            let stop = async move {
                let _ = rx.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::error!(error = %e, "linkedin-sim server failed");
            }
        });
        tracing::info!(addr = %local, "linkedin-sim started");
        Ok(sim)
    }

    /// Stops accepting connections (in-flight requests finish).
    pub fn shutdown(&self) {
        let _ = self.inner.shutdown.send(true);
    }

    /// The address the server is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// Base URL of the REST API: `base_url() + "/v2"`.
    pub fn api_url(&self) -> String {
        format!("{}/v2", self.base_url())
    }

    /// Base URL of OAuth: `base_url() + "/oauth/v2"`; the token endpoint is `+ "/accessToken"`.
    pub fn auth_url(&self) -> String {
        format!("{}/oauth/v2", self.base_url())
    }

    fn state(&self) -> MutexGuard<'_, SimState> {
        // A panic while holding the lock leaves plain data behind: keep serving.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Inserts or replaces an application (by client id).
    pub fn register_app(&self, app: App) {
        tracing::info!(client_id = %app.client_id, "app registered");
        self.state().apps.insert(app.client_id.clone(), app);
    }

    /// Looks up a registered application.
    pub fn app(&self, client_id: &str) -> Option<App> {
        self.state().apps.get(client_id).cloned()
    }

    /// Stores an export and pushes a signed `EXPORT_CANDIDATE_PROFILE` notification.
    pub async fn export(&self, spec: ExportSpec) -> Result<PushResult, SimError> {
        let request_id = spec
            .request_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let organization = {
            let mut state = self.state();
            let app = state
                .apps
                .get(&spec.client_id)
                .ok_or_else(|| SimError::UnknownApp(spec.client_id.clone()))?;
            let organization = app.organization.clone();
            let stored = StoredExport {
                request_id: request_id.clone(),
                integration_context: organization.clone(),
                contract: spec.contract,
                exporter: spec.exporter,
                ats_job_posting_id: spec.ats_job_posting_id,
                exported_at: now_ms(),
                candidate: spec.candidate,
            };
            state
                .exports
                .entry(spec.client_id.clone())
                .or_default()
                .insert(request_id.clone(), stored);
            organization
        };
        self.push(
            &spec.client_id,
            EXPORT_CANDIDATE_PROFILE,
            request_id,
            organization,
        )
        .await
    }

    /// Stores an integration status change (`ENABLED` | `DISABLED`) and pushes a signed
    /// `INTEGRATION_STATUS_CHANGE` notification; its details are served by `/v2/atsIntegrations`.
    pub async fn push_status_change(
        &self,
        client_id: &str,
        integration_context: &str,
        status: &str,
    ) -> Result<PushResult, SimError> {
        let request_id = uuid::Uuid::new_v4().to_string();
        {
            let mut state = self.state();
            if !state.apps.contains_key(client_id) {
                return Err(SimError::UnknownApp(client_id.to_string()));
            }
            state
                .status_requests
                .entry(client_id.to_string())
                .or_default()
                .insert(
                    request_id.clone(),
                    StatusRequest {
                        integration_context: integration_context.to_string(),
                        status: status.to_string(),
                    },
                );
        }
        self.push(
            client_id,
            INTEGRATION_STATUS_CHANGE,
            request_id,
            integration_context.to_string(),
        )
        .await
    }

    async fn push(
        &self,
        client_id: &str,
        kind: &str,
        request_id: String,
        integration_context: String,
    ) -> Result<PushResult, SimError> {
        let notification_id = uuid::Uuid::new_v4().to_string();
        let (secret, callback) = {
            let state = self.state();
            let app = state
                .apps
                .get(client_id)
                .ok_or_else(|| SimError::UnknownApp(client_id.to_string()))?;
            (app.client_secret.clone(), app.callback_url.clone())
        };
        let body = serde_json::to_vec(&NotificationBody {
            notification_id: &notification_id,
            kind,
            request_id: &request_id,
            integration_context: &integration_context,
            occurred_at: now_ms(),
        })
        .expect("notification serialises");
        let body = Bytes::from(body);
        let signature = push_signature(&secret, &body);
        self.state().notifications.insert(
            notification_id.clone(),
            Notification {
                client_id: client_id.to_string(),
                request_id: request_id.clone(),
                body: body.clone(),
                signature: signature.clone(),
            },
        );
        let (status, response) = match callback {
            Some(url) => self.deliver(&url, body, &signature).await,
            None => (None, String::new()),
        };
        tracing::info!(%notification_id, %request_id, kind, ?status, "notification pushed");
        Ok(PushResult {
            notification_id,
            request_id,
            status,
            body: response,
        })
    }

    async fn deliver(&self, url: &str, body: Bytes, signature: &str) -> (Option<u16>, String) {
        let sent = self
            .inner
            .http
            .post(url)
            .header(header::CONTENT_TYPE, "application/json")
            .header("X-LI-Signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                (Some(status), text)
            }
            Err(e) => (None, e.to_string()),
        }
    }

    /// Re-posts a notification with exactly the same bytes and signature (duplicate delivery),
    /// to the application's current callback URL (`status: None` when it has none).
    pub async fn resend(&self, notification_id: &str) -> Result<PushResult, SimError> {
        let (notification, callback) = {
            let state = self.state();
            let n = state
                .notifications
                .get(notification_id)
                .cloned()
                .ok_or_else(|| SimError::UnknownNotification(notification_id.to_string()))?;
            let app = state
                .apps
                .get(&n.client_id)
                .ok_or_else(|| SimError::UnknownApp(n.client_id.clone()))?;
            (n, app.callback_url.clone())
        };
        let (status, body) = match callback {
            Some(url) => {
                self.deliver(&url, notification.body.clone(), &notification.signature)
                    .await
            }
            None => (None, String::new()),
        };
        tracing::info!(%notification_id, ?status, "notification resent");
        Ok(PushResult {
            notification_id: notification_id.to_string(),
            request_id: notification.request_id,
            status,
            body,
        })
    }

    /// Validates the application's callback URL as LinkedIn does:
    /// `GET <callback>?challengeCode=<uuid>&applicationId=<clientId>`, which must answer within
    /// 3 s with 200, JSON, the same `challengeCode` and
    /// `challengeResponse == hex(HMAC-SHA256(secret, challengeCode))`.
    pub async fn validate_callback(&self, client_id: &str) -> Result<bool, SimError> {
        let app = self
            .app(client_id)
            .ok_or_else(|| SimError::UnknownApp(client_id.to_string()))?;
        let url = app
            .callback_url
            .clone()
            .ok_or_else(|| SimError::NoCallback(client_id.to_string()))?;
        let code = uuid::Uuid::new_v4().to_string();
        let expected = challenge_response(&app.client_secret, &code);
        let sent = self
            .inner
            .http
            .get(&url)
            .query(&[
                ("challengeCode", code.as_str()),
                ("applicationId", client_id),
            ])
            .timeout(Duration::from_secs(3))
            .send()
            .await;
        let valid = match sent {
            Ok(resp) if resp.status() == StatusCode::OK => {
                let is_json = resp
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/json"));
                match resp.json::<Value>().await {
                    Ok(v) if is_json => {
                        v.get("challengeCode").and_then(Value::as_str) == Some(code.as_str())
                            && v.get("challengeResponse").and_then(Value::as_str)
                                == Some(expected.as_str())
                    }
                    _ => false,
                }
            }
            Ok(_) | Err(_) => false,
        };
        tracing::info!(client_id, valid, "callback validation");
        Ok(valid)
    }

    /// Gives a contract an end date (epoch ms, wall clock): from then on it answers as EXPIRED,
    /// unless its state was set otherwise later. `None` removes the end date (a renewal).
    pub fn set_contract_end(&self, contract_urn: &str, end_ms: Option<i64>) {
        let mut state = self.state();
        match end_ms {
            Some(end) => state.contract_ends.insert(contract_urn.to_string(), end),
            None => state.contract_ends.remove(contract_urn),
        };
    }

    /// Sets the state of a contract; calls for exports, activity or seats of an EXPIRED or
    /// DISABLED contract get 403.
    pub fn set_contract_status(&self, contract_urn: &str, status: ContractState) {
        self.state()
            .contracts
            .insert(contract_urn.to_string(), status);
    }

    /// Queues a fault (applied in the order queued).
    pub fn inject_fault(&self, fault: Fault) {
        if fault.times > 0 {
            self.state().faults.push(fault);
        }
    }

    /// Removes every queued fault.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// Every request to `/oauth` and `/v2`, in order of completion.
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// Empties the call log.
    pub fn clear_calls(&self) {
        self.state().calls.clear();
    }

    /// Every token issued so far expires now.
    pub fn expire_tokens(&self) {
        let now = now_ms();
        for token in self.state().tokens.values_mut() {
            token.expires_at_ms = token.expires_at_ms.min(now);
        }
    }

    fn take_fault(&self, path: &str, query: &HashMap<String, String>) -> Option<FaultKind> {
        let mut state = self.state();
        let i = state.faults.iter().position(|f| {
            f.times > 0
                && path.starts_with(&f.path_prefix)
                && f.query.iter().all(|(k, v)| query.get(k) == Some(v))
        })?;
        let fault = &mut state.faults[i];
        fault.times -= 1;
        let kind = fault.kind.clone();
        if fault.times == 0 {
            state.faults.remove(i);
        }
        Some(kind)
    }

    /// The client id owning a token (expired or not).
    fn token_owner(&self, token: &str) -> Option<String> {
        self.state().tokens.get(token).map(|t| t.client_id.clone())
    }

    /// The client id owning a valid (unexpired) token.
    fn authenticate(&self, headers: &HeaderMap) -> Result<String, ApiErr> {
        let invalid = || ApiErr::new(401, CODE_INVALID_TOKEN, "Invalid access token");
        let token = bearer(headers).ok_or_else(invalid)?;
        let state = self.state();
        match state.tokens.get(token) {
            Some(t) if t.expires_at_ms > now_ms() => Ok(t.client_id.clone()),
            _ => Err(invalid()),
        }
    }

    // --- LinkedIn endpoints ------------------------------------------------------------------

    fn access_token(&self, method: &Method, form: &HashMap<String, String>) -> Response {
        if method != Method::POST {
            return oauth_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                "use POST",
            );
        }
        match form.get("grant_type").map(String::as_str) {
            Some("client_credentials") => {}
            Some(_) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    "Only client_credentials is supported",
                );
            }
            None => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "A required parameter \"grant_type\" is missing",
                );
            }
        }
        let client_id = form.get("client_id").map(String::as_str).unwrap_or("");
        let secret = form.get("client_secret").map(String::as_str).unwrap_or("");
        let mut state = self.state();
        let ok = state
            .apps
            .get(client_id)
            .is_some_and(|app| app.client_secret == secret);
        if !ok {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Client authentication failed",
            );
        }
        let token = format!(
            "AQ{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let ttl = self.inner.config.token_ttl_secs;
        let ttl_ms = i64::try_from(ttl.saturating_mul(1000)).unwrap_or(i64::MAX);
        state.tokens.insert(
            token.clone(),
            Token {
                client_id: client_id.to_string(),
                expires_at_ms: now_ms().saturating_add(ttl_ms),
            },
        );
        Json(json!({ "access_token": token, "expires_in": ttl })).into_response()
    }

    /// Checks the method, the token and `q=request&requestId=..`; returns (client id, request id).
    fn request_finder(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &HashMap<String, String>,
    ) -> Result<(String, String), ApiErr> {
        if method != Method::GET {
            return Err(ApiErr::new(405, 0, format!("Method {method} not allowed")));
        }
        let client_id = self.authenticate(headers)?;
        match query.get("q").map(String::as_str) {
            Some("request") => {}
            Some(other) => {
                return Err(ApiErr::new(400, 0, format!("Unsupported finder q={other}")));
            }
            None => return Err(ApiErr::new(400, 0, "Missing query parameter q")),
        }
        match query.get("requestId") {
            Some(id) if !id.is_empty() => Ok((client_id, id.clone())),
            _ => Err(ApiErr::new(400, 0, "Missing query parameter requestId")),
        }
    }

    fn exported_candidates(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &HashMap<String, String>,
    ) -> Response {
        let (client_id, request_id) = match self.request_finder(method, headers, query) {
            Ok(found) => found,
            Err(e) => return e.into_response(),
        };
        let state = self.state();
        let export = state
            .exports
            .get(&client_id)
            .and_then(|m| m.get(&request_id))
            .cloned();
        let mut elements = Vec::new();
        if let Some(e) = export {
            if let Some(status @ (ContractState::Expired | ContractState::Disabled)) =
                state.contract_state(&e.contract)
            {
                return api_error(
                    403,
                    CODE_CONTRACT_INACTIVE,
                    format!("Contract {} is {}", e.contract, status.as_str()),
                );
            }
            elements.push(json!({
                "requestId": e.request_id,
                "integrationContext": e.integration_context,
                "contract": e.contract,
                "exporter": e.exporter,
                "atsJobPostingId": e.ats_job_posting_id,
                "exportedAt": e.exported_at,
                "candidate": e.candidate,
            }));
        }
        drop(state);
        let (start, count) = paging(query);
        page(elements, start, count)
    }

    fn ats_integrations(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &HashMap<String, String>,
    ) -> Response {
        let (client_id, request_id) = match self.request_finder(method, headers, query) {
            Ok(found) => found,
            Err(e) => return e.into_response(),
        };
        let found = self
            .state()
            .status_requests
            .get(&client_id)
            .and_then(|m| m.get(&request_id))
            .cloned();
        let elements = found
            .into_iter()
            .map(|s| {
                json!({
                    "integrationContext": s.integration_context,
                    "integrationType": "CSA_API",
                    "status": s.status,
                })
            })
            .collect();
        let (start, count) = paging(query);
        page(elements, start, count)
    }

    fn handle(
        &self,
        method: &Method,
        path: &str,
        query: &HashMap<String, String>,
        headers: &HeaderMap,
        form: &HashMap<String, String>,
        body: &[u8],
    ) -> Response {
        match path.trim_end_matches('/') {
            "/oauth/v2/accessToken" => self.access_token(method, form),
            "/v2/exportedCandidates" => self.exported_candidates(method, headers, query),
            "/v2/atsIntegrations" => self.ats_integrations(method, headers, query),
            "/v2/conversationEvents" => self.conversation_events(method, headers, query),
            "/v2/prospectNotes" => self.prospect_notes(method, headers, query),
            "/v2/mailStubs" => self.mail_stubs(method, headers, query),
            "/v2/seatsV2" => self.seats_v2(method, headers, query),
            "/v2/atsPurgedExportedCandidates" => self.purged_candidates(method, headers, query),
            "/v2/simpleJobPostings" => self.simple_job_postings(method, headers, body),
            "/v2/simpleJobPostingTasks" => self.simple_job_posting_tasks(method, headers, query),
            "/v2/atsCandidates" => self.ats_candidates(method, headers, query, body),
            "/v2/atsApplications" => self.ats_applications(method, headers, query, body),
            p if sync::is_stages_path(p) => {
                self.ats_application_stages(method, p, headers, query, body)
            }
            p if p.starts_with("/oauth") => {
                oauth_error(StatusCode::NOT_FOUND, "not_found", "Unknown OAuth endpoint")
            }
            _ => api_error(404, 0, format!("Resource {path} does not exist")),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP routing
// ---------------------------------------------------------------------------------------------

fn is_under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Every request that is not a control route: the LinkedIn API (`/oauth`, `/v2`).
async fn api(
    State(sim): State<Sim>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let is_oauth = is_under(&path, "/oauth");
    if !is_oauth && !is_under(&path, "/v2") {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("no route for {method} {path}") })),
        )
            .into_response();
    }
    let at_ms = now_ms();
    let raw_query = uri.query().unwrap_or("").to_string();
    let query = parse_urlencoded(raw_query.as_bytes());
    let form = if is_oauth {
        parse_urlencoded(&body)
    } else {
        HashMap::new()
    };
    let client_id = if is_oauth {
        form.get("client_id").cloned()
    } else {
        bearer(&headers).and_then(|t| sim.token_owner(t))
    };

    let mut response = None;
    if path == "/v2/atsIntegrationConfigurations" && method == Method::POST {
        // Registration validates the URL with a challenge, so it is answered asynchronously.
        response = Some(compliance::register_callback(&sim, &headers, &body).await);
    }
    match sim.take_fault(&path, &query) {
        Some(FaultKind::Status {
            status,
            retry_after_secs,
        }) => {
            let mut resp = api_error(
                status,
                default_service_code(status),
                format!("Injected fault: status {status}"),
            );
            if let Some(secs) = retry_after_secs {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response = Some(resp);
        }
        Some(FaultKind::Delay { ms }) => tokio::time::sleep(Duration::from_millis(ms)).await,
        None => {}
    }
    let response =
        response.unwrap_or_else(|| sim.handle(&method, &path, &query, &headers, &form, &body));

    let status = response.status().as_u16();
    tracing::debug!(%method, %path, status, "api call");
    sim.record_sync_request(&path, &query, &body, client_id.as_deref(), status, at_ms);
    sim.state().calls.push(Call {
        method: method.to_string(),
        path,
        query: raw_query,
        client_id,
        status,
        at_ms,
    });
    response
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContractBody {
    status: ContractState,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusChangeBody {
    client_id: String,
    integration_context: String,
    status: String,
}

fn router(sim: Sim) -> Router {
    Router::new()
        .route(
            "/_sim/apps",
            post(|State(sim): State<Sim>, Json(app): Json<App>| async move {
                sim.register_app(app);
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/_sim/apps/{client_id}/validate",
            post(
                |State(sim): State<Sim>, Path(client_id): Path<String>| async move {
                    let valid = sim.validate_callback(&client_id).await?;
                    Ok::<_, SimError>(Json(json!({ "valid": valid })))
                },
            ),
        )
        .route(
            "/_sim/exports",
            post(
                |State(sim): State<Sim>, Json(spec): Json<ExportSpec>| async move {
                    sim.export(spec).await.map(Json)
                },
            ),
        )
        .route(
            "/_sim/status-changes",
            post(
                |State(sim): State<Sim>, Json(b): Json<StatusChangeBody>| async move {
                    sim.push_status_change(&b.client_id, &b.integration_context, &b.status)
                        .await
                        .map(Json)
                },
            ),
        )
        .route(
            "/_sim/notifications/{id}/resend",
            post(
                |State(sim): State<Sim>, Path(id): Path<String>| async move {
                    sim.resend(&id).await.map(Json)
                },
            ),
        )
        .route(
            "/_sim/calls",
            axum::routing::get(|State(sim): State<Sim>| async move { Json(sim.calls()) }).delete(
                |State(sim): State<Sim>| async move {
                    sim.clear_calls();
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/faults",
            post(|State(sim): State<Sim>, Json(fault): Json<Fault>| async move {
                sim.inject_fault(fault);
                StatusCode::NO_CONTENT
            })
            .delete(|State(sim): State<Sim>| async move {
                sim.clear_faults();
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/_sim/contracts/{urn}",
            put(
                |State(sim): State<Sim>, Path(urn): Path<String>, Json(b): Json<ContractBody>| async move {
                    sim.set_contract_status(&urn, b.status);
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/tokens/expire",
            post(|State(sim): State<Sim>| async move {
                sim.expire_tokens();
                StatusCode::NO_CONTENT
            }),
        )
        .merge(activity::routes())
        .merge(sync::routes())
        .fallback(api)
        .with_state(sim)
}

#[cfg(test)]
mod tests;
