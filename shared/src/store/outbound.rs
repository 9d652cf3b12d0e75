//! What the ATS writes for the outbound sync: its jobs, candidates, applications and stages,
//! each with its outbox attributes in the same write, the tenant's change counter, and the
//! outbox index itself. See `crate::outbound` for how they fit together; the sync's own state
//! is in `sync.rs`.

use std::collections::HashSet;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, ReturnValue, Select, TransactWriteItem, Update,
};

use super::Store;
use super::item::{Item, built, from_item, key_item, n, s, text, to_item, upsert};
use super::sync::{ApplicationRef, with_application_refs};
use super::write::Conditional;
use crate::domain::{Application, Candidate, Changed, Job, OutboxSlot, Pending, RecordKind};
use crate::error::{Error, Result};
use crate::keys::{self, Key};

/// Outbox writes and clears in flight at once.
const OUTBOX_CONCURRENCY: usize = 8;
/// Outbox clears in one transaction (DynamoDB's limit on a transaction's items).
const CLEARS_PER_TRANSACTION: usize = 100;

/// A revision no other change shares (time plus 122 random bits).
fn new_rev(now: i64) -> String {
    format!("{now}-{}", crate::ids::random_hex())
}

impl Store {
    // ---- the ATS's writes -----------------------------------------------------------------------

    /// Stores a job from the ATS and puts it in the outbox, in one write that also answers the
    /// job as it was (`None`: it is new). Its first `createdAt` stays.
    pub async fn save_job(&self, job: &Job, now: i64) -> Result<Option<Job>> {
        let mut update = upsert(
            &self.table,
            keys::job(&job.tenant_id, &job.job_id),
            to_item(job)?,
            &["createdAt"],
        )?;
        into_outbox(&mut update, &job.tenant_id, &Changed::job(&job.job_id), now);
        self.update_returning_old(update)
            .await?
            .map(from_item)
            .transpose()
    }

    /// Stores a candidate from the ATS and puts it in the outbox, in one write that also answers
    /// the candidate as it was (`None`: it is new) with the applications it summarises; then puts
    /// those in the outbox too (their LinkedIn records carry the candidate's name and email).
    /// Attributes in `cleared` are removed (ATS-owned fields the ATS emptied); those in
    /// `keep_first` keep a stored value (names the ATS left out). Export fields the candidate
    /// does not carry (member, location) and the application summaries stay; so do the first
    /// `createdAt` and `source`.
    pub async fn save_candidate(
        &self,
        candidate: &Candidate,
        cleared: &[&str],
        keep_first: &[&str],
        now: i64,
    ) -> Result<Option<(Candidate, Vec<ApplicationRef>)>> {
        let t = &candidate.tenant_id;
        let mut item = to_item(candidate)?;
        for attr in cleared {
            item.remove(*attr);
        }
        item.insert(keys::GSI1_PK.into(), s(keys::candidates_listing(t)));
        item.insert(keys::GSI1_SK.into(), s(&candidate.candidate_id));
        let mut kept = vec!["createdAt", "source"];
        kept.extend_from_slice(keep_first);
        let mut update = upsert(
            &self.table,
            keys::candidate(t, &candidate.candidate_id),
            item,
            &kept,
        )?;
        into_outbox(
            &mut update,
            t,
            &Changed::candidate(&candidate.candidate_id),
            now,
        );
        remove_attributes(&mut update, cleared);
        let Some(before) = self.update_returning_old(update).await? else {
            return Ok(None);
        };
        let (before, applications) = with_application_refs(before)?;
        let changed: Vec<Changed> = applications
            .iter()
            .map(|a| Changed::application(&a.application_id, &candidate.candidate_id))
            .collect();
        self.mark_records(t, &changed, now).await?;
        Ok(Some((before, applications)))
    }

