//! The embedded ranker: spot-ml's proxy model ("suspicious connects", generation 3 of its words; specification
//! `spot-ml-proxy-ranker.md`), from a raw day to spot-ml's `proxy_results.csv`.
//!
//! | step | where | what |
//! |---|---|---|
//! | words | `schema/rank_words.sql`, `schema/rank_corpus.sql` (SQL) | each raw row's 8-part word; the corpus of (client IP, word, count), benign feedback rows `dupfactor` times; user agents counted once |
//! | fit | [`lda`] (Rust, no SQL) | Spark MLlib's EM LDA over the corpus: θ per client IP, φ per word |
//! | score | `schema/rank_score.sql` (SQL) | score = Σ_k θ·φ per corpus pair; words built again only for the day's rows that can hold a qualifying pair (same client, method, code, hour); rows with -1 < score ≤ threshold, ascending |
//! | write | [`write_results`] | spot-ml's 21 TAB-separated columns, `null` for NULL, the score as Java prints it ([`java`]) |
//!
//! [`rank`] runs the four steps on the day the store's `proxy` view points at. [`rank_day`] is what `proxy-oa
//! rank` and `run` call: it gathers the day's other inputs (the top-domain list of `cache.sqlite`, the feedback
//! files), ranks into `data/proxy/<date>/proxy_results.csv` and records beside it what the file was made from
//! ([`MadeFrom`], `proxy_results.rank.json`), so that `run` makes it again only when one of those changed
//! ([`current`]).

pub mod cluster;
pub mod feedback;
pub mod java;
pub mod lda;

use crate::config::{Config, RankCfg};
use crate::day::Day;
use crate::dialect::{self, Param};
use crate::error::Error;
use crate::schema;
use crate::stage::{Meter, Stage};
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use duckdb::types::Value;
use duckdb::Connection;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The word rules (temporary scalar macros of the ranking connection; portable but for three, see [`SPARK_SQL`]).
pub const WORDS_SQL: &str = include_str!("../../schema/rank_words.sql");
/// Spark SQL's spelling of the three word rules that take a string's characters apart.
pub const SPARK_SQL: &str = include_str!("../../schema/rank_spark.sql");
/// The rows the ranker reads (shared: store and Spark), over `raw_day` and `rank_feedback`.
pub const INPUT_SQL: &str = include_str!("../../schema/rank_input.sql");
/// The user agents' counts over `rank_all` (shared).
pub const AGENTS_SQL: &str = include_str!("../../schema/rank_agents.sql");
/// The words of `rank_source`'s rows (shared).
pub const ROWS_SQL: &str = include_str!("../../schema/rank_rows.sql");
/// The (client IP, word) counts of `rank_rows` (shared).
pub const COUNTS_SQL: &str = include_str!("../../schema/rank_counts.sql");
/// The day's rows of the qualifying pairs `rank_low` (shared).
pub const SELECTED_SQL: &str = include_str!("../../schema/rank_selected.sql");
/// The corpus statements.
pub const CORPUS_SQL: &str = include_str!("../../schema/rank_corpus.sql");
/// The scoring and selection statement (`theta_dot_phi` stands for the rendered Σ_k θ·φ).
pub const SCORE_SQL: &str = include_str!("../../schema/rank_score.sql");
/// The results file's name in the day's folder (spot-ml's `${analysis}_results.csv`).
pub const RESULTS_FILE: &str = "proxy_results.csv";
/// What a ranker-made results file was made from, beside it.
pub const MADE_FROM_FILE: &str = "proxy_results.rank.json";
/// spot-ml's `word_error`.
pub const WORD_ERROR: &str = "word_error";

/// What the ranker reads besides the raw day.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// First labels of the site's top-domain list.
    pub top: Vec<String>,
    /// The list's sha256 as imported (`None`: no list).
    pub top_sha256: Option<String>,
    /// Benign feedback rows.
    pub feedback: Vec<feedback::Row>,
    /// The feedback files read, with their sha256.
    pub feedback_files: Vec<(String, String)>,
}

/// What one ranking did (the run summary of `rank`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub date: String,
    /// Raw rows of the day the ranker read (spot-ml's filterRecords: none with a NULL date, time, client IP, host
    /// or fulluri).
    pub rows_read: u64,
    /// Rows with a word.
    pub words_built: u64,
    /// Rows whose word could not be built (`word_error`: scored -1 and left out, as spot-ml did).
    pub word_errors: u64,
    /// Benign feedback rows learned from (each `dupfactor` times).
    pub feedback_rows: u64,
    /// Client IPs (documents).
    pub documents: u64,
    /// Distinct words.
    pub vocabulary: u64,
    /// (client IP, word) pairs of the corpus.
    pub pairs: u64,
    pub topics: usize,
    pub iterations: u32,
    pub seed: u64,
    /// Rows written to the results file.
    pub rows_written: u64,
    /// Values holding a TAB or line break, written with a space instead (the file has no quoting).
    pub values_cleaned: u64,
    /// Seconds per step: words, fit, score and write.
    pub seconds: Vec<(String, f64)>,
    pub path: PathBuf,
    /// What the user should know (rejected raw lines, cleaned values).
    pub warnings: Vec<String>,
    /// What a ranking on the cluster did: bytes up and down (the counts' bytes among them), each step's seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<cluster::Crossed>,
}

