-- pgTAP: the SaaS metrics of the revenue family (quick ratio, ARR, ARPA, NRR,
-- GRR, CAC, payback, LTV:CAC) on the sample dataset and on hand-made edge
-- cases, against an independent plain-SQL computation from snapshots:
--   MRR(account, t) = sum(mrr) over subscriptions with started_at <= t < ended_at
-- taken at the period boundaries (no movement rows, no classification: the
-- oracle sums greatest/least of snapshot differences).
BEGIN;
SET client_min_messages = warning;
SELECT plan(25);

CREATE SCHEMA saas_tap;
SET search_path = saas_tap, public;
CALL b2b_sample_generate(0.5, 42);
SET timezone = 'UTC';

CREATE VIEW saas_tap.subs AS
SELECT account_id::bigint, started_at, ended_at, mrr::numeric FROM saas_tap.subscriptions;
CREATE VIEW saas_tap.contracts AS
SELECT account_id::bigint, started_at, ended_at, mrr::numeric, billing_period FROM saas_tap.subscriptions;

-- MRR of every account at two instants, by correlated sums.
CREATE FUNCTION saas_tap.snap(t0 timestamptz, t1 timestamptz)
RETURNS TABLE (account_id bigint, before numeric, after numeric, paid_earlier boolean)
LANGUAGE sql STABLE AS $$
  SELECT a.account_id,
         (SELECT coalesce(sum(s.mrr), 0) FROM saas_tap.subs s WHERE s.account_id = a.account_id
            AND s.started_at <= t0 AND (s.ended_at IS NULL OR s.ended_at > t0)),
         (SELECT coalesce(sum(s.mrr), 0) FROM saas_tap.subs s WHERE s.account_id = a.account_id
            AND s.started_at <= t1 AND (s.ended_at IS NULL OR s.ended_at > t1)),
         EXISTS (SELECT 1 FROM saas_tap.subs s WHERE s.account_id = a.account_id AND s.mrr > 0
                   AND s.started_at < t0 AND (s.ended_at IS NULL OR s.ended_at > s.started_at))
  FROM (SELECT DISTINCT account_id FROM saas_tap.subs) a
$$;

-- The extension's totals: per month of 2025, and the whole year as one 12-month period.
CREATE FUNCTION saas_tap.totals(period_from timestamptz, period_to timestamptz, grain interval)
RETURNS TABLE (period timestamptz, t mrr_totals) LANGUAGE sql STABLE AS $$
  SELECT (m).period, mrr_totals(m)
  FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, period_from, period_to, grain)) m
        FROM saas_tap.subs GROUP BY account_id) x
  GROUP BY 1
$$;
CREATE TEMP TABLE monthly AS SELECT * FROM saas_tap.totals('2025-01-01', '2026-01-01', '1 month');
CREATE TEMP TABLE yearly AS SELECT * FROM saas_tap.totals('2025-01-01', '2026-01-01', '12 months');

-- The oracle's per-month snapshots.
CREATE TEMP TABLE ref_snap AS
SELECT p AS period, s.*
FROM generate_series(timestamptz '2025-01-01', '2025-12-01', '1 month') p,
     LATERAL saas_tap.snap(p, p + interval '1 month') s;

SELECT is((SELECT count(*) FROM monthly), 12::bigint, 'twelve monthly totals of 2025');

-- Quick ratio, ARR, ARPA per month.
CREATE TEMP TABLE ref_monthly AS
SELECT period,
       sum(greatest(after - before, 0)) / nullif(sum(greatest(before - after, 0)), 0) AS quick_ratio,
       12 * sum(after) AS arr,
       sum(after) / nullif(count(*) FILTER (WHERE after > 0), 0) AS arpa,
       sum(after) FILTER (WHERE before > 0) / nullif(sum(before), 0) AS nrr,
       sum(least(after, before)) FILTER (WHERE before > 0) / nullif(sum(before), 0) AS grr
FROM ref_snap GROUP BY period;
SELECT is((SELECT count(*) FROM monthly m JOIN ref_monthly r USING (period)
           WHERE mrr_totals_quick_ratio(m.t) IS NOT DISTINCT FROM r.quick_ratio), 12::bigint,
          'quick ratio of every month equals plain SQL (NULL where nothing was lost)');
