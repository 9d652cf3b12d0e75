//! The administrators' integration page, `GET /tenants/{t}/integration`: server-rendered HTML of
//! the same data the JSON routes show. Its script only calls those JSON routes (link, unlink,
//! connect, disconnect) and re-reads the page; nothing here changes state.
//!
//! The markup is built with small functions over escaped text (no template engine): each section
//! has one function, and every value from the store goes through [`esc`].

use std::collections::HashMap;
use std::fmt::Write;

use serde::Serialize;
use shared::clock::to_rfc3339;
use shared::domain::{
    Activity, ActivityDetail, AtsUser, BackfillState, Candidate, Contract, ContractEvent,
    ContractStatus, Direction, ExportRecord, ExportStatus, ImportCounts, Seat, SkipReason,
    StatusCause, Tenant,
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

/// HTML-escapes text for element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `<time>` with the machine-readable instant and "2026-11-26 04:10 UTC" to read.
fn time(ms: i64) -> String {
    let iso = to_rfc3339(ms);
    let shown = format!("{} UTC", iso.get(..16).unwrap_or(&iso).replace('T', " "));
    format!("<time datetime=\"{iso}\">{shown}</time>")
}

fn date(ms: i64) -> String {
    let iso = to_rfc3339(ms);
    format!(
        "<time datetime=\"{iso}\">{}</time>",
        iso.get(..10).unwrap_or(&iso)
    )
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
    fn candidate_link(&self, candidate_id: &str, text: &str) -> String {
        let href = match &self.candidate_page_url {
            Some(page) => page.of(candidate_id),
            // Relative to /tenants/{t}/integration, wherever the API is mounted.
            None => format!("candidates/{}", urlencode(candidate_id)),
        };
        format!("<a href=\"{}\">{}</a>", esc(&href), esc(text))
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

/// JSON that is safe inside a `<script type="application/json">` element.
fn script_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".to_owned())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The whole page. `nonce` authorizes its one style and one script under the page's
/// Content-Security-Policy.
pub fn render(d: &PageData, nonce: &str) -> String {
    let mut h = String::with_capacity(32 * 1024);
    let title = format!("LinkedIn Recruiter integration · {}", d.tenant.name);
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\" class=\"no-js\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"icon\" href=\"data:,\">\
         <style nonce=\"{nonce}\">{STYLE}</style></head><body>\
         <header><h1>LinkedIn Recruiter integration</h1>\
         <p class=\"sub\">{} · tenant <code>{}</code></p></header>\
         <noscript><p class=\"note\">This page shows the integration without JavaScript; \
         linking seats and connecting contracts need it (or the JSON API).</p></noscript>\
         <p id=\"status\" role=\"status\" aria-live=\"polite\"></p>",
        esc(&title),
        esc(&d.tenant.name),
        esc(&d.tenant.tenant_id),
    );
    h.push_str(&live(d));
    h.push_str(DIALOGS);
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
    let _ = writeln!(
        h,
        "<script type=\"application/json\" id=\"page-data\">{}</script>\
         <script nonce=\"{nonce}\">{SCRIPT}</script></body></html>",
        script_json(&data)
    );
    h
}

/// Only the part that changes (`?part=live`), for the script's refresh.
pub fn render_live(d: &PageData) -> String {
    live(d)
}

/// The part of the page the script re-reads and swaps after an action and while back-fills run
/// (`data-busy` marks that one is).
fn live(d: &PageData) -> String {
    let busy = d.seats.iter().any(|s| {
        s.backfill
            .as_ref()
            .is_some_and(|b| matches!(b.state, BackfillState::Queued | BackfillState::Running))
    });
    let mut h = String::new();
    let _ = write!(
        h,
        "<main id=\"live\"{}><p class=\"sub\">As of {}.</p>",
        if busy { " data-busy=\"\"" } else { "" },
        time(d.now)
    );
    h.push_str(&health(d));
    h.push_str(&contracts(d));
    h.push_str(&seats(d));
    h.push_str(&recent(d));
    h.push_str("</main>");
    h
}

/// One problem: what is wrong, and what to do about it.
struct Problem {
    what: String,
    todo: String,
}

fn health(d: &PageData) -> String {
    let hv = &d.health;
    let mut problems = Vec::new();
    for c in &hv.contracts {
        if let Some(attention) = &c.attention {
            problems.push(Problem {
                what: format!(
                    "Contract {} is {}.",
                    c.contract_id,
                    status_label(c.status).to_lowercase()
                ),
                todo: sentence(attention),
            });
        }
    }
    let stale: Vec<_> = hv.seats.iter().filter(|s| s.stale).collect();
    for s in &stale {
        let label = d
            .seat(&s.contract_id, &s.seat_id)
            .map_or_else(|| format!("seat {}", s.seat_id), seat_label);
        let since = match &s.last_successful_poll {
            Some(at) => format!("since {} UTC", at.get(..16).unwrap_or(at).replace('T', " ")),
            None => "since it was linked".to_owned(),
        };
        problems.push(Problem {
            what: format!(
                "{label} is stale: no complete activity poll {since}, so its new InMails and notes are not arriving.",
            ),
            todo: "Check the dead letters below and LinkedIn's status; if LinkedIn refuses the \
                   seat, ask the seat holder's LinkedIn admin. Polling retries every 30 minutes."
                .to_owned(),
        });
    }
    if !hv.unlinked_seats.is_empty() {
        problems.push(Problem {
            what: format!(
                "{} seat(s) not linked to an ATS user: nothing of theirs is imported, and their exports wait as pending leads.",
                hv.unlinked_seats.len()
            ),
            todo: "Link each seat to its holder's ATS account under Seat holders; the history is then back-filled.".to_owned(),
        });
    }
    if !hv.dead_letters.is_empty() {
        problems.push(Problem {
            what: format!(
                "{} message(s) could not be processed in the last 14 days and were set aside on a dead-letter queue.",
                hv.dead_letters.len()
            ),
            todo: "Read each reason below. Once the cause is fixed, redrive the queue (operations runbook, \"Dead letters\"); nothing is lost meanwhile.".to_owned(),
        });
    }
    if hv.unprocessed_activity.count > 0 {
        problems.push(Problem {
            what: format!(
                "{} Recruiter activity record(s) from LinkedIn could not be imported.",
                hv.unprocessed_activity.count
            ),
            todo: format!(
                "They are kept, not lost. Read each reason below; {}.",
                crate::views::UNPROCESSED_FIX
            ),
        });
    }
    if !hv.outbound_sync_errors.is_empty() {
        problems.push(Problem {
            what: format!(
                "{} ATS record(s) are not at LinkedIn because of a problem.",
                hv.outbound_sync_errors.len()
            ),
            todo: "Correct each record in the ATS as its message says; a corrected record is sent again on its own.".to_owned(),
        });
    }
    let mut h = String::new();
    let _ = write!(
        h,
        "<section aria-labelledby=\"h-health\"><h2 id=\"h-health\">Sync health</h2>\
         <dl class=\"figures\">\
         <div class=\"{}\" id=\"fig-stale\"><dt>Stale seats</dt><dd>{}</dd></div>\
         <div class=\"{}\" id=\"fig-dead\"><dt>Dead-lettered messages (14 days)</dt><dd>{}</dd></div>\
         <div class=\"{}\" id=\"fig-sync\"><dt>Outbound sync errors</dt><dd>{}</dd></div>\
         <div class=\"{}\" id=\"fig-unlinked\"><dt>Unlinked seats</dt><dd>{}</dd></div>\
         <div class=\"{}\" id=\"fig-unprocessed\"><dt>Unprocessed activity</dt><dd>{}</dd></div></dl>",
        flag(!stale.is_empty()),
        stale.len(),
        flag(!hv.dead_letters.is_empty()),
        hv.dead_letters.len(),
        flag(!hv.outbound_sync_errors.is_empty()),
        hv.outbound_sync_errors.len(),
        flag(!hv.unlinked_seats.is_empty()),
        hv.unlinked_seats.len(),
        flag(hv.unprocessed_activity.count > 0),
        hv.unprocessed_activity.count,
    );
    if problems.is_empty() {
        h.push_str("<p class=\"ok\">Everything is flowing: every linked seat of an active contract was polled within the hour, and nothing failed.</p>");
    } else {
        h.push_str("<ul class=\"problems\" id=\"problems\">");
        for p in &problems {
            let _ = write!(
                h,
                "<li><strong>{}</strong> <span class=\"todo\">{}</span></li>",
                esc(&p.what),
                esc(&p.todo)
            );
        }
        h.push_str("</ul>");
    }
    if !hv.dead_letters.is_empty() {
        h.push_str("<details><summary>Dead letters</summary><table><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Queue</th><th scope=\"col\">Reason</th></tr></thead><tbody>");
        for l in &hv.dead_letters {
            let at = shared::clock::from_rfc3339(&l.at).unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                time(at),
                esc(&l.source),
                esc(&l.reason)
            );
        }
        h.push_str("</tbody></table></details>");
    }
    if hv.unprocessed_activity.count > 0 {
        h.push_str("<details id=\"unprocessed\"><summary>Unprocessed activity</summary><table><thead><tr><th scope=\"col\">Stream</th><th scope=\"col\">Seat</th><th scope=\"col\">Reason</th></tr></thead><tbody>");
        for r in &hv.unprocessed_activity.records {
            let _ = write!(
                h,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                esc(r.stream),
                esc(&r.seat_id),
                esc(&r.reason)
            );
        }
        h.push_str("</tbody></table></details>");
    }
    if !hv.outbound_sync_errors.is_empty() {
        h.push_str("<details><summary>Outbound sync errors</summary><table><thead><tr><th scope=\"col\">Record</th><th scope=\"col\">Problem</th></tr></thead><tbody>");
        for e in &hv.outbound_sync_errors {
            let kind = serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td>{} <code>{}</code></td><td>{}</td></tr>",
                esc(&kind),
                esc(&e.record_id),
                esc(&e.message)
            );
        }
        h.push_str("</tbody></table></details>");
    }
    h.push_str("</section>");
    h
}

