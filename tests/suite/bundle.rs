//! Bundles: export, import on a fresh workspace, tamper detection, and the loader step against the WebHDFS test
//! server with a stand-in client command.

use crate::harness::webhdfs::WebHdfsServer;
use crate::harness::{fixture_arg, Workdir};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::harness::DAY;
const TABLES: [&str; 7] = [
    "proxy_scores",
    "proxy_edge",
    "proxy_ingest_summary",
    "proxy_threat_investigation",
    "proxy_storyboard",
    "proxy_timeline",
    "proxy_findings",
];

fn fixture_day() -> Workdir {
    let w = Workdir::new();
    w.run_fixture_day(&fixture_arg("day1/raw.log"));
    w
}

/// The fixture day with analyst work: two scored URIs, one storyboard.
fn scored_fixture_day() -> Workdir {
    let w = fixture_day();
    w.ok(&["score", "--date", DAY, "--uri", "a.com/x", "--sev", "1"]);
    w.ok(&["score", "--date", DAY, "--uri", "evil.com/a'b\\c?q='1'", "--sev", "3"]);
    w.ok(&["storyboard", "--date", DAY, "--uri", "a.com/x", "--title", "it's \"a\"", "--text", "line 1\nline 2"]);
    w
}

fn export(w: &Workdir, extra: &[&str]) -> PathBuf {
    let mut args = vec!["export", "--date", DAY];
    args.extend_from_slice(extra);
    PathBuf::from(w.ok(&args).trim())
}

fn tables(w: &Workdir) -> Vec<String> {
    TABLES.iter().map(|t| w.table(DAY, t)).collect()
}

fn md5_hex(s: &str) -> String {
    hex::encode(<md5::Md5 as md5::Digest>::digest(s.as_bytes()))
}

/// The bundle's entries, in order.
fn entries(bundle: &Path) -> Vec<(String, Vec<u8>)> {
    let dec = zstd::stream::Decoder::new(std::fs::File::open(bundle).unwrap()).unwrap();
    let mut ar = tar::Archive::new(dec);
    let mut out = vec![];
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let p = e.path().unwrap().display().to_string();
        let mut b = vec![];
        e.read_to_end(&mut b).unwrap();
        out.push((p, b));
    }
    out
}

/// Write entries as a bundle; names are written raw (so `../x` can be tested), `link` adds a symlink entry.
fn repack(entries: &[(String, Vec<u8>)], out: &Path, link: Option<(&str, &str)>) {
    let f = std::fs::File::create(out).unwrap();
    let mut enc = zstd::stream::Encoder::new(f, 3).unwrap();
    {
        let mut b = tar::Builder::new(&mut enc);
        for (p, data) in entries {
            let mut h = tar::Header::new_old();
            h.as_old_mut().name[..p.len()].copy_from_slice(p.as_bytes());
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            h.set_cksum();
            b.append(&h, data.as_slice()).unwrap();
        }
        if let Some((name, target)) = link {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            b.append_link(&mut h, name, target).unwrap();
        }
        b.finish().unwrap();
    }
    enc.finish().unwrap();
}

#[test]
fn export_import_reproduces_every_table_and_the_same_bundle() {
    let a = scored_fixture_day();
    let bundle = export(&a, &[]);
    assert_eq!(bundle.file_name().unwrap(), "proxy-oa-20160708.tar.zst");
    assert!(bundle.starts_with(a.path().join("bundles")));
    // Deterministic: a second export is byte-identical.
    let again = export(&a, &["--out", &a.path().join("again").display().to_string()]);
    assert_eq!(std::fs::read(&bundle).unwrap(), std::fs::read(&again).unwrap());

    let names: Vec<String> = entries(&bundle).into_iter().map(|e| e.0).collect();
    assert_eq!(
        names,
        [
            "manifest.json",
            format!("analyst/incident-progression-{}.json", md5_hex("a.com/x")).as_str(),
            "analyst/ml_feedback.csv",
            "data/proxy_edge/y=2016/m=7/d=8/proxy_edge-20160708.parquet",
            "data/proxy_ingest_summary/y=2016/m=7/d=8/proxy_ingest_summary-20160708.parquet",
            "data/proxy_scores/y=2016/m=7/d=8/proxy_scores-20160708.parquet",
            "data/proxy_storyboard/y=2016/m=7/d=8/proxy_storyboard-20160708.parquet",
            "data/proxy_threat_investigation/y=2016/m=7/d=8/proxy_threat_investigation-20160708.parquet",
            "data/proxy_timeline/y=2016/m=7/d=8/proxy_timeline-20160708.parquet",
            "load.sql",
            "schema/impala/proxy_edge.sql",
            "schema/impala/proxy_findings.sql",
            "schema/impala/proxy_ingest_summary.sql",
            "schema/impala/proxy_scores.sql",
            "schema/impala/proxy_storyboard.sql",
            "schema/impala/proxy_threat_investigation.sql",
            "schema/impala/proxy_timeline.sql",
        ]
    );
    for t in &TABLES[3..6] {
        assert!(a.table(DAY, t).lines().count() > 1, "{t} has rows to carry");
    }

    let b = Workdir::new();
    let out = b.ok(&["import", &bundle.display().to_string()]);
    assert!(out.contains("imported 20160708"), "{out}");
    assert_eq!(tables(&b), tables(&a));
    // The analyst's files come along, byte for byte.
    for f in ["ml_feedback.csv".to_string(), format!("incident-progression-{}.json", md5_hex("a.com/x"))] {
        let rel = format!("data/proxy/{DAY}/{f}");
        assert_eq!(std::fs::read(a.path().join(&rel)).unwrap(), std::fs::read(b.path().join(&rel)).unwrap(), "{f}");
    }
    // The imported day exports to the very same bundle (inputs included).
    let back = export(&b, &[]);
    assert_eq!(std::fs::read(&bundle).unwrap(), std::fs::read(&back).unwrap());
    // Importing twice replaces the day.
    b.ok(&["import", &bundle.display().to_string()]);
    assert_eq!(tables(&b), tables(&a));
}

