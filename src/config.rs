//! The site configuration (`config/proxy-oa.toml`) and Spot's column map (`proxy_conf.json`).
//!
//! The config file describes the data; command-line flags only tune one run. Unknown keys are
//! errors (exit 3) that name the file and the key. Relative paths resolve against the config file's folder.

use crate::bail_config;
use crate::error::Error;
use anyhow::Result;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The commented default configuration, embedded so that the binary runs with no files around it.
pub const DEFAULT_CONFIG: &str = include_str!("../config/proxy-oa.toml");
/// Spot's `proxy_conf.json` as shipped, embedded.
pub const DEFAULT_PROXY_CONF: &str = include_str!("../config/proxy_conf.json");

/// `config/proxy-oa.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// What the pipeline reads.
    #[serde(default)]
    pub pipeline: Pipeline,
    /// How the DuckDB store is opened.
    #[serde(default)]
    pub store: Store,
    /// Raw log forms.
    #[serde(default)]
    pub raw: RawCfg,
    /// Reputation services.
    #[serde(default)]
    pub reputation: ReputationCfg,
    /// The cluster's HDFS (fetch and load).
    #[serde(default)]
    pub hdfs: HdfsCfg,
    /// The SQL engine the loader step talks to.
    #[serde(default)]
    pub impala: ImpalaCfg,
    /// The embedded ranker (spot-ml's proxy model).
    #[serde(default)]
    pub rank: RankCfg,
    /// The behaviour detectors (`proxy_findings`).
    #[serde(default)]
    pub findings: FindingsCfg,
    /// Where this config came from (`None`: the embedded default); relative paths resolve against its folder.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// `[pipeline]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    /// Spot's `proxy_conf.json`; empty: the embedded copy.
    #[serde(default)]
    pub proxy_conf: String,
    /// Network-context CSV, imported into cache.sqlite when it changes; empty: none.
    #[serde(default)]
    pub network_context: String,
    /// IANA-format response-code CSV; empty: the embedded table.
    #[serde(default)]
    pub iana: String,
    /// Raw-day sources used when `run` gets no `--raw` (`{date}`, `{y}`, `{m}`, `{d}` are replaced).
    #[serde(default)]
    pub raw: Vec<String>,
    /// Rows of the results file to keep; 0 keeps all.
    #[serde(default = "default_limit")]
    pub limit: usize,
    /// `where`: `local` (the raw day on this machine) or `cluster` (`proxy_edge` and `proxy_ingest_summary`
    /// computed by the `[impala]` engine from its `proxy` table, as `run --on-cluster`).
    #[serde(default, rename = "where")]
    pub location: Where,
}

/// Where `run` computes the tables from the raw day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Where {
    #[default]
    Local,
    Cluster,
}

fn default_limit() -> usize {
    500
}

impl Default for Pipeline {
    fn default() -> Self {
        Pipeline {
            proxy_conf: String::new(),
            network_context: String::new(),
            iana: String::new(),
            raw: vec![],
            limit: 500,
            location: Where::Local,
        }
    }
}

/// `[raw]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCfg {
    /// The `#Fields:` list (ELFF names, space-separated) of Blue Coat logs written without one; empty: told from
    /// each file's first line (42 fields: `bcreportermain_v1`, else Spot's order).
    #[serde(default)]
    pub fields: String,
    /// The IANA time zone (e.g. `Europe/Berlin`) Squid's times (native: epoch seconds; combined / common: local
    /// time with its offset) are shown in as `p_date`/`p_time`; empty: UTC.
    #[serde(default)]
    pub zone: String,
}

impl RawCfg {
    /// `zone` as a time zone; `None` for UTC (exit 3 for a name the tz database does not know).
    pub fn zone(&self) -> Result<Option<chrono_tz::Tz>> {
        let z = self.zone.trim();
        if z.is_empty() {
            return Ok(None);
        }
        match z.parse::<chrono_tz::Tz>() {
            Ok(tz) => Ok(Some(tz)),
            Err(_) => bail_config!(
                "[raw] zone: {z:?} is not a time zone of the IANA tz database (e.g. \"Europe/Berlin\", \"UTC\")"
            ),
        }
    }
}

