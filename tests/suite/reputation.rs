//! Reputation end to end: offline feeds, and GTI / ThreatExchange against real HTTP servers on 127.0.0.1.

use crate::harness::http::{closed_port, Reply, Server};
use crate::harness::{fixture_arg, Workdir};

use crate::harness::DAY;

/// Run the fixture day with an extra config section; returns stdout.
fn run_with(w: &Workdir, extra: &str, args: &[&str]) -> String {
    let cfg = w.write(
        "proxy-oa.toml",
        format!("[pipeline]\nnetwork_context = \"{}\"\n{extra}", fixture_arg("day1/network_context.csv")),
    );
    let cfg = cfg.display().to_string();
    let results = fixture_arg("day1/proxy_results.csv");
    let raw = fixture_arg("day1/raw.log");
    let mut a =
        vec!["--config", cfg.as_str(), "run", "--date", DAY, "--results", results.as_str(), "--raw", raw.as_str()];
    a.extend_from_slice(args);
    w.ok(&a)
}

/// fulluri → uri_rep of the day.
fn uri_rep(w: &Workdir) -> std::collections::BTreeMap<String, String> {
    let out = w.ok(&["--json", "show", "--date", DAY, "--table", "proxy_scores"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    rows.iter()
        .map(|r| (r["fulluri"].as_str().unwrap().to_string(), r["uri_rep"].as_str().unwrap().to_string()))
        .collect()
}

fn online(service: &str, url: &str) -> String {
    let svc = match service {
        "gti" => format!("[reputation.gti]\nurl = \"{url}\"\nuser = \"u\"\npassword = \"p\"\nbatch_size = 2\n"),
        _ => format!("[reputation.fb]\nurl = \"{url}\"\napp_id = \"app\"\napp_secret = \"s3cret-value\"\n"),
    };
    format!(
        "[reputation]\nservices = [\"{service}\"]\ntimeout_secs = 0.5\nconnect_timeout_secs = 0.5\nretries = 1\nbackoff_ms = 10\nbreaker = 3\n{svc}"
    )
}

#[test]
fn feeds_of_every_format_label_the_day() {
    let w = Workdir::new();
    for (f, name) in [
        ("urlhaus.csv", "urlhaus"),
        ("phishtank.csv", "phishtank"),
        ("openphish.txt", "openphish"),
        ("misp.csv", "misp"),
    ] {
        let out = w.ok(&["reputation", "import", &fixture_arg(&format!("feeds/{f}"))]);
        assert!(out.contains(&format!("imported feed '{name}'")), "{out}");
    }
    let list = w.ok(&["reputation", "list"]);
    assert_eq!(list.lines().count(), 4, "{list}");
    run_with(&w, "", &[]);
    let rep = uri_rep(&w);
    assert_eq!(rep["weird.example.net/gate.php?id=7"], "feed:MALICIOUS:3:urlhaus|url", "URL with a port and a scheme");
    assert_eq!(rep["evil.com/a'b\\c?q='1'"], "feed:MALICIOUS:3:phishtank|url", "percent-encoded and upper-case");
    assert_eq!(rep["pm.example.com/late"], "feed:SUSPICIOUS:2:openphish|host");
    assert_eq!(rep["v6.example.org"], "feed:SUSPICIOUS:2:misp|host");
    assert_eq!(
        rep["a.com/x"], "feed:MALICIOUS:3:misp|url",
        "exact URL; openphish's a.com/x/deeper marks only below it"
    );
    assert_eq!(rep["nocode.example.com/n"], "");
    // Re-importing a feed replaces its entries.
    let empty = w.write("empty-misp.csv", "uuid,event_id,category,type,value\n");
    w.ok(&["reputation", "import", &empty.display().to_string(), "--name", "misp", "--format", "misp"]);
    run_with(&w, "", &[]);
    assert_eq!(uri_rep(&w)["v6.example.org"], "");
}

fn gti_server() -> Server {
    Server::start(|body| {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        let a: Vec<serde_json::Value> = v["q"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| {
                let url = q["url"].as_str().unwrap();
                if url.contains("weird") {
                    serde_json::json!({"rep": 80})
                } else if url.contains("evil") {
                    serde_json::json!({"rep": 35})
                } else {
                    serde_json::json!({"rep": 1})
                }
            })
            .collect();
        Reply::Answer(200, serde_json::json!({ "a": a }).to_string())
    })
}

#[test]
fn gti_good_answers_are_labelled_and_cached_for_a_run_without_the_server() {
    let w = Workdir::new();
    let server = gti_server();
    let extra = online("gti", &server.url());
    run_with(&w, &extra, &[]);
    let rep = uri_rep(&w);
    assert_eq!(rep["weird.example.net/gate.php?id=7"], "gti:High:3");
    assert_eq!(rep["evil.com/a'b\\c?q='1'"], "gti:Medium:2", "a quote and a backslash travel as data");
    assert_eq!(rep["a.com/x"], "gti:Minimal:1");
    assert_eq!(server.hits(), 4, "7 distinct URIs in batches of 2");
    let before = w.table(DAY, "proxy_scores");
    drop(server);
    let out = run_with(&w, &extra, &[]);
    assert!(out.contains("7 from the cache"), "{out}");
    assert_eq!(w.table(DAY, "proxy_scores"), before);
}

#[test]
fn gti_500s_timeouts_and_garbage_give_unknown_labels_and_a_warning() {
    for (what, reply) in [("500", 0), ("stall", 1), ("garbage", 2)] {
        let w = Workdir::new();
        let server = Server::start(move |_| match reply {
            0 => Reply::Answer(500, "oops".into()),
            1 => Reply::Stall,
            _ => Reply::Answer(200, "{not json".into()),
        });
        let out = run_with(&w, &online("gti", &server.url()), &[]);
        assert!(out.contains("warning: reputation gti: 7 of 7 values could not be checked"), "{what}: {out}");
        assert!(uri_rep(&w).values().all(|l| l == "gti:Unverified:-1"), "{what}");
        // Bounded: the breaker stops after 3 failed batches; transient failures are retried once.
        let max = if reply == 2 { 3 } else { 6 };
        assert!(server.hits() <= max, "{what}: {} requests", server.hits());
    }
}

#[test]
fn threatexchange_is_form_encoded_and_never_shows_the_secret() {
    let w = Workdir::new();
    let server = Server::start(|body| {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
        assert_eq!(pairs[0], ("access_token".to_string(), "app|s3cret-value".to_string()));
        let batch: serde_json::Value = serde_json::from_str(&pairs[1].1).unwrap();
        let rel = batch[0]["relative_url"].as_str().unwrap().to_string();
        let status = if rel.contains("weird") {
            "MALICIOUS"
        } else if rel.contains("pm.example") {
            "NON_MALICIOUS"
        } else {
            ""
        };
        let data = if status.is_empty() { "[]".to_string() } else { format!("[{{\"status\":\"{status}\"}}]") };
        let body = serde_json::json!([{"code": 200, "body": "{\"data\":[{\"id\":\"1\"}]}"}, {"code": 200, "body": format!("{{\"data\":{data}}}")}]);
        Reply::Answer(200, body.to_string())
    });
    let out = run_with(&w, &online("fb", &server.url()), &[]);
    assert!(!out.contains("s3cret"), "{out}");
    let rep = uri_rep(&w);
    assert_eq!(rep["weird.example.net/gate.php?id=7"], "fb:MALICIOUS:3");
    assert_eq!(rep["pm.example.com/late"], "fb:NON_MALICIOUS:0");
    assert_eq!(rep["a.com/x"], "", "ThreatExchange does not know it");
    assert_eq!(server.hits(), 7);
}

#[test]
fn a_service_on_a_closed_port_does_not_stop_the_run() {
    let w = Workdir::new();
    let url = format!("http://127.0.0.1:{}/", closed_port());
    w.ok(&["reputation", "import", &fixture_arg("feeds/urlhaus.csv")]);
    let extra = online("fb", &url).replace("services = [\"fb\"]", "services = [\"feed\", \"fb\"]");
    let out = run_with(&w, &extra, &[]);
    assert!(
        out.contains("warning: reputation fb: 7 of 7 values could not be checked and are labelled fb:UNKNOWN:-1"),
        "{out}"
    );
    assert!(!out.contains("s3cret"), "{out}");
    let rep = uri_rep(&w);
    assert_eq!(rep["weird.example.net/gate.php?id=7"], "feed:MALICIOUS:3:urlhaus|url::fb:UNKNOWN:-1");
    assert_eq!(rep["a.com/x"], "fb:UNKNOWN:-1");
    // Every label parses as Spot's UI parses it.
    for label in rep.values().filter(|l| !l.is_empty()) {
        for part in label.split("::") {
            let f: Vec<&str> = part.split(':').collect();
            assert!(f.len() == 3 || f.len() == 4, "{label}");
            assert!(f[2].parse::<i32>().is_ok(), "{label}");
        }
    }
    // --offline asks nothing and still completes.
    let out = run_with(&w, &extra, &["--offline"]);
    assert!(out.contains("not checked (offline)"), "{out}");
}

#[test]
fn an_unknown_service_is_a_config_error() {
    let w = Workdir::new();
    let cfg = w.write("c.toml", "[reputation]\nservices = [\"virustotal\"]\n");
    let err = w.fails(&["--config", &cfg.display().to_string(), "check"], 3);
    // Named with the file, the line and the services there are.
    assert!(err.contains("c.toml") && err.contains("line 2") && err.contains("`virustotal`"), "{err}");
    assert!(err.contains("`feed`, `gti`, `fb`"), "{err}");
    let cfg = w.write("c2.toml", "[reputation]\nservices = [\"gti\"]\n");
    let err = w.fails(&["--config", &cfg.display().to_string(), "check"], 3);
    assert!(err.contains("[reputation.gti] url is empty"), "{err}");
}
