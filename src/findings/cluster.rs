//! The behaviour detectors of a day whose raw rows stay in the cluster's `proxy` table (`run --on-cluster` on
//! Spark SQL): the same statements as a local run ([`super::SQL_DETECTORS`], the beacon's pairs, the dga's pairs,
//! the Sigma rules' pass, the evidence rows), rendered by [`crate::dialect`] with the three engine-specific macros in Spark's spelling
//! (`schema/findings_spark.sql`); what only Rust computes (the beacon score, the dga host score, the site's own
//! addresses) and each Sigma rule's findings from its rows are computed here from what comes back, exactly as
//! locally.
//!
//! In order (each client run is one step; values reach the statements only as client variables, the Sigma rules'
//! values as a one-row table):
//! 1. up: the imported Sigma rules' values; `findings`: each SQL detector's rows, the beacon's candidate pairs with
//!    their times and bytes as lists, the day's distinct hosts, its first and last second, and the rows any Sigma
//!    rule matches (a column per rule), each into a table of its own under
//!    `${huser}/proxy/oa-staging/<date>-findings/` (`CREATE TABLE ... AS`: each detector's evidence columns are its
//!    own);
//! 2. down: those tables; here, the beacon scores, the dga host scores, each Sigma rule's findings from its rows,
//!    the site's own addresses dropped;
//! 3. up: the findings so far and the generated-looking hosts; `findings evidence`: the dga's (client, host) pairs
//!    and, with `[rank] mode = "evidence"`, the one raw row of each pair the evidence ranking puts first; down;
//! 4. `findings cleanup` drops the tables; the staging folder goes.
//!
//! The earlier days the `first_seen` and `rare_agent` detectors compare with are the cluster's partitions of the
//! `[findings] baseline_days` days before (a local run: the workspace's stored days). Nothing here changes a table:
//! a failure leaves the store and the cluster as they were.

use super::{evidence, FindingsCfg, STAGE};
use crate::config::{Config, RankMode};
use crate::day::Day;
use crate::dialect::{self, body, Dialect, Macro, Param};
use crate::engine::{self, client_command, hdfs_home, webhdfs_namenode, Step, Transfer};
use crate::enrich::network_context::NetworkContext;
use crate::hdfs::webhdfs::{Address, WebHdfs};
use crate::stage::{Meter, Stage};
use crate::store::Rows;
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Spark SQL's spelling of the detectors' engine-specific macros.
const SPARK_SQL: &str = include_str!("../../schema/findings_spark.sql");

/// Everything the detectors on the cluster do, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub engine: &'static str,
    /// The client command line of every step, `-f` naming the step's script.
    pub command: Vec<String>,
    /// The detectors' staging folder on HDFS.
    pub staging: String,
    /// The imported Sigma rules' values (one row, a column each), up before step 1.
    pub sigma_up: Option<Transfer>,
    /// Step 1, and the tables it makes (each comes down from its folder).
    pub detect: Step,
    pub detect_down: Vec<Transfer>,
    /// Step 3's uploads: the findings so far, the generated-looking hosts.
    pub uploads: Vec<Transfer>,
    /// Step 3: the upload tables, the dga's pairs, the evidence rows (a run takes those it needs).
    pub evidence: Step,
    pub evidence_down: Vec<Transfer>,
    pub cleanup: Step,
}

/// A table the detectors make on the cluster: its name and folder (under the staging folder).
struct Made {
    what: &'static str,
    name: String,
}

fn table(day: Day, what: &str) -> String {
    format!("proxy_oa_find_{what}_{}", day.compact())
}

/// The tables of step 1 that `cfg` asks for, with their statements' bodies (the parameters: [`all_params`]).
fn detect_bodies(cfg: &FindingsCfg) -> Vec<(&'static str, String)> {
    let mut v = vec![(
        "span",
        "SELECT count(*) AS n, min(proxy_secs(p_time)) AS lo, max(proxy_secs(p_time)) AS hi FROM raw_day".to_string(),
    )];
    if cfg.runs("beacon") {
        v.push(("beacon", body(super::BEACON_ROWS_SQL)));
    }
    for (name, sql) in super::SQL_DETECTORS {
        if cfg.runs(name) {
            v.push((name, body(sql)));
        }
    }
    if cfg.runs("dga") {
        v.push(("hosts", "SELECT DISTINCT host FROM raw_day WHERE host IS NOT NULL".into()));
    }
    v
}