SELECT is((SELECT count(*) FROM monthly m JOIN ref_monthly r USING (period)
           WHERE mrr_totals_arr(m.t) = r.arr AND mrr_totals_arpa(m.t) = r.arpa), 12::bigint,
          'ARR and ARPA of every month equal plain SQL, to the cent');
SELECT is((SELECT count(*) FROM monthly m JOIN ref_monthly r USING (period)
           WHERE mrr_totals_nrr(m.t) = r.nrr AND mrr_totals_grr(m.t) = r.grr), 12::bigint,
          'monthly NRR and GRR equal plain SQL');

-- NRR and GRR over the year: the cohort paying on 2025-01-01, its MRR on 2026-01-01.
CREATE TEMP TABLE ref_year AS
SELECT sum(after) FILTER (WHERE before > 0) / sum(before) AS nrr,
       (sum(after) FILTER (WHERE before > 0) + sum(after) FILTER (WHERE before = 0 AND paid_earlier)) / sum(before) AS nrr_react,
       sum(least(after, before)) FILTER (WHERE before > 0) / sum(before) AS grr
FROM saas_tap.snap('2025-01-01', '2026-01-01');
SELECT is((SELECT row(mrr_totals_nrr(t), mrr_totals_nrr(t, true), mrr_totals_grr(t))::text FROM yearly),
          (SELECT row(nrr, nrr_react, grr)::text FROM ref_year),
          '12-month NRR (without and with reactivations) and GRR equal the plain-SQL cohort');
SELECT ok((SELECT nrr_react > nrr AND grr < nrr FROM ref_year), 'the year has reactivations and expansion');
-- Pooled over the year's months: sum over sum of the monthly numerators and denominators.
SELECT is((SELECT row(mrr_totals_nrr(t), mrr_totals_grr(t), mrr_totals_quick_ratio(t), mrr_totals_arr(t))::text
           FROM (SELECT mrr_rollup(t) t FROM monthly) y),
          (SELECT row(sum(after) FILTER (WHERE before > 0) / sum(before),
                      sum(least(after, before)) FILTER (WHERE before > 0) / sum(before),
                      sum(greatest(after - before, 0)) / sum(greatest(before - after, 0)),
                      12 * sum(after) FILTER (WHERE period = '2025-12-01'))::text FROM ref_snap),
          'NRR, GRR, quick ratio and ARR of the rolled-up year equal plain SQL pooled over months');

-- CAC, payback and LTV:CAC per month: new customers by the paid-before rule of
-- the sweep (never paying at an earlier boundary of 2025, nor before it).
CREATE TEMP TABLE ref_new AS
SELECT r.period, count(*) AS customers, sum(r.after) AS mrr
FROM ref_snap r
WHERE r.before = 0 AND r.after > 0 AND NOT r.paid_earlier
  AND NOT EXISTS (SELECT 1 FROM ref_snap e WHERE e.account_id = r.account_id AND e.period < r.period AND e.before > 0)
GROUP BY r.period;
CREATE TEMP TABLE spend AS
SELECT date_trunc('month', day::timestamptz) AS period, sum(spend) AS spend FROM marketing_spend GROUP BY 1;
CREATE TEMP TABLE ref_acq AS
SELECT p.period, s.spend / n.customers AS cac, s.spend / (n.mrr * 0.8) AS payback,
       (sum(r.after) * count(*) FILTER (WHERE r.before > 0) * 0.8
         / nullif(count(*) FILTER (WHERE r.after > 0) * count(*) FILTER (WHERE r.before > 0 AND r.after = 0), 0))
       * n.customers / s.spend AS ltv_cac
FROM ref_snap r JOIN (SELECT DISTINCT period FROM ref_snap) p USING (period)
     JOIN spend s USING (period) LEFT JOIN ref_new n USING (period)
GROUP BY p.period, s.spend, n.customers, n.mrr;
SELECT ok((SELECT count(*) FROM ref_new) >= 6, 'most months of 2025 have new customers');
SELECT is((SELECT count(*) FROM monthly m JOIN spend s USING (period) JOIN ref_acq r USING (period)
           WHERE mrr_totals_cac(m.t, s.spend) IS NOT DISTINCT FROM r.cac
             AND round(mrr_totals_cac_payback(m.t, s.spend, 0.8), 12) IS NOT DISTINCT FROM round(r.payback, 12)
             AND round(mrr_totals_ltv_cac(m.t, s.spend, 0.8), 12) IS NOT DISTINCT FROM round(r.ltv_cac, 12)),
          12::bigint, 'CAC, payback (margin 0.8) and LTV:CAC of every month equal plain SQL');

