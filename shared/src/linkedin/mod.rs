//! The LinkedIn RSC client: OAuth client credentials per customer with a token cache, and the
//! endpoints the functions call. Base URLs come from configuration; nothing here is hard-coded.

pub mod wire;
mod writes;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::domain::ProfileExport;
use crate::error::{Error, Result};
use crate::secrets::LinkedInCredentials;

pub use writes::{JobSubmission, MAX_BATCH, RecordOutcome};

/// LinkedIn answers 403 with this code when the contract is expired or the integration is off.
const INACTIVE_SERVICE_ERROR_CODE: i64 = 100;

/// A token is replaced this long before LinkedIn says it expires.
const TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(120);

/// One page of an offset-paged finder. The last page is the first with fewer than `count`
/// elements (LinkedIn's totals are not trusted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub start: usize,
    pub count: usize,
}

impl Paging {
    /// Page size used for every activity finder.
    pub const ACTIVITY_PAGE_SIZE: usize = 100;

    pub fn first() -> Self {
        Self {
            start: 0,
            count: Self::ACTIVITY_PAGE_SIZE,
        }
    }

    /// The next page after one that returned `returned` elements, or `None` at the end.
    pub fn next(self, returned: usize) -> Option<Self> {
        (returned >= self.count).then(|| Self {
            start: self.start + returned,
            count: self.count,
        })
    }
}

/// One page of an activity finder. Elements are decoded one by one, so a single malformed record
/// is reported (and skipped by the caller) instead of failing the page, which would otherwise
/// stop the seat's stream at that window for good.
#[derive(Debug)]
pub struct ActivityPage<T> {
    pub elements: Vec<T>,
    /// Why each undecodable element was refused.
    pub malformed: Vec<String>,
    /// Elements LinkedIn returned, decodable or not (what paging counts).
    pub returned: usize,
}

impl<T: DeserializeOwned> From<Vec<serde_json::Value>> for ActivityPage<T> {
    fn from(raw: Vec<serde_json::Value>) -> Self {
        let returned = raw.len();
        let (mut elements, mut malformed) = (Vec::with_capacity(returned), Vec::new());
        for value in raw {
            match serde_json::from_value(value) {
                Ok(e) => elements.push(e),
                Err(e) => malformed.push(e.to_string()),
            }
        }
        Self {
            elements,
            malformed,
            returned,
        }
    }
}

pub struct LinkedIn {
    http: reqwest::Client,
    api_url: String,
    auth_url: String,
    tokens: Mutex<HashMap<String, CachedToken>>,
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
            api_url: api_url.into().trim_end_matches('/').to_owned(),
            auth_url: auth_url.into().trim_end_matches('/').to_owned(),
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// The export a notification announced, or `None` if LinkedIn has no such request.
    pub async fn exported_candidate(
        &self,
        creds: &LinkedInCredentials,
        request_id: &str,
        now_ms: i64,
    ) -> Result<Option<ProfileExport>> {
        let page: wire::Elements<wire::ExportElement> = self
            .get(
                creds,
                "/exportedCandidates",
                &[("q", "request"), ("requestId", request_id)],
            )
            .await?;
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
        let page: wire::Elements<wire::IntegrationStatus> = self
            .get(
                creds,
                "/atsIntegrations",
                &[("q", "request"), ("requestId", request_id)],
            )
            .await?;
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
        let (start, end) = (window.0.to_string(), window.1.to_string());
        let (from, count) = (page.start.to_string(), page.count.to_string());
        let q = [
            ("q", "criteria"),
            ("viewer", seat),
            ("timeRange.start", &start),
            ("timeRange.end", &end),
            ("start", &from),
            ("count", &count),
        ];
        Ok(ActivityPage::from(
            self.get::<wire::Elements<serde_json::Value>>(creds, "/conversationEvents", &q)
                .await?
                .elements,
        ))
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
        let (cutoff, before) = ((window.0 - 1).to_string(), (window.1 - 1).to_string());
        let (from, count) = (page.start.to_string(), page.count.to_string());
        let q = [
            ("q", "criteria"),
            ("contract", contract),
            ("owners", seat),
            ("cutoffDate", &cutoff),
            ("beforeDate", &before),
            ("start", &from),
            ("count", &count),
        ];
        Ok(ActivityPage::from(
            self.get::<wire::Elements<serde_json::Value>>(creds, "/prospectNotes", &q)
                .await?
                .elements,
        ))
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
        let (start, end) = (window.0.to_string(), window.1.to_string());
        let (from, count) = (page.start.to_string(), page.count.to_string());
        let q = [
            ("q", "contract"),
            ("contract", contract),
            ("owners", seat),
            ("createdDateStart", &start),
            ("createdDateEnd", &end),
            ("start", &from),
            ("count", &count),
        ];
        Ok(ActivityPage::from(
            self.get::<wire::Elements<serde_json::Value>>(creds, "/mailStubs", &q)
                .await?
                .elements,
        ))
    }

