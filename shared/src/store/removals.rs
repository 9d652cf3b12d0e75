//! Deletes: a record deleted in the ATS leaves a [`Tombstone`] in the outbox until LinkedIn has
//! deleted it too (docs/outbound-sync.md, "Deletes"). The tombstone is written before the
//! record is removed, so a crash in between leaves both, and the record, which still exists,
//! voids the tombstone: LinkedIn always ends up with what the ATS has. The clean-up's
//! progress lives here too.

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, Update, WriteRequest};

use super::Store;
use super::activity::delete;
use super::item::{
    Item, built, from_item, key_item, key_of, n, s, text, to_attr, to_item, with_key,
};
use super::notes::{feedback_key, note_key};
use super::query::Partition;
use super::write::Conditional;
use crate::domain::{
    Application, Cleanup, InterviewFeedback, Note, OutboxSlot, RecordKind, Stage, Tombstone,
};
use crate::error::Result;
use crate::keys::{self, Key};

/// What forgetting a member removed here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForgetOutcome {
    pub candidates: Vec<String>,
    pub deleted_items: u64,
}

impl Store {
    /// Deletes a note here; LinkedIn deletes it with the next sync.
    pub async fn delete_note(&self, note: &Note, now: i64) -> Result<()> {
        self.put_tombstones(&[note_tombstone(note, now)], now)
            .await?;
        self.batch_write(vec![delete(&note_key(note))?]).await?;
        Ok(())
    }

    /// Deletes interview feedback here; LinkedIn deletes it with the next sync.
    pub async fn delete_interview_feedback(&self, f: &InterviewFeedback, now: i64) -> Result<()> {
        self.put_tombstones(&[feedback_tombstone(f, now)], now)
            .await?;
        self.batch_write(vec![delete(&feedback_key(f))?]).await?;
        Ok(())
    }

