//! Sigma's proxy rules as a detector: SigmaHQ's 56 real proxy rules imported (tests/fixtures/sigma/README.md,
//! Detection Rule License 1.1), a day with requests that some of them match and near misses they must not, the
//! rule's title, level and author in each finding.

use crate::harness::{fixture_arg, TsvRow, Workdir};

const DAY: &str = "20161211";

/// A raw row (Spot's TSV): time, client, host, method, agent, path, server.
fn row(time: &str, client: &str, host: &str, method: &str, agent: &str, path: &str, server: &str) -> String {
    TsvRow { time, client, host, method, agent, path, server, ..TsvRow::default() }.line()
}

const UA: &str = "Mozilla/5.0 (Windows NT 10.0) Firefox/120.0";

fn day() -> Vec<String> {
    let mut out = vec![];
    // Ordinary browsing, which no rule matches.
    for c in 1..=12 {
        out.push(row(
            &format!("08:00:{c:02}"),
            &format!("10.1.0.{c}"),
            "www.example.com",
            "GET",
            UA,
            "/",
            "93.184.216.34",
        ));
    }
    // "Raw Paste Service Access" (high): a raw paste.
    out.push(row("09:00:00", "10.1.0.1", "www.pastebin.com", "GET", UA, "/raw/Xy12", "104.20.1.1"));
    // "HTTP Request With Empty User Agent" (medium).
    out.push(row("09:10:00", "10.1.0.2", "cdn.example.net", "GET", "", "/a.bin", "93.184.216.35"));
    // "Suspicious External WebDAV Execution" (high): WebDAV fetching an .exe from outside; the same from a
    // private and an IPv6 link-local address is left alone by the rule's own filter.
    let webdav = "Microsoft-WebDAV-MiniRedir/10.0.19045";
    out.push(row("09:20:00", "10.1.0.3", "files.example.org", "GET", webdav, "/drop/run.exe", "203.0.113.5"));
    out.push(row("09:21:00", "10.1.0.4", "fileserver.corp", "GET", webdav, "/share/tool.exe", "10.9.9.9"));
    out.push(row("09:22:00", "10.1.0.5", "nas.local", "GET", webdav, "/share/tool.exe", "fe80::1"));
    // "Telegram API Access" (medium): not by a Telegram client; one that is is left alone.
    out.push(row(
        "09:30:00",
        "10.1.0.6",
        "api.telegram.org",
        "GET",
        "curl/8.4.0",
        "/botX/sendMessage",
        "149.154.167.220",
    ));
    out.push(row(
        "09:31:00",
        "10.1.0.7",
        "api.telegram.org",
        "GET",
        "TelegramBot (like TwitterBot)",
        "/",
        "149.154.167.220",
    ));
    // A hostile agent stays a value.
    out.push(row("09:40:00", "10.1.0.8", "www.example.com", "GET", "x' OR 1=1 --", "/", "93.184.216.34"));
    out
}

fn import(w: &Workdir) -> String {
    w.ok(&["sigma", "import", &fixture_arg("sigma/rules")])
}

#[test]
fn sigmahqs_proxy_rules_import_and_each_says_whether_it_runs() {
    let w = Workdir::new();
    let out = import(&w);
    assert!(out.contains("imported 56 proxy rules from 56 files: 55 run, 1 refused"), "{out}");
    assert!(out.contains("CobaltStrike Malleable Profile Patterns - Proxy"), "{out}");
    assert!(out.contains("the field cs-cookie has no column in Spot's proxy table"), "{out}");
    let list = w.ok(&["sigma", "list"]);
    let lines: Vec<&str> = list.lines().skip(1).collect();
    assert_eq!(lines.len(), 56);
    assert_eq!(lines.iter().filter(|l| l.ends_with("\tyes")).count(), 55);
    assert!(list.contains(
        "5468045b-4fcc-4d1a-973c-c9c9578edacb\thigh\tRaw Paste Service Access\tFlorian Roth (Nextron Systems)\tyes"
    ));
    // Importing again replaces by id.
    import(&w);
    assert_eq!(w.ok(&["sigma", "list"]).lines().count(), 57);
    assert!(w.ok(&["sigma", "clear"]).contains("removed 56"));
}

