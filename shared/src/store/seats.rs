//! ATS users, Recruiter seats and their links, the linked-seat index the poller reads, poll
//! leases and activity cursors.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::item::{Item, from_item, key_item, n, s, text, to_attr};
use super::query::Partition;
use super::write::Conditional;
use super::{Page, Store};
use crate::domain::{ActivityStream, AtsUser, Backfill, Contract, CursorMove, Seat};
use crate::error::{Error, Result};
use crate::keys;

/// A linked seat as the poller sees it through the index, without reading the seat itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LinkedSeat {
    pub tenant_id: String,
    pub contract_id: String,
    pub seat_id: String,
}

/// Proof that this caller holds a seat's poll lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollLease {
    pub owner: String,
    pub until: i64,
}

/// What LinkedIn lists about a seat, as the seat sync records it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ListedSeat<'a> {
    pub member: Option<&'a str>,
    pub state: Option<&'a str>,
    pub holder_name: Option<&'a str>,
}

impl Store {
    // ---- users --------------------------------------------------------------------------------

    pub async fn put_user(&self, user: &AtsUser) -> Result<()> {
        self.put(keys::user(&user.tenant_id, &user.user_id), user)
            .await
    }

    pub async fn get_user(&self, tenant_id: &str, user_id: &str) -> Result<Option<AtsUser>> {
        self.get(keys::user(tenant_id, user_id)).await
    }

    pub async fn list_users(
        &self,
        tenant_id: &str,
        limit: i32,
        next_token: Option<&str>,
    ) -> Result<Page<AtsUser>> {
        self.query_page(
            &Partition::table(keys::tenant(tenant_id).pk).prefix(keys::USER_PREFIX),
            limit,
            next_token,
            true,
        )
        .await
    }

    // ---- seats --------------------------------------------------------------------------------

    pub async fn get_seat(
        &self,
        tenant_id: &str,
        contract_id: &str,
        seat_id: &str,
    ) -> Result<Option<Seat>> {
        self.get(keys::seat(tenant_id, contract_id, seat_id)).await
    }

    pub async fn list_seats(
        &self,
        tenant_id: &str,
        limit: i32,
        next_token: Option<&str>,
    ) -> Result<Page<Seat>> {
        self.query_page(
            &Partition::table(keys::tenant(tenant_id).pk).prefix(keys::SEAT_PREFIX),
            limit,
            next_token,
            true,
        )
        .await
    }

