//! The `dga` detector's scorer: how much a host's registered label looks algorithmically generated.
//!
//! The label is the host's second-level label (`xkqzt` of `www.xkqzt.com`; under a two-letter country code
//! preceded by a generic second level such as `co`, `com`, `ac`, the label before it: `bbc` of `bbc.co.uk`). A
//! label shorter than [`MIN_LENGTH`], an internationalised name (Punycode `xn--…` or Unicode) or an address is
//! never scored. Four sub-scores, each in [0, 1], and their mean is the host's score:
//!
//! - **bigram**: the mean log2 probability of the label's character bigrams (with start and end marks, add-one
//!   smoothed over 39 symbols) under a model learned from the site's top-domain list (`cache topdomains import`,
//!   the ranker's list; used when it has at least [`MIN_MODEL_LABELS`] labels): `(−mean − 4.4) / 1.2`, so an
//!   ordinary name (about −4.3) scores 0 and a random one (about −5.5 and below) 1. Without such a list this
//!   sub-score is left out and the mean is of the other three.
//! - **consonants**: the longest run of consonants (letters other than `aeiouy`): `(run − 2) / 3`.
//! - **digits**: letters and digits interleaved: `(switches − 1) / 3`, where a switch is a letter next to a digit
//!   (`office365` has one switch and scores 0; `qpl0x8rt3m` has six and scores 1).
//! - **entropy**: the label's Shannon entropy over its length's ceiling, `H / log2(length)`: `(ratio − 0.75) / 0.2`.
//!
//! The figures of the thresholds (`[findings] dga_min_score`) come from `tests/fixtures/dga` (public lists of
//! eight malware families' generated names and of popular names, GPL-2.0): see BENCHMARKS.md and the test below.

use std::collections::HashMap;

/// Labels shorter than this are not scored (too short to tell: `bbc`, `x3`).
pub const MIN_LENGTH: usize = 7;

/// A top-domain list needs this many labels for its bigram model to be used.
pub const MIN_MODEL_LABELS: usize = 500;

/// Symbols of the bigram model: a–z, 0–9, `-`, and the start and end marks.
const SYMBOLS: f64 = 39.0;

/// A character-bigram model of ordinary names.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pairs: HashMap<(char, char), u64>,
    firsts: HashMap<char, u64>,
}

impl Model {
    /// The model of `labels` (the top-domain list's first labels); `None` with fewer than [`MIN_MODEL_LABELS`].
    pub fn from_labels<S: AsRef<str>>(labels: &[S]) -> Option<Model> {
        if labels.len() < MIN_MODEL_LABELS {
            return None;
        }
        let mut m = Model::default();
        for l in labels {
            let marked = marked(l.as_ref());
            for w in marked.windows(2) {
                *m.pairs.entry((w[0], w[1])).or_default() += 1;
                *m.firsts.entry(w[0]).or_default() += 1;
            }
        }
        Some(m)
    }

    /// The mean log2 probability of `label`'s bigrams.
    pub fn mean_log2(&self, label: &str) -> f64 {
        let marked = marked(label);
        let n = marked.len().saturating_sub(1).max(1);
        let sum: f64 = marked
            .windows(2)
            .map(|w| {
                let pair = self.pairs.get(&(w[0], w[1])).copied().unwrap_or(0) as f64;
                let first = self.firsts.get(&w[0]).copied().unwrap_or(0) as f64;
                ((pair + 1.0) / (first + SYMBOLS)).log2()
            })
            .sum();
        sum / n as f64
    }
}

/// `^label$` as characters.
fn marked(label: &str) -> Vec<char> {
    std::iter::once('^').chain(label.chars()).chain(std::iter::once('$')).collect()
}

/// Second levels under a two-letter country code that are not the registrant's name (`co.uk`, `com.br`).
const GENERIC_SECOND: [&str; 16] =
    ["co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gob", "nic", "mil", "ltd", "plc", "sch"];

/// The registered label of `host`, lower case; `None` for an address or a host of one label.
pub fn registered_label(host: &str) -> Option<String> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    if n < 2 {
        return None;
    }
    let label = if n >= 3 && labels[n - 1].len() == 2 && GENERIC_SECOND.contains(&labels[n - 2]) {
        labels[n - 3]
    } else {
        labels[n - 2]
    };
    (!label.is_empty()).then(|| label.to_string())
}

/// A scored label and the numbers behind its score (the finding's evidence).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Scored {
    pub label: String,
    pub score: f64,
    /// The bigram mean log2 probability; `None` without a model.
    pub bigram: Option<f64>,
    pub consonant_run: usize,
    pub digits: usize,
    /// Places where a letter and a digit meet.
    pub switches: usize,
    pub entropy: f64,
}

