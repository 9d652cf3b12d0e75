//! The ATS-side domain: what the integration stores and shows. These types are independent of
//! LinkedIn's wire format (see `linkedin::wire`) and of the table layout (see `store`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// An ATS customer. Its LinkedIn client secret lives in Secrets Manager, never here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: String,
    pub name: String,
    /// `urn:li:organization:N`, the context of the organization-level integrations.
    pub organization: String,
    /// The customer's LinkedIn child application id (public; the secret is not stored here).
    pub client_id: String,
    /// Opt-in: the daily compliance review deletes the LinkedIn-sourced data of candidates whose
    /// profiles LinkedIn reports closed (otherwise they are only flagged).
    #[serde(default)]
    pub delete_purged_data: bool,
    /// Where the tenant's jobs are posted when a job does not say (LinkedIn's certification
    /// rule RSC-102: private to the integration when the customer has no choice).
    #[serde(default)]
    pub job_availability: JobAvailability,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Who sees a job LinkedIn receives: everyone on LinkedIn, or only the customer's Recruiter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobAvailability {
    Public,
    #[default]
    PrivateToAtsIntegration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractStatus {
    Active,
    Expired,
    Disabled,
}

/// Who or what set a contract's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusCause {
    /// An administrator connected, updated or disconnected it.
    Admin,
    /// Its `expiresAt` passed (or moved into the future again).
    ExpiryDate,
    /// LinkedIn said so: a 403 answer or an integration status change.
    LinkedIn,
}

/// One status transition of a contract: the audit trail the API lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractEvent {
    pub tenant_id: String,
    pub contract_id: String,
    /// 1 for the first event of the contract, then 2, 3…
    pub seq: u64,
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<ContractStatus>,
    pub to: ContractStatus,
    pub cause: StatusCause,
    pub reason: String,
}

/// A message of a tenant that could never succeed and went to a dead-letter queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    pub message_id: String,
    /// The queue it came from (its URL's last segment).
    pub source: String,
    pub reason: String,
    pub at: i64,
}

/// How many records were imported under a contract. Exports count exactly (with the import's
/// transaction); activity counts per poll, so a poll re-read after a crash may count twice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportCounts {
    pub exports: u64,
    pub inmails: u64,
    pub notes: u64,
    pub contact_shares: u64,
}

/// A LinkedIn Recruiter contract the customer connected (`urn:li:contract:N`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub tenant_id: String,
    /// N of `urn:li:contract:N`.
    pub contract_id: String,
    pub status: ContractStatus,
    /// What set the current status (absent on contracts stored before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_cause: Option<StatusCause>,
    /// How many status events the audit trail holds; the next one is numbered after it.
    #[serde(default)]
    pub events: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    pub connected_at: i64,
    pub updated_at: i64,
    /// The status changes LinkedIn reported that were applied, so that none is applied twice
    /// and none older than the latest (a replayed notification changes nothing).
    #[serde(default, skip_serializing_if = "LinkedInChanges::is_empty")]
    pub linkedin_changes: LinkedInChanges,
}

/// The `INTEGRATION_STATUS_CHANGE`s applied to a contract.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedInChanges {
    /// When the newest applied change happened (the notification's `occurredAt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_at: Option<i64>,
    /// LinkedIn's request ids of the latest applied changes, oldest first (at most
    /// [`LinkedInChanges::KEPT`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_ids: Vec<String>,
}

/// Whether a status change LinkedIn reported may be applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeOrder {
    New,
    /// Its request was applied already.
    Repeated,
    /// It happened before the latest change applied.
    Stale,
}

impl LinkedInChanges {
    /// Request ids remembered per contract; older ones are also refused by their time.
    pub const KEPT: usize = 20;

    pub fn is_empty(&self) -> bool {
        self.latest_at.is_none() && self.request_ids.is_empty()
    }

    pub fn order(&self, request_id: &str, occurred_at: Option<i64>) -> ChangeOrder {
        if self.request_ids.iter().any(|r| r == request_id) {
            ChangeOrder::Repeated
        } else if occurred_at
            .zip(self.latest_at)
            .is_some_and(|(at, latest)| at <= latest)
        {
            ChangeOrder::Stale
        } else {
            ChangeOrder::New
        }
    }

