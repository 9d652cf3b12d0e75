//! The partner's provisioning of customers' child applications (collection, Module 1 /
//! "Provision Customer (Child) Applications"; doc "Provisioning API"). Only a partner (parent)
//! application's token may call it (doc: "All API requests require 2-legged tokens"; collection:
//! every item uses `partner_access_token`); any other valid token gets 403. Partners are
//! registered with [`Sim::register_partner`] or [`crate::SimConfig::partners`].
//!
//! - `POST /v2/provisionedApplications` `{name, description, uniqueForeignId,
//!   oauth2AuthorizedCallbackUrls?, validJsSdkDomains?}` ("Provision Child Application", no
//!   method header) creates a child and answers 201 `{"key": "urn:li:developerApplication:N",
//!   "credentials": {"client_id", "client_secret"}}` (`key`: collection, whose test script keeps
//!   `jsonData.key`; `credentials`: LinkedIn's Java SDK test data, unverified; the status is
//!   unverified). Refused as the doc says LinkedIn refuses: `name`, `description` or
//!   `uniqueForeignId` missing, a `name` over 50 characters or containing "LinkedIn" (in any
//!   case), a JS SDK domain ending in `/` (400); a second child with the same `uniqueForeignId`
//!   for the same partner ("a conflict error": 409).
//! - `GET /v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=..` ("Get
//!   Child Application"): `{"elements": [{key, name, description, uniqueForeignId,
//!   validJsSdkDomains, oauth2AuthorizedCallbackUrls, credentials: {client_id}}]}` (SDK test
//!   data, unverified); the secret only with [`crate::SimConfig::secret_in_finder`].
//! - `POST /v2/provisionedApplications/<urn>` `{"patch": {"$set": {..}}}` ("Update JavaScript
//!   SDK Domain for Child Application", "Update OAuth2.0 Authorized CallBack URL for Child
//!   Application"; no method header) replaces `validJsSdkDomains` and/or
//!   `oauth2AuthorizedCallbackUrls`: 204; an unknown URN or another partner's: 404.
//!
//! A child becomes an [`App`] with a fresh client id and secret: it fetches tokens, names
//! integrations, sets configurations and receives exports like any registered application.
//!
//! **Simplification:** LinkedIn knows which customer (organization) a child serves; the
//! request does not say, so here the child's organization is bound at its first naming of an
//! organization integration (`integrations.rs`). Until then its organization keys get 403 and
//! an export to it fails with [`SimError::Unbound`].

use std::collections::HashMap;

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};

use crate::api::{ApiErr, PartnerCaller, bad, page_response};
use crate::exports::paging;
use crate::integrations::is_http_url;
use crate::restli::{Restli, json_body, patch_set, required, single};
use crate::{App, Partner, ProvisionedApp, Sim, SimError};

/// The longest child application name (doc).
pub const MAX_NAME_CHARS: usize = 50;

/// The finder of "Get Child Application" (collection).
const FINDER: &str = "credentialsByUniqueForeignId";

/// The fields of a create (collection, doc); anything else is refused.
const CREATE_FIELDS: [&str; 5] = [
    "name",
    "description",
    "uniqueForeignId",
    "oauth2AuthorizedCallbackUrls",
    "validJsSdkDomains",
];
/// The fields a partial update may set (collection).
const UPDATE_FIELDS: [&str; 2] = ["validJsSdkDomains", "oauth2AuthorizedCallbackUrls"];

/// Partners and the children they provisioned, part of the simulator's state.
#[derive(Default)]
pub(crate) struct Provisioning {
    /// Partner client id -> secret.
    partners: HashMap<String, String>,
    /// In creation order.
    children: Vec<Child>,
}

struct Child {
    urn: String,
    partner: String,
    client_id: String,
    name: String,
    description: String,
    unique_foreign_id: String,
    js_sdk_domains: Vec<String>,
    callback_urls: Vec<String>,
}

impl Provisioning {
    pub fn is_partner(&self, client_id: &str) -> bool {
        self.partners.contains_key(client_id)
    }

    pub fn partner_secret(&self, client_id: &str) -> Option<&str> {
        self.partners.get(client_id).map(String::as_str)
    }

    pub fn forget_partner(&mut self, client_id: &str) {
        self.partners.remove(client_id);
    }