#[test]
fn the_manifest_counts_and_hashes_every_file() {
    let a = fixture_day();
    let bundle = export(&a, &["--compression", "zstd", "--tables", "proxy_scores,proxy_ingest_summary"]);
    let ents = entries(&bundle);
    let m: serde_json::Value =
        serde_json::from_slice(&ents.iter().find(|e| e.0 == "manifest.json").unwrap().1).unwrap();
    assert_eq!(m["date"], "20160708");
    assert_eq!(m["compression"], "zstd");
    assert_eq!(m["min_impala"], "3.3");
    let tables: Vec<&str> = m["tables"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(tables, ["proxy_scores", "proxy_ingest_summary"]);
    let scores = a.table(DAY, "proxy_scores").lines().count() as u64 - 1; // less the header
    assert_eq!(m["tables"][0]["rows"], scores);
    for f in m["files"].as_array().unwrap() {
        let data = &ents.iter().find(|e| e.0 == f["path"].as_str().unwrap()).unwrap().1;
        assert_eq!(f["bytes"], data.len() as u64);
        assert_eq!(f["sha256"].as_str().unwrap(), hex::encode(<sha2::Sha256 as sha2::Digest>::digest(data)));
    }
    let inputs = m["inputs"].as_array().unwrap();
    assert!(inputs.iter().any(|i| i["role"] == "results") && inputs.iter().any(|i| i["role"] == "raw"), "{m}");
    let load = String::from_utf8(ents.iter().find(|e| e.0 == "load.sql").unwrap().1.clone()).unwrap();
    assert!(!load.contains("proxy_edge"), "{load}");
}

#[test]
fn a_tampered_bundle_is_refused_naming_the_file_and_nothing_is_written() {
    let a = fixture_day();
    let bundle = export(&a, &[]);
    let good = entries(&bundle);
    let scores = "data/proxy_scores/y=2016/m=7/d=8/proxy_scores-20160708.parquet";
    let dir = tempfile::tempdir().unwrap();
    let b = Workdir::new();
    let check = |name: &str, ents: Vec<(String, Vec<u8>)>, link: Option<(&str, &str)>, want: &[&str]| {
        let p = dir.path().join(format!("{name}.tar.zst"));
        repack(&ents, &p, link);
        let err = b.fails(&["import", &p.display().to_string()], 1);
        for w in want {
            assert!(err.contains(w), "{name}: want {w:?} in {err}");
        }
        assert!(err.contains(&p.display().to_string()), "{name}: {err}");
    };
    // A flipped byte in a data file.
    let mut e = good.clone();
    let f = e.iter_mut().find(|x| x.0 == scores).unwrap();
    let mid = f.1.len() / 2;
    f.1[mid] ^= 0x01;
    check("flipped", e, None, &[scores, "sha256"]);
    // A changed row count.
    let mut e = good.clone();
    let m = e.iter_mut().find(|x| x.0 == "manifest.json").unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&m.1).unwrap();
    let files = v["files"].as_array_mut().unwrap();
    let f = files.iter_mut().find(|f| f["path"] == scores).unwrap();
    let rows = f["rows"].as_u64().unwrap();
    f["rows"] = (rows + 1).into();
    m.1 = serde_json::to_vec_pretty(&v).unwrap();
    check("rows", e, None, &[scores, &format!("{rows} rows, expected {}", rows + 1)]);
    // An extra file.
    let mut e = good.clone();
    e.push(("data/proxy_scores/y=2016/m=7/d=8/extra.parquet".into(), good[2].1.clone()));
    check("extra", e, None, &["extra.parquet", "not listed in manifest.json"]);
    // A path out of the tree, and a link.
    let mut e = good.clone();
    e.push(("../evil.sql".into(), b"x".to_vec()));
    check("dotdot", e, None, &["../evil.sql", "`..`"]);
    check("link", good.clone(), Some(("data/proxy_scores/l", "/etc/passwd")), &["data/proxy_scores/l", "Symlink"]);
    // A missing file.
    let e: Vec<_> = good.iter().filter(|x| x.0 != "load.sql").cloned().collect();
    check("missing", e, None, &["load.sql", "missing"]);
    // A bomb: load.sql as 256 MiB of zeros (a few hundred bytes of zstd) where the manifest (the first entry) says
    // a few hundred bytes: refused from the entry's header, before any of it is read or written.
    assert_eq!(good[0].0, "manifest.json", "the manifest is the first entry");
    let listed = good.iter().find(|x| x.0 == "load.sql").unwrap().1.len();
    let mut e = good.clone();
    e.iter_mut().find(|x| x.0 == "load.sql").unwrap().1 = vec![0; 256 << 20];
    check("bomb", e, None, &["load.sql", &format!("268435456 bytes in the archive, manifest.json says {listed}")]);
    assert!(!dir.path().join("evil.sql").exists());
    // Nothing reached the store.
    for t in TABLES {
        assert_eq!(b.table(DAY, t).lines().count(), 1, "{t} has rows besides its header");
    }
}

