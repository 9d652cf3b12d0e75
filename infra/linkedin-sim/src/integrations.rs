//! The customer's integrations (collection, "Configure Customer Middleware Integrations"):
//!
//! - `POST /v2/atsIntegrations?ids[0].integrationContext=..&ids[0].integrationType=..&
//!   ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS` (`batch_partial_update`,
//!   `{"entities": {"<key>": {"patch": {"$set": {"integrationName": ".."}}}}}`) names an
//!   integration; `GET` with the same `ids[i]` reads them back (batch get, "Verify Customer's
//!   ATSIntegrations") with its `status` (unverified), `DISABLED` until the customer switches
//!   it on in Recruiter ([`Sim::enable_integrations`], [`Sim::set_integration_status`], or a
//!   pushed status change for its context);
//! - `GET /v2/atsIntegrations?q=request&requestId=..`: the details of an
//!   `INTEGRATION_STATUS_CHANGE` notification;
//! - `PUT|GET|DELETE /v2/atsIntegrations/<key>/configurations?ids=CALLBACK_URL` (`batch_update`
//!   for PUT, `{"entities": {"CALLBACK_URL": {"configurationValue": {"string": ".."}}}}`):
//!   configurations; setting `CALLBACK_URL` sets the application's callback URL and validates it
//!   with a challenge, as LinkedIn does (doc).
//!
//! An earlier client called `POST /v2/atsIntegrationConfigurations`, which LinkedIn does not
//! publish: it is not served (404, as LinkedIn would answer).
//!
//! Integrations are stored and served back; they do not gate other endpoints. A key naming an
//! organization must be the caller's (403); a contract context is taken on trust, since the
//! simulator does not know which contracts belong to which customer. A provisioned child
//! application has no organization until its first naming: the first organization its batch
//! names becomes its own (see `provisioning.rs`).

use std::collections::HashMap;

