//! `proxy-oa rank`

use super::Ctx;
use crate::cli::RankArgs;
use anyhow::Result;

pub fn main(ctx: &Ctx, a: RankArgs) -> Result<()> {
    let report = crate::pipeline::rank(&ctx.ws, &ctx.cfg, a.date, &a.raw, a.corpus.as_deref())?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        out!("{}", report.to_text());
    }
    Ok(())
}
