//! inmail-import: polls one seat per activity-queue message. It takes the seat's poll lease (so
//! two polls of one seat never run at once), checks the seat is still linked and its contract
//! active, then imports InMails, notes and contact stubs from the seat's cursors up to now minus
//! a settle delay (see `shared::activity`). A seat with more backlog than one invocation's time
//! budget is continued by a new message at once. A message may instead name a shard of the
//! linked-seat index that the scheduled poll had no time for: its seats are enqueued here
//! (`shared::fan_out`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shared::activity::{ActivityImport, SETTLE_DELAY_MS, SeatReport, SeatRun};
use shared::aws::Clients;
use shared::batch::{self, BatchQueues, Message};
use shared::budget::{CallTally, PollCounts};
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::domain::{CursorSet, ImportCounts, Seat};
use shared::linkedin::LinkedIn;
use shared::messages::{ActivityMessage, SeatPoll, ShardFanOut};
use shared::queue::Queue;
use shared::secrets::{CustomerSecrets, DEFAULT_CACHE_TTL};
use shared::store::Store;
use shared::{Error, Result, ids};
use tracing::Instrument;

/// Seats polled at once by one invocation.
const CONCURRENCY: usize = 4;

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub activity_queue_url: String,
    pub activity_dlq_url: String,
    pub secret_prefix: String,
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    /// How long one message may keep reading before it hands the rest to a continuation.
    pub time_budget: Duration,
    /// The calls a tenant's activity reads may make in a UTC day (`shared::budget`).
    pub polling_allowance: u64,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            activity_queue_url: env.required(
                "ACTIVITY_QUEUE_URL",
                "the activity queue this function consumes",
            )?,
            activity_dlq_url: env.required(
                "ACTIVITY_DLQ_URL",
                "the dead-letter queue of the activity queue",
            )?,
            secret_prefix: env.required("SECRET_PREFIX", "the name prefix of customer secrets")?,
            linkedin_api_url: env.required_url("LINKEDIN_API_URL", "LinkedIn's API base URL")?,
            linkedin_auth_url: env
                .required_url("LINKEDIN_AUTH_URL", "LinkedIn's OAuth base URL")?,
            // Long enough to read a window, well inside the 60 s function timeout.
            time_budget: env.budget_seconds("POLL_TIME_BUDGET_SECONDS", 30, 5..=45)?,
            polling_allowance: shared::budget::polling_allowance_from(env)?,
        })
    }
}

pub struct InMailImport {
    store: Store,
    secrets: Arc<CustomerSecrets>,
    linkedin: LinkedIn,
    queues: BatchQueues,
    clock: SharedClock,
    time_budget: Duration,
    polling_allowance: u64,
    /// Seats met by this invocation, for the tenants' day items (`shared::budget`).
    seats_met: Mutex<BTreeMap<String, PollCounts>>,
}

