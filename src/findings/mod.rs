//! Why a connection is suspicious: behaviour detectors over the raw day and the day's reputation marks, written to
//! `proxy_findings` (one row per detector, rule, client, host and fulluri where it applies, with a score in [0, 1],
//! the connections and first/last time behind it and its evidence as JSON text).
//!
//! Each detector is one unit with its SQL under `schema/findings_*.sql` where SQL can say it (read by
//! [`detect`] over `raw_day`, the day's raw rows, and `earlier_days`, the workspace's stored days before it):
//!
//! | detector | where | finds |
//! |---|---|---|
//! | `beacon` | `findings_beacon_rows.sql`, [`beacon`] | RITA's beacon score of a (client, host) pair |
//! | `strobe` | `findings_strobe.sql` | a pair with an extreme number of connections |
//! | `raw_ip` | `findings_raw_ip.sql`, then the network context | an IP literal as the host, outside the site's own ranges |
//! | `dga` | [`dga`] scores each distinct host, then `findings_dga.sql` | a host whose registered label looks generated |
//! | `rare_agent` | `findings_rare_agent.sql` | an agent few clients used that day and no earlier stored day saw |
//! | `tunnel` | `findings_tunnel.sql` | a long connection or a heavy CONNECT tunnel |
//! | `first_seen` | `findings_first_seen.sql` | a host no earlier stored day reached |
//! | `intel`, `known_good` | [`intel`] | the reputation and known-good marks of the day's scored rows |
//!
//! A run on the cluster (Spark SQL) runs the same statements there and the Rust parts here ([`cluster`]).
//!
//! Adding a detector: its SQL file (the columns of [`PROXY_FINDINGS`]), its name in [`DETECTORS`] (the config's
//! list of names, `src/config.rs`) and one line in [`detect`]; its formula in `schema/README.md`. A detector that
//! is one statement goes into [`SQL_DETECTORS`] with its settings in [`sql_params`] instead of the line in
//! [`detect`], and runs on the cluster too (write it in the SQL the engines share; `schema/findings_spark.sql`
//! spells a function Spark names differently). The rows gather
//! in the temporary table `stage_findings` and go into `proxy_findings` inside the run's transaction ([`write`]),
//! so a failed run keeps the day's previous ones.

pub mod beacon;
pub mod cluster;
pub mod dga;
pub mod evidence;
pub mod sigma;

use crate::config::FindingsCfg;
use crate::day::Day;
use crate::dialect::{self, Param};
use crate::enrich::network_context::{parse_ip, NetworkContext};
use crate::on_day;
use crate::schema::PROXY_FINDINGS;
use crate::stage::{Meter, Stage};
use crate::store::{self, Rows};
use crate::workspace::Workspace;
use anyhow::Result;
use duckdb::{params, params_from_iter, Connection};
use std::path::PathBuf;

/// Every detector, in the order they run (the names `[findings] detectors` accepts, kept with the config).
pub use crate::config::DETECTORS;

pub(crate) const BEACON_ROWS_SQL: &str = include_str!("../../schema/findings_beacon_rows.sql");
pub(crate) const DGA_SQL: &str = include_str!("../../schema/findings_dga.sql");
const STROBE_SQL: &str = include_str!("../../schema/findings_strobe.sql");
const RAW_IP_SQL: &str = include_str!("../../schema/findings_raw_ip.sql");
const RARE_AGENT_SQL: &str = include_str!("../../schema/findings_rare_agent.sql");
const TUNNEL_SQL: &str = include_str!("../../schema/findings_tunnel.sql");
const FIRST_SEEN_SQL: &str = include_str!("../../schema/findings_first_seen.sql");
const SIGMA_SQL: &str = include_str!("../../schema/findings_sigma.sql");
const SIGMA_HITS_SQL: &str = include_str!("../../schema/findings_sigma_hits.sql");

/// The temporary table the findings gather in before [`write`].
const STAGE: &str = "stage_findings";

