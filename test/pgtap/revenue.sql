-- pgTAP: the revenue family on the sample dataset, cross-checked against an
-- independent plain-SQL computation of the same snapshot semantics:
--   MRR(account, t) = sum(mrr) over subscriptions with started_at <= t < ended_at
--   (NULL ended_at = open); periods p_k = period_from + k * grain while
--   p_k < period_to; before = MRR(p_k), after = MRR(p_k+1); kinds by the rules
--   of the README; rows where both are 0 omitted.
BEGIN;
SET client_min_messages = warning;
SELECT plan(20);

CREATE SCHEMA rev_tap;
SET search_path = rev_tap, public;
CALL b2b_sample_generate(0.5, 42);
SET timezone = 'UTC';

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
           (SELECT coalesce(sum(s.mrr), 0) FROM subscriptions s
            WHERE s.account_id = a.account_id AND s.started_at <= b.p
              AND (s.ended_at IS NULL OR s.ended_at > b.p)) AS mrr
    FROM (SELECT DISTINCT account_id FROM subscriptions) a CROSS JOIN bounds b
  )
  SELECT x.account_id, x.p, k.kind, x.mrr, y.mrr, y.mrr - x.mrr
  FROM snapshots x JOIN snapshots y ON y.account_id = x.account_id AND y.k = x.k + 1,
  LATERAL (SELECT CASE
      WHEN x.mrr = 0 AND y.mrr > 0 THEN
        CASE WHEN EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = x.account_id
                          AND s.mrr > 0 AND s.started_at < x.p) THEN 'reactivation' ELSE 'new' END
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
        FROM subscriptions GROUP BY account_id) x
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
SET timezone = 'Europe/Berlin';
SELECT is(rev_tap.move_differences('2025-03-01', '2025-04-15', '1 day 12 hours'), 0::bigint,
          'customer-period rows equal the plain-SQL snapshots: 36-hour periods across DST in Berlin');
SET timezone = 'UTC';

-- Every row agrees with the classifier function.
SELECT is((SELECT count(*) FROM rev_tap.extension_moves('2023-01-01', '2026-01-01', '1 month') m
           WHERE m.kind::mrr_kind IS DISTINCT FROM
                 mrr_movement(m.mrr_before, m.mrr_after, m.kind = 'reactivation')),
          0::bigint, 'the aggregate and mrr_movement(prev, cur, paid_before) agree');

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
       ltv(m) AS ltv, ltv(m, 0.8) AS ltv80
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
FROM ref_monthly WHERE period >= '2025-01-01';
SELECT ok((SELECT logo > 0 AND gross > 0 AND ltv > 0 FROM ext_2025), '2025 has churn and a finite LTV');
SELECT is((SELECT logo FROM ext_2025), (SELECT logo FROM ref_2025), 'logo churn over 2025 equals plain SQL');
SELECT is((SELECT gross FROM ext_2025), (SELECT gross FROM ref_2025), 'gross MRR churn over 2025 equals plain SQL');
SELECT is((SELECT net FROM ext_2025), (SELECT net FROM ref_2025), 'net MRR churn over 2025 equals plain SQL');
SELECT is((SELECT row(ltv, ltv80)::text FROM ext_2025), (SELECT row(ltv, ltv80)::text FROM ref_2025),
          'LTV over 2025 (margin 1 and 0.8) equals plain SQL');
SELECT is((SELECT round(ltv, 6) FROM ext_2025),
          (SELECT round(ltv(sum(mrr_after) / count(*) FILTER (WHERE mrr_after > 0),
                            count(*) FILTER (WHERE kind = 'churn')::numeric / count(*) FILTER (WHERE mrr_before > 0)), 6)
           FROM ref_monthly WHERE period >= '2025-01-01'),
          'the LTV aggregate matches ltv(arpa, churn) to 6 decimals');

-- Serial and forced-parallel plans give the same answers on the sample.
CREATE TEMP TABLE serial_all AS
SELECT (m).period, mrr_bridge(m) AS b, churn_rate(m, 'gross_mrr') AS g, ltv(m, 0.7) AS v
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01')) m
      FROM subscriptions GROUP BY account_id) x GROUP BY 1;
CREATE TABLE rev_tap.moves AS
SELECT account_id, unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01')) m
FROM subscriptions GROUP BY account_id;
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
                              SELECT (m).period, mrr_bridge(m) AS b, churn_rate(m, 'gross_mrr') AS g, ltv(m, 0.7) AS v
                              FROM rev_tap.moves GROUP BY 1$q$) ~ 'Partial.*Aggregate',
          'the forced-parallel plan aggregates partially in workers');
CREATE TABLE rev_tap.parallel_all AS
SELECT (m).period, mrr_bridge(m) AS b, churn_rate(m, 'gross_mrr') AS g, ltv(m, 0.7) AS v
FROM rev_tap.moves GROUP BY 1;
SELECT is((SELECT count(*) FROM (SELECT * FROM serial_all EXCEPT ALL SELECT * FROM rev_tap.parallel_all) d)
          + (SELECT count(*) FROM (SELECT * FROM rev_tap.parallel_all EXCEPT ALL SELECT * FROM serial_all) d),
          0::bigint, 'forced-parallel bridge, churn and LTV equal the serial ones');

SELECT * FROM finish();
ROLLBACK;
