-- The retention family: forms, hand-checked values and every error with its SQLSTATE.
-- Exactness against plain SQL on the sample data is in test/pgtap/retention.sql.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- An error as one line: SQLSTATE, message, detail and hint.
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

-- ---- activity: text and binary forms -------------------------------------------------------
-- 2024-01-01 is day 8766 (0x223e) from 2000-01-01; days 8766, 8768: span 3, bits 101.
SELECT activity_agg(t) FROM (VALUES (timestamptz '2024-01-03 10:00'), ('2024-01-01 23:59:59')) v(t);
SELECT first_active(a), last_active(a), active_periods(a), longest_streak(a), activity_grain(a)
FROM (SELECT 'activity:01013e2200000300000005'::activity a) x;
SELECT * FROM streaks('activity:01013e2200000300000005');
SELECT ('activity:01013e2200000300000005'::activity)::bytea;
SELECT '\x01013e2200000300000005'::bytea::activity;
-- Sunday 2024-03-31 is in the ISO week of Monday 2024-03-25.
SELECT first_active(activity_agg(timestamptz '2024-03-31 23:00', 'week')),
       first_active(activity_agg(timestamptz '2024-04-30 23:00', 'month'));
SELECT activity_agg(timestamptz '2024-03-31 23:00', 'week'), activity_agg(timestamptz '2024-04-30 23:00', 'month');

-- Bad text and bytes.
SELECT pg_temp.fails($$SELECT 'uv:01'::activity$$);
SELECT pg_temp.fails($$SELECT 'activity:0101'::activity$$);
SELECT pg_temp.fails($$SELECT 'activity:02013e2200000300000005'::activity$$);
SELECT pg_temp.fails($$SELECT 'activity:01043e2200000300000005'::activity$$);
SELECT pg_temp.fails($$SELECT 'activity:01013e2200000300000004'::activity$$);
SELECT pg_temp.fails($$SELECT 'activity:01013e220000030000000d'::activity$$);
SELECT pg_temp.fails($$SELECT 'activity:01013e220000030000000500'::activity$$);
SELECT pg_temp.fails($$SELECT '\x01013e2200000000000000'::bytea::activity$$);

-- ---- activity_agg and union: errors ----------------------------------------------------------
SELECT pg_temp.fails($$SELECT activity_agg(ts, 'year') FROM (VALUES (timestamptz '2024-01-01')) v(ts)$$);
SELECT pg_temp.fails($$SELECT activity_agg(ts, NULL) FROM (VALUES (timestamptz '2024-01-01')) v(ts)$$);
SELECT activity_agg(ts, 'week') FROM (VALUES (NULL::timestamptz)) v(ts);
SELECT pg_temp.fails($$SELECT activity_agg(ts) FROM (VALUES (timestamptz '2024-01-01'), ('-infinity')) v(ts)$$);
SELECT pg_temp.fails($$SELECT activity_agg(ts, g) FROM (VALUES (timestamptz '2024-01-01', 'day'), ('2024-01-02', 'week')) v(ts, g)$$);
SELECT pg_temp.fails($$SELECT activity_union('activity:01013e2200000300000005', activity_agg(timestamptz '2024-01-01', 'week'))$$);
SELECT pg_temp.fails($$SELECT activity_agg_transfn(NULL, now())$$);
-- Union of two stored activities: days 8766, 8768 and 8830 (2024-03-05).
SELECT activity_union('activity:01013e2200000300000005', activity_agg(timestamptz '2024-03-05'));
SELECT active_periods(activity_union('activity:01013e2200000300000005', activity_agg(timestamptz '2024-03-05')));
-- A span of more than 2^24 periods.
SELECT pg_temp.fails($$SELECT activity_agg(t) FROM (VALUES (timestamptz '2000-01-01'), ('48000-01-01')) v(t)$$);

-- ---- accessors ---------------------------------------------------------------------------------
SELECT is_active(a, '2024-01-02'), is_active(a, '2024-01-03 23:59'), current_streak(a, '2024-01-03'),
       current_streak(a, '2024-01-04'), active_periods(a, '2024-01-02', 'infinity'), active_periods(a, '2024-01-04', '2024-01-01')