    /// Removes one stage of an application (`app` as read, the stage still in it) if the
    /// application did not change meanwhile; `None` if it did. The other stages stay as
    /// LinkedIn has them.
    pub async fn delete_stage(&self, app: &Application, stage_id: &str, now: i64) -> Result<bool> {
        let t = &app.tenant_id;
        let stages: Vec<&Stage> = app
            .stages
            .iter()
            .filter(|s| s.stage_id != stage_id)
            .collect();
        let mut tomb = Tombstone::new(
            t,
            RecordKind::Stage,
            RecordKind::application_child_id(&app.application_id, stage_id),
            stage_id,
            now,
        );
        tomb.candidate_id = Some(app.candidate_id.clone());
        tomb.application_id = Some(app.application_id.clone());
        // A tombstone of a stage that stays (the write below lost a race) is voided when sent.
        self.put_tombstones(&[tomb], now).await?;
        let builder = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::application(
                t,
                &app.candidate_id,
                &app.application_id,
            ))))
            .update_expression("SET stages = :stages, updatedAt = :updated")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":stages", to_attr(&stages)?)
            .expression_attribute_values(":updated", n(now.max(app.updated_at.unwrap_or(0) + 1)));
        let builder = match app.updated_at {
            Some(at) => builder
                .condition_expression("attribute_exists(#pk) AND updatedAt = :read")
                .expression_attribute_values(":read", n(at)),
            None => builder
                .condition_expression("attribute_exists(#pk) AND attribute_not_exists(updatedAt)"),
        };
        self.send_update(built(builder.build())?).await
    }

    /// Deletes an application here with its notes, interview feedback and stages; LinkedIn
    /// deletes them (children first) with the next sync.
    pub async fn delete_application(&self, app: &Application, now: i64) -> Result<()> {
        let t = &app.tenant_id;
        let partition = self.candidate_items(t, &app.candidate_id).await?;
        let mut tombs = Vec::new();
        let mut doomed = Vec::new();
        for item in &partition {
            let sk = text(item, keys::SK).unwrap_or_default();
            let belongs =
                sk.starts_with(&format!("{}A#{}#", keys::NOTE_PREFIX, app.application_id))
                    || sk.starts_with(&format!("{}{}#", keys::FEEDBACK_PREFIX, app.application_id));
            if belongs {
                tombs.extend(child_tombstone(item, now)?);
                doomed.push(key_of(item));
            }
        }
        tombs.push(application_tombstone(app, now));
        self.put_tombstones(&tombs, now).await?;
        doomed.push(keys::application(t, &app.candidate_id, &app.application_id));
        doomed.push(keys::application_ref(t, &app.application_id));
        let requests = doomed.iter().map(delete).collect::<Result<Vec<_>>>()?;
        self.batch_write(requests).await?;
        // The candidate's summary of it.
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::candidate(t, &app.candidate_id))))
            .update_expression("REMOVE #app")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#app", keys::application_summary_attr(&app.application_id))
            .expression_attribute_names("#pk", keys::PK)
            .send()
            .await
            .conditional()?;
        Ok(())
    }

    /// Deletes a candidate here with everything in its partition (applications, notes,
    /// feedback, imported InMails and contact details) and its applications' pointers; LinkedIn
    /// deletes what it got from us with the next sync. `None` when there is no such candidate.
    pub async fn delete_candidate(
        &self,
        tenant: &str,
        candidate_id: &str,
        now: i64,
    ) -> Result<Option<u64>> {
        let partition = self.candidate_items(tenant, candidate_id).await?;
        if !partition
            .iter()
            .any(|i| text(i, keys::SK).as_deref() == Some("CANDIDATE"))
        {
            return Ok(None);
        }
        let tombs = partition_tombstones(tenant, candidate_id, &partition, false, now)?;
        self.put_tombstones(&tombs, now).await?;
        let mut doomed: Vec<Key> = Vec::with_capacity(partition.len() + 4);
        for item in &partition {
            let sk = text(item, keys::SK).unwrap_or_default();
            if sk.starts_with(keys::APPLICATION_PREFIX)
                && let Some(app) = text(item, "applicationId")
            {
                doomed.push(keys::application_ref(tenant, &app));
            }
            doomed.push(key_of(item));
        }
        let count = doomed.len() as u64;
        let requests = doomed.iter().map(delete).collect::<Result<Vec<_>>>()?;
        self.batch_write(requests).await?;
        Ok(Some(count))
    }

    /// Deletes here what LinkedIn told us about one member: the candidate an export made of
    /// it, with its InMails, notes and shared contact details (and, through its tombstones,
    /// what we sent LinkedIn about it).
    pub async fn forget_member(
        &self,
        tenant: &str,
        member: &str,
        now: i64,
    ) -> Result<ForgetOutcome> {
        let candidate_id = crate::domain::Candidate::id_for_member(member);
        let partition = self.candidate_items(tenant, &candidate_id).await?;
        if partition.is_empty() {
            return Ok(ForgetOutcome::default());
        }
        if let Some(count) = self.delete_candidate(tenant, &candidate_id, now).await? {
            return Ok(ForgetOutcome {
                candidates: vec![candidate_id],
                deleted_items: count,
            });
        }
        // Activity about the member that never became a candidate.
        let requests = partition
            .iter()
            .map(|i| delete(&key_of(i)))
            .collect::<Result<Vec<_>>>()?;
        let count = requests.len() as u64;
        self.batch_write(requests).await?;
        Ok(ForgetOutcome {
            candidates: Vec::new(),
            deleted_items: count,
        })
    }

    /// Writes tombstones, each an outbox entry of its kind's delete slot.
    pub async fn put_tombstones(&self, tombs: &[Tombstone], now: i64) -> Result<()> {
        let requests = tombs
            .iter()
            .map(|t| {
                let put = built(
                    PutRequest::builder()
                        .set_item(Some(tombstone_item(t, now)?))
                        .build(),
                )?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<Vec<_>>>()?;
        self.batch_write(requests).await.map(|_| ())
    }

    /// The tombstones of these outbox entries of one delete slot, read consistently.
    pub async fn tombstones_to_send(
        &self,
        tenant: &str,
        slot: OutboxSlot,
        record_ids: impl IntoIterator<Item = String>,
    ) -> Result<Vec<Tombstone>> {
        let wanted = record_ids
            .into_iter()
            .map(|r| keys::tombstone(tenant, slot.rank(), &r))
            .collect();
        self.read_consistent(wanted).await
    }

    /// The record ids of (unforced) tombstones whose record exists again, read consistently:
    /// a record deleted and created again stays at LinkedIn.
    pub async fn revived(
        &self,
        tenant: &str,
        tombs: &[&Tombstone],
    ) -> Result<std::collections::HashSet<String>> {
        let wanted: Vec<(Key, &Tombstone)> = tombs
            .iter()
            .filter(|t| !t.forced)
            .filter_map(|t| Some((live_key(tenant, t)?, *t)))
            .collect();
        let mut revived = std::collections::HashSet::new();
        if wanted.is_empty() {
            return Ok(revived);
        }
        let mut distinct: Vec<Key> = wanted.iter().map(|(k, _)| k.clone()).collect();
        distinct.sort_by(|a, b| (&a.pk, &a.sk).cmp(&(&b.pk, &b.sk)));
        distinct.dedup();
        let items = self.batch_get_with(distinct, true).await?;
        for (key, tomb) in wanted {
            let Some(item) = items.iter().find(|i| key_of(i) == key) else {
                continue;
            };
            let back = if tomb.kind == RecordKind::Stage {
                // The application exists; is the stage in it again?
                from_item::<Application>(item.clone())
                    .is_ok_and(|a| a.stages.iter().any(|s| s.stage_id == tomb.item_id))
            } else {
                true
            };
            if back {
                revived.insert(tomb.record_id.clone());
            }
        }
        Ok(revived)
    }

    /// Every item of a candidate's partition.
    pub(crate) async fn candidate_items(
        &self,
        tenant: &str,
        candidate_id: &str,
    ) -> Result<Vec<Item>> {
        self.query_all(&Partition::table(keys::candidate_partition(
            tenant,
            candidate_id,
        )))
        .await
    }

    // ---- clean-up -------------------------------------------------------------------------------

    /// Starts a clean-up unless one is under way (not queued yet and not stalled), and stops
    /// the sending of records from now on. `false`: one is running.
    pub async fn start_cleanup(&self, tenant: &str, run: &Cleanup) -> Result<bool> {
        let stalled = run.started_at - Cleanup::STALLED_AFTER_MS;
        let started = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::sync_state(tenant))))
            .update_expression("SET cleanup = :run, stoppedAt = :now")
            .condition_expression(
                "attribute_not_exists(cleanup) OR cleanup.phase = :queued \
                 OR cleanup.updatedAt < :stalled",
            )
            .expression_attribute_values(":run", to_attr(run)?)
            .expression_attribute_values(":now", n(run.started_at))
            .expression_attribute_values(":queued", s("queued"))
            .expression_attribute_values(":stalled", n(stalled))
            .send()
            .await
            .conditional()?;
        Ok(started.is_some())
    }

    /// Saves a clean-up's progress if it is still the run `run.run_id` (`false` otherwise).
    pub async fn save_cleanup(&self, tenant: &str, run: &Cleanup) -> Result<bool> {
        self.save_run(tenant, "cleanup", &run.run_id, to_attr(run)?)
            .await
    }
}

