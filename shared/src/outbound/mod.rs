//! Outbound sync: keeping LinkedIn's copy of the ATS's jobs, candidates, applications and
//! stages current (docs/outbound-sync.md).
//!
//! Every accepted change writes its record with outbox attributes on it (`syncPk`, `syncSk` and
//! a revision), which put the record in the sparse `outbox` index: one write, no transaction. A
//! second change to a record rewrites the same attributes, which is the coalescing. The writer
//! then sends a nudge on the ats-changes queue. `ats-sync` answers each batch's nudges for a
//! tenant once: it moves the tenant's change counter and, unless a run holds the tenant's sync
//! lease, takes it ([`claim`]). The run sends every record of the outbox in its *current* state,
//! at once when LinkedIn was idle and otherwise gathered for a moment, in LinkedIn batches of at
//! most 100, jobs before candidates before applications (each with its stages when they
//! changed). A record leaves the outbox only if its revision is still the one that was sent.
//! The lease is released only if the change counter did not move since the outbox was last seen
//! empty, so a nudge that found the lease held never strands a change.

mod annotations;
pub mod cleanup;
mod deletes;
pub mod full;
pub mod records;
mod run;

pub use run::{OutboundSync, RunOutcome, claim, let_go};

// The records the sync keeps are domain types, so that the store can keep them.
pub use crate::domain::{
    Changed, Cleanup, CleanupPhase, ErrorOrigin, FullSync, FullSyncPhase, KindCounts, OutboxSlot,
    Pending, RecordKind, SyncError, SyncState, Tombstone,
};
