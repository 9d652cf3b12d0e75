//! Jobs and their tasks.

use super::*;

#[tokio::test]
async fn job_tasks_answer_in_progress_then_succeeded_and_store_the_job() {
    let (sim, t) = sync_sim().await;
    let (status, v) = submit_jobs(&[job("j-1"), job("j-2")], &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    let elements = v["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 2);
    assert!(elements.iter().all(|e| e["status"] == 202), "{v}");
    let tasks = task_ids(&v);
    assert!(tasks[0].starts_with("urn:li:simpleJobPostingTask:"));
    assert_ne!(tasks[0], tasks[1]);
    assert!(
        sim.synced(ORG).jobs.is_empty(),
        "stored when the task completes"
    );

    let ids: Vec<&str> = tasks.iter().map(String::as_str).collect();
    let (status, v) = poll_tasks(&ids, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    for task in &tasks {
        assert_eq!(v["results"][task], json!({"status": "IN_PROGRESS"}));
    }
    assert!(sim.synced(ORG).jobs.is_empty());

    let (_, v) = poll_tasks(&ids, &t).send(&sim).await;
    let first = v["results"][&tasks[0]].clone();
    assert_eq!(first["status"], "SUCCEEDED", "{v}");
    let posting = first["jobPosting"].as_str().unwrap().to_string();
    assert!(posting.starts_with("urn:li:jobPosting:"), "{posting}");
    assert_ne!(v["results"][&tasks[1]]["jobPosting"], first["jobPosting"]);
    let got = sim.synced(ORG);
    assert_eq!(got.jobs["j-1"], job("j-1"));
    assert_eq!(got.writes["job:j-1"], 1);

    // Later polls repeat the outcome without storing again.
    let (_, v) = poll_tasks(&ids[..1], &t).send(&sim).await;
    assert_eq!(v["results"][&tasks[0]], first);
    assert_eq!(sim.synced(ORG).writes["job:j-1"], 1);

    // Submitting the job again replaces LinkedIn's copy; its posting stays the same.
    let mut closed = job("j-1");
    closed["state"] = json!("CLOSED");
    let (_, v) = submit_jobs(&[closed.clone()], &t).send(&sim).await;
    let again = task_ids(&v);
    poll_tasks(&[&again[0]], &t).send(&sim).await;
    let (_, v) = poll_tasks(&[&again[0]], &t).send(&sim).await;
    assert_eq!(v["results"][&again[0]]["jobPosting"], posting.as_str());
    let got = sim.synced(ORG);
    assert_eq!(got.jobs["j-1"], closed);
    assert_eq!(got.writes["job:j-1"], 2);
    assert_eq!(
        requests(&sim),
        [
            req("jobs", 2, 200),
            req("jobTasks", 2, 200),
            req("jobTasks", 2, 200),
            req("jobTasks", 1, 200),
            req("jobs", 1, 200),
            req("jobTasks", 1, 200),
            req("jobTasks", 1, 200),
        ]
    );
    sim.shutdown();
}

#[tokio::test]
async fn an_older_task_completing_late_does_not_replace_a_newer_job() {
    let (sim, t) = sync_sim().await;
    let (_, v) = submit_jobs(&[job("j-1")], &t).send(&sim).await;
    let old = task_ids(&v).remove(0);
    let mut newer = job("j-1");
    newer["title"] = json!("Senior engineer");
    let (_, v) = submit_jobs(&[newer.clone()], &t).send(&sim).await;
    let new = task_ids(&v).remove(0);
    for _ in 0..2 {
        poll_tasks(&[&new], &t).send(&sim).await;
    }
    for _ in 0..2 {
        poll_tasks(&[&old], &t).send(&sim).await;
    }
    let got = sim.synced(ORG);
    assert_eq!(got.jobs["j-1"], newer);
    assert_eq!(got.writes["job:j-1"], 2);
    sim.shutdown();
}

#[tokio::test]
async fn job_elements_are_judged_one_by_one_in_order() {
    let (sim, t) = sync_sim().await;
    let mut long_title = job("j-long");
    long_title["title"] = json!("x".repeat(201));
    long_title.as_object_mut().unwrap().remove("description");
    let mut nowhere = job("j-nowhere");
    nowhere.as_object_mut().unwrap().remove("location");
    nowhere["countryCode"] = json!("DE");
    let mut wrong_values = job("j-wrong");
    wrong_values["state"] = json!("OPEN");
    wrong_values["listedAt"] = json!(0);
    wrong_values["companyApplyUrl"] = json!("ftp://jobs.example");
    wrong_values["availability"] = json!("SECRET");
    let mut elsewhere = job("j-elsewhere");
    elsewhere["integrationContext"] = json!(OTHER_ORG);
    let mut by_postal_code = job("j-postal");
    by_postal_code.as_object_mut().unwrap().remove("location");
    by_postal_code["countryCode"] = json!("DE");
    by_postal_code["postalCode"] = json!("10115");
    let mut exactly_200 = job("j-200");
    exactly_200["title"] = json!("é".repeat(200));

    let elements = [
        job("j-ok"),
        long_title,
        nowhere,
        wrong_values,
        elsewhere,
        json!("not a job"),
        json!({}),
        by_postal_code,
        exactly_200,
    ];
    let (status, v) = submit_jobs(&elements, &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    let answers = v["elements"].as_array().unwrap();
    let statuses: Vec<i64> = answers
        .iter()
        .map(|e| e["status"].as_i64().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [202, 400, 400, 400, 403, 400, 400, 202, 202],
        "{v}"
    );
    let long = message(&answers[1]);
    assert!(long.contains("title") && long.contains("200"), "{long}");
    assert!(long.contains("description is required"), "{long}");
    let nowhere = message(&answers[2]);
    assert!(
        nowhere.contains("location") && nowhere.contains("postalCode"),
        "{nowhere}"
    );
    let wrong = message(&answers[3]);
    for field in [
        "state",
        "OPEN",
        "listedAt",
        "companyApplyUrl",
        "availability",
    ] {
        assert!(wrong.contains(field), "{field} not in {wrong}");
    }
    assert!(message(&answers[4]).contains(OTHER_ORG), "{v}");
    assert!(message(&answers[5]).contains("JSON object"), "{v}");
    let empty = message(&answers[6]);
    for field in [
        "integrationContext",
        "externalJobPostingId",
        "title",
        "listedAt",
    ] {
        assert!(
            empty.contains(&format!("{field} is required")),
            "{field} not in {empty}"
        );
    }
    assert!(
        answers
            .iter()
            .all(|a| a.get("id").is_none() || a["status"] == 202)
    );
    sim.shutdown();
}

#[tokio::test]
async fn a_failed_task_says_why_and_stores_nothing() {
    let (sim, t) = sync_sim().await;
    sim.fail_job_task("j-1", "the location is unknown");
    let (_, v) = submit_jobs(&[job("j-1"), job("j-2")], &t).send(&sim).await;
    let tasks = task_ids(&v);
    let ids: Vec<&str> = tasks.iter().map(String::as_str).collect();
    let (_, v) = poll_tasks(&ids, &t).send(&sim).await;
    assert_eq!(v["results"][&tasks[0]]["status"], "IN_PROGRESS");
    let (_, v) = poll_tasks(&ids, &t).send(&sim).await;
    assert_eq!(
        v["results"][&tasks[0]],
        json!({"status": "FAILED", "message": "the location is unknown"})
    );
    assert_eq!(v["results"][&tasks[1]]["status"], "SUCCEEDED");
    let got = sim.synced(ORG);
    assert!(!got.jobs.contains_key("j-1"));
    assert!(!got.writes.contains_key("job:j-1"));
    assert!(got.jobs.contains_key("j-2"));
    sim.shutdown();
}

#[tokio::test]
async fn unknown_tasks_are_absent_from_results_and_404_in_errors() {
    let (sim, t) = sync_sim().await;
    sim.register_app(App {
        organization: OTHER_ORG.into(),
        ..app("child-2", None)
    });
    let other = token(&sim, "child-2").await;
    let (_, v) = submit_jobs(&[job("j-1")], &t).send(&sim).await;
    let mine = task_ids(&v).remove(0);
    let unknown = "urn:li:simpleJobPostingTask:00000000-0000-0000-0000-000000000000";

    let (status, v) = poll_tasks(&[&mine, unknown], &t).send(&sim).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"].as_object().unwrap().len(), 1, "{v}");
    assert_eq!(v["results"][&mine]["status"], "IN_PROGRESS");
    assert_eq!(v["errors"][unknown]["status"], 404, "{v}");

    // Another organization's caller does not see the task (and does not poll it).
    let (_, v) = poll_tasks(&[&mine], &other).send(&sim).await;
    assert_eq!(v["results"], json!({}));
    assert_eq!(v["errors"][&mine]["status"], 404);

    // The id with its colons literal in the URL, as the collection writes it, is the same task.
    let literal = Call {
        path: format!("/simpleJobPostingTasks?ids={mine}"),
        query: Vec::new(),
        ..poll_tasks(&[], &t)
    };
    let (_, v) = literal.send(&sim).await;
    assert_eq!(v["results"][&mine]["status"], "SUCCEEDED", "{v}");
    sim.shutdown();
}
