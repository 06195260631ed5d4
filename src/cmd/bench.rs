//! `proxy-oa bench`: a large generated day, run as a Blue Coat log, as a Zeek http.log and as Spot's Parquet
//! layout, each next to its floor measured in the same run on the same machine: DuckDB's own `read_csv` writing the
//! log to Parquet, and bare DuckDB SQL building the three tables straight from the Parquet files
//! (`benches/floor_parquet.sql`).
//! Prints our time, the floor's, the ratio, MB/s and peak memory; BENCHMARKS.md records the figures.

use super::Ctx;
use crate::cli::BenchArgs;
use crate::day::Day;
use crate::input::raw::{elff_column, RAW_COLUMNS};
use crate::pipeline::{self, RunOptions};
use crate::schema::Type;
use crate::stage::{Meter, Stage};
use crate::store;
use crate::workspace::{parquet_files, Workspace};
use anyhow::{Context, Result};
use duckdb::params;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The floor for a Spot Parquet day.
const FLOOR_PARQUET: &str = include_str!("../../benches/floor_parquet.sql");
/// The floor of the ranker's words and counts.
const FLOOR_RANK: &str = include_str!("../../benches/floor_rank.sql");

/// One case: ours next to its floor.
#[derive(Debug, Serialize)]
struct Case {
    case: String,
    ours_seconds: f64,
    floor_seconds: f64,
    ratio: f64,
    input_mib: f64,
    ours_mb_per_s: f64,
    ours_peak_rss_mib: Option<u64>,
    floor_peak_rss_mib: Option<u64>,
    floor: &'static str,
}

