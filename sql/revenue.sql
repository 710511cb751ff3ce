-- Subscription revenue: mrr_movement, mrr_bridge, churn_rate, ltv, mrr_normalize.
-- Every expected value below was worked out by hand (see the comments).
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- ---- the classifier ------------------------------------------------------
SELECT mrr_movement(0, 49, false) AS new, mrr_movement(0, 49, true) AS reactivation,
       mrr_movement(49, 0, true) AS churn, mrr_movement(49, 199, true) AS expansion,
       mrr_movement(199, 49, false) AS contraction, mrr_movement(49, 49.00, true) AS unchanged,
       mrr_movement(0, 0, true) IS NULL AS both_zero_is_null,
       mrr_movement(NULL, 5, true) IS NULL AS null_in_null_out;
SELECT mrr_movement(-1, 5, true);          -- error: negative MRR

-- ---- hand-worked timelines -------------------------------------------------
-- Periods: months of 2025-01 .. 2025-06 (period_to 2025-07-01).
CREATE TEMP TABLE subs (case_name text, started_at timestamptz, ended_at timestamptz, mrr numeric);
INSERT INTO subs VALUES
  -- starts exactly at 2025-03-01: MRR(03-01) = 100, so it is new in February
  -- (snapshot 02-01 = 0, 03-01 = 100), then unchanged through June.
  ('starts at a boundary', '2025-03-01', NULL, 100),
  -- ends exactly at 2025-04-01: MRR(04-01) = 0, so it churns in March.
  -- Started before the window: January and February are unchanged.
  ('ends at a boundary', '2024-06-15', '2025-04-01', 100),
  -- upgrade 100 -> 150 on 02-10, downgrade to 120 on 02-20: February is one
  -- expansion 100 -> 120 (snapshots at 02-01 and 03-01), then unchanged.
  ('upgrade and downgrade in one period', '2024-12-01', '2025-02-10', 100),
  ('upgrade and downgrade in one period', '2025-02-10', '2025-02-20', 150),
  ('upgrade and downgrade in one period', '2025-02-20', NULL, 120),
  -- plan 200 all along, add-on 50 from 01-15 to 04-15: January expansion
  -- 200 -> 250, February and March unchanged, April contraction 250 -> 200.
  ('two overlapping subscriptions', '2024-11-01', NULL, 200),
  ('two overlapping subscriptions', '2025-01-15', '2025-04-15', 50),
  -- paid 01-10 .. 02-10, gap, back 04-05: new in January (0 -> 49), churn in
  -- February (49 -> 0), nothing in March (0 -> 0), reactivation in April.
  ('gap then reactivation', '2025-01-10', '2025-02-10', 49),
  ('gap then reactivation', '2025-04-05', NULL, 49),
  -- a trial at 0 from 01-05 to 01-19, then paid from 01-19: new in January
  -- (the trial is not paying, so it is new, not reactivation).
  ('trial at 0 then paid', '2025-01-05', '2025-01-19', 0),
  ('trial at 0 then paid', '2025-01-19', NULL, 199),
  -- only a trial: no rows at all.
  ('trial only', '2025-02-01', '2025-02-15', 0),
  -- open-ended since 2023: unchanged every month, the last one included.
  ('open-ended', '2023-05-05', NULL, 1274.15),
  -- mixed decimals: 10.5 + 0.125 from 03-10 (one subscription ending 05-01):
  -- amounts come out at 3 decimals; March new 0 -> 10.625, April a
  -- contraction 10.625 -> 10.500 (the part ending 05-01), May, June unchanged.
  ('mixed decimals', '2025-03-10', NULL, 10.5),
  ('mixed decimals', '2025-03-10', '2025-05-01', 0.125),
  -- paid long before the window, gone by 2025: coming back in May is a
  -- reactivation, not new.
  ('paid before the window', '2023-01-01', '2023-06-01', 49),
  ('paid before the window', '2025-05-20', NULL, 99),
  -- a zero-length subscription moves nothing.
  ('zero length', '2025-02-01', '2025-02-01', 500);

SELECT case_name, (m).period::date, (m).kind, (m).mrr_before, (m).mrr_after, (m).delta
FROM (SELECT case_name, unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01')) AS m
      FROM subs GROUP BY case_name) x
ORDER BY case_name, (m).period;

-- The array itself, and the empty array for a customer with no movement.
SELECT case_name, mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01')
FROM subs WHERE case_name IN ('trial only', 'zero length', 'ends at a boundary') GROUP BY case_name ORDER BY 1;

