//! What the outbound sync keeps: the ATS's own writes of jobs, candidates, applications and
//! stages (each with its outbox marker, in one transaction), the outbox, the tenant's sync state
//! and lease, and sync errors. See `crate::outbound` for how they fit together.

use std::hash::{BuildHasher, Hasher};

use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, Put, Select, TransactWriteItem, Update, WriteRequest,
};

use super::query::Partition;
use super::{Item, Page, Store, from_item, key_item, s, to_item, upsert, with_key};
use crate::domain::{Application, Candidate, Job};
use crate::error::{Error, Result};
use crate::keys::{self, Key};
use crate::outbound::{Changed, FullSync, KindCounts, Pending, RecordKind, SyncError, SyncState};

/// Most items DynamoDB takes in one transaction.
const MAX_TRANSACTION_ITEMS: usize = 100;

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn build<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> Result<T> {
    r.map_err(|e| Error::Invalid(e.to_string()))
}

/// A revision no other change shares (time plus 64 random bits).
fn new_rev(now: i64) -> String {
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!("{now}-{random:016x}")
}

fn is_condition_failure<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(e: &E) -> bool {
    matches!(
        e.code(),
        Some("ConditionalCheckFailedException") | Some("TransactionCanceledException")
    )
}

/// An application as the candidate item summarises it, for full syncs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationRef {
    pub application_id: String,
    pub created_at: i64,
}

impl Store {
    // ---- the ATS's writes -----------------------------------------------------------------------

