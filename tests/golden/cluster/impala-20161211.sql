-- proxy-oa run --on-cluster: impala through `impala-shell`
-- every step runs as: impala-shell -i impalad.example:21050 -k --var=dbname=spot --var=huser=/user/spot --var=date=2016-12-11 --var=edge_rows=250 --var=raw_y=2016 --var=raw_m=12 --var=raw_d=11 --var=oa_y=2016 --var=oa_m=12 --var=oa_d=11 -f <step>.sql
-- upload proxy_scores (Parquet, hidden name then renamed) to /user/spot/proxy/oa-staging/20161211/scores/proxy_scores-20161211.parquet
-- upload IANA response codes (Parquet, hidden name then renamed) to /user/spot/proxy/oa-staging/20161211/iana/iana-20161211.parquet
-- upload proxy_findings (Parquet, hidden name then renamed) to /user/spot/proxy/oa-staging/20161211/findings/proxy_findings-20161211.parquet

-- step setup
CREATE DATABASE IF NOT EXISTS ${var:dbname};

CREATE EXTERNAL TABLE IF NOT EXISTS ${var:dbname}.proxy_scores (
  tdate STRING,
  time STRING,
  clientip STRING,
  host STRING,
  reqmethod STRING,
  useragent STRING,
  resconttype STRING,
  duration INT,
  username STRING,
  webcat STRING,
  referer STRING,
  respcode INT,
  uriport INT,
  uripath STRING,
  uriquery STRING,
  serverip STRING,
  scbytes INT,
  csbytes INT,
  fulluri STRING,
  word STRING,
  ml_score FLOAT,
  uri_rep STRING,
  respcode_name STRING,
  network_context STRING,
  uri_sev INT,
  hash STRING,
  oa_rank INT,
  why STRING
)
PARTITIONED BY (y SMALLINT, m TINYINT, d TINYINT)
STORED AS PARQUET
LOCATION '${var:huser}/proxy/hive/oa/suspicious';

CREATE EXTERNAL TABLE IF NOT EXISTS ${var:dbname}.proxy_edge (
  tdate STRING,
  time STRING,
  clientip STRING,
  host STRING,
  webcat STRING,
  respcode STRING,
  reqmethod STRING,
  useragent STRING,
  resconttype STRING,
  referer STRING,
  uriport STRING,
  serverip STRING,
  scbytes INT,
  csbytes INT,
  fulluri STRING,
  hh INT,
  respcode_name STRING,
  hash STRING
)
PARTITIONED BY (y SMALLINT, m TINYINT, d TINYINT)
STORED AS PARQUET
LOCATION '${var:huser}/proxy/hive/oa/edge';

CREATE EXTERNAL TABLE IF NOT EXISTS ${var:dbname}.proxy_ingest_summary (
  tdate STRING,
  total BIGINT
)
PARTITIONED BY (y SMALLINT, m TINYINT, d TINYINT)
STORED AS PARQUET
LOCATION '${var:huser}/proxy/hive/oa/summary';

CREATE EXTERNAL TABLE IF NOT EXISTS ${var:dbname}.proxy_findings (
  tdate STRING,
  detector STRING,
  rule STRING,
  clientip STRING,
  host STRING,
  fulluri STRING,
  score FLOAT,
  connections BIGINT,
  first_time STRING,
  last_time STRING,
  evidence STRING
)
PARTITIONED BY (y SMALLINT, m TINYINT, d TINYINT)
STORED AS PARQUET
LOCATION '${var:huser}/proxy/hive/oa/findings';

DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_scores_20161211;

CREATE EXTERNAL TABLE ${var:dbname}.proxy_oa_stage_scores_20161211 (
  `tdate` STRING,
  `time` STRING,
  `clientip` STRING,
  `host` STRING,
  `reqmethod` STRING,
  `useragent` STRING,
  `resconttype` STRING,
  `duration` INT,
  `username` STRING,
  `webcat` STRING,
  `referer` STRING,
  `respcode` INT,
  `uriport` INT,
  `uripath` STRING,
  `uriquery` STRING,
  `serverip` STRING,
  `scbytes` INT,
  `csbytes` INT,
  `fulluri` STRING,
  `word` STRING,
  `ml_score` FLOAT,
  `uri_rep` STRING,
  `respcode_name` STRING,
  `network_context` STRING,
  `uri_sev` INT,
  `hash` STRING,
  `oa_rank` INT,
  `why` STRING
)
STORED AS PARQUET
LOCATION '${var:huser}/proxy/oa-staging/20161211/scores';

DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_iana_20161211;

CREATE EXTERNAL TABLE ${var:dbname}.proxy_oa_stage_iana_20161211 (
  `code` STRING,
  `name` STRING
)
STORED AS PARQUET
LOCATION '${var:huser}/proxy/oa-staging/20161211/iana';

DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_edge_20161211;

