//! Onboarding with LinkedIn's partner flow (docs/onboarding.md): the tenant's checklist, each
//! step with its state in words, what happened and what to do next. Nothing for a tenant that
//! was not onboarded that way.

use maud::{Markup, html};
use shared::domain::{Onboarding, StepState};

use super::{PageData, time, wire_name};

pub(super) fn section(d: &PageData) -> Markup {
    let Some(o) = &d.onboarding else {
        return html! {};
    };
    let complete = o.complete();
    html! {
        section aria-labelledby="h-onboarding" id="onboarding"
            data-complete=(if complete { "true" } else { "false" }) {
            h2 id="h-onboarding" { "Onboarding with LinkedIn" }
            p class="sub" {
                @if let Some(app) = &o.application {
                    "LinkedIn application " code { (app) } " · "
                }
                "checked " (time(o.updated_at))
            }
            @if complete {
                p class="ok" {
                    "Every step is done: the integrations are named, LinkedIn calls this \
                     deployment back, and the customer enabled them in Recruiter."
                }
            } @else {
                p class="note" { (summary(o)) }
            }
            table id="onboarding-steps" {
                thead { tr {
                    th scope="col" { "Step" }
                    th scope="col" { "State" }
                    th scope="col" { "What happened" }
                    th scope="col" { "What to do next" }
                } }
                tbody {
                    @for s in &o.steps {
                        @let state = wire_name(&s.state);
                        tr id={ "step-" (wire_name(&s.step)) } data-state=(state) {
                            th scope="row" { (s.step.label()) }
                            td { span class={ "badge " (state) } { (state) } }
                            td { (s.detail) " " span class="hint" { "(" (time(s.at)) ")" } }
                            td {
                                @match &s.next {
                                    Some(next) => (next),
                                    None => span class="hint" { "nothing" },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What an unfinished checklist asks for.
fn summary(o: &Onboarding) -> Markup {
    if o.steps.iter().any(|s| s.state == StepState::Failed) {
        html! {
            "A step failed. Do what its line says, then onboard again ("
            code { "POST /tenants/" (o.tenant_id) "/linkedin/onboard" }
            "): done steps are confirmed, failed ones tried again."
        }
    } else {
        html! {
            "Not complete yet: a step waits for an earlier one or for the customer. The hourly \
             contract review reads again whether the customer enabled the integrations in \
             Recruiter."
        }
    }
}
