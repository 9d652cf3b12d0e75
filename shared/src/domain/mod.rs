//! The ATS-side domain: what the integration stores and shows. These types are independent of
//! LinkedIn's wire format (see `linkedin::wire`) and of the table layout (see `store`), and they
//! are the ground floor: the store keeps them and every service works with them, so nothing
//! here depends on either.

mod activity;
mod candidate;
mod contract;
mod export;
mod job;
mod notes;
mod onboarding;
mod seat;
mod streams;
mod sync;
mod tenant;

pub use activity::{
    Activity, ActivityDetail, ContactInfo, ContactShare, Direction, Phone, UnprocessedActivity,
};
pub use candidate::{Application, AtsPhone, Candidate, PhoneKind, PurgedCandidate, Source, Stage};
pub use contract::{
    ChangeOrder, Contract, ContractEvent, ContractStatus, ImportCounts, LinkedInChanges,
    StatusCause,
};
pub use export::{ExportRecord, ExportStatus, ExportedProfile, ProfileExport, SkipReason};
pub use job::{Job, JobState};
pub use notes::{Evaluation, HiringTeam, InterviewFeedback, Note, NoteOwner};
pub use onboarding::{Onboarding, OnboardingStep, StepState, StepStatus};
pub use seat::{Backfill, BackfillState, STALE_AFTER_MS, Seat};
pub use streams::{
    ActivityCursors, ActivityStream, BackfillCursors, CursorMove, CursorSet, MAX_WINDOW_MS,
};
pub use sync::{
    Changed, Cleanup, CleanupPhase, ErrorOrigin, FullSync, FullSyncPhase, KindCounts, OutboxSlot,
    Pending, RecordKind, SyncError, SyncState, Tombstone,
};
pub use tenant::{AtsUser, DeadLetter, JobAvailability, Tenant};
