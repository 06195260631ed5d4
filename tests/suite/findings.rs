//! Why a connection is suspicious (`proxy_findings`, `proxy-oa findings`): the behaviour detectors on a built day
//! with one case of each (and the cases each must leave alone), on a stored earlier day for the baseline, and
//! RITA's real proxy-beacon capture (tests/fixtures/rita/README.md) read as a Zeek day.

use crate::harness::{fixture_arg, TsvRow, Workdir};

const DAY: &str = "20161211";
const EARLIER: &str = "20161210";

/// One raw row (Spot's TSV) of the built day.
fn row(
    (date, time): (&str, &str),
    client: &str,
    host: &str,
    method: &str,
    agent: &str,
    duration: i64,
    bytes: i64,
) -> String {
    TsvRow { date, time, client, host, method, agent, duration, path: "/p", csbytes: bytes, ..TsvRow::default() }.line()
}

fn hms(secs: i64) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

const COMMON: &str = "Mozilla/5.0 (Windows NT 10.0) Firefox/120.0";

/// Ordinary browsing of a day: 12 clients, 5 hosts, 3 visits each at scattered times; `RareButOld/2` by one
/// client (so it is rare on both days).
fn browsing(date: &str) -> Vec<String> {
    let mut out = vec![];
    for c in 1..=12 {
        for h in 1..=5 {
            for k in 0..3i64 {
                let t = 3600 * (7 + k * 3) + 97 * c + 13 * h;
                out.push(row(
                    (date, &hms(t)),
                    &format!("10.1.0.{c}"),
                    &format!("site{h}.example"),
                    "GET",
                    COMMON,
                    40,
                    300,
                ));
            }
        }
    }
    out.push(row((date, "09:00:00"), "10.1.0.5", "site1.example", "GET", "RareButOld/2", 40, 300));
    out
}

/// The day under test: browsing plus one case of each detector.
fn day_rows() -> Vec<String> {
    let d = "2016-12-11";
    let mut out = browsing(d);
    // beacon: 10.1.0.1 every 300 s all day, the same request size.
    for i in 0..288 {
        out.push(row((d, &hms(i * 300 + 7)), "10.1.0.1", "beacon.example", "GET", COMMON, 30, 310));
    }
    // strobe (threshold 500 in the test config): 10.1.0.7 600 times in 50 minutes.
    for i in 0..600 {
        out.push(row((d, &hms(36_000 + i * 5)), "10.1.0.7", "strobe.example", "GET", COMMON, 5, 200));
    }
    // raw_ip: an outside address (found) and one of the network context (left alone).
    for i in 0..3 {
        out.push(row((d, &hms(50_000 + i)), "10.1.0.2", "203.0.113.9", "GET", COMMON, 20, 100));
        out.push(row((d, &hms(50_100 + i)), "10.1.0.3", "10.0.0.5", "GET", COMMON, 20, 100));
    }
    // rare_agent: one client, an agent no earlier day saw.
    out.push(row((d, "11:11:11"), "10.1.0.4", "site1.example", "GET", "EvilAgent/1.0", 20, 100));
    // tunnel: a 5-hour CONNECT.
    out.push(row((d, "12:00:00"), "10.1.0.6", "tunnel.example", "CONNECT", COMMON, 18_000_000, 5000));
    // dga: 10.1.0.8 tries three of Cryptolocker's generated names (tests/fixtures/dga); 10.1.0.9 reaches one
    // generated-looking name only (a finding, but under the evidence order's 0.5).
    for (i, host) in ["catvgqxhpdun.com", "sowdvjrkmbgdckf.biz", "uabqhvtjewcvd.net"].iter().enumerate() {
        out.push(row((d, &hms(40_000 + i as i64)), "10.1.0.8", host, "POST", COMMON, 20, 100));
    }
    out.push(row((d, "13:00:00"), "10.1.0.9", "xvbtxrvdqkmyjfp.ru", "GET", COMMON, 20, 100));
    out
}

fn write_day(w: &Workdir, name: &str, rows: &[String]) -> String {
    w.write(name, rows.join("\n") + "\n").display().to_string()
}

fn config(w: &Workdir) -> String {
    w.write("nc.csv", "10.0.0.0/8,internal,the site's own servers\n");
    let text =
        "[pipeline]\nnetwork_context = \"nc.csv\"\n[rank]\nthreshold = 1.0\n[findings]\nstrobe_connections = 500\n";
    w.write("proxy-oa.toml", text).display().to_string()
}

