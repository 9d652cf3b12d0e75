//! Record keys of the sync and how one record of a batch is judged.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{Map, Value, json};

use crate::api::{ApiErr, bad};
use crate::restli::{KeyFields, Restli, key_string, parse_key};
use crate::sync::MAX_SYNC_BATCH;

/// A candidate's or application's Rest.li compound key, decoded (`dataProvider` is always ATS).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RecordKey {
    pub id: String,
    pub organization: String,
}

impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {}", self.id, self.organization)
    }
}

impl RecordKey {
    /// Parses the 1.0 spelling of bodies and paths:
    /// `<idField>=<id>&dataProvider=ATS&integrationContext=urn:li:organization:N`, fields in any
    /// order, values percent-decoded.
    pub fn parse(text: &str, id_field: &str) -> Result<RecordKey, ApiErr> {
        RecordKey::from_fields(&parse_key(text)?, id_field)
            .map_err(|e| bad(format!("Key {text:?}: {e}")))
    }

    /// A key from its decoded fields: exactly `id_field`, `dataProvider` (ATS) and
    /// `integrationContext`.
    pub fn from_fields(fields: &KeyFields, id_field: &str) -> Result<RecordKey, String> {
        let allowed = [id_field, "dataProvider", "integrationContext"];
        if let Some(unknown) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!(
                "unknown key field {unknown} (expected {})",
                allowed.join(", ")
            ));
        }
        let id = fields
            .get(id_field)
            .ok_or_else(|| format!("{id_field} is missing"))?;
        check_ats_id(id_field, id)?;
        match fields.get("dataProvider").map(String::as_str) {
            Some("ATS") => {}
            Some(other) => return Err(format!("dataProvider must be ATS, got {other:?}")),
            None => return Err("dataProvider is missing".to_string()),
        }
        let organization = fields
            .get("integrationContext")
            .filter(|o| !o.is_empty())
            .ok_or_else(|| "integrationContext is missing".to_string())?;
        Ok(RecordKey {
            id: id.clone(),
            organization: organization.clone(),
        })
    }

    /// The key string of answers, fields in the collection's order:
    /// `<idField>=..&dataProvider=ATS&integrationContext=..`.
    pub fn spelled(&self, id_field: &str) -> String {
        key_string(&[
            (id_field, &self.id),
            ("dataProvider", "ATS"),
            ("integrationContext", &self.organization),
        ])
    }
}

/// The keys of a batch call's query, `ids[i].<idField>=..&ids[i].dataProvider=ATS&
/// ids[i].integrationContext=..`; at most [`MAX_SYNC_BATCH`].
pub(crate) fn query_keys(restli: &Restli, id_field: &str) -> Result<Vec<RecordKey>, ApiErr> {
    restli
        .compound_ids(MAX_SYNC_BATCH)?
        .iter()
        .enumerate()
        .map(|(i, fields)| {
            RecordKey::from_fields(fields, id_field).map_err(|e| bad(format!("ids[{i}]: {e}")))
        })
        .collect()
}

/// The entities of a body with their parsed keys.
pub(crate) fn keyed_entities(
    entities: Map<String, Value>,
    id_field: &str,
) -> Result<Vec<(RecordKey, Value)>, ApiErr> {
    entities
        .into_iter()
        .map(|(spelled, entity)| Ok((RecordKey::parse(&spelled, id_field)?, entity)))
        .collect()
}

/// The set of keys in the query must be the set of keys in the body.
pub(crate) fn same_keys<T: Ord + fmt::Display>(
    in_query: &BTreeSet<T>,
    in_body: &BTreeSet<T>,
) -> Result<(), ApiErr> {
    if in_query == in_body {
        return Ok(());
    }
    let show = |keys: Vec<&T>| {
        keys.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(bad(format!(
        "The ids in the query must be the keys of the body; only in the query: [{}]; \
         only in the body: [{}]",
        show(in_query.difference(in_body).collect()),
        show(in_body.difference(in_query).collect()),
    )))
}

/// The `entities` of a sub-resource batch keyed by simple ids (stages, notes, interview
/// feedback): each id an ATS id, and the body's ids exactly the query's repeated `ids`.
pub(crate) fn simple_keyed_entities(
    restli: &Restli,
    body: &[u8],
    what: &str,
) -> Result<Map<String, Value>, ApiErr> {
    let entities = crate::restli::entities(body, MAX_SYNC_BATCH)?;
    for id in entities.keys() {
        check_ats_id(what, id).map_err(bad)?;
    }
    let in_query: BTreeSet<String> = restli.simple_ids(MAX_SYNC_BATCH)?.into_iter().collect();
    let in_body: BTreeSet<String> = entities.keys().cloned().collect();
    same_keys(&in_query, &in_body)?;
    Ok(entities)
}

/// An ATS id as the project's wire rules allow it (`docs/outbound-sync.md`, not LinkedIn's):
/// `A-Z a-z 0-9 - _ .`, so that a client that forgets to escape one is caught here.
fn is_ats_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub(crate) fn check_ats_id(field: &str, id: &str) -> Result<(), String> {
    if is_ats_id(id) {
        Ok(())
    } else {
        Err(format!(
            "{field} {id:?} must be one or more of A-Z a-z 0-9 - _ ."
        ))
    }
}

/// Why one record of a batch is refused.
pub(crate) struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub fn invalid(message: impl Into<String>) -> Refusal {
        Refusal {
            status: 400,
            message: message.into(),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({ "status": self.status, "message": self.message })
    }
}

/// Judges one record: 403 when it names another organization than the caller's, 400 listing
/// every broken rule, 400 with the message of a rejection set for it; else accepted.
pub(crate) fn judge(
    organization: Option<&str>,
    caller: &str,
    problems: Vec<String>,
    rejection: Option<&String>,
) -> Result<(), Refusal> {
    if let Some(other) = organization.filter(|o| *o != caller) {
        return Err(Refusal {
            status: 403,
            message: format!(
                "integrationContext {other} is not the organization of the calling \
                 application ({caller})"
            ),
        });
    }
    if !problems.is_empty() {
        return Err(Refusal::invalid(problems.join("; ")));
    }
    match rejection {
        Some(message) => Err(Refusal::invalid(message.clone())),
        None => Ok(()),
    }
}
