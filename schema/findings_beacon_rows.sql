-- The connection times (seconds since midnight) and client bytes of the beacon candidates (temp table
-- beacon_pairs: clientip, host), in pair and time order, for the beacon score (src/findings/beacon.rs).
SELECT r.clientip, r.host, proxy_secs(r.p_time) AS secs, coalesce(r.csbytes, 0) AS bytes
FROM raw_day AS r
JOIN beacon_pairs AS p ON p.clientip = r.clientip AND p.host = r.host
WHERE proxy_secs(r.p_time) IS NOT NULL
ORDER BY r.clientip, r.host, secs, bytes;
