//! Where `local-stack up` and `dev` put the functions' metric lines: a file, so that the report on
//! stdout tells its story. In AWS the lines go to stdout, where CloudWatch reads them.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::template::Error;

/// The file metric lines are written to, and how many have been.
pub struct MetricsFile {
    path: PathBuf,
    lines: Arc<AtomicUsize>,
}

impl MetricsFile {
    /// Empties `path` and sends every later metric line of this process to it, one per line.
    pub fn install(path: PathBuf) -> Result<Self, Error> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = Mutex::new(
            File::create(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        );
        let lines = Arc::new(AtomicUsize::new(0));
        let written = lines.clone();
        shared::metrics::set_sink(move |line| {
            let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
            if writeln!(file, "{line}").is_ok() {
                written.fetch_add(1, Ordering::Relaxed);
            }
        });
        Ok(Self { path, lines })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lines written so far.
    pub fn lines(&self) -> usize {
        self.lines.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_lines_go_to_the_file() {
        let path = std::env::temp_dir().join(format!("metrics-file-{}.jsonl", std::process::id()));
        let metrics = MetricsFile::install(path.clone()).unwrap();
        shared::metrics::count("export-import", &[], "LeadsImported", 2);
        shared::metrics::count("inmail-import", &[], "InMailsImported", 1);
        let written = std::fs::read_to_string(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        // Other tests of this process may write lines too, meanwhile.
        let lines: Vec<serde_json::Value> = written
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(lines.iter().any(|l| l["LeadsImported"] == 2.0));
        assert!(lines.iter().any(|l| l["Function"] == "inmail-import"));
        assert!(metrics.lines() >= 2);
    }
}
