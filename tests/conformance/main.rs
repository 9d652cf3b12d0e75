//! LinkedIn's published requests hold both sides: the simulator must answer them as LinkedIn
//! would, and the client must send exactly them. `tests/linkedin-reference/requests.json` lists
//! every request the client makes, spelt as LinkedIn's Postman collection (or, where it has none,
//! its documentation) spells it; these tests read it.
//!
//! - Replayed against the simulator (with the partner application's token where the collection
//!   uses it: provisioning), each request is answered 2xx; the same request with its keys
//!   in Rest.li 2.0 syntax (what the client sent before) is answered 400, as LinkedIn reads a
//!   request without the 2.0 header as 1.0.
//! - The request the client sends for the same operation (as the simulator recorded it) has the
//!   same method, path, query names and values, Rest.li method header and body keys.
//!
//! Together they hold the client and the simulator to LinkedIn rather than to each other: a
//! spelling changed on either side, by one character, fails one of them.

mod fixtures;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;

use fixtures::{Fixture, Seeded, body_keys, decoded_query, encode_query, fill, seed, to_restli2};
use serde_json::Value;
use shared::linkedin::{
    Integration, IntegrationType, LinkedIn, NewApplication, NoteOwner, Paging, RecordOutcome, wire,
};

#[tokio::test]
async fn linkedin_requests_are_answered_2xx_by_the_simulator() {
    let mut s = seed().await;
    let tokens = s.tokens().await;
    for f in fixtures::load() {
        if f.operation == "token" {
            continue;
        }
        let (status, answer) = s.replay(&f, tokens.of(&f)).await;
        assert!(
            (200..300).contains(&status),
            "{} ({}): the simulator answered {status}: {answer}",
            f.operation,
            f.source
        );
        // A batch answers 2xx as a whole and may still refuse records one by one.
        let refused_records = answer["errors"].as_object().is_some_and(|e| !e.is_empty())
            || answer["elements"].as_array().is_some_and(|els| {
                els.iter()
                    .any(|e| e["status"].as_u64().is_some_and(|s| s >= 400))
            });
        assert!(
            !refused_records,
            "{}: the simulator refused records of LinkedIn's own request: {answer}",
            f.operation
        );
        s.capture(&f, &answer);
    }
}

#[tokio::test]
async fn restli_2_spelling_of_the_same_requests_is_refused() {
    let mut s = seed().await;
    let tokens = s.tokens().await;
    let mut checked = 0;
    for f in fixtures::load() {
        if f.operation == "token" {
            continue;
        }
        // Earlier requests first, as LinkedIn's spelling, so that later ones have what they need.
        let (_, answer) = s.replay(&f, tokens.of(&f)).await;
        s.capture(&f, &answer);
        let Some(old) = to_restli2(&f) else {
            continue;
        };
        let (status, answer) = s.replay(&old, tokens.of(&old)).await;
        assert_eq!(
            status,
            400,
            "{}: the Rest.li 2.0 spelling {} ?{} got {status}: {answer}",
            f.operation,
            old.path,
            encode_query(&old.query)
        );
        checked += 1;
    }
    assert_eq!(checked, 30, "requests that carry keys");
}

