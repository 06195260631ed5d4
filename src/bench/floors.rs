//! The floors of `proxy-oa bench`: the least work that gives the same output, in bare DuckDB SQL, and the Zeek
//! log the bench writes from the generated day.

use crate::config::Config;
use crate::day::Day;
use crate::input::raw::{elff_column, RAW_COLUMNS};
use crate::schema::Type;
use crate::store;
use crate::workspace::{parquet_files, Workspace};
use anyhow::{Context, Result};
use duckdb::params;
use std::path::{Path, PathBuf};

/// The floor for a Spot Parquet day.
const FLOOR_PARQUET: &str = include_str!("../../benches/floor_parquet.sql");
/// The floor of the ranker's words and counts.
const FLOOR_RANK: &str = include_str!("../../benches/floor_rank.sql");
/// The floor of the ranker's rows, given its pairs.
const FLOOR_RANK_ROWS: &str = include_str!("../../benches/floor_rank_rows.sql");

/// DuckDB alone: read the Blue Coat log with `read_csv` (every field as text, its `#Fields:` order) and write it as
/// Spot's raw table under `h=HH/` folders, values as logged (as Spot's ingest stores them).
pub(super) fn elff_to_spot_parquet(memory_limit: &str, log: &Path, dest: &Path, partitioned: bool) -> Result<()> {
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
pub(super) fn spot_to_zeek(spot_day: &Path, dest: &Path) -> Result<()> {
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
pub(super) fn zeek_to_spot_parquet(memory_limit: &str, log: &Path, dest: &Path, partitioned: bool) -> Result<()> {
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
fn scratch_store(cfg: &Config, dir: &Path, day: Day, spot_day: &Path) -> Result<duckdb::Connection> {
    let ws = Workspace::new(dir)?;
    let raw = ws.raw_dir(day);
    let mut linked: Vec<PathBuf> = vec![];
    for f in parquet_files(spot_day)? {
        let to = raw.join(f.strip_prefix(spot_day).context("a Parquet file under the day")?);
        std::fs::create_dir_all(to.parent().context("a folder")?)?;
        std::fs::hard_link(&f, &to).or_else(|_| std::fs::copy(&f, &to).map(|_| ()))?;
        linked.push(to);
    }
    let conn = store::open(&ws, &cfg.store)?;
    store::point_raw(&conn, &ws, &linked)?;
    Ok(conn)
}

/// Bare DuckDB SQL for the Spot Parquet day (`benches/floor_parquet.sql`) in a scratch store of its own; returns
/// its `proxy_edge` rows and the connections its summary counted.
pub(super) fn parquet_floor(
    cfg: &Config,
    root: &Path,
    day: Day,
    spot_day: &Path,
    results: &Path,
    limit: usize,
) -> Result<(u64, u64)> {
    let conn = scratch_store(cfg, &root.join(format!("floor-{limit}")), day, spot_day)?;
    let stmts: Vec<&str> = FLOOR_PARQUET.split(";\n").map(str::trim).filter(|s| s.contains("CREATE")).collect();
    anyhow::ensure!(stmts.len() == 4, "benches/floor_parquet.sql has 4 statements");
    conn.execute(stmts[0], params![results.display().to_string(), limit as i64])?;
    conn.execute(stmts[1], [])?;
    conn.execute(stmts[2], params![day.iso()])?;
    conn.execute(stmts[3], params![day.iso()])?;
    // What it made, for the bench to check against the run's tables: edge rows and connections summed.
    let counts: (i64, i64) = conn.query_row(
        "SELECT (SELECT count(*) FROM f_edge), (SELECT CAST(coalesce(sum(total), 0) AS BIGINT) FROM f_summary)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((counts.0 as u64, counts.1 as u64))
}

/// Bare DuckDB SQL for the ranker's corpus (`benches/floor_rank.sql`) in a scratch store; returns its pairs.
pub(super) fn rank_floor(cfg: &Config, root: &Path, day: Day, spot_day: &Path) -> Result<u64> {
    let conn = scratch_store(cfg, &root.join("floor-rank"), day, spot_day)?;
    conn.execute(FLOOR_RANK, params![day.iso()])?;
    let n: i64 = conn.query_row("SELECT count(*) FROM f_corpus", [], |r| r.get(0))?;
    Ok(n as u64)
}

/// Bare DuckDB SQL writing the rows of the ranker's qualifying pairs, given its results file
/// (`benches/floor_rank_rows.sql`), in a scratch store; writes `out` and returns its rows.
pub(super) fn rank_rows_floor(
    cfg: &Config,
    root: &Path,
    day: Day,
    spot_day: &Path,
    results: &Path,
    out: &Path,
) -> Result<u64> {
    let conn = scratch_store(cfg, &root.join("floor-rank-rows"), day, spot_day)?;
    let stmts: Vec<&str> =
        FLOOR_RANK_ROWS.split(";\n").map(str::trim).filter(|s| s.contains("CREATE") || s.starts_with("COPY")).collect();
    anyhow::ensure!(stmts.len() == 3, "benches/floor_rank_rows.sql has 3 statements");
    conn.execute(stmts[0], params![results.display().to_string()])?;
    conn.execute(stmts[1], params![day.iso()])?;
    conn.execute(stmts[2], params![out.display().to_string()])?;
    let n: i64 = conn.query_row("SELECT count(*) FROM f_rows", [], |r| r.get(0))?;
    Ok(n as u64)
}