/// The Hive type of a parameter's value.
fn hive_type(p: &Param) -> &'static str {
    match p {
        Param::Text(_) => "STRING",
        Param::Int(_) => "BIGINT",
        Param::Float(_) => "DOUBLE",
    }
}

/// The macros the statements expand: the store's, with Spark's spelling of the detectors' three.
fn spark_macros() -> Vec<Macro> {
    let spark = dialect::parse_macros(SPARK_SQL);
    dialect::macros().into_iter().map(|m| spark.iter().find(|s| s.name == m.name).cloned().unwrap_or(m)).collect()
}

/// Every parameter the statements name: the day's, the earlier days' first and last, every detector's setting.
fn all_params(c: &Config, day: Day) -> Vec<(&'static str, Param)> {
    let cfg = &c.findings;
    let mut p = dialect::params(day);
    let n = cfg.baseline_days.max(1);
    let first = day.days_before(n).map_or_else(|| "00000000".to_string(), |d| d.compact());
    let last = day.days_before(1).map_or_else(|| "00000000".to_string(), |d| d.compact());
    // With no earlier day to compare with, a range that holds none.
    let (first, last) = if cfg.baseline_days == 0 { (last, "00000000".to_string()) } else { (first, last) };
    p.push(("earlier_first", Param::Text(first)));
    p.push(("earlier_last", Param::Text(last)));
    p.push(("min_evidence", Param::Float(c.rank.evidence_min_score)));
    for name in ["beacon", "raw_ip", "rare_agent", "tunnel", "first_seen", "dga"] {
        for (k, v) in super::sql_params(cfg, name) {
            if !p.iter().any(|(n, _)| *n == k) {
                p.push((k, v));
            }
        }
    }
    p
}

/// `earlier_days AS (...)`: the cluster's partitions of the days from `$earlier_first` to `$earlier_last`, with
/// the value rules applied as in `raw_day`, each partition's rows of its own date, and their `y`, `m`, `d`.
fn earlier_days_cte(dialect: Dialect) -> String {
    let db = dialect::var(dialect, "dbname");
    let ruled = dialect::ruled_columns();
    // A partition's rows of its own date only, as the store's `proxy` view keeps a stored day's.
    format!(
        "earlier_days AS (\n  SELECT e.* FROM (\n    SELECT {}, y, m, d\n    FROM {db}.proxy\n    WHERE concat(y, m, d) \
         >= $earlier_first AND concat(y, m, d) <= $earlier_last\n  ) AS e\n  WHERE e.p_date = concat(e.y, '-', e.m, \
         '-', e.d)\n)",
        ruled.join(", ")
    )
}

/// `DROP TABLE` and `CREATE TABLE ... STORED AS PARQUET LOCATION ... AS` of `name` from `ctes` and `body`.
fn made_table(dialect: Dialect, name: &str, location: &str, ctes: &str, body: &str) -> [String; 2] {
    let db = dialect::var(dialect, "dbname");
    [
        format!("DROP TABLE IF EXISTS {db}.{name}"),
        format!(
            "CREATE TABLE {db}.{name}\nSTORED AS PARQUET\nLOCATION '{location}'\nAS\nWITH {ctes}\nSELECT * FROM (\n{body}\n) AS q"
        ),
    ]
}

