//! Test harness: runs the real binary in a fresh temporary workspace and, when a command does not do what the
//! test expects, prints the command, its folder, stdout and stderr.

#![allow(dead_code)]

pub mod browser;
pub mod http;
pub mod webhdfs;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The fixture day (`tests/fixtures/day1`).
pub const DAY: &str = "20160708";
/// The demo day (`proxy-oa demo`).
pub const DEMO_DAY: &str = "20161211";

/// A temporary workspace.
pub struct Workdir {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Default for Workdir {
    fn default() -> Self {
        Self::new()
    }
}

impl Workdir {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().to_path_buf();
        Workdir { _dir: dir, root }
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Write a file under the workspace and return its path.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        p
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_proxy-oa"));
        c.arg("--workspace").arg(&self.root).args(args).current_dir(&self.root);
        c.env_remove("PROXY_OA_WORKSPACE").env_remove("PROXY_OA_CONFIG");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("running proxy-oa")
    }

    fn describe(&self, args: &[&str], out: &Output) -> String {
        format!(
            "command: proxy-oa --workspace {} {}\ncwd: {}\nstatus: {}\n--- stdout\n{}\n--- stderr\n{}",
            self.root.display(),
            args.join(" "),
            self.root.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }

    /// Run and expect success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "expected success\n{}", self.describe(args, &out));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Run and expect exit `code`; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(code), "expected exit {code}\n{}", self.describe(args, &out));
        String::from_utf8(out.stderr).unwrap()
    }

    /// Run 20160708 with `config`, `results` and `raw`; returns stdout.
    pub fn run_day(&self, config: &str, results: &str, raw: &str) -> String {
        self.ok(&["--config", config, "run", "--date", "20160708", "--results", results, "--raw", raw])
    }

    /// Run the fixture day (tests/fixtures/day1) with `raw` as the raw input; returns stdout.
    pub fn run_fixture_day(&self, raw: &str) -> String {
        self.run_day(&fixture_arg("day1/proxy-oa.toml"), &fixture_arg("day1/proxy_results.csv"), raw)
    }

    /// One day of a table as TSV.
    pub fn table(&self, date: &str, table: &str) -> String {
        self.ok(&["show", "--date", date, "--table", table])
    }
}

/// The virtual environment named by `$var` (prepared and cached by `.ci/run`). The tests that need one are
/// compiled as ignored unless `$var` (or `PROXY_OA_REQUIRE_*=1`) was set when they were built (`build.rs`), so
/// here it must be set.
pub fn python_venv(var: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) => PathBuf::from(v),
        None => panic!("{var} is not set: .ci/run prepares this virtual environment and sets it"),
    }
}

/// A fixture file.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

/// A fixture path as a string argument.
pub fn fixture_arg(rel: &str) -> String {
    fixture(rel).display().to_string()
}

/// Compare with `tests/golden/<name>`; `SNAPSHOTS=overwrite` rewrites the golden file for review instead.
pub fn assert_golden(name: &str, actual: &str) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("golden file {}: {e} (SNAPSHOTS=overwrite writes it)", p.display()));
    if want != actual {
        let mut diff = String::new();
        let (w, a): (Vec<&str>, Vec<&str>) = (want.lines().collect(), actual.lines().collect());
        for i in 0..w.len().max(a.len()) {
            let (x, y) = (w.get(i).copied().unwrap_or("<none>"), a.get(i).copied().unwrap_or("<none>"));
            if x != y {
                diff.push_str(&format!("line {}:\n  golden: {x}\n  actual: {y}\n", i + 1));
            }
        }
        panic!("{} differs from the golden file (SNAPSHOTS=overwrite rewrites it):\n{diff}", p.display());
    }
}

/// Spot's raw table as Parquet under y=/m=/d=/h= folders, written with DuckDB from the TSV fixture.
pub fn write_spot_parquet(root: &std::path::Path) {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let mut cols = vec![];
    for (c, ty) in proxy_oa::schema::PROXY.columns {
        cols.push(format!("{c} {}", ty.duckdb()));
    }
    conn.execute_batch(&format!(
        "CREATE TABLE proxy ({}, y VARCHAR, m VARCHAR, d VARCHAR, h VARCHAR)",
        cols.join(", ")
    ))
    .unwrap();
    let text = std::fs::read_to_string(fixture("day1/raw.tsv")).unwrap();
    {
        let mut app = conn.appender("proxy").unwrap();
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 28 {
                continue; // the broken line has no Parquet equivalent
            }
            let mut vals: Vec<duckdb::types::Value> = vec![];
            for (i, v) in f.iter().enumerate() {
                vals.push(if [7, 22, 23].contains(&i) {
                    v.parse::<i32>().map(duckdb::types::Value::Int).unwrap_or(duckdb::types::Value::Null)
                } else {
                    duckdb::types::Value::Text(v.to_string())
                });
            }
            vals.push(duckdb::types::Value::Text(f[0][0..4].into()));
            vals.push(duckdb::types::Value::Text(f[0][5..7].into()));
            vals.push(duckdb::types::Value::Text(f[0][8..10].into()));
            vals.push(duckdb::types::Value::Text(f[1][0..2].into()));
            let refs: Vec<&dyn duckdb::ToSql> = vals.iter().map(|v| v as &dyn duckdb::ToSql).collect();
            app.append_row(refs.as_slice()).unwrap();
        }
        app.flush().unwrap();
    }
    conn.execute("COPY proxy TO ? (FORMAT PARQUET, PARTITION_BY (y, m, d, h))", [root.display().to_string()]).unwrap();
}

