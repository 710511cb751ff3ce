-- health_score on the sample dataset: an exact plain-SQL cross-check for every
-- account at many as_of instants, serial = forced-parallel plans, NULL rows,
-- and the churn signal the generator plants.
BEGIN;
SELECT plan(18);
SET LOCAL client_min_messages = warning;
SET LOCAL timezone = 'UTC';
CALL b2b_sample_generate(0.05, 42);

\set m '{"recent": "30 days", "baseline": "90 days", "signals": {"login": {"weight": 3}, "core_feature": {"weight": 5}, "help_view": {"weight": 1, "direction": "down"}, "support_ticket": {"weight": 1, "direction": "down", "target": 2}}}'

-- Every 9 days 7 hours over the data: 115 instants at all times of day.
CREATE TEMP TABLE as_ofs AS
SELECT g AS as_of FROM generate_series('2023-02-01'::timestamptz, '2026-01-01', '9 days 7 hours') g;

-- The counts, in plain SQL (FILTER per signal and window).
CREATE TEMP TABLE counts AS
SELECT a.account_id, o.as_of,
  count(*) FILTER (WHERE e.event = 'login'          AND e.ts > o.as_of - interval '30 days'  AND e.ts <= o.as_of) AS r_login,
  count(*) FILTER (WHERE e.event = 'login'          AND e.ts > o.as_of - interval '120 days' AND e.ts <= o.as_of - interval '30 days') AS b_login,
  count(*) FILTER (WHERE e.event = 'core_feature'   AND e.ts > o.as_of - interval '30 days'  AND e.ts <= o.as_of) AS r_core,
  count(*) FILTER (WHERE e.event = 'core_feature'   AND e.ts > o.as_of - interval '120 days' AND e.ts <= o.as_of - interval '30 days') AS b_core,
  count(*) FILTER (WHERE e.event = 'help_view'      AND e.ts > o.as_of - interval '30 days'  AND e.ts <= o.as_of) AS r_help,
  count(*) FILTER (WHERE e.event = 'help_view'      AND e.ts > o.as_of - interval '120 days' AND e.ts <= o.as_of - interval '30 days') AS b_help,
  count(*) FILTER (WHERE e.event = 'support_ticket' AND e.ts > o.as_of - interval '30 days'  AND e.ts <= o.as_of) AS r_ticket
FROM accounts a CROSS JOIN as_ofs o LEFT JOIN events e ON e.account_id = a.account_id
GROUP BY a.account_id, o.as_of;

-- The formula in exact integer arithmetic.  Each component is a fraction cn/cd:
-- login and core_feature (up, e = b * 30/90): x = 3r / b, c = min(3r, b) / b, or 1 when b = 0;
-- help_view (down): c = 1 when 3r <= b or b = 0, else b / 3r;
-- support_ticket (down, target 2, always has data): c = 1 when r <= 2, else 2 / r.
-- hundredths = floor(10000 * sum(w cn/cd) / sum(w) + 1/2) = div(20000 n + w d, 2 w d),
-- with n / d = sum(w cn/cd) over a common denominator; numeric keeps these integers exact.
CREATE TEMP TABLE expected AS
SELECT account_id, as_of,
       CASE WHEN w > 0 THEN div(20000 * n + w * d, 2 * w * d) / 100.0 END AS score,
       w > 0 AND mod(20000 * n + w * d, 2 * w * d) = 0 AS on_half_hundredth
FROM (
  SELECT account_id, as_of, 3 * h1 + 5 * h2 + h3 + 1 AS w,
         3 * h1 * c1n * c2d * c3d * c4d + 5 * h2 * c2n * c1d * c3d * c4d
           + h3 * c3n * c1d * c2d * c4d + c4n * c1d * c2d * c3d AS n,
         c1d * c2d * c3d * c4d AS d
  FROM (
    SELECT account_id, as_of,
      (r_login + b_login > 0)::int AS h1, (r_core + b_core > 0)::int AS h2, (r_help + b_help > 0)::int AS h3,
      (CASE WHEN b_login = 0 THEN 1 ELSE least(3 * r_login, b_login) END)::numeric AS c1n,
      greatest(b_login, 1)::numeric AS c1d,
      (CASE WHEN b_core = 0 THEN 1 ELSE least(3 * r_core, b_core) END)::numeric AS c2n,
      greatest(b_core, 1)::numeric AS c2d,
      (CASE WHEN b_help = 0 OR 3 * r_help <= b_help THEN 1 ELSE b_help END)::numeric AS c3n,
      (CASE WHEN b_help = 0 OR 3 * r_help <= b_help THEN 1 ELSE 3 * r_help END)::numeric AS c3d,
      (CASE WHEN r_ticket <= 2 THEN 1 ELSE 2 END)::numeric AS c4n,
      (CASE WHEN r_ticket <= 2 THEN 1 ELSE r_ticket END)::numeric AS c4d
    FROM counts) fractions
) sums;

