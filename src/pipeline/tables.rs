//! The day's tables, set-based, inside the caller's transaction. The SQL is in `schema/<table>.sql` (the edge and
//! ingest-summary text shared with the cluster, rendered by [`crate::dialect`]); each function states what it
//! writes and returns its own counts.

use crate::day::Day;
use crate::dialect::{self, Query, EDGE_ROWS};
use crate::input::raw::FileStats;
use crate::on_day;
use crate::schema;
use crate::stage::{Meter, Stage};
use anyhow::Result;
use duckdb::{params, Connection};

/// `proxy_scores` from the staged results rows (`schema/proxy_scores.sql`).
pub const PROXY_SCORES_SQL: &str = include_str!("../../schema/proxy_scores.sql");

/// Remove the day from the tables `run` writes (and its recorded inputs).
pub fn clear_day(conn: &Connection, day: Day) -> Result<()> {
    let (y, m, d) = day.ymd();
    for t in [
        schema::PROXY_SCORES,
        schema::PROXY_EDGE,
        schema::PROXY_INGEST_SUMMARY,
        schema::PROXY_FINDINGS,
        schema::PROXY_OA_INPUTS,
    ] {
        // Table names come from the registry; the day is bound.
        conn.execute(&format!("DELETE FROM {} WHERE {}", t.name, on_day!()), params![y, m, d])?;
    }
    Ok(())
}

/// `proxy_scores`: one row per staged results row, in the file's order. Counts: rows written.
pub fn proxy_scores(conn: &Connection, day: Day) -> Result<Stage> {
    let meter = Meter::start();
    let (y, m, d) = day.ymd();
    let n = conn.execute(PROXY_SCORES_SQL, params![y, m, d])? as u64;
    Ok(meter.finish(Stage { rows_in: n, matched: n, ..Stage::new("proxy_scores") }))
}

/// `proxy_edge`: every distinct edge of the day's `proxy_scores` rows of that date, with its first [`EDGE_ROWS`]
/// raw rows of that hour. Counts: distinct edges in, edges with raw rows (matched) and without (unmatched).
pub fn proxy_edge(conn: &Connection, day: Day) -> Result<Stage> {
    let meter = Meter::start();
    let (sql, values) = dialect::local(Query::Edge, day);
    let n = conn.execute(&sql, duckdb::params_from_iter(values))?;
    edge_stage(conn, day, n as u64, meter)
}

/// The `proxy_edge` stage's counts once the day's rows are in, `n` of them.
pub fn edge_stage(conn: &Connection, day: Day, n: u64, meter: Meter) -> Result<Stage> {
    let (y, m, d) = day.ymd();
    let edges: i64 = conn.query_row(
        "SELECT count(*) FROM (SELECT DISTINCT clientip, fulluri, hh FROM stage_results WHERE tdate = ?)",
        params![day.iso()],
        |r| r.get(0),
    )?;
    let with_rows: i64 = conn.query_row(
        concat!("SELECT count(DISTINCT hash) FROM proxy_edge WHERE ", on_day!()),
        params![y, m, d],
        |r| r.get(0),
    )?;
    Ok(meter.finish(Stage {
        rows_in: edges as u64,
        matched: with_rows as u64,
        unmatched: (edges - with_rows) as u64,
        note: format!(
            "{n} raw rows for {edges} distinct edges (at most {EDGE_ROWS} each); unmatched = edges with no raw rows"
        ),
        ..Stage::new("proxy_edge")
    }))
}

/// `proxy_ingest_summary`: connections per minute over the whole raw day. Counts: connections (rows in) and
/// minutes (matched).
pub fn proxy_ingest_summary(conn: &Connection, day: Day) -> Result<Stage> {
    let meter = Meter::start();
    let (sql, values) = dialect::local(Query::IngestSummary, day);
    let n = conn.execute(&sql, duckdb::params_from_iter(values))? as u64;
    ingest_stage(conn, day, n, meter)
}

/// The ingest-summary stage's counts once the day's `n` minutes are in.
pub fn ingest_stage(conn: &Connection, day: Day, n: u64, meter: Meter) -> Result<Stage> {
    let (y, m, d) = day.ymd();
    let total: i64 = conn.query_row(
        concat!("SELECT coalesce(sum(total), 0)::BIGINT FROM proxy_ingest_summary WHERE ", on_day!()),
        params![y, m, d],
        |r| r.get(0),
    )?;
    let note = if n == 0 {
        "no raw rows for this day: the summary is empty".into()
    } else {
        format!("{total} connections in {n} minutes")
    };
    Ok(meter.finish(Stage { rows_in: total as u64, matched: n, note, ..Stage::new("ingest_summary") }))
}

