-- The SaaS metrics of the revenue family: the accessors of mrr_totals for the
-- quick ratio, ARR, ARPA, NRR, GRR, CAC, CAC payback and LTV:CAC.  Expected
-- values are worked out by hand in the comments (test/pgtap/saas.sql checks
-- them against plain SQL on the sample data).
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
CREATE FUNCTION pg_temp.sqlstate_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE statement;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;

-- ---- one quarter of three customers ------------------------------------------
-- A: 100 from before the window, churns 2025-02-15.
-- B: 50 from before, upgrades to 80 on 2025-02-10.
-- C: new on 2025-01-20 at 30, contracts to 20 on 2025-03-05.
-- Months Jan, Feb, Mar 2025:
--   Jan: start A100 B50 = 150; C new 30; end 180 (3 paying)
--   Feb: A churns 100, B expands 30; end B80 C30 = 110 (2 paying)
--   Mar: C contracts 10; end B80 C20 = 100 (2 paying)
CREATE TEMP TABLE subs (account int, started_at timestamptz, ended_at timestamptz, mrr numeric);
INSERT INTO subs VALUES
  (1, '2024-10-01', '2025-02-15', 100),
  (2, '2024-10-01', '2025-02-10', 50), (2, '2025-02-10', NULL, 80),
  (3, '2025-01-20', '2025-03-05', 30), (3, '2025-03-05', NULL, 20);
CREATE TEMP TABLE monthly AS
SELECT (m).period AS month, mrr_totals(m) AS t
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-04-01')) m
      FROM subs GROUP BY account) x
GROUP BY 1;

-- Quick ratio: Jan 30 / 0 -> NULL; Feb 30 / 100 = 0.3; Mar 0 / 10 = 0.
-- ARR = 12 x end MRR: 2160, 1320, 1200.  ARPA: 180/3 = 60, 110/2 = 55, 100/2 = 50.
-- NRR (what the customers paying at the month start pay at its end / what they paid):
--   Jan (A100 + B50) / 150 = 1; Feb (A0 + B80 + C30) / 180 = 0.611111; Mar (B80 + C20) / 110 = 0.909091.
-- GRR caps each at its start: Jan 1; Feb (0 + 50 + 30) / 180 = 0.444444; Mar 100/110.
SELECT month::date, mrr_totals_quick_ratio(t) AS quick_ratio, mrr_totals_arr(t) AS arr,
       mrr_totals_arpa(t) AS arpa, round(mrr_totals_nrr(t), 6) AS nrr, round(mrr_totals_grr(t), 6) AS grr
FROM monthly ORDER BY 1;
-- The quarter: quick ratio (30 + 30) / (100 + 10) = 0.545454...; ARR 1200, ARPA 50;
-- NRR pooled over the months: (150 + 110 + 100) / (150 + 180 + 110) = 360/440; GRR (150 + 80 + 100) / 440.
SELECT round(mrr_totals_quick_ratio(t), 6) AS quick_ratio, mrr_totals_arr(t) AS arr, mrr_totals_arpa(t) AS arpa,
       mrr_totals_nrr(t) = 360 / 440.0 AS nrr_360_440, mrr_totals_grr(t) = 330 / 440.0 AS grr_330_440
FROM (SELECT mrr_rollup(t) t FROM monthly) q;

-- CAC: January has the one new customer (C at 30); February and March none.
-- spend 900: CAC 900, payback 900 / (30 x 0.75) = 40 months; LTV:CAC needs churn: NULL in January.
SELECT month::date, mrr_totals_cac(t, 900) AS cac, mrr_totals_cac_payback(t, 900, 0.75) AS payback,
       mrr_totals_ltv_cac(t, 900) AS ltv_cac
FROM monthly ORDER BY 1;
-- The quarter: LTV = (pooled end 180 + 110 + 100 = 390 over 7 paying customer-months)
-- / (1 churned / 7 customer-months at the starts) = 390; LTV:CAC = 390 / 900 = 0.433333;
-- with margin 0.75 (the prepared statement below) 292.5 / 900 = 0.325.
-- Zero spend: CAC 0, payback 0, LTV:CAC NULL.
SELECT round(mrr_totals_ltv(t), 6) AS ltv, round(mrr_totals_ltv_cac(t, 900), 6) AS ltv_cac,
       mrr_totals_cac(t, 0) AS cac_free, mrr_totals_cac_payback(t, 0) AS payback_free, mrr_totals_ltv_cac(t, 0) AS ltv_cac_free
