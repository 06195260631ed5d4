//! Reputation of the distinct values of the `add_reputation` columns (fulluri → `uri_rep`).
//!
//! Input: the distinct values. Output: value → label, joined as Spot's UI parses it: per service
//! `service:LABEL:value[:categories]`, services joined by `::` in config order (split on `::`, then on `:`).
//! A service that does not know a value adds nothing; no service knowing it gives the empty string.
//!
//! Services: `feed` (offline threat-intel feeds imported with `proxy-oa reputation import`, see [`feed`]), `gti`
//! ([`gti`]) and `fb` (ThreatExchange, [`fb`]). The online ones have timeouts, bounded retries, a per-run request
//! cap and a breaker ([`online`]); whatever fails gives that service's UNKNOWN label and a warning, never an
//! aborted run. Their answers are cached in cache.sqlite for `cache_ttl_hours`, so a re-run needs no network;
//! `--offline` asks no online service (cached answers still count).

pub mod fb;
pub mod feed;
pub mod gti;
pub mod online;

use crate::config::{ReputationCfg, ServiceName};
use crate::enrich::cache::Cache;
use crate::error::Error;
use crate::stage::{Meter, Stage};
use anyhow::Result;
use duckdb::Connection;
use std::collections::BTreeMap;
use std::time::Duration;

/// One configured service.
#[derive(Debug, Clone)]
pub enum Service {
    Feed,
    Gti(gti::Gti),
    Fb(fb::Fb),
}

impl Service {
    /// The service's name in labels and config.
    pub fn name(&self) -> &'static str {
        match self {
            Service::Feed => "feed",
            Service::Gti(_) => "gti",
            Service::Fb(_) => "fb",
        }
    }
}

/// The configured services, in order.
#[derive(Debug, Clone)]
pub struct Reputation {
    services: Vec<Service>,
    limits: online::Limits,
    ttl_secs: i64,
    offline: bool,
}

/// What a lookup found.
#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// value → joined label (values without any label are absent).
    pub labels: BTreeMap<String, String>,
    /// One line per service for the run summary.
    pub notes: Vec<String>,
    /// Failures the user should know about.
    pub warnings: Vec<String>,
}

impl Reputation {
    /// The services of `[reputation]` (validated when the config was loaded); `offline` turns every online
    /// service off.
    pub fn from_config(r: &ReputationCfg, offline: bool) -> Result<Self> {
        let mut services = vec![];
        for name in &r.services {
            services.push(match name {
                ServiceName::Feed => Service::Feed,
                ServiceName::Gti => {
                    let g = &r.gti;
                    let ci = if g.ci.trim().is_empty() {
                        serde_json::Value::Object(Default::default())
                    } else {
                        serde_json::from_str(&g.ci)
                            .map_err(|e| Error::Config(format!("[reputation.gti] ci is not JSON: {e}")))?
                    };
                    let categories = if g.category_file.is_empty() {
                        BTreeMap::new()
                    } else {
                        gti::parse_categories(&std::fs::read_to_string(&g.category_file).map_err(|e| {
                            Error::Config(format!("[reputation.gti] category_file {}: {e}", g.category_file))
                        })?)
                    };
                    Service::Gti(gti::Gti {
                        url: g.url.clone(),
                        user: g.user.clone(),
                        password: g.password.clone(),
                        ci,
                        categories,
                        batch: g.batch_size.max(1),
                    })
                }
                ServiceName::Fb => {
                    let f = &r.fb;
                    Service::Fb(fb::Fb {
                        url: f.url.clone(),
                        app_id: f.app_id.clone(),
                        app_secret: f.app_secret.clone(),
                    })
                }
            });
        }
        Ok(Reputation {
            services,
            limits: online::Limits {
                connect_timeout: Duration::from_secs_f64(r.connect_timeout_secs),
                timeout: Duration::from_secs_f64(r.timeout_secs),
                retries: r.retries,
                backoff: Duration::from_millis(r.backoff_ms),
                max_requests: r.max_requests,
                breaker: r.breaker.max(1),
            },
            ttl_secs: (r.cache_ttl_hours * 3600) as i64,
            offline,
        })
    }

