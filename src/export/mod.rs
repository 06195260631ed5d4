//! Handing a day to Impala: portable bundles (`export`), their reproduction on another machine (`import`) and
//! the loader step (`load`: WebHDFS upload, then the DDL and `load.sql` through `impala-shell` or `beeline`).
//!
//! Every exported column is cast to its exact DDL type in DDL order (Impala reads Parquet by position), the data
//! files are written as Parquet version 1 with v1 pages and PLAIN/PLAIN_DICTIONARY encodings (DuckDB ≥ 1.4.3),
//! and each file is checked against Impala's rules before the bundle is written.

pub mod bundle;
pub mod check;
pub mod load;

use crate::analyst;
use crate::config::Config;
use crate::day::Day;
use crate::error::Error;
use crate::on_day;
use crate::schema::{self, Table, EXPORT_TABLES};
use crate::store;
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use bundle::{FileEntry, InputEntry, Manifest, TableEntry};
use duckdb::{params, Connection};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Parquet codec of the data files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Codec {
    /// Every Impala (the default).
    Snappy,
    /// Every Impala.
    Gzip,
    /// Impala 3.3 and newer.
    Zstd,
}

impl Codec {
    fn duckdb(self) -> &'static str {
        match self {
            Codec::Snappy => "SNAPPY",
            Codec::Gzip => "GZIP",
            Codec::Zstd => "ZSTD",
        }
    }
    fn name(self) -> &'static str {
        match self {
            Codec::Snappy => "snappy",
            Codec::Gzip => "gzip",
            Codec::Zstd => "zstd",
        }
    }
    fn min_impala(self) -> &'static str {
        match self {
            Codec::Zstd => "3.3",
            _ => "3.0",
        }
    }
}

/// What `export` is asked to do.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub day: Day,
    /// Folder of the bundle.
    pub out: PathBuf,
    /// Tables to carry; empty: all.
    pub tables: Vec<String>,
    pub codec: Codec,
    /// Carry the day's raw Parquet files too (`raw/...`), so that the other machine has the raw day.
    pub with_raw: bool,
}

/// What `export` did.
#[derive(Debug, Serialize)]
pub struct ExportSummary {
    pub bundle: PathBuf,
    pub bytes: u64,
    pub sha256: String,
    pub tables: Vec<(String, u64)>,
    /// What the user should know (an analyst file that could not be carried).
    pub notes: Vec<String>,
}

/// Bundle file name of a day.
pub fn bundle_name(day: Day) -> String {
    format!("proxy-oa-{}.tar.zst", day.compact())
}

/// `data/<table>/y=Y/m=M/d=D` (Impala's integer partitions, unpadded).
pub fn partition_dir(table: &str, day: Day) -> String {
    format!("data/{table}/{}", partition(day))
}

/// `y=Y/m=M/d=D`.
pub fn partition(day: Day) -> String {
    format!("y={}/m={}/d={}", day.y(), day.m(), day.d())
}

/// A table bundles carry, by name.
fn exported_table(name: &str) -> Option<Table> {
    EXPORT_TABLES.iter().copied().find(|t| t.name == name)
}

fn selected(names: &[String]) -> Result<Vec<Table>> {
    if names.is_empty() {
        return Ok(EXPORT_TABLES.to_vec());
    }
    let mut out = vec![];
    for n in names {
        for n in n.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let t = exported_table(n).ok_or_else(|| {
                let all: Vec<&str> = EXPORT_TABLES.iter().map(|t| t.name).collect();
                Error::Usage(format!("--tables {n}: not an exported table ({})", all.join(", ")))
            })?;
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    // Bundle order, whatever the order given.
    out.sort_by_key(|t| EXPORT_TABLES.iter().position(|x| x == t));
    Ok(out)
}

/// The day's midnight (UTC) in seconds: the fixed mtime of the bundle's entries.
fn day_epoch(day: Day) -> u64 {
    chrono::NaiveDate::from_ymd_opt(i32::from(day.y()), day.m() as u32, day.d() as u32)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp().max(0) as u64)
        .unwrap_or(0)
}

