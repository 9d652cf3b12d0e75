//! Partner provisioning of child applications (`provisionedApplications`), the binding of a
//! child's organization, and the customer switching integrations on.

use super::integrations::{integration_ids, integration_key, send};
use super::*;

use reqwest::Method;

const PARTNER: &str = "partner-app";
const PARTNER_SECRET: &str = "partner-secret";
const PROVISIONED: &str = "/provisionedApplications";

async fn partner_sim(config: SimConfig) -> (Sim, String) {
    let sim = Sim::start("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap();
    sim.register_partner(PARTNER, PARTNER_SECRET);
    let t = partner_token(&sim).await;
    (sim, t)
}

async fn partner_token(sim: &Sim) -> String {
    let resp = token_response(sim, "client_credentials", PARTNER, PARTNER_SECRET).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

/// The collection's "Provision Child Application" body, with our values.
fn new_app(unique_foreign_id: &str) -> Value {
    json!({
        "name": "Acme ATS - Globex",
        "description": "Globex's Recruiter System Connect application",
        "uniqueForeignId": unique_foreign_id,
        "oauth2AuthorizedCallbackUrls": ["https://ats.example.com/oauth2/callback"],
        "validJsSdkDomains": ["https://ats.example.com"]
    })
}

async fn provision(sim: &Sim, token: &str, body: Value) -> (u16, Value) {
    send(sim, Method::POST, PROVISIONED, None, Some(body), token).await
}

fn finder(unique_foreign_id: &str) -> String {
    format!("{PROVISIONED}?q=credentialsByUniqueForeignId&uniqueForeignId={unique_foreign_id}")
}

/// Names one integration with the given token; the per-key answer.
async fn name_one(sim: &Sim, token: &str, context: &str, kind: &str) -> (u16, Value) {
    let key = integration_key(context, kind);
    let body = json!({"entities": {key: {"patch": {"$set": {"integrationName": format!("Globex {kind}")}}}}});
    let q = format!("/atsIntegrations?{}", integration_ids(&[(context, kind)]));
    send(
        sim,
        Method::POST,
        &q,
        Some("batch_partial_update"),
        Some(body),
        token,
    )
    .await
}

async fn statuses(sim: &Sim, token: &str, keys: &[(&str, &str)]) -> Vec<Value> {
    let q = format!("/atsIntegrations?{}", integration_ids(keys));
    let (status, v) = send(sim, Method::GET, &q, None, None, token).await;
    assert_eq!(status, 200, "{v}");
    keys.iter()
        .map(|(c, k)| v["results"][integration_key(c, k)]["status"].clone())
        .collect()
}

#[tokio::test]
async fn a_provisioned_child_works_like_any_application_once_its_organization_is_bound() {
    let (sim, partner) = partner_sim(SimConfig::default()).await;
    let (status, v) = provision(&sim, &partner, new_app("tenant-globex")).await;
    assert_eq!(status, 201, "{v}");
    let urn = v["key"].as_str().unwrap().to_string();
    assert!(urn.starts_with("urn:li:developerApplication:"), "{v}");
    let client_id = v["credentials"]["client_id"].as_str().unwrap().to_string();
    let secret = v["credentials"]["client_secret"]
        .as_str()
        .unwrap()
        .to_string();
    let apps = sim.provisioned_apps();
    assert_eq!(apps.len(), 1);
    assert_eq!(
        (
            apps[0].urn.as_str(),
            apps[0].client_id.as_str(),
            apps[0].client_secret.as_str()
        ),
        (urn.as_str(), client_id.as_str(), secret.as_str())
    );
    assert_eq!(apps[0].partner_client_id, PARTNER);
    assert_eq!(apps[0].valid_js_sdk_domains, ["https://ats.example.com"]);
    assert_eq!(apps[0].organization, None);

    // Not bound yet: no export can be made for it.
    let export = sim.export(spec(&client_id, None)).await;
    assert_eq!(export, Err(SimError::Unbound(client_id.clone())));

    // The child's own token; its first naming binds the organization.
    let resp = token_response(&sim, "client_credentials", &client_id, &secret).await;
    assert_eq!(resp.status(), 200);
    let child: Value = resp.json().await.unwrap();
    let child = child["access_token"].as_str().unwrap().to_string();
    let (status, v) = name_one(&sim, &child, ORG, "ONE_CLICK_EXPORT").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["results"][integration_key(ORG, "ONE_CLICK_EXPORT")]["status"],
        204,
        "{v}"
    );
    assert_eq!(sim.provisioned_apps()[0].organization.as_deref(), Some(ORG));
    // Bound: another organization is not its own; a contract is taken on trust.
    let (_, v) = name_one(&sim, &child, "urn:li:organization:99", "PROFILE_PLUGIN").await;
    assert_eq!(
        v["errors"][integration_key("urn:li:organization:99", "PROFILE_PLUGIN")]["status"],
        403,
        "{v}"
    );
    let (_, v) = name_one(&sim, &child, CONTRACT, "CSA_API").await;
    assert_eq!(
        v["results"][integration_key(CONTRACT, "CSA_API")]["status"],
        204,
        "{v}"
    );

    // It sets its callback URL (the sim's receiver answers with its secret) and gets exports.
    let callback = format!("{}/_sim/receiver/{client_id}", sim.base_url());
    let q = format!(
        "/atsIntegrations/{}/configurations?ids=CALLBACK_URL",
        integration_key(ORG, "ONE_CLICK_EXPORT")
    );
    let body = json!({"entities": {"CALLBACK_URL": {"configurationValue": {"string": callback}}}});
    let (_, v) = send(
        &sim,
        Method::PUT,
        &q,
        Some("batch_update"),
        Some(body),
        &child,
    )
    .await;
    assert_eq!(v["results"]["CALLBACK_URL"]["status"], 204, "{v}");
    let pushed = sim.export(spec(&client_id, Some("r-1"))).await.unwrap();
    assert_eq!(pushed.status, Some(200));
    sim.shutdown();
}

#[tokio::test]
async fn provisioning_takes_only_a_partner_token_and_a_partner_token_nothing_else() {
    let (sim, partner) = partner_sim(SimConfig::default()).await;
    sim.register_app(app("child-1", None));
    let customer = token(&sim, "child-1").await;
    let (status, v) = provision(&sim, &customer, new_app("t-1")).await;
    assert_eq!(status, 403, "{v}");
    let (status, _) = send(&sim, Method::GET, &finder("t-1"), None, None, &customer).await;
    assert_eq!(status, 403);
    let update = format!("{PROVISIONED}/urn:li:developerApplication:1");
    let patch = json!({"patch": {"$set": {"validJsSdkDomains": ["https://a.example.com"]}}});
    let (status, _) = send(&sim, Method::POST, &update, None, Some(patch), &customer).await;
    assert_eq!(status, 403);
    let (status, _) = provision(&sim, "not-a-token", new_app("t-1")).await;
    assert_eq!(status, 401);
    assert!(sim.provisioned_apps().is_empty());

    // The partner's token reads no customer resource.
    let q = format!(
        "/atsIntegrations?{}",
        integration_ids(&[(ORG, "ONE_CLICK_EXPORT")])
    );
    let (status, v) = send(&sim, Method::GET, &q, None, None, &partner).await;
    assert_eq!(status, 403, "{v}");
    sim.shutdown();
}

#[tokio::test]
async fn provisioning_refuses_what_the_doc_says_linkedin_refuses() {
    let (sim, partner) = partner_sim(SimConfig::default()).await;
    let with = |field: &str, value: Value| {
        let mut body = new_app("t-1");
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = new_app("t-1");
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let refused = [
        ("no name", without("name"), 400),
        ("no description", without("description"), 400),
        ("no uniqueForeignId", without("uniqueForeignId"), 400),
        ("an empty name", with("name", json!(" ")), 400),
        ("51 characters", with("name", json!("x".repeat(51))), 400),
        (
            "LinkedIn in the name",
            with("name", json!("Acme - LinkedIn Globex")),
            400,
        ),
        (
            "linkedin in any case",
            with("name", json!("Acme - linkedin")),
            400,
        ),
        (
            "a domain with a trailing slash",
            with("validJsSdkDomains", json!(["https://ats.example.com/"])),
            400,
        ),
        (
            "a domain that is no URL",
            with("validJsSdkDomains", json!(["ats.example.com"])),
            400,
        ),
        ("an unknown field", with("organization", json!(ORG)), 400),
    ];
    for (what, body, expected) in refused {
        let (status, v) = provision(&sim, &partner, body).await;
        assert_eq!(status, expected, "{what}: {v}");
        assert!(v["message"].as_str().is_some(), "{what}: {v}");
    }
    assert!(sim.provisioned_apps().is_empty());

    let (status, v) = provision(&sim, &partner, with("name", json!("x".repeat(50)))).await;
    assert_eq!(status, 201, "50 characters: {v}");
    let (status, v) = provision(&sim, &partner, new_app("t-1")).await;
    assert_eq!(status, 409, "the same uniqueForeignId: {v}");
    // Another partner may use the same id for its own customer.
    sim.register_partner("other-partner", "other-secret");
    let resp = token_response(&sim, "client_credentials", "other-partner", "other-secret").await;
    let other: Value = resp.json().await.unwrap();
    let (status, v) = provision(
        &sim,
        other["access_token"].as_str().unwrap(),
        new_app("t-1"),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(sim.provisioned_apps().len(), 2);
    sim.shutdown();
}

#[tokio::test]
async fn the_finder_serves_the_child_without_its_secret_and_updates_replace_domains() {
    let (sim, partner) = partner_sim(SimConfig::default()).await;
    let (_, created) = provision(&sim, &partner, new_app("tenant-globex")).await;
    let urn = created["key"].as_str().unwrap();
    let (status, v) = send(
        &sim,
        Method::GET,
        &finder("tenant-globex"),
        None,
        None,
        &partner,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let found = &v["elements"][0];
    assert_eq!(found["key"], urn);
    assert_eq!(found["uniqueForeignId"], "tenant-globex");
    assert_eq!(
        found["credentials"]["client_id"],
        created["credentials"]["client_id"]
    );
    assert_eq!(found["credentials"].get("client_secret"), None, "{v}");
    let (_, v) = send(&sim, Method::GET, &finder("nobody"), None, None, &partner).await;
    assert_eq!(v["elements"], json!([]));
    let (status, _) = send(
        &sim,
        Method::GET,
        &format!("{PROVISIONED}?q=byName&uniqueForeignId=x"),
        None,
        None,
        &partner,
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = send(
        &sim,
        Method::GET,
        &format!("{PROVISIONED}?q=credentialsByUniqueForeignId"),
        None,
        None,
        &partner,
    )
    .await;
    assert_eq!(status, 400);

    // "Update JavaScript SDK Domain for Child Application", as the collection sends it.
    let update = format!("{PROVISIONED}/{urn}");
    let domains = json!(["http://localhost:8000", "http://localhost:5000"]);
    let patch = json!({"patch": {"$set": {"validJsSdkDomains": domains}}});
    let (status, v) = send(&sim, Method::POST, &update, None, Some(patch), &partner).await;
    assert_eq!(status, 204, "{v}");
    assert_eq!(
        sim.provisioned_apps()[0].valid_js_sdk_domains,
        ["http://localhost:8000", "http://localhost:5000"]
    );
    let patch =
        json!({"patch": {"$set": {"oauth2AuthorizedCallbackUrls": ["https://b.example.com/cb"]}}});
    let (status, _) = send(&sim, Method::POST, &update, None, Some(patch), &partner).await;
    assert_eq!(status, 204);
    let (_, v) = send(
        &sim,
        Method::GET,
        &finder("tenant-globex"),
        None,
        None,
        &partner,
    )
    .await;
    assert_eq!(v["elements"][0]["validJsSdkDomains"], domains);
    assert_eq!(
        v["elements"][0]["oauth2AuthorizedCallbackUrls"],
        json!(["https://b.example.com/cb"])
    );

    let refused = [
        (
            update.clone(),
            json!({"patch": {"$set": {"validJsSdkDomains": ["https://a.example.com/"]}}}),
            400,
        ),
        (
            update.clone(),
            json!({"patch": {"$set": {"name": "Acme - Other"}}}),
            400,
        ),
        (update.clone(), json!({"validJsSdkDomains": []}), 400),
        (
            format!("{PROVISIONED}/urn:li:developerApplication:1"),
            json!({"patch": {"$set": {"validJsSdkDomains": []}}}),
            404,
        ),
    ];
    for (path, body, expected) in refused {
        let (status, v) = send(
            &sim,
            Method::POST,
            &path,
            None,
            Some(body.clone()),
            &partner,
        )
        .await;
        assert_eq!(status, expected, "{body}: {v}");
    }
    // Another partner's child is not found.
    sim.register_partner("other-partner", "other-secret");
    let resp = token_response(&sim, "client_credentials", "other-partner", "other-secret").await;
    let other: Value = resp.json().await.unwrap();
    let other = other["access_token"].as_str().unwrap();
    let patch = json!({"patch": {"$set": {"validJsSdkDomains": []}}});
    let (status, _) = send(&sim, Method::POST, &update, None, Some(patch), other).await;
    assert_eq!(status, 404);
    let (_, v) = send(
        &sim,
        Method::GET,
        &finder("tenant-globex"),
        None,
        None,
        other,
    )
    .await;
    assert_eq!(v["elements"], json!([]));
    sim.shutdown();
}

#[tokio::test]
async fn partners_from_the_config_and_the_secret_in_the_finder_when_asked() {
    let config = SimConfig {
        partners: vec![Partner {
            client_id: PARTNER.into(),
            client_secret: PARTNER_SECRET.into(),
        }],
        secret_in_finder: true,
        ..SimConfig::default()
    };
    let sim = Sim::start("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap();
    let partner = partner_token(&sim).await;
    let (_, created) = provision(&sim, &partner, new_app("t-1")).await;
    let (_, v) = send(&sim, Method::GET, &finder("t-1"), None, None, &partner).await;
    assert_eq!(
        v["elements"][0]["credentials"]["client_secret"],
        created["credentials"]["client_secret"]
    );
    sim.shutdown();
}

#[tokio::test]
async fn named_integrations_are_disabled_until_the_customer_enables_them() {
    let sim = start().await;
    sim.register_app(app("child-1", None));
    sim.register_app(App {
        organization: "urn:li:organization:43".into(),
        ..app("child-2", None)
    });
    let t = token(&sim, "child-1").await;
    let keys = [(ORG, "ONE_CLICK_EXPORT"), (CONTRACT, "CSA_API")];
    for (context, kind) in keys {
        name_one(&sim, &t, context, kind).await;
    }
    let t2 = token(&sim, "child-2").await;
    name_one(&sim, &t2, "urn:li:organization:43", "PROFILE_PLUGIN").await;
    assert_eq!(statuses(&sim, &t, &keys).await, ["DISABLED", "DISABLED"]);

    // The customer switches on what its application named, and only that.
    assert_eq!(sim.enable_integrations("child-1"), 2);
    assert_eq!(statuses(&sim, &t, &keys).await, ["ENABLED", "ENABLED"]);
    assert_eq!(
        statuses(&sim, &t2, &[("urn:li:organization:43", "PROFILE_PLUGIN")]).await,
        ["DISABLED"]
    );
    // Naming again keeps the state.
    name_one(&sim, &t, ORG, "ONE_CLICK_EXPORT").await;
    assert_eq!(statuses(&sim, &t, &keys[..1]).await, ["ENABLED"]);

    // One integration switched off; a pushed status change switches its context.
    assert!(sim.set_integration_status(ORG, "ONE_CLICK_EXPORT", "DISABLED"));
    assert!(!sim.set_integration_status(ORG, "IN_ATS_INDICATOR", "ENABLED"));
    sim.push_status_change("child-1", CONTRACT, "DISABLED")
        .await
        .unwrap();
    assert_eq!(statuses(&sim, &t, &keys).await, ["DISABLED", "DISABLED"]);
    sim.shutdown();
}

#[tokio::test]
async fn onboarding_control_routes() {
    let sim = start().await;
    let http = reqwest::Client::new();
    let control = |path: &str| format!("{}/_sim/{path}", sim.base_url());
    let resp = http
        .post(control("partners"))
        .json(&json!({"clientId": PARTNER, "clientSecret": PARTNER_SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let partner = partner_token(&sim).await;
    let (_, created) = provision(&sim, &partner, new_app("t-1")).await;
    let listed: Vec<ProvisionedApp> = http
        .get(control("provisioned-apps"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].urn, created["key"].as_str().unwrap());

    sim.register_app(app("child-1", None));
    let t = token(&sim, "child-1").await;
    name_one(&sim, &t, ORG, "IN_ATS_INDICATOR").await;
    let v: Value = http
        .post(control("apps/child-1/enable-integrations"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v, json!({"enabled": 1}));
    let set = |kind: &'static str| {
        http.put(control("integrations/status"))
            .json(
                &json!({"integrationContext": ORG, "integrationType": kind, "status": "DISABLED"}),
            )
            .send()
    };
    assert_eq!(set("IN_ATS_INDICATOR").await.unwrap().status(), 204);
    assert_eq!(set("PROFILE_PLUGIN").await.unwrap().status(), 404);
    assert_eq!(
        statuses(&sim, &t, &[(ORG, "IN_ATS_INDICATOR")]).await,
        ["DISABLED"]
    );
    sim.shutdown();
}
