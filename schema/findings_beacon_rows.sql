-- beacon: the (client, host) pairs of the raw day with at least $min_times connections and fewer than $strobe (a
-- strobe is left to its own detector, as RITA does), each with its connection times (seconds since midnight) and
-- the client's bytes of each as two lists, for the beacon score (src/findings/beacon.rs, which sorts each list,
-- so their order does not matter, and needs $min_times distinct times). Reads raw_day.
-- A time's seconds are computed once per distinct time of the day (86,400 at most), not once per row.
SELECT r.clientip, r.host, count(*) AS n, min(r.p_time) AS first_time, max(r.p_time) AS last_time,
       proxy_list(t.secs) AS secs, proxy_list(coalesce(r.csbytes, 0)) AS bytes
FROM raw_day AS r
JOIN (SELECT dt.p_time, proxy_secs(dt.p_time) AS secs FROM (SELECT DISTINCT p_time FROM raw_day) AS dt) AS t
  ON t.p_time = r.p_time
WHERE t.secs IS NOT NULL
GROUP BY r.clientip, r.host
HAVING count(*) >= $min_times AND count(*) < $strobe
ORDER BY r.clientip, r.host;
