//! API Gateway (HTTP API, payload v2) requests and responses, shared by the HTTP functions.

use aws_lambda_events::encodings::Body;
use aws_lambda_events::event::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;
use http::header::CONTENT_TYPE;
use serde::Serialize;

use crate::error::Error;

/// A JSON response.
pub fn json<T: Serialize>(status: u16, value: &T) -> ApiGatewayV2httpResponse {
    let body = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
    let mut resp = ApiGatewayV2httpResponse::default();
    resp.status_code = i64::from(status);
    resp.headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp.body = Some(Body::Text(body));
    resp
}

/// An HTML page that is never cached or framed, under the given Content-Security-Policy.
pub fn html(status: u16, body: String, content_security_policy: &str) -> ApiGatewayV2httpResponse {
    let mut resp = ApiGatewayV2httpResponse::default();
    resp.status_code = i64::from(status);
    let headers = [
        ("content-type", "text/html; charset=utf-8"),
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("content-security-policy", content_security_policy),
    ];
    for (name, value) in headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            resp.headers.insert(name, v);
        }
    }
    resp.body = Some(Body::Text(body));
    resp
}

/// An empty response.
pub fn empty(status: u16) -> ApiGatewayV2httpResponse {
    let mut resp = ApiGatewayV2httpResponse::default();
    resp.status_code = i64::from(status);
    resp
}

/// The error body every route uses: a stable machine-readable `error` and a sentence for people.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub error: &'a str,
    pub message: String,
}

pub fn error(status: u16, code: &str, message: impl Into<String>) -> ApiGatewayV2httpResponse {
    json(
        status,
        &ErrorBody {
            error: code,
            message: message.into(),
        },
    )
}

/// What an HTTP function's handler answers: a response, or a request it refuses.
pub type Answer = Result<ApiGatewayV2httpResponse, Refusal>;

/// A refused request: status, stable code, and a sentence saying what is wrong. Both HTTP
/// functions answer every refusal with it, as an [`ErrorBody`].
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 `invalid_request`: the request can never succeed as it is.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_request", message)
    }

    /// 404 `not_found`: something the request names does not exist.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(404, "not_found", what)
    }

    /// 409 `conflict`: the request clashes with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "conflict", message)
    }

    /// 503 `unavailable`: a dependency failed. The failure is logged here; the caller only
    /// learns to retry, in `message` (each function words it for its own callers).
    pub fn unavailable(err: &Error, message: &str) -> Self {
        tracing::error!(error.kind = err.kind(), error = %err, "dependency failed");
        Self::new(503, "unavailable", message)
    }

    /// The response that says so.
    pub fn into_response(self) -> ApiGatewayV2httpResponse {
        error(self.status, self.code, self.message)
    }
}

/// A shared error as a refusal: bad input and missing things are the caller's to fix; anything
/// else is a dependency that failed.
impl From<Error> for Refusal {
    fn from(err: Error) -> Self {
        match err {
            Error::Invalid(m) => Refusal::invalid(m),
            Error::NotFound(m) => Refusal::not_found(m),
            other => Refusal::unavailable(&other, "a dependency failed; retry later"),
        }
    }
}

/// Why a request body could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    TooLarge { limit: usize },
    BadBase64,
}

/// The raw body bytes, decoding API Gateway's base64 when it used it, refusing more than `limit`.
pub fn raw_body(req: &ApiGatewayV2httpRequest, limit: usize) -> Result<Vec<u8>, BodyError> {
    let Some(body) = req.body.as_deref() else {
        return Ok(Vec::new());
    };
    if req.is_base64_encoded {
        // Base64 is 4/3 of the decoded size: refuse early without decoding a huge body.
        if body.len() > limit.div_ceil(3) * 4 + 4 {
            return Err(BodyError::TooLarge { limit });
        }
        let bytes = STANDARD.decode(body).map_err(|_| BodyError::BadBase64)?;
        if bytes.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        Ok(bytes)
    } else if body.len() > limit {
        Err(BodyError::TooLarge { limit })
    } else {
        Ok(body.as_bytes().to_vec())
    }
}

/// The HTTP method of the request.
pub fn method(req: &ApiGatewayV2httpRequest) -> &http::Method {
    &req.request_context.http.method
}

/// A path parameter (as matched by the route).
pub fn path_param<'a>(req: &'a ApiGatewayV2httpRequest, name: &str) -> Option<&'a str> {
    req.path_parameters.get(name).map(String::as_str)
}

/// A query-string parameter (the first value when repeated).
pub fn query_param<'a>(req: &'a ApiGatewayV2httpRequest, name: &str) -> Option<&'a str> {
    req.query_string_parameters.first(name)
}

/// A header, case-insensitively.
pub fn header<'a>(req: &'a ApiGatewayV2httpRequest, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Body text of a response, for tests and the local stack.
pub fn body_text(resp: &ApiGatewayV2httpResponse) -> String {
    match &resp.body {
        Some(Body::Text(t)) => t.clone(),
        Some(Body::Binary(b)) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(refusal: Refusal) -> (i64, String) {
        let resp = refusal.into_response();
        (resp.status_code, body_text(&resp))
    }

    #[test]
    fn a_shared_error_is_refused_as_the_callers_to_fix_or_as_unavailable() {
        assert_eq!(
            answered(Error::Invalid("limit must be a number".into()).into()),
            (
                400,
                r#"{"error":"invalid_request","message":"limit must be a number"}"#.into()
            )
        );
        assert_eq!(
            answered(Error::NotFound("no such seat".into()).into()),
            (
                404,
                r#"{"error":"not_found","message":"no such seat"}"#.into()
            )
        );
        let failed = Error::Aws {
            service: "DynamoDB",
            message: "secret detail".into(),
            retryable: true,
        };
        assert_eq!(
            answered(failed.into()),
            (
                503,
                r#"{"error":"unavailable","message":"a dependency failed; retry later"}"#.into()
            ),
            "what failed stays in the log"
        );
    }
}
