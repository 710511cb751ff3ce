-- funnel_step and funnel_counts on the sample dataset, and the SQLSTATE of
-- every error.  The expected levels come from plain SQL, independently.
BEGIN;
SELECT plan(34);

SET LOCAL client_min_messages = warning;
CALL b2b_sample_generate(0.05, 7);

CREATE FUNCTION pg_temp.explain_lines(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || query;
END $$;

-- Levels per visitor: funnel_step, the exact plain-SQL formulation of the
-- default mode (window functions carrying the latest start of each level,
-- the same one bench/cases/funnel.sql times), and the first-occurrence funnel.
CREATE TEMP TABLE levels AS
WITH steps AS (
  SELECT visitor_id, ts,
         array_position(ARRAY['page_view', 'signup', 'demo_request', 'trial_start', 'paid'], event) AS step
  FROM events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
), l2 AS (
  SELECT *, CASE WHEN step = 2 AND ts - max(CASE WHEN step = 1 THEN ts END) OVER w <= interval '7 days'
                 THEN max(CASE WHEN step = 1 THEN ts END) OVER w END AS s2
  FROM steps WINDOW w AS (PARTITION BY visitor_id ORDER BY ts)
), l3 AS (
  SELECT *, CASE WHEN step = 3 AND ts - max(s2) OVER w <= interval '7 days' THEN max(s2) OVER w END AS s3
  FROM l2 WINDOW w AS (PARTITION BY visitor_id ORDER BY ts)
), l4 AS (
  SELECT *, CASE WHEN step = 4 AND ts - max(s3) OVER w <= interval '7 days' THEN max(s3) OVER w END AS s4
  FROM l3 WINDOW w AS (PARTITION BY visitor_id ORDER BY ts)
), l5 AS (
  SELECT *, CASE WHEN step = 5 AND ts - max(s4) OVER w <= interval '7 days' THEN max(s4) OVER w END AS s5
  FROM l4 WINDOW w AS (PARTITION BY visitor_id ORDER BY ts)
), plain AS (
  SELECT visitor_id,
         CASE WHEN count(s5) > 0 THEN 5 WHEN count(s4) > 0 THEN 4 WHEN count(s3) > 0 THEN 3
              WHEN count(s2) > 0 THEN 2 WHEN bool_or(step = 1) THEN 1 ELSE 0 END AS plain_level
  FROM l5 GROUP BY visitor_id
), first_occurrence AS (
  SELECT f.visitor_id,
         1 + (s.t2 IS NOT NULL)::int + (s.t3 IS NOT NULL)::int + (s.t4 IS NOT NULL)::int + (s.t5 IS NOT NULL)::int AS first_level
  FROM (SELECT visitor_id, min(ts) AS t1 FROM events WHERE event = 'page_view' GROUP BY 1) f
  LEFT JOIN LATERAL (
    SELECT t2, t3, t4, t5 FROM
      (SELECT min(ts) t2 FROM events e WHERE e.visitor_id = f.visitor_id AND event = 'signup'
         AND ts BETWEEN f.t1 AND f.t1 + interval '7 days') a,
      LATERAL (SELECT min(ts) t3 FROM events e WHERE e.visitor_id = f.visitor_id AND event = 'demo_request'
         AND ts BETWEEN a.t2 AND f.t1 + interval '7 days') b,
      LATERAL (SELECT min(ts) t4 FROM events e WHERE e.visitor_id = f.visitor_id AND event = 'trial_start'
         AND ts BETWEEN b.t3 AND f.t1 + interval '7 days') c,
      LATERAL (SELECT min(ts) t5 FROM events e WHERE e.visitor_id = f.visitor_id AND event = 'paid'
         AND ts BETWEEN c.t4 AND f.t1 + interval '7 days') d
    WHERE a.t2 IS NOT NULL) s ON true
)
SELECT visitor_id, plain_level, coalesce(first_level, 0) AS first_level,
       funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request',
                   event = 'trial_start', event = 'paid') AS level,
       funnel_step(ts, '7 days', 'strict_order', event = 'page_view', event = 'signup', event = 'demo_request',
                   event = 'trial_start', event = 'paid') AS strict_order_level,
       funnel_step(ts, '7 days', 'strict_increase,strict_deduplication', event = 'page_view', event = 'signup',
                   event = 'demo_request', event = 'trial_start', event = 'paid') AS strict_level
