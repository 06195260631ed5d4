//! Readers of the raw day of proxy traffic, writing it as Parquet in the day's folder (Spot's `proxy` layout).
//!
//! Five forms, told apart by content: Spot's Parquet (`PAR1` magic; placed as it is), Blue Coat ProxySG W3C ELFF
//! logs (plain or gzip; `#Fields:` headers decide the columns and may change mid-file; a file with no header uses
//! the site's `[raw] fields`, `bcreportermain_v1` when its lines have 42 fields, else Spot's order), Squid's native `access.log` and its `combined` / `common`
//! logs ([`squid`]), and 28-column TSV (a 32-column TSV with the partition columns is accepted too). Every text form follows the same value rules
//! ([`crate::text::raw_text`]): one pair of double quotes removed, `-` means empty, missing text is the empty
//! string, missing integers are NULL, and `fulluri = host + path (if longer than 1) + query (if longer than 1)`
//! where the form has no fulluri; the `proxy` view applies them to Spot's Parquet.
//!
//! Contract ([`load_day`]): the rows of the day go to a new Parquet folder the caller swaps in; rows of other days
//! are counted and left out; lines that cannot be parsed go to the reject sink with file, line and reason. Text
//! is parsed in chunks of bounded memory; nothing holds the day in memory.

use crate::day::Day;
use crate::digest::{file_sha256, Hashing};
use crate::error::Error;
use crate::quarantine::Quarantine;
use crate::schema::{self, Type};
use crate::stage::{Meter, Stage};
use crate::text::{self, raw_text};
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

mod squid;

/// The raw table's data columns, in DDL order (from the schema registry).
pub const RAW_COLUMNS: &[(&str, Type)] = schema::PROXY.columns;
const DURATION: usize = 7;
const HOST: usize = 3;
const URIPATH: usize = 18;
const URIQUERY: usize = 19;
const SCBYTES: usize = 22;
const FULLURI: usize = 27;

fn is_int_col(i: usize) -> bool {
    RAW_COLUMNS[i].1 == Type::Int
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

/// The raw column (index into [`RAW_COLUMNS`]) of a Blue Coat ELFF field name, without regard to case.
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

/// A form of raw input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Format {
    /// Spot's raw table as Parquet files.
    #[serde(rename = "parquet")]
    Parquet,
    /// Blue Coat ProxySG W3C ELFF access log.
    #[serde(rename = "bluecoat-elff")]
    BlueCoat,
    /// TSV in the raw table's column order.
    #[serde(rename = "tsv")]
    Tsv,
    /// Squid's native `access.log` (`logformat squid`).
    #[serde(rename = "squid")]
    Squid,
    /// Squid's httpd-style `access.log` (`logformat combined`, or `common`).
    #[serde(rename = "squid-combined")]
    SquidCombined,
}

impl Format {
    /// Short name for summaries.
    pub fn name(&self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::BlueCoat => "bluecoat-elff",
            Format::Tsv => "tsv",
            Format::Squid => "squid",
            Format::SquidCombined => "squid-combined",
        }
    }
}

/// One input file and what was read from it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileStats {
    pub path: PathBuf,
    pub format: Format,
    pub gzip: bool,
    pub bytes: u64,
    pub sha256: String,
    /// Rows of the day loaded.
    pub rows: u64,
    /// Rows of other days, left out.
    pub other_date: u64,
    /// Lines rejected.
    pub rejected: u64,
}

/// A raw line that could not be parsed.
#[derive(Debug, Clone)]
pub struct RawReject {
    pub file: PathBuf,
    pub line: u64,
    pub reason: String,
    pub text: Vec<u8>,
}

/// Expand sources (files, folders, globs) into a sorted list of files. Folders are walked recursively; hidden
/// files (`.x`, `_x`, as Hadoop and Impala treat them) are skipped. A source that matches nothing is an error.
pub fn expand(sources: &[String]) -> Result<Vec<PathBuf>> {
    let mut out = vec![];
    for src in sources {
        let mut found = vec![];
        if src.contains(['*', '?', '[']) {
            let paths = glob::glob(src).map_err(|e| Error::Usage(format!("--raw {src}: bad glob: {e}")))?;
            for p in paths {
                let p = p.with_context(|| format!("--raw {src}"))?;
                collect(&p, &mut found)?;
            }
        } else {
            let p = PathBuf::from(src);
            if !p.exists() {
                return Err(Error::Unavailable(format!("raw input {src}: no such file or folder")).into());
            }
            collect(&p, &mut found)?;
        }
        if found.is_empty() {
            return Err(Error::Unavailable(format!("raw input {src}: no files found")).into());
        }
        out.extend(found);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn hidden(p: &Path) -> bool {
    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.') || n.starts_with('_'))
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .with_context(|| format!("listing {}", p.display()))?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("listing {}", p.display()))?;
        entries.sort();
        for e in entries {
            if !hidden(&e) {
                collect(&e, out)?;
            }
        }
    } else if p.is_file() {
        out.push(p.to_path_buf());
    }
    Ok(())
}

