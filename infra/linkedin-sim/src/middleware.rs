//! What happens around every LinkedIn call (`/oauth`, `/v2`, `/rest`): injected faults, then the
//! call log ([`crate::Sim::calls`]) and the sync request log ([`crate::Synced::requests`]).

use std::collections::BTreeMap;
use std::time::Duration;

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::api::{api_error, bad, bearer, default_service_code};
use crate::restli::{Query, parse_query};
use crate::state::now_ms;
use crate::{Call, FaultKind, Sim};

/// The largest body read (a sync batch of 100 records is far smaller).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The request headers kept in [`Call::headers`]; never `Authorization`.
const LOGGED_HEADERS: [&str; 4] = [
    "x-restli-method",
    "x-restli-protocol-version",
    "linkedin-version",
    "content-type",
];

fn is_under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether a path is LinkedIn's API (rather than a `/_sim` control route).
pub(crate) fn is_api(path: &str) -> bool {
    ["/oauth", "/v2", "/rest"].iter().any(|p| is_under(path, p))
}

fn logged_headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    LOGGED_HEADERS
        .iter()
        .filter_map(|name| {
            let value = headers.get(*name)?;
            Some((
                name.to_string(),
                value.to_str().unwrap_or("<not text>").to_string(),
            ))
        })
        .collect()
}

/// Applies a queued fault, runs the endpoint, then logs the call.
pub(crate) async fn faults_and_log(State(sim): State<Sim>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !is_api(&path) {
        return next.run(req).await;
    }
    let at_ms = now_ms();
    let method = req.method().clone();
    let raw_query = req.uri().query().unwrap_or("").to_string();
    let query = parse_query(&raw_query);
    let headers = logged_headers(req.headers());
    let (parts, body) = req.into_parts();
    let body = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => return bad(format!("Unreadable body: {e}")).into_response(),
    };
    let is_oauth = is_under(&path, "/oauth");
    let (client_id, logged_body) = if is_oauth {
        let form = parse_query(&String::from_utf8_lossy(&body));
        let client_id = form
            .iter()
            .find(|(k, _)| k == "client_id")
            .map(|(_, v)| v.clone());
        let keys: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
        (client_id, Some(keys.join("&")).filter(|k| !k.is_empty()))
    } else {
        let owner = bearer(&parts.headers).and_then(|t| sim.token_owner(t));
        let text = (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned());
        (owner, text)
    };
    let req = Request::from_parts(parts, Body::from(body.clone()));

    let response = match sim.take_fault(&path, &query) {
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
            resp
        }
        Some(FaultKind::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(req).await
        }
        None => next.run(req).await,
    };

    let status = response.status().as_u16();
    tracing::debug!(%method, %path, status, "api call");
    sim.record_sync_request(
        method.as_str(),
        &path,
        &query,
        &body,
        client_id.as_deref(),
        status,
        at_ms,
    );
    sim.state().calls.push(Call {
        method: method.to_string(),
        path,
        query: raw_query,
        client_id,
        status,
        at_ms,
        headers,
        body: logged_body,
    });
    response
}

impl Sim {
    /// Takes one use of the first queued fault matching the path and query.
    pub(crate) fn take_fault(&self, path: &str, query: &Query) -> Option<FaultKind> {
        let mut state = self.state();
        let i = state.faults.iter().position(|f| {
            f.times > 0
                && path.starts_with(&f.path_prefix)
                && f.query
                    .iter()
                    .all(|(k, v)| query.iter().any(|(qk, qv)| qk == k && qv == v))
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
    pub(crate) fn token_owner(&self, token: &str) -> Option<String> {
        self.state().tokens.get(token).map(|t| t.client_id.clone())
    }
}
