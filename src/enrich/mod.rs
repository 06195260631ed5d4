//! Enrichment stages. Each works on the staged results rows (the temporary table `stage_results`, see
//! [`crate::schema::stage_results_ddl`]), fills its own column and never rewrites another, and returns its own
//! counts ([`crate::stage::Stage`]):
//!
//! | stage | unit | fills |
//! |---|---|---|
//! | reputation | [`reputation::Reputation::apply`] | `uri_rep` |
//! | known good | [`allow::apply`] | `allow:KNOWN_GOOD:0:<list>` first in `uri_rep` |
//! | IANA | [`iana::apply`] | `respcode_name` |
//! | network context | [`network_context::apply`] | `network_context` |
//! | hash | [`hash::apply`] | `hash` (see [`crate::text::edge_hash`]) |
//! | severity | [`severity::apply`] | `uri_sev` |
//!
//! Their reference data (IANA names, network context, feeds, cached online answers) is in `cache.sqlite`
//! ([`cache`]).

pub mod allow;
pub mod cache;
pub mod hash;
pub mod iana;
pub mod network_context;
pub mod reputation;
pub mod severity;

use anyhow::Result;
use duckdb::Connection;

/// Staged rows, and how many of them have `column` filled with something other than the empty string.
fn filled(conn: &Connection, column: &str) -> Result<(u64, u64)> {
    // The column name is a constant of the calling stage.
    let sql = format!("SELECT count(*), count(*) FILTER (WHERE {column} <> '') FROM stage_results");
    let (n, k): (i64, i64) = conn.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((n as u64, k as u64))
}
