-- The floor for a day in Spot's Parquet layout: what DuckDB alone does for the same tables, with no proxy-oa code
-- around it. In a scratch store whose `proxy` view points at the day's Parquet files (hard-linked into its
-- workspace): copy the first N results rows, then proxy_scores, proxy_edge (distinct edges, the same hour, at
-- most 250 raw rows each in the same total order) and proxy_ingest_summary straight from the Parquet files.
-- Parameters, per statement: the results file and N; none; the date (YYYY-MM-DD) and y, m, d (zero-padded text);
-- y, m, d.
CREATE OR REPLACE TEMP TABLE f_results AS
SELECT * FROM read_csv($1, delim = '\t', header = false, quote = '', escape = '', auto_detect = false,
                       all_varchar = true, null_padding = true,
                       columns = {'p_date': 'VARCHAR', 'p_time': 'VARCHAR', 'clientip': 'VARCHAR', 'host': 'VARCHAR',
                                  'reqmethod': 'VARCHAR', 'useragent': 'VARCHAR', 'resconttype': 'VARCHAR',
                                  'duration': 'VARCHAR', 'username': 'VARCHAR', 'webcat': 'VARCHAR',
                                  'referer': 'VARCHAR', 'respcode': 'VARCHAR', 'uriport': 'VARCHAR',
                                  'uripath': 'VARCHAR', 'uriquery': 'VARCHAR', 'serverip': 'VARCHAR',
                                  'scbytes': 'VARCHAR', 'csbytes': 'VARCHAR', 'fulluri': 'VARCHAR', 'word': 'VARCHAR',
                                  'score': 'VARCHAR'})
LIMIT $2;
CREATE OR REPLACE TEMP TABLE f_scores AS
SELECT *, lpad(split_part(p_time, ':', 1), 2, '0') AS hh,
       sha256(clientip || chr(9) || fulluri || chr(9) || lpad(split_part(p_time, ':', 1), 2, '0')) AS hash
FROM f_results;
CREATE OR REPLACE TEMP TABLE f_edge AS
SELECT * FROM (
  SELECT r.*, e.hash,
         row_number() OVER (PARTITION BY e.hash ORDER BY r.p_time, r.p_date, r.host, r.reqmethod,
           r.useragent, r.resconttype, r.duration, r.username, r.authgroup, r.exceptionid, r.filterresult,
           r.webcat, r.referer, r.respcode, r.action, r.urischeme, r.uriport, r.uripath, r.uriquery,
           r.uriextension, r.serverip, r.scbytes, r.csbytes, r.virusid, r.bcappname, r.bcappoper) AS k
  FROM (SELECT DISTINCT clientip, fulluri, hh, hash FROM f_scores WHERE p_date = $1) e
  JOIN proxy r ON r.clientip = e.clientip AND r.fulluri = e.fulluri AND r.h = e.hh
  WHERE r.y = $2 AND r.m = $3 AND r.d = $4
) WHERE k <= 250;
CREATE OR REPLACE TEMP TABLE f_summary AS
SELECT p_date || ' ' || lpad(split_part(p_time, ':', 1), 2, '0') || ':' || lpad(split_part(p_time, ':', 2), 2, '0')
         AS tdate, count(*) AS total
FROM proxy
WHERE y = $1 AND m = $2 AND d = $3 AND p_date <> '' AND p_time <> '' AND clientip <> '' AND host <> ''
  AND fulluri <> '' AND p_time LIKE '%:%'
GROUP BY 1;
