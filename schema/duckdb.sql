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

-- The analyst's tables (written by `score`, `storyboard`; cleared by `reset`; `run` never touches them).
-- One row per scored URI of the day (Spot inserted one per matching proxy_scores row).
CREATE TABLE IF NOT EXISTS proxy_threat_investigation (
    tdate VARCHAR, fulluri VARCHAR, uri_sev INTEGER,
    y SMALLINT, m TINYINT, d TINYINT
);

-- One row per threat (p_threat = the URI) of the day.
CREATE TABLE IF NOT EXISTS proxy_storyboard (
    p_threat VARCHAR, title VARCHAR, "text" VARCHAR,
    y SMALLINT, m TINYINT, d TINYINT
);

-- Per threat: one row per (client IP, response code) of its top client IPs, from the raw day.
CREATE TABLE IF NOT EXISTS proxy_timeline (
    p_threat VARCHAR, tstart VARCHAR, tend VARCHAR, duration BIGINT, clientip VARCHAR, respcode VARCHAR,
    respcodename VARCHAR,
    y SMALLINT, m TINYINT, d TINYINT
);

-- Shared by the binary and the notebooks (which open the store read-only), so both apply one definition.
-- A referer as a fulluri: without scheme and port (`https://a.com:8443/x?q` -> `a.com/x?q`).
CREATE OR REPLACE MACRO proxy_referer_uri(referer) AS
    regexp_replace(referer, '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]*)(:[0-9]*)?', '\1');

-- Whether a raw row's referer names `uri` (also `a.com/` for the bare host `a.com`).
CREATE OR REPLACE MACRO proxy_refers_to(referer, uri) AS
    referer = uri OR proxy_referer_uri(referer) = uri OR proxy_referer_uri(referer) = uri || '/';

-- Spot's expanded search: the raw day's rows (day = 'YYYYMMDD') to `uri` or with `uri` as their referer.
CREATE OR REPLACE MACRO proxy_expanded_search(day, uri) AS TABLE
    SELECT p_date, p_time, clientip, username, duration, fulluri, webcat, respcode, reqmethod, useragent,
           resconttype, referer, uriport, serverip, scbytes, csbytes
    FROM proxy
    WHERE y = substr(day, 1, 4) AND m = substr(day, 5, 2) AND d = substr(day, 7, 2)
      AND (fulluri = uri OR proxy_refers_to(referer, uri))
    ORDER BY p_time, clientip, fulluri, referer, reqmethod, respcode, useragent, resconttype, username, webcat,
             duration, uriport, serverip, scbytes, csbytes, p_date;

-- The day's suspicious rows (day = 'YYYYMMDD') no analyst has scored on that day, most suspicious first.
CREATE OR REPLACE MACRO proxy_suspicious(day) AS TABLE
    SELECT s.* EXCLUDE (y, m, d)
    FROM proxy_scores s
    WHERE s.y = CAST(substr(day, 1, 4) AS SMALLINT) AND s.m = CAST(substr(day, 5, 2) AS TINYINT)
      AND s.d = CAST(substr(day, 7, 2) AS TINYINT)
      AND NOT EXISTS (SELECT 1 FROM proxy_threat_investigation t
                      WHERE t.y = s.y AND t.m = s.m AND t.d = s.d AND t.fulluri = s.fulluri)
    ORDER BY s.ml_score, s.tdate, s."time", s.clientip, s.fulluri, s.host, s.reqmethod, s.useragent,
             s.resconttype, s.duration, s.username, s.webcat, s.referer, s.respcode, s.uriport, s.uripath,
             s.uriquery, s.serverip, s.scbytes, s.csbytes, s.word, s.uri_rep, s.respcode_name, s.network_context,
             s.hash;
