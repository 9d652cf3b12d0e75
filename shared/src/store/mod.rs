//! The DynamoDB store: the only code that knows how domain values become table items.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

mod activity;
mod compliance;
mod contracts;
mod outbound;
mod query;
mod seats;

use query::Partition;

pub use activity::{ActivityWrites, CandidateRecord, activity_key, unprocessed_key};
pub use outbound::ApplicationRef;
pub use seats::{LinkedSeat, ListedSeat, PollLease};

use crate::domain::{Application, Candidate, Contract, ExportRecord, Job, Tenant};
use crate::error::{Error, Result};
use crate::keys::{self, Key};

pub(crate) type Item = HashMap<String, AttributeValue>;

/// The most items one listing page returns.
pub const MAX_PAGE_SIZE: i32 = 100;

#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) client: Client,
    pub(crate) table: String,
}

/// One page of a listing, with the opaque token of the next page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// What importing an export did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// This call wrote it.
    Written,
    /// It had been written before (a replayed message); nothing changed.
    AlreadyThere,
}

/// What claiming an export found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportClaim {
    /// This delivery may fetch and import it.
    Claimed,
    /// It was handled before; here is its record.
    Recorded(Box<ExportRecord>),
    /// Another delivery is fetching it right now.
    Busy,
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
        self.put(keys::tenant(&tenant.tenant_id), tenant, &[]).await
    }

    pub async fn get_tenant(&self, tenant_id: &str) -> Result<Option<Tenant>> {
        self.get(keys::tenant(tenant_id)).await
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
        self.put(keys::job(&job.tenant_id, &job.job_id), job, &[])
            .await
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

    /// Imports an export in one transaction: upserts the candidate with the exported fields,
    /// creates the application if it is new, and records the export. A replay of the same export
    /// finds the record and changes nothing.
    pub async fn import_export(
        &self,
        candidate: &Candidate,
        application: &Application,
        record: &ExportRecord,
        replacing_pending: bool,
    ) -> Result<Recorded> {
        let candidate_key = keys::candidate(&candidate.tenant_id, &candidate.candidate_id);
        let mut candidate_item = to_item(candidate)?;
        candidate_item.insert(
            keys::GSI1_PK.into(),
            s(keys::candidates_listing(&candidate.tenant_id)),
        );
        candidate_item.insert(keys::GSI1_SK.into(), s(&candidate.candidate_id));
        // The candidate item also summarises its applications, so the activity import can place
        // records for a hundred members with one BatchGetItem instead of a query each.
        let summary = keys::application_summary_attr(&application.application_id);
        candidate_item.insert(
            summary.clone(),
            s(keys::application_summary(
                application.contract_id.as_deref(),
                application.created_at,
            )),
        );
        // Exported fields are refreshed; the first import's dates, source and summaries stay.
        let mut candidate_update = upsert(
            &self.table,
            candidate_key,
            candidate_item,
            &["createdAt", "source", summary.as_str()],
        )?;
        // The candidate goes to LinkedIn with its member attached (RSC's "attach person URN"),
        // through the outbound sync's outbox, in the same transaction.
        outbound::into_outbox(
            &mut candidate_update,
            &candidate.tenant_id,
            &crate::outbound::Changed::candidate(&candidate.candidate_id),
            record.recorded_at,
        );
        let change_seq = self.change_seq_bump(&candidate.tenant_id)?;

        let app_key = keys::application(
            &application.tenant_id,
            &application.candidate_id,
            &application.application_id,
        );
        let app_fields: Vec<String> = to_item(application)?.keys().cloned().collect();
        let app_fields: Vec<&str> = app_fields.iter().map(String::as_str).collect();
        let application_update = upsert(&self.table, app_key, to_item(application)?, &app_fields)?;

        let record_put = self.record_put(record, replacing_pending)?;
        // The contract's count of imported exports moves with the import, exactly once.
        let stats = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::contract_stats(
                &record.tenant_id,
                &record.contract_id,
            ))))
            .update_expression("ADD exports :one")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .build()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(stats).build())
            .transact_items(TransactWriteItem::builder().update(change_seq).build())
            .transact_items(
                TransactWriteItem::builder()
                    .update(candidate_update)
                    .build(),
            )
            .transact_items(
                TransactWriteItem::builder()
                    .update(application_update)
                    .build(),
            )
            .transact_items(TransactWriteItem::builder().put(record_put).build())
            .transact_items(
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(self.application_ref_item(
                                &application.tenant_id,
                                &application.application_id,
                                &application.candidate_id,
                            )))
                            .build()
                            .map_err(|e| Error::Invalid(e.to_string()))?,
                    )
                    .build(),
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(Recorded::Written),
            Err(err) => {
                let cancelled = err
                    .as_service_error()
                    .is_some_and(|e| e.is_transaction_canceled_exception());
                if cancelled
                    && self
                        .export_record(&record.tenant_id, &record.request_id)
                        .await?
                        .is_some()
                {
                    Ok(Recorded::AlreadyThere)
                } else {
                    Err(Error::aws("DynamoDB", err))
                }
            }
        }
    }

    /// The Put of an export record. A new record needs no record there; one that replaces a
    /// pending lead needs that lead to still be pending (so a lead is imported once). A pending
    /// lead is also listed under its seat in gsi2.
    fn record_put(&self, record: &ExportRecord, replacing_pending: bool) -> Result<Put> {
        let mut item = with_key(
            keys::export(&record.tenant_id, &record.request_id),
            to_item(record)?,
        );
        item.insert(
            keys::GSI1_PK.into(),
            s(keys::exports_listing(&record.tenant_id)),
        );
        item.insert(
            keys::GSI1_SK.into(),
            s(keys::exports_listing_sort(
                record.recorded_at,
                &record.request_id,
            )),
        );
        if record.status == crate::domain::ExportStatus::Held {
            item.insert(
                keys::GSI2_PK.into(),
                s(keys::held_exports(&record.tenant_id)),
            );
            item.insert(keys::GSI2_SK.into(), s(&record.request_id));
        }
        if record.status == crate::domain::ExportStatus::Pending
            && let Some(seat) = record
                .exported_by
                .as_deref()
                .and_then(|s| crate::ids::urn_number("seat", s).ok())
        {
            item.insert(
                keys::GSI2_PK.into(),
                s(keys::pending_leads(
                    &record.tenant_id,
                    &record.contract_id,
                    &seat,
                )),
            );
            item.insert(keys::GSI2_SK.into(), s(&record.request_id));
        }
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .expression_attribute_names("#pk", keys::PK);
        // A claim (no status yet) or a held export is replaced like no record at all.
        let put = if replacing_pending {
            put.condition_expression("attribute_exists(#pk) AND #st = :pending")
                .expression_attribute_values(":pending", s("pending"))
        } else {
            put.condition_expression(
                "attribute_not_exists(#pk) OR attribute_not_exists(#st) OR #st = :held",
            )
            .expression_attribute_values(":held", s("held"))
        };
        let put = put.expression_attribute_names("#st", "status");
        put.build().map_err(|e| Error::Invalid(e.to_string()))
    }

    /// Records a pending lead, or an export skipped when its seat was linked; `replacing_pending`
    /// as in `record_put`. A replay finds the record and changes nothing.
    pub async fn record_export(
        &self,
        record: &ExportRecord,
        replacing_pending: bool,
    ) -> Result<Recorded> {
        let put = self.record_put(record, replacing_pending)?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(put.item))
            .set_condition_expression(put.condition_expression)
            .set_expression_attribute_names(put.expression_attribute_names)
            .set_expression_attribute_values(put.expression_attribute_values)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Recorded::Written),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(Recorded::AlreadyThere)
            }
            Err(err) => Err(Error::aws("DynamoDB", err)),
        }
    }

    /// The pending leads of a seat (gsi2 lists their keys; the records are read in batches).
    pub async fn pending_leads(
        &self,
        tenant_id: &str,
        contract_id: &str,
        seat_id: &str,
    ) -> Result<Vec<ExportRecord>> {
        let listing = Partition::index(
            keys::GSI2,
            keys::GSI2_PK,
            keys::pending_leads(tenant_id, contract_id, seat_id),
        );
        let found: Vec<Key> = self
            .query_all(&listing)
            .await?
            .iter()
            .map(|item| {
                let text = |k: &str| {
                    item.get(k)
                        .and_then(|v| v.as_s().ok())
                        .cloned()
                        .unwrap_or_default()
                };
                Key {
                    pk: text(keys::PK),
                    sk: text(keys::SK),
                }
            })
            .collect();
        self.batch_get(found)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// The record of an export, once one was written (a claim alone is no record).
    pub async fn export_record(
        &self,
        tenant_id: &str,
        request_id: &str,
    ) -> Result<Option<ExportRecord>> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::export(tenant_id, request_id))))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?
            .item;
        match item {
            Some(item) if item.contains_key("status") => Ok(Some(from_item(item)?)),
            _ => Ok(None),
        }
    }

    /// Claims an export before LinkedIn is asked for it, so that two deliveries of one
    /// notification fetch it once: one conditional write that also tells what is there.
    /// `owner` (the SQS message id) may take its own claim again when it is retried; a claim
    /// lasts `lease_ms`, and one left by a crash is taken over after that.
    pub async fn claim_export(
        &self,
        tenant_id: &str,
        request_id: &str,
        owner: &str,
        now: i64,
        lease_ms: i64,
    ) -> Result<ExportClaim> {
        let key = keys::export(tenant_id, request_id);
        let mut item = key_item(&key);
        item.insert(
            "claimUntil".into(),
            AttributeValue::N((now + lease_ms).to_string()),
        );
        item.insert("claimedBy".into(), s(owner));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(#pk) OR #st = :held \
                 OR (attribute_not_exists(#st) AND (claimUntil < :now OR claimedBy = :owner))",
            )
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":held", s("held"))
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .expression_attribute_values(":owner", s(owner))
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(ExportClaim::Claimed),
            Err(err) => {
                let old = err.as_service_error().and_then(|e| match e {
                    aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(c) => {
                        Some(c.item.clone().unwrap_or_default())
                    }
                    _ => None,
                });
                match old {
                    Some(old) if old.contains_key("status") => {
                        Ok(ExportClaim::Recorded(Box::new(from_item(old)?)))
                    }
                    Some(_) => Ok(ExportClaim::Busy),
                    None => Err(Error::aws("DynamoDB", err)),
                }
            }
        }
    }

    /// Exports LinkedIn refused while the tenant's integration was inactive.
    pub async fn held_exports(&self, tenant_id: &str) -> Result<Vec<String>> {
        let listing = Partition::index(keys::GSI2, keys::GSI2_PK, keys::held_exports(tenant_id));
        Ok(self
            .query_all(&listing)
            .await?
            .iter()
            .filter_map(|item| item.get(keys::GSI2_SK)?.as_s().ok().cloned())
            .collect())
    }

    /// Export records, newest first.
    pub async fn list_exports(
        &self,
        tenant_id: &str,
        limit: i32,
        next_token: Option<&str>,
    ) -> Result<Page<ExportRecord>> {
        let listing = Partition::index(keys::GSI1, keys::GSI1_PK, keys::exports_listing(tenant_id));
        self.query_page(&listing, limit, next_token, false).await
    }

    // ---- helpers ------------------------------------------------------------------------------

    /// Reads items by key with BatchGetItem (100 keys a call), retrying unprocessed keys with
    /// backoff. Missing items are simply absent from the answer.
    pub(crate) async fn batch_get(&self, wanted: Vec<Key>) -> Result<Vec<Item>> {
        self.batch_get_with(wanted, false).await
    }

    /// `batch_get`, with strongly consistent reads when `consistent`.
    pub(crate) async fn batch_get_with(
        &self,
        wanted: Vec<Key>,
        consistent: bool,
    ) -> Result<Vec<Item>> {
        let mut out = Vec::with_capacity(wanted.len());
        for chunk in wanted.chunks(100) {
            let mut pending: Vec<Item> = chunk.iter().map(key_item).collect();
            let mut attempt = 0u32;
            while !pending.is_empty() {
                let request = aws_sdk_dynamodb::types::KeysAndAttributes::builder()
                    .set_keys(Some(pending))
                    .consistent_read(consistent)
                    .build()
                    .map_err(|e| Error::Invalid(e.to_string()))?;
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
                    attempt += 1;
                    if attempt > 8 {
                        return Err(Error::Aws {
                            service: "DynamoDB",
                            message: "BatchGetItem kept keys unprocessed".into(),
                            retryable: true,
                        });
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(25 << attempt.min(6)))
                        .await;
                }
            }
        }
        Ok(out)
    }

    async fn put<T: Serialize>(
        &self,
        key: Key,
        value: &T,
        extra: &[(&str, AttributeValue)],
    ) -> Result<()> {
        let mut item = with_key(key, to_item(value)?);
        for (name, v) in extra {
            item.insert((*name).to_owned(), v.clone());
        }
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| Error::aws("DynamoDB", e))?;
        Ok(())
    }

    async fn get<T: DeserializeOwned>(&self, key: Key) -> Result<Option<T>> {
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

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(crate) fn key_item(key: &Key) -> Item {
    HashMap::from([
        (keys::PK.to_owned(), s(&key.pk)),
        (keys::SK.to_owned(), s(&key.sk)),
    ])
}

pub(crate) fn with_key(key: Key, mut item: Item) -> Item {
    item.extend(key_item(&key));
    item
}

pub(crate) fn to_item<T: Serialize>(value: &T) -> Result<Item> {
    serde_dynamo::to_item(value).map_err(|e| Error::Invalid(format!("cannot store value: {e}")))
}

pub(crate) fn from_item<T: DeserializeOwned>(item: Item) -> Result<T> {
    serde_dynamo::from_item(item).map_err(|e| Error::Aws {
        service: "DynamoDB",
        message: format!("stored item does not match its type: {e}"),
        retryable: false,
    })
}

/// An update that sets every attribute of `item`; those named in `keep_first` keep an existing
/// value (`if_not_exists`), so the first write of them wins.
pub(crate) fn upsert(table: &str, key: Key, item: Item, keep_first: &[&str]) -> Result<Update> {
    let mut builder = Update::builder()
        .table_name(table)
        .set_key(Some(key_item(&key)));
    let mut sets = Vec::with_capacity(item.len());
    for (i, (name, value)) in item.into_iter().enumerate() {
        if name == keys::PK || name == keys::SK {
            continue;
        }
        let (n, v) = (format!("#a{i}"), format!(":v{i}"));
        if keep_first.contains(&name.as_str()) {
            sets.push(format!("{n} = if_not_exists({n}, {v})"));
        } else {
            sets.push(format!("{n} = {v}"));
        }
        builder = builder
            .expression_attribute_names(n, name)
            .expression_attribute_values(v, value);
    }
    builder
        .update_expression(format!("SET {}", sets.join(", ")))
        .build()
        .map_err(|e| Error::Invalid(e.to_string()))
}

/// Page tokens are the index's last evaluated key, as URL-safe base64 JSON of its string values.
pub(crate) fn encode_token(key: &Item) -> String {
    let map: HashMap<&str, &str> = key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|s| (k.as_str(), s.as_str())))
        .collect();
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&map).unwrap_or_default())
}