    /// These changes after applying one more.
    pub fn with(&self, request_id: &str, occurred_at: Option<i64>) -> Self {
        let mut request_ids = self.request_ids.clone();
        request_ids.push(request_id.to_owned());
        if request_ids.len() > Self::KEPT {
            request_ids.drain(..request_ids.len() - Self::KEPT);
        }
        Self {
            latest_at: self.latest_at.max(occurred_at),
            request_ids,
        }
    }
}

impl Contract {
    pub fn urn(&self) -> String {
        format!("urn:li:contract:{}", self.contract_id)
    }

    /// Whether work may be done under this contract at `now`: it is Active and not past its
    /// expiry date (the hourly job records the transition; this check does not wait for it).
    pub fn is_active_at(&self, now_ms: i64) -> bool {
        self.status == ContractStatus::Active && self.expires_at.is_none_or(|e| e > now_ms)
    }
}

/// A Recruiter seat of a contract (`urn:li:seat:N`) and, once an admin links it, the ATS user who
/// holds it. Only linked seats are polled for activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seat {
    pub tenant_id: String,
    pub contract_id: String,
    /// N of `urn:li:seat:N`.
    pub seat_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The holder's name as LinkedIn lists it (the customer's own recruiter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    /// The ATS user this seat is linked to; `None` while unlinked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// When LinkedIn last listed the seat for its contract; only a listed seat can be linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_at: Option<i64>,
    /// Where each activity stream's next read starts (epoch ms, inclusive).
    #[serde(flatten)]
    pub cursors: ActivityCursors,
    /// The time up to which the last complete, error-free poll read (its start time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_polled_at: Option<i64>,
    /// Where each stream's history back-fill has read to (epoch ms, exclusive).
    #[serde(flatten)]
    pub backfill_cursors: BackfillCursors,
    /// The history back-fill started when the seat was first linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfill: Option<Backfill>,
    /// Records imported per hour (epoch hour → count), the last 24 hours only.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub imported_by_hour: std::collections::BTreeMap<String, u64>,
    pub updated_at: i64,
}

/// A linked seat of an active contract is stale when it has not completed a poll for longer than
/// two activity intervals (2 × 30 minutes).
pub const STALE_AFTER_MS: i64 = 60 * 60_000;

impl Seat {
    /// Linked, its contract active, and no complete poll (or link) for `STALE_AFTER_MS`.
    pub fn is_stale(&self, contract_active: bool, now_ms: i64) -> bool {
        let since = self.last_polled_at.or(self.linked_at).unwrap_or(now_ms);
        self.user_id.is_some() && contract_active && now_ms - since > STALE_AFTER_MS
    }

    pub fn urn(&self) -> String {
        format!("urn:li:seat:{}", self.seat_id)
    }

    /// A seat known only by its id (no item stored for it).
    pub fn unlisted(tenant_id: &str, contract_id: &str, seat_id: &str) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            contract_id: contract_id.to_owned(),
            seat_id: seat_id.to_owned(),
            member: None,
            state: None,
            holder_name: None,
            user_id: None,
            listed_at: None,
            linked_at: None,
            cursors: ActivityCursors::default(),
            last_polled_at: None,
            backfill_cursors: BackfillCursors::default(),
            backfill: None,
            imported_by_hour: std::collections::BTreeMap::new(),
            updated_at: 0,
        }
    }

    /// How much of the back-fill's range its streams have read, 0 to 100 (100 once done). The
    /// streams are read one after another, oldest first, so this is the share of stream-days
    /// read; a stream without a cursor has read nothing yet.
    pub fn backfill_percent(&self) -> Option<u8> {
        let b = self.backfill.as_ref()?;
        if b.state == BackfillState::Done {
            return Some(100);
        }
        let span = (b.to - b.from).max(1) as i128;
        let c = &self.backfill_cursors;
        let read: i128 = [c.inmails, c.notes, c.stubs]
            .into_iter()
            .map(|cursor| (cursor.unwrap_or(b.from).clamp(b.from, b.to) - b.from) as i128)
            .sum();
        Some((read * 100 / (3 * span)).min(99) as u8)
    }

    /// Records imported in the 24 hours before `now`.
    pub fn imported_last_24h(&self, now_ms: i64) -> u64 {
        let this_hour = now_ms.div_euclid(3_600_000);
        self.imported_by_hour
            .iter()
            .filter(|(h, _)| {
                h.parse::<i64>()
                    .is_ok_and(|h| h > this_hour - 24 && h <= this_hour)
            })
            .map(|(_, n)| n)
            .sum()
    }

    /// The hourly counts after adding `n` records at `now`, dropping hours older than a day.
    pub fn imported_by_hour_with(
        &self,
        n: u64,
        now_ms: i64,
    ) -> std::collections::BTreeMap<String, u64> {
        let this_hour = now_ms.div_euclid(3_600_000);
        let mut hours: std::collections::BTreeMap<String, u64> = self
            .imported_by_hour
            .iter()
            .filter(|(h, _)| h.parse::<i64>().is_ok_and(|h| h > this_hour - 24))
            .map(|(h, c)| (h.clone(), *c))
            .collect();
        if n > 0 {
            *hours.entry(this_hour.to_string()).or_default() += n;
        }
        hours
    }
}

