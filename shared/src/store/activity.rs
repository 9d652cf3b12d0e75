//! Recruiter activity (InMails, notes) and shared contact details, stored in the member's
//! candidate partition so one query returns a candidate with everything about them.

use std::collections::HashMap;

use futures::StreamExt;

use aws_sdk_dynamodb::types::{DeleteRequest, PutRequest, WriteRequest};

use super::item::{Item, built, from_item, key_item, s, text, to_item, with_key};
use super::query::Partition;
use super::write::Unprocessed;
use super::{Page, Store};
use crate::domain::{Activity, Application, Candidate, ContactShare, UnprocessedActivity};
use crate::error::{Error, Result};
use crate::keys::{self, Key};

/// BatchWriteItem's limit.
const BATCH_WRITE_MAX: usize = 25;
/// BatchWriteItem calls in flight at once for one write.
const PARALLEL_BATCHES: usize = 4;

/// A candidate with its applications, activity (oldest first) and contact shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateRecord {
    pub candidate: Candidate,
    pub applications: Vec<Application>,
    pub activity: Vec<Activity>,
    pub contacts: Vec<ContactShare>,
}

/// What the activity import writes in one go.
#[derive(Debug, Default)]
pub struct ActivityWrites {
    pub activity: Vec<Activity>,
    pub contacts: Vec<ContactShare>,
    /// Notes LinkedIn reported deleted.
    pub deleted_notes: Vec<DeletedNote>,
    /// Kept records a re-process imported: they are no longer kept.
    pub reprocessed: Vec<UnprocessedActivity>,
    /// Records kept as they came because they could not be imported.
    pub unprocessed: Vec<UnprocessedActivity>,
}

impl ActivityWrites {
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn len(&self) -> usize {
        self.activity.len()
            + self.contacts.len()
            + self.deleted_notes.len()
            + self.reprocessed.len()
            + self.unprocessed.len()
    }
}

/// A note LinkedIn reported deleted, as the member's candidate partition stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletedNote {
    pub tenant_id: String,
    pub candidate_id: String,
    /// The note's creation time (its place in the partition).
    pub created_at: i64,
    pub note_id: String,
}

fn unprocessed_key(u: &UnprocessedActivity) -> Key {
    keys::unprocessed(
        &u.tenant_id,
        u.stream.name(),
        &u.contract_id,
        &u.seat_id,
        &u.record_id,
    )
}

fn activity_key(a: &Activity) -> Key {
    keys::activity(
        &a.tenant_id,
        &a.candidate_id,
        a.at,
        a.kind(),
        &a.activity_id,
    )
}

fn deleted_note_key(d: &DeletedNote) -> Key {
    keys::activity(
        &d.tenant_id,
        &d.candidate_id,
        d.created_at,
        "NOTE",
        &d.note_id,
    )
}

impl Store {
    /// Everything stored for a candidate, in one query; `None` if the member was never imported
    /// as a candidate (pending activity alone does not make a candidate).
    pub async fn candidate_record(
        &self,
        tenant_id: &str,
        candidate_id: &str,
    ) -> Result<Option<CandidateRecord>> {
        let mut candidate = None;
        let (mut applications, mut activity, mut contacts) = (Vec::new(), Vec::new(), Vec::new());
        for item in self
            .query_all(&Partition::table(keys::candidate_partition(
                tenant_id,
                candidate_id,
            )))
            .await?
        {
            let sk = text(&item, keys::SK).unwrap_or_default();
            if sk.starts_with(keys::APPLICATION_PREFIX) {
                applications.push(from_item::<Application>(item)?);
            } else if sk.starts_with(keys::ACTIVITY_PREFIX) {
                activity.push(from_item::<Activity>(item)?);
            } else if sk.starts_with(keys::CONTACT_PREFIX) {
                contacts.push(from_item::<ContactShare>(item)?);
            } else if sk == "CANDIDATE" {
                candidate = Some(from_item::<Candidate>(item)?);
            }
        }
        applications.sort_by(|a, b| {
            (a.created_at, &a.application_id).cmp(&(b.created_at, &b.application_id))
        });
        Ok(candidate.map(|candidate| CandidateRecord {
            candidate,
            applications,
            activity,
            contacts,
        }))
    }

    /// For each candidate id that exists, its applications as the candidate item summarises them
    /// (`Application` values with only ids, contract and creation time set). One BatchGetItem per
    /// hundred candidates.
    pub async fn application_summaries(
        &self,
        tenant_id: &str,
        candidate_ids: &[String],
    ) -> Result<HashMap<String, Vec<Application>>> {
        let wanted: Vec<Key> = candidate_ids
            .iter()
            .map(|c| keys::candidate(tenant_id, c))
            .collect();
        let mut out = HashMap::new();
        for item in self.batch_get(wanted).await? {
            let Some(candidate_id) = text(&item, "candidateId") else {
                continue;
            };
            let apps = item
                .iter()
                .filter_map(|(k, v)| keys::parse_application_summary(k, v.as_s().ok()?))
                .map(|(application_id, contract_id, created_at)| Application {
                    tenant_id: tenant_id.to_owned(),
                    application_id,
                    candidate_id: candidate_id.clone(),
                    job_id: String::new(),
                    source: crate::domain::Source::LinkedIn,
                    contract_id,
                    exported_by: None,
                    source_name: None,
                    disposition_reason: None,
                    stages: Vec::new(),
                    created_at,
                    updated_at: None,
                })
                .collect();
            out.insert(candidate_id, apps);
        }
        Ok(out)
    }

