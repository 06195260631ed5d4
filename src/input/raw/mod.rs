//! Readers of the raw day of proxy traffic, writing it as Parquet in the day's folder (Spot's `proxy` layout).
//!
//! Spot's Parquet files (`PAR1` magic) are placed as they are (`parquet`). Text logs, plain or gzip, are told
//! apart by their first non-blank line: each form is one unit of this folder behind `TextForm`, tried in the
//! order of `FORMS`: Zeek's `http.log` as TSV or JSON lines (`zeek`), 28-column TSV (`tsv`), Blue Coat
//! ProxySG W3C ELFF (`elff`), Squid's native `access.log` and its `combined` / `common` logs (`squid`). Every
//! text form follows the same value rules ([`crate::text::raw_text`]): one pair of double quotes removed, `-`
//! means empty, missing text is the empty string, missing integers are NULL, and `fulluri = host + path (if longer
//! than 1) + query (if longer than 1)` where the form has no fulluri; the `proxy` view applies them to Spot's
//! Parquet. The shared parts: `row` (the row and its rules), `loader` (chunks of a file parsed on every core,
//! rows written as Parquet under hour folders).
//!
//! **Adding a form** is one new file here with a unit struct implementing `TextForm` (its name in summaries,
//! how its first line looks, a parser of its lines into a `row::Row`) and one line in `FORMS`, where it is
//! tried in order (put a form whose first line is more specific before a looser one).
//!
//! Contract ([`load_day`]): the rows of the day go to a new Parquet folder the caller swaps in; rows of other days
//! are counted and left out; lines that cannot be parsed go to the reject sink with file, line and reason. Text
//! is parsed in chunks of bounded memory; nothing holds the day in memory.

use crate::day::Day;
use crate::error::Error;
use crate::quarantine::Quarantine;
use crate::schema;
use crate::stage::{Meter, Stage};
use anyhow::{Context, Result};
use duckdb::Connection;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

mod elff;
mod loader;
mod parquet;
pub(crate) mod row;
mod squid;
mod tsv;
mod zeek;

pub use elff::elff_column;
pub use loader::Loader;
pub use row::RAW_COLUMNS;

/// The text forms, in the order they are tried on a file's first non-blank line.
pub(crate) static FORMS: &[&dyn TextForm] =
    &[&zeek::ZeekTsv, &zeek::ZeekJson, &tsv::Tsv, &elff::Elff, &squid::SquidNative, &squid::SquidCombined];

/// One text form of the raw day (see the module doc for how to add one).
pub(crate) trait TextForm: Sync {
    /// Its name in summaries.
    fn name(&self) -> &'static str;
    /// Whether a file whose first non-blank line is `first` is of this form.
    fn detect(&self, first: &str) -> bool;
    /// Whether its files carry header lines (lines that start with `#`) that change how the lines after them read:
    /// a chunk of such a file is parsed after the header lines before it.
    fn has_headers(&self) -> bool {
        false
    }
    /// Ready to read one file (what it needs of the file as a whole, once).
    fn open(&self, file: &FileCtx) -> Result<Box<dyn FileReader>>;
}

/// One file of a text form, opened.
pub(crate) trait FileReader: Sync {
    /// A parser for one chunk of the file (each parser thread has its own).
    fn parser(&self) -> Box<dyn LineParser + '_>;
    /// What the user should know about the file once it is read (besides its rejected lines).
    fn warnings(&self) -> Vec<String> {
        vec![]
    }
}

/// Lines into rows.
pub(crate) trait LineParser {
    /// A line that starts with `#`, taken in as a header (`Ok(true)`), or a row to parse (`Ok(false)`); an error
    /// rejects the line with the reason.
    fn header(&mut self, _line: &str) -> Result<bool, String> {
        Ok(false)
    }
    /// One line into `row` (cleared first), or the reason it does not fit, naming the field.
    fn parse(&mut self, line: &str, row: &mut row::Row) -> Result<(), String>;
}

/// What a form may need to know of a file and of the site's settings.
pub(crate) struct FileCtx<'a> {
    pub path: &'a Path,
    pub gzip: bool,
    /// `[raw] zone`: the zone epoch times are shown in; `None`: UTC.
    pub zone: Option<chrono_tz::Tz>,
    /// `[raw] fields`: the ELFF fields of logs written without a `#Fields:` line.
    pub fields: &'a str,
    /// What a form keeps per folder while a day is read (Zeek: the folder's connection durations), by form and
    /// folder.
    pub folders: &'a std::sync::Mutex<FolderCache>,
}

/// Per-folder values a form computes once per day's read.
pub(crate) type FolderCache =
    std::collections::HashMap<(&'static str, PathBuf), std::sync::Arc<dyn std::any::Any + Send + Sync>>;

/// What a file is.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Parquet,
    Text(&'static dyn TextForm),
}

/// A form of raw input, by its name in summaries (`parquet`, or a text form's `TextForm::name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format(&'static str);

impl Format {
    /// Spot's raw table as Parquet files.
    pub const PARQUET: Format = Format("parquet");

    /// Short name for summaries.
    pub fn name(&self) -> &'static str {
        self.0
    }
}

impl serde::Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
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
    /// What the reader of its form wants the user to know (the summary's warnings).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A raw line that could not be parsed.