pub fn main(ctx: &Ctx, a: BenchArgs) -> Result<()> {
    let day: Day = crate::demo::DEMO_DATE.parse().map_err(anyhow::Error::msg)?;
    let root = std::path::absolute(ctx.ws.root().join("bench"))?;
    if root.exists() {
        std::fs::remove_dir_all(&root).with_context(|| format!("clearing {}", root.display()))?;
    }
    let input = root.join("input");
    let limits: Vec<usize> = if a.limits.is_empty() { vec![500, 5000] } else { a.limits.clone() };
    let keep = limits.iter().copied().max().unwrap_or(500).max(1);
    let t = Instant::now();
    let files = crate::demo::write_day(&input, &day.iso(), a.rows)?;
    let gen = t.elapsed().as_secs_f64();
    // The results file every case reads: the day ranked by the embedded model (its `keep` lowest scores).
    let results = rank_for_bench(ctx, &root.join("ws-rank"), day, &files.raw_log, keep, &input)?;
    let log_mib = mib(std::fs::metadata(&files.raw_log)?.len());
    let mut cases = vec![];
    // The cases against a floor compare the same output, the three tables in spot-ml's order: without the
    // detectors (`proxy_findings`, the evidence order), which a case of their own times next to the same run.
    let mut three = ctx.cfg.clone();
    three.findings.detectors.clear();
    three.rank.mode = crate::config::RankMode::Spot;

    // 1. The Blue Coat log. Floor: DuckDB's read_csv writing it as Spot's Parquet layout (which is also the
    //    Parquet day of the next cases).
    let spot_day = input.join("spot").join(format!("y={}/m={:02}/d={:02}", day.y(), day.m(), day.d()));
    let (floor_csv, floor_csv_rss) =
        measure(|| elff_to_spot_parquet(&ctx.cfg.store.memory_limit, &files.raw_log, &spot_day, true))?;
    // The same floor with as much memory as DuckDB wants (its default, 80% of RAM), for the record.
    let unbound = input.join("spot-unbound");
    let (floor_free, floor_free_rss) = measure(|| elff_to_spot_parquet("", &files.raw_log, &unbound, true))?;
    std::fs::remove_dir_all(&unbound)?;
    // And as one Parquet file at the same memory limit (no hour folders: no partition buffers to spill).
    let single = input.join("spot-single");
    let (floor_one, floor_one_rss) =
        measure(|| elff_to_spot_parquet(&ctx.cfg.store.memory_limit, &files.raw_log, &single, false))?;
    std::fs::remove_dir_all(&single)?;
    let opts = |raw: &Path, limit: usize| RunOptions {
        day,
        results: Some(results.display().to_string()),
        raw: vec![raw.display().to_string()],
        limit: Some(limit),
        strict: false,
        offline: true,
        reset: false,
        on_cluster: false,
    };
    let ws = Workspace::new(&root.join("ws-log"))?;
    let (ours, ours_rss) = measure(|| pipeline::run(&ws, &three, &opts(&files.raw_log, limits[0])).map(|_| ()))?;
    cases.push(case(
        format!("Blue Coat log, {} rows, limit {}", a.rows, limits[0]),
        (ours, ours_rss),
        (floor_csv, floor_csv_rss),
        log_mib,
        "DuckDB read_csv of the log written as hour-partitioned Parquet, with the same memory_limit",
    ));
    cases.push(case(
        format!("Blue Coat log, {} rows, limit {} (floor without a memory limit)", a.rows, limits[0]),
        (ours, ours_rss),
        (floor_free, floor_free_rss),
        log_mib,
        "the same read_csv floor with DuckDB's default memory limit (80% of RAM)",
    ));
    cases.push(case(
        format!("Blue Coat log, {} rows, limit {} (floor writing one Parquet file)", a.rows, limits[0]),
        (ours, ours_rss),
        (floor_one, floor_one_rss),
        log_mib,
        "DuckDB read_csv of the log written as one Parquet file, with the same memory_limit",
    ));

    // 1b. The same day as Zeek's http.log (ASCII writer). Floor: DuckDB's read_csv writing it as Spot's Parquet
    //     layout, at the same memory limit.
    let zeek = input.join("zeek/http.log");
    spot_to_zeek(&spot_day, &zeek)?;
    let zeek_mib = mib(std::fs::metadata(&zeek)?.len());
    let zeek_floor_dir = input.join("zeek-floor");
    let (floor_zeek, floor_zeek_rss) =
        measure(|| zeek_to_spot_parquet(&ctx.cfg.store.memory_limit, &zeek, &zeek_floor_dir, true))?;
    std::fs::remove_dir_all(&zeek_floor_dir)?;
    let (floor_zeek_one, floor_zeek_one_rss) =
        measure(|| zeek_to_spot_parquet(&ctx.cfg.store.memory_limit, &zeek, &zeek_floor_dir, false))?;
    std::fs::remove_dir_all(&zeek_floor_dir)?;
    let ws = Workspace::new(&root.join("ws-zeek"))?;
    let (ours, ours_rss) = measure(|| pipeline::run(&ws, &three, &opts(&zeek, limits[0])).map(|_| ()))?;
    cases.push(case(
        format!("Zeek http.log (ASCII), {} rows, limit {}", a.rows, limits[0]),
        (ours, ours_rss),
        (floor_zeek, floor_zeek_rss),
        zeek_mib,
        "DuckDB read_csv of the Zeek log written as hour-partitioned Parquet, with the same memory_limit",
    ));
    cases.push(case(
        format!("Zeek http.log (ASCII), {} rows, limit {} (floor writing one Parquet file)", a.rows, limits[0]),
        (ours, ours_rss),
        (floor_zeek_one, floor_zeek_one_rss),
        zeek_mib,
        "DuckDB read_csv of the Zeek log written as one Parquet file, with the same memory_limit",
    ));

    // 2. The same day in Spot's Parquet layout, at each limit. Floor: bare SQL over the same files.
    let pq_mib =
        mib(parquet_files(&spot_day)?.iter().map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0)).sum());
    for &limit in &limits {
        let ws = Workspace::new(&root.join(format!("ws-parquet-{limit}")))?;
        let (ours, ours_rss) = measure(|| pipeline::run(&ws, &three, &opts(&spot_day, limit)).map(|_| ()))?;
        let (floor, floor_rss) = measure(|| parquet_floor(ctx, &root, day, &spot_day, &results, limit))?;
        cases.push(case(
            format!("Spot Parquet day, {} rows, limit {limit}", a.rows),
            (ours, ours_rss),
            (floor, floor_rss),
            pq_mib,
            "bare DuckDB SQL: results copy + the three tables straight from the Parquet files",
        ));
    }
    // 2b. The detectors: the same Parquet run with the configured [findings] and [rank] mode, next to the run
    //     without them just measured (the ratio is the detectors' share; `-v` prints each detector's seconds).
    {
        let limit = limits[0];
        let ws = Workspace::new(&root.join(format!("ws-findings-{limit}")))?;
        let (with, with_rss) = measure(|| pipeline::run(&ws, &ctx.cfg, &opts(&spot_day, limit)).map(|_| ()))?;
        let ws = Workspace::new(&root.join(format!("ws-plain-{limit}")))?;
        let (without, without_rss) = measure(|| pipeline::run(&ws, &three, &opts(&spot_day, limit)).map(|_| ()))?;
        cases.push(case(
            format!(
                "Spot Parquet day, {} rows, limit {limit}, with the detectors ({})",
                a.rows,
                ctx.cfg.rank.mode_name()
            ),
            (with, with_rss),
            (without, without_rss),
            pq_mib,
            "the same run without the detectors (no proxy_findings, spot-ml's order)",
        ));
    }

    // 3. `rank` of the Parquet day (spot-ml's settings: threshold 1e-6, all rows), next to bare SQL computing the
    //    same words and counts alone.
    let ws = Workspace::new(&root.join("ws-rank-parquet"))?;
    let mut report = None;
    let (ours, ours_rss) = measure(|| {
        report = Some(pipeline::rank(&ws, &ctx.cfg, day, &[spot_day.display().to_string()], None)?);
        Ok(())
    })?;
    let report = report.context("the ranking ran")?;
    let mut floor_pairs = 0;
    let (floor, floor_rss) = measure(|| {
        floor_pairs = rank_floor(ctx, &root, day, &spot_day)?;
        Ok(())
    })?;
    anyhow::ensure!(
        floor_pairs == report.pairs,
        "the rank floor built {floor_pairs} (client IP, word) pairs, the ranker {}",
        report.pairs
    );
    let rank_steps: Vec<String> = report.seconds.iter().map(|(s, t)| format!("{s} {t:.2} s")).collect();
    cases.push(case(
        format!(
            "rank of the Spot Parquet day, {} rows ({} pairs, {} client IPs, {} words; {})",
            a.rows,
            report.pairs,
            report.documents,
            report.vocabulary,
            rank_steps.join(", ")
        ),
        (ours, ours_rss),
        (floor, floor_rss),
        pq_mib,
        "bare DuckDB SQL computing the same (client IP, word, count) corpus alone (benches/floor_rank.sql)",
    ));

    // 4. The page of the day at the largest limit (that many suspicious rows, 1440 minutes): written, then opened
    //    in Chromium where there is one. No floor: the goal is absolute (open in under 2 s).
    let page_limit = limits.iter().copied().max().unwrap_or(500);
    let page = page_case(ctx, &root.join(format!("ws-parquet-{page_limit}")), day)?;

    if ctx.json {
        outln!("{}", serde_json::to_string_pretty(&serde_json::json!({ "cases": cases, "report": page }))?);
        return Ok(());
    }
    outln!(
        "bench: {} raw rows ({log_mib:.0} MiB Blue Coat log, {pq_mib:.0} MiB as Spot Parquet) generated in {gen:.1} s; \
         memory_limit {}, threads {}",
        a.rows,
        ctx.cfg.store.memory_limit,
        if ctx.cfg.store.threads == 0 { "all".to_string() } else { ctx.cfg.store.threads.to_string() }
    );
    for c in &cases {
        outln!("  {}", c.case);
        outln!(
            "    ours {:>7.2} s ({:.0} MB/s, peak {} MiB)   floor {:>7.2} s (peak {} MiB)   ratio {:.2}",
            c.ours_seconds,
            c.ours_mb_per_s,
            c.ours_peak_rss_mib.map(|m| m.to_string()).unwrap_or_else(|| "-".into()),
            c.floor_seconds,
            c.floor_peak_rss_mib.map(|m| m.to_string()).unwrap_or_else(|| "-".into()),
            c.ratio
        );
        outln!("    floor: {}", c.floor);
    }
    outln!(
        "  report of the Parquet day at limit {page_limit}: {} suspicious rows, {} proxy_edge rows, {:.1} MiB",
        page.suspicious_rows,
        page.edge_rows,
        mib(page.bytes)
    );
    outln!("    written in {:.2} s", page.write_seconds);
    match (&page.open_ms, &page.browser) {
        (Some(ms), Some(b)) => outln!(
            "    opened in {}: ready after {} ms (fastest of {}: {:?} ms; goal < 2000 ms)",
            b,
            ms.iter().min().copied().unwrap_or(0),
            ms.len(),
            ms
        ),
        _ => outln!("    not opened: no chromium (set PROXY_OA_CHROMIUM or install Debian's chromium)"),
    }
    Ok(())
}

