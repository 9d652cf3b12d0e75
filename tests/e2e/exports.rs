//! The profile-export path: notification → exports queue → export-import → candidate.

use std::time::Duration;

use linkedin_sim::{Fault, FaultKind};
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn export_creates_a_candidate_with_an_application_and_only_allowed_fields() {
    let w = World::with_customer().await;
    let push = w
        .export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    assert_eq!(push.status, Some(202), "{}", push.body);
    w.settle().await;

    let candidates = w.candidates().await;
    assert_eq!(candidates.len(), 1);
    let c = &candidates[0];
    assert_eq!(c["member"], "urn:li:person:ada");
    assert_eq!(c["firstName"], "Ada");
    assert_eq!(c["lastName"], "Lovelace");
    assert_eq!(c["location"], "Berlin, DE");
    assert_eq!(c["currentCompany"], "Initech");
    assert_eq!(c["source"], "LinkedIn");
    let apps = c["applications"].as_array().unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["jobId"], JOB_ENG);
    assert_eq!(apps[0]["source"], "LinkedIn");
    assert_eq!(apps[0]["contractId"], ACTIVE);
    assert_eq!(apps[0]["exportedBy"], "urn:li:seat:9001");

    // Nothing LinkedIn sent beyond the four allowed fields was stored anywhere in the table.
    let table = format!("{:?}", w.snapshot().await);
    assert!(
        !table.contains("FORBIDDEN") && !table.contains("forbidden"),
        "forbidden data stored: {table}"
    );
    assert!(!table.contains("example.com"));

    let exports = w.exports().await;
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0]["status"], "imported");
    assert_eq!(exports[0]["requestId"], push.request_id.as_str());
    assert_eq!(exports[0]["candidateId"], c["candidateId"]);
}

#[tokio::test]
async fn re_export_to_a_second_job_adds_an_application_not_a_candidate() {
    let w = World::with_customer().await;
    let ada = person("ada", "Ada", "Lovelace");
    w.export(&ada, ACTIVE, JOB_ENG).await;
    w.settle().await;
    w.export(&ada, ACTIVE, JOB_PM).await;
    w.settle().await;

    let candidates = w.candidates().await;
    assert_eq!(candidates.len(), 1, "one person is one candidate");
    let mut jobs: Vec<&str> = candidates[0]["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["jobId"].as_str().unwrap())
        .collect();
    jobs.sort();
    assert_eq!(jobs, [JOB_ENG, JOB_PM]);

    // The member filter finds the same candidate.
    let (_, found) = w
        .api(
            "GET",
            &format!("/tenants/{TENANT}/candidates?member=urn:li:person:ada"),
            None,
        )
        .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        found["items"][0]["candidateId"],
        candidates[0]["candidateId"]
    );
}

#[tokio::test]
async fn duplicate_notification_imports_once() {
    let w = World::with_customer().await;
    let first = w
        .export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    assert_eq!(first.status, Some(202));
    w.settle().await;
    // The webhook does not remember notifications (one AWS call per request): the second
    // delivery is acknowledged and enqueued, and export-import drops it by its request id.
    let again = w.sim.resend(&first.notification_id).await.unwrap();
    assert_eq!(
        again.status,
        Some(202),
        "a notification delivered again is acknowledged: {}",
        again.body
    );
    w.settle().await;

    assert_eq!(w.candidates().await.len(), 1);
    assert_eq!(w.exports().await.len(), 1);
    let ada = w.candidate_of("ada").await.unwrap();
    assert_eq!(ada["applications"].as_array().unwrap().len(), 1);
    assert_eq!(
        w.linkedin_calls("/exportedCandidates"),
        1,
        "the second delivery was dropped before any LinkedIn call"
    );
}

/// A second delivery while the first is still being imported: the request id is claimed before
/// LinkedIn is asked, so LinkedIn is asked once, and there is one candidate, one application and
/// one export record.
#[tokio::test]
async fn a_duplicate_racing_the_first_import_still_imports_once() {
    let w = World::with_customer().await;
    let first = w
        .export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    let again = w.sim.resend(&first.notification_id).await.unwrap();
    assert_eq!((first.status, again.status), (Some(202), Some(202)));
    w.settle().await;

    assert_eq!(w.candidates().await.len(), 1);
    assert_eq!(w.exports().await.len(), 1);
    let ada = w.candidate_of("ada").await.unwrap();
    assert_eq!(ada["applications"].as_array().unwrap().len(), 1);
    assert_eq!(w.linkedin_calls("/exportedCandidates"), 1);
}

