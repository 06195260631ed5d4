//! Fetching from a cluster: the real binary against the in-process WebHDFS server on 127.0.0.1, and against a
//! stand-in `hdfs` command.

use crate::harness::webhdfs::{Fault, WebHdfsServer};
use crate::harness::{fixture, fixture_arg, write_spot_parquet, Workdir};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::harness::DAY;
const TABLES: [&str; 3] = ["proxy_scores", "proxy_edge", "proxy_ingest_summary"];
const RESULTS: &str = "/user/spot/proxy/scored_results/20160708/scores/proxy_results.csv";
const RAW: &str = "/user/spot/proxy/hive/y=2016/m=07/d=08";

/// A cluster holding the fixture day in Spot's layout (results file; raw day as Parquet, one folder per hour,
/// with a `_SUCCESS` marker and a hidden staging folder that must be skipped).
struct Cluster {
    _dir: tempfile::TempDir,
    server: WebHdfsServer,
}

impl Cluster {
    fn new() -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let results = root.join(RESULTS.trim_start_matches('/'));
        std::fs::create_dir_all(results.parent().unwrap()).unwrap();
        std::fs::copy(fixture("day1/proxy_results.csv"), &results).unwrap();
        write_spot_parquet(&root.join("user/spot/proxy/hive"));
        let raw = root.join(RAW.trim_start_matches('/'));
        std::fs::write(raw.join("_SUCCESS"), "").unwrap();
        std::fs::create_dir_all(raw.join(".hive-staging_1")).unwrap();
        std::fs::write(raw.join(".hive-staging_1/junk"), "not parquet").unwrap();
        let server = WebHdfsServer::start(root);
        Cluster { _dir: dir, server }
    }

    /// The raw day's files on the server, relative to the partition.
    fn raw_files(&self) -> Vec<String> {
        let mut out = vec![];
        let base = self.server.local(RAW);
        for h in std::fs::read_dir(&base).unwrap() {
            let h = h.unwrap().path();
            let name = h.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("h=") {
                continue;
            }
            for f in std::fs::read_dir(&h).unwrap() {
                out.push(format!("{name}/{}", f.unwrap().file_name().to_string_lossy()));
            }
        }
        out.sort();
        out
    }
}

/// A config for `w` pointing at `namenode`, with short timeouts and backoff.
fn config(w: &Workdir, namenode: &str, extra: &str) -> String {
    let text = format!(
        "[pipeline]\nnetwork_context = {:?}\n\n[hdfs]\nnamenode = {namenode:?}\nuser_name = \"spot\"\n\
         retries = 2\nbackoff_ms = 10\ntimeout_secs = 2.0\nconnect_timeout_secs = 2.0\n{extra}\n",
        fixture_arg("day1/network_context.csv")
    );
    w.write("proxy-oa.toml", text).display().to_string()
}

fn sha(p: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(p).unwrap()))
}

fn data_dir(w: &Workdir) -> PathBuf {
    w.path().join("data/proxy").join(DAY)
}

fn manifest(w: &Workdir) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(data_dir(w).join("fetch-manifest.json")).unwrap()).unwrap()
}

fn tables(w: &Workdir) -> Vec<String> {
    TABLES.iter().map(|t| w.table(DAY, t)).collect()
}

/// The same day run from local copies of the cluster's files.
fn local_tables(c: &Cluster) -> Vec<String> {
    let w = Workdir::new();
    let cfg = fixture_arg("day1/proxy-oa.toml");
    let (results, raw) = (c.server.local(RESULTS), c.server.local(RAW));
    w.run_day(&cfg, &results.display().to_string(), &raw.display().to_string());
    tables(&w)
}

#[test]
fn run_with_webhdfs_addresses_gives_the_tables_of_local_copies() {
    let c = Cluster::new();
    let w = Workdir::new();
    let cfg = config(&w, "", "");
    let out = w.run_day(&cfg, &c.server.url(RESULTS), &c.server.url(RAW));
    assert!(out.contains("fetch"), "{out}");
    let want = local_tables(&c);
    assert!(want[0].lines().count() > 5 && want[1].lines().count() > 5, "fixture day too small:\n{}", want[0]);
    assert_eq!(tables(&w), want);
    // Every fetched file is byte-identical and recorded with its sha256; hidden entries were skipped.
    let m = manifest(&w);
    let files = m["files"].as_array().unwrap();
    let mut locals: Vec<String> = files.iter().map(|f| f["local"].as_str().unwrap().to_string()).collect();
    locals.sort();
    let mut want_locals: Vec<String> = c.raw_files().iter().map(|f| format!("raw/{f}")).collect();
    want_locals.push("proxy_results.csv".into());
    want_locals.sort();
    assert_eq!(locals, want_locals);
    assert!(c.raw_files().len() >= 5, "a multi-hour partition: {:?}", c.raw_files());
    for f in files {
        let local = data_dir(&w).join(f["local"].as_str().unwrap());
        assert_eq!(f["sha256"].as_str().unwrap(), sha(&local), "{}", local.display());
        assert!(f["source"].as_str().unwrap().starts_with(&c.server.base()));
    }
    assert_eq!(
        std::fs::read(data_dir(&w).join("raw/h=13/data_0.parquet")).unwrap(),
        std::fs::read(c.server.local(&format!("{RAW}/h=13/data_0.parquet"))).unwrap()
    );
    // WebHDFS as specified: OPEN goes to the namenode and is redirected to the datanode, with user.name.
    let log = c.server.log();
    assert!(log.iter().any(|r| r.node == "datanode" && r.op == "OPEN"));
    assert!(log.iter().all(|r| r.param("user.name") == Some("spot")), "{log:?}");
    assert!(!log.iter().any(|r| r.path.contains("hive-staging") && r.op == "OPEN"));
}

