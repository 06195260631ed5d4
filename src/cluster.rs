//! `run --on-cluster`: the day's `proxy_edge` and `proxy_ingest_summary` computed by the cluster's SQL engine
//! (Spark SQL through `beeline`, or Impala through `impala-shell`) next to its `proxy` table, from the same
//! statements the local run uses ([`crate::dialect`]).
//!
//! In order, all inside the caller's store transaction, which commits only at the end:
//! 1. the day's `proxy_scores` (enriched locally), its `proxy_findings` and the IANA names go up as Parquet through
//!    WebHDFS into a staging folder (`${huser}/proxy/oa-staging/<date>/`), each under a hidden name, then renamed;
//! 2. `setup`: the OA tables (Spot's DDL, as bundles carry it) and the day's staging tables over that folder;
//! 3. `proxy_edge`, `proxy_ingest_summary` and `analyst raw rows` fill the staging tables (`INSERT OVERWRITE`);
//! 4. their files come back through WebHDFS into the store's transaction (and the analyst's raw rows into the day's
//!    `raw/` folder, swapped in at the commit);
//! 5. `publish`: `INSERT OVERWRITE ... PARTITION (y, m, d)` of the four OA tables (`proxy_findings` too) from the
//!    staging tables, so a re-run replaces the day; then `cleanup` drops the staging tables and folder.
//!
//! Anything failing before `publish` leaves the cluster's tables and the local store as they were. Each step is one
//! client run, so an error names its statements; values reach the statements only as client variables.

use crate::config::Config;
use crate::day::Day;
use crate::dialect::{self, Dialect, Query, Staging};
use crate::engine::{
    client_command, dialect_of, download_folder, external_table, hdfs_home, point_at, run_client_step, script_path,
    upload_alone, variables, webhdfs_namenode, Step, Transfer,
};
use crate::error::Error;
use crate::hdfs::webhdfs::{Address, WebHdfs};
use crate::schema::{self, Table};
use crate::stage::{Meter, Stage};
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The settings a run on the cluster needs (engine and client, a WebHDFS namenode); the namenode's address.
pub fn check(cfg: &Config) -> Result<Address> {
    dialect_of(cfg)?;
    webhdfs_namenode(cfg, "a run on the cluster moves files")
}

/// Everything a cluster run does, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub engine: &'static str,
    /// The client command line of every step, `-f` naming the step's script.
    pub command: Vec<String>,
    /// The day's staging folder on HDFS.
    pub staging: String,
    pub uploads: Vec<Transfer>,
    /// setup and the three statements that compute the day.
    pub compute: Vec<Step>,
    pub downloads: Downloads,
    pub publish: Step,
    pub cleanup: Step,
}

/// What comes back from the cluster, each from its staging table's folder.
#[derive(Debug, Clone, Serialize)]
pub struct Downloads {
    pub edge: Transfer,
    pub summary: Transfer,
    pub raw: Transfer,
}

impl Downloads {
    /// In the order they come down.
    pub fn all(&self) -> [&Transfer; 3] {
        [&self.edge, &self.summary, &self.raw]
    }
}

