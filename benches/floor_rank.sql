-- The floor of `rank` on a Spot Parquet day: DuckDB alone computing the same (client IP, word, count) corpus, with
-- no proxy-oa code around it, in a scratch store whose `proxy` view points at the day's files. Written for the
-- bench's day, and only what that output needs: the bench's workspace has no top-domain list and no safe domain,
-- so every top-domain flag is 0; its URIs are ASCII, so characters are UTF-16 units; DuckDB's own entropy
-- aggregate per distinct URI. Parameters: y, m, d (zero-padded text).
CREATE OR REPLACE TEMP TABLE f_corpus AS
WITH r AS (
    SELECT clientip, split_part(p_time, ':', 1) AS hh, reqmethod, coalesce(useragent, '-') AS ua,
           coalesce(resconttype, '-') AS ct, respcode, fulluri
    FROM proxy WHERE y = $1 AND m = $2 AND d = $3),
ua AS (SELECT ua, count(*) AS n FROM r GROUP BY ua),
e AS MATERIALIZED (
    SELECT fulluri, list_entropy(string_split(fulluri, '')) AS e, length(fulluri) AS l
    FROM (SELECT DISTINCT fulluri FROM r) AS d),
u AS (
    SELECT fulluri, list_position(list_transform([0.0, 0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 3.0, 3.3, 3.6,
               3.9, 4.2, 4.5, 4.8, 5.1, 5.4, CAST('Infinity' AS DOUBLE)], lambda c: coalesce(e, 0) <= c), true) - 1
               AS ebin, l
    FROM e)
SELECT clientip, word, count(*) AS n
FROM (SELECT r.clientip,
             '0_' || CAST(CAST(r.hh AS INTEGER) AS VARCHAR) || '_' || r.reqmethod || '_' || CAST(u.ebin AS VARCHAR)
             || '_' || split_part(r.ct, '/', 1) || '_' || CAST(CAST(floor(log2(ua.n)) AS BIGINT) AS VARCHAR) || '_'
             || CAST(CAST(floor(log2(u.l)) AS BIGINT) AS VARCHAR) || '_' || r.respcode AS word
      FROM r JOIN ua ON ua.ua = r.ua JOIN u ON u.fulluri = r.fulluri) AS w
GROUP BY clientip, word;
