//! The day's list (`proxy_scores`) in the order `[rank] mode` asks, and why each row is on it.
//!
//! - `"spot"`: spot-ml's order exactly (the results file's first rows).
//! - `"evidence"` (the default): first one row for each (client, host) pair whose behaviour findings combine to at
//!   least `[rank] evidence_min_score` (`schema/evidence_rows.sql`: the noisy-or `1 − Π(1 − score)` of the pair's
//!   findings, highest first), then the topic model's rows in its order, bounded by the limit together. A row the
//!   topic model did not keep has no `word` and a NULL `ml_score`; when the model kept the same connection (date,
//!   time, client, fulluri), its row moves up with its word and score instead of appearing twice.
//!
//! Either way every row gets its place (`oa_rank`, from 1) and `why`: the findings of its (client, host) pair,
//! `detector score` (a Sigma rule: `sigma "<title>" score`) joined by `; ` highest first, after `topic model` for a
//! row the model kept.

use crate::config::RankMode;
use crate::day::Day;
use crate::dialect::Param;
use crate::stage::{Meter, Stage};
use anyhow::Result;
use duckdb::{params, params_from_iter, Connection};

pub(crate) const EVIDENCE_ROWS_SQL: &str = include_str!("../../schema/evidence_rows.sql");

/// The columns of `evidence_rows` (DuckDB types), in order.
pub(crate) const EVIDENCE_COLUMNS: &str = "p_date VARCHAR, p_time VARCHAR, clientip VARCHAR, host VARCHAR, \
     reqmethod VARCHAR, useragent VARCHAR, resconttype VARCHAR, duration INTEGER, username VARCHAR, webcat VARCHAR, \
     referer VARCHAR, respcode INTEGER, uriport INTEGER, uripath VARCHAR, uriquery VARCHAR, serverip VARCHAR, \
     scbytes INTEGER, csbytes INTEGER, fulluri VARCHAR, evidence DOUBLE";

/// Where the rows the evidence ranking puts first come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `schema/evidence_rows.sql` over the raw day here.
    Here,
    /// Already in the temporary table `evidence_rows` (the cluster selected them: [`super::cluster`]).
    Staged,
}

/// Order the staged rows (`stage_results`, the results file's first rows) as `mode` asks, keep at most `limit`
/// (0: all) and fill `oa_rank` and `why`. Counts: staged rows in; rows put first by their findings (matched); the
/// model's rows kept (unmatched).
pub fn order(
    conn: &Connection,
    day: Day,
    mode: RankMode,
    min_evidence: f64,
    limit: usize,
    source: Source,
) -> Result<Stage> {
    let meter = Meter::start();
    let staged: i64 = conn.query_row("SELECT count(*) FROM stage_results", [], |r| r.get(0))?;
    let evidence_rows = if source == Source::Staged && mode == RankMode::Evidence {
        conn.query_row("SELECT count(*) FROM evidence_rows", [], |r| r.get(0))?
    } else {
        stage_evidence_rows(conn, day, mode, min_evidence)?
    };
    match_evidence(conn)?;
    let cap: i64 = if limit == 0 { i64::MAX } else { limit as i64 };
    if mode == RankMode::Evidence {
        order_by_evidence(conn, cap)?;
    } else {
        conn.execute(
            "UPDATE stage_results AS s SET oa_rank = r.pos, why = 'topic model'
             FROM (SELECT rn, row_number() OVER (ORDER BY rn) AS pos FROM stage_results) AS r WHERE r.rn = s.rn",
            [],
        )?;
        conn.execute("DELETE FROM stage_results WHERE oa_rank > ?", params![cap])?;
    }
    explain(conn)?;
    let kept: i64 = conn.query_row("SELECT count(*) FROM stage_results", [], |r| r.get(0))?;
    let first = evidence_rows.min(kept);
    Ok(meter.finish(Stage {
        rows_in: staged as u64,
        matched: first as u64,
        unmatched: (kept - first) as u64,
        note: match mode {
            RankMode::Evidence => format!(
                "mode evidence: {first} rows first by their findings (of {evidence_rows} pairs at least \
                 {min_evidence}), then {} of the topic model's",
                kept - first
            ),
            RankMode::Spot => "mode spot: spot-ml's order".into(),
        },
        ..Stage::new("order")
    }))
}

