-- The signals family: hand-worked values, edge cases, every error with its
-- SQLSTATE, serial = forced-parallel.  Exactness against plain SQL on the
-- sample data is in test/pgtap/signals.sql.
SET timezone = 'UTC';

CREATE FUNCTION pg_temp.fails(query text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
  detail text;
  hint text;
BEGIN
  EXECUTE query;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
  RETURN SQLSTATE || ': ' || SQLERRM || CASE WHEN detail <> '' THEN ' DETAIL: ' || detail ELSE '' END
         || CASE WHEN hint <> '' THEN ' HINT: ' || hint ELSE '' END;
END $f$;

-- ---- score_auc ----------------------------------------------------------------------------
-- Perfect order: 1.  Reversed: 0.
SELECT score_auc(s, y) FROM (VALUES (1, false), (2, false), (3, true), (4, true)) v(s, y);
SELECT score_auc(-s, y) FROM (VALUES (1, false), (2, false), (3, true), (4, true)) v(s, y);
-- Ties by hand: positives at 1 and 2, negatives at 2 and 3.  Pairs (pos, neg):
-- (1,2) 0, (1,3) 0, (2,2) tie 1/2, (2,3) 0: 0.5 / 4 = 0.125.
SELECT score_auc(s, y) FROM (VALUES (1, true), (2, false), (2, true), (3, false)) v(s, y);
-- Every pair tied: 0.5.  Three positives at 5, one negative at 5 and one at 4:
-- pairs 3 x 1 tied + 3 x 1 won = (3/2 + 3) / 6 = 0.75.
SELECT score_auc(7, y) FROM (VALUES (true), (false), (false)) v(y);
SELECT score_auc(s, y) FROM (VALUES (5, true), (5, true), (5, true), (5, false), (4, false)) v(s, y);
-- NaN is above infinity (float8 order), -0 equals 0: pairs NaN>inf, NaN>0, -0<inf, -0=0 -> 2.5/4.
SELECT score_auc(s, y) FROM (VALUES ('NaN'::float8, true), ('Infinity', false), ('-0', true), ('0', false)) v(s, y);
-- All outcomes equal, no rows, only NULL rows: NULL, not an error.
SELECT score_auc(s, true) IS NULL AS all_positive FROM generate_series(1, 3) s;
SELECT score_auc(s, false) IS NULL AS all_negative FROM generate_series(1, 3) s;
SELECT score_auc(s, s > 1) IS NULL AS no_rows FROM generate_series(1, 3) s WHERE false;
SELECT score_auc(NULL, true) IS NULL AS null_rows, score_auc(1, NULL) IS NULL AS null_outcomes FROM generate_series(1, 3);
-- NULL rows are skipped: the first example with two NULL rows added is still 0.125.
SELECT score_auc(s, y) FROM (VALUES (1, true), (2, false), (NULL, true), (2, true), (3, NULL), (3, false)) v(s, y);
-- Per group, with a dashboard's untyped parameters.
PREPARE auc_by(int) AS SELECT g, score_auc(s, y) FROM (VALUES (1, 1, true), (1, 2, false), (2, 1, false), (2, 2, true)) v(g, s, y) WHERE g <= $1 GROUP BY g ORDER BY g;
EXECUTE auc_by(2);

-- ---- action_lift --------------------------------------------------------------------------
-- Five users.  report: u1 (converted), u2 (converted), u3 (not); export: u1, u4 (not);
-- u5 did nothing and converted.  Totals 5 users, 3 converted.
-- report: did 3, converted 2 -> 2/3; not 2 (u4, u5), converted 1 -> 1/2; lift 4/3;
-- interval 4/3 exp(+-1.96 sqrt(1/2 - 1/3 + 1/1 - 1/2)) = 4/3 exp(+-1.600329) = [0.2691, 6.6061];
-- pooled 3/5, z = (2/3 - 1/2) / sqrt(0.6 x 0.4 x (1/3 + 1/2)) = 0.372678, p = 0.7094 (both).
-- export: did 2, converted 1 -> 1/2; not 3, converted 2 -> 2/3; lift 3/4.
CREATE TEMP TABLE users5(u int, actions text[], converted boolean);
INSERT INTO users5 VALUES (1, '{report,export,report}', true), (2, '{report}', true), (3, '{report,NULL}', false),
                          (4, '{export}', false), (5, NULL, true);
SELECT l.action, l.users_did, l.converted_did, round(l.rate_did::numeric, 4) AS rate_did,
       l.users_not, l.converted_not, round(l.rate_not::numeric, 4) AS rate_not, round(l.lift::numeric, 4) AS lift,
       round(l.lift_low::numeric, 4) AS lift_low, round(l.lift_high::numeric, 4) AS lift_high,
       round(l.p_value::numeric, 4) AS p_value
FROM (SELECT action_lift(actions, converted) AS a FROM users5) x, unnest(x.a) l;
-- min_support 3 keeps report only; a user with a NULL outcome is not counted.
SELECT (unnest(action_lift(actions, converted, 3))).action FROM users5;
SELECT (unnest(action_lift(actions, converted))).users_not FROM (SELECT * FROM users5 UNION ALL SELECT 6, '{report}', NULL) u;
-- Edge cases: everyone did it (no one to compare with: no lift); nobody converted among
-- those who did not (no lift); no rows: NULL.
SELECT (l).action, (l).rate_did, (l).rate_not, (l).lift, (l).p_value
FROM (SELECT unnest(action_lift('{a}', c)) l FROM (VALUES (true), (false)) v(c)) x;
SELECT (l).action, (l).lift, (l).lift_low FROM (SELECT unnest(action_lift(a, c)) l FROM (VALUES ('{x}'::text[], true), ('{}', false)) v(a, c)) x;
SELECT action_lift(actions, converted) IS NULL AS no_rows FROM users5 WHERE false;

-- ---- churn_signals ------------------------------------------------------------------------
-- Two accounts: A churned at 2025-06-01, B retained with reference 2025-06-01.
-- login: A 1 recent, 6 baseline; B 2 recent, 3 baseline.  Windows 10 and 30 days:
-- churned ratio 1 x 3 / (6 x 1) = 0.5, retained 2 x 3 / 3 = 2, difference -1.5.
-- The boundaries: a row at ref_at is recent, at ref_at - 10 days baseline,
-- at ref_at - 40 days ignored, after ref_at ignored.
CREATE TEMP TABLE ev(account text, ts timestamptz, event text);
INSERT INTO ev
SELECT 'A', '2025-06-01'::timestamptz, 'login'
UNION ALL SELECT 'A', '2025-06-01'::timestamptz - interval '10 days' - g * interval '1 day', 'login' FROM generate_series(0, 5) g
UNION ALL SELECT 'A', '2025-06-01'::timestamptz - interval '40 days', 'login'
UNION ALL SELECT 'A', '2025-06-02', 'login'
UNION ALL SELECT 'B', '2025-05-30', 'login' UNION ALL SELECT 'B', '2025-05-31', 'login'
UNION ALL SELECT 'B', '2025-05-01', 'login' UNION ALL SELECT 'B', '2025-05-02', 'login' UNION ALL SELECT 'B', '2025-05-03', 'login'
UNION ALL SELECT 'A', '2025-05-28', 'ticket' UNION ALL SELECT 'B', '2025-05-01', 'ticket';
CREATE TEMP TABLE refs(account text, ref_at timestamptz, churned boolean);
INSERT INTO refs VALUES ('A', '2025-06-01', true), ('B', '2025-06-01', false);
SELECT (s).event, (s).churned_recent, (s).churned_baseline, (s).retained_recent, (s).retained_baseline,
       (s).churned_ratio, (s).retained_ratio, (s).difference, round((s).z::numeric, 6) AS z, round((s).p_value::numeric, 6) AS p
FROM (SELECT unnest(churn_signals(e.ts, e.event, r.ref_at, r.churned, '10 days', '30 days')) s
      FROM ev e JOIN refs r USING (account)) x;
-- login z by hand: recent shares 1/7 and 2/5, pooled 3/12 = 0.25;
-- z = (1/7 - 2/5) / sqrt(0.25 x 0.75 x (1/7 + 1/5)) = -0.257143 / 0.253546 = -1.014185.
SELECT churn_signals_model(e.ts, e.event, r.ref_at, r.churned, '10 days', '30 days', 5)
FROM ev e JOIN refs r USING (account);
-- No signal with ratios in both groups: NULL model.
SELECT churn_signals_model(e.ts, e.event, r.ref_at, r.churned, '10 days', '30 days', 5) IS NULL AS no_model
FROM ev e JOIN refs r USING (account) WHERE e.event = 'ticket';

-- ---- account_engagement -------------------------------------------------------------------
-- as_of 2025-06-30, window 10 days: current (06-20, 06-30], previous (06-10, 06-20].
-- Current: user 1 on 06-30 (report) and 06-29 23:00 (export) -- day 0 is (06-29, 06-30] --,
-- user 2 on 06-25 (report), a row without user or feature on 06-25: 2 users, 2 features,
-- 2 active days, 4 events.  Previous: user 1 on 06-20 exactly (login), user 3 on 06-15
-- (NULL feature): 2 users, 1 feature, 2 days, 2 events.  Rows after as_of or before
-- 06-10 are ignored.  Trends 2/2 = 1 and 4/2 = 2.
CREATE TEMP TABLE eng(account text, user_id bigint, feature text, ts timestamptz);
INSERT INTO eng VALUES ('A', 1, 'report', '2025-06-30'), ('A', 1, 'export', '2025-06-29 23:00'),
  ('A', 2, 'report', '2025-06-25'), ('A', NULL, NULL, '2025-06-25'),
  ('A', 1, 'login', '2025-06-20'), ('A', 3, NULL, '2025-06-15'),
  ('A', 4, 'login', '2025-07-01'), ('A', 5, 'login', '2025-06-10'), ('B', 9, 'x', '2025-01-01');
SELECT account, (e).* FROM (SELECT account, account_engagement(user_id, feature, ts, '2025-06-30', '10 days') e
                            FROM eng GROUP BY account) x ORDER BY account;
-- The default window is 30 days: every row of A but the one after as_of is current.
SELECT (account_engagement(user_id, feature, ts, '2025-06-30')).users FROM eng WHERE account = 'A';
PREPARE engage_at(timestamptz, interval) AS
  SELECT (account_engagement(user_id, feature, ts, $1, $2)).events FROM eng;
EXECUTE engage_at('2025-06-30', '10 days');

-- ---- errors -------------------------------------------------------------------------------
\set VERBOSITY verbose
SELECT pg_temp.fails($$SELECT action_lift(actions, converted, 0) FROM users5$$);
SELECT pg_temp.fails($$SELECT action_lift(actions, converted, NULL) FROM users5$$);
SELECT pg_temp.fails($$SELECT action_lift(actions, converted, u) FROM users5$$);
SELECT pg_temp.fails($$SELECT action_lift('{{a},{b}}', true)$$);
SELECT pg_temp.fails($$SELECT churn_signals(ts, event, now(), true, '1 month', '90 days') FROM ev$$);
SELECT pg_temp.fails($$SELECT churn_signals(ts, event, now(), true, '0 days', '90 days') FROM ev$$);
SELECT pg_temp.fails($$SELECT churn_signals(ts, event, now(), true, NULL, '90 days') FROM ev$$);
SELECT pg_temp.fails($$SELECT churn_signals(ts, event, now(), true, '30 days', NULL) FROM ev$$);
SELECT pg_temp.fails($$SELECT churn_signals(ts, event, 'infinity', true, '30 days', '90 days') FROM ev$$);
SELECT pg_temp.fails($$SELECT churn_signals(ts, event, now(), true, '30 days', extract(day FROM ts) * interval '1 day') FROM ev$$);
SELECT pg_temp.fails($$SELECT churn_signals_model(ts, event, now(), true, '30 days', '90 days', 0) FROM ev$$);
SELECT pg_temp.fails($$SELECT churn_signals_model(ts, event, now(), true, '30 days', '90 days', NULL) FROM ev$$);
SELECT pg_temp.fails($$SELECT churn_signals(ts, event, now(), true, '30 days', '90 days', 3) FROM ev$$);
SELECT pg_temp.fails($$SELECT account_engagement(user_id, feature, ts, NULL) FROM eng$$);
SELECT pg_temp.fails($$SELECT account_engagement(user_id, feature, ts, '-infinity') FROM eng$$);
SELECT pg_temp.fails($$SELECT account_engagement(user_id, feature, ts, now(), '1 month') FROM eng$$);
SELECT pg_temp.fails($$SELECT account_engagement(user_id, feature, ts, ts) FROM eng$$);
\set VERBOSITY default

-- ---- parallel plans give the serial answers -----------------------------------------------
CREATE TABLE sig_rows AS
SELECT g, (hashint4(g) % 1000) / 10.0 AS score, hashint4(g + 7) % 3 = 0 AS outcome,
       '2025-01-01'::timestamptz + (g % 200) * interval '1 day' + (g % 7) * interval '1 hour' AS ts,
       (ARRAY['login', 'ticket', 'export', 'help'])[1 + g % 4] AS event,
       '2025-07-01'::timestamptz - (g % 50) * interval '1 day' AS ref_at, g % 5 = 0 AS churned
FROM generate_series(1, 200000) g;
ANALYZE sig_rows;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS
SELECT score_auc(score, outcome) AS auc,
       action_lift(ARRAY[event, CASE WHEN churned THEN 'x' END], outcome)::text AS lift,
       churn_signals(ts, event, ref_at, churned, '30 days', '60 days')::text AS churn,
       churn_signals_model(ts, event, ref_at, churned, '30 days', '60 days', 2) AS model,
       account_engagement(g % 3000, event || (g % 11), ts, '2025-06-01', '40 days')::text AS engagement
FROM sig_rows;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT score_auc(score, outcome) FROM sig_rows;
CREATE TEMP TABLE parallel AS
SELECT score_auc(score, outcome) AS auc,
       action_lift(ARRAY[event, CASE WHEN churned THEN 'x' END], outcome)::text AS lift,
       churn_signals(ts, event, ref_at, churned, '30 days', '60 days')::text AS churn,
       churn_signals_model(ts, event, ref_at, churned, '30 days', '60 days', 2) AS model,
       account_engagement(g % 3000, event || (g % 11), ts, '2025-06-01', '40 days')::text AS engagement
FROM sig_rows;
SELECT s.auc = p.auc AS auc_same, s.lift = p.lift AS lift_same, s.churn = p.churn AS churn_same,
       s.model = p.model AS model_same, s.engagement = p.engagement AS engagement_same, s.auc BETWEEN 0 AND 1 AS auc_in_range
FROM serial s, parallel p;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
DROP TABLE sig_rows;
