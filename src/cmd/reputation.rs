//! `proxy-oa reputation ...`: threat-intel feeds for the offline reputation service.

use super::Ctx;
use crate::cli::ReputationCommand;
use crate::enrich::cache::Cache;
use crate::enrich::reputation::feed::Format;
use crate::error::Error;
use anyhow::Result;

pub fn main(ctx: &Ctx, c: ReputationCommand) -> Result<()> {
    let mut cache = Cache::open(&ctx.ws.cache_path())?;
    match c {
        ReputationCommand::Import { file, format, name } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| Error::Unavailable(format!("reading feed {}: {e}", file.display())))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                Error::Data(format!("{}: not UTF-8 (byte {})", file.display(), e.utf8_error().valid_up_to()))
            })?;
            let fmt = match format {
                Some(f) => Format::from_name(&f)
                    .ok_or_else(|| Error::Usage(format!("--format {f}: expected urlhaus, phishtank, list or misp")))?,
                None => Format::detect(&text),
            };
            let name = name.unwrap_or_else(|| match fmt {
                Format::List => {
                    file.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_else(|| "list".into())
                }
                other => other.name().to_string(),
            });
            if name.is_empty() || name.contains([':', ';', '|']) {
                return Err(
                    Error::Usage(format!("--name '{name}': a feed name may not be empty or contain : ; |")).into()
                );
            }
            let p = cache.import_feed_text(&text, fmt.name(), &name, &file.display().to_string())?;
            outln!(
                "imported feed '{name}' ({} format) from {}: {} entries, {} rows skipped",
                fmt.name(),
                file.display(),
                p.entries.len(),
                p.skipped
            );
        }
        ReputationCommand::List => {
            let feeds = cache.feeds()?;
            if ctx.json {
                let v: Vec<serde_json::Value> = feeds
                    .iter()
                    .map(|f| serde_json::json!({"name": f.name, "format": f.format, "path": f.path, "sha256": f.sha256, "rows": f.rows, "imported_at": f.imported_at}))
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&v)?);
            } else if feeds.is_empty() {
                outln!("no feeds imported");
            } else {
                for f in feeds {
                    outln!(
                        "{}\t{}\t{} entries\t{}\tsha256 {}\timported {}{}",
                        f.name,
                        f.format,
                        f.rows,
                        f.path,
                        f.sha256,
                        f.imported_at,
                        super::allow::age(&f.imported_at, ctx.cfg.reputation.max_age_days)
                    );
                }
            }
        }
    }
    Ok(())
}
