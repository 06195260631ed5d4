//! Scoring URIs of a day: severities, score files, and the `score` command (the store and the feedback file in one
//! step).

use super::feedback::stage_feedback;
use crate::day::Day;
use crate::error::Error;
use crate::on_day;
use crate::store;
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An analyst's severity: 1 High, 2 Medium, 3 Low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(into = "u8")]
pub struct Severity(u8);

impl Severity {
    /// From its number.
    pub fn new(v: i64) -> Result<Severity, String> {
        match v {
            1..=3 => Ok(Severity(v as u8)),
            _ => Err(format!("severity {v}: expected 1 (High), 2 (Medium) or 3 (Low)")),
        }
    }

    /// The number stored in `uri_sev`.
    pub fn value(self) -> u8 {
        self.0
    }

    /// High, Medium or Low.
    pub fn label(self) -> &'static str {
        label(i64::from(self.0))
    }
}

impl From<Severity> for u8 {
    fn from(s: Severity) -> u8 {
        s.0
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Severity, String> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "high" => return Ok(Severity(1)),
            "medium" => return Ok(Severity(2)),
            "low" => return Ok(Severity(3)),
            _ => {}
        }
        let v: i64 = t.parse().map_err(|_| format!("severity '{s}': expected 1 (High), 2 (Medium) or 3 (Low)"))?;
        Severity::new(v)
    }
}

/// The name of a `uri_sev` value.
pub fn label(v: i64) -> &'static str {
    match v {
        0 => "unscored",
        1 => "High",
        2 => "Medium",
        3 => "Low",
        _ => "invalid",
    }
}

/// One URI to score, with where it was asked for (for error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRequest {
    pub uri: String,
    pub sev: Severity,
    /// `--uri` or `<file>:<line>`.
    pub origin: String,
}

/// Read a `--from` file: one URI per line, optionally followed by a TAB and its severity (1-3 or High/Medium/Low);
/// a line without one takes `default`. Blank lines and lines starting with `#` are skipped.
pub fn read_score_file(path: &Path, default: Option<Severity>) -> Result<Vec<ScoreRequest>> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8(text).map_err(|e| Error::Data(format!("{}: not UTF-8 text ({e})", path.display())))?;
    let mut out = vec![];
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let origin = format!("{}:{}", path.display(), i + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t');
        let uri = fields.next().unwrap_or_default().to_string();
        let sev = match fields.next() {
            Some(s) => s.parse::<Severity>().map_err(|e| Error::Data(format!("{origin}: field 2 (severity): {e}")))?,
            None => default.ok_or_else(|| {
                Error::Data(format!("{origin}: no severity: write URI<TAB>SEVERITY or give --sev for the whole file"))
            })?,
        };
        if fields.next().is_some() {
            return Err(Error::Data(format!("{origin}: more than two TAB-separated fields (URI, severity)")).into());
        }
        if uri.is_empty() {
            return Err(Error::Data(format!("{origin}: field 1 (URI) is empty")).into());
        }
        out.push(ScoreRequest { uri, sev, origin });
    }
    if out.is_empty() {
        return Err(Error::Data(format!("{}: no URI to score", path.display())).into());
    }
    Ok(out)
}

/// One scored URI.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    pub fulluri: String,
    pub uri_sev: Severity,
    /// The severity it had on this day before, if it was scored.
    pub previous: Option<i32>,
    /// `proxy_scores` rows of the day with this fulluri (all client IPs).
    pub rows: u64,
}

/// What `score` did.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreReport {
    pub date: String,
    pub scored: Vec<Scored>,
    /// The feedback file (every scored row of the day).
    pub feedback: PathBuf,
    pub feedback_rows: u64,
    /// Of those, rows scored 3 (Low): the ones spot-ml's next run learns as normal traffic.
    pub feedback_low_rows: u64,
}

