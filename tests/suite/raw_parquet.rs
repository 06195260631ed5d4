//! The raw day stays Parquet in the workspace (`data/proxy/<date>/raw/`): Spot's files are taken as they are, a
//! text log is parsed once, the store holds no raw row, a failed run leaves the previous raw day, an old store is
//! migrated, and a bundle can carry the raw day to another machine.

use crate::harness::{fixture_arg, write_spot_parquet, Workdir, DAY};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Every file under `dir` (relative path → bytes).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.insert(p.strip_prefix(base).unwrap().display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.is_dir() {
        walk(dir, dir, &mut out);
    }
    out
}

fn raw_dir(w: &Workdir) -> std::path::PathBuf {
    w.path().join("data/proxy").join(DAY).join("raw")
}

/// The store's tables (not views) named `proxy`.
fn raw_tables_in_store(w: &Workdir) -> i64 {
    let conn = duckdb::Connection::open(w.path().join("proxy-oa.duckdb")).unwrap();
    conn.query_row("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'proxy' AND NOT temporary", [], |r| {
        r.get(0)
    })
    .unwrap()
}

const TABLES: [&str; 4] = ["proxy_scores", "proxy_edge", "proxy_ingest_summary", "proxy"];

fn tables(w: &Workdir) -> Vec<String> {
    TABLES.iter().map(|t| w.table(DAY, t)).collect()
}

#[test]
fn a_spot_parquet_day_is_taken_byte_for_byte_and_the_store_holds_no_raw_row() {
    let w = Workdir::new();
    let spot = w.path().join("in/spot");
    std::fs::create_dir_all(w.path().join("in")).unwrap();
    write_spot_parquet(&spot);
    let input = tree(&spot.join("y=2016/m=07/d=08"));
    assert!(input.len() > 3, "{:?}", input.keys());
    w.run_fixture_day(&spot.join("y=2016/m=07/d=08").display().to_string());
    // The same files, the same bytes, under the same hour folders.
    assert_eq!(tree(&raw_dir(&w)), input);
    assert_eq!(raw_tables_in_store(&w), 0);
    assert!(w.table(DAY, "proxy").lines().count() > 1);
}

#[test]
fn a_text_log_is_parsed_once_into_parquet_files_of_the_day() {
    let w = Workdir::new();
    w.run_fixture_day(&fixture_arg("day1/raw.log"));
    let files = tree(&raw_dir(&w));
    assert!(!files.is_empty());
    for (name, bytes) in &files {
        assert!(name.starts_with("h=") && name.contains("/proxy-oa-") && name.ends_with(".parquet"), "{name}");
        assert_eq!(&bytes[..4], b"PAR1", "{name}");
    }
    assert_eq!(raw_tables_in_store(&w), 0);
    // A re-run writes the same bytes.
    w.run_fixture_day(&fixture_arg("day1/raw.log"));
    assert_eq!(tree(&raw_dir(&w)), files);
    // A run without --raw uses the day's own files as they are: same names, same bytes, same tables.
    let before = tables(&w);
    let cfg = fixture_arg("day1/proxy-oa.toml");
    let results = fixture_arg("day1/proxy_results.csv");
    w.ok(&["--config", &cfg, "run", "--date", DAY, "--results", &results]);
    assert_eq!(tree(&raw_dir(&w)), files);
    assert_eq!(tables(&w), before);
}

