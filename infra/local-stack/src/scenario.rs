//! The short scenario `make dev` plays, driving the stack from outside (HTTP API and simulator)
//! as a user would:
//!
//! 1. a customer with two contracts (one active, one expired) and two jobs;
//! 2. recruiters export profiles (one person twice, to two jobs); LinkedIn delivers one
//!    notification twice; two exports cannot be imported (expired contract, unknown job);
//! 3. the exporting seat is not linked yet, so the exports wait as pending leads; an admin links
//!    it to an ATS user and they become candidates; the recruiter exchanges InMails,
//!    writes a note and receives contact details; an hour passes on the stack's clock and the
//!    activity schedule fires;
//! 4. the ATS moves an application to a new stage and adds a candidate of its own with an
//!    application; the outbound sync sends them (and the jobs) to LinkedIn;
//! 5. for the integration page: the hourly contract review reads the contract's seat list, so
//!    Sam's seat is known but not linked (Sam has an ATS account to link it to), and Nia's seat
//!    is linked but LinkedIn refuses its activity reads, so it goes stale and its poll is
//!    dead-lettered.

use std::fmt::Write;

use linkedin_sim::{ExportSpec, InMail, Note, Phone, Sim, Stub};
use reqwest::Method;
use serde_json::{Value, json};

use crate::{Error, Stack};

pub const TENANT: &str = "acme";
/// The deployment's partner application, which provisions Acme's child application.
pub const PARTNER_CLIENT_ID: &str = "ats-partner";
/// Secrets may hold `/ = +`: the scenario's does, so the form encoding is exercised.
pub const PARTNER_SECRET: &str = "s3cr/et+=partner";
pub const ACTIVE_CONTRACT: &str = "501";
pub const EXPIRED_CONTRACT: &str = "502";
pub const SEAT: &str = "9001";
/// Sam's seat: listed by LinkedIn, not linked (the page's link test links it).
pub const UNLINKED_SEAT: &str = "9002";
/// Nia's seat: linked, but LinkedIn refuses its activity reads, so it goes stale.
pub const REFUSED_SEAT: &str = "9003";
pub const ORGANIZATION: &str = "urn:li:organization:1001";

pub struct Outcome {
    /// What a person reads at the end of `make dev`.
    pub report: String,
    pub candidates: Vec<Value>,
    pub exports: Vec<Value>,
}

fn person(member: &str, first: &str, last: &str, location: &str, company: &str) -> Value {
    // LinkedIn may send more than the ATS may keep; the simulator sends it all.
    json!({
        "member": member, "firstName": first, "lastName": last, "location": location,
        "currentEmployerNames": [company], "headline": "Engineer",
        "emailAddress": format!("{first}@example.com").to_lowercase(),
        "positions": [{"title": "Engineer", "companyName": company}],
        "educations": [{"schoolName": "Somewhere"}]
    })
}

