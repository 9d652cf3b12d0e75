//! Requests per record: every DynamoDB, SQS and LinkedIn request of each kind of work, counted
//! in the local stack with SDK interceptors and the simulator's call log, divided by the records
//! it handled. Counts do not depend on the machine.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use linkedin_sim::{App, ExportSpec, InMail, Note, Phone, Sim, SimConfig, Stub};
use local_stack::counting::CountRequests;
use local_stack::{Stack, StackOptions, local_sdk_config, moto::Moto};
use serde_json::json;
use shared::clock::{Clock, ManualClock};

type Error = Box<dyn std::error::Error + Send + Sync>;

const HOUR: i64 = 3_600_000;
/// Records per kind.
pub const RECORDS: usize = 100;

/// One kind of work: its records and the requests it made.
pub struct Work {
    pub what: &'static str,
    pub records: usize,
    pub aws: BTreeMap<String, usize>,
    pub linkedin: usize,
    /// Events the records made (appended to the change feed and put on the bus).
    pub events: usize,
    /// The event publisher's requests for them (DynamoDB and EventBridge), apart from `aws`.
    pub publisher: BTreeMap<String, usize>,
}

impl Work {
    pub fn dynamodb(&self) -> usize {
        self.aws
            .iter()
            .filter(|(op, _)| is_dynamodb(op))
            .map(|(_, n)| n)
            .sum()
    }
    /// The publisher's DynamoDB requests (the change feed).
    pub fn publisher_dynamodb(&self) -> usize {
        self.publisher
            .iter()
            .filter(|(op, _)| is_dynamodb(op))
            .map(|(_, n)| n)
            .sum()
    }
    /// The publisher's EventBridge requests (`PutEvents`).
    pub fn publisher_eventbridge(&self) -> usize {
        self.publisher
            .iter()
            .filter(|(op, _)| op.starts_with("AWSEvents"))
            .map(|(_, n)| n)
            .sum()
    }
    pub fn sqs(&self) -> usize {
        self.aws
            .iter()
            .filter(|(op, _)| op.starts_with("AmazonSQS"))
            .map(|(_, n)| n)
            .sum()
    }
}

/// DynamoDB's operations are counted without a prefix; the other services' carry theirs.
fn is_dynamodb(op: &str) -> bool {
    !op.starts_with("Amazon") && !op.starts_with("secretsmanager") && !op.starts_with("AWSEvents")
}

/// Runs the event publisher on every change waiting in the stream; answers how many events it
/// appended to the tenant's feed (after `seen` of them) and the requests it made.
async fn publish(
    stack: &Stack,
    counter: &CountRequests,
    seen: &mut u64,
) -> Result<(usize, BTreeMap<String, usize>), Error> {
    counter.take();
    stack.drain_streams().await?;
    let publisher = counter.take();
    let store = shared::store::Store::new(stack.clients.dynamodb.clone(), stack.table_name());
    let mut events = 0;
    loop {
        let page = store.changes_after("rec", *seen, 100).await?;
        let Some(last) = page.changes.last() else {
            break;
        };
        *seen = last.seq;
        events += page.changes.len();
    }
    Ok((events, publisher))
}

