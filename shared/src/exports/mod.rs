//! What becomes of a profile export: imported as a candidate with an application, skipped with
//! a reason, or kept as a pending lead while the exporting seat is not linked to an ATS user
//! (imported when the seat is linked). Every outcome is recorded under LinkedIn's request id.
//!
//! [`decide`] is the decision without I/O: from what has been read so far it names the next read
//! or what to record. [`handle`] and [`import_pending_leads`] make the reads and writes it asks
//! for, in its order, so an export costs only the DynamoDB requests its story needs.

use crate::activity;
use crate::cache::KnownJobs;
use crate::domain::{
    Application, Candidate, Contract, ExportRecord, ExportStatus, ProfileExport, Seat, SkipReason,
};
use crate::error::Result;
use crate::ids;
use crate::store::{ImportChecks, Recorded, Store};

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
    /// The contract's and the seat's state are not read but assumed (active, linked) and
    /// checked by the import's transaction; when a check fails they are read after all
    /// (`Recorded::ChecksFailed`), and the import decided as if they had been read first.
    pub assumed: bool,
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
        None if facts.assumed => {}
        None => return Step::Read(Read::Contract),
        Some(None) => return skip(SkipReason::ContractNotConnected),
        Some(Some(c)) if !c.is_active_at(now) => return skip(SkipReason::ContractInactive),
        Some(Some(_)) => {}
    }
    // A contract only assumed is read before a skip for the job, so that an inactive contract
    // is the reason given, as when it is read first.
    let unknown_job = || match facts.contract {
        None => Step::Read(Read::Contract),
        Some(_) => skip(SkipReason::UnknownJob),
    };
    if ids::check("job id", &export.job_id).is_err() {
        return unknown_job();
    }
    match facts.job_known {
        None => return Step::Read(Read::Job),
        Some(false) => return unknown_job(),
        Some(true) => {}
    }
    if arrival == Arrival::PendingLead {
        return Step::Import(import(tenant_id, export, now, true));
    }

    // Only an import is decided on an assumed contract: anything else reads it first.
    let contract_read = facts.contract.is_some();
    let (exporter, linked) = match exporter_link(export, facts.seat.as_ref()) {
        Ok(known) => known,
        // A seat named by its id is assumed linked, and checked; one named by member is read.
        Err(SeatLookup::Id(_)) if facts.assumed => (export.exporter.clone(), true),
        Err(_) if !contract_read => return Step::Read(Read::Contract),
        Err(lookup) => return Step::Read(Read::Seat(lookup)),
    };
    let export = &ProfileExport {
        exporter,
        ..export.clone()
    };
    if linked {
        return Step::Import(import(tenant_id, export, now, false));
    }
    if !contract_read {
        return Step::Read(Read::Contract);
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
/// `jobs`: the jobs this container has seen exist (not read again).
pub async fn handle(
    store: &Store,
    jobs: &KnownJobs,
    tenant_id: &str,
    export: &ProfileExport,
    now: i64,
) -> Result<Outcome> {
    carry_out(store, Some(jobs), tenant_id, export, Arrival::Fresh, now).await
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
        carry_out(store, None, tenant_id, &export, Arrival::PendingLead, now).await?;
        done += 1;
    }
    Ok(done)
}

/// Makes the reads and writes [`decide`] asks for until it reaches an outcome.
async fn carry_out(
    store: &Store,
    jobs: Option<&KnownJobs>,
    tenant_id: &str,
    export: &ProfileExport,
    arrival: Arrival,
    now: i64,
) -> Result<Outcome> {
    let mut facts = Facts {
        assumed: arrival == Arrival::Fresh,
        ..Facts::default()
    };
    if jobs.is_some_and(|j| j.contains(tenant_id, &export.job_id)) {
        facts.job_known = Some(true);
    }
    loop {
        match decide(tenant_id, export, arrival, &facts, now) {
            Step::Read(Read::Contract) => {
                facts.contract = Some(store.get_contract(tenant_id, &export.contract_id).await?);
            }
            Step::Read(Read::Job) => {
                let known = store.get_job(tenant_id, &export.job_id).await?.is_some();
                if let (true, Some(jobs)) = (known, jobs) {
                    jobs.remember(tenant_id, &export.job_id);
                }
                facts.job_known = Some(known);
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
            Step::Import(import) => {
                let checks = facts.assumed.then(|| ImportChecks {
                    contract_id: export.contract_id.clone(),
                    active_at: now,
                    linked_seat: match (&facts.seat, &import.record.exported_by) {
                        (None, Some(urn)) => ids::urn_number("seat", urn).ok(),
                        _ => None,
                    },
                });
                match apply_import(store, tenant_id, &import, checks.as_ref()).await? {
                    Some(outcome) => return Ok(outcome),
                    // The contract is not active or the seat not linked: read them, and decide.
                    None => facts.assumed = false,
                }
            }
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
/// arrived before the member was a candidate. `None` when `checks` failed: nothing was written.
async fn apply_import(
    store: &Store,
    tenant_id: &str,
    import: &Import,
    checks: Option<&ImportChecks>,
) -> Result<Option<Outcome>> {
    let recorded = store
        .import_export(
            &import.candidate,
            &import.application,
            &import.record,
            import.replacing_pending,
            checks,
        )
        .await?;
    if recorded == Recorded::ChecksFailed {
        return Ok(None);
    }
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
    Ok(Some(import.outcome(recorded)))
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
mod tests;