/// Score URIs of one day: set `uri_sev` on all their `proxy_scores` rows, record them in
/// `proxy_threat_investigation` (one row per URI; a second score replaces the first) and rewrite the day's
/// feedback file. Nothing is written if any URI is unknown on that day.
pub fn score(ws: &Workspace, conn: &mut Connection, day: Day, reqs: &[ScoreRequest]) -> Result<ScoreReport> {
    // One severity per URI.
    let mut wanted: Vec<&ScoreRequest> = vec![];
    let mut seen: BTreeMap<&str, &ScoreRequest> = BTreeMap::new();
    for r in reqs {
        match seen.get(r.uri.as_str()) {
            Some(prev) if prev.sev != r.sev => {
                return Err(Error::Usage(format!(
                    "{} is scored {} ({}) and {} ({}) in one call: give each URI one severity",
                    r.uri,
                    prev.sev.value(),
                    prev.origin,
                    r.sev.value(),
                    r.origin
                ))
                .into())
            }
            Some(_) => {}
            None => {
                seen.insert(&r.uri, r);
                wanted.push(r);
            }
        }
    }
    let (y, m, d) = day.ymd();
    let tx = conn.transaction()?;
    store::require_day(&tx, &ws.store_path(), day)?;
    let mut scored = vec![];
    let mut unknown = vec![];
    let mut unknown_origins = vec![];
    for r in &wanted {
        let rows: i64 = tx.query_row(
            concat!("SELECT count(*) FROM proxy_scores WHERE ", on_day!(), " AND fulluri = ?"),
            params![y, m, d, r.uri],
            |row| row.get(0),
        )?;
        if rows == 0 {
            unknown.push(format!("{} ({})", r.uri, r.origin));
            unknown_origins.push(r.origin.as_str());
            continue;
        }
        let previous: Option<i32> = tx
            .query_row(
                concat!("SELECT min(uri_sev) FROM proxy_threat_investigation WHERE ", on_day!(), " AND fulluri = ?"),
                params![y, m, d, r.uri],
                |row| row.get(0),
            )
            .ok()
            .flatten();
        scored.push(Scored { fulluri: r.uri.clone(), uri_sev: r.sev, previous, rows: rows as u64 });
    }
    if !unknown.is_empty() {
        let msg = format!(
            "unknown URI(s) on {}: no proxy_scores row of that day has the fulluri\n  {}\nnothing was scored \
             (`proxy-oa suspicious --date {}` lists the day's URIs)",
            day.compact(),
            unknown.join("\n  "),
            day.compact()
        );
        // A bad line of a --from file is bad input data; a bad --uri a bad command line.
        let from_file = unknown_origins.iter().any(|o| *o != "--uri");
        return Err(if from_file { Error::Data(msg) } else { Error::Usage(msg) }.into());
    }
    for s in &scored {
        let sev = i32::from(s.uri_sev.value());
        tx.execute(
            concat!("DELETE FROM proxy_threat_investigation WHERE ", on_day!(), " AND fulluri = ?"),
            params![y, m, d, s.fulluri],
        )?;
        tx.execute(
            "INSERT INTO proxy_threat_investigation (tdate, fulluri, uri_sev, y, m, d) VALUES (?, ?, ?, ?, ?, ?)",
            params![day.iso(), s.fulluri, sev, y, m, d],
        )?;
        tx.execute(
            concat!("UPDATE proxy_scores SET uri_sev = ? WHERE ", on_day!(), " AND fulluri = ?"),
            params![sev, y, m, d, s.fulluri],
        )?;
    }
    let staged = stage_feedback(&tx, ws, day)?;
    tx.commit().map_err(|e| Error::Load(format!("committing the scores of {}: {e}", day.compact())))?;
    let (feedback, feedback_rows, feedback_low_rows) = (staged.dest.clone(), staged.rows, staged.low_rows);
    staged.commit()?;
    Ok(ScoreReport { date: day.compact(), scored, feedback, feedback_rows, feedback_low_rows })
}
