-- Sessions and traffic quality: per channel, what its visitors do once they arrive
-- (sessions_agg + page_stats), and the days whose page views stand out from the same
-- weekday of the 8 weeks before (traffic_anomalies: bots on paid_search).
\echo
\echo '--- Traffic quality per channel: page views in 30-minute sessions ---'
\echo 'Bounce rate: sessions with a single page view; time on page: to the next page view of the session.'
WITH per_visitor AS (
  SELECT channel, visitor_id, sessions_agg(ts, page, '30 minutes') AS s
  FROM events WHERE event = 'page_view'
  GROUP BY channel, visitor_id
)
SELECT channel,
       sum(p.views) AS pv,
       count(DISTINCT visitor_id) AS uv,
       round(sum(p.views)::numeric / count(DISTINCT visitor_id), 2) AS "pv/uv",
       sum(p.entries) AS entries,
       sum(p.exits) AS exits,
       round(100.0 * sum(p.bounces) / nullif(sum(p.entries), 0), 1) AS "bounce %",
       date_trunc('second', sum(p.time_on_page_total) / nullif(sum(p.timed_views), 0)) AS "avg time on page"
FROM per_visitor, page_stats(s) p
GROUP BY channel ORDER BY pv DESC;

\echo
\echo '--- Traffic anomalies: daily page views per channel vs the same weekday of the 8 weeks before ---'
\echo 'Robust z = 0.6745 (views - median) / MAD; flagged above 3.5 and at least 20 views above the median;'
\echo 'the six strongest (the bots on paid_search stand out by two orders of magnitude).'
WITH days AS (
  SELECT d::date AS day
  FROM generate_series((SELECT min(ts)::date FROM events), (SELECT max(ts)::date FROM events), interval '1 day') d
), daily AS (
  SELECT c.channel, d.day, count(e.*)::float8 AS pv
  FROM (SELECT DISTINCT channel FROM events WHERE event = 'page_view') c CROSS JOIN days d
  LEFT JOIN events e ON e.channel = c.channel AND e.ts::date = d.day AND e.event = 'page_view'
  GROUP BY 1, 2
)
SELECT s.channel, a.day, a.value AS "page views", a.expected AS "expected", round(a.score::numeric, 1) AS "robust z",
       (SELECT count(DISTINCT visitor_id) FROM events e
        WHERE e.channel = s.channel AND e.ts::date = a.day AND e.event = 'page_view') AS visitors
FROM (SELECT channel, array_agg(day) AS days, array_agg(pv) AS vals FROM daily GROUP BY channel) s,
     traffic_anomalies(s.days, s.vals) a
WHERE a.is_anomaly AND a.value - a.expected >= 20
  AND a.day >= date '2023-01-01' + 56   -- days with 8 weeks of the sample's traffic behind them
ORDER BY a.score DESC LIMIT 6;

\echo
\echo '--- Suspicious visitors per channel (session_quality: > 100 events in a session, > 60 in a minute,'
\echo '    or >= 5 page views of which half under a second), and the channel report without them ---'
WITH per_visitor AS (
  SELECT channel, visitor_id, sessions_agg(ts, page, '30 minutes') AS s
  FROM events WHERE event = 'page_view'
  GROUP BY channel, visitor_id
), flagged AS (
  SELECT channel, visitor_id, s, (SELECT bool_or(q.suspicious) FROM session_quality(s) q) AS suspicious
  FROM per_visitor
)
SELECT channel,
       count(DISTINCT visitor_id) FILTER (WHERE suspicious) AS "suspicious visitors",
       sum(p.views) FILTER (WHERE suspicious) AS "their pv",
       sum(p.views) FILTER (WHERE NOT suspicious) AS "pv without them",
       round(100.0 * sum(p.bounces) FILTER (WHERE NOT suspicious)
             / nullif(sum(p.entries) FILTER (WHERE NOT suspicious), 0), 1) AS "bounce % without them"
FROM flagged, page_stats(s) p
GROUP BY channel ORDER BY "suspicious visitors" DESC, channel;
