//! What becomes of a profile export: imported as a candidate with an application, skipped with
//! a reason, or kept as a pending lead while the exporting seat is not linked to an ATS user
//! (imported when the seat is linked). Every outcome is recorded under LinkedIn's request id.
//!
//! [`decide`] is the decision without I/O: from what has been read so far it names the next read
//! or what to record. [`handle`] and [`import_pending_leads`] make the reads and writes it asks
//! for, in its order, so an export costs only the DynamoDB requests its story needs.

use crate::activity;
use crate::domain::{
    Application, Candidate, Contract, ExportRecord, ExportStatus, ProfileExport, Seat, SkipReason,
};
use crate::error::Result;
use crate::ids;
use crate::store::{Recorded, Store};

/// What happened to one export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Imported {
        candidate_id: String,
        application_id: String,
        replay: bool,
    },
    Skipped(SkipReason),
    Pending,
}

/// How an export reaches [`decide`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// Just fetched from LinkedIn after its notification.
    Fresh,
    /// A pending lead of a seat that was just linked: the seat is not looked at again, and what
    /// is recorded replaces the lead.
    PendingLead,
}

/// What the store said, filled in as [`decide`] asks for it (`None`: not read yet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The export's contract; `Some(None)` when none is connected under its id.
    pub contract: Option<Option<Contract>>,
    /// Whether the ATS knows the export's job.
    pub job_known: Option<bool>,
    /// The exporter's seat; `Some(None)` when the store knows none.
    pub seat: Option<Option<Seat>>,
    /// Whether the pending lead has been recorded.
    pub lead_recorded: bool,
    /// The exporter's seat, read again once the pending lead was recorded.
    pub seat_after_lead: Option<Option<Seat>>,
}

/// How the exporter's seat is found on the export's contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SeatLookup {
    /// By its id (the exporter was named as `urn:li:seat:N`).
    Id(String),
    /// As the seat this member holds (the exporter was named by member URN).
    HeldBy(String),
}

/// A read [`decide`] needs before it can go on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    Contract,
    Job,
    /// Fills [`Facts::seat`].
    Seat(SeatLookup),
    /// Fills [`Facts::seat_after_lead`].
    SeatAfterLead(SeatLookup),
}

/// What comes next for an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Read(Read),
    /// Record the export as skipped (replacing the pending lead when `replacing_pending`).
    Skip {
        reason: SkipReason,
        record: ExportRecord,
        replacing_pending: bool,
    },
    /// Record the export as a pending lead, then decide again.
    RecordLead(ExportRecord),
    Import(Box<Import>),
    /// The lead is recorded and waits for its seat to be linked.
    Pending,
}

/// The writes of an import: the candidate upserted, the application added, the import recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub candidate: Candidate,
    pub application: Application,
    pub record: ExportRecord,
    /// Whether the record replaces the export's pending lead.
    pub replacing_pending: bool,
}

impl Import {
    /// The outcome once the store has recorded the import (or found it recorded: a replay).
    pub fn outcome(&self, recorded: Recorded) -> Outcome {
        Outcome::Imported {
            candidate_id: self.candidate.candidate_id.clone(),
            application_id: self.application.application_id.clone(),
            replay: recorded == Recorded::AlreadyThere,
        }
    }
}