/// `load.sql`: add the day's partitions and refresh them (Impala dialect, Spot's variables).
pub fn load_sql(day: Day, tables: &[Table]) -> String {
    let (y, m, d) = (day.y(), day.m(), day.d());
    let mut s = format!(
        "-- proxy-oa bundle {}: register the day's partitions and refresh them (Impala dialect).\n\
         -- Variables: ${{var:dbname}} (database), ${{var:huser}} (Spot's HDFS home, e.g. /user/spot).\n\
         -- Run after schema/impala/*.sql, once the Parquet files are in their partition folders.\n",
        day.compact()
    );
    for t in tables {
        s.push_str(&format!(
            "ALTER TABLE ${{var:dbname}}.{n} ADD IF NOT EXISTS PARTITION (y={y}, m={m}, d={d}) \
             LOCATION '${{var:huser}}/proxy/hive/oa/{dir}/y={y}/m={m}/d={d}';\n\
             REFRESH ${{var:dbname}}.{n} PARTITION (y={y}, m={m}, d={d});\n",
            n = t.name,
            dir = t.exported().dir
        ));
    }
    s
}

/// Export one day of the store into a bundle.
pub fn export(ws: &Workspace, cfg: &Config, opts: &ExportOptions) -> Result<ExportSummary> {
    let day = opts.day;
    let tables = selected(&opts.tables)?;
    let conn = store::open(ws, &cfg.store)?;
    // One thread: the same day gives byte-identical Parquet files.
    conn.execute_batch("SET threads = 1")?;
    store::require_day(&conn, &ws.store_path(), day)?;
    let stage = tempfile::Builder::new().prefix("proxy-oa-export-").tempdir().context("creating a staging folder")?;
    let dir = stage.path();
    let mut files = vec![];
    let mut entries = vec![];
    let mut problems = vec![];
    for t in &tables {
        let (entry, data) = table_file(&conn, dir, t, day, opts.codec, &mut problems)?;
        entries.push(entry);
        files.extend(data);
        files.push(ddl_file(dir, t)?);
    }
    conn.execute_batch("DROP TABLE IF EXISTS temp.export_rows")?;
    if !problems.is_empty() {
        return Err(Error::Load(format!(
            "refusing to write a bundle Impala cannot read:\n  {}",
            problems.join("\n  ")
        ))
        .into());
    }
    // The analyst's files that go with the tables: the feedback file (from the store, as `score` writes it) and
    // the incident progression of each storyboard (as `storyboard` wrote it).
    let mut notes = vec![];
    let carries = |t: &str| tables.iter().any(|x| x.name == t);
    if carries(schema::PROXY_THREAT_INVESTIGATION.name) {
        let (text, rows, _) = analyst::feedback_text(&conn, day)?;
        if rows > 0 {
            files.push(put_file(dir, &format!("analyst/{}", analyst::FEEDBACK_FILE), &text, Some(rows))?);
        }
    }
    if carries(schema::PROXY_STORYBOARD.name) {
        files.extend(incident_files(&conn, ws, dir, day, &mut notes)?);
    }
    if opts.with_raw {
        files.extend(raw_files(ws, dir, day)?);
    }
    files.push(put_file(dir, "load.sql", &load_sql(day, &tables), None)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        bundle_format: bundle::BUNDLE_FORMAT,
        tool: "proxy-oa".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        date: day.compact(),
        compression: opts.codec.name().into(),
        min_impala: opts.codec.min_impala().into(),
        tables: entries,
        files,
        inputs: input_entries(&conn, day)?,
    };
    std::fs::create_dir_all(&opts.out).with_context(|| format!("creating {}", opts.out.display()))?;
    let out = opts.out.join(bundle_name(day));
    bundle::write(dir, &manifest, &out, day_epoch(day))?;
    let (bytes, sha256) = bundle::hash_file(&out)?;
    Ok(ExportSummary {
        bundle: out,
        bytes,
        sha256,
        tables: manifest.tables.iter().map(|t| (t.name.clone(), t.rows)).collect(),
        notes,
    })
}

/// Write `text` as the bundle file `rel` of the staging folder `dir`; its manifest entry.
fn put_file(dir: &Path, rel: &str, text: &str, rows: Option<u64>) -> Result<FileEntry> {
    bundle::put(dir, rel, text)?;
    file_entry(dir, rel, None, rows)
}

/// The manifest entry of the staged file `rel`.
fn file_entry(dir: &Path, rel: &str, table: Option<&str>, rows: Option<u64>) -> Result<FileEntry> {
    let (bytes, sha256) = bundle::hash_file(&dir.join(rel))?;
    Ok(FileEntry { path: rel.into(), table: table.map(Into::into), rows, bytes, sha256 })
}

