//! The cluster's engines as proxy-oa talks to them: the client (`beeline` for a Spark Thrift Server,
//! `impala-shell` for Impala) with its command line, variables, time limit and errors; one step of statements per
//! client run; files to and from HDFS through WebHDFS; the settings these need. Used by the loader
//! ([`crate::export::load`]), the cluster run ([`crate::cluster`]) and the cluster ranking ([`crate::rank::cluster`]).

use crate::config::{Client, Config, Engine};
use crate::day::Day;
use crate::dialect::{self, Dialect};
use crate::error::Error;
use crate::hdfs::webhdfs::{partial_name, Address, WebHdfs};
use anyhow::{Context, Result};
use duckdb::{params, Connection};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `[hdfs] huser` without a trailing `/`: the HDFS home of Spot's folders, as WebHDFS paths name it.
pub fn hdfs_home(cfg: &Config) -> String {
    cfg.hdfs.huser.trim_end_matches('/').to_string()
}

/// `[hdfs] namenode` as a WebHDFS address; anything else is exit 3 saying that `purpose` goes through WebHDFS.
pub fn webhdfs_namenode(cfg: &Config, purpose: &str) -> Result<Address> {
    match crate::hdfs::Source::parse(&cfg.hdfs.namenode) {
        Ok(crate::hdfs::Source::WebHdfs(a)) => Ok(a),
        _ => Err(Error::Config(format!(
            "[hdfs] namenode {:?}: {purpose} through WebHDFS; set it to webhdfs://host:port or swebhdfs://host:port",
            cfg.hdfs.namenode
        ))
        .into()),
    }
}

/// The value of `${var:huser}` in the tables' LOCATIONs: `[impala] huser`, else `[hdfs] huser`.
pub fn huser(cfg: &Config) -> String {
    let h = if cfg.impala.huser.is_empty() { &cfg.hdfs.huser } else { &cfg.impala.huser };
    h.trim_end_matches('/').to_string()
}

/// The client's command line for `[impala]`: connection options, `vars` as `--hivevar name=value` (beeline) or
/// `--var=name=value` (impala-shell), the extra arguments, then `-f script`.
pub fn client_command(cfg: &Config, vars: &[(String, String)], script: &Path) -> Vec<String> {
    let i = &cfg.impala;
    let exe = if i.command.is_empty() { i.client.name().to_string() } else { i.command.clone() };
    let mut command = vec![exe];
    if i.client == Client::Beeline {
        command.extend(["-u".into(), i.jdbc_url.clone()]);
        if !i.user.is_empty() {
            command.extend(["-n".into(), i.user.clone()]);
        }
        for (k, v) in vars {
            command.extend(["--hivevar".into(), format!("{k}={v}")]);
        }
    } else {
        command.extend(["-i".into(), i.impalad.clone()]);
        if i.kerberos {
            command.push("-k".into());
        }
        if i.ldap {
            command.push("-l".into());
        }
        if i.ssl {
            command.push("--ssl".into());
        }
        if !i.ca_cert.is_empty() {
            let p = &i.ca_cert;
            command.push(format!("--ca_cert={p}"));
        }
        if !i.user.is_empty() {
            command.extend(["-u".into(), i.user.clone()]);
        }
        for (k, v) in vars {
            command.push(format!("--var={k}={v}"));
        }
    }
    command.extend(i.extra_args.iter().cloned());
    command.extend(["-f".into(), script.display().to_string()]);
    command
}

/// Run the client with a time limit; a failure is exit 5 with the client's stderr.
pub fn run_client(command: &[String], limit: Duration) -> Result<String> {
    let shown = command.join(" ");
    let mut child = std::process::Command::new(&command[0])
        .args(&command[1..])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| Error::Unavailable(format!("cannot run `{}` ({e}); set [impala] command", command[0])))?;
    let (Some(mut out), Some(mut err)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        return Err(Error::Unavailable(format!("`{shown}`: its output could not be read")).into());
    };
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    match status {
        None => Err(Error::Load(format!("`{shown}` did not finish within {} s; stopped it", limit.as_secs())).into()),
        Some(s) if s.success() => Ok(stdout),
        Some(s) => {
            let tail: Vec<&str> = stderr.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
            Err(Error::Load(format!("`{shown}` failed ({s}); its stderr:\n{}", tail.join("\n"))).into())
        }
    }
}

