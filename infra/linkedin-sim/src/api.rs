//! What every LinkedIn endpoint shares: the error shape, the caller (bearer token), paging and
//! contract checks.

use axum::{
    Json,
    extract::FromRequestParts,
    http::{HeaderMap, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::state::{SimState, now_ms};
use crate::{CODE_CONTRACT_INACTIVE, CODE_INVALID_TOKEN, ContractState, Sim};

/// An API error: answered as LinkedIn's `{"status": N, "serviceErrorCode": N, "message": ".."}`
/// (collection and doc for the shape; the codes are unverified).
#[derive(Debug)]
pub(crate) struct ApiErr {
    pub status: u16,
    pub code: i64,
    pub message: String,
}

impl ApiErr {
    pub fn new(status: u16, code: i64, message: impl Into<String>) -> Self {
        ApiErr {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        api_error(self.status, self.code, self.message)
    }
}

/// A 400 with service code 0.
pub(crate) fn bad(message: impl Into<String>) -> ApiErr {
    ApiErr::new(400, 0, message)
}

/// `{"status": N, "serviceErrorCode": N, "message": "..."}`
pub(crate) fn api_error(status: u16, service_code: i64, message: impl Into<String>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        Json(json!({
            "status": status,
            "serviceErrorCode": service_code,
            "message": message.into(),
        })),
    )
        .into_response()
}

/// The service code an injected fault of this status carries.
pub(crate) fn default_service_code(status: u16) -> i64 {
    match status {
        401 => CODE_INVALID_TOKEN,
        403 => CODE_CONTRACT_INACTIVE,
        _ => 0,
    }
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        Some(token.trim())
    } else {
        None
    }
}

/// The client id owning the request's bearer token, when the token is valid and unexpired;
/// 401 otherwise.
fn token_owner(parts: &Parts, state: &SimState) -> Result<String, ApiErr> {
    let invalid = || ApiErr::new(401, CODE_INVALID_TOKEN, "Invalid access token");
    let token = bearer(&parts.headers).ok_or_else(invalid)?;
    match state.tokens.get(token) {
        Some(t) if t.expires_at_ms > now_ms() => Ok(t.client_id.clone()),
        _ => Err(invalid()),
    }
}

/// The (child) application calling, known from a valid (unexpired) bearer token; extracting it
/// answers 401 otherwise, and 403 for a partner's token (customer resources take the child
/// application's token: collection, every Module 1-3 item after provisioning uses
/// `customer_access_token`).
pub(crate) struct Caller {
    pub client_id: String,
    /// `urn:li:organization:N` of the application; empty for a provisioned child not bound yet.
    pub organization: String,
}

impl FromRequestParts<Sim> for Caller {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, sim: &Sim) -> Result<Self, Self::Rejection> {
        let state = sim.state();
        let client_id = token_owner(parts, &state)?;
        if state.provisioning.is_partner(&client_id) {
            return Err(ApiErr::new(
                403,
                0,
                "A partner application's token cannot call a customer's resources: use the \
                 customer's (child) application token",
            ));
        }
        let organization = state
            .organization_of(&client_id)
            .ok_or_else(|| ApiErr::new(401, CODE_INVALID_TOKEN, "Unknown application"))?;
        Ok(Caller {
            client_id,
            organization,
        })
    }
}

/// The partner (parent) application calling: provisioning takes only its token (doc
/// "Provisioning API"; collection: `partner_access_token`). 401 for an invalid token, 403 for
/// any other application's.
pub(crate) struct PartnerCaller {
    pub client_id: String,
}

impl FromRequestParts<Sim> for PartnerCaller {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, sim: &Sim) -> Result<Self, Self::Rejection> {
        let state = sim.state();
        let client_id = token_owner(parts, &state)?;
        if !state.provisioning.is_partner(&client_id) {
            return Err(ApiErr::new(
                403,
                0,
                "Not enough permissions: provisioning takes the partner (parent) application's \
                 token",
            ));
        }
        Ok(PartnerCaller { client_id })
    }
}

/// A page of a finder: `{"elements": [...], "paging": {"start", "count", "total"}}`
/// (collection and doc: `start`, `count`; `total` is optional at LinkedIn and always given here).
pub(crate) fn page_response(
    elements: Vec<Value>,
    start: usize,
    count: usize,
    total: usize,
) -> Response {
    Json(json!({
        "elements": elements,
        "paging": { "start": start, "count": count, "total": total },
    }))
    .into_response()
}

/// 403 when the contract is EXPIRED or DISABLED.
pub(crate) fn contract_active(state: &SimState, contract: &str) -> Result<(), ApiErr> {
    match state.contract_state(contract) {
        Some(status @ (ContractState::Expired | ContractState::Disabled)) => Err(ApiErr::new(
            403,
            CODE_CONTRACT_INACTIVE,
            format!("Contract {contract} is {}", status.as_str()),
        )),
        _ => Ok(()),
    }
}
