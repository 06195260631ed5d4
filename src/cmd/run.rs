//! `proxy-oa run`

use super::Ctx;
use crate::cli::RunArgs;
use crate::pipeline::{self, RunOptions};
use anyhow::Result;

pub fn main(ctx: &Ctx, a: RunArgs) -> Result<()> {
    let opts = RunOptions {
        day: a.date,
        results: a.results,
        raw: a.raw,
        limit: a.limit,
        strict: a.strict,
        offline: a.offline,
        reset: a.reset,
    };
    let summary = pipeline::run(&ctx.ws, &ctx.cfg, &opts)?;
    super::print_summary(ctx, &summary)
}
