//! Readers that never panic, on any bytes: every parser of outside input driven by proptest over arbitrary bytes
//! and over the real fixtures mutated (bytes flipped, special bytes inserted, spans deleted or repeated, the end
//! cut). Each property says no panic, and: a bad line is quarantined or the input refused naming its file, line or
//! field.
//!
//! In CI every parser runs [`CI_CASES`] cases from a fixed seed. The long run, `cargo test --release -- --ignored
//! fuzz` (a few minutes; `PROXY_OA_FUZZ_CASES` cases per parser, default 3000, from a random seed; `PROXY_OA_FUZZ_ONLY=Sigma` runs the
//! parsers whose name holds it), prints the
//! cases per parser that BENCHMARKS.md records. A panic found becomes a regression test in [`regressions`].

use crate::harness::{fixture, write_spot_parquet};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use proxy_oa::config::Config;
use proxy_oa::day::Day;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Cases per parser in CI.
const CI_CASES: u32 = 48;

/// Bytes worth inserting: separators, line ends, quotes, escapes, markers of each format, invalid UTF-8, numbers
/// that overflow.
const SPECIAL: &[&[u8]] = &[
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b"\0",
    b" ",
    b"\"",
    b"'",
    b",",
    b"\\",
    b"\\x",
    b"\\x4",
    b"%",
    b"%zz",
    b"-",
    b"(empty)",
    b"#",
    b"#fields\t",
    b"#separator \\x09\n",
    b"#Fields: ",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"?",
    b"/",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98\x80",
    b"99999999999999999999999",
    b"-1",
    b"1e309",
    b"NaN",
    b"null",
    b"::ffff:1.2.3.4/200",
    b"2016-07-08",
    b"25:61:61",
    b"---\n",
    b"*",
];

