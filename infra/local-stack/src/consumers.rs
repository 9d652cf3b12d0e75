//! SQS event sources: poll a queue, hand real `SqsEvent` batches to the function, delete what
//! succeeded and leave `batchItemFailures` to come back after the queue's visibility timeout
//! (moto then applies the queue's redrive policy, as SQS does).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
use tokio::sync::Semaphore;

use crate::functions::Function;

pub struct Consumer {
    pub queue_url: String,
    pub queue_arn: String,
    pub region: String,
    pub batch_size: usize,
    /// Batches handled at once, like the event source's `MaximumConcurrency`.
    pub max_concurrency: usize,
    pub function: Arc<Function>,
    /// Non-zero while a received batch is being handled (used to tell when the stack is idle).
    pub busy: Arc<AtomicUsize>,
}

impl Consumer {
    /// Long-polls the queue like Lambda's poller does, handing each batch to its own task, at
    /// most `max_concurrency` at once. `busy` counts batches from receipt to deletion.
    pub async fn run(self: Arc<Self>, sqs: aws_sdk_sqs::Client) {
        let slots = Arc::new(Semaphore::new(self.max_concurrency.max(1)));
        loop {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            match self.receive(&sqs, 1, None).await {
                Some(messages) => {
                    self.busy.fetch_add(1, Ordering::SeqCst);
                    let (me, sqs) = (self.clone(), sqs.clone());
                    tokio::spawn(async move {
                        me.deliver(&sqs, &messages).await;
                        me.busy.fetch_sub(1, Ordering::SeqCst);
                        drop(slot);
                    });
                }
                None => {
                    drop(slot);
                    // Only reached on errors or when a long poll ended empty.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }

    /// Receives one batch, waiting up to `wait_seconds` for it and hiding it for `visibility`
    /// seconds (the queue's own visibility timeout when `None`); `None` when the queue was empty
    /// or unreachable.
    pub async fn receive(
        &self,
        sqs: &aws_sdk_sqs::Client,
        wait_seconds: i32,
        visibility: Option<i32>,
    ) -> Option<Vec<aws_sdk_sqs::types::Message>> {
        let received = sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(self.batch_size.clamp(1, 10) as i32)
            .wait_time_seconds(wait_seconds)
            .set_visibility_timeout(visibility)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await;
        let messages = match received {
            Ok(r) => r.messages.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(e), "local consumer cannot receive");
                return None;
            }
        };
        (!messages.is_empty()).then_some(messages)
    }

    /// Hands one batch to the function as a real `SqsEvent`, then deletes what succeeded;
    /// answers the ids of the messages the function reported as failed.
    pub async fn deliver(
        &self,
        sqs: &aws_sdk_sqs::Client,
        messages: &[aws_sdk_sqs::types::Message],
    ) -> Vec<String> {
        let records: Vec<serde_json::Value> = messages
            .iter()
            .map(|m| {
                let attributes: serde_json::Map<String, serde_json::Value> = m
                    .attributes()
                    .map(|a| {
                        a.iter()
                            .map(|(k, v)| {
                                (k.as_str().to_owned(), serde_json::Value::String(v.clone()))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                serde_json::json!({
                    "messageId": m.message_id(),
                    "receiptHandle": m.receipt_handle(),
                    "body": m.body(),
                    "attributes": attributes,
                    "messageAttributes": {},
                    "md5OfBody": m.md5_of_body(),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.queue_arn,
                    "awsRegion": self.region,
                })
            })
            .collect();
        let event: SqsEvent =
            match serde_json::from_value(serde_json::json!({ "Records": records })) {
                Ok(e) => e,
                Err(e) => {
                    tracing::error!(error = %e, "local consumer cannot build the SQS event");
                    return Vec::new();
                }
            };
        let Some(response) = self.function.sqs(event).await else {
            return Vec::new();
        };
        let failed: Vec<String> = response
            .batch_item_failures
            .into_iter()
            .map(|f| f.item_identifier)
            .collect();
        let entries: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .filter(|m| !failed.iter().any(|f| Some(f.as_str()) == m.message_id()))
            .enumerate()
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(format!("m{i}"))
                    .receipt_handle(m.receipt_handle().unwrap_or_default())
                    .build()
                    .ok()
            })
            .collect();
        if !entries.is_empty() {
            match sqs
                .delete_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
            {
                // A refused entry comes back after the visibility timeout, as in SQS.
                Ok(r) if !r.failed().is_empty() => {
                    let codes: Vec<&str> = r.failed().iter().map(|f| f.code()).collect();
                    tracing::warn!(?codes, "local consumer: SQS kept some handled messages");
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(e), "local consumer cannot delete handled messages");
                }
            }
        }
        failed
    }
}