/// `evidence_rows`: one raw row for each (client, host) pair whose findings reach `min_evidence`
/// (`schema/evidence_rows.sql`; none in spot's mode), and `evidence_match`: the model's row of the same connection.
/// The number of evidence rows.
fn stage_evidence_rows(conn: &Connection, day: Day, mode: RankMode, min_evidence: f64) -> Result<i64> {
    let mut evidence_rows = 0i64;
    // The first times of the findings that can put a row first (the raw day is read only at those times).
    let times: Vec<String> = if mode == RankMode::Evidence {
        let mut st = conn.prepare(
            "SELECT DISTINCT first_time FROM stage_findings WHERE detector NOT IN ('intel', 'known_good') \
             AND first_time IS NOT NULL ORDER BY 1",
        )?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<Result<_, _>>()?
    } else {
        vec![]
    };
    if mode == RankMode::Evidence && !times.is_empty() {
        let names: Vec<String> = (0..times.len()).map(|i| format!("t{i}")).collect();
        let list: Vec<String> = names.iter().map(|n| format!("${n}")).collect();
        // The markers take only parameter names; the times are bound.
        let sql = EVIDENCE_ROWS_SQL.replace("/* first times */", &list.join(", "));
        let mut p: Vec<(&str, Param)> = vec![("min_evidence", Param::Float(min_evidence))];
        p.extend(names.iter().zip(&times).map(|(n, t)| (n.as_str(), Param::Text(t.clone()))));
        let (q, v) = super::bound(&sql, day, &p);
        conn.execute(&format!("CREATE OR REPLACE TEMP TABLE evidence_rows AS {q}"), params_from_iter(v))?;
        evidence_rows = conn.query_row("SELECT count(*) FROM evidence_rows", [], |r| r.get(0))?;
    } else if mode == RankMode::Evidence {
        conn.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE evidence_rows ({EVIDENCE_COLUMNS})"))?;
    } else {
        conn.execute_batch(
            "CREATE OR REPLACE TEMP TABLE evidence_rows AS SELECT NULL::VARCHAR AS p_date, NULL::VARCHAR AS p_time, \
             NULL::VARCHAR AS clientip, NULL::VARCHAR AS fulluri WHERE false",
        )?;
    }
    Ok(evidence_rows)
}

/// `evidence_match`: the model's row of the same connection as an evidence row, which moves up with it (the first
/// by rank if several).
fn match_evidence(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE evidence_match AS
         SELECT e.clientip, e.fulluri, e.p_date, e.p_time, min(s.rn) AS rn
         FROM evidence_rows AS e
         JOIN stage_results AS s ON s.clientip = e.clientip AND s.fulluri = e.fulluri AND s.tdate = e.p_date
              AND s.\"time\" = e.p_time
         GROUP BY ALL",
    )?;
    Ok(())
}

/// The evidence rows first (highest first), then the model's rows in its order, at most `cap` together.
fn order_by_evidence(conn: &Connection, cap: i64) -> Result<()> {
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE stage_ranked AS
             WITH ev AS (
               SELECT e.*, row_number() OVER (ORDER BY e.evidence DESC, e.clientip, e.host) AS pos
               FROM evidence_rows AS e
             ),
             moved AS (
               SELECT ev.pos, m.rn FROM ev JOIN evidence_match AS m ON m.clientip = ev.clientip
                 AND m.fulluri = ev.fulluri AND m.p_date = ev.p_date AND m.p_time = ev.p_time
             ),
             model AS (
               SELECT s.*, row_number() OVER (ORDER BY s.rn) AS pos
               FROM stage_results AS s WHERE s.rn NOT IN (SELECT rn FROM moved)
             )
             SELECT ev.pos AS rn, CAST(split_part(ev.p_time, ':', 1) AS INTEGER) AS hh, ev.p_date AS tdate,
                    ev.p_time AS \"time\", ev.clientip, ev.host, ev.reqmethod, ev.useragent, ev.resconttype,
                    ev.duration, ev.username, ev.webcat, ev.referer, ev.respcode, ev.uriport, ev.uripath,
                    ev.uriquery, ev.serverip, ev.scbytes, ev.csbytes, ev.fulluri, coalesce(s.word, '') AS word,
                    s.ml_score, s.rn IS NOT NULL AS by_model
             FROM ev LEFT JOIN moved AS mv ON mv.pos = ev.pos LEFT JOIN stage_results AS s ON s.rn = mv.rn
             WHERE ev.pos <= ?
             UNION ALL
             SELECT (SELECT count(*) FROM ev) + pos, hh, tdate, \"time\", clientip, host, reqmethod, useragent,
                    resconttype, duration, username, webcat, referer, respcode, uriport, uripath, uriquery,
                    serverip, scbytes, csbytes, fulluri, word, ml_score, true
             FROM model WHERE (SELECT count(*) FROM ev) + pos <= ?",
        params![cap, cap],
    )?;
    conn.execute_batch(
            "DELETE FROM stage_results;
             INSERT INTO stage_results BY NAME SELECT * EXCLUDE (by_model) FROM stage_ranked;
             UPDATE stage_results SET oa_rank = rn, why = '';
             UPDATE stage_results AS s SET why = 'topic model' FROM stage_ranked AS r WHERE r.rn = s.rn AND r.by_model;",
    )?;
    Ok(())
}

/// `why`: every row's pair findings, highest score first, after `topic model` for a row the model kept.
fn explain(conn: &Connection) -> Result<()> {
    // Every row's pair findings, highest score first.
    conn.execute_batch(
        "UPDATE stage_results AS s
         SET why = CASE WHEN s.why = '' THEN f.list ELSE s.why || '; ' || f.list END
         FROM (SELECT f.clientip, f.host,
                      string_agg(coalesce(l.label, f.detector) || ' ' || printf('%.3f', f.score), '; '
                                 ORDER BY f.score DESC, f.detector, f.rule) AS list
               FROM stage_findings AS f LEFT JOIN finding_labels AS l ON l.rule = f.rule AND f.rule <> ''
               WHERE f.detector NOT IN ('intel', 'known_good')
               GROUP BY f.clientip, f.host) AS f
         WHERE f.clientip = s.clientip AND f.host = s.host;",
    )?;
    Ok(())
}
