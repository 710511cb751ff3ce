-- bench/reports/hll.sql: accuracy of uv_hll next to postgresql-hll (issue 3).
-- For each n, `trials` disjoint sets of n distinct bigints; the relative error
-- |estimate - n| / n of uv_hll (p = 14, its default), uv_hll at p = 11 (the
-- register count of postgresql-hll's default) and postgresql-hll's default
-- hll_add_agg (log2m = 11, regwidth = 5).  Mean and max over the trials, in %.
\pset tuples_only on
\pset format unaligned
SELECT '### Unique visitors: accuracy (relative error, %, mean / max over trials)';
SELECT '';
SELECT '| n | trials | uv_hll (p=14) mean | max | uv_hll(x, 11) mean | max | postgresql-hll (log2m=11) mean | max |';
SELECT '|--:|--:|--:|--:|--:|--:|--:|--:|';
WITH trials AS (
  SELECT n, t
  FROM (VALUES (10, 50), (1000, 50), (5000, 50), (100000, 30), (10000000, 3)) v(n, trials),
       generate_series(1, trials) t
), est AS (
  SELECT n, t, abs(e.uv - n)::float8 / n AS uv, abs(e.uv11 - n)::float8 / n AS uv11,
         abs(e.hll - n) / n AS hll
  FROM trials,
       LATERAL (SELECT uv_hll(x) AS uv, uv_hll(x, 11) AS uv11,
                       hll_cardinality(hll_add_agg(hll_hash_bigint(x))) AS hll
                FROM generate_series(t::int8 * 1000000000000 + 1, t::int8 * 1000000000000 + n) x) e
)
SELECT format('| %s | %s | %s | %s | %s | %s | %s | %s |', n, count(*),
              round(100 * avg(uv)::numeric, 3), round(100 * max(uv)::numeric, 3),
              round(100 * avg(uv11)::numeric, 3), round(100 * max(uv11)::numeric, 3),
              round(100 * avg(hll)::numeric, 3), round(100 * max(hll)::numeric, 3))
FROM est GROUP BY n ORDER BY n;
SELECT '';
SELECT 'Same value, different integer width: uv_hll counts '
       || (SELECT uv_hll(x) FROM (VALUES (1::int8), (1::int4), (1::int2)) v(x))
       || ', postgresql-hll counts '
       || (SELECT hll_cardinality(hll_add_agg(h)) FROM (VALUES (hll_hash_bigint(1)), (hll_hash_integer(1)), (hll_hash_smallint(1::int2))) v(h))
       || ' (for 1::int8, 1::int4, 1::int2).';
\pset tuples_only off
\pset format aligned
