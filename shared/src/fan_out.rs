//! The activity poll's fan-out: every linked seat of an active contract gets one message on the
//! activity queue, each run of the schedule.
//!
//! Linked seats are listed in 16 shards of the linked-seat index (`keys::LINKED_SEAT_SHARDS`).
//! The scheduled run (inmail-poll) walks the shards in order for as long as its time budget
//! lasts, and hands each shard it did not finish to the activity queue as a [`ShardFanOut`]
//! (with where to resume); inmail-import walks a handed-off shard the same way and hands on what
//! its own budget leaves. No invocation's work grows with the number of seats or tenants: a run
//! does at most a budget's worth, and the rest is spread over the queue's consumers
//! (docs/scale.md).
//!
//! Every seat message carries when the scheduled poll ran (`enqueuedAt`); a seat polled since is
//! not polled again (inmail-import), so a shard walked twice (a retried run, a hand-off handed
//! out again) costs messages, never LinkedIn calls.
//!
//! Each tenant's day of LinkedIn calls is read once per walk (with its contracts), and its
//! seats carry the cycle's plan (`shared::budget::plan`): how often quiet seats are polled. A
//! tenant whose share of the day is used up gets no message until the next UTC day.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde::Serialize;

use crate::budget::{self, PollPlan};
use crate::clock::SharedClock;
use crate::error::Result;
use crate::keys::LINKED_SEAT_SHARDS;
use crate::messages::{SeatPoll, ShardFanOut};
use crate::queue::Queue;
use crate::store::{LinkedSeat, Store};

/// What a fan-out did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FanOut {
    /// Linked seats this run read from the index (the rest is read where it was handed).
    pub linked_seats: usize,
    /// Seats put on the activity queue.
    pub enqueued: usize,
    /// Seats left out because their contract is not active now.
    pub contract_inactive: usize,
    pub send_batch_calls: usize,
    /// Shards (or the rest of one) handed to the activity queue for lack of time.
    pub shards_handed_off: usize,
    /// Seats linked before the index was sharded, moved into their shards (and enqueued).
    pub moved_to_shards: usize,
    /// Seats left out because their tenant's share of LinkedIn's day is used up.
    pub over_budget: usize,
    /// Tenants whose quiet seats this cycle polls less often, or not at all.
    pub thrifty_tenants: usize,
}

/// One walk: where it reads, when the scheduled poll ran, and until when it may go on.
pub struct Walk<'a> {
    pub store: &'a Store,
    pub queue: &'a Queue,
    pub clock: &'a SharedClock,
    pub poll_started_at: i64,
    /// Epoch ms after which what is left is handed to the queue.
    pub deadline: i64,
    /// The calls a tenant's activity reads may make in a UTC day (`budget::polling_allowance`).
    pub polling_allowance: u64,
}

/// Every shard, from its start: what a scheduled run walks.
pub fn every_shard(poll_started_at: i64) -> Vec<ShardFanOut> {
    (0..LINKED_SEAT_SHARDS)
        .map(|shard| ShardFanOut {
            shard,
            next_token: None,
            poll_started_at,
        })
        .collect()
}

/// How long a walk may run: the budget, from now.
pub fn deadline(clock: &SharedClock, budget: Duration) -> i64 {
    clock.now_ms() + budget.as_millis() as i64
}