#[test]
fn a_bad_rule_file_stops_the_import_naming_it_and_nothing_is_stored() {
    let w = Workdir::new();
    let dir = w.path().join("rules");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture_arg("sigma/rules/proxy_ua_empty.yml"), dir.join("a.yml")).unwrap();
    std::fs::write(dir.join("b.yml"), "title: [unclosed\n").unwrap();
    let err = w.fails(&["sigma", "import", &dir.display().to_string()], 1);
    assert!(err.contains("b.yml: not YAML"), "{err}");
    assert!(w.ok(&["sigma", "list"]).contains("no Sigma rules imported"));
    let err = w.fails(&["sigma", "import", &w.path().join("nope").display().to_string()], 4);
    assert!(err.contains("no such file or folder"), "{err}");
}

#[test]
fn the_rules_find_their_requests_and_name_rule_and_author() {
    let w = Workdir::new();
    import(&w);
    let raw = w.write("day.tsv", day().join("\n") + "\n").display().to_string();
    let cfg = w.write("c.toml", "[rank]\nthreshold = 1.0\n").display().to_string();
    let out = w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline", "--raw", &raw]);
    assert!(out.contains("sigma 9"), "{out}");
    let f = w.ok(&["--config", &cfg, "findings", "--date", DAY, "--detector", "sigma"]);
    let rows: Vec<Vec<&str>> = f.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    // (rule id, client) of every finding.
    let hits: Vec<(&str, &str)> = rows.iter().map(|r| (r[2], r[3])).collect();
    let of = |rule: &str| -> Vec<&str> { hits.iter().filter(|h| h.0 == rule).map(|h| h.1).collect() };
    assert_eq!(of("5468045b-4fcc-4d1a-973c-c9c9578edacb"), ["10.1.0.1"], "raw paste: {hits:?}");
    assert_eq!(of("21e44d78-95e7-421b-a464-ffd8395659c4"), ["10.1.0.2"], "empty agent: {hits:?}");
    // External WebDAV: the outside server only (10.9.9.9 and fe80::1 are the rule's own filters, IPv4 and IPv6).
    assert_eq!(of("1ae64f96-72b6-48b3-ad3d-e71dff6c6398"), ["10.1.0.3"], "external WebDAV: {hits:?}");
    // Any WebDAV agent, by another rule: all three.
    assert_eq!(of("e09aed7a-09e0-4c9a-90dd-f0d52507347e"), ["10.1.0.3", "10.1.0.4", "10.1.0.5"]);
    // Telegram: not the Telegram client (the rule's `not filter`).
    assert_eq!(of("b494b165-6634-483d-8c47-2026a6c52372"), ["10.1.0.6"], "telegram: {hits:?}");
    assert!(!hits.iter().any(|h| h.1 == "10.1.0.8"), "ordinary browsing with a hostile agent matches no rule");
    let rows: Vec<&Vec<&str>> = rows.iter().filter(|r| r[2] == "5468045b-4fcc-4d1a-973c-c9c9578edacb").collect();
    assert_eq!(rows[0][6], "0.75", "high: 0.75");
    let paste: serde_json::Value = serde_json::from_str(rows[0][10]).unwrap();
    assert_eq!(paste["title"], "Raw Paste Service Access");
    assert_eq!(paste["author"], "Florian Roth (Nextron Systems)");
    assert_eq!(paste["level"], "high");
    assert_eq!(rows[0][2], "5468045b-4fcc-4d1a-973c-c9c9578edacb", "the rule column holds the rule's id");
    assert_eq!(rows[0][5], "www.pastebin.com/raw/Xy12");
    // The findings put their rows first in the day's list, saying which rules.
    let scores = w.table(DAY, "proxy_scores");
    let first = scores.lines().nth(1).unwrap();
    assert!(
        first.contains("files.example.org")
            && first.ends_with(
                "\ttopic model; sigma \"Suspicious External WebDAV Execution\" 0.750; sigma \"Windows WebDAV User \
                 Agent\" 0.750"
            ),
        "two high rules (0.9375 together) first: {first}"
    );
    // Switched off, the rules find nothing.
    let off =
        w.write("off.toml", "[rank]\nthreshold = 1.0\n[findings]\ndetectors = [\"beacon\"]\n").display().to_string();
    w.ok(&["--config", &off, "run", "--date", DAY, "--offline", "--raw", &raw]);
    assert_eq!(w.ok(&["--config", &off, "findings", "--date", DAY, "--detector", "sigma"]).lines().count(), 1);
}
