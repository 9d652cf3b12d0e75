//! The scenario every seed plays, and what a user can see at its end.
//!
//! Exports (one delivered twice, one from a seat nobody holds yet, two that cannot be
//! imported), InMails, a note and shared contact details, a seat linked late whose history is
//! back-filled, the contract expiring with activity in the gap and then renewed, and outbound
//! changes (one made while the contract was expired). Then the faults stop and time passes, as
//! it would, so that retries and the leases of crashed runs come due.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use linkedin_sim::{App, ExportSpec, Fault, FaultKind, InMail, Note, Phone, Seat, Sim, Stub};
use local_stack::subscriber::Subscriber;
use local_stack::{Stack, StackOptions};
use serde_json::{Value, json};
use shared::aws::Clients;
use shared::clock::ManualClock;
use shared::events::Event;

use crate::plan::{Outage, Plan, Rng, Tally};
use crate::pump::Pump;

const CLIENT_ID: &str = "acme-client";
const CLIENT_SECRET: &str = "s3cr/et+=acme";
const ORGANIZATION: &str = "urn:li:organization:1001";
const ACTIVE: &str = "501";
const EXPIRED: &str = "502";
/// Held by an ATS user from the start.
const EXPORTER: &str = "9001";
/// Linked only after exports and activity arrived for it.
const LATE: &str = "7001";
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// How long one drain of the queues may take (a timeout fault costs 10 s per attempt).
const DRAIN_LIMIT: Duration = Duration::from_secs(180);
/// Attempts of a call that failed because of an injected fault.
const ATTEMPTS: usize = 8;

/// What a user can see at the end of a run, with nothing that depends on when work happened.
pub type Outcome = BTreeMap<String, Value>;

/// A run's result: what it ended with, and what was injected on the way.
pub struct Run {
    pub outcome: Outcome,
    pub injected: BTreeMap<&'static str, u64>,
    /// AWS calls the functions made (to size the plan's windows).
    pub dynamodb_calls: usize,
    pub sqs_calls: usize,
}

pub struct Driver {
    /// The customer: named after the run, so that its log lines can be told apart.
    tenant: String,
    pub stack: Stack,
    pub sim: Sim,
    clock: ManualClock,
    http: reqwest::Client,
    pub pump: Pump,
    rng: Rng,
    plan: Plan,
    tally: Tally,
    timeout_left: bool,
    /// Request id -> notification id of every export pushed.
    pushed: BTreeMap<String, String>,
    /// The DynamoDB and SQS faults (they count the functions' calls).
    outages: (Outage, Outage),
    /// An ATS's subscriber to the stack's event bus.
    events: Subscriber,
}

impl Driver {
    /// A fresh stack (sharing `moto`, SQS pollers off) and simulator, with `plan`'s AWS faults
    /// wired into the functions' clients; the clock starts at `t0`.
    pub async fn start(moto: &str, name: &str, t0: i64, plan: &Plan) -> Result<Self, String> {
        let tally = Tally::default();
        let sim = Sim::start(SocketAddr::from(([127, 0, 0, 1], 0)), Default::default())
            .await
            .map_err(|e| e.to_string())?;
        let clock = ManualClock::at(t0);
        let mut opts = StackOptions::new(name, moto, &sim.api_url(), &sim.auth_url());
        opts.clock = Arc::new(clock.clone());
        opts.poll_queues = false;
        opts.parameters
            .insert("BackfillHorizonDays".into(), "7".into());
        opts.parameters.insert("SyncGatherMs".into(), "20".into());
        // One candidate page for every run (the local default names this run's port), so that
        // what LinkedIn holds compares equal across seeds.
        opts.parameters.insert(
            "CandidatePageUrl".into(),
            "https://ats.example.com/candidates/{candidateId}".into(),
        );
        let sdk = local_stack::local_sdk_config(moto).await;
        let dynamodb = Outage::new("dynamodb", plan.dynamodb.clone(), tally.clone());
        let sqs = Outage::new("sqs", plan.sqs.clone(), tally.clone());
        let mut clients = Clients::new(&sdk);
        clients.dynamodb = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&sdk)
                .interceptor(dynamodb.clone())
                .build(),
        );
        clients.sqs = aws_sdk_sqs::Client::from_conf(
            aws_sdk_sqs::config::Builder::from(&sdk)
                .interceptor(sqs.clone())
                .build(),
        );
        opts.clients = Some(clients);
        let stack = Stack::start(opts).await.map_err(|e| e.to_string())?;
        let events = stack
            .subscribe("ats", &json!({ "source": [shared::events::SOURCE] }))
            .await
            .map_err(|e| e.to_string())?;
        Ok(Driver {
            tenant: name.to_owned(),
            stack,
            sim,
            clock,
            http: reqwest::Client::new(),
            pump: Pump::new(plan, tally.clone()),
            rng: Rng::new(plan.seed.wrapping_add(101)),
            plan: plan.clone(),
            tally,
            timeout_left: plan.timeout,
            pushed: BTreeMap::new(),
            outages: (dynamodb, sqs),
            events,
        })
    }
}