/// One input file of the day, for bundle manifests.
pub struct Input<'a> {
    pub role: &'static str,
    pub path: &'a str,
    pub bytes: u64,
    pub sha256: &'a str,
}

/// `proxy_oa_inputs`: the results file and every raw file the day was built from.
pub fn proxy_oa_inputs(conn: &Connection, day: Day, results: Input<'_>, raw: &[FileStats]) -> Result<()> {
    let (y, m, d) = day.ymd();
    let mut ins =
        conn.prepare("INSERT INTO proxy_oa_inputs (role, path, bytes, sha256, y, m, d) VALUES (?, ?, ?, ?, ?, ?, ?)")?;
    ins.execute(params![results.role, results.path, results.bytes as i64, results.sha256, y, m, d])?;
    for f in raw {
        ins.execute(params!["raw", f.path.display().to_string(), f.bytes as i64, f.sha256, y, m, d])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tables_sql_selects_every_registry_column() {
        // proxy_scores takes every staged column by name: a staged row whose every value names its column comes
        // back in every proxy_scores column.
        let (conn, _ws, _dir) = crate::store::scratch().unwrap();
        conn.execute_batch(&schema::stage_results_ddl()).unwrap();
        let cols = &schema::PROXY_SCORES.columns;
        let values: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(i, (c, t))| match t {
                schema::Type::Str => format!("'{c}'"),
                schema::Type::Float => format!("{}.5", i + 1),
                _ => (i + 1).to_string(),
            })
            .collect();
        conn.execute_batch(&format!(
            "INSERT INTO stage_results (rn, hh, {}) VALUES (1, 0, {})",
            schema::PROXY_SCORES.column_list(),
            values.join(", ")
        ))
        .unwrap();
        conn.execute(PROXY_SCORES_SQL, params![2016i16, 12i8, 11i8]).unwrap();
        let got: Vec<String> = conn
            .query_row(
                &format!(
                    "SELECT {} FROM proxy_scores",
                    cols.iter()
                        .map(|(c, _)| format!("CAST({} AS VARCHAR)", schema::quoted(c)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                [],
                |r| (0..cols.len()).map(|i| r.get::<_, String>(i)).collect(),
            )
            .unwrap();
        let want: Vec<String> = values.iter().map(|v| v.trim_matches('\'').to_string()).collect();
        assert_eq!(got, want);
        let (conn, _ws, _dir) = crate::store::scratch().unwrap();
        conn.execute_batch(&schema::stage_results_ddl()).unwrap();
        conn.execute_batch("CREATE TEMP TABLE lk_iana (code VARCHAR, name VARCHAR)").unwrap();
        for q in [Query::Edge, Query::IngestSummary, Query::AnalystRawRows] {
            let body = q.body();
            let ctes = "WITH raw_day AS (SELECT * FROM proxy), raw_stored AS (SELECT * FROM proxy_stored), scores_day AS (SELECT tdate, \"time\" AS s_time, \
                        clientip, fulluri, hash FROM proxy_scores), iana AS (SELECT code, name FROM lk_iana) ";
            let sql = format!("{ctes}SELECT * FROM ({}) AS q LIMIT 0", body)
                .replace("$date", "'2016-12-11'")
                .replace("$edge_rows", "250");
            let mut st = conn.prepare(&sql).unwrap();
            let names: Vec<String> = st.query([]).unwrap().as_ref().unwrap().column_names();
            let cols: Vec<&str> = q.table().columns.iter().map(|c| c.0).collect();
            let renamed: Vec<String> =
                names.iter().map(|n| n.replace("p_time", "time").replace("p_date", "tdate")).collect();
            let want: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
            if q == Query::AnalystRawRows {
                assert_eq!(names, want, "{q:?}");
            } else {
                assert_eq!(renamed, want, "{q:?}");
            }
        }
    }

    #[test]
    fn the_tables_sql_runs_on_the_registry_schema() {
        // Prepared against the generated schema: a column the SQL names and the registry lacks is an error here.
        let (conn, _ws, _dir) = crate::store::scratch().unwrap();
        conn.execute_batch(&schema::stage_results_ddl()).unwrap();
        conn.execute_batch("CREATE TEMP TABLE lk_iana (code VARCHAR, name VARCHAR)").unwrap();
        conn.prepare(PROXY_SCORES_SQL).unwrap();
        let day: Day = "20161211".parse().unwrap();
        for q in [Query::Edge, Query::IngestSummary] {
            conn.prepare(&dialect::local(q, day).0).unwrap();
        }
    }
}