-- Grains.  Quarterly from 2025-01-01 to 2025-12-31: Q1..Q4, the Q4 row's
-- mrr_after is the snapshot at 2026-01-01 (past period_to) = 0 -> churn.
SELECT (unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-12-31', '3 months'))).*
FROM (VALUES ('2024-01-01'::timestamptz, '2025-12-15'::timestamptz, 30::numeric)) s(started_at, ended_at, mrr);
-- Weekly: a subscription from Wednesday 2025-01-08 seen at Monday 01-13.
SELECT (unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-06', '2025-01-27', '7 days'))).*
FROM (VALUES ('2025-01-08'::timestamptz, '2025-01-22'::timestamptz, 7::numeric)) s(started_at, ended_at, mrr);
-- Month ends: p_k = period_from + k months (01-31, 02-28, 03-31, 04-30), not
-- repeated addition (which would drift to the 28th).
SELECT (m).period::date, (m).kind
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-31', '2025-05-01')) m
      FROM (VALUES ('2025-01-01'::timestamptz, NULL::timestamptz, 5::numeric)) s(started_at, ended_at, mrr)) x;
-- Infinite instants are ordinary bounds: a subscription from -infinity to
-- infinity runs in every period; one ending at infinity is open-ended.
SELECT (unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-03-01'))).kind
FROM (VALUES ('-infinity'::timestamptz, 'infinity'::timestamptz, 5::numeric),
             ('2025-02-15', 'infinity', 1)) s(started_at, ended_at, mrr);
-- Periods follow the session time zone.  A subscription starting
-- 2025-03-01 03:00 UTC (February 28, 22:00 in New York) already runs at the
-- New York midnight of March 1 (05:00 UTC): new in February there, new in
-- March in UTC.  The periods are local midnights (EST, then EDT).
SET timezone = 'America/New_York';
SELECT (m).period, (m).kind
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-02-01', '2025-05-01')) m
      FROM (VALUES ('2025-03-01 03:00+00'::timestamptz, NULL::timestamptz, 5::numeric)) s(started_at, ended_at, mrr)) x;
SET timezone = 'UTC';
SELECT (m).period, (m).kind
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-02-01', '2025-05-01')) m
      FROM (VALUES ('2025-03-01 03:00+00'::timestamptz, NULL::timestamptz, 5::numeric)) s(started_at, ended_at, mrr)) x;

-- ---- bad input: every error names the offending values ---------------------
SELECT mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01')
FROM (VALUES ('2025-03-01'::timestamptz, '2025-02-01'::timestamptz, 10::numeric)) s(started_at, ended_at, mrr);
SELECT mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01')
FROM (VALUES ('2025-03-01'::timestamptz, NULL::timestamptz, -10::numeric)) s(started_at, ended_at, mrr);
SELECT mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01')
FROM (VALUES ('2025-03-01'::timestamptz, NULL::timestamptz, NULL::numeric)) s(started_at, ended_at, mrr);
SELECT mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01')
FROM (VALUES (NULL::timestamptz, NULL::timestamptz, 10::numeric)) s(started_at, ended_at, mrr);
SELECT mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01')
FROM (VALUES ('2025-03-01'::timestamptz, NULL::timestamptz, 'NaN'::numeric)) s(started_at, ended_at, mrr);
SELECT mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01')
FROM (VALUES ('2025-03-01'::timestamptz, NULL::timestamptz, 1.000000000000000000001::numeric)) s(started_at, ended_at, mrr);
SELECT mrr_movement('2025-03-01', NULL, 10, '2025-01-01', '2025-07-01', '0 days');
SELECT mrr_movement('2025-03-01', NULL, 10, '2025-01-01', '2025-07-01', '-1 month');
SELECT mrr_movement('2025-03-01', NULL, 10, '2025-01-01', '2025-07-01', '1 month -1 day');
SELECT mrr_movement('2025-03-01', NULL, 10, '2025-07-01', '2025-07-01');
SELECT mrr_movement('2025-03-01', NULL, 10, '2025-07-01', '2025-01-01');
SELECT mrr_movement('2025-03-01', NULL, 10, '-infinity', '2025-01-01');
SELECT mrr_movement('2025-03-01', NULL, 10, NULL, '2025-01-01');
SELECT mrr_movement('2025-03-01', NULL, 10, '2025-01-01', '2025-07-01', NULL);
-- Amounts are exact or an error: a sum beyond 128 bits is refused, not rounded.
-- Two amounts of 10^38 fit, their sum does not; 10^37 cannot take 2 decimals.
SELECT mrr_movement(started_at, NULL, mrr, '2025-01-01', '2025-03-01')
FROM (VALUES ('2024-01-01'::timestamptz, 1e38::numeric), ('2024-01-01', 1e38)) s(started_at, mrr);
SELECT mrr_movement(started_at, NULL, mrr, '2025-01-01', '2025-03-01')
FROM (VALUES ('2024-01-01'::timestamptz, 1e37::numeric), ('2024-01-01', 0.01)) s(started_at, mrr);
-- 10,000 daily periods are allowed, 10,001 are not.
SELECT cardinality(mrr_movement('2000-01-01', NULL, 10, '2000-01-01', timestamptz '2000-01-01' + 10000 * interval '1 day', '1 day'));
SELECT mrr_movement('2000-01-01', NULL, 10, '2000-01-01', timestamptz '2000-01-01' + 10001 * interval '1 day', '1 day');
-- Period arguments must be the same on every row of a group.
SELECT mrr_movement(started_at, NULL, 10, period_from, '2025-07-01')
FROM (VALUES ('2025-03-01'::timestamptz, '2025-01-01'::timestamptz), ('2025-03-01', '2025-02-01')) s(started_at, period_from);

