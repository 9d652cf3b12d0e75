//! admin-api: the ATS's side of the configuration, under `/tenants`. JSON in camelCase, documented
//! in docs/openapi.yaml. Routes are dispatched on API Gateway's route key.

pub mod guard;
mod onboarding;
mod outbound;
pub mod page;
mod views;

use std::sync::Arc;

use aws_lambda_events::event::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use shared::aws::Clients;
use shared::clock::{self, SharedClock};
use shared::config::{ConfigError, Env};
use shared::contracts;
use shared::domain::{AtsUser, Contract, ContractStatus, StatusCause, Tenant};
use shared::http::{self, BodyError};
use shared::outbound::records::ProfileUrl;
use shared::queue::Queue;
use shared::secrets::{CustomerSecrets, DEFAULT_CACHE_TTL, LinkedInCredentials};
use shared::store::Store;
use shared::{Error, ids};

pub use views::*;

/// Admin request bodies are small; anything larger is a mistake.
const MAX_BODY_BYTES: usize = 256 * 1024;
const DEFAULT_PAGE_SIZE: i32 = 50;

#[derive(Clone, Debug)]
pub struct Config {
    pub table_name: String,
    pub secret_prefix: String,
    pub backfill_queue_url: String,
    /// How far back a newly linked seat's history is imported.
    pub backfill_horizon_days: u64,
    pub changes_queue_url: String,
    pub linkedin_api_url: String,
    pub linkedin_auth_url: String,
    /// Where the integration page links a candidate (`{candidateId}` stands for the id).
    pub candidate_page_url: Option<ProfileUrl>,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: env.required("TABLE_NAME", "the DynamoDB table")?,
            secret_prefix: env.required("SECRET_PREFIX", "the name prefix of customer secrets")?,
            backfill_queue_url: env.required("BACKFILL_QUEUE_URL", "the seat back-fill queue")?,
            backfill_horizon_days: shared::domain::Backfill::horizon_from_env(env)?,
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

pub struct AdminApi {
    store: Store,
    secrets: Arc<CustomerSecrets>,
    backfills: Queue,
    changes: Queue,
    linkedin: shared::linkedin::LinkedIn,
    /// For the challenge round trip of a callback registration.
    http: reqwest::Client,
    backfill_horizon_days: u64,
    candidate_page_url: Option<ProfileUrl>,
    clock: SharedClock,
}

/// A refused request: status, stable code, and a sentence saying what is wrong.
#[derive(Debug)]
pub struct ApiError {
    status: u16,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
    fn not_found(what: impl Into<String>) -> Self {
        Self::new(404, "not_found", what)
    }
    fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_request", message)
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        match err {
            Error::Invalid(m) => ApiError::invalid(m),
            Error::NotFound(m) => ApiError::not_found(m),
            other => {
                tracing::error!(error.kind = other.kind(), error = %other, "dependency failed");
                ApiError::new(503, "unavailable", "a dependency failed; retry later")
            }
        }
    }
}

type Answer = Result<ApiGatewayV2httpResponse, ApiError>;

impl AdminApi {
    pub fn new(clients: &Clients, config: Config, clock: SharedClock) -> shared::Result<Self> {
        Ok(Self {
            store: Store::new(clients.dynamodb.clone(), config.table_name),
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
            candidate_page_url: config.candidate_page_url,
            clock,
        })
    }

    pub async fn handle(&self, req: ApiGatewayV2httpRequest) -> ApiGatewayV2httpResponse {
        let route = req.request_context.route_key.clone().unwrap_or_default();
        let span = tracing::info_span!("admin", route = %route, request_id = req.request_context.request_id.as_deref().unwrap_or(""));
        let _enter = span.enter();
        let answer = match guard::check(&req) {
            Ok(()) => self.route(&route, &req).await,
            Err(refused) => Err(refused),
        };
        match answer {
            Ok(resp) => resp,
            Err(e) => {
                tracing::info!(status = e.status, error = e.code, "request refused");
                http::error(e.status, e.code, e.message)
            }
        }
    }

