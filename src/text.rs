//! Small pure rules on field values shared by every reader, so one value reads the same in every table.

use sha2::{Digest, Sha256};

/// Remove one pair of surrounding double quotes (Spot's csv reader did this for the results file).
pub fn unquote(v: &str) -> &str {
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// A results-file value: one pair of quotes removed; `null` and empty are NULL.
pub fn results_value(v: &str) -> Option<&str> {
    let v = unquote(v);
    if v.is_empty() || v == "null" {
        None
    } else {
        Some(v)
    }
}

/// A raw-log text value: one pair of quotes removed; Blue Coat's `-` means empty.
pub fn raw_text(v: &str) -> &str {
    let v = unquote(v);
    if v == "-" {
        ""
    } else {
        v
    }
}

/// An integer field: surrounding spaces ignored; empty, `-`, `null` are NULL; anything else must be an `i32`.
pub fn int_value(v: Option<&str>) -> Result<Option<i32>, String> {
    match v.map(str::trim) {
        None | Some("") | Some("-") | Some("null") | Some("NULL") | Some("\\N") => Ok(None),
        Some(t) => t.parse::<i32>().map(Some).map_err(|_| format!("not an integer: '{t}'")),
    }
}

/// The hour of a time such as `13:57:36` or `18:25:39 PM`: the part before the first `:`, 0–23.
pub fn hour_of(time: &str) -> Option<u8> {
    let (h, rest) = time.split_once(':')?;
    let h = h.trim();
    if h.is_empty() || h.len() > 2 || rest.is_empty() {
        return None;
    }
    h.parse::<u8>().ok().filter(|h| *h < 24)
}

/// The minute of a time `H:MM[:SS…]`, 0–59.
pub fn minute_of(time: &str) -> Option<u8> {
    let rest = time.split_once(':')?.1;
    let m = rest.split(':').next()?.trim();
    if m.is_empty() || m.len() > 2 {
        return None;
    }
    m.parse::<u8>().ok().filter(|m| *m < 60)
}

/// Whether `v` is a day in the form `YYYY-MM-DD` (digits, a real date). Read field by field: every raw row is
/// checked, and a chrono format string is parsed again on each call.
pub fn is_iso_date(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(y), Some(m), Some(d)) => chrono::NaiveDate::from_ymd_opt(y as i32, m, d).is_some(),
        _ => false,
    }
}

/// The edge hash: lowercase hex SHA-256 of `clientip`, `fulluri` and the two-digit hour joined by TAB.
pub fn edge_hash(clientip: &str, fulluri: &str, hour: u8) -> String {
    let mut h = Sha256::new();
    h.update(clientip.as_bytes());
    h.update(b"\t");
    h.update(fulluri.as_bytes());
    h.update(b"\t");
    h.update(format!("{hour:02}").as_bytes());
    hex::encode(h.finalize())
}

/// Spot's fulluri: host + path (if longer than 1) + query (if longer than 1); no scheme, no port.
pub fn full_uri(host: &str, path: &str, query: &str) -> String {
    let mut s = String::with_capacity(host.len() + path.len() + query.len());
    push_full_uri(&mut s, host, path, query);
    s
}

/// [`full_uri`] appended to `out` (no allocation of its own).
pub fn push_full_uri(out: &mut String, host: &str, path: &str, query: &str) {
    out.push_str(host);
    if path.chars().count() > 1 {
        out.push_str(path);
    }
    if query.chars().count() > 1 {
        out.push_str(query);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_removes_one_pair_only() {
        let cases = [
            ("\"Mozilla/5.0 (X11)\"", "Mozilla/5.0 (X11)"),
            ("\"\"a\"\"", "\"a\""),
            ("\"", "\""),
            ("\"\"", ""),
            ("a\"b\"", "a\"b\""),
            ("plain", "plain"),
        ];
        for (input, want) in cases {
            assert_eq!(unquote(input), want, "{input}");
        }
    }

    #[test]
    fn results_nulls_and_raw_dashes() {
        assert_eq!(results_value("null"), None);
        assert_eq!(results_value(""), None);
        assert_eq!(results_value("\"\""), None);
        assert_eq!(results_value("-"), Some("-"));
        assert_eq!(raw_text("-"), "");
        assert_eq!(raw_text("\"-\""), "");
        assert_eq!(raw_text("\"a b\""), "a b");
    }

    #[test]
    fn integers() {
        assert_eq!(int_value(Some(" 80 ")), Ok(Some(80)));
        assert_eq!(int_value(Some("-")), Ok(None));
        assert_eq!(int_value(None), Ok(None));
        assert_eq!(int_value(Some("-5")), Ok(Some(-5)));
        assert!(int_value(Some("1.5")).unwrap_err().contains("'1.5'"));
        assert!(int_value(Some("99999999999")).is_err());
    }

    #[test]
    fn hours_and_minutes() {
        let cases = [
            ("13:57:36", Some(13), Some(57)),
            ("18:25:39 PM", Some(18), Some(25)),
            ("5:03:01", Some(5), Some(3)),
            ("00:00:00", Some(0), Some(0)),
            ("24:00:00", None, Some(0)),
            ("1357", None, None),
            ("ab:cd", None, None),
            (":10", None, Some(10)),
        ];
        for (t, h, m) in cases {
            assert_eq!(hour_of(t), h, "{t}");
            assert_eq!(minute_of(t), m, "{t}");
        }
    }

    #[test]
    fn edge_hash_separates_fields() {
        let a = edge_hash("10.0.0.1", "a.com/x", 5);
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        // Spot's md5 of the bare concatenation could not tell these apart.
        assert_ne!(edge_hash("10.0.0.1", "1a.com", 5), edge_hash("10.0.0.11", "a.com", 5));
        assert_ne!(a, edge_hash("10.0.0.1", "a.com/x", 15));
        // The known value of SHA-256("10.0.0.1\ta.com/x\t05").
        let mut h = Sha256::new();
        h.update(b"10.0.0.1\ta.com/x\t05");
        assert_eq!(a, hex::encode(h.finalize()));
    }

    #[test]
    fn full_uri_follows_spot() {
        assert_eq!(full_uri("a.com", "/", "-"), "a.com");
        assert_eq!(full_uri("a.com", "/x", "?q=1"), "a.com/x?q=1");
        assert_eq!(full_uri("a.com", "", "?"), "a.com");
    }

    #[test]
    fn iso_dates() {
        assert!(is_iso_date("2016-07-08"));
        assert!(!is_iso_date("2016-7-8"));
        assert!(!is_iso_date("2016-02-30"));
        assert!(is_iso_date("2016-02-29") && !is_iso_date("2015-02-29"));
        for bad in ["+016-07-08", "2016-07-0x", "2016/07/08", "2016-13-01", "2016-00-10", "20160708xx", "2016-07-8 "] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }
}
