//! From one change of the table (a DynamoDB stream record, with the item as it was before and
//! after) to the events it stands for. Most changes stand for none (a lease renewed, a cursor
//! moved); a fact is a transition (an item that appears, goes, or changes a field that matters),
//! so writing the same item again never makes a second event.
//!
//! An event's id is the stream record's `eventID`, which stays the same however often the record
//! is delivered; a second event from the same record gets `.1` after it.

use aws_lambda_events::event::dynamodb::EventRecord;
use serde::de::DeserializeOwned;
use serde_dynamo::{AttributeValue, Item};

use super::{ActivityType, Event, Fact, SCHEMA_VERSION};
use crate::domain::{BackfillState, ExportStatus, Source};
use crate::keys;

/// The sort keys (by prefix) of the items whose changes can be events. The publisher's stream
/// filter in template.yaml lets through exactly these (a test keeps the two in step), so the
/// function is not woken for the sync state, tombstones or the feed's own items. A seat's poll
/// lease and cursors live on the seat item, so each seat poll's two writes do wake it (and make
/// no event): docs/scale.md counts them.
pub const SORT_KEY_PREFIXES: [&str; 9] = [
    "CANDIDATE",
    keys::APPLICATION_PREFIX,
    "EXPORT",
    keys::ACTIVITY_PREFIX,
    keys::CONTACT_PREFIX,
    keys::CONTRACT_EVENT_PREFIX,
    keys::SEAT_PREFIX,
    keys::SYNC_ERROR_PREFIX,
    keys::PURGED_PREFIX,
];

/// The events one stream record stands for, oldest fact first.
pub fn events_of(record: &EventRecord) -> Vec<Event> {
    let change = Change {
        old: present(&record.change.old_image),
        new: present(&record.change.new_image),
    };
    let (Some(pk), Some(sk)) = (
        text(&record.change.keys, keys::PK),
        text(&record.change.keys, keys::SK),
    ) else {
        return Vec::new();
    };
    let Some(tenant) = pk
        .strip_prefix("TENANT#")
        .and_then(|rest| rest.split('#').next())
    else {
        return Vec::new();
    };
    let facts = facts(&pk, &sk, &change);
    let occurred_at = record
        .change
        .approximate_creation_date_time
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    facts
        .into_iter()
        .enumerate()
        .map(|(i, fact)| Event {
            event_id: match i {
                0 => record.event_id.clone(),
                n => format!("{}.{n}", record.event_id),
            },
            schema_version: SCHEMA_VERSION,
            tenant_id: tenant.to_owned(),
            occurred_at: occurred_at.clone(),
            fact,
        })
        .collect()
}

/// An item before and after the change (`None`: it did not exist).
struct Change<'a> {
    old: Option<&'a Item>,
    new: Option<&'a Item>,
}

impl Change<'_> {
    /// The item as it is now, or as it was if the change removed it.
    fn latest(&self) -> Option<&Item> {
        self.new.or(self.old)
    }

    fn inserted(&self) -> Option<&Item> {
        self.old.is_none().then_some(self.new).flatten()
    }

    fn removed(&self) -> Option<&Item> {
        self.new.is_none().then_some(self.old).flatten()
    }

    /// The field after the change, if it differs from before.
    fn changed<T: DeserializeOwned + PartialEq>(&self, name: &str) -> Option<T> {
        let after = self.new.and_then(|i| field::<T>(i, name))?;
        let before = self.old.and_then(|i| field::<T>(i, name));
        (before.as_ref() != Some(&after)).then_some(after)
    }
}

fn facts(pk: &str, sk: &str, change: &Change) -> Vec<Fact> {
    if change.latest().is_none() {
        return Vec::new();
    }
    let facts = if sk == "CANDIDATE" {
        candidate(change)
    } else if sk.starts_with(keys::APPLICATION_PREFIX) {
        application(change)
    } else if sk == "EXPORT" && pk.contains("#EXPORT#") {
        export(change)
    } else if sk.starts_with(keys::ACTIVITY_PREFIX) {
        activity(change)
    } else if sk.starts_with(keys::CONTACT_PREFIX) {
        contact_share(change)
    } else if sk.starts_with(keys::CONTRACT_EVENT_PREFIX) && pk.contains("#CONTRACT#") {
        contract_event(change)
    } else if sk.starts_with(keys::SEAT_PREFIX) {
        seat(change)
    } else if sk.starts_with(keys::SYNC_ERROR_PREFIX) {
        sync_error(change)
    } else if sk.starts_with(keys::PURGED_PREFIX) {
        closed_profile(change)
    } else {
        return Vec::new();
    };
    if facts.is_none() {
        // An item of a known kind without the fields its kind always has: say so rather than
        // drop the fact without a trace (the keys hold ids only, never personal data).
        tracing::warn!(pk, sk, "a stored change could not be read as an event");
    }
    facts.unwrap_or_default()
}

