//! The hiring team's ACLs (collection, Module 4 "Define Permissions via ACLs"; doc, "Sync ACLs"
//! and "ACL Overview"):
//!
//! - `PUT|DELETE /v2/atsEntityAcls?ids[i].atsEntityAclId=..&ids[i].dataProvider=ATS&
//!   ids[i].integrationContext=..&ids[i].atsEntityType=JOB_POSTING&ids[i].atsEntityId=<job>`
//!   ("Upsert Entity ACL", "Delete Entity ACL"): which ACL (the ATS's security group or role)
//!   secures which job;
//! - `PUT|DELETE /v2/atsEntityAclAssignees?ids[i].atsEntityAclId=..&ids[i].integrationContext=..&
//!   ids[i].dataProvider=ATS&ids[i].assignee=urn:li:person:X&ids[i].atsEntityType=JOB_POSTING`
//!   ("Upsert Entity ACL Assignees", "Delete Entity ACL Assignees"): which member belongs to an
//!   ACL for job postings;
//! - `GET /v2/atsEntityAcls?q=criteria&atsEntityId=..&atsEntityType=..&dataProvider=ATS&
//!   integrationContext=..&start&count` and `GET /v2/atsEntityAclAssignees?q=criteria&
//!   assignee=..&dataProvider=ATS&integrationContext=..` ("Retrieve Entity ACL", "Retrieve Entity
//!   ACL Assignees"): finders; `atsEntityId`, `atsEntityType` and `assignee` filter when given.
//!
//! A PUT is `batch_update` with the keys in the query and, in any field order, as the body's
//! `entities` keys, each entity an object (the collection sends `{}`). Key fields are exactly the
//! five above; `dataProvider` is `ATS`. Per record: 403 for another organization's
//! `integrationContext`, 400 for an `atsEntityType` other than `JOB_POSTING` (the one securable
//! type, doc) or an assignee that is not `urn:li:person:<id>`. A DELETE answers 204 per removed
//! record and 404 for one not held. The collection's assignee PUT lists an
//! `X-RestLi-Protocol-Version: 2.0.0` header, disabled, so LinkedIn's request does not carry
//! it; a request that does is refused like any 2.0 request (`restli.rs`).
//!
//! Unverified, and chosen here: an ACL may be upserted for a job LinkedIn does not hold and a
//! member assigned to an ACL that secures nothing yet (no order is documented); deleting an ACL
//! leaves its assignees (they are records of their own, keyed without the job, and LinkedIn
//! documents no cascade); finder elements carry the key's fields. Stored in
//! [`crate::Synced::acls`] and [`crate::Synced::acl_assignees`].

use std::collections::BTreeSet;
use std::fmt;

use axum::{
    body::Bytes,
    extract::State,
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::Sim;
use crate::activity::finders::{finder, paging};
use crate::api::{ApiErr, Caller, bad, page_response};
use crate::restli::{BatchAnswer, KeyFields, Restli, entities, key_string, parse_key, single};
use crate::sync::keys::{check_ats_id, judge, same_keys};
use crate::sync::rules::Check;
use crate::sync::{MAX_SYNC_BATCH, Synced};

/// The one entity type LinkedIn secures with ACLs (doc, "Sync ACLs").
pub(crate) const JOB_POSTING: &str = "JOB_POSTING";
const PERSON_PREFIX: &str = "urn:li:person:";

/// Which of the two resources a route serves.
#[derive(Clone, Copy)]
enum Kind {
    /// `atsEntityAcls`: an ACL securing a job.
    Entity,
    /// `atsEntityAclAssignees`: a member in an ACL.
    Assignee,
}

impl Kind {
    /// The field that, with the ACL id, names the record: the job or the member.
    fn target_field(self) -> &'static str {
        match self {
            Kind::Entity => "atsEntityId",
            Kind::Assignee => "assignee",
        }
    }

    fn request_kind(self) -> &'static str {
        match self {
            Kind::Entity => "entity ACL",
            Kind::Assignee => "ACL assignee",
        }
    }

    /// The held records of an ACL: its jobs or its members.
    fn held<'a>(self, synced: &'a mut Synced, acl_id: &str) -> &'a mut BTreeSet<String> {
        match self {
            Kind::Entity => synced.acls.entry(acl_id.to_string()).or_default(),
            Kind::Assignee => synced.acl_assignees.entry(acl_id.to_string()).or_default(),
        }
    }

    /// Drops an ACL's entry once it holds nothing, so that an organization with nothing left
    /// has empty maps.
    fn prune(self, synced: &mut Synced, acl_id: &str) {
        let map = match self {
            Kind::Entity => &mut synced.acls,
            Kind::Assignee => &mut synced.acl_assignees,
        };
        if map.get(acl_id).is_some_and(BTreeSet::is_empty) {
            map.remove(acl_id);
        }
    }

    fn write_key(self, key: &AclKey) -> String {
        match self {
            Kind::Entity => format!("acl:{}:{}", key.acl_id, key.target),
            Kind::Assignee => format!("assignee:{}:{}", key.acl_id, key.target),
        }
    }
}

