//! The HTTP API, as API Gateway would deliver it: every route of every function on one port,
//! turned into payload-v2 events (route key, path parameters, decoded query, base64 for
//! binary bodies) and back.
//!
//! Admin routes and schedules need credentials in place of IAM: [`session`] checks them and signs
//! browsers in.

mod session;

pub use session::random_token;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use aws_lambda_events::encodings::Body as LambdaBody;
use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::functions::Function;
use session::{Credentials, login, login_form};

/// API Gateway's own payload limit for HTTP APIs.
const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

pub struct Route {
    pub method: String,
    pub path: String,
    /// Needs the admin token (the template's AWS_IAM authorization).
    pub authorized: bool,
    pub function: Arc<Function>,
}

pub struct Gateway {
    pub routes: Vec<Route>,
    pub schedules: Vec<(String, crate::Schedule)>,
    /// Stands in for IAM locally: admin routes and schedules need `Authorization: Bearer
    /// <admin_token>`, or a browser session opened with it at `/_local/login`.
    pub admin_token: String,
    /// The ids of the browser sessions opened at `/_local/login`: random, never the token, and
    /// forgotten when the stack stops.
    pub sessions: Mutex<HashSet<String>>,
    /// The stack's table, where the stand-in candidate page finds a candidate's tenant.
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub table: String,
}

/// The local stand-in for the ATS's candidate page (the template's `CandidatePageUrl`, which
/// LinkedIn receives as `externalProfileUrl`): it redirects to the admin API's candidate.
pub const CANDIDATE_PAGE: &str = "/_local/candidates/{candidateId}";

/// `GET /_local/candidates/{candidateId}`: finds the candidate's tenant (a scan: local tables are
/// small, and this route exists only here) and redirects to `/tenants/{t}/candidates/{c}`.
async fn candidate_page(State(gw): State<Arc<Gateway>>, Path(id): Path<String>) -> Response {
    use aws_sdk_dynamodb::types::AttributeValue;
    let mut start = None;
    loop {
        let page = gw
            .dynamodb
            .scan()
            .table_name(&gw.table)
            .filter_expression("sk = :c AND candidateId = :id")
            .expression_attribute_values(":c", AttributeValue::S("CANDIDATE".into()))
            .expression_attribute_values(":id", AttributeValue::S(id.clone()))
            .set_exclusive_start_key(start)
            .send()
            .await;
        let page = match page {
            Ok(p) => p,
            Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
        };
        if let Some(tenant) = page
            .items()
            .iter()
            .find_map(|item| item.get("tenantId")?.as_s().ok().cloned())
        {
            let to = format!("/tenants/{tenant}/candidates/{id}");
            let mut resp = StatusCode::SEE_OTHER.into_response();
            if let Ok(l) = axum::http::HeaderValue::from_str(&to) {
                resp.headers_mut().insert(axum::http::header::LOCATION, l);
            }
            return resp;
        }
        match page.last_evaluated_key() {
            Some(k) if !k.is_empty() => start = Some(k.clone()),
            _ => return (StatusCode::NOT_FOUND, "no such candidate").into_response(),
        }
    }
}

pub fn router(gateway: Arc<Gateway>) -> axum::Router {
    axum::Router::new()
        .route(
            "/_local/schedules/{name}",
            axum::routing::post(fire_schedule),
        )
        .route("/_local/login", axum::routing::get(login_form).post(login))
        .route(CANDIDATE_PAGE, axum::routing::get(candidate_page))
        .fallback(dispatch)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_PAYLOAD))
        .with_state(gateway)
}

/// `POST /_local/schedules/{name}`: runs a scheduled function now. It acts for every tenant, so
/// it needs the admin token, as a bearer token only.
async fn fire_schedule(
    State(gw): State<Arc<Gateway>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = gw.refuse_unauthorized(&headers, Credentials::TokenOnly) {
        return refused;
    }
    match gw.schedules.iter().find(|(n, _)| *n == name) {
        Some((_, schedule)) => match schedule.fire().await {
            Ok(result) => (
                StatusCode::OK,
                axum::Json(serde_json::json!({"fired": name, "result": result})),
            )
                .into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(serde_json::json!({"fired": name, "error": e})),
            )
                .into_response(),
        },
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"message": "no such schedule"})),
        )
            .into_response(),
    }
}