/// The day's rows of `t` as one Parquet file in the staging folder (none when the day has no rows), checked
/// against Impala's rules (what breaks one goes into `problems`); the table's manifest entry and its file's.
fn table_file(
    conn: &Connection,
    dir: &Path,
    t: &Table,
    day: Day,
    codec: Codec,
    problems: &mut Vec<String>,
) -> Result<(TableEntry, Option<FileEntry>)> {
    let p = t.day_params(day);
    conn.execute_batch("DROP TABLE IF EXISTS temp.export_rows")?;
    // Column names and types come from the schema definition; the day is bound.
    let sql = format!(
        "CREATE TEMP TABLE export_rows AS SELECT {} FROM {} WHERE {} {}",
        t.cast_list(),
        t.name,
        on_day!(),
        t.order_by()
    );
    let rows = conn.execute(&sql, params![p[0], p[1], p[2]])? as u64;
    let entry = TableEntry {
        name: t.name.into(),
        location: t.exported().dir.into(),
        rows,
        columns: t.columns.iter().map(|(c, ty)| format!("{c} {}", ty.impala())).collect(),
    };
    if rows == 0 {
        return Ok((entry, None));
    }
    let rel = format!("{}/{}-{}.parquet", partition_dir(t.name, day), t.name, day.compact());
    let path = dir.join(&rel);
    std::fs::create_dir_all(path.parent().context("a folder")?)?;
    let copy = format!("COPY export_rows TO ? (FORMAT PARQUET, COMPRESSION {})", codec.duckdb());
    conn.execute(&copy, params![path.display().to_string()]).map_err(|e| Error::Load(format!("writing {rel}: {e}")))?;
    let rules = check::Rules { allow_zstd: codec == Codec::Zstd };
    for v in check::violations(conn, &path, t, Some(rows), rules)? {
        problems.push(format!("{rel}: {v}"));
    }
    Ok((entry, Some(file_entry(dir, &rel, Some(t.name), Some(rows))?)))
}

/// `schema/impala/<table>.sql`: Spot's DDL of `t`, naming proxy-oa's trailing columns.
fn ddl_file(dir: &Path, t: &Table) -> Result<FileEntry> {
    let extra = if t.columns.len() > t.exported().spot_columns {
        format!(
            ", plus proxy-oa's trailing column(s) {} (an older table reading by position ignores them)",
            t.columns[t.exported().spot_columns..].iter().map(|c| c.0).collect::<Vec<_>>().join(", ")
        )
    } else {
        String::new()
    };
    let ddl = format!("-- {}: Apache Spot's DDL{extra}.\n{}", t.name, t.impala_ddl());
    put_file(dir, &format!("schema/impala/{}.sql", t.name), &ddl, None)
}

