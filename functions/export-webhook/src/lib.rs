//! export-webhook: LinkedIn's push notifications for one customer, at
//! `GET|POST /linkedin/{tenantId}/events`.
//!
//! - GET answers LinkedIn's endpoint validation (`challengeCode`, a type-4 UUID and nothing else:
//!   see `shared::webhook`) with the customer's secret.
//! - POST verifies `X-LI-Signature` over the raw bytes and puts the notification on the exports
//!   queue. It answers 2xx only once the message is durably enqueued, so LinkedIn's own retries
//!   cover any failure before that point. Client errors change nothing. An unknown tenant gets
//!   the same answer as a bad signature, so the route does not tell which tenants exist.
//!
//! A warm container makes one AWS call per notification, the enqueue: whether the tenant is
//! registered and its secret are cached for `DEFAULT_CACHE_TTL`, and an unknown tenant id is
//! remembered for `UNKNOWN_TENANT_TTL`. A notification delivered twice
//! is enqueued twice; export-import records every export under LinkedIn's request id with a
//! conditional put and drops the second (docs/data-model.md, "Notifications").

use std::sync::Arc;

use aws_lambda_events::event::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use shared::aws::Clients;
use shared::cache::RegisteredTenants;
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::http::{self, Answer, BodyError, Refusal};
use shared::messages::LinkedInEvent;
use shared::queue::Queue;
use shared::secrets::{CustomerSecrets, DEFAULT_CACHE_TTL};
use shared::store::Store;
use shared::webhook::{self, ChallengeCode, MAX_BODY_BYTES};
use shared::{Error, ids};

/// How long a container remembers that a tenant id is not registered.
pub const UNKNOWN_TENANT_TTL: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub exports_queue_url: String,
    pub secret_prefix: String,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            exports_queue_url: env.required("EXPORTS_QUEUE_URL", "the exports queue")?,
            secret_prefix: env.required("SECRET_PREFIX", "the name prefix of customer secrets")?,
        })
    }
}

pub struct ExportWebhook {
    registered: RegisteredTenants,
    secrets: Arc<CustomerSecrets>,
    exports: Queue,
    clock: SharedClock,
}

impl ExportWebhook {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> Self {
        Self {
            registered: RegisteredTenants::new(
                Store::new(clients.dynamodb.clone(), config.table_name),
                DEFAULT_CACHE_TTL,
            )
            .remembering_unknown(UNKNOWN_TENANT_TTL),
            secrets: Arc::new(CustomerSecrets::new(
                clients.secrets.clone(),
                config.secret_prefix,
                DEFAULT_CACHE_TTL,
            )),
            exports: Queue::new(clients.sqs.clone(), config.exports_queue_url),
            clock,
        }
    }

    pub async fn handle(&self, req: ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
        let tenant_id = http::path_param(&req, "tenantId")
            .unwrap_or_default()
            .to_owned();
        let span = tracing::info_span!("webhook", tenant = %ids::truncate(&tenant_id, 64), request_id = req.request_context.request_id.as_deref().unwrap_or(""));
        let _enter = span.enter();
        let result = match http::method(&req).as_str() {
            "GET" => self.challenge(&tenant_id, &req).await,
            "POST" => self.notification(&tenant_id, &req).await,
            _ => Err(Refusal::new(
                405,
                "method_not_allowed",
                "use GET for validation or POST for notifications",
            )),
        };
        match result {
            Ok(resp) => resp,
            Err(r) => {
                tracing::info!(status = r.status, error = r.code, "request rejected");
                r.into_response()
            }
        }
    }

    async fn challenge(&self, tenant_id: &str, req: &ApiGatewayV2httpRequest) -> Answer {
        let code = http::query_param(req, "challengeCode").ok_or_else(|| {
            Refusal::new(
                400,
                "missing_challenge",
                "challengeCode query parameter is required",
            )
        })?;
        let code = ChallengeCode::parse(code)
            .map_err(|e| Refusal::new(400, "bad_challenge", e.to_string()))?;
        if !self.known_tenant(tenant_id).await? {
            return Err(Refusal::new(
                404,
                "unknown_tenant",
                "no customer is registered under this callback URL",
            ));
        }
        let creds = self.secrets.get(tenant_id).await.map_err(unavailable)?;
        Ok(http::json(
            200,
            &webhook::answer_challenge(&creds.client_secret, &code),
        ))
    }

