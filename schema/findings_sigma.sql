-- sigma: the (client, host) pairs with rows one imported Sigma proxy rule matches (proxy-oa sigma import), from the
-- day's hits (temp table sigma_hits, schema/findings_sigma_hits.sql; the rule's column takes the place of the
-- marker). Score by the rule's level (critical 1, high 0.75, medium 0.5, low 0.3, informational 0.1); the evidence
-- names the rule and its author, as the Detection Rule License asks.
SELECT $date AS tdate, 'sigma' AS detector, $rule_id AS rule, clientip, host, min(fulluri) AS fulluri,
       CAST($score AS FLOAT) AS score, count(*) AS connections, min(p_time) AS first_time,
       max(p_time) AS last_time,
       $title AS ev_title,
       $rule_id AS ev_id,
       $level AS ev_level,
       $author AS ev_author,
       $status AS ev_status,
       count(DISTINCT fulluri) AS ev_uris
FROM sigma_hits
WHERE /* rule column */
GROUP BY clientip, host;
