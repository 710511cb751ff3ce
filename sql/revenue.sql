-- Subscription revenue: mrr_movement, mrr_classify, mrr_bridge, churn_rate, ltv_agg, ltv,
-- mrr_normalize, and the mrr_totals type with mrr_totals, mrr_rollup and its accessors.
-- Every expected value below was worked out by hand (see the comments).
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
-- Errors show their message, detail and hint as psql prints them; the SQLSTATE
-- of each is pinned in a table after its group, through this (the code, or ok).
CREATE FUNCTION pg_temp.sqlstate_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE statement;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;

-- ---- the classifier ------------------------------------------------------
SELECT mrr_classify(0, 49, false) AS new, mrr_classify(0, 49, true) AS reactivation,
       mrr_classify(49, 0, true) AS churn, mrr_classify(49, 199, true) AS expansion,
       mrr_classify(199, 49, false) AS contraction, mrr_classify(49, 49.00, true) AS unchanged,
       mrr_classify(0, 0, true) IS NULL AS both_zero_is_null,
       mrr_classify(NULL, 5, true) IS NULL AS null_in_null_out;
SELECT mrr_classify(-1, 5, true);          -- error: negative MRR
SELECT pg_temp.sqlstate_of($$SELECT mrr_classify(-1, 5, true)$$) AS negative_mrr;
-- double precision twins (what JDBC's setDouble sends): the same kinds.
SELECT mrr_classify(0::float8, 49.5::float8, false) AS new, mrr_classify(49.5::float8, 49.25::float8, true) AS contraction,
       mrr_classify(0.1::float8 + 0.2::float8, 0.3::float8, true) AS "0.30000000000000004 -> 0.3";

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

-- ---- review item 7: "paid before" is what the sweep saw ----------------------
-- The rule: coming back from MRR 0 is a reactivation when the customer had
-- MRR > 0 at an earlier boundary of this sweep, or at any instant before its
-- first boundary (period_from); otherwise it is new.  Monthly from 2025-01-01.
CREATE TEMP TABLE subs7 (case_name text, started_at timestamptz, ended_at timestamptz, mrr numeric);
INSERT INTO subs7 VALUES
  -- the issue's case: paid 01-05 .. 01-19, strictly between the boundaries
  -- 01-01 and 02-01, so no boundary saw it; back 03-10: March is new (1.0
  -- said reactivation, and the customer was never counted new).
  ('blip inside the window', '2025-01-05', '2025-01-19', 49),
  ('blip inside the window', '2025-03-10', NULL, 49),
  -- the same blip a month earlier, before period_from: paying at an instant
  -- before the sweep, so March is a reactivation.
  ('blip before the window', '2024-12-05', '2024-12-19', 49),
  ('blip before the window', '2025-03-10', NULL, 49),
  -- paid until exactly period_from: MRR(01-01) = 0, but it paid before: reactivation.
  ('paid until period_from', '2024-11-01', '2025-01-01', 49),
  ('paid until period_from', '2025-03-10', NULL, 49),
  -- a zero-length paid subscription before the window never paid: new.
  ('empty before the window', '2024-12-05', '2024-12-05', 49),
  ('empty before the window', '2025-03-10', NULL, 49),
  -- a blip, then 02-20 .. 03-05 across the boundary 03-01, then back 05-10:
  -- February new (0 -> 49 at 03-01), March churn, May reactivation (it paid
  -- at the boundary 03-01), June unchanged.
  ('blip then across a boundary', '2025-01-05', '2025-01-19', 49),
  ('blip then across a boundary', '2025-02-20', '2025-03-05', 49),
  ('blip then across a boundary', '2025-05-10', NULL, 49);
SELECT case_name, (m).period::date, (m).kind, (m).mrr_before, (m).mrr_after
FROM (SELECT case_name, unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01')) AS m
      FROM subs7 GROUP BY case_name) x
ORDER BY case_name, (m).period;
-- So March's bridge counts 2 new customers (the blip inside the window and
-- the empty one) and 2 reactivations (the other two), 196 of MRR in all.
SELECT (b).new_customers, (b).new_mrr, (b).reactivated_customers, (b).reactivation_mrr
FROM (SELECT mrr_bridge(m) AS b
      FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2025-07-01')) AS m
            FROM subs7 GROUP BY case_name) x
      WHERE (m).period = '2025-03-01') y;

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
-- A grain whose multiples leave the interval range (22015), a period beyond the timestamps (22008).
SELECT mrr_movement('2025-03-01', NULL, 10, '2000-01-01', '294270-01-01', '1 day 2000000000 hours');
SELECT mrr_movement('2025-03-01', NULL, 10, '2000-01-01', '294270-01-01', '100000 years');
-- Support functions called by hand (0A000; those of mrr_movement take internal, so SQL cannot call them).
SELECT mrr_bridge_transfn(NULL, ROW('2025-01-01', 'new', 0, 5, 5)::mrr_movement);
SELECT label, pg_temp.sqlstate_of(q) AS sqlstate FROM (VALUES
  ('ends before it starts', $$SELECT mrr_movement('2025-03-01', '2025-02-01', 10, '2025-01-01', '2025-07-01')$$),
  ('negative mrr', $$SELECT mrr_movement('2025-03-01', NULL, -10, '2025-01-01', '2025-07-01')$$),
  ('NULL mrr', $$SELECT mrr_movement('2025-03-01', NULL, NULL::numeric, '2025-01-01', '2025-07-01')$$),
  ('NULL started_at', $$SELECT mrr_movement(NULL, NULL, 10, '2025-01-01', '2025-07-01')$$),
  ('NaN mrr', $$SELECT mrr_movement('2025-03-01', NULL, 'NaN', '2025-01-01', '2025-07-01')$$),
  ('21 decimals', $$SELECT mrr_movement('2025-03-01', NULL, 1.000000000000000000001, '2025-01-01', '2025-07-01')$$),
  ('zero grain', $$SELECT mrr_movement('2025-03-01', NULL, 10, '2025-01-01', '2025-07-01', '0 days')$$),
  ('negative grain', $$SELECT mrr_movement('2025-03-01', NULL, 10, '2025-01-01', '2025-07-01', '1 month -1 day')$$),
  ('empty window', $$SELECT mrr_movement('2025-03-01', NULL, 10, '2025-07-01', '2025-07-01')$$),
  ('infinite period_from', $$SELECT mrr_movement('2025-03-01', NULL, 10, '-infinity', '2025-01-01')$$),
  ('NULL period_from', $$SELECT mrr_movement('2025-03-01', NULL, 10, NULL, '2025-01-01')$$),
  ('NULL grain', $$SELECT mrr_movement('2025-03-01', NULL, 10, '2025-01-01', '2025-07-01', NULL)$$),
  ('sum beyond 128 bits', $$SELECT mrr_movement('2024-01-01', NULL, mrr, '2025-01-01', '2025-03-01') FROM (VALUES (1e38), (1e38)) v(mrr)$$),
  ('10,001 periods', $$SELECT mrr_movement('2000-01-01', NULL, 10, '2000-01-01', '2027-05-20', '1 day')$$),
  ('period arguments differ', $$SELECT mrr_movement('2025-03-01', NULL, 10, f, '2025-07-01') FROM (VALUES ('2025-01-01'::timestamptz), ('2025-02-01')) v(f)$$),
  ('grain out of range', $$SELECT mrr_movement('2025-03-01', NULL, 10, '2000-01-01', '294270-01-01', '1 day 2000000000 hours')$$),
  ('timestamp out of range', $$SELECT mrr_movement('2025-03-01', NULL, 10, '2000-01-01', '294270-01-01', '100000 years')$$),
  ('transfn by hand', $$SELECT mrr_bridge_transfn(NULL, ROW('2025-01-01', 'new', 0, 5, 5)::mrr_movement)$$)) v(label, q);

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
SELECT label, pg_temp.sqlstate_of(q) AS sqlstate FROM (VALUES
  ('two periods', $$SELECT mrr_bridge(m) FROM moves$$),
  ('kind against amounts', $$SELECT mrr_bridge(ROW('2025-01-01', 'expansion', 10, 5, -5)::mrr_movement)$$),
  ('NULL kind', $$SELECT mrr_bridge(ROW('2025-01-01', NULL, 0, 5, 5)::mrr_movement)$$),
  ('negative amount', $$SELECT mrr_bridge(ROW('2025-01-01', 'new', -1, 5, 6)::mrr_movement)$$),
  ('unknown basis', $$SELECT churn_rate(m, 'revenue') FROM moves$$),
  ('NULL basis', $$SELECT churn_rate(m, NULL) FROM moves$$),
  ('margin 0', $$SELECT ltv_agg(m, 0) FROM moves$$),
  ('NULL margin', $$SELECT ltv_agg(m, NULL) FROM moves$$),
  ('margin 21 decimals', $$SELECT ltv_agg(m, 0.000000000000000000001) FROM moves$$),
  ('basis changes', $$SELECT churn_rate(m, b) FROM (VALUES (NULL::mrr_movement, 'logo'), (NULL, 'net_mrr')) v(m, b)$$),
  ('margin changes', $$SELECT ltv_agg(m, g) FROM (VALUES (NULL::mrr_movement, 0.8), (NULL, 0.80), (NULL, 0.7)) v(m, g)$$),
  ('formula: arpa', $$SELECT ltv(-1, 0.05)$$),
  ('formula: churn', $$SELECT ltv(100, 1.5)$$),
  ('formula: margin', $$SELECT ltv(100, 0.05, 0)$$),
  ('billing period', $$SELECT mrr_normalize(100, '0 days')$$)) v(label, q);
