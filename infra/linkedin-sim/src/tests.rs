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

#[test]
fn urlencoded_decoding_keeps_repeats() {
    let q = parse_query("a=1&client_secret=s3cr%2Ft%2B%3Dx+y&b&c=%zz&d=%4&a=2&ids%5B0%5D.x=%3A");
    let pairs: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        pairs,
        [
            ("a", "1"),
            ("client_secret", "s3cr/t+=x y"),
            ("b", ""),
            ("c", "%zz"),
            ("d", "%4"),
            ("a", "2"),
            ("ids[0].x", ":"),
        ]
    );
}

#[test]
fn serde_shapes() {
    let f: Fault = serde_json::from_value(json!({
        "pathPrefix": "/v2", "kind": {"type": "status", "status": 429, "retryAfterSecs": 2}, "times": 1
    }))
    .unwrap();
    assert_eq!(
        f.kind,
        FaultKind::Status {
            status: 429,
            retry_after_secs: Some(2)
        }
    );
    let d: FaultKind = serde_json::from_value(json!({"type": "delay", "ms": 500})).unwrap();
    assert_eq!(d, FaultKind::Delay { ms: 500 });
    assert_eq!(
        serde_json::to_value(ContractState::Expired).unwrap(),
        json!("EXPIRED")
    );
    let a: App = serde_json::from_value(json!({
        "clientId": "c", "clientSecret": "s", "organization": ORG
    }))
    .unwrap();
    assert_eq!(a.callback_url, None);
}

#[tokio::test]
async fn token_issue_and_errors() {
    let sim = start().await;
    sim.register_app(app("child-1", None));

    let resp = token_response(&sim, "client_credentials", "child-1", SECRET).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["expires_in"], 1800);
    assert!(!v["access_token"].as_str().unwrap().is_empty());

    let resp = token_response(&sim, "client_credentials", "child-1", "wrong").await;
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "invalid_client");

    let resp = token_response(&sim, "client_credentials", "nobody", SECRET).await;
    assert_eq!(resp.status(), 401);

    let resp = token_response(&sim, "authorization_code", "child-1", SECRET).await;
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "unsupported_grant_type");

    let calls = sim.calls();
    assert_eq!(calls.len(), 4);
    assert_eq!(
        calls.iter().map(|c| c.status).collect::<Vec<_>>(),
        [200, 401, 401, 400]
    );
    assert_eq!(calls[0].client_id.as_deref(), Some("child-1"));
    assert_eq!(calls[0].path, "/oauth/v2/accessToken");
    assert_eq!(calls[0].method, "POST");
    sim.shutdown();
}

#[tokio::test]
async fn exported_candidates_payload_and_auth() {
    let sim = start().await;
    sim.register_app(app("child-1", None));
    sim.register_app(App {
        organization: "urn:li:organization:99".into(),
        ..app("child-2", None)
    });

    let pushed = sim.export(spec("child-1", Some("req-1"))).await.unwrap();
    assert_eq!(pushed.request_id, "req-1");
    assert_eq!(pushed.status, None);
    let generated = sim.export(spec("child-1", None)).await.unwrap();
    assert!(!generated.request_id.is_empty());
    assert!(matches!(
        sim.export(spec("nobody", None)).await,
        Err(SimError::UnknownApp(_))
    ));

    let t = token(&sim, "child-1").await;
    let (status, _, body) = get_api(
        &sim,
        "/exportedCandidates?q=request&requestId=req-1",
        Some(&t),
    )
    .await;
    assert_eq!(status, 200);
    let e = &body["elements"][0];
    assert_eq!(e["candidate"], candidate());
    assert_eq!(e["requestId"], "req-1");
    assert_eq!(e["integrationContext"], ORG);
    assert_eq!(e["contract"], "urn:li:contract:7");
    assert_eq!(e["exporter"], "urn:li:seat:9");
    assert_eq!(e["requester"], json!({"seat": "urn:li:seat:9"}), "holder unknown");
    assert_eq!(e["atsJobPostingId"], "JOB-1");
    assert!(e["exportedAt"].as_i64().unwrap() > 0);
    assert_eq!(body["paging"], json!({"start": 0, "count": 10, "total": 1}));

    // Once the seat is known, its holder is the requester.
    sim.add_seat(Seat {
        id: "9".into(),
        contract: "urn:li:contract:7".into(),
        member: "urn:li:person:rita".into(),
        first_name: "Rita".into(),
        last_name: "Book".into(),
        state: "ACTIVE".into(),
        email: None,
    });
    let (_, _, body) = get_api(
        &sim,
        "/exportedCandidates?q=request&requestId=req-1",
        Some(&t),
    )
    .await;
    assert_eq!(
        body["elements"][0]["requester"],
        json!({"member": "urn:li:person:rita", "firstName": "Rita", "lastName": "Book"})
    );

    // Unknown request id, and another app's export: empty.
    let (status, _, body) = get_api(
        &sim,
        "/exportedCandidates?q=request&requestId=nope",
        Some(&t),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["elements"], json!([]));
    let t2 = token(&sim, "child-2").await;
    let (_, _, body) = get_api(
        &sim,
        "/exportedCandidates?q=request&requestId=req-1",
        Some(&t2),
    )
    .await;
    assert_eq!(body["elements"], json!([]));

    // Bad finder.
    let (status, _, body) = get_api(
        &sim,
        "/exportedCandidates?q=other&requestId=req-1",
        Some(&t),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["status"], 400);
    let (status, _, _) = get_api(&sim, "/exportedCandidates?q=request", Some(&t)).await;
    assert_eq!(status, 400);

    // No token, bogus token.
    let (status, _, body) =
        get_api(&sim, "/exportedCandidates?q=request&requestId=req-1", None).await;
    assert_eq!(status, 401);
    assert_eq!(body["serviceErrorCode"], 65600);
    let (status, _, _) = get_api(
        &sim,
        "/exportedCandidates?q=request&requestId=req-1",
        Some("bogus"),
    )
    .await;
    assert_eq!(status, 401);

    // Unknown resource.
    let (status, _, body) = get_api(&sim, "/noSuchResource?q=attributes", Some(&t)).await;
    assert_eq!(status, 404);
    assert_eq!(body["status"], 404);

    // Contract expired → 403, active again → 200.
    sim.set_contract_status("urn:li:contract:7", ContractState::Expired);
    let (status, _, body) = get_api(
        &sim,
        "/exportedCandidates?q=request&requestId=req-1",
        Some(&t),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["serviceErrorCode"], 100);
    sim.set_contract_status("urn:li:contract:7", ContractState::Active);

    // Token expiry mid-run.
    sim.expire_tokens();
    let (status, _, _) = get_api(
        &sim,
        "/exportedCandidates?q=request&requestId=req-1",
        Some(&t),
    )
    .await;
    assert_eq!(status, 401);
    let fresh = token(&sim, "child-1").await;
    let (status, _, _) = get_api(
        &sim,
        "/exportedCandidates?q=request&requestId=req-1",
        Some(&fresh),
    )
    .await;
    assert_eq!(status, 200);

    // The log carries the token's owner, even for the expired token.
    let calls = sim.calls();
    let expired_call = &calls[calls.len() - 3];
    assert_eq!(expired_call.status, 401);
    assert_eq!(expired_call.client_id.as_deref(), Some("child-1"));
    assert_eq!(expired_call.query, "q=request&requestId=req-1");
    sim.shutdown();
}

