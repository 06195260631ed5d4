//! SHA-256 of bytes, files and streams: the one helper behind inputs' checksums, fetch manifests, bundle
//! manifests and the reference-data cache.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Size and lowercase hex SHA-256 of a file, streamed.
pub fn file_sha256(path: &Path) -> Result<(u64, String)> {
    let f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut r = Hashing::new(f);
    std::io::copy(&mut r, &mut std::io::sink()).with_context(|| format!("reading {}", path.display()))?;
    Ok(r.finish())
}

/// [`file_sha256`], remembered for the rest of the process by the file's identity (device, inode, size and
/// modification time, to the nanosecond): the raw day's Parquet files are hashed when they are read in, and the
/// ranker's record hashes the same files again (hard links in the workspace: the same inode). 0.2 s for the
/// 10 M-row day's 199 MiB. Where the identity cannot be read, the file is hashed.
pub fn file_sha256_remembered(path: &Path) -> Result<(u64, String)> {
    type Seen = std::collections::HashMap<(u64, u64, u64, i64, i64), (u64, String)>;
    static SEEN: std::sync::OnceLock<std::sync::Mutex<Seen>> = std::sync::OnceLock::new();
    #[cfg(unix)]
    let key = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino(), m.len(), m.mtime(), m.mtime_nsec()))
    };
    #[cfg(not(unix))]
    let key: Option<(u64, u64, u64, i64, i64)> = None;
    let seen = SEEN.get_or_init(Default::default);
    if let Some(hit) = key.and_then(|k| seen.lock().ok()?.get(&k).cloned()) {
        return Ok(hit);
    }
    let got = file_sha256(path)?;
    if let (Some(k), Ok(mut m)) = (key, seen.lock()) {
        m.insert(k, got.clone());
    }
    Ok(got)
}

/// A reader that hashes and counts what passes through it.
pub struct Hashing<R> {
    inner: R,
    /// `None`: only counting.
    hasher: Option<Sha256>,
    bytes: u64,
}

impl<R: Read> Hashing<R> {
    /// Wrap `inner`.
    pub fn new(inner: R) -> Self {
        Hashing { inner, hasher: Some(Sha256::new()), bytes: 0 }
    }

    /// Wrap `inner`, hashing only when `hash` (a reader whose bytes are hashed elsewhere only counts them).
    pub fn hashing_if(inner: R, hash: bool) -> Self {
        Hashing { inner, hasher: hash.then(Sha256::new), bytes: 0 }
    }

    /// Bytes read so far and the lowercase hex SHA-256 of them (empty when not hashing).
    pub fn finish(self) -> (u64, String) {
        (self.bytes, self.hasher.map(|h| hex::encode(h.finalize())).unwrap_or_default())
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        self.bytes += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stream_and_bytes_agree() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        std::fs::write(&p, b"abc").unwrap();
        let want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_hex(b"abc"), want);
        assert_eq!(file_sha256(&p).unwrap(), (3, want.to_string()));
        let mut counting = Hashing::hashing_if(&b"abcd"[..], false);
        std::io::copy(&mut counting, &mut std::io::sink()).unwrap();
        assert_eq!(counting.finish(), (4, String::new()), "a reader that only counts");
    }

    #[test]
    fn a_remembered_hash_follows_the_file_and_its_hard_links_and_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let (p, link) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&p, b"abc").unwrap();
        let abc = file_sha256(&p).unwrap();
        assert_eq!(file_sha256_remembered(&p).unwrap(), abc);
        std::fs::hard_link(&p, &link).unwrap();
        assert_eq!(file_sha256_remembered(&link).unwrap(), abc);
        // Written again (another size, another time): hashed again.
        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::write(&p, b"abcd").unwrap();
        assert_eq!(file_sha256_remembered(&p).unwrap(), file_sha256(&p).unwrap());
        assert_ne!(file_sha256_remembered(&link).unwrap(), abc, "the link is the same changed file");
    }
}
