//! The decision without a store: [`run`] answers its reads from a [`World`] and records
//! which reads it asked for (each is one DynamoDB request) and what it would write.

use super::*;
use crate::domain::{ContractStatus, ExportedProfile, Source};

const TENANT: &str = "acme";
const NOW: i64 = 1_700_000_000_000;
const MEMBER: &str = "urn:li:person:ada";

fn contract(status: ContractStatus, expires_at: Option<i64>) -> Contract {
    Contract {
        tenant_id: TENANT.into(),
        contract_id: "100".into(),
        status,
        status_cause: None,
        events: 0,
        expires_at,
        connected_at: NOW - 86_400_000,
        updated_at: NOW - 86_400_000,
        linkedin_changes: Default::default(),
    }
}

fn seat(seat_id: &str, user: Option<&str>) -> Seat {
    Seat {
        user_id: user.map(str::to_owned),
        ..Seat::unlisted(TENANT, "100", seat_id)
    }
}

fn export(job_id: &str, exporter: Option<&str>) -> ProfileExport {
    ProfileExport {
        request_id: "req-1".into(),
        contract_id: "100".into(),
        exporter: exporter.map(str::to_owned),
        job_id: job_id.into(),
        exported_at: NOW - 60_000,
        profile: ExportedProfile {
            member: "urn:li:person:candidate-7".into(),
            first_name: "Grace".into(),
            last_name: "Hopper".into(),
            location: Some("Arlington".into()),
            current_company: Some("Navy".into()),
        },
    }
}

/// What the store would answer.
struct World {
    contract: Option<Contract>,
    job_known: bool,
    seat: Option<Seat>,
    seat_after_lead: Option<Seat>,
}

impl Default for World {
    fn default() -> Self {
        Self {
            contract: Some(contract(ContractStatus::Active, None)),
            job_known: true,
            seat: None,
            seat_after_lead: None,
        }
    }
}

/// Runs the decision to its end as `carry_out` does: the reads asked for, then the writes
/// and the final step.
fn run(world: &World, export: &ProfileExport, arrival: Arrival) -> (Vec<Read>, Vec<Step>) {
    let mut facts = Facts::default();
    let (mut reads, mut steps) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        let step = decide(TENANT, export, arrival, &facts, NOW);
        match &step {
            Step::Read(read) => {
                reads.push(read.clone());
                match read {
                    Read::Contract => facts.contract = Some(world.contract.clone()),
                    Read::Job => facts.job_known = Some(world.job_known),
                    Read::Seat(_) => facts.seat = Some(world.seat.clone()),
                    Read::SeatAfterLead(_) => {
                        facts.seat_after_lead = Some(world.seat_after_lead.clone());
                    }
                }
            }
            Step::RecordLead(_) => {
                facts.lead_recorded = true;
                steps.push(step);
            }
            _ => {
                steps.push(step);
                return (reads, steps);
            }
        }
    }
    panic!("the decision did not end: {reads:?} {steps:?}")
}

fn skipped(steps: &[Step]) -> (SkipReason, &ExportRecord, bool) {
    match steps {
        [
            Step::Skip {
                reason,
                record,
                replacing_pending,
            },
        ] => (*reason, record, *replacing_pending),
        other => panic!("expected one skip, got {other:?}"),
    }
}

fn imported(steps: &[Step]) -> &Import {
    match steps.last() {
        Some(Step::Import(import)) => import,
        other => panic!("expected an import, got {other:?}"),
    }
}

#[test]
fn export_under_a_contract_not_connected_is_skipped_after_one_read() {
    let world = World {
        contract: None,
        ..World::default()
    };
    let (reads, steps) = run(&world, &export("job-1", None), Arrival::Fresh);
    assert_eq!(reads, [Read::Contract]);
    let (reason, record, replacing) = skipped(&steps);
    assert_eq!(reason, SkipReason::ContractNotConnected);
    assert_eq!(record.status, ExportStatus::Skipped);
    assert_eq!(record.reason, Some(SkipReason::ContractNotConnected));
    assert_eq!(
        (record.request_id.as_str(), record.job_id.as_str()),
        ("req-1", "job-1")
    );
    assert_eq!(
        (record.candidate_id.as_ref(), record.profile.as_ref()),
        (None, None)
    );
    assert_eq!(
        (record.exported_at, record.recorded_at),
        (NOW - 60_000, NOW)
    );
    assert!(!replacing);
}

