-- sigma, one pass over the raw day: the rows any imported Sigma proxy rule matches, with one column per rule
-- (hit_0, hit_1, ...) saying which. Each rule's condition is compiled by src/findings/sigma.rs into SQL over the raw
-- day's columns, every value of a rule bound as a parameter; the compiled conditions take the place of the markers.
SELECT clientip, host, fulluri, p_time, /* rule columns */
FROM raw_day
WHERE /* any rule */;
