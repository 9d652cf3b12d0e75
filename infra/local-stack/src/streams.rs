//! DynamoDB stream event sources: read a table's stream from moto as Lambda's poller does, drop
//! what the source's filter does not let through, and hand the rest to the function as real
//! stream batches, in order. A failure reported for a record (`batchItemFailures`) hands that
//! record and every later one out again; a failed invocation hands the whole batch out again.
//!
//! moto serves the DynamoDB Streams API but the SDK crate for it is not a dependency, so the
//! four calls are made as plain JSON requests (moto routes them by the target header and the
//! signing scope; it does not check the signature).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use aws_lambda_events::event::dynamodb::Event as StreamBatch;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::functions::Function;

/// Where the next read starts.
#[derive(Clone, Debug)]
enum Position {
    Start,
    At(String),
    After(String),
}

pub struct StreamSource {
    pub stream_arn: String,
    pub batch_size: usize,
    /// The sort-key prefixes the source's filter lets through (`None`: all records).
    pub sort_key_prefixes: Option<Vec<String>>,
    pub function: Arc<Function>,
    /// Non-zero while a batch is being handled.
    pub busy: Arc<AtomicUsize>,
    /// How many batches were handed to the function (a bench reads it).
    pub batches: AtomicUsize,
    /// The last batch failed and waits to be handed out again.
    failing: AtomicBool,
    endpoint: String,
    region: String,
    http: reqwest::Client,
    position: Mutex<Position>,
    shard: Mutex<Option<String>>,
}

impl StreamSource {
    pub fn new(
        endpoint: &str,
        region: &str,
        stream_arn: String,
        batch_size: usize,
        sort_key_prefixes: Option<Vec<String>>,
        function: Arc<Function>,
        busy: Arc<AtomicUsize>,
    ) -> Self {
        Self {
            stream_arn,
            batch_size: batch_size.clamp(1, 1000),
            sort_key_prefixes,
            function,
            busy,
            batches: AtomicUsize::new(0),
            failing: AtomicBool::new(false),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            region: region.to_owned(),
            http: reqwest::Client::new(),
            position: Mutex::new(Position::Start),
            shard: Mutex::new(None),
        }
    }

