//! The bundle file: a tar archive compressed with zstd, written deterministically (manifest.json first, the other
//! entries sorted, fixed mtime, owner 0:0 with no names, mode 0644, fixed zstd level) and read defensively (only
//! regular files and folders, only relative paths inside the bundle's own tree, every entry's size checked against
//! `manifest.json` before it is read, a bound on the decompressed size, every file checked against the manifest).

use crate::error::Error;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Component, Path};

/// The bundle format this build writes and reads.
pub const BUNDLE_FORMAT: u32 = 1;
/// zstd level of bundles (fixed: part of what makes two exports byte-identical).
pub const ZSTD_LEVEL: i32 = 10;

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub bundle_format: u32,
    pub tool: String,
    pub tool_version: String,
    /// `YYYYMMDD`.
    pub date: String,
    /// Parquet codec of the data files.
    pub compression: String,
    /// The oldest Impala that reads the data files.
    pub min_impala: String,
    pub tables: Vec<TableEntry>,
    /// Every file of the bundle except this manifest, sorted by path.
    pub files: Vec<FileEntry>,
    /// The inputs the day was built from (`proxy_oa_inputs`).
    pub inputs: Vec<InputEntry>,
}

/// One table of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableEntry {
    pub name: String,
    /// Spot's folder under `${huser}/proxy/hive/oa/`.
    pub location: String,
    pub rows: u64,
    /// `name TYPE` in DDL order (without the partition columns).
    pub columns: Vec<String>,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    /// The table a data file belongs to; `None` for DDL, load scripts and the analyst's files.
    pub table: Option<String>,
    /// Rows of a data file (or of the feedback file, header left out).
    pub rows: Option<u64>,
    pub bytes: u64,
    pub sha256: String,
}

/// One input of the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputEntry {
    pub role: String,
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

pub use crate::digest::file_sha256 as hash_file;

/// Write `dir`'s files (and `manifest`) into `out` as tar + zstd, deterministically; through a temporary name.
pub fn write(dir: &Path, manifest: &Manifest, out: &Path, mtime: u64) -> Result<()> {
    let tmp = out.with_file_name(format!(".{}.partial", out.file_name().unwrap_or_default().to_string_lossy()));
    let file = std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut enc = zstd::stream::Encoder::new(file, ZSTD_LEVEL)?;
    enc.include_checksum(true)?;
    {
        let mut tar = tar::Builder::new(&mut enc);
        // manifest.json first (a reader checks every later entry against it before reading it), then the files
        // sorted by path.
        let mut text = serde_json::to_string_pretty(manifest)?;
        text.push('\n');
        let mut entries: Vec<(String, Vec<u8>)> = vec![("manifest.json".into(), text.into_bytes())];
        let files: BTreeMap<&str, ()> = manifest.files.iter().map(|f| (f.path.as_str(), ())).collect();
        entries.extend(files.keys().map(|p| (p.to_string(), vec![])));
        for (path, inline) in &entries {
            let mut h = tar::Header::new_gnu();
            h.set_mode(0o644);
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(mtime);
            h.set_entry_type(tar::EntryType::Regular);
            if path == "manifest.json" {
                h.set_size(inline.len() as u64);
                tar.append_data(&mut h, path, inline.as_slice())?;
            } else {
                let src = dir.join(path);
                let f = std::fs::File::open(&src).with_context(|| format!("opening {}", src.display()))?;
                h.set_size(f.metadata()?.len());
                tar.append_data(&mut h, path, f).with_context(|| format!("adding {path}"))?;
            }
        }
        tar.finish()?;
    }
    let file = enc.finish()?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, out).with_context(|| format!("renaming {} to {}", tmp.display(), out.display()))?;
    Ok(())
}

/// Stops with an error (never a silent truncation) once more than `left` bytes were read.
struct Bounded<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(format!("decompresses to more than {} bytes", self.limit)));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Is `name` one of the analyst's files a bundle carries under `analyst/` (the feedback file, an incident
/// progression named by a 32-digit md5)?
pub fn analyst_file(name: &str) -> bool {
    let incident = name
        .strip_prefix(crate::analyst::INCIDENT_PREFIX)
        .and_then(|r| r.strip_suffix(".json"))
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    name == crate::analyst::FEEDBACK_FILE || incident
}

