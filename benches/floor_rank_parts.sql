-- The least-work floor of `rank` on a Spot Parquet day: DuckDB alone computing the same (client IP, word, count)
-- corpus as benches/floor_rank.sql, counting the rows by the word's parts first and building each word once per
-- group (the least SQL giving that output; floor_rank.sql builds a text per raw row, as issue 23's floor was
-- written). Read straight from the day's Parquet files (the scratch store's variable proxy_oa_raw), with no value
-- rule: the bench's files hold no quoted or `-` value in these columns, no NULL agent or content type, and every
-- row of the day. The same simplifications as floor_rank.sql: the top-domain flag is 0 (no list), URIs are ASCII,
-- DuckDB's own entropy aggregate. Parameter: the date (YYYY-MM-DD).
CREATE OR REPLACE TEMP TABLE f_corpus AS
WITH r AS (
    SELECT clientip, p_time, reqmethod, useragent, resconttype, respcode, fulluri
    FROM read_parquet(getvariable('proxy_oa_raw'), union_by_name = true) WHERE p_date = $1),
u AS (
    SELECT fulluri, list_position(list_transform([0.0, 0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 3.0, 3.3, 3.6,
               3.9, 4.2, 4.5, 4.8, 5.1, 5.4, CAST('Infinity' AS DOUBLE)], lambda c: coalesce(e, 0) <= c), true) - 1
               AS ebin,
           CAST(floor(log2(l)) AS BIGINT) AS l2
    FROM (SELECT fulluri, list_entropy(string_split(fulluri, '')) AS e, length(fulluri) AS l
          FROM (SELECT DISTINCT fulluri FROM r) AS d) AS x),
g AS (
    SELECT r.clientip, split_part(r.p_time, ':', 1) AS hh, r.reqmethod, r.useragent AS ua, r.resconttype AS ct,
           r.respcode, u.ebin, u.l2, count(*) AS n
    FROM r JOIN u ON u.fulluri = r.fulluri
    GROUP BY ALL),
a AS (SELECT ua, CAST(floor(log2(sum(n))) AS BIGINT) AS l2a FROM g GROUP BY ua)
SELECT g.clientip, '0_' || CAST(CAST(g.hh AS INTEGER) AS VARCHAR) || '_' || g.reqmethod || '_' || CAST(g.ebin AS VARCHAR)
       || '_' || split_part(g.ct, '/', 1) || '_' || CAST(a.l2a AS VARCHAR) || '_' || CAST(g.l2 AS VARCHAR) || '_'
       || g.respcode AS word,
       sum(g.n) AS n
FROM g JOIN a ON a.ua = g.ua
GROUP BY 1, 2;
