-- The retention family against plain SQL: activity (its periods, streaks and
-- accessors) at every grain, retention(), cohort retention in both criteria and
-- both cohort modes, lifecycle and stickiness, on the sample data in a time zone
-- with daylight saving time, and on hand-made edge cases.  Every expected value
-- comes from date_trunc, generate_series and EXISTS, independently of the C code.
BEGIN;
SELECT plan(56);

SET LOCAL client_min_messages = warning;
SET LOCAL timezone = 'America/New_York';
CALL b2b_sample_generate(0.05, 7);

CREATE FUNCTION pg_temp.explain_lines(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || query;
END $$;

-- A period's number, from date_trunc's start of it: consecutive periods differ by 1.
CREATE FUNCTION pg_temp.idx(grain text, p timestamptz) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE grain
           WHEN 'day' THEN p::date - date '2000-01-01'
           WHEN 'week' THEN (p::date - date '2000-01-03') / 7
           ELSE ((extract(year FROM p) - 2000) * 12 + extract(month FROM p) - 1)::int END
$$;

CREATE TEMP TABLE grains(grain) AS VALUES ('day'), ('week'), ('month');

-- The oracle's periods: every (user, grain, date_trunc) that has a row.
CREATE TEMP TABLE periods AS
SELECT DISTINCT e.user_id, g.grain, date_trunc(g.grain, e.ts) AS p, pg_temp.idx(g.grain, date_trunc(g.grain, e.ts)) AS i
FROM events e CROSS JOIN grains g WHERE e.user_id IS NOT NULL;

CREATE TEMP TABLE acts AS
SELECT e.user_id, g.grain, activity_agg(e.ts, g.grain) AS a
FROM events e CROSS JOIN grains g WHERE e.user_id IS NOT NULL GROUP BY 1, 2;

-- ---- the periods of an activity ----------------------------------------------------------
SELECT is((SELECT count(*) FROM acts), (SELECT count(DISTINCT (user_id, grain)) FROM periods),
          'one activity per user and grain');
SELECT is_empty($$
  (SELECT user_id, grain, s.start + (k * ('1 ' || grain)::interval) FROM acts, streaks(a) s, generate_series(0, s.periods - 1) k
   EXCEPT SELECT user_id, grain, p FROM periods)
  UNION ALL
  (SELECT user_id, grain, p FROM periods
   EXCEPT SELECT user_id, grain, s.start + (k * ('1 ' || grain)::interval) FROM acts, streaks(a) s, generate_series(0, s.periods - 1) k)
$$, 'the periods of the streaks are exactly the date_trunc of the rows, every grain');
SELECT is_empty($$
  SELECT user_id, grain FROM acts JOIN (SELECT user_id, grain, min(p) lo, max(p) hi, count(*) n FROM periods GROUP BY 1, 2) o USING (user_id, grain)
  WHERE first_active(a) <> lo OR last_active(a) <> hi OR active_periods(a) <> n OR activity_grain(a) <> grain
$$, 'first_active, last_active, active_periods and activity_grain equal min, max and count of date_trunc');
SELECT is_empty($$
  SELECT user_id, grain, t FROM acts, (SELECT ts AS t FROM events WHERE event_id % 7 = 0
                                       UNION ALL SELECT ts + interval '3 days' FROM events WHERE event_id % 11 = 0) x
  WHERE is_active(a, t) <> EXISTS (SELECT 1 FROM periods p WHERE p.user_id = acts.user_id AND p.grain = acts.grain
                                                            AND p.p = date_trunc(acts.grain, t))
$$, 'is_active at sample times equals EXISTS of a row in date_trunc of the time');
SELECT is_empty($$
  SELECT user_id, grain FROM acts, (VALUES (timestamptz '2024-01-15 12:00', timestamptz '2024-06-30 23:59'),
                                           (timestamptz '2023-03-12 02:30', timestamptz '2025-11-02 01:30'),
                                           (timestamptz '-infinity', timestamptz '2024-05-01'),
                                           (timestamptz '2024-07-01', timestamptz '2024-06-01')) r(f, t)
  WHERE active_periods(a, f, t) <> (SELECT count(*) FROM periods p WHERE p.user_id = acts.user_id AND p.grain = acts.grain
                                      AND p.p BETWEEN date_trunc(acts.grain, f) AND date_trunc(acts.grain, t))
$$, 'active_periods(a, from, to) counts the periods from date_trunc(from) to date_trunc(to)');

-- Streaks: gaps and islands over consecutive period numbers.
CREATE TEMP TABLE islands AS
SELECT user_id, grain, min(p) AS start, count(*)::int AS periods, max(i) AS last_i
FROM (SELECT *, i - row_number() OVER (PARTITION BY user_id, grain ORDER BY i) AS island FROM periods) x
GROUP BY user_id, grain, island;
SELECT set_eq($$SELECT user_id, grain, s.start, s.periods FROM acts, streaks(a) s$$,
              $$SELECT user_id, grain, start, periods FROM islands$$,
              'streaks equal the islands of consecutive periods');
SELECT is_empty($$
  SELECT user_id, grain FROM acts JOIN (SELECT user_id, grain, max(periods) m FROM islands GROUP BY 1, 2) o USING (user_id, grain)
  WHERE longest_streak(a) <> m
$$, 'longest_streak is the longest island');
SELECT is_empty($$
  SELECT user_id, grain, t FROM acts, (VALUES (timestamptz '2024-03-10 12:00'), ('2024-11-03 23:00'), ('2025-06-15'), ('2023-01-01')) v(t),
         LATERAL (SELECT pg_temp.idx(acts.grain, date_trunc(acts.grain, t)) AS ti) x
  WHERE current_streak(a, t) <> coalesce((SELECT ti - (i.last_i - i.periods) FROM islands i
                                          WHERE i.user_id = acts.user_id AND i.grain = acts.grain
                                            AND ti BETWEEN i.last_i - i.periods + 1 AND i.last_i), 0)
$$, 'current_streak is the part of the island containing as_of up to it (0 outside islands)');

-- ---- union and storage ----------------------------------------------------------------------
SELECT is_empty($$
  SELECT user_id FROM (SELECT user_id, activity_union(a) u FROM
                         (SELECT user_id, event, activity_agg(ts, 'week') a FROM events WHERE user_id IS NOT NULL GROUP BY 1, 2) x
                       GROUP BY 1) y JOIN acts USING (user_id)
  WHERE grain = 'week' AND u::text <> a::text
$$, 'activity_union of per-event activities equals the activity of all rows');
SELECT is_empty($$
  SELECT user_id FROM acts
  WHERE a::text::activity::text <> a::text OR (a::bytea)::activity::text <> a::text
     OR activity_union(a, a)::text <> a::text
$$, 'text and bytea forms round trip; a union with itself is itself');
SELECT is((SELECT active_periods(activity_union(a)) FROM acts WHERE grain = 'month'),
          (SELECT count(DISTINCT p)::int FROM periods WHERE grain = 'month'), 'the union of all users'' months');
SELECT throws_ok($$SELECT activity_union(a) FROM acts$$, '22023', NULL, 'a union of different grains is 22023');

-- ---- retention() ----------------------------------------------------------------------------
CREATE TEMP TABLE ret AS
SELECT user_id,
       retention(event = 'signup', event = 'login', event = 'core_feature', event = 'report_created', event = 'paid') AS r,
       ARRAY[bool_or(event = 'signup')::int,
             (bool_or(event = 'signup') AND bool_or(event = 'login'))::int,
             (bool_or(event = 'signup') AND bool_or(event = 'core_feature'))::int,
             (bool_or(event = 'signup') AND bool_or(event = 'report_created'))::int,
             (bool_or(event = 'signup') AND bool_or(event = 'paid'))::int] AS oracle
FROM events WHERE user_id IS NOT NULL GROUP BY user_id;
SELECT is_empty($$SELECT user_id FROM ret WHERE r <> oracle$$, 'retention() per user equals bool_or of the conditions');
SELECT ok((SELECT count(DISTINCT r) > 2 FROM ret), 'the sample gives several retention patterns');
SELECT is((SELECT retention(event = 'login', event = 'paid', NULL) FROM events),
          ARRAY[1, 1, 0], 'over the whole table; a NULL condition is false');
SELECT is((SELECT retention(event = 'no such event', event = 'login') FROM events),
          ARRAY[0, 0], 'without a row matching the first condition every element is 0');
SELECT is((SELECT retention(VARIADIC (SELECT array_agg(event = 'login' OR k = 64) FROM generate_series(1, 64) k)) FROM events),
          (SELECT array_agg(1) FROM generate_series(1, 64)), '64 conditions');

SELECT is((SELECT retention_report(user_id, event = 'signup', event = 'login', event = 'core_feature', event = 'report_created', event = 'paid')
           FROM events),
          (SELECT ARRAY[sum(oracle[1]), sum(oracle[2]), sum(oracle[3]), sum(oracle[4]), sum(oracle[5])] FROM ret),
          'retention_report equals the sum of per-user bool_or oracles (rows without a user skipped)');
SELECT is((SELECT retention_report(visitor_id::text, event = 'page_view', event = 'signup', event = 'demo_request') FROM events),
          (SELECT ARRAY[count(*) FILTER (WHERE a), count(*) FILTER (WHERE a AND b), count(*) FILTER (WHERE a AND c)]
           FROM (SELECT visitor_id, bool_or(event = 'page_view') a, bool_or(event = 'signup') b, bool_or(event = 'demo_request') c
                 FROM events GROUP BY 1) v),
          'retention_report over text entities');
SELECT is((SELECT retention_report(user_id::int, event = 'signup', event = 'paid') FROM events),
          (SELECT retention_report(user_id, event = 'signup', event = 'paid') FROM events),
          'integer and bigint entities agree');

-- ---- cohort retention -------------------------------------------------------------------------
-- Oracle: per cohort (an entity's first start week) and offset k, the entities with a return
-- week equal to (on) or at or after (on_or_after) the cohort's week + k; eligible when that week
-- starts at or before as_of.
CREATE FUNCTION pg_temp.cohort_oracle(start_event text, return_event text, n int, criterion text, recurring boolean, as_of timestamptz)
RETURNS TABLE (cohort timestamptz, "offset" int, cohort_size bigint, retained bigint, eligible bigint, rate float8)
LANGUAGE sql AS $$
  WITH s AS (SELECT DISTINCT user_id, date_trunc('week', ts) AS w FROM events
             WHERE user_id IS NOT NULL AND (start_event IS NULL OR event = start_event)),
  starts AS (SELECT user_id, w FROM s WHERE recurring OR w = (SELECT min(w) FROM s s2 WHERE s2.user_id = s.user_id)),
  r AS (SELECT DISTINCT user_id, date_trunc('week', ts) AS w FROM events
        WHERE user_id IS NOT NULL AND (return_event IS NULL OR event = return_event)),
  cells AS (
    SELECT st.w AS cohort, k,
           count(*) AS size,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM r WHERE r.user_id = st.user_id AND
                                           CASE criterion WHEN 'on' THEN r.w = st.w + k * interval '1 week'
                                                          ELSE r.w >= st.w + k * interval '1 week' END)) AS kept
    FROM starts st CROSS JOIN generate_series(0, n) k GROUP BY 1, 2)
  SELECT cohort, k, size,
         CASE WHEN cohort + k * interval '1 week' <= as_of THEN kept END,
         CASE WHEN cohort + k * interval '1 week' <= as_of THEN size ELSE 0 END,
         CASE WHEN cohort + k * interval '1 week' <= as_of THEN kept::float8 / size END
  FROM cells ORDER BY 1, 2
