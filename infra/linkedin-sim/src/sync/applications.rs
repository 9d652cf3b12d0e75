//! Applications and their stages (collection, "Sync Job Applications", "Sync Application
//! Stages"):
//!
//! - `PUT|DELETE /v2/atsApplications?ids[0].atsJobApplicationId=..&ids[0].dataProvider=ATS&
//!   ids[0].integrationContext=..` (`batch_update` for PUT); an update replaces the record;
//! - `PUT|DELETE /v2/atsApplications/<key>/stages?ids=S1&ids=S2` (`batch_update` for PUT,
//!   `{"entities": {"S1": {"atsCreatedAt", "stage"}}}`), answered by stage id. The key in the
//!   path is the body spelling (`atsJobApplicationId=..&dataProvider=ATS&integrationContext=..`),
//!   raw or percent-encoded once.

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::Sim;
use crate::api::{ApiErr, Caller, bad};
use crate::restli::{BatchAnswer, Restli};
use crate::sync::keys::{RecordKey, judge, simple_keyed_entities};
use crate::sync::records::{self, Keyed};
use crate::sync::rules::stage_problems;
use crate::sync::{APPLICATION_ID_FIELD, MAX_SYNC_BATCH};

pub(crate) async fn put(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    body: Bytes,
) -> Result<Response, ApiErr> {
    Ok(records::update(&sim, Keyed::Application, &caller, &restli, &body)?.into_response())
}

pub(crate) async fn delete(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    Ok(records::delete(&sim, Keyed::Application, &caller, &restli)?.into_response())
}

/// The application a sub-resource path names (its segment already percent-decoded once by the
/// router; [`RecordKey::parse`] decodes the values once more).
fn path_application(segment: &str) -> Result<RecordKey, ApiErr> {
    RecordKey::parse(segment, APPLICATION_ID_FIELD)
        .map_err(|e| bad(format!("The application in the path: {}", e.message)))
}

/// `PUT /v2/atsApplications/<key>/stages?ids=..`: batch_update keyed by stage id.
pub(crate) async fn put_stages(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    Path(segment): Path<String>,
    body: Bytes,
) -> Result<Response, ApiErr> {
    restli.expect_method("batch_update")?;
    let application = path_application(&segment)?;
    let entities = simple_keyed_entities(&restli, &body, "stage id")?;

    let mut answer = BatchAnswer::default();
    let mut state = sim.state();
    let sync = &mut state.sync;
    for (stage_id, entity) in entities {
        let verdict = judge(
            Some(&application.organization),
            &caller.organization,
            stage_problems(&entity),
            sync.rejections.get(&stage_id),
        );
        match verdict {
            Ok(()) => {
                let synced = sync.synced_mut(&caller.organization);
                synced
                    .stages
                    .entry(application.id.clone())
                    .or_default()
                    .insert(stage_id.clone(), entity);
                synced.count_write(format!("stage:{}:{stage_id}", application.id));
                answer.ok(stage_id, json!({ "status": 204 }));
            }
            Err(refusal) => answer.error(stage_id, refusal.status, refusal.message),
        }
    }
    drop(state);
    Ok(answer.into_response())
}

/// `DELETE /v2/atsApplications/<key>/stages?ids=..`: batch delete.
pub(crate) async fn delete_stages(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    Path(segment): Path<String>,
) -> Result<Response, ApiErr> {
    let application = path_application(&segment)?;
    let ids = restli.simple_ids(MAX_SYNC_BATCH)?;
    judge(
        Some(&application.organization),
        &caller.organization,
        vec![],
        None,
    )
    .map_err(|r| ApiErr::new(r.status, 0, r.message))?;
    let mut answer = BatchAnswer::default();
    let mut state = sim.state();
    let mut stages = state
        .sync
        .synced_mut(&caller.organization)
        .stages
        .get_mut(&application.id);
    for id in ids {
        if stages.as_mut().and_then(|s| s.remove(&id)).is_some() {
            answer.ok(id, json!({ "status": 204 }));
        } else {
            answer.error(id, 404, "No such stage");
        }
    }
    Ok(answer.into_response())
}
