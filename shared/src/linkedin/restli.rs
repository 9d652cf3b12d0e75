//! LinkedIn's Rest.li protocol 1.0 spelling of ids, the one dialect every request uses
//! (linkedin-rsc.md "Conventions"; source: LinkedIn's Postman collection throughout).
//!
//! We never send `X-Restli-Protocol-Version`, so LinkedIn reads each request as 1.0. A compound
//! key is spelt three ways from the same fields:
//! - in a query: `ids[0].atsCandidateId=c-1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:7`,
//! - as a key of a body's `entities` map and as a path segment:
//!   `atsCandidateId=c-1&dataProvider=ATS&integrationContext=urn:li:organization:7`;
//!
//! and several simple ids repeat the parameter: `ids=STAGE001&ids=STAGE002`. Values are escaped
//! so that they cannot break the key apart (`&`, `=`, `%`, spaces and non-ASCII are
//! percent-encoded); URNs keep their colons, as the collection writes them.

use std::fmt::Write;

/// One record's key: its fields in LinkedIn's order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompoundKey {
    fields: Vec<(&'static str, String)>,
}

impl CompoundKey {
    /// `<id_field>=<id>&dataProvider=ATS&integrationContext=<organization>`: the key of every ATS
    /// record LinkedIn holds (candidates, applications), in the collection's field order.
    pub fn ats_record(id_field: &'static str, id: &str, organization: &str) -> Self {
        Self {
            fields: vec![
                (id_field, id.to_owned()),
                ("dataProvider", "ATS".to_owned()),
                ("integrationContext", organization.to_owned()),
            ],
        }
    }

    /// A key from its fields, in the order given.
    pub fn of(fields: &[(&'static str, &str)]) -> Self {
        Self {
            fields: fields.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        }
    }

    /// The body-map and path-segment form: `a=1&b=2`.
    pub fn to_key_string(&self) -> String {
        let mut out = String::new();
        for (i, (name, value)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            out.push_str(&escape(value));
        }
        out
    }

    /// Whether an id string from LinkedIn's answer names this key. Answers may spell the key in
    /// another field order or escape more than we do, so both sides are compared as decoded
    /// field sets.
    pub fn matches(&self, answered: &str) -> bool {
        let mut theirs = parse_key(answered);
        let mut ours: Vec<(String, String)> = self
            .fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        theirs.sort();
        ours.sort();
        theirs == ours
    }
}

/// A query string built in LinkedIn's spelling, parameter by parameter, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    text: String,
}

impl Query {
    pub fn new() -> Self {
        Self::default()
    }

    /// One simple parameter (a finder's `q`, a URN, a number).
    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.push(name, value);
        self
    }

    /// A batch of compound keys: `ids[i].<field>=<value>` for each key and field.
    pub fn keys<'a>(mut self, keys: impl IntoIterator<Item = &'a CompoundKey>) -> Self {
        for (i, key) in keys.into_iter().enumerate() {
            for (name, value) in &key.fields {
                self.push(&format!("ids[{i}].{name}"), value);
            }
        }
        self
    }

    /// A batch of simple ids: the `ids` parameter repeated.
    pub fn ids<'a>(mut self, ids: impl IntoIterator<Item = &'a str>) -> Self {
        for id in ids {
            self.push("ids", id);
        }
        self
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn push(&mut self, name: &str, value: &str) {
        if !self.text.is_empty() {
            self.text.push('&');
        }
        self.text.push_str(name);
        self.text.push('=');
        self.text.push_str(&escape(value));
    }
}

/// Percent-encodes everything but unreserved characters and the colon of URNs.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Decodes `%XX` escapes (a malformed escape is kept as written).
pub fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded fields of a key string `a=1&b=2` (one level of escaping undone first when the
/// whole key arrives escaped, as `a%3D1%26b%3D2`).
fn parse_key(s: &str) -> Vec<(String, String)> {
    let s = if !s.contains('=') && s.contains('%') {
        unescape(s)
    } else {
        s.to_owned()
    };
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (unescape(k), unescape(v)),
            None => (unescape(pair), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate() -> CompoundKey {
        CompoundKey::ats_record("atsCandidateId", "c-1", "urn:li:organization:7")
    }

    #[test]
    fn key_forms_are_the_collections() {
        assert_eq!(
            candidate().to_key_string(),
            "atsCandidateId=c-1&dataProvider=ATS&integrationContext=urn:li:organization:7"
        );
        let q = Query::new().keys([&candidate(), &candidate()]);
        assert_eq!(
            q.as_str(),
            "ids[0].atsCandidateId=c-1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:7\
             &ids[1].atsCandidateId=c-1&ids[1].dataProvider=ATS&ids[1].integrationContext=urn:li:organization:7"
        );
        assert_eq!(
            Query::new().ids(["STAGE001", "STAGE002"]).as_str(),
            "ids=STAGE001&ids=STAGE002"
        );
    }

    #[test]
    fn values_cannot_break_a_key_apart() {
        let key = CompoundKey::ats_record("atsCandidateId", "a&b=c d%é", "urn:li:organization:7");
        assert_eq!(
            key.to_key_string(),
            "atsCandidateId=a%26b%3Dc%20d%25%C3%A9&dataProvider=ATS&integrationContext=urn:li:organization:7"
        );
        assert!(key.matches(&key.to_key_string()));
    }

    #[test]
    fn answers_match_in_any_order_or_escaping() {
        let key = candidate();
        assert!(key.matches(
            "integrationContext=urn%3Ali%3Aorganization%3A7&atsCandidateId=c-1&dataProvider=ATS"
        ));
        assert!(key.matches(
            "atsCandidateId%3Dc-1%26dataProvider%3DATS%26integrationContext%3Durn%253Ali%253Aorganization%253A7"
        ));
        assert!(!key.matches(
            "atsCandidateId=c-2&dataProvider=ATS&integrationContext=urn:li:organization:7"
        ));
        assert!(!key.matches(
            "(atsCandidateId:c-1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A7)"
        ));
    }
}