-- ---- mrr_bridge ------------------------------------------------------------
CREATE TEMP TABLE moves AS
SELECT case_name, unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01')) AS m
FROM subs GROUP BY case_name;

-- January by hand (snapshots 01-01 -> 02-01):
--   ends at a boundary 100 -> 100, upgrade/downgrade 100 -> 100,
--   overlapping 200 -> 250 (expansion 50), gap 0 -> 49 (new), trial 0 -> 199
--   (new), open-ended 1274.15 -> 1274.15.
--   start 1674.15, new 248, expansion 50, end 1972.15; start 4, new 2,
--   expanded 1, end 6.
-- April (04-01 -> 05-01): starts-at-boundary 100 -> 100, upgrade 120 -> 120,
--   overlapping 250 -> 200 (contraction 50), gap 0 -> 49 (reactivation),
--   trial 199, open-ended 1274.15, mixed 10.625 -> 10.5 (contraction 0.125).
--   start 1953.775, reactivation 49, contraction 50.125, end 1952.650.
SELECT (m).period::date, (mrr_bridge(m)).*
FROM moves GROUP BY (m).period ORDER BY 1;
-- The identity holds exactly in every period.
SELECT p::date,
       (b).start_mrr + (b).new_mrr + (b).expansion_mrr + (b).reactivation_mrr
         - (b).contraction_mrr - (b).churned_mrr = (b).end_mrr AS identity,
       (b).start_customers + (b).new_customers + (b).reactivated_customers - (b).churned_customers
         = (b).end_customers AS customer_identity
FROM (SELECT (m).period AS p, mrr_bridge(m) AS b FROM moves GROUP BY 1) x(p, b)
ORDER BY 1;
-- A segment: the bridge per period and case family.
SELECT (m).period::date, case_name LIKE '%boundary%' AS boundary_cases, (mrr_bridge(m)).end_mrr
FROM moves WHERE (m).period = '2025-03-01' GROUP BY 1, 2 ORDER BY 2;
-- Errors: several periods in one group, inconsistent or incomplete rows.
SELECT mrr_bridge(m) FROM moves;
SELECT mrr_bridge(ROW('2025-01-01', 'expansion', 10, 5, -5)::mrr_movement);
SELECT mrr_bridge(ROW('2025-01-01', 'new', 0, 0, 0)::mrr_movement);
SELECT mrr_bridge(ROW('2025-01-01', NULL, 0, 5, 5)::mrr_movement);
SELECT mrr_bridge(ROW('2025-01-01', 'new', -1, 5, 6)::mrr_movement);
-- NULL rows are skipped; no rows give NULL.
SELECT mrr_bridge(m) FROM (VALUES (NULL::mrr_movement), (ROW('2025-01-01', 'new', 0, 5, 5)::mrr_movement)) v(m);
SELECT mrr_bridge(m) IS NULL AS no_rows FROM moves WHERE false;

