//! The analyst's side: score → feedback file read back as spot-ml reads it, re-scoring, unknown URIs, the
//! suspicious list, storyboards with their timeline and incident progression, reset and `run --reset`.

use crate::harness::{fixture_arg, threat_day, Workdir};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::harness::DAY;
const ANCHOR: &str = "bad.example/dl.exe";

/// One day of a table as JSON objects.
fn rows(w: &Workdir, day: &str, table: &str) -> Vec<Value> {
    let out = w.ok(&["--json", "show", "--date", day, "--table", table]);
    serde_json::from_str::<Value>(&out).unwrap().as_array().unwrap().clone()
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn feedback_path(w: &Workdir, day: &str) -> PathBuf {
    w.path().join("data/proxy").join(day).join("ml_feedback.csv")
}

/// `ProxyFeedback.scala`: drop every line equal to the first (the header), split each on TAB (Java's
/// `String.split`, which drops trailing empty fields), keep rows with `row(22).trim.toInt == 3`, take columns
/// 0, 1, 2, 3, 4, 5, 6, 11, 18.
fn spot_ml_reads(feedback: &str) -> Vec<Vec<String>> {
    let header = feedback.lines().next().expect("a header line");
    feedback
        .lines()
        .filter(|l| *l != header)
        .map(|l| {
            let mut v: Vec<&str> = l.split('\t').collect();
            while v.last() == Some(&"") {
                v.pop();
            }
            v
        })
        .filter(|row| row[22].trim().parse::<i32>().expect("index 22 is an integer") == 3)
        .map(|row| [0, 1, 2, 3, 4, 5, 6, 11, 18].iter().map(|&i| row[i].to_string()).collect())
        .collect()
}

/// The same nine values of the store's rows with those fulluris.
fn store_rows(w: &Workdir, uris: &[&str]) -> Vec<Vec<String>> {
    let cols = ["tdate", "time", "clientip", "host", "reqmethod", "useragent", "resconttype", "respcode", "fulluri"];
    rows(w, DAY, "proxy_scores")
        .iter()
        .filter(|r| uris.contains(&r["fulluri"].as_str().unwrap()))
        .map(|r| cols.iter().map(|c| text(&r[*c])).collect())
        .collect()
}

fn sorted(mut v: Vec<Vec<String>>) -> Vec<Vec<String>> {
    v.sort();
    v
}

fn fixture_day() -> Workdir {
    let w = Workdir::new();
    w.run_fixture_day(&fixture_arg("day1/raw.log"));
    w
}

#[test]
fn the_feedback_file_gives_spot_ml_exactly_the_low_scored_rows() {
    let w = fixture_day();
    let low = ["a.com/x", "evil.com/a'b\\c?q='1'"];
    let out = w.ok(&["score", "--date", DAY, "--uri", low[0], "--uri", low[1], "--sev", "3"]);
    assert!(out.contains("scored 2 URI(s) on 20160708"), "{out}");
    w.ok(&["score", "--date", DAY, "--uri", "pm.example.com/late", "--sev", "1"]);
    w.ok(&["score", "--date", DAY, "--uri", "v6.example.org", "--sev", "2"]);

    let fb = std::fs::read_to_string(feedback_path(&w, DAY)).unwrap();
    let lines: Vec<&str> = fb.lines().collect();
    assert_eq!(lines[0], proxy_oa::analyst::feedback_header().join("\t"));
    assert_eq!(lines[0].split('\t').nth(22), Some("uri_sev"));
    // Every scored row once (2 a.com/x + 1 evil + 1 pm + 1 v6), 26 fields each, the hash last.
    assert_eq!(lines.len(), 1 + 5, "{fb}");
    let scores = rows(&w, DAY, "proxy_scores");
    for l in &lines[1..] {
        let f: Vec<&str> = l.split('\t').collect();
        assert_eq!(f.len(), 26, "{l}");
        let r = scores.iter().find(|r| r["hash"] == f[25] && r["time"] == f[1]).expect("a proxy_scores row");
        assert_eq!(f[22], text(&r["uri_sev"]));
        assert_eq!(f[18], r["fulluri"]);
        assert_eq!(f[20].parse::<f64>().unwrap(), r["ml_score"].as_f64().unwrap());
    }
    // spot-ml's reader finds exactly the Low rows.
    let got = spot_ml_reads(&fb);
    assert_eq!(got.len(), 3);
    assert_eq!(sorted(got), sorted(store_rows(&w, &low)));
    // A row without a response code keeps its place: NULL is an empty field, not a shift.
    w.ok(&["score", "--date", DAY, "--uri", "nocode.example.com/n", "--sev", "3"]);
    let fb = std::fs::read_to_string(feedback_path(&w, DAY)).unwrap();
    let got = spot_ml_reads(&fb);
    assert_eq!(sorted(got), sorted(store_rows(&w, &[low[0], low[1], "nocode.example.com/n"])));
}

#[test]
fn scoring_again_changes_the_severity_of_every_client_ips_rows_without_duplicates() {
    let w = threat_day();
    w.ok(&["score", "--date", DAY, "--uri", ANCHOR, "--sev", "3"]);
    let out = w.ok(&["score", "--date", DAY, "--uri", ANCHOR, "--sev", "High"]);
    assert!(out.contains("(was 3 Low)"), "{out}");
    let ti = rows(&w, DAY, "proxy_threat_investigation");
    assert_eq!(ti.len(), 1, "{ti:?}");
    assert_eq!(ti[0]["tdate"], "2016-07-08");
    assert_eq!(ti[0]["fulluri"], ANCHOR);
    assert_eq!(ti[0]["uri_sev"], 1);
    let scores = rows(&w, DAY, "proxy_scores");
    let sev: Vec<(String, i64)> = scores
        .iter()
        .map(|r| (r["clientip"].as_str().unwrap().to_string(), r["uri_sev"].as_i64().unwrap()))
        .filter(|(_, s)| *s != 0)
        .collect();
    assert_eq!(sev.len(), 3, "all three client IPs' rows: {sev:?}");
    assert!(sev.iter().all(|(_, s)| *s == 1));
    let fb = std::fs::read_to_string(feedback_path(&w, DAY)).unwrap();
    assert_eq!(fb.lines().count(), 1 + 3, "{fb}");
    assert!(spot_ml_reads(&fb).is_empty(), "nothing is Low any more");
    // The scores survive a re-run of the day; the threats list shows them.
    let again = threat_day_rerun(&w);
    assert!(again.contains("proxy_threat_investigation"), "{again}");
    assert_eq!(rows(&w, DAY, "proxy_scores").iter().filter(|r| r["uri_sev"] == 1).count(), 3);
    let threats = w.ok(&["threats", "--date", DAY]);
    assert_eq!(
        threats.lines().nth(1).unwrap().split('\t').collect::<Vec<_>>()[..4],
        ["2016-07-08", ANCHOR, "1", "High"]
    );
}

fn threat_day_rerun(w: &Workdir) -> String {
    let results = w.path().join("in/proxy_results.csv").display().to_string();
    let raw = w.path().join("in/raw.tsv").display().to_string();
    w.ok(&["run", "--date", DAY, "--offline", "--results", &results, "--raw", &raw])
}

#[test]
fn an_unknown_uri_is_an_error_and_nothing_is_written() {
    let w = threat_day();
    let err = w.fails(&["score", "--date", DAY, "--uri", ANCHOR, "--uri", "nope.example/", "--sev", "2"], 2);
    assert!(err.contains("nope.example/") && err.contains("nothing was scored"), "{err}");
    assert!(rows(&w, DAY, "proxy_threat_investigation").is_empty());
    assert!(rows(&w, DAY, "proxy_scores").iter().all(|r| r["uri_sev"] == 0));
    assert!(!feedback_path(&w, DAY).exists());
    // From a file: the error names the file and line.
    let f = w.write("scores.tsv", format!("{ANCHOR}\t1\nnope.example/\t3\n"));
    let err = w.fails(&["score", "--date", DAY, "--from", &f.display().to_string()], 1);
    assert!(err.contains(&format!("nope.example/ ({}:2)", f.display())), "{err}");
    assert!(rows(&w, DAY, "proxy_threat_investigation").is_empty());
    // A bad severity and a URI without one.
    w.fails(&["score", "--date", DAY, "--uri", ANCHOR, "--sev", "4"], 2);
    w.fails(&["score", "--date", DAY, "--uri", ANCHOR], 2);
    // A day that was never run.
    let err = w.fails(&["score", "--date", "20160709", "--uri", ANCHOR, "--sev", "1"], 4);
    assert!(err.contains("no proxy_scores rows for 20160709"), "{err}");
    // The file works once the unknown line is gone.
    let f = w.write("scores.tsv", format!("# severity per URI\n{ANCHOR}\tHigh\nnext.example/x\t3\n"));
    w.ok(&["score", "--date", DAY, "--from", &f.display().to_string()]);
    assert_eq!(rows(&w, DAY, "proxy_threat_investigation").len(), 2);
}

#[test]
fn suspicious_hides_only_uris_scored_on_that_day() {
    let w = fixture_day();
    // The same results file as a second day (its rows keep their p_date; no raw day).
    w.ok(&[
        "--config",
        &fixture_arg("day1/proxy-oa.toml"),
        "run",
        "--date",
        "20160709",
        "--results",
        &fixture_arg("day1/proxy_results.csv"),
    ]);
    let before = w.ok(&["suspicious", "--date", DAY]);
    assert!(before.contains("a.com/x"));
    w.ok(&["score", "--date", DAY, "--uri", "a.com/x", "--sev", "2"]);
    let after = w.ok(&["suspicious", "--date", DAY]);
    assert!(!after.contains("a.com/x"), "{after}");
    assert_eq!(before.lines().count() - after.lines().count(), 2, "a.com/x had two rows");
    // Scored on 20160708 only: still suspicious on 20160709 (Spot hid a URI scored on any day).
    assert!(w.ok(&["suspicious", "--date", "20160709"]).contains("a.com/x"));

    // Ordered by score; filters by literal substring and by client IP.
    let list: Vec<Value> = serde_json::from_str(&w.ok(&["--json", "suspicious", "--date", DAY])).unwrap();
    let scores: Vec<f64> = list.iter().map(|r| r["ml_score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|p| p[0] <= p[1]), "{scores:?}");
    assert!(list.iter().all(|r| r.get("word").is_none()), "Spot's list leaves out the word");
    let evil = w.ok(&["suspicious", "--date", DAY, "--uri", "a'b\\c"]);
    assert_eq!(evil.lines().count(), 2, "{evil}");
    assert_eq!(w.ok(&["suspicious", "--date", DAY, "--uri", "%"]).lines().count(), 1, "% is not a wildcard");
    let ip = w.ok(&["--json", "suspicious", "--date", DAY, "--ip", "10.1.2.3"]);
    let ip: Vec<Value> = serde_json::from_str(&ip).unwrap();
    assert!(!ip.is_empty() && ip.iter().all(|r| r["clientip"] == "10.1.2.3"));
    assert_eq!(w.ok(&["suspicious", "--date", DAY, "--limit", "1"]).lines().count(), 2);
}

#[test]
fn a_storyboard_has_the_real_timeline_and_incident_progression() {
    let w = threat_day();
    let title = "Dropper: it's \"dl.exe\"";
    let story = "Line one, with 'quotes' and \"double quotes\".\nLine two\twith a tab; DROP TABLE x; --";
    let err = w.fails(&["storyboard", "--date", DAY, "--uri", ANCHOR, "--title", title, "--text", story], 2);
    assert!(err.contains("not scored"), "{err}");
    w.ok(&["score", "--date", DAY, "--uri", ANCHOR, "--sev", "1"]);
    let out = w.ok(&["storyboard", "--date", DAY, "--uri", ANCHOR, "--title", title, "--text", story, "--top", "2"]);
    assert!(out.contains("3 rows for the top 2 client IPs (6 raw requests"), "{out}");

    let sb = rows(&w, DAY, "proxy_storyboard");
    assert_eq!(sb.len(), 1);
    assert_eq!(
        (sb[0]["p_threat"].as_str(), sb[0]["title"].as_str(), sb[0]["text"].as_str()),
        (Some(ANCHOR), Some(title), Some(story))
    );
    // The TSV form escapes the newline and TAB, so the row stays one line.
    assert_eq!(w.table(DAY, "proxy_storyboard").lines().count(), 2);

    let tl: Vec<Vec<String>> = rows(&w, DAY, "proxy_timeline")
        .iter()
        .map(|r| {
            ["p_threat", "tstart", "tend", "duration", "clientip", "respcode", "respcodename"]
                .iter()
                .map(|c| text(&r[*c]))
                .collect()
        })
        .collect();
    let want = [
        [ANCHOR, "2016-07-08 01:00:00", "2016-07-08 01:05:00", "30", "10.0.0.1", "200", "OK"],
        [ANCHOR, "2016-07-08 02:00:00", "2016-07-08 02:00:00", "5", "10.0.0.1", "404", "Not Found"],
        [ANCHOR, "2016-07-08 03:00:00", "2016-07-08 03:30:00", "15", "10.0.0.3", "200", "OK"],
    ];
    let mut tl_sorted = tl.clone();
    tl_sorted.sort_by(|a, b| a[1].cmp(&b[1]));
    assert_eq!(tl_sorted, want.map(|r| r.map(String::from)).to_vec());

    let digest = hex::encode(<md5::Md5 as md5::Digest>::digest(ANCHOR.as_bytes()));
    let json_path = w.path().join(format!("data/proxy/{DAY}/incident-progression-{digest}.json"));
    let ip: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(ip["fulluri"], ANCHOR);
    let reqs: Vec<(String, String, i64)> = ip["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (text(&r["clientip"]), text(&r["referer"]), r["count"].as_i64().unwrap()))
        .collect();
    let want: Vec<(String, String, i64)> =
        [("10.0.0.1", "", 2), ("10.0.0.1", "http://start.example/", 1), ("10.0.0.2", "", 1), ("10.0.0.3", "", 2)]
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
            .collect();
    assert_eq!(reqs, want);
    assert_eq!(ip["requests"][0]["reqmethod"], "GET");
    assert_eq!(ip["referer_for"], serde_json::json!(["next.example/x", "other.example/y"]));

    // Saving again replaces, with a different top.
    w.ok(&["storyboard", "--date", DAY, "--uri", ANCHOR, "--title", "t2", "--text", "x", "--top", "1"]);
    assert_eq!(rows(&w, DAY, "proxy_storyboard").len(), 1);
    assert_eq!(rows(&w, DAY, "proxy_timeline").len(), 2, "10.0.0.1 only: 200 and 404");
    let threats = w.ok(&["threats", "--date", DAY]);
    assert!(threats.lines().nth(1).unwrap().ends_with("\tt2"), "{threats}");
}

#[test]
fn reset_removes_every_trace_of_the_days_analyst_work_and_run_keeps_it() {
    let w = threat_day();
    w.ok(&["score", "--date", DAY, "--uri", ANCHOR, "--sev", "1"]);
    w.ok(&["score", "--date", DAY, "--uri", "next.example/x", "--sev", "3"]);
    w.ok(&["storyboard", "--date", DAY, "--uri", ANCHOR, "--title", "t", "--text", "x"]);
    let data = w.path().join("data/proxy").join(DAY);
    let analyst_files = || -> BTreeSet<String> {
        std::fs::read_dir(&data)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n == "ml_feedback.csv" || n.starts_with("incident-progression-") || n.starts_with('.'))
            .collect()
    };
    assert_eq!(analyst_files().len(), 2);
    let analyst_tables = ["proxy_threat_investigation", "proxy_storyboard", "proxy_timeline"];
    let counts = |w: &Workdir| analyst_tables.map(|t| rows(w, DAY, t).len());
    // The timeline: 10.0.0.1 (200 and 404), 10.0.0.3, 10.0.0.2.
    assert_eq!(counts(&w), [2, 1, 4]);

    // A plain re-run keeps all of it.
    threat_day_rerun(&w);
    assert_eq!(counts(&w), [2, 1, 4]);
    assert_eq!(analyst_files().len(), 2);
    assert_eq!(rows(&w, DAY, "proxy_scores").iter().filter(|r| r["uri_sev"] != 0).count(), 4);

    let out = w.ok(&["reset", "--date", DAY]);
    assert!(out.contains("4 proxy_scores rows back to uri_sev 0"), "{out}");
    assert!(
        out.contains("removed 2 proxy_threat_investigation, 1 proxy_storyboard and 4 proxy_timeline rows"),
        "{out}"
    );
    assert!(out.contains("ml_feedback.csv") && out.contains("incident-progression-"), "{out}");
    assert_eq!(counts(&w), [0, 0, 0]);
    assert!(analyst_files().is_empty(), "{:?}", analyst_files());
    assert!(rows(&w, DAY, "proxy_scores").iter().all(|r| r["uri_sev"] == 0));
    assert!(w.ok(&["suspicious", "--date", DAY]).contains(ANCHOR));
    // A second reset finds nothing.
    let out = w.ok(&["reset", "--date", DAY]);
    assert!(out.contains("0 proxy_scores rows") && out.contains("no analyst files"), "{out}");

    // run --reset does the same in the run's transaction.
    w.ok(&["score", "--date", DAY, "--uri", ANCHOR, "--sev", "2"]);
    w.ok(&["storyboard", "--date", DAY, "--uri", ANCHOR, "--title", "t", "--text", "x"]);
    let results = w.path().join("in/proxy_results.csv").display().to_string();
    let out = w.ok(&["run", "--date", DAY, "--offline", "--results", &results, "--reset"]);
    assert!(out.contains("--reset: 1 scored URIs, 1 storyboards, 4 timeline rows and 2 files removed"), "{out}");
    assert_eq!(counts(&w), [0, 0, 0]);
    assert!(analyst_files().is_empty());
    assert!(rows(&w, DAY, "proxy_scores").iter().all(|r| r["uri_sev"] == 0));
}

#[test]
fn a_failed_run_reset_puts_the_analyst_files_back() {
    let w = threat_day();
    w.ok(&["score", "--date", DAY, "--uri", ANCHOR, "--sev", "1"]);
    w.ok(&["storyboard", "--date", DAY, "--uri", ANCHOR, "--title", "t", "--text", "x"]);
    // The raw file fails inside the run's transaction, after the files went aside.
    let bad = w.write("in/broken.log.gz", b"\x1f\x8b\x08\x00 not really gzip".as_slice());
    let results = w.path().join("in/proxy_results.csv").display().to_string();
    let err = w.run(&[
        "run",
        "--date",
        DAY,
        "--offline",
        "--results",
        &results,
        "--raw",
        &bad.display().to_string(),
        "--reset",
    ]);
    assert!(!err.status.success());
    assert!(feedback_path(&w, DAY).exists());
    let data = w.path().join("data/proxy").join(DAY);
    let names: Vec<String> =
        std::fs::read_dir(&data).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.iter().filter(|n| n.starts_with("incident-progression-")).count(), 1, "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with(".proxy-oa-")), "{names:?}");
    assert_eq!(rows(&w, DAY, "proxy_storyboard").len(), 1);
    assert_eq!(rows(&w, DAY, "proxy_threat_investigation").len(), 1);
}
