//! Resetting a day's scored connections: the analyst's tables and files of the day, in one transaction.
use crate::day::Day;
use crate::error::Error;
use crate::on_day;
use crate::schema;
use crate::workspace::Workspace;
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use serde::Serialize;
use std::path::PathBuf;

use super::{FEEDBACK_FILE, INCIDENT_PREFIX};
/// The day's analyst files moved aside into a hidden folder of the day's data folder; dropped without
/// [`FilesAside::discard`], they go back where they were.
pub struct FilesAside {
    trash: Option<tempfile::TempDir>,
    moved: Vec<(PathBuf, PathBuf)>,
}

impl FilesAside {
    /// Move `ml_feedback.csv` and every `incident-progression-*.json` of the day aside.
    pub fn stage(ws: &Workspace, day: Day) -> Result<FilesAside> {
        FilesAside::stage_some(ws, day, true, true)
    }

    /// Move the feedback file (if `feedback`) and the incident-progression files (if `incidents`) aside.
    pub fn stage_some(ws: &Workspace, day: Day, feedback: bool, incidents: bool) -> Result<FilesAside> {
        let dir = ws.data_dir(day);
        let mut found = vec![];
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                for e in entries {
                    let e = e.with_context(|| format!("listing {}", dir.display()))?;
                    let name = e.file_name().to_string_lossy().into_owned();
                    let incident = name.starts_with(INCIDENT_PREFIX) && name.ends_with(".json");
                    if (feedback && name == FEEDBACK_FILE) || (incidents && incident) {
                        found.push(e.path());
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("listing {}", dir.display())),
        }
        found.sort();
        if found.is_empty() {
            return Ok(FilesAside { trash: None, moved: vec![] });
        }
        let trash = tempfile::Builder::new()
            .prefix(".proxy-oa-reset-")
            .tempdir_in(&dir)
            .with_context(|| format!("creating a folder in {}", dir.display()))?;
        let mut aside = FilesAside { trash: None, moved: vec![] };
        for p in found {
            let to = trash.path().join(p.file_name().with_context(|| format!("{}: not a file", p.display()))?);
            std::fs::rename(&p, &to).with_context(|| format!("moving {} aside", p.display()))?;
            aside.moved.push((p, to));
        }
        aside.trash = Some(trash);
        Ok(aside)
    }

    /// The files moved aside (their original paths).
    pub fn files(&self) -> Vec<PathBuf> {
        self.moved.iter().map(|(p, _)| p.clone()).collect()
    }

    /// Delete them for good.
    pub fn discard(mut self) -> Vec<PathBuf> {
        let files = self.files();
        self.moved.clear();
        drop(self.trash.take());
        files
    }
}

impl Drop for FilesAside {
    fn drop(&mut self) {
        for (orig, aside) in self.moved.drain(..) {
            if let Err(e) = std::fs::rename(&aside, &orig) {
                log::error!("could not put {} back from {}: {e}", orig.display(), aside.display());
            }
        }
    }
}

/// Rows a reset changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ResetCounts {
    /// `proxy_scores` rows whose `uri_sev` went back to 0.
    pub uri_sev_rows: u64,
    pub threat_investigation: u64,
    pub storyboard: u64,
    pub timeline: u64,
}

/// The table part of a reset, inside the caller's transaction.
pub fn reset_tables(conn: &Connection, day: Day) -> Result<ResetCounts> {
    let (y, m, d) = day.ymd();
    let uri_sev_rows = conn.execute(
        concat!("UPDATE proxy_scores SET uri_sev = 0 WHERE ", on_day!(), " AND uri_sev IS DISTINCT FROM 0"),
        params![y, m, d],
    )? as u64;
    let mut n = [0u64; 3];
    for (i, t) in schema::ANALYST_TABLES.iter().enumerate() {
        // Table names are constants.
        n[i] = conn.execute(&format!(concat!("DELETE FROM {} WHERE ", on_day!()), t.name), params![y, m, d])? as u64;
    }
    Ok(ResetCounts { uri_sev_rows, threat_investigation: n[0], storyboard: n[1], timeline: n[2] })
}

/// What `reset` removed.
#[derive(Debug, Clone, Serialize)]
pub struct ResetReport {
    pub date: String,
    #[serde(flatten)]
    pub counts: ResetCounts,
    pub files: Vec<PathBuf>,
}

impl ResetReport {
    /// Lines for the user.
    pub fn to_text(&self) -> String {
        let c = &self.counts;
        let mut s = format!(
            "reset {}: {} proxy_scores rows back to uri_sev 0; removed {} proxy_threat_investigation, {} \
             proxy_storyboard and {} proxy_timeline rows",
            self.date, c.uri_sev_rows, c.threat_investigation, c.storyboard, c.timeline
        );
        if self.files.is_empty() {
            s.push_str("; no analyst files\n");
        } else {
            s.push_str(&format!(" and {} files:\n", self.files.len()));
            for f in &self.files {
                s.push_str(&format!("  {}\n", f.display()));
            }
        }
        s
    }
}

/// Reset the day's scored connections: `uri_sev` back to 0; the day's threat investigation, storyboard and
/// timeline rows, incident-progression files and feedback file removed; all or nothing.
pub fn reset(ws: &Workspace, conn: &mut Connection, day: Day) -> Result<ResetReport> {
    let aside = FilesAside::stage(ws, day)?;
    let tx = conn.transaction()?;
    let counts = reset_tables(&tx, day)?;
    tx.commit().map_err(|e| Error::Load(format!("committing the reset of {}: {e}", day.compact())))?;
    let files = aside.discard();
    Ok(ResetReport { date: day.compact(), counts, files })
}
