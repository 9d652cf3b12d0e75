//! The outbound sync's records: what changed and waits in the outbox for LinkedIn, the tenant's
//! sync state (lease, change counter, counts, full-sync progress) and why a record is not at
//! LinkedIn. How they fit together is told in `crate::outbound`.

use serde::{Deserialize, Serialize};

/// The kinds of record LinkedIn receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RecordKind {
    Job,
    Candidate,
    Application,
    /// The stages of one application (they share one request).
    Stages,
    /// One stage (only ever deleted on its own; it is sent with its application's stages).
    Stage,
    CandidateNote,
    ApplicationNote,
    InterviewFeedback,
    /// A job's hiring team: one entity ACL and its assignees.
    HiringTeam,
}

/// A place in the outbox: a kind of record, sent or deleted. Each has its own rank (the start
/// of its outbox sort keys), so one query reads one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OutboxSlot {
    pub kind: RecordKind,
    /// The record was deleted in the ATS (or, for a job, is closed by a clean-up): LinkedIn
    /// gets a DELETE.
    pub deleted: bool,
}

impl OutboxSlot {
    pub const fn put(kind: RecordKind) -> Self {
        Self {
            kind,
            deleted: false,
        }
    }
    pub const fn delete(kind: RecordKind) -> Self {
        Self {
            kind,
            deleted: true,
        }
    }

    /// Every slot in sending order: deletes first, children before their parents (a
    /// candidate's notes before the candidate), then records, parents before children (a job
    /// and a candidate before an application names them). A record deleted and then created
    /// again is therefore never deleted after its re-creation.
    pub const OUTBOX: [OutboxSlot; 15] = [
        OutboxSlot::delete(RecordKind::InterviewFeedback),
        OutboxSlot::delete(RecordKind::ApplicationNote),
        OutboxSlot::delete(RecordKind::CandidateNote),
        OutboxSlot::delete(RecordKind::Stage),
        OutboxSlot::delete(RecordKind::HiringTeam),
        OutboxSlot::delete(RecordKind::Application),
        OutboxSlot::delete(RecordKind::Candidate),
        OutboxSlot::delete(RecordKind::Job),
        OutboxSlot::put(RecordKind::Job),
        OutboxSlot::put(RecordKind::HiringTeam),
        OutboxSlot::put(RecordKind::Candidate),
        OutboxSlot::put(RecordKind::Application),
        OutboxSlot::put(RecordKind::CandidateNote),
        OutboxSlot::put(RecordKind::ApplicationNote),
        OutboxSlot::put(RecordKind::InterviewFeedback),
    ];

    /// The start of the slot's outbox sort keys (`<rank>#`).
    pub fn rank(self) -> u8 {
        let base = self.kind.rank();
        if self.deleted { 20 + base } else { base }
    }

    pub fn from_rank(rank: &str) -> Option<Self> {
        Self::OUTBOX
            .into_iter()
            .find(|s| s.rank().to_string() == rank)
    }
}

impl RecordKind {
    /// Position in the outbox's sort order.
    pub fn rank(self) -> u8 {
        match self {
            RecordKind::Job => 1,
            RecordKind::Candidate => 2,
            RecordKind::Application => 3,
            RecordKind::Stages | RecordKind::Stage => 4,
            RecordKind::HiringTeam => 5,
            RecordKind::CandidateNote => 6,
            RecordKind::ApplicationNote => 7,
            RecordKind::InterviewFeedback => 8,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Job => "job",
            RecordKind::Candidate => "candidate",
            RecordKind::Application => "application",
            RecordKind::Stages => "stages",
            RecordKind::Stage => "stage",
            RecordKind::CandidateNote => "candidateNote",
            RecordKind::ApplicationNote => "applicationNote",
            RecordKind::InterviewFeedback => "interviewFeedback",
            RecordKind::HiringTeam => "hiringTeam",
        }
    }

    /// The outbox record id of a candidate note: unique in the tenant.
    pub fn candidate_note_id(candidate_id: &str, note_id: &str) -> String {
        format!("{candidate_id}#{note_id}")
    }

    /// The outbox record id of an application's note, feedback or stage: unique in the tenant
    /// (application ids are).
    pub fn application_child_id(application_id: &str, id: &str) -> String {
        format!("{application_id}#{id}")
    }
}

/// A record to send to LinkedIn because it changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    /// `Job`, `Candidate` or `Application` (stages travel with their application).
    pub kind: RecordKind,
    pub record_id: String,
    /// For applications: the candidate whose partition holds the application.
    pub candidate_id: Option<String>,
    /// For applications: its stages changed too.
    pub stages: bool,
}

