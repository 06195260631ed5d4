-- The raw rows of a day computed on the cluster that the analyst's side needs locally: the rows to a URI of the
-- day's proxy_scores, and the rows with such a URI as their referer (Spot's expanded search, as
-- proxy_expanded_search and proxy_refers_to in schema/macros.sql match them). Each match is an equality join with
-- the day's few distinct URIs (at most one row each, so no raw row is repeated), which an engine answers by
-- broadcasting the small side instead of comparing every raw row with every URI.
-- Rendered by src/dialect.rs; it reads raw_day and scores_day.
SELECT r.p_date, r.p_time, r.clientip, r.host, r.reqmethod, r.useragent, r.resconttype, r.duration, r.username,
       r.authgroup, r.exceptionid, r.filterresult, r.webcat, r.referer, r.respcode, r.action, r.urischeme,
       r.uriport, r.uripath, r.uriquery, r.uriextension, r.serverip, r.scbytes, r.csbytes, r.virusid, r.bcappname,
       r.bcappoper, r.fulluri
FROM raw_day AS r
LEFT JOIN (SELECT DISTINCT fulluri AS u FROM scores_day) AS a ON r.fulluri = a.u
LEFT JOIN (SELECT DISTINCT fulluri AS u FROM scores_day) AS b ON r.referer = b.u
LEFT JOIN (SELECT DISTINCT fulluri AS u FROM scores_day) AS c ON proxy_referer_uri(r.referer) = c.u
LEFT JOIN (SELECT DISTINCT concat(fulluri, '/') AS u FROM scores_day) AS e ON proxy_referer_uri(r.referer) = e.u
WHERE a.u IS NOT NULL OR b.u IS NOT NULL OR c.u IS NOT NULL OR e.u IS NOT NULL;
