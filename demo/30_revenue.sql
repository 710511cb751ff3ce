-- Subscription revenue: the MRR bridge of 2025, churn and LTV, from the
-- subscriptions table in one aggregate per customer (mrr_movement) and a few
-- aggregates over its rows (mrr_bridge, churn_rate, ltv_agg); then the same
-- year by quarter from stored monthly totals (mrr_totals, mrr_rollup).
SET timezone = 'UTC';

CREATE TEMP TABLE demo_moves AS
SELECT account_id, unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2026-01-01')) AS m
FROM subscriptions GROUP BY account_id;

\echo
\echo '--- MRR bridge, 2025: start + new + expansion + reactivation - contraction - churn = end ---'
SELECT to_char(period, 'YYYY-MM') AS month,
       round((b).start_mrr) AS "start MRR",
       round((b).new_mrr) AS "+ new",
       round((b).expansion_mrr) AS "+ expansion",
       round((b).reactivation_mrr) AS "+ reactivation",
       round((b).contraction_mrr) AS "- contraction",
       round((b).churned_mrr) AS "- churn",
       round((b).end_mrr) AS "end MRR",
       (b).start_mrr + (b).new_mrr + (b).expansion_mrr + (b).reactivation_mrr
         - (b).contraction_mrr - (b).churned_mrr = (b).end_mrr AS "adds up",
       (b).start_customers AS customers,
       (b).new_customers AS new,
       (b).reactivated_customers AS back,
       (b).churned_customers AS churned
FROM (SELECT (m).period, mrr_bridge(m) AS b FROM demo_moves GROUP BY (m).period) x(period, b)
ORDER BY 1;

\echo
\echo '--- Churn and lifetime value, 2025 (monthly rates pooled over the year; LTV at 80 % gross margin) ---'
SELECT round(100 * churn_rate(m), 2) AS "logo churn %/month",
       round(100 * churn_rate(m, 'gross_mrr'), 2) AS "gross MRR churn %/month",
       round(100 * churn_rate(m, 'net_mrr'), 2) AS "net MRR churn %/month",
       round(sum((m).mrr_after) / count(*) FILTER (WHERE (m).mrr_after > 0), 2) AS "ARPA",
       round(ltv_agg(m, 0.8)) AS "LTV"
FROM demo_moves;

\echo
\echo '--- Logo churn and LTV by first-touch channel, 2025 ---'
SELECT a.channel,
       count(DISTINCT d.account_id) AS customers,
       round(100 * churn_rate(d.m), 2) AS "logo churn %/month",
       round(ltv_agg(d.m, 0.8)) AS "LTV"
FROM demo_moves d JOIN accounts a USING (account_id)
GROUP BY a.channel ORDER BY "LTV" DESC NULLS LAST;

\echo
\echo '--- By quarter, from one stored mrr_totals per month (what a dashboard keeps) ---'
CREATE TEMP TABLE demo_monthly AS
SELECT (m).period AS month, mrr_totals(m) AS totals FROM demo_moves GROUP BY 1;
SELECT to_char(b.first_period, 'YYYY-"Q"Q') AS quarter,
       round(b.start_mrr) AS "start MRR", round(b.new_mrr + b.expansion_mrr + b.reactivation_mrr) AS "+ gained",
       round(b.contraction_mrr + b.churned_mrr) AS "- lost", round(b.end_mrr) AS "end MRR",
       b.start_customers AS customers, b.end_customers AS "customers at end",
       round(100 * mrr_totals_churn_rate(q.t), 2) AS "logo churn %/month",
       round(mrr_totals_ltv(q.t, 0.8)) AS "LTV"
FROM (SELECT mrr_rollup(totals) AS t FROM demo_monthly GROUP BY date_trunc('quarter', month)) q,
     mrr_totals_bridge(q.t) b
ORDER BY 1;

DROP TABLE demo_monthly;
DROP TABLE demo_moves;