    /// Stores an application from the ATS and puts it in the outbox (one write). A new one also
    /// gets the candidate's summary of it and the pointer from its id, written after it (a crash
    /// in between leaves no summary of a missing application, and the ATS's retry of the failed
    /// PUT completes them). The candidate must exist. Stages are left alone (they change
    /// through `save_stages`); attributes in `cleared` are removed.
    pub async fn save_application(
        &self,
        app: &Application,
        cleared: &[&str],
        created: bool,
        now: i64,
    ) -> Result<()> {
        let t = &app.tenant_id;
        let mut app_item = to_item(app)?;
        app_item.remove("stages");
        for attr in cleared {
            app_item.remove(*attr);
        }
        let mut update = upsert(
            &self.table,
            keys::application(t, &app.candidate_id, &app.application_id),
            app_item,
            &["createdAt", "source", "contractId", "exportedBy"],
        )?;
        into_outbox(
            &mut update,
            t,
            &Changed::application(&app.application_id, &app.candidate_id),
            now,
        );
        remove_attributes(&mut update, cleared);
        self.send_update(update).await?;
        if created {
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key_item(&keys::candidate(t, &app.candidate_id))))
                .update_expression("SET #app = if_not_exists(#app, :summary)")
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names(
                    "#app",
                    keys::application_summary_attr(&app.application_id),
                )
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_values(
                    ":summary",
                    s(keys::application_summary(
                        app.contract_id.as_deref(),
                        app.created_at,
                    )),
                )
                .send()
                .await
                .conditional()?
                .ok_or_else(|| {
                    Error::NotFound(format!("candidate {} does not exist", app.candidate_id))
                })?;
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(self.application_ref_item(
                    t,
                    &app.application_id,
                    &app.candidate_id,
                )))
                .send()
                .await
                .map_err(|e| Error::aws("DynamoDB", e))?;
        }
        Ok(())
    }

    /// The pointer item from an application id to its candidate.
    pub(crate) fn application_ref_item(
        &self,
        tenant: &str,
        application_id: &str,
        candidate_id: &str,
    ) -> Item {
        let mut item = key_item(&keys::application_ref(tenant, application_id));
        item.insert("candidateId".into(), s(candidate_id));
        item
    }

    /// Replaces an application's stages if the application is still as it was read
    /// (`updated_at` unchanged), and puts it in the outbox with its stages, in one write.
    /// `false` when it changed meanwhile (nothing was written).
    pub async fn save_stages(
        &self,
        app: &Application,
        read_updated_at: Option<i64>,
        now: i64,
    ) -> Result<bool> {
        let t = &app.tenant_id;
        let stages = to_item(&serde_json::json!({ "stages": app.stages }))?
            .remove("stages")
            .unwrap_or(AttributeValue::L(Vec::new()));
        let builder = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::application(
                t,
                &app.candidate_id,
                &app.application_id,
            ))))
            .update_expression("SET stages = :stages, updatedAt = :updated")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":stages", stages)
            .expression_attribute_values(":updated", n(app.updated_at.unwrap_or(now)));
        let builder = match read_updated_at {
            Some(at) => builder
                .condition_expression("attribute_exists(#pk) AND updatedAt = :read")
                .expression_attribute_values(":read", n(at)),
            None => builder
                .condition_expression("attribute_exists(#pk) AND attribute_not_exists(updatedAt)"),
        };
        let mut update = built(builder.build())?;
        into_outbox(
            &mut update,
            t,
            &Changed::stages(&app.application_id, &app.candidate_id),
            now,
        );
        self.send_update(update).await
    }

    /// An application by its id alone (through its pointer item).
    pub async fn get_application(
        &self,
        tenant_id: &str,
        application_id: &str,
    ) -> Result<Option<Application>> {
        let Some(pointer) = self
            .get::<serde_json::Value>(keys::application_ref(tenant_id, application_id))
            .await?
        else {
            return Ok(None);
        };
        let Some(candidate_id) = pointer.get("candidateId").and_then(|v| v.as_str()) else {
            return Ok(None);
        };
        self.get(keys::application(tenant_id, candidate_id, application_id))
            .await
    }

    /// Sends an `Update` (built with the transaction builder's checks) as a plain UpdateItem.
    /// `false` when it has a condition and that failed: nothing was written.
    pub(super) async fn send_update(&self, u: Update) -> Result<bool> {
        let written = self.update_item_of(u).send().await.conditional()?;
        Ok(written.is_some())
    }

    /// An `Update` (a transaction item) as an UpdateItem request.
    fn update_item_of(
        &self,
        u: Update,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(u.table_name)
            .set_key(Some(u.key))
            .update_expression(u.update_expression)
            .set_condition_expression(u.condition_expression)
            .set_expression_attribute_names(u.expression_attribute_names)
            .set_expression_attribute_values(u.expression_attribute_values)
    }

    /// Puts existing records in the outbox without changing them (their candidate changed; a
    /// full sync). Records that do not exist are skipped.
    pub async fn mark_changed(&self, tenant: &str, changed: &[Changed], now: i64) -> Result<()> {
        self.mark_records(tenant, changed, now).await
    }

    /// Sends an `Update` (built like `send_update`'s) without a condition, answering the item as
    /// it was before (`None`: there was none).
    async fn update_returning_old(&self, u: Update) -> Result<Option<Item>> {
        let resp = self
            .update_item_of(u)
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(resp.attributes.filter(|a| !a.is_empty()))
    }

    async fn mark_records(&self, tenant: &str, changed: &[Changed], now: i64) -> Result<()> {
        for chunk in changed.chunks(OUTBOX_CONCURRENCY) {
            let mut writes = Vec::with_capacity(chunk.len());
            for c in chunk {
                writes.push(self.mark_one(tenant, c, now));
            }
            futures::future::try_join_all(writes).await?;
        }
        Ok(())
    }

    async fn mark_one(&self, tenant: &str, c: &Changed, now: i64) -> Result<()> {
        let slot = OutboxSlot::put(c.kind);
        let Some(key) = record_key(tenant, slot, &c.record_id, c.candidate_id.as_deref()) else {
            return Ok(());
        };
        let mut update = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key_item(&key)))
                .update_expression("SET")
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK)
                .build(),
        )?;
        into_outbox(&mut update, tenant, c, now);
        // A record that no longer exists is not marked.
        self.send_update(update).await.map(|_| ())
    }

    // ---- the outbox -----------------------------------------------------------------------------

    /// Up to `limit` outbox entries of one slot.
    pub async fn pending(
        &self,
        tenant: &str,
        slot: OutboxSlot,
        limit: i32,
    ) -> Result<Vec<Pending>> {
        let resp = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::OUTBOX)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :rank)")
            .expression_attribute_names("#pk", keys::OUTBOX_PK)
            .expression_attribute_names("#sk", keys::OUTBOX_SK)
            .expression_attribute_values(":pk", s(keys::outbox_partition(tenant)))
            .expression_attribute_values(":rank", s(keys::outbox_prefix(slot.rank())))
            .limit(limit)
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(resp
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(pending_entry)
            .collect())
    }

    /// Every outbox entry of the tenant if there are at most `limit` (one Query); `None` when
    /// there are more (the caller then reads slot by slot).
    pub async fn pending_all(&self, tenant: &str, limit: i32) -> Result<Option<Vec<Pending>>> {
        let resp = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::OUTBOX)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", keys::OUTBOX_PK)
            .expression_attribute_values(":pk", s(keys::outbox_partition(tenant)))
            .limit(limit)
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        if resp.last_evaluated_key.is_some_and(|k| !k.is_empty()) {
            return Ok(None);
        }
        Ok(Some(
            resp.items
                .unwrap_or_default()
                .iter()
                .filter_map(pending_entry)
                .collect(),
        ))
    }

    /// How many records wait to be sent.
    pub async fn count_pending(&self, tenant: &str) -> Result<u64> {
        let mut total = 0u64;
        let mut start: Option<Item> = None;
        loop {
            let resp = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(keys::OUTBOX)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", keys::OUTBOX_PK)
                .expression_attribute_values(":pk", s(keys::outbox_partition(tenant)))
                .select(Select::Count)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| Error::aws("DynamoDB", e))?;
            total += u64::try_from(resp.count).unwrap_or(0);
            match resp.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(total),
            }
        }
    }

    /// Takes records out of the outbox if they still carry the revision that was sent; a record
    /// changed meanwhile stays, so that change is sent too. Up to 100 clears go in one
    /// transaction (one request, where one each cost a request per record); the records whose
    /// revision moved are left out and the rest tried once more, and what still does not go
    /// through (a conflict with a write in progress) is cleared one by one.
    pub async fn clear_pending(&self, tenant: &str, sent: &[Pending]) -> Result<()> {
        for chunk in sent.chunks(CLEARS_PER_TRANSACTION) {
            let mut clears: Vec<(&Pending, TransactWriteItem)> = Vec::with_capacity(chunk.len());
            let mut keys_seen = HashSet::with_capacity(chunk.len());
            for p in chunk {
                if let Some((key, item)) = self.clear_item(tenant, p)?
                    && keys_seen.insert(key)
                {
                    clears.push((p, item));
                }
            }
            for attempt in 0..2 {
                if clears.is_empty() {
                    break;
                }
                if attempt == 0 && clears.len() == 1 {
                    // A lone clear needs no transaction (which costs twice the write units).
                    break;
                }
                let items = clears.iter().map(|(_, item)| item.clone()).collect();
                match self
                    .client
                    .transact_write_items()
                    .set_transact_items(Some(items))
                    .send()
                    .await
                    .or_condition_failed()?
                {
                    Ok(_) => {
                        clears.clear();
                        break;
                    }
                    Err(cancelled) => {
                        let reasons = match cancelled.as_service_error() {
                            Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
                                c.cancellation_reasons().to_vec()
                            }
                            _ => Vec::new(),
                        };
                        // A revision that moved: that record stays in the outbox.
                        let mut i = 0;
                        clears.retain(|_| {
                            let moved = reasons.get(i).and_then(|r| r.code())
                                == Some("ConditionalCheckFailed");
                            i += 1;
                            !moved
                        });
                    }
                }
            }
            let rest: Vec<&Pending> = clears.iter().map(|(p, _)| *p).collect();
            for one_by_one in rest.chunks(OUTBOX_CONCURRENCY) {
                futures::future::try_join_all(one_by_one.iter().map(|p| self.clear_one(tenant, p)))
                    .await?;
            }
        }
        Ok(())
    }

    /// The transaction item that clears one outbox entry (deletes a tombstone), with its key.
    fn clear_item(&self, tenant: &str, p: &Pending) -> Result<Option<(Key, TransactWriteItem)>> {
        let Some(key) = record_key(tenant, p.slot(), &p.record_id, p.candidate_id.as_deref())
        else {
            return Ok(None);
        };
        let item = if p.deleted {
            TransactWriteItem::builder()
                .delete(built(
                    Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_item(&key)))
                        .condition_expression("syncRev = :rev")
                        .expression_attribute_values(":rev", s(&p.rev))
                        .build(),
                )?)
                .build()
        } else {
            TransactWriteItem::builder()
                .update(built(
                    Update::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_item(&key)))
                        .update_expression("REMOVE syncPk, syncSk, syncRev, syncStages")
                        .condition_expression("syncRev = :rev")
                        .expression_attribute_values(":rev", s(&p.rev))
                        .build(),
                )?)
                .build()
        };
        Ok(Some((key, item)))
    }

    async fn clear_one(&self, tenant: &str, p: &Pending) -> Result<()> {
        let Some(key) = record_key(tenant, p.slot(), &p.record_id, p.candidate_id.as_deref())
        else {
            return Ok(());
        };
        if p.deleted {
            // LinkedIn deleted it: the tombstone goes, unless the record was deleted again
            // meanwhile (a newer revision), which is then sent again.
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key_item(&key)))
                .condition_expression("syncRev = :rev")
                .expression_attribute_values(":rev", s(&p.rev))
                .send()
                .await
                .conditional()?;
            return Ok(());
        }
        // A record changed since it was sent keeps its newer revision and stays.
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&key)))
            .update_expression("REMOVE syncPk, syncSk, syncRev, syncStages")
            .condition_expression("syncRev = :rev")
            .expression_attribute_values(":rev", s(&p.rev))
            .send()
            .await
            .conditional()?;
        Ok(())
    }
}

