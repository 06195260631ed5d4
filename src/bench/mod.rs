//! `proxy-oa bench`: a large generated day, run as a Blue Coat log, as a Zeek http.log and as Spot's Parquet
//! layout, each next to its floor measured in the same run on the same machine: DuckDB's own `read_csv` writing the
//! log to Parquet, and bare DuckDB SQL building the three tables straight from the Parquet files
//! (`benches/floor_parquet.sql`); the floors are in [`floors`]. [`run`] returns our time, the floor's, the ratio,
//! MB/s and peak memory of each case; BENCHMARKS.md records the figures.

mod floors;
mod page;

pub use page::PageCase;

use crate::config::{Config, RankMode};
use crate::day::Day;
use crate::pipeline::{self, RunOptions};
use crate::stage::{Meter, Stage};
use crate::workspace::{parquet_files, Workspace};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A measured run: wall seconds and peak resident memory (MiB).
type Measure = (f64, Option<u64>);

/// One case: ours next to its floor.
#[derive(Debug, Serialize)]
pub struct Case {
    pub case: String,
    pub ours_seconds: f64,
    pub floor_seconds: f64,
    pub ratio: f64,
    pub input_mib: f64,
    pub ours_mb_per_s: f64,
    pub ours_peak_rss_mib: Option<u64>,
    pub floor_peak_rss_mib: Option<u64>,
    pub floor: &'static str,
}

/// What a bench measured.
#[derive(Debug, Serialize)]
pub struct Report {
    pub rows: u64,
    /// The generated Blue Coat log and the same day as Spot Parquet.
    pub log_mib: f64,
    pub parquet_mib: f64,
    pub generate_seconds: f64,
    pub cases: Vec<Case>,
    /// The page of the Parquet day at the largest limit.
    pub page_limit: usize,
    pub report: PageCase,
}

/// The generated day's files and the settings every case shares.
struct Bench<'a> {
    cfg: &'a Config,
    /// `cfg` without the detectors and in spot-ml's order: the cases against a floor compare the same output,
    /// the three tables; a case of their own times the detectors next to the same run.
    three: Config,
    root: PathBuf,
    day: Day,
    rows: u64,
    results: PathBuf,
    limits: Vec<usize>,
}

/// Generate a day of `rows` connections of `clients` browsing clients under `<workspace>/bench` (cleared first) and
/// measure every case.
/// `limits`: results rows kept, one Parquet case each (the log cases use the first); empty means 500 and 5000.
pub fn run(ws: &Workspace, cfg: &Config, rows: u64, clients: u64, limits: &[usize]) -> Result<Report> {
    let day: Day = crate::demo::DEMO_DATE.parse().map_err(anyhow::Error::msg)?;
    let root = std::path::absolute(ws.root().join("bench"))?;
    if root.exists() {
        std::fs::remove_dir_all(&root).with_context(|| format!("clearing {}", root.display()))?;
    }
    let input = root.join("input");
    let limits: Vec<usize> = if limits.is_empty() { vec![500, 5000] } else { limits.to_vec() };
    let keep = limits.iter().copied().max().unwrap_or(500).max(1);
    let t = Instant::now();
    let files = crate::demo::write_day_of(&input, &day.iso(), rows, clients)?;
    let generate_seconds = t.elapsed().as_secs_f64();
    // The results file every case reads: the day ranked by the embedded model (its `keep` lowest scores).
    let results = rank_for_bench(cfg, &root.join("ws-rank"), day, &files.raw_log, keep, &input)?;
    let mut three = cfg.clone();
    three.findings.detectors.clear();
    three.rank.mode = RankMode::Spot;
    let b = Bench { cfg, three, root, day, rows, results, limits };

    let log_mib = mib(std::fs::metadata(&files.raw_log)?.len());
    let spot_day = input.join("spot").join(format!("y={}/m={:02}/d={:02}", day.y(), day.m(), day.d()));
    let mut cases = b.log_cases(&files.raw_log, log_mib, &input, &spot_day)?;
    cases.extend(b.zeek_cases(&input, &spot_day)?);
    let parquet_mib =
        mib(parquet_files(&spot_day)?.iter().map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0)).sum());
    cases.extend(b.parquet_cases(&spot_day, parquet_mib)?);
    cases.push(b.detectors_case(&spot_day, parquet_mib)?);
    let (rank, rank_floor, rows_floor) = b.rank_case(&spot_day, parquet_mib)?;
    cases.extend(rank);
    cases.extend(b.rank_run_case(&spot_day, parquet_mib, rank_floor, rows_floor)?);
    // The page of the day at the largest limit (that many suspicious rows, 1440 minutes): written, then opened
    // in Chromium where there is one. No floor: the goal is absolute (open in under 2 s).
    let page_limit = b.limits.iter().copied().max().unwrap_or(500);
    let report = page::page_case(cfg, &b.root.join(format!("ws-parquet-{page_limit}")), day)?;
    Ok(Report { rows, log_mib, parquet_mib, generate_seconds, cases, page_limit, report })
}