#[test]
fn fetch_gets_the_day_and_run_uses_it_and_a_refetch_skips_unchanged_files() {
    let c = Cluster::new();
    let w = Workdir::new();
    let cfg = config(&w, &c.server.base(), "");
    let out = w.ok(&["--config", &cfg, "fetch", "--date", DAY]);
    assert!(out.contains("fetched"), "{out}");
    assert_eq!(
        std::fs::read(data_dir(&w).join("proxy_results.csv")).unwrap(),
        std::fs::read(fixture("day1/proxy_results.csv")).unwrap()
    );
    // run with neither --results nor --raw reads what fetch left.
    w.ok(&["--config", &cfg, "run", "--date", DAY]);
    assert_eq!(tables(&w), local_tables(&c));

    c.server.clear_log();
    let out = w.ok(&["--config", &cfg, "fetch", "--date", DAY]);
    assert!(!out.contains(" fetched "), "{out}");
    assert_eq!(out.matches("unchanged").count(), c.raw_files().len() + 1, "{out}");
    assert!(!c.server.log().iter().any(|r| r.op == "OPEN"), "unchanged files were downloaded again");

    // A file changed on the cluster is fetched again; one removed there is removed here.
    let results = c.server.local(RESULTS);
    let mut text = std::fs::read(&results).unwrap();
    text.extend_from_slice(b"\n");
    std::fs::write(&results, text).unwrap();
    std::fs::remove_dir_all(c.server.local(&format!("{RAW}/h=20"))).unwrap();
    let out = w.ok(&["--config", &cfg, "fetch", "--date", DAY]);
    assert!(out.contains("fetched") && out.contains("proxy_results.csv"), "{out}");
    assert!(out.contains("removed"), "{out}");
    assert!(!data_dir(&w).join("raw/h=20").join("data_0.parquet").exists());
    assert!(!manifest(&w)["files"].as_array().unwrap().iter().any(|f| f["local"].as_str().unwrap().contains("h=20")));
}

#[test]
fn a_download_that_breaks_off_is_resumed_and_a_short_one_is_detected() {
    let c = Cluster::new();
    let w = Workdir::new();
    let cfg = config(&w, &c.server.base(), "");
    c.server.fault("h=13/data_0.parquet", Fault::DropMidBody, 1);
    c.server.fault("proxy_results.csv", Fault::ShortBody, 1);
    let out = w.ok(&["--config", &cfg, "fetch", "--date", DAY]);
    assert_eq!(out.matches("resumed").count(), 2, "{out}");
    for (local, remote) in
        [("proxy_results.csv", RESULTS.to_string()), ("raw/h=13/data_0.parquet", format!("{RAW}/h=13/data_0.parquet"))]
    {
        assert_eq!(std::fs::read(data_dir(&w).join(local)).unwrap(), std::fs::read(c.server.local(&remote)).unwrap());
    }
    // The second attempt asked for the rest only.
    let resumed: Vec<_> = c
        .server
        .log()
        .into_iter()
        .filter(|r| r.node == "namenode" && r.op == "OPEN" && r.param("offset").is_some_and(|o| o != "0"))
        .collect();
    assert_eq!(resumed.len(), 2, "{resumed:?}");
}

#[test]
fn a_download_that_keeps_breaking_off_gives_up_with_exit_4_and_leaves_nothing() {
    let c = Cluster::new();
    let w = Workdir::new();
    let cfg = config(&w, &c.server.base(), "");
    c.server.fault("proxy_results.csv", Fault::ShortBody, 100);
    let err = w.fails(&["--config", &cfg, "fetch", "--date", DAY, "--results-only"], 4);
    assert!(err.contains(&c.server.url(RESULTS)), "{err}");
    assert!(err.contains("truncated download") && err.contains("gave up after 3 attempts"), "{err}");
    assert!(!data_dir(&w).join("proxy_results.csv").exists());
    assert!(!data_dir(&w).join(".proxy_results.csv.partial").exists());
}

