//! `run --on-cluster` against a real engine: a Spark Thrift Server on 127.0.0.1 (pip `pyspark`, Spark's own
//! `beeline` as the client) and the in-process WebHDFS test server as HDFS, both over one folder. The demo day's raw
//! traffic sits in a Spark `proxy` table made with Apache Spot's DDL (`tests/spark/spot_proxy.hql`); the run on the
//! cluster must give the same three tables as the local run of the same inputs (`show`, byte for byte), on both
//! sides; a re-run replaces; a missing `proxy` table and a Thrift Server stopped mid-run leave both sides as they
//! were. Impala's statements are checked against a golden file (no Impala here). `rank --on-cluster` gives the
//! local ranking's results file byte for byte.

use crate::harness::webhdfs::WebHdfsServer;
use crate::harness::{assert_golden, Workdir, DEMO_DAY as DAY};
use crate::spark::{assert_same, beeline_sums_of, spark_home, start_thrift, store_sums_of, venv};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const DB: &str = "spot_it";
const OA: [&str; 4] = ["proxy_scores", "proxy_edge", "proxy_ingest_summary", "proxy_findings"];

/// The three tables of the day as `show` prints them.
fn tables(w: &Workdir) -> Vec<String> {
    OA.iter().map(|t| w.table(DAY, t)).collect()
}

/// Run a script through beeline; its stdout.
fn beeline(home: &Path, port: u16, sql: &str) -> String {
    let o = Command::new(home.join("bin/beeline"))
        .env("SPARK_HOME", home)
        .args(["-u", &format!("jdbc:hive2://127.0.0.1:{port}/default"), "-n", "spot"])
        .args(["--silent=true", "--outputformat=tsv2", "--showHeader=false", "-e", sql])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "beeline {sql}: {}\n{text}", String::from_utf8_lossy(&o.stderr));
    text
}

/// Every file under `dir` with its bytes (the cluster's tables as files).
fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn config(w: &Workdir, name: &str, nn: &str, command: &str, port: u16, root: &Path, db: &str) -> String {
    w.write(
        name,
        format!(
            "[pipeline]\nwhere = \"cluster\"\n\n[hdfs]\nnamenode = {nn:?}\nuser_name = \"spot\"\nhuser = \"/user/spot\"\n\n\
             [impala]\nengine = \"spark\"\nclient = \"beeline\"\ncommand = {command:?}\n\
             jdbc_url = \"jdbc:hive2://127.0.0.1:{port}/default\"\nuser = \"spot\"\ndbname = {db:?}\n\
             huser = {:?}\ntimeout_secs = 600\n",
            format!("file://{}/user/spot", root.display())
        ),
    )
    .display()
    .to_string()
}

