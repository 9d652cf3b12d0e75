//! seat-backfill: after a seat is linked, imports the leads it exported while unlinked, then its
//! history, from the back-fill horizon up to its
//! link time (where live polling took over), in bounded steps. Each message does at most
//! `MAX_WINDOWS_PER_STEP` windows or `BACKFILL_TIME_BUDGET_SECONDS` of work, stores its progress
//! and state on the seat, and puts the next step on the queue. Records are keyed by LinkedIn's
//! ids and the back-fill stops where live polling starts, so the two never import a record twice.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shared::activity::ActivityImport;
use shared::aws::Clients;
use shared::batch::{self, BatchQueues, Message};
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::domain::{Backfill, BackfillState, CursorSet, ImportCounts};
use shared::linkedin::LinkedIn;
use shared::messages::BackfillStep;
use shared::queue::Queue;
use shared::secrets::{CustomerSecrets, DEFAULT_CACHE_TTL};
use shared::store::Store;
use shared::{Result, ids};
use tracing::Instrument;

/// Windows (of at most 12 h, per stream) one step reads at most: 90 is 45 days of one stream.
pub const MAX_WINDOWS_PER_STEP: usize = 90;

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub backfill_queue_url: String,
    pub backfill_dlq_url: String,
    pub secret_prefix: String,
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    pub time_budget: Duration,
    /// The calls a tenant's activity reads may make in a UTC day (`shared::budget`).
    pub polling_allowance: u64,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            backfill_queue_url: env.required(
                "BACKFILL_QUEUE_URL",
                "the back-fill queue this function consumes",
            )?,
            backfill_dlq_url: env.required(
                "BACKFILL_DLQ_URL",
                "the dead-letter queue of the back-fill queue",
            )?,
            secret_prefix: env.required("SECRET_PREFIX", "the name prefix of customer secrets")?,
            linkedin_api_url: env.required_url("LINKEDIN_API_URL", "LinkedIn's API base URL")?,
            linkedin_auth_url: env
                .required_url("LINKEDIN_AUTH_URL", "LinkedIn's OAuth base URL")?,
            time_budget: env.budget_seconds("BACKFILL_TIME_BUDGET_SECONDS", 30, 5..=45)?,
            polling_allowance: shared::budget::polling_allowance_from(env)?,
        })
    }
}

pub struct SeatBackfill {
    store: Store,
    secrets: Arc<CustomerSecrets>,
    linkedin: LinkedIn,
    queues: BatchQueues,
    clock: SharedClock,
    time_budget: Duration,
    polling_allowance: u64,
}

