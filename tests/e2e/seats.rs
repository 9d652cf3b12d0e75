//! Seat sync: seats LinkedIn lists are recorded; holders with an ATS account are linked, by
//! member URN or email; nobody else is, and no user is ever created.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use serde_json::json;

use shared::clock::Clock;

use crate::harness::*;

fn seat(id: &str, member: &str, email: Option<&str>) -> linkedin_sim::Seat {
    linkedin_sim::Seat {
        id: id.into(),
        contract: format!("urn:li:contract:{ACTIVE}"),
        member: format!("urn:li:person:{member}"),
        first_name: "Sea".into(),
        last_name: "Tholder".into(),
        state: "ACTIVE".into(),
        email: email.map(str::to_owned),
    }
}

#[tokio::test]
async fn seats_are_synced_and_linked_to_existing_users_only() {
    let w = World::with_customer().await;
    let (s, _) = w.api("PUT", &format!("/tenants/{TENANT}/users/ann"), Some(json!({"email": "ann@acme.example", "firstName": "Ann", "lastName": "A", "member": "urn:li:person:ann"}))).await;
    assert_eq!(s.as_u16(), 201);
    w.add_user("bob", "Bob@Acme.example").await;
    w.sim.add_seat(seat("8101", "ann", None));
    w.sim
        .add_seat(seat("8102", "bob-on-linkedin", Some("bob@acme.EXAMPLE")));
    w.sim
        .add_seat(seat("8103", "carol", Some("carol@elsewhere.example")));

    let (s, run) = w
        .api("POST", "/_local/schedules/ContractExpiryFunction", None)
        .await;
    assert_eq!(s.as_u16(), 200, "{run}");
    let r = &run["result"];
    assert_eq!(
        (
            r["seats"].as_u64(),
            r["seatsLinkedAutomatically"].as_u64(),
            r["seatsUnlinked"].as_u64()
        ),
        (Some(4), Some(2), Some(1)),
        "{r}"
    );
    // A seat the sync linked gets its back-fill (and pending leads) like an admin link.
    assert_eq!(r["backfillStepsQueued"], 2, "{r}");
    w.settle().await;
    for seat in ["8101", "8102"] {
        assert_eq!(seat_view(&w, seat).await["backfill"]["state"], "done");
    }

    let (_, unlinked) = w
        .api(
            "GET",
            &format!("/tenants/{TENANT}/seats?linked=false"),
            None,
        )
        .await;
    let ids: Vec<&str> = unlinked["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["seatId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["8103"]);
    let (_, linked) = w
        .api("GET", &format!("/tenants/{TENANT}/seats?linked=true"), None)
        .await;
    let pairs: Vec<(&str, &str)> = linked["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["seatId"].as_str().unwrap(), s["userId"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pairs,
        [("8101", "ann"), ("8102", "bob"), ("9001", "u-exporter")]
    );
    assert_eq!(linked["items"][0]["state"], "ACTIVE");
    let (_, users) = w
        .api("GET", &format!("/tenants/{TENANT}/users"), None)
        .await;
    assert_eq!(
        users["items"].as_array().unwrap().len(),
        3,
        "no user was created"
    );

    // A second run changes nothing; the linked seats are polled.
    let (_, again) = w
        .api("POST", "/_local/schedules/ContractExpiryFunction", None)
        .await;
    assert_eq!(again["result"]["seatsLinkedAutomatically"], 0);
    assert_eq!(again["result"]["backfillStepsQueued"], 0, "{again}");
    let summary = w.poll_activity().await;
    assert_eq!(summary["enqueued"], 3, "{summary}");
    let (s, _) = w
        .api(
            "GET",
            &format!("/tenants/{TENANT}/seats?linked=maybe"),
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 400);
}

