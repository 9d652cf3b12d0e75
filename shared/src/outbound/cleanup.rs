//! A clean-up at LinkedIn (when a customer leaves or asks for its data to be deleted): a
//! forced tombstone for everything the tenant may have synced, one bounded chunk per step, with
//! progress on the sync state. The regular sync sends them as it sends every delete (children
//! first, in batches, resumable: a lost step is redelivered and its tombstones are rewritten
//! the same). Records stay in the ATS; from the start, only deletes go to LinkedIn until a full
//! sync starts sending again. LinkedIn has no job delete, so open jobs are closed.

use super::full::StepOutcome;
use super::{Cleanup, CleanupPhase};
use crate::domain::JobState;
use crate::error::Result;
use crate::store::Store;

/// Candidates per step (each is one query of its partition).
pub const CANDIDATES_PER_STEP: i32 = 25;
/// Jobs per step.
pub const JOBS_PER_STEP: i32 = 100;

pub fn start(run_id: &str, now: i64) -> Cleanup {
    Cleanup {
        run_id: run_id.to_owned(),
        phase: CleanupPhase::Candidates,
        started_at: now,
        finished_at: None,
        cursor: None,
        queued: 0,
        updated_at: now,
    }
}

/// Queues the next chunk of the run's deletes and saves the progress.
pub async fn step(store: &Store, tenant: &str, run_id: &str, now: i64) -> Result<StepOutcome> {
    let Some(mut run) = store
        .sync_state(tenant)
        .await?
        .cleanup
        .filter(|r| r.run_id == run_id)
    else {
        return Ok(StepOutcome::Stale);
    };
    let next_token = match run.phase {
        CleanupPhase::Queued => return Ok(StepOutcome::Done),
        CleanupPhase::Candidates => {
            let page = store
                .candidates_with_applications(tenant, CANDIDATES_PER_STEP, run.cursor.as_deref())
                .await?;
            let ids: Vec<String> = page
                .items
                .iter()
                .map(|(c, _)| c.candidate_id.clone())
                .collect();
            run.queued += store.queue_candidates_cleanup(tenant, &ids, now).await?;
            page.next_token
        }
        CleanupPhase::Jobs => {
            let page = store
                .jobs_page(tenant, JOBS_PER_STEP, run.cursor.as_deref())
                .await?;
            let open: Vec<String> = page
                .items
                .iter()
                .filter(|j| j.state == JobState::Open)
                .map(|j| j.job_id.clone())
                .collect();
            let teams: Vec<String> = if run.cursor.is_none() {
                store
                    .all_hiring_teams(tenant)
                    .await?
                    .into_iter()
                    .map(|h| h.job_id)
                    .collect()
            } else {
                Vec::new()
            };
            run.queued += store.queue_jobs_cleanup(tenant, &open, &teams, now).await?;
            page.next_token
        }
    };
    run.cursor = next_token;
    run.updated_at = now;
    if run.cursor.is_none() {
        run.phase = match run.phase {
            CleanupPhase::Candidates => CleanupPhase::Jobs,
            _ => CleanupPhase::Queued,
        };
        if run.phase == CleanupPhase::Queued {
            run.finished_at = Some(now);
        }
    }
    if !store.save_cleanup(tenant, &run).await? {
        return Ok(StepOutcome::Stale);
    }
    Ok(if run.phase == CleanupPhase::Queued {
        StepOutcome::Done
    } else {
        StepOutcome::More
    })
}
