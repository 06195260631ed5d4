//! `proxy-oa report`: one day as one self-contained HTML file (no server, nothing loaded from the network).
//!
//! The page is three files of this folder put together: `page.html` (the frame), `page.css` and `page.js`
//! (vanilla JavaScript, no library). The day's data goes in as one JSON document inside a
//! `<script type="application/json">` block, with `<`, `>` and `&` written as `\u003c`, `\u003e`, `\u0026` so no
//! value from the logs can end the block; the script renders every value with `textContent` (never as HTML). A
//! Content-Security-Policy meta tag allows only the page's own script and style (by their SHA-256) and `data:`
//! images: no remote load, no inline event handler, no injected script can run.
//!
//! The same day gives the same bytes: the data is read in each table's deterministic order and nothing of the
//! wall clock goes in unless `--stamp` is given.

use crate::analyst::{self, IncidentProgression, TimelineRow};
use crate::config::Config;
use crate::day::Day;
use crate::enrich::cache::Cache;
use crate::enrich::iana::Iana;
use crate::error::Error;
use crate::schema;
use crate::store::{self, Rows};
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use base64::Engine as _;
use duckdb::{params, Connection, OptionalExt};
use serde::Serialize;
use serde_json::{json, Value as J};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const PAGE: &str = include_str!("page.html");
const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// At most this many `proxy_edge` rows go into a page (those of the most suspicious rows first); the rest are
/// named in the provenance and the details pane. [`crate::dialect::EDGE_ROWS`] (250) rows per edge times
/// thousands of rows would make a page too heavy to open.
pub const EDGE_ROWS_CAP: usize = 50_000;

/// The report's file name in the day's data folder.
pub const FILE_NAME: &str = "report.html";

/// What `report` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ReportSummary {
    pub date: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub suspicious_rows: usize,
    pub edge_rows: usize,
    pub threats: usize,
    pub notices: Vec<String>,
}

/// Options of one report.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Where to write (default: `data/proxy/<date>/report.html`).
    pub out: Option<PathBuf>,
    /// Put this generation time in the page (the only wall-clock value it can hold).
    pub stamp: Option<String>,
}

/// The default path of a day's report.
pub fn default_path(ws: &Workspace, day: Day) -> PathBuf {
    ws.data_dir(day).join(FILE_NAME)
}

/// Write the report of `day` with the store and reference data of `ws` (what `proxy-oa report` does).
pub fn write_day(ws: &Workspace, cfg: &Config, day: Day, opts: &ReportOptions) -> Result<ReportSummary> {
    let mut cache = Cache::open(&ws.cache_path())?;
    cache.ensure_iana(cfg.iana_path().as_deref())?;
    let iana = cache.iana()?;
    let conn = store::open(ws, &cfg.store)?;
    write(ws, &conn, &iana, day, opts)
}

/// Write the report of `day` from an open store and say what went in.
pub fn write(ws: &Workspace, conn: &Connection, iana: &Iana, day: Day, opts: &ReportOptions) -> Result<ReportSummary> {
    store::require_day(conn, &ws.store_path(), day)?;
    let data = gather(ws, conn, iana, day, opts.stamp.as_deref())?;
    let html = render(day, &data.json)?;
    let path = opts.out.clone().unwrap_or_else(|| default_path(ws, day));
    write_atomically(&path, html.as_bytes())?;
    Ok(ReportSummary {
        date: day.compact(),
        bytes: html.len() as u64,
        path,
        suspicious_rows: data.suspicious_rows,
        edge_rows: data.edge_rows,
        threats: data.threats,
        notices: data.notices,
    })
}

/// Write beside and rename ([`crate::workspace::temp_beside`]), readable by all like any page to share.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = crate::workspace::temp_beside(path)?;
    std::io::Write::write_all(&mut tmp, bytes).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all().with_context(|| format!("writing {}", path.display()))?;
    tmp.persist(path).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(())
}

struct Gathered {
    json: String,
    suspicious_rows: usize,
    edge_rows: usize,
    threats: usize,
    notices: Vec<String>,
}

/// `rows` as `{"columns": [...], "rows": [[...], ...]}`.
fn table_json(rows: &Rows) -> J {
    let data: Vec<J> = rows.rows.iter().map(|r| J::Array(r.iter().map(store::json_value).collect())).collect();
    json!({ "columns": rows.names, "rows": data })
}

fn column(rows: &Rows, name: &str) -> Result<usize> {
    rows.names.iter().position(|n| n == name).ok_or_else(|| anyhow::anyhow!("the query has no column {name}"))
}

