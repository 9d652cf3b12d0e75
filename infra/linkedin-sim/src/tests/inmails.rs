//! `conversationEvents`.

use super::*;

#[tokio::test]
async fn inmail_window_bounds_shape_and_errors() {
    let (sim, t) = activity_sim().await;
    sim.add_inmails(vec![
        inmail("at-start", T0, true),
        inmail("inside", T0 + 1, false),
        inmail("last", T0 + HOUR - 1, true),
        inmail("at-end", T0 + HOUR, true),
        inmail("before", T0 - 1, true),
        InMail {
            seat: "urn:li:seat:2".into(),
            ..inmail("other-seat", T0 + 5, true)
        },
    ]);
    assert_eq!(sim.inmail_count(), 6);
    // Re-adding an id replaces it.
    sim.add_inmail(inmail("inside", T0 + 2, false));
    assert_eq!(sim.inmail_count(), 6);

    let (status, _, body) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), Some(&t)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), ["at-start", "inside", "last"]);
    assert_eq!(body["paging"], json!({"start": 0, "count": 10, "total": 3}));
    let sent = &body["elements"][0];
    let conv = sent["conversation"].as_str().unwrap().to_string();
    assert_eq!(
        *sent,
        json!({
            "id": "at-start", "conversation": conv, "author": SEAT,
            "recipient": "urn:li:person:ada", "subject": "subject at-start",
            "body": "body at-start", "createdAt": T0,
        }),
        "no direction: the author tells"
    );
    let received = &body["elements"][1];
    assert_eq!(received["author"], "urn:li:person:ada");
    assert_eq!(received["recipient"], SEAT);
    assert!(received.get("direction").is_none());
    assert_eq!(received["createdAt"], T0 + 2);
    assert!(conv.starts_with("urn:li:conversation:"), "{conv}");
    assert_eq!(
        received["conversation"],
        conv.as_str(),
        "same seat and member"
    );

    // Only what LinkedIn documents: no recipient.
    sim.add_inmail(InMail {
        documented_only: true,
        ..inmail("documented", T0 + 10, false)
    });
    let (_, _, body) = get_api(&sim, &inmails_q(T0 + 10, T0 + 11, ""), Some(&t)).await;
    let documented = &body["elements"][0];
    assert_eq!(documented["author"], "urn:li:person:ada");
    assert!(documented.get("recipient").is_none(), "{documented}");
    sim.add_inmail(inmail("documented", T0 + 10, false));

    // An explicit conversation id is served as a URN.
    sim.add_inmail(InMail {
        conversation: Some("77".into()),
        ..inmail("explicit", T0 + 3, true)
    });
    let (_, _, body) = get_api(&sim, &inmails_q(T0 + 3, T0 + 4, ""), Some(&t)).await;
    assert_eq!(
        body["elements"][0]["conversation"],
        "urn:li:conversation:77"
    );

    // Unknown viewer: empty; an unregistered viewer with InMails is served.
    let q = format!(
        "/conversationEvents?q=criteria&viewer=urn:li:seat:2&timeRange.start={T0}&timeRange.end={}",
        T0 + HOUR
    );
    let (status, _, body) = get_api(&sim, &q, Some(&t)).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&body), ["other-seat"]);

    // Errors.
    let no_viewer = format!(
        "/conversationEvents?q=criteria&timeRange.start={T0}&timeRange.end={}",
        T0 + HOUR
    );
    for (q, want) in [
        (no_viewer, 400),
        (
            inmails_q(T0, T0 + HOUR, "").replace("q=criteria", "q=viewer"),
            400,
        ),
        (inmails_q(T0, T0, ""), 400),
        (inmails_q(T0 + 1, T0, ""), 400),
        (
            inmails_q(T0, T0 + HOUR, "").replace(&format!("={T0}&"), "=soon&"),
            400,
        ),
        (format!("/conversationEvents?q=criteria&viewer={SEAT}"), 400),
        (inmails_q(T0, T0 + HOUR, "&count=101"), 400),
        (inmails_q(T0, T0 + HOUR, "&count=100"), 200),
    ] {
        let (status, _, body) = get_api(&sim, &q, Some(&t)).await;
        assert_eq!(status, want, "{q}: {body}");
        if want == 400 {
            assert_eq!(body["status"], 400);
        }
    }
    let (status, _, body) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), None).await;
    assert_eq!(status, 401);
    assert_eq!(body["serviceErrorCode"], CODE_INVALID_TOKEN);
    let (status, _, _) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), Some("bogus")).await;
    assert_eq!(status, 401);

    // Faults and the call log apply.
    sim.clear_calls();
    sim.inject_fault(Fault {
        path_prefix: "/v2/conversationEvents".into(),
        kind: FaultKind::Status {
            status: 429,
            retry_after_secs: Some(1),
        },
        times: 1,
        query: Default::default(),
    });
    let (status, headers, _) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), Some(&t)).await;
    assert_eq!(status, 429);
    assert_eq!(headers[header::RETRY_AFTER], "1");
    let (status, _, _) = get_api(&sim, &inmails_q(T0, T0 + HOUR, ""), Some(&t)).await;
    assert_eq!(status, 200);
    let calls = sim.calls();
    assert_eq!(
        calls.iter().map(|c| c.status).collect::<Vec<_>>(),
        [429, 200]
    );
    assert_eq!(calls[1].path, "/v2/conversationEvents");
    assert_eq!(calls[1].client_id.as_deref(), Some("child-1"));
    sim.shutdown();
}

