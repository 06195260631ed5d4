-- The raw day's value rules (schema/README.md, "Value rules"), as store macros: the `proxy` view applies them to
-- Spot's own Parquet files, which keep Blue Coat's values as logged; files proxy-oa writes already follow them.
-- The rules are written in the SQL DuckDB, Spark SQL and Impala share: a run on the cluster applies the same
-- text to the cluster's `proxy` table (src/dialect.rs expands them in place).

-- Text: one pair of double quotes around a value is removed; missing or `-` (quoted or not) is the empty string.
-- `LIKE '"%"'` is "two characters or more, a quote at each end" without measuring the value (DuckDB's length()
-- counts the characters of every value it is given: a tenth of the ranker's counts at 10 M rows, BENCHMARKS.md);
-- each test runs once per value, and a value without quotes (nearly all) is compared with `-` and kept as it is.
CREATE OR REPLACE MACRO proxy_text(v) AS
    CASE WHEN v IS NULL THEN ''
         WHEN CAST(v AS STRING) LIKE '"%"' THEN
              CASE WHEN CAST(v AS STRING) = '"-"' THEN ''
                   ELSE substr(CAST(v AS STRING), 2, length(CAST(v AS STRING)) - 2) END
         WHEN CAST(v AS STRING) = '-' THEN ''
         ELSE CAST(v AS STRING) END;

-- Integers: missing, empty or `-` is NULL.
CREATE OR REPLACE MACRO proxy_int(v) AS
    CASE WHEN v IS NULL OR trim(CAST(v AS STRING)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST(v AS STRING)) AS INT) END;

-- A raw text value as stored, through the rules unless `ours` (a file proxy-oa wrote, whose values follow them
-- already): for statements that count or keep raw rows first and apply the rules to what they keep.
CREATE OR REPLACE MACRO proxy_late_text(v, ours) AS
    CASE WHEN ours THEN CAST(v AS STRING) ELSE proxy_text(v) END;

-- The day (YYYYMMDD) of a raw file from its path in the workspace: data/proxy/<YYYYMMDD>/raw.../...
CREATE OR REPLACE MACRO proxy_file_day(filename) AS
    regexp_extract(replace(filename, '\', '/'), '(^|/)data/proxy/([0-9]{8})/raw[^/]*/', 2);