/// The report bench: the time to write the page and, in headless Chromium, the time from navigation to the
/// page's first full render (`data-ready-ms`, measured by the page itself with `performance.now()`).
#[derive(Debug, Serialize)]
struct PageCase {
    write_seconds: f64,
    bytes: u64,
    suspicious_rows: usize,
    edge_rows: usize,
    browser: Option<String>,
    open_ms: Option<Vec<u64>>,
}

fn page_case(ctx: &Ctx, ws_root: &Path, day: Day) -> Result<PageCase> {
    let ws = Workspace::new(ws_root)?;
    let t = Instant::now();
    let r = super::report::write(ctx, &ws, day, Default::default())?;
    let write_seconds = t.elapsed().as_secs_f64();
    let chromium = std::env::var_os("PROXY_OA_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.exists()));
    let mut open_ms = None;
    if let Some(c) = &chromium {
        let mut all = vec![];
        for _ in 0..3 {
            all.push(open_in_chromium(c, &r.path)?);
        }
        open_ms = Some(all);
    }
    Ok(PageCase {
        write_seconds,
        bytes: r.bytes,
        suspicious_rows: r.suspicious_rows,
        edge_rows: r.edge_rows,
        browser: chromium.map(|c| c.display().to_string()),
        open_ms,
    })
}

/// Open `page` in headless Chromium (`--dump-dom`, which returns once the page has loaded) and read the page's
/// own `data-ready-ms`.
fn open_in_chromium(chromium: &Path, page: &Path) -> Result<u64> {
    let profile = tempfile::tempdir()?;
    let url = url::Url::from_file_path(std::path::absolute(page)?)
        .map_err(|_| anyhow::anyhow!("{}: not a file path", page.display()))?;
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url.as_str())
        .output()
        .with_context(|| format!("running {}", chromium.display()))?;
    let dom = String::from_utf8_lossy(&out.stdout);
    let key = "data-ready-ms=\"";
    let at = dom.find(key).ok_or_else(|| {
        anyhow::anyhow!("{} did not render {} (no data-ready-ms in its DOM)", chromium.display(), page.display())
    })?;
    let digits: String = dom[at + key.len()..].chars().take_while(char::is_ascii_digit).collect();
    Ok(digits.parse()?)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1048576.0
}