-- ---- churn_rate ------------------------------------------------------------
-- Pooled over January..June (all rows):
--   customers paying at a period start (start_customers above): Jan 4,
--   Feb 6, Mar 6, Apr 6, May 7, Jun 8 = 37; churned: Feb 1 (gap), Mar 1
--   (ends at a boundary) = 2.  logo = 2 / 37.
SELECT churn_rate(m) AS logo, churn_rate(m, 'logo') AS logo_again, 2 / 37.0 AS by_hand FROM moves;
-- Gross and net in April alone: start 1953.775; churned 0, contraction
-- 50.125, expansion 0, reactivation 49: gross = 50.125 / 1953.775,
-- net = 1.125 / 1953.775.
SELECT churn_rate(m, 'gross_mrr') AS gross, 50.125 / 1953.775 AS gross_by_hand,
       churn_rate(m, 'net_mrr') AS net, 1.125 / 1953.775 AS net_by_hand
FROM moves WHERE (m).period = '2025-04-01';
-- Net churn is negative when expansion wins (January: -50 / 1674.15).
SELECT churn_rate(m, 'net_mrr'), -50 / 1674.15 AS by_hand FROM moves WHERE (m).period = '2025-01-01';
-- NULL when nobody paid at the start.
SELECT churn_rate(m) IS NULL AS logo_null, churn_rate(m, 'gross_mrr') IS NULL AS gross_null
FROM (VALUES (ROW('2025-01-01', 'new', 0, 5, 5)::mrr_movement)) v(m);
SELECT churn_rate(m, 'revenue') FROM moves;
SELECT churn_rate(m, NULL) FROM moves;

-- ---- ltv -------------------------------------------------------------------
-- All rows: ARPA = sum(mrr_after) / rows with mrr_after > 0 = 12025.025 / 41
-- (the end_mrr and end_customers of the six bridges), churn = 2 / 37:
-- LTV = 12025.025 * 37 / (41 * 2) = 5425.92591463...
SELECT ltv(m) AS ltv, ltv(m, 0.8) AS ltv_80,
       12025.025 * 37 / (41 * 2) AS by_hand, 12025.025 * 37 * 0.8 / (41 * 2) AS by_hand_80,
       sum((m).mrr_after) AS sum_after, count(*) FILTER (WHERE (m).mrr_after > 0) AS paying_rows
FROM moves;
-- NULL when nobody churned.
SELECT ltv(m) IS NULL AS no_churn FROM moves WHERE (m).period = '2025-01-01';
SELECT ltv(m, 0) FROM moves;
SELECT ltv(m, 1.5) FROM moves;
SELECT ltv(m, NULL) FROM moves;
-- The formula: 100 * 0.8 / 0.05 = 1600; churn 0 gives NULL.
SELECT ltv(100, 0.05) AS "2000", ltv(100, 0.05, 0.8) AS "1600", ltv(100, 0) IS NULL AS zero_churn;
-- Any precision is fine for the formula: 10^-24 x 1 / 0.5.
SELECT ltv(0.000000000000000000000001, 0.5);
SELECT ltv(-1, 0.05);
SELECT ltv('NaN', 0.05);
SELECT ltv(100, 1.5);
SELECT ltv(100, -0.1);
SELECT ltv(100, 0.05, 0);

-- ---- mrr_normalize -----------------------------------------------------------
-- yearly / 12, quarterly / 3, monthly as is, weekly x 52/12, a day is 12/364
-- of a month (a 52-week year), so 30 days x 364/360.
SELECT mrr_normalize(14988, '1 year') AS yearly, mrr_normalize(300, '3 months') AS quarterly,
       mrr_normalize(49.90, '1 month') AS monthly, mrr_normalize(120, '1 week') AS weekly,
       mrr_normalize(120, '14 days') AS fortnightly, mrr_normalize(360, '30 days') AS thirty_days,
       mrr_normalize(24, '2 years') AS two_years, mrr_normalize(3, '24 hours') AS daily;
SELECT mrr_normalize(100, '0 days');
SELECT mrr_normalize(100, '-1 month');
SELECT mrr_normalize(100, '1 month -3 days');

-- ---- parallel plans give the serial answers ------------------------------------
-- Results are stored with CREATE TABLE AS (which runs parallel plans), once
-- serially and once with forced parallelism, then compared.
SET max_parallel_workers_per_gather = 0;
CREATE TABLE revenue_par AS
SELECT a AS account_id,
       timestamptz '2023-01-01' + (a % 97) * interval '3 days' + k * interval '41 days' AS started_at,
       CASE WHEN (a + k) % 4 = 0 THEN NULL
            ELSE timestamptz '2023-01-01' + (a % 97) * interval '3 days' + (k + 1) * interval '41 days' + (a % 5) * interval '7 days' END AS ended_at,
       ((a * 7 + k * 13) % 5) * 24.5 AS mrr
