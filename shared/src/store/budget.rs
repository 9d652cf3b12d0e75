//! A tenant's LinkedIn calls per UTC day (`BUDGET#<day>`): counters by kind, re-import
//! reservations, and what the seat poll met per cycle (`shared::budget`).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::item::{Item, key_item, key_of, n};
use super::{Store, write::Conditional};
use crate::budget::{CallKind, Calls, DayUsage, PollCounts, SeatMix};
use crate::error::{Error, Result};
use crate::keys;

/// Day items expire three days after their last write (yesterday's is read for the plan).
const KEEP_S: i64 = 3 * 86_400;
const POLLED_SEATS: &str = "polledSeats";
const POLL_CALLS: &str = "pollCalls";
const REIMPORT_CALLS: &str = "reimportCalls";
const ACTIVE_PREFIX: &str = "activeSeats";
const QUIET_PREFIX: &str = "quietSeats";

impl Store {
    /// Adds one invocation's calls and poll counts to the tenant's `day`: one update, whatever
    /// the number of calls.
    pub async fn record_calls(
        &self,
        tenant_id: &str,
        day: &str,
        calls: &Calls,
        poll: &PollCounts,
        now_ms: i64,
    ) -> Result<()> {
        let mut adds: Vec<(String, u64)> = CallKind::ALL
            .iter()
            .map(|k| (k.attribute().to_owned(), calls.get(*k)))
            .collect();
        adds.push((POLLED_SEATS.to_owned(), poll.polled_seats));
        adds.push((POLL_CALLS.to_owned(), poll.poll_calls));
        if let Some((cycle, mix)) = poll.cycle {
            adds.push((format!("{ACTIVE_PREFIX}{cycle:02}"), mix.active));
            adds.push((format!("{QUIET_PREFIX}{cycle:02}"), mix.quiet));
        }
        adds.retain(|(_, v)| *v > 0);
        if adds.is_empty() {
            return Ok(());
        }
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::call_budget(tenant_id, day))))
            .expression_attribute_names("#ttl", keys::TTL)
            .expression_attribute_values(":ttl", n(now_ms / 1000 + KEEP_S));
        let mut parts = Vec::with_capacity(adds.len());
        for (i, (name, value)) in adds.into_iter().enumerate() {
            parts.push(format!("#a{i} :v{i}"));
            req = req
                .expression_attribute_names(format!("#a{i}"), name)
                .expression_attribute_values(format!(":v{i}"), n(value));
        }
        req.update_expression(format!("ADD {} SET #ttl = :ttl", parts.join(", ")))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }

    /// Each tenant's usage of each of `days` (empty for a day without an item), read together
    /// (100 items a request).
    pub async fn call_days(
        &self,
        tenants: &[&str],
        days: &[String],
    ) -> Result<HashMap<String, Vec<DayUsage>>> {
        let wanted = tenants
            .iter()
            .flat_map(|t| days.iter().map(|d| keys::call_budget(t, d)))
            .collect();
        let items: HashMap<keys::Key, DayUsage> = self
            .batch_get(wanted)
            .await?
            .iter()
            .map(|item| (key_of(item), day_usage(item)))
            .collect();
        Ok(tenants
            .iter()
            .map(|t| {
                let usage = days
                    .iter()
                    .map(|d| {
                        items
                            .get(&keys::call_budget(t, d))
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect();
                ((*t).to_owned(), usage)
            })
            .collect())
    }

    /// One tenant's day items of `at`'s UTC day and the day before (what `budget::plan_at`
    /// reads), in one request.
    pub async fn plan_days_of(&self, tenant_id: &str, at: i64) -> Result<(DayUsage, DayUsage)> {
        let days = crate::budget::plan_days(at);
        let mut read = self
            .call_days(&[tenant_id], &days)
            .await?
            .remove(tenant_id)
            .unwrap_or_default()
            .into_iter();
        Ok((
            read.next().unwrap_or_default(),
            read.next().unwrap_or_default(),
        ))
    }

    /// Reserves `calls` LinkedIn calls for `purpose` (an attribute name, e.g. `reimportCalls`)
    /// on the tenant's UTC `day`, if the day's reservations for it stay within `max`. One
    /// conditional update; the item expires with the day's counters.
    pub async fn reserve_calls(
        &self,
        tenant_id: &str,
        day: &str,
        purpose: &str,
        calls: u64,
        max: u64,
        now_ms: i64,
    ) -> Result<bool> {
        let Some(limit) = max.checked_sub(calls) else {
            return Ok(false);
        };
        let reserved = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::call_budget(tenant_id, day))))
            .update_expression("ADD #used :n SET #ttl = :ttl")
            .condition_expression("attribute_not_exists(#used) OR #used <= :limit")
            .expression_attribute_names("#used", purpose)
            .expression_attribute_names("#ttl", keys::TTL)
            .expression_attribute_values(":n", n(calls))
            .expression_attribute_values(":limit", n(limit))
            .expression_attribute_values(":ttl", n(now_ms / 1000 + KEEP_S))
            .send()
            .await
            .conditional()?;
        Ok(reserved.is_some())
    }
}

fn day_usage(item: &Item) -> DayUsage {
    let num = |k: &str| number(item.get(k));
    let mut usage = DayUsage {
        reimport_calls: num(REIMPORT_CALLS),
        polled_seats: num(POLLED_SEATS),
        poll_calls: num(POLL_CALLS),
        ..DayUsage::default()
    };
    for kind in CallKind::ALL {
        usage.calls.add(kind, num(kind.attribute()));
    }
    for (name, value) in item {
        let (cycle, active) = if let Some(c) = name.strip_prefix(ACTIVE_PREFIX) {
            (c, true)
        } else if let Some(c) = name.strip_prefix(QUIET_PREFIX) {
            (c, false)
        } else {
            continue;
        };
        let Ok(cycle) = cycle.parse::<u32>() else {
            continue;
        };
        let mix: &mut SeatMix = usage.cycles.entry(cycle).or_default();
        if active {
            mix.active = number(Some(value));
        } else {
            mix.quiet = number(Some(value));
        }
    }
    usage
}

fn number(v: Option<&AttributeValue>) -> u64 {
    v.and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