    /// Polls the stream for as long as the stack runs.
    pub async fn run(self: Arc<Self>) {
        loop {
            match self.poll(1).await {
                Ok(true) => {}
                Ok(false) => tokio::time::sleep(Duration::from_millis(25)).await,
                Err(e) => {
                    tracing::warn!(error = %e, "local stream source: read failed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }

    /// Reads one batch and hands it to the function `deliveries` times (Lambda may invoke a
    /// function with the same batch again; the last answer counts); `false` when the stream had
    /// nothing new.
    pub async fn poll(&self, deliveries: usize) -> Result<bool, String> {
        let mut position = self.position.lock().await;
        let records = self.read(&position, self.batch_size).await?;
        let Some(last) = records.last().and_then(sequence_number) else {
            return Ok(false);
        };
        let batch: Vec<Value> = records
            .into_iter()
            .filter(|r| self.lets_through(r))
            .collect();
        if batch.is_empty() {
            *position = Position::After(last);
            return Ok(true);
        }
        self.busy.fetch_add(1, Ordering::SeqCst);
        let mut next = Position::After(last.clone());
        for _ in 0..deliveries.max(1) {
            next = self.deliver(batch.clone(), &last).await;
        }
        self.busy.fetch_sub(1, Ordering::SeqCst);
        let failed = matches!(next, Position::At(_));
        self.failing.store(failed, Ordering::SeqCst);
        *position = next;
        if failed {
            // Lambda waits a little before handing a failed batch out again.
            drop(position);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(true)
    }

    /// Whether the source is quiet: nothing running, and nothing unread but what waits out a
    /// failure (as the local stack's settling does not wait for an SQS message that failed).
    pub async fn quiet(&self) -> Result<bool, String> {
        if self.busy.load(Ordering::SeqCst) > 0 {
            return Ok(false);
        }
        if self.failing.load(Ordering::SeqCst) {
            return Ok(true);
        }
        Ok(!self.behind().await?)
    }

    /// Whether the stream holds records the function has not taken yet (or a batch is running).
    pub async fn behind(&self) -> Result<bool, String> {
        if self.busy.load(Ordering::SeqCst) > 0 {
            return Ok(true);
        }
        let position = self.position.lock().await.clone();
        Ok(!self.read(&position, 1).await?.is_empty())
    }

    /// Hands `batch` to the function; answers where the next read starts.
    async fn deliver(&self, batch: Vec<Value>, last: &str) -> Position {
        let first = batch.first().and_then(sequence_number).unwrap_or_default();
        let event: StreamBatch = match serde_json::from_value(json!({ "Records": batch })) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(error = %e, "local stream source cannot build the stream event");
                return Position::After(last.to_owned());
            }
        };
        self.batches.fetch_add(1, Ordering::SeqCst);
        match self.function.stream(event).await {
            Some(Ok(response)) => match response
                .batch_item_failures
                .into_iter()
                .filter_map(|f| f.item_identifier)
                .min_by(|a, b| compare_sequence_numbers(a, b))
            {
                Some(failed) => Position::At(failed),
                None => Position::After(last.to_owned()),
            },
            Some(Err(e)) => {
                tracing::warn!(error = %e, "stream invocation failed; the batch comes again");
                Position::At(first)
            }
            None => Position::After(last.to_owned()),
        }
    }

    fn lets_through(&self, record: &Value) -> bool {
        let Some(prefixes) = &self.sort_key_prefixes else {
            return true;
        };
        let sk = record
            .pointer("/dynamodb/Keys/sk/S")
            .and_then(Value::as_str)
            .unwrap_or_default();
        prefixes.iter().any(|p| sk.starts_with(p.as_str()))
    }

    /// Up to `limit` records from `position`, as Lambda would put them in a batch.
    async fn read(&self, position: &Position, limit: usize) -> Result<Vec<Value>, String> {
        let shard = self.shard().await?;
        let mut request = json!({ "StreamArn": self.stream_arn, "ShardId": shard });
        match position {
            Position::Start => request["ShardIteratorType"] = json!("TRIM_HORIZON"),
            Position::At(seq) => {
                request["ShardIteratorType"] = json!("AT_SEQUENCE_NUMBER");
                request["SequenceNumber"] = json!(seq);
            }
            Position::After(seq) => {
                request["ShardIteratorType"] = json!("AFTER_SEQUENCE_NUMBER");
                request["SequenceNumber"] = json!(seq);
            }
        }
        let iterator = self.call("GetShardIterator", request).await?["ShardIterator"].clone();
        let answer = self
            .call(
                "GetRecords",
                json!({ "ShardIterator": iterator, "Limit": limit }),
            )
            .await?;
        let records = answer["Records"].as_array().cloned().unwrap_or_default();
        Ok(records
            .into_iter()
            .map(|mut r| {
                // Lambda's record: the stream's ARN added, the creation time in epoch seconds.
                r["eventSourceARN"] = json!(self.stream_arn);
                let created = &r["dynamodb"]["ApproximateCreationDateTime"];
                let seconds = created
                    .as_f64()
                    .or_else(|| {
                        created
                            .as_str()
                            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                            .map(|t| t.timestamp_millis() as f64 / 1000.0)
                    })
                    .unwrap_or_else(|| chrono::Utc::now().timestamp() as f64);
                r["dynamodb"]["ApproximateCreationDateTime"] = json!(seconds.floor());
                r
            })
            .collect())
    }

    async fn shard(&self) -> Result<String, String> {
        let mut shard = self.shard.lock().await;
        if let Some(id) = shard.as_ref() {
            return Ok(id.clone());
        }
        let described = self
            .call("DescribeStream", json!({ "StreamArn": self.stream_arn }))
            .await?;
        let id = described["StreamDescription"]["Shards"][0]["ShardId"]
            .as_str()
            .ok_or("the stream has no shard")?
            .to_owned();
        *shard = Some(id.clone());
        Ok(id)
    }

    async fn call(&self, action: &str, body: Value) -> Result<Value, String> {
        let answer = self
            .http
            .post(&self.endpoint)
            .header("x-amz-target", format!("DynamoDBStreams_20120810.{action}"))
            .header("content-type", "application/x-amz-json-1.0")
            .header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=test/20260101/{}/dynamodb/aws4_request, \
                     SignedHeaders=host, Signature=0",
                    self.region
                ),
            )
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| format!("{action}: {e}"))?;
        let status = answer.status();
        let text = answer.text().await.map_err(|e| format!("{action}: {e}"))?;
        if !status.is_success() {
            return Err(format!("{action}: {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{action}: {e}"))
    }
}

fn sequence_number(record: &Value) -> Option<String> {
    record
        .pointer("/dynamodb/SequenceNumber")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Sequence numbers are decimal strings of any length.
fn compare_sequence_numbers(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}
