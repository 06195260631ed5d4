//! The inputs stage: the results file (local, `webhdfs://` or `hdfs://`) copied fresh into the day's data folder,
//! and the raw-day sources, fetched where they are on the cluster and expanded into files.

use crate::config::Config;
use crate::day::Day;
use crate::digest::{file_sha256, Hashing};
use crate::error::Error;
use crate::hdfs::{self, Fetcher, Source};
use crate::input::raw;
use crate::stage::{Meter, Stage};
use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The day's inputs, local and ready.
#[derive(Debug)]
pub struct Inputs {
    /// The results file: `--results` (copied fresh into the day's folder) or the one already there (fetched, put
    /// there by hand, or written by the ranker); `None`: there is none, the ranker makes it.
    pub results: Option<ResultsFile>,
    /// The raw files, sorted; empty: no raw input (the day already in the store is kept).
    pub raw_files: Vec<PathBuf>,
    /// The other logs of Zeek log folders given as raw input, left alone.
    pub left_alone: Vec<PathBuf>,
    /// No raw input was given: the raw files are the day's own (`raw/`, fetched or from an earlier run).
    pub raw_is_the_days_own: bool,
    /// The fetch stage, when anything came from the cluster.
    pub fetch: Option<Stage>,
}

/// A results file in the day's folder.
#[derive(Debug, Clone)]
pub struct ResultsFile {
    /// Where it came from, as given (the day's copy itself when not given).
    pub source: String,
    /// `--results` named it.
    pub given: bool,
    /// The copy in the day's data folder (`proxy_results.csv`).
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
}

/// Gather the inputs of `day` into `data_dir`: `results` (or the copy already there, or none) and, `with_raw`,
/// `raw` (or the config's sources, or the fetched `raw/` folder, or none).
pub fn gather(
    cfg: &Config,
    day: Day,
    data_dir: &Path,
    results: Option<&str>,
    raw: &[String],
    with_raw: bool,
) -> Result<Inputs> {
    let results_copy = data_dir.join(crate::rank::RESULTS_FILE);
    let m = Meter::start();
    let mut fetcher = Fetcher::new(&cfg.hdfs, data_dir)?;
    let results = match results {
        Some(s) => {
            let local = fetcher.file(&Source::parse(s)?, crate::rank::RESULTS_FILE)?;
            let (bytes, sha256) = copy_fresh(&local, &results_copy)?;
            Some(ResultsFile { source: s.to_string(), given: true, path: results_copy, bytes, sha256 })
        }
        None if results_copy.is_file() => {
            let (bytes, sha256) = file_sha256(&results_copy)?;
            let source = results_copy.display().to_string();
            Some(ResultsFile { source, given: false, path: results_copy, bytes, sha256 })
        }
        None => None,
    };
    let mut raw_sources = vec![];
    let sources = if with_raw { raw_sources_of(cfg, day, raw, data_dir) } else { vec![] };
    let raw_is_the_days_own = raw.is_empty() && cfg.pipeline.raw.is_empty() && !sources.is_empty();
    let own = data_dir.join("raw");
    if raw_is_the_days_own && own.join(crate::workspace::FROM_CLUSTER).is_file() {
        return Err(Error::Usage(format!(
            "{} holds only the raw rows a run on the cluster brought back, not the whole day: run with --raw, or \
             again with --on-cluster",
            own.display()
        ))
        .into());
    }
    for (i, s) in sources.iter().enumerate() {
        let src = Source::parse(s)?;
        let local = if i == 0 { "raw".to_string() } else { format!("raw-{}", i + 1) };
        raw_sources.push(fetcher.tree(&src, &local)?.display().to_string());
    }
    let fetched = fetcher.finish()?;
    let fetch = if fetched.is_empty() {
        None
    } else {
        let bytes: u64 = fetched.iter().filter(|l| l.action != "unchanged").map(|l| l.bytes).sum();
        let count = |a: &str| fetched.iter().filter(|l| l.action == a).count();
        Some(m.finish(Stage {
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
            outputs: vec![data_dir.join(hdfs::MANIFEST)],
            ..Stage::new("fetch")
        }))
    };
    let (raw_files, left_alone) = if raw_sources.is_empty() { (vec![], vec![]) } else { raw::expand(&raw_sources)? };
    Ok(Inputs { results, raw_files, left_alone, raw_is_the_days_own, fetch })
}

/// The raw sources of a run: the given ones, else the config's (resolved when it was loaded; `{date}`, `{y}`,
/// `{m}`, `{d}` replaced), else the day's own `raw/` (fetched there, or written by an earlier run), else the
/// day's fetched `raw/` folder, else none.
fn raw_sources_of(cfg: &Config, day: Day, given: &[String], data_dir: &Path) -> Vec<String> {
    if !given.is_empty() {
        return given.to_vec();
    }
    let (y, m, d) = day.raw_partition();
    let from_config: Vec<String> = cfg
        .pipeline
        .raw
        .iter()
        .map(|s| s.replace("{date}", &day.compact()).replace("{y}", &y).replace("{m}", &m).replace("{d}", &d))
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

/// Copy `src` to `dst` through a temporary name, returning (bytes, sha256). The same file is only hashed.
fn copy_fresh(src: &Path, dst: &Path) -> Result<(u64, String)> {
    let same = match (src.canonicalize(), dst.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return file_sha256(src);
    }
    let input =
        std::fs::File::open(src).map_err(|e| Error::Unavailable(format!("results file {}: {e}", src.display())))?;
    let tmp = dst.with_extension("csv.partial");
    let mut out = BufWriter::new(std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?);
    let mut input = Hashing::new(input);
    std::io::copy(&mut input, &mut out).with_context(|| format!("copying {} to {}", src.display(), tmp.display()))?;
    out.flush().with_context(|| format!("writing {}", tmp.display()))?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&tmp, dst).with_context(|| format!("renaming {} to {}", tmp.display(), dst.display()))?;
    Ok(input.finish())
}