CREATE EXTERNAL TABLE ${var:dbname}.proxy_oa_stage_edge_20161211 (
  `tdate` STRING,
  `time` STRING,
  `clientip` STRING,
  `host` STRING,
  `webcat` STRING,
  `respcode` STRING,
  `reqmethod` STRING,
  `useragent` STRING,
  `resconttype` STRING,
  `referer` STRING,
  `uriport` STRING,
  `serverip` STRING,
  `scbytes` INT,
  `csbytes` INT,
  `fulluri` STRING,
  `hh` INT,
  `respcode_name` STRING,
  `hash` STRING
)
STORED AS PARQUET
LOCATION '${var:huser}/proxy/oa-staging/20161211/edge';

DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_summary_20161211;

CREATE EXTERNAL TABLE ${var:dbname}.proxy_oa_stage_summary_20161211 (
  `tdate` STRING,
  `total` BIGINT
)
STORED AS PARQUET
LOCATION '${var:huser}/proxy/oa-staging/20161211/summary';

DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_raw_20161211;

CREATE EXTERNAL TABLE ${var:dbname}.proxy_oa_stage_raw_20161211 (
  `p_date` STRING,
  `p_time` STRING,
  `clientip` STRING,
  `host` STRING,
  `reqmethod` STRING,
  `useragent` STRING,
  `resconttype` STRING,
  `duration` INT,
  `username` STRING,
  `authgroup` STRING,
  `exceptionid` STRING,
  `filterresult` STRING,
  `webcat` STRING,
  `referer` STRING,
  `respcode` STRING,
  `action` STRING,
  `urischeme` STRING,
  `uriport` STRING,
  `uripath` STRING,
  `uriquery` STRING,
  `uriextension` STRING,
  `serverip` STRING,
  `scbytes` INT,
  `csbytes` INT,
  `virusid` STRING,
  `bcappname` STRING,
  `bcappoper` STRING,
  `fulluri` STRING
)
STORED AS PARQUET
LOCATION '${var:huser}/proxy/oa-staging/20161211/raw';

DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_findings_20161211;

CREATE EXTERNAL TABLE ${var:dbname}.proxy_oa_stage_findings_20161211 (
  `tdate` STRING,
  `detector` STRING,
  `rule` STRING,
  `clientip` STRING,
  `host` STRING,
  `fulluri` STRING,
  `score` FLOAT,
  `connections` BIGINT,
  `first_time` STRING,
  `last_time` STRING,
  `evidence` STRING
)
STORED AS PARQUET
LOCATION '${var:huser}/proxy/oa-staging/20161211/findings';