/// A raw row in the 28-column TSV layout of Spot's `proxy` table.
#[allow(clippy::too_many_arguments)]
pub fn raw_row(time: &str, ip: &str, host: &str, path: &str, code: &str, duration: &str, referer: &str) -> String {
    let fulluri = format!("{host}{path}");
    [
        "2016-07-08",
        time,
        ip,
        host,
        "GET",
        "\"Mozilla/5.0\"",
        "application/octet-stream",
        duration,
        "-",
        "-",
        "-",
        "OBSERVED",
        "Malicious",
        referer,
        code,
        "TCP_NC_MISS",
        "http",
        "80",
        path,
        "-",
        "exe",
        "198.51.100.9",
        "100",
        "200",
        "-",
        "none",
        "none",
        &fulluri,
    ]
    .join("\t")
}

/// A results row (21 columns) for a raw row's connection.
pub fn result_row(time: &str, ip: &str, host: &str, path: &str, code: &str, score: &str) -> String {
    let fulluri = format!("{host}{path}");
    [
        "2016-07-08",
        time,
        ip,
        host,
        "GET",
        "\"Mozilla/5.0\"",
        "application/octet-stream",
        "10",
        "-",
        "Malicious",
        "-",
        code,
        "80",
        path,
        "-",
        "198.51.100.9",
        "100",
        "200",
        &fulluri,
        "word",
        score,
    ]
    .join("\t")
}

/// A day ([`DAY`]) built around one threat, `bad.example/dl.exe`: three clients request it (3, 2 and 1 times), two other
/// URIs are requested with it as their referer, one with a referer that only starts like it.
pub fn threat_day() -> Workdir {
    let w = Workdir::new();
    let raw_rows = [
        raw_row("01:00:00", "10.0.0.1", "bad.example", "/dl.exe", "200", "10", "-"),
        raw_row("01:05:00", "10.0.0.1", "bad.example", "/dl.exe", "200", "20", "http://start.example/"),
        raw_row("02:00:00", "10.0.0.1", "bad.example", "/dl.exe", "404", "5", "-"),
        raw_row("03:00:00", "10.0.0.3", "bad.example", "/dl.exe", "200", "7", "-"),
        raw_row("03:30:00", "10.0.0.3", "bad.example", "/dl.exe", "200", "8", "-"),
        raw_row("04:00:00", "10.0.0.2", "bad.example", "/dl.exe", "200", "1", "-"),
        raw_row("05:00:00", "10.0.0.1", "next.example", "/x", "200", "1", "http://bad.example/dl.exe"),
        raw_row("05:10:00", "10.0.0.2", "other.example", "/y", "200", "1", "https://bad.example:443/dl.exe"),
        raw_row("05:20:00", "10.0.0.2", "sig.example", "/z", "200", "1", "http://bad.example/dl.exe.sig"),
    ];
    let results = [
        result_row("01:00:00", "10.0.0.1", "bad.example", "/dl.exe", "200", "1.0E-7"),
        result_row("03:00:00", "10.0.0.3", "bad.example", "/dl.exe", "200", "2.0E-7"),
        result_row("04:00:00", "10.0.0.2", "bad.example", "/dl.exe", "200", "3.0E-7"),
        result_row("05:00:00", "10.0.0.1", "next.example", "/x", "200", "4.0E-7"),
        result_row("05:10:00", "10.0.0.2", "other.example", "/y", "200", "5.0E-7"),
    ];
    run_rows(&w, &raw_rows, &results);
    w
}

/// Run [`DAY`] offline from raw rows ([`raw_row`]) and results rows ([`result_row`]); returns stdout.
pub fn run_rows(w: &Workdir, raw_rows: &[String], results: &[String]) -> String {
    let raw_file = w.write("in/raw.tsv", raw_rows.join("\n") + "\n");
    let results_file = w.write("in/proxy_results.csv", results.join("\n") + "\n");
    w.ok(&[
        "run",
        "--date",
        DAY,
        "--offline",
        "--results",
        &results_file.display().to_string(),
        "--raw",
        &raw_file.display().to_string(),
    ])
}

/// One raw row in Spot's 28-column TSV order (`--raw` reads it as a `tsv` day), the columns the tests vary named,
/// the rest fixed; `fulluri` is `host` + `path` (`host:443` for a CONNECT).
pub struct TsvRow<'a> {
    pub date: &'a str,
    pub time: &'a str,
    pub client: &'a str,
    pub host: &'a str,
    pub method: &'a str,
    pub agent: &'a str,
    pub duration: i64,
    pub path: &'a str,
    pub server: &'a str,
    pub csbytes: i64,
}

impl Default for TsvRow<'_> {
    fn default() -> Self {
        TsvRow {
            date: "2016-12-11",
            time: "00:00:00",
            client: "10.0.0.1",
            host: "www.example.com",
            method: "GET",
            agent: "Mozilla/5.0 (Windows NT 10.0) Firefox/120.0",
            duration: 40,
            path: "/",
            server: "198.51.100.1",
            csbytes: 300,
        }
    }
}

impl TsvRow<'_> {
    pub fn line(&self) -> String {
        let connect = self.method == "CONNECT";
        let path = if connect { "" } else { self.path };
        let fulluri = if connect { format!("{}:443", self.host) } else { format!("{}{path}", self.host) };
        let (duration, csbytes) = (self.duration.to_string(), self.csbytes.to_string());
        [
            self.date,
            self.time,
            self.client,
            self.host,
            self.method,
            self.agent,
            "text/html",
            &duration,
            "-",
            "-",
            "-",
            "OBSERVED",
            "-",
            "-",
            "200",
            "TCP_NC_MISS",
            "http",
            "80",
            path,
            "-",
            "-",
            self.server,
            "1000",
            &csbytes,
            "-",
            "-",
            "-",
            &fulluri,
        ]
        .join("\t")
    }
}
