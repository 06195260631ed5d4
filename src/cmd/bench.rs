//! `proxy-oa bench`: a large generated day through the pipeline; rows/s and peak memory per stage.

use super::Ctx;
use crate::cli::BenchArgs;
use crate::day::Day;
use crate::pipeline::{self, RunOptions};
use crate::workspace::Workspace;
use anyhow::Result;
use std::time::Instant;

pub fn main(ctx: &Ctx, a: BenchArgs) -> Result<()> {
    let day: Day = crate::demo::DEMO_DATE.parse().map_err(anyhow::Error::msg)?;
    let root = ctx.ws.root().join("bench");
    let ws = Workspace::new(&root)?;
    let t = Instant::now();
    let files = crate::demo::write_day(&root.join("input"), &day.iso(), a.rows, a.limit.max(1))?;
    let gen = t.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&files.raw_log)?.len();
    let opts = RunOptions {
        day,
        results: Some(files.results.display().to_string()),
        raw: vec![files.raw_log.display().to_string()],
        limit: Some(a.limit),
        strict: false,
        offline: true,
        reset: false,
    };
    let s = pipeline::run(&ws, &ctx.cfg, &opts)?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    outln!(
        "bench: {} raw rows ({:.1} MiB Blue Coat log) generated in {gen:.1} s; memory_limit {}",
        a.rows,
        bytes as f64 / 1048576.0,
        ctx.cfg.store.memory_limit
    );
    outln!("  {:<16} {:>12} {:>10} {:>14} {:>14}", "stage", "rows", "seconds", "rows/s", "peak RSS MiB");
    for st in &s.stages {
        let rate = if st.seconds > 0.0 { st.rows_in as f64 / st.seconds } else { 0.0 };
        outln!(
            "  {:<16} {:>12} {:>10.2} {:>14.0} {:>14}",
            st.stage,
            st.rows_in,
            st.seconds,
            rate,
            st.peak_rss_mib.map(|m| m.to_string()).unwrap_or_else(|| "-".into())
        );
    }
    let peak = s.stages.iter().filter_map(|st| st.peak_rss_mib).max();
    outln!("  peak RSS over all stages: {} MiB", peak.map(|m| m.to_string()).unwrap_or_else(|| "-".into()));
    Ok(())
}
