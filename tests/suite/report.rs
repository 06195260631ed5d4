//! `proxy-oa report`: the day as one offline HTML page. The page's behaviour is tested in a real headless
//! Chromium (Debian's, through chromedriver): row counts against the store, sorting, the filters, the details pane,
//! the ingest chart's window totals, the network view's click filter, a hostile URI and user agent, and the
//! scores file downloaded from the page read back by `score --from`. Screenshots of each view are kept under
//! `<target>/tmp/report-*/`.

use crate::harness::browser::{output_dir, Browser};
use crate::harness::{fixture_arg, raw_row, result_row, run_rows, TsvRow, Workdir, DAY, DEMO_DAY};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn demo() -> Workdir {
    let w = Workdir::new();
    let out = w.ok(&["demo"]);
    assert!(out.contains("data/proxy/20161211/report.html"), "demo names its report:\n{out}");
    w
}

fn report_path(w: &Workdir, day: &str) -> PathBuf {
    w.path().join(format!("data/proxy/{day}/report.html"))
}

/// The TSV lines of a command's output, without the header.
fn data_lines(out: &str) -> Vec<String> {
    out.lines().skip(1).map(String::from).collect()
}

/// Values of one column of a TSV output.
fn tsv_column(out: &str, name: &str) -> Vec<String> {
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let i = header.iter().position(|c| *c == name).unwrap_or_else(|| panic!("no column {name}"));
    lines.map(|l| l.split('\t').nth(i).unwrap().to_string()).collect()
}

/// The rows the Suspicious table holds (as its count says; only those in sight are drawn), checked against the
/// count the page prints.
fn shown_rows(b: &Browser) -> i64 {
    let v = b.exec(
        "const t = document.getElementById('s-table');
         return [Number(t.dataset.rows), document.getElementById('s-count').textContent]",
        vec![],
    );
    let n = v[0].as_i64().unwrap();
    let label = v[1].as_str().unwrap();
    assert!(label == format!("{n} rows") || label.starts_with(&format!("{n} of ")), "count label {label:?} for {n}");
    n
}

/// The text of one column (by header key) of the Suspicious table's drawn rows, top to bottom.
fn shown_column(b: &Browser, key: &str) -> Vec<String> {
    let v = b.exec(
        "const ths = Array.from(document.querySelectorAll('#s-table thead th'));
         const i = ths.findIndex(th => th.dataset.key === arguments[0]);
         return Array.from(document.querySelectorAll('#s-table tbody tr[data-index]'))
                     .map(tr => tr.children[i].textContent);",
        vec![json!(key)],
    );
    serde_json::from_value(v).unwrap()
}

/// Scroll the Suspicious table to its end and return the last drawn row's rank.
fn last_drawn_rank(b: &Browser) -> String {
    b.exec("const s = document.getElementById('s-scroll'); s.scrollTop = s.scrollHeight; return true", vec![]);
    b.wait_for(
        "the last rows to be drawn",
        "const rows = document.querySelectorAll('#s-table tbody tr[data-index]');
         const last = rows[rows.length - 1];
         return !!last && !last.nextElementSibling",
    );
    let v = b.exec(
        "const rows = document.querySelectorAll('#s-table tbody tr[data-index]');
         return rows[rows.length - 1].dataset.rank",
        vec![],
    );
    v.as_str().unwrap().to_string()
}

fn open_report(b: &Browser, path: &std::path::Path) {
    b.open_file(path);
    b.wait_for("the page to render", "return document.body.dataset.ready === '1'");
}

