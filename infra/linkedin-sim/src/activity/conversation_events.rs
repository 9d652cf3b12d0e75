//! `GET /v2/conversationEvents?q=criteria&viewer=urn:li:seat:N&timeRange.start=<ms>&
//! timeRange.end=<ms>&start=0&count=50` (collection): the InMails of one seat, start inclusive,
//! end exclusive (doc).
//!
//! An event serves `id`, `conversation`, `author` (the seat when it sent the InMail, the member
//! when it received it), `createdAt`, `subject` and `body`: the doc speaks only of an author, a
//! creation time and the content, so those names are (unverified). `recipient` (the other
//! party) is (unverified) too and left out for an [`InMail`] marked `documented_only`. There is
//! no `direction`: a reader tells sent from received by the author.

use axum::{extract::State, response::Response};
use serde_json::{Value, json};

use super::finders::{check_window, finder, paging, required_ms};
use super::{InMail, stable_number};
use crate::Sim;
use crate::api::{ApiErr, Caller, contract_active, page_response};
use crate::restli::{Restli, required};

fn conversation_urn(m: &InMail) -> String {
    match &m.conversation {
        Some(c) if c.starts_with("urn:") => c.clone(),
        Some(c) => format!("urn:li:conversation:{c}"),
        None => format!(
            "urn:li:conversation:{}",
            stable_number(&format!("{}|{}", m.seat, m.member))
        ),
    }
}

fn inmail_json(m: &InMail) -> Value {
    let received = m.direction.eq_ignore_ascii_case("RECEIVED");
    let (author, recipient) = if received {
        (&m.member, &m.seat)
    } else {
        (&m.seat, &m.member)
    };
    let mut event = json!({
        "id": m.id,
        "conversation": conversation_urn(m),
        "author": author,
        "subject": m.subject,
        "body": m.body,
        "createdAt": m.created_at,
    });
    if !m.documented_only {
        event["recipient"] = json!(recipient);
    }
    event
}

pub(crate) async fn conversation_events(
    State(sim): State<Sim>,
    _caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    let query = &restli.query;
    finder(query, "criteria")?;
    let viewer = required(query, "viewer")?;
    let start_ms = required_ms(query, "timeRange.start")?;
    let end_ms = required_ms(query, "timeRange.end")?;
    check_window("timeRange.start", start_ms, "timeRange.end", end_ms)?;
    let (start, count) = paging(query, false)?;
    let state = sim.state();
    if let Some(seat) = state.activity.seats.get(viewer) {
        contract_active(&state, &seat.contract)?;
    }
    let (elements, total) = match state.activity.inboxes.get(viewer) {
        Some(inbox) => (
            inbox
                .window(start_ms, end_ms)
                .skip(start)
                .take(count)
                .map(inmail_json)
                .collect(),
            inbox.window(start_ms, end_ms).count(),
        ),
        None => (Vec::new(), 0),
    };
    drop(state);
    Ok(page_response(elements, start, count, total))
}
