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
use crate::findings;
use crate::input::raw::{self, FileStats};
use crate::rank;
use crate::schema;
use crate::stage::Stage;
use crate::store;
use crate::workspace::{RawSwap, Workspace};
use anyhow::Result;
use serde::Serialize;
use std::path::{Path, PathBuf};

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

/// A run on the cluster: its scratch folder and plan.
type ClusterRun = (tempfile::TempDir, crate::cluster::Plan);

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
    let cluster: Option<ClusterRun> = if opts.on_cluster {
        let work = crate::engine::work_dir(ws)?;
        let plan = crate::cluster::plan(cfg, day, &crate::engine::script_path(work.path()))?;
        crate::cluster::check(cfg)?;
        Some((work, plan))
    } else {
        None
    };

    let mut refs = Reference::open(ws, cfg, opts.offline)?;
    let mut conn = store::open(ws, &cfg.store)?;
    // The raw day first, parsed once into a new folder beside the day's `raw/` (swapped in when the day's tables
    // are committed): the ranker reads it when the day has no results file.
    let mut new_raw = RawSwap::new(ws, day)?;
    let mut day_raw = vec![];
    if cluster.is_none() {
        let (raw_stage, raw_files, files) = load_raw(ws, cfg, &conn, day, &inputs, new_raw.dir())?;
        summary.push(raw_stage);
        summary.raw_files = raw_files;
        day_raw = files;
    }

    // The results: the given or fetched file, else the ranker's (made again when what it was made from changed).
    // A run on the cluster with no results file in the day's folder ranks the day on the cluster first.
    let (results_file, ranked) = if cluster.is_some() && inputs.results.is_none() {
        (rank_for_cluster_run(ws, cfg, day, &mut summary)?, true)
    } else {
        results_of(ws, cfg, day, &conn, &inputs, &day_raw, &mut summary)?
    };

    // The results rows, staged and enriched.
    let limit = opts.limit.unwrap_or(cfg.pipeline.limit);
    let rejects = data_dir.join("proxy_results.rejected.tsv");
    summary.push(results::stage(&conn, &results_file.path, &cfg.proxy_conf()?, limit, &rejects, opts.strict, ranked)?);
    enrich_staged(ws, cfg, &conn, &mut refs, opts, cluster.is_some(), &day_raw, &mut summary)?;

    // The day's tables, in one transaction; the new raw day is written beside the old one and swapped in when the
    // tables are committed. With --reset, the day's analyst files go aside now and come back if anything below
    // fails.
    let aside = if opts.reset { Some(analyst::FilesAside::stage(ws, day)?) } else { None };
    let tx = conn.transaction()?;
    let reset = if opts.reset { Some(analyst::reset_tables(&tx, day)?) } else { None };
    summary.push(enrich::severity::apply(&tx, day)?);
    let results_input = tables::Input {
        role: "results",
        path: &results_file.source,
        bytes: results_file.bytes,
        sha256: &results_file.sha256,
    };
    match &cluster {
        Some(c) => write_day_on_cluster(&tx, cfg, day, c, new_raw.dir(), results_input, &mut summary)?,
        None => write_day(&tx, ws, day, &day_raw, results_input, &mut summary)?,
    }
    // The raw folder the run wrote (here: from raw input given; on the cluster: the analyst's raw rows).
    if cluster.is_some() || !inputs.raw_files.is_empty() {
        new_raw.swap()?;
    }
    let t = std::time::Instant::now();
    tx.commit().map_err(|e| Error::Load(format!("committing the day {}: {e}", day.compact())))?;
    log::debug!("run: the day's tables committed in {:.2} s", t.elapsed().as_secs_f64());
    new_raw.finish();
    store::point_raw_at_day(&conn, ws, day)?;

    if let (Some(aside), Some(c)) = (aside, reset) {
        summary.push(reset_stage(&c, aside.discard().len()));
    }
    let t0 = std::time::Instant::now();
    for t in schema::TABLES {
        summary.tables.push((t.name.to_string(), store::count(&conn, t, day)?));
    }
    log::debug!("run: the day's tables counted in {:.2} s", t0.elapsed().as_secs_f64());
    Ok(summary)
}

/// A run on the cluster with no results file: the day ranked on the cluster first ([`rank::cluster`]).
fn rank_for_cluster_run(ws: &Workspace, cfg: &Config, day: Day, summary: &mut Summary) -> Result<inputs::ResultsFile> {
    let m = crate::stage::Meter::start();
    let extra = rank::extra(ws, cfg, day)?;
    let report = rank::cluster::rank_day(ws, cfg, day, &extra, None)?;
    let mut stage = report.stage();
    stage.note = format!("no results file: {} on the cluster", stage.note);
    stage.warnings.extend(report.warnings.iter().cloned());
    summary.push(m.finish(stage));
    ranked_file(&ws.data_dir(day), &report, summary)
}

