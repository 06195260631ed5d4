//! A generated day of web-proxy traffic for the demo and the benchmark. **Synthetic data**: nothing here was
//! observed on a real network.
//!
//! It writes, deterministically from a fixed seed:
//! - a Blue Coat ProxySG access log in W3C ELFF form (`bcreportermain_v1`-style `#Fields:` header),
//! - a network-context CSV for the generated client networks.
//!
//! The day is ranked by the embedded spot-ml model ([`crate::rank`]), as any raw day is.
//!
//! Planted among ordinary browsing: two clients beaconing every few minutes to algorithmically generated domains,
//! one client posting large uploads to a paste-like host at night, and scattered unusual response codes.

use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The sample feed imported for the demo (synthetic entries naming the planted hosts).
pub const DEMO_FEED: &str = include_str!("../config/feeds/demo-openphish.txt");

/// The demo's day.
pub const DEMO_DATE: &str = "20161211";

/// SplitMix64: a tiny, well-known generator; the same seed gives the same day on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// Index with Zipf-like weights 1/(i+1).
    fn zipf(&mut self, n: usize) -> usize {
        let h: f64 = (1..=n).map(|i| 1.0 / i as f64).sum();
        let mut x = (self.next() as f64 / u64::MAX as f64) * h;
        for i in 0..n {
            x -= 1.0 / (i + 1) as f64;
            if x <= 0.0 {
                return i;
            }
        }
        n - 1
    }
}

const HOSTS: [(&str, &[&str], &str); 16] = [
    ("www.google.com", &["/search", "/complete/search", "/images/branding/logo.png"], "Search Engines/Portals"),
    ("mail.example-corp.com", &["/owa/", "/owa/service.svc", "/owa/attachment.ashx"], "Business/Economy"),
    ("www.wikipedia.org", &["/wiki/Proxy_server", "/wiki/Apache_Spot", "/static/images/logo.png"], "Reference"),
    (
        "cdn.jsdelivr.net",
        &["/npm/jquery@3/dist/jquery.min.js", "/npm/bootstrap@5/dist/css/bootstrap.min.css"],
        "Content Servers",
    ),
    ("news.ycombinator.com", &["/", "/item", "/news"], "News/Media"),
    ("www.bbc.co.uk", &["/news", "/news/technology", "/sport"], "News/Media"),
    ("outlook.office365.com", &["/mapi/emsmdb/", "/EWS/Exchange.asmx"], "Business/Economy"),
    ("update.microsoft.com", &["/v6/ClientWebService/client.asmx", "/v6/ReportingWebService/"], "Software Downloads"),
    ("github.com", &["/apache/incubator-spot", "/login", "/notifications"], "Technology/Internet"),
    ("api.weather.com", &["/v3/wx/forecast/daily/5day", "/v1/location"], "News/Media"),
    ("www.linkedin.com", &["/feed/", "/in/someone", "/messaging/"], "Social Networking"),
    ("fonts.gstatic.com", &["/s/roboto/v30/KFOmCnqEu92Fr1Mu4mxK.woff2"], "Content Servers"),
    ("intranet.example-corp.com", &["/", "/hr/holidays", "/it/helpdesk"], "Business/Economy"),
    ("s3.amazonaws.com", &["/bucket/assets/app.js", "/bucket/reports/q3.pdf"], "Content Servers"),
    ("www.youtube.com", &["/watch", "/results", "/feed/subscriptions"], "Streaming Media"),
    ("slack.com", &["/api/rtm.connect", "/api/conversations.history"], "Business/Economy"),
];

const AGENTS: [&str; 6] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/55.0.2883.87 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_1) AppleWebKit/602.2.14 (KHTML, like Gecko) Version/10.0.1 Safari/602.2.14",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
    "Microsoft-CryptoAPI/10.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:50.0) Gecko/20100101 Firefox/50.0",
    "Windows-Update-Agent/10.0.10011.16384 Client-Protocol/1.40",
];