#[tokio::test]
async fn a_fault_can_be_limited_to_a_query_parameter() {
    let sim = start().await;
    sim.register_app(app("child-1", None));
    sim.export(spec("child-1", Some("req-1"))).await.unwrap();
    let t = token(&sim, "child-1").await;
    let q = "/exportedCandidates?q=request&requestId=req-1";
    // A fault limited to a query parameter spares other requests to the same path.
    sim.inject_fault(Fault {
        path_prefix: "/v2/exportedCandidates".into(),
        kind: FaultKind::Status {
            status: 400,
            retry_after_secs: None,
        },
        times: 5,
        query: [("requestId".to_owned(), "req-other".to_owned())].into(),
    });
    let (status, _, _) = get_api(&sim, q, Some(&t)).await;
    assert_eq!(status, 200);
    let other = "/exportedCandidates?q=request&requestId=req-other";
    let (status, _, _) = get_api(&sim, other, Some(&t)).await;
    assert_eq!(status, 400);

    // Non-matching requests do not use it up.
    let (status, _, _) = get_api(&sim, q, Some(&t)).await;
    assert_eq!(status, 200);
    let (status, _, _) = get_api(&sim, other, Some(&t)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn fault_429_once_then_normal_and_call_log() {
    let sim = start().await;
    sim.register_app(app("child-1", None));
    sim.export(spec("child-1", Some("req-1"))).await.unwrap();
    let t = token(&sim, "child-1").await;
    sim.clear_calls();

    sim.inject_fault(Fault {
        path_prefix: "/v2/exportedCandidates".into(),
        kind: FaultKind::Status {
            status: 429,
            retry_after_secs: Some(2),
        },
        times: 1,
        query: Default::default(),
    });
    let q = "/exportedCandidates?q=request&requestId=req-1";
    let (status, headers, body) = get_api(&sim, q, Some(&t)).await;
    assert_eq!(status, 429);
    assert_eq!(headers[header::RETRY_AFTER], "2");
    assert_eq!(body["status"], 429);
    let (status, _, _) = get_api(&sim, q, Some(&t)).await;
    assert_eq!(status, 200);

    // A delay fault on everything, then normal handling.
    sim.inject_fault(Fault {
        path_prefix: String::new(),
        kind: FaultKind::Delay { ms: 50 },
        times: 1,
        query: Default::default(),
    });
    let before = std::time::Instant::now();
    let (status, _, _) = get_api(&sim, q, Some(&t)).await;
    assert_eq!(status, 200);
    assert!(before.elapsed() >= Duration::from_millis(50));

    // Cleared faults do not apply.
    sim.inject_fault(Fault {
        path_prefix: "/oauth".into(),
        kind: FaultKind::Status {
            status: 503,
            retry_after_secs: None,
        },
        times: 3,
        query: Default::default(),
    });
    sim.clear_faults();
    token(&sim, "child-1").await;

    let calls = sim.calls();
    assert_eq!(
        calls.iter().map(|c| c.status).collect::<Vec<_>>(),
        [429, 200, 200, 200]
    );
    assert!(calls[..3].iter().all(|c| c.path == "/v2/exportedCandidates"
        && c.method == "GET"
        && c.client_id.as_deref() == Some("child-1")));
    assert_eq!(calls[3].path, "/oauth/v2/accessToken");
    assert!(calls.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    sim.clear_calls();
    assert!(sim.calls().is_empty());
    sim.shutdown();
}

#[tokio::test]
async fn push_signature_resend_and_validation() {
    let sim = start().await;
    let (url, received) = receiver(SECRET).await;
    sim.register_app(app("child-1", Some(url.clone())));

    let pushed = sim.export(spec("child-1", Some("req-1"))).await.unwrap();
    assert_eq!(pushed.status, Some(200));
    assert_eq!(pushed.body, "thanks");

    let (headers, body) = received.0.lock().unwrap()[0].clone();
    let mut mac = HmacSha256::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(b"hmacsha256=");
    mac.update(&body);
    let expected = hex::encode(mac.finalize().into_bytes());
    assert_eq!(headers["x-li-signature"].to_str().unwrap(), expected);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["notificationId"], pushed.notification_id.as_str());
    assert_eq!(v["type"], "EXPORT_CANDIDATE_PROFILE");
    assert_eq!(v["requestId"], "req-1");
    assert_eq!(v["integrationContext"], ORG);
    assert!(v["occurredAt"].as_i64().unwrap() > 0);
    assert!(
        !String::from_utf8_lossy(&body).contains(": "),
        "compact JSON"
    );

    let again = sim.resend(&pushed.notification_id).await.unwrap();
    assert_eq!(again.status, Some(200));
    assert_eq!(again.notification_id, pushed.notification_id);
    assert_eq!(again.request_id, "req-1");
    {
        let got = received.0.lock().unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].1, body);
        assert_eq!(got[1].0["x-li-signature"], headers["x-li-signature"]);
    }
    assert!(matches!(
        sim.resend("nope").await,
        Err(SimError::UnknownNotification(_))
    ));

    // Status change notification + atsIntegrations.
    let change = sim
        .push_status_change("child-1", "urn:li:contract:7", "DISABLED")
        .await
        .unwrap();
    assert_eq!(change.status, Some(200));
    let (_, body) = received.0.lock().unwrap()[2].clone();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["type"], "INTEGRATION_STATUS_CHANGE");
    let t = token(&sim, "child-1").await;
    let (status, _, body) = get_api(
        &sim,
        &format!("/atsIntegrations?q=request&requestId={}", change.request_id),
        Some(&t),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["elements"],
        json!([{"integrationContext": "urn:li:contract:7", "integrationType": "CSA_API", "status": "DISABLED"}])
    );

    // Callback validation: right secret, wrong secret, no callback, unreachable.
    assert!(sim.validate_callback("child-1").await.unwrap());
    sim.register_app(App {
        client_secret: "other".into(),
        ..app("child-1", Some(url))
    });
    assert!(!sim.validate_callback("child-1").await.unwrap());
    sim.register_app(app("child-3", None));
    assert!(matches!(
        sim.validate_callback("child-3").await,
        Err(SimError::NoCallback(_))
    ));
    assert!(matches!(
        sim.validate_callback("nobody").await,
        Err(SimError::UnknownApp(_))
    ));
    sim.register_app(app("child-4", Some("http://127.0.0.1:1/cb".into())));
    assert!(!sim.validate_callback("child-4").await.unwrap());
    let failed = sim.export(spec("child-4", None)).await.unwrap();
    assert_eq!(failed.status, None);
    sim.shutdown();
}

