//! End-to-end tests: the real binary on fixture days in fresh workspaces.

use crate::harness::{assert_golden, fixture, fixture_arg, write_spot_parquet, Workdir};

use crate::harness::DAY;
const OA_TABLES: [&str; 3] = ["proxy_scores", "proxy_edge", "proxy_ingest_summary"];

fn run_fixture(w: &Workdir, raw: &str) -> String {
    w.run_fixture_day(raw)
}

fn assert_day_matches_golden(w: &Workdir) {
    for t in OA_TABLES {
        assert_golden(&format!("day1/{t}.tsv"), &w.table(DAY, t));
    }
}

#[test]
fn fixture_day_from_a_blue_coat_log_matches_the_golden_files() {
    let w = Workdir::new();
    let out = run_fixture(&w, &fixture_arg("day1/raw.log"));
    assert!(out.contains("bluecoat-elff"), "{out}");
    assert!(out.contains("rows of the day, 1 of other days, 1 rejected"), "{out}");
    assert_day_matches_golden(&w);
    // The broken raw line is kept, with file, line number and reason.
    let rej = std::fs::read_to_string(w.path().join("data/proxy/20160708/raw.rejected.tsv")).unwrap();
    let lines: Vec<&str> = rej.lines().collect();
    assert_eq!(lines.len(), 2, "{rej}");
    assert!(lines[1].contains("raw.log\t11\tunterminated quote"), "{rej}");
}

#[test]
fn a_gzipped_blue_coat_log_reads_the_same() {
    use std::io::Write;
    let w = Workdir::new();
    let gz = w.path().join("in/raw.log.gz");
    std::fs::create_dir_all(gz.parent().unwrap()).unwrap();
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::default());
    enc.write_all(&std::fs::read(fixture("day1/raw.log")).unwrap()).unwrap();
    enc.finish().unwrap();
    let out = run_fixture(&w, &gz.display().to_string());
    assert!(out.contains("(bluecoat-elff, gzip)"), "{out}");
    assert_day_matches_golden(&w);
}

#[test]
fn fixture_day_from_tsv_matches_the_same_golden_files() {
    let w = Workdir::new();
    let out = run_fixture(&w, &fixture_arg("day1/raw.tsv"));
    assert!(out.contains("(tsv)"), "{out}");
    assert_day_matches_golden(&w);
    let rej = std::fs::read_to_string(w.path().join("data/proxy/20160708/raw.rejected.tsv")).unwrap();
    assert!(rej.contains("raw.tsv\t13\texpected 28 fields"), "{rej}");
}

#[test]
fn fixture_day_from_spot_parquet_matches_the_same_golden_files() {
    let w = Workdir::new();
    let hive = w.path().join("hdfs-copy/proxy/hive");
    std::fs::create_dir_all(&hive).unwrap();
    write_spot_parquet(&hive);
    assert!(hive.join("y=2016/m=07/d=08/h=13").is_dir(), "Spot's zero-padded partition folders");
    let out = run_fixture(&w, &hive.join("y=2016/m=07").display().to_string());
    assert!(out.contains("(parquet)"), "{out}");
    assert!(out.contains("1 of other days"), "{out}");
    assert_day_matches_golden(&w);
}

#[test]
fn results_rows_are_read_enriched_and_bad_rows_quarantined() {
    let w = Workdir::new();
    run_fixture(&w, &fixture_arg("day1/raw.log"));
    let scores = w.table(DAY, "proxy_scores");
    let rows: Vec<Vec<&str>> = scores.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 8, "10 data rows minus 2 rejected:\n{scores}");
    let header: Vec<&str> = scores.lines().next().unwrap().split('\t').collect();
    assert_eq!(header.len(), 28);
    assert_eq!(
        &header[20..],
        ["ml_score", "uri_rep", "respcode_name", "network_context", "uri_sev", "hash", "oa_rank", "why"]
    );
    let by_time = |t: &str| rows.iter().find(|r| r[1] == t).unwrap_or_else(|| panic!("no row at {t}"));
    let weird = by_time("02:03:04");
    assert_eq!(weird[22], "Unknown (777)");
    assert_eq!(weird[23], "lab", "/24 inside /8");
    assert_eq!(weird[7], "\\N", "`null` duration is NULL");
    assert_eq!(weird[5], "curl/7.29.0", "one pair of quotes removed");
    assert_eq!(by_time("13:57:36")[23], "printer", "exact IP over /24 over /8");
    assert_eq!(by_time("09:15:00")[23], "corp");
    assert_eq!(by_time("07:00:01")[23], "v6-corp");
    assert_eq!(by_time("07:00:01")[22], "Not Found");
    assert_eq!(by_time("20:00:00")[23], "", "no match gives an empty string");
    assert_eq!(by_time("20:00:00")[11], "\\N");
    assert_eq!(by_time("18:25:39 PM")[1], "18:25:39 PM");
    for r in &rows {
        assert_eq!(r[24], "0", "uri_sev starts at 0");
        let hour: u8 = r[1].split(':').next().unwrap().parse().unwrap();
        // `show` writes a backslash as `\\` (Hive's text escaping); the hash is of the value itself.
        assert_eq!(r[25], proxy_oa::text::edge_hash(r[2], &r[18].replace("\\\\", "\\"), hour));
    }
    let rej = std::fs::read_to_string(w.path().join("data/proxy/20160708/proxy_results.rejected.tsv")).unwrap();
    let lines: Vec<&str> = rej.lines().collect();
    assert_eq!(lines[0], "line\treason\trow");
    assert!(lines[1].starts_with("6\texpected 21 fields, found 19\t2016-07-08\t13:00:00"), "{rej}");
    assert!(lines[2].starts_with("10\tfield score: not a number: 'abc'\t2016-07-08\t18:30:00"), "{rej}");
    assert_eq!(lines.len(), 3);
    // The input was copied into the day's folder.
    assert_eq!(
        std::fs::read(w.path().join("data/proxy/20160708/proxy_results.csv")).unwrap(),
        std::fs::read(fixture("day1/proxy_results.csv")).unwrap()
    );
}