/// The stages on the staged results rows, before the transaction: the findings (the behaviour detectors here
/// only: a run on the cluster keeps its raw day there), the order, reputation, known good, IANA, network context,
/// hash and the intel findings.
#[allow(clippy::too_many_arguments)]
fn enrich_staged(
    ws: &Workspace,
    cfg: &Config,
    conn: &duckdb::Connection,
    refs: &mut Reference,
    opts: &RunOptions,
    on_cluster: bool,
    day_raw: &[PathBuf],
    summary: &mut Summary,
) -> Result<()> {
    let day = opts.day;
    let limit = opts.limit.unwrap_or(cfg.pipeline.limit);
    let Reference { cache, iana, nc, reputation } = refs;
    findings::stage_table(conn)?;
    // On the cluster the detectors run there on Spark SQL (`findings::cluster`); Impala keeps spot-ml's order.
    let on_spark = on_cluster && crate::engine::dialect_of(cfg)? == crate::dialect::Dialect::Spark;
    let detect = !on_cluster || on_spark;
    // The dga detector's model of ordinary names: the ranker's top-domain list, when it is large enough.
    let names = if detect && cfg.findings.runs("dga") {
        findings::dga::Model::from_labels(&cache.topdomains()?.0)
    } else {
        None
    };
    let (sigma, left_out) =
        if detect && cfg.findings.runs("sigma") { findings::sigma::stored_rules(cache)? } else { (vec![], vec![]) };
    summary.warnings.extend(left_out);
    if !on_cluster {
        let inputs =
            findings::Inputs { ws, cfg: &cfg.findings, day, day_raw, nc, sigma: &sigma, names: names.as_ref() };
        summary.push(findings::detect(conn, &inputs)?);
    } else if on_spark {
        let inputs =
            findings::cluster::Inputs { ws, cfg, day, nc, names: names.as_ref(), sigma: &sigma, mode: cfg.rank.mode };
        summary.push(findings::cluster::detect(conn, &inputs)?);
    }
    let mode = if on_cluster && !on_spark { crate::config::RankMode::Spot } else { cfg.rank.mode };
    if mode != cfg.rank.mode {
        summary.warnings.push(
            "[rank] mode = \"evidence\": a run on Impala keeps spot-ml's order (the behaviour detectors run on the \
             cluster on Spark SQL only; only the reputation and known-good findings are made)"
                .into(),
        );
    }
    let source = if on_spark { findings::evidence::Source::Staged } else { findings::evidence::Source::Here };
    summary.push(findings::evidence::order(conn, day, mode, cfg.rank.evidence_min_score, limit, source)?);
    summary.push(reputation.apply(conn, cache)?);
    summary.push(enrich::allow::apply(conn, &cache.allow_lists()?)?);
    summary.warnings.extend(crate::enrich::cache::stale(cache, cfg.reputation.max_age_days)?);
    summary.push(enrich::iana::apply(conn, iana)?);
    summary.push(enrich::network_context::apply(conn, nc)?);
    summary.push(enrich::hash::apply(conn)?);
    summary.push(findings::intel(conn, &cfg.findings, day)?);
    Ok(())
}

/// The day's tables from the raw day here, inside the run's transaction.
fn write_day(
    tx: &duckdb::Transaction,
    ws: &Workspace,
    day: Day,
    day_raw: &[PathBuf],
    results: tables::Input,
    summary: &mut Summary,
) -> Result<()> {
    store::point_raw(tx, ws, day_raw)?;
    tables::clear_day(tx, day)?;
    summary.push(tables::proxy_scores(tx, day)?);
    summary.push(tables::proxy_edge(tx, day)?);
    summary.push(tables::proxy_ingest_summary(tx, day)?);
    summary.push(findings::write(tx, day)?);
    tables::proxy_oa_inputs(tx, day, results, &summary.raw_files)?;
    Ok(())
}

