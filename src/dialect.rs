//! The day's set-based statements in each engine's dialect, from one text.
//!
//! `schema/proxy_edge.sql`, `schema/proxy_ingest_summary.sql` and `schema/analyst_raw_rows.sql` are written once,
//! in the SQL that DuckDB, Spark SQL and Impala share (no `||`, no `::`, no DuckDB-only function, every derived
//! table named, `NULLS LAST` spelled out). Each reads three relations that the dialect defines in a `WITH` clause:
//!
//! - `raw_day`: the raw day with the value rules applied (Spot's 28 columns and `h`, the hour as two digits);
//! - `raw_stored`: the same rows as stored, no rule applied, and `ours` (true where the values follow the rules
//!   already: the files proxy-oa wrote; false on the cluster), for a statement that counts or keeps rows first and
//!   applies the rules (`proxy_late_text`) to what it keeps;
//! - `scores_day`: the day's `proxy_scores` rows (`tdate`, `s_time` = `time`, `clientip`, `fulluri`, `hash`);
//! - `iana`: the response-code names (`code`, `name`).
//!
//! Values are never part of the text: each statement names parameters `$date`, `$edge_rows`, bound by DuckDB
//! locally and passed as client variables (`--hivevar` / `--var`) on the cluster, where they are validated
//! [`Day`] values and numbers. The scalar macros of `schema/raw.sql` and `schema/macros.sql`, which the store
//! knows, are expanded in place for the cluster, so a rule has one definition everywhere.

use crate::day::Day;
use crate::schema::{self, Table, Type};

/// An engine the day's statements run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// The local store.
    DuckDb,
    /// Spark SQL / HiveQL through `beeline` (`${hivevar:x}`).
    Spark,
    /// Impala through `impala-shell` (`${var:x}`).
    Impala,
}

/// A statement's parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Text(String),
    Int(i64),
    Float(f64),
}

impl Param {
    /// The value as a client variable gets it.
    pub fn text(&self) -> String {
        match self {
            Param::Text(s) => s.clone(),
            Param::Int(i) => i.to_string(),
            // The shortest text that reads back as the same double.
            Param::Float(f) => f.to_string(),
        }
    }

    /// The value for DuckDB.
    pub fn duckdb(&self) -> duckdb::types::Value {
        match self {
            Param::Text(s) => duckdb::types::Value::Text(s.clone()),
            Param::Int(i) => duckdb::types::Value::BigInt(*i),
            Param::Float(f) => duckdb::types::Value::Double(*f),
        }
    }
}

/// One of the shared statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query {
    /// `proxy_edge` (`schema/proxy_edge.sql`).
    Edge,
    /// `proxy_ingest_summary` (`schema/proxy_ingest_summary.sql`).
    IngestSummary,
    /// The raw rows a storyboard needs, brought back from the cluster (`schema/analyst_raw_rows.sql`).
    AnalystRawRows,
}

impl Query {
    /// The shared text.
    pub fn text(self) -> &'static str {
        match self {
            Query::Edge => include_str!("../schema/proxy_edge.sql"),
            Query::IngestSummary => include_str!("../schema/proxy_ingest_summary.sql"),
            Query::AnalystRawRows => include_str!("../schema/analyst_raw_rows.sql"),
        }
    }

    /// The table whose data columns the statement selects, in order.
    pub fn table(self) -> Table {
        match self {
            Query::Edge => schema::PROXY_EDGE,
            Query::IngestSummary => schema::PROXY_INGEST_SUMMARY,
            Query::AnalystRawRows => schema::PROXY,
        }
    }

    /// The statement as a subquery body ([`body`]).
    pub fn body(self) -> String {
        body(self.text())
    }
}

/// Most raw rows kept per edge in `proxy_edge` (Spot's 250): the statement's `$edge_rows`, here and on the cluster.
pub const EDGE_ROWS: i64 = 250;

