//! Recruiter activity: InMails, notes and shared contact details, imported per linked seat by
//! inmail-poll → activity queue → inmail-import. The tests move a manual clock: a seat reads
//! from its link time up to "now" minus a settle delay.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use linkedin_sim::{ContractState, Fault, FaultKind, InMail, Note, Phone, Stub};
use serde_json::{Value, json};
use shared::aws::Clients;
use shared::clock::Clock;

use crate::harness::*;

fn seat_urn(seat: &str) -> String {
    format!("urn:li:seat:{seat}")
}

fn inmail(id: &str, member: &str, at: i64, sent: bool) -> InMail {
    InMail {
        id: id.into(),
        seat: seat_urn(SEAT),
        member: format!("urn:li:person:{member}"),
        direction: if sent { "SENT" } else { "RECEIVED" }.into(),
        subject: format!("subject {id}"),
        body: format!("body {id}"),
        created_at: at,
        conversation: Some(format!("urn:li:conversation:{member}")),
        documented_only: false,
    }
}

fn note(id: i64, member: &str, text: &str, at: i64) -> Note {
    Note {
        id,
        contract: format!("urn:li:contract:{ACTIVE}"),
        owner: seat_urn(SEAT),
        member: format!("urn:li:person:{member}"),
        note: text.into(),
        active: true,
        created: at,
        last_modified: at,
    }
}

/// Activity of one application, as the API shows it.
fn activity_of(candidate: &Value) -> Vec<Value> {
    candidate["applications"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["activity"].as_array().unwrap().clone())
        .collect()
}

