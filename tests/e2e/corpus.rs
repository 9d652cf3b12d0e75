//! Bad input, route by route (issue 7, part 2): every case gets a 4xx with a JSON body that says
//! what is wrong, and the table, the queues and LinkedIn are untouched afterwards (checked, not
//! assumed). The webhook's signature cases are in webhook.rs.

use serde_json::{Value, json};

use crate::harness::*;

/// A raw request: method, path (already encoded), body bytes, content type.
struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    body: Option<Vec<u8>>,
}

fn case(
    name: &'static str,
    method: &'static str,
    path: impl Into<String>,
    body: Option<Value>,
) -> Case {
    Case {
        name,
        method,
        path: path.into(),
        body: body.map(|b| b.to_string().into_bytes()),
    }
}

fn raw(name: &'static str, method: &'static str, path: impl Into<String>, body: &[u8]) -> Case {
    Case {
        name,
        method,
        path: path.into(),
        body: Some(body.to_vec()),
    }
}

fn nested(depth: usize) -> Vec<u8> {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes()
}

fn cases() -> Vec<Case> {
    let t = format!("/tenants/{TENANT}");
    let job = json!({"title": "T", "state": "OPEN"});
    let long = "x".repeat(300);
    let mut v = vec![
        // Unknown tenants, on every kind of route.
        case("unknown tenant: GET", "GET", "/tenants/nobody", None),
        case(
            "unknown tenant: jobs",
            "PUT",
            "/tenants/nobody/jobs/j1",
            Some(job.clone()),
        ),
        case(
            "unknown tenant: candidates",
            "GET",
            "/tenants/nobody/candidates",
            None,
        ),
        case(
            "unknown tenant: health",
            "GET",
            "/tenants/nobody/health",
            None,
        ),
        case("unknown tenant: sync", "GET", "/tenants/nobody/sync", None),
        case(
            "unknown tenant: full sync",
            "POST",
            "/tenants/nobody/sync/full",
            None,
        ),
        case(
            "unknown tenant: purged",
            "GET",
            "/tenants/nobody/compliance/purged",
            None,
        ),
        case(
            "unknown tenant: register",
            "POST",
            "/tenants/nobody/linkedin/register",
            None,
        ),
        case(
            "unknown tenant: contract",
            "PUT",
            "/tenants/nobody/contracts/1",
            Some(json!({})),
        ),
        // Ids with separators, traversal, injection, odd characters, too long.
        case("traversal in tenant", "GET", "/tenants/..%2F..%2Fetc", None),
        case(
            "traversal in job",
            "PUT",
            format!("{t}/jobs/..%2Fsecrets"),
            Some(job.clone()),
        ),
        case(
            "hash in job id",
            "PUT",
            format!("{t}/jobs/a%23b"),
            Some(job.clone()),
        ),
        case(
            "quote in candidate id",
            "GET",
            format!("{t}/candidates/%27%20OR%201%3D1"),
            None,
        ),
        case(
            "script in candidate id",
            "PUT",
            format!("{t}/candidates/%3Cscript%3E"),
            Some(json!({"firstName": "A"})),
        ),
        case(
            "space in user id",
            "PUT",
            format!("{t}/users/a%20b"),
            Some(json!({"email": "a@b.co", "firstName": "A", "lastName": "B"})),
        ),
        case(
            "unicode in application id",
            "PUT",
            format!("{t}/applications/%E2%80%AEapp"),
            Some(json!({"jobId": JOB_ENG, "candidateId": "c"})),
        ),
        case(
            "id of 129 characters",
            "GET",
            format!("{t}/candidates/{}", "c".repeat(129)),
            None,
        ),
        case(
            "contract not a number",
            "PUT",
            format!("{t}/contracts/abc"),
            Some(json!({})),
        ),
        case(
            "contract urn of a seat",
            "DELETE",
            format!("{t}/contracts/urn%3Ali%3Aseat%3A1"),
            None,
        ),
        case(
            "seat not a number",
            "PUT",
            format!("{t}/contracts/{ACTIVE}/seats/x/link"),
            Some(json!({"userId": "u"})),
        ),
        // Bodies that are not JSON, truncated, wrongly typed, or carry unknown fields.
        raw("not JSON", "PUT", format!("{t}/jobs/j1"), b"{{{"),
        raw(
            "truncated JSON",
            "PUT",
            format!("{t}/jobs/j1"),
            br#"{"title": "T", "state": "OP"#,
        ),
        raw(
            "deeply nested JSON",
            "PUT",
            format!("{t}/jobs/j1"),
            &nested(10_000),
        ),
        raw(
            "lone surrogate",
            "PUT",
            format!("{t}/jobs/j1"),
            br#"{"title": "\ud800", "state": "OPEN"}"#,
        ),
        raw("JSON array", "PUT", format!("{t}/jobs/j1"), b"[]"),
        case(
            "title is a number",
            "PUT",
            format!("{t}/jobs/j1"),
            Some(json!({"title": 5, "state": "OPEN"})),
        ),
        case(
            "title empty",
            "PUT",
            format!("{t}/jobs/j1"),
            Some(json!({"title": " ", "state": "OPEN"})),
        ),
        case(
            "title too long",
            "PUT",
            format!("{t}/jobs/j1"),
            Some(json!({"title": long, "state": "OPEN"})),
        ),
        case(
            "title with a control character",
            "PUT",
            format!("{t}/jobs/j1"),
            Some(json!({"title": "a\u{7}b", "state": "OPEN"})),
        ),
        case(
            "unknown job state",
            "PUT",
            format!("{t}/jobs/j1"),
            Some(json!({"title": "T", "state": "MAYBE"})),
        ),
        case(
            "unknown field",
            "PUT",
            format!("{t}/jobs/j1"),
            Some(json!({"title": "T", "state": "OPEN", "salary": 1})),
        ),
        case(
            "listedAt not a date",
            "PUT",
            format!("{t}/jobs/j1"),
            Some(json!({"title": "T", "state": "OPEN", "listedAt": "soon"})),
        ),
        case(
            "tenant without linkedin",
            "PUT",
            t.clone(),
            Some(json!({"name": "A", "organization": "1"})),
        ),
        case(
            "tenant organization not a URN",
            "PUT",
            t.clone(),
            Some(
                json!({"name": "A", "organization": "urn:li:person:1", "linkedin": {"clientId": "c", "clientSecret": "s"}}),
            ),
        ),
        case(
            "tenant empty secret",
            "PUT",
            t.clone(),
            Some(
                json!({"name": "A", "organization": "1", "linkedin": {"clientId": "c", "clientSecret": ""}}),
            ),
        ),
        case(
            "tenant name too long",
            "PUT",
            t.clone(),
            Some(
                json!({"name": "ä".repeat(201), "organization": "1", "linkedin": {"clientId": "c", "clientSecret": "s"}}),
            ),
        ),
        case(
            "contract expiry not a date",
            "PUT",
            format!("{t}/contracts/{ACTIVE}"),
            Some(json!({"expiresAt": "tomorrow"})),
        ),
        case(
            "contract expiry a number",
            "PUT",
            format!("{t}/contracts/{ACTIVE}"),
            Some(json!({"expiresAt": 5})),
        ),
        case(
            "user without email",
            "PUT",
            format!("{t}/users/u1"),
            Some(json!({"firstName": "A", "lastName": "B"})),
        ),
        case(
            "emails not a list",
            "PUT",
            format!("{t}/candidates/c1"),
            Some(json!({"emails": "a@b.co"})),
        ),
        case(
            "phone without number",
            "PUT",
            format!("{t}/candidates/c1"),
            Some(json!({"phones": [{"type": "MOBILE"}]})),
        ),
        case(
            "phone of unknown type",
            "PUT",
            format!("{t}/candidates/c1"),
            Some(json!({"phones": [{"number": "1", "type": "PAGER"}]})),
        ),
        case(
            "21 emails",
            "PUT",
            format!("{t}/candidates/c1"),
            Some(json!({"emails": vec!["a@b.co"; 21]})),
        ),
        case(
            "application of an unknown job",
            "PUT",
            format!("{t}/applications/a1"),
            Some(json!({"jobId": "nope", "candidateId": "c1"})),
        ),
        case(
            "application of an unknown candidate",
            "PUT",
            format!("{t}/applications/a1"),
            Some(json!({"jobId": JOB_ENG, "candidateId": "nobody"})),
        ),
        case(
            "application without candidate",
            "PUT",
            format!("{t}/applications/a1"),
            Some(json!({"jobId": JOB_ENG})),
        ),
        case(
            "stage of an unknown application",
            "POST",
            format!("{t}/applications/nope/stages"),
            Some(json!({"stage": "Hired", "at": "2026-01-01T00:00:00Z"})),
        ),
        case(
            "stage without time",
            "POST",
            format!("{t}/applications/nope/stages"),
            Some(json!({"stage": "Hired"})),
        ),
        case(
            "reimport window backwards",
            "POST",
            format!("{t}/contracts/{ACTIVE}/seats/{EXPORTER_SEAT}/reimport"),
            Some(json!({"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"})),
        ),
        case(
            "link to a missing user",
            "PUT",
            format!("{t}/contracts/{ACTIVE}/seats/{SEAT}/link"),
            Some(json!({"userId": "ghost"})),
        ),
        case(
            "link without user",
            "PUT",
            format!("{t}/contracts/{ACTIVE}/seats/{SEAT}/link"),
            Some(json!({})),
        ),
        case(
            "register a non-URL",
            "POST",
            format!("{t}/linkedin/register"),
            Some(json!({"callbackUrl": "ftp://x"})),
        ),
        // Listings: bad paging.
        case("limit zero", "GET", format!("{t}/candidates?limit=0"), None),
        case(
            "limit too big",
            "GET",
            format!("{t}/exports?limit=1000"),
            None,
        ),
        case(
            "limit not a number",
            "GET",
            format!("{t}/users?limit=ten"),
            None,
        ),
        case(
            "forged page token",
            "GET",
            format!("{t}/candidates?nextToken=eyJldmlsIjoieCJ9"),
            None,
        ),
        case(
            "page token of another tenant",
            "GET",
            format!("{t}/candidates?nextToken=eyJnc2kxcGsiOiJURU5BTlQjb3RoZXIjQ0FORElEQVRFUyJ9"),
            None,
        ),
        case(
            "member filter not a URN",
            "GET",
            format!("{t}/candidates?member=ada"),
            None,
        ),
        // Another tenant's records are not reachable through this tenant.
        case(
            "candidate of another tenant",
            "GET",
            format!("{t}/candidates/other-tenant-candidate"),
            None,
        ),
        case(
            "contract of another tenant",
            "GET",
            format!("{t}/contracts/999/events"),
            None,
        ),
        case(
            "unlink a seat nobody has",
            "DELETE",
            format!("{t}/contracts/{ACTIVE}/seats/424242/link"),
            None,
        ),
        // Routes that do not exist.
        case("no such route", "GET", format!("{t}/secrets"), None),
        case(
            "wrong method",
            "DELETE",
            format!("{t}/jobs/{JOB_ENG}"),
            None,
        ),
    ];
    // Webhook: bodies and tenants it refuses before any work.
    let webhook = format!("/linkedin/{TENANT}/events");
    v.push(raw(
        "webhook: no signature",
        "POST",
        webhook.clone(),
        br#"{"notificationId":"n","type":"EXPORT_CANDIDATE_PROFILE","requestId":"r"}"#,
    ));
    v.push(case(
        "webhook: challenge without code",
        "GET",
        webhook.clone(),
        None,
    ));
    v.push(case(
        "webhook: unknown tenant",
        "GET",
        "/linkedin/nobody/events?challengeCode=x",
        None,
    ));
    v.push(case(
        "webhook: traversal tenant",
        "GET",
        "/linkedin/..%2F/events?challengeCode=x",
        None,
    ));
    v.extend(security_cases());
    v.extend(record_cases());
    v
}

