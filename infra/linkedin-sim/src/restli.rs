//! LinkedIn's Rest.li protocol 1.0 dialect, as its Postman collection speaks it (collection):
//!
//! - query parameters may repeat (`?ids=STAGE001&ids=STAGE002`), so a query is a list of pairs;
//! - a compound key in a query: `ids[0].atsCandidateId=c-1&ids[0].dataProvider=ATS&
//!   ids[0].integrationContext=urn:li:organization:7&ids[1]...` (brackets literal or
//!   percent-encoded);
//! - the same key in a body's `entities` map or a path segment:
//!   `atsCandidateId=c-1&dataProvider=ATS&integrationContext=urn:li:organization:7`, fields in any
//!   order, values percent-decoded (`%3A` and `:` are the same);
//! - `x-restli-method` on writes only (`batch_create`, `batch_update`, `batch_partial_update`).
//!
//! Rest.li 2.0 syntax (`List(a,b)`, `(field:value,..)` keys) is refused with 400, and so is a
//! request announcing `X-Restli-Protocol-Version: 2.x`: without that header LinkedIn reads a
//! request as 1.0, and this simulator speaks only 1.0.

use std::collections::BTreeMap;

use axum::{
    Json,
    extract::FromRequestParts,
    http::request::Parts,
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};

use crate::Sim;
use crate::api::{ApiErr, bad};

/// A decoded query, repeated parameters kept in order.
pub(crate) type Query = Vec<(String, String)>;

/// Decodes `application/x-www-form-urlencoded` text (a URL query or a form): `+` is a space,
/// `%XX` a byte; a malformed escape stays as it is.
pub(crate) fn parse_query(input: &str) -> Query {
    input
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub(crate) fn percent_decode(s: &str) -> String {
    let s = s.as_bytes();
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => {
                let hex = std::str::from_utf8(&s[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A value as it goes into a 1.0 key string: `:` literal as in the collection; `&`, `=`, `%`,
/// control characters and non-ASCII percent-encoded, so that the string splits unambiguously.
pub(crate) fn encode_key_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if matches!(b, b'&' | b'=' | b'%') || !(0x20..0x7f).contains(&b) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

/// Every value of a (possibly repeated) parameter.
pub(crate) fn values<'a>(query: &'a Query, name: &str) -> Vec<&'a str> {
    query
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The parameter's value; 400 when it is repeated.
pub(crate) fn single<'a>(query: &'a Query, name: &str) -> Result<Option<&'a str>, ApiErr> {
    match values(query, name).as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(bad(format!(
            "Query parameter {name} is given more than once"
        ))),
    }
}

/// A required, non-empty, single parameter (trimmed).
pub(crate) fn required<'a>(query: &'a Query, name: &str) -> Result<&'a str, ApiErr> {
    match single(query, name)?.map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(bad(format!("Missing query parameter {name}"))),
    }
}

/// A required list parameter, 1.0 style: the parameter repeated (`owners=a&owners=b`). A comma
/// does not separate items in 1.0, so a value holding one is refused rather than misread.
pub(crate) fn required_list(query: &Query, name: &str) -> Result<Vec<String>, ApiErr> {
    let items = optional_list(query, name)?;
    if items.is_empty() {
        return Err(bad(format!("Missing query parameter {name}")));
    }
    Ok(items)
}

/// [`required_list`], empty when the parameter is absent. Duplicates are dropped.
pub(crate) fn optional_list(query: &Query, name: &str) -> Result<Vec<String>, ApiErr> {
    let mut items: Vec<String> = Vec::new();
    for value in values(query, name) {
        let value = value.trim();
        if value.contains(',') {
            return Err(bad(format!(
                "Query parameter {name}={value:?}: Rest.li 1.0 repeats the parameter for each \
                 item ({name}=a&{name}=b)"
            )));
        }
        if !value.is_empty() && !items.iter().any(|i| i == value) {
            items.push(value.to_string());
        }
    }
    Ok(items)
}

