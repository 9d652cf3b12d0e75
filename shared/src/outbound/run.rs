//! One sync run for one tenant: take the lease, send what is pending (at once when LinkedIn was
//! idle, else gathered for a moment), in order and in batches, settle each record, and release
//! the lease only when nothing new came.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::{Duration, Instant};

use super::{ErrorOrigin, KindCounts, OutboxSlot, Pending, RecordKind, SyncError, records};
use crate::clock::Clock;
use crate::domain::{Application, Candidate, DeadLetter, Job, SyncState, Tenant};
use crate::error::{Error, Result};
use crate::linkedin::{LinkedIn, MAX_BATCH, RecordOutcome, wire};
use crate::queue::Queue;
use crate::secrets::LinkedInCredentials;
use crate::store::Store;

/// Pause before the first poll of job tasks; it doubles up to `MAX_TASK_POLL_DELAY`.
const FIRST_TASK_POLL_DELAY: Duration = Duration::from_millis(200);
const MAX_TASK_POLL_DELAY: Duration = Duration::from_secs(2);
/// Stage requests (one per application) in flight at once.
const STAGE_CONCURRENCY: usize = 4;
/// The lease outlives the run's deadline by this much, in case the run overruns it.
const LEASE_MARGIN_MS: i64 = 60_000;
/// The outbox entries one Query reads: a burst of changes is read whole, and its full batches
/// all go in one round. An entry is a few hundred bytes with short ids (under 1 KB with
/// 128-character ones); a page that reaches a Query's 1 MB comes back cut short, and the outbox
/// is then read slot by slot.
const OUTBOX_PAGE: i32 = 10 * MAX_BATCH as i32;
/// How long a run waits before it reads an empty outbox again after its release failed.
const RECHECK_PAUSE: Duration = Duration::from_millis(100);

pub struct OutboundSync<'a> {
    pub store: &'a Store,
    pub linkedin: &'a LinkedIn,
    pub creds: &'a LinkedInCredentials,
    pub tenant: &'a Tenant,
    pub clock: &'a dyn Clock,
    /// Where records LinkedIn refused go, with their reason.
    pub dead_letters: &'a Queue,
    /// How long changes may gather before a batch that is not full is sent.
    pub gather: Duration,
    /// When the run must stop (it then asks to be continued).
    pub deadline: Instant,
    /// Who holds the lease (the message id).
    pub owner: &'a str,
    /// Each candidate's page in the ATS (LinkedIn's `externalProfileUrl`).
    pub profile_url: &'a records::ProfileUrl,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// The tenant has no active contract: changes are kept and sent once one is active again.
    Paused,
    /// Nothing is pending any more.
    Done { sent: KindCounts, refused: u64 },
    /// Out of time with records still pending: the caller must nudge again.
    Continue { sent: KindCounts },
}

/// What became of one pending record.
pub(super) enum Settled {
    /// LinkedIn has it; `n` records counted (stages count one each).
    Sent(u64),
    /// Breaks a LinkedIn rule; not sent.
    Invalid(String),
    /// LinkedIn refused it.
    Refused(String),
    /// Not done now; try again later.
    NotDone,
    /// The record no longer exists (or, while a clean-up stops sending, is not sent); for a
    /// tombstone: the record was created again, so LinkedIn keeps it.
    Gone,
}

/// An outbox entry and what became of its parts (the record; for an application, maybe its
/// stages).
pub(super) type Outcome = (Pending, Vec<(OutboxSlot, Settled)>);

#[derive(Default)]
struct Tally {
    sent: KindCounts,
    refused: u64,
    /// Records that could not be done in this run; they stay pending.
    held: HashSet<(OutboxSlot, String)>,
}

/// Answers a nudge for `tenant`: takes its sync lease for a run that must end by `deadline`
/// (`None`: a run holds the lease, and sends the nudge's change; see
/// `Store::claim_sync_lease`).
pub async fn claim(
    store: &Store,
    tenant: &str,
    owner: &str,
    now: i64,
    deadline: Instant,
) -> Result<Option<SyncState>> {
    let budget = i64::try_from(
        deadline
            .saturating_duration_since(Instant::now())
            .as_millis(),
    )
    .unwrap_or(i64::MAX / 2);
    store
        .claim_sync_lease(tenant, owner, now, now + budget + LEASE_MARGIN_MS)
        .await
}

