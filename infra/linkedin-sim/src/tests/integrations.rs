//! `atsIntegrations` (names, configurations, the callback URL), the `/rest` closed-profile
//! route and what the call log keeps of a request.

use super::*;

const CONTRACT_CONTEXT: &str = "urn:li:contract:7";

/// The collection's key of one integration.
pub(super) fn integration_key(context: &str, kind: &str) -> String {
    format!(
        "integrationContext={context}&integrationType={kind}&tenantType=RECRUITER&dataProvider=ATS"
    )
}

/// `ids[i].field=value&..` of these keys, written as the collection does (literal brackets).
pub(super) fn integration_ids(keys: &[(&str, &str)]) -> String {
    keys.iter()
        .enumerate()
        .map(|(i, (context, kind))| {
            format!(
                "ids[{i}].integrationContext={context}&ids[{i}].integrationType={kind}&ids[{i}].tenantType=RECRUITER&ids[{i}].dataProvider=ATS"
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub(super) async fn send(
    sim: &Sim,
    method: reqwest::Method,
    path_and_query: &str,
    restli: Option<&str>,
    body: Option<Value>,
    token: &str,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path_and_query}", sim.api_url()))
        .bearer_auth(token);
    if let Some(m) = restli {
        req = req.header("x-restli-method", m);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn integrations_are_named_and_read_back() {
    let sim = start().await;
    sim.register_app(app("child-1", None));
    let t = token(&sim, "child-1").await;
    let all = [
        (ORG, "IN_ATS_INDICATOR"),
        (ORG, "PROFILE_PLUGIN"),
        (ORG, "ONE_CLICK_EXPORT"),
        (CONTRACT_CONTEXT, "CSA_API"),
    ];
    for (context, kind) in all {
        let key = integration_key(context, kind);
        let body = json!({"entities": {key.clone(): {"patch": {"$set": {"integrationName": format!("Acme {kind}")}}}}});
        let q = format!("/atsIntegrations?{}", integration_ids(&[(context, kind)]));
        let (status, v) = send(
            &sim,
            reqwest::Method::POST,
            &q,
            Some("batch_partial_update"),
            Some(body),
            &t,
        )
        .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["results"][&key], json!({"status": 204}), "{v}");
    }
    let q = format!("/atsIntegrations?{}", integration_ids(&all));
    let (status, v) = send(&sim, reqwest::Method::GET, &q, None, None, &t).await;
    assert_eq!(status, 200, "{v}");
    let got = &v["results"][integration_key(ORG, "ONE_CLICK_EXPORT")];
    assert_eq!(got["integrationName"], "Acme ONE_CLICK_EXPORT", "{v}");
    assert_eq!(v["results"].as_object().unwrap().len(), 4, "{v}");

    // Another organization's key, a missing method header, a 2.0 key.
    let other = integration_key("urn:li:organization:99", "ONE_CLICK_EXPORT");
    let body = json!({"entities": {other.clone(): {"patch": {"$set": {"integrationName": "x"}}}}});
    let q = format!(
        "/atsIntegrations?{}",
        integration_ids(&[("urn:li:organization:99", "ONE_CLICK_EXPORT")])
    );
    let (_, v) = send(
        &sim,
        reqwest::Method::POST,
        &q,
        Some("batch_partial_update"),
        Some(body.clone()),
        &t,
    )
    .await;
    assert_eq!(v["errors"][&other]["status"], 403, "{v}");
    let (status, _) = send(&sim, reqwest::Method::POST, &q, None, Some(body), &t).await;
    assert_eq!(status, 400);
    let (status, _) = send(
        &sim,
        reqwest::Method::GET,
        "/atsIntegrations?ids=List((integrationContext:x))",
        None,
        None,
        &t,
    )
    .await;
    assert_eq!(status, 400);
    sim.shutdown();
}

#[tokio::test]
async fn the_callback_url_configuration_is_validated_by_a_challenge() {
    let sim = start().await;
    sim.register_app(app("child-1", None));
    let t = token(&sim, "child-1").await;
    let key = integration_key(ORG, "ONE_CLICK_EXPORT");
    let path = format!("/atsIntegrations/{key}/configurations");
    let value = |s: &str| json!({"configurationValue": {"string": s}});

    // The simulator's own receiver answers the challenge with the application's secret.
    let url = format!("{}/_sim/receiver/child-1", sim.base_url());
    let body = json!({"entities": {"CALLBACK_URL": value(&url)}});
    let q = format!("{path}?ids=CALLBACK_URL");
    let (status, v) = send(
        &sim,
        reqwest::Method::PUT,
        &q,
        Some("batch_update"),
        Some(body),
        &t,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"]["CALLBACK_URL"], json!({"status": 204}), "{v}");
    assert_eq!(
        sim.app("child-1").unwrap().callback_url.as_deref(),
        Some(url.as_str())
    );
    let (_, v) = send(&sim, reqwest::Method::GET, &q, None, None, &t).await;
    assert_eq!(v["results"]["CALLBACK_URL"], value(&url), "{v}");

    // A receiver holding another secret fails the challenge; the URL is kept.
    let (wrong, _) = receiver("not-the-secret").await;
    let body = json!({"entities": {"CALLBACK_URL": value(&wrong)}});
    let (_, v) = send(
        &sim,
        reqwest::Method::PUT,
        &q,
        Some("batch_update"),
        Some(body),
        &t,
    )
    .await;
    assert_eq!(v["errors"]["CALLBACK_URL"]["status"], 400, "{v}");
    assert_eq!(sim.app("child-1").unwrap().callback_url, Some(wrong));

    // Optional configurations: put, read, delete (the collection's requests).
    let q = format!("{path}?ids=JOB_POSTING_VIEWERS");
    let body = json!({"entities": {"JOB_POSTING_VIEWERS": value("ALL_PRODUCT_USERS")}});
    let (_, v) = send(
        &sim,
        reqwest::Method::PUT,
        &q,
        Some("batch_update"),
        Some(body),
        &t,
    )
    .await;
    assert_eq!(v["results"]["JOB_POSTING_VIEWERS"]["status"], 204, "{v}");
    let (status, v) = send(&sim, reqwest::Method::DELETE, &q, None, None, &t).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"]["JOB_POSTING_VIEWERS"]["status"], 204, "{v}");
    let (_, v) = send(&sim, reqwest::Method::GET, &q, None, None, &t).await;
    assert_eq!(v["errors"]["JOB_POSTING_VIEWERS"]["status"], 404, "{v}");

    // APPLICATION_VIEWERS belongs on the IN_ATS_INDICATOR key.
    let q = format!("{path}?ids=APPLICATION_VIEWERS");
    let body = json!({"entities": {"APPLICATION_VIEWERS": value("ALL_PRODUCT_USERS")}});
    let (_, v) = send(
        &sim,
        reqwest::Method::PUT,
        &q,
        Some("batch_update"),
        Some(body.clone()),
        &t,
    )
    .await;
    assert_eq!(v["errors"]["APPLICATION_VIEWERS"]["status"], 400, "{v}");
    let indicator = format!(
        "/atsIntegrations/{}/configurations?ids=APPLICATION_VIEWERS",
        integration_key(ORG, "IN_ATS_INDICATOR")
    );
    let (_, v) = send(
        &sim,
        reqwest::Method::PUT,
        &indicator,
        Some("batch_update"),
        Some(body),
        &t,
    )
    .await;
    assert_eq!(v["results"]["APPLICATION_VIEWERS"]["status"], 204, "{v}");

    // Another organization's integration in the path.
    let foreign = format!(
        "/atsIntegrations/{}/configurations?ids=CALLBACK_URL",
        integration_key("urn:li:organization:99", "ONE_CLICK_EXPORT")
    );
    let (status, _) = send(&sim, reqwest::Method::GET, &foreign, None, None, &t).await;
    assert_eq!(status, 403);
    sim.shutdown();
}

#[tokio::test]
async fn the_unpublished_configuration_route_is_not_served() {
    let sim = start().await;
    let (url, _) = receiver(SECRET).await;
    sim.register_app(app("child-1", None));
    let t = token(&sim, "child-1").await;
    let body =
        json!({"integrationContext": ORG, "configurationType": "CALLBACK_URL", "value": url});
    let (status, _) = send(
        &sim,
        reqwest::Method::POST,
        "/atsIntegrationConfigurations",
        None,
        Some(body),
        &t,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(sim.app("child-1").unwrap().callback_url, None);
    sim.shutdown();
}

#[tokio::test]
async fn closed_profiles_live_under_rest_and_need_a_version() {
    let sim = start().await;
    sim.register_app(app("child-1", None));
    sim.purge_member(ORG, "urn:li:person:gone", Some(5));
    let t = token(&sim, "child-1").await;
    let q = format!("/atsPurgedExportedCandidates?q=integrationContext&integrationContext={ORG}");
    let get = |url: String, version: Option<&'static str>| {
        let mut req = reqwest::Client::new().get(url).bearer_auth(&t);
        if let Some(v) = version {
            req = req.header("LinkedIn-Version", v);
        }
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, v) = get(format!("{}{q}", sim.rest_url()), Some("202601")).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["elements"],
        json!([{"member": "urn:li:person:gone", "purgedAt": 5}])
    );
    assert_eq!(v["paging"]["total"], 1);
    for version in [None, Some("2026-01"), Some("20261")] {
        let (status, v) = get(format!("{}{q}", sim.rest_url()), version).await;
        assert_eq!(status, 400, "{version:?}: {v}");
        assert!(message_of(&v).contains("LinkedIn-Version"), "{v}");
    }
    let (status, _) = get(format!("{}{q}", sim.api_url()), Some("202601")).await;
    assert_eq!(status, 404, "not under /v2");

    // The call log keeps the Rest.li and version headers, never the token.
    let call = sim
        .calls()
        .into_iter()
        .find(|c| c.path == "/rest/atsPurgedExportedCandidates")
        .unwrap();
    assert_eq!(
        call.headers.get("linkedin-version").map(String::as_str),
        Some("202601")
    );
    assert!(!call.headers.contains_key("authorization"));
    assert_eq!(call.body, None);
    sim.shutdown();
}

fn message_of(v: &Value) -> &str {
    v["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn the_call_log_keeps_rest_li_headers_and_bodies_but_no_secret() {
    let sim = start().await;
    sim.register_app(app("child-1", None));
    let t = token(&sim, "child-1").await;
    let body = json!({"elements": []});
    let (status, _) = send(
        &sim,
        reqwest::Method::POST,
        "/simpleJobPostings",
        Some("batch_create"),
        Some(body.clone()),
        &t,
    )
    .await;
    assert_eq!(status, 200);
    let calls = sim.calls();
    let oauth = &calls[0];
    assert_eq!(
        oauth.body.as_deref(),
        Some("grant_type&client_id&client_secret")
    );
    assert!(!serde_json::to_string(oauth).unwrap().contains(SECRET));
    let jobs = &calls[1];
    assert_eq!(jobs.headers["x-restli-method"], "batch_create");
    assert_eq!(jobs.headers["content-type"], "application/json");
    assert_eq!(jobs.headers.len(), 2, "{:?}", jobs.headers);
    assert_eq!(jobs.body.as_deref(), Some(body.to_string().as_str()));
    // Calls logged before these fields existed still parse.
    let old: Call = serde_json::from_value(json!({
        "method": "GET", "path": "/v2/x", "query": "", "clientId": null, "status": 200, "atMs": 1
    }))
    .unwrap();
    assert!(old.headers.is_empty() && old.body.is_none());
    sim.shutdown();
}
