-- Spark SQL's spelling of the three word rules that take a string's characters apart (DuckDB's are in
-- schema/rank_words.sql; every other rule is one text for both). Spark's strings count code points; Scala's count
-- UTF-16 code units, so a character above U+FFFF is taken as its surrogate pair here too. The entropy adds its
-- terms in the order of the distinct code units, ascending, as DuckDB's list_histogram gives them.
-- Only src/dialect.rs reads this file: it replaces DuckDB's definitions of these names for `rank --on-cluster`.

-- A string's UTF-16 code units as numbers (`ascii` gives a character's code point).
CREATE OR REPLACE TEMP MACRO rank_units(s) AS
    flatten(transform(split(s, ''), c -> CASE WHEN ascii(c) > 65535
        THEN array(55296 + ((ascii(c) - 65536) div 1024), 56320 + ((ascii(c) - 65536) % 1024))
        ELSE array(ascii(c)) END));

-- Length in UTF-16 code units (Scala's `length()`): a character above U+FFFF counts twice.
CREATE OR REPLACE TEMP MACRO rank_utf16_length(s) AS
    length(s) + size(filter(split(s, ''), c -> ascii(c) > 65535));

-- spot-ml's Entropy.stringEntropy: Σ over the distinct code units of -p·log10(p)/log10(2), p = count / length.
CREATE OR REPLACE TEMP MACRO rank_entropy(s) AS
    CASE WHEN s = '' THEN CAST(0 AS DOUBLE)
         ELSE aggregate(array_sort(array_distinct(rank_units(s))), CAST(0 AS DOUBLE), (acc, u) -> acc
              + ((-(CAST(size(filter(rank_units(s), x -> x = u)) AS DOUBLE) / size(rank_units(s))))
                 * log10(CAST(size(filter(rank_units(s), x -> x = u)) AS DOUBLE) / size(rank_units(s)))) / log10(2))
    END;