/// `[rank]`: spot-ml's proxy model as `proxy-oa rank` runs it (README, "Ranking a day"). The defaults are
/// spot-ml's own (`ml_ops.sh`, `spot.conf`), but for the safe-domain list, which spot-ml hard-coded to `intel`.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RankCfg {
    /// Topics (spot-ml's `TOPIC_COUNT`).
    #[serde(default = "default_topics")]
    pub topics: usize,
    /// Document concentration α of Spark's EM LDA (`--ldaalpha`); above 1.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// Topic concentration η (`--ldabeta`); above 1.
    #[serde(default = "default_beta")]
    pub beta: f64,
    /// EM iterations (`--ldamaxiterations`).
    #[serde(default = "default_iterations")]
    pub iterations: u32,
    /// The seed of the initial topic assignment: the same day, config and seed give the same results file.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Rows scoring at most this are written (`TOL`).
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// At most this many rows are written, lowest scores first; 0: all.
    #[serde(default)]
    pub max_results: u64,
    /// Domains whose hosts get the top-domain flag 2 (spot-ml: `intel` only); `DomainProcessor`'s domain label.
    #[serde(default)]
    pub safe_domains: Vec<String>,
    /// How many times each benign feedback row is learned from (`DUPFACTOR`).
    #[serde(default = "default_dupfactor")]
    pub dupfactor: u64,
    /// Also learn from the feedback of this many days before the day (spot-ml read the same day's only).
    #[serde(default)]
    pub feedback_days: u32,
    /// The day's list: spot-ml's order, or rows with findings first (src/findings/evidence.rs). Not part of what a
    /// results file is made from.
    #[serde(default, skip_serializing)]
    pub mode: RankMode,
    /// `evidence`: the least combined findings score of a (client, host) pair that puts it first.
    #[serde(default = "default_evidence_min_score", skip_serializing)]
    pub evidence_min_score: f64,
}

/// `[rank] mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RankMode {
    /// spot-ml's order exactly.
    Spot,
    /// Rows with findings first, then spot-ml's order.
    #[default]
    Evidence,
}

fn default_evidence_min_score() -> f64 {
    0.5
}

fn default_topics() -> usize {
    20
}
fn default_alpha() -> f64 {
    1.02
}
fn default_beta() -> f64 {
    1.001
}
fn default_iterations() -> u32 {
    20
}
fn default_seed() -> u64 {
    DEFAULT_SEED
}

/// `[rank] seed` when the config gives none.
pub const DEFAULT_SEED: u64 = 20_170_526;
fn default_threshold() -> f64 {
    1e-6
}
fn default_dupfactor() -> u64 {
    1000
}

impl Default for RankCfg {
    fn default() -> Self {
        #[allow(clippy::expect_used, reason = "every field of the section has a serde default: \"\" always parses")]
        toml::from_str("").expect("defaults")
    }
}

impl RankCfg {
    /// `[rank] mode` as written in the config.
    pub fn mode_name(&self) -> &'static str {
        match self.mode {
            RankMode::Spot => "mode spot",
            RankMode::Evidence => "mode evidence",
        }
    }

    fn validate(&self) -> Result<()> {
        if !(1..=1000).contains(&self.topics) {
            bail_config!("[rank] topics {}: from 1 to 1000", self.topics);
        }
        // Spark's EM needs both concentrations above 1 (a MAP estimate with α − 1 and η − 1 offsets).
        for (key, v) in [("alpha", self.alpha), ("beta", self.beta)] {
            if !(v.is_finite() && v > 1.0) {
                bail_config!("[rank] {key} {v}: EM needs a value above 1 (spot-ml: alpha 1.02, beta 1.001)");
            }
        }
        if !(1..=10_000).contains(&self.iterations) {
            bail_config!("[rank] iterations {}: from 1 to 10000", self.iterations);
        }
        if !self.threshold.is_finite() {
            bail_config!("[rank] threshold must be a finite number");
        }
        if self.dupfactor > 1_000_000 {
            bail_config!("[rank] dupfactor {}: at most 1000000", self.dupfactor);
        }
        if !(0.0..=1.0).contains(&self.evidence_min_score) {
            bail_config!("[rank] evidence_min_score {}: a score from 0 to 1", self.evidence_min_score);
        }
        if self.feedback_days > 366 {
            bail_config!("[rank] feedback_days {}: at most 366", self.feedback_days);
        }
        for d in &self.safe_domains {
            if d.is_empty() || d.contains(['.', '\t', '\n', '\r']) {
                bail_config!("[rank] safe_domains: {d:?} is not a domain label (spot-ml's example: \"intel\")");
            }
        }
        Ok(())
    }
}

/// Every behaviour detector of [`crate::findings`], in the order they run: the names `[findings] detectors` and
/// `findings --detector` accept.
pub const DETECTORS: [&str; 10] =
    ["beacon", "strobe", "raw_ip", "dga", "rare_agent", "tunnel", "first_seen", "sigma", "intel", "known_good"];

