-- Funnel: visitors reaching each step in order within 7 days, per first-touch
-- channel, with funnel_step (exact, one pass per visitor) and funnel_counts.
\echo
\echo '--- Funnel per channel: page_view > signup > demo_request > trial_start > paid, 7-day window ---'
\echo 'Each visitor counts at every step they reached (funnel_step); % of the channel''s visitors.'
WITH per_visitor AS (
  SELECT visitor_id,
         funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request',
                     event = 'trial_start', event = 'paid') AS level
  FROM events
  WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
  GROUP BY visitor_id
), first_touch AS (
  SELECT DISTINCT ON (visitor_id) visitor_id, channel
  FROM events WHERE event = 'page_view' ORDER BY visitor_id, ts
), funnel AS (
  SELECT channel, funnel_counts(level, 5) AS c
  FROM per_visitor JOIN first_touch USING (visitor_id) GROUP BY ROLLUP (channel)
)
SELECT coalesce(channel, 'all') AS channel,
       c[1] AS visitors,
       c[2] AS signup,  round(100.0 * c[2] / c[1], 2) AS "signup %",
       c[3] AS demo,    round(100.0 * c[3] / c[1], 2) AS "demo %",
       c[4] AS trial,   round(100.0 * c[4] / c[1], 2) AS "trial %",
       c[5] AS paid,    round(100.0 * c[5] / c[1], 2) AS "paid %",
       round(100.0 * c[5] / nullif(c[2], 0), 1) AS "paid % of signups"
FROM funnel ORDER BY channel IS NULL, visitors DESC;

\echo
\echo '--- Why one pass matters: the same funnel the usual plain-SQL way (first page view only) ---'
\echo 'Joining each step on the first occurrence of the previous one misses visitors whose'
\echo 'converting attempt started after an earlier visit; funnel_step counts them.'
WITH first_view AS (
  SELECT visitor_id, min(ts) AS t1 FROM events WHERE event = 'page_view' GROUP BY visitor_id
), first_signup AS (
  SELECT f.visitor_id, min(e.ts) AS t2
  FROM first_view f JOIN events e ON e.visitor_id = f.visitor_id AND e.event = 'signup'
       AND e.ts BETWEEN f.t1 AND f.t1 + interval '7 days'
  GROUP BY f.visitor_id
), per_visitor AS (
  SELECT visitor_id,
         funnel_step(ts, '7 days', event = 'page_view', event = 'signup') AS level
  FROM events WHERE event IN ('page_view', 'signup') GROUP BY visitor_id
)
SELECT (SELECT count(*) FROM first_signup) AS "signups, first-occurrence SQL",
       (SELECT funnel_counts(level, 2) FROM per_visitor)[2] AS "signups, funnel_step";

\echo
\echo '--- The conversion window matters: the same funnel with 1, 7 and 30 days (all channels) ---'
SELECT w AS "window", funnel_counts(level, 5) AS "page_view, signup, demo, trial, paid"
FROM (VALUES (interval '1 day'), (interval '7 days'), (interval '30 days')) ws(w),
LATERAL (
  SELECT funnel_step(ts, ws.w, event = 'page_view', event = 'signup', event = 'demo_request',
                     event = 'trial_start', event = 'paid') AS level
  FROM events
  WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
  GROUP BY visitor_id
) l
GROUP BY w ORDER BY w;
