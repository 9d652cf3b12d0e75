//! One moto for the whole test binary; for each test its own stack (resource names prefixed by
//! a unique stack name), simulator and customer, so tests run in parallel without sharing state.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use aws_sdk_dynamodb::types::AttributeValue;
use hmac::{Hmac, Mac};
use linkedin_sim::{App, ExportSpec, PushResult, Sim, SimConfig};
use local_stack::moto::Moto;
use local_stack::{Stack, StackOptions};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use shared::aws::Clients;
use shared::clock::ManualClock;
use std::sync::Arc;

pub const TENANT: &str = "acme";
pub const CLIENT_ID: &str = "acme-client";
pub const CLIENT_SECRET: &str = "s3cr/et+=acme with space";
pub const ORGANIZATION: &str = "urn:li:organization:1001";
pub const ACTIVE: &str = "501";
pub const EXPIRED: &str = "502";
pub const JOB_ENG: &str = "job-eng";
pub const JOB_PM: &str = "job-pm";

pub fn moto() -> &'static str {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    &MOTO
        .get_or_init(|| {
            capture_logs();
            Moto::start(0).expect("moto must start (run `make venv`)")
        })
        .endpoint
}

/// Every log line of every test of this binary, as production writes them (JSON; everything at
/// info, our own crates at debug), for the privacy test. `E2E_LOG=1` also prints them.
static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();

#[derive(Clone, Copy)]
struct LogSink;

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if std::env::var_os("E2E_LOG").is_some() {
            std::io::stdout().write_all(buf)?;
        }
        LOGS.get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The crates of this project (their logs are captured at debug).
pub const OUR_CRATES: [&str; 12] = [
    "shared",
    "export_webhook",
    "export_import",
    "admin_api",
    "inmail_poll",
    "inmail_import",
    "contract_expiry",
    "seat_backfill",
    "ats_sync",
    "compliance_review",
    "event_publisher",
    "local_stack",
];

fn capture_logs() {
    let filter = OUR_CRATES
        .iter()
        .fold("info,linkedin_sim=off".to_owned(), |f, c| {
            f + &format!(",{c}=debug")
        });
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_current_span(true)
        .with_span_list(true)
        .with_writer(|| LogSink)
        .try_init();
}

/// Everything logged so far by every test of this binary.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(
        &LOGS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner()),
    )
    .into_owned()
}

pub struct World {
    pub stack: Stack,
    pub sim: Sim,
    pub http: reqwest::Client,
}

/// A table item flattened to strings, for before/after comparisons.
pub type Snapshot = BTreeMap<String, BTreeMap<String, String>>;

/// How a test's stack differs from the default.
#[derive(Default)]
pub struct Setup {
    /// A clock the test moves (default: the system clock).
    pub clock: Option<ManualClock>,
    /// Builds the functions' AWS clients from the local SDK config (to add interceptors).
    pub clients: Option<ClientsBuilder>,
    /// Days of history a newly linked seat back-fills (template default 730; tests default 0,
    /// so that only the back-fill tests pay for one).
    pub backfill_days: Option<u64>,
    /// How long outbound changes gather before a batch is sent (template default 2000 ms;
    /// tests default 50 ms).
    pub sync_gather_ms: Option<u64>,
    /// Other template parameters to set.
    pub parameters: Vec<(&'static str, String)>,
}

pub type ClientsBuilder = Box<dyn FnOnce(&aws_config::SdkConfig) -> Clients>;

pub const SEAT: &str = "7001";
/// The seat `World::export` exports from, linked to `EXPORTER_USER` by `with_customer`.
pub const EXPORTER_SEAT: &str = "9001";
pub const EXPORTER_USER: &str = "u-exporter";
pub const USER: &str = "u-recruiter";

impl World {
    /// A stack and a simulator with nothing in them.
    pub async fn empty_with(setup: Setup) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "t{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let sim = Sim::start(SocketAddr::from(([127, 0, 0, 1], 0)), SimConfig::default())
            .await
            .unwrap();
        let mut opts = StackOptions::new(&name, moto(), &sim.api_url(), &sim.auth_url());
        if let Some(clock) = &setup.clock {
            opts.clock = Arc::new(clock.clone());
        }
        opts.parameters.insert(
            "BackfillHorizonDays".into(),
            setup.backfill_days.unwrap_or(0).to_string(),
        );
        opts.parameters.insert(
            "SyncGatherMs".into(),
            setup.sync_gather_ms.unwrap_or(50).to_string(),
        );
        for (name, value) in setup.parameters {
            opts.parameters.insert(name.into(), value);
        }
        if let Some(build) = setup.clients {
            opts.clients = Some(build(&local_stack::local_sdk_config(moto()).await));
        }
        let stack = Stack::start(opts).await.unwrap();
        Self {
            stack,
            sim,
            http: reqwest::Client::new(),
        }
    }