/// Tell the form of a file from its first bytes: Parquet magic, gzip magic, then the first non-blank line.
pub fn detect(path: &Path) -> Result<(Format, bool)> {
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut head = [0u8; 4];
    let n = read_up_to(&mut f, &mut head)?;
    if n == 4 && &head == b"PAR1" {
        return Ok((Format::Parquet, false));
    }
    let gzip = n >= 2 && head[..2] == [0x1f, 0x8b];
    let file = std::fs::File::open(path)?;
    let reader: Box<dyn Read> = if gzip { Box::new(flate2::read::MultiGzDecoder::new(file)) } else { Box::new(file) };
    let mut reader = BufReader::new(reader.take(1 << 20));
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).with_context(|| format!("reading {}", path.display()))? == 0 {
            // An empty file has no rows in any form.
            return Ok((Format::Tsv, gzip));
        }
        let s = String::from_utf8_lossy(&line);
        let s = s.trim_end_matches(['\r', '\n']);
        if s.trim().is_empty() {
            continue;
        }
        if s.starts_with('#') {
            return Ok((Format::BlueCoat, gzip));
        }
        let tabs = s.split('\t').count();
        if tabs == 28 || tabs == 32 {
            return Ok((Format::Tsv, gzip));
        }
        if s.len() >= 10 && text::is_iso_date(&s[..10]) {
            return Ok((Format::BlueCoat, gzip));
        }
        if squid::is_native_line(s) {
            return Ok((Format::Squid, gzip));
        }
        if squid::is_combined_line(s) {
            return Ok((Format::SquidCombined, gzip));
        }
        let seen: String = s.chars().take(80).collect();
        return Err(Error::Data(format!(
            "{}: cannot tell the raw format: the first line is not an ELFF header (#Fields:), not a 28-column TSV row, \
             does not start with a YYYY-MM-DD date and is not a Squid access.log line (native, combined or common; it \
             starts {seen:?})",
            path.display()
        ))
        .into());
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let k = r.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    Ok(n)
}

/// One parsed raw row in DDL order: text columns, and the three integer columns.
struct Row {
    text: Vec<String>,
    ints: [Option<i32>; 3],
    hour: u8,
}

impl Row {
    fn new() -> Self {
        Row { text: vec![String::new(); 28], ints: [None; 3], hour: 0 }
    }
    fn clear(&mut self) {
        for t in &mut self.text {
            t.clear();
        }
        self.ints = [None; 3];
    }
    fn set_int(&mut self, col: usize, v: Option<i32>) {
        let k = match col {
            DURATION => 0,
            SCBYTES => 1,
            _ => 2,
        };
        self.ints[k] = v;
    }
    /// Check the date and time; fill the hour.
    fn check_time(&mut self) -> Result<(), String> {
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

/// Most raw rejects written to `raw.rejected.tsv` (all are counted).
pub const RAW_REJECTS_KEPT: u64 = 10_000;

/// The raw stage: the day's raw files become the Parquet folder `dest` (a new folder beside the day's `raw/`,
/// which the caller swaps in when the day's tables are committed). Spot's Parquet files are taken as they are
/// (hard-linked, or copied where a link cannot be made, never re-encoded: the `proxy` view applies the value rules
/// and leaves out other days' rows when it reads them); text logs are parsed once into `proxy-oa-*.parquet` files
/// under hour folders. With no files, the day's `raw/` is used as it is. Rejected lines are counted, and the first
/// [`RAW_REJECTS_KEPT`] kept in `quarantine` with file, line and reason. Counts: lines or rows in; matched = rows
/// of the day; unmatched = rows of other days (left out); rejected.
pub fn load_day(
    conn: &Connection,
    day: Day,
    raw: &crate::config::RawCfg,
    files: &[PathBuf],
    dest: &Path,
    quarantine: PathBuf,
) -> Result<(Stage, Vec<FileStats>)> {
    let meter = Meter::start();
    let mut stage = Stage::new("raw");
    let mut stats = vec![];
    if files.is_empty() {
        let n = crate::store::count(conn, schema::PROXY, day)?;
        stage.rows_in = n as u64;
        stage.note = if n > 0 {
            format!("no raw input given: using the {n} raw rows of this day already in the workspace")
        } else {
            "no raw input given and none in the workspace: proxy_edge and proxy_ingest_summary stay empty".into()
        };
        if n == 0 {
            stage.warnings.push(stage.note.clone());
        }
        return Ok((meter.finish(stage), stats));
    }
    std::fs::create_dir_all(dest).with_context(|| format!("creating {}", dest.display()))?;
    let mut quarantine = Quarantine::new(quarantine, "file\tline\treason\ttext\n")?;
    let mut kept = 0u64;
    let mut loader = Loader::new(conn, day)?;
    loader.fields = raw.fields.clone();
    loader.zone = raw.zone()?;
    for f in files {
        let t = std::time::Instant::now();
        let fs = loader.load(f, dest, &mut |r: RawReject| {
            if kept < RAW_REJECTS_KEPT {
                kept += 1;
                quarantine.write(&[
                    r.file.display().to_string().as_bytes(),
                    r.line.to_string().as_bytes(),
                    r.reason.as_bytes(),
                    &r.text,
                ])?;
            }
            Ok(())
        })?;
        log::debug!("raw: {} in {:.2} s", f.display(), t.elapsed().as_secs_f64());
        stage.rows_in += fs.rows + fs.other_date + fs.rejected;
        stage.matched += fs.rows;
        stage.unmatched += fs.other_date;
        stage.rejected += fs.rejected;
        stats.push(fs);
    }
    if let Some(p) = quarantine.finish()? {
        stage.warnings.push(format!(
            "{} raw lines rejected; the first {} are kept in {}",
            stage.rejected,
            stage.rejected.min(RAW_REJECTS_KEPT),
            p.display()
        ));
        stage.outputs.push(p);
    }
    let mut formats: Vec<&str> = stats.iter().map(|f| f.format.name()).collect();
    formats.sort_unstable();
    formats.dedup();
    stage.note = format!("{} files ({}); unmatched = rows of other days, left out", files.len(), formats.join(", "));
    Ok((meter.finish(stage), stats))
}

/// Reads raw files for one day into its Parquet folder: Spot's Parquet files are placed there as they are, text
/// logs are parsed into `proxy-oa-*.parquet` files.
pub struct Loader<'c> {
    conn: &'c Connection,
    iso: String,
    /// Text files read so far (numbers their Parquet files).
    files: std::cell::Cell<usize>,
    /// A plain text file at least this large is parsed in parallel chunks.
    chunk_min: u64,
    /// Parser threads for such a file.
    workers: usize,
    /// `[raw] fields`: the field list of ELFF logs written without a `#Fields:` line; empty: told from the first
    /// line (42 fields: `bcreportermain_v1`, else Spot's order).
    pub fields: String,
    /// `[raw] zone`: the time zone Squid's epoch times are written in; `None`: UTC.
    pub zone: Option<chrono_tz::Tz>,
}

impl<'c> Loader<'c> {
    /// A loader for `day` on `conn`.
    pub fn new(conn: &'c Connection, day: Day) -> Result<Self> {
        let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).max(1);
        Ok(Loader {
            conn,
            iso: day.iso(),
            files: Default::default(),
            chunk_min: CHUNK_MIN,
            workers,
            fields: String::new(),
            zone: None,
        })
    }