/// The address of an HDFS path for messages.
pub fn shown(cfg: &Config, path: &str) -> String {
    match Address::parse(&cfg.hdfs.namenode) {
        Ok(a) => a.with_path(path).url(),
        Err(_) => path.to_string(),
    }
}

/// One client run: its name and statements.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub name: &'static str,
    pub statements: Vec<String>,
}

/// One file crossing to or from the cluster.
#[derive(Debug, Clone, Serialize)]
pub struct Transfer {
    pub what: &'static str,
    /// The HDFS path (a folder for downloads).
    pub hdfs: String,
}

/// The dialect of the configured engine and client; the other pairs are refused (exit 3).
pub fn dialect_of(cfg: &Config) -> Result<Dialect> {
    match (cfg.impala.engine, cfg.impala.client) {
        (Engine::Spark, Client::Beeline) => Ok(Dialect::Spark),
        (Engine::Impala, Client::ImpalaShell) => Ok(Dialect::Impala),
        (e, c) => Err(Error::Config(format!(
            "[impala] engine = {:?} with client = {:?}: a run on the cluster needs engine = \"spark\" with client = \
             \"beeline\" (a Spark Thrift Server) or engine = \"impala\" with client = \"impala-shell\"",
            e.name(),
            c.name()
        ))
        .into()),
    }
}

/// The client variables of a cluster run: the database, the tables' home, then the statements' parameters.
pub fn variables(cfg: &Config, day: Day) -> Vec<(String, String)> {
    let mut v = vec![("dbname".to_string(), cfg.impala.dbname.clone()), ("huser".to_string(), huser(cfg))];
    v.extend(dialect::params(day).into_iter().map(|(k, p)| (k.to_string(), p.text())));
    v
}

/// `DROP TABLE IF EXISTS` and `CREATE EXTERNAL TABLE` of a staging table `name` (Parquet at `location`).
pub fn external_table(dialect: Dialect, name: &str, columns: &[(String, &str)], location: &str) -> [String; 2] {
    let db = dialect::var(dialect, "dbname");
    let cols: Vec<String> = columns.iter().map(|(c, ty)| format!("  `{c}` {ty}")).collect();
    [
        format!("DROP TABLE IF EXISTS {db}.{name}"),
        format!(
            "CREATE EXTERNAL TABLE {db}.{name} (\n{}\n)\nSTORED AS PARQUET\nLOCATION '{location}'",
            cols.join(",\n")
        ),
    ]
}

impl Step {
    /// The step's script as the client reads it.
    pub fn script(&self) -> String {
        let mut s = self.statements.join(";\n\n");
        s.push_str(";\n");
        s
    }
}

/// Upload `local` to the HDFS file `hdfs` (through WebHDFS at `base`) as the only file of its folder: the folder's
/// earlier content goes, the file is written under a hidden name and then renamed. Bytes sent.
pub fn upload_alone(client: &WebHdfs, base: &Address, local: &Path, hdfs: &str) -> Result<u64> {
    let folder = hdfs.rsplit_once('/').map(|x| x.0).unwrap_or_default();
    let dir = base.with_path(folder);
    client.mkdirs(&dir)?;
    for e in client.list(&dir)? {
        client.delete_tree(&dir.with_path(&format!("{folder}/{}", e.path_suffix)))?;
    }
    let tmp = partial_name(Path::new(hdfs)).display().to_string();
    let bytes = client.upload(local, &base.with_path(&tmp))?;
    client.rename(&base.with_path(&tmp), hdfs)?;
    Ok(bytes)
}