/// The findings of `day` as (detector, clientip, host, score, evidence) rows.
fn findings(w: &Workdir, cfg: &str, day: &str, extra: &[&str]) -> Vec<(String, String, String, f64, String)> {
    let mut args = vec!["--config", cfg, "findings", "--date", day];
    args.extend_from_slice(extra);
    w.ok(&args)
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].to_string(), f[3].to_string(), f[4].to_string(), f[6].parse().unwrap(), f[10].to_string())
        })
        .collect()
}

/// A workspace with the earlier day of ordinary browsing and the day under test run (with [`config`]): the
/// workspace, the config, the day's raw file and the day's run summary.
fn two_days() -> (Workdir, String, String, String) {
    let w = Workdir::new();
    let cfg = config(&w);
    let earlier = write_day(&w, "earlier.tsv", &browsing("2016-12-10"));
    w.ok(&["--config", &cfg, "run", "--date", EARLIER, "--offline", "--raw", &earlier]);
    let raw = write_day(&w, "day.tsv", &day_rows());
    let out = w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline", "--raw", &raw]);
    (w, cfg, raw, out)
}

fn has(f: &[(String, String, String, f64, String)], detector: &str, client: &str, host: &str) -> bool {
    f.iter().any(|x| x.0 == detector && x.1 == client && x.2 == host)
}

#[test]
fn each_detector_finds_its_case_and_leaves_ordinary_browsing_alone() {
    let (w, cfg, raw, out) = two_days();
    assert!(out.contains("1 earlier stored days compared"), "{out}");
    // Without a top-domain list the dga score has no bigram model: not every generated name reaches 0.55.
    let without = findings(&w, &cfg, DAY, &["--detector", "dga"]);
    // With one (Alexa's names of tests/fixtures/dga as a `rank,domain` list), it has.
    let alexa = std::fs::read_to_string(crate::harness::fixture("dga/alexa_1000.txt")).unwrap();
    let list: Vec<String> = alexa.lines().enumerate().map(|(i, d)| format!("{},{d}", i + 1)).collect();
    let top = w.write("top.csv", list.join("\n") + "\n").display().to_string();
    w.ok(&["cache", "topdomains", "import", &top]);
    w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline", "--raw", &raw]);
    let f = findings(&w, &cfg, DAY, &[]);
    let bigram = |rows: &[(String, String, String, f64, String)]| -> Vec<serde_json::Value> {
        rows.iter()
            .filter(|x| x.0 == "dga")
            .map(|x| serde_json::from_str::<serde_json::Value>(&x.4).unwrap()["bigram"].clone())
            .collect()
    };
    assert!(bigram(&without).iter().all(|b| b.is_null()), "{without:?}");
    assert!(bigram(&f).iter().all(|b| b.as_f64().is_some_and(|m| m < -4.4)), "{f:?}");

    let beacon: Vec<_> = f.iter().filter(|x| x.0 == "beacon").collect();
    assert_eq!(beacon.len(), 1, "{beacon:?}");
    assert_eq!((beacon[0].1.as_str(), beacon[0].2.as_str()), ("10.1.0.1", "beacon.example"));
    assert_eq!(beacon[0].3, 1.0, "every 300 s, the same size, all day: RITA's perfect beacon");
    let ev: serde_json::Value = serde_json::from_str(&beacon[0].4).unwrap();
    assert_eq!(ev["connections"], 288);
    assert_eq!(ev["ts_mode"], 300);
    assert_eq!(ev["histogram"].as_array().unwrap().len(), 24);

    assert!(has(&f, "strobe", "10.1.0.7", "strobe.example"), "{f:?}");
    assert!(!has(&f, "beacon", "10.1.0.7", "strobe.example"), "a strobe is not scored as a beacon");

    assert!(has(&f, "raw_ip", "10.1.0.2", "203.0.113.9"), "{f:?}");
    assert!(!f.iter().any(|x| x.0 == "raw_ip" && x.2 == "10.0.0.5"), "the network context's own address");

    let rare: Vec<_> = f.iter().filter(|x| x.0 == "rare_agent").collect();
    assert_eq!(rare.len(), 1, "EvilAgent only; RareButOld/2 was seen the day before: {rare:?}");
    assert_eq!(rare[0].1, "10.1.0.4");
    assert!(rare[0].4.contains("EvilAgent/1.0"), "{}", rare[0].4);

    let tunnel: Vec<_> = f.iter().filter(|x| x.0 == "tunnel").collect();
    assert_eq!(tunnel.len(), 1, "{tunnel:?}");
    assert_eq!((tunnel[0].2.as_str(), tunnel[0].3), ("tunnel.example", 0.5), "5 hours: RITA's 4-hour grade");

    let dga: Vec<_> = f.iter().filter(|x| x.0 == "dga").collect();
    assert_eq!(dga.len(), 4, "the three generated names of 10.1.0.8 and the one of 10.1.0.9, no site*: {dga:?}");
    for x in &dga {
        let ev: serde_json::Value = serde_json::from_str(&x.4).unwrap();
        let host_score = ev["host_score"].as_f64().unwrap();
        assert!(host_score >= 0.55, "{x:?}");
        // Full score from three such hosts of the client; one alone: a third of it.
        let (want, hosts) = if x.1 == "10.1.0.8" { (host_score, 3) } else { (host_score / 3.0, 1) };
        assert_eq!(ev["client_dga_hosts"], hosts, "{x:?}");
        assert!((x.3 - want).abs() < 1e-3 && (x.1 != "10.1.0.9" || x.3 < 0.5), "{x:?}");
    }

    let first: Vec<&str> = f.iter().filter(|x| x.0 == "first_seen").map(|x| x.2.as_str()).collect();
    for h in ["beacon.example", "strobe.example", "203.0.113.9", "10.0.0.5", "tunnel.example"] {
        assert!(first.contains(&h), "{h} is new: {first:?}");
    }
    assert!(!first.iter().any(|h| h.starts_with("site")), "hosts of the earlier day are not new: {first:?}");

    // Highest score first; filters by detector and client.
    let scores: Vec<f64> = f.iter().map(|x| x.3).collect();
    assert!(scores.windows(2).all(|p| p[0] >= p[1]), "{scores:?}");
    let only = findings(&w, &cfg, DAY, &["--detector", "raw_ip", "--ip", "10.1.0.2"]);
    assert_eq!(only.len(), 1, "{only:?}");

    // The earlier day had no stored day before it: no first_seen; its one-client agent is rare there (no earlier
    // day saw it either), and nothing else fires on ordinary browsing.
    let before = findings(&w, &cfg, EARLIER, &[]);
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!((before[0].0.as_str(), before[0].1.as_str()), ("rare_agent", "10.1.0.5"));

    // Re-running the day gives the same table.
    let table = w.table(DAY, "proxy_findings");
    w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline", "--raw", &raw]);
    assert_eq!(w.table(DAY, "proxy_findings"), table);

    // A bundle carries them to another workspace.
    let bundle = w.ok(&["--config", &cfg, "export", "--date", DAY]);
    let b = Workdir::new();
    b.ok(&["import", bundle.trim()]);
    assert_eq!(b.table(DAY, "proxy_findings"), table);
}

