//! `make bench`, second part: what a Lambda user pays for, per function binary built with the
//! release profile. Every binary is started as Lambda starts it, against a local Lambda Runtime
//! API ([`runtime_api`]), with AWS (moto) and LinkedIn (the simulator) on local endpoints and the
//! environment template.yaml gives it. Measured in one run, interleaved, so the machine's noise
//! falls on all of them alike:
//!
//! - cold start: exec → first `GET /next` (init), and exec → response to a first realistic
//!   event; the floor is `hello-lambda`, a hello-world `lambda_runtime` binary;
//! - peak RSS, stripped and zipped binary size;
//! - warm CPU per webhook request, against a Python 3.11 + boto3 peer doing the same work
//!   (bench/peers/webhook_peer.py).
//!
//! The report replaces its section of docs/benchmarks.md.

mod cost;
#[cfg(test)]
mod first_event;
mod records;
mod runtime_api;
mod scale;
mod warm;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderMap;
use linkedin_sim::{App, ExportSpec, Sim, SimConfig};
use local_stack::{Stack, StackOptions, moto::Moto};
use runtime_api::RuntimeApi;
use serde_json::{Value, json};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Cold starts per binary (the median is reported).
const TRIALS: usize = 11;
/// Warm requests per webhook process for the CPU figure.
const WARM: usize = 300;
const TENANT: &str = "perf";
pub(crate) const SECRET: &str = "perf-secret";
const SECTION: &str = "## Cold start, footprint and warm cost (release binaries)";
const NEXT_SECTION: &str = "## Activity import (InMails)";

/// A signed notification as LinkedIn pushed it.
#[derive(Clone)]
pub(crate) struct Push {
    body: String,
    signature: String,
    request_id: String,
    notification_id: String,
}

/// Something started as a Lambda function: one of ours, the floor, or the Python peer.
struct Subject {
    name: String,
    program: PathBuf,
    args: Vec<String>,
    env: HashMap<String, String>,
    /// The binary whose size is reported (none for the peer).
    binary: Option<PathBuf>,
}

