//! A WebHDFS server for tests, in-process on 127.0.0.1, following the WebHDFS REST API: a namenode port that
//! answers GETFILESTATUS / LISTSTATUS / MKDIRS / RENAME / DELETE itself and OPEN / CREATE with a 307 to a second,
//! datanode port; `FileStatus(es)` JSON; errors as `{"RemoteException": {...}}`. The file system is a real folder
//! (`root`), so other programs (Spark) can read what was uploaded. Faults are queued per path: drop the
//! connection mid-body, send a body shorter than the file (a lying Content-Length), stall, 500, 404.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

/// A fault applied to requests whose HDFS path ends with `path_suffix`.
#[derive(Debug, Clone)]
pub enum Fault {
    /// The datanode sends the headers and half of the body of an OPEN, then closes the connection.
    DropMidBody,
    /// The datanode sends only the first half of the file with a matching Content-Length.
    ShortBody,
    /// The namenode says nothing (until the client gives up).
    Stall,
    /// The namenode answers 500 with a RemoteException.
    ServerError,
}

/// One logged request.
#[derive(Debug, Clone)]
pub struct Request {
    /// `namenode` or `datanode`.
    pub node: &'static str,
    pub method: String,
    pub op: String,
    pub path: String,
    pub query: Vec<(String, String)>,
}

impl Request {
    pub fn param(&self, k: &str) -> Option<&str> {
        self.query.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }
}

struct State {
    root: PathBuf,
    dn_port: u16,
    faults: Mutex<Vec<(String, Fault, usize)>>,
    log: Mutex<Vec<Request>>,
    stop: AtomicBool,
}

/// A running namenode + datanode pair.
pub struct WebHdfsServer {
    pub port: u16,
    pub dn_port: u16,
    state: Arc<State>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl WebHdfsServer {
    /// Serve the folder `root` as HDFS `/`.
    pub fn start(root: &Path) -> WebHdfsServer {
        let nn = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let dn = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = nn.local_addr().unwrap().port();
        let dn_port = dn.local_addr().unwrap().port();
        let state = Arc::new(State {
            root: root.to_path_buf(),
            dn_port,
            faults: Mutex::new(vec![]),
            log: Mutex::new(vec![]),
            stop: AtomicBool::new(false),
        });
        let threads = vec![accept_loop(nn, state.clone(), "namenode"), accept_loop(dn, state.clone(), "datanode")];
        WebHdfsServer { port, dn_port, state, threads }
    }

    /// `webhdfs://127.0.0.1:PORT`
    pub fn base(&self) -> String {
        format!("webhdfs://127.0.0.1:{}", self.port)
    }

    /// `webhdfs://127.0.0.1:PORT/path`
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base(), path)
    }

    /// Where HDFS path `p` lives on disk.
    pub fn local(&self, p: &str) -> PathBuf {
        self.state.root.join(p.trim_start_matches('/'))
    }

    /// Apply `fault` to the next `times` requests on paths ending with `path_suffix`.
    pub fn fault(&self, path_suffix: &str, fault: Fault, times: usize) {
        self.state.faults.lock().unwrap().push((path_suffix.to_string(), fault, times));
    }

    /// Drop every queued fault.
    pub fn clear_faults(&self) {
        self.state.faults.lock().unwrap().clear();
    }

    /// Requests so far.
    pub fn log(&self) -> Vec<Request> {
        self.state.log.lock().unwrap().clone()
    }

    /// Forget the logged requests.
    pub fn clear_log(&self) {
        self.state.log.lock().unwrap().clear();
    }
}

