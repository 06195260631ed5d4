-- dga: the (client, host) pairs of the raw day whose host looks algorithmically generated. The binary scores each
-- distinct host's registered label (src/findings/dga.rs) and keeps those at [findings] dga_min_score or above in
-- the temporary table dga_hosts; a pair's score is its host's, scaled by how many such hosts its client reached
-- in the day, min(1, hosts / $min_hosts): one odd name alone stays low, a client trying many reaches full score.
WITH pairs AS (
  SELECT r.clientip, r.host, count(*) AS connections, min(r.p_time) AS first_time, max(r.p_time) AS last_time
  FROM raw_day AS r JOIN dga_hosts AS g ON g.host = r.host
  GROUP BY r.clientip, r.host
),
per_client AS (
  SELECT clientip, count(*) AS hosts FROM pairs GROUP BY clientip
)
SELECT $date AS tdate, 'dga' AS detector, '' AS rule, p.clientip, p.host, '' AS fulluri,
       CAST(g.score * least(1.0, c.hosts / CAST($min_hosts AS DOUBLE)) AS FLOAT) AS score, p.connections,
       p.first_time, p.last_time,
       g.label AS ev_label,
       round(g.score, 3) AS ev_host_score,
       round(g.bigram, 3) AS ev_bigram,
       g.consonant_run AS ev_consonant_run,
       g.digits AS ev_digits,
       g.switches AS ev_switches,
       round(g.entropy, 3) AS ev_entropy,
       c.hosts AS ev_client_dga_hosts
FROM pairs AS p JOIN dga_hosts AS g ON g.host = p.host JOIN per_client AS c ON c.clientip = p.clientip
