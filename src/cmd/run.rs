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
        let plan = crate::cluster::plan(&ctx.cfg, a.date, std::path::Path::new("<step>.sql"))?;
        if ctx.json {
            outln!("{}", serde_json::to_string_pretty(&plan)?);
        } else {
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
