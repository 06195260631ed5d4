-- spot-ml's proxy words (generation 3, `spot-ml-proxy-ranker.md` §2.1) and the rows they are built from, as
-- temporary macros of the ranking connection (src/rank/mod.rs creates them before ranking; the store keeps none).
-- One word per raw row: topDomain_hour_method_entropyBin_contentType_log2(agentCount)_log2(uriLength)_respcode.
-- Lengths and character counts are UTF-16 code units, as Scala counts them (a character above U+FFFF is two).

-- The labels of a host as Java's `host.split('.')` gives them (trailing empty labels dropped).
CREATE OR REPLACE TEMP MACRO rank_labels(host) AS string_split(rtrim(host, '.'), '.');

-- spot-ml's DomainProcessor.extractDomain over the labels `l`: `None` unless there are two labels or more and
-- the last is a country code (the fixed set below, with `krd` and the empty label) or one of the seven
-- generic TLDs; then the country code and after it a generic TLD are dropped and the last label left is the domain.
CREATE OR REPLACE TEMP MACRO rank_is_cc(label) AS list_contains(['ac', 'ad', 'ae', 'af', 'ag', 'ai', 'al', 'am',
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
    'uk', 'us', 'uy', 'uz', 'va', 'vc', 've', 'vg', 'vi', 'vn', 'vu', 'wf', 'ws', 'ye', 'yt', 'za', 'zm', 'zw'], label);
CREATE OR REPLACE TEMP MACRO rank_is_tld(label) AS list_contains(['com', 'org', 'net', 'int', 'edu', 'gov', 'mil'], label);
CREATE OR REPLACE TEMP MACRO rank_domain_of(l) AS
    CASE WHEN len(l) < 2 THEN 'None'
         WHEN rank_is_cc(l[len(l)]) THEN
              CASE WHEN NOT rank_is_tld(l[len(l) - 1]) THEN l[len(l) - 1]
                   WHEN len(l) >= 3 THEN l[len(l) - 2]
                   ELSE 'None' END
         WHEN rank_is_tld(l[len(l)]) THEN l[len(l) - 1]
         ELSE 'None' END;
CREATE OR REPLACE TEMP MACRO rank_domain(host) AS rank_domain_of(rank_labels(host));

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

-- MathUtils.bin(entropy, EntropyCuts): the index of the first cut the value does not exceed.
CREATE OR REPLACE TEMP MACRO rank_entropy_bin(v) AS
    list_position(list_transform([0.0, 0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 3.0, 3.3, 3.6, 3.9, 4.2, 4.5,
                                  4.8, 5.1, 5.4, CAST('Infinity' AS DOUBLE)], lambda c: v <= c), true) - 1;

-- MathUtils.logBaseXInt(x, 2): 0 for 0, else the integer part of log2(x).
CREATE OR REPLACE TEMP MACRO rank_log2_int(x) AS
    CASE WHEN x = 0 THEN 0 ELSE CAST(floor(log2(x)) AS BIGINT) END;

-- TimeUtilities.getTimeAsHour: `time.split(":")(0).toInt` (Java's Integer.parseInt: an optional sign and digits,
-- within an int); NULL where spot-ml's Try failed (the row's word is then `word_error`).
CREATE OR REPLACE TEMP MACRO rank_hour(t) AS
    CASE WHEN regexp_full_match(split_part(t, ':', 1), '[+-]?[0-9]+')
         THEN TRY_CAST(split_part(t, ':', 1) AS INTEGER) END;

-- The top-level content type: `contentType.split('/')(0)`, or `unknown_content_type` when Java's split gives no
-- element (the type is only slashes).
CREATE OR REPLACE TEMP MACRO rank_ctype(ct) AS
    CASE WHEN ct <> '' AND rtrim(ct, '/') = '' THEN 'unknown_content_type' ELSE split_part(ct, '/', 1) END;

-- The word of a row from its parts (each computed once in rank_rows: a macro argument is an expression, and an
-- expression used twice in a macro body is computed twice).
CREATE OR REPLACE TEMP MACRO rank_word(top, hour, method, ebin, ctype, agents, ulen, code) AS
    CASE WHEN hour IS NULL THEN 'word_error'
         ELSE CAST(top AS VARCHAR) || '_' || CAST(hour AS VARCHAR) || '_' || coalesce(method, 'null') || '_'
              || CAST(ebin AS VARCHAR) || '_' || ctype || '_' || CAST(rank_log2_int(agents) AS VARCHAR) || '_'
              || CAST(rank_log2_int(ulen) AS VARCHAR) || '_' || coalesce(code, 'unknown_response_code') END;

