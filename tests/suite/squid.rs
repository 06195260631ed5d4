//! Squid's native access.log as a raw day (a real sample: tests/fixtures/squid/README.md).

use crate::harness::{assert_golden, fixture_arg, Workdir};

const SQUID_DAY: &str = "20230304";

#[test]
fn a_squid_day_gives_the_three_tables_of_its_golden_files() {
    let w = Workdir::new();
    let out = w.ok(&[
        "--config",
        &fixture_arg("day1/proxy-oa.toml"),
        "run",
        "--date",
        SQUID_DAY,
        "--results",
        &fixture_arg("squid/proxy_results.csv"),
        "--raw",
        &fixture_arg("squid/access.log"),
    ]);
    assert!(out.contains("(squid): 8 rows of the day, 0 of other days, 0 rejected"), "{out}");
    for t in ["proxy_scores", "proxy_edge", "proxy_ingest_summary", "proxy"] {
        assert_golden(&format!("squid/{t}.tsv"), &w.table(SQUID_DAY, t));
    }
}

#[test]
fn an_unknown_form_is_refused_naming_the_file_and_its_first_line() {
    let w = Workdir::new();
    let odd = w.write("in/odd.log", "Mar  4 23:15:34 host sshd[1]: something else entirely\n");
    let err = w.fails(
        &[
            "--config",
            &fixture_arg("day1/proxy-oa.toml"),
            "run",
            "--date",
            SQUID_DAY,
            "--results",
            &fixture_arg("squid/proxy_results.csv"),
            "--raw",
            &odd.display().to_string(),
        ],
        1,
    );
    assert!(err.contains("odd.log: cannot tell the raw format"), "{err}");
    assert!(err.contains("\"Mar  4 23:15:34 host sshd[1]"), "{err}");
}
