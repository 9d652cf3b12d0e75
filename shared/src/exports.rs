//! What becomes of a profile export: imported as a candidate with an application, skipped with
//! a reason, or kept as a pending lead while the exporting seat is not linked to an ATS user
//! (imported when the seat is linked). Every outcome is recorded under LinkedIn's request id.

use crate::activity;
use crate::domain::{
    Application, Candidate, ExportRecord, ExportStatus, ProfileExport, SkipReason,
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

/// Why an export cannot be imported now, if it cannot: its contract, then its job.
pub async fn skip_reason(
    store: &Store,
    tenant_id: &str,
    export: &ProfileExport,
    now: i64,
) -> Result<Option<SkipReason>> {
    match store.get_contract(tenant_id, &export.contract_id).await? {
        None => return Ok(Some(SkipReason::ContractNotConnected)),
        Some(c) if !c.is_active_at(now) => return Ok(Some(SkipReason::ContractInactive)),
        Some(_) => {}
    }
    if ids::check("job id", &export.job_id).is_err()
        || store.get_job(tenant_id, &export.job_id).await?.is_none()
    {
        return Ok(Some(SkipReason::UnknownJob));
    }
    Ok(None)
}

/// A fresh export: skipped, kept as a pending lead, or imported.
pub async fn handle(
    store: &Store,
    tenant_id: &str,
    export: &ProfileExport,
    now: i64,
) -> Result<Outcome> {
    if let Some(reason) = skip_reason(store, tenant_id, export, now).await? {
        store
            .record_export(
                &record(
                    tenant_id,
                    export,
                    ExportStatus::Skipped,
                    Some(reason),
                    None,
                    now,
                ),
                false,
            )
            .await?;
        return Ok(Outcome::Skipped(reason));
    }
    let mut export = export.clone();
    let export = &mut export;
    if !exporter_linked(store, tenant_id, export).await? {
        let mut lead = record(
            tenant_id,
            export,
            ExportStatus::Pending,
            Some(SkipReason::SeatNotLinked),
            None,
            now,
        );
        lead.profile = Some(export.profile.clone());
        store.record_export(&lead, false).await?;
        // The seat may have been linked since the check above, and the link's back-fill may
        // already have looked for pending leads: look again, or the lead could wait forever.
        if exporter_linked(store, tenant_id, export).await? {
            return import(store, tenant_id, export, now, true).await;
        }
        return Ok(Outcome::Pending);
    }
    import(store, tenant_id, export, now, false).await
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
        match skip_reason(store, tenant_id, &export, now).await? {
            Some(reason) => {
                store
                    .record_export(
                        &record(
                            tenant_id,
                            &export,
                            ExportStatus::Skipped,
                            Some(reason),
                            None,
                            now,
                        ),
                        true,
                    )
                    .await?;
            }
            None => {
                import(store, tenant_id, &export, now, true).await?;
            }
        }
        done += 1;
    }
    Ok(done)
}

/// Whether the export's seat is linked (an export without an exporter is imported directly).
/// An exporter named by member URN is replaced by the seat the member holds on the export's
/// contract; a member who holds no known seat is imported directly, as LinkedIn named no seat.
async fn exporter_linked(
    store: &Store,
    tenant_id: &str,
    export: &mut ProfileExport,
) -> Result<bool> {
    let Some(urn) = export.exporter.clone() else {
        return Ok(true);
    };
    if let Ok(seat_id) = ids::urn_number("seat", &urn) {
        return Ok(store
            .get_seat(tenant_id, &export.contract_id, &seat_id)
            .await?
            .is_some_and(|s| s.user_id.is_some()));
    }
    let held = store
        .seat_held_by(tenant_id, &export.contract_id, &urn)
        .await?;
    Ok(match held {
        Some(seat) => {
            export.exporter = Some(seat.urn());
            seat.user_id.is_some()
        }
        None => true,
    })
}

/// Upserts the candidate, adds the application, records the import (replacing the pending lead
/// when `replacing_pending`), then attaches activity that arrived before the member was one.
async fn import(
    store: &Store,
    tenant_id: &str,
    export: &ProfileExport,
    now: i64,
    replacing_pending: bool,
) -> Result<Outcome> {
    let candidate = Candidate::from_export(tenant_id, &export.profile, now);
    let application = Application::from_export(tenant_id, &candidate.candidate_id, export);
    let rec = record(
        tenant_id,
        export,
        ExportStatus::Imported,
        None,
        Some(&application),
        now,
    );
    let outcome = store
        .import_export(&candidate, &application, &rec, replacing_pending)
        .await?;
    let attached = activity::attach_pending(
        store,
        tenant_id,
        &candidate.candidate_id,
        &application.application_id,
    )
    .await?;
    tracing::info!(
        contract = %export.contract_id,
        candidate = %candidate.candidate_id,
        application = %application.application_id,
        replay = outcome == Recorded::AlreadyThere,
        attached_activity = attached,
        "export imported"
    );
    Ok(Outcome::Imported {
        candidate_id: candidate.candidate_id,
        application_id: application.application_id,
        replay: outcome == Recorded::AlreadyThere,
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
