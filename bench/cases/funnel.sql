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
