//! The schema registry: every table of the store, its columns and types, in one place.
//!
//! Everything else is derived from it: the store's DDL ([`ddl`]), the Impala DDL of bundles
//! ([`Table::impala_ddl`]), the export casts ([`Table::cast_list`]), the column lists of INSERTs
//! ([`Table::column_list`]), the listing order ([`Table::order_by`]) and the day filter ([`on_day!`]). The column
//! names, order and types follow Apache Spot's Impala DDL (`spot-setup/impala/create_proxy_parquet.hql`); what we
//! add trails Spot's columns. The data dictionary is `schema/README.md`; the SQL that fills the tables is in
//! `schema/*.sql`.
//!
//! Adding a column to a table is one edit here plus the SQL that fills it.

use crate::day::Day;
use duckdb::types::Value;

/// The macros the binary and the notebooks share, created after the tables and the `proxy` view.
pub const MACROS: &str = include_str!("../schema/macros.sql");
/// The raw day's value rules as macros, created before the `proxy` view that applies them.
pub const RAW_RULES: &str = include_str!("../schema/raw.sql");
/// The variable that names the Parquet files the `proxy` view reads (set on every connection, see
/// [`crate::store::point_raw`]).
pub const RAW_FILES_VAR: &str = "proxy_oa_raw";
/// The variable that marks the raw columns whose value rules are the identity on every file the view reads now
/// (bit i: column i of [`PROXY`]; set with the files by [`crate::store::point_raw`], NULL when unknown). DuckDB
/// folds `getvariable` when it plans a query, so such a column is read as it is, with no rule and no test per row
/// (BENCHMARKS.md: a third of the ranker's counts at 10 M rows).
pub const TIDY_VAR: &str = "proxy_oa_tidy";
// One bit per raw column in a BIGINT.
const _: () = assert!(PROXY.columns.len() < 63);
/// The name files proxy-oa writes into a raw day start with: their values already follow the value rules.
pub const OUR_RAW_PREFIX: &str = "proxy-oa-";

/// A column type: one DuckDB type in the store and one Impala type in bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// `VARCHAR` / `STRING`.
    Str,
    /// `INTEGER` / `INT`.
    Int,
    /// `BIGINT`.
    Bigint,
    /// `FLOAT`.
    Float,
}

impl Type {
    /// The type in DuckDB (the store; every exported value is cast to it).
    pub fn duckdb(self) -> &'static str {
        match self {
            Type::Str => "VARCHAR",
            Type::Int => "INTEGER",
            Type::Bigint => "BIGINT",
            Type::Float => "FLOAT",
        }
    }

    /// The type in Impala DDL.
    pub fn impala(self) -> &'static str {
        match self {
            Type::Str => "STRING",
            Type::Int => "INT",
            Type::Bigint => "BIGINT",
            Type::Float => "FLOAT",
        }
    }

    /// Parquet physical types Impala accepts for this column type (`SUPPORTED_PHYSICAL_TYPES`).
    pub fn parquet_physical(self) -> &'static [&'static str] {
        match self {
            Type::Str => &["BYTE_ARRAY"],
            Type::Int => &["INT32"],
            Type::Bigint => &["INT32", "INT64"],
            Type::Float => &["FLOAT"],
        }
    }
}

/// How a table is partitioned by day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partitions {
    /// Spot's raw `proxy` table: zero-padded strings `y`, `m`, `d`, `h`.
    Raw,
    /// The OA tables: `y SMALLINT, m TINYINT, d TINYINT`.
    Day,
}

impl Partitions {
    /// The partition columns with their DuckDB types.
    pub fn columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Partitions::Raw => &[("y", "VARCHAR"), ("m", "VARCHAR"), ("d", "VARCHAR"), ("h", "VARCHAR")],
            Partitions::Day => &[("y", "SMALLINT"), ("m", "TINYINT"), ("d", "TINYINT")],
        }
    }

    /// The values of [`on_day!`] for `day`.
    pub fn day_params(self, day: Day) -> [Value; 3] {
        match self {
            Partitions::Raw => {
                let (y, m, d) = day.raw_partition();
                [Value::Text(y), Value::Text(m), Value::Text(d)]
            }
            Partitions::Day => [Value::SmallInt(day.y()), Value::TinyInt(day.m()), Value::TinyInt(day.d())],
        }
    }
}

/// Where a bundle puts a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Export {
    /// Spot's folder under `${huser}/proxy/hive/oa/`.
    pub dir: &'static str,
    /// How many leading columns Spot's own DDL has (the rest are ours, trailing).
    pub spot_columns: usize,
}

