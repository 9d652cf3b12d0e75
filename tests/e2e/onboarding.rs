//! Onboarding a customer with LinkedIn's partner flow in one call (issue 19): provisioning,
//! naming, the callback URL, viewers, and waiting for the customer to enable the integrations.

use linkedin_sim::{Fault, FaultKind};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;

const PARTNER_ID: &str = "partner-app";
const PARTNER_SECRET: &str = "partner s3cret/+=";
const CUSTOMER: &str = "globex";
const GLOBEX_ORG: &str = "urn:li:organization:2002";

/// A stack whose deployment holds partner credentials LinkedIn knows, and no tenant yet.
async fn with_partner() -> World {
    let w = World::empty_with(Setup::default()).await;
    w.sim.register_partner(PARTNER_ID, PARTNER_SECRET);
    w.stack
        .put_partner_secret(PARTNER_ID, PARTNER_SECRET)
        .await
        .unwrap();
    w
}

async fn onboard(w: &World) -> (StatusCode, Value) {
    w.api(
        "POST",
        &format!("/tenants/{CUSTOMER}/linkedin/onboard"),
        Some(json!({"name": "Globex", "organization": GLOBEX_ORG,
                    "jobPostingViewers": "ALL_PRODUCT_USERS"})),
    )
    .await
}

