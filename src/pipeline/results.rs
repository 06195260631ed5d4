//! The results stage: the first N valid rows of `proxy_results.csv` into the temporary table `stage_results`
//! ([`crate::schema::stage_results_ddl`]), where the enrichment stages fill their columns. Bad rows are counted
//! and kept, with line number and reason, in `proxy_results.rejected.tsv`.

use crate::config::ProxyConf;
use crate::error::Error;
use crate::input::results::{self, ReadError, ReadStats, Rejected, ResultRow};
use crate::quarantine::Quarantine;
use crate::schema;
use crate::stage::{Meter, Stage};
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use std::io::BufReader;
use std::path::Path;

/// Stage the first `limit` (0: all) valid rows of `path`; rejects go to `rejects`. Counts: rows read; matched =
/// rows kept; rejected. Fails (exit 1) when no row is valid (unless `empty_ok`: the ranker found no row at or
/// below its threshold, a day with nothing suspicious), or with `strict` when any row is rejected.
pub fn stage(
    conn: &Connection,
    path: &Path,
    conf: &ProxyConf,
    limit: usize,
    rejects: &Path,
    strict: bool,
    empty_ok: bool,
) -> Result<Stage> {
    let m = Meter::start();
    conn.execute_batch(&schema::stage_results_ddl())?;
    conn.execute_batch(&schema::stage_results_in_ddl())?;
    let mut quarantine = Quarantine::new(rejects.to_path_buf(), "line\treason\trow\n")?;
    let stats = read_into(conn, path, conf, limit, &mut quarantine)?;
    conn.execute_batch(
        "INSERT INTO stage_results BY NAME SELECT * FROM stage_results_in ORDER BY rn; DROP TABLE stage_results_in;",
    )?;
    let mut stage = Stage::new("results");
    if let Some(p) = quarantine.finish()? {
        stage.warnings.push(format!(
            "{} rows of {} rejected, kept with line numbers and reasons in {}",
            stats.rejected,
            path.display(),
            p.display()
        ));
        stage.outputs.push(p);
    }
    if stats.rows == 0 && stats.rejected == 0 && empty_ok {
        stage.warnings.push(format!("{}: no row scored at or below the ranker's threshold", path.display()));
    } else if stats.rows == 0 {
        return Err(Error::Data(format!(
            "{}: no valid row{}",
            path.display(),
            if stats.rejected > 0 {
                format!(" ({} rejected, see {})", stats.rejected, rejects.display())
            } else {
                String::new()
            }
        ))
        .into());
    }
    if strict && stats.rejected > 0 {
        return Err(Error::Data(format!(
            "{}: {} rows rejected and --strict is given (see {})",
            path.display(),
            stats.rejected,
            rejects.display()
        ))
        .into());
    }
    stage.note = format!("first {} valid rows", if limit == 0 { "all".to_string() } else { limit.to_string() });
    if stats.stopped_at_limit {
        stage.note.push_str(&format!(", stopped at line {}", stats.lines));
    }
    Ok(m.finish(Stage { rows_in: stats.rows + stats.rejected, matched: stats.rows, rejected: stats.rejected, ..stage }))
}

/// Append the first `limit` valid rows of `path` to `stage_results_in`; rejects into `quarantine`.
fn read_into(
    conn: &Connection,
    path: &Path,
    conf: &ProxyConf,
    limit: usize,
    quarantine: &mut Quarantine,
) -> Result<ReadStats> {
    let mut app = conn.appender_to_catalog_and_db("stage_results_in", "temp", "main")?;
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let res = results::read(
        BufReader::with_capacity(1 << 16, file),
        conf,
        limit,
        |r: ResultRow| -> Result<()> { append(&mut app, &r) },
        |rej: Rejected| -> Result<()> {
            quarantine.write(&[rej.line.to_string().as_bytes(), rej.reason.as_bytes(), &rej.raw])
        },
    );
    let stats = match res {
        Ok(s) => s,
        Err(ReadError::Io(e)) => return Err(Error::Data(format!("reading {}: {e}", path.display())).into()),
        Err(ReadError::Sink(e)) => return Err(e),
    };
    app.flush().context("staging the results rows")?;
    Ok(stats)
}

/// One row: rn, hh, then the first [`schema::RESULTS_COLUMNS`] proxy_scores columns; the others start NULL in
/// stage_results (filled by name) and each later stage fills its own.
fn append(app: &mut duckdb::Appender, r: &ResultRow) -> Result<()> {
    app.append_row(params![
        r.line as i64,
        i32::from(r.hour),
        r.p_date,
        r.p_time,
        r.clientip,
        r.host,
        r.reqmethod,
        r.useragent,
        r.resconttype,
        r.duration,
        r.username,
        r.webcat,
        r.referer,
        r.respcode,
        r.uriport,
        r.uripath,
        r.uriquery,
        r.serverip,
        r.scbytes,
        r.csbytes,
        r.fulluri,
        r.word,
        r.score
    ])?;
    Ok(())
}
