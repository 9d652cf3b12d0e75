//! Sending to SQS queues.

use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::MessageAttributeValue;
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
