//! spot-ml's topic model: Spark MLlib's EM LDA (`EMLDAOptimizer`), fitted on one machine, deterministically.
//!
//! The corpus is the day's `(document, term, count)` triplets (document = client IP, term = word). Spark's EM, as
//! `LDAOptimizer.scala` writes it (specification: `spot-ml-proxy-ranker.md` §4.2):
//!
//! - **initialisation**: each edge (document j, term w, count N_wj) draws `γ = normalize(K × Uniform(0,1))`; then
//!   `N_kj += N_wj·γ` and `N_wk += N_wj·γ`;
//! - **each iteration** (synchronous, every edge reads the previous iteration's counts): `N_k = Σ_w N_wk`;
//!   `γ_wjk ∝ (N_wk + η − 1)(N_kj + α − 1) / (N_k + W(η − 1))`, normalised over k; the new `N_kj = Σ_w N_wj·γ_wjk`
//!   and `N_wk = Σ_j N_wj·γ_wjk` (W: the vocabulary size);
//! - **outputs** as spot-ml uses them: `θ_jk = N_kj / Σ_k N_kj` (`topicDistributions`) and `φ_wk = N_wk / Σ_w N_wk`
//!   (`topicsMatrix`, column-normalised by `SpotLDAHelper`).
//!
//! Where Spark is not reproducible (one `java.util.Random(partition + seed)` per partition, edges in partition
//! order), this is: one PCG-64 generator seeded by `[rank] seed` draws the initial γ of the edges in their order
//! (documents, then terms, both sorted by their text), and every sum runs in an order fixed by the corpus: an
//! iteration's edges are cut into at most eight runs of whole documents (by the corpus alone), each run adds its
//! terms' updates up in edge order in a table of its own, and the tables are added up in run order. The runs go to
//! `[store] threads` threads, but which thread takes a run changes no sum, so the same corpus and seed give the
//! same bits on any machine and any thread count. No SQL here: the corpus comes in, θ and φ go out.
//!
//! The arithmetic is arranged for speed without changing the formulas (BENCHMARKS.md: 0.81 s → 0.47 s at 915,648
//! pairs on one thread, 0.31 s on two): the K denominators are inverted once per iteration, the term's factor `(N_wk + η − 1) / (N_k + W(η − 1))`
//! and the document's `N_kj + α − 1` are computed once per row instead of once per pair, and γ's normalising sum is
//! added up in four running sums (elements 4i, 4i+1, 4i+2, 4i+3). The results differ from the division-per-element
//! order in the last bits only, and stay the same on every machine.

use rand::{RngExt, SeedableRng};

/// One `(document, term, count)` triplet; `doc` and `term` index [`Corpus::docs`] and [`Corpus::terms`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub doc: u32,
    pub term: u32,
    pub count: f64,
}

/// The training corpus: documents and terms in sorted order, edges sorted by (doc, term), one per pair.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Corpus {
    pub docs: Vec<String>,
    pub terms: Vec<String>,
    pub edges: Vec<Edge>,
}

impl Corpus {
    /// Build from `(document, term, count)` triplets in any order; pairs given twice are summed, zero counts are
    /// left out. Documents and terms are numbered in byte order of their text.
    pub fn from_triplets<'a>(triplets: impl IntoIterator<Item = (&'a str, &'a str, f64)>) -> Corpus {
        let mut pairs: std::collections::BTreeMap<(&str, &str), f64> = Default::default();
        for (d, t, c) in triplets {
            if c > 0.0 {
                *pairs.entry((d, t)).or_default() += c;
            }
        }
        let mut docs: Vec<&str> = pairs.keys().map(|(d, _)| *d).collect();
        docs.dedup();
        let mut terms: Vec<&str> = pairs.keys().map(|(_, t)| *t).collect();
        terms.sort_unstable();
        terms.dedup();
        let term_ix: std::collections::HashMap<&str, u32> =
            terms.iter().enumerate().map(|(i, t)| (*t, i as u32)).collect();
        let mut edges = Vec::with_capacity(pairs.len());
        let mut doc = 0u32;
        let mut last: Option<&str> = None;
        for ((d, t), c) in &pairs {
            if last.is_some_and(|l| l != *d) {
                doc += 1;
            }
            last = Some(d);
            edges.push(Edge { doc, term: term_ix[t], count: *c });
        }
        Corpus {
            docs: docs.into_iter().map(str::to_string).collect(),
            terms: terms.into_iter().map(str::to_string).collect(),
            edges,
        }
    }
}

