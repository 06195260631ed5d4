//! `run`: from the ML results file (and the raw day) to `proxy_scores`, `proxy_edge` and `proxy_ingest_summary`.
//!
//! Stages, in order:
//! 1. results: copy the input into `data/proxy/<date>/proxy_results.csv` (always fresh), read the first N valid
//!    rows, quarantine bad rows in `proxy_results.rejected.tsv`;
//! 2. reputation, severity, IANA, network context, hash: enrich the kept rows (staged in a temp table);
//! 3. raw: load the raw day into `proxy` (or keep the day already in the store when no raw input is given);
//! 4. proxy_scores, proxy_edge (≤ 250 raw rows per distinct edge), proxy_ingest_summary: set-based SQL.
//!
//! Steps 3–4 run in one transaction that first deletes the day: a run that fails leaves the previous run's
//! tables as they were. Analyst work (`proxy_threat_investigation`, `proxy_storyboard`, `proxy_timeline`, the
//! feedback and incident-progression files) is never touched, unless `--reset` asks for it in the same
//! transaction; `proxy_scores.uri_sev` takes the day's scores from `proxy_threat_investigation`.

use crate::analyst;
use crate::cache::Cache;
use crate::config::Config;
use crate::day::Day;
use crate::enrich::reputation::Reputation;
use crate::error::Error;
use crate::hdfs::{self, Fetcher, Source};
use crate::input::raw::{self, FileStats, RawReject};
use crate::input::results::{self, ReadError, Rejected, ResultRow};
use crate::store;
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Most raw rejects written to `raw.rejected.tsv` (all are counted).
pub const RAW_REJECTS_KEPT: u64 = 10_000;
/// Most raw rows kept per edge in `proxy_edge`.
pub const EDGE_ROWS: i64 = 250;

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

/// Counts of one stage.
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

/// Peak-memory bookkeeping per stage (Linux: VmHWM, reset through clear_refs).
struct Meter {
    t: Instant,
}

impl Meter {
    fn start() -> Self {
        // Writing 5 to clear_refs resets the peak RSS of the process (Linux ≥ 4.0); elsewhere this is a no-op.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        Meter { t: Instant::now() }
    }
    fn finish(self, mut stage: Stage) -> Stage {
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

/// Copy `src` to `dst` through a temporary name, returning (bytes, sha256). The same file is only hashed.
fn copy_fresh(src: &Path, dst: &Path) -> Result<(u64, String)> {
    let same = match (src.canonicalize(), dst.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return raw::file_sha256(src);
    }
    let mut input =
        std::fs::File::open(src).map_err(|e| Error::Unavailable(format!("results file {}: {e}", src.display())))?;
    let tmp = dst.with_extension("csv.partial");
    let mut out = BufWriter::new(std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?);
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = input.read(&mut buf).with_context(|| format!("reading {}", src.display()))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        out.write_all(&buf[..k]).with_context(|| format!("writing {}", tmp.display()))?;
        n += k as u64;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&tmp, dst).with_context(|| format!("renaming {} to {}", tmp.display(), dst.display()))?;
    Ok((n, hex::encode(h.finalize())))
}

/// A TSV quarantine file, created on the first reject; a stale one from an earlier run is removed up front.
struct Quarantine {
    path: PathBuf,
    header: &'static str,
    out: Option<BufWriter<std::fs::File>>,
}

impl Quarantine {
    fn new(path: PathBuf, header: &'static str) -> Result<Self> {
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
        Ok(Quarantine { path, header, out: None })
    }
    fn write(&mut self, fields: &[&[u8]]) -> Result<()> {
        if self.out.is_none() {
            let mut f = BufWriter::new(
                std::fs::File::create(&self.path).with_context(|| format!("creating {}", self.path.display()))?,
            );
            f.write_all(self.header.as_bytes())?;
            self.out = Some(f);
        }
        let out = self.out.as_mut().expect("opened above");
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.write_all(b"\t")?;
            }
            out.write_all(f)?;
        }
        out.write_all(b"\n")?;
        Ok(())
    }
    fn finish(self) -> Result<Option<PathBuf>> {
        match self.out {
            None => Ok(None),
            Some(mut f) => {
                f.flush().with_context(|| format!("writing {}", self.path.display()))?;
                Ok(Some(self.path))
            }
        }
    }
}

