-- Unique visitors: the baselines uv_hll must beat (issue 3).
-- count(x) is the reference: the cheapest aggregate over the same rows.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('UV overall', 'count(x)', true,
   $q$SELECT count(visitor_id) FROM events$q$),
  ('UV overall', 'count(DISTINCT x)', false,
   $q$SELECT count(DISTINCT visitor_id) FROM events$q$),
  ('UV overall', 'postgresql-hll', false,
   $q$SELECT hll_cardinality(hll_add_agg(hll_hash_bigint(visitor_id))) FROM events$q$),

  ('UV by channel and day', 'count(x)', true,
   $q$SELECT channel, date_trunc('day', ts), count(visitor_id) FROM events GROUP BY 1, 2$q$),
  ('UV by channel and day', 'count(DISTINCT x)', false,
   $q$SELECT channel, date_trunc('day', ts), count(DISTINCT visitor_id) FROM events GROUP BY 1, 2$q$),
  ('UV by channel and day', 'postgresql-hll', false,
   $q$SELECT channel, date_trunc('day', ts), hll_cardinality(hll_add_agg(hll_hash_bigint(visitor_id)))
      FROM events GROUP BY 1, 2$q$);