/// Step 3's statements: the uploads as tables (4), the dga's pairs (2), the evidence rows (2), each `render`ed.
fn evidence_statements(day: Day, folder: &str, render: &dyn Fn(&str) -> String) -> Vec<String> {
    let dialect = Dialect::Spark;
    let db = dialect::var(dialect, "dbname");
    let hu = dialect::var(dialect, "huser");
    let (up_findings, up_dga, dga, ev) =
        (table(day, "up_findings"), table(day, "up_dga"), table(day, "dga"), table(day, "evidence"));
    let mut evidence = vec![];
    evidence.extend(engine::external_table(
        dialect,
        &up_findings,
        &[
            ("detector".into(), "STRING"),
            ("clientip".into(), "STRING"),
            ("host".into(), "STRING"),
            ("score".into(), "FLOAT"),
            ("first_time".into(), "STRING"),
        ],
        &format!("{hu}/{folder}/up_findings"),
    ));
    evidence.extend(engine::external_table(
        dialect,
        &up_dga,
        &[
            ("host".into(), "STRING"),
            ("label".into(), "STRING"),
            ("score".into(), "DOUBLE"),
            ("bigram".into(), "DOUBLE"),
            ("consonant_run".into(), "INT"),
            ("digits".into(), "INT"),
            ("switches".into(), "INT"),
            ("entropy".into(), "DOUBLE"),
        ],
        &format!("{hu}/{folder}/up_dga"),
    ));
    let raw_day = dialect::raw_day_cte(dialect);
    let dga_ctes = format!("{raw_day},\ndga_hosts AS (SELECT * FROM {db}.{up_dga})");
    for s in made_table(dialect, &dga, &format!("{hu}/{folder}/dga"), &dga_ctes, &body(super::DGA_SQL)) {
        evidence.push(render(&s));
    }
    let found = "SELECT detector, clientip, host, score, first_time";
    let ev_ctes =
        format!("{raw_day},\nstage_findings AS ({found} FROM {db}.{up_findings}\n  UNION ALL {found} FROM {db}.{dga})");
    let ev_body = body(evidence::EVIDENCE_ROWS_SQL).replace("/* first times */", "SELECT k.first_time FROM kept AS k");
    for s in made_table(dialect, &ev, &format!("{hu}/{folder}/evidence"), &ev_ctes, &ev_body) {
        evidence.push(render(&s));
    }

    evidence
}

/// The imported Sigma rules on the cluster: the external table of their values (one row, a column each, at the
/// staging folder's `sigma_params`) and the body of their pass, the values read from it as `sp.<parameter>`.
fn sigma_statements(sigma_table: &str, folder: &str, sigma: &[super::sigma::Rule]) -> ([String; 2], String) {
    let dialect = Dialect::Spark;
    let db = dialect::var(dialect, "dbname");
    let hu = dialect::var(dialect, "huser");
    let cols: Vec<(String, &str)> =
        super::sigma_params(sigma).into_iter().map(|(k, v)| (k.to_string(), hive_type(&v))).collect();
    let ddl = engine::external_table(dialect, sigma_table, &cols, &format!("{hu}/{folder}/sigma_params"));
    let names: Vec<&str> = sigma.iter().flat_map(|r| r.params.iter().map(|(k, _)| k.as_str())).collect();
    let hits = dialect::rename_params(&super::sigma_hits_sql(sigma), |n| names.contains(&n).then(|| format!("sp.{n}")))
        .replace("FROM raw_day", &format!("FROM raw_day CROSS JOIN {db}.{sigma_table} AS sp"))
        // A backslash is written twice in a Spark string literal.
        .replace("ESCAPE '\\'", "ESCAPE '\\\\'");
    (ddl, body(&hits))
}

/// The staging folder of a day's detectors, under the tables' home.
fn staging_folder(day: Day) -> String {
    format!("proxy/oa-staging/{}-findings", day.compact())
}

