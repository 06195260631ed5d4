//! The hash stage: `hash` of every staged row, the edge hash of its (clientip, fulluri, hour)
//! ([`crate::text::edge_hash`]), which names the edge in `proxy_scores`, `proxy_edge` and the feedback file.

use crate::stage::{Meter, Stage};
use crate::text::edge_hash;
use anyhow::{Context, Result};
use duckdb::{params, Connection};

/// Fill `hash`. Counts: rows in; matched = distinct edges.
pub fn apply(conn: &Connection) -> Result<Stage> {
    let meter = Meter::start();
    let edges: Vec<(String, String, i32)> = {
        let mut st = conn.prepare("SELECT DISTINCT clientip, fulluri, hh FROM stage_results ORDER BY ALL")?;
        let v = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        v
    };
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE lk_hash (clientip VARCHAR, fulluri VARCHAR, hh INTEGER, hash VARCHAR)",
    )?;
    {
        let mut app = conn.appender_to_catalog_and_db("lk_hash", "temp", "main")?;
        for (ip, uri, hh) in &edges {
            let hour = u8::try_from(*hh).with_context(|| format!("hour {hh} of {ip} {uri}: not an hour of the day"))?;
            app.append_row(params![ip, uri, hh, edge_hash(ip, uri, hour)])?;
        }
        app.flush()?;
    }
    conn.execute_batch(
        "UPDATE stage_results SET hash = (SELECT k.hash FROM lk_hash k WHERE k.clientip = stage_results.clientip
           AND k.fulluri = stage_results.fulluri AND k.hh = stage_results.hh)",
    )?;
    let rows: i64 = conn.query_row("SELECT count(*) FROM stage_results", [], |r| r.get(0))?;
    Ok(meter.finish(Stage {
        rows_in: rows as u64,
        matched: edges.len() as u64,
        note: format!("{} distinct (clientip, fulluri, hour) edges", edges.len()),
        ..Stage::new("hash")
    }))
}