impl Report {
    /// The text summary of `proxy-oa rank`.
    pub fn to_text(&self) -> String {
        let mut s = format!("proxy-oa rank {}\n", self.date);
        s.push_str(&format!(
            "  rows read {}, words built {}, word_error rows {}, benign feedback rows {}\n",
            self.rows_read, self.words_built, self.word_errors, self.feedback_rows
        ));
        s.push_str(&format!(
            "  documents (client IPs) {}, vocabulary {}, pairs {}; {} topics, {} iterations, seed {}\n",
            self.documents, self.vocabulary, self.pairs, self.topics, self.iterations, self.seed
        ));
        s.push_str("  seconds:");
        for (step, secs) in &self.seconds {
            s.push_str(&format!(" {step} {secs:.2},"));
        }
        s.pop();
        s.push('\n');
        if let Some(c) = &self.cluster {
            s.push_str(&c.to_text());
        }
        s.push_str(&format!("  rows written {}\n  wrote {}\n", self.rows_written, self.path.display()));
        if self.values_cleaned > 0 {
            s.push_str(&format!(
                "  warning: {} values held a TAB or line break and were written with a space\n",
                self.values_cleaned
            ));
        }
        for w in &self.warnings {
            s.push_str(&format!("  warning: {w}\n"));
        }
        s
    }

    /// The `rank` stage of a run (its time and memory set by the caller's meter).
    pub fn stage(&self) -> Stage {
        Stage {
            rows_in: self.rows_read,
            matched: self.rows_written,
            rejected: self.word_errors,
            note: format!(
                "ranked by the embedded spot-ml model: {} client IPs, {} words, {} topics, {} iterations, seed {}; \
                 rejected = word_error rows",
                self.documents, self.vocabulary, self.topics, self.iterations, self.seed
            ),
            outputs: vec![self.path.clone()],
            ..Stage::new("rank")
        }
    }
}

/// Rank the day `day` of the `proxy` view (pointed at its raw files by the caller) into `out`; with `corpus_out`,
/// the corpus the model is fitted on is written there too (client IP, word, count; TAB-separated, sorted).
pub fn rank(
    conn: &Connection,
    day: Day,
    cfg: &RankCfg,
    extra: &Extra,
    out: &Path,
    corpus_out: Option<&Path>,
) -> Result<Report> {
    let mut report = Report::new(day, cfg, extra, out);
    let bar = progress(cfg);
    let params = params(day, cfg);

    // Words and corpus.
    let t = Instant::now();
    bar.set_message("words");
    inputs(conn, cfg, extra)?;
    macros(conn)?;
    log::debug!("rank: {:.2} s the inputs and macros", t.elapsed().as_secs_f64());
    execute(conn, &statements(CORPUS_SQL), &params).context("building the words and the corpus")?;
    learn(conn, day, cfg, &mut report, corpus_out, t, &bar)?;

    // Score, select, write.
    let t = Instant::now();
    bar.set_message("score");
    let mut score = statements(&score_sql(cfg.topics));
    let select = score.pop().context("schema/rank_score.sql ends with the selection")?;
    execute(conn, &score, &params).context("scoring the corpus pairs")?;
    let (written, cleaned) = write_results(conn, &select, cfg.max_results, out)?;
    report.rows_written = written;
    report.values_cleaned = cleaned;
    report.seconds.push(("score and write".into(), t.elapsed().as_secs_f64()));
    bar.finish_and_clear();
    Ok(report)
}

impl Report {
    fn new(day: Day, cfg: &RankCfg, extra: &Extra, out: &Path) -> Report {
        Report {
            date: day.compact(),
            feedback_rows: extra.feedback.len() as u64,
            topics: cfg.topics,
            iterations: cfg.iterations,
            seed: cfg.seed,
            path: out.to_path_buf(),
            ..Default::default()
        }
    }
}

/// The progress bar of a ranking (stderr, drawn only on a terminal): words, each iteration, score.
fn progress(cfg: &RankCfg) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(u64::from(cfg.iterations) + 2),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template("rank {msg} {bar:30} {pos}/{len} {elapsed}") {
        bar.set_style(style);
    }
    bar
}