async fn seat_view(w: &World, seat: &str) -> serde_json::Value {
    let (_, seats) = w
        .api("GET", &format!("/tenants/{TENANT}/seats"), None)
        .await;
    seats["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["seatId"] == seat)
        .unwrap()
        .clone()
}

fn activity_ids(c: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = c["applications"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| {
            a["activity"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["activityId"].as_str().unwrap().to_owned())
        })
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn linking_a_seat_backfills_its_history_once_and_live_polling_takes_over() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_customer_and(Setup {
        clock: Some(clock.clone()),
        backfill_days: Some(30),
        ..Setup::default()
    })
    .await;
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    // History: two InMails inside the 30-day horizon, one before it; then one after the link.
    w.sim.add_inmails(vec![
        mail_to_ada("too-old", SEAT, t0 - 40 * DAY),
        mail_to_ada("h-1", SEAT, t0 - 20 * DAY),
        mail_to_ada("h-2", SEAT, t0 - DAY),
        mail_to_ada("live", SEAT, t0 + 3_600_000),
    ]);
    w.add_user(USER, "recruiter@acme.example").await;
    let linked = w.link(ACTIVE, SEAT, USER).await;
    assert_eq!(linked["backfill"]["state"], "queued", "{linked}");
    w.settle().await;

    let seat = seat_view(&w, SEAT).await;
    assert_eq!(seat["backfill"]["state"], "done", "{seat}");
    assert!(seat["backfill"]["steps"].as_u64().unwrap() >= 1);
    assert_eq!(
        activity_ids(&w.candidate_of("ada").await.unwrap()),
        ["h-1", "h-2"]
    );

    // Live polling starts at the link: the InMail after it arrives once, history is not re-read.
    clock.set(t0 + 2 * 3_600_000);
    w.poll_activity().await;
    w.poll_activity().await;
    assert_eq!(
        activity_ids(&w.candidate_of("ada").await.unwrap()),
        ["h-1", "h-2", "live"]
    );

    // Unlinking and linking again does not start a second back-fill.
    w.api(
        "DELETE",
        &format!("/tenants/{TENANT}/contracts/{ACTIVE}/seats/{SEAT}/link"),
        None,
    )
    .await;
    let again = w.link(ACTIVE, SEAT, USER).await;
    assert_eq!(again["backfill"]["state"], "done");
}

#[tokio::test]
async fn a_two_year_backfill_runs_in_many_bounded_steps() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_customer_and(Setup {
        clock: Some(clock.clone()),
        backfill_days: Some(730),
        ..Setup::default()
    })
    .await;
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    w.sim.add_inmails(
        (1..=24)
            .map(|i| mail_to_ada(&format!("m{i:02}"), SEAT, t0 - i * 30 * DAY))
            .collect(),
    );
    w.add_user(USER, "recruiter@acme.example").await;
    w.link(ACTIVE, SEAT, USER).await;
    w.stack
        .settle_within(std::time::Duration::from_secs(300))
        .await
        .unwrap();

    let seat = seat_view(&w, SEAT).await;
    assert_eq!(seat["backfill"]["state"], "done", "{seat}");
    // 730 days are 1,460 windows of 12 h per stream; a step reads at most 90 windows.
    let steps = seat["backfill"]["steps"].as_u64().unwrap();
    assert!(steps >= 3 * 1460 / 90, "{steps} steps");
    let ids = activity_ids(&w.candidate_of("ada").await.unwrap());
    assert_eq!(ids.len(), 24, "{ids:?}");
    assert!(
        w.sim
            .calls()
            .iter()
            .filter(|c| c.path.ends_with("/conversationEvents"))
            .count()
            >= 1460
    );
}

