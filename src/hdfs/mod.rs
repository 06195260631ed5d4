//! Getting a day's inputs from the cluster: `webhdfs://` / `swebhdfs://` addresses through the WebHDFS client,
//! `hdfs://` addresses through the `hdfs` command (`hdfs dfs -get -f`, exit status checked; Spot ignored it and
//! read a stale copy, bug 10). Every fetched file lands in the day's data folder through a hidden temporary
//! name and is recorded, with its length, HDFS modification time and sha256, in `fetch-manifest.json` there.
//! A file whose length and modification time have not changed since the last fetch is not downloaded again.

pub mod webhdfs;

use crate::config::HdfsCfg;
use crate::day::Day;
use crate::error::Error;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use webhdfs::{Address, FileStatus, WebHdfs};

/// The fetch manifest's file name in `data/proxy/<date>/`.
pub const MANIFEST: &str = "fetch-manifest.json";

/// Where an input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A local file, folder or glob.
    Local(String),
    /// A WebHDFS address.
    WebHdfs(Address),
    /// An `hdfs://` address, fetched with the `hdfs` command.
    Hdfs(String),
}

impl Source {
    /// Tell a source by its scheme.
    pub fn parse(s: &str) -> Result<Source> {
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("webhdfs://") || lower.starts_with("swebhdfs://") {
            Ok(Source::WebHdfs(Address::parse(s)?))
        } else if lower.starts_with("hdfs://") {
            Ok(Source::Hdfs(s.to_string()))
        } else if lower.starts_with("http://") || lower.starts_with("https://") {
            Err(Error::Usage(format!("{s}: give WebHDFS addresses as webhdfs://host:port/path")).into())
        } else {
            Ok(Source::Local(s.to_string()))
        }
    }

    /// True for a cluster address.
    pub fn is_remote(&self) -> bool {
        !matches!(self, Source::Local(_))
    }
}

/// The HDFS paths of a day in Spot's layout under `huser`.
pub fn spot_paths(huser: &str, day: Day) -> (String, String) {
    let huser = huser.trim_end_matches('/');
    let (y, m, d) = day.raw_partition();
    (
        format!("{huser}/proxy/scored_results/{}/scores/proxy_results.csv", day.compact()),
        format!("{huser}/proxy/hive/y={y}/m={m}/d={d}"),
    )
}

/// `fetch-manifest.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FetchManifest {
    /// Format version of this file.
    pub format: u32,
    /// Fetched files, sorted by local name.
    pub files: Vec<FetchedFile>,
}

/// One fetched file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FetchedFile {
    /// Path relative to the day's data folder, `/`-separated.
    pub local: String,
    /// Where it came from.
    pub source: String,
    pub length: u64,
    /// HDFS modification time (ms since the epoch); absent when fetched with the `hdfs` command.
    pub modification_time: Option<i64>,
    pub sha256: String,
}

/// What happened to one file.
#[derive(Debug, Clone, Serialize)]
pub struct FetchLine {
    pub source: String,
    pub local: PathBuf,
    pub bytes: u64,
    /// `fetched`, `resumed` (fetched after a broken-off attempt), `unchanged` (skipped) or `removed`
    /// (a local copy of a file that is no longer on the cluster).
    pub action: String,
}

/// Fetches into one day's data folder and keeps its manifest.
pub struct Fetcher<'a> {
    cfg: &'a HdfsCfg,
    dir: PathBuf,
    manifest: FetchManifest,
    client: Option<WebHdfs>,
    /// What was done, in order.
    pub lines: Vec<FetchLine>,
}

