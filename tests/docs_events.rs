//! docs/events.md describes every event for the ATS with a JSON Schema (a ```json block right
//! under `### <EventType>`). This test keeps the page and `shared::events` in step: every event
//! type has a schema and nothing else does; events of every type, with all their optional fields
//! and with none, fit their schema exactly; and the example events on the page are real events
//! that fit theirs.
//!
//! It checks what the schemas on that page use (`properties`, `required`, `type`, `const`,
//! `enum`), not all of JSON Schema.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use shared::domain::{ContractStatus, Direction, ErrorOrigin, RecordKind, SkipReason, StatusCause};
use shared::events::{ActivityType, Event, Fact, SCHEMA_VERSION};

const PAGE: &str = include_str!("../docs/events.md");

const ENVELOPE: [&str; 5] = ["eventId", "schemaVersion", "tenantId", "occurredAt", "type"];

#[test]
fn every_event_type_has_a_schema_and_nothing_else_does() {
    let documented: BTreeSet<String> = schemas().into_keys().collect();
    let in_code: BTreeSet<String> = Fact::NAMES.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        documented, in_code,
        "docs/events.md has a schema (### <EventType> then a json block) for each event type"
    );
}

#[test]
fn every_schema_is_a_closed_object_with_the_envelope() {
    for (name, schema) in schemas() {
        assert_eq!(schema["$id"], name.as_str(), "$id of {name}");
        assert_eq!(schema["type"], "object", "type of {name}");
        assert_eq!(
            schema["additionalProperties"], false,
            "additionalProperties of {name}"
        );
        let properties = &schema["properties"];
        assert_eq!(
            properties["type"]["const"],
            name.as_str(),
            "the type const of {name}"
        );
        assert_eq!(
            properties["schemaVersion"]["const"], SCHEMA_VERSION,
            "schemaVersion of {name}"
        );
        let required = names(&schema["required"]);
        for field in ENVELOPE {
            assert!(required.contains(field), "{name} requires {field}");
        }
        for field in &required {
            assert!(
                properties.get(field).is_some(),
                "{name} requires {field} without describing it"
            );
        }
    }
}

#[test]
fn events_of_every_type_fit_their_schema() {
    let schemas = schemas();
    let full = samples(true);
    let bare = samples(false);
    let sampled: BTreeSet<&str> = full.iter().map(Fact::name).collect();
    let missing: Vec<&str> = Fact::NAMES
        .into_iter()
        .filter(|n| !sampled.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "add samples of {missing:?} to this test"
    );

    // Every value an enum-valued field took, to compare with the schema's `enum`.
    let mut seen: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let facts = full.into_iter().map(|f| (f, true));
    for (fact, with_optional) in facts.chain(bare.into_iter().map(|f| (f, false))) {
        let name = fact.name();
        let json = serde_json::to_value(event(fact)).unwrap();
        let schema = &schemas[name];
        let misfits = misfits(&json, schema);
        assert!(
            misfits.is_empty(),
            "{name} does not fit its schema: {misfits:?}\n{json}"
        );

        // Exactly what is documented: all properties when every optional field is set, only
        // the required ones when none is.
        let keys: BTreeSet<String> = json.as_object().unwrap().keys().cloned().collect();
        let expected: BTreeSet<String> = if with_optional {
            schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        } else {
            names(&schema["required"])
        };
        assert_eq!(
            keys, expected,
            "the fields of {name} (optional ones set: {with_optional})"
        );

        for (field, value) in json.as_object().unwrap() {
            if schema["properties"][field].get("enum").is_some() {
                seen.entry((name.to_owned(), field.clone()))
                    .or_default()
                    .insert(value.to_string());
            }
        }
    }
    for (name, schema) in &schemas {
        for (field, property) in schema["properties"].as_object().unwrap() {
            let Some(listed) = property.get("enum").and_then(Value::as_array) else {
                continue;
            };
            let listed: BTreeSet<String> = listed.iter().map(Value::to_string).collect();
            let sent = seen
                .remove(&(name.clone(), field.clone()))
                .unwrap_or_default();
            assert_eq!(
                listed, sent,
                "the values of {name}.{field}: documented, then sent"
            );
        }
    }
}

