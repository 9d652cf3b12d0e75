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

const CODE: &str = "6c1f0a52-3b7d-4e9a-9c41-2f5e8d7b0a13";

#[tokio::test]
async fn challenge_is_answered_with_the_customers_secret() {
    let w = World::with_customer().await;
    let (status, body) = w
        .api(
            "GET",
            &format!("/linkedin/{TENANT}/events?challengeCode={CODE}&applicationId={CLIENT_ID}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut mac = Hmac::<Sha256>::new_from_slice(CLIENT_SECRET.as_bytes()).unwrap();
    mac.update(CODE.as_bytes());
    assert_eq!(
        body,
        json!({"challengeCode": CODE, "challengeResponse": hex::encode(mac.finalize().into_bytes())})
    );
    // And the simulator, playing LinkedIn, accepts the endpoint.
    assert!(w.sim.validate_callback(CLIENT_ID).await.unwrap());

    let (status, body) = w
        .api("GET", &format!("/linkedin/{TENANT}/events"), None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "missing_challenge");
}

/// The challenge signs with the key notifications are signed with, so it signs nothing but a
/// type-4 UUID: asked for `"hmacsha256=" + body`, it would hand out a valid `X-LI-Signature`.
#[tokio::test]
async fn the_challenge_signs_nothing_but_a_uuid() {
    let w = World::with_customer().await;
    let before = w.snapshot().await;
    let body = notification("n-forged");
    let forged_code = format!("hmacsha256={}", String::from_utf8(body.clone()).unwrap());
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    for code in [
        forged_code.as_str(),
        "abc-123",
        "6c1f0a52-3b7d-1e9a-9c41-2f5e8d7b0a13",
        "6c1f0a523b7d4e9a9c412f5e8d7b0a13",
    ] {
        let (status, answer) = w
            .api_as(
                None,
                "GET",
                &format!("/linkedin/{TENANT}/events?challengeCode={}", encode(code)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{code}: {answer}");
        assert_eq!(answer["error"], "bad_challenge");
        assert!(answer.get("challengeResponse").is_none(), "nothing signed");
    }
    // Had the oracle answered, this is the signature it would have produced; it verifies
    // nothing because it was never handed out, and a notification signed without the secret
    // is refused.
    let (status, _) = w.post_notification(TENANT, &body, Some("guess")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_untouched(&w, &before).await;
}

/// A stranger cannot tell registered tenants from others by posting notifications: both get
/// the same 401, word for word.
#[tokio::test]
async fn unknown_and_known_tenants_answer_a_bad_signature_alike() {
    let w = World::with_customer().await;
    let before = w.snapshot().await;
    let body = notification("n-1");
    for signature in [None, Some("not the secret"), Some(CLIENT_SECRET)] {
        let (known_status, known) = match signature {
            Some(CLIENT_SECRET) => {
                // A correct signature for the known tenant is the one case that differs; the
                // unknown tenant's answer is compared with a wrong one instead.
                w.post_notification(TENANT, &body, Some("not the secret"))
                    .await
            }
            other => w.post_notification(TENANT, &body, other).await,
        };
        assert_eq!(known_status, StatusCode::UNAUTHORIZED);
        for tenant in ["nobody", "x%20y", "a%23b", "%2E%2E%2Fetc"] {
            let (status, answer) = w.post_notification(tenant, &body, signature).await;
            assert_eq!(status, known_status, "{tenant}: {answer}");
            assert_eq!(answer, known, "{tenant}");
        }
    }
    // The challenge for an unknown tenant says so (LinkedIn needs a registered tenant's
    // challenge to succeed, so that one cannot be hidden); it is still checked first.
    let (status, _) = w
        .api(
            "GET",
            &format!("/linkedin/nobody/events?challengeCode={CODE}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_untouched(&w, &before).await;
}

/// A stranger repeating a made-up tenant id costs one table read per container, not one per
/// request.
#[tokio::test]
async fn an_unknown_tenant_costs_a_table_read_once() {
    let w = World::with_customer().await;
    let counter = local_stack::counting::CountRequests::default();
    let clients = counter.clients(&local_stack::local_sdk_config(moto()).await);
    let env = shared::config::Env::from_map(w.stack.environments["export-webhook"].clone());
    let webhook = export_webhook::ExportWebhook::new(
        &clients,
        export_webhook::Config::from_env(&env).unwrap(),
        shared::clock::system(),
    );
    let body = String::from_utf8(notification("n-stranger")).unwrap();
    let request = || {
        serde_json::from_value(json!({
            "version": "2.0", "routeKey": "POST /linkedin/{tenantId}/events",
            "rawPath": "/linkedin/stranger/events",
            "headers": {"content-type": "application/json", "x-li-signature": "00".repeat(32)},
            "pathParameters": {"tenantId": "stranger"},
            "requestContext": {"http": {"method": "POST", "path": "/linkedin/stranger/events"}},
            "body": body, "isBase64Encoded": false,
        }))
        .unwrap()
    };
    for _ in 0..5 {
        assert_eq!(webhook.handle(request()).await.status_code, 401);
    }
    let counts = counter.take();
    assert_eq!(counts.get("GetItem").copied(), Some(1), "{counts:?}");
    assert_eq!(counts.len(), 1, "nothing but the one read: {counts:?}");
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
            &format!("/linkedin/{TENANT}/events?challengeCode={CODE}"),
            None,
        )
        .await;
    let mut mac = Hmac::<Sha256>::new_from_slice(NEW_SECRET.as_bytes()).unwrap();
    mac.update(CODE.as_bytes());
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
    // Registered, then read back, as the collection verifies it.
    let configuration_calls: Vec<String> = w
        .sim
        .calls()
        .into_iter()
        .filter(|c| c.path.ends_with("/configurations"))
        .map(|c| c.method)
        .collect();
    assert_eq!(configuration_calls, ["GET", "PUT", "GET"]);

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

/// Only this deployment's own webhook route for the tenant can be registered: a URL elsewhere (a
/// relay that forwards the challenge) would receive the tenant's signed notifications.
#[tokio::test]
async fn only_the_deployments_own_callback_url_can_be_registered() {
    let w = World::with_customer().await;
    let before = w.sim.app(CLIENT_ID).unwrap().callback_url;
    let calls = w.sim.calls().len();
    let register = format!("/tenants/{TENANT}/linkedin/register");
    for foreign in [
        "https://relay.example/forward".to_owned(),
        w.webhook_url("someone-else"),
        format!("{}?x=1", w.webhook_url(TENANT)),
    ] {
        let (s, v) = w
            .api("POST", &register, Some(json!({"callbackUrl": foreign})))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{foreign}: {v}");
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .contains(&w.webhook_url(TENANT)),
            "{v}"
        );
    }
    assert_eq!(w.sim.calls().len(), calls, "LinkedIn was not asked");
    assert_eq!(w.sim.app(CLIENT_ID).unwrap().callback_url, before);
    // Naming its own URL is the same as naming none.
    let (s, v) = w
        .api(
            "POST",
            &register,
            Some(json!({"callbackUrl": w.webhook_url(TENANT)})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// A registration that fails its checks puts LinkedIn's previous setting back (here: none), so
/// LinkedIn is never left pointing at a URL that did not pass.
#[tokio::test]
async fn a_failed_registration_puts_linkedins_previous_setting_back() {
    let w = World::with_customer().await;
    let mut app = w.sim.app(CLIENT_ID).unwrap();
    app.callback_url = None;
    w.sim.register_app(app);
    let (s, _) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}"),
            Some(json!({"name": "Acme", "organization": ORGANIZATION,
                        "linkedin": {"clientId": CLIENT_ID, "clientSecret": "not-linkedins"}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    w.sim.clear_calls();
    let (s, v) = w
        .api(
            "POST",
            &format!("/tenants/{TENANT}/linkedin/register"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["message"].as_str().unwrap().contains("put back"), "{v}");
    assert_eq!(w.sim.app(CLIENT_ID).unwrap().callback_url, None);
    let configuration_calls: Vec<String> = w
        .sim
        .calls()
        .into_iter()
        .filter(|c| c.path.ends_with("/configurations"))
        .map(|c| c.method)
        .collect();
    assert_eq!(configuration_calls, ["GET", "PUT", "DELETE"]);
}

/// Our own challenge follows no redirect: a callback that answers 3xx fails the check (following
/// it would let a registration probe addresses the caller cannot reach).
#[tokio::test]
async fn the_callback_check_follows_no_redirect() {
    let w = World::with_customer().await;
    let target = w.webhook_url(TENANT);
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let to = format!("{target}?{}", uri.query().unwrap_or(""));
        async move { axum::response::Redirect::temporary(&to) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    // The gateway takes the API's domain from the Host header, as API Gateway does: here the
    // redirecting server's.
    let resp = w
        .http
        .post(format!(
            "{}/tenants/{TENANT}/linkedin/register",
            w.stack.api_url
        ))
        .bearer_auth(&w.stack.admin_token)
        .header("host", relay.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"], "challenge_failed", "{v}");
    assert!(v["message"].as_str().unwrap().contains("307"), "{v}");
}

/// Credentials LinkedIn refuses make registration a 422 that says what to fix, not a 503
/// (found by the API schema check once registration started by reading LinkedIn's setting).
#[tokio::test]
async fn registering_with_credentials_linkedin_refuses_says_so() {
    let w = World::with_customer().await;
    let (s, _) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}"),
            Some(json!({"name": "Acme", "organization": ORGANIZATION,
                        "linkedin": {"clientId": "not-an-app", "clientSecret": "nope"}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = w
        .api(
            "POST",
            &format!("/tenants/{TENANT}/linkedin/register"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"], "callback_rejected", "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("clientSecret"),
        "{v}"
    );
}
