//! The mapping from stream records to events, one change at a time. Records are built as Lambda
//! hands them out (JSON, images in DynamoDB's attribute-value form) from items written here as
//! plain JSON, with the keys and attribute names the store writes.

use serde_json::{Map, Value, json};

use super::*;
use crate::domain::{
    Application, Candidate, ContractStatus, Direction, ErrorOrigin, RecordKind, SkipReason,
    StatusCause,
};
use crate::keys::Key;

const TENANT: &str = "acme";
const EVENT_ID: &str = "c4ca4238a0b923820dcc509a6f75849b";
/// Epoch seconds of the stream record (2026-12-02T02:44:47Z).
const CREATED_S: i64 = 1_796_179_487;
/// Epoch milliseconds of the times inside items.
const NOW: i64 = 1_796_179_486_000;
const MEMBER: &str = "urn:li:person:ada";
const CONTRACT: &str = "7001";
const SEAT_ID: &str = "42";
const SEAT_URN: &str = "urn:li:seat:42";
const JOB: &str = "eng-42";
const REQUEST: &str = "req-6a1f";
const USER: &str = "u-grace";
const INMAIL_ID: &str = "2-MTY4OTk2NDQ1MDY1NA==";
const NOTE_ID: &str = "note-8c1";
const SHARE_ID: &str = "stub-77";

fn candidate_id() -> String {
    Candidate::id_for_member(MEMBER)
}

fn application_id() -> String {
    Application::id_for(&candidate_id(), JOB)
}

// ---- stream records ---------------------------------------------------------------------------

/// An attribute value in DynamoDB JSON from a plain JSON value.
fn dynamo(value: &Value) -> Value {
    match value {
        Value::String(s) => json!({ "S": s }),
        Value::Number(n) => json!({ "N": n.to_string() }),
        Value::Bool(b) => json!({ "BOOL": b }),
        Value::Array(l) => json!({ "L": l.iter().map(dynamo).collect::<Vec<_>>() }),
        Value::Object(m) => json!({ "M": attributes(m) }),
        Value::Null => json!({ "NULL": true }),
    }
}

fn attributes(m: &Map<String, Value>) -> Map<String, Value> {
    m.iter().map(|(k, v)| (k.clone(), dynamo(v))).collect()
}

/// A stream image: the item's attributes and its keys, as DynamoDB puts them in the record.
fn image(key: &Key, item: Value) -> Value {
    let Value::Object(mut m) = item else {
        panic!("an item is a JSON object: {item}");
    };
    m.insert(keys::PK.into(), json!(key.pk));
    m.insert(keys::SK.into(), json!(key.sk));
    Value::Object(attributes(&m))
}

/// A stream record as Lambda delivers it (before it is read as an `EventRecord`).
fn record_json(event_name: &str, key: &Key, old: Option<Value>, new: Option<Value>) -> Value {
    let mut change = json!({
        "ApproximateCreationDateTime": CREATED_S,
        "Keys": { "pk": { "S": key.pk }, "sk": { "S": key.sk } },
        "SequenceNumber": "111100000000012345678901",
        "SizeBytes": 512,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    });
    if let Some(old) = old {
        change["OldImage"] = image(key, old);
    }
    if let Some(new) = new {
        change["NewImage"] = image(key, new);
    }
    json!({
        "eventID": EVENT_ID,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": change,
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/Table/stream/2026-12-01T00:00:00.000",
    })
}

fn parse(record: Value) -> EventRecord {
    serde_json::from_value(record).expect("a Lambda-shaped DynamoDB stream record")
}

fn record(event_name: &str, key: &Key, old: Option<Value>, new: Option<Value>) -> EventRecord {
    parse(record_json(event_name, key, old, new))
}

fn insert(key: &Key, new: Value) -> EventRecord {
    record("INSERT", key, None, Some(new))
}

fn modify(key: &Key, old: Value, new: Value) -> EventRecord {
    record("MODIFY", key, Some(old), Some(new))
}

fn remove(key: &Key, old: Value) -> EventRecord {
    record("REMOVE", key, Some(old), None)
}

/// The same item written again, nothing changed.
fn rewrite(key: &Key, item: Value) -> EventRecord {
    modify(key, item.clone(), item)
}

fn facts(record: &EventRecord) -> Vec<Fact> {
    events_of(record).into_iter().map(|e| e.fact).collect()
}

fn one(record: &EventRecord) -> Fact {
    let mut facts = facts(record);
    assert_eq!(facts.len(), 1, "one event expected, got {facts:?}");
    facts.remove(0)
}

/// `item` with these attributes set (`null` removes one).
fn with(item: &Value, changes: Value) -> Value {
    let mut item = item.clone();
    for (k, v) in changes.as_object().expect("changes are an object") {
        let m = item.as_object_mut().expect("an item is an object");
        if v.is_null() {
            m.remove(k);
        } else {
            m.insert(k.clone(), v.clone());
        }
    }
    item
}

// ---- items as the store writes them -----------------------------------------------------------

fn candidate_key() -> Key {
    keys::candidate(TENANT, &candidate_id())
}

/// A candidate (`Candidate`, with its listing keys).
fn candidate(source: &str) -> Value {
    json!({
        "tenantId": TENANT,
        "candidateId": candidate_id(),
        "member": MEMBER,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "location": "London",
        "source": source,
        "createdAt": NOW,
        "updatedAt": NOW,
        "gsi1pk": keys::candidates_listing(TENANT),
        "gsi1sk": candidate_id(),
    })
}

fn application_key() -> Key {
    keys::application(TENANT, &candidate_id(), &application_id())
}

/// An application an export created (`Application`, source `LinkedIn`).
fn exported_application(exported_by: &str) -> Value {
    json!({
        "tenantId": TENANT,
        "applicationId": application_id(),
        "candidateId": candidate_id(),
        "jobId": JOB,
        "source": "LinkedIn",
        "contractId": CONTRACT,
        "exportedBy": exported_by,
        "createdAt": NOW,
    })
}