/// Whether a value is written in Rest.li 2.0 syntax: `List(..)` or a `(..)` record/key.
fn is_restli_2(value: &str) -> bool {
    value.starts_with("List(") || (value.starts_with('(') && value.ends_with(')'))
}

fn refuse_2_0(what: &str) -> ApiErr {
    bad(format!(
        "{what} is Rest.li 2.0 syntax; this API reads requests as Rest.li protocol 1.0 (repeat \
         a parameter for a list; write a compound key as ids[0].field=value in a query and \
         field=value&field=value in a body or path)"
    ))
}

/// The Rest.li side of a request: its decoded query and its `x-restli-method`. Extracting it
/// answers 400 for Rest.li 2.0 (the protocol header, or 2.0 syntax in a query value).
pub(crate) struct Restli {
    pub query: Query,
    pub method: Option<String>,
}

impl FromRequestParts<Sim> for Restli {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, _: &Sim) -> Result<Self, Self::Rejection> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .map(|v| v.to_str().unwrap_or("<not text>").trim().to_string())
        };
        if let Some(version) = header("x-restli-protocol-version")
            && !version.starts_with("1.")
        {
            return Err(bad(format!(
                "X-Restli-Protocol-Version {version} is not served: this API speaks Rest.li \
                 protocol 1.0 (send no X-Restli-Protocol-Version header)"
            )));
        }
        let query = parse_query(parts.uri.query().unwrap_or(""));
        if let Some((name, value)) = query.iter().find(|(_, v)| is_restli_2(v)) {
            return Err(refuse_2_0(&format!("Query parameter {name}={value}")));
        }
        Ok(Restli {
            query,
            method: header("x-restli-method"),
        })
    }
}

impl Restli {
    /// A write must name its Rest.li method.
    pub fn expect_method(&self, expected: &str) -> Result<(), ApiErr> {
        match &self.method {
            Some(found) if found.eq_ignore_ascii_case(expected) => Ok(()),
            Some(found) => Err(bad(format!(
                "x-restli-method must be {expected}, got {found:?}"
            ))),
            None => Err(bad(format!(
                "Missing header x-restli-method (expected {expected})"
            ))),
        }
    }

    /// A GET with `ids` is a batch get: no method header needed, `batch_get` tolerated.
    pub fn expect_batch_get(&self) -> Result<(), ApiErr> {
        match &self.method {
            None => Ok(()),
            Some(_) => self.expect_method("batch_get"),
        }
    }

    /// The simple ids of a batch call: `ids=a&ids=b` (each value is one id, commas included).
    pub fn simple_ids(&self, max: usize) -> Result<Vec<String>, ApiErr> {
        if self.query.iter().any(|(k, _)| k.starts_with("ids[")) {
            return Err(bad("This resource has simple keys: ids=<id>&ids=<id>"));
        }
        let ids: Vec<String> = values(&self.query, "ids")
            .into_iter()
            .map(str::to_string)
            .collect();
        if ids.is_empty() {
            return Err(bad("Missing query parameter ids"));
        }
        if ids.len() > max {
            return Err(too_many(ids.len(), max));
        }
        Ok(ids)
    }

    /// The compound keys of a batch call, by index:
    /// `ids[i].<field>=..` (all other parameters ignored); at most `max`.
    pub fn compound_ids(&self, max: usize) -> Result<Vec<KeyFields>, ApiErr> {
        if !values(&self.query, "ids").is_empty() {
            return Err(bad(
                "This resource has compound keys: ids[0].<field>=<value>&ids[0].<field>=..",
            ));
        }
        let mut by_index: BTreeMap<usize, KeyFields> = BTreeMap::new();
        for (name, value) in &self.query {
            let Some(rest) = name.strip_prefix("ids[") else {
                continue;
            };
            let (index, field) = rest
                .split_once("].")
                .and_then(|(i, f)| Some((i.parse::<usize>().ok()?, f)))
                .filter(|(_, f)| !f.is_empty())
                .ok_or_else(|| bad(format!("Query parameter {name} is not ids[<n>].<field>")))?;
            let fields = by_index.entry(index).or_default();
            if fields.insert(field.to_string(), value.clone()).is_some() {
                return Err(bad(format!("Query parameter {name} is given twice")));
            }
        }
        if by_index.is_empty() {
            return Err(bad("Missing query parameters ids[0].<field>"));
        }
        if by_index.len() > max {
            return Err(too_many(by_index.len(), max));
        }
        Ok(by_index.into_values().collect())
    }
}

