-- The user agents' counts over every row the ranker reads (`rank_all`: the day's rows and the benign feedback rows
-- `dupfactor` times each), one text for the store and Spark SQL: spot-ml's quirk Q1 fixed, the same counts for
-- learning and for scoring.
SELECT a.useragent, CAST(sum(a.copies) AS BIGINT) AS n
FROM rank_all AS a
GROUP BY a.useragent