/// The plan of the detectors of `day` on the cluster (Spark SQL); `script` is where each step's statements are
/// written.
pub fn plan(cfg: &Config, day: Day, script: &Path, sigma: &[super::sigma::Rule]) -> Result<Plan> {
    let dialect = Dialect::Spark;
    let db = dialect::var(dialect, "dbname");
    let hu = dialect::var(dialect, "huser");
    let folder = staging_folder(day);
    let staging = format!("{}/{folder}", hdfs_home(cfg));
    let macros = spark_macros();
    let all = all_params(cfg, day);
    let render = |s: &str| dialect::render(s, dialect, &macros, &all);
    let relations = format!("{},\n{}", dialect::raw_day_cte(dialect), earlier_days_cte(dialect));

    let mut detect = vec![];
    let mut made = vec![];
    let mut bodies = detect_bodies(&cfg.findings);
    let sigma_table = table(day, "sigma_params");
    if cfg.findings.runs("sigma") && !sigma.is_empty() {
        let (ddl, hits) = sigma_statements(&sigma_table, &folder, sigma);
        detect.extend(ddl);
        bodies.push(("sigma", hits));
    }
    for (what, body) in bodies {
        let name = table(day, what);
        for s in made_table(dialect, &name, &format!("{hu}/{folder}/{what}"), &relations, &body) {
            detect.push(render(&s));
        }
        made.push(Made { what, name });
    }

    // Step 3: the uploads as tables, the dga's pairs, the evidence rows.
    let (up_findings, up_dga, dga, ev) =
        (table(day, "up_findings"), table(day, "up_dga"), table(day, "dga"), table(day, "evidence"));
    let evidence = evidence_statements(day, &folder, &render);

    let mut names: Vec<String> = made.iter().map(|m| m.name.clone()).collect();
    let sigma_up = (!sigma.is_empty() && cfg.findings.runs("sigma")).then(|| {
        names.push(sigma_table);
        Transfer { what: "sigma_params", hdfs: format!("{staging}/sigma_params/sigma-{}.parquet", day.compact()) }
    });
    names.extend([up_findings, up_dga, dga, ev]);
    let mut vars = engine::variables(cfg, day);
    for (k, v) in &all {
        if !vars.iter().any(|(n, _)| n == k) {
            vars.push((k.to_string(), v.text()));
        }
    }
    let at = |what: &'static str| Transfer { what, hdfs: format!("{staging}/{what}") };
    Ok(Plan {
        engine: cfg.impala.engine.name(),
        command: client_command(cfg, &vars, script),
        sigma_up,
        detect: Step { name: "findings", statements: detect },
        detect_down: made.iter().map(|m| at(m.what)).collect(),
        uploads: vec![
            Transfer { what: "up_findings", hdfs: format!("{staging}/up_findings/findings-{}.parquet", day.compact()) },
            Transfer { what: "up_dga", hdfs: format!("{staging}/up_dga/dga-{}.parquet", day.compact()) },
        ],
        evidence: Step { name: "findings evidence", statements: evidence },
        evidence_down: vec![at("dga"), at("evidence")],
        cleanup: Step {
            name: "findings cleanup",
            statements: names.iter().map(|n| format!("DROP TABLE IF EXISTS {db}.{n}")).collect(),
        },
        staging,
    })
}

impl Plan {
    /// Every statement and transfer, in order (part of `run --on-cluster --dry-run`).
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "-- proxy-oa run --on-cluster, first: the behaviour detectors on {} (src/findings/cluster.rs), before the \
             list is ordered\n-- every step runs as: {}\n",
            self.engine,
            self.command.join(" ")
        );
        match &self.sigma_up {
            Some(u) => s.push_str(&format!("-- upload the Sigma rules' values (one row) to {}\n", u.hdfs)),
            None => s.push_str("-- (imported Sigma rules would add their values' upload and a table `sigma` here)\n"),
        }
        s.push_str(&format!("\n-- step {}\n{}", self.detect.name, self.detect.script()));
        for d in &self.detect_down {
            s.push_str(&format!("-- download {} from {}/\n", d.what, d.hdfs));
        }
        s.push_str("-- here: the beacon scores, the dga host scores, the site's own addresses left out\n");
        for u in &self.uploads {
            s.push_str(&format!("-- upload {} to {}\n", u.what, u.hdfs));
        }
        s.push_str(&format!(
            "\n-- step {} (the dga's pairs when a host scored; the evidence rows in mode \"evidence\")\n{}",
            self.evidence.name,
            self.evidence.script()
        ));
        for d in &self.evidence_down {
            s.push_str(&format!("-- download {} from {}/\n", d.what, d.hdfs));
        }
        s.push_str(&format!("\n-- step {}\n{}", self.cleanup.name, self.cleanup.script()));
        s.push_str(&format!("-- delete {} (recursive)\n", self.staging));
        s
    }
}

/// What the detectors on the cluster are given.
pub struct Inputs<'a> {
    pub ws: &'a Workspace,
    pub cfg: &'a Config,
    pub day: Day,
    pub nc: &'a NetworkContext,
    pub names: Option<&'a super::dga::Model>,
    /// The imported Sigma rules that run.
    pub sigma: &'a [super::sigma::Rule],
    /// The list's order (`[rank] mode`): the evidence rows are selected only for `"evidence"`.
    pub mode: RankMode,
}

/// A client run of a step of the detectors; its seconds.
struct Runner<'a> {
    plan: &'a Plan,
    script: PathBuf,
    limit: Duration,
    client: WebHdfs,
    base: Address,
    work: &'a Path,
    up: u64,
    down: u64,
    steps: Vec<String>,
}

