//! Enrichment stages. Each adds columns to the kept results rows and never rewrites a value:
//! reputation (`uri_rep`), severity (`uri_sev`), IANA (`respcode_name`), network context (`network_context`),
//! and the edge hash (`hash`, see [`crate::text::edge_hash`]).

pub mod iana;
pub mod network_context;
pub mod reputation;
