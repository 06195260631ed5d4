-- tunnel: the (client, host) pairs of the raw day with a connection of at least $long_ms milliseconds, or a
-- CONNECT tunnel that moved at least $heavy_bytes bytes. Score by the longest connection, RITA's long-connection
-- grades (1 h 0.25, 4 h 0.5, 8 h 0.75, 12 h 1), at least 0.5 for a heavy tunnel.
SELECT $date AS tdate, 'tunnel' AS detector, '' AS rule, clientip, host, '' AS fulluri,
       CAST(greatest(
         CASE WHEN max(duration) >= 43200000 THEN 1.0 WHEN max(duration) >= 28800000 THEN 0.75
              WHEN max(duration) >= 14400000 THEN 0.5 WHEN max(duration) >= $long_ms THEN 0.25 ELSE 0.0 END,
         CASE WHEN max(CASE WHEN reqmethod = 'CONNECT' THEN coalesce(scbytes, 0) + coalesce(csbytes, 0) END)
                   >= $heavy_bytes THEN 0.5 ELSE 0.0 END) AS FLOAT) AS score,
       count(*) AS connections, min(p_time) AS first_time, max(p_time) AS last_time,
       max(duration) AS ev_longest_ms,
       CAST(sum(duration) AS BIGINT) AS ev_total_ms,
       CAST(sum(CAST(coalesce(scbytes, 0) AS BIGINT) + coalesce(csbytes, 0)) AS BIGINT) AS ev_bytes,
       count(CASE WHEN reqmethod = 'CONNECT' THEN 1 END) AS ev_connect,
       $long_ms AS ev_long_ms,
       $heavy_bytes AS ev_heavy_bytes
FROM raw_day
WHERE duration >= $long_ms
   OR (reqmethod = 'CONNECT' AND CAST(coalesce(scbytes, 0) AS BIGINT) + coalesce(csbytes, 0) >= $heavy_bytes)
GROUP BY clientip, host;
