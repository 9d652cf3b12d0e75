//! The functions of template.yaml, built in-process from the environment the template gives them.
//! Each is looked up by its cargo binary name in [`Function::build`]'s table; a function the
//! template names but the table does not know stops the stack, so the two cannot drift apart
//! silently. The kind of event a function takes decides how the stack delivers to it.

use std::sync::Arc;

use aws_lambda_events::event::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::event::dynamodb::Event as StreamBatch;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use futures::future::BoxFuture;
use serde_json::Value;
use shared::aws::Clients;
use shared::clock::SharedClock;
use shared::config::Env;
use shared::function;

use crate::template::Error;

/// A built function, by the kind of event it takes.
pub enum Function {
    Http(Handler<ApiGatewayV2httpRequest, ApiGatewayV2httpResponse>),
    Sqs(Handler<SqsEvent, SqsBatchResponse>),
    Stream(Handler<StreamBatch, DynamoDbEventResponse>),
    Scheduled(Handler<Value, Value>),
}

/// One event in, the function's answer out (an error is a failed invocation).
pub type Handler<E, A> = Box<dyn Fn(E) -> BoxFuture<'static, shared::Result<A>> + Send + Sync>;

impl Function {
    pub fn build(
        binary: &str,
        env: &Env,
        clients: &Clients,
        clock: SharedClock,
    ) -> Result<Arc<Self>, Error> {
        let local = Local {
            env,
            clients,
            clock,
        };
        Ok(Arc::new(match binary {
            "export-webhook" => local.build(function!(export_webhook::ExportWebhook))?,
            "export-import" => local.build(function!(export_import::ExportImport))?,
            "admin-api" => local.build(function!(admin_api::AdminApi))?,
            "inmail-poll" => local.build(function!(inmail_poll::InMailPoll))?,
            "inmail-import" => local.build(function!(inmail_import::InMailImport))?,
            "contract-expiry" => local.build(function!(contract_expiry::ContractExpiry))?,
            "seat-backfill" => local.build(function!(seat_backfill::SeatBackfill))?,
            "compliance-review" => local.build(function!(compliance_review::ComplianceReview))?,
            "tenant-upkeep" => local.build(function!(tenant_upkeep::TenantUpkeep))?,
            "ats-sync" => local.build(function!(ats_sync::AtsSync))?,
            "event-publisher" => local.build(function!(event_publisher::EventPublisher))?,
            other => {
                return Err(
                    format!("the local stack does not know the function binary {other:?}").into(),
                );
            }
        }))
    }

    /// Handles an HTTP API event, if this function takes them. A failed invocation is a 500, as
    /// API Gateway answers when a Lambda integration fails.
    pub async fn http(&self, req: ApiGatewayV2httpRequest) -> Option<ApiGatewayV2httpResponse> {
        let Function::Http(handle) = self else {
            return None;
        };
        Some(handle(req).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "HTTP invocation failed");
            let mut failed = ApiGatewayV2httpResponse::default();
            failed.status_code = 500;
            failed
        }))
    }

    /// Handles an SQS batch, if this function takes them. A failed invocation fails every
    /// message of the batch, as an SQS event source does.
    pub async fn sqs(&self, event: SqsEvent) -> Option<SqsBatchResponse> {
        let Function::Sqs(handle) = self else {
            return None;
        };
        let ids: Vec<String> = event
            .records
            .iter()
            .filter_map(|r| r.message_id.clone())
            .collect();
        Some(handle(event).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "SQS invocation failed");
            let mut all = SqsBatchResponse::default();
            for id in ids {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id;
                all.batch_item_failures.push(failure);
            }
            all
        }))
    }

    /// Handles a batch of DynamoDB stream records, if this function takes them; `Err` when the
    /// invocation failed (the whole batch is handed out again, as a stream event source does).
    pub async fn stream(
        &self,
        batch: StreamBatch,
    ) -> Option<Result<DynamoDbEventResponse, String>> {
        let Function::Stream(handle) = self else {
            return None;
        };
        Some(handle(batch).await.map_err(|e| e.to_string()))
    }

    /// Handles a scheduled event, if this function runs on a schedule; answers what it returned.
    pub async fn scheduled(&self, event: Value) -> Option<Result<Value, String>> {
        let Function::Scheduled(handle) = self else {
            return None;
        };
        Some(handle(event).await.map_err(|e| e.to_string()))
    }
}

/// What the stack builds a function with.
struct Local<'a> {
    env: &'a Env,
    clients: &'a Clients,
    clock: SharedClock,
}

impl Local<'_> {
    fn build<F, C, E, A>(
        &self,
        function: shared::lambda::Function<F, C, E, A>,
    ) -> Result<Function, Error>
    where
        F: Send + Sync + 'static,
        E: Event<A>,
        A: 'static,
    {
        let built = Arc::new(function.build(self.env, self.clients, self.clock.clone())?);
        let handle = function.handle;
        Ok(E::function(Box::new(move |event| {
            let built = built.clone();
            Box::pin(async move { handle(&built, event).await })
        })))
    }
}

/// An event the stack can deliver, answered with `A`.
trait Event<A>: Sized + Send + 'static {
    fn function(handler: Handler<Self, A>) -> Function;
}

impl Event<ApiGatewayV2httpResponse> for ApiGatewayV2httpRequest {
    fn function(handler: Handler<Self, ApiGatewayV2httpResponse>) -> Function {
        Function::Http(handler)
    }
}

impl Event<SqsBatchResponse> for SqsEvent {
    fn function(handler: Handler<Self, SqsBatchResponse>) -> Function {
        Function::Sqs(handler)
    }
}

impl Event<DynamoDbEventResponse> for StreamBatch {
    fn function(handler: Handler<Self, DynamoDbEventResponse>) -> Function {
        Function::Stream(handler)
    }
}

/// A scheduled run answers a summary, which the stack reports as JSON.
impl<A: serde::Serialize + 'static> Event<A> for Value {
    fn function(handler: Handler<Self, A>) -> Function {
        Function::Scheduled(Box::new(move |event| {
            let run = handler(event);
            Box::pin(async move {
                run.await
                    .map(|answer| serde_json::to_value(answer).unwrap_or_default())
            })
        }))
    }
}
