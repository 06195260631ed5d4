//! `proxy-oa bench`: [`crate::bench::run`], printed.

use super::Ctx;
use crate::bench::{self, mib};
use crate::cli::BenchArgs;
use anyhow::Result;

pub fn main(ctx: &Ctx, a: BenchArgs) -> Result<()> {
    let r = bench::run(&ctx.ws, &ctx.cfg, a.rows, a.clients, &a.limits)?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&serde_json::json!({ "cases": r.cases, "report": r.report }))?);
        return Ok(());
    }
    outln!(
        "bench: {} raw rows of {} browsing clients ({:.0} MiB Blue Coat log, {:.0} MiB as Spot Parquet) generated \
         in {:.1} s; memory_limit {}, threads {}",
        r.rows,
        a.clients,
        r.log_mib,
        r.parquet_mib,
        r.generate_seconds,
        ctx.cfg.store.memory_limit,
        if ctx.cfg.store.threads == 0 { "all".to_string() } else { ctx.cfg.store.threads.to_string() }
    );
    for c in &r.cases {
        outln!("  {}", c.case);
        outln!(
            "    ours {:>7.2} s ({:.0} MB/s, peak {} MiB)   floor {:>7.2} s (peak {} MiB)   ratio {:.2}",
            c.ours_seconds,
            c.ours_mb_per_s,
            c.ours_peak_rss_mib.map(|m| m.to_string()).unwrap_or_else(|| "-".into()),
            c.floor_seconds,
            c.floor_peak_rss_mib.map(|m| m.to_string()).unwrap_or_else(|| "-".into()),
            c.ratio
        );
        outln!("    floor: {}", c.floor);
    }
    let page = &r.report;
    outln!(
        "  report of the Parquet day at limit {}: {} suspicious rows, {} proxy_edge rows, {:.1} MiB",
        r.page_limit,
        page.suspicious_rows,
        page.edge_rows,
        mib(page.bytes)
    );
    outln!("    written in {:.2} s", page.write_seconds);
    match (&page.open_ms, &page.browser) {
        (Some(ms), Some(b)) => outln!(
            "    opened in {}: ready after {} ms (fastest of {}: {:?} ms; goal < 2000 ms)",
            b,
            ms.iter().min().copied().unwrap_or(0),
            ms.len(),
            ms
        ),
        _ => outln!("    not opened: no chromium (set PROXY_OA_CHROMIUM or install Debian's chromium)"),
    }
    Ok(())
}