/// One generated connection.
struct Conn {
    time: u32,
    client: String,
    host: String,
    path: String,
    query: String,
    method: &'static str,
    agent: String,
    ctype: &'static str,
    status: u16,
    cat: &'static str,
    referer: String,
    scbytes: u32,
    csbytes: u32,
    duration: u32,
    server: String,
}

/// The browsing clients of the demo's day (216 distinct addresses come of them).
pub const DEMO_CLIENTS: u64 = 240;

/// Client `i`'s address. The first [`DEMO_CLIENTS`] follow the demo's own pattern (some share an address); the
/// others (a bench day with more clients) are each their own address, in 10.100.0.0/14.
fn client_ip(i: u64) -> String {
    if i >= DEMO_CLIENTS {
        return format!("10.{}.{}.{}", 100 + i / 65_536 % 4, i / 256 % 256, i % 256);
    }
    match i % 10 {
        0..=5 => format!("10.1.{}.{}", 1 + i % 7, 10 + i % 200),
        6..=8 => format!("10.2.{}.{}", i % 3, 20 + i % 150),
        _ => format!("2001:db8::{:x}", 0x100 + i),
    }
}

/// The day's connections, in time order, generated from the seed; the browsing among `clients` clients.
fn generate(rows: u64, clients: u64, mut f: impl FnMut(&Conn) -> Result<()>) -> Result<()> {
    let mut rng = Rng(0x5eed_2016_1211);
    let clients = clients.max(1);
    let beacon_clients = ["10.1.5.23", "10.2.1.77"];
    let dga = ["xk2j9q7vbw.info", "qpl0x8rt3m.biz", "zz91mmkq0a.top"];
    let step = (86_400.0 / rows.max(1) as f64).max(0.0);
    for i in 0..rows {
        let time = ((i as f64) * step) as u32;
        let roll = rng.below(1000);
        let c = if roll < 6 {
            // Beaconing to generated domains.
            let b = beacon_clients[(rng.below(2)) as usize];
            let host = dga[rng.below(3) as usize];
            Conn {
                time,
                client: b.into(),
                host: host.into(),
                path: "/gate.php".into(),
                query: format!("?id={:08x}", rng.next() as u32),
                method: "POST",
                agent: "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)".into(),
                ctype: "application/octet-stream",
                status: 200,
                cat: "Suspicious",
                referer: String::new(),
                scbytes: 300 + rng.below(64) as u32,
                csbytes: 900 + rng.below(512) as u32,
                duration: 40 + rng.below(80) as u32,
                server: format!("185.{}.{}.{}", 100 + rng.below(20), rng.below(255), 1 + rng.below(250)),
            }
        } else if roll < 8 && time < 5 * 3600 {
            // Night-time uploads to a paste-like host.
            Conn {
                time,
                client: "10.1.3.45".into(),
                host: "paste.example-drop.net".into(),
                path: "/api/upload".into(),
                query: String::new(),
                method: "POST",
                agent: "curl/7.29.0".into(),
                ctype: "application/json",
                status: 201,
                cat: "Uncategorized",
                referer: String::new(),
                scbytes: 120,
                csbytes: 2_000_000 + rng.below(6_000_000) as u32,
                duration: 2_000 + rng.below(9_000) as u32,
                server: "203.0.113.77".into(),
            }
        } else {
            let (host, paths, cat) = HOSTS[rng.zipf(HOSTS.len())];
            let path = paths[rng.below(paths.len() as u64) as usize];
            let status = match rng.below(1000) {
                0..=869 => 200,
                870..=929 => 304,
                930..=959 => 302,
                960..=984 => 404,
                985..=994 => 503,
                995..=997 => 499,
                _ => 599,
            };
            let query = if path == "/search" || path == "/watch" || path == "/item" {
                format!("?q={}", rng.below(5000))
            } else {
                String::new()
            };
            Conn {
                time,
                client: client_ip(rng.below(clients)),
                host: host.into(),
                path: path.into(),
                query,
                method: if rng.below(10) == 0 { "POST" } else { "GET" },
                agent: AGENTS[rng.zipf(AGENTS.len())].into(),
                ctype: if path.ends_with(".js") {
                    "application/javascript"
                } else if path.ends_with(".png") {
                    "image/png"
                } else {
                    "text/html"
                },
                status,
                cat,
                referer: if rng.below(3) == 0 { format!("https://{host}/") } else { String::new() },
                scbytes: 500 + rng.below(200_000) as u32,
                csbytes: 200 + rng.below(2_000) as u32,
                duration: 5 + rng.below(900) as u32,
                server: format!("93.184.{}.{}", rng.below(255), 1 + rng.below(250)),
            }
        };
        f(&c)?;
    }
    Ok(())
}