#[test]
fn the_examples_on_the_page_are_events_that_fit_their_schema() {
    let schemas = schemas();
    let mut examples = Vec::new();
    for (heading, block) in json_blocks() {
        if heading.is_none() {
            events_in(&block, &mut examples);
        }
    }
    assert!(examples.len() >= 3, "docs/events.md shows example events");
    for example in examples {
        let event: Event = serde_json::from_value(example.clone())
            .unwrap_or_else(|e| panic!("an example is not an event ({e}): {example}"));
        let misfits = misfits(&example, &schemas[event.detail_type()]);
        assert!(
            misfits.is_empty(),
            "an example does not fit its schema: {misfits:?}\n{example}"
        );
    }
}

/// The schemas of the page by event type: the json blocks right under a `### ` heading.
fn schemas() -> BTreeMap<String, Value> {
    let mut schemas = BTreeMap::new();
    for (heading, block) in json_blocks() {
        if let Some(name) = heading {
            assert!(
                schemas.insert(name.clone(), block).is_none(),
                "two schemas for {name}"
            );
        }
    }
    schemas
}

/// Every ```json block of the page, with the `### ` heading right above it (only blank lines
/// between), if there is one.
fn json_blocks() -> Vec<(Option<String>, Value)> {
    let mut blocks = Vec::new();
    let mut heading = None;
    let mut lines = PAGE.lines();
    while let Some(line) = lines.next() {
        let line = line.trim_end();
        if let Some(title) = line.strip_prefix("### ") {
            heading = Some(title.trim().to_owned());
        } else if line == "```json" {
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| l.trim_end() != "```")
                .collect();
            let body = body.join("\n");
            let block = serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("a json block is not JSON ({e}):\n{body}"));
            blocks.push((heading.take(), block));
        } else if !line.is_empty() {
            heading = None;
        }
    }
    blocks
}

/// The events inside an example (an event, EventBridge's envelope, a page of the feed): the
/// objects with a string `eventId`.
fn events_in(value: &Value, found: &mut Vec<Value>) {
    match value {
        Value::Object(object) if object.get("eventId").is_some_and(Value::is_string) => {
            found.push(value.clone())
        }
        Value::Object(object) => object.values().for_each(|v| events_in(v, found)),
        Value::Array(items) => items.iter().for_each(|v| events_in(v, found)),
        _ => {}
    }
}

/// What in an event's JSON its schema does not allow.
fn misfits(event: &Value, schema: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let fields = event.as_object().expect("an event is a JSON object");
    for (field, value) in fields {
        match schema["properties"].get(field) {
            None => found.push(format!("{field} is not in the schema")),
            Some(property) => {
                found.extend(misfit(value, property).map(|m| format!("{field}: {m}")))
            }
        }
    }
    for field in names(&schema["required"]) {
        if !fields.contains_key(&field) {
            found.push(format!("the required {field} is missing"));
        }
    }
    found
}

fn misfit(value: &Value, property: &Value) -> Option<String> {
    let fits_type = match property.get("type").and_then(Value::as_str) {
        None => true,
        Some("string") => value.is_string(),
        Some("integer") => value.is_u64() || value.is_i64(),
        Some(other) => panic!("the schemas use the type {other}, which this test does not check"),
    };
    if !fits_type {
        return Some(format!("{value} is not a {}", property["type"]));
    }
    if let Some(constant) = property.get("const")
        && value != constant
    {
        return Some(format!("{value} is not {constant}"));
    }
    if let Some(values) = property.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        return Some(format!("{value} is not one of {values:?}"));
    }
    None
}

fn names(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .expect("a list of field names")
        .iter()
        .map(|n| n.as_str().expect("a field name").to_owned())
        .collect()
}

fn event(fact: Fact) -> Event {
    Event {
        event_id: "c81e728d9d4c2f636f067f89cc14862c.1".into(),
        schema_version: SCHEMA_VERSION,
        tenant_id: "acme".into(),
        occurred_at: "2026-05-04T09:30:00.000Z".into(),
        fact,
    }
}

/// Every value of an enum. The match stops compiling when the enum gains a value, so a new
/// value cannot go unchecked.
macro_rules! every {
    ($enum:ident: $($value:ident),+ $(,)?) => {{
        let _all_listed = |v: $enum| match v { $($enum::$value)|+ => {} };
        vec![$($enum::$value),+]
    }};
}

