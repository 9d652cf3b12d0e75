//! The daily closed-profile review of one tenant (see `crate::compliance`).

use std::sync::Arc;

use serde::Serialize;

use crate::error::Result;
use crate::linkedin::LinkedIn;
use crate::secrets::CustomerSecrets;
use crate::store::Store;
use crate::upkeep::Walked;

/// What the daily review did, summed over the tenants it covered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceSummary {
    /// Closed profiles LinkedIn listed, candidates flagged among them, and deleted (with the
    /// tenant's opt-in).
    pub listed: usize,
    pub flagged: usize,
    pub deleted: usize,
    /// Tenants reviewed by this invocation, and those left to the upkeep queue (a review that
    /// failed here is queued, and retried there).
    pub tenants: Walked,
}

impl std::ops::AddAssign for ComplianceSummary {
    fn add_assign(&mut self, o: Self) {
        self.listed += o.listed;
        self.flagged += o.flagged;
        self.deleted += o.deleted;
        self.tenants += o.tenants;
    }
}

/// What the daily review of a tenant needs.
pub struct ComplianceUpkeep {
    pub store: Store,
    pub secrets: Arc<CustomerSecrets>,
    /// With the versioned base configured: closed profiles are read there.
    pub linkedin: Arc<LinkedIn>,
}

impl ComplianceUpkeep {
    pub async fn review_tenant(&self, tenant_id: &str, now: i64) -> Result<ComplianceSummary> {
        let Some(tenant) = self.store.get_tenant(tenant_id).await? else {
            return Ok(ComplianceSummary::default());
        };
        let creds = self.secrets.get(tenant_id).await?;
        let review =
            crate::compliance::review(&self.store, &self.linkedin, &creds, &tenant, now).await?;
        Ok(ComplianceSummary {
            listed: review.listed,
            flagged: review.flagged,
            deleted: review.deleted,
            tenants: Walked::default(),
        })
    }
}