    /// Read one file into the day's folder `dest`; rejected lines go to `reject`.
    pub fn load(&self, path: &Path, dest: &Path, reject: &mut dyn FnMut(RawReject) -> Result<()>) -> Result<FileStats> {
        let (format, gzip) = detect(path)?;
        match format {
            Format::Parquet => self.place_parquet(path, dest),
            Format::BlueCoat | Format::Tsv | Format::Squid | Format::SquidCombined => {
                self.load_text(path, dest, format, gzip, reject)
            }
        }
    }

    /// A Spot Parquet file, validated from its footer and placed in `dest` under its hour folder (`h=HH/`, from its
    /// path) as it is. Counts the rows of the day and of other days.
    fn place_parquet(&self, path: &Path, dest: &Path) -> Result<FileStats> {
        let (bytes, sha256) = file_sha256(path)?;
        let name = path.display().to_string();
        let bad = |e: duckdb::Error| Error::Data(format!("{name}: reading Spot Parquet: {e}"));
        // The schema from the footer: every data column of Spot's table, by name.
        let present: Vec<String> = {
            let mut st = self.conn.prepare("SELECT name FROM parquet_schema(?)").map_err(bad)?;
            let v = st.query_map(params![name], |r| r.get(0)).map_err(bad)?.collect::<Result<_, _>>().map_err(bad)?;
            v
        };
        let missing: Vec<&str> = RAW_COLUMNS.iter().map(|c| c.0).filter(|c| !present.iter().any(|p| p == c)).collect();
        if !missing.is_empty() {
            return Err(Error::Data(format!(
                "{name}: not Spot's proxy table: the columns {} are missing",
                missing.join(", ")
            ))
            .into());
        }
        let (total, rows): (i64, i64) = self
            .conn
            .query_row(
                "SELECT count(*), count(*) FILTER (WHERE proxy_text(p_date) = ?) FROM read_parquet(?)",
                params![self.iso, name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(bad)?;
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let hour = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| n.starts_with("h="));
        let mut target = dest.to_path_buf();
        if let Some(h) = hour {
            target.push(h);
        }
        std::fs::create_dir_all(&target).with_context(|| format!("creating {}", target.display()))?;
        // Names are kept: a `proxy-oa-*` file is one proxy-oa wrote (a day's own raw folder used again, or one
        // copied from another workspace), whose values already follow the rules the view applies to Spot's.
        let mut base = file_name;
        if !base.ends_with(".parquet") {
            base.push_str(".parquet");
        }
        let mut to = target.join(&base);
        let mut k = 1;
        while to.exists() {
            k += 1;
            to = target.join(format!("{k}-{base}"));
        }
        if std::fs::hard_link(path, &to).is_err() {
            std::fs::copy(path, &to).with_context(|| format!("copying {} to {}", path.display(), to.display()))?;
        }
        Ok(FileStats {
            path: path.to_path_buf(),
            format: Format::Parquet,
            gzip: false,
            bytes,
            sha256,
            rows: rows as u64,
            other_date: (total - rows) as u64,
            rejected: 0,
        })
    }

    /// Parse a text log straight into the day's Parquet folder `dest`. A plain file is cut at line ends into one
    /// chunk per core, parsed in parallel (each chunk starting with the `#Fields:` layout in effect where it
    /// starts, found by a scan for header lines first), with the sha256 computed alongside; a gzip file is one
    /// chunk. Each worker appends its rows to an in-memory DuckDB of its own and writes them as
    /// `proxy-oa-<file>-<chunk>-<n>.parquet` under hour folders, in the file's order.
    fn load_text(
        &self,
        path: &Path,
        dest: &Path,
        format: Format,
        gzip: bool,
        reject: &mut dyn FnMut(RawReject) -> Result<()>,
    ) -> Result<FileStats> {
        let len = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
        // A progress bar on stderr when it is a terminal (indicatif hides it otherwise).
        let bar = indicatif::ProgressBar::with_draw_target(Some(len), indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .expect("constant template"),
        );
        bar.set_message(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        let chunks = if gzip {
            vec![Chunk { start: 0, end: len, layout: None }]
        } else {
            chunks(path, len, format, self.chunk_min, self.workers)?
        };
        // Until a #Fields: line says otherwise, an ELFF log has the configured fields, else a layout told from its
        // first line.
        let mut chunks = chunks;
        if format == Format::BlueCoat {
            let default = if self.fields.trim().is_empty() {
                headerless_layout(path, gzip)?
            } else {
                ElffLayout::from_header(&self.fields)
            };
            for c in chunks.iter_mut().filter(|c| c.layout.is_none()) {
                c.layout = Some(default.clone());
            }
        }
        let file_no = self.files.get();
        self.files.set(file_no + 1);
        // Each worker's DuckDB gets its share of the store's memory ceiling and spills where the store does.
        let (memory, temp): (String, String) = self.conn.query_row(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let share = parse_bytes(&memory).map(|b| b / chunks.len() as u64).unwrap_or(512 << 20).max(64 << 20);
        let mut stats = FileStats {
            path: path.to_path_buf(),
            format,
            gzip,
            bytes: 0,
            sha256: String::new(),
            rows: 0,
            other_date: 0,
            rejected: 0,
        };
        let outcomes = std::thread::scope(|scope| {
            let hasher = (!gzip).then(|| scope.spawn(|| file_sha256(path)));
            let workers: Vec<_> = chunks
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    let bar = bar.clone();
                    let iso = self.iso.as_str();
                    let zone = self.zone;
                    let prefix = format!("{}{file_no}-{k}-", schema::OUR_RAW_PREFIX);
                    let temp = temp.clone();
                    scope.spawn(move || -> Result<ChunkOutcome> {
                        let conn = worker_db(share, &temp)?;
                        let mut app = conn.appender("raw_rows")?;
                        let mut batch = Batch::new();
                        let mut pending = 0usize;
                        let mut part = 0usize;
                        // Each hour's rows of the batch into their hour folder, as one file (a partitioned COPY is
                        // slower on one thread). Column names come from the registry; the hour and file are bound.
                        let copy = |part: usize| -> Result<()> {
                            let hours: Vec<String> = {
                                let mut st = conn.prepare("SELECT DISTINCT h FROM raw_rows ORDER BY h")?;
                                let v = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
                                v
                            };
                            let sql = format!(
                                "COPY (SELECT {} FROM raw_rows WHERE h = ?) TO ? (FORMAT PARQUET, COMPRESSION SNAPPY)",
                                schema::PROXY.column_list()
                            );
                            for h in hours {
                                let dir = dest.join(format!("h={h}"));
                                std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
                                let file = dir.join(format!("{prefix}{part}.parquet"));
                                conn.execute(&sql, params![h, file.display().to_string()]).map_err(|e| {
                                    Error::Load(format!("writing the raw day to {}: {e}", file.display()))
                                })?;
                            }
                            conn.execute_batch("DELETE FROM raw_rows")?;
                            Ok(())
                        };
                        // The rows go out as Parquet every FLUSH_ROWS, so the worker's memory stays bounded.
                        let out = parse_chunk(path, format, gzip, c, (iso, zone), &bar, |row| {
                            batch.push(row);
                            pending += 1;
                            if batch.len == BATCH_ROWS || pending == FLUSH_ROWS {
                                app.append_record_batch(batch.finish()?)?;
                            }
                            if pending == FLUSH_ROWS {
                                app.flush()?;
                                copy(part)?;
                                part += 1;
                                pending = 0;
                            }
                            Ok(())
                        })?;
                        if batch.len > 0 {
                            app.append_record_batch(batch.finish()?)?;
                        }
                        app.flush().with_context(|| format!("{}: staging the rows", path.display()))?;
                        if pending > 0 {
                            copy(part)?;
                        }
                        Ok(out)
                    })
                })
                .collect();
            let mut out: Vec<Result<ChunkOutcome>> = workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|_| Err(anyhow::anyhow!("a parser panicked"))))
                .collect();
            if let Some(h) = hasher {
                match h.join() {
                    Ok(Ok(bs)) => (stats.bytes, stats.sha256) = bs,
                    Ok(Err(e)) => out.push(Err(e)),
                    Err(_) => out.push(Err(anyhow::anyhow!("the hasher panicked"))),
                }
            }
            out
        });
        bar.finish_and_clear();
        let mut lines_before = 0u64;
        for o in outcomes {
            let o = o?;
            stats.rows += o.rows;
            stats.other_date += o.other_date;
            stats.rejected += o.rejected;
            for mut r in o.rejects {
                r.line += lines_before;
                reject(r)?;
            }
            lines_before += o.lines;
            if let Some(h) = o.hashed {
                (stats.bytes, stats.sha256) = h;
            }
        }
        Ok(stats)
    }
}