FROM events LEFT JOIN plain USING (visitor_id) LEFT JOIN first_occurrence USING (visitor_id)
GROUP BY visitor_id, plain_level, first_level;

SELECT ok((SELECT count(*) FROM levels) > 500, 'the sample has visitors');
SELECT is((SELECT count(*) FROM levels WHERE level IS DISTINCT FROM coalesce(plain_level, 0)), 0::bigint,
          'funnel_step equals the exact plain-SQL funnel for every visitor');
SELECT ok((SELECT count(*) FROM levels WHERE level = 5) > 0, 'some visitors reach paid');
SELECT is((SELECT count(*) FROM levels WHERE level < first_level), 0::bigint,
          'funnel_step never finds less than the first-occurrence funnel');
SELECT ok((SELECT count(*) FROM levels WHERE level > first_level) > 0,
          'funnel_step finds attempts that the first-occurrence funnel misses');
SELECT is((SELECT count(*) FROM levels WHERE strict_order_level > level OR strict_level > level), 0::bigint,
          'stricter modes never exceed the default');

SELECT is((SELECT funnel_counts(level, 5) FROM levels),
          (SELECT array_agg((SELECT count(*) FROM levels WHERE level >= k) ORDER BY k) FROM generate_series(1, 5) k),
          'funnel_counts is the cumulative count of levels');
SELECT is((SELECT array_agg(c ORDER BY channel) FROM
            (SELECT channel, funnel_counts(level, 5)::text AS c
             FROM levels JOIN (SELECT DISTINCT ON (visitor_id) visitor_id, channel FROM events
                               WHERE event = 'page_view' ORDER BY visitor_id, ts) ft USING (visitor_id)
             GROUP BY channel) x),
          (SELECT array_agg(c ORDER BY channel) FROM
            (SELECT channel, ARRAY[count(*) FILTER (WHERE level >= 1), count(*) FILTER (WHERE level >= 2),
                                   count(*) FILTER (WHERE level >= 3), count(*) FILTER (WHERE level >= 4),
                                   count(*) FILTER (WHERE level >= 5)]::text AS c
             FROM levels JOIN (SELECT DISTINCT ON (visitor_id) visitor_id, channel FROM events
                               WHERE event = 'page_view' ORDER BY visitor_id, ts) ft USING (visitor_id)
             GROUP BY channel) y),
          'funnel_counts by channel equals plain counts');

-- funnel_report groups by visitor itself: the same funnel as funnel_counts over
-- the levels above (which equal the plain SQL), in three modes, serial,
-- streamed (ORDER BY visitor, ts) and forced parallel.
SELECT is((SELECT funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request',
                                event = 'trial_start', event = 'paid') FROM events),
          (SELECT funnel_counts(level, 5) FROM levels), 'funnel_report equals funnel_counts over funnel_step');
SELECT is((SELECT funnel_report(visitor_id, ts, '7 days', 'strict_order', event = 'page_view', event = 'signup',
                                event = 'demo_request', event = 'trial_start', event = 'paid') FROM events),
          (SELECT funnel_counts(strict_order_level, 5) FROM levels), 'funnel_report, strict_order');
SELECT is((SELECT funnel_report(visitor_id, ts, '7 days', 'strict_increase,strict_deduplication', event = 'page_view',
                                event = 'signup', event = 'demo_request', event = 'trial_start', event = 'paid') FROM events),
          (SELECT funnel_counts(strict_level, 5) FROM levels), 'funnel_report, strict_increase and strict_deduplication');
SELECT is((SELECT funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request',
                                event = 'trial_start', event = 'paid' ORDER BY visitor_id, ts) FROM events),
          (SELECT funnel_counts(level, 5) FROM levels), 'funnel_report streamed in (visitor, ts) order');
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL enable_indexscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT ok((SELECT bool_or(p LIKE '%Partial Aggregate%') FROM (SELECT * FROM
             (VALUES (1)) x, LATERAL (SELECT plan_line FROM pg_temp.explain_lines(
               $q$SELECT funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup') FROM events$q$)
               plan_line) l) y(x, p)),
          'funnel_report runs as a partial aggregate in parallel workers');
SELECT is((SELECT funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request',
                                event = 'trial_start', event = 'paid') FROM events),
          (SELECT funnel_counts(level, 5) FROM levels), 'funnel_report in parallel (visitors split across workers)');
