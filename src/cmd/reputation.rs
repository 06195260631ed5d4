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
        ReputationCommand::List => super::print_imported(ctx, &cache.feeds()?, "format", true, "no feeds imported")?,
    }
    Ok(())
}
