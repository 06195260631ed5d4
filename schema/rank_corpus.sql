-- The ranker's corpus (`spot-ml-proxy-ranker.md` §3): (client IP, word) pairs with their counts, day rows once
-- and the analyst's benign feedback rows `dupfactor` times each, `word_error` rows kept apart (counted, never
-- learned from). `is_day`: the pair has rows of the day (only those are scored). One scan of the raw day.
CREATE OR REPLACE TEMP TABLE rank_counts AS
SELECT clientip, word, is_day, CAST(sum(copies) AS BIGINT) AS n, count(*) AS row_count
FROM rank_rows($raw_y, $raw_m, $raw_d, $dupfactor)
GROUP BY clientip, word, is_day;

CREATE OR REPLACE TEMP TABLE rank_corpus AS
SELECT clientip, word, CAST(sum(n) AS BIGINT) AS n, bool_or(is_day) AS is_day
FROM rank_counts
WHERE word <> 'word_error'
GROUP BY clientip, word;