/// From the table `rank_counts` on `conn`: the counts of `report`, the corpus `rank_corpus` (and its file), the
/// model fitted and θ and φ as the tables `rank_theta` and `rank_phi`. `t`: when the words step started.
fn learn(
    conn: &Connection,
    day: Day,
    cfg: &RankCfg,
    report: &mut Report,
    corpus_out: Option<&Path>,
    t: Instant,
    bar: &indicatif::ProgressBar,
) -> Result<()> {
    let (read, errors): (i64, i64) = conn.query_row(
        "SELECT CAST(coalesce(sum(row_count) FILTER (WHERE is_day), 0) AS BIGINT),
                CAST(coalesce(sum(row_count) FILTER (WHERE is_day AND word = ?), 0) AS BIGINT)
         FROM rank_counts",
        [WORD_ERROR],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    report.rows_read = read as u64;
    report.word_errors = errors as u64;
    report.words_built = report.rows_read - report.word_errors;
    let read_at = Instant::now();
    let corpus = read_corpus(conn)?;
    log::debug!("rank: {:.2} s the corpus read", read_at.elapsed().as_secs_f64());
    if let Some(p) = corpus_out {
        write_corpus(&corpus, p)?;
    }
    report.documents = corpus.docs.len() as u64;
    report.vocabulary = corpus.terms.len() as u64;
    report.pairs = corpus.edges.len() as u64;
    report.seconds.push(("words".into(), t.elapsed().as_secs_f64()));
    bar.inc(1);
    if report.words_built == 0 {
        return Err(Error::Data(format!(
            "day {}: no raw row to rank ({} rows read, {} of them word_error: the time's hour could not be read)",
            day.compact(),
            report.rows_read,
            report.word_errors
        ))
        .into());
    }
    let t = Instant::now();
    bar.set_message("fit");
    // The store's threads ([store] threads, else every core); the fit's numbers do not depend on them.
    let threads: i64 = conn.query_row("SELECT CAST(current_setting('threads') AS BIGINT)", [], |r| r.get(0))?;
    let params = lda::Params { threads: usize::try_from(threads).unwrap_or(1).max(1), ..lda::Params::from(cfg) };
    let model = lda::fit(&corpus, &params, |_| bar.inc(1)).map_err(|e| Error::Data(e.to_string()))?;
    log::debug!("rank: {:.2} s the EM fit on {} thread(s)", t.elapsed().as_secs_f64(), params.threads);
    upload(conn, &corpus, &model)?;
    report.seconds.push(("fit".into(), t.elapsed().as_secs_f64()));
    Ok(())
}

/// The statements' parameters.
fn params(day: Day, cfg: &RankCfg) -> Vec<(&'static str, Param)> {
    let (y, m, d) = day.raw_partition();
    vec![
        ("raw_y", Param::Text(y)),
        ("raw_m", Param::Text(m)),
        ("raw_d", Param::Text(d)),
        ("dupfactor", Param::Int(i64::try_from(cfg.dupfactor).unwrap_or(i64::MAX))),
        ("threshold", Param::Float(cfg.threshold)),
    ]
}

/// Run `statements` in order, their `$name` parameters bound from `params`.
fn execute(conn: &Connection, statements: &[String], params: &[(&str, Param)]) -> Result<()> {
    for st in statements {
        let (sql, values) = dialect::bind(st, params);
        let t = Instant::now();
        conn.execute(&sql, duckdb::params_from_iter(values))?;
        let what = sql.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
        log::debug!("rank: {:.2} s {what}", t.elapsed().as_secs_f64());
    }
    Ok(())
}

/// The statements of a script (comment lines dropped), split where a line ends in `;`.
fn statements(script: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    for line in dialect::strip_comments(script).lines() {
        cur.push_str(line);
        cur.push('\n');
        if line.trim_end().ends_with(';') {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// The ranker's input tables on `conn`: the top-domain labels `rank_top`, the config's safe domains `rank_safe`,
/// the benign feedback rows `rank_feedback`.
fn inputs(conn: &Connection, cfg: &RankCfg, extra: &Extra) -> Result<()> {
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE rank_top (label VARCHAR);
         CREATE OR REPLACE TEMP TABLE rank_safe (label VARCHAR);
         CREATE OR REPLACE TEMP TABLE rank_feedback (p_date VARCHAR, p_time VARCHAR, clientip VARCHAR, host VARCHAR,
             reqmethod VARCHAR, useragent VARCHAR, resconttype VARCHAR, respcode VARCHAR, fulluri VARCHAR);",
    )?;
    for (table, labels) in [("rank_top", &extra.top), ("rank_safe", &cfg.safe_domains)] {
        let mut app = conn.appender_to_catalog_and_db(table, "temp", "main")?;
        for l in labels {
            app.append_row([l])?;
        }
        app.flush()?;
    }
    let mut app = conn.appender_to_catalog_and_db("rank_feedback", "temp", "main")?;
    for r in &extra.feedback {
        app.append_row([
            &r.p_date,
            &r.p_time,
            &r.clientip,
            &r.host,
            &r.reqmethod,
            &r.useragent,
            &r.resconttype,
            &r.respcode,
            &r.fulluri,
        ])?;
    }
    app.flush()?;
    Ok(())
}

/// The word macros on `conn`, and the shared texts as its table macros: `rank_input(raw_y, raw_m, raw_d,
/// dupfactor)` over the store's `proxy` view, `rank_agent_counts()` and `rank_words()` over the view `rank_source` (none until the corpus
/// statements name the day), `rank_word_counts()` and `rank_selected_rows()` over `rank_words()`.
fn macros(conn: &Connection) -> Result<()> {
    conn.execute_batch(WORDS_SQL).context("creating the word macros")?;
    let (input, rest) = local_macros();
    conn.execute_batch(&input).context("creating the ranker's input macro")?;
    conn.execute_batch(&empty_rank_source(conn)?).context("creating the ranker's empty rank_source")?;
    conn.execute_batch(&rest).context("creating the ranker's table macros")?;
    Ok(())
}

/// `rank_source` as a view of no row with `rank_input`'s columns and types: the table macros over it are checked
/// against it when they are made, without binding the day's Parquet files once more each (about 25 ms a bind;
/// the corpus statements make `rank_source` the day's rows).
fn empty_rank_source(conn: &Connection) -> Result<String> {
    let mut st = conn.prepare("DESCRIBE SELECT * FROM rank_input(NULL, NULL, NULL, 0)")?;
    let cols: Vec<(String, String)> = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let cols: Vec<String> =
        cols.iter().map(|(name, ty)| format!("CAST(NULL AS {ty}) AS {}", crate::schema::quoted(name))).collect();
    Ok(format!("CREATE OR REPLACE TEMP VIEW rank_source AS SELECT {} WHERE false;", cols.join(", ")))
}

/// The shared texts as the store's table macros (their `$name` parameters become the macro's parameters): the
/// input macro `rank_input`, then the others. DuckDB checks a table macro's tables when it is made: `rank_source`
/// ([`empty_rank_source`], between the two), `rank_agents` and `rank_low` are made empty first (the corpus and
/// scoring statements replace them).
fn local_macros() -> (String, String) {
    let body = dialect::body;
    let input = format!(
        "CREATE OR REPLACE TEMP MACRO rank_input(raw_y, raw_m, raw_d, dupfactor) AS TABLE\n\
         WITH raw_day AS (SELECT * FROM proxy WHERE y = raw_y AND m = raw_m AND d = raw_d)\n{};\n",
        dialect::params_as_names(&body(INPUT_SQL))
    );
    let rest = format!(
        "CREATE OR REPLACE TEMP TABLE rank_keys (clientip VARCHAR, reqmethod VARCHAR, respcode VARCHAR, hh VARCHAR);\n\
         CREATE OR REPLACE TEMP MACRO rank_input_kept(raw_y, raw_m, raw_d, dupfactor) AS TABLE\n\
         WITH {kept}\n{input};\n\
         CREATE OR REPLACE TEMP TABLE rank_agents (useragent VARCHAR, n BIGINT);\n\
         CREATE OR REPLACE TEMP TABLE rank_low (clientip VARCHAR, word VARCHAR, score DOUBLE);\n\
         CREATE OR REPLACE TEMP MACRO rank_agent_counts() AS TABLE\n\
         WITH rank_all AS (SELECT * FROM rank_source)\n{agents};\n\
         CREATE OR REPLACE TEMP MACRO rank_words() AS TABLE\n{rows};\n\
         CREATE OR REPLACE TEMP MACRO rank_word_counts() AS TABLE\n\
         WITH rank_rows AS (SELECT * FROM rank_words())\n{counts};\n\
         CREATE OR REPLACE TEMP MACRO rank_selected_rows() AS TABLE\n\
         WITH rank_rows AS (SELECT * FROM rank_words())\n{selected};\n",
        input = dialect::params_as_names(&body(INPUT_SQL)),
        kept = dialect::raw_day_kept(
            "rank_keys AS k",
            &format!(
                "{} = k.clientip AND {} IS NOT DISTINCT FROM k.reqmethod\n     AND {} IS NOT DISTINCT FROM k.respcode \
                 AND split_part({}, ':', 1) = k.hh",
                schema::ruled_column("clientip", "s."),
                schema::ruled_column("reqmethod", "s."),
                schema::ruled_column("respcode", "s."),
                schema::ruled_column("p_time", "s."),
            ),
            "s.y = raw_y AND s.m = raw_m AND s.d = raw_d",
        ),
        agents = body(AGENTS_SQL),
        rows = body(ROWS_SQL),
        counts = body(COUNTS_SQL),
        selected = body(SELECTED_SQL),
    );
    (input, rest)
}

/// The corpus from `rank_corpus`. The store numbers the client IPs and the words in their sorted order and hands
/// the pairs over as numbers (Arrow batches; sorting 915,648 text pairs and taking them a row at a time was a fifth
/// of the words step at 10 M rows); the numbering is checked here against Rust's byte order of the texts, and any
/// other order (a collation) falls back to building the corpus from the texts.
fn read_corpus(conn: &Connection) -> Result<lda::Corpus> {
    use duckdb::arrow::array::{Array, Int64Array};
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE rank_docs AS
         SELECT clientip, row_number() OVER (ORDER BY clientip) - 1 AS id
         FROM (SELECT DISTINCT clientip FROM rank_corpus WHERE n > 0) AS d;
         CREATE OR REPLACE TEMP TABLE rank_terms AS
         SELECT word, row_number() OVER (ORDER BY word) - 1 AS id
         FROM (SELECT DISTINCT word FROM rank_corpus WHERE n > 0) AS t;",
    )?;
    let names = |sql: &str| -> Result<Vec<String>> {
        let mut st = conn.prepare(sql)?;
        let v: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(v)
    };
    let docs = names("SELECT clientip FROM rank_docs ORDER BY id")?;
    let terms = names("SELECT word FROM rank_terms ORDER BY id")?;
    if !docs.windows(2).all(|w| w[0] < w[1]) || !terms.windows(2).all(|w| w[0] < w[1]) {
        return read_corpus_texts(conn);
    }
    let mut st = conn.prepare(
        "SELECT d.id, t.id, c.n FROM rank_corpus AS c JOIN rank_docs AS d ON d.clientip = c.clientip
         JOIN rank_terms AS t ON t.word = c.word WHERE c.n > 0",
    )?;
    let mut edges = vec![];
    for b in st.query_arrow([])? {
        let col = |i: usize| b.column(i).as_any().downcast_ref::<Int64Array>().context("rank_corpus: a BIGINT column");
        let (d, t, n) = (col(0)?, col(1)?, col(2)?);
        anyhow::ensure!(d.null_count() + t.null_count() + n.null_count() == 0, "rank_corpus: a NULL");
        for i in 0..d.len() {
            edges.push(lda::Edge { doc: d.value(i) as u32, term: t.value(i) as u32, count: n.value(i) as f64 });
        }
    }
    edges.sort_unstable_by_key(|e| (e.doc, e.term));
    Ok(lda::Corpus { docs, terms, edges })
}

/// The corpus from `rank_corpus` by its texts ([`lda::Corpus::from_triplets`]).
fn read_corpus_texts(conn: &Connection) -> Result<lda::Corpus> {
    let mut st = conn.prepare("SELECT clientip, word, n FROM rank_corpus")?;
    let rows: Vec<(String, String, i64)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    Ok(lda::Corpus::from_triplets(rows.iter().map(|(d, w, n)| (d.as_str(), w.as_str(), *n as f64))))
}

/// The corpus as TAB-separated (client IP, word, count) lines, sorted.
fn write_corpus(corpus: &lda::Corpus, path: &Path) -> Result<()> {
    let tmp = crate::workspace::temp_beside(path)?;
    let mut w = std::io::BufWriter::new(tmp.as_file());
    for e in &corpus.edges {
        writeln!(w, "{}\t{}\t{}", corpus.docs[e.doc as usize], corpus.terms[e.term as usize], e.count)?;
    }
    w.flush()?;
    drop(w);
    tmp.persist(path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// θ and φ as the temporary tables `rank_theta` (clientip, t0 …) and `rank_phi` (word, p0 …).
fn upload(conn: &Connection, corpus: &lda::Corpus, model: &lda::Model) -> Result<()> {
    let k = model.topics;
    let cols = |p: &str| (0..k).map(|i| format!("{p}{i} DOUBLE")).collect::<Vec<_>>().join(", ");
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE rank_theta (clientip VARCHAR, {});
         CREATE OR REPLACE TEMP TABLE rank_phi (word VARCHAR, {});",
        cols("t"),
        cols("p")
    ))?;
    for (table, names, rows) in [("rank_theta", &corpus.docs, &model.theta), ("rank_phi", &corpus.terms, &model.phi)] {
        let mut app = conn.appender_to_catalog_and_db(table, "temp", "main")?;
        for (name, row) in names.iter().zip(rows.chunks(k)) {
            let mut v: Vec<Value> = Vec::with_capacity(k + 1);
            v.push(Value::Text(name.clone()));
            v.extend(row.iter().map(|x| Value::Double(*x)));
            app.append_row(duckdb::appender_params_from_iter(v))?;
        }
        app.flush()?;
    }
    Ok(())
}

/// The scoring statement for `k` topics: `theta_dot_phi` rendered as `t.t0 * p.p0 + t.t1 * p.p1 + …` (column
/// names only; the products are added left to right, in topic order, as [`lda::Model::score`] adds them).
pub fn score_sql(k: usize) -> String {
    let dot: Vec<String> = (0..k).map(|i| format!("t.t{i} * p.p{i}")).collect();
    dialect::strip_comments(SCORE_SQL).replace("theta_dot_phi", &format!("({})", dot.join(" + ")))
}

/// Run the ordered selection `sql` (no parameters) and write its rows as spot-ml did: TAB-separated, no header, `null` for NULL, integers
/// plainly, the score as Java's `Double.toString`. At most `max` rows (0: all). Written beside `out` and renamed
/// into place. Returns (rows, values cleaned of a TAB or line break).
fn write_results(conn: &Connection, sql: &str, max: u64, out: &Path) -> Result<(u64, u64)> {
    let tmp = crate::workspace::temp_beside(out)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file());
    let mut st = conn.prepare(sql).context("preparing the results statement")?;
    let mut rows = st.query([]).context("reading the day's ranked rows")?;
    let (mut n, mut cleaned) = (0u64, 0u64);
    let mut line = String::new();
    while let Some(r) = rows.next()? {
        if max > 0 && n >= max {
            break;
        }
        line.clear();
        for i in 0..21 {
            if i > 0 {
                line.push('\t');
            }
            let v: Value = r.get(i)?;
            match v {
                Value::Null => line.push_str("null"),
                Value::Text(s) => {
                    if s.contains(['\t', '\n', '\r']) {
                        cleaned += 1;
                        line.extend(s.chars().map(|c| if matches!(c, '\t' | '\n' | '\r') { ' ' } else { c }));
                    } else {
                        line.push_str(&s);
                    }
                }
                Value::Double(x) => line.push_str(&java::double_to_string(x)),
                Value::Int(x) => line.push_str(&x.to_string()),
                Value::BigInt(x) => line.push_str(&x.to_string()),
                Value::SmallInt(x) => line.push_str(&x.to_string()),
                Value::TinyInt(x) => line.push_str(&x.to_string()),
                other => line.push_str(&crate::store::render_plain(&other)),
            }
        }
        line.push('\n');
        w.write_all(line.as_bytes()).with_context(|| format!("writing {}", tmp.path().display()))?;
        n += 1;
    }
    w.flush().with_context(|| format!("writing {}", tmp.path().display()))?;
    drop(w);
    tmp.as_file().sync_all()?;
    tmp.persist(out).with_context(|| format!("writing {}", out.display()))?;
    Ok((n, cleaned))
}

/// What a ranker-made results file was made from: when any of it changes, `run` ranks again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MadeFrom {
    /// The tool and its version (the word rules are the tool's).
    pub tool: String,
    pub date: String,
    /// sha256 of every Parquet file of the raw day the ranker read (text logs as proxy-oa wrote them, Spot's files as
    /// they are), sorted: the same whether the day came from `--raw` or from the workspace.
    pub raw: Vec<String>,
    /// The `[rank]` settings.
    pub rank: RankCfg,
    /// sha256 of the imported top-domain list (`None`: no list).
    pub topdomains: Option<String>,
    /// The feedback files read: (path within the workspace, sha256).
    pub feedback: Vec<(String, String)>,
}

