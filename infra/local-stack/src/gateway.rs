//! The HTTP API, as API Gateway would deliver it: every route of every function on one port,
//! turned into payload-v2 events (route key, path parameters, decoded query, base64 for
//! binary bodies) and back.

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

/// A fresh local admin token (when `ADMIN_TOKEN` does not choose one), from the OS generator.
pub fn random_token() -> String {
    shared::ids::random_hex()
}

/// The cookie a browser holds its session id in, after signing in at `/_local/login`.
const SESSION_COOKIE: &str = "rsc_session";

/// The credentials a local route takes in place of IAM.
#[derive(Clone, Copy, PartialEq)]
enum Credentials {
    /// The admin routes: the bearer token, or a browser session (the integration page). The admin
    /// function itself refuses a change made with the session cookie but without the page's
    /// CSRF token.
    TokenOrSession,
    /// `/_local/schedules`: the bearer token only. No page fires schedules, and a session cookie
    /// would let any page on another port of this host (the same site) fire one with a form.
    TokenOnly,
}

impl Gateway {
    /// API Gateway refuses a request to an IAM-authorized route before the function sees it: no
    /// credentials is 401, wrong ones 403. Locally the credentials are `Authorization: Bearer
    /// <admin token>` or, where `accepted` allows, the cookie of a session opened at
    /// `/_local/login`. Anything else in `Authorization`, a bare token included, is no
    /// credentials at all.
    fn refuse_unauthorized(&self, headers: &HeaderMap, accepted: Credentials) -> Option<Response> {
        let session = session_cookie(headers).filter(|_| accepted == Credentials::TokenOrSession);
        let valid = if let Some(token) = bearer_token(headers) {
            constant_time_eq(token.as_bytes(), self.admin_token.as_bytes())
        } else if let Some(id) = session {
            self.sessions.lock().is_ok_and(|s| s.contains(id))
        } else {
            let message = match accepted {
                Credentials::TokenOrSession => {
                    "admin routes need credentials; locally send Authorization: Bearer \
                     <ADMIN_TOKEN>, or sign a browser in at /_local/login"
                }
                Credentials::TokenOnly => {
                    "firing a schedule needs Authorization: Bearer <ADMIN_TOKEN> (a browser \
                     session is not enough)"
                }
            };
            return Some(refusal(StatusCode::UNAUTHORIZED, "unauthorized", message));
        };
        (!valid).then(|| {
            refusal(
                StatusCode::FORBIDDEN,
                "forbidden",
                "the credentials are not valid for this API",
            )
        })
    }

    /// Opens a browser session: a random id the cookie carries instead of the token.
    fn open_session(&self) -> String {
        let id = shared::ids::random_hex();
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.insert(id.clone());
        }
        id
    }
}

fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({"error": code, "message": message})),
    )
        .into_response()
}

/// The token of `Authorization: Bearer <token>` (the scheme in any case, RFC 7235); `None` for
/// any other value.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("Bearer") && !token.is_empty()).then_some(token)
}

fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == SESSION_COOKIE).then_some(value.trim())
        })
}

/// `GET /_local/login?next=/tenants/acme/integration`: a form to paste the admin token into, so
/// the token never travels in a URL (where history, logs and referrers would keep it). A `token`
/// in the query is ignored. (In AWS, whatever signs requests for IAM does this part.)
async fn login_form(uri: Uri) -> Response {
    let mut next = String::new();
    let mut token_in_url = false;
    for pair in uri.query().unwrap_or("").split('&') {
        match pair.split_once('=').unwrap_or((pair, "")) {
            ("next", v) => next = percent_decode(v, true),
            ("token", _) => token_in_url = true,
            _ => {}
        }
    }
    let note = if token_in_url {
        "The admin token in the address was ignored: tokens are not accepted in URLs."
    } else {
        ""
    };
    login_page(StatusCode::OK, &same_host_path(next), note)
}

