//! Closed LinkedIn profiles (LinkedIn asks that `atsPurgedExportedCandidates` is read at least
//! every 30 days; `compliance-review` reads it daily). Members that are candidates of the tenant
//! are flagged for the customer's deletion review; with the tenant's opt-in
//! (`deletePurgedData`), their LinkedIn-sourced data is deleted too.

use serde::Serialize;

use crate::domain::{Candidate, PurgedCandidate, Tenant};
use crate::error::Result;
use crate::linkedin::{LinkedIn, Paging};
use crate::secrets::LinkedInCredentials;
use crate::store::Store;

/// What one tenant's review did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    /// Members LinkedIn listed.
    pub listed: usize,
    /// Of them, candidates flagged for the first time.
    pub flagged: usize,
    /// Candidates whose LinkedIn-sourced data was deleted (opt-in only).
    pub deleted: usize,
}

pub async fn review(
    store: &Store,
    linkedin: &LinkedIn,
    creds: &LinkedInCredentials,
    tenant: &Tenant,
    now: i64,
) -> Result<Review> {
    let mut out = Review::default();
    let mut page = Some(Paging::first(Paging::LISTS));
    while let Some(p) = page {
        let answer = linkedin
            .purged_candidates(creds, &tenant.organization, p)
            .await?;
        out.listed += answer.elements.len();
        for element in &answer.elements {
            if crate::ids::check_member_urn(&element.member).is_err() {
                continue;
            }
            let candidate_id = Candidate::id_for_member(&element.member);
            if store
                .get_candidate(&tenant.tenant_id, &candidate_id)
                .await?
                .is_none()
            {
                continue;
            }
            let flag = PurgedCandidate {
                tenant_id: tenant.tenant_id.clone(),
                candidate_id,
                member: element.member.clone(),
                purged_at: element.purged_at.unwrap_or(now),
                flagged_at: now,
                deleted_at: None,
            };
            if store.flag_purged(&flag).await? {
                out.flagged += 1;
            }
        }
        page = p.next(&answer);
    }
    if tenant.delete_purged_data {
        for flag in store.all_purged(&tenant.tenant_id).await? {
            if flag.deleted_at.is_none() {
                store.delete_candidate_data(&flag, now).await?;
                out.deleted += 1;
            }
        }
    }
    Ok(out)
}