/// One change to a seed.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(prop::sample::Index, u8),
    Insert(prop::sample::Index, prop::sample::Index),
    Delete(prop::sample::Index, usize),
    Repeat(prop::sample::Index, usize),
    Cut(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        4 => (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        2 => (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => (any::<prop::sample::Index>(), 1usize..200).prop_map(|(i, n)| Mutation::Repeat(i, n)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Cut),
    ]
}

fn apply(seed: &[u8], ms: &[Mutation]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for m in ms {
        let at = |i: &prop::sample::Index, v: &Vec<u8>| if v.is_empty() { 0 } else { i.index(v.len() + 1) };
        match m {
            Mutation::Flip(i, b) if !v.is_empty() => {
                let k = i.index(v.len());
                v[k] = *b;
            }
            Mutation::Flip(..) => {}
            Mutation::Insert(i, s) => {
                let k = at(i, &v);
                let bytes = SPECIAL[s.index(SPECIAL.len())];
                v.splice(k..k, bytes.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let k = at(i, &v).min(v.len());
                let end = (k + n).min(v.len());
                v.drain(k..end);
            }
            Mutation::Repeat(i, n) => {
                let k = at(i, &v).min(v.len());
                let end = (k + n).min(v.len());
                let span: Vec<u8> = v[k..end].to_vec();
                v.splice(k..k, span);
            }
            Mutation::Cut(i) => {
                let k = at(i, &v).min(v.len());
                v.truncate(k);
            }
        }
    }
    v
}

/// Bytes shown as escaped text when a case fails.
#[derive(Clone)]
struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

/// Arbitrary bytes, or a seed with up to 8 changes (most cases: a near-valid input reaches deeper).
fn input(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Bytes> {
    let n = seeds.len();
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..2048).prop_map(Bytes),
        4 => (0..n, prop::collection::vec(mutation(), 0..8)).prop_map(move |(s, ms)| Bytes(apply(&seeds[s], &ms))),
    ]
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A refusal names where: a line or a field, or for the whole file that it is empty or holds no entry at all.
fn names_where(e: &str) -> bool {
    let l = e.to_ascii_lowercase();
    ["line", "field", "empty", "no response codes"].iter().any(|w| l.contains(w))
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), TestCaseError> {
    if ok {
        Ok(())
    } else {
        Err(TestCaseError::fail(what()))
    }
}

/// Run `cases` cases of `property` over `strategy`: from a fixed seed in CI, a random one in the long run. A
/// failure (a panic included: proptest catches it) is shrunk and reported with its input.
fn fuzz<S: Strategy>(name: &str, cases: u32, strategy: S, property: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let config = RunnerConfig { cases, failure_persistence: None, ..RunnerConfig::default() };
    let mut runner = if cases <= CI_CASES {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    } else {
        TestRunner::new(config)
    };
    if let Err(e) = runner.run(&strategy, property) {
        panic!("{name}: {e}");
    }
}

// ---- the parsers, each one property ----

fn results_file(cases: u32) {
    let seeds =
        vec![read("day1/proxy_results.csv"), read("bcreporter/proxy_results.csv"), read("squid/proxy_results.csv")];
    let conf = Config::parse("", None).unwrap().proxy_conf().unwrap();
    fuzz("results file", cases, input(seeds), |bytes| {
        let mut rejects = vec![];
        let stats = proxy_oa::input::results::read(
            &bytes[..],
            &conf,
            0,
            |_| Ok::<(), ()>(()),
            |r| {
                rejects.push(r);
                Ok(())
            },
        )
        .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        check(stats.rows + stats.rejected + stats.blank == stats.lines, || format!("lines not accounted: {stats:?}"))?;
        check(rejects.len() as u64 == stats.rejected, || "a rejected row was not handed out".into())?;
        for r in &rejects {
            check(r.line >= 1 && r.line <= stats.lines && !r.reason.is_empty(), || format!("reject {r:?}"))?;
        }
        Ok(())
    });
}

/// The raw formats: detection, every text reader and Spot's Parquet footer check, through `load_day`.
fn raw_day(name: &str, cases: u32, seeds: Vec<Vec<u8>>, day: &str, file: &str) {
    let day: Day = day.parse().unwrap();
    let cfg = Config::parse("", None).unwrap();
    fuzz(name, cases, input(seeds), |bytes| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(file);
        std::fs::write(&path, &*bytes).unwrap();
        let conn = duckdb::Connection::open_in_memory().unwrap();
        let quarantine = dir.path().join("raw.rejected.tsv");
        let out = proxy_oa::input::raw::load_day(
            &conn,
            day,
            &cfg.raw,
            std::slice::from_ref(&path),
            &dir.path().join("new"),
            quarantine.clone(),
        );
        match out {
            Ok((stage, files)) => {
                let rejected: u64 = files.iter().map(|f| f.rejected).sum();
                check(stage.rejected == rejected, || format!("stage {} rejected, files {rejected}", stage.rejected))?;
                if rejected > 0 {
                    // The text column holds the line as it was: bytes, not always UTF-8.
                    let q = text(&std::fs::read(&quarantine).unwrap_or_default());
                    let kept = q.lines().skip(1).count();
                    check(kept > 0 && q.lines().skip(1).all(|l| l.starts_with(&path.display().to_string())), || {
                        format!("{rejected} rejected, quarantine:\n{q}")
                    })?;
                }
                Ok(())
            }
            Err(e) => {
                let msg = format!("{e:#}");
                check(!msg.contains("panicked"), || format!("a reader panicked: {msg}"))?;
                check(msg.contains(&path.display().to_string()), || {
                    format!("the refusal does not name the file: {msg}")
                })
            }
        }
    });
}

fn text_parser<T>(name: &str, cases: u32, seeds: Vec<Vec<u8>>, parse: impl Fn(&str) -> Result<T, String>) {
    fuzz(name, cases, input(seeds), |bytes| match parse(&text(&bytes)) {
        Ok(_) => Ok(()),
        Err(e) => check(names_where(&e), || format!("the refusal does not say where: {e}")),
    });
}

fn feeds(cases: u32) {
    use proxy_oa::enrich::reputation::feed::{self, Format};
    let seeds = ["feeds/urlhaus.csv", "feeds/phishtank.csv", "feeds/misp.csv", "feeds/openphish.txt"];
    let seeds: Vec<Vec<u8>> = seeds.iter().map(|s| read(s)).collect();
    text_parser("feeds", cases, seeds, |t| {
        // Every format on every input, and the detected one.
        for f in ["urlhaus", "phishtank", "misp", "list"] {
            let _ = feed::parse(t, Format::from_name(f).unwrap());
        }
        feed::parse(t, Format::detect(t))
    });
}

fn warninglists(cases: u32) {
    let seeds = [
        "allow/misp-cachefly.json",
        "allow/misp-captive-portals.json",
        "allow/misp-umbrella-blockpage-hostname.json",
        "allow/site.txt",
    ];
    text_parser("MISP warninglists", cases, seeds.iter().map(|s| read(s)).collect(), proxy_oa::enrich::allow::parse);
}

fn network_context(cases: u32) {
    text_parser(
        "network context",
        cases,
        vec![read("day1/network_context.csv")],
        proxy_oa::enrich::network_context::parse_file,
    );
}

fn iana(cases: u32) {
    text_parser("IANA codes", cases, vec![read("spot_http-rcode.csv")], proxy_oa::enrich::iana::parse);
}

fn topdomains(cases: u32) {
    let seed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/demo-topdomains.csv")).unwrap();
    text_parser("top-domain list", cases, vec![seed], proxy_oa::enrich::topdomains::parse);
}

fn sigma(cases: u32) {
    let dir = fixture("sigma/rules");
    let mut files: Vec<PathBuf> =
        walk(&dir).into_iter().filter(|p| p.extension().is_some_and(|e| e == "yml")).collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().take(24).map(|p| std::fs::read(p).unwrap()).collect();
    text_parser("Sigma rules", cases, seeds, |t| proxy_oa::findings::sigma::parse(t, "fuzz.yml"));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A bundle file's bytes and its tar entries (name, bytes).
type BundleSeed = (Vec<u8>, Vec<(String, Vec<u8>)>);

/// A real bundle of the fixture day (exported once by the binary), and its entries.
fn bundle_seed() -> &'static BundleSeed {
    static SEED: OnceLock<BundleSeed> = OnceLock::new();
    SEED.get_or_init(|| {
        let w = crate::harness::Workdir::new();
        w.run_fixture_day(&crate::harness::fixture_arg("day1/raw.log"));
        let out = w.path().join("out");
        w.ok(&["export", "--date", "20160708", "--out", out.to_str().unwrap()]);
        let file = std::fs::read_dir(&out).unwrap().next().unwrap().unwrap().path();
        let bytes = std::fs::read(&file).unwrap();
        let tar = zstd::decode_all(&bytes[..]).unwrap();
        let mut entries = vec![];
        for e in tar::Archive::new(&tar[..]).entries().unwrap() {
            let mut e = e.unwrap();
            let name = e.path().unwrap().display().to_string();
            let mut data = vec![];
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            entries.push((name, data));
        }
        (bytes, entries)
    })
}

/// A bundle: its compressed bytes mutated, or a well-formed tar.zst whose manifest or one entry is mutated.
fn bundles(cases: u32) {
    let (bytes, entries) = bundle_seed();
    let n = entries.len();
    let rebuilt = (0..n, prop::collection::vec(mutation(), 1..8)).prop_map(move |(k, ms)| {
        let mut b = tar::Builder::new(vec![]);
        for (i, (name, data)) in entries.iter().enumerate() {
            let data = if i == k || (k == 0 && name == "manifest.json") { apply(data, &ms) } else { data.clone() };
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, &data[..]).unwrap();
        }
        Bytes(zstd::encode_all(&b.into_inner().unwrap()[..], 3).unwrap())
    });
    let strategy = prop_oneof![1 => input(vec![bytes.clone()]), 3 => rebuilt];
    fuzz("bundles", cases, strategy, |b| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("proxy-oa-20160708.tar.zst");
        std::fs::write(&path, &*b).unwrap();
        match proxy_oa::export::open_bundle(&path, 64 << 20) {
            Ok(_) => Ok(()),
            Err(e) => {
                let msg = format!("{e:#}");
                check(!msg.contains("panicked"), || format!("a reader panicked: {msg}"))?;
                check(msg.contains(&path.display().to_string()), || {
                    format!("the refusal does not name the bundle: {msg}")
                })
            }
        }
    });
}

