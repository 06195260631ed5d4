-- rare_agent: the (client, host) pairs of the raw day that used a user agent no more than $rare_clients clients
-- used that day and that no row of the earlier stored days (earlier_days) used; only on a day with at least
-- $min_clients clients (on a smaller day every agent is rare). The empty agent is left out.
WITH earlier AS (SELECT count(DISTINCT concat(y, m, d)) AS n FROM earlier_days),
day_clients AS (SELECT count(DISTINCT clientip) AS n FROM raw_day),
agents AS (
  SELECT useragent, count(DISTINCT clientip) AS clients
  FROM raw_day
  WHERE useragent <> ''
  GROUP BY useragent
  HAVING count(DISTINCT clientip) <= $rare_clients
),
seen AS (SELECT DISTINCT e.useragent FROM earlier_days AS e JOIN agents AS a ON a.useragent = e.useragent)
SELECT $date AS tdate, 'rare_agent' AS detector, '' AS rule, r.clientip, r.host, '' AS fulluri,
       CAST($rare_agent_score AS FLOAT) AS score, count(*) AS connections, min(r.p_time) AS first_time, max(r.p_time) AS last_time,
       proxy_sorted_set(r.useragent, chr(10)) AS ev_agents,
       max(a.clients) AS ev_clients_of_agent,
       max(c.n) AS ev_clients_of_day,
       max(e.n) AS ev_earlier_days
FROM raw_day AS r
JOIN agents AS a ON a.useragent = r.useragent
CROSS JOIN day_clients AS c
CROSS JOIN earlier AS e
LEFT JOIN seen AS s ON s.useragent = r.useragent
WHERE s.useragent IS NULL AND c.n >= $min_clients
GROUP BY r.clientip, r.host;