async fn exported(w: &World, member: &str) {
    w.export(&person(member, "Ada", "Lovelace"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
}

#[tokio::test]
async fn inmails_over_three_days_are_imported_exactly_once_in_time_order() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    exported(&w, "ada").await;
    // 120 InMails in the first hour (two pages of one window), 130 spread over three days.
    let mut mails: Vec<InMail> = (0..120)
        .map(|i| {
            inmail(
                &format!("m{i:03}"),
                "ada",
                t0 + 1000 + i * 20_000,
                i % 2 == 0,
            )
        })
        .collect();
    mails.extend((120..250).map(|i| {
        inmail(
            &format!("m{i:03}"),
            "ada",
            t0 + HOUR + (i - 120) * (3 * DAY - 2 * HOUR) / 130,
            i % 3 == 0,
        )
    }));
    // One InMail before the link time: a new seat starts at its link, so it is not imported.
    mails.push(inmail("before-link", "ada", t0 - HOUR, true));
    w.sim.add_inmails(mails);

    clock.set(t0 + 3 * DAY + HOUR);
    let summary = w.poll_activity().await;
    assert_eq!(
        summary["enqueued"], 2,
        "this seat and the exporter's: {summary}"
    );

    let ada = w.candidate_of("ada").await.unwrap();
    let acts = activity_of(&ada);
    assert_eq!(acts.len(), 250, "every InMail once");
    let ids: HashSet<&str> = acts
        .iter()
        .map(|a| a["activityId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 250);
    assert!(!ids.contains("before-link"));
    let times: Vec<&str> = acts.iter().map(|a| a["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|p| p[0] <= p[1]), "in time order");
    let first = &acts[0];
    assert_eq!(first["kind"], "inmail");
    assert_eq!(first["direction"], "SENT");
    assert_eq!(first["subject"], "subject m000");
    assert_eq!(first["body"], "body m000");
    assert_eq!(first["seat"], seat_urn(SEAT));

    // Windows of at most 12 hours (the simulator refuses wider ones), all pages read.
    let inmail_calls = w.linkedin_calls("/conversationEvents");
    assert!(
        inmail_calls >= 7,
        "3 days = at least 7 windows, one with two pages: {inmail_calls}"
    );

    // A second poll an hour later finds nothing new and reads only the new hour.
    clock.advance(HOUR);
    w.sim.clear_calls();
    w.poll_activity().await;
    assert_eq!(
        activity_of(&w.candidate_of("ada").await.unwrap()).len(),
        250
    );
    assert_eq!(w.viewer_calls(SEAT), 1);
}

#[tokio::test]
async fn notes_are_edited_and_deleted_between_polls() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    exported(&w, "ada").await;
    w.sim
        .upsert_note(note(1, "ada", "first impression", t0 + HOUR));
    w.sim
        .upsert_note(note(2, "ada", "to be deleted", t0 + 2 * HOUR));
    clock.set(t0 + 3 * HOUR);
    w.poll_activity().await;
    let texts = |c: &Value| -> Vec<String> {
        activity_of(c)
            .iter()
            .map(|a| a["text"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        texts(&w.candidate_of("ada").await.unwrap()),
        ["first impression", "to be deleted"]
    );

    assert!(w.sim.edit_note(1, "strong candidate", t0 + 4 * HOUR));
    assert!(w.sim.delete_note(2, t0 + 4 * HOUR));
    clock.set(t0 + 5 * HOUR);
    w.poll_activity().await;
    let ada = w.candidate_of("ada").await.unwrap();
    assert_eq!(texts(&ada), ["strong candidate"]);
    let n = &activity_of(&ada)[0];
    assert_eq!(n["kind"], "note");
    assert_eq!(n["seat"], seat_urn(SEAT));
    // The ATS heard of each: two notes imported, one edited, one deleted, once each.
    let mut events =
        crate::events::named(&w, &["NoteImported", "NoteUpdated", "NoteDeleted"]).await;
    events.sort();
    let e = |t: &str, id: &str| (t.to_owned(), id.to_owned());
    assert_eq!(
        events,
        [
            e("NoteDeleted", "2"),
            e("NoteImported", "1"),
            e("NoteImported", "2"),
            e("NoteUpdated", "1"),
        ]
    );
}

#[tokio::test]
async fn shared_contact_details_accept_both_email_shapes_and_keep_everything() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    exported(&w, "ada").await;
    let stub = |id: &str, email: Value, phones: Vec<Phone>, at: i64| Stub {
        id: id.into(),
        contract: format!("urn:li:contract:{ACTIVE}"),
        owner: seat_urn(SEAT),
        member: "urn:li:person:ada".into(),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email_address: email,
        phone_numbers: phones,
        headline: None,
        created: at,
    };
    let phone = |n: &str| Phone {
        number: n.into(),
        extension: None,
    };
    w.sim.add_stub(stub(
        "s1",
        json!(["ada.old@example.org"]),
        vec![phone("+44 1")],
        t0 + HOUR,
    ));
    w.sim.add_stub(stub(
        "s2",
        json!("ada@example.org"),
        vec![phone("+44 2")],
        t0 + 2 * HOUR,
    ));
    clock.set(t0 + 3 * HOUR);
    w.poll_activity().await;
    let ada = w.candidate_of("ada").await.unwrap();
    assert_eq!(
        ada["contactInfo"]["emails"],
        json!(["ada@example.org", "ada.old@example.org"]),
        "newest first, none lost"
    );
    assert_eq!(
        ada["contactInfo"]["phones"],
        json!([{"number": "+44 2"}, {"number": "+44 1"}])
    );
}

#[tokio::test]
async fn activity_about_someone_not_yet_a_candidate_attaches_when_they_are_exported() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    w.sim.add_inmails(vec![
        inmail("g1", "grace", t0 + HOUR, true),
        inmail("g2", "grace", t0 + 2 * HOUR, false),
    ]);
    w.sim
        .upsert_note(note(7, "grace", "met at a conference", t0 + HOUR + 1000));
    clock.set(t0 + 3 * HOUR);
    w.poll_activity().await;
    assert!(
        w.candidates().await.is_empty(),
        "activity alone does not create a candidate"
    );

    w.export(&person("grace", "Grace", "Hopper"), ACTIVE, JOB_ENG)
        .await;
    w.settle().await;
    let grace = w.candidate_of("grace").await.unwrap();
    let ids: Vec<&str> = grace["applications"][0]["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["activityId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["g1", "7", "g2"]);
    assert!(grace.get("unattachedActivity").is_none());
}

#[tokio::test]
async fn a_throttled_seat_is_retried_after_retry_after_and_does_not_hold_back_others() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    w.link(ACTIVE, "7002", USER).await;
    exported(&w, "ada").await;
    w.sim.add_inmails(vec![
        inmail("a1", "ada", t0 + HOUR, true),
        InMail {
            seat: seat_urn("7002"),
            ..inmail("b1", "ada", t0 + HOUR, true)
        },
    ]);
    w.sim.inject_fault(Fault {
        path_prefix: "/v2/conversationEvents".into(),
        kind: FaultKind::Status {
            status: 429,
            retry_after_secs: Some(1),
        },
        times: 1,
        query: Default::default(),
    });
    clock.set(t0 + 2 * HOUR);
    w.poll_activity().await;
    // One seat went through at once; the throttled one comes back after ~1 s, not the queue's 360 s.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let n = activity_of(&w.candidate_of("ada").await.unwrap()).len();
        if n == 2 {
            break;
        }
        assert!(
            n == 1 && tokio::time::Instant::now() < deadline,
            "throttled seat not retried in time ({n} imported)"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(w.queue("ActivityDeadLetterQueue").await, (0, 0));
}

#[tokio::test]
async fn no_seat_of_an_inactive_contract_is_polled() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    w.link(EXPIRED, "8001", USER).await;
    w.sim.add_inmails(vec![InMail {
        seat: seat_urn("8001"),
        ..inmail("x1", "ada", t0 + HOUR, true)
    }]);
    clock.set(t0 + 2 * HOUR);
    let summary = w.poll_activity().await;
    assert_eq!(summary["linkedSeats"], 3, "with the exporter's seat");
    assert_eq!(summary["enqueued"], 2);
    assert_eq!(summary["contractInactive"], 1);
    let viewers: Vec<String> = w
        .sim
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/conversationEvents"))
        .map(|c| c.query.clone())
        .collect();
    assert!(!viewers.is_empty());
    assert!(
        viewers.iter().all(|q| !q.contains("8001")),
        "the expired contract's seat was called: {viewers:?}"
    );
}

#[tokio::test]
async fn linkedin_reporting_the_contract_expired_marks_it_and_stops_its_seats() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    w.sim
        .set_contract_status(&format!("urn:li:contract:{ACTIVE}"), ContractState::Expired);
    clock.set(t0 + 2 * HOUR);
    w.poll_activity().await;
    let (_, contracts) = w
        .api("GET", &format!("/tenants/{TENANT}/contracts"), None)
        .await;
    assert_eq!(contracts["items"][0]["status"], "Expired", "{contracts}");
    w.sim.clear_calls();
    let summary = w.poll_activity().await;
    assert_eq!(summary["enqueued"], 0);
    assert_eq!(w.linkedin_calls("/conversationEvents"), 0);
}

#[tokio::test]
async fn unlinking_stops_imports_and_keeps_what_was_imported() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    exported(&w, "ada").await;
    w.sim
        .add_inmails(vec![inmail("before", "ada", t0 + HOUR, true)]);
    clock.set(t0 + 2 * HOUR);
    w.poll_activity().await;
    let (s, seat) = w
        .api(
            "DELETE",
            &format!("/tenants/{TENANT}/contracts/{ACTIVE}/seats/{SEAT}/link"),
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 200);
    assert_eq!(seat["linked"], false);

    w.sim
        .add_inmails(vec![inmail("after", "ada", t0 + 3 * HOUR, true)]);
    clock.set(t0 + 4 * HOUR);
    let summary = w.poll_activity().await;
    assert_eq!(summary["linkedSeats"], 1, "only the exporter's seat");
    let ids: Vec<String> = activity_of(&w.candidate_of("ada").await.unwrap())
        .iter()
        .map(|a| a["activityId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["before"], "imported data stays, nothing new arrives");
    let seat_events: Vec<(String, String)> =
        crate::events::named(&w, &["SeatLinked", "SeatUnlinked"])
            .await
            .into_iter()
            .filter(|(_, seat)| seat == SEAT)
            .collect();
    assert_eq!(
        seat_events,
        [
            ("SeatLinked".to_owned(), SEAT.to_owned()),
            ("SeatUnlinked".to_owned(), SEAT.to_owned())
        ]
    );

    // Seats link only to existing ATS users.
    let (s, body) = w
        .api(
            "PUT",
            &format!("/tenants/{TENANT}/contracts/{ACTIVE}/seats/{SEAT}/link"),
            Some(json!({"userId": "nobody"})),
        )
        .await;
    assert_eq!(s.as_u16(), 404, "{body}");
    let (_, users) = w
        .api("GET", &format!("/tenants/{TENANT}/users"), None)
        .await;
    assert_eq!(
        users["items"].as_array().unwrap().len(),
        2,
        "no user was created"
    );
}

#[tokio::test]
async fn fan_out_sends_ten_seats_per_batch() {
    let w = World::with_customer().await;
    w.add_user(USER, "recruiter@acme.example").await;
    for seat in 0..25 {
        w.link(ACTIVE, &format!("{}", 9000 + seat), USER).await;
    }
    let summary = w.poll_activity().await;
    assert_eq!(summary["enqueued"], 25);
    assert_eq!(
        summary["sendBatchCalls"], 3,
        "⌈25/10⌉ SendMessageBatch calls"
    );
}

/// Once `armed`, lets `allow` more BatchWriteItem calls through and then fails every DynamoDB
/// request: the store goes away in the middle of a run, as if the process had died there.
#[derive(Debug, Clone, Default)]
struct StoreDiesMidRun {
    armed: Arc<AtomicBool>,
    allow: Arc<AtomicUsize>,
    dead: Arc<AtomicBool>,
}

impl Intercept for StoreDiesMidRun {
    fn name(&self) -> &'static str {
        "StoreDiesMidRun"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if !self.armed.load(Ordering::SeqCst) {
            return Ok(());
        }
        if self.dead.load(Ordering::SeqCst) {
            return Err("injected: the store is gone".into());
        }
        let op = context
            .request()
            .headers()
            .get("x-amz-target")
            .unwrap_or_default();
        if op.ends_with("BatchWriteItem") && self.allow.fetch_sub(1, Ordering::SeqCst) == 0 {
            self.dead.store(true, Ordering::SeqCst);
            return Err("injected: the store is gone".into());
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_crash_between_windows_resumes_without_loss_or_duplicates() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let fault = StoreDiesMidRun::default();
    let f = fault.clone();
    let setup = Setup {
        clock: Some(clock.clone()),
        backfill_days: None,
        sync_gather_ms: None,
        parameters: Vec::new(),
        clients: Some(Box::new(move |sdk: &aws_config::SdkConfig| {
            let mut clients = Clients::new(sdk);
            let conf = aws_sdk_dynamodb::config::Builder::from(sdk)
                .interceptor(f)
                .build();
            clients.dynamodb = aws_sdk_dynamodb::Client::from_conf(conf);
            clients
        })),
    };
    let w = World::with_linked_seat(setup).await;
    exported(&w, "ada").await;
    w.sim.add_inmails(
        (0..60)
            .map(|i| {
                inmail(
                    &format!("c{i:02}"),
                    "ada",
                    t0 + 1000 + i * 2 * HOUR,
                    i % 2 == 0,
                )
            })
            .collect(),
    );

    // Three windows' records are written, then every store request fails: no cursor, no lease
    // release, nothing more reaches the table.
    fault.allow.store(3, Ordering::SeqCst);
    fault.armed.store(true, Ordering::SeqCst);
    clock.set(t0 + 5 * DAY + HOUR);
    w.poll_activity().await;
    fault.armed.store(false, Ordering::SeqCst);
    let partial = activity_of(&w.candidate_of("ada").await.unwrap()).len();
    assert!(
        partial > 0 && partial < 60,
        "the run stopped part-way: {partial}"
    );

    // The dead run's lease expires; the next scheduled poll resumes from the stored cursors.
    clock.advance(10 * 60_000);
    let summary = w.poll_activity().await;
    assert_eq!(summary["enqueued"], 2, "{summary}");
    let acts = activity_of(&w.candidate_of("ada").await.unwrap());
    let ids: HashSet<&str> = acts
        .iter()
        .map(|a| a["activityId"].as_str().unwrap())
        .collect();
    assert_eq!(
        (acts.len(), ids.len()),
        (60, 60),
        "every InMail exactly once"
    );
}

#[tokio::test]
async fn a_seat_still_being_polled_is_not_polled_again_until_its_lease_expires() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    // A poll of the seat is running: it holds the lease for ten more minutes.
    w.stack
        .clients
        .dynamodb
        .update_item()
        .table_name(w.stack.table_name())
        .key(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("TENANT#{TENANT}")),
        )
        .key(
            "sk",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("SEAT#{ACTIVE}#{SEAT}")),
        )
        .update_expression("SET pollLeaseUntil = :until, leaseOwner = :other")
        .expression_attribute_values(
            ":until",
            aws_sdk_dynamodb::types::AttributeValue::N((t0 + 10 * 60_000).to_string()),
        )
        .expression_attribute_values(
            ":other",
            aws_sdk_dynamodb::types::AttributeValue::S("another-poll".into()),
        )
        .send()
        .await
        .unwrap();
    // Both seats are enqueued (the index no longer carries leases); the import finds the
    // lease taken and leaves the seat alone.
    let summary = w.poll_activity().await;
    assert_eq!(summary["enqueued"], 2, "{summary}");
    assert_eq!(w.viewer_calls(SEAT), 0);

    // A poll that died leaves its lease behind; once it expires the seat is polled again.
    clock.set(t0 + 11 * 60_000);
    let summary = w.poll_activity().await;
    assert_eq!(summary["enqueued"], 2, "{summary}");
    assert!(w.viewer_calls(SEAT) > 0);
}

/// A record LinkedIn serves late, for a time live polling already read, is not seen again by
/// polling; an admin re-import of that window brings it in, and nothing twice.
#[tokio::test]
async fn an_admin_reimport_reads_a_window_again_without_duplicates() {
    let clock = hour_clock();
    let t0 = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        // A re-import reaches back at most the back-fill horizon.
        backfill_days: Some(1),
        ..Setup::default()
    })
    .await;
    exported(&w, "ada").await;
    w.sim
        .add_inmails(vec![inmail("im-1", "ada", t0 + 10 * 60_000, true)]);
    clock.advance(HOUR);
    w.poll_activity().await;
    w.sim
        .add_inmails(vec![inmail("im-late", "ada", t0 + 20 * 60_000, true)]);
    clock.advance(HOUR);
    w.poll_activity().await;
    let ada = w.candidate_of("ada").await.unwrap();
    assert_eq!(activity_of(&ada).len(), 1, "live polling does not go back");

    let path = format!("/tenants/{TENANT}/contracts/{ACTIVE}/seats/{SEAT}/reimport");
    let window = json!({
        "from": shared::clock::to_rfc3339(t0),
        "to": shared::clock::to_rfc3339(t0 + HOUR),
    });
    let (s, v) = w.api("POST", &path, Some(window.clone())).await;
    assert_eq!(s, reqwest::StatusCode::ACCEPTED, "{v}");
    w.settle().await;
    let ada = w.candidate_of("ada").await.unwrap();
    let ids: Vec<String> = activity_of(&ada)
        .iter()
        .map(|a| a["activityId"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    let (_, seats) = w
        .api("GET", &format!("/tenants/{TENANT}/seats"), None)
        .await;
    let seat = seats["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["seatId"] == SEAT)
        .unwrap()
        .clone();
    assert_eq!(seat["backfill"]["state"], "done", "{seat}");
    // A window that ends before it starts is refused.
    let (s, _) = w
        .api(
            "POST",
            &path,
            Some(json!({"from": window["to"], "to": window["from"]})),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::BAD_REQUEST);
}

/// A re-import is bounded (issue 18): never before the back-fill horizon, and within the share
/// of LinkedIn's daily calls that re-imports may use, with a 400 that names the limit.
#[tokio::test]
async fn a_reimport_stays_within_the_horizon_and_the_days_call_budget() {
    let clock = hour_clock();
    let now = clock.now_ms();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        backfill_days: Some(30),
        ..Setup::default()
    })
    .await;
    w.settle().await;
    let path = format!("/tenants/{TENANT}/contracts/{ACTIVE}/seats/{SEAT}/reimport");
    let window = |days: i64| {
        json!({"from": shared::clock::to_rfc3339(now - days * 24 * HOUR),
               "to": shared::clock::to_rfc3339(now)})
    };
    let (s, v) = w.api("POST", &path, Some(window(31))).await;
    assert_eq!(s, reqwest::StatusCode::BAD_REQUEST, "{v}");
    assert!(v["message"].as_str().unwrap().contains("30 days"), "{v}");

    // Most of today's re-import share already taken (by earlier re-imports of other seats).
    let store = shared::store::Store::new(
        w.stack.clients.dynamodb.clone(),
        w.stack.table_name().to_owned(),
    );
    let day = &shared::clock::to_rfc3339(now)[..10];
    let max = shared::linkedin::REIMPORT_DAILY_CALLS;
    assert!(
        store
            .reserve_calls(
                TENANT,
                day,
                "reimportCalls",
                max - 10,
                max,
                now / 1000 + 86_400
            )
            .await
            .unwrap()
    );
    // 30 days is 60 windows of 12 hours, three streams each: 180 calls at least.
    let (s, v) = w.api("POST", &path, Some(window(30))).await;
    assert_eq!(s, reqwest::StatusCode::BAD_REQUEST, "{v}");
    let message = v["message"].as_str().unwrap();
    assert!(
        message.contains("180") && message.contains(&max.to_string()),
        "{v}"
    );
    // A day fits in what is left (6 calls).
    let (s, v) = w.api("POST", &path, Some(window(1))).await;
    assert_eq!(s, reqwest::StatusCode::ACCEPTED, "{v}");
    w.settle().await;
}

