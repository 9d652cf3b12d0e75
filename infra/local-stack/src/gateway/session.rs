//! Credentials in place of IAM: the admin token as a bearer token, or a browser session opened
//! by pasting the token into the sign-in form at `/_local/login`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::{Gateway, percent_decode};

/// A fresh local admin token (when `ADMIN_TOKEN` does not choose one), from the OS generator.
pub fn random_token() -> String {
    shared::ids::random_hex()
}

/// The cookie a browser holds its session id in, after signing in at `/_local/login`.
const SESSION_COOKIE: &str = "rsc_session";

/// The credentials a local route takes in place of IAM.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Credentials {
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
    pub(super) fn refuse_unauthorized(
        &self,
        headers: &HeaderMap,
        accepted: Credentials,
    ) -> Option<Response> {
        let session = session_cookie(headers).filter(|_| accepted == Credentials::TokenOrSession);
        let valid = if let Some(token) = bearer_token(headers) {
            shared::ids::constant_time_eq(token.as_bytes(), self.admin_token.as_bytes())
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
pub(super) async fn login_form(uri: Uri) -> Response {
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
pub(super) struct LoginForm {
    token: String,
    #[serde(default)]
    next: String,
}

/// `POST /_local/login` with `token=<admin token>&next=<path>` (form-encoded): opens a session,
/// puts its random id in an HttpOnly, SameSite=Strict cookie and goes on to `next`. The admin
/// function sees the cookie unchanged, so it can tie per-session values (a CSRF token) to the id.
pub(super) async fn login(
    State(gw): State<Arc<Gateway>>,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let next = same_host_path(form.next);
    if !shared::ids::constant_time_eq(form.token.trim().as_bytes(), gw.admin_token.as_bytes()) {
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::functions::Function;
    use crate::gateway::{Route, router};

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
}