#[test]
fn detectors_switched_off_in_the_config_find_nothing() {
    let w = Workdir::new();
    let cfg = w.write("proxy-oa.toml", "[rank]\nthreshold = 1.0\n[findings]\ndetectors = [\"tunnel\"]\n");
    let cfg = cfg.display().to_string();
    let raw = write_day(&w, "day.tsv", &day_rows());
    w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline", "--raw", &raw]);
    let f = findings(&w, &cfg, DAY, &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "tunnel");
    let bad = w.write("bad.toml", "[findings]\ndetectors = [\"beacons\"]\n").display().to_string();
    let err = w.fails(&["--config", &bad, "check"], 3);
    assert!(err.contains("\"beacons\" is not a detector"), "{err}");
}

#[test]
fn ritas_proxy_beacon_is_found_in_its_zeek_capture() {
    // Spot's topic model ranks nothing of this one-client day below its threshold; the beacon detector finds the
    // beacon and leaves the same client's six Google tunnels (RITA: 0.586) below the finding threshold.
    let w = Workdir::new();
    let out = w.ok(&["run", "--date", "20230105", "--offline", "--raw", &fixture_arg("rita/proxy")]);
    assert!(out.contains("beacon 1"), "{out}");
    let f = w.ok(&["findings", "--date", "20230105", "--detector", "beacon"]);
    let rows: Vec<Vec<&str>> = f.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 1, "{f}");
    assert_eq!((rows[0][3], rows[0][4]), ("10.136.0.18", "www.honestimnotevil.com"));
    let score: f64 = rows[0][6].parse().unwrap();
    assert!(score >= 0.75, "{f}");
    let ev: serde_json::Value = serde_json::from_str(rows[0][10]).unwrap();
    assert!(ev["ts_score"].as_f64().unwrap() > 0.9, "{ev}");
    assert_eq!(ev["dur_score"], 1.0, "{ev}");
}

