//! A message that can never succeed ends in its dead-letter queue after the template's
//! `maxReceiveCount` receives, and the messages that shared its batches are handled normally.

use std::time::Duration;

use linkedin_sim::{App, ExportSpec};
use serde_json::{Value, json};

use crate::plan::Plan;
use crate::pump::depth;
use crate::scenario::Driver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_always_fails_is_dead_lettered_after_five_receives_and_its_batch_mates_succeed()
 {
    let now = chrono::Utc::now().timestamp_millis();
    let mut d = Driver::start(crate::moto(), "poison", now, &Plan::none())
        .await
        .unwrap();
    let far = "2099-01-01T00:00:00Z";
    for tenant in ["acme", "gamma"] {
        let client = format!("{tenant}-client");
        let secret = format!("{tenant}-secret");
        let org = if tenant == "acme" { 1001 } else { 1002 };
        d.sim.register_app(App {
            client_id: client.clone(),
            client_secret: secret.clone(),
            organization: format!("urn:li:organization:{org}"),
            callback_url: Some(format!("{}/linkedin/{tenant}/events", d.stack.api_url)),
        });
        let t = format!("/tenants/{tenant}");
        d.api(
            "PUT",
            &t,
            json!({"name": tenant, "organization": format!("urn:li:organization:{org}"),
            "linkedin": {"clientId": client, "clientSecret": secret}}),
        )
        .await
        .unwrap();
        d.api(
            "PUT",
            &format!("{t}/contracts/501"),
            json!({"expiresAt": far}),
        )
        .await
        .unwrap();
        d.api(
            "PUT",
            &format!("{t}/jobs/job-eng"),
            json!({"title": "Engineer",
            "description": "Build things.", "location": "Berlin, DE", "state": "OPEN",
            "companyApplyUrl": "https://careers.acme.example/jobs"}),
        )
        .await
        .unwrap();
        // The exporting seat is held by an ATS user, so exports import at once.
        d.sim.add_seat(linkedin_sim::Seat {
            id: "9001".into(),
            contract: "urn:li:contract:501".into(),
            member: "urn:li:person:holder".into(),
            first_name: "Rae".into(),
            last_name: "Cruiter".into(),
            state: "ACTIVE".into(),
            email: None,
        });
        d.api(
            "PUT",
            &format!("{t}/users/u-rae"),
            json!({"email": "rae@example.org",
            "firstName": "Rae", "lastName": "Cruiter"}),
        )
        .await
        .unwrap();
        d.api(
            "PUT",
            &format!("{t}/contracts/501/seats/9001/link"),
            json!({"userId": "u-rae"}),
        )
        .await
        .unwrap();
    }
    let export = |tenant: &str, request: &str, member: &str| ExportSpec {
        client_id: format!("{tenant}-client"),
        request_id: Some(request.into()),
        contract: "urn:li:contract:501".into(),
        exporter: "urn:li:seat:9001".into(),
        ats_job_posting_id: "job-eng".into(),
        candidate: json!({"member": format!("urn:li:person:{member}"), "firstName": "Ada",
            "lastName": member, "location": "London, GB"}),
    };
    for (tenant, request, member) in [
        ("acme", "ok-1", "one"),
        ("gamma", "poison", "two"),
        ("acme", "ok-2", "three"),
        ("acme", "ok-3", "four"),
    ] {
        let pushed = d.sim.export(export(tenant, request, member)).await.unwrap();
        assert_eq!(pushed.status, Some(202), "{}", pushed.body);
    }
    // gamma's credentials are gone from Secrets Manager (an operator deleted them): its export
    // can never be fetched, and that error is one worth retrying.
    let secrets =
        aws_sdk_secretsmanager::Client::new(&local_stack::local_sdk_config(crate::moto()).await);
    secrets
        .delete_secret()
        .secret_id("poison/tenants/gamma")
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();

    let (consumer, dlq) = ("ExportsQueue", "ExportsDeadLetterQueue");
    let exports = d
        .stack
        .consumers
        .iter()
        .find(|(q, _)| q == consumer)
        .map(|(_, c)| c.clone())
        .unwrap();
    let sqs = d.stack.clients.sqs.clone();
    let (mut handed, mut batches_with_others) = (0, 0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (visible, in_flight) = depth(&d.stack, consumer).await.unwrap();
        if visible + in_flight == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the queue never emptied"
        );
        let Some(batch) = exports.receive(&sqs, 0, Some(1)).await else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        let poison = batch
            .iter()
            .any(|m| m.body().is_some_and(|b| b.contains("poison")));
        if poison {
            handed += 1;
            batches_with_others += usize::from(batch.len() > 1);
        }
        let failed = exports.deliver(&sqs, &batch).await;
        assert_eq!(
            failed.len(),
            usize::from(poison),
            "only the poison message fails"
        );
    }
    assert_eq!(
        handed, 5,
        "handed out maxReceiveCount (5) times, then dead-lettered"
    );
    assert!(batches_with_others >= 1, "it shared a batch with others");

    let letters = sqs
        .receive_message()
        .queue_url(d.stack.queue_url(dlq))
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default();
    assert_eq!(
        letters.len(),
        1,
        "exactly the poison message is dead-lettered"
    );
    assert!(letters[0].body().unwrap_or_default().contains("poison"));

    let listed = d
        .api("GET", "/tenants/acme/exports", Value::Null)
        .await
        .unwrap();
    let mut imported: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "imported")
        .map(|e| e["requestId"].as_str().unwrap())
        .collect();
    imported.sort();
    assert_eq!(imported, ["ok-1", "ok-2", "ok-3"]);
    let gamma = d
        .api("GET", "/tenants/gamma/exports", Value::Null)
        .await
        .unwrap();
    assert_eq!(gamma["items"], json!([]), "nothing of gamma's was recorded");
    d.stack.destroy().await.unwrap();
}