/// The model's settings (`[rank]`): spot-ml's K = 20, α = 1.02, η = 1.001, 20 iterations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub topics: usize,
    pub alpha: f64,
    pub eta: f64,
    pub iterations: u32,
    pub seed: u64,
    /// Threads the iterations run on (at least one). The results do not depend on it.
    pub threads: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params { topics: 20, alpha: 1.02, eta: 1.001, iterations: 20, seed: DEFAULT_SEED, threads: 1 }
    }
}

/// `[rank] seed` when the config gives none.
pub use crate::config::DEFAULT_SEED;

impl From<&crate::config::RankCfg> for Params {
    /// The model's settings of `[rank]`.
    fn from(cfg: &crate::config::RankCfg) -> Self {
        Params {
            topics: cfg.topics,
            alpha: cfg.alpha,
            eta: cfg.beta,
            iterations: cfg.iterations,
            seed: cfg.seed,
            threads: 1,
        }
    }
}

/// A fitted model: θ (documents × K) and φ (terms × K), row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub topics: usize,
    pub theta: Vec<f64>,
    pub phi: Vec<f64>,
}

impl Model {
    /// θ of document `d`.
    pub fn theta(&self, d: usize) -> &[f64] {
        &self.theta[d * self.topics..(d + 1) * self.topics]
    }

    /// φ of term `w`.
    pub fn phi(&self, w: usize) -> &[f64] {
        &self.phi[w * self.topics..(w + 1) * self.topics]
    }

    /// spot-ml's score of a (document, term) pair: `Σ_k θ[d][k]·φ[w][k]`, summed in topic order (the order the
    /// scoring SQL adds its products in).
    pub fn score(&self, d: usize, w: usize) -> f64 {
        self.theta(d).iter().zip(self.phi(w)).fold(0.0, |s, (a, b)| s + a * b)
    }
}

/// Why a fit cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FitError {
    #[error("the corpus is empty: no (client IP, word) pair to learn from")]
    Empty,
    #[error("EM needs alpha > 1 and eta > 1 and at least one topic (alpha {alpha}, eta {eta}, topics {topics})")]
    Params { alpha: String, eta: String, topics: usize },
}