#[test]
fn export_under_an_inactive_contract_is_skipped() {
    for inactive in [
        contract(ContractStatus::Disabled, None),
        contract(ContractStatus::Expired, None),
        contract(ContractStatus::Active, Some(NOW)),
    ] {
        let world = World {
            contract: Some(inactive),
            ..World::default()
        };
        let (reads, steps) = run(&world, &export("job-1", None), Arrival::Fresh);
        assert_eq!(reads, [Read::Contract]);
        assert_eq!(skipped(&steps).0, SkipReason::ContractInactive);
    }
}

#[test]
fn export_to_an_unknown_job_is_skipped() {
    let world = World {
        job_known: false,
        ..World::default()
    };
    let (reads, steps) = run(&world, &export("job-9", None), Arrival::Fresh);
    assert_eq!(reads, [Read::Contract, Read::Job]);
    assert_eq!(skipped(&steps).0, SkipReason::UnknownJob);
}

#[test]
fn malformed_job_id_is_skipped_without_reading_the_job_and_recorded_shortened() {
    let long = "j".repeat(300);
    for job_id in ["../jobs", long.as_str()] {
        let (reads, steps) = run(&World::default(), &export(job_id, None), Arrival::Fresh);
        assert_eq!(reads, [Read::Contract]);
        let (reason, record, _) = skipped(&steps);
        assert_eq!(reason, SkipReason::UnknownJob);
        assert_eq!(record.job_id, job_id.chars().take(128).collect::<String>());
    }
}

#[test]
fn export_without_exporter_imports_a_new_candidate_with_an_application() {
    let (reads, steps) = run(&World::default(), &export("job-1", None), Arrival::Fresh);
    assert_eq!(reads, [Read::Contract, Read::Job]);
    assert_eq!(steps.len(), 1);
    let import = imported(&steps);
    let c = &import.candidate;
    assert_eq!(c.member.as_deref(), Some("urn:li:person:candidate-7"));
    assert_eq!(
        (c.first_name.as_str(), c.last_name.as_str()),
        ("Grace", "Hopper")
    );
    assert_eq!(c.location.as_deref(), Some("Arlington"));
    assert_eq!(c.current_company.as_deref(), Some("Navy"));
    assert_eq!((c.source, c.created_at), (Source::LinkedIn, NOW));
    assert!(
        c.emails.is_empty() && c.phones.is_empty(),
        "an export brings no contact data"
    );
    let a = &import.application;
    assert_eq!(
        (a.candidate_id.as_str(), a.job_id.as_str()),
        (c.candidate_id.as_str(), "job-1")
    );
    assert_eq!(
        (a.source, a.contract_id.as_deref()),
        (Source::LinkedIn, Some("100"))
    );
    let r = &import.record;
    assert_eq!((r.status, r.reason), (ExportStatus::Imported, None));
    assert_eq!(r.candidate_id.as_ref(), Some(&c.candidate_id));
    assert_eq!(r.application_id.as_ref(), Some(&a.application_id));
    assert!(!import.replacing_pending);
    assert_eq!(
        import.outcome(Recorded::Written),
        Outcome::Imported {
            candidate_id: c.candidate_id.clone(),
            application_id: a.application_id.clone(),
            replay: false,
        }
    );
}

#[test]
fn export_by_a_linked_seat_is_imported_naming_the_seat() {
    let world = World {
        seat: Some(seat("501", Some("user-1"))),
        ..World::default()
    };
    let export = export("job-1", Some("urn:li:seat:501"));
    let (reads, steps) = run(&world, &export, Arrival::Fresh);
    assert_eq!(
        reads,
        [
            Read::Contract,
            Read::Job,
            Read::Seat(SeatLookup::Id("501".into()))
        ]
    );
    let import = imported(&steps);
    assert_eq!(
        import.application.exported_by.as_deref(),
        Some("urn:li:seat:501")
    );
    assert_eq!(
        import.record.exported_by.as_deref(),
        Some("urn:li:seat:501")
    );
    assert!(!import.replacing_pending);
}

