//! Zeek's http.log as a raw day (real Zeek output: tests/fixtures/zeek/README.md): the ASCII and JSON writers,
//! header blocks, reordered and missing fields, a rotated gzip log in a Zeek folder with its conn.log, bad lines.
//! The day is ranked by the embedded ranker (no results file: a site with only Zeek has none).

use crate::harness::{assert_golden, fixture, fixture_arg, Workdir};
use std::path::Path;

/// The day of `http-methods.log` (1354328870 = 2012-12-01 02:27:50 UTC).
const DAY: &str = "20121201";
const TABLES: [&str; 4] = ["proxy", "proxy_scores", "proxy_edge", "proxy_ingest_summary"];

/// A config whose ranker writes every row (a small day's scores are far above spot-ml's 1e-6).
fn every_row(w: &Workdir) -> String {
    w.write("rank.toml", "[rank]\nthreshold = 1.0\nmax_results = 0\n").display().to_string()
}

/// `run` of `day` from the raw input `raw` (ranked first); its summary.
fn run(w: &Workdir, day: &str, raw: &str) -> String {
    let cfg = every_row(w);
    w.ok(&["--config", &cfg, "run", "--date", day, "--offline", "--raw", raw])
}

fn tables(w: &Workdir, day: &str) -> Vec<String> {
    TABLES.iter().map(|t| w.table(day, t)).collect()
}

