//! Zeek's `http.log`, in both of Zeek's writers, as raw rows in Spot's 28 columns (schema/README.md, "Zeek's
//! http.log", says where each field goes):
//!
//! - ASCII/TSV ([`ZeekTsv`]): header blocks (`#separator \x09`, `#set_separator`, `#empty_field`, `#unset_field`,
//!   `#path`, `#open`, `#fields`, `#types`, `#close`); values found by the names of the block's `#fields` (a missing
//!   field is unset, an unknown one ignored), `\xNN` escapes decoded, the unset mark (`-`) and the empty mark
//!   (`(empty)`) read as such, sets split on the set separator; a file may hold several blocks (concatenated logs),
//!   each read with its own header.
//! - JSON lines ([`ZeekJson`], `LogAscii::use_json`): `ts` as epoch seconds or ISO 8601, dotted names
//!   (`id.orig_h`), arrays for sets.
//!
//! A row's `duration` is its connection's, from the `conn.*` logs of the same folder (by `uid`; the connections
//! with an HTTP service are read once per folder), else NULL. Times are shown in `[raw] zone`, else UTC.

use super::row::{
    set_full_uri, set_parts, set_url, Row, AGENT, CLIENT, CSBYTES, CTYPE, DURATION, METHOD, PORT, REFERER, SCBYTES,
    SERVER, STATUS, USER,
};
use super::squid::set_time;
use super::{FileCtx, FileReader, LineParser, TextForm};
use crate::error::Error;
use anyhow::{Context, Result};
use chrono::DateTime;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

/// Zeek's ASCII writer: the first line is `#separator ...`.
pub(super) struct ZeekTsv;

/// Zeek's JSON writer: the first line is a JSON object with `id.orig_h`.
pub(super) struct ZeekJson;

impl TextForm for ZeekTsv {
    fn name(&self) -> &'static str {
        "zeek-tsv"
    }

    fn detect(&self, first: &str) -> bool {
        first.starts_with("#separator ")
    }

    fn has_headers(&self) -> bool {
        true
    }

    fn open(&self, file: &FileCtx) -> Result<Box<dyn FileReader>> {
        check_path(file.path, file.gzip)?;
        Ok(Box::new(ZeekFile { zone: file.zone, durations: durations(file)?, json: false }))
    }
}

impl TextForm for ZeekJson {
    fn name(&self) -> &'static str {
        "zeek-json"
    }

    fn detect(&self, first: &str) -> bool {
        first.starts_with('{') && first.contains("\"id.orig_h\"")
    }

    fn open(&self, file: &FileCtx) -> Result<Box<dyn FileReader>> {
        check_path(file.path, file.gzip)?;
        Ok(Box::new(ZeekFile { zone: file.zone, durations: durations(file)?, json: true }))
    }
}

/// What a row takes from its connection: the duration (ms) and, for a proxy's CONNECT tunnel, the bytes each way
/// (the http log's body lengths of a CONNECT are 0: the tunnel's bytes are the connection's).
#[derive(Debug, Clone, Copy, PartialEq)]
struct ConnInfo {
    ms: i32,
    orig_bytes: Option<i32>,
    resp_bytes: Option<i32>,
}

/// A folder's connections, by uid, and what could not be read of its conn logs.
#[derive(Default)]
struct Durations {
    by_uid: HashMap<String, ConnInfo>,
    /// Lines of the conn logs that could not be read: their connections' rows get no duration.
    unreadable: u64,
    /// The folder, for the warning.
    dir: std::path::PathBuf,
}

/// One Zeek http log, opened.
struct ZeekFile {
    zone: Option<chrono_tz::Tz>,
    durations: Arc<Durations>,
    json: bool,
}

impl FileReader for ZeekFile {
    fn warnings(&self) -> Vec<String> {
        let d = &self.durations;
        if d.unreadable == 0 {
            return vec![];
        }
        vec![format!(
            "{}: {} lines of its conn.* logs could not be read; the rows of their connections have no duration",
            d.dir.display(),
            d.unreadable
        )]
    }

