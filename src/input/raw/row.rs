//! A raw row in Spot's 28 columns as the text forms fill it, and the rules they share: the column indexes, the
//! date and time check, `fulluri` by Spot's rule, a request URL cut into Spot's URI columns.

use crate::schema::{self, Type};
use crate::text;

/// The raw table's data columns, in DDL order (from the schema registry).
pub const RAW_COLUMNS: &[(&str, Type)] = schema::PROXY.columns;
pub(super) const DURATION: usize = 7;
pub(super) const HOST: usize = 3;
pub(super) const URIPATH: usize = 18;
pub(super) const URIQUERY: usize = 19;
pub(super) const SCBYTES: usize = 22;
pub(super) const FULLURI: usize = 27;

pub(super) fn is_int_col(i: usize) -> bool {
    RAW_COLUMNS[i].1 == Type::Int
}
pub(super) const DATE: usize = 0;
pub(super) const TIME: usize = 1;
pub(super) const CLIENT: usize = 2;
pub(super) const METHOD: usize = 4;
pub(super) const AGENT: usize = 5;
pub(super) const CTYPE: usize = 6;
pub(super) const USER: usize = 8;
pub(super) const REFERER: usize = 13;
pub(super) const STATUS: usize = 14;
pub(super) const ACTION: usize = 15;
pub(super) const SCHEME: usize = 16;
pub(super) const PORT: usize = 17;
pub(super) const EXTENSION: usize = 20;
pub(super) const SERVER: usize = 21;
pub(super) const CSBYTES: usize = 23;

/// One parsed raw row in DDL order: text columns, and the three integer columns.
pub(crate) struct Row {
    pub(super) text: Vec<String>,
    pub(super) ints: [Option<i32>; 3],
    pub(super) hour: u8,
}

impl Row {
    pub(super) fn new() -> Self {
        Row { text: vec![String::new(); 28], ints: [None; 3], hour: 0 }
    }
    pub(super) fn clear(&mut self) {
        for t in &mut self.text {
            t.clear();
        }
        self.ints = [None; 3];
    }
    pub(super) fn set_int(&mut self, col: usize, v: Option<i32>) {
        let k = match col {
            DURATION => 0,
            SCBYTES => 1,
            _ => 2,
        };
        self.ints[k] = v;
    }
    /// Check the date and time; fill the hour.
    pub(super) fn check_time(&mut self) -> Result<(), String> {
        if !text::is_iso_date(&self.text[0]) {
            return Err(format!("field p_date: expected YYYY-MM-DD, found '{}'", self.text[0]));
        }
        let t = &self.text[1];
        match (text::hour_of(t), text::minute_of(t)) {
            (Some(h), Some(_)) => {
                self.hour = h;
                Ok(())
            }
            _ => Err(format!("field p_time: expected HH:MM:SS, found '{t}'")),
        }
    }
}

/// `fulluri` from host, path and query ([`text::full_uri`]), reusing the row's buffer.
pub(super) fn set_full_uri(row: &mut Row) {
    let mut f = std::mem::take(&mut row.text[FULLURI]);
    f.clear();
    text::push_full_uri(&mut f, &row.text[HOST], &row.text[URIPATH], &row.text[URIQUERY]);
    row.text[FULLURI] = f;
}

/// Whether `s` is one or more ASCII digits.
pub(super) fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// The URL of a request into scheme, host, port, path, query and extension. CONNECT's `host:port` gives the
/// tunnel's host and port; Squid's own `error:...` marks (a connection that sent no usable request) are kept
/// whole as the path, with no host.
pub(super) fn set_url(row: &mut Row, method: &str, url: &str) {
    if method.eq_ignore_ascii_case("CONNECT") {
        match url.rsplit_once(':') {
            Some((h, p)) if digits(p) => {
                row.text[HOST].push_str(h);
                row.text[PORT].push_str(p);
            }
            _ => row.text[HOST].push_str(url),
        }
        return;
    }
    if url.starts_with("error:") {
        row.text[URIPATH].push_str(url);
        return;
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((sc, r)) => (sc, r),
        None => ("", url),
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if digits(p) && !h.ends_with(':') => (h, p),
        _ => (authority, ""),
    };
    let port = if port.is_empty() {
        match scheme.to_ascii_lowercase().as_str() {
            "http" => "80",
            "https" => "443",
            "ftp" => "21",
            _ => "",
        }
    } else {
        port
    };
    set_parts(row, scheme, host, port, tail);
}

/// A request's scheme, host and port as they are, and its target (`/path?query`, or `*`) cut into path, query and
/// the path's extension.
pub(super) fn set_parts(row: &mut Row, scheme: &str, host: &str, port: &str, target: &str) {
    let (path, query) = match target.find('?') {
        Some(q) => target.split_at(q),
        None => (target, ""),
    };
    row.text[SCHEME].push_str(scheme);
    row.text[HOST].push_str(host);
    row.text[PORT].push_str(port);
    row.text[URIPATH].push_str(path);
    row.text[URIQUERY].push_str(query);
    let last = path.rsplit('/').next().unwrap_or("");
    if let Some((_, ext)) = last.rsplit_once('.') {
        row.text[EXTENSION].push_str(ext);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_column_indexes_name_the_registry_columns() {
        let name = |i: usize| RAW_COLUMNS[i].0;
        assert_eq!(
            [
                name(DURATION),
                name(HOST),
                name(URIPATH),
                name(URIQUERY),
                name(SCBYTES),
                name(FULLURI),
                name(SCHEME),
                name(PORT),
                name(EXTENSION)
            ],
            ["duration", "host", "uripath", "uriquery", "scbytes", "fulluri", "urischeme", "uriport", "uriextension"]
        );
        let ints: Vec<&str> = (0..RAW_COLUMNS.len()).filter(|&i| is_int_col(i)).map(name).collect();
        assert_eq!(ints, ["duration", "scbytes", "csbytes"]);
    }
}