    async fn route(&self, route: &str, req: &ApiGatewayV2httpRequest) -> Answer {
        let tenant = path(req, "tenantId", ids::check)?;
        match route {
            "PUT /tenants/{tenantId}" => self.put_tenant(&tenant, body(req)?).await,
            "GET /tenants/{tenantId}" => self.get_tenant(&tenant).await,
            "PUT /tenants/{tenantId}/contracts/{contractId}" => {
                let contract = http::path_param(req, "contractId").unwrap_or_default();
                let contract = ids::urn_number("contract", contract)
                    .map_err(|_| ApiError::invalid("contractId must be N or urn:li:contract:N"))?;
                self.put_contract(&tenant, &contract, body(req)?).await
            }
            "GET /tenants/{tenantId}/contracts" => self.list_contracts(&tenant).await,
            "GET /tenants/{tenantId}/health" => self.health(&tenant).await,
            "POST /tenants/{tenantId}/activity/reprocess" => self.reprocess_activity(&tenant).await,
            "GET /tenants/{tenantId}/integration" => {
                let live_only = match http::query_param(req, "part") {
                    None => false,
                    Some("live") => true,
                    Some(_) => return Err(ApiError::invalid("part must be live")),
                };
                let csrf = guard::session(req).map(|s| guard::csrf_token(&s));
                self.integration_page(&tenant, live_only, csrf).await
            }
            "DELETE /tenants/{tenantId}/contracts/{contractId}" => {
                let contract = contract_path(req)?;
                self.disconnect_contract(&tenant, &contract).await
            }
            "GET /tenants/{tenantId}/contracts/{contractId}/events" => {
                let contract = contract_path(req)?;
                self.list_contract_events(&tenant, &contract, req).await
            }
            "PUT /tenants/{tenantId}/jobs/{jobId}" => {
                let job = path(req, "jobId", ids::check)?;
                self.put_job(&tenant, &job, body(req)?).await
            }
            "GET /tenants/{tenantId}/jobs/{jobId}" => {
                let job = path(req, "jobId", ids::check)?;
                self.get_job(&tenant, &job).await
            }
            "GET /tenants/{tenantId}/candidates" => self.list_candidates(&tenant, req).await,
            "GET /tenants/{tenantId}/candidates/{candidateId}" => {
                let candidate = path(req, "candidateId", ids::check)?;
                self.get_candidate(&tenant, &candidate).await
            }
            "GET /tenants/{tenantId}/exports" => self.list_exports(&tenant, req).await,
            "GET /tenants/{tenantId}/candidates/{candidateId}/activity" => {
                let candidate = path(req, "candidateId", ids::check)?;
                self.list_activity(&tenant, &candidate, req).await
            }
            "PUT /tenants/{tenantId}/users/{userId}" => {
                let user = path(req, "userId", ids::check)?;
                self.put_user(&tenant, &user, body(req)?).await
            }
            "GET /tenants/{tenantId}/users/{userId}" => {
                let user = path(req, "userId", ids::check)?;
                self.get_user(&tenant, &user).await
            }
            "GET /tenants/{tenantId}/users" => self.list_users(&tenant, req).await,
            "GET /tenants/{tenantId}/seats" => self.list_seats(&tenant, req).await,
            "PUT /tenants/{tenantId}/contracts/{contractId}/seats/{seatId}/link" => {
                let (contract, seat) = contract_and_seat(req)?;
                self.link_seat(&tenant, &contract, &seat, body(req)?).await
            }
            "POST /tenants/{tenantId}/contracts/{contractId}/seats/{seatId}/reimport" => {
                let (contract, seat) = contract_and_seat(req)?;
                self.reimport_seat(&tenant, &contract, &seat, body(req)?)
                    .await
            }
            "DELETE /tenants/{tenantId}/contracts/{contractId}/seats/{seatId}/link" => {
                let (contract, seat) = contract_and_seat(req)?;
                self.unlink_seat(&tenant, &contract, &seat).await
            }
            "PUT /tenants/{tenantId}/candidates/{candidateId}" => {
                let candidate = path(req, "candidateId", ids::check)?;
                self.put_candidate(&tenant, &candidate, body(req)?).await
            }
            "PUT /tenants/{tenantId}/applications/{applicationId}" => {
                let application = path(req, "applicationId", ids::check)?;
                self.put_application(&tenant, &application, body(req)?)
                    .await
            }
            "GET /tenants/{tenantId}/applications/{applicationId}" => {
                let application = path(req, "applicationId", ids::check)?;
                self.get_application(&tenant, &application).await
            }
            "POST /tenants/{tenantId}/applications/{applicationId}/stages" => {
                let application = path(req, "applicationId", ids::check)?;
                self.post_stage(&tenant, &application, body(req)?).await
            }
            "GET /tenants/{tenantId}/sync" => self.get_sync(&tenant).await,
            "GET /tenants/{tenantId}/sync/errors" => self.list_sync_errors(&tenant, req).await,
            "POST /tenants/{tenantId}/sync/full" => self.start_full_sync(&tenant, req).await,
            "GET /tenants/{tenantId}/compliance/purged" => self.list_purged(&tenant, req).await,
            "POST /tenants/{tenantId}/linkedin/register" => {
                self.register_callback(&tenant, req, body(req)?).await
            }
            _ => Err(ApiError::not_found("no such route")),
        }
    }

