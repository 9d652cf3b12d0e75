//! `GET /v2/mailStubs?q=contract&contract=urn:li:contract:N&owners=urn:li:seat:N&
//! createdDateStart=<ms>&createdDateEnd=<ms>&start=0&count=50` (collection): contact details
//! members shared, start inclusive, end exclusive on `created`. `owners` is required; phones are
//! `{"number", "extension"}`; `emailAddress` is served exactly as seeded (a string since March
//! 2024, an array before; doc).

use axum::{extract::State, response::Response};
use serde_json::{Value, json};

use super::Stub;
use super::finders::{check_window, finder, merged_page, paging, required_ms};
use crate::Sim;
use crate::api::{ApiErr, Caller, contract_active, page_response};
use crate::restli::{Restli, required, required_list};

fn stub_json(s: &Stub) -> Value {
    let phones: Vec<Value> = s
        .phone_numbers
        .iter()
        .map(|p| match &p.extension {
            Some(ext) => json!({ "number": p.number, "extension": ext }),
            None => json!({ "number": p.number }),
        })
        .collect();
    let mut v = json!({
        "id": s.id,
        "member": s.member,
        "owner": s.owner,
        "firstName": s.first_name,
        "lastName": s.last_name,
        "emailAddress": s.email_address,
        "phoneNumbers": phones,
        "created": s.created,
    });
    if let Some(h) = &s.headline {
        v["headline"] = json!(h);
    }
    v
}

pub(crate) async fn mail_stubs(
    State(sim): State<Sim>,
    _caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    let query = &restli.query;
    finder(query, "contract")?;
    let contract = required(query, "contract")?;
    let owners = required_list(query, "owners")?;
    let from = required_ms(query, "createdDateStart")?;
    let to = required_ms(query, "createdDateEnd")?;
    check_window("createdDateStart", from, "createdDateEnd", to)?;
    let (start, count) = paging(query, false)?;
    let state = sim.state();
    contract_active(&state, contract)?;
    let activity = &state.activity;
    let sources = owners
        .iter()
        .map(|owner| {
            let lower = (contract.to_string(), owner.clone(), from, String::new());
            let upper = (contract.to_string(), owner.clone(), to, String::new());
            Box::new(
                activity
                    .stub_index
                    .range(lower..upper)
                    .filter_map(|key| activity.stubs.get(&key.3)),
            ) as Box<dyn Iterator<Item = &Stub>>
        })
        .collect();
    let (page, total) = merged_page(
        sources,
        |a, b| (a.created, &a.id).cmp(&(b.created, &b.id)),
        start,
        count,
    );
    let elements = page.into_iter().map(stub_json).collect();
    drop(state);
    Ok(page_response(elements, start, count, total))
}
