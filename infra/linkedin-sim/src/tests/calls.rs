//! Tokens, faults, the call log and the control routes.

use super::*;

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