/// Read positions of a seat's three activity streams. `None` means "from the link time".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityCursors {
    #[serde(
        rename = "cursorInmails",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inmails: Option<i64>,
    #[serde(
        rename = "cursorNotes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub notes: Option<i64>,
    #[serde(
        rename = "cursorStubs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub stubs: Option<i64>,
}

/// Back-fill read positions, as `ActivityCursors` but stored apart from the live ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackfillCursors {
    #[serde(
        rename = "backfillInmails",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inmails: Option<i64>,
    #[serde(
        rename = "backfillNotes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub notes: Option<i64>,
    #[serde(
        rename = "backfillStubs",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub stubs: Option<i64>,
}

impl BackfillCursors {
    pub fn as_cursors(&self) -> ActivityCursors {
        ActivityCursors {
            inmails: self.inmails,
            notes: self.notes,
            stubs: self.stubs,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackfillState {
    Queued,
    Running,
    Done,
    Failed,
}

/// A seat's history back-fill: `[from, to)`, where `to` is the link time (live polling starts
/// there) and `from` the back-fill horizon before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backfill {
    pub state: BackfillState,
    pub from: i64,
    pub to: i64,
    /// Invocations that worked on it so far.
    #[serde(default)]
    pub steps: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub updated_at: i64,
}

impl Backfill {
    /// The back-fill a seat's first link starts: `horizon_days` of history up to the link time,
    /// where live polling takes over.
    pub fn for_link(linked_at: i64, horizon_days: u64, now: i64) -> Self {
        Self {
            state: BackfillState::Queued,
            from: linked_at - (horizon_days as i64) * 86_400_000,
            to: linked_at,
            steps: 0,
            reason: None,
            updated_at: now,
        }
    }
}

impl Backfill {
    /// The most days of history a back-fill or re-import reads (the template's
    /// `BackfillHorizonDays` cannot be set higher): three years of one seat's three streams is
    /// 6,570 calls at least, within what re-imports may use of a day's LinkedIn calls.
    pub const MAX_HORIZON_DAYS: u64 = 1_095;

    /// `BACKFILL_HORIZON_DAYS`, checked against [`Backfill::MAX_HORIZON_DAYS`].
    pub fn horizon_from_env(env: &crate::config::Env) -> Result<u64, crate::config::ConfigError> {
        let days = env.number_or("BACKFILL_HORIZON_DAYS", 730)?;
        if days > Self::MAX_HORIZON_DAYS {
            return Err(crate::config::ConfigError::Invalid {
                name: "BACKFILL_HORIZON_DAYS".into(),
                problem: format!("at most {} days", Self::MAX_HORIZON_DAYS),
            });
        }
        Ok(days)
    }

    /// The fewest LinkedIn calls reading `from..to` again takes: one call per stream per window
    /// of at most `activity::MAX_WINDOW_MS` (more when a window has more than one page).
    pub fn least_calls(from: i64, to: i64) -> u64 {
        let span = (to - from).max(0) as u64;
        let windows = span.div_ceil(crate::activity::MAX_WINDOW_MS as u64).max(1);
        windows * ActivityStream::ALL.len() as u64
    }
}

/// Which read positions a run uses: live polling's or the history back-fill's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CursorSet {
    Live,
    Backfill,
}

/// The three activity streams LinkedIn serves per seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActivityStream {
    #[serde(rename = "inmails")]
    InMails,
    Notes,
    Stubs,
}