FROM (SELECT mrr_rollup(t) t FROM monthly) q;
-- double precision twins give the numeric answers.
SELECT mrr_totals_cac(t, 900::float8) = mrr_totals_cac(t, 900) AS cac,
       mrr_totals_cac_payback(t, 900::float8, 0.75::float8) = mrr_totals_cac_payback(t, 900, 0.75) AS payback,
       mrr_totals_ltv_cac(t, 900::float8) = mrr_totals_ltv_cac(t, 900) AS ltv_cac
FROM (SELECT mrr_rollup(t) t FROM monthly) q;

-- Untyped parameters (a dashboard's bound spend and margin) resolve.
PREPARE saas_untyped AS
SELECT mrr_totals_nrr(t, $1) AS nrr, mrr_totals_cac(t, $2) AS cac, mrr_totals_cac_payback(t, $2, $3) AS payback,
       mrr_totals_ltv_cac(t, $2, $3) AS ltv_cac
FROM (SELECT mrr_rollup(t) t FROM monthly) q;
EXECUTE saas_untyped(true, 900, 0.75);

-- ---- errors -----------------------------------------------------------------------
\set VERBOSITY default
SELECT mrr_totals_cac(t, -1) FROM monthly WHERE month = '2025-01-01';
SELECT mrr_totals_cac(t, 'NaN') FROM monthly WHERE month = '2025-01-01';
SELECT mrr_totals_cac_payback(t, 100, 0) FROM monthly WHERE month = '2025-01-01';
SELECT mrr_totals_nrr(mrr_rollup(t)) FROM monthly WHERE month <> '2025-02-01';
SELECT pg_temp.sqlstate_of($$SELECT mrr_totals_cac(t, -1) FROM monthly$$) AS negative_spend,
       pg_temp.sqlstate_of($$SELECT mrr_totals_ltv_cac(t, 'Infinity'::float8) FROM monthly$$) AS infinite_spend,
       pg_temp.sqlstate_of($$SELECT mrr_totals_cac(t, 0.000000000000000000001) FROM monthly$$) AS too_precise,
       pg_temp.sqlstate_of($$SELECT mrr_totals_ltv_cac(t, 1, 1.5) FROM monthly$$) AS margin_above_one,
       pg_temp.sqlstate_of($$SELECT mrr_totals_grr(mrr_rollup(t)) FROM monthly WHERE month <> '2025-02-01'$$) AS not_chained;
-- NULL in, NULL out (the accessors are strict).
SELECT mrr_totals_arr(NULL) IS NULL AS arr, mrr_totals_cac(t, NULL::numeric) IS NULL AS cac
FROM monthly WHERE month = '2025-01-01';
-- ---- renewals -----------------------------------------------------------------
-- The window is 2025 (period_from 2025-01-01, period_to 2026-01-01), grace 30 days.
CREATE TEMP TABLE contracts (account int, started_at timestamptz, ended_at timestamptz, mrr numeric, billing_period interval);
INSERT INTO contracts VALUES
  -- 1: an annual plan due mid-year, running on: due 2025-06-15, renewed in place at 100.
  (1, '2024-06-15', NULL, 100, '1 year'),
  -- 2: monthly 50 from 2025-10-10 to 2025-12-10, back at 60 on 2025-12-25 (inside the grace):
  --    due 11-10 (renewed in place, 50), 12-10 (ends; renewed 12-25 at 60).
  (2, '2025-10-10', '2025-12-10', 50, '1 month'), (2, '2025-12-25', NULL, 60, '1 month'),
  -- 3: a plan change at renewal: annual 100 until 2025-03-01, then monthly 150 from then:
  --    due 03-01 renewed at 150 (capped 100); then monthly dues 04-01 .. 12-01, each 150 renewed 150.
  (3, '2024-03-01', '2025-03-01', 100, '1 year'), (3, '2025-03-01', NULL, 150, '1 month'),
  -- 4: an annual plan that lapses while a monthly add-on (its own cycle) runs on: the plan's
  --    due 2025-04-01 is not renewed (the add-on is not its successor); the add-on is due on
  --    the 20th of every month, renewed in place at 25.
  (4, '2024-04-01', '2025-04-01', 200, '1 year'), (4, '2024-05-20', NULL, 25, '1 month'),
  -- 5: an annual contract cancelled mid-term on 2025-05-10: due then, not renewed;
  --    a trial (mrr 0) is never due.
  (5, '2024-09-01', '2025-05-10', 80, '1 year'), (5, '2024-08-15', '2024-09-01', 0, '14 days');
CREATE TEMP TABLE renewals AS
SELECT account, unnest(mrr_renewals(started_at, ended_at, mrr, billing_period, '2025-01-01', '2026-01-01')) AS r
FROM contracts GROUP BY account;
SELECT account, (r).due_at::date, (r).billing_period, (r).due_mrr, (r).renewed_at::date, (r).renewed_mrr
FROM renewals WHERE (r).due_at < '2025-05-01' OR account NOT IN (3, 4) ORDER BY 1, 2;
-- Over all 27 rows: account 1 one due (100 -> 100), 2 two (50 -> 50, 50 -> 60), 3 ten
-- (100 -> 150, nine of 150 -> 150), 4 thirteen (twelve of 25 -> 25, 200 -> 0), 5 one (80 -> 0).
-- due 27, renewed 25; due MRR 100 + 100 + 1450 + 500 + 80 = 2230;
-- renewed 100 + 110 + 1500 + 300 = 2010; capped 100 + 100 + 1450 + 300 = 1950.
SELECT (renewal_rate(r)).* FROM renewals;
SELECT renewal_rate(r) = row(27, 25, 2230, 1950, 2010, 25 / 27.0, 1950 / 2230.0, 2010 / 2230.0)::renewal_rates AS as_worked_out
FROM renewals;
-- Annual plans only (a filter on the rows): accounts 1, 3, 4 (the plan), 5:
-- due 4, renewed 2, due 480, capped 100 + 100 = 200, renewed 100 + 150 = 250.
SELECT (renewal_rate(r) FILTER (WHERE (r).billing_period = '1 year')).* FROM renewals;
-- A grace of 7 days: account 2's return on 12-25 is 15 days late, not a renewal:
-- renewed 24, renewed MRR 1950, capped 1900.
SELECT (renewal_rate(r)).due_customers, (renewal_rate(r)).renewed_customers, (renewal_rate(r)).renewed_mrr,
       (renewal_rate(r)).renewed_mrr_capped
FROM (SELECT account, unnest(mrr_renewals(started_at, ended_at, mrr, billing_period, '2025-01-01', '2026-01-01', '7 days')) r
      FROM contracts GROUP BY account) x;
-- A grace of 0: only a renewal at the instant of the term end counts.
SELECT account, (r).due_at::date, (r).renewed_at::date
FROM (SELECT account, unnest(mrr_renewals(started_at, ended_at, mrr, billing_period, '2025-01-01', '2026-01-01', '0 days')) r
      FROM contracts WHERE account = 2 GROUP BY account) x;
-- No dues in the window: an empty array, and renewal_rate over no rows is NULL.
SELECT mrr_renewals(started_at, ended_at, mrr, billing_period, '2027-01-01', '2027-02-01') AS none,
       (SELECT renewal_rate(r) FROM renewals WHERE false) IS NULL AS no_rows_is_null
FROM contracts WHERE account = 5;


-- Errors of the renewal functions.
SELECT mrr_renewals(started_at, ended_at, mrr, '0 days', '2025-01-01', '2026-01-01') FROM contracts;
SELECT mrr_renewals(started_at, ended_at, mrr, billing_period, '2025-01-01', '2026-01-01', '-1 day') FROM contracts;
SELECT renewal_rate(row('2025-01-01', '1 month', 10, NULL, 5)::mrr_renewal);
SELECT 'renewal_totals:00'::renewal_totals;
SELECT pg_temp.sqlstate_of($$SELECT mrr_renewals(started_at, ended_at, mrr, '0 days', '2025-01-01', '2026-01-01') FROM contracts$$) AS zero_period,
       pg_temp.sqlstate_of($$SELECT mrr_renewals(started_at, ended_at, mrr, NULL, '2025-01-01', '2026-01-01') FROM contracts$$) AS null_period,
       pg_temp.sqlstate_of($$SELECT mrr_renewals(started_at, ended_at, mrr, billing_period, '2025-01-01', '2026-01-01', '-1 day') FROM contracts$$) AS negative_grace,
       pg_temp.sqlstate_of($$SELECT mrr_renewals(started_at, ended_at, mrr, billing_period, '2025-01-01', '2025-01-01') FROM contracts$$) AS empty_window,
       pg_temp.sqlstate_of($$SELECT mrr_renewals(started_at, ended_at, mrr, billing_period, '2025-01-01', started_at) FROM contracts$$) AS window_differs,
       pg_temp.sqlstate_of($$SELECT mrr_renewals(started_at, ended_at, -mrr - 1, billing_period, '2025-01-01', '2026-01-01') FROM contracts$$) AS negative_mrr,
       pg_temp.sqlstate_of($$SELECT mrr_renewals(started_at, ended_at, mrr, '1 second', '2025-01-01', '2026-01-01') FROM contracts$$) AS too_many_terms,
       pg_temp.sqlstate_of($$SELECT renewal_rate(row('2025-01-01', '1 month', 10, NULL, 5)::mrr_renewal)$$) AS inconsistent_row,
       pg_temp.sqlstate_of($$SELECT renewal_rate(row('2025-01-01', '1 month', NULL, NULL, 0)::mrr_renewal)$$) AS null_due,
       pg_temp.sqlstate_of($$SELECT 'renewal_totals:00'::renewal_totals$$) AS bad_text;

-- ---- parallel plans give the serial answers (renewals) ---------------------------
SET max_parallel_workers_per_gather = 0;
CREATE TABLE renewal_par AS
SELECT a AS account,
       timestamptz '2023-01-01' + (a % 97) * interval '3 days' + k * interval '41 days' AS started_at,
       CASE WHEN (a + k) % 4 = 0 THEN NULL
            ELSE timestamptz '2023-01-01' + (a % 97) * interval '3 days' + (k + 1) * interval '41 days' + (a % 5) * interval '7 days' END AS ended_at,
       ((a * 7 + k * 13) % 5) * 24.5 AS mrr,
       CASE WHEN (a + k) % 3 = 0 THEN interval '1 year' ELSE interval '1 month' END AS billing_period
FROM generate_series(1, 3000) a, generate_series(0, (a % 6)) k;
ANALYZE renewal_par;
CREATE TABLE renewal_par_rows AS
SELECT account, unnest(mrr_renewals(started_at, ended_at, mrr, billing_period, '2024-01-01', '2025-01-01')) AS r
FROM renewal_par GROUP BY account;
ANALYZE renewal_par_rows;
CREATE TABLE renewal_serial_one AS
SELECT mrr_renewals(started_at, ended_at, mrr, billing_period, '2024-01-01', '2025-01-01', '10 days') a FROM renewal_par;
CREATE TABLE renewal_serial_rate AS
SELECT renewal_rate(r)::text AS whole, renewal_rate(r) FILTER (WHERE (r).due_at < '2024-04-01')::text AS q1,
       renewal_rate(r) FILTER (WHERE (r).billing_period = '1 year')::text AS annual FROM renewal_par_rows;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) CREATE TABLE renewal_par_one AS