/// `[findings]`: the detectors that say why a connection is suspicious (`proxy_findings`; schema/README.md has each
/// one's formula).
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FindingsCfg {
    /// The detectors that run, by name ([`DETECTORS`]).
    #[serde(default = "default_detectors")]
    pub detectors: Vec<String>,
    /// beacon: distinct seconds a (client, host) pair needs (RITA's unique-connection threshold, at least 4).
    #[serde(default = "default_beacon_min_times")]
    pub beacon_min_times: u32,
    /// beacon: the least RITA score that makes a finding (RITA's "low" grade: 0.75).
    #[serde(default = "default_beacon_min_score")]
    pub beacon_min_score: f64,
    /// beacon: the least timing sub-score too (ours: a pair whose gaps are not regular is no beacon, however evenly
    /// it spreads over the day; RITA's histogram and duration scores alone give any pair seen every hour 0.5).
    #[serde(default = "default_beacon_min_timing")]
    pub beacon_min_timing: f64,
    /// strobe: connections of a pair in the day (RITA: one a second, 86400); the beacon score leaves them alone.
    #[serde(default = "default_strobe")]
    pub strobe_connections: u64,
    /// raw_ip: the score of a raw-IP host.
    #[serde(default = "default_half")]
    pub raw_ip_score: f64,
    /// rare_agent: an agent used by at most this many clients of the day.
    #[serde(default = "default_one")]
    pub rare_agent_clients: u32,
    /// rare_agent: only on days with at least this many clients.
    #[serde(default = "default_rare_min_clients")]
    pub rare_agent_min_clients: u32,
    /// rare_agent: the score.
    #[serde(default = "default_half")]
    pub rare_agent_score: f64,
    /// dga: a host whose registered label scores at least this looks generated ([`crate::findings::dga`]).
    #[serde(default = "default_dga_min_score")]
    pub dga_min_score: f64,
    /// dga: a client's findings reach their host's score once it reached this many such hosts in the day (fewer:
    /// the score times hosts / dga_min_hosts).
    #[serde(default = "default_dga_min_hosts")]
    pub dga_min_hosts: u32,
    /// tunnel: a connection at least this long (milliseconds, Spot's duration unit; RITA's 1 hour).
    #[serde(default = "default_long_ms")]
    pub long_ms: u64,
    /// tunnel: a CONNECT that moved at least this many bytes.
    #[serde(default = "default_heavy_bytes")]
    pub heavy_bytes: u64,
    /// first_seen: the score of a host no earlier stored day reached.
    #[serde(default = "default_first_seen_score")]
    pub first_seen_score: f64,
    /// rare_agent and first_seen compare with this many stored days before the day (0: none).
    #[serde(default = "default_baseline_days")]
    pub baseline_days: u32,
}

fn default_detectors() -> Vec<String> {
    DETECTORS.iter().map(|d| d.to_string()).collect()
}
fn default_beacon_min_times() -> u32 {
    4
}
fn default_beacon_min_score() -> f64 {
    0.75
}
fn default_beacon_min_timing() -> f64 {
    0.85
}
fn default_strobe() -> u64 {
    86_400
}
fn default_half() -> f64 {
    0.5
}
fn default_one() -> u32 {
    1
}
fn default_rare_min_clients() -> u32 {
    10
}
fn default_dga_min_score() -> f64 {
    0.55
}
fn default_dga_min_hosts() -> u32 {
    3
}
fn default_long_ms() -> u64 {
    3_600_000
}
fn default_heavy_bytes() -> u64 {
    100_000_000
}
fn default_first_seen_score() -> f64 {
    0.3
}
fn default_baseline_days() -> u32 {
    7
}

impl Default for FindingsCfg {
    fn default() -> Self {
        #[allow(clippy::expect_used, reason = "every field of the section has a serde default: \"\" always parses")]
        toml::from_str("").expect("defaults")
    }
}

impl FindingsCfg {
    /// Whether the detector `name` runs.
    pub fn runs(&self, name: &str) -> bool {
        self.detectors.iter().any(|d| d == name)
    }

    fn validate(&self) -> Result<()> {
        for d in &self.detectors {
            if !DETECTORS.contains(&d.as_str()) {
                bail_config!("[findings] detectors: {d:?} is not a detector ({})", DETECTORS.join(", "));
            }
        }
        for (key, v) in [
            ("beacon_min_score", self.beacon_min_score),
            ("beacon_min_timing", self.beacon_min_timing),
            ("raw_ip_score", self.raw_ip_score),
            ("rare_agent_score", self.rare_agent_score),
            ("first_seen_score", self.first_seen_score),
            ("dga_min_score", self.dga_min_score),
        ] {
            if !(0.0..=1.0).contains(&v) {
                bail_config!("[findings] {key} {v}: a score from 0 to 1");
            }
        }
        if self.beacon_min_times < 4 {
            bail_config!(
                "[findings] beacon_min_times {}: at least 4 (3 gaps between distinct times)",
                self.beacon_min_times
            );
        }
        if self.strobe_connections == 0 || self.strobe_connections > i64::MAX as u64 {
            bail_config!("[findings] strobe_connections {}: from 1", self.strobe_connections);
        }
        if self.long_ms == 0 || self.long_ms > i32::MAX as u64 {
            bail_config!("[findings] long_ms {}: from 1 to {}", self.long_ms, i32::MAX);
        }
        if self.heavy_bytes > i64::MAX as u64 {
            bail_config!("[findings] heavy_bytes {}: too large", self.heavy_bytes);
        }
        if self.dga_min_hosts == 0 {
            bail_config!("[findings] dga_min_hosts 0: at least 1");
        }
        if self.baseline_days > 366 {
            bail_config!("[findings] baseline_days {}: at most 366", self.baseline_days);
        }
        Ok(())
    }
}