/// The candidate and application the corpus test creates, so that bad notes, feedback and
/// stage deletes reach the checks behind "no such parent".
const CANDIDATE: &str = "c-corpus";
const APPLICATION: &str = "a-corpus";

/// Issue 20's routes: deletes, notes, interview feedback, hiring teams, clean-up, forgetting.
fn record_cases() -> Vec<Case> {
    let t = format!("/tenants/{TENANT}");
    let c_note = format!("{t}/candidates/{CANDIDATE}/notes/n1");
    let a_note = format!("{t}/applications/{APPLICATION}/notes/n1");
    let feedback = format!("{t}/applications/{APPLICATION}/interview-feedback/f1");
    let team = format!("{t}/jobs/{JOB_ENG}/hiring-team");
    let cleanup = format!("{t}/linkedin/cleanup");
    let forget = format!("{t}/compliance/forget");
    let note = |text: Value| json!({"text": text, "authorUserId": EXPORTER_USER});
    let rated = |n: usize| {
        json!({"interviewerUserId": EXPORTER_USER,
               "evaluations": vec![json!({"attribute": "Rust", "result": "4/5"}); n]})
    };
    let many_users: Vec<String> = (0..101).map(|i| format!("u-{i}")).collect();
    vec![
        // Deletes of things that do not exist.
        case(
            "delete an unknown candidate",
            "DELETE",
            format!("{t}/candidates/nobody"),
            None,
        ),
        case(
            "delete an unknown application",
            "DELETE",
            format!("{t}/applications/nope"),
            None,
        ),
        case(
            "delete an unknown stage",
            "DELETE",
            format!("{t}/applications/{APPLICATION}/stages/1768053600000-3f2a9c1d"),
            None,
        ),
        case(
            "delete a stage of an unknown application",
            "DELETE",
            format!("{t}/applications/nope/stages/1768053600000-3f2a9c1d"),
            None,
        ),
        case(
            "stage id with a hash",
            "DELETE",
            format!("{t}/applications/{APPLICATION}/stages/a%23b"),
            None,
        ),
        case(
            "delete a candidate of an unknown tenant",
            "DELETE",
            "/tenants/nobody/candidates/c1",
            None,
        ),
        // Notes.
        case(
            "note: empty text",
            "PUT",
            c_note.clone(),
            Some(note(json!(" \n "))),
        ),
        case(
            "note: text of 10,001 characters",
            "PUT",
            c_note.clone(),
            Some(note(json!("x".repeat(10_001)))),
        ),
        case(
            "note: text with a control character",
            "PUT",
            a_note.clone(),
            Some(note(json!("a\u{7}b"))),
        ),
        case(
            "note: text is a number",
            "PUT",
            a_note.clone(),
            Some(note(json!(5))),
        ),
        case(
            "note: unknown author",
            "PUT",
            c_note.clone(),
            Some(json!({"text": "Strong Rust.", "authorUserId": "ghost"})),
        ),
        case(
            "note: no author",
            "PUT",
            a_note.clone(),
            Some(json!({"text": "Strong Rust."})),
        ),
        case(
            "note: author id with a slash",
            "PUT",
            a_note.clone(),
            Some(json!({"text": "Strong Rust.", "authorUserId": "u/1"})),
        ),
        case(
            "note: createdAt not a date",
            "PUT",
            c_note.clone(),
            Some(
                json!({"text": "Strong Rust.", "authorUserId": EXPORTER_USER, "createdAt": "May"}),
            ),
        ),
        case(
            "note: unknown field",
            "PUT",
            c_note.clone(),
            Some(json!({"text": "x", "authorUserId": EXPORTER_USER, "private": true})),
        ),
        case(
            "note: on an unknown candidate",
            "PUT",
            format!("{t}/candidates/nobody/notes/n1"),
            Some(note(json!("Strong Rust."))),
        ),
        case(
            "note: on an unknown application",
            "PUT",
            format!("{t}/applications/nope/notes/n1"),
            Some(note(json!("Strong Rust."))),
        ),
        case(
            "note: id with traversal",
            "PUT",
            format!("{t}/candidates/{CANDIDATE}/notes/..%2Fx"),
            Some(note(json!("Strong Rust."))),
        ),
        raw(
            "note: body as an array",
            "PUT",
            a_note.clone(),
            br#"["x", "u"]"#,
        ),
        case("note: read an unknown note", "GET", c_note.clone(), None),
        case(
            "note: delete an unknown note",
            "DELETE",
            a_note.clone(),
            None,
        ),
        // Interview feedback.
        case(
            "feedback: neither evaluations nor text",
            "PUT",
            feedback.clone(),
            Some(json!({"interviewerUserId": EXPORTER_USER, "feedback": "  "})),
        ),
        case(
            "feedback: 51 evaluations",
            "PUT",
            feedback.clone(),
            Some(rated(51)),
        ),
        case(
            "feedback: attribute of 201 characters",
            "PUT",
            feedback.clone(),
            Some(json!({"interviewerUserId": EXPORTER_USER,
                        "evaluations": [{"attribute": "a".repeat(201), "result": "4/5"}]})),
        ),
        case(
            "feedback: evaluation as an array",
            "PUT",
            feedback.clone(),
            Some(json!({"interviewerUserId": EXPORTER_USER, "evaluations": [["Rust", "4/5"]]})),
        ),
        case(
            "feedback: text of 10,001 characters",
            "PUT",
            feedback.clone(),
            Some(json!({"interviewerUserId": EXPORTER_USER, "feedback": "f".repeat(10_001)})),
        ),
        case(
            "feedback: unknown interviewer",
            "PUT",
            feedback.clone(),
            Some(json!({"interviewerUserId": "ghost", "feedback": "Hire."})),
        ),
        case(
            "feedback: on an unknown application",
            "PUT",
            format!("{t}/applications/nope/interview-feedback/f1"),
            Some(rated(1)),
        ),
        case("feedback: delete unknown", "DELETE", feedback.clone(), None),
        // Hiring teams.
        case(
            "hiring team: unknown user",
            "PUT",
            team.clone(),
            Some(json!({"userIds": [EXPORTER_USER, "ghost"]})),
        ),
        case(
            "hiring team: 101 users",
            "PUT",
            team.clone(),
            Some(json!({ "userIds": many_users })),
        ),
        case(
            "hiring team: a user twice",
            "PUT",
            team.clone(),
            Some(json!({"userIds": [EXPORTER_USER, EXPORTER_USER]})),
        ),
        case(
            "hiring team: userIds not a list",
            "PUT",
            team.clone(),
            Some(json!({ "userIds": EXPORTER_USER })),
        ),
        case(
            "hiring team: unknown job",
            "PUT",
            format!("{t}/jobs/nope/hiring-team"),
            Some(json!({ "userIds": [EXPORTER_USER] })),
        ),
        case(
            "hiring team: read of an unknown job",
            "GET",
            format!("{t}/jobs/nope/hiring-team"),
            None,
        ),
        // Clean-up: only the tenant id, typed, confirms it.
        case(
            "cleanup: no confirmation",
            "POST",
            cleanup.clone(),
            Some(json!({})),
        ),
        case("cleanup: empty body", "POST", cleanup.clone(), None),
        case(
            "cleanup: wrong confirmation",
            "POST",
            cleanup.clone(),
            Some(json!({"confirm": "yes"})),
        ),
        case(
            "cleanup: another tenant's id",
            "POST",
            cleanup.clone(),
            Some(json!({"confirm": "nobody"})),
        ),
        case(
            "cleanup: confirmation in another case",
            "POST",
            cleanup,
            Some(json!({"confirm": TENANT.to_uppercase()})),
        ),
        case(
            "cleanup: unknown tenant",
            "POST",
            "/tenants/nobody/linkedin/cleanup",
            Some(json!({"confirm": "nobody"})),
        ),
        // Forgetting a member.
        case(
            "forget: not a member URN",
            "POST",
            forget.clone(),
            Some(json!({"member": "ada@example.com"})),
        ),
        case(
            "forget: a seat URN",
            "POST",
            forget.clone(),
            Some(json!({"member": "urn:li:seat:1"})),
        ),
        case(
            "forget: member id with a hash",
            "POST",
            forget.clone(),
            Some(json!({"member": "urn:li:person:a#b"})),
        ),
        case("forget: no member", "POST", forget, Some(json!({}))),
    ]
}

