//! The analyst's side, on the store: scoring URIs (with the feedback file spot-ml reads), storyboards with their
//! timeline and incident progression, and resetting a day's scored connections.
//!
//! Every command changes the store in one transaction. Files that go with it (`ml_feedback.csv`,
//! `incident-progression-<md5>.json`) are written under a temporary name first and renamed into place only once the
//! transaction has committed; `reset` moves the day's files aside first and puts them back if the transaction fails.

use crate::config::RESULT_FIELDS;
use crate::day::Day;
use crate::enrich::iana::Iana;
use crate::error::Error;
use crate::on_day;
use crate::schema;
use crate::store::{self, render_plain, Rows};
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use duckdb::types::Value;
use duckdb::{params, Connection};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The feedback file in `data/proxy/<date>/`.
pub const FEEDBACK_FILE: &str = "ml_feedback.csv";

/// The feedback file's header: Spot's CSV-era score-file layout (26 columns), the one `ProxyFeedback.scala` parses
/// (split on TAB, first line skipped, `uri_sev` at index 22): the results file's 21 fields, then these.
const FEEDBACK_TAIL: [&str; 5] = ["uri_rep", "uri_sev", "respcode_name", "network_context", "hash"];

/// The feedback file's 26 column names ([`RESULT_FIELDS`] then [`FEEDBACK_TAIL`]).
pub fn feedback_header() -> Vec<&'static str> {
    RESULT_FIELDS.iter().chain(FEEDBACK_TAIL.iter()).copied().collect()
}

/// The `proxy_scores` column written under each name of [`feedback_header`]: the same name, but where
/// `proxy_scores` renames a results field (`p_date` is `tdate`, `p_time` is `time`, `score` is `ml_score`).
pub fn feedback_columns() -> Vec<&'static str> {
    feedback_header()
        .into_iter()
        .map(|h| match h {
            "p_date" => "tdate",
            "p_time" => "time",
            "score" => "ml_score",
            other => other,
        })
        .collect()
}

/// Prefix of the incident-progression files.
pub const INCIDENT_PREFIX: &str = "incident-progression-";

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

/// A file written under a temporary name in its destination's folder, renamed into place by `commit`.
struct StagedFile {
    tmp: Option<tempfile::NamedTempFile>,
    dest: PathBuf,
    rows: u64,
    low_rows: u64,
}

impl StagedFile {
    fn new(dest: PathBuf) -> Result<StagedFile> {
        let tmp = crate::workspace::temp_beside(&dest)?;
        Ok(StagedFile { tmp: Some(tmp), dest, rows: 0, low_rows: 0 })
    }

    fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let tmp = self.tmp.as_mut().expect("open until commit");
        tmp.write_all(bytes).with_context(|| format!("writing {}", self.dest.display()))
    }

    /// Rename into place; with `rows == 0` and `remove_if_empty`, remove the destination instead.
    fn commit_or_remove(mut self, remove_if_empty: bool) -> Result<Option<PathBuf>> {
        let tmp = self.tmp.take().expect("committed once");
        if remove_if_empty && self.rows == 0 {
            drop(tmp);
            match std::fs::remove_file(&self.dest) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("removing {}", self.dest.display())),
            }
            return Ok(None);
        }
        tmp.as_file().sync_all().with_context(|| format!("writing {}", self.dest.display()))?;
        tmp.persist(&self.dest).with_context(|| format!("renaming into {}", self.dest.display()))?;
        Ok(Some(self.dest))
    }

    fn commit(self) -> Result<Option<PathBuf>> {
        self.commit_or_remove(true)
    }
}