/// A staging table: its name, its folder under the staging folder, its columns.
struct StageTable {
    name: String,
    folder: &'static str,
    columns: Vec<(String, &'static str)>,
}

fn columns_of(t: &Table) -> Vec<(String, &'static str)> {
    t.columns.iter().map(|(c, ty)| (c.to_string(), ty.impala())).collect()
}

fn stage_tables(day: Day) -> [StageTable; 6] {
    let s = Staging::new(day);
    [
        StageTable { name: s.scores, folder: "scores", columns: columns_of(&schema::PROXY_SCORES) },
        StageTable {
            name: s.iana,
            folder: "iana",
            columns: vec![("code".into(), "STRING"), ("name".into(), "STRING")],
        },
        StageTable { name: s.edge, folder: "edge", columns: columns_of(&schema::PROXY_EDGE) },
        StageTable { name: s.summary, folder: "summary", columns: columns_of(&schema::PROXY_INGEST_SUMMARY) },
        StageTable { name: s.raw, folder: "raw", columns: columns_of(&schema::PROXY) },
        StageTable { name: s.findings, folder: "findings", columns: columns_of(&schema::PROXY_FINDINGS) },
    ]
}

/// The plan of a cluster run of `day`; `script` is where each step's statements are written.
pub fn plan(cfg: &Config, day: Day, script: &Path) -> Result<Plan> {
    let dialect = dialect_of(cfg)?;
    let db = dialect::var(dialect, "dbname");
    let hu = dialect::var(dialect, "huser");
    let folder = staging_folder(day);
    let staging = format!("{}/{folder}", hdfs_home(cfg));
    let tables = stage_tables(day);
    let vars = |s: String| if dialect == Dialect::Spark { s.replace("${var:", "${hivevar:") } else { s };

    let mut setup = vec![];
    if cfg.impala.create_database {
        setup.push(format!("CREATE DATABASE IF NOT EXISTS {db}"));
    }
    for t in schema::OA_TABLES {
        setup.push(vars(t.impala_ddl().trim_end().trim_end_matches(';').to_string()));
    }
    for t in &tables {
        setup.extend(external_table(dialect, &t.name, &t.columns, &format!("{hu}/{folder}/{}", t.folder)));
    }
    let [scores, _iana, edge, summary, raw, findings] = &tables;
    let compute = vec![
        Step { name: "setup", statements: setup },
        Step { name: "proxy_edge", statements: vec![dialect::cluster(Query::Edge, dialect, day, &edge.name)] },
        Step {
            name: "proxy_ingest_summary",
            statements: vec![dialect::cluster(Query::IngestSummary, dialect, day, &summary.name)],
        },
        Step {
            name: "analyst raw rows",
            statements: vec![dialect::cluster(Query::AnalystRawRows, dialect, day, &raw.name)],
        },
    ];
    let part = format!(
        "PARTITION (y={}, m={}, d={})",
        dialect::var(dialect, "oa_y"),
        dialect::var(dialect, "oa_m"),
        dialect::var(dialect, "oa_d")
    );
    let mut publish = vec![];
    for (t, st) in [
        (schema::PROXY_SCORES, scores),
        (schema::PROXY_EDGE, edge),
        (schema::PROXY_INGEST_SUMMARY, summary),
        (schema::PROXY_FINDINGS, findings),
    ] {
        let cols: Vec<String> = t.columns.iter().map(|(c, _)| format!("`{c}`")).collect();
        publish.push(format!(
            "INSERT OVERWRITE TABLE {db}.{} {part}\nSELECT {} FROM {db}.{}",
            t.name,
            cols.join(", "),
            st.name
        ));
    }
    let cleanup = tables.iter().map(|t| format!("DROP TABLE IF EXISTS {db}.{}", t.name)).collect();
    let at = |t: &StageTable| format!("{staging}/{}", t.folder);
    Ok(Plan {
        engine: cfg.impala.engine.name(),
        command: client_command(cfg, &variables(cfg, day), script),
        uploads: vec![
            Transfer {
                what: "proxy_scores",
                hdfs: format!("{}/proxy_scores-{}.parquet", at(&tables[0]), day.compact()),
            },
            Transfer {
                what: "IANA response codes",
                hdfs: format!("{}/iana-{}.parquet", at(&tables[1]), day.compact()),
            },
            Transfer {
                what: "proxy_findings",
                hdfs: format!("{}/proxy_findings-{}.parquet", at(&tables[5]), day.compact()),
            },
        ],
        downloads: Downloads {
            edge: Transfer { what: "proxy_edge", hdfs: at(edge) },
            summary: Transfer { what: "proxy_ingest_summary", hdfs: at(summary) },
            raw: Transfer { what: "analyst raw rows", hdfs: at(raw) },
        },
        staging,
        compute,
        publish: Step { name: "publish", statements: publish },
        cleanup: Step { name: "cleanup", statements: cleanup },
    })
}

/// A day's staging folder under the tables' home (`${huser}` on the cluster, `[hdfs] huser` through WebHDFS).
fn staging_folder(day: Day) -> String {
    format!("proxy/oa-staging/{}", day.compact())
}

impl Plan {
    /// Every statement and transfer, in order (`run --on-cluster --dry-run`).
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "-- proxy-oa run --on-cluster: {} through `{}`\n-- every step runs as: {}\n",
            self.engine,
            self.command[0],
            self.command.join(" ")
        );
        for u in &self.uploads {
            s.push_str(&format!("-- upload {} (Parquet, hidden name then renamed) to {}\n", u.what, u.hdfs));
        }
        for step in &self.compute {
            s.push_str(&format!("\n-- step {}\n{}", step.name, step.script()));
        }
        for d in self.downloads.all() {
            s.push_str(&format!("\n-- download {} from {}/", d.what, d.hdfs));
        }
        s.push('\n');
        for step in [&self.publish, &self.cleanup] {
            s.push_str(&format!("\n-- step {}\n{}", step.name, step.script()));
        }
        s.push_str(&format!("-- delete {} (recursive)\n", self.staging));
        s
    }
}

/// What a cluster run did, for the run summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub engine: String,
    pub client: String,
    pub uploaded_bytes: u64,
    pub downloaded_bytes: u64,
    /// Each step's name and seconds (the client's start included).
    pub steps: Vec<(String, f64)>,
}

/// What the cluster computed for the run summary: its stages so far, its report, and the rows taken into the
/// store's transaction.
pub struct Computed {
    pub stages: Vec<Stage>,
    pub report: Report,
    pub edge_rows: u64,
    pub minutes: u64,
}