/// Plays the scenario on a fresh stack (sharing `moto`) under `plan`, starting at `t0`.
pub async fn play(moto: &str, name: &str, t0: i64, plan: &Plan) -> Result<Run, String> {
    let mut d = Driver::start(moto, name, t0, plan).await?;
    let played = d.scenario(t0).await;
    let outcome = match played {
        Ok(()) => d.observe().await,
        Err(e) => Err(e),
    };
    let _ = d.stack.destroy().await;
    Ok(Run {
        outcome: outcome?,
        injected: d.tally.counts(),
        dynamodb_calls: d.outages.0.calls(),
        sqs_calls: d.outages.1.calls(),
    })
}

fn person(member: &str, first: &str, last: &str) -> Value {
    json!({
        "member": format!("urn:li:person:{member}"), "firstName": first, "lastName": last,
        "location": "London, GB", "currentEmployerNames": ["Analytical Engines"],
        "emailAddress": format!("{member}@example.com"),
        "positions": [{"title": "Engineer"}], "educations": [{"schoolName": "Somewhere"}]
    })
}

fn inmail(id: &str, seat: &str, member: &str, sent: bool, at: i64) -> InMail {
    InMail {
        id: id.into(),
        seat: format!("urn:li:seat:{seat}"),
        member: format!("urn:li:person:{member}"),
        direction: if sent { "SENT" } else { "RECEIVED" }.into(),
        subject: format!("About {id}"),
        body: format!("Text of {id}"),
        created_at: at,
        conversation: None,
        documented_only: false,
    }
}