    /// The reputation stage: fill `uri_rep` of every staged row from the labels of its distinct fulluri. Counts:
    /// distinct fulluris in; matched = those some service labelled; warnings for services that failed.
    pub fn apply(&self, conn: &Connection, cache: &mut Cache) -> Result<Stage> {
        let meter = Meter::start();
        let distinct: Vec<String> = {
            let mut st = conn.prepare("SELECT DISTINCT fulluri FROM stage_results ORDER BY fulluri")?;
            let v = st.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<_, _>>()?;
            v
        };
        let outcome = self.lookup(cache, &distinct)?;
        conn.execute_batch("CREATE OR REPLACE TEMP TABLE lk_rep (value VARCHAR PRIMARY KEY, label VARCHAR)")?;
        {
            let mut app = conn.appender_to_catalog_and_db("lk_rep", "temp", "main")?;
            for (v, l) in &outcome.labels {
                app.append_row(duckdb::params![v, l])?;
            }
            app.flush()?;
        }
        conn.execute_batch(
            "UPDATE stage_results SET uri_rep =
               coalesce((SELECT r.label FROM lk_rep r WHERE r.value = stage_results.fulluri), '')",
        )?;
        Ok(meter.finish(Stage {
            rows_in: distinct.len() as u64,
            matched: outcome.labels.len() as u64,
            unmatched: (distinct.len() - outcome.labels.len()) as u64,
            note: if self.services.is_empty() {
                "no reputation service configured: uri_rep is empty".into()
            } else {
                outcome.notes.join("; ")
            },
            warnings: outcome.warnings,
            ..Stage::new("reputation")
        }))
    }

    /// Names of the configured services, in order.
    pub fn services(&self) -> Vec<&'static str> {
        self.services.iter().map(Service::name).collect()
    }

    /// Look up `values` in every service and join the labels.
    pub fn lookup(&self, cache: &mut Cache, values: &[String]) -> Result<Outcome> {
        let mut out = Outcome::default();
        let mut per_service: Vec<BTreeMap<String, String>> = vec![];
        for svc in &self.services {
            let name = svc.name();
            let mut labels = BTreeMap::new();
            match svc {
                Service::Feed => {
                    let feeds = cache.feeds()?;
                    if feeds.is_empty() {
                        out.warnings.push("reputation: the feed service is configured but no feed is imported (proxy-oa reputation import FILE)".into());
                    }
                    for v in values {
                        if let Some(l) = feed::label(&cache.feed_matches(&feed::lookup_keys(v))?) {
                            labels.insert(v.clone(), l);
                        }
                    }
                    out.notes.push(format!(
                        "feed: {} of {} matched ({} feeds)",
                        labels.len(),
                        values.len(),
                        feeds.len()
                    ));
                }
                Service::Gti(_) | Service::Fb(_) => {
                    let mut todo = vec![];
                    for v in values {
                        match cache.reputation_cached(name, v, self.ttl_secs)? {
                            Some(l) if l.is_empty() => {}
                            Some(l) => {
                                labels.insert(v.clone(), l);
                            }
                            None => todo.push(v.clone()),
                        }
                    }
                    let cached = values.len() - todo.len();
                    if self.offline || todo.is_empty() {
                        let mut note = format!("{name}: {} labelled, {cached} from the cache", labels.len());
                        if !todo.is_empty() {
                            note.push_str(&format!(", {} not checked (offline)", todo.len()));
                        }
                        out.notes.push(note);
                        per_service.push(labels);
                        continue;
                    }
                    let mut client = online::Client::new(self.limits.clone()).map_err(Error::Unavailable)?;
                    let online::Checked { labels: got, failed, last_err: err } = match svc {
                        Service::Gti(g) => g.check(&mut client, &todo),
                        Service::Fb(f) => f.check(&mut client, &todo),
                        Service::Feed => unreachable!("handled above"),
                    };
                    for v in &todo {
                        if failed.contains(v) {
                            continue;
                        }
                        cache.reputation_store(name, v, got.get(v).map(String::as_str).unwrap_or(""))?;
                    }
                    labels.extend(got);
                    out.notes.push(format!(
                        "{name}: {} labelled, {cached} from the cache, {} requests, {} not checked",
                        labels.len(),
                        client.requests(),
                        failed.len()
                    ));
                    if !failed.is_empty() {
                        let unknown = if name == "gti" { gti::UNKNOWN } else { fb::UNKNOWN };
                        out.warnings.push(format!(
                            "reputation {name}: {} of {} values could not be checked and are labelled {unknown}: {}",
                            failed.len(),
                            todo.len(),
                            err.unwrap_or_default()
                        ));
                    }
                }
            }
            per_service.push(labels);
        }
        for v in values {
            let parts: Vec<&str> =
                per_service.iter().filter_map(|m| m.get(v)).map(String::as_str).filter(|l| !l.is_empty()).collect();
            if !parts.is_empty() {
                out.labels.insert(v.clone(), parts.join("::"));
            }
        }
        Ok(out)
    }
}

