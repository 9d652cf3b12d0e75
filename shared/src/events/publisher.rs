//! The publisher: takes a batch of the table's stream records, appends the events they stand for
//! to each tenant's change feed and puts them on the bus.
//!
//! The feed comes first: it drops an event it already holds, so a batch delivered again (after a
//! crash, or after a failure reported below) is appended once. The bus is at least once: an event
//! put before a crash is put again, with the same `eventId`. A failure is reported as the first
//! record not fully published; the stream hands that record and every later one out again, in
//! order.

use std::collections::BTreeMap;

use aws_lambda_events::event::dynamodb::Event as StreamBatch;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use futures::StreamExt;

use super::Event;
use super::bus::EventBus;
use super::changes::events_of;
use crate::clock::SharedClock;
use crate::store::Store;

/// How many tenants' feeds are appended to at once.
const TENANTS_AT_ONCE: usize = 8;

pub struct Publisher {
    store: Store,
    bus: EventBus,
    clock: SharedClock,
}

/// What one batch published.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Published {
    pub records: usize,
    pub events: usize,
    /// The index of the first record to hand out again, if any failed.
    pub failed_from: Option<usize>,
}

impl Publisher {
    pub fn new(store: Store, bus: EventBus, clock: SharedClock) -> Self {
        Self { store, bus, clock }
    }

    /// Publishes one batch of stream records and answers which to hand out again.
    pub async fn handle(&self, batch: StreamBatch) -> DynamoDbEventResponse {
        let published = self.publish(&batch).await;
        tracing::info!(
            records = published.records,
            events = published.events,
            failed_from = published.failed_from,
            "stream batch published"
        );
        let mut response = DynamoDbEventResponse::default();
        if let Some(i) = published.failed_from {
            crate::metrics::count("event-publisher", &[], "EventBatchesRetried", 1);
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = batch.records[i].change.sequence_number.clone();
            response.batch_item_failures.push(failure);
        }
        response
    }

    pub async fn publish(&self, batch: &StreamBatch) -> Published {
        let events: Vec<(usize, Event)> = batch
            .records
            .iter()
            .enumerate()
            .flat_map(|(i, record)| events_of(record).into_iter().map(move |e| (i, e)))
            .collect();
        let mut by_tenant: BTreeMap<String, (usize, Vec<Event>)> = BTreeMap::new();
        for (i, event) in &events {
            by_tenant
                .entry(event.tenant_id.clone())
                .or_insert((*i, Vec::new()))
                .1
                .push(event.clone());
        }

        let now_secs = self.clock.now_ms() / 1000;
        let appended: Vec<Option<usize>> = futures::stream::iter(by_tenant)
            .map(|(tenant, (first, list))| async move {
                match self.store.append_changes(&tenant, &list, now_secs).await {
                    Ok(()) => None,
                    Err(e) => {
                        tracing::warn!(tenant, error = %e, "appending to the change feed failed");
                        Some(first)
                    }
                }
            })
            .buffer_unordered(TENANTS_AT_ONCE)
            .collect()
            .await;
        let mut failed_from = appended.into_iter().flatten().min();

        // Only events before the first failure go on the bus now; the rest go when their
        // records come again.
        let ready: Vec<&(usize, Event)> = events
            .iter()
            .filter(|(i, _)| failed_from.is_none_or(|f| *i < f))
            .collect();
        let to_put: Vec<&Event> = ready.iter().map(|(_, e)| e).collect();
        match self.bus.put(&to_put).await {
            Ok(taken) => {
                let refused = ready
                    .iter()
                    .zip(taken)
                    .find(|(_, taken)| !taken)
                    .map(|((i, _), _)| *i);
                if let Some(i) = refused {
                    tracing::warn!(record = i, "EventBridge refused an event");
                    failed_from = Some(failed_from.map_or(i, |f| f.min(i)));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "putting events on the bus failed");
                if let Some((i, _)) = ready.first() {
                    failed_from = Some(failed_from.map_or(*i, |f| f.min(*i)));
                }
            }
        }
        Published {
            records: batch.records.len(),
            events: events.len(),
            failed_from,
        }
    }
}
