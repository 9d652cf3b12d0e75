//! Candidates whose LinkedIn profiles were closed: their flags, and the deletion of their
//! LinkedIn-sourced data when the customer opted in.

use super::activity::delete;
use super::item::{key_item, n, text, to_item, with_key};
use super::query::Partition;
use super::write::Conditional;
use super::{Page, Store};
use crate::domain::PurgedCandidate;
use crate::error::{Error, Result};
use crate::keys::{self, Key};

impl Store {
    /// Flags a candidate once (`false` when it was flagged before).
    pub async fn flag_purged(&self, flag: &PurgedCandidate) -> Result<bool> {
        let item = with_key(
            keys::purged(&flag.tenant_id, &flag.candidate_id),
            to_item(flag)?,
        );
        let flagged = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .send()
            .await
            .conditional()?;
        Ok(flagged.is_some())
    }

    /// A page of the tenant's flagged candidates (by candidate id).
    pub async fn list_purged(
        &self,
        tenant: &str,
        limit: i32,
        next_token: Option<&str>,
    ) -> Result<Page<PurgedCandidate>> {
        let p = Partition::table(keys::tenant(tenant).pk).prefix(keys::PURGED_PREFIX);
        self.query_page(&p, limit, next_token, true).await
    }

    /// Every flagged candidate of the tenant.
    pub async fn all_purged(&self, tenant: &str) -> Result<Vec<PurgedCandidate>> {
        let p = Partition::table(keys::tenant(tenant).pk).prefix(keys::PURGED_PREFIX);
        self.query_all_as(&p).await
    }

    /// Deletes everything of the candidate that came from LinkedIn: its partition (the candidate,
    /// its applications, InMails, notes and shared contact details) and its applications'
    /// pointers; then marks the flag deleted. Export records keep only ids and stay as the
    /// audit of what was imported.
    pub async fn delete_candidate_data(&self, flag: &PurgedCandidate, now: i64) -> Result<()> {
        let t = &flag.tenant_id;
        let partition = Partition::table(keys::candidate_partition(t, &flag.candidate_id));
        let items = self.query_all(&partition).await?;
        let mut doomed: Vec<Key> = Vec::with_capacity(items.len() * 2);
        for item in &items {
            if let (Some(pk), Some(sk)) = (text(item, keys::PK), text(item, keys::SK)) {
                if sk.starts_with(keys::APPLICATION_PREFIX)
                    && let Some(app) = text(item, "applicationId")
                {
                    doomed.push(keys::application_ref(t, &app));
                }
                doomed.push(Key { pk, sk });
            }
        }
        let requests = doomed.iter().map(delete).collect::<Result<Vec<_>>>()?;
        self.batch_write(requests).await?;
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::purged(t, &flag.candidate_id))))
            .update_expression("SET deletedAt = :now")
            .expression_attribute_values(":now", n(now))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }
}
