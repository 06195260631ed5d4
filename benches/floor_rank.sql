-- The floor of `rank` on a Spot Parquet day: DuckDB alone computing the same (client IP, word, count) corpus, with
-- no proxy-oa code around it, by the least work: the rows counted by the word's parts (client IP, hour text,
-- method, agent, content type, code, and per distinct URI its entropy bin and log2 length), each word built once
-- per group, the agents' counts from the groups. Read straight from the day's Parquet files (the scratch store's
-- variable proxy_oa_raw), twice (`r` is not materialized: writing the day's rows into a temporary result cost more
-- than reading the files again), with no value rule: the bench's files hold no quoted or `-` value in these
-- columns, no NULL agent or content type, and only rows of the day. Written for the bench's day: the workspace
-- has no top-domain list and no safe domain, so every top-domain flag is 0; its URIs are ASCII, so characters are
-- UTF-16 units; DuckDB's own entropy aggregate. (Until 2026-12-02 this floor built a text per raw row over a
-- materialized `r`: 3.9 times slower.) Parameter: the date (YYYY-MM-DD).
CREATE OR REPLACE TEMP TABLE f_corpus AS
WITH r AS NOT MATERIALIZED (
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
