//! Processing an SQS batch so that one bad message never holds back the others.
//!
//! - success: the message is acknowledged (Lambda deletes it);
//! - retryable error: it is reported in `batchItemFailures` and comes back after the visibility
//!   timeout, or after LinkedIn's `Retry-After` when it was throttled;
//! - permanent error: it is moved to the dead-letter queue at once, with its reason, instead of
//!   burning retries that cannot succeed.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use futures::StreamExt;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::error::{Error, Result};
use crate::queue::Queue;

/// The queue a function consumes and the dead-letter queue of that queue.
#[derive(Clone, Debug)]
pub struct BatchQueues {
    pub source: Queue,
    pub dead_letters: Queue,
    /// Where dead letters of a tenant are noted for the health view (messages with a `tenantId`).
    pub log: Option<crate::store::Store>,
}

/// One received message, as handlers see it.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: String,
    pub body: String,
    /// How many times SQS has handed this message out, this time included.
    pub receive_count: u32,
}

impl Message {
    /// Decodes the JSON body; a body that does not decode is a permanent error.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_str(&self.body)
            .map_err(|e| Error::Invalid(format!("message body does not decode: {e}")))
    }
}

/// Runs `handle` on every record, at most `concurrency` at once, and reports the failures.
pub async fn process<F, Fut>(
    event: SqsEvent,
    queues: &BatchQueues,
    concurrency: usize,
    handle: F,
) -> SqsBatchResponse
where
    F: Fn(Message) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let handle = &handle;
    let failures: Vec<String> = futures::stream::iter(event.records)
        .map(|record| async move {
            let id = record.message_id.clone().unwrap_or_default();
            let receipt = record.receipt_handle.clone().unwrap_or_default();
            let message = Message {
                id: id.clone(),
                body: record.body.clone().unwrap_or_default(),
                receive_count: record
                    .attributes
                    .get("ApproximateReceiveCount")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1),
            };
            let span = tracing::info_span!("message", message_id = %id);
            let outcome = async {
                let body = message.body.clone();
                let result = handle(message).await;
                settle(queues, &id, &receipt, body, result).await
            }
            .instrument(span)
            .await;
            outcome.err().map(|()| id)
        })
        .buffer_unordered(concurrency.max(1))
        .filter_map(|failed| async move { failed })
        .collect()
        .await;

    let mut response = SqsBatchResponse::default();
    for id in failures {
        let mut failure = BatchItemFailure::default();
        failure.item_identifier = id;
        response.batch_item_failures.push(failure);
    }
    response
}

/// Decides a message's fate; `Err(())` means "report it as failed".
async fn settle(
    queues: &BatchQueues,
    message_id: &str,
    receipt: &str,
    body: String,
    result: Result<()>,
) -> Result<(), ()> {
    let err = match result {
        Ok(()) => return Ok(()),
        Err(err) => err,
    };
    let queue = queues.source.url().rsplit('/').next().unwrap_or_default();
    if matches!(err, crate::Error::Throttled { .. }) {
        crate::metrics::count("batch", &[("Queue", queue)], "Throttled", 1);
    }
    if err.is_retryable() {
        tracing::warn!(error.kind = err.kind(), error = %err, "message will be retried");
        if let Some(delay) = err.retry_after()
            && let Err(e) = queues.source.delay_redelivery(receipt, delay).await
        {
            tracing::warn!(error = %e, "could not delay the message; it returns after the visibility timeout");
        }
        return Err(());
    }
    tracing::error!(error.kind = err.kind(), error = %err, "message cannot succeed; moving it to the dead-letter queue");
    let tenant = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("tenantId")
                .and_then(|t| t.as_str())
                .map(str::to_owned)
        })
        .filter(|t| crate::ids::check("tenantId", t).is_ok());
    match queues
        .dead_letters
        .send_raw(body, Some(&err.to_string()))
        .await
    {
        Ok(_) => {
            if let (Some(store), Some(tenant)) = (&queues.log, tenant) {
                let letter = crate::domain::DeadLetter {
                    message_id: message_id.to_owned(),
                    source: queues
                        .source
                        .url()
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    reason: err.to_string(),
                    at: crate::clock::Clock::now_ms(&crate::clock::SystemClock),
                };
                if let Err(e) = store.record_dead_letter(&tenant, &letter).await {
                    tracing::warn!(error = %e, "dead letter not noted for the health view");
                }
            }
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %e, "dead-letter queue unavailable; the message will be retried");
            Err(())
        }
    }
}