pub(crate) fn too_many(records: usize, max: usize) -> ApiErr {
    bad(format!(
        "A batch holds at most {max} records, got {records}"
    ))
}

/// The decoded fields of a compound key.
pub(crate) type KeyFields = BTreeMap<String, String>;

/// Parses a compound key as written in a body's `entities` map or a (decoded) path segment:
/// `field=value&field=value`, values percent-decoded once.
pub(crate) fn parse_key(text: &str) -> Result<KeyFields, ApiErr> {
    if is_restli_2(text) {
        return Err(refuse_2_0(&format!("Key {text}")));
    }
    let mut fields = KeyFields::new();
    for part in text.split('&') {
        let (name, raw) = part
            .split_once('=')
            .filter(|(n, _)| !n.is_empty())
            .ok_or_else(|| bad(format!("{part:?} in key {text:?} is not <field>=<value>")))?;
        if fields
            .insert(percent_decode(name), percent_decode(raw))
            .is_some()
        {
            return Err(bad(format!("Key {text:?} names {name} twice")));
        }
    }
    Ok(fields)
}

/// A key string in the 1.0 body form, fields in the given order (the order the collection writes
/// them in), values encoded by [`encode_key_value`].
pub(crate) fn key_string(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{name}={}", encode_key_value(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The body as JSON, or a whole-request 400.
pub(crate) fn json_body(body: &[u8]) -> Result<Value, ApiErr> {
    serde_json::from_slice(body).map_err(|e| bad(format!("Malformed JSON body: {e}")))
}

/// The `entities` map of a batch_update or batch_partial_update body (at most `max`), by key as
/// spelt.
pub(crate) fn entities(body: &[u8], max: usize) -> Result<Map<String, Value>, ApiErr> {
    let Value::Object(entities) = json_body(body)?
        .get_mut("entities")
        .map(Value::take)
        .unwrap_or_default()
    else {
        return Err(bad("The body must be {\"entities\": {\"<key>\": {...}}}"));
    };
    if entities.len() > max {
        return Err(too_many(entities.len(), max));
    }
    Ok(entities)
}

/// The `elements` list of a batch_create body (at most `max`).
pub(crate) fn elements(body: &[u8], max: usize) -> Result<Vec<Value>, ApiErr> {
    let Value::Array(elements) = json_body(body)?
        .get_mut("elements")
        .map(Value::take)
        .unwrap_or_default()
    else {
        return Err(bad("The body must be {\"elements\": [...]}"));
    };
    if elements.len() > max {
        return Err(too_many(elements.len(), max));
    }
    Ok(elements)
}

/// The `$set` fields of a batch_partial_update entity: `{"patch": {"$set": {..}}}`.
pub(crate) fn patch_set(entity: &Value) -> Result<&Map<String, Value>, String> {
    entity
        .get("patch")
        .and_then(|p| p.get("$set"))
        .and_then(Value::as_object)
        .ok_or_else(|| "the entity must be {\"patch\": {\"$set\": {...}}}".to_string())
}

/// The per-key answer of a batch call:
/// `{"results": {"<key>": {..}}, "errors": {"<key>": {"status", "message"}}}`.
#[derive(Default)]
pub(crate) struct BatchAnswer {
    pub results: Map<String, Value>,
    pub errors: Map<String, Value>,
}

impl BatchAnswer {
    pub fn ok(&mut self, key: String, result: Value) {
        self.results.insert(key, result);
    }

    pub fn error(&mut self, key: String, status: u16, message: impl Into<String>) {
        self.errors
            .insert(key, json!({ "status": status, "message": message.into() }));
    }
}

impl IntoResponse for BatchAnswer {
    fn into_response(self) -> Response {
        Json(json!({ "results": self.results, "errors": self.errors })).into_response()
    }
}
