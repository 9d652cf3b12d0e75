//! `/tenants/{t}/jobs/{jobId}/hiring-team`: who works on a job. The ATS names its users; the
//! outbound sync gives LinkedIn one entity ACL on the job whose assignees are the members of the
//! Recruiter seats linked to those users. A user without such a seat is kept but not sent, and
//! the answer says why.

use std::collections::HashSet;

use serde::Deserialize;
use shared::domain::HiringTeam;
use shared::http::{self, Answer, Refusal};
use shared::ids;

use crate::AdminApi;
use crate::views::HiringTeamView;

/// The largest team of one job.
const MAX_TEAM: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct HiringTeamInput {
    user_ids: Vec<String>,
}

impl HiringTeamInput {
    /// The user ids, each valid and named once.
    fn check(self) -> Result<Vec<String>, Refusal> {
        if self.user_ids.len() > MAX_TEAM {
            return Err(Refusal::invalid(format!(
                "userIds names at most {MAX_TEAM} users"
            )));
        }
        let mut seen = HashSet::new();
        for id in &self.user_ids {
            ids::check("userIds[]", id)?;
            if !seen.insert(id.as_str()) {
                return Err(Refusal::invalid(format!("userIds names {id} twice")));
            }
        }
        Ok(self.user_ids)
    }
}

impl AdminApi {
    /// Replaces the job's hiring team (201 when it had none). Every user must exist (400 naming
    /// the ones that do not); an empty list removes everyone.
    pub(crate) async fn put_hiring_team(
        &self,
        tenant_id: &str,
        job_id: &str,
        body: HiringTeamInput,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let user_ids = body.check()?;
        self.existing_job(tenant_id, job_id).await?;
        let known = self
            .store
            .users_by_id(tenant_id, user_ids.iter().map(String::as_str))
            .await?;
        let missing: Vec<&str> = user_ids
            .iter()
            .filter(|u| !known.contains_key(*u))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(Refusal::invalid(format!(
                "userIds names no ATS user of this tenant for {}; PUT the users first",
                ids::truncate(&missing.join(", "), 200)
            )));
        }
        let now = self.clock.now_ms();
        let existing = self.store.get_hiring_team(tenant_id, job_id).await?;
        let team = HiringTeam {
            tenant_id: tenant_id.to_owned(),
            job_id: job_id.to_owned(),
            user_ids,
            // The store keeps what LinkedIn holds; this is only the answer's copy.
            sent_members: existing
                .as_ref()
                .map(|t| t.sent_members.clone())
                .unwrap_or_default(),
            updated_at: now,
        };
        self.store.save_hiring_team(&team, now).await?;
        self.nudge(tenant_id).await;
        let seats = self.store.all_seats(tenant_id).await?;
        Ok(http::json(
            if existing.is_some() { 200 } else { 201 },
            &HiringTeamView::new(job_id, Some(&team), &seats),
        ))
    }

    /// The job's hiring team; a job without one answers an empty team.
    pub(crate) async fn get_hiring_team(&self, tenant_id: &str, job_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        self.existing_job(tenant_id, job_id).await?;
        let team = self.store.get_hiring_team(tenant_id, job_id).await?;
        let seats = self.store.all_seats(tenant_id).await?;
        Ok(http::json(
            200,
            &HiringTeamView::new(job_id, team.as_ref(), &seats),
        ))
    }

    async fn existing_job(&self, tenant_id: &str, job_id: &str) -> Result<(), Refusal> {
        self.store
            .get_job(tenant_id, job_id)
            .await?
            .map(|_| ())
            .ok_or_else(|| Refusal::not_found("no such job"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(user_ids: serde_json::Value) -> Result<Vec<String>, Refusal> {
        serde_json::from_value::<HiringTeamInput>(json!({ "userIds": user_ids }))
            .unwrap()
            .check()
    }

    #[test]
    fn a_team_is_up_to_100_distinct_valid_user_ids() {
        assert_eq!(check(json!(["u-1", "u-2"])).unwrap(), ["u-1", "u-2"]);
        assert!(check(json!([])).unwrap().is_empty());
        let hundred: Vec<String> = (0..100).map(|i| format!("u-{i}")).collect();
        assert_eq!(check(json!(hundred)).unwrap().len(), 100);

        let many: Vec<String> = (0..101).map(|i| format!("u-{i}")).collect();
        for (ids, says) in [
            (json!(many), "at most 100"),
            (json!(["u-1", "u-1"]), "u-1 twice"),
            (json!(["u 1"]), "userIds[]"),
            (json!([""]), "userIds[]"),
        ] {
            let e = check(ids.clone()).unwrap_err();
            assert_eq!(e.status, 400, "{ids}");
            assert!(e.message.contains(says), "{ids}: {}", e.message);
        }
        assert!(serde_json::from_value::<HiringTeamInput>(json!({})).is_err());
        assert!(serde_json::from_value::<HiringTeamInput>(json!({"userIds": "u-1"})).is_err());
    }
}
