"""Fit Spark MLlib's EM LDA on a proxy-oa corpus and print spot-ml's score of every (client IP, word) pair.

The reference of tests/suite/spark.rs's parity test: the corpus `proxy-oa rank --corpus` wrote (client IP, word,
count; TAB-separated) becomes one document per client IP (a sparse term-count vector over the sorted words), fitted
with `optimizer="em"` and the given K, alpha, beta and iterations, once per seed. As spot-ml does it
(SpotLDAWrapper, SpotLDAHelper): theta is the model's topicDistributions (N_kj normalised), phi the topicsMatrix
column-normalised, and a pair's score is sum_k theta[ip][k] * phi[word][k].

Usage: lda_parity.py CORPUS K ALPHA BETA ITERATIONS SEED [SEED ...]
Prints one line: RESULT {"<seed>": [[ip, word, score], ...], ...}, and on stderr one line per seed:
FIT <seed> <seconds of lda.fit> (the figure BENCHMARKS.md compares the embedded fit with).
"""
import json
import sys
import time

from pyspark.ml.clustering import LDA
from pyspark.ml.linalg import Vectors
from pyspark.sql import SparkSession


def main():
    corpus, k, alpha, beta, iterations = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    seeds = [int(s) for s in sys.argv[6:]]
    triplets = []
    for line in open(corpus, encoding="utf-8"):
        ip, word, count = line.rstrip("\n").split("\t")
        triplets.append((ip, word, float(count)))
    docs = sorted({t[0] for t in triplets})
    words = sorted({t[1] for t in triplets})
    doc_ix = {d: i for i, d in enumerate(docs)}
    word_ix = {w: i for i, w in enumerate(words)}
    per_doc = [dict() for _ in docs]
    for ip, word, count in triplets:
        per_doc[doc_ix[ip]][word_ix[word]] = count
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    # One partition, so that the document ids Spark gives (monotonically_increasing_id) are the rows' order.
    df = spark.createDataFrame(
        [(Vectors.sparse(len(words), sorted(d.items())),) for d in per_doc], ["features"]
    ).coalesce(1)
    out = {}
    for seed in seeds:
        lda = (
            LDA(k=k, maxIter=iterations, optimizer="em", seed=seed)
            .setDocConcentration([alpha] * k)
            .setTopicConcentration(beta)
        )
        started = time.monotonic()
        model = lda.fit(df)
        print(f"FIT {seed} {time.monotonic() - started:.2f}", file=sys.stderr)
        old = model._java_obj.getModel()  # the MLlib DistributedLDAModel spot-ml used
        theta = {}
        for t in old.javaTopicDistributions().collect():
            row = list(t._2().toArray())
            s = sum(row)
            theta[int(t._1())] = [v / s for v in row]
        tm = old.topicsMatrix()
        raw = list(tm.toArray())  # column-major V x K
        nrows = tm.numRows()
        col_sums = [sum(raw[c * nrows:(c + 1) * nrows]) for c in range(k)]
        phi = [[raw[c * nrows + w] / col_sums[c] for c in range(k)] for w in range(nrows)]
        scores = []
        for ip, word, _ in triplets:
            th = theta[doc_ix[ip]]
            ph = phi[word_ix[word]]
            scores.append([ip, word, sum(a * b for a, b in zip(th, ph))])
        out[str(seed)] = scores
    print("RESULT " + json.dumps(out))
    spark.stop()


if __name__ == "__main__":
    main()
