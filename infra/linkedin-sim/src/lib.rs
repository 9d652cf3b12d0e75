//! A local simulator of LinkedIn's Recruiter System Connect (RSC) partner API.
//!
//! It follows `shared/docs/linkedin-rsc.md` (LinkedIn's side of the contract, whose reference is
//! LinkedIn's own Postman collection) and is written independently of the project's own client so
//! that the two cross-check each other. Comments mark facts as (collection), (doc) or
//! (unverified), as that page does.
//!
//! **Rest.li protocol 1.0 only** (collection): repeated parameters for lists, compound keys as
//! `ids[0].field=value` in a query and `field=value&field=value` in a body or path, and
//! `x-restli-method` on writes. A request in Rest.li 2.0 syntax (`List(..)`, `(a:b,c:d)` keys) or
//! with `X-Restli-Protocol-Version: 2.x` gets LinkedIn's 400: this simulator does not speak 2.0.
//! The parsing is in `src/restli.rs`.
//!
//! One module per resource, each routed by [`axum::Router`]:
//! - `POST /oauth/v2/accessToken` (client credentials, `oauth.rs`), for customer (child)
//!   applications and partner (parent) applications,
//! - `/v2/provisionedApplications` (create, `q=credentialsByUniqueForeignId`, partial update),
//!   with a partner's token only (`provisioning.rs`),
//! - `GET /v2/exportedCandidates?q=request&requestId=..` (`exports.rs`),
//! - `/v2/atsIntegrations` (names, batch get with `status`, `q=request` status changes) and
//!   `/v2/atsIntegrations/<key>/configurations` (`integrations.rs`),
//! - recruiter activity and seats (`activity/`): `/v2/conversationEvents`, `/v2/prospectNotes`,
//!   `/v2/mailStubs`, `/v2/seatsV2` (and the older `/v2/seats?q=seatsByAttributes`),
//! - ATS → LinkedIn sync (`sync/`): `/v2/simpleJobPostings`, `/v2/simpleJobPostingTasks`,
//!   `/v2/atsCandidates`, `/v2/atsApplications`, `/v2/atsApplications/<key>/stages`, notes and
//!   interview feedback (writes and deletes), and the hiring team's ACLs (`/v2/atsEntityAcls`,
//!   `/v2/atsEntityAclAssignees`); what LinkedIn holds is read with [`Sim::synced`],
//! - `GET /rest/atsPurgedExportedCandidates` with `LinkedIn-Version` (`purged.rs`),
//! - control routes under `/_sim/...` (`control.rs`).
//!
//! Injected faults and the call log wrap every LinkedIn route (`middleware.rs`). Push
//! notifications (signed with the child application's client secret) are sent to the
//! application's callback URL by [`Sim::export`] and [`Sim::push_status_change`] (`push.rs`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::{
    Router,
    routing::{any, get, post, put},
};

mod activity;
mod api;
mod control;
mod exports;
mod integrations;
mod middleware;
mod oauth;
mod provisioning;
mod purged;
mod push;
mod restli;
mod state;
mod sync;
mod types;

pub use activity::{InMail, MAX_PAGE_COUNT, MAX_WINDOW_MS, Note, Phone, Seat, Stub};
pub use integrations::{INTEGRATION_DISABLED, INTEGRATION_ENABLED};
pub use provisioning::MAX_NAME_CHARS;
pub use push::{challenge_response, push_signature};
pub use sync::{APPLICATION_FIELDS, MAX_SYNC_BATCH, MAX_TITLE_CHARS, SyncRequest, Synced};
pub use types::{
    App, Call, ContractState, ExportSpec, Fault, FaultKind, Partner, ProvisionedApp, PushResult,
    SimConfig, SimError,
};

use state::{SimState, now_ms};

/// Notification type of a One-Click Export.
pub const EXPORT_CANDIDATE_PROFILE: &str = "EXPORT_CANDIDATE_PROFILE";
/// Notification type of an integration being switched on or off.
pub const INTEGRATION_STATUS_CHANGE: &str = "INTEGRATION_STATUS_CHANGE";

