-- spot-ml's proxy word rules (generation 3, `spot-ml-proxy-ranker.md` §2.1), as temporary macros of the ranking
-- connection (src/rank/mod.rs creates them before ranking; the store keeps none); the rows they are applied to are
-- schema/rank_input.sql and schema/rank_rows.sql.
-- One word per raw row: topDomain_hour_method_entropyBin_contentType_log2(agentCount)_log2(uriLength)_respcode.
-- Lengths and character counts are UTF-16 code units, as Scala counts them (a character above U+FFFF is two).

-- The rules of a row's word are written in the SQL that DuckDB and Spark SQL share (no list, no lambda, no `||`),
-- so that `rank --on-cluster` runs the same text on Spark (src/dialect.rs expands the macros in place); only the
-- three that take a string's characters apart (rank_units, rank_utf16_length, rank_entropy) are spelled for each
-- engine: DuckDB's below, Spark's in schema/rank_spark.sql.

-- A host as Java's `host.split('.')` sees it: trailing dots dropped (Java drops trailing empty labels); its number
-- of labels; its k-th label from the end (1 = the last).
CREATE OR REPLACE TEMP MACRO rank_trimmed(host) AS regexp_replace(host, '[.]+$', '');
CREATE OR REPLACE TEMP MACRO rank_label_count(h) AS length(h) - length(replace(h, '.', '')) + 1;
CREATE OR REPLACE TEMP MACRO rank_label_back(h, k) AS reverse(split_part(reverse(h), '.', k));

-- spot-ml's DomainProcessor.extractDomain over the labels of `h` (n of them): `None` unless there are two labels
-- or more and the last is a country code (the fixed set below, with `krd` and the empty label) or one of the seven
-- generic TLDs; then the country code and after it a generic TLD are dropped and the last label left is the domain.
CREATE OR REPLACE TEMP MACRO rank_is_cc(label) AS label IN ('ac', 'ad', 'ae', 'af', 'ag', 'ai', 'al', 'am',
    'an', 'ao', 'aq', 'ar', 'as', 'at', 'au', 'aw', 'ax', 'az', 'ba', 'bb', 'bd', 'be', 'bf', 'bg', 'bh', 'bi', 'bj',
    'bm', 'bn', 'bo', 'bq', 'br', 'bs', 'bt', 'bv', 'bw', 'by', 'bz', 'ca', 'cc', 'cd', 'cf', 'cg', 'ch', 'ci', 'ck',
    'cl', 'cm', 'cn', 'co', 'cr', 'cu', 'cv', 'cw', 'cx', 'cy', 'cz', 'de', 'dj', 'dk', 'dm', 'do', 'dz', 'ec', 'ee',
    'eg', 'eh', 'er', 'es', 'et', 'eu', 'fi', 'fj', 'fk', 'fm', 'fo', 'fr', 'ga', 'gb', 'gd', 'ge', 'gf', 'gg', 'gh',
    'gi', 'gl', 'gm', 'gn', 'gp', 'gq', 'gr', 'gs', 'gt', 'gu', 'gw', 'gy', 'hk', 'hm', 'hn', 'hr', 'ht', 'hu', 'id',
    'ie', 'il', 'im', 'in', 'io', 'iq', 'ir', 'is', 'it', 'je', 'jm', 'jo', 'jp', 'ke', 'kg', 'kh', 'ki', 'km', 'kn',
    'kp', 'kr', 'krd', 'kw', 'ky', 'kz', 'la', 'lb', 'lc', 'li', 'lk', 'lr', 'ls', 'lt', 'lu', 'lv', 'ly', 'ma', 'mc',
    'md', 'me', 'mg', 'mh', 'mk', 'ml', 'mm', 'mn', 'mo', 'mp', 'mq', 'mr', 'ms', 'mt', 'mu', 'mv', 'mw', 'mx', 'my',
    'mz', 'na', 'nc', 'ne', 'nf', 'ng', 'ni', 'nl', 'no', 'np', 'nr', 'nu', 'nz', 'om', 'pa', 'pe', 'pf', 'pg', 'ph',
    'pk', 'pl', 'pm', 'pn', 'pr', 'ps', 'pt', 'pw', 'py', 'qa', 're', 'ro', 'rs', 'ru', 'rw', 'sa', 'sb', 'sc', 'sd',
    'se', 'sg', 'sh', 'si', 'sj', '', 'sk', 'sl', 'sm', 'sn', 'so', 'sr', 'ss', 'st', 'su', 'sv', 'sx', 'sy', 'sz',
    'tc', 'td', 'tf', 'tg', 'th', 'tj', 'tk', 'tl', 'tm', 'tn', 'to', 'tp', 'tr', 'tt', 'tv', 'tw', 'tz', 'ua', 'ug',
    'uk', 'us', 'uy', 'uz', 'va', 'vc', 've', 'vg', 'vi', 'vn', 'vu', 'wf', 'ws', 'ye', 'yt', 'za', 'zm', 'zw');
CREATE OR REPLACE TEMP MACRO rank_is_tld(label) AS label IN ('com', 'org', 'net', 'int', 'edu', 'gov', 'mil');
CREATE OR REPLACE TEMP MACRO rank_domain_of(h, n) AS
    CASE WHEN n < 2 THEN 'None'
         WHEN rank_is_cc(rank_label_back(h, 1)) THEN
              CASE WHEN NOT rank_is_tld(rank_label_back(h, 2)) THEN rank_label_back(h, 2)
                   WHEN n >= 3 THEN rank_label_back(h, 3)
                   ELSE 'None' END
         WHEN rank_is_tld(rank_label_back(h, 1)) THEN rank_label_back(h, 2)
         ELSE 'None' END;