-- step proxy_edge
WITH raw_day AS (
  SELECT v.*, lpad(split_part(v.p_time, ':', 1), 2, '0') AS h FROM (
    SELECT (CASE WHEN (`p_date`) IS NULL THEN ''
         WHEN CAST((`p_date`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`p_date`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`p_date`) AS STRING), 2, length(CAST((`p_date`) AS STRING)) - 2) END
         WHEN CAST((`p_date`) AS STRING) = '-' THEN ''
         ELSE CAST((`p_date`) AS STRING) END) AS `p_date`,
           (CASE WHEN (`p_time`) IS NULL THEN ''
         WHEN CAST((`p_time`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`p_time`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`p_time`) AS STRING), 2, length(CAST((`p_time`) AS STRING)) - 2) END
         WHEN CAST((`p_time`) AS STRING) = '-' THEN ''
         ELSE CAST((`p_time`) AS STRING) END) AS `p_time`,
           (CASE WHEN (`clientip`) IS NULL THEN ''
         WHEN CAST((`clientip`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`clientip`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`clientip`) AS STRING), 2, length(CAST((`clientip`) AS STRING)) - 2) END
         WHEN CAST((`clientip`) AS STRING) = '-' THEN ''
         ELSE CAST((`clientip`) AS STRING) END) AS `clientip`,
           (CASE WHEN (`host`) IS NULL THEN ''
         WHEN CAST((`host`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`host`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`host`) AS STRING), 2, length(CAST((`host`) AS STRING)) - 2) END
         WHEN CAST((`host`) AS STRING) = '-' THEN ''
         ELSE CAST((`host`) AS STRING) END) AS `host`,
           (CASE WHEN (`reqmethod`) IS NULL THEN ''
         WHEN CAST((`reqmethod`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`reqmethod`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`reqmethod`) AS STRING), 2, length(CAST((`reqmethod`) AS STRING)) - 2) END
         WHEN CAST((`reqmethod`) AS STRING) = '-' THEN ''
         ELSE CAST((`reqmethod`) AS STRING) END) AS `reqmethod`,
           (CASE WHEN (`useragent`) IS NULL THEN ''
         WHEN CAST((`useragent`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`useragent`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`useragent`) AS STRING), 2, length(CAST((`useragent`) AS STRING)) - 2) END
         WHEN CAST((`useragent`) AS STRING) = '-' THEN ''
         ELSE CAST((`useragent`) AS STRING) END) AS `useragent`,
           (CASE WHEN (`resconttype`) IS NULL THEN ''
         WHEN CAST((`resconttype`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`resconttype`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`resconttype`) AS STRING), 2, length(CAST((`resconttype`) AS STRING)) - 2) END
         WHEN CAST((`resconttype`) AS STRING) = '-' THEN ''
         ELSE CAST((`resconttype`) AS STRING) END) AS `resconttype`,
           (CASE WHEN (`duration`) IS NULL OR trim(CAST((`duration`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`duration`) AS STRING)) AS INT) END) AS `duration`,
           (CASE WHEN (`username`) IS NULL THEN ''
         WHEN CAST((`username`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`username`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`username`) AS STRING), 2, length(CAST((`username`) AS STRING)) - 2) END
         WHEN CAST((`username`) AS STRING) = '-' THEN ''
         ELSE CAST((`username`) AS STRING) END) AS `username`,
           (CASE WHEN (`authgroup`) IS NULL THEN ''
         WHEN CAST((`authgroup`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`authgroup`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`authgroup`) AS STRING), 2, length(CAST((`authgroup`) AS STRING)) - 2) END
         WHEN CAST((`authgroup`) AS STRING) = '-' THEN ''
         ELSE CAST((`authgroup`) AS STRING) END) AS `authgroup`,
           (CASE WHEN (`exceptionid`) IS NULL THEN ''
         WHEN CAST((`exceptionid`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`exceptionid`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`exceptionid`) AS STRING), 2, length(CAST((`exceptionid`) AS STRING)) - 2) END
         WHEN CAST((`exceptionid`) AS STRING) = '-' THEN ''
         ELSE CAST((`exceptionid`) AS STRING) END) AS `exceptionid`,
           (CASE WHEN (`filterresult`) IS NULL THEN ''
         WHEN CAST((`filterresult`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`filterresult`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`filterresult`) AS STRING), 2, length(CAST((`filterresult`) AS STRING)) - 2) END
         WHEN CAST((`filterresult`) AS STRING) = '-' THEN ''
         ELSE CAST((`filterresult`) AS STRING) END) AS `filterresult`,
           (CASE WHEN (`webcat`) IS NULL THEN ''
         WHEN CAST((`webcat`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`webcat`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`webcat`) AS STRING), 2, length(CAST((`webcat`) AS STRING)) - 2) END
         WHEN CAST((`webcat`) AS STRING) = '-' THEN ''
         ELSE CAST((`webcat`) AS STRING) END) AS `webcat`,
           (CASE WHEN (`referer`) IS NULL THEN ''
         WHEN CAST((`referer`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`referer`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`referer`) AS STRING), 2, length(CAST((`referer`) AS STRING)) - 2) END
         WHEN CAST((`referer`) AS STRING) = '-' THEN ''
         ELSE CAST((`referer`) AS STRING) END) AS `referer`,
           (CASE WHEN (`respcode`) IS NULL THEN ''
         WHEN CAST((`respcode`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`respcode`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`respcode`) AS STRING), 2, length(CAST((`respcode`) AS STRING)) - 2) END
         WHEN CAST((`respcode`) AS STRING) = '-' THEN ''
         ELSE CAST((`respcode`) AS STRING) END) AS `respcode`,
           (CASE WHEN (`action`) IS NULL THEN ''
         WHEN CAST((`action`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`action`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`action`) AS STRING), 2, length(CAST((`action`) AS STRING)) - 2) END
         WHEN CAST((`action`) AS STRING) = '-' THEN ''
         ELSE CAST((`action`) AS STRING) END) AS `action`,
           (CASE WHEN (`urischeme`) IS NULL THEN ''
         WHEN CAST((`urischeme`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`urischeme`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`urischeme`) AS STRING), 2, length(CAST((`urischeme`) AS STRING)) - 2) END
         WHEN CAST((`urischeme`) AS STRING) = '-' THEN ''
         ELSE CAST((`urischeme`) AS STRING) END) AS `urischeme`,
           (CASE WHEN (`uriport`) IS NULL THEN ''
         WHEN CAST((`uriport`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`uriport`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`uriport`) AS STRING), 2, length(CAST((`uriport`) AS STRING)) - 2) END
         WHEN CAST((`uriport`) AS STRING) = '-' THEN ''
         ELSE CAST((`uriport`) AS STRING) END) AS `uriport`,
           (CASE WHEN (`uripath`) IS NULL THEN ''
         WHEN CAST((`uripath`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`uripath`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`uripath`) AS STRING), 2, length(CAST((`uripath`) AS STRING)) - 2) END
         WHEN CAST((`uripath`) AS STRING) = '-' THEN ''
         ELSE CAST((`uripath`) AS STRING) END) AS `uripath`,
           (CASE WHEN (`uriquery`) IS NULL THEN ''
         WHEN CAST((`uriquery`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`uriquery`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`uriquery`) AS STRING), 2, length(CAST((`uriquery`) AS STRING)) - 2) END
         WHEN CAST((`uriquery`) AS STRING) = '-' THEN ''
         ELSE CAST((`uriquery`) AS STRING) END) AS `uriquery`,
           (CASE WHEN (`uriextension`) IS NULL THEN ''
         WHEN CAST((`uriextension`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`uriextension`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`uriextension`) AS STRING), 2, length(CAST((`uriextension`) AS STRING)) - 2) END
         WHEN CAST((`uriextension`) AS STRING) = '-' THEN ''
         ELSE CAST((`uriextension`) AS STRING) END) AS `uriextension`,
           (CASE WHEN (`serverip`) IS NULL THEN ''
         WHEN CAST((`serverip`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`serverip`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`serverip`) AS STRING), 2, length(CAST((`serverip`) AS STRING)) - 2) END
         WHEN CAST((`serverip`) AS STRING) = '-' THEN ''
         ELSE CAST((`serverip`) AS STRING) END) AS `serverip`,
           (CASE WHEN (`scbytes`) IS NULL OR trim(CAST((`scbytes`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`scbytes`) AS STRING)) AS INT) END) AS `scbytes`,
           (CASE WHEN (`csbytes`) IS NULL OR trim(CAST((`csbytes`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`csbytes`) AS STRING)) AS INT) END) AS `csbytes`,
           (CASE WHEN (`virusid`) IS NULL THEN ''
         WHEN CAST((`virusid`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`virusid`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`virusid`) AS STRING), 2, length(CAST((`virusid`) AS STRING)) - 2) END
         WHEN CAST((`virusid`) AS STRING) = '-' THEN ''
         ELSE CAST((`virusid`) AS STRING) END) AS `virusid`,
           (CASE WHEN (`bcappname`) IS NULL THEN ''
         WHEN CAST((`bcappname`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`bcappname`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`bcappname`) AS STRING), 2, length(CAST((`bcappname`) AS STRING)) - 2) END
         WHEN CAST((`bcappname`) AS STRING) = '-' THEN ''
         ELSE CAST((`bcappname`) AS STRING) END) AS `bcappname`,
           (CASE WHEN (`bcappoper`) IS NULL THEN ''
         WHEN CAST((`bcappoper`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`bcappoper`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`bcappoper`) AS STRING), 2, length(CAST((`bcappoper`) AS STRING)) - 2) END
         WHEN CAST((`bcappoper`) AS STRING) = '-' THEN ''
         ELSE CAST((`bcappoper`) AS STRING) END) AS `bcappoper`,
           (CASE WHEN (`fulluri`) IS NULL THEN ''
         WHEN CAST((`fulluri`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`fulluri`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`fulluri`) AS STRING), 2, length(CAST((`fulluri`) AS STRING)) - 2) END
         WHEN CAST((`fulluri`) AS STRING) = '-' THEN ''
         ELSE CAST((`fulluri`) AS STRING) END) AS `fulluri`
    FROM ${var:dbname}.proxy WHERE y = '${var:raw_y}' AND m = '${var:raw_m}' AND d = '${var:raw_d}'
  ) AS v
  WHERE v.p_date = '${var:date}'
),
scores_day AS (SELECT tdate, `time` AS s_time, clientip, fulluri, hash FROM ${var:dbname}.proxy_oa_stage_scores_20161211),
iana AS (SELECT code, name FROM ${var:dbname}.proxy_oa_stage_iana_20161211)
INSERT OVERWRITE TABLE ${var:dbname}.proxy_oa_stage_edge_20161211
SELECT p_date, p_time, clientip, host, webcat, respcode, reqmethod, useragent, resconttype, referer,
       uriport, serverip, scbytes, csbytes, fulluri, hh, respcode_name, hash
