//! What the measured counts cost at AWS's unit prices. The prices are written down with their
//! date; the request counts come from this run; the assumptions are stated next to the table.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::records::Work;

/// AWS list prices, us-east-1, as of the date below (on-demand, no free tier).
pub const PRICES_DATE: &str = "2026-11-26 (the list prices AWS has published since the November 2024 DynamoDB on-demand reduction; check the pricing pages before relying on them)";
const LAMBDA_REQUEST: f64 = 0.20 / 1e6;
/// arm64, as template.yaml deploys.
const LAMBDA_GB_SECOND: f64 = 0.000_013_333_4;
const DYNAMODB_WRU: f64 = 0.625 / 1e6;
const DYNAMODB_RRU: f64 = 0.125 / 1e6;
const SQS_REQUEST: f64 = 0.40 / 1e6;
const HTTP_API_REQUEST: f64 = 1.00 / 1e6;
const SECRETS_CALL: f64 = 0.05 / 10_000.0;
const SECRET_MONTH: f64 = 0.40;
const MEMORY_GB: f64 = 0.125;

/// Request units of one kind of work, from its counted requests.
#[derive(Default, Clone, Copy)]
pub struct Units {
    pub rru: f64,
    pub wru: f64,
    pub sqs: f64,
    pub secrets: f64,
}

/// Reads cost 1 RRU per item (strongly consistent, ≤ 4 KB: an upper bound; eventually consistent
/// reads cost half); a BatchGetItem reads up to 100 items, counted as the records it serves.
/// Writes cost 1 WRU per item ≤ 1 KB; a BatchWriteItem writes 25 items; a TransactWriteItems of
/// an export writes 5 items at 2 WRU each. Each SQS message is also received and deleted once by
/// the event source mapping (counted as 2 requests per 10-message batch).
pub fn units(w: &Work) -> Units {
    let mut u = Units::default();
    let per_batch_get = (w.records as f64
        / w.aws.get("BatchGetItem").copied().unwrap_or(1).max(1) as f64)
        .min(100.0);
    for (op, n) in &w.aws {
        let n = *n as f64;
        match op.as_str() {
            "GetItem" | "Query" => u.rru += n,
            "BatchGetItem" => u.rru += n * per_batch_get,
            "PutItem" | "UpdateItem" | "DeleteItem" => u.wru += n,
            "BatchWriteItem" => u.wru += n * 25.0,
            "TransactWriteItems" => u.wru += n * 10.0,
            "AmazonSQS.SendMessage" => u.sqs += n * 1.2,
            "AmazonSQS.SendMessageBatch" => u.sqs += n * 3.0,
            op if op.starts_with("AmazonSQS") => u.sqs += n,
            op if op.starts_with("secretsmanager") => u.secrets += n,
            _ => {}
        }
    }
    u
}

fn dollars(u: Units, scale: f64) -> f64 {
    (u.rru * DYNAMODB_RRU + u.wru * DYNAMODB_WRU + u.sqs * SQS_REQUEST + u.secrets * SECRETS_CALL)
        * scale
}

