//! The page case of `proxy-oa bench`: the day's report written, then opened in headless Chromium.

use crate::config::Config;
use crate::day::Day;
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The report bench: the time to write the page and, in headless Chromium, the time from navigation to the
/// page's first full render (`data-ready-ms`, measured by the page itself with `performance.now()`).
#[derive(Debug, Serialize)]
pub struct PageCase {
    pub write_seconds: f64,
    pub bytes: u64,
    pub suspicious_rows: usize,
    pub edge_rows: usize,
    pub browser: Option<String>,
    pub open_ms: Option<Vec<u64>>,
}

pub(super) fn page_case(cfg: &Config, ws_root: &Path, day: Day) -> Result<PageCase> {
    let ws = Workspace::new(ws_root)?;
    let t = Instant::now();
    let r = crate::report::write_day(&ws, cfg, day, &Default::default())?;
    let write_seconds = t.elapsed().as_secs_f64();
    let chromium = std::env::var_os("PROXY_OA_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.exists()));
    let mut open_ms = None;
    if let Some(c) = &chromium {
        let mut all = vec![];
        for _ in 0..3 {
            all.push(open_in_chromium(c, &r.path)?);
        }
        open_ms = Some(all);
    }
    Ok(PageCase {
        write_seconds,
        bytes: r.bytes,
        suspicious_rows: r.suspicious_rows,
        edge_rows: r.edge_rows,
        browser: chromium.map(|c| c.display().to_string()),
        open_ms,
    })
}

/// Open `page` in headless Chromium (`--dump-dom`, which returns once the page has loaded) and read the page's
/// own `data-ready-ms`.
fn open_in_chromium(chromium: &Path, page: &Path) -> Result<u64> {
    let profile = tempfile::tempdir()?;
    let url = url::Url::from_file_path(std::path::absolute(page)?)
        .map_err(|_| anyhow::anyhow!("{}: not a file path", page.display()))?;
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url.as_str())
        .output()
        .with_context(|| format!("running {}", chromium.display()))?;
    let dom = String::from_utf8_lossy(&out.stdout);
    let key = "data-ready-ms=\"";
    let at = dom.find(key).ok_or_else(|| {
        anyhow::anyhow!("{} did not render {} (no data-ready-ms in its DOM)", chromium.display(), page.display())
    })?;
    let digits: String = dom[at + key.len()..].chars().take_while(char::is_ascii_digit).collect();
    Ok(digits.parse()?)
}