/// `None` when the item lacks a field its kind always has; `Some(empty)` when the change is no
/// fact.
type Facts = Option<Vec<Fact>>;

fn candidate(change: &Change) -> Facts {
    if let Some(n) = change.inserted() {
        if field::<Source>(n, "source") != Some(Source::LinkedIn) {
            return Some(Vec::new());
        }
        return Some(vec![Fact::CandidateImported {
            candidate_id: text(n, "candidateId")?,
        }]);
    }
    if let Some(o) = change.removed() {
        return Some(vec![Fact::CandidateDeleted {
            candidate_id: text(o, "candidateId")?,
        }]);
    }
    Some(Vec::new())
}

fn application(change: &Change) -> Facts {
    let Some(n) = change.inserted() else {
        return Some(Vec::new());
    };
    if field::<Source>(n, "source") != Some(Source::LinkedIn) {
        return Some(Vec::new());
    }
    Some(vec![Fact::ApplicationCreated {
        candidate_id: text(n, "candidateId")?,
        application_id: text(n, "applicationId")?,
        job_id: text(n, "jobId")?,
        contract_id: text(n, "contractId"),
        exported_by: seat_urn(n, "exportedBy"),
    }])
}

/// The exporter when it is a seat. LinkedIn may name a recruiter by member URN instead when no
/// seat of theirs is known: that identifies a person, so it stays out of events.
fn seat_urn(item: &Item, name: &str) -> Option<String> {
    text(item, name).filter(|u| u.starts_with("urn:li:seat:"))
}

fn export(change: &Change) -> Facts {
    let Some(status) = change.changed::<ExportStatus>("status") else {
        return Some(Vec::new());
    };
    let n = change.new?;
    let request_id = text(n, "requestId")?;
    let fact = match status {
        ExportStatus::Imported => return Some(Vec::new()),
        ExportStatus::Skipped => Fact::ExportSkipped {
            request_id,
            reason: field(n, "reason")?,
            contract_id: text(n, "contractId"),
            job_id: text(n, "jobId"),
        },
        ExportStatus::Pending => Fact::ExportAwaitingSeat {
            request_id,
            contract_id: text(n, "contractId")?,
            job_id: text(n, "jobId")?,
            exported_by: seat_urn(n, "exportedBy"),
        },
        ExportStatus::Held => Fact::ExportHeld { request_id },
    };
    Some(vec![fact])
}

fn activity(change: &Change) -> Facts {
    let item = change.latest()?;
    let candidate_id = text(item, "candidateId")?;
    let activity_id = text(item, "activityId")?;
    let kind = match text(item, "kind")?.as_str() {
        "inMail" => ActivityType::InMail,
        "note" => ActivityType::Note,
        _ => return None,
    };
    if let Some(n) = change.inserted() {
        let contract_id = text(n, "contractId")?;
        let seat = text(n, "seat")?;
        let application_id = text(n, "applicationId");
        return Some(vec![match kind {
            ActivityType::InMail => Fact::InMailImported {
                candidate_id,
                activity_id,
                contract_id,
                seat,
                direction: field(n, "direction")?,
                application_id,
            },
            ActivityType::Note => Fact::NoteImported {
                candidate_id,
                activity_id,
                contract_id,
                seat,
                application_id,
            },
        }]);
    }
    if change.removed().is_some() {
        return Some(match kind {
            ActivityType::Note => vec![Fact::NoteDeleted {
                candidate_id,
                activity_id,
            }],
            ActivityType::InMail => Vec::new(),
        });
    }
    let (o, n) = (change.old?, change.new?);
    let mut facts = Vec::new();
    if text(o, "applicationId").is_none()
        && let Some(application_id) = text(n, "applicationId")
    {
        facts.push(Fact::ActivityAttached {
            candidate_id: candidate_id.clone(),
            activity_id: activity_id.clone(),
            application_id,
            activity: kind,
        });
    }
    if kind == ActivityType::Note && change.changed::<i64>("lastModified").is_some() {
        facts.push(Fact::NoteUpdated {
            candidate_id,
            activity_id,
            contract_id: text(n, "contractId")?,
            seat: text(n, "seat")?,
            application_id: text(n, "applicationId"),
        });
    }
    Some(facts)
}