    /// The cheapest call that tells whether LinkedIn still serves a contract: one seat of it.
    /// `Ok` when it answers normally; `Err(IntegrationInactive)` when the contract is expired or
    /// its integration off.
    pub async fn probe_contract(&self, creds: &LinkedInCredentials, contract: &str) -> Result<()> {
        let q = [
            ("q", "attributes"),
            ("contracts", contract),
            ("start", "0"),
            ("count", "1"),
        ];
        self.get::<wire::Elements<serde_json::Value>>(creds, "/seatsV2", &q)
            .await
            .map(|_| ())
    }

    /// One page of the members whose profiles were closed after they were exported to the
    /// customer (LinkedIn asks that this is read at least every 30 days).
    pub async fn purged_candidates(
        &self,
        creds: &LinkedInCredentials,
        organization: &str,
        page: Paging,
    ) -> Result<ActivityPage<wire::PurgedElement>> {
        let (from, count) = (page.start.to_string(), page.count.to_string());
        let q = [
            ("q", "integrationContext"),
            ("integrationContext", organization),
            ("start", &from),
            ("count", &count),
        ];
        Ok(ActivityPage::from(
            self.get::<wire::Elements<serde_json::Value>>(
                creds,
                "/atsPurgedExportedCandidates",
                &q,
            )
            .await?
            .elements,
        ))
    }

    /// One page of a contract's seats, in every state (`start` is mandatory for this finder).
    pub async fn seats(
        &self,
        creds: &LinkedInCredentials,
        contract: &str,
        page: Paging,
    ) -> Result<ActivityPage<wire::SeatElement>> {
        let (from, count) = (page.start.to_string(), page.count.to_string());
        let q = [
            ("q", "attributes"),
            ("contracts", contract),
            ("start", &from),
            ("count", &count),
        ];
        Ok(ActivityPage::from(
            self.get::<wire::Elements<serde_json::Value>>(creds, "/seatsV2", &q)
                .await?
                .elements,
        ))
    }

    /// A GET with the customer's token; a 401 (token revoked or expired early) gets one retry
    /// with a fresh token.
    async fn get<T: DeserializeOwned>(
        &self,
        creds: &LinkedInCredentials,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T> {
        let url = format!("{}{}", self.api_url, path);
        for attempt in 0..2 {
            let token = self.token(creds).await?;
            let resp = self
                .http
                .get(&url)
                .bearer_auth(&token)
                .query(query)
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

    #[test]
    fn one_malformed_element_does_not_sink_the_page() {
        let raw = vec![
            serde_json::json!({"id": 1, "member": "urn:li:person:a", "active": true, "created": 1, "lastModified": 2}),
            serde_json::json!({"id": 2, "member": "urn:li:person:b", "active": true}),
        ];
        let page: ActivityPage<wire::NoteElement> = raw.into();
        assert_eq!(
            (page.elements.len(), page.malformed.len(), page.returned),
            (1, 1, 2)
        );
        assert!(
            page.malformed[0].contains("created"),
            "{:?}",
            page.malformed
        );
        assert_eq!(Paging::first().next(page.returned), None);
        let full = Paging { start: 0, count: 2 };
        assert_eq!(full.next(2), Some(Paging { start: 2, count: 2 }));
    }
}
