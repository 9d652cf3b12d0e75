//! Seat holders, per contract: who holds each seat, its LinkedIn state, the ATS user it is linked
//! to, its back-fill, its last poll and a stale flag, and the link or unlink action.

use maud::{Markup, html};
use shared::domain::{BackfillState, Seat};

use super::{PageData, seat_label, time, user_name};

pub(super) fn section(d: &PageData) -> Markup {
    let stale: Vec<(&str, &str)> = d
        .health
        .seats
        .iter()
        .filter(|s| s.stale)
        .map(|s| (s.contract_id.as_str(), s.seat_id.as_str()))
        .collect();
    // The connected contracts first, then any other a seat names.
    let mut contract_ids: Vec<&str> = d
        .contracts
        .iter()
        .map(|(c, _, _)| c.contract_id.as_str())
        .collect();
    for s in &d.seats {
        if !contract_ids.contains(&s.contract_id.as_str()) {
            contract_ids.push(&s.contract_id);
        }
    }
    html! {
        section aria-labelledby="h-seats" {
            h2 id="h-seats" { "Seat holders" }
            p class="sub" {
                "Seats come from LinkedIn's seat list (read hourly) and are linked to existing ATS \
                 users only."
            }
            @for contract_id in contract_ids {
                @let seats: Vec<&Seat> =
                    d.seats.iter().filter(|s| s.contract_id == contract_id).collect();
                h3 { "Contract " (contract_id) }
                @if seats.is_empty() {
                    p { "No seats known yet: the hourly seat sync reads them from LinkedIn." }
                } @else {
                    table class="seats" id={ "seats-" (contract_id) } {
                        thead { tr {
                            th scope="col" { "Seat holder" }
                            th scope="col" { "Seat" }
                            th scope="col" { "State" }
                            th scope="col" { "ATS user" }
                            th scope="col" { "Back-fill" }
                            th scope="col" { "Last poll" }
                            th scope="col" { span class="vh" { "Actions" } }
                        } }
                        tbody {
                            @for s in seats {
                                @let is_stale = stale.contains(&(contract_id, s.seat_id.as_str()));
                                (row(d, s, is_stale))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn row(d: &PageData, s: &Seat, stale: bool) -> Markup {
    html! {
        tr id={ "seat-" (s.contract_id) "-" (s.seat_id) } data-linked=(s.user_id.is_some())
            data-stale=[stale.then_some("")] {
            th scope="row" {
                @match &s.holder_name {
                    Some(name) => (name),
                    None => span class="hint" { "name not known yet" },
                }
            }
            td { (s.seat_id) }
            td { (s.state.as_deref().unwrap_or("–")) }
            td {
                @match s.user_id.as_deref().map(|u| (u, d.user(u))) {
                    Some((_, Some(user))) => {
                        (user_name(user)) " " span class="hint" { (user.email) }
                    }
                    Some((user_id, None)) => code { (user_id) },
                    None => span class="hint" { "not linked" },
                }
            }
            td class="backfill" { (backfill(s)) }
            td {
                @match s.last_polled_at {
                    Some(at) => (time(at)),
                    None => { @if stale { "never" } @else { "–" } }
                }
                @if stale {
                    " " span class="badge stale" { "stale" }
                }
            }
            td class="action" { (action(d, s)) }
        }
    }
}

fn backfill(s: &Seat) -> Markup {
    let Some(b) = &s.backfill else {
        return html! { "–" };
    };
    let percent = s.backfill_percent().unwrap_or(0);
    let state = match b.state {
        BackfillState::Queued => "queued",
        BackfillState::Running => "running",
        BackfillState::Done => "done",
        BackfillState::Failed => "failed",
    };
    let done = b.state == BackfillState::Done;
    html! {
        progress max="100" value=(percent) aria-label={ "back-fill of seat " (s.seat_id) } {
            (percent) "%"
        }
        " "
        span class="bf-state" data-state=(state) {
            (state)
            @if !done { " " (percent) "%" }
        }
        @if let Some(reason) = b.reason.as_ref().filter(|_| !done) {
            br;
            span class="hint" { (reason) }
        }
    }
}

/// Unlink a linked seat, link an unlinked one; both say what will happen.
fn action(d: &PageData, s: &Seat) -> Markup {
    let label = seat_label(s);
    let (c, id) = (&s.contract_id, &s.seat_id);
    match &s.user_id {
        Some(user_id) => {
            let who = d.user(user_id).map_or_else(|| user_id.clone(), user_name);
            html! {
                button type="button" class="danger" data-action="unlink" data-contract=(c)
                    data-seat=(id)
                    data-confirm={
                        "Unlink " (label) " from " (who) "? Imports for this seat stop: no new \
                         InMails, notes or exports arrive for it. Everything already imported \
                         stays, and linking again resumes where it stopped."
                    }
                    data-verb="Unlink" data-done={ (label) " unlinked." } {
                    "Unlink"
                }
            }
        }
        None => {
            // A seat linked before has its back-fill behind it; linking again resumes polling.
            let effect = if s.backfill.is_some() {
                "Linking again resumes its imports where they stopped, and imports its pending exports.".to_owned()
            } else {
                format!(
                    "Linking starts a back-fill: its InMails, notes and shared contact details of the last {} days are imported, then new ones every 30 minutes. Its pending exports are imported too.",
                    d.backfill_days
                )
            };
            html! {
                button type="button" data-action="link" data-contract=(c) data-seat=(id)
                    data-label=(label) data-effect=(effect) {
                    "Link…"
                }
            }
        }
    }
}
