//! `local-stack up` keeps the local stack running; `local-stack dev` also plays the scenario.
//!
//! Environment: `DEV_API_PORT` (3000), `DEV_SIM_PORT` (3100), `STACK_NAME` (rsc-local),
//! `LINKEDIN_API_URL` + `LINKEDIN_AUTH_URL` (use that LinkedIn instead of the simulator),
//! `AWS_ENDPOINT_URL` (use that moto instead of starting one), `DEV_EXIT=1` (dev: exit after the
//! scenario instead of staying up), `RUST_LOG` (warn; logs go to stderr), `DEV_METRICS=stdout`
//! (print the functions' CloudWatch metric lines instead of writing them to
//! target/dev-metrics.jsonl).

use std::net::SocketAddr;

use linkedin_sim::{Sim, SimConfig};
use local_stack::metrics_file::MetricsFile;
use local_stack::{Error, Stack, StackOptions, moto::Moto, scenario};
use shared::clock::OffsetClock;

fn port(name: &str, default: u16) -> Result<u16, Error> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v
            .parse()
            .map_err(|_| format!("{name} must be a port number, got {v:?}").into()),
        _ => Ok(default),
    }
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("local-stack: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Error> {
    // The functions' JSON logs go to stderr so the report on stdout stays readable;
    // RUST_LOG=info shows every invocation.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let mode = std::env::args().nth(1).unwrap_or_else(|| "up".into());
    if mode != "up" && mode != "dev" {
        return Err(format!("usage: local-stack [up|dev], got {mode:?}").into());
    }
    // The functions' metric lines (one JSON document per event) would bury the report.
    let metrics = match std::env::var("DEV_METRICS") {
        Ok(v) if v == "stdout" => None,
        _ => {
            let root = local_stack::moto::repo_root();
            let root = root.canonicalize().unwrap_or(root);
            Some(MetricsFile::install(root.join("target/dev-metrics.jsonl"))?)
        }
    };
    let api_port = port("DEV_API_PORT", 3000)?;
    let sim_port = port("DEV_SIM_PORT", 3100)?;
    let stack_name = std::env::var("STACK_NAME").unwrap_or_else(|_| "rsc-local".into());

    let (moto, aws_endpoint) = match std::env::var("AWS_ENDPOINT_URL") {
        Ok(url) if !url.is_empty() => (None, url),
        _ => {
            let m = Moto::start(0)?;
            let url = m.endpoint.clone();
            (Some(m), url)
        }
    };
    let external = (
        std::env::var("LINKEDIN_API_URL").ok(),
        std::env::var("LINKEDIN_AUTH_URL").ok(),
    );
    let (sim, api_url, auth_url) = match external {
        (Some(api), Some(auth)) if !api.is_empty() && !auth.is_empty() => (None, api, auth),
        _ => {
            let sim = Sim::start(
                SocketAddr::from(([127, 0, 0, 1], sim_port)),
                SimConfig::default(),
            )
            .await
            .map_err(|e| {
                format!(
                    "cannot start the LinkedIn simulator on port {sim_port}: {e} (set DEV_SIM_PORT)"
                )
            })?;
            let (api, auth) = (sim.api_url(), sim.auth_url());
            (Some(sim), api, auth)
        }
    };
    let mut opts = StackOptions::new(&stack_name, &aws_endpoint, &api_url, &auth_url);
    // `dev` lets simulated hours pass in a second; `up` keeps to the wall clock.
    let clock = OffsetClock::default();
    if mode == "dev" {
        opts.clock = std::sync::Arc::new(clock.clone());
    }
    opts.api_addr = SocketAddr::from(([127, 0, 0, 1], api_port));
    // Admin routes need this token locally (IAM in AWS); a fresh one unless ADMIN_TOKEN is set.
    if let Ok(token) = std::env::var("ADMIN_TOKEN")
        && !token.trim().is_empty()
    {
        opts.admin_token = token.trim().to_owned();
    }
    let stack = Stack::start(opts)
        .await
        .map_err(|e| format!("{e} (set DEV_API_PORT to use another port)"))?;

    println!("Local stack is up.");
    println!("  API (webhook + admin):  {}", stack.api_url);
    println!(
        "  Admin token:            {} (send Authorization: Bearer <token>; set ADMIN_TOKEN to choose it)",
        stack.admin_token
    );
    println!(
        "  Webhook per customer:   {}/linkedin/{{tenantId}}/events",
        stack.api_url
    );
    println!(
        "  Admin API:              {}/tenants/{{tenantId}}",
        stack.api_url
    );
    println!(
        "  Fire a schedule:        curl -X POST -H \"Authorization: Bearer <token>\" {}/_local/schedules/{{FunctionLogicalId}}",
        stack.api_url
    );
    println!(
        "  AWS (moto):             {aws_endpoint}{}",
        if moto.is_some() { "" } else { " (external)" }
    );
    match &sim {
        Some(s) => println!(
            "  LinkedIn simulator:     {} (API {}, OAuth {}, control {}/_sim)",
            s.base_url(),
            s.api_url(),
            s.auth_url(),
            s.base_url()
        ),
        None => println!("  LinkedIn:               API {api_url}, OAuth {auth_url} (external)"),
    }
    println!("  Table:                  {}", stack.table_name());
    for (logical, url) in &stack.resources.queue_urls {
        println!("  Queue {logical:<18} {url}");
    }
    if let Some(m) = &metrics {
        println!(
            "  Metrics (CloudWatch EMF): {} (DEV_METRICS=stdout prints them)",
            m.path().display()
        );
    }

    if mode == "dev" {
        let Some(sim) = &sim else {
            return Err(
                "the dev scenario needs the simulator; use `make up` with an external LinkedIn"
                    .into(),
            );
        };
        // An ATS's subscriber: a rule on the stack's bus and a queue, as docs/events.md shows.
        let demo = stack
            .subscribe(
                "demo-subscriber",
                &serde_json::json!({ "source": [shared::events::SOURCE] }),
            )
            .await?;
        println!("\nPlaying the scenario…");
        let started = std::time::Instant::now();
        let let_time_pass = |ms| clock.advance(ms);
        let outcome = tokio::select! {
            o = scenario::play(&stack, sim, &let_time_pass) => o?,
            _ = tokio::signal::ctrl_c() => { println!("\nStopped."); return Ok(()); }
        };
        println!("{}", outcome.report);
        stack.settle().await?;
        let received = demo.take().await?;
        println!(
            "\nEvents a demo subscriber of the bus received ({}; docs/events.md):",
            received.len()
        );
        for d in &received {
            println!("  {}", local_stack::subscriber::one_line(&d.event));
        }
        if let Some(m) = &metrics {
            println!("Metrics: {} lines in {}.", m.lines(), m.path().display());
        }
        println!(
            "Scenario finished in {:.1} s.",
            started.elapsed().as_secs_f64()
        );
        println!(
            "\nIntegration page (sign in by pasting the admin token above into the form):\n  {}",
            stack.page_login_url(scenario::TENANT)
        );
        if std::env::var("DEV_EXIT").is_ok_and(|v| v == "1") {
            return Ok(());
        }
    } else {
        println!(
            "  Integration page:       {} (for tenant {{tenantId}}; paste the admin token into the form)",
            stack.page_login_url("{tenantId}")
        );
    }
    println!("\nPress Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    println!("Stopped.");
    drop(stack);
    drop(moto);
    Ok(())
}
