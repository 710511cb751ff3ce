-- Conversion funnel, 5 steps, 7-day window, per channel (issue 4).
-- The reference is the plain SQL analysts write: one self-join per step, each
-- step joined on the first occurrence of the previous one.  (It is also wrong:
-- a visitor whose successful attempt started after their first page_view is
-- missed.)  The channel of a visitor is that of their first page_view.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('funnel 5 steps, 7 days, by channel', 'plain SQL, first occurrence', true,
   $q$
   WITH step1 AS (
     SELECT DISTINCT ON (visitor_id) visitor_id, ts AS t1, channel
     FROM events WHERE event = 'page_view' ORDER BY visitor_id, ts
   ), step2 AS (
     SELECT s.visitor_id, min(e.ts) AS t2 FROM step1 s JOIN events e
       ON e.visitor_id = s.visitor_id AND e.event = 'signup' AND e.ts BETWEEN s.t1 AND s.t1 + interval '7 days'
     GROUP BY s.visitor_id
   ), step3 AS (
     SELECT s.visitor_id, min(e.ts) AS t3 FROM step2 s JOIN step1 f USING (visitor_id) JOIN events e
       ON e.visitor_id = s.visitor_id AND e.event = 'demo_request' AND e.ts BETWEEN s.t2 AND f.t1 + interval '7 days'
     GROUP BY s.visitor_id
   ), step4 AS (
     SELECT s.visitor_id, min(e.ts) AS t4 FROM step3 s JOIN step1 f USING (visitor_id) JOIN events e
       ON e.visitor_id = s.visitor_id AND e.event = 'trial_start' AND e.ts BETWEEN s.t3 AND f.t1 + interval '7 days'
     GROUP BY s.visitor_id
   ), step5 AS (
     SELECT s.visitor_id, min(e.ts) AS t5 FROM step4 s JOIN step1 f USING (visitor_id) JOIN events e
       ON e.visitor_id = s.visitor_id AND e.event = 'paid' AND e.ts BETWEEN s.t4 AND f.t1 + interval '7 days'
     GROUP BY s.visitor_id
   )
   SELECT f.channel, count(*) AS page_view, count(s2.visitor_id) AS signup, count(s3.visitor_id) AS demo_request,
          count(s4.visitor_id) AS trial_start, count(s5.visitor_id) AS paid
   FROM step1 f
   LEFT JOIN step2 s2 USING (visitor_id) LEFT JOIN step3 s3 USING (visitor_id)
   LEFT JOIN step4 s4 USING (visitor_id) LEFT JOIN step5 s5 USING (visitor_id)
   GROUP BY f.channel
   $q$);

-- funnel_step: one pass per visitor, exact (it also counts the attempts the
-- first-occurrence join misses, so its counts are higher: the reference is
-- the time to beat, not the answer).  Feeding the rows ordered by (visitor,
-- time) lets PostgreSQL stream the 1.7 million groups (no spilling hash
-- table), lets funnel_step skip its own sort, and makes the first page view's
-- channel simply the first element of the group's page-view channels.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('funnel 5 steps, 7 days, by channel', 'funnel_step + funnel_counts', false,
   $q$
   SELECT channel, funnel_counts(level, 5) FROM (
     SELECT visitor_id, (array_agg(channel) FILTER (WHERE event = 'page_view'))[1] AS channel,
            funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request',
                        event = 'trial_start', event = 'paid') AS level
     FROM (SELECT visitor_id, ts, event, channel FROM events
           WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
           ORDER BY visitor_id, ts) ordered
     GROUP BY visitor_id) per_visitor
   WHERE channel IS NOT NULL
   GROUP BY channel
   $q$),
