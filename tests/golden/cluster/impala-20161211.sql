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
    SELECT (CASE WHEN (`p_date`) IS NULL OR (CASE WHEN length((CAST((`p_date`) AS STRING))) >= 2 AND substr((CAST((`p_date`) AS STRING)), 1, 1) = '"' AND substr((CAST((`p_date`) AS STRING)), length((CAST((`p_date`) AS STRING))), 1) = '"'
         THEN substr((CAST((`p_date`) AS STRING)), 2, length((CAST((`p_date`) AS STRING))) - 2) ELSE (CAST((`p_date`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`p_date`) AS STRING))) >= 2 AND substr((CAST((`p_date`) AS STRING)), 1, 1) = '"' AND substr((CAST((`p_date`) AS STRING)), length((CAST((`p_date`) AS STRING))), 1) = '"'
         THEN substr((CAST((`p_date`) AS STRING)), 2, length((CAST((`p_date`) AS STRING))) - 2) ELSE (CAST((`p_date`) AS STRING)) END) END) AS `p_date`,
           (CASE WHEN (`p_time`) IS NULL OR (CASE WHEN length((CAST((`p_time`) AS STRING))) >= 2 AND substr((CAST((`p_time`) AS STRING)), 1, 1) = '"' AND substr((CAST((`p_time`) AS STRING)), length((CAST((`p_time`) AS STRING))), 1) = '"'
         THEN substr((CAST((`p_time`) AS STRING)), 2, length((CAST((`p_time`) AS STRING))) - 2) ELSE (CAST((`p_time`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`p_time`) AS STRING))) >= 2 AND substr((CAST((`p_time`) AS STRING)), 1, 1) = '"' AND substr((CAST((`p_time`) AS STRING)), length((CAST((`p_time`) AS STRING))), 1) = '"'
         THEN substr((CAST((`p_time`) AS STRING)), 2, length((CAST((`p_time`) AS STRING))) - 2) ELSE (CAST((`p_time`) AS STRING)) END) END) AS `p_time`,
           (CASE WHEN (`clientip`) IS NULL OR (CASE WHEN length((CAST((`clientip`) AS STRING))) >= 2 AND substr((CAST((`clientip`) AS STRING)), 1, 1) = '"' AND substr((CAST((`clientip`) AS STRING)), length((CAST((`clientip`) AS STRING))), 1) = '"'
         THEN substr((CAST((`clientip`) AS STRING)), 2, length((CAST((`clientip`) AS STRING))) - 2) ELSE (CAST((`clientip`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`clientip`) AS STRING))) >= 2 AND substr((CAST((`clientip`) AS STRING)), 1, 1) = '"' AND substr((CAST((`clientip`) AS STRING)), length((CAST((`clientip`) AS STRING))), 1) = '"'
         THEN substr((CAST((`clientip`) AS STRING)), 2, length((CAST((`clientip`) AS STRING))) - 2) ELSE (CAST((`clientip`) AS STRING)) END) END) AS `clientip`,
           (CASE WHEN (`host`) IS NULL OR (CASE WHEN length((CAST((`host`) AS STRING))) >= 2 AND substr((CAST((`host`) AS STRING)), 1, 1) = '"' AND substr((CAST((`host`) AS STRING)), length((CAST((`host`) AS STRING))), 1) = '"'
         THEN substr((CAST((`host`) AS STRING)), 2, length((CAST((`host`) AS STRING))) - 2) ELSE (CAST((`host`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`host`) AS STRING))) >= 2 AND substr((CAST((`host`) AS STRING)), 1, 1) = '"' AND substr((CAST((`host`) AS STRING)), length((CAST((`host`) AS STRING))), 1) = '"'
         THEN substr((CAST((`host`) AS STRING)), 2, length((CAST((`host`) AS STRING))) - 2) ELSE (CAST((`host`) AS STRING)) END) END) AS `host`,
           (CASE WHEN (`reqmethod`) IS NULL OR (CASE WHEN length((CAST((`reqmethod`) AS STRING))) >= 2 AND substr((CAST((`reqmethod`) AS STRING)), 1, 1) = '"' AND substr((CAST((`reqmethod`) AS STRING)), length((CAST((`reqmethod`) AS STRING))), 1) = '"'
         THEN substr((CAST((`reqmethod`) AS STRING)), 2, length((CAST((`reqmethod`) AS STRING))) - 2) ELSE (CAST((`reqmethod`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`reqmethod`) AS STRING))) >= 2 AND substr((CAST((`reqmethod`) AS STRING)), 1, 1) = '"' AND substr((CAST((`reqmethod`) AS STRING)), length((CAST((`reqmethod`) AS STRING))), 1) = '"'
         THEN substr((CAST((`reqmethod`) AS STRING)), 2, length((CAST((`reqmethod`) AS STRING))) - 2) ELSE (CAST((`reqmethod`) AS STRING)) END) END) AS `reqmethod`,
           (CASE WHEN (`useragent`) IS NULL OR (CASE WHEN length((CAST((`useragent`) AS STRING))) >= 2 AND substr((CAST((`useragent`) AS STRING)), 1, 1) = '"' AND substr((CAST((`useragent`) AS STRING)), length((CAST((`useragent`) AS STRING))), 1) = '"'
         THEN substr((CAST((`useragent`) AS STRING)), 2, length((CAST((`useragent`) AS STRING))) - 2) ELSE (CAST((`useragent`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`useragent`) AS STRING))) >= 2 AND substr((CAST((`useragent`) AS STRING)), 1, 1) = '"' AND substr((CAST((`useragent`) AS STRING)), length((CAST((`useragent`) AS STRING))), 1) = '"'
         THEN substr((CAST((`useragent`) AS STRING)), 2, length((CAST((`useragent`) AS STRING))) - 2) ELSE (CAST((`useragent`) AS STRING)) END) END) AS `useragent`,
           (CASE WHEN (`resconttype`) IS NULL OR (CASE WHEN length((CAST((`resconttype`) AS STRING))) >= 2 AND substr((CAST((`resconttype`) AS STRING)), 1, 1) = '"' AND substr((CAST((`resconttype`) AS STRING)), length((CAST((`resconttype`) AS STRING))), 1) = '"'
         THEN substr((CAST((`resconttype`) AS STRING)), 2, length((CAST((`resconttype`) AS STRING))) - 2) ELSE (CAST((`resconttype`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`resconttype`) AS STRING))) >= 2 AND substr((CAST((`resconttype`) AS STRING)), 1, 1) = '"' AND substr((CAST((`resconttype`) AS STRING)), length((CAST((`resconttype`) AS STRING))), 1) = '"'
         THEN substr((CAST((`resconttype`) AS STRING)), 2, length((CAST((`resconttype`) AS STRING))) - 2) ELSE (CAST((`resconttype`) AS STRING)) END) END) AS `resconttype`,
           (CASE WHEN (`duration`) IS NULL OR trim(CAST((`duration`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`duration`) AS STRING)) AS INT) END) AS `duration`,
           (CASE WHEN (`username`) IS NULL OR (CASE WHEN length((CAST((`username`) AS STRING))) >= 2 AND substr((CAST((`username`) AS STRING)), 1, 1) = '"' AND substr((CAST((`username`) AS STRING)), length((CAST((`username`) AS STRING))), 1) = '"'
         THEN substr((CAST((`username`) AS STRING)), 2, length((CAST((`username`) AS STRING))) - 2) ELSE (CAST((`username`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`username`) AS STRING))) >= 2 AND substr((CAST((`username`) AS STRING)), 1, 1) = '"' AND substr((CAST((`username`) AS STRING)), length((CAST((`username`) AS STRING))), 1) = '"'
         THEN substr((CAST((`username`) AS STRING)), 2, length((CAST((`username`) AS STRING))) - 2) ELSE (CAST((`username`) AS STRING)) END) END) AS `username`,
           (CASE WHEN (`authgroup`) IS NULL OR (CASE WHEN length((CAST((`authgroup`) AS STRING))) >= 2 AND substr((CAST((`authgroup`) AS STRING)), 1, 1) = '"' AND substr((CAST((`authgroup`) AS STRING)), length((CAST((`authgroup`) AS STRING))), 1) = '"'
         THEN substr((CAST((`authgroup`) AS STRING)), 2, length((CAST((`authgroup`) AS STRING))) - 2) ELSE (CAST((`authgroup`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`authgroup`) AS STRING))) >= 2 AND substr((CAST((`authgroup`) AS STRING)), 1, 1) = '"' AND substr((CAST((`authgroup`) AS STRING)), length((CAST((`authgroup`) AS STRING))), 1) = '"'
         THEN substr((CAST((`authgroup`) AS STRING)), 2, length((CAST((`authgroup`) AS STRING))) - 2) ELSE (CAST((`authgroup`) AS STRING)) END) END) AS `authgroup`,
           (CASE WHEN (`exceptionid`) IS NULL OR (CASE WHEN length((CAST((`exceptionid`) AS STRING))) >= 2 AND substr((CAST((`exceptionid`) AS STRING)), 1, 1) = '"' AND substr((CAST((`exceptionid`) AS STRING)), length((CAST((`exceptionid`) AS STRING))), 1) = '"'
         THEN substr((CAST((`exceptionid`) AS STRING)), 2, length((CAST((`exceptionid`) AS STRING))) - 2) ELSE (CAST((`exceptionid`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`exceptionid`) AS STRING))) >= 2 AND substr((CAST((`exceptionid`) AS STRING)), 1, 1) = '"' AND substr((CAST((`exceptionid`) AS STRING)), length((CAST((`exceptionid`) AS STRING))), 1) = '"'
         THEN substr((CAST((`exceptionid`) AS STRING)), 2, length((CAST((`exceptionid`) AS STRING))) - 2) ELSE (CAST((`exceptionid`) AS STRING)) END) END) AS `exceptionid`,
           (CASE WHEN (`filterresult`) IS NULL OR (CASE WHEN length((CAST((`filterresult`) AS STRING))) >= 2 AND substr((CAST((`filterresult`) AS STRING)), 1, 1) = '"' AND substr((CAST((`filterresult`) AS STRING)), length((CAST((`filterresult`) AS STRING))), 1) = '"'
         THEN substr((CAST((`filterresult`) AS STRING)), 2, length((CAST((`filterresult`) AS STRING))) - 2) ELSE (CAST((`filterresult`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`filterresult`) AS STRING))) >= 2 AND substr((CAST((`filterresult`) AS STRING)), 1, 1) = '"' AND substr((CAST((`filterresult`) AS STRING)), length((CAST((`filterresult`) AS STRING))), 1) = '"'
         THEN substr((CAST((`filterresult`) AS STRING)), 2, length((CAST((`filterresult`) AS STRING))) - 2) ELSE (CAST((`filterresult`) AS STRING)) END) END) AS `filterresult`,
           (CASE WHEN (`webcat`) IS NULL OR (CASE WHEN length((CAST((`webcat`) AS STRING))) >= 2 AND substr((CAST((`webcat`) AS STRING)), 1, 1) = '"' AND substr((CAST((`webcat`) AS STRING)), length((CAST((`webcat`) AS STRING))), 1) = '"'
         THEN substr((CAST((`webcat`) AS STRING)), 2, length((CAST((`webcat`) AS STRING))) - 2) ELSE (CAST((`webcat`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`webcat`) AS STRING))) >= 2 AND substr((CAST((`webcat`) AS STRING)), 1, 1) = '"' AND substr((CAST((`webcat`) AS STRING)), length((CAST((`webcat`) AS STRING))), 1) = '"'
         THEN substr((CAST((`webcat`) AS STRING)), 2, length((CAST((`webcat`) AS STRING))) - 2) ELSE (CAST((`webcat`) AS STRING)) END) END) AS `webcat`,
           (CASE WHEN (`referer`) IS NULL OR (CASE WHEN length((CAST((`referer`) AS STRING))) >= 2 AND substr((CAST((`referer`) AS STRING)), 1, 1) = '"' AND substr((CAST((`referer`) AS STRING)), length((CAST((`referer`) AS STRING))), 1) = '"'
         THEN substr((CAST((`referer`) AS STRING)), 2, length((CAST((`referer`) AS STRING))) - 2) ELSE (CAST((`referer`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`referer`) AS STRING))) >= 2 AND substr((CAST((`referer`) AS STRING)), 1, 1) = '"' AND substr((CAST((`referer`) AS STRING)), length((CAST((`referer`) AS STRING))), 1) = '"'
         THEN substr((CAST((`referer`) AS STRING)), 2, length((CAST((`referer`) AS STRING))) - 2) ELSE (CAST((`referer`) AS STRING)) END) END) AS `referer`,
           (CASE WHEN (`respcode`) IS NULL OR (CASE WHEN length((CAST((`respcode`) AS STRING))) >= 2 AND substr((CAST((`respcode`) AS STRING)), 1, 1) = '"' AND substr((CAST((`respcode`) AS STRING)), length((CAST((`respcode`) AS STRING))), 1) = '"'
         THEN substr((CAST((`respcode`) AS STRING)), 2, length((CAST((`respcode`) AS STRING))) - 2) ELSE (CAST((`respcode`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`respcode`) AS STRING))) >= 2 AND substr((CAST((`respcode`) AS STRING)), 1, 1) = '"' AND substr((CAST((`respcode`) AS STRING)), length((CAST((`respcode`) AS STRING))), 1) = '"'
         THEN substr((CAST((`respcode`) AS STRING)), 2, length((CAST((`respcode`) AS STRING))) - 2) ELSE (CAST((`respcode`) AS STRING)) END) END) AS `respcode`,
           (CASE WHEN (`action`) IS NULL OR (CASE WHEN length((CAST((`action`) AS STRING))) >= 2 AND substr((CAST((`action`) AS STRING)), 1, 1) = '"' AND substr((CAST((`action`) AS STRING)), length((CAST((`action`) AS STRING))), 1) = '"'
         THEN substr((CAST((`action`) AS STRING)), 2, length((CAST((`action`) AS STRING))) - 2) ELSE (CAST((`action`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`action`) AS STRING))) >= 2 AND substr((CAST((`action`) AS STRING)), 1, 1) = '"' AND substr((CAST((`action`) AS STRING)), length((CAST((`action`) AS STRING))), 1) = '"'
         THEN substr((CAST((`action`) AS STRING)), 2, length((CAST((`action`) AS STRING))) - 2) ELSE (CAST((`action`) AS STRING)) END) END) AS `action`,
           (CASE WHEN (`urischeme`) IS NULL OR (CASE WHEN length((CAST((`urischeme`) AS STRING))) >= 2 AND substr((CAST((`urischeme`) AS STRING)), 1, 1) = '"' AND substr((CAST((`urischeme`) AS STRING)), length((CAST((`urischeme`) AS STRING))), 1) = '"'
         THEN substr((CAST((`urischeme`) AS STRING)), 2, length((CAST((`urischeme`) AS STRING))) - 2) ELSE (CAST((`urischeme`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`urischeme`) AS STRING))) >= 2 AND substr((CAST((`urischeme`) AS STRING)), 1, 1) = '"' AND substr((CAST((`urischeme`) AS STRING)), length((CAST((`urischeme`) AS STRING))), 1) = '"'
         THEN substr((CAST((`urischeme`) AS STRING)), 2, length((CAST((`urischeme`) AS STRING))) - 2) ELSE (CAST((`urischeme`) AS STRING)) END) END) AS `urischeme`,
           (CASE WHEN (`uriport`) IS NULL OR (CASE WHEN length((CAST((`uriport`) AS STRING))) >= 2 AND substr((CAST((`uriport`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriport`) AS STRING)), length((CAST((`uriport`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriport`) AS STRING)), 2, length((CAST((`uriport`) AS STRING))) - 2) ELSE (CAST((`uriport`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`uriport`) AS STRING))) >= 2 AND substr((CAST((`uriport`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriport`) AS STRING)), length((CAST((`uriport`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriport`) AS STRING)), 2, length((CAST((`uriport`) AS STRING))) - 2) ELSE (CAST((`uriport`) AS STRING)) END) END) AS `uriport`,
           (CASE WHEN (`uripath`) IS NULL OR (CASE WHEN length((CAST((`uripath`) AS STRING))) >= 2 AND substr((CAST((`uripath`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uripath`) AS STRING)), length((CAST((`uripath`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uripath`) AS STRING)), 2, length((CAST((`uripath`) AS STRING))) - 2) ELSE (CAST((`uripath`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`uripath`) AS STRING))) >= 2 AND substr((CAST((`uripath`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uripath`) AS STRING)), length((CAST((`uripath`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uripath`) AS STRING)), 2, length((CAST((`uripath`) AS STRING))) - 2) ELSE (CAST((`uripath`) AS STRING)) END) END) AS `uripath`,
           (CASE WHEN (`uriquery`) IS NULL OR (CASE WHEN length((CAST((`uriquery`) AS STRING))) >= 2 AND substr((CAST((`uriquery`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriquery`) AS STRING)), length((CAST((`uriquery`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriquery`) AS STRING)), 2, length((CAST((`uriquery`) AS STRING))) - 2) ELSE (CAST((`uriquery`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`uriquery`) AS STRING))) >= 2 AND substr((CAST((`uriquery`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriquery`) AS STRING)), length((CAST((`uriquery`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriquery`) AS STRING)), 2, length((CAST((`uriquery`) AS STRING))) - 2) ELSE (CAST((`uriquery`) AS STRING)) END) END) AS `uriquery`,
           (CASE WHEN (`uriextension`) IS NULL OR (CASE WHEN length((CAST((`uriextension`) AS STRING))) >= 2 AND substr((CAST((`uriextension`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriextension`) AS STRING)), length((CAST((`uriextension`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriextension`) AS STRING)), 2, length((CAST((`uriextension`) AS STRING))) - 2) ELSE (CAST((`uriextension`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`uriextension`) AS STRING))) >= 2 AND substr((CAST((`uriextension`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriextension`) AS STRING)), length((CAST((`uriextension`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriextension`) AS STRING)), 2, length((CAST((`uriextension`) AS STRING))) - 2) ELSE (CAST((`uriextension`) AS STRING)) END) END) AS `uriextension`,
           (CASE WHEN (`serverip`) IS NULL OR (CASE WHEN length((CAST((`serverip`) AS STRING))) >= 2 AND substr((CAST((`serverip`) AS STRING)), 1, 1) = '"' AND substr((CAST((`serverip`) AS STRING)), length((CAST((`serverip`) AS STRING))), 1) = '"'
         THEN substr((CAST((`serverip`) AS STRING)), 2, length((CAST((`serverip`) AS STRING))) - 2) ELSE (CAST((`serverip`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`serverip`) AS STRING))) >= 2 AND substr((CAST((`serverip`) AS STRING)), 1, 1) = '"' AND substr((CAST((`serverip`) AS STRING)), length((CAST((`serverip`) AS STRING))), 1) = '"'
         THEN substr((CAST((`serverip`) AS STRING)), 2, length((CAST((`serverip`) AS STRING))) - 2) ELSE (CAST((`serverip`) AS STRING)) END) END) AS `serverip`,
           (CASE WHEN (`scbytes`) IS NULL OR trim(CAST((`scbytes`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`scbytes`) AS STRING)) AS INT) END) AS `scbytes`,
           (CASE WHEN (`csbytes`) IS NULL OR trim(CAST((`csbytes`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`csbytes`) AS STRING)) AS INT) END) AS `csbytes`,
           (CASE WHEN (`virusid`) IS NULL OR (CASE WHEN length((CAST((`virusid`) AS STRING))) >= 2 AND substr((CAST((`virusid`) AS STRING)), 1, 1) = '"' AND substr((CAST((`virusid`) AS STRING)), length((CAST((`virusid`) AS STRING))), 1) = '"'
         THEN substr((CAST((`virusid`) AS STRING)), 2, length((CAST((`virusid`) AS STRING))) - 2) ELSE (CAST((`virusid`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`virusid`) AS STRING))) >= 2 AND substr((CAST((`virusid`) AS STRING)), 1, 1) = '"' AND substr((CAST((`virusid`) AS STRING)), length((CAST((`virusid`) AS STRING))), 1) = '"'
         THEN substr((CAST((`virusid`) AS STRING)), 2, length((CAST((`virusid`) AS STRING))) - 2) ELSE (CAST((`virusid`) AS STRING)) END) END) AS `virusid`,
           (CASE WHEN (`bcappname`) IS NULL OR (CASE WHEN length((CAST((`bcappname`) AS STRING))) >= 2 AND substr((CAST((`bcappname`) AS STRING)), 1, 1) = '"' AND substr((CAST((`bcappname`) AS STRING)), length((CAST((`bcappname`) AS STRING))), 1) = '"'
         THEN substr((CAST((`bcappname`) AS STRING)), 2, length((CAST((`bcappname`) AS STRING))) - 2) ELSE (CAST((`bcappname`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`bcappname`) AS STRING))) >= 2 AND substr((CAST((`bcappname`) AS STRING)), 1, 1) = '"' AND substr((CAST((`bcappname`) AS STRING)), length((CAST((`bcappname`) AS STRING))), 1) = '"'
         THEN substr((CAST((`bcappname`) AS STRING)), 2, length((CAST((`bcappname`) AS STRING))) - 2) ELSE (CAST((`bcappname`) AS STRING)) END) END) AS `bcappname`,
           (CASE WHEN (`bcappoper`) IS NULL OR (CASE WHEN length((CAST((`bcappoper`) AS STRING))) >= 2 AND substr((CAST((`bcappoper`) AS STRING)), 1, 1) = '"' AND substr((CAST((`bcappoper`) AS STRING)), length((CAST((`bcappoper`) AS STRING))), 1) = '"'
         THEN substr((CAST((`bcappoper`) AS STRING)), 2, length((CAST((`bcappoper`) AS STRING))) - 2) ELSE (CAST((`bcappoper`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`bcappoper`) AS STRING))) >= 2 AND substr((CAST((`bcappoper`) AS STRING)), 1, 1) = '"' AND substr((CAST((`bcappoper`) AS STRING)), length((CAST((`bcappoper`) AS STRING))), 1) = '"'
         THEN substr((CAST((`bcappoper`) AS STRING)), 2, length((CAST((`bcappoper`) AS STRING))) - 2) ELSE (CAST((`bcappoper`) AS STRING)) END) END) AS `bcappoper`,
           (CASE WHEN (`fulluri`) IS NULL OR (CASE WHEN length((CAST((`fulluri`) AS STRING))) >= 2 AND substr((CAST((`fulluri`) AS STRING)), 1, 1) = '"' AND substr((CAST((`fulluri`) AS STRING)), length((CAST((`fulluri`) AS STRING))), 1) = '"'
         THEN substr((CAST((`fulluri`) AS STRING)), 2, length((CAST((`fulluri`) AS STRING))) - 2) ELSE (CAST((`fulluri`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`fulluri`) AS STRING))) >= 2 AND substr((CAST((`fulluri`) AS STRING)), 1, 1) = '"' AND substr((CAST((`fulluri`) AS STRING)), length((CAST((`fulluri`) AS STRING))), 1) = '"'
         THEN substr((CAST((`fulluri`) AS STRING)), 2, length((CAST((`fulluri`) AS STRING))) - 2) ELSE (CAST((`fulluri`) AS STRING)) END) END) AS `fulluri`
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
  WHERE t.y = '${var:raw_y}' AND t.m = '${var:raw_m}' AND t.d = '${var:raw_d}' AND (CASE WHEN (t.p_date) IS NULL OR (CASE WHEN length((CAST((t.p_date) AS STRING))) >= 2 AND substr((CAST((t.p_date) AS STRING)), 1, 1) = '"' AND substr((CAST((t.p_date) AS STRING)), length((CAST((t.p_date) AS STRING))), 1) = '"'
         THEN substr((CAST((t.p_date) AS STRING)), 2, length((CAST((t.p_date) AS STRING))) - 2) ELSE (CAST((t.p_date) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((t.p_date) AS STRING))) >= 2 AND substr((CAST((t.p_date) AS STRING)), 1, 1) = '"' AND substr((CAST((t.p_date) AS STRING)), length((CAST((t.p_date) AS STRING))), 1) = '"'
         THEN substr((CAST((t.p_date) AS STRING)), 2, length((CAST((t.p_date) AS STRING))) - 2) ELSE (CAST((t.p_date) AS STRING)) END) END) = '${var:date}'
),
scores_day AS (SELECT tdate, `time` AS s_time, clientip, fulluri, hash FROM ${var:dbname}.proxy_oa_stage_scores_20161211),
iana AS (SELECT code, name FROM ${var:dbname}.proxy_oa_stage_iana_20161211)
INSERT OVERWRITE TABLE ${var:dbname}.proxy_oa_stage_summary_20161211
SELECT tdate, CAST(sum(n) AS BIGINT) AS total
FROM (
  SELECT concat(p_date, ' ', lpad(split_part(p_time, ':', 1), 2, '0'), ':',
                lpad(split_part(p_time, ':', 2), 2, '0')) AS tdate, n
  FROM (
    SELECT (CASE WHEN (g.ours) THEN CAST((g.p_date) AS STRING) ELSE (CASE WHEN ((g.p_date)) IS NULL OR (CASE WHEN length((CAST(((g.p_date)) AS STRING))) >= 2 AND substr((CAST(((g.p_date)) AS STRING)), 1, 1) = '"' AND substr((CAST(((g.p_date)) AS STRING)), length((CAST(((g.p_date)) AS STRING))), 1) = '"'
         THEN substr((CAST(((g.p_date)) AS STRING)), 2, length((CAST(((g.p_date)) AS STRING))) - 2) ELSE (CAST(((g.p_date)) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST(((g.p_date)) AS STRING))) >= 2 AND substr((CAST(((g.p_date)) AS STRING)), 1, 1) = '"' AND substr((CAST(((g.p_date)) AS STRING)), length((CAST(((g.p_date)) AS STRING))), 1) = '"'
         THEN substr((CAST(((g.p_date)) AS STRING)), 2, length((CAST(((g.p_date)) AS STRING))) - 2) ELSE (CAST(((g.p_date)) AS STRING)) END) END) END) AS p_date, (CASE WHEN (g.ours) THEN CAST((g.p_time) AS STRING) ELSE (CASE WHEN ((g.p_time)) IS NULL OR (CASE WHEN length((CAST(((g.p_time)) AS STRING))) >= 2 AND substr((CAST(((g.p_time)) AS STRING)), 1, 1) = '"' AND substr((CAST(((g.p_time)) AS STRING)), length((CAST(((g.p_time)) AS STRING))), 1) = '"'
         THEN substr((CAST(((g.p_time)) AS STRING)), 2, length((CAST(((g.p_time)) AS STRING))) - 2) ELSE (CAST(((g.p_time)) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST(((g.p_time)) AS STRING))) >= 2 AND substr((CAST(((g.p_time)) AS STRING)), 1, 1) = '"' AND substr((CAST(((g.p_time)) AS STRING)), length((CAST(((g.p_time)) AS STRING))), 1) = '"'
         THEN substr((CAST(((g.p_time)) AS STRING)), 2, length((CAST(((g.p_time)) AS STRING))) - 2) ELSE (CAST(((g.p_time)) AS STRING)) END) END) END) AS p_time, g.n
    FROM (
      SELECT r.ours, r.p_date, r.p_time, count(*) AS n
      FROM raw_stored AS r
      WHERE (CASE WHEN (r.ours) THEN CAST((r.clientip) AS STRING) ELSE (CASE WHEN ((r.clientip)) IS NULL OR (CASE WHEN length((CAST(((r.clientip)) AS STRING))) >= 2 AND substr((CAST(((r.clientip)) AS STRING)), 1, 1) = '"' AND substr((CAST(((r.clientip)) AS STRING)), length((CAST(((r.clientip)) AS STRING))), 1) = '"'
         THEN substr((CAST(((r.clientip)) AS STRING)), 2, length((CAST(((r.clientip)) AS STRING))) - 2) ELSE (CAST(((r.clientip)) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST(((r.clientip)) AS STRING))) >= 2 AND substr((CAST(((r.clientip)) AS STRING)), 1, 1) = '"' AND substr((CAST(((r.clientip)) AS STRING)), length((CAST(((r.clientip)) AS STRING))), 1) = '"'
         THEN substr((CAST(((r.clientip)) AS STRING)), 2, length((CAST(((r.clientip)) AS STRING))) - 2) ELSE (CAST(((r.clientip)) AS STRING)) END) END) END) <> '' AND (CASE WHEN (r.ours) THEN CAST((r.host) AS STRING) ELSE (CASE WHEN ((r.host)) IS NULL OR (CASE WHEN length((CAST(((r.host)) AS STRING))) >= 2 AND substr((CAST(((r.host)) AS STRING)), 1, 1) = '"' AND substr((CAST(((r.host)) AS STRING)), length((CAST(((r.host)) AS STRING))), 1) = '"'
         THEN substr((CAST(((r.host)) AS STRING)), 2, length((CAST(((r.host)) AS STRING))) - 2) ELSE (CAST(((r.host)) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST(((r.host)) AS STRING))) >= 2 AND substr((CAST(((r.host)) AS STRING)), 1, 1) = '"' AND substr((CAST(((r.host)) AS STRING)), length((CAST(((r.host)) AS STRING))), 1) = '"'
         THEN substr((CAST(((r.host)) AS STRING)), 2, length((CAST(((r.host)) AS STRING))) - 2) ELSE (CAST(((r.host)) AS STRING)) END) END) END) <> ''
        AND (CASE WHEN (r.ours) THEN CAST((r.fulluri) AS STRING) ELSE (CASE WHEN ((r.fulluri)) IS NULL OR (CASE WHEN length((CAST(((r.fulluri)) AS STRING))) >= 2 AND substr((CAST(((r.fulluri)) AS STRING)), 1, 1) = '"' AND substr((CAST(((r.fulluri)) AS STRING)), length((CAST(((r.fulluri)) AS STRING))), 1) = '"'
         THEN substr((CAST(((r.fulluri)) AS STRING)), 2, length((CAST(((r.fulluri)) AS STRING))) - 2) ELSE (CAST(((r.fulluri)) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST(((r.fulluri)) AS STRING))) >= 2 AND substr((CAST(((r.fulluri)) AS STRING)), 1, 1) = '"' AND substr((CAST(((r.fulluri)) AS STRING)), length((CAST(((r.fulluri)) AS STRING))), 1) = '"'
         THEN substr((CAST(((r.fulluri)) AS STRING)), 2, length((CAST(((r.fulluri)) AS STRING))) - 2) ELSE (CAST(((r.fulluri)) AS STRING)) END) END) END) <> ''
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
    SELECT (CASE WHEN (`p_date`) IS NULL OR (CASE WHEN length((CAST((`p_date`) AS STRING))) >= 2 AND substr((CAST((`p_date`) AS STRING)), 1, 1) = '"' AND substr((CAST((`p_date`) AS STRING)), length((CAST((`p_date`) AS STRING))), 1) = '"'
         THEN substr((CAST((`p_date`) AS STRING)), 2, length((CAST((`p_date`) AS STRING))) - 2) ELSE (CAST((`p_date`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`p_date`) AS STRING))) >= 2 AND substr((CAST((`p_date`) AS STRING)), 1, 1) = '"' AND substr((CAST((`p_date`) AS STRING)), length((CAST((`p_date`) AS STRING))), 1) = '"'
         THEN substr((CAST((`p_date`) AS STRING)), 2, length((CAST((`p_date`) AS STRING))) - 2) ELSE (CAST((`p_date`) AS STRING)) END) END) AS `p_date`,
           (CASE WHEN (`p_time`) IS NULL OR (CASE WHEN length((CAST((`p_time`) AS STRING))) >= 2 AND substr((CAST((`p_time`) AS STRING)), 1, 1) = '"' AND substr((CAST((`p_time`) AS STRING)), length((CAST((`p_time`) AS STRING))), 1) = '"'
         THEN substr((CAST((`p_time`) AS STRING)), 2, length((CAST((`p_time`) AS STRING))) - 2) ELSE (CAST((`p_time`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`p_time`) AS STRING))) >= 2 AND substr((CAST((`p_time`) AS STRING)), 1, 1) = '"' AND substr((CAST((`p_time`) AS STRING)), length((CAST((`p_time`) AS STRING))), 1) = '"'
         THEN substr((CAST((`p_time`) AS STRING)), 2, length((CAST((`p_time`) AS STRING))) - 2) ELSE (CAST((`p_time`) AS STRING)) END) END) AS `p_time`,
           (CASE WHEN (`clientip`) IS NULL OR (CASE WHEN length((CAST((`clientip`) AS STRING))) >= 2 AND substr((CAST((`clientip`) AS STRING)), 1, 1) = '"' AND substr((CAST((`clientip`) AS STRING)), length((CAST((`clientip`) AS STRING))), 1) = '"'
         THEN substr((CAST((`clientip`) AS STRING)), 2, length((CAST((`clientip`) AS STRING))) - 2) ELSE (CAST((`clientip`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`clientip`) AS STRING))) >= 2 AND substr((CAST((`clientip`) AS STRING)), 1, 1) = '"' AND substr((CAST((`clientip`) AS STRING)), length((CAST((`clientip`) AS STRING))), 1) = '"'
         THEN substr((CAST((`clientip`) AS STRING)), 2, length((CAST((`clientip`) AS STRING))) - 2) ELSE (CAST((`clientip`) AS STRING)) END) END) AS `clientip`,
           (CASE WHEN (`host`) IS NULL OR (CASE WHEN length((CAST((`host`) AS STRING))) >= 2 AND substr((CAST((`host`) AS STRING)), 1, 1) = '"' AND substr((CAST((`host`) AS STRING)), length((CAST((`host`) AS STRING))), 1) = '"'
         THEN substr((CAST((`host`) AS STRING)), 2, length((CAST((`host`) AS STRING))) - 2) ELSE (CAST((`host`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`host`) AS STRING))) >= 2 AND substr((CAST((`host`) AS STRING)), 1, 1) = '"' AND substr((CAST((`host`) AS STRING)), length((CAST((`host`) AS STRING))), 1) = '"'
         THEN substr((CAST((`host`) AS STRING)), 2, length((CAST((`host`) AS STRING))) - 2) ELSE (CAST((`host`) AS STRING)) END) END) AS `host`,
           (CASE WHEN (`reqmethod`) IS NULL OR (CASE WHEN length((CAST((`reqmethod`) AS STRING))) >= 2 AND substr((CAST((`reqmethod`) AS STRING)), 1, 1) = '"' AND substr((CAST((`reqmethod`) AS STRING)), length((CAST((`reqmethod`) AS STRING))), 1) = '"'
         THEN substr((CAST((`reqmethod`) AS STRING)), 2, length((CAST((`reqmethod`) AS STRING))) - 2) ELSE (CAST((`reqmethod`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`reqmethod`) AS STRING))) >= 2 AND substr((CAST((`reqmethod`) AS STRING)), 1, 1) = '"' AND substr((CAST((`reqmethod`) AS STRING)), length((CAST((`reqmethod`) AS STRING))), 1) = '"'
         THEN substr((CAST((`reqmethod`) AS STRING)), 2, length((CAST((`reqmethod`) AS STRING))) - 2) ELSE (CAST((`reqmethod`) AS STRING)) END) END) AS `reqmethod`,
           (CASE WHEN (`useragent`) IS NULL OR (CASE WHEN length((CAST((`useragent`) AS STRING))) >= 2 AND substr((CAST((`useragent`) AS STRING)), 1, 1) = '"' AND substr((CAST((`useragent`) AS STRING)), length((CAST((`useragent`) AS STRING))), 1) = '"'
         THEN substr((CAST((`useragent`) AS STRING)), 2, length((CAST((`useragent`) AS STRING))) - 2) ELSE (CAST((`useragent`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`useragent`) AS STRING))) >= 2 AND substr((CAST((`useragent`) AS STRING)), 1, 1) = '"' AND substr((CAST((`useragent`) AS STRING)), length((CAST((`useragent`) AS STRING))), 1) = '"'
         THEN substr((CAST((`useragent`) AS STRING)), 2, length((CAST((`useragent`) AS STRING))) - 2) ELSE (CAST((`useragent`) AS STRING)) END) END) AS `useragent`,
           (CASE WHEN (`resconttype`) IS NULL OR (CASE WHEN length((CAST((`resconttype`) AS STRING))) >= 2 AND substr((CAST((`resconttype`) AS STRING)), 1, 1) = '"' AND substr((CAST((`resconttype`) AS STRING)), length((CAST((`resconttype`) AS STRING))), 1) = '"'
         THEN substr((CAST((`resconttype`) AS STRING)), 2, length((CAST((`resconttype`) AS STRING))) - 2) ELSE (CAST((`resconttype`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`resconttype`) AS STRING))) >= 2 AND substr((CAST((`resconttype`) AS STRING)), 1, 1) = '"' AND substr((CAST((`resconttype`) AS STRING)), length((CAST((`resconttype`) AS STRING))), 1) = '"'
         THEN substr((CAST((`resconttype`) AS STRING)), 2, length((CAST((`resconttype`) AS STRING))) - 2) ELSE (CAST((`resconttype`) AS STRING)) END) END) AS `resconttype`,
           (CASE WHEN (`duration`) IS NULL OR trim(CAST((`duration`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`duration`) AS STRING)) AS INT) END) AS `duration`,
           (CASE WHEN (`username`) IS NULL OR (CASE WHEN length((CAST((`username`) AS STRING))) >= 2 AND substr((CAST((`username`) AS STRING)), 1, 1) = '"' AND substr((CAST((`username`) AS STRING)), length((CAST((`username`) AS STRING))), 1) = '"'
         THEN substr((CAST((`username`) AS STRING)), 2, length((CAST((`username`) AS STRING))) - 2) ELSE (CAST((`username`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`username`) AS STRING))) >= 2 AND substr((CAST((`username`) AS STRING)), 1, 1) = '"' AND substr((CAST((`username`) AS STRING)), length((CAST((`username`) AS STRING))), 1) = '"'
         THEN substr((CAST((`username`) AS STRING)), 2, length((CAST((`username`) AS STRING))) - 2) ELSE (CAST((`username`) AS STRING)) END) END) AS `username`,
           (CASE WHEN (`authgroup`) IS NULL OR (CASE WHEN length((CAST((`authgroup`) AS STRING))) >= 2 AND substr((CAST((`authgroup`) AS STRING)), 1, 1) = '"' AND substr((CAST((`authgroup`) AS STRING)), length((CAST((`authgroup`) AS STRING))), 1) = '"'
         THEN substr((CAST((`authgroup`) AS STRING)), 2, length((CAST((`authgroup`) AS STRING))) - 2) ELSE (CAST((`authgroup`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`authgroup`) AS STRING))) >= 2 AND substr((CAST((`authgroup`) AS STRING)), 1, 1) = '"' AND substr((CAST((`authgroup`) AS STRING)), length((CAST((`authgroup`) AS STRING))), 1) = '"'
         THEN substr((CAST((`authgroup`) AS STRING)), 2, length((CAST((`authgroup`) AS STRING))) - 2) ELSE (CAST((`authgroup`) AS STRING)) END) END) AS `authgroup`,
           (CASE WHEN (`exceptionid`) IS NULL OR (CASE WHEN length((CAST((`exceptionid`) AS STRING))) >= 2 AND substr((CAST((`exceptionid`) AS STRING)), 1, 1) = '"' AND substr((CAST((`exceptionid`) AS STRING)), length((CAST((`exceptionid`) AS STRING))), 1) = '"'
         THEN substr((CAST((`exceptionid`) AS STRING)), 2, length((CAST((`exceptionid`) AS STRING))) - 2) ELSE (CAST((`exceptionid`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`exceptionid`) AS STRING))) >= 2 AND substr((CAST((`exceptionid`) AS STRING)), 1, 1) = '"' AND substr((CAST((`exceptionid`) AS STRING)), length((CAST((`exceptionid`) AS STRING))), 1) = '"'
         THEN substr((CAST((`exceptionid`) AS STRING)), 2, length((CAST((`exceptionid`) AS STRING))) - 2) ELSE (CAST((`exceptionid`) AS STRING)) END) END) AS `exceptionid`,
           (CASE WHEN (`filterresult`) IS NULL OR (CASE WHEN length((CAST((`filterresult`) AS STRING))) >= 2 AND substr((CAST((`filterresult`) AS STRING)), 1, 1) = '"' AND substr((CAST((`filterresult`) AS STRING)), length((CAST((`filterresult`) AS STRING))), 1) = '"'
         THEN substr((CAST((`filterresult`) AS STRING)), 2, length((CAST((`filterresult`) AS STRING))) - 2) ELSE (CAST((`filterresult`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`filterresult`) AS STRING))) >= 2 AND substr((CAST((`filterresult`) AS STRING)), 1, 1) = '"' AND substr((CAST((`filterresult`) AS STRING)), length((CAST((`filterresult`) AS STRING))), 1) = '"'
         THEN substr((CAST((`filterresult`) AS STRING)), 2, length((CAST((`filterresult`) AS STRING))) - 2) ELSE (CAST((`filterresult`) AS STRING)) END) END) AS `filterresult`,
           (CASE WHEN (`webcat`) IS NULL OR (CASE WHEN length((CAST((`webcat`) AS STRING))) >= 2 AND substr((CAST((`webcat`) AS STRING)), 1, 1) = '"' AND substr((CAST((`webcat`) AS STRING)), length((CAST((`webcat`) AS STRING))), 1) = '"'
         THEN substr((CAST((`webcat`) AS STRING)), 2, length((CAST((`webcat`) AS STRING))) - 2) ELSE (CAST((`webcat`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`webcat`) AS STRING))) >= 2 AND substr((CAST((`webcat`) AS STRING)), 1, 1) = '"' AND substr((CAST((`webcat`) AS STRING)), length((CAST((`webcat`) AS STRING))), 1) = '"'
         THEN substr((CAST((`webcat`) AS STRING)), 2, length((CAST((`webcat`) AS STRING))) - 2) ELSE (CAST((`webcat`) AS STRING)) END) END) AS `webcat`,
           (CASE WHEN (`referer`) IS NULL OR (CASE WHEN length((CAST((`referer`) AS STRING))) >= 2 AND substr((CAST((`referer`) AS STRING)), 1, 1) = '"' AND substr((CAST((`referer`) AS STRING)), length((CAST((`referer`) AS STRING))), 1) = '"'
         THEN substr((CAST((`referer`) AS STRING)), 2, length((CAST((`referer`) AS STRING))) - 2) ELSE (CAST((`referer`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`referer`) AS STRING))) >= 2 AND substr((CAST((`referer`) AS STRING)), 1, 1) = '"' AND substr((CAST((`referer`) AS STRING)), length((CAST((`referer`) AS STRING))), 1) = '"'
         THEN substr((CAST((`referer`) AS STRING)), 2, length((CAST((`referer`) AS STRING))) - 2) ELSE (CAST((`referer`) AS STRING)) END) END) AS `referer`,
           (CASE WHEN (`respcode`) IS NULL OR (CASE WHEN length((CAST((`respcode`) AS STRING))) >= 2 AND substr((CAST((`respcode`) AS STRING)), 1, 1) = '"' AND substr((CAST((`respcode`) AS STRING)), length((CAST((`respcode`) AS STRING))), 1) = '"'
         THEN substr((CAST((`respcode`) AS STRING)), 2, length((CAST((`respcode`) AS STRING))) - 2) ELSE (CAST((`respcode`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`respcode`) AS STRING))) >= 2 AND substr((CAST((`respcode`) AS STRING)), 1, 1) = '"' AND substr((CAST((`respcode`) AS STRING)), length((CAST((`respcode`) AS STRING))), 1) = '"'
         THEN substr((CAST((`respcode`) AS STRING)), 2, length((CAST((`respcode`) AS STRING))) - 2) ELSE (CAST((`respcode`) AS STRING)) END) END) AS `respcode`,
           (CASE WHEN (`action`) IS NULL OR (CASE WHEN length((CAST((`action`) AS STRING))) >= 2 AND substr((CAST((`action`) AS STRING)), 1, 1) = '"' AND substr((CAST((`action`) AS STRING)), length((CAST((`action`) AS STRING))), 1) = '"'
         THEN substr((CAST((`action`) AS STRING)), 2, length((CAST((`action`) AS STRING))) - 2) ELSE (CAST((`action`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`action`) AS STRING))) >= 2 AND substr((CAST((`action`) AS STRING)), 1, 1) = '"' AND substr((CAST((`action`) AS STRING)), length((CAST((`action`) AS STRING))), 1) = '"'
         THEN substr((CAST((`action`) AS STRING)), 2, length((CAST((`action`) AS STRING))) - 2) ELSE (CAST((`action`) AS STRING)) END) END) AS `action`,
           (CASE WHEN (`urischeme`) IS NULL OR (CASE WHEN length((CAST((`urischeme`) AS STRING))) >= 2 AND substr((CAST((`urischeme`) AS STRING)), 1, 1) = '"' AND substr((CAST((`urischeme`) AS STRING)), length((CAST((`urischeme`) AS STRING))), 1) = '"'
         THEN substr((CAST((`urischeme`) AS STRING)), 2, length((CAST((`urischeme`) AS STRING))) - 2) ELSE (CAST((`urischeme`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`urischeme`) AS STRING))) >= 2 AND substr((CAST((`urischeme`) AS STRING)), 1, 1) = '"' AND substr((CAST((`urischeme`) AS STRING)), length((CAST((`urischeme`) AS STRING))), 1) = '"'
         THEN substr((CAST((`urischeme`) AS STRING)), 2, length((CAST((`urischeme`) AS STRING))) - 2) ELSE (CAST((`urischeme`) AS STRING)) END) END) AS `urischeme`,
           (CASE WHEN (`uriport`) IS NULL OR (CASE WHEN length((CAST((`uriport`) AS STRING))) >= 2 AND substr((CAST((`uriport`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriport`) AS STRING)), length((CAST((`uriport`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriport`) AS STRING)), 2, length((CAST((`uriport`) AS STRING))) - 2) ELSE (CAST((`uriport`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`uriport`) AS STRING))) >= 2 AND substr((CAST((`uriport`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriport`) AS STRING)), length((CAST((`uriport`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriport`) AS STRING)), 2, length((CAST((`uriport`) AS STRING))) - 2) ELSE (CAST((`uriport`) AS STRING)) END) END) AS `uriport`,
           (CASE WHEN (`uripath`) IS NULL OR (CASE WHEN length((CAST((`uripath`) AS STRING))) >= 2 AND substr((CAST((`uripath`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uripath`) AS STRING)), length((CAST((`uripath`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uripath`) AS STRING)), 2, length((CAST((`uripath`) AS STRING))) - 2) ELSE (CAST((`uripath`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`uripath`) AS STRING))) >= 2 AND substr((CAST((`uripath`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uripath`) AS STRING)), length((CAST((`uripath`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uripath`) AS STRING)), 2, length((CAST((`uripath`) AS STRING))) - 2) ELSE (CAST((`uripath`) AS STRING)) END) END) AS `uripath`,
           (CASE WHEN (`uriquery`) IS NULL OR (CASE WHEN length((CAST((`uriquery`) AS STRING))) >= 2 AND substr((CAST((`uriquery`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriquery`) AS STRING)), length((CAST((`uriquery`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriquery`) AS STRING)), 2, length((CAST((`uriquery`) AS STRING))) - 2) ELSE (CAST((`uriquery`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`uriquery`) AS STRING))) >= 2 AND substr((CAST((`uriquery`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriquery`) AS STRING)), length((CAST((`uriquery`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriquery`) AS STRING)), 2, length((CAST((`uriquery`) AS STRING))) - 2) ELSE (CAST((`uriquery`) AS STRING)) END) END) AS `uriquery`,
           (CASE WHEN (`uriextension`) IS NULL OR (CASE WHEN length((CAST((`uriextension`) AS STRING))) >= 2 AND substr((CAST((`uriextension`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriextension`) AS STRING)), length((CAST((`uriextension`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriextension`) AS STRING)), 2, length((CAST((`uriextension`) AS STRING))) - 2) ELSE (CAST((`uriextension`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`uriextension`) AS STRING))) >= 2 AND substr((CAST((`uriextension`) AS STRING)), 1, 1) = '"' AND substr((CAST((`uriextension`) AS STRING)), length((CAST((`uriextension`) AS STRING))), 1) = '"'
         THEN substr((CAST((`uriextension`) AS STRING)), 2, length((CAST((`uriextension`) AS STRING))) - 2) ELSE (CAST((`uriextension`) AS STRING)) END) END) AS `uriextension`,
           (CASE WHEN (`serverip`) IS NULL OR (CASE WHEN length((CAST((`serverip`) AS STRING))) >= 2 AND substr((CAST((`serverip`) AS STRING)), 1, 1) = '"' AND substr((CAST((`serverip`) AS STRING)), length((CAST((`serverip`) AS STRING))), 1) = '"'
         THEN substr((CAST((`serverip`) AS STRING)), 2, length((CAST((`serverip`) AS STRING))) - 2) ELSE (CAST((`serverip`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`serverip`) AS STRING))) >= 2 AND substr((CAST((`serverip`) AS STRING)), 1, 1) = '"' AND substr((CAST((`serverip`) AS STRING)), length((CAST((`serverip`) AS STRING))), 1) = '"'
         THEN substr((CAST((`serverip`) AS STRING)), 2, length((CAST((`serverip`) AS STRING))) - 2) ELSE (CAST((`serverip`) AS STRING)) END) END) AS `serverip`,
           (CASE WHEN (`scbytes`) IS NULL OR trim(CAST((`scbytes`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`scbytes`) AS STRING)) AS INT) END) AS `scbytes`,
           (CASE WHEN (`csbytes`) IS NULL OR trim(CAST((`csbytes`) AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST((`csbytes`) AS STRING)) AS INT) END) AS `csbytes`,
           (CASE WHEN (`virusid`) IS NULL OR (CASE WHEN length((CAST((`virusid`) AS STRING))) >= 2 AND substr((CAST((`virusid`) AS STRING)), 1, 1) = '"' AND substr((CAST((`virusid`) AS STRING)), length((CAST((`virusid`) AS STRING))), 1) = '"'
         THEN substr((CAST((`virusid`) AS STRING)), 2, length((CAST((`virusid`) AS STRING))) - 2) ELSE (CAST((`virusid`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`virusid`) AS STRING))) >= 2 AND substr((CAST((`virusid`) AS STRING)), 1, 1) = '"' AND substr((CAST((`virusid`) AS STRING)), length((CAST((`virusid`) AS STRING))), 1) = '"'
         THEN substr((CAST((`virusid`) AS STRING)), 2, length((CAST((`virusid`) AS STRING))) - 2) ELSE (CAST((`virusid`) AS STRING)) END) END) AS `virusid`,
           (CASE WHEN (`bcappname`) IS NULL OR (CASE WHEN length((CAST((`bcappname`) AS STRING))) >= 2 AND substr((CAST((`bcappname`) AS STRING)), 1, 1) = '"' AND substr((CAST((`bcappname`) AS STRING)), length((CAST((`bcappname`) AS STRING))), 1) = '"'
         THEN substr((CAST((`bcappname`) AS STRING)), 2, length((CAST((`bcappname`) AS STRING))) - 2) ELSE (CAST((`bcappname`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`bcappname`) AS STRING))) >= 2 AND substr((CAST((`bcappname`) AS STRING)), 1, 1) = '"' AND substr((CAST((`bcappname`) AS STRING)), length((CAST((`bcappname`) AS STRING))), 1) = '"'
         THEN substr((CAST((`bcappname`) AS STRING)), 2, length((CAST((`bcappname`) AS STRING))) - 2) ELSE (CAST((`bcappname`) AS STRING)) END) END) AS `bcappname`,
           (CASE WHEN (`bcappoper`) IS NULL OR (CASE WHEN length((CAST((`bcappoper`) AS STRING))) >= 2 AND substr((CAST((`bcappoper`) AS STRING)), 1, 1) = '"' AND substr((CAST((`bcappoper`) AS STRING)), length((CAST((`bcappoper`) AS STRING))), 1) = '"'
         THEN substr((CAST((`bcappoper`) AS STRING)), 2, length((CAST((`bcappoper`) AS STRING))) - 2) ELSE (CAST((`bcappoper`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`bcappoper`) AS STRING))) >= 2 AND substr((CAST((`bcappoper`) AS STRING)), 1, 1) = '"' AND substr((CAST((`bcappoper`) AS STRING)), length((CAST((`bcappoper`) AS STRING))), 1) = '"'
         THEN substr((CAST((`bcappoper`) AS STRING)), 2, length((CAST((`bcappoper`) AS STRING))) - 2) ELSE (CAST((`bcappoper`) AS STRING)) END) END) AS `bcappoper`,
           (CASE WHEN (`fulluri`) IS NULL OR (CASE WHEN length((CAST((`fulluri`) AS STRING))) >= 2 AND substr((CAST((`fulluri`) AS STRING)), 1, 1) = '"' AND substr((CAST((`fulluri`) AS STRING)), length((CAST((`fulluri`) AS STRING))), 1) = '"'
         THEN substr((CAST((`fulluri`) AS STRING)), 2, length((CAST((`fulluri`) AS STRING))) - 2) ELSE (CAST((`fulluri`) AS STRING)) END) = '-' THEN '' ELSE (CASE WHEN length((CAST((`fulluri`) AS STRING))) >= 2 AND substr((CAST((`fulluri`) AS STRING)), 1, 1) = '"' AND substr((CAST((`fulluri`) AS STRING)), length((CAST((`fulluri`) AS STRING))), 1) = '"'
         THEN substr((CAST((`fulluri`) AS STRING)), 2, length((CAST((`fulluri`) AS STRING))) - 2) ELSE (CAST((`fulluri`) AS STRING)) END) END) AS `fulluri`
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