/// Steps 1-4 of `plan` for `day` inside the store transaction `tx`, whose `proxy_scores` already holds the day:
/// upload, compute on the cluster, and take the day's `proxy_edge` and `proxy_ingest_summary` rows into `tx`, the
/// analyst's raw rows into `raw_dir` (as a file proxy-oa writes). Nothing on the cluster's tables changes yet.
pub fn compute(tx: &Connection, cfg: &Config, day: Day, plan: &Plan, work: &Path, raw_dir: &Path) -> Result<Computed> {
    let base = check(cfg)?;
    let client = WebHdfs::new(&cfg.hdfs)?;
    let limit = Duration::from_secs(cfg.impala.timeout_secs);
    let mut report =
        Report { engine: plan.engine.to_string(), client: cfg.impala.client.name().to_string(), ..Default::default() };
    let mut stages = vec![upload(tx, &client, &base, day, plan, work, &mut report)?];

    // 2-3. Compute on the cluster.
    for step in &plan.compute {
        let s = run_step(step, plan, &script_path(work), limit)?;
        report.steps.push((step.name.to_string(), s));
        stages.push(Stage {
            seconds: s,
            note: format!("on {} ({} statement(s))", plan.engine, step.statements.len()),
            ..Stage::new(stage_name(step.name))
        });
    }

    // 4. Download and take in.
    let m = Meter::start();
    let mut down = |d: &Transfer| -> Result<Vec<PathBuf>> {
        let (files, bytes) = download_folder(&client, &base, d, work)?;
        report.downloaded_bytes += bytes;
        Ok(files)
    };
    let (edge, summary, raw) =
        (down(&plan.downloads.edge)?, down(&plan.downloads.summary)?, down(&plan.downloads.raw)?);
    let edge_rows = take_in(tx, &schema::PROXY_EDGE, &edge, day)?;
    let minutes = take_in(tx, &schema::PROXY_INGEST_SUMMARY, &summary, day)?;
    let raw_rows = write_raw(tx, &raw, raw_dir)?;
    stages.push(m.finish(Stage {
        rows_in: edge_rows + minutes + raw_rows,
        note: format!(
            "{} bytes of Parquet down through WebHDFS: {edge_rows} proxy_edge rows, {minutes} minutes, {raw_rows} raw \
             rows for the analyst",
            report.downloaded_bytes
        ),
        ..Stage::new("cluster download")
    }));
    if minutes == 0 {
        let (y, m, d) = day.raw_partition();
        return Err(Error::Unavailable(format!(
            "the cluster's {}.proxy has no rows for y={y}/m={m}/d={d} (step proxy_ingest_summary counted none): is the \
             day's partition there? Nothing was published; the cluster's tables and the local store are as they were",
            cfg.impala.dbname,
        ))
        .into());
    }
    Ok(Computed { stages, report, edge_rows, minutes })
}

/// 1. The day's `proxy_scores` and the IANA names up as Parquet; the download folders made.
fn upload(
    tx: &Connection,
    client: &WebHdfs,
    base: &Address,
    day: Day,
    plan: &Plan,
    work: &Path,
    report: &mut Report,
) -> Result<Stage> {
    let m = Meter::start();
    let files = [work.join("proxy_scores.parquet"), work.join("iana.parquet"), work.join("proxy_findings.parquet")];
    for (t, f) in [(schema::PROXY_SCORES, &files[0]), (schema::PROXY_FINDINGS, &files[2])] {
        let p = t.day_params(day);
        // Table and column names come from the registry; the day and the file are bound.
        let sql = format!(
            "COPY (SELECT {} FROM {} WHERE {} {}) TO ? (FORMAT PARQUET, COMPRESSION SNAPPY)",
            t.cast_list(),
            t.name,
            crate::on_day!(),
            t.order_by()
        );
        tx.execute(&sql, params![p[0], p[1], p[2], f.display().to_string()])?;
    }
    tx.execute(
        "COPY (SELECT CAST(code AS VARCHAR) AS code, CAST(name AS VARCHAR) AS name FROM lk_iana ORDER BY code) \
         TO ? (FORMAT PARQUET, COMPRESSION SNAPPY)",
        params![files[1].display().to_string()],
    )?;
    for (f, u) in files.iter().zip(&plan.uploads) {
        report.uploaded_bytes += upload_alone(client, base, f, &u.hdfs)?;
    }
    for d in plan.downloads.all() {
        client.mkdirs(&base.with_path(&d.hdfs))?;
    }
    Ok(m.finish(Stage {
        rows_in: files.len() as u64,
        note: format!("{} bytes of Parquet up through WebHDFS to {}", report.uploaded_bytes, plan.staging),
        ..Stage::new("cluster upload")
    }))
}

