//! Squid's two kinds of access log, as raw rows in Spot's 28 columns (schema/README.md says where each field goes):
//!
//! - the native `access.log` (`logformat squid`): `time.ms elapsed client code/status bytes method URL ident
//!   hierarchy/from type` ([`parse_native`]);
//! - the httpd-style logs (`logformat combined`, and `common`, which is the same without referer and user agent):
//!   `client ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "method URL HTTP/x.y" status bytes "referer" "agent"
//!   code:hierarchy` ([`parse_combined`]).
//!
//! Both tell an instant (epoch seconds, or a local time with its offset); it is shown, and its day told, in the
//! site's zone (`[raw] zone`), UTC when none is set, so the same traffic gives the same rows in either form.

use super::row::{
    digits, set_full_uri, set_url, Row, ACTION, AGENT, CLIENT, CTYPE, DATE, DURATION, METHOD, REFERER, SCBYTES, SERVER,
    STATUS, TIME, USER,
};
use super::{FileCtx, FileReader, LineParser, TextForm};
use crate::text::{self, raw_text};
use anyhow::Result;
use chrono::{DateTime, FixedOffset, Utc};

/// Squid's native `access.log`: a first line `<epoch>.<ms> <elapsed> <client> <code>/<status> ...`.
pub(super) struct SquidNative;

/// Squid's `combined` / `common` logs.
pub(super) struct SquidCombined;

impl TextForm for SquidNative {
    fn name(&self) -> &'static str {
        "squid"
    }

    fn detect(&self, first: &str) -> bool {
        is_native_line(first)
    }

    fn open(&self, file: &FileCtx) -> Result<Box<dyn FileReader>> {
        Ok(Box::new(SquidFile { zone: file.zone, combined: false }))
    }
}

impl TextForm for SquidCombined {
    fn name(&self) -> &'static str {
        "squid-combined"
    }

    fn detect(&self, first: &str) -> bool {
        is_combined_line(first)
    }

    fn open(&self, file: &FileCtx) -> Result<Box<dyn FileReader>> {
        Ok(Box::new(SquidFile { zone: file.zone, combined: true }))
    }
}

/// A Squid log of either kind, its times shown in `zone`.
#[derive(Clone, Copy)]
struct SquidFile {
    zone: Option<chrono_tz::Tz>,
    combined: bool,
}

impl FileReader for SquidFile {
    fn parser(&self) -> Box<dyn LineParser + '_> {
        Box::new(*self)
    }
}

impl LineParser for SquidFile {
    fn parse(&mut self, line: &str, row: &mut Row) -> Result<(), String> {
        if self.combined {
            parse_combined(line, row, self.zone)
        } else {
            parse_native(line, row, self.zone)
        }
    }
}

/// Whether a line looks like Squid's native `access.log`: `<epoch>.<ms> <elapsed> <client> <code>/<status> ...`.
pub(super) fn is_native_line(s: &str) -> bool {
    let t: Vec<&str> = s.split_whitespace().collect();
    let epoch = t
        .first()
        .is_some_and(|e| e.split_once('.').is_some_and(|(a, b)| digits(a) && b.bytes().all(|c| c.is_ascii_digit())));
    let code = t.get(3).and_then(|c| c.split_once('/')).is_some_and(|(_, st)| st.bytes().all(|c| c.is_ascii_digit()));
    epoch && code && t.len() >= 9
}

/// Whether a line looks like Squid's `combined` or `common` log: three fields, a bracketed local time with its
/// offset, a quoted request, and Squid's `code:hierarchy` last (which a web server's own log does not have).
pub(super) fn is_combined_line(s: &str) -> bool {
    split_combined(s).is_ok()
}

/// Set the row's date and time from an instant, on the clock of `zone` (UTC when `None`).
pub(super) fn set_time(row: &mut Row, at: DateTime<Utc>, zone: Option<chrono_tz::Tz>) {
    // A log's lines come in time order, many to the second: the last second's text is kept per parser thread.
    thread_local! {
        static LAST: std::cell::RefCell<(i64, Option<chrono_tz::Tz>, String, String)> =
            const { std::cell::RefCell::new((i64::MIN, None, String::new(), String::new())) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.0 != at.timestamp() || last.1 != zone || last.2.is_empty() {
            // Written field by field: chrono's format strings are parsed again on every call.
            let texts = |t: chrono::NaiveDateTime| {
                use chrono::{Datelike, Timelike};
                (
                    format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day()),
                    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
                )
            };
            let (date, time) = match zone {
                Some(z) => texts(at.with_timezone(&z).naive_local()),
                None => texts(at.naive_utc()),
            };
            *last = (at.timestamp(), zone, date, time);
        }
        row.text[DATE].push_str(&last.2);
        row.text[TIME].push_str(&last.3);
    });
}

