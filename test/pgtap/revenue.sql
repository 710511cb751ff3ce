-- pgTAP: the revenue family on the sample dataset and on hand-made edge cases,
-- cross-checked against an independent plain-SQL computation of the same
-- snapshot semantics:
--   MRR(account, t) = sum(mrr) over subscriptions with started_at <= t < ended_at
--   (NULL ended_at = open); periods p_k = period_from + k * grain while
--   p_k < period_to; before = MRR(p_k), after = MRR(p_k+1); kinds by the rules
--   of docs/revenue.md; rows where both are 0 omitted.  "Paid before" p_k: MRR > 0
--   at an earlier boundary p_j (j < k), or a paid subscription running at an
--   instant before p_0 (mrr > 0, started_at < p_0 and started_at < ended_at).
BEGIN;
SET client_min_messages = warning;
SELECT plan(31);

CREATE SCHEMA rev_tap;
SET search_path = rev_tap, public;
CALL b2b_sample_generate(0.5, 42);
SET timezone = 'UTC';

-- The subscriptions both sides read: the sample's, or the edge cases further down.
CREATE VIEW rev_tap.subs AS
SELECT account_id::bigint, started_at, ended_at, mrr::numeric FROM rev_tap.subscriptions;

-- The reference, in plain SQL: one snapshot per account and boundary by a
-- correlated sum (no sweep, no LAG), then the rules written out as CASE.
CREATE FUNCTION rev_tap.reference_moves(period_from timestamptz, period_to timestamptz, grain interval)
RETURNS TABLE (account_id bigint, period timestamptz, kind text, mrr_before numeric, mrr_after numeric, delta numeric)
LANGUAGE sql STABLE AS $$
  WITH bounds AS (
    SELECT k, period_from + k * grain AS p
    FROM generate_series(0, 10000) k
    WHERE k = 0 OR period_from + (k - 1) * grain < period_to
  ), snapshots AS (
    SELECT a.account_id, b.k, b.p,
           (SELECT coalesce(sum(s.mrr), 0) FROM rev_tap.subs s
            WHERE s.account_id = a.account_id AND s.started_at <= b.p
              AND (s.ended_at IS NULL OR s.ended_at > b.p)) AS mrr
    FROM (SELECT DISTINCT account_id FROM rev_tap.subs) a CROSS JOIN bounds b
  )
  SELECT x.account_id, x.p, k.kind, x.mrr, y.mrr, y.mrr - x.mrr
  FROM snapshots x JOIN snapshots y ON y.account_id = x.account_id AND y.k = x.k + 1,
  LATERAL (SELECT CASE
      WHEN x.mrr = 0 AND y.mrr > 0 THEN
        CASE WHEN EXISTS (SELECT 1 FROM snapshots e WHERE e.account_id = x.account_id
                          AND e.k < x.k AND e.mrr > 0)
               OR EXISTS (SELECT 1 FROM rev_tap.subs s WHERE s.account_id = x.account_id
                          AND s.mrr > 0 AND s.started_at < period_from
                          AND (s.ended_at IS NULL OR s.ended_at > s.started_at))
             THEN 'reactivation' ELSE 'new' END
      WHEN x.mrr > 0 AND y.mrr = 0 THEN 'churn'
      WHEN y.mrr > x.mrr THEN 'expansion'
      WHEN y.mrr < x.mrr THEN 'contraction'
      WHEN x.mrr > 0 THEN 'unchanged' END AS kind) k
  WHERE x.p < period_to AND (x.mrr > 0 OR y.mrr > 0)
$$;

CREATE FUNCTION rev_tap.extension_moves(period_from timestamptz, period_to timestamptz, grain interval)
RETURNS TABLE (account_id bigint, period timestamptz, kind text, mrr_before numeric, mrr_after numeric, delta numeric)
LANGUAGE sql STABLE AS $$
  SELECT account_id, (m).period, (m).kind::text, (m).mrr_before, (m).mrr_after, (m).delta
  FROM (SELECT account_id, unnest(mrr_movement(started_at, ended_at, mrr, period_from, period_to, grain)) m
        FROM rev_tap.subs GROUP BY account_id) x
