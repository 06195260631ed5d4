//! A WebHDFS client (REST API of Hadoop 2.x/3.x, blocking reqwest with rustls).
//!
//! Redirects are followed by hand: the namenode answers `OPEN` and `CREATE` with a 307 to a datanode, and a
//! `CREATE` must send its body only to that second address. Every request has a connect timeout and a read
//! timeout (the longest wait for an answer or for the next bytes of a body); failures that may pass (refused or
//! dropped connections, timeouts, 5xx) are retried a bounded number of times with exponential backoff. A
//! download that breaks off mid-body resumes at the byte it reached (`offset=`). Errors name the file's
//! `webhdfs://` address (never the delegation token) and HDFS's own `RemoteException`.

use crate::config::HdfsCfg;
use crate::error::Error;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

/// One entry of `GETFILESTATUS` / `LISTSTATUS`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FileStatus {
    /// The entry's name (empty for `GETFILESTATUS`).
    #[serde(default)]
    pub path_suffix: String,
    /// `FILE`, `DIRECTORY` or `SYMLINK`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Bytes.
    #[serde(default)]
    pub length: u64,
    /// Milliseconds since the epoch.
    #[serde(default)]
    pub modification_time: i64,
}

impl FileStatus {
    pub fn is_dir(&self) -> bool {
        self.kind == "DIRECTORY"
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StatusAnswer {
    file_status: FileStatus,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListAnswer {
    file_statuses: ListInner,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListInner {
    file_status: Vec<FileStatus>,
}

#[derive(Deserialize)]
struct BoolAnswer {
    boolean: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RemoteExceptionAnswer {
    remote_exception: RemoteException,
}

#[derive(Deserialize)]
struct RemoteException {
    #[serde(default)]
    exception: String,
    #[serde(default)]
    message: String,
}

/// One attempt's failure (permanent: 4xx, a RemoteException that is not about load, a bad answer).
use crate::retry::Failure as Fail;

/// Where a `webhdfs://` / `swebhdfs://` address points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// `webhdfs://host:port` or `swebhdfs://host:port`, as printed in messages.
    pub display: String,
    /// `http://host:port` or `https://host:port`.
    pub base: String,
    /// The HDFS path, absolute, without a trailing slash (except `/` itself).
    pub path: String,
}

impl Address {
    /// Parse `webhdfs://host:port/path` or `swebhdfs://host:port/path` (port defaults: 9870 and 9871).
    pub fn parse(s: &str) -> Result<Address> {
        let u = url::Url::parse(s).map_err(|e| Error::Usage(format!("{s}: not a WebHDFS address: {e}")))?;
        let (http, default_port) = match u.scheme() {
            "webhdfs" => ("http", 9870),
            "swebhdfs" => ("https", 9871),
            other => {
                return Err(Error::Usage(format!("{s}: scheme {other}:// is not webhdfs:// or swebhdfs://")).into())
            }
        };
        let host = u.host_str().filter(|h| !h.is_empty()).ok_or_else(|| Error::Usage(format!("{s}: no host")))?;
        if u.query().is_some() || !u.username().is_empty() || u.password().is_some() {
            return Err(
                Error::Usage(format!("{s}: credentials and query strings belong in the config's [hdfs]")).into()
            );
        }
        let port = u.port().unwrap_or(default_port);
        let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.to_string() };
        let path = percent_encoding::percent_decode_str(u.path()).decode_utf8_lossy().into_owned();
        let path = normalize(if path.is_empty() { "/" } else { &path });
        Ok(Address {
            display: format!("{}://{host}:{port}", u.scheme()),
            base: format!("{http}://{host}:{port}"),
            path,
        })
    }

    /// The same server, another path.
    pub fn with_path(&self, path: &str) -> Address {
        Address { display: self.display.clone(), base: self.base.clone(), path: normalize(path) }
    }

    /// Printable address of this path.
    pub fn url(&self) -> String {
        format!("{}{}", self.display, self.path)
    }
}

/// `/a//b/` → `/a/b`.
fn normalize(p: &str) -> String {
    let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    format!("/{}", parts.join("/"))
}

/// A WebHDFS client for one cluster.
pub struct WebHdfs {
    http: reqwest::blocking::Client,
    auth: Vec<(&'static str, String)>,
    retries: u32,
    backoff: Duration,
}

/// What [`WebHdfs::download`] did.
#[derive(Debug, Clone)]
pub struct Downloaded {
    pub bytes: u64,
    pub sha256: String,
    /// Attempts that broke off and were resumed.
    pub resumed: u32,
}

impl WebHdfs {
    /// A client with the config's timeouts, retries and credentials.
    pub fn new(cfg: &HdfsCfg) -> Result<WebHdfs> {
        let mut b = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs_f64(cfg.connect_timeout_secs))
            .timeout(Duration::from_secs_f64(cfg.timeout_secs))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("proxy-oa/", env!("CARGO_PKG_VERSION")));
        if !cfg.ca_cert.is_empty() {
            let p = &cfg.ca_cert;
            let pem = std::fs::read(p).map_err(|e| Error::Config(format!("[hdfs] ca_cert {p}: {e}")))?;
            let cert =
                reqwest::Certificate::from_pem(&pem).map_err(|e| Error::Config(format!("[hdfs] ca_cert {p}: {e}")))?;
            b = b.add_root_certificate(cert);
        }
        let http = b.build().context("building the WebHDFS client")?;
        let auth = if !cfg.delegation_token.is_empty() {
            vec![("delegation", cfg.delegation_token.clone())]
        } else if !cfg.user_name.is_empty() {
            vec![("user.name", cfg.user_name.clone())]
        } else {
            vec![]
        };
        Ok(WebHdfs { http, auth, retries: cfg.retries, backoff: Duration::from_millis(cfg.backoff_ms) })
    }

    fn url(&self, a: &Address, op: &str, extra: &[(&str, String)]) -> Result<reqwest::Url, Fail> {
        let mut u = reqwest::Url::parse(&a.base).map_err(|e| Fail::Permanent(format!("{}: {e}", a.base)))?;
        u.set_path(&format!("/webhdfs/v1{}", a.path));
        {
            let mut q = u.query_pairs_mut();
            q.append_pair("op", op);
            for (k, v) in &self.auth {
                q.append_pair(k, v);
            }
            for (k, v) in extra {
                q.append_pair(k, v);
            }
        }
        Ok(u)
    }

    /// Run `attempt` up to `retries + 1` times ([`crate::retry`]); the error names `what` and the last failure.
    fn retry<T>(&self, what: &str, attempt: impl FnMut(u32) -> Result<T, Fail>) -> Result<T> {
        let backoff = crate::retry::Backoff { retries: self.retries, first: self.backoff };
        backoff.run(what, attempt).map_err(|g| match g.last {
            Fail::Permanent(m) => Error::Unavailable(format!("{what}: {m}")).into(),
            Fail::Transient(m) => {
                Error::Unavailable(format!("{what}: {m} (gave up after {} attempts)", g.attempts)).into()
            }
        })
    }

    /// Send one request; a non-2xx, non-307 answer becomes a [`Fail`] carrying HDFS's RemoteException.
    fn send(&self, req: reqwest::blocking::RequestBuilder) -> Result<reqwest::blocking::Response, Fail> {
        let resp = req.send().map_err(transport)?;
        let status = resp.status();
        if status.is_success() || status == reqwest::StatusCode::TEMPORARY_REDIRECT {
            return Ok(resp);
        }
        let text = resp.text().unwrap_or_default();
        let msg = match serde_json::from_str::<RemoteExceptionAnswer>(&text) {
            Ok(r) => format!("{}: {}", r.remote_exception.exception, r.remote_exception.message),
            Err(_) => format!("HTTP {status}: {}", snippet(&text)),
        };
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            // A standby namenode answers 403 StandbyException: not retried here (one namenode address).
            Err(Fail::Transient(msg))
        } else {
            Err(Fail::Permanent(msg))
        }
    }

    fn json<T: for<'de> Deserialize<'de>>(resp: reqwest::blocking::Response) -> Result<T, Fail> {
        let text = resp.text().map_err(transport)?;
        serde_json::from_str(&text).map_err(|e| Fail::Permanent(format!("unexpected answer ({e}): {}", snippet(&text))))
    }

    /// `GETFILESTATUS`.
    pub fn status(&self, a: &Address) -> Result<FileStatus> {
        self.retry(&a.url(), |_| {
            let r = self.send(self.http.get(self.url(a, "GETFILESTATUS", &[])?))?;
            Ok(Self::json::<StatusAnswer>(r)?.file_status)
        })
    }

    /// `LISTSTATUS`, sorted by name.
    pub fn list(&self, a: &Address) -> Result<Vec<FileStatus>> {
        let mut v = self.retry(&a.url(), |_| {
            let r = self.send(self.http.get(self.url(a, "LISTSTATUS", &[])?))?;
            Ok(Self::json::<ListAnswer>(r)?.file_statuses.file_status)
        })?;
        v.sort_by(|x, y| x.path_suffix.cmp(&y.path_suffix));
        Ok(v)
    }

    /// Every file under `a` (recursively), as (path relative to `a`, its address, status), sorted; names starting with `.`
    /// or `_` are skipped as Hadoop and Impala skip them (`_SUCCESS`, `.hive-staging`). A file address gives
    /// itself with its own name.
    pub fn walk(&self, a: &Address) -> Result<Vec<(String, Address, FileStatus)>> {
        let top = self.status(a)?;
        if !top.is_dir() {
            let name = a.path.rsplit('/').next().unwrap_or_default().to_string();
            return Ok(vec![(name, a.clone(), top)]);
        }
        let mut out = vec![];
        let mut stack = vec![String::new()];
        while let Some(rel) = stack.pop() {
            let dir = a.with_path(&format!("{}/{rel}", a.path));
            for e in self.list(&dir)? {
                if e.path_suffix.is_empty() || e.path_suffix.contains('/') || e.path_suffix == ".." {
                    return Err(Error::Unavailable(format!("{}: bad entry name {:?}", dir.url(), e.path_suffix)).into());
                }
                if e.path_suffix.starts_with(['.', '_']) {
                    continue;
                }
                let r = if rel.is_empty() { e.path_suffix.clone() } else { format!("{rel}/{}", e.path_suffix) };
                match e.kind.as_str() {
                    "DIRECTORY" => stack.push(r),
                    "FILE" => out.push((r.clone(), a.with_path(&format!("{}/{r}", a.path)), e)),
                    other => {
                        return Err(Error::Unavailable(format!(
                            "{}: a {other} entry; only files and folders can be fetched",
                            dir.with_path(&format!("{}/{}", dir.path, e.path_suffix)).url()
                        ))
                        .into())
                    }
                }
            }
        }
        out.sort_by(|x, y| x.0.cmp(&y.0));
        Ok(out)
    }

    /// `OPEN` the file (307 to a datanode), streaming it into `dest` through `dest.partial`; a body that breaks
    /// off is resumed at the byte reached. The length must equal `expected`'s; the file is renamed into place
    /// only then.
    pub fn download(
        &self,
        a: &Address,
        expected: &FileStatus,
        dest: &Path,
        bar: &indicatif::ProgressBar,
    ) -> Result<Downloaded> {
        let tmp = partial_name(dest);
        let mut out = std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        let mut have = 0u64;
        let mut resumed = 0u32;
        bar.set_length(expected.length);
        let what = a.url();
        self.retry(&what, |n| {
            if n > 0 && have > 0 {
                resumed += 1;
            }
            let offset = vec![("offset", have.to_string())];
            let mut resp = self.send(self.http.get(self.url(a, "OPEN", &offset)?))?;
            if resp.status() == reqwest::StatusCode::TEMPORARY_REDIRECT {
                let loc = location(&resp)?;
                resp = self.send(self.http.get(loc))?;
                if resp.status() == reqwest::StatusCode::TEMPORARY_REDIRECT {
                    return Err(Fail::Permanent("the datanode redirected again".into()));
                }
            }
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let k = match resp.read(&mut buf) {
                    Ok(0) => break,
                    Ok(k) => k,
                    Err(e) => return Err(Fail::Transient(format!("the download broke off after {have} bytes: {e}"))),
                };
                out.write_all(&buf[..k]).map_err(|e| Fail::Permanent(format!("writing {}: {e}", tmp.display())))?;
                have += k as u64;
                bar.set_position(have);
            }
            if have < expected.length {
                return Err(Fail::Transient(format!(
                    "truncated download: {have} of {} bytes (length from GETFILESTATUS)",
                    expected.length
                )));
            }
            if have > expected.length {
                return Err(Fail::Permanent(format!(
                    "{have} bytes received but GETFILESTATUS said {}; the file changed during the download",
                    expected.length
                )));
            }
            Ok(())
        })
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })?;
        out.sync_all().with_context(|| format!("writing {}", tmp.display()))?;
        drop(out);
        let (bytes, sha256) = crate::digest::file_sha256(&tmp)?;
        std::fs::rename(&tmp, dest).with_context(|| format!("renaming {} to {}", tmp.display(), dest.display()))?;
        Ok(Downloaded { bytes, sha256, resumed })
    }

    /// `CREATE` (overwrite) with the content of `src`: the namenode's 307, then the body to the datanode.
    pub fn upload(&self, src: &Path, a: &Address) -> Result<u64> {
        let len = std::fs::metadata(src).with_context(|| format!("reading {}", src.display()))?.len();
        self.retry(&a.url(), |_| {
            let extra = vec![("overwrite", "true".to_string())];
            let resp = self.send(self.http.put(self.url(a, "CREATE", &extra)?))?;
            let target = if resp.status() == reqwest::StatusCode::TEMPORARY_REDIRECT {
                location(&resp)?
            } else {
                return Err(Fail::Permanent(format!("CREATE answered {} instead of 307", resp.status())));
            };
            let file = std::fs::File::open(src).map_err(|e| Fail::Permanent(format!("{}: {e}", src.display())))?;
            let body = reqwest::blocking::Body::sized(file, len);
            let resp =
                self.send(self.http.put(target).header("Content-Type", "application/octet-stream").body(body))?;
            if resp.status() != reqwest::StatusCode::CREATED && !resp.status().is_success() {
                return Err(Fail::Permanent(format!("the datanode answered {}", resp.status())));
            }
            Ok(())
        })?;
        Ok(len)
    }

    /// `MKDIRS` (with parents).
    pub fn mkdirs(&self, a: &Address) -> Result<()> {
        let ok = self.retry(&a.url(), |_| {
            let r = self.send(self.http.put(self.url(a, "MKDIRS", &[])?))?;
            Ok(Self::json::<BoolAnswer>(r)?.boolean)
        })?;
        if !ok {
            return Err(Error::Unavailable(format!("{}: MKDIRS returned false", a.url())).into());
        }
        Ok(())
    }

    /// `RENAME` `a` to `to` (a path on the same cluster); an existing `to` is deleted first.
    pub fn rename(&self, a: &Address, to: &str) -> Result<()> {
        self.delete(&a.with_path(to))?;
        let ok = self.retry(&a.url(), |_| {
            let extra = vec![("destination", normalize(to))];
            let r = self.send(self.http.put(self.url(a, "RENAME", &extra)?))?;
            Ok(Self::json::<BoolAnswer>(r)?.boolean)
        })?;
        if !ok {
            return Err(Error::Unavailable(format!("{}: RENAME to {to} returned false", a.url())).into());
        }
        Ok(())
    }

    /// `DELETE` (not recursive); true when something was deleted.
    pub fn delete(&self, a: &Address) -> Result<bool> {
        self.retry(&a.url(), |_| {
            let r = self.send(self.http.delete(self.url(a, "DELETE", &[])?))?;
            Ok(Self::json::<BoolAnswer>(r)?.boolean)
        })
    }

    /// `DELETE` with `recursive=true`: a folder and everything under it; true when something was deleted.
    pub fn delete_tree(&self, a: &Address) -> Result<bool> {
        self.retry(&a.url(), |_| {
            let extra = vec![("recursive", "true".to_string())];
            let r = self.send(self.http.delete(self.url(a, "DELETE", &extra)?))?;
            Ok(Self::json::<BoolAnswer>(r)?.boolean)
        })
    }
}

