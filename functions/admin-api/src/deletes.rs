//! The ATS deleting its records: a candidate, an application, one stage. What goes here goes at
//! LinkedIn too: the store leaves a tombstone in the outbox for each record LinkedIn holds, and
//! the outbound sync sends the deletes (children first). Jobs are not deleted: LinkedIn has no
//! job delete, so the ATS closes them (`state: CLOSED`).

use shared::http::{self, Answer, Refusal};

use crate::AdminApi;
use crate::views::ApplicationView;

impl AdminApi {
    /// Deletes a candidate with everything of theirs: applications with their stages, notes,
    /// interview feedback, imported activity and contact details.
    pub(crate) async fn delete_candidate(&self, tenant_id: &str, candidate_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        self.store
            .delete_candidate(tenant_id, candidate_id, self.clock.now_ms())
            .await?
            .ok_or_else(|| Refusal::not_found("no such candidate"))?;
        self.nudge(tenant_id).await;
        Ok(http::empty(204))
    }

    /// Deletes an application with its stages, notes and interview feedback.
    pub(crate) async fn delete_application(&self, tenant_id: &str, application_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        let app = self
            .store
            .get_application(tenant_id, application_id)
            .await?
            .ok_or_else(|| Refusal::not_found("no such application"))?;
        self.store
            .delete_application(&app, self.clock.now_ms())
            .await?;
        self.nudge(tenant_id).await;
        Ok(http::empty(204))
    }

    /// Removes one stage of an application; answers the application as it is after.
    pub(crate) async fn delete_stage(
        &self,
        tenant_id: &str,
        application_id: &str,
        stage_id: &str,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let now = self.clock.now_ms();
        // Read, remove, write only if nobody changed the application meanwhile; a few tries.
        let after = shared::store::retry_lost_races(3, || async {
            let mut app = self
                .store
                .get_application(tenant_id, application_id)
                .await?
                .ok_or_else(|| Refusal::not_found("no such application"))?;
            if !app.stages.iter().any(|s| s.stage_id == stage_id) {
                return Err(Refusal::not_found("no such stage"));
            }
            if !self.store.delete_stage(&app, stage_id, now).await? {
                return Ok(None);
            }
            self.nudge(tenant_id).await;
            // As the store wrote it.
            app.stages.retain(|s| s.stage_id != stage_id);
            app.updated_at = Some(now.max(app.updated_at.unwrap_or(0) + 1));
            Ok(Some(app))
        })
        .await?;
        let app = after.ok_or_else(|| Refusal::conflict("the application kept changing; retry"))?;
        Ok(http::json(200, &ApplicationView::from(&app)))
    }
}