use axum::{
    body::Bytes,
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::api::{ApiErr, Caller, bad, page_response};
use crate::exports::{paging, request_finder};
use crate::restli::{BatchAnswer, KeyFields, Restli, entities, key_string, parse_key, patch_set};
use crate::sync::MAX_SYNC_BATCH;
use crate::{App, Sim};

/// Integration types of the collection; CSA_API is per contract, the others per organization.
const INTEGRATION_TYPES: [&str; 4] = [
    "ONE_CLICK_EXPORT",
    "IN_ATS_INDICATOR",
    "PROFILE_PLUGIN",
    "CSA_API",
];
/// Configurations of the collection, with the integration type whose key carries them.
const CONFIGURATIONS: [(&str, &str); 3] = [
    ("CALLBACK_URL", "ONE_CLICK_EXPORT"),
    ("JOB_POSTING_VIEWERS", "ONE_CLICK_EXPORT"),
    ("APPLICATION_VIEWERS", "IN_ATS_INDICATOR"),
];

/// `status` of a named integration the customer has not switched on (unverified spelling, as
/// the `q=request` finder's elements).
pub const INTEGRATION_DISABLED: &str = "DISABLED";
/// `status` of an integration the customer switched on in Recruiter.
pub const INTEGRATION_ENABLED: &str = "ENABLED";

/// Integrations, part of the simulator's state.
#[derive(Default)]
pub(crate) struct Integrations {
    /// key string -> the integration
    named: HashMap<String, Named>,
    /// (key string, configuration id) -> `{"configurationValue": ..}`
    configurations: HashMap<(String, String), Value>,
}

/// A named integration.
struct Named {
    context: String,
    kind: String,
    tenant: String,
    name: String,
    status: String,
    /// The application that named it last.
    client_id: String,
}

impl Named {
    /// As the batch get serves it.
    fn served(&self) -> Value {
        json!({
            "integrationContext": self.context,
            "integrationType": self.kind,
            "tenantType": self.tenant,
            "dataProvider": "ATS",
            "integrationName": self.name,
            "status": self.status,
        })
    }
}

impl Integrations {
    /// Sets the status of every integration of a context (a pushed status change).
    pub fn set_context_status(&mut self, context: &str, status: &str) {
        for named in self.named.values_mut().filter(|n| n.context == context) {
            named.status = status.to_string();
        }
    }
}

impl Sim {
    /// The customer switching on, in Recruiter, every integration `client_id` named: from then
    /// on the batch get answers `"status": "ENABLED"` for them. Returns how many there are.
    pub fn enable_integrations(&self, client_id: &str) -> usize {
        let mut state = self.state();
        let mut enabled = 0;
        for named in state
            .integrations
            .named
            .values_mut()
            .filter(|n| n.client_id == client_id)
        {
            named.status = INTEGRATION_ENABLED.to_string();
            enabled += 1;
        }
        enabled
    }

    /// Sets the `status` of one named integration (`ENABLED`, `DISABLED`); false when no
    /// application named it.
    pub fn set_integration_status(
        &self,
        context: &str,
        integration_type: &str,
        status: &str,
    ) -> bool {
        let key = key_string(&[
            ("integrationContext", context),
            ("integrationType", integration_type),
            ("tenantType", "RECRUITER"),
            ("dataProvider", "ATS"),
        ]);
        match self.state().integrations.named.get_mut(&key) {
            Some(named) => {
                named.status = status.to_string();
                true
            }
            None => false,
        }
    }
}

/// An `atsIntegrations` key.
struct IntegrationKey {
    context: String,
    kind: String,
    tenant: String,
}

impl IntegrationKey {
    fn from_fields(fields: &KeyFields) -> Result<IntegrationKey, String> {
        let allowed = [
            "integrationContext",
            "integrationType",
            "tenantType",
            "dataProvider",
        ];
        if let Some(unknown) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!("unknown key field {unknown}"));
        }
        let get = |name: &str| {
            fields
                .get(name)
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or_else(|| format!("{name} is missing"))
        };
        if get("dataProvider")? != "ATS" {
            return Err("dataProvider must be ATS".into());
        }
        let tenant = get("tenantType")?;
        if tenant != "RECRUITER" {
            return Err(format!("tenantType must be RECRUITER, got {tenant:?}"));
        }
        let kind = get("integrationType")?;
        if !INTEGRATION_TYPES.contains(&kind.as_str()) {
            return Err(format!(
                "integrationType must be one of {}, got {kind:?}",
                INTEGRATION_TYPES.join(", ")
            ));
        }
        let context = get("integrationContext")?;
        let prefix = if kind == "CSA_API" {
            "urn:li:contract:"
        } else {
            "urn:li:organization:"
        };
        if !context.starts_with(prefix) {
            return Err(format!("integrationContext of {kind} must be {prefix}N"));
        }
        Ok(IntegrationKey {
            context,
            kind,
            tenant,
        })
    }

    /// The key string, fields in the collection's order.
    fn spelled(&self) -> String {
        key_string(&[
            ("integrationContext", &self.context),
            ("integrationType", &self.kind),
            ("tenantType", &self.tenant),
            ("dataProvider", "ATS"),
        ])
    }

    /// 403 unless the caller may touch it.
    fn check_owner(&self, caller: &Caller) -> Result<(), String> {
        if self.context.starts_with("urn:li:organization:") && self.context != caller.organization {
            return Err(format!(
                "integrationContext {} is not the organization of the calling application",
                self.context
            ));
        }
        Ok(())
    }
}

/// `GET /v2/atsIntegrations`: the `q=request` finder, or a batch get of `ids[i]`.
pub(crate) async fn get(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    if restli.query.iter().any(|(k, _)| k == "q") {
        return status_change(&sim, &caller, &restli);
    }
    restli.expect_batch_get()?;
    let mut answer = BatchAnswer::default();
    let state = sim.state();
    for fields in restli.compound_ids(MAX_SYNC_BATCH)? {
        let key = IntegrationKey::from_fields(&fields).map_err(bad)?;
        let spelled = key.spelled();
        match state.integrations.named.get(&spelled) {
            Some(found) => answer.ok(spelled, found.served()),
            None => answer.error(spelled, 404, "No such integration"),
        }
    }
    Ok(answer.into_response())
}

