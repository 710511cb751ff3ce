-- signals on Citus: events distributed by account_id (tools/citus-test.sh, format in docs/citus.md).
-- score_auc, action_lift and churn_signals keep internal states (bounded: the distinct scores,
-- the distinct names), so what distributes is the query grouped by account_id, run whole on
-- the workers.

-- @case score_auc_by_account pushdown score_auc
SELECT account_id, score_auc((event_id % 100)::float8, event = 'login')
FROM events GROUP BY account_id

-- @case churn_signals_by_account pushdown churn_signals
SELECT account_id, churn_signals(ts, event, '2025-06-01', account_id % 2 = 0, '30 days', '90 days')::text
FROM events GROUP BY account_id

-- @case churn_signals_model_by_account pushdown churn_signals_model
SELECT account_id, churn_signals_model(ts, event, '2025-06-01', account_id % 2 = 0, '30 days', '90 days', 3)
FROM events GROUP BY account_id

-- @case action_lift_by_account pushdown action_lift
SELECT account_id, action_lift(acts, converted)::text
FROM (SELECT account_id, user_id, array_agg(event) AS acts, bool_or(event = 'paid') AS converted
      FROM events WHERE user_id IS NOT NULL GROUP BY account_id, user_id) per_user
GROUP BY account_id

-- @case account_engagement_by_account pushdown account_engagement
SELECT account_id, account_engagement(user_id, event, ts, '2025-09-01')::text
FROM events GROUP BY account_id