-- NULL rows are skipped; no rows give NULL.
SELECT mrr_bridge(m) FROM (VALUES (NULL::mrr_movement), (ROW('2025-01-01', 'new', 0, 5, 5)::mrr_movement)) v(m);
-- Review item 8: an aggregate over nothing but NULL rows is NULL, like sum
-- (1.0 gave a bridge of zeros); over no rows too.
SELECT mrr_bridge(m) IS NULL AS bridge, churn_rate(m) IS NULL AS logo, churn_rate(m, 'gross_mrr') IS NULL AS gross,
       ltv_agg(m) IS NULL AS ltv, ltv_agg(m, 0.8) IS NULL AS ltv_80, mrr_totals(m) IS NULL AS totals,
       sum((m).mrr_after) IS NULL AS "sum, for comparison"
FROM (VALUES (NULL::mrr_movement), (NULL)) v(m);
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
SELECT ltv_agg(m) AS ltv, ltv_agg(m, 0.8) AS ltv_80,
       12025.025 * 37 / (41 * 2) AS by_hand, 12025.025 * 37 * 0.8 / (41 * 2) AS by_hand_80,
       sum((m).mrr_after) AS sum_after, count(*) FILTER (WHERE (m).mrr_after > 0) AS paying_rows
FROM moves;
-- NULL when nobody churned.
SELECT ltv_agg(m) IS NULL AS no_churn FROM moves WHERE (m).period = '2025-01-01';
SELECT ltv_agg(m, 0) FROM moves;
SELECT ltv_agg(m, 1.5) FROM moves;
SELECT ltv_agg(m, NULL) FROM moves;
-- The formula: 100 * 0.8 / 0.05 = 1600; churn 0 gives NULL.
SELECT ltv(100, 0.05) AS "2000", ltv(100, 0.05, 0.8) AS "1600", ltv(100, 0) IS NULL AS zero_churn;
-- Any precision is fine for the formula: 10^-24 x 1 / 0.5.
SELECT ltv(0.000000000000000000000001, 0.5);
SELECT ltv(-1, 0.05);
SELECT ltv('NaN', 0.05);
SELECT ltv(100, 1.5);
SELECT ltv(100, -0.1);
SELECT ltv(100, 0.05, 0);
-- double precision twins and untyped parameters (what drivers send): the
-- same answers.  400 x 0.8 / 0.025 = 12800.
SELECT ltv(400::float8, 0.025::float8) AS "16000", ltv(400::float8, 0.025::float8, 0.8::float8) AS "12800",
       ltv(100::float8, 0::float8) IS NULL AS zero_churn;