/// The linked-seat index holds seat ids only (no lease: a poll's writes never touch it) and is
/// spread over shards. Seats linked before the shards existed are moved into them by the next
/// poll, and polled by it.
#[tokio::test]
async fn seats_linked_before_the_index_was_sharded_are_moved_into_their_shards_and_polled() {
    let clock = hour_clock();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    // As the previous version stored a linked seat: the one index partition, and the lease in
    // the projection.
    let ddb = &w.stack.clients.dynamodb;
    let s = |v: &str| aws_sdk_dynamodb::types::AttributeValue::S(v.to_owned());
    ddb.update_item()
        .table_name(w.stack.table_name())
        .key("pk", s(&format!("TENANT#{TENANT}")))
        .key("sk", s(&format!("SEAT#{ACTIVE}#{SEAT}")))
        .update_expression("SET gsi2pk = :old, leaseUntil = :zero")
        .expression_attribute_values(":old", s("LINKED_SEAT"))
        .expression_attribute_values(
            ":zero",
            aws_sdk_dynamodb::types::AttributeValue::N("0".into()),
        )
        .send()
        .await
        .unwrap();
    clock.advance(HOUR);
    let summary = w.poll_activity().await;
    assert_eq!(summary["movedToShards"], 1, "{summary}");
    assert_eq!(summary["enqueued"], 2, "both seats are polled: {summary}");
    assert!(w.viewer_calls(SEAT) > 0);
    assert_eq!(w.poll_activity().await["movedToShards"], 0, "moved once");

    // Every index item is in a shard and carries ids only.
    let mut listed = Vec::new();
    for shard in 0..shared::keys::LINKED_SEAT_SHARDS {
        let items = ddb
            .query()
            .table_name(w.stack.table_name())
            .index_name("gsi2")
            .key_condition_expression("gsi2pk = :p")
            .expression_attribute_values(":p", s(&shared::keys::linked_seats_partition(shard)))
            .send()
            .await
            .unwrap()
            .items
            .unwrap_or_default();
        for item in items {
            let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
            names.sort();
            assert_eq!(
                names,
                [
                    "contractId",
                    "gsi2pk",
                    "gsi2sk",
                    "pk",
                    "seatId",
                    "sk",
                    "tenantId"
                ],
                "shard {shard}"
            );
            listed.push(item["seatId"].as_s().unwrap().clone());
        }
    }
    listed.sort();
    assert_eq!(listed, [SEAT, EXPORTER_SEAT]);
}

