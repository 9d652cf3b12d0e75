//! The outbound sync's records: what changed and waits in the outbox for LinkedIn, the tenant's
//! sync state (lease, change counter, counts, full-sync progress) and why a record is not at
//! LinkedIn. How they fit together is told in `crate::outbound`.

use serde::{Deserialize, Serialize};

/// The kinds of record LinkedIn receives, in the order it needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RecordKind {
    Job,
    Candidate,
    Application,
    /// The stages of one application (they share one request).
    Stages,
}

impl RecordKind {
    /// The kinds the outbox holds, in sending order (stages go with their application).
    pub const OUTBOX: [RecordKind; 3] = [
        RecordKind::Job,
        RecordKind::Candidate,
        RecordKind::Application,
    ];

    pub fn from_rank(rank: &str) -> Option<Self> {
        Self::OUTBOX
            .into_iter()
            .find(|k| k.rank().to_string() == rank)
    }

    /// Position in the outbox's sort order.
    pub fn rank(self) -> u8 {
        match self {
            RecordKind::Job => 1,
            RecordKind::Candidate => 2,
            RecordKind::Application => 3,
            RecordKind::Stages => 4,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Job => "job",
            RecordKind::Candidate => "candidate",
            RecordKind::Application => "application",
            RecordKind::Stages => "stages",
        }
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
}

/// After a change: does ats-sync need a nudge?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// No run holds the tenant's lease: send a nudge.
    Needed,
    /// A run holds the lease and will see the change before it lets go.
    SyncRunning,
}

/// An outbox entry: a changed record LinkedIn has not received yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub kind: RecordKind,
    pub record_id: String,
    pub candidate_id: Option<String>,
    /// Unique per change: the entry is removed only if the record still carries the revision
    /// that was sent.
    pub rev: String,
    /// For applications: send the stages too.
    pub stages: bool,
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
}

impl KindCounts {
    pub fn add(&mut self, kind: RecordKind, n: u64) {
        match kind {
            RecordKind::Job => self.jobs += n,
            RecordKind::Candidate => self.candidates += n,
            RecordKind::Application => self.applications += n,
            RecordKind::Stages => self.stages += n,
        }
    }

    pub fn total(&self) -> u64 {
        self.jobs + self.candidates + self.applications + self.stages
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sent_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_sync: Option<FullSync>,
}

impl SyncState {
    pub fn sent(&self) -> KindCounts {
        KindCounts {
            jobs: self.sent_jobs,
            candidates: self.sent_candidates,
            applications: self.sent_applications,
            stages: self.sent_stages,
        }
    }
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