FROM generate_series(1, 3000) a, generate_series(0, (a % 6)) k;
ANALYZE revenue_par;
CREATE TABLE moves_par AS
SELECT account_id, unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2025-01-01')) m
FROM revenue_par GROUP BY account_id;
ANALYZE moves_par;
CREATE TABLE rev_serial_one AS
SELECT mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2025-01-01') a FROM revenue_par;
CREATE TABLE rev_serial_bridge AS
SELECT (m).period, (mrr_bridge(m)).* FROM (
  SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2025-01-01')) m
  FROM revenue_par GROUP BY account_id) x GROUP BY 1;
CREATE TABLE rev_serial_totals AS
SELECT mrr_bridge(m) b, churn_rate(m) l, churn_rate(m, 'gross_mrr') g, churn_rate(m, 'net_mrr') n,
       ltv(m) v, ltv(m, 0.75) v75
FROM moves_par WHERE (m).period = '2024-06-01';
CREATE TABLE rev_serial_pooled AS
SELECT churn_rate(m) l, churn_rate(m, 'gross_mrr') g, churn_rate(m, 'net_mrr') n, ltv(m) v, ltv(m, 0.75) v75
FROM moves_par;

SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
-- Partial Aggregate in the workers, then serialize, deserialize, combine.
EXPLAIN (COSTS OFF) CREATE TABLE rev_par_one AS
SELECT mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2025-01-01') a FROM revenue_par;
CREATE TABLE rev_par_one AS
SELECT mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2025-01-01') a FROM revenue_par;
SELECT (SELECT a FROM rev_serial_one) = (SELECT a FROM rev_par_one) AS same_movements,
       cardinality((SELECT a FROM rev_par_one)) AS movements;
EXPLAIN (COSTS OFF) CREATE TABLE rev_par_totals AS
SELECT mrr_bridge(m) b, churn_rate(m) l, churn_rate(m, 'gross_mrr') g, churn_rate(m, 'net_mrr') n,
       ltv(m) v, ltv(m, 0.75) v75
FROM moves_par WHERE (m).period = '2024-06-01';
CREATE TABLE rev_par_totals AS
SELECT mrr_bridge(m) b, churn_rate(m) l, churn_rate(m, 'gross_mrr') g, churn_rate(m, 'net_mrr') n,
       ltv(m) v, ltv(m, 0.75) v75
FROM moves_par WHERE (m).period = '2024-06-01';
CREATE TABLE rev_par_pooled AS
SELECT churn_rate(m) l, churn_rate(m, 'gross_mrr') g, churn_rate(m, 'net_mrr') n, ltv(m) v, ltv(m, 0.75) v75
FROM moves_par;
SELECT (SELECT row(t.*)::text FROM rev_serial_totals t) = (SELECT row(t.*)::text FROM rev_par_totals t) AS same_bridge_churn_ltv,
       (SELECT row(t.*)::text FROM rev_serial_pooled t) = (SELECT row(t.*)::text FROM rev_par_pooled t) AS same_pooled,
       (SELECT (b).start_customers FROM rev_par_totals) AS start_customers,
       (SELECT (b).churned_customers FROM rev_par_totals) AS churned_customers;
-- The whole pipeline: per-customer movements, then the bridge by period
-- (the plan is the planner's choice; the answer must not depend on it).
CREATE TABLE rev_par_bridge AS
SELECT (m).period, (mrr_bridge(m)).* FROM (
  SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2025-01-01')) m
  FROM revenue_par GROUP BY account_id) x GROUP BY 1;
SELECT (SELECT count(*) FROM rev_serial_bridge) AS periods,
       (SELECT count(*) FROM (SELECT * FROM rev_serial_bridge EXCEPT ALL SELECT * FROM rev_par_bridge) d) +
       (SELECT count(*) FROM (SELECT * FROM rev_par_bridge EXCEPT ALL SELECT * FROM rev_serial_bridge) d) AS differences;
RESET ALL;
DROP TABLE revenue_par, moves_par, rev_serial_one, rev_serial_bridge, rev_serial_totals, rev_serial_pooled,
           rev_par_one, rev_par_totals, rev_par_pooled, rev_par_bridge;
