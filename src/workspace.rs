//! The workspace: where a day's files and the store live.
//!
//! ```text
//! <workspace>/proxy-oa.duckdb                 the store
//! <workspace>/cache.sqlite                    IANA, network context (reference data)
//! <workspace>/data/proxy/<YYYYMMDD>/          proxy_results.csv copy, rejected-row files
//! <workspace>/ipynb/proxy/<YYYYMMDD>/         Threat_Investigation.ipynb, Advanced_Mode.ipynb
//! ```

use crate::day::Day;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The marker in a day's `raw/` folder that holds only the rows a cluster run brought back (written by
/// `crate::cluster`; a local run without `--raw` refuses such a folder).
pub const FROM_CLUSTER: &str = ".proxy-oa-from-cluster";

/// The analyst's feedback file in `data/proxy/<date>/` (the one spot-ml reads; `score` writes it, `rank` learns it).
pub const FEEDBACK_FILE: &str = "ml_feedback.csv";

/// Notebook templates embedded in the binary: (template name, name in the day's folder, content).
pub const NOTEBOOKS: [(&str, &str, &str); 2] = [
    (
        "Threat_Investigation_master.ipynb",
        "Threat_Investigation.ipynb",
        include_str!("notebooks/Threat_Investigation_master.ipynb"),
    ),
    ("Advanced_Mode_master.ipynb", "Advanced_Mode.ipynb", include_str!("notebooks/Advanced_Mode_master.ipynb")),
];

/// A workspace root.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// A workspace at `root` (created if missing).
    pub fn new(root: &Path) -> Result<Self> {
        std::fs::create_dir_all(root).with_context(|| format!("creating workspace {}", root.display()))?;
        Ok(Workspace { root: root.to_path_buf() })
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `proxy-oa.duckdb`.
    pub fn store_path(&self) -> PathBuf {
        self.root.join("proxy-oa.duckdb")
    }

    /// `cache.sqlite`.
    pub fn cache_path(&self) -> PathBuf {
        self.root.join("cache.sqlite")
    }

    /// DuckDB's default spill folder.
    pub fn tmp_path(&self) -> PathBuf {
        self.root.join(".proxy-oa-tmp")
    }

    /// `data/proxy/<date>/`.
    pub fn data_dir(&self, day: Day) -> PathBuf {
        self.root.join("data").join("proxy").join(day.compact())
    }

    /// `data/proxy/<date>/raw/`: the raw day as Parquet (Spot's files as they came, or ours, `proxy-oa-*.parquet`,
    /// under hour folders `h=HH/`).
    pub fn raw_dir(&self, day: Day) -> PathBuf {
        self.data_dir(day).join("raw")
    }

    /// The Parquet files of the raw day of every day in the workspace, sorted.
    pub fn all_raw_files(&self) -> Result<Vec<PathBuf>> {
        let base = self.root.join("data").join("proxy");
        let mut out = vec![];
        let entries = match std::fs::read_dir(&base) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e).with_context(|| format!("listing {}", base.display())),
        };
        for e in entries {
            let e = e.with_context(|| format!("listing {}", base.display()))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.len() == 8 && name.bytes().all(|b| b.is_ascii_digit()) {
                out.extend(parquet_files(&e.path().join("raw"))?);
            }
        }
        out.sort();
        Ok(out)
    }

    /// A Parquet file with the raw table's columns and no row, so that the `proxy` view has a file to read in a
    /// workspace without any raw day (written by the store when missing).
    pub fn no_rows_parquet(&self) -> PathBuf {
        self.root.join("data").join("proxy").join(".proxy-oa-no-rows.parquet")
    }

    /// `ipynb/proxy/<date>/`.
    pub fn ipynb_dir(&self, day: Day) -> PathBuf {
        self.root.join("ipynb").join("proxy").join(day.compact())
    }

    /// Create the day's folders and its notebooks (a notebook already there is kept: it may hold an analyst's
    /// work). Returns the notebooks written.
    pub fn prepare_day(&self, day: Day) -> Result<Vec<PathBuf>> {
        let data = self.data_dir(day);
        let ipynb = self.ipynb_dir(day);
        for d in [&data, &ipynb] {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
        }
        let mut written = vec![];
        for (_, name, content) in NOTEBOOKS {
            let p = ipynb.join(name);
            if !p.exists() {
                std::fs::write(&p, content).with_context(|| format!("writing {}", p.display()))?;
                written.push(p);
            }
        }
        Ok(written)
    }
}