$$;
CREATE TEMP TABLE starts_returns AS
SELECT user_id,
       activity_agg(ts, 'week') AS a,
       activity_agg(ts, 'week') FILTER (WHERE event = 'signup') AS signup,
       activity_agg(ts, 'week') FILTER (WHERE event = 'core_feature') AS core
FROM events WHERE user_id IS NOT NULL GROUP BY 1;

SELECT results_eq($$SELECT * FROM retention_cells((SELECT cohort_retention(a, a, 8) FROM starts_returns), '2025-06-15') ORDER BY 1, 2$$,
                  $$SELECT * FROM pg_temp.cohort_oracle(NULL, NULL, 8, 'on', false, '2025-06-15')$$,
                  'weekly cohorts, criterion on, as_of inside the data');
SELECT results_eq($$SELECT * FROM retention_cells((SELECT cohort_retention(a, a, 8, 'on_or_after') FROM starts_returns), '2025-06-15') ORDER BY 1, 2$$,
                  $$SELECT * FROM pg_temp.cohort_oracle(NULL, NULL, 8, 'on_or_after', false, '2025-06-15')$$,
                  'weekly cohorts, criterion on_or_after');
SELECT results_eq($$SELECT * FROM retention_cells((SELECT cohort_retention(signup, core, 6) FROM starts_returns), 'infinity') ORDER BY 1, 2$$,
                  $$SELECT * FROM pg_temp.cohort_oracle('signup', 'core_feature', 6, 'on', false, 'infinity')$$,
                  'start = signup, return = core_feature (users without a core_feature week count, never retained)');
