//! Blue Coat ProxySG W3C ELFF access logs (plain or gzip): `#Fields:` headers decide the columns and may change
//! mid-file; a file with no header uses the site's `[raw] fields`, `bcreportermain_v1` when its lines have 42
//! fields, else Spot's order. Values may be quoted (a quoted value may hold spaces).

use super::row::{is_int_col, set_full_uri, Row};
use super::{FileCtx, FileReader, LineParser, TextForm};
use crate::text::{self, raw_text};
use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The form: a first line that is a header (`#`) or starts with a `YYYY-MM-DD` date.
pub(super) struct Elff;

impl TextForm for Elff {
    fn name(&self) -> &'static str {
        "bluecoat-elff"
    }

    fn detect(&self, first: &str) -> bool {
        first.starts_with('#') || (first.len() >= 10 && first.is_char_boundary(10) && text::is_iso_date(&first[..10]))
    }

    fn has_headers(&self) -> bool {
        true
    }

    fn open(&self, file: &FileCtx) -> Result<Box<dyn FileReader>> {
        // Until a #Fields: line says otherwise, the configured fields, else a layout told from the first line.
        let default = if file.fields.trim().is_empty() {
            headerless_layout(file.path, file.gzip)?
        } else {
            ElffLayout::from_header(file.fields)
        };
        Ok(Box::new(ElffFile { default }))
    }
}

struct ElffFile {
    default: ElffLayout,
}

impl FileReader for ElffFile {
    fn parser(&self) -> Box<dyn LineParser + '_> {
        Box::new(self.default.clone())
    }
}

impl LineParser for ElffLayout {
    fn header(&mut self, line: &str) -> Result<bool, String> {
        if let Some(fields) = line.strip_prefix("#Fields:") {
            *self = ElffLayout::from_header(fields);
        }
        Ok(true)
    }

    fn parse(&mut self, line: &str, row: &mut Row) -> Result<(), String> {
        ElffLayout::parse(self, line, row)
    }
}

/// Blue Coat ELFF field name → raw column. Names are matched without regard to case.
const ELFF_FIELDS: [(&str, usize); 27] = [
    ("date", 0),
    ("time", 1),
    ("time-taken", 7),
    ("c-ip", 2),
    ("cs-username", 8),
    ("cs-auth-group", 9),
    ("x-exception-id", 10),
    ("sc-filter-result", 11),
    ("cs-categories", 12),
    ("cs(referer)", 13),
    ("sc-status", 14),
    ("s-action", 15),
    ("cs-method", 4),
    ("rs(content-type)", 6),
    ("cs-uri-scheme", 16),
    ("cs-host", 3),
    ("cs-uri-port", 17),
    ("cs-uri-path", 18),
    ("cs-uri-query", 19),
    ("cs-uri-extension", 20),
    ("cs(user-agent)", 5),
    ("s-ip", 21),
    ("sc-bytes", 22),
    ("cs-bytes", 23),
    ("x-virus-id", 24),
    ("x-bluecoat-application-name", 25),
    ("x-bluecoat-application-operation", 26),
];

/// The raw column (index into [`super::RAW_COLUMNS`]) of a Blue Coat ELFF field name, without regard to case.
pub fn elff_column(name: &str) -> Option<usize> {
    let n = name.to_ascii_lowercase();
    ELFF_FIELDS.iter().find(|(f, _)| *f == n).map(|(_, c)| *c)
}

/// Blue Coat's `bcreportermain_v1` access-log format (ProxySG / Edge SWG, written without a `#Fields:` line): 42
/// fields, in the order the Elastic ProxySG integration parses it (fields 30–33 named after what it calls them).
const BCREPORTERMAIN_V1: [&str; 42] = [
    "date",
    "time",
    "time-taken",
    "c-ip",
    "cs-username",
    "cs-auth-group",
    "s-supplier-name",
    "s-supplier-ip",
    "s-supplier-country",
    "s-supplier-failures",
    "x-exception-id",
    "sc-filter-result",
    "cs-categories",
    "cs(Referer)",
    "sc-status",
    "s-action",
    "cs-method",
    "rs(Content-Type)",
    "cs-uri-scheme",
    "cs-host",
    "cs-uri-port",
    "cs-uri-path",
    "cs-uri-query",
    "cs-uri-extension",
    "cs(User-Agent)",
    "s-ip",
    "sc-bytes",
    "cs-bytes",
    "x-virus-id",
    "cs-threat-source",
    "cs-threat-id",
    "rs-threat-source",
    "rs-threat-id",
    "x-bluecoat-application-name",
    "x-bluecoat-application-operation",
    "x-bluecoat-application-groups",
    "cs-threat-risk",
    "x-bluecoat-access-security-policy-action",
    "x-bluecoat-access-security-policy-reason",
    "x-bluecoat-transaction-uuid",
    "x-icap-reqmod-header(X-ICAP-Metadata)",
    "x-icap-respmod-header(X-ICAP-Metadata)",
];

/// Spot's Blue Coat field order (`spot-ingest/pipelines/proxy/bluecoat.py`), used for logs with no `#Fields:`.
const SPOT_ELFF_ORDER: [&str; 27] = [
    "date",
    "time",
    "time-taken",
    "c-ip",
    "cs-username",
    "cs-auth-group",
    "x-exception-id",
    "sc-filter-result",
    "cs-categories",
    "cs(Referer)",
    "sc-status",
    "s-action",
    "cs-method",
    "rs(Content-Type)",
    "cs-uri-scheme",
    "cs-host",
    "cs-uri-port",
    "cs-uri-path",
    "cs-uri-query",
    "cs-uri-extension",
    "cs(User-Agent)",
    "s-ip",
    "sc-bytes",
    "cs-bytes",
    "x-virus-id",
    "x-bluecoat-application-name",
    "x-bluecoat-application-operation",
];

