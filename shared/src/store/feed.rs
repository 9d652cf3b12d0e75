//! The change feed: each tenant's events, numbered 1, 2, 3... in the order they were appended,
//! and read back from any number on (`GET /tenants/{t}/changes`).
//!
//! Numbers are handed out by a conditional write on the feed's head, in the same transaction
//! as the entries that take them. Entry `n + 1` therefore never becomes visible before entry
//! `n`: a reader that has seen a number has seen every number below it, however many publishers
//! append at once, so a cursor never skips an entry. Each event also leaves a marker of its id,
//! so an event delivered twice is appended once.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};

use super::Store;
use super::item::{Item, built, key_item, n, s, text, with_key};
use crate::error::{Error, Result};
use crate::events::Event;
use crate::keys;

/// How long an entry is kept (DynamoDB's TTL deletes it after that).
pub const FEED_RETENTION_DAYS: i64 = 30;

/// How long an event's id is remembered: longer than the table's stream keeps a record (24
/// hours), which bounds how late a second delivery can come.
const SEEN_FOR_SECS: i64 = 2 * 24 * 3600;

/// Events per transaction: two items each (the entry and its id's marker) and the head, within
/// DynamoDB's 100 items a transaction.
const EVENTS_PER_APPEND: usize = 40;

/// How often an append is tried against other publishers of the same tenant.
const APPEND_TRIES: usize = 20;

/// One entry of the feed: its number and its event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub seq: u64,
    pub event: Event,
}

/// A page of the feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangesPage {
    pub changes: Vec<Change>,
    /// Entries between the cursor and the first entry returned that the feed no longer keeps
    /// (older than [`FEED_RETENTION_DAYS`]); 0 for a reader that starts without a cursor.
    pub expired: u64,
}

impl Store {
    /// Appends `events` (all of `tenant`) to its feed, in their order, skipping any appended
    /// before. `now_secs` dates the entries for their TTL.
    pub async fn append_changes(
        &self,
        tenant: &str,
        events: &[Event],
        now_secs: i64,
    ) -> Result<()> {
        for chunk in events.chunks(EVENTS_PER_APPEND) {
            let mut left: Vec<&Event> = chunk.iter().collect();
            let mut tries = 0;
            while !left.is_empty() {
                if tries == APPEND_TRIES {
                    return Err(Error::Aws {
                        service: "DynamoDB",
                        message: format!("the change feed of {tenant} stayed busy"),
                        retryable: true,
                    });
                }
                tries += 1;
                match self.try_append(tenant, &left, now_secs).await? {
                    Appended::All => left.clear(),
                    Appended::Seen(seen) => left.retain(|e| !seen.contains(&e.event_id)),
                    // Another publisher of the tenant went first: let it finish.
                    Appended::Raced => {
                        tokio::time::sleep(std::time::Duration::from_millis(5 * tries as u64)).await
                    }
                }
            }
        }
        Ok(())
    }

