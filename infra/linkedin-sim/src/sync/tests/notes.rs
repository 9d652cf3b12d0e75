//! Notes and interview feedback, as the collection sends them.

use super::*;

fn sub_call<'a>(
    method: reqwest::Method,
    path: String,
    ids: &[&str],
    restli: Option<&'a str>,
    body: Option<Value>,
    token: &'a str,
) -> Call<'a> {
    Call {
        method,
        path,
        query: ids
            .iter()
            .map(|id| ("ids".to_string(), id.to_string()))
            .collect(),
        restli,
        body: body.map(|b| b.to_string()),
        token: Some(token),
    }
}

fn note(text: &str) -> Value {
    json!({"atsCreatedAt": 1_700_000_000_000i64, "note": text, "author": {"firstName": "Rita", "lastName": "Book"}})
}

#[tokio::test]
async fn notes_and_feedback_are_stored_and_deleted() {
    let (sim, t) = sync_sim().await;
    let candidate_notes = format!("/atsCandidates/{}/notes", candidate_key("c-1"));
    let application_notes = format!("/atsApplications/{}/notes", application_key("a-1"));
    let feedback = format!(
        "/atsApplications/{}/interviewFeedback",
        encode(&application_key("a-1"))
    );
    let put = reqwest::Method::PUT;
    let (status, v) = sub_call(
        put.clone(),
        candidate_notes.clone(),
        &["N1"],
        Some(BATCH_UPDATE),
        Some(json!({"entities": {"N1": note("A candidate note.")}})),
        &t,
    )
    .send(&sim)
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"]["N1"]["status"], 204, "{v}");
    let (_, v) = sub_call(
        put.clone(),
        application_notes.clone(),
        &["APPL_NOTE_0001", "APPL_NOTE_0002"],
        Some(BATCH_UPDATE),
        Some(json!({"entities": {
            "APPL_NOTE_0001": note("Great resume."),
            "APPL_NOTE_0002": {"atsCreatedAt": 1, "note": null},
        }})),
        &t,
    )
    .send(&sim)
    .await;
    assert_eq!(v["results"]["APPL_NOTE_0001"]["status"], 204, "{v}");
    assert_eq!(v["errors"]["APPL_NOTE_0002"]["status"], 400, "{v}");
    // The collection sends interview feedback without x-restli-method.
    let entity = json!({
        "atsCreatedAt": 1_700_000_000_000i64,
        "evaluations": [{"attribute": "Verbal Communication", "result": "4/5"}],
        "feedback": "Great interview!",
        "interviewer": {"firstName": "Rita", "lastName": "Book"},
    });
    let (status, v) = sub_call(
        put.clone(),
        feedback.clone(),
        &["F1"],
        None,
        Some(json!({"entities": {"F1": entity.clone()}})),
        &t,
    )
    .send(&sim)
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"]["F1"]["status"], 204, "{v}");
    // Notes do need it.
    let (status, _) = sub_call(
        put,
        candidate_notes.clone(),
        &["N2"],
        None,
        Some(json!({"entities": {"N2": note("x")}})),
        &t,
    )
    .send(&sim)
    .await;
    assert_eq!(status, 400);

    let got = sim.synced(ORG);
    assert_eq!(got.notes["candidate:c-1"]["N1"], note("A candidate note."));
    assert_eq!(got.notes["application:a-1"].len(), 1);
    assert_eq!(got.interview_feedback["a-1"]["F1"], entity);
    assert_eq!(got.writes["note:candidate:c-1:N1"], 1);
    assert_eq!(got.writes["feedback:a-1:F1"], 1);

    let delete = reqwest::Method::DELETE;
    for path in [candidate_notes, feedback] {
        let id = if path.ends_with("notes") { "N1" } else { "F1" };
        let (status, v) = sub_call(delete.clone(), path, &[id], None, None, &t)
            .send(&sim)
            .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["results"][id]["status"], 204, "{v}");
    }
    let got = sim.synced(ORG);
    assert!(got.notes["candidate:c-1"].is_empty());
    assert!(got.interview_feedback["a-1"].is_empty());
    let kinds: Vec<&str> = got.requests.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "candidateNotes",
            "applicationNotes",
            "interviewFeedback",
            "candidateNotes",
            "candidateNoteDeletes",
            "interviewFeedbackDeletes"
        ]
    );
    sim.shutdown();
}