-- ---- renewals ---------------------------------------------------------------------
-- The reference: every term end written out (started_at + k x billing_period
-- before ended_at, and ended_at), one decision per account and instant, and
-- the first instant of [due_at, due_at + grace] (the term end or a start
-- inside the grace) at which the successors pay, by correlated sums.
CREATE FUNCTION saas_tap.reference_renewals(period_from timestamptz, period_to timestamptz, grace interval)
RETURNS TABLE (account_id bigint, due_at timestamptz, billing_period interval, due_mrr numeric,
               renewed_at timestamptz, renewed_mrr numeric)
LANGUAGE sql STABLE AS $$
  WITH subs AS (
    SELECT row_number() OVER (ORDER BY account_id, started_at, ended_at, mrr, billing_period) AS sid, *
    FROM saas_tap.contracts
  ), terms AS (
    SELECT s.sid, s.account_id, s.mrr, s.billing_period, t.due_at,
           t.due_at < coalesce(s.ended_at, 'infinity') AS continues
    FROM subs s,
         LATERAL (SELECT s.started_at + k * s.billing_period AS due_at FROM generate_series(1, 400) k
                  WHERE s.started_at + k * s.billing_period < coalesce(s.ended_at, 'infinity')
                  UNION
                  SELECT s.ended_at WHERE s.ended_at IS NOT NULL) t
    WHERE s.mrr > 0 AND s.started_at < coalesce(s.ended_at, 'infinity')
      AND t.due_at >= period_from AND t.due_at < period_to
  ), dues AS (
    SELECT account_id, due_at, sum(mrr) AS due_mrr,
           (array_agg(billing_period ORDER BY mrr DESC, billing_period DESC))[1] AS billing_period,
           coalesce(array_agg(sid) FILTER (WHERE continues), '{}') AS continuing
    FROM terms GROUP BY 1, 2
  ), tries AS (
    SELECT d.*, x.at,
           (SELECT coalesce(sum(s.mrr), 0) FROM subs s
            WHERE s.account_id = d.account_id AND s.started_at <= x.at
              AND (s.ended_at IS NULL OR s.ended_at > x.at)
              AND (s.started_at >= d.due_at OR s.sid = ANY (d.continuing))) AS paying
    FROM dues d,
         LATERAL (SELECT d.due_at AS at
                  UNION
                  SELECT s.started_at FROM subs s WHERE s.account_id = d.account_id
                    AND s.started_at > d.due_at AND s.started_at <= d.due_at + grace) x
  )
  SELECT DISTINCT ON (account_id, due_at) account_id, due_at, billing_period, due_mrr,
         CASE WHEN paying > 0 THEN at END, CASE WHEN paying > 0 THEN paying ELSE 0 END
  FROM tries
  ORDER BY account_id, due_at, paying > 0 DESC, at
$$;
CREATE FUNCTION saas_tap.extension_renewals(period_from timestamptz, period_to timestamptz, grace interval)
RETURNS TABLE (account_id bigint, due_at timestamptz, billing_period interval, due_mrr numeric,
               renewed_at timestamptz, renewed_mrr numeric)
LANGUAGE sql STABLE AS $$
  SELECT account_id, (r).due_at, (r).billing_period, (r).due_mrr, (r).renewed_at, (r).renewed_mrr
  FROM (SELECT account_id, unnest(mrr_renewals(started_at, ended_at, mrr, billing_period, period_from, period_to, grace)) r
        FROM saas_tap.contracts GROUP BY account_id) x
$$;
CREATE FUNCTION saas_tap.renewal_differences(period_from timestamptz, period_to timestamptz, grace interval)
RETURNS bigint LANGUAGE sql STABLE AS $$
  WITH r AS MATERIALIZED (SELECT * FROM saas_tap.reference_renewals($1, $2, $3)),
       e AS MATERIALIZED (SELECT * FROM saas_tap.extension_renewals($1, $2, $3))
  SELECT (SELECT count(*) FROM (SELECT * FROM r EXCEPT ALL SELECT * FROM e) d)
       + (SELECT count(*) FROM (SELECT * FROM e EXCEPT ALL SELECT * FROM r) d)
