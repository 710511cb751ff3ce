-- Sessions (issue 13): the session report (sessions, bounces, total duration,
-- 30-minute gap) against the LAG-based sessionization analysts write in plain
-- SQL, on the sample's events and on the heavy-user shape (10M rows, 200,000
-- visitors; login, core_feature and the funnel events, page views as pages).
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('session report, 30-minute gap, sample events', 'plain SQL, LAG sessionization', true,
   $q$
   WITH m AS (
     SELECT visitor_id, ts, event,
            CASE WHEN lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > interval '30 minutes' THEN 1 ELSE 0 END AS starts
     FROM events WINDOW w AS (PARTITION BY visitor_id ORDER BY ts)
   ), s AS (
     SELECT visitor_id, ts, event,
            sum(starts) OVER (PARTITION BY visitor_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS session_no
     FROM m
   ), per_session AS (
     SELECT visitor_id, session_no, count(*) AS n, count(*) FILTER (WHERE event = 'page_view') AS pv,
            max(ts) - min(ts) AS duration
     FROM s GROUP BY visitor_id, session_no
   )
   SELECT count(*), count(*) FILTER (WHERE n = 1 AND pv = 1), sum(duration) FROM per_session
   $q$),
  ('session report, 30-minute gap, sample events', 'sessions_agg per visitor + accessors', false,
   $q$
   SELECT sum(session_count(s)), sum(bounce_count(s)), sum(total_duration(s))
   FROM (SELECT visitor_id, sessions_agg(ts, CASE WHEN event = 'page_view' THEN page END, '30 minutes') AS s
         FROM events GROUP BY visitor_id) v
   $q$),
  ('session report, 30-minute gap, heavy shape (200,000 visitors, 50 rows each, random order)', 'plain SQL, LAG sessionization', true,
   $q$
   WITH m AS (
     SELECT visitor_id, ts, event,
            CASE WHEN lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > interval '30 minutes' THEN 1 ELSE 0 END AS starts
     FROM heavy_events WINDOW w AS (PARTITION BY visitor_id ORDER BY ts)
   ), s AS (
     SELECT visitor_id, ts, event,
            sum(starts) OVER (PARTITION BY visitor_id ORDER BY ts ROWS UNBOUNDED PRECEDING) AS session_no
     FROM m
   ), per_session AS (
     SELECT visitor_id, session_no, count(*) AS n, count(*) FILTER (WHERE event = 'page_view') AS pv,
            max(ts) - min(ts) AS duration
     FROM s GROUP BY visitor_id, session_no
   )
   SELECT count(*), count(*) FILTER (WHERE n = 1 AND pv = 1), sum(duration) FROM per_session
   $q$),
  ('session report, 30-minute gap, heavy shape (200,000 visitors, 50 rows each, random order)', 'sessions_agg per visitor + accessors', false,
   $q$
   SELECT sum(session_count(s)), sum(bounce_count(s)), sum(total_duration(s))
   FROM (SELECT visitor_id, sessions_agg(ts, CASE WHEN event = 'page_view' THEN event END, '30 minutes') AS s
         FROM heavy_events GROUP BY visitor_id) v
   $q$),
  ('session report, 30-minute gap, heavy shape (200,000 visitors, 50 rows each, random order)', 'floor: GROUP BY visitor, count(*)', false,
   $q$
   SELECT count(*), sum(n) FROM (SELECT visitor_id, count(*) AS n FROM heavy_events GROUP BY visitor_id) v
   $q$);