fn hms(t: u32) -> String {
    format!("{:02}:{:02}:{:02}", t / 3600, (t / 60) % 60, t % 60)
}

fn dash(s: &str) -> &str {
    if s.is_empty() {
        "-"
    } else {
        s
    }
}

/// The paths of a generated day.
#[derive(Debug, Clone)]
pub struct DemoFiles {
    pub raw_log: PathBuf,
    pub network_context: PathBuf,
    pub raw_rows: u64,
}

/// The top-domain list the demo imports (synthetic ranks for the generated day's popular sites, in Tranco's
/// `rank,domain` form).
pub const DEMO_TOPDOMAINS: &str = include_str!("../config/demo-topdomains.csv");

/// Write a generated day of `rows` connections into `dir`, the demo's [`DEMO_CLIENTS`] browsing.
pub fn write_day(dir: &Path, iso_date: &str, rows: u64) -> Result<DemoFiles> {
    write_day_of(dir, iso_date, rows, DEMO_CLIENTS)
}

/// Write a generated day of `rows` connections into `dir`, `clients` clients browsing (the bench's `--clients`:
/// how the ranker's time grows with clients).
pub fn write_day_of(dir: &Path, iso_date: &str, rows: u64, clients: u64) -> Result<DemoFiles> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let raw_log = dir.join(format!("proxy-{}.log", iso_date.replace('-', "")));
    let mut log =
        BufWriter::new(std::fs::File::create(&raw_log).with_context(|| format!("creating {}", raw_log.display()))?);
    writeln!(log, "#Software: SGOS 6.7.4.1 (synthetic data generated by proxy-oa demo)")?;
    writeln!(log, "#Version: 1.0")?;
    writeln!(log, "#Date: {iso_date} 00:00:00")?;
    writeln!(log, "#Fields: date time time-taken c-ip cs-username cs-auth-group x-exception-id sc-filter-result cs-categories cs(Referer) sc-status s-action cs-method rs(Content-Type) cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query cs-uri-extension cs(User-Agent) s-ip sc-bytes cs-bytes x-virus-id")?;
    generate(rows, clients, |c| {
        writeln!(
            log,
            "{iso_date} {} {} {} - - - OBSERVED \"{}\" {} {} TCP_NC_MISS {} {} http {} 80 {} {} - \"{}\" {} {} {} -",
            hms(c.time),
            c.duration,
            c.client,
            c.cat,
            dash(&c.referer),
            c.status,
            c.method,
            c.ctype,
            c.host,
            dash(&c.path),
            dash(&c.query),
            c.agent,
            c.server,
            c.scbytes,
            c.csbytes
        )?;
        Ok(())
    })?;
    log.flush()?;
    let network_context = dir.join("network_context.csv");
    std::fs::write(
        &network_context,
        "ip,name,description\n\
         10.1.0.0/16,HQ,Headquarters LAN (synthetic)\n\
         10.1.5.0/24,HQ-Finance,Finance floor\n\
         10.1.5.23,HQ-Finance-CFO-laptop,\n\
         10.2.0.0,10.2.255.255,Branch-East\n\
         2001:db8::/64,HQ-IPv6,\n",
    )?;
    Ok(DemoFiles { raw_log, network_context, raw_rows: rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_is_deterministic() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let fa = write_day(a.path(), "2016-12-11", 3000).unwrap();
        let fb = write_day(b.path(), "2016-12-11", 3000).unwrap();
        let text = std::fs::read_to_string(&fa.raw_log).unwrap();
        assert_eq!(text, std::fs::read_to_string(&fb.raw_log).unwrap());
        assert_eq!(text.lines().filter(|l| !l.starts_with('#')).count(), 3000);
        assert!(crate::enrich::topdomains::parse(DEMO_TOPDOMAINS).is_ok());
    }

    /// The distinct client addresses of a generated day's log.
    fn clients_of(files: &DemoFiles) -> std::collections::BTreeSet<String> {
        let text = std::fs::read_to_string(&files.raw_log).unwrap();
        text.lines().filter(|l| !l.starts_with('#')).map(|l| l.split(' ').nth(3).unwrap().to_string()).collect()
    }

    #[test]
    fn a_day_of_more_clients_has_as_many_addresses_and_the_demos_day_keeps_its_own() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let demo = write_day(a.path(), "2016-12-11", 20_000).unwrap();
        let wide = write_day_of(b.path(), "2016-12-11", 20_000, 2_000).unwrap();
        let (few, many) = (clients_of(&demo), clients_of(&wide));
        // The demo's 240 clients share 216 addresses (and a few planted clients come on top).
        assert!((216..=222).contains(&few.len()), "{}", few.len());
        // 2,000 clients drawing about 19 rows each: nearly every one appears, each under its own address.
        assert!(many.len() > 1_900, "{}", many.len());
        assert!(many.iter().any(|c| c.starts_with("10.100.")), "{many:?}");
    }
}