impl Driver {
    async fn scenario(&mut self, t0: i64) -> Result<(), String> {
        let t = format!("/tenants/{}", self.tenant);
        let far = "2099-01-01T00:00:00Z";
        self.api(
            "PUT",
            &t,
            json!({"name": "Acme", "organization": ORGANIZATION,
            "linkedin": {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}}),
        )
        .await?;
        self.api(
            "PUT",
            &format!("{t}/contracts/{ACTIVE}"),
            json!({"expiresAt": far}),
        )
        .await?;
        self.api(
            "PUT",
            &format!("{t}/contracts/{EXPIRED}"),
            json!({"expiresAt": "2020-01-01T00:00:00Z"}),
        )
        .await?;
        for job in ["job-eng", "job-pm"] {
            self.api(
                "PUT",
                &format!("{t}/jobs/{job}"),
                json!({"title": job,
                "description": "Build things.", "location": "Berlin, DE", "state": "OPEN",
                "companyApplyUrl": "https://careers.acme.example/jobs"}),
            )
            .await?;
        }
        self.sim.register_app(App {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            organization: ORGANIZATION.into(),
            callback_url: Some(format!(
                "{}/linkedin/{}/events",
                self.stack.api_url, self.tenant
            )),
        });
        for (seat, user) in [(EXPORTER, "u-exporter"), (LATE, "u-late")] {
            self.sim.add_seat(Seat {
                id: seat.into(),
                contract: format!("urn:li:contract:{ACTIVE}"),
                member: format!("urn:li:person:holder-{seat}"),
                first_name: "Rae".into(),
                last_name: format!("Cruiter {seat}"),
                state: "ACTIVE".into(),
                email: None,
            });
            self.api(
                "PUT",
                &format!("{t}/users/{user}"),
                json!({"email":
                format!("{user}@acme.example"), "firstName": "Rae", "lastName": "Cruiter"}),
            )
            .await?;
        }
        self.api(
            "PUT",
            &format!("{t}/contracts/{ACTIVE}/seats/{EXPORTER}/link"),
            json!({"userId": "u-exporter"}),
        )
        .await?;
        self.settle().await?;

        // Exports: one delivered twice, one from the seat nobody holds yet, two that cannot be
        // imported (an expired contract, a job the ATS does not have).
        self.clock.set(t0 + MINUTE);
        let exports = [
            (
                "x-ada-eng",
                person("ada", "Ada", "Lovelace"),
                ACTIVE,
                EXPORTER,
                "job-eng",
            ),
            (
                "x-ada-pm",
                person("ada", "Ada", "Lovelace"),
                ACTIVE,
                EXPORTER,
                "job-pm",
            ),
            (
                "x-grace-eng",
                person("grace", "Grace", "Hopper"),
                ACTIVE,
                EXPORTER,
                "job-eng",
            ),
            (
                "x-grace-old",
                person("grace", "Grace", "Hopper"),
                EXPIRED,
                EXPORTER,
                "job-pm",
            ),
            (
                "x-linus-eng",
                person("linus", "Linus", "Torvalds"),
                ACTIVE,
                LATE,
                "job-eng",
            ),
            (
                "x-alan-none",
                person("alan", "Alan", "Turing"),
                ACTIVE,
                EXPORTER,
                "job-gone",
            ),
        ];
        for (id, who, contract, seat, job) in exports {
            self.mischief();
            self.export(id, who, contract, seat, job).await?;
        }
        self.deliver_again("x-ada-eng").await?;
        self.settle().await?;

        // Activity of the first hour, and history of the seat that is linked later.
        self.sim.add_inmails(vec![
            inmail("im-ada-1", EXPORTER, "ada", true, t0 + 10 * MINUTE),
            inmail("im-ada-2", EXPORTER, "ada", false, t0 + 20 * MINUTE),
            inmail("im-hedy-1", EXPORTER, "hedy", true, t0 + 25 * MINUTE),
            inmail("im-linus-old", LATE, "linus", true, t0 - 2 * DAY),
        ]);
        self.sim.upsert_note(Note {
            id: 42,
            contract: format!("urn:li:contract:{ACTIVE}"),
            owner: format!("urn:li:seat:{EXPORTER}"),
            member: "urn:li:person:grace".into(),
            note: "Strong on compilers".into(),
            active: true,
            created: t0 + 15 * MINUTE,
            last_modified: t0 + 15 * MINUTE,
        });
        self.sim.add_stub(Stub {
            id: "stub-ada".into(),
            contract: format!("urn:li:contract:{ACTIVE}"),
            owner: format!("urn:li:seat:{EXPORTER}"),
            member: "urn:li:person:ada".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            email_address: json!("ada@example.org"),
            phone_numbers: vec![Phone {
                number: "+44 20 7946 0000".into(),
                extension: None,
            }],
            headline: None,
            created: t0 + 21 * MINUTE,
        });
        self.clock.set(t0 + HOUR);
        self.fire("InMailPollFunction").await?;
        self.settle().await?;

        // The late seat gets its holder: its pending export and its history come in.
        self.api(
            "PUT",
            &format!("{t}/contracts/{ACTIVE}/seats/{LATE}/link"),
            json!({"userId": "u-late"}),
        )
        .await?;
        self.settle().await?;

        // The contract ends; the recruiters keep writing; the ATS keeps changing things.
        self.api(
            "PUT",
            &format!("{t}/contracts/{ACTIVE}"),
            json!({"expiresAt": shared::clock::to_rfc3339(t0 + 2 * HOUR)}),
        )
        .await?;
        self.sim.add_inmails(vec![
            inmail("im-ada-gap", EXPORTER, "ada", true, t0 + 3 * HOUR),
            inmail("im-linus-gap", LATE, "linus", false, t0 + 5 * HOUR),
        ]);
        self.clock.set(t0 + 2 * HOUR + MINUTE);
        self.fire("ContractExpiryFunction").await?;
        self.settle().await?;
        self.api(
            "PUT",
            &format!("{t}/candidates/ats-1"),
            json!({"firstName": "Margaret",
            "lastName": "Hamilton", "emails": ["margaret@example.org"], "title": "Engineer"}),
        )
        .await?;
        self.api(
            "PUT",
            &format!("{t}/applications/ats-app-1"),
            json!({"jobId": "job-pm",
            "candidateId": "ats-1", "source": "Career site"}),
        )
        .await?;
        self.clock.set(t0 + 6 * HOUR);
        self.fire("InMailPollFunction").await?;
        self.settle().await?;

        // Renewal: the gap is caught up, the paused changes go out.
        self.api(
            "PUT",
            &format!("{t}/contracts/{ACTIVE}"),
            json!({"expiresAt": far}),
        )
        .await?;
        self.settle().await?;
        for _ in 0..2 {
            self.fire("InMailPollFunction").await?;
            self.settle().await?;
        }
        let exports = self
            .api("GET", &format!("{t}/exports"), Value::Null)
            .await?;
        let ada = exports["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["requestId"] == "x-ada-eng")
            .and_then(|e| e["applicationId"].as_str())
            .ok_or("Ada's export was not imported")?
            .to_owned();
        self.api(
            "POST",
            &format!("{t}/applications/{ada}/stages"),
            json!({"stage": "Phone screen", "at": shared::clock::to_rfc3339(t0 + 6 * HOUR)}),
        )
        .await?;
        self.api(
            "PUT",
            &format!("{t}/candidates/ats-1"),
            json!({"firstName": "Margaret",
            "lastName": "Hamilton", "emails": ["margaret@example.org"], "title": "Director"}),
        )
        .await?;
        self.api(
            "PUT",
            &format!("{t}/jobs/job-pm"),
            json!({"title": "job-pm",
            "description": "Build things.", "location": "Berlin, DE", "state": "CLOSED",
            "companyApplyUrl": "https://careers.acme.example/jobs"}),
        )
        .await?;
        self.settle().await?;

        // The faults stop and time passes: the hourly review and the activity schedule run, as
        // they would, and the work the faults delayed is done. (A crash in the very last poll
        // would otherwise be retried only by a poll after the end of the scenario.)
        self.sim.clear_faults();
        self.outages.0.end();
        self.outages.1.end();
        self.plan.linkedin = 0.0;
        for hour in 7..9 {
            self.clock.set(t0 + hour * HOUR);
            self.fire("ContractExpiryFunction").await?;
            self.fire("InMailPollFunction").await?;
            self.settle().await?;
        }
        Ok(())
    }

    /// Before a step: LinkedIn may answer the next requests with a fault, or forget its tokens.
    fn mischief(&mut self) {
        if !self.rng.chance(self.plan.linkedin) {
            return;
        }
        let (kind, name) = match self.rng.below(5) {
            0 => (
                Some(FaultKind::Status {
                    status: 429,
                    retry_after_secs: Some(1),
                }),
                "linkedin 429",
            ),
            1 => (
                Some(FaultKind::Status {
                    status: 500,
                    retry_after_secs: None,
                }),
                "linkedin 500",
            ),
            2 => (
                Some(FaultKind::Status {
                    status: 503,
                    retry_after_secs: None,
                }),
                "linkedin 503",
            ),
            3 if self.timeout_left => {
                self.timeout_left = false;
                (Some(FaultKind::Delay { ms: 10_500 }), "linkedin timeout")
            }
            _ => (None, "linkedin tokens expired"),
        };
        self.tally.add(name);
        match kind {
            Some(kind) => self.sim.inject_fault(Fault {
                path_prefix: String::new(),
                kind,
                times: 1 + self.rng.below(2) as u32,
                query: Default::default(),
            }),
            None => self.sim.expire_tokens(),
        }
    }

    /// Lets the functions work off every queue.
    async fn settle(&mut self) -> Result<(), String> {
        self.mischief();
        self.pump.drain(&self.stack, DRAIN_LIMIT).await
    }

    /// An admin API call; a 5xx (an injected fault reached the caller) is retried, as a careful
    /// client does. Answers the body of the 2xx, or the 4xx as an error.
    pub async fn api(&mut self, method: &str, path: &str, body: Value) -> Result<Value, String> {
        let mut last = String::new();
        for _ in 0..ATTEMPTS {
            let mut req = self
                .http
                .request(
                    method.parse().map_err(|_| "method")?,
                    format!("{}{path}", self.stack.api_url),
                )
                .bearer_auth(&self.stack.admin_token);
            if method != "GET" {
                req = req.json(&body);
            }
            let resp = req.send().await.map_err(|e| e.to_string())?;
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            if status.is_success() {
                return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
            }
            last = format!("{method} {path} answered {status}: {text}");
            if status.is_client_error() {
                return Err(last);
            }
            self.tally.add("api call retried");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(last)
    }

    /// Fires a schedule; a failed run is run again, as EventBridge retries it.
    async fn fire(&mut self, function: &str) -> Result<(), String> {
        self.mischief();
        self.api(
            "POST",
            &format!("/_local/schedules/{function}"),
            Value::Null,
        )
        .await
        .map(|_| ())
    }

    /// A recruiter exports; LinkedIn pushes until the webhook answers 2xx.
    async fn export(
        &mut self,
        request_id: &str,
        who: Value,
        contract: &str,
        seat: &str,
        job: &str,
    ) -> Result<(), String> {
        let pushed = self
            .sim
            .export(ExportSpec {
                client_id: CLIENT_ID.into(),
                request_id: Some(request_id.into()),
                contract: format!("urn:li:contract:{contract}"),
                exporter: format!("urn:li:seat:{seat}"),
                ats_job_posting_id: job.into(),
                candidate: who,
            })
            .await
            .map_err(|e| format!("{e:?}"))?;
        self.pushed
            .insert(request_id.to_owned(), pushed.notification_id.clone());
        if !pushed.status.is_some_and(|s| (200..300).contains(&s)) {
            self.tally.add("notification pushed again");
            return self.deliver_again(request_id).await;
        }
        Ok(())
    }

    /// LinkedIn delivers a notification once more (at least once; and again after a non-2xx).
    async fn deliver_again(&mut self, id: &str) -> Result<(), String> {
        let notification = self
            .pushed
            .get(id)
            .cloned()
            .ok_or_else(|| format!("no notification for {id}"))?;
        for _ in 0..ATTEMPTS {
            let pushed = self
                .sim
                .resend(&notification)
                .await
                .map_err(|e| format!("{e:?}"))?;
            if pushed.status.is_some_and(|s| (200..300).contains(&s)) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("the webhook never accepted notification {id}"))
    }

    /// Everything a user could look at, normalized to what does not depend on timing.
    async fn observe(&mut self) -> Result<Outcome, String> {
        let t = format!("/tenants/{}", self.tenant);
        let mut out = Outcome::new();
        let list = self
            .api("GET", &format!("{t}/candidates"), Value::Null)
            .await?;
        for c in list["items"].as_array().cloned().unwrap_or_default() {
            let id = c["candidateId"].as_str().unwrap_or_default().to_owned();
            let full = self
                .api("GET", &format!("{t}/candidates/{id}"), Value::Null)
                .await?;
            out.insert(format!("candidate {id}"), timeless(full));
        }
        let exports = self
            .api("GET", &format!("{t}/exports"), Value::Null)
            .await?;
        for e in exports["items"].as_array().cloned().unwrap_or_default() {
            let id = e["requestId"].as_str().unwrap_or_default().to_owned();
            out.insert(format!("export {id}"), timeless(e));
        }
        let seats = self.api("GET", &format!("{t}/seats"), Value::Null).await?;
        for s in seats["items"].as_array().cloned().unwrap_or_default() {
            let id = s["seatId"].as_str().unwrap_or_default().to_owned();
            out.insert(format!("seat {id}"), timeless(s));
        }
        let sync = self.api("GET", &format!("{t}/sync"), Value::Null).await?;
        out.insert("sync pending".into(), sync["pending"].clone());
        out.insert("sync errors".into(), sync["errors"].clone());
        let synced = self.sim.synced(ORGANIZATION);
        for (kind, records) in [
            ("job", &synced.jobs),
            ("candidate", &synced.candidates),
            ("application", &synced.applications),
        ] {
            for (id, record) in records {
                out.insert(format!("linkedin {kind} {id}"), timeless(record.clone()));
            }
        }
        for (id, stages) in &synced.stages {
            out.insert(format!("linkedin stages of {id}"), json!(stages));
        }
        for (logical, _) in self.stack.resources.queue_urls.clone() {
            let (visible, in_flight) = crate::pump::depth(&self.stack, &logical).await?;
            out.insert(format!("queue {logical}"), json!(visible + in_flight));
        }
        self.observe_events(&mut out).await?;
        Ok(out)
    }

    /// The events for the ATS: the change feed holds each fact once, whatever was delivered
    /// twice or crashed; the bus carries the same events, at least once, and de-duplicated by
    /// `eventId` exactly the feed's.
    async fn observe_events(&mut self, out: &mut Outcome) -> Result<(), String> {
        let t = format!("/tenants/{}", self.tenant);
        let mut feed: Vec<Event> = Vec::new();
        let mut after = "0".to_owned();
        loop {
            let page = self
                .api(
                    "GET",
                    &format!("{t}/changes?after={after}&limit=100"),
                    Value::Null,
                )
                .await?;
            let changes = page["changes"].as_array().cloned().unwrap_or_default();
            for c in &changes {
                feed.push(serde_json::from_value(c["event"].clone()).map_err(|e| e.to_string())?);
            }
            after = page["cursor"].as_str().unwrap_or_default().to_owned();
            if changes.len() < 100 {
                break;
            }
        }
        let delivered = self.events.take().await.map_err(|e| e.to_string())?;
        let mut on_bus: BTreeMap<String, Event> = BTreeMap::new();
        for d in delivered {
            on_bus.insert(d.event.event_id.clone(), d.event);
        }
        let feed_ids: BTreeSet<&String> = feed.iter().map(|e| &e.event_id).collect();
        out.insert(
            "events in the feed more than once".into(),
            json!(feed.len() - feed_ids.len()),
        );
        out.insert(
            "events in the feed, not on the bus".into(),
            json!(
                feed_ids
                    .iter()
                    .filter(|id| !on_bus.contains_key(**id))
                    .count()
            ),
        );
        out.insert(
            "events on the bus, not in the feed".into(),
            json!(on_bus.keys().filter(|id| !feed_ids.contains(id)).count()),
        );
        // What each event says, without what differs between runs of the same scenario.
        let mut facts: Vec<String> = feed
            .iter()
            .map(|e| {
                let mut v = serde_json::to_value(e).unwrap_or_default();
                if let Some(m) = v.as_object_mut() {
                    for k in ["eventId", "occurredAt", "tenantId"] {
                        m.remove(k);
                    }
                }
                v.to_string()
            })
            .collect();
        facts.sort();
        out.insert("events".into(), json!(facts));
        Ok(())
    }
}

/// Drops the times LinkedIn's clock gave an export (the simulator stamps the wall clock, so
/// they differ from run to run), and what counts attempts or says when work last happened,
/// which faults rightly change: when an export was recorded, when a seat was last polled, how
/// many steps a back-fill took.
fn timeless(mut v: Value) -> Value {
    const WHEN: [&str; 4] = ["exportedAt", "recordedAt", "lastPolledAt", "steps"];
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map.contains_key("exportedBy") {
                    // An application from an export was created when LinkedIn says.
                    map.remove("createdAt");
                }
                if map.get("source").and_then(Value::as_str) == Some("LinkedIn") {
                    // The same time, as sent back to LinkedIn by the outbound sync.
                    map.remove("atsCreatedAt");
                }
                map.retain(|k, _| !WHEN.contains(&k.as_str()));
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}
