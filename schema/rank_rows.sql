-- The words of the rows of `rank_source` (every row the ranker reads when it builds the corpus; the day's rows that
-- can hold a low-scoring pair when it selects them), one text for the store and Spark SQL. Reads `rank_agents`
-- (useragent, n: counted once over every row the ranker reads, for learning and for scoring alike), `rank_top` and
-- `rank_safe` (labels). Top-domain flag: 2 for a domain of rank_safe, 1 for one of rank_top, else 0. The URI's
-- parts (entropy bin, log2 of its length) are computed once per distinct fulluri, the domain once per distinct host,
-- log2 of an agent's count once per agent; `hh` is the time's hour text (the hour is read from it). Besides the
-- word, each row carries the word's parts (top, ebin, l2u, l2a): schema/rank_counts.sql counts rows by their parts
-- and builds each word once per group, not once per row.
WITH rank_hosts AS (
    SELECT h.host, CASE WHEN s.label IS NOT NULL THEN 2 WHEN t.label IS NOT NULL THEN 1 ELSE 0 END AS top
    FROM (SELECT dh.host, rank_domain(dh.host) AS domain FROM (SELECT DISTINCT host FROM rank_source) AS dh) AS h
    LEFT JOIN (SELECT DISTINCT label FROM rank_safe) AS s ON s.label = h.domain
    LEFT JOIN (SELECT DISTINCT label FROM rank_top) AS t ON t.label = h.domain),
rank_uri_parts AS (
    SELECT du.fulluri, rank_entropy(du.fulluri) AS entropy, rank_utf16_length(du.fulluri) AS ulen
    FROM (SELECT DISTINCT fulluri FROM rank_source) AS du),
rank_uris AS (
    SELECT up.fulluri, rank_entropy_bin(up.entropy) AS ebin, rank_log2_int(up.ulen) AS l2u FROM rank_uri_parts AS up),
rank_agent_bits AS (SELECT ag.useragent, rank_log2_int(ag.n) AS l2a FROM rank_agents AS ag),
rank_parts AS (
    SELECT r.p_date, r.p_time, r.clientip, r.host, r.reqmethod, r.useragent, r.resconttype, r.duration, r.username,
           r.webcat, r.referer, r.respcode, r.uriport, r.uripath, r.uriquery, r.serverip, r.scbytes, r.csbytes,
           r.fulluri, r.is_day, r.copies, split_part(r.p_time, ':', 1) AS hh, hs.top, u.ebin, u.l2u, a.l2a
    FROM rank_source AS r
    JOIN rank_agent_bits AS a ON a.useragent = r.useragent
    JOIN rank_hosts AS hs ON hs.host = r.host
    JOIN rank_uris AS u ON u.fulluri = r.fulluri)
SELECT p.*, rank_word(p.top, rank_hour(p.hh), p.reqmethod, p.ebin, rank_ctype(p.resconttype), p.l2a, p.l2u,
                      p.respcode) AS word
FROM rank_parts AS p