$$;

-- Rows that one side has and the other has not (values compared exactly).
CREATE FUNCTION rev_tap.move_differences(period_from timestamptz, period_to timestamptz, grain interval)
RETURNS bigint LANGUAGE sql STABLE AS $$
  WITH r AS MATERIALIZED (SELECT * FROM rev_tap.reference_moves($1, $2, $3)),
       e AS MATERIALIZED (SELECT * FROM rev_tap.extension_moves($1, $2, $3))
  SELECT (SELECT count(*) FROM (SELECT * FROM r EXCEPT ALL SELECT * FROM e) d)
       + (SELECT count(*) FROM (SELECT * FROM e EXCEPT ALL SELECT * FROM r) d)
$$;

SELECT ok((SELECT count(*) FROM subscriptions) > 500 AND
          (SELECT count(*) FROM subscriptions WHERE ended_at IS NULL AND mrr > 0) > 20,
          'the sample has subscriptions, open-ended ones included');

-- mrr_normalize gives the sample's own mrr column back from amount and billing period
-- (monthly plans as is, annual / 12, 14-day trials at 0).
SELECT is((SELECT count(*) FROM subscriptions WHERE mrr_normalize(amount, billing_period) <> mrr),
          0::bigint, 'mrr_normalize(amount, billing_period) = mrr on every sample subscription');

-- Per customer-period, three windows and grains.
CREATE TEMP TABLE ref_monthly AS SELECT * FROM rev_tap.reference_moves('2023-01-01', '2026-01-01', '1 month');
SELECT ok((SELECT count(DISTINCT kind) FROM ref_monthly) = 6 AND (SELECT count(*) FROM ref_monthly) > 1000,
          'the monthly reference has every kind and more than 1,000 rows');
SELECT is(rev_tap.move_differences('2023-01-01', '2026-01-01', '1 month'), 0::bigint,
          'customer-period rows equal the plain-SQL snapshots: 36 months');
SELECT is(rev_tap.move_differences('2024-02-15 12:00', '2025-08-20', '2 weeks'), 0::bigint,
          'customer-period rows equal the plain-SQL snapshots: fortnights from mid-month noon');
SELECT is(rev_tap.move_differences('2023-06-30', '2025-12-31', '3 months'), 0::bigint,
          'customer-period rows equal the plain-SQL snapshots: quarters from a month end');
SELECT is(rev_tap.move_differences('2024-07-01', '2025-07-01', '1 month'), 0::bigint,
          'customer-period rows equal the plain-SQL snapshots: a window starting after many customers paid');
SET timezone = 'Europe/Berlin';
SELECT is(rev_tap.move_differences('2025-03-01', '2025-04-15', '1 day 12 hours'), 0::bigint,
          'customer-period rows equal the plain-SQL snapshots: 36-hour periods across DST in Berlin');
SET timezone = 'UTC';

-- Every row agrees with the classifier function.
SELECT is((SELECT count(*) FROM rev_tap.extension_moves('2023-01-01', '2026-01-01', '1 month') m
           WHERE m.kind::mrr_kind IS DISTINCT FROM
                 mrr_classify(m.mrr_before, m.mrr_after, m.kind = 'reactivation')),
          0::bigint, 'the aggregate and mrr_classify(prev, cur, paid_before) agree');

-- The per-period bridge against plain SQL sums over the reference rows.
CREATE TEMP TABLE ext_bridge AS
SELECT (m).period, (mrr_bridge(m)).*
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01')) m
      FROM subscriptions GROUP BY account_id) x
