//! `proxy-oa sigma ...`: Sigma's proxy rules for the `sigma` detector.

use super::Ctx;
use crate::cli::SigmaCommand;
use crate::enrich::cache::Cache;
use crate::error::Error;
use crate::findings::sigma::{self, Parsed};
use anyhow::Result;
use std::path::PathBuf;

pub fn main(ctx: &Ctx, c: SigmaCommand) -> Result<()> {
    let mut cache = Cache::open(&ctx.ws.cache_path())?;
    match c {
        SigmaCommand::Import { paths } => import(&mut cache, &paths),
        SigmaCommand::List => list(ctx, &cache),
        SigmaCommand::Clear => {
            outln!("removed {} Sigma rules", cache.sigma_clear()?);
            Ok(())
        }
    }
}

/// Every file given, and every `.yml`/`.yaml` file under each folder given, read and checked first; then the proxy
/// rules stored. A file that cannot be read or is no YAML rule stops the import before anything is stored.
fn import(cache: &mut Cache, paths: &[PathBuf]) -> Result<()> {
    let mut files = vec![];
    for p in paths {
        if !p.exists() {
            return Err(Error::Unavailable(format!("{}: no such file or folder", p.display())).into());
        }
        if p.is_dir() {
            for e in crate::workspace::files_under(p)? {
                let ext = e.path().extension().map(|x| x.to_string_lossy().to_lowercase());
                if matches!(ext.as_deref(), Some("yml" | "yaml")) {
                    files.push(e.path().to_path_buf());
                }
            }
        } else {
            files.push(p.clone());
        }
    }
    let mut texts = vec![];
    for f in &files {
        let bytes = std::fs::read(f).map_err(|e| Error::Unavailable(format!("reading {}: {e}", f.display())))?;
        let text = String::from_utf8(bytes)
            .map_err(|e| Error::Data(format!("{}: not UTF-8 (byte {})", f.display(), e.utf8_error().valid_up_to())))?;
        sigma::parse(&text, &f.display().to_string()).map_err(Error::Data)?;
        texts.push((f.display().to_string(), text));
    }
    let (mut runs, mut refused, mut other) = (0, vec![], 0);
    for (path, text) in &texts {
        match crate::findings::sigma::import_text(cache, text, path)? {
            Parsed::Rule(_) => runs += 1,
            Parsed::Refused { title, reason, .. } => refused.push(format!("{title} ({path}): {reason}")),
            Parsed::NotProxy(_) => other += 1,
        }
    }
    outln!(
        "imported {} proxy rules from {} files: {runs} run, {} refused; {other} rules of other logsources left out",
        runs + refused.len(),
        texts.len(),
        refused.len()
    );
    for r in refused {
        outln!("  refused: {r}");
    }
    Ok(())
}

fn list(ctx: &Ctx, cache: &Cache) -> Result<()> {
    let rows = cache.sigma_list()?;
    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    if rows.is_empty() {
        outln!("no Sigma rules imported (proxy-oa sigma import DIR|FILE)");
        return Ok(());
    }
    outln!("id\tlevel\ttitle\tauthor\truns");
    for r in rows {
        let runs = if r.reason.is_empty() { "yes".to_string() } else { format!("no: {}", r.reason) };
        outln!("{}\t{}\t{}\t{}\t{runs}", r.id, r.level, r.title, r.author);
    }
    Ok(())
}