/// The raw day's folder swap: the new day is written to `raw.new-<pid>/` beside `raw/`; [`RawSwap::swap`] moves
/// `raw/` to `raw.old-<pid>/` and the new folder into its place just before the tables are committed, and
/// [`RawSwap::finish`] removes the old one once they are. Dropped before the swap, it removes the new folder;
/// dropped after it without `finish` (the commit failed), it puts the old folder back.
pub struct RawSwap {
    raw: PathBuf,
    new: PathBuf,
    old: Option<PathBuf>,
    swapped: bool,
}

impl RawSwap {
    /// A fresh folder for the new raw day of `day` (left-overs of a killed run are removed first).
    pub fn new(ws: &Workspace, day: Day) -> Result<RawSwap> {
        let dir = ws.data_dir(day);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with("raw.new-") {
                    std::fs::remove_dir_all(e.path()).with_context(|| format!("removing {}", e.path().display()))?;
                }
            }
        }
        let new = dir.join(format!("raw.new-{}", std::process::id()));
        Ok(RawSwap { raw: ws.raw_dir(day), new, old: None, swapped: false })
    }

    /// The new folder to write the raw day into.
    pub fn dir(&self) -> &Path {
        &self.new
    }

    /// Put the new raw day in place of the old one.
    pub fn swap(&mut self) -> Result<()> {
        std::fs::create_dir_all(&self.new).with_context(|| format!("creating {}", self.new.display()))?;
        if self.raw.exists() {
            let old = self.raw.with_file_name(format!("raw.old-{}", std::process::id()));
            std::fs::rename(&self.raw, &old).with_context(|| format!("moving {} aside", self.raw.display()))?;
            self.old = Some(old);
        }
        std::fs::rename(&self.new, &self.raw).with_context(|| format!("moving {} into place", self.new.display()))?;
        self.swapped = true;
        Ok(())
    }

    /// The commit went through: the old raw day goes.
    pub fn finish(mut self) {
        if let Some(old) = self.old.take() {
            if let Err(e) = std::fs::remove_dir_all(&old) {
                log::warn!("could not remove the previous raw day {}: {e}", old.display());
            }
        }
        self.swapped = false;
        self.new = PathBuf::new();
    }
}

impl Drop for RawSwap {
    fn drop(&mut self) {
        if self.new.as_os_str().is_empty() {
            return;
        }
        if !self.swapped {
            // The run failed before the swap: the new day goes, the old one was never touched.
            let _ = std::fs::remove_dir_all(&self.new);
            return;
        }
        // The commit failed: the new day goes and the old one back into place.
        let _ = std::fs::remove_dir_all(&self.raw);
        if let Some(old) = &self.old {
            if let Err(e) = std::fs::rename(old, &self.raw) {
                log::error!("could not put the previous raw day back from {}: {e}", old.display());
            }
        }
    }
}

/// A hidden temporary file in `dest`'s folder (created if needed; the current folder for a bare file name), to be
/// renamed onto `dest` once complete, so a reader never sees half a file and a failure leaves the previous one.
pub fn temp_beside(dest: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    tempfile::Builder::new()
        .prefix(".proxy-oa-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))
}

/// The `.parquet` files under `dir` (any depth, hidden `.x`/`_x` names skipped), sorted; none when `dir` is missing.
pub fn parquet_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = vec![];
    for e in files_under(dir)? {
        let name = e.file_name().to_string_lossy();
        if name.ends_with(".parquet") || e.file_type().is_file() && is_parquet(e.path()) {
            out.push(e.into_path());
        }
    }
    Ok(out)
}

