//! Quarantine files: rows that could not be used, kept with where they came from and why, never dropped.

use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// A TSV quarantine file, created on the first reject; a stale one from an earlier run is removed up front.
pub struct Quarantine {
    path: PathBuf,
    header: &'static str,
    out: Option<BufWriter<std::fs::File>>,
}

impl Quarantine {
    /// A quarantine at `path` whose first line will be `header` (ending in a newline).
    pub fn new(path: PathBuf, header: &'static str) -> Result<Self> {
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
        Ok(Quarantine { path, header, out: None })
    }

    /// The file's path (whether or not anything was written yet).
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Append one line of TAB-separated fields.
    pub fn write(&mut self, fields: &[&[u8]]) -> Result<()> {
        let out = match self.out.take() {
            Some(out) => self.out.insert(out),
            None => {
                let mut f = BufWriter::new(
                    std::fs::File::create(&self.path).with_context(|| format!("creating {}", self.path.display()))?,
                );
                f.write_all(self.header.as_bytes())?;
                self.out.insert(f)
            }
        };
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.write_all(b"\t")?;
            }
            out.write_all(f)?;
        }
        out.write_all(b"\n")?;
        Ok(())
    }

    /// Flush; the file's path if anything was written.
    pub fn finish(self) -> Result<Option<PathBuf>> {
        match self.out {
            None => Ok(None),
            Some(mut f) => {
                f.flush().with_context(|| format!("writing {}", self.path.display()))?;
                Ok(Some(self.path))
            }
        }
    }
}