fn int(name: &str, v: &str) -> Result<Option<i32>, String> {
    text::int_value(Some(raw_text(v))).map_err(|e| format!("field {name}: {e}"))
}

/// A line of Squid's native `access.log` (`time.ms elapsed client code/status bytes method URL ident
/// hierarchy/from type`, the type may be missing, columns may be padded with spaces): see schema/README.md for
/// where each field goes. Times are in `zone` (`[raw] zone`), else UTC.
pub(super) fn parse_native(line: &str, row: &mut Row, zone: Option<chrono_tz::Tz>) -> Result<(), String> {
    row.clear();
    let t: Vec<&str> = line.split_whitespace().collect();
    if t.len() != 9 && t.len() != 10 {
        return Err(format!("expected 9 or 10 fields (Squid's native access.log), found {}", t.len()));
    }
    // Whole seconds: Spot's times have no fraction.
    let secs = t[0].split_once('.').map_or(t[0], |(s, _)| s);
    let secs: i64 = secs.parse().map_err(|_| format!("field time: not epoch seconds: '{}'", t[0]))?;
    let at = DateTime::from_timestamp(secs, 0).ok_or_else(|| format!("field time: out of range: '{}'", t[0]))?;
    set_time(row, at, zone);
    row.set_int(DURATION, int("elapsed", t[1])?);
    row.text[CLIENT].push_str(raw_text(t[2]));
    let (code, status) = t[3].split_once('/').ok_or_else(|| format!("field code/status: no '/': '{}'", t[3]))?;
    row.text[ACTION].push_str(raw_text(code));
    row.text[STATUS].push_str(raw_text(status));
    row.set_int(SCBYTES, int("bytes", t[4])?);
    let method = raw_text(t[5]);
    row.text[METHOD].push_str(method);
    set_url(row, method, raw_text(t[6]));
    row.text[USER].push_str(raw_text(t[7]));
    if let Some((_, from)) = t[8].split_once('/') {
        if from.parse::<std::net::IpAddr>().is_ok() {
            row.text[SERVER].push_str(from);
        }
    }
    if let Some(ty) = t.get(9) {
        row.text[CTYPE].push_str(raw_text(ty));
    }
    set_full_uri(row);
    Ok(())
}

/// The parts of a `combined` / `common` line, as written (quotes removed from the request, referer and agent).
#[derive(Debug, PartialEq)]
struct Combined<'a> {
    client: &'a str,
    user: &'a str,
    time: &'a str,
    request: &'a str,
    status: &'a str,
    bytes: &'a str,
    /// `None` in the `common` form.
    referer_agent: Option<(&'a str, &'a str)>,
    tag: &'a str,
}