    /// The seat of a contract that `member` holds, as the seat sync recorded it: the contract's
    /// seats, filtered on the member in DynamoDB, so one request per megabyte of seats answers.
    pub async fn seat_held_by(
        &self,
        tenant_id: &str,
        contract_id: &str,
        member: &str,
    ) -> Result<Option<Seat>> {
        let pk = keys::tenant(tenant_id).pk;
        let prefix = keys::contract_seats_prefix(contract_id);
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .filter_expression("#member = :member")
                .expression_attribute_names("#member", "member")
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":prefix", s(&prefix))
                .expression_attribute_values(":member", s(member))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| Error::aws("DynamoDB", e))?;
            if let Some(item) = page.items().first() {
                return from_item(item.clone()).map(Some);
            }
            match page.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(None),
            }
        }
    }

    /// Every seat of a tenant (health and contract listings).
    pub async fn all_seats(&self, tenant_id: &str) -> Result<Vec<Seat>> {
        self.query_all_as(&Partition::table(keys::tenant(tenant_id).pk).prefix(keys::SEAT_PREFIX))
            .await
    }

    /// Links a seat LinkedIn listed to an ATS user and puts it in the linked-seat index; `None`
    /// when LinkedIn never listed the seat (the seat sync records it). Cursors already there are
    /// kept, so a relinked seat resumes where it stopped; a new one reads from `now`.
    pub async fn link_seat(
        &self,
        tenant_id: &str,
        contract_id: &str,
        seat_id: &str,
        user_id: &str,
        now: i64,
    ) -> Result<Option<Seat>> {
        let values = HashMap::from([
            (":t".to_owned(), s(tenant_id)),
            (":c".to_owned(), s(contract_id)),
            (":s".to_owned(), s(seat_id)),
            (":u".to_owned(), s(user_id)),
            (":now".to_owned(), n(now)),
            (
                ":g2".to_owned(),
                s(keys::linked_seats_partition(keys::linked_seat_shard(
                    tenant_id,
                    contract_id,
                    seat_id,
                ))),
            ),
            (
                ":g2s".to_owned(),
                s(keys::linked_seat_sort(tenant_id, contract_id, seat_id)),
            ),
        ]);
        let mut sets = vec![
            "tenantId = :t".to_owned(),
            "contractId = :c".to_owned(),
            "seatId = :s".to_owned(),
            "userId = :u".to_owned(),
            "linkedAt = :now".to_owned(),
            "updatedAt = :now".to_owned(),
            format!("{} = :g2", keys::GSI2_PK),
            format!("{} = :g2s", keys::GSI2_SK),
        ];
        for stream in ActivityStream::ALL {
            let f = stream.cursor_field();
            sets.push(format!("{f} = if_not_exists({f}, :now)"));
        }
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(tenant_id, contract_id, seat_id))))
            .update_expression(format!("SET {}", sets.join(", ")))
            // Only a seat LinkedIn listed (`listedAt`, set by the seat sync) can be linked.
            .condition_expression("attribute_exists(listedAt)")
            .set_expression_attribute_values(Some(values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .conditional()?
            .map(|r| from_item(r.attributes.unwrap_or_default()))
            .transpose()
    }

    /// Records a seat as LinkedIn lists it (member, state), keeping its link and cursors.
    pub async fn upsert_seat_from_linkedin(
        &self,
        tenant_id: &str,
        contract_id: &str,
        seat_id: &str,
        listed: ListedSeat<'_>,
        now: i64,
    ) -> Result<Seat> {
        let mut sets = vec![
            "tenantId = :t",
            "contractId = :c",
            "seatId = :s",
            "listedAt = :now",
            "updatedAt = :now",
        ];
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(tenant_id, contract_id, seat_id))))
            .expression_attribute_values(":t", s(tenant_id))
            .expression_attribute_values(":c", s(contract_id))
            .expression_attribute_values(":s", s(seat_id))
            .expression_attribute_values(":now", n(now));
        if let Some(name) = listed.holder_name {
            sets.push("holderName = :name");
            req = req.expression_attribute_values(":name", s(name));
        }
        if let Some(m) = listed.member {
            sets.push("#member = :m");
            req = req
                .expression_attribute_names("#member", "member")
                .expression_attribute_values(":m", s(m));
        }
        if let Some(st) = listed.state {
            sets.push("#state = :st");
            req = req
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":st", s(st));
        }
        let resp = req
            .update_expression(format!("SET {}", sets.join(", ")))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        from_item(resp.attributes.unwrap_or_default())
    }

    /// Every ATS user of a tenant.
    pub async fn all_users(&self, tenant_id: &str) -> Result<Vec<AtsUser>> {
        self.query_all_as(&Partition::table(keys::tenant(tenant_id).pk).prefix(keys::USER_PREFIX))
            .await
    }

    /// Records a new back-fill on the seat, unless it already has one. True when recorded.
    pub async fn start_backfill(
        &self,
        seat: (&str, &str, &str),
        backfill: &Backfill,
    ) -> Result<bool> {
        let (t, c, st) = seat;
        let started = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(t, c, st))))
            .update_expression("SET backfill = :b")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(backfill)")
            .expression_attribute_values(":b", to_attr(backfill)?)
            .send()
            .await
            .conditional()?;
        Ok(started.is_some())
    }

    /// Replaces a linked seat's back-fill with a new one over another window, its read positions
    /// reset, unless a back-fill is running (`false` then, or when the seat is not linked).
    pub async fn restart_backfill(
        &self,
        seat: (&str, &str, &str),
        backfill: &Backfill,
    ) -> Result<bool> {
        let (t, c, st) = seat;
        let restarted = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(t, c, st))))
            .update_expression("SET backfill = :b REMOVE backfillInmails, backfillNotes, backfillStubs")
            .condition_expression(
                "attribute_exists(userId) AND (attribute_not_exists(backfill) OR backfill.#state <> :running)",
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":b", to_attr(backfill)?)
            .expression_attribute_values(":running", s("running"))
            .send()
            .await
            .conditional()?;
        Ok(restarted.is_some())
    }

    /// Ends a back-fill step: stores its cursor moves (each conditional on its old value) and the
    /// back-fill's new state, in one request; when a cursor was moved by someone else, the moves
    /// are tried one by one and the state is stored anyway.
    pub async fn finish_backfill_step(
        &self,
        seat: (&str, &str, &str),
        moves: &[CursorMove],
        backfill: &Backfill,
    ) -> Result<()> {
        let (t, c, st) = seat;
        let value = to_attr(backfill)?;
        let mut sets = vec!["backfill = :b".to_owned()];
        let mut conditions = vec!["attribute_exists(pk)".to_owned()];
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(t, c, st))))
            .expression_attribute_values(":b", value.clone());
        req = with_moves(req, moves, &mut sets, &mut conditions);
        let finished = req
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression(conditions.join(" AND "))
            .send()
            .await
            .conditional()?;
        if finished.is_some() {
            return Ok(());
        }
        for m in moves {
            self.advance_cursor(seat, m.field, m.stored, m.reached)
                .await?;
        }
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(t, c, st))))
            .update_expression("SET backfill = :b")
            .expression_attribute_values(":b", value)
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }

    /// Unlinks a seat: it leaves the poller's index; its data and cursors stay.
    pub async fn unlink_seat(
        &self,
        tenant_id: &str,
        contract_id: &str,
        seat_id: &str,
        now: i64,
    ) -> Result<Option<Seat>> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(tenant_id, contract_id, seat_id))))
            .update_expression(format!(
                "REMOVE userId, linkedAt, {}, {} SET updatedAt = :now",
                keys::GSI2_PK,
                keys::GSI2_SK
            ))
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":now", n(now))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .conditional()?
            .map(|r| from_item(r.attributes.unwrap_or_default()))
            .transpose()
    }

    /// One page of a shard of the linked-seat index, from `next_token` (the index projects the
    /// seat's ids only: nothing there changes while a seat stays linked).
    pub async fn linked_seats_page(
        &self,
        shard: u32,
        next_token: Option<&str>,
    ) -> Result<Page<LinkedSeat>> {
        let page = self
            .query_page_items(
                &Partition::index(
                    keys::GSI2,
                    keys::GSI2_PK,
                    keys::linked_seats_partition(shard),
                ),
                super::MAX_PAGE_SIZE,
                next_token,
                true,
            )
            .await?;
        Ok(Page {
            items: page.items.iter().map(linked_seat).collect(),
            next_token: page.next_token,
        })
    }

    /// One page of the seats still listed in the index's one partition of before the shards
    /// (empty once every seat linked then has been moved into its shard).
    pub async fn unsharded_linked_seats_page(&self) -> Result<Vec<LinkedSeat>> {
        let page = self
            .query_page_items(
                &Partition::index(
                    keys::GSI2,
                    keys::GSI2_PK,
                    keys::UNSHARDED_LINKED_SEATS.to_owned(),
                ),
                super::MAX_PAGE_SIZE,
                None,
                true,
            )
            .await?;
        Ok(page.items.iter().map(linked_seat).collect())
    }

    /// Moves a seat listed in the index's one partition of before the shards into its shard,
    /// and drops the lease attribute the index used to carry; `false` when it was not there any
    /// more (unlinked, or moved, meanwhile).
    pub async fn move_to_shard(&self, seat: &LinkedSeat) -> Result<bool> {
        let shard = keys::linked_seat_shard(&seat.tenant_id, &seat.contract_id, &seat.seat_id);
        let done = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(
                &seat.tenant_id,
                &seat.contract_id,
                &seat.seat_id,
            ))))
            .update_expression(format!("SET {} = :shard REMOVE leaseUntil", keys::GSI2_PK))
            .condition_expression(format!("{} = :unsharded", keys::GSI2_PK))
            .expression_attribute_values(":shard", s(keys::linked_seats_partition(shard)))
            .expression_attribute_values(":unsharded", s(keys::UNSHARDED_LINKED_SEATS))
            .send()
            .await
            .conditional()?;
        Ok(done.is_some())
    }

    /// Several contracts in as few reads as possible (BatchGetItem, 100 keys a call).
    pub async fn get_contracts(&self, wanted: &[(String, String)]) -> Result<Vec<Contract>> {
        let keys: Vec<keys::Key> = wanted.iter().map(|(t, c)| keys::contract(t, c)).collect();
        self.batch_get(keys)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    // ---- leases and cursors -------------------------------------------------------------------

    /// Takes the seat's poll lease until `until` if it is free (or expired) and the seat is still
    /// linked, and answers the seat as it is now (cursors included) in the same request. `None`
    /// when another poll holds it or the seat is no longer linked.
    pub async fn acquire_poll_lease(
        &self,
        seat: (&str, &str, &str),
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<(PollLease, Seat)>> {
        let (t, c, st) = seat;
        let taken = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(t, c, st))))
            .update_expression("SET pollLeaseUntil = :until, leaseOwner = :owner")
            .condition_expression("attribute_exists(userId) AND (attribute_not_exists(pollLeaseUntil) OR pollLeaseUntil <= :now)")
            .expression_attribute_values(":until", n(until))
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":now", n(now))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .conditional()?;
        let Some(r) = taken else {
            return Ok(None);
        };
        let seat: Seat = from_item(r.attributes.unwrap_or_default())?;
        let lease = PollLease {
            owner: owner.to_owned(),
            until,
        };
        Ok(Some((lease, seat)))
    }

    /// Frees the lease if this caller still holds it.
    pub async fn release_poll_lease(
        &self,
        seat: (&str, &str, &str),
        lease: &PollLease,
    ) -> Result<()> {
        let (t, c, st) = seat;
        // Another poll took over a lease that expired: it is that poll's to free.
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(t, c, st))))
            .update_expression("SET pollLeaseUntil = :zero")
            .condition_expression("leaseOwner = :owner")
            .expression_attribute_values(":owner", s(&lease.owner))
            .expression_attribute_values(":zero", n(0))
            .send()
            .await
            .conditional()?;
        Ok(())
    }

    /// Ends a poll in one request: stores the cursor moves, frees the lease and, for a complete
    /// poll, records `polled_at` (and `activity_at` when it imported a record). Conditional on
    /// still holding the lease and on each cursor
    /// still being where the run found it; when that fails, each move is tried on its own
    /// (a move another run overtook is dropped) and the lease is released if still held.
    pub async fn finish_poll(
        &self,
        seat: (&str, &str, &str),
        lease: &PollLease,
        moves: &[CursorMove],
        polled_at: Option<i64>,
        imported_by_hour: &BTreeMap<String, u64>,
        activity_at: Option<i64>,
    ) -> Result<()> {
        let (t, c, st) = seat;
        let mut sets = vec![
            "pollLeaseUntil = :zero".to_owned(),
            "importedByHour = :hours".to_owned(),
        ];
        let mut conditions = vec!["leaseOwner = :owner".to_owned()];
        let mut req = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(t, c, st))))
            .expression_attribute_values(":owner", s(&lease.owner))
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(
                ":hours",
                AttributeValue::M(
                    imported_by_hour
                        .iter()
                        .map(|(h, c)| (h.clone(), n(c)))
                        .collect(),
                ),
            );
        if let Some(at) = polled_at {
            sets.push("lastPolledAt = :at".to_owned());
            req = req.expression_attribute_values(":at", n(at));
        }
        if let Some(at) = activity_at {
            sets.push("lastActivityAt = :act".to_owned());
            req = req.expression_attribute_values(":act", n(at));
        }
        req = with_moves(req, moves, &mut sets, &mut conditions);
        let finished = req
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression(conditions.join(" AND "))
            .send()
            .await
            .conditional()?;
        if finished.is_some() {
            return Ok(());
        }
        for m in moves {
            if !self
                .advance_cursor(seat, m.field, m.stored, m.reached)
                .await?
            {
                tracing::warn!(stream = m.stream.name(), "cursor moved by another run");
            }
        }
        self.release_poll_lease(seat, lease).await
    }

    /// Moves a stream's cursor from `old` to `new`, only if it still is `old` (so two runs can
    /// never both advance past the same window). False when someone else moved it.
    pub async fn advance_cursor(
        &self,
        seat: (&str, &str, &str),
        field: &str,
        old: i64,
        new: i64,
    ) -> Result<bool> {
        let (t, c, st) = seat;
        let moved = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::seat(t, c, st))))
            .update_expression("SET #cur = :new")
            .condition_expression("attribute_not_exists(#cur) OR #cur = :old")
            .expression_attribute_names("#cur", field)
            .expression_attribute_values(":new", n(new))
            .expression_attribute_values(":old", n(old))
            .send()
            .await
            .conditional()?;
        Ok(moved.is_some())
    }
}

/// Adds cursor moves to an update: `SET <field> = reached` for each, on condition that the field
/// is absent or still holds the value the run started from.
fn with_moves(
    mut req: UpdateItemFluentBuilder,
    moves: &[CursorMove],
    sets: &mut Vec<String>,
    conditions: &mut Vec<String>,
) -> UpdateItemFluentBuilder {
    for (i, m) in moves.iter().enumerate() {
        let (name, old, new) = (format!("#c{i}"), format!(":old{i}"), format!(":new{i}"));
        sets.push(format!("{name} = {new}"));
        conditions.push(format!("(attribute_not_exists({name}) OR {name} = {old})"));
        req = req
            .expression_attribute_names(&name, m.field)
            .expression_attribute_values(&old, n(m.stored))
            .expression_attribute_values(&new, n(m.reached));
    }
    req
}

/// A linked seat as the index lists it.
fn linked_seat(item: &Item) -> LinkedSeat {
    let field = |k: &str| text(item, k).unwrap_or_default();
    LinkedSeat {
        tenant_id: field("tenantId"),
        contract_id: field("contractId"),
        seat_id: field("seatId"),
    }
}