FROM (SELECT 'activity:01013e2200000300000005'::activity a) x;
SELECT pg_temp.fails($$SELECT is_active('activity:01013e2200000300000005', 'infinity')$$);
SELECT current_streak('activity:01013e2200000300000005', NULL);

-- ---- retention() ---------------------------------------------------------------------------------
SELECT retention(e = 'a', e = 'b', e = 'c') FROM (VALUES ('b'), ('c'), ('a')) v(e);
SELECT retention(e = 'a', e = 'b', e = 'c') FROM (VALUES ('b'), ('c')) v(e);
SELECT retention(e = 'a') FROM (VALUES ('a')) v(e) WHERE false;
SELECT retention(e = 'a', NULL, e = 'c') FROM (VALUES ('a'), ('c')) v(e);
SELECT retention(VARIADIC NULL::boolean[]) FROM (VALUES (1)) v(x);
SELECT pg_temp.fails($$SELECT retention(VARIADIC '{}'::boolean[]) FROM (VALUES (1)) v(x)$$);
SELECT pg_temp.fails($$SELECT retention(VARIADIC '{{true}}'::boolean[]) FROM (VALUES (1)) v(x)$$);
SELECT pg_temp.fails($$SELECT retention(VARIADIC array_fill(true, ARRAY[65])) FROM (VALUES (1)) v(x)$$);
SELECT pg_temp.fails($$SELECT retention(VARIADIC c) FROM (VALUES ('{true}'::boolean[]), ('{true,false}')) v(c)$$);
SELECT pg_temp.fails($$SELECT retention_combinefn('\x0102'::bytea, '\x0102'::bytea)$$);

-- retention_report: retention() per entity, summed.  Users 1 (a, b), 2 (b, c), 3 (a, c), 4 (a):
-- element 1: 1, 3, 4 = 3; element 2 (a and b): 1 = 1; element 3 (a and c): 3 = 1.
SELECT retention_report(u, e = 'a', e = 'b', e = 'c')
FROM (VALUES (1, 'a'), (1, 'b'), (2, 'b'), (2, 'c'), (3, 'c'), (3, 'a'), (4, 'a'), (NULL, 'a'), (5, NULL)) v(u, e);
SELECT retention_report(u, e = 'a') FROM (VALUES (1, 'a')) v(u, e) WHERE false;
-- Its memory is bounded: 200,000 entities do not fit in 64 kB.
SET work_mem = '64kB';
SET hash_mem_multiplier = 1;
SELECT pg_temp.fails($$SELECT retention_report(u, true) FROM generate_series(1, 200000) u$$) LIKE '53200: %' AS over_budget;
RESET work_mem;
RESET hash_mem_multiplier;
SELECT pg_temp.fails($$SELECT retention_report(u, VARIADIC c) FROM (VALUES (1, '{true}'::boolean[]), (2, '{true,false}')) v(u, c)$$);
SELECT pg_temp.fails($$SELECT retention_report(u::numeric, true) FROM (VALUES (1)) v(u)$$);

-- ---- cohort retention ------------------------------------------------------------------------------
-- Three users by week: u1 in weeks of 2024-01-01, -08, -22; u2 in -08, -15; u3 in -01.
-- Cohort 2024-01-01 (u1, u3): offset 0: 2; 1: 1 (u1); 2: 0; 3: 1 (u1).  on_or_after: 2, 1, 1, 1.
-- Cohort 2024-01-08 (u2): 1, 1, 0, 0; on_or_after 1, 1, 0, 0.
CREATE TEMP TABLE weeks AS
SELECT u, activity_agg(t, 'week') AS a FROM (VALUES
  (1, timestamptz '2024-01-01'), (1, '2024-01-09'), (1, '2024-01-25'),
  (2, '2024-01-08'), (2, '2024-01-20'), (3, '2024-01-07 23:00')) v(u, t) GROUP BY u;
SELECT * FROM retention_cells((SELECT cohort_retention(a, a, 3) FROM weeks), '2024-01-23');
SELECT * FROM retention_cells((SELECT cohort_retention(a, a, 3, 'on_or_after') FROM weeks), 'infinity');
-- Recurring: every active week starts a cohort.
SELECT cohort, "offset", cohort_size, retained FROM retention_cells((SELECT cohort_retention(a, a, 1, 'on', 'recurring') FROM weeks), 'infinity');
SELECT cohort_retention(a, a, 1) FROM weeks;
SELECT * FROM retention_cells(NULL, 'infinity');