/// Frees a lease `claim` took when no run follows (or a run failed): the next nudge starts one
/// at once instead of waiting for the lease to expire.
pub async fn let_go(store: &Store, tenant: &str, owner: &str) {
    if let Err(e) = store.release_sync_lease(tenant, owner, None).await {
        tracing::warn!(error = %e, "sync lease not released; it expires on its own");
    }
}

impl OutboundSync<'_> {
    /// Sends what is pending with the lease `claim` took (`state` is what it answered), and
    /// releases the lease when the run ends, whatever the outcome.
    pub async fn run(&self, state: SyncState) -> Result<RunOutcome> {
        let result = self.drain(state.change_seq).await;
        if !matches!(result, Ok(RunOutcome::Done { .. })) {
            let_go(self.store, &self.tenant.tenant_id, self.owner).await;
        }
        result
    }

    /// Sends until the outbox is empty and the lease is released, or time is up.
    async fn drain(&self, mut seen_seq: u64) -> Result<RunOutcome> {
        let t = &self.tenant.tenant_id;
        if !self.has_active_contract().await? {
            tracing::info!("no active contract; changes are kept until one is active");
            return Ok(RunOutcome::Paused);
        }
        let mut tally = Tally::default();
        // Adaptive batching: a change that finds LinkedIn idle goes out at once; after a send,
        // the next batch gathers what arrives, until it is full or `gather` has passed (a
        // ceiling, paid only while changes keep coming).
        let mut gather_until = Instant::now();
        loop {
            if Instant::now() >= self.deadline {
                return Ok(RunOutcome::Continue { sent: tally.sent });
            }
            let mut batches = Vec::with_capacity(OutboxSlot::OUTBOX.len());
            let mut full = false;
            for (slot, pending) in OutboxSlot::OUTBOX.into_iter().zip(self.outbox().await?) {
                full |= pending.len() >= MAX_BATCH;
                let pending: Vec<Pending> = pending
                    .into_iter()
                    .filter(|p| !tally.held.contains(&(p.slot(), p.record_id.clone())))
                    .collect();
                batches.push((slot, pending));
            }
            if batches.iter().all(|(_, p)| p.is_empty()) {
                if !tally.held.is_empty() {
                    return Err(Error::LinkedInUnavailable(format!(
                        "{} records were not done by LinkedIn; they stay pending and are retried",
                        tally.held.len()
                    )));
                }
                if self
                    .store
                    .release_sync_lease(t, self.owner, Some(seen_seq))
                    .await?
                {
                    return Ok(RunOutcome::Done {
                        sent: tally.sent,
                        refused: tally.refused,
                    });
                }
                // A nudge was claimed since the outbox was read. Its change is in the outbox
                // (written before the nudge was sent) unless this run already sent it: a nudge
                // arrives one queue hop after its change, so in a burst most of them are for
                // changes already sent. Look again after a short pause instead of at once, so
                // that the run does not spin on the outbox while those nudges drain.
                tokio::time::sleep(
                    RECHECK_PAUSE.min(self.deadline.saturating_duration_since(Instant::now())),
                )
                .await;
                seen_seq = self.store.sync_state(t).await?.change_seq;
                continue;
            }
            let now = Instant::now();
            if !full && now < gather_until {
                tokio::time::sleep(gather_until.min(self.deadline) - now).await;
                continue;
            }
            let known_errors = self.store.all_sync_errors(t).await?;
            // A clean-up that started since the last round stops the sending of records.
            let stopped = self.store.sync_state(t).await?.stopped_at.is_some();
            let before = tally.sent;
            for (slot, mut pending) in batches {
                if pending.is_empty() {
                    continue;
                }
                // Every full batch goes now, so a backlog never outgrows a round; what is left
                // of a kind after full batches gathers for the next round, and the later kinds
                // wait behind it (an application goes after its candidate).
                let whole = pending.len() / MAX_BATCH * MAX_BATCH;
                let gathering = if whole > 0 {
                    pending.split_off(whole)
                } else {
                    Vec::new()
                };
                while !pending.is_empty() {
                    let rest = pending.split_off(pending.len().min(MAX_BATCH));
                    let batch = std::mem::replace(&mut pending, rest);
                    let outcomes = if slot.deleted {
                        self.send_deletes(slot, batch).await?
                    } else if stopped {
                        batch
                            .into_iter()
                            .map(|p| (p, vec![(slot, Settled::Gone)]))
                            .collect()
                    } else {
                        self.send(slot.kind, batch).await?
                    };
                    self.settle(outcomes, &known_errors, &mut tally).await?;
                }
                if !gathering.is_empty() {
                    break;
                }
            }
            let delta = tally.sent.since(&before);
            self.store
                .record_sent(t, &delta, self.clock.now_ms())
                .await?;
            crate::metrics::count("ats-sync", &[], "SyncRecordsSent", delta.total());
            gather_until = Instant::now() + self.gather;
        }
    }

    /// What is pending, slot by slot in `OutboxSlot::OUTBOX` order: an outbox of up to
    /// `OUTBOX_PAGE` entries (a burst) whole, in one Query; a larger one (a full sync) with one
    /// Query per slot, at once, `MAX_BATCH` of each.
    async fn outbox(&self) -> Result<Vec<Vec<Pending>>> {
        let t = &self.tenant.tenant_id;
        if let Some(mut all) = self.store.pending_all(t, OUTBOX_PAGE).await? {
            return Ok(OutboxSlot::OUTBOX
                .into_iter()
                .map(|slot| {
                    let (mine, rest) = std::mem::take(&mut all)
                        .into_iter()
                        .partition(|p: &Pending| p.slot() == slot);
                    all = rest;
                    mine
                })
                .collect());
        }
        futures::future::try_join_all(
            OutboxSlot::OUTBOX
                .into_iter()
                .map(|slot| self.store.pending(t, slot, MAX_BATCH as i32)),
        )
        .await
    }

    async fn has_active_contract(&self) -> Result<bool> {
        let now = self.clock.now_ms();
        Ok(self
            .store
            .list_contracts(&self.tenant.tenant_id)
            .await?
            .iter()
            .any(|c| c.is_active_at(now)))
    }

    // ---- sending, one kind at a time ------------------------------------------------------------

    /// Sends one kind's outbox entries; for each, what became of it (an application's entry may
    /// carry its stages too, settled as their own record).
    async fn send(&self, kind: RecordKind, pending: Vec<Pending>) -> Result<Vec<Outcome>> {
        let mut records = match kind {
            RecordKind::Job => self.send_jobs(&pending, false).await?,
            RecordKind::Candidate => self.send_candidates(&pending).await?,
            RecordKind::Application | RecordKind::Stages => {
                self.send_applications(&pending).await?
            }
            RecordKind::CandidateNote | RecordKind::ApplicationNote => {
                self.send_notes(&pending).await?
            }
            RecordKind::InterviewFeedback => self.send_interview_feedback(&pending).await?,
            RecordKind::HiringTeam => self.send_hiring_teams(&pending).await?,
            RecordKind::Stage => HashMap::new(),
        };
        let with_stages: Vec<Pending> = pending.iter().filter(|p| p.stages).cloned().collect();
        let mut stages = if with_stages.is_empty() {
            HashMap::new()
        } else {
            self.send_stages(&with_stages).await?
        };
        Ok(pending
            .into_iter()
            .map(|p| {
                let mut parts = vec![(
                    p.slot(),
                    records.remove(&p.record_id).unwrap_or(Settled::NotDone),
                )];
                if p.stages {
                    parts.push((
                        OutboxSlot::put(RecordKind::Stages),
                        stages.remove(&p.record_id).unwrap_or(Settled::NotDone),
                    ));
                }
                (p, parts)
            })
            .collect())
    }

    /// Submits jobs as they are, or (`close`: a clean-up's) closed. A job a clean-up closes
    /// that breaks a LinkedIn rule was never at LinkedIn, so it is done.
    pub(super) async fn send_jobs(
        &self,
        pending: &[Pending],
        close: bool,
    ) -> Result<HashMap<String, Settled>> {
        let t = &self.tenant.tenant_id;
        let jobs: HashMap<String, Job> = self
            .store
            .jobs_to_send(t, pending.iter().map(|p| p.record_id.as_str()))
            .await?
            .into_iter()
            .map(|j| (j.job_id.clone(), j))
            .collect();
        let mut out = HashMap::new();
        let mut postings = Vec::new();
        for p in pending {
            match jobs.get(&p.record_id) {
                None => {
                    out.insert(p.record_id.clone(), Settled::Gone);
                }
                Some(job) => match records::job(job, self.tenant) {
                    Ok(mut w) => {
                        if close {
                            w.state = records::CLOSED;
                        }
                        postings.push((p.record_id.clone(), w))
                    }
                    Err(_) if close => {
                        out.insert(p.record_id.clone(), Settled::Gone);
                    }
                    Err(problem) => {
                        out.insert(p.record_id.clone(), Settled::Invalid(problem));
                    }
                },
            }
        }
        if postings.is_empty() {
            return Ok(out);
        }
        let submitted = isolate(
            postings,
            |batch| async move {
                let wire: Vec<wire::JobPosting> = batch.iter().map(|(_, w)| w.clone()).collect();
                let answers = self.linkedin.submit_jobs(self.creds, &wire).await?;
                Ok(batch.into_iter().map(|(id, _)| id).zip(answers).collect())
            },
            |status, message| {
                Err(format!(
                    "LinkedIn refused the job (status {status}): {message}"
                ))
            },
        )
        .await?;
        let mut tasks: HashMap<String, String> = HashMap::new();
        for (id, answer) in submitted {
            match answer {
                Ok(task) => {
                    tasks.insert(task, id);
                }
                Err(reason) => {
                    out.insert(id, Settled::Refused(reason));
                }
            }
        }
        let mut delay = FIRST_TASK_POLL_DELAY;
        while !tasks.is_empty() && Instant::now() + delay < self.deadline {
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(MAX_TASK_POLL_DELAY);
            let ids: Vec<String> = tasks.keys().cloned().collect();
            for chunk in ids.chunks(MAX_BATCH) {
                let states = self.linkedin.job_tasks(self.creds, chunk).await?;
                for (task, state) in states {
                    let settled = match state.state() {
                        wire::TaskState::Posted => Settled::Sent(1),
                        wire::TaskState::Refused(reason) => {
                            Settled::Refused(format!("LinkedIn could not post the job: {reason}"))
                        }
                        wire::TaskState::Running => continue,
                    };
                    if let Some(id) = tasks.remove(&task) {
                        out.insert(id, settled);
                    }
                }
            }
        }
        for (_, id) in tasks {
            out.insert(id, Settled::NotDone);
        }
        Ok(out)
    }

    async fn send_candidates(&self, pending: &[Pending]) -> Result<HashMap<String, Settled>> {
        let t = &self.tenant.tenant_id;
        let candidates: HashMap<String, Candidate> = self
            .store
            .candidates_to_send(t, pending.iter().map(|p| p.record_id.as_str()))
            .await?
            .into_iter()
            .map(|c| (c.candidate_id.clone(), c))
            .collect();
        let mut out = HashMap::new();
        let mut ready = Vec::new();
        for p in pending {
            match candidates
                .get(&p.record_id)
                .map(|c| records::candidate(c, self.profile_url))
            {
                None => {
                    out.insert(p.record_id.clone(), Settled::Gone);
                }
                Some(Ok(w)) => ready.push((p.record_id.clone(), w)),
                Some(Err(problem)) => {
                    out.insert(p.record_id.clone(), Settled::Invalid(problem));
                }
            }
        }
        if !ready.is_empty() {
            let org = &self.tenant.organization;
            let answers = isolate_updates(ready, |batch| async move {
                self.linkedin
                    .update_candidates(self.creds, org, &batch)
                    .await
            })
            .await?;
            out.extend(answers.into_iter().map(|(id, o)| (id, from_outcome(o, 1))));
            self.attach_members(&candidates, &mut out).await?;
        }
        Ok(out)
    }

    /// Tells LinkedIn which member each exported candidate LinkedIn just accepted is, in one
    /// batch (re-sent with every update of the candidate: setting the same member is harmless).
    /// A candidate whose member LinkedIn did not take stays pending, as for its record.
    async fn attach_members(
        &self,
        candidates: &HashMap<String, Candidate>,
        out: &mut HashMap<String, Settled>,
    ) -> Result<()> {
        let members: Vec<(String, String)> = out
            .iter()
            .filter(|(_, s)| matches!(s, Settled::Sent(_)))
            .filter_map(|(id, _)| {
                let member = candidates.get(id)?.member.clone()?;
                Some((id.clone(), member))
            })
            .collect();
        if members.is_empty() {
            return Ok(());
        }
        let org = &self.tenant.organization;
        let answers = isolate_updates(members, |batch| async move {
            self.linkedin.attach_members(self.creds, org, &batch).await
        })
        .await?;
        for (id, outcome) in answers {
            if let settled @ (Settled::Refused(_) | Settled::NotDone) = from_outcome(outcome, 1) {
                let settled = match settled {
                    Settled::Refused(why) => {
                        Settled::Refused(format!("LinkedIn refused the candidate's member: {why}"))
                    }
                    other => other,
                };
                out.insert(id, settled);
            }
        }
        Ok(())
    }

    async fn send_applications(&self, pending: &[Pending]) -> Result<HashMap<String, Settled>> {
        let t = &self.tenant.tenant_id;
        let apps = self.read_applications(pending).await?;
        let candidate_keys: HashSet<&str> =
            apps.values().map(|a| a.candidate_id.as_str()).collect();
        let job_keys: HashSet<&str> = apps.values().map(|a| a.job_id.as_str()).collect();
        let candidates: HashMap<String, Candidate> = self
            .store
            .candidates_to_send(t, candidate_keys)
            .await?
            .into_iter()
            .map(|c| (c.candidate_id.clone(), c))
            .collect();
        let jobs: HashMap<String, Job> = self
            .store
            .jobs_to_send(t, job_keys)
            .await?
            .into_iter()
            .map(|j| (j.job_id.clone(), j))
            .collect();
        let mut out = HashMap::new();
        let mut ready = Vec::new();
        for p in pending {
            let Some(app) = apps.get(&p.record_id) else {
                out.insert(p.record_id.clone(), Settled::Gone);
                continue;
            };
            match records::application(
                app,
                candidates.get(&app.candidate_id),
                jobs.get(&app.job_id),
            ) {
                Ok(w) => ready.push((p.record_id.clone(), w)),
                Err(problem) => {
                    out.insert(p.record_id.clone(), Settled::Invalid(problem));
                }
            }
        }
        if !ready.is_empty() {
            let org = &self.tenant.organization;
            let answers = isolate_updates(ready, |batch| async move {
                self.linkedin
                    .update_applications(self.creds, org, &batch)
                    .await
            })
            .await?;
            out.extend(answers.into_iter().map(|(id, o)| (id, from_outcome(o, 1))));
        }
        Ok(out)
    }

    /// Each application's stages go in their own request (LinkedIn's path names one
    /// application); every stage is sent each time, which LinkedIn treats as an update.
    async fn send_stages(&self, pending: &[Pending]) -> Result<HashMap<String, Settled>> {
        let apps = self.read_applications(pending).await?;
        let mut out = HashMap::with_capacity(pending.len());
        for chunk in pending.chunks(STAGE_CONCURRENCY) {
            let mut sends = Vec::with_capacity(chunk.len());
            for p in chunk {
                sends.push(self.send_stages_of(&p.record_id, apps.get(&p.record_id)));
            }
            for (id, settled) in futures::future::try_join_all(sends).await? {
                out.insert(id, settled);
            }
        }
        Ok(out)
    }

    async fn send_stages_of(
        &self,
        application_id: &str,
        app: Option<&Application>,
    ) -> Result<(String, Settled)> {
        let Some(app) = app else {
            return Ok((application_id.to_owned(), Settled::Gone));
        };
        let mut problems = Vec::new();
        let mut ready = Vec::new();
        for s in &app.stages {
            match records::stage(s) {
                Ok(w) => ready.push((s.stage_id.clone(), w)),
                Err(problem) => problems.push(format!("stage {}: {problem}", s.stage_id)),
            }
        }
        let org = &self.tenant.organization;
        let mut settled = Settled::Sent(0);
        for chunk in ready.chunks(MAX_BATCH) {
            let answers = isolate_updates(chunk.to_vec(), |batch| async move {
                self.linkedin
                    .update_stages(self.creds, org, &app.application_id, &batch)
                    .await
            })
            .await?;
            for (_, outcome) in answers {
                settled = match (settled, from_outcome(outcome, 1)) {
                    (Settled::Sent(a), Settled::Sent(b)) => Settled::Sent(a + b),
                    (Settled::Sent(_), other) | (other, _) => other,
                };
            }
        }
        if !problems.is_empty() && matches!(settled, Settled::Sent(_)) {
            settled = Settled::Invalid(problems.join("; "));
        }
        Ok((application_id.to_owned(), settled))
    }

    async fn read_applications(&self, pending: &[Pending]) -> Result<HashMap<String, Application>> {
        let t = &self.tenant.tenant_id;
        let wanted = pending
            .iter()
            .filter_map(|p| p.candidate_id.as_deref().map(|c| (c, p.record_id.as_str())));
        Ok(self
            .store
            .applications_to_send(t, wanted)
            .await?
            .into_iter()
            .map(|a| (a.application_id.clone(), a))
            .collect())
    }

    // ---- settling -------------------------------------------------------------------------------

    /// Records what became of each entry and takes the finished ones out of the outbox. An entry
    /// with a part not done stays whole (it is sent again later).
    async fn settle(
        &self,
        outcomes: Vec<Outcome>,
        known_errors: &[SyncError],
        tally: &mut Tally,
    ) -> Result<()> {
        let t = &self.tenant.tenant_id;
        let now = self.clock.now_ms();
        let mut done = Vec::with_capacity(outcomes.len());
        let mut resolved = Vec::new();
        for (p, parts) in outcomes {
            if parts.iter().any(|(_, s)| matches!(s, Settled::NotDone)) {
                tally.held.insert((p.slot(), p.record_id.clone()));
                continue;
            }
            for (slot, settled) in parts {
                let kind = slot.kind;
                let had_error = known_errors
                    .iter()
                    .find(|e| e.kind == kind && e.record_id == p.record_id);
                match settled {
                    Settled::Sent(n) => {
                        tally.sent.add_slot(slot, n);
                        resolved.extend(had_error.cloned());
                    }
                    Settled::Gone | Settled::NotDone => resolved.extend(had_error.cloned()),
                    Settled::Invalid(message) => {
                        tracing::info!(kind = kind.name(), record = %p.record_id, "record breaks a LinkedIn rule; not sent");
                        crate::metrics::count(
                            "ats-sync",
                            &[("Origin", "validation"), ("Kind", kind.name())],
                            "SyncErrors",
                            1,
                        );
                        let error = SyncError {
                            kind,
                            record_id: p.record_id.clone(),
                            message,
                            origin: ErrorOrigin::Validation,
                            at: now,
                        };
                        self.store.put_sync_error(t, &error).await?;
                    }
                    Settled::Refused(message) => {
                        let message = if slot.deleted {
                            format!("LinkedIn refused to delete it: {message}")
                        } else {
                            message
                        };
                        tally.refused += 1;
                        crate::metrics::count(
                            "ats-sync",
                            &[("Origin", "linkedIn"), ("Kind", kind.name())],
                            "SyncErrors",
                            1,
                        );
                        self.refuse(kind, &p.record_id, message, now).await?;
                    }
                }
            }
            done.push(p);
        }
        self.store.delete_sync_errors(t, &resolved).await?;
        self.store.clear_pending(t, &done).await
    }

    /// A record LinkedIn refused: a sync error for the API, and a dead letter with the reason.
    async fn refuse(
        &self,
        kind: RecordKind,
        record_id: &str,
        message: String,
        now: i64,
    ) -> Result<()> {
        let t = &self.tenant.tenant_id;
        tracing::warn!(kind = kind.name(), record = %record_id, "LinkedIn refused a record; dead-lettered");
        let error = SyncError {
            kind,
            record_id: record_id.to_owned(),
            message: message.clone(),
            origin: ErrorOrigin::LinkedIn,
            at: now,
        };
        self.store.put_sync_error(t, &error).await?;
        let body = serde_json::json!({
            "tenantId": t,
            "kind": kind,
            "recordId": record_id,
            "reason": message,
            "rejectedAt": now,
        });
        let message_id = self
            .dead_letters
            .send_raw(body.to_string(), Some(&message))
            .await?;
        let letter = DeadLetter {
            message_id,
            source: "linkedin-sync".into(),
            reason: format!("LinkedIn refused {} {record_id}: {message}", kind.name()),
            at: now,
        };
        self.store.record_dead_letter(t, &letter).await
    }
}