/// A Zeek ASCII log rewritten: each record block's columns put in the order `order` gives for the field names
/// (`None`: the field dropped).
fn rewrite(text: &str, order: impl Fn(&[&str]) -> Vec<Option<usize>>) -> String {
    let mut out = String::new();
    let mut pick: Vec<Option<usize>> = vec![];
    for line in text.lines() {
        let (is_fields, is_types) = (line.starts_with("#fields\t"), line.starts_with("#types\t"));
        if is_fields || is_types || !line.starts_with('#') {
            let (head, rest) = if line.starts_with('#') { line.split_once('\t').unwrap() } else { ("", line) };
            let cols: Vec<&str> = rest.split('\t').collect();
            if is_fields {
                pick = order(&cols).into_iter().collect();
            }
            let kept: Vec<&str> = pick.iter().flatten().map(|&i| cols[i]).collect();
            if !head.is_empty() {
                out.push_str(head);
                out.push('\t');
            }
            out.push_str(&kept.join("\t"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

#[test]
fn a_real_zeek_day_gives_the_tables_of_its_golden_files() {
    let w = Workdir::new();
    let out = run(&w, DAY, &fixture_arg("zeek/http-methods.log"));
    assert!(out.contains("(zeek-tsv): 49 rows of the day, 0 of other days, 0 rejected"), "{out}");
    assert!(out.contains("no results file given: ranked by the embedded spot-ml model"), "{out}");
    for t in TABLES {
        assert_golden(&format!("zeek/{t}.tsv"), &w.table(DAY, t));
    }
}

#[test]
fn the_json_writer_and_the_ascii_writer_of_the_same_traffic_give_the_same_tables() {
    let tsv = Workdir::new();
    run(&tsv, DAY, &fixture_arg("zeek/http-methods.log"));
    let json = Workdir::new();
    let out = run(&json, DAY, &fixture_arg("zeek/http-methods.json"));
    assert!(out.contains("(zeek-json): 49 rows of the day, 0 of other days, 0 rejected"), "{out}");
    assert_eq!(tables(&json, DAY), tables(&tsv, DAY));
    // ISO 8601 times (`LogAscii::json_timestamps`) are the same instants.
    let text = std::fs::read_to_string(fixture("zeek/http-methods.json")).unwrap();
    let iso: String = text
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let ts = v["ts"].as_f64().unwrap();
            let t = chrono::DateTime::from_timestamp(ts.floor() as i64, 0).unwrap();
            v["ts"] = serde_json::Value::String(t.format("%Y-%m-%dT%H:%M:%S.123456Z").to_string());
            format!("{v}\n")
        })
        .collect();
    let w = Workdir::new();
    let file = w.write("iso/http.json", iso);
    run(&w, DAY, &file.display().to_string());
    assert_eq!(w.table(DAY, "proxy"), tsv.table(DAY, "proxy"));
}

#[test]
fn fields_are_read_by_their_names_in_each_header_block() {
    let original = std::fs::read_to_string(fixture("zeek/http-methods.log")).unwrap();
    let base = Workdir::new();
    run(&base, DAY, &fixture_arg("zeek/http-methods.log"));
    let want = base.table(DAY, "proxy");

    // Reordered fields (all of them, reversed): the same rows.
    let w = Workdir::new();
    let reversed = w.write("rev/http.log", rewrite(&original, |f| (0..f.len()).rev().map(Some).collect()));
    run(&w, DAY, &reversed.display().to_string());
    assert_eq!(w.table(DAY, "proxy"), want);

    // A field dropped (resp_mime_types): the same rows without a content type.
    let w = Workdir::new();
    let dropped =
        rewrite(&original, |f| f.iter().enumerate().map(|(i, n)| (*n != "resp_mime_types").then_some(i)).collect());
    assert!(!dropped.contains("resp_mime_types"));
    let file = w.write("drop/http.log", dropped);
    let out = run(&w, DAY, &file.display().to_string());
    assert!(out.contains("49 rows of the day, 0 of other days, 0 rejected"), "{out}");
    let got = w.table(DAY, "proxy");
    assert_ne!(got, want, "the content types are gone");
    let without_type = |t: &str| {
        let mut lines = t.lines();
        let head: Vec<&str> = lines.next().unwrap().split('\t').collect();
        let i = head.iter().position(|c| *c == "resconttype").unwrap();
        lines
            .map(|l| l.split('\t').enumerate().map(|(k, v)| if k == i { "" } else { v }).collect::<Vec<_>>().join("\t"))
            .collect::<Vec<_>>()
    };
    assert_eq!(without_type(&got), without_type(&want));
    assert!(want.contains("text/html"));

    // Two header blocks in one file (a concatenated log), the second with its fields reversed: the same rows.
    let blocks: Vec<&str> = original.split_inclusive('\n').collect();
    let data: Vec<usize> = (0..blocks.len()).filter(|&i| !blocks[i].starts_with('#')).collect();
    let cut = data[data.len() / 2];
    let header: String = blocks.iter().take_while(|l| l.starts_with('#')).copied().collect();
    let first: String = blocks[..cut].concat();
    let second = rewrite(&format!("{header}{}", blocks[cut..].concat()), |f| (0..f.len()).rev().map(Some).collect());
    let w = Workdir::new();
    let file = w.write("two/http.log", format!("{first}{second}"));
    let out = run(&w, DAY, &file.display().to_string());
    assert!(out.contains("(zeek-tsv): 49 rows of the day, 0 of other days, 0 rejected"), "{out}");
    assert_eq!(w.table(DAY, "proxy"), want);
}

/// gzip `src` into `dest`.
fn gzip(src: &Path, dest: &Path) {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(dest).unwrap(), flate2::Compression::default());
    enc.write_all(&std::fs::read(src).unwrap()).unwrap();
    enc.finish().unwrap();
}

#[test]
fn a_zeek_folder_gives_its_rotated_http_logs_with_their_connections_durations() {
    // 1078232252 = 2004-03-02: a CONNECT through a proxy, its connection in conn.log (6.722274 s).
    let day = "20040302";
    let w = Workdir::new();
    let dir = w.path().join("logs/2004-03-02");
    std::fs::create_dir_all(&dir).unwrap();
    gzip(&fixture("zeek/connect/http.log"), &dir.join("http.09:00:00-10:00:00.log.gz"));
    for f in ["conn", "smtp", "tunnel"] {
        std::fs::copy(fixture(&format!("zeek/connect/{f}.log")), dir.join(format!("{f}.09:00:00-10:00:00.log")))
            .unwrap();
    }
    // A second conn log of the folder with a line cut short: counted and said, never silently dropped.
    let conn = std::fs::read_to_string(fixture("zeek/connect/conn.log")).unwrap();
    let cut = conn.replace("CHhAvVGS1DHFjwGM9\t79.26.245.236", "Cxx\t79.26.245.236\tcut-short\n#close\tx\nC2");
    std::fs::write(dir.join("conn.10:00:00-11:00:00.log"), cut).unwrap();
    let out = run(&w, day, &dir.display().to_string());
    assert!(out.contains("2 lines of its conn.* logs could not be read"), "{out}");
    assert!(out.contains("(zeek-tsv, gzip): 1 rows of the day, 0 of other days, 0 rejected"), "{out}");
    assert!(out.contains("other Zeek logs left alone:"), "{out}");
    assert!(out.contains("smtp.09:00:00-10:00:00.log") && out.contains("tunnel.09:00:00-10:00:00.log"), "{out}");
    let left = out.lines().find_map(|l| l.split_once("left alone:")).map(|(_, names)| names).unwrap_or_default();
    assert!(left.contains("smtp.") && !left.contains("conn."), "the conn logs are read, not left alone: {out}");
    let proxy = w.table(day, "proxy");
    let row: Vec<&str> = proxy.lines().nth(1).unwrap().split('\t').collect();
    let head: Vec<&str> = proxy.lines().next().unwrap().split('\t').collect();
    let col = |c: &str| row[head.iter().position(|h| *h == c).unwrap()];
    assert_eq!(
        [col("reqmethod"), col("host"), col("uriport"), col("duration"), col("clientip"), col("serverip")],
        ["CONNECT", "mailin03.sul.t-online.de", "25", "6722", "79.26.245.236", "254.228.86.79"],
        "{proxy}"
    );
    // Without its conn.log, the same row has no duration.
    std::fs::remove_file(dir.join("conn.09:00:00-10:00:00.log")).unwrap();
    let w2 = Workdir::new();
    let dir2 = w2.path().join("logs");
    std::fs::create_dir_all(&dir2).unwrap();
    gzip(&fixture("zeek/connect/http.log"), &dir2.join("http.09:00:00-10:00:00.log.gz"));
    run(&w2, day, &dir2.display().to_string());
    assert_eq!(w2.table(day, "proxy").lines().nth(1).unwrap().split('\t').nth(7), Some("\\N"), "NULL");
}

#[test]
fn a_conn_log_given_alone_and_bad_records_are_clear_errors() {
    let w = Workdir::new();
    let cfg = every_row(&w);
    let conn = fixture_arg("zeek/connect/conn.log");
    let err = w.fails(&["--config", &cfg, "run", "--date", "20040302", "--raw", &conn], 1);
    assert!(err.contains("conn.log: a Zeek conn log, not http.log"), "{err}");

    // A conn log block concatenated after the http log's: its records are rejected, not read as requests.
    let both = std::fs::read_to_string(fixture("zeek/http-methods.log")).unwrap()
        + &std::fs::read_to_string(fixture("zeek/connect/conn.log")).unwrap();
    let file = w.write("cat/http.log", both);
    let out = w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline", "--raw", &file.display().to_string()]);
    assert!(out.contains("(zeek-tsv): 49 rows of the day, 0 of other days, 1 rejected"), "{out}");
    let rejects = std::fs::read_to_string(w.path().join(format!("data/proxy/{DAY}/raw.rejected.tsv"))).unwrap();
    assert!(rejects.contains("a record of a Zeek conn log block (#path conn), not http"), "{rejects}");

    // A record whose time is not a time and one cut short: quarantined with file, line and field.
    let original = std::fs::read_to_string(fixture("zeek/http-methods.log")).unwrap();
    let mut lines: Vec<String> = original.lines().map(String::from).collect();
    let first = lines.iter().position(|l| !l.starts_with('#')).unwrap();
    lines[first] = lines[first].replacen("1354328870.", "x354328870.", 1);
    lines[first + 1] = lines[first + 1].split('\t').take(5).collect::<Vec<_>>().join("\t");
    let file = w.write("bad/http.log", lines.join("\n") + "\n");
    let out = w.ok(&["--config", &cfg, "run", "--date", DAY, "--offline", "--raw", &file.display().to_string()]);
    assert!(out.contains("(zeek-tsv): 47 rows of the day, 0 of other days, 2 rejected"), "{out}");
    let rejects = std::fs::read_to_string(w.path().join(format!("data/proxy/{DAY}/raw.rejected.tsv"))).unwrap();
    let path = file.display().to_string();
    assert!(
        rejects.contains(&format!("{path}\t{}\tfield ts: not epoch seconds: 'x354328870.", first + 1)),
        "{rejects}"
    );
    assert!(
        rejects.contains(&format!("{path}\t{}\texpected 30 fields (as #fields says), found 5", first + 2)),
        "{rejects}"
    );
}