fn flag(bad: bool) -> &'static str {
    if bad { "figure bad" } else { "figure" }
}

/// "its expiry date has passed: after renewing…" → "Its expiry date has passed: after renewing…."
fn sentence(s: &str) -> String {
    let mut chars = s.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

fn contracts(d: &PageData) -> String {
    let mut h = String::from(
        "<section aria-labelledby=\"h-contracts\"><h2 id=\"h-contracts\">Contracts</h2>",
    );
    if d.contracts.is_empty() {
        h.push_str("<p>No Recruiter contract is connected yet.</p>");
    } else {
        h.push_str(
            "<table id=\"contracts\"><thead><tr><th scope=\"col\">Contract</th><th scope=\"col\">Status</th>\
             <th scope=\"col\">Expires</th><th scope=\"col\">Last successful poll</th>\
             <th scope=\"col\">Imported</th><th scope=\"col\">History</th><th scope=\"col\"><span class=\"vh\">Actions</span></th></tr></thead><tbody>",
        );
        for (c, events, counts) in &d.contracts {
            let poll = crate::views::last_successful_poll(&d.seats, &c.contract_id)
                .map_or_else(|| "never".to_owned(), time);
            let _ = write!(
                h,
                "<tr id=\"contract-{id}\" data-status=\"{status}\"><th scope=\"row\">{id}</th>\
                 <td><span class=\"badge {cls}\">{status}</span></td><td>{expires}</td><td>{poll}</td>\
                 <td>{exports} exports, {inmails} InMails, {notes} notes</td><td>{history}</td><td class=\"action\">{action}</td></tr>",
                id = esc(&c.contract_id),
                status = status_label(c.status),
                cls = status_label(c.status).to_lowercase(),
                expires = c.expires_at.map_or_else(|| "no date".to_owned(), date),
                exports = counts.exports,
                inmails = counts.inmails,
                notes = counts.notes,
                history = history(events),
                action = contract_action(c),
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str(
        "<form id=\"connect-form\" class=\"action inline\"><fieldset><legend>Connect a contract</legend>\
         <label for=\"connect-contract\">Contract number</label> \
         <input id=\"connect-contract\" name=\"contract\" inputmode=\"numeric\" pattern=\"[0-9]{1,19}\" required \
         placeholder=\"501\" title=\"N of urn:li:contract:N\"> \
         <label for=\"connect-expires\">Expires on (UTC, optional)</label> \
         <input id=\"connect-expires\" name=\"expires\" type=\"date\"> \
         <button type=\"submit\">Connect</button></fieldset></form></section>",
    );
    h
}

fn history(events: &[ContractEvent]) -> String {
    if events.is_empty() {
        return "–".to_owned();
    }
    let mut h = format!(
        "<details><summary>{} change(s)</summary><ol class=\"history\">",
        events.len()
    );
    for e in events {
        let from = e
            .from
            .map_or_else(|| "new".to_owned(), |f| status_label(f).to_owned());
        let _ = write!(
            h,
            "<li>{}: {} → {} by {}: {}</li>",
            time(e.at),
            from,
            status_label(e.to),
            cause_label(e.cause),
            esc(&e.reason)
        );
    }
    h.push_str("</ol></details>");
    h
}

fn contract_action(c: &Contract) -> String {
    let id = esc(&c.contract_id);
    match (c.status, c.status_cause) {
        (ContractStatus::Disabled, Some(StatusCause::LinkedIn)) => {
            "<span class=\"hint\">Enable it in LinkedIn</span>".to_owned()
        }
        (ContractStatus::Disabled, _) => format!(
            "<button type=\"button\" data-action=\"reconnect\" data-contract=\"{id}\" data-expires=\"{}\">Connect again</button>",
            c.expires_at.map(to_rfc3339).unwrap_or_default()
        ),
        _ => format!(
            "<button type=\"button\" class=\"danger\" data-action=\"disconnect\" data-contract=\"{id}\" \
             data-confirm=\"Disconnect contract {id}? Nothing more is imported or sent to LinkedIn for it. Everything already imported stays, and you can connect it again.\" \
             data-verb=\"Disconnect\" data-done=\"Contract {id} disconnected.\">Disconnect</button>"
        ),
    }
}

fn seats(d: &PageData) -> String {
    let mut h = String::from(
        "<section aria-labelledby=\"h-seats\"><h2 id=\"h-seats\">Seat holders</h2>\
         <p class=\"sub\">Seats come from LinkedIn's seat list (read hourly) and are linked to existing ATS users only.</p>",
    );
    let stale: Vec<(&str, &str)> = d
        .health
        .seats
        .iter()
        .filter(|s| s.stale)
        .map(|s| (s.contract_id.as_str(), s.seat_id.as_str()))
        .collect();
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
    for contract_id in contract_ids {
        let seats: Vec<&Seat> = d
            .seats
            .iter()
            .filter(|s| s.contract_id == contract_id)
            .collect();
        let _ = write!(h, "<h3>Contract {}</h3>", esc(contract_id));
        if seats.is_empty() {
            h.push_str("<p>No seats known yet: the hourly seat sync reads them from LinkedIn.</p>");
            continue;
        }
        let _ = write!(
            h,
            "<table class=\"seats\" id=\"seats-{}\"><thead><tr><th scope=\"col\">Seat holder</th><th scope=\"col\">Seat</th>\
             <th scope=\"col\">State</th><th scope=\"col\">ATS user</th><th scope=\"col\">Back-fill</th>\
             <th scope=\"col\">Last poll</th><th scope=\"col\"><span class=\"vh\">Actions</span></th></tr></thead><tbody>",
            esc(contract_id)
        );
        for s in seats {
            let is_stale = stale.contains(&(s.contract_id.as_str(), s.seat_id.as_str()));
            let user = match &s.user_id {
                Some(u) => match d.user(u) {
                    Some(user) => format!(
                        "{} <span class=\"hint\">{}</span>",
                        esc(&user_name(user)),
                        esc(&user.email)
                    ),
                    None => format!("<code>{}</code>", esc(u)),
                },
                None => "<span class=\"hint\">not linked</span>".to_owned(),
            };
            let poll = match (s.last_polled_at, is_stale) {
                (Some(at), false) => time(at),
                (Some(at), true) => {
                    format!("{} <span class=\"badge stale\">stale</span>", time(at))
                }
                (None, true) => "never <span class=\"badge stale\">stale</span>".to_owned(),
                (None, false) => "–".to_owned(),
            };
            let _ = write!(
                h,
                "<tr id=\"seat-{c}-{id}\" data-linked=\"{linked}\"{stale_attr}><th scope=\"row\">{name}</th><td>{id}</td><td>{state}</td>\
                 <td>{user}</td><td class=\"backfill\">{backfill}</td><td>{poll}</td><td class=\"action\">{action}</td></tr>",
                c = esc(&s.contract_id),
                id = esc(&s.seat_id),
                linked = s.user_id.is_some(),
                stale_attr = if is_stale { " data-stale=\"\"" } else { "" },
                name = s.holder_name.as_deref().map_or_else(
                    || "<span class=\"hint\">name not known yet</span>".to_owned(),
                    esc
                ),
                state = s.state.as_deref().map_or_else(|| "–".to_owned(), esc),
                backfill = backfill(s),
                action = seat_action(d, s),
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>");
    h
}

fn backfill(s: &Seat) -> String {
    let Some(b) = &s.backfill else {
        return "–".to_owned();
    };
    let percent = s.backfill_percent().unwrap_or(0);
    let state = match b.state {
        BackfillState::Queued => "queued",
        BackfillState::Running => "running",
        BackfillState::Done => "done",
        BackfillState::Failed => "failed",
    };
    let mut h = format!(
        "<progress max=\"100\" value=\"{percent}\" aria-label=\"back-fill of seat {}\">{percent}%</progress> \
         <span class=\"bf-state\" data-state=\"{state}\">{state}{}</span>",
        esc(&s.seat_id),
        if b.state == BackfillState::Done {
            String::new()
        } else {
            format!(" {percent}%")
        }
    );
    if let Some(reason) = &b.reason
        && b.state != BackfillState::Done
    {
        let _ = write!(h, "<br><span class=\"hint\">{}</span>", esc(reason));
    }
    h
}

fn seat_action(d: &PageData, s: &Seat) -> String {
    let label = esc(&seat_label(s));
    let (c, id) = (esc(&s.contract_id), esc(&s.seat_id));
    match &s.user_id {
        Some(user_id) => {
            let who = d.user(user_id).map_or_else(|| user_id.clone(), user_name);
            format!(
                "<button type=\"button\" class=\"danger\" data-action=\"unlink\" data-contract=\"{c}\" data-seat=\"{id}\" \
                 data-confirm=\"Unlink {label} from {who}? Imports for this seat stop: no new InMails, notes or exports arrive for it. Everything already imported stays, and linking again resumes where it stopped.\" \
                 data-verb=\"Unlink\" data-done=\"{label} unlinked.\">Unlink</button>",
                who = esc(&who),
            )
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
            format!(
                "<button type=\"button\" data-action=\"link\" data-contract=\"{c}\" data-seat=\"{id}\" \
                 data-label=\"{label}\" data-effect=\"{}\">Link…</button>",
                esc(&effect)
            )
        }
    }
}

fn recent(d: &PageData) -> String {
    let mut h = String::from(
        "<section aria-labelledby=\"h-recent\"><h2 id=\"h-recent\">Recent imports</h2><div class=\"cols\">\
         <div><h3>Exports</h3>",
    );
    if d.exports.is_empty() {
        h.push_str("<p>No profile exported yet.</p>");
    } else {
        h.push_str("<ul class=\"recent\" id=\"recent-exports\">");
        for e in &d.exports {
            let name = e
                .candidate_id
                .as_deref()
                .and_then(|c| d.candidate_name(c))
                .or_else(|| {
                    e.profile
                        .as_ref()
                        .map(|p| format!("{} {}", p.first_name, p.last_name))
                })
                .unwrap_or_else(|| "a profile".to_owned());
            let who = match &e.candidate_id {
                Some(c) if d.candidates.contains_key(c) => d.candidate_link(c, &name),
                _ => esc(&name),
            };
            let outcome = match (e.status, e.reason) {
                (ExportStatus::Imported, _) => "imported".to_owned(),
                (ExportStatus::Pending, _) => "waiting: its seat is not linked".to_owned(),
                (ExportStatus::Skipped, Some(r)) => format!("not imported: {}", skip_reason(r)),
                (ExportStatus::Skipped, None) => "not imported".to_owned(),
                (ExportStatus::Held, _) => {
                    "held by LinkedIn while the integration is inactive: fetched again after renewal"
                        .to_owned()
                }
            };
            let _ = write!(
                h,
                "<li>{} {who} to job <code>{}</code> <span class=\"hint\">(contract {}; {})</span></li>",
                time(e.exported_at),
                esc(&e.job_id),
                esc(&e.contract_id),
                esc(&outcome)
            );
        }
        h.push_str("</ul>");
    }
    h.push_str("</div><div><h3>InMails and notes</h3>");
    if d.activity.is_empty() {
        h.push_str("<p>No InMail or note imported yet.</p>");
    } else {
        h.push_str("<ul class=\"recent\" id=\"recent-activity\">");
        for a in &d.activity {
            let what = match &a.detail {
                ActivityDetail::InMail {
                    direction, subject, ..
                } => format!(
                    "InMail “{}” {}",
                    ids_truncate(subject, 80),
                    match direction {
                        Direction::Sent => "sent to",
                        Direction::Received => "received from",
                    }
                ),
                ActivityDetail::Note { text, .. } => {
                    format!("Note “{}” about", ids_truncate(text, 80))
                }
            };
            let who = match d.candidate_name(&a.candidate_id) {
                Some(name) => d.candidate_link(&a.candidate_id, &name),
                None => {
                    "a member not exported yet <span class=\"hint\">(kept until they are)</span>"
                        .to_owned()
                }
            };
            let _ = write!(h, "<li>{} {} {who}</li>", time(a.at), esc(&what));
        }
        h.push_str("</ul>");
    }
    h.push_str("</div></div></section>");
    h
}

fn ids_truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

fn skip_reason(r: SkipReason) -> &'static str {
    match r {
        SkipReason::UnknownJob => "the ATS has no such job",
        SkipReason::ContractNotConnected => "its contract is not connected",
        SkipReason::ContractInactive => "its contract was not active",
        SkipReason::SeatNotLinked => "its seat is not linked",
        SkipReason::LinkedInInactive => "LinkedIn reported the integration inactive",
    }
}

/// The link and confirmation dialogs, outside the part the script swaps.
const DIALOGS: &str = r#"<dialog id="link-dialog" aria-labelledby="link-title"><form method="dialog" id="link-form">
<h2 id="link-title">Link <span id="link-seat"></span></h2>
<p id="link-effect"></p>
<label for="user-search">Find the ATS user by name or email</label>
<input id="user-search" type="search" autocomplete="off" spellcheck="false">
<label for="user-choice">ATS user</label>
<select id="user-choice" size="6" required></select>
<p id="link-none" class="hint" hidden>No ATS user matches. Seat holders are linked to existing users only.</p>
<div class="buttons"><button value="cancel" formnovalidate>Cancel</button> <button value="ok" id="link-ok">Link seat</button></div>
</form></dialog>
<dialog id="confirm-dialog" aria-labelledby="confirm-title"><form method="dialog">
<h2 id="confirm-title">Are you sure?</h2>
<p id="confirm-text"></p>
<div class="buttons"><button value="cancel" autofocus>Cancel</button> <button value="ok" id="confirm-ok" class="danger">OK</button></div>
</form></dialog>"#;

#[cfg(test)]
mod tests;