#[tokio::test]
async fn exports_by_an_unlinked_seat_wait_as_pending_leads_and_import_once_on_link() {
    let w = World::with_customer().await;
    let lead = w
        .sim
        .export(linkedin_sim::ExportSpec {
            client_id: CLIENT_ID.into(),
            request_id: None,
            contract: format!("urn:li:contract:{ACTIVE}"),
            exporter: "urn:li:seat:7777".into(),
            ats_job_posting_id: JOB_ENG.into(),
            candidate: person("grace", "Grace", "Hopper"),
        })
        .await
        .unwrap();
    w.settle().await;
    assert!(
        w.candidate_of("grace").await.is_none(),
        "not a candidate yet"
    );
    let exports = w.exports().await;
    assert_eq!(
        (exports[0]["status"].as_str(), exports[0]["reason"].as_str()),
        (Some("pending"), Some("seat_not_linked"))
    );
    // Only the fields an import may keep are held for later.
    let table = format!("{:?}", w.snapshot().await);
    assert!(!table.contains("FORBIDDEN") && !table.contains("forbidden"));

    w.add_user("grace-recruiter", "gr@acme.example").await;
    w.link(ACTIVE, "7777", "grace-recruiter").await;
    w.settle().await;
    let grace = w
        .candidate_of("grace")
        .await
        .expect("imported when its seat was linked");
    assert_eq!(grace["applications"][0]["jobId"], JOB_ENG);
    assert_eq!(grace["applications"][0]["exportedBy"], "urn:li:seat:7777");
    let exports = w.exports().await;
    let rec = exports
        .iter()
        .find(|e| e["requestId"] == lead.request_id.as_str())
        .unwrap();
    assert_eq!(rec["status"], "imported");

    // Linking again imports nothing twice.
    w.api(
        "DELETE",
        &format!("/tenants/{TENANT}/contracts/{ACTIVE}/seats/7777/link"),
        None,
    )
    .await;
    w.link(ACTIVE, "7777", "grace-recruiter").await;
    w.settle().await;
    assert_eq!(
        w.candidate_of("grace").await.unwrap()["applications"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(w.exports().await.len(), 1);
}

#[tokio::test]
async fn a_live_poll_running_while_the_seat_is_linked_and_back_filled_imports_nothing_twice() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_customer_and(Setup {
        clock: Some(clock.clone()),
        backfill_days: Some(10),
        ..Setup::default()
    })
    .await;
    w.export(&person("ada", "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    let mut mails: Vec<_> = (1..=9)
        .map(|d| mail_to_ada(&format!("old-{d}"), SEAT, t0 - d * DAY))
        .collect();
    mails.extend((1..=5).map(|h| mail_to_ada(&format!("new-{h}"), SEAT, t0 + h * 600_000)));
    w.sim.add_inmails(mails);
    w.add_user(USER, "recruiter@acme.example").await;
    w.link(ACTIVE, SEAT, USER).await;
    // Without waiting for the back-fill, time passes and the schedule fires: both run at once.
    clock.set(t0 + 2 * HOUR);
    let (s, _) = w
        .api("POST", "/_local/schedules/InMailPollFunction", None)
        .await;
    assert_eq!(s.as_u16(), 200);
    w.settle().await;
    w.poll_activity().await;
    let ids = activity_ids(&w.candidate_of("ada").await.unwrap());
    let expected: Vec<String> = (1..=5)
        .map(|h| format!("new-{h}"))
        .chain((1..=9).map(|d| format!("old-{d}")))
        .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(ids, expected, "history and live activity, each once");
}

/// Holds export-import's write of a pending lead until an admin has linked the seat and the
/// link's back-fill has finished looking for pending leads: the export must still be imported.
#[derive(Debug, Clone, Default)]
struct LinkBeforeLeadIsWritten {
    /// `(API URL, admin token, seat)` once the stack is up.
    target: Arc<Mutex<Option<(String, String, String)>>>,
}

impl Intercept for LinkBeforeLeadIsWritten {
    fn name(&self) -> &'static str {
        "LinkBeforeLeadIsWritten"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let is_lead = request
            .headers()
            .get("x-amz-target")
            .is_some_and(|op| op.ends_with("PutItem"))
            && request
                .body()
                .bytes()
                .is_some_and(|b| String::from_utf8_lossy(b).contains("seat_not_linked"));
        let Some((api, token, seat)) = is_lead
            .then(|| self.target.lock().unwrap().take())
            .flatten()
        else {
            return Ok(());
        };
        // Another "process" links the seat and waits for its back-fill, while this write waits.
        // `block_in_place` hands this worker's queued tasks (the API, the consumers) to another
        // thread first, so nothing the link needs waits behind this blocked one.
        let linker = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let http = reqwest::Client::new();
                let t = format!("{api}/tenants/{TENANT}");
                let user =
                    json!({"email": "late@acme.example", "firstName": "La", "lastName": "Te"});
                let s = http
                    .put(format!("{t}/users/u-late"))
                    .bearer_auth(&token)
                    .json(&user)
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert!(s.is_success(), "user: {s}");
                let link = format!("{t}/contracts/{ACTIVE}/seats/{seat}/link");
                let s = http
                    .put(link)
                    .bearer_auth(&token)
                    .json(&json!({"userId": "u-late"}))
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert!(s.is_success(), "link: {s}");
                for _ in 0..300 {
                    let view: serde_json::Value = http
                        .get(format!("{t}/seats?linked=true"))
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    let done =
                        view["items"].as_array().into_iter().flatten().any(|s| {
                            s["seatId"] == seat.as_str() && s["backfill"]["state"] == "done"
                        });
                    if done {
                        return;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                panic!("the back-fill of the linked seat did not finish");
            });
        });
        tokio::task::block_in_place(|| linker.join()).map_err(|_| "the link did not happen")?;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_export_whose_seat_is_linked_while_its_lead_is_written_is_still_imported() {
    let race = LinkBeforeLeadIsWritten::default();
    let r = race.clone();
    let w = World::with_customer_and(Setup {
        clients: Some(Box::new(move |sdk: &aws_config::SdkConfig| {
            let mut clients = shared::aws::Clients::new(sdk);
            let conf = aws_sdk_dynamodb::config::Builder::from(sdk)
                .interceptor(r)
                .build();
            clients.dynamodb = aws_sdk_dynamodb::Client::from_conf(conf);
            clients
        })),
        ..Setup::default()
    })
    .await;
    w.sim.add_seat(seat("7777", "late-holder", None));
    *race.target.lock().unwrap() = Some((
        w.stack.api_url.clone(),
        w.stack.admin_token.clone(),
        "7777".into(),
    ));
    w.sim
        .export(linkedin_sim::ExportSpec {
            client_id: CLIENT_ID.into(),
            request_id: Some("late-lead".into()),
            contract: format!("urn:li:contract:{ACTIVE}"),
            exporter: "urn:li:seat:7777".into(),
            ats_job_posting_id: JOB_ENG.into(),
            candidate: person("grace", "Grace", "Hopper"),
        })
        .await
        .unwrap();
    w.settle().await;
    assert!(race.target.lock().unwrap().is_none(), "the race was staged");
    let exports = w.exports().await;
    assert_eq!(exports[0]["status"], "imported", "{exports:?}");
    let grace = w.candidate_of("grace").await.expect("imported");
    assert_eq!(grace["applications"].as_array().unwrap().len(), 1);
}

/// Only a seat LinkedIn lists for the contract can be linked (issue 18): an id LinkedIn never
/// listed is refused after one look at LinkedIn's seats, and nothing is linked or polled.
#[tokio::test]
async fn a_seat_linkedin_never_listed_cannot_be_linked() {
    let w = World::with_customer().await;
    w.add_user(USER, "recruiter@acme.example").await;
    w.sim.clear_calls();
    let path = format!("/tenants/{TENANT}/contracts/{ACTIVE}/seats/424242/link");
    let (s, v) = w.api("PUT", &path, Some(json!({"userId": USER}))).await;
    assert_eq!(s, reqwest::StatusCode::NOT_FOUND, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("LinkedIn does not list"),
        "{v}"
    );
    let asked: Vec<String> = w.sim.calls().into_iter().map(|c| c.path).collect();
    assert!(
        asked
            .iter()
            .all(|p| p.contains("seats") || p.contains("accessToken")),
        "{asked:?}"
    );
    let (_, seats) = w
        .api("GET", &format!("/tenants/{TENANT}/seats"), None)
        .await;
    assert!(
        seats["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["seatId"] != "424242"),
        "{seats}"
    );
    assert_eq!(
        w.queue("BackfillQueue").await,
        (0, 0),
        "no back-fill started"
    );
}
