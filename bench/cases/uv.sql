-- Unique visitors: the baselines uv_hll must beat (issue 3).
-- count(x) is the reference: the cheapest aggregate over the same rows.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('UV overall', 'count(x)', true,
   $q$SELECT count(visitor_id) FROM events$q$),
  ('UV overall', 'count(DISTINCT x)', false,
   $q$SELECT count(DISTINCT visitor_id) FROM events$q$),
  ('UV overall', 'postgresql-hll', false,
   $q$SELECT hll_cardinality(hll_add_agg(hll_hash_bigint(visitor_id))) FROM events$q$),
  ('UV overall', 'uv_hll', false,
   $q$SELECT uv_hll(visitor_id) FROM events$q$),

  ('UV by channel and day', 'count(x)', true,
   $q$SELECT channel, date_trunc('day', ts), count(visitor_id) FROM events GROUP BY 1, 2$q$),
  ('UV by channel and day', 'count(DISTINCT x)', false,
   $q$SELECT channel, date_trunc('day', ts), count(DISTINCT visitor_id) FROM events GROUP BY 1, 2$q$),
  ('UV by channel and day', 'postgresql-hll', false,
   $q$SELECT channel, date_trunc('day', ts), hll_cardinality(hll_add_agg(hll_hash_bigint(visitor_id)))
      FROM events GROUP BY 1, 2$q$),
  ('UV by channel and day', 'uv_hll', false,
   $q$SELECT channel, date_trunc('day', ts), uv_hll(visitor_id) FROM events GROUP BY 1, 2$q$);

-- 20,000 groups of about 90 distinct visitors each (visitor buckets: visitor_id % 20000),
-- where postgresql-hll's large per-group state spills and count(DISTINCT) must sort.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('UV in 20,000 groups', 'count(x)', true,
   $q$SELECT visitor_id % 20000, count(visitor_id) FROM events GROUP BY 1$q$),
  ('UV in 20,000 groups', 'count(DISTINCT x)', false,
   $q$SELECT visitor_id % 20000, count(DISTINCT visitor_id) FROM events GROUP BY 1$q$),
  ('UV in 20,000 groups', 'postgresql-hll', false,
   $q$SELECT visitor_id % 20000, hll_cardinality(hll_add_agg(hll_hash_bigint(visitor_id)))
      FROM events GROUP BY 1$q$),
  ('UV in 20,000 groups', 'uv_hll', false,
   $q$SELECT visitor_id % 20000, uv_hll(visitor_id) FROM events GROUP BY 1$q$),

-- A text key (the visitor id as a cookie string): hashing text instead of a bigint.
  ('UV overall, text key', 'count(x)', true,
   $q$SELECT count(visitor_id::text) FROM events$q$),
  ('UV overall, text key', 'count(DISTINCT x)', false,
   $q$SELECT count(DISTINCT visitor_id::text) FROM events$q$),
  ('UV overall, text key', 'postgresql-hll', false,
   $q$SELECT hll_cardinality(hll_add_agg(hll_hash_text(visitor_id::text))) FROM events$q$),
  ('UV overall, text key', 'uv_hll', false,
   $q$SELECT uv_hll(visitor_id::text) FROM events$q$);

-- A rollup of stored sketches (issue #10, item 6): 200,000 small sketches at p = 18, one per
-- visitor bucket, unioned into one count.  The reference counts the raw rows at the same
-- precision; the union must not cost more per sketch than the sketch's own size.
DROP TABLE IF EXISTS bench_uv_sketches;
CREATE TABLE bench_uv_sketches AS
SELECT visitor_id % 200000 AS bucket, uv_sketch(visitor_id, 18) AS s FROM events GROUP BY 1;
ANALYZE bench_uv_sketches;
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('UV rollup of 200,000 sketches (p = 18)', 'uv_hll(x, 18) over the events', true,
   $q$SELECT uv_hll(visitor_id, 18) FROM events$q$),
  ('UV rollup of 200,000 sketches (p = 18)', 'uv_hll(sketch)', false,
   $q$SELECT uv_hll(s) FROM bench_uv_sketches$q$);
