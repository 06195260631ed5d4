-- The second half of `rank`'s floor on a Spot Parquet day: given the model's output, the least work that writes
-- the same rows. The ranker's results file (every row of every qualifying (client IP, word) pair: spot-ml's
-- threshold, no row limit) names, per row, the columns its word is made of; a raw row with the same client IP,
-- hour, method, code, URI, agent and content type has the same word (the bench's top-domain flag is 0 for every
-- host) and so the same score. One pass over the day's Parquet files (the scratch store's variable proxy_oa_raw)
-- keeps the raw rows with those values, joined by their raw values (the bench's files hold no quoted or `-` value
-- in those columns) with no word built; the value rules are applied to the rows kept only, which are written as
-- the results file is, ordered by score and then by every column, TAB-separated (DuckDB prints the score).
-- What the floor does not do: the corpus (benches/floor_rank.sql, measured before it), the fit, the scores.
-- Parameters, per statement: the ranker's results file; the date (YYYY-MM-DD); the file to write.
CREATE OR REPLACE TEMP TABLE f_low AS
SELECT DISTINCT clientip, split_part(p_time, ':', 1) AS hh, reqmethod, respcode, fulluri, useragent, resconttype,
       word, score
FROM read_csv($1, delim = '\t', header = false, quote = '', escape = '', auto_detect = false,
              columns = {'p_date': 'VARCHAR', 'p_time': 'VARCHAR', 'clientip': 'VARCHAR', 'host': 'VARCHAR',
                         'reqmethod': 'VARCHAR', 'useragent': 'VARCHAR', 'resconttype': 'VARCHAR',
                         'duration': 'VARCHAR', 'username': 'VARCHAR', 'webcat': 'VARCHAR', 'referer': 'VARCHAR',
                         'respcode': 'VARCHAR', 'uriport': 'VARCHAR', 'uripath': 'VARCHAR', 'uriquery': 'VARCHAR',
                         'serverip': 'VARCHAR', 'scbytes': 'VARCHAR', 'csbytes': 'VARCHAR', 'fulluri': 'VARCHAR',
                         'word': 'VARCHAR', 'score': 'DOUBLE'});
CREATE OR REPLACE TEMP TABLE f_rows AS
SELECT proxy_text(r.p_date) AS p_date, proxy_text(r.p_time) AS p_time, proxy_text(r.clientip) AS clientip,
       proxy_text(r.host) AS host, proxy_text(r.reqmethod) AS reqmethod, proxy_text(r.useragent) AS useragent,
       proxy_text(r.resconttype) AS resconttype, proxy_int(r.duration) AS duration,
       proxy_text(r.username) AS username, proxy_text(r.webcat) AS webcat, proxy_text(r.referer) AS referer,
       proxy_text(r.respcode) AS respcode, proxy_text(r.uriport) AS uriport, proxy_text(r.uripath) AS uripath,
       proxy_text(r.uriquery) AS uriquery, proxy_text(r.serverip) AS serverip, proxy_int(r.scbytes) AS scbytes,
       proxy_int(r.csbytes) AS csbytes, proxy_text(r.fulluri) AS fulluri, k.word, k.score
FROM read_parquet(getvariable('proxy_oa_raw'), union_by_name = true) AS r
JOIN f_low AS k
  ON r.clientip = k.clientip AND r.fulluri = k.fulluri AND r.useragent = k.useragent
     AND r.reqmethod = k.reqmethod AND r.respcode = k.respcode AND r.resconttype = k.resconttype
     AND split_part(r.p_time, ':', 1) = k.hh
WHERE r.p_date = $1;
COPY (SELECT * FROM f_rows
      ORDER BY score, p_date, p_time, clientip, host, reqmethod, useragent, resconttype, duration, username, webcat,
               referer, respcode, uriport, uripath, uriquery, serverip, scbytes, csbytes, fulluri)
TO $1 (FORMAT CSV, DELIMITER '\t', HEADER false, QUOTE '', ESCAPE '');