impl ActivityStream {
    pub const ALL: [ActivityStream; 3] = [
        ActivityStream::InMails,
        ActivityStream::Notes,
        ActivityStream::Stubs,
    ];

    /// The seat attribute holding this stream's cursor of `set`.
    pub fn field(self, set: CursorSet) -> &'static str {
        match (set, self) {
            (CursorSet::Live, s) => s.cursor_field(),
            (CursorSet::Backfill, ActivityStream::InMails) => "backfillInmails",
            (CursorSet::Backfill, ActivityStream::Notes) => "backfillNotes",
            (CursorSet::Backfill, ActivityStream::Stubs) => "backfillStubs",
        }
    }

    /// The seat attribute holding this stream's live cursor.
    pub fn cursor_field(self) -> &'static str {
        match self {
            ActivityStream::InMails => "cursorInmails",
            ActivityStream::Notes => "cursorNotes",
            ActivityStream::Stubs => "cursorStubs",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ActivityStream::InMails => "inmails",
            ActivityStream::Notes => "notes",
            ActivityStream::Stubs => "stubs",
        }
    }

    pub fn cursor(self, c: &ActivityCursors) -> Option<i64> {
        match self {
            ActivityStream::InMails => c.inmails,
            ActivityStream::Notes => c.notes,
            ActivityStream::Stubs => c.stubs,
        }
    }
}

/// A user of the ATS. Seat holders are matched to these and never created from LinkedIn data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AtsUser {
    pub tenant_id: String,
    pub user_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Direction {
    Sent,
    Received,
}

/// What happened: an InMail or a Recruiter note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ActivityDetail {
    #[serde(rename_all = "camelCase")]
    InMail {
        direction: Direction,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation: Option<String>,
        subject: String,
        body: String,
    },
    #[serde(rename_all = "camelCase")]
    Note { text: String, last_modified: i64 },
}

/// One InMail or note about a member, stored with the member's candidate. It is attached to an
/// application (`application_id`) or, while the member is not a candidate yet, pending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub tenant_id: String,
    /// LinkedIn's id of the InMail or note.
    pub activity_id: String,
    /// The candidate id the member has or will have (see `Candidate::id_for_member`).
    pub candidate_id: String,
    pub member: String,
    pub contract_id: String,
    /// The seat that sent, received or wrote it (`urn:li:seat:N`).
    pub seat: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// When it was sent or the note was created.
    pub at: i64,
    #[serde(flatten)]
    pub detail: ActivityDetail,
}

impl Activity {
    pub fn kind(&self) -> &'static str {
        match self.detail {
            ActivityDetail::InMail { .. } => "INMAIL",
            ActivityDetail::Note { .. } => "NOTE",
        }
    }
}

/// A phone number a member shared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

/// Contact details a member shared after replying to an InMail (a LinkedIn "stub profile").
/// Every share is kept; the candidate's contact info is derived from all of them, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactShare {
    pub tenant_id: String,
    pub share_id: String,
    pub candidate_id: String,
    pub member: String,
    pub contract_id: String,
    pub seat: String,
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
    pub shared_at: i64,
}

/// The contact info a candidate has: the newest share's email first, nothing ever dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactInfo {
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
}