/// proxy_scores of `day` as rows of fields.
fn scores(w: &Workdir, day: &str) -> Vec<Vec<String>> {
    w.table(day, "proxy_scores").lines().skip(1).map(|l| l.split('\t').map(String::from).collect()).collect()
}

#[test]
fn the_evidence_ranking_puts_findings_first_and_every_row_says_why() {
    let (w, cfg, raw, out) = two_days();
    assert!(out.contains("mode evidence"), "{out}");
    let rows = scores(&w, DAY);
    // Columns: 2 clientip, 3 host, 19 word, 20 ml_score, 26 oa_rank, 27 why.
    let ranks: Vec<usize> = rows.iter().map(|r| r[26].parse().unwrap()).collect();
    assert_eq!(ranks, (1..=rows.len()).collect::<Vec<_>>());
    // The strobe (1.0) and the perfect beacon (1.0, with first_seen) lead, by client then; the generated names of
    // the client that tried three (dga 2/3 with first_seen 0.3: 0.767, then 0.636: 0.745), raw_ip (0.5 with
    // first_seen 0.3: 0.65), the tunnel (the same) and rare_agent (0.5) follow by combined score; the client with
    // one generated name (dga 0.212, with first_seen: 0.448) does not reach 0.5. The model (which writes every
    // row here: threshold 1) kept these connections too, so they say so first.
    let first: Vec<(&str, &str, &str)> =
        rows.iter().take(8).map(|r| (r[2].as_str(), r[3].as_str(), r[27].as_str())).collect();
    assert_eq!(
        first,
        [
            ("10.1.0.1", "beacon.example", "topic model; beacon 1.000; first_seen 0.300"),
            ("10.1.0.7", "strobe.example", "topic model; strobe 1.000; first_seen 0.300"),
            ("10.1.0.8", "catvgqxhpdun.com", "topic model; dga 0.667; first_seen 0.300"),
            ("10.1.0.8", "uabqhvtjewcvd.net", "topic model; dga 0.667; first_seen 0.300"),
            ("10.1.0.8", "sowdvjrkmbgdckf.biz", "topic model; dga 0.636; first_seen 0.300"),
            ("10.1.0.2", "203.0.113.9", "topic model; raw_ip 0.500; first_seen 0.300"),
            ("10.1.0.6", "tunnel.example", "topic model; tunnel 0.500; first_seen 0.300"),
            ("10.1.0.4", "site1.example", "topic model; rare_agent 0.500"),
        ]
    );
    assert_eq!(rows[7][5], "EvilAgent/1.0", "the pair's row is the one with its agent");
    // After them, the topic model's rows in its order, each once, none of a pair with findings of 0.5 or more.
    let model: Vec<f64> = rows[8..].iter().map(|r| r[20].parse().unwrap()).collect();
    assert!(model.windows(2).all(|p| p[0] <= p[1]), "{model:?}");
    assert!(rows[8..].iter().all(|r| r[27].starts_with("topic model")));
    let mut seen: Vec<[&str; 4]> = rows.iter().map(|r| [&r[0], &r[1], &r[2], &r[18]].map(|s| s.as_str())).collect();
    let n = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), n, "a connection is listed once");
    // The list is bounded by the limit all together.
    let limited = w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline", "--raw", &raw, "--limit", "3"]);
    assert!(limited.contains("3 rows first by their findings"), "{limited}");
    let three = scores(&w, DAY);
    assert_eq!(three.len(), 3);
    assert_eq!(three[2][3], "catvgqxhpdun.com");
    // `suspicious` lists in the same order.
    let s = w.ok(&["--config", &cfg, "suspicious", "--date", DAY]);
    let hosts: Vec<&str> = s.lines().skip(1).map(|l| l.split('\t').nth(3).unwrap()).collect();
    assert_eq!(hosts, ["beacon.example", "strobe.example", "catvgqxhpdun.com"]);

    // With spot-ml's own threshold the model keeps nothing of this small day: the list is the findings alone,
    // without a word or model score.
    let v = Workdir::new();
    let plain = v.write("plain.toml", "[findings]\nstrobe_connections = 500\n").display().to_string();
    let raw = write_day(&v, "day.tsv", &day_rows());
    v.ok(&["--config", &plain, "run", "--date", DAY, "--offline", "--raw", &raw]);
    let only = scores(&v, DAY);
    let got: Vec<(&str, &str, &str)> = only.iter().map(|r| (r[3].as_str(), r[19].as_str(), r[20].as_str())).collect();
    assert_eq!(
        got,
        [
            ("beacon.example", "", "\\N"),
            ("strobe.example", "", "\\N"),
            ("catvgqxhpdun.com", "", "\\N"),
            ("uabqhvtjewcvd.net", "", "\\N"),
            ("sowdvjrkmbgdckf.biz", "", "\\N"),
            ("203.0.113.9", "", "\\N"),
            ("10.0.0.5", "", "\\N"),
            ("site1.example", "", "\\N"),
            ("site1.example", "", "\\N"),
            ("tunnel.example", "", "\\N")
        ],
        "no network context and no earlier day here: the generated names (2/3, 0.636), then both raw IPs and both \
         one-client agents, all at 0.5 (then by client)"
    );
    assert_eq!(only[0][27], "beacon 1.000");
}

