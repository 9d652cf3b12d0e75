//! What was imported from LinkedIn: candidates with their InMails and notes, export records,
//! candidates whose profiles were closed; and importing again the activity that was kept.

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use shared::http::{self, Answer, Refusal};
use shared::ids;
use shared::store::Page;

use crate::AdminApi;
use crate::request::paging;
use crate::views::{
    ActivityView, CandidateSummaryView, CandidateView, ExportView, PurgedView, list,
};

impl AdminApi {
    pub(crate) async fn list_candidates(
        &self,
        tenant_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let (limit, token) = paging(req)?;
        if let Some(member) = http::query_param(req, "member") {
            ids::check_member_urn(member)?;
            let id = shared::domain::Candidate::id_for_member(member);
            // The one candidate of that member, if any, as a listing.
            let one = Page {
                items: Vec::from_iter(self.store.get_candidate(tenant_id, &id).await?),
                next_token: None,
            };
            return list(&one, CandidateSummaryView::from);
        }
        let page = self.store.list_candidates(tenant_id, limit, token).await?;
        list(&page, CandidateSummaryView::from)
    }

    pub(crate) async fn get_candidate(&self, tenant_id: &str, candidate_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        let record = self
            .store
            .candidate_record(tenant_id, candidate_id)
            .await?
            .ok_or_else(|| Refusal::not_found("no such candidate"))?;
        Ok(http::json(200, &CandidateView::new(&record)))
    }

    pub(crate) async fn list_activity(
        &self,
        tenant_id: &str,
        candidate_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let (limit, token) = paging(req)?;
        if self
            .store
            .get_candidate(tenant_id, candidate_id)
            .await?
            .is_none()
        {
            return Err(Refusal::not_found("no such candidate"));
        }
        let page = self
            .store
            .list_activity(tenant_id, candidate_id, limit, token)
            .await?;
        list(&page, ActivityView::from)
    }

    pub(crate) async fn list_exports(
        &self,
        tenant_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let (limit, token) = paging(req)?;
        let page = self.store.list_exports(tenant_id, limit, token).await?;
        list(&page, ExportView::from)
    }

    /// Candidates whose LinkedIn profiles were closed, flagged by the daily compliance review.
    pub(crate) async fn list_purged(
        &self,
        tenant_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.registered(tenant_id).await?;
        let (limit, token) = paging(req)?;
        let page = self.store.list_purged(tenant_id, limit, token).await?;
        list(&page, PurgedView::from)
    }

    /// Imports the activity records kept because they could not be decoded or attributed, with
    /// today's decoder and what is known now; no LinkedIn call is made.
    pub(crate) async fn reprocess_activity(&self, tenant_id: &str) -> Answer {
        self.registered(tenant_id).await?;
        let done = shared::activity::reprocess(&self.store, tenant_id, self.clock.now_ms()).await?;
        tracing::info!(
            imported = done.imported,
            still = done.still_unprocessed,
            "activity re-processed"
        );
        Ok(http::json(200, &done))
    }
}
