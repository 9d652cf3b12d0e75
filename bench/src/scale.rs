//! The activity fan-out at scale: N linked seats of one contract in the local stack, one fired
//! poll, and the activity queue drained. Counts every DynamoDB, SQS and LinkedIn request, so cost
//! per seat can be compared between sizes (it must not grow with the number of seats).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures::StreamExt;
use linkedin_sim::{Sim, SimConfig};
use local_stack::counting::CountRequests;
use local_stack::{Stack, StackOptions, local_sdk_config, moto::Moto};
use serde_json::json;

type Error = Box<dyn std::error::Error + Send + Sync>;

pub struct FanOut {
    pub seats: usize,
    /// The poll's answer.
    pub poll: serde_json::Value,
    pub poll_time: Duration,
    /// Requests of the poll itself, by operation.
    pub poll_requests: BTreeMap<String, usize>,
    /// From the poll's end to the first moment no message was visible and no consumer busy.
    pub drain_time: Duration,
    /// Seat polls that failed and came back after the queue's visibility timeout (360 s); the
    /// run waits for them, and their requests are in `drain_requests`.
    pub retried: usize,
    pub dead_letters: u64,
    /// Requests of the drain (the imports), by operation.
    pub drain_requests: BTreeMap<String, usize>,
    pub linkedin_calls: usize,
}

/// With `overlap`, the consumers run while the poll sends, as Lambda's event source mapping
/// does (moto's SQS slows down as a queue grows, so 10,000 queued messages would measure moto);
/// then the poll's own requests cannot be told from the imports', and `poll_requests` is empty.
pub async fn fan_out(seats: usize, overlap: bool) -> Result<FanOut, Error> {
    let moto = Moto::start(0)?;
    let sim = Sim::start(SocketAddr::from(([127, 0, 0, 1], 0)), SimConfig::default()).await?;
    let counter = CountRequests::default();
    let sdk = local_sdk_config(&moto.endpoint).await;
    let clients = counter.clients(&sdk);
    let mut opts = StackOptions::new("scale", &moto.endpoint, &sim.api_url(), &sim.auth_url());
    opts.clients = Some(clients.clone());
    opts.poll_queues = false;
    opts.parameters
        .insert("BackfillHorizonDays".into(), "0".into());
    let stack = Stack::start(opts).await?;
    for (path, body) in [
        (
            "/tenants/scale",
            json!({"name": "Scale", "organization": "9", "linkedin": {"clientId": "scale", "clientSecret": "s"}}),
        ),
        ("/tenants/scale/contracts/1", json!({})),
    ] {
        stack.admin_put(path, &body).await?;
    }
    sim.register_app(linkedin_sim::App {
        client_id: "scale".into(),
        client_secret: "s".into(),
        organization: "urn:li:organization:9".into(),
        callback_url: None,
    });
    // The seats are listed and linked straight in the table (the seat sync's and the admin API's
    // per-seat work are not what is measured here), 16 at a time. Only a seat LinkedIn listed
    // can be linked, so each is listed first; a seat that would not link stops the bench.
    let store = shared::store::Store::new(stack.clients.dynamodb.clone(), stack.table_name());
    let now = chrono::Utc::now().timestamp_millis();
    let results: Vec<_> = futures::stream::iter(1..=seats)
        .map(|i| {
            let store = store.clone();
            async move {
                let seat = i.to_string();
                store
                    .upsert_seat_from_linkedin(
                        "scale",
                        "1",
                        &seat,
                        shared::store::ListedSeat {
                            member: None,
                            state: Some("ACTIVE"),
                            holder_name: None,
                        },
                        now - 3_600_000,
                    )
                    .await?;
                store
                    .link_seat("scale", "1", &seat, "u", now - 3_600_000)
                    .await
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    for r in results {
        if r?.is_none() {
            return Err("a seat of the scale bench could not be linked (was it listed?)".into());
        }
    }
    counter.take();
    sim.clear_calls();

    let started = Instant::now();
    if overlap {
        for (_, consumer) in &stack.consumers {
            tokio::spawn(consumer.clone().run(stack.clients.sqs.clone()));
        }
    }
    let poll: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/_local/schedules/InMailPollFunction",
            stack.api_url
        ))
        .bearer_auth(&stack.admin_token)
        .send()
        .await?
        .json()
        .await?;
    if poll.get("result").is_none() {
        return Err(format!("the poll failed: {poll}").into());
    }
    let poll_time = started.elapsed();
    let poll_requests = if overlap {
        BTreeMap::new()
    } else {
        counter.take()
    };

    let started = Instant::now();
    if !overlap {
        for (_, consumer) in &stack.consumers {
            tokio::spawn(consumer.clone().run(stack.clients.sqs.clone()));
        }
    }
    stack.settle_within(Duration::from_secs(3600)).await?;
    let drain_time = started.elapsed();
    // `settle` looks at visible messages; a failed seat poll is invisible until its retry.
    let queue = |id: &str| {
        stack
            .resources
            .queue_urls
            .get(id)
            .cloned()
            .ok_or_else(|| format!("no queue {id}"))
    };
    let (activity, dead) = (queue("ActivityQueue")?, queue("ActivityDeadLetterQueue")?);
    let mut retried = 0;
    loop {
        let (_, in_flight) = stack.queue_depth(&activity).await?;
        if in_flight == 0 {
            break;
        }
        retried = retried.max(in_flight as usize);
        tokio::time::sleep(Duration::from_secs(2)).await;
        stack.settle_within(Duration::from_secs(3600)).await?;
    }
    let dead_letters = stack.queue_depth(&dead).await?.0;
    // Only the functions' clients count: the consumers receive and delete with the stack's own
    // clients, standing in for Lambda's event source mapping.
    let drain_requests = counter.take();
    let linkedin_calls = sim.calls().len();
    drop(stack);
    drop(moto);
    Ok(FanOut {
        seats,
        poll,
        poll_time,
        poll_requests,
        drain_time,
        retried,
        dead_letters,
        drain_requests,
        linkedin_calls,
    })
}