-- The floor under any per-visitor funnel: the same rows, ordered and grouped
-- the same way, with count(*) where funnel_step was.  Whatever funnel_step
-- costs beyond this is its own; the rest is PostgreSQL's sort and grouping.
  ('funnel 5 steps, 7 days, by channel', 'floor: same grouping, count(*) only', false,
   $q$
   SELECT channel, count(*), sum(n) FROM (
     SELECT visitor_id, (array_agg(channel) FILTER (WHERE event = 'page_view'))[1] AS channel,
            count(*) AS n
     FROM (SELECT visitor_id, ts, event, channel FROM events
           WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
           ORDER BY visitor_id, ts) ordered
     GROUP BY visitor_id) per_visitor
   WHERE channel IS NOT NULL
   GROUP BY channel
   $q$),
-- The same on unordered input, with the first-touch channel from the same
-- DISTINCT ON as the reference: the planner (which underestimates the number
-- of visitors) hash-aggregates, and the hash table spills to disk.
  ('funnel 5 steps, 7 days, by channel', 'funnel_step + funnel_counts, unordered input', false,
   $q$
   WITH levels AS (
     SELECT visitor_id,
            funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request',
                        event = 'trial_start', event = 'paid') AS level
     FROM events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
     GROUP BY visitor_id
   ), first_touch AS (
     SELECT DISTINCT ON (visitor_id) visitor_id, channel
     FROM events WHERE event = 'page_view' ORDER BY visitor_id, ts
   )
   SELECT channel, funnel_counts(level, 5) FROM levels JOIN first_touch USING (visitor_id) GROUP BY channel
   $q$),
-- An exact plain-SQL formulation of the default mode (the same counts as
-- funnel_step): in time order per visitor, each step carries the latest start
-- time of a chain that reached it (a running max over the previous step's
-- starts, kept if within the window), one window pass per step.
  ('funnel 5 steps, 7 days, by channel', 'plain SQL, exact (window functions)', false,
   $q$
   WITH steps AS (
     SELECT visitor_id, ts,
            array_position(ARRAY['page_view', 'signup', 'demo_request', 'trial_start', 'paid'], event) AS step
     FROM events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
   ), l2 AS (
     SELECT *, CASE WHEN step = 2 AND ts - max(CASE WHEN step = 1 THEN ts END) OVER w <= interval '7 days'
                    THEN max(CASE WHEN step = 1 THEN ts END) OVER w END AS s2
     FROM steps WINDOW w AS (PARTITION BY visitor_id ORDER BY ts)
   ), l3 AS (
     SELECT *, CASE WHEN step = 3 AND ts - max(s2) OVER w <= interval '7 days' THEN max(s2) OVER w END AS s3
     FROM l2 WINDOW w AS (PARTITION BY visitor_id ORDER BY ts)
   ), l4 AS (
     SELECT *, CASE WHEN step = 4 AND ts - max(s3) OVER w <= interval '7 days' THEN max(s3) OVER w END AS s4
     FROM l3 WINDOW w AS (PARTITION BY visitor_id ORDER BY ts)
   ), l5 AS (
     SELECT *, CASE WHEN step = 5 AND ts - max(s4) OVER w <= interval '7 days' THEN max(s4) OVER w END AS s5
     FROM l4 WINDOW w AS (PARTITION BY visitor_id ORDER BY ts)
   ), levels AS (
     SELECT visitor_id,
            CASE WHEN count(s5) > 0 THEN 5 WHEN count(s4) > 0 THEN 4 WHEN count(s3) > 0 THEN 3
                 WHEN count(s2) > 0 THEN 2 WHEN bool_or(step = 1) THEN 1 ELSE 0 END AS level
     FROM l5 GROUP BY visitor_id
   ), first_touch AS (
     SELECT DISTINCT ON (visitor_id) visitor_id, channel
     FROM events WHERE event = 'page_view' ORDER BY visitor_id, ts
   )
   SELECT channel, count(*) FILTER (WHERE level >= 1) AS page_view, count(*) FILTER (WHERE level >= 2) AS signup,
          count(*) FILTER (WHERE level >= 3) AS demo_request, count(*) FILTER (WHERE level >= 4) AS trial_start,
          count(*) FILTER (WHERE level >= 5) AS paid
   FROM levels JOIN first_touch USING (visitor_id) GROUP BY channel
   $q$);