    fn parser(&self) -> Box<dyn LineParser + '_> {
        if self.json {
            Box::new(JsonParser { file: self })
        } else {
            Box::new(TsvParser { file: self, block: Block::default() })
        }
    }
}

/// The values of one http.log record that make a row (`None`: unset or missing).
#[derive(Default)]
struct Http<'a> {
    ts: Option<Cow<'a, str>>,
    uid: Option<Cow<'a, str>>,
    orig_h: Option<Cow<'a, str>>,
    resp_h: Option<Cow<'a, str>>,
    resp_p: Option<Cow<'a, str>>,
    method: Option<Cow<'a, str>>,
    host: Option<Cow<'a, str>>,
    uri: Option<Cow<'a, str>>,
    referrer: Option<Cow<'a, str>>,
    user_agent: Option<Cow<'a, str>>,
    username: Option<Cow<'a, str>>,
    status_code: Option<Cow<'a, str>>,
    request_body_len: Option<Cow<'a, str>>,
    response_body_len: Option<Cow<'a, str>>,
    /// The first of `resp_mime_types`.
    mime: Option<Cow<'a, str>>,
}

/// The fields of http.log a row takes, by Zeek's names.
const FIELDS: [&str; 15] = [
    "ts",
    "uid",
    "id.orig_h",
    "id.resp_h",
    "id.resp_p",
    "method",
    "host",
    "uri",
    "referrer",
    "user_agent",
    "username",
    "status_code",
    "request_body_len",
    "response_body_len",
    "resp_mime_types",
];

impl<'a> Http<'a> {
    /// The slot of field `k` of [`FIELDS`].
    fn slot(&mut self, k: usize) -> &mut Option<Cow<'a, str>> {
        match k {
            0 => &mut self.ts,
            1 => &mut self.uid,
            2 => &mut self.orig_h,
            3 => &mut self.resp_h,
            4 => &mut self.resp_p,
            5 => &mut self.method,
            6 => &mut self.host,
            7 => &mut self.uri,
            8 => &mut self.referrer,
            9 => &mut self.user_agent,
            10 => &mut self.username,
            11 => &mut self.status_code,
            12 => &mut self.request_body_len,
            13 => &mut self.response_body_len,
            _ => &mut self.mime,
        }
    }

    /// The record as a row (Spot's columns; schema/README.md has the mapping).
    fn fill(&self, row: &mut Row, file: &ZeekFile) -> Result<(), String> {
        row.clear();
        fn text<'s>(v: &'s Option<Cow<'_, str>>) -> &'s str {
            v.as_deref().unwrap_or("")
        }
        let ts = self.ts.as_deref().filter(|t| !t.is_empty()).ok_or("field ts: missing")?;
        set_time(row, instant(ts)?, file.zone);
        let client = self.orig_h.as_deref().filter(|c| !c.is_empty()).ok_or("field id.orig_h: missing")?;
        row.text[CLIENT].push_str(client);
        let method = text(&self.method);
        row.text[METHOD].push_str(method);
        let server = text(&self.resp_h);
        let uri = text(&self.uri);
        let tunnel = uri.split(' ').next().unwrap_or("");
        let is_tunnel = tunnel.rsplit_once(':').is_some_and(|(h, p)| !h.is_empty() && super::row::digits(p));
        if method.eq_ignore_ascii_case("CONNECT") && is_tunnel {
            // The tunnel's `host:port` (Zeek may keep what follows it on the request line too).
            set_url(row, method, tunnel);
        } else if uri.contains("://") && !uri.starts_with('/') {
            // The absolute form a client sends to a proxy: the URL names the host.
            set_url(row, method, uri);
        } else {
            // The origin form (or `*`): the host from the Host header, else the server's address.
            let header = self.host.as_deref().unwrap_or("");
            let host = if header.is_empty() { server } else { strip_port(header) };
            set_parts(row, "http", host, self.resp_p.as_deref().unwrap_or(""), uri);
        }
        if row.text[PORT].is_empty() {
            row.text[PORT].push_str(self.resp_p.as_deref().unwrap_or(""));
        }
        row.text[REFERER].push_str(text(&self.referrer));
        row.text[AGENT].push_str(text(&self.user_agent));
        row.text[USER].push_str(text(&self.username));
        row.text[STATUS].push_str(text(&self.status_code));
        row.text[CTYPE].push_str(text(&self.mime));
        row.text[SERVER].push_str(server);
        let conn = self.uid.as_deref().and_then(|u| file.durations.by_uid.get(u).copied());
        let (mut sc, mut cs) =
            (int("response_body_len", &self.response_body_len)?, int("request_body_len", &self.request_body_len)?);
        if let Some(c) = conn.filter(|_| row.text[METHOD] == "CONNECT") {
            // A tunnel's bytes, as a proxy logs a CONNECT: the connection's payload each way.
            (sc, cs) = (c.resp_bytes.or(sc), c.orig_bytes.or(cs));
        }
        row.set_int(SCBYTES, sc);
        row.set_int(CSBYTES, cs);
        row.set_int(DURATION, conn.map(|c| c.ms));
        set_full_uri(row);
        Ok(())
    }
}

