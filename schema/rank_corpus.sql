-- The ranker's corpus in the store (`spot-ml-proxy-ranker.md` §3): (client IP, word) pairs with their counts, day
-- rows once and the analyst's benign feedback rows `dupfactor` times each, `word_error` rows kept apart (counted,
-- never learned from). `is_day`: the pair has rows of the day (only those are scored). The day is named by
-- variables (values bound when they are set), so that the view rank_source can name it. The table macros
-- rank_input, rank_agent_counts, rank_words and rank_word_counts are the shared texts schema/rank_input.sql,
-- schema/rank_agents.sql, schema/rank_rows.sql and schema/rank_counts.sql (src/rank/mod.rs makes them); `rank --on-cluster` computes rank_counts on Spark and runs
-- only the last statement here.
SET VARIABLE rank_raw_y = $raw_y;
SET VARIABLE rank_raw_m = $raw_m;
SET VARIABLE rank_raw_d = $raw_d;
SET VARIABLE rank_dupfactor = $dupfactor;

CREATE OR REPLACE TEMP VIEW rank_source AS
SELECT * FROM rank_input(getvariable('rank_raw_y'), getvariable('rank_raw_m'), getvariable('rank_raw_d'),
                         getvariable('rank_dupfactor'));

-- User agents counted once over every row the ranker reads (schema/rank_agents.sql).
CREATE OR REPLACE TEMP TABLE rank_agents AS SELECT * FROM rank_agent_counts();

CREATE OR REPLACE TEMP TABLE rank_counts AS SELECT * FROM rank_word_counts();

CREATE OR REPLACE TEMP TABLE rank_corpus AS
SELECT clientip, word, CAST(sum(n) AS BIGINT) AS n, bool_or(is_day) AS is_day
FROM rank_counts
WHERE word <> 'word_error'
GROUP BY clientip, word;
