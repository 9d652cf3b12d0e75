//! What the simulator holds, behind one lock (see [`crate::Sim`]).

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use serde_json::Value;

use crate::{App, Call, ContractState, Fault, activity, integrations, provisioning, sync};

pub(crate) struct Token {
    pub client_id: String,
    pub expires_at_ms: i64,
}

#[derive(Clone)]
pub(crate) struct StoredExport {
    pub request_id: String,
    pub integration_context: String,
    pub contract: String,
    pub exporter: String,
    pub ats_job_posting_id: String,
    pub exported_at: i64,
    pub candidate: Value,
}

#[derive(Clone)]
pub(crate) struct StatusRequest {
    pub integration_context: String,
    pub status: String,
}

#[derive(Clone)]
pub(crate) struct Notification {
    pub client_id: String,
    pub request_id: String,
    pub body: Bytes,
    pub signature: String,
}

#[derive(Default)]
pub(crate) struct SimState {
    pub apps: HashMap<String, App>,
    pub tokens: HashMap<String, Token>,
    /// client id -> request id -> export
    pub exports: HashMap<String, HashMap<String, StoredExport>>,
    /// client id -> request id -> status change
    pub status_requests: HashMap<String, HashMap<String, StatusRequest>>,
    pub contracts: HashMap<String, ContractState>,
    /// Contract URN -> end date (epoch ms): from then on the contract answers as EXPIRED.
    pub contract_ends: HashMap<String, i64>,
    pub faults: Vec<Fault>,
    pub calls: Vec<Call>,
    pub notifications: HashMap<String, Notification>,
    pub activity: activity::Activity,
    /// Organization -> member -> when LinkedIn reported the profile closed.
    pub purged: HashMap<String, BTreeMap<String, i64>>,
    pub sync: sync::SyncState,
    pub integrations: integrations::Integrations,
    pub provisioning: provisioning::Provisioning,
}

impl SimState {
    /// A contract's state now: as set, else EXPIRED once its end date has passed.
    pub fn contract_state(&self, contract_urn: &str) -> Option<ContractState> {
        self.contracts.get(contract_urn).copied().or_else(|| {
            self.contract_ends
                .get(contract_urn)
                .filter(|end| **end <= now_ms())
                .map(|_| ContractState::Expired)
        })
    }

    /// The client secret of an application, customer or partner.
    pub fn secret_of(&self, client_id: &str) -> Option<&str> {
        match self.apps.get(client_id) {
            Some(app) => Some(&app.client_secret),
            None => self.provisioning.partner_secret(client_id),
        }
    }

    /// The organization of a registered application.
    pub fn organization_of(&self, client_id: &str) -> Option<String> {
        self.apps.get(client_id).map(|app| app.organization.clone())
    }
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