fn status_change(sim: &Sim, caller: &Caller, restli: &Restli) -> Result<Response, ApiErr> {
    let request_id = request_finder(&restli.query)?;
    let found = sim
        .state()
        .status_requests
        .get(&caller.client_id)
        .and_then(|m| m.get(&request_id))
        .cloned();
    // Field names of the element are (unverified).
    let elements: Vec<Value> = found
        .into_iter()
        .map(|s| {
            json!({
                "integrationContext": s.integration_context,
                "integrationType": "CSA_API",
                "status": s.status,
            })
        })
        .collect();
    let (start, count) = paging(&restli.query);
    let total = elements.len();
    Ok(page_response(elements, start, count, total))
}

/// `POST /v2/atsIntegrations?ids[i]..`, batch_partial_update of `integrationName`.
pub(crate) async fn name(
    State(sim): State<Sim>,
    mut caller: Caller,
    restli: Restli,
    body: Bytes,
) -> Result<Response, ApiErr> {
    restli.expect_method("batch_partial_update")?;
    let mut in_query = Vec::new();
    for fields in restli.compound_ids(MAX_SYNC_BATCH)? {
        in_query.push(IntegrationKey::from_fields(&fields).map_err(bad)?.spelled());
    }
    let mut records = Vec::new();
    for (spelled, entity) in entities(&body, MAX_SYNC_BATCH)? {
        let key = IntegrationKey::from_fields(&parse_key(&spelled)?)
            .map_err(|e| bad(format!("Key {spelled:?}: {e}")))?;
        records.push((key, entity));
    }
    let mut in_body: Vec<String> = records.iter().map(|(k, _)| k.spelled()).collect();
    in_query.sort();
    in_body.sort();
    if in_query != in_body {
        return Err(bad("The ids in the query must be the keys of the body"));
    }
    let mut answer = BatchAnswer::default();
    let mut state = sim.state();
    if caller.organization.is_empty()
        && let Some(key) = records
            .iter()
            .map(|(k, _)| k)
            .find(|k| k.context.starts_with("urn:li:organization:"))
        && let Some(app) = state.apps.get_mut(&caller.client_id)
    {
        tracing::info!(client_id = %caller.client_id, organization = %key.context, "organization bound");
        app.organization = key.context.clone();
        caller.organization = key.context.clone();
    }
    for (key, entity) in records {
        let spelled = key.spelled();
        let verdict = key
            .check_owner(&caller)
            .map_err(|e| (403, e))
            .and_then(|()| {
                let set = patch_set(&entity).map_err(|e| (400, e))?;
                if let Some(other) = set.keys().find(|k| *k != "integrationName") {
                    return Err((400, format!("unknown field {other}")));
                }
                set.get("integrationName")
                    .and_then(Value::as_str)
                    .filter(|n| !n.trim().is_empty())
                    .map(str::to_string)
                    .ok_or((
                        400,
                        "integrationName must be a non-empty string".to_string(),
                    ))
            });
        match verdict {
            Ok(name) => {
                let status = state
                    .integrations
                    .named
                    .get(&spelled)
                    .map_or(INTEGRATION_DISABLED.to_string(), |n| n.status.clone());
                state.integrations.named.insert(
                    spelled.clone(),
                    Named {
                        context: key.context,
                        kind: key.kind,
                        tenant: key.tenant,
                        name,
                        status,
                        client_id: caller.client_id.clone(),
                    },
                );
                answer.ok(spelled, json!({ "status": 204 }));
            }
            Err((status, message)) => answer.error(spelled, status, message),
        }
    }
    Ok(answer.into_response())
}

/// The integration of a configurations path, owned by the caller.
fn path_key(segment: &str, caller: &Caller) -> Result<IntegrationKey, ApiErr> {
    let key = IntegrationKey::from_fields(&parse_key(segment)?)
        .map_err(|e| bad(format!("The integration in the path: {e}")))?;
    key.check_owner(caller)
        .map_err(|e| ApiErr::new(403, 0, e))?;
    Ok(key)
}

fn check_configuration(key: &IntegrationKey, id: &str) -> Result<(), String> {
    match CONFIGURATIONS.iter().find(|(name, _)| *name == id) {
        Some((_, kind)) if *kind == key.kind => Ok(()),
        Some((_, kind)) => Err(format!("{id} is configured on the {kind} integration")),
        None => Err(format!("unknown configuration {id}")),
    }
}