#[derive(Default)]
struct Cold {
    init: Vec<Duration>,
    first_response: Vec<Duration>,
    peak_rss_kb: u64,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    // `RUST_LOG=warn` (for example) shows what the in-process functions log, as JSON on stdout.
    if std::env::var("RUST_LOG").is_ok() {
        shared::telemetry::init();
    }
    let root = local_stack::moto::repo_root();
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target"));
    let release = if target.is_absolute() {
        target.join("release")
    } else {
        root.join(target).join("release")
    };
    // `PERF_BIN_DIR` measures other builds of the binaries (e.g. target/debug, with symbols).
    let release = std::env::var("PERF_BIN_DIR").map_or(release, PathBuf::from);
    let python = std::env::var("MOTO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join(".venv/bin/python"));

    // `PERF_ONLY=scale` runs the fan-out alone (`PERF_SEATS`, default 10000).
    if std::env::var("PERF_ONLY").is_ok_and(|v| v == "scale") {
        let seats = std::env::var("PERF_SEATS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10_000);
        let f = scale::fan_out(seats, true).await?;
        println!(
            "{} seats: poll {:?} {:?} {:?}; drain {:?} {:?}; LinkedIn calls {}; retried {}, \
             dead letters {}",
            f.seats,
            f.poll,
            f.poll_time,
            f.poll_requests,
            f.drain_time,
            f.drain_requests,
            f.linkedin_calls,
            f.retried,
            f.dead_letters
        );
        return Ok(());
    }
    if std::env::var("PERF_ONLY").is_ok_and(|v| v == "records") {
        for w in records::measure().await? {
            println!(
                "{}: {} records, {:?}, LinkedIn {}",
                w.what, w.records, w.aws, w.linkedin
            );
        }
        return Ok(());
    }
    // `PERF_ONLY=in-process` measures the in-process webhook path alone (for profiling).
    if std::env::var("PERF_ONLY").is_ok_and(|v| v == "in-process") {
        let cost = warm::webhook(5_000)?;
        println!(
            "{:.1} µs CPU (median round {:.1} µs; a bare SendMessage {:.1} µs) and {:.2} AWS calls per webhook request",
            cost.cpu_per_request.as_secs_f64() * 1e6,
            cost.median_cpu_per_request.as_secs_f64() * 1e6,
            cost.sdk_call.as_secs_f64() * 1e6,
            cost.aws_calls_per_request
        );
        return Ok(());
    }
    let moto = Moto::start(0)?;
    let sim = Sim::start(SocketAddr::from(([127, 0, 0, 1], 0)), SimConfig::default()).await?;
    let (capture_url, captured) = capture_pushes().await?;
    let mut opts = StackOptions::new("perf", &moto.endpoint, &sim.api_url(), &sim.auth_url());
    opts.poll_queues = false;
    opts.parameters
        .insert("BackfillHorizonDays".into(), "0".into());
    let stack = Stack::start(opts).await?;
    seed(&stack, &sim, &capture_url).await?;
    let pushes = make_pushes(&sim, &captured, 2 * TRIALS + 2 * (WARM + 1) + TRIALS).await?;
    let api = RuntimeApi::start().await?;

    let aws_env = |binary: &str| -> HashMap<String, String> {
        let mut env = stack.environments.get(binary).cloned().unwrap_or_default();
        for (k, v) in [
            ("AWS_LAMBDA_RUNTIME_API", api.addr.to_string()),
            ("AWS_LAMBDA_FUNCTION_NAME", binary.to_owned()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".to_owned()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
            ("AWS_REGION", local_stack::REGION.to_owned()),
            ("AWS_DEFAULT_REGION", local_stack::REGION.to_owned()),
            ("AWS_ACCESS_KEY_ID", "local".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
            ("AWS_ENDPOINT_URL", moto.endpoint.clone()),
            ("PATH", std::env::var("PATH").unwrap_or_default()),
            ("HOME", std::env::var("HOME").unwrap_or_default()),
        ] {
            env.insert(k.to_owned(), v);
        }
        env
    };
    let functions = [
        "export-webhook",
        "export-import",
        "admin-api",
        "inmail-poll",
        "inmail-import",
        "contract-expiry",
        "seat-backfill",
        "ats-sync",
        "compliance-review",
    ];
    let mut subjects = vec![Subject {
        name: "hello-lambda (floor)".into(),
        program: release.join("hello-lambda"),
        args: Vec::new(),
        env: aws_env("hello-lambda"),
        binary: Some(release.join("hello-lambda")),
    }];
    for f in functions {
        subjects.push(Subject {
            name: f.into(),
            program: release.join(f),
            args: Vec::new(),
            env: aws_env(f),
            binary: Some(release.join(f)),
        });
    }
    subjects.push(Subject {
        name: "webhook peer (Python + boto3)".into(),
        program: python.clone(),
        args: vec![
            root.join("bench/peers/webhook_peer.py")
                .to_string_lossy()
                .into_owned(),
        ],
        env: aws_env("export-webhook"),
        binary: None,
    });
    for s in &subjects {
        if !s.program.exists() {
            return Err(format!(
                "{} is missing: build the release binaries first (make bench does)",
                s.program.display()
            )
            .into());
        }
    }

    let mut pushes = pushes.into_iter();
    let mut cold: Vec<Cold> = subjects.iter().map(|_| Cold::default()).collect();
    // `PERF_ONLY=warm` skips the cold starts (to iterate on the warm path).
    let trials = if std::env::var("PERF_ONLY").is_ok_and(|v| v == "warm") {
        1
    } else {
        TRIALS
    };
    for trial in 0..trials {
        for (i, s) in subjects.iter().enumerate() {
            let event = first_event(&s.name, &stack, &mut pushes)?;
            let (init, first, rss) = run_cold(&api, s, trial, event).await?;
            cold[i].init.push(init);
            cold[i].first_response.push(first);
            cold[i].peak_rss_kb = cold[i].peak_rss_kb.max(rss);
        }
    }
    let rust_webhook = subjects
        .iter()
        .position(|s| s.name == "export-webhook")
        .unwrap_or(1);
    let peer = subjects.len() - 1;
    let mut warm = Vec::new();
    for i in [rust_webhook, peer] {
        let next = &mut pushes;
        let event = || {
            next.next()
                .map(|p| webhook_event(&p))
                .ok_or_else(|| Error::from("not enough notifications"))
        };
        warm.push(run_warm(&api, &subjects[i], event).await?);
    }
    // The runtime's own cost of an invocation: the floor, warm.
    warm.push(run_warm(&api, &subjects[0], || Ok(json!({}))).await?);

    let importer = subjects
        .iter()
        .position(|s| s.name == "inmail-import")
        .ok_or("no inmail-import")?;
    let import = import_cpu(&api, &subjects[importer], &stack, &sim).await?;
    let in_process = warm::webhook(5_000)?;
    // Each function's time per invocation for the cost table: first response minus init.
    let mut durations = BTreeMap::new();
    for (s, c) in subjects.iter().zip(cold.iter_mut()) {
        let first = median(&mut c.first_response);
        let init = median(&mut c.init);
        durations.insert(s.name.clone(), (first - init).as_secs_f64() * 1000.0);
    }
    let mut report = report(&subjects, &mut cold, &warm, &in_process, &python)?;
    report.push_str(&format!(
        "\n### Warm cost per imported record (inmail-import)\n\n\
         One warm inmail-import process polls a seat with 1,000 InMails, then a seat with 1,000 notes \
         (about 200 members, none of them candidates yet, so each is kept as pending activity): \
         LinkedIn pages of 100, DynamoDB batches of 25. CPU is the process's own, as above.\n\n\
         | record | CPU per record | peak RSS |\n| --- | --- | --- |\n\
         | InMail | {:.0} µs | {:.1} MB |\n| note | {:.0} µs | |\n",
        import.0.as_secs_f64() * 1e6,
        import.2 as f64 / 1024.0,
        import.1.as_secs_f64() * 1e6,
    ));
    let works = records::measure().await?;
    report.push_str(&records_section(&works));
    let seats: usize = std::env::var("PERF_SEATS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let small = scale::fan_out(seats / 10, false).await?;
    let big = scale::fan_out(seats, true).await?;
    report.push_str(&scale_section(&small, &big));
    report.push('\n');
    report.push_str(&cost::table(&works, &durations));
    println!("{report}");
    let path = root.join("docs/benchmarks.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".into());
    std::fs::write(&path, replace_section(&doc, &report))?;
    drop(stack);
    drop(moto);
    Ok(())
}

/// The tenant, contract, job, user and linked seat the events refer to.
async fn seed(stack: &Stack, sim: &Sim, capture_url: &str) -> Result<(), Error> {
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
        (
            format!("/tenants/{TENANT}/contracts/1/seats/1/link"),
            json!({"userId": "u1"}),
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
    Ok(())
}

type Captured = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A callback URL that only keeps what LinkedIn (the simulator) pushes to it.
async fn capture_pushes() -> Result<(String, Captured), Error> {
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

async fn make_pushes(sim: &Sim, captured: &Captured, count: usize) -> Result<Vec<Push>, Error> {
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

fn api_event(
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

pub(crate) fn webhook_event(p: &Push) -> Value {
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

fn sqs_event(stack: &Stack, queue: &str, body: Value) -> Result<Value, Error> {
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
fn first_event(
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
        // Schedules: EventBridge Scheduler's default input.
        _ => json!({}),
    })
}

/// A failed invocation is not a measurement: the answer must be a success.
fn check(name: &str, outcome: &runtime_api::Outcome) -> Result<(), Error> {
    let body = outcome
        .body
        .as_ref()
        .map_err(|e| format!("{name} reported an error for {}: {e}", outcome.request_id))?;
    if let Some(status) = body.get("statusCode").and_then(Value::as_i64)
        && status >= 300
    {
        return Err(format!("{name} answered {status}: {body}").into());
    }
    if let Some(failures) = body.get("batchItemFailures").and_then(Value::as_array)
        && !failures.is_empty()
    {
        return Err(format!("{name} failed its message: {body}").into());
    }
    Ok(())
}

/// `PERF_WRAP="strace -f -c -o /tmp/trace"` starts every process under that command (diagnosis
/// only: it changes the numbers).
fn spawn(s: &Subject) -> Result<tokio::process::Child, Error> {
    let wrap = std::env::var("PERF_WRAP").unwrap_or_default();
    let mut words = wrap.split_whitespace();
    let mut command = match words.next() {
        Some(w) => {
            let mut c = tokio::process::Command::new(w);
            c.args(words).arg(&s.program);
            c
        }
        None => tokio::process::Command::new(&s.program),
    };
    Ok(command
        .args(&s.args)
        .env_clear()
        .envs(&s.env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?)
}

/// One cold start: (exec → first next, exec → first response, peak RSS in kB).
async fn run_cold(
    api: &RuntimeApi,
    s: &Subject,
    trial: usize,
    event: Value,
) -> Result<(Duration, Duration, u64), Error> {
    api.reset();
    api.push(format!("{}-cold-{trial}", s.name.replace(' ', "-")), event);
    let started = Instant::now();
    let mut child = spawn(s)?;
    let pid = child.id().unwrap_or_default();
    let outcome = api
        .outcomes(1, Duration::from_secs(60))
        .await
        .map_err(|e| format!("{}: {e}", s.name))?
        .remove(0);
    check(&s.name, &outcome)?;
    let init = api.first_next().ok_or("no next")? - started;
    // Asking for the next event means the first is fully done.
    api.nexts(2, Duration::from_secs(30)).await;
    let rss = proc_kb(pid, "VmHWM:");
    child.kill().await?;
    Ok((init, outcome.at - started, rss))
}

struct Warm {
    cpu_per_request: Duration,
    peak_rss_kb: u64,
}

/// A warm process: one event to start, then `WARM` more; the process's CPU time over those.
async fn run_warm(
    api: &RuntimeApi,
    s: &Subject,
    mut event: impl FnMut() -> Result<Value, Error>,
) -> Result<Warm, Error> {
    api.reset();
    api.push("warm-0".into(), event()?);
    let mut child = spawn(s)?;
    let pid = child.id().unwrap_or_default();
    api.outcomes(1, Duration::from_secs(60)).await?;
    api.nexts(2, Duration::from_secs(30)).await;
    let before = cpu_ns(pid);
    for i in 1..=WARM {
        api.push(format!("warm-{i}"), event()?);
    }
    let outcomes = api.outcomes(WARM + 1, Duration::from_secs(600)).await?;
    for o in &outcomes {
        check(&s.name, o)?;
    }
    api.nexts(WARM + 2, Duration::from_secs(30)).await;
    let after = cpu_ns(pid);
    let peak_rss_kb = proc_kb(pid, "VmHWM:");
    child.kill().await?;
    Ok(Warm {
        cpu_per_request: Duration::from_nanos((after - before) / WARM as u64),
        peak_rss_kb,
    })
}

/// CPU per imported record in a warm inmail-import process: a first poll of an idle seat warms it
/// up, then one poll of a seat with `IMPORT_RECORDS` InMails and one of a seat with as many notes.
/// Answers (CPU per InMail, CPU per note, peak RSS in kB).
async fn import_cpu(
    api: &RuntimeApi,
    s: &Subject,
    stack: &Stack,
    sim: &Sim,
) -> Result<(Duration, Duration, u64), Error> {
    const IMPORT_RECORDS: usize = 1000;
    let now = chrono::Utc::now().timestamp_millis();
    let store = shared::store::Store::new(stack.clients.dynamodb.clone(), stack.table_name());
    // Linked an hour ago, so the last hour is theirs to read (the import stops 2 minutes short
    // of now).
    for seat in ["2", "3"] {
        store
            .link_seat(TENANT, "1", seat, "u1", now - 3_600_000)
            .await?;
    }
    let at = |i: usize| now - 50 * 60_000 + (i as i64) * 1000;
    sim.add_inmails(
        (0..IMPORT_RECORDS)
            .map(|i| linkedin_sim::InMail {
                id: format!("cpu-im-{i}"),
                seat: "urn:li:seat:2".into(),
                member: format!("urn:li:person:cpu-{}", i % 200),
                direction: "SENT".into(),
                subject: "Hello".into(),
                body: "Would you like to talk about a role?".into(),
                created_at: at(i),
                conversation: None,
                documented_only: false,
            })
            .collect(),
    );
    for i in 0..IMPORT_RECORDS {
        sim.upsert_note(linkedin_sim::Note {
            id: 900_000 + i as i64,
            contract: "urn:li:contract:1".into(),
            owner: "urn:li:seat:3".into(),
            member: format!("urn:li:person:cpu-{}", i % 200),
            note: "Strong candidate; follow up next quarter".into(),
            active: true,
            created: at(i),
            last_modified: at(i),
        });
    }
    let poll = |seat: &str| -> Result<Value, Error> {
        sqs_event(
            stack,
            "ActivityQueue",
            json!({"tenantId": TENANT, "contractId": "1", "seatId": seat,
                   "enqueuedAt": chrono::Utc::now().timestamp_millis()}),
        )
    };
    api.reset();
    api.push("import-warm".into(), poll("1")?);
    let mut child = spawn(s)?;
    let pid = child.id().unwrap_or_default();
    let mut cpu_per = Vec::new();
    for (n, seat) in [(1, "2"), (2, "3")] {
        api.outcomes(n, Duration::from_secs(120)).await?;
        api.nexts(n + 1, Duration::from_secs(30)).await;
        let before = cpu_ns(pid);
        api.push(format!("import-{seat}"), poll(seat)?);
        let outcomes = api.outcomes(n + 1, Duration::from_secs(300)).await?;
        check(&s.name, &outcomes[n])?;
        api.nexts(n + 2, Duration::from_secs(30)).await;
        cpu_per.push(Duration::from_nanos(
            (cpu_ns(pid) - before) / IMPORT_RECORDS as u64,
        ));
    }
    let rss = proc_kb(pid, "VmHWM:");
    child.kill().await?;
    // Both polls really read past their records (a cursor moves only after the window's records
    // are written), else this measured an empty poll.
    let last = at(IMPORT_RECORDS - 1);
    let inmails = store
        .get_seat(TENANT, "1", "2")
        .await?
        .and_then(|s| s.cursors.inmails);
    let notes = store
        .get_seat(TENANT, "1", "3")
        .await?
        .and_then(|s| s.cursors.notes);
    if inmails.is_none_or(|c| c <= last) || notes.is_none_or(|c| c <= last) {
        return Err(
            format!("the import did not get past its records: {inmails:?} {notes:?}").into(),
        );
    }
    Ok((cpu_per[0], cpu_per[1], rss))
}

/// A `kB` line of /proc/<pid>/status (VmHWM is the peak resident set).
fn proc_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// CPU time of every thread of the process so far, in ns (schedstat's first field).
fn cpu_ns(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Size of the binary deflated into a zip, as `sam build` packages it (level 9).
fn zipped_size(python: &Path, binary: &Path) -> Result<u64, Error> {
    let out = std::env::temp_dir().join(format!(
        "perf-{}.zip",
        binary.file_name().and_then(|n| n.to_str()).unwrap_or("bin")
    ));
    let status = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, zipfile\n\
             with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:\n    \
             z.write(sys.argv[2], 'bootstrap')",
        ])
        .arg(&out)
        .arg(binary)
        .status()?;
    if !status.success() {
        return Err("zipping failed".into());
    }
    let size = std::fs::metadata(&out)?.len();
    let _ = std::fs::remove_file(&out);
    Ok(size)
}

fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1_000_000.0)
}

fn report(
    subjects: &[Subject],
    cold: &mut [Cold],
    warm: &[Warm],
    in_process: &warm::WebhookCost,
    python: &Path,
) -> Result<String, Error> {
    use std::fmt::Write;
    let floor = median(&mut cold[0].init);
    let floor_first = median(&mut cold[0].first_response);
    let python_version = std::process::Command::new(python)
        .args([
            "-c",
            "import sys, boto3; print(sys.version.split()[0], 'boto3', boto3.__version__)",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let mut r = String::new();
    let _ = writeln!(r, "{SECTION}\n");
    let _ = writeln!(
        r,
        "Written by `make bench` (bench/src/main.rs). Each binary is exec'd as Lambda would, against a local \
         Lambda Runtime API, with the environment template.yaml gives it, AWS (moto) and LinkedIn (the \
         simulator) on loopback, 128 MB declared. Median of {TRIALS} cold starts per binary, run \
         interleaved. **init** is exec → the runtime's first `GET /next`; **first response** is exec → \
         the answer to a first realistic event (a signed notification, an export to import, a seat to \
         poll, `GET /health`, a schedule tick, …), so work moved from init into the first event shows \
         there. Peak RSS is the process's high-water mark after that event.\n"
    );
    let _ = writeln!(
        r,
        "| binary | init | init ÷ floor (target ≤ 2) | first response | peak RSS (target ≤ 32 MB) | stripped size | zipped (target ≤ 5 MB) |"
    );
    let _ = writeln!(r, "| --- | --- | --- | --- | --- | --- | --- |");
    for (s, c) in subjects.iter().zip(cold.iter_mut()) {
        let init = median(&mut c.init);
        let first = median(&mut c.first_response);
        let (size, zipped) = match &s.binary {
            Some(b) => (mb(std::fs::metadata(b)?.len()), mb(zipped_size(python, b)?)),
            None => ("–".into(), "–".into()),
        };
        let _ = writeln!(
            r,
            "| {} | {} | {:.1} | {} | {:.1} MB | {size} | {zipped} |",
            s.name,
            ms(init),
            init.as_secs_f64() / floor.as_secs_f64(),
            ms(first),
            c.peak_rss_kb as f64 / 1024.0,
        );
    }
    let _ = writeln!(
        r,
        "\nThe floor's first response ({}) is a round trip to the Runtime API and nothing else. The \
         functions build their AWS clients and handler on the first event (`shared::aws::OnFirstEvent`); \
         when they built them before asking for work, init was 6.4–12.7 ms here, 3.8–7.7× the floor. \
         Nothing reaches the network before the first event: customer secrets and LinkedIn tokens are \
         fetched on use and cached. These binaries are x86_64; template.yaml deploys arm64.\n",
        ms(floor_first)
    );
    let (rust, py, floor_warm) = (&warm[0], &warm[1], &warm[2]);
    let _ = writeln!(
        r,
        "### Warm webhook requests, against the Python peer\n\n\
         {WARM} signed notifications to one warm process each (after a first one): export-webhook, and \
         bench/peers/webhook_peer.py ({python_version}), the webhook a team would write by hand: \
         tenant read, secret from Secrets Manager cached, signature check, de-duplication read, \
         enqueue, de-duplication mark, four AWS calls a request. export-webhook makes one, the \
         enqueue: it caches the tenant check like the secret and leaves duplicates to the import \
         (docs/data-model.md, \"Notifications\"), so the ratio is the design's as much as the \
         language's. CPU is the process's own (every thread's schedstat), so moto's and the \
         simulator's work is not in it; it includes the HTTP client's work for the AWS calls.\n"
    );
    let _ = writeln!(
        r,
        "| measure | export-webhook (Rust) | Python + boto3 | ratio |"
    );
    let _ = writeln!(r, "| --- | --- | --- | --- |");
    let peer_cold = cold.len() - 1;
    let py_init = median(&mut cold[peer_cold].init);
    let rs_init = subjects
        .iter()
        .position(|s| s.name == "export-webhook")
        .map(|i| median(&mut cold[i].init))
        .unwrap_or_default();
    let _ = writeln!(
        r,
        "| init (exec → first next) | {} | {} | {:.0}× |",
        ms(rs_init),
        ms(py_init),
        py_init.as_secs_f64() / rs_init.as_secs_f64()
    );
    let _ = writeln!(
        r,
        "| warm CPU per request (target ≤ 50 µs for Rust) | {:.0} µs | {:.0} µs | {:.0}× |",
        rust.cpu_per_request.as_secs_f64() * 1e6,
        py.cpu_per_request.as_secs_f64() * 1e6,
        py.cpu_per_request.as_secs_f64() / rust.cpu_per_request.as_secs_f64()
    );
    let _ = writeln!(
        r,
        "| warm CPU per invocation of the floor (the runtime's own share) | {:.0} µs | | |",
        floor_warm.cpu_per_request.as_secs_f64() * 1e6
    );
    let _ = writeln!(
        r,
        "| peak RSS after {} requests | {:.1} MB | {:.1} MB | {:.1}× |",
        WARM + 1,
        rust.peak_rss_kb as f64 / 1024.0,
        py.peak_rss_kb as f64 / 1024.0,
        py.peak_rss_kb as f64 / rust.peak_rss_kb as f64
    );
    let _ = writeln!(
        r,
        "\n### Warm webhook request in-process\n\n\
         export-webhook's handler on one thread, {} signed notifications in {} rounds after 100 to warm \
         up, with AWS clients whose HTTP layer answers from memory at once: our code and the SDK's own \
         work (serialization, SigV4 signing, retry bookkeeping, deserialization), no sockets and no log \
         subscriber. A neighbour's load on this shared machine slows whole rounds, so the best round is \
         the figure and the median shows the spread.\n\n\
         | measure | value | target |\n| --- | --- | --- |\n\
         | CPU per request, best round | {:.1} µs | ≤ 50 µs |\n\
         | CPU per request, median round | {:.1} µs | |\n\
         | AWS calls per request | {:.2} (the enqueue; the tenant check and the secret are cached) | |\n\
         | one bare SendMessage through the same client, best round | {:.1} µs ({:.0}% of a request) | |\n\n\
         The SDK's call is most of a request (its orchestrator's config lookups and allocations, \
         SigV4), which is why the webhook makes one call, not the four it made at first (199 µs a \
         request then). Against moto (above) every AWS call also opens a new connection: moto answers \
         `Connection: close`, which a kept-alive connection to AWS does not.",
        in_process.requests,
        warm::ROUNDS,
        in_process.cpu_per_request.as_secs_f64() * 1e6,
        in_process.median_cpu_per_request.as_secs_f64() * 1e6,
        in_process.aws_calls_per_request,
        in_process.sdk_call.as_secs_f64() * 1e6,
        100.0 * in_process.sdk_call.as_secs_f64() / in_process.cpu_per_request.as_secs_f64(),
    );
    Ok(r)
}

fn records_section(works: &[records::Work]) -> String {
    use std::fmt::Write;
    let mut r = format!(
        "\n### Requests per record\n\n\
         {} records of each kind through the local stack, every request counted (SDK interceptors on \
         the functions' clients, the simulator's call log). An export is the webhook, the import and \
         the outbound sync that sends the new candidate to LinkedIn with its member attached \
         (`manualMatchedMember`): the import's own share is the conditional `PutItem` that claims \
         the request id, three `GetItem`s (contract, job, seat), the `Query` for pending activity and \
         the transaction; everything else in the row (`UpdateItem`, the other reads, the second SQS \
         message, the extra LinkedIn requests) is ats-sync's. An \
         InMail, note or contact share is its poll's fan-out and import (LinkedIn pages of 50 InMails \
         or contact shares and 100 notes, the counts of LinkedIn's collection); an outbound change is \
         the admin-API write and the sync to LinkedIn.\n\n\
         | record | DynamoDB requests | SQS requests | LinkedIn requests | by operation (per {} records) |\n\
         | --- | --- | --- | --- | --- |\n",
        records::RECORDS,
        records::RECORDS
    );
    for w in works {
        let n = w.records as f64;
        let ops: Vec<String> = w.aws.iter().map(|(op, c)| format!("{op} {c}")).collect();
        let _ = writeln!(
            r,
            "| {} | {:.2} | {:.2} | {:.2} | {} |",
            w.what,
            w.dynamodb() as f64 / n,
            w.sqs() as f64 / n,
            w.linkedin as f64 / n,
            ops.join(", ")
        );
    }
    r
}

fn scale_section(small: &scale::FanOut, big: &scale::FanOut) -> String {
    use std::fmt::Write;
    let mut r = format!(
        "\n### Poll fan-out at scale\n\n\
         One contract with N linked seats (no activity) and one fired poll; the activity queue is \
         drained by the local stack's consumers (each seat: a lease, LinkedIn's three activity reads, \
         cursors and release). The smaller run drains after the poll, so the poll's own requests are \
         counted apart; the larger one consumes while the poll sends, as Lambda does. Moto serves every \
         request from one Python process (infra/moto/run_moto.py removes its per-message costs that \
         grow with the queue), so the times are moto's; the counts are exact.\n\n\
         | measure | {} seats | {} seats | target |\n| --- | --- | --- | --- |\n",
        small.seats, big.seats
    );
    // The poll's own answer: it counts the SendMessageBatch calls it made.
    let batches = |f: &scale::FanOut| f.poll["result"]["sendBatchCalls"].as_u64().unwrap_or(0);

    let poll_ddb = |f: &scale::FanOut| -> String {
        f.poll_requests
            .iter()
            .filter(|(op, _)| !op.starts_with("Amazon"))
            .map(|(op, n)| format!("{op} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let per_seat = |f: &scale::FanOut| -> String {
        f.drain_requests
            .iter()
            .map(|(op, n)| format!("{op} {:.2}", *n as f64 / f.seats as f64))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        r,
        "| SendMessageBatch calls of the poll | {} | {} | ⌈seats/10⌉ = {} and {} |",
        batches(small),
        batches(big),
        small.seats.div_ceil(10),
        big.seats.div_ceil(10)
    );
    let _ = writeln!(
        r,
        "| DynamoDB requests of the poll | {} | not separable: imports ran meanwhile | the linked-seat index and the contracts only |",
        poll_ddb(small)
    );
    let _ = writeln!(
        r,
        "| poll time | {:.1} s | {:.1} s, imports running meanwhile | |",
        small.poll_time.as_secs_f64(),
        big.poll_time.as_secs_f64()
    );
    let _ = writeln!(
        r,
        "| queue drained | {:.1} s after the poll | {:.1} s after the poll ({:.1} s after it started) | |",
        small.drain_time.as_secs_f64(),
        big.drain_time.as_secs_f64(),
        (big.poll_time + big.drain_time).as_secs_f64()
    );
    let _ = writeln!(
        r,
        "| seat polls retried after a failure (waited for) / dead letters | {} / {} | {} / {} | 0 dead letters |",
        small.retried, small.dead_letters, big.retried, big.dead_letters
    );
    let _ = writeln!(
        r,
        "| AWS requests per seat, imports | {} | {}, the poll's included | constant |",
        per_seat(small),
        per_seat(big)
    );
    let _ = writeln!(
        r,
        "| LinkedIn requests per seat | {:.2} | {:.2} | constant |",
        small.linkedin_calls as f64 / small.seats as f64,
        big.linkedin_calls as f64 / big.seats as f64
    );
    let _ = writeln!(
        r,
        "\nCost grows linearly: the poll reads the sparse linked-seat index (a Query page per ~1 MB of \
         projected keys) and the contracts in one BatchGetItem, and sends one message per seat in \
         batches of ten; each seat's import costs the same whatever the number of seats. Nothing scans \
         the table. Records cost what the table above says per record, on top."
    );
    r
}

/// Puts `section` in place of the old one, or before the activity section.
fn replace_section(doc: &str, section: &str) -> String {
    if let Some((before, rest)) = doc.split_once(SECTION) {
        let after = rest.find("\n## ").map_or("", |i| &rest[i + 1..]);
        return format!(
            "{}{}\n{}",
            before,
            section.trim_end(),
            if after.is_empty() {
                String::new()
            } else {
                format!("\n{after}")
            }
        );
    }
    match doc.split_once(NEXT_SECTION) {
        Some((before, after)) => format!("{before}{}\n\n{NEXT_SECTION}{after}", section.trim_end()),
        None => format!("{}\n\n{}\n", doc.trim_end(), section.trim_end()),
    }
}
