//! Candidates (collection, "Sync Candidates"), `/v2/atsCandidates?ids[i]...`:
//!
//! - `PUT` (`batch_update`): the candidates, entities keyed by
//!   `atsCandidateId=..&dataProvider=ATS&integrationContext=..`;
//! - `POST` (`batch_partial_update`) with
//!   `{"entities": {"<key>": {"patch": {"$set": {"manualMatchedMember": "urn:li:person:X"}}}}}`:
//!   attaches the exported member (stored in [`crate::Synced::matched_members`]; LinkedIn's
//!   demands on the candidate existing first are unverified, so none are made);
//! - `GET` (batch get, "Retrieve Candidate Matches"): the stored candidates, with
//!   `manualMatchedMember` when one is attached (unverified shape);
//! - `DELETE` (batch delete).

use std::collections::BTreeSet;

use axum::{
    body::Bytes,
    extract::State,
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::Sim;
use crate::api::{ApiErr, Caller};
use crate::restli::{BatchAnswer, Restli, entities, patch_set};
use crate::sync::keys::{judge, keyed_entities, query_keys, same_keys};
use crate::sync::records::{self, Keyed};
use crate::sync::{CANDIDATE_ID_FIELD, MAX_SYNC_BATCH};

const MEMBER_FIELD: &str = "manualMatchedMember";

pub(crate) async fn put(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    body: Bytes,
) -> Result<Response, ApiErr> {
    Ok(records::update(&sim, Keyed::Candidate, &caller, &restli, &body)?.into_response())
}

pub(crate) async fn delete(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    Ok(records::delete(&sim, Keyed::Candidate, &caller, &restli)?.into_response())
}

/// The member URN of an attach-member patch.
fn matched_member(entity: &Value) -> Result<String, String> {
    let set = patch_set(entity)?;
    if let Some(other) = set.keys().find(|k| *k != MEMBER_FIELD) {
        return Err(format!("{other} cannot be patched (only {MEMBER_FIELD})"));
    }
    match set.get(MEMBER_FIELD).and_then(Value::as_str) {
        Some(urn) if urn.len() > "urn:li:person:".len() && urn.starts_with("urn:li:person:") => {
            Ok(urn.to_string())
        }
        _ => Err(format!("{MEMBER_FIELD} must be urn:li:person:<id>")),
    }
}

/// `POST /v2/atsCandidates?ids[i]..`: attach members.
pub(crate) async fn attach_members(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    body: Bytes,
) -> Result<Response, ApiErr> {
    restli.expect_method("batch_partial_update")?;
    let in_query: BTreeSet<_> = query_keys(&restli, CANDIDATE_ID_FIELD)?
        .into_iter()
        .collect();
    let records = keyed_entities(entities(&body, MAX_SYNC_BATCH)?, CANDIDATE_ID_FIELD)?;
    let in_body: BTreeSet<_> = records.iter().map(|(k, _)| k.clone()).collect();
    same_keys(&in_query, &in_body)?;

    let mut answer = BatchAnswer::default();
    let mut state = sim.state();
    let sync = &mut state.sync;
    for (key, entity) in records {
        let spelled = key.spelled(CANDIDATE_ID_FIELD);
        let member = matched_member(&entity);
        let problems = member.clone().err().into_iter().collect();
        let verdict = judge(
            Some(&key.organization),
            &caller.organization,
            problems,
            sync.rejections.get(&key.id),
        );
        match (verdict, member) {
            (Ok(()), Ok(member)) => {
                let synced = sync.synced_mut(&caller.organization);
                synced.matched_members.insert(key.id.clone(), member);
                synced.count_write(format!("member:{}", key.id));
                answer.ok(spelled, json!({ "status": 204 }));
            }
            (Err(refusal), _) => answer.error(spelled, refusal.status, refusal.message),
            (Ok(()), Err(message)) => answer.error(spelled, 400, message),
        }
    }
    Ok(answer.into_response())
}

/// `GET /v2/atsCandidates?ids[i]..`: batch get.
pub(crate) async fn get(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    restli.expect_batch_get()?;
    let keys = query_keys(&restli, CANDIDATE_ID_FIELD)?;
    let mut answer = BatchAnswer::default();
    let state = sim.state();
    let synced = state.sync.orgs.get(&caller.organization);
    for key in keys {
        let spelled = key.spelled(CANDIDATE_ID_FIELD);
        if let Err(refusal) = judge(Some(&key.organization), &caller.organization, vec![], None) {
            answer.error(spelled, refusal.status, refusal.message);
            continue;
        }
        let found = synced.and_then(|s| Some((s.candidates.get(&key.id)?, s)));
        match found {
            Some((candidate, synced)) => {
                let mut served = candidate.clone();
                if let (Some(member), Some(fields)) =
                    (synced.matched_members.get(&key.id), served.as_object_mut())
                {
                    fields.insert(MEMBER_FIELD.to_string(), json!(member));
                }
                answer.ok(spelled, served);
            }
            None => answer.error(spelled, 404, format!("No candidate {}", key.id)),
        }
    }
    Ok(answer.into_response())
}
