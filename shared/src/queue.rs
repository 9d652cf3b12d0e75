//! Sending to SQS queues.

use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
use serde::Serialize;

use crate::error::{Error, Result};

/// One SQS queue, addressed by URL.
#[derive(Clone, Debug)]
pub struct Queue {
    client: Client,
    url: String,
}

impl Queue {
    pub fn new(client: Client, url: impl Into<String>) -> Self {
        Self {
            client,
            url: url.into(),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends one JSON message and returns once SQS has stored it.
    pub async fn send<T: Serialize>(&self, message: &T) -> Result<String> {
        let body = serde_json::to_string(message)
            .map_err(|e| Error::Invalid(format!("cannot encode message: {e}")))?;
        self.send_raw(body, None).await
    }

    /// Sends messages with `SendMessageBatch`, ten per call; entries SQS refuses are retried
    /// once, then reported as an error. Returns the number of calls made.
    pub async fn send_batch<T: Serialize>(&self, messages: &[T]) -> Result<usize> {
        let mut calls = 0;
        for chunk in messages.chunks(10) {
            let mut entries = Vec::with_capacity(chunk.len());
            for (i, m) in chunk.iter().enumerate() {
                let body = serde_json::to_string(m)
                    .map_err(|e| Error::Invalid(format!("cannot encode message: {e}")))?;
                entries.push(
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(body)
                        .build()
                        .map_err(|e| Error::Invalid(e.to_string()))?,
                );
            }
            for attempt in 0..2 {
                calls += 1;
                let resp = self
                    .client
                    .send_message_batch()
                    .queue_url(&self.url)
                    .set_entries(Some(entries.clone()))
                    .send()
                    .await
                    .map_err(|e| Error::aws("SQS", e))?;
                let failed: Vec<&str> = resp.failed().iter().map(|f| f.id()).collect();
                if failed.is_empty() {
                    break;
                }
                if attempt == 1 {
                    return Err(Error::Aws {
                        service: "SQS",
                        message: format!("{} messages refused by SendMessageBatch", failed.len()),
                        retryable: true,
                    });
                }
                entries.retain(|e| failed.contains(&e.id()));
            }
        }
        Ok(calls)
    }

    /// Sends a body as is, with an optional `reason` attribute (used for dead letters).
    pub async fn send_raw(&self, body: String, reason: Option<&str>) -> Result<String> {
        let mut req = self
            .client
            .send_message()
            .queue_url(&self.url)
            .message_body(body);
        if let Some(reason) = reason {
            let attr = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(reason)
                .build()
                .map_err(|e| Error::Invalid(e.to_string()))?;
            req = req.message_attributes("reason", attr);
        }
        let resp = req.send().await.map_err(|e| Error::aws("SQS", e))?;
        Ok(resp.message_id().unwrap_or_default().to_owned())
    }

    /// Hides a received message for `delay` so it comes back then (used to honour Retry-After).
    pub async fn delay_redelivery(&self, receipt_handle: &str, delay: Duration) -> Result<()> {
        // SQS caps the visibility timeout at 12 hours.
        let seconds = delay.as_secs().clamp(1, 43_200) as i32;
        self.client
            .change_message_visibility()
            .queue_url(&self.url)
            .receipt_handle(receipt_handle)
            .visibility_timeout(seconds)
            .send()
            .await
            .map_err(|e| Error::aws("SQS", e))?;
        Ok(())
    }
}
