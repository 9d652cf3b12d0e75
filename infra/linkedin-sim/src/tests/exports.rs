//! Exports and push notifications.

use super::*;

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
    assert_eq!(
        e["requester"],
        json!({"seat": "urn:li:seat:9"}),
        "holder unknown"
    );
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