    async fn put_tenant(&self, tenant_id: &str, body: TenantInput) -> Answer {
        let name = text("name", &body.name, 200)?;
        let organization = format!(
            "urn:li:organization:{}",
            ids::urn_number("organization", &body.organization)?
        );
        let client_id = text("linkedin.clientId", &body.linkedin.client_id, 128)?;
        // The secret is kept byte for byte: surrounding spaces may be part of it.
        let client_secret = body.linkedin.client_secret;
        if client_secret.is_empty() || client_secret.len() > 512 {
            return Err(ApiError::invalid(
                "linkedin.clientSecret must be 1 to 512 bytes",
            ));
        }
        let now = self.clock.now_ms();
        let existing = self.store.get_tenant(tenant_id).await?;
        // The secret first: a tenant item never points at a secret that is not there. A new
        // secret keeps the old one for the rotation window, so LinkedIn's notifications signed
        // with either verify while it switches.
        let old = match existing {
            Some(_) => self.secrets.current(tenant_id).await?,
            None => None,
        };
        let creds =
            LinkedInCredentials::new(client_id.clone(), client_secret).replacing(old.as_ref(), now);
        self.secrets.put(tenant_id, &creds).await?;
        let tenant = Tenant {
            tenant_id: tenant_id.to_owned(),
            name,
            organization,
            client_id,
            delete_purged_data: body.delete_purged_data,
            job_availability: body
                .job_availability
                .or(existing.as_ref().map(|t| t.job_availability))
                .unwrap_or_default(),
            created_at: existing.as_ref().map_or(now, |t| t.created_at),
            updated_at: now,
        };
        self.store.put_tenant(&tenant).await?;
        Ok(http::json(
            if existing.is_some() { 200 } else { 201 },
            &TenantView::from(&tenant),
        ))
    }

    async fn get_tenant(&self, tenant_id: &str) -> Answer {
        let tenant = self.tenant(tenant_id).await?;
        Ok(http::json(200, &TenantView::from(&tenant)))
    }

