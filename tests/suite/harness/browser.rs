//! A real headless browser for the report tests: Debian's `chromium`, driven through `chromedriver` by the W3C
//! WebDriver protocol (plain HTTP + JSON on 127.0.0.1, spoken with the crate's own `reqwest`). `.ci/run` installs
//! both; the tests that need them are compiled as ignored unless `PROXY_OA_CHROMEDRIVER` (or
//! `PROXY_OA_REQUIRE_BROWSER=1`) was set when they were built (`build.rs`).

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The W3C element reference key.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
    /// Where the browser saves downloads.
    pub downloads: tempfile::TempDir,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn path_of(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default))
}

impl Browser {
    /// Start chromedriver on a free loopback port and open one headless Chromium session.
    pub fn start() -> Browser {
        let driver_bin = path_of("PROXY_OA_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = path_of("PROXY_OA_CHROMIUM", "/usr/bin/chromium");
        assert!(driver_bin.exists(), "{} is missing: .ci/run installs chromium-driver", driver_bin.display());
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", driver_bin.display()));
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(120)).build().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = http
                .get(format!("{base}/status"))
                .send()
                .ok()
                .and_then(|r| r.bytes().ok())
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not answer on {base}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let downloads = tempfile::tempdir().unwrap();
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                },
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        }}});
        let mut b = Browser { driver, base, session: String::new(), http, downloads, _profile: profile };
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"].as_str().expect("a session id").to_string();
        b
    }

    /// One WebDriver command; panics with the driver's message when it fails.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body).unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{}", self.base, path);
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self
                .http
                .post(url)
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&body.unwrap_or_else(|| json!({}))).unwrap()),
        };
        let resp = req.send().map_err(|e| e.to_string())?;
        let ok = resp.status().is_success();
        let v: Value = serde_json::from_slice(&resp.bytes().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        if ok {
            Ok(v["value"].clone())
        } else {
            Err(format!("{}: {}", v["value"]["error"], v["value"]["message"]))
        }
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{}", self.session, rest)
    }

    /// Open a local file.
    pub fn open_file(&self, path: &Path) {
        self.open_file_at(path, None);
    }

    /// Open a local file at a fragment (`#name`).
    pub fn open_file_at(&self, path: &Path, fragment: Option<&str>) {
        let mut url = url::Url::from_file_path(path.canonicalize().unwrap()).unwrap();
        url.set_fragment(fragment);
        self.call("POST", &self.s("/url"), Some(json!({ "url": url.as_str() })));
    }

    /// Run `script` (a function body; `arguments` holds `args`) and return its value.
    pub fn exec(&self, script: &str, args: Vec<Value>) -> Value {
        self.call("POST", &self.s("/execute/sync"), Some(json!({ "script": script, "args": args })))
    }

    /// Wait until `script` returns true.
    pub fn wait_for(&self, what: &str, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.exec(script, vec![]) != json!(true) {
            assert!(Instant::now() < deadline, "waited 30 s for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The first element matching a CSS selector.
    pub fn find(&self, css: &str) -> String {
        let v = self.call("POST", &self.s("/element"), Some(json!({ "using": "css selector", "value": css })));
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_string()
    }

    pub fn click(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &self.s(&format!("/element/{e}/click")), None);
    }

    /// Type into an input (as a user would, key by key).
    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call("POST", &self.s(&format!("/element/{e}/clear")), None);
        self.call("POST", &self.s(&format!("/element/{e}/value")), Some(json!({ "text": text })));
    }

    /// Press the mouse at `(x0, y0)` and release it at `(x1, y1)`, offsets from the element's centre.
    pub fn drag(&self, css: &str, x0: i64, y0: i64, x1: i64, y1: i64) {
        let e = self.find(css);
        let origin = json!({ ELEMENT: e });
        let actions = json!({ "actions": [{ "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" },
        "actions": [
            { "type": "pointerMove", "duration": 0, "origin": origin, "x": x0, "y": y0 },
            { "type": "pointerDown", "button": 0 },
            { "type": "pointerMove", "duration": 100, "origin": origin, "x": (x0 + x1) / 2, "y": (y0 + y1) / 2 },
            { "type": "pointerMove", "duration": 100, "origin": origin, "x": x1, "y": y1 },
            { "type": "pointerUp", "button": 0 },
        ]}]});
        self.call("POST", &self.s("/actions"), Some(actions));
        self.call("DELETE", &self.s("/actions"), None);
    }

    /// The text of an open alert, if any (a page that ran injected script would have one).
    pub fn alert_text(&self) -> Option<String> {
        self.try_call("GET", &self.s("/alert/text"), None).ok().and_then(|v| v.as_str().map(String::from))
    }

    /// Save a PNG screenshot of the viewport.
    pub fn screenshot(&self, path: &Path) {
        use base64::Engine as _;
        let v = self.call("GET", &self.s("/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// The browser console's messages since the last call (level, message).
    pub fn console(&self) -> Vec<(String, String)> {
        let v = self.call("POST", &self.s("/se/log"), Some(json!({ "type": "browser" })));
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| (e["level"].as_str().unwrap_or("").to_string(), e["message"].as_str().unwrap_or("").to_string()))
            .collect()
    }

    /// Panic if the console has an error (a failed script, a CSP violation, a failed load).
    pub fn assert_no_console_errors(&self, when: &str) {
        let errors: Vec<_> = self.console().into_iter().filter(|(l, _)| l == "SEVERE").collect();
        assert!(errors.is_empty(), "console errors {when}: {errors:#?}");
    }

    /// Wait for a downloaded file (Chromium writes `.crdownload` first).
    pub fn wait_for_download(&self, name: &str) -> PathBuf {
        let p = self.downloads.path().join(name);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !p.exists() {
            assert!(
                Instant::now() < deadline,
                "no download {name} in {}: {:?}",
                self.downloads.path().display(),
                std::fs::read_dir(self.downloads.path()).unwrap().map(|e| e.unwrap().file_name()).collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        p
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.try_call("DELETE", &self.s(""), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Where a test keeps its screenshots: `<target>/tmp/<test>/` (Cargo's CARGO_TARGET_TMPDIR), kept after the run.
pub fn output_dir(test: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(test)
}