GROUP BY 1;
CREATE TEMP TABLE ref_bridge AS
SELECT period,
       sum(mrr_before) AS start_mrr,
       coalesce(sum(delta) FILTER (WHERE kind = 'new'), 0) AS new_mrr,
       coalesce(sum(delta) FILTER (WHERE kind = 'expansion'), 0) AS expansion_mrr,
       coalesce(sum(delta) FILTER (WHERE kind = 'reactivation'), 0) AS reactivation_mrr,
       coalesce(-sum(delta) FILTER (WHERE kind = 'contraction'), 0) AS contraction_mrr,
       coalesce(-sum(delta) FILTER (WHERE kind = 'churn'), 0) AS churned_mrr,
       sum(mrr_after) AS end_mrr,
       count(*) FILTER (WHERE mrr_before > 0) AS start_customers,
       count(*) FILTER (WHERE kind = 'new') AS new_customers,
       count(*) FILTER (WHERE kind = 'expansion') AS expanded_customers,
       count(*) FILTER (WHERE kind = 'reactivation') AS reactivated_customers,
       count(*) FILTER (WHERE kind = 'contraction') AS contracted_customers,
       count(*) FILTER (WHERE kind = 'churn') AS churned_customers,
       count(*) FILTER (WHERE mrr_after > 0) AS end_customers
FROM ref_monthly GROUP BY period;
SELECT is((SELECT count(*) FROM ext_bridge), 36::bigint, '36 monthly bridges');
SELECT is((SELECT count(*) FROM (SELECT * FROM ext_bridge EXCEPT SELECT * FROM ref_bridge) d)
          + (SELECT count(*) FROM (SELECT * FROM ref_bridge EXCEPT SELECT * FROM ext_bridge) d),
          0::bigint, 'every bridge equals the plain-SQL sums (amounts to the cent, counts)');
SELECT is((SELECT count(*) FROM ext_bridge
           WHERE start_mrr + new_mrr + expansion_mrr + reactivation_mrr - contraction_mrr - churned_mrr <> end_mrr),
          0::bigint, 'the identity holds exactly in every period');
SELECT is((SELECT count(*) FROM ext_bridge b JOIN ext_bridge n ON n.period = b.period + interval '1 month'
           WHERE n.start_mrr <> b.end_mrr OR n.start_customers <> b.end_customers),
          0::bigint, 'the end of each period is the start of the next');

-- Churn and LTV over 2025, pooled (sum of numerators / sum of denominators).
CREATE TEMP TABLE ext_2025 AS
SELECT churn_rate(m) AS logo, churn_rate(m, 'gross_mrr') AS gross, churn_rate(m, 'net_mrr') AS net,
       ltv_agg(m) AS ltv, ltv_agg(m, 0.8) AS ltv80
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2026-01-01')) m
      FROM subscriptions GROUP BY account_id) x;
CREATE TEMP TABLE ref_2025 AS
SELECT count(*) FILTER (WHERE kind = 'churn')::numeric / count(*) FILTER (WHERE mrr_before > 0) AS logo,
       -sum(delta) FILTER (WHERE kind IN ('churn', 'contraction')) / sum(mrr_before) AS gross,
       -sum(delta) FILTER (WHERE kind IN ('churn', 'contraction', 'expansion', 'reactivation')) / sum(mrr_before) AS net,
       sum(mrr_after) * count(*) FILTER (WHERE mrr_before > 0)
         / (count(*) FILTER (WHERE mrr_after > 0) * count(*) FILTER (WHERE kind = 'churn')) AS ltv,
       sum(mrr_after) * count(*) FILTER (WHERE mrr_before > 0) * 0.8
         / (count(*) FILTER (WHERE mrr_after > 0) * count(*) FILTER (WHERE kind = 'churn')) AS ltv80
