//! Push notifications to the customer's callback URL (doc): signed deliveries of exports and
//! integration status changes, duplicate deliveries, and the callback URL's challenge.

use std::time::Duration;

use axum::{
    body::Bytes,
    http::{StatusCode, header},
};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;

use crate::state::{Notification, StatusRequest, StoredExport, now_ms};
use crate::{
    EXPORT_CANDIDATE_PROFILE, ExportSpec, INTEGRATION_STATUS_CHANGE, PushResult, Sim, SimError,
};

type HmacSha256 = Hmac<Sha256>;

fn hmac_hex(key: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// `X-LI-Signature` of a push notification body: hex(HMAC-SHA256(secret, "hmacsha256=" + body)).
pub fn push_signature(client_secret: &str, body: &[u8]) -> String {
    hmac_hex(client_secret.as_bytes(), &[b"hmacsha256=", body])
}

/// The expected `challengeResponse`: hex(HMAC-SHA256(secret, challengeCode)).
pub fn challenge_response(client_secret: &str, challenge_code: &str) -> String {
    hmac_hex(client_secret.as_bytes(), &[challenge_code.as_bytes()])
}

/// The notification body; its field names are (unverified), see linkedin-rsc.md.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationBody<'a> {
    notification_id: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    request_id: &'a str,
    integration_context: &'a str,
    occurred_at: i64,
}

impl Sim {
    /// Stores an export and pushes a signed `EXPORT_CANDIDATE_PROFILE` notification.
    pub async fn export(&self, spec: ExportSpec) -> Result<PushResult, SimError> {
        let request_id = spec
            .request_id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let organization = {
            let organization = self.bound_organization(&spec.client_id)?;
            let mut state = self.state();
            let stored = StoredExport {
                request_id: request_id.clone(),
                integration_context: organization.clone(),
                contract: spec.contract,
                exporter: spec.exporter,
                ats_job_posting_id: spec.ats_job_posting_id,
                exported_at: now_ms(),
                candidate: spec.candidate,
            };
            state
                .exports
                .entry(spec.client_id.clone())
                .or_default()
                .insert(request_id.clone(), stored);
            organization
        };
        self.push(
            &spec.client_id,
            EXPORT_CANDIDATE_PROFILE,
            request_id,
            organization,
        )
        .await
    }

    /// Stores an integration status change (`ENABLED` | `DISABLED`) and pushes a signed
    /// `INTEGRATION_STATUS_CHANGE` notification; its details are served by `/v2/atsIntegrations`
    /// (`q=request`), and the named integrations of that context answer the new `status`.
    pub async fn push_status_change(
        &self,
        client_id: &str,
        integration_context: &str,
        status: &str,
    ) -> Result<PushResult, SimError> {
        self.push_status_change_with_id(client_id, integration_context, status, None)
            .await
    }

    /// [`Sim::push_status_change`] with a chosen request id (generated when `None`), for scripts
    /// that must know it in advance.
    pub async fn push_status_change_with_id(
        &self,
        client_id: &str,
        integration_context: &str,
        status: &str,
        request_id: Option<&str>,
    ) -> Result<PushResult, SimError> {
        let request_id = request_id
            .map(str::to_string)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        {
            let mut state = self.state();
            if !state.apps.contains_key(client_id) {
                return Err(SimError::UnknownApp(client_id.to_string()));
            }
            state
                .integrations
                .set_context_status(integration_context, status);
            state
                .status_requests
                .entry(client_id.to_string())
                .or_default()
                .insert(
                    request_id.clone(),
                    StatusRequest {
                        integration_context: integration_context.to_string(),
                        status: status.to_string(),
                    },
                );
        }
        self.push(
            client_id,
            INTEGRATION_STATUS_CHANGE,
            request_id,
            integration_context.to_string(),
        )
        .await
    }