impl ContactInfo {
    pub fn from_shares(shares: &[ContactShare]) -> Self {
        let mut sorted: Vec<&ContactShare> = shares.iter().collect();
        sorted.sort_by(|a, b| (b.shared_at, &b.share_id).cmp(&(a.shared_at, &a.share_id)));
        let mut info = ContactInfo::default();
        for share in sorted {
            for e in &share.emails {
                if !info.emails.iter().any(|x| x.eq_ignore_ascii_case(e)) {
                    info.emails.push(e.clone());
                }
            }
            for p in &share.phones {
                if !info
                    .phones
                    .iter()
                    .any(|x| x.number == p.number && x.extension == p.extension)
                {
                    info.phones.push(p.clone());
                }
            }
        }
        info
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum JobState {
    Open,
    Closed,
}

/// A candidate whose LinkedIn profile was closed (LinkedIn's `atsPurgedExportedCandidates`),
/// flagged for the customer's deletion review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PurgedCandidate {
    pub tenant_id: String,
    pub candidate_id: String,
    pub member: String,
    pub purged_at: i64,
    pub flagged_at: i64,
    /// When its LinkedIn-sourced data was deleted (only with the tenant's opt-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
}

/// A job of the ATS that recruiters can export profiles to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub tenant_id: String,
    pub job_id: String,
    pub title: String,
    pub description: String,
    pub location: String,
    pub state: JobState,
    /// LinkedIn's alternative to `location`: both or neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_apply_url: Option<String>,
    /// Overrides the tenant's [`Tenant::job_availability`] for this job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<JobAvailability>,
    /// When the job was first listed; the creation time when the ATS does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Where a candidate or application came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    LinkedIn,
    Ats,
}

/// The only profile fields an export may bring into the ATS (LinkedIn's rule: never email,
/// experience or education from an export). Anything else LinkedIn sends is dropped before a
/// value of this type exists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedProfile {
    pub member: String,
    pub first_name: String,
    pub last_name: String,
    pub location: Option<String>,
    pub current_company: Option<String>,
}

/// A profile a recruiter exported to an ATS job, as the import sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileExport {
    pub request_id: String,
    /// N of `urn:li:contract:N`.
    pub contract_id: String,
    /// Who exported: the seat (`urn:li:seat:N`) or, as LinkedIn documents its `requester`, the
    /// seat holder (`urn:li:person:X`), which the import resolves to the holder's seat.
    pub exporter: Option<String>,
    pub job_id: String,
    pub exported_at: i64,
    pub profile: ExportedProfile,
}

/// A person in the ATS. Unique per customer by LinkedIn member URN.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    pub tenant_id: String,
    pub candidate_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub first_name: String,
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_company: Option<String>,
    /// Fields only the ATS sets (an export never brings them). Empty values are not stored, so
    /// an export's upsert of the candidate item never clears them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<AtsPhone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub do_not_contact: bool,
    pub source: Source,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A phone number the ATS keeps for a candidate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AtsPhone {
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Kept for the ATS's own use; LinkedIn's phone has no type, so it is not sent.
    #[serde(rename = "type")]
    pub kind: PhoneKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PhoneKind {
    Mobile,
    Work,
    Home,
    Other,
}

impl Candidate {
    /// The candidate id a member gets in a tenant. Deriving it from the URN makes the import
    /// idempotent and race-free: two exports of one person can only ever name one candidate.
    pub fn id_for_member(member: &str) -> String {
        let digest = Sha256::digest(format!("member:{member}").as_bytes());
        format!("li-{}", hex::encode(&digest[..12]))
    }

    pub fn from_export(tenant_id: &str, profile: &ExportedProfile, now_ms: i64) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            candidate_id: Self::id_for_member(&profile.member),
            member: Some(profile.member.clone()),
            first_name: profile.first_name.clone(),
            last_name: profile.last_name.clone(),
            location: profile.location.clone(),
            current_company: profile.current_company.clone(),
            emails: Vec::new(),
            phones: Vec::new(),
            title: None,
            do_not_contact: false,
            source: Source::LinkedIn,
            created_at: now_ms,
            updated_at: now_ms,
        }
    }
}

/// A candidate's application to a job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub tenant_id: String,
    pub application_id: String,
    pub candidate_id: String,
    pub job_id: String,
    pub source: Source,
    /// N of the contract the export was made under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// The seat that exported the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_by: Option<String>,
    /// Where the ATS says the application came from, in its words ("Referral", "Career site").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition_reason: Option<String>,
    /// The application's stages, oldest first; each is sent to LinkedIn once it is posted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    pub created_at: i64,
    /// Last change by the ATS; an export-created application has none until the ATS changes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
}

/// A step of an application's pipeline ("Phone screen", "Rejected", "Hired"), as the ATS names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    /// `<at ms>-<8 hex of the stage's SHA-256>`: posting the same stage twice names one stage.
    pub stage_id: String,
    pub stage: String,
    pub at: i64,
}

