//! Impala's rules for a Parquet file (`impala-export.md` §1.9), checked with DuckDB's own metadata readers:
//! file format version 1; codecs SNAPPY, GZIP, UNCOMPRESSED (ZSTD too when the target is Impala 3.3 or newer),
//! never LZ4_RAW; encodings PLAIN, PLAIN_DICTIONARY, RLE, BIT_PACKED only; a dictionary page before the data
//! pages; the leaf columns equal to the DDL's non-partition columns, in order, with physical types Impala accepts
//! and no unsigned or DECIMAL annotations; a file name Impala does not treat as hidden; at least one row.

use crate::schema::Table;
use anyhow::Result;
use duckdb::{params, Connection};
use std::path::Path;

/// What the checked file must satisfy beyond the fixed rules.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// ZSTD allowed (the target is Impala 3.3 or newer).
    pub allow_zstd: bool,
}

/// Every rule `file` breaks for `table` (empty: Impala reads it). `rows` is the row count it must have.
pub fn violations(
    conn: &Connection,
    file: &Path,
    table: &Table,
    rows: Option<u64>,
    rules: Rules,
) -> Result<Vec<String>> {
    let name = file.display().to_string();
    let mut v = vec![];
    let base = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if base.starts_with(['.', '_']) || base.ends_with(".tmp") || base.ends_with(".copying") {
        v.push(format!("file name {base:?} is hidden from Impala (starts with . or _, or ends with .tmp/.copying)"));
    }
    let (version, num_rows): (i64, i64) = conn.query_row(
        "SELECT format_version::BIGINT, num_rows::BIGINT FROM parquet_file_metadata(?)",
        params![name],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if version != 1 {
        v.push(format!("format version {version}: Impala before 4.3 reads only version 1"));
    }
    if num_rows <= 0 {
        v.push("no rows: an empty file is useless to Impala".into());
    }
    if let Some(want) = rows {
        if num_rows as u64 != want {
            v.push(format!("{num_rows} rows, expected {want}"));
        }
    }
    let mut st = conn.prepare(
        "SELECT path_in_schema, compression, encodings, dictionary_page_offset, data_page_offset \
         FROM parquet_metadata(?) ORDER BY row_group_id, column_id",
    )?;
    let mut rs = st.query(params![name])?;
    while let Some(r) = rs.next()? {
        let col: String = r.get(0)?;
        let codec: String = r.get(1)?;
        let encodings: String = r.get(2)?;
        let dict: Option<i64> = r.get(3)?;
        let data: Option<i64> = r.get(4)?;
        let codec_ok =
            matches!(codec.as_str(), "SNAPPY" | "GZIP" | "UNCOMPRESSED") || (rules.allow_zstd && codec == "ZSTD");
        if !codec_ok {
            v.push(format!("column {col}: codec {codec} is not readable by every targeted Impala"));
        }
        for e in encodings.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if !matches!(e, "PLAIN" | "PLAIN_DICTIONARY" | "RLE" | "BIT_PACKED") {
                v.push(format!("column {col}: encoding {e} is not readable by Impala 3.x"));
            }
        }
        if let (Some(d), Some(p)) = (dict, data) {
            if d >= p {
                v.push(format!("column {col}: dictionary page (offset {d}) must come before the data pages ({p})"));
            }
        }
    }
    // Leaf columns, in order (the root has children; so do groups).
    let mut st = conn.prepare(
        "SELECT name, type, coalesce(converted_type, ''), coalesce(logical_type::VARCHAR, '') \
         FROM parquet_schema(?) WHERE coalesce(num_children, 0) = 0",
    )?;
    let leaves: Vec<(String, String, String, String)> = st
        .query_map(params![name], |r| {
            Ok((r.get(0)?, r.get::<_, Option<String>>(1)?.unwrap_or_default(), r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    let want: Vec<&str> = table.columns.iter().map(|c| c.0).collect();
    let got: Vec<&str> = leaves.iter().map(|l| l.0.as_str()).collect();
    if got != want {
        v.push(format!("columns {got:?} are not the DDL's non-partition columns in order {want:?}"));
    }
    for ((col, ty), (name, phys, conv, logical)) in table.columns.iter().zip(&leaves) {
        if !ty.parquet_physical().contains(&phys.as_str()) {
            v.push(format!("column {name}: Parquet type {phys} cannot be read as Impala {} ({col})", ty.impala()));
        }
        let ann = format!("{conv} {logical}").to_ascii_uppercase();
        if ann.contains("UINT") || ann.contains("UNSIGNED") || ann.contains("ISSIGNED=FALSE") {
            v.push(format!("column {name}: unsigned annotation {conv}{logical}; Impala reads it as signed"));
        }
        if ann.contains("DECIMAL") {
            v.push(format!("column {name}: DECIMAL annotation, but the DDL says {}", ty.impala()));
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{PROXY_INGEST_SUMMARY, PROXY_SCORES};

    const ZSTD_OK: Rules = Rules { allow_zstd: true };

    fn write(conn: &Connection, dir: &Path, name: &str, select: &str, options: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        // Test-only SQL: constant SELECTs and options, the path bound.
        conn.execute(&format!("COPY ({select}) TO ? (FORMAT PARQUET{options})"), params![p.display().to_string()])
            .unwrap();
        p
    }

    fn good_summary() -> &'static str {
        "SELECT CAST('2016-07-08 13:57' AS VARCHAR) AS tdate, CAST(42 AS BIGINT) AS total \
         FROM range(3)"
    }

    #[test]
    fn our_export_form_passes() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open_in_memory().unwrap();
        for codec in ["SNAPPY", "GZIP", "ZSTD", "UNCOMPRESSED"] {
            let p = write(
                &conn,
                dir.path(),
                &format!("s-{codec}.parquet"),
                good_summary(),
                &format!(", COMPRESSION {codec}"),
            );
            let v = violations(&conn, &p, &PROXY_INGEST_SUMMARY, Some(3), ZSTD_OK).unwrap();
            assert!(v.is_empty(), "{codec}: {v:?}");
        }
        // Every proxy_scores column cast from the store's types.
        let (conn, _ws, _scratch) = crate::store::scratch().unwrap();
        conn.execute_batch(
            "INSERT INTO proxy_scores VALUES ('2016-07-08','13:57:36','10.0.0.1','a.com','GET','ua','text/html',12,'-',
             'cat','-',200,80,'/x','-','1.2.3.4',512,64,'a.com/x','w',0.25,'','OK','',0,'h',1,'topic model',2016,7,8),
             ('2016-07-08','13:57:37',NULL,'a.com','GET','ua','text/html',NULL,'-','cat','-',NULL,NULL,'/x','-','1.2.3.4',
             NULL,NULL,'a.com/x','w',NULL,NULL,'OK','',0,'h',NULL,NULL,2016,7,8)",
        )
        .unwrap();
        let p = write(
            &conn,
            dir.path(),
            "scores.parquet",
            &format!("SELECT {} FROM proxy_scores", PROXY_SCORES.cast_list()),
            ", COMPRESSION SNAPPY",
        );
        let v = violations(&conn, &p, &PROXY_SCORES, Some(2), Rules { allow_zstd: false }).unwrap();
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn what_impala_cannot_read_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open_in_memory().unwrap();
        let cases: [(&str, &str, &str, &str); 8] = [
            ("lz4.parquet", good_summary(), ", COMPRESSION LZ4", "codec LZ4"),
            ("v2.parquet", good_summary(), ", PARQUET_VERSION V2", "format version 2"),
            (
                "hugeint.parquet",
                "SELECT CAST('x' AS VARCHAR) AS tdate, sum(range) AS total FROM range(3)",
                "",
                "Parquet type DOUBLE cannot be read as Impala BIGINT",
            ),
            (
                "swapped.parquet",
                "SELECT CAST(42 AS BIGINT) AS total, CAST('x' AS VARCHAR) AS tdate FROM range(3)",
                "",
                "not the DDL's non-partition columns in order",
            ),
            (
                "unsigned.parquet",
                "SELECT CAST('x' AS VARCHAR) AS tdate, CAST(42 AS UINTEGER) AS total FROM range(3)",
                "",
                "unsigned",
            ),
            (
                "decimal.parquet",
                "SELECT CAST('x' AS VARCHAR) AS tdate, CAST(4.5 AS DECIMAL(9,1)) AS total FROM range(3)",
                "",
                "DECIMAL",
            ),
            (
                "empty.parquet",
                "SELECT CAST('x' AS VARCHAR) AS tdate, CAST(1 AS BIGINT) AS total WHERE false",
                "",
                "no rows",
            ),
            ("_hidden.parquet", good_summary(), "", "hidden from Impala"),
        ];
        for (name, select, opts, want) in cases {
            let p = write(&conn, dir.path(), name, select, opts);
            let v = violations(&conn, &p, &PROXY_INGEST_SUMMARY, None, Rules { allow_zstd: false }).unwrap();
            assert!(v.iter().any(|m| m.contains(want)), "{name}: want {want:?} in {v:?}");
        }
        // ZSTD only when allowed; a wrong row count.
        let p = write(&conn, dir.path(), "z.parquet", good_summary(), ", COMPRESSION ZSTD");
        let v = violations(&conn, &p, &PROXY_INGEST_SUMMARY, Some(4), Rules { allow_zstd: false }).unwrap();
        assert!(v.iter().any(|m| m.contains("codec ZSTD")), "{v:?}");
        assert!(v.iter().any(|m| m.contains("3 rows, expected 4")), "{v:?}");
    }
}