/// Rows a parser thread stages before it writes them out as Parquet.
const FLUSH_ROWS: usize = 500_000;

/// An in-memory DuckDB for one parser thread: one worker thread, `memory` bytes, spilling to `temp`, with the
/// staging table `raw_rows` (the registry's columns, then the hour).
fn worker_db(memory: u64, temp: &str) -> Result<Connection> {
    let mut cfg = duckdb::Config::default().max_memory(&format!("{}MiB", memory >> 20))?.threads(1)?;
    if !temp.is_empty() {
        cfg = cfg.with("temp_directory", temp)?;
    }
    let conn = Connection::open_in_memory_with_flags(cfg)?;
    let cols: Vec<String> = RAW_COLUMNS.iter().map(|(c, t)| format!("{} {}", schema::quoted(c), t.duckdb())).collect();
    // Column names and types come from the registry.
    conn.execute_batch(&format!("CREATE TABLE raw_rows ({}, h VARCHAR)", cols.join(", ")))?;
    Ok(conn)
}

/// DuckDB's memory setting (`1.0 GiB`, `512.0 MiB`, ...) in bytes.
fn parse_bytes(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (num, unit) = s.split_at(split);
    let n: f64 = num.trim().parse().ok()?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "b" | "bytes" => 1.0,
        "kib" => 1024.0,
        "kb" => 1000.0,
        "mib" => 1048576.0,
        "mb" => 1e6,
        "gib" => 1073741824.0,
        "gb" => 1e9,
        "tib" => 1099511627776.0,
        "tb" => 1e12,
        _ => return None,
    };
    Some((n * mult) as u64)
}