#[test]
#[cfg_attr(not(proxy_oa_spark), ignore = "needs PROXY_OA_SPARK_VENV: a venv with pyspark (.ci/run prepares it)")]
fn a_run_on_the_cluster_gives_the_local_runs_tables_on_both_sides() {
    let (home, beeline_exe, w) = demo_day();
    // Spot's own Parquet keeps Blue Coat's values as logged: one more file of the day, as Spot's ingest would have
    // written the threat's requests (quoted URI and user agent, `-` for an empty user name). Both runs read it
    // through the value rules: the local one in its `proxy` view, the cluster in the expanded statements. The
    // threat is the demo day's most suspicious URI; the runs keep the demo's results file (given), so that the
    // extra file does not make the ranker rank the day again.
    let threat = &crate::spark::most_suspicious_uri(&w);
    let extra = add_spot_file(w.path(), threat);
    let results = w.path().join(format!("data/proxy/{DAY}/proxy_results.csv")).display().to_string();
    // The behaviour detectors compare with the day before: part of the demo day stored as 2016-12-10, here and
    // as the cluster's partition, so that first_seen and rare_agent find some of the day's hosts and agents new.
    add_earlier_day(w.path());
    // Machines that beacon and strobe to a raw IP, so that every detector finds something; SigmaHQ's proxy rules.
    let extra = extra + add_machines(w.path());
    w.ok(&["sigma", "import", &crate::harness::fixture_arg("sigma/rules")]);
    // Both runs use the default settings (the detectors, here or on Spark SQL, and the evidence order) but a lower
    // strobe threshold.
    let findings = "[findings]\nstrobe_connections = 500\n";
    let local_cfg = w.write("local.toml", findings).display().to_string();
    let run = w.ok(&["--config", &local_cfg, "run", "--date", DAY, "--offline", "--results", &results]);
    assert!(run.contains("proxy_edge"), "{run}");
    let local_findings = w.table(DAY, "proxy_findings");
    for detector in ["beacon", "strobe", "raw_ip", "dga", "rare_agent", "tunnel", "first_seen", "sigma"] {
        let detector = &format!("\t{detector}\t");
        assert!(local_findings.contains(detector), "the demo day has {detector} findings:\n{local_findings}");
    }
    w.ok(&["score", "--date", DAY, "--uri", threat, "--sev", "1"]);
    w.ok(&["storyboard", "--date", DAY, "--uri", threat, "--title", "t", "--text", "x"]);
    let local = tables(&w);
    let local_timeline = w.table(DAY, "proxy_timeline");
    assert!(local[1].lines().count() > 100, "the demo day has edges:\n{}", local[1]);

    // The cluster: one folder that the WebHDFS server serves and Spark reads and writes as file://.
    let work = tempfile::tempdir().unwrap();
    let SparkCluster { root, raw_bytes, server, port, thrift } = SparkCluster::start(&w, &home, work.path());
    let raw_count =
        beeline(&home, port, &format!("SELECT count(*) FROM {DB}.proxy WHERE y='2016' AND m='12' AND d='11'"));
    let want_rows = (20_000 + extra).to_string();
    assert!(raw_count.contains(&want_rows), "the proxy table holds the demo day: {raw_count}");

    // 1. The run on the cluster ([pipeline] where = "cluster") gives the local run's tables, byte for byte.
    let cfg = config(&w, "cluster.toml", &server.base(), &beeline_exe, port, &root, DB);
    std::fs::write(&cfg, std::fs::read_to_string(&cfg).unwrap() + findings).unwrap();
    let out = w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline"]);
    assert!(out.contains("on the cluster (spark through beeline)"), "{out}");
    assert!(out.contains("cluster proxy_edge") && out.contains("bytes up"), "{out}");
    assert!(out.contains("findings evidence"), "the detectors ran on the cluster: {out}");
    assert_eq!(tables(&w), local, "the run on the cluster differs from the local run");
    assert_eq!(w.table(DAY, "proxy_findings"), local_findings, "the cluster's findings differ from the local run's");
    assert!(!root.join(format!("user/spot/proxy/oa-staging/{DAY}-findings")).exists());
    // The analyst's side works on the rows that came back: the storyboard's timeline is the local one.
    w.ok(&["storyboard", "--date", DAY, "--uri", threat, "--title", "t", "--text", "x"]);
    assert_eq!(w.table(DAY, "proxy_timeline"), local_timeline);
    // A local run without --raw refuses the partial raw folder instead of computing a wrong summary.
    let err = w.fails(&["run", "--date", DAY, "--offline"], 2);
    assert!(err.contains("only the raw rows a run on the cluster brought back"), "{err}");
    // The cluster's tables hold the same day.
    let want = store_sums_of(w.path(), &OA);
    assert_same("the cluster after a run", &want, &beeline_sums_of(&home, port, &OA));
    // Nothing of the staging is left.
    assert!(!root.join(format!("user/spot/proxy/oa-staging/{DAY}")).exists());
    // What crossed is O(results + edges): here well under the raw day's own Parquet.
    let line = out.lines().find(|l| l.contains("bytes up")).unwrap();
    let num = |what: &str| -> u64 {
        let at = line.find(what).unwrap();
        line[..at].trim_end().rsplit(' ').next().unwrap().parse().unwrap()
    };
    let (up, down) = (num(" bytes up"), num(" bytes down"));
    assert!(up > 0 && down > 0 && up + down < raw_bytes, "{up} up + {down} down vs the raw day's {raw_bytes}: {line}");

    // 2. Again: the day is replaced, not doubled.
    w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline"]);
    assert_eq!(tables(&w), local);
    assert_eq!(w.table(DAY, "proxy_findings"), local_findings);
    assert_same("the cluster after a second run", &want, &beeline_sums_of(&home, port, &OA));

    // A day the cluster's proxy table has no partition for: exit 4, nothing published, the store unchanged.
    let err = w.fails(&["--config", &cfg, "run", "--date", "20161212", "--results", &results, "--offline"], 4);
    assert!(err.contains("has no rows for y=2016/m=12/d=12"), "{err}");
    assert_eq!(w.table("20161212", "proxy_scores"), w.table("20161231", "proxy_scores"), "nothing stored for the day");
    assert_same("the cluster after the empty day", &want, &beeline_sums_of(&home, port, &OA));

    // 3. A database without the proxy table: the step that reads it fails by name (exit 5), nothing changes.
    let oa = root.join("user/spot/proxy/hive/oa");
    let before = files_under(&oa);
    let bad = config(&w, "nodb.toml", &server.base(), &beeline_exe, port, &root, "spot_empty");
    let err = w.fails(&["--config", &bad, "run", "--date", DAY, "--offline"], 5);
    assert!(err.contains("step findings failed"), "the first step reads the proxy table: {err}");
    assert_eq!(tables(&w), local);
    assert!(files_under(&oa) == before, "the cluster's tables changed");

    // 4. The Thrift Server stops mid-run (after the detectors' first step): exit 5, both sides as they were.
    // The second client run is the detectors' evidence step.
    let (wrapper, calls) = beeline_that_stops(&w, work.path(), &thrift, &beeline_exe);
    let stop = config(&w, "stop.toml", &server.base(), &wrapper.display().to_string(), port, &root, DB);
    let err = w.fails(&["--config", &stop, "run", "--date", DAY, "--offline"], 5);
    assert!(err.contains("step findings evidence failed"), "{err}");
    assert_eq!(std::fs::read_to_string(&calls).unwrap().lines().count(), 2, "the run stopped at the failed step");
    assert_eq!(tables(&w), local, "the local store changed");
    assert_eq!(w.table(DAY, "proxy_findings"), local_findings, "the local findings changed");
    assert!(files_under(&oa) == before, "the cluster's tables changed");
    drop(thrift);
}