    async fn try_append(&self, tenant: &str, events: &[&Event], now_secs: i64) -> Result<Appended> {
        let head_key = keys::changes_head(tenant);
        let head = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&head_key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?
            .item;
        let from: u64 = head
            .as_ref()
            .and_then(|h| h.get("seq"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let to = from + events.len() as u64;

        let mut head_update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_item(&head_key)))
            .update_expression("SET seq = :to")
            .expression_attribute_values(":to", n(to));
        head_update = if head.is_some() {
            head_update
                .condition_expression("seq = :from")
                .expression_attribute_values(":from", n(from))
        } else {
            head_update.condition_expression("attribute_not_exists(pk)")
        };
        let mut tx = self.client.transact_write_items().transact_items(
            TransactWriteItem::builder()
                .update(built(head_update.build())?)
                .build(),
        );
        for (i, event) in events.iter().enumerate() {
            let seen = Item::from([
                ("eventId".to_owned(), s(&event.event_id)),
                (keys::TTL.to_owned(), n(now_secs + SEEN_FOR_SECS)),
            ]);
            tx = tx.transact_items(
                TransactWriteItem::builder()
                    .put(built(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(with_key(
                                keys::change_seen(tenant, &event.event_id),
                                seen,
                            )))
                            .condition_expression("attribute_not_exists(pk)")
                            .build(),
                    )?)
                    .build(),
            );
            let json = serde_json::to_string(event)
                .map_err(|e| Error::Invalid(format!("cannot store event: {e}")))?;
            let entry = Item::from([
                ("eventId".to_owned(), s(&event.event_id)),
                ("event".to_owned(), s(json)),
                (
                    keys::TTL.to_owned(),
                    n(now_secs + FEED_RETENTION_DAYS * 24 * 3600),
                ),
            ]);
            tx = tx.transact_items(
                TransactWriteItem::builder()
                    .put(built(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(with_key(
                                keys::change(tenant, from + 1 + i as u64),
                                entry,
                            )))
                            .build(),
                    )?)
                    .build(),
            );
        }
        match tx.send().await {
            Ok(_) => Ok(Appended::All),
            Err(err) => {
                let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
                    err.as_service_error()
                else {
                    return Err(Error::aws("DynamoDB", err));
                };
                // Reasons come in the order of the items: the head, then a marker and an entry
                // for each event.
                let reasons = cancelled.cancellation_reasons();
                let failed = |i: usize| {
                    reasons
                        .get(i)
                        .and_then(|r| r.code())
                        .is_some_and(|c| c == "ConditionalCheckFailed")
                };
                let seen: Vec<String> = events
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| failed(1 + 2 * i))
                    .map(|(_, e)| e.event_id.clone())
                    .collect();
                if !seen.is_empty() {
                    Ok(Appended::Seen(seen))
                } else if failed(0)
                    || reasons
                        .iter()
                        .any(|r| r.code() == Some("TransactionConflict"))
                {
                    Ok(Appended::Raced)
                } else {
                    Err(Error::Aws {
                        service: "DynamoDB",
                        message: format!("appending to the change feed was cancelled: {reasons:?}"),
                        retryable: true,
                    })
                }
            }
        }
    }

    /// Up to `limit` entries of `tenant`'s feed after number `after` (0: from the start), in
    /// order.
    pub async fn changes_after(&self, tenant: &str, after: u64, limit: i32) -> Result<ChangesPage> {
        let first = keys::change(tenant, after + 1);
        let last = keys::change(tenant, keys::MAX_CHANGE_SEQ);
        let resp = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :first AND :last")
            .expression_attribute_values(":pk", s(&first.pk))
            .expression_attribute_values(":first", s(&first.sk))
            .expression_attribute_values(":last", s(&last.sk))
            .consistent_read(true)
            .limit(limit)
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        let mut changes = Vec::new();
        for item in resp.items() {
            let (Some(sk), Some(json)) = (text(item, keys::SK), text(item, "event")) else {
                continue;
            };
            let seq = keys::change_seq(&sk).ok_or_else(|| Error::Aws {
                service: "DynamoDB",
                message: format!("a change-feed entry has the key {sk:?}"),
                retryable: false,
            })?;
            let event = serde_json::from_str(&json).map_err(|e| Error::Aws {
                service: "DynamoDB",
                message: format!("change-feed entry {seq} does not hold an event: {e}"),
                retryable: false,
            })?;
            changes.push(Change { seq, event });
        }
        // A reader without a cursor starts at the oldest entry kept: nothing expired for it.
        let expired = match (after, changes.first()) {
            (0, _) | (_, None) => 0,
            (_, Some(first)) => first.seq - after - 1,
        };
        Ok(ChangesPage { changes, expired })
    }
}

enum Appended {
    All,
    /// These events were appended before (their markers exist); nothing was written.
    Seen(Vec<String>),
    /// Another publisher moved the head first; nothing was written.
    Raced,
}
