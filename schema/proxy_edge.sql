-- proxy_edge of one day: for every distinct edge (clientip, fulluri, hour) of the day's proxy_scores rows of that
-- date, its first raw rows of that hour in the raw day (at most $edge_rows per edge, in a total order: time first).
-- respcode_name follows proxy_respcode_name (schema/macros.sql) over the IANA table.
-- One text for the local store and the cluster (src/dialect.rs renders it for DuckDB, Spark SQL and Impala): it
-- reads scores_day, raw_day and iana, names the parameters $date (YYYY-MM-DD) and $edge_rows, and keeps to the
-- SQL the three engines share. The raw day is the left side of each join and the day's few edges the right: an
-- engine without table statistics (Impala) broadcasts the right side.
SELECT p_date, p_time, clientip, host, webcat, respcode, reqmethod, useragent, resconttype, referer,
       uriport, serverip, scbytes, csbytes, fulluri, hh, respcode_name, hash
FROM (
  SELECT r.p_date, r.p_time, r.clientip, r.host, r.webcat, r.respcode, r.reqmethod, r.useragent, r.resconttype,
         r.referer, r.uriport, r.serverip, r.scbytes, r.csbytes, r.fulluri, e.hh, e.hash,
         proxy_respcode_name(r.respcode, l.name) AS respcode_name,
         row_number() OVER (PARTITION BY e.hash ORDER BY r.p_time NULLS LAST, r.p_date NULLS LAST,
           r.host NULLS LAST, r.reqmethod NULLS LAST, r.useragent NULLS LAST, r.resconttype NULLS LAST,
           r.duration NULLS LAST, r.username NULLS LAST, r.authgroup NULLS LAST, r.exceptionid NULLS LAST,
           r.filterresult NULLS LAST, r.webcat NULLS LAST, r.referer NULLS LAST, r.respcode NULLS LAST,
           r.action NULLS LAST, r.urischeme NULLS LAST, r.uriport NULLS LAST, r.uripath NULLS LAST,
           r.uriquery NULLS LAST, r.uriextension NULLS LAST, r.serverip NULLS LAST, r.scbytes NULLS LAST,
           r.csbytes NULLS LAST, r.virusid NULLS LAST, r.bcappname NULLS LAST, r.bcappoper NULLS LAST) AS k
  FROM raw_day AS r
  JOIN (SELECT DISTINCT clientip, fulluri, CAST(trim(split_part(s_time, ':', 1)) AS INT) AS hh, hash
        FROM scores_day WHERE tdate = $date) AS e
    ON r.clientip = e.clientip AND r.fulluri = e.fulluri AND r.h = lpad(CAST(e.hh AS STRING), 2, '0')
  LEFT JOIN iana AS l ON l.code = trim(r.respcode)
) AS x
WHERE k <= $edge_rows
ORDER BY clientip, fulluri, hh, k;