fn export_key() -> Key {
    keys::export(TENANT, REQUEST)
}

/// A delivery's claim on an export: the record's key with `claimUntil` only (no record yet).
fn export_claim() -> Value {
    json!({ "claimUntil": NOW + 60_000, "claimedBy": "0f9e5bd2-4c6a-4d8e-9b1a-3c5e7f9a1b2d" })
}

/// An export record (`ExportRecord`, with its listing keys).
fn export_record(status: &str, reason: Option<&str>) -> Value {
    let mut item = json!({
        "tenantId": TENANT,
        "requestId": REQUEST,
        "status": status,
        "contractId": CONTRACT,
        "jobId": JOB,
        "exportedBy": SEAT_URN,
        "exportedAt": NOW - 5_000,
        "recordedAt": NOW,
        "gsi1pk": keys::exports_listing(TENANT),
        "gsi1sk": keys::exports_listing_sort(NOW, REQUEST),
    });
    if let Some(reason) = reason {
        item["reason"] = json!(reason);
    }
    item
}

/// A pending lead: kept with the profile and listed under its seat.
fn pending_lead() -> Value {
    with(
        &export_record("pending", Some("seat_not_linked")),
        json!({
            "profile": {
                "member": MEMBER, "firstName": "Ada", "lastName": "Lovelace", "location": "London"
            },
            "gsi2pk": keys::pending_leads(TENANT, CONTRACT, SEAT_ID),
            "gsi2sk": REQUEST,
        }),
    )
}

/// An export LinkedIn held while inactive (`exports::hold`): contract and job empty.
fn held_export() -> Value {
    json!({
        "tenantId": TENANT,
        "requestId": REQUEST,
        "status": "held",
        "reason": "linkedin_inactive",
        "contractId": "",
        "jobId": "",
        "exportedAt": NOW,
        "recordedAt": NOW,
        "gsi1pk": keys::exports_listing(TENANT),
        "gsi1sk": keys::exports_listing_sort(NOW, REQUEST),
        "gsi2pk": keys::held_exports(TENANT),
        "gsi2sk": REQUEST,
    })
}

const INMAIL_AT: i64 = NOW - 3_600_000;
const NOTE_AT: i64 = NOW - 7_200_000;

fn inmail_key() -> Key {
    keys::activity(TENANT, &candidate_id(), INMAIL_AT, "INMAIL", INMAIL_ID)
}

/// An InMail (`Activity`, kind `inMail`), on an application or pending.
fn inmail(application: Option<&str>) -> Value {
    let mut item = json!({
        "tenantId": TENANT,
        "activityId": INMAIL_ID,
        "candidateId": candidate_id(),
        "member": MEMBER,
        "contractId": CONTRACT,
        "seat": SEAT_URN,
        "at": INMAIL_AT,
        "kind": "inMail",
        "direction": "RECEIVED",
        "conversation": "conv-1",
        "subject": "Re: the role",
        "body": "Happy to talk.",
        "gsi1pk": keys::activity_listing(TENANT),
        "gsi1sk": keys::activity_listing_sort(INMAIL_AT, "INMAIL", INMAIL_ID),
    });
    if let Some(a) = application {
        item["applicationId"] = json!(a);
    }
    item
}

fn note_key() -> Key {
    keys::activity(TENANT, &candidate_id(), NOTE_AT, "NOTE", NOTE_ID)
}

/// A Recruiter note (`Activity`, kind `note`), on an application or pending.
fn note(application: Option<&str>, last_modified: i64) -> Value {
    let mut item = json!({
        "tenantId": TENANT,
        "activityId": NOTE_ID,
        "candidateId": candidate_id(),
        "member": MEMBER,
        "contractId": CONTRACT,
        "seat": SEAT_URN,
        "at": NOTE_AT,
        "kind": "note",
        "text": "Strong on compilers.",
        "lastModified": last_modified,
        "gsi1pk": keys::activity_listing(TENANT),
        "gsi1sk": keys::activity_listing_sort(NOTE_AT, "NOTE", NOTE_ID),
    });
    if let Some(a) = application {
        item["applicationId"] = json!(a);
    }
    item
}

fn contact_share_key() -> Key {
    keys::contact_share(TENANT, &candidate_id(), NOW, SHARE_ID)
}

/// Shared contact details (`ContactShare`): two e-mails, one phone.
fn contact_share() -> Value {
    json!({
        "tenantId": TENANT,
        "shareId": SHARE_ID,
        "candidateId": candidate_id(),
        "member": MEMBER,
        "contractId": CONTRACT,
        "seat": SEAT_URN,
        "emails": ["ada@example.com", "ada@work.example"],
        "phones": [{ "number": "+44 20 7946 0000", "extension": "12" }],
        "sharedAt": NOW,
    })
}

/// A contract's status transition (`ContractEvent`), in the contract's own partition.
fn contract_event(seq: u64, from: Option<&str>, to: &str, cause: &str) -> (Key, Value) {
    let mut item = json!({
        "tenantId": TENANT,
        "contractId": CONTRACT,
        "seq": seq,
        "at": NOW,
        "to": to,
        "cause": cause,
        "reason": "expiresAt passed",
    });
    if let Some(from) = from {
        item["from"] = json!(from);
    }
    (keys::contract_event(TENANT, CONTRACT, seq), item)
}

fn seat_key() -> Key {
    keys::seat(TENANT, CONTRACT, SEAT_ID)
}

/// A seat as the hourly seat sync records it: listed, not linked.
fn listed_seat() -> Value {
    json!({
        "tenantId": TENANT,
        "contractId": CONTRACT,
        "seatId": SEAT_ID,
        "member": "urn:li:person:grace",
        "state": "ACTIVE",
        "holderName": "Grace Hopper",
        "listedAt": NOW - 600_000,
        "updatedAt": NOW - 600_000,
    })
}

