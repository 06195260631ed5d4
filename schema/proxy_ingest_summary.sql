-- proxy_ingest_summary of one day: connections per minute over the whole raw day, with Spot's filters (rows with
-- an empty date, time, client, host or URI, or a time without a colon, are not counted).
-- One text for the local store and the cluster (src/dialect.rs renders it): it reads raw_stored, the day's rows as
-- stored (`ours`: their values follow the value rules already). The rows are counted by their stored (date, time)
-- first and the rules applied to each pair once, not to every raw row; only the client, host and URI of each row
-- go through the rules (for the empty test).
SELECT tdate, CAST(sum(n) AS BIGINT) AS total
FROM (
  SELECT concat(p_date, ' ', lpad(split_part(p_time, ':', 1), 2, '0'), ':',
                lpad(split_part(p_time, ':', 2), 2, '0')) AS tdate, n
  FROM (
    SELECT proxy_late_text(g.p_date, g.ours) AS p_date, proxy_late_text(g.p_time, g.ours) AS p_time, g.n
    FROM (
      SELECT r.ours, r.p_date, r.p_time, count(*) AS n
      FROM raw_stored AS r
      WHERE proxy_late_text(r.clientip, r.ours) <> '' AND proxy_late_text(r.host, r.ours) <> ''
        AND proxy_late_text(r.fulluri, r.ours) <> ''
      GROUP BY r.ours, r.p_date, r.p_time
    ) AS g
  ) AS x
  WHERE p_date <> '' AND p_time <> '' AND p_time LIKE '%:%'
) AS y
GROUP BY tdate
ORDER BY tdate;