fn location(resp: &reqwest::blocking::Response) -> Result<reqwest::Url, Fail> {
    let loc = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Fail::Permanent("a 307 without a Location header".into()))?;
    reqwest::Url::parse(loc).map_err(|e| Fail::Permanent(format!("bad Location {loc:?}: {e}")))
}

fn transport(e: reqwest::Error) -> Fail {
    // reqwest's messages carry the URL with its query (and a delegation token); print only the cause.
    let e = e.without_url();
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    Fail::Transient(msg)
}

fn snippet(s: &str) -> String {
    let s = s.trim();
    let mut end = s.len().min(200);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// `dir/name` → `dir/.name.partial` (hidden, so a folder reader skips it).
pub fn partial_name(dest: &Path) -> std::path::PathBuf {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dest.with_file_name(format!(".{name}.partial"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a = Address::parse("webhdfs://nn.example:50070/user/spot//proxy/").unwrap();
        assert_eq!(a.display, "webhdfs://nn.example:50070");
        assert_eq!(a.base, "http://nn.example:50070");
        assert_eq!(a.path, "/user/spot/proxy");
        let a = Address::parse("swebhdfs://nn/x%20y").unwrap();
        assert_eq!(a.base, "https://nn:9871");
        assert_eq!(a.path, "/x y");
        assert_eq!(Address::parse("webhdfs://nn:1").unwrap().path, "/");
        for bad in ["http://nn/x", "webhdfs:///x", "webhdfs://u:p@nn/x", "webhdfs://nn/x?delegation=1", "nn/x"] {
            assert!(Address::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_carry_auth_but_messages_do_not() {
        let cfg = HdfsCfg { delegation_token: "SECRET".into(), ..Default::default() };
        let c = WebHdfs::new(&cfg).unwrap();
        let a = Address::parse("webhdfs://127.0.0.1:1/a b").unwrap();
        let u = c.url(&a, "OPEN", &[("offset", "5".into())]).unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:1/webhdfs/v1/a%20b?op=OPEN&delegation=SECRET&offset=5");
        assert!(!a.url().contains("SECRET"));
        assert!(!format!("{cfg:?}").contains("SECRET"));
    }

    #[test]
    fn partial_names_are_hidden() {
        assert_eq!(partial_name(Path::new("/d/x.csv")), Path::new("/d/.x.csv.partial"));
    }
}
