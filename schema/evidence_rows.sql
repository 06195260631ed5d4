-- The rows the evidence ranking puts first ([rank] mode = "evidence"): for each (client, host) pair whose
-- behaviour findings (stage_findings) combine to at least $min_evidence, one raw row: the first connection behind
-- its highest-scoring finding (the pair's first row at that finding's first_time, by a total order over every
-- column; ties between findings by detector name). Findings of a pair combine as a noisy-or,
-- 1 - (1 - s1)(1 - s2)..., rounded to 6 decimals. Highest combined score first. Reads raw_day and stage_findings.
WITH pairs AS (
  SELECT clientip, host,
         round(CASE WHEN max(score) >= 1 THEN 1.0 ELSE 1 - exp(sum(ln(1 - CAST(score AS DOUBLE)))) END, 6) AS evidence
  FROM stage_findings
  WHERE detector NOT IN ('intel', 'known_good')
  GROUP BY clientip, host
),
top_finding AS (
  SELECT clientip, host, first_time
  FROM (SELECT clientip, host, first_time,
               row_number() OVER (PARTITION BY clientip, host ORDER BY score DESC, detector) AS k
        FROM stage_findings WHERE detector NOT IN ('intel', 'known_good')) AS f
  WHERE k = 1
),
kept AS (
  SELECT p.clientip, p.host, p.evidence, t.first_time
  FROM pairs AS p JOIN top_finding AS t ON t.clientip = p.clientip AND t.host = p.host
  WHERE p.evidence >= $min_evidence
),
picked AS (
  SELECT r.*, p.evidence,
         row_number() OVER (PARTITION BY r.clientip, r.host ORDER BY r.p_time NULLS LAST, r.p_date NULLS LAST,
           r.reqmethod NULLS LAST, r.useragent NULLS LAST, r.resconttype NULLS LAST, r.duration NULLS LAST,
           r.username NULLS LAST, r.authgroup NULLS LAST, r.exceptionid NULLS LAST, r.filterresult NULLS LAST,
           r.webcat NULLS LAST, r.referer NULLS LAST, r.respcode NULLS LAST, r.action NULLS LAST,
           r.urischeme NULLS LAST, r.uriport NULLS LAST, r.uripath NULLS LAST, r.uriquery NULLS LAST,
           r.uriextension NULLS LAST, r.serverip NULLS LAST, r.scbytes NULLS LAST, r.csbytes NULLS LAST,
           r.virusid NULLS LAST, r.bcappname NULLS LAST, r.bcappoper NULLS LAST) AS k
  FROM raw_day AS r
  JOIN kept AS p ON p.clientip = r.clientip AND p.host = r.host AND p.first_time = r.p_time
  -- The kept pairs' times as a list of constants (bound by the binary): the scan reads every column only of the
  -- rows at those times.
  WHERE r.p_time IN (/* first times */)
)
SELECT p_date, p_time, clientip, host, reqmethod, useragent, resconttype, duration, username, webcat, referer,
       TRY_CAST(respcode AS INTEGER) AS respcode, TRY_CAST(uriport AS INTEGER) AS uriport, uripath, uriquery,
       serverip, scbytes, csbytes, fulluri, evidence
FROM picked
WHERE k = 1
ORDER BY evidence DESC, clientip, host;