impl<'a> Fetcher<'a> {
    /// A fetcher for `data_dir` (created when missing); an unreadable manifest is ignored (everything is fetched).
    pub fn new(cfg: &'a HdfsCfg, data_dir: &Path) -> Result<Fetcher<'a>> {
        std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
        let manifest = std::fs::read(data_dir.join(MANIFEST))
            .ok()
            .and_then(|b| serde_json::from_slice::<FetchManifest>(&b).ok())
            .unwrap_or_default();
        Ok(Fetcher { cfg, dir: data_dir.to_path_buf(), manifest, client: None, lines: vec![] })
    }

    fn client(&mut self) -> Result<&WebHdfs> {
        if self.client.is_none() {
            self.client = Some(WebHdfs::new(self.cfg)?);
        }
        self.client.as_ref().context("the WebHDFS client")
    }

    /// Fetch one file to `<data dir>/<local>`; returns the local path.
    pub fn file(&mut self, src: &Source, local: &str) -> Result<PathBuf> {
        let dest = self.dir.join(local);
        match src {
            Source::Local(p) => Ok(PathBuf::from(p)),
            Source::WebHdfs(a) => {
                let st = self.client()?.status(a)?;
                if st.is_dir() {
                    return Err(Error::Usage(format!("{}: is a folder, not a file", a.url())).into());
                }
                self.webhdfs_file(a, &st, local)?;
                Ok(dest)
            }
            Source::Hdfs(s) => {
                let tmp = self.hdfs_get(s, &dest)?;
                if tmp.is_dir() {
                    remove_any(&tmp)?;
                    return Err(Error::Usage(format!("{s}: is a folder, not a file")).into());
                }
                std::fs::rename(&tmp, &dest).with_context(|| format!("renaming into {}", dest.display()))?;
                self.record_local(s, local, None, "fetched")?;
                Ok(dest)
            }
        }
    }

    /// Fetch a file or a folder tree to `<data dir>/<local>/`; local files there that the source no longer
    /// has are removed. Returns the local folder.
    pub fn tree(&mut self, src: &Source, local: &str) -> Result<PathBuf> {
        let dest = self.dir.join(local);
        match src {
            Source::Local(p) => Ok(PathBuf::from(p)),
            Source::WebHdfs(a) => {
                let files = self.client()?.walk(a)?;
                if files.is_empty() {
                    return Err(Error::Unavailable(format!("{}: no files in this folder", a.url())).into());
                }
                let mut keep = std::collections::BTreeSet::new();
                for (rel, fa, st) in &files {
                    let l = format!("{local}/{rel}");
                    keep.insert(l.clone());
                    self.webhdfs_file(fa, st, &l)?;
                }
                self.prune(local, &keep)?;
                Ok(dest)
            }
            Source::Hdfs(s) => {
                let tmp = self.hdfs_get(s, &dest)?;
                remove_any(&dest)?;
                std::fs::rename(&tmp, &dest).with_context(|| format!("renaming into {}", dest.display()))?;
                self.manifest.files.retain(|f| !under(&f.local, local));
                let mut found = vec![];
                walk_local(&dest, &mut found)?;
                for f in found {
                    let rel = f.strip_prefix(&self.dir).unwrap_or(&f).to_string_lossy().replace('\\', "/");
                    let sub = rel.strip_prefix(local).unwrap_or(&rel).trim_start_matches('/').to_string();
                    self.record_local(&format!("{}/{sub}", s.trim_end_matches('/')), &rel, None, "fetched")?;
                }
                Ok(dest)
            }
        }
    }

    fn webhdfs_file(&mut self, a: &Address, st: &FileStatus, local: &str) -> Result<()> {
        let dest = self.dir.join(local);
        let source = a.url();
        let known = self.manifest.files.iter().find(|f| f.local == local && f.source == source);
        if let Some(k) = known {
            let on_disk = std::fs::metadata(&dest).map(|m| m.len()).ok();
            if k.length == st.length && k.modification_time == Some(st.modification_time) && on_disk == Some(st.length)
            {
                self.lines.push(FetchLine { source, local: dest, bytes: st.length, action: "unchanged".into() });
                return Ok(());
            }
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let bar = bar(&source);
        let got = self.client()?.download(a, st, &dest, &bar)?;
        bar.finish_and_clear();
        let action = if got.resumed > 0 { "resumed" } else { "fetched" };
        self.put(FetchedFile {
            local: local.to_string(),
            source: source.clone(),
            length: got.bytes,
            modification_time: Some(st.modification_time),
            sha256: got.sha256,
        });
        self.lines.push(FetchLine { source, local: dest, bytes: got.bytes, action: action.into() });
        Ok(())
    }

    fn record_local(&mut self, source: &str, local: &str, mtime: Option<i64>, action: &str) -> Result<()> {
        let dest = self.dir.join(local);
        let (bytes, sha256) = crate::digest::file_sha256(&dest)?;
        self.put(FetchedFile {
            local: local.to_string(),
            source: source.to_string(),
            length: bytes,
            modification_time: mtime,
            sha256,
        });
        self.lines.push(FetchLine { source: source.to_string(), local: dest, bytes, action: action.into() });
        Ok(())
    }

    fn put(&mut self, f: FetchedFile) {
        self.manifest.files.retain(|x| x.local != f.local);
        self.manifest.files.push(f);
    }

    /// Remove local files under `local` that are not in `keep` (and their manifest entries).
    fn prune(&mut self, local: &str, keep: &std::collections::BTreeSet<String>) -> Result<()> {
        let root = self.dir.join(local);
        let mut found = vec![];
        walk_local(&root, &mut found)?;
        for f in found {
            let rel = f.strip_prefix(&self.dir).unwrap_or(&f).to_string_lossy().replace('\\', "/");
            if !keep.contains(&rel) {
                std::fs::remove_file(&f).with_context(|| format!("removing {}", f.display()))?;
                self.lines.push(FetchLine { source: String::new(), local: f, bytes: 0, action: "removed".into() });
            }
        }
        self.manifest.files.retain(|f| !under(&f.local, local) || keep.contains(&f.local));
        Ok(())
    }

    /// `hdfs dfs -get -f SRC` into the hidden temporary name of `final_dest` (cleared first), exit status and
    /// stderr checked; returns the temporary path.
    fn hdfs_get(&self, src: &str, final_dest: &Path) -> Result<PathBuf> {
        let dest = webhdfs::partial_name(final_dest);
        remove_any(&dest)?;
        let dest = dest.as_path();
        let cmd = &self.cfg.command;
        let out = std::process::Command::new(cmd)
            .args(["dfs", "-get", "-f", src])
            .arg(dest)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| {
                Error::Unavailable(format!(
                    "{src}: cannot run `{cmd}` ({e}); hdfs:// addresses need the hdfs command on the PATH \
                     ([hdfs] command), or use webhdfs://"
                ))
            })?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(Error::Unavailable(format!(
                "{src}: `{cmd} dfs -get -f` failed ({}): {}",
                out.status,
                err.trim()
            ))
            .into());
        }
        if !dest.exists() {
            return Err(Error::Unavailable(format!("{src}: `{cmd} dfs -get -f` succeeded but wrote nothing")).into());
        }
        Ok(dest.to_path_buf())
    }

