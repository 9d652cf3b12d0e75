use super::*;

use axum::extract::Query;
use axum::routing::get;

const SECRET: &str = "s3cr/t+=x y";
const ORG: &str = "urn:li:organization:42";

async fn start() -> Sim {
    Sim::start("127.0.0.1:0".parse().unwrap(), SimConfig::default())
        .await
        .unwrap()
}

fn app(client_id: &str, callback_url: Option<String>) -> App {
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

async fn token(sim: &Sim, client_id: &str) -> String {
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
fn urlencoded_decoding() {
    let m = parse_urlencoded(b"a=1&client_secret=s3cr%2Ft%2B%3Dx+y&b&c=%zz&d=%4");
    assert_eq!(m["a"], "1");
    assert_eq!(m["client_secret"], "s3cr/t+=x y");
    assert_eq!(m["b"], "");
    assert_eq!(m["c"], "%zz");
    assert_eq!(m["d"], "%4");
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
    assert_eq!(e["atsJobPostingId"], "JOB-1");
    assert!(e["exportedAt"].as_i64().unwrap() > 0);
    assert_eq!(body["paging"], json!({"start": 0, "count": 10}));

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
    let (status, _, body) = get_api(&sim, "/seatsV2?q=attributes", Some(&t)).await;
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
