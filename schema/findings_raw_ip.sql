-- raw_ip: the (client, host) pairs of the raw day whose host is an IPv4 or IPv6 literal (a browser reaches almost
-- everything by name; malware often does not). The binary keeps the hosts that parse as addresses and lie outside
-- the network context's own ranges.
SELECT $date AS tdate, 'raw_ip' AS detector, '' AS rule, clientip, host, '' AS fulluri,
       CAST($raw_ip_score AS FLOAT) AS score, count(*) AS connections, min(p_time) AS first_time, max(p_time) AS last_time,
       count(*) AS ev_connections,
       count(DISTINCT fulluri) AS ev_uris,
       min(fulluri) AS ev_first_uri,
       proxy_sorted_set(reqmethod, ' ') AS ev_methods
FROM raw_day
-- (brackets are left out of the IPv6 test rather than written in a pattern: Java's and RE2's classes differ)
WHERE proxy_matches(host, '^[0-9]{1,3}([.][0-9]{1,3}){3}$')
   OR proxy_matches(replace(replace(host, '[', ''), ']', ''), '^[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$')
GROUP BY clientip, host;