#[test]
fn exporting_a_day_that_is_not_there_is_exit_4() {
    let w = Workdir::new();
    let err = w.fails(&["export", "--date", DAY], 4);
    assert!(err.contains("no proxy_scores rows for 20160708"), "{err}");
    let err = w.fails(&["export", "--date", DAY, "--tables", "proxy"], 2);
    assert!(err.contains("not an exported table"), "{err}");
}

/// A stand-in client: records its arguments and the script it was given, then exits with `$FAKE_RC`.
fn fake_client(dir: &Path) -> PathBuf {
    let p = dir.join("fake-client");
    std::fs::write(
        &p,
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$FAKE_LOG.args\"\nwhile [ $# -gt 0 ]; do [ \"$1\" = -f ] && cp \"$2\" \"$FAKE_LOG.sql\"; shift; done\n\
         [ \"${FAKE_RC:-0}\" = 0 ] || echo 'ERROR: AnalysisException: Database does not exist: spot' >&2\nexit ${FAKE_RC:-0}\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn load_config(w: &Workdir, server: &WebHdfsServer, client: &Path, extra: &str) -> String {
    let text = format!(
        "[hdfs]\nnamenode = {:?}\nuser_name = \"spot\"\nretries = 1\nbackoff_ms = 10\n\n[impala]\ncommand = {:?}\n{extra}\n",
        server.base(),
        client.display().to_string()
    );
    w.write("load.toml", text).display().to_string()
}

#[test]
fn load_uploads_through_webhdfs_and_runs_the_client() {
    let a = fixture_day();
    let bundle = export(&a, &[]).display().to_string();
    let hdfs = tempfile::tempdir().unwrap();
    let server = WebHdfsServer::start(hdfs.path());
    let client = fake_client(a.path());
    let log = a.path().join("client");
    let cfg = load_config(&a, &server, &client, "");
    // A stale file from an earlier load in one partition.
    let stale = server.local("/user/spot/proxy/hive/oa/edge/y=2016/m=7/d=8/000000_0");
    std::fs::create_dir_all(stale.parent().unwrap()).unwrap();
    std::fs::write(&stale, "old").unwrap();

    // Dry run: says everything, changes nothing.
    let out = a.ok(&["--config", &cfg, "load", "--dry-run", &bundle]);
    assert!(out.contains("REFRESH ${var:dbname}.proxy_scores PARTITION (y=2016, m=7, d=8);"), "{out}");
    assert!(
        out.contains(&server.url("/user/spot/proxy/hive/oa/suspicious/y=2016/m=7/d=8/proxy_scores-20160708.parquet"))
    );
    assert!(server.log().is_empty(), "{:?}", server.log());

    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_proxy-oa"));
    cmd.args(["--workspace", &a.path().display().to_string(), "--config", &cfg, "load", &bundle]).env("FAKE_LOG", &log);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("removed") && stdout.contains("000000_0"), "{stdout}");
    assert!(!stale.exists());
    for (t, dir) in [("proxy_scores", "suspicious"), ("proxy_edge", "edge"), ("proxy_ingest_summary", "summary")] {
        let folder = server.local(&format!("/user/spot/proxy/hive/oa/{dir}/y=2016/m=7/d=8"));
        let names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [format!("{t}-20160708.parquet")], "no hidden leftovers in {}", folder.display());
    }
    // Uploaded under a hidden name, then renamed.
    let ops: Vec<String> =
        server.log().iter().filter(|r| r.node == "namenode").map(|r| format!("{} {}", r.op, r.path)).collect();
    let create =
        ops.iter().position(|o| o.starts_with("CREATE") && o.ends_with("/.proxy_scores-20160708.parquet.partial"));
    let rename =
        ops.iter().position(|o| o.starts_with("RENAME") && o.ends_with("/.proxy_scores-20160708.parquet.partial"));
    assert!(create.is_some() && rename > create, "{ops:?}");
    let args = std::fs::read_to_string(log.with_extension("args")).unwrap();
    assert!(args.starts_with("-i\nlocalhost:21050\n--var=dbname=spot\n--var=huser=/user/spot\n-f\n"), "{args}");
    let sql = std::fs::read_to_string(log.with_extension("sql")).unwrap();
    assert!(sql.starts_with("CREATE DATABASE IF NOT EXISTS ${var:dbname};"), "{sql}");
    assert!(sql.contains("REFRESH ${var:dbname}.proxy_edge PARTITION (y=2016, m=7, d=8);"), "{sql}");

    // Hive through beeline: ${hivevar:...}, no Impala-only statements.
    let cfg = load_config(
        &a,
        &server,
        &client,
        "engine = \"hive\"\nclient = \"beeline\"\njdbc_url = \"jdbc:hive2://127.0.0.1:1/default\"\nuser = \"spot\"",
    );
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_proxy-oa"));
    cmd.args(["--workspace", &a.path().display().to_string(), "--config", &cfg, "load", &bundle]).env("FAKE_LOG", &log);
    assert!(cmd.output().unwrap().status.success());
    let args = std::fs::read_to_string(log.with_extension("args")).unwrap();
    assert!(args.starts_with("-u\njdbc:hive2://127.0.0.1:1/default\n-n\nspot\n--hivevar\ndbname=spot\n"), "{args}");
    let sql = std::fs::read_to_string(log.with_extension("sql")).unwrap();
    assert!(
        !sql.contains("REFRESH") && !sql.contains("${var:") && sql.contains("${hivevar:dbname}.proxy_edge"),
        "{sql}"
    );

    // A failing client: exit 5 with its stderr.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_proxy-oa"));
    cmd.args(["--workspace", &a.path().display().to_string(), "--config", &cfg, "load", &bundle])
        .env("FAKE_LOG", &log)
        .env("FAKE_RC", "1");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("failed") && err.contains("AnalysisException: Database does not exist"), "{err}");
}