$$;
CREATE TEMP TABLE ref_renewals AS SELECT * FROM saas_tap.reference_renewals('2024-01-01', '2026-01-01', '30 days');
SELECT ok((SELECT count(*) FILTER (WHERE renewed_at IS NULL) >= 10 AND count(*) FILTER (WHERE renewed_at > due_at) >= 1
                  AND count(*) FILTER (WHERE renewed_mrr > due_mrr) >= 5 AND count(*) FILTER (WHERE renewed_mrr BETWEEN 0.01 AND due_mrr - 0.01) >= 5
                  AND count(DISTINCT billing_period) = 2
           FROM ref_renewals),
          'the sample has lapses, late renewals inside the grace, upgrades and downgrades at renewal, annual and monthly terms');
SELECT is(saas_tap.renewal_differences('2024-01-01', '2026-01-01', '30 days'), 0::bigint,
          'renewal rows of 2024-2025 equal the plain-SQL reference (grace 30 days)');
SELECT is(saas_tap.renewal_differences('2025-03-15', '2025-09-01', '3 days'), 0::bigint,
          'renewal rows from mid-March 2025 equal the reference (grace 3 days)');
SELECT is(saas_tap.renewal_differences('2023-01-01', '2026-01-01', '0 days'), 0::bigint,
          'renewal rows of the whole sample equal the reference (no grace)');
SELECT is((SELECT renewal_rate(r)::text
           FROM (SELECT unnest(mrr_renewals(started_at, ended_at, mrr, billing_period, '2024-01-01', '2026-01-01')) r
                 FROM saas_tap.contracts GROUP BY account_id) x),
          (SELECT row(count(*), count(renewed_at), sum(due_mrr), sum(least(due_mrr, renewed_mrr)), sum(renewed_mrr),
                      count(renewed_at)::numeric / count(*), sum(least(due_mrr, renewed_mrr)) / sum(due_mrr),
                      sum(renewed_mrr) / sum(due_mrr))::renewal_rates::text
           FROM ref_renewals),
          'renewal_rate of 2024-2025 (logo, gross dollar capped, net dollar) equals plain SQL sums');
SELECT is((SELECT renewal_rate(r) FILTER (WHERE (r).billing_period = '1 year')::text
           FROM (SELECT unnest(mrr_renewals(started_at, ended_at, mrr, billing_period, '2024-01-01', '2026-01-01')) r
                 FROM saas_tap.contracts GROUP BY account_id) x),
          (SELECT row(count(*), count(renewed_at), sum(due_mrr), sum(least(due_mrr, renewed_mrr)), sum(renewed_mrr),
                      count(renewed_at)::numeric / count(*), sum(least(due_mrr, renewed_mrr)) / sum(due_mrr),
                      sum(renewed_mrr) / sum(due_mrr))::renewal_rates::text
           FROM ref_renewals WHERE billing_period = '1 year'),
          'annual terms only (a filter on the rows) equal plain SQL');

-- ---- revenue cohorts ----------------------------------------------------------------
-- The reference: snapshots at every month boundary of 2024-2025; an account's
-- cohort is the first month it goes from 0 to paying, provided it never paid at
-- an earlier boundary nor before 2024 (the paid-before rule); each cell sums
-- the cohort's snapshots at the end of the month (offset = months since the
-- cohort), over accounts paying at either end of the month.
CREATE TEMP TABLE cohort_snap AS
SELECT p AS period, s.*
FROM generate_series(timestamptz '2024-01-01', '2025-12-01', '1 month') p,
     LATERAL saas_tap.snap(p, p + interval '1 month') s;
CREATE TEMP TABLE ref_cohorts AS
WITH firsts AS (
  SELECT account_id, min(period) AS cohort FROM cohort_snap WHERE before = 0 AND after > 0 GROUP BY 1
), members AS (
  SELECT f.* FROM firsts f
  WHERE NOT EXISTS (SELECT 1 FROM cohort_snap e WHERE e.account_id = f.account_id AND e.period < f.cohort AND e.before > 0)
    AND NOT (SELECT bool_or(paid_earlier) FROM cohort_snap e WHERE e.account_id = f.account_id AND e.period = '2024-01-01')
)
SELECT m.cohort, ((extract(year FROM s.period) - extract(year FROM m.cohort)) * 12
                  + extract(month FROM s.period) - extract(month FROM m.cohort))::int AS month_offset,
       count(*) FILTER (WHERE s.after > 0) AS paying, sum(s.after) AS mrr,
       count(*) FILTER (WHERE s.before > 0 AND s.after = 0) AS churned