/// A poll with no time for the shards hands them all to the activity queue; inmail-import
/// enqueues their seats, and every seat is polled once, as by a poll that did it all itself.
#[tokio::test]
async fn a_fan_out_handed_to_the_queue_polls_every_seat_once() {
    let clock = hour_clock();
    let w = World::with_customer_and(Setup {
        clock: Some(clock.clone()),
        parameters: vec![("FanOutTimeBudgetSeconds", "0".into())],
        ..Setup::default()
    })
    .await;
    w.add_user(USER, "recruiter@acme.example").await;
    let seats: Vec<String> = (0..25).map(|i| format!("{}", 8000 + i)).collect();
    for seat in &seats {
        w.link(ACTIVE, seat, USER).await;
    }
    clock.advance(HOUR);
    let summary = w.poll_activity().await;
    assert_eq!(
        summary["shardsHandedOff"],
        shared::keys::LINKED_SEAT_SHARDS,
        "{summary}"
    );
    assert_eq!(summary["enqueued"], 0, "{summary}");
    for seat in seats.iter().map(String::as_str).chain([EXPORTER_SEAT]) {
        assert_eq!(w.viewer_calls(seat), 1, "seat {seat} polled once");
    }
}

/// A seat enqueued twice for one scheduled poll (a retried run, a shard walked again) is polled
/// once: a message from before the seat's last poll costs no LinkedIn call.
#[tokio::test]
async fn a_seat_message_from_before_its_last_poll_is_not_polled_again() {
    let clock = hour_clock();
    let w = World::with_linked_seat(Setup {
        clock: Some(clock.clone()),
        ..Setup::default()
    })
    .await;
    let poll_at = clock.now_ms() + HOUR;
    clock.set(poll_at);
    w.poll_activity().await;
    let polled = w.viewer_calls(SEAT);
    assert!(polled > 0);

    clock.advance(60_000);
    let send = |enqueued_at: i64| {
        let body = json!({"tenantId": TENANT, "contractId": ACTIVE, "seatId": SEAT,
                          "enqueuedAt": enqueued_at})
        .to_string();
        w.stack
            .clients
            .sqs
            .send_message()
            .queue_url(w.stack.queue_url("ActivityQueue"))
            .message_body(body)
            .send()
    };
    send(poll_at - 1).await.unwrap();
    w.settle().await;
    assert_eq!(w.viewer_calls(SEAT), polled, "the duplicate was left alone");

    // A message of a later poll is polled.
    send(clock.now_ms()).await.unwrap();
    w.settle().await;
    assert!(w.viewer_calls(SEAT) > polled);
}
