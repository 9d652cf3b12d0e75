//! The DynamoDB store: the only code that knows how domain values become table items.
//!
//! It is the ground floor: it keeps `domain` values, builds every table key itself (with
//! `keys`), and uses no service module. Services call its methods with ids and domain values.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use serde::Serialize;
use serde::de::DeserializeOwned;

mod activity;
mod budget;
mod compliance;
mod contracts;
mod exports;
mod feed;
mod item;
mod notes;
mod outbound;
mod query;
mod removals;
mod seats;
mod sync;
mod write;

use item::{Item, built, from_item, key_item, to_item, with_key};
use query::Partition;
use write::Unprocessed;

pub use activity::{ActivityWrites, CandidateRecord, DeletedNote};
pub use exports::{ExportClaim, ImportChecks, Recorded};
pub use feed::{Change, ChangesPage, FEED_RETENTION_DAYS};
pub use removals::ForgetOutcome;
pub use seats::{LinkedSeat, ListedSeat, PollLease};
pub use sync::ApplicationRef;
pub use write::retry_lost_races;

use crate::domain::{Candidate, Contract, Job, Tenant};
use crate::error::{Error, Result};
use crate::keys::{self, Key};

/// The most items one listing page returns.
pub const MAX_PAGE_SIZE: i32 = 100;

#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: String,
}

/// One page of a listing, with the opaque token of the next page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    // ---- tenants, contracts, jobs -------------------------------------------------------------

    pub async fn put_tenant(&self, tenant: &Tenant) -> Result<()> {
        self.put(keys::tenant(&tenant.tenant_id), tenant).await
    }

    pub async fn get_tenant(&self, tenant_id: &str) -> Result<Option<Tenant>> {
        self.get(keys::tenant(tenant_id)).await
    }

    /// The tenant's onboarding checklist, replaced as a whole (each step is idempotent, so
    /// the last run's view is the one to keep). Listed in gsi2 under `ONBOARDING`, so the hourly
    /// review finds every onboarded tenant, with or without contracts.
    pub async fn put_onboarding(&self, onboarding: &crate::domain::Onboarding) -> Result<()> {
        let mut item = with_key(
            keys::onboarding(&onboarding.tenant_id),
            to_item(onboarding)?,
        );
        item.insert(keys::GSI2_PK.to_owned(), item::s(keys::ONBOARDED));
        item.insert(keys::GSI2_SK.to_owned(), item::s(&onboarding.tenant_id));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }

    /// Every tenant with an onboarding checklist.
    pub async fn onboarded_tenants(&self) -> Result<Vec<String>> {
        let items = self
            .query_all(&Partition::index(
                keys::GSI2,
                keys::GSI2_PK,
                keys::ONBOARDED.to_owned(),
            ))
            .await?;
        Ok(items
            .iter()
            .filter_map(|item| item::text(item, "tenantId"))
            .collect())
    }

    pub async fn get_onboarding(
        &self,
        tenant_id: &str,
    ) -> Result<Option<crate::domain::Onboarding>> {
        self.get(keys::onboarding(tenant_id)).await
    }

    pub async fn get_contract(
        &self,
        tenant_id: &str,
        contract_id: &str,
    ) -> Result<Option<Contract>> {
        self.get(keys::contract(tenant_id, contract_id)).await
    }

    pub async fn list_contracts(&self, tenant_id: &str) -> Result<Vec<Contract>> {
        self.query_all_as(
            &Partition::table(keys::tenant(tenant_id).pk).prefix(keys::CONTRACT_PREFIX),
        )
        .await
    }

    pub async fn put_job(&self, job: &Job) -> Result<()> {
        self.put(keys::job(&job.tenant_id, &job.job_id), job).await
    }

    pub async fn get_job(&self, tenant_id: &str, job_id: &str) -> Result<Option<Job>> {
        self.get(keys::job(tenant_id, job_id)).await
    }

    // ---- candidates and applications ----------------------------------------------------------

    pub async fn get_candidate(
        &self,
        tenant_id: &str,
        candidate_id: &str,
    ) -> Result<Option<Candidate>> {
        self.get(keys::candidate(tenant_id, candidate_id)).await
    }

    pub async fn list_candidates(
        &self,
        tenant_id: &str,
        limit: i32,
        next_token: Option<&str>,
    ) -> Result<Page<Candidate>> {
        let listing = Partition::index(
            keys::GSI1,
            keys::GSI1_PK,
            keys::candidates_listing(tenant_id),
        );
        self.query_page(&listing, limit, next_token, true).await
    }

    // ---- helpers ------------------------------------------------------------------------------

    /// Reads items by key with BatchGetItem (100 keys a call), retrying unprocessed keys with
    /// backoff. Missing items are simply absent from the answer.
    pub(crate) async fn batch_get(&self, wanted: Vec<Key>) -> Result<Vec<Item>> {
        self.batch_get_with(wanted, false).await
    }

    /// `batch_get`, decoded and read consistently: for what is sent to LinkedIn, which must be
    /// at least as new as the outbox revision it clears.
    pub(crate) async fn read_consistent<T: DeserializeOwned>(
        &self,
        wanted: Vec<Key>,
    ) -> Result<Vec<T>> {
        self.batch_get_with(wanted, true)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// `batch_get`, with strongly consistent reads when `consistent`.
    async fn batch_get_with(&self, wanted: Vec<Key>, consistent: bool) -> Result<Vec<Item>> {
        let mut out = Vec::with_capacity(wanted.len());
        for chunk in wanted.chunks(100) {
            let mut pending: Vec<Item> = chunk.iter().map(key_item).collect();
            let mut backoff = Unprocessed::new("BatchGetItem kept keys unprocessed");
            while !pending.is_empty() {
                let request = built(
                    KeysAndAttributes::builder()
                        .set_keys(Some(pending))
                        .consistent_read(consistent)
                        .build(),
                )?;
                let resp = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| Error::aws("DynamoDB", e))?;
                out.extend(
                    resp.responses
                        .and_then(|mut r| r.remove(&self.table))
                        .unwrap_or_default(),
                );
                pending = resp
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .map(|k| k.keys)
                    .unwrap_or_default();
                if !pending.is_empty() {
                    backoff.wait().await?;
                }
            }
        }
        Ok(out)
    }

    async fn put<T: Serialize>(&self, key: Key, value: &T) -> Result<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(with_key(key, to_item(value)?)))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }

    pub(crate) async fn get<T: DeserializeOwned>(&self, key: Key) -> Result<Option<T>> {
        let resp = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&key)))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        resp.item.map(from_item).transpose()
    }
}