impl Bench<'_> {
    /// The options of a run of the raw day `raw` keeping `limit` results rows.
    fn opts(&self, raw: &Path, limit: usize) -> RunOptions {
        RunOptions {
            day: self.day,
            results: Some(self.results.display().to_string()),
            raw: vec![raw.display().to_string()],
            limit: Some(limit),
            strict: false,
            offline: true,
            reset: false,
            on_cluster: false,
        }
    }

    /// Time `pipeline::run` of `raw` with `cfg` in the new workspace `<root>/<name>`.
    fn time_run(&self, name: &str, cfg: &Config, raw: &Path, limit: usize) -> Result<Measure> {
        let ws = Workspace::new(&self.root.join(name))?;
        measure(|| pipeline::run(&ws, cfg, &self.opts(raw, limit)).map(|_| ()))
    }

    /// 1. The Blue Coat log. Floor: DuckDB's read_csv writing it as Spot's Parquet layout (which is also the
    ///    Parquet day of the next cases), without a memory limit, and as one file.
    fn log_cases(&self, log: &Path, log_mib: f64, input: &Path, spot_day: &Path) -> Result<Vec<Case>> {
        let limit = &self.cfg.store.memory_limit;
        let floor = measure(|| floors::elff_to_spot_parquet(limit, log, spot_day, true))?;
        // The same floor with as much memory as DuckDB wants (its default, 80% of RAM), for the record.
        let unbound = input.join("spot-unbound");
        let free = measure(|| floors::elff_to_spot_parquet("", log, &unbound, true))?;
        std::fs::remove_dir_all(&unbound)?;
        // And as one Parquet file at the same memory limit (no hour folders: no partition buffers to spill).
        let single = input.join("spot-single");
        let one = measure(|| floors::elff_to_spot_parquet(limit, log, &single, false))?;
        std::fs::remove_dir_all(&single)?;
        let ours = self.time_run("ws-log", &self.three, log, self.limits[0])?;
        let name = format!("Blue Coat log, {} rows, limit {}", self.rows, self.limits[0]);
        Ok(vec![
            case(
                name.clone(),
                ours,
                floor,
                log_mib,
                "DuckDB read_csv of the log written as hour-partitioned Parquet, with the same memory_limit",
            ),
            case(
                format!("{name} (floor without a memory limit)"),
                ours,
                free,
                log_mib,
                "the same read_csv floor with DuckDB's default memory limit (80% of RAM)",
            ),
            case(
                format!("{name} (floor writing one Parquet file)"),
                ours,
                one,
                log_mib,
                "DuckDB read_csv of the log written as one Parquet file, with the same memory_limit",
            ),
        ])
    }

    /// 1b. The same day as Zeek's http.log (ASCII writer). Floor: DuckDB's read_csv writing it as Spot's Parquet
    ///     layout, at the same memory limit, partitioned and as one file.
    fn zeek_cases(&self, input: &Path, spot_day: &Path) -> Result<Vec<Case>> {
        let zeek = input.join("zeek/http.log");
        floors::spot_to_zeek(spot_day, &zeek)?;
        let zeek_mib = mib(std::fs::metadata(&zeek)?.len());
        let dir = input.join("zeek-floor");
        let limit = &self.cfg.store.memory_limit;
        let floor = measure(|| floors::zeek_to_spot_parquet(limit, &zeek, &dir, true))?;
        std::fs::remove_dir_all(&dir)?;
        let one = measure(|| floors::zeek_to_spot_parquet(limit, &zeek, &dir, false))?;
        std::fs::remove_dir_all(&dir)?;
        let ours = self.time_run("ws-zeek", &self.three, &zeek, self.limits[0])?;
        let name = format!("Zeek http.log (ASCII), {} rows, limit {}", self.rows, self.limits[0]);
        Ok(vec![
            case(
                name.clone(),
                ours,
                floor,
                zeek_mib,
                "DuckDB read_csv of the Zeek log written as hour-partitioned Parquet, with the same memory_limit",
            ),
            case(
                format!("{name} (floor writing one Parquet file)"),
                ours,
                one,
                zeek_mib,
                "DuckDB read_csv of the Zeek log written as one Parquet file, with the same memory_limit",
            ),
        ])
    }

    /// 2. The same day in Spot's Parquet layout, at each limit. Floor: bare SQL over the same files.
    fn parquet_cases(&self, spot_day: &Path, pq_mib: f64) -> Result<Vec<Case>> {
        let mut cases = vec![];
        for &limit in &self.limits {
            let name = format!("ws-parquet-{limit}");
            let ours = self.time_run(&name, &self.three, spot_day, limit)?;
            let mut made = (0, 0);
            let floor = measure(|| {
                made = floors::parquet_floor(self.cfg, &self.root, self.day, spot_day, &self.results, limit)?;
                Ok(())
            })?;
            let ws = Workspace::new(&self.root.join(&name))?;
            let conn = crate::store::open(&ws, &self.cfg.store)?;
            let (y, m, d) = self.day.ymd();
            let ran: (i64, i64) = conn.query_row(
                "SELECT (SELECT count(*) FROM proxy_edge WHERE y = ? AND m = ? AND d = ?),
                        (SELECT CAST(coalesce(sum(total), 0) AS BIGINT) FROM proxy_ingest_summary
                         WHERE y = ? AND m = ? AND d = ?)",
                duckdb::params![y, m, d, y, m, d],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            anyhow::ensure!(
                made == (ran.0 as u64, ran.1 as u64),
                "the Parquet floor made {} edge rows and counted {} connections, the run {} and {}",
                made.0,
                made.1,
                ran.0,
                ran.1
            );
            cases.push(case(
                format!("Spot Parquet day, {} rows, limit {limit}", self.rows),
                ours,
                floor,
                pq_mib,
                "bare DuckDB SQL: results copy + the three tables straight from the Parquet files",
            ));
        }
        Ok(cases)
    }

    /// 2b. The detectors: the same Parquet run with the configured [findings] and [rank] mode, next to the run
    ///     without them (the ratio is the detectors' share; `-v` prints each detector's seconds).
    fn detectors_case(&self, spot_day: &Path, pq_mib: f64) -> Result<Case> {
        let limit = self.limits[0];
        let with = self.time_run(&format!("ws-findings-{limit}"), self.cfg, spot_day, limit)?;
        let without = self.time_run(&format!("ws-plain-{limit}"), &self.three, spot_day, limit)?;
        Ok(case(
            format!(
                "Spot Parquet day, {} rows, limit {limit}, with the detectors ({})",
                self.rows,
                self.cfg.rank.mode_name()
            ),
            with,
            without,
            pq_mib,
            "the same run without the detectors (no proxy_findings, spot-ml's order)",
        ))
    }

    /// 3. `rank` of the Parquet day (spot-ml's settings: threshold 1e-6, all rows), next to bare SQL computing
    ///    the same words and counts alone, by the least work (rows counted by the word's parts); and next to that
    ///    floor plus bare SQL writing the same rows given the ranker's pairs (all of `rank` but the fit). Also
    ///    returns the two floors' measures.
    fn rank_case(&self, spot_day: &Path, pq_mib: f64) -> Result<(Vec<Case>, Measure, Measure)> {
        let ws = Workspace::new(&self.root.join("ws-rank-parquet"))?;
        let mut report = None;
        let ours = measure(|| {
            report = Some(pipeline::rank(&ws, self.cfg, self.day, &[spot_day.display().to_string()], None)?);
            Ok(())
        })?;
        let report = report.context("the ranking ran")?;
        let mut floor_pairs = 0;
        let floor = measure(|| {
            floor_pairs = floors::rank_floor(self.cfg, &self.root, self.day, spot_day)?;
            Ok(())
        })?;
        anyhow::ensure!(
            floor_pairs == report.pairs,
            "the rank floor built {floor_pairs} (client IP, word) pairs, the ranker {}",
            report.pairs
        );
        let steps: Vec<String> = report.seconds.iter().map(|(s, t)| format!("{s} {t:.2} s")).collect();
        let name = format!(
            "rank of the Spot Parquet day, {} rows ({} pairs, {} client IPs, {} words; {})",
            self.rows,
            report.pairs,
            report.documents,
            report.vocabulary,
            steps.join(", ")
        );
        let mut rows_written = 0;
        let out = self.root.join("floor-rank-rows.tsv");
        let rows = measure(|| {
            rows_written = floors::rank_rows_floor(self.cfg, &self.root, self.day, spot_day, &report.path, &out)?;
            Ok(())
        })?;
        anyhow::ensure!(
            rows_written == report.rows_written,
            "the rank rows floor wrote {rows_written} rows, the ranker {}",
            report.rows_written
        );
        let both = (floor.0 + rows.0, floor.1.max(rows.1));
        let cases = vec![
            case(
                name.clone(),
                ours,
                floor,
                pq_mib,
                "bare DuckDB SQL computing the same (client IP, word, count) corpus alone by the least work \
                 (benches/floor_rank.sql)",
            ),
            case(
                format!("{name}, against the corpus and its rows"),
                ours,
                both,
                pq_mib,
                "the corpus floor plus bare DuckDB SQL writing the same rows given the ranker's pairs \
                 (benches/floor_rank_rows.sql): all of rank but the fit",
            ),
        ];
        Ok((cases, floor, rows))
    }

    /// 4. `run` of the Parquet day with no results file, as a site without spot-ml runs it: the ranker, then the
    ///    three tables from its file (at the first limit). Floor: the two floors added, the corpus alone
    ///    (`rank_floor`, measured in case 3) and the three tables from the same results file; and those with the
    ///    rank rows floor (`rows`, case 3) added too.
    fn rank_run_case(&self, spot_day: &Path, pq_mib: f64, rank_floor: Measure, rows: Measure) -> Result<Vec<Case>> {
        let limit = self.limits[0];
        let ws = Workspace::new(&self.root.join("ws-rank-run"))?;
        let opts = RunOptions { results: None, ..self.opts(spot_day, limit) };
        let ours = measure(|| pipeline::run(&ws, &self.three, &opts).map(|_| ()))?;
        let results = ws.data_dir(self.day).join(crate::rank::RESULTS_FILE);
        let root = self.root.join("rank-run");
        let tables =
            measure(|| floors::parquet_floor(self.cfg, &root, self.day, spot_day, &results, limit).map(|_| ()))?;
        let floor = (rank_floor.0 + tables.0, rank_floor.1.max(tables.1));
        let name = format!("rank + run of the Spot Parquet day, {} rows, limit {limit} (no results file)", self.rows);
        let with_rows = (floor.0 + rows.0, floor.1.max(rows.1));
        Ok(vec![
            case(
                name.clone(),
                ours,
                floor,
                pq_mib,
                "the rank floor (the corpus alone) plus the Parquet floor (the three tables from the ranker's file)",
            ),
            case(
                format!("{name}, against the corpus, its rows and the tables"),
                ours,
                with_rows,
                pq_mib,
                "the same floors plus the rank rows floor (benches/floor_rank_rows.sql): all of it but the fit",
            ),
        ])
    }
}