/// `[store]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Store {
    /// DuckDB memory ceiling, e.g. `1GiB`.
    #[serde(default = "default_memory")]
    pub memory_limit: String,
    /// DuckDB worker threads; 0: every core.
    #[serde(default)]
    pub threads: u32,
    /// Spill folder; empty: `.proxy-oa-tmp` in the workspace.
    #[serde(default)]
    pub temp_directory: String,
}

fn default_memory() -> String {
    "1GiB".into()
}

impl Default for Store {
    fn default() -> Self {
        Store { memory_limit: default_memory(), threads: 0, temp_directory: String::new() }
    }
}

/// `[reputation]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReputationCfg {
    /// Services in order: `feed` (offline), `gti`, `fb`.
    #[serde(default = "default_services")]
    pub services: Vec<ServiceName>,
    /// How long an online answer stays valid in cache.sqlite.
    #[serde(default = "default_ttl")]
    pub cache_ttl_hours: u64,
    /// TCP connect timeout of online services (seconds).
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_secs: f64,
    /// Whole-request timeout of online services (seconds).
    #[serde(default = "default_timeout")]
    pub timeout_secs: f64,
    /// Retries after a failed attempt (timeouts, refused connections, 5xx).
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// First backoff between retries (milliseconds), doubled each time.
    #[serde(default = "default_backoff")]
    pub backoff_ms: u64,
    /// Most requests per online service in one run.
    #[serde(default = "default_max_requests")]
    pub max_requests: u32,
    /// Failed requests in a row after which a service is not asked again in the run.
    #[serde(default = "default_breaker")]
    pub breaker: u32,
    /// Feeds and known-good lists older than this many days are warned about; 0: never.
    #[serde(default = "default_max_age")]
    pub max_age_days: u32,
    /// `[reputation.gti]`
    #[serde(default)]
    pub gti: GtiCfg,
    /// `[reputation.fb]`
    #[serde(default)]
    pub fb: FbCfg,
}

fn default_services() -> Vec<ServiceName> {
    vec![ServiceName::Feed]
}

/// A reputation service of `[reputation] services`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceName {
    /// Offline threat-intel feeds imported into cache.sqlite.
    Feed,
    /// McAfee GTI.
    Gti,
    /// Facebook ThreatExchange.
    Fb,
}

impl ServiceName {
    /// The name in the config and in labels.
    pub fn name(self) -> &'static str {
        match self {
            ServiceName::Feed => "feed",
            ServiceName::Gti => "gti",
            ServiceName::Fb => "fb",
        }
    }
}
fn default_ttl() -> u64 {
    168
}
fn default_connect_timeout() -> f64 {
    5.0
}
fn default_timeout() -> f64 {
    15.0
}
fn default_retries() -> u32 {
    2
}
fn default_backoff() -> u64 {
    500
}
fn default_max_requests() -> u32 {
    1000
}
fn default_breaker() -> u32 {
    3
}
fn default_max_age() -> u32 {
    7
}

impl Default for ReputationCfg {
    fn default() -> Self {
        #[allow(clippy::expect_used, reason = "every field of the section has a serde default: \"\" always parses")]
        toml::from_str("").expect("defaults")
    }
}

/// `[reputation.gti]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GtiCfg {
    /// GTI endpoint URL; empty: not configured.
    #[serde(default)]
    pub url: String,
    /// Basic-auth user.
    #[serde(default)]
    pub user: String,
    /// Basic-auth password.
    #[serde(default)]
    pub password: String,
    /// Client information object sent as `ci` (JSON text).
    #[serde(default)]
    pub ci: String,
    /// CSV `code,name,group` of GTI categories; empty: no category suffix.
    #[serde(default)]
    pub category_file: String,
    /// URIs per request.
    #[serde(default = "default_batch")]
    pub batch_size: usize,
}

fn default_batch() -> usize {
    50
}

/// `[reputation.fb]`
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FbCfg {
    /// Graph API URL.
    #[serde(default = "default_fb_url")]
    pub url: String,
    /// ThreatExchange app id.
    #[serde(default)]
    pub app_id: String,
    /// ThreatExchange app secret (never printed).
    #[serde(default)]
    pub app_secret: String,
}

fn default_fb_url() -> String {
    "https://graph.facebook.com/".into()
}

impl Default for FbCfg {
    fn default() -> Self {
        FbCfg { url: default_fb_url(), app_id: String::new(), app_secret: String::new() }
    }
}

impl std::fmt::Debug for FbCfg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FbCfg").field("url", &self.url).field("app_id", &"<redacted>").finish()
    }
}

