//! The workspace store: one DuckDB file (`proxy-oa.duckdb`) holding the raw day and the OA tables.
//!
//! Opening applies `schema/duckdb.sql` (idempotent) and the memory ceiling and spill folder from the config, so a
//! large day spills instead of exhausting memory. Every query that leaves the store ends in ORDER BY.

use crate::config;
use crate::day::Day;
use anyhow::{Context, Result};
use duckdb::types::Value;
use duckdb::{params, Connection};
use std::path::Path;

/// The store's DDL, applied on every open.
pub const SCHEMA: &str = include_str!("../schema/duckdb.sql");

/// A table of the store that is kept per day, with the order its rows are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// Table name.
    pub name: &'static str,
    /// The leading `ORDER BY` columns (most suspicious first where that applies); every other column follows,
    /// so the order is total.
    pub order: &'static str,
    /// The day filter (raw table: zero-padded strings; OA tables: integers).
    raw_partitions: bool,
}

/// Spot's raw `proxy` table (the day's traffic).
pub const PROXY: Table = Table { name: "proxy", order: "p_time", raw_partitions: true };
/// `proxy_scores`.
pub const PROXY_SCORES: Table = Table { name: "proxy_scores", order: "ml_score", raw_partitions: false };
/// `proxy_edge`.
pub const PROXY_EDGE: Table =
    Table { name: "proxy_edge", order: "clientip, fulluri, hh, \"time\"", raw_partitions: false };
/// `proxy_ingest_summary`.
pub const PROXY_INGEST_SUMMARY: Table = Table { name: "proxy_ingest_summary", order: "tdate", raw_partitions: false };

/// `proxy_threat_investigation` (analyst).
pub const PROXY_THREAT_INVESTIGATION: Table =
    Table { name: "proxy_threat_investigation", order: "fulluri", raw_partitions: false };
/// `proxy_storyboard` (analyst).
pub const PROXY_STORYBOARD: Table = Table { name: "proxy_storyboard", order: "p_threat", raw_partitions: false };
/// `proxy_timeline` (analyst).
pub const PROXY_TIMELINE: Table =
    Table { name: "proxy_timeline", order: "p_threat, tstart, clientip, respcode", raw_partitions: false };

/// The tables `run` writes.
pub const OA_TABLES: [Table; 3] = [PROXY_SCORES, PROXY_EDGE, PROXY_INGEST_SUMMARY];
/// The analyst's tables (`score`, `storyboard`, `reset`); `run` never touches them.
pub const ANALYST_TABLES: [Table; 3] = [PROXY_THREAT_INVESTIGATION, PROXY_STORYBOARD, PROXY_TIMELINE];

/// Every per-day table.
pub const TABLES: [Table; 7] = [
    PROXY_SCORES,
    PROXY_EDGE,
    PROXY_INGEST_SUMMARY,
    PROXY_THREAT_INVESTIGATION,
    PROXY_STORYBOARD,
    PROXY_TIMELINE,
    PROXY,
];

impl Table {
    /// Look a table up by name.
    pub fn by_name(name: &str) -> Option<Table> {
        TABLES.iter().copied().find(|t| t.name == name)
    }

    /// `WHERE` clause selecting one day; bind with [`Table::day_params`].
    pub fn day_filter(&self) -> &'static str {
        "y = ? AND m = ? AND d = ?"
    }

    /// The full `ORDER BY` clause: the leading columns, then every column of the table in DDL order.
    pub fn order_by(&self, conn: &Connection) -> Result<String> {
        let mut st = conn.prepare(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        )?;
        let cols: Vec<String> = st.query_map([self.name], |r| r.get::<_, String>(0))?.collect::<Result<_, _>>()?;
        // Identifiers come from the store's own schema, quoted.
        let all: Vec<String> = cols.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
        Ok(format!("ORDER BY {}, {}", self.order, all.join(", ")))
    }

    /// The parameters for [`Table::day_filter`].
    pub fn day_params(&self, day: Day) -> [Value; 3] {
        if self.raw_partitions {
            let (y, m, d) = day.raw_partition();
            [Value::Text(y), Value::Text(m), Value::Text(d)]
        } else {
            [Value::SmallInt(day.y()), Value::TinyInt(day.m()), Value::TinyInt(day.d())]
        }
    }
}

/// Open the store at `path` with the `[store]` settings; `tmp` is the spill folder when none is configured.
pub fn open(path: &Path, cfg: &config::Store, tmp: &Path) -> Result<Connection> {
    let temp = if cfg.temp_directory.is_empty() { tmp.to_path_buf() } else { cfg.temp_directory.clone().into() };
    let mut dc = duckdb::Config::default()
        .max_memory(&cfg.memory_limit)
        .with_context(|| format!("[store] memory_limit '{}'", cfg.memory_limit))?
        .with("temp_directory", temp.display().to_string())?
        .enable_autoload_extension(false)?;
    if cfg.threads > 0 {
        dc = dc.threads(i64::from(cfg.threads))?;
    }
    let conn = Connection::open_with_flags(path, dc).with_context(|| format!("opening store {}", path.display()))?;
    conn.execute_batch(SCHEMA).with_context(|| format!("creating tables in {}", path.display()))?;
    Ok(conn)
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
    let exclude = if table.raw_partitions { "y, m, d, h" } else { "y, m, d" };
    let sql = format!(
        "SELECT * EXCLUDE ({exclude}) FROM {} WHERE {} {}",
        table.name,
        table.day_filter(),
        table.order_by(conn)?
    );
    let p = table.day_params(day);
    Rows::query(conn, &sql, params![p[0], p[1], p[2]])
}

/// Fail (exit 4) unless the day has `proxy_scores` rows in the store at `path`.
pub fn require_day(conn: &Connection, path: &Path, day: Day) -> Result<()> {
    if count(conn, PROXY_SCORES, day)? == 0 {
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
    let sql = format!("SELECT count(*) FROM {} WHERE {}", table.name, table.day_filter());
    let p = table.day_params(day);
    Ok(conn.query_row(&sql, params![p[0], p[1], p[2]], |r| r.get(0))?)
}