/// Is `p` a safe relative path inside the bundle's tree (`manifest.json`, `load.sql`, `schema/impala/*.sql`,
/// `data/<table>/...`, `analyst/<feedback or incident file>`)?
fn allowed(p: &Path) -> Result<String, String> {
    let mut parts = vec![];
    for c in p.components() {
        match c {
            Component::Normal(s) => {
                parts.push(s.to_str().ok_or_else(|| "a name that is not UTF-8".to_string())?.to_string())
            }
            Component::CurDir => {}
            Component::ParentDir => return Err("a `..` component".into()),
            Component::RootDir | Component::Prefix(_) => return Err("an absolute path".into()),
        }
    }
    let ok = match parts.first().map(String::as_str) {
        Some("manifest.json") | Some("load.sql") => parts.len() == 1,
        Some("schema") => parts.len() == 3 && parts[1] == "impala" && parts[2].ends_with(".sql"),
        Some("data") => parts.len() >= 3,
        Some("analyst") => parts.len() == 2 && analyst_file(&parts[1]),
        Some("raw") => parts.len() >= 2 && parts.last().is_some_and(|n| n.ends_with(".parquet")),
        _ => false,
    };
    if !ok {
        return Err("outside the bundle's tree (manifest.json, load.sql, schema/impala/*.sql, data/..., \
                    analyst/ml_feedback.csv, analyst/incident-progression-<md5>.json, raw/.../*.parquet)"
            .into());
    }
    Ok(parts.join("/"))
}

/// Unpack `bundle` into `dir` after checking every entry; returns the manifest and the paths unpacked. Nothing
/// is checked against the manifest yet: see [`verify`].
pub fn unpack(bundle: &Path, dir: &Path, max_bytes: u64) -> Result<(Manifest, Vec<String>)> {
    let name = bundle.display().to_string();
    let bad = |m: String| anyhow::Error::new(Error::Data(format!("{name}: {m}")));
    let file = std::fs::File::open(bundle).map_err(|e| Error::Unavailable(format!("{name}: {e}")))?;
    let dec = zstd::stream::Decoder::new(file).map_err(|e| bad(format!("not a zstd stream: {e}")))?;
    let mut ar = tar::Archive::new(Bounded { inner: dec, left: max_bytes, limit: max_bytes });
    let mut seen = vec![];
    // The sizes manifest.json lists, when it is the first entry (as `write` puts it): every later entry is checked
    // against them from its header, before a byte of it is read, so a bundle that would decompress past them is
    // refused at once. Bundles written with manifest.json elsewhere are bounded by `max_bytes` only.
    let mut sizes: Option<std::collections::BTreeMap<String, u64>> = None;
    for entry in ar.entries().map_err(|e| bad(format!("not a tar archive: {e}")))? {
        let mut e = entry.map_err(|e| bad(format!("reading the archive: {e}")))?;
        let path = e.path().map_err(|e| bad(format!("bad entry name: {e}")))?.into_owned();
        let shown = path.display().to_string();
        match e.header().entry_type() {
            tar::EntryType::Directory => {
                allowed(&path.join("x"))
                    .or_else(|_| allowed(&path))
                    .map_err(|why| bad(format!("entry {shown}: {why}")))?;
                continue;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {}
            other => return Err(bad(format!("entry {shown}: a {other:?} entry; bundles hold regular files only"))),
        }
        let rel = allowed(&path).map_err(|why| bad(format!("entry {shown}: {why}")))?;
        if seen.contains(&rel) {
            return Err(bad(format!("entry {rel} appears twice")));
        }
        if let Some(sizes) = &sizes {
            let size = e.header().size().map_err(|err| bad(format!("entry {rel}: {err}")))?;
            match sizes.get(&rel) {
                None => return Err(bad(format!("{rel}: not listed in manifest.json"))),
                Some(&want) if want != size => {
                    return Err(bad(format!("{rel}: {size} bytes in the archive, manifest.json says {want}")));
                }
                Some(_) => {}
            }
        }
        let dest = dir.join(&rel);
        std::fs::create_dir_all(dest.parent().ok_or_else(|| bad(format!("entry {rel}: not a file path")))?)?;
        let mut out = std::fs::File::create(&dest).with_context(|| format!("creating {}", dest.display()))?;
        std::io::copy(&mut e, &mut out).map_err(|err| bad(format!("entry {rel}: {err}")))?;
        if seen.is_empty() && rel == "manifest.json" {
            let text = std::fs::read(&dest)?;
            if let Ok(m) = serde_json::from_slice::<Manifest>(&text) {
                sizes = Some(m.files.iter().map(|f| (f.path.clone(), f.bytes)).collect());
            }
        }
        seen.push(rel);
    }
    let mpath = dir.join("manifest.json");
    let text = std::fs::read(&mpath).map_err(|_| bad("no manifest.json".into()))?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| bad(format!("manifest.json: {e}")))?;
    if manifest.bundle_format != BUNDLE_FORMAT {
        return Err(bad(format!(
            "manifest.json: bundle format {} (this proxy-oa reads format {BUNDLE_FORMAT})",
            manifest.bundle_format
        )));
    }
    Ok((manifest, seen))
}

