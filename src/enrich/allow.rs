//! Known-good lists: MISP warninglists (`string`, `hostname`, `substring`, `regex`, `cidr`) and plain lists (a
//! domain or a network per line), imported into cache.sqlite with `proxy-oa allow import`.
//!
//! The known-good stage marks, never drops: a staged row whose host (or a parent domain of it), fulluri or server
//! IP is on a list gets `allow:KNOWN_GOOD:0:<list>` first in `uri_rep` (the first list by name that holds it), so
//! `suspicious` can list it last. How each type matches:
//!
//! | type | matches when |
//! |---|---|
//! | `hostname` (and plain domains) | the host is the entry or ends with `.` + the entry |
//! | `string` | the host or the fulluri is the entry |
//! | `substring` | the host or the fulluri contains the entry |
//! | `regex` | the host or the fulluri matches it (MISP's `/.../flags`; `i` honoured) |
//! | `cidr` (and plain networks, single IPs) | the server IP, or a host that is an IP, is inside it |

use crate::stage::{Meter, Stage};
use anyhow::Result;
use duckdb::{params, Connection};
use ipnet::IpNet;
use serde::Deserialize;
use std::net::IpAddr;

/// How an entry matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Hostname,
    String,
    Substring,
    Regex,
    Cidr,
}

impl Kind {
    /// The name stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Hostname => "hostname",
            Kind::String => "string",
            Kind::Substring => "substring",
            Kind::Regex => "regex",
            Kind::Cidr => "cidr",
        }
    }

    /// From a stored or MISP name.
    pub fn from_name(s: &str) -> Option<Kind> {
        Some(match s {
            "hostname" => Kind::Hostname,
            "string" => Kind::String,
            "substring" => Kind::Substring,
            "regex" => Kind::Regex,
            "cidr" => Kind::Cidr,
            _ => return None,
        })
    }
}

/// What an import read.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The list's own name (MISP's `name`), if it has one.
    pub title: Option<String>,
    pub entries: Vec<(Kind, String)>,
}

#[derive(Deserialize)]
struct Misp {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    list: Vec<String>,
}

/// Parse a MISP warninglist (JSON) or a plain list. Errors name the line or the field.
pub fn parse(text: &str) -> Result<Parsed, String> {
    if text.trim_start().starts_with('{') {
        let m: Misp = serde_json::from_str(text).map_err(|e| format!("not a MISP warninglist: {e}"))?;
        let kind = Kind::from_name(&m.kind)
            .ok_or_else(|| format!("field type: '{}' (expected string, hostname, substring, regex or cidr)", m.kind))?;
        let mut entries = vec![];
        for (i, v) in m.list.iter().enumerate() {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let v = match kind {
                Kind::Regex => misp_regex(v).map_err(|e| format!("field list, entry {}: {e}", i + 1))?,
                Kind::Cidr => {
                    cidr(v).ok_or_else(|| format!("field list, entry {}: not a network: '{v}'", i + 1))?.to_string()
                }
                Kind::Hostname => v.trim_end_matches('.').to_ascii_lowercase(),
                _ => v.to_string(),
            };
            entries.push((kind, v));
        }
        return Ok(Parsed { title: m.name, entries });
    }
    let mut entries = vec![];
    for (i, line) in text.lines().enumerate() {
        let v = line.trim();
        if v.is_empty() || v.starts_with('#') {
            continue;
        }
        if v.contains(char::is_whitespace) {
            return Err(format!("line {}: one domain or network per line, found '{v}'", i + 1));
        }
        match cidr(v) {
            Some(net) => entries.push((Kind::Cidr, net.to_string())),
            None => entries.push((Kind::Hostname, v.trim_end_matches('.').to_ascii_lowercase())),
        }
    }
    Ok(Parsed { title: None, entries })
}

/// A network or a single address.
fn cidr(v: &str) -> Option<IpNet> {
    if let Ok(n) = v.parse::<IpNet>() {
        return Some(n.trunc());
    }
    v.parse::<IpAddr>().ok().map(IpNet::from)
}

