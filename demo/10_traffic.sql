-- Traffic: page views and unique visitors per channel, with uv_hll and a daily rollup of sketches.
\echo
\echo '--- Traffic per channel, December 2025 -----------------------------------------'
\echo 'PV = page views; DAU = average daily unique visitors; MAU = unique visitors in the month (uv_hll)'
WITH dec AS (
  SELECT * FROM events
  WHERE event = 'page_view' AND ts >= '2025-12-01' AND ts < '2026-01-01'
), daily AS (
  SELECT channel, date_trunc('day', ts) AS day, uv_hll(visitor_id) AS uv
  FROM dec GROUP BY 1, 2
)
SELECT d.channel, count(*) AS pv,
       (SELECT round(avg(uv), 1) FROM daily WHERE daily.channel = d.channel) AS avg_dau,
       uv_hll(visitor_id) AS mau
FROM dec d GROUP BY d.channel ORDER BY pv DESC;

-- A rollup table keeps one small sketch per day and channel; any longer period is a union.
CREATE TEMP TABLE daily_visitors AS
SELECT date_trunc('day', ts)::date AS day, channel, uv_sketch(visitor_id) AS visitors
FROM events GROUP BY 1, 2;

\echo
\echo '--- Monthly unique visitors from the daily rollup (last 6 months) -------------'
\echo 'MAU = uv_hll over the daily sketches; exact = count(DISTINCT) over the raw events'
SELECT to_char(r.month, 'YYYY-MM') AS month, r.days, r.mau, e.exact,
       round(100.0 * (r.mau - e.exact) / nullif(e.exact, 0), 2) AS "error %",
       r.rollup_kb AS "rollup kB"
FROM (SELECT date_trunc('month', day) AS month, count(DISTINCT day) AS days,
             uv_hll(visitors) AS mau, sum(pg_column_size(visitors)) / 1024 AS rollup_kb
      FROM daily_visitors WHERE day >= '2025-07-01' GROUP BY 1) r
JOIN (SELECT date_trunc('month', ts) AS month, count(DISTINCT visitor_id) AS exact
      FROM events WHERE ts >= '2025-07-01' GROUP BY 1) e USING (month)
ORDER BY r.month;

\echo
\echo '--- Weekly unique visitors per channel, last 4 weeks of 2025 (rollup) ---------'
SELECT channel,
       uv_count(uv_sketch(visitors) FILTER (WHERE day >= '2025-12-04' AND day < '2025-12-11')) AS "wk Dec 4",
       uv_count(uv_sketch(visitors) FILTER (WHERE day >= '2025-12-11' AND day < '2025-12-18')) AS "wk Dec 11",
       uv_count(uv_sketch(visitors) FILTER (WHERE day >= '2025-12-18' AND day < '2025-12-25')) AS "wk Dec 18",
       uv_count(uv_sketch(visitors) FILTER (WHERE day >= '2025-12-25' AND day < '2026-01-01')) AS "wk Dec 25",
       uv_hll(visitors) FILTER (WHERE day >= '2025-12-04') AS "4 weeks"
FROM daily_visitors GROUP BY channel ORDER BY channel;
