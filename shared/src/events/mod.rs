//! Events for the ATS: one per fact the integration stored (a candidate imported, an InMail, a
//! contract that expired, a record LinkedIn refused...), published on EventBridge and kept in a
//! change feed the ATS can page through. docs/events.md documents every event with its schema.
//!
//! Events are derived from the table's stream ([`changes`]), never written by the functions that
//! make the change: an event exists if and only if its change was stored, whatever crashed in
//! between, and storing a change costs nothing more. An event is thin: ids, kinds, times and
//! reasons, never a name, an e-mail, a phone number or a message's text (the ATS reads those
//! through the admin API).

pub mod bus;
pub mod changes;
pub mod publisher;

use serde::{Deserialize, Serialize};

use crate::domain::{ContractStatus, Direction, ErrorOrigin, RecordKind, SkipReason, StatusCause};

/// The version of every event's payload; raised when a field changes meaning or goes away
/// (adding a field does not raise it).
pub const SCHEMA_VERSION: u32 = 1;

/// The EventBridge `source` of every event.
pub const SOURCE: &str = "linkedin-recruiter-integration";

/// One fact, as the ATS receives it on EventBridge (the `detail`) and in the change feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Stable across deliveries of the same event: a consumer that remembers the ids it has
    /// seen handles each event exactly once.
    pub event_id: String,
    pub schema_version: u32,
    pub tenant_id: String,
    /// When the change was stored (RFC 3339, UTC, milliseconds).
    pub occurred_at: String,
    #[serde(flatten)]
    pub fact: Fact,
}

/// What happened. The variant's name is the event's `type` and its EventBridge `detail-type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Fact {
    /// An export brought a member the ATS did not have.
    CandidateImported { candidate_id: String },
    /// A candidate is gone: deleted in the ATS, forgotten on request, or purged after LinkedIn
    /// closed the profile.
    CandidateDeleted { candidate_id: String },
    /// An export put a candidate on a job.
    ApplicationCreated {
        candidate_id: String,
        application_id: String,
        job_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contract_id: Option<String>,
        /// The seat that exported the profile (`urn:li:seat:N`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exported_by: Option<String>,
    },
    /// An export was not imported, and why.
    ExportSkipped {
        request_id: String,
        reason: SkipReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contract_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        job_id: Option<String>,
    },
    /// An export by a seat not linked to an ATS user waits as a lead; it is imported when an
    /// admin links the seat.
    ExportAwaitingSeat {
        request_id: String,
        contract_id: String,
        job_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exported_by: Option<String>,
    },
    /// LinkedIn would not give an export out while the contract or integration was inactive; it
    /// is fetched again once a contract is active.
    ExportHeld { request_id: String },
    InMailImported {
        candidate_id: String,
        activity_id: String,
        contract_id: String,
        /// The seat whose mailbox it was read from.
        seat: String,
        direction: Direction,
        /// Absent while the candidate has no application to put it on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        application_id: Option<String>,
    },
    /// A Recruiter (prospect) note.
    NoteImported {
        candidate_id: String,
        activity_id: String,
        contract_id: String,
        seat: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        application_id: Option<String>,
    },
    /// A Recruiter note edited at LinkedIn.
    NoteUpdated {
        candidate_id: String,
        activity_id: String,
        contract_id: String,
        seat: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        application_id: Option<String>,
    },
    /// A Recruiter note deleted at LinkedIn (or with its candidate).
    NoteDeleted {
        candidate_id: String,
        activity_id: String,
    },
    /// An InMail or note imported before its candidate had an application is now on one.
    ActivityAttached {
        candidate_id: String,
        activity_id: String,
        application_id: String,
        activity: ActivityType,
    },
    /// A member shared contact details after replying to an InMail: how many of each, never
    /// the details themselves.
    ContactInfoShared {
        candidate_id: String,
        share_id: String,
        contract_id: String,
        seat: String,
        emails: usize,
        phones: usize,
    },
    ContractStatusChanged {
        contract_id: String,
        /// The contract's own event number (1, 2, ...), as `GET .../contracts/{c}/events` lists it.
        seq: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<ContractStatus>,
        to: ContractStatus,
        cause: StatusCause,
    },
    SeatLinked {
        contract_id: String,
        seat_id: String,
        user_id: String,
    },
    SeatUnlinked {
        contract_id: String,
        seat_id: String,
        user_id: String,
    },
    /// A linked seat's history (leads and InMails from before the link) is imported.
    BackfillCompleted {
        contract_id: String,
        seat_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_id: Option<String>,
    },
    BackfillFailed {
        contract_id: String,
        seat_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user_id: Option<String>,
    },
    /// A record of the ATS could not go to LinkedIn (`GET /tenants/{t}/sync/errors` says why).
    SyncRecordRejected {
        record_kind: RecordKind,
        record_id: String,
        origin: ErrorOrigin,
    },
    /// A record that was rejected has since reached LinkedIn (or was deleted).
    SyncErrorCleared {
        record_kind: RecordKind,
        record_id: String,
    },
    /// LinkedIn reported the member's profile closed; the candidate is flagged for deletion.
    ProfileClosed { candidate_id: String },
}

/// Which kind of activity an [`Fact::ActivityAttached`] moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActivityType {
    InMail,
    Note,
}

impl Event {
    /// The EventBridge `detail-type`: the fact's name.
    pub fn detail_type(&self) -> &'static str {
        self.fact.name()
    }
}

impl Fact {
    /// Every event type, in the order docs/events.md lists them.
    pub const NAMES: [&'static str; 20] = [
        "CandidateImported",
        "CandidateDeleted",
        "ApplicationCreated",
        "ExportSkipped",
        "ExportAwaitingSeat",
        "ExportHeld",
        "InMailImported",
        "NoteImported",
        "NoteUpdated",
        "NoteDeleted",
        "ActivityAttached",
        "ContactInfoShared",
        "ContractStatusChanged",
        "SeatLinked",
        "SeatUnlinked",
        "BackfillCompleted",
        "BackfillFailed",
        "SyncRecordRejected",
        "SyncErrorCleared",
        "ProfileClosed",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Fact::CandidateImported { .. } => "CandidateImported",
            Fact::CandidateDeleted { .. } => "CandidateDeleted",
            Fact::ApplicationCreated { .. } => "ApplicationCreated",
            Fact::ExportSkipped { .. } => "ExportSkipped",
            Fact::ExportAwaitingSeat { .. } => "ExportAwaitingSeat",
            Fact::ExportHeld { .. } => "ExportHeld",
            Fact::InMailImported { .. } => "InMailImported",
            Fact::NoteImported { .. } => "NoteImported",
            Fact::NoteUpdated { .. } => "NoteUpdated",
            Fact::NoteDeleted { .. } => "NoteDeleted",
            Fact::ActivityAttached { .. } => "ActivityAttached",
            Fact::ContactInfoShared { .. } => "ContactInfoShared",
            Fact::ContractStatusChanged { .. } => "ContractStatusChanged",
            Fact::SeatLinked { .. } => "SeatLinked",
            Fact::SeatUnlinked { .. } => "SeatUnlinked",
            Fact::BackfillCompleted { .. } => "BackfillCompleted",
            Fact::BackfillFailed { .. } => "BackfillFailed",
            Fact::SyncRecordRejected { .. } => "SyncRecordRejected",
            Fact::SyncErrorCleared { .. } => "SyncErrorCleared",
            Fact::ProfileClosed { .. } => "ProfileClosed",
        }
    }
}