FROM rev_tap.reference_moves('2025-01-01', '2026-01-01', '1 month');
SELECT ok((SELECT logo > 0 AND gross > 0 AND ltv > 0 FROM ext_2025), '2025 has churn and a finite LTV');
SELECT is((SELECT logo FROM ext_2025), (SELECT logo FROM ref_2025), 'logo churn over 2025 equals plain SQL');
SELECT is((SELECT gross FROM ext_2025), (SELECT gross FROM ref_2025), 'gross MRR churn over 2025 equals plain SQL');
SELECT is((SELECT net FROM ext_2025), (SELECT net FROM ref_2025), 'net MRR churn over 2025 equals plain SQL');
SELECT is((SELECT row(ltv, ltv80)::text FROM ext_2025), (SELECT row(ltv, ltv80)::text FROM ref_2025),
          'LTV over 2025 (margin 1 and 0.8) equals plain SQL');
SELECT is((SELECT round(ltv, 6) FROM ext_2025),
          (SELECT round(ltv(sum(mrr_after) / count(*) FILTER (WHERE mrr_after > 0),
                            count(*) FILTER (WHERE kind = 'churn')::numeric / count(*) FILTER (WHERE mrr_before > 0)), 6)
           FROM rev_tap.reference_moves('2025-01-01', '2026-01-01', '1 month')),
          'the LTV aggregate matches ltv(arpa, churn) to 6 decimals');

-- Stored monthly totals, rolled up to quarters, against plain SQL over the
-- reference rows: start of the quarter's first month, end of its last, the
-- quarter's movements summed.
CREATE TEMP TABLE monthly_totals AS
SELECT (m).period AS month, mrr_totals(m) AS t
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01')) m
      FROM subscriptions GROUP BY account_id) x
GROUP BY 1;
CREATE TEMP TABLE ext_quarters AS
SELECT b.*
FROM (SELECT mrr_rollup(t) AS t FROM monthly_totals GROUP BY date_trunc('quarter', month)) q, mrr_totals_bridge(t) b;
CREATE TEMP TABLE ref_quarters AS
SELECT min(period) AS first_period, max(period) AS last_period,
       sum(mrr_before) FILTER (WHERE period = date_trunc('quarter', period)) AS start_mrr,
       coalesce(sum(delta) FILTER (WHERE kind = 'new'), 0) AS new_mrr,
       coalesce(sum(delta) FILTER (WHERE kind = 'expansion'), 0) AS expansion_mrr,
       coalesce(sum(delta) FILTER (WHERE kind = 'reactivation'), 0) AS reactivation_mrr,
       coalesce(-sum(delta) FILTER (WHERE kind = 'contraction'), 0) AS contraction_mrr,
       coalesce(-sum(delta) FILTER (WHERE kind = 'churn'), 0) AS churned_mrr,
       sum(mrr_after) FILTER (WHERE period = date_trunc('quarter', period) + interval '2 months') AS end_mrr,
       count(*) FILTER (WHERE mrr_before > 0 AND period = date_trunc('quarter', period)) AS start_customers,
       count(*) FILTER (WHERE kind = 'new') AS new_customers,
       count(*) FILTER (WHERE kind = 'expansion') AS expanded_customers,
       count(*) FILTER (WHERE kind = 'reactivation') AS reactivated_customers,
       count(*) FILTER (WHERE kind = 'contraction') AS contracted_customers,
       count(*) FILTER (WHERE kind = 'churn') AS churned_customers,
       count(*) FILTER (WHERE mrr_after > 0 AND period = date_trunc('quarter', period) + interval '2 months') AS end_customers
FROM ref_monthly GROUP BY date_trunc('quarter', period);
SELECT is((SELECT count(*) FROM ext_quarters), 12::bigint, '12 quarterly bridges from stored months');
SELECT is((SELECT count(*) FROM (SELECT * FROM ext_quarters EXCEPT SELECT * FROM ref_quarters) d)
          + (SELECT count(*) FROM (SELECT * FROM ref_quarters EXCEPT SELECT * FROM ext_quarters) d),
          0::bigint, 'every quarter rolled up from stored months equals the plain-SQL sums');
