//! The command line: global flags and the subcommands (clap derive).

use crate::day::Day;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Apache Spot's Proxy OA, offline: enrich a day of web-proxy traffic and hand it to Impala.
#[derive(Debug, Parser)]
#[command(name = "proxy-oa", version, about, propagate_version = true)]
pub struct Cli {
    /// Workspace folder (store, cache, data/ and ipynb/).
    #[arg(long, global = true, env = "PROXY_OA_WORKSPACE", default_value = ".")]
    pub workspace: PathBuf,
    /// Configuration file (default: the embedded config/proxy-oa.toml).
    #[arg(long, global = true, env = "PROXY_OA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print results as JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// More messages on stderr: -v also says what is retried and fetched, -vv debugs (RUST_LOG overrides).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the pipeline for one day: results file (+ raw day) → proxy_scores, proxy_edge, proxy_ingest_summary.
    Run(RunArgs),
    /// Rank a raw day with spot-ml's proxy model (embedded): writes data/proxy/<date>/proxy_results.csv.
    Rank(RankArgs),
    /// Generate a synthetic day into the workspace and run the whole pipeline on it.
    Demo(DemoArgs),
    /// Fetch a day's results file and raw day from the cluster ([hdfs] in the config) into data/proxy/<date>/.
    Fetch(FetchArgs),
    /// Write a day's tables as a portable bundle (tar + zstd: Parquet in Impala's layout, DDL, load.sql, manifest).
    Export(ExportArgs),
    /// Load a bundle's day into this workspace's store (every checksum and row count verified first).
    Import(ImportArgs),
    /// The Impala loader step: upload a bundle's files through WebHDFS, then run its DDL and load.sql.
    Load(LoadArgs),
    /// Validate the configuration without processing anything.
    Check,
    /// Reference data in cache.sqlite.
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Threat-intel feeds for the offline reputation service.
    #[command(subcommand)]
    Reputation(ReputationCommand),
    /// Known-good lists (MISP warninglists, plain domain or network lists): rows on them are marked, never dropped.
    #[command(subcommand)]
    Allow(AllowCommand),
    /// Sigma's proxy rules (SigmaHQ `logsource: category: proxy`) for the `sigma` detector.
    #[command(subcommand)]
    Sigma(SigmaCommand),
    /// Score URIs of a day 1 (High), 2 (Medium) or 3 (Low); rewrites the day's ml_feedback.csv for spot-ml.
    Score(ScoreArgs),
    /// The URIs scored on a day, with their severities.
    Threats(DayArgs),
    /// The day's suspicious rows not yet scored on that day, most suspicious first.
    Suspicious(SuspiciousArgs),
    /// Why the day's connections are suspicious: the detectors' findings, highest score first.
    Findings(FindingsArgs),
    /// Save a scored URI's storyboard, with its timeline and incident progression from the raw day.
    Storyboard(StoryboardArgs),
    /// Reset a day's scored connections: severities, threat investigation, storyboards, timelines, files.
    Reset(DayArgs),
    /// Print one day of a table as TSV (NULL as \N), in the table's deterministic order.
    Show(ShowArgs),
    /// Write the day as one self-contained HTML page (Suspicious, Network, Ingest summary, Threats, Provenance).
    Report(ReportArgs),
    /// Generate a large synthetic day; time `run` on it as a Blue Coat log and as Spot Parquet next to DuckDB's floors.
    Bench(BenchArgs),
}

/// `run`
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The day: YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: Day,
    /// spot-ml's proxy_results.csv: a local path, webhdfs://host:port/path, swebhdfs://... or hdfs://...
    /// Default: data/proxy/<date>/proxy_results.csv (as `fetch` leaves it).
    #[arg(long)]
    pub results: Option<String>,
    /// The raw day: file, folder, glob or webhdfs:// / hdfs:// address (Spot Parquet, Blue Coat ELFF plain/.gz,
    /// 28-column TSV). Repeatable. Default: the config's [pipeline] raw, else data/proxy/<date>/raw/ (as `fetch`
    /// leaves it), else the raw day already in the store.
    #[arg(long)]
    pub raw: Vec<String>,
    /// Keep the first N valid rows of the results file (0: all). Default: the config's (500).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Fail on any rejected results row instead of quarantining it.
    #[arg(long)]
    pub strict: bool,
    /// Ask no online reputation service (cached answers still count).
    #[arg(long)]
    pub offline: bool,
    /// Reset the day's scored connections (as `proxy-oa reset`) in the same transaction first. Without it a
    /// re-run keeps the analyst's work and its severities.
    #[arg(long)]
    pub reset: bool,
    /// Compute proxy_edge and proxy_ingest_summary on the cluster's engine ([impala]) from its `proxy` table, files
    /// moved through WebHDFS ([hdfs]); the results file is still enriched here. As `[pipeline] where = "cluster"`.
    #[arg(long)]
    pub on_cluster: bool,
    /// With a run on the cluster: print every statement and transfer, do nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `rank`
