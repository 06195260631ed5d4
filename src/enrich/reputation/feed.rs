//! The offline `feed` service: threat-intel feeds imported into cache.sqlite, matched against Spot fulluris.
//!
//! **Normalisation** (both sides, the same way, see [`normalize`]): the scheme, user info, port, fragment and a
//! leading `www.` are dropped; the host is lower-cased, loses a trailing dot and is converted to ASCII (IDN →
//! punycode); in the path and query, percent-escapes of unreserved characters are decoded, other escapes get
//! upper-case hex, and non-ASCII bytes and spaces are percent-encoded; trailing slashes of the path are dropped;
//! an empty query (`?`) is dropped. So `https://WWW.Evil.com:8443/a%7Eb/?` and Spot's `evil.com/a~b` are the same.
//!
//! **Matching**: a feed entry that is a URL (it has a scheme or a `/`) marks exactly that URL; when it ends in `/`
//! it also marks the paths below it; it never marks its whole host (feeds list phishing pages on shared hosts).
//! An entry that is a bare domain or host marks every URI on that host and its subdomains.
//!
//! **Labels**: `feed:MALICIOUS:3:<feed>|url` for a URL match, `feed:SUSPICIOUS:2:<feed>|host` for a host match;
//! several matching feeds are listed as categories joined by `;` (sorted by feed name) and the value is the highest.

use std::collections::BTreeMap;

/// A normalised URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Norm {
    /// ASCII, lower case, no `www.`, no port.
    pub host: String,
    /// Normalised path without trailing slashes (may be empty).
    pub path: String,
    /// Normalised query without its `?` (may be empty).
    pub query: String,
    /// The path ended in `/` (a feed entry that marks the paths below it).
    pub dir: bool,
}

impl Norm {
    /// The lookup key of the whole URL: host + path + `?query`.
    pub fn key(&self) -> String {
        let mut k = format!("{}{}", self.host, self.path);
        if !self.query.is_empty() {
            k.push('?');
            k.push_str(&self.query);
        }
        k
    }

    /// The keys of the path and its ancestors, longest first: `h/a/b`, `h/a`, `h`.
    pub fn path_prefixes(&self) -> Vec<String> {
        let mut out = vec![format!("{}{}", self.host, self.path)];
        let mut p = self.path.as_str();
        while let Some(i) = p.rfind('/') {
            p = &p[..i];
            out.push(format!("{}{}", self.host, p));
        }
        out.dedup();
        out
    }

