//! The EventBridge bus the events go to.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;

use super::{Event, SOURCE};
use crate::error::{Error, Result};

/// EventBridge takes at most 10 entries a request.
const ENTRIES_PER_PUT: usize = 10;

#[derive(Clone, Debug)]
pub struct EventBus {
    client: Client,
    /// The bus's name or ARN.
    name: String,
}

impl EventBus {
    pub fn new(client: Client, name: impl Into<String>) -> Self {
        Self {
            client,
            name: name.into(),
        }
    }

    /// Puts `events` on the bus; answers, for each, whether EventBridge took it. A request that
    /// fails as a whole is an error.
    pub async fn put(&self, events: &[&Event]) -> Result<Vec<bool>> {
        let mut taken = Vec::with_capacity(events.len());
        for chunk in events.chunks(ENTRIES_PER_PUT) {
            let mut request = self.client.put_events();
            for event in chunk {
                let detail = serde_json::to_string(event)
                    .map_err(|e| Error::Invalid(format!("cannot send event: {e}")))?;
                request = request.entries(
                    PutEventsRequestEntry::builder()
                        .event_bus_name(&self.name)
                        .source(SOURCE)
                        .detail_type(event.detail_type())
                        .detail(detail)
                        .build(),
                );
            }
            let answer = request
                .send()
                .await
                .map_err(|e| Error::aws("EventBridge", e))?;
            let entries = answer.entries();
            // EventBridge answers one entry per event, in order; one without an event id was
            // refused (throttled, or an internal failure).
            taken.extend(
                (0..chunk.len()).map(|i| entries.get(i).is_some_and(|e| e.event_id().is_some())),
            );
        }
        Ok(taken)
    }
}
