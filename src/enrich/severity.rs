//! The severity stage: `uri_sev` of every staged row, the analyst's severity of its fulluri on that day
//! (`proxy_threat_investigation`, written by `score`), else 0 (unscored). A re-run keeps the analyst's work.

use crate::day::Day;
use crate::on_day;
use crate::stage::{Meter, Stage};
use anyhow::Result;
use duckdb::{params, Connection};

/// Fill `uri_sev` from the day's scores. Counts: rows in; matched = rows already scored by the analyst.
pub fn apply(conn: &Connection, day: Day) -> Result<Stage> {
    let meter = Meter::start();
    let (y, m, d) = day.ymd();
    conn.execute(
        concat!(
            "UPDATE stage_results SET uri_sev = coalesce((SELECT min(t.uri_sev) FROM proxy_threat_investigation t
               WHERE ",
            on_day!("t"),
            " AND t.fulluri = stage_results.fulluri), 0)"
        ),
        params![y, m, d],
    )?;
    let (n, k): (i64, i64) =
        conn.query_row("SELECT count(*), count(*) FILTER (WHERE uri_sev > 0) FROM stage_results", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(meter.finish(Stage {
        rows_in: n as u64,
        matched: k as u64,
        unmatched: (n - k) as u64,
        note: "uri_sev: the URI's severity on this day in proxy_threat_investigation (the analyst's), else 0".into(),
        ..Stage::new("severity")
    }))
}
