//! The analyst's side, on the store: scoring URIs (with the feedback file spot-ml reads), storyboards with their
//! timeline and incident progression, and resetting a day's scored connections.
//!
//! Every command changes the store in one transaction. Files that go with it (`ml_feedback.csv`,
//! `incident-progression-<md5>.json`) are written under a temporary name first and renamed into place only once the
//! transaction has committed; `reset` moves the day's files aside first and puts them back if the transaction fails.
//!
//! One unit each: `score.rs` (severities, score files, `score`), `feedback.rs` (spot-ml's `ml_feedback.csv`),
//! `views.rs` (threats, suspicious), `story.rs` (storyboard, timeline, incident progression), `reset.rs`.

mod feedback;
mod reset;
mod score;
mod story;
mod views;

pub use feedback::{feedback_columns, feedback_header, feedback_text, FEEDBACK_FILE};
pub use reset::{reset, reset_tables, FilesAside, ResetCounts, ResetReport};
pub use score::{label, read_score_file, score, ScoreReport, ScoreRequest, Scored, Severity};
pub use story::{
    incident_path, incident_progression, storyboard, timeline, IncidentProgression, Request, Story, StoryReport,
    TimelineRow, DEFAULT_TOP, INCIDENT_PREFIX,
};
pub use views::{suspicious, threats, SuspiciousFilter};

use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;

/// A file written under a temporary name in its destination's folder, renamed into place by `commit`.
pub(crate) struct StagedFile {
    pub(crate) tmp: Option<tempfile::NamedTempFile>,
    pub(crate) dest: PathBuf,
    pub(crate) rows: u64,
    pub(crate) low_rows: u64,
}

impl StagedFile {
    pub(crate) fn new(dest: PathBuf) -> Result<StagedFile> {
        let tmp = crate::workspace::temp_beside(&dest)?;
        Ok(StagedFile { tmp: Some(tmp), dest, rows: 0, low_rows: 0 })
    }

    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let tmp = self.tmp.as_mut().context("the file is open until it is committed")?;
        tmp.write_all(bytes).with_context(|| format!("writing {}", self.dest.display()))
    }

    /// Rename into place; with `rows == 0` and `remove_if_empty`, remove the destination instead.
    pub(crate) fn commit_or_remove(mut self, remove_if_empty: bool) -> Result<Option<PathBuf>> {
        let tmp = self.tmp.take().context("the file is committed once")?;
        if remove_if_empty && self.rows == 0 {
            drop(tmp);
            match std::fs::remove_file(&self.dest) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("removing {}", self.dest.display())),
            }
            return Ok(None);
        }
        tmp.as_file().sync_all().with_context(|| format!("writing {}", self.dest.display()))?;
        tmp.persist(&self.dest).with_context(|| format!("renaming into {}", self.dest.display()))?;
        Ok(Some(self.dest))
    }

    pub(crate) fn commit(self) -> Result<Option<PathBuf>> {
        self.commit_or_remove(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{schema, store};
    use duckdb::params;

    #[test]
    fn severities_parse_as_numbers_or_names() {
        for (s, v) in [("1", 1), (" 2 ", 2), ("3", 3), ("High", 1), ("medium", 2), ("LOW", 3)] {
            assert_eq!(s.parse::<Severity>().unwrap().value(), v, "{s}");
        }
        for s in ["0", "4", "-1", "", "x", "1.0"] {
            assert!(s.parse::<Severity>().is_err(), "{s}");
        }
    }

    #[test]
    fn the_feedback_header_puts_uri_sev_at_22_and_hash_last() {
        let header = feedback_header();
        assert_eq!(header.len(), 26);
        assert_eq!(header[20], "score");
        assert_eq!(header[22], "uri_sev");
        assert_eq!(header[25], "hash");
        let cols = feedback_columns();
        for c in &cols {
            assert!(schema::PROXY_SCORES.columns.iter().any(|(n, _)| n == c), "{c} is not a proxy_scores column");
        }
        assert_eq!(cols.len(), 26);
        assert_eq!(cols[22], "uri_sev");
        // Columns 0-19 are the results file's, renamed only where proxy_scores renames them.
        for (i, (h, c)) in header.iter().zip(&cols).enumerate() {
            let same = match (*h, *c) {
                ("p_date", "tdate") | ("p_time", "time") | ("score", "ml_score") => true,
                (a, b) => a == b,
            };
            assert!(same, "column {i}: header {h}, proxy_scores {c}");
        }
    }

    #[test]
    fn a_score_file_names_its_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("scores.tsv");
        std::fs::write(&p, "# comment\na.com/x\t3\n\nb.com/y\tHigh\r\nc.com/z\n").unwrap();
        let got = read_score_file(&p, Some("2".parse::<Severity>().unwrap())).unwrap();
        let v: Vec<(&str, u8, String)> =
            got.iter().map(|r| (r.uri.as_str(), r.sev.value(), r.origin.clone())).collect();
        let at = |n: usize| format!("{}:{n}", p.display());
        assert_eq!(v, vec![("a.com/x", 3, at(2)), ("b.com/y", 1, at(4)), ("c.com/z", 2, at(5))]);
        let e = read_score_file(&p, None).unwrap_err().to_string();
        assert!(e.contains(&format!("{}: no severity", at(5))), "{e}");
        std::fs::write(&p, "a.com/x\t7\n").unwrap();
        let e = read_score_file(&p, None).unwrap_err().to_string();
        assert!(e.contains(&format!("{}: field 2 (severity)", at(1))), "{e}");
    }

    #[test]
    fn the_referer_macros_strip_scheme_and_port() {
        let (conn, _ws, _dir) = store::scratch().unwrap();
        let cases = [
            ("http://a.com/x", "a.com/x", true),
            ("https://a.com:8443/x", "a.com/x", true),
            ("a.com/x", "a.com/x", true),
            ("http://a.com/", "a.com", true),
            ("http://a.com/xy", "a.com/x", false),
            ("http://b.com/page?u=http://a.com/x", "a.com/x", false),
            ("-", "a.com/x", false),
        ];
        for (referer, uri, want) in cases {
            let got: bool =
                conn.query_row("SELECT proxy_refers_to(?, ?)", params![referer, uri], |r| r.get(0)).unwrap();
            assert_eq!(got, want, "{referer} -> {uri}");
        }
    }
}