/// The detectors that are one SQL statement over the raw day (and the earlier days), with their text: the same
/// text runs here and, with `run --on-cluster`, on the cluster ([`cluster`]).
pub const SQL_DETECTORS: [(&str, &str); 5] = [
    ("strobe", STROBE_SQL),
    ("raw_ip", RAW_IP_SQL),
    ("rare_agent", RARE_AGENT_SQL),
    ("tunnel", TUNNEL_SQL),
    ("first_seen", FIRST_SEEN_SQL),
];

/// The `[findings]` settings a statement of `detector` (one of [`SQL_DETECTORS`], the beacon's pairs) names.
pub fn sql_params(cfg: &FindingsCfg, detector: &str) -> Vec<(&'static str, Param)> {
    match detector {
        "beacon" | "strobe" => vec![
            ("min_times", Param::Int(cfg.beacon_min_times.into())),
            ("strobe", Param::Int(cfg.strobe_connections as i64)),
        ],
        "raw_ip" => vec![("raw_ip_score", Param::Float(cfg.raw_ip_score))],
        "rare_agent" => vec![
            ("rare_clients", Param::Int(cfg.rare_agent_clients.into())),
            ("min_clients", Param::Int(cfg.rare_agent_min_clients.into())),
            ("rare_agent_score", Param::Float(cfg.rare_agent_score)),
        ],
        "tunnel" => {
            vec![("long_ms", Param::Int(cfg.long_ms as i64)), ("heavy_bytes", Param::Int(cfg.heavy_bytes as i64))]
        }
        "first_seen" => vec![("first_seen_score", Param::Float(cfg.first_seen_score))],
        "dga" => vec![("min_hosts", Param::Int(cfg.dga_min_hosts.into()))],
        _ => vec![],
    }
}

/// The raw day and the earlier stored days the detectors read, as relations ahead of each statement. Not
/// materialized: a detector that reads the day twice reads its files twice (DuckDB writes out a relation named
/// twice, every ruled column of every raw row, which cost more than the second read: BENCHMARKS.md).
const RELATIONS: &str =
    "WITH raw_day AS NOT MATERIALIZED (SELECT * FROM proxy WHERE y = $raw_y AND m = $raw_m AND d = $raw_d),\n\
     earlier_days AS NOT MATERIALIZED (SELECT * FROM proxy WHERE NOT (y = $raw_y AND m = $raw_m AND d = $raw_d))\n";

/// (Re)create the empty `stage_findings` table.
pub fn stage_table(conn: &Connection) -> Result<()> {
    let cols: Vec<String> =
        PROXY_FINDINGS.columns.iter().map(|(c, t)| format!("{} {}", crate::schema::quoted(c), t.duckdb())).collect();
    conn.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE {STAGE} ({})", cols.join(", ")))?;
    // How a rule's findings are named in `why` (a Sigma rule: by its title).
    conn.execute_batch("CREATE OR REPLACE TEMP TABLE finding_labels (rule VARCHAR, label VARCHAR)")?;
    Ok(())
}

/// What the detectors of one day are given.
pub struct Inputs<'a> {
    pub ws: &'a Workspace,
    pub cfg: &'a FindingsCfg,
    pub day: Day,
    /// The day's raw Parquet files (the `proxy` view is pointed back at them when the detectors are done).
    pub day_raw: &'a [PathBuf],
    pub nc: &'a NetworkContext,
    /// The imported Sigma rules that run.
    pub sigma: &'a [sigma::Rule],
    /// The bigram model of the site's top-domain list, when it has enough labels ([`dga::Model::from_labels`]).
    pub names: Option<&'a dga::Model>,
}

/// The stored days before `day` in the workspace (at most `n`, nearest first) that have raw Parquet files, with
/// those files.
fn earlier_days(ws: &Workspace, day: Day, n: u32) -> Result<(u32, Vec<PathBuf>)> {
    let mut found = 0;
    let mut files = vec![];
    for back in 1..=n {
        let Some(d) = day.days_before(back) else { break };
        let f = crate::workspace::parquet_files(&ws.raw_dir(d))?;
        if !f.is_empty() {
            found += 1;
            files.extend(f);
        }
    }
    Ok((found, files))
}