/// The next step for `export`: its contract, then its job, then (fresh exports only) whether
/// its seat is linked.
pub fn decide(
    tenant_id: &str,
    export: &ProfileExport,
    arrival: Arrival,
    facts: &Facts,
    now: i64,
) -> Step {
    let replacing_pending = arrival == Arrival::PendingLead;
    let skip = |reason| Step::Skip {
        reason,
        record: record(
            tenant_id,
            export,
            ExportStatus::Skipped,
            Some(reason),
            None,
            now,
        ),
        replacing_pending,
    };
    match &facts.contract {
        None => return Step::Read(Read::Contract),
        Some(None) => return skip(SkipReason::ContractNotConnected),
        Some(Some(c)) if !c.is_active_at(now) => return skip(SkipReason::ContractInactive),
        Some(Some(_)) => {}
    }
    if ids::check("job id", &export.job_id).is_err() {
        return skip(SkipReason::UnknownJob);
    }
    match facts.job_known {
        None => return Step::Read(Read::Job),
        Some(false) => return skip(SkipReason::UnknownJob),
        Some(true) => {}
    }
    if arrival == Arrival::PendingLead {
        return Step::Import(import(tenant_id, export, now, true));
    }

    let (exporter, linked) = match exporter_link(export, facts.seat.as_ref()) {
        Ok(known) => known,
        Err(lookup) => return Step::Read(Read::Seat(lookup)),
    };
    let export = &ProfileExport {
        exporter,
        ..export.clone()
    };
    if linked {
        return Step::Import(import(tenant_id, export, now, false));
    }
    if !facts.lead_recorded {
        let mut lead = record(
            tenant_id,
            export,
            ExportStatus::Pending,
            Some(SkipReason::SeatNotLinked),
            None,
            now,
        );
        lead.profile = Some(export.profile.clone());
        return Step::RecordLead(lead);
    }
    // The seat may have been linked since it was read, and the link's back-fill may already
    // have looked for pending leads: look again, or the lead could wait forever.
    match exporter_link(export, facts.seat_after_lead.as_ref()) {
        Err(lookup) => Step::Read(Read::SeatAfterLead(lookup)),
        Ok((exporter, true)) => {
            let export = &ProfileExport {
                exporter,
                ..export.clone()
            };
            Step::Import(import(tenant_id, export, now, true))
        }
        Ok((_, false)) => Step::Pending,
    }
}

/// The exporter as recorded and whether its seat is linked, or the lookup that tells. An export
/// without an exporter is imported directly. An exporter named by member URN is replaced by the
/// seat the member holds on the export's contract; a member who holds no known seat is imported
/// directly, as LinkedIn named no seat.
fn exporter_link(
    export: &ProfileExport,
    seat: Option<&Option<Seat>>,
) -> Result<(Option<String>, bool), SeatLookup> {
    let Some(urn) = &export.exporter else {
        return Ok((None, true));
    };
    if let Ok(seat_id) = ids::urn_number("seat", urn) {
        let seat = seat.ok_or(SeatLookup::Id(seat_id))?;
        let linked = seat.as_ref().is_some_and(|s| s.user_id.is_some());
        return Ok((Some(urn.clone()), linked));
    }
    match seat.ok_or_else(|| SeatLookup::HeldBy(urn.clone()))? {
        Some(seat) => Ok((Some(seat.urn()), seat.user_id.is_some())),
        None => Ok((Some(urn.clone()), true)),
    }
}

fn import(
    tenant_id: &str,
    export: &ProfileExport,
    now: i64,
    replacing_pending: bool,
) -> Box<Import> {
    let candidate = Candidate::from_export(tenant_id, &export.profile, now);
    let application = Application::from_export(tenant_id, &candidate.candidate_id, export);
    let record = record(
        tenant_id,
        export,
        ExportStatus::Imported,
        None,
        Some(&application),
        now,
    );
    Box::new(Import {
        candidate,
        application,
        record,
        replacing_pending,
    })
}

fn record(
    tenant_id: &str,
    export: &ProfileExport,
    status: ExportStatus,
    reason: Option<SkipReason>,
    application: Option<&Application>,
    now: i64,
) -> ExportRecord {
    ExportRecord {
        tenant_id: tenant_id.to_owned(),
        request_id: export.request_id.clone(),
        status,
        reason,
        contract_id: export.contract_id.clone(),
        job_id: export.job_id.chars().take(128).collect(),
        exported_by: export.exporter.clone(),
        candidate_id: application.map(|a| a.candidate_id.clone()),
        application_id: application.map(|a| a.application_id.clone()),
        exported_at: export.exported_at,
        recorded_at: now,
        profile: None,
    }
}

/// A fresh export: skipped, kept as a pending lead, or imported.
pub async fn handle(
    store: &Store,
    tenant_id: &str,
    export: &ProfileExport,
    now: i64,
) -> Result<Outcome> {
    carry_out(store, tenant_id, export, Arrival::Fresh, now).await
}

