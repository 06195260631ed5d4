-- Spark SQL's spelling of the detectors' engine-specific macros (schema/macros.sql has DuckDB's): a run on the
-- cluster (src/findings/cluster.rs) expands these in their place, so each detector (and each compiled Sigma rule)
-- is one SQL text.
CREATE OR REPLACE MACRO proxy_matches(x, re) AS (x RLIKE re);
CREATE OR REPLACE MACRO proxy_sorted_set(x, sep) AS
    CASE WHEN count(x) = 0 THEN NULL ELSE concat_ws(sep, sort_array(collect_set(x))) END;
CREATE OR REPLACE MACRO proxy_list(x) AS collect_list(x);
CREATE OR REPLACE MACRO proxy_hex16(x) AS
    CASE WHEN x RLIKE '^[0-9a-f]{1,4}$' THEN CAST(conv(x, 16, 10) AS INT) END;
