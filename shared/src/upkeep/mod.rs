//! The scheduled reviews of every tenant, spread so that no invocation's work grows with the
//! number of tenants: the hourly contract review and onboarding refresh (contract-expiry) and the
//! daily closed-profile review (compliance-review).
//!
//! A scheduled run walks its listing of tenants (gsi2 `CONTRACT` or `ONBOARDING`, a page at a
//! time) and does each tenant's job itself while its time budget lasts
//! (`UpkeepTimeBudgetSeconds`). Past that, it only puts each further tenant's job on the upkeep
//! queue, ten to a `SendMessageBatch`; and if even that runs out of time, it hands the rest of
//! the listing to the queue as one [`UpkeepMessage::Walk`]. tenant-upkeep takes both: a tenant's
//! job it does; a walk it continues the same way, queueing jobs for its own budget and handing
//! on the rest. A small deployment is thus reviewed in the scheduled run, as before; a large one
//! by as many tenant-upkeep invocations at once as the queue's consumers allow.
//!
//! A tenant whose job fails in the scheduled run is queued instead, so the queue's retries and
//! dead-letter queue apply to it as to any other.

mod compliance;
mod contracts;

use std::collections::VecDeque;
use std::future::Future;

pub use compliance::{ComplianceSummary, ComplianceUpkeep};
pub use contracts::{ContractUpkeep, ExpirySummary};

use crate::clock::SharedClock;
use crate::error::Result;
use crate::messages::{TenantListing, UpkeepJob, UpkeepMessage};
use crate::queue::Queue;
use crate::store::Store;

/// How long a run may go on queueing jobs after its time budget for doing them is spent, before
/// it hands the rest of the listing on (queueing goes at about a thousand tenants a second).
pub const QUEUEING_MS: i64 = 20_000;

/// How long a scheduled run does tenants' jobs itself: `UPKEEP_TIME_BUDGET_SECONDS` (template
/// parameter `UpkeepTimeBudgetSeconds`, 0 to 240, default 180; 0 queues every tenant), which
/// with [`QUEUEING_MS`] stays well inside the runs' 300 s timeout.
pub fn time_budget_from(
    env: &crate::config::Env,
) -> std::result::Result<std::time::Duration, crate::config::ConfigError> {
    env.budget_seconds("UPKEEP_TIME_BUDGET_SECONDS", 180, 0..=240)
}

/// The daily review's metrics, from whichever function did it.
pub fn emit_compliance_metrics(function: &str, summary: &ComplianceSummary) {
    use crate::metrics::{Unit, emit};
    emit(
        function,
        &[],
        &[
            ("PurgedFlagged", summary.flagged as f64, Unit::Count),
            ("PurgedDeleted", summary.deleted as f64, Unit::Count),
        ],
    );
}

/// The tenants of a listing, each once, from where a walk stands.
#[derive(Clone, Debug)]
pub struct TenantWalk {
    listing: TenantListing,
    next_token: Option<String>,
    last_tenant: Option<String>,
    /// Tenants of the page read last, not handed out yet.
    ready: VecDeque<String>,
    /// The listing was read to its end.
    read_all: bool,
}

impl TenantWalk {
    /// A walk from the start of `listing`.
    pub fn start(listing: TenantListing) -> Self {
        Self::resume(listing, None, None)
    }

    /// A walk from where a handed-off one stopped.
    pub fn resume(
        listing: TenantListing,
        next_token: Option<String>,
        last_tenant: Option<String>,
    ) -> Self {
        Self {
            listing,
            next_token,
            last_tenant,
            ready: VecDeque::new(),
            read_all: false,
        }
    }

    /// The next tenant, reading the next page when needed; `None` at the end of the listing.
    pub async fn next(&mut self, store: &Store) -> Result<Option<String>> {
        loop {
            if let Some(tenant) = self.ready.pop_front() {
                return Ok(Some(tenant));
            }
            if self.read_all {
                return Ok(None);
            }
            let page = store
                .tenants_page(self.listing, self.next_token.as_deref())
                .await?;
            for tenant in page.items {
                // A tenant's contracts are next to each other, across pages too.
                if self.last_tenant.as_deref() != Some(tenant.as_str()) {
                    self.last_tenant = Some(tenant.clone());
                    self.ready.push_back(tenant);
                }
            }
            self.read_all = page.next_token.is_none();
            self.next_token = page.next_token;
        }
    }

    /// What is left of the walk, for the queue: the tenants already read, as jobs, and the rest
    /// of the listing as a walk (unless it was read to its end).
    fn hand_off(self, then: UpkeepJob) -> Vec<UpkeepMessage> {
        let mut out: Vec<UpkeepMessage> =
            self.ready.into_iter().map(|t| then.for_tenant(t)).collect();
        if !self.read_all {
            out.push(UpkeepMessage::Walk {
                listing: self.listing,
                then,
                next_token: self.next_token,
                last_tenant: self.last_tenant,
            });
        }
        out
    }
}