#[tokio::test]
async fn the_client_sends_what_linkedin_publishes() {
    let mut s = seed().await;
    let li = LinkedIn::new(s.sim.api_url(), s.sim.auth_url())
        .unwrap()
        .with_rest(Some(s.sim.rest_url()), None);
    let creds = s.creds();
    let partner =
        shared::secrets::LinkedInCredentials::new(fixtures::PARTNER_ID, fixtures::PARTNER_SECRET);
    let org = fixtures::ORGANIZATION;
    let window = (fixtures::WINDOW_START, fixtures::WINDOW_END);
    let mut checked = BTreeSet::new();
    for f in fixtures::load() {
        s.sim.clear_calls();
        let op = f.operation.as_str();
        match op {
            "token" => {
                // The token is fetched by the first call of a fresh client.
                let fresh = LinkedIn::new(s.sim.api_url(), s.sim.auth_url()).unwrap();
                fresh
                    .seats(&creds, fixtures::CONTRACT, Paging::first(1))
                    .await
                    .unwrap();
            }
            "exported_candidate" => {
                let got = li
                    .exported_candidate(&creds, &s.vars["exportRequestId"], 0)
                    .await
                    .unwrap();
                assert!(got.is_some(), "the seeded export is found");
            }
            "integration_changes" => {
                let got = li
                    .integration_changes(&creds, &s.vars["statusRequestId"])
                    .await
                    .unwrap();
                assert_eq!(got.len(), 1);
            }
            "provision_application" => {
                let domains = ["https://ats.example.com".to_owned()];
                let child = li
                    .provision_application(
                        &partner,
                        &NewApplication {
                            name: "Acme ATS - Globex",
                            description: "Globex's Recruiter System Connect application",
                            unique_foreign_id: fixtures::UNIQUE_FOREIGN_ID,
                            js_sdk_domains: &domains,
                        },
                    )
                    .await
                    .unwrap();
                let provisioned = s.sim.provisioned_apps();
                assert_eq!(provisioned.len(), 1);
                assert_eq!(
                    (child.client_id.as_str(), child.client_secret.as_deref()),
                    (
                        provisioned[0].client_id.as_str(),
                        Some(provisioned[0].client_secret.as_str())
                    )
                );
                s.vars.insert("applicationUrn".into(), child.urn);
            }
            "provisioned_application" => {
                let child = li
                    .provisioned_application(&partner, fixtures::UNIQUE_FOREIGN_ID)
                    .await
                    .unwrap()
                    .expect("the child provisioned before is found");
                assert_eq!(child.urn, s.vars["applicationUrn"]);
            }
            "set_js_sdk_domains" => {
                let domains = [
                    "https://ats.example.com".to_owned(),
                    "https://careers.example.com".to_owned(),
                ];
                li.set_js_sdk_domains(&partner, &s.vars["applicationUrn"], &domains)
                    .await
                    .unwrap();
                assert_eq!(s.sim.provisioned_apps()[0].valid_js_sdk_domains, domains);
            }
            "name_integrations" => {
                let integration = integration_named_by(&f);
                let name = integration.kind.collection_name("Globex");
                let got = li
                    .name_integrations(&creds, &[(integration.clone(), name)])
                    .await
                    .unwrap();
                assert_eq!(got, [(integration, RecordOutcome::Accepted)]);
            }
            "integration_states" => {
                // The collection's order.
                let all = [
                    Integration::new(org, IntegrationType::InAtsIndicator),
                    Integration::new(org, IntegrationType::ProfilePlugin),
                    Integration::new(org, IntegrationType::OneClickExport),
                    Integration::new(fixtures::CONTRACT, IntegrationType::CsaApi),
                ];
                let got = li.integration_states(&creds, &all).await.unwrap();
                assert!(
                    got.iter()
                        .all(|(_, s)| s.as_ref().is_some_and(|s| s.name.is_some() && !s.enabled())),
                    "named, not yet enabled: {got:?}"
                );
                s.sim.enable_integrations(fixtures::CLIENT_ID);
                let got = li.integration_states(&creds, &all).await.unwrap();
                assert!(
                    got.iter()
                        .all(|(_, s)| s.as_ref().is_some_and(|s| s.enabled())),
                    "{got:?}"
                );
            }
            "register_callback" => li
                .register_callback(&creds, org, &s.vars["callbackUrl"])
                .await
                .unwrap(),
            "set_configuration" => {
                let name = f.query_values("ids")[0];
                li.set_configuration(&creds, org, name, "ALL_PRODUCT_USERS")
                    .await
                    .unwrap();
            }
            "remove_configuration" => {
                let name = f.query_values("ids")[0];
                li.remove_configuration(&creds, org, name).await.unwrap();
                // Removing what is not set (any more) is done too.
                li.remove_configuration(&creds, org, name).await.unwrap();
            }
            "registered_callback" => {
                let got = li.registered_callback(&creds, org).await.unwrap();
                assert_eq!(got.as_ref(), Some(&s.vars["callbackUrl"]));
            }
            "inmails" => {
                li.inmails(
                    &creds,
                    fixtures::SEAT,
                    window,
                    Paging::first(Paging::INMAILS),
                )
                .await
                .unwrap();
            }
            "stubs" => {
                li.stubs(
                    &creds,
                    fixtures::CONTRACT,
                    fixtures::SEAT,
                    window,
                    Paging::first(Paging::STUBS),
                )
                .await
                .unwrap();
            }
            "notes" => {
                li.notes(
                    &creds,
                    fixtures::CONTRACT,
                    fixtures::SEAT,
                    window,
                    Paging::first(Paging::NOTES),
                )
                .await
                .unwrap();
            }
            "seats" => {
                li.seats(&creds, fixtures::CONTRACT, Paging::first(Paging::LISTS))
                    .await
                    .unwrap();
            }
            "purged_candidates" => {
                let got = li
                    .purged_candidates(&creds, org, Paging::first(Paging::LISTS))
                    .await
                    .unwrap();
                assert_eq!(got.elements.len(), 1, "the seeded closed profile is listed");
            }
            "submit_jobs" => {
                let answers = li.submit_jobs(&creds, &[fixtures::job()]).await.unwrap();
                let task = answers[0].clone().expect("LinkedIn accepts the job");
                s.vars.insert("taskId".into(), task);
            }
            "job_tasks" => {
                let tasks = li
                    .job_tasks(&creds, &[s.vars["taskId"].clone()])
                    .await
                    .unwrap();
                assert!(tasks.contains_key(&s.vars["taskId"]), "{tasks:?}");
            }
            "update_candidates" => {
                let got = li
                    .update_candidates(&creds, org, &[("c-1".into(), fixtures::candidate())])
                    .await
                    .unwrap();
                assert_eq!(got["c-1"], shared::linkedin::RecordOutcome::Accepted);
            }
            "attach_members" => {
                let got = li
                    .attach_members(&creds, org, &[("c-1".into(), fixtures::MEMBER.into())])
                    .await
                    .unwrap();
                assert_eq!(got["c-1"], shared::linkedin::RecordOutcome::Accepted);
            }
            "update_applications" => {
                let got = li
                    .update_applications(&creds, org, &[("a-1".into(), fixtures::application())])
                    .await
                    .unwrap();
                assert_eq!(got["a-1"], shared::linkedin::RecordOutcome::Accepted);
            }
            "update_stages" => {
                let stage = |at, stage: &str| wire::AtsStage {
                    ats_created_at: at,
                    stage: stage.into(),
                };
                let got = li
                    .update_stages(
                        &creds,
                        org,
                        "a-1",
                        &[
                            ("STAGE001".into(), stage(1_700_000_000_000, "New")),
                            (
                                "STAGE002".into(),
                                stage(1_700_000_600_000, "Phone Interview"),
                            ),
                        ],
                    )
                    .await
                    .unwrap();
                assert!(
                    got.values()
                        .all(|o| *o == shared::linkedin::RecordOutcome::Accepted),
                    "{got:?}"
                );
            }
            "candidate_matches" => {
                let got = li
                    .candidate_matches(&creds, org, &["c-1".into(), "c-404".into()])
                    .await
                    .unwrap();
                assert_eq!(got.len(), 1, "only the candidate LinkedIn holds: {got:?}");
                assert_eq!(got["c-1"]["manualMatchedMember"], fixtures::MEMBER);
                // The fixture asks for one candidate: so does the compared request.
                li.candidate_matches(&creds, org, &["c-1".into()])
                    .await
                    .unwrap();
            }
            "update_notes" => {
                let id = f.query_values("ids")[0].to_owned();
                let got = li
                    .update_notes(
                        &creds,
                        org,
                        note_owner(&f),
                        &[(id.clone(), fixtures::note())],
                    )
                    .await
                    .unwrap();
                assert_eq!(got[&id], RecordOutcome::Accepted);
            }
            "delete_notes" => {
                let id = f.query_values("ids")[0].to_owned();
                let got = li
                    .delete_notes(&creds, org, note_owner(&f), std::slice::from_ref(&id))
                    .await
                    .unwrap();
                assert_eq!(got[&id], RecordOutcome::Accepted);
                // Deleting it again is done too: LinkedIn does not hold it.
                let again = li
                    .delete_notes(&creds, org, note_owner(&f), std::slice::from_ref(&id))
                    .await
                    .unwrap();
                assert_eq!(again[&id], RecordOutcome::Accepted);
            }
            "update_interview_feedback" => {
                let got = li
                    .update_interview_feedback(
                        &creds,
                        org,
                        "a-1",
                        &[("fb-1".into(), fixtures::interview_feedback())],
                    )
                    .await
                    .unwrap();
                assert_eq!(got["fb-1"], RecordOutcome::Accepted);
            }
            "delete_interview_feedback" => {
                let got = li
                    .delete_interview_feedback(&creds, org, "a-1", &["fb-1".into()])
                    .await
                    .unwrap();
                assert_eq!(got["fb-1"], RecordOutcome::Accepted);
            }
            "delete_stages" => {
                let ids: Vec<String> = f
                    .query_values("ids")
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                let got = li.delete_stages(&creds, org, "a-1", &ids).await.unwrap();
                assert!(
                    got.len() == ids.len() && got.values().all(|o| *o == RecordOutcome::Accepted),
                    "{got:?}"
                );
            }
            "delete_applications" => {
                let got = li
                    .delete_applications(&creds, org, &["a-1".into()])
                    .await
                    .unwrap();
                assert_eq!(got["a-1"], RecordOutcome::Accepted);
            }
            "delete_candidates" => {
                let got = li
                    .delete_candidates(&creds, org, &["c-1".into()])
                    .await
                    .unwrap();
                assert_eq!(got["c-1"], RecordOutcome::Accepted);
                assert_eq!(
                    s.sim.synced(org).leftovers(),
                    Vec::<String>::new(),
                    "everything the client wrote is deleted"
                );
            }
            "upsert_entity_acls" => {
                let got = li
                    .upsert_entity_acls(&creds, org, &[("team".into(), fixtures::acl())])
                    .await
                    .unwrap();
                assert_eq!(got["team"], RecordOutcome::Accepted);
            }
            "entity_acls" => {
                let got = li.entity_acls(&creds, org, "j-1").await.unwrap();
                assert_eq!(got, [fixtures::acl()]);
            }
            "delete_entity_acls" => {
                let got = li
                    .delete_entity_acls(&creds, org, &[("team".into(), fixtures::acl())])
                    .await
                    .unwrap();
                assert_eq!(got["team"], RecordOutcome::Accepted);
                assert!(s.sim.synced(org).acls.is_empty());
            }
            "upsert_acl_assignees" => {
                let got = li
                    .upsert_acl_assignees(&creds, org, &[("rita".into(), fixtures::assignee())])
                    .await
                    .unwrap();
                assert_eq!(got["rita"], RecordOutcome::Accepted);
            }
            "acl_assignees" => {
                let got = li
                    .acl_assignees(&creds, org, fixtures::MEMBER)
                    .await
                    .unwrap();
                assert_eq!(got, [fixtures::assignee()]);
            }
            "delete_acl_assignees" => {
                let got = li
                    .delete_acl_assignees(&creds, org, &[("rita".into(), fixtures::assignee())])
                    .await
                    .unwrap();
                assert_eq!(got["rita"], RecordOutcome::Accepted);
                assert!(s.sim.synced(org).acl_assignees.is_empty());
            }
            other => panic!("the fixture names an operation this test does not drive: {other}"),
        }
        let sent = s.sent(&f);
        compare(&fill(&f, &s.vars), &sent);
        checked.insert(op.to_owned());
    }
    assert!(checked.len() >= 37, "{checked:?}");
}

