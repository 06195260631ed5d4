-- The raw day's value rules (schema/README.md, "Value rules"), as store macros: the `proxy` view applies them to
-- Spot's own Parquet files, which keep Blue Coat's values as logged; files proxy-oa writes already follow them.

-- One pair of double quotes around a value is removed.
CREATE OR REPLACE MACRO proxy_unquote(v) AS
    CASE WHEN length(v) >= 2 AND starts_with(v, '"') AND ends_with(v, '"') THEN v[2:-2] ELSE v END;

-- Text: missing or `-` is the empty string.
CREATE OR REPLACE MACRO proxy_text(v) AS
    CASE WHEN v IS NULL OR proxy_unquote(CAST(v AS VARCHAR)) = '-' THEN '' ELSE proxy_unquote(CAST(v AS VARCHAR)) END;

-- Integers: missing, empty or `-` is NULL.
CREATE OR REPLACE MACRO proxy_int(v) AS
    CASE WHEN v IS NULL OR trim(CAST(v AS VARCHAR)) IN ('', '-') THEN NULL
         ELSE CAST(trim(CAST(v AS VARCHAR)) AS INTEGER) END;

-- The day (YYYYMMDD) of a raw file from its path in the workspace: data/proxy/<YYYYMMDD>/raw.../...
CREATE OR REPLACE MACRO proxy_file_day(filename) AS
    regexp_extract(replace(filename, '\', '/'), '(^|/)data/proxy/([0-9]{8})/raw[^/]*/', 2);
