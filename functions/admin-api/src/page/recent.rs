//! Recent imports: the latest exports and the latest InMails and notes, with links to their
//! candidates.

use maud::{Markup, html};
use shared::domain::{Activity, ActivityDetail, Direction, ExportRecord, ExportStatus, SkipReason};

use super::{PageData, time};

pub(super) fn section(d: &PageData) -> Markup {
    html! {
        section aria-labelledby="h-recent" {
            h2 id="h-recent" { "Recent imports" }
            div class="cols" {
                div {
                    h3 { "Exports" }
                    @if d.exports.is_empty() {
                        p { "No profile exported yet." }
                    } @else {
                        ul class="recent" id="recent-exports" {
                            @for e in &d.exports { (export(d, e)) }
                        }
                    }
                }
                div {
                    h3 { "InMails and notes" }
                    @if d.activity.is_empty() {
                        p { "No InMail or note imported yet." }
                    } @else {
                        ul class="recent" id="recent-activity" {
                            @for a in &d.activity { (activity(d, a)) }
                        }
                    }
                }
            }
        }
    }
}

fn export(d: &PageData, e: &ExportRecord) -> Markup {
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
    html! {
        li {
            (time(e.exported_at)) " "
            @match &e.candidate_id {
                Some(c) if d.candidates.contains_key(c) => (d.candidate_anchor(c, &name)),
                _ => (name),
            }
            " to job " code { (e.job_id) } " "
            span class="hint" { "(contract " (e.contract_id) "; " (outcome) ")" }
        }
    }
}

fn activity(d: &PageData, a: &Activity) -> Markup {
    let what = match &a.detail {
        ActivityDetail::InMail {
            direction, subject, ..
        } => format!(
            "InMail “{}” {}",
            truncate(subject, 80),
            match direction {
                Direction::Sent => "sent to",
                Direction::Received => "received from",
            }
        ),
        ActivityDetail::Note { text, .. } => format!("Note “{}” about", truncate(text, 80)),
    };
    html! {
        li {
            (time(a.at)) " " (what) " "
            @match d.candidate_name(&a.candidate_id) {
                Some(name) => (d.candidate_anchor(&a.candidate_id, &name)),
                None => {
                    "a member not exported yet " span class="hint" { "(kept until they are)" }
                }
            }
        }
    }
}

fn truncate(s: &str, max: usize) -> String {
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
