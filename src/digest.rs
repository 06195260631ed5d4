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
}
