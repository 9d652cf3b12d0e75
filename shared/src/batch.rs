//! Processing an SQS batch so that one bad message never holds back the others.
//!
//! - success: the message is acknowledged (Lambda deletes it);
//! - retryable error: it is reported in `batchItemFailures` and comes back after the visibility
//!   timeout, or after LinkedIn's `Retry-After` when it was throttled;
//! - permanent error: it is moved to the dead-letter queue at once, with its reason, instead of
//!   burning retries that cannot succeed.
//!
//! What happens to a failed message goes through [`Settle`], so the rules above are tested
//! in-process with a fake; [`BatchQueues`] carries them out on SQS.

use std::future::Future;
use std::time::Duration;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures::StreamExt;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::domain::DeadLetter;
use crate::error::{Error, Result};
use crate::queue::Queue;

/// What [`process`] needs to settle a message that did not succeed.
pub trait Settle {
    /// The consumed queue's name (its URL's last segment), for metrics and dead-letter notes.
    fn source_name(&self) -> &str;

    /// Hides a received message for `delay`, so it comes back then (honouring `Retry-After`).
    fn delay_redelivery(
        &self,
        receipt_handle: &str,
        delay: Duration,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Moves a message's body to the dead-letter queue with the reason it cannot succeed.
    fn dead_letter(&self, body: String, reason: &str) -> impl Future<Output = Result<()>> + Send;

    /// Notes a tenant's dead letter for the health view.
    fn note_dead_letter(
        &self,
        tenant_id: &str,
        letter: &DeadLetter,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// The queue a function consumes and the dead-letter queue of that queue.
#[derive(Clone, Debug)]
pub struct BatchQueues {
    pub source: Queue,
    pub dead_letters: Queue,
    /// Where dead letters of a tenant are noted for the health view (messages with a `tenantId`).
    pub log: Option<crate::store::Store>,
}

impl Settle for BatchQueues {
    fn source_name(&self) -> &str {
        self.source.url().rsplit('/').next().unwrap_or_default()
    }

    async fn delay_redelivery(&self, receipt_handle: &str, delay: Duration) -> Result<()> {
        self.source.delay_redelivery(receipt_handle, delay).await
    }

    async fn dead_letter(&self, body: String, reason: &str) -> Result<()> {
        self.dead_letters
            .send_raw(body, Some(reason))
            .await
            .map(|_| ())
    }

    async fn note_dead_letter(&self, tenant_id: &str, letter: &DeadLetter) -> Result<()> {
        match &self.log {
            Some(store) => store.record_dead_letter(tenant_id, letter).await,
            None => Ok(()),
        }
    }
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

    /// The message and its receipt handle (needed to delay its redelivery).
    fn received(record: SqsMessage) -> (Self, String) {
        let receive_count = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let message = Message {
            id: record.message_id.unwrap_or_default(),
            body: record.body.unwrap_or_default(),
            receive_count,
        };
        (message, record.receipt_handle.unwrap_or_default())
    }
}

/// Runs `handle` on every record, at most `concurrency` at once, and reports the failures.
pub async fn process<S, F, Fut>(
    event: SqsEvent,
    queues: &S,
    concurrency: usize,
    handle: F,
) -> SqsBatchResponse
where
    S: Settle,
    F: Fn(Message) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let handle = &handle;
    let failures: Vec<String> = futures::stream::iter(event.records)
        .map(|record| async move {
            let (message, receipt) = Message::received(record);
            let id = message.id.clone();
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
async fn settle<S: Settle>(
    queues: &S,
    message_id: &str,
    receipt: &str,
    body: String,
    result: Result<()>,
) -> Result<(), ()> {
    let err = match result {
        Ok(()) => return Ok(()),
        Err(err) => err,
    };
    if matches!(err, Error::Throttled { .. }) {
        crate::metrics::count("batch", &[("Queue", queues.source_name())], "Throttled", 1);
    }
    if err.is_retryable() {
        tracing::warn!(error.kind = err.kind(), error = %err, "message will be retried");
        if let Some(delay) = err.retry_after()
            && let Err(e) = queues.delay_redelivery(receipt, delay).await
        {
            tracing::warn!(error = %e, "could not delay the message; it returns after the visibility timeout");
        }
        return Err(());
    }
    tracing::error!(error.kind = err.kind(), error = %err, "message cannot succeed; moving it to the dead-letter queue");
    let tenant = tenant_of(&body);
    let reason = err.to_string();
    match queues.dead_letter(body, &reason).await {
        Ok(()) => {
            if let Some(tenant) = tenant {
                let letter = DeadLetter {
                    message_id: message_id.to_owned(),
                    source: queues.source_name().to_owned(),
                    reason,
                    at: crate::clock::Clock::now_ms(&crate::clock::SystemClock),
                };
                if let Err(e) = queues.note_dead_letter(&tenant, &letter).await {
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

/// The body's `tenantId`, when it is a valid one (a dead letter is noted only under a tenant).
fn tenant_of(body: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("tenantId")
                .and_then(|t| t.as_str())
                .map(str::to_owned)
        })
        .filter(|t| crate::ids::check("tenantId", t).is_ok())
}

#[cfg(test)]
mod tests {
    //! The batch rules in-process: SQS events built from their JSON (as Lambda delivers them),
    //! a plain closure as the handler, and a fake [`Settle`] that records what it was asked.

    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde_json::{Value, json};

    use super::*;

    /// What the fake was asked to do.
    #[derive(Clone, Debug, PartialEq, Eq)]
    enum Call {
        Delay {
            receipt: String,
            delay: Duration,
        },
        DeadLetter {
            body: String,
            reason: String,
        },
        Note {
            tenant: String,
            message_id: String,
            source: String,
            reason: String,
        },
    }

    #[derive(Default)]
    struct FakeQueues {
        calls: Mutex<Vec<Call>>,
        delay_fails: bool,
        dead_letters_down: bool,
        note_fails: bool,
    }

    impl FakeQueues {
        fn calls(&self) -> Vec<Call> {
            self.calls.lock().unwrap().clone()
        }

        fn answer(&self, call: Call, fails: bool) -> Result<()> {
            self.calls.lock().unwrap().push(call);
            if fails {
                return Err(Error::Aws {
                    service: "SQS",
                    message: "unreachable".into(),
                    retryable: true,
                });
            }
            Ok(())
        }
    }

    impl Settle for FakeQueues {
        fn source_name(&self) -> &str {
            "exports"
        }

        async fn delay_redelivery(&self, receipt_handle: &str, delay: Duration) -> Result<()> {
            let call = Call::Delay {
                receipt: receipt_handle.to_owned(),
                delay,
            };
            self.answer(call, self.delay_fails)
        }

        async fn dead_letter(&self, body: String, reason: &str) -> Result<()> {
            let call = Call::DeadLetter {
                body,
                reason: reason.to_owned(),
            };
            self.answer(call, self.dead_letters_down)
        }

        async fn note_dead_letter(&self, tenant_id: &str, letter: &DeadLetter) -> Result<()> {
            assert!(letter.at > 0, "a dead letter is noted with its time");
            let call = Call::Note {
                tenant: tenant_id.to_owned(),
                message_id: letter.message_id.clone(),
                source: letter.source.clone(),
                reason: letter.reason.clone(),
            };
            self.answer(call, self.note_fails)
        }
    }

    fn record(id: &str, body: &str) -> Value {
        json!({
            "messageId": id,
            "receiptHandle": format!("receipt-{id}"),
            "body": body,
            "attributes": { "ApproximateReceiveCount": "1" },
        })
    }

    fn event(records: Vec<Value>) -> SqsEvent {
        serde_json::from_value(json!({ "Records": records })).expect("an SQS event")
    }

    /// The ids reported in `batchItemFailures`, sorted (the batch settles in any order).
    fn reported(response: &SqsBatchResponse) -> Vec<String> {
        let mut ids: Vec<String> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        ids.sort();
        ids
    }

    /// Runs one message through `process` with a handler that returns `result`.
    async fn run_one(queues: &FakeQueues, body: &str, result: Result<()>) -> Vec<String> {
        let result = Mutex::new(Some(result));
        let response = process(event(vec![record("m1", body)]), queues, 4, |_| {
            let result = result.lock().unwrap().take().expect("handled once");
            async move { result }
        })
        .await;
        reported(&response)
    }

    fn invalid() -> Error {
        Error::Invalid("no requestId".into())
    }

    #[tokio::test]
    async fn success_is_acknowledged() {
        let queues = FakeQueues::default();
        assert!(run_one(&queues, "{}", Ok(())).await.is_empty());
        assert!(queues.calls().is_empty());
    }

    #[tokio::test]
    async fn retryable_error_is_reported_for_retry() {
        let queues = FakeQueues::default();
        let err = Error::LinkedInUnavailable("503".into());
        assert_eq!(run_one(&queues, "{}", Err(err)).await, ["m1"]);
        assert!(queues.calls().is_empty(), "no delay, no dead letter");
    }

    #[tokio::test]
    async fn throttled_with_retry_after_delays_redelivery() {
        let queues = FakeQueues::default();
        let err = Error::Throttled {
            retry_after: Some(Duration::from_secs(7)),
        };
        assert_eq!(run_one(&queues, "{}", Err(err)).await, ["m1"]);
        assert_eq!(
            queues.calls(),
            [Call::Delay {
                receipt: "receipt-m1".into(),
                delay: Duration::from_secs(7),
            }]
        );
    }

    #[tokio::test]
    async fn throttled_without_retry_after_waits_for_the_visibility_timeout() {
        let queues = FakeQueues::default();
        let err = Error::Throttled { retry_after: None };
        assert_eq!(run_one(&queues, "{}", Err(err)).await, ["m1"]);
        assert!(queues.calls().is_empty());
    }

    #[tokio::test]
    async fn failing_delay_still_reports_the_failure() {
        let queues = FakeQueues {
            delay_fails: true,
            ..FakeQueues::default()
        };
        let err = Error::Throttled {
            retry_after: Some(Duration::from_secs(30)),
        };
        assert_eq!(run_one(&queues, "{}", Err(err)).await, ["m1"]);
        assert_eq!(queues.calls().len(), 1, "the delay was asked for");
    }

    #[tokio::test]
    async fn permanent_error_is_dead_lettered_with_its_reason_and_not_reported() {
        let queues = FakeQueues::default();
        let body = r#"{"tenantId":"acme","requestId":"r1"}"#;
        assert!(run_one(&queues, body, Err(invalid())).await.is_empty());
        let reason = invalid().to_string();
        assert_eq!(
            queues.calls(),
            [
                Call::DeadLetter {
                    body: body.into(),
                    reason: reason.clone(),
                },
                Call::Note {
                    tenant: "acme".into(),
                    message_id: "m1".into(),
                    source: "exports".into(),
                    reason,
                },
            ]
        );
    }

    #[tokio::test]
    async fn dead_letter_queue_down_reports_the_message_for_retry() {
        let queues = FakeQueues {
            dead_letters_down: true,
            ..FakeQueues::default()
        };
        let body = r#"{"tenantId":"acme"}"#;
        assert_eq!(run_one(&queues, body, Err(invalid())).await, ["m1"]);
        let calls = queues.calls();
        assert_eq!(
            calls.len(),
            1,
            "dead letter tried, nothing noted: {calls:?}"
        );
        assert!(matches!(calls[0], Call::DeadLetter { .. }));
    }

    #[tokio::test]
    async fn failing_note_does_not_bring_the_message_back() {
        let queues = FakeQueues {
            note_fails: true,
            ..FakeQueues::default()
        };
        let body = r#"{"tenantId":"acme"}"#;
        assert!(run_one(&queues, body, Err(invalid())).await.is_empty());
        assert_eq!(queues.calls().len(), 2);
    }

    #[tokio::test]
    async fn dead_letter_is_noted_only_under_a_valid_tenant() {
        let bodies = [
            (r#"{"tenantId":"acme-1"}"#, Some("acme-1")),
            (r#"{"requestId":"r1"}"#, None),
            (r#"{"tenantId":"../etc"}"#, None),
            (r#"{"tenantId":""}"#, None),
            (r#"{"tenantId":42}"#, None),
            ("not json", None),
        ];
        for (body, tenant) in bodies {
            let queues = FakeQueues::default();
            assert!(run_one(&queues, body, Err(invalid())).await.is_empty());
            let noted: Vec<String> = queues
                .calls()
                .into_iter()
                .filter_map(|c| match c {
                    Call::Note { tenant, .. } => Some(tenant),
                    _ => None,
                })
                .collect();
            assert_eq!(noted, tenant.into_iter().collect::<Vec<_>>(), "{body}");
            assert_eq!(
                queues.calls().len(),
                1 + noted.len(),
                "{body} dead-lettered"
            );
        }
    }

    #[tokio::test]
    async fn one_bad_message_does_not_hold_back_the_others() {
        let queues = FakeQueues::default();
        let records = ["ok-1", "retry", "ok-2", "invalid", "throttled"]
            .iter()
            .map(|id| record(id, "{}"))
            .collect();
        let response = process(event(records), &queues, 2, |m| async move {
            match m.id.as_str() {
                "retry" => Err(Error::LinkedInUnavailable("502".into())),
                "invalid" => Err(invalid()),
                "throttled" => Err(Error::Throttled {
                    retry_after: Some(Duration::from_secs(2)),
                }),
                _ => Ok(()),
            }
        })
        .await;
        assert_eq!(reported(&response), ["retry", "throttled"]);
        let mut calls = queues.calls();
        calls.sort_by_key(|c| format!("{c:?}"));
        assert!(
            matches!(&calls[..], [Call::DeadLetter { .. }, Call::Delay { receipt, .. }] if receipt == "receipt-throttled")
        );
    }

    #[tokio::test]
    async fn at_most_concurrency_messages_run_at_once() {
        for (concurrency, expected) in [(3, 3), (1, 1), (0, 1)] {
            let running = AtomicUsize::new(0);
            let most = AtomicUsize::new(0);
            let records = (0..8).map(|i| record(&format!("m{i}"), "{}")).collect();
            let response = process(event(records), &FakeQueues::default(), concurrency, |_| {
                let (running, most) = (&running, &most);
                async move {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                    Ok(())
                }
            })
            .await;
            assert!(response.batch_item_failures.is_empty());
            assert_eq!(
                most.load(Ordering::SeqCst),
                expected,
                "concurrency {concurrency}"
            );
        }
    }

    #[tokio::test]
    async fn handlers_see_id_body_and_receive_count() {
        let mut records = vec![record("first", "{\"a\":1}")];
        for (id, count) in [("fourth", json!("4")), ("garbled", json!("many"))] {
            let mut r = record(id, "{}");
            r["attributes"]["ApproximateReceiveCount"] = count;
            records.push(r);
        }
        let mut bare = record("bare", "{}");
        bare.as_object_mut().unwrap().remove("attributes");
        records.push(bare);

        let seen = Mutex::new(Vec::new());
        process(event(records), &FakeQueues::default(), 4, |m| {
            seen.lock().unwrap().push((m.id, m.body, m.receive_count));
            async { Ok(()) }
        })
        .await;
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(
            seen,
            [
                ("bare".to_owned(), "{}".to_owned(), 1),
                ("first".to_owned(), "{\"a\":1}".to_owned(), 1),
                ("fourth".to_owned(), "{}".to_owned(), 4),
                ("garbled".to_owned(), "{}".to_owned(), 1),
            ]
        );
    }

    #[test]
    fn real_queues_name_their_source_by_the_url_s_last_segment() {
        let config = aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .region(aws_sdk_sqs::config::Region::new("eu-west-1"))
            .build();
        let client = aws_sdk_sqs::Client::from_conf(config);
        let queues = BatchQueues {
            source: Queue::new(
                client.clone(),
                "https://sqs.eu-west-1.amazonaws.com/123456789012/exports",
            ),
            dead_letters: Queue::new(client, "https://sqs.eu-west-1.amazonaws.com/1/exports-dlq"),
            log: None,
        };
        assert_eq!(queues.source_name(), "exports");
    }
}
