//! LinkedIn's JSON, as documented in linkedin-rsc.md, one module per group of resources. Every
//! assumed field name lives in this directory, so a correction against a real sandbox touches it
//! only. Unknown fields are ignored; a missing required field is an error that names it. Each
//! field says where its name comes from: LinkedIn's Postman collection, the doc, or (unverified).

mod activity;
mod exports;
mod onboarding;
mod sync;

pub use activity::*;
pub use exports::*;
pub use onboarding::*;
pub use sync::*;

use serde::{Deserialize, Deserializer};

/// `{"elements": [...], "paging": {"start", "count", "total"?, "links"?}}` (collection, doc).
#[derive(Debug, Deserialize)]
pub struct Elements<T> {
    pub elements: Vec<T>,
    #[serde(default)]
    pub paging: Option<PagingInfo>,
}

/// The `paging` object of a finder's answer. A page is never taken as the last one because of
/// it alone: LinkedIn may return fewer elements than asked while more exist.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PagingInfo {
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default)]
    pub links: Vec<PagingLink>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PagingLink {
    #[serde(default)]
    pub rel: String,
}

impl PagingInfo {
    /// Whether LinkedIn says more elements follow a page that ended at `end` (exclusive).
    pub fn says_more_after(&self, end: usize) -> bool {
        self.total.is_some_and(|t| t > end as u64) || self.links.iter().any(|l| l.rel == "next")
    }
}

/// The OAuth token answer. `expires_in` has been seen both as a number and as a string.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(deserialize_with = "number_or_string")]
    pub expires_in: u64,
}

fn number_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        N(u64),
        S(String),
    }
    match Either::deserialize(d)? {
        Either::N(n) => Ok(n),
        Either::S(s) => s.trim().parse().map_err(serde::de::Error::custom),
    }
}

/// LinkedIn's error body (assumed shape).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(default)]
    pub service_error_code: Option<i64>,
    #[serde(default)]
    pub message: Option<String>,
}

/// An id LinkedIn sends as a string or a number.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum AnyId {
    Text(String),
    Number(i64),
}

impl AnyId {
    pub fn to_string_lossy(&self) -> String {
        match self {
            AnyId::Text(s) => s.clone(),
            AnyId::Number(n) => n.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_expiry_as_number_or_string() {
        let a: TokenResponse =
            serde_json::from_str(r#"{"access_token":"t","expires_in":1800}"#).unwrap();
        let b: TokenResponse =
            serde_json::from_str(r#"{"access_token":"t","expires_in":"1800"}"#).unwrap();
        assert_eq!((a.expires_in, b.expires_in), (1800, 1800));
    }
}