/// A Host header without its port (`a.com:8080` → `a.com`); an IPv6 literal keeps its colons.
fn strip_port(h: &str) -> &str {
    if let Some(inner) = h.strip_prefix('[') {
        return inner.split(']').next().unwrap_or(inner);
    }
    match h.rsplit_once(':') {
        Some((host, p)) if !host.contains(':') && super::row::digits(p) => host,
        _ => h,
    }
}

/// A count (within an int).
fn int(name: &str, v: &Option<Cow<'_, str>>) -> Result<Option<i32>, String> {
    match v.as_deref() {
        None | Some("") => Ok(None),
        Some(s) => s.parse::<i32>().map(Some).map_err(|_| format!("field {name}: not a count within an int: '{s}'")),
    }
}

/// `ts`: epoch seconds (a fraction dropped: Spot's times have none) or ISO 8601.
fn instant(ts: &str) -> Result<DateTime<chrono::Utc>, String> {
    if ts.contains('T') {
        return DateTime::parse_from_rfc3339(ts)
            .ok()
            .and_then(|t| DateTime::from_timestamp(t.timestamp(), 0))
            .ok_or_else(|| format!("field ts: not ISO 8601: '{ts}'"));
    }
    let secs = ts.split_once('.').map_or(ts, |(s, _)| s);
    let secs: i64 = secs.parse().map_err(|_| format!("field ts: not epoch seconds: '{ts}'"))?;
    DateTime::from_timestamp(secs, 0).ok_or_else(|| format!("field ts: out of range: '{ts}'"))
}

/// The header of the current block of an ASCII log.
#[derive(Clone)]
struct Block {
    separator: String,
    set_separator: String,
    empty: String,
    unset: String,
    /// The block's field names (`#fields`), and for each position the slot of [`FIELDS`] it fills.
    names: Vec<String>,
    slots: Vec<Option<usize>>,
    /// Whether a `#fields` line was seen.
    fields_seen: bool,
    /// The block's `#path` (`None`: not given).
    path: Option<String>,
}

impl Block {
    /// Take in a header line (one that starts with `#`); `false` when the line is none of Zeek's headers.
    fn header(&mut self, line: &str) -> bool {
        if let Some(sep) = line.strip_prefix("#separator ") {
            // A new block.
            *self = Block { separator: unescape(sep.trim()).into_owned(), ..Block::default() };
            return true;
        }
        let rest = &line[1..];
        let (key, value) = rest.split_once(self.separator.as_str()).unwrap_or((rest, ""));
        match key {
            "set_separator" => self.set_separator = unescape(value).into_owned(),
            "empty_field" => self.empty = unescape(value).into_owned(),
            "unset_field" => self.unset = unescape(value).into_owned(),
            "path" => self.path = Some(value.to_string()),
            "fields" => {
                self.names = value.split(self.separator.as_str()).map(str::to_string).collect();
                self.slots = self.names.iter().map(|name| FIELDS.iter().position(|f| f == name)).collect();
                self.fields_seen = true;
            }
            "open" | "close" | "types" => {}
            _ => return false,
        }
        true
    }