/// The tombstones of everything in a candidate's partition that LinkedIn may hold: its notes,
/// feedback, applications (with their stages) and the candidate.
pub(crate) fn partition_tombstones(
    tenant: &str,
    candidate_id: &str,
    partition: &[Item],
    forced: bool,
    now: i64,
) -> Result<Vec<Tombstone>> {
    let mut tombs = Vec::new();
    let mut has_candidate = false;
    for item in partition {
        let sk = text(item, keys::SK).unwrap_or_default();
        if sk == "CANDIDATE" {
            has_candidate = true;
        } else if sk.starts_with(keys::APPLICATION_PREFIX) {
            let app: Application = from_item(item.clone())?;
            tombs.push(application_tombstone(&app, now));
        } else {
            tombs.extend(child_tombstone(item, now)?);
        }
    }
    if has_candidate {
        tombs.push(Tombstone::new(
            tenant,
            RecordKind::Candidate,
            candidate_id.to_owned(),
            candidate_id,
            now,
        ));
    }
    for t in &mut tombs {
        t.forced = forced;
    }
    Ok(tombs)
}

/// Where a tombstone's record lives when it exists (jobs and hiring teams are only ever
/// removed by a clean-up, whose tombstones are forced).
fn live_key(tenant: &str, tomb: &Tombstone) -> Option<Key> {
    let candidate = tomb.candidate_id.as_deref();
    let application = tomb.application_id.as_deref();
    match tomb.kind {
        RecordKind::Candidate => Some(keys::candidate(tenant, &tomb.item_id)),
        RecordKind::Application | RecordKind::Stage => {
            Some(keys::application(tenant, candidate?, application?))
        }
        RecordKind::CandidateNote => Some(keys::note(tenant, candidate?, None, &tomb.item_id)),
        RecordKind::ApplicationNote => {
            Some(keys::note(tenant, candidate?, application, &tomb.item_id))
        }
        RecordKind::InterviewFeedback => Some(keys::interview_feedback(
            tenant,
            candidate?,
            application?,
            &tomb.item_id,
        )),
        RecordKind::Job | RecordKind::HiringTeam | RecordKind::Stages => None,
    }
}

