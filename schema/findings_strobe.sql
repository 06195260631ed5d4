-- strobe: the (client, host) pairs of the raw day with at least $strobe connections (RITA: one a second over a
-- day, 86400); the beacon detector leaves them alone, as RITA does. Reads raw_day.
WITH strobes AS (
  SELECT clientip, host FROM raw_day GROUP BY clientip, host HAVING count(*) >= $strobe
)
SELECT $date AS tdate, 'strobe' AS detector, '' AS rule, r.clientip, r.host, '' AS fulluri,
       CAST(1.0 AS FLOAT) AS score, count(*) AS connections, min(r.p_time) AS first_time,
       max(r.p_time) AS last_time,
       count(*) AS ev_connections,
       count(DISTINCT r.p_time) AS ev_distinct_seconds,
       $strobe AS ev_threshold
FROM raw_day AS r
JOIN strobes AS s ON s.clientip = r.clientip AND s.host = r.host
GROUP BY r.clientip, r.host;