SELECT results_eq($$SELECT * FROM retention_cells((SELECT cohort_retention(core, core, 4, 'on', 'recurring') FROM starts_returns), '2025-12-31') ORDER BY 1, 2$$,
                  $$SELECT * FROM pg_temp.cohort_oracle('core_feature', 'core_feature', 4, 'on', true, '2025-12-31')$$,
                  'recurring cohorts: every core_feature week starts a cohort (per-feature retention)');
SELECT results_eq($$SELECT * FROM retention_cells((SELECT cohort_retention(a, core, 5, 'on_or_after', 'recurring') FROM starts_returns), '2024-09-01') ORDER BY 1, 2$$,
                  $$SELECT * FROM pg_temp.cohort_oracle(NULL, 'core_feature', 5, 'on_or_after', true, '2024-09-01')$$,
                  'recurring cohorts, on_or_after, as_of inside the data');
SELECT is((SELECT count(*) FROM retention_cells((SELECT cohort_retention(a, a, 3) FROM starts_returns), '2024-03-04 00:00')
           WHERE cohort + "offset" * interval '1 week' = '2024-03-04 00:00' AND eligible > 0 AND rate IS NOT NULL),
          (SELECT count(*) FROM pg_temp.cohort_oracle(NULL, NULL, 3, 'on', false, 'infinity')
           WHERE cohort + "offset" * interval '1 week' = '2024-03-04 00:00'),
          'as_of at the first instant of a week: that week''s cells are eligible');