    /// A page of a candidate's activity, oldest first.
    pub async fn list_activity(
        &self,
        tenant_id: &str,
        candidate_id: &str,
        limit: i32,
        next_token: Option<&str>,
    ) -> Result<Page<Activity>> {
        let partition = Partition::table(keys::candidate_partition(tenant_id, candidate_id))
            .prefix(keys::ACTIVITY_PREFIX);
        self.query_page(&partition, limit, next_token, true).await
    }

    /// The tenant's latest InMails and notes, newest first (whether or not their member is a
    /// candidate yet).
    pub async fn recent_activity(&self, tenant_id: &str, limit: i32) -> Result<Vec<Activity>> {
        let listing =
            Partition::index(keys::GSI1, keys::GSI1_PK, keys::activity_listing(tenant_id));
        Ok(self.query_page(&listing, limit, None, false).await?.items)
    }

    /// The candidates of these ids that exist, by id. One BatchGetItem per hundred distinct ids.
    pub async fn candidates_by_id(
        &self,
        tenant_id: &str,
        candidate_ids: &[String],
    ) -> Result<HashMap<String, Candidate>> {
        // BatchGetItem refuses a request that names a key twice.
        let distinct: std::collections::BTreeSet<&String> = candidate_ids.iter().collect();
        let wanted: Vec<Key> = distinct
            .into_iter()
            .map(|c| keys::candidate(tenant_id, c))
            .collect();
        let mut out = HashMap::new();
        for item in self.batch_get(wanted).await? {
            let candidate: Candidate = from_item(item)?;
            out.insert(candidate.candidate_id.clone(), candidate);
        }
        Ok(out)
    }

    /// Activity about a member that was stored before the member became a candidate.
    pub async fn pending_activity(
        &self,
        tenant_id: &str,
        candidate_id: &str,
    ) -> Result<Vec<Activity>> {
        let partition = Partition::table(keys::candidate_partition(tenant_id, candidate_id))
            .prefix(keys::ACTIVITY_PREFIX);
        let all: Vec<Activity> = self.query_all_as(&partition).await?;
        Ok(all
            .into_iter()
            .filter(|a| a.application_id.is_none())
            .collect())
    }

    /// Writes activity, contact shares and note deletions with BatchWriteItem (25 per request).
    /// Every item is keyed by LinkedIn's id, so writing one twice stores the same thing.
    pub async fn write_activity(&self, writes: &ActivityWrites) -> Result<usize> {
        let mut requests = Vec::with_capacity(writes.len());
        for a in &writes.activity {
            let mut item = with_key(activity_key(a), to_item(a)?);
            item.insert(
                keys::GSI1_PK.into(),
                s(keys::activity_listing(&a.tenant_id)),
            );
            item.insert(
                keys::GSI1_SK.into(),
                s(keys::activity_listing_sort(a.at, a.kind(), &a.activity_id)),
            );
            requests.push(put(item)?);
        }
        for c in &writes.contacts {
            let key = keys::contact_share(&c.tenant_id, &c.candidate_id, c.shared_at, &c.share_id);
            requests.push(put(with_key(key, to_item(c)?))?);
        }
        for d in &writes.deleted_notes {
            requests.push(delete(&deleted_note_key(d))?);
        }
        for u in &writes.reprocessed {
            requests.push(delete(&unprocessed_key(u))?);
        }
        for u in &writes.unprocessed {
            requests.push(put(with_key(unprocessed_key(u), to_item(u)?))?);
        }
        self.batch_write(requests).await
    }

    /// Every activity record of a tenant kept because it could not be imported.
    pub async fn unprocessed_activity(&self, tenant_id: &str) -> Result<Vec<UnprocessedActivity>> {
        self.query_all_as(
            &Partition::table(keys::tenant(tenant_id).pk).prefix(keys::UNPROCESSED_PREFIX),
        )
        .await
    }

    /// Sends write requests in batches of 25, up to four batches at once, retrying unprocessed
    /// items with backoff. Returns the number of BatchWriteItem calls made.
    pub(crate) async fn batch_write(&self, requests: Vec<WriteRequest>) -> Result<usize> {
        let results: Vec<Result<usize>> = futures::stream::iter(
            requests
                .chunks(BATCH_WRITE_MAX)
                .map(<[WriteRequest]>::to_vec),
        )
        .map(|chunk| self.write_chunk(chunk))
        .buffer_unordered(PARALLEL_BATCHES)
        .collect()
        .await;
        results.into_iter().sum()
    }

    async fn write_chunk(&self, mut pending: Vec<WriteRequest>) -> Result<usize> {
        let mut calls = 0;
        let mut backoff = Unprocessed::new("BatchWriteItem kept items unprocessed");
        while !pending.is_empty() {
            calls += 1;
            let resp = self
                .client
                .batch_write_item()
                .request_items(&self.table, pending)
                .send()
                .await
                .map_err(|e| Error::aws("DynamoDB", e))?;
            pending = resp
                .unprocessed_items
                .and_then(|mut u| u.remove(&self.table))
                .unwrap_or_default();
            if !pending.is_empty() {
                backoff.wait().await?;
            }
        }
        Ok(calls)
    }
}

/// A BatchWriteItem delete of one key.
pub(crate) fn delete(key: &Key) -> Result<WriteRequest> {
    let delete = built(
        DeleteRequest::builder()
            .set_key(Some(key_item(key)))
            .build(),
    )?;
    Ok(WriteRequest::builder().delete_request(delete).build())
}

fn put(item: Item) -> Result<WriteRequest> {
    let put = built(PutRequest::builder().set_item(Some(item)).build())?;
    Ok(WriteRequest::builder().put_request(put).build())
}