#[derive(serde::Deserialize)]
struct LoginForm {
    token: String,
    #[serde(default)]
    next: String,
}

/// `POST /_local/login` with `token=<admin token>&next=<path>` (form-encoded): opens a session,
/// puts its random id in an HttpOnly, SameSite=Strict cookie and goes on to `next`. The admin
/// function sees the cookie unchanged, so it can tie per-session values (a CSRF token) to the id.
async fn login(
    State(gw): State<Arc<Gateway>>,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let next = same_host_path(form.next);
    if !constant_time_eq(form.token.trim().as_bytes(), gw.admin_token.as_bytes()) {
        return login_page(
            StatusCode::FORBIDDEN,
            &next,
            "That is not this local stack's admin token (the stack prints it at start-up).",
        );
    }
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
        gw.open_session()
    );
    let location = axum::http::HeaderValue::from_str(&next)
        .unwrap_or_else(|_| axum::http::HeaderValue::from_static("/"));
    let mut resp = StatusCode::SEE_OTHER.into_response();
    let headers = resp.headers_mut();
    if let Ok(c) = axum::http::HeaderValue::from_str(&cookie) {
        headers.insert(axum::http::header::SET_COOKIE, c);
    }
    headers.insert(axum::http::header::LOCATION, location);
    resp
}

