//! A moto_server child process: DynamoDB, SQS and Secrets Manager on a free local port.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::template::Error;

/// The running server. Dropping it stops moto; so does the end of this process, because moto
/// exits when its standard input closes.
pub struct Moto {
    pub endpoint: String,
    _stdin: ChildStdin,
    child: Child,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The repository root (this crate lives in infra/local-stack).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Python that has moto: `MOTO_PYTHON`, else the project's `.venv`, else `python3`.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("MOTO_PYTHON").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let venv = repo_root().join(".venv/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

impl Moto {
    /// Starts moto on `port` (0 = any free port) and waits until it listens.
    pub fn start(port: u16) -> Result<Self, Error> {
        let script = repo_root().join("infra/moto/run_moto.py");
        let python = python();
        let mut child = Command::new(&python)
            .arg(&script)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start moto with {}: {e} (run `make venv` first)",
                    python.display()
                )
            })?;
        let stdout = child.stdout.take().ok_or("moto has no stdout")?;
        let stdin = child.stdin.take().ok_or("moto has no stdin")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .map_err(|_| "moto did not start within 60 s")?;
        let endpoint = line
            .trim()
            .strip_prefix("moto listening on ")
            .ok_or("moto exited before listening (is moto[server] installed? run `make venv`)")?
            .to_owned();
        Ok(Self {
            endpoint,
            _stdin: stdin,
            child,
        })
    }
}
