//! The workspace store: one DuckDB file (`proxy-oa.duckdb`) holding the raw day and the OA tables.
//!
//! Opening applies the schema registry's DDL ([`crate::schema::ddl`], idempotent) and the memory ceiling and spill folder from the config, so a
//! large day spills instead of exhausting memory. Every query that leaves the store ends in ORDER BY.

use crate::config;
use crate::day::Day;
use crate::on_day;
use crate::schema::{self, Table};
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use duckdb::types::Value;
use duckdb::{params, Connection};
use std::path::{Path, PathBuf};

/// Open the workspace's store with the `[store]` settings: its raw days visible through the `proxy` view, a store
/// of the layout before 0.2 (raw rows in a `proxy` table) migrated first, the schema applied where it is not.
pub fn open(ws: &Workspace, cfg: &config::Store) -> Result<Connection> {
    let path = ws.store_path();
    let path = path.as_path();
    let tmp = ws.tmp_path();
    let temp = if cfg.temp_directory.is_empty() { tmp.to_path_buf() } else { cfg.temp_directory.clone().into() };
    let mut dc = duckdb::Config::default()
        .max_memory(&cfg.memory_limit)
        .with_context(|| format!("[store] memory_limit '{}'", cfg.memory_limit))?
        .with("temp_directory", temp.display().to_string())?
        .enable_autoload_extension(false)?;
    if cfg.threads > 0 {
        dc = dc.threads(i64::from(cfg.threads))?;
    }
    let conn = Connection::open_with_flags(path, dc).map_err(|e| {
        let msg = e.to_string();
        if crate::error::is_lock_conflict(&msg) {
            // DuckDB's message names the process that holds the store.
            anyhow::Error::new(crate::error::Error::Unavailable(format!(
                "the store {} is in use by another proxy-oa or DuckDB process; try again when it has finished ({msg})",
                path.display()
            )))
        } else {
            anyhow::Error::new(e).context(format!("opening store {}", path.display()))
        }
    })?;
    write_no_rows_parquet(&conn, ws)?;
    point_all_raw(&conn, ws)?;
    migrate_raw_table(&conn, ws)
        .with_context(|| format!("moving the raw days of {} out to Parquet", path.display()))?;
    apply_schema(&conn).with_context(|| format!("creating tables in {}", path.display()))?;
    Ok(conn)
}

/// A store in a new temporary workspace (for tests and benchmarks): the connection and the folder, which goes
/// when dropped.
pub fn scratch() -> Result<(Connection, Workspace, tempfile::TempDir)> {
    let dir = tempfile::Builder::new().prefix("proxy-oa-scratch-").tempdir()?;
    let ws = Workspace::new(dir.path())?;
    let conn = open(&ws, &config::Store::default())?;
    Ok((conn, ws, dir))
}

/// Point the `proxy` view at `files` (Parquet files of raw days in the workspace: one day's where a command works
/// on one day, the new day's during a run), and mark the columns whose value rules are the identity on all of them
/// ([`schema::TIDY_VAR`]): every column of a file proxy-oa wrote; a text column of one of Spot's files whose footer
/// says, for every row group, that it holds no NULL and that its smallest value sorts after `-` (so no value is
/// `-` or starts with a quote). A file with no row group holds no value to rule.
pub fn point_raw(conn: &Connection, ws: &Workspace, files: &[PathBuf]) -> Result<()> {
    set_raw_files(conn, ws, files)?;
    let names: Vec<&str> = schema::PROXY.columns.iter().map(|(c, _)| *c).collect();
    let text: Vec<&str> =
        schema::PROXY.columns.iter().filter(|(_, t)| *t == schema::Type::Str).map(|(c, _)| *c).collect();
    let all = (1i64 << names.len()) - 1;
    conn.execute(
        &format!(
            "SET VARIABLE {tidy} = (
               SELECT CAST(bit_and(CASE WHEN starts_with(parse_filename(f.file), ?) OR t.file_name IS NULL THEN ?
                                        ELSE t.bits END) AS BIGINT)
               FROM (SELECT unnest(getvariable('{raw}')) AS file) AS f
               LEFT JOIN (
                 SELECT file_name,
                        CAST(coalesce(sum(CAST(1 AS BIGINT) << (list_position(string_split(?, ','), path_in_schema) - 1))
                                        FILTER (WHERE ok AND list_contains(string_split(?, ','), path_in_schema)),
                                      0) AS BIGINT) AS bits
                 FROM (SELECT file_name, path_in_schema,
                              bool_and(coalesce(stats_null_count = 0 AND stats_min_value > '-', false)) AS ok
                       FROM parquet_metadata(getvariable('{raw}'))
                       GROUP BY file_name, path_in_schema) AS c
                 GROUP BY file_name) AS t ON t.file_name = f.file)",
            tidy = schema::TIDY_VAR,
            raw = schema::RAW_FILES_VAR
        ),
        params![schema::OUR_RAW_PREFIX, all, names.join(","), text.join(",")],
    )
    .context("reading the raw files' footers")?;
    Ok(())
}

