//! The report `make bench` writes into docs/benchmarks.md, from what was measured.

use std::path::Path;
use std::time::Duration;

use crate::process::{Cold, Subject, Warm, median};
use crate::{Error, TRIALS, WARM, records, scale, warm};

const SECTION: &str = "## Cold start, footprint and warm cost (release binaries)";
/// The section perf's goes before when the document lacks it.
pub const NEXT_SECTION: &str = "## Activity import (InMails)";

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

pub fn report(
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

/// CPU per imported record: (per InMail, per note, peak RSS in kB) of `process::import_cpu`.
pub fn import_section(import: (Duration, Duration, u64)) -> String {
    format!(
        "\n### Warm cost per imported record (inmail-import)\n\n\
         One warm inmail-import process polls a seat with 1,000 InMails, then a seat with 1,000 notes \
         (about 200 members, none of them candidates yet, so each is kept as pending activity): \
         LinkedIn pages of 100, DynamoDB batches of 25. CPU is the process's own, as above.\n\n\
         | record | CPU per record | peak RSS |\n| --- | --- | --- |\n\
         | InMail | {:.0} µs | {:.1} MB |\n| note | {:.0} µs | |\n",
        import.0.as_secs_f64() * 1e6,
        import.2 as f64 / 1024.0,
        import.1.as_secs_f64() * 1e6,
    )
}

pub fn records_section(works: &[records::Work]) -> String {
    use std::fmt::Write;
    let mut r = format!(
        "\n### Requests per record\n\n\
         {} records of each kind through the local stack, every request counted (SDK interceptors on \
         the functions' clients, the simulator's call log). An export is the webhook, the import and \
         the outbound sync that sends the new candidate to LinkedIn with its member attached \
         (`manualMatchedMember`): the import's own share is the conditional `PutItem` that claims \
         the request id, the transaction (with the contract and seat checks in it), the `Query` for \
         pending activity and the day's LinkedIn call count (one `UpdateItem` per invocation); the \
         rest of the row is ats-sync's. An \
         InMail, note or contact share is its poll's fan-out and import (LinkedIn pages of 50 InMails \
         or contact shares and 100 notes, the counts of LinkedIn's collection); an outbound change is \
         the admin-API write, its nudge's claim and the sync to LinkedIn, the changes made one after \
         the other or by 8 clients at once. The event publisher's requests are counted \
         apart (it runs on the table's stream after the work): events per record, then its \
         DynamoDB requests (the change feed) and EventBridge requests (`PutEvents`) per record.\n\n\
         | record | DynamoDB requests | SQS requests | LinkedIn requests | events | publisher: DynamoDB | publisher: EventBridge | by operation (per {} records) |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        records::RECORDS,
        records::RECORDS
    );
    for w in works {
        let n = w.records as f64;
        let ops: Vec<String> = w.aws.iter().map(|(op, c)| format!("{op} {c}")).collect();
        let _ = writeln!(
            r,
            "| {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
            w.what,
            w.dynamodb() as f64 / n,
            w.sqs() as f64 / n,
            w.linkedin as f64 / n,
            w.events as f64 / n,
            w.publisher_dynamodb() as f64 / n,
            w.publisher_eventbridge() as f64 / n,
            ops.join(", ")
        );
    }
    r
}

pub fn scale_section(small: &scale::FanOut, big: &scale::FanOut) -> String {
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