SELECT ltv('NaN'::float8, 0.05::float8);
PREPARE ltv_untyped AS SELECT ltv($1, $2) AS ltv, ltv($1, $2, $3) AS ltv_margin;
EXECUTE ltv_untyped(400, 0.025, 0.8);
DEALLOCATE ltv_untyped;

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
SELECT mrr_normalize(14988::float8, '1 year') AS yearly, mrr_normalize(120.5::float8, '1 week') AS "weekly x 13/3";
PREPARE normalize_untyped AS SELECT mrr_normalize($1, $2);
EXECUTE normalize_untyped(300, '3 months');
DEALLOCATE normalize_untyped;
PREPARE classify_untyped AS SELECT mrr_classify($1, $2, $3);
EXECUTE classify_untyped(0, 49, true);
DEALLOCATE classify_untyped;

-- ---- mrr_totals: stored totals, rollups and accessors -----------------------------
-- The text form is 'mrr_totals:' and the hex of the little-endian wire format
-- (src/revenue/revenue.h).  This value, new 49.00 and churn 99.00 in January
-- 2025, was encoded independently (a Python script writing the fields out):
-- version 01, flags 01, basis 00, scale 02, margin 0 (16 bytes), first and
-- last period 2025-01-01 as microseconds since 2000 (0x0002cd987ed48000),
-- 9 amounts of 16 bytes (start 9900 = 0x26ac, end 4900, pooled 9900 and
-- 4900, new 4900, 0, 0, 0, churned 9900) and 9 counts of 8 (1 1 1 1 1 0 0 0 1).
CREATE TEMP TABLE pinned AS
SELECT mrr_totals(m) AS t
FROM (VALUES (ROW('2025-01-01 00:00+00', 'new', 0, 49.00, 49.00)::mrr_movement),
             (ROW('2025-01-01 00:00+00', 'churn', 99.00, 0, -99.00)::mrr_movement)) v(m);
