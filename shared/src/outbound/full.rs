//! A full sync: everything changed in the last two years (closed jobs included, with their
//! hiring teams) is marked for sending, one bounded chunk per step, with progress on the tenant's sync state. The regular
//! sync then sends it like any other change: in order, in batches, validated.

use super::{Changed, FullSync, FullSyncPhase, RecordKind};
use crate::error::Result;
use crate::store::Store;

/// Records of one listing page handled per step.
pub const CHUNK: i32 = 100;
/// How far back a full sync reaches: LinkedIn's certification asks for two years.
pub const HORIZON_MS: i64 = 730 * 86_400_000;

/// What a step left to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    More,
    Done,
    /// The run was replaced or is unknown; nothing was done.
    Stale,
}

/// A new run, starting with jobs.
pub fn start(run_id: &str, now: i64) -> FullSync {
    FullSync {
        run_id: run_id.to_owned(),
        phase: FullSyncPhase::Jobs,
        started_at: now,
        finished_at: None,
        since: now - HORIZON_MS,
        cursor: None,
        queued: Default::default(),
        updated_at: now,
    }
}

/// Marks the next chunk of the run for sending and saves the progress.
pub async fn step(store: &Store, tenant: &str, run_id: &str, now: i64) -> Result<StepOutcome> {
    let Some(mut run) = store
        .sync_state(tenant)
        .await?
        .full_sync
        .filter(|r| r.run_id == run_id)
    else {
        return Ok(StepOutcome::Stale);
    };
    let mut changed = Vec::new();
    let next_token = match run.phase {
        FullSyncPhase::Done => return Ok(StepOutcome::Done),
        FullSyncPhase::Jobs => {
            let page = store
                .jobs_page(tenant, CHUNK, run.cursor.as_deref())
                .await?;
            for job in page.items.iter().filter(|j| j.updated_at >= run.since) {
                changed.push(Changed::job(&job.job_id));
                // Its hiring team, if it has one (members linked to a seat since are added).
                changed.push(Changed::hiring_team(&job.job_id));
            }
            page.next_token
        }
        FullSyncPhase::Candidates => {
            let page = store
                .candidates_with_applications(tenant, CHUNK, run.cursor.as_deref())
                .await?;
            for (candidate, apps) in &page.items {
                let recent: Vec<_> = apps.iter().filter(|a| a.created_at >= run.since).collect();
                if candidate.updated_at < run.since && recent.is_empty() {
                    continue;
                }
                let c = &candidate.candidate_id;
                changed.push(Changed::candidate(c));
                for app in recent {
                    // The application record, with its stages.
                    changed.push(Changed::stages(&app.application_id, c));
                }
            }
            page.next_token
        }
    };
    for c in changed.iter().filter(|c| c.kind != RecordKind::HiringTeam) {
        run.queued.add(c.kind, 1);
    }
    store.mark_changed(tenant, &changed, now).await?;
    run.cursor = next_token;
    run.updated_at = now;
    if run.cursor.is_none() {
        run.phase = match run.phase {
            FullSyncPhase::Jobs => FullSyncPhase::Candidates,
            _ => FullSyncPhase::Done,
        };
        if run.phase == FullSyncPhase::Done {
            run.finished_at = Some(now);
        }
    }
    if !store.save_full_sync(tenant, &run).await? {
        return Ok(StepOutcome::Stale);
    }
    Ok(if run.phase == FullSyncPhase::Done {
        StepOutcome::Done
    } else {
        StepOutcome::More
    })
}
