-- proxy_ingest_summary of one day: connections per minute over the whole raw day, with Spot's filters (rows with
-- an empty date, time, client, host or URI, or a time without a colon, are not counted).
-- One text for the local store and the cluster (src/dialect.rs renders it): it reads raw_day.
SELECT tdate, CAST(count(*) AS BIGINT) AS total
FROM (
  SELECT concat(p_date, ' ', lpad(split_part(p_time, ':', 1), 2, '0'), ':',
                lpad(split_part(p_time, ':', 2), 2, '0')) AS tdate
  FROM raw_day
  WHERE p_date <> '' AND p_time <> '' AND clientip <> '' AND host <> '' AND fulluri <> '' AND p_time LIKE '%:%'
) AS x
GROUP BY tdate
ORDER BY tdate;