#[derive(Debug, Args)]
pub struct RankArgs {
    /// The day: YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: Day,
    /// The raw day, as for `run` (repeatable). Default: the config's [pipeline] raw, else data/proxy/<date>/raw/.
    #[arg(long)]
    pub raw: Vec<String>,
    /// Also write the corpus the model was fitted on to this file (client IP, word, count; TAB-separated).
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Rank the day of the cluster's `proxy` table: words and counts on Spark SQL, the model here, the rows
    /// selected on Spark (also with [pipeline] where = "cluster").
    #[arg(long, conflicts_with = "raw")]
    pub on_cluster: bool,
    /// Print the statements and transfers of a ranking on the cluster, and do nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// A command that takes only the day.
#[derive(Debug, Args)]
pub struct DayArgs {
    /// The day: YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: Day,
}

/// `score`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["uri", "from"])))]
pub struct ScoreArgs {
    /// The day: YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: Day,
    /// A fulluri as proxy_scores has it (every client IP's rows are scored). Repeatable.
    #[arg(long)]
    pub uri: Vec<String>,
    /// 1 (High), 2 (Medium) or 3 (Low); also High, Medium, Low. Needed with --uri.
    #[arg(long)]
    pub sev: Option<crate::analyst::Severity>,
    /// A file of URIs: one per line, optionally `URI<TAB>SEVERITY` (a line without one takes --sev).
    #[arg(long)]
    pub from: Option<PathBuf>,
}

/// `suspicious`
#[derive(Debug, Args)]
pub struct SuspiciousArgs {
    /// The day: YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: Day,
    /// Only rows whose fulluri contains this text.
    #[arg(long)]
    pub uri: Option<String>,
    /// Only rows of this client IP.
    #[arg(long)]
    pub ip: Option<String>,
    /// At most this many rows (0: all).
    #[arg(long, default_value_t = 250)]
    pub limit: usize,
}

/// `findings`
#[derive(Debug, Args)]
pub struct FindingsArgs {
    /// The day: YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: Day,
    /// Only this detector's findings (beacon, strobe, raw_ip, rare_agent, tunnel, first_seen, sigma, intel,
    /// known_good).
    #[arg(long)]
    pub detector: Option<String>,
    /// Only findings of this client IP.
    #[arg(long)]
    pub ip: Option<String>,
}

/// `storyboard`
#[derive(Debug, Args)]
pub struct StoryboardArgs {
    /// The day: YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: Day,
    /// The threat: a fulluri scored on that day.
    #[arg(long)]
    pub uri: String,
    /// The storyboard's title.
    #[arg(long)]
    pub title: String,
    /// The storyboard's text (kept exactly: quotes, apostrophes, newlines).
    #[arg(long, required_unless_present = "text_file", conflicts_with = "text_file")]
    pub text: Option<String>,
    /// Read the text from this file instead (UTF-8, kept exactly).
    #[arg(long)]
    pub text_file: Option<PathBuf>,
    /// The timeline covers this many client IPs, most requests first.
    #[arg(long, default_value_t = crate::analyst::DEFAULT_TOP as u32, value_parser = clap::value_parser!(u32).range(1..))]
    pub top: u32,
}

/// `fetch`
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The day: YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: Day,
    /// Only the results file.
    #[arg(long, conflicts_with = "raw_only")]
    pub results_only: bool,
    /// Only the raw day.
    #[arg(long)]
    pub raw_only: bool,
}

/// `export`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The day: YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: Day,
    /// Folder of the bundle (default: bundles/ in the workspace).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Tables to carry (comma-separated or repeated); default: all.
    #[arg(long)]
    pub tables: Vec<String>,
    /// Parquet codec: snappy and gzip for every Impala, zstd for Impala 3.3 and newer.
    #[arg(long, value_enum, default_value = "snappy")]
    pub compression: crate::export::Codec,
    /// Carry the day's raw Parquet files (data/proxy/<date>/raw/) too, so that storyboards and the notebooks work on
    /// the machine that imports the bundle.
    #[arg(long)]
    pub with_raw: bool,
}

