//! Customer LinkedIn credentials in Secrets Manager, read on first use and cached per warm
//! container for a bounded time (so a rotated secret is picked up without a redeploy).

use std::fmt;
use std::time::Duration;

use aws_sdk_secretsmanager::Client;
use serde::{Deserialize, Serialize};

use crate::cache::TenantCache;
use crate::error::{Error, Result};

/// A customer's LinkedIn child application. `Debug` never prints the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedInCredentials {
    pub client_id: String,
    pub client_secret: String,
    /// The secret before the last rotation: notifications signed with it are still accepted for
    /// `ROTATION_WINDOW` after `rotated_at`, so LinkedIn can switch without a gap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_client_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotated_at: Option<i64>,
    /// The tenant these were read for (not stored): LinkedIn calls made with them count against
    /// its daily budget (`shared::budget`). Empty for the partner's own application.
    #[serde(skip)]
    pub tenant_id: String,
}

/// How long a rotated-out client secret still verifies webhook signatures.
pub const ROTATION_WINDOW_MS: i64 = 24 * 3_600_000;

/// A fresh read of a secret after a signature mismatch is done at most this often per tenant
/// (bad signatures must not turn every request into a Secrets Manager call).
const REFRESH_AFTER_MISMATCH: Duration = Duration::from_secs(5);

impl LinkedInCredentials {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            previous_client_secret: None,
            rotated_at: None,
            tenant_id: String::new(),
        }
    }

    /// These credentials replacing `old`: a changed secret keeps the old one for the rotation
    /// window; the same secret again keeps any rotation under way.
    pub fn replacing(mut self, old: Option<&LinkedInCredentials>, now_ms: i64) -> Self {
        if let Some(old) = old {
            if old.client_secret != self.client_secret {
                self.previous_client_secret = Some(old.client_secret.clone());
                self.rotated_at = Some(now_ms);
            } else {
                self.previous_client_secret = old.previous_client_secret.clone();
                self.rotated_at = old.rotated_at;
            }
        }
        self
    }

    /// The secrets a webhook signature may be made with at `now_ms`: the current one, and the
    /// previous one during the rotation window.
    pub fn signing_secrets(&self, now_ms: i64) -> Vec<&str> {
        let mut out = vec![self.client_secret.as_str()];
        if let (Some(previous), Some(at)) = (&self.previous_client_secret, self.rotated_at)
            && now_ms < at + ROTATION_WINDOW_MS
        {
            out.push(previous);
        }
        out
    }
}

impl fmt::Debug for LinkedInCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkedInCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("rotated_at", &self.rotated_at)
            .finish()
    }
}

/// How long a secret read from Secrets Manager is reused.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(300);

pub struct CustomerSecrets {
    client: Client,
    /// Secret names are `<prefix><tenantId>`.
    prefix: String,
    cache: TenantCache<LinkedInCredentials>,
}

