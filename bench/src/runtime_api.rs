//! A minimal Lambda Runtime API (the `2018-06-01` interface a function's runtime client polls),
//! so a function binary can be started as Lambda starts it and timed from exec.
//!
//! It hands out queued events on `GET /invocation/next` (holding the request while none is
//! queued, as Lambda does), and records when each `next` arrived and when each response or error
//! came back.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::Notify;

/// What came back for one invocation.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub request_id: String,
    pub at: Instant,
    /// The response body, or the error body when the function reported an error.
    pub body: Result<Value, String>,
}

#[derive(Default)]
struct Log {
    queue: VecDeque<(String, Value)>,
    nexts: Vec<Instant>,
    outcomes: Vec<Outcome>,
    init_error: Option<String>,
}

#[derive(Default)]
struct Inner {
    log: Mutex<Log>,
    changed: Notify,
}

#[derive(Clone)]
pub struct RuntimeApi {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

impl RuntimeApi {
    pub async fn start() -> std::io::Result<Self> {
        let inner = Arc::new(Inner::default());
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, inner })
    }

    /// Forgets everything: a new process is about to start.
    pub fn reset(&self) {
        *self.inner.log.lock().unwrap() = Log::default();
    }

    pub fn push(&self, request_id: String, event: Value) {
        self.inner
            .log
            .lock()
            .unwrap()
            .queue
            .push_back((request_id, event));
        self.inner.changed.notify_waiters();
    }

    pub fn first_next(&self) -> Option<Instant> {
        self.inner.log.lock().unwrap().nexts.first().copied()
    }

    pub fn next_count(&self) -> usize {
        self.inner.log.lock().unwrap().nexts.len()
    }

    /// Waits until `count` outcomes are in (or the process reported an init error).
    pub async fn outcomes(&self, count: usize, timeout: Duration) -> Result<Vec<Outcome>, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let changed = self.inner.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let log = self.inner.log.lock().unwrap();
                if let Some(e) = &log.init_error {
                    return Err(format!("init error: {e}"));
                }
                if log.outcomes.len() >= count {
                    return Ok(log.outcomes.clone());
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, changed).await.is_err() {
                return Err(format!("fewer than {count} outcomes after {timeout:?}"));
            }
        }
    }

    /// Waits until the runtime has asked for work `count` times (it finished what it had).
    pub async fn nexts(&self, count: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let changed = self.inner.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.next_count() >= count {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, changed).await.is_err() {
                return false;
            }
        }
    }
}

async fn next(State(inner): State<Arc<Inner>>) -> Response {
    inner.log.lock().unwrap().nexts.push(Instant::now());
    inner.changed.notify_waiters();
    loop {
        let changed = inner.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let queued = inner.log.lock().unwrap().queue.pop_front();
        if let Some((id, event)) = queued {
            let mut headers = HeaderMap::new();
            let deadline = chrono::Utc::now().timestamp_millis() + 900_000;
            let pairs = [
                ("lambda-runtime-aws-request-id", id.clone()),
                ("lambda-runtime-deadline-ms", deadline.to_string()),
                (
                    "lambda-runtime-invoked-function-arn",
                    "arn:aws:lambda:us-east-1:123456789012:function:bench".to_owned(),
                ),
                ("lambda-runtime-trace-id", format!("Root=1-bench-{id}")),
                ("content-type", "application/json".to_owned()),
            ];
            for (name, value) in pairs {
                if let Ok(v) = HeaderValue::from_str(&value) {
                    headers.insert(name, v);
                }
            }
            return (StatusCode::OK, headers, event.to_string()).into_response();
        }
        changed.await;
    }
}

fn record(inner: &Inner, request_id: String, body: Result<Value, String>) {
    inner.log.lock().unwrap().outcomes.push(Outcome {
        request_id,
        at: Instant::now(),
        body,
    });
    inner.changed.notify_waiters();
}

async fn response(
    State(inner): State<Arc<Inner>>,
    Path(id): Path<String>,
    body: Bytes,
) -> StatusCode {
    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    record(&inner, id, Ok(value));
    StatusCode::ACCEPTED
}

async fn error(State(inner): State<Arc<Inner>>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    record(&inner, id, Err(String::from_utf8_lossy(&body).into_owned()));
    StatusCode::ACCEPTED
}

async fn init_error(State(inner): State<Arc<Inner>>, body: Bytes) -> StatusCode {
    inner.log.lock().unwrap().init_error = Some(String::from_utf8_lossy(&body).into_owned());
    inner.changed.notify_waiters();
    StatusCode::ACCEPTED
}
