//! The short scenario `make dev` plays: a customer with two contracts (one active, one expired)
//! and two jobs; recruiters export profiles (one person twice, to two jobs), LinkedIn delivers one
//! notification twice, and two exports cannot be imported (expired contract, unknown job).
//! It drives the stack from outside, through the HTTP API and the simulator, as a user would.

use std::fmt::Write;

use linkedin_sim::{App, ExportSpec, Sim};
use serde_json::{Value, json};

use crate::{Error, Stack};

pub const TENANT: &str = "acme";
pub const CLIENT_ID: &str = "acme-rsc-client";
/// Secrets may hold `/ = +`: the scenario's does, so the form encoding is exercised.
pub const CLIENT_SECRET: &str = "s3cr/et+=acme";
pub const ACTIVE_CONTRACT: &str = "501";
pub const EXPIRED_CONTRACT: &str = "502";

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
        "currentCompany": company, "headline": "Engineer", "emailAddress": format!("{first}@example.com").to_lowercase(),
        "positions": [{"title": "Engineer", "companyName": company}], "educations": [{"schoolName": "Somewhere"}]
    })
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> Result<Value, Error> {
    let mut req = http.request(method.clone(), &url);
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

pub async fn play(stack: &Stack, sim: &Sim) -> Result<Outcome, Error> {
    let http = reqwest::Client::new();
    let api = &stack.api_url;
    let put = reqwest::Method::PUT;
    call(
        &http,
        put.clone(),
        format!("{api}/tenants/{TENANT}"),
        Some(json!({
            "name": "Acme Corp", "organization": "urn:li:organization:1001",
            "linkedin": {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}
        })),
    )
    .await?;
    let in_a_year =
        shared::clock::to_rfc3339(chrono::Utc::now().timestamp_millis() + 365 * 86_400_000);
    let yesterday = shared::clock::to_rfc3339(chrono::Utc::now().timestamp_millis() - 86_400_000);
    call(
        &http,
        put.clone(),
        format!("{api}/tenants/{TENANT}/contracts/{ACTIVE_CONTRACT}"),
        Some(json!({"expiresAt": in_a_year})),
    )
    .await?;
    call(
        &http,
        put.clone(),
        format!("{api}/tenants/{TENANT}/contracts/{EXPIRED_CONTRACT}"),
        Some(json!({"expiresAt": yesterday})),
    )
    .await?;
    for (id, title) in [
        ("job-eng", "Backend Engineer"),
        ("job-pm", "Product Manager"),
    ] {
        call(
            &http,
            put.clone(),
            format!("{api}/tenants/{TENANT}/jobs/{id}"),
            Some(json!({
                "title": title, "description": "", "location": "Berlin, DE", "state": "OPEN"
            })),
        )
        .await?;
    }

    sim.register_app(App {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        organization: "urn:li:organization:1001".into(),
        callback_url: Some(format!("{api}/linkedin/{TENANT}/events")),
    });
    let validated = sim.validate_callback(CLIENT_ID).await?;

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
        pushes.push(
            sim.export(ExportSpec {
                client_id: CLIENT_ID.into(),
                request_id: None,
                contract: format!("urn:li:contract:{contract}"),
                exporter: "urn:li:seat:9001".into(),
                ats_job_posting_id: job.into(),
                candidate: who.clone(),
            })
            .await?,
        );
    }
    // LinkedIn delivers at least once: the first notification arrives a second time.
    let duplicate = sim.resend(&pushes[0].notification_id).await?;
    stack.settle().await?;

    let candidates = call(
        &http,
        reqwest::Method::GET,
        format!("{api}/tenants/{TENANT}/candidates"),
        None,
    )
    .await?;
    let mut detailed = Vec::new();
    for c in candidates["items"].as_array().cloned().unwrap_or_default() {
        let id = c["candidateId"].as_str().unwrap_or_default();
        detailed.push(
            call(
                &http,
                reqwest::Method::GET,
                format!("{api}/tenants/{TENANT}/candidates/{id}"),
                None,
            )
            .await?,
        );
    }
    let export_list = call(
        &http,
        reqwest::Method::GET,
        format!("{api}/tenants/{TENANT}/exports"),
        None,
    )
    .await?;
    let export_items = export_list["items"].as_array().cloned().unwrap_or_default();

    let mut r = String::new();
    let _ = writeln!(r, "Callback URL validated by LinkedIn: {validated}");
    let statuses: Vec<String> = pushes
        .iter()
        .map(|p| p.status.map_or("-".into(), |s| s.to_string()))
        .collect();
    let _ = writeln!(
        r,
        "Notifications pushed: {} (webhook answered {}), duplicate delivery answered {}",
        pushes.len(),
        statuses.join(", "),
        duplicate.status.map_or("-".into(), |s| s.to_string())
    );
    let _ = writeln!(r, "\nCandidates imported: {}", detailed.len());
    for c in &detailed {
        let _ = writeln!(
            r,
            "  {} {} ({}; {}), {}",
            c["firstName"].as_str().unwrap_or(""),
            c["lastName"].as_str().unwrap_or(""),
            c["location"].as_str().unwrap_or("-"),
            c["currentCompany"].as_str().unwrap_or("-"),
            c["member"].as_str().unwrap_or("")
        );
        for a in c["applications"].as_array().into_iter().flatten() {
            let _ = writeln!(
                r,
                "      application {} on {} (source {}, contract {})",
                a["applicationId"].as_str().unwrap_or(""),
                a["jobId"].as_str().unwrap_or(""),
                a["source"].as_str().unwrap_or(""),
                a["contractId"].as_str().unwrap_or("")
            );
        }
    }
    let _ = writeln!(r, "\nExports recorded: {}", export_items.len());
    for e in &export_items {
        let _ = writeln!(
            r,
            "  {} {:<8} job {:<18} contract {} {}",
            e["requestId"].as_str().unwrap_or(""),
            e["status"].as_str().unwrap_or(""),
            e["jobId"].as_str().unwrap_or(""),
            e["contractId"].as_str().unwrap_or(""),
            e["reason"]
                .as_str()
                .map(|s| format!("({s})"))
                .unwrap_or_default()
        );
    }
    let fetches = sim
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/exportedCandidates"))
        .count();
    let _ = writeln!(
        r,
        "\nLinkedIn calls: {} exportedCandidates for {} distinct exports",
        fetches,
        pushes.len()
    );
    Ok(Outcome {
        report: r,
        candidates: detailed,
        exports: export_items,
    })
}
