//! The hourly review of one tenant: each contract's expiry date and LinkedIn's status (see
//! `crate::contracts`), the seats of its active contracts (see `crate::seats`), its stale seats,
//! the exports LinkedIn held while its integration was inactive, and a nudge of its outbound
//! sync; and, separately, the refresh of its onboarding checklist (see `crate::onboarding`).

use std::sync::Arc;

use serde::Serialize;

use crate::contracts::{self, Review};
use crate::error::Result;
use crate::linkedin::LinkedIn;
use crate::messages::{LinkedInEvent, NotificationKind, OutboundMessage};
use crate::queue::Queue;
use crate::secrets::CustomerSecrets;
use crate::store::Store;
use crate::upkeep::Walked;

/// What the hourly review did, summed over the tenants it covered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpirySummary {
    pub contracts: usize,
    pub expired_by_date: usize,
    pub expired_by_linkedin: usize,
    pub renewed: usize,
    pub probe_failed: usize,
    /// Seats LinkedIn listed for the active contracts, and what seat sync made of them.
    pub seats: usize,
    pub seats_linked_automatically: usize,
    pub seats_unlinked: usize,
    pub seat_sync_failed: usize,
    /// Tenants with an active contract, nudged to send what is pending to LinkedIn.
    pub sync_nudges: usize,
    /// Linked seats of active contracts without a complete poll for two intervals.
    pub stale_seats: usize,
    /// Back-fill steps queued: for seats the seat sync linked, and for back-fills that stalled
    /// or were paused while their contract was inactive.
    pub backfill_steps_queued: usize,
    /// Exports LinkedIn held while an integration was inactive, queued to be fetched again.
    pub held_exports_queued: usize,
    /// Tenants onboarded with the partner flow whose checklist was refreshed (new contracts'
    /// `CSA_API` named, enablement read), and how many of them are complete.
    pub onboarding_refreshed: usize,
    pub onboarding_complete: usize,
    /// Tenants reviewed by this invocation, and those left to the upkeep queue.
    pub tenants: Walked,
}

impl std::ops::AddAssign for ExpirySummary {
    fn add_assign(&mut self, o: Self) {
        self.contracts += o.contracts;
        self.expired_by_date += o.expired_by_date;
        self.expired_by_linkedin += o.expired_by_linkedin;
        self.renewed += o.renewed;
        self.probe_failed += o.probe_failed;
        self.seats += o.seats;
        self.seats_linked_automatically += o.seats_linked_automatically;
        self.seats_unlinked += o.seats_unlinked;
        self.seat_sync_failed += o.seat_sync_failed;
        self.sync_nudges += o.sync_nudges;
        self.stale_seats += o.stale_seats;
        self.backfill_steps_queued += o.backfill_steps_queued;
        self.held_exports_queued += o.held_exports_queued;
        self.onboarding_refreshed += o.onboarding_refreshed;
        self.onboarding_complete += o.onboarding_complete;
        self.tenants += o.tenants;
    }
}

/// What the hourly review of a tenant needs.
pub struct ContractUpkeep {
    pub store: Store,
    pub secrets: Arc<CustomerSecrets>,
    pub linkedin: Arc<LinkedIn>,
    /// The ats-changes queue (outbound-sync nudges).
    pub changes: Queue,
    pub backfills: Queue,
    pub exports: Queue,
    pub backfill_horizon_days: u64,
    /// The calls a tenant's activity reads may make in a UTC day (`crate::budget`): stale
    /// seats are judged against the poll's plan.
    pub polling_allowance: u64,
}