    /// The host and its parent domains, longest first: `a.b.c`, `b.c`, `c`.
    pub fn host_suffixes(&self) -> Vec<String> {
        let mut out = vec![self.host.clone()];
        let mut h = self.host.as_str();
        if h.starts_with('[') || h.parse::<std::net::IpAddr>().is_ok() {
            return out; // an address has no parent domains
        }
        while let Some(i) = h.find('.') {
            h = &h[i + 1..];
            if !h.is_empty() {
                out.push(h.to_string());
            }
        }
        out
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Characters that separate parts of a path or query: kept as they are, and kept encoded when encoded.
fn is_structural(b: u8) -> bool {
    matches!(b, b'/' | b'?' | b'#' | b'&' | b'=' | b'+' | b'%')
}

/// Characters written literally in the canonical form.
fn is_literal(b: u8) -> bool {
    is_unreserved(b) || matches!(b, b':' | b'@' | b'!' | b'$' | b'\'' | b'(' | b')' | b'*' | b',' | b';' | b'[' | b']')
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Canonical percent-encoding of a path or query: an escape of a character that may stand literally is decoded
/// (`%7E` → `~`, `%27` → `'`), escapes of separators stay (upper-case hex), and any byte that may not stand in a
/// URI (space, `\`, `"`, non-ASCII, …) is encoded. So a URI reads the same however a feed or a log escaped it.
pub fn percent_normalize(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                let v = h * 16 + l;
                if is_literal(v) {
                    out.push(v as char);
                } else {
                    out.push_str(&format!("%{v:02X}"));
                }
                i += 3;
                continue;
            }
        }
        if is_literal(c) || is_structural(c) {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
        i += 1;
    }
    out
}

/// Normalise a URL, a Spot fulluri or a bare host; `None` when there is no host. Any scheme (also a defanged
/// `hxxp`) is dropped first; the `url` crate then splits what is left, read as `http://` (user info, port, IPv6
/// brackets, IDNA, dot segments), with a backslash kept as part of the path as Spot's fulluri has it (WHATWG
/// would read it as `/`); [`percent_normalize`] gives the path and query their canonical escapes.
pub fn normalize(s: &str) -> Option<Norm> {
    let mut s = s.trim();
    if let Some(i) = s.find("://") {
        if s[..i].bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')) {
            s = &s[i + 3..];
        }
    }
    if s.is_empty() || s.starts_with(['/', '?', '#']) {
        return None;
    }
    let explicit_path = s.find(['/', '?', '#']).is_some_and(|i| s.as_bytes()[i] == b'/');
    let u = url::Url::parse(&format!("http://{}", s.replace('\\', "%5C"))).ok()?;
    let mut host = u.host_str()?.trim_end_matches('.').to_string();
    if let Some(h) = host.strip_prefix("www.") {
        if h.contains('.') {
            host = h.to_string();
        }
    }
    if host.is_empty() {
        return None;
    }
    let path = if explicit_path { percent_normalize(u.path()) } else { String::new() };
    let dir = path.ends_with('/');
    let query = percent_normalize(u.query().unwrap_or(""));
    Some(Norm { host, path: path.trim_end_matches('/').to_string(), query, dir })
}

/// What a feed entry marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Exactly one URL.
    Url,
    /// A URL and the paths below it.
    Prefix,
    /// A host and its subdomains.
    Host,
}

impl Kind {
    /// Stored name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Url => "url",
            Kind::Prefix => "prefix",
            Kind::Host => "host",
        }
    }
}

/// One entry ready for the cache: its kind and lookup key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FeedEntry {
    pub kind: Kind,
    pub key: String,
}

/// Turn a feed value into an entry: a URL when it has a scheme or a `/`, else a host.
pub fn entry_of(value: &str, force_host: bool) -> Option<FeedEntry> {
    let v = value.trim();
    let n = normalize(v)?;
    let is_url = !force_host && (v.contains("://") || v.contains('/') || v.contains('?'));
    Some(if !is_url {
        FeedEntry { kind: Kind::Host, key: n.host }
    } else if n.dir && n.query.is_empty() {
        FeedEntry { kind: Kind::Prefix, key: format!("{}{}", n.host, n.path) }
    } else {
        FeedEntry { kind: Kind::Url, key: n.key() }
    })
}

/// Feed formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// abuse.ch URLhaus CSV (`# ` banner, quoted `id,dateadded,url,...`).
    Urlhaus,
    /// PhishTank CSV (`phish_id,url,...` header, `&amp;` escapes).
    Phishtank,
    /// One URL or domain per line (OpenPhish style), `#` comments.
    List,
    /// MISP CSV export of attributes (`uuid,event_id,category,type,value,...`).
    Misp,
}

impl Format {
    /// Parse a `--format` value.
    pub fn from_name(s: &str) -> Option<Format> {
        match s {
            "urlhaus" => Some(Format::Urlhaus),
            "phishtank" => Some(Format::Phishtank),
            "list" | "openphish" => Some(Format::List),
            "misp" => Some(Format::Misp),
            _ => None,
        }
    }

