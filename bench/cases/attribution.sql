-- Touch attribution (issue 14): linear credit per channel of every 'paid' conversion,
-- 90-day lookback, a touch being a page view or a marketing touch with its channel.
-- The reference is the plain SQL an analyst writes: each conversion's path by a join
-- on the lead with the previous conversion from lag(), then 1/n per touch (rounded
-- in numeric per row, so not exact to the last digit: ours is).
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('attribution, linear credit per channel', 'plain SQL (lag + join + count over)', true,
   $q$
   WITH ev AS (
     SELECT visitor_id, ts, CASE WHEN event <> 'paid' THEN channel END AS channel, event = 'paid' AS conv
     FROM events WHERE event IN ('page_view', 'email_open', 'webinar', 'case_study_view', 'sales_call', 'paid')
   ), conv AS (
     SELECT visitor_id, ts AS conv_ts, lag(ts) OVER (PARTITION BY visitor_id ORDER BY ts) AS prev_ts
     FROM ev WHERE conv
   ), path AS (
     SELECT e.channel, count(*) OVER (PARTITION BY c.visitor_id, c.conv_ts) AS n
     FROM conv c JOIN ev e ON e.visitor_id = c.visitor_id AND e.channel IS NOT NULL
      AND e.ts <= c.conv_ts AND e.ts >= c.conv_ts - interval '90 days'
      AND (c.prev_ts IS NULL OR e.ts > c.prev_ts)
   )
   SELECT channel, sum(1.0 / n) AS credit FROM path GROUP BY channel
   $q$),
  ('attribution, linear credit per channel', 'touches_agg + attribution', false,
   $q$
   SELECT a.channel, sum(a.credit) AS credit
   FROM (SELECT visitor_id, touches_agg(ts, CASE WHEN event <> 'paid' THEN channel END, event = 'paid') AS t
         FROM events WHERE event IN ('page_view', 'email_open', 'webinar', 'case_study_view', 'sales_call', 'paid')
         GROUP BY visitor_id) x,
        attribution(x.t) a
   GROUP BY a.channel
   $q$);