pub(super) fn from_outcome(outcome: RecordOutcome, n: u64) -> Settled {
    match outcome {
        RecordOutcome::Accepted => Settled::Sent(n),
        RecordOutcome::Rejected { status, message } => {
            Settled::Refused(format!("status {status}: {message}"))
        }
        RecordOutcome::NotDone(_) => Settled::NotDone,
    }
}

/// Sends a batch; when LinkedIn refuses the whole request (a rule of the batch, or one record
/// it cannot even parse), sends the records one by one, so one bad record never blocks the rest.
/// `refused` turns a refusal into that record's answer.
async fn isolate<T, O, F, Fut>(
    records: Vec<(String, T)>,
    send: F,
    refused: fn(u16, String) -> O,
) -> Result<Vec<(String, O)>>
where
    T: Clone,
    F: Fn(Vec<(String, T)>) -> Fut,
    Fut: Future<Output = Result<Vec<(String, O)>>>,
{
    let single = records.len() == 1;
    match send(records.clone()).await {
        Err(Error::LinkedInRejected {
            status, message, ..
        }) if single && is_about_the_records(status) => {
            Ok(vec![(records[0].0.clone(), refused(status, message))])
        }
        Err(Error::LinkedInRejected { status, .. }) if is_about_the_records(status) => {
            let mut out = Vec::with_capacity(records.len());
            for record in records {
                let id = record.0.clone();
                match send(vec![record]).await {
                    Ok(answer) => out.extend(answer),
                    Err(Error::LinkedInRejected {
                        status, message, ..
                    }) if is_about_the_records(status) => out.push((id, refused(status, message))),
                    Err(e) => return Err(e),
                }
            }
            Ok(out)
        }
        other => other,
    }
}

/// Whole-request answers that blame what was sent (not the credentials or the contract).
fn is_about_the_records(status: u16) -> bool {
    matches!(status, 400 | 409 | 413 | 422)
}

/// `isolate` for the batch updates, whose answers are keyed by record.
pub(super) async fn isolate_updates<T, F, Fut>(
    records: Vec<(String, T)>,
    send: F,
) -> Result<Vec<(String, RecordOutcome)>>
where
    T: Clone,
    F: Fn(Vec<(String, T)>) -> Fut,
    Fut: Future<Output = Result<HashMap<String, RecordOutcome>>>,
{
    let send = &send;
    isolate(
        records,
        |batch| async move { send(batch).await.map(|m| m.into_iter().collect()) },
        |status, message| RecordOutcome::Rejected { status, message },
    )
    .await
}