/// Every parameter a statement may name, for `day`.
pub fn params(day: Day) -> Vec<(&'static str, Param)> {
    let (ry, rm, rd) = day.raw_partition();
    vec![
        ("date", Param::Text(day.iso())),
        ("edge_rows", Param::Int(EDGE_ROWS)),
        ("raw_y", Param::Text(ry)),
        ("raw_m", Param::Text(rm)),
        ("raw_d", Param::Text(rd)),
        ("oa_y", Param::Int(day.y().into())),
        ("oa_m", Param::Int(day.m().into())),
        ("oa_d", Param::Int(day.d().into())),
    ]
}

/// The local form of `q`: `INSERT INTO <table>` of the day, with the `$name` parameters as DuckDB's `$1, $2, ...`
/// and their values in that order.
pub fn local(q: Query, day: Day) -> (String, Vec<duckdb::types::Value>) {
    let t = q.table();
    let raw = local_raw(q);
    let ctes = format!(
        "WITH scores_day AS (SELECT tdate, \"time\" AS s_time, clientip, fulluri, hash FROM proxy_scores\n\
                            WHERE y = $oa_y AND m = $oa_m AND d = $oa_d),\n\
         {raw},\niana AS (SELECT code, name FROM lk_iana)\n"
    );
    let sql = format!(
        "{ctes}INSERT INTO {} ({}, y, m, d)\nSELECT q.*, $oa_y, $oa_m, $oa_d FROM (\n{}\n) AS q",
        t.name,
        t.column_list(),
        q.body()
    );
    bind(&sql, &params(day))
}

/// The raw relation `q` reads, in the store: `raw_stored` (the day of `proxy_stored`) for a text that names it,
/// else `raw_day`, the `proxy` view's day. For `proxy_edge`, which keeps the few raw rows of the day's edges,
/// `raw_day` is the day's rows as stored kept by the ruled values of their edge's columns (client IP, URI, hour)
/// first and only those rows' other columns through the value rules: the same rows, with the rules applied to the
/// rows kept instead of every raw row (BENCHMARKS.md, "value rules late").
fn local_raw(q: Query) -> String {
    if q.text().contains("raw_stored") {
        return "raw_stored AS (SELECT * FROM proxy_stored WHERE y = $raw_y AND m = $raw_m AND d = $raw_d)".into();
    }
    match q {
        Query::Edge => raw_day_kept(
            "(SELECT DISTINCT clientip, fulluri,\n                      \
             lpad(CAST(CAST(trim(split_part(s_time, ':', 1)) AS INT) AS STRING), 2, '0') AS h\n               \
             FROM scores_day WHERE tdate = $date) AS e",
            &format!(
                "{} = e.clientip AND {} = e.fulluri AND s.h = e.h",
                schema::ruled_column("clientip", "s."),
                schema::ruled_column("fulluri", "s.")
            ),
            "s.y = $raw_y AND s.m = $raw_m AND s.d = $raw_d",
        ),
        _ => "raw_day AS (SELECT * FROM proxy WHERE y = $raw_y AND m = $raw_m AND d = $raw_d)".to_string(),
    }
}

/// `raw_day AS (...)` in the store as the rows of `proxy_stored` (`s`) of the day `day` that `keys` holds by the
/// condition `on` (over the rows' ruled key columns, [`schema::ruled_column`]), with every column through the
/// value rules after they are kept: the value rules late, for a statement that keeps few rows of the day.
pub fn raw_day_kept(keys: &str, on: &str, day: &str) -> String {
    format!(
        "raw_day AS (\n  SELECT {}, kept.y, kept.m, kept.d, kept.h\n  FROM (\n    SELECT s.* FROM proxy_stored AS s\n    \
         SEMI JOIN {keys}\n      ON {on}\n    WHERE {day}\n  ) AS kept\n)",
        schema::ruled_columns("kept.").join(",\n         ")
    )
}

/// `sql` with its `$name` parameters as DuckDB's `$1, $2, ...` and their values from `all` in that order (a name
/// `all` does not hold is a programming error).
pub fn bind(sql: &str, all: &[(&str, Param)]) -> (String, Vec<duckdb::types::Value>) {
    let mut order: Vec<String> = vec![];
    let text = replace_params(sql, |name| {
        let i = match order.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                order.push(name.to_string());
                order.len() - 1
            }
        };
        format!("${}", i + 1)
    });
    let values = order
        .iter()
        .map(|n| all.iter().find(|(k, _)| k == n).unwrap_or_else(|| panic!("unknown parameter ${n}")).1.duckdb())
        .collect();
    (text, values)
}

