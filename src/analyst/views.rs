//! The day's threats and suspicious connections as the analyst reads them.

use crate::day::Day;
use crate::on_day;
use crate::store::Rows;
use anyhow::Result;
use duckdb::{params, Connection};

/// A scored URI of the day, as `threats` lists it.
pub fn threats(conn: &Connection, day: Day) -> Result<Rows> {
    let (y, m, d) = day.ymd();
    Rows::query(
        conn,
        concat!(
            "SELECT t.tdate, t.fulluri, t.uri_sev,
                CASE t.uri_sev WHEN 1 THEN 'High' WHEN 2 THEN 'Medium' WHEN 3 THEN 'Low' ELSE 'invalid' END
                  AS severity,
                (SELECT count(*) FROM proxy_scores s
                 WHERE s.y = t.y AND s.m = t.m AND s.d = t.d AND s.fulluri = t.fulluri) AS rows,
                coalesce((SELECT b.title FROM proxy_storyboard b
                          WHERE b.y = t.y AND b.m = t.m AND b.d = t.d AND b.p_threat = t.fulluri
                          ORDER BY b.title LIMIT 1), '') AS storyboard
         FROM proxy_threat_investigation t
         WHERE ",
            on_day!("t"),
            "
         ORDER BY t.uri_sev, t.fulluri, t.tdate"
        ),
        params![y, m, d],
    )
}

/// What `suspicious` shows.
#[derive(Debug, Clone, Default)]
pub struct SuspiciousFilter {
    /// Only rows whose fulluri contains this text (literally; `%` and `_` are not wildcards).
    pub uri: Option<String>,
    /// Only rows of this client IP.
    pub ip: Option<String>,
    /// At most this many rows (0: all).
    pub limit: usize,
}

/// The day's suspicious rows not scored on that day, most suspicious first (`proxy_suspicious` in the store).
pub fn suspicious(conn: &Connection, day: Day, f: &SuspiciousFilter) -> Result<Rows> {
    let limit = if f.limit == 0 { i64::MAX } else { f.limit as i64 };
    Rows::query(
        conn,
        "SELECT * EXCLUDE (word) FROM proxy_suspicious(?)
         WHERE (? IS NULL OR contains(fulluri, ?)) AND (? IS NULL OR clientip = ?)
         LIMIT ?",
        params![day.compact(), f.uri, f.uri, f.ip, f.ip, limit],
    )
}