const STAGE_DDL: &str = "CREATE OR REPLACE TEMP TABLE stage_results (
    rn BIGINT, p_date VARCHAR, p_time VARCHAR, clientip VARCHAR, host VARCHAR, reqmethod VARCHAR,
    useragent VARCHAR, resconttype VARCHAR, duration INTEGER, username VARCHAR, webcat VARCHAR, referer VARCHAR,
    respcode INTEGER, uriport INTEGER, uripath VARCHAR, uriquery VARCHAR, serverip VARCHAR, scbytes INTEGER,
    csbytes INTEGER, fulluri VARCHAR, word VARCHAR, score FLOAT, hh INTEGER, hash VARCHAR,
    respcode_name VARCHAR, network_context VARCHAR);
CREATE OR REPLACE TEMP TABLE lk_rep (value VARCHAR, label VARCHAR);
CREATE OR REPLACE TEMP TABLE lk_iana (code VARCHAR, name VARCHAR);";

/// Run the pipeline for one day.
pub fn run(ws: &Workspace, cfg: &Config, opts: &RunOptions) -> Result<Summary> {
    let day = opts.day;
    let conf = cfg.proxy_conf()?;
    let limit = opts.limit.unwrap_or(cfg.pipeline.limit);
    let mut summary = Summary { date: day.compact(), workspace: ws.root().to_path_buf(), ..Default::default() };

    // Workspace and a fresh copy of the results file.
    let written = ws.prepare_day(day)?;
    summary.outputs.extend(written);
    let data_dir = ws.data_dir(day);
    let results_copy = data_dir.join("proxy_results.csv");
    let m = Meter::start();
    let mut fetcher = Fetcher::new(cfg, &data_dir)?;
    let results_source = match &opts.results {
        Some(s) => s.clone(),
        None if results_copy.is_file() => results_copy.display().to_string(),
        None => {
            return Err(Error::Usage(format!(
                "no --results given and no {} yet: pass --results (a path or a webhdfs:// address) or run \
                 `proxy-oa fetch --date {}` first",
                results_copy.display(),
                day.compact()
            ))
            .into())
        }
    };
    let results_local = fetcher.file(&Source::parse(&results_source)?, "proxy_results.csv")?;
    let (results_bytes, results_sha) = copy_fresh(&results_local, &results_copy)?;
    let mut raw_sources = vec![];
    for (i, s) in resolve_raw_sources(cfg, opts, &data_dir).iter().enumerate() {
        let src = Source::parse(s)?;
        let local = if i == 0 { "raw".to_string() } else { format!("raw-{}", i + 1) };
        raw_sources.push(fetcher.tree(&src, &local)?.display().to_string());
    }
    let fetched = fetcher.finish()?;
    if !fetched.is_empty() {
        let bytes: u64 = fetched.iter().filter(|l| l.action != "unchanged").map(|l| l.bytes).sum();
        let count = |a: &str| fetched.iter().filter(|l| l.action == a).count();
        summary.stages.push(m.finish(Stage {
            stage: "fetch",
            rows_in: fetched.len() as u64,
            matched: (count("fetched") + count("resumed")) as u64,
            unmatched: count("unchanged") as u64,
            note: format!(
                "{} files fetched ({bytes} bytes, {} after a broken-off attempt), {} unchanged, {} removed; see {}",
                count("fetched") + count("resumed"),
                count("resumed"),
                count("unchanged"),
                count("removed"),
                data_dir.join(hdfs::MANIFEST).display()
            ),
            ..Default::default()
        }));
        summary.outputs.push(data_dir.join(hdfs::MANIFEST));
    }

    // Reference data.
    let mut cache = Cache::open(&ws.cache_path())?;
    cache.ensure_iana(cfg.iana_path().as_deref())?;
    cache.ensure_nc(cfg.network_context_path().as_deref())?;
    let iana = cache.iana()?;
    let nc = cache.network_context()?;
    let reputation = Reputation::from_config(cfg, opts.offline)?;

    let mut conn = store::open(&ws.store_path(), &cfg.store, &ws.tmp_path())?;
    conn.execute_batch(STAGE_DDL)?;

    // 1. Results, enriched row by row with IANA, network context and the hash, into the stage table.
    let m = Meter::start();
    let mut quarantine = Quarantine::new(data_dir.join("proxy_results.rejected.tsv"), "line\treason\trow\n")?;
    let mut iana_hit = (0u64, 0u64);
    let mut nc_hit = (0u64, 0u64);
    let mut nc_memo: HashMap<String, String> = HashMap::new();
    let stats = {
        let mut app = conn.appender_to_catalog_and_db("stage_results", "temp", "main")?;
        let file = std::fs::File::open(&results_copy).with_context(|| format!("opening {}", results_copy.display()))?;
        let res = results::read(
            BufReader::with_capacity(1 << 16, file),
            &conf,
            limit,
            |r: ResultRow| -> Result<()> {
                let code = r.respcode.map(|c| c.to_string());
                let name = iana.name(code.as_deref());
                match &code {
                    Some(c) if iana.knows(c) => iana_hit.0 += 1,
                    _ => iana_hit.1 += 1,
                }
                let ctx = nc_memo
                    .entry(r.clientip.clone())
                    .or_insert_with(|| nc.lookup(&r.clientip).unwrap_or("").to_string())
                    .clone();
                if ctx.is_empty() {
                    nc_hit.1 += 1;
                } else {
                    nc_hit.0 += 1;
                }
                let hash = crate::text::edge_hash(&r.clientip, &r.fulluri, r.hour);
                app.append_row(params![
                    r.line as i64,
                    r.p_date,
                    r.p_time,
                    r.clientip,
                    r.host,
                    r.reqmethod,
                    r.useragent,
                    r.resconttype,
                    r.duration,
                    r.username,
                    r.webcat,
                    r.referer,
                    r.respcode,
                    r.uriport,
                    r.uripath,
                    r.uriquery,
                    r.serverip,
                    r.scbytes,
                    r.csbytes,
                    r.fulluri,
                    r.word,
                    r.score,
                    i32::from(r.hour),
                    hash,
                    name,
                    ctx
                ])?;
                Ok(())
            },
            |rej: Rejected| -> Result<()> {
                quarantine.write(&[rej.line.to_string().as_bytes(), rej.reason.as_bytes(), &rej.raw])
            },
        );
        let stats = match res {
            Ok(s) => s,
            Err(ReadError::Io(e)) => return Err(Error::Data(format!("reading {}: {e}", results_copy.display())).into()),
            Err(ReadError::Sink(e)) => return Err(e),
        };
        app.flush().context("staging the results rows")?;
        stats
    };
    let rejected_file = quarantine.finish()?;
    let mut note = format!("first {} valid rows", if limit == 0 { "all".to_string() } else { limit.to_string() });
    if stats.stopped_at_limit {
        note.push_str(&format!(", stopped at line {}", stats.lines));
    }
    if let Some(p) = &rejected_file {
        summary.outputs.push(p.clone());
        summary.warnings.push(format!(
            "{} rows of {} rejected, kept with line numbers and reasons in {}",
            stats.rejected,
            results_copy.display(),
            p.display()
        ));
    }
    summary.stages.push(m.finish(Stage {
        stage: "results",
        rows_in: stats.rows + stats.rejected,
        matched: stats.rows,
        rejected: stats.rejected,
        note,
        ..Default::default()
    }));
    if stats.rows == 0 {
        return Err(Error::Data(format!(
            "{}: no valid row{}",
            results_copy.display(),
            if stats.rejected > 0 {
                format!(" ({} rejected, see {})", stats.rejected, data_dir.join("proxy_results.rejected.tsv").display())
            } else {
                String::new()
            }
        ))
        .into());
    }
    if opts.strict && stats.rejected > 0 {
        return Err(Error::Data(format!(
            "{}: {} rows rejected and --strict is given (see {})",
            results_copy.display(),
            stats.rejected,
            data_dir.join("proxy_results.rejected.tsv").display()
        ))
        .into());
    }

    // 2. Reputation of the distinct fulluris.
    let m = Meter::start();
    let distinct: Vec<String> = {
        let mut st = conn.prepare("SELECT DISTINCT fulluri FROM stage_results ORDER BY fulluri")?;
        let v = st.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<_, _>>()?;
        v
    };
    let outcome = reputation.lookup(&mut cache, &distinct)?;
    {
        let mut app = conn.appender_to_catalog_and_db("lk_rep", "temp", "main")?;
        for (v, l) in &outcome.labels {
            app.append_row(params![v, l])?;
        }
        app.flush()?;
    }
    summary.warnings.extend(outcome.warnings);
    summary.stages.push(m.finish(Stage {
        stage: "reputation",
        rows_in: distinct.len() as u64,
        matched: outcome.labels.len() as u64,
        unmatched: (distinct.len() - outcome.labels.len()) as u64,
        note: if reputation.services().is_empty() {
            "no reputation service configured: uri_rep is empty".into()
        } else {
            outcome.notes.join("; ")
        },
        ..Default::default()
    }));
    summary.stages.push(Stage {
        stage: "severity",
        rows_in: stats.rows,
        note: "uri_sev: the URI's severity on this day in proxy_threat_investigation (the analyst's), else 0".into(),
        ..Default::default()
    });
    summary.stages.push(Stage {
        stage: "iana",
        rows_in: stats.rows,
        matched: iana_hit.0,
        unmatched: iana_hit.1,
        ..Default::default()
    });
    summary.stages.push(Stage {
        stage: "network_context",
        rows_in: stats.rows,
        matched: nc_hit.0,
        unmatched: nc_hit.1,
        note: if nc.is_empty() { "no network-context entries loaded".into() } else { format!("{} entries", nc.len()) },
        ..Default::default()
    });
    {
        let mut app = conn.appender_to_catalog_and_db("lk_iana", "temp", "main")?;
        for (c, n) in iana.pairs() {
            app.append_row(params![c, n])?;
        }
        app.flush()?;
    }

    // 3–4. The day's tables, in one transaction.
    let raw_files = if raw_sources.is_empty() { vec![] } else { raw::expand(&raw_sources)? };
    // With --reset, the day's analyst files go aside now and come back if anything below fails.
    let aside = if opts.reset { Some(analyst::FilesAside::stage(ws, day)?) } else { None };
    let tx = conn.transaction()?;
    let reset = if opts.reset { Some(analyst::reset_tables(&tx, day)?) } else { None };
    write_day(&tx, ws, day, &raw_files, &mut summary, (results_bytes, &results_sha, &results_source))?;
    tx.commit().map_err(|e| Error::Load(format!("committing the day {}: {e}", day.compact())))?;
    if let (Some(aside), Some(c)) = (aside, reset) {
        let files = aside.discard();
        summary.stages.push(Stage {
            stage: "reset",
            rows_in: c.threat_investigation,
            note: format!(
                "--reset: {} scored URIs, {} storyboards, {} timeline rows and {} files removed",
                c.threat_investigation,
                c.storyboard,
                c.timeline,
                files.len()
            ),
            ..Default::default()
        });
    }

    for t in store::TABLES {
        summary.tables.push((t.name.to_string(), store::count(&conn, t, day)?));
    }
    Ok(summary)
}