FROM (
  SELECT r.p_date, r.p_time, r.clientip, r.host, r.webcat, r.respcode, r.reqmethod, r.useragent, r.resconttype,
         r.referer, r.uriport, r.serverip, r.scbytes, r.csbytes, r.fulluri, e.hh, e.hash,
         (CASE WHEN (r.respcode) IS NULL OR trim(CAST((r.respcode) AS STRING)) = '' THEN ''
         ELSE coalesce((l.name), concat('Unknown (', trim(CAST((r.respcode) AS STRING)), ')')) END) AS respcode_name,
         row_number() OVER (PARTITION BY e.hash ORDER BY r.p_time NULLS LAST, r.p_date NULLS LAST,
           r.host NULLS LAST, r.reqmethod NULLS LAST, r.useragent NULLS LAST, r.resconttype NULLS LAST,
           r.duration NULLS LAST, r.username NULLS LAST, r.authgroup NULLS LAST, r.exceptionid NULLS LAST,
           r.filterresult NULLS LAST, r.webcat NULLS LAST, r.referer NULLS LAST, r.respcode NULLS LAST,
           r.action NULLS LAST, r.urischeme NULLS LAST, r.uriport NULLS LAST, r.uripath NULLS LAST,
           r.uriquery NULLS LAST, r.uriextension NULLS LAST, r.serverip NULLS LAST, r.scbytes NULLS LAST,
           r.csbytes NULLS LAST, r.virusid NULLS LAST, r.bcappname NULLS LAST, r.bcappoper NULLS LAST) AS k
  FROM raw_day AS r
  JOIN (SELECT DISTINCT clientip, fulluri, CAST(trim(split_part(s_time, ':', 1)) AS INT) AS hh, hash
        FROM scores_day WHERE tdate = '${var:date}') AS e
    ON r.clientip = e.clientip AND r.fulluri = e.fulluri AND r.h = lpad(CAST(e.hh AS STRING), 2, '0')
  LEFT JOIN iana AS l ON l.code = trim(r.respcode)
) AS x
WHERE k <= ${var:edge_rows}
ORDER BY clientip, fulluri, hh, k;