    async fn push(
        &self,
        client_id: &str,
        kind: &str,
        request_id: String,
        integration_context: String,
    ) -> Result<PushResult, SimError> {
        let notification_id = uuid::Uuid::new_v4().to_string();
        let app = self
            .app(client_id)
            .ok_or_else(|| SimError::UnknownApp(client_id.to_string()))?;
        let body = serde_json::to_vec(&NotificationBody {
            notification_id: &notification_id,
            kind,
            request_id: &request_id,
            integration_context: &integration_context,
            occurred_at: now_ms(),
        })
        .expect("notification serialises");
        let body = Bytes::from(body);
        let signature = push_signature(&app.client_secret, &body);
        self.state().notifications.insert(
            notification_id.clone(),
            Notification {
                client_id: client_id.to_string(),
                request_id: request_id.clone(),
                body: body.clone(),
                signature: signature.clone(),
            },
        );
        let (status, response) = match app.callback_url {
            Some(url) => self.deliver(&url, body, &signature).await,
            None => (None, String::new()),
        };
        tracing::info!(%notification_id, %request_id, kind, ?status, "notification pushed");
        Ok(PushResult {
            notification_id,
            request_id,
            status,
            body: response,
        })
    }

    async fn deliver(&self, url: &str, body: Bytes, signature: &str) -> (Option<u16>, String) {
        let sent = self
            .inner
            .http
            .post(url)
            .header(header::CONTENT_TYPE, "application/json")
            .header("X-LI-Signature", signature)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                (Some(status), text)
            }
            Err(e) => (None, e.to_string()),
        }
    }

    /// Re-posts a notification with exactly the same bytes and signature (duplicate delivery),
    /// to the application's current callback URL (`status: None` when it has none).
    pub async fn resend(&self, notification_id: &str) -> Result<PushResult, SimError> {
        let (notification, callback) = {
            let state = self.state();
            let n = state
                .notifications
                .get(notification_id)
                .cloned()
                .ok_or_else(|| SimError::UnknownNotification(notification_id.to_string()))?;
            let app = state
                .apps
                .get(&n.client_id)
                .ok_or_else(|| SimError::UnknownApp(n.client_id.clone()))?;
            (n, app.callback_url.clone())
        };
        let (status, body) = match callback {
            Some(url) => {
                self.deliver(&url, notification.body.clone(), &notification.signature)
                    .await
            }
            None => (None, String::new()),
        };
        tracing::info!(%notification_id, ?status, "notification resent");
        Ok(PushResult {
            notification_id: notification_id.to_string(),
            request_id: notification.request_id,
            status,
            body,
        })
    }

    /// Validates the application's callback URL as LinkedIn does (doc):
    /// `GET <callback>?challengeCode=<uuid>&applicationId=<clientId>`, which must answer within
    /// 3 s with 200, JSON, the same `challengeCode` and
    /// `challengeResponse == hex(HMAC-SHA256(secret, challengeCode))`.
    pub async fn validate_callback(&self, client_id: &str) -> Result<bool, SimError> {
        let app = self
            .app(client_id)
            .ok_or_else(|| SimError::UnknownApp(client_id.to_string()))?;
        let url = app
            .callback_url
            .clone()
            .ok_or_else(|| SimError::NoCallback(client_id.to_string()))?;
        let code = uuid::Uuid::new_v4().to_string();
        let expected = challenge_response(&app.client_secret, &code);
        let sent = self
            .inner
            .http
            .get(&url)
            .query(&[
                ("challengeCode", code.as_str()),
                ("applicationId", client_id),
            ])
            .timeout(Duration::from_secs(3))
            .send()
            .await;
        let valid = match sent {
            Ok(resp) if resp.status() == StatusCode::OK => {
                let is_json = resp
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/json"));
                match resp.json::<Value>().await {
                    Ok(v) if is_json => {
                        v.get("challengeCode").and_then(Value::as_str) == Some(code.as_str())
                            && v.get("challengeResponse").and_then(Value::as_str)
                                == Some(expected.as_str())
                    }
                    _ => false,
                }
            }
            Ok(_) | Err(_) => false,
        };
        tracing::info!(client_id, valid, "callback validation");
        Ok(valid)
    }
}
