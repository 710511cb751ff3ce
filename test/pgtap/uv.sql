-- pgTAP: uv_hll / uv_sketch / uvsketch on the sample dataset, SQLSTATEs, parallel plans, memory.
BEGIN;
SET client_min_messages = warning;
SELECT plan(46);

CREATE SCHEMA hll_t;
SET search_path = hll_t, public;
CALL b2b_sample_generate(0.05, 11);

-- The API exists with the documented signatures.
SELECT has_type('public', 'uvsketch', 'type uvsketch');
SELECT has_function('public', 'uv_hll', ARRAY['anyelement'], 'uv_hll(anyelement)');
SELECT has_function('public', 'uv_hll', ARRAY['anyelement', 'integer'], 'uv_hll(anyelement, int)');
SELECT has_function('public', 'uv_hll', ARRAY['uvsketch'], 'uv_hll(uvsketch)');
SELECT has_function('public', 'uv_sketch', ARRAY['anyelement'], 'uv_sketch(anyelement)');
SELECT has_function('public', 'uv_sketch', ARRAY['anyelement', 'integer'], 'uv_sketch(anyelement, int)');
SELECT has_function('public', 'uv_sketch', ARRAY['uvsketch'], 'uv_sketch(uvsketch)');
SELECT has_function('public', 'uv_hll', ARRAY['bigint'], 'uv_hll(bigint)');
SELECT has_function('public', 'uv_sketch', ARRAY['text', 'integer'], 'uv_sketch(text, int)');
SELECT has_function('public', 'uv_hash_version', ARRAY['uvsketch'], 'uv_hash_version(uvsketch)');
SELECT has_operator('uvsketch', 'public', '||', 'uvsketch', 'uvsketch', 'uvsketch || uvsketch');
SELECT has_operator('uvsketch', 'public', '=', 'uvsketch', 'boolean', 'uvsketch = uvsketch');

-- On the sample (under 1,792 visitors per group) uv_hll is exact: same as count(DISTINCT).
SELECT ok((SELECT count(DISTINCT visitor_id) FROM events) BETWEEN 200 AND 1792,
          'the sample has a few hundred visitors (inside the exact range)');
SELECT is((SELECT uv_hll(visitor_id) FROM events), (SELECT count(DISTINCT visitor_id) FROM events),
          'overall UV is exact');
SELECT results_eq(
  $$SELECT channel, date_trunc('day', ts), uv_hll(visitor_id) FROM events GROUP BY 1, 2 ORDER BY 1, 2$$,
  $$SELECT channel, date_trunc('day', ts), count(DISTINCT visitor_id) FROM events GROUP BY 1, 2 ORDER BY 1, 2$$,
  'UV by channel and day equals count(DISTINCT)');
SELECT results_eq(
  $$SELECT event, uv_hll(page), uv_hll(utm_campaign) FROM events GROUP BY 1 ORDER BY 1$$,
  $$SELECT event, count(DISTINCT page), count(DISTINCT utm_campaign) FROM events GROUP BY 1 ORDER BY 1$$,
  'text keys (and NULLs in them) count like count(DISTINCT)');
SELECT is((SELECT uv_hll(visitor_id::text) FROM events), (SELECT uv_hll(visitor_id) FROM events),
          'a text key counts the same visitors');

-- Hash version 2 against count(DISTINCT) on the sample: structured 64-bit ids, timestamps,
-- and signed numerics inside arrays, records and jsonb.
SELECT results_eq(
  $$SELECT channel, uv_hll((visitor_id << 32) | visitor_id), uv_hll((account_id << 32) | (visitor_id % 1000)) FROM events GROUP BY 1 ORDER BY 1$$,
  $$SELECT channel, count(DISTINCT (visitor_id << 32) | visitor_id), count(DISTINCT (account_id << 32) | (visitor_id % 1000)) FROM events GROUP BY 1 ORDER BY 1$$,
  'structured 64-bit ids (k << 32 | k, account << 32 | n) count like count(DISTINCT)');
SELECT results_eq(
  $$SELECT event, uv_hll(date_trunc('hour', ts)), uv_hll(date_trunc('hour', ts)::timestamp),
            uv_hll(date_trunc('minute', ts) - date_trunc('day', ts)) FROM events GROUP BY 1 ORDER BY 1$$,
  $$SELECT event, count(DISTINCT date_trunc('hour', ts)), count(DISTINCT date_trunc('hour', ts)::timestamp),
            count(DISTINCT date_trunc('minute', ts) - date_trunc('day', ts)) FROM events GROUP BY 1 ORDER BY 1$$,
  'timestamps, timestamptz and intervals (times of day, to the minute: at most 1,440, so exact) count like count(DISTINCT)');
