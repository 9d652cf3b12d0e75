//! What a state-changing admin request must show besides its credentials, against cross-site
//! request forgery (docs/security.md, "Admin API").
//!
//! In AWS the admin routes take SigV4-signed requests, which a browser never sends on its own;
//! but the integration page may be served behind something that signs for a browser session (a
//! proxy, or the local stack's login), and then the session's cookie is ambient authority. So a
//! POST, PUT or DELETE is refused when:
//! - its `Origin` (or `Sec-Fetch-Site`) says another site or origin sent it: a page on another
//!   port of the same host is same-site, so `SameSite` cookies alone do not stop it;
//! - it carries a body that is not JSON: an HTML form can send only form encodings or text, and
//!   a cross-origin script cannot send JSON without a preflight this API never approves;
//! - it carries the session cookie without the CSRF token bound to that session, which only
//!   the page served to that session knows.

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use sha2::{Digest, Sha256};
use shared::http::{self, Refusal};

/// The cookie that names a browser's session where one signs requests for a browser (the
/// local stack's `/_local/login` sets it). Its value is a random session id, never a credential
/// this API checks itself.
pub const SESSION_COOKIE: &str = "rsc_session";

/// The header the page's script sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The CSRF token of a session: a hash of its id, which the browser keeps in an HttpOnly cookie
/// that no other page can read. It is only as secret as the session id, which is random.
pub fn csrf_token(session: &str) -> String {
    hex::encode(Sha256::digest(format!("csrf-token:{session}")))
}

/// The session id in the request's cookies, if any.
pub fn session(req: &ApiGatewayV2httpRequest) -> Option<String> {
    // API Gateway's v2 payload puts cookies in `cookies`; a plain `Cookie` header is read too.
    let from_header = req
        .headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::to_owned);
    req.cookies
        .iter()
        .flatten()
        .cloned()
        .chain(from_header)
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name.trim() == SESSION_COOKIE && !value.trim().is_empty())
                .then(|| value.trim().to_owned())
        })
}

/// Refuses a state-changing request that another site could have made a browser send.
pub fn check(req: &ApiGatewayV2httpRequest) -> Result<(), Refusal> {
    if !matches!(
        http::method(req).as_str(),
        "POST" | "PUT" | "DELETE" | "PATCH"
    ) {
        return Ok(());
    }
    same_origin(req)?;
    json_body(req)?;
    if let Some(session) = session(req) {
        let given = http::header(req, CSRF_HEADER).unwrap_or_default();
        if !shared::ids::constant_time_eq(given.as_bytes(), csrf_token(&session).as_bytes()) {
            return Err(Refusal::new(
                403,
                "csrf_token_invalid",
                "a request made with the session cookie must carry the page's CSRF token in \
                 the x-csrf-token header",
            ));
        }
    }
    Ok(())
}

fn same_origin(req: &ApiGatewayV2httpRequest) -> Result<(), Refusal> {
    let foreign = |why: &str| {
        Refusal::new(
            403,
            "foreign_origin",
            format!("state-changing requests are accepted from this API's own origin only ({why})"),
        )
    };
    if let Some(site) = http::header(req, "sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return Err(foreign("Sec-Fetch-Site is not same-origin"));
    }
    let Some(origin) = http::header(req, "origin") else {
        // Not sent by a browser (or by one for a same-origin GET-like navigation).
        return Ok(());
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .filter(|a| !a.contains('/'));
    let host = http::header(req, "host").or(req.request_context.domain_name.as_deref());
    match (authority, host) {
        (Some(a), Some(h)) if a.eq_ignore_ascii_case(h) => Ok(()),
        _ => Err(foreign("the Origin header names another origin")),
    }
}

fn json_body(req: &ApiGatewayV2httpRequest) -> Result<(), Refusal> {
    let not_json = || {
        Refusal::new(
            415,
            "unsupported_media_type",
            "request bodies must be JSON, sent with Content-Type: application/json",
        )
    };
    match http::header(req, "content-type") {
        Some(ct) => {
            let essence = ct.split(';').next().unwrap_or("").trim();
            if essence.eq_ignore_ascii_case("application/json") {
                Ok(())
            } else {
                Err(not_json())
            }
        }
        None if req.body.as_deref().is_none_or(str::is_empty) => Ok(()),
        None => Err(not_json()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        method: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> ApiGatewayV2httpRequest {
        let headers: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
            .collect();
        serde_json::from_value(serde_json::json!({
            "version": "2.0", "routeKey": format!("{method} /tenants/{{tenantId}}"),
            "rawPath": "/tenants/acme", "headers": headers,
            "requestContext": {"http": {"method": method, "path": "/tenants/acme"},
                               "domainName": "api.example"},
            "body": body, "isBase64Encoded": false,
        }))
        .unwrap()
    }

    fn refused(req: &ApiGatewayV2httpRequest) -> Option<(u16, &'static str)> {
        check(req).err().map(|e| (e.status, e.code))
    }

    const JSON: (&str, &str) = ("content-type", "application/json");

    #[test]
    fn a_foreign_origin_is_refused() {
        let host = ("host", "api.example");
        for origin in [
            "http://api.example:8080",
            "https://evil.example",
            "null",
            "https://api.example.evil.example",
        ] {
            let req = request("POST", &[host, JSON, ("origin", origin)], Some("{}"));
            assert_eq!(refused(&req), Some((403, "foreign_origin")), "{origin}");
        }
        let same_site = request(
            "PUT",
            &[host, JSON, ("sec-fetch-site", "same-site")],
            Some("{}"),
        );
        assert_eq!(refused(&same_site), Some((403, "foreign_origin")));
        let own = request(
            "POST",
            &[
                host,
                JSON,
                ("origin", "https://api.example"),
                ("sec-fetch-site", "same-origin"),
            ],
            Some("{}"),
        );
        assert_eq!(refused(&own), None);
        // Reads are never refused for their origin.
        let read = request("GET", &[host, ("origin", "https://evil.example")], None);
        assert_eq!(refused(&read), None);
    }

    #[test]
    fn only_json_bodies_are_accepted() {
        for ct in [
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data; boundary=x",
        ] {
            let req = request("POST", &[("content-type", ct)], Some("a=b"));
            assert_eq!(refused(&req), Some((415, "unsupported_media_type")), "{ct}");
        }
        let untyped = request("PUT", &[], Some("{}"));
        assert_eq!(refused(&untyped), Some((415, "unsupported_media_type")));
        assert_eq!(refused(&request("DELETE", &[], None)), None);
        let charset = request(
            "PUT",
            &[("content-type", "application/json; charset=utf-8")],
            Some("{}"),
        );
        assert_eq!(refused(&charset), None);
    }

    #[test]
    fn the_session_cookie_needs_its_csrf_token() {
        let cookie = ("cookie", "theme=dark; rsc_session=s3ss10n");
        let without = request("POST", &[JSON, cookie], Some("{}"));
        assert_eq!(refused(&without), Some((403, "csrf_token_invalid")));
        let other = csrf_token("another-session");
        let wrong = request("POST", &[JSON, cookie, (CSRF_HEADER, &other)], Some("{}"));
        assert_eq!(refused(&wrong), Some((403, "csrf_token_invalid")));
        let token = csrf_token("s3ss10n");
        let right = request("POST", &[JSON, cookie, (CSRF_HEADER, &token)], Some("{}"));
        assert_eq!(refused(&right), None);
        assert_ne!(token, "s3ss10n", "the token is not the session id");
        // Without the cookie (a signed or bearer request) no token is needed.
        assert_eq!(refused(&request("POST", &[JSON], Some("{}"))), None);
    }
}
