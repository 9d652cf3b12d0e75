//! Closed profiles: `GET /rest/atsPurgedExportedCandidates?q=integrationContext&
//! integrationContext=urn:li:organization:N&start=..&count=..` with `LinkedIn-Version: YYYYMM`.
//!
//! The resource lives only under the versioned `/rest` base and needs the version header (doc);
//! under `/v2` it does not exist (404). It lists the members whose LinkedIn profiles were closed
//! after they were exported to that customer, as `{"member": "urn:li:person:X", "purgedAt": ms}`:
//! the finder and field names are (unverified). The ATS must read it at least every 30 days.

use axum::{extract::State, http::HeaderMap, response::Response};
use serde_json::{Value, json};

use crate::Sim;
use crate::api::{ApiErr, Caller, bad, page_response};
use crate::exports::paging;
use crate::restli::{Restli, single};
use crate::state::now_ms;

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
}

/// `LinkedIn-Version` must be `YYYYMM` (doc).
fn check_version(headers: &HeaderMap) -> Result<(), ApiErr> {
    let version = headers
        .get("linkedin-version")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    match version {
        Some(v) if v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        Some(v) => Err(bad(format!("LinkedIn-Version must be YYYYMM, got {v:?}"))),
        None => Err(bad("Missing header LinkedIn-Version (YYYYMM)")),
    }
}

pub(crate) async fn purged_candidates(
    State(sim): State<Sim>,
    caller: Caller,
    restli: Restli,
    headers: HeaderMap,
) -> Result<Response, ApiErr> {
    check_version(&headers)?;
    if single(&restli.query, "q")? != Some("integrationContext") {
        return Err(bad(
            "Missing or unsupported finder q (expected integrationContext)",
        ));
    }
    let context = single(&restli.query, "integrationContext")?
        .ok_or_else(|| bad("Missing query parameter integrationContext"))?;
    if caller.organization != context {
        return Err(ApiErr::new(
            403,
            0,
            "integrationContext does not belong to this application",
        ));
    }
    let (start, count) = paging(&restli.query);
    let all: Vec<Value> = sim
        .state()
        .purged
        .get(context)
        .map(|m| {
            m.iter()
                .map(|(member, at)| json!({"member": member, "purgedAt": at}))
                .collect()
        })
        .unwrap_or_default();
    let total = all.len();
    let page = all.into_iter().skip(start).take(count).collect();
    Ok(page_response(page, start, count, total))
}
