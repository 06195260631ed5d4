-- The day's rows of `rank_rows` (schema/rank_rows.sql) whose (client IP, word) pair is in `rank_low` (the pairs
-- that qualify, with their scores), one text for the store and Spark SQL: spot-ml's 21 result columns.
SELECT r.p_date, r.p_time, r.clientip, r.host, r.reqmethod, r.useragent, r.resconttype, r.duration, r.username,
       r.webcat, r.referer, r.respcode, r.uriport, r.uripath, r.uriquery, r.serverip, r.scbytes, r.csbytes,
       r.fulluri, r.word, l.score
FROM rank_rows AS r
JOIN rank_low AS l ON l.clientip = r.clientip AND l.word = r.word
WHERE r.is_day