/// The tombstone of a note or feedback item; `None` for other items.
fn child_tombstone(item: &Item, now: i64) -> Result<Option<Tombstone>> {
    let sk = text(item, keys::SK).unwrap_or_default();
    if sk.starts_with(keys::NOTE_PREFIX) {
        let note: Note = from_item(item.clone())?;
        return Ok(Some(note_tombstone(&note, now)));
    }
    if sk.starts_with(keys::FEEDBACK_PREFIX) {
        let f: InterviewFeedback = from_item(item.clone())?;
        return Ok(Some(feedback_tombstone(&f, now)));
    }
    Ok(None)
}

fn note_tombstone(note: &Note, now: i64) -> Tombstone {
    let (kind, record_id) = note.outbox_entry();
    let mut t = Tombstone::new(&note.tenant_id, kind, record_id, &note.note_id, now);
    t.candidate_id = Some(note.candidate_id.clone());
    t.application_id = note.application_id.clone();
    t
}

fn feedback_tombstone(f: &InterviewFeedback, now: i64) -> Tombstone {
    let mut t = Tombstone::new(
        &f.tenant_id,
        RecordKind::InterviewFeedback,
        f.outbox_record_id(),
        &f.feedback_id,
        now,
    );
    t.candidate_id = Some(f.candidate_id.clone());
    t.application_id = Some(f.application_id.clone());
    t
}

fn application_tombstone(app: &Application, now: i64) -> Tombstone {
    let mut t = Tombstone::new(
        &app.tenant_id,
        RecordKind::Application,
        app.application_id.clone(),
        &app.application_id,
        now,
    );
    t.candidate_id = Some(app.candidate_id.clone());
    t.application_id = Some(app.application_id.clone());
    t.stage_ids = app.stages.iter().map(|s| s.stage_id.clone()).collect();
    t
}

/// A tombstone as an item: its outbox attributes on it, with a new revision.
fn tombstone_item(t: &Tombstone, now: i64) -> Result<Item> {
    let slot = OutboxSlot::delete(t.kind);
    let key = keys::tombstone(&t.tenant_id, slot.rank(), &t.record_id);
    let mut item = with_key(key.clone(), to_item(t)?);
    item.insert(
        keys::OUTBOX_PK.into(),
        s(keys::outbox_partition(&t.tenant_id)),
    );
    item.insert(keys::OUTBOX_SK.into(), AttributeValue::S(key.sk));
    item.insert(
        "syncRev".into(),
        s(format!("{now}-{}", crate::ids::random_hex())),
    );
    Ok(item)
}

impl Store {
    /// A clean-up's deletes for these candidates and everything under them (the records stay
    /// here). Returns how many deletes were queued.
    pub async fn queue_candidates_cleanup(
        &self,
        tenant: &str,
        candidate_ids: &[String],
        now: i64,
    ) -> Result<u64> {
        let mut tombs = Vec::new();
        for c in candidate_ids {
            let partition = self.candidate_items(tenant, c).await?;
            tombs.extend(partition_tombstones(tenant, c, &partition, true, now)?);
        }
        self.put_tombstones(&tombs, now).await?;
        Ok(tombs.len() as u64)
    }

    /// A clean-up's closing of these (open) jobs and removal of these jobs' hiring teams.
    pub async fn queue_jobs_cleanup(
        &self,
        tenant: &str,
        open_jobs: &[String],
        teams: &[String],
        now: i64,
    ) -> Result<u64> {
        let forced = |kind, id: &String| {
            let mut t = Tombstone::new(tenant, kind, id.clone(), id, now);
            t.forced = true;
            t
        };
        let tombs: Vec<Tombstone> = open_jobs
            .iter()
            .map(|j| forced(RecordKind::Job, j))
            .chain(teams.iter().map(|j| forced(RecordKind::HiringTeam, j)))
            .collect();
        self.put_tombstones(&tombs, now).await?;
        Ok(tombs.len() as u64)
    }
}
