-- proxy-oa store macros (DuckDB), created on every open after the tables (see src/schema.rs). Shared by the
-- binary and the notebooks (which open the store read-only), so both apply one definition.

-- The name of an HTTP response code (text or integer) given `name`, its entry in the IANA table (NULL when the
-- table has none): empty when there is no code, `Unknown (<code>)` for a code without a name. The one place of
-- this rule (proxy_scores.respcode_name, proxy_edge.respcode_name, proxy_timeline.respcodename). This macro and
-- proxy_referer_uri keep to the SQL DuckDB, Spark SQL and Impala share: src/dialect.rs expands them for the cluster.
CREATE OR REPLACE MACRO proxy_respcode_name(code, name) AS
    CASE WHEN code IS NULL OR trim(CAST(code AS STRING)) = '' THEN ''
         ELSE coalesce(name, concat('Unknown (', trim(CAST(code AS STRING)), ')')) END;

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

-- The day's suspicious rows (day = 'YYYYMMDD') no analyst has scored on that day, in the list's order (oa_rank;
-- rows of an earlier version without one by ml_score); rows on a known-good list (uri_rep starting `allow:`) after
-- all the others.
CREATE OR REPLACE MACRO proxy_suspicious(day) AS TABLE
    SELECT s.* EXCLUDE (y, m, d)
    FROM proxy_scores s
    WHERE s.y = CAST(substr(day, 1, 4) AS SMALLINT) AND s.m = CAST(substr(day, 5, 2) AS TINYINT)
      AND s.d = CAST(substr(day, 7, 2) AS TINYINT)
      AND NOT EXISTS (SELECT 1 FROM proxy_threat_investigation t
                      WHERE t.y = s.y AND t.m = s.m AND t.d = s.d AND t.fulluri = s.fulluri)
    ORDER BY starts_with(s.uri_rep, 'allow:'), s.oa_rank NULLS LAST, s.ml_score, s.tdate, s."time", s.clientip, s.fulluri, s.host, s.reqmethod, s.useragent,
             s.resconttype, s.duration, s.username, s.webcat, s.referer, s.respcode, s.uriport, s.uripath,
             s.uriquery, s.serverip, s.scbytes, s.csbytes, s.word, s.uri_rep, s.respcode_name, s.network_context,
             s.hash;

-- Seconds since midnight of a raw row's p_time (`HH:MM:SS`, a fraction of a second ignored); NULL when p_time is
-- not such a time. The behaviour detectors (schema/findings_*.sql) measure gaps between connections with it.
CREATE OR REPLACE MACRO proxy_secs(t) AS
    TRY_CAST(split_part(t, ':', 1) AS INTEGER) * 3600 + TRY_CAST(split_part(t, ':', 2) AS INTEGER) * 60
    + TRY_CAST(split_part(split_part(t, ':', 3), '.', 1) AS INTEGER);

-- Spellings the behaviour detectors (schema/findings_*.sql, the compiled Sigma rules) need and the engines spell
-- differently; a run on the cluster expands Spark SQL's (schema/findings_spark.sql) in their place.
-- Whether x matches the regular expression re (anchor it with ^...$ for the whole value).
CREATE OR REPLACE MACRO proxy_matches(x, re) AS regexp_matches(x, re);
-- The distinct non-NULL values of x in a group, sorted, joined by sep (NULL when there is none).
CREATE OR REPLACE MACRO proxy_sorted_set(x, sep) AS string_agg(DISTINCT x, sep ORDER BY x);
-- The values of x in a group as a list.
CREATE OR REPLACE MACRO proxy_list(x) AS list(x);
-- A hexadecimal group of one to four digits (lowercase) as a number; NULL for anything else (Sigma's IPv6 networks).
CREATE OR REPLACE MACRO proxy_hex16(x) AS
    CASE WHEN regexp_matches(x, '^[0-9a-f]{1,4}$') THEN TRY_CAST(concat('0x', x) AS INTEGER) END;