/// Cut a `combined` / `common` line into its parts; the error names the part that does not fit.
///
/// Squid writes the referer and the user agent as the client sent them, between double quotes but without
/// escaping any quote inside; the referer ends at the first `" "` (a URL's own quotes are escaped), the agent at
/// the last `"`, so an agent with quotes in it stays whole.
fn split_combined(line: &str) -> Result<Combined<'_>, String> {
    const SHAPE: &str = "expected Squid's combined or common log line: \
                         client ident user [time] \"request\" status bytes [\"referer\" \"agent\"] code:hierarchy";
    let mut rest = line.trim_end();
    let mut word = |what: &str| -> Result<&str, String> {
        let r = rest.trim_start_matches(' ');
        let end = r.find(' ').ok_or_else(|| format!("field {what}: missing ({SHAPE})"))?;
        rest = &r[end..];
        Ok(&r[..end])
    };
    let client = word("client")?;
    let _ident = word("ident")?;
    let user = word("user")?;
    let r = rest.trim_start_matches(' ');
    let r = r.strip_prefix('[').ok_or_else(|| format!("field time: no '[' ({SHAPE})"))?;
    let (time, r) = r.split_once(']').ok_or_else(|| format!("field time: no ']' ({SHAPE})"))?;
    let r = r.trim_start_matches(' ');
    let r = r.strip_prefix('"').ok_or_else(|| format!("field request: no opening '\"' ({SHAPE})"))?;
    // The request ends at the first `" ` followed by two numbers (status and bytes).
    let mut at = 0;
    let (request, status, bytes, r) = loop {
        let q = r[at..].find("\" ").ok_or_else(|| format!("field request: no closing '\"' ({SHAPE})"))? + at;
        let mut tail = r[q + 2..].splitn(3, ' ');
        let (s, b) = (tail.next().unwrap_or(""), tail.next().unwrap_or(""));
        if digits(s) && (digits(b) || b == "-") {
            break (&r[..q], s, b, tail.next().unwrap_or(""));
        }
        at = q + 1;
    };
    let (middle, tag) = r.rsplit_once(' ').unwrap_or(("", r));
    if !tag.contains(':') || tag.starts_with('"') {
        return Err(format!(
            "field code:hierarchy: expected Squid's result such as TCP_MISS:HIER_DIRECT last, found '{tag}'"
        ));
    }
    let middle = middle.trim_matches(' ');
    let referer_agent = if middle.is_empty() {
        None
    } else {
        let inner =
            middle.strip_prefix('"').and_then(|m| m.strip_suffix('"')).filter(|m| m.contains("\" \"")).ok_or_else(
                || format!("fields referer and user agent: expected \"referer\" \"agent\", found '{middle}'"),
            )?;
        inner.split_once("\" \"")
    };
    Ok(Combined { client, user, time, request, status, bytes, referer_agent, tag })
}

