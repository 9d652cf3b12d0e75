//! The LinkedIn RSC client: OAuth client credentials per customer with a token cache, and the
//! endpoints the functions call. Base URLs come from configuration; nothing here is hard-coded.

mod onboarding;
pub mod restli;
pub mod wire;
mod writes;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::budget::{CallKind, Calls};
use crate::domain::ProfileExport;
use crate::error::{Error, Result};
use crate::secrets::LinkedInCredentials;

pub use onboarding::{
    ChildApplication, INTEGRATIONS_DAILY_CALL_LIMIT, Integration, IntegrationState,
    IntegrationType, NewApplication,
};
pub use restli::Query;
pub use writes::{JobSubmission, MAX_BATCH, NoteOwner, RecordOutcome};

/// The `LinkedIn-Version` the versioned `/rest` resources are called with when the deployment
/// names none (YYYYMM; doc: the latest version when this was written).
pub const DEFAULT_LINKEDIN_VERSION: &str = "202604";

/// LinkedIn answers 403 with this code when the contract is expired or the integration is off.
const INACTIVE_SERVICE_ERROR_CODE: i64 = 100;

/// A token is replaced this long before LinkedIn says it expires.
const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(120);

/// One page of an offset-paged finder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub start: usize,
    pub count: usize,
}

impl Paging {
    /// Page sizes LinkedIn's collection asks for, per finder.
    pub const INMAILS: usize = 50;
    pub const NOTES: usize = 100;
    pub const STUBS: usize = 50;
    /// Seats and closed profiles (no count in the collection; LinkedIn's usual maximum).
    pub const LISTS: usize = 100;

    pub fn first(count: usize) -> Self {
        Self { start: 0, count }
    }

    /// The page after `page`, or `None` when it was the last: a page is the last when it came
    /// back empty, or short while `paging` does not say more exist. LinkedIn may return fewer
    /// than asked with more to come, so a short page alone never ends a walk that `paging`
    /// says continues.
    pub fn next<T>(self, page: &ActivityPage<T>) -> Option<Self> {
        let end = self.start + page.returned;
        let more = page.returned > 0
            && (page.returned >= self.count
                || page.paging.as_ref().is_some_and(|p| p.says_more_after(end)));
        more.then_some(Self {
            start: end,
            count: self.count,
        })
    }
}

/// A record LinkedIn returned that could not be decoded, kept as it came with the reason.
#[derive(Clone, Debug, PartialEq)]
pub struct Undecoded {
    pub raw: serde_json::Value,
    pub reason: String,
}

/// One page of a finder. Elements are decoded one by one, so a single malformed record is
/// returned as it came (for the caller to keep) instead of failing the page, which would
/// otherwise stop the stream at that window for good.
#[derive(Debug)]
pub struct ActivityPage<T> {
    pub elements: Vec<T>,
    /// Each element as LinkedIn sent it, in the same order (kept when a decoded record still
    /// cannot be imported).
    pub raw: Vec<serde_json::Value>,
    pub malformed: Vec<Undecoded>,
    /// Elements LinkedIn returned, decodable or not (what paging counts).
    pub returned: usize,
    pub paging: Option<wire::PagingInfo>,
}

impl<T: DeserializeOwned> ActivityPage<T> {
    pub fn decode(page: wire::Elements<serde_json::Value>) -> Self {
        let returned = page.elements.len();
        let (mut elements, mut kept, mut malformed) =
            (Vec::with_capacity(returned), Vec::new(), Vec::new());
        for raw in page.elements {
            match T::deserialize(&raw) {
                Ok(e) => {
                    elements.push(e);
                    kept.push(raw);
                }
                Err(e) => malformed.push(Undecoded {
                    raw,
                    reason: e.to_string(),
                }),
            }
        }
        Self {
            elements,
            raw: kept,
            malformed,
            returned,
            paging: page.paging,
        }
    }
}

