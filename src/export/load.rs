//! The loader step: a verified bundle's Parquet files go to the tables' HDFS folders through WebHDFS (under a
//! hidden temporary name, then renamed, so a concurrent query never sees a partial file), then the bundle's DDL
//! and `load.sql` run through the configured client (`impala-shell` or `beeline`), whose exit status decides.

use super::{partition, OpenBundle};
use crate::config::{Config, Engine};
use crate::engine::{client_command, hdfs_home, huser, run_client, webhdfs_namenode};
use crate::hdfs::webhdfs::{partial_name, WebHdfs};
use anyhow::{Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One file to upload.
#[derive(Debug, Clone, Serialize)]
pub struct Upload {
    /// Path inside the bundle.
    pub file: String,
    /// HDFS path of the file.
    pub hdfs: String,
    pub bytes: u64,
}

/// What `load` does, in order.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Partition folders made (and cleared of files the bundle does not carry).
    pub folders: Vec<String>,
    pub uploads: Vec<Upload>,
    /// The statements, as the client receives them.
    pub script: String,
    /// The client command line (`-f` names the script file).
    pub command: Vec<String>,
}

/// Statements only Impala knows.
fn impala_only(stmt: &str) -> bool {
    let first = stmt.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
    matches!(first.as_str(), "REFRESH" | "INVALIDATE" | "COMPUTE")
}

/// The `;`-terminated statements of a script, without `--` comment lines.
pub fn statements(text: &str) -> Vec<String> {
    let body: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("--")).collect();
    body.join("\n")
        .split(";\n")
        .map(|s| s.trim().trim_end_matches(';').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The plan for a verified bundle; `script_path` is where the script will be written.
pub fn plan(cfg: &Config, b: &OpenBundle, script_path: &Path) -> Result<Plan> {
    let impala = cfg.impala.engine == Engine::Impala;
    let mut stmts = vec![];
    if cfg.impala.create_database {
        stmts.push("CREATE DATABASE IF NOT EXISTS ${var:dbname}".to_string());
    }
    for t in &b.manifest.tables {
        let ddl = std::fs::read_to_string(b.dir.path().join(format!("schema/impala/{}.sql", t.name)))
            .with_context(|| format!("the bundle has no schema/impala/{}.sql", t.name))?;
        stmts.extend(statements(&ddl));
    }
    let load = std::fs::read_to_string(b.dir.path().join("load.sql")).context("the bundle has no load.sql")?;
    stmts.extend(statements(&load));
    stmts.retain(|s| impala || !impala_only(s));
    let mut script = stmts.join(";\n\n");
    script.push_str(";\n");
    if !impala {
        script = script.replace("${var:", "${hivevar:");
    }

    let hdfs_home = hdfs_home(cfg);
    let mut folders = vec![];
    let mut uploads = vec![];
    for t in &b.manifest.tables {
        let folder = format!("{hdfs_home}/proxy/hive/oa/{}/{}", t.location, partition(b.day));
        for f in b.manifest.files.iter().filter(|f| f.table.as_deref() == Some(t.name.as_str())) {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            uploads.push(Upload { file: f.path.clone(), hdfs: format!("{folder}/{name}"), bytes: f.bytes });
        }
        folders.push(folder);
    }
    // The analyst's files, where Spot keeps them: the feedback where spot-ml's next run reads it, the incident
    // progressions where Spot's UI looks for them (unpadded month and day, as Spot writes them).
    let carries = |t: &str| b.manifest.tables.iter().any(|x| x.name == t);
    let analyst_folders = [
        (
            carries(crate::schema::PROXY_THREAT_INVESTIGATION.name),
            format!("{hdfs_home}/proxy/scored_results/{}/feedback", b.day.compact()),
            true,
        ),
        (
            carries(crate::schema::PROXY_STORYBOARD.name),
            format!("{hdfs_home}/proxy/oa/storyboard/{}/{}/{}", b.day.y(), b.day.m(), b.day.d()),
            false,
        ),
    ];
    for (carried, folder, feedback) in analyst_folders {
        if !carried {
            continue;
        }
        for f in &b.manifest.files {
            let Some(name) = f.path.strip_prefix("analyst/") else { continue };
            if (name == crate::analyst::FEEDBACK_FILE) == feedback {
                uploads.push(Upload { file: f.path.clone(), hdfs: format!("{folder}/{name}"), bytes: f.bytes });
            }
        }
        folders.push(folder);
    }

    let vars = [("dbname".to_string(), cfg.impala.dbname.clone()), ("huser".to_string(), huser(cfg))];
    let command = client_command(cfg, &vars, script_path);
    Ok(Plan { folders, uploads, script, command })
}

/// What `load` did.
#[derive(Debug, Serialize)]
pub struct LoadReport {
    pub plan: Plan,
    /// Files removed from the partition folders (left by an earlier load or another writer).
    pub removed: Vec<String>,
    /// The client's stdout.
    pub output: String,
}

/// Upload and run. `dir` holds the script file.
pub fn execute(cfg: &Config, b: &OpenBundle, plan: Plan, script_path: &Path) -> Result<LoadReport> {
    let base = webhdfs_namenode(cfg, "the loader uploads")?;
    let client = WebHdfs::new(&cfg.hdfs)?;
    let mut removed = vec![];
    for folder in &plan.folders {
        let dir = base.with_path(folder);
        client.mkdirs(&dir)?;
        let ours: Vec<&Upload> = plan.uploads.iter().filter(|u| u.hdfs.starts_with(&format!("{folder}/"))).collect();
        // 1. every new file under a hidden name
        for u in &ours {
            let tmp = partial_name(Path::new(&u.hdfs)).display().to_string();
            client.upload(&b.dir.path().join(&u.file), &base.with_path(&tmp))?;
        }
        // 2. files the bundle does not carry go (an earlier load's or another writer's: the day is replaced)
        for e in client.list(&dir)? {
            let visible = !e.path_suffix.starts_with(['.', '_']);
            let keep = ours.iter().any(|u| u.hdfs.rsplit('/').next() == Some(e.path_suffix.as_str()));
            if visible && !keep && !e.is_dir() {
                let p = format!("{folder}/{}", e.path_suffix);
                client.delete(&base.with_path(&p))?;
                removed.push(p);
            }
        }
        // 3. renamed into place
        for u in &ours {
            let tmp = partial_name(Path::new(&u.hdfs)).display().to_string();
            client.rename(&base.with_path(&tmp), &u.hdfs)?;
        }
    }
    std::fs::write(script_path, &plan.script).with_context(|| format!("writing {}", script_path.display()))?;
    let output = run_client(&plan.command, Duration::from_secs(cfg.impala.timeout_secs))?;
    Ok(LoadReport { plan, removed, output })
}

/// Where the script goes: next to nothing else, in a temporary folder that lives as long as the bundle's.
pub fn script_path(b: &OpenBundle) -> PathBuf {
    b.dir.path().join(".proxy-oa-load.sql")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_and_impala_only_ones_are_known() {
        let s = statements("-- c\nCREATE TABLE x (\n a INT\n);\nREFRESH x PARTITION (y=1);\n\nSELECT ';' ;\n");
        assert_eq!(s, ["CREATE TABLE x (\n a INT\n)", "REFRESH x PARTITION (y=1)", "SELECT ';'"]);
        assert!(impala_only("refresh t") && impala_only("INVALIDATE METADATA t") && impala_only("COMPUTE STATS t"));
        assert!(!impala_only("ALTER TABLE t ADD PARTITION (y=1)"));
    }
}