SELECT is((SELECT count(*) FROM retention_cells((SELECT cohort_retention(a, a, 3) FROM starts_returns), '2024-03-03 23:59:59.999999')
           WHERE cohort + "offset" * interval '1 week' = '2024-03-04 00:00' AND eligible = 0 AND rate IS NULL AND retained IS NULL),
          (SELECT count(*) FROM pg_temp.cohort_oracle(NULL, NULL, 3, 'on', false, 'infinity')
           WHERE cohort + "offset" * interval '1 week' = '2024-03-04 00:00'),
          'as_of a microsecond before: not eligible, NULL retained and rate');
SELECT results_eq($$SELECT * FROM retention_cells((SELECT retention_counts_union(c) FROM
                      (SELECT cohort_retention(a, a, 8) c FROM starts_returns GROUP BY user_id % 3) x), '2025-06-15') ORDER BY 1, 2$$,
                  $$SELECT * FROM pg_temp.cohort_oracle(NULL, NULL, 8, 'on', false, '2025-06-15')$$,
                  'retention_counts_union of disjoint populations equals the whole');

-- ---- lifecycle ------------------------------------------------------------------------------------
-- Oracle per month t: new = first month is t; returning = active in t and t - 1;
-- resurrecting = active in t, not in t - 1, active before; dormant = active in t - 1, not in t.
CREATE TEMP TABLE months AS SELECT user_id, p FROM periods WHERE grain = 'month';
SELECT results_eq($$SELECT * FROM lifecycle_rows((SELECT lifecycle(a, '2024-02-15', 12) FROM acts WHERE grain = 'month'))$$,
$$SELECT t,
         (SELECT count(*) FROM (SELECT user_id, min(p) f FROM months GROUP BY 1) f WHERE f.f = t),
         (SELECT count(*) FROM months m WHERE m.p = t AND EXISTS (SELECT 1 FROM months b WHERE b.user_id = m.user_id AND b.p = t - interval '1 month')),
         (SELECT count(*) FROM months m WHERE m.p = t AND NOT EXISTS (SELECT 1 FROM months b WHERE b.user_id = m.user_id AND b.p = t - interval '1 month')
                                                     AND EXISTS (SELECT 1 FROM months b WHERE b.user_id = m.user_id AND b.p < t)),
         (SELECT count(*) FROM months m WHERE m.p = t - interval '1 month' AND NOT EXISTS (SELECT 1 FROM months b WHERE b.user_id = m.user_id AND b.p = t))
  FROM generate_series(timestamptz '2024-02-01', '2025-01-01', interval '1 month') t ORDER BY 1$$,
                  'lifecycle by month from a range inside the histories equals the plain-SQL classification');