    /// A record of the block cut on its separator, checked against `#fields`; unset values `None`.
    fn values<'l>(&self, line: &'l str) -> Result<Vec<Option<&'l str>>, String> {
        if !self.fields_seen {
            return Err("a record before any #fields line".into());
        }
        let vals: Vec<Option<&str>> =
            line.split(self.separator.as_str()).map(|v| (v != self.unset).then_some(v)).collect();
        if vals.len() != self.names.len() {
            return Err(format!("expected {} fields (as #fields says), found {}", self.names.len(), vals.len()));
        }
        Ok(vals)
    }
}

impl Default for Block {
    fn default() -> Block {
        Block {
            separator: "\t".into(),
            set_separator: ",".into(),
            empty: "(empty)".into(),
            unset: "-".into(),
            names: vec![],
            slots: vec![],
            fields_seen: false,
            path: None,
        }
    }
}

/// `\xNN` escapes (and `\\`) decoded; anything else as it is.
fn unescape(v: &str) -> Cow<'_, str> {
    if !v.contains('\\') {
        return Cow::Borrowed(v);
    }
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1] == b'x' {
            if let Some(byte) = std::str::from_utf8(&b[i + 2..i + 4]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] == b'\\' {
            out.push(b'\\');
            i += 2;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// The lines of an ASCII log.
struct TsvParser<'f> {
    file: &'f ZeekFile,
    block: Block,
}

impl LineParser for TsvParser<'_> {
    fn header(&mut self, line: &str) -> Result<bool, String> {
        Ok(self.block.header(line))
    }

    fn parse<'l>(&mut self, line: &'l str, row: &mut Row) -> Result<(), String> {
        let b = &self.block;
        if !b.fields_seen {
            return Err("a record before any #fields line".into());
        }
        if let Some(p) = b.path.as_deref().filter(|p| *p != "http") {
            // A block of another log in the same file (concatenated logs): its records are not requests.
            return Err(format!("a record of a Zeek {p} log block (#path {p}), not http"));
        }
        let mut rec = Http::default();
        let mut n = 0;
        let mut take = |i: usize, raw: &'l str| {
            n += 1;
            let Some(Some(k)) = b.slots.get(i) else { return };
            let v = if raw == b.unset {
                None
            } else if raw == b.empty {
                Some(Cow::Borrowed(""))
            } else if *k == 14 {
                // A set or vector: its first element.
                let first = raw.split(b.set_separator.as_str()).next().unwrap_or("");
                Some(unescape(first))
            } else {
                Some(unescape(raw))
            };
            *rec.slot(*k) = v;
        };
        // A one-character separator (Zeek's TAB): every position in one vectorised pass over the line (an ASCII
        // byte never falls inside a UTF-8 character), not a search per field.
        match b.separator.as_bytes() {
            [c] if c.is_ascii() => {
                let mut start = 0;
                let mut i = 0;
                for end in memchr::memchr_iter(*c, line.as_bytes()) {
                    take(i, &line[start..end]);
                    (start, i) = (end + 1, i + 1);
                }
                take(i, &line[start..]);
            }
            _ => line.split(b.separator.as_str()).enumerate().for_each(|(i, raw)| take(i, raw)),
        }
        if n != b.slots.len() {
            return Err(format!("expected {} fields (as #fields says), found {n}", b.slots.len()));
        }
        rec.fill(row, self.file)
    }
}

/// The lines of a JSON log.
struct JsonParser<'f> {
    file: &'f ZeekFile,
}

impl LineParser for JsonParser<'_> {
    fn parse(&mut self, line: &str, row: &mut Row) -> Result<(), String> {
        let obj: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
        if let Some(p) = obj.get("_path").and_then(|p| p.as_str()).filter(|p| *p != "http") {
            return Err(format!("_path {p}: a Zeek {p} record, not http"));
        }
        let mut rec = Http::default();
        for (k, name) in FIELDS.iter().enumerate() {
            let v = match obj.get(*name) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(Cow::Owned(s.clone())),
                Some(serde_json::Value::Array(a)) => match a.first() {
                    None => Some(Cow::Borrowed("")),
                    Some(serde_json::Value::String(s)) => Some(Cow::Owned(s.clone())),
                    Some(other) => Some(Cow::Owned(other.to_string())),
                },
                Some(serde_json::Value::Number(x)) => Some(Cow::Owned(x.to_string())),
                Some(other) => return Err(format!("field {name}: unexpected {other}")),
            };
            *rec.slot(k) = v;
        }
        rec.fill(row, self.file)
    }
}