#[test]
#[cfg_attr(not(proxy_oa_browser), ignore = "needs chromium and chromedriver (.ci/run installs them)")]
fn the_demo_days_report_works_in_a_real_browser() {
    let w = demo();
    let shots = output_dir("report-demo");
    let b = Browser::start();
    open_report(&b, &report_path(&w, DEMO_DAY));
    b.screenshot(&shots.join("suspicious.png"));
    b.assert_no_console_errors("opening the report");

    // As many rows as the store's suspicious list, the last one reached by scrolling; only those in sight drawn.
    let store_rows = data_lines(&w.ok(&["suspicious", "--date", DEMO_DAY, "--limit", "0"]));
    assert_eq!(shown_rows(&b), store_rows.len() as i64);
    assert!(store_rows.len() > 100);
    let drawn = shown_column(&b, "rank");
    assert_eq!(drawn[0], "1");
    assert!(drawn.len() < store_rows.len(), "{} rows drawn", drawn.len());
    assert_eq!(last_drawn_rank(&b), store_rows.len().to_string());

    // Sorting by client IP, then the other way: the drawn rows in order, starting with the store's lowest, then
    // its highest address (text order).
    let mut store_ips = tsv_column(&w.ok(&["suspicious", "--date", DEMO_DAY, "--limit", "0"]), "clientip");
    store_ips.sort();
    b.click("#s-table th[data-key=clientip]");
    let ips = shown_column(&b, "clientip");
    let mut sorted = ips.clone();
    sorted.sort();
    assert_eq!(ips, sorted, "ascending by client IP");
    assert_eq!(ips[0], store_ips[0]);
    b.click("#s-table th[data-key=clientip]");
    let desc = shown_column(&b, "clientip");
    let mut sorted = desc.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(desc, sorted, "descending by client IP");
    assert_eq!(&desc[0], store_ips.last().unwrap());
    b.click("#s-table th[data-key=rank]");
    assert_eq!(shown_column(&b, "rank")[0], "1");

    // The IP filter (exact) and the URI filter (contains) show what `suspicious --ip/--uri` lists.
    let ip = "10.1.5.23";
    b.type_into("#f-ip", ip);
    let want = data_lines(&w.ok(&["suspicious", "--date", DEMO_DAY, "--limit", "0", "--ip", ip])).len();
    assert!(want > 0 && want < store_rows.len());
    assert_eq!(shown_rows(&b), want as i64);
    assert!(shown_column(&b, "clientip").iter().all(|c| c == ip));
    b.type_into("#f-ip", "10.1.5.2"); // exact, not a prefix
    assert_eq!(shown_rows(&b), 0);
    b.click("#f-clear");
    b.type_into("#f-uri", "gate.php");
    let want = data_lines(&w.ok(&["suspicious", "--date", DEMO_DAY, "--limit", "0", "--uri", "gate.php"])).len();
    assert!(want > 0);
    assert_eq!(shown_rows(&b), want as i64);
    b.click("#f-clear");
    assert_eq!(shown_rows(&b), store_rows.len() as i64);

    // Details: the first row's edge, as proxy_edge has it.
    b.click("#s-table tbody tr[data-rank=\"1\"] td:nth-child(3)");
    let hash = tsv_column(&w.ok(&["suspicious", "--date", DEMO_DAY, "--limit", "1"]), "hash")[0].clone();
    let edge = w.table(DEMO_DAY, "proxy_edge");
    let want = tsv_column(&edge, "hash").iter().filter(|h| **h == hash).count() as i64;
    assert!(want > 0);
    let shown = b.exec("return document.querySelectorAll('#details-table tbody tr').length", vec![]);
    assert_eq!(shown, json!(want));
    b.screenshot(&shots.join("details.png"));

    // Ingest summary: the whole day's total, then a dragged window's.
    let ingest = w.table(DEMO_DAY, "proxy_ingest_summary");
    let per_minute: BTreeMap<String, i64> = tsv_column(&ingest, "tdate")
        .into_iter()
        .zip(tsv_column(&ingest, "total").iter().map(|t| t.parse::<i64>().unwrap()))
        .collect();
    let day_total: i64 = per_minute.values().sum();
    b.click("#tabs button[data-view=ingest]");
    b.wait_for("the chart", "return !!document.querySelector('#i-chart svg')");
    let total = |b: &Browser| b.exec("return document.getElementById('i-total').dataset.total", vec![]);
    assert_eq!(total(&b), json!(day_total.to_string()));
    b.screenshot(&shots.join("ingest.png"));
    b.drag("#i-chart svg", -200, 0, 100, 0);
    let (from, to) = {
        let v = b.exec("const c = document.getElementById('i-chart'); return [+c.dataset.from, +c.dataset.to]", vec![]);
        (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
    };
    assert!(from > 0 && to < 1440 && to - from > 60, "a zoomed window: {from}..{to}");
    let minute = |m: i64| format!("2016-12-11 {:02}:{:02}", m / 60, m % 60);
    let want: i64 = per_minute.range(minute(from)..minute(to)).map(|(_, v)| v).sum();
    assert_eq!(total(&b), json!(want.to_string()));
    assert!(want < day_total);
    b.screenshot(&shots.join("ingest-zoomed.png"));
    b.click("#i-reset");
    assert_eq!(total(&b), json!(day_total.to_string()));

    // Network view: a click on a client IP filters the table.
    b.click("#tabs button[data-view=network]");
    b.wait_for("the graph", "return document.querySelectorAll('#n-graph .node').length > 0");
    b.screenshot(&shots.join("network.png"));
    let ip = b
        .exec(
            "const n = document.querySelector('#n-graph .node[data-layer=\"client IP\"]');
             n.dispatchEvent(new MouseEvent('click', { bubbles: true }));
             return n.querySelector('text').textContent;",
            vec![],
        )
        .as_str()
        .unwrap()
        .to_string();
    b.click("#tabs button[data-view=suspicious]");
    assert_eq!(b.exec("return document.getElementById('f-ip').value", vec![]), json!(ip));
    let want = data_lines(&w.ok(&["suspicious", "--date", DEMO_DAY, "--limit", "0", "--ip", &ip])).len();
    assert_eq!(shown_rows(&b), want as i64);
    b.click("#f-clear");

    // Scoring in the page: two URIs marked, the downloaded file read by `score --from`.
    let uris = tsv_column(&w.ok(&["suspicious", "--date", DEMO_DAY, "--limit", "0"]), "fulluri");
    let first = uris[0].clone();
    let other = uris.iter().find(|u| **u != first).unwrap().clone();
    let row_of = |uri: &str| uris.iter().position(|u| u == uri).unwrap() + 1;
    b.click(&format!("#s-table tbody tr[data-rank=\"{}\"] [data-sev=\"2\"]", row_of(&first)));
    b.click(&format!("#s-table tbody tr[data-rank=\"{}\"] [data-sev=\"1\"]", row_of(&first))); // changed its mind
    b.click(&format!("#s-table tbody tr[data-rank=\"{}\"] [data-sev=\"3\"]", row_of(&other)));
    // Every drawn row of a marked URI shows the mark, and no other row.
    let drawn = b.exec(
        "return Array.from(document.querySelectorAll('#s-table tbody tr[data-rank]')).map(tr =>
            [Number(tr.dataset.rank), (tr.querySelector('.sev .on') || { dataset: { sev: '' } }).dataset.sev])",
        vec![],
    );
    for r in drawn.as_array().unwrap() {
        let uri = &uris[r[0].as_u64().unwrap() as usize - 1];
        let want = if *uri == first {
            "1"
        } else if *uri == other {
            "3"
        } else {
            ""
        };
        assert_eq!(r[1], json!(want), "row {}", r[0]);
    }
    assert_eq!(b.exec("return document.getElementById('score-count').textContent", vec![]), json!("2 URI(s) marked."));
    b.click("#score-download");
    let file = b.wait_for_download("proxy-oa-scores-20161211.tsv");
    let out = w.ok(&["score", "--date", DEMO_DAY, "--from", &file.display().to_string()]);
    assert!(out.contains("scored 2 URI(s)"), "{out}");
    let threats = w.ok(&["threats", "--date", DEMO_DAY]);
    let sev: BTreeMap<String, String> =
        tsv_column(&threats, "fulluri").into_iter().zip(tsv_column(&threats, "uri_sev")).collect();
    assert_eq!(sev, BTreeMap::from([(first.clone(), "1".to_string()), (other.clone(), "3".to_string())]));
    b.assert_no_console_errors("using every view");

    // Written again: the scored URIs are threats, one with a storyboard, the other with pictures from the raw day.
    w.ok(&[
        "storyboard",
        "--date",
        DEMO_DAY,
        "--uri",
        &first,
        "--title",
        "Uploads at night",
        "--text",
        "Line 1\nLine 2",
    ]);
    w.ok(&["report", "--date", DEMO_DAY]);
    open_report(&b, &report_path(&w, DEMO_DAY));
    let left = data_lines(&w.ok(&["suspicious", "--date", DEMO_DAY, "--limit", "0"])).len();
    assert_eq!(shown_rows(&b), left as i64, "scored URIs leave the suspicious list");
    b.click("#tabs button[data-view=threats]");
    b.wait_for("the threats", "return document.querySelectorAll('#t-list .threat').length === 2");
    let cards = b.exec(
        "return Array.from(document.querySelectorAll('#t-list .threat')).map(c => ({
            uri: c.querySelector('.uri').textContent,
            story: c.querySelector('.story') ? c.querySelector('.story').textContent : null,
            bars: c.querySelectorAll('svg.timeline .bar').length,
            incident: c.querySelectorAll('svg.incident .node').length }))",
        vec![],
    );
    assert_eq!(cards[0]["uri"], json!(first), "High first");
    assert_eq!(cards[0]["story"], json!("Line 1\nLine 2"));
    assert_eq!(cards[1]["story"], Value::Null);
    let timeline_rows = data_lines(&w.table(DEMO_DAY, "proxy_timeline")).len() as i64;
    assert_eq!(cards[0]["bars"], json!(timeline_rows), "the saved timeline, one bar per row");
    for c in cards.as_array().unwrap() {
        assert!(c["bars"].as_i64().unwrap() > 0 && c["incident"].as_i64().unwrap() >= 5, "{c}");
    }
    b.screenshot(&shots.join("threats.png"));
    b.click("#tabs button[data-view=provenance]");
    let counts = b.exec(
        "return Array.from(document.querySelectorAll('#p-tables tr')).slice(1).map(tr => tr.textContent)",
        vec![],
    );
    let scores = data_lines(&w.table(DEMO_DAY, "proxy_scores")).len();
    assert!(counts.as_array().unwrap().contains(&json!(format!("proxy_scores{scores}"))), "{counts}");
    b.screenshot(&shots.join("provenance.png"));
    b.assert_no_console_errors("the threats and provenance views");
}

