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

#[cfg(test)]
mod tests {
    use super::*;

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