/// The sign-in form: no script, no style, posting only to this origin.
fn login_page(status: StatusCode, next: &str, note: &str) -> Response {
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("<p role=\"alert\">{}</p>\n", html_escape(note))
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <title>Sign in: local stack</title></head>\n<body>\n<h1>Sign in to the local stack</h1>\n\
         {note}<form method=\"post\" action=\"/_local/login\">\n\
         <label for=\"token\">Admin token</label>\n\
         <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" required autofocus>\n\
         <input type=\"hidden\" name=\"next\" value=\"{}\">\n\
         <button type=\"submit\">Sign in</button>\n</form>\n\
         <p>The stack prints its admin token at start-up (set ADMIN_TOKEN to choose it).</p>\n\
         </body>\n</html>\n",
        html_escape(next)
    );
    (
        status,
        [
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
            (axum::http::header::CACHE_CONTROL, "no-store"),
            (axum::http::header::REFERRER_POLICY, "no-referrer"),
        ],
        html,
    )
        .into_response()
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Only a path on this host, never an open redirect: anything else becomes `/`.
fn same_host_path(next: String) -> String {
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && !next.chars().any(|c| c == '\\' || c.is_control());
    if safe { next } else { "/".to_owned() }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
    fn login_goes_only_to_paths_on_this_host() {
        let ok = "/tenants/acme/integration".to_owned();
        assert_eq!(same_host_path(ok.clone()), ok);
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil",
            "/a\r\nSet-Cookie: x",
            "",
        ] {
            assert_eq!(same_host_path(bad.to_owned()), "/", "{bad:?}");
        }
    }

    const TOKEN: &str = "the-admin-token";

    /// A gateway with no schedules and one admin route, `/tenants/{tenantId}/probe`, which the
    /// admin function answers 404 (no such route of its own) once the gateway lets a request
    /// through; served on a free port. Answers the gateway and its base URL.
    async fn serve() -> (Arc<Gateway>, String) {
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("local"))
            .build();
        let clients = shared::aws::Clients::new(&sdk);
        let env = shared::config::Env::from_map(
            [
                ("TABLE_NAME", "table"),
                ("SECRET_PREFIX", "rsc/"),
                ("BACKFILL_QUEUE_URL", "http://127.0.0.1:9/backfill"),
                ("ATS_CHANGES_QUEUE_URL", "http://127.0.0.1:9/changes"),
                ("LINKEDIN_API_URL", "http://127.0.0.1:9/v2"),
                ("LINKEDIN_AUTH_URL", "http://127.0.0.1:9/oauth"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        );
        let admin = Function::build("admin-api", &env, &clients, shared::clock::system()).unwrap();
        let gw = Arc::new(Gateway {
            routes: ["GET", "POST"]
                .into_iter()
                .map(|method| Route {
                    method: method.to_owned(),
                    path: "/tenants/{tenantId}/probe".to_owned(),
                    authorized: true,
                    function: admin.clone(),
                })
                .collect(),
            schedules: Vec::new(),
            admin_token: TOKEN.to_owned(),
            sessions: Mutex::default(),
            dynamodb: clients.dynamodb.clone(),
            table: String::new(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = router(gw.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (gw, base)
    }

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    async fn send(req: reqwest::RequestBuilder, headers: &[(&str, &str)]) -> (u16, String) {
        let req = headers
            .iter()
            .fold(req, |req, (name, value)| req.header(*name, *value));
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let body: serde_json::Value = resp.json().await.unwrap_or_default();
        (
            status,
            body["error"].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// The status of firing a schedule nobody defined, with the given headers: 404 means the
    /// credentials were accepted.
    async fn fire(base: &str, headers: &[(&str, &str)]) -> u16 {
        let req = client().post(format!("{base}/_local/schedules/NoSuchFunction"));
        send(req, headers).await.0
    }

    /// Status and error code of `GET` on the admin probe route: `not_found` comes from the admin
    /// function, so the gateway let the request through.
    async fn admin(base: &str, headers: &[(&str, &str)]) -> (u16, String) {
        send(client().get(format!("{base}/tenants/acme/probe")), headers).await
    }

    /// Signs in through the form; answers the `name=value` of the session cookie.
    async fn sign_in(base: &str) -> String {
        let resp = client()
            .post(format!("{base}/_local/login"))
            .form(&[("token", TOKEN), ("next", "/tenants/acme/integration")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        let set_cookie = resp.headers()["set-cookie"].to_str().unwrap();
        set_cookie.split(';').next().unwrap().to_owned()
    }

    #[tokio::test]
    async fn schedules_need_the_admin_token() {
        let (_, base) = serve().await;
        assert_eq!(fire(&base, &[]).await, 401);
        assert_eq!(fire(&base, &[("authorization", "Bearer wrong")]).await, 403);
        let right = format!("Bearer {TOKEN}");
        assert_eq!(fire(&base, &[("authorization", &right)]).await, 404);
        // A browser session is not enough: any page on this host could post a form there.
        let session = sign_in(&base).await;
        assert_eq!(fire(&base, &[("cookie", &session)]).await, 401);
    }

    #[tokio::test]
    async fn authorization_must_be_a_bearer_token() {
        let (_, base) = serve().await;
        let other_scheme = format!("Basic {TOKEN}");
        for value in [TOKEN, &other_scheme, "Bearer ", "Bearer"] {
            assert_eq!(
                fire(&base, &[("authorization", value)]).await,
                401,
                "{value}"
            );
            let refused = admin(&base, &[("authorization", value)]).await;
            assert_eq!(refused, (401, "unauthorized".to_owned()), "{value}");
        }
        // The scheme is case-insensitive (RFC 7235).
        let lower = format!("bearer {TOKEN}");
        assert_eq!(fire(&base, &[("authorization", &lower)]).await, 404);
        let through = admin(&base, &[("authorization", &lower)]).await;
        assert_eq!(through, (404, "not_found".to_owned()));
        let wrong = admin(&base, &[("authorization", "Bearer wrong")]).await;
        assert_eq!(wrong, (403, "forbidden".to_owned()));
    }

    #[tokio::test]
    async fn signing_in_by_form_opens_a_session_that_is_not_the_token() {
        let (gw, base) = serve().await;
        let form = client()
            .get(format!(
                "{base}/_local/login?next=/tenants/acme/integration"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 200);
        let html = form.text().await.unwrap();
        assert!(html.contains(r#"<form method="post" action="/_local/login">"#));
        assert!(html.contains(r#"name="next" value="/tenants/acme/integration""#));
        assert!(!html.contains("<script"));

        let wrong = client()
            .post(format!("{base}/_local/login"))
            .form(&[("token", "wrong"), ("next", "/tenants/acme/integration")])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 403);
        assert!(wrong.headers().get("set-cookie").is_none());

        let signed_in = client()
            .post(format!("{base}/_local/login"))
            .form(&[("token", TOKEN), ("next", "/tenants/acme/integration")])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), 303);
        assert_eq!(signed_in.headers()["location"], "/tenants/acme/integration");
        let set_cookie = signed_in.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(!set_cookie.contains(TOKEN), "{set_cookie}");
        assert!(set_cookie.contains("; Path=/; HttpOnly; SameSite=Strict"));
        let (cookie, _) = set_cookie.split_once(';').unwrap();
        let id = cookie.strip_prefix("rsc_session=").unwrap();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));

        assert_eq!(gw.sessions.lock().unwrap().len(), 1);

        // The session stands in for the bearer token on admin routes.
        assert_eq!(admin(&base, &[]).await, (401, "unauthorized".to_owned()));
        let with_session = format!("theme=dark; {cookie}");
        assert_eq!(
            admin(&base, &[("cookie", &with_session)]).await,
            (404, "not_found".to_owned())
        );
    }

    /// The admin function ties its CSRF token to the session id, so the gateway hands it the
    /// cookie and the `x-csrf-token` header as they came.
    #[tokio::test]
    async fn the_session_cookie_and_csrf_header_reach_the_admin_function() {
        let (_, base) = serve().await;
        let cookie = sign_in(&base).await;
        let id = cookie.strip_prefix("rsc_session=").unwrap();
        let post = || client().post(format!("{base}/tenants/acme/probe"));
        let json = ("content-type", "application/json");
        let without = send(post().body("{}"), &[json, ("cookie", &cookie)]).await;
        assert_eq!(without, (403, "csrf_token_invalid".to_owned()));
        let csrf = admin_api::guard::csrf_token(id);
        let with = send(
            post().body("{}"),
            &[json, ("cookie", &cookie), ("x-csrf-token", &csrf)],
        )
        .await;
        assert_eq!(with, (404, "not_found".to_owned()));
    }

    #[tokio::test]
    async fn a_token_in_the_login_url_does_not_sign_in() {
        let (gw, base) = serve().await;
        let resp = client()
            .get(format!(
                "{base}/_local/login?token={TOKEN}&next=/tenants/acme/integration"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "the form, not a redirect");
        assert!(resp.headers().get("set-cookie").is_none());
        assert!(!resp.text().await.unwrap().contains(TOKEN));
        assert!(gw.sessions.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn an_unknown_session_is_refused() {
        let (_, base) = serve().await;
        sign_in(&base).await;
        let forbidden = (403, "forbidden".to_owned());
        let unknown = admin(&base, &[("cookie", "rsc_session=0123abcd")]).await;
        assert_eq!(unknown, forbidden);
        // Nor is the admin token itself a session, in the new cookie or in the old one.
        let with_token = format!("rsc_session={TOKEN}");
        assert_eq!(admin(&base, &[("cookie", &with_token)]).await, forbidden);
        let old = format!("rsc_admin={TOKEN}");
        let old = admin(&base, &[("cookie", &old)]).await;
        assert_eq!(old, (401, "unauthorized".to_owned()));
    }

    #[tokio::test]
    async fn the_login_form_escapes_next_and_keeps_it_on_this_host() {
        let (_, base) = serve().await;
        let html = client()
            .get(format!(
                "{base}/_local/login?next=%2Fx%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E"
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains(r#"value="/x&quot;&gt;&lt;script&gt;alert(1)"#));
        let html = client()
            .get(format!("{base}/_local/login?next=https://evil.example/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(r#"name="next" value="/""#));
    }

    #[test]
    fn admin_tokens_are_fresh() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

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