/// Fit the model; `progress` is called after each iteration with its number.
pub fn fit(corpus: &Corpus, p: &Params, mut progress: impl FnMut(u32)) -> Result<Model, FitError> {
    let k = p.topics;
    // Spark refuses these too (EM is a MAP estimate with α − 1 and η − 1 offsets).
    if k == 0
        || p.alpha.partial_cmp(&1.0) != Some(std::cmp::Ordering::Greater)
        || p.eta.partial_cmp(&1.0) != Some(std::cmp::Ordering::Greater)
    {
        return Err(FitError::Params { alpha: p.alpha.to_string(), eta: p.eta.to_string(), topics: k });
    }
    if corpus.edges.is_empty() {
        return Err(FitError::Empty);
    }
    let (nd, nw) = (corpus.docs.len(), corpus.terms.len());
    let (mut n_kj, mut n_wk) = initial_counts(corpus, k, p.seed);
    let (eta1, alpha1) = (p.eta - 1.0, p.alpha - 1.0);
    let w_eta1 = nw as f64 * eta1;
    let parts = parts(corpus, k);
    let mut next_kj = vec![0.0f64; nd * k];
    let mut next_wk = vec![0.0f64; nw * k];
    let mut partial_wk: Vec<Vec<f64>> = parts.iter().map(|_| vec![0.0f64; nw * k]).collect();
    let mut n_k = vec![0.0f64; k];
    let mut inv_k = vec![0.0f64; k];
    for it in 1..=p.iterations {
        topic_totals(&n_wk, k, &mut n_k);
        for (i, n) in inv_k.iter_mut().zip(&n_k) {
            *i = 1.0 / (n + w_eta1);
        }
        // The factors of γ that depend on the term alone and on the document alone, once per row: the previous
        // counts are not read again in this iteration, so they become the factors in place.
        for row in n_wk.chunks_mut(k) {
            for (v, i) in row.iter_mut().zip(&inv_k) {
                *v = (*v + eta1) * i;
            }
        }
        n_kj.iter_mut().for_each(|v| *v += alpha1);
        // Each part's documents are its own rows of the new N_kj; its terms' updates go to a table of its own,
        // added up in part order below.
        let mut jobs = vec![];
        let mut rest: &mut [f64] = &mut next_kj;
        for (part, wk) in parts.iter().zip(partial_wk.iter_mut()) {
            let (kj, tail) = std::mem::take(&mut rest).split_at_mut(part.docs.len() * k);
            rest = tail;
            jobs.push((part, kj, wk));
        }
        let (fw, fj) = (&n_wk, &n_kj);
        let run = |(part, kj, wk): (&Part, &mut [f64], &mut Vec<f64>)| {
            iterate(&corpus.edges[part.edges.clone()], part.docs.start, k, fw, fj, kj, wk)
        };
        let threads = p.threads.clamp(1, jobs.len());
        let mut lanes: Vec<Vec<_>> = (0..threads).map(|_| vec![]).collect();
        for (i, job) in jobs.into_iter().enumerate() {
            lanes[i % threads].push(job);
        }
        if let [one] = &mut lanes[..] {
            std::mem::take(one).into_iter().for_each(run);
        } else {
            let run = &run;
            std::thread::scope(|s| {
                for lane in lanes {
                    s.spawn(move || lane.into_iter().for_each(run));
                }
            });
        }
        next_wk.copy_from_slice(&partial_wk[0]);
        for wk in &partial_wk[1..] {
            next_wk.iter_mut().zip(wk).for_each(|(v, x)| *v += x);
        }
        std::mem::swap(&mut n_kj, &mut next_kj);
        std::mem::swap(&mut n_wk, &mut next_wk);
        progress(it);
    }
    topic_totals(&n_wk, k, &mut n_k);
    let mut theta = n_kj;
    for row in theta.chunks_mut(k) {
        let s: f64 = row.iter().sum();
        if s > 0.0 {
            row.iter_mut().for_each(|v| *v /= s);
        }
    }
    let mut phi = n_wk;
    for row in phi.chunks_mut(k) {
        for (v, total) in row.iter_mut().zip(&n_k) {
            *v = if *total > 0.0 { *v / total } else { 0.0 };
        }
    }
    Ok(Model { topics: k, theta, phi })
}

/// Spark's initialisation: each edge draws `γ = normalize(K × Uniform(0,1))` from one PCG-64 generator seeded by
/// `seed`, in edge order, and adds `count × γ` to its document's and its term's counts: (N_kj, N_wk), row-major.
fn initial_counts(corpus: &Corpus, k: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let (nd, nw) = (corpus.docs.len(), corpus.terms.len());
    let mut n_kj = vec![0.0f64; nd * k];
    let mut n_wk = vec![0.0f64; nw * k];
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let mut gamma = vec![0.0f64; k];
    for e in &corpus.edges {
        let mut sum = 0.0;
        for g in gamma.iter_mut() {
            *g = rng.random::<f64>();
            sum += *g;
        }
        let (j, w) = (e.doc as usize * k, e.term as usize * k);
        for t in 0..k {
            let v = gamma[t] / sum * e.count;
            n_kj[j + t] += v;
            n_wk[w + t] += v;
        }
    }
    (n_kj, n_wk)
}

/// A run of whole documents and their edges: the unit one thread works on in an iteration.
struct Part {
    docs: std::ops::Range<usize>,
    edges: std::ops::Range<usize>,
}

