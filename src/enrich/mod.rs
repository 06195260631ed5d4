//! Enrichment stages. Each works on the staged results rows (the temporary table `stage_results`, see
//! [`crate::schema::stage_results_ddl`]), fills its own column and never rewrites another, and returns its own
//! counts ([`crate::stage::Stage`]):
//!
//! | stage | unit | fills |
//! |---|---|---|
//! | reputation | [`reputation::Reputation::apply`] | `uri_rep` |
//! | known good | [`allow::apply`] | `allow:KNOWN_GOOD:0:<list>` first in `uri_rep` |
//! | IANA | [`iana::apply`] | `respcode_name` |
//! | network context | [`network_context::apply`] | `network_context` |
//! | hash | [`hash::apply`] | `hash` (see [`crate::text::edge_hash`]) |
//! | severity | [`severity::apply`] | `uri_sev` |
//!
//! Their reference data (IANA names, network context, feeds, cached online answers) is in `cache.sqlite`
//! ([`cache`]).

pub mod allow;
pub mod cache;
pub mod hash;
pub mod iana;
pub mod network_context;
pub mod reputation;
pub mod severity;
pub mod topdomains;
