-- strobe: the (client, host) pairs of the raw day with at least $strobe connections (RITA: one a second over a
-- day, 86400); the beacon detector leaves them alone, as RITA does. Reads the temp table finding_pairs.
SELECT $date AS tdate, 'strobe' AS detector, '' AS rule, clientip, host, '' AS fulluri, CAST(1.0 AS FLOAT) AS score,
       n AS connections, first_time, last_time,
       n AS ev_connections,
       times AS ev_distinct_seconds,
       $strobe AS ev_threshold
FROM finding_pairs
WHERE n >= $strobe;