#[test]
fn export_by_an_unlinked_or_unknown_seat_waits_as_a_pending_lead() {
    for known in [Some(seat("501", None)), None] {
        let world = World {
            seat: known.clone(),
            seat_after_lead: known,
            ..World::default()
        };
        let export = export("job-1", Some("urn:li:seat:501"));
        let (reads, steps) = run(&world, &export, Arrival::Fresh);
        let by_id = SeatLookup::Id("501".into());
        assert_eq!(
            reads,
            [
                Read::Contract,
                Read::Job,
                Read::Seat(by_id.clone()),
                Read::SeatAfterLead(by_id),
            ]
        );
        let [Step::RecordLead(lead), Step::Pending] = &steps[..] else {
            panic!("expected a lead, then pending: {steps:?}");
        };
        assert_eq!(lead.status, ExportStatus::Pending);
        assert_eq!(lead.reason, Some(SkipReason::SeatNotLinked));
        assert_eq!(lead.exported_by.as_deref(), Some("urn:li:seat:501"));
        assert_eq!(
            lead.profile.as_ref(),
            Some(&export.profile),
            "kept for the import"
        );
        assert_eq!(lead.candidate_id, None);
    }
}

#[test]
fn seat_linked_while_the_lead_was_recorded_imports_it_in_place_of_the_lead() {
    let world = World {
        seat: Some(seat("501", None)),
        seat_after_lead: Some(seat("501", Some("user-1"))),
        ..World::default()
    };
    let (_, steps) = run(
        &world,
        &export("job-1", Some("urn:li:seat:501")),
        Arrival::Fresh,
    );
    assert!(matches!(steps[0], Step::RecordLead(_)));
    let import = imported(&steps);
    assert!(import.replacing_pending);
    assert_eq!(
        import.record.exported_by.as_deref(),
        Some("urn:li:seat:501")
    );
}

#[test]
fn member_exporter_is_replaced_by_the_seat_they_hold() {
    let export = export("job-1", Some(MEMBER));
    let held_by = Read::Seat(SeatLookup::HeldBy(MEMBER.into()));

    let linked = World {
        seat: Some(seat("502", Some("user-2"))),
        ..World::default()
    };
    let (reads, steps) = run(&linked, &export, Arrival::Fresh);
    assert_eq!(reads, [Read::Contract, Read::Job, held_by.clone()]);
    let import = imported(&steps);
    assert_eq!(
        import.application.exported_by.as_deref(),
        Some("urn:li:seat:502")
    );
    assert_eq!(
        import.record.exported_by.as_deref(),
        Some("urn:li:seat:502")
    );

    let unlinked = World {
        seat: Some(seat("502", None)),
        seat_after_lead: Some(seat("502", None)),
        ..World::default()
    };
    let (reads, steps) = run(&unlinked, &export, Arrival::Fresh);
    assert_eq!(
        reads,
        [
            Read::Contract,
            Read::Job,
            held_by,
            Read::SeatAfterLead(SeatLookup::Id("502".into())),
        ]
    );
    let [Step::RecordLead(lead), Step::Pending] = &steps[..] else {
        panic!("expected a lead, then pending: {steps:?}");
    };
    assert_eq!(lead.exported_by.as_deref(), Some("urn:li:seat:502"));
}

#[test]
fn member_holding_no_known_seat_is_imported_directly() {
    let (reads, steps) = run(
        &World::default(),
        &export("job-1", Some(MEMBER)),
        Arrival::Fresh,
    );
    assert_eq!(reads.len(), 3);
    let import = imported(&steps);
    assert_eq!(import.record.exported_by.as_deref(), Some(MEMBER));
    assert!(!import.replacing_pending);
}

#[test]
fn re_export_to_a_second_job_adds_an_application_to_the_same_candidate() {
    let (_, first) = run(&World::default(), &export("job-1", None), Arrival::Fresh);
    let (_, second) = run(&World::default(), &export("job-2", None), Arrival::Fresh);
    let (first, second) = (imported(&first), imported(&second));
    assert_eq!(first.candidate, second.candidate);
    assert_ne!(
        first.application.application_id,
        second.application.application_id
    );
    assert_eq!(second.application.job_id, "job-2");
    assert_eq!(
        second.record.application_id.as_ref(),
        Some(&second.application.application_id)
    );
}

#[test]
fn replayed_import_is_reported_as_a_replay_of_the_same_records() {
    let (_, once) = run(&World::default(), &export("job-1", None), Arrival::Fresh);
    let (_, again) = run(&World::default(), &export("job-1", None), Arrival::Fresh);
    assert_eq!(once, again, "the same export decides the same writes");
    let import = imported(&again);
    assert_eq!(
        import.outcome(Recorded::AlreadyThere),
        Outcome::Imported {
            candidate_id: import.candidate.candidate_id.clone(),
            application_id: import.application.application_id.clone(),
            replay: true,
        }
    );
}