SELECT is((SELECT sum(new)::int FROM lifecycle_rows((SELECT lifecycle(a, '2020-01-01', 100) FROM acts WHERE grain = 'month'))),
          (SELECT count(*)::int FROM acts WHERE grain = 'month'), 'over the whole history every user is new exactly once');
SELECT is((SELECT sum(dormant)::int FROM lifecycle_rows((SELECT lifecycle(a, '2020-01-01', 100) FROM acts WHERE grain = 'month'))),
          (SELECT count(*)::int FROM islands WHERE grain = 'month'), 'dormant is counted once per inactive spell (once per island)');

-- ---- stickiness -----------------------------------------------------------------------------------
SELECT is((SELECT stickiness(a, '2024-03-20', 8) FROM acts WHERE grain = 'week'),
          (SELECT array_agg(coalesce(c, 0) ORDER BY k) FROM generate_series(1, 8) k LEFT JOIN
             (SELECT n, count(*) c FROM (SELECT user_id, count(*) n FROM periods WHERE grain = 'week'
                AND p >= date_trunc('week', timestamptz '2024-03-20') AND p < date_trunc('week', timestamptz '2024-03-20') + interval '8 weeks'
                GROUP BY 1) x GROUP BY 1) h ON h.n = k),
          'stickiness: users by number of active weeks in an 8-week window');
SELECT is((SELECT stickiness_cumulative(a, '2024-03-20', 8) FROM acts WHERE grain = 'week'),
          (SELECT array_agg((SELECT count(*) FROM (SELECT user_id FROM periods WHERE grain = 'week'
                AND p >= date_trunc('week', timestamptz '2024-03-20') AND p < date_trunc('week', timestamptz '2024-03-20') + interval '8 weeks'
                GROUP BY 1 HAVING count(*) >= k) x) ORDER BY k) FROM generate_series(1, 8) k),
          'stickiness_cumulative: users active in at least k weeks');

-- ---- hand-made edge cases -----------------------------------------------------------------------------
-- DST in New York: 2024-03-10 has 23 hours, 2024-11-03 has 25.
SELECT is((SELECT active_periods(activity_agg(t)) FROM (VALUES (timestamptz '2024-03-10 00:30-05'), ('2024-03-10 23:30-04')) v(t)),
          1, 'spring forward: both ends of the 23-hour day are one day');
SELECT is((SELECT first_active(activity_agg(t)) FROM (VALUES (timestamptz '2024-11-03 23:30-05'), ('2024-11-03 00:30-04')) v(t)),
          timestamptz '2024-11-03 00:00-04', 'fall back: one day, starting at local midnight (EDT)');
SELECT is((SELECT array_agg(s.start ORDER BY s.start) FROM (SELECT activity_agg(t) a FROM (VALUES (timestamptz '2024-03-09 12:00'), ('2024-03-10 12:00'), ('2024-03-11 12:00')) v(t)) x, streaks(a) s),
          ARRAY[timestamptz '2024-03-09 00:00'], 'a streak across the DST change is one run');
