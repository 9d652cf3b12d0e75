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
mod events;
#[cfg(test)]
mod first_event;
mod process;
mod records;
mod report;
mod runtime_api;
mod scale;
mod warm;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;

use events::{capture_pushes, first_event, make_pushes, seed, webhook_event};
use linkedin_sim::{Sim, SimConfig};
use local_stack::{Stack, StackOptions, moto::Moto};
use process::{Cold, Subject, import_cpu, median, run_cold, run_warm};
use runtime_api::RuntimeApi;
use serde_json::json;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Cold starts per binary (the median is reported).
const TRIALS: usize = 11;
/// Warm requests per webhook process for the CPU figure.
const WARM: usize = 300;
const TENANT: &str = "perf";
const SECRET: &str = "perf-secret";

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
                "{}: {} records, {:?}, LinkedIn {}; {} events, publisher {:?}",
                w.what, w.records, w.aws, w.linkedin, w.events, w.publisher
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
        "tenant-upkeep",
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
    let mut report = report::report(&subjects, &mut cold, &warm, &in_process, &python)?;
    report.push_str(&report::import_section(import));
    let works = records::measure().await?;
    report.push_str(&report::records_section(&works));
    let seats: usize = std::env::var("PERF_SEATS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let small = scale::fan_out(seats / 10, false).await?;
    let big = scale::fan_out(seats, true).await?;
    report.push_str(&report::scale_section(&small, &big));
    report.push('\n');
    report.push_str(&cost::table(&works, &durations));
    println!("{report}");
    let path = root.join("docs/benchmarks.md");
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".into());
    std::fs::write(
        &path,
        local_stack::report::replace_section(&doc, &report, Some(report::NEXT_SECTION)),
    )?;
    drop(stack);
    drop(moto);
    Ok(())
}