    /// `with_customer`, plus an ATS user holding Recruiter seat `SEAT` of the active contract,
    /// linked by the admin API.
    pub async fn with_linked_seat(setup: Setup) -> Self {
        let w = Self::with_customer_and(setup).await;
        w.add_user(USER, "recruiter@acme.example").await;
        w.link(ACTIVE, SEAT, USER).await;
        w
    }

    pub async fn add_user(&self, user: &str, email: &str) {
        let body = json!({"email": email, "firstName": "Rae", "lastName": "Cruiter"});
        let (s, answer) = self
            .api(
                "PUT",
                &format!("/tenants/{TENANT}/users/{user}"),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{answer}");
    }

    /// Registers the seat with LinkedIn (the simulator) and links it by the admin API.
    pub async fn link(&self, contract: &str, seat: &str, user: &str) -> Value {
        self.sim.add_seat(linkedin_sim::Seat {
            id: seat.into(),
            contract: format!("urn:li:contract:{contract}"),
            member: format!("urn:li:person:holder-{seat}"),
            first_name: "Rae".into(),
            last_name: "Cruiter".into(),
            state: "ACTIVE".into(),
            email: None,
        });
        let path = format!("/tenants/{TENANT}/contracts/{contract}/seats/{seat}/link");
        let (s, body) = self.api("PUT", &path, Some(json!({"userId": user}))).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body
    }

    /// Fires the activity schedule as the documented local route does, then waits for the
    /// imports it started. Answers the poller's summary.
    pub async fn poll_activity(&self) -> Value {
        let (s, body) = self
            .api("POST", "/_local/schedules/InMailPollFunction", None)
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        self.settle().await;
        body["result"].clone()
    }

    /// The candidate of a member, with applications, activity and contact info.
    pub async fn candidate_of(&self, member_id: &str) -> Option<Value> {
        let path = format!("/tenants/{TENANT}/candidates?member=urn:li:person:{member_id}");
        let (_, found) = self.api("GET", &path, None).await;
        let id = found["items"].as_array()?.first()?["candidateId"]
            .as_str()?
            .to_owned();
        let (s, full) = self
            .api("GET", &format!("/tenants/{TENANT}/candidates/{id}"), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        Some(full)
    }

    /// A customer with an active and an expired contract, two open jobs, and its LinkedIn
    /// application registered with the simulator, calling back this stack's webhook.
    pub async fn with_customer() -> Self {
        Self::with_customer_and(Setup::default()).await
    }

    pub async fn with_customer_and(setup: Setup) -> Self {
        let w = Self::empty_with(setup).await;
        w.sim.register_app(App {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            organization: ORGANIZATION.into(),
            callback_url: Some(w.webhook_url(TENANT)),
        });
        let (s, _) = w
            .api(
                "PUT",
                &format!("/tenants/{TENANT}"),
                Some(json!({
                    "name": "Acme", "organization": ORGANIZATION,
                    "linkedin": {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}
                })),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, _) = w
            .api(
                "PUT",
                &format!("/tenants/{TENANT}/contracts/{ACTIVE}"),
                Some(json!({"expiresAt": "2099-01-01T00:00:00Z"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, _) = w
            .api(
                "PUT",
                &format!("/tenants/{TENANT}/contracts/{EXPIRED}"),
                Some(json!({"expiresAt": "2020-01-01T00:00:00Z"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        for job in [JOB_ENG, JOB_PM] {
            let (s, _) = w
                .api(
                    "PUT",
                    &format!("/tenants/{TENANT}/jobs/{job}"),
                    Some(json!({
                        "title": job, "description": "Build things.",
                        "location": "Berlin, DE", "state": "OPEN",
                        "companyApplyUrl": format!("https://careers.acme.example/{job}")
                    })),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED);
        }
        // The seat recruiters export from is held by an ATS user, so exports import directly.
        w.add_user(EXPORTER_USER, "exporter@acme.example").await;
        w.link(ACTIVE, EXPORTER_SEAT, EXPORTER_USER).await;
        // Its back-fill step runs now, so that tests start from a quiet stack.
        w.settle().await;
        w
    }

    pub fn webhook_url(&self, tenant: &str) -> String {
        format!("{}/linkedin/{tenant}/events", self.stack.api_url)
    }

    /// Calls the HTTP API; answers the status and the JSON body (Null when not JSON).
    pub async fn api(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.api_as(Some(&self.stack.admin_token), method, path, body)
            .await
    }

    /// `api` with the given bearer token, or none.
    pub async fn api_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(
            method.parse().unwrap(),
            format!("{}{}", self.stack.api_url, path),
        );
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A recruiter exports `person` to `job` under `contract`; LinkedIn pushes the notification.
    pub async fn export(&self, person: &Value, contract: &str, job: &str) -> PushResult {
        self.sim
            .export(ExportSpec {
                client_id: CLIENT_ID.into(),
                request_id: None,
                contract: format!("urn:li:contract:{contract}"),
                exporter: format!("urn:li:seat:{EXPORTER_SEAT}"),
                ats_job_posting_id: job.into(),
                candidate: person.clone(),
            })
            .await
            .unwrap()
    }

    pub async fn settle(&self) {
        self.stack.settle().await.unwrap();
    }

    pub async fn candidates(&self) -> Vec<Value> {
        let (s, list) = self
            .api("GET", &format!("/tenants/{TENANT}/candidates"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let mut out = Vec::new();
        for c in list["items"].as_array().unwrap() {
            let (s, full) = self
                .api(
                    "GET",
                    &format!(
                        "/tenants/{TENANT}/candidates/{}",
                        c["candidateId"].as_str().unwrap()
                    ),
                    None,
                )
                .await;
            assert_eq!(s, StatusCode::OK);
            out.push(full);
        }
        out
    }

    pub async fn exports(&self) -> Vec<Value> {
        let (s, list) = self
            .api("GET", &format!("/tenants/{TENANT}/exports"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{list}");
        list["items"].as_array().unwrap().clone()
    }

    /// Every item of the table (test-only: production code never scans).
    pub async fn snapshot(&self) -> Snapshot {
        let mut out = Snapshot::new();
        let mut start = None;
        loop {
            let resp = self
                .stack
                .clients
                .dynamodb
                .scan()
                .table_name(self.stack.table_name())
                .set_exclusive_start_key(start)
                .send()
                .await
                .unwrap();
            for item in resp.items() {
                let flat: BTreeMap<String, String> =
                    item.iter().map(|(k, v)| (k.clone(), show(v))).collect();
                out.insert(format!("{}|{}", flat["pk"], flat["sk"]), flat);
            }
            match resp.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return out,
            }
        }
    }

    /// `(visible, in flight or delayed)` messages of a queue of the template.
    pub async fn queue(&self, logical_id: &str) -> (u64, u64) {
        self.stack
            .queue_depth(self.stack.queue_url(logical_id))
            .await
            .unwrap()
    }

    /// InMail reads LinkedIn served for one seat (`viewer=urn:li:seat:<seat>`).
    pub fn viewer_calls(&self, seat: &str) -> usize {
        let (plain, encoded) = (
            format!("viewer=urn:li:seat:{seat}&"),
            format!("viewer=urn%3Ali%3Aseat%3A{seat}&"),
        );
        self.sim
            .calls()
            .iter()
            .filter(|c| c.path.ends_with("/conversationEvents"))
            .filter(|c| {
                let q = format!("{}&", c.query);
                q.contains(&plain) || q.contains(&encoded)
            })
            .count()
    }

    pub fn linkedin_calls(&self, path_suffix: &str) -> usize {
        self.sim
            .calls()
            .iter()
            .filter(|c| c.path.ends_with(path_suffix))
            .count()
    }

    /// Posts a notification body to the webhook, signed with `secret` (or not signed).
    pub async fn post_notification(
        &self,
        tenant: &str,
        body: &[u8],
        secret: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(self.webhook_url(tenant))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(secret) = secret {
            req = req.header("X-LI-Signature", sign(secret, body));
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (
            status,
            serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null),
        )
    }
}

/// A stable rendering of an attribute (maps with sorted keys, so two reads compare equal).
fn show(v: &AttributeValue) -> String {
    match v {
        AttributeValue::M(m) => {
            let sorted: BTreeMap<&String, String> = m.iter().map(|(k, v)| (k, show(v))).collect();
            format!("M({sorted:?})")
        }
        AttributeValue::L(l) => format!("L({:?})", l.iter().map(show).collect::<Vec<_>>()),
        other => format!("{other:?}"),
    }
}

/// LinkedIn's signature, computed here independently of the project's code.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(b"hmacsha256=");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A LinkedIn profile carrying much more than the ATS may keep.
pub fn person(id: &str, first: &str, last: &str) -> Value {
    json!({
        "member": format!("urn:li:person:{id}"),
        "firstName": first,
        "lastName": last,
        "location": "Berlin, DE",
        "currentEmployerNames": ["Initech", "FORBIDDEN second employer"],
        "headline": "FORBIDDEN headline",
        "emailAddress": "forbidden@example.com",
        "emails": ["forbidden.too@example.com"],
        "phoneNumbers": [{"number": "+49 FORBIDDEN"}],
        "positions": [{"title": "FORBIDDEN position", "companyName": "FORBIDDEN Corp"}],
        "educations": [{"schoolName": "FORBIDDEN University"}],
    })
}

/// Milliseconds in an hour and a day.
pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;

/// A manual clock at the start of the current hour: tests seed activity after it and move it on.
pub fn hour_clock() -> ManualClock {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    ManualClock::at(now - now % HOUR)
}

/// An InMail `seat` sent to Ada at `at`.
pub fn mail_to_ada(id: &str, seat: &str, at: i64) -> linkedin_sim::InMail {
    linkedin_sim::InMail {
        id: id.into(),
        seat: format!("urn:li:seat:{seat}"),
        member: "urn:li:person:ada".into(),
        direction: "SENT".into(),
        subject: id.into(),
        body: "b".into(),
        created_at: at,
        conversation: None,
        documented_only: false,
    }
}
