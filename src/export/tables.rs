//! The one schema definition the export is generated from: each exported table's Impala DDL columns, in DDL
//! order, with their Impala types (Spot's `spot-setup/impala/create_proxy_parquet.hql`, plus our trailing columns).

use serde::{Deserialize, Serialize};

/// An Impala column type of the exported tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ImpalaType {
    String,
    Int,
    Bigint,
    Float,
}

impl ImpalaType {
    /// The name in Impala DDL.
    pub fn ddl(self) -> &'static str {
        match self {
            ImpalaType::String => "STRING",
            ImpalaType::Int => "INT",
            ImpalaType::Bigint => "BIGINT",
            ImpalaType::Float => "FLOAT",
        }
    }

    /// The DuckDB type every exported value is cast to.
    pub fn duckdb(self) -> &'static str {
        match self {
            ImpalaType::String => "VARCHAR",
            ImpalaType::Int => "INTEGER",
            ImpalaType::Bigint => "BIGINT",
            ImpalaType::Float => "FLOAT",
        }
    }

    /// Parquet physical types Impala accepts for this column type (`SUPPORTED_PHYSICAL_TYPES`).
    pub fn parquet_physical(self) -> &'static [&'static str] {
        match self {
            ImpalaType::String => &["BYTE_ARRAY"],
            ImpalaType::Int => &["INT32"],
            ImpalaType::Bigint => &["INT32", "INT64"],
            ImpalaType::Float => &["FLOAT"],
        }
    }
}

/// A table that bundles carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportTable {
    pub name: &'static str,
    /// Spot's folder under `${huser}/proxy/hive/oa/`.
    pub dir: &'static str,
    /// Non-partition columns in DDL order.
    pub columns: &'static [(&'static str, ImpalaType)],
    /// How many leading columns Spot's own DDL has (the rest are ours, trailing).
    pub spot_columns: usize,
}

use ImpalaType::{Bigint, Float, Int, String as Str};

/// `proxy_scores`: Spot's 24 columns, then `uri_sev` and `hash`.
pub const PROXY_SCORES: ExportTable = ExportTable {
    name: "proxy_scores",
    dir: "suspicious",
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
    ],
    spot_columns: 24,
};

/// `proxy_edge`: Spot's 17 columns, then `hash`.
pub const PROXY_EDGE: ExportTable = ExportTable {
    name: "proxy_edge",
    dir: "edge",
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
    spot_columns: 17,
};

/// `proxy_ingest_summary`.
pub const PROXY_INGEST_SUMMARY: ExportTable = ExportTable {
    name: "proxy_ingest_summary",
    dir: "summary",
    columns: &[("tdate", Str), ("total", Bigint)],
    spot_columns: 2,
};

/// `proxy_threat_investigation` (analyst): the day's scored URIs.
pub const PROXY_THREAT_INVESTIGATION: ExportTable = ExportTable {
    name: "proxy_threat_investigation",
    dir: "threat_investigation",
    columns: &[("tdate", Str), ("fulluri", Str), ("uri_sev", Int)],
    spot_columns: 3,
};

/// `proxy_storyboard` (analyst).
pub const PROXY_STORYBOARD: ExportTable = ExportTable {
    name: "proxy_storyboard",
    dir: "storyboard",
    columns: &[("p_threat", Str), ("title", Str), ("text", Str)],
    spot_columns: 3,
};

/// `proxy_timeline` (analyst).
pub const PROXY_TIMELINE: ExportTable = ExportTable {
    name: "proxy_timeline",
    dir: "timeline",
    columns: &[
        ("p_threat", Str),
        ("tstart", Str),
        ("tend", Str),
        ("duration", Bigint),
        ("clientip", Str),
        ("respcode", Str),
        ("respcodename", Str),
    ],
    spot_columns: 7,
};

/// Every table a bundle can carry, in bundle order.
pub const EXPORT_TABLES: [ExportTable; 6] =
    [PROXY_SCORES, PROXY_EDGE, PROXY_INGEST_SUMMARY, PROXY_THREAT_INVESTIGATION, PROXY_STORYBOARD, PROXY_TIMELINE];

impl ExportTable {
    /// Look a table up by name.
    pub fn by_name(name: &str) -> Option<ExportTable> {
        EXPORT_TABLES.iter().copied().find(|t| t.name == name)
    }

    /// `"col"` quoted for DuckDB.
    pub fn quoted(c: &str) -> std::string::String {
        format!("\"{}\"", c.replace('"', "\"\""))
    }

    /// `CAST("c" AS T) AS "c", ...` in DDL order.
    pub fn cast_list(&self) -> std::string::String {
        self.columns
            .iter()
            .map(|(c, t)| format!("CAST({q} AS {}) AS {q}", t.duckdb(), q = Self::quoted(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `CREATE EXTERNAL TABLE IF NOT EXISTS ...` in Impala's dialect with Spot's variables.
    pub fn impala_ddl(&self) -> std::string::String {
        let mut s = format!("CREATE EXTERNAL TABLE IF NOT EXISTS ${{var:dbname}}.{} (\n", self.name);
        let cols: Vec<std::string::String> = self.columns.iter().map(|(c, t)| format!("  {c} {}", t.ddl())).collect();
        s.push_str(&cols.join(",\n"));
        s.push_str(&format!(
            "\n)\nPARTITIONED BY (y SMALLINT, m TINYINT, d TINYINT)\nSTORED AS PARQUET\nLOCATION '${{var:huser}}/proxy/hive/oa/{}';\n",
            self.dir
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_match_the_store_schema() {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::store::SCHEMA).unwrap();
        for t in EXPORT_TABLES {
            let mut st = conn
                .prepare(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? \
                     AND column_name NOT IN ('y', 'm', 'd') ORDER BY ordinal_position",
                )
                .unwrap();
            let cols: Vec<std::string::String> =
                st.query_map([t.name], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
            let want: Vec<&str> = t.columns.iter().map(|c| c.0).collect();
            assert_eq!(cols, want, "{}", t.name);
        }
    }

    #[test]
    fn spot_ddl_prefix_is_spots() {
        // The 24 Spot columns of proxy_scores, as in the spec's table.
        let spot = "tdate STRING, time STRING, clientip STRING, host STRING, reqmethod STRING, useragent STRING, \
                    resconttype STRING, duration INT, username STRING, webcat STRING, referer STRING, respcode INT, \
                    uriport INT, uripath STRING, uriquery STRING, serverip STRING, scbytes INT, csbytes INT, \
                    fulluri STRING, word STRING, ml_score FLOAT, uri_rep STRING, respcode_name STRING, \
                    network_context STRING";
        let ours: Vec<std::string::String> =
            PROXY_SCORES.columns[..24].iter().map(|(c, t)| format!("{c} {}", t.ddl())).collect();
        assert_eq!(ours.join(", "), spot);
        let ddl = PROXY_SCORES.impala_ddl();
        assert!(ddl.starts_with("CREATE EXTERNAL TABLE IF NOT EXISTS ${var:dbname}.proxy_scores (\n  tdate STRING,"));
        assert!(ddl.ends_with("LOCATION '${var:huser}/proxy/hive/oa/suspicious';\n"));
    }
}
