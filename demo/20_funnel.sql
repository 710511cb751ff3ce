-- Funnel: visitors reaching each step within 7 days of their first page view,
-- per first-touch channel (plain SQL until funnel_step lands).
\echo
\echo '--- Funnel per channel: page_view > signup > demo_request > trial_start > paid (7 days) ---'
WITH first_view AS (
  SELECT DISTINCT ON (visitor_id) visitor_id, ts AS t0, channel
  FROM events WHERE event = 'page_view' ORDER BY visitor_id, ts
), reached AS (
  SELECT f.visitor_id, f.channel,
         bool_or(e.event = 'signup') AS signup,
         bool_or(e.event = 'demo_request') AS demo_request,
         bool_or(e.event = 'trial_start') AS trial_start,
         bool_or(e.event = 'paid') AS paid
  FROM first_view f
  LEFT JOIN events e ON e.visitor_id = f.visitor_id AND e.ts BETWEEN f.t0 AND f.t0 + interval '7 days'
  GROUP BY 1, 2
)
SELECT channel, count(*) AS visitors,
       count(*) FILTER (WHERE signup) AS signups,
       count(*) FILTER (WHERE signup AND demo_request) AS demos,
       count(*) FILTER (WHERE signup AND trial_start) AS trials,
       count(*) FILTER (WHERE signup AND trial_start AND paid) AS paid,
       round(100.0 * count(*) FILTER (WHERE signup) / count(*), 2) AS "signup %"
FROM reached GROUP BY channel ORDER BY visitors DESC;