fn case(name: String, ours: (f64, Option<u64>), floor: (f64, Option<u64>), mib: f64, what: &'static str) -> Case {
    Case {
        case: name,
        ours_seconds: ours.0,
        floor_seconds: floor.0,
        ratio: if floor.0 > 0.0 { ours.0 / floor.0 } else { 0.0 },
        input_mib: mib,
        ours_mb_per_s: if ours.0 > 0.0 { mib * 1.048576 / ours.0 } else { 0.0 },
        ours_peak_rss_mib: ours.1,
        floor_peak_rss_mib: floor.1,
        floor: what,
    }
}

/// Wall time and peak resident memory of `f`.
fn measure(f: impl FnOnce() -> Result<()>) -> Result<(f64, Option<u64>)> {
    let m = Meter::start();
    f()?;
    let st = m.finish(Stage::new("bench"));
    Ok((st.seconds, st.peak_rss_mib))
}

/// DuckDB alone: read the Blue Coat log with `read_csv` (every field as text, its `#Fields:` order) and write it as
/// Spot's raw table under `h=HH/` folders, values as logged (as Spot's ingest stores them).
fn elff_to_spot_parquet(memory_limit: &str, log: &Path, dest: &Path, partitioned: bool) -> Result<()> {
    let header = std::io::BufRead::lines(std::io::BufReader::new(std::fs::File::open(log)?))
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("#Fields:").map(str::to_string))
        .context("the generated log has a #Fields: line")?;
    let fields: Vec<&str> = header.split_whitespace().collect();
    let mut exprs: Vec<String> = RAW_COLUMNS
        .iter()
        .map(|(c, t)| match t {
            Type::Int => format!("CAST(NULL AS INTEGER) AS {c}"),
            _ => format!("'' AS {c}"),
        })
        .collect();
    for (j, f) in fields.iter().enumerate() {
        if let Some(i) = elff_column(f) {
            let (c, t) = RAW_COLUMNS[i];
            exprs[i] = match t {
                Type::Int => format!("TRY_CAST(c{j} AS INTEGER) AS {c}"),
                _ => format!("c{j} AS {c}"),
            };
        }
    }
    let col = |name: &str| fields.iter().position(|f| elff_column(f) == RAW_COLUMNS.iter().position(|c| c.0 == name));
    let (host, path, query, time) = (
        col("host").context("cs-host")?,
        col("uripath").context("cs-uri-path")?,
        col("uriquery").context("cs-uri-query")?,
        col("p_time").context("time")?,
    );
    exprs[27] = format!(
        "c{host} || CASE WHEN length(c{path}) > 1 THEN c{path} ELSE '' END \
         || CASE WHEN length(c{query}) > 1 THEN c{query} ELSE '' END AS fulluri"
    );
    let columns: Vec<String> = (0..fields.len()).map(|j| format!("'c{j}': 'VARCHAR'")).collect();
    std::fs::create_dir_all(dest)?;
    // The store's memory ceiling (empty: DuckDB's default).
    let mut dc = duckdb::Config::default();
    if !memory_limit.is_empty() {
        dc = dc.max_memory(memory_limit)?;
    }
    let conn = duckdb::Connection::open_in_memory_with_flags(dc)?;
    // Column positions come from the log's own header; the files are bound.
    let sql = format!(
        "COPY (SELECT {}, lpad(split_part(c{time}, ':', 1), 2, '0') AS h \
               FROM read_csv(?, delim = ' ', quote = '\"', escape = '\"', header = false, comment = '#', \
                             auto_detect = false, columns = {{{}}})) \
         TO ? ({})",
        exprs.join(", "),
        columns.join(", "),
        copy_options(partitioned)
    );
    let to = if partitioned { dest.to_path_buf() } else { dest.join("day.parquet") };
    conn.execute(&sql, params![log.display().to_string(), to.display().to_string()]).context("the read_csv floor")?;
    Ok(())
}