/// Rows per Arrow batch handed to a worker's appender.
const BATCH_ROWS: usize = 16 * 1024;

/// Arrow builders for the raw columns (the registry's order and types) and the hour: a worker's rows go to its
/// DuckDB a batch at a time instead of a value at a time.
struct Batch {
    text: Vec<Option<duckdb::arrow::array::StringBuilder>>,
    ints: Vec<Option<duckdb::arrow::array::Int32Builder>>,
    h: duckdb::arrow::array::StringBuilder,
    len: usize,
}

impl Batch {
    fn new() -> Batch {
        use duckdb::arrow::array::{Int32Builder, StringBuilder};
        let text = (0..RAW_COLUMNS.len()).map(|i| (!is_int_col(i)).then(StringBuilder::new)).collect();
        let ints = (0..RAW_COLUMNS.len()).map(|i| is_int_col(i).then(Int32Builder::new)).collect();
        Batch { text, ints, h: StringBuilder::new(), len: 0 }
    }

    fn push(&mut self, row: &Row) {
        let mut k = 0;
        for i in 0..RAW_COLUMNS.len() {
            if let Some(b) = &mut self.ints[i] {
                b.append_option(row.ints[k]);
                k += 1;
            } else if let Some(b) = &mut self.text[i] {
                b.append_value(&row.text[i]);
            }
        }
        self.h.append_value(HOURS[usize::from(row.hour.min(23))]);
        self.len += 1;
    }

