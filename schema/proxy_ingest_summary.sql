-- proxy_ingest_summary of one day: connections per minute over the whole raw day, with Spot's filters (rows with
-- an empty date, time, client, host or URI, or a time without a colon, are not counted).
-- Parameters: $1 y, $2 m, $3 d (the OA partition), $4 y, $5 m, $6 d (the raw partition, zero-padded text).
INSERT INTO proxy_ingest_summary (tdate, total, y, m, d)
SELECT p_date || ' ' || lpad(split_part(p_time, ':', 1), 2, '0') || ':'
         || lpad(split_part(p_time, ':', 2), 2, '0') AS tdate,
       CAST(count(*) AS BIGINT), $1, $2, $3
FROM proxy
WHERE y = $4 AND m = $5 AND d = $6 AND p_date <> '' AND p_time <> '' AND clientip <> '' AND host <> ''
  AND fulluri <> '' AND p_time LIKE '%:%'
GROUP BY 1
ORDER BY 1;