#[test]
fn pending_lead_is_imported_or_skipped_in_its_place_without_looking_at_its_seat() {
    let lead = export("job-1", Some("urn:li:seat:501"));
    let (reads, steps) = run(&World::default(), &lead, Arrival::PendingLead);
    assert_eq!(reads, [Read::Contract, Read::Job]);
    let import = imported(&steps);
    assert!(import.replacing_pending);
    assert_eq!(
        import.record.exported_by.as_deref(),
        Some("urn:li:seat:501")
    );

    let gone = World {
        contract: None,
        ..World::default()
    };
    let (_, steps) = run(&gone, &lead, Arrival::PendingLead);
    let (reason, _, replacing) = skipped(&steps);
    assert_eq!(reason, SkipReason::ContractNotConnected);
    assert!(replacing);
}

/// `run`, as `carry_out` runs a fresh export: the contract and a seat named by id assumed, and
/// checked when the import is written; a failed check means reading them and deciding again.
/// Answers the reads made and the final step, and how many imports were tried.
fn run_assumed(world: &World, export: &ProfileExport) -> (Vec<Read>, Step, usize) {
    let mut facts = Facts {
        assumed: true,
        ..Facts::default()
    };
    let (mut reads, mut tried) = (Vec::new(), 0);
    for _ in 0..10 {
        let step = decide(TENANT, export, Arrival::Fresh, &facts, NOW);
        match &step {
            Step::Read(read) => {
                reads.push(read.clone());
                match read {
                    Read::Contract => facts.contract = Some(world.contract.clone()),
                    Read::Job => facts.job_known = Some(world.job_known),
                    Read::Seat(_) => facts.seat = Some(world.seat.clone()),
                    Read::SeatAfterLead(_) => {
                        facts.seat_after_lead = Some(world.seat_after_lead.clone());
                    }
                }
            }
            Step::RecordLead(_) => facts.lead_recorded = true,
            Step::Import(import) if facts.assumed => {
                tried += 1;
                // What the transaction's checks find (`ImportChecks`, as carry_out builds them).
                let contract_ok = world.contract.as_ref().is_some_and(|c| c.is_active_at(NOW));
                let checks_seat = facts.seat.is_none()
                    && import
                        .record
                        .exported_by
                        .as_deref()
                        .is_some_and(|u| ids::urn_number("seat", u).is_ok());
                let seat_ok =
                    !checks_seat || world.seat.as_ref().is_some_and(|s| s.user_id.is_some());
                if contract_ok && seat_ok {
                    return (reads, step, tried);
                }
                facts.assumed = false;
            }
            _ => return (reads, step, tried),
        }
    }
    panic!("the decision did not end: {reads:?}")
}

#[test]
fn assuming_the_contract_and_seat_decides_as_reading_them_does() {
    let contracts = [
        None,
        Some(contract(ContractStatus::Active, None)),
        Some(contract(ContractStatus::Active, Some(NOW - 1))),
        Some(contract(ContractStatus::Disabled, None)),
    ];
    let seats = [
        None,
        Some(seat("501", Some("user-1"))),
        Some(seat("501", None)),
    ];
    let exporters = [None, Some("urn:li:seat:501"), Some(MEMBER)];
    let mut cases = 0;
    for c in &contracts {
        for job_known in [true, false] {
            for s in &seats {
                for exporter in exporters {
                    for job in ["job-1", "bad#job"] {
                        let world = World {
                            contract: c.clone(),
                            job_known,
                            seat: s.clone(),
                            seat_after_lead: s.clone(),
                        };
                        let e = export(job, exporter);
                        let (_, read_steps) = run(&world, &e, Arrival::Fresh);
                        let (reads, last, tried) = run_assumed(&world, &e);
                        assert_eq!(
                            Some(&last),
                            read_steps.last(),
                            "{c:?} job known {job_known} seat {s:?} exporter {exporter:?} {job}"
                        );
                        // The common case reads nothing but the job: contract active, job
                        // known, seat (named by id) linked, or no exporter.
                        let happy = c.as_ref().is_some_and(|c| c.is_active_at(NOW))
                            && job_known
                            && job == "job-1"
                            && (exporter.is_none()
                                || (exporter == Some("urn:li:seat:501")
                                    && s.as_ref().is_some_and(|s| s.user_id.is_some())));
                        if happy {
                            assert_eq!(reads, [Read::Job]);
                            assert_eq!(tried, 1);
                        }
                        cases += 1;
                    }
                }
            }
        }
    }
    assert_eq!(cases, 144);
}