/// Imports a seat's pending leads (after it was linked); each is imported or skipped once.
pub async fn import_pending_leads(
    store: &Store,
    tenant_id: &str,
    contract_id: &str,
    seat_id: &str,
    now: i64,
) -> Result<usize> {
    let mut done = 0;
    for lead in store.pending_leads(tenant_id, contract_id, seat_id).await? {
        let Some(profile) = lead
            .profile
            .clone()
            .filter(|_| lead.status == ExportStatus::Pending)
        else {
            continue;
        };
        let export = ProfileExport {
            request_id: lead.request_id.clone(),
            contract_id: lead.contract_id.clone(),
            exporter: lead.exported_by.clone(),
            job_id: lead.job_id.clone(),
            exported_at: lead.exported_at,
            profile,
        };
        carry_out(store, tenant_id, &export, Arrival::PendingLead, now).await?;
        done += 1;
    }
    Ok(done)
}

/// Makes the reads and writes [`decide`] asks for until it reaches an outcome.
async fn carry_out(
    store: &Store,
    tenant_id: &str,
    export: &ProfileExport,
    arrival: Arrival,
    now: i64,
) -> Result<Outcome> {
    let mut facts = Facts::default();
    loop {
        match decide(tenant_id, export, arrival, &facts, now) {
            Step::Read(Read::Contract) => {
                facts.contract = Some(store.get_contract(tenant_id, &export.contract_id).await?);
            }
            Step::Read(Read::Job) => {
                facts.job_known = Some(store.get_job(tenant_id, &export.job_id).await?.is_some());
            }
            Step::Read(Read::Seat(lookup)) => {
                facts.seat = Some(read_seat(store, tenant_id, export, &lookup).await?);
            }
            Step::Read(Read::SeatAfterLead(lookup)) => {
                facts.seat_after_lead = Some(read_seat(store, tenant_id, export, &lookup).await?);
            }
            Step::Skip {
                reason,
                record,
                replacing_pending,
            } => {
                store.record_export(&record, replacing_pending).await?;
                return Ok(Outcome::Skipped(reason));
            }
            Step::RecordLead(lead) => {
                store.record_export(&lead, false).await?;
                facts.lead_recorded = true;
            }
            Step::Import(import) => return apply_import(store, tenant_id, &import).await,
            Step::Pending => return Ok(Outcome::Pending),
        }
    }
}

async fn read_seat(
    store: &Store,
    tenant_id: &str,
    export: &ProfileExport,
    lookup: &SeatLookup,
) -> Result<Option<Seat>> {
    match lookup {
        SeatLookup::Id(seat_id) => {
            store
                .get_seat(tenant_id, &export.contract_id, seat_id)
                .await
        }
        SeatLookup::HeldBy(member) => {
            store
                .seat_held_by(tenant_id, &export.contract_id, member)
                .await
        }
    }
}

/// Writes the import (replacing the pending lead when it says so), then attaches activity that
/// arrived before the member was a candidate.
async fn apply_import(store: &Store, tenant_id: &str, import: &Import) -> Result<Outcome> {
    let recorded = store
        .import_export(
            &import.candidate,
            &import.application,
            &import.record,
            import.replacing_pending,
        )
        .await?;
    let attached = activity::attach_pending(
        store,
        tenant_id,
        &import.candidate.candidate_id,
        &import.application.application_id,
    )
    .await?;
    tracing::info!(
        contract = %import.record.contract_id,
        candidate = %import.candidate.candidate_id,
        application = %import.application.application_id,
        replay = recorded == Recorded::AlreadyThere,
        attached_activity = attached,
        "export imported"
    );
    Ok(import.outcome(recorded))
}

/// Records an export LinkedIn would not give out while the integration or contract is inactive:
/// listed in `GET /exports` as held, and fetched again once one of the tenant's contracts is
/// active (contract-expiry re-queues held exports every hour). Its contract and job are unknown
/// until then.
pub async fn hold(store: &Store, tenant_id: &str, request_id: &str, now: i64) -> Result<()> {
    let record = ExportRecord {
        tenant_id: tenant_id.to_owned(),
        request_id: request_id.to_owned(),
        status: ExportStatus::Held,
        reason: Some(SkipReason::LinkedInInactive),
        contract_id: String::new(),
        job_id: String::new(),
        exported_by: None,
        candidate_id: None,
        application_id: None,
        exported_at: now,
        recorded_at: now,
        profile: None,
    };
    store.record_export(&record, false).await.map(|_| ())
}

#[cfg(test)]
mod tests {
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
}