/// Run one statement of `sql` (a detector's text) over the relations, with `extra` parameters.
fn bound(sql: &str, day: Day, extra: &[(&str, Param)]) -> (String, Vec<duckdb::types::Value>) {
    let mut all: Vec<(&str, Param)> = dialect::params(day);
    all.extend(extra.iter().cloned());
    let body = dialect::body(sql);
    dialect::bind(&format!("{RELATIONS}SELECT * FROM (\n{body}\n) AS q"), &all)
}

/// Insert a detector's rows into `stage_findings`; returns how many. The statement selects the columns of
/// [`PROXY_FINDINGS`] up to `last_time`, then its evidence as columns named `ev_<key>`, written here as one JSON
/// object in that order.
fn insert(conn: &Connection, sql: &str, day: Day, extra: &[(&str, Param)]) -> Result<u64> {
    let (q, values) = bound(sql, day, extra);
    let rows = Rows::query(conn, &q, &values.iter().map(|v| v as &dyn duckdb::ToSql).collect::<Vec<_>>())?;
    stage_rows(conn, &rows)
}

/// Insert a detector's selected `rows` (as [`insert`] describes them) into `stage_findings`; how many.
pub(crate) fn stage_rows(conn: &Connection, rows: &Rows) -> Result<u64> {
    let fixed = PROXY_FINDINGS.columns.len() - 1;
    let mut ins = conn.prepare(&format!("INSERT INTO {STAGE} VALUES ({})", vec!["?"; fixed + 1].join(", ")))?;
    for r in &rows.rows {
        let mut ev = serde_json::Map::new();
        for (name, v) in rows.names[fixed..].iter().zip(&r[fixed..]) {
            ev.insert(name.trim_start_matches("ev_").to_string(), store::json_value(v));
        }
        let mut vals: Vec<duckdb::types::Value> = r[..fixed].to_vec();
        vals.push(duckdb::types::Value::Text(serde_json::Value::Object(ev).to_string()));
        ins.execute(params_from_iter(vals))?;
    }
    Ok(rows.rows.len() as u64)
}

/// The behaviour detectors over the raw day, into `stage_findings` (made empty first). Counts: raw rows in,
/// findings (matched); the note says how many each detector made. With no detector configured nothing is read.
pub fn detect(conn: &Connection, d: &Inputs<'_>) -> Result<Stage> {
    let meter = Meter::start();
    let (cfg, day) = (d.cfg, d.day);
    stage_table(conn)?;
    if cfg.detectors.is_empty() {
        // Nothing to run: the raw day is not read at all (counting its rows alone was 0.1 s at 10 M rows).
        let note = "no detector configured ([findings] detectors = [])".to_string();
        return Ok(meter.finish(Stage { note, ..Stage::new("findings") }));
    }
    let (baseline, earlier) = earlier_days(d.ws, day, cfg.baseline_days)?;
    let mut files = d.day_raw.to_vec();
    files.extend(earlier);
    store::point_raw(conn, d.ws, &files)?;
    let result = run_detectors(conn, d, baseline);
    store::point_raw(conn, d.ws, d.day_raw)?;
    let (counts, raw_rows) = result?;
    let total: u64 = counts.iter().map(|(_, n, _)| n).sum();
    let mut note: Vec<String> = counts.iter().map(|(k, n, secs)| format!("{k} {n} ({secs:.2} s)")).collect();
    note.push(format!("{baseline} earlier stored days compared"));
    Ok(meter.finish(Stage { rows_in: raw_rows, matched: total, note: note.join(", "), ..Stage::new("findings") }))
}

