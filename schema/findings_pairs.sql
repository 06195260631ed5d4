-- The (client, host) pairs of the raw day the beacon and strobe detectors look at: at least $min_times distinct
-- seconds (RITA's unique-connection threshold) or at least $strobe connections. Reads raw_day (the day's raw rows).
SELECT clientip, host, count(*) AS n, count(DISTINCT secs) AS times, min(p_time) AS first_time,
       max(p_time) AS last_time
FROM (SELECT clientip, host, p_time, proxy_secs(p_time) AS secs FROM raw_day) AS r
WHERE secs IS NOT NULL
GROUP BY clientip, host
HAVING count(DISTINCT secs) >= $min_times OR count(*) >= $strobe
ORDER BY clientip, host;