/// The candidate or application a notes fixture's path names (`c-1` or `a-1`).
fn note_owner(f: &Fixture) -> NoteOwner<'static> {
    if f.path.starts_with("/atsCandidates/") {
        NoteOwner::Candidate("c-1")
    } else {
        NoteOwner::Application("a-1")
    }
}

/// The integration a naming fixture names: its type as the fixture spells it, in our seeded
/// organization or contract.
fn integration_named_by(f: &Fixture) -> Integration {
    let spelled = f.query_values("ids[0].integrationType")[0];
    let kind = IntegrationType::parse(spelled)
        .unwrap_or_else(|| panic!("{}: the client has no type {spelled}", f.source));
    let context = if kind.per_contract() {
        fixtures::CONTRACT
    } else {
        fixtures::ORGANIZATION
    };
    Integration::new(context, kind)
}

/// What the simulator recorded of the client's request.
#[derive(Debug)]
pub struct Sent {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: BTreeMap<String, String>,
    pub body: Option<Value>,
    pub form_keys: Vec<String>,
}

fn compare(want: &Fixture, sent: &Sent) {
    let what = &want.operation;
    assert_eq!(sent.method, want.method, "{what}: method");
    assert_eq!(sent.path, want.full_path(), "{what}: path");
    let mut got_query = sent.query.clone();
    let mut want_query = decoded_query(&want.query);
    got_query.sort();
    want_query.sort();
    assert_eq!(got_query, want_query, "{what}: query names and values");
    assert_eq!(
        sent.headers.get("x-restli-method"),
        want.headers.get("x-restli-method"),
        "{what}: x-restli-method"
    );
    assert_eq!(
        sent.headers.get("x-restli-protocol-version"),
        None,
        "{what}: no protocol version header (LinkedIn reads 1.0)"
    );
    if let Some(v) = want.headers.get("linkedin-version") {
        assert_eq!(sent.headers.get("linkedin-version"), Some(v), "{what}");
    }
    match (&want.body, &sent.body) {
        (Some(w), Some(g)) => assert_eq!(body_keys(g), body_keys(w), "{what}: body keys"),
        (None, None) => {}
        (w, g) => panic!("{what}: body expected {w:?}, sent {g:?}"),
    }
    if !want.form.is_empty() {
        let mut got = sent.form_keys.clone();
        let mut expected = want.form.clone();
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{what}: form fields");
    }
}

/// Tells the conformance tests' own helpers apart from the scenario: the callback that answers
/// LinkedIn's challenge.
pub async fn callback_server(secret: String) -> SocketAddr {
    use axum::extract::Query;
    let app = axum::Router::new().route(
        "/callback",
        axum::routing::get(move |Query(q): Query<HashMap<String, String>>| {
            let secret = secret.clone();
            async move {
                let code = q.get("challengeCode").cloned().unwrap_or_default();
                let code =
                    shared::webhook::ChallengeCode::parse(&code).expect("LinkedIn sends a UUID");
                axum::Json(shared::webhook::answer_challenge(&secret, &code))
            }
        })
        .post(|| async { axum::http::StatusCode::OK }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

impl Seeded {
    fn creds(&self) -> shared::secrets::LinkedInCredentials {
        shared::secrets::LinkedInCredentials::new(fixtures::CLIENT_ID, fixtures::CLIENT_SECRET)
    }
}