SELECT results_eq(
  $$SELECT plan, uv_hll(ARRAY[mrr - 100, amount - 100]), uv_hll(ROW(mrr - 100, account_id << 32)),
           uv_hll(jsonb_build_object('d', mrr - 100, 'a', ARRAY[100 - amount])),
           uv_hll(numrange(mrr - 100, mrr - 50))
    FROM subscriptions GROUP BY 1 ORDER BY 1$$,
  $$SELECT plan, count(DISTINCT ARRAY[mrr - 100, amount - 100]), count(DISTINCT ROW(mrr - 100, account_id << 32)),
           count(DISTINCT jsonb_build_object('d', mrr - 100, 'a', ARRAY[100 - amount])),
           count(DISTINCT numrange(mrr - 100, mrr - 50))
    FROM subscriptions GROUP BY 1 ORDER BY 1$$,
  'signed numerics inside arrays, records, jsonb and ranges count like count(DISTINCT)');
SELECT ok((SELECT count(*) FROM subscriptions WHERE mrr < 100) > 0 AND (SELECT count(*) FROM subscriptions WHERE mrr > 100) > 0,
          'the sample has amounts on both sides of 100 (so the signs above vary)');

-- Daily sketches roll up to monthly UV: identical to the estimate over raw rows.
CREATE TABLE daily_uv AS
SELECT date_trunc('day', ts) AS day, channel, uv_sketch(visitor_id) AS visitors FROM events GROUP BY 1, 2;
SELECT results_eq(
  $$SELECT date_trunc('month', day), uv_hll(visitors) FROM daily_uv GROUP BY 1 ORDER BY 1$$,
  $$SELECT date_trunc('month', ts), count(DISTINCT visitor_id) FROM events GROUP BY 1 ORDER BY 1$$,
  'monthly UV from daily sketches equals count(DISTINCT) over the month');
SELECT results_eq(
  $$SELECT channel, uv_count(uv_sketch(visitors)) FROM daily_uv GROUP BY 1 ORDER BY 1$$,
  $$SELECT channel, uv_hll(visitor_id) FROM events GROUP BY 1 ORDER BY 1$$,
  'uv_sketch(uvsketch) then uv_count equals uv_hll over raw rows');
CREATE TEMP TABLE two_days AS
SELECT channel, min(day) AS d1, max(day) AS d2 FROM daily_uv
WHERE channel = (SELECT channel FROM daily_uv GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1) GROUP BY 1;
SELECT is((SELECT uv_count(a.visitors || b.visitors) FROM two_days t
           JOIN daily_uv a ON a.channel = t.channel AND a.day = t.d1
           JOIN daily_uv b ON b.channel = t.channel AND b.day = t.d2),
          (SELECT count(DISTINCT visitor_id) FROM events e JOIN two_days t USING (channel)
           WHERE date_trunc('day', e.ts) IN (t.d1, t.d2)),
          'a || b counts the union of two days');

-- Error codes.
SELECT throws_ok($$SELECT 'nope'::uvsketch$$, '22P02', NULL, 'bad text input: 22P02');
SELECT throws_ok($$SELECT 'uv:0113010000000000'::uvsketch$$, '22P02', NULL, 'bad precision in text: 22P02');
SELECT throws_ok($$SELECT '\x0113010000000000'::bytea::uvsketch$$, '22P03', NULL, 'bad bytea: 22P03');
SELECT throws_ok($$SELECT '\x010e0100'::bytea::uvsketch$$, '22P03', NULL, 'short bytea: 22P03');
SELECT throws_ok($$SELECT uv_hll(x, 19) FROM generate_series(1, 2) x$$, '22023',
                 'precision 19 is out of range', 'precision 19: 22023');
SELECT throws_ok($$SELECT uv_sketch(x, 3) FROM generate_series(1, 2) x$$, '22023', NULL, 'precision 3: 22023');
SELECT throws_ok($$SELECT uv_hll(x, NULL) FROM generate_series(1, 2) x$$, '22004', NULL, 'NULL precision: 22004');
SELECT throws_ok($$SELECT uv_hll(point(x, x)) FROM generate_series(1, 2) x$$, '42883',
                 'could not identify an extended hash function for type point', 'no hash support: 42883');
SELECT throws_ok($$SELECT uv_sketch_transfn(NULL::uvsketch, 1)$$, '0A000', NULL, 'transition outside an aggregate: 0A000');
SELECT throws_ok($$SELECT 'uv:010e010000000000'::uvsketch || uv_sketch(1)$$, '22023',
                 'cannot combine uvsketch values of different hash versions', 'mixing hash versions: 22023');
SELECT throws_ok($$SELECT uv_add('uv:010e010000000000', 1)$$, '22023', NULL, 'adding to a 1.0 sketch: 22023');