/// `rank --on-cluster`: the words and counts on Spark, the model here, the rows selected on Spark; the results file
/// is the local `rank`'s, byte for byte (the same day, config, feedback and seed), in the day's folder and where
/// spot-ml wrote it on HDFS. `run --on-cluster` of a day without a results file ranks there first. A Thrift Server
/// stopped mid-ranking changes neither side.
#[test]
#[cfg_attr(not(proxy_oa_spark), ignore = "needs PROXY_OA_SPARK_VENV: a venv with pyspark (.ci/run prepares it)")]
fn a_ranking_on_the_cluster_writes_the_local_rankings_file_byte_for_byte() {
    let (home, beeline_exe, w) = demo_day();
    // The analyst's feedback is part of the ranking on both sides (the rows go up to the cluster).
    let threat = crate::spark::most_suspicious_uri(&w);
    w.ok(&["score", "--date", DAY, "--uri", &threat, "--sev", "3"]);
    // Every row is written (a small day's scores are far above spot-ml's 1e-6): the whole order is compared.
    let every_row = "\n[rank]\nthreshold = 1.0\nmax_results = 0\n";
    let local_cfg = w.write("local.toml", every_row).display().to_string();
    let results = w.path().join(format!("data/proxy/{DAY}/proxy_results.csv"));
    w.ok(&["--config", &local_cfg, "rank", "--date", DAY]);
    let local = std::fs::read(&results).unwrap();
    let lines = local.iter().filter(|b| **b == b'\n').count();
    assert!(lines > 19_000, "every row of the day is ranked: {lines}");

    let work = tempfile::tempdir().unwrap();
    let SparkCluster { root, raw_bytes, server, port, thrift } = SparkCluster::start(&w, &home, work.path());
    let with_rank = |name: &str, command: &str, extra: &str| {
        let cfg = config(&w, name, &server.base(), command, port, &root, DB);
        let text = std::fs::read_to_string(&cfg).unwrap();
        std::fs::write(&cfg, format!("{text}{every_row}{extra}")).unwrap();
        cfg
    };
    let cfg = with_rank("cluster.toml", &beeline_exe, "");
    std::fs::remove_file(&results).unwrap();
    let out = w.ok(&["--config", &cfg, "rank", "--date", DAY]);
    assert!(out.contains("rank counts") && out.contains("rank rows"), "{out}");
    assert_eq!(std::fs::read(&results).unwrap(), local, "the ranking on the cluster differs from the local one");
    let hdfs = root.join(format!("user/spot/proxy/scored_results/{DAY}/scores/proxy_results.csv"));
    assert_eq!(std::fs::read(&hdfs).unwrap(), local, "spot-ml's place on HDFS holds the same file");
    assert!(!root.join(format!("user/spot/proxy/oa-staging/{DAY}-rank")).exists(), "the staging folder is gone");
    // Only the counts come back for the model: fewer bytes than the raw day's Parquet.
    let line = out.lines().find(|l| l.contains("bytes down (")).unwrap();
    let counts: u64 = line.split("bytes down (").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!(counts > 0 && counts < raw_bytes, "{counts} bytes of counts vs the raw day's {raw_bytes}: {line}");

    // `run --on-cluster` of the day without a results file ranks on the cluster first, then runs there.
    std::fs::remove_file(&results).unwrap();
    let out = w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline"]);
    assert!(out.contains("no results file: ranked by the embedded spot-ml model") && out.contains("on the cluster"));
    assert_eq!(std::fs::read(&results).unwrap(), local);
    let record = w.path().join(format!("data/proxy/{DAY}/proxy_results.rank.json"));
    let before_record = std::fs::read(&record).unwrap();

    // The Thrift Server stops at the counts step of a ranking with another seed (whose file would differ): exit 5,
    // the results file, its record and the HDFS copy as they were.
    let (wrapper, calls) = beeline_that_stops(&w, work.path(), &thrift, &beeline_exe);
    let stop = with_rank("stop.toml", &wrapper.display().to_string(), "seed = 7\n");
    let err = w.fails(&["--config", &stop, "rank", "--date", DAY], 5);
    assert!(err.contains("step rank counts failed") && err.contains("is as it was"), "{err}");
    assert_eq!(std::fs::read_to_string(&calls).unwrap().lines().count(), 2, "the ranking stopped at the failed step");
    assert_eq!(std::fs::read(&results).unwrap(), local, "the local results file changed");
    assert_eq!(std::fs::read(&record).unwrap(), before_record, "the record changed");
    assert_eq!(std::fs::read(&hdfs).unwrap(), local, "the results file on HDFS changed");
    drop(thrift);
}

