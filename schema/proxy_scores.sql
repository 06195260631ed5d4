-- proxy_scores of one day: the staged results rows (temp table stage_results, filled by the enrichment stages),
-- in the list's order (oa_rank: [rank] mode, src/findings/evidence.rs). By name: stage_results has every
-- proxy_scores column (src/schema.rs), so a new column is the registry and the stage that fills it.
-- Parameters: $1 y, $2 m, $3 d.
INSERT INTO proxy_scores BY NAME
SELECT * EXCLUDE (rn, hh), $1 AS y, $2 AS m, $3 AS d
FROM stage_results
ORDER BY rn;