/// The webhook's warm path costs one AWS request per notification, the enqueue: whether the
/// tenant is registered and its secret are read once per container and cached.
#[tokio::test]
async fn a_warm_webhook_makes_one_aws_call_per_notification() {
    let w = World::with_customer().await;
    let counter = local_stack::counting::CountRequests::default();
    let clients = counter.clients(&local_stack::local_sdk_config(moto()).await);
    let env = shared::config::Env::from_map(w.stack.environments["export-webhook"].clone());
    let webhook = export_webhook::ExportWebhook::new(
        &clients,
        export_webhook::Config::from_env(&env).unwrap(),
        shared::clock::system(),
    );
    let notification = |i: usize| {
        let body =
            json!({"notificationId": format!("n-warm-{i}"), "type": "EXPORT_CANDIDATE_PROFILE",
                          "requestId": format!("r-warm-{i}")})
            .to_string();
        let event = json!({
            "version": "2.0", "routeKey": "POST /linkedin/{tenantId}/events",
            "rawPath": format!("/linkedin/{TENANT}/events"),
            "headers": {"content-type": "application/json",
                        "x-li-signature": sign(CLIENT_SECRET, body.as_bytes())},
            "pathParameters": {"tenantId": TENANT},
            "requestContext": {"http": {"method": "POST", "path": format!("/linkedin/{TENANT}/events")},
                               "requestId": format!("api-{i}")},
            "body": body, "isBase64Encoded": false,
        });
        serde_json::from_value(event).unwrap()
    };

    let mut per_request = Vec::new();
    for i in 0..3 {
        let answer = webhook.handle(notification(i)).await;
        assert_eq!(answer.status_code, 202, "{:?}", answer.body);
        per_request.push(counter.take());
    }
    let counts = |ops: &[(&str, usize)]| {
        ops.iter()
            .map(|(op, n)| (op.to_string(), *n))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    assert_eq!(
        per_request[0],
        counts(&[
            ("GetItem", 1),
            ("secretsmanager.GetSecretValue", 1),
            ("AmazonSQS.SendMessage", 1)
        ]),
        "the first request reads the tenant and its secret"
    );
    for later in &per_request[1..] {
        assert_eq!(later, &counts(&[("AmazonSQS.SendMessage", 1)]));
    }
}

/// An export's warm path: the claim, the import's transaction (which checks the contract and the
/// seat instead of reading them) and the query for activity waiting for the member, plus the
/// day's LinkedIn call count (one per invocation and tenant). The job is read once per
/// container (jobs are never removed: `cache::KnownJobs`), and the tenant once.
#[tokio::test]
async fn a_warm_import_makes_three_requests_and_counts_its_call() {
    let w = World::with_customer().await;
    // LinkedIn keeps the exports but does not push them: this test delivers them itself.
    w.sim.register_app(linkedin_sim::App {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        organization: ORGANIZATION.into(),
        callback_url: None,
    });
    let counter = local_stack::counting::CountRequests::default();
    let clients = counter.clients(&local_stack::local_sdk_config(moto()).await);
    let env = shared::config::Env::from_map(w.stack.environments["export-import"].clone());
    let import = export_import::ExportImport::new(
        &clients,
        export_import::Config::from_env(&env).unwrap(),
        shared::clock::system(),
    )
    .unwrap();
    let arn = w
        .stack
        .resources
        .attributes
        .get(&("ExportsQueue".to_owned(), "Arn".to_owned()))
        .unwrap()
        .clone();
    let mut per_export = Vec::new();
    for (member, first, last) in [("ada", "Ada", "Lovelace"), ("grace", "Grace", "Hopper")] {
        let push = w
            .export(&person(member, first, last), ACTIVE, JOB_ENG)
            .await;
        let body = json!({"tenantId": TENANT, "notificationId": format!("n-{member}"),
                          "kind": "EXPORT_CANDIDATE_PROFILE", "requestId": push.request_id,
                          "receivedAt": 0});
        let event = json!({"Records": [{
            "messageId": format!("m-{member}"), "receiptHandle": format!("rh-{member}"),
            "body": body.to_string(),
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0",
                           "SenderId": "test", "ApproximateFirstReceiveTimestamp": "0"},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": arn, "awsRegion": local_stack::REGION,
        }]});
        let answer = import.handle(serde_json::from_value(event).unwrap()).await;
        assert!(answer.batch_item_failures.is_empty(), "{answer:?}");
        per_export.push(counter.take());
    }
    let get_items = |i: usize| per_export[i].get("GetItem").copied().unwrap_or(0);
    assert_eq!(
        get_items(0) - get_items(1),
        2,
        "the second export reads neither the tenant nor the job: {per_export:?}"
    );
    let ops = |i: usize, op: &str| per_export[i].get(op).copied().unwrap_or(0);
    assert_eq!(ops(1, "GetItem"), 0, "{:?}", per_export[1]);
    assert_eq!(ops(1, "PutItem"), 1, "the claim");
    assert_eq!(
        ops(1, "TransactWriteItems"),
        1,
        "the import, with its checks"
    );
    assert_eq!(ops(1, "Query"), 1, "activity waiting for the member");
    assert_eq!(ops(1, "UpdateItem"), 1, "the day's LinkedIn calls");
    let warm: usize = per_export[1]
        .iter()
        .filter(|(op, _)| !op.starts_with("Amazon") && !op.starts_with("secretsmanager"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(warm, 4, "{:?}", per_export[1]);
    w.settle().await;
    assert!(w.candidate_of("grace").await.is_some());
}

#[tokio::test]
async fn replayed_queue_message_changes_nothing() {
    let w = World::with_customer().await;
    let push = w
        .export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    let before = w.snapshot().await;
    let fetches = w.linkedin_calls("/exportedCandidates");

    // SQS delivers at least once: the same message body arrives again.
    let message = json!({
        "tenantId": TENANT, "notificationId": push.notification_id, "kind": "EXPORT_CANDIDATE_PROFILE",
        "requestId": push.request_id, "integrationContext": ORGANIZATION, "receivedAt": 1
    });
    w.stack
        .clients
        .sqs
        .send_message()
        .queue_url(w.stack.queue_url("ExportsQueue"))
        .message_body(message.to_string())
        .send()
        .await
        .unwrap();
    w.settle().await;

    assert_eq!(
        w.snapshot().await,
        before,
        "a replay must not change a single attribute"
    );
    assert_eq!(w.linkedin_calls("/exportedCandidates"), fetches);
    assert_eq!(w.queue("ExportsDeadLetterQueue").await, (0, 0));
}

#[tokio::test]
async fn exports_that_cannot_be_imported_are_skipped_and_recorded() {
    let w = World::with_customer().await;
    let expired = w
        .export(&person("grace", "Grace", "Hopper"), EXPIRED, JOB_ENG)
        .await;
    let unconnected = w
        .export(&person("alan", "Alan", "Turing"), "999", JOB_ENG)
        .await;
    let unknown_job = w
        .export(
            &person("linus", "Linus", "Torvalds"),
            ACTIVE,
            "job-nobody-posted",
        )
        .await;
    w.settle().await;

    assert!(w.candidates().await.is_empty(), "nothing is imported");
    let exports = w.exports().await;
    let reason = |request_id: &str| {
        let e = exports
            .iter()
            .find(|e| e["requestId"] == request_id)
            .expect("every export is recorded");
        assert_eq!(e["status"], "skipped");
        assert!(e.get("candidateId").is_none());
        e["reason"].as_str().unwrap().to_owned()
    };
    assert_eq!(reason(&expired.request_id), "contract_inactive");
    assert_eq!(reason(&unconnected.request_id), "contract_not_connected");
    assert_eq!(reason(&unknown_job.request_id), "unknown_job");

    // The skip records hold no personal data either.
    let table = format!("{:?}", w.snapshot().await);
    for name in ["Grace", "Hopper", "Alan", "Turing", "Linus", "Torvalds"] {
        assert!(!table.contains(name), "{name} stored for a skipped export");
    }
}

#[tokio::test]
async fn a_contract_disabled_by_linkedin_stops_imports() {
    let w = World::with_customer().await;
    let push = w
        .sim
        .push_status_change(CLIENT_ID, &format!("urn:li:contract:{ACTIVE}"), "DISABLED")
        .await
        .unwrap();
    assert_eq!(push.status, Some(202), "{}", push.body);
    w.settle().await;
    let (_, contracts) = w
        .api("GET", &format!("/tenants/{TENANT}/contracts"), None)
        .await;
    let active = contracts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contractId"] == ACTIVE)
        .unwrap()
        .clone();
    assert_eq!(active["status"], "Disabled");
    // An admin's PUT does not silently undo LinkedIn's decision.
    let (_, again) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}/contracts/{ACTIVE}"),
            Some(json!({"expiresAt": "2099-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(again["status"], "Disabled");

    let export = w
        .export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    assert!(w.candidates().await.is_empty());
    let exports = w.exports().await;
    assert_eq!(exports[0]["requestId"], export.request_id.as_str());
    assert_eq!(exports[0]["reason"], "contract_inactive");
}

#[tokio::test]
async fn throttled_fetch_is_retried_after_retry_after_not_the_visibility_timeout() {
    let w = World::with_customer().await;
    w.sim.inject_fault(Fault {
        path_prefix: "/v2/exportedCandidates".into(),
        kind: FaultKind::Status {
            status: 429,
            retry_after_secs: Some(1),
        },
        times: 1,
        query: Default::default(),
    });
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    // The queue's visibility timeout is 120 s; Retry-After is 1 s.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if !w.candidates().await.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not imported within 20 s of a 1 s Retry-After"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        w.linkedin_calls("/exportedCandidates"),
        2,
        "one throttled call, one that succeeded"
    );
    assert_eq!(w.queue("ExportsDeadLetterQueue").await, (0, 0));
}

#[tokio::test]
async fn a_message_that_can_never_succeed_goes_to_the_dead_letter_queue_with_its_reason() {
    let w = World::with_customer().await;
    let good = w
        .export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    // A request LinkedIn does not know, in the same queue as a good one.
    let poison = json!({
        "tenantId": TENANT, "notificationId": "n-poison", "kind": "EXPORT_CANDIDATE_PROFILE",
        "requestId": "no-such-request", "receivedAt": 1
    });
    let sqs = &w.stack.clients.sqs;
    sqs.send_message()
        .queue_url(w.stack.queue_url("ExportsQueue"))
        .message_body(poison.to_string())
        .send()
        .await
        .unwrap();
    sqs.send_message()
        .queue_url(w.stack.queue_url("ExportsQueue"))
        .message_body("{not json")
        .send()
        .await
        .unwrap();
    w.settle().await;

    assert_eq!(
        w.candidates().await.len(),
        1,
        "the good export was imported"
    );
    assert_eq!(w.exports().await[0]["requestId"], good.request_id.as_str());
    let dlq = sqs
        .receive_message()
        .queue_url(w.stack.queue_url("ExportsDeadLetterQueue"))
        .max_number_of_messages(10)
        .message_attribute_names("All")
        .send()
        .await
        .unwrap();
    let messages = dlq.messages();
    assert_eq!(
        messages.len(),
        2,
        "both bad messages were dead-lettered at once"
    );
    for m in messages {
        let reason = m
            .message_attributes()
            .and_then(|a| a.get("reason"))
            .and_then(|r| r.string_value())
            .unwrap_or_default();
        assert!(
            reason.contains("not found") || reason.contains("does not decode"),
            "reason: {reason}"
        );
    }
    assert_eq!(
        w.queue("ExportsQueue").await,
        (0, 0),
        "nothing left waiting for a retry"
    );
}

#[tokio::test]
async fn tokens_are_cached_and_renewed_when_they_expire() {
    let w = World::with_customer().await;
    // Other functions (the outbound sync of the setup's jobs) hold tokens of their own.
    w.settle().await;
    let base = w.linkedin_calls("/accessToken");
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    w.export(&person("grace", "Grace", "Hopper"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    assert_eq!(
        w.linkedin_calls("/accessToken") - base,
        1,
        "one token serves both imports"
    );

    w.sim.expire_tokens();
    w.export(&person("alan", "Alan", "Turing"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    assert_eq!(
        w.candidates().await.len(),
        3,
        "the import after the token expired succeeded"
    );
    // Once by export-import, and once by ats-sync, which sends the imported candidate to
    // LinkedIn with its member: each function fetches one fresh token.
    assert_eq!(
        w.linkedin_calls("/accessToken") - base,
        3,
        "a fresh token was fetched once per function"
    );
}