/// Facts of every type, and every value of their enum-valued fields; with every optional field
/// set (`full`) or none.
fn samples(full: bool) -> Vec<Fact> {
    let id = |s: &str| s.to_owned();
    let maybe = |s: &str| full.then(|| s.to_owned());
    let statuses = every!(ContractStatus: Active, Expired, Disabled);
    let kinds = every!(RecordKind: Job, Candidate, Application, Stages, Stage, CandidateNote,
        ApplicationNote, InterviewFeedback, HiringTeam);

    let mut facts = vec![
        Fact::CandidateImported {
            candidate_id: id("li-c"),
        },
        Fact::CandidateDeleted {
            candidate_id: id("li-c"),
        },
        Fact::ApplicationCreated {
            candidate_id: id("li-c"),
            application_id: id("li-a"),
            job_id: id("job-1"),
            contract_id: maybe("5678"),
            exported_by: maybe("urn:li:seat:9001"),
        },
        Fact::ExportAwaitingSeat {
            request_id: id("r-1"),
            contract_id: id("5678"),
            job_id: id("job-1"),
            exported_by: maybe("urn:li:seat:9001"),
        },
        Fact::ExportHeld {
            request_id: id("r-1"),
        },
        Fact::NoteImported {
            candidate_id: id("li-c"),
            activity_id: id("n-1"),
            contract_id: id("5678"),
            seat: id("urn:li:seat:9001"),
            application_id: maybe("li-a"),
        },
        Fact::NoteUpdated {
            candidate_id: id("li-c"),
            activity_id: id("n-1"),
            contract_id: id("5678"),
            seat: id("urn:li:seat:9001"),
            application_id: maybe("li-a"),
        },
        Fact::NoteDeleted {
            candidate_id: id("li-c"),
            activity_id: id("n-1"),
        },
        Fact::ContactInfoShared {
            candidate_id: id("li-c"),
            share_id: id("s-1"),
            contract_id: id("5678"),
            seat: id("urn:li:seat:9001"),
            emails: 1,
            phones: 2,
        },
        Fact::SeatLinked {
            contract_id: id("5678"),
            seat_id: id("9001"),
            user_id: id("u-1"),
        },
        Fact::SeatUnlinked {
            contract_id: id("5678"),
            seat_id: id("9001"),
            user_id: id("u-1"),
        },
        Fact::BackfillCompleted {
            contract_id: id("5678"),
            seat_id: id("9001"),
            user_id: maybe("u-1"),
        },
        Fact::BackfillFailed {
            contract_id: id("5678"),
            seat_id: id("9001"),
            user_id: maybe("u-1"),
        },
        Fact::ProfileClosed {
            candidate_id: id("li-c"),
        },
    ];
    facts.extend(
        every!(SkipReason: UnknownJob, ContractNotConnected, ContractInactive, SeatNotLinked,
            LinkedInInactive)
        .into_iter()
        .map(|reason| Fact::ExportSkipped {
            request_id: id("r-1"),
            reason,
            contract_id: maybe("5678"),
            job_id: maybe("job-1"),
        }),
    );
    facts.extend(
        every!(Direction: Sent, Received)
            .into_iter()
            .map(|direction| Fact::InMailImported {
                candidate_id: id("li-c"),
                activity_id: id("m-1"),
                contract_id: id("5678"),
                seat: id("urn:li:seat:9001"),
                direction,
                application_id: maybe("li-a"),
            }),
    );
    facts.extend(
        every!(ActivityType: InMail, Note)
            .into_iter()
            .map(|activity| Fact::ActivityAttached {
                candidate_id: id("li-c"),
                activity_id: id("m-1"),
                application_id: id("li-a"),
                activity,
            }),
    );
    let causes = every!(StatusCause: Admin, ExpiryDate, LinkedIn);
    for (i, to) in statuses.iter().enumerate() {
        facts.push(Fact::ContractStatusChanged {
            contract_id: id("5678"),
            seq: i as u64 + 1,
            from: full.then_some(*to),
            to: *to,
            cause: causes[i % causes.len()],
        });
    }
    for cause in causes {
        facts.push(Fact::ContractStatusChanged {
            contract_id: id("5678"),
            seq: 9,
            from: full.then_some(ContractStatus::Active),
            to: ContractStatus::Expired,
            cause,
        });
    }
    for origin in every!(ErrorOrigin: Validation, LinkedIn) {
        for kind in &kinds {
            facts.push(Fact::SyncRecordRejected {
                record_kind: *kind,
                record_id: id("r"),
                origin,
            });
        }
    }
    for kind in kinds {
        facts.push(Fact::SyncErrorCleared {
            record_kind: kind,
            record_id: id("r"),
        });
    }
    facts
}