#[test]
#[cfg_attr(not(proxy_oa_browser), ignore = "needs chromium and chromedriver (.ci/run installs them)")]
fn a_hostile_uri_and_user_agent_show_as_text_and_run_nothing() {
    let w = Workdir::new();
    let path = "/\"><img src=x onerror=alert(1)>";
    let agent = "<script>window.pwned=1;alert(2)</script>";
    let hostile = |line: String| line.replace("\"Mozilla/5.0\"", &format!("\"{agent}\""));
    let raw = [
        hostile(raw_row("01:00:00", "10.0.0.9", "evil.example", path, "200", "10", "</textarea><svg onload=alert(3)>")),
        hostile(raw_row("02:00:00", "10.0.0.1", "fine.example", "/", "200", "10", "-")),
    ];
    let results = [
        hostile(result_row("01:00:00", "10.0.0.9", "evil.example", path, "200", "1.0E-7")),
        hostile(result_row("02:00:00", "10.0.0.1", "fine.example", "/", "200", "2.0E-7")),
    ];
    run_rows(&w, &raw, &results);
    let fulluri = format!("evil.example{path}");
    w.ok(&["score", "--date", DAY, "--uri", &fulluri, "--sev", "1"]);
    w.ok(&["report", "--date", DAY]);

    let b = Browser::start();
    open_report(&b, &report_path(&w, DAY));
    b.click("#show-more");
    b.click("#s-table tbody tr[data-rank=\"1\"] td:nth-child(3)");
    b.click("#tabs button[data-view=threats]");
    b.click("#tabs button[data-view=network]");
    b.click("#tabs button[data-view=suspicious]");
    b.screenshot(&output_dir("report-hostile").join("suspicious.png"));
    assert_eq!(b.alert_text(), None, "no script from the data ran");
    let probe = b.exec(
        "return { pwned: typeof window.pwned, imgs: document.querySelectorAll('img').length,
                  scripts: document.querySelectorAll('script').length,
                  handlers: document.querySelectorAll('[onerror],[onload]').length,
                  text: document.body.textContent }",
        vec![],
    );
    assert_eq!(probe["pwned"], "undefined");
    assert_eq!(probe["imgs"], 0);
    assert_eq!(probe["scripts"], 2, "the data block and the page's own script only");
    assert_eq!(probe["handlers"], 0);
    // The scored URI is listed under Threats as text, its referer in the incident progression; the other row's
    // user agent in the table and in the details of its edge.
    let text = probe["text"].as_str().unwrap();
    assert!(text.contains(&fulluri), "the URI shows as its characters");
    assert!(text.contains("</textarea><svg onload=alert(3)>"), "the referer shows as its characters");
    let agents = b.exec(
        "return Array.from(document.querySelectorAll('#s-table td, #details-table td'))
                    .filter(td => td.textContent === arguments[0]).length",
        vec![json!(agent)],
    );
    assert_eq!(agents, json!(2), "the user agent as text in the table and in the edge's details");
    b.assert_no_console_errors("rendering hostile values");
}

