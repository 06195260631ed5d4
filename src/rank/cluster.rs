//! `rank --on-cluster` (and `run --on-cluster` for a day without a results file): spot-ml's ranking of a day whose
//! raw rows stay in the cluster's `proxy` table. The words and their counts are the shared statements of the local
//! ranker (`schema/rank_input.sql`, `rank_agents.sql`, `rank_rows.sql`, `rank_counts.sql`, `rank_selected.sql`),
//! rendered for Spark SQL by [`crate::dialect`] with the word rules of `schema/rank_words.sql` expanded in place
//! (three of them in Spark's spelling, `schema/rank_spark.sql`); the model is fitted here, as locally.
//!
//! In order (each client run is one step; values reach the statements only as client variables):
//! 1. up through WebHDFS, as Parquet under `${huser}/proxy/oa-staging/<date>-rank/`: the top-domain labels, the
//!    safe domains, the benign feedback rows;
//! 2. `rank setup` (the staging tables over those folders) and `rank counts`: the (client IP, word) counts of the
//!    day on the cluster;
//! 3. down: the counts, O(clients × vocabulary) (their bytes are in the summary); here the corpus, the fit and the
//!    qualifying pairs with their scores, exactly as a local `rank` computes them;
//! 4. up: those pairs; `rank rows`: the day's rows of those pairs, with their words, on the cluster; down;
//! 5. here, the rows in spot-ml's order are the results file: up to where spot-ml wrote it
//!    (`[hdfs] huser/proxy/scored_results/<date>/scores/proxy_results.csv`, hidden name then renamed) and into the
//!    day's folder, with the record of what it was made from;
//! 6. `rank cleanup` drops the staging tables; the staging folder goes.
//!
//! Nothing is replaced before step 5: a failure earlier leaves the day's results file, here and on the cluster, as
//! it was. Only Spark SQL ranks: the URI entropy takes a string's characters apart, which Impala's SQL cannot do.
//!
//! The pairs go up with their scores rather than θ and φ: the scores are then the very doubles a local `rank`
//! computes (no text round trip of the model, no second summation order), and the pairs that qualify are far fewer
//! than θ's and φ's rows.

use super::{Extra, MadeFrom, Report};
use crate::config::Config;
use crate::day::Day;
use crate::dialect::{self, body, Dialect, Macro, Param};
use crate::engine::{self, Step, Transfer};
use crate::engine::{client_command, hdfs_home, webhdfs_namenode};
use crate::error::Error;
use crate::hdfs::webhdfs::{partial_name, WebHdfs};
use crate::schema;
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use serde::Serialize;
use std::path::Path;
use std::time::{Duration, Instant};

/// Everything a ranking on the cluster does, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub engine: &'static str,
    /// The client command line of every step, `-f` naming the step's script.
    pub command: Vec<String>,
    /// The ranking's staging folder on HDFS.
    pub staging: String,
    /// The top-domain labels, the safe domains, the feedback rows.
    pub uploads: Vec<Transfer>,
    pub setup: Step,
    pub counts: Step,
    pub counts_down: Transfer,
    /// The qualifying pairs with their scores.
    pub pairs_up: Transfer,
    pub rows: Step,
    pub rows_down: Transfer,
    /// Where spot-ml wrote the results file (HDFS path through WebHDFS).
    pub results: String,
    pub cleanup: Step,
}

/// What crossed to and from the cluster, for the summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Crossed {
    pub engine: String,
    pub client: String,
    pub uploaded_bytes: u64,
    pub downloaded_bytes: u64,
    /// The (client IP, word) counts' share of the downloaded bytes.
    pub counts_bytes: u64,
    /// Each step's name and seconds (the client's start included).
    pub steps: Vec<(String, f64)>,
    /// The results file on HDFS.
    pub results: String,
}

impl Crossed {
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "  on the cluster ({} through {}): {} bytes up, {} bytes down ({} of them the (client IP, word) counts);",
            self.engine, self.client, self.uploaded_bytes, self.downloaded_bytes, self.counts_bytes
        );
        for (step, secs) in &self.steps {
            s.push_str(&format!(" {step} {secs:.1} s,"));
        }
        s.pop();
        s.push_str(&format!("\n  wrote {} on HDFS\n", self.results));
        s
    }
}

