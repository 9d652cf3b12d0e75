//! `make bench`: measures the activity import through the local stack and writes
//! docs/benchmarks.md. Numbers come from one run on this machine; ratios and per-record counts
//! are what to compare across machines.
//!
//! Scenario (issue: InMails, notes and contact info): 20 linked seats with 500 InMails each over
//! two days (10,000 InMails, 200 distinct members of whom 50 are candidates), imported by one
//! fired poll. Then the same DynamoDB endpoint's raw `BatchWriteItem` rate for as many items of
//! the same size, written with the same parallelism as the importer.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use linkedin_sim::{App, ExportSpec, Sim, SimConfig};
use local_stack::counting::CountRequests;
use local_stack::moto::Moto;
use local_stack::report;
use local_stack::{Error, Stack, StackOptions, local_sdk_config};
use serde_json::json;
use shared::aws::Clients;
use shared::clock::{Clock, ManualClock};

const SEATS: u64 = 20;
const INMAILS_PER_SEAT: u64 = 500;
const MEMBERS: u64 = 200;
const CANDIDATES: u64 = 50;
const HOUR: i64 = 3_600_000;
/// Parallel writers tried for the raw rate; the best is the endpoint's raw rate.
const WRITERS: [usize; 3] = [4, 8, 16];

#[tokio::main]
async fn main() -> Result<(), Error> {
    // RUST_LOG=info shows each seat's poll on stderr, with times.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    // `BENCH_ONLY=activity|freshness|burst` runs one part and replaces only its section.
    let only = std::env::var("BENCH_ONLY").ok();
    let runs = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let path = local_stack::moto::repo_root().join("docs/benchmarks.md");
    let mut doc = std::fs::read_to_string(&path).unwrap_or_default();
    if only.is_none() {
        doc = report::replace_preamble(&doc, &preamble());
    }
    let mut sections = Vec::new();
    if runs("activity") {
        sections.push(activity_import().await?);
    }
    // Each part has a fresh moto: moto copies every table of its backend for each transaction,
    // so the activity data would slow every change down.
    if runs("freshness") {
        sections.push(outbound_freshness().await?);
    }
    if runs("burst") {
        sections.push(webhook_burst().await?);
    }
    for section in &sections {
        println!("{section}");
        doc = report::replace_section(&doc, section, None);
    }
    std::fs::write(&path, doc)?;
    Ok(())
}

/// The report's preamble: what wrote it, and on what machine.
fn preamble() -> String {
    format!(
        "# Benchmarks\n\nWritten by `make bench` (infra/local-stack/src/bin/bench.rs, then \
         bench/src/main.rs); numbers from one run. Each bench replaces its own sections; a `###` \
         subsection written by hand into one is kept.\n\nMachine: {}\n\nAWS is moto_server \
         (Python, one process) on loopback, LinkedIn the simulator in-process; both\ndominate \
         wall time, so compare the per-record counts and the ratio, not the seconds.\n",
        machine()
    )
}

