//! Candidates, applications and stages.

use super::*;

#[tokio::test]
async fn candidates_are_stored_as_sent() {
    let (sim, t) = sync_sim().await;
    let records = [("c-1", candidate("Ada")), ("c-2", candidate("Grace"))];
    let (status, v) = put_candidates(&records, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v,
        json!({
            "results": {
                candidate_key("c-1"): {"status": 204},
                candidate_key("c-2"): {"status": 204},
            },
            "errors": {},
        })
    );
    let got = sim.synced(ORG);
    assert_eq!(got.candidates["c-1"], candidate("Ada"));
    assert_eq!(got.candidates["c-2"], candidate("Grace"));
    assert_eq!(got.writes["candidate:c-1"], 1);
    assert_eq!(requests(&sim), [req("candidates", 2, 200)]);
    assert!(sim.synced(OTHER_ORG).candidates.is_empty());

    put_candidates(&[("c-1", candidate("Augusta"))], &t)
        .send(&sim)
        .await;
    let got = sim.synced(ORG);
    assert_eq!(got.candidates["c-1"]["firstName"], "Augusta");
    assert_eq!(got.writes["candidate:c-1"], 2);
    sim.shutdown();
}

#[tokio::test]
async fn candidate_rules_name_the_field() {
    let (sim, t) = sync_sim().await;
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "c-noname",
            candidate_with("firstName", None),
            vec!["firstName is required"],
        ),
        (
            "c-blank",
            candidate_with("firstName", Some(json!("  "))),
            vec!["firstName must not be empty"],
        ),
        (
            "c-email",
            candidate_with(
                "emailAddresses",
                Some(json!(["ok@example.com", "not-an-email", "a b@c.de"])),
            ),
            vec!["emailAddresses[1]", "not-an-email", "emailAddresses[2]"],
        ),
        (
            "c-nophones",
            candidate_with("phoneNumbers", None),
            vec!["phoneNumbers is required"],
        ),
        (
            "c-noaddresses",
            candidate_with("addresses", Some(Value::Null)),
            vec!["addresses is required", "addresses is null"],
        ),
        (
            "c-phone",
            candidate_with(
                "phoneNumbers",
                Some(json!([{"number": "1", "type": "MOBILE"}, {"extension": "2"}])),
            ),
            vec![
                "phoneNumbers[0].type is an unknown field",
                "phoneNumbers[1].number",
            ],
        ),
        (
            "c-null",
            candidate_with("currentJobTitle", Some(Value::Null)),
            vec!["currentJobTitle is null"],
        ),
        (
            "c-nullphone",
            candidate_with(
                "phoneNumbers",
                Some(json!([{"number": "1", "extension": null}])),
            ),
            vec!["phoneNumbers[0].extension is null"],
        ),
        (
            "c-noprofile",
            candidate_with("externalProfileUrl", None),
            vec!["externalProfileUrl is required"],
        ),
        (
            "c-profile",
            candidate_with("externalProfileUrl", Some(json!("ats.example/c"))),
            vec!["externalProfileUrl must be an http(s):// URL"],
        ),
        (
            "c-time",
            candidate_with("atsLastModifiedAt", Some(json!(1_600_000_000_000i64))),
            vec!["atsLastModifiedAt", "must not be before atsCreatedAt"],
        ),
        (
            "c-zero",
            candidate_with("atsCreatedAt", Some(json!(0))),
            vec!["atsCreatedAt must be epoch ms > 0"],
        ),
        (
            "c-dnc",
            candidate_with("doNotContact", Some(json!("yes"))),
            vec!["doNotContact must be true or false"],
        ),
        (
            "c-lastname",
            candidate_with("lastName", Some(json!(7))),
            vec!["lastName must be a string"],
        ),
    ];
    let mut records: Vec<(&str, Value)> = cases.iter().map(|(id, c, _)| (*id, c.clone())).collect();
    records.push(("c-ok", candidate("Ada")));
    // The collection's optional name parts are fine.
    let mut full = candidate("Ada");
    for (field, value) in [("middleInitial", "L"), ("prefix", "Mr"), ("suffix", "Jr")] {
        full[field] = json!(value);
    }
    records.push(("c-full", full));
    let (status, v) = put_candidates(&records, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    for (id, _, mentions) in &cases {
        let error = &v["errors"][candidate_key(id)];
        assert_eq!(error["status"], 400, "{id}: {v}");
        for m in mentions {
            assert!(message(error).contains(m), "{id}: {m:?} not in {error}");
        }
    }
    assert_eq!(v["results"].as_object().unwrap().len(), 2, "{v}");
    let got = sim.synced(ORG);
    assert_eq!(
        got.candidates.keys().collect::<Vec<_>>(),
        ["c-full", "c-ok"]
    );
    assert_eq!(got.writes.len(), 2);
    sim.shutdown();
}

