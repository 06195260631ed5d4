-- The (client IP, word) counts of `rank_rows` (schema/rank_rows.sql), one text for the store and Spark SQL: day
-- rows once and the analyst's benign feedback rows `dupfactor` times each (`n`), with the parts of a row that
-- select it cheaply later (method, code, the time's hour text): a pair determines them, so they do not split its
-- count. `word_error` rows are counted here and kept out of the corpus (schema/rank_corpus.sql).
SELECT w.clientip, w.word, w.is_day, w.reqmethod, w.respcode, w.hh, CAST(sum(w.copies) AS BIGINT) AS n,
       count(*) AS row_count
FROM rank_rows AS w
GROUP BY w.clientip, w.word, w.is_day, w.reqmethod, w.respcode, w.hh