/// `proxy_results.rank.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    made_from: MadeFrom,
    /// [`MadeFrom`] as one line of JSON: what is compared.
    key: String,
    results_sha256: String,
    rows: u64,
}

impl MadeFrom {
    /// For `day` from the raw Parquet files' sha256, the config and the other inputs.
    pub fn new(day: Day, raw_sha256: &[String], cfg: &RankCfg, extra: &Extra) -> MadeFrom {
        let mut raw = raw_sha256.to_vec();
        raw.sort();
        MadeFrom {
            tool: format!("proxy-oa {}", env!("CARGO_PKG_VERSION")),
            date: day.compact(),
            raw,
            rank: cfg.clone(),
            topdomains: extra.top_sha256.clone(),
            feedback: extra.feedback_files.clone(),
        }
    }

    fn key(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The sha256 of each of the raw day's Parquet files.
pub fn parquet_sha256(files: &[PathBuf]) -> Result<Vec<String>> {
    files.iter().map(|p| crate::digest::file_sha256_remembered(p).map(|(_, s)| s)).collect()
}

/// What the day's folder holds as its results file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Have {
    /// No results file.
    Nothing,
    /// A results file the ranker did not write (fetched or put there by hand): it is used as it is.
    Given,
    /// A file the ranker wrote from the same inputs.
    Current,
    /// A file the ranker wrote from other inputs (or changed since): to be made again.
    Stale,
}

/// Whether `data_dir`'s results file is there, the ranker's, and made from `made_from`.
pub fn current(data_dir: &Path, made_from: &MadeFrom) -> Result<Have> {
    let results = data_dir.join(RESULTS_FILE);
    if !results.is_file() {
        return Ok(Have::Nothing);
    }
    let record = data_dir.join(MADE_FROM_FILE);
    let bytes = match std::fs::read(&record) {
        Ok(b) => b,
        // No record: the ranker did not write this file.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Have::Given),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("reading {}", record.display()))),
    };
    let Ok(rec) = serde_json::from_slice::<Record>(&bytes) else {
        // Only the ranker writes the record: one that does not read vouches for nothing, so the file is made again.
        log::warn!("{}: not a record proxy-oa can read; the results file is made again", record.display());
        return Ok(Have::Stale);
    };
    let (_, sha) = crate::digest::file_sha256(&results)?;
    if sha != rec.results_sha256 {
        // Replaced since (a fetch, or by hand): not the ranker's any more.
        return Ok(Have::Given);
    }
    Ok(if rec.key == made_from.key() { Have::Current } else { Have::Stale })
}

/// The day's other inputs: the top-domain list from `cache.sqlite`, the benign feedback of the day and of
/// `[rank] feedback_days` days before it.
pub fn extra(ws: &Workspace, cfg: &Config, day: Day) -> Result<Extra> {
    let cache = crate::enrich::cache::Cache::open(&ws.cache_path())?;
    let (top, top_sha256) = cache.topdomains()?;
    let mut ex = Extra { top, top_sha256, ..Default::default() };
    for back in 0..=cfg.rank.feedback_days {
        let Some(d) = day.days_before(back) else { continue };
        let path = ws.data_dir(d).join(crate::workspace::FEEDBACK_FILE);
        if let Some((rows, sha)) = feedback::read(&path)? {
            let rel = path.strip_prefix(ws.root()).unwrap_or(&path).display().to_string();
            ex.feedback_files.push((rel, sha));
            ex.feedback.extend(rows);
        }
    }
    Ok(ex)
}

/// Rank `day` from the raw Parquet files `parquet` into the day's `proxy_results.csv` with the settings of
/// `made_from` (its `[rank]`), with the record of what it was made from beside it. The `proxy` view is pointed at `parquet` for the ranking.
pub fn rank_day(
    conn: &Connection,
    ws: &Workspace,
    day: Day,
    parquet: &[PathBuf],
    extra: &Extra,
    made_from: &MadeFrom,
    corpus_out: Option<&Path>,
) -> Result<(Report, Stage)> {
    let m = Meter::start();
    crate::store::point_raw(conn, ws, parquet)?;
    let data_dir = ws.data_dir(day);
    let out = data_dir.join(RESULTS_FILE);
    // The old record goes first: should the ranking fail half-way, no record vouches for the file.
    remove_record(&data_dir)?;
    let report = rank(conn, day, &made_from.rank, extra, &out, corpus_out)?;
    write_record(&data_dir, made_from, report.rows_written)?;
    let mut stage = report.stage();
    stage.outputs.push(data_dir.join(MADE_FROM_FILE));
    let stage = m.finish(stage);
    Ok((report, stage))
}

/// Write the record of what the day's results file in `data_dir` (of `rows` rows) was made from.
fn write_record(data_dir: &Path, made_from: &MadeFrom, rows: u64) -> Result<PathBuf> {
    let (_, sha) = crate::digest::file_sha256(&data_dir.join(RESULTS_FILE))?;
    let record = data_dir.join(MADE_FROM_FILE);
    let rec = Record { key: made_from.key(), made_from: made_from.clone(), results_sha256: sha, rows };
    let tmp = crate::workspace::temp_beside(&record)?;
    serde_json::to_writer_pretty(tmp.as_file(), &rec)?;
    tmp.as_file().write_all(b"\n")?;
    tmp.persist(&record).with_context(|| format!("writing {}", record.display()))?;
    Ok(record)
}

/// Remove the record beside the day's results file, if any (before the file is replaced: should that fail half-way,
/// no record vouches for it).
fn remove_record(data_dir: &Path) -> Result<()> {
    let record = data_dir.join(MADE_FROM_FILE);
    match std::fs::remove_file(&record) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("removing {}", record.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-memory connection with an empty `proxy` table (the raw columns and the partitions y/m/d as text), and
    /// over it the view `proxy_stored` of the store (its rows as rows of proxy-oa's own files: `ours`, and `h`).
    fn proxy_table() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        let cols: Vec<String> = crate::schema::PROXY
            .columns
            .iter()
            .map(|(c, t)| format!("{} {}", crate::schema::quoted(c), t.duckdb()))
            .collect();
        conn.execute_batch(crate::schema::RAW_RULES).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE proxy ({}, y VARCHAR, m VARCHAR, d VARCHAR);
             CREATE VIEW proxy_stored AS SELECT *, true AS ours, {} AS h FROM proxy;",
            cols.join(", "),
            crate::schema::hour_of("p_time")
        ))
        .unwrap();
        conn
    }

    /// A connection with the word macros over a `proxy` table of the given rows (time, host, method, agent,
    /// content type, code, fulluri) on 2016-10-03, `bronto` on the top-domain list and `intel` safe.
    fn words_of(rows: &[[&str; 7]]) -> Vec<String> {
        let conn = proxy_table();
        for r in rows {
            conn.execute(
                "INSERT INTO proxy (p_date, p_time, clientip, host, reqmethod, useragent, resconttype, respcode,
                                    fulluri, y, m, d)
                 VALUES ('2016-10-03', ?, '127.0.0.1', ?, ?, ?, ?, ?, ?, '2016', '10', '03')",
                duckdb::params![r[0], r[1], r[2], r[3], r[4], r[5], r[6]],
            )
            .unwrap();
        }
        let cfg = RankCfg { safe_domains: vec!["intel".into()], ..RankCfg::default() };
        let extra = Extra { top: vec!["bronto".into()], ..Default::default() };
        inputs(&conn, &cfg, &extra).unwrap();
        macros(&conn).unwrap();
        let day: Day = "20161003".parse().unwrap();
        execute(&conn, &statements(CORPUS_SQL), &params(day, &cfg)).unwrap();
        let mut st = conn.prepare("SELECT word FROM rank_words() ORDER BY p_time").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn spot_mls_own_word_cases() {
        // ProxyWordCreationTest (spot-ml 63169ba): the ten rows and the ten words it expects.
        let long = "maw.bronto.com/sites/c37i4q22szvir8ga3m8mtxaft7gwnm5fio8hfxo35mu81absi1/carts\
                    /4b3a313d-50f6-4117-8ffd-4e804fd354ef/fiddle";
        let b = "maw.bronto.com";
        let s = "Safari/537.36";
        let cases: [([&str; 7], &str); 10] = [
            (["00:57:36", "intel.com", "PUT", "Mozilla/5.0", "text/plain", "202", "ab"], "2_0_PUT_4_text_0_1_202"),
            (["01:57:36", b, "PUT", s, "image", "202", "abc"], "1_1_PUT_6_image_3_1_202"),
            (["02:57:36", b, "PUT", s, "image", "304", "abcd"], "1_2_PUT_7_image_3_2_304"),
            (["03:57:36", b, "PUT", s, "binary", "304", "abcde"], "1_3_PUT_8_binary_3_2_304"),
            (["10:57:36", b, "PUT", s, "binary", "206", "abcdef"], "1_10_PUT_9_binary_3_2_206"),
            (["11:57:36", b, "GET", s, "binary", "206", "abcdefghijklmnopqrstuvwxyz"], "1_11_GET_16_binary_3_4_206"),
            (["13:57:36", b, "GET", s, "text/plain", "200", "aaa"], "1_13_GET_0_text_3_1_200"),
            (["14:57:36", b, "GET", s, "text/plain", "200", "aaabbb"], "1_14_GET_4_text_3_2_200"),
            (
                ["22:57:36", b, "GET", s, "text/plain", "302", "aaaaaaaaaaabbbbbbbbbbbccccccccccc"],
                "1_22_GET_6_text_3_5_302",
            ),
            (["23:57:36", b, "GET", s, "text/plain", "302", long], "1_23_GET_17_text_3_6_302"),
        ];
        let rows: Vec<[&str; 7]> = cases.iter().map(|(r, _)| *r).collect();
        let want: Vec<&str> = cases.iter().map(|(_, w)| *w).collect();
        assert_eq!(words_of(&rows), want);
    }

    fn scalar<T: duckdb::types::FromSql>(sql: &str, arg: &str) -> T {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(WORDS_SQL).unwrap();
        conn.query_row(sql, [arg], |r| r.get(0)).unwrap()
    }

    #[test]
    fn domains_as_spot_mls_domain_processor_extracts_them() {
        for (host, want) in [
            ("hsn.mpl.miisolutions.net", "miisolutions"),
            ("www.enjazit.com.sa", "enjazit"),
            ("10.7.210.157", "None"),
            ("pippin01.asdc.lab", "None"),
            ("google.co.uk", "co"), // `co` is no generic TLD: spot-ml keeps it
            ("co.uk", "co"),
            ("com.uk", "None"),
            ("intel.com", "intel"),
            ("a.com.", "a"),
            (".uk", ""),
            ("localhost", "None"),
            ("", "None"),
            ("...", "None"),
            ("x.krd", "x"),
            ("1.0.0.127.in-addr.arpa", "None"),
        ] {
            assert_eq!(scalar::<String>("SELECT rank_domain(?)", host), want, "{host:?}");
        }
    }

    #[test]
    fn entropy_and_lengths_count_utf16_units_and_log2_is_exact_at_powers_of_two() {
        for (s, entropy, units) in [
            ("", 0.0, 0i64),
            ("a", 0.0, 1),
            ("ab", 1.0, 2),
            ("aabc", 1.5, 4),
            ("abcdefgh", 3.0, 8),
            // Two characters above U+FFFF: six UTF-16 units (a, b, two high and two low surrogates).
            ("a😀b😀", 1.918_295_834_054_489_6, 6),
            ("é", 0.0, 1),
        ] {
            let e: f64 = scalar("SELECT rank_entropy(?)", s);
            assert!((e - entropy).abs() < 1e-12, "{s:?}: {e}");
            assert_eq!(scalar::<i64>("SELECT rank_utf16_length(?)", s), units, "{s:?}");
        }
        // A value equal to a cut falls into that cut's bin.
        for (v, bin) in [("0", 0i64), ("0.0001", 1), ("1.0", 4), ("1.5", 5), ("3.0", 10), ("5.4", 18), ("7.9", 19)] {
            assert_eq!(scalar::<i64>("SELECT rank_entropy_bin(CAST(? AS DOUBLE))", v), bin, "{v}");
        }
        for k in 0..=40u32 {
            let p = 1i64 << k;
            assert_eq!(scalar::<i64>("SELECT rank_log2_int(CAST(? AS BIGINT))", &p.to_string()), i64::from(k));
            if k > 1 {
                assert_eq!(
                    scalar::<i64>("SELECT rank_log2_int(CAST(? AS BIGINT))", &(p - 1).to_string()),
                    i64::from(k) - 1
                );
            }
        }
        assert_eq!(scalar::<i64>("SELECT rank_log2_int(CAST(? AS BIGINT))", "0"), 0);
    }

    #[test]
    fn hours_and_content_types_as_java_splits_and_parses_them() {
        for (t, want) in [("07:11:11", Some(7)), ("18:25:39 PM", Some(18)), ("+7:00", Some(7)), ("-0:1", Some(0))] {
            assert_eq!(scalar::<Option<i32>>("SELECT rank_hour(?)", t), want, "{t:?}");
        }
        for t in ["", "::", " 7:00", "x", "99999999999:00"] {
            assert_eq!(scalar::<Option<i32>>("SELECT rank_hour(?)", t), None, "{t:?}");
        }
        for (ct, want) in [
            ("text/html;%20charset=UTF-8", "text"),
            ("-", "-"),
            ("", ""),
            ("/", "unknown_content_type"),
            ("//", "unknown_content_type"),
            ("/a", ""),
            ("a/", "a"),
        ] {
            assert_eq!(scalar::<String>("SELECT rank_ctype(?)", ct), want, "{ct:?}");
        }
    }

    #[test]
    fn a_day_whose_every_word_is_word_error_is_refused_and_nothing_is_written() {
        let conn = proxy_table();
        conn.execute_batch(
            "INSERT INTO proxy (p_date, p_time, clientip, host, fulluri, y, m, d)
             VALUES ('2016-10-03', 'noon', '10.0.0.1', 'a.com', 'a.com/x', '2016', '10', '03');",
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("proxy_results.csv");
        let day: Day = "20161003".parse().unwrap();
        let err = rank(&conn, day, &RankCfg::default(), &Extra::default(), &out, None).unwrap_err().to_string();
        assert!(err.contains("no raw row to rank (1 rows read, 1 of them word_error"), "{err}");
        assert!(!out.exists());
    }

    #[test]
    fn the_corpus_numbered_by_the_store_is_the_corpus_of_its_texts() {
        // Upper and lower case, digits, a non-ASCII word and a zero count: the store's numbering follows Rust's
        // byte order of the texts (else the texts would be used), and both ways give the same corpus.
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TEMP TABLE rank_corpus (clientip VARCHAR, word VARCHAR, n BIGINT, is_day BOOLEAN);
             INSERT INTO rank_corpus VALUES ('10.0.0.9', 'b_1', 2, true), ('10.0.0.10', 'B_1', 1, true),
                 ('10.0.0.9', 'é_2', 4, true), ('2001:db8::1', 'b_1', 3, true), ('10.0.0.10', 'a', 0, true),
                 ('10.0.0.10', 'Z', 5, false);",
        )
        .unwrap();
        let got = read_corpus(&conn).unwrap();
        assert_eq!(got.docs, ["10.0.0.10", "10.0.0.9", "2001:db8::1"]);
        assert_eq!(got.terms, ["B_1", "Z", "b_1", "é_2"]);
        assert_eq!(got.edges.len(), 5);
        assert_eq!(got, read_corpus_texts(&conn).unwrap());
    }

    #[test]
    fn the_scoring_expression_adds_the_products_in_topic_order() {
        assert!(score_sql(3).contains("(t.t0 * p.p0 + t.t1 * p.p1 + t.t2 * p.p2)"));
        assert!(!score_sql(3).contains("theta_dot_phi"));
    }

    #[test]
    fn statements_split_where_a_line_ends_in_a_semicolon() {
        let st = statements(CORPUS_SQL);
        assert_eq!(st.len(), 8);
        assert!(st[6].contains("rank_word_counts()"));
        assert!(
            st[0].starts_with("SET VARIABLE rank_raw_y") && st[7].contains("CREATE OR REPLACE TEMP TABLE rank_corpus")
        );
        let st = statements(&score_sql(2));
        assert_eq!(st.len(), 6);
        assert!(st[0].contains("CREATE OR REPLACE TEMP TABLE rank_low"), "the cluster runs the first alone");
        assert!(st[5].trim_start().starts_with("SELECT p_date") && st[5].contains("FROM rank_selected"));
    }
}