/// MISP's `/pattern/flags` as a DuckDB (RE2) pattern.
fn misp_regex(v: &str) -> Result<String, String> {
    let Some(body) = v.strip_prefix('/') else { return Ok(v.to_string()) };
    let end = body.rfind('/').ok_or_else(|| format!("no closing '/' in '{v}'"))?;
    let (pat, flags) = (&body[..end], &body[end + 1..]);
    let pat = pat.replace("\\@", "@");
    Ok(if flags.contains('i') { format!("(?i){pat}") } else { pat })
}

/// One list with its entries, as the stage reads them from the cache.
#[derive(Debug, Clone)]
pub struct List {
    pub name: String,
    pub entries: Vec<(Kind, String)>,
}

/// The label a row on `list` gets first in `uri_rep`.
pub fn label(list: &str) -> String {
    format!("allow:KNOWN_GOOD:0:{list}")
}

/// The known-good stage: mark the staged rows on a list (see the module's table). Counts: rows in; matched = rows
/// marked.
pub fn apply(conn: &Connection, lists: &[List]) -> Result<Stage> {
    let meter = Meter::start();
    let rows: i64 = conn.query_row("SELECT count(*) FROM stage_results", [], |r| r.get(0))?;
    if lists.is_empty() {
        return Ok(meter.finish(Stage {
            rows_in: rows as u64,
            unmatched: rows as u64,
            note: "no known-good list imported (proxy-oa allow import FILE)".into(),
            ..Stage::new("known_good")
        }));
    }
    // Text entries are matched in SQL; networks here, over the distinct addresses.
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE lk_allow (list VARCHAR, kind VARCHAR, value VARCHAR);
         CREATE OR REPLACE TEMP TABLE lk_allow_ip (ip VARCHAR, list VARCHAR);",
    )?;
    {
        let mut app = conn.appender_to_catalog_and_db("lk_allow", "temp", "main")?;
        for l in lists {
            for (k, v) in l.entries.iter().filter(|(k, _)| *k != Kind::Cidr) {
                app.append_row(params![l.name, k.name(), v])?;
            }
        }
        app.flush()?;
    }
    let ips: Vec<String> = {
        let mut st = conn.prepare(
            "SELECT DISTINCT ip FROM (SELECT serverip AS ip FROM stage_results UNION ALL SELECT host FROM stage_results)
             WHERE ip IS NOT NULL AND ip <> '' ORDER BY ip",
        )?;
        let v = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        v
    };
    {
        let mut app = conn.appender_to_catalog_and_db("lk_allow_ip", "temp", "main")?;
        for ip in &ips {
            let Ok(addr) = ip.parse::<IpAddr>() else { continue };
            for l in lists {
                if l.entries
                    .iter()
                    .any(|(k, v)| *k == Kind::Cidr && v.parse::<IpNet>().is_ok_and(|n| n.contains(&addr)))
                {
                    app.append_row(params![ip, l.name])?;
                }
            }
        }
        app.flush()?;
    }
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE lk_allow_hit AS
         SELECT rn, min(list) AS list FROM (
           SELECT s.rn, l.list FROM stage_results s JOIN lk_allow l ON
                (l.kind = 'hostname' AND (lower(s.host) = l.value OR ends_with(lower(s.host), '.' || l.value)))
             OR (l.kind = 'string' AND (s.host = l.value OR s.fulluri = l.value))
             OR (l.kind = 'substring' AND (contains(s.host, l.value) OR contains(s.fulluri, l.value)))
             OR (l.kind = 'regex' AND (regexp_matches(s.host, l.value) OR regexp_matches(s.fulluri, l.value)))
           UNION ALL
           SELECT s.rn, i.list FROM stage_results s JOIN lk_allow_ip i ON i.ip = s.serverip OR i.ip = s.host)
         GROUP BY rn;",
    )?;
    let n = conn.execute(
        "UPDATE stage_results SET uri_rep = 'allow:KNOWN_GOOD:0:' || h.list
                || CASE WHEN coalesce(stage_results.uri_rep, '') <> '' THEN '::' || stage_results.uri_rep ELSE '' END
         FROM lk_allow_hit h WHERE stage_results.rn = h.rn",
        [],
    )? as u64;
    let entries: usize = lists.iter().map(|l| l.entries.len()).sum();
    Ok(meter.finish(Stage {
        rows_in: rows as u64,
        matched: n,
        unmatched: rows as u64 - n,
        note: format!(
            "{n} rows on a known-good list, marked {} first in uri_rep and kept ({} lists, {entries} entries)",
            label("<list>"),
            lists.len()
        ),
        ..Stage::new("known_good")
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/tests/fixtures/allow/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn misp_warninglists_of_every_type_and_plain_lists_parse() {
        let cases = [
            ("misp-captive-portals.json", Kind::String, 21, "android.clients.google.com"),
            ("misp-cachefly.json", Kind::Cidr, 10, "167.71.238.159/32"),
            ("misp-umbrella-blockpage-hostname.json", Kind::Hostname, 5, "hit-adult.opendns.com"),
            ("misp-common-contact-emails.json", Kind::Regex, 1, "(?i)^(security|noc|soc|abuse)@.*\\..*$"),
            ("misp-automated-malware-analysis.json", Kind::Substring, 26, "akana.mobiseclab.org"),
        ];
        for (file, kind, n, first) in cases {
            let p = parse(&fixture(file)).unwrap();
            assert!(p.title.is_some(), "{file}");
            assert_eq!(p.entries.len(), n, "{file}");
            assert!(p.entries.iter().all(|(k, _)| *k == kind), "{file}");
            assert_eq!(p.entries[0].1, first, "{file}");
        }
        let p = parse(&fixture("site.txt")).unwrap();
        assert_eq!(
            p.entries,
            [(Kind::Hostname, "intranet.example-corp.com".into()), (Kind::Cidr, "10.20.0.0/16".into())]
        );
        assert!(parse("a.com b.com\n").unwrap_err().starts_with("line 1:"));
        assert!(parse("{\"type\": \"email\", \"list\": []}").unwrap_err().contains("field type"));
    }

    #[test]
    fn rows_are_marked_by_each_kind_and_kept() {
        let (conn, _ws, _dir) = crate::store::scratch().unwrap();
        conn.execute_batch(&crate::schema::stage_results_ddl()).unwrap();
        let rows = [
            ("www.google.com", "www.google.com/generate_204", "142.250.1.1", "ads"),
            ("x.opendns.com", "x.opendns.com/", "1.1.1.1", ""),
            ("hit-block.opendns.com", "hit-block.opendns.com/", "1.1.1.1", ""),
            ("files.capesandbox.com", "files.capesandbox.com/x", "9.9.9.9", ""),
            ("cdn.example", "cdn.example/a", "204.93.142.10", ""),
            ("evil.example", "evil.example/a", "6.6.6.6", "feed:MALICIOUS:3:urlhaus"),
        ];
        for (i, (host, uri, ip, rep)) in rows.iter().enumerate() {
            conn.execute(
                "INSERT INTO stage_results (rn, hh, clientip, host, fulluri, serverip, uri_rep) VALUES (?, 0, '10.0.0.1', ?, ?, ?, ?)",
                params![i as i64, host, uri, ip, rep],
            )
            .unwrap();
        }
        let lists: Vec<List> = [
            "misp-captive-portals.json",
            "misp-cachefly.json",
            "misp-umbrella-blockpage-hostname.json",
            "misp-automated-malware-analysis.json",
        ]
        .iter()
        .map(|f| List {
            name: f.trim_start_matches("misp-").trim_end_matches(".json").into(),
            entries: parse(&fixture(f)).unwrap().entries,
        })
        .collect();
        let st = apply(&conn, &lists).unwrap();
        assert_eq!((st.rows_in, st.matched), (6, 4));
        let got: Vec<String> = {
            let mut q = conn.prepare("SELECT uri_rep FROM stage_results ORDER BY rn").unwrap();
            q.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
        };
        assert_eq!(
            got,
            [
                "allow:KNOWN_GOOD:0:captive-portals::ads",
                "",
                "allow:KNOWN_GOOD:0:umbrella-blockpage-hostname",
                "allow:KNOWN_GOOD:0:automated-malware-analysis",
                "allow:KNOWN_GOOD:0:cachefly",
                "feed:MALICIOUS:3:urlhaus",
            ]
        );
    }
}
