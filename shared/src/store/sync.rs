//! The outbound sync's own records: the tenant's sync state and lease, full-sync progress,
//! sync errors, and the reads a sync run and a full sync make. See `crate::outbound` for how
//! they fit together.

use aws_sdk_dynamodb::types::ReturnValue;

use super::activity::delete;
use super::item::{Item, from_item, key_item, n, s, to_attr};
use super::query::Partition;
use super::write::Conditional;
use super::{Page, Store};
use crate::domain::{Application, Candidate, FullSync, Job, KindCounts, SyncError, SyncState};
use crate::error::{Error, Result};
use crate::keys;

/// An application as the candidate item summarises it, for full syncs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationRef {
    pub application_id: String,
    pub created_at: i64,
}

impl Store {
    // ---- sync state and lease -------------------------------------------------------------------

    pub async fn sync_state(&self, tenant: &str) -> Result<SyncState> {
        Ok(self
            .get(keys::sync_state(tenant))
            .await?
            .unwrap_or_default())
    }

    /// Answers a nudge ("the tenant has changes for LinkedIn"): moves the tenant's change
    /// counter and takes the sync lease until `until` if no run holds it, in one write,
    /// answering the state (`None`: a run holds the lease). A run releases the lease only if the
    /// counter did not move since it last saw the outbox empty, so the holder reads the outbox
    /// again and sends the nudge's change: whoever wins, the change is not stranded. The writers
    /// of changes do not touch the counter (one write per change, and no hot item per tenant):
    /// the nudge does, once per ats-sync batch and tenant.
    ///
    /// A free lease has no `leaseOwner`, so `if_not_exists` takes it in the same write that
    /// moves the counter. A lease whose run died (expired, still there) is taken over with a
    /// second, conditional write.
    pub async fn claim_sync_lease(
        &self,
        tenant: &str,
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<SyncState>> {
        let resp = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression(
                "SET leaseOwner = if_not_exists(leaseOwner, :owner), \
                 leaseUntil = if_not_exists(leaseUntil, :until) ADD changeSeq :one",
            )
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":until", n(until))
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        let after = resp.attributes.unwrap_or_default();
        let holder = after.get("leaseOwner").and_then(|v| v.as_s().ok());
        let held_until = after
            .get("leaseUntil")
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        if holder.is_some_and(|h| h == owner) {
            return from_item(after).map(Some);
        }
        if held_until > now {
            return Ok(None);
        }
        self.take_over_sync_lease(tenant, owner, now, until).await
    }

    /// Takes the tenant's sync lease until `until` if it is expired, answering the state.
    async fn take_over_sync_lease(
        &self,
        tenant: &str,
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<SyncState>> {
        let taken = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression("SET leaseUntil = :until, leaseOwner = :owner")
            .condition_expression("attribute_not_exists(leaseUntil) OR leaseUntil <= :now")
            .expression_attribute_values(":until", n(until))
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":now", n(now))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .conditional()?;
        taken
            .map(|r| from_item(r.attributes.unwrap_or_default()))
            .transpose()
    }