/// The day's feedback file as text, from the store: a header line ([`feedback_header`]) and every `proxy_scores`
/// row of the day with `uri_sev` > 0, in the table's order, TAB-separated, NULL as an empty field. Returns the text,
/// the rows and the Low (3) rows among them.
pub fn feedback_text(conn: &Connection, day: Day) -> Result<(String, u64, u64)> {
    let (y, m, d) = day.ymd();
    let cols: Vec<String> = feedback_columns().into_iter().map(schema::quoted).collect();
    // Column names come from the registry; the day is bound.
    let sql = format!(
        concat!("SELECT {} FROM proxy_scores WHERE ", on_day!(), " AND uri_sev > 0 {}"),
        cols.join(", "),
        schema::PROXY_SCORES.order_by()
    );
    let rows = Rows::query(conn, &sql, params![y, m, d])?;
    let header = feedback_header();
    debug_assert_eq!(rows.names.len(), header.len());
    let mut buf = header.join("\t");
    buf.push('\n');
    let mut low = 0;
    for (n, r) in rows.rows.iter().enumerate() {
        let mut fields = Vec::with_capacity(r.len());
        for (i, v) in r.iter().enumerate() {
            let s = match v {
                Value::Null => String::new(),
                other => render_plain(other),
            };
            if s.contains(['\t', '\n', '\r']) {
                return Err(Error::Data(format!(
                    "proxy_scores of {}, scored row {} (fulluri {}): {} holds a TAB or line break, which spot-ml's \
                     feedback reader (one line per row, split on TAB) cannot take",
                    day.compact(),
                    n + 1,
                    render_plain(&r[18]),
                    rows.names[i]
                ))
                .into());
            }
            fields.push(s);
        }
        if fields[22] == "3" {
            low += 1;
        }
        buf.push_str(&fields.join("\t"));
        buf.push('\n');
    }
    Ok((buf, rows.rows.len() as u64, low))
}

/// The day's feedback file, built inside the caller's transaction, not yet in place. A day without scored rows
/// has no feedback file.
fn stage_feedback(conn: &Connection, ws: &Workspace, day: Day) -> Result<StagedFile> {
    let mut f = StagedFile::new(ws.data_dir(day).join(FEEDBACK_FILE))?;
    let (text, rows, low) = feedback_text(conn, day)?;
    f.write_all(text.as_bytes())?;
    f.rows = rows;
    f.low_rows = low;
    Ok(f)
}

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

/// One request to the threat, as the incident progression lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Request {
    pub clientip: String,
    pub referer: String,
    pub reqmethod: String,
    pub resconttype: String,
    /// How many raw rows had exactly these four values (Spot listed each row).
    pub count: i64,
}

/// `incident-progression-<md5>.json`: Spot's layout.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IncidentProgression {
    pub fulluri: String,
    pub requests: Vec<Request>,
    /// URIs requested with the threat as their referer.
    pub referer_for: Vec<String>,
}

/// What `storyboard` did.
#[derive(Debug, Clone, Serialize)]
pub struct StoryReport {
    pub date: String,
    pub fulluri: String,
    pub title: String,
    /// Raw rows of the day requesting the URI.
    pub raw_requests: i64,
    /// The top client IPs (by requests to the URI) the timeline covers, with their request counts.
    pub top_clients: Vec<(String, i64)>,
    pub timeline_rows: u64,
    pub incident_progression: PathBuf,
    pub referer_for: usize,
}

/// How many client IPs a timeline covers unless told otherwise (`storyboard --top`).
pub const DEFAULT_TOP: usize = 20;

/// A storyboard to save.
#[derive(Debug, Clone)]
pub struct Story {
    /// The threat: a fulluri scored on the day.
    pub uri: String,
    pub title: String,
    pub text: String,
    /// How many client IPs (most requests first) the timeline covers.
    pub top: usize,
}

/// The incident-progression file of `uri`: Spot's name, `incident-progression-<md5(uri)>.json`.
pub fn incident_path(ws: &Workspace, day: Day, uri: &str) -> PathBuf {
    let digest = hex::encode(Md5::digest(uri.as_bytes()));
    ws.data_dir(day).join(format!("{INCIDENT_PREFIX}{digest}.json"))
}

