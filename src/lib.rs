//! proxy-oa: Apache Spot's Proxy OA stage as one offline binary.
//!
//! The pipeline on one page (`run`, see [`pipeline`]):
//!
//! | stage | module | adds / writes |
//! |---|---|---|
//! | results | [`input::results`] | the first N valid rows of spot-ml's `proxy_results.csv` (bad rows quarantined) |
//! | reputation | [`enrich::reputation`] | `uri_rep` |
//! | severity | [`pipeline`] | `uri_sev`: the analyst's severity of the URI on that day, else 0 |
//! | IANA | [`enrich::iana`] | `respcode_name` |
//! | network context | [`enrich::network_context`] | `network_context` |
//! | hash | [`text::edge_hash`] | `hash` of (clientip, fulluri, hour) |
//! | raw | [`input::raw`] | the raw day in Spot's `proxy` table |
//! | tables | [`pipeline`] | `proxy_scores`, `proxy_edge`, `proxy_ingest_summary`, one transaction per day |
//!
//! The analyst's side ([`analyst`]): `score` (with the feedback file spot-ml reads), `threats`, `suspicious`,
//! `storyboard` (timeline and incident progression) and `reset`, on `proxy_threat_investigation`,
//! `proxy_storyboard` and `proxy_timeline`.
//!
//! Where things live: the store ([`store`], DuckDB, `proxy-oa.duckdb`), reference data ([`cache`], SQLite,
//! `cache.sqlite`) and the day's files ([`workspace`]).

#![forbid(unsafe_code)]

pub mod analyst;
pub mod cache;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod day;
pub mod demo;
pub mod enrich;
pub mod error;
pub mod export;
pub mod hdfs;
pub mod input;
pub mod pipeline;
pub mod store;
pub mod text;
pub mod workspace;