impl Runner<'_> {
    fn step(&mut self, s: &Step) -> Result<()> {
        let left = if s.name == "findings cleanup" {
            "the findings are made; the staging tables remain until the next run of the day"
        } else {
            "nothing was published and the local store is unchanged"
        };
        let secs = engine::run_client_step(
            s,
            &self.plan.command,
            &self.script,
            self.limit,
            left,
            "proxy-oa run --on-cluster --dry-run",
        )?;
        self.steps.push(format!("{} {secs:.1} s", s.name));
        Ok(())
    }

    /// The files of a table the cluster made, pointed at (`proxy_oa_cluster_files`); false when it has none.
    fn take(&mut self, conn: &Connection, d: &Transfer) -> Result<bool> {
        let (files, bytes) = engine::download_folder(&self.client, &self.base, d, self.work)?;
        self.down += bytes;
        if files.is_empty() {
            return Ok(false);
        }
        engine::point_at(conn, &files)?;
        Ok(true)
    }

    fn upload(&mut self, conn: &Connection, sql: &str, t: &Transfer) -> Result<()> {
        let file = self.work.join(format!("{}.parquet", t.what));
        // The statement is one of this module's constants; the file is bound.
        conn.execute(
            &format!("COPY ({sql}) TO ? (FORMAT PARQUET, COMPRESSION SNAPPY)"),
            params![file.display().to_string()],
        )?;
        self.up += engine::upload_alone(&self.client, &self.base, &file, &t.hdfs)?;
        Ok(())
    }
}

const FROM_FILES: &str = "read_parquet(getvariable('proxy_oa_cluster_files'), binary_as_string = true)";

/// The detectors of `d.day` on the cluster into `stage_findings` (made empty first), and with the evidence mode the
/// temporary table `evidence_rows` (for [`evidence::order`] with [`evidence::Source::Staged`]). Counts: the raw
/// day's rows in, findings (matched); the note says how many each detector made and what crossed.
pub fn detect(conn: &Connection, d: &Inputs<'_>) -> Result<Stage> {
    let meter = Meter::start();
    let cfg = &d.cfg.findings;
    let work = engine::work_dir(d.ws)?;
    let script = engine::script_path(work.path());
    let plan = plan(d.cfg, d.day, &script, d.sigma)?;
    let mut r = Runner {
        plan: &plan,
        script,
        limit: Duration::from_secs(d.cfg.impala.timeout_secs),
        client: WebHdfs::new(&d.cfg.hdfs)?,
        base: webhdfs_namenode(d.cfg, "the detectors on the cluster move files")?,
        work: work.path(),
        up: 0,
        down: 0,
        steps: vec![],
    };
    super::stage_table(conn)?;
    super::score_hosts(conn, cfg, None, vec![])?;
    conn.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE evidence_rows ({})", evidence::EVIDENCE_COLUMNS))?;
    // A table made with a location needs it empty: what an earlier run that failed left there goes first.
    r.client.delete_tree(&r.base.with_path(&plan.staging))?;
    for t in plan.detect_down.iter().chain(&plan.evidence_down) {
        r.client.mkdirs(&r.base.with_path(&t.hdfs))?;
    }
    if let Some(u) = &plan.sigma_up {
        upload_sigma_params(conn, &mut r, d.sigma, u)?;
    }
    r.step(&plan.detect)?;

    // 2. Down; the beacon, dga and Sigma findings and the site's own addresses here.
    let Taken { mut counts, raw_rows, dga_kept } = take_detected(conn, d, &plan, &mut r)?;
    if raw_rows > 0 {
        evidence_step(conn, d, &plan, &mut r, dga_kept, &mut counts)?;
    }

    // 4. Clean up (a failure is only a warning: the next run redefines the staging tables).
    let mut warnings = vec![];
    if let Err(e) = r.step(&plan.cleanup) {
        warnings.push(format!("the detectors' staging tables were not dropped: {e:#}"));
    }
    if let Err(e) = r.client.delete_tree(&r.base.with_path(&plan.staging)) {
        warnings.push(format!("{} was not removed: {e:#}", plan.staging));
    }
    let total: u64 = conn.query_row(&format!("SELECT count(*) FROM {STAGE}"), [], |x| x.get::<_, i64>(0))? as u64;
    counts.push(format!("on {} ({}): {} bytes up, {} bytes down", plan.engine, r.steps.join(", "), r.up, r.down));
    Ok(meter.finish(Stage {
        rows_in: raw_rows,
        matched: total,
        note: counts.join(", "),
        warnings,
        ..Stage::new("findings")
    }))
}