#[test]
fn duplicate_results_rows_give_one_edge_and_an_edge_keeps_its_hours_rows_only() {
    let w = Workdir::new();
    run_fixture(&w, &fixture_arg("day1/raw.log"));
    let edge = w.table(DAY, "proxy_edge");
    let a: Vec<&str> = edge.lines().filter(|l| l.contains("\ta.com/x\t")).collect();
    // Results rows 13:57:36 and 13:10:00 are one edge; its raw rows are the three of hour 13 of 10.1.2.3.
    assert_eq!(a.len(), 3, "{edge}");
    assert!(a.iter().all(|l| l.split('\t').nth(2) == Some("10.1.2.3")));
    let times: Vec<&str> = a.iter().map(|l| l.split('\t').nth(1).unwrap()).collect();
    assert_eq!(times, ["13:10:00", "13:57:36", "13:59:59"]);
    // A URI with ' and \ matches like any other (`show` escapes the backslash).
    assert_eq!(edge.lines().filter(|l| l.contains("evil.com/a'b\\\\c?q='1'")).count(), 2, "{edge}");
}

#[test]
fn an_edge_with_300_raw_rows_keeps_the_first_250_by_time() {
    let w = Workdir::new();
    let mut results = String::new();
    let mut raw = String::new();
    let line = |t: &str| {
        let mut f = vec!["-"; 28];
        f[0] = "2016-07-08";
        f[1] = t;
        f[2] = "10.0.0.7";
        f[3] = "c.com";
        f[14] = "200";
        f[18] = "/p";
        f[27] = "c.com/p";
        f.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("\t")
    };
    // Written newest first so that file order is not time order.
    for i in (0..300).rev() {
        raw.push_str(&line(&format!("10:{:02}:{:02}", i / 60, i % 60)));
        raw.push('\n');
    }
    for _ in 0..2 {
        results.push_str("2016-07-08\t10:00:00\t10.0.0.7\tc.com\tGET\t-\t-\t1\t-\t-\t-\t200\t80\t/p\t-\t1.1.1.1\t1\t1\tc.com/p\tw\t1.0E-9\n");
    }
    let rp = w.write("in/results.csv", results);
    let rawp = w.write("in/raw.tsv", raw);
    w.ok(&["run", "--date", DAY, "--results", &rp.display().to_string(), "--raw", &rawp.display().to_string()]);
    let edge = w.table(DAY, "proxy_edge");
    let times: Vec<&str> = edge.lines().skip(1).map(|l| l.split('\t').nth(1).unwrap()).collect();
    assert_eq!(times.len(), 250);
    assert_eq!(times[0], "10:00:00");
    assert_eq!(times[249], "10:04:09");
    let summary = w.table(DAY, "proxy_ingest_summary");
    assert_eq!(summary.lines().nth(1), Some("2016-07-08 10:00\t60"));
    assert_eq!(summary.lines().count(), 1 + 5);
}

#[test]
fn a_rerun_gives_identical_tables() {
    let w = Workdir::new();
    run_fixture(&w, &fixture_arg("day1/raw.log"));
    let before: Vec<String> = OA_TABLES.iter().map(|t| w.table(DAY, t)).collect();
    run_fixture(&w, &fixture_arg("day1/raw.log"));
    let after: Vec<String> = OA_TABLES.iter().map(|t| w.table(DAY, t)).collect();
    assert_eq!(before, after);
}

