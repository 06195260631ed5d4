-- proxy_scores of one day: the staged results rows (temp table stage_results, filled by the enrichment stages),
-- in the list's order (oa_rank: [rank] mode, src/findings/evidence.rs). Parameters: $1 y, $2 m, $3 d.
INSERT INTO proxy_scores (tdate, "time", clientip, host, reqmethod, useragent, resconttype, duration, username,
                          webcat, referer, respcode, uriport, uripath, uriquery, serverip, scbytes, csbytes, fulluri,
                          word, ml_score, uri_rep, respcode_name, network_context, uri_sev, hash, oa_rank, why, y, m, d)
SELECT tdate, "time", clientip, host, reqmethod, useragent, resconttype, duration, username,
       webcat, referer, respcode, uriport, uripath, uriquery, serverip, scbytes, csbytes, fulluri,
       word, ml_score, uri_rep, respcode_name, network_context, uri_sev, hash, oa_rank, why, $1, $2, $3
FROM stage_results
ORDER BY rn;