/// A table of the store, kept per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    /// A comment for the DDL.
    pub about: &'static str,
    /// The data columns (without the partition columns), in DDL order.
    pub columns: &'static [(&'static str, Type)],
    pub partitions: Partitions,
    /// The leading `ORDER BY` columns of a listing; every column follows, so the order is total.
    pub order: &'static str,
    /// `Some` for the tables bundles carry.
    pub export: Option<Export>,
}

use Type::{Bigint, Float, Int, Str};

/// Spot's raw `proxy` table (the day's traffic): 28 data columns, string partitions `y/m/d/h`. Not a table of
/// the store: a view over the workspace's Parquet days ([`proxy_view_ddl`]).
pub const PROXY: Table = Table {
    name: "proxy",
    about: "The raw day (Spot's `proxy` table, 28 columns, zero-padded string partitions y/m/d/h).",
    columns: &[
        ("p_date", Str),
        ("p_time", Str),
        ("clientip", Str),
        ("host", Str),
        ("reqmethod", Str),
        ("useragent", Str),
        ("resconttype", Str),
        ("duration", Int),
        ("username", Str),
        ("authgroup", Str),
        ("exceptionid", Str),
        ("filterresult", Str),
        ("webcat", Str),
        ("referer", Str),
        ("respcode", Str),
        ("action", Str),
        ("urischeme", Str),
        ("uriport", Str),
        ("uripath", Str),
        ("uriquery", Str),
        ("uriextension", Str),
        ("serverip", Str),
        ("scbytes", Int),
        ("csbytes", Int),
        ("virusid", Str),
        ("bcappname", Str),
        ("bcappoper", Str),
        ("fulluri", Str),
    ],
    partitions: Partitions::Raw,
    order: "p_time",
    export: None,
};

/// `proxy_scores`: Spot's 24 columns, then `uri_sev`, `hash`, `oa_rank` and `why` (ours).
pub const PROXY_SCORES: Table = Table {
    name: "proxy_scores",
    about: "Spot's 24 columns, then uri_sev, hash, oa_rank and why (ours), then the partition columns.",
    columns: &[
        ("tdate", Str),
        ("time", Str),
        ("clientip", Str),
        ("host", Str),
        ("reqmethod", Str),
        ("useragent", Str),
        ("resconttype", Str),
        ("duration", Int),
        ("username", Str),
        ("webcat", Str),
        ("referer", Str),
        ("respcode", Int),
        ("uriport", Int),
        ("uripath", Str),
        ("uriquery", Str),
        ("serverip", Str),
        ("scbytes", Int),
        ("csbytes", Int),
        ("fulluri", Str),
        ("word", Str),
        ("ml_score", Float),
        ("uri_rep", Str),
        ("respcode_name", Str),
        ("network_context", Str),
        ("uri_sev", Int),
        ("hash", Str),
        ("oa_rank", Int),
        ("why", Str),
    ],
    partitions: Partitions::Day,
    order: "oa_rank NULLS LAST, ml_score",
    export: Some(Export { dir: "suspicious", spot_columns: 24 }),
};

/// `proxy_edge`: Spot's 17 columns, then `hash` (ours).
pub const PROXY_EDGE: Table = Table {
    name: "proxy_edge",
    about: "Spot's 17 columns, then hash (ours), then the partition columns.",
    columns: &[
        ("tdate", Str),
        ("time", Str),
        ("clientip", Str),
        ("host", Str),
        ("webcat", Str),
        ("respcode", Str),
        ("reqmethod", Str),
        ("useragent", Str),
        ("resconttype", Str),
        ("referer", Str),
        ("uriport", Str),
        ("serverip", Str),
        ("scbytes", Int),
        ("csbytes", Int),
        ("fulluri", Str),
        ("hh", Int),
        ("respcode_name", Str),
        ("hash", Str),
    ],
    partitions: Partitions::Day,
    order: "clientip, fulluri, hh, \"time\"",
    export: Some(Export { dir: "edge", spot_columns: 17 }),
};

/// `proxy_ingest_summary`: connections per minute of the raw day.
pub const PROXY_INGEST_SUMMARY: Table = Table {
    name: "proxy_ingest_summary",
    about: "Connections per minute of the whole raw day.",
    columns: &[("tdate", Str), ("total", Bigint)],
    partitions: Partitions::Day,
    order: "tdate",
    export: Some(Export { dir: "summary", spot_columns: 2 }),
};

