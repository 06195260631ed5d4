//! `proxy-oa report`: the day as one self-contained HTML page.

use super::Ctx;
use crate::cli::ReportArgs;
use crate::day::Day;
use crate::enrich::cache::Cache;
use crate::report::{self, ReportOptions, ReportSummary};
use crate::store;
use crate::workspace::Workspace;
use anyhow::Result;

pub fn main(ctx: &Ctx, a: ReportArgs) -> Result<()> {
    let stamp = a.stamp.then(|| chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
    let r = write(ctx, &ctx.ws, a.date, ReportOptions { out: a.out, stamp })?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    print(&r)
}

/// Write the report of `day` with the store and reference data of `ws`.
pub(crate) fn write(ctx: &Ctx, ws: &Workspace, day: Day, opts: ReportOptions) -> Result<ReportSummary> {
    let mut cache = Cache::open(&ws.cache_path())?;
    cache.ensure_iana(ctx.cfg.iana_path().as_deref())?;
    let iana = cache.iana()?;
    let conn = store::open(ws, &ctx.cfg.store)?;
    report::write(ws, &conn, &iana, day, &opts)
}

/// The report's one-line summary, then its notices.
pub(crate) fn print(r: &ReportSummary) -> Result<()> {
    outln!(
        "report of {}: {} ({} suspicious rows, {} proxy_edge rows, {} scored URIs, {} bytes)",
        r.date,
        r.path.display(),
        r.suspicious_rows,
        r.edge_rows,
        r.threats,
        r.bytes
    );
    for n in &r.notices {
        outln!("  note: {n}");
    }
    Ok(())
}