/// Spot's UI parsing of a label (`SpotUtils.parseReputation`): split on `::`, then `:` into
/// (service, text, value, categories).
pub fn parse_label(label: &str) -> Vec<(String, String, i32, Vec<String>)> {
    label
        .split("::")
        .filter(|s| !s.is_empty())
        .map(|s| {
            let f: Vec<&str> = s.split(':').collect();
            let cats = f.get(3).map(|c| c.split(';').map(str::to_string).collect()).unwrap_or_default();
            (
                f.first().unwrap_or(&"").to_string(),
                f.get(1).unwrap_or(&"").to_string(),
                f.get(2).and_then(|v| v.parse().ok()).unwrap_or(0),
                cats,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn no_service_gives_no_label() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(&dir.path().join("c.sqlite")).unwrap();
        let cfg = Config::parse("[reputation]\nservices = []\n", None).unwrap();
        let r = Reputation::from_config(&cfg.reputation, false).unwrap();
        assert!(r.services().is_empty());
        assert!(r.lookup(&mut cache, &["a.com/x".to_string()]).unwrap().labels.is_empty());
    }

    #[test]
    fn labels_round_trip_through_spots_parsing() {
        let l = "feed:MALICIOUS:3:urlhaus|url;openphish|host::gti:Medium:2::fb:UNKNOWN:-1";
        let p = parse_label(l);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], ("feed".into(), "MALICIOUS".into(), 3, vec!["urlhaus|url".into(), "openphish|host".into()]));
        assert_eq!(p[1], ("gti".into(), "Medium".into(), 2, vec![]));
        assert_eq!(p[2].2, -1);
    }

    #[test]
    fn the_feed_service_labels_from_imported_feeds() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(&dir.path().join("c.sqlite")).unwrap();
        cache.import_feed_text("http://evil.com/kit/\nbad.example\n", "list", "openphish", "f.txt").unwrap();
        let cfg = Config::parse("[reputation]\nservices = [\"feed\"]\n", None).unwrap();
        let r = Reputation::from_config(&cfg.reputation, true).unwrap();
        let values: Vec<String> = ["evil.com/kit/a.php", "evil.com/other", "x.bad.example/p", "google.com/"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let o = r.lookup(&mut cache, &values).unwrap();
        assert_eq!(o.labels.get("evil.com/kit/a.php").map(String::as_str), Some("feed:MALICIOUS:3:openphish|url"));
        assert_eq!(o.labels.get("x.bad.example/p").map(String::as_str), Some("feed:SUSPICIOUS:2:openphish|host"));
        assert!(!o.labels.contains_key("evil.com/other"), "a URL entry never marks its whole host");
        assert!(!o.labels.contains_key("google.com/"));
    }
}
