//! `proxy-oa rank`

use super::Ctx;
use crate::cli::RankArgs;
use crate::config::Where;
use crate::error::Error;
use anyhow::Result;

pub fn main(ctx: &Ctx, a: RankArgs) -> Result<()> {
    let on_cluster = a.on_cluster || (ctx.cfg.pipeline.location == Where::Cluster && a.raw.is_empty());
    if a.dry_run {
        if !on_cluster {
            return Err(Error::Usage(
                "--dry-run prints a ranking on the cluster: add --on-cluster or set [pipeline] where = \"cluster\""
                    .into(),
            )
            .into());
        }
        let plan = crate::rank::cluster::plan(&ctx.cfg, a.date, std::path::Path::new("<step>.sql"))?;
        if ctx.json {
            outln!("{}", serde_json::to_string_pretty(&plan)?);
        } else {
            out!("{}", plan.to_text());
        }
        return Ok(());
    }
    let report = if on_cluster {
        crate::pipeline::rank_on_cluster(&ctx.ws, &ctx.cfg, a.date, a.corpus.as_deref())?
    } else {
        crate::pipeline::rank(&ctx.ws, &ctx.cfg, a.date, &a.raw, a.corpus.as_deref())?
    };
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        out!("{}", report.to_text());
    }
    Ok(())
}