    /// Write the manifest (through a temporary name); returns what was done.
    pub fn finish(mut self) -> Result<Vec<FetchLine>> {
        if self.lines.is_empty() {
            return Ok(self.lines);
        }
        self.manifest.format = 1;
        self.manifest.files.sort_by(|a, b| a.local.cmp(&b.local));
        let path = self.dir.join(MANIFEST);
        let tmp = webhdfs::partial_name(&path);
        let mut text = serde_json::to_string_pretty(&self.manifest)?;
        text.push('\n');
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
        Ok(self.lines)
    }
}

fn under(p: &str, dir: &str) -> bool {
    p.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

fn remove_any(p: &Path) -> Result<()> {
    if p.is_dir() {
        std::fs::remove_dir_all(p).with_context(|| format!("removing {}", p.display()))?;
    } else if p.exists() {
        std::fs::remove_file(p).with_context(|| format!("removing {}", p.display()))?;
    }
    Ok(())
}

/// Files (not hidden) under `root`, recursively.
fn walk_local(root: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !root.is_dir() {
        return Ok(());
    }
    for e in std::fs::read_dir(root).with_context(|| format!("listing {}", root.display()))? {
        let p = e?.path();
        let hidden = p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(['.', '_']));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk_local(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// A byte-and-rate progress bar on stderr (hidden when stderr is not a terminal).
fn bar(name: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    bar.set_message(name.rsplit('/').next().unwrap_or(name).to_string());
    bar
}

/// Print what a fetch did, one line per file.
pub fn describe(lines: &[FetchLine]) -> String {
    let mut s = String::new();
    for l in lines {
        match l.action.as_str() {
            "removed" => s.push_str(&format!("  removed    {} (no longer on the cluster)\n", l.local.display())),
            "unchanged" => s.push_str(&format!(
                "  unchanged  {} ({} bytes, same length and modification time: not downloaded again)\n",
                l.local.display(),
                l.bytes
            )),
            a => s.push_str(&format!("  {a:<10} {} ← {} ({} bytes)\n", l.local.display(), l.source, l.bytes)),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources() {
        assert!(matches!(Source::parse("webhdfs://nn:9870/x").unwrap(), Source::WebHdfs(_)));
        assert!(matches!(Source::parse("SWEBHDFS://nn/x").unwrap(), Source::WebHdfs(_)));
        assert_eq!(Source::parse("hdfs://ns/x").unwrap(), Source::Hdfs("hdfs://ns/x".into()));
        assert_eq!(Source::parse("data/x.csv").unwrap(), Source::Local("data/x.csv".into()));
        assert!(Source::parse("http://nn:9870/webhdfs/v1/x").is_err());
    }

    #[test]
    fn spot_layout() {
        let day: Day = "20161211".parse().unwrap();
        let (r, raw) = spot_paths("/user/spot/", day);
        assert_eq!(r, "/user/spot/proxy/scored_results/20161211/scores/proxy_results.csv");
        assert_eq!(raw, "/user/spot/proxy/hive/y=2016/m=12/d=11");
    }

    #[test]
    fn under_is_by_component() {
        assert!(under("raw/a", "raw"));
        assert!(!under("raw-2/a", "raw"));
        assert!(!under("raw", "raw"));
    }
}