-- Serial = parallel, with Partial/Finalize Aggregate in the plan.
CREATE FUNCTION pg_temp.plan_text(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE line text; result text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP result := result || line || E'\n'; END LOOP;
  RETURN result;
END $f$;
CREATE TEMP TABLE serial_uv AS
SELECT channel, uv_hll(visitor_id) AS uv, uv_sketch(visitor_id, 10) AS s, uv_hll(page) AS pages
FROM events GROUP BY channel;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;
SELECT alike(pg_temp.plan_text($$SELECT channel, uv_hll(visitor_id), uv_sketch(visitor_id, 10) FROM events GROUP BY channel$$),
            '%Finalize%Partial%Aggregate%', 'grouped plan has Finalize and Partial aggregates');
SELECT alike(pg_temp.plan_text($$SELECT uv_hll(visitor_id) FROM events$$),
            '%Finalize Aggregate%Partial Aggregate%', 'overall plan has Finalize and Partial aggregates');
SELECT results_eq(
  $$SELECT channel, uv_hll(visitor_id), uv_sketch(visitor_id, 10), uv_hll(page) FROM events GROUP BY channel ORDER BY 1$$,
  $$SELECT channel, uv, s, pages FROM serial_uv ORDER BY 1$$,
  'forced-parallel results equal serial ones');
SELECT is((SELECT uv_hll(visitor_id) FROM events), (SELECT count(DISTINCT visitor_id) FROM events),
          'forced-parallel overall UV is exact');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- Memory.  A group's state grows after the hash aggregate admitted its group, so the
-- aggregates declare the size it comes to (SSPACE): with every group growing to full
-- registers, the hash table still stays near work_mem x hash_mem_multiplier, spilling
-- the groups that do not fit into batches, and the counts do not change.
CREATE FUNCTION pg_temp.agg_plan(q text) RETURNS jsonb LANGUAGE plpgsql AS $f$
DECLARE p jsonb;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || q INTO p;
  RETURN p -> 0 -> 'Plan';
END $f$;
CREATE TABLE growing AS SELECT i % 300 AS g, i AS v FROM generate_series(0, 539999) i;
ANALYZE growing;
SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL enable_sort = off;
SET LOCAL work_mem = '64MB';
CREATE TEMP TABLE growing_in_memory AS SELECT g, uv_hll(v) AS n FROM growing GROUP BY g;
SET LOCAL work_mem = '1MB';
SET LOCAL hash_mem_multiplier = 1.0;
CREATE TEMP TABLE mem_plan AS
SELECT pg_temp.agg_plan('SELECT g, uv_hll(v) FROM growing GROUP BY g') AS p;
SELECT ok((SELECT (p ->> 'Peak Memory Usage')::int <= 1024 * 1.25 FROM mem_plan),
          '300 groups growing to 16 KiB each with a 1 MB limit: peak memory within 1.25 MB, got '
          || (SELECT p ->> 'Peak Memory Usage' FROM mem_plan) || ' kB');
SELECT ok((SELECT (p ->> 'HashAgg Batches')::int > 1 FROM mem_plan), '... by spilling groups into batches');
SELECT results_eq($$SELECT g, uv_hll(v) FROM growing GROUP BY g ORDER BY g$$,
                  $$SELECT g, n FROM growing_in_memory ORDER BY g$$,
                  '... with the counts of the in-memory aggregate');
SET LOCAL work_mem = '4MB';
SET LOCAL hash_mem_multiplier = 2.0;
CREATE TEMP TABLE mem_plan_8 AS
SELECT pg_temp.agg_plan('SELECT g, uv_hll(v) FROM growing GROUP BY g') AS p;
SELECT ok((SELECT (p ->> 'Peak Memory Usage')::int <= 8192 * 1.25 FROM mem_plan_8),
          'with an 8 MB limit: peak memory within 10 MB, got '
          || (SELECT p ->> 'Peak Memory Usage' FROM mem_plan_8) || ' kB');
-- 20,000 small groups (about 100 values each, 1 KiB states) fit in one batch when the
-- limit covers the declared size, and every group is counted exactly.
CREATE TABLE many_groups AS
SELECT i % 20000 AS g, (i / 20000) * 7919 % 1000003 AS v FROM generate_series(0, 1999999) i;
ANALYZE many_groups;
SET LOCAL work_mem = '256MB';
CREATE TEMP TABLE small_plan AS
SELECT pg_temp.agg_plan('SELECT g, uv_hll(v) FROM many_groups GROUP BY g') AS p;
SELECT is((SELECT (p ->> 'Strategy') || '/' || (p ->> 'HashAgg Batches') FROM small_plan),
          'Hashed/1', '20,000 groups: HashAggregate in one batch (no spill)');
SELECT ok((SELECT (p ->> 'Peak Memory Usage')::bigint < 40960 FROM small_plan),
          '20,000 groups of 100 values: peak memory under 40 MB, got '
          || (SELECT p ->> 'Peak Memory Usage' FROM small_plan) || ' kB');
SELECT results_eq(
  $$SELECT count(*), sum(n)::bigint FROM (SELECT g, uv_hll(v) AS n FROM many_groups GROUP BY g) s$$,
  $$SELECT 20000::bigint, 2000000::bigint$$,
  '... and every group is counted exactly');

SELECT * FROM finish();
ROLLBACK;