/// An ACL's or an assignee's decoded key (`dataProvider` is always ATS).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct AclKey {
    acl_id: String,
    organization: String,
    entity_type: String,
    /// The job (`atsEntityId`) or the member (`assignee`).
    target: String,
}

impl fmt::Display for AclKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} for {} {} of {}",
            self.acl_id, self.entity_type, self.target, self.organization
        )
    }
}

impl AclKey {
    /// A key from its decoded fields: exactly `atsEntityAclId`, `dataProvider` (ATS),
    /// `integrationContext`, `atsEntityType` and the kind's target field.
    fn from_fields(fields: &KeyFields, kind: Kind) -> Result<AclKey, String> {
        let allowed = [
            "atsEntityAclId",
            "dataProvider",
            "integrationContext",
            "atsEntityType",
            kind.target_field(),
        ];
        if let Some(unknown) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!(
                "unknown key field {unknown} (expected {})",
                allowed.join(", ")
            ));
        }
        let field = |name: &str| {
            fields
                .get(name)
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or_else(|| format!("{name} is missing"))
        };
        let acl_id = field("atsEntityAclId")?;
        check_ats_id("atsEntityAclId", &acl_id)?;
        match field("dataProvider")?.as_str() {
            "ATS" => {}
            other => return Err(format!("dataProvider must be ATS, got {other:?}")),
        }
        let target = field(kind.target_field())?;
        if let Kind::Entity = kind {
            check_ats_id("atsEntityId", &target)?;
        }
        Ok(AclKey {
            acl_id,
            organization: field("integrationContext")?,
            entity_type: field("atsEntityType")?,
            target,
        })
    }

    /// The key string of answers, in the field order of the collection's upsert query.
    fn spelled(&self, kind: Kind) -> String {
        let (id, provider, context) = (
            ("atsEntityAclId", self.acl_id.as_str()),
            ("dataProvider", "ATS"),
            ("integrationContext", self.organization.as_str()),
        );
        let kind_field = ("atsEntityType", self.entity_type.as_str());
        let target = (kind.target_field(), self.target.as_str());
        match kind {
            Kind::Entity => key_string(&[id, provider, context, kind_field, target]),
            Kind::Assignee => key_string(&[id, context, provider, target, kind_field]),
        }
    }

    /// What is wrong with the record itself (answered per record): its entity type, its
    /// assignee.
    fn problems(&self, kind: Kind) -> Vec<String> {
        let mut problems = Vec::new();
        if self.entity_type != JOB_POSTING {
            problems.push(format!(
                "atsEntityType must be {JOB_POSTING}, got {:?}",
                self.entity_type
            ));
        }
        if let Kind::Assignee = kind
            && !is_person(&self.target)
        {
            problems.push(format!(
                "assignee must be {PERSON_PREFIX}<id>, got {:?}",
                self.target
            ));
        }
        problems
    }
}