CREATE TEMP TABLE serial AS
SELECT a.account_id, o.as_of,
       health_score(e.ts, e.event, o.as_of, :'m') AS score,
       health_score_detail(e.ts, e.event, o.as_of, :'m') AS detail
FROM as_ofs o CROSS JOIN accounts a LEFT JOIN events e ON e.account_id = a.account_id
GROUP BY a.account_id, o.as_of;

SELECT is((SELECT count(*) FROM expected), (SELECT count(*) FROM accounts) * (SELECT count(*) FROM as_ofs),
          'cross-check covers every account at every instant');
SELECT is((SELECT count(*) FROM expected x JOIN serial s USING (account_id, as_of)
           WHERE x.score IS DISTINCT FROM s.score), 0::bigint,
          'health_score = the formula in exact plain SQL, for every account and instant');
SELECT cmp_ok((SELECT count(*) FROM expected WHERE on_half_hundredth), '>', 0::bigint,
              'the cross-check includes scores exactly on a half hundredth (rounded up)');

-- The two-step form: states per account, user and instant (events without a user form their
-- own group), sent through their text form, rolled up per account: the exact oracle again.
CREATE TEMP TABLE user_states AS
SELECT e.account_id, o.as_of, e.user_id, health_state(e.ts, e.event, o.as_of, :'m')::text AS st
FROM as_ofs o JOIN events e ON e.ts > o.as_of - interval '120 days' AND e.ts <= o.as_of
WHERE e.account_id IS NOT NULL
GROUP BY e.account_id, o.as_of, e.user_id;
SELECT cmp_ok((SELECT count(*) FROM user_states), '>', (SELECT count(DISTINCT (account_id, as_of)) FROM user_states),
              'several users per account and instant');
SELECT is((SELECT count(*) FROM expected x
           JOIN (SELECT account_id, as_of, health_state_score(health_rollup(st::health_state)) AS score
                 FROM user_states GROUP BY account_id, as_of) r USING (account_id, as_of)
           WHERE x.score IS DISTINCT FROM r.score), 0::bigint,
          'per-user states rolled up per account = the formula in exact plain SQL');
SELECT is((SELECT count(*) FROM serial WHERE (detail ->> 'score')::numeric IS DISTINCT FROM score), 0::bigint,
          'health_score_detail carries the same score');
