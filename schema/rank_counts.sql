-- The (client IP, word) counts of `rank_rows` (schema/rank_rows.sql), one text for the store and Spark SQL: day
-- rows once and the analyst's benign feedback rows `dupfactor` times each (`n`), with the parts of a row that
-- select it cheaply later (method, code, the time's hour text): a pair determines them, so they do not split its
-- count. Rows are counted by the word's parts first and each group's word built once (building a text per raw row
-- was over half of the words step: BENCHMARKS.md). `word_error` rows are counted here and kept out of the corpus
-- (schema/rank_corpus.sql).
SELECT g.clientip,
       rank_word(g.top, rank_hour(g.hh), g.reqmethod, g.ebin, rank_ctype(g.resconttype), g.l2a, g.l2u, g.respcode)
           AS word,
       g.is_day, g.reqmethod, g.respcode, g.hh, CAST(sum(g.n) AS BIGINT) AS n, CAST(sum(g.row_count) AS BIGINT)
           AS row_count
FROM (SELECT w.clientip, w.is_day, w.reqmethod, w.respcode, w.hh, w.top, w.ebin, w.l2u, w.resconttype, w.l2a,
             sum(w.copies) AS n, count(*) AS row_count
      FROM rank_rows AS w
      GROUP BY w.clientip, w.is_day, w.reqmethod, w.respcode, w.hh, w.top, w.ebin, w.l2u, w.resconttype, w.l2a) AS g
GROUP BY g.clientip,
         rank_word(g.top, rank_hour(g.hh), g.reqmethod, g.ebin, rank_ctype(g.resconttype), g.l2a, g.l2u, g.respcode),
         g.is_day, g.reqmethod, g.respcode, g.hh