FROM members m JOIN cohort_snap s ON s.account_id = m.account_id AND s.period >= m.cohort
WHERE s.before > 0 OR s.after > 0
GROUP BY 1, 2;
CREATE TEMP TABLE ext_cohorts AS
SELECT c.cohort, c.month_offset, b.end_customers AS paying, b.end_mrr AS mrr, b.churned_customers AS churned
FROM (SELECT c.cohort, c.month_offset, mrr_totals(c.movement) AS t
      FROM (SELECT mrr_movement(started_at, ended_at, mrr, '2024-01-01', '2026-01-01') AS moves
            FROM saas_tap.subs GROUP BY account_id) per_customer, mrr_cohort_moves(moves) c
      GROUP BY 1, 2) c, mrr_totals_bridge(c.t) b;
SELECT ok((SELECT count(DISTINCT cohort) >= 18 AND count(*) > 200 AND sum(churned) > 10 FROM ref_cohorts),
          'the reference has at least 18 monthly cohorts, more than 200 cells and churn');
SELECT is((SELECT count(*) FROM (SELECT * FROM ref_cohorts EXCEPT SELECT * FROM ext_cohorts) d)
          + (SELECT count(*) FROM (SELECT * FROM ext_cohorts EXCEPT SELECT * FROM ref_cohorts) d),
          0::bigint, 'every cohort cell (paying customers, MRR to the cent, logo churn) equals plain SQL');
SELECT is((SELECT sum(paying)::bigint FROM ext_cohorts WHERE month_offset = 0),
          (SELECT count(*) FROM cohort_snap r WHERE r.before = 0 AND r.after > 0 AND NOT r.paid_earlier
             AND NOT EXISTS (SELECT 1 FROM cohort_snap e WHERE e.account_id = r.account_id AND e.period < r.period AND e.before > 0)
             AND r.period >= '2024-01-01'
             AND NOT (SELECT bool_or(paid_earlier) FROM cohort_snap e WHERE e.account_id = r.account_id AND e.period = '2024-01-01')),
          'offset 0 of the cohorts counts every new customer of 2024-2025 once');

-- Hand-worked edge cases over the year 2025 (one 12-month period):
--   A pays 100 on 2025-01-01, gone by the end          (churn)
--   B 50, upgrades to 80 in March, downgrades to 60 in September (net expansion of 10)
--   C 40, leaves in April, back at 40 in October        (inside the span: unchanged)
--   D new in June at 30
--   E paid in 2024, not on 2025-01-01, back at 20 in May (reactivation)
-- start 190 (A, B, C); end A 0, B 60, C 40, D 30, E 20 = 150.
CREATE TABLE saas_tap.edge (account_id bigint, started_at timestamptz, ended_at timestamptz, mrr numeric);
INSERT INTO saas_tap.edge VALUES
  (1, '2024-06-01', '2025-07-15', 100),
  (2, '2024-06-01', '2025-03-10', 50), (2, '2025-03-10', '2025-09-10', 80), (2, '2025-09-10', NULL, 60),
  (3, '2024-06-01', '2025-04-01', 40), (3, '2025-10-01', NULL, 40),
  (4, '2025-06-01', NULL, 30),
  (5, '2024-01-01', '2024-09-01', 20), (5, '2025-05-01', NULL, 20);
CREATE OR REPLACE VIEW saas_tap.subs AS SELECT * FROM saas_tap.edge;
CREATE TEMP TABLE edge_year AS SELECT t FROM saas_tap.totals('2025-01-01', '2026-01-01', '12 months');
SELECT is((SELECT row(mrr_totals_nrr(t), mrr_totals_nrr(t, true), mrr_totals_grr(t))::text FROM edge_year),
          row(100 / 190.0, 120 / 190.0, 90 / 190.0)::text,
          'edge cases: NRR 100/190, with the reactivation 120/190, GRR (B capped at 50) 90/190');