/// Whether a file or folder name is hidden, as Hadoop and Impala treat names (`.x`, `_x`).
pub fn hidden_name(name: &std::ffi::OsStr) -> bool {
    let n = name.to_string_lossy();
    n.starts_with('.') || n.starts_with('_')
}

/// The files under `root` (a file itself, or a folder walked to any depth, links followed, a loop refused), hidden names
/// skipped below the root, in path order; none when `root` is missing.
pub fn files_under(root: &Path) -> Result<Vec<walkdir::DirEntry>> {
    let mut out = vec![];
    let walk = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter();
    for e in walk.filter_entry(|e| e.depth() == 0 || !hidden_name(e.file_name())) {
        match e {
            Ok(e) if !e.file_type().is_dir() => out.push(e),
            Ok(_) => {}
            Err(err)
                if err.depth() == 0 && err.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) =>
            {
                return Ok(vec![]);
            }
            Err(err) => {
                let at = err.path().unwrap_or(root).display().to_string();
                return Err(anyhow::Error::new(err).context(format!("listing {at}")));
            }
        }
    }
    Ok(out)
}

/// Whether a file starts with Parquet's magic (Spot's files need not end in `.parquet`).
fn is_parquet(p: &Path) -> bool {
    let mut head = [0u8; 4];
    std::fs::File::open(p).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head)).is_ok() && &head == b"PAR1"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_skips_hidden_names_reads_nothing_for_a_missing_folder_and_refuses_a_loop() {
        let d = tempfile::tempdir().unwrap();
        for f in ["x.parquet", ".hidden/y.parquet", "_tmp/z.parquet", "sub/w.parquet", "sub/.partial.parquet"] {
            let p = d.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, b"PAR1").unwrap();
        }
        std::fs::write(d.path().join("sub/notes.txt"), b"x").unwrap();
        let got: Vec<String> = parquet_files(d.path())
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(d.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(got, ["sub/w.parquet", "x.parquet"]);
        assert!(parquet_files(&d.path().join("missing")).unwrap().is_empty());
        std::os::unix::fs::symlink(d.path(), d.path().join("sub/loop")).unwrap();
        let err = format!("{:#}", parquet_files(d.path()).unwrap_err());
        assert!(err.contains("listing") && err.contains("loop"), "{err}");
    }

    #[test]
    fn notebooks_are_nbformat_4_and_open_the_store_read_only() {
        for (tpl, name, content) in NOTEBOOKS {
            assert!(tpl.ends_with("_master.ipynb") && tpl.replace("_master", "") == name);
            let nb: serde_json::Value = serde_json::from_str(content).unwrap_or_else(|e| panic!("{tpl}: {e}"));
            assert_eq!(nb["nbformat"], 4, "{tpl}");
            let cells = nb["cells"].as_array().unwrap();
            assert!(!cells.is_empty());
            let code: String = cells
                .iter()
                .filter(|c| c["cell_type"] == "code")
                .flat_map(|c| c["source"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()))
                .collect();
            assert!(code.contains("read_only=True"), "{tpl}");
            assert!(code.contains("proxy-oa.duckdb"), "{tpl}");
        }
    }

    #[test]
    fn prepare_day_keeps_an_edited_notebook() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path()).unwrap();
        let day: Day = "20161211".parse().unwrap();
        assert_eq!(ws.prepare_day(day).unwrap().len(), 2);
        let nb = ws.ipynb_dir(day).join("Advanced_Mode.ipynb");
        std::fs::write(&nb, "edited").unwrap();
        assert!(ws.prepare_day(day).unwrap().is_empty());
        assert_eq!(std::fs::read_to_string(nb).unwrap(), "edited");
        assert!(ws.data_dir(day).is_dir());
    }
}