/// What [`run`] did: the generated files, the run's summary and the page written.
#[derive(Debug)]
pub struct DemoRun {
    pub day: crate::day::Day,
    pub files: DemoFiles,
    pub summary: crate::pipeline::Summary,
    pub report: crate::report::ReportSummary,
}

/// The whole demo in the workspace `ws`: generate the day under `<workspace>/demo`, import its network context,
/// the sample feed and top-domain list, rank and run it, and write its page.
pub fn run(ws: &crate::workspace::Workspace, cfg: &crate::config::Config, rows: u64) -> Result<DemoRun> {
    let day: crate::day::Day = DEMO_DATE.parse().map_err(anyhow::Error::msg)?;
    let files = write_day(&ws.root().join("demo"), &day.iso(), rows)?;
    let mut cache = crate::enrich::cache::Cache::open(&ws.cache_path())?;
    cache.import_nc_file(&files.network_context)?;
    cache.import_feed_text(DEMO_FEED, "list", "demo-openphish", "<embedded config/feeds/demo-openphish.txt>")?;
    cache.import_topdomains_text(DEMO_TOPDOMAINS, "<embedded config/demo-topdomains.csv>")?;
    drop(cache);
    // A generated day is small: its lowest scores are far above spot-ml's 1e-6, which suits a day of a whole
    // network. The demo writes its 2,000 most suspicious rows instead.
    let mut cfg = cfg.clone();
    cfg.rank.threshold = 1.0;
    cfg.rank.max_results = 2_000;
    let opts = crate::pipeline::RunOptions {
        day,
        results: None,
        raw: vec![files.raw_log.display().to_string()],
        limit: None,
        strict: false,
        offline: true,
        reset: false,
        on_cluster: false,
    };
    let summary = crate::pipeline::run(ws, &cfg, &opts)?;
    let report = crate::report::write_day(ws, &cfg, day, &Default::default())?;
    Ok(DemoRun { day, files, summary, report })
}