/// A staging table's columns: names and Impala/Hive types.
type Columns = Vec<(String, &'static str)>;

/// The staging tables of a ranking: their names and columns (Impala/Hive types).
struct Tables {
    top: String,
    safe: String,
    feedback: String,
    counts: String,
    pairs: String,
    rows: String,
}

impl Tables {
    fn new(day: Day) -> Tables {
        let name = |what: &str| format!("proxy_oa_rank_{what}_{}", day.compact());
        Tables {
            top: name("top"),
            safe: name("safe"),
            feedback: name("feedback"),
            counts: name("counts"),
            pairs: name("pairs"),
            rows: name("rows"),
        }
    }

    /// (name, folder, columns) of each, in the order of their folders.
    fn all(&self) -> Vec<(&str, &'static str, Columns)> {
        let text = |names: &[&str]| names.iter().map(|c| (c.to_string(), "STRING")).collect::<Vec<_>>();
        let mut rows: Columns = RESULT_COLUMNS
            .iter()
            .map(|c| {
                let ty = schema::PROXY.columns.iter().find(|(n, _)| n == c).map_or("STRING", |(_, t)| t.impala());
                (c.to_string(), ty)
            })
            .collect();
        rows.extend([("word".to_string(), "STRING"), ("score".to_string(), "DOUBLE")]);
        vec![
            (self.top.as_str(), "top", text(&["label"])),
            (self.safe.as_str(), "safe", text(&["label"])),
            (self.feedback.as_str(), "feedback", text(&FEEDBACK_COLUMNS)),
            (
                self.counts.as_str(),
                "counts",
                vec![
                    ("clientip".into(), "STRING"),
                    ("word".into(), "STRING"),
                    ("is_day".into(), "BOOLEAN"),
                    ("reqmethod".into(), "STRING"),
                    ("respcode".into(), "STRING"),
                    ("hh".into(), "STRING"),
                    ("n".into(), "BIGINT"),
                    ("row_count".into(), "BIGINT"),
                ],
            ),
            (
                self.pairs.as_str(),
                "pairs",
                vec![("clientip".into(), "STRING"), ("word".into(), "STRING"), ("score".into(), "DOUBLE")],
            ),
            (self.rows.as_str(), "rows", rows),
        ]
    }
}

/// The raw columns of spot-ml's results file (its first 19; then word and score).
const RESULT_COLUMNS: &[&str] = crate::config::RESULT_FIELDS.split_at(19).0;

/// The columns of the feedback rows (the ranker's temporary table `rank_feedback`).
const FEEDBACK_COLUMNS: [&str; 9] =
    ["p_date", "p_time", "clientip", "host", "reqmethod", "useragent", "resconttype", "respcode", "fulluri"];

/// The dialect a ranking on the cluster speaks: Spark SQL through beeline only (exit 3 otherwise).
fn dialect_of(cfg: &Config, day: Day) -> Result<Dialect> {
    let d = engine::dialect_of(cfg)?;
    if d != Dialect::Spark {
        return Err(Error::Config(format!(
            "ranking on the cluster runs on Spark SQL ([impala] engine = \"spark\", client = \"beeline\"): spot-ml's \
             URI entropy takes a string's characters apart, which Impala's SQL cannot do. Rank the day here \
             (`proxy-oa rank --date {d} --raw ...`, e.g. after `proxy-oa fetch --date {d}`), or give `run` the day's \
             results file (--results)",
            d = day.compact()
        ))
        .into());
    }
    Ok(d)
}

/// The statements' parameters on the cluster: the day's, and `dupfactor`.
fn params(cfg: &Config, day: Day) -> Vec<(&'static str, Param)> {
    let mut p = dialect::params(day);
    p.push(("dupfactor", Param::Int(i64::try_from(cfg.rank.dupfactor).unwrap_or(i64::MAX))));
    p
}

/// The macros the cluster's statements expand: the value rules, then the word rules with Spark's spelling of the
/// three that take a string's characters apart.
fn spark_macros() -> Vec<Macro> {
    let spark = dialect::parse_macros(super::SPARK_SQL);
    let mut all = dialect::macros();
    for m in dialect::parse_macros(super::WORDS_SQL) {
        all.push(spark.iter().find(|s| s.name == m.name).cloned().unwrap_or(m));
    }
    all
}

/// The relations every ranking statement on the cluster reads, as a `WITH` list; `source` defines `rank_source`
/// from `rank_all` (and `rank_low` where it is defined before it).
fn prelude(dialect: Dialect, t: &Tables, extra: &str, source: &str) -> String {
    let db = dialect::var(dialect, "dbname");
    format!(
        "WITH {raw_day},\nrank_feedback AS (SELECT * FROM {db}.{feedback}),\nrank_all AS (\n{input}\n),\n\
         rank_agents AS (\n{agents}\n),\n{extra}rank_source AS ({source}),\n\
         rank_top AS (SELECT label FROM {db}.{top}),\nrank_safe AS (SELECT label FROM {db}.{safe}),\n\
         rank_rows AS (\n{rows}\n)\n",
        raw_day = dialect::raw_day_cte(dialect),
        feedback = t.feedback,
        input = body(super::INPUT_SQL),
        agents = body(super::AGENTS_SQL),
        top = t.top,
        safe = t.safe,
        rows = body(super::ROWS_SQL),
    )
}

/// The staging folder of a day's ranking, under the tables' home.
fn staging_folder(day: Day) -> String {
    format!("proxy/oa-staging/{}-rank", day.compact())
}

/// The plan of a ranking of `day` on the cluster; `script` is where each step's statements are written.
pub fn plan(cfg: &Config, day: Day, script: &Path) -> Result<Plan> {
    let dialect = dialect_of(cfg, day)?;
    let db = dialect::var(dialect, "dbname");
    let hu = dialect::var(dialect, "huser");
    let folder = staging_folder(day);
    let staging = format!("{}/{folder}", hdfs_home(cfg));
    let t = Tables::new(day);
    let macros = spark_macros();
    let all = params(cfg, day);
    let mut setup = vec![];
    for (name, sub, cols) in t.all() {
        setup.extend(engine::external_table(dialect, name, &cols, &format!("{hu}/{folder}/{sub}")));
    }
    let counts = format!(
        "{}INSERT OVERWRITE TABLE {db}.{}\n{}",
        prelude(dialect, &t, "", "SELECT * FROM rank_all"),
        t.counts,
        body(super::COUNTS_SQL)
    );
    let rows = format!(
        "{}INSERT OVERWRITE TABLE {db}.{}\n{}",
        prelude(
            dialect,
            &t,
            &format!("rank_low AS (SELECT clientip, word, score FROM {db}.{}),\n", t.pairs),
            "SELECT * FROM rank_all AS s WHERE s.is_day AND s.clientip IN (SELECT l.clientip FROM rank_low AS l)"
        ),
        t.rows,
        body(super::SELECTED_SQL)
    );
    let at = |sub: &str, file: &str| format!("{staging}/{sub}/{file}-{}.parquet", day.compact());
    let mut vars = engine::variables(cfg, day);
    vars.push(("dupfactor".into(), cfg.rank.dupfactor.to_string()));
    Ok(Plan {
        engine: cfg.impala.engine.name(),
        command: client_command(cfg, &vars, script),
        uploads: vec![
            Transfer { what: "top-domain labels", hdfs: at("top", "top") },
            Transfer { what: "safe domains", hdfs: at("safe", "safe") },
            Transfer { what: "benign feedback rows", hdfs: at("feedback", "feedback") },
        ],
        setup: Step { name: "rank setup", statements: setup },
        counts: Step { name: "rank counts", statements: vec![dialect::render(&counts, dialect, &macros, &all)] },
        counts_down: Transfer { what: "rank counts", hdfs: format!("{staging}/counts") },
        pairs_up: Transfer { what: "qualifying pairs", hdfs: at("pairs", "pairs") },
        rows: Step { name: "rank rows", statements: vec![dialect::render(&rows, dialect, &macros, &all)] },
        rows_down: Transfer { what: "rank rows", hdfs: format!("{staging}/rows") },
        results: crate::hdfs::spot_paths(&hdfs_home(cfg), day).0,
        cleanup: Step {
            name: "rank cleanup",
            statements: t.all().iter().map(|(name, _, _)| format!("DROP TABLE IF EXISTS {db}.{name}")).collect(),
        },
        staging,
    })
}

impl Plan {
    /// Every statement and transfer, in order (`rank --on-cluster --dry-run`).
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "-- proxy-oa rank --on-cluster: {} through `{}`\n-- every step runs as: {}\n",
            self.engine,
            self.command[0],
            self.command.join(" ")
        );
        for u in &self.uploads {
            s.push_str(&format!("-- upload {} (Parquet, hidden name then renamed) to {}\n", u.what, u.hdfs));
        }
        for step in [&self.setup, &self.counts] {
            s.push_str(&format!("\n-- step {}\n{}", step.name, step.script()));
        }
        s.push_str(&format!("\n-- download {} from {}/\n", self.counts_down.what, self.counts_down.hdfs));
        s.push_str("-- here: the corpus, the model (EM LDA), the pairs scoring at most [rank] threshold\n");
        s.push_str(&format!("-- upload {} to {}\n", self.pairs_up.what, self.pairs_up.hdfs));
        s.push_str(&format!("\n-- step {}\n{}", self.rows.name, self.rows.script()));
        s.push_str(&format!("\n-- download {} from {}/\n", self.rows_down.what, self.rows_down.hdfs));
        s.push_str(&format!("-- here: the results file in spot-ml's order; upload it to {}\n", self.results));
        s.push_str(&format!("\n-- step {}\n{}", self.cleanup.name, self.cleanup.script()));
        s.push_str(&format!("-- delete {} (recursive)\n", self.staging));
        s
    }
}