/// `serviceErrorCode` of an invalid or expired access token.
pub const CODE_INVALID_TOKEN: i64 = 65600;
/// `serviceErrorCode` of a call for an expired or disabled contract (assumed).
pub const CODE_CONTRACT_INACTIVE: i64 = 100;

struct Inner {
    addr: SocketAddr,
    config: SimConfig,
    state: Mutex<SimState>,
    http: reqwest::Client,
    shutdown: tokio::sync::watch::Sender<bool>,
}

/// A running simulator. Cheap to clone; all clones share one state.
#[derive(Clone)]
pub struct Sim {
    inner: Arc<Inner>,
}

impl fmt::Debug for Sim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sim")
            .field("addr", &self.inner.addr)
            .finish_non_exhaustive()
    }
}

impl Sim {
    /// Binds `addr` (port 0 allowed) and serves the simulator on a spawned tokio task.
    pub async fn start(addr: SocketAddr, config: SimConfig) -> std::io::Result<Sim> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let mut local = listener.local_addr()?;
        if local.ip().is_unspecified() {
            local.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
            .map_err(std::io::Error::other)?;
        let (tx, mut rx) = tokio::sync::watch::channel(false);
        let sim = Sim {
            inner: Arc::new(Inner {
                addr: local,
                config,
                state: Mutex::new(SimState::default()),
                http,
                shutdown: tx,
            }),
        };
        sim.register_partners(&sim.inner.config.partners);
        let router = router(sim.clone());
        tokio::spawn(async move {
            let stop = async move {
                let _ = rx.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::error!(error = %e, "linkedin-sim server failed");
            }
        });
        tracing::info!(addr = %local, "linkedin-sim started");
        Ok(sim)
    }

    /// Stops accepting connections (in-flight requests finish).
    pub fn shutdown(&self) {
        let _ = self.inner.shutdown.send(true);
    }

    /// The address the server is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// Base URL of the REST API: `base_url() + "/v2"`.
    pub fn api_url(&self) -> String {
        format!("{}/v2", self.base_url())
    }

    /// Base URL of LinkedIn's versioned API: `base_url() + "/rest"` (calls need a
    /// `LinkedIn-Version: YYYYMM` header).
    pub fn rest_url(&self) -> String {
        format!("{}/rest", self.base_url())
    }

