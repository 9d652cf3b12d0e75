//! Contract state and its audit trail.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use super::item::{built, key_item, n, s, text, to_item, with_key};
use super::query::Partition;
use super::write::Conditional;
use super::{Page, Store};
use crate::domain::{Contract, ContractEvent, DeadLetter, ImportCounts};
use crate::error::{Error, Result};
use crate::keys;

impl Store {
    /// Stores a contract, and the event of its status change when there is one, in one
    /// transaction conditional on the contract still being `previous` (absent when `None`).
    /// False when it was not: another writer changed it in between.
    pub async fn save_contract(
        &self,
        contract: &Contract,
        previous: Option<&Contract>,
        event: Option<&ContractEvent>,
    ) -> Result<bool> {
        let mut item = with_key(
            keys::contract(&contract.tenant_id, &contract.contract_id),
            to_item(contract)?,
        );
        // Every contract is listed in gsi2 for the hourly expiry job.
        item.insert(keys::GSI2_PK.into(), s(keys::ALL_CONTRACTS));
        item.insert(
            keys::GSI2_SK.into(),
            s(keys::linked_seat_sort(
                &contract.tenant_id,
                &contract.contract_id,
                "",
            )),
        );
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .expression_attribute_names("#pk", keys::PK);
        put = match previous {
            None => put.condition_expression("attribute_not_exists(#pk)"),
            Some(p) => put
                .condition_expression("attribute_exists(#pk) AND updatedAt = :seen")
                .expression_attribute_values(":seen", n(p.updated_at)),
        };
        let mut tx = self.client.transact_write_items().transact_items(
            TransactWriteItem::builder()
                .put(built(put.build())?)
                .build(),
        );
        if let Some(e) = event {
            let key = keys::contract_event(&e.tenant_id, &e.contract_id, e.seq);
            let put = built(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(with_key(key, to_item(e)?)))
                    .build(),
            )?;
            tx = tx.transact_items(TransactWriteItem::builder().put(put).build());
        }
        Ok(tx.send().await.conditional()?.is_some())
    }

    /// Every connected contract of every tenant, from gsi2 (no table scan), as
    /// `(tenant, contract)` pairs.
    pub async fn all_contracts(&self) -> Result<Vec<(String, String)>> {
        let items = self
            .query_all(&Partition::index(
                keys::GSI2,
                keys::GSI2_PK,
                keys::ALL_CONTRACTS.to_owned(),
            ))
            .await?;
        Ok(items
            .iter()
            .map(|item| {
                let field = |k: &str| text(item, k).unwrap_or_default();
                (field("tenantId"), field("contractId"))
            })
            .collect())
    }

    /// One page of the tenants of a listing, in index order (a tenant with several contracts
    /// comes once per contract, next to each other).
    pub async fn tenants_page(
        &self,
        listing: crate::messages::TenantListing,
        next_token: Option<&str>,
    ) -> Result<Page<String>> {
        let value = match listing {
            crate::messages::TenantListing::Contracts => keys::ALL_CONTRACTS,
            crate::messages::TenantListing::Onboarded => keys::ONBOARDED,
        };
        let page = self
            .query_page_items(
                &Partition::index(keys::GSI2, keys::GSI2_PK, value.to_owned()),
                super::MAX_PAGE_SIZE,
                next_token,
                true,
            )
            .await?;
        Ok(Page {
            items: page
                .items
                .iter()
                .filter_map(|item| text(item, "tenantId"))
                .collect(),
            next_token: page.next_token,
        })
    }

    /// Adds to a contract's counters of imported records (activity; exports count in their own
    /// transaction).
    pub async fn count_imported(
        &self,
        tenant_id: &str,
        contract_id: &str,
        counts: &ImportCounts,
    ) -> Result<()> {
        if counts == &ImportCounts::default() {
            return Ok(());
        }
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::contract_stats(
                tenant_id,
                contract_id,
            ))))
            .update_expression("ADD inmails :i, notes :n, contactShares :c")
            .expression_attribute_values(":i", n(counts.inmails))
            .expression_attribute_values(":n", n(counts.notes))
            .expression_attribute_values(":c", n(counts.contact_shares))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }

    /// Every contract's counters for a tenant, by contract id.
    pub async fn contract_counts(&self, tenant_id: &str) -> Result<HashMap<String, ImportCounts>> {
        let partition =
            Partition::table(keys::tenant(tenant_id).pk).prefix(keys::CONTRACT_STATS_PREFIX);
        let mut out = HashMap::new();
        for item in self.query_all(&partition).await? {
            let contract = item
                .get(keys::SK)
                .and_then(|v| v.as_s().ok())
                .and_then(|sk| sk.strip_prefix(keys::CONTRACT_STATS_PREFIX))
                .unwrap_or_default();
            let num = |k: &str| {
                item.get(k)
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
            };
            let counts = ImportCounts {
                exports: num("exports"),
                inmails: num("inmails"),
                notes: num("notes"),
                contact_shares: num("contactShares"),
            };
            out.insert(contract.to_owned(), counts);
        }
        Ok(out)
    }

    /// Notes that a message of the tenant went to a dead-letter queue (kept 14 days, as long as
    /// the queue keeps the message).
    pub async fn record_dead_letter(&self, tenant_id: &str, letter: &DeadLetter) -> Result<()> {
        let mut item = with_key(
            keys::dead_letter(tenant_id, letter.at, &letter.message_id),
            to_item(letter)?,
        );
        item.insert(keys::TTL.into(), n((letter.at + 14 * 86_400_000) / 1000));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }

    /// The tenant's most recent dead letters, newest first.
    pub async fn recent_dead_letters(
        &self,
        tenant_id: &str,
        limit: i32,
    ) -> Result<Vec<DeadLetter>> {
        let partition =
            Partition::table(keys::tenant(tenant_id).pk).prefix(keys::DEAD_LETTER_PREFIX);
        Ok(self.query_page(&partition, limit, None, false).await?.items)
    }

    /// A page of a contract's status transitions, oldest first.
    pub async fn list_contract_events(
        &self,
        tenant_id: &str,
        contract_id: &str,
        limit: i32,
        next_token: Option<&str>,
    ) -> Result<Page<ContractEvent>> {
        let partition = Partition::table(keys::contract_events_partition(tenant_id, contract_id))
            .prefix(keys::CONTRACT_EVENT_PREFIX);
        self.query_page(&partition, limit, next_token, true).await
    }
}