/// Rank `day` on the cluster into the day's `proxy_results.csv` (and spot-ml's place on HDFS), with the record of
/// what it was made from; `corpus_out` as for a local `rank`.
pub fn rank_day(ws: &Workspace, cfg: &Config, day: Day, extra: &Extra, corpus_out: Option<&Path>) -> Result<Report> {
    let base = webhdfs_namenode(cfg, "a ranking on the cluster moves files")?;
    let work = engine::work_dir(ws)?;
    let script = engine::script_path(work.path());
    let plan = plan(cfg, day, &script)?;
    let client = WebHdfs::new(&cfg.hdfs)?;
    let limit = Duration::from_secs(cfg.impala.timeout_secs);
    let data_dir = ws.data_dir(day);
    let out = data_dir.join(super::RESULTS_FILE);
    let mut report = Report::new(day, &cfg.rank, extra, &out);
    let mut crossed = Crossed {
        engine: plan.engine.to_string(),
        client: cfg.impala.client.name().to_string(),
        results: plan.results.clone(),
        ..Default::default()
    };
    let step = |s: &Step, crossed: &mut Crossed| -> Result<()> {
        let left = if s.name == "rank cleanup" {
            "the results file is written; the staging tables remain until the next ranking of the day"
        } else {
            "the day's results file, here and on the cluster, is as it was"
        };
        let secs =
            engine::run_client_step(s, &plan.command, &script, limit, left, "proxy-oa rank --on-cluster --dry-run")?;
        crossed.steps.push((s.name.to_string(), secs));
        Ok(())
    };
    let conn = Connection::open_in_memory()?;
    let bar = super::progress(&cfg.rank);

    // 1-2. The inputs up; the counts on the cluster.
    let t = Instant::now();
    bar.set_message("words (on the cluster)");
    super::inputs(&conn, &cfg.rank, extra)?;
    for (u, table) in plan.uploads.iter().zip(["rank_top", "rank_safe", "rank_feedback"]) {
        let file = work.path().join(format!("{table}.parquet"));
        // The table name is one of three constants; the file is bound.
        conn.execute(
            &format!("COPY (SELECT * FROM {table} ORDER BY ALL) TO ? (FORMAT PARQUET, COMPRESSION SNAPPY)"),
            params![file.display().to_string()],
        )?;
        crossed.uploaded_bytes += engine::upload_alone(&client, &base, &file, &u.hdfs)?;
    }
    for d in [&plan.counts_down, &plan.rows_down] {
        client.mkdirs(&base.with_path(&d.hdfs))?;
    }
    step(&plan.setup, &mut crossed)?;
    step(&plan.counts, &mut crossed)?;

    // 3. The counts down; corpus, fit and qualifying pairs here.
    let (files, bytes) = engine::download_folder(&client, &base, &plan.counts_down, work.path())?;
    crossed.downloaded_bytes += bytes;
    crossed.counts_bytes = bytes;
    read_counts(&conn, &files)?;
    let corpus = super::statements(super::CORPUS_SQL).pop().context("schema/rank_corpus.sql ends with the corpus")?;
    let all = super::params(day, &cfg.rank);
    super::execute(&conn, &[corpus], &all)?;
    super::learn(&conn, day, &cfg.rank, &mut report, corpus_out, t, &bar)?;
    let t = Instant::now();
    bar.set_message("score (on the cluster)");
    let mut score = super::statements(&super::score_sql(cfg.rank.topics));
    let select = score.pop().context("schema/rank_score.sql ends with the selection")?;
    super::execute(&conn, &score[..1], &all).context("scoring the corpus pairs")?;

    // 4. The pairs up; their rows on the cluster; down.
    let pairs = work.path().join("pairs.parquet");
    conn.execute(
        "COPY (SELECT clientip, word, score FROM rank_low ORDER BY ALL) TO ? (FORMAT PARQUET, COMPRESSION SNAPPY)",
        params![pairs.display().to_string()],
    )?;
    crossed.uploaded_bytes += engine::upload_alone(&client, &base, &pairs, &plan.pairs_up.hdfs)?;
    step(&plan.rows, &mut crossed)?;
    let (files, bytes) = engine::download_folder(&client, &base, &plan.rows_down, work.path())?;
    crossed.downloaded_bytes += bytes;
    read_selected(&conn, &files)?;

    // 5. The results file, in spot-ml's order: on HDFS, then in the day's folder with its record.
    let local = work.path().join(super::RESULTS_FILE);
    let (written, cleaned) = super::write_results(&conn, &select, cfg.rank.max_results, &local)?;
    report.rows_written = written;
    report.values_cleaned = cleaned;
    crossed.uploaded_bytes += put_results(&client, &base, &local, &plan.results)?;
    keep_results(&local, &data_dir, &made_from(cfg, day, extra), written)?;
    report.seconds.push(("score and write (on the cluster)".into(), t.elapsed().as_secs_f64()));
    bar.finish_and_clear();

    // 6. Clean up (a failure is only a warning: the next ranking redefines the staging tables).
    if let Err(e) = step(&plan.cleanup, &mut crossed) {
        report.warnings.push(format!("the ranking's staging tables were not dropped: {e:#}"));
    }
    if let Err(e) = client.delete_tree(&base.with_path(&plan.staging)) {
        report.warnings.push(format!("{} was not removed: {e:#}", plan.staging));
    }
    report.cluster = Some(crossed);
    Ok(report)
}