fn gather(ws: &Workspace, conn: &Connection, iana: &Iana, day: Day, stamp: Option<&str>) -> Result<Gathered> {
    let mut notices = vec![];
    crate::enrich::iana::stage_lookup(conn, iana)?;
    store::point_raw_at_day(conn, ws, day)?;

    // Suspicious: the day's unscored rows, the store's order.
    let suspicious = analyst::suspicious(conn, day, &analyst::SuspiciousFilter::default())?;

    let edges = edges_json(conn, day, &suspicious, &mut notices)?;
    let embedded = edges.embedded;

    // Connections per minute.
    let ingest = store::dump(conn, schema::PROXY_INGEST_SUMMARY, day)?;

    // Why: the day's findings, highest score first.
    let findings = store::dump(conn, schema::PROXY_FINDINGS, day)?;

    // Scored URIs, with their storyboards or, without one, the same pictures from the raw day.
    let threats = analyst::threats(conn, day)?;
    let (uri_col, sev_col, rows_col) =
        (column(&threats, "fulluri")?, column(&threats, "uri_sev")?, column(&threats, "rows")?);
    let mut threat_list = vec![];
    for t in &threats.rows {
        let uri = store::render_plain(&t[uri_col]);
        threat_list.push(threat_json(ws, conn, day, &uri, &t[sev_col], &t[rows_col])?);
    }

    // Provenance.
    let (y, m, d) = day.ymd();
    let inputs = Rows::query(
        conn,
        concat!(
            "SELECT role, path, bytes, sha256 FROM proxy_oa_inputs WHERE ",
            crate::on_day!(),
            " ORDER BY role, path"
        ),
        params![y, m, d],
    )?;
    let mut counts = vec![];
    for t in schema::TABLES {
        counts.push(json!([t.name, store::count(conn, t, day)?]));
    }
    if counts.iter().any(|c| c[0] == schema::PROXY.name && c[1] == 0) {
        notices.push(
            "the raw day is not in this workspace (a bundle imported without --with-raw?): threats without a \
             storyboard have no timeline or incident progression"
                .into(),
        );
    }

    let data = json!({
        "tool": { "name": "proxy-oa", "version": env!("CARGO_PKG_VERSION") },
        "day": day.iso(),
        "date": day.compact(),
        "stamp": stamp,
        "suspicious": table_json(&suspicious),
        "edges": edges.json,
        "ingest": table_json(&ingest),
        "findings": table_json(&findings),
        "threats": threat_list,
        "provenance": {
            "inputs": table_json(&inputs),
            "tables": counts,
            "notices": notices,
        },
    });
    Ok(Gathered {
        json: serde_json::to_string(&data)?,
        suspicious_rows: suspicious.rows.len(),
        edge_rows: embedded,
        threats: threat_list.len(),
        notices,
    })
}

/// The `proxy_edge` rows behind the suspicious rows, as the page's `edges`, and how many went in.
struct Edges {
    json: J,
    embedded: usize,
}

/// The edges behind the suspicious rows, most suspicious rows first, up to [`EDGE_ROWS_CAP`] rows; what was
/// capped or left out goes into `notices`.
fn edges_json(conn: &Connection, day: Day, suspicious: &Rows, notices: &mut Vec<String>) -> Result<Edges> {
    let edges = store::dump(conn, schema::PROXY_EDGE, day)?;
    let edge_hash = column(&edges, "hash")?;
    let mut by_hash: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in edges.rows.iter().enumerate() {
        by_hash.entry(store::render_plain(&r[edge_hash])).or_default().push(i);
    }
    let per_edge = crate::dialect::EDGE_ROWS;
    let capped_edges = by_hash.values().filter(|v| v.len() as i64 >= per_edge).count();
    if capped_edges > 0 {
        notices.push(format!(
            "{capped_edges} edge(s) had more than {per_edge} connections in their hour: proxy_edge keeps the first \
             {per_edge} of each"
        ));
    }
    let score_hash = column(suspicious, "hash")?;
    let mut edge_map = serde_json::Map::new();
    let (mut embedded, mut left_out) = (0usize, 0usize);
    for r in &suspicious.rows {
        let h = store::render_plain(&r[score_hash]);
        if edge_map.contains_key(&h) {
            continue;
        }
        let Some(idx) = by_hash.get(&h) else { continue };
        if embedded + idx.len() > EDGE_ROWS_CAP {
            left_out += 1;
            continue;
        }
        embedded += idx.len();
        let rows: Vec<J> =
            idx.iter().map(|&i| J::Array(edges.rows[i].iter().map(store::json_value).collect())).collect();
        edge_map.insert(h, J::Array(rows));
    }
    if left_out > 0 {
        notices.push(format!(
            "the connections of {left_out} less suspicious edge(s) are not in this page (it holds at most \
             {EDGE_ROWS_CAP} proxy_edge rows): `proxy-oa show --date {} --table proxy_edge` has them all",
            day.compact()
        ));
    }
    let json = json!({
        "columns": edges.names,
        "by_hash": J::Object(edge_map),
        "cap": EDGE_ROWS_CAP,
        "per_edge": per_edge,
        "embedded": embedded,
        "omitted": left_out,
    });
    Ok(Edges { json, embedded })
}

