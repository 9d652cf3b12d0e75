//! What the outbound sync keeps: the ATS's own writes of jobs, candidates, applications and
//! stages (each with its outbox attributes, in the same write), the outbox index, the tenant's
//! sync state and lease, and sync errors. See `crate::outbound` for how they fit together.

use aws_sdk_dynamodb::types::{AttributeValue, Select, Update};

use super::activity::delete;
use super::query::Partition;
use super::{Item, Page, Store, from_item, key_item, s, to_item, upsert};
use crate::domain::{Application, Candidate, Job};
use crate::error::{Error, Result};
use crate::keys::{self, Key};
use crate::outbound::{
    Changed, FullSync, KindCounts, Pending, RecordKind, SyncError, SyncState, Wake,
};

/// Outbox writes and clears in flight at once.
const OUTBOX_CONCURRENCY: usize = 8;

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn build<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> Result<T> {
    r.map_err(|e| Error::Invalid(e.to_string()))
}

/// A revision no other change shares (time plus 122 random bits).
fn new_rev(now: i64) -> String {
    format!("{now}-{}", crate::ids::random_hex())
}

fn is_condition_failure<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(e: &E) -> bool {
    e.code() == Some("ConditionalCheckFailedException")
}

/// An application as the candidate item summarises it, for full syncs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationRef {
    pub application_id: String,
    pub created_at: i64,
}

impl Store {
    // ---- the ATS's writes -----------------------------------------------------------------------

    /// Stores a job from the ATS and puts it in the outbox, in one write.
    pub async fn save_job(&self, job: &Job, now: i64) -> Result<Wake> {
        let mut update = upsert(
            &self.table,
            keys::job(&job.tenant_id, &job.job_id),
            to_item(job)?,
            &[],
        )?;
        into_outbox(&mut update, &job.tenant_id, &Changed::job(&job.job_id), now);
        self.send_update(update).await?;
        self.bump_change_seq(&job.tenant_id, now).await
    }