/// Bytes in MiB.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1048576.0
}

fn case(name: String, ours: Measure, floor: Measure, mib: f64, what: &'static str) -> Case {
    Case {
        case: name,
        ours_seconds: ours.0,
        floor_seconds: floor.0,
        ratio: if floor.0 > 0.0 { ours.0 / floor.0 } else { 0.0 },
        input_mib: mib,
        ours_mb_per_s: if ours.0 > 0.0 { mib * 1.048576 / ours.0 } else { 0.0 },
        ours_peak_rss_mib: ours.1,
        floor_peak_rss_mib: floor.1,
        floor: what,
    }
}

/// Wall time and peak resident memory of `f`.
fn measure(f: impl FnOnce() -> Result<()>) -> Result<Measure> {
    let m = Meter::start();
    f()?;
    let st = m.finish(Stage::new("bench"));
    Ok((st.seconds, st.peak_rss_mib))
}

/// Rank the generated day (its `keep` lowest scores) in the workspace `ws_dir`; the results file is copied to
/// `input/proxy_results.csv`.
fn rank_for_bench(cfg: &Config, ws_dir: &Path, day: Day, log: &Path, keep: usize, input: &Path) -> Result<PathBuf> {
    let ws = Workspace::new(ws_dir)?;
    let mut cfg = cfg.clone();
    cfg.rank.threshold = 1.0;
    cfg.rank.max_results = keep as u64;
    let report = pipeline::rank(&ws, &cfg, day, &[log.display().to_string()], None)?;
    let dest = input.join(crate::rank::RESULTS_FILE);
    std::fs::copy(&report.path, &dest).with_context(|| format!("copying {}", report.path.display()))?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rank floors give the ranker's output: the corpus floor as many pairs, the rows floor the same rows in the
    /// same order (all but the score's printing). A floor that gives something else measures other work.
    #[test]
    fn the_rank_floors_give_the_rankers_pairs_and_rows() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let day: Day = crate::demo::DEMO_DATE.parse().unwrap();
        let files = crate::demo::write_day_of(&root.join("input"), &day.iso(), 30_000, 60).unwrap();
        let spot_day = root.join("spot").join(format!("y={}/m={:02}/d={:02}", day.y(), day.m(), day.d()));
        let mut cfg = Config::parse("", None).unwrap();
        floors::elff_to_spot_parquet(&cfg.store.memory_limit, &files.raw_log, &spot_day, true).unwrap();
        // A threshold that keeps some hundreds of rows of this small day (spot-ml's 1e-6 keeps none).
        cfg.rank.threshold = 1e-3;
        let ws = Workspace::new(&root.join("ws")).unwrap();
        let report = pipeline::rank(&ws, &cfg, day, &[spot_day.display().to_string()], None).unwrap();
        assert!(report.rows_written > 50, "{} rows", report.rows_written);
        assert_eq!(floors::rank_floor(&cfg, root, day, &spot_day).unwrap(), report.pairs);
        let out = root.join("floor-rows.tsv");
        let rows = floors::rank_rows_floor(&cfg, root, day, &spot_day, &report.path, &out).unwrap();
        assert_eq!(rows, report.rows_written);
        // Column 20 (the score) is printed by Java's rules in ours and by DuckDB in the floor; the rest is the same
        // text, with spot-ml's `null` for an empty integer.
        let cut = |text: String| -> Vec<String> {
            // (twice: a `null` right after another shares its TAB with it)
            text.lines()
                .map(|l| l.rsplit_once('\t').unwrap().0.replace("\tnull\t", "\t\t").replace("\tnull\t", "\t\t"))
                .collect()
        };
        let ours = cut(std::fs::read_to_string(&report.path).unwrap());
        let floor = cut(std::fs::read_to_string(&out).unwrap());
        assert_eq!(ours.len() as u64, report.rows_written);
        assert_eq!(floor, ours);
    }
}