    /// The child as the finder serves it.
    fn element(&self, child: &Child, secret: Option<&str>) -> Value {
        let mut credentials = json!({ "client_id": child.client_id });
        if let Some(secret) = secret {
            credentials["client_secret"] = json!(secret);
        }
        json!({
            "key": child.urn,
            "name": child.name,
            "description": child.description,
            "uniqueForeignId": child.unique_foreign_id,
            "validJsSdkDomains": child.js_sdk_domains,
            "oauth2AuthorizedCallbackUrls": child.callback_urls,
            "credentials": credentials,
        })
    }
}

impl Sim {
    /// Registers a partner (parent) application: its token provisions child applications and
    /// calls nothing else (a customer resource answers it 403). A customer application of the
    /// same client id is removed.
    pub fn register_partner(&self, client_id: &str, client_secret: &str) {
        tracing::info!(client_id, "partner registered");
        let mut state = self.state();
        state.apps.remove(client_id);
        state
            .provisioning
            .partners
            .insert(client_id.to_string(), client_secret.to_string());
    }

    /// Every child application partners provisioned, in creation order.
    pub fn provisioned_apps(&self) -> Vec<ProvisionedApp> {
        let state = self.state();
        state
            .provisioning
            .children
            .iter()
            .map(|c| {
                let app = state.apps.get(&c.client_id);
                ProvisionedApp {
                    urn: c.urn.clone(),
                    partner_client_id: c.partner.clone(),
                    client_id: c.client_id.clone(),
                    client_secret: app.map(|a| a.client_secret.clone()).unwrap_or_default(),
                    name: c.name.clone(),
                    description: c.description.clone(),
                    unique_foreign_id: c.unique_foreign_id.clone(),
                    valid_js_sdk_domains: c.js_sdk_domains.clone(),
                    oauth2_authorized_callback_urls: c.callback_urls.clone(),
                    organization: app
                        .map(|a| a.organization.clone())
                        .filter(|o| !o.is_empty()),
                }
            })
            .collect()
    }

    pub(crate) fn register_partners(&self, partners: &[Partner]) {
        for p in partners {
            self.register_partner(&p.client_id, &p.client_secret);
        }
    }

    /// The organization exports of `client_id` are made for; [`SimError::Unbound`] for a child
    /// whose organization is not bound yet.
    pub(crate) fn bound_organization(&self, client_id: &str) -> Result<String, SimError> {
        match self.state().organization_of(client_id) {
            None => Err(SimError::UnknownApp(client_id.to_string())),
            Some(o) if o.is_empty() => Err(SimError::Unbound(client_id.to_string())),
            Some(o) => Ok(o),
        }
    }
}

/// A create or partial update carries no method header in the collection; Rest.li's own names
/// are tolerated.
fn expect_no_method(restli: &Restli, tolerated: &str) -> Result<(), ApiErr> {
    match &restli.method {
        None => Ok(()),
        Some(_) => restli.expect_method(tolerated),
    }
}

fn required_text(body: &Map<String, Value>, field: &str) -> Result<String, ApiErr> {
    match body.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(bad(format!("{field} is required")))
        }
        Some(_) => Err(bad(format!("{field} must be a string"))),
    }
}

/// A list of http(s) URLs; JS SDK domains also without a trailing `/` (doc).
fn urls(body: &Map<String, Value>, field: &str) -> Result<Vec<String>, ApiErr> {
    let Some(value) = body.get(field) else {
        return Ok(Vec::new());
    };
    let items = value
        .as_array()
        .ok_or_else(|| bad(format!("{field} must be an array of strings")))?;
    items
        .iter()
        .map(|item| {
            let url = item
                .as_str()
                .ok_or_else(|| bad(format!("{field} must be an array of strings")))?;
            if !is_http_url(url) {
                return Err(bad(format!("{field}: {url:?} is not an http(s) URL")));
            }
            if field == "validJsSdkDomains" && url.ends_with('/') {
                return Err(bad(format!("{field}: {url:?} must not end with '/'")));
            }
            Ok(url.to_string())
        })
        .collect()
}

fn check_name(name: &str) -> Result<(), ApiErr> {
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(bad(format!(
            "name must be at most {MAX_NAME_CHARS} characters, got {}",
            name.chars().count()
        )));
    }
    if name.to_lowercase().contains("linkedin") {
        return Err(bad("name must not contain \"LinkedIn\""));
    }
    Ok(())
}

fn fresh(prefix: &str, len: usize) -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}{}", &hex[..len])
}