    async fn put_contract(
        &self,
        tenant_id: &str,
        contract_id: &str,
        body: ContractInput,
    ) -> Answer {
        self.tenant(tenant_id).await?;
        let expires_at = match body.expires_at.as_deref() {
            None => None,
            Some(s) => Some(date("expiresAt", s)?),
        };
        let now = self.clock.now_ms();
        let existed = std::sync::atomic::AtomicBool::new(false);
        let decide = |current: Option<&Contract>| {
            existed.store(current.is_some(), std::sync::atomic::Ordering::Relaxed);
            Some(connect(tenant_id, contract_id, current, expires_at, now))
        };
        let contract = contracts::change_status(&self.store, tenant_id, contract_id, now, &decide)
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    503,
                    "unavailable",
                    "the contract could not be stored; retry",
                )
            })?;
        let status = if existed.load(std::sync::atomic::Ordering::Relaxed) {
            200
        } else {
            201
        };
        if contract.is_active_at(now) {
            // A renewal: what the ATS changed while no contract was active goes out now.
            self.nudge(tenant_id).await;
        }
        Ok(http::json(status, &ContractView::from(&contract)))
    }

    /// Disconnects a contract: it becomes Disabled (by the admin) and nothing is imported or
    /// sent for it; everything imported stays.
    async fn disconnect_contract(&self, tenant_id: &str, contract_id: &str) -> Answer {
        self.tenant(tenant_id).await?;
        let now = self.clock.now_ms();
        let decide = |current: Option<&Contract>| {
            let c = current?;
            (c.status != ContractStatus::Disabled || c.status_cause != Some(StatusCause::Admin))
                .then(|| {
                    (
                        Contract {
                            status: ContractStatus::Disabled,
                            ..c.clone()
                        },
                        StatusCause::Admin,
                        "disconnected by an administrator".to_owned(),
                    )
                })
        };
        let contract = contracts::change_status(&self.store, tenant_id, contract_id, now, &decide)
            .await?
            .ok_or_else(|| ApiError::not_found("no such contract"))?;
        Ok(http::json(200, &ContractView::from(&contract)))
    }

    async fn list_contract_events(
        &self,
        tenant_id: &str,
        contract_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.tenant(tenant_id).await?;
        let (limit, token) = paging(req)?;
        if self
            .store
            .get_contract(tenant_id, contract_id)
            .await?
            .is_none()
        {
            return Err(ApiError::not_found("no such contract"));
        }
        let page = self
            .store
            .list_contract_events(tenant_id, contract_id, limit, token)
            .await?;
        let items: Vec<ContractEventView> =
            page.items.iter().map(ContractEventView::from).collect();
        Ok(http::json(
            200,
            &ListView {
                items,
                next_token: page.next_token,
            },
        ))
    }

    /// Candidates whose LinkedIn profiles were closed, flagged by the daily compliance review.
    async fn list_purged(&self, tenant_id: &str, req: &ApiGatewayV2httpRequest) -> Answer {
        self.tenant(tenant_id).await?;
        let (limit, token) = paging(req)?;
        let page = self.store.list_purged(tenant_id, limit, token).await?;
        Ok(http::json(
            200,
            &ListView {
                items: page.items.iter().map(PurgedView::from).collect(),
                next_token: page.next_token,
            },
        ))
    }

    /// What is flowing and what is not, with reasons: contracts, seats, dead letters.
    async fn health(&self, tenant_id: &str) -> Answer {
        self.tenant(tenant_id).await?;
        let now = self.clock.now_ms();
        let contracts = self.store.list_contracts(tenant_id).await?;
        let seats = self.store.all_seats(tenant_id).await?;
        let letters = self.store.recent_dead_letters(tenant_id, 20).await?;
        let sync_errors = self
            .store
            .list_sync_errors(tenant_id, 20, None)
            .await?
            .items;
        let unprocessed = self.store.unprocessed_activity(tenant_id).await?;
        Ok(http::json(
            200,
            &HealthView::new(
                &contracts,
                &seats,
                &letters,
                &sync_errors,
                &unprocessed,
                now,
            ),
        ))
    }

    /// Imports the activity records kept because they could not be decoded or attributed, with
    /// today's decoder and what is known now; no LinkedIn call is made.
    async fn reprocess_activity(&self, tenant_id: &str) -> Answer {
        self.tenant(tenant_id).await?;
        let done = shared::activity::reprocess(&self.store, tenant_id, self.clock.now_ms()).await?;
        tracing::info!(
            imported = done.imported,
            still = done.still_unprocessed,
            "activity re-processed"
        );
        Ok(http::json(200, &done))
    }

    /// The administrators' integration page (HTML): contracts, seat holders, health, recent
    /// imports. Its actions call the JSON routes.
    /// `csrf_token`: the token of the browser session the page is served to, for its script.
    async fn integration_page(
        &self,
        tenant_id: &str,
        live_only: bool,
        csrf_token: Option<String>,
    ) -> Answer {
        /// How many of the latest exports and InMails/notes the page lists.
        const RECENT: i32 = 10;
        /// Transitions shown per contract (oldest first).
        const HISTORY: i32 = 50;
        let tenant = self.tenant(tenant_id).await?;
        let now = self.clock.now_ms();
        let stored = self.store.list_contracts(tenant_id).await?;
        let counts = self.store.contract_counts(tenant_id).await?;
        let mut contracts = Vec::with_capacity(stored.len());
        for c in stored {
            let events = self
                .store
                .list_contract_events(tenant_id, &c.contract_id, HISTORY, None)
                .await?
                .items;
            let imported = counts.get(&c.contract_id).cloned().unwrap_or_default();
            contracts.push((c, events, imported));
        }
        let seats = self.store.all_seats(tenant_id).await?;
        let users = self.store.all_users(tenant_id).await?;
        let letters = self.store.recent_dead_letters(tenant_id, 20).await?;
        let sync_errors = self
            .store
            .list_sync_errors(tenant_id, 20, None)
            .await?
            .items;
        let plain: Vec<Contract> = contracts.iter().map(|(c, _, _)| c.clone()).collect();
        let unprocessed = self.store.unprocessed_activity(tenant_id).await?;
        let health = HealthView::new(&plain, &seats, &letters, &sync_errors, &unprocessed, now);
        let exports = self
            .store
            .list_exports(tenant_id, RECENT, None)
            .await?
            .items;
        let activity = self.store.recent_activity(tenant_id, RECENT).await?;
        let named: Vec<String> = exports
            .iter()
            .filter_map(|e| e.candidate_id.clone())
            .chain(activity.iter().map(|a| a.candidate_id.clone()))
            .collect();
        let candidates = self.store.candidates_by_id(tenant_id, &named).await?;
        let data = page::PageData {
            tenant,
            contracts,
            seats,
            users,
            health,
            exports,
            activity,
            candidates,
            backfill_days: self.backfill_horizon_days,
            candidate_page_url: self.candidate_page_url.clone(),
            csrf_token,
            now,
        };
        let nonce = page::nonce();
        let body = if live_only {
            page::render_live(&data)
        } else {
            page::render(&data, &nonce)
        };
        Ok(http::html(200, body, &page::policy(&nonce)))
    }

    /// Contracts with their last successful poll (the latest of their seats') and counts of
    /// what was imported under them.
    async fn list_contracts(&self, tenant_id: &str) -> Answer {
        self.tenant(tenant_id).await?;
        let contracts = self.store.list_contracts(tenant_id).await?;
        let counts = self.store.contract_counts(tenant_id).await?;
        let seats = self.store.all_seats(tenant_id).await?;
        let items: Vec<ContractView> = contracts
            .iter()
            .map(|c| ContractView {
                last_successful_poll: last_successful_poll(&seats, &c.contract_id)
                    .map(clock::to_rfc3339),
                imported: Some(counts.get(&c.contract_id).cloned().unwrap_or_default()),
                ..ContractView::from(c)
            })
            .collect();
        Ok(http::json(
            200,
            &ListView {
                items,
                next_token: None,
            },
        ))
    }

    async fn get_job(&self, tenant_id: &str, job_id: &str) -> Answer {
        self.tenant(tenant_id).await?;
        let job = self
            .store
            .get_job(tenant_id, job_id)
            .await?
            .ok_or_else(|| ApiError::not_found("no such job"))?;
        Ok(http::json(200, &JobView::from(&job)))
    }

    async fn list_candidates(&self, tenant_id: &str, req: &ApiGatewayV2httpRequest) -> Answer {
        self.tenant(tenant_id).await?;
        let (limit, token) = paging(req)?;
        if let Some(member) = http::query_param(req, "member") {
            ids::check_member_urn(member)?;
            let id = shared::domain::Candidate::id_for_member(member);
            let items: Vec<CandidateSummaryView> = self
                .store
                .get_candidate(tenant_id, &id)
                .await?
                .iter()
                .map(CandidateSummaryView::from)
                .collect();
            return Ok(http::json(
                200,
                &ListView {
                    items,
                    next_token: None,
                },
            ));
        }
        let page = self.store.list_candidates(tenant_id, limit, token).await?;
        let items: Vec<CandidateSummaryView> =
            page.items.iter().map(CandidateSummaryView::from).collect();
        Ok(http::json(
            200,
            &ListView {
                items,
                next_token: page.next_token,
            },
        ))
    }

    async fn get_candidate(&self, tenant_id: &str, candidate_id: &str) -> Answer {
        self.tenant(tenant_id).await?;
        let record = self
            .store
            .candidate_record(tenant_id, candidate_id)
            .await?
            .ok_or_else(|| ApiError::not_found("no such candidate"))?;
        Ok(http::json(200, &CandidateView::new(&record)))
    }

    async fn list_activity(
        &self,
        tenant_id: &str,
        candidate_id: &str,
        req: &ApiGatewayV2httpRequest,
    ) -> Answer {
        self.tenant(tenant_id).await?;
        let (limit, token) = paging(req)?;
        if self
            .store
            .get_candidate(tenant_id, candidate_id)
            .await?
            .is_none()
        {
            return Err(ApiError::not_found("no such candidate"));
        }
        let page = self
            .store
            .list_activity(tenant_id, candidate_id, limit, token)
            .await?;
        let items: Vec<ActivityView> = page.items.iter().map(ActivityView::from).collect();
        Ok(http::json(
            200,
            &ListView {
                items,
                next_token: page.next_token,
            },
        ))
    }

    async fn put_user(&self, tenant_id: &str, user_id: &str, body: UserInput) -> Answer {
        self.tenant(tenant_id).await?;
        let email = body.email.trim().to_owned();
        let at = email.find('@');
        if email.len() > 254
            || at.is_none_or(|i| i == 0 || i == email.len() - 1)
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(ApiError::invalid(
                "email must be an address like name@example.com",
            ));
        }
        if let Some(member) = &body.member {
            ids::check_member_urn(member)?;
        }
        let now = self.clock.now_ms();
        let existing = self.store.get_user(tenant_id, user_id).await?;
        let user = AtsUser {
            tenant_id: tenant_id.to_owned(),
            user_id: user_id.to_owned(),
            email,
            first_name: text("firstName", &body.first_name, 100)?,
            last_name: text("lastName", &body.last_name, 100)?,
            member: body.member,
            created_at: existing.as_ref().map_or(now, |u| u.created_at),
            updated_at: now,
        };
        self.store.put_user(&user).await?;
        Ok(http::json(
            if existing.is_some() { 200 } else { 201 },
            &UserView::from(&user),
        ))
    }

    async fn get_user(&self, tenant_id: &str, user_id: &str) -> Answer {
        self.tenant(tenant_id).await?;
        let user = self
            .store
            .get_user(tenant_id, user_id)
            .await?
            .ok_or_else(|| ApiError::not_found("no such user"))?;
        Ok(http::json(200, &UserView::from(&user)))
    }

    async fn list_users(&self, tenant_id: &str, req: &ApiGatewayV2httpRequest) -> Answer {
        self.tenant(tenant_id).await?;
        let (limit, token) = paging(req)?;
        let page = self.store.list_users(tenant_id, limit, token).await?;
        let items: Vec<UserView> = page.items.iter().map(UserView::from).collect();
        Ok(http::json(
            200,
            &ListView {
                items,
                next_token: page.next_token,
            },
        ))
    }

    async fn list_seats(&self, tenant_id: &str, req: &ApiGatewayV2httpRequest) -> Answer {
        self.tenant(tenant_id).await?;
        let (limit, token) = paging(req)?;
        let linked = match http::query_param(req, "linked") {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => return Err(ApiError::invalid("linked must be true or false")),
        };
        let page = self.store.list_seats(tenant_id, limit, token).await?;
        // The filter applies within the page, so a page may hold fewer than `limit` seats.
        let items: Vec<SeatView> = page
            .items
            .iter()
            .filter(|s| linked.is_none_or(|l| s.user_id.is_some() == l))
            .map(SeatView::from)
            .collect();
        Ok(http::json(
            200,
            &ListView {
                items,
                next_token: page.next_token,
            },
        ))
    }

    /// Links a Recruiter seat to an existing ATS user; live polling starts from now.
    async fn link_seat(
        &self,
        tenant_id: &str,
        contract_id: &str,
        seat_id: &str,
        body: LinkInput,
    ) -> Answer {
        self.tenant(tenant_id).await?;
        ids::check("userId", &body.user_id)?;
        if self
            .store
            .get_contract(tenant_id, contract_id)
            .await?
            .is_none()
        {
            return Err(ApiError::not_found("no such contract"));
        }
        if self
            .store
            .get_user(tenant_id, &body.user_id)
            .await?
            .is_none()
        {
            return Err(ApiError::not_found(
                "no such user: seat holders are linked to existing ATS users only",
            ));
        }
        let now = self.clock.now_ms();
        let link = || {
            self.store
                .link_seat(tenant_id, contract_id, seat_id, &body.user_id, now)
        };
        let mut seat = match link().await? {
            Some(seat) => seat,
            None => {
                // Not listed yet (the hourly seat sync has not run since LinkedIn added it):
                // ask LinkedIn now, and link only what it lists.
                let creds = self.secrets.get(tenant_id).await?;
                shared::seats::sync_contract_seats(
                    &self.store,
                    &self.linkedin,
                    &creds,
                    tenant_id,
                    contract_id,
                    now,
                )
                .await?;
                link().await?.ok_or_else(|| {
                    ApiError::not_found(format!(
                        "LinkedIn does not list seat {seat_id} on contract {contract_id}; only \
                         seats LinkedIn lists can be linked"
                    ))
                })?
            }
        };
        // The first link starts the history back-fill, up to the link time where live polling
        // starts; a relinked seat's live cursors resume where they stopped instead.
        if seat.backfill.is_none() {
            let backfill = shared::domain::Backfill::for_link(
                seat.linked_at.unwrap_or(now),
                self.backfill_horizon_days,
                now,
            );
            let key = (tenant_id, contract_id, seat_id);
            if self.store.start_backfill(key, &backfill).await? {
                seat.backfill = Some(backfill);
            }
        }
        // Every link gets a step: it imports the seat's pending leads and goes on with the
        // back-fill if one is due.
        let step = shared::messages::BackfillStep {
            tenant_id: tenant_id.to_owned(),
            contract_id: contract_id.to_owned(),
            seat_id: seat_id.to_owned(),
        };
        self.backfills.send(&step).await?;
        Ok(http::json(200, &SeatView::from(&seat)))
    }

    /// Reads a window of a linked seat's history again (a back-fill over it): what is missing is
    /// imported, what is there is rewritten unchanged (records are keyed by LinkedIn's ids).
    async fn reimport_seat(
        &self,
        tenant_id: &str,
        contract_id: &str,
        seat_id: &str,
        body: ReimportInput,
    ) -> Answer {
        self.tenant(tenant_id).await?;
        let now = self.clock.now_ms();
        let from = date("from", &body.from)?;
        let to = date("to", &body.to)?.min(now);
        if from >= to {
            return Err(ApiError::invalid("from must be before to (and before now)"));
        }
        // No further back than a newly linked seat's history goes (BACKFILL_HORIZON_DAYS).
        let horizon = self.backfill_horizon_days;
        if from < now - (horizon as i64) * 86_400_000 {
            return Err(ApiError::invalid(format!(
                "from may be at most {horizon} days ago (the back-fill horizon, \
                 BackfillHorizonDays)"
            )));
        }
        // And within the share of LinkedIn's daily call limit that re-imports may use.
        let calls = shared::domain::Backfill::least_calls(from, to);
        let day = clock::to_rfc3339(now);
        let day = day.get(..10).unwrap_or(&day);
        let max = shared::linkedin::REIMPORT_DAILY_CALLS;
        let expires_at_s = now / 1000 + 2 * 86_400;
        if !self
            .store
            .reserve_calls(tenant_id, day, "reimportCalls", calls, max, expires_at_s)
            .await?
        {
            return Err(ApiError::invalid(format!(
                "this re-import takes at least {calls} LinkedIn calls, more than is left of the \
                 {max} that re-imports may use per UTC day ({}% of LinkedIn's {} a day); choose \
                 a shorter window or retry tomorrow",
                max * 100 / shared::linkedin::DAILY_CALL_LIMIT,
                shared::linkedin::DAILY_CALL_LIMIT
            )));
        }
        let backfill = shared::domain::Backfill {
            state: shared::domain::BackfillState::Queued,
            from,
            to,
            steps: 0,
            reason: Some("re-import requested by an administrator".into()),
            updated_at: now,
        };
        let key = (tenant_id, contract_id, seat_id);
        if !self.store.restart_backfill(key, &backfill).await? {
            return Err(ApiError::new(
                409,
                "conflict",
                "the seat is not linked, or its back-fill is running; retry when it is done",
            ));
        }
        self.backfills
            .send(&shared::messages::BackfillStep {
                tenant_id: tenant_id.to_owned(),
                contract_id: contract_id.to_owned(),
                seat_id: seat_id.to_owned(),
            })
            .await?;
        let seat = self
            .store
            .get_seat(tenant_id, contract_id, seat_id)
            .await?
            .ok_or_else(|| ApiError::not_found("no such seat"))?;
        Ok(http::json(202, &SeatView::from(&seat)))
    }

    /// Unlinks a seat: its imports stop; everything imported stays.
    async fn unlink_seat(&self, tenant_id: &str, contract_id: &str, seat_id: &str) -> Answer {
        self.tenant(tenant_id).await?;
        let seat = self
            .store
            .unlink_seat(tenant_id, contract_id, seat_id, self.clock.now_ms())
            .await?
            .ok_or_else(|| ApiError::not_found("no such seat"))?;
        Ok(http::json(200, &SeatView::from(&seat)))
    }

    async fn list_exports(&self, tenant_id: &str, req: &ApiGatewayV2httpRequest) -> Answer {
        self.tenant(tenant_id).await?;
        let (limit, token) = paging(req)?;
        let page = self.store.list_exports(tenant_id, limit, token).await?;
        let items: Vec<ExportView> = page.items.iter().map(ExportView::from).collect();
        Ok(http::json(
            200,
            &ListView {
                items,
                next_token: page.next_token,
            },
        ))
    }

    async fn tenant(&self, tenant_id: &str) -> Result<Tenant, ApiError> {
        self.store
            .get_tenant(tenant_id)
            .await?
            .ok_or_else(|| ApiError::new(404, "unknown_tenant", "no such tenant"))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TenantInput {
    name: String,
    organization: String,
    #[serde(deserialize_with = "object")]
    linkedin: LinkedInInput,
    /// Opt-in: delete the LinkedIn-sourced data of candidates whose profiles were closed.
    #[serde(default)]
    delete_purged_data: bool,
    /// Who sees the tenant's jobs on LinkedIn when a job does not say; kept when absent
    /// (`PRIVATE_TO_ATS_INTEGRATION` for a new tenant, LinkedIn's rule RSC-102).
    #[serde(default)]
    job_availability: Option<shared::domain::JobAvailability>,
}

/// A window of a seat's history to read again, RFC 3339 (`to` is capped at now).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReimportInput {
    from: String,
    to: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LinkedInInput {
    client_id: String,
    client_secret: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ContractInput {
    #[serde(default)]
    expires_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UserInput {
    email: String,
    first_name: String,
    last_name: String,
    #[serde(default)]
    member: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LinkInput {
    user_id: String,
}

/// What an admin's PUT makes of a contract: connected (or updated) with its expiry date. The
/// date decides Active or Expired, except that a contract LinkedIn disabled stays Disabled until
/// LinkedIn enables it again. An admin-disconnected contract is connected again.
fn connect(
    tenant_id: &str,
    contract_id: &str,
    current: Option<&Contract>,
    expires_at: Option<i64>,
    now: i64,
) -> (Contract, StatusCause, String) {
    let by_date = if expires_at.is_some_and(|e| e <= now) {
        ContractStatus::Expired
    } else {
        ContractStatus::Active
    };
    let Some(c) = current else {
        let contract = Contract {
            tenant_id: tenant_id.to_owned(),
            contract_id: contract_id.to_owned(),
            status: by_date,
            status_cause: None,
            events: 0,
            expires_at,
            connected_at: now,
            updated_at: now,
            linkedin_changes: Default::default(),
        };
        let (cause, reason) = match by_date {
            ContractStatus::Expired => (
                StatusCause::ExpiryDate,
                "connected by an administrator; its expiry date has passed",
            ),
            _ => (StatusCause::Admin, "connected by an administrator"),
        };
        return (contract, cause, reason.to_owned());
    };
    let linkedin_disabled =
        c.status == ContractStatus::Disabled && c.status_cause == Some(StatusCause::LinkedIn);
    let status = if linkedin_disabled {
        ContractStatus::Disabled
    } else {
        by_date
    };
    let (cause, reason) = match (c.status, status) {
        (ContractStatus::Disabled, ContractStatus::Active | ContractStatus::Expired) => {
            (StatusCause::Admin, "connected again by an administrator")
        }
        (ContractStatus::Expired, ContractStatus::Active) => (
            StatusCause::ExpiryDate,
            "renewed: its expiry date is in the future again",
        ),
        (_, ContractStatus::Expired) => (StatusCause::ExpiryDate, "its expiry date has passed"),
        _ => (StatusCause::Admin, "updated by an administrator"),
    };
    (
        Contract {
            status,
            expires_at,
            ..c.clone()
        },
        cause,
        reason.to_owned(),
    )
}

fn contract_path(req: &ApiGatewayV2httpRequest) -> Result<String, ApiError> {
    ids::urn_number(
        "contract",
        http::path_param(req, "contractId").unwrap_or_default(),
    )
    .map_err(|_| ApiError::invalid("contractId must be N or urn:li:contract:N"))
}

fn contract_and_seat(req: &ApiGatewayV2httpRequest) -> Result<(String, String), ApiError> {
    let contract = ids::urn_number(
        "contract",
        http::path_param(req, "contractId").unwrap_or_default(),
    )
    .map_err(|_| ApiError::invalid("contractId must be N or urn:li:contract:N"))?;
    let seat = ids::urn_number("seat", http::path_param(req, "seatId").unwrap_or_default())
        .map_err(|_| ApiError::invalid("seatId must be N or urn:li:seat:N"))?;
    Ok((contract, seat))
}

fn path(
    req: &ApiGatewayV2httpRequest,
    name: &str,
    check: impl Fn(&str, &str) -> Result<(), Error>,
) -> Result<String, ApiError> {
    let value = http::path_param(req, name).unwrap_or_default();
    check(name, value).map_err(|e| {
        ApiError::invalid(
            e.to_string()
                .trim_start_matches("invalid input: ")
                .to_owned(),
        )
    })?;
    Ok(value.to_owned())
}

/// The JSON object of the body; an empty body reads as `{}`.
fn body<T: DeserializeOwned>(req: &ApiGatewayV2httpRequest) -> Result<T, ApiError> {
    let bytes = http::raw_body(req, MAX_BODY_BYTES).map_err(|e| match e {
        BodyError::TooLarge { limit } => ApiError::new(
            413,
            "body_too_large",
            format!("request bodies are limited to {limit} bytes"),
        ),
        BodyError::BadBase64 => ApiError::invalid("the body is marked base64 but does not decode"),
    })?;
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".to_vec()
    } else {
        bytes
    };
    // An object, and nothing that merely deserializes like one: serde reads a JSON array as a
    // struct's fields in order, so `[]` would pass for `{}` with every optional field cleared.
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::invalid(format!("the body is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::invalid("the body must be a JSON object"));
    }
    serde_json::from_value(value)
        .map_err(|e| ApiError::invalid(format!("the body is not valid: {e}")))
}

/// A nested struct field: only a JSON object deserializes into it (see [`body`]).
fn object<'de, D: serde::Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<T, D::Error> {
    use serde::de::Error as _;
    let value = serde_json::Value::deserialize(d)?;
    if !value.is_object() {
        return Err(D::Error::custom("expected a JSON object"));
    }
    serde_json::from_value(value).map_err(D::Error::custom)
}

/// A list of nested structs: only JSON objects deserialize into them (see [`body`]).
pub(crate) fn objects<'de, D: serde::Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    use serde::de::Error as _;
    let values = Vec::<serde_json::Value>::deserialize(d)?;
    if !values.iter().all(serde_json::Value::is_object) {
        return Err(D::Error::custom("expected a list of JSON objects"));
    }
    serde_json::from_value(serde_json::Value::Array(values)).map_err(D::Error::custom)
}

/// An absolute http(s) URL with a host and no credentials in it (a link people and LinkedIn
/// follow: never `javascript:` or `data:`).
pub(crate) fn http_url(field: &str, value: &str) -> Result<String, ApiError> {
    let ok = reqwest::Url::parse(value).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host_str().is_some_and(|h| !h.is_empty())
            && u.username().is_empty()
            && u.password().is_none()
    });
    if ok && !value.chars().any(char::is_whitespace) {
        Ok(value.to_owned())
    } else {
        Err(ApiError::invalid(format!(
            "{field} must be an absolute http(s) URL, got {:?}",
            ids::truncate(value, 60)
        )))
    }
}

/// An RFC 3339 date-time within `clock::DATE_RANGE`.
pub(crate) fn date(field: &str, value: &str) -> Result<i64, ApiError> {
    clock::from_rfc3339(value).ok_or_else(|| {
        ApiError::invalid(format!(
            "{field} must be an RFC 3339 date-time {}, got {:?}",
            clock::DATE_RANGE,
            ids::truncate(value, 40)
        ))
    })
}

/// A required, trimmed, non-empty text of at most `max` characters.
fn text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "{field} must be 1 to {max} characters without control characters"
        )));
    }
    Ok(v.to_owned())
}

fn paging(req: &ApiGatewayV2httpRequest) -> Result<(i32, Option<&str>), ApiError> {
    let limit = match http::query_param(req, "limit") {
        None => DEFAULT_PAGE_SIZE,
        Some(l) => l
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=shared::store::MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "limit must be a number from 1 to {}",
                    shared::store::MAX_PAGE_SIZE
                ))
            })?,
    };
    Ok((limit, http::query_param(req, "nextToken")))
}