/// The names of a cluster day's working tables (in `${dbname}`), for `day`: the uploads (`scores`, `iana`,
/// `findings`) and
/// what the day's statements write (`edge`, `summary`, `raw`).
pub struct Staging {
    pub scores: String,
    pub iana: String,
    /// The day's `proxy_findings`, made here and published with the rest.
    pub findings: String,
    pub edge: String,
    pub summary: String,
    pub raw: String,
}

impl Staging {
    pub fn new(day: Day) -> Staging {
        let name = |what: &str| format!("proxy_oa_stage_{what}_{}", day.compact());
        Staging {
            scores: name("scores"),
            iana: name("iana"),
            findings: name("findings"),
            edge: name("edge"),
            summary: name("summary"),
            raw: name("raw"),
        }
    }
}

/// A client variable reference in `dialect`.
pub fn var(dialect: Dialect, name: &str) -> String {
    match dialect {
        Dialect::Spark => format!("${{hivevar:{name}}}"),
        Dialect::Impala | Dialect::DuckDb => format!("${{var:{name}}}"),
    }
}

/// `` `c` `` quoted for Spark and Impala.
fn backticked(c: &str) -> String {
    format!("`{c}`")
}

/// The cluster form of `q`: `INSERT OVERWRITE TABLE <target>` over the cluster's `proxy` table and the day's
/// uploaded working tables, macros expanded, parameters as client variables.
pub fn cluster(q: Query, dialect: Dialect, day: Day, target: &str) -> String {
    assert!(dialect != Dialect::DuckDb, "the local form is dialect::local");
    let db = var(dialect, "dbname");
    let st = Staging::new(day);
    let raw = match q.text().contains("raw_stored") {
        true => raw_stored_cte(dialect),
        false => raw_day_cte(dialect),
    };
    let ctes = format!(
        "WITH {raw},\nscores_day AS (SELECT tdate, `time` AS s_time, clientip, fulluri, hash FROM {db}.{}),\n\
         iana AS (SELECT code, name FROM {db}.{})\n",
        st.scores, st.iana
    );
    let sql = format!("{ctes}INSERT OVERWRITE TABLE {db}.{target}\n{}", q.body());
    render(&sql, dialect, &macros(), &params(day))
}

/// `raw_day AS (...)` on the cluster: the day's partition of `${dbname}.proxy` with the value rules applied to
/// every column (as the store's `proxy` view applies them to Spot's own files), its rows of `$date` only, and `h`.
pub fn raw_day_cte(dialect: Dialect) -> String {
    let db = var(dialect, "dbname");
    format!(
        "raw_day AS (\n  SELECT v.*, lpad(split_part(v.p_time, ':', 1), 2, '0') AS h FROM (\n    SELECT {}\n    \
         FROM {db}.proxy WHERE y = $raw_y AND m = $raw_m AND d = $raw_d\n  ) AS v\n  WHERE v.p_date = $date\n)",
        ruled_columns().join(",\n           ")
    )
}

/// `raw_stored AS (...)` on the cluster: the day's partition of `${dbname}.proxy` as stored (no rule applied; `ours`
/// false: Spot's values), its rows of `$date` only (the date through the rules, as [`raw_day_cte`] keeps them).
pub fn raw_stored_cte(dialect: Dialect) -> String {
    let db = var(dialect, "dbname");
    format!(
        "raw_stored AS (\n  SELECT t.*, false AS ours FROM {db}.proxy AS t\n  \
         WHERE t.y = $raw_y AND t.m = $raw_m AND t.d = $raw_d AND proxy_text(t.p_date) = $date\n)"
    )
}

/// Spot's raw columns of the cluster's `proxy` table read through the value rules (`proxy_int`, `proxy_text`),
/// each under its own name.
pub fn ruled_columns() -> Vec<String> {
    schema::PROXY
        .columns
        .iter()
        .map(|(c, t)| {
            let rule = if *t == Type::Int { "proxy_int" } else { "proxy_text" };
            format!("{rule}({q}) AS {q}", q = backticked(c))
        })
        .collect()
}