/// Which of LinkedIn's two API bases a resource lives under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Base {
    /// `https://api.linkedin.com/v2`: every RSC resource but one.
    V2,
    /// `https://api.linkedin.com/rest`, with a `LinkedIn-Version` header.
    Rest,
}

/// Calls one customer application may make to LinkedIn in a UTC day (doc: "100,000 requests
/// a day" for the sync and activity APIs).
pub const DAILY_CALL_LIMIT: u64 = 100_000;

/// The share of [`DAILY_CALL_LIMIT`] administrators' re-imports may reserve in a day, so that
/// exports, the outbound sync and live polling keep the rest.
pub const REIMPORT_DAILY_CALLS: u64 = DAILY_CALL_LIMIT / 10;

/// `LINKEDIN_REST_URL`: the versioned base, when the deployment names one (template parameter
/// `LinkedInRestUrl`).
pub fn rest_url_from(
    env: &crate::config::Env,
) -> std::result::Result<Option<String>, crate::config::ConfigError> {
    match env.get("LINKEDIN_REST_URL") {
        Some(_) => env
            .required_url("LINKEDIN_REST_URL", "LinkedIn's versioned API base URL")
            .map(Some),
        None => Ok(None),
    }
}

/// `LINKEDIN_VERSION`: the `LinkedIn-Version` (YYYYMM), when the deployment names one.
pub fn version_from(
    env: &crate::config::Env,
) -> std::result::Result<Option<String>, crate::config::ConfigError> {
    match env.get("LINKEDIN_VERSION") {
        Some(v) if v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(v.to_owned())),
        Some(v) => Err(crate::config::ConfigError::Invalid {
            name: "LINKEDIN_VERSION".into(),
            problem: format!("expected YYYYMM, got {v:?}"),
        }),
        None => Ok(None),
    }
}

pub struct LinkedIn {
    http: reqwest::Client,
    api_url: String,
    auth_url: String,
    /// The versioned base (`https://api.linkedin.com/rest`) and the version it is called with.
    rest_url: String,
    version: String,
    tokens: Mutex<HashMap<String, CachedToken>>,
    /// Calls made since [`LinkedIn::take_calls`] last took them, by tenant (`shared::budget`).
    calls: Mutex<BTreeMap<String, Calls>>,
}

struct CachedToken {
    value: String,
    refresh_at: Instant,
}

impl std::fmt::Debug for LinkedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkedIn")
            .field("api_url", &self.api_url)
            .field("auth_url", &self.auth_url)
            .finish()
    }
}