/// `rank_counts`: the (client IP, word) counts the cluster computed, from their downloaded files.
fn read_counts(conn: &Connection, files: &[std::path::PathBuf]) -> Result<()> {
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE rank_counts (clientip VARCHAR, word VARCHAR, is_day BOOLEAN, reqmethod VARCHAR,
             respcode VARCHAR, hh VARCHAR, n BIGINT, row_count BIGINT);",
    )?;
    if !files.is_empty() {
        engine::point_at(conn, files)?;
        conn.execute_batch(
            "INSERT INTO rank_counts
             SELECT CAST(clientip AS VARCHAR), CAST(word AS VARCHAR), CAST(is_day AS BOOLEAN),
                    CAST(reqmethod AS VARCHAR), CAST(respcode AS VARCHAR), CAST(hh AS VARCHAR), CAST(n AS BIGINT),
                    CAST(row_count AS BIGINT)
             FROM read_parquet(getvariable('proxy_oa_cluster_files'), binary_as_string = true);",
        )
        .context("reading the counts the cluster computed")?;
    }
    Ok(())
}

/// `rank_selected`: the day's rows of the qualifying pairs the cluster selected, from their downloaded files.
fn read_selected(conn: &Connection, files: &[std::path::PathBuf]) -> Result<()> {
    let typed: Vec<(&str, &str)> = RESULT_COLUMNS
        .iter()
        .map(|c| (*c, schema::PROXY.columns.iter().find(|(n, _)| n == c).map_or("VARCHAR", |(_, t)| t.duckdb())))
        .collect();
    // Column names and types come from the registry.
    let cols: Vec<String> = typed.iter().map(|(c, ty)| format!("{c} {ty}")).collect();
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE rank_selected ({}, word VARCHAR, score DOUBLE)",
        cols.join(", ")
    ))?;
    if !files.is_empty() {
        engine::point_at(conn, files)?;
        let casts: Vec<String> = typed.iter().map(|(c, ty)| format!("CAST({c} AS {ty})")).collect();
        conn.execute_batch(&format!(
            "INSERT INTO rank_selected
             SELECT {}, CAST(word AS VARCHAR), CAST(score AS DOUBLE)
             FROM read_parquet(getvariable('proxy_oa_cluster_files'), binary_as_string = true)",
            casts.join(", ")
        ))
        .context("reading the rows the cluster selected")?;
    }

    Ok(())
}

