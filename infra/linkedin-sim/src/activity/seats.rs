//! `GET /v2/seatsV2?q=attributes&contracts=urn:li:contract:N&states=ACTIVE&start=0&count=..`
//! (doc): the seats of contracts, `start` mandatory, states ACTIVE, INACTIVE, INVITED, PARKED.
//! Several contracts or states: the parameter repeated. Also the older
//! `/v2/seats?q=seatsByAttributes` the collection shows.

use axum::{extract::State, response::Response};
use serde_json::{Value, json};

use super::Seat;
use super::finders::{finder, paging};
use crate::Sim;
use crate::api::{ApiErr, Caller, bad, contract_active, page_response};
use crate::restli::{Restli, optional_list, required_list, single};

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

/// `GET /v2/seats?q=seatsByAttributes&contracts=urn:li:contract:N&active=true&start=0&count=100`:
/// the older seat finder the collection still shows (`fields` projections are ignored).
/// `active=true` keeps ACTIVE seats, `active=false` the others; `start` is optional here.
pub(crate) async fn seats_by_attributes(
    State(sim): State<Sim>,
    _caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    let query = &restli.query;
    finder(query, "seatsByAttributes")?;
    let contracts = required_list(query, "contracts")?;
    let active = match single(query, "active")? {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => return Err(bad(format!("active must be true or false, got {other:?}"))),
    };
    let (start, count) = paging(query, false)?;
    let state = sim.state();
    for contract in &contracts {
        contract_active(&state, contract)?;
    }
    let mut seats: Vec<&Seat> = state
        .activity
        .seats
        .values()
        .filter(|s| contracts.contains(&s.contract))
        .filter(|s| active.is_none_or(|a| a == s.state.eq_ignore_ascii_case("ACTIVE")))
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
