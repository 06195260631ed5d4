//! `run`: from the ML results file (and the raw day) to `proxy_scores`, `proxy_edge` and `proxy_ingest_summary`.
//!
//! [`run`] is the list of stages of `src/lib.rs`, in that order; each stage is one unit that returns its own
//! counts ([`Stage`]). The stages up to the hash work on the staged results rows (a temporary table); from the
//! severity on, everything happens in one transaction that first clears the day, so a run that fails leaves the
//! previous run's tables as they were. Analyst work (`proxy_threat_investigation`, `proxy_storyboard`,
//! `proxy_timeline`, the feedback and incident-progression files) is never touched, unless `--reset` asks for it
//! in the same transaction; `proxy_scores.uri_sev` takes the day's scores from `proxy_threat_investigation`.

pub mod inputs;
pub mod results;
pub mod tables;

use crate::analyst;
use crate::config::Config;
use crate::day::Day;
use crate::enrich::cache::Cache;
use crate::enrich::{self, reputation::Reputation};
use crate::error::Error;
use crate::input::raw::{self, FileStats};
use crate::schema;
use crate::stage::Stage;
use crate::store;
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::PathBuf;

pub use tables::EDGE_ROWS;

/// What one run is asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub day: Day,
    /// The ML results file: a local path, `webhdfs://`/`swebhdfs://` or `hdfs://` address; `None`: the copy in
    /// the day's data folder (fetched by `fetch` or put there by hand).
    pub results: Option<String>,
    /// Raw-day sources (local, `webhdfs://`, `hdfs://`); empty: the config's, else the day's fetched `raw/`
    /// folder, else the raw day already in the store.
    pub raw: Vec<String>,
    /// Rows to keep; `None`: the config's.
    pub limit: Option<usize>,
    /// Fail (exit 1) on any rejected results row.
    pub strict: bool,
    /// Ask no online reputation service.
    pub offline: bool,
    /// Reset the day's scored connections (analyst work) in the same transaction first.
    pub reset: bool,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub date: String,
    pub workspace: PathBuf,
    pub stages: Vec<Stage>,
    pub raw_files: Vec<FileStats>,
    pub tables: Vec<(String, i64)>,
    pub outputs: Vec<PathBuf>,
    pub warnings: Vec<String>,
}

impl Summary {
    /// Record a stage, with its warnings and outputs.
    pub fn push(&mut self, mut stage: Stage) {
        log::info!(
            "stage {}: {} in, {} matched, {} unmatched, {} rejected, {:.2} s",
            stage.stage,
            stage.rows_in,
            stage.matched,
            stage.unmatched,
            stage.rejected,
            stage.seconds
        );
        self.warnings.append(&mut stage.warnings);
        self.outputs.append(&mut stage.outputs);
        self.stages.push(stage);
    }

    /// Human-readable summary for stdout.
    pub fn to_text(&self) -> String {
        let mut s = format!("proxy-oa run {} in {}\n", self.date, self.workspace.display());
        s.push_str(&format!(
            "  {:<20} {:>10} {:>10} {:>10} {:>9} {:>8}\n",
            "stage", "rows in", "matched", "unmatched", "rejected", "seconds"
        ));
        for st in &self.stages {
            s.push_str(&format!(
                "  {:<20} {:>10} {:>10} {:>10} {:>9} {:>8.2}",
                st.stage, st.rows_in, st.matched, st.unmatched, st.rejected, st.seconds
            ));
            if let Some(m) = st.peak_rss_mib {
                s.push_str(&format!("  peak {m} MiB"));
            }
            if !st.note.is_empty() {
                s.push_str(&format!("  {}", st.note));
            }
            s.push('\n');
        }
        for f in &self.raw_files {
            s.push_str(&format!(
                "  raw {} ({}{}): {} rows of the day, {} of other days, {} rejected\n",
                f.path.display(),
                f.format.name(),
                if f.gzip { ", gzip" } else { "" },
                f.rows,
                f.other_date,
                f.rejected
            ));
        }
        s.push_str("  tables:");
        for (t, n) in &self.tables {
            s.push_str(&format!(" {t} {n}"));
        }
        s.push('\n');
        for o in &self.outputs {
            s.push_str(&format!("  wrote {}\n", o.display()));
        }
        for w in &self.warnings {
            s.push_str(&format!("  warning: {w}\n"));
        }
        s
    }
}

/// The raw day's folder swap: the new day is written to `raw.new-<pid>/` beside `raw/`; [`RawSwap::swap`] moves
/// `raw/` to `raw.old-<pid>/` and the new folder into its place just before the tables are committed, and
/// [`RawSwap::finish`] removes the old one once they are. Dropped before the swap, it removes the new folder;
/// dropped after it without `finish` (the commit failed), it puts the old folder back.
struct RawSwap {
    raw: PathBuf,
    new: PathBuf,
    old: Option<PathBuf>,
    swapped: bool,
}

impl RawSwap {
    /// A fresh folder for the new raw day of `day` (left-overs of a killed run are removed first).
    fn new(ws: &Workspace, day: Day) -> Result<RawSwap> {
        let dir = ws.data_dir(day);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with("raw.new-") {
                    std::fs::remove_dir_all(e.path()).with_context(|| format!("removing {}", e.path().display()))?;
                }
            }
        }
        let new = dir.join(format!("raw.new-{}", std::process::id()));
        Ok(RawSwap { raw: ws.raw_dir(day), new, old: None, swapped: false })
    }

    /// Put the new raw day in place of the old one.
    fn swap(&mut self) -> Result<()> {
        std::fs::create_dir_all(&self.new).with_context(|| format!("creating {}", self.new.display()))?;
        if self.raw.exists() {
            let old = self.raw.with_file_name(format!("raw.old-{}", std::process::id()));
            std::fs::rename(&self.raw, &old).with_context(|| format!("moving {} aside", self.raw.display()))?;
            self.old = Some(old);
        }
        std::fs::rename(&self.new, &self.raw).with_context(|| format!("moving {} into place", self.new.display()))?;
        self.swapped = true;
        Ok(())
    }

    /// The commit went through: the old raw day goes.
    fn finish(mut self) {
        if let Some(old) = self.old.take() {
            if let Err(e) = std::fs::remove_dir_all(&old) {
                log::warn!("could not remove the previous raw day {}: {e}", old.display());
            }
        }
        self.swapped = false;
        self.new = PathBuf::new();
    }
}

