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

/// Every per-day table.
pub const TABLES: [Table; 4] = [PROXY_SCORES, PROXY_EDGE, PROXY_INGEST_SUMMARY, PROXY];

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

/// Render one value for TSV output: NULL is `\N` (Hive's convention), text as is.
pub fn render(v: &Value) -> String {
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

/// A day of one table: the column names (without the partition columns) and the rows as text, in the table's
/// order.
pub fn dump(conn: &Connection, table: Table, day: Day) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let exclude = if table.raw_partitions { "y, m, d, h" } else { "y, m, d" };
    let sql = format!(
        "SELECT * EXCLUDE ({exclude}) FROM {} WHERE {} {}",
        table.name,
        table.day_filter(),
        table.order_by(conn)?
    );
    let mut st = conn.prepare(&sql)?;
    let p = table.day_params(day);
    let mut rows = st.query(params![p[0], p[1], p[2]])?;
    let names = rows.as_ref().map(|s| s.column_names()).unwrap_or_default();
    let mut out = vec![];
    while let Some(r) = rows.next()? {
        let mut line = Vec::with_capacity(names.len());
        for i in 0..names.len() {
            line.push(render(&r.get::<_, Value>(i)?));
        }
        out.push(line);
    }
    Ok((names, out))
}

/// Rows of one day in a table.
pub fn count(conn: &Connection, table: Table, day: Day) -> Result<i64> {
    let sql = format!("SELECT count(*) FROM {} WHERE {}", table.name, table.day_filter());
    let p = table.day_params(day);
    Ok(conn.query_row(&sql, params![p[0], p[1], p[2]], |r| r.get(0))?)
}