/// What step 1 gave, once taken in: a note per table, the raw day's rows, the generated-looking hosts.
struct Taken {
    counts: Vec<String>,
    raw_rows: u64,
    dga_kept: u64,
}

/// Step 2: the tables of step 1 down and taken in (findings into `stage_findings`, hosts into `dga_hosts`).
fn take_detected(conn: &Connection, d: &Inputs<'_>, plan: &Plan, r: &mut Runner<'_>) -> Result<Taken> {
    let cfg = &d.cfg.findings;
    let mut counts: Vec<String> = vec![];
    let mut raw_rows = 0u64;
    let mut span = None;
    let mut dga_kept = 0;
    for t in &plan.detect_down {
        if !r.take(conn, t)? {
            continue;
        }
        let n = match t.what {
            "span" => {
                let (n, lo, hi): (i64, Option<i64>, Option<i64>) =
                    conn.query_row(&format!("SELECT n, lo, hi FROM {FROM_FILES}"), [], |x| {
                        Ok((x.get(0)?, x.get(1)?, x.get(2)?))
                    })?;
                raw_rows = n as u64;
                span = lo.zip(hi);
                continue;
            }
            "beacon" => match span {
                Some(s) => super::score_beacons(
                    conn,
                    cfg,
                    d.day,
                    s,
                    &format!(
                        "SELECT clientip, host, n, first_time, last_time, secs, bytes FROM {FROM_FILES} \
                         ORDER BY clientip, host"
                    ),
                    &[],
                )?,
                None => 0,
            },
            "sigma" => {
                conn.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE sigma_hits AS SELECT * FROM {FROM_FILES}"))?;
                super::sigma_findings(conn, d.sigma, d.day).context("the cluster's Sigma hits")?
            }
            "hosts" => {
                let hosts: Vec<String> = {
                    let mut st = conn.prepare(&format!("SELECT CAST(host AS VARCHAR) FROM {FROM_FILES} ORDER BY 1"))?;
                    let rows = st.query_map([], |x| x.get::<_, String>(0))?;
                    rows.collect::<Result<_, _>>()?
                };
                dga_kept = super::score_hosts(conn, cfg, d.names, hosts)?;
                continue;
            }
            name => {
                let rows = Rows::query(conn, &format!("SELECT * FROM {FROM_FILES}"), &[])?;
                let n = super::stage_rows(conn, &rows).with_context(|| format!("the cluster's {name} findings"))?;
                if name == "raw_ip" {
                    n - super::drop_own_addresses(conn, d.nc)?
                } else {
                    n
                }
            }
        };
        counts.push(format!("{} {n}", t.what));
    }
    Ok(Taken { counts, raw_rows, dga_kept })
}

/// The Sigma rules' values as one row (a column each, named as their parameters) up to `u`.
fn upload_sigma_params(
    conn: &Connection,
    r: &mut Runner<'_>,
    rules: &[super::sigma::Rule],
    u: &Transfer,
) -> Result<()> {
    let mut p = super::sigma_params(rules);
    let cols: Vec<String> = p
        .iter()
        .map(|(k, v)| {
            let ty = match v {
                Param::Text(_) => "VARCHAR",
                Param::Int(_) => "BIGINT",
                Param::Float(_) => "DOUBLE",
            };
            format!("CAST(${k} AS {ty}) AS {k}")
        })
        .collect();
    let file = r.work.join("sigma_params.parquet");
    p.push(("sigma_file", Param::Text(file.display().to_string())));
    // The names are the compiler's (`r<rule>s<value>`); every value and the file are bound.
    let (sql, values) = dialect::bind(
        &format!("COPY (SELECT {}) TO $sigma_file (FORMAT PARQUET, COMPRESSION SNAPPY)", cols.join(", ")),
        &p,
    );
    conn.execute(&sql, duckdb::params_from_iter(values)).context("writing the Sigma rules' values")?;
    r.up += engine::upload_alone(&r.client, &r.base, &file, &u.hdfs)?;
    Ok(())
}

