//! Candidates whose LinkedIn profiles were closed: their flags, and the deletion of their
//! LinkedIn-sourced data when the customer opted in.

use super::activity::delete;
use super::query::Partition;
use super::{Page, Store, key_item, to_item, with_key};
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
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(Error::aws("DynamoDB", e)),
        }
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
            let text = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).cloned();
            if let (Some(pk), Some(sk)) = (text(keys::PK), text(keys::SK)) {
                if sk.starts_with(keys::APPLICATION_PREFIX)
                    && let Some(app) = text("applicationId")
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
            .expression_attribute_values(
                ":now",
                aws_sdk_dynamodb::types::AttributeValue::N(now.to_string()),
            )
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }
}
