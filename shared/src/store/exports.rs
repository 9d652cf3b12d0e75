//! Export records: the claim a delivery takes before fetching an export, the import of an export
//! in one transaction, pending leads (by seat) and held exports.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};

use super::item::{Item, built, from_item, key_item, key_of, n, s, to_item, upsert, with_key};
use super::query::Partition;
use super::write::Conditional;
use super::{Page, Store};
use crate::domain::{Application, Candidate, Changed, ExportRecord, ExportStatus};
use crate::error::{Error, Result};
use crate::keys;

/// What importing an export did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// This call wrote it.
    Written,
    /// It had been written before (a replayed message); nothing changed.
    AlreadyThere,
    /// The contract was not active or the seat not linked ([`ImportChecks`]); nothing changed.
    ChecksFailed,
}

/// What an import assumed instead of reading, checked in its transaction: the contract active
/// at `active_at` (status `Active`, no expiry date or a later one) and, when named, the seat
/// linked to an ATS user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportChecks {
    pub contract_id: String,
    pub active_at: i64,
    /// N of `urn:li:seat:N`.
    pub linked_seat: Option<String>,
}

impl ImportChecks {
    fn condition_checks(&self, table: &str, tenant_id: &str) -> Result<Vec<ConditionCheck>> {
        let mut out = vec![built(
            ConditionCheck::builder()
                .table_name(table)
                .set_key(Some(key_item(&keys::contract(
                    tenant_id,
                    &self.contract_id,
                ))))
                .condition_expression(
                    "#st = :active AND (attribute_not_exists(expiresAt) OR expiresAt > :now)",
                )
                .expression_attribute_names("#st", "status")
                .expression_attribute_values(":active", s("Active"))
                .expression_attribute_values(":now", n(self.active_at))
                .build(),
        )?];
        if let Some(seat) = &self.linked_seat {
            out.push(built(
                ConditionCheck::builder()
                    .table_name(table)
                    .set_key(Some(key_item(&keys::seat(
                        tenant_id,
                        &self.contract_id,
                        seat,
                    ))))
                    .condition_expression("attribute_exists(userId)")
                    .build(),
            )?);
        }
        Ok(out)
    }
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
    /// Imports an export in one transaction: upserts the candidate with the exported fields,
    /// creates the application if it is new, and records the export. A replay of the same export
    /// finds the record and changes nothing.
    pub async fn import_export(
        &self,
        candidate: &Candidate,
        application: &Application,
        record: &ExportRecord,
        replacing_pending: bool,
        checks: Option<&ImportChecks>,
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
        super::outbound::into_outbox(
            &mut candidate_update,
            &candidate.tenant_id,
            &Changed::candidate(&candidate.candidate_id),
            record.recorded_at,
        );

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
        let stats = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key_item(&keys::contract_stats(
                    &record.tenant_id,
                    &record.contract_id,
                ))))
                .update_expression("ADD exports :one")
                .expression_attribute_values(":one", n(1))
                .build(),
        )?;
        let application_ref = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(self.application_ref_item(
                    &application.tenant_id,
                    &application.application_id,
                    &application.candidate_id,
                )))
                .build(),
        )?;
        let checks = match checks {
            Some(c) => c.condition_checks(&self.table, &record.tenant_id)?,
            None => Vec::new(),
        };
        let checked = checks.len();
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(
                checks
                    .into_iter()
                    .map(|c| TransactWriteItem::builder().condition_check(c).build())
                    .collect(),
            ))
            .transact_items(TransactWriteItem::builder().update(stats).build())
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
            .transact_items(TransactWriteItem::builder().put(application_ref).build())
            .send()
            .await;
        match result.or_condition_failed()? {
            Ok(_) => Ok(Recorded::Written),
            Err(cancelled) => {
                // The checks come first: a failed one says the assumption was wrong.
                let check_failed = match cancelled.as_service_error() {
                    Some(TransactWriteItemsError::TransactionCanceledException(c)) => c
                        .cancellation_reasons()
                        .iter()
                        .take(checked)
                        .any(|r| r.code() == Some("ConditionalCheckFailed")),
                    _ => false,
                };
                if check_failed {
                    return Ok(Recorded::ChecksFailed);
                }
                if self
                    .export_record(&record.tenant_id, &record.request_id)
                    .await?
                    .is_some()
                {
                    Ok(Recorded::AlreadyThere)
                } else {
                    Err(Error::aws("DynamoDB", cancelled))
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
        if record.status == ExportStatus::Held {
            item.insert(
                keys::GSI2_PK.into(),
                s(keys::held_exports(&record.tenant_id)),
            );
            item.insert(keys::GSI2_SK.into(), s(&record.request_id));
        }
        if record.status == ExportStatus::Pending
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
        built(put.build())
    }

    /// Records a pending lead, or an export skipped when its seat was linked; `replacing_pending`
    /// as in `record_put`. A replay finds the record and changes nothing.
    pub async fn record_export(
        &self,
        record: &ExportRecord,
        replacing_pending: bool,
    ) -> Result<Recorded> {
        let put = self.record_put(record, replacing_pending)?;
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(put.item))
            .set_condition_expression(put.condition_expression)
            .set_expression_attribute_names(put.expression_attribute_names)
            .set_expression_attribute_values(put.expression_attribute_values)
            .send()
            .await
            .conditional()?;
        Ok(match written {
            Some(_) => Recorded::Written,
            None => Recorded::AlreadyThere,
        })
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
        let found = self.query_all(&listing).await?.iter().map(key_of).collect();
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
        item.insert("claimUntil".into(), n(now + lease_ms));
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
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":owner", s(owner))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        let refused = match result.or_condition_failed()? {
            Ok(_) => return Ok(ExportClaim::Claimed),
            Err(refused) => refused,
        };
        // What is there: the old item comes back with the failed condition.
        let old: Item = match refused.as_service_error() {
            Some(PutItemError::ConditionalCheckFailedException(c)) => {
                c.item.clone().unwrap_or_default()
            }
            _ => return Err(Error::aws("DynamoDB", refused)),
        };
        if old.contains_key("status") {
            Ok(ExportClaim::Recorded(Box::new(from_item(old)?)))
        } else {
            Ok(ExportClaim::Busy)
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
}
