-- proxy-oa store schema (DuckDB). Every statement is idempotent: it runs on every open.
-- Column names, order and types follow Apache Spot's Impala DDL (spot-setup/impala/create_proxy_parquet.hql);
-- what we add is marked. See schema/README.md for the data dictionary.

-- The raw day (Spot's `proxy` table, 28 columns, zero-padded string partitions y/m/d/h).
CREATE TABLE IF NOT EXISTS proxy (
    p_date VARCHAR, p_time VARCHAR, clientip VARCHAR, host VARCHAR, reqmethod VARCHAR, useragent VARCHAR,
    resconttype VARCHAR, duration INTEGER, username VARCHAR, authgroup VARCHAR, exceptionid VARCHAR,
    filterresult VARCHAR, webcat VARCHAR, referer VARCHAR, respcode VARCHAR, action VARCHAR, urischeme VARCHAR,
    uriport VARCHAR, uripath VARCHAR, uriquery VARCHAR, uriextension VARCHAR, serverip VARCHAR, scbytes INTEGER,
    csbytes INTEGER, virusid VARCHAR, bcappname VARCHAR, bcappoper VARCHAR, fulluri VARCHAR,
    y VARCHAR, m VARCHAR, d VARCHAR, h VARCHAR
);

-- Spot's 24 columns, then uri_sev and hash (ours), then the partition columns.
CREATE TABLE IF NOT EXISTS proxy_scores (
    tdate VARCHAR, "time" VARCHAR, clientip VARCHAR, host VARCHAR, reqmethod VARCHAR, useragent VARCHAR,
    resconttype VARCHAR, duration INTEGER, username VARCHAR, webcat VARCHAR, referer VARCHAR, respcode INTEGER,
    uriport INTEGER, uripath VARCHAR, uriquery VARCHAR, serverip VARCHAR, scbytes INTEGER, csbytes INTEGER,
    fulluri VARCHAR, word VARCHAR, ml_score FLOAT, uri_rep VARCHAR, respcode_name VARCHAR, network_context VARCHAR,
    uri_sev INTEGER, hash VARCHAR,
    y SMALLINT, m TINYINT, d TINYINT
);

-- Spot's 17 columns, then hash (ours), then the partition columns.
CREATE TABLE IF NOT EXISTS proxy_edge (
    tdate VARCHAR, "time" VARCHAR, clientip VARCHAR, host VARCHAR, webcat VARCHAR, respcode VARCHAR,
    reqmethod VARCHAR, useragent VARCHAR, resconttype VARCHAR, referer VARCHAR, uriport VARCHAR, serverip VARCHAR,
    scbytes INTEGER, csbytes INTEGER, fulluri VARCHAR, hh INTEGER, respcode_name VARCHAR,
    hash VARCHAR,
    y SMALLINT, m TINYINT, d TINYINT
);

CREATE TABLE IF NOT EXISTS proxy_ingest_summary (
    tdate VARCHAR, total BIGINT,
    y SMALLINT, m TINYINT, d TINYINT
);

-- Ours: the input files a day was built from (for bundle manifests and reproduction).
CREATE TABLE IF NOT EXISTS proxy_oa_inputs (
    role VARCHAR, path VARCHAR, bytes BIGINT, sha256 VARCHAR,
    y SMALLINT, m TINYINT, d TINYINT
);
