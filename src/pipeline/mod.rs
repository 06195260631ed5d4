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
use crate::workspace::{RawSwap, Workspace};
use anyhow::Result;
use serde::Serialize;
use std::path::PathBuf;

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
    /// Compute `proxy_edge` and `proxy_ingest_summary` on the cluster ([`crate::cluster`]); `raw` must be empty.
    pub on_cluster: bool,
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
    /// What ran on the cluster (a run `--on-cluster`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<crate::cluster::Report>,
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
        if let Some(c) = &self.cluster {
            s.push_str(&format!(
                "  on the cluster ({} through {}): {} bytes up, {} bytes down;",
                c.engine, c.client, c.uploaded_bytes, c.downloaded_bytes
            ));
            for (step, secs) in &c.steps {
                s.push_str(&format!(" {step} {secs:.1} s,"));
            }
            s.pop();
            s.push('\n');
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

/// Run the pipeline for one day: the stages of `src/lib.rs`, in order.
pub fn run(ws: &Workspace, cfg: &Config, opts: &RunOptions) -> Result<Summary> {
    let day = opts.day;
    let mut summary = Summary { date: day.compact(), workspace: ws.root().to_path_buf(), ..Default::default() };
    summary.outputs.extend(ws.prepare_day(day)?);
    let data_dir = ws.data_dir(day);

    // Inputs: the results file copied fresh into the day's folder; the raw day's files (fetched where remote).
    let inputs = inputs::gather(cfg, day, &data_dir, opts.results.as_deref(), &opts.raw, !opts.on_cluster)?;
    if let Some(fetch) = inputs.fetch.clone() {
        summary.push(fetch);
    }

    // A run on the cluster: its settings checked before anything is enriched; its plan.
    let cluster = if opts.on_cluster {
        let work = crate::cluster::work_dir(ws)?;
        let plan = crate::cluster::plan(cfg, day, &crate::cluster::script_path(work.path()))?;
        crate::cluster::check(cfg)?;
        Some((work, plan))
    } else {
        None
    };

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
    summary.push(enrich::allow::apply(&conn, &cache.allow_lists()?)?);
    summary.warnings.extend(crate::enrich::cache::stale(&cache, cfg.reputation.max_age_days)?);
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
    let results_input = tables::Input {
        role: "results",
        path: &inputs.results_source,
        bytes: inputs.results_bytes,
        sha256: &inputs.results_sha256,
    };
    if let Some((work, plan)) = &cluster {
        // The raw day stays on the cluster: proxy_scores goes up, proxy_edge and the summary come back.
        tables::clear_day(&tx, day)?;
        summary.push(tables::proxy_scores(&tx, day)?);
        let out = crate::cluster::run(&tx, cfg, day, plan, work.path(), new_raw.dir())?;
        for st in out.stages {
            summary.push(st);
        }
        summary.warnings.extend(out.warnings);
        summary.cluster = Some(out.report);
        tables::proxy_oa_inputs(&tx, day, results_input, &[])?;
        new_raw.swap()?;
    } else {
        let (mut raw_stage, raw_files) =
            raw::load_day(&tx, day, &cfg.raw, &inputs.raw_files, new_raw.dir(), data_dir.join("raw.rejected.tsv"))?;
        if inputs.raw_is_the_days_own {
            raw_stage.note = format!(
                "no raw input given: using the {} raw rows of this day already in the store ({})",
                raw_stage.matched,
                ws.raw_dir(day).display()
            );
        }
        summary.push(raw_stage);
        summary.raw_files = raw_files;
        let day_raw = if inputs.raw_files.is_empty() { ws.raw_dir(day) } else { new_raw.dir().to_path_buf() };
        store::point_raw(&tx, ws, &crate::workspace::parquet_files(&day_raw)?)?;
        tables::clear_day(&tx, day)?;
        summary.push(tables::proxy_scores(&tx, day)?);
        summary.push(tables::proxy_edge(&tx, day)?);
        summary.push(tables::proxy_ingest_summary(&tx, day)?);
        tables::proxy_oa_inputs(&tx, day, results_input, &summary.raw_files)?;
        if !inputs.raw_files.is_empty() {
            new_raw.swap()?;
        }
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
