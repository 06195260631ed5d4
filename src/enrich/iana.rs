//! HTTP response-code names from IANA's HTTP Status Code Registry (plus the unofficial codes Spot's table had).
//!
//! Input column: `respcode`. Output column: `respcode_name`. A code with no name gives `Unknown (<code>)`, as
//! Spot did; an empty or NULL code gives the empty string. That rule is the store macro `proxy_respcode_name`
//! (`schema/macros.sql`), applied over the table this module puts in the connection ([`stage_lookup`]), so
//! `proxy_scores`, `proxy_edge` and `proxy_timeline` name codes in one way. Registry rows that only say `Unassigned` (single codes
//! or ranges such as `104-199`) name nothing and are skipped; when a code appears twice the later row wins, which
//! is how the embedded table lets Spot's unofficial names fill codes IANA leaves unassigned.

use crate::stage::{Meter, Stage};
use anyhow::Result;
use duckdb::{params, Connection};
use std::collections::BTreeMap;

/// The embedded default table (IANA registry format).
pub const DEFAULT_TABLE: &str = include_str!("../../config/iana-http-status-codes.csv");

/// What an import read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// code → description.
    pub names: BTreeMap<String, String>,
    /// Range and `Unassigned` rows skipped.
    pub skipped: usize,
}

/// Parse IANA's registry CSV (`Value,Description,Reference`) or Spot's `CODE,DESCRIPTION`.
/// Errors name the line and the field.
pub fn parse(text: &str) -> Result<Parsed, String> {
    let mut out = Parsed::default();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 1;
        let rec = rec.map_err(|e| format!("line {line}: {e}"))?;
        let value = rec.get(0).unwrap_or("").trim();
        let desc = rec.get(1).unwrap_or("").trim();
        if value.is_empty() && desc.is_empty() {
            continue;
        }
        if line == 1 && !value.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            continue; // header
        }
        if value.contains('-') {
            let ok = value.split('-').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                return Err(format!("line {line}: field Value: not a code or a range: '{value}'"));
            }
            out.skipped += 1;
            continue;
        }
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("line {line}: field Value: not a code: '{value}'"));
        }
        if desc.is_empty() {
            return Err(format!("line {line}: field Description: empty for code {value}"));
        }
        if desc.eq_ignore_ascii_case("unassigned") {
            out.skipped += 1;
            continue;
        }
        out.names.insert(value.to_string(), desc.to_string());
    }
    if out.names.is_empty() {
        return Err("no response codes found".into());
    }
    Ok(out)
}

/// The lookup table.
#[derive(Debug, Clone, Default)]
pub struct Iana {
    names: BTreeMap<String, String>,
}

impl Iana {
    /// Build from code → name pairs.
    pub fn from_pairs(names: BTreeMap<String, String>) -> Self {
        Iana { names }
    }

    /// The registered name of a code, if it has one (the naming rule with its `Unknown (<code>)` is
    /// `proxy_respcode_name`).
    pub fn registered(&self, code: &str) -> Option<&str> {
        self.names.get(code.trim()).map(String::as_str)
    }

    /// All pairs, in code order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names.iter().map(|(a, b)| (a.as_str(), b.as_str()))
    }
}

/// Put the table in the connection as the temporary table `lk_iana (code, name)`, which `proxy_respcode_name`
/// is applied over (the IANA stage, `schema/proxy_edge.sql`, the storyboard's timeline).
pub fn stage_lookup(conn: &Connection, iana: &Iana) -> Result<()> {
    conn.execute_batch("CREATE OR REPLACE TEMP TABLE lk_iana (code VARCHAR PRIMARY KEY, name VARCHAR)")?;
    let mut app = conn.appender_to_catalog_and_db("lk_iana", "temp", "main")?;
    for (c, n) in iana.pairs() {
        app.append_row(params![c, n])?;
    }
    app.flush()?;
    Ok(())
}

/// The IANA stage: fill `respcode_name` of every staged row. Counts: rows in; matched = rows whose code has a
/// name; unmatched = rows with no code or an unnamed one.
pub fn apply(conn: &Connection, iana: &Iana) -> Result<Stage> {
    let meter = Meter::start();
    stage_lookup(conn, iana)?;
    conn.execute_batch(
        "UPDATE stage_results SET respcode_name = proxy_respcode_name(respcode,
           (SELECT l.name FROM lk_iana l WHERE l.code = CAST(stage_results.respcode AS VARCHAR)))",
    )?;
    let (n, k): (i64, i64) = conn.query_row(
        "SELECT count(*), count(*) FILTER (WHERE EXISTS
           (SELECT 1 FROM lk_iana l WHERE l.code = CAST(stage_results.respcode AS VARCHAR)))
         FROM stage_results",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(meter.finish(Stage { rows_in: n as u64, matched: k as u64, unmatched: (n - k) as u64, ..Stage::new("iana") }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `proxy_respcode_name` over `lk_iana`, as the stages apply it.
    fn names(t: &Iana, codes: &[Option<&str>]) -> Vec<String> {
        let (conn, _ws, _dir) = crate::store::scratch().unwrap();
        stage_lookup(&conn, t).unwrap();
        codes
            .iter()
            .map(|c| {
                conn.query_row(
                    "SELECT proxy_respcode_name(CAST(? AS VARCHAR), (SELECT name FROM lk_iana WHERE code = trim(?)))",
                    params![c, c],
                    |r| r.get(0),
                )
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn the_default_table_covers_iana_and_spots_unofficial_codes() {
        let p = parse(DEFAULT_TABLE).unwrap();
        let t = Iana::from_pairs(p.names);
        let cases = [
            ("200", "OK"),
            ("103", "Early Hints"),
            ("308", "Permanent Redirect"),
            ("421", "Misdirected Request"),
            ("451", "Unavailable For Legal Reasons"),
            ("511", "Network Authentication Required"),
            ("420", "Enhance Your Calm (Twitter)"),
            ("444", "No Response (Nginx)"),
            ("509", "Bandwidth Limit Exceeded (Apache)"),
            ("599", "Network connect timeout error"),
        ];
        let codes: Vec<Option<&str>> = cases.iter().map(|c| Some(c.0)).collect();
        let want: Vec<&str> = cases.iter().map(|c| c.1).collect();
        assert_eq!(names(&t, &codes), want);
        assert_eq!(
            names(&t, &[Some("150"), Some("777"), Some(" 200 "), Some(""), None]),
            ["Unknown (150)", "Unknown (777)", "OK", "", ""]
        );
        // Every code of Spot's own table has a name.
        let spot = include_str!("../../tests/fixtures/spot_http-rcode.csv");
        for line in spot.lines().skip(1) {
            let code = line.split(',').next().unwrap();
            assert!(t.registered(code).is_some(), "Spot's code {code} has no name");
        }
    }

    #[test]
    fn registry_format_with_ranges_imports() {
        let text = "Value,Description,Reference\n100,Continue,\"[RFC9110, Section 15.2.1]\"\n104-199,Unassigned,\n\
                    200,OK,[RFC9110]\n209,Unassigned,\n";
        let p = parse(text).unwrap();
        assert_eq!(p.names.len(), 2);
        assert_eq!(p.skipped, 2);
        assert_eq!(p.names["100"], "Continue");
    }

    #[test]
    fn bad_rows_name_line_and_field() {
        assert_eq!(parse("Value,Description\n2x0,OK\n").unwrap_err(), "line 2: field Value: not a code: '2x0'");
        assert_eq!(parse("200,\n").unwrap_err(), "line 1: field Description: empty for code 200");
        assert_eq!(parse("Value,Description\n").unwrap_err(), "no response codes found");
    }
}
