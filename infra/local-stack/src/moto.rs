//! A moto_server child process: DynamoDB, SQS and Secrets Manager on a free local port.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

use crate::template::Error;

pub struct Moto {
    pub endpoint: String,
    // Closing its stdin stops moto; killing it on drop covers the rest.
    _stdin: ChildStdin,
    _child: Child,
}

/// The repository root (this crate lives in infra/local-stack).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python that has moto: `MOTO_PYTHON`, else the project's `.venv`, else `python3`.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("MOTO_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo_root().join(".venv/bin/python");
    if venv.exists() { venv } else { PathBuf::from("python3") }
}

impl Moto {
    /// Starts moto on `port` (0 = any free port) and waits until it listens.
    pub async fn start(port: u16) -> Result<Self, Error> {
        let script = repo_root().join("infra/moto/run_moto.py");
        let python = python();
        let mut child = Command::new(&python)
            .arg(&script)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start moto with {}: {e} (run `make venv` first)", python.display()))?;
        let stdout = child.stdout.take().ok_or("moto has no stdout")?;
        let stdin = child.stdin.take().ok_or("moto has no stdin")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
            .await
            .map_err(|_| "moto did not start within 60 s")??
            .ok_or("moto exited before listening (is moto[server] installed? run `make venv`)")?;
        let endpoint = line
            .strip_prefix("moto listening on ")
            .ok_or_else(|| format!("unexpected moto output: {line}"))?
            .to_owned();
        Ok(Self { endpoint, _stdin: stdin, _child: child })
    }
}