#[tokio::test]
async fn an_application_update_replaces_it_and_nulls_what_it_leaves_out() {
    let (sim, t) = sync_sim().await;
    let (status, v) = put_applications(&[("a-1", application("c-1"))], &t)
        .send(&sim)
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"][application_key("a-1")]["status"], 204, "{v}");
    assert_eq!(sim.synced(ORG).applications["a-1"], application("c-1"));

    let partial = json!({
        "atsCandidateId": "c-1",
        "atsCreatedAt": 1_700_000_000_000i64,
        "atsLastModifiedAt": 1_700_000_500_000i64,
        "atsJobPostingId": "j-1",
        "source": "Agency",
    });
    put_applications(&[("a-1", partial)], &t).send(&sim).await;
    let got = sim.synced(ORG);
    let stored = got.applications["a-1"].as_object().unwrap();
    assert_eq!(stored.len(), APPLICATION_FIELDS.len(), "{stored:?}");
    assert_eq!(stored["source"], "Agency");
    assert_eq!(stored["atsLastModifiedAt"], 1_700_000_500_000i64);
    for field in [
        "atsJobPostingName",
        "candidateEmail",
        "firstName",
        "lastName",
        "dispositionReason",
    ] {
        assert_eq!(stored[field], Value::Null, "{field}");
    }
    assert_eq!(got.writes["application:a-1"], 2);
    sim.shutdown();
}

#[tokio::test]
async fn application_rules_name_the_field() {
    let (sim, t) = sync_sim().await;
    let mut bad_email = application("c-1");
    bad_email["candidateEmail"] = json!("ada-at-example");
    let mut no_job = application("c-1");
    no_job["atsJobPostingId"] = Value::Null;
    no_job.as_object_mut().unwrap().remove("atsCandidateId");
    let mut no_email = application("c-1");
    no_email.as_object_mut().unwrap().remove("candidateEmail");
    let mut null_email = application("c-1");
    null_email["candidateEmail"] = Value::Null;
    let (_, v) = put_applications(
        &[
            ("a-email", bad_email),
            ("a-nojob", no_job),
            ("a-noemail", no_email),
            ("a-nullemail", null_email),
        ],
        &t,
    )
    .send(&sim)
    .await;
    let email = &v["errors"][application_key("a-email")];
    assert!(message(email).contains("candidateEmail"), "{v}");
    let nojob = message(&v["errors"][application_key("a-nojob")]);
    assert!(nojob.contains("atsJobPostingId is required"), "{nojob}");
    assert!(nojob.contains("atsCandidateId is required"), "{nojob}");
    assert!(nojob.contains("atsJobPostingId is null"), "{nojob}");
    assert_eq!(
        v["results"][application_key("a-noemail")]["status"],
        204,
        "an absent optional field is fine: {v}"
    );
    let null = &v["errors"][application_key("a-nullemail")];
    assert_eq!(null["status"], 400, "{v}");
    assert!(message(null).contains("candidateEmail is null"), "{null}");
    sim.shutdown();
}

