-- proxy_edge of one day: for every distinct edge (clientip, fulluri, hour) of the day's staged results rows of that
-- date, its first raw rows of that hour in the raw day (at most $8 per edge, in a total order: time first).
-- respcode_name follows proxy_respcode_name (schema/macros.sql) over the IANA table lk_iana.
-- Parameters: $1 y, $2 m, $3 d (the OA partition), $4 the date (YYYY-MM-DD), $5 y, $6 m, $7 d (the raw
-- partition, zero-padded text), $8 the most raw rows per edge.
INSERT INTO proxy_edge (tdate, "time", clientip, host, webcat, respcode, reqmethod, useragent, resconttype, referer,
                        uriport, serverip, scbytes, csbytes, fulluri, hh, respcode_name, hash, y, m, d)
SELECT p_date, p_time, clientip, host, webcat, respcode, reqmethod, useragent, resconttype, referer,
       uriport, serverip, scbytes, csbytes, fulluri, hh, respcode_name, hash, $1, $2, $3
FROM (
  SELECT r.*, e.hh, e.hash,
         proxy_respcode_name(r.respcode, l.name) AS respcode_name,
         row_number() OVER (PARTITION BY e.hash ORDER BY r.p_time, r.p_date, r.host, r.reqmethod,
           r.useragent, r.resconttype, r.duration, r.username, r.authgroup, r.exceptionid, r.filterresult,
           r.webcat, r.referer, r.respcode, r.action, r.urischeme, r.uriport, r.uripath, r.uriquery,
           r.uriextension, r.serverip, r.scbytes, r.csbytes, r.virusid, r.bcappname, r.bcappoper) AS k
  FROM (SELECT DISTINCT clientip, fulluri, hh, hash FROM stage_results WHERE tdate = $4) e
  JOIN proxy r ON r.clientip = e.clientip AND r.fulluri = e.fulluri
              AND r.h = lpad(CAST(e.hh AS VARCHAR), 2, '0')
  LEFT JOIN lk_iana l ON l.code = trim(r.respcode)
  WHERE r.y = $5 AND r.m = $6 AND r.d = $7
) WHERE k <= $8
ORDER BY clientip, fulluri, hh, k;