/// Spark's home, its beeline, and a workspace with the demo day of 20,000 rows.
fn demo_day() -> (PathBuf, String, Workdir) {
    let home = spark_home(&venv());
    let beeline_exe = home.join("bin/beeline").display().to_string();
    let w = Workdir::new();
    w.ok(&["demo", "--rows", "20000"]);
    (home, beeline_exe, w)
}

/// A beeline whose second run finds the Thrift Server `thrift` stopped (it kills it first); the wrapper and the file
/// that counts its runs.
fn beeline_that_stops(w: &Workdir, work: &Path, thrift: &crate::spark::Thrift, beeline: &str) -> (PathBuf, PathBuf) {
    let pid_file = work.join("thrift.pid");
    std::fs::write(&pid_file, thrift.0.id().to_string()).unwrap();
    let calls = work.join("calls");
    let wrapper = w.write(
        "beeline-then-stop.sh",
        format!(
            "#!/bin/sh\n# The second client run finds the server stopped.\necho x >> {calls:?}\n\
             if [ \"$(wc -l < {calls:?})\" -eq 2 ]; then kill -9 \"$(cat {pid_file:?})\"; sleep 1; fi\n\
             exec {beeline:?} \"$@\"\n"
        ),
    );
    let mut perm = std::fs::metadata(&wrapper).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&wrapper, perm).unwrap();
    (wrapper, calls)
}

/// A Spark Thrift Server and the WebHDFS test server over one folder (`root`), with the workspace's raw day in a
/// `proxy` table made with Spot's DDL (`raw_bytes` its size).
struct SparkCluster {
    root: PathBuf,
    raw_bytes: u64,
    server: WebHdfsServer,
    port: u16,
    thrift: crate::spark::Thrift,
}