SELECT mrr_renewals(started_at, ended_at, mrr, billing_period, '2024-01-01', '2025-01-01', '10 days') a FROM renewal_par;
CREATE TABLE renewal_par_one AS
SELECT mrr_renewals(started_at, ended_at, mrr, billing_period, '2024-01-01', '2025-01-01', '10 days') a FROM renewal_par;
EXPLAIN (COSTS OFF) CREATE TABLE renewal_par_rate AS
SELECT renewal_rate(r)::text AS whole, renewal_rate(r) FILTER (WHERE (r).due_at < '2024-04-01')::text AS q1,
       renewal_rate(r) FILTER (WHERE (r).billing_period = '1 year')::text AS annual FROM renewal_par_rows;
CREATE TABLE renewal_par_rate AS
SELECT renewal_rate(r)::text AS whole, renewal_rate(r) FILTER (WHERE (r).due_at < '2024-04-01')::text AS q1,
       renewal_rate(r) FILTER (WHERE (r).billing_period = '1 year')::text AS annual FROM renewal_par_rows;
SELECT (SELECT a FROM renewal_serial_one)::text = (SELECT a FROM renewal_par_one)::text AS same_renewals,
       cardinality((SELECT a FROM renewal_par_one)) AS renewal_rows,
       (SELECT row(r.*)::text FROM renewal_serial_rate r) = (SELECT row(r.*)::text FROM renewal_par_rate r) AS same_rates,
       (SELECT whole FROM renewal_par_rate) AS rates;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;

