//! Squid's native access.log as a raw day (a real sample: tests/fixtures/squid/README.md).

use crate::harness::{assert_golden, fixture_arg, Workdir};

const SQUID_DAY: &str = "20230304";

/// `run` of the Squid sample's day with `config` and the raw input `raw`.
fn run_args(config: &str, raw: &str) -> Vec<String> {
    let results = fixture_arg("squid/proxy_results.csv");
    ["--config", config, "run", "--date", SQUID_DAY, "--results", &results, "--raw", raw].map(String::from).to_vec()
}

#[test]
fn a_squid_day_gives_the_three_tables_of_its_golden_files() {
    let w = Workdir::new();
    let args = run_args(&fixture_arg("day1/proxy-oa.toml"), &fixture_arg("squid/access.log"));
    let out = w.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.contains("(squid): 8 rows of the day, 0 of other days, 0 rejected"), "{out}");
    for t in ["proxy_scores", "proxy_edge", "proxy_ingest_summary", "proxy"] {
        assert_golden(&format!("squid/{t}.tsv"), &w.table(SQUID_DAY, t));
    }
}

#[test]
fn an_unknown_form_is_refused_naming_the_file_and_its_first_line() {
    let w = Workdir::new();
    let odd = w.write("in/odd.log", "Mar  4 23:15:34 host sshd[1]: something else entirely\n");
    let args = run_args(&fixture_arg("day1/proxy-oa.toml"), &odd.display().to_string());
    let err = w.fails(&args.iter().map(String::as_str).collect::<Vec<_>>(), 1);
    assert!(err.contains("odd.log: cannot tell the raw format"), "{err}");
    assert!(err.contains("\"Mar  4 23:15:34 host sshd[1]"), "{err}");
}

#[test]
fn squid_times_are_shown_in_the_configured_zone() {
    let w = Workdir::new();
    let run = |zone: &str| {
        let cfg = w.write(&format!("{}.toml", zone.replace('/', "_")), format!("[raw]\nzone = {zone:?}\n"));
        let args = run_args(&cfg.display().to_string(), &fixture_arg("squid/access.log"));
        w.run(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    // 23:15 UTC on 4 March 2023 is 15:15 the same day in Los Angeles...
    let la = run("America/Los_Angeles");
    assert!(la.status.success(), "{}", String::from_utf8_lossy(&la.stderr));
    let out = String::from_utf8_lossy(&la.stdout);
    assert!(out.contains("(squid): 8 rows of the day, 0 of other days"), "{out}");
    let summary = w.table(SQUID_DAY, "proxy_ingest_summary");
    assert!(summary.contains("2023-03-04 15:15\t"), "{summary}");
    assert!(!summary.contains("2023-03-04 23:"), "{summary}");
    // ... and already 5 March in Berlin: none of the log's rows is of the 4th there.
    let berlin = run("Europe/Berlin");
    assert!(berlin.status.success(), "{}", String::from_utf8_lossy(&berlin.stderr));
    let out = String::from_utf8_lossy(&berlin.stdout);
    assert!(out.contains("(squid): 0 rows of the day, 8 of other days"), "{out}");
    // A name the tz database does not know is a configuration error naming the key.
    let bad = run("Mars/Olympus");
    assert_eq!(bad.status.code(), Some(3));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("[raw] zone") && err.contains("Mars/Olympus"), "{err}");
}
