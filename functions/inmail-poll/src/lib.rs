//! inmail-poll: on its schedule (every 30 minutes by default), puts one message per linked seat
//! of every active contract on the activity queue, ten per `SendMessageBatch`. Seats are found
//! through the sharded linked-seat index, never a table scan; the shards this run has no time
//! for are handed to the activity queue, where inmail-import enqueues their seats
//! (`shared::fan_out`). A seat whose previous poll still holds its lease is skipped by its import.

use std::time::Duration;

use shared::aws::Clients;
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::fan_out::{self, FanOut, Walk};
use shared::queue::Queue;
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub activity_queue_url: String,
    /// How long a run walks the shards before handing the rest to the activity queue.
    pub time_budget: Duration,
    /// The calls a tenant's activity reads may make in a UTC day (`shared::budget`).
    pub polling_allowance: u64,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            activity_queue_url: env.required("ACTIVITY_QUEUE_URL", "the activity queue")?,
            // Well inside the 60 s function timeout; 0 hands every shard to the queue.
            time_budget: env.budget_seconds("FAN_OUT_TIME_BUDGET_SECONDS", 40, 0..=50)?,
            polling_allowance: shared::budget::polling_allowance_from(env)?,
        })
    }
}

pub struct InMailPoll {
    store: Store,
    activity: Queue,
    clock: SharedClock,
    time_budget: Duration,
    polling_allowance: u64,
}

impl InMailPoll {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> Self {
        Self {
            store: Store::new(clients.dynamodb.clone(), config.table_name),
            activity: Queue::new(clients.sqs.clone(), config.activity_queue_url),
            clock,
            time_budget: config.time_budget,
            polling_allowance: config.polling_allowance,
        }
    }

    /// Runs one fan-out. The scheduler's event carries nothing this needs.
    pub async fn handle(&self, _event: serde_json::Value) -> shared::Result<FanOut> {
        let summary = Walk {
            store: &self.store,
            queue: &self.activity,
            clock: &self.clock,
            poll_started_at: self.clock.now_ms(),
            deadline: fan_out::deadline(&self.clock, self.time_budget),
            polling_allowance: self.polling_allowance,
        }
        .scheduled()
        .await?;
        tracing::info!(?summary, "activity poll fanned out");
        Ok(summary)
    }
}
