//! What every stage of `run` returns: its own counts, time and peak memory ([`Stage`]), measured by a [`Meter`].

use serde::Serialize;
use std::time::Instant;

/// Counts of one stage. What `matched` and `unmatched` mean is the stage's own (its `note` says so where it is
/// not obvious); `rows_in` is what the stage was given.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stage {
    pub stage: &'static str,
    pub rows_in: u64,
    pub matched: u64,
    pub unmatched: u64,
    pub rejected: u64,
    pub seconds: f64,
    /// Peak resident memory during the stage (MiB), where the platform tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_rss_mib: Option<u64>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// What the user should know about (the run summary lists them after the stages).
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// Files the stage wrote (quarantines, manifests).
    #[serde(skip)]
    pub outputs: Vec<std::path::PathBuf>,
}

impl Stage {
    /// A stage with no counts yet.
    pub fn new(stage: &'static str) -> Stage {
        Stage { stage, ..Default::default() }
    }
}

/// Time and peak-memory bookkeeping of one stage (Linux: VmHWM, reset through clear_refs).
pub struct Meter {
    t: Instant,
}

impl Meter {
    /// Start measuring (and reset the process's peak RSS where the platform allows).
    pub fn start() -> Self {
        // Writing 5 to clear_refs resets the peak RSS of the process (Linux ≥ 4.0); elsewhere this is a no-op.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        Meter { t: Instant::now() }
    }

    /// `stage` with the time and peak memory since [`Meter::start`].
    pub fn finish(self, mut stage: Stage) -> Stage {
        stage.seconds = self.t.elapsed().as_secs_f64();
        stage.peak_rss_mib = peak_rss_mib();
        stage
    }
}

/// The process's peak resident memory (MiB) since the last reset, on Linux.
pub fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