SELECT is((SELECT longest_streak(activity_agg(t)) FROM (VALUES (timestamptz '2024-03-09 12:00'), ('2024-03-10 12:00'), ('2024-03-11 12:00')) v(t)),
          3, '... of three days');
-- The same instant in different months by time zone.
SELECT is((SELECT first_active(activity_agg(timestamptz '2024-02-01 03:00+00', 'month'))),
          timestamptz '2024-01-01 00:00-05', '2024-02-01 03:00 UTC is in January in New York');
SET LOCAL timezone = 'UTC';
SELECT is((SELECT first_active(activity_agg(timestamptz '2024-02-01 03:00+00', 'month'))),
          timestamptz '2024-02-01 00:00+00', '... and in February in UTC');
SET LOCAL timezone = 'America/New_York';
-- ISO week 53 of 2020: Monday 2020-12-28 to Sunday 2021-01-03.
SELECT is((SELECT array_agg(s.start::date || '/' || s.periods ORDER BY s.start) FROM
             (SELECT activity_agg(t, 'week') a FROM (VALUES (timestamptz '2020-12-28 00:00'), ('2020-12-31 12:00'), ('2021-01-03 23:59'),
                                                             ('2021-01-04 00:00'), ('2021-01-18 08:00')) v(t)) x, streaks(a) s),
          ARRAY['2020-12-28/2', '2021-01-18/1'], 'ISO week 53 of 2020 is one week, then week 1 of 2021, a gap, week 3');
-- Month ends and leap day.
SELECT is((SELECT array_agg(s.start::date || '/' || s.periods ORDER BY s.start) FROM
             (SELECT activity_agg(t, 'month') a FROM (VALUES (timestamptz '2024-01-31 23:59:59.999999'), ('2024-02-29 12:00'),
                                                              ('2024-03-01 00:00'), ('2024-05-31 23:00')) v(t)) x, streaks(a) s),
          ARRAY['2024-01-01/3', '2024-05-01/1'], 'month ends and the leap day fall in their months');
SELECT is((SELECT ARRAY[active_periods(a), longest_streak(a), current_streak(a, '2024-06-30'), current_streak(a, '2024-07-01')]
           FROM (SELECT activity_agg(timestamptz '2024-06-30 18:00') a) x),
          ARRAY[1, 1, 1, 0], 'a single active period');
SELECT is((SELECT ARRAY[is_active(a, '2024-06-02'), is_active(a, '2024-06-03'), is_active(a, '2024-06-09')]
           FROM (SELECT activity_agg(t, 'week') a FROM (VALUES (timestamptz '2024-06-02 23:59'), ('2024-06-10 00:00')) v(t)) x),
          ARRAY[true, false, false], 'is_active by ISO week: Sunday 2024-06-02 is the week before Monday 2024-06-03');
SELECT ok((SELECT activity_agg(t) IS NULL FROM (VALUES (NULL::timestamptz), (NULL)) v(t)), 'only NULL timestamps: NULL');
SELECT is((SELECT active_periods(activity_agg(t, 'month')) FROM (VALUES (NULL::timestamptz), ('2024-01-05'), (NULL)) v(t)), 1,
          'NULL timestamps are ignored');
SELECT throws_ok($$SELECT activity_agg(t) FROM (VALUES ('2024-01-01'::timestamptz), ('infinity')) v(t)$$, '22008',
                 'ts must be a finite timestamp', 'an infinite timestamp is 22008');
-- Cohort as_of edge on hand-made data: one user active in weeks 0, 1 and 3 of January 2024.
SELECT results_eq($$SELECT "offset", retained, eligible, rate FROM retention_cells(
                      (SELECT cohort_retention(a, a, 4) FROM (SELECT activity_agg(t, 'week') a FROM
                         (VALUES (timestamptz '2024-01-01'), ('2024-01-09'), ('2024-01-25')) v(t)) x), '2024-01-22')$$,
                  $$VALUES (0, 1::bigint, 1::bigint, 1::float8), (1, 1, 1, 1), (2, 0, 1, 0), (3, 1, 1, 1), (4, NULL, 0, NULL)$$,
                  'hand-made cohort: retained at offsets 0, 1 and 3 (as_of is the first day of week 3); week 4 starts after as_of');