/// `POST /v2/provisionedApplications`
pub(crate) async fn create(
    State(sim): State<Sim>,
    partner: PartnerCaller,
    restli: Restli,
    body: Bytes,
) -> Result<Response, ApiErr> {
    expect_no_method(&restli, "create")?;
    let Value::Object(body) = json_body(&body)? else {
        return Err(bad("The body must be a JSON object"));
    };
    if let Some(unknown) = body.keys().find(|k| !CREATE_FIELDS.contains(&k.as_str())) {
        return Err(bad(format!("Unrecognized field {unknown}")));
    }
    let name = required_text(&body, "name")?;
    let description = required_text(&body, "description")?;
    let unique_foreign_id = required_text(&body, "uniqueForeignId")?;
    check_name(&name)?;
    let js_sdk_domains = urls(&body, "validJsSdkDomains")?;
    let callback_urls = urls(&body, "oauth2AuthorizedCallbackUrls")?;

    let mut state = sim.state();
    let taken = state
        .provisioning
        .children
        .iter()
        .any(|c| c.partner == partner.client_id && c.unique_foreign_id == unique_foreign_id);
    if taken {
        return Err(ApiErr::new(
            409,
            0,
            format!("An application with uniqueForeignId {unique_foreign_id} already exists"),
        ));
    }
    let urn = format!(
        "urn:li:developerApplication:{}",
        200_001 + state.provisioning.children.len()
    );
    let client_id = fresh("86", 12);
    let client_secret = fresh("", 16);
    state.apps.insert(
        client_id.clone(),
        App {
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            organization: String::new(),
            callback_url: None,
        },
    );
    state.provisioning.children.push(Child {
        urn: urn.clone(),
        partner: partner.client_id,
        client_id: client_id.clone(),
        name,
        description,
        unique_foreign_id,
        js_sdk_domains,
        callback_urls,
    });
    tracing::info!(%urn, %client_id, "child application provisioned");
    let mut resp = (
        StatusCode::CREATED,
        Json(json!({
            "key": urn,
            "credentials": { "client_id": client_id, "client_secret": client_secret },
        })),
    )
        .into_response();
    if let Ok(id) = HeaderValue::from_str(&urn) {
        resp.headers_mut().insert("x-restli-id", id);
    }
    Ok(resp)
}

/// `GET /v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=..`
pub(crate) async fn find(
    State(sim): State<Sim>,
    partner: PartnerCaller,
    restli: Restli,
) -> Result<Response, ApiErr> {
    match single(&restli.query, "q")? {
        Some(FINDER) => {}
        Some(other) => return Err(bad(format!("Unsupported finder q={other}"))),
        None => return Err(bad("Missing query parameter q")),
    }
    let unique_foreign_id = required(&restli.query, "uniqueForeignId")?;
    let with_secret = sim.inner.config.secret_in_finder;
    let state = sim.state();
    let elements: Vec<Value> = state
        .provisioning
        .children
        .iter()
        .filter(|c| c.partner == partner.client_id && c.unique_foreign_id == unique_foreign_id)
        .map(|c| {
            let secret = with_secret.then(|| state.secret_of(&c.client_id)).flatten();
            state.provisioning.element(c, secret)
        })
        .collect();
    let (start, count) = paging(&restli.query);
    let total = elements.len();
    Ok(page_response(elements, start, count, total))
}

/// `POST /v2/provisionedApplications/<urn>`, a partial update.
pub(crate) async fn update(
    State(sim): State<Sim>,
    partner: PartnerCaller,
    restli: Restli,
    Path(urn): Path<String>,
    body: Bytes,
) -> Result<Response, ApiErr> {
    expect_no_method(&restli, "partial_update")?;
    let entity = json_body(&body)?;
    let set = patch_set(&entity).map_err(bad)?;
    if let Some(other) = set.keys().find(|k| !UPDATE_FIELDS.contains(&k.as_str())) {
        return Err(bad(format!("{other} cannot be updated")));
    }
    let domains = set
        .contains_key("validJsSdkDomains")
        .then(|| urls(set, "validJsSdkDomains"))
        .transpose()?;
    let callbacks = set
        .contains_key("oauth2AuthorizedCallbackUrls")
        .then(|| urls(set, "oauth2AuthorizedCallbackUrls"))
        .transpose()?;
    let mut state = sim.state();
    let child = state
        .provisioning
        .children
        .iter_mut()
        .find(|c| c.urn == urn && c.partner == partner.client_id)
        .ok_or_else(|| ApiErr::new(404, 0, format!("No application {urn}")))?;
    if let Some(domains) = domains {
        child.js_sdk_domains = domains;
    }
    if let Some(callbacks) = callbacks {
        child.callback_urls = callbacks;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