fn spot_parquet_seed() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    write_spot_parquet(dir.path());
    let f = walk(dir.path()).into_iter().find(|p| p.extension().is_some_and(|e| e == "parquet")).unwrap();
    std::fs::read(f).unwrap()
}

/// Every parser with `cases` cases each; their names and cases.
fn all(cases: u32) -> Vec<(&'static str, u32)> {
    // The long run can be narrowed to the parsers whose name holds PROXY_OA_FUZZ_ONLY.
    let only = std::env::var("PROXY_OA_FUZZ_ONLY").ok().filter(|_| cases > CI_CASES);
    let mut done = vec![];
    let mut run = |name: &'static str, f: &dyn Fn(u32)| {
        if only.as_deref().is_none_or(|o| name.contains(o)) {
            f(cases);
            done.push((name, cases));
        }
    };
    run("results file", &results_file);
    run("ELFF (Blue Coat)", &|c| {
        raw_day("ELFF", c, vec![read("bcreporter/bcreportermain_v1.log"), read("day1/raw.log")], "2024-11-01", "a.log")
    });
    run("Squid native", &|c| raw_day("Squid native", c, vec![read("squid/access.log")], "2023-03-04", "access.log"));
    run("Squid combined/common", &|c| {
        raw_day(
            "Squid combined",
            c,
            vec![read("squid-combined/access.log"), read("squid-combined/common.log")],
            "2026-11-23",
            "access.log",
        )
    });
    run("Spot TSV", &|c| raw_day("Spot TSV", c, vec![read("day1/raw.tsv")], "2016-07-08", "raw.tsv"));
    run("Zeek TSV", &|c| {
        raw_day(
            "Zeek TSV",
            c,
            vec![read("zeek/http-methods.log"), read("zeek/http-pipelining.log")],
            "2012-12-01",
            "http.log",
        )
    });
    run("Zeek JSON", &|c| raw_day("Zeek JSON", c, vec![read("zeek/http-methods.json")], "2012-12-01", "http.log"));
    run("Spot Parquet", &|c| raw_day("Spot Parquet", c, vec![spot_parquet_seed()], "2016-07-08", "day.parquet"));
    run("feeds", &feeds);
    run("MISP warninglists", &warninglists);
    run("network context", &network_context);
    run("IANA codes", &iana);
    run("top-domain list", &topdomains);
    run("Sigma rules", &sigma);
    run("bundles", &bundles);
    done
}