SELECT is((SELECT row(mrr_totals_churn_rate(t), mrr_totals_churn_rate(t, 'gross_mrr'), mrr_totals_churn_rate(t, 'net_mrr'),
                      mrr_totals_ltv(t), mrr_totals_ltv(t, 0.8))::text
           FROM (SELECT mrr_rollup(t) AS t FROM monthly_totals WHERE month >= '2025-01-01') y),
          (SELECT row(logo, gross, net, ltv, ltv80)::text FROM ref_2025),
          'churn and LTV of 2025 from twelve stored months equal plain SQL');
SELECT is((SELECT mrr_rollup(t)::text FROM monthly_totals),
          (SELECT mrr_totals(m)::text FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01')) m
                                            FROM subscriptions GROUP BY account_id) x),
          'the rollup of 36 stored months is mrr_totals over every movement row, byte for byte');
-- Per channel (fixed per account): the segments' quarters add up to the quarter.
CREATE TEMP TABLE channel_totals AS
SELECT a.channel, (m).period AS month, mrr_totals(m) AS t
FROM (SELECT account_id, unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2026-01-01')) m
      FROM subscriptions GROUP BY account_id) x JOIN accounts a USING (account_id)
GROUP BY 1, 2;
SELECT is((SELECT sum(b.end_mrr) FROM (SELECT mrr_rollup(t) t FROM channel_totals GROUP BY channel) c, mrr_totals_bridge(t) b),
          (SELECT sum(mrr_after) FROM ref_monthly WHERE period = '2025-12-01'),
          'the end MRR of 2025 per channel adds up to the plain-SQL end MRR');

-- Edge cases of review item 7, both sides of the rule, against the same reference.
CREATE TABLE rev_tap.edge_subscriptions (account_id bigint, started_at timestamptz, ended_at timestamptz, mrr numeric);
INSERT INTO rev_tap.edge_subscriptions VALUES
  (1, '2025-01-05', '2025-01-19', 49), (1, '2025-03-10', NULL, 49),         -- blip between boundaries: new
  (2, '2024-12-05', '2024-12-19', 49), (2, '2025-03-10', NULL, 49),         -- blip before the window: reactivation
  (3, '2024-11-01', '2025-01-01', 49), (3, '2025-03-10', NULL, 49),         -- paid until period_from: reactivation
  (4, '2024-12-05', '2024-12-05', 49), (4, '2025-03-10', NULL, 49),         -- empty before the window: new
  (5, '2025-01-05', '2025-01-19', 49), (5, '2025-02-20', '2025-03-05', 49),
  (5, '2025-05-10', NULL, 49),                                              -- paid at 03-01: May is a reactivation
  (6, '2025-02-01', '2025-02-01 00:00:01', 49), (6, '2025-04-10', NULL, 49), -- paid at the instant 02-01: January new
  (7, '2025-01-20', '2025-02-01', 49), (7, '2025-04-10', NULL, 49),         -- ends exactly at 02-01: never at a boundary
  (8, '2024-12-01', '2025-01-10', 0), (8, '2025-03-10', NULL, 49),          -- a trial before the window: new
  (9, '-infinity', '2024-01-01', 10), (9, '2025-02-10', NULL, 10);          -- paying since -infinity: reactivation
CREATE OR REPLACE VIEW rev_tap.subs AS
SELECT account_id, started_at, ended_at, mrr FROM rev_tap.edge_subscriptions;
SELECT is(rev_tap.move_differences('2025-01-01', '2025-07-01', '1 month'), 0::bigint,
          'edge cases of "paid before": rows equal the plain-SQL reference');
SELECT is((SELECT string_agg(account_id || ':' || to_char(period, 'MM') || ' ' || kind, ', ' ORDER BY account_id, period)
           FROM rev_tap.reference_moves('2025-01-01', '2025-07-01', '1 month')
           WHERE kind IN ('new', 'reactivation')),
          '1:03 new, 2:03 reactivation, 3:03 reactivation, 4:03 new, 5:02 new, 5:05 reactivation, '
          '6:01 new, 6:04 reactivation, 7:04 new, 8:03 new, 9:02 reactivation',
          'the reference puts each edge case on the side of the rule worked out by hand');