#[test]
fn mode_spot_keeps_spot_mls_order_and_still_says_why() {
    let w = Workdir::new();
    let cfg = w.write("spot.toml", "[rank]\nthreshold = 1.0\nmode = \"spot\"\n").display().to_string();
    let raw = write_day(&w, "day.tsv", &day_rows());
    let out = w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline", "--raw", &raw]);
    assert!(out.contains("mode spot"), "{out}");
    let rows = scores(&w, DAY);
    assert_eq!(rows.len(), 500);
    let ml: Vec<f64> = rows.iter().map(|r| r[20].parse().unwrap()).collect();
    assert!(ml.windows(2).all(|p| p[0] <= p[1]), "spot-ml's ascending scores");
    assert!(rows.iter().all(|r| r[27].starts_with("topic model")));
    // A kept row of a pair with findings names them after the model.
    let beacon = rows.iter().find(|r| r[3] == "beacon.example").expect("the model keeps some beacon rows");
    assert!(beacon[27].starts_with("topic model; beacon 1.000"), "{}", beacon[27]);
}

#[test]
fn a_store_of_an_earlier_version_gains_the_new_columns() {
    let w = Workdir::new();
    let conn = duckdb::Connection::open(w.path().join("proxy-oa.duckdb")).unwrap();
    conn.execute_batch(
        "CREATE TABLE proxy_scores (tdate VARCHAR, \"time\" VARCHAR, clientip VARCHAR, host VARCHAR,
           reqmethod VARCHAR, useragent VARCHAR, resconttype VARCHAR, duration INTEGER, username VARCHAR,
           webcat VARCHAR, referer VARCHAR, respcode INTEGER, uriport INTEGER, uripath VARCHAR, uriquery VARCHAR,
           serverip VARCHAR, scbytes INTEGER, csbytes INTEGER, fulluri VARCHAR, word VARCHAR, ml_score FLOAT,
           uri_rep VARCHAR, respcode_name VARCHAR, network_context VARCHAR, uri_sev INTEGER, hash VARCHAR,
           y SMALLINT, m TINYINT, d TINYINT);
         INSERT INTO proxy_scores VALUES ('2016-12-11', '10:00:00', '10.0.0.1', 'a.com', 'GET', 'ua', 'text/html',
           1, '-', '-', '-', 200, 80, '/', '', '1.2.3.4', 1, 1, 'a.com/', 'w', 0.5, '', 'OK', '', 0, 'h', 2016, 12, 11);",
    )
    .unwrap();
    drop(conn);
    let t = w.table(DAY, "proxy_scores");
    let header: Vec<&str> = t.lines().next().unwrap().split('\t').collect();
    assert_eq!(&header[25..], ["hash", "oa_rank", "why"]);
    assert!(t.lines().nth(1).unwrap().ends_with("\th\t\\N\t\\N"), "{t}");
    // And a run of the day writes them.
    let raw = write_day(&w, "day.tsv", &day_rows());
    let cfg = w.write("r.toml", "[rank]\nthreshold = 1.0\n").display().to_string();
    w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline", "--raw", &raw]);
    assert_eq!(scores(&w, DAY)[0][26], "1");
}