/// A line of Squid's `combined` log (or `common`: no referer and user agent): see schema/README.md for where
/// each field goes. The line's local time and offset name an instant, shown in `zone` (`[raw] zone`), else UTC.
pub(super) fn parse_combined(line: &str, row: &mut Row, zone: Option<chrono_tz::Tz>) -> Result<(), String> {
    row.clear();
    let c = split_combined(line)?;
    let at = DateTime::<FixedOffset>::parse_from_str(c.time, "%d/%b/%Y:%H:%M:%S %z")
        .or_else(|_| DateTime::<FixedOffset>::parse_from_str(c.time, "%d/%b/%Y:%H:%M:%S%.f %z"))
        .map_err(|_| format!("field time: expected dd/Mon/yyyy:HH:MM:SS +zzzz, found '{}'", c.time))?;
    set_time(row, at.with_timezone(&Utc), zone);
    row.text[CLIENT].push_str(raw_text(c.client));
    row.text[USER].push_str(raw_text(c.user));
    // `method URL HTTP/x.y`; Squid writes `-` for a method it never read.
    let mut parts = c.request.split(' ').filter(|p| !p.is_empty());
    let method = raw_text(parts.next().unwrap_or(""));
    let url = parts.next().unwrap_or("");
    row.text[METHOD].push_str(method);
    set_url(row, method, raw_text(url));
    row.text[STATUS].push_str(c.status);
    row.set_int(SCBYTES, int("bytes", c.bytes)?);
    if let Some((referer, agent)) = c.referer_agent {
        row.text[REFERER].push_str(raw_text(referer));
        row.text[AGENT].push_str(raw_text(agent));
    }
    let (code, _hierarchy) = c.tag.split_once(':').unwrap_or((c.tag, ""));
    row.text[ACTION].push_str(code);
    set_full_uri(row);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::raw::row::{EXTENSION, PORT, SCHEME};
    use crate::input::raw::RAW_COLUMNS;

    fn get(row: &Row, c: &str) -> String {
        row.text[RAW_COLUMNS.iter().position(|x| x.0 == c).unwrap()].clone()
    }

    /// The row's values of the columns named in `names` (separated by spaces).
    fn cols(row: &Row, names: &str) -> Vec<String> {
        names.split_whitespace().map(|c| get(row, c)).collect()
    }

    #[test]
    fn the_column_indexes_name_the_registry_columns() {
        let name = |i: usize| RAW_COLUMNS[i].0;
        assert_eq!(
            [DATE, TIME, CLIENT, METHOD, AGENT, CTYPE, USER, REFERER, STATUS, ACTION, SCHEME, PORT, EXTENSION, SERVER]
                .map(name),
            [
                "p_date",
                "p_time",
                "clientip",
                "reqmethod",
                "useragent",
                "resconttype",
                "username",
                "referer",
                "respcode",
                "action",
                "urischeme",
                "uriport",
                "uriextension",
                "serverip"
            ]
        );
    }

    #[test]
    fn native_lines_fill_the_raw_columns() {
        let mut row = Row::new();
        parse_native(
            "1677971737.789  123 2001:db8::1 TCP_MISS/404 1024 GET http://example.com:8080/a/b.html?x=1 admin \
             HIER_DIRECT/93.184.216.34 text/html",
            &mut row,
            None,
        )
        .unwrap();
        let names =
            "p_date p_time clientip host uriport uripath uriquery uriextension respcode action username serverip \
                     resconttype urischeme fulluri";
        assert_eq!(
            cols(&row, names),
            [
                "2023-03-04",
                "23:15:37",
                "2001:db8::1",
                "example.com",
                "8080",
                "/a/b.html",
                "?x=1",
                "html",
                "404",
                "TCP_MISS",
                "admin",
                "93.184.216.34",
                "text/html",
                "http",
                "example.com/a/b.html?x=1"
            ]
        );
        assert_eq!(row.ints, [Some(123), Some(1024), None]);
        // CONNECT: host and port; no type; an ident user@domain; NONE/- names no server.
        parse_native(
            "1677971740.678  234 10.10.10.10 TCP_TUNNEL/200 54321 CONNECT secure.example.com:443 u@d.com NONE/-",
            &mut row,
            None,
        )
        .unwrap();
        let names = "host uriport uripath username serverip resconttype fulluri";
        assert_eq!(cols(&row, names), ["secure.example.com", "443", "", "u@d.com", "", "", "secure.example.com"]);
        // Squid's mark for a client that sent no usable request is the path, with no host.
        parse_native(
            "1677971741.000      0 10.0.0.1 NONE_NONE/400 3375 NONE error:invalid-request - HIER_NONE/- text/html",
            &mut row,
            None,
        )
        .unwrap();
        assert_eq!(
            cols(&row, "host uripath action respcode fulluri"),
            ["", "error:invalid-request", "NONE_NONE", "400", "error:invalid-request"]
        );
        assert!(parse_native("1677971740.678 234 10.0.0.1 TCP_MISS/200", &mut row, None)
            .unwrap_err()
            .contains("9 or 10 fields"));
        // A site's zone: the same instant on the clock of Berlin (UTC+1 in March) and of Los Angeles (UTC-8),
        // where it is still the day before.
        let line = "1677971737.789  123 10.0.0.1 TCP_MISS/200 1024 GET http://example.com/ - HIER_NONE/- text/html";
        for (zone, date, time) in
            [("Europe/Berlin", "2023-03-05", "00:15:37"), ("America/Los_Angeles", "2023-03-04", "15:15:37")]
        {
            parse_native(line, &mut row, Some(zone.parse().unwrap())).unwrap();
            assert_eq!(cols(&row, "p_date p_time"), [date, time], "{zone}");
        }
        assert!(is_native_line(
            "1677971734.079  1234 1.2.3.4 TCP_TUNNEL/200 39 CONNECT domain.xyz:443 - HIER_DIRECT/1.2.3.4 -"
        ));
        assert!(!is_native_line("2016-07-08 01:00:00 1 10.0.0.1 - - - OBSERVED"));
    }

    #[test]
    fn combined_lines_fill_the_raw_columns() {
        let mut row = Row::new();
        // The user agent carries quotes Squid did not escape; the query was stripped by Squid (strip_query_terms).
        parse_combined(
            "127.0.0.1 - alice [23/Nov/2026:00:21:29 -0500] \"GET http://www.example.com:8080/js/app.js? HTTP/1.1\" \
             200 306 \"http://intranet.example.org/start?x=1\" \"Mozilla/5.0 (X11) \"quoted\"\" TCP_MISS:HIER_DIRECT",
            &mut row,
            None,
        )
        .unwrap();
        let names = "p_date p_time clientip username reqmethod urischeme host uriport uripath uriquery uriextension \
                     respcode action referer useragent serverip resconttype fulluri";
        assert_eq!(
            cols(&row, names),
            [
                "2026-11-23",
                "05:21:29",
                "127.0.0.1",
                "alice",
                "GET",
                "http",
                "www.example.com",
                "8080",
                "/js/app.js",
                "?",
                "js",
                "200",
                "TCP_MISS",
                "http://intranet.example.org/start?x=1",
                "Mozilla/5.0 (X11) \"quoted\"",
                "",
                "",
                "www.example.com/js/app.js"
            ]
        );
        // No elapsed time in this form: duration is NULL.
        assert_eq!(row.ints, [None, Some(306), None]);
        // The same line's instant on a site's clock.
        let ny = "127.0.0.1 - - [23/Nov/2026:00:21:29 -0500] \"GET http://a.example/ HTTP/1.1\" 200 1 \"-\" \"-\" \
                  TCP_MISS:HIER_DIRECT";
        parse_combined(ny, &mut row, Some("Asia/Tokyo".parse().unwrap())).unwrap();
        assert_eq!(cols(&row, "p_date p_time referer useragent"), ["2026-11-23", "14:21:29", "", ""]);
        // `common`: no referer and agent; an IPv6 client; CONNECT; a user name as Squid writes it.
        parse_combined(
            "::1 - bob@corp [23/Nov/2026:05:21:36 +0000] \"CONNECT www.example.com:8443 HTTP/1.1\" 200 229 \
             TCP_TUNNEL:HIER_DIRECT",
            &mut row,
            None,
        )
        .unwrap();
        let names = "clientip username reqmethod host uriport uripath action fulluri";
        assert_eq!(
            cols(&row, names),
            ["::1", "bob@corp", "CONNECT", "www.example.com", "8443", "", "TCP_TUNNEL", "www.example.com"]
        );
        // Connections that sent no usable request: Squid's error mark is the path, there is no host.
        parse_combined(
            "127.0.0.1 - - [23/Nov/2026:05:22:14 +0000] \"- error:transaction-end-before-headers NONE/0.0\" 0 0 \
             \"-\" \"-\" NONE_NONE:HIER_NONE",
            &mut row,
            None,
        )
        .unwrap();
        let names = "reqmethod host uripath respcode action fulluri";
        assert_eq!(
            cols(&row, names),
            ["", "", "error:transaction-end-before-headers", "0", "NONE_NONE", "error:transaction-end-before-headers"]
        );
        assert!(is_combined_line(ny));
    }

    #[test]
    fn combined_lines_that_do_not_fit_name_the_field() {
        let err = |line: &str| parse_combined(line, &mut Row::new(), None).unwrap_err();
        // A web server's own combined log: no Squid result at the end.
        let apache = "10.0.0.1 - - [23/Nov/2026:05:21:29 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl/8\"";
        assert!(err(apache).contains("field code:hierarchy"), "{}", err(apache));
        assert!(!is_combined_line(apache));
        let e = err("10.0.0.1 - - [23/Nov/2026:05:21:29] \"GET http://a/ HTTP/1.1\" 200 5 TCP_MISS:HIER_DIRECT");
        assert!(e.contains("field time: expected dd/Mon/yyyy:HH:MM:SS +zzzz"), "{e}");
        let e = err("10.0.0.1 - - 23/Nov/2026:05:21:29 +0000 \"GET http://a/ HTTP/1.1\" 200 5 TCP_MISS:HIER_DIRECT");
        assert!(e.contains("field time: no '['"), "{e}");
        let e = err("10.0.0.1 - - [23/Nov/2026:05:21:29 +0000] \"GET http://a/ HTTP/1.1\" 200 many TCP_MISS:HIER_NONE");
        assert!(e.contains("field request"), "{e}");
        let e =
            err("10.0.0.1 - - [23/Nov/2026:05:21:29 +0000] \"GET http://a/ HTTP/1.1\" 200 5 \"-\" TCP_MISS:HIER_NONE");
        assert!(e.contains("fields referer and user agent"), "{e}");
        // Native lines are not this form, and the other way round.
        let native = "1677971734.079  1234 1.2.3.4 TCP_TUNNEL/200 39 CONNECT domain.xyz:443 - HIER_DIRECT/1.2.3.4 -";
        assert!(!is_combined_line(native));
        assert!(!is_native_line(apache));
    }
}
