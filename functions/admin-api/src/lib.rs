//! admin-api: the ATS's side of the configuration, under `/tenants`. JSON in camelCase, documented
//! in docs/openapi.yaml. Routes are dispatched on API Gateway's route key.

pub mod guard;
pub mod page;
pub mod views;

// The routes, one module per resource; `routes` is the table that dispatches to them.
mod callback;
mod changes;
mod cleanup;
mod contracts;
mod deletes;
mod hiring_team;
mod imported;
mod notes;
mod onboarding;
mod outbound;
mod overview;
mod request;
mod routes;
mod seats;
mod tenants;
mod users;

use std::sync::Arc;

use aws_lambda_events::event::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use shared::Error;
use shared::aws::Clients;
use shared::cache::RegisteredTenants;
use shared::clock::SharedClock;
use shared::config::{ConfigError, Env};
use shared::domain::Tenant;
use shared::http::Refusal;
use shared::ids;
use shared::outbound::records::ProfileUrl;
use shared::queue::Queue;
use shared::secrets::{CustomerSecrets, DEFAULT_CACHE_TTL};
use shared::store::Store;

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub secret_prefix: String,
    pub backfill_queue_url: String,
    /// How far back a newly linked seat's history is imported.
    pub backfill_horizon_days: u64,
    /// The calls a tenant's activity reads may make in a UTC day (`shared::budget`).
    pub polling_allowance: u64,
    pub changes_queue_url: String,
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    /// Where the integration page links a candidate (`{candidateId}` stands for the id).
    pub candidate_page_url: Option<ProfileUrl>,
    /// The secret with the partner application's credentials, for onboarding (none: customers
    /// bring their own application).
    pub partner_secret_name: Option<String>,
    /// What onboarding tells LinkedIn about every customer.
    pub onboarding: shared::onboarding::Settings,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            secret_prefix: env.required("SECRET_PREFIX", "the name prefix of customer secrets")?,
            backfill_queue_url: env.required("BACKFILL_QUEUE_URL", "the seat back-fill queue")?,
            backfill_horizon_days: shared::domain::Backfill::horizon_from_env(env)?,
            polling_allowance: shared::budget::polling_allowance_from(env)?,
            changes_queue_url: env.required(
                "ATS_CHANGES_QUEUE_URL",
                "the ats-changes queue (outbound sync to LinkedIn)",
            )?,
            linkedin_api_url: env.required_url("LINKEDIN_API_URL", "LinkedIn's API base URL")?,
            linkedin_auth_url: env
                .required_url("LINKEDIN_AUTH_URL", "LinkedIn's OAuth base URL")?,
            candidate_page_url: match env.get("CANDIDATE_PAGE_URL") {
                None => None,
                Some(url) => Some(candidate_page_url(url)?),
            },
            partner_secret_name: env
                .get("PARTNER_SECRET_NAME")
                .filter(|n| !n.trim().is_empty())
                .map(str::to_owned),
            onboarding: shared::onboarding::Settings::from_env(env)?,
        })
    }
}

/// The candidate page, checked as ats-sync checks it (it sends it to LinkedIn as
/// `externalProfileUrl`): http(s), with `{candidateId}`.
fn candidate_page_url(url: &str) -> Result<ProfileUrl, ConfigError> {
    ProfileUrl::new(url).map_err(|problem| ConfigError::Invalid {
        name: "CANDIDATE_PAGE_URL".into(),
        problem: ids::truncate(&problem, 120).to_owned(),
    })
}

/// The function, built once per container: its store, queues, LinkedIn client and settings.
pub struct AdminApi {
    store: Store,
    /// Tenants known to exist.
    registered: RegisteredTenants,
    secrets: Arc<CustomerSecrets>,
    backfills: Queue,
    changes: Queue,
    linkedin: shared::linkedin::LinkedIn,
    /// For the challenge round trip of a callback registration.
    http: reqwest::Client,
    backfill_horizon_days: u64,
    polling_allowance: u64,
    candidate_page_url: Option<ProfileUrl>,
    partner: Option<shared::secrets::PartnerSecret>,
    onboarding: shared::onboarding::Settings,
    clock: SharedClock,
}

impl AdminApi {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> shared::Result<Self> {
        let store = Store::new(clients.dynamodb.clone(), config.table_name);
        Ok(Self {
            registered: RegisteredTenants::new(store.clone(), DEFAULT_CACHE_TTL),
            store,
            secrets: Arc::new(CustomerSecrets::new(
                clients.secrets.clone(),
                config.secret_prefix,
                DEFAULT_CACHE_TTL,
            )),
            backfills: Queue::new(clients.sqs.clone(), config.backfill_queue_url),
            changes: Queue::new(clients.sqs.clone(), config.changes_queue_url),
            linkedin: shared::linkedin::LinkedIn::new(
                config.linkedin_api_url,
                config.linkedin_auth_url,
            )?,
            // A callback that redirects fails its check: following it would let a registration
            // probe addresses the caller could not reach.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::Invalid(format!("cannot build an HTTP client: {e}")))?,
            backfill_horizon_days: config.backfill_horizon_days,
            polling_allowance: config.polling_allowance,
            candidate_page_url: config.candidate_page_url,
            partner: config.partner_secret_name.map(|name| {
                shared::secrets::PartnerSecret::new(
                    clients.secrets.clone(),
                    name,
                    DEFAULT_CACHE_TTL,
                )
            }),
            onboarding: config.onboarding,
            clock,
        })
    }

    pub async fn handle(&self, req: ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
        let route = req.request_context.route_key.clone().unwrap_or_default();
        let span = tracing::info_span!("admin", route = %route, request_id = req.request_context.request_id.as_deref().unwrap_or(""));
        let _enter = span.enter();
        // The guard comes first: a refused request reaches no route.
        let answer = match guard::check(&req) {
            Ok(()) => self.route(&route, &req).await,
            Err(refused) => Err(refused),
        };
        shared::budget::record_calls_of(&self.store, &self.linkedin, self.clock.now_ms()).await;
        match answer {
            Ok(resp) => resp,
            Err(e) => {
                tracing::info!(status = e.status, error = e.code, "request refused");
                e.into_response()
            }
        }
    }

    /// Refuses a route whose tenant is not registered. The answer "registered" is remembered by
    /// the warm container (the API never deletes a tenant, so it cannot turn false): a route
    /// that needs only the tenant to exist costs no read of it.
    async fn registered(&self, tenant_id: &str) -> Result<(), Refusal> {
        if self.registered.contains(tenant_id).await? {
            Ok(())
        } else {
            Err(unknown_tenant())
        }
    }

    /// The tenant the route names, read; every route but `PUT /tenants/{tenantId}` needs one.
    async fn tenant(&self, tenant_id: &str) -> Result<Tenant, Refusal> {
        self.store
            .get_tenant(tenant_id)
            .await?
            .ok_or_else(unknown_tenant)
    }
}

fn unknown_tenant() -> Refusal {
    Refusal::new(404, "unknown_tenant", "no such tenant")
}