#[test]
#[cfg_attr(not(proxy_oa_browser), ignore = "needs chromium and chromedriver (.ci/run installs them)")]
fn a_known_good_row_shows_its_list_and_comes_last() {
    let w = Workdir::new();
    let list = w.write("in/site-good.txt", "# our own\ngood.example\n");
    w.ok(&["allow", "import", &list.display().to_string(), "--name", "site-good"]);
    let raw = [
        raw_row("01:00:00", "10.0.0.1", "good.example", "/a", "200", "10", "-"),
        raw_row("02:00:00", "10.0.0.2", "other.example", "/b", "200", "10", "-"),
    ];
    // The known-good row has the lower (more suspicious) score, yet is listed last.
    let results = [
        result_row("01:00:00", "10.0.0.1", "good.example", "/a", "200", "1.0E-7"),
        result_row("02:00:00", "10.0.0.2", "other.example", "/b", "200", "2.0E-7"),
    ];
    run_rows(&w, &raw, &results);
    w.ok(&["report", "--date", DAY]);
    let b = Browser::start();
    open_report(&b, &report_path(&w, DAY));
    assert_eq!(shown_rows(&b), 2, "kept, not dropped");
    assert_eq!(shown_column(&b, "host"), ["other.example", "good.example"]);
    let badge = b.exec(
        "const b = document.querySelector('#s-table tbody tr[data-rank=\"2\"] .badge:not(.why)');
         return [b.textContent, b.className, b.title]",
        vec![],
    );
    assert_eq!(badge, json!(["allow:KNOWN_GOOD", "badge v0", "site-good"]));
    b.screenshot(&output_dir("report-known-good").join("suspicious.png"));
    b.assert_no_console_errors("a known-good row");
}