#[test]
fn a_failed_run_leaves_the_previous_tables_intact() {
    let w = Workdir::new();
    run_fixture(&w, &fixture_arg("day1/raw.log"));
    let before: Vec<String> = OA_TABLES.iter().map(|t| w.table(DAY, t)).collect();
    let raw_before = w.table(DAY, "proxy");
    // A second raw file that cannot be read fails the run inside the transaction, after the first file loaded.
    let bad = w.write("in/zz-garbage.bin", "this is not a proxy log\n");
    let cfg = fixture_arg("day1/proxy-oa.toml");
    let results = fixture_arg("day1/proxy_results.csv");
    let err = w.fails(
        &[
            "--config",
            &cfg,
            "run",
            "--date",
            DAY,
            "--results",
            &results,
            "--raw",
            &fixture_arg("day1/raw.log"),
            "--raw",
            &bad.display().to_string(),
        ],
        1,
    );
    assert!(err.contains("zz-garbage.bin: cannot tell the raw format"), "{err}");
    let after: Vec<String> = OA_TABLES.iter().map(|t| w.table(DAY, t)).collect();
    assert_eq!(before, after);
    assert_eq!(raw_before, w.table(DAY, "proxy"));
}

#[test]
fn a_run_without_raw_input_reuses_the_raw_day_in_the_store() {
    let w = Workdir::new();
    run_fixture(&w, &fixture_arg("day1/raw.log"));
    let edge = w.table(DAY, "proxy_edge");
    let cfg = fixture_arg("day1/proxy-oa.toml");
    let out = w.ok(&[
        "--config",
        &cfg,
        "run",
        "--date",
        "2016-07-08",
        "--results",
        &fixture_arg("day1/proxy_results.csv"),
        "--limit",
        "2",
    ]);
    assert!(out.contains("using the 11 raw rows of this day already in the store"), "{out}");
    assert_eq!(w.table(DAY, "proxy_scores").lines().count(), 1 + 2);
    assert!(edge.lines().count() > w.table(DAY, "proxy_edge").lines().count());
}

#[test]
fn no_valid_row_is_a_data_error_naming_the_file() {
    let w = Workdir::new();
    let p = w.write("in/bad.csv", "a\tb\n\nc\n");
    let err = w.fails(&["run", "--date", DAY, "--results", &p.display().to_string()], 1);
    assert!(err.contains("data/proxy/20160708/proxy_results.csv: no valid row (2 rejected"), "{err}");
}

#[test]
fn strict_refuses_rejected_rows_and_writes_nothing() {
    let w = Workdir::new();
    let err = w.fails(&["run", "--date", DAY, "--results", &fixture_arg("day1/proxy_results.csv"), "--strict"], 1);
    assert!(err.contains("2 rows rejected and --strict is given"), "{err}");
    assert_eq!(w.table(DAY, "proxy_scores").lines().count(), 1);
}

#[test]
fn bad_dates_are_usage_errors() {
    let w = Workdir::new();
    for bad in ["2016-7-8", "08/07/2016", "20161301"] {
        let err = w.fails(&["run", "--date", bad, "--results", "x.csv"], 2);
        assert!(err.contains("expected YYYYMMDD or YYYY-MM-DD"), "{err}");
    }
}

#[test]
fn a_missing_results_file_is_unavailable() {
    let w = Workdir::new();
    let err = w.fails(&["run", "--date", DAY, "--results", "/nonexistent/proxy_results.csv"], 4);
    assert!(err.contains("/nonexistent/proxy_results.csv"), "{err}");
}

#[test]
fn check_validates_a_config_and_names_the_bad_key() {
    let w = Workdir::new();
    let out = w.ok(&["--config", &fixture_arg("day1/proxy-oa.toml"), "check"]);
    assert!(out.contains("ok") && out.contains("network_context"), "{out}");
    let bad = w.write("bad.toml", "[pipeline]\nlimit = 5\nnetwork_context = \"missing.csv\"\n");
    let err = w.fails(&["--config", &bad.display().to_string(), "check"], 3);
    assert!(err.contains("network_context") && err.contains("missing.csv"), "{err}");
    let bad = w.write("bad2.toml", "[store]\nmemory = \"1GB\"\n");
    let err = w.fails(&["--config", &bad.display().to_string(), "check"], 3);
    assert!(err.contains("bad2.toml") && err.contains("memory"), "{err}");
}

#[test]
fn the_workspace_gets_its_folders_and_notebooks() {
    let w = Workdir::new();
    run_fixture(&w, &fixture_arg("day1/raw.log"));
    for nb in ["Threat_Investigation.ipynb", "Advanced_Mode.ipynb"] {
        let p = w.path().join("ipynb/proxy/20160708").join(nb);
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        assert_eq!(v["nbformat"], 4);
    }
    assert!(w.path().join("proxy-oa.duckdb").is_file());
    assert!(w.path().join("cache.sqlite").is_file());
}