    /// The rows so far as one batch in `raw_rows`' column order; the builders start again.
    fn finish(&mut self) -> Result<duckdb::arrow::record_batch::RecordBatch> {
        use duckdb::arrow::array::ArrayRef;
        use duckdb::arrow::datatypes::{DataType, Field, Schema};
        use std::sync::Arc;
        let mut fields = vec![];
        let mut arrays: Vec<ArrayRef> = vec![];
        for (i, (c, _)) in RAW_COLUMNS.iter().enumerate() {
            if let Some(b) = &mut self.ints[i] {
                fields.push(Field::new(*c, DataType::Int32, true));
                arrays.push(Arc::new(b.finish()));
            } else if let Some(b) = &mut self.text[i] {
                fields.push(Field::new(*c, DataType::Utf8, true));
                arrays.push(Arc::new(b.finish()));
            }
        }
        fields.push(Field::new("h", DataType::Utf8, true));
        arrays.push(Arc::new(self.h.finish()));
        self.len = 0;
        Ok(duckdb::arrow::record_batch::RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
    }
}

/// The hours as partition values.
const HOURS: [&str; 24] = [
    "00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18",
    "19", "20", "21", "22", "23",
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

/// A byte range of a plain text log (at line boundaries) and the `#Fields:` layout in effect where it starts
/// (`None`: none seen yet, Spot's order).
struct Chunk {
    start: u64,
    end: u64,
    layout: Option<ElffLayout>,
}

/// What one chunk gave.
struct ChunkOutcome {
    lines: u64,
    rows: u64,
    other_date: u64,
    rejected: u64,
    /// The first [`RAW_REJECTS_KEPT`] rejects, line numbers counted within the chunk.
    rejects: Vec<RawReject>,
    /// Bytes and sha256 where the chunk's reader hashed the file (gzip).
    hashed: Option<(u64, String)>,
}

/// Files smaller than this are one chunk.
const CHUNK_MIN: u64 = 16 << 20;

/// Cut a plain file into one chunk per core at line ends, each with the `#Fields:` layout in effect at its start
/// (a scan for lines that start with `#`).
fn chunks(path: &Path, len: u64, format: Format, min: u64, workers: usize) -> Result<Vec<Chunk>> {
    let n = if len < min { 1 } else { (workers as u64).min(len / (min / 2).max(1)).max(1) };
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut bounds = vec![0u64];
    for k in 1..n {
        let at = len * k / n;
        std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(at))?;
        let mut r = BufReader::new(&mut f);
        let mut skipped = Vec::new();
        let m = r.read_until(b'\n', &mut skipped)?;
        let b = at + m as u64;
        if b < len && b > *bounds.last().expect("one") {
            bounds.push(b);
        }
    }
    bounds.push(len);
    // Where the headers are: only ELFF logs have them.
    let mut headers: Vec<(u64, ElffLayout)> = vec![];
    if format == Format::BlueCoat {
        let mut f = BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
        let mut pos = 0u64;
        let mut at_line_start = true;
        loop {
            let buf = f.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let k = buf.len();
            let mut i = 0;
            while i < k {
                if at_line_start && buf[i] == b'#' {
                    // A header line: read it whole.
                    let start = pos + i as u64;
                    f.consume(i);
                    let mut line = Vec::new();
                    let m = f.read_until(b'\n', &mut line)?;
                    let text = String::from_utf8_lossy(&line);
                    if let Some(fields) = text.trim_end_matches(['\r', '\n']).strip_prefix("#Fields:") {
                        headers.push((start, ElffLayout::from_header(fields)));
                    }
                    pos = start + m as u64;
                    at_line_start = true;
                    i = usize::MAX;
                    break;
                }
                match memchr::memchr(b'\n', &buf[i..]) {
                    Some(p) => {
                        i += p + 1;
                        at_line_start = true;
                    }
                    None => {
                        i = k;
                        at_line_start = false;
                    }
                }
            }
            if i != usize::MAX {
                f.consume(k);
                pos += k as u64;
            }
        }
    }
    Ok(bounds
        .windows(2)
        .map(|w| Chunk {
            start: w[0],
            end: w[1],
            layout: headers.iter().rfind(|(at, _)| *at < w[0]).map(|(_, l)| l.clone()),
        })
        .collect())
}

/// Parse one chunk (the day `iso`, Squid's times in `zone`); batches of the day's rows go to `sink`.
fn parse_chunk(
    path: &Path,
    format: Format,
    gzip: bool,
    chunk: &Chunk,
    (iso, zone): (&str, Option<chrono_tz::Tz>),
    bar: &indicatif::ProgressBar,
    mut sink: impl FnMut(&Row) -> Result<()>,
) -> Result<ChunkOutcome> {
    let mut file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(chunk.start))?;
    let mut hashing = Hashing::new(bar.wrap_read(file.take(chunk.end - chunk.start)));
    let mut out = ChunkOutcome { lines: 0, rows: 0, other_date: 0, rejected: 0, rejects: vec![], hashed: None };
    {
        let inner: Box<dyn Read + '_> =
            if gzip { Box::new(flate2::read::MultiGzDecoder::new(&mut hashing)) } else { Box::new(&mut hashing) };
        let mut reader = BufReader::with_capacity(1 << 16, inner);
        let mut elff = chunk.layout.clone().unwrap_or_else(ElffLayout::spot_default);
        let mut row = Row::new();
        let mut buf = Vec::with_capacity(1024);
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::Data(format!("{}: line {}: {e}", path.display(), out.lines + 1)))?;
            if n == 0 {
                break;
            }
            out.lines += 1;
            while matches!(buf.last(), Some(b'\n' | b'\r')) {
                buf.pop();
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let parsed = match std::str::from_utf8(&buf) {
                Err(e) => Err(format!("invalid UTF-8 at byte {}", e.valid_up_to())),
                Ok(line) => match format {
                    Format::BlueCoat if line.starts_with('#') => {
                        if let Some(fields) = line.strip_prefix("#Fields:") {
                            elff = ElffLayout::from_header(fields);
                        }
                        continue;
                    }
                    Format::BlueCoat => elff.parse(line, &mut row),
                    Format::Squid => squid::parse_native(line, &mut row, zone),
                    Format::SquidCombined => squid::parse_combined(line, &mut row, zone),
                    _ => parse_tsv(line, &mut row),
                },
            };
            match parsed.and_then(|()| row.check_time()) {
                Err(reason) => {
                    out.rejected += 1;
                    if (out.rejects.len() as u64) < RAW_REJECTS_KEPT {
                        out.rejects.push(RawReject {
                            file: path.to_path_buf(),
                            line: out.lines,
                            reason,
                            text: buf.clone(),
                        });
                    }
                }
                Ok(()) if row.text[0] != iso => out.other_date += 1,
                Ok(()) => {
                    out.rows += 1;
                    sink(&row)?;
                }
            }
        }
    }
    if gzip {
        out.hashed = Some(hashing.finish());
    }
    Ok(out)
}

