//! The shared part of reading a text log: one file cut at line ends into one chunk per core, each parsed by its
//! form's parser on a thread of its own into one Arrow batch per hour, which an in-memory DuckDB of the thread's own
//! writes as Parquet under hour folders (`h=HH/proxy-oa-<file>-<chunk>-<n>.parquet`) every 500,000 rows, in the
//! file's order; the sha256 computed alongside.

use super::row::{is_int_col, Row, RAW_COLUMNS};
use super::RAW_REJECTS_KEPT;
use super::{detect, parquet, FileCtx, FileReader, FileStats, FolderCache, Format, Kind, RawReject, TextForm};
use crate::day::Day;
use crate::digest::{file_sha256, Hashing};
use crate::error::Error;
use crate::schema;
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

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
    /// `[raw] zone`: the time zone epoch times are shown in (Squid, Zeek); `None`: UTC.
    pub zone: Option<chrono_tz::Tz>,
    /// What the forms keep per folder while the day is read.
    folders: std::sync::Mutex<FolderCache>,
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
            folders: Default::default(),
        })
    }

    /// Hash the Parquet files among `files` on the loader's threads, into the process's remembered hashes
    /// ([`crate::digest::file_sha256_remembered`]) that placing each file reads: Spot's files are otherwise placed
    /// one after another, and hashing was two thirds of reading the 10 M-row day's 24 files in (0.17 of 0.26 s).
    /// A file that cannot be read is left to [`Loader::load`], which names it.
    pub fn hash_parquet_ahead(&self, files: &[std::path::PathBuf]) {
        let parquet: Vec<&std::path::PathBuf> =
            files.iter().filter(|f| matches!(detect(f), Ok((Kind::Parquet, _)))).collect();
        if parquet.len() < 2 {
            return;
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..self.workers.min(parquet.len()) {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(f) = parquet.get(i) else { break };
                    let _ = crate::digest::file_sha256_remembered(f);
                });
            }
        });
    }

    /// Read one file into the day's folder `dest`; rejected lines go to `reject`.
    pub fn load(&self, path: &Path, dest: &Path, reject: &mut dyn FnMut(RawReject) -> Result<()>) -> Result<FileStats> {
        match detect(path)? {
            (Kind::Parquet, _) => parquet::place(self.conn, &self.iso, path, dest),
            (Kind::Text(form), gzip) => self.load_text(path, dest, form, gzip, reject),
        }
    }

    /// Parse a text log straight into the day's Parquet folder `dest`. A plain file is cut at line ends into one
    /// chunk per core, parsed in parallel (each chunk after the header lines before it, found by a scan for header
    /// lines first, for the forms that have them), with the sha256 computed alongside; a gzip file is one chunk.
    /// Each worker keeps its rows in one Arrow batch per hour and writes them as
    /// `proxy-oa-<file>-<chunk>-<n>.parquet` under hour folders, in the file's order.
    fn load_text(
        &self,
        path: &Path,
        dest: &Path,
        form: &dyn TextForm,
        gzip: bool,
        reject: &mut dyn FnMut(RawReject) -> Result<()>,
    ) -> Result<FileStats> {
        let len = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
        let bar = file_bar(path, len);
        let ctx = FileCtx { path, gzip, zone: self.zone, fields: &self.fields, folders: &self.folders };
        let reader = form.open(&ctx)?;
        let chunks = if gzip {
            vec![Chunk { start: 0, end: len, headers: vec![] }]
        } else {
            chunks(path, len, form.has_headers(), self.chunk_min, self.workers)?
        };
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
            format: Format(form.name()),
            gzip,
            bytes: 0,
            sha256: String::new(),
            rows: 0,
            other_date: 0,
            rejected: 0,
            warnings: vec![],
        };
        let outcomes = std::thread::scope(|scope| {
            let hasher = (!gzip).then(|| scope.spawn(|| file_sha256(path)));
            let workers: Vec<_> = chunks
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    let w = Worker {
                        path,
                        gzip,
                        dest,
                        iso: self.iso.as_str(),
                        reader: reader.as_ref(),
                        bar: bar.clone(),
                        prefix: format!("{}{file_no}-{k}-", schema::OUR_RAW_PREFIX),
                        memory: share,
                        temp: temp.clone(),
                    };
                    scope.spawn(move || w.run(c))
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
        stats.warnings = reader.warnings();
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

/// A progress bar of reading `path` on stderr when it is a terminal (indicatif hides it otherwise).
fn file_bar(path: &Path, len: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(Some(len), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    bar.set_message(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    bar
}

/// One parser thread of a text file: its chunk parsed, the rows written as Parquet under `dest`'s hour folders.
struct Worker<'a> {
    path: &'a Path,
    gzip: bool,
    dest: &'a Path,
    iso: &'a str,
    reader: &'a dyn FileReader,
    bar: indicatif::ProgressBar,
    /// The start of the worker's file names.
    prefix: String,
    /// Its DuckDB's memory ceiling in bytes, and where it spills.
    memory: u64,
    temp: String,
}

impl Worker<'_> {
    fn run(self, c: &Chunk) -> Result<ChunkOutcome> {
        let conn = worker_db(self.memory, &self.temp)?;
        // One Arrow batch per hour of the day; every FLUSH_ROWS rows each goes to its hour folder as one Parquet
        // file, read by DuckDB straight from the Arrow arrays (no staging table, no scan per hour), so the
        // worker's memory stays bounded.
        let mut hours: Vec<Batch> = (0..24).map(|_| Batch::new()).collect();
        let mut pending = 0usize;
        let mut part = 0usize;
        // Column names come from the registry; the batch and the file are bound.
        let sql = format!(
            "COPY (SELECT {} FROM arrow(?)) TO ? (FORMAT PARQUET, COMPRESSION SNAPPY)",
            schema::PROXY.column_list()
        );
        let flush = |hours: &mut [Batch], part: usize| -> Result<()> {
            for (h, batch) in hours.iter_mut().enumerate().filter(|(_, b)| b.len > 0) {
                let dir = self.dest.join(format!("h={}", HOURS[h]));
                std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
                let file = dir.join(format!("{}{part}.parquet", self.prefix));
                let rows = duckdb::vtab::ArrowBatchRegistration::new(batch.finish()?);
                conn.execute(&sql, params![&rows, file.display().to_string()])
                    .map_err(|e| Error::Load(format!("writing the raw day to {}: {e}", file.display())))?;
            }
            Ok(())
        };
        let out = parse_chunk(self.path, self.gzip, c, (self.iso, self.reader), &self.bar, |row| {
            hours[usize::from(row.hour.min(23))].push(row);
            pending += 1;
            if pending == FLUSH_ROWS {
                flush(&mut hours, part)?;
                part += 1;
                pending = 0;
            }
            Ok(())
        })?;
        if pending > 0 {
            flush(&mut hours, part)?;
        }
        Ok(out)
    }
}

/// Rows a parser thread stages before it writes them out as Parquet.
const FLUSH_ROWS: usize = 500_000;

/// An in-memory DuckDB for one parser thread: one worker thread, `memory` bytes, spilling to `temp`, with the
/// `arrow` table function that reads a registered Arrow batch.
fn worker_db(memory: u64, temp: &str) -> Result<Connection> {
    let mut cfg = duckdb::Config::default().max_memory(&format!("{}MiB", memory >> 20))?.threads(1)?;
    if !temp.is_empty() {
        cfg = cfg.with("temp_directory", temp)?;
    }
    let conn = Connection::open_in_memory_with_flags(cfg)?;
    conn.register_table_function::<duckdb::vtab::arrow::ArrowVTab>("arrow")?;
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

/// Arrow builders for the raw columns (the registry's order and types): a worker's rows of one hour, handed to
/// DuckDB a batch at a time.
struct Batch {
    text: Vec<Option<duckdb::arrow::array::StringBuilder>>,
    ints: Vec<Option<duckdb::arrow::array::Int32Builder>>,
    len: usize,
}

impl Batch {
    fn new() -> Batch {
        use duckdb::arrow::array::{Int32Builder, StringBuilder};
        let text = (0..RAW_COLUMNS.len()).map(|i| (!is_int_col(i)).then(StringBuilder::new)).collect();
        let ints = (0..RAW_COLUMNS.len()).map(|i| is_int_col(i).then(Int32Builder::new)).collect();
        Batch { text, ints, len: 0 }
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
        self.len += 1;
    }

    /// The rows so far as one batch in the registry's column order; the builders start again.
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
        self.len = 0;
        Ok(duckdb::arrow::record_batch::RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
    }
}

/// The hours as partition values.
const HOURS: [&str; 24] = [
    "00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18",
    "19", "20", "21", "22", "23",
];

/// A byte range of a plain text log (at line boundaries) and the header lines before it (its form's, in the
/// file's order: a parser takes them in before the chunk's first line).
struct Chunk {
    start: u64,
    end: u64,
    headers: Vec<String>,
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

/// Cut a plain file into one chunk per core at line ends, each with the header lines before it when the form has
/// them (a scan for lines that start with `#`).
fn chunks(path: &Path, len: u64, with_headers: bool, min: u64, workers: usize) -> Result<Vec<Chunk>> {
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
        if b < len && bounds.last().is_some_and(|&last| b > last) {
            bounds.push(b);
        }
    }
    bounds.push(len);
    // Where the header lines are, for the forms that have them.
    let mut headers: Vec<(u64, String)> = vec![];
    if with_headers {
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
                    headers.push((start, text.trim_end_matches(['\r', '\n']).to_string()));
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
            headers: headers.iter().filter(|(at, _)| *at < w[0]).map(|(_, l)| l.clone()).collect(),
        })
        .collect())
}

/// Parse one chunk of the day `iso` with a parser of `reader`; the day's rows go to `sink`.
fn parse_chunk(
    path: &Path,
    gzip: bool,
    chunk: &Chunk,
    (iso, reader): (&str, &dyn FileReader),
    bar: &indicatif::ProgressBar,
    mut sink: impl FnMut(&Row) -> Result<()>,
) -> Result<ChunkOutcome> {
    let mut file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(chunk.start))?;
    // A gzip file is one chunk, hashed as it is read; a plain file is hashed by a thread of its own.
    let mut hashing = Hashing::hashing_if(bar.wrap_read(file.take(chunk.end - chunk.start)), gzip);
    let mut out = ChunkOutcome { lines: 0, rows: 0, other_date: 0, rejected: 0, rejects: vec![], hashed: None };
    {
        let inner: Box<dyn Read + '_> =
            if gzip { Box::new(flate2::read::MultiGzDecoder::new(&mut hashing)) } else { Box::new(&mut hashing) };
        let mut reader_buf = BufReader::with_capacity(1 << 16, inner);
        let mut parser = reader.parser();
        for h in &chunk.headers {
            // A header line before the chunk was read (and judged) by the chunk that holds it.
            let _ = parser.header(h);
        }
        let mut row = Row::new();
        let mut buf = Vec::with_capacity(1024);
        loop {
            buf.clear();
            let n = reader_buf
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
                Ok(line) if line.starts_with('#') => match parser.header(line) {
                    Ok(true) => continue,
                    Ok(false) => parser.parse(line, &mut row),
                    Err(e) => Err(e),
                },
                Ok(line) => parser.parse(line, &mut row),
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
}
