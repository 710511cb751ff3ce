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