/// Split a 28- or 32-column TSV line into a row.
fn parse_tsv(line: &str, row: &mut Row) -> Result<(), String> {
    row.clear();
    let mut n = 0;
    for (i, f) in line.split('\t').enumerate() {
        n += 1;
        if i >= 28 {
            continue; // partition columns y, m, d, h: recomputed from the date and time
        }
        let f = if f == "\\N" || f == "NULL" { "" } else { f };
        if is_int_col(i) {
            let v = text::int_value(Some(raw_text(f))).map_err(|e| format!("field {}: {e}", RAW_COLUMNS[i].0))?;
            row.set_int(i, v);
        } else {
            row.text[i].push_str(raw_text(f));
        }
    }
    if n != 28 && n != 32 {
        return Err(format!("expected 28 fields (or 32 with y, m, d, h), found {n}"));
    }
    if row.text[FULLURI].is_empty() {
        set_full_uri(row);
    }
    Ok(())
}

/// The column map of one `#Fields:` header.
#[derive(Debug, Clone, PartialEq)]
struct ElffLayout {
    /// For each field position: the raw column it fills, if any.
    cols: Vec<Option<usize>>,
    /// Header names, for messages.
    names: Vec<String>,
}

impl ElffLayout {
    fn spot_default() -> Self {
        Self::from_names(SPOT_ELFF_ORDER.iter().map(|s| s.to_string()).collect())
    }

