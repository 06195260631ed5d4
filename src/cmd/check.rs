//! `proxy-oa check`: validate the configuration without processing data.

use super::Ctx;
use anyhow::Result;

pub fn main(ctx: &Ctx) -> Result<()> {
    let lines = ctx.cfg.check()?;
    let name =
        ctx.cfg.source.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "embedded default config".into());
    if ctx.json {
        println!("{}", serde_json::json!({ "config": name, "ok": true, "checks": lines }));
    } else {
        println!("{name}: ok");
        for l in lines {
            println!("  {l}");
        }
    }
    Ok(())
}