SELECT t::text = 'mrr_totals:01010002000000000000000000000000000000000080d47e98cd02000080d47e98cd0200ac26000000000000000000000000000024130000000000000000000000000000ac2600000000000000000000000000002413000000000000000000000000000024130000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ac260000000000000000000000000000010000000000000001000000000000000100000000000000010000000000000001000000000000000000000000000000000000000000000000000000000000000100000000000000'
       AS pinned_text,
       length(t::text) AS text_length, length(t::bytea) AS wire_bytes,
       (t::text)::mrr_totals::text = t::text AS text_round_trip,
       (t::bytea)::mrr_totals::text = t::text AS bytea_round_trip
FROM pinned;
SELECT b.* FROM pinned, mrr_totals_bridge(t) b;
-- Bad input: text (22P02), bytes (22P03); every byte is checked.
SELECT 'uv:0101'::mrr_totals;
SELECT 'mrr_totals:0101zz'::mrr_totals;
SELECT 'mrr_totals:0101'::mrr_totals;
SELECT ('mrr_totals:02' || substr(t::text, 14))::mrr_totals FROM pinned;
-- start_mrr 9900 -> 9901 (byte 37): the pooled start no longer adds up.
SELECT overlay(t::text placing 'ad' from 12 + 2 * 36 for 2)::mrr_totals FROM pinned;
SELECT overlay(t::bytea placing '\xad'::bytea from 37 for 1)::mrr_totals FROM pinned;
SELECT '\x0101'::bytea::mrr_totals;
SELECT label, pg_temp.sqlstate_of(q) AS sqlstate FROM (VALUES
  ('another prefix', $$SELECT 'uv:0101'::mrr_totals$$),
  ('not hex', $$SELECT 'mrr_totals:0101zz'::mrr_totals$$),
  ('too short', $$SELECT 'mrr_totals:0101'::mrr_totals$$),
  ('broken identity', $$SELECT overlay(t::text placing 'ad' from 12 + 2 * 36 for 2)::mrr_totals FROM pinned$$),
  ('bytes: broken identity', $$SELECT overlay(t::bytea placing '\xad'::bytea from 37 for 1)::mrr_totals FROM pinned$$),
  ('bytes: too short', $$SELECT '\x0101'::bytea::mrr_totals$$)) v(label, q);