/// The day's tables with the raw day on the cluster, inside the run's transaction: proxy_scores goes up,
/// proxy_edge and the summary come back (the analyst's raw rows into `raw_dir`).
fn write_day_on_cluster(
    tx: &duckdb::Transaction,
    cfg: &Config,
    day: Day,
    (work, plan): &ClusterRun,
    raw_dir: &Path,
    results: tables::Input,
    summary: &mut Summary,
) -> Result<()> {
    tables::clear_day(tx, day)?;
    summary.push(tables::proxy_scores(tx, day)?);
    summary.push(findings::write(tx, day)?);
    let mut out = crate::cluster::compute(tx, cfg, day, plan, work.path(), raw_dir)?;
    for st in out.stages {
        summary.push(st);
    }
    summary.push(tables::edge_stage(tx, day, out.edge_rows, crate::stage::Meter::start())?);
    summary.push(tables::ingest_stage(tx, day, out.minutes, crate::stage::Meter::start())?);
    let (stage, warnings) = crate::cluster::publish(cfg, day, plan, work.path(), &mut out.report)?;
    summary.push(stage);
    summary.warnings.extend(warnings);
    summary.cluster = Some(out.report);
    tables::proxy_oa_inputs(tx, day, results, &[])?;
    Ok(())
}

/// The reference data of a run, opened (and checked) before the raw day is read.
struct Reference {
    cache: Cache,
    iana: crate::enrich::iana::Iana,
    nc: crate::enrich::network_context::NetworkContext,
    reputation: Reputation,
}

impl Reference {
    fn open(ws: &Workspace, cfg: &Config, offline: bool) -> Result<Self> {
        let mut cache = Cache::open(&ws.cache_path())?;
        cache.ensure_iana(cfg.iana_path().as_deref())?;
        cache.ensure_nc(cfg.network_context_path().as_deref())?;
        let iana = cache.iana()?;
        let nc = cache.network_context()?;
        let reputation = Reputation::from_config(&cfg.reputation, offline)?;
        Ok(Reference { cache, iana, nc, reputation })
    }
}

/// The `--reset` stage: what was removed.
fn reset_stage(c: &analyst::ResetCounts, files: usize) -> Stage {
    Stage {
        rows_in: c.threat_investigation,
        note: format!(
            "--reset: {} scored URIs, {} storyboards, {} timeline rows and {files} files removed",
            c.threat_investigation, c.storyboard, c.timeline
        ),
        ..Stage::new("reset")
    }
}

/// `proxy-oa rank`: the raw day (`raw`, else the config's, else the day's own `raw/`) read as `run` reads it,
/// into a folder that goes when the ranking is done, and ranked into the day's `proxy_results.csv`.
pub fn rank(ws: &Workspace, cfg: &Config, day: Day, raw: &[String], corpus: Option<&Path>) -> Result<rank::Report> {
    ws.prepare_day(day)?;
    let data_dir = ws.data_dir(day);
    let inputs = inputs::gather(cfg, day, &data_dir, None, raw, true)?;
    let conn = store::open(ws, &cfg.store)?;
    let scratch = RawSwap::new(ws, day)?;
    let (raw_stage, _, day_raw) = load_raw(ws, cfg, &conn, day, &inputs, scratch.dir())?;
    if day_raw.is_empty() {
        return Err(nothing_to_rank(day, &inputs, &raw_stage));
    }
    let extra = rank::extra(ws, cfg, day)?;
    let made_from = rank::MadeFrom::new(day, &rank::parquet_sha256(&day_raw)?, &cfg.rank, &extra);
    let (mut report, _) = rank::rank_day(&conn, ws, day, &day_raw, &extra, &made_from, corpus)?;
    report.warnings.extend(raw_stage.warnings);
    Ok(report)
}

/// `proxy-oa rank --on-cluster`: the day of the cluster's `proxy` table ranked there ([`rank::cluster`]) into the
/// day's `proxy_results.csv` and spot-ml's place on HDFS.
pub fn rank_on_cluster(ws: &Workspace, cfg: &Config, day: Day, corpus: Option<&Path>) -> Result<rank::Report> {
    rank::cluster::plan(cfg, day, Path::new("<step>.sql"))?;
    crate::cluster::check(cfg)?;
    ws.prepare_day(day)?;
    let extra = rank::extra(ws, cfg, day)?;
    rank::cluster::rank_day(ws, cfg, day, &extra, corpus)
}