SELECT is((SELECT count(*) FROM serial s JOIN counts c USING (account_id, as_of)
           WHERE (detail #>> '{signals,login,recent}')::bigint <> r_login
              OR (detail #>> '{signals,login,baseline}')::bigint <> b_login
              OR (detail #>> '{signals,core_feature,recent}')::bigint <> r_core
              OR (detail #>> '{signals,help_view,baseline}')::bigint <> b_help
              OR (detail #>> '{signals,support_ticket,recent}')::bigint <> r_ticket), 0::bigint,
          'health_score_detail counts = FILTER counts');

-- NULL ts and NULL signal rows change nothing.
SELECT is((SELECT count(*) FROM (
             SELECT account_id, health_score(ts, event, '2025-09-01', :'m') AS score FROM (
               SELECT account_id, ts, event FROM events
               UNION ALL SELECT account_id, NULL, 'login' FROM events
               UNION ALL SELECT account_id, ts, NULL FROM events) x
             GROUP BY account_id) y
           JOIN serial s ON s.account_id = y.account_id AND s.as_of = '2025-09-01'
           WHERE y.score IS DISTINCT FROM s.score), 0::bigint,
          'rows with NULL ts or NULL signal are ignored');

-- Forced-parallel plans: partial states are serialized, sent and combined.
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; plan text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP plan := plan || line || E'\n'; END LOOP;
  RETURN plan;
END $$;
-- (a plain table: temporary ones are never scanned in parallel; ROLLBACK drops it)
CREATE TABLE health_wide AS
SELECT e.account_id, e.ts, e.event, o.as_of FROM events e, as_ofs o WHERE e.account_id IS NOT NULL;
ANALYZE health_wide;
-- The same model for all, and a model per group (parsed per group, serialized as text).
CREATE TABLE health_models AS
SELECT k, jsonb_set(:'m'::jsonb, '{signals,login,weight}', to_jsonb(k + 1)) AS model FROM generate_series(0, 2) k;
\set q1 'SELECT account_id, as_of, health_score(ts, event, as_of, ' :'m' '::jsonb) AS score, health_score_detail(ts, event, as_of, ' :'m' '::jsonb) AS detail FROM health_wide GROUP BY account_id, as_of'
\set q2 'SELECT account_id, as_of, health_score(ts, event, as_of, model) AS score, health_score_detail(ts, event, as_of, model) AS detail FROM health_wide JOIN health_models ON k = account_id % 3 GROUP BY account_id, as_of'
SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial1 AS :q1;
CREATE TEMP TABLE serial2 AS :q2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL enable_hashagg = off;  -- a sorted plan too: Partial GroupAggregate
SELECT matches(pg_temp.plan_of(:'q1'), 'Finalize GroupAggregate.*Gather.*Partial GroupAggregate', 'the forced sorted plan aggregates in parallel');
SELECT matches(pg_temp.plan_of(:'q2'), 'Finalize GroupAggregate.*Gather.*Partial GroupAggregate', 'so does the plan with a model per group');
CREATE FUNCTION pg_temp.workers_launched(query text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE plan jsonb;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || query INTO plan;
  RETURN (SELECT coalesce(sum(v::int), 0) FROM jsonb_path_query(plan, 'strict $.** ? (exists (@."Workers Launched"))."Workers Launched"') v);
END $$;
SELECT cmp_ok(pg_temp.workers_launched(:'q1'), '>', 0, 'parallel workers really run it');
CREATE TEMP TABLE parallel1 AS :q1;
CREATE TEMP TABLE parallel2 AS :q2;
SELECT is((SELECT count(*) FROM serial1 s FULL JOIN parallel1 p USING (account_id, as_of)
           WHERE s.score IS DISTINCT FROM p.score OR s.detail IS DISTINCT FROM p.detail), 0::bigint,
          'serial = forced-parallel, one model');
SELECT is((SELECT count(*) FROM serial2 s FULL JOIN parallel2 p USING (account_id, as_of)
           WHERE s.score IS DISTINCT FROM p.score OR s.detail IS DISTINCT FROM p.detail), 0::bigint,
          'serial = forced-parallel, a model per group');
SELECT is((SELECT count(*) FROM serial1 s JOIN serial x USING (account_id, as_of) WHERE s.score IS DISTINCT FROM x.score),
          0::bigint, 'the wide table gives the same scores');
SET LOCAL enable_hashagg = on;
SET LOCAL enable_sort = off;
SELECT matches(pg_temp.plan_of(:'q1'), 'Finalize HashAggregate.*Gather.*Partial HashAggregate', 'the forced hashed plan aggregates in parallel');
CREATE TEMP TABLE parallel3 AS :q1;
SELECT is((SELECT count(*) FROM serial1 s FULL JOIN parallel3 p USING (account_id, as_of)
           WHERE s.score IS DISTINCT FROM p.score OR s.detail IS DISTINCT FROM p.detail), 0::bigint,
          'serial = forced-parallel hashed');
RESET enable_sort;

-- The generator makes usage fall before churn: over month starts of 2024-2025, accounts
-- paying at as_of that stop paying within the month score markedly lower.
CREATE TEMP TABLE fates AS
SELECT c.account_id, c.as_of,
       coalesce((SELECT sum(mrr) FROM subscriptions s WHERE s.account_id = c.account_id
                   AND s.started_at <= c.as_of AND (s.ended_at IS NULL OR s.ended_at > c.as_of)), 0) AS mrr_now,
       coalesce((SELECT sum(mrr) FROM subscriptions s WHERE s.account_id = c.account_id
                   AND s.started_at <= c.as_of + interval '1 month'
                   AND (s.ended_at IS NULL OR s.ended_at > c.as_of + interval '1 month')), 0) AS mrr_next
FROM (SELECT account_id, m AS as_of FROM accounts, generate_series('2024-01-01'::timestamptz, '2025-11-01', '1 month') m) c;
CREATE TEMP TABLE medians AS
SELECT f.mrr_next = 0 AS churns, count(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY health_score) AS median
FROM fates f,
     LATERAL (SELECT health_score(e.ts, e.event, f.as_of, :'m') FROM events e WHERE e.account_id = f.account_id) h
WHERE f.mrr_now > 0
GROUP BY 1;
SELECT cmp_ok((SELECT n FROM medians WHERE churns), '>=', 5::bigint, 'some paying accounts churn in the month after');
SELECT cmp_ok((SELECT median FROM medians WHERE churns) + 10, '<', (SELECT median FROM medians WHERE NOT churns),
              'accounts that churn next month have a median score over 10 points lower');

SELECT * FROM finish();
ROLLBACK;