/// A seat linked to `user` (`Store::link_seat`), with its cursors and poller index keys.
fn linked_seat(user: &str) -> Value {
    with(
        &listed_seat(),
        json!({
            "userId": user,
            "linkedAt": NOW,
            "updatedAt": NOW,
            "cursorInmails": NOW,
            "cursorNotes": NOW,
            "cursorStubs": NOW,
            "gsi2pk": keys::linked_seats_partition(keys::linked_seat_shard(TENANT, CONTRACT, SEAT_ID)),
            "gsi2sk": keys::linked_seat_sort(TENANT, CONTRACT, SEAT_ID),
        }),
    )
}

/// A linked seat whose back-fill (`Backfill`) is in `state`.
fn seat_backfilling(state: &str) -> Value {
    let mut backfill = json!({
        "state": state, "from": NOW - 30 * 86_400_000, "to": NOW, "steps": 3, "updatedAt": NOW
    });
    if state == "failed" {
        backfill["reason"] = json!("LinkedIn answered 403 for 24 hours");
    }
    with(&linked_seat(USER), json!({ "backfill": backfill }))
}

fn sync_error_key(kind: &str, record_id: &str) -> Key {
    keys::sync_error(TENANT, kind, record_id)
}

/// Why a record could not go to LinkedIn (`SyncError`).
fn sync_error(kind: &str, record_id: &str, origin: &str) -> Value {
    json!({
        "kind": kind,
        "recordId": record_id,
        "message": "lastName: must not be empty",
        "origin": origin,
        "at": NOW,
    })
}

fn purged_key() -> Key {
    keys::purged(TENANT, &candidate_id())
}

/// A closed-profile flag (`PurgedCandidate`).
fn purged() -> Value {
    json!({
        "tenantId": TENANT,
        "candidateId": candidate_id(),
        "member": MEMBER,
        "purgedAt": NOW - 86_400_000,
        "flaggedAt": NOW,
    })
}

// ---- one record per event type, each the change docs/events.md names -------------------------

/// An export created the candidate.
fn candidate_imported() -> EventRecord {
    insert(&candidate_key(), candidate("LinkedIn"))
}

fn candidate_deleted() -> EventRecord {
    remove(&candidate_key(), candidate("LinkedIn"))
}

fn application_created() -> EventRecord {
    insert(&application_key(), exported_application(SEAT_URN))
}

/// The claim replaced by the record of a skipped export.
fn export_skipped() -> EventRecord {
    modify(
        &export_key(),
        export_claim(),
        export_record("skipped", Some("unknown_job")),
    )
}

fn export_awaiting_seat() -> EventRecord {
    modify(&export_key(), export_claim(), pending_lead())
}

fn export_held() -> EventRecord {
    modify(&export_key(), export_claim(), held_export())
}

fn inmail_imported() -> EventRecord {
    insert(&inmail_key(), inmail(Some(&application_id())))
}

fn note_imported() -> EventRecord {
    insert(&note_key(), note(Some(&application_id()), NOTE_AT))
}

/// The note edited at LinkedIn: its text and `lastModified` changed.
fn note_updated() -> EventRecord {
    let old = note(Some(&application_id()), NOTE_AT);
    let new = with(
        &note(Some(&application_id()), NOW),
        json!({ "text": "Strong on compilers; call back in March." }),
    );
    modify(&note_key(), old, new)
}

fn note_deleted() -> EventRecord {
    remove(&note_key(), note(Some(&application_id()), NOTE_AT))
}

/// A pending InMail rewritten with the application an export created (`attach_pending`).
fn activity_attached() -> EventRecord {
    modify(&inmail_key(), inmail(None), inmail(Some(&application_id())))
}

fn contact_info_shared() -> EventRecord {
    insert(&contact_share_key(), contact_share())
}

fn contract_status_changed() -> EventRecord {
    let (key, item) = contract_event(2, Some("Active"), "Expired", "ExpiryDate");
    insert(&key, item)
}

fn seat_linked() -> EventRecord {
    modify(&seat_key(), listed_seat(), linked_seat(USER))
}

/// `Store::unlink_seat`: the link and the poller's index keys go, the cursors stay.
fn seat_unlinked() -> EventRecord {
    let unlinked = with(
        &linked_seat(USER),
        json!({
            "userId": null, "linkedAt": null, "gsi2pk": null, "gsi2sk": null,
            "updatedAt": NOW + 1_000
        }),
    );
    modify(&seat_key(), linked_seat(USER), unlinked)
}

fn backfill_completed() -> EventRecord {
    modify(
        &seat_key(),
        seat_backfilling("running"),
        seat_backfilling("done"),
    )
}

fn backfill_failed() -> EventRecord {
    modify(
        &seat_key(),
        seat_backfilling("running"),
        seat_backfilling("failed"),
    )
}

fn sync_record_rejected() -> EventRecord {
    insert(
        &sync_error_key("candidate", &candidate_id()),
        sync_error("candidate", &candidate_id(), "validation"),
    )
}

fn sync_error_cleared() -> EventRecord {
    remove(
        &sync_error_key("candidate", &candidate_id()),
        sync_error("candidate", &candidate_id(), "validation"),
    )
}

fn profile_closed() -> EventRecord {
    insert(&purged_key(), purged())
}

/// Every record above: between them they make each event type.
const PRODUCERS: [fn() -> EventRecord; 20] = [
    candidate_imported,
    candidate_deleted,
    application_created,
    export_skipped,
    export_awaiting_seat,
    export_held,
    inmail_imported,
    note_imported,
    note_updated,
    note_deleted,
    activity_attached,
    contact_info_shared,
    contract_status_changed,
    seat_linked,
    seat_unlinked,
    backfill_completed,
    backfill_failed,
    sync_record_rejected,
    sync_error_cleared,
    profile_closed,
];

// ---- each event from its change ---------------------------------------------------------------