/// A cluster statement in `dialect`: `macros` expanded in place, the `$name` parameters as client variables
/// (quoted when `all` holds text; a name `all` does not hold is a programming error).
pub fn render(sql: &str, dialect: Dialect, macros: &[Macro], all: &[(&str, Param)]) -> String {
    let sql = expand_macros(sql, macros);
    // proxy_referer_uri's group reference: `\1` in DuckDB's and Impala's RE2 (a backslash written twice in an
    // Impala literal), `$1` in Java's replacement strings (Spark).
    let sql = match dialect {
        Dialect::Spark => sql.replace("'\\1'", "'$1'"),
        _ => sql.replace("'\\1'", "'\\\\1'"),
    };
    replace_params(&sql, |name| {
        let p = &all.iter().find(|(k, _)| *k == name).unwrap_or_else(|| panic!("unknown parameter ${name}")).1;
        match p {
            Param::Text(_) => format!("'{}'", var(dialect, name)),
            Param::Int(_) | Param::Float(_) => var(dialect, name),
        }
    })
}

/// `sql` with each `$name` parameter for which `f` gives a text written as that text (the others stay).
pub fn rename_params(sql: &str, f: impl Fn(&str) -> Option<String>) -> String {
    replace_params(sql, |name| f(name).unwrap_or_else(|| format!("${name}")))
}

/// `sql` with each `$name` parameter written as the bare name (a shared text made the body of a store macro whose
/// parameters have those names).
pub fn params_as_names(sql: &str) -> String {
    replace_params(sql, |name| name.to_string())
}

/// A shared text as a subquery body: its comment lines and its final `;` dropped.
pub fn body(text: &str) -> String {
    strip_comments(text).trim_end().trim_end_matches(';').to_string()
}

/// A text without its `--` comment lines (whole lines only: a `--` inside a string stays).
pub fn strip_comments(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n")
}

/// Replace every `$name` outside string literals and quoted names (a `${...}` client variable is left alone).
fn replace_params(sql: &str, mut f: impl FnMut(&str) -> String) -> String {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => {
                let end = quoted_end(b, i, q);
                out.push_str(&sql[i..end]);
                i = end;
            }
            b'$' if i + 1 < b.len() && (b[i + 1].is_ascii_alphabetic() || b[i + 1] == b'_') => {
                let end = ident_end(b, i + 1);
                out.push_str(&f(&sql[i + 1..end]));
                i = end;
            }
            _ => {
                let Some(ch) = sql[i..].chars().next() else { break };
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// The index after a quoted token starting at `i` (doubled quotes stay inside).
fn quoted_end(b: &[u8], i: usize, q: u8) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == q {
            if j + 1 < b.len() && b[j + 1] == q {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    b.len()
}

/// Whether a name starts at `i`: a letter or `_` not inside another name and not after a `.` (`t.v` is a column
/// of `t`, never a parameter or macro).
fn word_starts(b: &[u8], i: usize) -> bool {
    (b[i].is_ascii_alphabetic() || b[i] == b'_')
        && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'.'))
}

fn ident_end(b: &[u8], mut j: usize) -> usize {
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
        j += 1;
    }
    j
}

/// A scalar macro of the store (`CREATE OR REPLACE MACRO name(a, b) AS expr;`).
#[derive(Debug, Clone)]
pub struct Macro {
    pub name: String,
    pub params: Vec<String>,
    pub body: String,
}

/// The store's scalar macros (value rules and shared rules); table macros are left out.
pub fn macros() -> Vec<Macro> {
    let mut v = parse_macros(schema::RAW_RULES);
    v.extend(parse_macros(schema::MACROS));
    v
}