fn is_person(urn: &str) -> bool {
    urn.strip_prefix(PERSON_PREFIX)
        .is_some_and(|id| !id.is_empty() && !id.contains(':'))
}

/// The keys of a batch call's query (`ids[i].<field>=..`); at most [`MAX_SYNC_BATCH`].
fn query_keys(restli: &Restli, kind: Kind) -> Result<Vec<AclKey>, ApiErr> {
    restli
        .compound_ids(MAX_SYNC_BATCH)?
        .iter()
        .enumerate()
        .map(|(i, fields)| {
            AclKey::from_fields(fields, kind).map_err(|e| bad(format!("ids[{i}]: {e}")))
        })
        .collect()
}

/// batch_update: every record judged on its own; the answer is keyed by the 1.0 key string.
fn upsert(
    sim: &Sim,
    kind: Kind,
    caller: &Caller,
    restli: &Restli,
    body: &Bytes,
) -> Result<BatchAnswer, ApiErr> {
    restli.expect_method("batch_update")?;
    let in_query: BTreeSet<AclKey> = query_keys(restli, kind)?.into_iter().collect();
    let records = entities(body, MAX_SYNC_BATCH)?
        .into_iter()
        .map(|(spelled, entity)| {
            let key = AclKey::from_fields(&parse_key(&spelled)?, kind)
                .map_err(|e| bad(format!("Key {spelled:?}: {e}")))?;
            Ok((key, entity))
        })
        .collect::<Result<Vec<_>, ApiErr>>()?;
    let in_body: BTreeSet<AclKey> = records.iter().map(|(k, _)| k.clone()).collect();
    same_keys(&in_query, &in_body)?;

    let mut answer = BatchAnswer::default();
    let mut state = sim.state();
    let sync = &mut state.sync;
    for (key, entity) in records {
        let mut problems = match Check::of(&entity) {
            Ok(c) => c.into_problems(),
            Err(problems) => problems,
        };
        problems.extend(key.problems(kind));
        let verdict = judge(
            Some(&key.organization),
            &caller.organization,
            problems,
            sync.rejections.get(&key.acl_id),
        );
        let spelled = key.spelled(kind);
        match verdict {
            Ok(()) => {
                let synced = sync.synced_mut(&caller.organization);
                kind.held(synced, &key.acl_id).insert(key.target.clone());
                synced.count_write(kind.write_key(&key));
                answer.ok(spelled, json!({ "status": 204 }));
            }
            Err(refusal) => answer.error(spelled, refusal.status, refusal.message),
        }
    }
    Ok(answer)
}

/// Batch delete (no method header, as in the collection): 204 per removed record, 404 for one
/// not held, 403 for another organization's, 400 for a record that could not exist.
fn delete(sim: &Sim, kind: Kind, caller: &Caller, restli: &Restli) -> Result<BatchAnswer, ApiErr> {
    let keys = query_keys(restli, kind)?;
    let mut answer = BatchAnswer::default();
    let mut state = sim.state();
    for key in keys {
        let spelled = key.spelled(kind);
        let verdict = judge(
            Some(&key.organization),
            &caller.organization,
            key.problems(kind),
            None,
        );
        if let Err(refusal) = verdict {
            answer.error(spelled, refusal.status, refusal.message);
            continue;
        }
        let synced = state.sync.synced_mut(&caller.organization);
        let removed = kind.held(synced, &key.acl_id).remove(&key.target);
        kind.prune(synced, &key.acl_id);
        if removed {
            answer.ok(spelled, json!({ "status": 204 }));
        } else {
            answer.error(spelled, 404, format!("No {} {key}", kind.request_kind()));
        }
    }
    Ok(answer)
}