#[test]
fn the_same_day_gives_the_same_report_bytes() {
    let w = demo();
    let first = std::fs::read(report_path(&w, DEMO_DAY)).unwrap();
    let out = w.path().join("elsewhere/day.html");
    w.ok(&["report", "--date", DEMO_DAY, "--out", &out.display().to_string()]);
    assert!(std::fs::read(&out).unwrap() == first, "written again: the same bytes");
    // The day run again (the demo writes its report at the end): the same bytes too.
    w.ok(&["demo"]);
    assert!(std::fs::read(report_path(&w, DEMO_DAY)).unwrap() == first, "the day re-run: the same bytes");
    // --stamp is the one way to put a time in it.
    let stamped = w.path().join("stamped.html");
    w.ok(&["report", "--date", DEMO_DAY, "--stamp", "--out", &stamped.display().to_string()]);
    let stamped = std::fs::read_to_string(stamped).unwrap();
    assert!(stamped.contains("\"stamp\":\"20"), "the stamp is in the data");
    assert!(String::from_utf8(first).unwrap().contains("\"stamp\":null"));
}

#[test]
fn a_report_needs_the_day_in_the_store() {
    let w = Workdir::new();
    let err = w.fails(&["report", "--date", DAY], 4);
    assert!(err.contains("no proxy_scores rows for 20160708"), "{err}");
    assert!(!report_path(&w, DAY).exists());
}

/// The view the page shows and its address's fragment.
fn view_and_hash(b: &Browser) -> Value {
    b.exec("return [document.body.dataset.view || 'suspicious', location.hash]", vec![])
}

