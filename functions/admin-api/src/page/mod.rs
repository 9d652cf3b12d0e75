//! The administrators' integration page, `GET /tenants/{t}/integration`: server-rendered HTML of
//! the same data the JSON routes show. Its script only calls those JSON routes (link, unlink,
//! connect, disconnect) and re-reads the page; nothing here changes state.
//!
//! The markup is written with maud's `html!`, one module per section (`onboarding`, `health`,
//! `contracts`, `seats`, `recent`). maud escapes every spliced value; the only raw output is the page's own
//! style and script and its JSON data, made safe by [`script_json`].

mod contracts;
mod health;
mod onboarding;
mod recent;
mod seats;

use std::collections::HashMap;
use std::fmt::Write;

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Serialize;
use shared::clock::to_rfc3339;
use shared::domain::{
    Activity, AtsUser, BackfillState, Candidate, CleanupPhase, Contract, ContractEvent,
    ContractStatus, ExportRecord, ImportCounts, Onboarding, Seat, StatusCause, SyncState, Tenant,
};

use crate::views::HealthView;

const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// Everything the page shows, read by the handler.
pub struct PageData {
    pub tenant: Tenant,
    /// Each contract with its transition history (oldest first) and import counts.
    pub contracts: Vec<(Contract, Vec<ContractEvent>, ImportCounts)>,
    pub seats: Vec<Seat>,
    pub users: Vec<AtsUser>,
    pub health: HealthView,
    /// The outbound sync's state: what LinkedIn accepted, and a clean-up's progress.
    pub sync: SyncState,
    /// The checklist of onboarding with LinkedIn's partner flow; `None`: not onboarded that way.
    pub onboarding: Option<Onboarding>,
    /// Newest first.
    pub exports: Vec<ExportRecord>,
    /// Newest first.
    pub activity: Vec<Activity>,
    /// The candidates `exports` and `activity` name, by id.
    pub candidates: HashMap<String, Candidate>,
    pub backfill_days: u64,
    /// Where a candidate link goes, `{candidateId}` standing for the id; `None`: the API route.
    pub candidate_page_url: Option<shared::outbound::records::ProfileUrl>,
    /// The CSRF token of the browser session the page is served to (crate::guard); its script
    /// sends it with every change.
    pub csrf_token: Option<String>,
    pub now: i64,
}

/// Fresh OS randomness for each page: the Content-Security-Policy nonce.
pub fn nonce() -> String {
    shared::ids::random_hex()
}

/// The page's Content-Security-Policy: its own style and script only, requests to its own
/// origin only, no framing.
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
         connect-src 'self'; img-src data:; form-action 'none'; frame-ancestors 'none'; \
         base-uri 'none'"
    )
}

/// The whole page. `nonce` authorizes its one style and one script under the page's
/// Content-Security-Policy.
pub fn render(d: &PageData, nonce: &str) -> String {
    let data = ScriptData {
        tenant_id: &d.tenant.tenant_id,
        users: d
            .users
            .iter()
            .map(|u| ScriptUser {
                user_id: &u.user_id,
                name: user_name(u),
                email: &u.email,
            })
            .collect(),
        csrf_token: d.csrf_token.as_deref(),
    };
    html! {
        (DOCTYPE)
        html lang="en" class="no-js" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "LinkedIn Recruiter integration · " (d.tenant.name) }
                link rel="icon" href="data:,";
                style nonce=(nonce) { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "LinkedIn Recruiter integration" }
                    p class="sub" { (d.tenant.name) " · tenant " code { (d.tenant.tenant_id) } }
                }
                noscript {
                    p class="note" {
                        "This page shows the integration without JavaScript; linking seats and \
                         connecting contracts need it (or the JSON API)."
                    }
                }
                p id="status" role="status" aria-live="polite" {}
                (live(d))
                (dialogs())
                script type="application/json" id="page-data" { (PreEscaped(script_json(&data))) }
                script nonce=(nonce) { (PreEscaped(SCRIPT)) }
            }
        }
    }
    .into_string()
}

/// Only the part that changes (`?part=live`), for the script's refresh.
pub fn render_live(d: &PageData) -> String {
    live(d).into_string()
}

/// The part of the page the script re-reads and swaps after an action and while back-fills or
/// a clean-up run (`data-busy` marks that one is).
fn live(d: &PageData) -> Markup {
    let busy = d.seats.iter().any(|s| {
        s.backfill
            .as_ref()
            .is_some_and(|b| matches!(b.state, BackfillState::Queued | BackfillState::Running))
    }) || d
        .sync
        .cleanup
        .as_ref()
        .is_some_and(|c| c.phase != CleanupPhase::Queued);
    html! {
        main id="live" data-busy=[busy.then_some("")] {
            p class="sub" { "As of " (time(d.now)) "." }
            (onboarding::section(d))
            (health::section(d))
            (contracts::section(d))
            (seats::section(d))
            (recent::section(d))
        }
    }
}