#[test]
fn candidate_imported_when_an_export_creates_a_candidate() {
    let events = events_of(&candidate_imported());
    assert_eq!(
        events,
        vec![Event {
            event_id: EVENT_ID.into(),
            schema_version: SCHEMA_VERSION,
            tenant_id: TENANT.into(),
            occurred_at: "2026-12-02T02:44:47.000Z".into(),
            fact: Fact::CandidateImported {
                candidate_id: candidate_id()
            },
        }]
    );
}

#[test]
fn candidate_deleted_when_a_candidate_item_is_removed_whatever_its_source() {
    assert_eq!(
        one(&candidate_deleted()),
        Fact::CandidateDeleted {
            candidate_id: candidate_id()
        }
    );
    // One the ATS created is deleted too (by the ATS, or by `compliance/forget`).
    assert_eq!(
        one(&remove(&candidate_key(), candidate("Ats"))),
        Fact::CandidateDeleted {
            candidate_id: candidate_id()
        }
    );
}

#[test]
fn application_created_when_an_export_creates_an_application() {
    assert_eq!(
        one(&application_created()),
        Fact::ApplicationCreated {
            candidate_id: candidate_id(),
            application_id: application_id(),
            job_id: JOB.into(),
            contract_id: Some(CONTRACT.into()),
            exported_by: Some(SEAT_URN.into()),
        }
    );
}

#[test]
fn application_created_without_contract_or_exporter_when_the_export_named_none() {
    let item = with(
        &exported_application(SEAT_URN),
        json!({ "contractId": null, "exportedBy": null }),
    );
    assert_eq!(
        one(&insert(&application_key(), item)),
        Fact::ApplicationCreated {
            candidate_id: candidate_id(),
            application_id: application_id(),
            job_id: JOB.into(),
            contract_id: None,
            exported_by: None,
        }
    );
}

#[test]
fn export_skipped_when_an_export_is_recorded_as_skipped() {
    assert_eq!(
        one(&export_skipped()),
        Fact::ExportSkipped {
            request_id: REQUEST.into(),
            reason: SkipReason::UnknownJob,
            contract_id: Some(CONTRACT.into()),
            job_id: Some(JOB.into()),
        }
    );
}

#[test]
fn export_skipped_when_a_pending_lead_is_skipped_once_its_seat_is_linked() {
    let skipped = with(
        &export_record("skipped", Some("contract_inactive")),
        json!({ "recordedAt": NOW + 60_000 }),
    );
    assert_eq!(
        one(&modify(&export_key(), pending_lead(), skipped)),
        Fact::ExportSkipped {
            request_id: REQUEST.into(),
            reason: SkipReason::ContractInactive,
            contract_id: Some(CONTRACT.into()),
            job_id: Some(JOB.into()),
        }
    );
}

#[test]
fn export_awaiting_seat_when_an_export_by_an_unlinked_seat_is_kept_as_a_lead() {
    assert_eq!(
        one(&export_awaiting_seat()),
        Fact::ExportAwaitingSeat {
            request_id: REQUEST.into(),
            contract_id: CONTRACT.into(),
            job_id: JOB.into(),
            exported_by: Some(SEAT_URN.into()),
        }
    );
}

#[test]
fn export_held_when_linkedin_holds_an_export_and_again_each_time_it_holds_it_again() {
    assert_eq!(
        one(&export_held()),
        Fact::ExportHeld {
            request_id: REQUEST.into()
        }
    );
    // The hourly retry claims the held export (no status: no record) and LinkedIn holds it
    // again: a new change, so a new event.
    let key = export_key();
    assert_eq!(facts(&modify(&key, held_export(), export_claim())), vec![]);
    let again = with(&held_export(), json!({ "recordedAt": NOW + 3_600_000 }));
    assert_eq!(
        one(&modify(&key, export_claim(), again)),
        Fact::ExportHeld {
            request_id: REQUEST.into()
        }
    );
}

#[test]
fn an_imported_export_record_is_no_event_of_its_own() {
    // Its candidate and application make the events.
    let imported = with(
        &export_record("imported", None),
        json!({ "candidateId": candidate_id(), "applicationId": application_id() }),
    );
    assert_eq!(
        facts(&modify(&export_key(), export_claim(), imported.clone())),
        vec![]
    );
    assert_eq!(
        facts(&modify(&export_key(), pending_lead(), imported)),
        vec![]
    );
    // A claim alone is no record either.
    assert_eq!(facts(&insert(&export_key(), export_claim())), vec![]);
}

#[test]
fn inmail_imported_when_an_inmail_is_stored() {
    assert_eq!(
        one(&inmail_imported()),
        Fact::InMailImported {
            candidate_id: candidate_id(),
            activity_id: INMAIL_ID.into(),
            contract_id: CONTRACT.into(),
            seat: SEAT_URN.into(),
            direction: Direction::Received,
            application_id: Some(application_id()),
        }
    );
}

#[test]
fn inmail_imported_without_application_while_the_member_has_none() {
    let sent = with(&inmail(None), json!({ "direction": "SENT" }));
    assert_eq!(
        one(&insert(&inmail_key(), sent)),
        Fact::InMailImported {
            candidate_id: candidate_id(),
            activity_id: INMAIL_ID.into(),
            contract_id: CONTRACT.into(),
            seat: SEAT_URN.into(),
            direction: Direction::Sent,
            application_id: None,
        }
    );
}

#[test]
fn note_imported_when_a_recruiter_note_is_stored() {
    assert_eq!(
        one(&note_imported()),
        Fact::NoteImported {
            candidate_id: candidate_id(),
            activity_id: NOTE_ID.into(),
            contract_id: CONTRACT.into(),
            seat: SEAT_URN.into(),
            application_id: Some(application_id()),
        }
    );
}

#[test]
fn note_updated_when_a_notes_last_modified_changes() {
    assert_eq!(
        one(&note_updated()),
        Fact::NoteUpdated {
            candidate_id: candidate_id(),
            activity_id: NOTE_ID.into(),
            contract_id: CONTRACT.into(),
            seat: SEAT_URN.into(),
            application_id: Some(application_id()),
        }
    );
}