/// `[hdfs]`
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HdfsCfg {
    /// `webhdfs://host:port` (HTTP), `swebhdfs://host:port` (HTTPS) or `hdfs://nameservice` (the `hdfs` command);
    /// empty: no cluster.
    #[serde(default)]
    pub namenode: String,
    /// Spot's HUSER: the HDFS home of the Spot tables.
    #[serde(default = "default_huser")]
    pub huser: String,
    /// WebHDFS `user.name` (simple authentication); empty: none.
    #[serde(default)]
    pub user_name: String,
    /// WebHDFS delegation token (never printed); used instead of `user_name` when set.
    #[serde(default)]
    pub delegation_token: String,
    /// PEM file of the CA that signed the cluster's HTTPS certificates; empty: the built-in roots.
    #[serde(default)]
    pub ca_cert: String,
    /// TCP connect timeout (seconds).
    #[serde(default = "default_hdfs_connect")]
    pub connect_timeout_secs: f64,
    /// Longest wait for an answer or for the next bytes of a download (seconds).
    #[serde(default = "default_hdfs_timeout")]
    pub timeout_secs: f64,
    /// Retries after a failed attempt (refused or dropped connections, timeouts, 5xx).
    #[serde(default = "default_hdfs_retries")]
    pub retries: u32,
    /// First backoff between retries (milliseconds), doubled each time.
    #[serde(default = "default_backoff")]
    pub backoff_ms: u64,
    /// The `hdfs` command used for `hdfs://` sources (looked up on the PATH).
    #[serde(default = "default_hdfs_command")]
    pub command: String,
}

fn default_huser() -> String {
    "/user/spot".into()
}
fn default_hdfs_connect() -> f64 {
    10.0
}
fn default_hdfs_timeout() -> f64 {
    60.0
}
fn default_hdfs_retries() -> u32 {
    3
}
fn default_hdfs_command() -> String {
    "hdfs".into()
}

impl Default for HdfsCfg {
    fn default() -> Self {
        #[allow(clippy::expect_used, reason = "every field of the section has a serde default: \"\" always parses")]
        toml::from_str("").expect("defaults")
    }
}

impl std::fmt::Debug for HdfsCfg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HdfsCfg")
            .field("namenode", &self.namenode)
            .field("huser", &self.huser)
            .field("user_name", &self.user_name)
            .field("delegation_token", &if self.delegation_token.is_empty() { "" } else { "<redacted>" })
            .finish_non_exhaustive()
    }
}

/// `[impala]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpalaCfg {
    /// `impala`, `hive` or `spark`: statements only Impala knows (REFRESH, INVALIDATE METADATA, COMPUTE STATS)
    /// are left out for the others.
    #[serde(default)]
    pub engine: Engine,
    /// `impala-shell` or `beeline`.
    #[serde(default)]
    pub client: Client,
    /// The client's executable; empty: the client's name on the PATH.
    #[serde(default)]
    pub command: String,
    /// impala-shell `-i host:port` (HiveServer2 port of an impalad).
    #[serde(default = "default_impalad")]
    pub impalad: String,
    /// impala-shell `-k` (Kerberos).
    #[serde(default)]
    pub kerberos: bool,
    /// impala-shell `-l` (LDAP).
    #[serde(default)]
    pub ldap: bool,
    /// impala-shell `--ssl`.
    #[serde(default)]
    pub ssl: bool,
    /// impala-shell `--ca_cert`.
    #[serde(default)]
    pub ca_cert: String,
    /// impala-shell `-u` / beeline `-n`; empty: none.
    #[serde(default)]
    pub user: String,
    /// beeline `-u`.
    #[serde(default = "default_jdbc")]
    pub jdbc_url: String,
    /// More arguments for the client, before `-f`.
    #[serde(default)]
    pub extra_args: Vec<String>,
    /// The database (`${var:dbname}`).
    #[serde(default = "default_dbname")]
    pub dbname: String,
    /// The value of `${var:huser}` in the tables' LOCATIONs; empty: `[hdfs] huser`.
    #[serde(default)]
    pub huser: String,
    /// Run `CREATE DATABASE IF NOT EXISTS` first.
    #[serde(default = "default_true")]
    pub create_database: bool,
    /// Longest run of the client command (seconds).
    #[serde(default = "default_client_timeout")]
    pub timeout_secs: u64,
}

/// The SQL engine `load` talks to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    #[default]
    Impala,
    Hive,
    Spark,
}

impl Engine {
    /// The name in the config.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Impala => "impala",
            Engine::Hive => "hive",
            Engine::Spark => "spark",
        }
    }
}

/// The command-line client `load` runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Client {
    #[default]
    ImpalaShell,
    Beeline,
}

impl Client {
    /// The name in the config, which is also the executable's default name.
    pub fn name(self) -> &'static str {
        match self {
            Client::ImpalaShell => "impala-shell",
            Client::Beeline => "beeline",
        }
    }
}
fn default_impalad() -> String {
    "localhost:21050".into()
}
fn default_jdbc() -> String {
    "jdbc:hive2://localhost:10000/default".into()
}
fn default_dbname() -> String {
    "spot".into()
}
fn default_true() -> bool {
    true
}
fn default_client_timeout() -> u64 {
    1800
}

impl Default for ImpalaCfg {
    fn default() -> Self {
        #[allow(clippy::expect_used, reason = "every field of the section has a serde default: \"\" always parses")]
        toml::from_str("").expect("defaults")
    }
}

