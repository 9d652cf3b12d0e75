//! Contracts: status, expiry, last poll, what was imported, the transition history, the action
//! that fits the status, and the form to connect one.

use maud::{Markup, html};
use shared::clock::to_rfc3339;
use shared::domain::{Contract, ContractEvent, ContractStatus, StatusCause};

use super::{PageData, cause_label, date, status_label, time};

pub(super) fn section(d: &PageData) -> Markup {
    html! {
        section aria-labelledby="h-contracts" {
            h2 id="h-contracts" { "Contracts" }
            @if d.contracts.is_empty() {
                p { "No Recruiter contract is connected yet." }
            } @else {
                table id="contracts" {
                    thead { tr {
                        th scope="col" { "Contract" }
                        th scope="col" { "Status" }
                        th scope="col" { "Expires" }
                        th scope="col" { "Last successful poll" }
                        th scope="col" { "Imported" }
                        th scope="col" { "History" }
                        th scope="col" { span class="vh" { "Actions" } }
                    } }
                    tbody {
                        @for (c, events, counts) in &d.contracts {
                            @let status = status_label(c.status);
                            @let poll =
                                crate::views::last_successful_poll(&d.seats, &c.contract_id);
                            tr id={ "contract-" (c.contract_id) } data-status=(status) {
                                th scope="row" { (c.contract_id) }
                                td { span class={ "badge " (status.to_lowercase()) } { (status) } }
                                td {
                                    @match c.expires_at {
                                        Some(at) => (date(at)),
                                        None => "no date",
                                    }
                                }
                                td {
                                    @match poll {
                                        Some(at) => (time(at)),
                                        None => "never",
                                    }
                                }
                                td {
                                    (counts.exports) " exports, " (counts.inmails) " InMails, "
                                    (counts.notes) " notes"
                                }
                                td { (history(events)) }
                                td class="action" { (action(c)) }
                            }
                        }
                    }
                }
            }
            form id="connect-form" class="action inline" {
                fieldset {
                    legend { "Connect a contract" }
                    label for="connect-contract" { "Contract number" }
                    " "
                    input id="connect-contract" name="contract" inputmode="numeric"
                        pattern="[0-9]{1,19}" required placeholder="501"
                        title="N of urn:li:contract:N";
                    " "
                    label for="connect-expires" { "Expires on (UTC, optional)" }
                    " "
                    input id="connect-expires" name="expires" type="date";
                    " "
                    button type="submit" { "Connect" }
                }
            }
        }
    }
}

fn history(events: &[ContractEvent]) -> Markup {
    html! {
        @if events.is_empty() {
            "–"
        } @else {
            details {
                summary { (events.len()) " change(s)" }
                ol class="history" {
                    @for e in events {
                        li {
                            (time(e.at)) ": "
                            (e.from.map_or("new", status_label))
                            " → " (status_label(e.to))
                            " by " (cause_label(e.cause)) ": " (e.reason)
                        }
                    }
                }
            }
        }
    }
}

/// Disconnect an active or expired contract, connect a disabled one again; a contract LinkedIn
/// disabled only LinkedIn can enable.
fn action(c: &Contract) -> Markup {
    let id = &c.contract_id;
    html! {
        @match (c.status, c.status_cause) {
            (ContractStatus::Disabled, Some(StatusCause::LinkedIn)) => {
                span class="hint" { "Enable it in LinkedIn" }
            }
            (ContractStatus::Disabled, _) => {
                button type="button" data-action="reconnect" data-contract=(id)
                    data-expires=(c.expires_at.map(to_rfc3339).unwrap_or_default()) {
                    "Connect again"
                }
            }
            _ => {
                button type="button" class="danger" data-action="disconnect" data-contract=(id)
                    data-confirm={
                        "Disconnect contract " (id) "? Nothing more is imported or sent to \
                         LinkedIn for it. Everything already imported stays, and you can connect \
                         it again."
                    }
                    data-verb="Disconnect" data-done={ "Contract " (id) " disconnected." } {
                    "Disconnect"
                }
            }
        }
    }
}