impl Changed {
    pub fn job(id: &str) -> Self {
        Self {
            kind: RecordKind::Job,
            record_id: id.to_owned(),
            candidate_id: None,
            stages: false,
        }
    }
    pub fn candidate(id: &str) -> Self {
        Self {
            kind: RecordKind::Candidate,
            record_id: id.to_owned(),
            candidate_id: None,
            stages: false,
        }
    }
    pub fn application(id: &str, candidate_id: &str) -> Self {
        Self {
            kind: RecordKind::Application,
            record_id: id.to_owned(),
            candidate_id: Some(candidate_id.to_owned()),
            stages: false,
        }
    }
    /// An application whose stages changed (the application record goes too).
    pub fn stages(application_id: &str, candidate_id: &str) -> Self {
        Self {
            stages: true,
            ..Self::application(application_id, candidate_id)
        }
    }
    /// A note or interview feedback (`kind` says which), by its outbox record id.
    pub fn child(kind: RecordKind, record_id: String, candidate_id: &str) -> Self {
        Self {
            kind,
            record_id,
            candidate_id: Some(candidate_id.to_owned()),
            stages: false,
        }
    }
    pub fn hiring_team(job_id: &str) -> Self {
        Self {
            kind: RecordKind::HiringTeam,
            record_id: job_id.to_owned(),
            candidate_id: None,
            stages: false,
        }
    }
}

/// An outbox entry: a changed record LinkedIn has not received yet, or a deleted one it still
/// holds (`deleted`: the entry is a [`Tombstone`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub kind: RecordKind,
    pub deleted: bool,
    pub record_id: String,
    pub candidate_id: Option<String>,
    /// Unique per change: the entry is removed only if the record still carries the revision
    /// that was sent.
    pub rev: String,
    /// For applications: send the stages too.
    pub stages: bool,
}

impl Pending {
    pub fn slot(&self) -> OutboxSlot {
        OutboxSlot {
            kind: self.kind,
            deleted: self.deleted,
        }
    }
}

/// What is left of a record deleted in the ATS (or one a clean-up removes from LinkedIn)
/// until LinkedIn has deleted it too: enough to name it at LinkedIn. It is an outbox entry of
/// a delete slot; a record created again before the delete was sent voids it (unless
/// `forced`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    pub tenant_id: String,
    pub kind: RecordKind,
    /// The outbox record id (see [`RecordKind::application_child_id`]).
    pub record_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// The note, feedback, stage or job id (the candidate or application id for those).
    pub item_id: String,
    /// For an application: its stages, deleted at LinkedIn before it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stage_ids: Vec<String>,
    /// A clean-up's: sent even though the record still exists in the ATS.
    #[serde(default)]
    pub forced: bool,
    pub deleted_at: i64,
}

impl Tombstone {
    pub fn new(
        tenant_id: &str,
        kind: RecordKind,
        record_id: String,
        item_id: &str,
        now: i64,
    ) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            kind,
            record_id,
            candidate_id: None,
            application_id: None,
            item_id: item_id.to_owned(),
            stage_ids: Vec::new(),
            forced: false,
            deleted_at: now,
        }
    }
}

/// How many records of each kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KindCounts {
    #[serde(default)]
    pub jobs: u64,
    #[serde(default)]
    pub candidates: u64,
    #[serde(default)]
    pub applications: u64,
    #[serde(default)]
    pub stages: u64,
    #[serde(default)]
    pub notes: u64,
    #[serde(default)]
    pub interview_feedback: u64,
    #[serde(default)]
    pub hiring_teams: u64,
    /// Records LinkedIn deleted (or a clean-up closed: jobs), of every kind.
    #[serde(default)]
    pub deleted: u64,
}

impl KindCounts {
    pub fn add(&mut self, kind: RecordKind, n: u64) {
        match kind {
            RecordKind::Job => self.jobs += n,
            RecordKind::Candidate => self.candidates += n,
            RecordKind::Application => self.applications += n,
            RecordKind::Stages | RecordKind::Stage => self.stages += n,
            RecordKind::CandidateNote | RecordKind::ApplicationNote => self.notes += n,
            RecordKind::InterviewFeedback => self.interview_feedback += n,
            RecordKind::HiringTeam => self.hiring_teams += n,
        }
    }

    pub fn add_slot(&mut self, slot: OutboxSlot, n: u64) {
        if slot.deleted {
            self.deleted += n;
        } else {
            self.add(slot.kind, n);
        }
    }