fn contact_share(change: &Change) -> Facts {
    let Some(n) = change.inserted() else {
        return Some(Vec::new());
    };
    Some(vec![Fact::ContactInfoShared {
        candidate_id: text(n, "candidateId")?,
        share_id: text(n, "shareId")?,
        contract_id: text(n, "contractId")?,
        seat: text(n, "seat")?,
        emails: list_len(n, "emails"),
        phones: list_len(n, "phones"),
    }])
}

fn contract_event(change: &Change) -> Facts {
    let Some(n) = change.inserted() else {
        return Some(Vec::new());
    };
    Some(vec![Fact::ContractStatusChanged {
        contract_id: text(n, "contractId")?,
        seq: field(n, "seq")?,
        from: field(n, "from"),
        to: field(n, "to")?,
        cause: field(n, "cause")?,
    }])
}

fn seat(change: &Change) -> Facts {
    let item = change.latest()?;
    let contract_id = text(item, "contractId")?;
    let seat_id = text(item, "seatId")?;
    let before = change.old.and_then(|o| text(o, "userId"));
    let after = change.new.and_then(|n| text(n, "userId"));
    let mut facts = Vec::new();
    if before != after {
        if let Some(user_id) = before {
            facts.push(Fact::SeatUnlinked {
                contract_id: contract_id.clone(),
                seat_id: seat_id.clone(),
                user_id,
            });
        }
        if let Some(user_id) = after.clone() {
            facts.push(Fact::SeatLinked {
                contract_id: contract_id.clone(),
                seat_id: seat_id.clone(),
                user_id,
            });
        }
    }
    let state = |i: Option<&Item>| {
        i.and_then(|i| i.get("backfill"))
            .and_then(|b| match b {
                AttributeValue::M(m) => m.get("state").cloned(),
                _ => None,
            })
            .and_then(|s| serde_dynamo::from_attribute_value::<_, BackfillState>(s).ok())
    };
    let (was, is) = (state(change.old), state(change.new));
    if was != is {
        match is {
            Some(BackfillState::Done) => facts.push(Fact::BackfillCompleted {
                contract_id,
                seat_id,
                user_id: after,
            }),
            Some(BackfillState::Failed) => facts.push(Fact::BackfillFailed {
                contract_id,
                seat_id,
                user_id: after,
            }),
            _ => {}
        }
    }
    Some(facts)
}

fn sync_error(change: &Change) -> Facts {
    if let Some(n) = change.inserted() {
        return Some(vec![Fact::SyncRecordRejected {
            record_kind: field(n, "kind")?,
            record_id: text(n, "recordId")?,
            origin: field(n, "origin")?,
        }]);
    }
    if let Some(o) = change.removed() {
        return Some(vec![Fact::SyncErrorCleared {
            record_kind: field(o, "kind")?,
            record_id: text(o, "recordId")?,
        }]);
    }
    Some(Vec::new())
}

fn closed_profile(change: &Change) -> Facts {
    let Some(n) = change.inserted() else {
        return Some(Vec::new());
    };
    Some(vec![Fact::ProfileClosed {
        candidate_id: text(n, "candidateId")?,
    }])
}

/// The image, unless the change has none (a stream record carries an empty map for it).
fn present(item: &Item) -> Option<&Item> {
    (!item.is_empty()).then_some(item)
}

fn text(item: &Item, name: &str) -> Option<String> {
    match item.get(name)? {
        AttributeValue::S(s) if !s.is_empty() => Some(s.clone()),
        AttributeValue::N(n) => Some(n.clone()),
        _ => None,
    }
}

fn field<T: DeserializeOwned>(item: &Item, name: &str) -> Option<T> {
    serde_dynamo::from_attribute_value(item.get(name)?.clone()).ok()
}

fn list_len(item: &Item, name: &str) -> usize {
    match item.get(name) {
        Some(AttributeValue::L(l)) => l.len(),
        Some(AttributeValue::Ss(l)) => l.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests;
