-- The SaaS board of 2025: MRR, ARR, ARPA, NRR, GRR, quick ratio, renewal
-- rates, CAC, payback and LTV:CAC by quarter, from one stored mrr_totals per
-- month (mrr_totals_* accessors), the renewal rows of mrr_renewals and the
-- sample's marketing_spend; then a revenue cohort table (mrr_cohort_moves).
SET timezone = 'UTC';

CREATE TEMP TABLE demo_saas_monthly AS
SELECT (m).period AS month, mrr_totals(m) AS totals
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2024-01-01', '2026-01-01')) AS m
      FROM subscriptions GROUP BY account_id) per_customer
GROUP BY 1;
CREATE TEMP TABLE demo_saas_renewals AS
SELECT date_trunc('quarter', (r).due_at) AS quarter, renewal_rate(r) AS rates
FROM (SELECT unnest(mrr_renewals(started_at, ended_at, mrr, billing_period, '2025-01-01', '2026-01-01')) AS r
      FROM subscriptions GROUP BY account_id) per_customer
GROUP BY 1;

\echo
\echo '--- SaaS board, 2025 by quarter (NRR and GRR pooled monthly; LTV and payback at 80 % gross margin) ---'
SELECT to_char(q.quarter, 'YYYY-"Q"Q') AS quarter,
       round(b.end_mrr) AS "MRR", round(mrr_totals_arr(q.t)) AS "ARR", round(mrr_totals_arpa(q.t), 2) AS "ARPA",
       round(100 * mrr_totals_nrr(q.t), 1) AS "NRR %", round(100 * mrr_totals_grr(q.t), 1) AS "GRR %",
       round(mrr_totals_quick_ratio(q.t), 2) AS "quick ratio",
       round(100 * (r.rates).logo_renewal_rate, 1) AS "logo renewal %",
       round(100 * (r.rates).net_dollar_renewal_rate, 1) AS "net $ renewal %",
       b.new_customers AS new, round(s.spend) AS spend, round(mrr_totals_cac(q.t, s.spend)) AS "CAC",
       round(mrr_totals_cac_payback(q.t, s.spend, 0.8), 1) AS "payback months",
       round(mrr_totals_ltv_cac(q.t, s.spend, 0.8), 1) AS "LTV:CAC"
FROM (SELECT date_trunc('quarter', month) AS quarter, mrr_rollup(totals) AS t
      FROM demo_saas_monthly WHERE month >= '2025-01-01' GROUP BY 1) q
     CROSS JOIN LATERAL mrr_totals_bridge(q.t) b
     JOIN demo_saas_renewals r USING (quarter)
     JOIN (SELECT date_trunc('quarter', day::timestamptz) AS quarter, sum(spend) AS spend
           FROM marketing_spend GROUP BY 1) s USING (quarter)
ORDER BY 1;

\echo
\echo '--- The year 2025: 12-month NRR and GRR of the customers paying on 1 January, ARR at the end ---'
SELECT round(100 * mrr_totals_nrr(t), 1) AS "NRR %",
       round(100 * mrr_totals_nrr(t, true), 1) AS "NRR % with reactivations",
       round(100 * mrr_totals_grr(t), 1) AS "GRR %",
       round(mrr_totals_arr(t)) AS "ARR 2026-01-01", round(mrr_totals_quick_ratio(t), 2) AS "quick ratio"
FROM (SELECT mrr_totals(m) AS t
      FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2026-01-01', '12 months')) AS m
            FROM subscriptions GROUP BY account_id) per_customer) y;

\echo
\echo '--- Revenue cohorts of 2025 (first-paid month): MRR retained vs the first month, % ---'
SELECT to_char(cohort, 'YYYY-MM') AS cohort,
       max(paying) FILTER (WHERE month_offset = 0) AS customers,
       round(max(mrr) FILTER (WHERE month_offset = 0)) AS "starting MRR",
       round(100 * max(retained) FILTER (WHERE month_offset = 1)) AS "+1",
       round(100 * max(retained) FILTER (WHERE month_offset = 2)) AS "+2",
       round(100 * max(retained) FILTER (WHERE month_offset = 3)) AS "+3",
       round(100 * max(retained) FILTER (WHERE month_offset = 6)) AS "+6",
       round(100 * max(retained) FILTER (WHERE month_offset = 9)) AS "+9",
       sum(churned) AS "churned so far"
FROM (SELECT c.cohort, c.month_offset, b.end_customers AS paying, b.end_mrr AS mrr, b.churned_customers AS churned,
             b.end_mrr / first_value(b.end_mrr) OVER (PARTITION BY c.cohort ORDER BY c.month_offset) AS retained
      FROM (SELECT c.cohort, c.month_offset, mrr_totals(c.movement) AS t
            FROM (SELECT mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2026-01-01') AS moves
                  FROM subscriptions GROUP BY account_id) per_customer,
                 mrr_cohort_moves(moves) c
            GROUP BY 1, 2) c, mrr_totals_bridge(c.t) b) cells
GROUP BY cohort ORDER BY cohort;

DROP TABLE demo_saas_renewals;
DROP TABLE demo_saas_monthly;