/// Save the storyboard of a scored URI: its title and text, its timeline (per top client IP and response code:
/// first and last request time, summed duration, the code's IANA name) and its incident progression, all from
/// the raw day in the store. Saving again replaces all three.
pub fn storyboard(ws: &Workspace, conn: &mut Connection, iana: &Iana, day: Day, story: &Story) -> Result<StoryReport> {
    let Story { uri, title, text, top } = story;
    let (uri, title, text, top) = (uri.as_str(), title.as_str(), text.as_str(), *top);
    let (y, m, d) = day.ymd();
    let (ry, rm, rd) = day.raw_partition();
    crate::enrich::iana::stage_lookup(conn, iana)?;
    // The raw day's own files only: the same rows, a smaller scan.
    store::point_raw_at_day(conn, ws, day)?;
    let tx = conn.transaction()?;
    let scored: Option<i32> = tx
        .query_row(
            concat!("SELECT min(uri_sev) FROM proxy_threat_investigation WHERE ", on_day!(), " AND fulluri = ?"),
            params![y, m, d, uri],
            |r| r.get(0),
        )
        .ok()
        .flatten();
    if scored.is_none() {
        return Err(Error::Usage(format!(
            "{uri} is not scored on {}: score it first (`proxy-oa score --date {} --uri ... --sev 1`); \
             `proxy-oa threats --date {}` lists the scored URIs",
            day.compact(),
            day.compact(),
            day.compact()
        ))
        .into());
    }
    let raw_requests: i64 = tx.query_row(
        concat!("SELECT count(*) FROM proxy WHERE ", on_day!(), " AND fulluri = ?"),
        params![ry, rm, rd, uri],
        |r| r.get(0),
    )?;

    let timeline = timeline(&tx, day, uri, top)?;
    let mut top_clients: Vec<(String, i64)> = timeline.iter().map(|t| (t.clientip.clone(), t.requests)).collect();
    top_clients.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top_clients.dedup();

    tx.execute(concat!("DELETE FROM proxy_timeline WHERE ", on_day!(), " AND p_threat = ?"), params![y, m, d, uri])?;
    {
        let mut ins = tx.prepare(
            "INSERT INTO proxy_timeline (p_threat, tstart, tend, duration, clientip, respcode, respcodename, y, m, d)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?;
        for t in &timeline {
            ins.execute(params![uri, t.tstart, t.tend, t.duration, t.clientip, t.respcode, t.respcodename, y, m, d])?;
        }
    }
    tx.execute(concat!("DELETE FROM proxy_storyboard WHERE ", on_day!(), " AND p_threat = ?"), params![y, m, d, uri])?;
    tx.execute(
        "INSERT INTO proxy_storyboard (p_threat, title, \"text\", y, m, d) VALUES (?, ?, ?, ?, ?, ?)",
        params![uri, title, text, y, m, d],
    )?;

    let incident = incident_progression(&tx, day, uri)?;
    let mut file = StagedFile::new(incident_path(ws, day, uri))?;
    let mut json = serde_json::to_vec_pretty(&incident)?;
    json.push(b'\n');
    file.write_all(&json)?;
    file.rows = 1;

    tx.commit().map_err(|e| Error::Load(format!("committing the storyboard of {uri}: {e}")))?;
    let path = file.commit_or_remove(false)?.expect("written");
    Ok(StoryReport {
        date: day.compact(),
        fulluri: uri.to_string(),
        title: title.to_string(),
        raw_requests,
        top_clients,
        timeline_rows: timeline.len() as u64,
        incident_progression: path,
        referer_for: incident.referer_for.len(),
    })
}

/// One row of a threat's timeline: a top client IP's requests to the threat with one response code.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TimelineRow {
    pub clientip: String,
    pub respcode: Option<String>,
    /// `p_date p_time` of the first and last such request.
    pub tstart: String,
    pub tend: String,
    /// Summed `duration` (None when no request had one).
    pub duration: Option<i64>,
    /// The client's requests to the threat (all codes).
    pub requests: i64,
    pub respcodename: String,
}