/// Inputs from the security review (issue 18): each once changed state or cost a server error.
fn security_cases() -> Vec<Case> {
    use base64::Engine;
    let t = format!("/tenants/{TENANT}");
    let token =
        |key: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.to_string());
    let mut v = Vec::new();
    // Dates outside 2000..2099.
    for (name, date) in [
        ("expiry in year 0000", "0000-01-01T00:00:00Z"),
        ("expiry in year 0001", "0001-01-01T00:00:00Z"),
        ("expiry in year 9999", "9999-12-31T23:59:59Z"),
    ] {
        v.push(case(
            name,
            "PUT",
            format!("{t}/contracts/{ACTIVE}"),
            Some(json!({"expiresAt": date})),
        ));
    }
    v.push(case(
        "job listed in year 9999",
        "PUT",
        format!("{t}/jobs/{JOB_ENG}"),
        Some(
            json!({"title": "T", "description": "D", "location": "Berlin", "state": "OPEN",
                    "companyApplyUrl": "https://careers.acme.example/x",
                    "listedAt": "9999-01-01T00:00:00Z"}),
        ),
    ));
    v.push(case(
        "re-import from year 0001",
        "POST",
        format!("{t}/contracts/{ACTIVE}/seats/{EXPORTER_SEAT}/reimport"),
        Some(json!({"from": "0001-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"})),
    ));
    v.push(case(
        "re-import beyond the back-fill horizon",
        "POST",
        format!("{t}/contracts/{ACTIVE}/seats/{EXPORTER_SEAT}/reimport"),
        Some(json!({"from": "2001-01-01T00:00:00Z", "to": "2002-01-01T00:00:00Z"})),
    ));
    // JSON arrays where objects are expected (serde reads them as fields in order).
    v.push(raw(
        "contract body as an array",
        "PUT",
        format!("{t}/contracts/{ACTIVE}"),
        b"[]",
    ));
    v.push(raw(
        "candidate body as an array",
        "PUT",
        format!("{t}/candidates/c-array"),
        b"[]",
    ));
    v.push(raw(
        "tenant body as an array",
        "PUT",
        t.clone(),
        br#"["Acme","urn:li:organization:1001",["acme-client","s3cret"]]"#,
    ));
    v.push(case(
        "tenant credentials as an array",
        "PUT",
        t.clone(),
        Some(json!({"name": "Acme", "organization": ORGANIZATION,
                    "linkedin": ["acme-client", "s3cret"]})),
    ));
    v.push(case(
        "candidate phone as an array",
        "PUT",
        format!("{t}/candidates/c-phone"),
        Some(json!({"firstName": "A", "lastName": "B", "phones": [["+1 555"]]})),
    ));
    // A second spelling of a contract or seat id.
    v.push(case(
        "contract id with leading zeros",
        "PUT",
        format!("{t}/contracts/000501"),
        Some(json!({})),
    ));
    v.push(case(
        "contract URN with leading zeros",
        "PUT",
        format!("{t}/contracts/urn:li:contract:0501"),
        Some(json!({})),
    ));
    v.push(case(
        "seat id with leading zeros",
        "PUT",
        format!("{t}/contracts/{ACTIVE}/seats/0{EXPORTER_SEAT}/link"),
        Some(json!({"userId": EXPORTER_USER})),
    ));
    // Links people and LinkedIn follow.
    for (name, url) in [
        ("javascript: apply URL", "javascript:alert(document.domain)"),
        (
            "data: apply URL",
            "data:text/html,<script>alert(1)</script>",
        ),
        ("apply URL without a host", "https://"),
        (
            "apply URL with credentials",
            "https://user:pw@careers.acme.example/",
        ),
    ] {
        v.push(case(
            name,
            "PUT",
            format!("{t}/jobs/{JOB_ENG}"),
            Some(
                json!({"title": "T", "description": "D", "location": "Berlin",
                        "state": "OPEN", "companyApplyUrl": url}),
            ),
        ));
    }
    // Page tokens DynamoDB itself would refuse.
    v.push(case(
        "crafted nextToken without a sort key",
        "GET",
        format!(
            "{t}/users?nextToken={}",
            token(json!({"pk": format!("TENANT#{TENANT}")}))
        ),
        None,
    ));
    v.push(case(
        "crafted nextToken with an empty key",
        "GET",
        format!(
            "{t}/candidates?nextToken={}",
            token(
                json!({"pk": "", "sk": "", "gsi1pk": shared::keys::candidates_listing(TENANT),
                         "gsi1sk": ""})
            )
        ),
        None,
    ));
    // Registering a callback URL that is not this deployment's own.
    v.push(case(
        "register a relay as the callback",
        "POST",
        format!("{t}/linkedin/register"),
        Some(json!({"callbackUrl": "https://relay.example/linkedin/acme/events"})),
    ));
    // The challenge as a signing oracle.
    v.push(case(
        "webhook: challenge that is not a UUID",
        "GET",
        format!("/linkedin/{TENANT}/events?challengeCode=hmacsha256%3D%7B%22notificationId%22%3A%22n%22%7D"),
        None,
    ));
    v
}

