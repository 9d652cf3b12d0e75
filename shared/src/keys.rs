//! Every table key, in one place. The table layout is described in docs/data-model.md; keep the
//! two in step.
//!
//! Items of one tenant's configuration (profile, contracts, jobs) share the partition
//! `TENANT#<t>`; a candidate and its applications share `TENANT#<t>#CANDIDATE#<c>`, so a candidate
//! is read with its applications in one query. Listings go through the `gsi1` index.

pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1: &str = "gsi1";
pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";
/// Epoch seconds after which DynamoDB deletes the item.
pub const TTL: &str = "ttl";

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

fn key(pk: String, sk: impl Into<String>) -> Key {
    Key { pk, sk: sk.into() }
}

fn tenant_pk(tenant: &str) -> String {
    format!("TENANT#{tenant}")
}

pub fn tenant(tenant: &str) -> Key {
    key(tenant_pk(tenant), "TENANT")
}

pub fn contract(tenant: &str, contract_id: &str) -> Key {
    key(tenant_pk(tenant), format!("CONTRACT#{contract_id}"))
}

pub const CONTRACT_PREFIX: &str = "CONTRACT#";

pub const JOB_PREFIX: &str = "JOB#";

pub fn job(tenant: &str, job_id: &str) -> Key {
    key(tenant_pk(tenant), format!("{JOB_PREFIX}{job_id}"))
}

pub fn candidate_partition(tenant: &str, candidate_id: &str) -> String {
    format!("TENANT#{tenant}#CANDIDATE#{candidate_id}")
}

pub fn candidate(tenant: &str, candidate_id: &str) -> Key {
    key(candidate_partition(tenant, candidate_id), "CANDIDATE")
}

pub const APPLICATION_PREFIX: &str = "APPLICATION#";

pub fn application(tenant: &str, candidate_id: &str, application_id: &str) -> Key {
    key(
        candidate_partition(tenant, candidate_id),
        format!("{APPLICATION_PREFIX}{application_id}"),
    )
}

pub const NOTE_PREFIX: &str = "NOTE#";

/// A note of the ATS team, in its candidate's partition: `NOTE#C#<note>` on the candidate,
/// `NOTE#A#<application>#<note>` on an application (ids never hold `#`).
pub fn note(tenant: &str, candidate_id: &str, application_id: Option<&str>, note_id: &str) -> Key {
    let sk = match application_id {
        None => format!("{NOTE_PREFIX}C#{note_id}"),
        Some(a) => format!("{NOTE_PREFIX}A#{a}#{note_id}"),
    };
    key(candidate_partition(tenant, candidate_id), sk)
}

pub const FEEDBACK_PREFIX: &str = "FEEDBACK#";

/// Interview feedback on an application, in its candidate's partition.
pub fn interview_feedback(
    tenant: &str,
    candidate_id: &str,
    application_id: &str,
    feedback_id: &str,
) -> Key {
    key(
        candidate_partition(tenant, candidate_id),
        format!("{FEEDBACK_PREFIX}{application_id}#{feedback_id}"),
    )
}

pub const HIRING_TEAM_PREFIX: &str = "HIRINGTEAM#";

/// A job's hiring team.
pub fn hiring_team(tenant: &str, job_id: &str) -> Key {
    key(tenant_pk(tenant), format!("{HIRING_TEAM_PREFIX}{job_id}"))
}

/// A record deleted in the ATS that LinkedIn has not deleted yet, in a partition of its own
/// (no query of the tenant's records sees it), sorted as its outbox entry.
pub fn tombstone(tenant: &str, rank: u8, record_id: &str) -> Key {
    key(
        format!("TENANT#{tenant}#DELETED"),
        outbox_sort(rank, record_id),
    )
}

pub fn export(tenant: &str, request_id: &str) -> Key {
    key(format!("TENANT#{tenant}#EXPORT#{request_id}"), "EXPORT")
}

/// gsi1 partition listing a tenant's candidates (sorted by candidate id).
pub fn candidates_listing(tenant: &str) -> String {
    format!("TENANT#{tenant}#CANDIDATES")
}