impl TimelineRow {
    /// A row of a query selecting clientip, respcode, tstart, tend, duration, requests, respcodename.
    pub fn from_row(r: &duckdb::Row<'_>) -> duckdb::Result<TimelineRow> {
        Ok(TimelineRow {
            clientip: r.get(0)?,
            respcode: r.get(1)?,
            tstart: r.get(2)?,
            tend: r.get(3)?,
            duration: r.get(4)?,
            requests: r.get(5)?,
            respcodename: r.get(6)?,
        })
    }
}

/// The timeline of `uri` on `day` from the raw day: one row per (client IP, response code) of the `top` client IPs
/// by requests to the URI (ties by address text), by first request. Needs the proxy view pointed at the day and
/// `lk_iana` staged.
pub fn timeline(conn: &Connection, day: Day, uri: &str, top: usize) -> Result<Vec<TimelineRow>> {
    let (ry, rm, rd) = day.raw_partition();
    let mut st = conn.prepare(concat!(
        "WITH top AS (
           SELECT clientip, count(*) AS n FROM proxy WHERE ",
        on_day!(),
        " AND fulluri = ?
           GROUP BY clientip ORDER BY n DESC, clientip LIMIT ?)
         SELECT p.clientip, p.respcode, min(p.p_date || ' ' || p.p_time) AS tstart,
                max(p.p_date || ' ' || p.p_time) AS tend, CAST(sum(p.duration) AS BIGINT) AS duration,
                any_value(top.n) AS n, proxy_respcode_name(p.respcode, any_value(l.name)) AS respcodename
         FROM proxy p JOIN top USING (clientip) LEFT JOIN lk_iana l ON l.code = trim(p.respcode)
         WHERE ",
        on_day!("p"),
        " AND p.fulluri = ?
         GROUP BY p.clientip, p.respcode
         ORDER BY tstart, p.clientip, p.respcode"
    ))?;
    let rows = st
        .query_map(params![ry, rm, rd, uri, top as i64, ry, rm, rd, uri], TimelineRow::from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The incident progression of `uri` on `day` from the raw day: the distinct (client IP, referer, method, content
/// type) of its requests, and the other URIs it was the referer of. Needs the proxy view pointed at the day.
pub fn incident_progression(conn: &Connection, day: Day, uri: &str) -> Result<IncidentProgression> {
    let (ry, rm, rd) = day.raw_partition();
    let mut st = conn.prepare(concat!(
        "SELECT clientip, referer, reqmethod, resconttype, count(*) FROM proxy
         WHERE ",
        on_day!(),
        " AND fulluri = ?
         GROUP BY ALL ORDER BY clientip, referer, reqmethod, resconttype"
    ))?;
    let requests: Vec<Request> = st
        .query_map(params![ry, rm, rd, uri], |r| {
            Ok(Request {
                clientip: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                referer: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                reqmethod: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                resconttype: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                count: r.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut st = conn.prepare(concat!(
        "SELECT DISTINCT fulluri FROM proxy
         WHERE ",
        on_day!(),
        " AND fulluri <> ? AND proxy_refers_to(referer, ?)
         ORDER BY fulluri"
    ))?;
    let referer_for: Vec<String> =
        st.query_map(params![ry, rm, rd, uri, uri], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(IncidentProgression { fulluri: uri.to_string(), requests, referer_for })
}

/// The day's analyst files moved aside into a hidden folder of the day's data folder; dropped without
/// [`FilesAside::discard`], they go back where they were.
pub struct FilesAside {
    trash: Option<tempfile::TempDir>,
    moved: Vec<(PathBuf, PathBuf)>,
}

impl FilesAside {
    /// Move `ml_feedback.csv` and every `incident-progression-*.json` of the day aside.
    pub fn stage(ws: &Workspace, day: Day) -> Result<FilesAside> {
        FilesAside::stage_some(ws, day, true, true)
    }

    /// Move the feedback file (if `feedback`) and the incident-progression files (if `incidents`) aside.
    pub fn stage_some(ws: &Workspace, day: Day, feedback: bool, incidents: bool) -> Result<FilesAside> {
        let dir = ws.data_dir(day);
        let mut found = vec![];
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                for e in entries {
                    let e = e.with_context(|| format!("listing {}", dir.display()))?;
                    let name = e.file_name().to_string_lossy().into_owned();
                    let incident = name.starts_with(INCIDENT_PREFIX) && name.ends_with(".json");
                    if (feedback && name == FEEDBACK_FILE) || (incidents && incident) {
                        found.push(e.path());
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("listing {}", dir.display())),
        }
        found.sort();
        if found.is_empty() {
            return Ok(FilesAside { trash: None, moved: vec![] });
        }
        let trash = tempfile::Builder::new()
            .prefix(".proxy-oa-reset-")
            .tempdir_in(&dir)
            .with_context(|| format!("creating a folder in {}", dir.display()))?;
        let mut aside = FilesAside { trash: None, moved: vec![] };
        for p in found {
            let to = trash.path().join(p.file_name().expect("a file"));
            std::fs::rename(&p, &to).with_context(|| format!("moving {} aside", p.display()))?;
            aside.moved.push((p, to));
        }
        aside.trash = Some(trash);
        Ok(aside)
    }

    /// The files moved aside (their original paths).
    pub fn files(&self) -> Vec<PathBuf> {
        self.moved.iter().map(|(p, _)| p.clone()).collect()
    }

    /// Delete them for good.
    pub fn discard(mut self) -> Vec<PathBuf> {
        let files = self.files();
        self.moved.clear();
        drop(self.trash.take());
        files
    }
}

impl Drop for FilesAside {
    fn drop(&mut self) {
        for (orig, aside) in self.moved.drain(..) {
            if let Err(e) = std::fs::rename(&aside, &orig) {
                log::error!("could not put {} back from {}: {e}", orig.display(), aside.display());
            }
        }
    }
}

/// Rows a reset changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ResetCounts {
    /// `proxy_scores` rows whose `uri_sev` went back to 0.
    pub uri_sev_rows: u64,
    pub threat_investigation: u64,
    pub storyboard: u64,
    pub timeline: u64,
}

/// The table part of a reset, inside the caller's transaction.
pub fn reset_tables(conn: &Connection, day: Day) -> Result<ResetCounts> {
    let (y, m, d) = day.ymd();
    let uri_sev_rows = conn.execute(
        concat!("UPDATE proxy_scores SET uri_sev = 0 WHERE ", on_day!(), " AND uri_sev IS DISTINCT FROM 0"),
        params![y, m, d],
    )? as u64;
    let mut n = [0u64; 3];
    for (i, t) in schema::ANALYST_TABLES.iter().enumerate() {
        // Table names are constants.
        n[i] = conn.execute(&format!(concat!("DELETE FROM {} WHERE ", on_day!()), t.name), params![y, m, d])? as u64;
    }
    Ok(ResetCounts { uri_sev_rows, threat_investigation: n[0], storyboard: n[1], timeline: n[2] })
}

/// What `reset` removed.
#[derive(Debug, Clone, Serialize)]
pub struct ResetReport {
    pub date: String,
    #[serde(flatten)]
    pub counts: ResetCounts,
    pub files: Vec<PathBuf>,
}

impl ResetReport {
    /// Lines for the user.
    pub fn to_text(&self) -> String {
        let c = &self.counts;
        let mut s = format!(
            "reset {}: {} proxy_scores rows back to uri_sev 0; removed {} proxy_threat_investigation, {} \
             proxy_storyboard and {} proxy_timeline rows",
            self.date, c.uri_sev_rows, c.threat_investigation, c.storyboard, c.timeline
        );
        if self.files.is_empty() {
            s.push_str("; no analyst files\n");
        } else {
            s.push_str(&format!(" and {} files:\n", self.files.len()));
            for f in &self.files {
                s.push_str(&format!("  {}\n", f.display()));
            }
        }
        s
    }
}

/// Reset the day's scored connections: `uri_sev` back to 0; the day's threat investigation, storyboard and
/// timeline rows, incident-progression files and feedback file removed; all or nothing.
pub fn reset(ws: &Workspace, conn: &mut Connection, day: Day) -> Result<ResetReport> {
    let aside = FilesAside::stage(ws, day)?;
    let tx = conn.transaction()?;
    let counts = reset_tables(&tx, day)?;
    tx.commit().map_err(|e| Error::Load(format!("committing the reset of {}: {e}", day.compact())))?;
    let files = aside.discard();
    Ok(ResetReport { date: day.compact(), counts, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_parse_as_numbers_or_names() {
        for (s, v) in [("1", 1), (" 2 ", 2), ("3", 3), ("High", 1), ("medium", 2), ("LOW", 3)] {
            assert_eq!(s.parse::<Severity>().unwrap().value(), v, "{s}");
        }
        for s in ["0", "4", "-1", "", "x", "1.0"] {
            assert!(s.parse::<Severity>().is_err(), "{s}");
        }
    }

    #[test]
    fn the_feedback_header_puts_uri_sev_at_22_and_hash_last() {
        let header = feedback_header();
        assert_eq!(header.len(), 26);
        assert_eq!(header[20], "score");
        assert_eq!(header[22], "uri_sev");
        assert_eq!(header[25], "hash");
        let cols = feedback_columns();
        for c in &cols {
            assert!(schema::PROXY_SCORES.columns.iter().any(|(n, _)| n == c), "{c} is not a proxy_scores column");
        }
        assert_eq!(cols.len(), 26);
        assert_eq!(cols[22], "uri_sev");
        // Columns 0-19 are the results file's, renamed only where proxy_scores renames them.
        for (i, (h, c)) in header.iter().zip(&cols).enumerate() {
            let same = match (*h, *c) {
                ("p_date", "tdate") | ("p_time", "time") | ("score", "ml_score") => true,
                (a, b) => a == b,
            };
            assert!(same, "column {i}: header {h}, proxy_scores {c}");
        }
    }

    #[test]
    fn a_score_file_names_its_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("scores.tsv");
        std::fs::write(&p, "# comment\na.com/x\t3\n\nb.com/y\tHigh\r\nc.com/z\n").unwrap();
        let got = read_score_file(&p, Some(Severity(2))).unwrap();
        let v: Vec<(&str, u8, String)> =
            got.iter().map(|r| (r.uri.as_str(), r.sev.value(), r.origin.clone())).collect();
        let at = |n: usize| format!("{}:{n}", p.display());
        assert_eq!(v, vec![("a.com/x", 3, at(2)), ("b.com/y", 1, at(4)), ("c.com/z", 2, at(5))]);
        let e = read_score_file(&p, None).unwrap_err().to_string();
        assert!(e.contains(&format!("{}: no severity", at(5))), "{e}");
        std::fs::write(&p, "a.com/x\t7\n").unwrap();
        let e = read_score_file(&p, None).unwrap_err().to_string();
        assert!(e.contains(&format!("{}: field 2 (severity)", at(1))), "{e}");
    }

    #[test]
    fn the_referer_macros_strip_scheme_and_port() {
        let (conn, _ws, _dir) = store::scratch().unwrap();
        let cases = [
            ("http://a.com/x", "a.com/x", true),
            ("https://a.com:8443/x", "a.com/x", true),
            ("a.com/x", "a.com/x", true),
            ("http://a.com/", "a.com", true),
            ("http://a.com/xy", "a.com/x", false),
            ("http://b.com/page?u=http://a.com/x", "a.com/x", false),
            ("-", "a.com/x", false),
        ];
        for (referer, uri, want) in cases {
            let got: bool =
                conn.query_row("SELECT proxy_refers_to(?, ?)", params![referer, uri], |r| r.get(0)).unwrap();
            assert_eq!(got, want, "{referer} -> {uri}");
        }
    }
}