/// The table key of a record (or, in a delete slot, a tombstone) the outbox names.
pub(super) fn record_key(
    tenant: &str,
    slot: OutboxSlot,
    record_id: &str,
    candidate_id: Option<&str>,
) -> Option<Key> {
    if slot.deleted {
        return Some(keys::tombstone(tenant, slot.rank(), record_id));
    }
    match slot.kind {
        RecordKind::Job => Some(keys::job(tenant, record_id)),
        RecordKind::Candidate => Some(keys::candidate(tenant, record_id)),
        RecordKind::Application | RecordKind::Stages => {
            candidate_id.map(|c| keys::application(tenant, c, record_id))
        }
        RecordKind::HiringTeam => Some(keys::hiring_team(tenant, record_id)),
        RecordKind::CandidateNote | RecordKind::ApplicationNote | RecordKind::InterviewFeedback => {
            super::notes::child_key(tenant, slot.kind, record_id, candidate_id?)
        }
        RecordKind::Stage => None,
    }
}

/// Adds the outbox attributes to an update's `SET` clause: a new revision, and for stage
/// changes the stages flag. (Application items always carry their
/// `candidateId`, which the index projects.)
pub(super) fn into_outbox(update: &mut Update, tenant: &str, c: &Changed, now: i64) {
    let mut names = update.expression_attribute_names.take().unwrap_or_default();
    let mut values = update
        .expression_attribute_values
        .take()
        .unwrap_or_default();
    names.insert("#opk".into(), keys::OUTBOX_PK.into());
    names.insert("#osk".into(), keys::OUTBOX_SK.into());
    values.insert(":opk".into(), s(keys::outbox_partition(tenant)));
    values.insert(
        ":osk".into(),
        s(keys::outbox_sort(c.kind.rank(), &c.record_id)),
    );
    values.insert(":orev".into(), s(new_rev(now)));
    let mut sets = vec!["#opk = :opk", "#osk = :osk", "syncRev = :orev"];
    if c.stages {
        values.insert(":ostages".into(), AttributeValue::Bool(true));
        sets.push("syncStages = :ostages");
    }
    let expr = update.update_expression.trim();
    update.update_expression = if expr == "SET" {
        format!("SET {}", sets.join(", "))
    } else {
        format!("{expr}, {}", sets.join(", "))
    };
    update.expression_attribute_names = Some(names);
    update.expression_attribute_values = Some(values);
}

/// An outbox entry from an index item.
fn pending_entry(item: &Item) -> Option<Pending> {
    let sort = text(item, keys::OUTBOX_SK)?;
    let (rank, record_id) = sort.split_once('#')?;
    let slot = OutboxSlot::from_rank(rank)?;
    Some(Pending {
        kind: slot.kind,
        deleted: slot.deleted,
        record_id: record_id.to_owned(),
        candidate_id: text(item, "candidateId"),
        rev: text(item, "syncRev")?,
        stages: item
            .get("syncStages")
            .and_then(|v| v.as_bool().ok())
            .copied()
            .unwrap_or(false),
    })
}

/// Adds `REMOVE` of the given attributes to an update.
fn remove_attributes(update: &mut Update, attrs: &[&str]) {
    if attrs.is_empty() {
        return;
    }
    let mut names = update.expression_attribute_names.take().unwrap_or_default();
    let mut removes = Vec::with_capacity(attrs.len());
    for (i, attr) in attrs.iter().enumerate() {
        names.insert(format!("#r{i}"), (*attr).to_owned());
        removes.push(format!("#r{i}"));
    }
    update.expression_attribute_names = Some(names);
    update.update_expression =
        format!("{} REMOVE {}", update.update_expression, removes.join(", "));
}