-- step proxy_ingest_summary
WITH raw_stored AS (
  SELECT t.*, false AS ours FROM ${var:dbname}.proxy AS t
  WHERE t.y = '${var:raw_y}' AND t.m = '${var:raw_m}' AND t.d = '${var:raw_d}' AND (CASE WHEN (t.p_date) IS NULL THEN ''
         WHEN CAST((t.p_date) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((t.p_date) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((t.p_date) AS STRING), 2, length(CAST((t.p_date) AS STRING)) - 2) END
         WHEN CAST((t.p_date) AS STRING) = '-' THEN ''
         ELSE CAST((t.p_date) AS STRING) END) = '${var:date}'
),
scores_day AS (SELECT tdate, `time` AS s_time, clientip, fulluri, hash FROM ${var:dbname}.proxy_oa_stage_scores_20161211),
iana AS (SELECT code, name FROM ${var:dbname}.proxy_oa_stage_iana_20161211)
INSERT OVERWRITE TABLE ${var:dbname}.proxy_oa_stage_summary_20161211
SELECT tdate, CAST(sum(n) AS BIGINT) AS total
FROM (
  SELECT concat(p_date, ' ', lpad(split_part(p_time, ':', 1), 2, '0'), ':',
                lpad(split_part(p_time, ':', 2), 2, '0')) AS tdate, n
  FROM (
    SELECT (CASE WHEN (g.ours) THEN CAST((g.p_date) AS STRING) ELSE (CASE WHEN ((g.p_date)) IS NULL THEN ''
         WHEN CAST(((g.p_date)) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST(((g.p_date)) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST(((g.p_date)) AS STRING), 2, length(CAST(((g.p_date)) AS STRING)) - 2) END
         WHEN CAST(((g.p_date)) AS STRING) = '-' THEN ''
         ELSE CAST(((g.p_date)) AS STRING) END) END) AS p_date, (CASE WHEN (g.ours) THEN CAST((g.p_time) AS STRING) ELSE (CASE WHEN ((g.p_time)) IS NULL THEN ''
         WHEN CAST(((g.p_time)) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST(((g.p_time)) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST(((g.p_time)) AS STRING), 2, length(CAST(((g.p_time)) AS STRING)) - 2) END
         WHEN CAST(((g.p_time)) AS STRING) = '-' THEN ''
         ELSE CAST(((g.p_time)) AS STRING) END) END) AS p_time, g.n
    FROM (
      SELECT r.ours, r.p_date, r.p_time, count(*) AS n
      FROM raw_stored AS r
      WHERE (CASE WHEN (r.ours) THEN CAST((r.clientip) AS STRING) ELSE (CASE WHEN ((r.clientip)) IS NULL THEN ''
         WHEN CAST(((r.clientip)) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST(((r.clientip)) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST(((r.clientip)) AS STRING), 2, length(CAST(((r.clientip)) AS STRING)) - 2) END
         WHEN CAST(((r.clientip)) AS STRING) = '-' THEN ''
         ELSE CAST(((r.clientip)) AS STRING) END) END) <> '' AND (CASE WHEN (r.ours) THEN CAST((r.host) AS STRING) ELSE (CASE WHEN ((r.host)) IS NULL THEN ''
         WHEN CAST(((r.host)) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST(((r.host)) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST(((r.host)) AS STRING), 2, length(CAST(((r.host)) AS STRING)) - 2) END
         WHEN CAST(((r.host)) AS STRING) = '-' THEN ''
         ELSE CAST(((r.host)) AS STRING) END) END) <> ''
        AND (CASE WHEN (r.ours) THEN CAST((r.fulluri) AS STRING) ELSE (CASE WHEN ((r.fulluri)) IS NULL THEN ''
         WHEN CAST(((r.fulluri)) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST(((r.fulluri)) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST(((r.fulluri)) AS STRING), 2, length(CAST(((r.fulluri)) AS STRING)) - 2) END
         WHEN CAST(((r.fulluri)) AS STRING) = '-' THEN ''
         ELSE CAST(((r.fulluri)) AS STRING) END) END) <> ''
      GROUP BY r.ours, r.p_date, r.p_time
    ) AS g
  ) AS x
  WHERE p_date <> '' AND p_time <> '' AND p_time LIKE '%:%'
) AS y
GROUP BY tdate
ORDER BY tdate;

-- step analyst raw rows
WITH raw_day AS (
  SELECT v.*, lpad(split_part(v.p_time, ':', 1), 2, '0') AS h FROM (
    SELECT (CASE WHEN (`p_date`) IS NULL THEN ''
         WHEN CAST((`p_date`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`p_date`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`p_date`) AS STRING), 2, length(CAST((`p_date`) AS STRING)) - 2) END
         WHEN CAST((`p_date`) AS STRING) = '-' THEN ''
         ELSE CAST((`p_date`) AS STRING) END) AS `p_date`,
           (CASE WHEN (`p_time`) IS NULL THEN ''
         WHEN CAST((`p_time`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`p_time`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`p_time`) AS STRING), 2, length(CAST((`p_time`) AS STRING)) - 2) END
         WHEN CAST((`p_time`) AS STRING) = '-' THEN ''
         ELSE CAST((`p_time`) AS STRING) END) AS `p_time`,
           (CASE WHEN (`clientip`) IS NULL THEN ''
         WHEN CAST((`clientip`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`clientip`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`clientip`) AS STRING), 2, length(CAST((`clientip`) AS STRING)) - 2) END
         WHEN CAST((`clientip`) AS STRING) = '-' THEN ''
         ELSE CAST((`clientip`) AS STRING) END) AS `clientip`,
           (CASE WHEN (`host`) IS NULL THEN ''
         WHEN CAST((`host`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`host`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`host`) AS STRING), 2, length(CAST((`host`) AS STRING)) - 2) END
         WHEN CAST((`host`) AS STRING) = '-' THEN ''
         ELSE CAST((`host`) AS STRING) END) AS `host`,
           (CASE WHEN (`reqmethod`) IS NULL THEN ''
         WHEN CAST((`reqmethod`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`reqmethod`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`reqmethod`) AS STRING), 2, length(CAST((`reqmethod`) AS STRING)) - 2) END
         WHEN CAST((`reqmethod`) AS STRING) = '-' THEN ''
         ELSE CAST((`reqmethod`) AS STRING) END) AS `reqmethod`,
           (CASE WHEN (`useragent`) IS NULL THEN ''
         WHEN CAST((`useragent`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`useragent`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`useragent`) AS STRING), 2, length(CAST((`useragent`) AS STRING)) - 2) END
         WHEN CAST((`useragent`) AS STRING) = '-' THEN ''
         ELSE CAST((`useragent`) AS STRING) END) AS `useragent`,
           (CASE WHEN (`resconttype`) IS NULL THEN ''
         WHEN CAST((`resconttype`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`resconttype`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`resconttype`) AS STRING), 2, length(CAST((`resconttype`) AS STRING)) - 2) END
         WHEN CAST((`resconttype`) AS STRING) = '-' THEN ''
         ELSE CAST((`resconttype`) AS STRING) END) AS `resconttype`,
           (CASE WHEN (`duration`) IS NULL OR trim(CAST((`duration`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`duration`) AS STRING)) AS INT) END) AS `duration`,
           (CASE WHEN (`username`) IS NULL THEN ''
         WHEN CAST((`username`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`username`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`username`) AS STRING), 2, length(CAST((`username`) AS STRING)) - 2) END
         WHEN CAST((`username`) AS STRING) = '-' THEN ''
         ELSE CAST((`username`) AS STRING) END) AS `username`,
           (CASE WHEN (`authgroup`) IS NULL THEN ''
         WHEN CAST((`authgroup`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`authgroup`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`authgroup`) AS STRING), 2, length(CAST((`authgroup`) AS STRING)) - 2) END
         WHEN CAST((`authgroup`) AS STRING) = '-' THEN ''
         ELSE CAST((`authgroup`) AS STRING) END) AS `authgroup`,
           (CASE WHEN (`exceptionid`) IS NULL THEN ''
         WHEN CAST((`exceptionid`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`exceptionid`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`exceptionid`) AS STRING), 2, length(CAST((`exceptionid`) AS STRING)) - 2) END
         WHEN CAST((`exceptionid`) AS STRING) = '-' THEN ''
         ELSE CAST((`exceptionid`) AS STRING) END) AS `exceptionid`,
           (CASE WHEN (`filterresult`) IS NULL THEN ''
         WHEN CAST((`filterresult`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`filterresult`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`filterresult`) AS STRING), 2, length(CAST((`filterresult`) AS STRING)) - 2) END
         WHEN CAST((`filterresult`) AS STRING) = '-' THEN ''
         ELSE CAST((`filterresult`) AS STRING) END) AS `filterresult`,
           (CASE WHEN (`webcat`) IS NULL THEN ''
         WHEN CAST((`webcat`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`webcat`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`webcat`) AS STRING), 2, length(CAST((`webcat`) AS STRING)) - 2) END
         WHEN CAST((`webcat`) AS STRING) = '-' THEN ''
         ELSE CAST((`webcat`) AS STRING) END) AS `webcat`,
           (CASE WHEN (`referer`) IS NULL THEN ''
         WHEN CAST((`referer`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`referer`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`referer`) AS STRING), 2, length(CAST((`referer`) AS STRING)) - 2) END
         WHEN CAST((`referer`) AS STRING) = '-' THEN ''
         ELSE CAST((`referer`) AS STRING) END) AS `referer`,
           (CASE WHEN (`respcode`) IS NULL THEN ''
         WHEN CAST((`respcode`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`respcode`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`respcode`) AS STRING), 2, length(CAST((`respcode`) AS STRING)) - 2) END
         WHEN CAST((`respcode`) AS STRING) = '-' THEN ''
         ELSE CAST((`respcode`) AS STRING) END) AS `respcode`,
           (CASE WHEN (`action`) IS NULL THEN ''
         WHEN CAST((`action`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`action`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`action`) AS STRING), 2, length(CAST((`action`) AS STRING)) - 2) END
         WHEN CAST((`action`) AS STRING) = '-' THEN ''
         ELSE CAST((`action`) AS STRING) END) AS `action`,
           (CASE WHEN (`urischeme`) IS NULL THEN ''
         WHEN CAST((`urischeme`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`urischeme`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`urischeme`) AS STRING), 2, length(CAST((`urischeme`) AS STRING)) - 2) END
         WHEN CAST((`urischeme`) AS STRING) = '-' THEN ''
         ELSE CAST((`urischeme`) AS STRING) END) AS `urischeme`,
           (CASE WHEN (`uriport`) IS NULL THEN ''
         WHEN CAST((`uriport`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`uriport`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`uriport`) AS STRING), 2, length(CAST((`uriport`) AS STRING)) - 2) END
         WHEN CAST((`uriport`) AS STRING) = '-' THEN ''
         ELSE CAST((`uriport`) AS STRING) END) AS `uriport`,
           (CASE WHEN (`uripath`) IS NULL THEN ''
         WHEN CAST((`uripath`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`uripath`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`uripath`) AS STRING), 2, length(CAST((`uripath`) AS STRING)) - 2) END
         WHEN CAST((`uripath`) AS STRING) = '-' THEN ''
         ELSE CAST((`uripath`) AS STRING) END) AS `uripath`,
           (CASE WHEN (`uriquery`) IS NULL THEN ''
         WHEN CAST((`uriquery`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`uriquery`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`uriquery`) AS STRING), 2, length(CAST((`uriquery`) AS STRING)) - 2) END
         WHEN CAST((`uriquery`) AS STRING) = '-' THEN ''
         ELSE CAST((`uriquery`) AS STRING) END) AS `uriquery`,
           (CASE WHEN (`uriextension`) IS NULL THEN ''
         WHEN CAST((`uriextension`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`uriextension`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`uriextension`) AS STRING), 2, length(CAST((`uriextension`) AS STRING)) - 2) END
         WHEN CAST((`uriextension`) AS STRING) = '-' THEN ''
         ELSE CAST((`uriextension`) AS STRING) END) AS `uriextension`,
           (CASE WHEN (`serverip`) IS NULL THEN ''
         WHEN CAST((`serverip`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`serverip`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`serverip`) AS STRING), 2, length(CAST((`serverip`) AS STRING)) - 2) END
         WHEN CAST((`serverip`) AS STRING) = '-' THEN ''
         ELSE CAST((`serverip`) AS STRING) END) AS `serverip`,
           (CASE WHEN (`scbytes`) IS NULL OR trim(CAST((`scbytes`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`scbytes`) AS STRING)) AS INT) END) AS `scbytes`,
           (CASE WHEN (`csbytes`) IS NULL OR trim(CAST((`csbytes`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`csbytes`) AS STRING)) AS INT) END) AS `csbytes`,
           (CASE WHEN (`virusid`) IS NULL THEN ''
         WHEN CAST((`virusid`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`virusid`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`virusid`) AS STRING), 2, length(CAST((`virusid`) AS STRING)) - 2) END
         WHEN CAST((`virusid`) AS STRING) = '-' THEN ''
         ELSE CAST((`virusid`) AS STRING) END) AS `virusid`,
           (CASE WHEN (`bcappname`) IS NULL THEN ''
         WHEN CAST((`bcappname`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`bcappname`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`bcappname`) AS STRING), 2, length(CAST((`bcappname`) AS STRING)) - 2) END
         WHEN CAST((`bcappname`) AS STRING) = '-' THEN ''
         ELSE CAST((`bcappname`) AS STRING) END) AS `bcappname`,
           (CASE WHEN (`bcappoper`) IS NULL THEN ''
         WHEN CAST((`bcappoper`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`bcappoper`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`bcappoper`) AS STRING), 2, length(CAST((`bcappoper`) AS STRING)) - 2) END
         WHEN CAST((`bcappoper`) AS STRING) = '-' THEN ''
         ELSE CAST((`bcappoper`) AS STRING) END) AS `bcappoper`,
           (CASE WHEN (`fulluri`) IS NULL THEN ''
         WHEN CAST((`fulluri`) AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST((`fulluri`) AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST((`fulluri`) AS STRING), 2, length(CAST((`fulluri`) AS STRING)) - 2) END
         WHEN CAST((`fulluri`) AS STRING) = '-' THEN ''
         ELSE CAST((`fulluri`) AS STRING) END) AS `fulluri`
    FROM ${var:dbname}.proxy WHERE y = '${var:raw_y}' AND m = '${var:raw_m}' AND d = '${var:raw_d}'
  ) AS v
  WHERE v.p_date = '${var:date}'
),
scores_day AS (SELECT tdate, `time` AS s_time, clientip, fulluri, hash FROM ${var:dbname}.proxy_oa_stage_scores_20161211),
iana AS (SELECT code, name FROM ${var:dbname}.proxy_oa_stage_iana_20161211)
INSERT OVERWRITE TABLE ${var:dbname}.proxy_oa_stage_raw_20161211
SELECT r.p_date, r.p_time, r.clientip, r.host, r.reqmethod, r.useragent, r.resconttype, r.duration, r.username,
       r.authgroup, r.exceptionid, r.filterresult, r.webcat, r.referer, r.respcode, r.action, r.urischeme,
       r.uriport, r.uripath, r.uriquery, r.uriextension, r.serverip, r.scbytes, r.csbytes, r.virusid, r.bcappname,
       r.bcappoper, r.fulluri
