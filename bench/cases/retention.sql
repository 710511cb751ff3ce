-- Retention on the heavy-user shape (bench/heavy_events.sql: 200,000 visitors, 50 rows each over
-- 2025, random order): b2bmetrics vs the plain SQL analysts write vs ClickHouse on the same rows.
-- Weeks are ISO weeks in UTC on both sides (the bench session's time zone is UTC; ClickHouse's
-- column is DateTime('UTC')).

-- Weekly cohort retention, 12 cohorts (first active week from 2025-01-06 to 2025-03-24) x
-- offsets 0..12, criterion on.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('cohort retention, 12 weekly cohorts x 12 weeks (heavy shape)', 'plain SQL (distinct weeks, first week, join)', true, $q$
   WITH w AS (SELECT DISTINCT visitor_id, date_trunc('week', ts) AS w FROM heavy_events),
   c AS (SELECT visitor_id, min(w) AS c FROM w GROUP BY visitor_id)
   SELECT c.c, (w.w::date - c.c::date) / 7 AS k, count(*)
   FROM c JOIN w USING (visitor_id)
   WHERE c.c >= '2025-01-06' AND c.c < '2025-03-31' AND w.w <= c.c + interval '12 weeks'
   GROUP BY 1, 2
   $q$),
  ('cohort retention, 12 weekly cohorts x 12 weeks (heavy shape)', 'activity_agg per visitor + cohort_retention', false, $q$
   SELECT cohort, "offset", retained
   FROM retention_cells((SELECT cohort_retention(a, a, 12)
                         FROM (SELECT visitor_id, activity_agg(ts, 'week') AS a FROM heavy_events GROUP BY visitor_id) v),
                        'infinity')
   WHERE cohort >= '2025-01-06' AND cohort < '2025-03-31'
   $q$),
  ('cohort retention, 12 weekly cohorts x 12 weeks (heavy shape)', 'floor: GROUP BY visitor, count(*)', false, $q$
   SELECT count(*), sum(n) FROM (SELECT visitor_id, count(*) AS n FROM heavy_events GROUP BY visitor_id) v
   $q$);
INSERT INTO bench_case (workload, impl, reference, query, engine) VALUES
  ('cohort retention, 12 weekly cohorts x 12 weeks (heavy shape)', 'ClickHouse (distinct weeks, first week, join)', false, $q$
   SELECT c, toRelativeWeekNum(w) - toRelativeWeekNum(c) AS k, count()
   FROM (SELECT visitor_id, toMonday(ts) AS w FROM heavy_events GROUP BY visitor_id, w)
   ALL INNER JOIN (SELECT visitor_id, min(toMonday(ts)) AS c FROM heavy_events GROUP BY visitor_id) USING visitor_id
   WHERE c >= toDate('2025-01-06') AND c < toDate('2025-03-31') AND toRelativeWeekNum(w) - toRelativeWeekNum(c) <= 12
   GROUP BY c, k
   $q$, 'clickhouse');

-- retention(): signup, then login, core_feature and paid, per visitor, summed.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('retention() 4 conditions per visitor (heavy shape)', 'plain SQL (bool_or per visitor)', true, $q$
   SELECT sum(r1), sum(r2), sum(r3), sum(r4) FROM (
     SELECT visitor_id, bool_or(event = 'signup')::int AS r1,
            (bool_or(event = 'signup') AND bool_or(event = 'login'))::int AS r2,
            (bool_or(event = 'signup') AND bool_or(event = 'core_feature'))::int AS r3,
            (bool_or(event = 'signup') AND bool_or(event = 'paid'))::int AS r4
     FROM heavy_events GROUP BY visitor_id) v
   $q$),
  ('retention() 4 conditions per visitor (heavy shape)', 'retention()', false, $q$
   SELECT sum(r[1]), sum(r[2]), sum(r[3]), sum(r[4]) FROM (
     SELECT visitor_id, retention(event = 'signup', event = 'login', event = 'core_feature', event = 'paid') AS r
     FROM heavy_events GROUP BY visitor_id) v
   $q$),
  ('retention() 4 conditions per visitor (heavy shape)', 'retention_report (groups by visitor itself)', false, $q$
   SELECT retention_report(visitor_id, event = 'signup', event = 'login', event = 'core_feature', event = 'paid')
   FROM heavy_events
   $q$),
  ('retention() 4 conditions per visitor (heavy shape)', 'floor: GROUP BY visitor, count(*)', false, $q$
   SELECT count(*), sum(n) FROM (SELECT visitor_id, count(*) AS n FROM heavy_events GROUP BY visitor_id) v
   $q$);
INSERT INTO bench_case (workload, impl, reference, query, engine) VALUES
  ('retention() 4 conditions per visitor (heavy shape)', 'ClickHouse retention', false, $q$
   SELECT sum(r[1]), sum(r[2]), sum(r[3]), sum(r[4]) FROM (
     SELECT visitor_id, retention(event = 'signup', event = 'login', event = 'core_feature', event = 'paid') AS r
     FROM heavy_events GROUP BY visitor_id)
   $q$, 'clickhouse');