#[test]
fn load_puts_the_analyst_files_where_spot_reads_them_and_a_reset_day_removes_them() {
    let a = scored_fixture_day();
    let bundle = export(&a, &[]).display().to_string();
    let hdfs = tempfile::tempdir().unwrap();
    let server = WebHdfsServer::start(hdfs.path());
    let client = fake_client(a.path());
    let cfg = load_config(&a, &server, &client, "");
    let load = |bundle: &str| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_proxy-oa"));
        cmd.args(["--workspace", &a.path().display().to_string(), "--config", &cfg, "load", bundle])
            .env("FAKE_LOG", a.path().join("client"));
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    load(&bundle);
    let feedback = server.local("/user/spot/proxy/scored_results/20160708/feedback/ml_feedback.csv");
    let local = a.path().join(format!("data/proxy/{DAY}/ml_feedback.csv"));
    assert_eq!(std::fs::read(&feedback).unwrap(), std::fs::read(&local).unwrap());
    let incident = format!("incident-progression-{}.json", md5_hex("a.com/x"));
    let on_hdfs = server.local(&format!("/user/spot/proxy/oa/storyboard/2016/7/8/{incident}"));
    assert_eq!(
        std::fs::read(&on_hdfs).unwrap(),
        std::fs::read(a.path().join(format!("data/proxy/{DAY}/{incident}"))).unwrap()
    );
    let ti = server.local("/user/spot/proxy/hive/oa/threat_investigation/y=2016/m=7/d=8");
    assert_eq!(std::fs::read_dir(&ti).unwrap().count(), 1);

    // After a reset, the day's next bundle empties all of it on the cluster too.
    a.ok(&["reset", "--date", DAY]);
    let bundle = export(&a, &[]).display().to_string();
    let names: Vec<String> = entries(Path::new(&bundle)).into_iter().map(|e| e.0).collect();
    assert!(!names.iter().any(|n| n.starts_with("analyst/")), "{names:?}");
    let out = load(&bundle);
    assert!(out.contains("ml_feedback.csv") && out.contains(&incident), "reported as removed: {out}");
    assert!(!feedback.exists() && !on_hdfs.exists());
    assert_eq!(std::fs::read_dir(&ti).unwrap().count(), 0);
}