/// The criteria every finder takes: `dataProvider=ATS` and the caller's `integrationContext`
/// (403 for another organization's), the entity type when given (`JOB_POSTING`).
fn criteria<'a>(restli: &'a Restli, caller: &Caller) -> Result<Option<&'a str>, ApiErr> {
    finder(&restli.query, "criteria")?;
    match single(&restli.query, "dataProvider")? {
        Some("ATS") => {}
        Some(other) => return Err(bad(format!("dataProvider must be ATS, got {other:?}"))),
        None => return Err(bad("Missing query parameter dataProvider")),
    }
    let context = single(&restli.query, "integrationContext")?
        .ok_or_else(|| bad("Missing query parameter integrationContext"))?;
    if let Err(refusal) = judge(Some(context), &caller.organization, vec![], None) {
        return Err(ApiErr::new(refusal.status, 0, refusal.message));
    }
    let entity_type = single(&restli.query, "atsEntityType")?;
    if let Some(other) = entity_type.filter(|t| *t != JOB_POSTING) {
        return Err(bad(format!(
            "atsEntityType must be {JOB_POSTING}, got {other:?}"
        )));
    }
    single(&restli.query, "atsEntityId")
}

/// One finder page of `(acl id, target)` pairs as elements.
fn found(
    kind: Kind,
    organization: &str,
    pairs: Vec<(String, String)>,
    start: usize,
    count: usize,
) -> Response {
    let total = pairs.len();
    let elements = pairs
        .into_iter()
        .skip(start)
        .take(count)
        .map(|(acl_id, target)| {
            json!({
                "atsEntityAclId": acl_id,
                "dataProvider": "ATS",
                "integrationContext": organization,
                "atsEntityType": JOB_POSTING,
                kind.target_field(): target,
            })
        })
        .collect::<Vec<Value>>();
    page_response(elements, start, count, total)
}

pub(crate) async fn put_acls(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    body: Bytes,
) -> Result<Response, ApiErr> {
    Ok(upsert(&sim, Kind::Entity, &caller, &restli, &body)?.into_response())
}

pub(crate) async fn delete_acls(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    Ok(delete(&sim, Kind::Entity, &caller, &restli)?.into_response())
}

/// `GET /v2/atsEntityAcls?q=criteria&..`: the caller's ACLs, of one job when `atsEntityId` is
/// given, ordered by ACL id then job.
pub(crate) async fn find_acls(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    let job = criteria(&restli, &caller)?;
    let (start, count) = paging(&restli.query, false)?;
    let state = sim.state();
    let pairs = state
        .sync
        .orgs
        .get(&caller.organization)
        .map(|s| {
            s.acls
                .iter()
                .flat_map(|(acl, jobs)| jobs.iter().map(move |j| (acl.clone(), j.clone())))
                .filter(|(_, j)| job.is_none_or(|wanted| wanted == j))
                .collect()
        })
        .unwrap_or_default();
    Ok(found(
        Kind::Entity,
        &caller.organization,
        pairs,
        start,
        count,
    ))
}

pub(crate) async fn put_assignees(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    body: Bytes,
) -> Result<Response, ApiErr> {
    Ok(upsert(&sim, Kind::Assignee, &caller, &restli, &body)?.into_response())
}

pub(crate) async fn delete_assignees(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    Ok(delete(&sim, Kind::Assignee, &caller, &restli)?.into_response())
}

/// `GET /v2/atsEntityAclAssignees?q=criteria&..`: the caller's assignees, of one member when
/// `assignee` is given, ordered by ACL id then member. Without `count`, Rest.li's default page
/// of 10 (the doc asks for at most 10 ACLs per member).
pub(crate) async fn find_assignees(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    if criteria(&restli, &caller)?.is_some() {
        return Err(bad(
            "atsEntityId is not a criterion of atsEntityAclAssignees",
        ));
    }
    let member = single(&restli.query, "assignee")?;
    let (start, count) = paging(&restli.query, false)?;
    let state = sim.state();
    let pairs = state
        .sync
        .orgs
        .get(&caller.organization)
        .map(|s| {
            s.acl_assignees
                .iter()
                .flat_map(|(acl, members)| members.iter().map(move |m| (acl.clone(), m.clone())))
                .filter(|(_, m)| member.is_none_or(|wanted| wanted == m))
                .collect()
        })
        .unwrap_or_default();
    Ok(found(
        Kind::Assignee,
        &caller.organization,
        pairs,
        start,
        count,
    ))
}