#[derive(Debug, Clone)]
pub struct RawReject {
    pub file: PathBuf,
    pub line: u64,
    pub reason: String,
    pub text: Vec<u8>,
}

/// Expand sources (files, folders, globs) into a sorted list of files, and the files of Zeek log folders left
/// alone. Folders are walked recursively; hidden files (`.x`, `_x`, as Hadoop and Impala treat them) are skipped;
/// in a folder that holds Zeek http logs (`http.log`, `http.<rotation>.log.gz`, ...) only those are taken: its
/// `conn.*` logs give their rows' durations, its other logs are left alone and listed. A source that matches nothing
/// is an error.
pub fn expand(sources: &[String]) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut out = vec![];
    let mut left = vec![];
    for src in sources {
        let mut found = vec![];
        if src.contains(['*', '?', '[']) {
            let paths = glob::glob(src).map_err(|e| Error::Usage(format!("--raw {src}: bad glob: {e}")))?;
            for p in paths {
                let p = p.with_context(|| format!("--raw {src}"))?;
                collect(&p, &mut found, &mut left)?;
            }
        } else {
            let p = PathBuf::from(src);
            if !p.exists() {
                return Err(Error::Unavailable(format!("raw input {src}: no such file or folder")).into());
            }
            collect(&p, &mut found, &mut left)?;
        }
        if found.is_empty() {
            return Err(Error::Unavailable(format!("raw input {src}: no files found")).into());
        }
        out.extend(found);
    }
    out.sort();
    out.dedup();
    left.sort();
    left.dedup();
    Ok((out, left))
}

/// The files of `p` (a file, or a folder walked to any depth with hidden names skipped). In a folder that holds Zeek
/// http logs only those are taken; its other logs but the `conn.*` ones go to `left`.
fn collect(p: &Path, out: &mut Vec<PathBuf>, left: &mut Vec<PathBuf>) -> Result<()> {
    let files = crate::workspace::files_under(p)?;
    let name_of = |e: &walkdir::DirEntry| e.file_name().to_string_lossy().into_owned();
    let zeek: std::collections::BTreeSet<PathBuf> = files
        .iter()
        .filter(|e| zeek::is_http_log(&name_of(e)))
        .filter_map(|e| e.path().parent().map(Path::to_path_buf))
        .collect();
    for e in files {
        let name = name_of(&e);
        let in_zeek_folder = e.path().parent().is_some_and(|d| zeek.contains(d));
        if in_zeek_folder && !zeek::is_http_log(&name) {
            if !zeek::is_conn_log(&name) {
                left.push(e.into_path());
            }
            continue;
        }
        out.push(e.into_path());
    }
    Ok(())
}

/// Tell the form of a file from its first bytes: Parquet magic, gzip magic, then the first non-blank line.
pub(crate) fn detect(path: &Path) -> Result<(Kind, bool)> {
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut head = [0u8; 4];
    let n = read_up_to(&mut f, &mut head)?;
    if n == 4 && &head == b"PAR1" {
        return Ok((Kind::Parquet, false));
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
            return Ok((Kind::Text(&tsv::Tsv), gzip));
        }
        let s = String::from_utf8_lossy(&line);
        let s = s.trim_end_matches(['\r', '\n']);
        if s.trim().is_empty() {
            continue;
        }
        if let Some(form) = FORMS.iter().find(|f| f.detect(s)) {
            return Ok((Kind::Text(*form), gzip));
        }
        let seen: String = s.chars().take(80).collect();
        let names: Vec<&str> = FORMS.iter().map(|f| f.name()).collect();
        return Err(Error::Data(format!(
            "{}: cannot tell the raw format ({} tried): the first line is not an ELFF header (#Fields:), not a \
             28-column TSV row, does not start with a YYYY-MM-DD date, is not a Squid access.log line (native, \
             combined or common) and not a Zeek http.log (a #separator header, or a JSON object with id.orig_h); it \
             starts {seen:?}",
            path.display(),
            names.join(", ")
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
    loader.hash_parquet_ahead(files);
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
        for w in &fs.warnings {
            if !stage.warnings.contains(w) {
                stage.warnings.push(w.clone());
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_has_its_own_name_and_the_first_that_says_yes_reads_the_file() {
        let mut names: Vec<&str> = FORMS.iter().map(|f| f.name()).collect();
        names.push(Format::PARQUET.name());
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "{names:?}");
        let form = |line: &str| FORMS.iter().find(|f| f.detect(line)).map(|f| f.name());
        assert_eq!(form("#separator \\x09"), Some("zeek-tsv"));
        assert_eq!(form("{\"ts\":1.5,\"uid\":\"C\",\"id.orig_h\":\"10.0.0.1\"}"), Some("zeek-json"));
        assert_eq!(form("#Fields: date time"), Some("bluecoat-elff"));
        assert_eq!(form("2016-07-08 01:02:03 1 10.0.0.1"), Some("bluecoat-elff"));
        assert_eq!(form(&["2016-07-08"; 28].join("\t")), Some("tsv"));
        assert_eq!(form("hello"), None);
        // A first line cut inside a character is no panic.
        assert_eq!(form("2016-07-0é"), None);
    }
}
