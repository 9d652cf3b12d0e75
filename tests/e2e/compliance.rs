//! Closed LinkedIn profiles: the daily review flags the candidates among them; with the tenant's
//! opt-in their LinkedIn-sourced data is deleted, and nobody else's.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;

async fn review(w: &World) -> Value {
    let (s, v) = w
        .api("POST", "/_local/schedules/ComplianceReviewFunction", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["result"].clone()
}

async fn purged(w: &World) -> Vec<Value> {
    let (s, v) = w
        .api("GET", &format!("/tenants/{TENANT}/compliance/purged"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn closed_profiles_are_flagged_and_deleted_only_with_opt_in() {
    let w = World::with_customer().await;
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.export(&person("grace", "Grace", "Hopper"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    let ada = w.candidate_of("ada").await.expect("Ada imported");
    let ada_id = ada["candidateId"].as_str().unwrap().to_owned();
    // LinkedIn reports Ada's profile closed, and a member who was never exported here.
    w.sim
        .purge_member(ORGANIZATION, "urn:li:person:ada", Some(1_700_000_000_000));
    w.sim
        .purge_member(ORGANIZATION, "urn:li:person:stranger", None);

    let r = review(&w).await;
    assert_eq!(
        (
            r["listed"].as_u64(),
            r["flagged"].as_u64(),
            r["deleted"].as_u64()
        ),
        (Some(2), Some(1), Some(0)),
        "{r}"
    );
    let flags = purged(&w).await;
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0]["candidateId"], ada_id.as_str());
    assert_eq!(flags[0]["member"], "urn:li:person:ada");
    assert!(flags[0].get("deletedAt").is_none());
    // Without the opt-in, nothing is deleted; a second review flags nothing new.
    let path = format!("/tenants/{TENANT}/candidates/{ada_id}");
    assert_eq!(w.api("GET", &path, None).await.0, StatusCode::OK);
    assert_eq!(review(&w).await["flagged"], 0);

    let (s, t) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}"),
            Some(
                json!({"name": "Acme", "organization": ORGANIZATION, "deletePurgedData": true,
                        "linkedin": {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}}),
            ),
        )
        .await;
    assert_eq!(
        (s, t["deletePurgedData"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let r = review(&w).await;
    assert_eq!(r["deleted"], 1, "{r}");
    assert_eq!(w.api("GET", &path, None).await.0, StatusCode::NOT_FOUND);
    let flags = purged(&w).await;
    assert!(flags[0]["deletedAt"].is_string(), "{flags:?}");
    // Grace is untouched.
    assert!(w.candidate_of("grace").await.is_some());
    assert_eq!(review(&w).await["deleted"], 0, "deleted once");
    // The ATS heard that Ada's profile closed, then that her candidate went: once each.
    assert_eq!(
        crate::events::named(&w, &["ProfileClosed", "CandidateDeleted"]).await,
        [
            ("ProfileClosed".to_owned(), ada_id.clone()),
            ("CandidateDeleted".to_owned(), ada_id.clone())
        ]
    );
}
