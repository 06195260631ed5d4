//! `proxy-oa allow ...`: known-good lists.

use super::Ctx;
use crate::cli::AllowCommand;
use crate::enrich::cache::Cache;
use crate::error::Error;
use anyhow::Result;

pub fn main(ctx: &Ctx, c: AllowCommand) -> Result<()> {
    let mut cache = Cache::open(&ctx.ws.cache_path())?;
    match c {
        AllowCommand::Import { file, name } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| Error::Unavailable(format!("reading known-good list {}: {e}", file.display())))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                Error::Data(format!("{}: not UTF-8 (byte {})", file.display(), e.utf8_error().valid_up_to()))
            })?;
            let name = name.unwrap_or_else(|| default_name(&file));
            if name.is_empty() || name.contains([':', ';', '|']) || name.contains(char::is_whitespace) {
                return Err(Error::Usage(format!(
                    "--name '{name}': a list name may not be empty or contain : ; | or spaces"
                ))
                .into());
            }
            let p = cache.import_allow_text(&text, &name, &file.display().to_string())?;
            outln!("imported known-good list '{name}' from {}: {} entries", file.display(), p.entries.len());
        }
        AllowCommand::List => {
            super::print_imported(ctx, &cache.allow_sources()?, "title", false, "no known-good lists imported")?
        }
    }
    Ok(())
}

/// A list's default name: a MISP `list.json`'s folder name, else the file name without its extension.
fn default_name(file: &std::path::Path) -> String {
    let stem = file.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
    if stem == "list" {
        if let Some(dir) = file.parent().and_then(|d| d.file_name()) {
            return dir.to_string_lossy().to_lowercase();
        }
    }
    stem
}
