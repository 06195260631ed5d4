-- The rows the ranker reads, one text for the store and Spark SQL (src/rank/mod.rs makes it the store's table macro
-- rank_input; src/rank/cluster.rs renders it for the cluster): the raw day `raw_day` (the value rules applied) as
-- spot-ml's filterRecords keeps it (no NULL p_date, p_time, clientip, host or fulluri; a NULL user agent or
-- content type is `-`) with `copies` = 1, and the analyst's benign feedback rows `rank_feedback` with `copies` =
-- $dupfactor (`is_day` false: learned from, never scored).
SELECT r.p_date, r.p_time, r.clientip, r.host, r.reqmethod, coalesce(r.useragent, '-') AS useragent,
       coalesce(r.resconttype, '-') AS resconttype, r.duration, r.username, r.webcat, r.referer, r.respcode,
       r.uriport, r.uripath, r.uriquery, r.serverip, r.scbytes, r.csbytes, r.fulluri, true AS is_day,
       CAST(1 AS BIGINT) AS copies
FROM raw_day AS r
WHERE r.p_date IS NOT NULL AND r.p_time IS NOT NULL AND r.clientip IS NOT NULL AND r.host IS NOT NULL
  AND r.fulluri IS NOT NULL
UNION ALL
SELECT f.p_date, f.p_time, f.clientip, f.host, f.reqmethod, coalesce(f.useragent, '-') AS useragent,
       coalesce(f.resconttype, '-') AS resconttype, CAST(NULL AS INT) AS duration, CAST(NULL AS STRING) AS username,
       CAST(NULL AS STRING) AS webcat, CAST(NULL AS STRING) AS referer, f.respcode,
       CAST(NULL AS STRING) AS uriport, CAST(NULL AS STRING) AS uripath, CAST(NULL AS STRING) AS uriquery,
       CAST(NULL AS STRING) AS serverip, CAST(NULL AS INT) AS scbytes, CAST(NULL AS INT) AS csbytes, f.fulluri,
       false AS is_day, CAST($dupfactor AS BIGINT) AS copies
FROM rank_feedback AS f
