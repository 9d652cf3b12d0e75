//! The activity poll's fan-out: every linked seat of an active contract gets one message on the
//! activity queue, each run of the schedule.
//!
//! Linked seats are listed in 64 shards of the linked-seat index (`keys::LINKED_SEAT_SHARDS`).
//! The scheduled run (inmail-poll) walks the shards in order for as long as its time budget
//! lasts, and hands each shard it did not finish to the activity queue as a [`ShardPoll`]
//! (with where to resume); inmail-import walks a handed-off shard the same way and hands on what
//! its own budget leaves. No invocation's work grows with the number of seats or tenants: a run
//! does at most a budget's worth, and the rest is spread over the queue's consumers
//! (docs/scale.md).

use std::collections::HashMap;
use std::time::Instant;

use serde::Serialize;

use crate::error::Result;
use crate::keys::LINKED_SEAT_SHARDS;
use crate::messages::{SeatPoll, ShardPoll};
use crate::queue::Queue;
use crate::store::{LinkedSeat, Store};

/// What a fan-out did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FanOut {
    /// Linked seats read from the index.
    pub linked_seats: usize,
    /// Seats put on the activity queue.
    pub enqueued: usize,
    /// Seats left out because their contract is not active now.
    pub contract_inactive: usize,
    pub send_batch_calls: usize,
    /// Shards (or the rest of one) handed to the activity queue for lack of time.
    pub shards_handed_off: usize,
}

/// Every shard, from its start: what a scheduled run walks.
pub fn every_shard() -> Vec<ShardPoll> {
    (0..LINKED_SEAT_SHARDS)
        .map(|shard| ShardPoll {
            shard,
            next_token: None,
        })
        .collect()
}

/// Walks `shards` in order until `deadline`: each page of linked seats is read, the seats of
/// active contracts are enqueued (ten a `SendMessageBatch`, across pages and shards), and what is
/// left when the time is up is handed to `queue`.
pub async fn fan_out(
    store: &Store,
    queue: &Queue,
    shards: Vec<ShardPoll>,
    now: i64,
    deadline: Instant,
) -> Result<FanOut> {
    let mut out = FanOut::default();
    let mut contracts = ActiveContracts::default();
    let mut due: Vec<SeatPoll> = Vec::new();
    let mut left = shards.into_iter();
    let mut handed_off = Vec::new();
    while let Some(mut shard) = left.next() {
        loop {
            if Instant::now() >= deadline {
                handed_off.push(shard);
                handed_off.extend(left.by_ref());
                break;
            }
            let page = store
                .linked_seats_page(shard.shard, shard.next_token.as_deref())
                .await?;
            out.linked_seats += page.items.len();
            contracts.learn(store, &page.items, now).await?;
            for seat in page.items {
                if contracts.is_active(&seat) {
                    due.push(SeatPoll {
                        tenant_id: seat.tenant_id,
                        contract_id: seat.contract_id,
                        seat_id: seat.seat_id,
                        enqueued_at: now,
                    });
                } else {
                    out.contract_inactive += 1;
                }
            }
            // Full batches go at once; a remainder waits for the next page.
            let full = due.len() - due.len() % 10;
            out.enqueued += full;
            out.send_batch_calls += queue.send_batch(&due[..full]).await?;
            due.drain(..full);
            match page.next_token {
                Some(token) => shard.next_token = Some(token),
                None => break,
            }
        }
    }
    out.enqueued += due.len();
    out.send_batch_calls += queue.send_batch(&due).await?;
    if !handed_off.is_empty() {
        out.shards_handed_off = handed_off.len();
        out.send_batch_calls += queue.send_batch(&handed_off).await?;
    }
    Ok(out)
}

/// Whether each contract a fan-out met is active now, each read once.
#[derive(Default)]
struct ActiveContracts(HashMap<(String, String), bool>);

impl ActiveContracts {
    /// Reads the contracts of `seats` not read yet (BatchGetItem, 100 keys a call).
    async fn learn(&mut self, store: &Store, seats: &[LinkedSeat], now: i64) -> Result<()> {
        let mut wanted: Vec<(String, String)> = seats
            .iter()
            .map(|s| (s.tenant_id.clone(), s.contract_id.clone()))
            .filter(|k| !self.0.contains_key(k))
            .collect();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(());
        }
        for key in &wanted {
            self.0.insert(key.clone(), false);
        }
        for c in store.get_contracts(&wanted).await? {
            let active = c.is_active_at(now);
            self.0.insert((c.tenant_id, c.contract_id), active);
        }
        Ok(())
    }

    fn is_active(&self, seat: &LinkedSeat) -> bool {
        self.0
            .get(&(seat.tenant_id.clone(), seat.contract_id.clone()))
            .copied()
            .unwrap_or(false)
    }
}
