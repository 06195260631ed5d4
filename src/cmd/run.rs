//! `proxy-oa run`

use super::Ctx;
use crate::cli::RunArgs;
use crate::config::Where;
use crate::error::Error;
use crate::pipeline::{self, RunOptions};
use anyhow::Result;

pub fn main(ctx: &Ctx, a: RunArgs) -> Result<()> {
    let on_cluster = a.on_cluster || ctx.cfg.pipeline.location == Where::Cluster;
    if a.dry_run {
        if !on_cluster {
            return Err(Error::Usage(
                "--dry-run prints a run on the cluster: add --on-cluster or set [pipeline] where = \"cluster\"".into(),
            )
            .into());
        }
        let script = std::path::Path::new("<step>.sql");
        let plan = crate::cluster::plan(&ctx.cfg, a.date, script)?;
        // On Spark SQL the behaviour detectors run on the cluster too, before the list is ordered.
        let findings = if crate::engine::dialect_of(&ctx.cfg)? == crate::dialect::Dialect::Spark {
            Some(crate::findings::cluster::plan(&ctx.cfg, a.date, script, &[])?)
        } else {
            None
        };
        if ctx.json {
            let mut v = serde_json::to_value(&plan)?;
            if let (Some(f), Some(o)) = (findings, v.as_object_mut()) {
                o.insert("findings".into(), serde_json::to_value(f)?);
            }
            outln!("{}", serde_json::to_string_pretty(&v)?);
        } else {
            if let Some(f) = &findings {
                out!("{}", f.to_text());
            }
            out!("{}", plan.to_text());
        }
        return Ok(());
    }
    let opts = RunOptions {
        day: a.date,
        results: a.results,
        raw: a.raw,
        limit: a.limit,
        strict: a.strict,
        offline: a.offline,
        reset: a.reset,
        on_cluster,
    };
    if on_cluster && !opts.raw.is_empty() {
        return Err(Error::Usage(
            "--raw names a raw day for a local run; a run on the cluster reads the cluster's `proxy` table".into(),
        )
        .into());
    }
    let summary = pipeline::run(&ctx.ws, &ctx.cfg, &opts)?;
    super::print_summary(ctx, &summary)
}
