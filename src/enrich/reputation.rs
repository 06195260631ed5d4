//! Reputation of the distinct values of the `add_reputation` columns (fulluri → `uri_rep`).
//!
//! Input: the distinct values. Output: value → label, joined as Spot's UI parses it
//! (`service:LABEL:value[:categories]`, services joined by `::`). A value no service knows gets the empty string,
//! and so does every value when no service is configured, which is the case in this version: the offline feeds
//! and the online services (GTI, ThreatExchange) are not built yet. The stage exists so that the column and its
//! place in the pipeline are final.

use std::collections::BTreeMap;

/// The configured services (none yet).
#[derive(Debug, Default, Clone)]
pub struct Reputation {
    services: Vec<String>,
}

impl Reputation {
    /// No service: every label is empty.
    pub fn none() -> Self {
        Reputation::default()
    }

    /// Names of the configured services, in order.
    pub fn services(&self) -> &[String] {
        &self.services
    }

    /// Labels for `values`; values without a label are absent from the map.
    pub fn labels(&self, values: &[String]) -> BTreeMap<String, String> {
        let _ = values;
        BTreeMap::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_service_gives_no_label() {
        let r = Reputation::none();
        assert!(r.services().is_empty());
        assert!(r.labels(&["a.com/x".to_string()]).is_empty());
    }
}