#[tokio::test]
async fn control_routes() {
    let sim = start().await;
    let (url, received) = receiver(SECRET).await;
    let http = reqwest::Client::new();
    let base = sim.base_url();

    let resp = http
        .post(format!("{base}/_sim/apps"))
        .json(&app("child-1", Some(url)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(sim.app("child-1").unwrap().client_secret, SECRET);

    let resp = http
        .post(format!("{base}/_sim/exports"))
        .json(&json!({
            "clientId": "child-1", "contract": "urn:li:contract:7", "exporter": "urn:li:seat:9",
            "atsJobPostingId": "JOB-1", "candidate": candidate()
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let pushed: PushResult = resp.json().await.unwrap();
    assert_eq!(pushed.status, Some(200));

    let resp = http
        .post(format!(
            "{base}/_sim/notifications/{}/resend",
            pushed.notification_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(received.0.lock().unwrap().len(), 2);

    let resp = http
        .post(format!("{base}/_sim/notifications/nope/resend"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let v: Value = resp.json().await.unwrap();
    assert!(v["error"].as_str().unwrap().contains("nope"));

    let resp = http
        .post(format!("{base}/_sim/apps/child-1/validate"))
        .send()
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v, json!({"valid": true}));

    let resp = http
        .post(format!("{base}/_sim/faults"))
        .json(&json!({"pathPrefix": "/oauth", "kind": {"type": "status", "status": 500}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let resp = token_response(&sim, "client_credentials", "child-1", SECRET).await;
    assert_eq!(resp.status(), 500);
    let t = token(&sim, "child-1").await;

    let resp = http
        .put(format!("{base}/_sim/contracts/urn:li:contract:7"))
        .json(&json!({"status": "DISABLED"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let q = format!(
        "/exportedCandidates?q=request&requestId={}",
        pushed.request_id
    );
    let (status, _, _) = get_api(&sim, &q, Some(&t)).await;
    assert_eq!(status, 403);

    let resp = http
        .post(format!("{base}/_sim/tokens/expire"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (status, _, _) = get_api(&sim, &q, Some(&t)).await;
    assert_eq!(status, 401);

    let calls: Vec<Call> = http
        .get(format!("{base}/_sim/calls"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        calls.iter().map(|c| c.status).collect::<Vec<_>>(),
        [500, 200, 403, 401]
    );
    let resp = http
        .delete(format!("{base}/_sim/calls"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(sim.calls().is_empty());
    let resp = http
        .delete(format!("{base}/_sim/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    sim.shutdown();
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

#[tokio::test]
async fn inmail_window_bounds_shape_and_errors() {
    let (sim, t) = activity_sim().await;
    sim.add_inmails(vec![
        inmail("at-start", T0, true),
        inmail("inside", T0 + 1, false),
        inmail("last", T0 + HOUR - 1, true),
        inmail("at-end", T0 + HOUR, true),
        inmail("before", T0 - 1, true),
        InMail {
            seat: "urn:li:seat:2".into(),
            ..inmail("other-seat", T0 + 5, true)
        },
    ]);
    assert_eq!(sim.inmail_count(), 6);
    // Re-adding an id replaces it.
    sim.add_inmail(inmail("inside", T0 + 2, false));
    assert_eq!(sim.inmail_count(), 6);

    let (status, _, body) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["at-start", "inside", "last"]);
    assert_eq!(body["paging"], json!({"start": 0, "count": 10, "total": 3}));
    let sent = &body["elements"][0];
    let conv = sent["conversation"].as_str().unwrap().to_string();
    assert_eq!(
        *sent,
        json!({
            "id": "at-start", "conversation": conv, "author": SEAT,
            "recipient": "urn:li:person:ada", "subject": "subject at-start",
            "body": "body at-start", "createdAt": T0,
        }),
        "no direction: the author tells"
    );
    let received = &body["elements"][1];
    assert_eq!(received["author"], "urn:li:person:ada");
    assert_eq!(received["recipient"], SEAT);
    assert!(received.get("direction").is_none());
    assert_eq!(received["createdAt"], T0 + 2);
    assert!(conv.starts_with("urn:li:conversation:"), "{conv}");
    assert_eq!(received["conversation"], conv.as_str(), "same seat and member");

    // Only what LinkedIn documents: no recipient.
    sim.add_inmail(InMail {
        documented_only: true,
        ..inmail("documented", T0 + 10, false)
    });
    let (_, _, body) = get_api(&sim, &inmails_q(T0 + 10, T0 + 11, ""), Some(&t)).await;
    let documented = &body["elements"][0];
    assert_eq!(documented["author"], "urn:li:person:ada");
    assert!(documented.get("recipient").is_none(), "{documented}");
    sim.add_inmail(inmail("documented", T0 + 10, false));

    // An explicit conversation id is served as a URN.
    sim.add_inmail(InMail {
        conversation: Some("77".into()),
        ..inmail("explicit", T0 + 3, true)
    });
    let (_, _, body) = get_api(&sim, &inmails_q(T0 + 3, T0 + 4, ""), Some(&t)).await;
    assert_eq!(
        body["elements"][0]["conversation"],
        "urn:li:conversation:77"
    );

    // Unknown viewer: empty; an unregistered viewer with InMails is served.
    let q = format!(
        "/conversationEvents?q=criteria&viewer=urn:li:seat:2&timeRange.start={T0}&timeRange.end={}",
        T0 + HOUR
    );
    let (status, _, body) = get_api(&sim, &q, Some(&t)).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&body), ["other-seat"]);

    // Errors.
    let no_viewer = format!(
        "/conversationEvents?q=criteria&timeRange.start={T0}&timeRange.end={}",
        T0 + HOUR
    );
    for (q, want) in [
        (no_viewer, 400),
        (
            inmails_q(T0, T0 + HOUR, "").replace("q=criteria", "q=viewer"),
            400,
        ),
        (inmails_q(T0, T0, ""), 400),
        (inmails_q(T0 + 1, T0, ""), 400),
        (
            inmails_q(T0, T0 + HOUR, "").replace(&format!("={T0}&"), "=soon&"),
            400,
        ),
        (format!("/conversationEvents?q=criteria&viewer={SEAT}"), 400),
        (inmails_q(T0, T0 + HOUR, "&count=101"), 400),
        (inmails_q(T0, T0 + HOUR, "&count=100"), 200),
    ] {
        let (status, _, body) = get_api(&sim, &q, Some(&t)).await;
        assert_eq!(status, want, "{q}: {body}");
        if want == 400 {
            assert_eq!(body["status"], 400);
        }
    }
    let (status, _, body) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), None).await;
    assert_eq!(status, 401);
    assert_eq!(body["serviceErrorCode"], CODE_INVALID_TOKEN);
    let (status, _, _) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), Some("bogus")).await;
    assert_eq!(status, 401);

    // Faults and the call log apply.
    sim.clear_calls();
    sim.inject_fault(Fault {
        path_prefix: "/v2/conversationEvents".into(),
        kind: FaultKind::Status {
            status: 429,
            retry_after_secs: Some(1),
        },
        times: 1,
        query: Default::default(),
    });
    let (status, headers, _) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), Some(&t)).await;
    assert_eq!(status, 429);
    assert_eq!(headers[header::RETRY_AFTER], "1");
    let (status, _, _) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), Some(&t)).await;
    assert_eq!(status, 200);
    let calls = sim.calls();
    assert_eq!(
        calls.iter().map(|c| c.status).collect::<Vec<_>>(),
        [429, 200]
    );
    assert_eq!(calls[1].path, "/v2/conversationEvents");
    assert_eq!(calls[1].client_id.as_deref(), Some("child-1"));
    sim.shutdown();
}

#[tokio::test]
async fn inmail_paging_is_stable() {
    let (sim, t) = activity_sim().await;
    // 25 InMails, with ties on createdAt broken by id.
    sim.add_inmails(
        (0..25)
            .rev()
            .map(|i| inmail(&format!("m{i:02}"), T0 + (i / 2) * 1000, i % 2 == 0))
            .collect(),
    );
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    for page in 0..3 {
        let start = page * 10;
        let (status, _, body) = get_api(
            &sim,
            &inmails_q(T0, T0 + HOUR, &format!("&start={start}&count=10")),
            Some(&t),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            body["paging"],
            json!({"start": start, "count": 10, "total": 25})
        );
        sizes.push(body["elements"].as_array().unwrap().len());
        seen.extend(ids(&body));
    }
    assert_eq!(sizes, [10, 10, 5]);
    let want: Vec<String> = (0..25).map(|i| format!("m{i:02}")).collect();
    assert_eq!(seen, want);
    sim.shutdown();
}

#[tokio::test]
async fn many_inmails_page_through() {
    let (sim, t) = activity_sim().await;
    let n = 12_000;
    sim.add_inmails(
        (0..n)
            .map(|i| inmail(&format!("bulk-{i:05}"), T0 + i * 3_000, i % 2 == 0))
            .collect(),
    );
    assert_eq!(sim.inmail_count(), 12_000);
    let mut total = 0;
    let mut last = None;
    let mut start = 0;
    loop {
        let (status, _, body) = get_api(
            &sim,
            &inmails_q(T0, T0 + 12 * HOUR, &format!("&start={start}&count=100")),
            Some(&t),
        )
        .await;
        assert_eq!(status, 200);
        let got = body["elements"].as_array().unwrap();
        for e in got {
            let at = e["createdAt"].as_i64().unwrap();
            assert!(last.is_none_or(|l| l < at));
            last = Some(at);
        }
        total += got.len();
        start += 100;
        if got.len() < 100 {
            break;
        }
    }
    // 12 h / 3 s = 14,400 slots: all 12,000 fit in the window.
    assert_eq!(total, 12_000);
    sim.shutdown();
}

#[tokio::test]
async fn note_bounds_edits_and_deletes() {
    let (sim, t) = activity_sim().await;
    sim.upsert_note(note(1, "at cutoff", T0));
    sim.upsert_note(note(2, "inside", T0 + 1));
    sim.upsert_note(note(3, "at before", T0 + HOUR));
    sim.upsert_note(note(4, "after", T0 + HOUR + 1));
    sim.upsert_note(Note {
        owner: "urn:li:seat:2".into(),
        ..note(5, "other owner", T0 + 10)
    });
    sim.upsert_note(Note {
        contract: "urn:li:contract:8".into(),
        ..note(6, "other contract", T0 + 10)
    });

    let (status, _, body) = get_api(&sim, &notes_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["2", "3"]);
    let e = &body["elements"][0];
    assert_eq!(
        *e,
        json!({
            "id": 2, "contract": CONTRACT, "owner": SEAT, "member": "urn:li:person:ada",
            "note": "inside", "visibility": "PUBLIC", "active": true,
            "created": T0 + 1, "lastModified": T0 + 1,
        })
    );

    // Several owners: the parameter repeated (Rest.li 1.0). A comma list or 2.0's List(..)
    // is refused rather than misread.
    let both = format!(
        "/prospectNotes?q=criteria&contract={CONTRACT}&owners={SEAT}&owners=urn:li:seat:2&cutoffDate={T0}&beforeDate={}",
        T0 + HOUR
    );
    let (status, _, body) = get_api(&sim, &both, Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["2", "5", "3"]);
    assert_eq!(body["paging"]["total"], 3);
    for owners in [
        format!("List({SEAT},urn:li:seat:2)"),
        format!("{SEAT},urn:li:seat:2"),
    ] {
        let q = format!(
            "/prospectNotes?q=criteria&contract={CONTRACT}&owners={owners}&cutoffDate={T0}&beforeDate={}",
            T0 + HOUR
        );
        let (status, _, body) = get_api(&sim, &q, Some(&t)).await;
        assert_eq!(status, 400, "{owners}: {body}");
    }

    // An edit moves the note to a later window with the new text.
    assert!(sim.edit_note(2, "edited", T0 + 2 * HOUR));
    assert!(!sim.edit_note(99, "nope", T0));
    let (_, _, body) = get_api(&sim, &notes_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(ids(&body), ["3"]);
    let (_, _, body) = get_api(&sim, &notes_q(T0 + HOUR, T0 + 3 * HOUR), Some(&t)).await;
    assert_eq!(ids(&body), ["4", "2"]);
    assert_eq!(body["elements"][1]["note"], "edited");
    assert_eq!(body["elements"][1]["created"], T0 + 1);
    assert_eq!(body["elements"][1]["lastModified"], T0 + 2 * HOUR);

    // A deleted note comes back inactive in the window of its deletion.
    assert!(sim.delete_note(3, T0 + 4 * HOUR));
    assert!(!sim.delete_note(99, T0));
    let (_, _, body) = get_api(&sim, &notes_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(ids(&body), Vec::<String>::new());
    let (_, _, body) = get_api(&sim, &notes_q(T0 + 3 * HOUR, T0 + 5 * HOUR), Some(&t)).await;
    assert_eq!(ids(&body), ["3"]);
    assert_eq!(body["elements"][0]["active"], false);
    assert_eq!(body["elements"][0]["lastModified"], T0 + 4 * HOUR);
    assert_eq!(body["elements"][0]["note"], "at before");
    assert!(!sim.note(3).unwrap().active);

    // Upsert replaces by id.
    sim.upsert_note(note(3, "restored", T0 + 30));
    let (_, _, body) = get_api(&sim, &notes_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(ids(&body), ["3"]);
    assert_eq!(body["elements"][0]["active"], true);

    // Required parameters.
    for q in [
        format!(
            "/prospectNotes?q=criteria&owners={SEAT}&cutoffDate={T0}&beforeDate={}",
            T0 + 1
        ),
        format!(
            "/prospectNotes?q=criteria&contract={CONTRACT}&cutoffDate={T0}&beforeDate={}",
            T0 + 1
        ),
        format!("/prospectNotes?q=criteria&contract={CONTRACT}&owners={SEAT}&cutoffDate={T0}"),
        notes_q(T0, T0 + 1).replace("q=criteria", "q=owner"),
    ] {
        let (status, _, _) = get_api(&sim, &q, Some(&t)).await;
        assert_eq!(status, 400, "{q}");
    }
    let (status, _, _) = get_api(&sim, &notes_q(T0, T0 + 1), None).await;
    assert_eq!(status, 401);
    sim.shutdown();
}

#[tokio::test]
async fn stubs_bounds_and_email_shapes() {
    let (sim, t) = activity_sim().await;
    sim.add_stub(stub(
        "s-array",
        json!(["old@example.org", "ada@example.org"]),
        T0,
    ));
    sim.add_stub(Stub {
        headline: None,
        phone_numbers: vec![],
        ..stub("s-string", json!("ada@example.org"), T0 + HOUR - 1)
    });
    sim.add_stub(stub("s-end", json!("late@example.org"), T0 + HOUR));
    let (status, _, body) = get_api(&sim, &stubs_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["s-array", "s-string"]);
    assert_eq!(
        body["elements"][0],
        json!({
            "id": "s-array", "member": "urn:li:person:ada", "owner": SEAT,
            "firstName": "Ada", "lastName": "Lovelace",
            "emailAddress": ["old@example.org", "ada@example.org"],
            "phoneNumbers": [{"number": "+44 1"}, {"number": "+44 2", "extension": "12"}],
            "headline": "Mathematician", "created": T0,
        })
    );
    assert_eq!(body["elements"][1]["emailAddress"], "ada@example.org");
    assert_eq!(body["elements"][1]["phoneNumbers"], json!([]));

    // Owners are required, and another owner sees nothing.
    let no_owner = format!(
        "/mailStubs?q=contract&contract={CONTRACT}&createdDateStart={T0}&createdDateEnd={}",
        T0 + 1
    );
    let (status, _, _) = get_api(&sim, &no_owner, Some(&t)).await;
    assert_eq!(status, 400);
    let (_, _, body) = get_api(
        &sim,
        &stubs_q(T0, T0 + HOUR).replace(SEAT, "urn:li:seat:3"),
        Some(&t),
    )
    .await;
    assert_eq!(body["elements"], json!([]));
    sim.shutdown();
}

#[tokio::test]
async fn windows_longer_than_12_hours_are_rejected() {
    let (sim, t) = activity_sim().await;
    let twelve = 12 * HOUR;
    for (ok, too_long) in [
        (
            inmails_q(T0, T0 + twelve, ""),
            inmails_q(T0, T0 + twelve + 1, ""),
        ),
        (notes_q(T0, T0 + twelve), notes_q(T0, T0 + twelve + 1)),
        (stubs_q(T0, T0 + twelve), stubs_q(T0, T0 + twelve + 1)),
    ] {
        let (status, _, _) = get_api(&sim, &ok, Some(&t)).await;
        assert_eq!(status, 200, "{ok}");
        let (status, _, body) = get_api(&sim, &too_long, Some(&t)).await;
        assert_eq!(status, 400, "{too_long}");
        assert_eq!(body["status"], 400);
        assert!(body["message"].as_str().unwrap().contains("12 hours"));
    }
    sim.shutdown();
}

#[tokio::test]
async fn inactive_contract_is_403_on_every_activity_call() {
    let (sim, t) = activity_sim().await;
    sim.add_inmail(inmail("m", T0, true));
    let seats_q = format!("/seatsV2?q=attributes&contracts={CONTRACT}&start=0");
    let all = [
        inmails_q(T0, T0 + HOUR, ""),
        notes_q(T0, T0 + HOUR),
        stubs_q(T0, T0 + HOUR),
        seats_q,
    ];
    for state in [ContractState::Expired, ContractState::Disabled] {
        sim.set_contract_status(CONTRACT, state);
        for q in &all {
            let (status, _, body) = get_api(&sim, q, Some(&t)).await;
            assert_eq!(status, 403, "{q}");
            assert_eq!(body["status"], 403);
            assert_eq!(body["serviceErrorCode"], 100);
        }
    }
    sim.set_contract_status(CONTRACT, ContractState::Active);
    for q in &all {
        let (status, _, _) = get_api(&sim, q, Some(&t)).await;
        assert_eq!(status, 200, "{q}");
    }
    // Another contract's expiry does not touch this seat.
    sim.set_contract_status("urn:li:contract:8", ContractState::Expired);
    let (status, _, _) = get_api(&sim, &all[0], Some(&t)).await;
    assert_eq!(status, 200);
    sim.shutdown();
}

#[tokio::test]
async fn seats_v2_needs_start_and_filters_states() {
    let (sim, t) = activity_sim().await;
    sim.add_seat(Seat {
        email: Some("r10@acme.example".into()),
        ..seat("10", CONTRACT, "ACTIVE")
    });
    sim.add_seat(seat("2", CONTRACT, "INACTIVE"));
    sim.add_seat(seat("urn:li:seat:3", CONTRACT, "PARKED"));
    sim.add_seat(seat("4", "urn:li:contract:8", "ACTIVE"));

    let (status, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={CONTRACT}&states=ACTIVE"),
        Some(&t),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("start"));

    let (status, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={CONTRACT}&states=ACTIVE&start=0&count=50"),
        Some(&t),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["1", "10"]);
    assert_eq!(body["paging"], json!({"start": 0, "count": 50, "total": 2}));
    assert_eq!(
        body["elements"][1],
        json!({
            "id": "10", "contract": CONTRACT, "member": "urn:li:person:rec-10",
            "firstName": "Rita", "lastName": "Recruiter 10", "state": "ACTIVE",
            "seatRoles": ["RECRUITER"], "email": "r10@acme.example",
        })
    );
    assert!(body["elements"][0].get("email").is_none());

    let (_, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={CONTRACT}&states=ACTIVE&states=PARKED&start=0"),
        Some(&t),
    )
    .await;
    assert_eq!(ids(&body), ["1", "3", "10"]);
    let (_, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={CONTRACT}&start=1&count=2"),
        Some(&t),
    )
    .await;
    assert_eq!(ids(&body), ["2", "3"]);

    for q in [
        "/seatsV2?q=attributes&start=0".to_string(),
        format!("/seatsV2?q=other&contracts={CONTRACT}&start=0"),
        format!("/seatsV2?q=attributes&contracts={CONTRACT}&start=0&count=101"),
        format!("/seatsV2?q=attributes&contracts={CONTRACT}&states=ACTIVE,PARKED&start=0"),
        format!("/seatsV2?q=attributes&contracts=List({CONTRACT})&start=0"),
    ] {
        let (status, _, _) = get_api(&sim, &q, Some(&t)).await;
        assert_eq!(status, 400, "{q}");
    }
    sim.shutdown();
}

#[tokio::test]
async fn generate_activity_is_deterministic() {
    let (sim, t) = activity_sim().await;
    let contract = "urn:li:contract:500";
    let from = T0;
    let to = T0 + 10 * HOUR;
    let seats = sim.generate_activity(contract, 1000, 3, 100, 7, from, to);
    assert_eq!(
        seats,
        ["urn:li:seat:1000", "urn:li:seat:1001", "urn:li:seat:1002"]
    );
    assert_eq!(sim.inmail_count(), 300);
    // The same inputs give the same ids: nothing is duplicated.
    assert_eq!(
        sim.generate_activity(contract, 1000, 3, 100, 7, from, to),
        seats
    );
    assert_eq!(sim.inmail_count(), 300);

    let q = format!(
        "/conversationEvents?q=criteria&viewer=urn:li:seat:1001&timeRange.start={from}&timeRange.end={to}&count=100"
    );
    let (status, _, body) = get_api(&sim, &q, Some(&t)).await;
    assert_eq!(status, 200);
    let elements = body["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 100);
    let ids: HashSet<&str> = elements.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 100);
    let sent = |e: &Value| e["author"] == "urn:li:seat:1001";
    let members: HashSet<String> = elements
        .iter()
        .map(|e| {
            e[if sent(e) { "recipient" } else { "author" }]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(members.len(), 7);
    assert!(members.iter().all(|m| m.starts_with("urn:li:person:gen-")));
    assert!(
        elements
            .iter()
            .enumerate()
            .all(|(i, e)| sent(e) == (i % 2 == 0))
    );
    let times: Vec<i64> = elements
        .iter()
        .map(|e| e["createdAt"].as_i64().unwrap())
        .collect();
    assert_eq!(times[0], from);
    assert!(*times.last().unwrap() < to);
    assert!(times.windows(2).all(|w| w[0] < w[1]), "spread evenly");

    let (_, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={contract}&start=0"),
        Some(&t),
    )
    .await;
    assert_eq!(body["elements"].as_array().unwrap().len(), 3);

    // A different window gives new ids.
    sim.generate_activity(contract, 1000, 1, 10, 7, to, to + HOUR);
    assert_eq!(sim.inmail_count(), 310);
    sim.shutdown();
}

#[tokio::test]
async fn activity_control_routes() {
    let (sim, t) = activity_sim().await;
    let http = reqwest::Client::new();
    let base = sim.base_url();
    let send = |req: reqwest::RequestBuilder| async move { req.send().await.unwrap() };

    let resp = send(http.post(format!("{base}/_sim/seats")).json(&json!({
        "id": "20", "contract": CONTRACT, "member": "urn:li:person:r20",
        "firstName": "R", "lastName": "Twenty"
    })))
    .await;
    assert_eq!(resp.status(), 204);
    let resp = send(
        http.post(format!("{base}/_sim/inmails"))
            .json(&vec![inmail("a", T0, true), inmail("b", T0 + 1, false)]),
    )
    .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(sim.inmail_count(), 2);
    let resp = send(
        http.put(format!("{base}/_sim/notes"))
            .json(&note(9, "hello", T0)),
    )
    .await;
    assert_eq!(resp.status(), 204);
    let resp = send(
        http.post(format!("{base}/_sim/notes/9/edit"))
            .json(&json!({"text": "edited", "atMs": T0 + 5})),
    )
    .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(sim.note(9).unwrap().note, "edited");
    let resp = send(
        http.post(format!("{base}/_sim/notes/9/delete"))
            .json(&json!({"atMs": T0 + 6})),
    )
    .await;
    assert_eq!(resp.status(), 204);
    let n = sim.note(9).unwrap();
    assert!(!n.active);
    assert_eq!(n.last_modified, T0 + 6);
    let resp = send(
        http.post(format!("{base}/_sim/notes/404/delete"))
            .json(&json!({"atMs": T0})),
    )
    .await;
    assert_eq!(resp.status(), 404);
    let resp = send(http.post(format!("{base}/_sim/stubs")).json(&stub(
        "s",
        json!(["x@example.org"]),
        T0,
    )))
    .await;
    assert_eq!(resp.status(), 204);
    let resp = send(http.post(format!("{base}/_sim/generate")).json(&json!({
        "contract": "urn:li:contract:9", "baseSeat": 50, "seats": 2, "inmailsPerSeat": 5,
        "members": 3, "fromMs": T0, "toMs": T0 + HOUR
    })))
    .await;
    assert_eq!(resp.status(), 200);
    let urns: Vec<String> = resp.json().await.unwrap();
    assert_eq!(urns, ["urn:li:seat:50", "urn:li:seat:51"]);
    assert_eq!(sim.inmail_count(), 12);

    let (_, _, body) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), Some(&t)).await;
    assert_eq!(ids(&body), ["a", "b"]);
    let (_, _, body) = get_api(&sim, &stubs_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(
        body["elements"][0]["emailAddress"],
        json!(["x@example.org"])
    );
    let (_, _, body) = get_api(&sim, &notes_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(body["elements"][0]["active"], false);
    let (_, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={CONTRACT}&start=0"),
        Some(&t),
    )
    .await;
    assert_eq!(ids(&body), ["1", "20"]);
    assert_eq!(body["elements"][1]["state"], "ACTIVE");
    sim.shutdown();
}

#[test]
fn activity_serde_shapes() {
    let n: Note = serde_json::from_value(json!({
        "id": 1, "contract": CONTRACT, "owner": SEAT, "member": "urn:li:person:x",
        "note": "n", "created": 1, "lastModified": 2
    }))
    .unwrap();
    assert!(n.active);
    let s = serde_json::to_value(stub("s", json!("a@b.c"), 5)).unwrap();
    assert_eq!(s["emailAddress"], "a@b.c");
    assert_eq!(s["phoneNumbers"][1]["extension"], "12");
    let m = serde_json::to_value(inmail("i", 3, true)).unwrap();
    assert_eq!(m["createdAt"], 3);
    assert_eq!(
        serde_json::from_value::<InMail>(m).unwrap(),
        inmail("i", 3, true)
    );
}
