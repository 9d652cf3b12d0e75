//! Hands queued messages to the functions the way SQS may: in any order, some of them twice,
//! some only after later ones. Stands in for the local stack's own pollers, which the fault
//! suite turns off.

use std::time::Duration;

use aws_sdk_sqs::types::Message;
use local_stack::Stack;

use crate::plan::{Plan, Rng, Tally};

/// How long a received message stays hidden while it is handled or held back (long enough
/// that a slow machine never sees it reappear by accident).
const HIDDEN_SECS: i32 = 120;
/// How soon a message a function reported as failed comes back (SQS would wait for the
/// queue's visibility timeout; LinkedIn's Retry-After in this suite is 1 s too).
const RETRY_SECS: i32 = 1;

pub struct Pump {
    rng: Rng,
    duplicate: f64,
    hold_back: f64,
    tally: Tally,
    /// Messages received but not handed out yet, by consumer.
    held: Vec<Vec<Message>>,
}

impl Pump {
    pub fn new(plan: &Plan, tally: Tally) -> Self {
        Pump {
            rng: Rng::new(plan.seed.wrapping_mul(31).wrapping_add(7)),
            duplicate: plan.duplicate,
            hold_back: plan.hold_back,
            tally,
            held: Vec::new(),
        }
    }

    /// Delivers until every queue of the stack (dead-letter queues aside) is empty and nothing
    /// is held back or in flight. Fails after `limit`.
    pub async fn drain(&mut self, stack: &Stack, limit: Duration) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + limit;
        self.held.resize_with(stack.consumers.len(), Vec::new);
        let mut quiet = 0;
        loop {
            let mut busy = false;
            let mut delivered = false;
            for i in 0..stack.consumers.len() {
                let (visible, hidden) = depth(stack, &stack.consumers[i].0).await?;
                busy |= visible + hidden > 0 || !self.held[i].is_empty();
                if visible > 0 || !self.held[i].is_empty() {
                    delivered |= self.round(stack, i).await;
                }
            }
            // The table's stream: each batch in order, some of them handed out twice.
            for source in &stack.streams {
                if source.behind().await? {
                    busy = true;
                    let deliveries = if self.rng.chance(self.duplicate) {
                        self.tally.add("stream batch delivered twice");
                        2
                    } else {
                        1
                    };
                    delivered |= source.poll(deliveries).await?;
                }
            }
            // Idle twice in a row, so that nothing sent by the last handler is missed.
            quiet = if busy { 0 } else { quiet + 1 };
            if quiet == 2 {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!(
                    "the queues did not drain within {} s",
                    limit.as_secs()
                ));
            }
            if !delivered {
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
        }
    }

    /// One receive from a consumer's queue, handed out in the plan's order; answers whether
    /// anything was handed out.
    async fn round(&mut self, stack: &Stack, i: usize) -> bool {
        let consumer = &stack.consumers[i].1;
        let sqs = &stack.clients.sqs;
        let mut batch = std::mem::take(&mut self.held[i]);
        if let Some(received) = consumer.receive(sqs, 0, Some(HIDDEN_SECS)).await {
            batch.extend(received);
        }
        if batch.is_empty() {
            return false;
        }
        self.rng.shuffle(&mut batch);
        let mut now = Vec::new();
        for m in batch {
            if self.rng.chance(self.hold_back) && !self.held[i].iter().any(|h| same(h, &m)) {
                self.tally.add("message held back");
                self.held[i].push(m);
            } else {
                now.push(m);
            }
        }
        if now.is_empty() {
            return true;
        }
        let twice: Vec<Message> = now
            .iter()
            .filter(|_| self.rng.chance(self.duplicate))
            .cloned()
            .collect();
        for _ in &twice {
            self.tally.add("message delivered twice");
        }
        let mut failed = if twice.is_empty() {
            consumer.deliver(sqs, &now).await
        } else if self.rng.chance(0.5) {
            // The duplicates arrive at the same time as the originals, in another batch.
            let (a, b) = futures::join!(consumer.deliver(sqs, &now), consumer.deliver(sqs, &twice));
            [a, b].concat()
        } else {
            let a = consumer.deliver(sqs, &now).await;
            [a, consumer.deliver(sqs, &twice).await].concat()
        };
        failed.sort();
        failed.dedup();
        for m in now.iter().filter(|m| {
            m.message_id()
                .is_some_and(|id| failed.iter().any(|f| f == id))
        }) {
            // Comes back soon; a message deleted by its duplicate's success is simply gone.
            let _ = sqs
                .change_message_visibility()
                .queue_url(&consumer.queue_url)
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .visibility_timeout(RETRY_SECS)
                .send()
                .await;
        }
        true
    }
}

fn same(a: &Message, b: &Message) -> bool {
    a.message_id() == b.message_id()
}

/// `(visible, in flight or delayed)` messages of a queue of the stack, by logical id.
pub async fn depth(stack: &Stack, logical: &str) -> Result<(u64, u64), String> {
    stack
        .queue_depth(stack.queue_url(logical))
        .await
        .map_err(|e| e.to_string())
}