SELECT is(rev_tap.move_differences('2024-12-01', '2025-07-01', '1 month'), 0::bigint,
          'edge cases with the window a month earlier (blips now inside it) equal the reference');

-- Serial and forced-parallel plans give the same answers on the sample.
CREATE OR REPLACE VIEW rev_tap.subs AS
SELECT account_id::bigint, started_at, ended_at, mrr::numeric FROM rev_tap.subscriptions;
CREATE TEMP TABLE serial_all AS
SELECT (m).period, mrr_bridge(m) AS b, churn_rate(m, 'gross_mrr') AS g, ltv_agg(m, 0.7) AS v, mrr_totals(m)::text AS t
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01')) m
      FROM subscriptions GROUP BY account_id) x GROUP BY 1;
CREATE TABLE rev_tap.moves AS
SELECT account_id, unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01')) m
FROM subscriptions GROUP BY account_id;
CREATE TABLE rev_tap.totals_by_account AS
SELECT account_id, (m).period, mrr_totals(m) AS t FROM rev_tap.moves GROUP BY 1, 2;
CREATE TEMP TABLE serial_rollup AS
SELECT date_trunc('year', period) AS year, mrr_rollup(t)::text AS t FROM rev_tap.totals_by_account GROUP BY 1;
SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;
CREATE FUNCTION rev_tap.plan_text(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; plan text := '';
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP plan := plan || line || E'\n'; END LOOP;
  RETURN plan;
END $$;
SELECT ok(rev_tap.plan_text($q$CREATE TABLE rev_tap.parallel_all AS
                              SELECT (m).period, mrr_bridge(m) AS b, churn_rate(m, 'gross_mrr') AS g, ltv_agg(m, 0.7) AS v,
                                     mrr_totals(m)::text AS t
                              FROM rev_tap.moves GROUP BY 1$q$) ~ 'Partial.*Aggregate',
          'the forced-parallel plan aggregates partially in workers');
CREATE TABLE rev_tap.parallel_all AS
SELECT (m).period, mrr_bridge(m) AS b, churn_rate(m, 'gross_mrr') AS g, ltv_agg(m, 0.7) AS v, mrr_totals(m)::text AS t
FROM rev_tap.moves GROUP BY 1;
SELECT is((SELECT count(*) FROM (SELECT * FROM serial_all EXCEPT ALL SELECT * FROM rev_tap.parallel_all) d)
          + (SELECT count(*) FROM (SELECT * FROM rev_tap.parallel_all EXCEPT ALL SELECT * FROM serial_all) d),
          0::bigint, 'forced-parallel bridge, churn, LTV and totals equal the serial ones');
SELECT ok(rev_tap.plan_text($q$CREATE TABLE rev_tap.parallel_rollup AS
                              SELECT date_trunc('year', period) AS year, mrr_rollup(t)::text AS t
                              FROM rev_tap.totals_by_account GROUP BY 1$q$) ~ 'Partial.*Aggregate',
          'the forced-parallel rollup aggregates partially in workers');
CREATE TABLE rev_tap.parallel_rollup AS
SELECT date_trunc('year', period) AS year, mrr_rollup(t)::text AS t FROM rev_tap.totals_by_account GROUP BY 1;
SELECT is((SELECT count(*) FROM (SELECT * FROM serial_rollup EXCEPT ALL SELECT * FROM rev_tap.parallel_rollup) d)
          + (SELECT count(*) FROM (SELECT * FROM rev_tap.parallel_rollup EXCEPT ALL SELECT * FROM serial_rollup) d),
          0::bigint, 'forced-parallel yearly rollups of per-customer months equal the serial ones');

SELECT * FROM finish();
ROLLBACK;