#[test]
fn a_missing_file_is_named_with_hdfs_own_message() {
    let c = Cluster::new();
    let w = Workdir::new();
    let cfg = config(&w, &c.server.base(), "");
    let err = w.fails(&["--config", &cfg, "fetch", "--date", "20160709"], 4);
    let path = "/user/spot/proxy/scored_results/20160709/scores/proxy_results.csv";
    assert!(
        err.contains(&format!("{}: FileNotFoundException: File does not exist: {path}", c.server.url(path))),
        "{err}"
    );
    // A 404 is not retried.
    assert_eq!(c.server.log().len(), 1, "{:?}", c.server.log());
}

#[test]
fn server_errors_are_retried_and_stalls_and_closed_ports_are_exit_4() {
    let c = Cluster::new();
    let w = Workdir::new();
    let cfg = config(&w, &c.server.base(), "");
    c.server.fault("proxy_results.csv", Fault::ServerError, 2);
    w.ok(&["--config", &cfg, "fetch", "--date", DAY, "--results-only"]);

    c.server.fault("proxy_results.csv", Fault::ServerError, 100);
    let err = w.fails(&["--config", &cfg, "fetch", "--date", DAY, "--results-only"], 4);
    assert!(err.contains("IOException: injected failure") && err.contains("gave up after 3 attempts"), "{err}");

    let w = Workdir::new();
    let cfg = config(&w, &c.server.base(), "");
    c.server.clear_faults();
    c.server.fault("proxy_results.csv", Fault::Stall, 100);
    let err = w.fails(&["--config", &cfg, "fetch", "--date", DAY, "--results-only"], 4);
    assert!(err.contains(&c.server.url(RESULTS)) && err.contains("timed out"), "{err}");

    let port = crate::harness::http::closed_port();
    let w = Workdir::new();
    let cfg = config(&w, &format!("webhdfs://127.0.0.1:{port}"), "");
    let err = w.fails(&["--config", &cfg, "fetch", "--date", DAY], 4);
    assert!(err.contains(&format!("webhdfs://127.0.0.1:{port}{RESULTS}")), "{err}");
}

#[test]
fn fetch_without_a_namenode_is_a_config_error() {
    let w = Workdir::new();
    let cfg = config(&w, "", "");
    let err = w.fails(&["--config", &cfg, "fetch", "--date", DAY], 3);
    assert!(err.contains("[hdfs] namenode"), "{err}");
    let err = w.fails(&["--config", &cfg, "run", "--date", DAY], 2);
    assert!(err.contains("proxy-oa fetch --date 20160708"), "{err}");
}

/// A stand-in `hdfs` command: `hdfs dfs -get -f hdfs://nn/PATH DEST` copies `$FAKE_HDFS_ROOT/PATH` to DEST.
fn fake_hdfs(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("hdfs");
    std::fs::write(
        &script,
        "#!/bin/sh\n[ \"$1 $2 $3\" = \"dfs -get -f\" ] || { echo \"unexpected: $*\" >&2; exit 2; }\n\
         p=\"${4#hdfs://nn}\"\n\
         [ -e \"$FAKE_HDFS_ROOT$p\" ] || { echo \"get: \\`$p': No such file or directory\" >&2; exit 1; }\n\
         cp -R \"$FAKE_HDFS_ROOT$p\" \"$5\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn hdfs_addresses_use_the_hdfs_command_and_check_its_exit_status() {
    let c = Cluster::new();
    let w = Workdir::new();
    let bin = fake_hdfs(w.path());
    let cfg = config(&w, "hdfs://nn", &format!("command = {:?}", bin.join("hdfs").display().to_string()));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_proxy-oa"));
    cmd.args(["--workspace", &w.path().display().to_string(), "--config", &cfg, "fetch", "--date", DAY])
        .env("FAKE_HDFS_ROOT", c.server.local("/"));
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let m = manifest(&w);
    let files = m["files"].as_array().unwrap();
    assert_eq!(files.len(), c.raw_files().len() + 1, "{m}");
    for f in files {
        assert_eq!(f["sha256"].as_str().unwrap(), sha(&data_dir(&w).join(f["local"].as_str().unwrap())));
        assert!(f["modification_time"].is_null());
    }

    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_proxy-oa"));
    cmd.args(["--workspace", &w.path().display().to_string(), "--config", &cfg, "fetch", "--date", "20160709"])
        .env("FAKE_HDFS_ROOT", c.server.local("/"));
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dfs -get -f` failed") && err.contains("No such file or directory"), "{err}");

    // Not on the PATH: a clear error, exit 4.
    let cfg = config(&w, "hdfs://nn", "command = \"/nonexistent/hdfs\"");
    let err = w.fails(&["--config", &cfg, "fetch", "--date", DAY], 4);
    assert!(err.contains("cannot run `/nonexistent/hdfs`"), "{err}");
}
