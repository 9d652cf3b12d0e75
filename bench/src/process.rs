//! A function started as Lambda starts it, against the local Runtime API, and what its process
//! costs: cold starts, warm CPU per request or per imported record, peak RSS.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use linkedin_sim::Sim;
use local_stack::Stack;
use serde_json::{Value, json};

use crate::events::sqs_event;
use crate::runtime_api::{self, RuntimeApi};
use crate::{Error, TENANT, WARM};

/// Something started as a Lambda function: one of ours, the floor, or the Python peer.
pub struct Subject {
    pub name: String,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: HashMap<String, String>,
    /// The binary whose size is reported (none for the peer).
    pub binary: Option<PathBuf>,
}

#[derive(Default)]
pub struct Cold {
    pub init: Vec<Duration>,
    pub first_response: Vec<Duration>,
    pub peak_rss_kb: u64,
}

/// A failed invocation is not a measurement: the answer must be a success.
pub fn check(name: &str, outcome: &runtime_api::Outcome) -> Result<(), Error> {
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
pub fn spawn(s: &Subject) -> Result<tokio::process::Child, Error> {
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
pub async fn run_cold(
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

pub struct Warm {
    pub cpu_per_request: Duration,
    pub peak_rss_kb: u64,
}

/// A warm process: one event to start, then `WARM` more; the process's CPU time over those.
pub async fn run_warm(
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
pub async fn import_cpu(
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
        // Only a seat LinkedIn listed can be linked.
        store
            .upsert_seat_from_linkedin(
                TENANT,
                "1",
                seat,
                shared::store::ListedSeat {
                    member: None,
                    state: Some("ACTIVE"),
                    holder_name: None,
                },
                now - 3_600_000,
            )
            .await?;
        store
            .link_seat(TENANT, "1", seat, "u1", now - 3_600_000)
            .await?
            .ok_or_else(|| format!("seat {seat} was not linked"))?;
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
pub fn proc_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// CPU time of every thread of the process so far, in ns (schedstat's first field).
pub fn cpu_ns(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

pub fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}