/// The results file written at `local` into the day's folder `data_dir` (beside, then renamed), with the record
/// of what it was `made_from`.
fn keep_results(local: &Path, data_dir: &Path, made_from: &MadeFrom, written: u64) -> Result<()> {
    let out = data_dir.join(super::RESULTS_FILE);
    super::remove_record(data_dir)?;
    let tmp = crate::workspace::temp_beside(&out)?;
    std::fs::copy(local, tmp.path()).with_context(|| format!("writing {}", tmp.path().display()))?;
    tmp.as_file().sync_all()?;
    tmp.persist(&out).with_context(|| format!("writing {}", out.display()))?;
    super::write_record(data_dir, made_from, written)?;
    Ok(())
}

/// What a ranking on the cluster was made from: the cluster's partition stands for the raw files (their bytes are
/// not seen here).
pub fn made_from(cfg: &Config, day: Day, extra: &Extra) -> MadeFrom {
    let (y, m, d) = day.raw_partition();
    let raw = format!("on the cluster: {}.proxy y={y}/m={m}/d={d}", cfg.impala.dbname);
    MadeFrom::new(day, &[raw], &cfg.rank, extra)
}

/// The results file up to `hdfs`: written under a hidden name beside it, the old file removed, then renamed.
fn put_results(client: &WebHdfs, base: &crate::hdfs::webhdfs::Address, local: &Path, hdfs: &str) -> Result<u64> {
    let folder = hdfs.rsplit_once('/').map(|x| x.0).unwrap_or_default();
    client.mkdirs(&base.with_path(folder))?;
    let tmp = partial_name(Path::new(hdfs)).display().to_string();
    let bytes = client.upload(local, &base.with_path(&tmp))?;
    client.delete_tree(&base.with_path(hdfs))?;
    client.rename(&base.with_path(&tmp), hdfs)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::spark_test_config as spark_config;

    #[test]
    fn the_statements_have_no_value_no_duckdb_only_syntax_and_every_rule_expanded() {
        let day: Day = "20161211".parse().unwrap();
        let plan = plan(&spark_config(), day, Path::new("s.sql")).unwrap();
        for step in [&plan.counts, &plan.rows] {
            let sql = &step.statements[0];
            for bad in [
                "lambda",
                "list_",
                "string_split",
                "unicode(",
                "||",
                "::",
                "rank_domain",
                "rank_entropy",
                "rank_word(",
                "proxy_text",
                "$raw",
                "$dupfactor",
                "'2016",
                "MATERIALIZED",
            ] {
                assert!(!sql.contains(bad), "{} has {bad}:\n{sql}", step.name);
            }
            for good in ["${hivevar:dupfactor}", "'${hivevar:raw_y}'", "aggregate(", "${hivevar:dbname}.proxy"] {
                assert!(sql.contains(good), "{} lacks {good}:\n{sql}", step.name);
            }
        }
        assert!(plan.counts.statements[0]
            .contains("INSERT OVERWRITE TABLE ${hivevar:dbname}.proxy_oa_rank_counts_20161211"));
        assert!(plan.rows.statements[0].contains("proxy_oa_rank_pairs_20161211"));
        assert_eq!(plan.results, "/user/spot/proxy/scored_results/20161211/scores/proxy_results.csv");
        assert!(plan.command.contains(&"dupfactor=1000".to_string()), "{:?}", plan.command);
    }

    #[test]
    fn impala_is_refused_with_the_reason() {
        let mut cfg = spark_config();
        cfg.impala.engine = crate::config::Engine::Impala;
        cfg.impala.client = crate::config::Client::ImpalaShell;
        let err = plan(&cfg, "20161211".parse().unwrap(), Path::new("s.sql")).unwrap_err();
        assert_eq!(err.downcast_ref::<Error>().map(Error::exit_code), Some(3));
        assert!(err.to_string().contains("Impala's SQL cannot do"), "{err}");
    }
}