/// `proxy_oa_inputs` (ours): the input files a day was built from.
pub const PROXY_OA_INPUTS: Table = Table {
    name: "proxy_oa_inputs",
    about: "Ours: the input files a day was built from (for bundle manifests and reproduction).",
    columns: &[("role", Str), ("path", Str), ("bytes", Bigint), ("sha256", Str)],
    partitions: Partitions::Day,
    order: "role, path",
    export: None,
};

/// `proxy_threat_investigation` (analyst): one row per scored URI of the day.
pub const PROXY_THREAT_INVESTIGATION: Table = Table {
    name: "proxy_threat_investigation",
    about: "Analyst: one row per scored URI of the day (Spot inserted one per matching proxy_scores row).",
    columns: &[("tdate", Str), ("fulluri", Str), ("uri_sev", Int)],
    partitions: Partitions::Day,
    order: "fulluri",
    export: Some(Export { dir: "threat_investigation", spot_columns: 3 }),
};

/// `proxy_storyboard` (analyst): one row per threat of the day.
pub const PROXY_STORYBOARD: Table = Table {
    name: "proxy_storyboard",
    about: "Analyst: one row per threat (p_threat = the URI) of the day.",
    columns: &[("p_threat", Str), ("title", Str), ("text", Str)],
    partitions: Partitions::Day,
    order: "p_threat",
    export: Some(Export { dir: "storyboard", spot_columns: 3 }),
};

/// `proxy_timeline` (analyst): per threat, one row per (client IP, response code) of its top client IPs.
pub const PROXY_TIMELINE: Table = Table {
    name: "proxy_timeline",
    about: "Analyst: per threat, one row per (client IP, response code) of its top client IPs, from the raw day.",
    columns: &[
        ("p_threat", Str),
        ("tstart", Str),
        ("tend", Str),
        ("duration", Bigint),
        ("clientip", Str),
        ("respcode", Str),
        ("respcodename", Str),
    ],
    partitions: Partitions::Day,
    order: "p_threat, tstart, clientip, respcode",
    export: Some(Export { dir: "timeline", spot_columns: 7 }),
};

/// `proxy_findings` (ours): why a connection is suspicious, one row per (detector, rule, client, host, fulluri where
/// it applies) of the day (`src/findings/`, `schema/findings_*.sql`; schema/README.md has each detector's formula).
pub const PROXY_FINDINGS: Table = Table {
    name: "proxy_findings",
    about: "Ours: one row per finding of a detector on the day (client, host, fulluri where it applies).",
    columns: &[
        ("tdate", Str),
        ("detector", Str),
        ("rule", Str),
        ("clientip", Str),
        ("host", Str),
        ("fulluri", Str),
        ("score", Float),
        ("connections", Bigint),
        ("first_time", Str),
        ("last_time", Str),
        ("evidence", Str),
    ],
    partitions: Partitions::Day,
    order: "score DESC, detector, clientip, host, fulluri",
    export: Some(Export { dir: "findings", spot_columns: 0 }),
};

/// Every table of the store, in DDL order (the raw day, [`PROXY`], is a view over Parquet files).
pub const ALL: [Table; 8] = [
    PROXY_SCORES,
    PROXY_EDGE,
    PROXY_INGEST_SUMMARY,
    PROXY_FINDINGS,
    PROXY_OA_INPUTS,
    PROXY_THREAT_INVESTIGATION,
    PROXY_STORYBOARD,
    PROXY_TIMELINE,
];

/// The tables `run` writes (and a run on the cluster publishes there).
pub const OA_TABLES: [Table; 4] = [PROXY_SCORES, PROXY_EDGE, PROXY_INGEST_SUMMARY, PROXY_FINDINGS];
/// The analyst's tables (`score`, `storyboard`, `reset`); `run` never touches them.
pub const ANALYST_TABLES: [Table; 3] = [PROXY_THREAT_INVESTIGATION, PROXY_STORYBOARD, PROXY_TIMELINE];
/// The per-day tables `show` lists and a run summary counts.
pub const TABLES: [Table; 8] = [
    PROXY_SCORES,
    PROXY_EDGE,
    PROXY_INGEST_SUMMARY,
    PROXY_FINDINGS,
    PROXY_THREAT_INVESTIGATION,
    PROXY_STORYBOARD,
    PROXY_TIMELINE,
    PROXY,
];
/// Every table a bundle can carry, in bundle order.
pub const EXPORT_TABLES: [Table; 7] = [
    PROXY_SCORES,
    PROXY_EDGE,
    PROXY_INGEST_SUMMARY,
    PROXY_THREAT_INVESTIGATION,
    PROXY_STORYBOARD,
    PROXY_TIMELINE,
    PROXY_FINDINGS,
];