impl Walk<'_> {
    /// The scheduled run's walk: first the seats linked before the index was sharded (enqueued
    /// and moved into their shards, a page at a time, while the budget lasts; what is left is
    /// moved by the next run), then every shard.
    pub async fn scheduled(&self) -> Result<FanOut> {
        let mut out = FanOut::default();
        let mut batch = Batch::default();
        while !self.out_of_time() {
            let seats = self.store.unsharded_linked_seats_page().await?;
            if seats.is_empty() {
                break;
            }
            self.enqueue(&seats, &mut batch, &mut out).await?;
            for seat in &seats {
                out.moved_to_shards += usize::from(self.store.move_to_shard(seat).await?);
                // Its shard is walked next: enqueued once is enough.
                batch.enqueued_already.insert(seat.clone());
            }
        }
        self.shards(every_shard(self.poll_started_at), batch, out)
            .await
    }

    /// Walks `shards` in order until the deadline: each page of linked seats is read, the seats
    /// of active contracts are enqueued (ten a `SendMessageBatch`, across pages and shards), and
    /// what is left when the time is up is handed to the queue.
    pub async fn handed_off(&self, shards: Vec<ShardFanOut>) -> Result<FanOut> {
        self.shards(shards, Batch::default(), FanOut::default())
            .await
    }

    async fn shards(
        &self,
        shards: Vec<ShardFanOut>,
        mut batch: Batch,
        mut out: FanOut,
    ) -> Result<FanOut> {
        let mut left = shards.into_iter();
        let mut handed_off = Vec::new();
        while let Some(mut shard) = left.next() {
            loop {
                if self.out_of_time() {
                    handed_off.push(shard);
                    handed_off.extend(left.by_ref());
                    break;
                }
                let page = self
                    .store
                    .linked_seats_page(shard.shard, shard.next_token.as_deref())
                    .await?;
                self.enqueue(&page.items, &mut batch, &mut out).await?;
                match page.next_token {
                    Some(token) => shard.next_token = Some(token),
                    None => break,
                }
            }
        }
        out.enqueued += batch.due.len();
        out.send_batch_calls += self.queue.send_batch(&batch.due).await?;
        if !handed_off.is_empty() {
            out.shards_handed_off = handed_off.len();
            out.send_batch_calls += self.queue.send_batch(&handed_off).await?;
        }
        Ok(out)
    }

    /// Adds the seats of active contracts to the batch, and sends its full tens.
    async fn enqueue(
        &self,
        seats: &[LinkedSeat],
        batch: &mut Batch,
        out: &mut FanOut,
    ) -> Result<()> {
        let seats: Vec<&LinkedSeat> = seats
            .iter()
            .filter(|s| !batch.enqueued_already.contains(*s))
            .collect();
        out.linked_seats += seats.len();
        let now = self.clock.now_ms();
        batch.contracts.learn(self.store, &seats, now).await?;
        out.thrifty_tenants += batch
            .plans
            .learn(
                self.store,
                &seats,
                self.poll_started_at,
                self.polling_allowance,
            )
            .await?;
        for seat in seats {
            if !batch.contracts.is_active(seat) {
                out.contract_inactive += 1;
                continue;
            }
            let plan = batch.plans.of(&seat.tenant_id);
            if plan.stopped {
                out.over_budget += 1;
                continue;
            }
            batch.due.push(SeatPoll {
                tenant_id: seat.tenant_id.clone(),
                contract_id: seat.contract_id.clone(),
                seat_id: seat.seat_id.clone(),
                enqueued_at: self.poll_started_at,
                quiet_every: Some(plan.quiet_every),
            });
        }
        // Full batches go at once; a remainder waits for the next page.
        let full = batch.due.len() - batch.due.len() % 10;
        out.enqueued += full;
        out.send_batch_calls += self.queue.send_batch(&batch.due[..full]).await?;
        batch.due.drain(..full);
        Ok(())
    }

    fn out_of_time(&self) -> bool {
        self.clock.now_ms() >= self.deadline
    }
}

/// Seats waiting to be sent, and what the walk knows of their contracts.
#[derive(Default)]
struct Batch {
    due: Vec<SeatPoll>,
    contracts: ActiveContracts,
    plans: Plans,
    /// Seats moved into their shards by this walk, and enqueued then.
    enqueued_already: HashSet<LinkedSeat>,
}

/// Whether each contract a walk met is active now, each read once.
#[derive(Default)]
struct ActiveContracts(HashMap<(String, String), bool>);

impl ActiveContracts {
    /// Reads the contracts of `seats` not read yet (BatchGetItem, 100 keys a call).
    async fn learn(&mut self, store: &Store, seats: &[&LinkedSeat], now: i64) -> Result<()> {
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

/// Each tenant's plan for this cycle, its day read once.
#[derive(Default)]
struct Plans(HashMap<String, PollPlan>);

impl Plans {
    /// Plans the tenants of `seats` not planned yet: today's and yesterday's day items of all of
    /// them in one read (the last cycle counted may be yesterday's). Answers how many of them
    /// are planned thrifty.
    async fn learn(
        &mut self,
        store: &Store,
        seats: &[&LinkedSeat],
        poll_started_at: i64,
        allowance: u64,
    ) -> Result<usize> {
        let mut wanted: Vec<&str> = seats
            .iter()
            .map(|s| s.tenant_id.as_str())
            .filter(|t| !self.0.contains_key(*t))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            return Ok(0);
        }
        let days = budget::plan_days(poll_started_at);
        let mut thrifty = 0;
        // Without its day, a tenant is polled as if the day were fine: the per-cycle check
        // comes back with the next read, and LinkedIn's own limit stays the last guard.
        let days_read = match store.call_days(&wanted, &days).await {
            Ok(read) => read,
            Err(e) => {
                tracing::warn!(error = %e, "LinkedIn call budgets not read; every seat polled this cycle");
                for tenant in wanted {
                    self.0.insert(tenant.to_owned(), PollPlan::EVERY_CYCLE);
                }
                return Ok(0);
            }
        };
        for (tenant, usage) in days_read {
            let plan = budget::plan_at(&usage[0], &usage[1], allowance, poll_started_at);
            if plan.is_thrifty() {
                tracing::info!(%tenant, ?plan, "LinkedIn's daily budget is tight: quiet seats polled less often");
                thrifty += 1;
            }
            self.0.insert(tenant, plan);
        }
        Ok(thrifty)
    }

    fn of(&self, tenant: &str) -> PollPlan {
        self.0.get(tenant).copied().unwrap_or(PollPlan::EVERY_CYCLE)
    }
}