pub async fn measure() -> Result<Vec<Work>, Error> {
    let moto = Moto::start(0)?;
    let sim = Sim::start(SocketAddr::from(([127, 0, 0, 1], 0)), SimConfig::default()).await?;
    let counter = CountRequests::default();
    let sdk = local_sdk_config(&moto.endpoint).await;
    let clients = counter.clients(&sdk);
    let now = chrono::Utc::now().timestamp_millis();
    let clock = ManualClock::at(now - now % HOUR);
    let t0 = clock.now_ms();
    let mut opts = StackOptions::new("records", &moto.endpoint, &sim.api_url(), &sim.auth_url());
    opts.clients = Some(clients);
    // The publisher runs when `publish` says, so its requests are counted apart.
    opts.poll_streams = false;
    opts.clock = Arc::new(clock.clone());
    opts.parameters
        .insert("BackfillHorizonDays".into(), "0".into());
    let stack = Stack::start(opts).await?;
    let http = reqwest::Client::new();
    let admin = &stack;
    let put = move |path: String, body: serde_json::Value| async move {
        admin.admin_put(&path, &body).await
    };
    put("/tenants/rec".into(), json!({"name": "Records", "organization": "5", "linkedin": {"clientId": "rec", "clientSecret": "s"}})).await?;
    put("/tenants/rec/contracts/1".into(), json!({})).await?;
    put(
        "/tenants/rec/jobs/job".into(),
        json!({"title": "Job", "description": "A job.", "location": "Berlin, DE", "state": "OPEN",
               "companyApplyUrl": "https://careers.example/jobs"}),
    )
    .await?;
    put(
        "/tenants/rec/users/u".into(),
        json!({"email": "u@rec.example", "firstName": "U", "lastName": "Ser"}),
    )
    .await?;
    sim.register_app(App {
        client_id: "rec".into(),
        client_secret: "s".into(),
        organization: "urn:li:organization:5".into(),
        callback_url: Some(format!("{}/linkedin/rec/events", stack.api_url)),
    });
    // Only a seat LinkedIn lists can be linked.
    sim.add_seat(linkedin_sim::Seat {
        id: "1".into(),
        contract: "urn:li:contract:1".into(),
        member: "urn:li:person:seat-holder-1".into(),
        first_name: "U".into(),
        last_name: "Ser".into(),
        state: "ACTIVE".into(),
        email: None,
    });
    put(
        "/tenants/rec/contracts/1/seats/1/link".into(),
        json!({"userId": "u"}),
    )
    .await?;
    stack.settle().await?;
    let mut out = Vec::new();
    let mut seen = 0;
    let (sim_ref, counter_ref, stack_ref) = (&sim, &counter, &stack);
    let mut take = async |what: &'static str, records: usize| -> Result<(), Error> {
        let linkedin = sim_ref
            .calls()
            .iter()
            .filter(|c| c.path.starts_with("/v2/"))
            .count();
        sim_ref.clear_calls();
        let aws = counter_ref.take();
        let (events, publisher) = publish(stack_ref, counter_ref, &mut seen).await?;
        out.push(Work {
            what,
            records,
            aws,
            linkedin,
            events,
            publisher,
        });
        Ok(())
    };
    take("(set-up)", 1).await?;
    sim.clear_calls();

    // Exports: a signed notification each, verified, queued, fetched and imported.
    for i in 0..RECORDS {
        sim.export(ExportSpec {
            client_id: "rec".into(),
            request_id: None,
            contract: "urn:li:contract:1".into(),
            exporter: "urn:li:seat:1".into(),
            ats_job_posting_id: "job".into(),
            candidate: json!({"member": format!("urn:li:person:m{i}"), "firstName": "M",
                              "lastName": format!("{i}"), "location": "Berlin, DE"}),
        })
        .await?;
    }
    stack.settle().await?;
    take("export (webhook + import)", RECORDS).await?;

    // Activity: one poll per kind, each reading one hour with RECORDS records about the exported
    // members, in windows of their own so the kinds do not mix.
    let seat = "urn:li:seat:1".to_owned();
    let contract = "urn:li:contract:1".to_owned();
    let member = |i: usize| format!("urn:li:person:m{i}");
    let poll = |hour: i64| {
        clock.set(t0 + hour * HOUR);
        http.post(format!(
            "{}/_local/schedules/InMailPollFunction",
            stack.api_url
        ))
        .bearer_auth(&stack.admin_token)
        .send()
    };
    // The first poll brings the cursors to now: activity from before the link is the back-fill's.
    poll(1).await?;
    stack.settle().await?;
    take("(set-up)", 1).await?;
    sim.add_inmails(
        (0..RECORDS)
            .map(|i| InMail {
                id: format!("im-{i}"),
                seat: seat.clone(),
                member: member(i),
                direction: "SENT".into(),
                subject: "Hello".into(),
                body: "Would you like to talk?".into(),
                created_at: t0 + HOUR + (i as i64) * 1000,
                conversation: None,
                documented_only: false,
            })
            .collect(),
    );
    poll(2).await?;
    stack.settle().await?;
    take("InMail (poll + import)", RECORDS).await?;
    for i in 0..RECORDS {
        sim.upsert_note(Note {
            id: 1000 + i as i64,
            contract: contract.clone(),
            owner: seat.clone(),
            member: member(i),
            note: "Strong candidate".into(),
            active: true,
            created: t0 + 2 * HOUR + (i as i64) * 1000,
            last_modified: t0 + 2 * HOUR + (i as i64) * 1000,
        });
    }
    poll(3).await?;
    stack.settle().await?;
    take("note (poll + import)", RECORDS).await?;
    for i in 0..RECORDS {
        sim.add_stub(Stub {
            id: format!("stub-{i}"),
            contract: contract.clone(),
            owner: seat.clone(),
            member: member(i),
            first_name: "M".into(),
            last_name: format!("{i}"),
            email_address: json!(format!("m{i}@example.org")),
            phone_numbers: vec![Phone {
                number: "+49 30 1234567".into(),
                extension: None,
            }],
            headline: None,
            created: t0 + 3 * HOUR + (i as i64) * 1000,
        });
    }
    poll(4).await?;
    stack.settle().await?;
    take("shared contact details (poll + import)", RECORDS).await?;

    // Outbound: candidates of the ATS's own, each sent to LinkedIn.
    for i in 0..RECORDS {
        put(
            format!("/tenants/rec/candidates/ats-{i}"),
            json!({"firstName": "A", "lastName": format!("{i}"), "emails": [format!("a{i}@example.org")]}),
        )
        .await?;
    }
    stack.settle().await?;
    take("outbound change (admin API + sync)", RECORDS).await?;
    // The same candidates changed again by 8 clients at once: ats-sync answers the nudges of a
    // batch with one claim, so its share depends on how the nudges arrive.
    {
        use futures::StreamExt;
        let changes = futures::stream::iter(0..RECORDS)
            .map(|i| {
                put(
                    format!("/tenants/rec/candidates/ats-{i}"),
                    json!({"firstName": "B", "lastName": format!("{i}"), "emails": [format!("b{i}@example.org")]}),
                )
            })
            .buffer_unordered(8)
            .collect::<Vec<_>>()
            .await;
        for c in changes {
            c?;
        }
    }
    stack.settle().await?;
    take(
        "outbound change, 8 clients at once (admin API + sync)",
        RECORDS,
    )
    .await?;

    // The rest of the record (issue 20): each row is the admin-API write and the sync.
    let send = |method: reqwest::Method, path: String, body: Option<serde_json::Value>| async move {
        admin.admin(method, &path, body.as_ref()).await
    };
    for i in 0..RECORDS {
        put(
            format!("/tenants/rec/applications/ats-app-{i}"),
            json!({"jobId": "job", "candidateId": format!("ats-{i}")}),
        )
        .await?;
    }
    stack.settle().await?;
    take("application (admin API + sync)", RECORDS).await?;
    for i in 0..RECORDS {
        put(
            format!("/tenants/rec/candidates/ats-{i}/notes/n"),
            json!({"text": format!("Note {i}"), "authorUserId": "u"}),
        )
        .await?;
    }
    stack.settle().await?;
    take("candidate note (admin API + sync)", RECORDS).await?;
    for i in 0..RECORDS {
        put(
            format!("/tenants/rec/applications/ats-app-{i}/notes/n"),
            json!({"text": format!("Note {i}"), "authorUserId": "u"}),
        )
        .await?;
    }
    stack.settle().await?;
    take("application note (admin API + sync)", RECORDS).await?;
    for i in 0..RECORDS {
        put(
            format!("/tenants/rec/applications/ats-app-{i}/interview-feedback/f"),
            json!({"evaluations": [{"attribute": "Craft", "result": "4/5"}],
                   "feedback": format!("Feedback {i}"), "interviewerUserId": "u"}),
        )
        .await?;
    }
    stack.settle().await?;
    take("interview feedback (admin API + sync)", RECORDS).await?;
    const TEAMS: usize = 20;
    for i in 0..TEAMS {
        put(
            format!("/tenants/rec/jobs/job-{i}"),
            json!({"title": "Job", "description": "A job.", "location": "Berlin, DE",
                   "state": "OPEN", "companyApplyUrl": "https://careers.example/jobs"}),
        )
        .await?;
    }
    stack.settle().await?;
    take("job (admin API + sync)", TEAMS).await?;
    for i in 0..TEAMS {
        put(
            format!("/tenants/rec/jobs/job-{i}/hiring-team"),
            json!({"userIds": ["u"]}),
        )
        .await?;
    }
    stack.settle().await?;
    take("hiring team of one member (admin API + sync)", TEAMS).await?;
    for i in 0..RECORDS {
        send(
            reqwest::Method::DELETE,
            format!("/tenants/rec/applications/ats-app-{i}/notes/n"),
            None,
        )
        .await?;
    }
    stack.settle().await?;
    take("application note deleted (admin API + sync)", RECORDS).await?;
    for i in 0..RECORDS {
        send(
            reqwest::Method::DELETE,
            format!("/tenants/rec/candidates/ats-{i}"),
            None,
        )
        .await?;
    }
    stack.settle().await?;
    take(
        "candidate deleted, with its application, note and feedback (admin API + sync)",
        RECORDS,
    )
    .await?;

    drop(stack);
    drop(moto);
    out.retain(|w| w.what != "(set-up)");
    Ok(out)
}