#[tokio::test]
async fn records_of_another_organization_are_forbidden() {
    let (sim, t) = sync_sim().await;
    let mut call = update(
        "/atsCandidates",
        "atsCandidateId",
        OTHER_ORG,
        &[("c-1", candidate("Ada"))],
        &t,
    );
    call.query = ids_query("atsCandidateId", &["c-1"], OTHER_ORG);
    let (status, v) = call.send(&sim).await;
    assert_eq!(status, 200, "{v}");
    let error = &v["errors"][key("atsCandidateId", "c-1", OTHER_ORG)];
    assert_eq!(error["status"], 403, "{v}");
    assert!(message(error).contains("integrationContext"), "{error}");

    let other_app = encode(&key("atsJobApplicationId", "a-1", OTHER_ORG));
    let (_, v) = put_stages(&other_app, &[("1-aa", stage("Hired", 1))], &t)
        .send(&sim)
        .await;
    assert_eq!(v["errors"]["1-aa"]["status"], 403, "{v}");
    assert_eq!(sim.synced(ORG).writes.len(), 0);
    assert_eq!(sim.synced(OTHER_ORG), Synced::default());
    sim.shutdown();
}

// ---------------------------------------------------------------------------------------------
// Stages

#[tokio::test]
async fn stages_are_stored_per_application() {
    let (sim, t) = sync_sim().await;
    // The key percent-encoded once more in the path, as a client encoding a segment does.
    let encoded = encode(&application_key("a-1"));
    let stages = [
        (
            "1700000000000-0a1b2c3d",
            stage("Phone screen", 1_700_000_000_000),
        ),
        ("1700000100000-4e5f6a7b", stage("Hired", 1_700_000_100_000)),
    ];
    let (status, v) = put_stages(&encoded, &stages, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"]["1700000000000-0a1b2c3d"]["status"], 204, "{v}");
    assert_eq!(v["errors"], json!({}));
    // The key string itself in the path.
    let raw = application_key("a-2");
    let (status, v) = put_stages(&raw, &stages[..1], &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    // The same stage again changes nothing but the count.
    put_stages(&encoded, &stages[..1], &t).send(&sim).await;

    let got = sim.synced(ORG);
    assert_eq!(got.stages["a-1"].len(), 2);
    assert_eq!(got.stages["a-1"]["1700000100000-4e5f6a7b"], stages[1].1);
    assert_eq!(got.stages["a-2"].len(), 1);
    assert_eq!(got.writes["stage:a-1:1700000000000-0a1b2c3d"], 2);
    assert_eq!(got.writes["stage:a-2:1700000000000-0a1b2c3d"], 1);
    assert_eq!(
        requests(&sim),
        [
            req("stages", 2, 200),
            req("stages", 1, 200),
            req("stages", 1, 200)
        ]
    );
    sim.shutdown();
}

#[tokio::test]
async fn a_stage_not_available_is_refused() {
    let (sim, t) = sync_sim().await;
    let path = encode(&application_key("a-1"));
    let stages = [
        ("1-aaaaaaaa", stage("Not Available", 1)),
        ("2-bbbbbbbb", stage(" not available ", 2)),
        ("3-cccccccc", stage("", 3)),
        ("4-dddddddd", stage("Hired", 0)),
        ("5-eeeeeeee", stage("Hired", 5)),
    ];
    let (status, v) = put_stages(&path, &stages, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    for (id, mention) in [
        ("1-aaaaaaaa", "Not Available"),
        ("2-bbbbbbbb", "not available"),
        ("3-cccccccc", "stage must not be empty"),
        ("4-dddddddd", "atsCreatedAt"),
    ] {
        assert_eq!(v["errors"][id]["status"], 400, "{id}: {v}");
        assert!(message(&v["errors"][id]).contains(mention), "{id}: {v}");
    }
    let got = sim.synced(ORG);
    assert_eq!(got.stages["a-1"].keys().collect::<Vec<_>>(), ["5-eeeeeeee"]);
    sim.shutdown();
}

// ---------------------------------------------------------------------------------------------