#[test]
fn note_deleted_when_a_note_is_removed_but_a_removed_inmail_is_no_event() {
    assert_eq!(
        one(&note_deleted()),
        Fact::NoteDeleted {
            candidate_id: candidate_id(),
            activity_id: NOTE_ID.into(),
        }
    );
    // Deleted with its candidate: the InMail goes without an event of its own.
    assert_eq!(
        facts(&remove(&inmail_key(), inmail(Some(&application_id())))),
        vec![]
    );
}

#[test]
fn activity_attached_when_pending_activity_is_put_on_an_application() {
    assert_eq!(
        one(&activity_attached()),
        Fact::ActivityAttached {
            candidate_id: candidate_id(),
            activity_id: INMAIL_ID.into(),
            application_id: application_id(),
            activity: ActivityType::InMail,
        }
    );
    let note_attached = modify(
        &note_key(),
        note(None, NOTE_AT),
        note(Some(&application_id()), NOTE_AT),
    );
    assert_eq!(
        one(&note_attached),
        Fact::ActivityAttached {
            candidate_id: candidate_id(),
            activity_id: NOTE_ID.into(),
            application_id: application_id(),
            activity: ActivityType::Note,
        }
    );
}

#[test]
fn a_pending_note_attached_and_edited_in_one_write_is_attached_then_updated() {
    let record = modify(
        &note_key(),
        note(None, NOTE_AT),
        note(Some(&application_id()), NOW),
    );
    let events = events_of(&record);
    let names: Vec<&str> = events.iter().map(Event::detail_type).collect();
    assert_eq!(names, ["ActivityAttached", "NoteUpdated"]);
    assert_eq!(events[0].event_id, EVENT_ID);
    assert_eq!(events[1].event_id, format!("{EVENT_ID}.1"));
}

#[test]
fn contact_info_shared_when_a_share_is_stored_with_counts_only() {
    let fact = one(&contact_info_shared());
    assert_eq!(
        fact,
        Fact::ContactInfoShared {
            candidate_id: candidate_id(),
            share_id: SHARE_ID.into(),
            contract_id: CONTRACT.into(),
            seat: SEAT_URN.into(),
            emails: 2,
            phones: 1,
        }
    );
    let published = serde_json::to_string(&fact).unwrap();
    assert!(!published.contains("ada@example.com") && !published.contains("7946"));
}

#[test]
fn contract_status_changed_when_a_contract_event_is_stored() {
    assert_eq!(
        one(&contract_status_changed()),
        Fact::ContractStatusChanged {
            contract_id: CONTRACT.into(),
            seq: 2,
            from: Some(ContractStatus::Active),
            to: ContractStatus::Expired,
            cause: StatusCause::ExpiryDate,
        }
    );
    // The first, when the contract is connected, has no `from`.
    let (key, item) = contract_event(1, None, "Active", "Admin");
    assert_eq!(
        one(&insert(&key, item)),
        Fact::ContractStatusChanged {
            contract_id: CONTRACT.into(),
            seq: 1,
            from: None,
            to: ContractStatus::Active,
            cause: StatusCause::Admin,
        }
    );
}

#[test]
fn seat_linked_when_a_seat_gets_a_user() {
    assert_eq!(
        one(&seat_linked()),
        Fact::SeatLinked {
            contract_id: CONTRACT.into(),
            seat_id: SEAT_ID.into(),
            user_id: USER.into(),
        }
    );
}

#[test]
fn seat_unlinked_when_a_seats_user_is_removed() {
    assert_eq!(
        one(&seat_unlinked()),
        Fact::SeatUnlinked {
            contract_id: CONTRACT.into(),
            seat_id: SEAT_ID.into(),
            user_id: USER.into(),
        }
    );
}

#[test]
fn backfill_completed_when_a_seats_backfill_is_done() {
    assert_eq!(
        one(&backfill_completed()),
        Fact::BackfillCompleted {
            contract_id: CONTRACT.into(),
            seat_id: SEAT_ID.into(),
            user_id: Some(USER.into()),
        }
    );
}

#[test]
fn backfill_failed_when_a_seats_backfill_stops_for_good() {
    assert_eq!(
        one(&backfill_failed()),
        Fact::BackfillFailed {
            contract_id: CONTRACT.into(),
            seat_id: SEAT_ID.into(),
            user_id: Some(USER.into()),
        }
    );
}

#[test]
fn backfill_queued_or_running_is_no_event_and_a_restarted_backfill_completes_again() {
    // Started by the link, then running: nothing yet.
    assert_eq!(
        facts(&modify(
            &seat_key(),
            linked_seat(USER),
            seat_backfilling("queued")
        )),
        vec![]
    );
    assert_eq!(
        facts(&modify(
            &seat_key(),
            seat_backfilling("queued"),
            seat_backfilling("running")
        )),
        vec![]
    );
    // An admin's re-import of a window replaces a done back-fill; it completes again.
    assert_eq!(
        facts(&modify(
            &seat_key(),
            seat_backfilling("done"),
            seat_backfilling("queued")
        )),
        vec![]
    );
    assert_eq!(
        facts(&modify(
            &seat_key(),
            seat_backfilling("queued"),
            seat_backfilling("done")
        ))
        .len(),
        1
    );
}

#[test]
fn sync_record_rejected_when_a_sync_error_is_stored() {
    assert_eq!(
        one(&sync_record_rejected()),
        Fact::SyncRecordRejected {
            record_kind: RecordKind::Candidate,
            record_id: candidate_id(),
            origin: ErrorOrigin::Validation,
        }
    );
    let note_id = RecordKind::candidate_note_id(&candidate_id(), "n-1");
    let refused = insert(
        &sync_error_key("candidateNote", &note_id),
        sync_error("candidateNote", &note_id, "linkedIn"),
    );
    assert_eq!(
        one(&refused),
        Fact::SyncRecordRejected {
            record_kind: RecordKind::CandidateNote,
            record_id: note_id,
            origin: ErrorOrigin::LinkedIn,
        }
    );
}