/// One scored URI: its severity, its storyboard if saved (with the saved timeline and incident file), otherwise
/// the timeline and incident progression computed from the raw day as `storyboard` would save them.
fn threat_json(
    ws: &Workspace,
    conn: &Connection,
    day: Day,
    uri: &str,
    sev: &duckdb::types::Value,
    rows: &duckdb::types::Value,
) -> Result<J> {
    let (y, m, d) = day.ymd();
    let story: Option<(String, String)> = conn
        .query_row(
            concat!(
                "SELECT title, \"text\" FROM proxy_storyboard WHERE ",
                crate::on_day!(),
                " AND p_threat = ? ORDER BY title LIMIT 1"
            ),
            params![y, m, d, uri],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .context("reading the threat's storyboard")?;
    let (timeline, incident, from) = match &story {
        Some(_) => (saved_timeline(conn, day, uri)?, saved_incident(ws, conn, day, uri)?, "storyboard"),
        None => (
            analyst::timeline(conn, day, uri, analyst::DEFAULT_TOP)?,
            analyst::incident_progression(conn, day, uri)?,
            "raw day",
        ),
    };
    Ok(json!({
        "fulluri": uri,
        "uri_sev": store::json_value(sev),
        "rows": store::json_value(rows),
        "storyboard": story.map(|(title, text)| json!({ "title": title, "text": text })),
        "from": from,
        "timeline": timeline,
        "incident": incident,
    }))
}

/// The timeline `storyboard` saved.
fn saved_timeline(conn: &Connection, day: Day, uri: &str) -> Result<Vec<TimelineRow>> {
    let (y, m, d) = day.ymd();
    let mut st = conn.prepare(concat!(
        "SELECT clientip, respcode, tstart, tend, duration, CAST(0 AS BIGINT) AS requests, respcodename
         FROM proxy_timeline WHERE ",
        crate::on_day!(),
        " AND p_threat = ? ORDER BY tstart, clientip, respcode"
    ))?;
    // The table keeps no request count (0: not known).
    let rows: Vec<TimelineRow> =
        st.query_map(params![y, m, d, uri], TimelineRow::from_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The incident progression `storyboard` saved (its file), or computed again when the file is gone.
fn saved_incident(ws: &Workspace, conn: &Connection, day: Day, uri: &str) -> Result<IncidentProgression> {
    let path = analyst::incident_path(ws, day, uri);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| Error::Data(format!("{}: not an incident progression file ({e})", path.display())).into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => analyst::incident_progression(conn, day, uri),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// `'sha256-<base64>'` of an inline script or style, for the Content-Security-Policy.
fn csp_hash(s: &str) -> String {
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes())))
}

/// JSON made safe inside `<script type="application/json">`: `<`, `>` and `&` (which can only occur inside JSON
/// strings) as `\u` escapes, so no value can close the block or open a comment; `JSON.parse` gives them back.
fn json_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The page: the frame with the day (a validated [`Day`]), the CSP hashes, the style, the data and the script.
fn render(day: Day, json: &str) -> Result<String> {
    let csp = format!(
        "default-src 'none'; script-src {}; style-src {}; img-src data: blob:; base-uri 'none'; form-action 'none'",
        csp_hash(JS),
        csp_hash(CSS)
    );
    let mut out = String::with_capacity(PAGE.len() + CSS.len() + JS.len() + json.len() + 256);
    let mut rest = PAGE;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("}}").map(|j| i + j).context("page.html: an unclosed {{")?;
        match &rest[i + 2..end] {
            "CSP" => out.push_str(&csp),
            "DAY" => out.push_str(&day.iso()),
            "VERSION" => out.push_str(env!("CARGO_PKG_VERSION")),
            "CSS" => out.push_str(CSS),
            "DATA" => out.push_str(&json_for_script(json)),
            "JS" => out.push_str(JS),
            other => anyhow::bail!("page.html: unknown slot {{{{{other}}}}}"),
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_log_value_can_leave_the_data_block() {
        let v = json!({ "uri": "</script><script>alert(1)</script><!-- & \u{2028}" });
        let s = json_for_script(&serde_json::to_string(&v).unwrap());
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'), "{s}");
        let back: J = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn the_page_allows_exactly_its_own_script_and_style() {
        let day: Day = "20161211".parse().unwrap();
        let html = render(day, "{}").unwrap();
        assert!(html.contains(&csp_hash(JS)) && html.contains(&csp_hash(CSS)));
        assert!(
            html.contains(&format!("<style>{CSS}</style>")),
            "the hashed style must be the inline one, byte for byte"
        );
        assert!(html.contains(&format!("<script>{JS}</script>")), "the hashed script must be the inline one");
        assert!(!html.contains("{{"), "every slot filled");
        let no_ns = html.replace("http://www.w3.org/2000/svg", "");
        assert!(!no_ns.contains("http:") && !no_ns.contains("https:"), "nothing to load from a network");
        // No event-handler attribute anywhere in the frame or the script's markup.
        let lower = PAGE.to_lowercase();
        let handler = lower.match_indices(" on").any(|(i, _)| {
            let rest = &lower[i + 3..];
            let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            name_len > 0 && rest[name_len..].starts_with('=')
        });
        assert!(!handler, "no inline event handlers in page.html");
        assert!(!JS.contains("innerHTML") && !JS.contains("insertAdjacentHTML") && !JS.contains("document.write"));
    }
}