impl fmt::Debug for CustomerSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomerSecrets")
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl CustomerSecrets {
    pub fn new(client: Client, prefix: impl Into<String>, ttl: Duration) -> Self {
        Self {
            client,
            prefix: prefix.into(),
            cache: TenantCache::new(ttl),
        }
    }

    pub fn secret_name(&self, tenant_id: &str) -> String {
        format!("{}{}", self.prefix, tenant_id)
    }

    /// The tenant's credentials, from the cache when fresh.
    pub async fn get(&self, tenant_id: &str) -> Result<LinkedInCredentials> {
        if let Some(creds) = self.cache.fresh(tenant_id) {
            return Ok(creds);
        }
        self.read(tenant_id).await
    }

    /// After a signature mismatch: the secret read again (it may have been rotated since it was
    /// cached), unless the cached copy is younger than `REFRESH_AFTER_MISMATCH`. `None` when the
    /// cached copy is that fresh.
    pub async fn refresh_after_mismatch(
        &self,
        tenant_id: &str,
    ) -> Result<Option<LinkedInCredentials>> {
        if self
            .cache
            .younger_than(tenant_id, REFRESH_AFTER_MISMATCH)
            .is_some()
        {
            return Ok(None);
        }
        self.read(tenant_id).await.map(Some)
    }

    /// The secret as stored now (not cached), or `None` when there is none yet.
    pub async fn current(&self, tenant_id: &str) -> Result<Option<LinkedInCredentials>> {
        match self.read(tenant_id).await {
            Ok(c) => Ok(Some(c)),
            Err(Error::Secret(m)) if m.contains("ResourceNotFoundException") => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn read(&self, tenant_id: &str) -> Result<LinkedInCredentials> {
        let name = self.secret_name(tenant_id);
        let resp = self
            .client
            .get_secret_value()
            .secret_id(&name)
            .send()
            .await
            .map_err(|e| {
                let code = aws_sdk_secretsmanager::error::ProvideErrorMetadata::code(&e)
                    .unwrap_or("unknown")
                    .to_owned();
                Error::Secret(format!("cannot read secret {name} ({code})"))
            })?;
        let text = resp
            .secret_string()
            .ok_or_else(|| Error::Secret(format!("secret {name} has no string value")))?;
        let mut creds: LinkedInCredentials = serde_json::from_str(text).map_err(|_| {
            Error::Secret(format!(
                "secret {name} is not JSON with clientId and clientSecret"
            ))
        })?;
        creds.tenant_id = tenant_id.to_owned();
        self.cache.insert(tenant_id, creds.clone());
        Ok(creds)
    }

    /// Stores (creates or replaces) the tenant's credentials.
    pub async fn put(&self, tenant_id: &str, creds: &LinkedInCredentials) -> Result<()> {
        let name = self.secret_name(tenant_id);
        let value = serde_json::to_string(creds)
            .map_err(|e| Error::Secret(format!("cannot encode secret: {e}")))?;
        let updated = self
            .client
            .put_secret_value()
            .secret_id(&name)
            .secret_string(&value)
            .send()
            .await;
        match updated {
            Ok(_) => {}
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                self.client
                    .create_secret()
                    .name(&name)
                    .description("LinkedIn RSC child application credentials of one ATS customer")
                    .secret_string(value)
                    .send()
                    .await
                    .map_err(|e| Error::aws("Secrets Manager", e))?;
            }
            Err(err) => return Err(Error::aws("Secrets Manager", err)),
        }
        self.cache.remove(tenant_id);
        Ok(())
    }
}

/// The partner's own LinkedIn application (the parent of every provisioned child), in the
/// Secrets Manager secret the deployment names (template parameter `PartnerSecretName`), in the
/// same JSON as a customer's. Only provisioning uses it.
pub struct PartnerSecret {
    name: String,
    // A secret store whose "prefix" is the whole name, read under the empty key.
    secrets: CustomerSecrets,
}

impl fmt::Debug for PartnerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartnerSecret")
            .field("name", &self.name)
            .finish()
    }
}

impl PartnerSecret {
    pub fn new(client: Client, name: impl Into<String>, ttl: Duration) -> Self {
        let name = name.into();
        Self {
            secrets: CustomerSecrets::new(client, name.clone(), ttl),
            name,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub async fn get(&self) -> Result<LinkedInCredentials> {
        self.secrets.get("").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let c = LinkedInCredentials {
            previous_client_secret: None,
            rotated_at: None,
            client_id: "id".into(),
            client_secret: "hunter2".into(),
            tenant_id: "acme".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn rotation_keeps_the_old_secret_for_the_window_only() {
        let old = LinkedInCredentials::new("id", "old");
        let new = LinkedInCredentials::new("id", "new").replacing(Some(&old), 1_000);
        assert_eq!(new.signing_secrets(1_000), ["new", "old"]);
        assert_eq!(new.signing_secrets(1_000 + ROTATION_WINDOW_MS), ["new"]);
        // The same secret again keeps the rotation under way; a first secret has none.
        let again = LinkedInCredentials::new("id", "new").replacing(Some(&new), 5_000);
        assert_eq!(again.rotated_at, Some(1_000));
        assert_eq!(
            LinkedInCredentials::new("id", "x").signing_secrets(0),
            ["x"]
        );
        assert!(!format!("{new:?}").contains("old"));
    }
}
