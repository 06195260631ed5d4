//! Blue Coat logs written without a `#Fields:` line: the `bcreportermain_v1` format told from its 42 fields (a
//! real sample: tests/fixtures/bcreporter/README.md), and a site's own field list in `[raw] fields`.

use crate::harness::{assert_golden, fixture_arg, Workdir};

const BC_DAY: &str = "20241101";

fn run(w: &Workdir, config: &str, raw: &str, results: &str) -> String {
    w.ok(&["--config", config, "run", "--date", BC_DAY, "--results", results, "--raw", raw])
}

#[test]
fn a_bcreportermain_v1_log_without_a_header_gives_the_golden_tables() {
    let w = Workdir::new();
    let out = run(
        &w,
        &fixture_arg("day1/proxy-oa.toml"),
        &fixture_arg("bcreporter/bcreportermain_v1.log"),
        &fixture_arg("bcreporter/proxy_results.csv"),
    );
    assert!(out.contains("(bluecoat-elff): 4 rows of the day, 0 of other days, 0 rejected"), "{out}");
    for t in ["proxy_scores", "proxy_edge", "proxy_ingest_summary", "proxy"] {
        assert_golden(&format!("bcreporter/{t}.tsv"), &w.table(BC_DAY, t));
    }
}

#[test]
fn a_site_field_list_reads_a_header_less_log_in_its_own_order() {
    // The first #Fields: segment of the fixture day's Blue Coat log, once with its header and once without it,
    // read through [raw] fields: the same tables.
    let log = std::fs::read_to_string(fixture_arg("day1/raw.log")).unwrap();
    let mut segment = vec![];
    let mut fields = String::new();
    for l in log.lines() {
        if let Some(f) = l.strip_prefix("#Fields:") {
            if !fields.is_empty() {
                break;
            }
            fields = f.trim().to_string();
        } else if !l.starts_with('#') && !fields.is_empty() {
            segment.push(format!("{l}\n"));
        }
    }
    assert!(segment.len() > 3);
    let nc = fixture_arg("day1/network_context.csv");
    let run_with = |w: &Workdir, body: String, raw_section: &str| {
        let raw = w.write("in/raw.log", body);
        let cfg = w.write("in/site.toml", format!("[pipeline]\nnetwork_context = \"{nc}\"\n{raw_section}"));
        w.ok(&[
            "--config",
            &cfg.display().to_string(),
            "run",
            "--date",
            crate::harness::DAY,
            "--results",
            &fixture_arg("day1/proxy_results.csv"),
            "--raw",
            &raw.display().to_string(),
        ]);
    };
    let with = Workdir::new();
    run_with(&with, format!("#Fields: {fields}\n{}", segment.concat()), "");
    let w = Workdir::new();
    run_with(&w, segment.concat(), &format!("\n[raw]\nfields = \"{fields}\"\n"));
    for t in ["proxy_scores", "proxy_edge", "proxy_ingest_summary", "proxy"] {
        let (a, b) = (w.table(crate::harness::DAY, t), with.table(crate::harness::DAY, t));
        assert_eq!(a, b, "{t}");
        assert!(a.lines().count() > 1, "{t}");
    }
    // A field list without a date is refused when the config is loaded.
    let bad = w.write("in/bad.toml", "[raw]\nfields = \"time c-ip cs-host\"\n");
    let err = w.fails(&["--config", &bad.display().to_string(), "check"], 3);
    assert!(err.contains("bad.toml") && err.contains("[raw] fields"), "{err}");
}