#[tokio::test]
async fn every_bad_input_gets_a_clear_4xx_and_changes_nothing() {
    let w = World::with_customer().await;
    for (path, body) in [
        (
            format!("/tenants/{TENANT}/candidates/{CANDIDATE}"),
            json!({"firstName": "Corpus", "lastName": "Case", "emails": ["corpus@example.com"]}),
        ),
        (
            format!("/tenants/{TENANT}/applications/{APPLICATION}"),
            json!({"jobId": JOB_ENG, "candidateId": CANDIDATE}),
        ),
    ] {
        let (s, b) = w.api("PUT", &path, Some(body)).await;
        assert!(s.is_success(), "{path}: {s} {b}");
    }
    w.settle().await;
    let before = w.snapshot().await;
    let calls_before = w.sim.calls().len();
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    for c in &cases {
        let mut req = w
            .http
            .request(
                c.method.parse().unwrap(),
                format!("{}{}", w.stack.api_url, c.path),
            )
            .bearer_auth(&w.stack.admin_token)
            .header("content-type", "application/json");
        if let Some(b) = &c.body {
            req = req.body(b.clone());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(status.is_client_error(), "{}: {status} {text}", c.name);
        let body: Value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{}: not JSON: {text}", c.name));
        let says = body["message"]
            .as_str()
            .or(body["error"].as_str())
            .unwrap_or_default();
        assert!(says.len() >= 5, "{}: no reason given: {body}", c.name);
    }
    w.settle().await;
    assert_eq!(w.snapshot().await, before, "the table changed");
    for q in [
        "ExportsQueue",
        "ActivityQueue",
        "BackfillQueue",
        "AtsChangesQueue",
    ] {
        assert_eq!(w.queue(q).await, (0, 0), "{q} got a message");
    }
    assert_eq!(w.sim.calls().len(), calls_before, "LinkedIn was called");
}
