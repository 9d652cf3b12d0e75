//! The simulator driven over HTTP as a client would; shared helpers here, tests by resource in
//! the submodules. (The sync has its own tests in `src/sync/tests/`.)

use super::*;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    routing::{get, post},
};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::restli::parse_query;

type HmacSha256 = Hmac<Sha256>;

mod activity;
mod calls;
mod exports;
mod inmails;
mod integrations;
mod provisioning;

const SECRET: &str = "s3cr/t+=x y";
pub(crate) const ORG: &str = "urn:li:organization:42";

pub(crate) async fn start() -> Sim {
    Sim::start("127.0.0.1:0".parse().unwrap(), SimConfig::default())
        .await
        .unwrap()
}

pub(crate) fn app(client_id: &str, callback_url: Option<String>) -> App {
    App {
        client_id: client_id.to_string(),
        client_secret: SECRET.to_string(),
        organization: ORG.to_string(),
        callback_url,
    }
}

fn candidate() -> Value {
    json!({
        "member": "urn:li:person:abc",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "location": "London, GB",
        "currentCompany": "Analytical Engines",
        "headline": "Mathematician",
        "emails": ["ada@example.com"],
        "positions": [{"title": "Engineer", "company": "AE"}],
        "educations": [{"school": "Home"}],
    })
}

fn spec(client_id: &str, request_id: Option<&str>) -> ExportSpec {
    ExportSpec {
        client_id: client_id.to_string(),
        request_id: request_id.map(str::to_string),
        contract: "urn:li:contract:7".to_string(),
        exporter: "urn:li:seat:9".to_string(),
        ats_job_posting_id: "JOB-1".to_string(),
        candidate: candidate(),
    }
}

async fn token_response(
    sim: &Sim,
    grant: &str,
    client_id: &str,
    secret: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/accessToken", sim.auth_url()))
        .form(&[
            ("grant_type", grant),
            ("client_id", client_id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
}

pub(crate) async fn token(sim: &Sim, client_id: &str) -> String {
    let resp = token_response(sim, "client_credentials", client_id, SECRET).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

async fn get_api(sim: &Sim, path_and_query: &str, token: Option<&str>) -> (u16, HeaderMap, Value) {
    let mut req = reqwest::Client::new().get(format!("{}{}", sim.api_url(), path_and_query));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

/// A tiny callback receiver: records POSTs and answers validation challenges with `secret`.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(HeaderMap, Bytes)>>>);

async fn receiver(secret: &str) -> (String, Received) {
    let received = Received::default();
    let secret = secret.to_string();
    let router = Router::new()
        .route(
            "/cb",
            post(
                |State(r): State<Received>, headers: HeaderMap, body: Bytes| async move {
                    r.0.lock().unwrap().push((headers, body));
                    (StatusCode::OK, "thanks")
                },
            )
            .merge(get(
                move |Query(q): Query<HashMap<String, String>>| async move {
                    let code = q.get("challengeCode").cloned().unwrap_or_default();
                    Json(json!({
                        "challengeCode": code,
                        "challengeResponse": challenge_response(&secret, &code),
                    }))
                },
            )),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    (format!("http://{addr}/cb"), received)
}

// ---------------------------------------------------------------------------------------------
// Recruiter activity
// ---------------------------------------------------------------------------------------------

const HOUR: i64 = 3_600_000;
const T0: i64 = 1_700_000_000_000;
const CONTRACT: &str = "urn:li:contract:7";
const SEAT: &str = "urn:li:seat:1";

fn seat(id: &str, contract: &str, state: &str) -> Seat {
    Seat {
        id: id.to_string(),
        contract: contract.to_string(),
        member: format!("urn:li:person:rec-{id}"),
        first_name: "Rita".to_string(),
        last_name: format!("Recruiter {id}"),
        state: state.to_string(),
        email: None,
    }
}

fn inmail(id: &str, at: i64, sent: bool) -> InMail {
    InMail {
        id: id.to_string(),
        seat: SEAT.to_string(),
        member: "urn:li:person:ada".to_string(),
        direction: if sent { "SENT" } else { "RECEIVED" }.to_string(),
        subject: format!("subject {id}"),
        body: format!("body {id}"),
        created_at: at,
        conversation: None,
        documented_only: false,
    }
}

fn note(id: i64, text: &str, at: i64) -> Note {
    Note {
        id,
        contract: CONTRACT.to_string(),
        owner: SEAT.to_string(),
        member: "urn:li:person:ada".to_string(),
        note: text.to_string(),
        active: true,
        created: at,
        last_modified: at,
    }
}

fn stub(id: &str, email: Value, at: i64) -> Stub {
    Stub {
        id: id.to_string(),
        contract: CONTRACT.to_string(),
        owner: SEAT.to_string(),
        member: "urn:li:person:ada".to_string(),
        first_name: "Ada".to_string(),
        last_name: "Lovelace".to_string(),
        email_address: email,
        phone_numbers: vec![
            Phone {
                number: "+44 1".to_string(),
                extension: None,
            },
            Phone {
                number: "+44 2".to_string(),
                extension: Some("12".to_string()),
            },
        ],
        headline: Some("Mathematician".to_string()),
        created: at,
    }
}

/// A sim with app `child-1`, seat 1 registered under contract 7, and a token.
async fn activity_sim() -> (Sim, String) {
    let sim = start().await;
    sim.register_app(app("child-1", None));
    sim.add_seat(seat("1", CONTRACT, "ACTIVE"));
    let t = token(&sim, "child-1").await;
    (sim, t)
}

fn inmails_q(from: i64, to: i64, extra: &str) -> String {
    format!(
        "/conversationEvents?q=criteria&viewer={SEAT}&timeRange.start={from}&timeRange.end={to}{extra}"
    )
}

fn notes_q(cutoff: i64, before: i64) -> String {
    format!(
        "/prospectNotes?q=criteria&contract={CONTRACT}&owners={SEAT}&cutoffDate={cutoff}&beforeDate={before}"
    )
}

fn stubs_q(from: i64, to: i64) -> String {
    format!(
        "/mailStubs?q=contract&contract={CONTRACT}&owners={SEAT}&createdDateStart={from}&createdDateEnd={to}"
    )
}

fn ids(body: &Value) -> Vec<String> {
    body["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| match &e["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}