/// gsi1 partition listing a tenant's export records (sorted by time recorded).
pub fn exports_listing(tenant: &str) -> String {
    format!("TENANT#{tenant}#EXPORTS")
}

/// gsi1 sort key of an export record: zero-padded time, then the request id for uniqueness.
pub fn exports_listing_sort(recorded_at_ms: i64, request_id: &str) -> String {
    format!("{recorded_at_ms:015}#{request_id}")
}

/// gsi1 partition listing a tenant's InMails and notes (sorted by when they happened).
pub fn activity_listing(tenant: &str) -> String {
    format!("TENANT#{tenant}#ACTIVITY")
}

/// gsi1 sort key of an InMail or note: zero-padded time, kind and LinkedIn's id.
pub fn activity_listing_sort(at_ms: i64, kind: &str, activity_id: &str) -> String {
    format!("{at_ms:015}#{kind}#{activity_id}")
}

pub const USER_PREFIX: &str = "USER#";

pub fn user(tenant: &str, user_id: &str) -> Key {
    key(tenant_pk(tenant), format!("{USER_PREFIX}{user_id}"))
}

pub const SEAT_PREFIX: &str = "SEAT#";

/// The sort-key prefix of one contract's seats in the tenant partition.
pub fn contract_seats_prefix(contract_id: &str) -> String {
    format!("{SEAT_PREFIX}{contract_id}#")
}

pub fn seat(tenant: &str, contract_id: &str, seat_id: &str) -> Key {
    key(
        tenant_pk(tenant),
        format!("{SEAT_PREFIX}{contract_id}#{seat_id}"),
    )
}

pub const ACTIVITY_PREFIX: &str = "ACTIVITY#";

/// An InMail or note, in the member's candidate partition, ordered by time. `at` never changes for
/// a record (an InMail's send time, a note's creation time), so an edit rewrites the same item.
pub fn activity(
    tenant: &str,
    candidate_id: &str,
    at_ms: i64,
    kind: &str,
    activity_id: &str,
) -> Key {
    key(
        candidate_partition(tenant, candidate_id),
        format!("{ACTIVITY_PREFIX}{at_ms:015}#{kind}#{activity_id}"),
    )
}

pub const CONTACT_PREFIX: &str = "CONTACT#";

pub fn contact_share(tenant: &str, candidate_id: &str, at_ms: i64, share_id: &str) -> Key {
    key(
        candidate_partition(tenant, candidate_id),
        format!("{CONTACT_PREFIX}{at_ms:015}#{share_id}"),
    )
}

/// The sparse index of linked seats the activity poller reads (only linked seats carry its keys).
pub const GSI2: &str = "gsi2";
pub const GSI2_PK: &str = "gsi2pk";
pub const GSI2_SK: &str = "gsi2sk";
/// The one gsi2 partition every linked seat had before the index was sharded; the poll moves
/// what it finds there into the shards (docs/scale.md).
pub const UNSHARDED_LINKED_SEATS: &str = "LINKED_SEAT";

/// Linked seats are spread over this many gsi2 partitions (`LINKED_SEAT#00` to `#15`), by a
/// hash of the seat, so that no partition value holds every seat of every tenant and the poll's
/// fan-out can be handed out shard by shard (docs/scale.md).
pub const LINKED_SEAT_SHARDS: u32 = 16;

/// The shard of a seat: the first four bytes of the SHA-256 of its sort key, modulo the shards.
pub fn linked_seat_shard(tenant: &str, contract_id: &str, seat_id: &str) -> u32 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(linked_seat_sort(tenant, contract_id, seat_id).as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % LINKED_SEAT_SHARDS
}

/// gsi2 partition of one shard of the linked seats.
pub fn linked_seats_partition(shard: u32) -> String {
    format!("{UNSHARDED_LINKED_SEATS}#{shard:02}")
}
/// gsi2 partition listing a seat's pending leads (exports made while it was not linked).
pub fn pending_leads(tenant: &str, contract_id: &str, seat_id: &str) -> String {
    format!("LEADS#{tenant}#{contract_id}#{seat_id}")
}

/// gsi2 partition listing every contract (for the hourly expiry job).
pub const ALL_CONTRACTS: &str = "CONTRACT";

