-- first_seen: the (client, host) pairs of the raw day whose host no row of the earlier stored days (earlier_days,
-- the workspace's previous $baseline_days days) reached. Run only when at least one earlier day is stored.
WITH earlier AS (SELECT count(DISTINCT concat(y, m, d)) AS n FROM earlier_days),
known AS (SELECT DISTINCT host FROM earlier_days),
new_hosts AS (
  SELECT r.host, count(DISTINCT r.clientip) AS clients
  FROM raw_day AS r LEFT JOIN known AS k ON k.host = r.host
  WHERE k.host IS NULL AND r.host <> ''
  GROUP BY r.host
)
SELECT $date AS tdate, 'first_seen' AS detector, '' AS rule, r.clientip, r.host, '' AS fulluri,
       CAST($first_seen_score AS FLOAT) AS score, count(*) AS connections, min(r.p_time) AS first_time, max(r.p_time) AS last_time,
       max(n.clients) AS ev_clients_of_host,
       max(e.n) AS ev_earlier_days
FROM raw_day AS r
JOIN new_hosts AS n ON n.host = r.host
CROSS JOIN earlier AS e
WHERE e.n > 0
GROUP BY r.clientip, r.host;