/// The stack's HTTP API, as an outside client sees it.
struct Api {
    http: reqwest::Client,
    base: String,
    /// The admin token the local API asks for (IAM in AWS).
    token: String,
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value, Error> {
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .request(method.clone(), &url)
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            return Err(format!("{method} {url} answered {status}: {text}").into());
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn put(&self, path: &str, body: Value) -> Result<Value, Error> {
        self.call(Method::PUT, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Result<Value, Error> {
        self.call(Method::GET, path, None).await
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Plays the scenario. `let_time_pass(ms)` moves the stack's clock forward.
pub async fn play(
    stack: &Stack,
    sim: &Sim,
    let_time_pass: &(dyn Fn(i64) + Sync),
) -> Result<Outcome, Error> {
    let api = Api {
        http: reqwest::Client::new(),
        base: stack.api_url.clone(),
        token: stack.admin_token.clone(),
    };
    let t = format!("/tenants/{TENANT}");
    // Onboarding with LinkedIn's partner flow (docs/onboarding.md): the operator has put the
    // partner application's credentials in the deployment's secret; one call provisions Acme's
    // child application, names its integrations and registers this stack's callback URL.
    sim.register_partner(PARTNER_CLIENT_ID, PARTNER_SECRET);
    stack
        .put_partner_secret(PARTNER_CLIENT_ID, PARTNER_SECRET)
        .await?;
    let onboarding = api
        .call(
            Method::POST,
            &format!("{t}/linkedin/onboard"),
            Some(json!({"name": "Acme Corp", "organization": ORGANIZATION,
                        "jobPostingViewers": "ALL_PRODUCT_USERS"})),
        )
        .await?;
    let client_id = sim
        .provisioned_apps()
        .into_iter()
        .find(|a| a.unique_foreign_id == TENANT)
        .map(|a| a.client_id)
        .ok_or("onboarding provisioned no application")?;
    let day = 86_400_000;
    let now = chrono::Utc::now().timestamp_millis();
    let in_a_year = shared::clock::to_rfc3339(now + 365 * day);
    let yesterday = shared::clock::to_rfc3339(now - day);
    api.put(
        &format!("{t}/contracts/{ACTIVE_CONTRACT}"),
        json!({"expiresAt": in_a_year}),
    )
    .await?;
    api.put(
        &format!("{t}/contracts/{EXPIRED_CONTRACT}"),
        json!({"expiresAt": yesterday}),
    )
    .await?;
    // Acme's Recruiter admin enables the integrations in Recruiter; the hourly review below
    // notices it.
    sim.enable_integrations(&client_id);
    // The contract's Recruiter seats, as LinkedIn's seat list shows them.
    for (id, member, first, last) in [
        (SEAT, "urn:li:person:rae-cruiter", "Rae", "Cruiter"),
        (UNLINKED_SEAT, "urn:li:person:sam-sourcer", "Sam", "Sourcer"),
        (REFUSED_SEAT, "urn:li:person:nia-okafor", "Nia", "Okafor"),
    ] {
        sim.add_seat(linkedin_sim::Seat {
            id: id.into(),
            contract: format!("urn:li:contract:{ACTIVE_CONTRACT}"),
            member: member.into(),
            first_name: first.into(),
            last_name: last.into(),
            state: "ACTIVE".into(),
            email: None,
        });
    }
    // The jobs go to LinkedIn too (outbound sync), so recruiters can export to them.
    for (id, title) in [
        ("job-eng", "Backend Engineer"),
        ("job-pm", "Product Manager"),
    ] {
        api.put(
            &format!("{t}/jobs/{id}"),
            json!({"title": title, "description": format!("{title} at Acme."),
                   "location": "Berlin, DE", "state": "OPEN",
                   "companyApplyUrl": "https://careers.acme.example/jobs"}),
        )
        .await?;
    }
    let validated = sim.validate_callback(&client_id).await?;

    let ada = person(
        "urn:li:person:ada-1815",
        "Ada",
        "Lovelace",
        "London, GB",
        "Analytical Engines",
    );
    let grace = person(
        "urn:li:person:grace-1906",
        "Grace",
        "Hopper",
        "Arlington, US",
        "US Navy",
    );
    let linus = person(
        "urn:li:person:linus-1969",
        "Linus",
        "Torvalds",
        "Portland, US",
        "Linux Foundation",
    );
    let exports = [
        (&ada, ACTIVE_CONTRACT, "job-eng"),
        (&ada, ACTIVE_CONTRACT, "job-pm"),
        (&grace, ACTIVE_CONTRACT, "job-eng"),
        (&grace, EXPIRED_CONTRACT, "job-pm"),
        (&linus, ACTIVE_CONTRACT, "job-nobody-posted"),
    ];
    let mut pushes = Vec::new();
    for (who, contract, job) in exports {
        let spec = ExportSpec {
            client_id: client_id.clone(),
            request_id: None,
            contract: format!("urn:li:contract:{contract}"),
            exporter: format!("urn:li:seat:{SEAT}"),
            ats_job_posting_id: job.into(),
            candidate: who.clone(),
        };
        pushes.push(sim.export(spec).await?);
    }
    // LinkedIn delivers at least once: the first notification arrives a second time.
    let duplicate = sim.resend(&pushes[0].notification_id).await?;
    stack.settle().await?;

    // The recruiter's seat is linked to their ATS account; activity from then on is imported.
    for (id, first, last) in [
        ("u-rae", "Rae", "Cruiter"),
        ("u-sam", "Sam", "Sourcer"),
        ("u-nia", "Nia", "Okafor"),
    ] {
        api.put(
            &format!("{t}/users/{id}"),
            json!({"email": format!("{}@acme.example", first.to_lowercase()),
                   "firstName": first, "lastName": last}),
        )
        .await?;
    }
    // Nia's seat is linked too, but LinkedIn refuses to read its InMails.
    sim.inject_fault(linkedin_sim::Fault {
        path_prefix: "/v2/conversationEvents".into(),
        kind: linkedin_sim::FaultKind::Status {
            status: 400,
            retry_after_secs: None,
        },
        times: 1_000_000,
        query: [("viewer".to_owned(), format!("urn:li:seat:{REFUSED_SEAT}"))].into(),
    });
    api.put(
        &format!("{t}/contracts/{ACTIVE_CONTRACT}/seats/{REFUSED_SEAT}/link"),
        json!({"userId": "u-nia"}),
    )
    .await?;
    let seat = api
        .put(
            &format!("{t}/contracts/{ACTIVE_CONTRACT}/seats/{SEAT}/link"),
            json!({"userId": "u-rae"}),
        )
        .await?;
    let linked_at = seat["linkedAt"]
        .as_str()
        .and_then(shared::clock::from_rfc3339)
        .ok_or("link answer without linkedAt")?;
    seed_activity(sim, linked_at);
    let_time_pass(60 * 60_000);
    let poll = api
        .call(Method::POST, "/_local/schedules/InMailPollFunction", None)
        .await?;
    // The hourly contract review reads the seat list: names, and Sam's seat, unlinked.
    let review = api
        .call(
            Method::POST,
            "/_local/schedules/ContractExpiryFunction",
            None,
        )
        .await?;
    stack.settle().await?;

    let mut candidates = Vec::new();
    for c in api.get(&format!("{t}/candidates")).await?["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        candidates.push(
            api.get(&format!("{t}/candidates/{}", text(&c["candidateId"])))
                .await?,
        );
    }
    let exports = api.get(&format!("{t}/exports")).await?["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();

    // The ATS works on: Ada moves to a phone screen, and a candidate of the ATS's own applies.
    let ada = candidates
        .iter()
        .find(|c| c["firstName"] == "Ada")
        .and_then(|c| c["applications"][0]["applicationId"].as_str())
        .map(str::to_owned);
    if let Some(application) = &ada {
        api.call(
            Method::POST,
            &format!("{t}/applications/{application}/stages"),
            Some(json!({"stage": "Phone screen", "at": shared::clock::to_rfc3339(now)})),
        )
        .await?;
    }
    api.put(
        &format!("{t}/candidates/ats-1"),
        json!({"firstName": "Margaret", "lastName": "Hamilton", "emails": ["margaret@example.org"],
               "title": "Engineer", "company": "MIT"}),
    )
    .await?;
    api.put(
        &format!("{t}/applications/ats-app-1"),
        json!({"jobId": "job-pm", "candidateId": "ats-1", "source": "Career site"}),
    )
    .await?;
    stack.settle().await?;
    let synced = sim.synced(ORGANIZATION);
    let sync = api.get(&format!("{t}/sync")).await?;

    let mut r = String::new();
    let steps: Vec<String> = onboarding["steps"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .map(|s| format!("{} {}", text(&s["label"]), text(&s["state"])))
                .collect()
        })
        .unwrap_or_default();
    let _ = writeln!(
        r,
        "Onboarded with LinkedIn's partner flow: {}",
        steps.join(", ")
    );
    let checklist = api.get(&format!("{t}/linkedin/onboarding")).await?;
    let _ = writeln!(
        r,
        "After the customer enabled the integrations and the hourly review: {}",
        if checklist["complete"] == true {
            "complete"
        } else {
            "not complete"
        }
    );
    let _ = writeln!(r, "Callback URL validated by LinkedIn: {validated}");
    let status = |s: Option<u16>| s.map_or("-".to_owned(), |s| s.to_string());
    let statuses: Vec<String> = pushes.iter().map(|p| status(p.status)).collect();
    let _ = writeln!(
        r,
        "Notifications pushed: {} (webhook answered {}), duplicate delivery answered {}",
        pushes.len(),
        statuses.join(", "),
        status(duplicate.status)
    );
    let _ = writeln!(r, "\nCandidates imported: {}", candidates.len());
    for c in &candidates {
        report_candidate(&mut r, c);
    }
    let _ = writeln!(r, "\nExports recorded: {}", exports.len());
    for e in &exports {
        let reason = e["reason"]
            .as_str()
            .map(|s| format!("({s})"))
            .unwrap_or_default();
        let _ = writeln!(
            r,
            "  {} {:<8} job {:<18} contract {} {reason}",
            text(&e["requestId"]),
            text(&e["status"]),
            text(&e["jobId"]),
            text(&e["contractId"])
        );
    }
    let _ = writeln!(
        r,
        "\nActivity poll: {} linked seat(s), {} enqueued. Linus's InMail is kept as pending activity until he is exported.",
        poll["result"]["linkedSeats"], poll["result"]["enqueued"]
    );
    let _ = writeln!(
        r,
        "Contract review: {} seat(s) listed by LinkedIn, {} not linked (Sam's seat {UNLINKED_SEAT}); \
         LinkedIn refuses the InMails of Nia's seat {REFUSED_SEAT}, so it is stale.",
        review["result"]["seats"], review["result"]["seatsUnlinked"]
    );
    let fetches = sim
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/exportedCandidates"))
        .count();
    let _ = writeln!(
        r,
        "LinkedIn calls: {fetches} exportedCandidates for {} distinct exports",
        pushes.len()
    );
    let _ = writeln!(
        r,
        "\nOutbound sync: LinkedIn holds {} jobs, {} candidates, {} applications and stages of {} \
         application(s), sent in {} requests; pending {}, sync errors {}.",
        synced.jobs.len(),
        synced.candidates.len(),
        synced.applications.len(),
        synced.stages.len(),
        synced.requests.len(),
        sync["pending"],
        sync["errors"]
    );
    Ok(Outcome {
        report: r,
        candidates,
        exports,
    })
}

/// What the recruiter does in the hour after the link.
fn seed_activity(sim: &Sim, linked_at: i64) {
    let seat = format!("urn:li:seat:{SEAT}");
    let contract = format!("urn:li:contract:{ACTIVE_CONTRACT}");
    let at = |minutes: i64| linked_at + minutes * 60_000;
    let mail =
        |id: &str, member: &str, sent: bool, minutes: i64, subject: &str, body: &str| InMail {
            id: id.into(),
            seat: seat.clone(),
            member: member.into(),
            direction: if sent { "SENT" } else { "RECEIVED" }.into(),
            subject: subject.into(),
            body: body.into(),
            created_at: at(minutes),
            conversation: None,
            documented_only: false,
        };
    sim.add_inmails(vec![
        mail(
            "im-1",
            "urn:li:person:ada-1815",
            true,
            10,
            "Backend role at Acme",
            "Hi Ada, would you like to talk?",
        ),
        mail(
            "im-2",
            "urn:li:person:ada-1815",
            false,
            20,
            "Re: Backend role at Acme",
            "Happy to, here are my details.",
        ),
        mail(
            "im-3",
            "urn:li:person:linus-1969",
            true,
            12,
            "Kernel work",
            "Interested in a chat?",
        ),
    ]);
    sim.upsert_note(Note {
        id: 42,
        contract: contract.clone(),
        owner: seat.clone(),
        member: "urn:li:person:grace-1906".into(),
        note: "Strong on compilers; follow up in Q3".into(),
        active: true,
        created: at(15),
        last_modified: at(15),
    });
    sim.add_stub(Stub {
        id: "stub-1".into(),
        contract,
        owner: seat,
        member: "urn:li:person:ada-1815".into(),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email_address: json!("ada@example.org"),
        phone_numbers: vec![Phone {
            number: "+44 20 7946 0000".into(),
            extension: None,
        }],
        headline: None,
        created: at(21),
    });
}

fn report_candidate(r: &mut String, c: &Value) {
    let _ = writeln!(
        r,
        "  {} {} ({}; {}), {}",
        text(&c["firstName"]),
        text(&c["lastName"]),
        c["location"].as_str().unwrap_or("-"),
        c["currentCompany"].as_str().unwrap_or("-"),
        text(&c["member"])
    );
    for a in c["applications"].as_array().into_iter().flatten() {
        let _ = writeln!(
            r,
            "      application {} on {} (source {}, contract {})",
            text(&a["applicationId"]),
            text(&a["jobId"]),
            text(&a["source"]),
            text(&a["contractId"])
        );
        for act in a["activity"].as_array().into_iter().flatten() {
            let what = match act["kind"].as_str() {
                Some("inmail") => format!(
                    "InMail {} \"{}\"",
                    text(&act["direction"]).to_lowercase(),
                    text(&act["subject"])
                ),
                _ => format!("note \"{}\"", text(&act["text"])),
            };
            let _ = writeln!(
                r,
                "          {} {what} by {}",
                text(&act["at"]),
                text(&act["seat"])
            );
        }
    }
    let list = |v: &Value, field: Option<&str>| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| match field {
                Some(f) => x[f].as_str(),
                None => x.as_str(),
            })
            .map(str::to_owned)
            .collect()
    };
    let (emails, phones) = (
        list(&c["contactInfo"]["emails"], None),
        list(&c["contactInfo"]["phones"], Some("number")),
    );
    if !emails.is_empty() || !phones.is_empty() {
        let _ = writeln!(
            r,
            "      shared contact info: {} / {}",
            emails.join(", "),
            phones.join(", ")
        );
    }
}