/// Point the `proxy` view at every raw day of the workspace (at open), reading no footer: no column is marked
/// as untouched by the value rules until a command points the view at the days it works on.
fn point_all_raw(conn: &Connection, ws: &Workspace) -> Result<()> {
    set_raw_files(conn, ws, &ws.all_raw_files()?)?;
    conn.execute_batch(&format!("SET VARIABLE {} = NULL", schema::TIDY_VAR))?;
    Ok(())
}

/// The variable [`schema::RAW_FILES_VAR`]: `files` and the workspace's file with no row.
fn set_raw_files(conn: &Connection, ws: &Workspace, files: &[PathBuf]) -> Result<()> {
    let mut list = Vec::with_capacity(files.len() + 1);
    for f in files.iter().map(|f| f.as_path()).chain([ws.no_rows_parquet().as_path()]) {
        let abs = std::path::absolute(f).with_context(|| format!("resolving {}", f.display()))?;
        let s = abs.to_str().with_context(|| format!("{}: not a UTF-8 path", abs.display()))?.to_string();
        if s.contains('\n') {
            return Err(crate::error::Error::Usage(format!("{s:?}: a path with a line break")).into());
        }
        list.push(s);
    }
    // The list travels as one bound text, split by DuckDB.
    conn.execute(
        &format!("SET VARIABLE {} = string_split(?, chr(10))", schema::RAW_FILES_VAR),
        params![list.join("\n")],
    )?;
    Ok(())
}

/// Point the `proxy` view at one day's raw files.
pub fn point_raw_at_day(conn: &Connection, ws: &Workspace, day: Day) -> Result<()> {
    point_raw(conn, ws, &crate::workspace::parquet_files(&ws.raw_dir(day))?)
}

