//! Sync health: the figures of `GET /health`, one line per problem saying what is wrong and what
//! to do, and the failures themselves.

use maud::{Markup, html};
use shared::outbound::{CleanupPhase, RecordKind};

use super::{PageData, seat_label, status_label, time, wire_name};

/// One problem: what is wrong, and what to do about it.
struct Problem {
    what: String,
    todo: String,
}

pub(super) fn section(d: &PageData) -> Markup {
    let hv = &d.health;
    let stale = hv.seats.iter().filter(|s| s.stale).count();
    let problems = problems(d);
    html! {
        section aria-labelledby="h-health" {
            h2 id="h-health" { "Sync health" }
            dl class="figures" {
                (figure("fig-stale", "Stale seats", stale))
                (figure("fig-dead", "Dead-lettered messages (14 days)", hv.dead_letters.len()))
                (figure("fig-sync", "Outbound sync errors", hv.outbound_sync_errors.len()))
                (figure("fig-unlinked", "Unlinked seats", hv.unlinked_seats.len()))
                (figure("fig-unprocessed", "Unprocessed activity", hv.unprocessed_activity.count))
                (calls_today(&hv.linkedin_budget))
            }
            @if problems.is_empty() {
                p class="ok" {
                    "Everything is flowing: every linked seat of an active contract was polled \
                     within the hour, and nothing failed."
                }
            } @else {
                ul class="problems" id="problems" {
                    @for p in &problems {
                        li { strong { (p.what) } " " span class="todo" { (p.todo) } }
                    }
                }
            }
            (cleanup(d))
            @if !hv.dead_letters.is_empty() {
                details {
                    summary { "Dead letters" }
                    table {
                        thead { tr {
                            th scope="col" { "When" }
                            th scope="col" { "Queue" }
                            th scope="col" { "Reason" }
                        } }
                        tbody {
                            @for l in &hv.dead_letters {
                                @let at = shared::clock::from_rfc3339(&l.at).unwrap_or_default();
                                tr {
                                    td { (time(at)) }
                                    td { (l.source) }
                                    td { (l.reason) }
                                }
                            }
                        }
                    }
                }
            }
            @if hv.unprocessed_activity.count > 0 {
                details id="unprocessed" {
                    summary { "Unprocessed activity" }
                    table {
                        thead { tr {
                            th scope="col" { "Stream" }
                            th scope="col" { "Seat" }
                            th scope="col" { "Reason" }
                        } }
                        tbody {
                            @for r in &hv.unprocessed_activity.records {
                                tr {
                                    td { (r.stream) }
                                    td { code { (r.seat_id) } }
                                    td { (r.reason) }
                                }
                            }
                        }
                    }
                }
            }
            @if !hv.outbound_sync_errors.is_empty() {
                details {
                    summary { "Outbound sync errors" }
                    table {
                        thead { tr { th scope="col" { "Record" } th scope="col" { "Problem" } } }
                        tbody {
                            @for e in &hv.outbound_sync_errors {
                                tr data-kind=(wire_name(&e.kind)) {
                                    td { (kind_label(e.kind)) " " code { (e.record_id) } }
                                    td { (e.message) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A clean-up at LinkedIn: how far it got, how many deletes are queued and sent, and whether
/// the sync is stopped.
fn cleanup(d: &PageData) -> Markup {
    let Some(c) = &d.sync.cleanup else {
        return html! {};
    };
    let phase = match c.phase {
        CleanupPhase::Candidates => {
            "Queuing the deletes of candidates, with their applications, stages, notes and \
             interview feedback."
        }
        CleanupPhase::Jobs => "Queuing the closing of jobs and the deletes of their hiring teams.",
        CleanupPhase::Queued => "Every delete is queued; the outbound sync sends them to LinkedIn.",
    };
    html! {
        div id="cleanup" data-phase=(wire_name(&c.phase)) data-stopped=[d.sync.stopped_at.map(|_| "")] {
            h3 { "Clean-up at LinkedIn" }
            p {
                "Started " (time(c.started_at))
                @if let Some(at) = c.finished_at { ", everything queued " (time(at)) }
                ". " (phase)
            }
            dl class="figures" {
                div class="figure" id="fig-cleanup-queued" {
                    dt { "Deletes queued" }
                    dd { (c.queued) }
                }
                div class="figure" id="fig-cleanup-sent" {
                    dt { "Deletes LinkedIn carried out" }
                    dd { (d.sync.sent_deleted) }
                }
            }
        }
    }
}

/// A record kind in words: "candidate note", "interview feedback".
fn kind_label(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Job => "job",
        RecordKind::Candidate => "candidate",
        RecordKind::Application => "application",
        RecordKind::Stages => "stages of application",
        RecordKind::Stage => "stage",
        RecordKind::CandidateNote => "candidate note",
        RecordKind::ApplicationNote => "application note",
        RecordKind::InterviewFeedback => "interview feedback",
        RecordKind::HiringTeam => "hiring team of job",
    }
}

/// One figure, outlined in red when it is not zero.
fn figure(id: &str, term: &str, count: usize) -> Markup {
    html! {
        div class=(if count > 0 { "figure bad" } else { "figure" }) id=(id) {
            dt { (term) }
            dd { (count) }
        }
    }
}

/// LinkedIn calls made today against the daily limit: marked when polling is thrifty.
fn calls_today(b: &crate::views::BudgetView) -> Markup {
    html! {
        div class=(if b.attention.is_some() { "figure bad" } else { "figure" }) id="fig-calls" {
            dt { "LinkedIn calls today (UTC)" }
            dd { (b.total_today) " of " (b.daily_limit) }
        }
    }
}

fn problems(d: &PageData) -> Vec<Problem> {
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
    for s in hv.seats.iter().filter(|s| s.stale) {
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
    let budget = &hv.linkedin_budget;
    if let Some(attention) = &budget.attention {
        problems.push(Problem {
            what: format!(
                "LinkedIn's daily limit is tight: {} of {} calls used today, {} of them by activity reads (allowed {}).",
                budget.total_today,
                budget.daily_limit,
                budget.calls_today.activity,
                budget.activity_allowance
            ),
            todo: sentence(attention),
        });
    }
    if d.sync.stopped_at.is_some() {
        problems.push(Problem {
            what: "The outbound sync is stopped by a clean-up: only deletes go to LinkedIn; the \
                   ATS's other changes are kept but not sent."
                .to_owned(),
            todo: format!(
                "To send to LinkedIn again, start a full sync (POST /tenants/{}/sync/full).",
                d.tenant.tenant_id
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
    problems
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
