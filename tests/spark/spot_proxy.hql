-- Apache Spot's raw proxy table: spot-setup/hive/create_proxy_parquet.hql of incubator-spot (Apache License 2.0),
-- with the database and the HDFS home as Spot's Impala scripts name them (${var:dbname}, ${var:huser}).
CREATE EXTERNAL TABLE IF NOT EXISTS ${var:dbname}.proxy (
  p_date STRING,
  p_time STRING,
  clientip STRING,
  host STRING,
  reqmethod STRING,
  useragent STRING,
  resconttype STRING,
  duration INT,
  username STRING,
  authgroup STRING,
  exceptionid STRING,
  filterresult STRING,
  webcat STRING,
  referer STRING,
  respcode STRING,
  action STRING,
  urischeme STRING,
  uriport STRING,
  uripath STRING,
  uriquery STRING,
  uriextension STRING,
  serverip STRING,
  scbytes INT,
  csbytes INT,
  virusid STRING,
  bcappname STRING,
  bcappoper STRING,
  fulluri STRING
)
PARTITIONED BY (y STRING, m STRING, d STRING, h STRING)
STORED AS PARQUET
LOCATION '${var:huser}/proxy/hive'