/// The scalar macros of a DuckDB script (`CREATE OR REPLACE [TEMP] MACRO`).
pub fn parse_macros(script: &str) -> Vec<Macro> {
    let text = strip_comments(script).replace("CREATE OR REPLACE TEMP MACRO ", "CREATE OR REPLACE MACRO ");
    let head = "CREATE OR REPLACE MACRO ";
    let mut out = vec![];
    let mut rest = text.as_str();
    while let Some(at) = rest.find(head) {
        rest = &rest[at + head.len()..];
        let Some(open) = rest.find('(') else { break };
        let Some(close) = rest.find(')') else { break };
        let name = rest[..open].trim().to_string();
        let params = rest[open + 1..close].split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
        let after = rest[close + 1..].trim_start();
        let Some(after) = after.strip_prefix("AS") else { continue };
        let after = after.trim_start();
        if after.starts_with("TABLE") {
            continue;
        }
        let b = after.as_bytes();
        let mut j = 0;
        while j < b.len() && b[j] != b';' {
            j = if matches!(b[j], b'\'' | b'"') { quoted_end(b, j, b[j]) } else { j + 1 };
        }
        out.push(Macro { name, params, body: after[..j].trim().to_string() });
        rest = &after[j.min(after.len())..];
    }
    out
}

/// `sql` with every call of a macro of `macros` replaced by its body (arguments in parentheses), repeatedly, so
/// macros calling macros expand too.
pub fn expand_macros(sql: &str, macros: &[Macro]) -> String {
    let mut text = sql.to_string();
    for _ in 0..16 {
        let (next, changed) = expand_once(&text, macros);
        text = next;
        if !changed {
            return text;
        }
    }
    panic!("macros nested more than 16 deep");
}

fn expand_once(sql: &str, macros: &[Macro]) -> (String, bool) {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut changed = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if matches!(c, b'\'' | b'"' | b'`') {
            let end = quoted_end(b, i, c);
            out.push_str(&sql[i..end]);
            i = end;
            continue;
        }
        if word_starts(b, i) {
            let end = ident_end(b, i);
            let word = &sql[i..end];
            let mut k = end;
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            if let (Some(m), true) =
                (macros.iter().find(|m| m.name.eq_ignore_ascii_case(word)), k < b.len() && b[k] == b'(')
            {
                let (args, after) = call_args(sql, k);
                assert_eq!(
                    args.len(),
                    m.params.len(),
                    "{}: {} arguments, {} expected",
                    m.name,
                    args.len(),
                    m.params.len()
                );
                out.push('(');
                out.push_str(&substitute(&m.body, &m.params, &args));
                out.push(')');
                i = after;
                changed = true;
                continue;
            }
            out.push_str(word);
            i = end;
            continue;
        }
        let Some(ch) = sql[i..].chars().next() else { break };
        out.push(ch);
        i += ch.len_utf8();
    }
    (out, changed)
}

/// The top-level arguments of a call whose `(` is at `open`, and the index after its `)`.
fn call_args(sql: &str, open: usize) -> (Vec<String>, usize) {
    let b = sql.as_bytes();
    let (mut depth, mut j, mut start) = (0usize, open, open + 1);
    let mut args = vec![];
    while j < b.len() {
        match b[j] {
            q @ (b'\'' | b'"' | b'`') => {
                j = quoted_end(b, j, q);
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    let last = sql[start..j].trim();
                    if !last.is_empty() || !args.is_empty() {
                        args.push(last.to_string());
                    }
                    return (args, j + 1);
                }
            }
            b',' if depth == 1 => {
                args.push(sql[start..j].trim().to_string());
                start = j + 1;
            }
            _ => {}
        }
        j += 1;
    }
    panic!("unbalanced parentheses in {sql}");
}

