//! `proxy-oa check`: validate the configuration without processing data.

use super::Ctx;
use anyhow::Result;

pub fn main(ctx: &Ctx) -> Result<()> {
    let lines = ctx.cfg.describe()?;
    let name =
        ctx.cfg.source.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "embedded default config".into());
    if ctx.json {
        outln!("{}", serde_json::json!({ "config": name, "ok": true, "checks": lines }));
    } else {
        outln!("{name}: ok");
        for l in lines {
            outln!("  {l}");
        }
    }
    Ok(())
}