impl Stage {
    pub fn new(stage: &str, at: i64) -> Self {
        let digest = Sha256::digest(stage.as_bytes());
        Self {
            stage_id: format!("{at}-{}", hex::encode(&digest[..4])),
            stage: stage.to_owned(),
            at,
        }
    }
}

impl Application {
    /// One application per candidate and job: exporting the same person to the same job again
    /// names the same application.
    pub fn id_for(candidate_id: &str, job_id: &str) -> String {
        let digest = Sha256::digest(format!("application:{candidate_id}:{job_id}").as_bytes());
        format!("li-{}", hex::encode(&digest[..12]))
    }

    pub fn from_export(tenant_id: &str, candidate_id: &str, export: &ProfileExport) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            application_id: Self::id_for(candidate_id, &export.job_id),
            candidate_id: candidate_id.to_owned(),
            job_id: export.job_id.clone(),
            source: Source::LinkedIn,
            contract_id: Some(export.contract_id.clone()),
            exported_by: export.exporter.clone(),
            source_name: None,
            disposition_reason: None,
            stages: Vec::new(),
            created_at: export.exported_at,
            updated_at: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExportStatus {
    Imported,
    Skipped,
    /// Made by a seat not linked to an ATS user: kept as a lead, imported when it is linked.
    Pending,
    /// LinkedIn would not give the export out because the contract or integration is inactive
    /// (its contract and job are not known yet); fetched again once a contract is active.
    Held,
}

/// Why an export was not imported. Recorded on the export, never with personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The export names a job the ATS does not know.
    UnknownJob,
    /// The export was made under a contract the customer has not connected.
    ContractNotConnected,
    /// The export was made under a contract that is expired or disabled.
    ContractInactive,
    /// The exporting seat is not linked to an ATS user (the export waits as a pending lead).
    SeatNotLinked,
    /// LinkedIn answered that the integration or contract is inactive when the export was
    /// fetched (the export is held and fetched again after renewal).
    #[serde(rename = "linkedin_inactive")]
    LinkedInInactive,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::UnknownJob => "unknown_job",
            SkipReason::SeatNotLinked => "seat_not_linked",
            SkipReason::ContractNotConnected => "contract_not_connected",
            SkipReason::ContractInactive => "contract_inactive",
            SkipReason::LinkedInInactive => "linkedin_inactive",
        }
    }
}

