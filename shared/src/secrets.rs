//! Customer LinkedIn credentials in Secrets Manager, read on first use and cached per warm
//! container for a bounded time (so a rotated secret is picked up without a redeploy).

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::Client;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A customer's LinkedIn child application. `Debug` never prints the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedInCredentials {
    pub client_id: String,
    pub client_secret: String,
}

impl fmt::Debug for LinkedInCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkedInCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// How long a secret read from Secrets Manager is reused.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(300);

pub struct CustomerSecrets {
    client: Client,
    /// Secret names are `<prefix><tenantId>`.
    prefix: String,
    ttl: Duration,
    cache: Mutex<HashMap<String, (LinkedInCredentials, Instant)>>,
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
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn secret_name(&self, tenant_id: &str) -> String {
        format!("{}{}", self.prefix, tenant_id)
    }

    /// The tenant's credentials, from the cache when fresh.
    pub async fn get(&self, tenant_id: &str) -> Result<LinkedInCredentials> {
        if let Some((creds, at)) = self.lock().get(tenant_id)
            && at.elapsed() < self.ttl
        {
            return Ok(creds.clone());
        }
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
        let creds: LinkedInCredentials = serde_json::from_str(text).map_err(|_| {
            Error::Secret(format!(
                "secret {name} is not JSON with clientId and clientSecret"
            ))
        })?;
        self.lock()
            .insert(tenant_id.to_owned(), (creds.clone(), Instant::now()));
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
        self.lock().remove(tenant_id);
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (LinkedInCredentials, Instant)>> {
        // A poisoned cache is still a valid cache.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let c = LinkedInCredentials {
            client_id: "id".into(),
            client_secret: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
