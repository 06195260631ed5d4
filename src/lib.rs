//! proxy-oa: Apache Spot's Proxy OA stage as one offline binary.
//!
//! The pipeline on one page ([`pipeline::run`] calls these units in this order; each returns its own counts, a
//! [`stage::Stage`]):
//!
//! | stage | unit | adds / writes |
//! |---|---|---|
//! | inputs | [`pipeline::inputs::gather`] | the results file (if any) copied fresh into the day's folder; the raw files (fetched from the cluster where remote) |
//! | raw | [`input::raw::load_day`] | the raw day as Parquet beside `data/proxy/<date>/raw/` (Spot's files as they are, text parsed once), swapped in at the commit |
//! | rank (no results file) | [`rank::rank_day`] | `proxy_results.csv` from the raw day by spot-ml's proxy model (words in SQL, EM LDA in Rust), with what it was made from |
//! | results | [`pipeline::results::stage`] | the first N valid rows of spot-ml's `proxy_results.csv`, staged (bad rows quarantined) |
//! | findings | [`findings::detect`] | the behaviour detectors over the raw day, into `stage_findings` |
//! | reputation | [`enrich::reputation::Reputation::apply`] | `uri_rep` |
//! | known good | [`enrich::allow::apply`] | `allow:KNOWN_GOOD:0:<list>` first in `uri_rep` for rows on a known-good list (kept) |
//! | IANA | [`enrich::iana::apply`] | `respcode_name` |
//! | network context | [`enrich::network_context::apply`] | `network_context` |
//! | hash | [`enrich::hash::apply`] | `hash` of (clientip, fulluri, hour) |
//! | intel findings | [`findings::intel`] | the reputation and known-good marks as findings |
//! | *one transaction from here on* | | |
//! | reset (`--reset` only) | [`analyst::reset_tables`] | the day's analyst work removed |
//! | severity | [`enrich::severity::apply`] | `uri_sev`: the analyst's severity of the URI on that day, else 0 |
//! | proxy_scores | [`pipeline::tables::proxy_scores`] | `schema/proxy_scores.sql` |
//! | proxy_edge | [`pipeline::tables::proxy_edge`] | `schema/proxy_edge.sql` (≤ 250 raw rows per distinct edge) |
//! | ingest summary | [`pipeline::tables::proxy_ingest_summary`] | `schema/proxy_ingest_summary.sql` |
//! | proxy_findings | [`findings::write`] | the day's findings |
//! | *`--on-cluster`: instead of raw, proxy_edge and ingest summary* | [`cluster::compute`], [`cluster::publish`] | `proxy_scores` up through WebHDFS; the same two statements run by the cluster's engine ([`dialect`]); their rows and the analyst's raw rows back; the cluster's partition replaced |
//!
//! `rank` alone ([`pipeline::rank`]) is the raw and rank stages without the rest.
//!
//! The analyst's side ([`analyst`]): `score` (with the feedback file spot-ml reads), `threats`, `suspicious`,
//! `storyboard` (timeline and incident progression) and `reset`, on `proxy_threat_investigation`,
//! `proxy_storyboard` and `proxy_timeline`. The page ([`report`]): the day as one self-contained HTML file.
//!
//! Every command and the library unit that does its work (`src/cmd/` only parses, calls and prints):
//!
//! | command | unit |
//! |---|---|
//! | `run` | [`pipeline::run`] (the stages above; `--on-cluster`: [`cluster`]) |
//! | `rank` | [`pipeline::rank`] → [`rank::rank_day`]; `--on-cluster`: [`pipeline::rank_on_cluster`] → [`rank::cluster`] |
//! | `demo` | [`demo::run`]: [`demo::write_day`], then `rank`, `run` and `report` |
//! | `fetch` | [`hdfs::Fetcher`] |
//! | `export`, `import` | [`export::export`], [`export::import`] (the bundle file: [`export::bundle`]) |
//! | `load` | [`export::load`] |
//! | `check` | [`config::Config`] (loading is checking) |
//! | `cache`, `reputation`, `allow` | [`enrich::cache::Cache`] (the imports), [`enrich::topdomains`], [`enrich::reputation`], [`enrich::allow`] |
//! | `score`, `threats`, `suspicious`, `storyboard`, `reset` | [`analyst`] |
//! | `findings` | [`findings::list`] |
//! | `sigma` | [`findings::sigma`] (rules kept by [`enrich::cache::Cache`]) |
//! | `show` | [`store`] |
//! | `report` | [`report::write_day`] |
//! | `bench` | [`bench::run`] (its floors: `bench::floors`) |
//!
//! Where things live: every table's columns in the schema registry ([`schema`]); the store ([`store`], DuckDB,
//! `proxy-oa.duckdb`), reference data ([`enrich::cache`], SQLite, `cache.sqlite`) and the day's files ([`workspace`]).

#![forbid(unsafe_code)]

pub mod analyst;
pub mod bench;
pub mod cli;
pub mod cluster;
pub mod cmd;
pub mod config;
pub mod day;
pub mod demo;
pub mod dialect;
pub mod digest;
pub mod engine;
pub mod enrich;
pub mod error;
pub mod export;
pub mod findings;
pub mod hdfs;
pub mod input;
pub mod pipeline;
pub mod quarantine;
pub mod rank;
pub mod report;
pub mod retry;
pub mod schema;
pub mod stage;
pub mod store;
pub mod text;
pub mod workspace;
