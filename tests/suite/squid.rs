//! Squid's logs as a raw day: the native access.log (a real sample: tests/fixtures/squid/README.md) and the
//! `combined` / `common` logs (written by a real Squid: tests/fixtures/squid-combined/README.md).

use crate::harness::{assert_golden, fixture_arg, Workdir};

const SQUID_DAY: &str = "20230304";
const COMBINED_DAY: &str = "20261123";

/// `run` of the Squid sample's day with `config` and the raw input `raw`.
fn run_args(config: &str, raw: &str) -> Vec<String> {
    day_args(SQUID_DAY, "squid/proxy_results.csv", config, raw)
}

/// `run` of `day` with the results fixture `results`, `config` and the raw input `raw`.
fn day_args(day: &str, results: &str, config: &str, raw: &str) -> Vec<String> {
    let results = fixture_arg(results);
    ["--config", config, "run", "--date", day, "--results", &results, "--raw", raw].map(String::from).to_vec()
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn a_squid_day_gives_the_three_tables_of_its_golden_files() {
    let w = Workdir::new();
    let args = run_args(&fixture_arg("day1/proxy-oa.toml"), &fixture_arg("squid/access.log"));
    let out = w.ok(&strs(&args));
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
    let err = w.fails(&strs(&args), 1);
    assert!(err.contains("odd.log: cannot tell the raw format"), "{err}");
    assert!(err.contains("\"Mar  4 23:15:34 host sshd[1]"), "{err}");
}

#[test]
fn squid_times_are_shown_in_the_configured_zone() {
    let w = Workdir::new();
    let run = |zone: &str| {
        let cfg = w.write(&format!("{}.toml", zone.replace('/', "_")), format!("[raw]\nzone = {zone:?}\n"));
        let args = run_args(&cfg.display().to_string(), &fixture_arg("squid/access.log"));
        w.run(&strs(&args))
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

#[test]
fn a_squid_combined_day_gives_the_three_tables_of_its_golden_files() {
    let w = Workdir::new();
    let args = day_args(
        COMBINED_DAY,
        "squid-combined/proxy_results.csv",
        &fixture_arg("day1/proxy-oa.toml"),
        &fixture_arg("squid-combined/access.log"),
    );
    let out = w.ok(&strs(&args));
    // Every line Squid wrote is a row, the two connections that sent no request included.
    assert!(out.contains("(squid-combined): 16 rows of the day, 0 of other days, 0 rejected"), "{out}");
    for t in ["proxy_scores", "proxy_edge", "proxy_ingest_summary", "proxy"] {
        assert_golden(&format!("squid-combined/{t}.tsv"), &w.table(COMBINED_DAY, t));
    }
}

/// The rows of a table dump `t` without the columns named in `drop`, sorted (the dump's order involves them).
fn without(t: &str, drop: &[&str]) -> Vec<String> {
    let head: Vec<&str> = t.lines().next().unwrap().split('\t').collect();
    let keep: Vec<usize> = (0..head.len()).filter(|&i| !drop.contains(&head[i])).collect();
    assert_eq!(keep.len() + drop.len(), head.len(), "{drop:?} are columns of {head:?}");
    let mut rows: Vec<String> = t
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            keep.iter().map(|&i| f[i]).collect::<Vec<_>>().join("\t")
        })
        .collect();
    rows[1..].sort();
    rows
}

#[test]
fn the_common_log_of_the_same_traffic_gives_the_same_rows_without_referer_and_agent() {
    let cfg = fixture_arg("day1/proxy-oa.toml");
    let combined = Workdir::new();
    combined.ok(&strs(&day_args(
        COMBINED_DAY,
        "squid-combined/proxy_results.csv",
        &cfg,
        &fixture_arg("squid-combined/access.log"),
    )));
    let common = Workdir::new();
    let out = common.ok(&strs(&day_args(
        COMBINED_DAY,
        "squid-combined/proxy_results.csv",
        &cfg,
        &fixture_arg("squid-combined/common.log"),
    )));
    assert!(out.contains("(squid-combined): 16 rows of the day, 0 of other days, 0 rejected"), "{out}");
    let (a, b) = (combined.table(COMBINED_DAY, "proxy"), common.table(COMBINED_DAY, "proxy"));
    assert_eq!(without(&a, &["referer", "useragent"]), without(&b, &["referer", "useragent"]));
    assert!(a.contains("Mozilla/5.0 (compatible; \"Updater\" 2.1)"), "{a}");
    assert!(!b.contains("Mozilla"), "{b}");
    for t in ["proxy_ingest_summary", "proxy_scores"] {
        assert_eq!(combined.table(COMBINED_DAY, t), common.table(COMBINED_DAY, t), "{t}");
    }
}

#[test]
fn combined_times_keep_their_instant_in_any_zone() {
    // Squid wrote 00:24 -0500: 05:24 UTC (the golden files), 00:24 in New York, 06:24 in Berlin.
    for (zone, minute) in [("America/New_York", "2026-11-23 00:24\t"), ("Europe/Berlin", "2026-11-23 06:24\t")] {
        let w = Workdir::new();
        let cfg = w.write("zone.toml", format!("[raw]\nzone = {zone:?}\n"));
        let args = day_args(
            COMBINED_DAY,
            "squid-combined/proxy_results.csv",
            &cfg.display().to_string(),
            &fixture_arg("squid-combined/access.log"),
        );
        let out = w.ok(&strs(&args));
        assert!(out.contains("(squid-combined): 16 rows of the day"), "{zone}: {out}");
        let summary = w.table(COMBINED_DAY, "proxy_ingest_summary");
        assert!(summary.contains(minute), "{zone}: {summary}");
        assert!(!summary.contains("2026-11-23 05:24"), "{zone}: {summary}");
    }
}

#[test]
fn a_web_servers_own_combined_log_is_not_taken_for_squid() {
    let w = Workdir::new();
    let apache = w.write(
        "in/apache.log",
        "10.0.0.1 - - [23/Nov/2026:05:21:29 +0000] \"GET /index.html HTTP/1.1\" 200 5 \"-\" \"curl/8.0\"\n",
    );
    let args = run_args(&fixture_arg("day1/proxy-oa.toml"), &apache.display().to_string());
    let err = w.fails(&strs(&args), 1);
    assert!(err.contains("apache.log: cannot tell the raw format"), "{err}");
    assert!(err.contains("native, combined or common"), "{err}");
}

/// A Squid started for one test from tests/fixtures/squid-combined/squid.conf.in, stopped when dropped.
struct LiveSquid {
    dir: tempfile::TempDir,
    port: u16,
    child: std::process::Child,
}

impl LiveSquid {
    /// Start Squid on 127.0.0.1 / ::1 with `hosts` as its hosts file; its clock is New York's.
    fn start(hosts: &str) -> LiveSquid {
        use std::os::unix::fs::PermissionsExt;
        let bin = std::env::var("PROXY_OA_SQUID").unwrap_or_else(|_| "squid".into());
        // Squid started as root works as the `proxy` user: its folder must be open to it.
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let port = crate::harness::http::closed_port();
        let conf = std::fs::read_to_string(crate::harness::fixture("squid-combined/squid.conf.in"))
            .unwrap()
            .replace("@DIR@", &dir.path().display().to_string())
            .replace("@PORT@", &port.to_string());
        std::fs::write(dir.path().join("squid.conf"), conf).unwrap();
        std::fs::write(dir.path().join("hosts"), hosts).unwrap();
        let child = std::process::Command::new(&bin)
            .args(["-N", "-f"])
            .arg(dir.path().join("squid.conf"))
            .env("TZ", "America/New_York")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("squid.err")).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {bin}: {e}"));
        let squid = LiveSquid { dir, port, child };
        // Not a probe connection: Squid would log it (as error:transaction-end-before-headers).
        for _ in 0..150 {
            if squid.log("cache.log").contains("Accepting HTTP Socket connections") {
                return squid;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        panic!("Squid did not listen on 127.0.0.1:{port} within 30 s: {}", squid.log("cache.log"));
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }

    /// Stop Squid (it writes its logs as it goes; SIGTERM with shutdown_lifetime 0 ends it at once).
    fn stop(&mut self) {
        let _ = std::process::Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        for _ in 0..100 {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LiveSquid {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
#[cfg_attr(not(proxy_oa_squid), ignore = "needs PROXY_OA_SQUID: Squid's binary (.ci/run installs Debian's squid)")]
fn a_live_squids_combined_log_is_read_as_squid_wrote_it() {
    use crate::harness::http::{Reply, Server};
    let origin = Server::start(|_| Reply::Answer(200, "{\"hello\": 1}".into()));
    let o = origin.port;
    let page = format!("http://www.example.com:{o}/index.html");
    // The UTC instant of a log line.
    let instant = |l: &str| {
        let stamp = &l[l.find('[').unwrap() + 1..l.find(']').unwrap()];
        chrono::DateTime::parse_from_str(stamp, "%d/%b/%Y:%H:%M:%S %z").unwrap().with_timezone(&chrono::Utc)
    };
    // Five requests take a second or two; should they straddle midnight UTC, they are sent again, so that every
    // assertion below holds for one day.
    let log = (0..2)
        .map(|_| live_traffic(o, &page))
        .find(|log| log.lines().map(|l| instant(l).date_naive()).collect::<std::collections::BTreeSet<_>>().len() == 1)
        .expect("two runs of the traffic straddled midnight UTC");

    // The day and time of the scripts' first line, in UTC, for spot-ml's results row.
    let at = instant(log.lines().find(|l| l.contains("/js/app.js")).unwrap());
    let w = Workdir::new();
    let raw = w.write("in/access.log", &log);
    let results = w.write(
        "in/proxy_results.csv",
        format!(
            "{}\t{}\t127.0.0.1\tcdn.example.net\tGET\tlive-test/1.0\t-\t-\talice\t-\t{page}\t200\t{o}\t\
             /js/app.js\t?\t-\t100\t-\tcdn.example.net/js/app.js\tw1\t1.0E-7\n",
            at.format("%Y-%m-%d"),
            at.format("%H:%M:%S")
        ),
    );
    let day = at.format("%Y%m%d").to_string();
    let args =
        ["run", "--date", &day, "--results", &results.display().to_string(), "--raw", &raw.display().to_string()]
            .map(String::from);
    let out = w.ok(&strs(&args));
    // Squid also logs a kept-alive connection that closed with no request as a line of its own (it may or may not
    // be written before Squid stops): a row like any other, as Squid wrote it.
    let idle = log.lines().filter(|l| l.contains(IDLE_CLOSE)).count();
    let want = format!("(squid-combined): {} rows of the day, 0 of other days, 0 rejected", 5 + idle);
    assert!(out.contains(&want), "{out}");
    let proxy_rows = w.table(&day, "proxy");
    assert_eq!(proxy_rows.lines().count(), 6 + idle, "{proxy_rows}");
    assert_eq!(proxy_rows.lines().filter(|l| l.contains(IDLE_CLOSE)).count(), idle, "{proxy_rows}");
    assert!(proxy_rows.contains("\t407\tTCP_DENIED\thttp\t"), "{proxy_rows}");
    assert!(proxy_rows.contains("live-test/1.0 (\"quoted\")"), "{proxy_rows}");
    for l in proxy_rows.lines().skip(1).filter(|l| !l.contains(IDLE_CLOSE)) {
        // Every request's row names the origin's port and the user the proxy authenticated (or none for the 407).
        assert!(l.contains(&format!("\t{o}\t")), "{l}");
        assert!(l.contains("\talice\t") || l.contains("\t407\t"), "{l}");
    }
    let edge = w.table(&day, "proxy_edge");
    assert_eq!(edge.lines().filter(|l| l.contains("cdn.example.net/js/app.js")).count(), 3, "{edge}");
}

/// How Squid logs a connection that ended before a request's headers (a kept-alive one closed while idle).
const IDLE_CLOSE: &str = "error:transaction-end-before-headers";

/// Five requests through a fresh Squid to the origin on port `o` (`page` is its page); the log Squid wrote (the
/// five, and any idle connection Squid logged as it stopped).
fn live_traffic(o: u16, page: &str) -> String {
    let mut squid = LiveSquid::start("127.0.0.1 www.example.com cdn.example.net\n");
    let proxy = |auth: &str| {
        reqwest::blocking::Client::builder()
            .proxy(reqwest::Proxy::http(format!("http://{auth}127.0.0.1:{}", squid.port)).unwrap())
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .unwrap()
    };
    let (anonymous, alice) = (proxy(""), proxy("alice:secret@"));
    let status = |c: &reqwest::blocking::Client, url: &str, agent: &str, referer: &str| {
        let mut r = c.get(url).header("User-Agent", agent);
        if !referer.is_empty() {
            r = r.header("Referer", referer);
        }
        r.send().unwrap().status().as_u16()
    };
    assert_eq!(status(&anonymous, page, "live-test/1.0", ""), 407);
    assert_eq!(status(&alice, page, "live-test/1.0 (\"quoted\")", ""), 200);
    let script = format!("http://cdn.example.net:{o}/js/app.js?session=1");
    for _ in 0..3 {
        assert_eq!(status(&alice, &script, "live-test/1.0", page), 200);
    }
    // Squid writes each line as the request ends; wait for all five before stopping it.
    let requests = |log: &str| log.lines().filter(|l| !l.contains(IDLE_CLOSE)).count();
    for _ in 0..100 {
        if requests(&squid.log("access.log")) >= 5 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    squid.stop();
    let log = squid.log("access.log");
    assert_eq!(requests(&log), 5, "{log}");
    log
}

#[test]
fn a_combined_line_cut_short_is_quarantined_with_file_line_and_field() {
    let w = Workdir::new();
    let log = std::fs::read_to_string(crate::harness::fixture("squid-combined/access.log")).unwrap();
    let mut lines: Vec<String> = log.lines().map(String::from).collect();
    // Line 3 loses its end (as when a disk fills mid-write): no agent, no code:hierarchy.
    lines[2] = lines[2][..lines[2].find("\" \"Mozilla").unwrap() + 1].to_string();
    let raw = w.write("in/access.log", lines.join("\n") + "\n");
    let args = day_args(
        COMBINED_DAY,
        "squid-combined/proxy_results.csv",
        &fixture_arg("day1/proxy-oa.toml"),
        &raw.display().to_string(),
    );
    let out = w.ok(&strs(&args));
    assert!(out.contains("(squid-combined): 15 rows of the day, 0 of other days, 1 rejected"), "{out}");
    let rej = std::fs::read_to_string(w.path().join("data/proxy/20261123/raw.rejected.tsv")).unwrap();
    let kept: Vec<&str> = rej.lines().collect();
    assert_eq!(kept.len(), 2, "{rej}");
    assert!(kept[1].contains("access.log\t3\tfield code:hierarchy"), "{rej}");
    assert!(kept[1].contains("/js/app.js?"), "{rej}");
}