/// Check every unpacked file against the manifest: each listed file present with its size and sha256, no file
/// the manifest does not list, data files only under their table's folder.
pub fn verify(bundle: &Path, dir: &Path, manifest: &Manifest, unpacked: &[String]) -> Result<()> {
    let name = bundle.display().to_string();
    let bad = |m: String| anyhow::Error::new(Error::Data(format!("{name}: {m}")));
    let listed: std::collections::BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    for u in unpacked {
        if u != "manifest.json" && !listed.contains(u.as_str()) {
            return Err(bad(format!("{u}: not listed in manifest.json")));
        }
    }
    for f in &manifest.files {
        allowed(Path::new(&f.path)).map_err(|why| bad(format!("manifest.json lists {}: {why}", f.path)))?;
        let p = dir.join(&f.path);
        if !unpacked.contains(&f.path) {
            return Err(bad(format!("{}: listed in manifest.json but missing", f.path)));
        }
        let (bytes, sha) = hash_file(&p)?;
        if bytes != f.bytes {
            return Err(bad(format!("{}: {bytes} bytes, manifest.json says {}", f.path, f.bytes)));
        }
        if sha != f.sha256 {
            return Err(bad(format!("{}: sha256 {sha} does not match manifest.json ({})", f.path, f.sha256)));
        }
        if let Some(t) = &f.table {
            if !f.path.starts_with(&format!("data/{t}/")) {
                return Err(bad(format!("{}: a {t} file outside data/{t}/", f.path)));
            }
        }
    }
    Ok(())
}

/// Write `text` to `dir/rel`, creating folders.
pub fn put(dir: &Path, rel: &str, text: &str) -> Result<()> {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().with_context(|| format!("{rel}: not a file path"))?)?;
    let mut f = std::fs::File::create(&p).with_context(|| format!("creating {}", p.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_tree_only() {
        for ok in
            ["manifest.json", "load.sql", "schema/impala/proxy_scores.sql", "data/proxy_edge/y=2016/m=7/d=8/a.parquet"]
        {
            assert!(allowed(Path::new(ok)).is_ok(), "{ok}");
        }
        assert!(allowed(Path::new("analyst/ml_feedback.csv")).is_ok());
        assert!(allowed(Path::new("analyst/incident-progression-67a09a99cb0a0120f102155fab466e61.json")).is_ok());
        for bad in [
            "../x",
            "data/../../etc/passwd",
            "/etc/passwd",
            "other.txt",
            "schema/x.sql",
            "data/t",
            "load.sql/x",
            "analyst/x.sh",
            "analyst/incident-progression-../../x.json",
            "analyst/incident-progression-67A09A99CB0A0120F102155FAB466E61.json",
            "analyst/sub/ml_feedback.csv",
        ] {
            assert!(allowed(Path::new(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn manifest_round_trip() {
        let m = Manifest {
            bundle_format: 1,
            tool: "proxy-oa".into(),
            tool_version: "0.1.0".into(),
            date: "20160708".into(),
            compression: "snappy".into(),
            min_impala: "3.0".into(),
            tables: vec![TableEntry {
                name: "proxy_ingest_summary".into(),
                location: "summary".into(),
                rows: 3,
                columns: vec!["tdate STRING".into(), "total BIGINT".into()],
            }],
            files: vec![FileEntry { path: "load.sql".into(), table: None, rows: None, bytes: 5, sha256: "ab".into() }],
            inputs: vec![InputEntry { role: "results".into(), path: "r.csv".into(), bytes: 9, sha256: "cd".into() }],
        };
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<Manifest>(&text).unwrap(), m);
        assert!(serde_json::from_str::<Manifest>(&text.replace("\"tool\"", "\"extra\":1,\"tool\"")).is_err());
    }

    #[test]
    fn a_bomb_is_stopped_at_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path().join("b.tar.zst");
        let f = std::fs::File::create(&b).unwrap();
        let mut enc = zstd::stream::Encoder::new(f, 3).unwrap();
        {
            let mut tar = tar::Builder::new(&mut enc);
            let mut h = tar::Header::new_gnu();
            h.set_size(10 << 20);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut h, "load.sql", std::io::repeat(b' ').take(10 << 20)).unwrap();
            tar.finish().unwrap();
        }
        enc.finish().unwrap();
        let out = dir.path().join("out");
        let err = unpack(&b, &out, 1 << 20).unwrap_err();
        assert!(format!("{err:#}").contains("decompresses to more than 1048576 bytes"), "{err:#}");
    }
}