/// Every configured detector in turn: (detector, findings) and the raw day's rows.
/// (detector, findings, seconds) of each detector that ran.
type Counts = Vec<(&'static str, u64, f64)>;

fn run_detectors(conn: &Connection, d: &Inputs<'_>, baseline: u32) -> Result<(Counts, u64)> {
    let (cfg, day) = (d.cfg, d.day);
    let (sql, v) = bound("SELECT count(*) FROM raw_day", day, &[]);
    let raw_rows: i64 = conn.query_row(&sql, params_from_iter(v), |r| r.get(0))?;
    let mut counts = vec![];
    if raw_rows == 0 {
        return Ok((counts, 0));
    }
    // Each detector that runs: its findings and seconds.
    let mut timed = |name: &'static str, f: &mut dyn FnMut() -> Result<u64>| -> Result<()> {
        if cfg.runs(name) {
            let t = std::time::Instant::now();
            let n = f()?;
            counts.push((name, n, t.elapsed().as_secs_f64()));
        }
        Ok(())
    };
    timed("beacon", &mut || beacons(conn, d))?;
    timed("strobe", &mut || insert(conn, STROBE_SQL, day, &sql_params(cfg, "strobe")))?;
    timed("raw_ip", &mut || {
        let n = insert(conn, RAW_IP_SQL, day, &sql_params(cfg, "raw_ip"))?;
        Ok(n - drop_own_addresses(conn, d.nc)?)
    })?;
    timed("dga", &mut || dga_hosts(conn, d))?;
    timed("rare_agent", &mut || insert(conn, RARE_AGENT_SQL, day, &sql_params(cfg, "rare_agent")))?;
    timed("tunnel", &mut || insert(conn, TUNNEL_SQL, day, &sql_params(cfg, "tunnel")))?;
    // (the statement finds nothing without an earlier day; it is not run at all then)
    if baseline > 0 {
        timed("first_seen", &mut || insert(conn, FIRST_SEEN_SQL, day, &sql_params(cfg, "first_seen")))?;
    }
    if !d.sigma.is_empty() {
        timed("sigma", &mut || sigma_rules(conn, d.sigma, day))?;
    }
    Ok((counts, raw_rows as u64))
}

/// The Sigma rules over the raw day: one pass keeps the rows any rule matches, with a column per rule
/// (`schema/findings_sigma_hits.sql`); then each rule's findings from those rows (`schema/findings_sigma.sql`).
fn sigma_rules(conn: &Connection, rules: &[sigma::Rule], day: Day) -> Result<u64> {
    let (q, v) = bound(&sigma_hits_sql(rules), day, &sigma_params(rules));
    conn.execute(&format!("CREATE OR REPLACE TEMP TABLE sigma_hits AS {q}"), params_from_iter(v))
        .map_err(|e| anyhow::Error::new(e).context("the Sigma rules' pass over the raw day"))?;
    sigma_findings(conn, rules, day)
}

/// The statement of the Sigma rules' pass: `schema/findings_sigma_hits.sql` with each rule's compiled condition as
/// its column and all of them as the filter (SQL structure only: every value of a rule is a `$` parameter).
pub(crate) fn sigma_hits_sql(rules: &[sigma::Rule]) -> String {
    let columns: Vec<String> = rules.iter().enumerate().map(|(i, r)| format!("{} AS hit_{i}", r.sql)).collect();
    SIGMA_HITS_SQL.replace("/* rule columns */", &columns.join(",\n       ")).replace(
        "WHERE /* any rule */",
        &format!("WHERE {}", rules.iter().map(|r| r.sql.as_str()).collect::<Vec<_>>().join("\n   OR ")),
    )
}

/// Every rule's parameters, by name.
pub(crate) fn sigma_params(rules: &[sigma::Rule]) -> Vec<(&str, Param)> {
    rules.iter().flat_map(|r| r.params.iter().map(|(k, v)| (k.as_str(), v.clone()))).collect()
}

