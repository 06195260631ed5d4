//! `proxy-oa fetch`

use super::Ctx;
use crate::cli::FetchArgs;
use crate::error::Error;
use crate::hdfs::{self, Fetcher, Source};
use anyhow::Result;

pub fn main(ctx: &Ctx, a: FetchArgs) -> Result<()> {
    let h = &ctx.cfg.hdfs;
    if h.namenode.is_empty() {
        return Err(Error::Config(
            "[hdfs] namenode is empty: set it to webhdfs://host:port or hdfs://nameservice to fetch from a cluster"
                .into(),
        )
        .into());
    }
    let base = h.namenode.trim_end_matches('/');
    let (results, raw) = hdfs::spot_paths(&h.huser, a.date);
    ctx.ws.prepare_day(a.date)?;
    let dir = ctx.ws.data_dir(a.date);
    let mut f = Fetcher::new(&ctx.cfg.hdfs, &dir)?;
    if !a.raw_only {
        f.file(&Source::parse(&format!("{base}{results}"))?, "proxy_results.csv")?;
    }
    if !a.results_only {
        f.tree(&Source::parse(&format!("{base}{raw}"))?, "raw")?;
    }
    let lines = f.finish()?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&lines)?);
    } else {
        outln!("proxy-oa fetch {} into {}", a.date.compact(), dir.display());
        out!("{}", hdfs::describe(&lines));
        outln!("  manifest   {}", dir.join(hdfs::MANIFEST).display());
    }
    Ok(())
}