    /// Stores a candidate from the ATS and puts it in the outbox (one write), then the given
    /// applications of it (their LinkedIn records carry the candidate's name and email).
    /// Attributes in `cleared` are removed (ATS-owned fields the ATS emptied); application
    /// summaries and export fields stay.
    pub async fn save_candidate(
        &self,
        candidate: &Candidate,
        cleared: &[&str],
        applications: &[String],
        now: i64,
    ) -> Result<Wake> {
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
        into_outbox(
            &mut update,
            t,
            &Changed::candidate(&candidate.candidate_id),
            now,
        );
        remove_attributes(&mut update, cleared);
        self.send_update(update).await?;
        let changed: Vec<Changed> = applications
            .iter()
            .map(|a| Changed::application(a, &candidate.candidate_id))
            .collect();
        self.mark_records(t, &changed, now).await?;
        self.bump_change_seq(t, now).await
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
    ) -> Result<Wake> {
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
                .map_err(|e| {
                    if e.as_service_error().is_some_and(is_condition_failure) {
                        Error::NotFound(format!("candidate {} does not exist", app.candidate_id))
                    } else {
                        Error::aws("DynamoDB", e)
                    }
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
        self.bump_change_seq(t, now).await
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
    /// `None` when it changed meanwhile.
    pub async fn save_stages(
        &self,
        app: &Application,
        read_updated_at: Option<i64>,
        now: i64,
    ) -> Result<Option<Wake>> {
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
        let mut update = build(builder.build())?;
        into_outbox(
            &mut update,
            t,
            &Changed::stages(&app.application_id, &app.candidate_id),
            now,
        );
        match self.send_update(update).await {
            Ok(()) => {}
            Err(Error::Invalid(m)) if m == CONDITION_FAILED => return Ok(None),
            Err(e) => return Err(e),
        }
        self.bump_change_seq(t, now).await.map(Some)
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

    /// Sends an `Update` (built with the transaction builder's checks) as a plain UpdateItem. A
    /// failed condition is `Error::Invalid(CONDITION_FAILED)`.
    async fn send_update(&self, u: Update) -> Result<()> {
        self.client
            .update_item()
            .table_name(u.table_name)
            .set_key(Some(u.key))
            .update_expression(u.update_expression)
            .set_condition_expression(u.condition_expression)
            .set_expression_attribute_names(u.expression_attribute_names)
            .set_expression_attribute_values(u.expression_attribute_values)
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error().is_some_and(is_condition_failure) {
                    Error::Invalid(CONDITION_FAILED.into())
                } else {
                    Error::aws("DynamoDB", e)
                }
            })?;
        Ok(())
    }

    /// Moves the tenant's change counter after a change, and tells whether a sync run holds the
    /// lease: that run sees the change (its release fails because the counter moved), so no
    /// nudge is needed.
    /// The change counter's increment as a transaction item, for a change written inside a
    /// transaction (which cannot read back who holds the sync lease: its caller always nudges).
    pub(super) fn change_seq_bump(&self, tenant: &str) -> Result<Update> {
        build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key_item(&keys::sync_state(tenant))))
                .update_expression("ADD changeSeq :one")
                .expression_attribute_values(":one", n(1))
                .build(),
        )
    }

    async fn bump_change_seq(&self, tenant: &str, now: i64) -> Result<Wake> {
        let resp = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression("ADD changeSeq :one")
            .expression_attribute_values(":one", n(1))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        let lease_until = resp
            .attributes
            .as_ref()
            .and_then(|a| a.get("leaseUntil"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        Ok(if lease_until > now {
            Wake::SyncRunning
        } else {
            Wake::Needed
        })
    }

    /// Puts existing records in the outbox without changing them (their candidate changed; a
    /// full sync). Records that do not exist are skipped.
    pub async fn mark_changed(&self, tenant: &str, changed: &[Changed], now: i64) -> Result<Wake> {
        self.mark_records(tenant, changed, now).await?;
        self.bump_change_seq(tenant, now).await
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
        let Some(key) = record_key(tenant, c.kind, &c.record_id, c.candidate_id.as_deref()) else {
            return Ok(());
        };
        let mut update = build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key_item(&key)))
                .update_expression("SET")
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK)
                .build(),
        )?;
        into_outbox(&mut update, tenant, c, now);
        match self.send_update(update).await {
            Err(Error::Invalid(m)) if m == CONDITION_FAILED => Ok(()),
            other => other,
        }
    }

    // ---- the outbox -----------------------------------------------------------------------------

    /// Up to `limit` outbox entries of one kind.
    pub async fn pending(
        &self,
        tenant: &str,
        kind: RecordKind,
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
            .expression_attribute_values(":rank", s(keys::outbox_prefix(kind.rank())))
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
    /// changed meanwhile stays, so that change is sent too.
    pub async fn clear_pending(&self, tenant: &str, sent: &[Pending]) -> Result<()> {
        for chunk in sent.chunks(OUTBOX_CONCURRENCY) {
            let mut clears = Vec::with_capacity(chunk.len());
            for p in chunk {
                clears.push(self.clear_one(tenant, p));
            }
            futures::future::try_join_all(clears).await?;
        }
        Ok(())
    }

    async fn clear_one(&self, tenant: &str, p: &Pending) -> Result<()> {
        let Some(key) = record_key(tenant, p.kind, &p.record_id, p.candidate_id.as_deref()) else {
            return Ok(());
        };
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&key)))
            .update_expression("REMOVE syncPk, syncSk, syncRev, syncStages")
            .condition_expression("syncRev = :rev")
            .expression_attribute_values(":rev", s(&p.rev))
            .send()
            .await;
        match result {
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
        let requests = errors
            .iter()
            .map(|e| delete(&keys::sync_error(tenant, e.kind.name(), &e.record_id)))
            .collect::<Result<Vec<_>>>()?;
        self.batch_write(requests).await.map(|_| ())
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

    /// A candidate with the applications its item summarises, in one read.
    pub async fn candidate_with_applications(
        &self,
        tenant: &str,
        candidate_id: &str,
    ) -> Result<Option<(Candidate, Vec<ApplicationRef>)>> {
        let resp = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::candidate(tenant, candidate_id))))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        resp.item.map(with_application_refs).transpose()
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
            .map(with_application_refs)
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            next_token: page.next_token,
        })
    }

    // ---- reading records to send ----------------------------------------------------------------

    /// Items by key, decoded, read consistently (what is sent must be at least as new as the
    /// outbox revision it clears); missing ones are absent.
    pub async fn read_many<T: serde::de::DeserializeOwned>(
        &self,
        wanted: Vec<Key>,
    ) -> Result<Vec<T>> {
        self.batch_get_with(wanted, true)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }
}

const CONDITION_FAILED: &str = "a write condition failed";

/// A candidate item decoded, with the applications its `app#` attributes summarise.
fn with_application_refs(item: Item) -> Result<(Candidate, Vec<ApplicationRef>)> {
    let apps = item
        .iter()
        .filter_map(|(k, v)| keys::parse_application_summary(k, v.as_s().ok()?))
        .map(|(application_id, _, created_at)| ApplicationRef {
            application_id,
            created_at,
        })
        .collect();
    from_item::<Candidate>(item).map(|c| (c, apps))
}

/// The table key of a record the outbox names.
fn record_key(
    tenant: &str,
    kind: RecordKind,
    record_id: &str,
    candidate_id: Option<&str>,
) -> Option<Key> {
    match kind {
        RecordKind::Job => Some(keys::job(tenant, record_id)),
        RecordKind::Candidate => Some(keys::candidate(tenant, record_id)),
        RecordKind::Application | RecordKind::Stages => {
            candidate_id.map(|c| keys::application(tenant, c, record_id))
        }
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
    let text = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
    let sort = text(keys::OUTBOX_SK)?;
    let (rank, record_id) = sort.split_once('#')?;
    Some(Pending {
        kind: RecordKind::from_rank(rank)?,
        record_id: record_id.to_owned(),
        candidate_id: text("candidateId"),
        rev: text("syncRev")?,
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

fn to_attr<T: serde::Serialize>(value: &T) -> Result<AttributeValue> {
    serde_dynamo::to_attribute_value(value)
        .map_err(|e| Error::Invalid(format!("cannot store value: {e}")))
}