    /// Stores a job from the ATS and marks it for LinkedIn.
    pub async fn save_job(&self, job: &Job, now: i64) -> Result<()> {
        let key = keys::job(&job.tenant_id, &job.job_id);
        let put = build(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(with_key(key, to_item(job)?)))
                .build(),
        )?;
        let items = vec![TransactWriteItem::builder().put(put).build()];
        self.write_changes(&job.tenant_id, items, &[Changed::job(&job.job_id)], now)
            .await
    }

    /// Stores a candidate from the ATS and marks it, and the given applications of it (their
    /// records carry the candidate's name and email), for LinkedIn. Attributes in `cleared` are
    /// removed (ATS-owned fields the ATS emptied); application summaries and export fields stay.
    pub async fn save_candidate(
        &self,
        candidate: &Candidate,
        cleared: &[&str],
        applications: &[String],
        now: i64,
    ) -> Result<()> {
        let t = &candidate.tenant_id;
        let mut item = to_item(candidate)?;
        for attr in cleared {
            item.remove(*attr);
        }
        item.insert(keys::GSI1_PK.into(), s(keys::candidates_listing(t)));
        item.insert(keys::GSI1_SK.into(), s(&candidate.candidate_id));
        let mut update = upsert(
            &self.table,
            keys::candidate(t, &candidate.candidate_id),
            item,
            &["createdAt", "source"],
        )?;
        remove_attributes(&mut update, cleared);
        let mut changed = vec![Changed::candidate(&candidate.candidate_id)];
        changed.extend(
            applications
                .iter()
                .map(|a| Changed::application(a, &candidate.candidate_id)),
        );
        let items = vec![TransactWriteItem::builder().update(update).build()];
        self.write_changes(t, items, &changed, now).await
    }

    /// Stores an application from the ATS, with the candidate's summary of it and the pointer
    /// from its id, and marks it for LinkedIn. The candidate must exist. Stages are left alone
    /// (they change through `save_stages`); attributes in `cleared` are removed.
    pub async fn save_application(
        &self,
        app: &Application,
        cleared: &[&str],
        now: i64,
    ) -> Result<()> {
        let t = &app.tenant_id;
        let mut app_item = to_item(app)?;
        app_item.remove("stages");
        for attr in cleared {
            app_item.remove(*attr);
        }
        let mut app_update = upsert(
            &self.table,
            keys::application(t, &app.candidate_id, &app.application_id),
            app_item,
            &["createdAt", "source", "contractId", "exportedBy"],
        )?;
        remove_attributes(&mut app_update, cleared);
        let summary_attr = keys::application_summary_attr(&app.application_id);
        let summary = build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key_item(&keys::candidate(t, &app.candidate_id))))
                .update_expression("SET #app = if_not_exists(#app, :summary)")
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#app", summary_attr)
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_values(
                    ":summary",
                    s(keys::application_summary(
                        app.contract_id.as_deref(),
                        app.created_at,
                    )),
                )
                .build(),
        )?;
        let items = vec![
            TransactWriteItem::builder().update(app_update).build(),
            TransactWriteItem::builder().update(summary).build(),
            TransactWriteItem::builder()
                .put(self.application_ref_put(t, &app.application_id, &app.candidate_id)?)
                .build(),
        ];
        self.write_changes(
            t,
            items,
            &[Changed::application(&app.application_id, &app.candidate_id)],
            now,
        )
        .await
        .map_err(|e| match e {
            Error::Invalid(m) if m.contains("condition") => {
                Error::NotFound(format!("candidate {} does not exist", app.candidate_id))
            }
            other => other,
        })
    }

    pub(crate) fn application_ref_put(
        &self,
        tenant: &str,
        application_id: &str,
        candidate_id: &str,
    ) -> Result<Put> {
        let mut item = key_item(&keys::application_ref(tenant, application_id));
        item.insert("candidateId".into(), s(candidate_id));
        build(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .build(),
        )
    }

    /// Replaces an application's stages if the application is still as it was read
    /// (`updated_at` unchanged), and marks them for LinkedIn. `false` when it changed meanwhile.
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
            .update_expression("SET stages = :stages, updatedAt = :now")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":stages", stages)
            .expression_attribute_values(":now", n(app.updated_at.unwrap_or(now)));
        let builder = match read_updated_at {
            Some(at) => builder
                .condition_expression("attribute_exists(#pk) AND updatedAt = :read")
                .expression_attribute_values(":read", n(at)),
            None => builder
                .condition_expression("attribute_exists(#pk) AND attribute_not_exists(updatedAt)"),
        };
        let items = vec![
            TransactWriteItem::builder()
                .update(build(builder.build())?)
                .build(),
        ];
        let changed = [
            Changed::stages(&app.application_id, &app.candidate_id),
            Changed::application(&app.application_id, &app.candidate_id),
        ];
        match self.write_changes(t, items, &changed, now).await {
            Ok(()) => Ok(true),
            Err(Error::Invalid(m)) if m.contains("condition") => Ok(false),
            Err(e) => Err(e),
        }
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

    /// Writes `items` and the outbox markers of `changed` atomically (in as many transactions as
    /// the markers need beyond the first), then moves the tenant's change counter.
    async fn write_changes(
        &self,
        tenant: &str,
        mut items: Vec<TransactWriteItem>,
        changed: &[Changed],
        now: i64,
    ) -> Result<()> {
        let mut markers = changed.iter();
        loop {
            for c in markers.by_ref() {
                items.push(
                    TransactWriteItem::builder()
                        .update(self.marker_update(tenant, c, now)?)
                        .build(),
                );
                if items.len() == MAX_TRANSACTION_ITEMS {
                    break;
                }
            }
            if items.is_empty() {
                break;
            }
            self.client
                .transact_write_items()
                .set_transact_items(Some(std::mem::take(&mut items)))
                .send()
                .await
                .map_err(|e| {
                    if e.as_service_error().is_some_and(is_condition_failure) {
                        Error::Invalid("a write condition failed".into())
                    } else {
                        Error::aws("DynamoDB", e)
                    }
                })?;
        }
        self.bump_change_seq(tenant).await
    }

    fn marker_update(&self, tenant: &str, c: &Changed, now: i64) -> Result<Update> {
        let mut b = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::outbox(
                tenant,
                c.kind.rank(),
                &c.record_id,
            ))))
            .expression_attribute_values(":kind", to_attr(&c.kind)?)
            .expression_attribute_values(":id", s(&c.record_id))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":rev", s(new_rev(now)));
        let mut expr =
            "SET kind = :kind, recordId = :id, changedAt = if_not_exists(changedAt, :now), rev = :rev"
                .to_owned();
        if let Some(candidate) = &c.candidate_id {
            expr.push_str(", candidateId = :c");
            b = b.expression_attribute_values(":c", s(candidate));
        }
        build(b.update_expression(expr).build())
    }

    async fn bump_change_seq(&self, tenant: &str) -> Result<()> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression("ADD changeSeq :one")
            .expression_attribute_values(":one", n(1))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }

    /// Marks records for sending without changing them (a full sync).
    pub async fn mark_changed(&self, tenant: &str, changed: &[Changed], now: i64) -> Result<()> {
        self.write_changes(tenant, Vec::new(), changed, now).await
    }

    // ---- the outbox -----------------------------------------------------------------------------

    /// Up to `limit` pending records of one kind.
    pub async fn pending(
        &self,
        tenant: &str,
        kind: RecordKind,
        limit: i32,
    ) -> Result<Vec<Pending>> {
        let p = Partition::table(keys::outbox_partition(tenant))
            .prefix(keys::outbox_prefix(kind.rank()));
        Ok(self.query_page(&p, limit, None, true).await?.items)
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
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", keys::PK)
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

    /// Removes markers that still carry the revision that was sent; a marker a newer change
    /// overwrote stays, so that change is sent too.
    pub async fn clear_pending(&self, tenant: &str, sent: &[Pending]) -> Result<()> {
        for chunk in sent.chunks(8) {
            let mut deletes = Vec::with_capacity(chunk.len());
            for p in chunk {
                deletes.push(self.clear_one(tenant, p));
            }
            futures::future::try_join_all(deletes).await?;
        }
        Ok(())
    }

    async fn clear_one(&self, tenant: &str, p: &Pending) -> Result<()> {
        let delete = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::outbox(
                tenant,
                p.kind.rank(),
                &p.record_id,
            ))))
            .condition_expression("rev = :rev")
            .expression_attribute_values(":rev", s(&p.rev))
            .send()
            .await;
        match delete {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(is_condition_failure) => Ok(()),
            Err(e) => Err(Error::aws("DynamoDB", e)),
        }
    }

    // ---- sync state and lease -------------------------------------------------------------------

    pub async fn sync_state(&self, tenant: &str) -> Result<SyncState> {
        Ok(self
            .get(keys::sync_state(tenant))
            .await?
            .unwrap_or_default())
    }

    /// Takes the tenant's sync lease until `until` if it is free or expired, answering the state.
    pub async fn acquire_sync_lease(
        &self,
        tenant: &str,
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<SyncState>> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression("SET leaseUntil = :until, leaseOwner = :owner")
            .condition_expression("attribute_not_exists(leaseUntil) OR leaseUntil <= :now")
            .expression_attribute_values(":until", n(until))
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":now", n(now))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(r) => Ok(Some(from_item(r.attributes.unwrap_or_default())?)),
            Err(e) if e.as_service_error().is_some_and(is_condition_failure) => Ok(None),
            Err(e) => Err(Error::aws("DynamoDB", e)),
        }
    }

    /// Frees the lease if this owner holds it and, when `seen_seq` is given, only if no change
    /// arrived since (`false`: changes arrived; the lease is still held).
    pub async fn release_sync_lease(
        &self,
        tenant: &str,
        owner: &str,
        seen_seq: Option<u64>,
    ) -> Result<bool> {
        let mut b = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression("SET leaseUntil = :zero")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":owner", s(owner));
        b = match seen_seq {
            Some(seq) => b
                .condition_expression(
                    "leaseOwner = :owner AND (changeSeq = :seq OR attribute_not_exists(changeSeq))",
                )
                .expression_attribute_values(":seq", n(seq)),
            None => b.condition_expression("leaseOwner = :owner"),
        };
        match b.send().await {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(is_condition_failure) => {
                // Either changes arrived (try again) or the lease was lost (nothing to free).
                let state: Option<serde_json::Value> = self.get(keys::sync_state(tenant)).await?;
                let held = state
                    .and_then(|v| {
                        v.get("leaseOwner")
                            .and_then(|o| o.as_str())
                            .map(str::to_owned)
                    })
                    .is_some_and(|o| o == owner);
                Ok(!held)
            }
            Err(e) => Err(Error::aws("DynamoDB", e)),
        }
    }

    /// Adds to the counts of records LinkedIn accepted.
    pub async fn record_sent(&self, tenant: &str, sent: &KindCounts, now: i64) -> Result<()> {
        if sent.total() == 0 {
            return Ok(());
        }
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression(
                "SET lastSentAt = :now ADD sentJobs :j, sentCandidates :c, \
                 sentApplications :a, sentStages :s",
            )
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":j", n(sent.jobs))
            .expression_attribute_values(":c", n(sent.candidates))
            .expression_attribute_values(":a", n(sent.applications))
            .expression_attribute_values(":s", n(sent.stages))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }

    /// Starts a full sync unless one is running and progressing (`false` then).
    pub async fn start_full_sync(&self, tenant: &str, run: &FullSync) -> Result<bool> {
        let stalled = run.started_at - crate::outbound::full::STALLED_AFTER_MS;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression("SET fullSync = :run")
            .condition_expression(
                "attribute_not_exists(fullSync) OR fullSync.phase = :done \
                 OR attribute_not_exists(fullSync.updatedAt) OR fullSync.updatedAt < :stalled",
            )
            .expression_attribute_values(":run", to_attr(run)?)
            .expression_attribute_values(":done", s("done"))
            .expression_attribute_values(":stalled", n(stalled))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(is_condition_failure) => Ok(false),
            Err(e) => Err(Error::aws("DynamoDB", e)),
        }
    }

    /// Saves a full sync's progress if it is still the run `run.run_id` (`false` otherwise).
    pub async fn save_full_sync(&self, tenant: &str, run: &FullSync) -> Result<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression("SET fullSync = :run")
            .condition_expression("fullSync.runId = :id")
            .expression_attribute_values(":run", to_attr(run)?)
            .expression_attribute_values(":id", s(&run.run_id))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(is_condition_failure) => Ok(false),
            Err(e) => Err(Error::aws("DynamoDB", e)),
        }
    }

    // ---- sync errors ----------------------------------------------------------------------------

    pub async fn put_sync_error(&self, tenant: &str, error: &SyncError) -> Result<()> {
        self.put(
            keys::sync_error(tenant, error.kind.name(), &error.record_id),
            error,
            &[],
        )
        .await
    }

    /// A page of the tenant's sync errors (by kind, then record id).
    pub async fn list_sync_errors(
        &self,
        tenant: &str,
        limit: i32,
        next_token: Option<&str>,
    ) -> Result<Page<SyncError>> {
        let p = Partition::table(keys::tenant(tenant).pk).prefix(keys::SYNC_ERROR_PREFIX);
        self.query_page(&p, limit, next_token, true).await
    }

    /// Every sync error of the tenant.
    pub async fn all_sync_errors(&self, tenant: &str) -> Result<Vec<SyncError>> {
        let p = Partition::table(keys::tenant(tenant).pk).prefix(keys::SYNC_ERROR_PREFIX);
        self.query_all_as(&p).await
    }

    /// Deletes sync errors (records that have since reached LinkedIn).
    pub async fn delete_sync_errors(&self, tenant: &str, errors: &[SyncError]) -> Result<()> {
        let keys: Vec<Key> = errors
            .iter()
            .map(|e| keys::sync_error(tenant, e.kind.name(), &e.record_id))
            .collect();
        for chunk in keys.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|k| {
                    build(DeleteRequest::builder().set_key(Some(key_item(k))).build())
                        .map(|d| WriteRequest::builder().delete_request(d).build())
                })
                .collect::<Result<_>>()?;
            for attempt in 0..8u32 {
                if requests.is_empty() {
                    break;
                }
                let resp = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, std::mem::take(&mut requests))
                    .send()
                    .await
                    .map_err(|e| Error::aws("DynamoDB", e))?;
                requests = resp
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
                if !requests.is_empty() {
                    tokio::time::sleep(std::time::Duration::from_millis(25 << attempt.min(6)))
                        .await;
                }
            }
        }
        Ok(())
    }

    // ---- full-sync listings ---------------------------------------------------------------------

    /// A page of the tenant's jobs, in id order.
    pub async fn jobs_page(
        &self,
        tenant: &str,
        limit: i32,
        next_token: Option<&str>,
    ) -> Result<Page<Job>> {
        let p = Partition::table(keys::tenant(tenant).pk).prefix(keys::JOB_PREFIX);
        self.query_page(&p, limit, next_token, true).await
    }

    /// A page of the tenant's candidates, each with the applications its item summarises.
    pub async fn candidates_with_applications(
        &self,
        tenant: &str,
        limit: i32,
        next_token: Option<&str>,
    ) -> Result<Page<(Candidate, Vec<ApplicationRef>)>> {
        let listing = Partition::index(keys::GSI1, keys::GSI1_PK, keys::candidates_listing(tenant));
        let page: Page<Item> = self
            .query_page_items(&listing, limit, next_token, true)
            .await?;
        let items = page
            .items
            .into_iter()
            .map(|item| {
                let apps = item
                    .iter()
                    .filter_map(|(k, v)| keys::parse_application_summary(k, v.as_s().ok()?))
                    .map(|(application_id, _, created_at)| ApplicationRef {
                        application_id,
                        created_at,
                    })
                    .collect();
                from_item::<Candidate>(item).map(|c| (c, apps))
            })
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            next_token: page.next_token,
        })
    }

    // ---- reading records to send ----------------------------------------------------------------

    /// Items by key, decoded; missing ones are absent.
    pub async fn read_many<T: serde::de::DeserializeOwned>(
        &self,
        wanted: Vec<Key>,
    ) -> Result<Vec<T>> {
        self.batch_get(wanted)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }
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

fn to_attr<T: serde::Serialize>(value: &T) -> Result<AttributeValue> {
    serde_dynamo::to_attribute_value(value)
        .map_err(|e| Error::Invalid(format!("cannot store value: {e}")))
}