/// `import`
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The bundle (proxy-oa-YYYYMMDD.tar.zst).
    pub bundle: PathBuf,
    /// Refuse a bundle that decompresses to more than this many MiB.
    #[arg(long, default_value_t = 65536)]
    pub max_mib: u64,
}

/// `load`
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The bundle (proxy-oa-YYYYMMDD.tar.zst).
    pub bundle: PathBuf,
    /// Print the uploads, the client command and the exact statements; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Refuse a bundle that decompresses to more than this many MiB.
    #[arg(long, default_value_t = 65536)]
    pub max_mib: u64,
}

/// `demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Connections in the generated day.
    #[arg(long, default_value_t = 20_000)]
    pub rows: u64,
}

/// `cache`
#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// IANA response-code names.
    #[command(subcommand)]
    Iana(ImportCommand),
    /// Network context of client IPs.
    #[command(subcommand)]
    Nc(ImportCommand),
    /// The site's top-domain list for the ranker (`rank,domain` CSV: Tranco, Umbrella, Alexa).
    #[command(subcommand)]
    Topdomains(ImportCommand),
    /// What the cache holds.
    Show,
}

/// `cache iana|nc import FILE`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Replace the table with the content of FILE.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

/// `reputation`
#[derive(Debug, Subcommand)]
pub enum ReputationCommand {
    /// Load a feed into cache.sqlite (re-importing a feed replaces its entries).
    Import {
        /// The feed file.
        file: PathBuf,
        /// urlhaus, phishtank, list (OpenPhish style) or misp; detected when omitted.
        #[arg(long)]
        format: Option<String>,
        /// The feed's name in labels; default: the format's name, or the file's name for a list.
        #[arg(long)]
        name: Option<String>,
    },
    /// The loaded feeds.
    List,
}

/// `allow ...`
#[derive(Debug, Subcommand)]
pub enum AllowCommand {
    /// Load a known-good list into cache.sqlite (re-importing a list of the same name replaces it).
    Import {
        /// A MISP warninglist (list.json: string, hostname, substring, regex or cidr) or a plain list (a domain or
        /// a network per line, `#` comments).
        file: PathBuf,
        /// The list's name in labels (`allow:KNOWN_GOOD:0:<name>`); default: the file's name (a MISP list.json: its
        /// folder's name).
        #[arg(long)]
        name: Option<String>,
    },
    /// The loaded lists: name, entries, source, sha256, import time.
    List,
}

/// `sigma ...`
#[derive(Debug, Subcommand)]
pub enum SigmaCommand {
    /// Load Sigma rules into cache.sqlite: rule files (.yml, .yaml) or folders of them (a rule of the same id is
    /// replaced). Proxy rules are kept, each with the reason it cannot run if it cannot; other rules are left out.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// The loaded rules: id, level, title, author, and whether each runs or why not.
    List,
    /// Remove every loaded rule.
    Clear,
}

/// `show`
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The day: YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: Day,
    /// proxy_scores, proxy_edge, proxy_ingest_summary, proxy_threat_investigation, proxy_storyboard,
    /// proxy_timeline or proxy (the raw day).
    #[arg(long, default_value = "proxy_scores")]
    pub table: String,
}

/// `report`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The day: YYYYMMDD or YYYY-MM-DD.
    #[arg(long, value_parser = parse_day)]
    pub date: Day,
    /// Where to write the page. Default: data/proxy/<date>/report.html.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Put the time of writing in the page (without it, the same day always gives the same bytes).
    #[arg(long)]
    pub stamp: bool,
}

/// `bench`
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Connections in the generated day.
    #[arg(long, default_value_t = 10_000_000)]
    pub rows: u64,
    /// Results rows kept, one Parquet case each (the log case uses the first); default 500,5000.
    #[arg(long, value_delimiter = ',')]
    pub limits: Vec<usize>,
    /// Browsing clients in the generated day (the demo's 240 by default; more, to see how ranking grows with them).
    #[arg(long, default_value_t = crate::demo::DEMO_CLIENTS)]
    pub clients: u64,
}

fn parse_day(s: &str) -> Result<Day, String> {
    s.parse()
}
