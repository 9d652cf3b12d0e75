//! Closed profiles: `GET /v2/atsPurgedExportedCandidates?q=integrationContext&integrationContext=
//! urn:li:organization:N&start=..&count=..` lists the members whose LinkedIn profiles were closed
//! after they were exported to that customer, as `{"member": "urn:li:person:X", "purgedAt": ms}`
//! (finder and field names assumed; see linkedin-rsc.md "Closed profiles"). The ATS must read it
//! at least every 30 days.

use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::activity::bad as bad_request;
use crate::{ApiErr, Sim, now_ms, page};

impl Sim {
    /// LinkedIn reports `member`'s profile closed for the customer `organization` (now, or at
    /// `at_ms`).
    pub fn purge_member(&self, organization: &str, member: &str, at_ms: Option<i64>) {
        self.state()
            .purged
            .entry(organization.to_owned())
            .or_default()
            .insert(member.to_owned(), at_ms.unwrap_or_else(now_ms));
    }

    pub(crate) fn purged_candidates(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &std::collections::HashMap<String, String>,
    ) -> Response {
        self.try_purged(method, headers, query)
            .unwrap_or_else(IntoResponse::into_response)
    }

    fn try_purged(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: &std::collections::HashMap<String, String>,
    ) -> Result<Response, ApiErr> {
        if method != Method::GET {
            return Err(ApiErr::new(405, 0, format!("Method {method} not allowed")));
        }
        let client = self.authenticate(headers)?;
        if query.get("q").map(String::as_str) != Some("integrationContext") {
            return Err(bad_request(
                "Missing or unsupported finder q (expected integrationContext)",
            ));
        }
        let context = query
            .get("integrationContext")
            .ok_or_else(|| bad_request("Missing query parameter integrationContext"))?;
        let owner = self.app(&client).map(|a| a.organization);
        if owner.as_deref() != Some(context.as_str()) {
            return Err(ApiErr::new(
                403,
                0,
                "integrationContext does not belong to this application",
            ));
        }
        let (start, count) = crate::paging(query);
        let elements = self
            .state()
            .purged
            .get(context)
            .map(|m| {
                m.iter()
                    .map(|(member, at)| json!({"member": member, "purgedAt": at}))
                    .collect()
            })
            .unwrap_or_default();
        Ok(page(elements, start, count))
    }
}

/// `POST /v2/atsIntegrationConfigurations` (assumed name and body) with
/// `{"integrationContext": "urn:li:organization:N", "configurationType": "CALLBACK_URL",
/// "value": "<https URL>"}`: sets the customer's callback URL, then validates it with a challenge
/// as LinkedIn does. 201 `{"validated": true}` when the endpoint answered correctly; 400 with a
/// message when it did not (the URL is kept, as LinkedIn keeps re-validating it).
pub(crate) async fn register_callback(sim: &Sim, headers: &HeaderMap, body: &[u8]) -> Response {
    let client = match sim.authenticate(headers) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let parsed: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return bad_request("The body is not JSON").into_response(),
    };
    let field = |k: &str| parsed.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    if field("configurationType") != "CALLBACK_URL" {
        return bad_request("configurationType must be CALLBACK_URL").into_response();
    }
    let url = field("value");
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return bad_request("value must be an http(s) URL").into_response();
    }
    let Some(mut app) = sim.app(&client) else {
        return ApiErr::new(403, 0, "unknown application").into_response();
    };
    if app.organization != field("integrationContext") {
        return ApiErr::new(
            403,
            0,
            "integrationContext does not belong to this application",
        )
        .into_response();
    }
    app.callback_url = Some(url.to_owned());
    sim.register_app(app);
    match sim.validate_callback(&client).await {
        Ok(true) => (
            axum::http::StatusCode::CREATED,
            axum::Json(json!({"validated": true})),
        )
            .into_response(),
        _ => bad_request(
            "The callback URL did not answer the challenge with the application's secret",
        )
        .into_response(),
    }
}