impl SeatBackfill {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> Result<Self> {
        Ok(Self {
            store: Store::new(clients.dynamodb.clone(), config.table_name.clone()),
            secrets: Arc::new(CustomerSecrets::new(
                clients.secrets.clone(),
                config.secret_prefix,
                DEFAULT_CACHE_TTL,
            )),
            linkedin: LinkedIn::new(config.linkedin_api_url, config.linkedin_auth_url)?,
            queues: BatchQueues {
                source: Queue::new(clients.sqs.clone(), config.backfill_queue_url),
                dead_letters: Queue::new(clients.sqs.clone(), config.backfill_dlq_url),
                log: Some(Store::new(clients.dynamodb.clone(), config.table_name)),
            },
            clock,
            time_budget: config.time_budget,
            polling_allowance: config.polling_allowance,
        })
    }

    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let answer = batch::process(event, &self.queues, 1, |m| self.process(m)).await;
        shared::budget::record_calls_of(&self.store, &self.linkedin, self.clock.now_ms()).await;
        answer
    }

    async fn process(&self, message: Message) -> Result<()> {
        let step: BackfillStep = message.json()?;
        ids::check("tenantId", &step.tenant_id)?;
        ids::urn_number("contract", &step.contract_id)?;
        ids::check("seatId", &step.seat_id)?;
        let span = tracing::info_span!("backfill", tenant = %step.tenant_id, contract = %step.contract_id, seat = %step.seat_id);
        self.step(&step).instrument(span).await
    }

    /// How long to wait when the tenant's activity reads have used the day's allowance: until
    /// the next UTC day (at most 12 hours, SQS's longest visibility timeout).
    async fn budget_used_until(&self, tenant: &str, now: i64) -> Result<Option<Duration>> {
        let (today, _) = self.store.plan_days_of(tenant, now).await?;
        if today.calls.activity < self.polling_allowance {
            return Ok(None);
        }
        let to_midnight = 86_400_000 - now.rem_euclid(86_400_000) + 60_000;
        Ok(Some(Duration::from_millis(
            to_midnight.min(12 * 3_600_000) as u64
        )))
    }

    async fn step(&self, step: &BackfillStep) -> Result<()> {
        let started = Instant::now();
        let now = self.clock.now_ms();
        let key = (
            step.tenant_id.as_str(),
            step.contract_id.as_str(),
            step.seat_id.as_str(),
        );
        let Some(seat) = self.store.get_seat(key.0, key.1, key.2).await? else {
            return Ok(());
        };
        // Leads the seat exported while it was not linked become candidates first.
        if seat.user_id.is_some() {
            let leads =
                shared::exports::import_pending_leads(&self.store, key.0, key.1, key.2, now)
                    .await?;
            if leads > 0 {
                tracing::info!(leads, "pending leads imported");
                shared::metrics::count("seat-backfill", &[], "LeadsImported", leads as u64);
            }
        }
        let Some(backfill) = seat
            .backfill
            .clone()
            .filter(|b| matches!(b.state, BackfillState::Queued | BackfillState::Running))
        else {
            tracing::info!("no back-fill to do");
            return Ok(());
        };
        // History waits while the day's share of LinkedIn calls for activity reads is used, so
        // that linking many seats cannot spend what exports and the sync are kept.
        if let Some(wait) = self.budget_used_until(key.0, now).await? {
            tracing::info!(
                ?wait,
                "the day's activity calls are used; the back-fill waits"
            );
            return Err(shared::Error::Throttled {
                retry_after: Some(wait),
            });
        }
        let active = self
            .store
            .get_contract(key.0, key.1)
            .await?
            .is_some_and(|c| c.is_active_at(now));
        if !active || seat.user_id.is_none() {
            // Paused: the next link or renewal starts it again.
            let paused = Backfill {
                reason: Some("paused: the seat is unlinked or its contract is not active".into()),
                updated_at: now,
                ..backfill
            };
            return self.store.finish_backfill_step(key, &[], &paused).await;
        }
        let creds = self.secrets.get(key.0).await?;
        let import = ActivityImport {
            store: &self.store,
            linkedin: &self.linkedin,
            creds: &creds,
            deadline: started + self.time_budget,
            max_windows: MAX_WINDOWS_PER_STEP,
            set: CursorSet::Backfill,
        };
        let run = import.run(&seat, backfill.to).await;
        let counts = ImportCounts {
            exports: 0,
            inmails: run.report.inmails as u64,
            notes: run.report.notes as u64,
            contact_shares: run.report.contact_shares as u64,
        };
        if let Err(e) = self.store.count_imported(key.0, key.1, &counts).await {
            tracing::warn!(error = %e, "import counters not updated");
        }
        let steps = backfill.steps + 1;
        let (state, reason) = match &run.error {
            None if run.report.complete => (BackfillState::Done, None),
            None => (BackfillState::Running, None),
            Some(e) if e.is_retryable() => (
                BackfillState::Running,
                Some(format!("retrying: {}", e.kind())),
            ),
            Some(e) => (BackfillState::Failed, Some(e.to_string())),
        };
        let next = Backfill {
            state,
            steps,
            reason,
            updated_at: now,
            ..backfill
        };
        self.store
            .finish_backfill_step(key, &run.moves, &next)
            .await?;
        tracing::info!(report = ?run.report, state = ?next.state, steps, "back-fill step done");
        shared::metrics::emit(
            "seat-backfill",
            &[],
            &[
                ("BackfillSteps", 1.0, shared::metrics::Unit::Count),
                (
                    "ActivityUnprocessed",
                    run.report.unprocessed as f64,
                    shared::metrics::Unit::Count,
                ),
                (
                    "BackfillRecords",
                    (counts.inmails + counts.notes + counts.contact_shares) as f64,
                    shared::metrics::Unit::Count,
                ),
                (
                    "BackfillsDone",
                    f64::from(u8::from(next.state == BackfillState::Done)),
                    shared::metrics::Unit::Count,
                ),
                (
                    "BackfillsFailed",
                    f64::from(u8::from(next.state == BackfillState::Failed)),
                    shared::metrics::Unit::Count,
                ),
            ],
        );
        match run.error {
            Some(e) => Err(e),
            None if next.state == BackfillState::Running => {
                self.queues.source.send(step).await?;
                Ok(())
            }
            None => Ok(()),
        }
    }
}
