//! `POST /oauth/v2/accessToken`: OAuth 2.0 client credentials (collection), form
//! `grant_type=client_credentials&client_id=..&client_secret=..`; answers `access_token` and
//! `expires_in`. The form is read whatever the `Content-Type` (the collection's partner request
//! announces `text/plain`).

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::Sim;
use crate::restli::parse_query;
use crate::state::{Token, now_ms};

/// OAuth error shape: `{"error": "...", "error_description": "..."}`
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

pub(crate) async fn access_token(State(sim): State<Sim>, body: Bytes) -> Response {
    let form = parse_query(&String::from_utf8_lossy(&body));
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match field("grant_type") {
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
    let client_id = field("client_id").unwrap_or("");
    let secret = field("client_secret").unwrap_or("");
    let ttl = sim.inner.config.token_ttl_secs;
    let mut state = sim.state();
    let ok = state.secret_of(client_id) == Some(secret);
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

pub(crate) async fn method_not_allowed() -> Response {
    oauth_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        "use POST",
    )
}

pub(crate) async fn not_found() -> Response {
    oauth_error(StatusCode::NOT_FOUND, "not_found", "Unknown OAuth endpoint")
}
