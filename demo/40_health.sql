-- Customer health: health_score per paying account at one instant, and what it
-- says about the accounts that stop paying in the month after.
\set model '{"recent": "30 days", "baseline": "90 days", "signals": {"login": {"weight": 3}, "core_feature": {"weight": 5}, "help_view": {"weight": 1, "direction": "down"}, "support_ticket": {"weight": 1, "direction": "down", "target": 2}}}'
\set as_of '''2025-09-01 00:00:00+00'''
CREATE TEMP TABLE demo_health AS
WITH mrr AS (
  SELECT a.account_id, a.name,
         coalesce(sum(s.mrr) FILTER (WHERE s.started_at <= :as_of AND (s.ended_at IS NULL OR s.ended_at > :as_of)), 0) AS mrr_now,
         coalesce(sum(s.mrr) FILTER (WHERE s.started_at <= :as_of::timestamptz + interval '1 month'
                                       AND (s.ended_at IS NULL OR s.ended_at > :as_of::timestamptz + interval '1 month')), 0) AS mrr_next
  FROM accounts a LEFT JOIN subscriptions s USING (account_id)
  GROUP BY a.account_id, a.name
), health AS (
  SELECT account_id, health_score_detail(ts, event, :as_of, :'model') AS detail
  FROM events WHERE account_id IS NOT NULL
  GROUP BY account_id
)
SELECT m.*, (h.detail ->> 'score')::numeric AS score, h.detail
FROM mrr m JOIN health h USING (account_id)
WHERE m.mrr_now > 0;

\echo
\echo '--- Customer health at 2025-09-01: accounts that stop paying within a month score lower ---'
SELECT CASE WHEN mrr_next = 0 THEN 'churns by 2025-10-01' ELSE 'still paying 2025-10-01' END AS paying_account,
       count(*) AS accounts,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY score)::numeric(6,2) AS median_score,
       count(*) FILTER (WHERE health_band(score) = 'red') AS red,
       count(*) FILTER (WHERE health_band(score) = 'yellow') AS yellow,
       count(*) FILTER (WHERE health_band(score) = 'green') AS green
FROM demo_health GROUP BY 1 ORDER BY 1;

\echo
\echo '--- The ten least healthy paying accounts and the signals that pull them down ---'
SELECT d.account_id, d.name, d.mrr_now AS mrr, d.score, health_band(d.score) AS band,
       CASE WHEN d.mrr_next = 0 THEN 'yes' ELSE '' END AS churned_next_month,
       (SELECT string_agg(format('%s -%s pts (%s in 30 days, %s expected)', s.signal,
                                 round(s.points_lost, 1), s.recent, round(s.expected, 1)),
                          ', ' ORDER BY s.points_lost DESC)
        FROM health_signals(d.detail) s
        WHERE s.points_lost > 0) AS pulled_down_by
FROM demo_health d
ORDER BY d.score, d.account_id
LIMIT 10;
DROP TABLE demo_health;