impl Config {
    /// Load `path`, or the embedded default when `None`.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        match path {
            None => Self::parse(DEFAULT_CONFIG, None),
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| Error::Config(format!("reading config {}: {e}", p.display())))?;
                Self::parse(&text, Some(p))
            }
        }
    }

    /// Parse and validate config text; `source` names it in errors and anchors relative paths, which come back
    /// resolved (a path of the embedded default config's `[pipeline]` means its embedded data).
    pub fn parse(text: &str, source: Option<&Path>) -> Result<Config> {
        let name = source.map(|p| p.display().to_string()).unwrap_or_else(|| "<embedded default config>".into());
        let mut cfg: Config =
            toml::from_str(text).map_err(|e| Error::Config(format!("{name}: {}", e.to_string().trim_end())))?;
        cfg.source = source.map(Path::to_path_buf);
        if cfg.source.is_none() {
            cfg.pipeline.proxy_conf.clear();
            cfg.pipeline.network_context.clear();
            cfg.pipeline.iana.clear();
        }
        for p in [
            &mut cfg.pipeline.proxy_conf,
            &mut cfg.pipeline.network_context,
            &mut cfg.pipeline.iana,
            &mut cfg.reputation.gti.category_file,
            &mut cfg.hdfs.ca_cert,
            &mut cfg.impala.ca_cert,
        ] {
            *p = resolve(cfg.source.as_deref(), p).map(|p| p.display().to_string()).unwrap_or_default();
        }
        let src = cfg.source.clone();
        for r in &mut cfg.pipeline.raw {
            if !r.contains("://") {
                *r = resolve(src.as_deref(), r).map(|p| p.display().to_string()).unwrap_or_default();
            }
        }
        cfg.validate().map_err(|e| match e.downcast::<Error>() {
            Ok(Error::Config(m)) => anyhow::Error::new(Error::Config(format!("{name}: {m}"))),
            Ok(other) => anyhow::Error::new(other),
            Err(e) => e,
        })?;
        Ok(cfg)
    }

    /// The column map: the configured `proxy_conf.json`, or the embedded one. When the config itself is the
    /// embedded default, its `proxy_conf.json` is the embedded copy too.
    pub fn proxy_conf(&self) -> Result<ProxyConf> {
        match non_empty(&self.pipeline.proxy_conf) {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::Config(format!("reading proxy_conf {}: {e}", path.display())))?;
                ProxyConf::parse(&text, &path.display().to_string())
            }
            _ => ProxyConf::parse(DEFAULT_PROXY_CONF, "<embedded proxy_conf.json>"),
        }
    }

    /// The configured network-context file, if any.
    pub fn network_context_path(&self) -> Option<PathBuf> {
        non_empty(&self.pipeline.network_context)
    }

    /// The configured IANA file, if any.
    pub fn iana_path(&self) -> Option<PathBuf> {
        non_empty(&self.pipeline.iana)
    }

    /// What `proxy-oa check` reports of validated settings: one line per section.
    pub fn describe(&self) -> Result<Vec<String>> {
        let mut out = vec![];
        let pc = self.proxy_conf()?;
        out.push(format!(
            "proxy_conf: {} results fields, reputation on {}",
            pc.field_count(),
            pc.add_reputation.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
        for (key, path) in [("network_context", self.network_context_path()), ("iana", self.iana_path())] {
            if let Some(p) = path {
                out.push(format!("{key}: {}", p.display()));
            }
        }
        out.push(format!("store: memory_limit {}, threads {}", self.store.memory_limit, self.store.threads));
        let services: Vec<&str> = self.reputation.services.iter().map(|s| s.name()).collect();
        out.push(format!("reputation services: {}", services.join(", ")));
        let h = &self.hdfs;
        if h.namenode.is_empty() {
            out.push("hdfs: no namenode (local inputs only)".into());
        } else {
            out.push(format!("hdfs: {} (huser {}, {} retries)", h.namenode, h.huser, h.retries));
        }
        let k = &self.rank;
        out.push(format!(
            "rank: {} topics, alpha {}, beta {}, {} iterations, seed {}, threshold {}, max_results {}, dupfactor {}",
            k.topics, k.alpha, k.beta, k.iterations, k.seed, k.threshold, k.max_results, k.dupfactor
        ));
        out.push(format!("findings: {}", self.findings.detectors.join(", ")));
        let i = &self.impala;
        out.push(format!("loader: {} ({} engine), database {}", i.client.name(), i.engine.name(), i.dbname));
        Ok(out)
    }

    /// Check everything that can be checked without processing data (run by every load).
    fn validate(&self) -> Result<()> {
        self.proxy_conf()?;
        for (key, path) in [
            ("[pipeline] network_context", self.network_context_path()),
            ("[pipeline] iana", self.iana_path()),
            ("[reputation.gti] category_file", non_empty(&self.reputation.gti.category_file)),
            ("[hdfs] ca_cert", non_empty(&self.hdfs.ca_cert)),
            ("[impala] ca_cert", non_empty(&self.impala.ca_cert)),
        ] {
            if let Some(p) = path {
                if !p.is_file() {
                    bail_config!("{key}: {} is not a file", p.display());
                }
            }
        }
        if !self.raw.fields.trim().is_empty() {
            let names: Vec<String> = self.raw.fields.split_whitespace().map(str::to_ascii_lowercase).collect();
            for need in ["date", "time"] {
                if !names.iter().any(|n| n == need) {
                    bail_config!("[raw] fields: no '{need}' field (ELFF names, e.g. \"date time c-ip cs-host ...\")");
                }
            }
        }
        self.raw.zone()?;
        self.rank.validate()?;
        self.findings.validate()?;
        if self.store.memory_limit.trim().is_empty() {
            bail_config!("[store] memory_limit must not be empty");
        }
        let r = &self.reputation;
        for (i, s) in r.services.iter().enumerate() {
            if r.services[..i].contains(s) {
                bail_config!("[reputation] services: \"{}\" is listed twice", s.name());
            }
        }
        if r.services.contains(&ServiceName::Gti) {
            if r.gti.url.is_empty() {
                bail_config!("[reputation] services has \"gti\" but [reputation.gti] url is empty");
            }
            if !r.gti.ci.is_empty() && serde_json::from_str::<serde_json::Value>(&r.gti.ci).is_err() {
                bail_config!("[reputation.gti] ci is not JSON");
            }
        }
        if r.services.contains(&ServiceName::Fb)
            && (r.fb.url.is_empty() || r.fb.app_id.is_empty() || r.fb.app_secret.is_empty())
        {
            bail_config!("[reputation] services has \"fb\" but [reputation.fb] url, app_id or app_secret is empty");
        }
        if r.timeout_secs <= 0.0 || r.connect_timeout_secs <= 0.0 {
            bail_config!("[reputation] timeouts must be positive");
        }
        let h = &self.hdfs;
        if !h.namenode.is_empty() {
            let lower = h.namenode.to_ascii_lowercase();
            let remote =
                ["webhdfs://", "swebhdfs://", "hdfs://"].iter().any(|s| lower.starts_with(s) && lower.len() > s.len());
            if !remote {
                bail_config!(
                    "[hdfs] namenode {:?}: expected webhdfs://host:port, swebhdfs://host:port or hdfs://nameservice",
                    h.namenode
                );
            }
            if !h.huser.starts_with('/') {
                bail_config!("[hdfs] huser {:?}: must be an absolute HDFS path", h.huser);
            }
        }
        if h.timeout_secs <= 0.0 || h.connect_timeout_secs <= 0.0 {
            bail_config!("[hdfs] timeouts must be positive");
        }
        let i = &self.impala;
        if i.dbname.is_empty() || !i.dbname.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            bail_config!("[impala] dbname {:?}: letters, digits and _ only", i.dbname);
        }
        // Both reach the cluster's SQL as client variables (inside quoted LOCATIONs): no character that could end
        // or escape the quoted text or the statement.
        for (key, v) in [("[hdfs] huser", &h.huser), ("[impala] huser", &i.huser)] {
            if let Some(c) = v.chars().find(|c| matches!(c, '\'' | '"' | '`' | '\\' | ';') || c.is_control()) {
                bail_config!("{key} {v:?}: the character {c:?} is not allowed in a path the cluster's SQL names");
            }
        }
        Ok(())
    }
}

