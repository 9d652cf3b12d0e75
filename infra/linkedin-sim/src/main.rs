//! Standalone LinkedIn RSC simulator: `linkedin-sim --port 3100`.
//!
//! The port comes from `--port N`, else the `SIM_PORT` environment variable, else 3100
//! (0 = any free port). `--token-ttl-secs N` (or `SIM_TOKEN_TTL_SECS`) sets the token lifetime.
//! `--partner-client-id ID --partner-client-secret S` (or `SIM_PARTNER_CLIENT_ID`,
//! `SIM_PARTNER_CLIENT_SECRET`) registers the partner application that provisions customers'
//! child applications (more can be added with `POST /_sim/partners`).
//! Binds 127.0.0.1, prints one line `linkedin-sim listening on http://127.0.0.1:PORT` to stdout,
//! logs to stderr and runs until Ctrl-C (or SIGTERM).

use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};

use linkedin_sim::{Partner, Sim, SimConfig};
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: linkedin-sim [--port N] [--token-ttl-secs N] \
    [--partner-client-id ID --partner-client-secret S]\n\
    env: SIM_PORT (default 3100, 0 = any free port), SIM_TOKEN_TTL_SECS (default 1800), \
    SIM_PARTNER_CLIENT_ID, SIM_PARTNER_CLIENT_SECRET";

struct Args {
    port: u16,
    token_ttl_secs: u64,
    partner: Option<Partner>,
}

/// A flag's value, else the environment variable's (empty counts as unset).
fn or_env(flag: Option<String>, var: &str) -> Option<String> {
    flag.or_else(|| std::env::var(var).ok().filter(|s| !s.is_empty()))
}

fn parse_args() -> Result<Args, String> {
    let mut port: Option<String> = None;
    let mut ttl: Option<String> = None;
    let mut partner_id: Option<String> = None;
    let mut partner_secret: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        let slot = match name.as_str() {
            "--port" | "-p" => &mut port,
            "--token-ttl-secs" => &mut ttl,
            "--partner-client-id" => &mut partner_id,
            "--partner-client-secret" => &mut partner_secret,
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument {arg}")),
        };
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or_else(|| format!("{name} needs a value"))?,
        };
        *slot = Some(value);
    }
    let port = port
        .or_else(|| std::env::var("SIM_PORT").ok().filter(|s| !s.is_empty()))
        .map(|p| p.parse::<u16>().map_err(|e| format!("bad port {p:?}: {e}")))
        .transpose()?
        .unwrap_or(3100);
    let token_ttl_secs = ttl
        .or_else(|| {
            std::env::var("SIM_TOKEN_TTL_SECS")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .map(|t| t.parse::<u64>().map_err(|e| format!("bad ttl {t:?}: {e}")))
        .transpose()?
        .unwrap_or_else(|| SimConfig::default().token_ttl_secs);
    let partner = match (
        or_env(partner_id, "SIM_PARTNER_CLIENT_ID"),
        or_env(partner_secret, "SIM_PARTNER_CLIENT_SECRET"),
    ) {
        (Some(client_id), Some(client_secret)) => Some(Partner {
            client_id,
            client_secret,
        }),
        (None, None) => None,
        _ => return Err("a partner needs both a client id and a client secret".into()),
    };
    Ok(Args {
        port,
        token_ttl_secs,
        partner,
    })
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("linkedin-sim: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let config = SimConfig {
        token_ttl_secs: args.token_ttl_secs,
        partners: args.partner.into_iter().collect(),
        ..SimConfig::default()
    };
    let sim = match Sim::start(addr, config).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("linkedin-sim: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("linkedin-sim listening on {}", sim.base_url());
    let _ = std::io::stdout().flush();

    wait_for_stop().await;
    tracing::info!("linkedin-sim stopping");
    sim.shutdown();
}