/// Every file under the HDFS folder of `d` into a folder of `work` named after it; the files and the bytes.
pub fn download_folder(client: &WebHdfs, base: &Address, d: &Transfer, work: &Path) -> Result<(Vec<PathBuf>, u64)> {
    let local = work.join(d.what.replace(' ', "_"));
    std::fs::create_dir_all(&local).with_context(|| format!("creating {}", local.display()))?;
    let (mut files, mut bytes) = (vec![], 0);
    for (rel, addr, status) in client.walk(&base.with_path(&d.hdfs))? {
        let dest = local.join(rel.replace('/', "_"));
        let bar = indicatif::ProgressBar::hidden();
        bytes += client.download(&addr, &status, &dest, &bar)?.bytes;
        files.push(dest);
    }
    Ok((files, bytes))
}

/// Where each step's script is written.
pub fn script_path(work: &Path) -> PathBuf {
    work.join("step.sql")
}

/// One client run of `step` through `command` (its script written to `script` first); its seconds. A failure
/// names the step, says what it `left`, and lists its statements' first lines, which `printed_by` prints whole
/// (exit 5, or 4 when the client could not run).
pub fn run_client_step(
    step: &Step,
    command: &[String],
    script: &Path,
    limit: Duration,
    left: &str,
    printed_by: &str,
) -> Result<f64> {
    std::fs::write(script, step.script()).with_context(|| format!("writing {}", script.display()))?;
    let t = Instant::now();
    log::info!("cluster step {}: {}", step.name, command.join(" "));
    run_client(command, limit).map_err(|e| {
        let heads: Vec<String> = step
            .statements
            .iter()
            .map(|s| format!("  {}", s.lines().find(|l| !l.trim().is_empty()).unwrap_or_default().trim()))
            .collect();
        let code = e.downcast_ref::<Error>().map_or(5, Error::exit_code);
        let msg = format!(
            "on the cluster, step {} failed; {left}. Its statements (`{printed_by}` prints them whole):\n{}\n{e:#}",
            step.name,
            heads.join("\n")
        );
        if code == 4 {
            Error::Unavailable(msg)
        } else {
            Error::Load(msg)
        }
    })?;
    Ok(t.elapsed().as_secs_f64())
}

/// Point DuckDB's variable `proxy_oa_cluster_files` at `files` (bound as one text).
pub fn point_at(tx: &Connection, files: &[PathBuf]) -> Result<()> {
    let list: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    tx.execute("SET VARIABLE proxy_oa_cluster_files = string_split(?, chr(10))", params![list.join("\n")])?;
    Ok(())
}

/// Where a cluster run keeps its files while it runs.
pub fn work_dir(ws: &crate::workspace::Workspace) -> Result<tempfile::TempDir> {
    let dir = ws.tmp_path();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    tempfile::Builder::new()
        .prefix("cluster-")
        .tempdir_in(&dir)
        .with_context(|| format!("creating a folder in {}", dir.display()))
}

/// A config for Spark SQL through beeline (the plans' unit tests).
#[cfg(test)]
pub(crate) fn spark_test_config() -> Config {
    Config::parse(
        "[hdfs]\nnamenode = \"webhdfs://nn:50070\"\nhuser = \"/user/spot\"\n[impala]\nengine = \"spark\"\n\
         client = \"beeline\"\ndbname = \"spot\"\n",
        None,
    )
    .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_pairs_that_speak_a_known_dialect_are_accepted() {
        let mut cfg = Config::parse("", None).unwrap();
        for (engine, client, ok) in [
            (Engine::Spark, Client::Beeline, true),
            (Engine::Impala, Client::ImpalaShell, true),
            (Engine::Hive, Client::Beeline, false),
            (Engine::Impala, Client::Beeline, false),
        ] {
            cfg.impala.engine = engine;
            cfg.impala.client = client;
            assert_eq!(dialect_of(&cfg).is_ok(), ok, "{engine:?} {client:?}");
        }
    }
}