#[test]
fn every_parser_survives_arbitrary_and_mutated_bytes() {
    let done = all(CI_CASES);
    assert_eq!(done.len(), 15);
}

/// The long run: `cargo test --release -- --ignored fuzz` (`--nocapture` shows the figures).
#[test]
#[ignore = "the long run, a few minutes: cargo test --release -- --ignored fuzz"]
fn long_run() {
    let cases: u32 = std::env::var("PROXY_OA_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    let t = std::time::Instant::now();
    for (name, n) in all(cases) {
        println!("fuzz: {name}: {n} cases, no panic");
    }
    println!("fuzz: {:.0} s in all", t.elapsed().as_secs_f64());
}

/// Inputs the fuzzing found that broke a property once, kept so it never comes back. (No reader has panicked; the
/// long run's one finding so far was a refusal that did not say where.)
mod regressions {
    /// A Sigma proxy rule whose `id:` line a mutation cut: refused naming the missing field (it said "a rule needs
    /// an id and a title", naming neither the field missing nor where).
    #[test]
    fn a_sigma_rule_without_its_id_is_refused_naming_the_field() {
        let rule = "title: T f48f5368\nlogsource:\n    category: proxy\ndetection:\n    selection:\n        \
                    cs-method: 'GET'\n    condition: selection\nlevel: high\n";
        let err = proxy_oa::findings::sigma::parse(rule, "r.yml").unwrap_err();
        assert!(err.starts_with("r.yml: field `id` is missing"), "{err}");
        let err = proxy_oa::findings::sigma::parse(&rule.replace("title: T f48f5368", "id: x"), "r.yml").unwrap_err();
        assert!(err.starts_with("r.yml: field `title` is missing"), "{err}");
    }
}