SELECT results_eq($$SELECT * FROM lifecycle_rows((SELECT lifecycle(a, '2024-01-01', 6) FROM (SELECT activity_agg(t, 'week') a FROM
                      (VALUES (timestamptz '2023-12-26'), ('2024-01-01'), ('2024-01-15'), ('2024-01-22')) v(t)) x))$$,
                  $$VALUES (timestamptz '2024-01-01', 0::bigint, 1::bigint, 0::bigint, 0::bigint),
                           ('2024-01-08', 0, 0, 0, 1), ('2024-01-15', 0, 0, 1, 0), ('2024-01-22', 0, 1, 0, 0),
                           ('2024-01-29', 0, 0, 0, 1), ('2024-02-05', 0, 0, 0, 0)$$,
                  'hand-made lifecycle: a history that starts before the range is returning, not new');

-- ---- forced parallel plans give the serial answers ----------------------------------------------------------
CREATE TEMP TABLE serial AS
SELECT (SELECT activity_agg(ts, 'week')::text FROM events) AS all_weeks,
       (SELECT retention(event = 'signup', event = 'login', event = 'paid') FROM events) AS r,
       (SELECT cohort_retention(a, a, 8)::text FROM starts_returns) AS cohorts,
       (SELECT retention_report(visitor_id, event = 'page_view', event = 'signup', event = 'login', event = 'paid') FROM events) AS report;
-- A regular table (rolled back at the end): parallel workers cannot read temporary ones.
CREATE TABLE retention_big_acts AS SELECT s.* FROM starts_returns s, generate_series(1, 20);
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;
SET LOCAL enable_indexscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT ok((SELECT bool_or(p LIKE '%Partial Aggregate%') FROM pg_temp.explain_lines(
             $q$SELECT activity_agg(ts, 'week') FROM events$q$) p), 'activity_agg runs as a partial aggregate in workers');
SELECT is((SELECT activity_agg(ts, 'week')::text FROM events), (SELECT all_weeks FROM serial), 'activity_agg: parallel = serial');
SELECT is((SELECT retention(event = 'signup', event = 'login', event = 'paid') FROM events), (SELECT r FROM serial),
          'retention(): parallel = serial');
SELECT ok((SELECT bool_or(p LIKE '%Partial Aggregate%') FROM pg_temp.explain_lines(
             $q$SELECT cohort_retention(a, a, 8) FROM retention_big_acts$q$) p), 'cohort_retention runs as a partial aggregate in workers');
SELECT results_eq($$SELECT cohort, "offset", cohort_size / 20, retained / 20 FROM retention_cells((SELECT cohort_retention(a, a, 8) FROM retention_big_acts), 'infinity')$$,
                  $$SELECT c.cohort, c."offset", c.cohort_size, c.retained FROM serial, retention_cells(cohorts::retention_counts, 'infinity') c$$,
                  'cohort_retention in parallel over 20 copies is 20 times the serial one');
SELECT ok((SELECT bool_or(p LIKE '%Partial Aggregate%') FROM pg_temp.explain_lines(
             $q$SELECT retention_report(visitor_id, event = 'signup', event = 'login') FROM events$q$) p),
          'retention_report runs as a partial aggregate in workers');
SELECT is((SELECT retention_report(visitor_id, event = 'page_view', event = 'signup', event = 'login', event = 'paid') FROM events),
          (SELECT report FROM serial), 'retention_report: parallel (visitors split across workers) = serial');
SELECT is((SELECT stickiness(a, '2024-01-01', 10) FROM retention_big_acts),
          (SELECT array_agg(20 * x) FROM unnest((SELECT stickiness(a, '2024-01-01', 10) FROM starts_returns)) x),
          'stickiness in parallel over 20 copies');

SELECT * FROM finish();
ROLLBACK;