    /// Name.
    pub fn name(&self) -> &'static str {
        match self {
            Format::Urlhaus => "urlhaus",
            Format::Phishtank => "phishtank",
            Format::List => "list",
            Format::Misp => "misp",
        }
    }

    /// Tell the format from the first lines.
    pub fn detect(text: &str) -> Format {
        let head: Vec<&str> = text.lines().take(20).collect();
        let lower = |s: &str| s.to_ascii_lowercase();
        if head.iter().any(|l| l.starts_with('#') && (lower(l).contains("urlhaus") || lower(l).contains("dateadded"))) {
            return Format::Urlhaus;
        }
        let first =
            head.iter().find(|l| !l.trim().is_empty() && !l.starts_with('#')).map(|l| lower(l)).unwrap_or_default();
        if first.starts_with("phish_id") {
            return Format::Phishtank;
        }
        let cols: Vec<&str> = first.split(',').map(|c| c.trim().trim_matches('"')).collect();
        if cols.contains(&"type") && cols.contains(&"value") && (cols.contains(&"uuid") || cols.contains(&"event_id")) {
            return Format::Misp;
        }
        Format::List
    }
}

/// What an import read.
#[derive(Debug, Default, Clone)]
pub struct Parsed {
    pub entries: Vec<FeedEntry>,
    /// Rows that were not URLs or hosts (other MISP types, empty values).
    pub skipped: usize,
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).comment(Some(b'#')).from_reader(text.as_bytes())
}

/// Parse a feed in `format`. Errors name the line.
pub fn parse(text: &str, format: Format) -> Result<Parsed, String> {
    let mut out = Parsed::default();
    let push = |v: &str, force_host: bool, out: &mut Parsed| match entry_of(v, force_host) {
        Some(e) => out.entries.push(e),
        None => out.skipped += 1,
    };
    match format {
        Format::List => {
            for line in text.lines() {
                let l = line.trim();
                if l.is_empty() || l.starts_with('#') {
                    continue;
                }
                push(l, false, &mut out);
            }
        }
        Format::Urlhaus | Format::Phishtank | Format::Misp => {
            let mut url_col = if format == Format::Urlhaus { 2 } else { 1 };
            let mut type_col = None;
            for (i, rec) in csv_reader(text).records().enumerate() {
                let rec = rec.map_err(|e| format!("record {}: {e}", i + 1))?;
                let line = rec.position().map_or(i as u64 + 1, |p| p.line());
                let lower: Vec<String> = rec.iter().map(|f| f.trim().to_ascii_lowercase()).collect();
                // Header rows (PhishTank's and MISP's are not comments).
                if lower.iter().any(|f| f == "url" || f == "value")
                    && lower.iter().any(|f| f == "phish_id" || f == "type" || f == "id")
                {
                    if let Some(c) = lower.iter().position(|f| f == "url" || f == "value") {
                        url_col = c;
                    }
                    type_col = lower.iter().position(|f| f == "type");
                    continue;
                }
                let Some(value) = rec.get(url_col) else {
                    return Err(format!("line {line}: no column {} (url)", url_col + 1));
                };
                let value = if format == Format::Phishtank { value.replace("&amp;", "&") } else { value.to_string() };
                match format {
                    Format::Misp => {
                        let ty = type_col.and_then(|c| rec.get(c)).unwrap_or("").trim().to_ascii_lowercase();
                        match ty.as_str() {
                            "url" | "uri" | "link" => push(&value, false, &mut out),
                            "domain" | "hostname" => push(&value, true, &mut out),
                            "domain|ip" | "hostname|port" => {
                                push(value.split('|').next().unwrap_or(""), true, &mut out)
                            }
                            _ => out.skipped += 1,
                        }
                    }
                    _ => push(&value, false, &mut out),
                }
            }
        }
    }
    out.entries.sort();
    out.entries.dedup();
    Ok(out)
}

/// Matches of one value: feed name → the strongest kind matched.
pub type Matches = BTreeMap<String, Kind>;