impl SparkCluster {
    fn start(w: &Workdir, home: &Path, work: &Path) -> SparkCluster {
        let root = work.join("cluster");
        // Every raw day of the workspace becomes a partition (`raw_bytes`: the demo day's).
        let mut raw_bytes = 0;
        for day in std::fs::read_dir(w.path().join("data/proxy")).unwrap() {
            let day = day.unwrap().file_name().into_string().unwrap();
            let (y, m, d) = (&day[..4], &day[4..6], &day[6..]);
            let raw_home = root.join(format!("user/spot/proxy/hive/y={y}/m={m}/d={d}"));
            for f in walk(&w.path().join(format!("data/proxy/{day}/raw"))) {
                let dest = raw_home.join(f.parent().unwrap().file_name().unwrap());
                std::fs::create_dir_all(&dest).unwrap();
                let n = std::fs::copy(&f, dest.join(f.file_name().unwrap())).unwrap();
                if day == DAY {
                    raw_bytes += n;
                }
            }
        }
        let server = WebHdfsServer::start(&root);
        let port = crate::harness::http::closed_port();
        let thrift = start_thrift(home, work, port);
        let ddl = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spark/spot_proxy.hql"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n")
            .replace("${var:dbname}", DB)
            .replace("${var:huser}", &format!("file://{}/user/spot", root.display()));
        beeline(home, port, &format!("CREATE DATABASE IF NOT EXISTS {DB}; {ddl}; MSCK REPAIR TABLE {DB}.proxy;"));
        SparkCluster { root, raw_bytes, server, port, thrift }
    }
}

/// Write `spot-extra.parquet` into the day's raw folder: the raw rows to `uri`, as Spot's ingest keeps them; how
/// many.
fn add_spot_file(ws: &Path, uri: &str) -> usize {
    let raw = ws.join(format!("data/proxy/{DAY}/raw"));
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let cols: Vec<String> = proxy_oa::schema::PROXY
        .columns
        .iter()
        .map(|(c, _)| match *c {
            "useragent" | "fulluri" => format!("concat('\"', {c}, '\"') AS {c}"),
            "username" => "CASE WHEN username = '' THEN '-' ELSE username END AS username".to_string(),
            _ => c.to_string(),
        })
        .collect();
    let sql = format!(
        "COPY (SELECT {} FROM read_parquet(?) WHERE fulluri = ? ORDER BY ALL) TO ? (FORMAT PARQUET)",
        cols.join(", ")
    );
    let files = format!("{}/*/*.parquet", raw.display());
    let out = raw.join("h=00/spot-extra.parquet");
    let n = conn.execute(&sql, duckdb::params![files, uri, out.display().to_string()]).unwrap();
    assert!(n > 0, "the demo day has requests to {uri}: {n}");
    n
}

/// Store the demo day's rows to hosts without an `e` and from clients not ending in `7` as the day before
/// (2016-12-10, `data/proxy/20161210/raw/h=00/`).
fn add_earlier_day(ws: &Path) {
    let raw = ws.join(format!("data/proxy/{DAY}/raw"));
    let out = ws.join("data/proxy/20161210/raw/h=00");
    std::fs::create_dir_all(&out).unwrap();
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let cols: Vec<String> = proxy_oa::schema::PROXY
        .columns
        .iter()
        .map(|(c, _)| if *c == "p_date" { "'2016-12-10' AS p_date".to_string() } else { c.to_string() })
        .collect();
    let sql = format!(
        "COPY (SELECT {} FROM read_parquet(?) WHERE host NOT LIKE '%e%' AND clientip NOT LIKE '%7' ORDER BY ALL) \
         TO ? (FORMAT PARQUET)",
        cols.join(", ")
    );
    let files = format!("{}/*/*.parquet", raw.display());
    let n = conn.execute(&sql, duckdb::params![files, out.join("earlier.parquet").display().to_string()]).unwrap();
    assert!(n > 1000, "the day before has rows: {n}");
}

