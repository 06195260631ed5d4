//! The day's tables, set-based, inside the caller's transaction. The SQL is in `schema/<table>.sql`; each
//! function states what it writes and returns its own counts.

use crate::day::Day;
use crate::input::raw::FileStats;
use crate::on_day;
use crate::schema;
use crate::stage::{Meter, Stage};
use anyhow::Result;
use duckdb::{params, Connection};

/// Most raw rows kept per edge in `proxy_edge`.
pub const EDGE_ROWS: i64 = 250;

/// `proxy_scores` from the staged results rows (`schema/proxy_scores.sql`).
pub const PROXY_SCORES_SQL: &str = include_str!("../../schema/proxy_scores.sql");
/// `proxy_edge` from the staged results rows and the raw day (`schema/proxy_edge.sql`).
pub const PROXY_EDGE_SQL: &str = include_str!("../../schema/proxy_edge.sql");
/// `proxy_ingest_summary` from the raw day (`schema/proxy_ingest_summary.sql`).
pub const PROXY_INGEST_SUMMARY_SQL: &str = include_str!("../../schema/proxy_ingest_summary.sql");

/// Remove the day from the tables `run` writes (and its recorded inputs).
pub fn clear_day(conn: &Connection, day: Day) -> Result<()> {
    let (y, m, d) = day.ymd();
    for t in [schema::PROXY_SCORES, schema::PROXY_EDGE, schema::PROXY_INGEST_SUMMARY, schema::PROXY_OA_INPUTS] {
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

/// `proxy_edge`: every distinct edge of the day's staged rows of that date, with its first [`EDGE_ROWS`] raw rows
/// of that hour. Counts: distinct edges in, edges with raw rows (matched) and without (unmatched).
pub fn proxy_edge(conn: &Connection, day: Day) -> Result<Stage> {
    let meter = Meter::start();
    let (y, m, d) = day.ymd();
    let (ry, rm, rd) = day.raw_partition();
    let edges: i64 = conn.query_row(
        "SELECT count(*) FROM (SELECT DISTINCT clientip, fulluri, hh FROM stage_results WHERE tdate = ?)",
        params![day.iso()],
        |r| r.get(0),
    )?;
    let n = conn.execute(PROXY_EDGE_SQL, params![y, m, d, day.iso(), ry, rm, rd, EDGE_ROWS])?;
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
    let (y, m, d) = day.ymd();
    let (ry, rm, rd) = day.raw_partition();
    let n = conn.execute(PROXY_INGEST_SUMMARY_SQL, params![y, m, d, ry, rm, rd])?;
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
    Ok(meter.finish(Stage { rows_in: total as u64, matched: n as u64, note, ..Stage::new("ingest_summary") }))
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

/// The columns an `INSERT INTO <table> (...)` statement names, in order.
#[cfg(test)]
fn insert_columns(sql: &str, table: &schema::Table) -> Vec<String> {
    let head = format!("INSERT INTO {} (", table.name);
    let start = sql.find(&head).unwrap_or_else(|| panic!("no {head}")) + head.len();
    let end = start + sql[start..].find(')').expect("closing parenthesis");
    sql[start..end].split(',').map(|c| c.trim().trim_matches('"').to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tables_sql_names_every_registry_column() {
        for (sql, t) in [
            (PROXY_SCORES_SQL, schema::PROXY_SCORES),
            (PROXY_EDGE_SQL, schema::PROXY_EDGE),
            (PROXY_INGEST_SUMMARY_SQL, schema::PROXY_INGEST_SUMMARY),
        ] {
            let mut want: Vec<String> = t.columns.iter().map(|c| c.0.to_string()).collect();
            want.extend(["y", "m", "d"].map(String::from));
            assert_eq!(insert_columns(sql, &t), want, "{}", t.name);
        }
    }

    #[test]
    fn the_tables_sql_runs_on_the_registry_schema() {
        // Prepared against the generated schema: a column the SQL names and the registry lacks is an error here.
        let (conn, _ws, _dir) = crate::store::scratch().unwrap();
        conn.execute_batch(&schema::stage_results_ddl()).unwrap();
        conn.execute_batch("CREATE TEMP TABLE lk_iana (code VARCHAR, name VARCHAR)").unwrap();
        for sql in [PROXY_SCORES_SQL, PROXY_EDGE_SQL, PROXY_INGEST_SUMMARY_SQL] {
            conn.prepare(sql).unwrap();
        }
    }
}