/// `PUT /v2/atsIntegrations/<key>/configurations?ids=..` (batch_update).
pub(crate) async fn put_configurations(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    Path(segment): Path<String>,
    body: Bytes,
) -> Result<Response, ApiErr> {
    restli.expect_method("batch_update")?;
    let key = path_key(&segment, &caller)?;
    let mut ids = restli.simple_ids(MAX_SYNC_BATCH)?;
    let entities = entities(&body, MAX_SYNC_BATCH)?;
    let mut in_body: Vec<String> = entities.keys().cloned().collect();
    ids.sort();
    in_body.sort();
    if ids != in_body {
        return Err(bad("The ids in the query must be the keys of the body"));
    }
    let mut answer = BatchAnswer::default();
    let mut callback = None;
    {
        let mut state = sim.state();
        for (id, entity) in entities {
            let value = entity
                .get("configurationValue")
                .and_then(|v| v.get("string"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let verdict = check_configuration(&key, &id).and_then(|()| {
                let value = value.ok_or_else(|| {
                    "the entity must be {\"configurationValue\": {\"string\": \"..\"}}".to_string()
                })?;
                if id == "CALLBACK_URL" && !is_http_url(&value) {
                    return Err(format!(
                        "CALLBACK_URL must be an http(s) URL, got {value:?}"
                    ));
                }
                Ok(value)
            });
            match verdict {
                Ok(value) => {
                    state.integrations.configurations.insert(
                        (key.spelled(), id.clone()),
                        json!({ "configurationValue": { "string": value } }),
                    );
                    if id == "CALLBACK_URL" {
                        callback = Some(value);
                    } else {
                        answer.ok(id, json!({ "status": 204 }));
                    }
                }
                Err(message) => answer.error(id, 400, message),
            }
        }
    }
    if let Some(url) = callback {
        match set_callback(&sim, &caller.client_id, Some(url)).await {
            true => answer.ok("CALLBACK_URL".into(), json!({ "status": 204 })),
            false => answer.error(
                "CALLBACK_URL".into(),
                400,
                "The callback URL did not answer the challenge with the application's secret",
            ),
        }
    }
    Ok(answer.into_response())
}

/// Sets (or clears) the application's callback URL; validates a new one (true when valid).
async fn set_callback(sim: &Sim, client_id: &str, url: Option<String>) -> bool {
    let Some(app) = sim.app(client_id) else {
        return false;
    };
    let validate = url.is_some();
    sim.register_app(App {
        callback_url: url,
        ..app
    });
    !validate || sim.validate_callback(client_id).await.unwrap_or(false)
}

/// `GET /v2/atsIntegrations/<key>/configurations?ids=..` (batch get).
pub(crate) async fn get_configurations(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    Path(segment): Path<String>,
) -> Result<Response, ApiErr> {
    restli.expect_batch_get()?;
    let key = path_key(&segment, &caller)?;
    let mut answer = BatchAnswer::default();
    let state = sim.state();
    for id in restli.simple_ids(MAX_SYNC_BATCH)? {
        match state
            .integrations
            .configurations
            .get(&(key.spelled(), id.clone()))
        {
            Some(value) => answer.ok(id, value.clone()),
            None => answer.error(id, 404, "Not configured"),
        }
    }
    Ok(answer.into_response())
}

/// `DELETE /v2/atsIntegrations/<key>/configurations?ids=..` (batch delete).
pub(crate) async fn delete_configurations(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    Path(segment): Path<String>,
) -> Result<Response, ApiErr> {
    let key = path_key(&segment, &caller)?;
    let ids = restli.simple_ids(MAX_SYNC_BATCH)?;
    let mut answer = BatchAnswer::default();
    let mut clear_callback = false;
    {
        let mut state = sim.state();
        for id in ids {
            let removed = state
                .integrations
                .configurations
                .remove(&(key.spelled(), id.clone()));
            match removed {
                Some(_) => {
                    clear_callback |= id == "CALLBACK_URL";
                    answer.ok(id, json!({ "status": 204 }));
                }
                None => answer.error(id, 404, "Not configured"),
            }
        }
    }
    if clear_callback {
        set_callback(&sim, &caller.client_id, None).await;
    }
    Ok(answer.into_response())
}

pub(crate) fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.chars().any(char::is_whitespace))
}