/// `WHERE` text selecting one day of a table, for an optional alias: `on_day!()` is `y = ? AND m = ? AND d = ?`,
/// `on_day!("s")` is `s.y = ? AND s.m = ? AND s.d = ?`. Bind [`Day::ymd`] (OA tables) or
/// [`Day::raw_partition`] (the raw table), or [`Table::day_params`].
#[macro_export]
macro_rules! on_day {
    () => {
        "y = ? AND m = ? AND d = ?"
    };
    ($alias:literal) => {
        concat!($alias, ".y = ? AND ", $alias, ".m = ? AND ", $alias, ".d = ?")
    };
}

/// `"c"` quoted for DuckDB.
pub fn quoted(c: &str) -> String {
    format!("\"{}\"", c.replace('"', "\"\""))
}

impl Table {
    /// Look up a table of [`TABLES`] (the ones `show` lists) by name.
    pub fn by_name(name: &str) -> Option<Table> {
        TABLES.iter().copied().find(|t| t.name == name)
    }

    /// The export settings of a table bundles carry.
    pub fn exported(&self) -> Export {
        self.export.unwrap_or_else(|| panic!("{} is not a table bundles carry", self.name))
    }

    /// `"a", "b", ...`: the data columns, quoted, in DDL order.
    pub fn column_list(&self) -> String {
        self.columns.iter().map(|(c, _)| quoted(c)).collect::<Vec<_>>().join(", ")
    }