/// The edges cut into runs of whole documents of about as many edges each: as many as [`MAX_PARTS`], fewer where
/// the documents are few or the parts' term tables (W × K each) would pass [`PART_TABLES_BYTES`]. The cut depends
/// on the corpus alone, never on the threads, so every thread count adds the same numbers in the same order.
fn parts(corpus: &Corpus, k: usize) -> Vec<Part> {
    let (nd, ne) = (corpus.docs.len(), corpus.edges.len());
    let table = (corpus.terms.len() * k * std::mem::size_of::<f64>()).max(1);
    let n = MAX_PARTS.min(PART_TABLES_BYTES / table).min(nd).max(1);
    // The first edge of each document (edges are sorted by document; one without edges starts where the next does).
    let mut first = vec![ne; nd + 1];
    for (i, e) in corpus.edges.iter().enumerate().rev() {
        first[e.doc as usize] = i;
    }
    for d in (0..nd).rev() {
        first[d] = first[d].min(first[d + 1]);
    }
    let mut parts = vec![];
    let mut d0 = 0;
    for i in 1..=n {
        let mut d1 = d0;
        while d1 < nd && (i == n || first[d1] < ne * i / n) {
            d1 += 1;
        }
        if d1 > d0 {
            parts.push(Part { docs: d0..d1, edges: first[d0]..first[d1] });
            d0 = d1;
        }
    }
    parts
}

/// How many parts an iteration is cut into at most.
const MAX_PARTS: usize = 8;
/// The memory the parts' term tables may take together (a vocabulary of 200,000 words at K = 20 still gets two).
const PART_TABLES_BYTES: usize = 64 << 20;

/// One part's share of an iteration: for each edge, γ from the term's and the document's factors (`fw`, `fj`),
/// added to the part's rows of the new N_kj (`kj`, from document `doc0`) and to its own term table `wk`.
fn iterate(edges: &[Edge], doc0: usize, k: usize, fw: &[f64], fj: &[f64], kj: &mut [f64], wk: &mut [f64]) {
    wk.fill(0.0);
    kj.fill(0.0);
    let mut gamma = vec![0.0f64; k];
    for e in edges {
        let (j, w) = (e.doc as usize * k, e.term as usize * k);
        for (g, (a, b)) in gamma.iter_mut().zip(fw[w..w + k].iter().zip(&fj[j..j + k])) {
            *g = a * b;
        }
        let scale = e.count / lane_sum(&gamma);
        let jj = j - doc0 * k;
        for ((g, x), y) in gamma.iter().zip(kj[jj..jj + k].iter_mut()).zip(wk[w..w + k].iter_mut()) {
            let v = g * scale;
            *x += v;
            *y += v;
        }
    }
}