/// Step 3: the findings so far and the generated-looking hosts up; the dga's pairs and the evidence rows on the
/// cluster (those the run needs); down.
fn evidence_step(
    conn: &Connection,
    d: &Inputs<'_>,
    plan: &Plan,
    r: &mut Runner<'_>,
    dga_kept: u64,
    counts: &mut Vec<String>,
) -> Result<()> {
    let behaviour: i64 = conn.query_row(&format!("SELECT count(*) FROM {STAGE}"), [], |x| x.get(0))?;
    let want_evidence = d.mode == RankMode::Evidence;
    if dga_kept == 0 && !(want_evidence && behaviour > 0) {
        if d.cfg.findings.runs("dga") {
            counts.push("dga 0".into());
        }
        return Ok(());
    }
    r.upload(
        conn,
        &format!("SELECT detector, clientip, host, score, first_time FROM {STAGE} ORDER BY ALL"),
        &plan.uploads[0],
    )?;
    r.upload(conn, "SELECT * FROM dga_hosts ORDER BY ALL", &plan.uploads[1])?;
    // The statements the run needs: the upload tables (4), then the dga's pairs (2), then the evidence rows (2).
    let s = &plan.evidence.statements;
    let mut statements = s[..4].to_vec();
    let (dga, ev) = (&s[4..6], &s[6..8]);
    statements.extend(dga.iter().cloned());
    if want_evidence {
        statements.extend(ev.iter().cloned());
    }
    r.step(&Step { name: plan.evidence.name, statements })?;
    let n_dga = if r.take(conn, &plan.evidence_down[0])? && dga_kept > 0 {
        let rows = Rows::query(conn, &format!("SELECT * FROM {FROM_FILES}"), &[])?;
        super::stage_rows(conn, &rows).context("the cluster's dga findings")?
    } else {
        0
    };
    if d.cfg.findings.runs("dga") {
        counts.push(format!("dga {n_dga}"));
    }
    if want_evidence && r.take(conn, &plan.evidence_down[1])? {
        let cols: Vec<&str> =
            evidence::EVIDENCE_COLUMNS.split(", ").filter_map(|c| c.split_once(' ')).map(|(c, _)| c).collect();
        // Column names are this module's constants; the files were pointed at.
        conn.execute_batch(&format!(
            "INSERT INTO evidence_rows SELECT {} FROM {FROM_FILES} ORDER BY evidence DESC, clientip, host",
            cols.join(", ")
        ))
        .context("reading the evidence rows the cluster selected")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::spark_test_config as spark_config;

    #[test]
    fn the_statements_have_no_value_no_duckdb_only_syntax_and_every_macro_expanded() {
        let day: Day = "20161211".parse().unwrap();
        let plan = plan(&spark_config(), day, Path::new("s.sql"), &[]).unwrap();
        let every: Vec<&String> = plan.detect.statements.iter().chain(&plan.evidence.statements).collect();
        // Each detector that is SQL, the beacon's pairs, the hosts and the span: a table each.
        assert_eq!(plan.detect.statements.len(), 2 * (3 + super::super::SQL_DETECTORS.len()));
        for sql in &every {
            for bad in [
                "regexp_matches",
                "regexp_full_match",
                "string_agg",
                " list(",
                "FILTER (",
                "::",
                "||",
                "proxy_matches",
                "proxy_sorted_set",
                "proxy_list",
                "proxy_secs",
                "proxy_text",
                "$raw",
                "$strobe",
                "$min_evidence",
                "'2016",
                "/* first times */",
            ] {
                assert!(!sql.contains(bad), "has {bad}:\n{sql}");
            }
        }
        let all = every.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n");
        for good in [
            "RLIKE",
            "collect_list(",
            "sort_array(collect_set(",
            "${hivevar:strobe}",
            "'${hivevar:earlier_first}'",
            "${hivevar:min_evidence}",
            "${hivevar:dbname}.proxy_oa_find_up_findings_20161211",
            "LOCATION '${hivevar:huser}/proxy/oa-staging/20161211-findings/beacon'",
        ] {
            assert!(all.contains(good), "lacks {good}");
        }
        for v in ["strobe=86400", "earlier_first=20161204", "earlier_last=20161210", "raw_ip_score=0.5"] {
            assert!(plan.command.contains(&v.to_string()), "{v}: {:?}", plan.command);
        }
    }

    #[test]
    fn no_earlier_day_is_a_range_that_holds_none() {
        let mut cfg = spark_config();
        cfg.findings.baseline_days = 0;
        let p = all_params(&cfg, "20161211".parse().unwrap());
        let get = |k: &str| p.iter().find(|(n, _)| *n == k).unwrap().1.text();
        assert!(get("earlier_first") > get("earlier_last"), "{} {}", get("earlier_first"), get("earlier_last"));
    }
}