-- ---- revenue cohorts ------------------------------------------------------------------
-- Window 2025-01 .. 2025-06, monthly:
--   X new 2025-01-10 at 100, 150 from 2025-03-05, gone 2025-04-20     (cohort January)
--   Y new 2025-01-25 at 50, still paying                               (cohort January)
--   W new 2025-02-03 at 80, gone 2025-03-15                            (cohort February)
--   Z paying since 2024: no cohort in the window
-- January cohort: offset 0 (Jan) X100 + Y50 = 150; 1 (Feb) 150; 2 (Mar) X150 + Y50 = 200;
--   3 (Apr) X churns: Y 50, 1 paying, 1 churned; 4, 5: 50.  Retained vs 150: 1, 1, 4/3, 1/3, 1/3, 1/3.
-- February cohort: offset 0 W 80; 1 (Mar) W churns: 0 paying, 0 MRR; no row after (nobody paid).
CREATE TEMP TABLE cohort_subs (account text, started_at timestamptz, ended_at timestamptz, mrr numeric);
INSERT INTO cohort_subs VALUES
  ('X', '2025-01-10', '2025-03-05', 100), ('X', '2025-03-05', '2025-04-20', 150),
  ('Y', '2025-01-25', NULL, 50),
  ('W', '2025-02-03', '2025-03-15', 80),
  ('Z', '2024-05-01', NULL, 70);