/// Matches `/a/{x}/b` against a path; returns the decoded path parameters.
fn matches(template: &str, path: &str) -> Option<BTreeMap<String, String>> {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    if t.len() != p.len() {
        return None;
    }
    let mut params = BTreeMap::new();
    for (ts, ps) in t.iter().zip(&p) {
        if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if ps.is_empty() {
                return None;
            }
            params.insert(name.to_owned(), percent_decode(ps, false));
        } else if ts != ps {
            return None;
        }
    }
    Some(params)
}

pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_text(headers: &HeaderMap) -> bool {
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    ct.is_empty()
        || ct.starts_with("text/")
        || ct.contains("json")
        || ct.contains("xml")
        || ct.contains("x-www-form-urlencoded")
        || ct.contains("javascript")
}

async fn dispatch(
    State(gw): State<Arc<Gateway>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let found = gw.routes.iter().find_map(|r| {
        let method_ok = r.method == "ANY" || r.method == method.as_str();
        matches(&r.path, &path)
            .filter(|_| method_ok)
            .map(|params| (r, params))
    });
    let Some((route, params)) = found else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"message": "Not Found"})),
        )
            .into_response();
    };
    if route.authorized
        && let Some(refused) = gw.refuse_unauthorized(&headers, Credentials::TokenOrSession)
    {
        return refused;
    }
    let route_key = format!("{} {}", route.method, route.path);
    let raw_query = uri.query().unwrap_or("").to_owned();
    let mut query: BTreeMap<String, String> = BTreeMap::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (percent_decode(k, true), percent_decode(v, true));
        query
            .entry(k)
            .and_modify(|e| {
                e.push(',');
                e.push_str(&v)
            })
            .or_insert(v);
    }
    let mut header_map: BTreeMap<String, String> = BTreeMap::new();
    // API Gateway tells the function how the client reached it; locally that is plain HTTP.
    header_map.insert("x-forwarded-proto".into(), "http".into());
    for (name, value) in &headers {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        header_map
            .entry(name.as_str().to_owned())
            .and_modify(|e| {
                e.push(',');
                e.push_str(&v)
            })
            .or_insert(v);
    }
    let text = is_text(&headers) && std::str::from_utf8(&body).is_ok();
    let (body_field, base64) = if body.is_empty() {
        (serde_json::Value::Null, false)
    } else if text {
        (
            serde_json::Value::String(String::from_utf8_lossy(&body).into_owned()),
            false,
        )
    } else {
        (serde_json::Value::String(STANDARD.encode(&body)), true)
    };
    let now = chrono::Utc::now();
    let event = serde_json::json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": raw_query,
        "headers": header_map,
        "queryStringParameters": if query.is_empty() { serde_json::Value::Null } else { serde_json::to_value(&query).unwrap_or_default() },
        "pathParameters": if params.is_empty() { serde_json::Value::Null } else { serde_json::to_value(&params).unwrap_or_default() },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost"),
            "domainPrefix": "local",
            "http": {
                "method": method.as_str(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent").and_then(|h| h.to_str().ok()).unwrap_or(""),
            },
            "requestId": uuid_like(),
            "routeKey": route_key,
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "body": body_field,
        "isBase64Encoded": base64,
    });
    let request: ApiGatewayV2httpRequest = match serde_json::from_value(event) {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("local gateway could not build the event: {e}"),
            )
                .into_response();
        }
    };
    let Some(resp) = route.function.http(request).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "function does not take HTTP events",
        )
            .into_response();
    };
    let mut out = Response::builder()
        .status(StatusCode::from_u16(resp.status_code as u16).unwrap_or(StatusCode::BAD_GATEWAY));
    for (name, value) in &resp.headers {
        out = out.header(name, value);
    }
    let bytes = match resp.body {
        Some(LambdaBody::Text(t)) if resp.is_base64_encoded => {
            STANDARD.decode(t).unwrap_or_default()
        }
        Some(LambdaBody::Text(t)) => t.into_bytes(),
        Some(LambdaBody::Binary(b)) => b,
        _ => Vec::new(),
    };
    out.body(Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("local-{:012}", NEXT.fetch_add(1, Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_matching() {
        let p = matches(
            "/tenants/{tenantId}/jobs/{jobId}",
            "/tenants/acme/jobs/j%2F1",
        )
        .unwrap();
        assert_eq!(p["tenantId"], "acme");
        assert_eq!(p["jobId"], "j/1");
        assert!(matches("/tenants/{tenantId}", "/tenants/acme/jobs").is_none());
        assert!(matches("/tenants/{tenantId}", "/tenants/").is_none());
    }

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%20b+c", true), "a b c");
        assert_eq!(percent_decode("a+b%", false), "a+b%");
        assert_eq!(percent_decode("%zz", false), "%zz");
    }
}