impl Drop for WebHdfsServer {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn accept_loop(l: TcpListener, state: Arc<State>, node: &'static str) -> std::thread::JoinHandle<()> {
    l.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        while !state.stop.load(Ordering::SeqCst) {
            match l.accept() {
                Ok((s, _)) => {
                    let st = state.clone();
                    std::thread::spawn(move || {
                        let _ = serve(s, &st, node);
                    });
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    })
}

fn respond(s: &mut TcpStream, code: u16, reason: &str, headers: &[(&str, String)], body: &[u8]) -> std::io::Result<()> {
    let mut h = format!("HTTP/1.1 {code} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("\r\n");
    s.write_all(h.as_bytes())?;
    s.write_all(body)?;
    s.flush()
}

fn json(s: &mut TcpStream, code: u16, body: &str) -> std::io::Result<()> {
    let reason = match code {
        200 => "OK",
        201 => "Created",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Internal Server Error",
    };
    respond(s, code, reason, &[("Content-Type", "application/json".into())], body.as_bytes())
}

fn remote_exception(s: &mut TcpStream, code: u16, exception: &str, message: &str) -> std::io::Result<()> {
    let body = serde_json::json!({"RemoteException": {
        "exception": exception, "javaClassName": format!("java.io.{exception}"), "message": message}});
    json(s, code, &body.to_string())
}

fn status_json(p: &Path, suffix: &str) -> serde_json::Value {
    let md = std::fs::metadata(p).unwrap();
    let mtime = md.modified().unwrap().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
    serde_json::json!({
        "accessTime": mtime, "blockSize": 134217728, "childrenNum": 0, "fileId": 16386, "group": "supergroup",
        "length": if md.is_dir() { 0 } else { md.len() }, "modificationTime": mtime, "owner": "spot",
        "pathSuffix": suffix, "permission": if md.is_dir() { "755" } else { "644" }, "replication": if md.is_dir() { 0 } else { 3 },
        "storagePolicy": 0, "type": if md.is_dir() { "DIRECTORY" } else { "FILE" }
    })
}

fn take_fault(st: &State, path: &str, wanted: &[&str]) -> Option<Fault> {
    let mut f = st.faults.lock().unwrap();
    for e in f.iter_mut() {
        let name = format!("{:?}", e.1);
        if e.2 > 0 && path.ends_with(&e.0) && wanted.iter().any(|w| name.starts_with(w)) {
            e.2 -= 1;
            return Some(e.1.clone());
        }
    }
    None
}

fn serve(stream: TcpStream, st: &State, node: &'static str) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let (mut len, mut chunked) = (0usize, false);
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 {
            break;
        }
        let h = h.trim_end().to_ascii_lowercase();
        if h.is_empty() {
            break;
        }
        if let Some(v) = h.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        if h.starts_with("transfer-encoding:") && h.contains("chunked") {
            chunked = true;
        }
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let path = path.strip_prefix("/webhdfs/v1").unwrap_or(path);
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned();
    let path = if path.is_empty() { "/".to_string() } else { path };
    let query: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let req = Request {
        node,
        method: method.clone(),
        op: query.iter().find(|(k, _)| k == "op").map(|(_, v)| v.clone()).unwrap_or_default(),
        path: path.clone(),
        query: query.clone(),
    };
    st.log.lock().unwrap().push(req.clone());
    let mut s = stream;
    let local = st.root.join(path.trim_start_matches('/'));
    if path.split('/').any(|c| c == "..") {
        return remote_exception(&mut s, 403, "AccessControlException", "bad path");
    }

    if node == "namenode" {
        match take_fault(st, &path, &["Stall", "ServerError"]) {
            Some(Fault::Stall) => {
                for _ in 0..100 {
                    if st.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                return Ok(());
            }
            Some(Fault::ServerError) => {
                return remote_exception(&mut s, 500, "IOException", "injected failure (test server)");
            }
            _ => {}
        }
        let not_found = format!("File does not exist: {path}");
        match (method.as_str(), req.op.as_str()) {
            ("GET", "GETFILESTATUS") => {
                if !local.exists() {
                    return remote_exception(&mut s, 404, "FileNotFoundException", &not_found);
                }
                json(&mut s, 200, &serde_json::json!({"FileStatus": status_json(&local, "")}).to_string())
            }
            ("GET", "LISTSTATUS") => {
                if !local.exists() {
                    return remote_exception(&mut s, 404, "FileNotFoundException", &not_found);
                }
                let mut v = vec![];
                if local.is_dir() {
                    let mut names: Vec<String> = std::fs::read_dir(&local)?
                        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .collect();
                    names.sort();
                    for n in names {
                        v.push(status_json(&local.join(&n), &n));
                    }
                } else {
                    v.push(status_json(&local, ""));
                }
                json(&mut s, 200, &serde_json::json!({"FileStatuses": {"FileStatus": v}}).to_string())
            }
            ("GET", "OPEN") | ("PUT", "CREATE") => {
                if req.op == "OPEN" && !local.is_file() {
                    return remote_exception(&mut s, 404, "FileNotFoundException", &not_found);
                }
                let mut u = url::Url::parse(&format!("http://127.0.0.1:{}/", st.dn_port)).unwrap();
                u.set_path(&format!("/webhdfs/v1{path}"));
                u.query_pairs_mut().extend_pairs(&query).append_pair("namenoderpcaddress", "127.0.0.1:8020");
                let loc = u.to_string();
                respond(&mut s, 307, "Temporary Redirect", &[("Location", loc)], b"")
            }
            ("PUT", "MKDIRS") => {
                std::fs::create_dir_all(&local)?;
                json(&mut s, 200, r#"{"boolean":true}"#)
            }
            ("PUT", "RENAME") => {
                let dest = query.iter().find(|(k, _)| k == "destination").map(|(_, v)| v.clone()).unwrap_or_default();
                let to = st.root.join(dest.trim_start_matches('/'));
                let ok = local.exists() && !to.exists() && std::fs::rename(&local, &to).is_ok();
                json(&mut s, 200, &format!(r#"{{"boolean":{ok}}}"#))
            }
            ("DELETE", "DELETE") => {
                let recursive = query.iter().any(|(k, v)| k == "recursive" && v == "true");
                let ok = if local.is_dir() && recursive {
                    std::fs::remove_dir_all(&local).is_ok()
                } else if local.is_dir() {
                    std::fs::remove_dir(&local).is_ok()
                } else {
                    std::fs::remove_file(&local).is_ok()
                };
                json(&mut s, 200, &format!(r#"{{"boolean":{ok}}}"#))
            }
            _ => remote_exception(
                &mut s,
                400,
                "UnsupportedOperationException",
                &format!("{method} {} is not supported", req.op),
            ),
        }
    } else {
        match (method.as_str(), req.op.as_str()) {
            ("GET", "OPEN") => {
                let data = match std::fs::read(&local) {
                    Ok(d) => d,
                    Err(_) => return remote_exception(&mut s, 404, "FileNotFoundException", "no such block"),
                };
                let offset: usize = req.param("offset").and_then(|v| v.parse().ok()).unwrap_or(0).min(data.len());
                let body = &data[offset..];
                match take_fault(st, &path, &["DropMidBody", "ShortBody"]) {
                    Some(Fault::DropMidBody) => {
                        let h = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
                            body.len()
                        );
                        s.write_all(h.as_bytes())?;
                        s.write_all(&body[..body.len() / 2])?;
                        s.flush()?;
                        Ok(()) // the connection closes here, short of Content-Length
                    }
                    Some(Fault::ShortBody) => respond(&mut s, 200, "OK", &[], &body[..body.len() / 2]),
                    _ => respond(&mut s, 200, "OK", &[("Content-Type", "application/octet-stream".into())], body),
                }
            }
            ("PUT", "CREATE") => {
                let mut body = vec![];
                if chunked {
                    loop {
                        let mut l = String::new();
                        reader.read_line(&mut l)?;
                        let n = usize::from_str_radix(l.trim(), 16).unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        let mut c = vec![0u8; n + 2];
                        reader.read_exact(&mut c)?;
                        body.extend_from_slice(&c[..n]);
                    }
                } else {
                    body.resize(len, 0);
                    reader.read_exact(&mut body)?;
                }
                let overwrite = req.param("overwrite") == Some("true");
                if local.exists() && !overwrite {
                    return remote_exception(&mut s, 403, "FileAlreadyExistsException", &format!("{path} exists"));
                }
                std::fs::create_dir_all(local.parent().unwrap())?;
                std::fs::write(&local, body)?;
                respond(&mut s, 201, "Created", &[("Location", format!("hdfs://127.0.0.1:8020{path}"))], b"")
            }
            _ => remote_exception(&mut s, 400, "UnsupportedOperationException", "datanode"),
        }
    }
}