/// The fields of the Zeek http.log the bench writes (Zeek 3+'s default http.log) and their types.
const ZEEK_FIELDS: [(&str, &str); 30] = [
    ("ts", "time"),
    ("uid", "string"),
    ("id.orig_h", "addr"),
    ("id.orig_p", "port"),
    ("id.resp_h", "addr"),
    ("id.resp_p", "port"),
    ("trans_depth", "count"),
    ("method", "string"),
    ("host", "string"),
    ("uri", "string"),
    ("referrer", "string"),
    ("version", "string"),
    ("user_agent", "string"),
    ("origin", "string"),
    ("request_body_len", "count"),
    ("response_body_len", "count"),
    ("status_code", "count"),
    ("status_msg", "string"),
    ("info_code", "count"),
    ("info_msg", "string"),
    ("tags", "set[enum]"),
    ("username", "string"),
    ("password", "string"),
    ("proxied", "set[string]"),
    ("orig_fuids", "vector[string]"),
    ("orig_filenames", "vector[string]"),
    ("orig_mime_types", "vector[string]"),
    ("resp_fuids", "vector[string]"),
    ("resp_filenames", "vector[string]"),
    ("resp_mime_types", "vector[string]"),
];

/// The Spot Parquet day written as a Zeek ASCII http.log (one header block, the records in time order; a missing
/// value is Zeek's unset mark `-`).
fn spot_to_zeek(spot_day: &Path, dest: &Path) -> Result<()> {
    let dir = dest.parent().context("a folder")?;
    std::fs::create_dir_all(dir)?;
    let body = dir.join(".body.tsv");
    let conn = duckdb::Connection::open_in_memory()?;
    let files: Vec<String> = parquet_files(spot_day)?.iter().map(|f| f.display().to_string()).collect();
    let v = |c: &str| format!("coalesce(nullif(proxy_text_b({c}), ''), '-')");
    conn.execute_batch(
        "CREATE MACRO proxy_text_b(v) AS CASE WHEN v IS NULL OR trim(CAST(v AS VARCHAR)) IN ('', '-') THEN '' \
         ELSE CAST(v AS VARCHAR) END;",
    )?;
    // Column names are constants; the files are bound.
    let sql = format!(
        "COPY (SELECT CAST(epoch(CAST(p_date || ' ' || p_time AS TIMESTAMP)) AS BIGINT) || '.000000', \
                'C' || CAST(row_number() OVER (ORDER BY p_time) AS VARCHAR), {client}, '49152', {server}, \
                coalesce(nullif(proxy_text_b(uriport), ''), '80'), '1', {method}, {host}, \
                coalesce(nullif(proxy_text_b(uripath) || proxy_text_b(uriquery), ''), '-'), {referer}, '1.1', \
                {agent}, '-', {cs}, {sc}, {code}, '-', '-', '-', '(empty)', {user}, '-', '-', '-', '-', '-', '-', \
                '-', {ctype} \
         FROM read_parquet(string_split(?, chr(10))) ORDER BY p_time) \
         TO ? (FORMAT CSV, DELIMITER '\t', HEADER false, QUOTE '')",
        client = v("clientip"),
        server = v("serverip"),
        method = v("reqmethod"),
        host = v("host"),
        referer = v("referer"),
        agent = v("useragent"),
        cs = v("csbytes"),
        sc = v("scbytes"),
        code = v("respcode"),
        user = v("username"),
        ctype = v("resconttype"),
    );
    conn.execute(&sql, params![files.join("\n"), body.display().to_string()]).context("writing the Zeek log")?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dest)?);
    use std::io::Write;
    let names: Vec<&str> = ZEEK_FIELDS.iter().map(|f| f.0).collect();
    let types: Vec<&str> = ZEEK_FIELDS.iter().map(|f| f.1).collect();
    write!(
        out,
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\thttp\n\
         #open\t2016-12-11-00-00-00\n#fields\t{}\n#types\t{}\n",
        names.join("\t"),
        types.join("\t")
    )?;
    std::io::copy(&mut std::fs::File::open(&body)?, &mut out)?;
    writeln!(out, "#close\t2016-12-12-00-00-00")?;
    out.flush()?;
    std::fs::remove_file(&body)?;
    Ok(())
}

