//! `cache.sqlite` at the workspace root: the reference data the enrichment stages read (IANA names, network
//! context; later reputation). Each import replaces its table in one transaction and records the source file,
//! its sha256 and row count in `sources`, so a changed file is re-imported and an unchanged one is not.

use crate::enrich::allow;
use crate::enrich::iana::{self, Iana};
use crate::enrich::network_context::{self, Entry, NetworkContext};
use crate::enrich::reputation::feed;
use crate::error::Error;
use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;
use std::path::Path;

/// An open cache.
pub struct Cache {
    conn: Connection,
}

/// One imported source, as `sources` records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub kind: String,
    pub path: String,
    pub sha256: String,
    pub rows: i64,
    pub imported_at: String,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sources (kind TEXT PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL, imported_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS iana (code TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS network_context (seq INTEGER PRIMARY KEY, start BLOB NOT NULL, end BLOB NOT NULL,
    name TEXT NOT NULL, description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feeds (name TEXT PRIMARY KEY, format TEXT NOT NULL, path TEXT NOT NULL,
    sha256 TEXT NOT NULL, rows INTEGER NOT NULL, imported_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feed_entries (feed TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS feed_entries_key ON feed_entries (key, kind);
CREATE TABLE IF NOT EXISTS allow_lists (name TEXT PRIMARY KEY, title TEXT NOT NULL, path TEXT NOT NULL,
    sha256 TEXT NOT NULL, rows INTEGER NOT NULL, imported_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS allow_entries (list TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS topdomains (label TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS reputation_cache (service TEXT NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL,
    fetched_at INTEGER NOT NULL, PRIMARY KEY (service, value));
CREATE TABLE IF NOT EXISTS sigma_rules (id TEXT PRIMARY KEY, title TEXT NOT NULL, level TEXT NOT NULL,
    author TEXT NOT NULL, status TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, yaml TEXT NOT NULL,
    reason TEXT NOT NULL, imported_at TEXT NOT NULL);
";

/// One imported Sigma rule, as `sigma list` shows it: `reason` is empty for a rule that runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SigmaRow {
    pub id: String,
    pub title: String,
    pub level: String,
    pub author: String,
    pub status: String,
    pub path: String,
    pub reason: String,
}

/// One imported feed or known-good list, as `reputation list` and `allow list` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub name: String,
    /// A feed's format; a known-good list's own title (MISP's `name`; empty for a plain list).
    pub kind: String,
    pub path: String,
    pub sha256: String,
    /// Entries.
    pub rows: i64,
    pub imported_at: String,
}

/// Whole days from an `imported_at` time (`YYYY-MM-DDTHH:MM:SSZ`) to now; `None` if it does not parse.
pub fn age_days(imported_at: &str) -> Option<i64> {
    let t = chrono::NaiveDateTime::parse_from_str(imported_at, "%Y-%m-%dT%H:%M:%SZ").ok()?.and_utc();
    Some((chrono::Utc::now() - t).num_days())
}

/// One line per imported feed and known-good list older than `max_days` (0: none), for the run summary.
pub fn stale(cache: &Cache, max_days: u32) -> Result<Vec<String>> {
    let mut out = vec![];
    if max_days == 0 {
        return Ok(out);
    }
    let what = cache
        .feeds()?
        .into_iter()
        .map(|f| ("feed", f.name, f.imported_at))
        .chain(cache.allow_sources()?.into_iter().map(|l| ("known-good list", l.name, l.imported_at)));
    for (kind, name, at) in what {
        if let Some(d) = age_days(&at) {
            if d > i64::from(max_days) {
                out.push(format!(
                    "{kind} '{name}' was imported {d} days ago (more than [reputation] max_age_days = {max_days}): \
                     import a fresh copy"
                ));
            }
        }
    }
    Ok(out)
}

/// Hex sha256 of bytes.
pub use crate::digest::sha256_hex;

impl Cache {
    /// Open (creating if needed) the cache at `path`.
    pub fn open(path: &Path) -> Result<Cache> {
        let conn = Connection::open(path).with_context(|| format!("opening cache {}", path.display()))?;
        conn.execute_batch(SCHEMA).with_context(|| format!("creating cache tables in {}", path.display()))?;
        Ok(Cache { conn })
    }

    /// The recorded source of a kind.
    pub fn source(&self, kind: &str) -> Result<Option<Source>> {
        Ok(self
            .conn
            .query_row(
                "SELECT kind, path, sha256, rows, imported_at FROM sources WHERE kind = ?1",
                params![kind],
                |r| {
                    Ok(Source {
                        kind: r.get(0)?,
                        path: r.get(1)?,
                        sha256: r.get(2)?,
                        rows: r.get(3)?,
                        imported_at: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    fn record_source(tx: &rusqlite::Transaction<'_>, kind: &str, path: &str, sha: &str, rows: usize) -> Result<()> {
        tx.execute(
            "INSERT OR REPLACE INTO sources (kind, path, sha256, rows, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![kind, path, sha, rows as i64, chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()],
        )?;
        Ok(())
    }

    /// Import an IANA-format CSV (text already read), replacing the table.
    pub fn import_iana_text(&mut self, text: &str, path: &str) -> Result<iana::Parsed> {
        let parsed = iana::parse(text).map_err(|e| Error::Data(format!("{path}: {e}")))?;
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM iana", [])?;
        {
            let mut ins = tx.prepare("INSERT INTO iana (code, name) VALUES (?1, ?2)")?;
            for (c, n) in &parsed.names {
                ins.execute(params![c, n])?;
            }
        }
        Self::record_source(&tx, "iana", path, &sha256_hex(text.as_bytes()), parsed.names.len())?;
        tx.commit()?;
        Ok(parsed)
    }

    /// Make sure the IANA table is there: the configured file (re-imported when it changed), else the embedded
    /// default on first use.
    pub fn ensure_iana(&mut self, configured: Option<&Path>) -> Result<()> {
        let current = self.source("iana")?;
        match configured {
            Some(p) => {
                let bytes = std::fs::read(p)
                    .map_err(|e| Error::Unavailable(format!("reading IANA table {}: {e}", p.display())))?;
                let sha = sha256_hex(&bytes);
                if current.map(|s| s.sha256) != Some(sha) {
                    let text =
                        String::from_utf8(bytes).map_err(|_| Error::Data(format!("{}: not UTF-8", p.display())))?;
                    self.import_iana_text(&text, &p.display().to_string())?;
                }
            }
            None => {
                if current.is_none() {
                    self.import_iana_text(iana::DEFAULT_TABLE, "<embedded IANA table>")?;
                }
            }
        }
        Ok(())
    }

    /// The IANA lookup table.
    pub fn iana(&self) -> Result<Iana> {
        let mut st = self.conn.prepare("SELECT code, name FROM iana ORDER BY code")?;
        let pairs = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let map: BTreeMap<String, String> = pairs.collect::<Result<_, _>>()?;
        Ok(Iana::from_pairs(map))
    }

    /// Import a network-context CSV (text already read), replacing the table.
    pub fn import_nc_text(&mut self, text: &str, path: &str) -> Result<usize> {
        let entries = network_context::parse_file(text).map_err(|e| Error::Data(format!("{path}: {e}")))?;
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM network_context", [])?;
        {
            let mut ins = tx.prepare(
                "INSERT INTO network_context (seq, start, end, name, description) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (i, e) in entries.iter().enumerate() {
                ins.execute(params![
                    i as i64,
                    e.start.to_be_bytes().to_vec(),
                    e.end.to_be_bytes().to_vec(),
                    e.name,
                    e.description
                ])?;
            }
        }
        Self::record_source(&tx, "network_context", path, &sha256_hex(text.as_bytes()), entries.len())?;
        tx.commit()?;
        Ok(entries.len())
    }

    /// Import a network-context file from disk.
    pub fn import_nc_file(&mut self, p: &Path) -> Result<usize> {
        let text = std::fs::read_to_string(p)
            .map_err(|e| Error::Data(format!("reading network context {}: {e}", p.display())))?;
        self.import_nc_text(&text, &p.display().to_string())
    }

    /// Re-import the configured network-context file when its content changed.
    pub fn ensure_nc(&mut self, configured: Option<&Path>) -> Result<()> {
        if let Some(p) = configured {
            let bytes = std::fs::read(p)
                .map_err(|e| Error::Unavailable(format!("reading network context {}: {e}", p.display())))?;
            let sha = sha256_hex(&bytes);
            let current = self.source("network_context")?;
            if current.as_ref().map(|s| (s.sha256.as_str(), s.path.as_str()))
                != Some((sha.as_str(), &*p.display().to_string()))
            {
                self.import_nc_file(p)?;
            }
        }
        Ok(())
    }

    /// Import a `rank,domain` top-domain list (text already read), replacing the table with its first labels.
    pub fn import_topdomains_text(&mut self, text: &str, path: &str) -> Result<crate::enrich::topdomains::Parsed> {
        let parsed = crate::enrich::topdomains::parse(text).map_err(|e| Error::Data(format!("{path}: {e}")))?;
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM topdomains", [])?;
        {
            let mut ins = tx.prepare("INSERT INTO topdomains (label) VALUES (?1)")?;
            for l in &parsed.labels {
                ins.execute(params![l])?;
            }
        }
        Self::record_source(&tx, "topdomains", path, &sha256_hex(text.as_bytes()), parsed.entries)?;
        tx.commit()?;
        Ok(parsed)
    }

    /// The top-domain list's first labels, sorted, and the sha256 of the list they came from (`None`: none
    /// imported).
    pub fn topdomains(&self) -> Result<(Vec<String>, Option<String>)> {
        let mut st = self.conn.prepare("SELECT label FROM topdomains ORDER BY label")?;
        let labels = st.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
        Ok((labels, self.source("topdomains")?.map(|s| s.sha256)))
    }

    /// Import a feed (text already read) under `name`, replacing that feed's entries in one transaction.
    pub fn import_feed_text(&mut self, text: &str, format: &str, name: &str, path: &str) -> Result<feed::Parsed> {
        let fmt = feed::Format::from_name(format)
            .ok_or_else(|| Error::Usage(format!("unknown feed format '{format}' (urlhaus, phishtank, list, misp)")))?;
        let parsed = feed::parse(text, fmt).map_err(|e| Error::Data(format!("{path}: {e}")))?;
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM feed_entries WHERE feed = ?1", params![name])?;
        {
            let mut ins = tx.prepare("INSERT INTO feed_entries (feed, kind, key) VALUES (?1, ?2, ?3)")?;
            for e in &parsed.entries {
                ins.execute(params![name, e.kind.as_str(), e.key])?;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO feeds (name, format, path, sha256, rows, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                name,
                fmt.name(),
                path,
                sha256_hex(text.as_bytes()),
                parsed.entries.len() as i64,
                chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
            ],
        )?;
        tx.commit()?;
        Ok(parsed)
    }

    /// Import a known-good list (text already read) under `name`, replacing a list of that name, in one
    /// transaction.
    pub fn import_allow_text(&mut self, text: &str, name: &str, path: &str) -> Result<allow::Parsed> {
        let parsed = allow::parse(text).map_err(|e| Error::Data(format!("{path}: {e}")))?;
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM allow_entries WHERE list = ?1", params![name])?;
        {
            let mut ins = tx.prepare("INSERT INTO allow_entries (list, kind, value) VALUES (?1, ?2, ?3)")?;
            for (k, v) in &parsed.entries {
                ins.execute(params![name, k.name(), v])?;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO allow_lists (name, title, path, sha256, rows, imported_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                name,
                parsed.title.clone().unwrap_or_default(),
                path,
                sha256_hex(text.as_bytes()),
                parsed.entries.len() as i64,
                chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
            ],
        )?;
        tx.commit()?;
        Ok(parsed)
    }

    /// Store one Sigma rule (replacing one of the same id), with the reason it cannot run (empty: it runs).
    /// [`crate::findings::sigma::import_text`] parses the rule first.
    pub fn store_sigma(&self, r: &SigmaRow, text: &str) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO sigma_rules (id, title, level, author, status, path, sha256, yaml, reason, \
             imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                r.id,
                r.title,
                r.level,
                r.author,
                r.status,
                r.path,
                sha256_hex(text.as_bytes()),
                text,
                r.reason,
                chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
            ],
        )?;
        Ok(())
    }

    /// Every imported Sigma rule, by id.
    pub fn sigma_list(&self) -> Result<Vec<SigmaRow>> {
        let mut st =
            self.conn.prepare("SELECT id, title, level, author, status, path, reason FROM sigma_rules ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok(SigmaRow {
                id: r.get(0)?,
                title: r.get(1)?,
                level: r.get(2)?,
                author: r.get(3)?,
                status: r.get(4)?,
                path: r.get(5)?,
                reason: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The imported Sigma rules that run, by id: (id, path, YAML text).
    pub fn sigma_sources(&self) -> Result<Vec<(String, String, String)>> {
        let mut st = self.conn.prepare("SELECT id, path, yaml FROM sigma_rules WHERE reason = '' ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Remove every imported Sigma rule; how many there were.
    pub fn sigma_clear(&self) -> Result<usize> {
        Ok(self.conn.execute("DELETE FROM sigma_rules", [])?)
    }

    /// The imported known-good lists, by name.
    pub fn allow_sources(&self) -> Result<Vec<Imported>> {
        self.imported("SELECT name, title, path, sha256, rows, imported_at FROM allow_lists ORDER BY name")
    }

    /// Rows of a listing query (name, kind, path, sha256, rows, imported_at).
    fn imported(&self, sql: &str) -> Result<Vec<Imported>> {
        let mut st = self.conn.prepare(sql)?;
        let rows = st.query_map([], |r| {
            Ok(Imported {
                name: r.get(0)?,
                kind: r.get(1)?,
                path: r.get(2)?,
                sha256: r.get(3)?,
                rows: r.get(4)?,
                imported_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every known-good list with its entries, by name.
    pub fn allow_lists(&self) -> Result<Vec<allow::List>> {
        let mut out: Vec<allow::List> = vec![];
        let mut st = self.conn.prepare(
            "SELECT l.name, e.kind, e.value FROM allow_lists l JOIN allow_entries e ON e.list = l.name \
             ORDER BY l.name, e.rowid",
        )?;
        let rows =
            st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for row in rows {
            let (name, kind, value) = row?;
            let kind = allow::Kind::from_name(&kind)
                .ok_or_else(|| Error::Data(format!("cache.sqlite: allow list {name}: unknown kind {kind}")))?;
            match out.last_mut() {
                Some(l) if l.name == name => l.entries.push((kind, value)),
                _ => out.push(allow::List { name, entries: vec![(kind, value)] }),
            }
        }
        Ok(out)
    }

    /// The imported feeds, by name.
    pub fn feeds(&self) -> Result<Vec<Imported>> {
        self.imported("SELECT name, format, path, sha256, rows, imported_at FROM feeds ORDER BY name")
    }

    /// Which feeds hold any of `keys`, with the strongest kind each matched.
    pub fn feed_matches(&self, keys: &[(feed::Kind, String)]) -> Result<feed::Matches> {
        let mut out = feed::Matches::new();
        let mut st =
            self.conn.prepare_cached("SELECT feed FROM feed_entries WHERE key = ?1 AND kind = ?2 ORDER BY feed")?;
        for (kind, key) in keys {
            let feeds = st.query_map(params![key, kind.as_str()], |r| r.get::<_, String>(0))?;
            for f in feeds {
                let f = f?;
                let e = out.entry(f).or_insert(*kind);
                if *kind < *e {
                    *e = *kind;
                }
            }
        }
        Ok(out)
    }

    /// A cached online answer younger than `ttl_secs` (`Some("")`: the service did not know the value).
    pub fn reputation_cached(&self, service: &str, value: &str, ttl_secs: i64) -> Result<Option<String>> {
        let since = chrono::Utc::now().timestamp() - ttl_secs;
        Ok(self
            .conn
            .query_row(
                "SELECT label FROM reputation_cache WHERE service = ?1 AND value = ?2 AND fetched_at >= ?3",
                params![service, value, since],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Remember an online answer.
    pub fn reputation_store(&self, service: &str, value: &str, label: &str) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO reputation_cache (service, value, label, fetched_at) VALUES (?1, ?2, ?3, ?4)",
            params![service, value, label, chrono::Utc::now().timestamp()],
        )?;
        Ok(())
    }

    /// The network-context lookup.
    pub fn network_context(&self) -> Result<NetworkContext> {
        let mut st = self.conn.prepare("SELECT start, end, name, description FROM network_context ORDER BY seq")?;
        let rows = st.query_map([], |r| {
            let s: Vec<u8> = r.get(0)?;
            let e: Vec<u8> = r.get(1)?;
            Ok((s, e, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?;
        let mut entries = vec![];
        for row in rows {
            let (s, e, name, description) = row?;
            let key = |b: Vec<u8>| -> Result<u128> {
                Ok(u128::from_be_bytes(
                    b.try_into().map_err(|_| anyhow::anyhow!("cache.sqlite: corrupt network_context row"))?,
                ))
            };
            entries.push(Entry { start: key(s)?, end: key(e)?, name, description });
        }
        Ok(NetworkContext::from_entries(&entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_seeds_once_and_imports_replace() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Cache::open(&dir.path().join("c.sqlite")).unwrap();
        c.ensure_iana(None).unwrap();
        assert_eq!(c.iana().unwrap().registered("404"), Some("Not Found"));
        let f = dir.path().join("codes.csv");
        std::fs::write(&f, "Value,Description,Reference\n404,Gone Fishing,\n").unwrap();
        c.ensure_iana(Some(&f)).unwrap();
        let t = c.iana().unwrap();
        assert_eq!(t.registered("404"), Some("Gone Fishing"));
        assert_eq!(t.registered("200"), None, "an import replaces the whole table");
        assert_eq!(c.source("iana").unwrap().unwrap().rows, 1);
    }

    #[test]
    fn network_context_round_trips_and_reimports_on_change() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Cache::open(&dir.path().join("c.sqlite")).unwrap();
        let f = dir.path().join("nc.csv");
        std::fs::write(&f, "10.0.0.0/8,corp\n2001:db8::/32,v6\n").unwrap();
        c.ensure_nc(Some(&f)).unwrap();
        let nc = c.network_context().unwrap();
        assert_eq!(nc.lookup("10.2.3.4"), Some("corp"));
        assert_eq!(nc.lookup("2001:db8::5"), Some("v6"));
        std::fs::write(&f, "10.0.0.0/8,renamed\n").unwrap();
        c.ensure_nc(Some(&f)).unwrap();
        assert_eq!(c.network_context().unwrap().lookup("10.2.3.4"), Some("renamed"));
        assert_eq!(c.network_context().unwrap().lookup("2001:db8::5"), None);
        // A bad file leaves the previous import in place.
        std::fs::write(&f, "10.0.0.0/8,x\nbad,y\n").unwrap();
        let err = c.ensure_nc(Some(&f)).unwrap_err();
        assert!(format!("{err:#}").contains("line 2"), "{err:#}");
        assert_eq!(c.network_context().unwrap().lookup("10.2.3.4"), Some("renamed"));
    }
}