/// `value` as a path, or `None` when empty.
fn non_empty(value: &str) -> Option<PathBuf> {
    (!value.is_empty()).then(|| PathBuf::from(value))
}

/// Resolve a path of the config: empty → `None`; relative → against the config file's folder.
fn resolve(source: Option<&Path>, value: &str) -> Option<PathBuf> {
    let p = non_empty(value)?;
    if p.is_absolute() {
        return Some(p);
    }
    Some(match source.and_then(Path::parent) {
        Some(dir) => dir.join(p),
        None => p,
    })
}

/// The 21 fields of `proxy_results.csv` that proxy-oa needs, by Spot's names.
pub const RESULT_FIELDS: [&str; 21] = [
    "p_date",
    "p_time",
    "clientip",
    "host",
    "reqmethod",
    "useragent",
    "resconttype",
    "duration",
    "username",
    "webcat",
    "referer",
    "respcode",
    "uriport",
    "uripath",
    "uriquery",
    "serverip",
    "scbytes",
    "csbytes",
    "fulluri",
    "word",
    "score",
];

/// Spot's `proxy_conf.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct ProxyConf {
    /// name → 0-based column of the results file.
    pub proxy_results_fields: BTreeMap<String, usize>,
    /// name → position in Spot's `proxy_scores` (kept for compatibility; the store's DDL is fixed).
    #[serde(default)]
    pub proxy_score_fields: BTreeMap<String, usize>,
    /// columns whose values are looked up in the reputation services.
    #[serde(default)]
    pub add_reputation: BTreeMap<String, usize>,
}

