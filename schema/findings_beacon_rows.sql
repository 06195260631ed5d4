-- beacon: the (client, host) pairs of the raw day with at least $min_times connections and fewer than $strobe (a
-- strobe is left to its own detector, as RITA does), each with its connection times (seconds since midnight) and
-- the client's bytes of each as two lists, for the beacon score (src/findings/beacon.rs, which sorts each list,
-- so their order does not matter, and needs $min_times distinct times). Reads raw_day.
SELECT clientip, host, count(*) AS n, min(p_time) AS first_time, max(p_time) AS last_time,
       proxy_list(secs) AS secs, proxy_list(bytes) AS bytes
FROM (SELECT clientip, host, p_time, proxy_secs(p_time) AS secs, coalesce(csbytes, 0) AS bytes FROM raw_day) AS r
WHERE secs IS NOT NULL
GROUP BY clientip, host
HAVING count(*) >= $min_times AND count(*) < $strobe
ORDER BY clientip, host;