/// Each rule's findings from the temporary table `sigma_hits` (the rows any rule matched, a column per rule), and
/// its label for `why`.
pub(crate) fn sigma_findings(conn: &Connection, rules: &[sigma::Rule], day: Day) -> Result<u64> {
    let mut n = 0;
    let mut label = conn.prepare("INSERT INTO finding_labels VALUES (?, ?)")?;
    for (i, r) in rules.iter().enumerate() {
        // `why` separates reasons with "; ".
        label.execute(params![r.id, format!("sigma \"{}\"", r.title.replace(';', ","))])?;
        let sql = SIGMA_SQL.replace("/* rule column */", &format!("hit_{i}"));
        let p: Vec<(&str, Param)> = vec![
            ("rule_id", Param::Text(r.id.clone())),
            ("score", Param::Float(sigma::level_score(&r.level))),
            ("title", Param::Text(r.title.clone())),
            ("level", Param::Text(r.level.clone())),
            ("author", Param::Text(r.author.clone())),
            ("status", Param::Text(r.status.clone())),
        ];
        n += insert(conn, &sql, day, &p).map_err(|e| e.context(format!("Sigma rule {} ({})", r.id, r.title)))?;
    }
    Ok(n)
}

/// The dga detector: every distinct host of the raw day scored by [`dga::score`]; those at `dga_min_score` or
/// above go into `dga_hosts`, whose pairs `schema/findings_dga.sql` turns into findings.
fn dga_hosts(conn: &Connection, d: &Inputs<'_>) -> Result<u64> {
    let (sql, v) = bound("SELECT DISTINCT host FROM raw_day WHERE host IS NOT NULL ORDER BY 1", d.day, &[]);
    let hosts: Vec<String> = {
        let mut st = conn.prepare(&sql)?;
        let rows = st.query_map(params_from_iter(v), |r| r.get::<_, String>(0))?;
        rows.collect::<Result<_, _>>()?
    };
    if score_hosts(conn, d.cfg, d.names, hosts)? == 0 {
        return Ok(0);
    }
    insert(conn, DGA_SQL, d.day, &sql_params(d.cfg, "dga"))
}

/// The temporary table `dga_hosts`: those of `hosts` whose registered label scores at least `dga_min_score`, with
/// their scores; how many.
pub(crate) fn score_hosts(
    conn: &Connection,
    cfg: &FindingsCfg,
    names: Option<&dga::Model>,
    hosts: Vec<String>,
) -> Result<u64> {
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE dga_hosts (host VARCHAR, label VARCHAR, score DOUBLE, bigram DOUBLE, \
         consonant_run INTEGER, digits INTEGER, switches INTEGER, entropy DOUBLE)",
    )?;
    let mut kept = 0u64;
    let mut app = conn.appender_to_catalog_and_db("dga_hosts", "temp", "main")?;
    for h in hosts {
        let Some(label) = dga::registered_label(&h) else { continue };
        let Some(s) = dga::score(&label, names) else { continue };
        if s.score >= cfg.dga_min_score {
            app.append_row(params![
                h,
                s.label,
                s.score,
                s.bigram,
                s.consonant_run as i64,
                s.digits as i64,
                s.switches as i64,
                s.entropy
            ])?;
            kept += 1;
        }
    }
    app.flush()?;
    Ok(kept)
}

/// Remove the raw_ip findings whose host does not parse as an address or lies in the network context's ranges
/// (the site's own servers); returns how many were removed.
pub(crate) fn drop_own_addresses(conn: &Connection, nc: &NetworkContext) -> Result<u64> {
    let hosts: Vec<String> = {
        let mut st =
            conn.prepare(&format!("SELECT DISTINCT host FROM {STAGE} WHERE detector = 'raw_ip' ORDER BY 1"))?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<Result<_, _>>()?
    };
    // The hosts to drop, in one set-based DELETE.
    conn.execute_batch("CREATE OR REPLACE TEMP TABLE raw_ip_own (host VARCHAR)")?;
    let mut n = 0;
    {
        let mut app = conn.appender_to_catalog_and_db("raw_ip_own", "temp", "main")?;
        for h in hosts {
            let bare = h.trim_start_matches('[').trim_end_matches(']');
            if parse_ip(bare).is_none() || nc.lookup(bare).is_some() {
                app.append_row(params![h])?;
                n += 1;
            }
        }
        app.flush()?;
    }
    if n == 0 {
        return Ok(0);
    }
    let removed = conn.execute(
        &format!("DELETE FROM {STAGE} WHERE detector = 'raw_ip' AND host IN (SELECT host FROM raw_ip_own)"),
        [],
    )?;
    Ok(removed as u64)
}