SELECT pg_temp.fails($$SELECT cohort_retention(a, a, 0) FROM weeks$$);
SELECT pg_temp.fails($$SELECT cohort_retention(a, a, NULL) FROM weeks$$);
SELECT pg_temp.fails($$SELECT cohort_retention(a, a, 3, 'after') FROM weeks$$);
SELECT pg_temp.fails($$SELECT cohort_retention(a, a, 3, 'on', 'every') FROM weeks$$);
SELECT pg_temp.fails($$SELECT cohort_retention(a, b, 3) FROM weeks, (SELECT activity_agg(timestamptz '2024-01-01') b) d$$);
SELECT pg_temp.fails($$SELECT cohort_retention(a, a, u) FROM weeks$$);
SELECT pg_temp.fails($$SELECT * FROM retention_cells((SELECT cohort_retention(a, a, 3) FROM weeks), NULL)$$);
SELECT pg_temp.fails($$SELECT * FROM retention_cells((SELECT lifecycle(a, '2024-01-01', 3) FROM weeks))$$);

-- ---- lifecycle and stickiness ------------------------------------------------------------------------
-- Weeks of 2024-01-01 .. -29: u1 active 1, 2, 4; u2 active 2, 3; u3 active 1.
-- 01: new u1 u3.  08: new u2, returning u1, dormant u3.  15: returning u2, dormant u1.
-- 22: resurrecting u1, dormant u2.  29: dormant u1.
SELECT * FROM lifecycle_rows((SELECT lifecycle(a, '2024-01-03', 5) FROM weeks));
-- In the 4 weeks from 2024-01-01: u1 in 3, u2 in 2, u3 in 1.
SELECT stickiness(a, '2024-01-01', 4), stickiness_cumulative(a, '2024-01-01', 4) FROM weeks;
SELECT stickiness(a, '2024-01-01', 4) FROM weeks WHERE false;
SELECT pg_temp.fails($$SELECT lifecycle(a, NULL, 4) FROM weeks$$);
SELECT pg_temp.fails($$SELECT lifecycle(a, 'infinity', 4) FROM weeks$$);
SELECT pg_temp.fails($$SELECT lifecycle(a, '2024-01-01', 10001) FROM weeks$$);
SELECT pg_temp.fails($$SELECT lifecycle(a, t, 4) FROM weeks, (VALUES (timestamptz '2024-01-01'), ('2024-02-01')) v(t)$$);
SELECT pg_temp.fails($$SELECT retention_counts_union(c) FROM (SELECT lifecycle(a, '2024-01-01', 3) c FROM weeks
                                       UNION ALL SELECT lifecycle(a, '2024-01-01', 4) FROM weeks) x$$);
SELECT pg_temp.fails($$SELECT stickiness_finalfn(lifecycle(a, '2024-01-01', 3)) FROM weeks$$);
SELECT pg_temp.fails($$SELECT lifecycle_rows(cohort_retention(a, a, 3)) FROM weeks$$);

-- retention_counts: text round trip and bad input.
SELECT c::text::retention_counts::text = c::text AS round_trip, (c::bytea)::retention_counts::text = c::text AS bytea_round_trip
FROM (SELECT cohort_retention(a, a, 2) c FROM weeks) x;
SELECT pg_temp.fails($$SELECT 'retention:01'::retention_counts$$);
SELECT pg_temp.fails($$SELECT 'retention:0101010005000000010000000300000002000000000000000200000000000000010000000000000000'::retention_counts$$);
SELECT pg_temp.fails($$SELECT 'retention:01010100050000000100000003000000020000000000000003000000000000000100000000000000'::retention_counts$$);
SELECT pg_temp.fails($$SELECT 'retention:01040100050000000100000003000000020000000000000002000000000000000100000000000000'::retention_counts$$);
SELECT 'retention:01010100050000000100000003000000020000000000000002000000000000000100000000000000'::retention_counts;

-- Review findings.  Forged stickiness cells that add up beyond bigint are refused: the
-- cumulative form would overflow counting them.
SELECT pg_temp.fails($$SELECT decode('01030200' || '4c050000' || '01000000' || '03000000' || repeat('ffffffffffffff7f', 3), 'hex')::retention_counts$$);