SELECT is((SELECT ARRAY[mrr_totals_quick_ratio(t), mrr_totals_arr(t), mrr_totals_arpa(t)] FROM edge_year),
          ARRAY[0.6, 1800, 37.5]::numeric[],
          'edge cases: quick ratio (30 new + 10 expansion + 20 reactivation) / 100 churned, ARR 1800, ARPA 150/4');
-- D is the one new customer; spend 600; LTV = 150/4 x 0.8 / (1 churned / 3 paying at the start) = 90.
SELECT is((SELECT ARRAY[mrr_totals_cac(t, 600), mrr_totals_cac_payback(t, 600, 0.8), mrr_totals_ltv_cac(t, 600, 0.8)]
           FROM edge_year),
          ARRAY[600, 25, 0.15]::numeric[], 'edge cases: CAC 600, payback 600 / (30 x 0.8) = 25 months, LTV:CAC 90/600');
SELECT is((SELECT ARRAY[mrr_totals_cac(t, 0), mrr_totals_cac_payback(t, 0), mrr_totals_ltv_cac(t, 0)] FROM edge_year),
          ARRAY[0, 0, NULL]::numeric[], 'zero spend: CAC 0, payback 0, LTV:CAC NULL');
-- No new customers: 2026 (B, C, D, E keep paying).
SELECT is((SELECT ARRAY[mrr_totals_cac(t, 600), mrr_totals_cac_payback(t, 600), mrr_totals_ltv_cac(t, 600),
                        mrr_totals_quick_ratio(t), mrr_totals_nrr(t), mrr_totals_grr(t)]
           FROM saas_tap.totals('2026-01-01', '2027-01-01', '12 months')),
          ARRAY[NULL, NULL, NULL, NULL, 1, 1]::numeric[],
          'no new customers and no losses: CAC, payback, LTV:CAC and quick ratio NULL; NRR = GRR = 1');
-- Monthly, C's departure and return show: its April churn and October reactivation.
SELECT is((SELECT row(mrr_totals_nrr(t), mrr_totals_nrr(t, true))::text
           FROM (SELECT mrr_rollup(t) t FROM saas_tap.totals('2025-01-01', '2026-01-01', '1 month')) y),
          (SELECT row(sum(after) FILTER (WHERE before > 0) / sum(before),
                      (sum(after) FILTER (WHERE before > 0)
                       + 20 + 40) / sum(before))::text   -- E in May, C in October: the two reactivations
           FROM generate_series(timestamptz '2025-01-01', '2025-12-01', '1 month') p, LATERAL saas_tap.snap(p, p + interval '1 month') s),
          'edge cases monthly: pooled NRR, and with the reactivations of C (October) and E (May)');

-- The renewal edge cases of sql/saas.sql (worked out by hand there) against the reference.
CREATE TABLE saas_tap.edge_contracts (account_id bigint, started_at timestamptz, ended_at timestamptz, mrr numeric, billing_period interval);
INSERT INTO saas_tap.edge_contracts VALUES
  (1, '2024-06-15', NULL, 100, '1 year'),
  (2, '2025-10-10', '2025-12-10', 50, '1 month'), (2, '2025-12-25', NULL, 60, '1 month'),
  (3, '2024-03-01', '2025-03-01', 100, '1 year'), (3, '2025-03-01', NULL, 150, '1 month'),
  (4, '2024-04-01', '2025-04-01', 200, '1 year'), (4, '2024-05-20', NULL, 25, '1 month'),
  (5, '2024-09-01', '2025-05-10', 80, '1 year'), (5, '2024-08-15', '2024-09-01', 0, '14 days'),
  (6, '2025-01-31', NULL, 40, '1 month'),                                   -- month ends: Feb 28, Mar 31
  (7, '2025-02-01', '2025-06-01', 30, '1 month'), (7, '2025-02-01', NULL, 20, '1 month');  -- two due at once
CREATE OR REPLACE VIEW saas_tap.contracts AS SELECT * FROM saas_tap.edge_contracts;
SELECT is(saas_tap.renewal_differences('2025-01-01', '2026-01-01', '30 days'), 0::bigint,
          'renewal edge cases equal the reference (grace 30 days)');

SELECT * FROM finish();
ROLLBACK;
