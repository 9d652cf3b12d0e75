//! What the measured functions are given: a seeded tenant, notifications LinkedIn (the
//! simulator) really signed, and the first event each function would realistically get.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use linkedin_sim::{App, ExportSpec, Sim};
use local_stack::Stack;
use serde_json::{Value, json};

use crate::{Error, SECRET, TENANT};

/// A signed notification as LinkedIn pushed it.
#[derive(Clone)]
pub struct Push {
    pub body: String,
    pub signature: String,
    pub request_id: String,
    pub notification_id: String,
}

/// The tenant, contract, job, user and linked seat the events refer to.
pub async fn seed(stack: &Stack, sim: &Sim, capture_url: &str) -> Result<(), Error> {
    let in_a_year =
        shared::clock::to_rfc3339(chrono::Utc::now().timestamp_millis() + 365 * 86_400_000);
    let calls = [
        (
            format!("/tenants/{TENANT}"),
            json!({"name": "Perf", "organization": "7", "linkedin": {"clientId": "perf", "clientSecret": SECRET}}),
        ),
        (
            format!("/tenants/{TENANT}/contracts/1"),
            json!({"expiresAt": in_a_year}),
        ),
        (
            format!("/tenants/{TENANT}/jobs/job-1"),
            json!({"title": "Engineer", "description": "A job.", "location": "Berlin, DE", "state": "OPEN",
                   "companyApplyUrl": "https://careers.example/jobs"}),
        ),
        (
            format!("/tenants/{TENANT}/users/u1"),
            json!({"email": "u1@perf.example", "firstName": "Una", "lastName": "One"}),
        ),
    ];
    for (path, body) in calls {
        stack.admin_put(&path, &body).await?;
    }
    sim.register_app(App {
        client_id: "perf".into(),
        client_secret: SECRET.into(),
        organization: "urn:li:organization:7".into(),
        callback_url: Some(capture_url.to_owned()),
    });
    // Only a seat LinkedIn lists can be linked (its list is read with the app's token).
    sim.add_seat(linkedin_sim::Seat {
        id: "1".into(),
        contract: "urn:li:contract:1".into(),
        member: "urn:li:person:seat-holder-1".into(),
        first_name: "Una".into(),
        last_name: "One".into(),
        state: "ACTIVE".into(),
        email: None,
    });
    stack
        .admin_put(
            &format!("/tenants/{TENANT}/contracts/1/seats/1/link"),
            &json!({"userId": "u1"}),
        )
        .await?;
    Ok(())
}

pub type Captured = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A callback URL that only keeps what LinkedIn (the simulator) pushes to it.
pub async fn capture_pushes() -> Result<(String, Captured), Error> {
    let captured: Captured = Arc::default();
    let keep = captured.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
        let keep = keep.clone();
        async move {
            keep.lock().unwrap().push((headers, body));
            axum::http::StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let url = format!("http://{}/push", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((url, captured))
}

pub async fn make_pushes(sim: &Sim, captured: &Captured, count: usize) -> Result<Vec<Push>, Error> {
    for i in 0..count {
        sim.export(ExportSpec {
            client_id: "perf".into(),
            request_id: None,
            contract: "urn:li:contract:1".into(),
            exporter: "urn:li:seat:1".into(),
            ats_job_posting_id: "job-1".into(),
            candidate: json!({"member": format!("urn:li:person:perf-{i}"), "firstName": "Pat",
                              "lastName": format!("Number{i}"), "location": "Berlin, DE"}),
        })
        .await?;
    }
    let got = std::mem::take(&mut *captured.lock().unwrap());
    got.into_iter()
        .map(|(headers, body)| {
            let text = String::from_utf8(body.to_vec())?;
            let v: Value = serde_json::from_str(&text)?;
            Ok(Push {
                signature: headers
                    .get("x-li-signature")
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or_default()
                    .to_owned(),
                request_id: v["requestId"].as_str().unwrap_or_default().to_owned(),
                notification_id: v["notificationId"].as_str().unwrap_or_default().to_owned(),
                body: text,
            })
        })
        .collect()
}

pub fn api_event(
    method: &str,
    route: &str,
    path: &str,
    params: Value,
    headers: Value,
    body: Option<&str>,
) -> Value {
    let now = chrono::Utc::now();
    json!({
        "version": "2.0",
        "routeKey": format!("{method} {route}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "pathParameters": params,
        "requestContext": {
            "accountId": "123456789012", "apiId": "bench", "domainName": "bench.example",
            "domainPrefix": "bench",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "192.0.2.1", "userAgent": "bench"},
            "requestId": format!("req-{}", now.timestamp_micros()),
            "routeKey": format!("{method} {route}"), "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "body": body,
        "isBase64Encoded": false,
    })
}

pub fn webhook_event(p: &Push) -> Value {
    api_event(
        "POST",
        "/linkedin/{tenantId}/events",
        &format!("/linkedin/{TENANT}/events"),
        json!({"tenantId": TENANT}),
        json!({"content-type": "application/json", "x-li-signature": p.signature,
               "x-forwarded-proto": "https"}),
        Some(&p.body),
    )
}

pub fn sqs_event(stack: &Stack, queue: &str, body: Value) -> Result<Value, Error> {
    let arn = stack
        .resources
        .attributes
        .get(&(queue.to_owned(), "Arn".to_owned()))
        .ok_or_else(|| format!("no queue {queue}"))?;
    let now = chrono::Utc::now().timestamp_millis().to_string();
    Ok(json!({"Records": [{
        "messageId": format!("m-{now}"), "receiptHandle": format!("rh-{now}"),
        "body": body.to_string(),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": now,
                       "SenderId": "bench", "ApproximateFirstReceiveTimestamp": now},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": arn, "awsRegion": local_stack::REGION,
    }]}))
}

/// A first event each function would realistically get.
pub fn first_event(
    name: &str,
    stack: &Stack,
    pushes: &mut impl Iterator<Item = Push>,
) -> Result<Value, Error> {
    let mut push = || pushes.next().ok_or("not enough notifications prepared");
    Ok(match name {
        "export-webhook" | "webhook peer (Python + boto3)" => webhook_event(&push()?),
        "export-import" => {
            let p = push()?;
            sqs_event(
                stack,
                "ExportsQueue",
                json!({"tenantId": TENANT, "notificationId": p.notification_id,
                       "kind": "EXPORT_CANDIDATE_PROFILE", "requestId": p.request_id,
                       "receivedAt": chrono::Utc::now().timestamp_millis()}),
            )?
        }
        "admin-api" => api_event(
            "GET",
            "/tenants/{tenantId}/health",
            &format!("/tenants/{TENANT}/health"),
            json!({"tenantId": TENANT}),
            json!({"accept": "application/json"}),
            None,
        ),
        "inmail-import" => sqs_event(
            stack,
            "ActivityQueue",
            json!({"tenantId": TENANT, "contractId": "1", "seatId": "1",
                   "enqueuedAt": chrono::Utc::now().timestamp_millis()}),
        )?,
        "seat-backfill" => sqs_event(
            stack,
            "BackfillQueue",
            json!({"tenantId": TENANT, "contractId": "1", "seatId": "1"}),
        )?,
        "ats-sync" => sqs_event(
            stack,
            "AtsChangesQueue",
            json!({"type": "changed", "tenantId": TENANT}),
        )?,
        "tenant-upkeep" => sqs_event(
            stack,
            "UpkeepQueue",
            json!({"job": "onboarding", "tenantId": TENANT}),
        )?,
        // Schedules: EventBridge Scheduler's default input.
        _ => json!({}),
    })
}