/// What became of one export notification: the audit record the API lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRecord {
    pub tenant_id: String,
    pub request_id: String,
    pub status: ExportStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<SkipReason>,
    pub contract_id: String,
    pub job_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_by: Option<String>,
    /// Set when imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    pub exported_at: i64,
    pub recorded_at: i64,
    /// A pending lead keeps the profile fields an import may keep, to be imported on link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ExportedProfile>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backfill_percent_is_the_share_of_stream_time_read() {
        let from = 1_000_000;
        let to = from + 300;
        let mut seat: Seat = serde_json::from_value(serde_json::json!({
            "tenantId": "t", "contractId": "1", "seatId": "2", "updatedAt": 0
        }))
        .unwrap();
        assert_eq!(seat.backfill_percent(), None);
        seat.backfill = Some(Backfill {
            state: BackfillState::Running,
            from,
            to,
            steps: 1,
            reason: None,
            updated_at: 0,
        });
        assert_eq!(seat.backfill_percent(), Some(0));
        seat.backfill_cursors.inmails = Some(to);
        seat.backfill_cursors.notes = Some(from + 150);
        assert_eq!(seat.backfill_percent(), Some(50));
        // Every stream at the end but not marked done yet: not 100 until it is.
        seat.backfill_cursors.notes = Some(to);
        seat.backfill_cursors.stubs = Some(to + 99);
        assert_eq!(seat.backfill_percent(), Some(99));
        seat.backfill.as_mut().unwrap().state = BackfillState::Done;
        assert_eq!(seat.backfill_percent(), Some(100));
    }

    #[test]
    fn one_candidate_per_member_and_one_application_per_job() {
        let a = Candidate::id_for_member("urn:li:person:A");
        assert_eq!(a, Candidate::id_for_member("urn:li:person:A"));
        assert_ne!(a, Candidate::id_for_member("urn:li:person:B"));
        assert_ne!(
            Application::id_for(&a, "job-1"),
            Application::id_for(&a, "job-2")
        );
    }

    #[test]
    fn newest_contact_share_wins_and_nothing_is_lost() {
        let share = |id: &str, at: i64, emails: &[&str], phones: &[&str]| ContactShare {
            tenant_id: "t".into(),
            share_id: id.into(),
            candidate_id: "c".into(),
            member: "m".into(),
            contract_id: "1".into(),
            seat: "s".into(),
            emails: emails.iter().map(|e| e.to_string()).collect(),
            phones: phones
                .iter()
                .map(|p| Phone {
                    number: p.to_string(),
                    extension: None,
                })
                .collect(),
            shared_at: at,
        };
        let info = ContactInfo::from_shares(&[
            share("a", 1, &["old@x.io"], &["+1"]),
            share("b", 5, &["new@x.io", "OLD@x.io"], &["+2"]),
        ]);
        assert_eq!(info.emails, ["new@x.io", "OLD@x.io"]);
        assert_eq!(
            info.phones
                .iter()
                .map(|p| p.number.as_str())
                .collect::<Vec<_>>(),
            ["+2", "+1"]
        );
    }

    #[test]
    fn contract_activity_honours_expiry_date() {
        let c = Contract {
            tenant_id: "t".into(),
            contract_id: "1".into(),
            status: ContractStatus::Active,
            status_cause: None,
            events: 0,
            expires_at: Some(1_000),
            connected_at: 0,
            updated_at: 0,
            linkedin_changes: LinkedInChanges::default(),
        };
        assert!(c.is_active_at(999));
        assert!(!c.is_active_at(1_000));
        let disabled = Contract {
            status: ContractStatus::Disabled,
            expires_at: None,
            ..c
        };
        assert!(!disabled.is_active_at(0));
    }

    #[test]
    fn linkedin_changes_apply_once_and_in_order() {
        let none = LinkedInChanges::default();
        assert_eq!(none.order("r-1", Some(10)), ChangeOrder::New);
        let one = none.with("r-1", Some(10));
        assert_eq!(one.order("r-1", Some(10)), ChangeOrder::Repeated);
        assert_eq!(one.order("r-1", None), ChangeOrder::Repeated);
        assert_eq!(one.order("r-0", Some(5)), ChangeOrder::Stale);
        assert_eq!(one.order("r-0", Some(10)), ChangeOrder::Stale);
        assert_eq!(one.order("r-2", Some(11)), ChangeOrder::New);
        assert_eq!(one.order("r-2", None), ChangeOrder::New);
        // Without a time, the latest stays the latest known.
        assert_eq!(one.with("r-2", None).latest_at, Some(10));
        let mut many = one;
        for i in 0..30 {
            many = many.with(&format!("x-{i}"), Some(100 + i));
        }
        assert_eq!(many.request_ids.len(), LinkedInChanges::KEPT);
        assert_eq!(many.request_ids.last().unwrap(), "x-29");
        assert_eq!(many.latest_at, Some(129));
    }
}

/// A Recruiter activity record LinkedIn returned that the import could not decode or could not
/// attribute to a member, kept exactly as it came so that nothing is lost: it is counted on
/// `/health` and imported by a re-process once the decoder or what it needs is there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnprocessedActivity {
    pub tenant_id: String,
    pub contract_id: String,
    pub seat_id: String,
    pub stream: ActivityStream,
    /// LinkedIn's id of the record, or a digest of it when it has none.
    pub record_id: String,
    /// The record's JSON as LinkedIn sent it.
    pub raw: String,
    pub reason: String,
    /// When it was last read: the end of the window it came in, or the re-process that last
    /// tried it.
    pub seen_at: i64,
}

impl UnprocessedActivity {
    /// The id a raw record is kept under: its `id` when it has a usable one, else a digest of
    /// its bytes (the same record read twice is kept once).
    pub fn record_id_of(raw: &serde_json::Value) -> String {
        let id = match raw.get("id") {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        match id.filter(|i| crate::ids::check_external("record id", i).is_ok()) {
            Some(id) => id,
            None => {
                let digest = Sha256::digest(raw.to_string().as_bytes());
                format!("sha256-{}", hex::encode(&digest[..12]))
            }
        }
    }
}