/// What a walk did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Walked {
    /// Tenants whose job this invocation did.
    pub done_here: usize,
    /// Tenants whose job went to the upkeep queue (for lack of time, or after a failure here).
    pub queued: usize,
    /// The rest of the listing handed to the upkeep queue as one message.
    pub handed_off: bool,
}

impl std::ops::AddAssign for Walked {
    fn add_assign(&mut self, o: Self) {
        self.done_here += o.done_here;
        self.queued += o.queued;
        self.handed_off |= o.handed_off;
    }
}

/// Where a walk sends what it does not do, and until when it does and queues.
pub struct Drive<'a> {
    pub store: &'a Store,
    pub queue: &'a Queue,
    pub clock: &'a SharedClock,
    /// Until this instant (epoch ms), tenants' jobs are done here.
    pub do_until: i64,
    /// Until this one, they are queued; then the rest of the walk is handed on.
    pub queue_until: i64,
}

impl Drive<'_> {
    /// A scheduled run's drive: do jobs for `budget_ms`, then queue for [`QUEUEING_MS`].
    pub fn scheduled<'a>(
        store: &'a Store,
        queue: &'a Queue,
        clock: &'a SharedClock,
        budget_ms: i64,
    ) -> Drive<'a> {
        let now = clock.now_ms();
        Drive {
            store,
            queue,
            clock,
            do_until: now + budget_ms,
            queue_until: now + budget_ms + QUEUEING_MS,
        }
    }

    /// Walks `walk`, doing `then` for each tenant with `job` while there is time (adding what
    /// it answers to `total`), then queueing `then` for each, then handing the rest on.
    pub async fn walk<S, F, Fut>(
        &self,
        mut walk: TenantWalk,
        then: UpkeepJob,
        mut job: F,
        total: &mut S,
    ) -> Result<Walked>
    where
        S: std::ops::AddAssign,
        F: FnMut(String) -> Fut,
        Fut: Future<Output = Result<S>>,
    {
        let mut walked = Walked::default();
        let mut due: Vec<UpkeepMessage> = Vec::new();
        loop {
            let now = self.clock.now_ms();
            if now >= self.queue_until {
                let rest = walk.hand_off(then);
                walked.handed_off = matches!(rest.last(), Some(UpkeepMessage::Walk { .. }));
                walked.queued += rest.len() - usize::from(walked.handed_off);
                due.extend(rest);
                break;
            }
            let Some(tenant) = walk.next(self.store).await? else {
                break;
            };
            if now < self.do_until {
                match job(tenant.clone()).await {
                    Ok(done) => {
                        *total += done;
                        walked.done_here += 1;
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(%tenant, error = %e, "tenant's review failed here; queued to be tried again");
                    }
                }
            }
            due.push(then.for_tenant(tenant));
            walked.queued += 1;
            if due.len() == 10 {
                self.queue.send_batch(&due).await?;
                due.clear();
            }
        }
        self.queue.send_batch(&due).await?;
        Ok(walked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_hands_off_what_it_read_as_jobs_and_the_rest_as_a_walk() {
        let mut walk = TenantWalk::resume(
            TenantListing::Contracts,
            Some("token".into()),
            Some("acme".into()),
        );
        walk.ready.push_back("beta".into());
        let rest = walk.clone().hand_off(UpkeepJob::Compliance);
        assert_eq!(
            rest,
            [
                UpkeepMessage::Compliance {
                    tenant_id: "beta".into()
                },
                UpkeepMessage::Walk {
                    listing: TenantListing::Contracts,
                    then: UpkeepJob::Compliance,
                    next_token: Some("token".into()),
                    last_tenant: Some("acme".into()),
                }
            ]
        );
        walk.read_all = true;
        assert_eq!(
            walk.hand_off(UpkeepJob::Compliance).len(),
            1,
            "nothing left to walk"
        );
    }

    #[test]
    fn upkeep_messages_say_their_job() {
        let m = UpkeepJob::Onboarding.for_tenant("acme".into());
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            serde_json::json!({"job": "onboarding", "tenantId": "acme"})
        );
        let walk: UpkeepMessage = serde_json::from_value(serde_json::json!({
            "job": "walk", "listing": "onboarded", "then": "onboarding"
        }))
        .unwrap();
        assert_eq!(
            walk,
            UpkeepMessage::Walk {
                listing: TenantListing::Onboarded,
                then: UpkeepJob::Onboarding,
                next_token: None,
                last_tenant: None
            }
        );
    }
}