pub fn linked_seat_sort(tenant: &str, contract_id: &str, seat_id: &str) -> String {
    format!("{tenant}#{contract_id}#{seat_id}")
}

/// Prefix of the candidate-item attributes that summarise its applications (one per
/// application: `app#<applicationId>` = `<createdAt 15 digits>|<contractId>`).
pub const APPLICATION_SUMMARY_PREFIX: &str = "app#";

pub fn application_summary_attr(application_id: &str) -> String {
    format!("{APPLICATION_SUMMARY_PREFIX}{application_id}")
}

pub fn application_summary(contract_id: Option<&str>, created_at_ms: i64) -> String {
    format!("{created_at_ms:015}|{}", contract_id.unwrap_or(""))
}

/// `(application id, contract id, created at)` from a summary attribute, if it is one.
pub fn parse_application_summary(attr: &str, value: &str) -> Option<(String, Option<String>, i64)> {
    let id = attr.strip_prefix(APPLICATION_SUMMARY_PREFIX)?;
    let (at, contract) = value.split_once('|')?;
    Some((
        id.to_owned(),
        (!contract.is_empty()).then(|| contract.to_owned()),
        at.parse().ok()?,
    ))
}

/// A contract's status transitions, oldest first, in the contract's own partition.
pub fn contract_events_partition(tenant: &str, contract_id: &str) -> String {
    format!("TENANT#{tenant}#CONTRACT#{contract_id}")
}

pub const CONTRACT_EVENT_PREFIX: &str = "EVENT#";

pub const CONTRACT_STATS_PREFIX: &str = "STATS#";

pub const DEAD_LETTER_PREFIX: &str = "DEADLETTER#";

/// A message of the tenant that was moved to a dead-letter queue, newest last.
pub fn dead_letter(tenant: &str, at_ms: i64, message_id: &str) -> Key {
    key(
        tenant_pk(tenant),
        format!("{DEAD_LETTER_PREFIX}{at_ms:015}#{message_id}"),
    )
}

/// Counters of what was imported under a contract (kept apart from the contract item, which is
/// written whole on every status change).
pub fn contract_stats(tenant: &str, contract_id: &str) -> Key {
    key(
        tenant_pk(tenant),
        format!("{CONTRACT_STATS_PREFIX}{contract_id}"),
    )
}

/// Events are numbered per contract (the number is kept on the contract and moves in the same
/// transaction), so two changes in the same millisecond never share a key.
pub fn contract_event(tenant: &str, contract_id: &str, seq: u64) -> Key {
    key(
        contract_events_partition(tenant, contract_id),
        format!("{CONTRACT_EVENT_PREFIX}{seq:010}"),
    )
}

/// The pointer from an application id to its candidate (applications live in their candidate's
/// partition, but the ATS names them by id alone).
pub fn application_ref(tenant: &str, application_id: &str) -> Key {
    key(
        format!("TENANT#{tenant}#APPLICATION#{application_id}"),
        "REF",
    )
}

/// gsi2 partition listing every tenant's onboarding checklist.
pub const ONBOARDED: &str = "ONBOARDING";

/// The tenant's onboarding with LinkedIn's partner flow (its checklist).
pub fn onboarding(tenant: &str) -> Key {
    key(tenant_pk(tenant), "ONBOARDING")
}

/// The tenant's LinkedIn calls reserved on one UTC day (`2026-12-01`), by purpose.
pub fn call_budget(tenant: &str, day: &str) -> Key {
    key(tenant_pk(tenant), format!("BUDGET#{day}"))
}

/// The tenant's outbound-sync state: the lease of the running sync, the change counter and the
/// full-sync progress.
pub fn sync_state(tenant: &str) -> Key {
    key(tenant_pk(tenant), "SYNC")
}

/// The sparse `outbox` index: a record changed since LinkedIn last received it carries
/// `syncPk` = `OUTBOX#<t>` and `syncSk` = `<rank>#<record id>` (a second change rewrites the
/// same attributes, which is how changes are coalesced).
pub const OUTBOX: &str = "outbox";
pub const OUTBOX_PK: &str = "syncPk";
pub const OUTBOX_SK: &str = "syncSk";

