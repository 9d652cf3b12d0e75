//! `GET /v2/exportedCandidates?q=request&requestId=..` (collection): the export a push
//! notification announced.
//!
//! Element: `requestId`, `integrationContext`, `contract`, `atsJobPostingId`, `exportedAt`
//! (unverified names), `candidate` (served exactly as [`crate::ExportSpec`] gave it; the doc
//! lists `member`, `firstName`, `lastName`, `location`, `currentEmployerNames`, ...), and
//! `requester` (doc): `{"member", "firstName", "lastName"}` of the exporting seat's holder, found
//! among the seeded seats; when the holder is unknown, `{"seat": "<urn>"}` (a simulator
//! fallback). `exporter` (the seat URN) is still served too, for clients not yet reading
//! `requester`; no public source shows it (unverified).

use axum::{extract::State, response::Response};
use serde_json::{Value, json};

use crate::activity::Seat;
use crate::api::{ApiErr, Caller, bad, page_response};
use crate::restli::{Query, Restli, single};
use crate::{CODE_CONTRACT_INACTIVE, ContractState, Sim};

/// `q=request&requestId=..` (collection); returns the request id.
pub(crate) fn request_finder(query: &Query) -> Result<String, ApiErr> {
    match single(query, "q")? {
        Some("request") => {}
        Some(other) => return Err(bad(format!("Unsupported finder q={other}"))),
        None => return Err(bad("Missing query parameter q")),
    }
    match single(query, "requestId")? {
        Some(id) if !id.is_empty() => Ok(id.to_string()),
        _ => Err(bad("Missing query parameter requestId")),
    }
}

/// Finders answer every match on one page; `start`/`count` still shape `paging`.
pub(crate) fn paging(query: &Query) -> (usize, usize) {
    let number = |name: &str, default: usize| {
        single(query, name)
            .ok()
            .flatten()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(default)
    };
    (number("start", 0), number("count", 10))
}

fn requester(seat: Option<&Seat>, exporter: &str) -> Value {
    match seat {
        Some(s) => json!({
            "member": s.member,
            "firstName": s.first_name,
            "lastName": s.last_name,
        }),
        None => json!({ "seat": exporter }),
    }
}

pub(crate) async fn exported_candidates(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    let request_id = request_finder(&restli.query)?;
    let state = sim.state();
    let export = state
        .exports
        .get(&caller.client_id)
        .and_then(|m| m.get(&request_id));
    let mut elements = Vec::new();
    if let Some(e) = export {
        if let Some(status @ (ContractState::Expired | ContractState::Disabled)) =
            state.contract_state(&e.contract)
        {
            return Err(ApiErr::new(
                403,
                CODE_CONTRACT_INACTIVE,
                format!("Contract {} is {}", e.contract, status.as_str()),
            ));
        }
        let seat = state.activity.seat(&e.exporter);
        elements.push(json!({
            "requestId": e.request_id,
            "integrationContext": e.integration_context,
            "contract": e.contract,
            "requester": requester(seat, &e.exporter),
            "exporter": e.exporter,
            "atsJobPostingId": e.ats_job_posting_id,
            "exportedAt": e.exported_at,
            "candidate": e.candidate,
        }));
    }
    drop(state);
    let (start, count) = paging(&restli.query);
    let total = elements.len();
    let page = elements.into_iter().skip(start).take(count).collect();
    Ok(page_response(page, start, count, total))
}
