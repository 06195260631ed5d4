//! `proxy-oa report`: [`crate::report::write_day`], printed.

use super::Ctx;
use crate::cli::ReportArgs;
use crate::report::{self, ReportOptions, ReportSummary};
use anyhow::Result;

pub fn main(ctx: &Ctx, a: ReportArgs) -> Result<()> {
    let stamp = a.stamp.then(|| chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
    let r = report::write_day(&ctx.ws, &ctx.cfg, a.date, &ReportOptions { out: a.out, stamp })?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    print(&r)
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