/// DuckDB alone: read the Zeek log with `read_csv` (TAB-separated, header lines as comments, every field as
/// text) and write it as Spot's raw table under `h=HH/` folders: the time from `ts` in UTC, the URI cut at its `?`,
/// the host from the Host header, `-` as empty (the same columns our reader fills).
fn zeek_to_spot_parquet(memory_limit: &str, log: &Path, dest: &Path, partitioned: bool) -> Result<()> {
    let mut dc = duckdb::Config::default();
    if !memory_limit.is_empty() {
        dc = dc.max_memory(memory_limit)?;
    }
    let conn = duckdb::Connection::open_in_memory_with_flags(dc)?;
    std::fs::create_dir_all(dest)?;
    let columns: Vec<String> = (0..ZEEK_FIELDS.len()).map(|j| format!("'c{j}': 'VARCHAR'")).collect();
    let t = |j: usize| format!("CASE WHEN c{j} = '-' THEN '' ELSE c{j} END");
    let i = |j: usize| format!("TRY_CAST(nullif(c{j}, '-') AS INTEGER)");
    // Column positions are the bench's own constants; the files are bound.
    let sql = format!(
        "COPY (SELECT strftime(ts, '%Y-%m-%d') AS p_date, strftime(ts, '%H:%M:%S') AS p_time, {client} AS clientip, \
                host, {method} AS reqmethod, {agent} AS useragent, {ctype} AS resconttype, \
                CAST(NULL AS INTEGER) AS duration, {user} AS username, '' AS authgroup, '' AS exceptionid, \
                '' AS filterresult, '' AS webcat, {referer} AS referer, {code} AS respcode, '' AS action, \
                'http' AS urischeme, c5 AS uriport, split_part(uri, '?', 1) AS uripath, \
                CASE WHEN strpos(uri, '?') > 0 THEN substr(uri, strpos(uri, '?')) ELSE '' END AS uriquery, \
                '' AS uriextension, {server} AS serverip, {sc} AS scbytes, {cs} AS csbytes, '' AS virusid, \
                '' AS bcappname, '' AS bcappoper, \
                host || CASE WHEN length(split_part(uri, '?', 1)) > 1 THEN split_part(uri, '?', 1) ELSE '' END \
                     || CASE WHEN length(uri) - length(split_part(uri, '?', 1)) > 1 \
                             THEN substr(uri, strpos(uri, '?')) ELSE '' END AS fulluri, \
                strftime(ts, '%H') AS h \
         FROM (SELECT *, make_timestamp(CAST(split_part(c0, '.', 1) AS BIGINT) * 1000000) AS ts, \
                      CASE WHEN c8 = '-' THEN c4 ELSE c8 END AS host, CASE WHEN c9 = '-' THEN '' ELSE c9 END AS uri \
               FROM read_csv(?, delim = '\t', quote = '', escape = '', header = false, comment = '#', \
                             auto_detect = false, columns = {{{}}}))) \
         TO ? ({})",
        columns.join(", "),
        copy_options(partitioned),
        client = t(2),
        method = t(7),
        agent = t(12),
        ctype = t(29),
        user = t(21),
        referer = t(10),
        code = t(16),
        server = t(4),
        sc = i(15),
        cs = i(14),
    );
    let to = if partitioned { dest.to_path_buf() } else { dest.join("day.parquet") };
    conn.execute(&sql, params![log.display().to_string(), to.display().to_string()]).context("the Zeek floor")?;
    Ok(())
}