/// Add `spot-machines.parquet` to the demo day: a client beaconing to a raw IP every 150 s from 01:00 to 21:00
/// (one connection of two hours among them), and one reaching it every 10 s for 600 times (a strobe at
/// `strobe_connections = 500`); how many rows.
fn add_machines(ws: &Path) -> usize {
    let raw = ws.join(format!("data/proxy/{DAY}/raw"));
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let cols: Vec<String> = proxy_oa::schema::PROXY
        .columns
        .iter()
        .map(|(c, _)| match *c {
            "clientip" => "CASE WHEN i < 480 THEN '10.66.0.1' ELSE '10.66.0.2' END AS clientip".to_string(),
            "host" => "'203.0.113.9' AS host".to_string(),
            "p_time" => "strftime(TIMESTAMP '2016-12-11 01:00:00' + to_seconds(CASE WHEN i < 480 THEN i * 150 \
                         ELSE (i - 480) * 10 END), '%H:%M:%S') AS p_time"
                .to_string(),
            "fulluri" => "'203.0.113.9/gate.php' AS fulluri".to_string(),
            "reqmethod" => "'GET' AS reqmethod".to_string(),
            "duration" => "CASE WHEN i = 0 THEN CAST(7200000 AS INTEGER) ELSE duration END AS duration".to_string(),
            "csbytes" => "CAST(512 AS INTEGER) AS csbytes".to_string(),
            _ => c.to_string(),
        })
        .collect();
    let sql = format!(
        "COPY (SELECT {} FROM (SELECT * FROM read_parquet(?) ORDER BY ALL LIMIT 1), range(1080) AS t(i) ORDER BY ALL) \
         TO ? (FORMAT PARQUET)",
        cols.join(", ")
    );
    let files = format!("{}/*/*.parquet", raw.display());
    let out = raw.join("h=02/spot-machines.parquet");
    conn.execute(&sql, duckdb::params![files, out.display().to_string()]).unwrap()
}

/// Every file under `dir`, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = files_under(dir).into_keys().map(|p| dir.join(p)).collect();
    v.sort();
    v
}

#[test]
fn impalas_statements_for_a_day_are_the_golden_ones() {
    let w = Workdir::new();
    let cfg = w.write(
        "impala.toml",
        "[hdfs]\nnamenode = \"webhdfs://namenode.example:50070\"\nhuser = \"/user/spot\"\n\n[impala]\n\
         engine = \"impala\"\nclient = \"impala-shell\"\nimpalad = \"impalad.example:21050\"\nkerberos = true\n\
         dbname = \"spot\"\n",
    );
    let plan = w.ok(&["--config", &cfg.display().to_string(), "run", "--date", DAY, "--on-cluster", "--dry-run"]);
    assert!(!plan.contains("${hivevar:"), "{plan}");
    assert_golden("cluster/impala-20161211.sql", &plan);
    // Nothing was done: no store, no day folder.
    assert!(!w.path().join("proxy-oa.duckdb").exists());
    assert!(!w.path().join("data").exists());
}

#[test]
fn a_run_on_the_cluster_needs_an_engine_it_speaks_and_webhdfs() {
    let w = Workdir::new();
    let hive = w.write("hive.toml", "[impala]\nengine = \"hive\"\nclient = \"beeline\"\n");
    let err = w.fails(&["--config", &hive.display().to_string(), "run", "--date", DAY, "--on-cluster", "--dry-run"], 3);
    assert!(err.contains("engine = \"spark\" with client = \"beeline\""), "{err}");
    let err = w.fails(&["run", "--date", DAY, "--dry-run"], 2);
    assert!(err.contains("--dry-run prints a run on the cluster"), "{err}");
    let spark = w.write(
        "spark.toml",
        "[hdfs]\nnamenode = \"hdfs://nn:8020\"\n[impala]\nengine = \"spark\"\nclient = \"beeline\"\n",
    );
    let results = crate::harness::fixture_arg("day1/proxy_results.csv");
    let err = w.fails(
        &["--config", &spark.display().to_string(), "run", "--date", "20160708", "--results", &results, "--on-cluster"],
        3,
    );
    assert!(err.contains("through WebHDFS"), "{err}");
}