impl ContractUpkeep {
    /// Reviews every contract of the tenant; for each active one syncs its seats and queues the
    /// back-fills due; then counts the tenant's stale seats, queues the exports LinkedIn held,
    /// and nudges the outbound sync, if any contract is active.
    pub async fn review_tenant(&self, tenant: &str, now: i64) -> Result<ExpirySummary> {
        let mut summary = ExpirySummary::default();
        let stored = self.store.list_contracts(tenant).await?;
        summary.contracts = stored.len();
        let creds = self
            .secrets
            .get(tenant)
            .await
            .inspect_err(|e| tracing::error!(%tenant, error = %e, "no LinkedIn credentials; contracts not probed"))
            .ok();
        let mut any_active = false;
        for contract in stored.iter().map(|c| c.contract_id.as_str()) {
            let Some(creds) = &creds else {
                summary.probe_failed += 1;
                continue;
            };
            match contracts::review(&self.store, &self.linkedin, creds, tenant, contract, now)
                .await?
            {
                Review::Unchanged => {}
                Review::ExpiredByDate => summary.expired_by_date += 1,
                Review::ExpiredByLinkedIn => summary.expired_by_linkedin += 1,
                Review::Renewed => summary.renewed += 1,
                Review::ProbeFailed => summary.probe_failed += 1,
            }
            let active = self
                .store
                .get_contract(tenant, contract)
                .await?
                .is_some_and(|c| c.is_active_at(now));
            if !active {
                continue;
            }
            any_active = true;
            match crate::seats::sync_contract_seats(
                &self.store,
                &self.linkedin,
                creds,
                tenant,
                contract,
                now,
            )
            .await
            {
                Ok(sync) => {
                    summary.seats += sync.seats;
                    summary.seats_linked_automatically += sync.linked_automatically;
                    summary.seats_unlinked += sync.unlinked;
                    summary.backfill_steps_queued += crate::seats::queue_due_backfills(
                        &self.store,
                        &self.backfills,
                        tenant,
                        contract,
                        self.backfill_horizon_days,
                        now,
                    )
                    .await?;
                }
                Err(e) => {
                    tracing::warn!(%contract, error = %e, "seat sync failed; tried again next hour");
                    summary.seat_sync_failed += 1;
                }
            }
        }
        if !any_active {
            return Ok(summary);
        }
        // Linked seats of active contracts without a complete poll for two intervals: the
        // StaleSeats alarm of template.yaml fires on this.
        let contracts = self.store.list_contracts(tenant).await?;
        let plan = self.poll_plan(tenant, now).await?;
        let active = |id: &str| {
            contracts
                .iter()
                .any(|c| c.contract_id == id && c.is_active_at(now))
        };
        summary.stale_seats = self
            .store
            .all_seats(tenant)
            .await?
            .iter()
            .filter(|s| s.is_stale(active(&s.contract_id), now, &plan))
            .count();
        let held: Vec<LinkedInEvent> = self
            .store
            .held_exports(tenant)
            .await?
            .into_iter()
            .map(|request_id| LinkedInEvent {
                tenant_id: tenant.to_owned(),
                notification_id: format!("held:{request_id}"),
                kind: NotificationKind::ExportCandidateProfile,
                request_id,
                integration_context: None,
                occurred_at: None,
                received_at: now,
            })
            .collect();
        self.exports.send_batch(&held).await?;
        summary.held_exports_queued = held.len();
        // Changes kept while the contracts were expired (or left by a run that crashed) go to
        // LinkedIn now.
        self.changes
            .send(&OutboundMessage::Changed {
                tenant_id: tenant.to_owned(),
            })
            .await?;
        summary.sync_nudges = 1;
        Ok(summary)
    }

    /// The tenant's poll plan now (one read of its day items).
    async fn poll_plan(&self, tenant: &str, now: i64) -> Result<crate::budget::PollPlan> {
        let (today, yesterday) = self.store.plan_days_of(tenant, now).await?;
        Ok(crate::budget::plan_at(
            &today,
            &yesterday,
            self.polling_allowance,
            now,
        ))
    }

    /// Refreshes the tenant's onboarding checklist: the `CSA_API` of contracts connected since
    /// is named, and whether the customer has enabled the integrations in Recruiter is read
    /// again. A failure is logged and tried again next hour.
    pub async fn refresh_onboarding(&self, tenant_id: &str, now: i64) -> Result<ExpirySummary> {
        let mut summary = ExpirySummary::default();
        let Some(tenant) = self.store.get_tenant(tenant_id).await? else {
            return Ok(summary);
        };
        match crate::onboarding::refresh(&self.store, &self.linkedin, &self.secrets, &tenant, now)
            .await
        {
            Ok(Some(record)) => {
                summary.onboarding_refreshed = 1;
                summary.onboarding_complete = usize::from(record.complete());
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(tenant = %tenant_id, error = %e, "onboarding checklist not refreshed; tried again next hour");
            }
        }
        Ok(summary)
    }
}