SELECT c.cohort::date, c.month_offset, b.end_customers AS paying, b.end_mrr AS mrr,
       round(b.end_mrr / first_value(b.end_mrr) OVER w, 4) AS mrr_retained, b.churned_customers AS churned
FROM (SELECT c.cohort, c.month_offset, mrr_totals(c.movement) AS t
      FROM (SELECT mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01') AS moves
            FROM cohort_subs GROUP BY account) per_customer,
           mrr_cohort_moves(moves) c
      GROUP BY 1, 2) c, mrr_totals_bridge(c.t) b
WINDOW w AS (PARTITION BY c.cohort ORDER BY c.month_offset)
ORDER BY 1, 2;
-- The January cohort's lifetime logo churn, rolled up over its offsets: 1 churned of the
-- 2 + 2 + 2 + 1 + 1 = 8 customers paying at the starts of offsets 1 to 5 (offset 0 starts from nobody): 0.125.
SELECT mrr_totals_churn_rate(mrr_rollup(t)) AS january_logo_churn
FROM (SELECT c.month_offset, mrr_totals(c.movement) AS t
      FROM (SELECT mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01') AS moves
            FROM cohort_subs GROUP BY account) per_customer, mrr_cohort_moves(moves) c
      WHERE c.cohort = '2025-01-01' GROUP BY 1) x;
-- Errors: NULL rows in the array; NULL in, nothing out.
SELECT * FROM mrr_cohort_moves(ARRAY[NULL::mrr_movement]);
SELECT pg_temp.sqlstate_of($$SELECT * FROM mrr_cohort_moves(ARRAY[NULL::mrr_movement])$$) AS null_row,
       pg_temp.sqlstate_of($$SELECT * FROM mrr_cohort_moves(ARRAY[ARRAY[row('2025-01-01', 'new', 0, 1, 1)::mrr_movement]])$$) AS two_dimensions,
       (SELECT count(*) FROM mrr_cohort_moves(NULL)) AS from_null;