/// The layout of an ELFF log's lines before any `#Fields:` line, told from its first data line: 42 fields are
/// `bcreportermain_v1`, anything else Spot's order.
fn headerless_layout(path: &Path, gzip: bool) -> Result<ElffLayout> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let reader: Box<dyn Read> = if gzip { Box::new(flate2::read::MultiGzDecoder::new(file)) } else { Box::new(file) };
    let mut reader = BufReader::new(reader.take(1 << 20));
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(ElffLayout::spot_default());
        }
        let s = String::from_utf8_lossy(&line);
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        if s.starts_with('#') {
            return Ok(ElffLayout::spot_default());
        }
        let n = tokenize(&s.replace('\t', " ")).map(|t| t.len()).unwrap_or(0);
        return Ok(if n == BCREPORTERMAIN_V1.len() {
            ElffLayout::from_names(BCREPORTERMAIN_V1.iter().map(|s| s.to_string()).collect())
        } else {
            ElffLayout::spot_default()
        });
    }
}

/// The column map of one `#Fields:` header.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ElffLayout {
    /// For each field position: the raw column it fills, if any.
    cols: Vec<Option<usize>>,
    /// Header names, for messages.
    names: Vec<String>,
}

impl ElffLayout {
    fn spot_default() -> Self {
        Self::from_names(SPOT_ELFF_ORDER.iter().map(|s| s.to_string()).collect())
    }

    pub(super) fn from_header(fields: &str) -> Self {
        Self::from_names(fields.split_whitespace().map(str::to_string).collect())
    }

    fn from_names(names: Vec<String>) -> Self {
        let cols = names.iter().map(|n| elff_column(n)).collect();
        ElffLayout { cols, names }
    }

    fn parse(&self, line: &str, row: &mut Row) -> Result<(), String> {
        row.clear();
        let line: std::borrow::Cow<'_, str> =
            if line.contains('\t') { line.replace('\t', " ").into() } else { line.into() };
        let tokens = tokenize(&line)?;
        if tokens.len() != self.cols.len() {
            return Err(format!("expected {} fields (as #Fields: says), found {}", self.cols.len(), tokens.len()));
        }
        for (i, tok) in tokens.iter().enumerate() {
            let Some(col) = self.cols[i] else { continue };
            if is_int_col(col) {
                let v = text::int_value(Some(raw_text(tok))).map_err(|e| format!("field {}: {e}", self.names[i]))?;
                row.set_int(col, v);
            } else {
                row.text[col].push_str(raw_text(tok));
            }
        }
        set_full_uri(row);
        Ok(())
    }
}

/// Split an ELFF line on runs of spaces; a value that starts with `"` runs to the next `"` that is followed by
/// a space or the end of the line, and may contain spaces. The quotes stay (they are removed by `raw_text`).
fn tokenize(line: &str) -> Result<Vec<&str>, String> {
    let b = line.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        if b[i] == b'"' {
            i += 1;
            loop {
                match b[i..].iter().position(|&c| c == b'"') {
                    None => return Err(format!("unterminated quote at byte {}", start + 1)),
                    Some(p) => {
                        i += p + 1;
                        if i >= b.len() || b[i] == b' ' {
                            break;
                        }
                    }
                }
            }
        } else {
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
        }
        out.push(&line[start..i]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_keeps_quoted_spaces() {
        let t = tokenize("2016-07-08 \"Mozilla/5.0 (X11; Linux)\" - \"a \"\"b\" c").unwrap();
        assert_eq!(t, vec!["2016-07-08", "\"Mozilla/5.0 (X11; Linux)\"", "-", "\"a \"\"b\"", "c"]);
        assert!(tokenize("a \"open").unwrap_err().contains("unterminated"));
        assert_eq!(tokenize("  a   b  ").unwrap(), vec!["a", "b"]);
    }

    #[test]
    fn elff_header_decides_columns() {
        let l = ElffLayout::from_header(
            " date time c-ip cs-host cs-uri-path cs-uri-query sc-bytes cs(User-Agent) x-unknown",
        );
        let mut row = Row::new();
        l.parse("2016-07-08 13:57:36 10.0.0.1 a.com /x?y ?q=1 512 \"Mozilla 5\" zzz", &mut row).unwrap();
        assert_eq!(row.text[2], "10.0.0.1");
        assert_eq!(row.text[27], "a.com/x?y?q=1");
        assert_eq!(row.text[5], "Mozilla 5");
        assert_eq!(row.ints, [None, Some(512), None]);
        assert_eq!(row.text[14], "", "a field the header lacks is empty");
        let err = l.parse("2016-07-08 13:57:36 10.0.0.1 a.com /x ?q 5x \"M\" z", &mut row).unwrap_err();
        assert_eq!(err, "field sc-bytes: not an integer: '5x'");
        let err = l.parse("2016-07-08 13:57:36", &mut row).unwrap_err();
        assert_eq!(err, "expected 9 fields (as #Fields: says), found 2");
    }
}
