//! contract-expiry: every hour, reviews every connected contract (found through gsi2, not a
//! scan). Active contracts past their `expiresAt` become Expired; each other active contract is
//! probed with one cheap LinkedIn call, and an answer that it is expired or switched off marks
//! it Expired; a contract LinkedIn had reported expired and now serves again becomes Active.
//! Every change is kept in the contract's audit trail (see `shared::contracts`). Then the seats of
//! every active contract are synced from LinkedIn (see `shared::seats`). Last, every tenant with
//! an active contract gets an outbound-sync nudge: changes kept while its contracts were expired
//! (or left by a run that crashed) go to LinkedIn now, and exports LinkedIn held while the
//! tenant's integration was inactive are queued to be fetched again. And every tenant onboarded
//! with the partner flow has its checklist refreshed (see `shared::onboarding`).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;
use shared::aws::Clients;
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::contracts::{self, Review};
use shared::linkedin::LinkedIn;
use shared::messages::{LinkedInEvent, NotificationKind, OutboundMessage};
use shared::queue::Queue;
use shared::seats;
use shared::secrets::{CustomerSecrets, DEFAULT_CACHE_TTL, LinkedInCredentials};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub secret_prefix: String,
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    pub changes_queue_url: String,
    pub backfill_queue_url: String,
    pub exports_queue_url: String,
    pub backfill_horizon_days: u64,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            secret_prefix: env.required("SECRET_PREFIX", "the name prefix of customer secrets")?,
            linkedin_api_url: env.required_url("LINKEDIN_API_URL", "LinkedIn's API base URL")?,
            linkedin_auth_url: env
                .required_url("LINKEDIN_AUTH_URL", "LinkedIn's OAuth base URL")?,
            changes_queue_url: env.required(
                "ATS_CHANGES_QUEUE_URL",
                "the ats-changes queue (outbound-sync nudges)",
            )?,
            backfill_queue_url: env.required(
                "BACKFILL_QUEUE_URL",
                "the back-fill queue (seats linked by the seat sync, stalled back-fills)",
            )?,
            exports_queue_url: env.required(
                "EXPORTS_QUEUE_URL",
                "the exports queue (exports held while an integration was inactive)",
            )?,
            backfill_horizon_days: shared::domain::Backfill::horizon_from_env(env)?,
        })
    }
}

/// What one run did.
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
}

pub struct ContractExpiry {
    store: Store,
    secrets: Arc<CustomerSecrets>,
    linkedin: LinkedIn,
    changes: Queue,
    backfills: Queue,
    exports: Queue,
    backfill_horizon_days: u64,
    clock: SharedClock,
}

impl ContractExpiry {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> shared::Result<Self> {
        Ok(Self {
            store: Store::new(clients.dynamodb.clone(), config.table_name),
            secrets: Arc::new(CustomerSecrets::new(
                clients.secrets.clone(),
                config.secret_prefix,
                DEFAULT_CACHE_TTL,
            )),
            linkedin: LinkedIn::new(config.linkedin_api_url, config.linkedin_auth_url)?,
            changes: Queue::new(clients.sqs.clone(), config.changes_queue_url),
            backfills: Queue::new(clients.sqs.clone(), config.backfill_queue_url),
            exports: Queue::new(clients.sqs.clone(), config.exports_queue_url),
            backfill_horizon_days: config.backfill_horizon_days,
            clock,
        })
    }

    /// One run; the LinkedIn calls it made are counted whatever its outcome.
    pub async fn handle(&self, _event: serde_json::Value) -> shared::Result<ExpirySummary> {
        let summary = self.run().await;
        shared::budget::record(
            &self.store,
            shared::budget::CallTally::calls_of(&self.linkedin),
            self.clock.now_ms(),
        )
        .await;
        summary
    }

