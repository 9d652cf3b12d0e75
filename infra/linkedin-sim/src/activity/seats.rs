//! `GET /v2/seatsV2?q=attributes&contracts=urn:li:contract:N&states=ACTIVE&start=0&count=..`
//! (doc): the seats of contracts, `start` mandatory, states ACTIVE, INACTIVE, INVITED, PARKED.
//! Several contracts or states: the parameter repeated.

use axum::{extract::State, response::Response};
use serde_json::{Value, json};

use super::Seat;
use super::finders::{finder, paging};
use crate::Sim;
use crate::api::{ApiErr, Caller, contract_active, page_response};
use crate::restli::{Restli, optional_list, required_list};

fn seat_json(s: &Seat) -> Value {
    let mut v = json!({
        "id": s.id,
        "contract": s.contract,
        "member": s.member,
        "firstName": s.first_name,
        "lastName": s.last_name,
        "state": s.state,
        "seatRoles": ["RECRUITER"],
    });
    if let Some(e) = &s.email {
        v["email"] = json!(e);
    }
    v
}

/// Seats sort by numeric id (then text).
fn seat_order(s: &Seat) -> (u64, &str) {
    (s.id.parse().unwrap_or(u64::MAX), s.id.as_str())
}

pub(crate) async fn seats_v2(
    State(sim): State<Sim>,
    _caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    let query = &restli.query;
    finder(query, "attributes")?;
    let contracts = required_list(query, "contracts")?;
    let states = optional_list(query, "states")?;
    let (start, count) = paging(query, true)?;
    let state = sim.state();
    for contract in &contracts {
        contract_active(&state, contract)?;
    }
    let mut seats: Vec<&Seat> = state
        .activity
        .seats
        .values()
        .filter(|s| contracts.contains(&s.contract))
        .filter(|s| states.is_empty() || states.iter().any(|w| w.eq_ignore_ascii_case(&s.state)))
        .collect();
    seats.sort_by(|a, b| seat_order(a).cmp(&seat_order(b)));
    let total = seats.len();
    let elements = seats
        .into_iter()
        .skip(start)
        .take(count)
        .map(seat_json)
        .collect();
    drop(state);
    Ok(page_response(elements, start, count, total))
}