impl InMailImport {
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
                source: Queue::new(clients.sqs.clone(), config.activity_queue_url),
                dead_letters: Queue::new(clients.sqs.clone(), config.activity_dlq_url),
                log: Some(Store::new(
                    clients.dynamodb.clone(),
                    config.table_name.clone(),
                )),
            },
            clock,
            time_budget: config.time_budget,
            polling_allowance: config.polling_allowance,
            seats_met: Mutex::new(BTreeMap::new()),
        })
    }

    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let answer = batch::process(event, &self.queues, CONCURRENCY, |m| self.process(m)).await;
        self.record_calls().await;
        answer
    }

    /// Adds this invocation's LinkedIn calls and seats to the tenants' day items; every
    /// activity call made here is a live poll's.
    async fn record_calls(&self) {
        let mut tally = CallTally::calls_of(&self.linkedin);
        tally.polls = std::mem::take(&mut *self.seats_met());
        for (tenant, calls) in &tally.calls {
            tally.polls.entry(tenant.clone()).or_default().poll_calls = calls.activity;
        }
        shared::budget::record(&self.store, tally, self.clock.now_ms()).await;
    }

    fn seats_met(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, PollCounts>> {
        self.seats_met.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn process(&self, message: Message) -> Result<()> {
        let poll = match message.json::<ActivityMessage>()? {
            ActivityMessage::Seat(poll) => poll,
            ActivityMessage::Shard(shard) => return self.fan_out(shard).await,
        };
        ids::check("tenantId", &poll.tenant_id)?;
        ids::urn_number("contract", &poll.contract_id)?;
        ids::check("seatId", &poll.seat_id)?;
        let span = tracing::info_span!("seat_poll", tenant = %poll.tenant_id, contract = %poll.contract_id, seat = %poll.seat_id);
        self.poll_seat(&poll, &message.id).instrument(span).await
    }

    /// Enqueues the seats of a shard the scheduled poll handed off, for as long as this
    /// message's time budget lasts; the rest goes back on the queue (`shared::fan_out`).
    async fn fan_out(&self, shard: ShardFanOut) -> Result<()> {
        if shard.shard >= shared::keys::LINKED_SEAT_SHARDS {
            return Err(Error::Invalid(format!("no shard {}", shard.shard)));
        }
        let done = shared::fan_out::Walk {
            store: &self.store,
            queue: &self.queues.source,
            clock: &self.clock,
            poll_started_at: shard.poll_started_at,
            deadline: shared::fan_out::deadline(&self.clock, self.time_budget),
            polling_allowance: self.polling_allowance,
        }
        .handed_off(vec![shard])
        .await?;
        tracing::info!(?done, "shard of the activity poll fanned out");
        Ok(())
    }

    async fn poll_seat(&self, poll: &SeatPoll, message_id: &str) -> Result<()> {
        let started = Instant::now();
        let now = self.clock.now_ms();
        let active = self
            .store
            .get_contract(&poll.tenant_id, &poll.contract_id)
            .await?
            .is_some_and(|c| c.is_active_at(now));
        if !active {
            tracing::info!("contract not active; seat not polled");
            return Ok(());
        }
        let seat_key = (
            poll.tenant_id.as_str(),
            poll.contract_id.as_str(),
            poll.seat_id.as_str(),
        );
        // The lease outlives any single invocation by a wide margin, and is released at the end.
        let lease_until = now + 4 * self.time_budget.as_millis() as i64;
        let Some((lease, seat)) = self
            .store
            .acquire_poll_lease(seat_key, message_id, now, lease_until)
            .await?
        else {
            tracing::info!("seat unlinked or already being polled; nothing to do");
            return Ok(());
        };
        if seat.last_polled_at.is_some_and(|at| at > poll.enqueued_at) {
            // Enqueued twice for one scheduled poll (a retried run, a shard walked again).
            tracing::info!("seat already polled since this poll ran; nothing to do");
            self.store.release_poll_lease(seat_key, &lease).await?;
            return Ok(());
        }
        if !self.due(poll, &seat, now) {
            tracing::info!("quiet seat, not its turn while LinkedIn's daily budget is tight");
            self.store.release_poll_lease(seat_key, &lease).await?;
            return Ok(());
        }
        let run = self.import(&seat, now, started).await;
        let (report, moves, error) = match run {
            Ok(run) => (run.report, run.moves, run.error),
            Err(e) => (SeatReport::default(), Vec::new(), Some(e)),
        };
        let complete = error.is_none() && report.complete;
        let imported = (report.inmails + report.notes + report.contact_shares) as u64;
        // Progress is stored even when the run failed: its cursors cover only written records.
        if let Err(e) = self
            .store
            .finish_poll(
                seat_key,
                &lease,
                &moves,
                complete.then_some(now),
                &seat.imported_by_hour_with(imported, now),
                (imported > 0).then_some(now),
            )
            .await
        {
            tracing::warn!(error = %e, "poll not finished cleanly; its windows will be read again and the lease expires");
        }
        let counts = ImportCounts {
            exports: 0,
            inmails: report.inmails as u64,
            notes: report.notes as u64,
            contact_shares: report.contact_shares as u64,
        };
        if let Err(e) = self
            .store
            .count_imported(&poll.tenant_id, &poll.contract_id, &counts)
            .await
        {
            tracing::warn!(error = %e, "import counters not updated");
        }
        shared::metrics::emit(
            "inmail-import",
            &[],
            &[
                (
                    "InMailsImported",
                    counts.inmails as f64,
                    shared::metrics::Unit::Count,
                ),
                (
                    "NotesImported",
                    counts.notes as f64,
                    shared::metrics::Unit::Count,
                ),
                (
                    "ContactSharesImported",
                    counts.contact_shares as f64,
                    shared::metrics::Unit::Count,
                ),
                (
                    "SeatPollsComplete",
                    f64::from(u8::from(complete)),
                    shared::metrics::Unit::Count,
                ),
                (
                    "ActivityUnprocessed",
                    report.unprocessed as f64,
                    shared::metrics::Unit::Count,
                ),
            ],
        );
        match error {
            None => {
                tracing::info!(?report, "seat polled");
                if !report.complete {
                    let next = SeatPoll {
                        enqueued_at: now,
                        quiet_every: None,
                        ..poll.clone()
                    };
                    self.queues.source.send(&next).await?;
                }
                Ok(())
            }
            Some(Error::IntegrationInactive(reason)) => {
                tracing::warn!(%reason, "LinkedIn reports the contract inactive; marking it expired");
                shared::contracts::expired_by_linkedin(
                    &self.store,
                    &poll.tenant_id,
                    &poll.contract_id,
                    now,
                )
                .await
                .map(|_| ())
            }
            Some(e) => Err(e),
        }
    }

    /// Whether the seat is polled this cycle: always, unless the fan-out planned quiet seats
    /// less often and this one is quiet and not its turn (`shared::budget`). Counts the seat
    /// for the next cycle's plan.
    fn due(&self, poll: &SeatPoll, seat: &Seat, now: i64) -> bool {
        let Some(quiet_every) = poll.quiet_every else {
            return true; // a continuation, or a message from before budgets
        };
        let active = seat.is_active(now);
        let due = active
            || shared::budget::quiet_seat_due(
                &format!("{}#{}#{}", seat.tenant_id, seat.contract_id, seat.seat_id),
                quiet_every,
                poll.enqueued_at,
                seat.last_polled_at,
            );
        // Counted on today's item only: a message of yesterday's last cycle is not counted.
        if shared::budget::utc_day(poll.enqueued_at) == shared::budget::utc_day(now) {
            let cycle = shared::budget::cycle_of_day(poll.enqueued_at);
            self.seats_met()
                .entry(poll.tenant_id.clone())
                .or_default()
                .count_seat(cycle, active, due);
        }
        due
    }

    async fn import(&self, seat: &Seat, now: i64, started: Instant) -> Result<SeatRun> {
        let creds = self.secrets.get(&seat.tenant_id).await?;
        let import = ActivityImport {
            store: &self.store,
            linkedin: &self.linkedin,
            creds: &creds,
            deadline: started + self.time_budget,
            max_windows: usize::MAX,
            set: CursorSet::Live,
        };
        Ok(import.run(seat, now - SETTLE_DELAY_MS).await)
    }
}
