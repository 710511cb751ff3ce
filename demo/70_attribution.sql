-- Touch attribution: which channels earn the customer.  A lead is a visitor; a touch
-- is a page view or a marketing touch with its channel; the conversion is 'paid'.
CREATE TEMP TABLE demo_touches AS
SELECT visitor_id AS lead,
       touches_agg(ts, CASE WHEN event <> 'paid' THEN channel END, event = 'paid') AS t
FROM events
WHERE event IN ('page_view', 'email_open', 'webinar', 'case_study_view', 'sales_call', 'paid')
GROUP BY visitor_id;

\echo
\echo '--- Channel credit for the paying customers under five attribution models (90-day lookback) ---'
SELECT a.channel,
       round(sum(a.credit) FILTER (WHERE m = 'first'), 1) AS first_touch,
       round(sum(a.credit) FILTER (WHERE m = 'last'), 1) AS last_touch,
       round(sum(a.credit) FILTER (WHERE m = 'linear'), 1) AS linear,
       round(sum(a.credit) FILTER (WHERE m = 'position'), 1) AS position,
       round(sum(a.credit) FILTER (WHERE m = 'time_decay'), 1) AS time_decay
FROM demo_touches, unnest('{first,last,linear,position,time_decay}'::text[]) m, attribution(t, m) a
GROUP BY 1 ORDER BY 1;

\echo
\echo '--- The touch curve: conversion rate of account champions by touches before paying ---'
SELECT touches_before_conversion(t) AS touches, count(*) AS leads,
       count(*) FILTER (WHERE touches_converted_at(t) IS NOT NULL) AS converted,
       round(100.0 * count(*) FILTER (WHERE touches_converted_at(t) IS NOT NULL) / count(*), 1) AS rate_pct
FROM demo_touches WHERE lead IN (SELECT account_id * 10 FROM accounts)
GROUP BY 1 ORDER BY 1;
SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY touches_converted_at(t) - touches_first_at(t)) AS median_first_touch_to_paid
FROM demo_touches;

\echo
\echo '--- Channel quality in 2024: visitors, registrations, customers, CPA, CAC, conversion, first-year ROI ---'
WITH visitors AS (
  SELECT channel, uv_hll(visitor_id) AS visitors FROM events
  WHERE event = 'page_view' AND ts >= '2024-01-01' AND ts < '2025-01-01' GROUP BY 1
), registrations AS (
  SELECT channel, count(*) AS registrations FROM accounts
  WHERE created_at >= '2024-01-01' AND created_at < '2025-01-01' GROUP BY 1
), customers AS (
  SELECT a.channel, mrr_totals(m) AS t
  FROM (SELECT account_id, unnest(mrr_movement(started_at, ended_at, mrr, '2024-01-01', '2025-01-01')) AS m
        FROM subscriptions GROUP BY account_id) x JOIN accounts a USING (account_id)
  GROUP BY 1
), first_year AS (
  SELECT a.channel,
         sum(s.mrr * extract(epoch FROM least(coalesce(s.ended_at, 'infinity'), p.paid_at + interval '1 year')
                                        - greatest(s.started_at, p.paid_at)) / (86400 * 30.4375)) AS revenue
  FROM (SELECT account_id, min(started_at) AS paid_at FROM subscriptions WHERE mrr > 0 GROUP BY 1) p
       JOIN accounts a USING (account_id)
       JOIN subscriptions s ON s.account_id = p.account_id AND s.started_at < p.paid_at + interval '1 year'
                            AND coalesce(s.ended_at, 'infinity') > p.paid_at
  WHERE p.paid_at >= '2024-01-01' AND p.paid_at < '2025-01-01'
  GROUP BY 1
), spend AS (
  SELECT channel, sum(spend) AS spend FROM marketing_spend WHERE day >= '2024-01-01' AND day < '2025-01-01' GROUP BY 1
)
SELECT channel, v.visitors, r.registrations, b.new_customers AS customers, s.spend,
       round(s.spend / nullif(r.registrations, 0), 2) AS cpa,
       round(mrr_totals_cac(c.t, s.spend), 2) AS cac,
       round(100.0 * r.registrations / nullif(v.visitors, 0), 2) AS registration_pct,
       round(100.0 * b.new_customers / nullif(r.registrations, 0), 1) AS customer_pct,
       round(f.revenue / nullif(s.spend, 0), 2) AS first_year_roi
FROM spend s
     LEFT JOIN visitors v USING (channel) LEFT JOIN registrations r USING (channel)
     LEFT JOIN customers c USING (channel) LEFT JOIN LATERAL mrr_totals_bridge(c.t) b ON true
     LEFT JOIN first_year f USING (channel)
ORDER BY 1;