-- The rows the ranker reads: the raw day (`proxy`, day raw_y/raw_m/raw_d) as spot-ml's filterRecords keeps it
-- (no NULL p_date, p_time, clientip, host or fulluri; a NULL user agent or content type is `-`), `copies` = 1,
-- and the analyst's benign feedback rows (temporary table rank_feedback) with `copies` = dupfactor.
CREATE OR REPLACE TEMP MACRO rank_input(raw_y, raw_m, raw_d, dupfactor) AS TABLE
    SELECT p_date, p_time, clientip, host, reqmethod, coalesce(useragent, '-') AS useragent,
           coalesce(resconttype, '-') AS resconttype, duration, username, webcat, referer, respcode, uriport,
           uripath, uriquery, serverip, scbytes, csbytes, fulluri, true AS is_day, CAST(1 AS BIGINT) AS copies
    FROM proxy
    WHERE y = raw_y AND m = raw_m AND d = raw_d AND p_date IS NOT NULL AND p_time IS NOT NULL
      AND clientip IS NOT NULL AND host IS NOT NULL AND fulluri IS NOT NULL
    UNION ALL
    SELECT p_date, p_time, clientip, host, reqmethod, coalesce(useragent, '-'), coalesce(resconttype, '-'),
           NULL, NULL, NULL, NULL, respcode, NULL, NULL, NULL, NULL, NULL, NULL, fulluri, false,
           CAST(dupfactor AS BIGINT)
    FROM rank_feedback;

-- Until the corpus statements (schema/rank_corpus.sql) name the day, rank_source reads none; rank_agents is
-- filled there too.
CREATE OR REPLACE TEMP VIEW rank_source AS SELECT * FROM rank_input(NULL, NULL, NULL, 0);
CREATE OR REPLACE TEMP TABLE rank_agents (useragent VARCHAR, n BIGINT);

-- The words of the rows of the temporary view rank_source (all the rows the ranker reads when it builds the
-- corpus; the day's rows that can hold a low-scoring pair when it selects them), with the user agents' counts of
-- rank_agents (counted once over all the rows the ranker reads: for learning and for scoring alike). Top-domain
-- flags: 2 for a domain of rank_safe, 1 for one of rank_top, else 0. The URI's parts (entropy, length) are
-- computed once per distinct fulluri, the domain once per distinct host, the hour once per distinct time.
CREATE OR REPLACE TEMP MACRO rank_words() AS TABLE
    WITH hosts AS MATERIALIZED (
        SELECT h.host, CASE WHEN s.label IS NOT NULL THEN 2 WHEN t.label IS NOT NULL THEN 1 ELSE 0 END AS top
        FROM (SELECT host, rank_domain(host) AS domain FROM (SELECT DISTINCT host FROM rank_source) AS dh) AS h
        LEFT JOIN (SELECT DISTINCT label FROM rank_safe) AS s ON s.label = h.domain
        LEFT JOIN (SELECT DISTINCT label FROM rank_top) AS t ON t.label = h.domain),
    uri_parts AS MATERIALIZED (
        SELECT fulluri, rank_entropy(fulluri) AS entropy, rank_utf16_length(fulluri) AS ulen
        FROM (SELECT DISTINCT fulluri FROM rank_source) AS du),
    uris AS MATERIALIZED (SELECT fulluri, rank_entropy_bin(entropy) AS ebin, ulen FROM uri_parts),
    times AS MATERIALIZED (
        SELECT p_time, rank_hour(p_time) AS hour FROM (SELECT DISTINCT p_time FROM rank_source) AS dt),
    parts AS (
        SELECT r.*, tm.hour, rank_ctype(r.resconttype) AS ctype, a.n AS agents, hs.top, u.ebin, u.ulen
        FROM rank_source AS r
        JOIN rank_agents AS a ON a.useragent = r.useragent
        JOIN hosts AS hs ON hs.host = r.host
        JOIN uris AS u ON u.fulluri = r.fulluri
        JOIN times AS tm ON tm.p_time = r.p_time)
    SELECT p_date, p_time, clientip, host, reqmethod, useragent, resconttype, duration, username, webcat, referer,
           respcode, uriport, uripath, uriquery, serverip, scbytes, csbytes, fulluri, is_day, copies,
           rank_word(top, hour, reqmethod, ebin, ctype, agents, ulen, respcode) AS word
    FROM parts;
