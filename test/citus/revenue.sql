-- revenue on Citus: subscriptions distributed by account_id (tools/citus-test.sh, docs/citus.md).
-- mrr_movement (an internal state, per customer) runs whole on the workers grouped by
-- account_id; the aggregates over its rows (an mrr_totals state) combine partials from any grouping.

-- @case mrr_movement_per_customer pushdown mrr_movement
SELECT account_id, mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2026-01-01')
FROM subscriptions GROUP BY account_id

-- @case mrr_bridge_by_month partial mrr_bridge
SELECT (m).period, (mrr_bridge(m)).*
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2026-01-01')) AS m
      FROM subscriptions GROUP BY account_id) per_customer
GROUP BY (m).period

-- The composite in one column: one partial state a group and shard, not one per field.
-- @case mrr_bridge_composite partial mrr_bridge
SELECT (m).period, mrr_bridge(m)
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2026-01-01')) AS m
      FROM subscriptions GROUP BY account_id) per_customer
GROUP BY (m).period

-- @case churn_rate_pooled partial churn_rate
SELECT churn_rate(m) AS logo, churn_rate(m, 'gross_mrr') AS gross_mrr, churn_rate(m, 'net_mrr') AS net_mrr
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-07-01', '2026-01-01')) m
      FROM subscriptions GROUP BY account_id) x

-- @case ltv_agg_pooled partial ltv_agg
SELECT ltv_agg(m) AS ltv, ltv_agg(m, 0.8) AS ltv_80
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-07-01', '2026-01-01')) m
      FROM subscriptions GROUP BY account_id) x

-- @case mrr_totals_by_month partial mrr_totals
SELECT (m).period, mrr_totals(m)
FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2024-01-01', '2026-01-01')) AS m
      FROM subscriptions GROUP BY account_id) per_customer
GROUP BY (m).period

-- Per-customer totals of each month (segments of one period) rolled up into quarters: the
-- rollup and the accessors over it.  (An accessor in a LATERAL join over the rolled-up values,
-- FROM (...) q, mrr_totals_bridge(q.t), makes Citus gather the subquery's result first.)
-- @case mrr_rollup_by_quarter partial mrr_rollup
SELECT date_trunc('quarter', period) AS quarter, mrr_rollup(t) AS t,
       mrr_totals_churn_rate(mrr_rollup(t)) AS logo_churn, mrr_totals_ltv(mrr_rollup(t), 0.8) AS ltv_80
FROM (SELECT account_id, (m).period, mrr_totals(m) AS t
      FROM (SELECT account_id, unnest(mrr_movement(started_at, ended_at, mrr, '2024-01-01', '2026-01-01')) AS m
            FROM subscriptions GROUP BY account_id) per_customer
      GROUP BY account_id, (m).period) per_customer_month
GROUP BY 1

-- Revenue II (docs/saas.md): mrr_renewals (internal, per customer) runs whole on the workers
-- grouped by account_id; renewal_rate (a renewal_totals state) combines partials from any grouping.
-- @case mrr_renewals_per_customer pushdown mrr_renewals
SELECT account_id, mrr_renewals(started_at, ended_at, mrr, billing_period, '2025-01-01', '2026-01-01')
FROM subscriptions GROUP BY account_id

-- @case renewal_rate_by_quarter partial renewal_rate
SELECT date_trunc('quarter', (r).due_at) AS quarter, renewal_rate(r)
FROM (SELECT unnest(mrr_renewals(started_at, ended_at, mrr, billing_period, '2025-01-01', '2026-01-01')) AS r
      FROM subscriptions GROUP BY account_id) per_customer
GROUP BY 1