fn resolve_raw_sources(cfg: &Config, opts: &RunOptions, data_dir: &Path) -> Vec<String> {
    if !opts.raw.is_empty() {
        return opts.raw.clone();
    }
    let (y, m, d) = opts.day.raw_partition();
    let from_config: Vec<String> = cfg
        .pipeline
        .raw
        .iter()
        .map(|s| {
            let s = s.replace("{date}", &opts.day.compact()).replace("{y}", &y).replace("{m}", &m).replace("{d}", &d);
            if s.contains("://") {
                s
            } else {
                cfg.resolve(&s).map(|p| p.display().to_string()).unwrap_or(s)
            }
        })
        .collect();
    if !from_config.is_empty() {
        return from_config;
    }
    let fetched = data_dir.join("raw");
    if fetched.is_dir() {
        return vec![fetched.display().to_string()];
    }
    vec![]
}

fn day_params(day: Day) -> (i16, i8, i8) {
    (day.y(), day.m(), day.d())
}

fn write_day(
    conn: &Connection,
    ws: &Workspace,
    day: Day,
    raw_files: &[PathBuf],
    summary: &mut Summary,
    results_input: (u64, &str, &str),
) -> Result<()> {
    let (y, m, d) = day_params(day);
    let (ry, rm, rd) = day.raw_partition();

    // Raw day.
    let meter = Meter::start();
    let mut raw_stage = Stage { stage: "raw", ..Default::default() };
    if raw_files.is_empty() {
        let n = store::count(conn, store::PROXY, day)?;
        raw_stage.rows_in = n as u64;
        raw_stage.note = if n > 0 {
            format!("no raw input given: using the {n} raw rows of this day already in the store")
        } else {
            "no raw input given and none in the store: proxy_edge and proxy_ingest_summary stay empty".into()
        };
        if n == 0 {
            summary.warnings.push(raw_stage.note.clone());
        }
    } else {
        conn.execute("DELETE FROM proxy WHERE y = ? AND m = ? AND d = ?", params![ry, rm, rd])?;
        let mut quarantine = Quarantine::new(ws.data_dir(day).join("raw.rejected.tsv"), "file\tline\treason\ttext\n")?;
        let mut kept = 0u64;
        let loader = raw::Loader::new(conn, day)?;
        for f in raw_files {
            let fs = loader.load(f, &mut |r: RawReject| {
                if kept < RAW_REJECTS_KEPT {
                    kept += 1;
                    quarantine.write(&[
                        r.file.display().to_string().as_bytes(),
                        r.line.to_string().as_bytes(),
                        r.reason.as_bytes(),
                        &r.text,
                    ])?;
                }
                Ok(())
            })?;
            raw_stage.rows_in += fs.rows + fs.other_date + fs.rejected;
            raw_stage.matched += fs.rows;
            raw_stage.unmatched += fs.other_date;
            raw_stage.rejected += fs.rejected;
            summary.raw_files.push(fs);
        }
        if let Some(p) = quarantine.finish()? {
            summary.warnings.push(format!(
                "{} raw lines rejected; the first {} are kept in {}",
                raw_stage.rejected,
                raw_stage.rejected.min(RAW_REJECTS_KEPT),
                p.display()
            ));
            summary.outputs.push(p);
        }
        let mut formats: Vec<&str> = summary.raw_files.iter().map(|f| f.format.name()).collect();
        formats.sort_unstable();
        formats.dedup();
        raw_stage.note =
            format!("{} files ({}); unmatched = rows of other days, left out", raw_files.len(), formats.join(", "));
    }
    summary.stages.push(meter.finish(raw_stage));

    for t in ["proxy_scores", "proxy_edge", "proxy_ingest_summary", "proxy_oa_inputs"] {
        // Table names are constants.
        conn.execute(&format!("DELETE FROM {t} WHERE y = ? AND m = ? AND d = ?"), params![y, m, d])?;
    }

    // proxy_scores.
    let meter = Meter::start();
    let n = conn.execute(
        "INSERT INTO proxy_scores
         SELECT s.p_date, s.p_time, s.clientip, s.host, s.reqmethod, s.useragent, s.resconttype, s.duration,
                s.username, s.webcat, s.referer, s.respcode, s.uriport, s.uripath, s.uriquery, s.serverip,
                s.scbytes, s.csbytes, s.fulluri, s.word, s.score, coalesce(r.label, ''), s.respcode_name,
                s.network_context, coalesce(t.uri_sev, 0), s.hash, ?, ?, ?
         FROM stage_results s LEFT JOIN lk_rep r ON r.value = s.fulluri
         LEFT JOIN (SELECT fulluri, min(uri_sev) AS uri_sev FROM proxy_threat_investigation
                    WHERE y = ? AND m = ? AND d = ? GROUP BY fulluri) t ON t.fulluri = s.fulluri
         ORDER BY s.rn",
        params![y, m, d, y, m, d],
    )?;
    summary.stages.push(meter.finish(Stage {
        stage: "proxy_scores",
        rows_in: n as u64,
        matched: n as u64,
        ..Default::default()
    }));

    // proxy_edge: every distinct edge of the day's kept rows, its first 250 raw rows of that hour.
    let meter = Meter::start();
    let edges: i64 = conn.query_row(
        "SELECT count(*) FROM (SELECT DISTINCT clientip, fulluri, hh FROM stage_results WHERE p_date = ?)",
        params![day.iso()],
        |r| r.get(0),
    )?;
    let n = conn.execute(
        "INSERT INTO proxy_edge
         SELECT p_date, p_time, clientip, host, webcat, respcode, reqmethod, useragent, resconttype, referer, uriport,
                serverip, scbytes, csbytes, fulluri, hh, respcode_name, hash, ?, ?, ?
         FROM (
           SELECT r.*, e.hh, e.hash,
                  CASE WHEN r.respcode = '' THEN '' ELSE coalesce(l.name, 'Unknown (' || r.respcode || ')') END
                    AS respcode_name,
                  row_number() OVER (PARTITION BY e.hash ORDER BY r.p_time, r.p_date, r.host, r.reqmethod,
                    r.useragent, r.resconttype, r.duration, r.username, r.authgroup, r.exceptionid, r.filterresult,
                    r.webcat, r.referer, r.respcode, r.action, r.urischeme, r.uriport, r.uripath, r.uriquery,
                    r.uriextension, r.serverip, r.scbytes, r.csbytes, r.virusid, r.bcappname, r.bcappoper) AS k
           FROM (SELECT DISTINCT clientip, fulluri, hh, hash FROM stage_results WHERE p_date = ?) e
           JOIN proxy r ON r.clientip = e.clientip AND r.fulluri = e.fulluri
                       AND r.h = lpad(CAST(e.hh AS VARCHAR), 2, '0')
           LEFT JOIN lk_iana l ON l.code = r.respcode
           WHERE r.y = ? AND r.m = ? AND r.d = ?
         ) WHERE k <= ?
         ORDER BY clientip, fulluri, hh, k",
        params![y, m, d, day.iso(), ry, rm, rd, EDGE_ROWS],
    )?;
    let with_rows: i64 = conn.query_row(
        "SELECT count(DISTINCT hash) FROM proxy_edge WHERE y = ? AND m = ? AND d = ?",
        params![y, m, d],
        |r| r.get(0),
    )?;
    summary.stages.push(meter.finish(Stage {
        stage: "proxy_edge",
        rows_in: edges as u64,
        matched: with_rows as u64,
        unmatched: (edges - with_rows) as u64,
        note: format!(
            "{n} raw rows for {edges} distinct edges (at most {EDGE_ROWS} each); unmatched = edges with no raw rows"
        ),
        ..Default::default()
    }));

    // proxy_ingest_summary: connections per minute over the whole raw day, with Spot's filters.
    let meter = Meter::start();
    let n = conn.execute(
        "INSERT INTO proxy_ingest_summary
         SELECT p_date || ' ' || lpad(split_part(p_time, ':', 1), 2, '0') || ':'
                  || lpad(split_part(p_time, ':', 2), 2, '0') AS tdate,
                CAST(count(*) AS BIGINT), ?, ?, ?
         FROM proxy
         WHERE y = ? AND m = ? AND d = ? AND p_date <> '' AND p_time <> '' AND clientip <> '' AND host <> ''
           AND fulluri <> '' AND p_time LIKE '%:%'
         GROUP BY 1 ORDER BY 1",
        params![y, m, d, ry, rm, rd],
    )?;
    let total: i64 = conn.query_row(
        "SELECT coalesce(sum(total), 0)::BIGINT FROM proxy_ingest_summary WHERE y = ? AND m = ? AND d = ?",
        params![y, m, d],
        |r| r.get(0),
    )?;
    let mut st = Stage { stage: "ingest_summary", rows_in: total as u64, matched: n as u64, ..Default::default() };
    st.note = if n == 0 {
        "no raw rows for this day: the summary is empty".into()
    } else {
        format!("{total} connections in {n} minutes")
    };
    summary.stages.push(meter.finish(st));

    // Inputs of the day, for manifests.
    let mut ins = conn.prepare("INSERT INTO proxy_oa_inputs VALUES (?, ?, ?, ?, ?, ?, ?)")?;
    ins.execute(params!["results", results_input.2, results_input.0 as i64, results_input.1, y, m, d])?;
    for f in &summary.raw_files {
        ins.execute(params!["raw", f.path.display().to_string(), f.bytes as i64, f.sha256, y, m, d])?;
    }
    Ok(())
}