-- One value per month (what a dashboard stores), from the hand-worked movements.
CREATE TEMP TABLE monthly AS
SELECT (m).period AS month, mrr_totals(m) AS totals FROM moves GROUP BY 1;
-- Each month's accessor bridge is the month's mrr_bridge (worked by hand above).
SELECT count(*) AS months,
       count(*) FILTER (WHERE (b.start_mrr, b.new_mrr, b.expansion_mrr, b.reactivation_mrr, b.contraction_mrr,
                               b.churned_mrr, b.end_mrr, b.start_customers, b.new_customers, b.expanded_customers,
                               b.reactivated_customers, b.contracted_customers, b.churned_customers, b.end_customers)
                              IS DISTINCT FROM
                              ((r.b).start_mrr, (r.b).new_mrr, (r.b).expansion_mrr, (r.b).reactivation_mrr,
                               (r.b).contraction_mrr, (r.b).churned_mrr, (r.b).end_mrr, (r.b).start_customers,
                               (r.b).new_customers, (r.b).expanded_customers, (r.b).reactivated_customers,
                               (r.b).contracted_customers, (r.b).churned_customers, (r.b).end_customers)
                          OR b.first_period <> month OR b.last_period <> month) AS differing
FROM monthly, mrr_totals_bridge(totals) b,
     LATERAL (SELECT mrr_bridge(m) AS b FROM moves WHERE (m).period = month) r;