FROM raw_day AS r
LEFT JOIN (SELECT DISTINCT fulluri AS u FROM scores_day) AS a ON r.fulluri = a.u
LEFT JOIN (SELECT DISTINCT fulluri AS u FROM scores_day) AS b ON r.referer = b.u
LEFT JOIN (SELECT DISTINCT fulluri AS u FROM scores_day) AS c ON (regexp_replace((r.referer), '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]*)(:[0-9]*)?', '\\1')) = c.u
LEFT JOIN (SELECT DISTINCT concat(fulluri, '/') AS u FROM scores_day) AS e ON (regexp_replace((r.referer), '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]*)(:[0-9]*)?', '\\1')) = e.u
WHERE a.u IS NOT NULL OR b.u IS NOT NULL OR c.u IS NOT NULL OR e.u IS NOT NULL;

-- download proxy_edge from /user/spot/proxy/oa-staging/20161211/edge/
-- download proxy_ingest_summary from /user/spot/proxy/oa-staging/20161211/summary/
-- download analyst raw rows from /user/spot/proxy/oa-staging/20161211/raw/

-- step publish
INSERT OVERWRITE TABLE ${var:dbname}.proxy_scores PARTITION (y=${var:oa_y}, m=${var:oa_m}, d=${var:oa_d})
SELECT `tdate`, `time`, `clientip`, `host`, `reqmethod`, `useragent`, `resconttype`, `duration`, `username`, `webcat`, `referer`, `respcode`, `uriport`, `uripath`, `uriquery`, `serverip`, `scbytes`, `csbytes`, `fulluri`, `word`, `ml_score`, `uri_rep`, `respcode_name`, `network_context`, `uri_sev`, `hash`, `oa_rank`, `why` FROM ${var:dbname}.proxy_oa_stage_scores_20161211;

