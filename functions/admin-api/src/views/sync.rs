//! The outbound sync to LinkedIn, as the API shows it.

use serde::Serialize;
use shared::clock::to_rfc3339;
use shared::outbound::{
    Cleanup, CleanupPhase, ErrorOrigin, FullSync, FullSyncPhase, KindCounts, RecordKind, SyncError,
};

/// The tenant's outbound sync: what waits, what was sent, the full sync's progress.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncView {
    /// `active`, or `paused` while no contract is active (changes are kept and sent later).
    pub state: &'static str,
    /// Records changed and not yet at LinkedIn.
    pub pending: u64,
    /// Records LinkedIn accepted (stages count one each), and records it deleted.
    pub sent: KindCounts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_sent_at: Option<String>,
    /// Records that are not at LinkedIn because of a problem (see `/sync/errors`).
    pub errors: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_sync: Option<FullSyncView>,
    /// The latest clean-up at LinkedIn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cleanup: Option<CleanupView>,
    /// A clean-up stopped the sync: only deletes go to LinkedIn until a full sync starts
    /// sending again.
    pub stopped: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FullSyncView {
    pub run_id: String,
    /// `jobs`, `candidates` (with their applications and stages) or `done`.
    pub phase: FullSyncPhase,
    pub started_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Records changed since then are included.
    pub since: String,
    /// Records queued for sending so far.
    pub queued: KindCounts,
}

impl From<&FullSync> for FullSyncView {
    fn from(f: &FullSync) -> Self {
        Self {
            run_id: f.run_id.clone(),
            phase: f.phase,
            started_at: to_rfc3339(f.started_at),
            finished_at: f.finished_at.map(to_rfc3339),
            since: to_rfc3339(f.since),
            queued: f.queued,
        }
    }
}

/// A clean-up at LinkedIn: everything the tenant sent there is deleted (jobs are closed).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CleanupView {
    pub run_id: String,
    /// `candidates` (with everything under them), `jobs` (with their hiring teams), then
    /// `queued`: every delete is queued and the sync sends them.
    pub phase: CleanupPhase,
    /// Deletes queued so far.
    pub queued: u64,
    pub started_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}

impl From<&Cleanup> for CleanupView {
    fn from(c: &Cleanup) -> Self {
        Self {
            run_id: c.run_id.clone(),
            phase: c.phase,
            queued: c.queued,
            started_at: to_rfc3339(c.started_at),
            finished_at: c.finished_at.map(to_rfc3339),
        }
    }
}

/// What forgetting a member deleted here.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForgetView {
    /// The candidates imported from LinkedIn for the member that were deleted.
    pub candidates: Vec<String>,
    /// Items deleted with them (InMails, notes, contact details, applications...).
    pub deleted_items: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncErrorView {
    pub kind: RecordKind,
    pub record_id: String,
    /// `validation`: the record breaks a LinkedIn rule and was not sent; `linkedIn`: LinkedIn
    /// refused it (it is also on the dead-letter queue).
    pub origin: ErrorOrigin,
    pub message: String,
    pub at: String,
}

impl From<&SyncError> for SyncErrorView {
    fn from(e: &SyncError) -> Self {
        Self {
            kind: e.kind,
            record_id: e.record_id.clone(),
            origin: e.origin,
            message: e.message.clone(),
            at: to_rfc3339(e.at),
        }
    }
}
