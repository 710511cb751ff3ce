-- Traffic: page views and unique visitors per channel (plain SQL until uv_hll lands).
\echo
\echo '--- Traffic per channel, December 2025 -----------------------------------------'
\echo 'PV = page views; DAU = average daily unique visitors; MAU = unique visitors in the month'
WITH dec AS (
  SELECT * FROM events
  WHERE event = 'page_view' AND ts >= '2025-12-01' AND ts < '2026-01-01'
), daily AS (
  SELECT channel, date_trunc('day', ts) AS day, count(DISTINCT visitor_id) AS uv
  FROM dec GROUP BY 1, 2
)
SELECT d.channel, count(*) AS pv,
       (SELECT round(avg(uv), 1) FROM daily WHERE daily.channel = d.channel) AS avg_dau,
       count(DISTINCT visitor_id) AS mau
FROM dec d GROUP BY d.channel ORDER BY pv DESC;