    fn from_header(fields: &str) -> Self {
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

/// `fulluri` from host, path and query ([`text::full_uri`]), reusing the row's buffer.
fn set_full_uri(row: &mut Row) {
    let mut f = std::mem::take(&mut row.text[FULLURI]);
    f.clear();
    text::push_full_uri(&mut f, &row.text[HOST], &row.text[URIPATH], &row.text[URIQUERY]);
    row.text[FULLURI] = f;
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

    /// Every row of the Parquet files under `dir`, as text, in a total order.
    fn rows_of(conn: &Connection, dir: &Path) -> Vec<String> {
        let files: Vec<String> =
            crate::workspace::parquet_files(dir).unwrap().iter().map(|p| p.display().to_string()).collect();
        let mut st = conn
            .prepare("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM read_parquet(string_split(?, chr(10))) ORDER BY ALL")
            .unwrap();
        let n = RAW_COLUMNS.len();
        st.query_map(params![files.join("\n")], |r| {
            Ok((0..n).map(|i| r.get::<_, Option<String>>(i).unwrap().unwrap_or_default()).collect::<Vec<_>>().join("|"))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    #[test]
    fn rows_past_several_row_groups_and_batches_all_reach_the_parquet_files() {
        // More rows per worker than a DuckDB row group (122,880) and many Arrow batches: every row is written.
        let (conn, _ws, dir) = crate::store::scratch().unwrap();
        let mut text = String::from("#Fields: date time time-taken c-ip cs-host cs-uri-path cs-uri-query sc-status\n");
        let n = 300_000;
        for i in 0..n {
            text.push_str(&format!(
                "2016-07-08 {:02}:{:02}:00 {i} 10.0.{}.{} a.com /p{i} - 200\n",
                i * 24 / n,
                i % 60,
                i % 3,
                i % 250
            ));
        }
        let log = dir.path().join("big.log");
        std::fs::write(&log, &text).unwrap();
        let day: Day = "20160708".parse().unwrap();
        let mut seen = vec![];
        for workers in [1, 2] {
            let mut loader = Loader::new(&conn, day).unwrap();
            loader.chunk_min = if workers == 1 { u64::MAX } else { 1 << 20 };
            loader.workers = workers;
            let dest = dir.path().join(format!("out-{workers}"));
            let st = loader.load(&log, &dest, &mut |_| Ok(())).unwrap();
            assert_eq!(st.rows, n as u64);
            let files: Vec<String> =
                crate::workspace::parquet_files(&dest).unwrap().iter().map(|p| p.display().to_string()).collect();
            let (count, sum): (i64, String) = conn
                .query_row(
                    "SELECT count(*), CAST(sum(hash(p_time, clientip, duration, fulluri)) AS VARCHAR) \
                     FROM read_parquet(string_split(?, chr(10)))",
                    params![files.join("\n")],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert_eq!(count, n as i64, "{workers} worker(s)");
            seen.push(sum);
        }
        assert_eq!(seen[0], seen[1]);
    }

    #[test]
    fn parallel_chunks_read_what_one_reader_reads_with_the_same_line_numbers() {
        let (conn, _ws, dir) = crate::store::scratch().unwrap();
        // Two #Fields: layouts (the second swaps two fields) and a bad line in each half.
        let a = "#Fields: date time time-taken c-ip cs-host cs-uri-path cs-uri-query sc-status\n";
        let b = "#Fields: time date time-taken c-ip cs-host cs-uri-path cs-uri-query sc-status\n";
        let mut text = String::from("#Software: test\n");
        text.push_str(a);
        for i in 0..3000 {
            text.push_str(&format!(
                "2016-07-08 {:02}:{:02}:00 {i} 10.0.0.{} a.com /p{i} - 200\n",
                i % 24,
                i % 60,
                i % 7
            ));
        }
        text.push_str("2016-07-08 bad-time 1 10.0.0.1 a.com /x - 200\n");
        text.push_str(b);
        for i in 0..3000 {
            text.push_str(&format!(
                "{:02}:{:02}:01 2016-07-08 {i} 10.0.0.{} b.com /q{i} - 404\n",
                i % 24,
                i % 60,
                i % 5
            ));
        }
        text.push_str("not enough fields\n");
        let log = dir.path().join("in.log");
        std::fs::write(&log, &text).unwrap();
        let day: Day = "20160708".parse().unwrap();
        let mut results = vec![];
        // One reader; then chunks cut before, inside and after the second header.
        for (min, workers) in [(u64::MAX, 1), (1000, 2), (1000, 3), (1000, 7)] {
            let mut loader = Loader::new(&conn, day).unwrap();
            loader.chunk_min = min;
            loader.workers = workers;
            let dest = dir.path().join(format!("out-{workers}"));
            let mut rejects = vec![];
            let st = loader
                .load(&log, &dest, &mut |r| {
                    rejects.push((r.line, r.reason));
                    Ok(())
                })
                .unwrap();
            results.push(((st.rows, st.other_date, st.rejected, st.bytes, st.sha256), rejects, rows_of(&conn, &dest)));
        }
        assert_eq!(results[0].0 .0, 6000);
        assert_eq!(results[0].1.iter().map(|r| r.0).collect::<Vec<_>>(), [3003, 6005]);
        for r in &results[1..] {
            assert_eq!(r, &results[0]);
        }
    }

    #[test]
    fn the_column_indexes_name_the_registry_columns() {
        let name = |i: usize| RAW_COLUMNS[i].0;
        assert_eq!(
            [name(DURATION), name(HOST), name(URIPATH), name(URIQUERY), name(SCBYTES), name(FULLURI)],
            ["duration", "host", "uripath", "uriquery", "scbytes", "fulluri"]
        );
        let ints: Vec<&str> = (0..RAW_COLUMNS.len()).filter(|&i| is_int_col(i)).map(name).collect();
        assert_eq!(ints, ["duration", "scbytes", "csbytes"]);
    }

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

    #[test]
    fn tsv_rows() {
        let mut f = vec!["x"; 28];
        f[0] = "2016-07-08";
        f[1] = "01:02:03";
        f[7] = "-";
        f[22] = "10";
        f[23] = "\\N";
        f[5] = "\"UA with space\"";
        f[27] = "a.com/x";
        let mut row = Row::new();
        parse_tsv(&f.join("\t"), &mut row).unwrap();
        assert_eq!(row.ints, [None, Some(10), None]);
        assert_eq!(row.text[5], "UA with space");
        assert_eq!(row.text[27], "a.com/x");
        row.check_time().unwrap();
        assert_eq!(row.hour, 1);
        let err = parse_tsv(&f[..20].join("\t"), &mut row).unwrap_err();
        assert!(err.starts_with("expected 28 fields"), "{err}");
    }
}