CREATE OR REPLACE TEMP MACRO rank_domain(host) AS
    rank_domain_of(rank_trimmed(host), rank_label_count(rank_trimmed(host)));

-- A string's UTF-16 code units as numbers (a character above U+FFFF becomes its surrogate pair).
CREATE OR REPLACE TEMP MACRO rank_units(s) AS
    flatten(list_transform(string_split(s, ''), lambda c: CASE WHEN unicode(c) > 65535
        THEN [55296 + (unicode(c) - 65536) // 1024, 56320 + (unicode(c) - 65536) % 1024]
        ELSE [unicode(c)] END));

-- Length in UTF-16 code units (Scala's `length()`).
CREATE OR REPLACE TEMP MACRO rank_utf16_length(s) AS
    CASE WHEN strlen(s) = length(s) THEN length(s) ELSE len(rank_units(s)) END;

-- spot-ml's Entropy.stringEntropy: Σ over the distinct code units of -p·log10(p)/log10(2), p = count / length.
CREATE OR REPLACE TEMP MACRO rank_entropy_of(counts, n) AS
    list_sum(list_transform(counts, lambda c: ((-(CAST(c AS DOUBLE) / n)) * log10(CAST(c AS DOUBLE) / n)) / log10(2)));
CREATE OR REPLACE TEMP MACRO rank_entropy(s) AS
    CASE WHEN s = '' THEN 0.0
         WHEN strlen(s) = length(s) THEN rank_entropy_of(map_values(list_histogram(string_split(s, ''))), length(s))
         ELSE rank_entropy_of(map_values(list_histogram(rank_units(s))), len(rank_units(s))) END;

-- MathUtils.bin(entropy, EntropyCuts): the index of the first cut the value does not exceed (cuts 0.0, 0.3, ...,
-- 5.4 and +Infinity, as DOUBLE literals).
CREATE OR REPLACE TEMP MACRO rank_entropy_bin(v) AS
    CASE WHEN v <= 0.0E0 THEN 0 WHEN v <= 0.3E0 THEN 1 WHEN v <= 0.6E0 THEN 2 WHEN v <= 0.9E0 THEN 3
         WHEN v <= 1.2E0 THEN 4 WHEN v <= 1.5E0 THEN 5 WHEN v <= 1.8E0 THEN 6 WHEN v <= 2.1E0 THEN 7
         WHEN v <= 2.4E0 THEN 8 WHEN v <= 2.7E0 THEN 9 WHEN v <= 3.0E0 THEN 10 WHEN v <= 3.3E0 THEN 11
         WHEN v <= 3.6E0 THEN 12 WHEN v <= 3.9E0 THEN 13 WHEN v <= 4.2E0 THEN 14 WHEN v <= 4.5E0 THEN 15
         WHEN v <= 4.8E0 THEN 16 WHEN v <= 5.1E0 THEN 17 WHEN v <= 5.4E0 THEN 18 ELSE 19 END;

-- MathUtils.logBaseXInt(x, 2): 0 for 0, else the integer part of log2(x), exactly (the length of x in binary
-- digits, less one: no floating-point rounding at a power of two).
CREATE OR REPLACE TEMP MACRO rank_log2_int(x) AS
    CASE WHEN x = 0 THEN 0 ELSE length(bin(x)) - 1 END;

-- TimeUtilities.getTimeAsHour: `time.split(":")(0).toInt` (Java's Integer.parseInt: an optional sign and digits,
-- within an int); NULL where spot-ml's Try failed (the row's word is then `word_error`).
CREATE OR REPLACE TEMP MACRO rank_hour(t) AS
    CASE WHEN regexp_extract(split_part(t, ':', 1), '^[+-]?[0-9]+$', 0) <> ''
         THEN TRY_CAST(split_part(t, ':', 1) AS INT) END;

-- The top-level content type: `contentType.split('/')(0)`, or `unknown_content_type` when Java's split gives no
-- element (the type is only slashes).
CREATE OR REPLACE TEMP MACRO rank_ctype(ct) AS
    CASE WHEN regexp_extract(ct, '^/+$', 0) <> '' THEN 'unknown_content_type' ELSE split_part(ct, '/', 1) END;

-- The word of a row from its parts (each computed once: a macro argument is an expression, and an expression used
-- twice in a macro body is computed twice); `l2a` and `l2u` are rank_log2_int of the agent's count and of the URI's
-- length (schema/rank_rows.sql computes them once per agent and per URI).
CREATE OR REPLACE TEMP MACRO rank_word(top, hour, method, ebin, ctype, l2a, l2u, code) AS
    CASE WHEN hour IS NULL THEN 'word_error'
         ELSE concat(CAST(top AS STRING), '_', CAST(hour AS STRING), '_', coalesce(method, 'null'), '_',
                     CAST(ebin AS STRING), '_', ctype, '_', CAST(l2a AS STRING), '_',
                     CAST(l2u AS STRING), '_', coalesce(code, 'unknown_response_code')) END;