pub fn outbox_partition(tenant: &str) -> String {
    format!("OUTBOX#{tenant}")
}

/// Outbox sort keys begin with their slot's rank (`OutboxSlot::rank`), so one query reads one
/// slot.
pub fn outbox_prefix(rank: u8) -> String {
    format!("{rank}#")
}

pub fn outbox_sort(rank: u8, record_id: &str) -> String {
    format!("{rank}#{record_id}")
}

pub const PURGED_PREFIX: &str = "PURGED#";

/// A candidate LinkedIn reported closed, flagged for deletion review.
pub fn purged(tenant: &str, candidate_id: &str) -> Key {
    key(tenant_pk(tenant), format!("{PURGED_PREFIX}{candidate_id}"))
}

pub const SYNC_ERROR_PREFIX: &str = "SYNCERROR#";

/// Why a record could not be sent; deleted when it is sent successfully.
pub fn sync_error(tenant: &str, kind: &str, record_id: &str) -> Key {
    key(
        tenant_pk(tenant),
        format!("{SYNC_ERROR_PREFIX}{kind}#{record_id}"),
    )
}

pub const UNPROCESSED_PREFIX: &str = "UNPROCESSED#";

/// An activity record kept as it came because it could not be imported.
pub fn unprocessed(
    tenant: &str,
    stream: &str,
    contract_id: &str,
    seat_id: &str,
    record_id: &str,
) -> Key {
    key(
        tenant_pk(tenant),
        format!("{UNPROCESSED_PREFIX}{stream}#{contract_id}#{seat_id}#{record_id}"),
    )
}

/// gsi2 partition of a tenant's held exports (LinkedIn refused them while inactive).
pub fn held_exports(tenant: &str) -> String {
    format!("HELD_EXPORT#{tenant}")
}

/// A tenant's change feed (docs/events.md): its head (`HEAD`, the last number handed out),
/// its entries (`SEQ#<n, 15 digits>`) and the ids of the events appended (`ID#<event id>`).
fn changes_partition(tenant: &str) -> String {
    format!("TENANT#{tenant}#CHANGES")
}

pub fn changes_head(tenant: &str) -> Key {
    key(changes_partition(tenant), "HEAD")
}

const CHANGE_PREFIX: &str = "SEQ#";

/// The largest number a feed entry can have (15 digits).
pub const MAX_CHANGE_SEQ: u64 = 999_999_999_999_999;

pub fn change(tenant: &str, seq: u64) -> Key {
    key(
        changes_partition(tenant),
        format!("{CHANGE_PREFIX}{seq:015}"),
    )
}

/// The number of a feed entry, from its sort key.
pub fn change_seq(sk: &str) -> Option<u64> {
    sk.strip_prefix(CHANGE_PREFIX)?.parse().ok()
}

pub fn change_seen(tenant: &str, event_id: &str) -> Key {
    key(changes_partition(tenant), format!("ID#{event_id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seat's shard never changes (the index would lose it otherwise), and seats spread
    /// evenly over the shards.
    #[test]
    fn seats_keep_their_shard_and_spread_evenly() {
        // Pinned: a change of the hash would move every linked seat out of the index the poll
        // reads (the first four bytes of the SHA-256 of `acme#501#7001`, modulo 16, are 8).
        assert_eq!(linked_seat_shard("acme", "501", "7001"), 8);
        assert_eq!(linked_seats_partition(8), "LINKED_SEAT#08");
        assert_eq!(linked_seats_partition(3), "LINKED_SEAT#03");
        let mut per_shard = vec![0u32; LINKED_SEAT_SHARDS as usize];
        for tenant in 0..64 {
            for seat in 0..100 {
                let shard = linked_seat_shard(&format!("t{tenant}"), "1", &seat.to_string());
                per_shard[shard as usize] += 1;
            }
        }
        // 6,400 seats: 400 a shard on average.
        let (least, most) = (
            per_shard.iter().min().unwrap(),
            per_shard.iter().max().unwrap(),
        );
        assert!(*least >= 320 && *most <= 480, "{per_shard:?}");
    }
}