#[test]
fn sync_error_cleared_when_a_sync_error_is_removed() {
    assert_eq!(
        one(&sync_error_cleared()),
        Fact::SyncErrorCleared {
            record_kind: RecordKind::Candidate,
            record_id: candidate_id(),
        }
    );
}

#[test]
fn profile_closed_when_a_closed_profile_is_flagged_once() {
    assert_eq!(
        one(&profile_closed()),
        Fact::ProfileClosed {
            candidate_id: candidate_id()
        }
    );
    // The opt-in deletion marks the flag; `CandidateDeleted` comes from the candidate's removal.
    let deleted = with(&purged(), json!({ "deletedAt": NOW + 1_000 }));
    assert_eq!(facts(&modify(&purged_key(), purged(), deleted)), vec![]);
}

#[test]
fn the_records_above_make_every_event_type() {
    let made: std::collections::BTreeSet<&str> = PRODUCERS
        .iter()
        .flat_map(|producer| events_of(&producer()))
        .map(|e| e.detail_type())
        .collect();
    let all: std::collections::BTreeSet<&str> = Fact::NAMES.into_iter().collect();
    assert_eq!(made, all);
}

// ---- writes that are no fact ------------------------------------------------------------------

fn assert_rewrite_is_no_event(key: &Key, item: Value) {
    assert_eq!(facts(&rewrite(key, item)), vec![], "{}", key.sk);
}

#[test]
fn a_candidate_written_again_unchanged_makes_no_event() {
    assert_rewrite_is_no_event(&candidate_key(), candidate("LinkedIn"));
}

#[test]
fn a_candidate_changed_by_the_ats_or_given_an_application_summary_makes_no_event() {
    let summary = keys::application_summary_attr(&application_id());
    let summarised = with(
        &candidate("LinkedIn"),
        json!({ summary: keys::application_summary(Some(CONTRACT), NOW) }),
    );
    assert_eq!(
        facts(&modify(&candidate_key(), candidate("LinkedIn"), summarised)),
        vec![]
    );
    let renamed = with(&candidate("Ats"), json!({ "lastName": "King" }));
    assert_eq!(
        facts(&modify(&candidate_key(), candidate("Ats"), renamed)),
        vec![]
    );
}

#[test]
fn activity_written_again_unchanged_makes_no_event() {
    assert_rewrite_is_no_event(&inmail_key(), inmail(Some(&application_id())));
    assert_rewrite_is_no_event(&inmail_key(), inmail(None));
    assert_rewrite_is_no_event(&note_key(), note(Some(&application_id()), NOW));
}

#[test]
fn a_contact_share_written_again_unchanged_makes_no_event() {
    assert_rewrite_is_no_event(&contact_share_key(), contact_share());
}

#[test]
fn a_seat_written_again_unchanged_makes_no_event() {
    assert_rewrite_is_no_event(&seat_key(), linked_seat(USER));
    assert_rewrite_is_no_event(&seat_key(), seat_backfilling("done"));
    assert_rewrite_is_no_event(&seat_key(), seat_backfilling("failed"));
}

#[test]
fn an_export_record_written_again_unchanged_makes_no_event() {
    assert_rewrite_is_no_event(&export_key(), export_record("skipped", Some("unknown_job")));
    assert_rewrite_is_no_event(&export_key(), pending_lead());
    assert_rewrite_is_no_event(&export_key(), held_export());
}

#[test]
fn a_sync_error_written_again_unchanged_makes_no_event() {
    let key = sync_error_key("candidate", &candidate_id());
    let error = sync_error("candidate", &candidate_id(), "validation");
    assert_rewrite_is_no_event(&key, error.clone());
    // Still rejected at the next sync, for another reason: not repeated.
    let again = with(
        &error,
        json!({ "message": "LinkedIn answered 422", "origin": "linkedIn", "at": NOW + 60_000 }),
    );
    assert_eq!(facts(&modify(&key, error, again)), vec![]);
}

#[test]
fn items_of_insert_only_kinds_written_again_make_no_event() {
    assert_rewrite_is_no_event(&application_key(), exported_application(SEAT_URN));
    let (key, item) = contract_event(2, Some("Active"), "Expired", "ExpiryDate");
    assert_rewrite_is_no_event(&key, item);
    assert_rewrite_is_no_event(&purged_key(), purged());
}

#[test]
fn candidates_and_applications_the_ats_created_make_no_import_events() {
    assert_eq!(facts(&insert(&candidate_key(), candidate("Ats"))), vec![]);
    let application = json!({
        "tenantId": TENANT,
        "applicationId": "ats-app-1",
        "candidateId": candidate_id(),
        "jobId": JOB,
        "source": "Ats",
        "sourceName": "Referral",
        "createdAt": NOW,
        "updatedAt": NOW,
    });
    let key = keys::application(TENANT, &candidate_id(), "ats-app-1");
    assert_eq!(facts(&insert(&key, application)), vec![]);
}

#[test]
fn a_seat_relinked_to_another_user_is_unlinked_then_linked() {
    let record = modify(&seat_key(), linked_seat(USER), linked_seat("u-katherine"));
    let events = events_of(&record);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].event_id, EVENT_ID);
    assert_eq!(
        events[0].fact,
        Fact::SeatUnlinked {
            contract_id: CONTRACT.into(),
            seat_id: SEAT_ID.into(),
            user_id: USER.into(),
        }
    );
    assert_eq!(events[1].event_id, format!("{EVENT_ID}.1"));
    assert_eq!(
        events[1].fact,
        Fact::SeatLinked {
            contract_id: CONTRACT.into(),
            seat_id: SEAT_ID.into(),
            user_id: "u-katherine".into(),
        }
    );
    for e in &events {
        assert_eq!(
            (e.tenant_id.as_str(), e.occurred_at.as_str()),
            (TENANT, "2026-12-02T02:44:47.000Z")
        );
    }
}