/// The Parquet file with the raw columns and no row that the `proxy` view always reads (so that it has a file in
/// a workspace without raw days), written once.
fn write_no_rows_parquet(conn: &Connection, ws: &Workspace) -> Result<()> {
    let p = ws.no_rows_parquet();
    if p.is_file() {
        return Ok(());
    }
    let dir = p.parent().with_context(|| format!("{}: not a file path", p.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let cols: Vec<String> = schema::PROXY
        .columns
        .iter()
        .map(|(c, t)| format!("CAST(NULL AS {}) AS {}", t.duckdb(), schema::quoted(c)))
        .collect();
    let tmp = dir.join(format!(".proxy-oa-no-rows-{}.parquet", std::process::id()));
    // Column names and types come from the registry; the file is bound.
    conn.execute(
        &format!("COPY (SELECT {} WHERE false) TO ? (FORMAT PARQUET)", cols.join(", ")),
        params![tmp.display().to_string()],
    )?;
    std::fs::rename(&tmp, &p).with_context(|| format!("writing {}", p.display()))?;
    Ok(())
}

/// A store of the layout before 0.2 kept the raw rows in a `proxy` table: write each of its days to
/// `data/proxy/<date>/raw/` as Parquet (a raw folder already there is kept aside as `raw.before-migration`), then
/// drop the table, in one transaction; says so on stderr.
fn migrate_raw_table(conn: &Connection, ws: &Workspace) -> Result<()> {
    let is_table: i64 = conn.query_row(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'proxy' AND schema_name = 'main' AND NOT temporary",
        [],
        |r| r.get(0),
    )?;
    if is_table == 0 {
        return Ok(());
    }
    let days: Vec<(String, String, String)> = {
        let mut st = conn.prepare("SELECT DISTINCT y, m, d FROM proxy ORDER BY ALL")?;
        let v = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        v
    };
    let cols = schema::PROXY.column_list();
    conn.execute_batch("BEGIN TRANSACTION")?;
    let moved = (|| -> Result<Vec<PathBuf>> {
        let mut moved = vec![];
        for (y, m, d) in &days {
            let day: Day = format!("{y}{m}{d}").parse().map_err(anyhow::Error::msg)?;
            let dir = ws.raw_dir(day);
            if !crate::workspace::parquet_files(&dir)?.is_empty() {
                let aside = ws.data_dir(day).join("raw.before-migration");
                std::fs::rename(&dir, &aside).with_context(|| format!("moving {} aside", dir.display()))?;
            }
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            // Column names come from the registry; the day and the folder are bound.
            let sql = format!(
                concat!(
                    "COPY (SELECT {}, h FROM proxy WHERE ",
                    on_day!(),
                    " ORDER BY h, p_time) TO ? (FORMAT PARQUET, PARTITION_BY (h), FILENAME_PATTERN '{}{{i}}', \
                     OVERWRITE_OR_IGNORE)"
                ),
                cols,
                schema::OUR_RAW_PREFIX
            );
            conn.execute(&sql, params![y, m, d, dir.display().to_string()])?;
            moved.push(dir);
        }
        conn.execute_batch("DROP TABLE proxy")?;
        Ok(moved)
    })();
    match moved {
        Ok(dirs) => {
            conn.execute_batch("COMMIT")?;
            log::warn!(
                "this store kept raw rows inside it (the layout before proxy-oa 0.2): moved {} day(s) out to \
                 Parquet under {} and dropped the table; the proxy view reads them from there now",
                dirs.len(),
                ws.root().join("data").join("proxy").display()
            );
            point_all_raw(conn, ws)?;
            Ok(())
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Apply the registry's DDL when the store does not have this version of it yet (its sha256 is kept in
/// `proxy_oa_schema`), in one transaction; opening a store that is up to date writes nothing, so reading a day
/// works on a full disk.
fn apply_schema(conn: &Connection) -> Result<()> {
    let ddl = schema::ddl();
    let sha = crate::digest::sha256_hex(ddl.as_bytes());
    let have: Option<String> = conn
        .query_row(
            "SELECT max(sha256) FROM duckdb_tables() t, proxy_oa_schema WHERE t.table_name = 'proxy_oa_schema'",
            [],
            |r| r.get(0),
        )
        .unwrap_or(None);
    if have.as_deref() == Some(sha.as_str()) {
        return Ok(());
    }
    conn.execute_batch("BEGIN TRANSACTION")?;
    let applied = (|| -> Result<()> {
        conn.execute_batch(&ddl)?;
        conn.execute_batch("CREATE TABLE IF NOT EXISTS proxy_oa_schema (sha256 VARCHAR); DELETE FROM proxy_oa_schema")?;
        conn.execute("INSERT INTO proxy_oa_schema (sha256) VALUES (?)", params![sha])?;
        Ok(())
    })();
    match applied {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    Ok(())
}

/// Render one value for TSV output (Hive's text convention): NULL is `\N`; in text a backslash, TAB, newline and
/// carriage return are written `\\`, `\t`, `\n`, `\r`, so every row is one line and NULL stays unambiguous.
pub fn render(v: &Value) -> String {
    match v {
        Value::Text(s) => escape_tsv(s),
        other => render_plain(other),
    }
}

/// `s` with backslash, TAB, newline and carriage return escaped as in [`render`].
pub fn escape_tsv(s: &str) -> String {
    if !s.contains(['\\', '\t', '\n', '\r']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// One value as text: NULL is `\N`, text as is (no escaping).
pub fn render_plain(v: &Value) -> String {
    match v {
        Value::Null => "\\N".into(),
        Value::Boolean(b) => b.to_string(),
        Value::TinyInt(x) => x.to_string(),
        Value::SmallInt(x) => x.to_string(),
        Value::Int(x) => x.to_string(),
        Value::BigInt(x) => x.to_string(),
        Value::HugeInt(x) => x.to_string(),
        Value::Float(x) => x.to_string(),
        Value::Double(x) => x.to_string(),
        Value::Text(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

/// The result of a query: column names and values, in the query's order.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub names: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Rows {
    /// Run `sql` with bound `params`.
    pub fn query(conn: &Connection, sql: &str, params: &[&dyn duckdb::ToSql]) -> Result<Rows> {
        let mut st = conn.prepare(sql)?;
        let mut rows = st.query(params)?;
        let names = rows.as_ref().map(|s| s.column_names()).unwrap_or_default();
        let mut out = vec![];
        while let Some(r) = rows.next()? {
            let mut line = Vec::with_capacity(names.len());
            for i in 0..names.len() {
                line.push(r.get::<_, Value>(i)?);
            }
            out.push(line);
        }
        Ok(Rows { names, rows: out })
    }

    /// A header line and one line per row, TAB-separated, values as [`render`] writes them.
    pub fn to_tsv(&self) -> String {
        let mut s = self.names.join("\t");
        s.push('\n');
        for r in &self.rows {
            s.push_str(&r.iter().map(render).collect::<Vec<_>>().join("\t"));
            s.push('\n');
        }
        s
    }

    /// One JSON object per row, keyed by column name.
    pub fn to_json(&self) -> serde_json::Value {
        let rows = self
            .rows
            .iter()
            .map(|r| {
                let obj: serde_json::Map<String, serde_json::Value> =
                    self.names.iter().cloned().zip(r.iter().map(json_value)).collect();
                serde_json::Value::Object(obj)
            })
            .collect();
        serde_json::Value::Array(rows)
    }
}

/// One value as JSON (a FLOAT as its shortest decimal form, `1e-5` rather than `0.0000099999997`).
pub fn json_value(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Boolean(b) => J::Bool(*b),
        Value::TinyInt(x) => J::from(*x),
        Value::SmallInt(x) => J::from(*x),
        Value::Int(x) => J::from(*x),
        Value::BigInt(x) => J::from(*x),
        Value::Float(x) => x.to_string().parse::<f64>().map(J::from).unwrap_or(J::Null),
        Value::Double(x) => J::from(*x),
        Value::Text(s) => J::String(s.clone()),
        other => J::String(render_plain(other)),
    }
}

/// A day of one table: the column names (without the partition columns) and the rows, in the table's order.
pub fn dump(conn: &Connection, table: Table, day: Day) -> Result<Rows> {
    // Table and column names come from the registry; the day is bound.
    let sql = format!("SELECT {} FROM {} WHERE {} {}", table.column_list(), table.name, on_day!(), table.order_by());
    let p = table.day_params(day);
    Rows::query(conn, &sql, params![p[0], p[1], p[2]])
}

/// Fail (exit 4) unless the day has `proxy_scores` rows in the store at `path`.
pub fn require_day(conn: &Connection, path: &Path, day: Day) -> Result<()> {
    if count(conn, schema::PROXY_SCORES, day)? == 0 {
        return Err(crate::error::Error::Unavailable(format!(
            "no proxy_scores rows for {} in {}: run the day (or import its bundle) first",
            day.compact(),
            path.display()
        ))
        .into());
    }
    Ok(())
}

/// Rows of one day in a table.
pub fn count(conn: &Connection, table: Table, day: Day) -> Result<i64> {
    let sql = format!("SELECT count(*) FROM {} WHERE {}", table.name, on_day!());
    let p = table.day_params(day);
    Ok(conn.query_row(&sql, params![p[0], p[1], p[2]], |r| r.get(0))?)
}