#[tokio::test]
async fn inmail_paging_is_stable() {
    let (sim, t) = activity_sim().await;
    // 25 InMails, with ties on createdAt broken by id.
    sim.add_inmails(
        (0..25)
            .rev()
            .map(|i| inmail(&format!("m{i:02}"), T0 + (i / 2) * 1000, i % 2 == 0))
            .collect(),
    );
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    for page in 0..3 {
        let start = page * 10;
        let (status, _, body) = get_api(
            &sim,
            &inmails_q(T0, T0 + HOUR, &format!("&start={start}&count=10")),
            Some(&t),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            body["paging"],
            json!({"start": start, "count": 10, "total": 25})
        );
        sizes.push(body["elements"].as_array().unwrap().len());
        seen.extend(ids(&body));
    }
    assert_eq!(sizes, [10, 10, 5]);
    let want: Vec<String> = (0..25).map(|i| format!("m{i:02}")).collect();
    assert_eq!(seen, want);
    sim.shutdown();
}

#[tokio::test]
async fn many_inmails_page_through() {
    let (sim, t) = activity_sim().await;
    let n = 12_000;
    sim.add_inmails(
        (0..n)
            .map(|i| inmail(&format!("bulk-{i:05}"), T0 + i * 3_000, i % 2 == 0))
            .collect(),
    );
    assert_eq!(sim.inmail_count(), 12_000);
    let mut total = 0;
    let mut last = None;
    let mut start = 0;
    loop {
        let (status, _, body) = get_api(
            &sim,
            &inmails_q(T0, T0 + 12 * HOUR, &format!("&start={start}&count=100")),
            Some(&t),
        )
        .await;
        assert_eq!(status, 200);
        let got = body["elements"].as_array().unwrap();
        for e in got {
            let at = e["createdAt"].as_i64().unwrap();
            assert!(last.is_none_or(|l| l < at));
            last = Some(at);
        }
        total += got.len();
        start += 100;
        if got.len() < 100 {
            break;
        }
    }
    // 12 h / 3 s = 14,400 slots: all 12,000 fit in the window.
    assert_eq!(total, 12_000);
    sim.shutdown();
}

#[tokio::test]
async fn generate_activity_is_deterministic() {
    let (sim, t) = activity_sim().await;
    let contract = "urn:li:contract:500";
    let from = T0;
    let to = T0 + 10 * HOUR;
    let seats = sim.generate_activity(contract, 1000, 3, 100, 7, from, to);
    assert_eq!(
        seats,
        ["urn:li:seat:1000", "urn:li:seat:1001", "urn:li:seat:1002"]
    );
    assert_eq!(sim.inmail_count(), 300);
    // The same inputs give the same ids: nothing is duplicated.
    assert_eq!(
        sim.generate_activity(contract, 1000, 3, 100, 7, from, to),
        seats
    );
    assert_eq!(sim.inmail_count(), 300);

    let q = format!(
        "/conversationEvents?q=criteria&viewer=urn:li:seat:1001&timeRange.start={from}&timeRange.end={to}&count=100"
    );
    let (status, _, body) = get_api(&sim, &q, Some(&t)).await;
    assert_eq!(status, 200);
    let elements = body["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 100);
    let ids: HashSet<&str> = elements.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 100);
    let sent = |e: &Value| e["author"] == "urn:li:seat:1001";
    let members: HashSet<String> = elements
        .iter()
        .map(|e| {
            e[if sent(e) { "recipient" } else { "author" }]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(members.len(), 7);
    assert!(members.iter().all(|m| m.starts_with("urn:li:person:gen-")));
    assert!(
        elements
            .iter()
            .enumerate()
            .all(|(i, e)| sent(e) == (i % 2 == 0))
    );
    let times: Vec<i64> = elements
        .iter()
        .map(|e| e["createdAt"].as_i64().unwrap())
        .collect();
    assert_eq!(times[0], from);
    assert!(*times.last().unwrap() < to);
    assert!(times.windows(2).all(|w| w[0] < w[1]), "spread evenly");

    let (_, _, body) = get_api(
        &sim,
        &format!("/seatsV2?q=attributes&contracts={contract}&start=0"),
        Some(&t),
    )
    .await;
    assert_eq!(body["elements"].as_array().unwrap().len(), 3);

    // A different window gives new ids.
    sim.generate_activity(contract, 1000, 1, 10, 7, to, to + HOUR);
    assert_eq!(sim.inmail_count(), 310);
    sim.shutdown();
}
