//! Storyboards: the story of a threat, its timeline and its incident progression.

use super::StagedFile;
use crate::day::Day;
use crate::enrich::iana::Iana;
use crate::error::Error;
use crate::on_day;
use crate::store;
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Prefix of the incident-progression files.
pub const INCIDENT_PREFIX: &str = "incident-progression-";

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
    let path = file.commit_or_remove(false)?.context("the incident progression file was written")?;
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