#[test]
fn a_text_input_that_fails_half_way_leaves_the_previous_raw_day_and_tables() {
    let w = Workdir::new();
    w.run_fixture_day(&fixture_arg("day1/raw.log"));
    let before = tables(&w);
    let raw_before = tree(&raw_dir(&w));
    // A gzipped log cut off in the middle: its first lines parse, then the stream breaks.
    let log = std::fs::read(fixture_arg("day1/raw.log")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for _ in 0..50 {
        gz.write_all(&log).unwrap();
    }
    let gz = gz.finish().unwrap();
    let cut = w.write("in/z-cut.log.gz", &gz[..gz.len() / 2]);
    let cfg = fixture_arg("day1/proxy-oa.toml");
    let results = fixture_arg("day1/proxy_results.csv");
    let raw = fixture_arg("day1/raw.log");
    let cut = cut.display().to_string();
    let err =
        w.fails(&["--config", &cfg, "run", "--date", DAY, "--results", &results, "--raw", &raw, "--raw", &cut], 1);
    assert!(err.contains("z-cut.log.gz"), "{err}");
    assert_eq!(tables(&w), before);
    assert_eq!(tree(&raw_dir(&w)), raw_before);
    let day_folder: Vec<String> = std::fs::read_dir(w.path().join("data/proxy").join(DAY))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!day_folder.iter().any(|n| n.starts_with("raw.new-") || n.starts_with("raw.old-")), "{day_folder:?}");
}

#[test]
fn a_store_with_raw_rows_inside_is_migrated_with_equal_tables() {
    let w = Workdir::new();
    w.run_fixture_day(&fixture_arg("day1/raw.log"));
    let before = tables(&w);
    // Make it a store of the earlier layout: the raw rows in a `proxy` table, no raw folder.
    {
        let conn = duckdb::Connection::open(w.path().join("proxy-oa.duckdb")).unwrap();
        let mut files: Vec<String> =
            tree(&raw_dir(&w)).keys().map(|k| raw_dir(&w).join(k).display().to_string()).collect();
        files.push(w.path().join("data/proxy/.proxy-oa-no-rows.parquet").display().to_string());
        conn.execute("SET VARIABLE proxy_oa_raw = string_split(?, chr(10))", [files.join("\n")]).unwrap();
        conn.execute_batch(
            "CREATE TABLE proxy_rows AS SELECT * FROM proxy; DROP VIEW proxy;
             ALTER TABLE proxy_rows RENAME TO proxy; DELETE FROM proxy_oa_schema;",
        )
        .unwrap();
    }
    std::fs::remove_dir_all(raw_dir(&w)).unwrap();
    assert_eq!(raw_tables_in_store(&w), 1);
    let out = w.run(&["show", "--date", DAY, "--table", "proxy_scores"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("moved 1 day(s) out to Parquet"), "{err}");
    assert_eq!(raw_tables_in_store(&w), 0);
    assert!(!tree(&raw_dir(&w)).is_empty());
    assert_eq!(tables(&w), before);
}

#[test]
fn a_bundle_with_the_raw_day_gives_the_same_storyboard_on_another_machine() {
    let a = Workdir::new();
    a.run_fixture_day(&fixture_arg("day1/raw.log"));
    let uri = "a.com/x";
    a.ok(&["score", "--date", DAY, "--uri", uri, "--sev", "1"]);
    let story = ["storyboard", "--date", DAY, "--uri", uri, "--title", "t", "--text", "x"];
    a.ok(&story);
    let bundle = a.ok(&["export", "--date", DAY, "--with-raw"]);
    let b = Workdir::new();
    b.ok(&["import", bundle.trim()]);
    assert_eq!(tree(&raw_dir(&b)), tree(&raw_dir(&a)));
    // Saved again on the other machine, from its own copy of the raw day.
    b.ok(&story);
    for t in ["proxy_timeline", "proxy_storyboard", "proxy"] {
        assert_eq!(b.table(DAY, t), a.table(DAY, t), "{t}");
    }
    let incident = |w: &Workdir| {
        let dir = w.path().join("data/proxy").join(DAY);
        let f = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("incident-progression-"))
            .unwrap();
        std::fs::read(f).unwrap()
    };
    assert_eq!(incident(&b), incident(&a));
    // Without --with-raw the bundle carries no raw file.
    let plain = a.ok(&["export", "--date", DAY, "--out", &a.path().join("plain").display().to_string()]);
    let c = Workdir::new();
    c.ok(&["import", plain.trim()]);
    assert!(tree(&raw_dir(&c)).is_empty());
}
