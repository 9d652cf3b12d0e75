//! The admin API: what it accepts, what it refuses, and that secrets stay in Secrets Manager.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn tenant_secret_goes_to_secrets_manager_only() {
    let w = World::with_customer().await;
    let (status, tenant) = w.api("GET", &format!("/tenants/{TENANT}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tenant["linkedin"], json!({"clientId": CLIENT_ID}));
    assert_eq!(tenant["organization"], ORGANIZATION);
    assert!(!tenant.to_string().contains("s3cr"), "secret in a response");
    assert!(
        !format!("{:?}", w.snapshot().await).contains("s3cr"),
        "secret in the table"
    );

    let secret = w
        .stack
        .clients
        .secrets
        .get_secret_value()
        .secret_id(format!(
            "{}/tenants/{TENANT}",
            w.stack.table_name().trim_end_matches("-Table")
        ))
        .send()
        .await
        .unwrap();
    let stored: serde_json::Value = serde_json::from_str(secret.secret_string().unwrap()).unwrap();
    assert_eq!(stored["clientSecret"], CLIENT_SECRET, "kept byte for byte");

    // Replacing the tenant answers 200 and keeps its creation date.
    let (status, again) = w.api("PUT", &format!("/tenants/{TENANT}"), Some(json!({
        "name": "Acme Renamed", "organization": "1001", "linkedin": {"clientId": CLIENT_ID, "clientSecret": "new/secret"}
    }))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["createdAt"], tenant["createdAt"]);
    assert_eq!(again["name"], "Acme Renamed");
}

#[tokio::test]
async fn invalid_requests_get_a_4xx_that_says_what_is_wrong_and_change_nothing() {
    let w = World::with_customer().await;
    let before = w.snapshot().await;
    let t = format!("/tenants/{TENANT}");
    let cases: Vec<(&str, String, Option<serde_json::Value>, StatusCode)> = vec![
        (
            "PUT",
            "/tenants/nobody/jobs/j1".into(),
            Some(json!({"title": "x", "state": "OPEN"})),
            StatusCode::NOT_FOUND,
        ),
        (
            "GET",
            "/tenants/nobody/candidates".into(),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "PUT",
            format!("{t}/jobs/j1"),
            Some(json!({"title": 5, "state": "OPEN"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "PUT",
            format!("{t}/jobs/j1"),
            Some(json!({"title": "x", "state": "MAYBE"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "PUT",
            format!("{t}/jobs/j1"),
            Some(json!({"title": "", "state": "OPEN"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "PUT",
            format!("{t}/jobs/j1"),
            Some(json!({"title": "x", "state": "OPEN", "salary": 1})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "PUT",
            format!("{t}/jobs/a%23b"),
            Some(json!({"title": "x", "state": "OPEN"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "PUT",
            format!("{t}/contracts/abc"),
            Some(json!({})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "PUT",
            format!("{t}/contracts/7"),
            Some(json!({"expiresAt": "next week"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "PUT",
            "/tenants/new-one".into(),
            Some(
                json!({"name": "x", "organization": "urn:li:company:1", "linkedin": {"clientId": "c", "clientSecret": "s"}}),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            "PUT",
            "/tenants/new-one".into(),
            Some(json!({"name": "x"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            format!("{t}/candidates?limit=0"),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            format!("{t}/candidates?limit=lots"),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            format!("{t}/candidates?nextToken=garbage"),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            format!("{t}/candidates?member=someone"),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            "GET",
            format!("{t}/candidates/nobody"),
            None,
            StatusCode::NOT_FOUND,
        ),
        ("GET", format!("{t}/jobs/nope"), None, StatusCode::NOT_FOUND),
    ];
    for (method, path, body, expected) in cases {
        let (status, answer) = w.api(method, &path, body).await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
        assert!(
            answer["error"].is_string()
                && answer["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{method} {path}: {answer}"
        );
    }
    // A body that is not JSON at all: 400 when it says it is JSON, 415 when it says nothing.
    for (content_type, expected) in [
        (Some("application/json"), StatusCode::BAD_REQUEST),
        (None, StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ] {
        let mut req = w
            .http
            .put(format!("{}{t}/jobs/j1", w.stack.api_url))
            .bearer_auth(&w.stack.admin_token)
            .body("{{{");
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        assert_eq!(req.send().await.unwrap().status(), expected);
    }
    assert_eq!(w.snapshot().await, before);
}

#[tokio::test]
async fn candidates_are_listed_in_pages() {
    let w = World::with_customer().await;
    for i in 0..5 {
        w.export(
            &person(&format!("p{i}"), "P", &format!("N{i}")),
            ACTIVE,
            JOB_ENG,
        )
        .await;
    }
    w.settle().await;
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let path = match &token {
            Some(t) => format!("/tenants/{TENANT}/candidates?limit=2&nextToken={t}"),
            None => format!("/tenants/{TENANT}/candidates?limit=2"),
        };
        let (status, page) = w.api("GET", &path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|c| c["candidateId"].as_str().unwrap().to_owned()),
        );
        match page["nextToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "every candidate once, across pages");
}

#[tokio::test]
async fn a_contract_past_its_expiry_date_is_expired_and_contracts_are_listed() {
    let w = World::with_customer().await;
    let (_, list) = w
        .api("GET", &format!("/tenants/{TENANT}/contracts"), None)
        .await;
    let statuses: Vec<(String, String)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["contractId"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            (ACTIVE.to_owned(), "Active".to_owned()),
            (EXPIRED.to_owned(), "Expired".to_owned())
        ]
    );
    let (status, c) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}/contracts/urn:li:contract:503"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(c["contract"], "urn:li:contract:503");
    assert_eq!(c["status"], "Active");
}

/// The admin API is behind IAM in AWS; locally the gateway asks for the admin token instead.
/// The webhook stays public (LinkedIn's signature protects it).
#[tokio::test]
async fn admin_routes_refuse_missing_or_wrong_credentials_and_change_nothing() {
    let w = World::with_customer().await;
    w.settle().await;
    let t = format!("/tenants/{TENANT}");
    let attempts = [
        ("GET", format!("{t}/candidates"), None),
        ("GET", format!("{t}/health"), None),
        (
            "PUT",
            format!("{t}/jobs/j-sneaky"),
            Some(json!({"title": "x", "state": "OPEN"})),
        ),
        (
            "PUT",
            "/tenants/intruder".to_owned(),
            Some(json!({"name": "x", "organization": "1",
                        "linkedin": {"clientId": "c", "clientSecret": "s"}})),
        ),
        ("DELETE", format!("{t}/contracts/{ACTIVE}"), None),
        (
            "PUT",
            format!("{t}/contracts/{ACTIVE}/seats/{SEAT}/link"),
            Some(json!({"userId": "u-exporter"})),
        ),
        ("POST", format!("{t}/sync/full"), None),
    ];
    let before = w.snapshot().await;
    for (method, path, body) in attempts {
        let (s, v) = w.api_as(None, method, &path, body.clone()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {path}: {v}");
        assert_eq!(v["error"], "unauthorized");
        let (s, v) = w.api_as(Some("not-the-token"), method, &path, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method} {path}: {v}");
        assert_eq!(v["error"], "forbidden");
    }
    w.settle().await;
    assert_eq!(w.snapshot().await, before, "nothing changed");
    assert_eq!(w.queue("AtsChangesQueue").await, (0, 0));
    assert_eq!(w.queue("BackfillQueue").await, (0, 0));
    // The webhook needs no token: LinkedIn's challenge is answered without one.
    let (s, _) = w
        .api_as(
            None,
            "GET",
            &format!(
                "/linkedin/{TENANT}/events?challengeCode=6c1f0a52-3b7d-4e9a-9c41-2f5e8d7b0a13"
            ),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // And with the token the same request works.
    let (s, _) = w.api("GET", &format!("{t}/health"), None).await;
    assert_eq!(s, StatusCode::OK);
}

/// Cross-site request forgery (issue 18): a state-changing request another site could make a
/// browser send is refused before anything happens — a foreign `Origin` (another port of the
/// same host is same-site, so SameSite cookies alone did not stop it), a form's body, or the
/// session cookie without its CSRF token.
#[tokio::test]
async fn changes_a_browser_could_be_tricked_into_are_refused() {
    let w = World::with_customer().await;
    w.settle().await;
    let before = w.snapshot().await;
    let calls = w.sim.calls().len();
    let api = &w.stack.api_url;
    let host = api.trim_start_matches("http://").to_owned();
    let send = |method: &str, path: &str, headers: Vec<(&str, String)>, body: &str| {
        let mut req = w
            .http
            .request(method.parse().unwrap(), format!("{api}{path}"))
            .bearer_auth(&w.stack.admin_token)
            .body(body.to_owned());
        for (k, v) in headers {
            req = req.header(k, v);
        }
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            (
                status,
                resp.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let json = ("content-type", "application/json".to_owned());
    let stage = format!("/tenants/{TENANT}/users/u-csrf");
    let user = r#"{"email":"x@acme.example","firstName":"X","lastName":"Y"}"#;
    let register = format!("/tenants/{TENANT}/linkedin/register");
    let other_port = format!("http://{}", host.replace(':', ":1"));
    let refused = [
        (
            "PUT",
            stage.as_str(),
            vec![json.clone(), ("origin", other_port.clone())],
            user,
            403,
            "foreign_origin",
        ),
        (
            "POST",
            register.as_str(),
            vec![json.clone(), ("origin", "https://evil.example".into())],
            "{}",
            403,
            "foreign_origin",
        ),
        (
            "POST",
            register.as_str(),
            vec![json.clone(), ("sec-fetch-site", "same-site".into())],
            "{}",
            403,
            "foreign_origin",
        ),
        (
            "PUT",
            stage.as_str(),
            vec![("content-type", "text/plain".into())],
            user,
            415,
            "unsupported_media_type",
        ),
        (
            "POST",
            register.as_str(),
            vec![("content-type", "application/x-www-form-urlencoded".into())],
            "callbackUrl=x",
            415,
            "unsupported_media_type",
        ),
        (
            "PUT",
            stage.as_str(),
            vec![json.clone(), ("cookie", "rsc_session=s3ss10n".into())],
            user,
            403,
            "csrf_token_invalid",
        ),
        (
            "PUT",
            stage.as_str(),
            vec![
                json.clone(),
                ("cookie", "rsc_session=s3ss10n".into()),
                ("x-csrf-token", admin_api::guard::csrf_token("another")),
            ],
            user,
            403,
            "csrf_token_invalid",
        ),
    ];
    for (method, path, headers, body, status, code) in refused {
        let (s, v) = send(method, path, headers.clone(), body).await;
        assert_eq!(s.as_u16(), status, "{method} {path} {headers:?}: {v}");
        assert_eq!(v["error"], code, "{v}");
    }
    w.settle().await;
    assert_eq!(w.snapshot().await, before, "nothing changed");
    assert_eq!(w.sim.calls().len(), calls, "LinkedIn was not called");

    // The same change from the API's own origin, with the session's token, goes through.
    let (s, v) = send(
        "PUT",
        &stage,
        vec![
            json,
            ("origin", api.clone()),
            ("cookie", "rsc_session=s3ss10n".into()),
            ("x-csrf-token", admin_api::guard::csrf_token("s3ss10n")),
        ],
        user,
    )
    .await;
    assert_eq!(s.as_u16(), 201, "{v}");
}