#[test]
fn a_day_with_one_minute_and_a_day_with_none() {
    let w = Workdir::new();
    let results = w.write("in/r.csv", "2016-07-08\t10:00:00\t10.0.0.7\tc.com\tGET\t-\t-\t1\t-\t-\t-\t200\t80\t/p\t-\t1.1.1.1\t1\t1\tc.com/p\tw\t0.5\n");
    let one = w.write("in/one.log", "#Fields: date time c-ip cs-host cs-uri-path\n2016-07-08 10:00:01 10.0.0.7 c.com /p\n2016-07-08 10:00:59 10.0.0.8 c.com /p\n");
    w.ok(&["run", "--date", DAY, "--results", &results.display().to_string(), "--raw", &one.display().to_string()]);
    assert_eq!(w.table(DAY, "proxy_ingest_summary"), "tdate\ttotal\n2016-07-08 10:00\t2\n");
    let none =
        w.write("in/none.log", "#Fields: date time c-ip cs-host cs-uri-path\n2016-07-09 10:00:01 10.0.0.7 c.com /p\n");
    let out = w.ok(&[
        "run",
        "--date",
        DAY,
        "--results",
        &results.display().to_string(),
        "--raw",
        &none.display().to_string(),
    ]);
    assert!(out.contains("no raw rows for this day: the summary is empty"), "{out}");
    assert_eq!(w.table(DAY, "proxy_ingest_summary"), "tdate\ttotal\n");
}

#[test]
fn json_summary_is_machine_readable() {
    let w = Workdir::new();
    let cfg = fixture_arg("day1/proxy-oa.toml");
    let out = w.ok(&[
        "--json",
        "--config",
        &cfg,
        "run",
        "--date",
        DAY,
        "--results",
        &fixture_arg("day1/proxy_results.csv"),
        "--raw",
        &fixture_arg("day1/raw.tsv"),
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let stages = v["stages"].as_array().unwrap();
    let results = stages.iter().find(|s| s["stage"] == "results").unwrap();
    assert_eq!(results["matched"], 8);
    assert_eq!(results["rejected"], 2);
    assert_eq!(v["raw_files"][0]["format"], "tsv");
}

#[test]
fn the_demo_produces_all_three_tables_and_says_it_is_synthetic() {
    let w = Workdir::new();
    let out = w.ok(&["demo"]);
    assert!(out.contains("SYNTHETIC"), "{out}");
    assert!(out.contains("no results file given: ranked by the embedded spot-ml model"), "{out}");
    let scores = w.table("20161211", "proxy_scores");
    assert_eq!(scores.lines().count(), 1 + 500);
    assert!(w.table("20161211", "proxy_edge").lines().count() > 500);
    assert!(w.table("20161211", "proxy_ingest_summary").lines().count() > 100);
    // The evidence ranking: rows put first by their findings (no model score), then spot-ml's model's rows in
    // ascending score; oa_rank counts them all from 1.
    let rows: Vec<Vec<&str>> = scores.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    let ranks: Vec<usize> = rows.iter().map(|r| r[26].parse().unwrap()).collect();
    assert_eq!(ranks, (1..=500).collect::<Vec<_>>());
    let first = rows.iter().take_while(|r| !r[27].starts_with("topic model")).count();
    // First the planted clients reaching generated names (dga), then the night-time uploader's rare agent.
    assert_eq!((rows[0][2], rows[0][27]), ("10.1.5.23", "dga 0.778"));
    let evidence: Vec<(&str, &str)> = rows[..first].iter().map(|r| (r[2], r[27])).collect();
    assert!(evidence.contains(&("10.2.1.77", "dga 0.778")), "{evidence:?}");
    assert!(evidence.contains(&("10.1.3.45", "rare_agent 0.500")), "{evidence:?}");
    let ml: Vec<f64> = rows[first..].iter().map(|r| r[20].parse().unwrap()).collect();
    assert!(rows[first..].iter().all(|r| r[27].starts_with("topic model")));
    assert!(ml.windows(2).all(|p| p[0] <= p[1]));
    // The planted beacons are kept, with their network context. (Not at the very top: spot-ml's model scores a
    // word by how unusual it is for its client, and beaconing all day is that client's usual.)
    assert!(
        scores.lines().any(|l| l.contains("gate.php") && l.contains("HQ-Finance-CFO-laptop")),
        "no planted beacon among the kept rows"
    );
    // The bundled sample feed labels the planted hosts.
    assert!(
        scores.lines().any(|l| l.contains("\tfeed:SUSPICIOUS:2:demo-openphish|host\t")),
        "no feed label in the demo day"
    );
}
