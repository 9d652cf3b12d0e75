//! Taking a tenant's data back: a clean-up deletes at LinkedIn everything the outbound sync sent
//! (a customer leaving, or starting over), and forgetting a member deletes here what LinkedIn
//! told us about that person (a data subject's request).

use serde::Deserialize;
use shared::http::{self, Answer, Refusal};
use shared::ids;
use shared::messages::OutboundMessage;
use shared::outbound::cleanup;

use crate::AdminApi;
use crate::views::{CleanupView, ForgetView};

/// A clean-up cannot be undone, so the caller types the tenant id to confirm it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CleanupInput {
    #[serde(default)]
    confirm: Option<String>,
}

impl CleanupInput {
    fn check(&self, tenant_id: &str) -> Result<(), Refusal> {
        if self.confirm.as_deref() == Some(tenant_id) {
            return Ok(());
        }
        Err(Refusal::invalid(format!(
            "a clean-up deletes at LinkedIn everything this tenant sent there and stops the \
             outbound sync; to confirm, send {{\"confirm\": \"{tenant_id}\"}} (the tenant id)"
        )))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ForgetInput {
    member: String,
}

impl ForgetInput {
    fn check(&self) -> Result<(), Refusal> {
        Ok(ids::check_member_urn(&self.member)?)
    }
}

impl AdminApi {
    /// Starts a clean-up at LinkedIn (202); 409 while one is running.
    pub(crate) async fn start_cleanup(
        &self,
        tenant_id: &str,
        request_id: &str,
        body: CleanupInput,
    ) -> Answer {
        self.registered(tenant_id).await?;
        body.check(tenant_id)?;
        let now = self.clock.now_ms();
        let run_id = format!("{now}-{}", ids::truncate(request_id, 40));
        let run = cleanup::start(&run_id, now);
        if !self.store.start_cleanup(tenant_id, &run).await? {
            return Err(Refusal::conflict(
                "a clean-up is already running; see GET /tenants/{tenantId}/sync",
            ));
        }
        self.changes
            .send(&OutboundMessage::CleanupStep {
                tenant_id: tenant_id.to_owned(),
                run_id,
            })
            .await?;
        Ok(http::json(202, &CleanupView::from(&run)))
    }

    /// Deletes here the LinkedIn-sourced data about one member.
    pub(crate) async fn forget_member(&self, tenant_id: &str, body: ForgetInput) -> Answer {
        self.registered(tenant_id).await?;
        body.check()?;
        let outcome = self
            .store
            .forget_member(tenant_id, &body.member, self.clock.now_ms())
            .await?;
        // A deleted candidate leaves tombstones for LinkedIn; activity alone does not.
        if !outcome.candidates.is_empty() {
            self.nudge(tenant_id).await;
        }
        Ok(http::json(
            200,
            &ForgetView {
                candidates: outcome.candidates,
                deleted_items: outcome.deleted_items,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_cleanup_is_confirmed_with_the_tenant_id_only() {
        let input = |v| serde_json::from_value::<CleanupInput>(v).unwrap();
        assert!(input(json!({"confirm": "acme"})).check("acme").is_ok());
        for body in [
            json!({}),
            json!({"confirm": null}),
            json!({"confirm": "ACME"}),
            json!({"confirm": " acme"}),
            json!({"confirm": "yes"}),
        ] {
            let e = input(body.clone()).check("acme").unwrap_err();
            assert_eq!(e.status, 400, "{body}");
            assert!(
                e.message.contains(r#"send {"confirm": "acme"}"#),
                "{body}: {}",
                e.message
            );
        }
        assert!(serde_json::from_value::<CleanupInput>(json!({"confirm": 1})).is_err());
        assert!(
            serde_json::from_value::<CleanupInput>(json!({"confirm": "acme", "force": true}))
                .is_err()
        );
    }

    #[test]
    fn forgetting_takes_a_member_urn() {
        let input = |v| serde_json::from_value::<ForgetInput>(v).unwrap();
        assert!(
            input(json!({"member": "urn:li:person:AbC-1"}))
                .check()
                .is_ok()
        );
        for member in [
            "AbC-1",
            "urn:li:person:",
            "urn:li:seat:1",
            "urn:li:person:a#b",
        ] {
            let e = input(json!({ "member": member })).check().unwrap_err();
            assert_eq!(e.status, 400, "{member}");
            assert!(e.message.starts_with("member"), "{member}: {}", e.message);
        }
        assert!(serde_json::from_value::<ForgetInput>(json!({})).is_err());
    }
}
