-- spot-ml's selection (`spot-ml-proxy-ranker.md` §4.5, §6.2): every raw row of the day scored by its (client IP,
-- word) pair, score = Σ_k θ[clientip][k]·φ[word][k] (rank_theta: clientip, t0 … t{K-1}; rank_phi: word, p0 …
-- p{K-1}; the products added in topic order, the expression rendered from K by src/rank/mod.rs where
-- `theta_dot_phi` stands), a word the model has not seen scoring 0; rows with -1 < score <= $threshold, ascending
-- score, ties in the order of the row's own values (spot-ml left ties to Spark's partitions). `word_error` rows
-- are not in the corpus: spot-ml scored them -1 and dropped them.

-- The corpus pairs of the day that qualify (few), scored once.
CREATE OR REPLACE TEMP TABLE rank_low AS
SELECT clientip, word, score
FROM (SELECT c.clientip, c.word, coalesce(theta_dot_phi, 0.0) AS score
      FROM rank_corpus AS c
      JOIN rank_theta AS t ON t.clientip = c.clientip
      LEFT JOIN rank_phi AS p ON p.word = c.word
      WHERE c.is_day) AS s
WHERE score <= $threshold AND score > -1;

-- Only the day's rows that can hold such a pair get a word again: those of the pairs' client IP, method, code and
-- hour (`rank_keys`, few), kept once. The table macro rank_input_kept (src/rank/mod.rs) is schema/rank_input.sql
-- over the day's rows as stored (`proxy_stored`) that have those ruled key values: a hash join against the keys
-- before any word is built, and the value rules applied to the other columns of the rows kept only.
CREATE OR REPLACE TEMP TABLE rank_keys AS
SELECT DISTINCT k.clientip, k.reqmethod, k.respcode, k.hh
FROM rank_counts AS k JOIN rank_low AS l ON l.clientip = k.clientip AND l.word = k.word
WHERE k.is_day;

CREATE OR REPLACE TEMP TABLE rank_kept AS
SELECT s.*
FROM rank_input_kept(getvariable('rank_raw_y'), getvariable('rank_raw_m'), getvariable('rank_raw_d'),
                     getvariable('rank_dupfactor')) AS s
WHERE s.is_day;

CREATE OR REPLACE TEMP VIEW rank_source AS SELECT * FROM rank_kept;

-- The rows of those pairs (schema/rank_selected.sql). `rank --on-cluster` selects them on Spark instead.
CREATE OR REPLACE TEMP TABLE rank_selected AS SELECT * FROM rank_selected_rows();

-- The results file's rows in order (also over the rows a run on the cluster selected).
SELECT p_date, p_time, clientip, host, reqmethod, useragent, resconttype, duration, username, webcat, referer,
       respcode, uriport, uripath, uriquery, serverip, scbytes, csbytes, fulluri, word, score
FROM rank_selected
ORDER BY score, p_date NULLS LAST, p_time NULLS LAST, clientip NULLS LAST, host NULLS LAST, reqmethod NULLS LAST,
         useragent NULLS LAST, resconttype NULLS LAST, duration NULLS LAST, username NULLS LAST, webcat NULLS LAST,
         referer NULLS LAST, respcode NULLS LAST, uriport NULLS LAST, uripath NULLS LAST, uriquery NULLS LAST,
         serverip NULLS LAST, scbytes NULLS LAST, csbytes NULLS LAST, fulluri NULLS LAST;
