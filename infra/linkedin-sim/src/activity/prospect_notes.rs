//! `GET /v2/prospectNotes?q=criteria&contract=urn:li:contract:N&owners=urn:li:seat:N&
//! cutoffDate=<ms>&beforeDate=<ms>&start=0&count=100` (collection): notes by last-modified time,
//! `cutoffDate` exclusive, `beforeDate` inclusive; a deleted note comes back `"active": false`
//! (doc). Several owners: `owners=a&owners=b`.

use axum::{extract::State, response::Response};
use serde_json::{Value, json};

use super::Note;
use super::finders::{check_window, finder, merged_page, paging, required_ms};
use crate::Sim;
use crate::api::{ApiErr, Caller, contract_active, page_response};
use crate::restli::{Restli, required, required_list};

fn note_json(n: &Note) -> Value {
    json!({
        "id": n.id,
        "contract": n.contract,
        "owner": n.owner,
        "member": n.member,
        "note": n.note,
        "visibility": "PUBLIC",
        "active": n.active,
        "created": n.created,
        "lastModified": n.last_modified,
    })
}

pub(crate) async fn prospect_notes(
    State(sim): State<Sim>,
    _caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    let query = &restli.query;
    finder(query, "criteria")?;
    let contract = required(query, "contract")?;
    let owners = required_list(query, "owners")?;
    let cutoff = required_ms(query, "cutoffDate")?;
    let before = required_ms(query, "beforeDate")?;
    check_window("cutoffDate", cutoff, "beforeDate", before)?;
    let (start, count) = paging(query, false)?;
    let state = sim.state();
    contract_active(&state, contract)?;
    let activity = &state.activity;
    let sources = owners
        .iter()
        .map(|owner| {
            let lower = (contract.to_string(), owner.clone(), cutoff + 1, i64::MIN);
            let upper = (contract.to_string(), owner.clone(), before, i64::MAX);
            Box::new(
                activity
                    .note_index
                    .range(lower..=upper)
                    .filter_map(|key| activity.notes.get(&key.3)),
            ) as Box<dyn Iterator<Item = &Note>>
        })
        .collect();
    let (page, total) = merged_page(
        sources,
        |a, b| (a.last_modified, a.id).cmp(&(b.last_modified, b.id)),
        start,
        count,
    );
    let elements = page.into_iter().map(note_json).collect();
    drop(state);
    Ok(page_response(elements, start, count, total))
}
