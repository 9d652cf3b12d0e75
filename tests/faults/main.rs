//! Fault-injection suite: one scenario (exports, InMails, notes, contact details, a late seat
//! link, an expiry and renewal, outbound changes) played once without faults and then once per
//! seed with faults drawn from the seed: SQS delivering twice and out of order, DynamoDB and
//! SQS failing for a few calls in the middle of a handler, LinkedIn answering 429, 500, 503,
//! timing out or forgetting its tokens. Every seeded run must end exactly where the fault-free
//! run ended, with no message in a dead-letter queue.
//!
//! `FAULT_SEEDS=N` (default 200) sets how many seeds run, `FAULT_SEED=S` replays one seed,
//! `FAULT_LANES=N` (default 6) how many run at once, `FAULT_MOTOS=N`
//! (default 2) on how many moto servers, `FAULT_LOG=<filter>` prints the functions'
//! logs (e.g. `FAULT_LOG=info`), `FAULT_SHOW=1` prints what the fault-free run ended with and
//! `FAULT_TIMES=1` how long each seed took. `make soak SEEDS=N` runs more.

mod plan;
mod poison;
mod pump;
mod scenario;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use futures::StreamExt;
use local_stack::moto::Moto;
use serde_json::Value;

use plan::Plan;
use scenario::Outcome;

/// The binary's moto servers (`FAULT_MOTOS`, default 2: moto works on one core, and its
/// transactions copy its whole backend, so fewer stacks per server go faster). Each run has its
/// own stack in one of them, removed when the run ends.
fn motos() -> &'static [Moto] {
    static MOTOS: OnceLock<Vec<Moto>> = OnceLock::new();
    MOTOS.get_or_init(|| {
        (0..env_u64("FAULT_MOTOS").unwrap_or(2).max(1))
            .map(|_| Moto::start(0).expect("moto must start (run `make venv`)"))
            .collect()
    })
}

fn moto() -> &'static str {
    &motos()[0].endpoint
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// The lines where two outcomes differ, as paths into the records.
fn differences(expected: &Outcome, got: &Outcome) -> Vec<String> {
    let mut keys: Vec<&String> = expected.keys().chain(got.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let absent = Value::String("(absent)".into());
        let e = expected.get(k).unwrap_or(&absent);
        let g = got.get(k).unwrap_or(&absent);
        diff(k, e, g, &mut out);
    }
    out
}

fn diff(path: &str, e: &Value, g: &Value, out: &mut Vec<String>) {
    match (e, g) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let absent = Value::String("(absent)".into());
                diff(
                    &format!("{path}.{k}"),
                    a.get(k).unwrap_or(&absent),
                    b.get(k).unwrap_or(&absent),
                    out,
                );
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{i}]"), x, y, out);
            }
        }
        _ if e != g => out.push(format!(
            "  {path}\n    fault-free: {e}\n    this seed:  {g}"
        )),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_seed_ends_where_the_fault_free_run_ends() {
    if let Ok(filter) = std::env::var("FAULT_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .try_init();
    }

    let now = chrono::Utc::now().timestamp_millis();
    let t0 = now - now % 3_600_000;

    let reference = scenario::play(moto(), "ref", t0, &Plan::none())
        .await
        .expect("the fault-free run must succeed");
    let expected = Arc::new(reference.outcome);
    for (k, v) in expected.iter() {
        assert!(
            !(k.starts_with("queue ") && k.contains("DeadLetter") && v != &Value::from(0)),
            "the fault-free run left a dead letter in {k}"
        );
    }
    if std::env::var_os("FAULT_SHOW").is_some() {
        for (k, v) in expected.iter() {
            eprintln!("{k}: {v}");
        }
    }
    eprintln!(
        "fault-free run: {} records observed, {} DynamoDB and {} SQS calls by the functions",
        expected.len(),
        reference.dynamodb_calls,
        reference.sqs_calls
    );

    let seeds: Vec<u64> = match env_u64("FAULT_SEED") {
        Some(seed) => vec![seed],
        None => (1..=env_u64("FAULT_SEEDS").unwrap_or(200)).collect(),
    };
    let lanes = env_u64("FAULT_LANES").unwrap_or(6).max(1) as usize;
    let runs = futures::stream::iter(seeds.iter().copied())
        .map(|seed| {
            let expected = expected.clone();
            async move {
                let plan = Plan::from_seed(seed);
                let started = std::time::Instant::now();
                let moto = &motos()[seed as usize % motos().len()].endpoint;
                let run = scenario::play(moto, &format!("s{seed}"), t0, &plan).await;
                if std::env::var_os("FAULT_TIMES").is_some() {
                    eprintln!("seed {seed}: {:.1} s", started.elapsed().as_secs_f64());
                }
                let verdict = match &run {
                    Ok(run) => {
                        let diff = differences(&expected, &run.outcome);
                        (!diff.is_empty()).then(|| diff.join("\n"))
                    }
                    Err(e) => Some(format!("  the run did not finish: {e}")),
                };
                let injected = run.map(|r| r.injected).unwrap_or_default();
                (seed, plan, injected, verdict)
            }
        })
        .buffer_unordered(lanes)
        .collect::<Vec<_>>()
        .await;

    let mut totals: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut failures = Vec::new();
    for (seed, plan, injected, verdict) in &runs {
        for (kind, n) in injected {
            *totals.entry(kind).or_default() += n;
        }
        if let Some(diff) = verdict {
            failures.push(format!(
                "seed {seed} ({plan:?}; injected {injected:?}):\n{diff}\n  replay: make soak SEED={seed}"
            ));
        }
    }
    eprintln!("{} seeds, injected in all: {totals:?}", runs.len());
    assert!(
        failures.is_empty(),
        "{} of {} seeds ended differently from the fault-free run:\n{}",
        failures.len(),
        runs.len(),
        failures.join("\n\n")
    );
}