/// Refuse a log of another path (`#path conn`, `"_path":"dns"`): named by its first lines.
fn check_path(path: &Path, gzip: bool) -> Result<()> {
    let mut lines = head_lines(path, gzip, 16)?;
    for l in lines.drain(..) {
        let other = if let Some(p) = l.strip_prefix("#path") {
            Some(p.trim().to_string())
        } else if l.starts_with('{') {
            serde_json::from_str::<serde_json::Value>(&l)
                .ok()
                .and_then(|v| v.get("_path").and_then(|p| p.as_str()).map(str::to_string))
        } else {
            None
        };
        if let Some(p) = other.filter(|p| p != "http") {
            return Err(Error::Data(format!(
                "{}: a Zeek {p} log, not http.log (give the http log, or the folder: its http.* files are read and \
                 its conn.* files give the durations)",
                path.display()
            ))
            .into());
        }
    }
    Ok(())
}

/// The first `n` lines of a file (gzip or plain), lossily decoded.
fn head_lines(path: &Path, gzip: bool, n: usize) -> Result<Vec<String>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let r: Box<dyn Read> = if gzip { Box::new(flate2::read::MultiGzDecoder::new(file)) } else { Box::new(file) };
    let mut r = BufReader::new(r.take(1 << 20));
    let mut out = vec![];
    let mut buf = vec![];
    while out.len() < n {
        buf.clear();
        if r.read_until(b'\n', &mut buf).with_context(|| format!("reading {}", path.display()))? == 0 {
            break;
        }
        out.push(String::from_utf8_lossy(&buf).trim_end_matches(['\r', '\n']).to_string());
    }
    Ok(out)
}

/// The connection durations of the http log's folder (its `conn.*` logs, TSV or JSON, plain or gzip), read once
/// per folder and day.
fn durations(file: &FileCtx) -> Result<Arc<Durations>> {
    let dir = file.path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let key = ("zeek-conn", dir.clone());
    let mut cache = file.folders.lock().map_err(|_| anyhow::anyhow!("a parser panicked"))?;
    if let Some(d) = cache.get(&key).and_then(|v| v.clone().downcast::<Durations>().ok()) {
        return Ok(d);
    }
    let mut d = Durations { dir: dir.clone(), ..Durations::default() };
    let mut conns: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(is_conn_log))
        .collect();
    conns.sort();
    for c in conns {
        read_conn(&c, &mut d)?;
    }
    let d = Arc::new(d);
    cache.insert(key, d.clone());
    Ok(d)
}

/// Whether a file name is one of Zeek's http logs (`http.log`, `http.09:00:00-10:00:00.log.gz`, `http.json`, ...).
pub(super) fn is_http_log(name: &str) -> bool {
    name.starts_with("http.") && (name.ends_with(".log") || name.ends_with(".log.gz") || name.ends_with(".json"))
}

/// Whether a file name is one of Zeek's connection logs (`conn.log`, `conn.09:00:00-10:00:00.log.gz`, ...).
pub(super) fn is_conn_log(name: &str) -> bool {
    name.starts_with("conn.") && (name.ends_with(".log") || name.ends_with(".log.gz") || name.ends_with(".json"))
}

