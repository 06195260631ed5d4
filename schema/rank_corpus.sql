-- The ranker's corpus (`spot-ml-proxy-ranker.md` §3): (client IP, word) pairs with their counts, day rows once
-- and the analyst's benign feedback rows `dupfactor` times each, `word_error` rows kept apart (counted, never
-- learned from). `is_day`: the pair has rows of the day (only those are scored). The day is named by variables
-- (values bound when they are set), so that the view rank_source can name it.
SET VARIABLE rank_raw_y = $raw_y;
SET VARIABLE rank_raw_m = $raw_m;
SET VARIABLE rank_raw_d = $raw_d;
SET VARIABLE rank_dupfactor = $dupfactor;

CREATE OR REPLACE TEMP VIEW rank_source AS
SELECT * FROM rank_input(getvariable('rank_raw_y'), getvariable('rank_raw_m'), getvariable('rank_raw_d'),
                         getvariable('rank_dupfactor'));

-- User agents counted once over every row the ranker reads (feedback rows `dupfactor` times each).
CREATE OR REPLACE TEMP TABLE rank_agents AS
SELECT useragent, sum(copies) AS n FROM rank_source GROUP BY useragent;

-- Per (client IP, word), with the parts of a row that select it cheaply later (method, code, the time's hour
-- text): a pair determines them, so they do not split its count.
CREATE OR REPLACE TEMP TABLE rank_counts AS
SELECT clientip, word, is_day, reqmethod, respcode, split_part(p_time, ':', 1) AS hh,
       CAST(sum(copies) AS BIGINT) AS n, count(*) AS row_count
FROM rank_words()
GROUP BY clientip, word, is_day, reqmethod, respcode, split_part(p_time, ':', 1);

CREATE OR REPLACE TEMP TABLE rank_corpus AS
SELECT clientip, word, CAST(sum(n) AS BIGINT) AS n, bool_or(is_day) AS is_day
FROM rank_counts
WHERE word <> 'word_error'
GROUP BY clientip, word;