/// The sum of `v` as four running sums (elements 4i, 4i+1, 4i+2, 4i+3), added up at the end: the same order on
/// every machine, and four additions in flight instead of one chain.
fn lane_sum(v: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 4];
    let mut chunks = v.chunks_exact(4);
    for c in &mut chunks {
        for (l, x) in lanes.iter_mut().zip(c) {
            *l += x;
        }
    }
    for (l, x) in lanes.iter_mut().zip(chunks.remainder()) {
        *l += x;
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// `N_k = Σ_w N_wk`, in term order.
fn topic_totals(n_wk: &[f64], k: usize, out: &mut [f64]) {
    out.fill(0.0);
    for row in n_wk.chunks(k) {
        for (o, v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The update written the plain way, straight from the formulas (no reused buffers, per-pair maps): the
    /// reference the fit is checked against.
    fn naive(corpus: &Corpus, p: &Params) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let k = p.topics;
        let mut rng = rand_pcg::Pcg64::seed_from_u64(p.seed);
        let mut nkj = vec![vec![0.0; k]; corpus.docs.len()];
        let mut nwk = vec![vec![0.0; k]; corpus.terms.len()];
        for e in &corpus.edges {
            let g: Vec<f64> = (0..k).map(|_| rng.random::<f64>()).collect();
            let s: f64 = g.iter().sum();
            for t in 0..k {
                nkj[e.doc as usize][t] += g[t] / s * e.count;
                nwk[e.term as usize][t] += g[t] / s * e.count;
            }
        }
        let w = corpus.terms.len() as f64;
        for _ in 0..p.iterations {
            let nk: Vec<f64> = (0..k).map(|t| nwk.iter().map(|r| r[t]).sum()).collect();
            let mut a = vec![vec![0.0; k]; corpus.docs.len()];
            let mut b = vec![vec![0.0; k]; corpus.terms.len()];
            for e in &corpus.edges {
                let (j, wi) = (e.doc as usize, e.term as usize);
                let g: Vec<f64> = (0..k)
                    .map(|t| (nwk[wi][t] + p.eta - 1.0) * (nkj[j][t] + p.alpha - 1.0) / (nk[t] + w * (p.eta - 1.0)))
                    .collect();
                let s: f64 = g.iter().sum();
                for t in 0..k {
                    a[j][t] += g[t] / s * e.count;
                    b[wi][t] += g[t] / s * e.count;
                }
            }
            nkj = a;
            nwk = b;
        }
        let nk: Vec<f64> = (0..k).map(|t| nwk.iter().map(|r| r[t]).sum()).collect();
        let theta = nkj.iter().map(|r| r.iter().map(|v| v / r.iter().sum::<f64>()).collect()).collect();
        let phi = nwk.iter().map(|r| r.iter().zip(&nk).map(|(v, n)| v / n).collect()).collect();
        (theta, phi)
    }

    fn corpus_strategy() -> impl Strategy<Value = Corpus> {
        proptest::collection::vec((0u8..6, 0u8..9, 1u32..60), 1..40).prop_map(|v| {
            let owned: Vec<(String, String, f64)> =
                v.into_iter().map(|(d, t, c)| (format!("10.0.0.{d}"), format!("w{t}"), f64::from(c))).collect();
            Corpus::from_triplets(owned.iter().map(|(d, t, c)| (d.as_str(), t.as_str(), *c)))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn em_agrees_with_the_formulas_written_plainly(
            c in corpus_strategy(), k in 1usize..6, seed in any::<u64>(), threads in 1usize..4
        ) {
            let p = Params { topics: k, iterations: 7, seed, threads, ..Params::default() };
            let m = fit(&c, &p, |_| {}).unwrap();
            let (theta, phi) = naive(&c, &p);
            for (d, row) in theta.iter().enumerate() {
                for (t, v) in row.iter().enumerate() {
                    prop_assert!((m.theta(d)[t] - v).abs() <= 1e-12 * v.abs().max(1.0), "theta {d} {t}");
                }
                // Each θ row is a distribution.
                prop_assert!((m.theta(d).iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
            for (w, row) in phi.iter().enumerate() {
                for (t, v) in row.iter().enumerate() {
                    prop_assert!((m.phi(w)[t] - v).abs() <= 1e-12 * v.abs().max(1.0), "phi {w} {t}");
                }
            }
            // Each topic's φ column is a distribution over the terms.
            for t in 0..k {
                let s: f64 = (0..c.terms.len()).map(|w| m.phi(w)[t]).sum();
                prop_assert!((s - 1.0).abs() < 1e-9, "topic {t}: {s}");
            }
        }
    }

    #[test]
    fn one_document_scores_each_word_by_its_share() {
        // spot-ml's ProxySuspiciousConnectsAnalysisTest: one IP, one intel.com row and nine bronto.com rows score
        // about 0.1 and 0.9 (with one document, Σ_k θ·φ = N_wj / N_j whatever the topics are).
        let c = Corpus::from_triplets([
            ("127.0.0.1", "2_4_PUT_17_text_3_6_202", 1.0),
            ("127.0.0.1", "1_4_PUT_17_text_3_6_202", 9.0),
        ]);
        let m = fit(&c, &Params::default(), |_| {}).unwrap();
        let intel = c.terms.iter().position(|t| t.starts_with("2_")).unwrap();
        let bronto = c.terms.iter().position(|t| t.starts_with("1_")).unwrap();
        assert!((m.score(0, intel) - 0.1).abs() <= 1e-9, "{}", m.score(0, intel));
        assert!((m.score(0, bronto) - 0.9).abs() <= 1e-9, "{}", m.score(0, bronto));
    }

    #[test]
    fn the_same_seed_gives_the_same_bits_and_another_seed_other_ones() {
        let c = Corpus::from_triplets([
            ("a", "x", 50.0),
            ("a", "y", 1.0),
            ("b", "x", 3.0),
            ("b", "z", 40.0),
            ("c", "y", 7.0),
            ("c", "z", 2.0),
        ]);
        let p = Params { topics: 2, ..Params::default() };
        let a = fit(&c, &p, |_| {}).unwrap();
        let b = fit(&c, &p, |_| {}).unwrap();
        assert_eq!(a, b);
        let other = fit(&c, &Params { seed: 7, ..p }, |_| {}).unwrap();
        assert_ne!(a.theta, other.theta);
        // A document's rare word scores below its frequent one, whatever the seed.
        let (x, y) = (0, 1);
        assert!(a.score(0, y) < a.score(0, x));
        assert!(other.score(0, y) < other.score(0, x));
    }

    #[test]
    fn every_thread_count_gives_the_same_bits_from_parts_that_cover_the_corpus() {
        let owned: Vec<(String, String, f64)> = (0..40u32)
            .flat_map(|d| {
                (0..d % 7 + 1)
                    .map(move |t| (format!("10.0.0.{d}"), format!("w{}", (d * 3 + t) % 11), f64::from(1 + d * t % 5)))
            })
            .collect();
        let c = Corpus::from_triplets(owned.iter().map(|(d, t, n)| (d.as_str(), t.as_str(), *n)));
        let ps = parts(&c, 20);
        assert!(ps.len() > 1 && ps.len() <= MAX_PARTS, "{}", ps.len());
        // Runs of whole documents, in order, covering every document and edge once.
        let (mut d, mut e) = (0, 0);
        for p in &ps {
            assert_eq!((p.docs.start, p.edges.start), (d, e));
            assert!(c.edges[p.edges.clone()].iter().all(|x| p.docs.contains(&(x.doc as usize))));
            (d, e) = (p.docs.end, p.edges.end);
        }
        assert_eq!((d, e), (c.docs.len(), c.edges.len()));
        let one = fit(&c, &Params { threads: 1, ..Params::default() }, |_| {}).unwrap();
        for threads in [2, 3, 8, 64] {
            assert_eq!(fit(&c, &Params { threads, ..Params::default() }, |_| {}).unwrap(), one, "{threads} threads");
        }
        // A corpus of one document is one part.
        assert_eq!(parts(&Corpus::from_triplets([("a", "x", 1.0), ("a", "y", 2.0)]), 20).len(), 1);
    }

    #[test]
    fn iterations_are_reported_and_bad_settings_refused() {
        let c = Corpus::from_triplets([("a", "x", 1.0)]);
        let mut seen = vec![];
        fit(&c, &Params { iterations: 3, ..Params::default() }, |i| seen.push(i)).unwrap();
        assert_eq!(seen, [1, 2, 3]);
        assert!(matches!(fit(&c, &Params { alpha: 1.0, ..Params::default() }, |_| {}), Err(FitError::Params { .. })));
        assert!(matches!(fit(&c, &Params { eta: 0.5, ..Params::default() }, |_| {}), Err(FitError::Params { .. })));
        assert_eq!(fit(&Corpus::default(), &Params::default(), |_| {}), Err(FitError::Empty));
    }

    #[test]
    fn triplets_are_summed_numbered_in_text_order_and_zero_counts_left_out() {
        let c = Corpus::from_triplets([("b", "y", 1.0), ("a", "z", 2.0), ("b", "y", 3.0), ("a", "x", 0.0)]);
        assert_eq!(c.docs, ["a", "b"]);
        assert_eq!(c.terms, ["y", "z"]);
        assert_eq!(c.edges, [Edge { doc: 0, term: 1, count: 2.0 }, Edge { doc: 1, term: 0, count: 4.0 }]);
    }

    #[test]
    fn triplets_in_order_give_the_corpus_of_any_other_order() {
        // Shuffled, repeated or with a zero count, the same pairs give the same corpus as in order.
        let sorted =
            [("10.0.0.1", "a_1", 2.0), ("10.0.0.1", "b", 1.0), ("10.0.0.2", "a_1", 5.0), ("9.9.9.9", "Z", 1.0)];
        let got = Corpus::from_triplets(sorted);
        assert_eq!(got.docs, ["10.0.0.1", "10.0.0.2", "9.9.9.9"]);
        assert_eq!(got.terms, ["Z", "a_1", "b"]);
        let mixed = [
            ("9.9.9.9", "Z", 1.0),
            ("10.0.0.2", "a_1", 3.0),
            ("10.0.0.1", "b", 1.0),
            ("10.0.0.2", "a_1", 2.0),
            ("10.0.0.1", "a_1", 2.0),
            ("10.0.0.1", "c", 0.0),
        ];
        assert_eq!(Corpus::from_triplets(mixed), got);
    }
}