-- Quarters from the stored months.  By hand from the monthly bridges:
--   Q1: start 1674.15 (January's), new 248 + 100 + 10.625 = 358.625,
--       expansion 50 + 20 = 70, churned 49 + 100 = 149, end 1953.775 (March's);
--       customers 4 + 4 new - 2 churned = 6.
--   Q2: start 1953.775, reactivation 49 + 99 = 148, contraction 50.125,
--       end 2051.650; customers 6 + 2 reactivated = 8.
SELECT b.*
FROM (SELECT date_trunc('quarter', month) AS quarter, mrr_rollup(totals) AS t FROM monthly GROUP BY 1) q,
     mrr_totals_bridge(t) b
ORDER BY quarter;
-- The half year from the quarters equals the half year from the months and
-- mrr_totals over all the movement rows at once; the same value, byte for byte.
SELECT (SELECT mrr_rollup(t)::text FROM (SELECT mrr_rollup(totals) t FROM monthly GROUP BY date_trunc('quarter', month)) q)
         = (SELECT mrr_rollup(totals)::text FROM monthly) AS quarters_equal_months,
       (SELECT mrr_rollup(totals)::text FROM monthly) = (SELECT mrr_totals(m)::text FROM moves) AS months_equal_rows;
-- Pooled churn and LTV of the half year equal the one-step aggregates over
-- every row (2 / 37; 12025.025 x 37 / (41 x 2), worked out above).
SELECT mrr_totals_churn_rate(h) = (SELECT churn_rate(m) FROM moves) AS logo,
       mrr_totals_churn_rate(h, 'gross_mrr') = (SELECT churn_rate(m, 'gross_mrr') FROM moves) AS gross,
       mrr_totals_churn_rate(h, 'net_mrr') = (SELECT churn_rate(m, 'net_mrr') FROM moves) AS net,
       mrr_totals_ltv(h) = (SELECT ltv_agg(m) FROM moves) AS ltv,
       mrr_totals_ltv(h, 0.8) = (SELECT ltv_agg(m, 0.8) FROM moves) AS ltv_80,
       mrr_totals_ltv(h, 0.8::float8) = (SELECT ltv_agg(m, 0.8) FROM moves) AS ltv_80_double,
       mrr_totals_churn_rate(h) = 2 / 37.0 AS logo_by_hand,
       mrr_totals_ltv(h) = 12025.025 * 37 / (41 * 2) AS ltv_by_hand
FROM (SELECT mrr_rollup(totals) AS h FROM monthly) x;
-- Any order of the rows gives the same value (combining is order-free).
SELECT count(DISTINCT t::text) AS distinct_values
FROM (SELECT mrr_rollup(totals ORDER BY month) AS t FROM monthly
      UNION ALL SELECT mrr_rollup(totals ORDER BY month DESC) FROM monthly
      UNION ALL SELECT mrr_rollup(totals ORDER BY totals::text) FROM monthly) x;
-- Segments: a value per month and case family; all segments of a month
-- roll up to the month, and each family (fixed per customer) to its half year.
CREATE TEMP TABLE monthly_segments AS
SELECT (m).period AS month, case_name LIKE '%boundary%' AS boundary_cases, mrr_totals(m) AS totals
FROM moves GROUP BY 1, 2;
SELECT (SELECT count(*) FROM (SELECT month, mrr_rollup(totals)::text FROM monthly_segments GROUP BY 1
                              EXCEPT SELECT month, totals::text FROM monthly) d) AS months_differing,
       (SELECT mrr_rollup(totals)::text FROM monthly_segments) = (SELECT mrr_rollup(totals)::text FROM monthly)
         AS all_equal_months;
SELECT boundary_cases, b.start_mrr, b.churned_mrr, b.end_mrr, b.start_customers, b.churned_customers, b.end_customers
FROM (SELECT boundary_cases, mrr_rollup(totals) AS t FROM monthly_segments GROUP BY 1) s, mrr_totals_bridge(t) b
ORDER BY 1;
-- Incompatible totals are an error, never a double count (22023):
-- a missing month (January and March: 1674.15 + 208.625 = 1882.775, not 1953.775),
SELECT mrr_rollup(totals) FROM monthly WHERE month IN ('2025-01-01', '2025-03-01');
-- a month twice,
SELECT mrr_rollup(totals) FROM (SELECT totals FROM monthly UNION ALL SELECT totals FROM monthly WHERE month = '2025-02-01') x;
-- overlapping periods (the first quarter and its February),
SELECT mrr_rollup(t) FROM (SELECT mrr_rollup(totals) t FROM monthly WHERE month < '2025-04-01'
                           UNION ALL SELECT totals FROM monthly WHERE month = '2025-02-01') x;
-- and a segment missing in one month.
SELECT mrr_rollup(totals) FROM monthly_segments WHERE NOT (boundary_cases AND month = '2025-02-01');
-- The accessors check the same.  A partial value, as a parallel worker or a
-- Citus node may hold one, is valid input, but not a run of periods: new 49
-- in January and new 10 in March of another customer (encoded by hand: start 0,
-- end 10, pooled end 59, new 59; 0 + 59 is not 10).
CREATE TEMP TABLE partial AS SELECT 'mrr_totals:01010000000000000000000000000000000000000080d47e98cd020000a0775f3bd20200000000000000000000000000000000000a000000000000000000000000000000000000000000000000000000000000003b0000000000000000000000000000003b00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000020000000000000002000000000000000000000000000000000000000000000000000000000000000000000000000000'::mrr_totals AS t;
SELECT mrr_totals_churn_rate(t) FROM partial;
SELECT * FROM partial, mrr_totals_bridge(t);
SELECT mrr_rollup(t) FROM partial;
-- Support functions called by hand (0A000).
SELECT mrr_totals_combinefn(t, t) FROM partial;
SELECT mrr_totals_churn_rate(totals, 'revenue') FROM monthly WHERE month = '2025-01-01';
SELECT mrr_totals_ltv(totals, 0) FROM monthly WHERE month = '2025-01-01';
SELECT mrr_totals_ltv(totals, 1.5::float8) FROM monthly WHERE month = '2025-01-01';
SELECT label, pg_temp.sqlstate_of(q) AS sqlstate FROM (VALUES
  ('a missing month', $$SELECT mrr_rollup(totals) FROM monthly WHERE month IN ('2025-01-01', '2025-03-01')$$),
  ('a month twice', $$SELECT mrr_rollup(totals) FROM (SELECT totals FROM monthly UNION ALL SELECT totals FROM monthly WHERE month = '2025-02-01') x$$),
  ('a segment missing', $$SELECT mrr_rollup(totals) FROM monthly_segments WHERE NOT (boundary_cases AND month = '2025-02-01')$$),
  ('accessor of a partial value', $$SELECT mrr_totals_ltv(t) FROM partial$$),
  ('combinefn by hand', $$SELECT mrr_totals_combinefn(t, t) FROM partial$$),
  ('accessor: unknown basis', $$SELECT mrr_totals_churn_rate(totals, 'revenue') FROM monthly$$),
  ('accessor: margin', $$SELECT mrr_totals_ltv(totals, 0) FROM monthly$$)) v(label, q);
-- Accessors of one month, by hand: February logo churn 1 / 6 (the gap case
-- churned); gross 49 / 1972.15; net (49 churned - 20 expansion) / 1972.15;
-- January's net is -50 / 1674.15; no LTV in January (nobody churned),
-- February's 2043.15 x 6 / (6 x 1) = 2043.15, and x 0.8 = 1634.52.
SELECT month::date, mrr_totals_churn_rate(totals) AS logo, mrr_totals_churn_rate(totals, 'gross_mrr') AS gross,
       mrr_totals_churn_rate(totals, 'net_mrr') AS net, mrr_totals_ltv(totals) AS ltv
FROM monthly WHERE month < '2025-03-01' ORDER BY 1;
-- A trailing three months for every month: mrr_rollup as a window aggregate.
-- By hand from the monthly bridges (customers at the start 4, 6, 6, 6, 7, 8;
-- churned 0, 1, 1, 0, 0, 0): 0/4, 1/10, 2/16, 2/18, 1/19, 0/21.
SELECT month::date, mrr_totals_churn_rate(mrr_rollup(totals) OVER w) AS trailing_logo_churn, by_hand
FROM monthly JOIN (VALUES ('2025-01-01'::timestamptz, 0 / 4.0), ('2025-02-01', 1 / 10.0), ('2025-03-01', 2 / 16.0),
                          ('2025-04-01', 2 / 18.0), ('2025-05-01', 1 / 19.0), ('2025-06-01', 0 / 21.0)) h(month, by_hand)
     USING (month)
WINDOW w AS (ORDER BY month ROWS 2 PRECEDING)
ORDER BY 1;
-- NULL totals: no bridge row, NULL rates.
SELECT (SELECT count(*) FROM mrr_totals_bridge(NULL)) AS bridge_rows, mrr_totals_churn_rate(NULL) IS NULL AS churn,
       mrr_totals_ltv(NULL) IS NULL AS ltv;
-- Untyped parameters resolve (the basis and the margin are what a dashboard binds).
PREPARE accessors_untyped AS SELECT mrr_totals_churn_rate(totals, $1) AS churn, mrr_totals_ltv(totals, $2) AS ltv
                             FROM monthly WHERE month = $3;
EXECUTE accessors_untyped('logo', 0.8, '2025-02-01');
DEALLOCATE accessors_untyped;

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
       ltv_agg(m) v, ltv_agg(m, 0.75) v75
FROM moves_par WHERE (m).period = '2024-06-01';
CREATE TABLE rev_serial_pooled AS
SELECT churn_rate(m) l, churn_rate(m, 'gross_mrr') g, churn_rate(m, 'net_mrr') n, ltv_agg(m) v, ltv_agg(m, 0.75) v75
FROM moves_par;
-- Stored per customer and month (about 50,000 values), rolled up to all
-- periods and to quarters; the same as mrr_totals over the movement rows.
CREATE TABLE totals_by_account AS
SELECT account_id, (m).period, mrr_totals(m) AS t FROM moves_par GROUP BY 1, 2;
ANALYZE totals_by_account;
CREATE TABLE rev_serial_rollup AS
SELECT (SELECT mrr_rollup(t)::text FROM totals_by_account) AS all_periods,
       (SELECT mrr_totals(m)::text FROM moves_par) AS from_rows;
CREATE TABLE rev_serial_quarters AS
SELECT date_trunc('quarter', period) AS quarter, mrr_rollup(t)::text AS t FROM totals_by_account GROUP BY 1;

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
       ltv_agg(m) v, ltv_agg(m, 0.75) v75
FROM moves_par WHERE (m).period = '2024-06-01';
CREATE TABLE rev_par_totals AS
SELECT mrr_bridge(m) b, churn_rate(m) l, churn_rate(m, 'gross_mrr') g, churn_rate(m, 'net_mrr') n,
       ltv_agg(m) v, ltv_agg(m, 0.75) v75
FROM moves_par WHERE (m).period = '2024-06-01';
CREATE TABLE rev_par_pooled AS
SELECT churn_rate(m) l, churn_rate(m, 'gross_mrr') g, churn_rate(m, 'net_mrr') n, ltv_agg(m) v, ltv_agg(m, 0.75) v75
FROM moves_par;
EXPLAIN (COSTS OFF) CREATE TABLE rev_par_quarters AS
SELECT date_trunc('quarter', period) AS quarter, mrr_rollup(t)::text AS t FROM totals_by_account GROUP BY 1;
CREATE TABLE rev_par_quarters AS
SELECT date_trunc('quarter', period) AS quarter, mrr_rollup(t)::text AS t FROM totals_by_account GROUP BY 1;
CREATE TABLE rev_par_rollup AS
SELECT mrr_rollup(t)::text AS all_periods FROM totals_by_account;
CREATE TABLE rev_par_totals_rows AS
SELECT mrr_totals(m)::text AS from_rows FROM moves_par;
SELECT (SELECT all_periods FROM rev_serial_rollup) = (SELECT all_periods FROM rev_par_rollup) AS same_rollup,
       (SELECT all_periods FROM rev_serial_rollup) = (SELECT from_rows FROM rev_serial_rollup) AS rollup_equals_rows,
       (SELECT from_rows FROM rev_serial_rollup) = (SELECT from_rows FROM rev_par_totals_rows) AS same_totals,
       (SELECT count(*) FROM rev_serial_quarters) AS quarters,
       (SELECT count(*) FROM (SELECT * FROM rev_serial_quarters EXCEPT SELECT * FROM rev_par_quarters) d) AS quarters_differing;
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
           rev_par_one, rev_par_totals, rev_par_pooled, rev_par_bridge, totals_by_account, rev_serial_rollup,
           rev_serial_quarters, rev_par_quarters, rev_par_rollup, rev_par_totals_rows;

-- ---- hash aggregation stays near work_mem x hash_mem_multiplier --------------------
-- mrr_movement's state grows with the customer's subscriptions, so the planner
-- and the executor's admission of new groups go by the declared SSPACE; it is
-- the size of a customer with up to four subscriptions.  40,000
-- customers with 1 to 4 subscriptions each arrive interleaved; with work_mem
-- 1MB the limit is 2MB (hash_mem_multiplier 2): the aggregate spills to disk
-- and its peak stays within a quarter above the limit.  The totals' states
-- are fixed (272 bytes each) and stay within it too.
CREATE FUNCTION pg_temp.hash_agg_memory(q text, OUT batches int, OUT peak_kb int) LANGUAGE plpgsql AS $$
DECLARE
  plan jsonb;
  node jsonb;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q INTO plan;
  node := jsonb_path_query_first(plan, 'strict $.**?(@."Strategy" == "Hashed")');
  batches := (node->>'HashAgg Batches')::int;
  peak_kb := (node->>'Peak Memory Usage')::int;
END $$;
CREATE TABLE subs_mem AS
SELECT a AS account_id, timestamptz '2023-01-01' + ((a * 37 + k * 101) % 700) * interval '1 day' AS started_at,
       CASE WHEN k % 3 = 0 THEN timestamptz '2023-01-01' + ((a * 37 + k * 101) % 700 + 90) * interval '1 day' END AS ended_at,
       10 + (a % 7) AS mrr
FROM generate_series(1, 40000) a, generate_series(1, 1 + a % 4) k
ORDER BY (a * 7919 + k * 104729) % 100003;
ANALYZE subs_mem;
SET work_mem = '1MB'; SET hash_mem_multiplier = 2; SET enable_sort = off; SET max_parallel_workers_per_gather = 0;
SELECT batches > 1 AS spilled, peak_kb <= 2048 * 1.25 AS near_the_limit
FROM pg_temp.hash_agg_memory($$
  SELECT sum(cardinality(a)) FROM (SELECT account_id, mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2025-01-01') a
                                   FROM subs_mem GROUP BY account_id) x$$);
CREATE TABLE moves_mem AS
SELECT account_id, unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2025-01-01')) m
FROM subs_mem GROUP BY account_id;
ANALYZE moves_mem;
SELECT batches > 1 AS spilled, peak_kb <= 2048 * 1.25 AS near_the_limit
FROM pg_temp.hash_agg_memory($$
  SELECT count(mrr_totals_churn_rate(t)) FROM (SELECT account_id, mrr_totals(m) t FROM moves_mem GROUP BY account_id) x$$);
RESET work_mem; RESET hash_mem_multiplier; RESET enable_sort; RESET max_parallel_workers_per_gather;
DROP TABLE subs_mem, moves_mem;

-- The basis and margin options are checked even on NULL movement rows.
SELECT churn_rate(NULL::mrr_movement, 'bogus');
SELECT ltv_agg(NULL::mrr_movement, 1.5);