INSERT OVERWRITE TABLE ${var:dbname}.proxy_edge PARTITION (y=${var:oa_y}, m=${var:oa_m}, d=${var:oa_d})
SELECT `tdate`, `time`, `clientip`, `host`, `webcat`, `respcode`, `reqmethod`, `useragent`, `resconttype`, `referer`, `uriport`, `serverip`, `scbytes`, `csbytes`, `fulluri`, `hh`, `respcode_name`, `hash` FROM ${var:dbname}.proxy_oa_stage_edge_20161211;

INSERT OVERWRITE TABLE ${var:dbname}.proxy_ingest_summary PARTITION (y=${var:oa_y}, m=${var:oa_m}, d=${var:oa_d})
SELECT `tdate`, `total` FROM ${var:dbname}.proxy_oa_stage_summary_20161211;

INSERT OVERWRITE TABLE ${var:dbname}.proxy_findings PARTITION (y=${var:oa_y}, m=${var:oa_m}, d=${var:oa_d})
SELECT `tdate`, `detector`, `rule`, `clientip`, `host`, `fulluri`, `score`, `connections`, `first_time`, `last_time`, `evidence` FROM ${var:dbname}.proxy_oa_stage_findings_20161211;

-- step cleanup
DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_scores_20161211;

DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_iana_20161211;

DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_edge_20161211;

DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_summary_20161211;

DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_raw_20161211;

DROP TABLE IF EXISTS ${var:dbname}.proxy_oa_stage_findings_20161211;
-- delete /user/spot/proxy/oa-staging/20161211 (recursive)
