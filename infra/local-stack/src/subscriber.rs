//! A subscriber of the stack's event bus, as an ATS would make one: an SQS queue and a rule on
//! the bus that sends it the events matching a pattern. `make dev` prints what its demo
//! subscriber received; tests read every event a change made.

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;
use shared::events::Event;

use crate::template::Error;

/// An event as the subscriber's queue received it: EventBridge's envelope and its detail.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub source: String,
    pub detail_type: String,
    pub event: Event,
}

/// An event in one line: its type, then what it says (the envelope's ids and time left out).
pub fn one_line(event: &Event) -> String {
    let mut fact = serde_json::to_value(&event.fact).unwrap_or_default();
    if let Some(m) = fact.as_object_mut() {
        m.remove("type");
    }
    format!("{:<22} {fact}", event.detail_type())
}

pub struct Subscriber {
    pub queue_url: String,
    sqs: aws_sdk_sqs::Client,
}

impl Subscriber {
    /// Makes queue `<stack>-<name>` and rule `<name>` on `bus` with `pattern`, targeting it.
    pub async fn create(
        sqs: &aws_sdk_sqs::Client,
        events: &aws_sdk_eventbridge::Client,
        stack_name: &str,
        bus: &str,
        name: &str,
        pattern: &Value,
    ) -> Result<Self, Error> {
        let queue_url = sqs
            .create_queue()
            .queue_name(format!("{stack_name}-{name}"))
            .send()
            .await
            .map_err(|e| {
                format!(
                    "subscriber queue: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(e)
                )
            })?
            .queue_url
            .unwrap_or_default();
        let queue_arn = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "subscriber queue: {}",
                    aws_sdk_sqs::error::DisplayErrorContext(e)
                )
            })?
            .attributes
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .ok_or("subscriber queue without ARN")?;
        events
            .put_rule()
            .name(name)
            .event_bus_name(bus)
            .event_pattern(pattern.to_string())
            .send()
            .await
            .map_err(|e| {
                format!(
                    "subscriber rule: {}",
                    aws_sdk_eventbridge::error::DisplayErrorContext(e)
                )
            })?;
        events
            .put_targets()
            .rule(name)
            .event_bus_name(bus)
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("queue")
                    .arn(queue_arn)
                    .build()
                    .map_err(|e| format!("subscriber target: {e}"))?,
            )
            .send()
            .await
            .map_err(|e| {
                format!(
                    "subscriber target: {}",
                    aws_sdk_eventbridge::error::DisplayErrorContext(e)
                )
            })?;
        Ok(Self {
            queue_url,
            sqs: sqs.clone(),
        })
    }

    /// Every event waiting in the queue, taken out of it (oldest first, as far as SQS keeps
    /// order). A message that is not an event of ours is an error: the bus carries only ours.
    pub async fn take(&self) -> Result<Vec<Delivered>, Error> {
        let mut out = Vec::new();
        loop {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(0)
                .send()
                .await
                .map_err(|e| {
                    format!("subscriber: {}", aws_sdk_sqs::error::DisplayErrorContext(e))
                })?;
            let messages = received.messages.unwrap_or_default();
            if messages.is_empty() {
                return Ok(out);
            }
            for m in messages {
                let envelope: Value = serde_json::from_str(m.body().unwrap_or_default())
                    .map_err(|e| format!("subscriber: the message is not JSON: {e}"))?;
                let event: Event =
                    serde_json::from_value(envelope["detail"].clone()).map_err(|e| {
                        format!("subscriber: the detail is not an event: {e}: {envelope}")
                    })?;
                out.push(Delivered {
                    source: envelope["source"].as_str().unwrap_or_default().to_owned(),
                    detail_type: envelope["detail-type"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    event,
                });
                if let Some(handle) = m.receipt_handle() {
                    let _ = self
                        .sqs
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await;
                }
            }
        }
    }
}