#[test]
fn an_exporter_named_by_member_urn_is_left_out_of_application_created() {
    let fact = one(&insert(
        &application_key(),
        exported_application("urn:li:person:grace"),
    ));
    assert_eq!(
        fact,
        Fact::ApplicationCreated {
            candidate_id: candidate_id(),
            application_id: application_id(),
            job_id: JOB.into(),
            contract_id: Some(CONTRACT.into()),
            exported_by: None,
        }
    );
    let published = serde_json::to_value(&fact).unwrap();
    assert!(published.get("exportedBy").is_none(), "{published}");
    assert!(!published.to_string().contains("urn:li:person"));
}

#[test]
fn a_seat_lease_or_cursor_update_makes_no_event() {
    let linked = linked_seat(USER);
    let leased = with(
        &linked,
        json!({ "leaseUntil": NOW + 900_000, "leaseOwner": "5e0c9a7b-2f1d-4e3c-8b6a-0d9f8e7c6b5a" }),
    );
    assert_eq!(facts(&modify(&seat_key(), linked, leased.clone())), vec![]);
    // The poll ends: cursors moved, the lease freed, the poll time recorded.
    let polled = with(
        &leased,
        json!({
            "leaseUntil": 0,
            "cursorInmails": NOW + 1_800_000,
            "cursorNotes": NOW + 1_800_000,
            "cursorStubs": NOW + 1_800_000,
            "lastPolledAt": NOW + 1_800_000,
            "importedByHour": { "498938": 3 },
        }),
    );
    assert_eq!(facts(&modify(&seat_key(), leased, polled.clone())), vec![]);
    // A back-fill step moves its own cursors.
    let stepped = with(
        &with(
            &polled,
            json!({ "backfill": seat_backfilling("running")["backfill"] }),
        ),
        json!({ "backfillInmails": NOW - 86_400_000 }),
    );
    let further = with(&stepped, json!({ "backfillInmails": NOW - 3_600_000 }));
    assert_eq!(facts(&modify(&seat_key(), stepped, further)), vec![]);
    // The hourly seat sync records the seat as LinkedIn lists it.
    let relisted = with(
        &listed_seat(),
        json!({ "listedAt": NOW, "updatedAt": NOW, "state": "INACTIVE" }),
    );
    assert_eq!(facts(&modify(&seat_key(), listed_seat(), relisted)), vec![]);
    // Its first listing is no link either.
    assert_eq!(facts(&insert(&seat_key(), listed_seat())), vec![]);
}

#[test]
fn items_the_mapping_does_not_know_make_no_event() {
    let feed_entry = json!({
        "eventId": EVENT_ID,
        "event": serde_json::to_string(&events_of(&candidate_imported())[0]).unwrap(),
        "ttl": CREATED_S + 30 * 86_400,
    });
    let unknown: Vec<(Key, Value)> = vec![
        (
            keys::sync_state(TENANT),
            json!({ "changeSeq": 12, "leaseUntil": NOW, "leaseOwner": "x" }),
        ),
        (
            keys::tenant(TENANT),
            json!({ "tenantId": TENANT, "name": "Acme", "organization": "urn:li:organization:1",
                    "clientId": "abc", "createdAt": NOW, "updatedAt": NOW }),
        ),
        (keys::change(TENANT, 5), feed_entry),
        (keys::changes_head(TENANT), json!({ "seq": 5 })),
        (
            keys::change_seen(TENANT, EVENT_ID),
            json!({ "eventId": EVENT_ID, "ttl": CREATED_S + 2 * 86_400 }),
        ),
        (
            keys::contract(TENANT, CONTRACT),
            json!({ "tenantId": TENANT, "contractId": CONTRACT, "status": "Active", "events": 1,
                    "connectedAt": NOW, "updatedAt": NOW }),
        ),
        (
            keys::contract_stats(TENANT, CONTRACT),
            json!({ "exports": 3, "inmails": 7, "notes": 1, "contactShares": 1 }),
        ),
        (
            keys::note(TENANT, &candidate_id(), Some(&application_id()), "n-1"),
            json!({ "tenantId": TENANT, "noteId": "n-1", "candidateId": candidate_id(),
                    "applicationId": application_id(), "text": "ATS note",
                    "authorUserId": USER, "createdAt": NOW, "updatedAt": NOW }),
        ),
        (
            keys::application_ref(TENANT, &application_id()),
            json!({ "candidateId": candidate_id() }),
        ),
        (
            keys::user(TENANT, USER),
            json!({ "tenantId": TENANT, "userId": USER, "email": "grace@example.com",
                    "firstName": "Grace", "lastName": "Hopper", "createdAt": NOW,
                    "updatedAt": NOW }),
        ),
        (
            keys::unprocessed(TENANT, "inmails", CONTRACT, SEAT_ID, "r-1"),
            json!({ "tenantId": TENANT, "contractId": CONTRACT, "seatId": SEAT_ID,
                    "stream": "inmails", "recordId": "r-1", "raw": "{}", "reason": "no member",
                    "seenAt": NOW }),
        ),
        (
            keys::dead_letter(TENANT, NOW, "m-1"),
            json!({ "messageId": "m-1", "source": "exports-dlq", "reason": "boom", "at": NOW,
                    "ttl": CREATED_S }),
        ),
    ];
    for (key, item) in unknown {
        for record in [
            insert(&key, item.clone()),
            modify(&key, item.clone(), with(&item, json!({ "touched": NOW }))),
            remove(&key, item),
        ] {
            assert_eq!(facts(&record), vec![], "{} {}", key.pk, key.sk);
        }
    }
}