impl Drop for RawSwap {
    fn drop(&mut self) {
        if self.new.as_os_str().is_empty() {
            return;
        }
        if !self.swapped {
            // The run failed before the swap: the new day goes, the old one was never touched.
            let _ = std::fs::remove_dir_all(&self.new);
            return;
        }
        // The commit failed: the new day goes and the old one back into place.
        let _ = std::fs::remove_dir_all(&self.raw);
        if let Some(old) = &self.old {
            if let Err(e) = std::fs::rename(old, &self.raw) {
                log::error!("could not put the previous raw day back from {}: {e}", old.display());
            }
        }
    }
}

/// Run the pipeline for one day: the stages of `src/lib.rs`, in order.
pub fn run(ws: &Workspace, cfg: &Config, opts: &RunOptions) -> Result<Summary> {
    let day = opts.day;
    let mut summary = Summary { date: day.compact(), workspace: ws.root().to_path_buf(), ..Default::default() };
    summary.outputs.extend(ws.prepare_day(day)?);
    let data_dir = ws.data_dir(day);

    // Inputs: the results file copied fresh into the day's folder; the raw day's files (fetched where remote).
    let inputs = inputs::gather(cfg, day, &data_dir, opts.results.as_deref(), &opts.raw)?;
    if let Some(fetch) = inputs.fetch.clone() {
        summary.push(fetch);
    }

    // Reference data.
    let mut cache = Cache::open(&ws.cache_path())?;
    cache.ensure_iana(cfg.iana_path().as_deref())?;
    cache.ensure_nc(cfg.network_context_path().as_deref())?;
    let iana = cache.iana()?;
    let nc = cache.network_context()?;
    let reputation = Reputation::from_config(&cfg.reputation, opts.offline)?;
    let mut conn = store::open(ws, &cfg.store)?;

    // The results rows, staged and enriched.
    let limit = opts.limit.unwrap_or(cfg.pipeline.limit);
    let rejects = data_dir.join("proxy_results.rejected.tsv");
    summary.push(results::stage(&conn, &inputs.results, &cfg.proxy_conf()?, limit, &rejects, opts.strict)?);
    summary.push(reputation.apply(&conn, &mut cache)?);
    summary.push(enrich::iana::apply(&conn, &iana)?);
    summary.push(enrich::network_context::apply(&conn, &nc)?);
    summary.push(enrich::hash::apply(&conn)?);

    // The day's tables, in one transaction; the new raw day is written beside the old one and swapped in when the
    // tables are committed. With --reset, the day's analyst files go aside now and come back if anything below
    // fails.
    let aside = if opts.reset { Some(analyst::FilesAside::stage(ws, day)?) } else { None };
    let tx = conn.transaction()?;
    let reset = if opts.reset { Some(analyst::reset_tables(&tx, day)?) } else { None };
    summary.push(enrich::severity::apply(&tx, day)?);
    let mut new_raw = RawSwap::new(ws, day)?;
    let (mut raw_stage, raw_files) =
        raw::load_day(&tx, day, &inputs.raw_files, &new_raw.new, data_dir.join("raw.rejected.tsv"))?;
    if inputs.raw_is_the_days_own {
        raw_stage.note = format!(
            "no raw input given: using the {} raw rows of this day already in the store ({})",
            raw_stage.matched,
            ws.raw_dir(day).display()
        );
    }
    summary.push(raw_stage);
    summary.raw_files = raw_files;
    let day_raw = if inputs.raw_files.is_empty() { ws.raw_dir(day) } else { new_raw.new.clone() };
    store::point_raw(&tx, ws, &crate::workspace::parquet_files(&day_raw)?)?;
    tables::clear_day(&tx, day)?;
    summary.push(tables::proxy_scores(&tx, day)?);
    summary.push(tables::proxy_edge(&tx, day)?);
    summary.push(tables::proxy_ingest_summary(&tx, day)?);
    let results_input = tables::Input {
        role: "results",
        path: &inputs.results_source,
        bytes: inputs.results_bytes,
        sha256: &inputs.results_sha256,
    };
    tables::proxy_oa_inputs(&tx, day, results_input, &summary.raw_files)?;
    if !inputs.raw_files.is_empty() {
        new_raw.swap()?;
    }
    tx.commit().map_err(|e| Error::Load(format!("committing the day {}: {e}", day.compact())))?;
    new_raw.finish();
    store::point_raw_at_day(&conn, ws, day)?;

    if let (Some(aside), Some(c)) = (aside, reset) {
        let files = aside.discard();
        summary.push(Stage {
            rows_in: c.threat_investigation,
            note: format!(
                "--reset: {} scored URIs, {} storyboards, {} timeline rows and {} files removed",
                c.threat_investigation,
                c.storyboard,
                c.timeline,
                files.len()
            ),
            ..Stage::new("reset")
        });
    }
    for t in schema::TABLES {
        summary.tables.push((t.name.to_string(), store::count(&conn, t, day)?));
    }
    Ok(summary)
}
