//! `/tenants/{tenantId}`: a customer, with its LinkedIn child application's credentials. The
//! secret goes to Secrets Manager, never into the table or an answer.

use serde::Deserialize;
use shared::domain::Tenant;
use shared::http::{self, Answer, Refusal};
use shared::ids;
use shared::secrets::LinkedInCredentials;

use crate::AdminApi;
use crate::request::{object, text};
use crate::views::TenantView;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct TenantInput {
    name: String,
    organization: String,
    #[serde(deserialize_with = "object")]
    linkedin: LinkedInInput,
    /// Opt-in: delete the LinkedIn-sourced data of candidates whose profiles were closed.
    #[serde(default)]
    delete_purged_data: bool,
    /// Who sees the tenant's jobs on LinkedIn when a job does not say; kept when absent
    /// (`PRIVATE_TO_ATS_INTEGRATION` for a new tenant, LinkedIn's rule RSC-102).
    #[serde(default)]
    job_availability: Option<shared::domain::JobAvailability>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct LinkedInInput {
    client_id: String,
    client_secret: String,
}

impl AdminApi {
    pub(crate) async fn put_tenant(&self, tenant_id: &str, body: TenantInput) -> Answer {
        let name = text("name", &body.name, 200)?;
        let organization = format!(
            "urn:li:organization:{}",
            ids::urn_number("organization", &body.organization)?
        );
        let client_id = text("linkedin.clientId", &body.linkedin.client_id, 128)?;
        // The secret is kept byte for byte: surrounding spaces may be part of it.
        let client_secret = body.linkedin.client_secret;
        if client_secret.is_empty() || client_secret.len() > 512 {
            return Err(Refusal::invalid(
                "linkedin.clientSecret must be 1 to 512 bytes",
            ));
        }
        let now = self.clock.now_ms();
        let existing = self.store.get_tenant(tenant_id).await?;
        // The secret first: a tenant item never points at a secret that is not there. A new
        // secret keeps the old one for the rotation window, so LinkedIn's notifications signed
        // with either verify while it switches.
        let old = match existing {
            Some(_) => self.secrets.current(tenant_id).await?,
            None => None,
        };
        let creds =
            LinkedInCredentials::new(client_id.clone(), client_secret).replacing(old.as_ref(), now);
        self.secrets.put(tenant_id, &creds).await?;
        let tenant = Tenant {
            tenant_id: tenant_id.to_owned(),
            name,
            organization,
            client_id,
            delete_purged_data: body.delete_purged_data,
            job_availability: body
                .job_availability
                .or(existing.as_ref().map(|t| t.job_availability))
                .unwrap_or_default(),
            created_at: existing.as_ref().map_or(now, |t| t.created_at),
            updated_at: now,
        };
        self.store.put_tenant(&tenant).await?;
        Ok(http::json(
            if existing.is_some() { 200 } else { 201 },
            &TenantView::from(&tenant),
        ))
    }

    pub(crate) async fn get_tenant(&self, tenant_id: &str) -> Answer {
        let tenant = self.tenant(tenant_id).await?;
        Ok(http::json(200, &TenantView::from(&tenant)))
    }
}