impl ProxyConf {
    /// Parse and validate; `name` is used in messages.
    pub fn parse(text: &str, name: &str) -> Result<ProxyConf> {
        let pc: ProxyConf = serde_json::from_str(text).map_err(|e| Error::Config(format!("{name}: {e}")))?;
        for f in RESULT_FIELDS {
            if !pc.proxy_results_fields.contains_key(f) {
                bail_config!("{name}: proxy_results_fields has no \"{f}\"");
            }
        }
        let mut seen = BTreeMap::new();
        for f in RESULT_FIELDS {
            let i = pc.proxy_results_fields[f];
            if let Some(other) = seen.insert(i, f) {
                bail_config!("{name}: proxy_results_fields gives \"{other}\" and \"{f}\" the same column {i}");
            }
        }
        for (col, idx) in &pc.add_reputation {
            if col != "fulluri" {
                bail_config!(
                    "{name}: add_reputation \"{col}\": only \"fulluri\" (output column uri_rep) is supported so far"
                );
            }
            if pc.proxy_results_fields.get(col) != Some(idx) {
                bail_config!(
                    "{name}: add_reputation \"{col}\" is column {idx}, but proxy_results_fields says otherwise"
                );
            }
        }
        Ok(pc)
    }

    /// Column of a field of [`RESULT_FIELDS`].
    pub fn col(&self, field: &str) -> usize {
        self.proxy_results_fields[field]
    }

    /// How many TAB-separated fields a results row has: one past the highest mapped column.
    pub fn field_count(&self) -> usize {
        self.proxy_results_fields.values().copied().max().map_or(0, |m| m + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_config_and_proxy_conf_are_valid() {
        let cfg = Config::load(None).unwrap();
        assert_eq!(cfg.pipeline.limit, 500);
        let pc = cfg.proxy_conf().unwrap();
        assert_eq!(pc.field_count(), 21);
        assert_eq!(pc.col("fulluri"), 18);
        assert_eq!(pc.add_reputation.get("fulluri"), Some(&18));
    }

    #[test]
    fn unknown_keys_are_config_errors_naming_the_key() {
        let err = Config::parse("[pipeline]\nlimt = 5\n", Some(Path::new("x.toml"))).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 3);
        let msg = format!("{err:#}");
        assert!(msg.contains("x.toml") && msg.contains("limt"), "{msg}");
    }

    #[test]
    fn proxy_conf_missing_or_duplicate_fields_are_refused() {
        let text = DEFAULT_PROXY_CONF.replace("\"word\": 19,", "");
        let err = ProxyConf::parse(&text, "p.json").unwrap_err();
        assert!(format!("{err}").contains("\"word\""), "{err}");
        let text = DEFAULT_PROXY_CONF.replacen("\"host\": 3,", "\"host\": 2,", 1);
        let err = ProxyConf::parse(&text, "p.json").unwrap_err();
        assert!(format!("{err}").contains("same column 2"), "{err}");
    }

    #[test]
    fn a_huser_that_could_break_the_clusters_sql_is_refused_at_load() {
        for (text, key) in [
            ("[hdfs]\nhuser = \"/user/sp'ot\"\n", "[hdfs] huser"),
            ("[impala]\nhuser = \"hdfs://nn/user/a\\\\b\"\n", "[impala] huser"),
            ("[impala]\nhuser = \"hdfs://nn/x\\ny\"\n", "[impala] huser"),
            ("[impala]\nhuser = \"hdfs://nn/x;DROP\"\n", "[impala] huser"),
        ] {
            let err = Config::parse(text, Some(Path::new("c.toml"))).unwrap_err();
            assert_eq!(crate::error::exit_code(&err), 3, "{text}");
            assert!(format!("{err:#}").contains(key), "{text}: {err:#}");
        }
        assert!(Config::parse("[impala]\nhuser = \"hdfs://nn:8020/user/spot\"\n", None).is_ok());
    }

    #[test]
    fn rank_settings_spot_ml_cannot_fit_are_refused_at_load() {
        for (text, want) in [
            ("[rank]\nalpha = 1.0\n", "[rank] alpha 1"),
            ("[rank]\nbeta = 0.5\n", "[rank] beta 0.5"),
            ("[rank]\ntopics = 0\n", "[rank] topics 0"),
            ("[rank]\niterations = 0\n", "[rank] iterations 0"),
            ("[rank]\nsafe_domains = [\"intel.com\"]\n", "[rank] safe_domains"),
            ("[rank]\nseed = \"abc\"\n", "seed"),
        ] {
            let err = Config::parse(text, Some(Path::new("c.toml"))).unwrap_err();
            assert_eq!(crate::error::exit_code(&err), 3, "{text}");
            assert!(format!("{err:#}").contains(want), "{text}: {err:#}");
        }
        let cfg = Config::load(None).unwrap();
        assert_eq!(cfg.rank, RankCfg::default(), "the embedded config says spot-ml's values, as the defaults do");
        assert_eq!(crate::rank::lda::Params::from(&cfg.rank), crate::rank::lda::Params::default());
    }
}