/// The incident progression of each storyboard of the day, as `storyboard` wrote it; a missing one is a note.
fn incident_files(
    conn: &Connection,
    ws: &Workspace,
    dir: &Path,
    day: Day,
    notes: &mut Vec<String>,
) -> Result<Vec<FileEntry>> {
    let mut st = conn.prepare(concat!(
        "SELECT DISTINCT p_threat FROM proxy_storyboard WHERE ",
        on_day!(),
        " ORDER BY p_threat"
    ))?;
    let threats: Vec<String> =
        st.query_map(params![day.y(), day.m(), day.d()], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let mut files = vec![];
    for uri in threats {
        let src = analyst::incident_path(ws, day, &uri);
        let name = src.file_name().context("a file name")?.to_string_lossy().into_owned();
        let rel = format!("analyst/{name}");
        match std::fs::read(&src) {
            Ok(bytes) => {
                let p = dir.join(&rel);
                std::fs::create_dir_all(p.parent().context("a folder")?)?;
                std::fs::write(&p, bytes).with_context(|| format!("writing {}", p.display()))?;
                files.push(file_entry(dir, &rel, None, None)?);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => notes.push(format!(
                "{} is missing: the storyboard of {uri} travels without its incident progression (save the \
                 storyboard again to rebuild it)",
                src.display()
            )),
            Err(e) => return Err(e).with_context(|| format!("reading {}", src.display())),
        }
    }
    Ok(files)
}

/// `--with-raw`: the day's raw Parquet files under `raw/` (hard-linked where the file system allows).
fn raw_files(ws: &Workspace, dir: &Path, day: Day) -> Result<Vec<FileEntry>> {
    let raw_dir = ws.raw_dir(day);
    let raw = crate::workspace::parquet_files(&raw_dir)?;
    if raw.is_empty() {
        return Err(Error::Unavailable(format!(
            "--with-raw: no raw day in {} (run the day with its raw input first)",
            raw_dir.display()
        ))
        .into());
    }
    let mut files = vec![];
    for f in raw {
        let sub = f.strip_prefix(&raw_dir).context("a file under the raw folder")?.to_string_lossy().replace('\\', "/");
        let rel = format!("raw/{sub}");
        let p = dir.join(&rel);
        std::fs::create_dir_all(p.parent().context("a folder")?)?;
        if std::fs::hard_link(&f, &p).is_err() {
            std::fs::copy(&f, &p).with_context(|| format!("copying {}", f.display()))?;
        }
        files.push(file_entry(dir, &rel, None, None)?);
    }
    Ok(files)
}

/// What the day was made from (`proxy_oa_inputs`), for the manifest.
fn input_entries(conn: &Connection, day: Day) -> Result<Vec<InputEntry>> {
    let mut st = conn.prepare(concat!(
        "SELECT role, path, bytes, sha256 FROM proxy_oa_inputs WHERE ",
        on_day!(),
        " ORDER BY role, path"
    ))?;
    let inputs = st
        .query_map(params![day.y(), day.m(), day.d()], |r| {
            Ok(InputEntry { role: r.get(0)?, path: r.get(1)?, bytes: r.get::<_, i64>(2)? as u64, sha256: r.get(3)? })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(inputs)
}

/// A bundle unpacked into a temporary folder and checked from end to end: every file against the manifest,
/// every data file against Impala's rules and its row count, every partition folder against the date.
pub struct OpenBundle {
    pub dir: tempfile::TempDir,
    pub manifest: Manifest,
    pub day: Day,
}

/// Default bound on a bundle's decompressed size.
pub const MAX_BUNDLE_BYTES: u64 = 64 << 30;

/// Unpack and verify `path`; nothing outside a temporary folder is written.
pub fn open_bundle(path: &Path, max_bytes: u64) -> Result<OpenBundle> {
    let name = path.display().to_string();
    let bad = |m: String| anyhow::Error::new(Error::Data(format!("{name}: {m}")));
    let dir = tempfile::Builder::new().prefix("proxy-oa-bundle-").tempdir()?;
    let (manifest, unpacked) = bundle::unpack(path, dir.path(), max_bytes)?;
    bundle::verify(path, dir.path(), &manifest, &unpacked)?;
    let day: Day = manifest.date.parse().map_err(|e| bad(format!("manifest.json: date: {e}")))?;
    let conn = Connection::open_in_memory()?;
    let rules = check::Rules { allow_zstd: true };
    for t in &manifest.tables {
        let et = exported_table(&t.name)
            .ok_or_else(|| bad(format!("manifest.json: unknown table {} (a newer proxy-oa?)", t.name)))?;
        let want: Vec<String> = et.columns.iter().map(|(c, ty)| format!("{c} {}", ty.impala())).collect();
        if t.columns != want {
            return Err(bad(format!(
                "manifest.json: table {} has columns {:?}, expected {:?}",
                t.name, t.columns, want
            )));
        }
        let mut sum = 0;
        for f in manifest.files.iter().filter(|f| f.table.as_deref() == Some(t.name.as_str())) {
            let expected_dir = format!("{}/", partition_dir(&t.name, day));
            if !f.path.starts_with(&expected_dir) || f.path[expected_dir.len()..].contains('/') {
                return Err(bad(format!(
                    "{}: not in the partition folder {expected_dir} of {}",
                    f.path, manifest.date
                )));
            }
            let rows = f.rows.ok_or_else(|| bad(format!("manifest.json: {} has no row count", f.path)))?;
            let v = check::violations(&conn, &dir.path().join(&f.path), &et, Some(rows), rules)?;
            if !v.is_empty() {
                return Err(bad(format!("{}: {}", f.path, v.join("; "))));
            }
            sum += rows;
        }
        if sum != t.rows {
            return Err(bad(format!("manifest.json: table {} says {} rows, its files hold {sum}", t.name, t.rows)));
        }
    }
    for f in &manifest.files {
        if let Some(t) = &f.table {
            if !manifest.tables.iter().any(|x| &x.name == t) {
                return Err(bad(format!("{}: table {t} is not in manifest.json's tables", f.path)));
            }
        }
    }
    Ok(OpenBundle { dir, manifest, day })
}

/// What `import` did.
#[derive(Debug, Serialize)]
pub struct ImportSummary {
    pub date: String,
    pub tables: Vec<(String, u64)>,
    /// The analyst files written into the day's data folder.
    pub files: Vec<PathBuf>,
}

/// Load a bundle's day into the workspace store, replacing that day of each table it carries, in one transaction.
pub fn import(ws: &Workspace, cfg: &Config, path: &Path, max_bytes: u64) -> Result<ImportSummary> {
    let b = open_bundle(path, max_bytes)?;
    let day = b.day;
    let mut conn = store::open(ws, &cfg.store)?;
    // The day's analyst files of the tables the bundle carries are replaced by the bundle's; the old ones go
    // aside now and come back if the transaction fails.
    let carries = |t: &str| b.manifest.tables.iter().any(|x| x.name == t);
    let (feedback, incidents) =
        (carries(schema::PROXY_THREAT_INVESTIGATION.name), carries(schema::PROXY_STORYBOARD.name));
    let aside = analyst::FilesAside::stage_some(ws, day, feedback, incidents)?;
    let tx = conn.transaction()?;
    let (y, m, d) = (day.y(), day.m(), day.d());
    let mut out = vec![];
    for t in &b.manifest.tables {
        let et = exported_table(&t.name)
            .ok_or_else(|| Error::Data(format!("{}: no exported table {}", path.display(), t.name)))?;
        tx.execute(&format!(concat!("DELETE FROM {} WHERE ", on_day!()), et.name), params![y, m, d])?;
        let cols: Vec<String> = et.columns.iter().map(|c| schema::quoted(c.0)).collect();
        let list = cols.join(", ");
        for f in b.manifest.files.iter().filter(|f| f.table.as_deref() == Some(et.name)) {
            let p = b.dir.path().join(&f.path);
            // Table and column names come from the schema definition; the file and the day are bound.
            let sql = format!("INSERT INTO {} ({list}, y, m, d) SELECT {list}, ?, ?, ? FROM read_parquet(?)", et.name);
            tx.execute(&sql, params![y, m, d, p.display().to_string()])
                .map_err(|e| Error::Load(format!("{}: {}: {e}", path.display(), f.path)))?;
        }
        out.push((t.name.clone(), store::count(&tx, et, day)? as u64));
    }
    tx.execute(concat!("DELETE FROM proxy_oa_inputs WHERE ", on_day!()), params![y, m, d])?;
    for i in &b.manifest.inputs {
        tx.execute(
            "INSERT INTO proxy_oa_inputs (role, path, bytes, sha256, y, m, d) VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![i.role, i.path, i.bytes as i64, i.sha256, y, m, d],
        )?;
    }
    // The raw day, when the bundle carries it (`export --with-raw`), replaces the day's raw folder at the commit.
    let mut raw = crate::workspace::RawSwap::new(ws, day)?;
    let raw_files: Vec<&bundle::FileEntry> = b.manifest.files.iter().filter(|f| f.path.starts_with("raw/")).collect();
    for f in &raw_files {
        let dest = raw.dir().join(f.path.trim_start_matches("raw/"));
        std::fs::create_dir_all(dest.parent().with_context(|| format!("{}: not a file path", f.path))?)?;
        std::fs::copy(b.dir.path().join(&f.path), &dest).with_context(|| format!("writing {}", dest.display()))?;
    }
    if !raw_files.is_empty() {
        raw.swap()?;
    }
    tx.commit().map_err(|e| Error::Load(format!("committing the import of {}: {e}", path.display())))?;
    raw.finish();
    aside.discard();
    ws.prepare_day(day)?;
    let mut files = vec![];
    for f in b.manifest.files.iter().filter(|f| f.path.starts_with("analyst/")) {
        let name = f.path.trim_start_matches("analyst/");
        let wanted = if name == analyst::FEEDBACK_FILE { feedback } else { incidents };
        if wanted {
            let dest = ws.data_dir(day).join(name);
            std::fs::copy(b.dir.path().join(&f.path), &dest).with_context(|| format!("writing {}", dest.display()))?;
            files.push(dest);
        }
    }
    Ok(ImportSummary { date: day.compact(), tables: out, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_unpadded_integers() {
        let day: Day = "20160708".parse().unwrap();
        assert_eq!(partition_dir("proxy_edge", day), "data/proxy_edge/y=2016/m=7/d=8");
        let sql = load_sql(day, &[schema::PROXY_SCORES]);
        assert!(sql.contains(
            "ALTER TABLE ${var:dbname}.proxy_scores ADD IF NOT EXISTS PARTITION (y=2016, m=7, d=8) \
             LOCATION '${var:huser}/proxy/hive/oa/suspicious/y=2016/m=7/d=8';\n\
             REFRESH ${var:dbname}.proxy_scores PARTITION (y=2016, m=7, d=8);\n"
        ));
        assert_eq!(day_epoch(day), 1_467_936_000);
    }

    #[test]
    fn table_selection() {
        let t = selected(&["proxy_ingest_summary,proxy_scores".into()]).unwrap();
        assert_eq!(t.iter().map(|t| t.name).collect::<Vec<_>>(), ["proxy_scores", "proxy_ingest_summary"]);
        assert!(selected(&["proxy".into()]).is_err());
    }
}
