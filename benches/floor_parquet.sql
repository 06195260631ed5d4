-- The floor for a day in Spot's Parquet layout: what DuckDB alone does for the same tables, with no proxy-oa code
-- around it, doing only the work the output needs where it needs it. In a scratch store (for its value-rule macros
-- and the list of the day's files, hard-linked into its workspace, in the variable proxy_oa_raw): copy the first N
-- results rows, then proxy_scores, proxy_edge (distinct edges, the same hour, at most 250 raw rows each in the same
-- total order) and proxy_ingest_summary straight from the Parquet files. The value rules are applied to the rows
-- kept, not to every raw row: the edges join the raw values (Spot's files of the bench hold no quoted or `-` key),
-- the summary counts raw (date, time) pairs first and rules each pair once; a raw value is empty after the rules
-- when it is NULL, '', '-', '"-"' or '""'. A raw row's hour takes the time's first two characters when its first `:`
-- is the third (the same text as `lpad(split_part(p_time, ':', 1), 2, '0')`, without building one per row).
-- Parameters, per statement: the results file and N; none; the date (YYYY-MM-DD); the date.
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
  SELECT proxy_text(r.p_date) AS p_date, proxy_text(r.p_time) AS p_time, proxy_text(r.clientip) AS clientip,
         proxy_text(r.host) AS host, proxy_text(r.webcat) AS webcat, proxy_text(r.respcode) AS respcode,
         proxy_text(r.reqmethod) AS reqmethod, proxy_text(r.useragent) AS useragent,
         proxy_text(r.resconttype) AS resconttype, proxy_text(r.referer) AS referer, proxy_text(r.uriport) AS uriport,
         proxy_text(r.serverip) AS serverip, proxy_int(r.scbytes) AS scbytes, proxy_int(r.csbytes) AS csbytes,
         proxy_text(r.fulluri) AS fulluri, e.hh, e.hash,
         row_number() OVER (PARTITION BY e.hash ORDER BY proxy_text(r.p_time), proxy_text(r.p_date),
           proxy_text(r.host), proxy_text(r.reqmethod), proxy_text(r.useragent), proxy_text(r.resconttype),
           proxy_int(r.duration), proxy_text(r.username), proxy_text(r.authgroup), proxy_text(r.exceptionid),
           proxy_text(r.filterresult), proxy_text(r.webcat), proxy_text(r.referer), proxy_text(r.respcode),
           proxy_text(r."action"), proxy_text(r.urischeme), proxy_text(r.uriport), proxy_text(r.uripath),
           proxy_text(r.uriquery), proxy_text(r.uriextension), proxy_text(r.serverip), proxy_int(r.scbytes),
           proxy_int(r.csbytes), proxy_text(r.virusid), proxy_text(r.bcappname), proxy_text(r.bcappoper)) AS k
  FROM read_parquet(getvariable('proxy_oa_raw'), union_by_name = true) AS r
  JOIN (SELECT DISTINCT clientip, fulluri, hh, hash FROM f_scores WHERE p_date = $1) AS e
    ON r.clientip = e.clientip AND r.fulluri = e.fulluri
       AND CASE WHEN strpos(r.p_time, ':') = 3 THEN substr(r.p_time, 1, 2)
                ELSE lpad(split_part(r.p_time, ':', 1), 2, '0') END = e.hh
  WHERE r.p_date = $1
) WHERE k <= 250;
CREATE OR REPLACE TEMP TABLE f_summary AS
SELECT p_date || ' ' || lpad(split_part(p_time, ':', 1), 2, '0') || ':' || lpad(split_part(p_time, ':', 2), 2, '0')
         AS tdate, sum(n) AS total
FROM (SELECT proxy_text(p_date) AS p_date, proxy_text(p_time) AS p_time, n
      FROM (SELECT p_date, p_time, count(*) AS n
            FROM read_parquet(getvariable('proxy_oa_raw'), union_by_name = true)
            WHERE p_date = $1 AND clientip NOT IN ('', '-', '"-"', '""') AND host NOT IN ('', '-', '"-"', '""')
              AND fulluri NOT IN ('', '-', '"-"', '""')
            GROUP BY p_date, p_time) AS g) AS x
WHERE p_date <> '' AND p_time <> '' AND p_time LIKE '%:%'
GROUP BY 1;
