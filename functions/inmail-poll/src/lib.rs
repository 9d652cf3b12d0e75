//! inmail-poll: on its schedule (every 30 minutes by default), puts one message per linked seat
//! of every active contract on the activity queue, ten per `SendMessageBatch`. Seats are found
//! through the sparse linked-seat index, never a table scan; a seat whose previous poll still
//! holds its lease is left out.

use serde::Serialize;
use shared::activity;
use shared::aws::Clients;
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::queue::Queue;
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub activity_queue_url: String,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            activity_queue_url: env.required("ACTIVITY_QUEUE_URL", "the activity queue")?,
        })
    }
}

/// What one run did; returned to the scheduler and logged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PollSummary {
    pub linked_seats: usize,
    pub enqueued: usize,
    pub contract_inactive: usize,
    pub still_running: usize,
    pub send_batch_calls: usize,
}

pub struct InMailPoll {
    store: Store,
    activity: Queue,
    clock: SharedClock,
}

impl InMailPoll {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> Self {
        Self {
            store: Store::new(clients.dynamodb.clone(), config.table_name),
            activity: Queue::new(clients.sqs.clone(), config.activity_queue_url),
            clock,
        }
    }

    /// Runs one fan-out. The scheduler's event carries nothing this needs.
    pub async fn handle(&self, _event: serde_json::Value) -> shared::Result<PollSummary> {
        let plan = activity::plan_polls(&self.store, self.clock.now_ms()).await?;
        let send_batch_calls = self.activity.send_batch(&plan.due).await?;
        let summary = PollSummary {
            linked_seats: plan.linked,
            enqueued: plan.due.len(),
            contract_inactive: plan.contract_inactive,
            still_running: plan.still_running,
            send_batch_calls,
        };
        tracing::info!(?summary, "activity poll fanned out");
        Ok(summary)
    }
}