    /// `CAST("c" AS T) AS "c", ...` in DDL order.
    pub fn cast_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, t)| format!("CAST({q} AS {}) AS {q}", t.duckdb(), q = quoted(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `c TYPE` of every data column, Impala's types (bundle manifests and DDL).
    pub fn impala_columns(&self) -> Vec<String> {
        self.columns.iter().map(|(c, t)| format!("{c} {}", t.impala())).collect()
    }

    /// The full `ORDER BY` clause: the leading columns, then every data column in DDL order.
    pub fn order_by(&self) -> String {
        format!("ORDER BY {}, {}", self.order, self.column_list())
    }

    /// The values of [`on_day!`] for `day`.
    pub fn day_params(&self, day: Day) -> [Value; 3] {
        self.partitions.day_params(day)
    }

    /// `CREATE TABLE IF NOT EXISTS ...` in DuckDB.
    pub fn duckdb_ddl(&self) -> String {
        let mut cols: Vec<String> =
            self.columns.iter().map(|(c, t)| format!("    {} {}", quoted(c), t.duckdb())).collect();
        cols.extend(self.partitions.columns().iter().map(|(c, t)| format!("    {c} {t}")));
        format!("-- {}\nCREATE TABLE IF NOT EXISTS {} (\n{}\n);\n", self.about, self.name, cols.join(",\n"))
    }

    /// `CREATE EXTERNAL TABLE IF NOT EXISTS ...` in Impala's dialect with Spot's variables.
    pub fn impala_ddl(&self) -> String {
        let e = self.exported();
        let mut s = format!("CREATE EXTERNAL TABLE IF NOT EXISTS ${{var:dbname}}.{} (\n", self.name);
        let cols: Vec<String> = self.impala_columns().into_iter().map(|c| format!("  {c}")).collect();
        s.push_str(&cols.join(",\n"));
        s.push_str(&format!(
            "\n)\nPARTITIONED BY (y SMALLINT, m TINYINT, d TINYINT)\nSTORED AS PARQUET\nLOCATION '${{var:huser}}/proxy/hive/oa/{}';\n",
            e.dir
        ));
        s
    }
}

/// The store's DDL: every table of [`ALL`], the value rules, the `proxy` view, then [`MACROS`]. Every statement is
/// idempotent. The variable [`RAW_FILES_VAR`] must be set first (the view is bound when it is created).
pub fn ddl() -> String {
    let mut s = String::from("-- proxy-oa store schema (DuckDB), generated from src/schema.rs.\n");
    for t in ALL {
        s.push_str(&t.duckdb_ddl());
    }
    // A store made by an earlier version gets the columns added since (always trailing ours), NULL in its rows.
    for t in ALL {
        for (c, ty) in t.columns {
            s.push_str(&format!("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {};\n", t.name, quoted(c), ty.duckdb()));
        }
    }
    s.push_str(RAW_RULES);
    // A macro earlier versions made and none uses since proxy_text tests the quotes itself.
    s.push_str("DROP MACRO IF EXISTS proxy_unquote;\n");
    s.push_str(&proxy_view_ddl());
    s.push_str(MACROS);
    s
}

/// The `proxy_stored` view and the `proxy` view over it. `proxy_stored`: the workspace's Parquet days as their files
/// hold them (Spot's columns as stored, no value rule applied), `ours` (the file is one proxy-oa wrote: its values
/// already follow the rules), the rows of the day of each file's folder only (`data/proxy/<YYYYMMDD>/raw/`), the
/// partition columns `y/m/d` from that folder and `h` from the time. `proxy`: Spot's raw table, the same rows with
/// the value rules applied ([`ruled_columns`]). A statement that keeps few rows of a day reads `proxy_stored`,
/// keeps its rows by the ruled values of a few columns and applies the rules to the rest of the rows it keeps only
/// (DuckDB computes a view's expressions before a join above it).
pub fn proxy_view_ddl() -> String {
    let stored: Vec<String> = PROXY.columns.iter().map(|(c, _)| quoted(c)).collect();
    format!(
        "-- {about}\n-- Views over the workspace's Parquet days: the store holds no raw row.\n\
         CREATE OR REPLACE VIEW proxy_stored AS\n\
         SELECT {stored}, ours, substr(fday, 1, 4) AS y, substr(fday, 5, 2) AS m, substr(fday, 7, 2) AS d,\n\
                {hour} AS h\n\
         FROM (SELECT *, starts_with(parse_filename(filename), '{OUR_RAW_PREFIX}') AS ours,\n\
                      proxy_file_day(filename) AS fday\n\
               FROM read_parquet(getvariable('{RAW_FILES_VAR}'), filename = true, union_by_name = true,\n\
                                 hive_partitioning = false))\n\
         WHERE fday <> '' AND {date} = substr(fday, 1, 4) || '-' || substr(fday, 5, 2) || '-' || substr(fday, 7, 2);\n\
         CREATE OR REPLACE VIEW proxy AS\nSELECT {cols}, y, m, d, h\nFROM proxy_stored;\n",
        about = PROXY.about,
        stored = stored.join(", "),
        hour = hour_of(&ruled_column("p_time", "")),
        date = ruled_column("p_date", ""),
        cols = ruled_columns("").join(",\n       ")
    )
}

/// The hour text `HH` of the time `t` (an expression), as the day's files are partitioned: its first `:`-separated
/// part, zero-padded to two characters. A time whose first `:` is its third character (nearly all: `HH:MM:SS`)
/// takes its first two characters without building a new text: 0.07 s per scan of 10 M rows that needs the hour,
/// against 0.18 s for `lpad` on every row (BENCHMARKS.md, 2026-12-03 (2)); the result is the same for every text.
pub fn hour_of(t: &str) -> String {
    format!("CASE WHEN strpos({t}, ':') = 3 THEN substr({t}, 1, 2) ELSE lpad(split_part({t}, ':', 1), 2, '0') END")
}

/// Each raw column of `proxy_stored` rows (qualified by `alias`, e.g. `"s."`, or not) through the value rules, under
/// its own name: `CASE WHEN ours THEN CAST(c AS T) ELSE proxy_text(c) END AS c` (`proxy_int` for integers).
pub fn ruled_columns(alias: &str) -> Vec<String> {
    PROXY.columns.iter().map(|(c, _)| format!("{} AS {}", ruled_column(c, alias), quoted(c))).collect()
}

/// The raw column `c` of a `proxy_stored` row (qualified by `alias`) through the value rules of its type (a name
/// that is not a raw column is a programming error). Taken as it is where the rules are the identity, each test
/// folded by DuckDB when it plans the query: a column [`TIDY_VAR`] marks (no row of the files the view reads has a
/// value the rules change); an integer column that the files store as integers (`proxy_int` would send it through
/// text: 0.85 s for three columns of 10 M rows). `ours` (a file proxy-oa wrote) is the per-row case.
pub fn ruled_column(c: &str, alias: &str) -> String {
    let i = PROXY.columns.iter().position(|(n, _)| *n == c).unwrap_or_else(|| panic!("{c}: not a raw column"));
    let t = PROXY.columns[i].1;
    let (q, ty) = (quoted(c), t.duckdb());
    let tidy = format!("coalesce(CAST(getvariable('{TIDY_VAR}') AS BIGINT), 0) & {} <> 0", 1u64 << i);
    if t == Type::Int {
        format!(
            "CASE WHEN {tidy} OR {alias}ours OR typeof({alias}{q}) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT') \
             THEN CAST({alias}{q} AS {ty}) ELSE proxy_int({alias}{q}) END"
        )
    } else {
        format!("CASE WHEN {tidy} OR {alias}ours THEN CAST({alias}{q} AS {ty}) ELSE proxy_text({alias}{q}) END")
    }
}

/// The columns of the temporary table `stage_results` the enrichment stages work on: the row's rank (`rn`) and
/// hour (`hh`), then every `proxy_scores` data column (the enrichment columns start NULL and each stage fills its
/// own).
pub fn stage_results_ddl() -> String {
    let cols: Vec<String> = PROXY_SCORES.columns.iter().map(|(c, t)| format!("{} {}", quoted(c), t.duckdb())).collect();
    format!("CREATE OR REPLACE TEMP TABLE stage_results (rn BIGINT, hh INTEGER, {})", cols.join(", "))
}

/// How many leading `proxy_scores` columns the results file fills (spot-ml's fields, renamed: `tdate` to
/// `ml_score`), in the order the results stage appends them after `rn` and `hh`; the stages after it fill the
/// rest, by name.
pub const RESULTS_COLUMNS: usize = 21;

/// The temporary table the results stage appends to: `rn`, `hh` and the first [`RESULTS_COLUMNS`] columns of
/// `proxy_scores` (then inserted into `stage_results` by name, so a new `proxy_scores` column needs no change here).
pub fn stage_results_in_ddl() -> String {
    let cols: Vec<String> =
        PROXY_SCORES.columns[..RESULTS_COLUMNS].iter().map(|(c, t)| format!("{} {}", quoted(c), t.duckdb())).collect();
    format!("CREATE OR REPLACE TEMP TABLE stage_results_in (rn BIGINT, hh INTEGER, {})", cols.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_ddl_creates_every_table_with_the_registry_columns() {
        let (conn, _ws, _dir) = crate::store::scratch().unwrap();
        // Idempotent: it runs on every open.
        conn.execute_batch(&ddl()).unwrap();
        for t in ALL {
            let mut st = conn
                .prepare(
                    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? \
                     ORDER BY ordinal_position",
                )
                .unwrap();
            let got: Vec<(String, String)> =
                st.query_map([t.name], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap();
            let mut want: Vec<(String, String)> =
                t.columns.iter().map(|(c, ty)| (c.to_string(), ty.duckdb().to_string())).collect();
            want.extend(t.partitions.columns().iter().map(|(c, ty)| (c.to_string(), ty.to_string())));
            assert_eq!(got, want, "{}", t.name);
        }
    }

    #[test]
    fn the_hour_of_a_time_is_its_first_part_padded_whatever_the_text() {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        let plain = "lpad(split_part(t, ':', 1), 2, '0')";
        let sql = format!("SELECT t, {} AS fast, {plain} AS plain FROM (SELECT unnest(?) AS t)", hour_of("t"));
        let times = [
            "07:05:00", "7:05:00", "1::", ":1:2", "123:4", "", "ab", "ab:", "é1:00", "1é:00", "é:00", "12", "12:",
            "0:0:0", " 7:00", "24:00:00",
        ];
        let list =
            duckdb::types::Value::List(times.iter().map(|t| duckdb::types::Value::Text(t.to_string())).collect());
        let mut st = conn.prepare(&sql).unwrap();
        let got: Vec<(String, Option<String>, Option<String>)> =
            st.query_map([list], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(got.len(), times.len());
        for (t, fast, plain) in &got {
            assert_eq!(fast, plain, "{t:?}");
        }
        assert_eq!(got[0].1.as_deref(), Some("07"));
        assert_eq!(got[1].1.as_deref(), Some("07"));
        let null: Option<String> =
            conn.query_row(&format!("SELECT {}", hour_of("CAST(NULL AS VARCHAR)")), [], |r| r.get(0)).unwrap();
        assert_eq!(null, None);
    }

    #[test]
    fn spot_ddl_prefix_is_spots() {
        // The 24 Spot columns of proxy_scores, as in the spec's table.
        let spot = "tdate STRING, time STRING, clientip STRING, host STRING, reqmethod STRING, useragent STRING, \
                    resconttype STRING, duration INT, username STRING, webcat STRING, referer STRING, respcode INT, \
                    uriport INT, uripath STRING, uriquery STRING, serverip STRING, scbytes INT, csbytes INT, \
                    fulluri STRING, word STRING, ml_score FLOAT, uri_rep STRING, respcode_name STRING, \
                    network_context STRING";
        assert_eq!(PROXY_SCORES.impala_columns()[..24].join(", "), spot);
        assert_eq!(PROXY_SCORES.exported().spot_columns, 24);
        assert_eq!(PROXY_SCORES.columns[RESULTS_COLUMNS - 1].0, "ml_score", "the results file's columns lead");
        let ddl = PROXY_SCORES.impala_ddl();
        assert!(ddl.starts_with("CREATE EXTERNAL TABLE IF NOT EXISTS ${var:dbname}.proxy_scores (\n  tdate STRING,"));
        assert!(ddl.ends_with("LOCATION '${var:huser}/proxy/hive/oa/suspicious';\n"));
    }

    /// A scratch store, its workspace (and folder, which goes when dropped), the day 2016-07-08 and that day's raw
    /// folder for hour 00, made.
    fn scratch_day() -> (duckdb::Connection, crate::workspace::Workspace, tempfile::TempDir, Day, std::path::PathBuf) {
        let (conn, ws, dir) = crate::store::scratch().unwrap();
        let day: Day = "20160708".parse().unwrap();
        let raw = ws.raw_dir(day).join("h=00");
        std::fs::create_dir_all(&raw).unwrap();
        (conn, ws, dir, day, raw)
    }

    /// A Parquet file with every raw column, written by DuckDB to `path`: the rows of `VALUES {values}` (columns
    /// `names`), each raw column `given` as its expression over them, every other one NULL of its type.
    fn raw_file(
        conn: &duckdb::Connection,
        path: std::path::PathBuf,
        given: &[(&str, &str)],
        values: &str,
        names: &str,
    ) -> std::path::PathBuf {
        let cols: Vec<String> = PROXY
            .columns
            .iter()
            .map(|(c, t)| match given.iter().find(|(g, _)| g == c) {
                Some((_, e)) => format!("{e} AS {}", quoted(c)),
                None => format!("CAST(NULL AS {}) AS {}", t.duckdb(), quoted(c)),
            })
            .collect();
        let sql = format!("COPY (SELECT {} FROM (VALUES {values}) t({names})) TO ? (FORMAT PARQUET)", cols.join(", "));
        conn.execute(&sql, duckdb::params![path.display().to_string()]).unwrap();
        path
    }

    #[test]
    fn the_day_filter_binds_each_partition_kind() {
        let (conn, ws, _dir, day, raw) = scratch_day();
        // One raw row of the day (and one of another day, which the view leaves out) in the day's folder.
        let given = [("p_date", "v"), ("p_time", "'00:00:01'")];
        let f = raw_file(&conn, raw.join("spot.parquet"), &given, "('2016-07-08'), ('2016-07-09')", "v");
        crate::store::point_raw(&conn, &ws, &[f]).unwrap();
        conn.execute_batch("INSERT INTO proxy_ingest_summary VALUES ('x', 1, 2016, 7, 8), ('y', 1, 2016, 7, 9);")
            .unwrap();
        for (t, want) in [(PROXY, 1), (PROXY_INGEST_SUMMARY, 1), (PROXY_SCORES, 0)] {
            let p = t.day_params(day);
            let sql = format!("SELECT count(*) FROM {} WHERE {}", t.name, on_day!());
            let n: i64 = conn.query_row(&sql, duckdb::params![p[0], p[1], p[2]], |r| r.get(0)).unwrap();
            assert_eq!(n, want, "{}", t.name);
        }
        assert_eq!(on_day!("s"), "s.y = ? AND s.m = ? AND s.d = ?");
    }

    #[test]
    fn columns_the_footers_prove_untouched_by_the_rules_are_read_as_they_are_and_the_others_through_them() {
        let (conn, ws, _dir, _day, raw) = scratch_day();
        // Spot's file: client IPs and times plain; a referer `-`, a quoted agent, a host missing, a method `-x`
        // (after `-`, and not a value the rules change); proxy-oa's own file: a `-` it keeps as it is.
        let names = "p_date, p_time, clientip, referer, useragent, host, reqmethod";
        let given: Vec<(&str, &str)> = names.split(", ").map(|c| (c, c)).collect();
        let file = |name: &str, rows: &str| raw_file(&conn, raw.join(name), &given, rows, names);
        let spot = file(
            "spot.parquet",
            "('2016-07-08', '00:00:01', '10.0.0.1', '-', '\"Mozilla/5.0\"', 'a.com', 'GET'), \
             ('2016-07-08', '00:00:02', '10.0.0.2', 'http://b/', 'curl', NULL, '-x')",
        );
        let ours = file(
            &format!("{OUR_RAW_PREFIX}x.parquet"),
            "('2016-07-08', '00:00:03', '10.0.0.3', '-', 'wget', 'c.com', 'GET')",
        );
        let bit = |c: &str| 1i64 << PROXY.columns.iter().position(|(n, _)| *n == c).unwrap();
        let rows = |files: &[std::path::PathBuf], tidy: bool| -> (Option<i64>, Vec<Vec<Option<String>>>) {
            crate::store::point_raw(&conn, &ws, files).unwrap();
            if !tidy {
                conn.execute_batch(&format!("SET VARIABLE {TIDY_VAR} = NULL")).unwrap();
            }
            let mask: Option<i64> =
                conn.query_row(&format!("SELECT CAST(getvariable('{TIDY_VAR}') AS BIGINT)"), [], |r| r.get(0)).unwrap();
            let mut st = conn
                .prepare(
                    "SELECT p_date, p_time, clientip, referer, useragent, host, reqmethod, h FROM proxy \
                     ORDER BY p_time",
                )
                .unwrap();
            let v = st
                .query_map([], |r| (0..8).map(|i| r.get::<_, Option<String>>(i)).collect::<Result<Vec<_>, _>>())
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            (mask, v)
        };
        let (mask, got) = rows(std::slice::from_ref(&spot), true);
        let mask = mask.unwrap();
        for c in ["p_date", "p_time", "clientip", "reqmethod"] {
            assert_ne!(mask & bit(c), 0, "{c} is untouched by the rules in Spot's file");
        }
        for c in ["referer", "useragent", "host", "duration", "webcat"] {
            assert_eq!(mask & bit(c), 0, "{c} needs the rules in Spot's file");
        }
        // The same values as with the rules applied to every column.
        assert_eq!(got, rows(std::slice::from_ref(&spot), false).1);
        let s = |v: &str| Some(v.to_string());
        assert_eq!(got[0][3..7], [s(""), s("Mozilla/5.0"), s("a.com"), s("GET")]);
        assert_eq!(got[1][3..7], [s("http://b/"), s("curl"), s(""), s("-x")]);
        // proxy-oa's own file: every column as it is (its `-` is a value); with Spot's, the columns both allow.
        let (mask, got) = rows(std::slice::from_ref(&ours), true);
        assert_eq!(mask, Some((1i64 << PROXY.columns.len()) - 1));
        assert_eq!(got[0][3], s("-"));
        let (mask, both) = rows(&[spot.clone(), ours.clone()], true);
        let mask = mask.unwrap();
        assert_eq!(mask & bit("clientip"), bit("clientip"));
        assert_eq!(mask & bit("referer"), 0);
        assert_eq!(both, rows(&[spot, ours], false).1);
        assert_eq!((both[0][3].clone(), both[2][3].clone()), (s(""), s("-")));
    }

    #[test]
    fn integer_columns_stored_as_integers_or_as_text_read_the_same_through_the_rules() {
        // Spot's files may type duration and the byte counts as integers or as text (Blue Coat's `-`, padding):
        // the integer file's values are taken as they are, the text file's through proxy_int; the same numbers.
        let (conn, ws, _dir, _day, raw) = scratch_day();
        let file = |name: &str, ty: &str, values: &str| {
            let v = format!("CAST(v AS {ty})");
            let given = [
                ("p_date", "'2016-07-08'"),
                ("p_time", "concat('00:00:0', CAST(i AS VARCHAR))"),
                ("duration", v.as_str()),
                ("scbytes", v.as_str()),
            ];
            raw_file(&conn, raw.join(name), &given, values, "i, v")
        };
        let ints = file("spot-int.parquet", "BIGINT", "(1, 7), (2, NULL), (3, 2147483647)");
        let text = file("spot-text.parquet", "VARCHAR", "(4, ' 7 '), (5, '-'), (6, '2147483647')");
        // Each file alone (its own column type: the integer file takes the cast) and both (unified as text).
        let read = |files: &[std::path::PathBuf]| -> Vec<(Option<i32>, Option<i32>)> {
            crate::store::point_raw(&conn, &ws, files).unwrap();
            conn.prepare("SELECT duration, scbytes FROM proxy ORDER BY p_time")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let want = [(Some(7), Some(7)), (None, None), (Some(i32::MAX), Some(i32::MAX))];
        assert_eq!(read(std::slice::from_ref(&ints)), want);
        assert_eq!(read(std::slice::from_ref(&text)), want);
        assert_eq!(read(&[ints, text]), [want, want].concat());
    }
}
