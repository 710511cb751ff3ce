-- Signals: what falls before churn (churn_signals), is the health model still good
-- (score_auc, precision and recall per band), the trial's magic action (action_lift) and the
-- high-value accounts (account_engagement).
SET timezone = 'UTC';
CREATE TEMP TABLE demo_churn_day AS
SELECT account_id, min((m).period) AS churned_at
FROM (SELECT account_id, unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01', '1 day')) AS m
      FROM subscriptions GROUP BY account_id) x
WHERE (m).kind = 'churn' GROUP BY account_id;
CREATE TEMP TABLE demo_churn_refs AS
SELECT account_id, churned_at AS ref_at, true AS churned FROM demo_churn_day
UNION ALL
SELECT DISTINCT account_id, timestamptz '2025-06-01', false FROM subscriptions
WHERE mrr > 0 AND started_at <= '2025-06-01' AND (ended_at IS NULL OR ended_at > '2025-06-01')
  AND account_id NOT IN (SELECT account_id FROM demo_churn_day);

\echo
\echo '--- Churn signals: events in the 30 days before churn against the 90 before, churned vs retained accounts ---'
SELECT s.event, s.churned_recent, s.churned_baseline, round(s.churned_ratio::numeric, 3) AS churned_ratio,
       round(s.retained_ratio::numeric, 3) AS retained_ratio, round(s.difference::numeric, 3) AS difference,
       round(s.z::numeric, 2) AS z, to_char(s.p_value, '9.9EEEE') AS p_value
FROM (SELECT churn_signals(e.ts, e.event, r.ref_at, r.churned, '30 days', '90 days') AS signals
      FROM events e JOIN demo_churn_refs r USING (account_id)) x,
     unnest(x.signals) s;

\echo
\echo '--- The health model the top 3 signals make (churn_signals_model) ---'
SELECT jsonb_pretty(churn_signals_model(e.ts, e.event, r.ref_at, r.churned, '30 days', '90 days', 3)) AS model
FROM events e JOIN demo_churn_refs r USING (account_id);

CREATE TEMP TABLE demo_backtest AS
WITH paying AS (
  SELECT DISTINCT s.account_id, o AS as_of
  FROM subscriptions s, generate_series(timestamptz '2024-01-01', '2025-12-01', '1 month') o
  WHERE s.mrr > 0 AND s.started_at <= o AND (s.ended_at IS NULL OR s.ended_at > o))
SELECT p.account_id, p.as_of,
       (SELECT health_score(e.ts, e.event, p.as_of,
                 '{"signals": {"login": {"weight": 3}, "core_feature": {"weight": 5},
                               "help_view": {"weight": 1, "direction": "down"},
                               "support_ticket": {"weight": 1, "direction": "down", "target": 2}}}')
        FROM events e
        WHERE e.account_id = p.account_id AND e.ts > p.as_of - interval '120 days' AND e.ts <= p.as_of) AS score,
       EXISTS (SELECT 1 FROM demo_churn_day c WHERE c.account_id = p.account_id
               AND c.churned_at > p.as_of AND c.churned_at <= p.as_of + interval '30 days') AS churned
FROM paying p;

\echo
\echo '--- Backtest: the health score on the 1st of each month of 2024-2025 against churn in the next 30 days ---'
SELECT count(*) AS account_months, count(*) FILTER (WHERE churned) AS churned_within_30_days,
       round(score_auc(score::float8, NOT churned)::numeric, 4) AS auc
FROM demo_backtest;
SELECT band, accounts, churned,
       round(churned::numeric / accounts, 3) AS precision,
       round(churned::numeric / sum(churned) OVER (), 3) AS recall,
       round(sum(churned) OVER (ORDER BY rank) / sum(accounts) OVER (ORDER BY rank), 3) AS precision_at_or_below,
       round(sum(churned) OVER (ORDER BY rank) / sum(churned) OVER (), 3) AS recall_at_or_below
FROM (SELECT health_band(score) AS band,
             min(CASE health_band(score) WHEN 'red' THEN 1 WHEN 'yellow' THEN 2 ELSE 3 END) AS rank,
             count(*) AS accounts, count(*) FILTER (WHERE churned) AS churned
      FROM demo_backtest WHERE score IS NOT NULL GROUP BY 1) b
ORDER BY rank;

\echo
\echo '--- Magic actions: what trials do in their first 3 days, against paying afterwards ---'
SELECT l.action, l.users_did, round(l.rate_did::numeric, 3) AS rate_did, l.users_not,
       round(l.rate_not::numeric, 3) AS rate_not, round(l.lift::numeric, 2) AS lift,
       round(l.lift_low::numeric, 2) AS lift_low, round(l.lift_high::numeric, 2) AS lift_high,
       to_char(l.p_value, '9.9EEEE') AS p_value
FROM (SELECT action_lift(first_days, converted, 20) AS lifts
      FROM (SELECT t.account_id,
                   array_agg(e.event) FILTER (WHERE e.event IS NOT NULL) AS first_days,
                   EXISTS (SELECT 1 FROM subscriptions p
                           WHERE p.account_id = t.account_id AND p.plan <> 'trial') AS converted
            FROM subscriptions t
            LEFT JOIN events e ON e.account_id = t.account_id AND e.ts >= t.started_at
                              AND e.ts < t.started_at + interval '3 days'
                              AND e.event NOT IN ('trial_start', 'paid')
            WHERE t.plan = 'trial'
            GROUP BY t.account_id) per_trial) x,
     unnest(x.lifts) l;

\echo
\echo '--- High-value accounts on 2025-09-01: breadth, depth, active days over 30 days, trend vs the 30 before ---'
SELECT a.account_id, a.name, (x.e).users, (x.e).features, (x.e).active_days, (x.e).events,
       round((x.e).users_trend::numeric, 2) AS users_trend, round((x.e).events_trend::numeric, 2) AS events_trend,
       rank() OVER (ORDER BY (x.e).users DESC, (x.e).features DESC, (x.e).active_days DESC, (x.e).events DESC) AS rank
FROM (SELECT account_id, account_engagement(user_id, event, ts, '2025-09-01') AS e
      FROM events WHERE account_id IS NOT NULL GROUP BY account_id) x
JOIN accounts a USING (account_id)
ORDER BY rank LIMIT 10;
