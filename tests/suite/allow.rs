//! Known-good lists: imported from MISP warninglists and plain lists, a row on one is marked and kept, listed
//! last by `suspicious`, and counted in the run summary.

use crate::harness::{fixture_arg, Workdir, DAY};

#[test]
fn lists_of_every_misp_type_import_and_are_listed_with_their_checksums() {
    let w = Workdir::new();
    for (file, n) in [
        ("misp-captive-portals.json", 21),
        ("misp-cachefly.json", 10),
        ("misp-umbrella-blockpage-hostname.json", 5),
        ("misp-common-contact-emails.json", 1),
        ("misp-automated-malware-analysis.json", 26),
        ("site.txt", 2),
    ] {
        let out = w.ok(&["allow", "import", &fixture_arg(&format!("allow/{file}"))]);
        assert!(out.contains(&format!(": {n} entries")), "{file}: {out}");
    }
    let list = w.ok(&["allow", "list"]);
    assert_eq!(list.lines().count(), 6, "{list}");
    assert!(list.lines().any(|l| l.starts_with("misp-cachefly\t10 entries\t") && l.contains("sha256 ")), "{list}");
    // Broken input names the file and the field.
    let bad = w.write("in/bad.json", "{\"type\": \"email\", \"list\": [\"a\"]}");
    let err = w.fails(&["allow", "import", &bad.display().to_string()], 1);
    assert!(err.contains("bad.json") && err.contains("field type"), "{err}");
}

#[test]
fn a_suspicious_row_on_a_known_good_host_is_marked_kept_and_listed_last() {
    let w = Workdir::new();
    let list = w.write("in/site-good.txt", "# our own\na.com\n");
    w.ok(&["allow", "import", &list.display().to_string()]);
    let out = w.run_fixture_day(&fixture_arg("day1/raw.log"));
    // The fixture day has a.com/x twice (two results rows of one edge): both are marked, nothing else is.
    let summary = out.lines().find(|l| l.trim_start().starts_with("known_good")).unwrap_or_default();
    assert!(summary.contains("2 rows on a known-good list"), "{out}");
    let scores = w.table(DAY, "proxy_scores");
    let on_host: Vec<&str> = scores.lines().filter(|l| l.contains("\ta.com/x\t")).collect();
    let marked: Vec<&str> = scores.lines().filter(|l| l.contains("allow:KNOWN_GOOD:0:site-good")).collect();
    assert_eq!(marked, on_host, "{scores}");
    assert_eq!(marked.len(), 2, "{scores}");
    assert_eq!(scores.lines().count(), 1 + 8, "nothing is dropped");
    // Still among the day's unscored suspicious rows, after all the others.
    let sus = w.ok(&["suspicious", "--date", DAY]);
    let lines: Vec<&str> = sus.lines().skip(1).collect();
    assert_eq!(lines.len(), 8, "{sus}");
    assert!(lines[6..].iter().all(|l| l.contains("allow:KNOWN_GOOD:0:site-good")), "{sus}");
    assert!(lines[..6].iter().all(|l| !l.contains("allow:")), "{sus}");
}

#[test]
fn an_old_list_or_feed_is_warned_about_in_the_run_summary_and_listings() {
    let w = Workdir::new();
    let list = w.write("in/site-good.txt", "a.com\n");
    w.ok(&["allow", "import", &list.display().to_string()]);
    w.ok(&["reputation", "import", &fixture_arg("feeds/urlhaus.csv")]);
    let fresh = w.run_fixture_day(&fixture_arg("day1/raw.log"));
    assert!(!fresh.contains("days ago"), "{fresh}");
    // Make both look imported long ago.
    let cache = rusqlite::Connection::open(w.path().join("cache.sqlite")).unwrap();
    cache.execute_batch("UPDATE allow_lists SET imported_at = '2020-01-01T00:00:00Z'; UPDATE feeds SET imported_at = '2020-01-01T00:00:00Z';").unwrap();
    drop(cache);
    let out = w.run_fixture_day(&fixture_arg("day1/raw.log"));
    for what in ["known-good list 'site-good'", "feed 'urlhaus'"] {
        assert!(
            out.lines().any(|l| l.contains("warning:") && l.contains(what) && l.contains("max_age_days = 7")),
            "{what}: {out}"
        );
    }
    assert!(w.ok(&["allow", "list"]).contains("older than 7 days"));
    assert!(w.ok(&["reputation", "list"]).contains("older than 7 days"));
}