    async fn run(&self) -> shared::Result<ExpirySummary> {
        let now = self.clock.now_ms();
        let all = self.store.all_contracts().await?;
        let mut summary = ExpirySummary {
            contracts: all.len(),
            ..ExpirySummary::default()
        };
        let mut creds: HashMap<String, Option<LinkedInCredentials>> = HashMap::new();
        let mut active_tenants = BTreeSet::new();
        for (tenant, contract) in all {
            if !creds.contains_key(&tenant) {
                let found = self.secrets.get(&tenant).await.inspect_err(|e| tracing::error!(tenant = %tenant, error = %e, "no LinkedIn credentials; contracts not probed")).ok();
                creds.insert(tenant.clone(), found);
            }
            let Some(Some(c)) = creds.get(&tenant) else {
                summary.probe_failed += 1;
                continue;
            };
            match contracts::review(&self.store, &self.linkedin, c, &tenant, &contract, now).await?
            {
                Review::Unchanged => {}
                Review::ExpiredByDate => summary.expired_by_date += 1,
                Review::ExpiredByLinkedIn => summary.expired_by_linkedin += 1,
                Review::Renewed => summary.renewed += 1,
                Review::ProbeFailed => summary.probe_failed += 1,
            }
            let active = self
                .store
                .get_contract(&tenant, &contract)
                .await?
                .is_some_and(|c| c.is_active_at(now));
            if active {
                active_tenants.insert(tenant.clone());
                match seats::sync_contract_seats(
                    &self.store,
                    &self.linkedin,
                    c,
                    &tenant,
                    &contract,
                    now,
                )
                .await
                {
                    Ok(sync) => {
                        summary.seats += sync.seats;
                        summary.seats_linked_automatically += sync.linked_automatically;
                        summary.seats_unlinked += sync.unlinked;
                        summary.backfill_steps_queued += seats::queue_due_backfills(
                            &self.store,
                            &self.backfills,
                            &tenant,
                            &contract,
                            self.backfill_horizon_days,
                            now,
                        )
                        .await?;
                    }
                    Err(e) => {
                        tracing::warn!(contract = %contract, error = %e, "seat sync failed; tried again next hour");
                        summary.seat_sync_failed += 1;
                    }
                }
            }
        }
        // Linked seats of active contracts without a complete poll for two intervals: the
        // StaleSeats alarm of template.yaml fires on this.
        let mut stale = 0u64;
        for tenant in &active_tenants {
            let contracts = self.store.list_contracts(tenant).await?;
            let active = |id: &str| {
                contracts
                    .iter()
                    .any(|c| c.contract_id == id && c.is_active_at(now))
            };
            stale += self
                .store
                .all_seats(tenant)
                .await?
                .iter()
                .filter(|s| s.is_stale(active(&s.contract_id), now))
                .count() as u64;
        }
        summary.stale_seats = stale as usize;
        shared::metrics::count("contract-expiry", &[], "StaleSeats", stale);
        for tenant in &active_tenants {
            let held: Vec<LinkedInEvent> = self
                .store
                .held_exports(tenant)
                .await?
                .into_iter()
                .map(|request_id| LinkedInEvent {
                    tenant_id: tenant.clone(),
                    notification_id: format!("held:{request_id}"),
                    kind: NotificationKind::ExportCandidateProfile,
                    request_id,
                    integration_context: None,
                    occurred_at: None,
                    received_at: now,
                })
                .collect();
            self.exports.send_batch(&held).await?;
            summary.held_exports_queued += held.len();
        }
        // Onboarding checklists: the CSA_API of contracts connected since is named, and whether
        // the customer has enabled the integrations in Recruiter is read again.
        for tenant_id in self.store.onboarded_tenants().await? {
            let Some(tenant) = self.store.get_tenant(&tenant_id).await? else {
                continue;
            };
            match shared::onboarding::refresh(
                &self.store,
                &self.linkedin,
                &self.secrets,
                &tenant,
                now,
            )
            .await
            {
                Ok(Some(record)) => {
                    summary.onboarding_refreshed += 1;
                    summary.onboarding_complete += usize::from(record.complete());
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(tenant = %tenant_id, error = %e, "onboarding checklist not refreshed; tried again next hour");
                }
            }
        }
        let nudges: Vec<OutboundMessage> = active_tenants
            .into_iter()
            .map(|tenant_id| OutboundMessage::Changed { tenant_id })
            .collect();
        self.changes.send_batch(&nudges).await?;
        summary.sync_nudges = nudges.len();
        tracing::info!(?summary, "contracts reviewed");
        Ok(summary)
    }
}