/// The evidence of one beacon finding.
#[derive(serde::Serialize)]
struct BeaconEvidence<'a> {
    connections: i64,
    distinct_seconds: usize,
    #[serde(flatten)]
    beacon: &'a beacon::Beacon,
}

/// The beacon detector: every pair with enough connections (and distinct times) and fewer than a strobe, scored by
/// [`beacon::score`] over the day's first to last time; pairs scoring at least `beacon_min_score` with a timing
/// sub-score of at least `beacon_min_timing` are findings.
fn beacons(conn: &Connection, d: &Inputs<'_>) -> Result<u64> {
    // The day's first and last second, over its distinct times (not every row).
    let (sql, v) = bound(
        "SELECT min(proxy_secs(p_time)), max(proxy_secs(p_time)) FROM (SELECT DISTINCT p_time FROM raw_day) AS t",
        d.day,
        &[],
    );
    let bounds: (Option<i64>, Option<i64>) =
        conn.query_row(&sql, params_from_iter(v), |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (Some(lo), Some(hi)) = bounds else { return Ok(0) };
    let (sql, v) = bound(BEACON_ROWS_SQL, d.day, &sql_params(d.cfg, "beacon"));
    score_beacons(conn, d.cfg, d.day, (lo, hi), &sql, &v)
}

/// The beacon findings of the pairs `sql` selects (the columns of `schema/findings_beacon_rows.sql`: client, host,
/// connections, first and last time, the times and the bytes as lists) over the day's first to last second `span`.
pub(crate) fn score_beacons(
    conn: &Connection,
    cfg: &FindingsCfg,
    day: Day,
    span: (i64, i64),
    sql: &str,
    values: &[duckdb::types::Value],
) -> Result<u64> {
    use duckdb::arrow::array::AsArray;
    use duckdb::arrow::datatypes::{DataType, Int32Type, Int64Type};
    let params_ = beacon::Params::default();
    let mut ins = conn.prepare(&format!("INSERT INTO {STAGE} VALUES (?, 'beacon', '', ?, ?, '', ?, ?, ?, ?, ?)"))?;
    let mut found = 0;
    // One row per pair with its times and bytes as lists, through Arrow (a row at a time through the driver cost
    // more than every other detector together).
    let mut st = conn.prepare(sql)?;
    for batch in st.query_arrow(params_from_iter(values))? {
        let text = |i: usize| duckdb::arrow::compute::cast(batch.column(i), &DataType::Utf8);
        let (clients, hosts, firsts, lasts) = (text(0)?, text(1)?, text(3)?, text(4)?);
        let (clients, hosts) = (clients.as_string::<i32>(), hosts.as_string::<i32>());
        let (firsts, lasts) = (firsts.as_string::<i32>(), lasts.as_string::<i32>());
        let n = duckdb::arrow::compute::cast(batch.column(2), &DataType::Int64)?;
        let n = n.as_primitive::<Int64Type>();
        let (secs, bytes) = (batch.column(5).as_list::<i32>(), batch.column(6).as_list::<i32>());
        for row in 0..batch.num_rows() {
            let mut times: Vec<i64> =
                secs.value(row).as_primitive::<Int32Type>().values().iter().map(|&t| i64::from(t)).collect();
            times.sort_unstable();
            let mut distinct = times.clone();
            distinct.dedup();
            if distinct.len() < cfg.beacon_min_times as usize {
                continue;
            }
            let sizes: Vec<f64> =
                bytes.value(row).as_primitive::<Int32Type>().values().iter().map(|&b| f64::from(b)).collect();
            let Some(b) = beacon::score(span, &times, &sizes, &params_) else { continue };
            if b.score < cfg.beacon_min_score || b.ts_score < cfg.beacon_min_timing {
                continue;
            }
            let connections = n.value(row);
            let ev =
                serde_json::to_string(&BeaconEvidence { connections, distinct_seconds: distinct.len(), beacon: &b })?;
            ins.execute(params![
                day.iso(),
                clients.value(row),
                hosts.value(row),
                b.score as f32,
                connections,
                firsts.value(row),
                lasts.value(row),
                ev
            ])?;
            found += 1;
        }
    }
    Ok(found)
}

/// The reputation and known-good marks of the day's staged rows as findings (`intel`: the highest service value,
/// 2 suspicious or 3 malicious, over 3; `known_good`: score 0, the list in the evidence), one per (client, host,
/// fulluri). Counts: staged rows in, findings (matched).
pub fn intel(conn: &Connection, cfg: &FindingsCfg, day: Day) -> Result<Stage> {
    let meter = Meter::start();
    if !conn_has_stage(conn)? {
        stage_table(conn)?;
    }
    let rows: Vec<(String, String, String, String, i64, String, String)> = {
        let mut st = conn.prepare(
            "SELECT clientip, host, fulluri, uri_rep, count(*), min(\"time\"), max(\"time\") FROM stage_results \
             WHERE coalesce(uri_rep, '') <> '' GROUP BY clientip, host, fulluri, uri_rep ORDER BY 1, 2, 3, 4",
        )?;
        let r =
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?;
        r.collect::<Result<_, _>>()?
    };
    let staged: i64 = conn.query_row("SELECT count(*) FROM stage_results", [], |r| r.get(0))?;
    let mut ins = conn.prepare(&format!("INSERT INTO {STAGE} VALUES (?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?)"))?;
    let mut n = 0;
    for (client, host, uri, rep, count, first, last) in rows {
        let labels = crate::enrich::reputation::parse_label(&rep);
        let (detector, score) = if rep.starts_with("allow:") {
            ("known_good", 0.0)
        } else {
            let top = labels.iter().map(|l| l.2).max().unwrap_or(0);
            if top < 2 {
                continue;
            }
            ("intel", f64::from(top.min(3)) / 3.0)
        };
        if !cfg.runs(detector) {
            continue;
        }
        let ev = serde_json::json!({ "uri_rep": rep, "services": labels.iter().map(|l| {
            serde_json::json!({ "service": l.0, "verdict": l.1, "value": l.2, "categories": l.3 })
        }).collect::<Vec<_>>() });
        ins.execute(params![day.iso(), detector, client, host, uri, score as f32, count, first, last, ev.to_string()])?;
        n += 1;
    }
    Ok(meter.finish(Stage { rows_in: staged as u64, matched: n, ..Stage::new("intel_findings") }))
}

fn conn_has_stage(conn: &Connection) -> Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary",
        params![STAGE],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// `proxy_findings` of the day from `stage_findings` (inside the caller's transaction, after the day was cleared).
/// Counts: findings written.
pub fn write(conn: &Connection, day: Day) -> Result<Stage> {
    let meter = Meter::start();
    if !conn_has_stage(conn)? {
        stage_table(conn)?;
    }
    let (y, m, d) = day.ymd();
    let cols = PROXY_FINDINGS.column_list();
    // Column names come from the registry; the day is bound.
    let n = conn.execute(
        &format!(
            "INSERT INTO {t} ({cols}, y, m, d) SELECT {cols}, ?, ?, ? FROM {STAGE} {order}",
            t = PROXY_FINDINGS.name,
            order = PROXY_FINDINGS.order_by()
        ),
        params![y, m, d],
    )? as u64;
    Ok(meter.finish(Stage { rows_in: n, matched: n, ..Stage::new("proxy_findings") }))
}

/// `proxy-oa findings`: the day's findings, highest score first, of one detector and/or client if given.
pub fn list(conn: &Connection, day: Day, detector: Option<&str>, ip: Option<&str>) -> Result<Rows> {
    let p = PROXY_FINDINGS.day_params(day);
    // Table and column names come from the registry; every value is bound.
    let sql = format!(
        "SELECT {} FROM {} WHERE {} AND (? IS NULL OR detector = ?) AND (? IS NULL OR clientip = ?) {}",
        PROXY_FINDINGS.column_list(),
        PROXY_FINDINGS.name,
        on_day!(),
        PROXY_FINDINGS.order_by()
    );
    Rows::query(conn, &sql, params![p[0], p[1], p[2], detector, detector, ip, ip])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reputation_and_known_good_marks_become_findings() {
        let (conn, _ws, _dir) = crate::store::scratch().unwrap();
        conn.execute_batch(&crate::schema::stage_results_ddl()).unwrap();
        let rows = [
            ("1.1.1.1", "evil.com", "evil.com/kit", "feed:MALICIOUS:3:urlhaus|url"),
            ("1.1.1.1", "evil.com", "evil.com/kit", "feed:MALICIOUS:3:urlhaus|url"),
            ("1.1.1.2", "odd.com", "odd.com/x", "feed:SUSPICIOUS:2:openphish|host::fb:UNKNOWN:-1"),
            ("1.1.1.3", "fine.com", "fine.com/", "gti:Minimal:1"),
            ("1.1.1.4", "corp.com", "corp.com/", "allow:KNOWN_GOOD:0:corp-list"),
            ("1.1.1.5", "plain.com", "plain.com/", ""),
        ];
        for (i, (c, h, u, rep)) in rows.iter().enumerate() {
            conn.execute(
                "INSERT INTO stage_results (rn, hh, tdate, \"time\", clientip, host, fulluri, uri_rep) \
                 VALUES (?, 13, '2016-12-11', ?, ?, ?, ?, ?)",
                params![i as i64, format!("13:00:0{i}"), c, h, u, rep],
            )
            .unwrap();
        }
        let cfg = FindingsCfg::default();
        let day: Day = "20161211".parse().unwrap();
        let st = intel(&conn, &cfg, day).unwrap();
        assert_eq!((st.rows_in, st.matched), (6, 3));
        let got: Vec<(String, String, f32, i64, String)> = {
            let mut s = conn
                .prepare(
                    "SELECT detector, clientip, score, connections, evidence FROM stage_findings ORDER BY clientip",
                )
                .unwrap();
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!((got[0].0.as_str(), got[0].1.as_str(), got[0].2, got[0].3), ("intel", "1.1.1.1", 1.0, 2));
        assert_eq!((got[1].0.as_str(), got[1].2), ("intel", (2.0f64 / 3.0) as f32));
        assert_eq!((got[2].0.as_str(), got[2].1.as_str(), got[2].2), ("known_good", "1.1.1.4", 0.0));
        let ev: serde_json::Value = serde_json::from_str(&got[1].4).unwrap();
        assert_eq!(ev["services"][0]["verdict"], "SUSPICIOUS");
        assert_eq!(ev["services"][1]["value"], -1);

        // Switched off: nothing.
        stage_table(&conn).unwrap();
        let off = FindingsCfg { detectors: vec!["beacon".into()], ..FindingsCfg::default() };
        assert_eq!(intel(&conn, &off, day).unwrap().matched, 0);
    }

    #[test]
    fn with_no_detector_configured_the_raw_day_is_not_read() {
        let (conn, ws, dir) = crate::store::scratch().unwrap();
        // A day whose one raw file is not Parquet: any statement over it fails.
        let bad = dir.path().join("data/proxy/20161211/raw/h=00/data_0.parquet");
        std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
        std::fs::write(&bad, b"not parquet").unwrap();
        let day: Day = "20161211".parse().unwrap();
        let nc = NetworkContext::default();
        let run = |detectors: Vec<String>| {
            let cfg = FindingsCfg { detectors, ..FindingsCfg::default() };
            let d = Inputs {
                ws: &ws,
                cfg: &cfg,
                day,
                day_raw: std::slice::from_ref(&bad),
                nc: &nc,
                sigma: &[],
                names: None,
            };
            detect(&conn, &d)
        };
        let st = run(vec![]).unwrap();
        assert_eq!((st.rows_in, st.matched), (0, 0));
        assert!(st.note.contains("no detector configured"), "{}", st.note);
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {STAGE}"), [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
        // One detector reads the day: the same file is an error.
        assert!(run(vec!["tunnel".into()]).is_err());
    }
}
