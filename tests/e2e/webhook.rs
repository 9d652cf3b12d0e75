//! The webhook's answers to LinkedIn and to everyone else. A rejected request changes nothing:
//! each rejection test compares the table and the queue before and after.

use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::json;
use sha2::Sha256;

use crate::harness::*;

fn notification(id: &str) -> Vec<u8> {
    json!({"notificationId": id, "type": "EXPORT_CANDIDATE_PROFILE", "requestId": format!("r-{id}"),
           "integrationContext": ORGANIZATION, "occurredAt": 1_700_000_000_000i64})
    .to_string()
    .into_bytes()
}

/// Asserts that nothing was written or enqueued and LinkedIn was not called.
async fn assert_untouched(w: &World, before: &Snapshot) {
    w.settle().await;
    assert_eq!(&w.snapshot().await, before, "the table changed");
    assert_eq!(
        w.queue("ExportsQueue").await,
        (0, 0),
        "something was enqueued"
    );
    assert_eq!(w.linkedin_calls("/exportedCandidates"), 0);
}

#[tokio::test]
async fn challenge_is_answered_with_the_customers_secret() {
    let w = World::with_customer().await;
    let (status, body) = w
        .api(
            "GET",
            &format!("/linkedin/{TENANT}/events?challengeCode=abc-123&applicationId={CLIENT_ID}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut mac = Hmac::<Sha256>::new_from_slice(CLIENT_SECRET.as_bytes()).unwrap();
    mac.update(b"abc-123");
    assert_eq!(
        body,
        json!({"challengeCode": "abc-123", "challengeResponse": hex::encode(mac.finalize().into_bytes())})
    );
    // And the simulator, playing LinkedIn, accepts the endpoint.
    assert!(w.sim.validate_callback(CLIENT_ID).await.unwrap());

    let (status, body) = w
        .api("GET", &format!("/linkedin/{TENANT}/events"), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "missing_challenge");
}

#[tokio::test]
async fn unknown_tenant_is_404_and_changes_nothing() {
    let w = World::with_customer().await;
    let before = w.snapshot().await;
    let body = notification("n-1");
    for tenant in ["nobody", "x%20y", "a%23b", "%2E%2E%2Fetc"] {
        let (status, answer) = w
            .post_notification(tenant, &body, Some(CLIENT_SECRET))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{tenant}: {answer}");
        assert_eq!(answer["error"], "unknown_tenant");
    }
    let (status, _) = w
        .api("GET", "/linkedin/nobody/events?challengeCode=x", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_untouched(&w, &before).await;
}

#[tokio::test]
async fn bad_signatures_are_401_and_change_nothing() {
    let w = World::with_customer().await;
    let before = w.snapshot().await;
    let body = notification("n-1");
    let good = sign(CLIENT_SECRET, &body);
    let cases: Vec<(&str, Option<String>)> = vec![
        ("missing", None),
        ("wrong secret", Some(sign("not the secret", &body))),
        ("truncated", Some(good[..32].to_owned())),
        ("not hex", Some("z".repeat(64))),
        (
            "other body",
            Some(sign(CLIENT_SECRET, &notification("n-2"))),
        ),
    ];
    for (what, signature) in cases {
        let mut req = w
            .http
            .post(w.webhook_url(TENANT))
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(s) = signature {
            req = req.header("X-LI-Signature", s);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{what}");
        let answer: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(answer["error"], "bad_signature", "{what}");
    }
    assert_untouched(&w, &before).await;
}

#[tokio::test]
async fn malformed_and_oversized_bodies_are_refused_and_change_nothing() {
    let w = World::with_customer().await;
    let before = w.snapshot().await;
    let cases: Vec<(Vec<u8>, StatusCode)> = vec![
        (b"{not json".to_vec(), StatusCode::BAD_REQUEST),
        (br#"{"type":"EXPORT_CANDIDATE_PROFILE","requestId":"r"}"#.to_vec(), StatusCode::BAD_REQUEST),
        (br#"{"notificationId":"n","type":"NEW_THING","requestId":"r"}"#.to_vec(), StatusCode::BAD_REQUEST),
        (br#"{"notificationId":5,"type":"EXPORT_CANDIDATE_PROFILE","requestId":"r"}"#.to_vec(), StatusCode::BAD_REQUEST),
        (format!(r#"{{"notificationId":"n","type":"EXPORT_CANDIDATE_PROFILE","requestId":"r","pad":"{}"}}"#, "x".repeat(64 * 1024)).into_bytes(), StatusCode::PAYLOAD_TOO_LARGE),
    ];
    for (body, expected) in cases {
        // Correctly signed: the content is what is wrong.
        let (status, answer) = w
            .post_notification(TENANT, &body, Some(CLIENT_SECRET))
            .await;
        assert_eq!(status, expected, "{answer}");
        assert!(
            answer["message"].as_str().is_some_and(|m| !m.is_empty()),
            "errors say what is wrong"
        );
    }
    assert_untouched(&w, &before).await;
}

#[tokio::test]
async fn a_binary_body_that_api_gateway_base64_encodes_still_verifies() {
    let w = World::with_customer().await;
    let body = notification("n-bin");
    // A non-JSON content type makes the gateway hand the body over base64-encoded.
    let resp = w
        .http
        .post(w.webhook_url(TENANT))
        .header("content-type", "application/octet-stream")
        .header("X-LI-Signature", sign(CLIENT_SECRET, &body))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    // Sanity: the gateway really did encode it (same bytes, base64).
    assert!(
        base64::engine::general_purpose::STANDARD
            .encode(&body)
            .len()
            > body.len()
    );
    let (visible, in_flight) = w.queue("ExportsQueue").await;
    assert!(visible + in_flight <= 1);
}

/// A rotated client secret: LinkedIn may sign with the old one for a while, so both verify for
/// the rotation window (24 h), then only the new one. Neither ever appears in an answer or the
/// table.
#[tokio::test]
async fn a_rotated_secret_verifies_old_and_new_signatures_during_the_window() {
    let clock = hour_clock();
    let w = World::with_customer_and(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    const NEW_SECRET: &str = "n3w/secret+=rotated";
    let (s, tenant) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}"),
            Some(json!({
                "name": "Acme", "organization": ORGANIZATION,
                "linkedin": {"clientId": CLIENT_ID, "clientSecret": NEW_SECRET}
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let shown = tenant.to_string();
    assert!(
        !shown.contains(NEW_SECRET) && !shown.contains(CLIENT_SECRET),
        "{shown}"
    );

    let post = |id: &str, secret: &'static str| {
        let body = notification(id);
        let w = &w;
        async move { w.post_notification(TENANT, &body, Some(secret)).await.0 }
    };
    assert_eq!(post("rot-1", NEW_SECRET).await, StatusCode::ACCEPTED);
    assert_eq!(
        post("rot-2", CLIENT_SECRET).await,
        StatusCode::ACCEPTED,
        "old one, in the window"
    );
    assert_eq!(
        post("rot-3", "someone-else").await,
        StatusCode::UNAUTHORIZED
    );
    // The challenge is answered with the new secret.
    let (_, answer) = w
        .api_as(
            None,
            "GET",
            &format!("/linkedin/{TENANT}/events?challengeCode=c1"),
            None,
        )
        .await;
    let mut mac = Hmac::<Sha256>::new_from_slice(NEW_SECRET.as_bytes()).unwrap();
    mac.update(b"c1");
    assert_eq!(
        answer["challengeResponse"],
        hex::encode(mac.finalize().into_bytes())
    );

    // A day later the old secret no longer verifies; the new one does.
    clock.advance(25 * HOUR);
    assert_eq!(post("rot-4", CLIENT_SECRET).await, StatusCode::UNAUTHORIZED);
    assert_eq!(post("rot-5", NEW_SECRET).await, StatusCode::ACCEPTED);

    let snapshot = w.snapshot().await;
    let flat = format!("{snapshot:?}");
    assert!(
        !flat.contains(NEW_SECRET) && !flat.contains(CLIENT_SECRET),
        "secret in the table"
    );
}

/// Onboarding: the admin registers the tenant's callback URL with LinkedIn, LinkedIn checks it
/// with its challenge, and the API checks it once more end to end.
#[tokio::test]
async fn registering_the_callback_url_validates_it_both_ways() {
    let w = World::with_customer().await;
    // LinkedIn does not know the callback yet.
    let mut app = w.sim.app(CLIENT_ID).unwrap();
    app.callback_url = None;
    w.sim.register_app(app);

    let register = format!("/tenants/{TENANT}/linkedin/register");
    let (s, v) = w.api("POST", &register, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["callbackUrl"], w.webhook_url(TENANT));
    assert_eq!(v["linkedinValidated"], true);
    assert!(v["roundTripMs"].as_u64().unwrap() < 3_000);
    assert_eq!(
        w.sim.app(CLIENT_ID).unwrap().callback_url.as_deref(),
        Some(w.webhook_url(TENANT).as_str())
    );
    assert!(w.sim.validate_callback(CLIENT_ID).await.unwrap());

    // A secret LinkedIn does not know: LinkedIn's challenge fails, and the admin is told why.
    let (s, _) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}"),
            Some(json!({"name": "Acme", "organization": ORGANIZATION,
                        "linkedin": {"clientId": CLIENT_ID, "clientSecret": "not-linkedins"}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = w.api("POST", &register, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // LinkedIn refuses it, or (while the webhook still holds the old secret in its cache)
    // our own challenge catches it.
    assert!(
        v["error"] == "callback_rejected" || v["error"] == "challenge_failed",
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("ecret"), "{v}");
}