/// The cost table. `ms` is each function's duration per invocation (its first response, minus
/// init: an upper bound, since it includes opening connections).
pub fn table(works: &[Work], ms: &BTreeMap<String, f64>) -> String {
    let per = |what: &str| works.iter().find(|w| w.what.starts_with(what));
    let lambda = |invocations: f64, function: &str| {
        let seconds = ms.get(function).copied().unwrap_or(50.0).ceil() / 1000.0;
        (
            invocations * LAMBDA_REQUEST + invocations * seconds * MEMORY_GB * LAMBDA_GB_SECOND,
            invocations * seconds * MEMORY_GB,
        )
    };
    let mut r = String::new();
    let _ = writeln!(
        r,
        "### Cost from the measured counts\n\n\
         Prices: AWS list prices for us-east-1 as of {PRICES_DATE}: Lambda $0.20 per million requests and \
         $0.0000133334 per GB-second (arm64, as deployed; 128 MB); DynamoDB on-demand $0.625 per million \
         write request units and $0.125 per million read request units; SQS $0.40 per million requests; \
         HTTP API $1.00 per million requests; Secrets Manager $0.05 per 10,000 calls and $0.40 per secret \
         a month. Free tiers are left out.\n\n\
         Assumptions: the request counts per record above; a read costs 1 RRU per item (strongly \
         consistent, ≤ 4 KB: an upper bound); writes 1 WRU per item, transactions 2; each queued message \
         is also received and deleted by Lambda's event source mapping; an invocation lasts its measured \
         first response (upper bound: it includes opening connections), billed in whole ms. Exports \
         and their imports are one invocation each (quiet traffic; bursts batch up to 10 imports).\n"
    );
    let _ = writeln!(
        r,
        "| workload | Lambda GB-s | Lambda $ | DynamoDB + SQS + Secrets $ | API Gateway $ | total $ |"
    );
    let _ = writeln!(r, "| --- | --- | --- | --- | --- | --- |");
    let mut row = |name: &str, gbs: f64, lambda_usd: f64, data_usd: f64, api_usd: f64| {
        let _ = writeln!(
            r,
            "| {name} | {gbs:.1} | {lambda_usd:.4} | {data_usd:.4} | {api_usd:.4} | {:.4} |",
            lambda_usd + data_usd + api_usd
        );
    };
    if let Some(w) = per("export") {
        let scale = 1000.0 / w.records as f64;
        let (l1, g1) = lambda(1000.0, "export-webhook");
        let (l2, g2) = lambda(1000.0, "export-import");
        row(
            "1,000 exports",
            g1 + g2,
            l1 + l2,
            dollars(units(w), scale),
            1000.0 * HTTP_API_REQUEST,
        );
    }
    if let Some(w) = per("InMail") {
        let scale = 100_000.0 / w.records as f64;
        // One inmail-import invocation per seat poll; 100,000 InMails over 50 seats a month come
        // in 72,000 polls, but the InMails' own share is what the counts above measure.
        let invocations = 100_000.0 / w.records as f64;
        let (l, g) = lambda(invocations, "inmail-import");
        row(
            "100,000 InMails (their own share)",
            g,
            l,
            dollars(units(w), scale),
            0.0,
        );
    }
    // A month of a 50-seat customer: polls every 30 minutes, the hourly review, the daily
    // compliance review, 20 exports and 200 InMails per seat, 1,000 ATS changes.
    let seats = 50.0;
    let polls = 48.0 * 30.0;
    let (lp, gp) = lambda(polls, "inmail-poll");
    let (li, gi) = lambda(polls * seats, "inmail-import");
    let (lc, gc) = lambda(24.0 * 30.0, "contract-expiry");
    let (lr, gr) = lambda(30.0, "compliance-review");
    let (lw, gw) = lambda(seats * 20.0, "export-webhook");
    let (le, ge) = lambda(seats * 20.0, "export-import");
    let (ls, gs) = lambda(1000.0 / 10.0, "ats-sync");
    // An empty seat poll: 1 GetItem and 2 UpdateItems (lease, cursors + release), 1 SQS message.
    let empty_poll = Units {
        rru: 1.0,
        wru: 2.0,
        sqs: 0.3,
        secrets: 0.0,
    };
    let mut data = dollars(empty_poll, polls * seats);
    if let Some(w) = per("export") {
        data += dollars(units(w), seats * 20.0 / w.records as f64);
    }
    if let Some(w) = per("InMail") {
        data += dollars(units(w), seats * 200.0 / w.records as f64);
    }
    if let Some(w) = per("outbound") {
        data += dollars(units(w), 1000.0 / w.records as f64);
    }
    let api = (seats * 20.0 + 1000.0) * HTTP_API_REQUEST;
    row(
        "a month, 50 seats (1,440 polls of each seat, 1,000 exports, 10,000 InMails, 1,000 ATS changes)",
        gp + gi + gc + gr + gw + ge + gs,
        lp + li + lc + lr + lw + le + ls,
        data + SECRET_MONTH,
        api,
    );
    let _ = writeln!(
        r,
        "\nThe month's polling is 72,000 seat polls, each an invocation, a read and two writes, whether \
         or not the seat has new activity."
    );
    r
}
