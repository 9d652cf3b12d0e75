//! The ATS team's notes, interview feedback and hiring teams: each stored with its outbox
//! attributes in one write (as every ATS record, see `outbound.rs`), and read back consistently
//! to be sent.

use super::Store;
use super::item::{built, key_item, to_attr, to_item, upsert};
use super::outbound::into_outbox;
use crate::domain::{Changed, HiringTeam, InterviewFeedback, Note, Pending, RecordKind};
use crate::error::Result;
use crate::keys::{self, Key};
use aws_sdk_dynamodb::types::Update;

impl Store {
    /// Stores a note (its first `createdAt` kept) and puts it in the outbox.
    pub async fn save_note(&self, note: &Note, now: i64) -> Result<()> {
        let t = &note.tenant_id;
        let mut update = upsert(&self.table, note_key(note), to_item(note)?, &["createdAt"])?;
        into_outbox(&mut update, t, &note_change(note), now);
        self.send_update(update).await.map(|_| ())
    }

    pub async fn get_note(
        &self,
        tenant: &str,
        candidate_id: &str,
        application_id: Option<&str>,
        note_id: &str,
    ) -> Result<Option<Note>> {
        self.get(keys::note(tenant, candidate_id, application_id, note_id))
            .await
    }

    /// Stores interview feedback (its first `createdAt` kept) and puts it in the outbox.
    pub async fn save_interview_feedback(&self, f: &InterviewFeedback, now: i64) -> Result<()> {
        let t = &f.tenant_id;
        let mut update = upsert(&self.table, feedback_key(f), to_item(f)?, &["createdAt"])?;
        into_outbox(&mut update, t, &feedback_change(f), now);
        self.send_update(update).await.map(|_| ())
    }

    pub async fn get_interview_feedback(
        &self,
        tenant: &str,
        candidate_id: &str,
        application_id: &str,
        feedback_id: &str,
    ) -> Result<Option<InterviewFeedback>> {
        self.get(keys::interview_feedback(
            tenant,
            candidate_id,
            application_id,
            feedback_id,
        ))
        .await
    }

    /// Stores a job's hiring team and puts it in the outbox. The members LinkedIn holds
    /// (`sentMembers`) are kept: only a send changes them.
    pub async fn save_hiring_team(&self, team: &HiringTeam, now: i64) -> Result<()> {
        let t = &team.tenant_id;
        let mut item = to_item(team)?;
        item.remove("sentMembers");
        let mut update = upsert(&self.table, keys::hiring_team(t, &team.job_id), item, &[])?;
        into_outbox(&mut update, t, &Changed::hiring_team(&team.job_id), now);
        self.send_update(update).await.map(|_| ())
    }

    pub async fn get_hiring_team(&self, tenant: &str, job_id: &str) -> Result<Option<HiringTeam>> {
        self.get(keys::hiring_team(tenant, job_id)).await
    }

    /// Records which members LinkedIn now holds for a job's hiring team, whatever changed
    /// meanwhile (it is LinkedIn's state, not the ATS's).
    pub async fn record_team_sent(
        &self,
        tenant: &str,
        job_id: &str,
        members: &[String],
    ) -> Result<()> {
        let update = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key_item(&keys::hiring_team(tenant, job_id))))
                .update_expression("SET sentMembers = :m")
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_values(":m", to_attr(&members)?)
                .build(),
        )?;
        self.send_update(update).await.map(|_| ())
    }

    // ---- reading records to send (consistently) -------------------------------------------------

    /// The notes these outbox entries name (those that still exist).
    pub async fn notes_to_send(&self, tenant: &str, pending: &[Pending]) -> Result<Vec<Note>> {
        self.read_consistent(children_keys(tenant, pending)).await
    }

    /// The interview feedback these outbox entries name (those that still exist).
    pub async fn interview_feedback_to_send(
        &self,
        tenant: &str,
        pending: &[Pending],
    ) -> Result<Vec<InterviewFeedback>> {
        self.read_consistent(children_keys(tenant, pending)).await
    }

    pub async fn hiring_teams_to_send<'a>(
        &self,
        tenant: &str,
        job_ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<HiringTeam>> {
        let wanted = job_ids.into_iter().map(|j| keys::hiring_team(tenant, j));
        self.read_consistent(wanted.collect()).await
    }

    /// Every hiring team of the tenant's jobs (for a clean-up).
    pub async fn all_hiring_teams(&self, tenant: &str) -> Result<Vec<HiringTeam>> {
        let p = super::query::Partition::table(keys::tenant(tenant).pk)
            .prefix(keys::HIRING_TEAM_PREFIX);
        self.query_all_as(&p).await
    }
}

pub(super) fn note_key(note: &Note) -> Key {
    keys::note(
        &note.tenant_id,
        &note.candidate_id,
        note.application_id.as_deref(),
        &note.note_id,
    )
}

pub(super) fn feedback_key(f: &InterviewFeedback) -> Key {
    keys::interview_feedback(
        &f.tenant_id,
        &f.candidate_id,
        &f.application_id,
        &f.feedback_id,
    )
}

fn note_change(note: &Note) -> Changed {
    let (kind, record_id) = note.outbox_entry();
    Changed::child(kind, record_id, &note.candidate_id)
}

fn feedback_change(f: &InterviewFeedback) -> Changed {
    Changed::child(
        RecordKind::InterviewFeedback,
        f.outbox_record_id(),
        &f.candidate_id,
    )
}

fn children_keys(tenant: &str, pending: &[Pending]) -> Vec<Key> {
    pending
        .iter()
        .filter_map(|p| child_key(tenant, p.kind, &p.record_id, p.candidate_id.as_deref()?))
        .collect()
}

/// The table key of a note or feedback from its outbox entry (kind, record id, candidate).
pub(super) fn child_key(
    tenant: &str,
    kind: RecordKind,
    record_id: &str,
    candidate_id: &str,
) -> Option<Key> {
    let (parent, id) = record_id.split_once('#')?;
    match kind {
        RecordKind::CandidateNote => Some(keys::note(tenant, candidate_id, None, id)),
        RecordKind::ApplicationNote => Some(keys::note(tenant, candidate_id, Some(parent), id)),
        RecordKind::InterviewFeedback => {
            Some(keys::interview_feedback(tenant, candidate_id, parent, id))
        }
        _ => None,
    }
}

impl Store {
    /// The ATS users of these ids that exist, by id.
    pub async fn users_by_id<'a>(
        &self,
        tenant: &str,
        user_ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<std::collections::HashMap<String, crate::domain::AtsUser>> {
        let distinct: std::collections::BTreeSet<&str> = user_ids.into_iter().collect();
        let wanted = distinct
            .into_iter()
            .map(|u| keys::user(tenant, u))
            .collect();
        let users: Vec<crate::domain::AtsUser> = self.read_consistent(wanted).await?;
        Ok(users.into_iter().map(|u| (u.user_id.clone(), u)).collect())
    }
}