#[test]
#[cfg_attr(not(proxy_oa_browser), ignore = "needs chromium and chromedriver (.ci/run installs them)")]
fn the_findings_view_has_its_own_address_and_draws_a_beacon() {
    // RITA's real proxy beacon: one finding, its day's histogram drawn from the evidence.
    let w = Workdir::new();
    w.ok(&["run", "--date", "20230105", "--offline", "--raw", &fixture_arg("rita/proxy")]);
    w.ok(&["report", "--date", "20230105"]);
    let page = report_path(&w, "20230105");
    let b = Browser::start();
    b.open_file_at(&page, Some("findings"));
    b.wait_for("the page to render", "return document.body.dataset.ready === '1'");
    assert_eq!(view_and_hash(&b), json!(["findings", "#findings"]), "the address opens its view");
    let rows = b.exec("return document.querySelectorAll('#fd-table tr.finding').length", vec![]);
    let stored = data_lines(&w.table("20230105", "proxy_findings")).len();
    assert_eq!(rows, json!(stored));
    assert_eq!(stored, 1);
    b.click("#fd-table tr.finding");
    let bars = b.exec(
        "return [document.querySelectorAll('#fd-details svg.histogram rect.bar').length,
                 document.querySelector('#fd-details h3').textContent]",
        vec![],
    );
    assert_eq!(bars[0], json!(24));
    assert!(bars[1].as_str().unwrap().contains("10.136.0.18 \u{2192} www.honestimnotevil.com"), "{bars}");
    b.screenshot(&output_dir("report-findings").join("findings.png"));
    // Every view has its address: a tab sets it, and an address given later opens that view.
    b.click("#tabs button[data-view=network]");
    assert_eq!(view_and_hash(&b), json!(["network", "#network"]));
    b.exec("location.hash = '#threats'", vec![]);
    b.wait_for("the threats view", "return document.body.dataset.view === 'threats'");
    b.open_file_at(&page, Some("no-such-view"));
    b.wait_for("the page to render", "return document.body.dataset.ready === '1'");
    assert_eq!(view_and_hash(&b), json!(["suspicious", "#suspicious"]), "an unknown address opens Suspicious");
    // The list says why: the beacon's row first, with its badge.
    let why =
        b.exec("return document.querySelector('#s-table tbody tr[data-rank=\"1\"] .badge.why').textContent", vec![]);
    assert_eq!(why, json!("beacon 0.963"));
    b.assert_no_console_errors("the findings view");
}

#[test]
#[cfg_attr(not(proxy_oa_browser), ignore = "needs chromium and chromedriver (.ci/run installs them)")]
fn a_hostile_agent_in_a_finding_stays_text() {
    let w = Workdir::new();
    let hostile = "<img src=x onerror=\"document.body.dataset.pwned=1\">";
    let mut rows: Vec<String> = (1..=12)
        .map(|c| TsvRow { time: "08:00:00", client: &format!("10.0.0.{c}"), ..TsvRow::default() }.line())
        .collect();
    rows.push(TsvRow { time: "09:00:00", client: "10.0.0.99", agent: hostile, ..TsvRow::default() }.line());
    let raw = w.write("day.tsv", rows.join("\n") + "\n").display().to_string();
    w.ok(&["run", "--date", DEMO_DAY, "--offline", "--raw", &raw]);
    w.ok(&["report", "--date", DEMO_DAY]);
    let b = Browser::start();
    b.open_file_at(&report_path(&w, DEMO_DAY), Some("findings"));
    b.wait_for("the page to render", "return document.body.dataset.ready === '1'");
    b.click("#fd-table tr.finding[data-detector=rare_agent]");
    let v = b.exec(
        "return [document.body.dataset.pwned || null, document.querySelectorAll('#fd-details img').length,
                 document.getElementById('fd-evidence').textContent]",
        vec![],
    );
    assert_eq!(v[0], Value::Null, "nothing ran");
    assert_eq!(v[1], json!(0), "no element made of the value");
    assert!(v[2].as_str().unwrap().contains(hostile), "{v}");
    b.assert_no_console_errors("a hostile agent");
}