/// Refuses a decoded page token whose sort key is outside the listing's prefix (a token of
/// another listing in the same partition).
pub(crate) fn check_sort_prefix(start: Option<&Item>, prefix: &str) -> Result<()> {
    match start {
        Some(key)
            if !key
                .get(keys::SK)
                .and_then(|v| v.as_s().ok())
                .is_some_and(|sk| sk.starts_with(prefix)) =>
        {
            Err(Error::Invalid(
                "nextToken is not a token this API returned".into(),
            ))
        }
        _ => Ok(()),
    }
}

/// Decodes a page token and checks it belongs to the listing it is used for.
pub(crate) fn decode_token(token: &str, partition_attr: &str, partition: &str) -> Result<Item> {
    let bad = || Error::Invalid("nextToken is not a token this API returned".into());
    // A key is at most a few hundred bytes; DynamoDB refuses more than 2 KB per key attribute.
    if token.len() > 4_096 {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
    let map: HashMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    // Exactly the key attributes of what is queried (the table's, plus the index's), each
    // non-empty: anything else is refused here rather than by DynamoDB as a server error.
    let mut expected = vec![keys::PK, keys::SK];
    if partition_attr == keys::GSI1_PK {
        expected.extend([keys::GSI1_PK, keys::GSI1_SK]);
    }
    let well_formed = map.len() == expected.len()
        && expected.iter().all(|k| {
            map.get(*k)
                .is_some_and(|v| !v.is_empty() && v.len() <= 1_024)
        });
    if !well_formed || map.get(partition_attr).map(String::as_str) != Some(partition) {
        return Err(bad());
    }
    Ok(map.into_iter().map(|(k, v)| (k, s(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip_and_reject_garbage() {
        let key: Item = HashMap::from([
            ("pk".to_owned(), s("A")),
            ("sk".to_owned(), s("a")),
            ("gsi1pk".to_owned(), s("B")),
            ("gsi1sk".to_owned(), s("b")),
        ]);
        assert_eq!(
            decode_token(&encode_token(&key), "gsi1pk", "B").unwrap(),
            key
        );
        assert!(decode_token(&encode_token(&key), "gsi1pk", "other tenant").is_err());
        assert!(decode_token(&encode_token(&key), "pk", "B").is_err());
        assert!(decode_token("not base64!", "gsi1pk", "B").is_err());
        let evil = URL_SAFE_NO_PAD.encode(br#"{"evil":"x","gsi1pk":"B"}"#);
        assert!(decode_token(&evil, "gsi1pk", "B").is_err());
        // Crafted tokens DynamoDB itself would refuse (a server error, once): missing or empty
        // key attributes, the wrong set for the index.
        for crafted in [
            &br#"{"gsi1pk":"B"}"#[..],
            br#"{"pk":"A","gsi1pk":"B"}"#,
            br#"{"pk":"A","sk":"","gsi1pk":"B","gsi1sk":"x"}"#,
            br#"{"pk":"B","sk":"x","gsi1pk":"B","gsi1sk":"x"}"#,
        ] {
            let partition = if crafted.starts_with(br#"{"pk":"B""#) {
                "pk"
            } else {
                "gsi1pk"
            };
            assert!(
                decode_token(&URL_SAFE_NO_PAD.encode(crafted), partition, "B").is_err(),
                "{}",
                String::from_utf8_lossy(crafted)
            );
        }
        let table = HashMap::from([("pk".to_owned(), s("B")), ("sk".to_owned(), s("x"))]);
        assert_eq!(
            decode_token(&encode_token(&table), "pk", "B").unwrap(),
            table
        );
    }
}