SELECT is((SELECT funnel_counts(level, 5) FROM
            (SELECT visitor_id, funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request',
                                            event = 'trial_start', event = 'paid') AS level
             FROM events GROUP BY visitor_id) v),
          (SELECT funnel_counts(level, 5) FROM levels), 'funnel_step per visitor in parallel');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET enable_indexscan;
RESET enable_bitmapscan;
-- The bound follows the data: under work_mem 1MB (a 2 MB budget) the sample's rows fit,
-- 300,000 rows (16 bytes each) do not.
SET LOCAL work_mem = '1MB';
SELECT lives_ok($$SELECT funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup') FROM events$$,
                'funnel_report within work_mem');
SELECT throws_ok($$SELECT funnel_report(g % 1000, now(), '7 days', true) FROM generate_series(1, 300000) g$$,
                 '53200', 'funnel_report exceeds its memory limit', 'funnel_report beyond work_mem: 53200');
RESET work_mem;

-- Errors and their SQLSTATEs.
SELECT throws_ok($$SELECT funnel_step(now(), '1 month', true)$$, '22023',
                 'funnel window must not contain months or years', 'months: 22023');
SELECT throws_ok($$SELECT funnel_step(now(), '0', true)$$, '22023',
                 'funnel window must be positive', 'zero window: 22023');
SELECT throws_ok($$SELECT funnel_step(now(), '-5 minutes', true)$$, '22023',
                 'funnel window must be positive', 'negative window: 22023');
SELECT throws_ok($$SELECT funnel_step(now(), NULL, true)$$, '22004', NULL, 'NULL window: 22004');
SELECT throws_ok($$SELECT funnel_step(now(), '2147483647 days', true)$$, '22015', NULL, 'huge window: 22015');
SELECT throws_ok($$SELECT funnel_step(now(), '1 day', 'strict_ordre', true)$$, '22023',
                 'unknown funnel mode "strict_ordre"', 'unknown mode: 22023');
SELECT throws_ok($$SELECT funnel_step(now(), '1 day', NULL::text, true)$$, '22004', NULL, 'NULL mode: 22004');
SELECT throws_ok($$SELECT funnel_step(now(), '1 day', VARIADIC array_fill(true, ARRAY[33]))$$, '54000',
                 'a funnel has at most 32 steps', '33 steps: 54000');
SELECT throws_ok($$SELECT funnel_step(now(), '1 day', VARIADIC '{}'::boolean[])$$, '22023', NULL, 'no steps: 22023');
SELECT throws_ok($$SELECT funnel_step(ts, '1 day', VARIADIC c)
                   FROM (VALUES (now(), '{true}'::boolean[]), (now(), '{true,true}')) v(ts, c)$$, '22023', NULL,
                 'step count changing within a group: 22023');
SELECT throws_ok($$SELECT funnel_step(ts, '1 day', m, true)
                   FROM (VALUES (now(), 'default'), (now(), 'strict_order')) v(ts, m)$$, '22023', NULL,
                 'mode changing within a group: 22023');
SELECT throws_ok($$SELECT funnel_counts(1, 0)$$, '22023', NULL, 'nsteps 0: 22023');
SELECT throws_ok($$SELECT funnel_counts(1, 33)$$, '22023', NULL, 'nsteps 33: 22023');
SELECT throws_ok($$SELECT funnel_counts(6, 5)$$, '22003',
                 'funnel level is out of range', 'level above nsteps: 22003');
SELECT throws_ok($$SELECT funnel_counts(-1, 5)$$, '22003', NULL, 'negative level: 22003');
SELECT throws_ok($$SELECT funnel_counts(1, NULL)$$, '22004', NULL, 'NULL nsteps: 22004');

SELECT throws_ok($$SELECT funnel_report(1.5, now(), '1 day', true)$$, '42804',
                 'funnel_report entities of type numeric are not supported', 'entity type: 42804');

SELECT * FROM finish();
ROLLBACK;
