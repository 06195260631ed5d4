//! The feedback file spot-ml reads (`ml_feedback.csv`): its layout and its text from the store.

use super::StagedFile;
use crate::config::RESULT_FIELDS;
use crate::day::Day;
use crate::error::Error;
use crate::on_day;
use crate::schema;
use crate::store::{render_plain, Rows};
use crate::workspace::Workspace;
use anyhow::Result;
use duckdb::types::Value;
use duckdb::{params, Connection};

/// The feedback file in `data/proxy/<date>/`.
pub use crate::workspace::FEEDBACK_FILE;

/// The feedback file's header: Spot's CSV-era score-file layout (26 columns), the one `ProxyFeedback.scala` parses
/// (split on TAB, first line skipped, `uri_sev` at index 22): the results file's 21 fields, then these.
const FEEDBACK_TAIL: [&str; 5] = ["uri_rep", "uri_sev", "respcode_name", "network_context", "hash"];

/// The feedback file's 26 column names ([`RESULT_FIELDS`] then `FEEDBACK_TAIL`).
pub fn feedback_header() -> Vec<&'static str> {
    RESULT_FIELDS.iter().chain(FEEDBACK_TAIL.iter()).copied().collect()
}

/// The `proxy_scores` column written under each name of [`feedback_header`]: the same name, but where
/// `proxy_scores` renames a results field (`p_date` is `tdate`, `p_time` is `time`, `score` is `ml_score`).
pub fn feedback_columns() -> Vec<&'static str> {
    feedback_header()
        .into_iter()
        .map(|h| match h {
            "p_date" => "tdate",
            "p_time" => "time",
            "score" => "ml_score",
            other => other,
        })
        .collect()
}

/// The day's feedback file as text, from the store: a header line ([`feedback_header`]) and every `proxy_scores`
/// row of the day with `uri_sev` > 0, in the table's order, TAB-separated, NULL as an empty field. Returns the text,
/// the rows and the Low (3) rows among them.
pub fn feedback_text(conn: &Connection, day: Day) -> Result<(String, u64, u64)> {
    let (y, m, d) = day.ymd();
    let cols: Vec<String> = feedback_columns().into_iter().map(schema::quoted).collect();
    // Column names come from the registry; the day is bound.
    let sql = format!(
        concat!("SELECT {} FROM proxy_scores WHERE ", on_day!(), " AND uri_sev > 0 {}"),
        cols.join(", "),
        schema::PROXY_SCORES.order_by()
    );
    let rows = Rows::query(conn, &sql, params![y, m, d])?;
    let header = feedback_header();
    debug_assert_eq!(rows.names.len(), header.len());
    let mut buf = header.join("\t");
    buf.push('\n');
    let mut low = 0;
    for (n, r) in rows.rows.iter().enumerate() {
        let mut fields = Vec::with_capacity(r.len());
        for (i, v) in r.iter().enumerate() {
            let s = match v {
                Value::Null => String::new(),
                other => render_plain(other),
            };
            if s.contains(['\t', '\n', '\r']) {
                return Err(Error::Data(format!(
                    "proxy_scores of {}, scored row {} (fulluri {}): {} holds a TAB or line break, which spot-ml's \
                     feedback reader (one line per row, split on TAB) cannot take",
                    day.compact(),
                    n + 1,
                    render_plain(&r[18]),
                    rows.names[i]
                ))
                .into());
            }
            fields.push(s);
        }
        if fields[22] == "3" {
            low += 1;
        }
        buf.push_str(&fields.join("\t"));
        buf.push('\n');
    }
    Ok((buf, rows.rows.len() as u64, low))
}

/// The day's feedback file, built inside the caller's transaction, not yet in place. A day without scored rows
/// has no feedback file.
pub(super) fn stage_feedback(conn: &Connection, ws: &Workspace, day: Day) -> Result<StagedFile> {
    let mut f = StagedFile::new(ws.data_dir(day).join(FEEDBACK_FILE))?;
    let (text, rows, low) = feedback_text(conn, day)?;
    f.write_all(text.as_bytes())?;
    f.rows = rows;
    f.low_rows = low;
    Ok(f)
}