    pub fn total(&self) -> u64 {
        self.jobs
            + self.candidates
            + self.applications
            + self.stages
            + self.notes
            + self.interview_feedback
            + self.hiring_teams
            + self.deleted
    }

    /// What `self` has more than `before` (counts only grow).
    pub fn since(&self, before: &KindCounts) -> KindCounts {
        KindCounts {
            jobs: self.jobs - before.jobs,
            candidates: self.candidates - before.candidates,
            applications: self.applications - before.applications,
            stages: self.stages - before.stages,
            notes: self.notes - before.notes,
            interview_feedback: self.interview_feedback - before.interview_feedback,
            hiring_teams: self.hiring_teams - before.hiring_teams,
            deleted: self.deleted - before.deleted,
        }
    }
}

/// The tenant's sync state, one item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncState {
    /// Moves with every accepted change.
    #[serde(default)]
    pub change_seq: u64,
    /// Records LinkedIn accepted, by kind (stages count one per stage). Kept as four numbers
    /// so one update can add to them.
    #[serde(default)]
    pub sent_jobs: u64,
    #[serde(default)]
    pub sent_candidates: u64,
    #[serde(default)]
    pub sent_applications: u64,
    #[serde(default)]
    pub sent_stages: u64,
    #[serde(default)]
    pub sent_notes: u64,
    #[serde(default)]
    pub sent_interview_feedback: u64,
    #[serde(default)]
    pub sent_hiring_teams: u64,
    #[serde(default)]
    pub sent_deleted: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sent_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_sync: Option<FullSync>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<Cleanup>,
    /// Set by a clean-up: from then on only deletes go to LinkedIn, and changes are kept here
    /// but not sent, until a full sync starts sending again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<i64>,
}

impl SyncState {
    pub fn sent(&self) -> KindCounts {
        KindCounts {
            jobs: self.sent_jobs,
            candidates: self.sent_candidates,
            applications: self.sent_applications,
            stages: self.sent_stages,
            notes: self.sent_notes,
            interview_feedback: self.sent_interview_feedback,
            hiring_teams: self.sent_hiring_teams,
            deleted: self.sent_deleted,
        }
    }
}

/// A clean-up at LinkedIn: everything the tenant synced is deleted there (jobs, which LinkedIn
/// cannot delete, are closed), one bounded chunk of tombstones per step, with progress here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cleanup {
    pub run_id: String,
    pub phase: CleanupPhase,
    pub started_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<i64>,
    /// Where the current phase continues (a listing page token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Deletes queued so far (every note, stage, application, candidate, hiring team and job).
    #[serde(default)]
    pub queued: u64,
    #[serde(default)]
    pub updated_at: i64,
}

impl Cleanup {
    /// A run without progress for this long (its step was lost) may be started again.
    pub const STALLED_AFTER_MS: i64 = 15 * 60_000;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CleanupPhase {
    /// Candidates with everything under them.
    Candidates,
    /// Jobs with their hiring teams.
    Jobs,
    /// Every delete is queued; the sync sends them.
    Queued,
}

/// A full sync: every job, candidate and application (with its stages) changed in the last two
/// years is marked for sending, a bounded chunk per step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FullSync {
    pub run_id: String,
    pub phase: FullSyncPhase,
    pub started_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<i64>,
    /// Records last changed before this are left out.
    pub since: i64,
    /// Where the current phase continues (a listing page token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Records marked for sending so far (stages go with their applications).
    #[serde(default)]
    pub queued: KindCounts,
    /// Last progress; a run without progress for [`FullSync::STALLED_AFTER_MS`] may be replaced.
    #[serde(default)]
    pub updated_at: i64,
}

impl FullSync {
    /// A run that made no progress for this long (its step was lost) may be replaced by a new one.
    pub const STALLED_AFTER_MS: i64 = 15 * 60_000;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FullSyncPhase {
    Jobs,
    /// Candidates, each with its applications and their stages.
    Candidates,
    Done,
}

/// Why a record is not at LinkedIn. Cleared when the record is next sent successfully.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncError {
    pub kind: RecordKind,
    pub record_id: String,
    pub message: String,
    pub origin: ErrorOrigin,
    pub at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorOrigin {
    /// Checked before sending: the record breaks one of LinkedIn's rules and was not sent.
    Validation,
    /// Sent, and LinkedIn refused it; the refusal is also on the dead-letter queue.
    LinkedIn,
}
