//! `proxy-oa cache ...`: import and inspect reference data.

use super::Ctx;
use crate::cli::{CacheCommand, ImportCommand};
use crate::enrich::cache::Cache;
use crate::error::Error;
use anyhow::Result;

pub fn main(ctx: &Ctx, c: CacheCommand) -> Result<()> {
    let mut cache = Cache::open(&ctx.ws.cache_path())?;
    match c {
        CacheCommand::Iana(ImportCommand::Import { file }) => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| Error::Data(format!("reading {}: {e}", file.display())))?;
            let p = cache.import_iana_text(&text, &file.display().to_string())?;
            outln!(
                "imported {} response codes from {} ({} range or unassigned rows skipped)",
                p.names.len(),
                file.display(),
                p.skipped
            );
        }
        CacheCommand::Nc(ImportCommand::Import { file }) => {
            let n = cache.import_nc_file(&file)?;
            outln!("imported {n} network-context entries from {}", file.display());
        }
        CacheCommand::Topdomains(ImportCommand::Import { file }) => {
            let bytes = std::fs::read(&file).map_err(|e| Error::Data(format!("reading {}: {e}", file.display())))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                Error::Data(format!("{}: not UTF-8 (byte {})", file.display(), e.utf8_error().valid_up_to()))
            })?;
            let p = cache.import_topdomains_text(&text, &file.display().to_string())?;
            outln!(
                "imported {} top domains ({} distinct first labels) from {}",
                p.entries,
                p.labels.len(),
                file.display()
            );
        }
        CacheCommand::Show => {
            for kind in ["iana", "network_context", "topdomains"] {
                match cache.source(kind)? {
                    Some(s) => outln!(
                        "{kind}: {} rows from {} (sha256 {}, imported {})",
                        s.rows,
                        s.path,
                        s.sha256,
                        s.imported_at
                    ),
                    None => outln!("{kind}: empty"),
                }
            }
        }
    }
    Ok(())
}