/// The label for a value's matches, or `None` when no feed matched.
pub fn label(matches: &Matches) -> Option<String> {
    if matches.is_empty() {
        return None;
    }
    let url_hit = matches.values().any(|k| *k != Kind::Host);
    let (text, value) = if url_hit { ("MALICIOUS", 3) } else { ("SUSPICIOUS", 2) };
    let cats: Vec<String> =
        matches.iter().map(|(feed, k)| format!("{feed}|{}", if *k == Kind::Host { "host" } else { "url" })).collect();
    Some(format!("feed:{text}:{value}:{}", cats.join(";")))
}

/// The (kind, key) pairs to look up for a Spot fulluri.
pub fn lookup_keys(fulluri: &str) -> Vec<(Kind, String)> {
    let Some(n) = normalize(fulluri) else { return vec![] };
    let mut keys = vec![(Kind::Url, n.key())];
    for p in n.path_prefixes() {
        keys.push((Kind::Prefix, p));
    }
    for h in n.host_suffixes() {
        keys.push((Kind::Host, h));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_table() {
        let cases = [
            ("http://evil.com/a", "evil.com/a"),
            ("https://WWW.Evil.COM:8443/a%7eb/?", "evil.com/a~b"),
            ("evil.com/a~b", "evil.com/a~b"),
            ("http://user:pw@evil.com/x#frag", "evil.com/x"),
            ("hxxp://evil.com/x", "evil.com/x"),
            ("http://evil.com./x?a=1&b=%2f", "evil.com/x?a=1&b=%2F"),
            ("http://bücher.example/ö", "xn--bcher-kva.example/%C3%B6"),
            ("xn--bcher-kva.example/%c3%b6", "xn--bcher-kva.example/%C3%B6"),
            ("http://[2001:db8::1]:8080/p", "[2001:db8::1]/p"),
            ("1.2.3.4:8080/bins/x86", "1.2.3.4/bins/x86"),
            ("www.com/x", "www.com/x"),
            ("http://evil.com/a b", "evil.com/a%20b"),
            ("evil.com/a'b\\c?q='1'", "evil.com/a'b%5Cc?q='1'"),
            ("http://evil.com/a%27b%5cc?q=%271%27", "evil.com/a'b%5Cc?q='1'"),
            // What the url crate's split adds: dot segments resolved, IPv4 in any of its forms written plainly.
            ("http://evil.com/a/./b/../c", "evil.com/a/c"),
            ("http://0x7f.1/x", "127.0.0.1/x"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input).map(|n| n.key()).as_deref(), Some(want), "{input}");
        }
        assert_eq!(normalize("http:///x"), None);
        // Not a host: refused (a feed counts the line as skipped), never a panic.
        assert_eq!(normalize("http://evil com/x"), None);
        assert_eq!(normalize("?q"), None);
    }

    #[test]
    fn entries_know_what_they_mark() {
        assert_eq!(
            entry_of("http://evil.com/kit/", false),
            Some(FeedEntry { kind: Kind::Prefix, key: "evil.com/kit".into() })
        );
        assert_eq!(entry_of("http://evil.com/", false), Some(FeedEntry { kind: Kind::Prefix, key: "evil.com".into() }));
        assert_eq!(
            entry_of("http://evil.com/login.php?x=1", false),
            Some(FeedEntry { kind: Kind::Url, key: "evil.com/login.php?x=1".into() })
        );
        assert_eq!(entry_of("www.evil.com", false), Some(FeedEntry { kind: Kind::Host, key: "evil.com".into() }));
        assert_eq!(entry_of("http://evil.com", false), Some(FeedEntry { kind: Kind::Url, key: "evil.com".into() }));
    }

    #[test]
    fn lookup_keys_cover_exact_prefixes_and_parent_domains() {
        let keys = lookup_keys("a.b.evil.com/kit/x/y.php?q=1");
        assert!(keys.contains(&(Kind::Url, "a.b.evil.com/kit/x/y.php?q=1".into())));
        assert!(keys.contains(&(Kind::Prefix, "a.b.evil.com/kit/x/y.php".into())));
        assert!(keys.contains(&(Kind::Prefix, "a.b.evil.com/kit".into())));
        assert!(keys.contains(&(Kind::Prefix, "a.b.evil.com".into())));
        assert!(keys.contains(&(Kind::Host, "evil.com".into())));
        assert!(!keys.contains(&(Kind::Url, "a.b.evil.com".into())));
    }

    #[test]
    fn urlhaus_csv_with_banner_and_quotes() {
        let text = "################################################################\n\
# abuse.ch URLhaus Database Dump (CSV)                          #\n\
################################################################\n\
#\n\
# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\n\
\"3061963\",\"2024-06-01 10:00:07\",\"http://1.2.3.4:8080/bins/x86\",\"online\",\"2024-06-01 10:00:07\",\"malware_download\",\"elf,mirai\",\"https://urlhaus.abuse.ch/url/3061963/\",\"geenensp\"\n\
\n\
\"3061962\",\"2024-06-01 09:59:00\",\"https://www.evil.com/kit/\",\"offline\",\"\",\"malware_download\",\"exe\",\"https://urlhaus.abuse.ch/url/3061962/\",\"x\"\n";
        assert_eq!(Format::detect(text), Format::Urlhaus);
        let p = parse(text, Format::Urlhaus).unwrap();
        assert_eq!(
            p.entries,
            vec![
                FeedEntry { kind: Kind::Url, key: "1.2.3.4/bins/x86".into() },
                FeedEntry { kind: Kind::Prefix, key: "evil.com/kit".into() },
            ]
        );
    }

    #[test]
    fn phishtank_csv_with_commas_and_html_escapes() {
        let text = "phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target\n\
123,\"http://login.example.com/a,b?x=1&amp;y=2\",http://www.phishtank.com/phish_detail.php?phish_id=123,2024-01-01T00:00:00+00:00,yes,2024-01-01T00:10:00+00:00,yes,Other\n";
        assert_eq!(Format::detect(text), Format::Phishtank);
        let p = parse(text, Format::Phishtank).unwrap();
        assert_eq!(p.entries, vec![FeedEntry { kind: Kind::Url, key: "login.example.com/a,b?x=1&y=2".into() }]);
    }

    #[test]
    fn plain_list_and_misp() {
        let text = "# OpenPhish\n\nhttps://docs.google.com/forms/d/e/abc/viewform\nbad-domain.example\n";
        assert_eq!(Format::detect(text), Format::List);
        let p = parse(text, Format::List).unwrap();
        assert_eq!(p.entries.len(), 2);
        assert!(p.entries.contains(&FeedEntry { kind: Kind::Host, key: "bad-domain.example".into() }));
        assert!(p
            .entries
            .contains(&FeedEntry { kind: Kind::Url, key: "docs.google.com/forms/d/e/abc/viewform".into() }));
        let misp = "uuid,event_id,category,type,value,comment,to_ids,date\n\
a,1,Network activity,url,http://c2.example/gate,,1,1700000000\n\
b,1,Network activity,domain,c2.example,,1,1700000000\n\
c,1,Network activity,hostname,cdn.c2.example,,1,1700000000\n\
d,1,Network activity,ip-dst,1.2.3.4,,1,1700000000\n";
        assert_eq!(Format::detect(misp), Format::Misp);
        let p = parse(misp, Format::Misp).unwrap();
        assert_eq!(p.entries.len(), 3);
        assert_eq!(p.skipped, 1);
    }

    #[test]
    fn labels() {
        let mut m = Matches::new();
        assert_eq!(label(&m), None);
        m.insert("openphish".into(), Kind::Host);
        assert_eq!(label(&m).unwrap(), "feed:SUSPICIOUS:2:openphish|host");
        m.insert("urlhaus".into(), Kind::Prefix);
        assert_eq!(label(&m).unwrap(), "feed:MALICIOUS:3:openphish|host;urlhaus|url");
    }
}
