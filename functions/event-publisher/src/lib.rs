//! event-publisher: reads the table's stream and tells the ATS what was stored. Each batch of
//! stream records becomes events (`shared::events::changes`), appended to each tenant's change
//! feed and put on the EventBridge bus (`shared::events::publisher`). A failure names the first
//! record to hand out again; the stream repeats from there, in order.

use aws_lambda_events::event::dynamodb::Event as StreamBatch;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use shared::aws::Clients;
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::events::bus::EventBus;
use shared::events::publisher::Publisher;
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub event_bus_name: String,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            event_bus_name: env.required("EVENT_BUS_NAME", "the EventBridge bus events go to")?,
        })
    }
}

pub struct EventPublisher {
    publisher: Publisher,
}

impl EventPublisher {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> Self {
        Self {
            publisher: Publisher::new(
                Store::new(clients.dynamodb.clone(), config.table_name),
                EventBus::new(clients.events.clone(), config.event_bus_name),
                clock,
            ),
        }
    }

    pub async fn handle(&self, batch: StreamBatch) -> DynamoDbEventResponse {
        self.publisher.handle(batch).await
    }
}