/// Step 5 of `plan`: publish the day's partitions, then clean up (a failed clean-up is only a warning: the next
/// run redefines the staging tables). The publish stage and the warnings.
pub fn publish(cfg: &Config, day: Day, plan: &Plan, work: &Path, report: &mut Report) -> Result<(Stage, Vec<String>)> {
    let base = check(cfg)?;
    let client = WebHdfs::new(&cfg.hdfs)?;
    let limit = Duration::from_secs(cfg.impala.timeout_secs);
    let script = script_path(work);
    let s = run_step(&plan.publish, plan, &script, limit)?;
    report.steps.push(("publish".into(), s));
    let stage = Stage {
        seconds: s,
        note: format!("INSERT OVERWRITE of the day's partition of {}", schema::OA_TABLES.map(|t| t.name).join(", ")),
        ..Stage::new("cluster publish")
    };
    let mut warnings = vec![];
    match run_step(&plan.cleanup, plan, &script, limit) {
        Ok(s) => report.steps.push(("cleanup".into(), s)),
        Err(e) => warnings.push(format!("the staging tables of {} were not dropped: {e:#}", day.compact())),
    }
    if let Err(e) = client.delete_tree(&base.with_path(&plan.staging)) {
        warnings.push(format!("{} was not removed: {e:#}", plan.staging));
    }
    Ok((stage, warnings))
}

fn stage_name(step: &str) -> &'static str {
    match step {
        "setup" => "cluster setup",
        "proxy_edge" => "cluster proxy_edge",
        "proxy_ingest_summary" => "cluster summary",
        "analyst raw rows" => "cluster raw rows",
        _ => "cluster",
    }
}

/// One client run of a step of the run `plan`; its seconds. A failure names the step, says what it left, and
/// lists its statements' first lines (exit 5, or 4 when the client could not run).
fn run_step(step: &Step, plan: &Plan, script: &Path, limit: Duration) -> Result<f64> {
    // What a failure of this step leaves: before publish nothing on the cluster's tables; publish may have
    // replaced some of the three partitions; cleanup comes after the day is published.
    let left = match step.name {
        "publish" => {
            "the cluster's partition of the day may be partly replaced (run the day again); the local store is \
             unchanged"
        }
        "cleanup" => "the day is published; its staging tables remain until the next run of the day",
        _ => "nothing was published and the local store is unchanged",
    };
    run_client_step(step, &plan.command, script, limit, left, "proxy-oa run --on-cluster --dry-run")
}

/// Insert the day's rows of `t` from the downloaded Parquet files (columns by name, as the staging table has
/// them); rows inserted.
fn take_in(tx: &Connection, t: &Table, files: &[PathBuf], day: Day) -> Result<u64> {
    if files.is_empty() {
        return Ok(0);
    }
    point_at(tx, files)?;
    let (y, m, d) = day.ymd();
    // Column names and types come from the registry; the files and the day are bound.
    let sql = format!(
        "INSERT INTO {} ({}, y, m, d) SELECT {}, ?, ?, ? FROM read_parquet(getvariable('proxy_oa_cluster_files'), \
         binary_as_string = true) {}",
        t.name,
        t.column_list(),
        t.cast_list(),
        t.order_by()
    );
    let n = tx.execute(&sql, params![y, m, d]).with_context(|| format!("reading the cluster's {} files", t.name))?;
    Ok(n as u64)
}

/// The analyst's raw rows as one file proxy-oa writes in `raw_dir`, with the marker that says where they came
/// from; rows written.
fn write_raw(tx: &Connection, files: &[PathBuf], raw_dir: &Path) -> Result<u64> {
    std::fs::create_dir_all(raw_dir).with_context(|| format!("creating {}", raw_dir.display()))?;
    let marker = raw_dir.join(crate::workspace::FROM_CLUSTER);
    std::fs::write(&marker, FROM_CLUSTER_TEXT).with_context(|| format!("writing {}", marker.display()))?;
    if files.is_empty() {
        return Ok(0);
    }
    point_at(tx, files)?;
    let out = raw_dir.join(format!("{}cluster-rows.parquet", schema::OUR_RAW_PREFIX));
    let sql = format!(
        "COPY (SELECT {} FROM read_parquet(getvariable('proxy_oa_cluster_files'), binary_as_string = true) {}) \
         TO ? (FORMAT PARQUET, COMPRESSION SNAPPY)",
        schema::PROXY.cast_list(),
        schema::PROXY.order_by()
    );
    let n = tx.execute(&sql, params![out.display().to_string()])?;
    Ok(n as u64)
}

const FROM_CLUSTER_TEXT: &str = "This folder holds only the raw rows `proxy-oa run --on-cluster` brought back for the \
                                 analyst (the rows to or referred by the day's suspicious URIs), not the whole day.\n";