/// The activity import: one fired poll imports two days of InMails for every seat.
async fn activity_import() -> Result<String, Error> {
    let moto = Moto::start(0)?;
    let sim = Sim::start(SocketAddr::from(([127, 0, 0, 1], 0)), SimConfig::default()).await?;
    let now = chrono::Utc::now().timestamp_millis();
    let clock = ManualClock::at(now - now % HOUR);
    let t0 = clock.now_ms();
    let counter = CountRequests::default();
    let sdk = local_sdk_config(&moto.endpoint).await;
    let mut clients = Clients::new(&sdk);
    clients.dynamodb = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .interceptor(counter.clone())
            .build(),
    );
    let mut opts = StackOptions::new("bench", &moto.endpoint, &sim.api_url(), &sim.auth_url());
    opts.clock = Arc::new(clock.clone());
    opts.clients = Some(clients);
    // The measured poll is live polling; seat back-fills are not part of it.
    opts.parameters
        .insert("BackfillHorizonDays".into(), "0".into());
    // The event publisher reads the table's stream after the import (`drain_streams`), timed and
    // counted apart: on AWS it runs in its own invocations, while here it would share moto's one
    // process with the import (its change-feed transactions copy every table, see above).
    opts.poll_streams = false;
    let stack = Stack::start(opts).await?;

    let http = reqwest::Client::new();
    let api = |path: &str| format!("{}{path}", stack.api_url);
    let admin = &stack;
    let put = move |path: String, body: serde_json::Value| async move {
        admin.admin_put(&path, &body).await
    };
    put("/tenants/bench".into(), json!({"name": "Bench", "organization": "1", "linkedin": {"clientId": "bench", "clientSecret": "s"}})).await?;
    put("/tenants/bench/contracts/1".into(), json!({})).await?;
    put(
        "/tenants/bench/jobs/job".into(),
        json!({"title": "Job", "description": "A job.", "location": "Berlin, DE", "state": "OPEN",
               "companyApplyUrl": "https://careers.example/jobs"}),
    )
    .await?;
    put(
        "/tenants/bench/users/u".into(),
        json!({"email": "u@bench.example", "firstName": "U", "lastName": "Ser"}),
    )
    .await?;
    sim.register_app(App {
        client_id: "bench".into(),
        client_secret: "s".into(),
        organization: "urn:li:organization:1".into(),
        callback_url: Some(api("/linkedin/bench/events")),
    });
    let seats = sim.generate_activity(
        "urn:li:contract:1",
        7000,
        SEATS,
        INMAILS_PER_SEAT,
        MEMBERS,
        t0 + 60_000,
        t0 + 48 * HOUR,
    );
    for seat in &seats {
        let id = seat.trim_start_matches("urn:li:seat:");
        put(
            format!("/tenants/bench/contracts/1/seats/{id}/link"),
            json!({"userId": "u"}),
        )
        .await?;
    }
    for k in 0..CANDIDATES {
        let person = json!({"member": format!("urn:li:person:gen-{k}"), "firstName": "Gen", "lastName": format!("{k}")});
        sim.export(ExportSpec {
            client_id: "bench".into(),
            request_id: None,
            contract: "urn:li:contract:1".into(),
            exporter: seats[0].clone(),
            ats_job_posting_id: "job".into(),
            candidate: person,
        })
        .await?;
    }
    stack.settle().await?;
    stack.drain_streams().await?;

    // The measured part: one poll imports two days of activity for every seat.
    clock.set(t0 + 49 * HOUR);
    counter.take();
    sim.clear_calls();
    let started = Instant::now();
    let fired = http
        .post(api("/_local/schedules/InMailPollFunction"))
        .bearer_auth(&stack.admin_token)
        .send()
        .await?
        .text()
        .await?;
    stack.settle_within(Duration::from_secs(1800)).await?;
    let import_secs = started.elapsed().as_secs_f64();
    let requests = counter.take();
    let stream_batches = || -> usize {
        stack
            .streams
            .iter()
            .map(|s| s.batches.load(std::sync::atomic::Ordering::SeqCst))
            .sum()
    };
    let publishing = Instant::now();
    let batches_before = stream_batches();
    stack.drain_streams().await?;
    let publisher_secs = publishing.elapsed().as_secs_f64();
    let publisher_requests = counter.take();
    let publisher_batches = stream_batches() - batches_before;
    let records = count_activity(&stack).await?;
    let linkedin_calls = sim
        .calls()
        .iter()
        .filter(|c| c.path.starts_with("/v2/"))
        .count();
    let token_calls = sim
        .calls()
        .iter()
        .filter(|c| c.path.starts_with("/oauth"))
        .count();

    // The same endpoint's raw BatchWriteItem rate, same item size, same parallelism.
    let mut raw_secs = f64::MAX;
    let mut best_writers = 0;
    for (run, writers) in WRITERS.into_iter().enumerate() {
        let secs = raw_batch_writes(&stack, records, writers, run).await?;
        if secs < raw_secs {
            (raw_secs, best_writers) = (secs, writers);
        }
    }

    let total: usize = requests.values().sum();
    let writes: usize = [
        "BatchWriteItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "TransactWriteItems",
    ]
    .iter()
    .filter_map(|op| requests.get(*op))
    .sum();
    let rate = records as f64 / import_secs;
    let raw_rate = records as f64 / raw_secs;
    let mut doc = String::new();
    doc.push_str("## Activity import (InMails)\n\n");
    doc.push_str(&format!("{SEATS} linked seats × {INMAILS_PER_SEAT} InMails over two days = {} InMails about {MEMBERS} members ({CANDIDATES} of them candidates, the rest kept as pending activity), imported by one fired poll.\n\n", SEATS * INMAILS_PER_SEAT));
    doc.push_str("| measure | value | target |\n| --- | --- | --- |\n");
    doc.push_str(&format!(
        "| records imported | {records} | {} |\n",
        SEATS * INMAILS_PER_SEAT
    ));
    doc.push_str(&format!(
        "| wall time of the import | {import_secs:.1} s | |\n"
    ));
    doc.push_str(&format!("| import rate | {rate:.0} records/s | |\n"));
    doc.push_str(&format!(
        "| raw BatchWriteItem rate, same endpoint (best of {WRITERS:?} parallel writers: {best_writers}) | {raw_rate:.0} items/s | |\n"
    ));
    doc.push_str(&format!(
        "| import rate / raw write rate | {:.2} | ≥ 0.7 |\n",
        rate / raw_rate
    ));
    doc.push_str(&format!("| LinkedIn API calls per record | {:.4} ({linkedin_calls} calls, {token_calls} token requests) | |\n", linkedin_calls as f64 / records as f64));
    doc.push_str(&format!(
        "| DynamoDB write requests per record | {:.4} | ≤ 0.1 |\n",
        writes as f64 / records as f64
    ));
    doc.push_str(&format!(
        "| DynamoDB requests per record, all | {:.4} ({total} requests) | |\n\n",
        total as f64 / records as f64
    ));
    doc.push_str("DynamoDB requests of the import by operation:\n\n| operation | requests |\n| --- | --- |\n");
    for (op, n) in &requests {
        doc.push_str(&format!("| {op} | {n} |\n"));
    }
    doc.push_str(&format!("\nThe poll's answer: `{fired}`\n"));
    doc.push_str(
        "\n### Reading these numbers\n\n\
         - The counts are exact and machine-independent: every write is a 25-item BatchWriteItem, a seat\n  \
         costs two UpdateItems per poll (lease; cursors + release in one request), and members are placed\n  \
         with one BatchGetItem per hundred.\n\
         - The rate ratio compares against moto, a single Python process. Moto spends a few milliseconds\n  \
         per request whatever its size, and the import also serves its own reads, the SQS traffic of the\n  \
         fan-out and the LinkedIn pages; on DynamoDB, where a 25-item batch costs 25 write units and a\n  \
         read costs one, the write share of the work is far larger than here.\n",
    );
    let publisher_total: usize = publisher_requests.values().sum();
    doc.push_str(&format!(
        "\n### The event publisher (issue 21), after the import\n\n\
         The table's stream was held back while the import ran, then handed to event-publisher \
         ({publisher_batches} stream batches): {publisher_secs:.1} s, {publisher_total} DynamoDB \
         requests ({:.4} per imported record): {}.\n",
        publisher_total as f64 / records as f64,
        publisher_requests
            .iter()
            .map(|(op, n)| format!("{op} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
    ));
    Ok(doc)
}

/// Outbound sync: 1,000 changes through the admin API (600 new candidates, then 400 new
/// applications), sent as fast as 8 clients can; for each, the time from the API's answer to
/// LinkedIn (the simulator) accepting the record, and the LinkedIn requests they took.
/// Lone changes measured before the burst, and their spacing.
const LONE: usize = 200;
const LONE_SPACING_MS: u64 = 300;
const FRESHNESS_HEADING: &str = "## Outbound sync (freshness)";

async fn outbound_freshness() -> Result<String, Error> {
    use futures::StreamExt;
    const CANDIDATES: usize = 600;
    const APPLICATIONS: usize = 400;
    let moto = Moto::start(0)?;
    let sim = Sim::start(SocketAddr::from(([127, 0, 0, 1], 0)), SimConfig::default()).await?;
    sim.register_app(App {
        client_id: "bench".into(),
        client_secret: "s".into(),
        organization: "urn:li:organization:1".into(),
        callback_url: None,
    });
    let stack = Stack::start(StackOptions::new(
        "bench-sync",
        &moto.endpoint,
        &sim.api_url(),
        &sim.auth_url(),
    ))
    .await?;
    for (path, body) in [
        (
            "/tenants/bench",
            json!({"name": "Bench", "organization": "1", "linkedin": {"clientId": "bench", "clientSecret": "s"}}),
        ),
        ("/tenants/bench/contracts/1", json!({})),
        (
            "/tenants/bench/jobs/job",
            json!({"title": "Job", "description": "A job.", "location": "Berlin, DE", "state": "OPEN",
               "companyApplyUrl": "https://careers.example/jobs"}),
        ),
    ] {
        stack.admin_put(path, &body).await?;
    }
    stack.settle().await?;
    sim.clear_synced();
    let now_ms = || chrono::Utc::now().timestamp_millis();
    let admin = &stack;

    // Lone changes: each made when the previous one is long at LinkedIn.
    let mut lone: Vec<(String, i64)> = Vec::with_capacity(LONE);
    for i in 0..LONE {
        let path = format!("/tenants/bench/candidates/lone-{i}");
        admin
            .admin_put(
                &path,
                &json!({"firstName": "Lone", "lastName": format!("{i}"), "emails": [format!("l{i}@bench.example")]}),
            )
            .await?;
        lone.push((format!("candidate:lone-{i}"), now_ms()));
        tokio::time::sleep(Duration::from_millis(LONE_SPACING_MS)).await;
    }
    stack.settle().await?;
    let lone_synced = sim.synced("urn:li:organization:1");
    let mut lone_lags: Vec<i64> = lone
        .iter()
        .filter_map(|(key, at)| Some((lone_synced.accepted_at.get(key)? - at).max(0)))
        .collect();
    lone_lags.sort_unstable();
    let lone_missing = LONE - lone_lags.len();
    let lone_requests = lone_synced.requests.len();
    let lone_pct = |p: f64| {
        lone_lags
            .get(((lone_lags.len() as f64 * p) as usize).min(lone_lags.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    let lone_section = format!(
        "{LONE} lone changes (a new candidate each, {LONE_SPACING_MS} ms apart, each finding \
         LinkedIn idle): at LinkedIn {} of {LONE}; freshness p50 {:.2} s, p95 {:.2} s, max \
         {:.2} s; {lone_requests} LinkedIn requests.\n\n",
        LONE - lone_missing,
        lone_pct(0.5),
        lone_pct(0.95),
        lone_lags.last().copied().unwrap_or(0) as f64 / 1000.0,
    );
    sim.clear_synced();
    let change = move |path: String, body: serde_json::Value, key: String| async move {
        admin.admin_put(&path, &body).await?;
        Ok::<_, Error>((key, now_ms()))
    };
    let started = Instant::now();
    let mut accepted: Vec<(String, i64)> = Vec::with_capacity(CANDIDATES + APPLICATIONS);
    let candidates = futures::stream::iter(0..CANDIDATES)
        .map(|i| {
            change(
                format!("/tenants/bench/candidates/fresh-{i}"),
                json!({"firstName": "Fresh", "lastName": format!("{i}"), "emails": [format!("f{i}@bench.example")]}),
                format!("candidate:fresh-{i}"),
            )
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    let applications = futures::stream::iter(0..APPLICATIONS)
        .map(|i| {
            change(
                format!("/tenants/bench/applications/app-{i}"),
                json!({"jobId": "job", "candidateId": format!("fresh-{i}"), "source": "Career site"}),
                format!("application:app-{i}"),
            )
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    for r in candidates.into_iter().chain(applications) {
        accepted.push(r?);
    }
    let api_secs = started.elapsed().as_secs_f64();
    stack.settle().await?;
    let synced = sim.synced("urn:li:organization:1");
    let mut lags: Vec<i64> = Vec::with_capacity(accepted.len());
    let mut missing = 0;
    for (key, at) in &accepted {
        match synced.accepted_at.get(key) {
            Some(received) => lags.push((received - at).max(0)),
            None => missing += 1,
        }
    }
    lags.sort_unstable();
    let pct = |p: f64| {
        lags.get(((lags.len() as f64 * p) as usize).min(lags.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in &synced.requests {
        let e = by_kind.entry(r.kind.clone()).or_default();
        e.0 += 1;
        e.1 += r.records;
    }
    let requests: usize = synced.requests.len();
    let changes = accepted.len();
    drop(stack);
    drop(moto);
    let mut out = format!("\n{FRESHNESS_HEADING}\n\n");
    out.push_str(&format!(
        "The sync sends a change that finds LinkedIn idle at once; after a send, the next batch \
         gathers what arrives until it holds 100 records or the template default \
         `SyncGatherMs` = 2 s has passed. A fresh moto serves this part (moto copies every \
         table of its backend for each transaction, so the activity data above would slow \
         every change).\n\n{lone_section}Then a burst: {changes} changes through the admin API \
         ({CANDIDATES} new candidates, then {APPLICATIONS} new applications), from 8 clients at \
         once, taking {api_secs:.1} s.\n\n"
    ));
    out.push_str("| measure | value | target |\n| --- | --- | --- |\n");
    out.push_str(&format!(
        "| changes accepted / at LinkedIn | {changes} / {} | all |\n",
        changes - missing
    ));
    out.push_str(&format!(
        "| freshness p50 (API answer → LinkedIn accepted) | {:.2} s | |\n",
        pct(0.5) as f64 / 1000.0
    ));
    out.push_str(&format!(
        "| freshness p95 | {:.2} s | ≤ 5 s |\n",
        pct(0.95) as f64 / 1000.0
    ));
    out.push_str(&format!(
        "| freshness max | {:.2} s | |\n",
        lags.last().copied().unwrap_or(0) as f64 / 1000.0
    ));
    out.push_str(&format!(
        "| LinkedIn requests per 1,000 changes | {:.1} ({requests} requests) | ≤ 12 |\n\n",
        requests as f64 * 1000.0 / changes as f64
    ));
    out.push_str("| request kind | requests | records |\n| --- | --- | --- |\n");
    for (kind, (n, records)) in &by_kind {
        out.push_str(&format!("| {kind} | {n} | {records} |\n"));
    }
    out.push_str(
        "\nStages are not in this mix: LinkedIn's stage endpoint names one application in its \
         path, so stage changes cost one request per application whose stages changed (see \
         docs/outbound-sync.md).\n",
    );
    Ok(out)
}

const BURST_HEADING: &str = "## Webhook burst (reliability under load)";

/// Reliability under load: 2,000 signed export notifications to the webhook from 32 clients at
/// once; every one must be answered 2xx and imported exactly once.
async fn webhook_burst() -> Result<String, Error> {
    use futures::StreamExt;
    const NOTIFICATIONS: usize = 2_000;
    const CLIENTS: usize = 32;
    let moto = Moto::start(0)?;
    let sim = Sim::start(SocketAddr::from(([127, 0, 0, 1], 0)), SimConfig::default()).await?;
    sim.register_app(App {
        client_id: "burst".into(),
        client_secret: "burst-secret".into(),
        organization: "urn:li:organization:3".into(),
        // Notifications are posted by the bench itself, so LinkedIn only stores the exports.
        callback_url: None,
    });
    let mut opts = StackOptions::new(
        "bench-burst",
        &moto.endpoint,
        &sim.api_url(),
        &sim.auth_url(),
    );
    opts.parameters
        .insert("BackfillHorizonDays".into(), "0".into());
    let stack = Stack::start(opts).await?;
    let http = &reqwest::Client::new();
    // Only a seat LinkedIn lists can be linked.
    sim.add_seat(linkedin_sim::Seat {
        id: "9001".into(),
        contract: "urn:li:contract:1".into(),
        member: "urn:li:person:burst-seat-holder".into(),
        first_name: "U".into(),
        last_name: "Ser".into(),
        state: "ACTIVE".into(),
        email: None,
    });
    for (path, body) in [
        (
            "/tenants/burst",
            json!({"name": "Burst", "organization": "3", "linkedin": {"clientId": "burst", "clientSecret": "burst-secret"}}),
        ),
        ("/tenants/burst/contracts/1", json!({})),
        (
            "/tenants/burst/jobs/job",
            json!({"title": "Job", "description": "A job.", "location": "Berlin, DE", "state": "OPEN",
               "companyApplyUrl": "https://careers.example/jobs"}),
        ),
        (
            "/tenants/burst/users/u",
            json!({"email": "u@burst.example", "firstName": "U", "lastName": "Ser"}),
        ),
        (
            "/tenants/burst/contracts/1/seats/9001/link",
            json!({"userId": "u"}),
        ),
    ] {
        stack.admin_put(path, &body).await?;
    }
    stack.settle().await?;
    let mut bodies = Vec::with_capacity(NOTIFICATIONS);
    for i in 0..NOTIFICATIONS {
        let pushed = sim
            .export(ExportSpec {
                client_id: "burst".into(),
                request_id: None,
                contract: "urn:li:contract:1".into(),
                exporter: "urn:li:seat:9001".into(),
                ats_job_posting_id: "job".into(),
                candidate: json!({"member": format!("urn:li:person:burst-{i}"), "firstName": "B", "lastName": format!("{i}")}),
            })
            .await?;
        let body = json!({
            "notificationId": format!("burst-{i}"),
            "type": "EXPORT_CANDIDATE_PROFILE",
            "requestId": pushed.request_id,
            "integrationContext": "urn:li:organization:3",
            "occurredAt": chrono::Utc::now().timestamp_millis(),
        })
        .to_string();
        bodies.push(body);
    }
    let url = format!("{}/linkedin/burst/events", stack.api_url);
    let started = Instant::now();
    let answers: Vec<Result<(u16, f64), Error>> = futures::stream::iter(bodies)
        .map(|body| {
            let signature = linkedin_sim::push_signature("burst-secret", body.as_bytes());
            let req = http
                .post(&url)
                .header("content-type", "application/json")
                .header("X-LI-Signature", signature)
                .body(body);
            async move {
                let t = Instant::now();
                let resp = req.send().await?;
                Ok((resp.status().as_u16(), t.elapsed().as_secs_f64()))
            }
        })
        .buffer_unordered(CLIENTS)
        .collect()
        .await;
    let burst_secs = started.elapsed().as_secs_f64();
    let mut ok = 0;
    let mut slowest = 0f64;
    let mut latencies = Vec::with_capacity(answers.len());
    for a in answers {
        let (status, secs) = a?;
        if (200..300).contains(&status) {
            ok += 1;
        }
        slowest = slowest.max(secs);
        latencies.push(secs);
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    let p95 = latencies[(latencies.len() * 95 / 100).min(latencies.len() - 1)];
    let drain = Instant::now();
    stack
        .settle_within(std::time::Duration::from_secs(3600))
        .await?;
    let drain_secs = drain.elapsed().as_secs_f64();
    // Every export recorded once, imported once (one candidate per member).
    let mut imported = 0;
    let mut records = 0;
    let mut token: Option<String> = None;
    loop {
        let mut url = format!("{}/tenants/burst/exports?limit=100", stack.api_url);
        if let Some(t) = &token {
            url.push_str(&format!("&nextToken={t}"));
        }
        let page: serde_json::Value = http
            .get(&url)
            .bearer_auth(&stack.admin_token)
            .send()
            .await?
            .json()
            .await?;
        for e in page["items"].as_array().into_iter().flatten() {
            records += 1;
            if e["status"] == "imported" {
                imported += 1;
            }
        }
        match page["nextToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    let fetches = sim
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/exportedCandidates"))
        .count();
    drop(stack);
    drop(moto);
    let mut out = format!("\n{BURST_HEADING}\n\n");
    out.push_str(&format!(
        "{NOTIFICATIONS} signed export notifications posted to the webhook by {CLIENTS} clients at \
         once, on a fresh moto; then the imports drained.\n\n"
    ));
    out.push_str("| measure | value |\n| --- | --- |\n");
    out.push_str(&format!("| answered 2xx | {ok} of {NOTIFICATIONS} |\n"));
    out.push_str(&format!(
        "| webhook rate | {:.0} notifications/s ({burst_secs:.1} s) |\n",
        NOTIFICATIONS as f64 / burst_secs
    ));
    out.push_str(&format!(
        "| webhook answer p95 | {:.0} ms |\n",
        p95 * 1000.0
    ));
    out.push_str(&format!(
        "| slowest answer | {:.0} ms |\n",
        slowest * 1000.0
    ));
    out.push_str(&format!(
        "| imports drained in | {drain_secs:.1} s after the burst |\n"
    ));
    out.push_str(&format!(
        "| export records / imported / exportedCandidates calls | {records} / {imported} / {fetches} |\n"
    ));
    out.push_str(
        "\nExactly once means the last row reads the same number three times: one record, one import \
         and one LinkedIn fetch per notification. The rate and the answer times are moto's: one \
         Python process on one core serves every webhook request (the enqueue; the tenant check and \
         the secret are cached after the first) while it also serves the imports, which start at \
         once.\n",
    );
    Ok(out)
}

async fn count_activity(stack: &Stack) -> Result<usize, Error> {
    let mut n = 0;
    let mut start = None;
    loop {
        let resp = stack
            .clients
            .dynamodb
            .scan()
            .table_name(stack.table_name())
            .filter_expression("begins_with(sk, :a)")
            .expression_attribute_values(":a", AttributeValue::S("ACTIVITY#".into()))
            .select(aws_sdk_dynamodb::types::Select::Count)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        n += resp.count() as usize;
        match resp.last_evaluated_key() {
            Some(k) if !k.is_empty() => start = Some(k.clone()),
            _ => return Ok(n),
        }
    }
}

async fn first_activity_item(
    stack: &Stack,
) -> Result<std::collections::HashMap<String, AttributeValue>, Error> {
    let mut start = None;
    loop {
        let resp = stack
            .clients
            .dynamodb
            .scan()
            .table_name(stack.table_name())
            .filter_expression("begins_with(sk, :a)")
            .expression_attribute_values(":a", AttributeValue::S("ACTIVITY#".into()))
            .set_exclusive_start_key(start)
            .send()
            .await?;
        if let Some(item) = resp.items.as_ref().and_then(|i| i.first()) {
            return Ok(item.clone());
        }
        match resp.last_evaluated_key {
            Some(k) if !k.is_empty() => start = Some(k),
            _ => return Err("no activity item to copy".into()),
        }
    }
}

/// Writes `n` activity-sized items with BatchWriteItem (25 per call) from `writers` tasks.
async fn raw_batch_writes(
    stack: &Stack,
    n: usize,
    writers: usize,
    run: usize,
) -> Result<f64, Error> {
    let sample = first_activity_item(stack).await?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let client = stack.clients.dynamodb.clone();
        let table = stack.table_name().to_owned();
        let sample = sample.clone();
        tasks.push(tokio::spawn(async move {
            let mine: Vec<usize> = (0..n).filter(|i| i % writers == w).collect();
            for chunk in mine.chunks(25) {
                let requests: Vec<WriteRequest> = chunk
                    .iter()
                    .map(|i| {
                        let mut item = sample.clone();
                        item.insert(
                            "pk".into(),
                            AttributeValue::S(format!("RAW{run}#{}", i % 200)),
                        );
                        item.insert("sk".into(), AttributeValue::S(format!("RAW#{i:06}")));
                        WriteRequest::builder()
                            .put_request(
                                PutRequest::builder().set_item(Some(item)).build().unwrap(),
                            )
                            .build()
                    })
                    .collect();
                let mut pending = requests;
                while !pending.is_empty() {
                    let resp = client
                        .batch_write_item()
                        .request_items(&table, pending)
                        .send()
                        .await
                        .unwrap();
                    pending = resp
                        .unprocessed_items
                        .and_then(|mut u| u.remove(&table))
                        .unwrap_or_default();
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    Ok(started.elapsed().as_secs_f64())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().next().map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
                    / 1024
                    / 1024
            })
        })
        .unwrap_or(0);
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    format!("{cores} cores ({cpu}), {mem} GiB RAM, Linux; {profile} build")
}