impl LinkedIn {
    /// `api_url` is e.g. `https://api.linkedin.com/v2`; `auth_url` e.g.
    /// `https://www.linkedin.com/oauth/v2` (the token endpoint is `<auth_url>/accessToken`).
    pub fn new(api_url: impl Into<String>, auth_url: impl Into<String>) -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::LinkedInUnavailable(format!("cannot build HTTP client: {e}")))?;
        Ok(Self {
            http,
            rest_url: String::new(),
            version: DEFAULT_LINKEDIN_VERSION.to_owned(),
            api_url: api_url.into().trim_end_matches('/').to_owned(),
            auth_url: auth_url.into().trim_end_matches('/').to_owned(),
            tokens: Mutex::new(HashMap::new()),
            calls: Mutex::new(BTreeMap::new()),
        }
        .with_rest(None, None))
    }

    /// The versioned `/rest` base and `LinkedIn-Version`; by default the API URL with its
    /// trailing `/v2` replaced by `/rest`, and [`DEFAULT_LINKEDIN_VERSION`].
    pub fn with_rest(mut self, rest_url: Option<String>, version: Option<String>) -> Self {
        self.rest_url = match rest_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => match self.api_url.strip_suffix("/v2") {
                Some(base) => format!("{base}/rest"),
                None => format!("{}/rest", self.api_url),
            },
        };
        if let Some(v) = version {
            self.version = v;
        }
        self
    }

    /// The export a notification announced, or `None` if LinkedIn has no such request.
    pub async fn exported_candidate(
        &self,
        creds: &LinkedInCredentials,
        request_id: &str,
        now_ms: i64,
    ) -> Result<Option<ProfileExport>> {
        let q = Query::new()
            .param("q", "request")
            .param("requestId", request_id);
        let page: wire::Elements<wire::ExportElement> =
            self.get(creds, Base::V2, "/exportedCandidates", &q).await?;
        page.elements
            .into_iter()
            .next()
            .map(|e| e.into_export(request_id, now_ms))
            .transpose()
    }

    /// The integration changes an `INTEGRATION_STATUS_CHANGE` notification announced.
    pub async fn integration_changes(
        &self,
        creds: &LinkedInCredentials,
        request_id: &str,
    ) -> Result<Vec<wire::IntegrationStatus>> {
        let q = Query::new()
            .param("q", "request")
            .param("requestId", request_id);
        let page: wire::Elements<wire::IntegrationStatus> =
            self.get(creds, Base::V2, "/atsIntegrations", &q).await?;
        Ok(page.elements)
    }

    /// InMails the seat sent or received with `start <= createdAt < end` (one page).
    pub async fn inmails(
        &self,
        creds: &LinkedInCredentials,
        seat: &str,
        window: (i64, i64),
        page: Paging,
    ) -> Result<ActivityPage<wire::InMailElement>> {
        let q = Query::new()
            .param("q", "criteria")
            .param("viewer", seat)
            .param("timeRange.start", &window.0.to_string())
            .param("timeRange.end", &window.1.to_string())
            .param("start", &page.start.to_string())
            .param("count", &page.count.to_string());
        self.finder(creds, Base::V2, "/conversationEvents", &q)
            .await
    }

    /// Notes of the seat with `from <= lastModified < to` (one page). LinkedIn's bounds are an
    /// exclusive `cutoffDate` and an inclusive `beforeDate`, so they are shifted by 1 ms here.
    pub async fn notes(
        &self,
        creds: &LinkedInCredentials,
        contract: &str,
        seat: &str,
        window: (i64, i64),
        page: Paging,
    ) -> Result<ActivityPage<wire::NoteElement>> {
        let q = Query::new()
            .param("q", "criteria")
            .param("contract", contract)
            .param("owners", seat)
            .param("cutoffDate", &(window.0 - 1).to_string())
            .param("beforeDate", &(window.1 - 1).to_string())
            .param("start", &page.start.to_string())
            .param("count", &page.count.to_string());
        self.finder(creds, Base::V2, "/prospectNotes", &q).await
    }

    /// Contact details members shared with the seat, `start <= created < end` (one page).
    pub async fn stubs(
        &self,
        creds: &LinkedInCredentials,
        contract: &str,
        seat: &str,
        window: (i64, i64),
        page: Paging,
    ) -> Result<ActivityPage<wire::StubElement>> {
        let q = Query::new()
            .param("q", "contract")
            .param("contract", contract)
            .param("owners", seat)
            .param("createdDateStart", &window.0.to_string())
            .param("createdDateEnd", &window.1.to_string())
            .param("start", &page.start.to_string())
            .param("count", &page.count.to_string());
        self.finder(creds, Base::V2, "/mailStubs", &q).await
    }

    /// The cheapest call that tells whether LinkedIn still serves a contract: one seat of it.
    /// `Ok` when it answers normally; `Err(IntegrationInactive)` when the contract is expired or
    /// its integration off.
    pub async fn probe_contract(&self, creds: &LinkedInCredentials, contract: &str) -> Result<()> {
        self.seats(creds, contract, Paging::first(1))
            .await
            .map(|_| ())
    }

    /// One page of the members whose profiles were closed after they were exported to the
    /// customer (LinkedIn asks that this is read at least every 30 days). Documented only under
    /// the versioned base; the finder and its parameters are (unverified).
    pub async fn purged_candidates(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        page: Paging,
    ) -> Result<ActivityPage<wire::PurgedElement>> {
        let q = Query::new()
            .param("q", "integrationContext")
            .param("integrationContext", organization)
            .param("start", &page.start.to_string())
            .param("count", &page.count.to_string());
        self.finder(creds, Base::Rest, "/atsPurgedExportedCandidates", &q)
            .await
    }

    /// One page of a contract's seats, in every state (`start` is mandatory for this finder).
    pub async fn seats(
        &self,
        creds: &LinkedInCredentials,
        contract: &str,
        page: Paging,
    ) -> Result<ActivityPage<wire::SeatElement>> {
        let q = Query::new()
            .param("q", "attributes")
            .param("contracts", contract)
            .param("start", &page.start.to_string())
            .param("count", &page.count.to_string());
        self.finder(creds, Base::V2, "/seatsV2", &q).await
    }

    async fn finder<T: DeserializeOwned>(
        &self,
        creds: &LinkedInCredentials,
        base: Base,
        path: &str,
        query: &Query,
    ) -> Result<ActivityPage<T>> {
        let page: wire::Elements<serde_json::Value> = self.get(creds, base, path, query).await?;
        Ok(ActivityPage::decode(page))
    }

    /// The full URL of a resource, with its query in LinkedIn's spelling.
    fn url(&self, base: Base, path: &str, query: &Query) -> String {
        let root = match base {
            Base::V2 => &self.api_url,
            Base::Rest => &self.rest_url,
        };
        if query.is_empty() {
            format!("{root}{path}")
        } else {
            format!("{root}{path}?{}", query.as_str())
        }
    }

    /// A GET with the customer's token; a 401 (token revoked or expired early) gets one retry
    /// with a fresh token. GETs carry no `x-restli-method` (a GET with `ids` is a batch get).
    async fn get<T: DeserializeOwned>(
        &self,
        creds: &LinkedInCredentials,
        base: Base,
        path: &str,
        query: &Query,
    ) -> Result<T> {
        let url = self.url(base, path, query);
        for attempt in 0..2 {
            let token = self.token(creds).await?;
            let mut request = self.http.get(&url).bearer_auth(&token);
            if base == Base::Rest {
                request = request.header("LinkedIn-Version", &self.version);
            }
            self.count(creds, path);
            let resp = request
                .send()
                .await
                .map_err(|e| Error::LinkedInUnavailable(transport_error(path, &e)))?;
            if resp.status() == StatusCode::UNAUTHORIZED && attempt == 0 {
                self.forget_token(&creds.client_id);
                continue;
            }
            let resp = check(path, resp).await?;
            return resp
                .json::<T>()
                .await
                .map_err(|e| Error::LinkedInContract(format!("{path}: {e}")));
        }
        unreachable!("the loop returns on its second attempt")
    }

    async fn token(&self, creds: &LinkedInCredentials) -> Result<String> {
        if let Some(t) = self.lock().get(&creds.client_id)
            && Instant::now() < t.refresh_at
        {
            return Ok(t.value.clone());
        }
        let path = "/accessToken";
        let resp = self
            .http
            .post(format!("{}{}", self.auth_url, path))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", creds.client_id.as_str()),
                ("client_secret", creds.client_secret.as_str()),
            ])
            .send()
            .await
            .map_err(|e| Error::LinkedInUnavailable(transport_error(path, &e)))?;
        let token: wire::TokenResponse = check(path, resp)
            .await?
            .json()
            .await
            .map_err(|e| Error::LinkedInContract(format!("token answer: {e}")))?;
        let lifetime = Duration::from_secs(token.expires_in);
        let refresh_at =
            Instant::now() + lifetime.saturating_sub(TOKEN_REFRESH_MARGIN.min(lifetime / 2));
        self.lock().insert(
            creds.client_id.clone(),
            CachedToken {
                value: token.access_token.clone(),
                refresh_at,
            },
        );
        Ok(token.access_token)
    }

    /// Counts a call with `creds` against its tenant's day (the token endpoint is not counted:
    /// it is not one of the APIs the daily limit covers).
    fn count(&self, creds: &LinkedInCredentials, path: &str) {
        if creds.tenant_id.is_empty() {
            return;
        }
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        calls
            .entry(creds.tenant_id.clone())
            .or_default()
            .add(CallKind::of_path(path), 1);
    }

    /// The calls counted since the last take, by tenant; the count starts again from zero.
    pub fn take_calls(&self) -> BTreeMap<String, Calls> {
        std::mem::take(&mut *self.calls.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn forget_token(&self, client_id: &str) {
        self.lock().remove(client_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CachedToken>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn transport_error(path: &str, e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    format!("{path}: {what}")
}

/// Turns a non-2xx answer into the matching error.
async fn check(path: &str, resp: reqwest::Response) -> Result<reqwest::Response> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body: wire::ErrorBody = resp.json().await.unwrap_or_default();
    let message = format!("{path}: {}", body.message.unwrap_or_default());
    Err(match status.as_u16() {
        429 => Error::Throttled { retry_after },
        500..=599 => Error::LinkedInUnavailable(format!("{message} (status {status})")),
        403 if body.service_error_code == Some(INACTIVE_SERVICE_ERROR_CODE) => {
            Error::IntegrationInactive(message)
        }
        s => Error::LinkedInRejected {
            status: s,
            service_error_code: body.service_error_code,
            message,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(
        raw: Vec<serde_json::Value>,
        paging: serde_json::Value,
    ) -> ActivityPage<wire::NoteElement> {
        let page: wire::Elements<serde_json::Value> =
            serde_json::from_value(serde_json::json!({"elements": raw, "paging": paging})).unwrap();
        ActivityPage::decode(page)
    }

    #[test]
    fn one_malformed_element_is_kept_as_it_came() {
        let bad = serde_json::json!({"id": 2, "member": "urn:li:person:b", "active": true});
        let got = page(
            vec![
                serde_json::json!({"id": 1, "member": "urn:li:person:a", "active": true, "created": 1, "lastModified": 2}),
                bad.clone(),
            ],
            serde_json::json!({"start": 0, "count": 2}),
        );
        assert_eq!(
            (got.elements.len(), got.malformed.len(), got.returned),
            (1, 1, 2)
        );
        assert_eq!(got.malformed[0].raw, bad);
        assert!(
            got.malformed[0].reason.contains("created"),
            "{:?}",
            got.malformed
        );
    }

    #[test]
    fn a_short_page_ends_the_walk_only_when_paging_agrees() {
        let one = || {
            vec![
                serde_json::json!({"id": 1, "member": "urn:li:person:a", "active": true, "created": 1, "lastModified": 2}),
            ]
        };
        let first = Paging::first(50);
        assert_eq!(
            first.next(&page(one(), serde_json::json!({"start": 0, "count": 50}))),
            None
        );
        assert_eq!(
            first.next(&page(
                one(),
                serde_json::json!({"start": 0, "count": 50, "total": 80})
            )),
            Some(Paging {
                start: 1,
                count: 50
            })
        );
        assert_eq!(
            first.next(&page(
                one(),
                serde_json::json!({"start": 0, "count": 1, "links": [{"rel": "next", "href": "x"}]})
            )),
            Some(Paging {
                start: 1,
                count: 50
            })
        );
        let full = Paging::first(1);
        assert_eq!(
            full.next(&page(one(), serde_json::json!({}))),
            Some(Paging { start: 1, count: 1 })
        );
        assert_eq!(
            full.next(&page(Vec::new(), serde_json::json!({"total": 9}))),
            None
        );
    }
}
