//! The route table: API Gateway's route key to the handler of each resource module, with the
//! path ids and the body each handler takes. Every route names a tenant, checked first.

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use shared::http::{self, Answer, Refusal};
use shared::ids;

use crate::notes::NoteParent;
use crate::request::{body, contract_and_seat, contract_path, path};
use crate::{AdminApi, guard};

impl AdminApi {
    pub(crate) async fn route(&self, route: &str, req: &ApiGatewayV2httpRequest) -> Answer {
        let tenant = path(req, "tenantId", ids::check)?;
        match route {
            "PUT /tenants/{tenantId}" => self.put_tenant(&tenant, body(req)?).await,
            "GET /tenants/{tenantId}" => self.get_tenant(&tenant).await,
            "PUT /tenants/{tenantId}/contracts/{contractId}" => {
                let contract = contract_path(req)?;
                self.put_contract(&tenant, &contract, body(req)?).await
            }
            "GET /tenants/{tenantId}/contracts" => self.list_contracts(&tenant).await,
            "GET /tenants/{tenantId}/health" => self.health(&tenant).await,
            "POST /tenants/{tenantId}/activity/reprocess" => self.reprocess_activity(&tenant).await,
            "GET /tenants/{tenantId}/integration" => {
                let live_only = match http::query_param(req, "part") {
                    None => false,
                    Some("live") => true,
                    Some(_) => return Err(Refusal::invalid("part must be live")),
                };
                let csrf = guard::session(req).map(|s| guard::csrf_token(&s));
                self.integration_page(&tenant, live_only, csrf).await
            }
            "DELETE /tenants/{tenantId}/contracts/{contractId}" => {
                let contract = contract_path(req)?;
                self.disconnect_contract(&tenant, &contract).await
            }
            "GET /tenants/{tenantId}/contracts/{contractId}/events" => {
                let contract = contract_path(req)?;
                self.list_contract_events(&tenant, &contract, req).await
            }
            "PUT /tenants/{tenantId}/jobs/{jobId}" => {
                let job = path(req, "jobId", ids::check)?;
                self.put_job(&tenant, &job, body(req)?).await
            }
            "GET /tenants/{tenantId}/jobs/{jobId}" => {
                let job = path(req, "jobId", ids::check)?;
                self.get_job(&tenant, &job).await
            }
            "GET /tenants/{tenantId}/candidates" => self.list_candidates(&tenant, req).await,
            "GET /tenants/{tenantId}/candidates/{candidateId}" => {
                let candidate = path(req, "candidateId", ids::check)?;
                self.get_candidate(&tenant, &candidate).await
            }
            "GET /tenants/{tenantId}/exports" => self.list_exports(&tenant, req).await,
            "GET /tenants/{tenantId}/changes" => self.list_changes(&tenant, req).await,
            "GET /tenants/{tenantId}/candidates/{candidateId}/activity" => {
                let candidate = path(req, "candidateId", ids::check)?;
                self.list_activity(&tenant, &candidate, req).await
            }
            "PUT /tenants/{tenantId}/users/{userId}" => {
                let user = path(req, "userId", ids::check)?;
                self.put_user(&tenant, &user, body(req)?).await
            }
            "GET /tenants/{tenantId}/users/{userId}" => {
                let user = path(req, "userId", ids::check)?;
                self.get_user(&tenant, &user).await
            }
            "GET /tenants/{tenantId}/users" => self.list_users(&tenant, req).await,
            "GET /tenants/{tenantId}/seats" => self.list_seats(&tenant, req).await,
            "PUT /tenants/{tenantId}/contracts/{contractId}/seats/{seatId}/link" => {
                let (contract, seat) = contract_and_seat(req)?;
                self.link_seat(&tenant, &contract, &seat, body(req)?).await
            }
            "POST /tenants/{tenantId}/contracts/{contractId}/seats/{seatId}/reimport" => {
                let (contract, seat) = contract_and_seat(req)?;
                self.reimport_seat(&tenant, &contract, &seat, body(req)?)
                    .await
            }
            "DELETE /tenants/{tenantId}/contracts/{contractId}/seats/{seatId}/link" => {
                let (contract, seat) = contract_and_seat(req)?;
                self.unlink_seat(&tenant, &contract, &seat).await
            }
            "PUT /tenants/{tenantId}/candidates/{candidateId}" => {
                let candidate = path(req, "candidateId", ids::check)?;
                self.put_candidate(&tenant, &candidate, body(req)?).await
            }
            "PUT /tenants/{tenantId}/applications/{applicationId}" => {
                let application = path(req, "applicationId", ids::check)?;
                self.put_application(&tenant, &application, body(req)?)
                    .await
            }
            "GET /tenants/{tenantId}/applications/{applicationId}" => {
                let application = path(req, "applicationId", ids::check)?;
                self.get_application(&tenant, &application).await
            }
            "POST /tenants/{tenantId}/applications/{applicationId}/stages" => {
                let application = path(req, "applicationId", ids::check)?;
                self.post_stage(&tenant, &application, body(req)?).await
            }
            "DELETE /tenants/{tenantId}/candidates/{candidateId}" => {
                let candidate = path(req, "candidateId", ids::check)?;
                self.delete_candidate(&tenant, &candidate).await
            }
            "DELETE /tenants/{tenantId}/applications/{applicationId}" => {
                let application = path(req, "applicationId", ids::check)?;
                self.delete_application(&tenant, &application).await
            }
            "DELETE /tenants/{tenantId}/applications/{applicationId}/stages/{stageId}" => {
                let application = path(req, "applicationId", ids::check)?;
                let stage = path(req, "stageId", ids::check)?;
                self.delete_stage(&tenant, &application, &stage).await
            }
            "PUT /tenants/{tenantId}/candidates/{candidateId}/notes/{noteId}"
            | "PUT /tenants/{tenantId}/applications/{applicationId}/notes/{noteId}" => {
                let (parent, note) = note_path(req)?;
                self.put_note(&tenant, &parent, &note, body(req)?).await
            }
            "GET /tenants/{tenantId}/candidates/{candidateId}/notes/{noteId}"
            | "GET /tenants/{tenantId}/applications/{applicationId}/notes/{noteId}" => {
                let (parent, note) = note_path(req)?;
                self.get_note(&tenant, &parent, &note).await
            }
            "DELETE /tenants/{tenantId}/candidates/{candidateId}/notes/{noteId}"
            | "DELETE /tenants/{tenantId}/applications/{applicationId}/notes/{noteId}" => {
                let (parent, note) = note_path(req)?;
                self.delete_note(&tenant, &parent, &note).await
            }
            "PUT /tenants/{tenantId}/applications/{applicationId}/interview-feedback/{feedbackId}" =>
            {
                let (application, feedback) = feedback_path(req)?;
                self.put_interview_feedback(&tenant, &application, &feedback, body(req)?)
                    .await
            }
            "GET /tenants/{tenantId}/applications/{applicationId}/interview-feedback/{feedbackId}" =>
            {
                let (application, feedback) = feedback_path(req)?;
                self.get_interview_feedback(&tenant, &application, &feedback)
                    .await
            }
            "DELETE /tenants/{tenantId}/applications/{applicationId}/interview-feedback/{feedbackId}" =>
            {
                let (application, feedback) = feedback_path(req)?;
                self.delete_interview_feedback(&tenant, &application, &feedback)
                    .await
            }
            "PUT /tenants/{tenantId}/jobs/{jobId}/hiring-team" => {
                let job = path(req, "jobId", ids::check)?;
                self.put_hiring_team(&tenant, &job, body(req)?).await
            }
            "GET /tenants/{tenantId}/jobs/{jobId}/hiring-team" => {
                let job = path(req, "jobId", ids::check)?;
                self.get_hiring_team(&tenant, &job).await
            }
            "GET /tenants/{tenantId}/sync" => self.get_sync(&tenant).await,
            "GET /tenants/{tenantId}/sync/errors" => self.list_sync_errors(&tenant, req).await,
            "POST /tenants/{tenantId}/sync/full" => self.start_full_sync(&tenant, req).await,
            "GET /tenants/{tenantId}/compliance/purged" => self.list_purged(&tenant, req).await,
            "POST /tenants/{tenantId}/linkedin/register" => {
                self.register_callback(&tenant, req, body(req)?).await
            }
            "POST /tenants/{tenantId}/linkedin/onboard" => {
                self.onboard(&tenant, req, body(req)?).await
            }
            "GET /tenants/{tenantId}/linkedin/onboarding" => self.get_onboarding(&tenant).await,
            "POST /tenants/{tenantId}/linkedin/cleanup" => {
                let request = req.request_context.request_id.as_deref().unwrap_or("local");
                self.start_cleanup(&tenant, request, body(req)?).await
            }
            "POST /tenants/{tenantId}/compliance/forget" => {
                self.forget_member(&tenant, body(req)?).await
            }
            _ => Err(Refusal::not_found("no such route")),
        }
    }
}

/// The note a path names: on a candidate (`{candidateId}`) or on an application
/// (`{applicationId}`), and its `{noteId}`.
fn note_path(req: &ApiGatewayV2httpRequest) -> Result<(NoteParent, String), Refusal> {
    let parent = if http::path_param(req, "applicationId").is_some() {
        NoteParent::Application(path(req, "applicationId", ids::check)?)
    } else {
        NoteParent::Candidate(path(req, "candidateId", ids::check)?)
    };
    Ok((parent, path(req, "noteId", ids::check)?))
}

/// The `{applicationId}` and `{feedbackId}` of the path.
fn feedback_path(req: &ApiGatewayV2httpRequest) -> Result<(String, String), Refusal> {
    Ok((
        path(req, "applicationId", ids::check)?,
        path(req, "feedbackId", ids::check)?,
    ))
}
