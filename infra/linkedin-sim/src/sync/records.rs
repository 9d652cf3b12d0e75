//! Batch update and batch delete of records with compound keys (candidates, applications):
//! `PUT|DELETE /v2/<resource>?ids[0].<idField>=..&ids[0].dataProvider=ATS&
//! ids[0].integrationContext=..` (collection). A PUT carries the same keys in its `entities`.

use std::collections::BTreeSet;

use axum::body::Bytes;
use serde_json::{Value, json};

use crate::Sim;
use crate::api::{ApiErr, Caller};
use crate::restli::{BatchAnswer, Restli, entities};
use crate::sync::keys::{judge, keyed_entities, query_keys, same_keys};
use crate::sync::rules::{application_problems, candidate_problems};
use crate::sync::{
    APPLICATION_FIELDS, APPLICATION_ID_FIELD, CANDIDATE_ID_FIELD, MAX_SYNC_BATCH, Synced,
};

/// Records addressed by a compound key in the query and the body.
#[derive(Clone, Copy)]
pub(crate) enum Keyed {
    Candidate,
    Application,
}

impl Keyed {
    pub fn id_field(self) -> &'static str {
        match self {
            Keyed::Candidate => CANDIDATE_ID_FIELD,
            Keyed::Application => APPLICATION_ID_FIELD,
        }
    }

    fn problems(self, entity: &Value) -> Vec<String> {
        match self {
            Keyed::Candidate => candidate_problems(entity),
            Keyed::Application => application_problems(entity),
        }
    }

    fn store(self, synced: &mut Synced, id: &str, mut entity: Value) {
        match self {
            Keyed::Candidate => {
                synced.candidates.insert(id.to_string(), entity);
                synced.count_write(format!("candidate:{id}"));
            }
            Keyed::Application => {
                // An update replaces the record: what it leaves out becomes null, as at LinkedIn.
                if let Some(fields) = entity.as_object_mut() {
                    for field in APPLICATION_FIELDS {
                        fields.entry(field).or_insert(Value::Null);
                    }
                }
                synced.applications.insert(id.to_string(), entity);
                synced.count_write(format!("application:{id}"));
            }
        }
    }

    /// Removes the record (and a candidate's attached member); false when it was not held.
    /// An application's stages, notes and feedback stay: the collection deletes them with calls
    /// of their own, after the application (whether LinkedIn cascades is unverified).
    fn remove(self, synced: &mut Synced, id: &str) -> bool {
        match self {
            Keyed::Candidate => {
                synced.matched_members.remove(id);
                synced.candidates.remove(id).is_some()
            }
            Keyed::Application => synced.applications.remove(id).is_some(),
        }
    }
}

/// batch_update: every record judged on its own; the answer is keyed by the 1.0 key string.
pub(crate) fn update(
    sim: &Sim,
    kind: Keyed,
    caller: &Caller,
    restli: &Restli,
    body: &Bytes,
) -> Result<BatchAnswer, ApiErr> {
    restli.expect_method("batch_update")?;
    let in_query: BTreeSet<_> = query_keys(restli, kind.id_field())?.into_iter().collect();
    let records = keyed_entities(entities(body, MAX_SYNC_BATCH)?, kind.id_field())?;
    let in_body: BTreeSet<_> = records.iter().map(|(k, _)| k.clone()).collect();
    same_keys(&in_query, &in_body)?;

    let mut answer = BatchAnswer::default();
    let mut state = sim.state();
    let sync = &mut state.sync;
    for (key, entity) in records {
        let verdict = judge(
            Some(&key.organization),
            &caller.organization,
            kind.problems(&entity),
            sync.rejections.get(&key.id),
        );
        let spelled = key.spelled(kind.id_field());
        match verdict {
            Ok(()) => {
                kind.store(sync.synced_mut(&caller.organization), &key.id, entity);
                answer.ok(spelled, json!({ "status": 204 }));
            }
            Err(refusal) => answer.error(spelled, refusal.status, refusal.message),
        }
    }
    Ok(answer)
}

/// Batch delete (no method header, as in the collection): 204 per removed record, 404 for one
/// LinkedIn does not hold, 403 for another organization's.
pub(crate) fn delete(
    sim: &Sim,
    kind: Keyed,
    caller: &Caller,
    restli: &Restli,
) -> Result<BatchAnswer, ApiErr> {
    let keys = query_keys(restli, kind.id_field())?;
    let mut answer = BatchAnswer::default();
    let mut state = sim.state();
    for key in keys {
        let spelled = key.spelled(kind.id_field());
        if let Err(refusal) = judge(Some(&key.organization), &caller.organization, vec![], None) {
            answer.error(spelled, refusal.status, refusal.message);
            continue;
        }
        if kind.remove(state.sync.synced_mut(&caller.organization), &key.id) {
            answer.ok(spelled, json!({ "status": 204 }));
        } else {
            answer.error(spelled, 404, format!("No record {}", key.id));
        }
    }
    Ok(answer)
}
