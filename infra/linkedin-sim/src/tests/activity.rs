//! Notes, stubs, seats, windows, contracts and the activity control routes.

use super::*;

#[tokio::test]
async fn note_bounds_edits_and_deletes() {
    let (sim, t) = activity_sim().await;
    sim.upsert_note(note(1, "at cutoff", T0));
    sim.upsert_note(note(2, "inside", T0 + 1));
    sim.upsert_note(note(3, "at before", T0 + HOUR));
    sim.upsert_note(note(4, "after", T0 + HOUR + 1));
    sim.upsert_note(Note {
        owner: "urn:li:seat:2".into(),
        ..note(5, "other owner", T0 + 10)
    });
    sim.upsert_note(Note {
        contract: "urn:li:contract:8".into(),
        ..note(6, "other contract", T0 + 10)
    });

    let (status, _, body) = get_api(&sim, &notes_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["2", "3"]);
    let e = &body["elements"][0];
    assert_eq!(
        *e,
        json!({
            "id": 2, "contract": CONTRACT, "owner": SEAT, "member": "urn:li:person:ada",
            "note": "inside", "visibility": "PUBLIC", "active": true,
            "created": T0 + 1, "lastModified": T0 + 1,
        })
    );

    // Several owners: the parameter repeated (Rest.li 1.0). A comma list or 2.0's List(..)
    // is refused rather than misread.
    let both = format!(
        "/prospectNotes?q=criteria&contract={CONTRACT}&owners={SEAT}&owners=urn:li:seat:2&cutoffDate={T0}&beforeDate={}",
        T0 + HOUR
    );
    let (status, _, body) = get_api(&sim, &both, Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["2", "5", "3"]);
    assert_eq!(body["paging"]["total"], 3);
    for owners in [
        format!("List({SEAT},urn:li:seat:2)"),
        format!("{SEAT},urn:li:seat:2"),
    ] {
        let q = format!(
            "/prospectNotes?q=criteria&contract={CONTRACT}&owners={owners}&cutoffDate={T0}&beforeDate={}",
            T0 + HOUR
        );
        let (status, _, body) = get_api(&sim, &q, Some(&t)).await;
        assert_eq!(status, 400, "{owners}: {body}");
    }

    // An edit moves the note to a later window with the new text.
    assert!(sim.edit_note(2, "edited", T0 + 2 * HOUR));
    assert!(!sim.edit_note(99, "nope", T0));
    let (_, _, body) = get_api(&sim, &notes_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(ids(&body), ["3"]);
    let (_, _, body) = get_api(&sim, &notes_q(T0 + HOUR, T0 + 3 * HOUR), Some(&t)).await;
    assert_eq!(ids(&body), ["4", "2"]);
    assert_eq!(body["elements"][1]["note"], "edited");
    assert_eq!(body["elements"][1]["created"], T0 + 1);
    assert_eq!(body["elements"][1]["lastModified"], T0 + 2 * HOUR);

    // A deleted note comes back inactive in the window of its deletion.
    assert!(sim.delete_note(3, T0 + 4 * HOUR));
    assert!(!sim.delete_note(99, T0));
    let (_, _, body) = get_api(&sim, &notes_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(ids(&body), Vec::<String>::new());
    let (_, _, body) = get_api(&sim, &notes_q(T0 + 3 * HOUR, T0 + 5 * HOUR), Some(&t)).await;
    assert_eq!(ids(&body), ["3"]);
    assert_eq!(body["elements"][0]["active"], false);
    assert_eq!(body["elements"][0]["lastModified"], T0 + 4 * HOUR);
    assert_eq!(body["elements"][0]["note"], "at before");
    assert!(!sim.note(3).unwrap().active);

    // Upsert replaces by id.
    sim.upsert_note(note(3, "restored", T0 + 30));
    let (_, _, body) = get_api(&sim, &notes_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(ids(&body), ["3"]);
    assert_eq!(body["elements"][0]["active"], true);

    // Required parameters.
    for q in [
        format!(
            "/prospectNotes?q=criteria&owners={SEAT}&cutoffDate={T0}&beforeDate={}",
            T0 + 1
        ),
        format!(
            "/prospectNotes?q=criteria&contract={CONTRACT}&cutoffDate={T0}&beforeDate={}",
            T0 + 1
        ),
        format!("/prospectNotes?q=criteria&contract={CONTRACT}&owners={SEAT}&cutoffDate={T0}"),
        notes_q(T0, T0 + 1).replace("q=criteria", "q=owner"),
    ] {
        let (status, _, _) = get_api(&sim, &q, Some(&t)).await;
        assert_eq!(status, 400, "{q}");
    }
    let (status, _, _) = get_api(&sim, &notes_q(T0, T0 + 1), None).await;
    assert_eq!(status, 401);
    sim.shutdown();
}

#[tokio::test]
async fn stubs_bounds_and_email_shapes() {
    let (sim, t) = activity_sim().await;
    sim.add_stub(stub(
        "s-array",
        json!(["old@example.org", "ada@example.org"]),
        T0,
    ));
    sim.add_stub(Stub {
        headline: None,
        phone_numbers: vec![],
        ..stub("s-string", json!("ada@example.org"), T0 + HOUR - 1)
    });
    sim.add_stub(stub("s-end", json!("late@example.org"), T0 + HOUR));
    let (status, _, body) = get_api(&sim, &stubs_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["s-array", "s-string"]);
    assert_eq!(
        body["elements"][0],
        json!({
            "id": "s-array", "member": "urn:li:person:ada", "owner": SEAT,
            "firstName": "Ada", "lastName": "Lovelace",
            "emailAddress": ["old@example.org", "ada@example.org"],
            "phoneNumbers": [{"number": "+44 1"}, {"number": "+44 2", "extension": "12"}],
            "headline": "Mathematician", "created": T0,
        })
    );
    assert_eq!(body["elements"][1]["emailAddress"], "ada@example.org");
    assert_eq!(body["elements"][1]["phoneNumbers"], json!([]));

    // Owners are required, and another owner sees nothing.
    let no_owner = format!(
        "/mailStubs?q=contract&contract={CONTRACT}&createdDateStart={T0}&createdDateEnd={}",
        T0 + 1
    );
    let (status, _, _) = get_api(&sim, &no_owner, Some(&t)).await;
    assert_eq!(status, 400);
    let (_, _, body) = get_api(
        &sim,
        &stubs_q(T0, T0 + HOUR).replace(SEAT, "urn:li:seat:3"),
        Some(&t),
    )
    .await;
    assert_eq!(body["elements"], json!([]));
    sim.shutdown();
}

#[tokio::test]
async fn windows_longer_than_12_hours_are_rejected() {
    let (sim, t) = activity_sim().await;
    let twelve = 12 * HOUR;
    for (ok, too_long) in [
        (
            inmails_q(T0, T0 + twelve, ""),
            inmails_q(T0, T0 + twelve + 1, ""),
        ),
        (notes_q(T0, T0 + twelve), notes_q(T0, T0 + twelve + 1)),
        (stubs_q(T0, T0 + twelve), stubs_q(T0, T0 + twelve + 1)),
    ] {
        let (status, _, _) = get_api(&sim, &ok, Some(&t)).await;
        assert_eq!(status, 200, "{ok}");
        let (status, _, body) = get_api(&sim, &too_long, Some(&t)).await;
        assert_eq!(status, 400, "{too_long}");
        assert_eq!(body["status"], 400);
        assert!(body["message"].as_str().unwrap().contains("12 hours"));
    }
    sim.shutdown();
}

#[tokio::test]
async fn inactive_contract_is_403_on_every_activity_call() {
    let (sim, t) = activity_sim().await;
    sim.add_inmail(inmail("m", T0, true));
    let seats_q = format!("/seatsV2?q=attributes&contracts={CONTRACT}&start=0");
    let all = [
        inmails_q(T0, T0 + HOUR, ""),
        notes_q(T0, T0 + HOUR),
        stubs_q(T0, T0 + HOUR),
        seats_q,
    ];
    for state in [ContractState::Expired, ContractState::Disabled] {
        sim.set_contract_status(CONTRACT, state);
        for q in &all {
            let (status, _, body) = get_api(&sim, q, Some(&t)).await;
            assert_eq!(status, 403, "{q}");
            assert_eq!(body["status"], 403);
            assert_eq!(body["serviceErrorCode"], 100);
        }
    }
    sim.set_contract_status(CONTRACT, ContractState::Active);
    for q in &all {
        let (status, _, _) = get_api(&sim, q, Some(&t)).await;
        assert_eq!(status, 200, "{q}");
    }
    // Another contract's expiry does not touch this seat.
    sim.set_contract_status("urn:li:contract:8", ContractState::Expired);
    let (status, _, _) = get_api(&sim, &all[0], Some(&t)).await;
    assert_eq!(status, 200);
    sim.shutdown();
}

#[tokio::test]
async fn seats_v2_needs_start_and_filters_states() {
    let (sim, t) = activity_sim().await;
    sim.add_seat(Seat {
        email: Some("r10@acme.example".into()),
        ..seat("10", CONTRACT, "ACTIVE")
    });
    sim.add_seat(seat("2", CONTRACT, "INACTIVE"));
    sim.add_seat(seat("urn:li:seat:3", CONTRACT, "PARKED"));
    sim.add_seat(seat("4", "urn:li:contract:8", "ACTIVE"));

    let (status, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={CONTRACT}&states=ACTIVE"),
        Some(&t),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("start"));

    let (status, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={CONTRACT}&states=ACTIVE&start=0&count=50"),
        Some(&t),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["1", "10"]);
    assert_eq!(body["paging"], json!({"start": 0, "count": 50, "total": 2}));
    assert_eq!(
        body["elements"][1],
        json!({
            "id": "10", "contract": CONTRACT, "member": "urn:li:person:rec-10",
            "firstName": "Rita", "lastName": "Recruiter 10", "state": "ACTIVE",
            "seatRoles": ["RECRUITER"], "email": "r10@acme.example",
        })
    );
    assert!(body["elements"][0].get("email").is_none());

    let (_, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={CONTRACT}&states=ACTIVE&states=PARKED&start=0"),
        Some(&t),
    )
    .await;
    assert_eq!(ids(&body), ["1", "3", "10"]);
    let (_, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={CONTRACT}&start=1&count=2"),
        Some(&t),
    )
    .await;
    assert_eq!(ids(&body), ["2", "3"]);

    for q in [
        "/seatsV2?q=attributes&start=0".to_string(),
        format!("/seatsV2?q=other&contracts={CONTRACT}&start=0"),
        format!("/seatsV2?q=attributes&contracts={CONTRACT}&start=0&count=101"),
        format!("/seatsV2?q=attributes&contracts={CONTRACT}&states=ACTIVE,PARKED&start=0"),
        format!("/seatsV2?q=attributes&contracts=List({CONTRACT})&start=0"),
    ] {
        let (status, _, _) = get_api(&sim, &q, Some(&t)).await;
        assert_eq!(status, 400, "{q}");
    }
    sim.shutdown();
}

#[tokio::test]
async fn activity_control_routes() {
    let (sim, t) = activity_sim().await;
    let http = reqwest::Client::new();
    let base = sim.base_url();
    let send = |req: reqwest::RequestBuilder| async move { req.send().await.unwrap() };

    let resp = send(http.post(format!("{base}/_sim/seats")).json(&json!({
        "id": "20", "contract": CONTRACT, "member": "urn:li:person:r20",
        "firstName": "R", "lastName": "Twenty"
    })))
    .await;
    assert_eq!(resp.status(), 204);
    let resp = send(
        http.post(format!("{base}/_sim/inmails"))
            .json(&vec![inmail("a", T0, true), inmail("b", T0 + 1, false)]),
    )
    .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(sim.inmail_count(), 2);
    let resp = send(
        http.put(format!("{base}/_sim/notes"))
            .json(&note(9, "hello", T0)),
    )
    .await;
    assert_eq!(resp.status(), 204);
    let resp = send(
        http.post(format!("{base}/_sim/notes/9/edit"))
            .json(&json!({"text": "edited", "atMs": T0 + 5})),
    )
    .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(sim.note(9).unwrap().note, "edited");
    let resp = send(
        http.post(format!("{base}/_sim/notes/9/delete"))
            .json(&json!({"atMs": T0 + 6})),
    )
    .await;
    assert_eq!(resp.status(), 204);
    let n = sim.note(9).unwrap();
    assert!(!n.active);
    assert_eq!(n.last_modified, T0 + 6);
    let resp = send(
        http.post(format!("{base}/_sim/notes/404/delete"))
            .json(&json!({"atMs": T0})),
    )
    .await;
    assert_eq!(resp.status(), 404);
    let resp = send(http.post(format!("{base}/_sim/stubs")).json(&stub(
        "s",
        json!(["x@example.org"]),
        T0,
    )))
    .await;
    assert_eq!(resp.status(), 204);
    let resp = send(http.post(format!("{base}/_sim/generate")).json(&json!({
        "contract": "urn:li:contract:9", "baseSeat": 50, "seats": 2, "inmailsPerSeat": 5,
        "members": 3, "fromMs": T0, "toMs": T0 + HOUR
    })))
    .await;
    assert_eq!(resp.status(), 200);
    let urns: Vec<String> = resp.json().await.unwrap();
    assert_eq!(urns, ["urn:li:seat:50", "urn:li:seat:51"]);
    assert_eq!(sim.inmail_count(), 12);

    let (_, _, body) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), Some(&t)).await;
    assert_eq!(ids(&body), ["a", "b"]);
    let (_, _, body) = get_api(&sim, &stubs_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(
        body["elements"][0]["emailAddress"],
        json!(["x@example.org"])
    );
    let (_, _, body) = get_api(&sim, &notes_q(T0, T0 + HOUR), Some(&t)).await;
    assert_eq!(body["elements"][0]["active"], false);
    let (_, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={CONTRACT}&start=0"),
        Some(&t),
    )
    .await;
    assert_eq!(ids(&body), ["1", "20"]);
    assert_eq!(body["elements"][1]["state"], "ACTIVE");
    sim.shutdown();
}

#[test]
fn activity_serde_shapes() {
    let n: Note = serde_json::from_value(json!({
        "id": 1, "contract": CONTRACT, "owner": SEAT, "member": "urn:li:person:x",
        "note": "n", "created": 1, "lastModified": 2
    }))
    .unwrap();
    assert!(n.active);
    let s = serde_json::to_value(stub("s", json!("a@b.c"), 5)).unwrap();
    assert_eq!(s["emailAddress"], "a@b.c");
    assert_eq!(s["phoneNumbers"][1]["extension"], "12");
    let m = serde_json::to_value(inmail("i", 3, true)).unwrap();
    assert_eq!(m["createdAt"], 3);
    assert_eq!(
        serde_json::from_value::<InMail>(m).unwrap(),
        inmail("i", 3, true)
    );
}

#[tokio::test]
async fn the_older_seat_finder_of_the_collection_is_served() {
    let (sim, t) = activity_sim().await;
    sim.add_seat(seat("2", CONTRACT, "INACTIVE"));
    let q = format!(
        "/seats?q=seatsByAttributes&fields=id&active=true&count=100&start=0&contracts={CONTRACT}"
    );
    let (status, _, body) = get_api(&sim, &q, Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["1"]);
    let (_, _, body) = get_api(&sim, &q.replace("active=true", "active=false"), Some(&t)).await;
    assert_eq!(ids(&body), ["2"]);
    sim.shutdown();
}
