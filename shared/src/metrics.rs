//! Metrics in CloudWatch's embedded metric format (EMF): one JSON line on stdout per event, which
//! Lambda forwards to CloudWatch Logs, where CloudWatch turns it into metrics. No API call and
//! no agent; the line carries counts and low-cardinality dimensions only (never a tenant, a
//! person or a record id). template.yaml's alarms read these metrics.
//!
//! Stdout is where the lines go unless [`set_sink`] says otherwise: the local stack, which runs
//! every function in one process, keeps them out of its report that way.

use std::sync::{Mutex, RwLock};

use serde_json::{Map, Value, json};

/// The CloudWatch namespace of every metric here.
pub const NAMESPACE: &str = "LinkedInRecruiterIntegration";

/// Where lines go instead of stdout while a capture is active (tests).
static CAPTURE: Mutex<Option<Vec<String>>> = Mutex::new(None);

/// Where lines go instead of stdout once set, when no capture is active.
static SINK: RwLock<Option<Sink>> = RwLock::new(None);

/// Something that takes each metric line (one EMF JSON document, no newline).
pub type Sink = Box<dyn Fn(&str) + Send + Sync>;

/// What a metric counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
        }
    }
}

/// Records `metrics` (name, value, unit) for `function` with extra `dimensions`. Zero counts
/// are written too, so an alarm sees "nothing" rather than "no data".
pub fn emit(function: &str, dimensions: &[(&str, &str)], metrics: &[(&str, f64, Unit)]) {
    let now = crate::clock::Clock::now_ms(&crate::clock::SystemClock);
    let line = line(function, dimensions, metrics, now);
    if let Some(lines) = CAPTURE.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        lines.push(line);
        return;
    }
    match SINK.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
        Some(sink) => sink(&line),
        None => println!("{line}"),
    }
}

/// Sends every later line to `sink` instead of stdout. A deployed function never calls this
/// (CloudWatch reads the lines from stdout); the local stack does, to write them to a file.
pub fn set_sink(sink: impl Fn(&str) + Send + Sync + 'static) {
    *SINK.write().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(sink));
}

/// A count of one thing.
pub fn count(function: &str, dimensions: &[(&str, &str)], name: &str, n: u64) {
    emit(function, dimensions, &[(name, n as f64, Unit::Count)]);
}

/// The EMF document of one event.
fn line(
    function: &str,
    dimensions: &[(&str, &str)],
    metrics: &[(&str, f64, Unit)],
    at_ms: i64,
) -> String {
    let mut names: Vec<&str> = vec!["Function"];
    names.extend(dimensions.iter().map(|(k, _)| *k));
    let mut doc = Map::new();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": at_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": metrics
                    .iter()
                    .map(|(name, _, unit)| json!({"Name": name, "Unit": unit.as_str()}))
                    .collect::<Vec<_>>(),
            }],
        }),
    );
    doc.insert("Function".into(), Value::from(function));
    for (k, v) in dimensions {
        doc.insert((*k).into(), Value::from(*v));
    }
    for (name, value, _) in metrics {
        doc.insert((*name).into(), json!(value));
    }
    Value::Object(doc).to_string()
}

/// Starts collecting metric lines in memory instead of printing them (for tests; every thread's
/// lines are collected). `take_captured` returns and stops.
pub fn start_capture() {
    *CAPTURE.lock().unwrap_or_else(|e| e.into_inner()) = Some(Vec::new());
}

/// The lines collected since `start_capture`, parsed; stops collecting.
pub fn take_captured() -> Vec<Value> {
    CAPTURE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .unwrap_or_default()
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_an_emf_document() {
        let l = line(
            "export-import",
            &[("Reason", "unknown_job")],
            &[("ExportsSkipped", 1.0, Unit::Count)],
            1_700_000_000_000,
        );
        let v: Value = serde_json::from_str(&l).unwrap();
        let meta = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(meta["Namespace"], NAMESPACE);
        assert_eq!(meta["Dimensions"], json!([["Function", "Reason"]]));
        assert_eq!(
            meta["Metrics"],
            json!([{"Name": "ExportsSkipped", "Unit": "Count"}])
        );
        assert_eq!(v["_aws"]["Timestamp"], 1_700_000_000_000i64);
        assert_eq!(
            (&v["Function"], &v["Reason"], &v["ExportsSkipped"]),
            (&json!("export-import"), &json!("unknown_job"), &json!(1.0))
        );
    }
}