    async fn notification(&self, tenant_id: &str, req: &ApiGatewayV2httpRequest) -> Answer {
        let body = http::raw_body(req, MAX_BODY_BYTES).map_err(|e| match e {
            BodyError::TooLarge { limit } => Refusal::new(
                413,
                "body_too_large",
                format!("notification bodies are limited to {limit} bytes"),
            ),
            BodyError::BadBase64 => Refusal::new(
                400,
                "bad_encoding",
                "the body is marked base64 but does not decode",
            ),
        })?;
        let signature = http::header(req, "x-li-signature");
        if !self.known_tenant(tenant_id).await? {
            // Answered as a bad signature for a registered tenant would be, word for word.
            let refused = webhook::verify_signature(&ids::random_hex(), &body, signature)
                .err()
                .unwrap_or(webhook::SignatureError::Mismatch);
            return Err(Refusal::new(401, "bad_signature", refused.to_string()));
        }
        let creds = self.secrets.get(tenant_id).await.map_err(unavailable)?;
        let now = self.clock.now_ms();
        let verified = verify_with(&creds, &body, signature, now);
        if let Err(webhook::SignatureError::Mismatch) = verified {
            // The secret may have been rotated since it was cached: read it again (at most
            // every 5 s per tenant) before refusing.
            if let Some(fresh) = self
                .secrets
                .refresh_after_mismatch(tenant_id)
                .await
                .map_err(unavailable)?
            {
                verify_with(&fresh, &body, signature, now)
                    .map_err(|e| Refusal::new(401, "bad_signature", e.to_string()))?;
            } else {
                verified.map_err(|e| Refusal::new(401, "bad_signature", e.to_string()))?;
            }
        } else {
            verified.map_err(|e| Refusal::new(401, "bad_signature", e.to_string()))?;
        }
        let notification = webhook::parse_notification(&body)
            .map_err(|e| Refusal::new(400, "bad_notification", e.to_string()))?;

        let event = LinkedInEvent {
            tenant_id: tenant_id.to_owned(),
            notification_id: notification.notification_id,
            kind: notification.kind,
            request_id: notification.request_id,
            integration_context: notification.integration_context,
            occurred_at: notification.occurred_at,
            received_at: now,
        };
        self.exports.send(&event).await.map_err(unavailable)?;
        tracing::info!(notification_id = %event.notification_id, kind = ?event.kind, "notification accepted");
        Ok(http::json(202, &serde_json::json!({"status": "accepted"})))
    }

    /// Whether `tenant_id` is a registered tenant (an id that is not even well formed is not).
    async fn known_tenant(&self, tenant_id: &str) -> Result<bool, Refusal> {
        if ids::check("tenantId", tenant_id).is_err() {
            return Ok(false);
        }
        self.registered
            .contains(tenant_id)
            .await
            .map_err(unavailable)
    }
}

/// A dependency failed: LinkedIn should retry later (every failure, even a shared error that
/// reads as bad input, since nothing in the notification was found wrong).
fn unavailable(err: Error) -> Refusal {
    Refusal::unavailable(
        &err,
        "the notification could not be accepted now; retry later",
    )
}

/// Verifies a signature against every secret the tenant may sign with now (the current one, and
/// the previous one during a rotation).
fn verify_with(
    creds: &shared::secrets::LinkedInCredentials,
    body: &[u8],
    signature: Option<&str>,
    now_ms: i64,
) -> Result<(), webhook::SignatureError> {
    let mut outcome = Err(webhook::SignatureError::Mismatch);
    for secret in creds.signing_secrets(now_ms) {
        outcome = webhook::verify_signature(secret, body, signature);
        if !matches!(outcome, Err(webhook::SignatureError::Mismatch)) {
            break;
        }
    }
    outcome
}