    /// Frees the lease if this owner holds it and, when `seen_seq` is given, only if no change
    /// arrived since (`false`: changes arrived; the lease is still held). A free lease has no
    /// owner, so the next claim takes it in its one write.
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
            .update_expression("REMOVE leaseUntil, leaseOwner")
            .expression_attribute_values(":owner", s(owner));
        b = match seen_seq {
            Some(seq) => b
                .condition_expression(
                    "leaseOwner = :owner AND (changeSeq = :seq OR attribute_not_exists(changeSeq))",
                )
                .expression_attribute_values(":seq", n(seq)),
            None => b.condition_expression("leaseOwner = :owner"),
        };
        if b.send().await.conditional()?.is_some() {
            return Ok(true);
        }
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
                 sentApplications :a, sentStages :s, sentNotes :no, \
                 sentInterviewFeedback :fb, sentHiringTeams :ht, sentDeleted :del",
            )
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":j", n(sent.jobs))
            .expression_attribute_values(":c", n(sent.candidates))
            .expression_attribute_values(":a", n(sent.applications))
            .expression_attribute_values(":s", n(sent.stages))
            .expression_attribute_values(":no", n(sent.notes))
            .expression_attribute_values(":fb", n(sent.interview_feedback))
            .expression_attribute_values(":ht", n(sent.hiring_teams))
            .expression_attribute_values(":del", n(sent.deleted))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }

    /// Starts a full sync unless one is running or a clean-up is still queuing its deletes
    /// (`false`); it lets records go to LinkedIn again after a clean-up.
    pub async fn start_full_sync(&self, tenant: &str, run: &FullSync) -> Result<bool> {
        let stalled = run.started_at - FullSync::STALLED_AFTER_MS;
        let started = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression("SET fullSync = :run REMOVE stoppedAt")
            .condition_expression(
                "(attribute_not_exists(fullSync) OR fullSync.phase = :done \
                 OR attribute_not_exists(fullSync.updatedAt) OR fullSync.updatedAt < :stalled) \
                 AND (attribute_not_exists(cleanup) OR cleanup.phase = :queued)",
            )
            .expression_attribute_values(":queued", s("queued"))
            .expression_attribute_values(":run", to_attr(run)?)
            .expression_attribute_values(":done", s("done"))
            .expression_attribute_values(":stalled", n(stalled))
            .send()
            .await
            .conditional()?;
        Ok(started.is_some())
    }

    /// Saves a full sync's progress if it is still the run `run.run_id` (`false` otherwise).
    pub async fn save_full_sync(&self, tenant: &str, run: &FullSync) -> Result<bool> {
        self.save_run(tenant, "fullSync", &run.run_id, to_attr(run)?)
            .await
    }

    /// Saves a run (full sync or clean-up) kept in `attr` of the sync state if it is still
    /// the run `run_id` (`false` otherwise: it was replaced).
    pub(super) async fn save_run(
        &self,
        tenant: &str,
        attr: &str,
        run_id: &str,
        run: aws_sdk_dynamodb::types::AttributeValue,
    ) -> Result<bool> {
        let saved = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression("SET #run = :run")
            .condition_expression("#run.runId = :id")
            .expression_attribute_names("#run", attr)
            .expression_attribute_values(":run", run)
            .expression_attribute_values(":id", s(run_id))
            .send()
            .await
            .conditional()?;
        Ok(saved.is_some())
    }

    // ---- sync errors ----------------------------------------------------------------------------

    pub async fn put_sync_error(&self, tenant: &str, error: &SyncError) -> Result<()> {
        self.put(
            keys::sync_error(tenant, error.kind.name(), &error.record_id),
            error,
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

    // Each is read consistently (what is sent must be at least as new as the outbox revision
    // it clears); the ones that do not exist are absent from the answer.

    /// The tenant's jobs of these ids, to send to LinkedIn.
    pub async fn jobs_to_send<'a>(
        &self,
        tenant: &str,
        job_ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<Job>> {
        let wanted = job_ids.into_iter().map(|j| keys::job(tenant, j));
        self.read_consistent(wanted.collect()).await
    }

    /// The tenant's candidates of these ids, to send to LinkedIn.
    pub async fn candidates_to_send<'a>(
        &self,
        tenant: &str,
        candidate_ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<Candidate>> {
        let wanted = candidate_ids
            .into_iter()
            .map(|c| keys::candidate(tenant, c));
        self.read_consistent(wanted.collect()).await
    }

    /// The tenant's applications named by `(candidate id, application id)`, to send to LinkedIn.
    pub async fn applications_to_send<'a>(
        &self,
        tenant: &str,
        applications: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Vec<Application>> {
        let wanted = applications
            .into_iter()
            .map(|(c, a)| keys::application(tenant, c, a));
        self.read_consistent(wanted.collect()).await
    }
}

/// A candidate item decoded, with the applications its `app#` attributes summarise.
pub(super) fn with_application_refs(item: Item) -> Result<(Candidate, Vec<ApplicationRef>)> {
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