/// The durations (ms, rounded) of the connections of one conn log whose service includes HTTP, by uid; a line that
/// cannot be read (no JSON object, a record that does not fit its block's `#fields`, a duration that is no number)
/// is counted in `out.unreadable`. A connection without a duration or without HTTP is no error.
fn read_conn(path: &Path, out: &mut Durations) -> Result<()> {
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut magic = [0u8; 2];
    let gzip = f.read(&mut magic).unwrap_or(0) == 2 && magic == [0x1f, 0x8b];
    let file = std::fs::File::open(path)?;
    let r: Box<dyn Read> = if gzip { Box::new(flate2::read::MultiGzDecoder::new(file)) } else { Box::new(file) };
    let mut block = Block::default();
    for (i, line) in BufReader::new(r).split(b'\n').enumerate() {
        let line = line.with_context(|| format!("reading {} line {}", path.display(), i + 1))?;
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') && block.header(line) {
            continue;
        }
        const KEYS: [&str; 5] = ["uid", "duration", "service", "orig_bytes", "resp_bytes"];
        let record: Result<[Option<String>; 5], ()> = if line.starts_with('{') {
            serde_json::from_str::<serde_json::Value>(line).map_err(|_| ()).map(|v| {
                KEYS.map(|k| match v.get(k) {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                })
            })
        } else {
            block.values(line).map_err(|_| ()).map(|vals| {
                KEYS.map(|k| {
                    let at = block.names.iter().position(|n| n == k)?;
                    vals[at].map(|v| unescape(v).into_owned())
                })
            })
        };
        let Ok([uid, duration, service, orig_bytes, resp_bytes]) = record else {
            out.unreadable += 1;
            continue;
        };
        let (Some(uid), Some(duration)) = (uid, duration) else { continue };
        if !service.is_some_and(|s| s.to_ascii_lowercase().contains("http")) {
            continue;
        }
        let ms = duration.parse::<f64>().map(|secs| (secs * 1000.0).round());
        match ms {
            Ok(ms) if ms.is_finite() && ms >= 0.0 && ms <= f64::from(i32::MAX) => {
                // Unset (`-`) or past the column's range: no bytes from the connection.
                let bytes = |v: Option<String>| v.and_then(|v| v.parse::<i32>().ok()).filter(|b| *b >= 0);
                let info = ConnInfo { ms: ms as i32, orig_bytes: bytes(orig_bytes), resp_bytes: bytes(resp_bytes) };
                out.by_uid.insert(uid, info);
            }
            _ => out.unreadable += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::raw::row::{HOST, URIPATH, URIQUERY};

    fn file() -> ZeekFile {
        let mut d = Durations::default();
        d.by_uid.insert("C1".into(), ConnInfo { ms: 1500, orig_bytes: Some(420), resp_bytes: Some(9000) });
        ZeekFile { zone: None, durations: Arc::new(d), json: false }
    }

    #[test]
    fn a_connect_tunnel_takes_its_connections_bytes() {
        let f = file();
        let mut p = TsvParser { file: &f, block: Block::default() };
        let mut row = Row::new();
        for h in [
            "#separator \\x09",
            "#path\thttp",
            "#fields\tuid\tts\tid.orig_h\tmethod\thost\turi\tid.resp_h\trequest_body_len\tresponse_body_len",
        ] {
            assert_eq!(p.header(h), Ok(true), "{h}");
        }
        p.parse("C1\t1354328870\t10.0.0.1\tCONNECT\ta.com\ta.com:443\t10.0.0.9\t0\t0", &mut row).unwrap();
        assert_eq!(row.ints, [Some(1500), Some(9000), Some(420)], "duration, the tunnel's bytes in, out");
        p.parse("C1\t1354328870\t10.0.0.1\tGET\ta.com\t/\t10.0.0.9\t5\t7", &mut row).unwrap();
        assert_eq!(row.ints, [Some(1500), Some(7), Some(5)], "a request keeps its own body lengths");
        p.parse("C9\t1354328870\t10.0.0.1\tCONNECT\ta.com\ta.com:443\t10.0.0.9\t0\t0", &mut row).unwrap();
        assert_eq!(row.ints, [None, Some(0), Some(0)], "no connection: the http log's own");
    }

    #[test]
    fn ascii_records_are_read_by_their_blocks_header() {
        let f = file();
        let mut p = TsvParser { file: &f, block: Block::default() };
        let mut row = Row::new();
        for h in [
            "#separator \\x7c",
            "#set_separator|;",
            "#empty_field|EMPTY",
            "#unset_field|NONE",
            "#path|http",
            "#fields|uid|ts|id.orig_h|host|uri|user_agent|resp_mime_types|id.resp_h|x-site",
        ] {
            assert_eq!(p.header(h), Ok(true), "{h}");
        }
        p.parse("C1|1354328870.5|10.0.0.1|a.com:8080|/p\\x7cq?x=1|EMPTY|text/html;image/png|1.2.3.4|z", &mut row)
            .unwrap();
        assert_eq!(row.text[HOST], "a.com");
        assert_eq!(row.text[URIPATH], "/p|q");
        assert_eq!(row.text[URIQUERY], "?x=1");
        assert_eq!(row.text[AGENT], "", "the empty mark");
        assert_eq!(row.text[CTYPE], "text/html", "a set's first element");
        assert_eq!(row.ints, [Some(1500), None, None], "the connection's duration; unset counts are NULL");
        p.parse("C2|1354328870|10.0.0.1|NONE|/|NONE|NONE|1.2.3.4|z", &mut row).unwrap();
        assert_eq!((row.text[HOST].as_str(), row.ints[0]), ("1.2.3.4", None), "no host: the server's address");
        assert_eq!(p.parse("C1|1", &mut row).unwrap_err(), "expected 9 fields (as #fields says), found 2");
        assert_eq!(p.header("#path|conn"), Ok(true));
        let err = p.parse("C1|1354328870|10.0.0.1|a.com|/|NONE|NONE|1.2.3.4|z", &mut row).unwrap_err();
        assert_eq!(err, "a record of a Zeek conn log block (#path conn), not http");
        // A new block starts with its own separator and defaults.
        let mut p = TsvParser { file: &f, block: Block::default() };
        assert_eq!(p.parse("x", &mut row).unwrap_err(), "a record before any #fields line");
    }

    #[test]
    fn json_records_take_arrays_numbers_and_iso_times() {
        let f = file();
        let mut p = JsonParser { file: &f };
        let mut row = Row::new();
        p.parse(
            r#"{"ts":"2012-12-01T02:27:50.191989Z","uid":"C1","id.orig_h":"10.0.0.1","id.resp_h":"1.2.3.4","id.resp_p":80,"method":"GET","host":"a.com","uri":"/x.js?q","status_code":200,"response_body_len":12,"resp_mime_types":["text/plain","x"],"tags":[]}"#,
            &mut row,
        )
        .unwrap();
        assert_eq!([row.text[0].as_str(), row.text[1].as_str()], ["2012-12-01", "02:27:50"]);
        assert_eq!(
            [row.text[CTYPE].as_str(), row.text[STATUS].as_str(), row.text[PORT].as_str()],
            ["text/plain", "200", "80"]
        );
        assert_eq!(row.ints, [Some(1500), Some(12), None]);
        assert!(p.parse(r#"{"_path":"dns","ts":1,"id.orig_h":"a"}"#, &mut row).unwrap_err().contains("_path dns"));
        assert!(p.parse("{not json", &mut row).unwrap_err().starts_with("not a JSON object"));
        assert_eq!(p.parse(r#"{"ts":1}"#, &mut row).unwrap_err(), "field id.orig_h: missing");
    }

    #[test]
    fn escapes_hosts_and_times() {
        assert_eq!(unescape("a\\x09b\\x5cc"), "a\tb\\c");
        assert_eq!(unescape("caf\\xc3\\xa9"), "café");
        assert_eq!(unescape("\\x2"), "\\x2", "a cut escape stays as it is");
        assert_eq!(unescape("\\"), "\\");
        assert_eq!(strip_port("a.com:8080"), "a.com");
        assert_eq!(strip_port("[2001:db8::1]:80"), "2001:db8::1");
        assert_eq!(strip_port("2001:db8::1"), "2001:db8::1");
        assert_eq!(instant("1258577884.844956").unwrap().to_rfc3339(), "2009-11-18T20:58:04+00:00");
        assert_eq!(instant("2009-11-18T17:00:51.841527Z").unwrap().to_rfc3339(), "2009-11-18T17:00:51+00:00");
        assert!(instant("x").unwrap_err().contains("field ts"));
        assert!(is_conn_log("conn.09:00:00-10:00:00.log.gz") && is_conn_log("conn.log") && !is_conn_log("http.log"));
        assert!(is_http_log("http.09:00:00-10:00:00.log.gz") && is_http_log("http.json") && !is_http_log("https.log"));
    }
}