fn clamp(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

/// Score `label` (see the module's formula); `None` when it is too short to score or an internationalised name,
/// in Punycode (`xn--…`, which reads as random letters whatever the name says) or in Unicode (the bigram model and
/// the consonant runs know ASCII only).
pub fn score(label: &str, model: Option<&Model>) -> Option<Scored> {
    let chars: Vec<char> = label.chars().collect();
    let len = chars.len();
    if len < MIN_LENGTH || label.starts_with("xn--") || !label.is_ascii() {
        return None;
    }
    let (mut run, mut best) = (0usize, 0usize);
    for c in &chars {
        if c.is_ascii_alphabetic() && !"aeiouy".contains(*c) {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    let digits = chars.iter().filter(|c| c.is_ascii_digit()).count();
    let switches = chars
        .windows(2)
        .filter(|w| {
            (w[0].is_ascii_digit() && w[1].is_ascii_alphabetic())
                || (w[0].is_ascii_alphabetic() && w[1].is_ascii_digit())
        })
        .count();
    let mut counts: HashMap<char, usize> = HashMap::new();
    for c in &chars {
        *counts.entry(*c).or_default() += 1;
    }
    let entropy: f64 = counts
        .values()
        .map(|&k| {
            let p = k as f64 / len as f64;
            -p * p.log2()
        })
        .sum();
    let mut parts = vec![
        clamp((best as f64 - 2.0) / 3.0),
        clamp((switches as f64 - 1.0) / 3.0),
        clamp((entropy / (len as f64).log2() - 0.75) / 0.2),
    ];
    let bigram = model.map(|m| m.mean_log2(label));
    if let Some(b) = bigram {
        parts.push(clamp((-b - 4.4) / 1.2));
    }
    let score = parts.iter().sum::<f64>() / parts.len() as f64;
    Some(Scored { label: label.to_string(), score, bigram, consonant_run: best, digits, switches, entropy })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registered_label_is_the_registrants_name() {
        assert_eq!(registered_label("www.Xkqzt.com").as_deref(), Some("xkqzt"));
        assert_eq!(registered_label("news.bbc.co.uk").as_deref(), Some("bbc"));
        assert_eq!(registered_label("shop.example.de.").as_deref(), Some("example"));
        assert_eq!(registered_label("a.b.cn").as_deref(), Some("b"));
        assert_eq!(registered_label("10.1.2.3"), None);
        assert_eq!(registered_label("[2001:db8::1]"), None);
        assert_eq!(registered_label("localhost"), None);
    }

    #[test]
    fn each_sub_score_moves_the_score_the_way_the_formula_says() {
        // Too short: not scored.
        assert_eq!(score("abcdef", None), None);
        let plain = score("example", None).unwrap();
        assert_eq!(plain.consonant_run, 3, "m-p-l");
        let run = score("exmplrtqe", None).unwrap();
        assert_eq!(run.consonant_run, 7, "x-m-p-l-r-t-q");
        assert!(run.score > plain.score);
        let mixed = score("a1b2c3d4e5", None).unwrap();
        assert_eq!((mixed.digits, mixed.switches), (5, 9));
        assert!(mixed.score > plain.score);
        // A number at the end of a name is one switch: no digits sub-score.
        let office = score("office365", None).unwrap();
        assert_eq!(office.switches, 1);
        assert!(office.score < score("offi3ce65", None).unwrap().score);
        // Punycode (an internationalised name) is not scored: it reads as random letters.
        assert_eq!(score("xn--bcher-kva", None), None);
        assert_eq!(score("bücherladen", None), None);
        // A label of one repeated letter has no entropy.
        assert_eq!(score("aaaaaaaa", None).unwrap().entropy, 0.0);
    }

    #[test]
    fn a_bigram_model_needs_enough_labels_and_prefers_its_own_kind() {
        assert!(Model::from_labels(&["google"; 10]).is_none());
        let words: Vec<String> =
            (0..MIN_MODEL_LABELS).map(|i| ["market", "garden", "station", "weather"][i % 4].to_string()).collect();
        let m = Model::from_labels(&words).unwrap();
        assert!(m.mean_log2("gardenmarket") > m.mean_log2("qxzvkwpjhf"));
        let with = score("qxzvkwpjhf", Some(&m)).unwrap();
        assert!(with.bigram.is_some());
        assert!(with.score > score("gardenstation", Some(&m)).unwrap().score);
    }

    /// The public lists of `tests/fixtures/dga`: the share of each that scores at or above the default
    /// `dga_min_score`, with the bigram model learned from the first 500 popular names and measured on the other
    /// 500. BENCHMARKS.md has these figures; the bounds below are theirs, rounded down.
    #[test]
    fn the_default_threshold_holds_on_public_dga_and_popular_names() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dga");
        let read = |name: &str| -> Vec<String> {
            let text = std::fs::read_to_string(dir.join(format!("{name}_1000.txt"))).unwrap();
            text.lines().filter(|l| !l.trim().is_empty()).filter_map(registered_label).collect()
        };
        let popular = read("alexa");
        assert_eq!(popular.len(), 1000);
        let (train, held_out) = popular.split_at(500);
        let model = Model::from_labels(train).unwrap();
        let threshold = crate::config::FindingsCfg::default().dga_min_score;
        let rate = |labels: &[String], m: Option<&Model>| {
            let hit = labels.iter().filter(|l| score(l, m).is_some_and(|s| s.score >= threshold)).count();
            hit as f64 / labels.len() as f64
        };
        let mut rows = vec![("popular (held out)", rate(held_out, Some(&model)), rate(held_out, None))];
        for family in ["conficker", "cryptolocker", "pushdo", "ramdo", "tinba", "zeus", "matsnu", "rovnix"] {
            let names = read(family);
            rows.push((family, rate(&names, Some(&model)), rate(&names, None)));
        }
        for (name, with, without) in &rows {
            println!("dga at {threshold}: {name:20} {with:.3} with the bigram model, {without:.3} without");
        }
        let with = |name: &str| rows.iter().find(|r| r.0 == name).unwrap().1;
        // Ordinary names: at most 1 % taken for generated ones.
        assert!(with("popular (held out)") <= 0.01, "{rows:?}");
        // The character-based families the score is made for.
        for (family, at_least) in [("conficker", 0.4), ("cryptolocker", 0.6), ("tinba", 0.55), ("zeus", 0.95)] {
            assert!(with(family) >= at_least, "{family}: {rows:?}");
        }
        // What it cannot see, said here as the README says it: names of English words (matsnu, rovnix) and
        // pronounceable syllables (pushdo) score like ordinary names.
        for family in ["matsnu", "rovnix", "pushdo"] {
            assert!(with(family) <= 0.05, "{family}: {rows:?}");
        }
    }
}