    /// Base URL of OAuth: `base_url() + "/oauth/v2"`; the token endpoint is `+ "/accessToken"`.
    pub fn auth_url(&self) -> String {
        format!("{}/oauth/v2", self.base_url())
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, SimState> {
        // A panic while holding the lock leaves plain data behind: keep serving.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Inserts or replaces an application (by client id); a partner of the same client id is
    /// removed.
    pub fn register_app(&self, app: App) {
        tracing::info!(client_id = %app.client_id, "app registered");
        let mut state = self.state();
        state.provisioning.forget_partner(&app.client_id);
        state.apps.insert(app.client_id.clone(), app);
    }

    /// Looks up a registered application.
    pub fn app(&self, client_id: &str) -> Option<App> {
        self.state().apps.get(client_id).cloned()
    }

    /// Gives a contract an end date (epoch ms, wall clock): from then on it answers as EXPIRED,
    /// unless its state was set otherwise later. `None` removes the end date (a renewal).
    pub fn set_contract_end(&self, contract_urn: &str, end_ms: Option<i64>) {
        let mut state = self.state();
        match end_ms {
            Some(end) => state.contract_ends.insert(contract_urn.to_string(), end),
            None => state.contract_ends.remove(contract_urn),
        };
    }

    /// Sets the state of a contract; calls for exports, activity or seats of an EXPIRED or
    /// DISABLED contract get 403.
    pub fn set_contract_status(&self, contract_urn: &str, status: ContractState) {
        self.state()
            .contracts
            .insert(contract_urn.to_string(), status);
    }

    /// Queues a fault (applied in the order queued).
    pub fn inject_fault(&self, fault: Fault) {
        if fault.times > 0 {
            self.state().faults.push(fault);
        }
    }

    /// Removes every queued fault.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    /// Every request to `/oauth`, `/v2` and `/rest`, in order of completion.
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// Empties the call log.
    pub fn clear_calls(&self) {
        self.state().calls.clear();
    }

    /// Every token issued so far expires now.
    pub fn expire_tokens(&self) {
        let now = now_ms();
        for token in self.state().tokens.values_mut() {
            token.expires_at_ms = token.expires_at_ms.min(now);
        }
    }
}

/// 404 for a path that is no LinkedIn resource (nor a control route).
async fn no_resource(uri: axum::http::Uri) -> axum::response::Response {
    api::api_error(404, 0, format!("Resource {} does not exist", uri.path()))
}

/// 405 for a method a resource does not take.
async fn no_method(method: axum::http::Method) -> axum::response::Response {
    api::api_error(405, 0, format!("Method {method} not allowed"))
}

fn router(sim: Sim) -> Router {
    use sync::{acls, applications, candidates, jobs, notes};
    let configurations = "/v2/atsIntegrations/{key}/configurations";
    Router::new()
        .route(
            "/oauth/v2/accessToken",
            post(oauth::access_token).fallback(oauth::method_not_allowed),
        )
        .route("/oauth/{*rest}", any(oauth::not_found))
        .route(
            "/v2/provisionedApplications",
            post(provisioning::create).get(provisioning::find),
        )
        .route(
            "/v2/provisionedApplications/{urn}",
            post(provisioning::update),
        )
        .route("/v2/exportedCandidates", get(exports::exported_candidates))
        .route(
            "/v2/atsIntegrations",
            get(integrations::get).post(integrations::name),
        )
        .route(
            configurations,
            put(integrations::put_configurations)
                .get(integrations::get_configurations)
                .delete(integrations::delete_configurations),
        )
        .route(
            "/v2/conversationEvents",
            get(activity::conversation_events::conversation_events),
        )
        .route(
            "/v2/prospectNotes",
            get(activity::prospect_notes::prospect_notes),
        )
        .route("/v2/mailStubs", get(activity::mail_stubs::mail_stubs))
        .route("/v2/seatsV2", get(activity::seats::seats_v2))
        .route("/v2/seats", get(activity::seats::seats_by_attributes))
        .route("/v2/simpleJobPostings", post(jobs::submit))
        .route("/v2/simpleJobPostingTasks", get(jobs::poll))
        .route(
            "/v2/atsCandidates",
            put(candidates::put)
                .post(candidates::attach_members)
                .get(candidates::get)
                .delete(candidates::delete),
        )
        .route(
            "/v2/atsApplications",
            put(applications::put).delete(applications::delete),
        )
        .route(
            "/v2/atsCandidates/{key}/notes",
            put(notes::put_candidate_notes).delete(notes::delete_candidate_notes),
        )
        .route(
            "/v2/atsApplications/{key}/notes",
            put(notes::put_application_notes).delete(notes::delete_application_notes),
        )
        .route(
            "/v2/atsApplications/{key}/interviewFeedback",
            put(notes::put_interview_feedback).delete(notes::delete_interview_feedback),
        )
        .route(
            "/v2/atsApplications/{key}/stages",
            put(applications::put_stages).delete(applications::delete_stages),
        )
        .route(
            "/v2/atsEntityAcls",
            put(acls::put_acls)
                .get(acls::find_acls)
                .delete(acls::delete_acls),
        )
        .route(
            "/v2/atsEntityAclAssignees",
            put(acls::put_assignees)
                .get(acls::find_assignees)
                .delete(acls::delete_assignees),
        )
        .route(
            "/rest/atsPurgedExportedCandidates",
            get(purged::purged_candidates),
        )
        .method_not_allowed_fallback(no_method)
        .merge(control::routes())
        .fallback(no_resource)
        .layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            middleware::faults_and_log,
        ))
        .with_state(sim)
}

#[cfg(test)]
mod tests;