#[test]
fn sparks_dry_run_prints_the_detectors_steps_before_the_runs() {
    let w = Workdir::new();
    let spark = w
        .write(
            "spark.toml",
            "[hdfs]\nnamenode = \"webhdfs://nn:50070\"\nhuser = \"/user/spot\"\n[impala]\nengine = \"spark\"\n\
             client = \"beeline\"\ndbname = \"spot\"\n",
        )
        .display()
        .to_string();
    let plan = w.ok(&["--config", &spark, "run", "--date", DAY, "--on-cluster", "--dry-run"]);
    let at = |what: &str| plan.find(what).unwrap_or_else(|| panic!("no {what} in:\n{plan}"));
    assert!(
        at("-- step findings\n") < at("-- step findings evidence")
            && at("-- step findings evidence") < at("-- step setup")
    );
    assert!(plan.contains("/user/spot/proxy/oa-staging/20161211-findings/beacon/"), "{plan}");
    assert!(plan.contains("INSERT OVERWRITE TABLE ${hivevar:dbname}.proxy_findings PARTITION"), "{plan}");
    let json: serde_json::Value =
        serde_json::from_str(&w.ok(&["--config", &spark, "--json", "run", "--date", DAY, "--on-cluster", "--dry-run"]))
            .unwrap();
    assert_eq!(json["findings"]["detect"]["name"], "findings");
    assert_eq!(json["engine"], "spark");
    // Nothing was done.
    assert!(!w.path().join("proxy-oa.duckdb").exists() && !w.path().join("data").exists());
}

/// The benchmark of BENCHMARKS.md ("A day on the cluster"): a generated day of `PROXY_OA_BENCH_ROWS` connections
/// (default 10,000,000) in the Spark `proxy` table; the local run from the same Parquet files next to the run on the
/// cluster (Spark local mode, 2 cores), with what crossed to and from the cluster. Not a timed test: it prints the
/// figures and checks only that both runs give the same tables.
#[test]
#[ignore = "a benchmark: cargo test --release --test suite cluster::bench -- --ignored --nocapture"]
fn bench_a_generated_day_locally_and_on_the_cluster() {
    let rows: u64 = std::env::var("PROXY_OA_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000_000);
    let home = spark_home(&venv());
    let beeline_exe = home.join("bin/beeline").display().to_string();
    let w = Workdir::new();
    w.ok(&["demo", "--rows", &rows.to_string()]);
    let t = std::time::Instant::now();
    let local_out = w.ok(&["run", "--date", DAY, "--offline"]);
    let local_secs = t.elapsed().as_secs_f64();
    let local = tables(&w);

    let work = tempfile::tempdir().unwrap();
    let SparkCluster { root, raw_bytes, server, port, thrift: _thrift, .. } =
        SparkCluster::start(&w, &home, work.path());
    let cfg = config(&w, "cluster.toml", &server.base(), &beeline_exe, port, &root, DB);
    let t = std::time::Instant::now();
    let out = w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline"]);
    let cluster_secs = t.elapsed().as_secs_f64();
    assert_eq!(tables(&w), local, "the run on the cluster differs from the local run");
    let line = |s: &str, what: &str| s.lines().find(|l| l.contains(what)).unwrap_or_default().trim().to_string();
    println!("a day of {rows} connections, raw day {raw_bytes} bytes of Parquet");
    println!("local run (raw day as Parquet in the workspace): {local_secs:.1} s");
    println!("  {}", line(&local_out, "proxy_edge "));
    println!("  {}", line(&local_out, "ingest_summary "));
    println!("run on the cluster (Spark {} local[2], 1 GiB driver): {cluster_secs:.1} s", spark_version(&home));
    let shown =
        |l: &&str| ["cluster", "proxy_edge ", "ingest_summary ", "findings ", "order "].iter().any(|w| l.contains(w));
    println!("  local: {}", line(&local_out, "findings "));
    for l in out.lines().filter(shown) {
        println!("  {}", l.trim());
    }
}

fn spark_version(home: &Path) -> String {
    let jars = std::fs::read_dir(home.join("jars")).map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>());
    jars.unwrap_or_default()
        .iter()
        .filter_map(|n| n.to_str()?.strip_prefix("spark-core_2.13-")?.strip_suffix(".jar").map(String::from))
        .next()
        .unwrap_or_else(|| "?".into())
}