/// `body` with each parameter name (a whole word, not after a `.`, outside quotes) replaced by its argument in
/// parentheses.
fn substitute(body: &str, params: &[String], args: &[String]) -> String {
    let b = body.as_bytes();
    let mut out = String::with_capacity(body.len() * 2);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if matches!(c, b'\'' | b'"' | b'`') {
            let end = quoted_end(b, i, c);
            out.push_str(&body[i..end]);
            i = end;
            continue;
        }
        if word_starts(b, i) {
            let end = ident_end(b, i);
            let word = &body[i..end];
            match params.iter().position(|p| p.eq_ignore_ascii_case(word)) {
                Some(k) => {
                    out.push('(');
                    out.push_str(&args[k]);
                    out.push(')');
                }
                None => out.push_str(word),
            }
            i = end;
            continue;
        }
        let Some(ch) = body[i..].chars().next() else { break };
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> Day {
        "20161211".parse().unwrap()
    }

    #[test]
    fn macros_expand_with_their_arguments_and_nest() {
        let m = parse_macros(
            "-- c\nCREATE OR REPLACE MACRO f(v) AS CASE WHEN v = 'v' THEN g(v, 1) ELSE t.v END;\n\
             CREATE OR REPLACE MACRO g(a, b) AS a + b;\nCREATE OR REPLACE MACRO tab(x) AS TABLE SELECT x;\n",
        );
        assert_eq!(m.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["f", "g"]);
        let got = expand_macros("SELECT f(r.a), 'f(x)', F (coalesce(b, 2)) FROM x", &m);
        assert_eq!(
            got,
            "SELECT (CASE WHEN (r.a) = 'v' THEN (((r.a)) + (1)) ELSE t.v END), 'f(x)', \
             (CASE WHEN (coalesce(b, 2)) = 'v' THEN (((coalesce(b, 2))) + (1)) ELSE t.v END) FROM x"
        );
    }

    #[test]
    fn every_store_macro_the_cluster_needs_is_portable() {
        let m = macros();
        for name in ["proxy_text", "proxy_int", "proxy_respcode_name", "proxy_referer_uri"] {
            let mac = m.iter().find(|x| x.name == name).unwrap_or_else(|| panic!("{name}"));
            for bad in ["||", "::", "VARCHAR", "starts_with", "ends_with", "INTEGER", "[2:"] {
                assert!(!mac.body.contains(bad), "{name} uses {bad}: {}", mac.body);
            }
        }
    }

    #[test]
    fn the_local_form_binds_every_parameter_in_order() {
        let (sql, _) = local(Query::IngestSummary, day());
        assert!(sql.contains("raw_stored AS (SELECT * FROM proxy_stored WHERE y = $4 AND m = $5 AND d = $6)"), "{sql}");
        assert!(!sql.contains("raw_day"), "{sql}");
        // The edges' raw rows are kept by their edge's ruled columns before the other columns are ruled.
        let (sql, values) = local(Query::Edge, day());
        assert!(sql.starts_with("WITH scores_day AS (SELECT tdate, \"time\" AS s_time"), "{sql}");
        assert!(sql.contains("FROM proxy_stored AS s\n    SEMI JOIN") && !sql.contains("FROM proxy WHERE"), "{sql}");
        assert!(!sql.contains("$raw") && !sql.contains("$date") && !sql.contains("$edge_rows"), "{sql}");
        let n = (1..=values.len()).filter(|i| sql.contains(&format!("${i}"))).count();
        assert_eq!(n, values.len());
        assert!(values.contains(&duckdb::types::Value::BigInt(EDGE_ROWS)));
        assert!(values.contains(&duckdb::types::Value::Text("2016-12-11".into())));
    }

    #[test]
    fn the_cluster_form_has_no_value_and_no_duckdb_only_syntax() {
        for dialect in [Dialect::Spark, Dialect::Impala] {
            for q in [Query::Edge, Query::IngestSummary, Query::AnalystRawRows] {
                let sql = cluster(q, dialect, day(), "t");
                for v in [
                    "'2016",
                    "2016-12-11",
                    "<= 250",
                    "proxy_text",
                    "proxy_respcode_name",
                    "proxy_referer_uri",
                    "||",
                    "::",
                    "\"",
                ] {
                    // Double quotes only inside the value rules' string literals.
                    let hit = sql.replace("'\"'", "").replace("'\"%\"'", "").replace("'\"-\"'", "");
                    assert!(!hit.contains(v), "{q:?} {dialect:?} has {v}:\n{sql}");
                }
                let v = var(dialect, "date");
                assert!(sql.contains(&format!("'{v}'")), "{sql}");
            }
        }
        assert!(cluster(Query::AnalystRawRows, Dialect::Spark, day(), "t").contains("'$1'"));
        assert!(cluster(Query::AnalystRawRows, Dialect::Impala, day(), "t").contains("'\\\\1'"));
    }
}
