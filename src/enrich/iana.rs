//! HTTP response-code names from IANA's HTTP Status Code Registry (plus the unofficial codes Spot's table had).
//!
//! Input column: `respcode`. Output column: `respcode_name`. A code with no name gives `Unknown (<code>)`, as
//! Spot did; an empty or NULL code gives the empty string. Registry rows that only say `Unassigned` (single codes
//! or ranges such as `104-199`) name nothing and are skipped; when a code appears twice the later row wins, which
//! is how the embedded table lets Spot's unofficial names fill codes IANA leaves unassigned.

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

    /// The name of a code: the registered name, `Unknown (<code>)`, or empty for no code.
    pub fn name(&self, code: Option<&str>) -> String {
        match code.map(str::trim) {
            None | Some("") => String::new(),
            Some(c) => self.names.get(c).cloned().unwrap_or_else(|| format!("Unknown ({c})")),
        }
    }

    /// Whether the code has a name.
    pub fn knows(&self, code: &str) -> bool {
        self.names.contains_key(code.trim())
    }

    /// All pairs, in code order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names.iter().map(|(a, b)| (a.as_str(), b.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for (code, want) in cases {
            assert_eq!(t.name(Some(code)), want, "{code}");
        }
        assert_eq!(t.name(Some("150")), "Unknown (150)");
        assert_eq!(t.name(Some("777")), "Unknown (777)");
        assert_eq!(t.name(None), "");
        // Every code of Spot's own table has a name.
        let spot = include_str!("../../tests/fixtures/spot_http-rcode.csv");
        for line in spot.lines().skip(1) {
            let code = line.split(',').next().unwrap();
            assert!(t.knows(code), "Spot's code {code} has no name");
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
