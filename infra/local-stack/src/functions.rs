//! The functions of template.yaml, built in-process from the environment the template gives them.
//! Each is looked up by its cargo binary name; a function the template names but this registry
//! does not know stops the stack, so the two cannot drift apart silently.

use std::sync::Arc;

use aws_lambda_events::event::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use shared::aws::Clients;
use shared::clock::SharedClock;
use shared::config::Env;

use crate::template::Error;

pub enum Function {
    ExportWebhook(export_webhook::ExportWebhook),
    ExportImport(export_import::ExportImport),
    AdminApi(admin_api::AdminApi),
    InMailPoll(inmail_poll::InMailPoll),
    InMailImport(inmail_import::InMailImport),
    ContractExpiry(contract_expiry::ContractExpiry),
    SeatBackfill(seat_backfill::SeatBackfill),
    AtsSync(ats_sync::AtsSync),
    ComplianceReview(compliance_review::ComplianceReview),
}

impl Function {
    pub fn build(
        binary: &str,
        env: &Env,
        clients: &Clients,
        clock: SharedClock,
    ) -> Result<Arc<Self>, Error> {
        Ok(Arc::new(match binary {
            "export-webhook" => Function::ExportWebhook(export_webhook::ExportWebhook::new(
                clients,
                export_webhook::Config::from_env(env)?,
                clock,
            )),
            "export-import" => Function::ExportImport(export_import::ExportImport::new(
                clients,
                export_import::Config::from_env(env)?,
                clock,
            )?),
            "admin-api" => Function::AdminApi(admin_api::AdminApi::new(
                clients,
                admin_api::Config::from_env(env)?,
                clock,
            )?),
            "inmail-poll" => Function::InMailPoll(inmail_poll::InMailPoll::new(
                clients,
                inmail_poll::Config::from_env(env)?,
                clock,
            )),
            "inmail-import" => Function::InMailImport(inmail_import::InMailImport::new(
                clients,
                inmail_import::Config::from_env(env)?,
                clock,
            )?),
            "contract-expiry" => Function::ContractExpiry(contract_expiry::ContractExpiry::new(
                clients,
                contract_expiry::Config::from_env(env)?,
                clock,
            )?),
            "seat-backfill" => Function::SeatBackfill(seat_backfill::SeatBackfill::new(
                clients,
                seat_backfill::Config::from_env(env)?,
                clock,
            )?),
            "compliance-review" => {
                Function::ComplianceReview(compliance_review::ComplianceReview::new(
                    clients,
                    compliance_review::Config::from_env(env)?,
                    clock,
                )?)
            }
            "ats-sync" => Function::AtsSync(ats_sync::AtsSync::new(
                clients,
                ats_sync::Config::from_env(env)?,
                clock,
            )?),
            other => {
                return Err(
                    format!("the local stack does not know the function binary {other:?}").into(),
                );
            }
        }))
    }

    /// Handles an HTTP API event, if this function takes them.
    pub async fn http(&self, req: ApiGatewayV2httpRequest) -> Option<ApiGatewayV2httpResponse> {
        match self {
            Function::ExportWebhook(f) => Some(f.handle(req).await),
            Function::AdminApi(f) => Some(f.handle(req).await),
            _ => None,
        }
    }

    /// Handles an SQS batch, if this function takes them.
    pub async fn sqs(&self, event: SqsEvent) -> Option<SqsBatchResponse> {
        match self {
            Function::ExportImport(f) => Some(f.handle(event).await),
            Function::InMailImport(f) => Some(f.handle(event).await),
            Function::SeatBackfill(f) => Some(f.handle(event).await),
            Function::AtsSync(f) => Some(f.handle(event).await),
            _ => None,
        }
    }

    /// Handles a scheduled event, if this function runs on a schedule; answers what it returned.
    pub async fn scheduled(
        &self,
        event: serde_json::Value,
    ) -> Option<Result<serde_json::Value, String>> {
        fn answer<T: serde::Serialize>(r: shared::Result<T>) -> Result<serde_json::Value, String> {
            r.map(|v| serde_json::to_value(v).unwrap_or_default())
                .map_err(|e| e.to_string())
        }
        match self {
            Function::InMailPoll(f) => Some(answer(f.handle(event).await)),
            Function::ContractExpiry(f) => Some(answer(f.handle(event).await)),
            Function::ComplianceReview(f) => Some(answer(f.handle(event).await)),
            _ => None,
        }
    }
}