#[test]
fn a_known_kind_missing_a_required_field_makes_no_event() {
    let cases: Vec<(&str, EventRecord)> = vec![
        (
            "candidate without candidateId",
            insert(
                &candidate_key(),
                with(&candidate("LinkedIn"), json!({ "candidateId": null })),
            ),
        ),
        (
            "candidate with an empty candidateId",
            remove(
                &candidate_key(),
                with(&candidate("LinkedIn"), json!({ "candidateId": "" })),
            ),
        ),
        (
            "candidate whose candidateId is no string",
            insert(
                &candidate_key(),
                with(&candidate("LinkedIn"), json!({ "candidateId": true })),
            ),
        ),
        (
            "application without jobId",
            insert(
                &application_key(),
                with(&exported_application(SEAT_URN), json!({ "jobId": null })),
            ),
        ),
        (
            "skipped export without reason",
            modify(
                &export_key(),
                export_claim(),
                export_record("skipped", None),
            ),
        ),
        (
            "skipped export with an unknown reason",
            modify(
                &export_key(),
                export_claim(),
                export_record("skipped", Some("bored")),
            ),
        ),
        (
            "pending lead without requestId",
            modify(
                &export_key(),
                export_claim(),
                with(&pending_lead(), json!({ "requestId": null })),
            ),
        ),
        (
            "pending lead with an empty job",
            modify(
                &export_key(),
                export_claim(),
                with(&pending_lead(), json!({ "jobId": "" })),
            ),
        ),
        (
            "activity of an unknown kind",
            insert(
                &inmail_key(),
                with(&inmail(None), json!({ "kind": "call" })),
            ),
        ),
        (
            "activity without kind",
            remove(
                &note_key(),
                with(&note(None, NOTE_AT), json!({ "kind": null })),
            ),
        ),
        (
            "InMail without direction",
            insert(
                &inmail_key(),
                with(&inmail(None), json!({ "direction": null })),
            ),
        ),
        (
            "note without seat",
            insert(
                &note_key(),
                with(&note(None, NOTE_AT), json!({ "seat": null })),
            ),
        ),
        (
            "contact share without seat",
            insert(
                &contact_share_key(),
                with(&contact_share(), json!({ "seat": null })),
            ),
        ),
        ("contract event without to", {
            let (key, item) = contract_event(3, Some("Active"), "Expired", "Admin");
            insert(&key, with(&item, json!({ "to": null })))
        }),
        ("contract event with an unknown status", {
            let (key, item) = contract_event(3, Some("Active"), "Paused", "Admin");
            insert(&key, item)
        }),
        (
            "seat without seatId",
            modify(
                &seat_key(),
                with(&listed_seat(), json!({ "seatId": null })),
                with(&linked_seat(USER), json!({ "seatId": null })),
            ),
        ),
        (
            "seat whose backfill is no map",
            modify(
                &seat_key(),
                linked_seat(USER),
                with(&linked_seat(USER), json!({ "backfill": "done" })),
            ),
        ),
        (
            "sync error of an unknown kind",
            insert(
                &sync_error_key("stage", "x"),
                sync_error("widget", "x", "validation"),
            ),
        ),
        (
            "sync error without origin",
            insert(
                &sync_error_key("job", JOB),
                with(
                    &sync_error("job", JOB, "validation"),
                    json!({ "origin": null }),
                ),
            ),
        ),
        (
            "closed-profile flag without candidateId",
            insert(
                &purged_key(),
                with(&purged(), json!({ "candidateId": null })),
            ),
        ),
    ];
    for (case, record) in cases {
        assert_eq!(facts(&record), vec![], "{case}");
    }
}

#[test]
fn a_record_without_keys_or_images_makes_no_event() {
    let mut record = record_json("MODIFY", &candidate_key(), None, None);
    assert_eq!(facts(&parse(record.clone())), vec![]);
    record["dynamodb"]["Keys"] = json!({});
    record["dynamodb"]["NewImage"] = image(&candidate_key(), candidate("LinkedIn"));
    assert_eq!(facts(&parse(record)), vec![]);
}

#[test]
fn the_tenant_id_comes_from_the_partition_key() {
    // The image says otherwise: the key is what the store wrote it under.
    let key = keys::candidate("acme-eu.1", &candidate_id());
    let item = with(&candidate("LinkedIn"), json!({ "tenantId": "globex" }));
    let events = events_of(&insert(&key, item));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].tenant_id, "acme-eu.1");
    // In the tenant partition (no `#` after the tenant id) too.
    let key = keys::seat("acme-eu.1", CONTRACT, SEAT_ID);
    let linked = with(&linked_seat(USER), json!({ "tenantId": "globex" }));
    let events = events_of(&modify(&key, listed_seat(), linked));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].tenant_id, "acme-eu.1");
    // And in a contract's own partition.
    let (mut key, item) = contract_event(1, None, "Active", "Admin");
    key.pk = keys::contract_events_partition("acme-eu.1", CONTRACT);
    assert_eq!(events_of(&insert(&key, item))[0].tenant_id, "acme-eu.1");
}

#[test]
fn occurred_at_is_rfc3339_utc_with_milliseconds() {
    let mut record = record_json(
        "INSERT",
        &candidate_key(),
        None,
        Some(candidate("LinkedIn")),
    );
    assert_eq!(
        events_of(&parse(record.clone()))[0].occurred_at,
        "2026-12-02T02:44:47.000Z"
    );
    // Lambda may write the seconds as a float (`1.796179487E9`).
    record["dynamodb"]["ApproximateCreationDateTime"] = json!(1.796_179_5e9);
    let at = events_of(&parse(record))[0].occurred_at.clone();
    assert_eq!(at, "2026-12-02T02:45:00.000Z");
    let parsed = chrono::DateTime::parse_from_rfc3339(&at).expect("RFC 3339");
    assert_eq!(parsed.offset().local_minus_utc(), 0);
    assert_eq!(at.len(), "2026-12-02T02:45:00.000Z".len());
}

#[test]
fn sort_key_prefixes_cover_every_item_kind_that_makes_events() {
    // Between them, the records of `PRODUCERS` are of every item kind that makes events.
    for record in PRODUCERS.map(|producer| producer()) {
        assert!(!events_of(&record).is_empty());
        let sk = text(&record.change.keys, keys::SK).expect("a sort key");
        assert!(
            SORT_KEY_PREFIXES.iter().any(|p| sk.starts_with(p)),
            "the stream filter would drop {sk}"
        );
    }
}