fn states(checklist: &Value) -> Vec<(String, String)> {
    checklist["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_owned(),
                s["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn onboarding_goes_from_nothing_to_waiting_for_the_customer_and_once_only() {
    let w = with_partner().await;
    let (s, checklist) = onboard(&w).await;
    assert_eq!(s, StatusCode::OK, "{checklist}");
    assert_eq!(
        states(&checklist),
        pairs(&[
            ("application", "done"),
            ("integrationNames", "done"),
            ("callbackUrl", "done"),
            ("viewers", "done"),
            ("enablement", "waiting"),
        ]),
        "{checklist}"
    );
    let waiting = &checklist["steps"][4];
    assert!(
        waiting["next"].as_str().unwrap().contains("Recruiter"),
        "{waiting}"
    );
    assert_eq!(checklist["complete"], false);

    // One child application, for this tenant, named as LinkedIn asks.
    let apps = w.sim.provisioned_apps();
    assert_eq!(apps.len(), 1);
    let app = &apps[0];
    assert_eq!(app.unique_foreign_id, CUSTOMER);
    assert_eq!(app.partner_client_id, PARTNER_ID);
    assert_eq!(app.name, "ATS - Globex");
    assert_eq!(checklist["application"], app.urn.as_str());
    // The tenant exists, on the child's credentials; LinkedIn calls back this deployment.
    let (s, tenant) = w.api("GET", &format!("/tenants/{CUSTOMER}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(tenant["linkedin"]["clientId"], app.client_id.as_str());
    assert_eq!(tenant["organization"], GLOBEX_ORG);
    assert_eq!(
        w.sim.app(&app.client_id).unwrap().callback_url.as_deref(),
        Some(w.webhook_url(CUSTOMER).as_str())
    );
    assert!(w.sim.validate_callback(&app.client_id).await.unwrap());

    // Again: the same checklist, no second application, the tenant untouched.
    let before = w.snapshot().await;
    let tenant_item = |snap: &Snapshot| {
        snap.iter()
            .find(|(k, _)| {
                let (pk, sk) = k.split_once('|').unwrap_or_default();
                pk.contains(&format!("TENANT#{CUSTOMER}")) && sk.contains("\"TENANT\"")
            })
            .map(|(_, v)| v.clone())
    };
    let (s, again) = onboard(&w).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(states(&again), states(&checklist));
    assert_eq!(w.sim.provisioned_apps().len(), 1, "no second application");
    assert_eq!(tenant_item(&w.snapshot().await), tenant_item(&before));
    assert!(tenant_item(&before).is_some());

    // The customer enables the integrations in Recruiter; the hourly review notices.
    assert_eq!(w.sim.enable_integrations(&app.client_id), 3);
    let (s, _) = w
        .api("POST", "/_local/schedules/ContractExpiryFunction", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, now) = w
        .api(
            "GET",
            &format!("/tenants/{CUSTOMER}/linkedin/onboarding"),
            None,
        )
        .await;
    assert_eq!(now["complete"], true, "{now}");

    // Neither secret is in an answer, the table or the logs.
    for secret in [PARTNER_SECRET, app.client_secret.as_str()] {
        for shown in [
            checklist.to_string(),
            again.to_string(),
            now.to_string(),
            tenant.to_string(),
        ] {
            assert!(!shown.contains(secret));
        }
        assert!(!format!("{:?}", w.snapshot().await).contains(secret));
        assert!(!captured_logs().contains(secret), "a secret was logged");
    }
}

#[tokio::test]
async fn a_failure_mid_way_resumes_where_it_stopped() {
    let w = with_partner().await;
    // Naming fails (LinkedIn refuses it once): the checklist says so, the rest still runs.
    w.sim.inject_fault(Fault {
        path_prefix: "/v2/atsIntegrations".into(),
        kind: FaultKind::Status {
            status: 400,
            retry_after_secs: None,
        },
        times: 1,
        query: Default::default(),
    });
    let (s, first) = onboard(&w).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let names = &first["steps"][1];
    assert_eq!(names["state"], "failed", "{first}");
    assert!(names["detail"].as_str().unwrap().contains("400"), "{names}");
    assert!(names["next"].is_string());
    assert_eq!(first["steps"][0]["state"], "done");

    let calls = w.sim.calls().len();
    let (s, second) = onboard(&w).await;
    assert_eq!(s, StatusCode::OK, "{second}");
    assert_eq!(second["steps"][1]["state"], "done", "{second}");
    assert_eq!(
        w.sim.provisioned_apps().len(),
        1,
        "found again, not made again"
    );
    let provisioning_calls: Vec<String> = w.sim.calls()[calls..]
        .iter()
        .filter(|c| c.path.contains("provisionedApplications"))
        .map(|c| c.method.clone())
        .collect();
    assert_eq!(
        provisioning_calls,
        ["GET"],
        "looked up, not provisioned again"
    );
}

#[tokio::test]
async fn a_contract_connected_later_gets_its_csa_api_name() {
    let w = with_partner().await;
    let (s, _) = onboard(&w).await;
    assert_eq!(s, StatusCode::OK);
    let client_id = w.sim.provisioned_apps()[0].client_id.clone();
    w.sim.clear_calls();
    let (s, v) = w
        .api(
            "PUT",
            &format!("/tenants/{CUSTOMER}/contracts/701"),
            Some(json!({"expiresAt": "2099-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let named = w.sim.calls().into_iter().any(|c| {
        c.method == "POST" && c.path.ends_with("/atsIntegrations") && c.query.contains("701")
    });
    assert!(named, "the new contract's CSA_API was named");
    let (_, checklist) = w
        .api(
            "GET",
            &format!("/tenants/{CUSTOMER}/linkedin/onboarding"),
            None,
        )
        .await;
    assert!(
        checklist["steps"][1]["detail"]
            .as_str()
            .unwrap()
            .contains("701"),
        "{checklist}"
    );
    // Enabling now counts the contract's integration too.
    assert_eq!(w.sim.enable_integrations(&client_id), 4);
}

#[tokio::test]
async fn without_partner_credentials_the_first_step_says_what_to_set() {
    let w = World::empty_with(Setup::default()).await;
    let (s, checklist) = onboard(&w).await;
    assert_eq!(s, StatusCode::OK, "{checklist}");
    assert_eq!(checklist["steps"][0]["state"], "failed");
    assert!(
        checklist["steps"][0]["next"]
            .as_str()
            .unwrap()
            .contains("PartnerSecretName")
    );
    assert!(
        states(&checklist)[1..]
            .iter()
            .all(|(_, st)| st == "waiting")
    );
    // No tenant is made without credentials.
    let (s, _) = w.api("GET", &format!("/tenants/{CUSTOMER}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// A customer that brought its own application (credentials typed in with PUT /tenants) is
/// onboarded on those credentials: nothing is provisioned, and the partner is not needed (this
/// stack has no partner secret at all).
#[tokio::test]
async fn a_customer_with_its_own_application_is_onboarded_without_provisioning() {
    let w = World::with_customer().await;
    let (s, checklist) = w
        .api(
            "POST",
            &format!("/tenants/{TENANT}/linkedin/onboard"),
            Some(json!({"name": "Acme", "organization": ORGANIZATION})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{checklist}");
    assert_eq!(
        states(&checklist),
        pairs(&[
            ("application", "done"),
            ("integrationNames", "done"),
            ("callbackUrl", "done"),
            ("viewers", "done"),
            ("enablement", "waiting"),
        ]),
        "{checklist}"
    );
    assert!(
        checklist["steps"][0]["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("own application (client id {CLIENT_ID})")),
        "{checklist}"
    );
    assert!(w.sim.provisioned_apps().is_empty());
    let (_, tenant) = w.api("GET", &format!("/tenants/{TENANT}"), None).await;
    assert_eq!(tenant["linkedin"]["clientId"], CLIENT_ID);
}
