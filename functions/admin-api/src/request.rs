//! Reading a request: its path ids, paging, JSON body, and the checks every field goes through.
//! Each refuses with the 400 (or 413) the API documents, naming the field.

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use shared::http::{self, BodyError, Refusal};
use shared::{Error, clock, ids};

/// Admin request bodies are small; anything larger is a mistake.
const MAX_BODY_BYTES: usize = 256 * 1024;
const DEFAULT_PAGE_SIZE: i32 = 50;

/// A path parameter, checked by `check` (which names the parameter in its refusal).
pub(crate) fn path(
    req: &ApiGatewayV2httpRequest,
    name: &str,
    check: impl Fn(&str, &str) -> Result<(), Error>,
) -> Result<String, Refusal> {
    let value = http::path_param(req, name).unwrap_or_default();
    check(name, value).map_err(|e| {
        Refusal::invalid(
            e.to_string()
                .trim_start_matches("invalid input: ")
                .to_owned(),
        )
    })?;
    Ok(value.to_owned())
}

/// The `{contractId}` of the path, as N (`urn:li:contract:N` is read as N).
pub(crate) fn contract_path(req: &ApiGatewayV2httpRequest) -> Result<String, Refusal> {
    ids::urn_number(
        "contract",
        http::path_param(req, "contractId").unwrap_or_default(),
    )
    .map_err(|_| Refusal::invalid("contractId must be N or urn:li:contract:N"))
}

/// The `{contractId}` and `{seatId}` of the path, each as N.
pub(crate) fn contract_and_seat(
    req: &ApiGatewayV2httpRequest,
) -> Result<(String, String), Refusal> {
    let contract = contract_path(req)?;
    let seat = ids::urn_number("seat", http::path_param(req, "seatId").unwrap_or_default())
        .map_err(|_| Refusal::invalid("seatId must be N or urn:li:seat:N"))?;
    Ok((contract, seat))
}

/// `limit` (1 to `MAX_PAGE_SIZE`, 50 when absent) and `nextToken` of a listing.
pub(crate) fn paging(req: &ApiGatewayV2httpRequest) -> Result<(i32, Option<&str>), Refusal> {
    let limit = match http::query_param(req, "limit") {
        None => DEFAULT_PAGE_SIZE,
        Some(l) => l
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=shared::store::MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| {
                Refusal::invalid(format!(
                    "limit must be a number from 1 to {}",
                    shared::store::MAX_PAGE_SIZE
                ))
            })?,
    };
    Ok((limit, http::query_param(req, "nextToken")))
}

/// The JSON object of the body; an empty body reads as `{}`.
pub(crate) fn body<T: DeserializeOwned>(req: &ApiGatewayV2httpRequest) -> Result<T, Refusal> {
    let bytes = http::raw_body(req, MAX_BODY_BYTES).map_err(|e| match e {
        BodyError::TooLarge { limit } => Refusal::new(
            413,
            "body_too_large",
            format!("request bodies are limited to {limit} bytes"),
        ),
        BodyError::BadBase64 => Refusal::invalid("the body is marked base64 but does not decode"),
    })?;
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".to_vec()
    } else {
        bytes
    };
    // An object, and nothing that merely deserializes like one: serde reads a JSON array as a
    // struct's fields in order, so `[]` would pass for `{}` with every optional field cleared.
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Refusal::invalid(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(Refusal::invalid("the body must be a JSON object"));
    }
    serde_json::from_value(value)
        .map_err(|e| Refusal::invalid(format!("the body is not valid: {e}")))
}

/// A nested struct field: only a JSON object deserializes into it (see [`body`]).
pub(crate) fn object<'de, D: serde::Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<T, D::Error> {
    use serde::de::Error as _;
    let value = serde_json::Value::deserialize(d)?;
    if !value.is_object() {
        return Err(D::Error::custom("expected a JSON object"));
    }
    serde_json::from_value(value).map_err(D::Error::custom)
}

/// A list of nested structs: only JSON objects deserialize into them (see [`body`]).
pub(crate) fn objects<'de, D: serde::Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    use serde::de::Error as _;
    let values = Vec::<serde_json::Value>::deserialize(d)?;
    if !values.iter().all(serde_json::Value::is_object) {
        return Err(D::Error::custom("expected a list of JSON objects"));
    }
    serde_json::from_value(serde_json::Value::Array(values)).map_err(D::Error::custom)
}

/// An absolute http(s) URL with a host and no credentials in it (a link people and LinkedIn
/// follow: never `javascript:` or `data:`).
pub(crate) fn http_url(field: &str, value: &str) -> Result<String, Refusal> {
    let ok = reqwest::Url::parse(value).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host_str().is_some_and(|h| !h.is_empty())
            && u.username().is_empty()
            && u.password().is_none()
    });
    if ok && !value.chars().any(char::is_whitespace) {
        Ok(value.to_owned())
    } else {
        Err(Refusal::invalid(format!(
            "{field} must be an absolute http(s) URL, got {:?}",
            ids::truncate(value, 60)
        )))
    }
}

/// An RFC 3339 date-time within `clock::DATE_RANGE`.
pub(crate) fn date(field: &str, value: &str) -> Result<i64, Refusal> {
    clock::from_rfc3339(value).ok_or_else(|| {
        Refusal::invalid(format!(
            "{field} must be an RFC 3339 date-time {}, got {:?}",
            clock::DATE_RANGE,
            ids::truncate(value, 40)
        ))
    })
}

/// A required, trimmed, non-empty text of at most `max` characters.
pub(crate) fn text(field: &str, value: &str, max: usize) -> Result<String, Refusal> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(Refusal::invalid(format!(
            "{field} must be 1 to {max} characters without control characters"
        )));
    }
    Ok(v.to_owned())
}

/// An optional text: trimmed, empty reads as absent, at most `max` characters, no control
/// characters.
pub(crate) fn optional_text(
    field: &str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, Refusal> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text(field, v, max).map(Some),
    }
}

/// A required, trimmed, non-empty text of at most `max` characters that may run over several
/// lines (notes, feedback): line breaks and tabs are kept, other control characters refused.
pub(crate) fn long_text(field: &str, value: &str, max: usize) -> Result<String, Refusal> {
    let v = value.trim();
    let allowed = |c: char| !c.is_control() || matches!(c, '\n' | '\r' | '\t');
    if v.is_empty() || v.chars().count() > max || !v.chars().all(allowed) {
        return Err(Refusal::invalid(format!(
            "{field} must be 1 to {max} characters without control characters other than \
             line breaks and tabs"
        )));
    }
    Ok(v.to_owned())
}