/// A floor's COPY options: Spot's hour folders, or one Parquet file (the least work: no partitioning, no spill of
/// partition buffers at the memory limit).
fn copy_options(partitioned: bool) -> &'static str {
    if partitioned {
        "FORMAT PARQUET, PARTITION_BY (h), OVERWRITE_OR_IGNORE"
    } else {
        "FORMAT PARQUET"
    }
}

/// A store in a new workspace `dir` whose `proxy` view reads the Spot Parquet day (hard-linked into its day).
fn scratch_store(ctx: &Ctx, dir: &Path, day: Day, spot_day: &Path) -> Result<duckdb::Connection> {
    let ws = Workspace::new(dir)?;
    let raw = ws.raw_dir(day);
    let mut linked: Vec<PathBuf> = vec![];
    for f in parquet_files(spot_day)? {
        let to = raw.join(f.strip_prefix(spot_day).expect("under the day"));
        std::fs::create_dir_all(to.parent().expect("a folder"))?;
        std::fs::hard_link(&f, &to).or_else(|_| std::fs::copy(&f, &to).map(|_| ()))?;
        linked.push(to);
    }
    let conn = store::open(&ws, &ctx.cfg.store)?;
    store::point_raw(&conn, &ws, &linked)?;
    Ok(conn)
}

/// Bare DuckDB SQL for the Spot Parquet day (`benches/floor_parquet.sql`) in a scratch store of its own.
fn parquet_floor(ctx: &Ctx, root: &Path, day: Day, spot_day: &Path, results: &Path, limit: usize) -> Result<()> {
    let conn = scratch_store(ctx, &root.join(format!("floor-{limit}")), day, spot_day)?;
    let (ry, rm, rd) = day.raw_partition();
    let stmts: Vec<&str> = FLOOR_PARQUET.split(";\n").map(str::trim).filter(|s| s.contains("CREATE")).collect();
    anyhow::ensure!(stmts.len() == 4, "benches/floor_parquet.sql has 4 statements");
    conn.execute(stmts[0], params![results.display().to_string(), limit as i64])?;
    conn.execute(stmts[1], [])?;
    conn.execute(stmts[2], params![day.iso(), ry, rm, rd])?;
    conn.execute(stmts[3], params![ry, rm, rd])?;
    Ok(())
}

/// Bare DuckDB SQL for the ranker's corpus (`benches/floor_rank.sql`) in a scratch store; returns its pairs.
fn rank_floor(ctx: &Ctx, root: &Path, day: Day, spot_day: &Path) -> Result<u64> {
    let conn = scratch_store(ctx, &root.join("floor-rank"), day, spot_day)?;
    let (ry, rm, rd) = day.raw_partition();
    conn.execute(FLOOR_RANK, params![ry, rm, rd])?;
    let n: i64 = conn.query_row("SELECT count(*) FROM f_corpus", [], |r| r.get(0))?;
    Ok(n as u64)
}

/// Rank the generated day (its `keep` lowest scores) in the workspace `ws_dir`; the results file is copied to
/// `input/proxy_results.csv`.
fn rank_for_bench(ctx: &Ctx, ws_dir: &Path, day: Day, log: &Path, keep: usize, input: &Path) -> Result<PathBuf> {
    let ws = Workspace::new(ws_dir)?;
    let mut cfg = ctx.cfg.clone();
    cfg.rank.threshold = 1.0;
    cfg.rank.max_results = keep as u64;
    let report = pipeline::rank(&ws, &cfg, day, &[log.display().to_string()], None)?;
    let dest = input.join(crate::rank::RESULTS_FILE);
    std::fs::copy(&report.path, &dest).with_context(|| format!("copying {}", report.path.display()))?;
    Ok(dest)
}