/// The link and confirmation dialogs, outside the part the script swaps.
fn dialogs() -> Markup {
    html! {
        dialog id="link-dialog" aria-labelledby="link-title" {
            form method="dialog" id="link-form" {
                h2 id="link-title" { "Link " span id="link-seat" {} }
                p id="link-effect" {}
                label for="user-search" { "Find the ATS user by name or email" }
                input id="user-search" type="search" autocomplete="off" spellcheck="false";
                label for="user-choice" { "ATS user" }
                select id="user-choice" size="6" required {}
                p id="link-none" class="hint" hidden {
                    "No ATS user matches. Seat holders are linked to existing users only."
                }
                div class="buttons" {
                    button value="cancel" formnovalidate { "Cancel" }
                    " "
                    button value="ok" id="link-ok" { "Link seat" }
                }
            }
        }
        dialog id="confirm-dialog" aria-labelledby="confirm-title" {
            form method="dialog" {
                h2 id="confirm-title" { "Are you sure?" }
                p id="confirm-text" {}
                div class="buttons" {
                    button value="cancel" autofocus { "Cancel" }
                    " "
                    button value="ok" id="confirm-ok" class="danger" { "OK" }
                }
            }
        }
    }
}

/// What the script needs besides the markup: the tenant and the users a seat can be linked to.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScriptData<'a> {
    tenant_id: &'a str,
    users: Vec<ScriptUser<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    csrf_token: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ScriptUser<'a> {
    user_id: &'a str,
    name: String,
    email: &'a str,
}

/// JSON that is safe inside a `<script type="application/json">` element, which is output raw:
/// no `<` can close it (or open a comment), no `&` can be read as a character reference.
fn script_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".to_owned())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// `<time>` with the machine-readable instant and "2026-11-26 04:10 UTC" to read.
fn time(ms: i64) -> Markup {
    let iso = to_rfc3339(ms);
    let shown = format!("{} UTC", iso.get(..16).unwrap_or(&iso).replace('T', " "));
    html! { time datetime=(iso) { (shown) } }
}

/// `<time>` with the machine-readable instant and "2026-11-26" to read.
fn date(ms: i64) -> Markup {
    let iso = to_rfc3339(ms);
    html! { time datetime=(iso) { (iso.get(..10).unwrap_or(&iso)) } }
}

/// A value's name in the JSON API (`integrationNames`, `waiting`), for ids and `data-` attributes.
fn wire_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn status_label(s: ContractStatus) -> &'static str {
    match s {
        ContractStatus::Active => "Active",
        ContractStatus::Expired => "Expired",
        ContractStatus::Disabled => "Disabled",
    }
}

fn cause_label(c: StatusCause) -> &'static str {
    match c {
        StatusCause::Admin => "an administrator",
        StatusCause::ExpiryDate => "its expiry date",
        StatusCause::LinkedIn => "LinkedIn",
    }
}

fn user_name(u: &AtsUser) -> String {
    format!("{} {}", u.first_name, u.last_name)
}

/// A seat as people say it: "Nia Okafor (seat 9003)", or "seat 9003" before its name is known.
fn seat_label(s: &Seat) -> String {
    match &s.holder_name {
        Some(name) => format!("{name} (seat {})", s.seat_id),
        None => format!("seat {}", s.seat_id),
    }
}

impl PageData {
    /// A link to the candidate's page, `text` its words.
    fn candidate_anchor(&self, candidate_id: &str, text: &str) -> Markup {
        let href = match &self.candidate_page_url {
            Some(page) => page.of(candidate_id),
            // Relative to /tenants/{t}/integration, wherever the API is mounted.
            None => format!("candidates/{}", urlencode(candidate_id)),
        };
        html! { a href=(href) { (text) } }
    }

    /// The same link as text, as the unit tests read it.
    #[cfg(test)]
    fn candidate_link(&self, candidate_id: &str, text: &str) -> String {
        self.candidate_anchor(candidate_id, text).into_string()
    }

    fn candidate_name(&self, candidate_id: &str) -> Option<String> {
        self.candidates
            .get(candidate_id)
            .map(|c| format!("{} {}", c.first_name, c.last_name))
    }

    fn seat(&self, contract_id: &str, seat_id: &str) -> Option<&Seat> {
        self.seats
            .iter()
            .find(|s| s.contract_id == contract_id && s.seat_id == seat_id)
    }

    fn user(&self, user_id: &str) -> Option<&AtsUser> {
        self.users.iter().find(|u| u.user_id == user_id)
    }
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests;
