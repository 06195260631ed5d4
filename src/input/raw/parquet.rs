//! Spot's own Parquet files of the raw day, validated from their footers and placed as they are.

use super::{FileStats, Format, RAW_COLUMNS};
use crate::digest::file_sha256_remembered;
use crate::error::Error;
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use std::path::Path;

/// A Spot Parquet file, validated from its footer and placed in `dest` under its hour folder (`h=HH/`, from its
/// path) as it is. Counts the rows of the day and of other days.
pub(super) fn place(conn: &Connection, iso: &str, path: &Path, dest: &Path) -> Result<FileStats> {
    let (bytes, sha256) = file_sha256_remembered(path)?;
    let name = path.display().to_string();
    let bad = |e: duckdb::Error| Error::Data(format!("{name}: reading Spot Parquet: {e}"));
    // The schema from the footer: every data column of Spot's table, by name.
    let present: Vec<String> = {
        let mut st = conn.prepare("SELECT name FROM parquet_schema(?)").map_err(bad)?;
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
    let (total, rows): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE proxy_text(p_date) = ?) FROM read_parquet(?)",
            params![iso, name],
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
        format: Format::PARQUET,
        gzip: false,
        bytes,
        sha256,
        rows: rows as u64,
        other_date: (total - rows) as u64,
        rejected: 0,
        warnings: vec![],
    })
}