/// The day's results file: `--results`, else the file in the day's folder when the ranker did not write it
/// (fetched or put there by hand), else the ranker's, made (again) from the raw day `day_raw` when there is none
/// or what it was made from changed. Returns the file and whether the ranker made it.
fn results_of(
    ws: &Workspace,
    cfg: &Config,
    day: Day,
    conn: &duckdb::Connection,
    inputs: &inputs::Inputs,
    day_raw: &[PathBuf],
    summary: &mut Summary,
) -> Result<(inputs::ResultsFile, bool)> {
    if let Some(r) = inputs.results.as_ref().filter(|r| r.given) {
        return Ok((r.clone(), false));
    }
    let data_dir = ws.data_dir(day);
    let extra = rank::extra(ws, cfg, day)?;
    let made_from = rank::MadeFrom::new(day, &rank::parquet_sha256(day_raw)?, &cfg.rank, &extra);
    let have = if day_raw.is_empty() && inputs.results.is_some() {
        // Nothing to rank from (a run on the cluster, or no raw day): the file there is the day's results.
        rank::Have::Given
    } else {
        rank::current(&data_dir, &made_from)?
    };
    match (have, &inputs.results) {
        (rank::Have::Given, Some(r)) => {
            // Taken as it is (nothing to rank from); when the ranker wrote it, it may hold no row (it found none).
            let by_ranker = day_raw.is_empty() && !matches!(rank::current(&data_dir, &made_from)?, rank::Have::Given);
            Ok((r.clone(), by_ranker))
        }
        (rank::Have::Current, Some(r)) => {
            summary.warnings.push(format!(
                "no --results given: using {}, ranked earlier by proxy-oa from the same raw day, config and feedback ({})",
                r.path.display(),
                data_dir.join(rank::MADE_FROM_FILE).display()
            ));
            Ok((r.clone(), true))
        }
        _ if day_raw.is_empty() => {
            let raw = summary.stages.iter().find(|s| s.stage == "raw").cloned().unwrap_or_default();
            Err(nothing_to_rank(day, inputs, &raw))
        }
        _ => {
            let (report, mut stage) = rank::rank_day(conn, ws, day, day_raw, &extra, &made_from, None)?;
            stage.note = format!("no results file given: {}", stage.note);
            summary.push(stage);
            Ok((ranked_file(&data_dir, &report, summary)?, true))
        }
    }
}

/// The results file the ranker just wrote into `data_dir` (here or on the cluster) as the run's results, with the
/// ranking's warning about cleaned values in the run's summary.
fn ranked_file(data_dir: &Path, report: &rank::Report, summary: &mut Summary) -> Result<inputs::ResultsFile> {
    let path = data_dir.join(rank::RESULTS_FILE);
    let (bytes, sha256) = crate::digest::file_sha256(&path)?;
    if report.values_cleaned > 0 {
        summary.warnings.push(format!(
            "rank: {} values held a TAB or line break and were written to {} with a space",
            report.values_cleaned,
            path.display()
        ));
    }
    Ok(inputs::ResultsFile { source: path.display().to_string(), given: false, path, bytes, sha256 })
}

/// The raw day of `day` for a run or a ranking: its files read into `dest` (a text log parsed once; Spot's Parquet
/// linked), or, with no raw input, the day's own `raw/` in the workspace. Returns the raw stage, the files read and
/// the day's Parquet files.
fn load_raw(
    ws: &Workspace,
    cfg: &Config,
    conn: &duckdb::Connection,
    day: Day,
    inputs: &inputs::Inputs,
    dest: &Path,
) -> Result<(Stage, Vec<FileStats>, Vec<PathBuf>)> {
    let rejects = ws.data_dir(day).join("raw.rejected.tsv");
    let (mut stage, files) = raw::load_day(conn, day, &cfg.raw, &inputs.raw_files, dest, rejects)?;
    if inputs.raw_is_the_days_own {
        stage.note = format!(
            "no raw input given: using the {} raw rows of this day already in the store ({})",
            stage.matched,
            ws.raw_dir(day).display()
        );
    }
    if !inputs.left_alone.is_empty() {
        let names: Vec<String> = inputs.left_alone.iter().map(|p| p.display().to_string()).collect();
        stage.note = format!("{}; other Zeek logs left alone: {}", stage.note, names.join(", "));
    }
    let dir = if inputs.raw_files.is_empty() { ws.raw_dir(day) } else { dest.to_path_buf() };
    Ok((stage, files, crate::workspace::parquet_files(&dir)?))
}

/// No raw day to rank: the raw input held no row of the day (bad data, exit 1, with what it did hold), or there
/// was no raw input at all (usage, exit 2).
fn nothing_to_rank(day: Day, inputs: &inputs::Inputs, raw: &Stage) -> anyhow::Error {
    if !inputs.raw_files.is_empty() {
        return Error::Data(format!(
            "the raw input holds no row of {} to rank: {} rows of other days, {} lines rejected{}",
            day.iso(),
            raw.unmatched,
            raw.rejected,
            if raw.rejected > 0 { " (see raw.rejected.tsv in the day's folder)" } else { "" }
        ))
        .into();
    }
    Error::Usage(format!(
        "no results file for {d} and no raw day to rank it from: pass --raw (the day's logs or Spot Parquet), set \
         [pipeline] raw, give `run` --results (a path or a webhdfs:// address), or run `proxy-oa fetch --date {d}` \
         first",
        d = day.compact()
    ))
    .into()
}