-- funnel 5 steps, 7 days, light shape (the sample: 1.8M visitors, 2 rows each)
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('funnel 5 steps, 7 days, light shape (the sample: 1.8M visitors, 2 rows each)', 'plain SQL, first occurrence', true, $q$
   WITH f AS MATERIALIZED (SELECT visitor_id, ts, event FROM events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')),
   step1 AS (SELECT visitor_id, min(ts) AS t1 FROM f WHERE event = 'page_view' GROUP BY visitor_id),
   step2 AS (SELECT s.visitor_id, s.t1, min(e.ts) AS t2 FROM step1 s JOIN f e
               ON e.visitor_id = s.visitor_id AND e.event = 'signup' AND e.ts BETWEEN s.t1 AND s.t1 + interval '7 days'
             GROUP BY s.visitor_id, s.t1),
   step3 AS (SELECT s.visitor_id, s.t1, min(e.ts) AS t3 FROM step2 s JOIN f e
               ON e.visitor_id = s.visitor_id AND e.event = 'demo_request' AND e.ts BETWEEN s.t2 AND s.t1 + interval '7 days'
             GROUP BY s.visitor_id, s.t1),
   step4 AS (SELECT s.visitor_id, s.t1, min(e.ts) AS t4 FROM step3 s JOIN f e
               ON e.visitor_id = s.visitor_id AND e.event = 'trial_start' AND e.ts BETWEEN s.t3 AND s.t1 + interval '7 days'
             GROUP BY s.visitor_id, s.t1),
   step5 AS (SELECT s.visitor_id, min(e.ts) AS t5 FROM step4 s JOIN f e
               ON e.visitor_id = s.visitor_id AND e.event = 'paid' AND e.ts BETWEEN s.t4 AND s.t1 + interval '7 days'
             GROUP BY s.visitor_id)
   SELECT count(*), count(s2.visitor_id), count(s3.visitor_id), count(s4.visitor_id), count(s5.visitor_id)
   FROM step1 LEFT JOIN step2 s2 USING (visitor_id) LEFT JOIN step3 s3 USING (visitor_id)
   LEFT JOIN step4 s4 USING (visitor_id) LEFT JOIN step5 s5 USING (visitor_id)
   $q$),
  ('funnel 5 steps, 7 days, light shape (the sample: 1.8M visitors, 2 rows each)', 'floor: GROUP BY visitor, count(*)', false, $q$
   SELECT count(*), sum(n) FROM (SELECT visitor_id, count(*) AS n FROM events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid') GROUP BY visitor_id) v
   $q$),
  ('funnel 5 steps, 7 days, light shape (the sample: 1.8M visitors, 2 rows each)', 'funnel_step per visitor + funnel_counts', false, $q$
   SELECT funnel_counts(level, 5) FROM (
     SELECT visitor_id, funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request', event = 'trial_start', event = 'paid') AS level
     FROM events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid') GROUP BY visitor_id) v
   $q$),
  ('funnel 5 steps, 7 days, light shape (the sample: 1.8M visitors, 2 rows each)', 'funnel_report', false, $q$
   SELECT funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request', event = 'trial_start', event = 'paid') FROM events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
   $q$),
  ('funnel 5 steps, 7 days, light shape (the sample: 1.8M visitors, 2 rows each)', 'funnel_report, ORDER BY visitor, ts (streaming)', false, $q$
   SELECT funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request', event = 'trial_start', event = 'paid' ORDER BY visitor_id, ts) FROM events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
   $q$);
INSERT INTO bench_case (workload, impl, reference, query, engine) VALUES
  ('funnel 5 steps, 7 days, light shape (the sample: 1.8M visitors, 2 rows each)', 'ClickHouse windowFunnel', false, $q$
   SELECT level, count() FROM (
     SELECT visitor_id, windowFunnel(604800)(ts, event = 'page_view', event = 'signup', event = 'demo_request', event = 'trial_start', event = 'paid') AS level
     FROM light_events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid') GROUP BY visitor_id) GROUP BY level
   $q$, 'clickhouse');

-- funnel 5 steps, 7 days, heavy shape (200,000 visitors, 50 rows each, random order)
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('funnel 5 steps, 7 days, heavy shape (200,000 visitors, 50 rows each, random order)', 'plain SQL, first occurrence', true, $q$
   WITH f AS MATERIALIZED (SELECT visitor_id, ts, event FROM heavy_events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')),
   step1 AS (SELECT visitor_id, min(ts) AS t1 FROM f WHERE event = 'page_view' GROUP BY visitor_id),
   step2 AS (SELECT s.visitor_id, s.t1, min(e.ts) AS t2 FROM step1 s JOIN f e
               ON e.visitor_id = s.visitor_id AND e.event = 'signup' AND e.ts BETWEEN s.t1 AND s.t1 + interval '7 days'
             GROUP BY s.visitor_id, s.t1),
   step3 AS (SELECT s.visitor_id, s.t1, min(e.ts) AS t3 FROM step2 s JOIN f e
               ON e.visitor_id = s.visitor_id AND e.event = 'demo_request' AND e.ts BETWEEN s.t2 AND s.t1 + interval '7 days'
             GROUP BY s.visitor_id, s.t1),
   step4 AS (SELECT s.visitor_id, s.t1, min(e.ts) AS t4 FROM step3 s JOIN f e
               ON e.visitor_id = s.visitor_id AND e.event = 'trial_start' AND e.ts BETWEEN s.t3 AND s.t1 + interval '7 days'
             GROUP BY s.visitor_id, s.t1),
   step5 AS (SELECT s.visitor_id, min(e.ts) AS t5 FROM step4 s JOIN f e
               ON e.visitor_id = s.visitor_id AND e.event = 'paid' AND e.ts BETWEEN s.t4 AND s.t1 + interval '7 days'
             GROUP BY s.visitor_id)
   SELECT count(*), count(s2.visitor_id), count(s3.visitor_id), count(s4.visitor_id), count(s5.visitor_id)
   FROM step1 LEFT JOIN step2 s2 USING (visitor_id) LEFT JOIN step3 s3 USING (visitor_id)
   LEFT JOIN step4 s4 USING (visitor_id) LEFT JOIN step5 s5 USING (visitor_id)
   $q$),
  ('funnel 5 steps, 7 days, heavy shape (200,000 visitors, 50 rows each, random order)', 'floor: GROUP BY visitor, count(*)', false, $q$
   SELECT count(*), sum(n) FROM (SELECT visitor_id, count(*) AS n FROM heavy_events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid') GROUP BY visitor_id) v
   $q$),
  ('funnel 5 steps, 7 days, heavy shape (200,000 visitors, 50 rows each, random order)', 'funnel_step per visitor + funnel_counts', false, $q$
   SELECT funnel_counts(level, 5) FROM (
     SELECT visitor_id, funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request', event = 'trial_start', event = 'paid') AS level
     FROM heavy_events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid') GROUP BY visitor_id) v
   $q$),
  ('funnel 5 steps, 7 days, heavy shape (200,000 visitors, 50 rows each, random order)', 'funnel_report', false, $q$
   SELECT funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request', event = 'trial_start', event = 'paid') FROM heavy_events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
   $q$),
  ('funnel 5 steps, 7 days, heavy shape (200,000 visitors, 50 rows each, random order)', 'funnel_report, ORDER BY visitor, ts (streaming)', false, $q$
   SELECT funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request', event = 'trial_start', event = 'paid' ORDER BY visitor_id, ts) FROM heavy_events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
   $q$);
INSERT INTO bench_case (workload, impl, reference, query, engine) VALUES
  ('funnel 5 steps, 7 days, heavy shape (200,000 visitors, 50 rows each, random order)', 'ClickHouse windowFunnel', false, $q$
   SELECT level, count() FROM (
     SELECT visitor_id, windowFunnel(604800)(ts, event = 'page_view', event = 'signup', event = 'demo_request', event = 'trial_start', event = 'paid') AS level
     FROM heavy_events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid') GROUP BY visitor_id) GROUP BY level
   $q$, 'clickhouse');
