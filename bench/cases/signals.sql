-- Signals on the sample's events: b2bmetrics vs the plain SQL an analyst writes for the same
-- answer.  Both sides of each workload read the same rows.

-- AUC of a per-event score (tenths from 0 to 99.9: many ties) against "the event is a login".
-- Plain SQL: the rank-sum over the distinct scores (a self-join of P x N pairs would not finish).
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('AUC of a score per event (1,000 distinct scores)', 'plain SQL (rank sum over grouped scores)', true, $q$
   WITH g AS (SELECT (event_id % 1000) / 10.0 AS score, count(*) FILTER (WHERE event = 'login') AS p,
                     count(*) FILTER (WHERE event <> 'login') AS n
              FROM events GROUP BY 1)
   SELECT sum(p * (2 * coalesce(below, 0) + n))::float8 / (2 * sum(p) * sum(n))::float8
   FROM (SELECT score, p, n, sum(n) OVER (ORDER BY score ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS below
         FROM g) x
   $q$),
  ('AUC of a score per event (1,000 distinct scores)', 'score_auc', false, $q$
   SELECT score_auc((event_id % 1000) / 10.0, event = 'login') FROM events
   $q$);

-- Churn signals: each account's last subscription end as its churn (a reference date of
-- 2025-06-01 for those still paying), 30 days against the 90 before, per event type.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('churn signals per event type, every account', 'plain SQL (FILTER counts per window and group)', true, $q$
   WITH refs AS (SELECT account_id, coalesce(max(ended_at) FILTER (WHERE NOT open), '2025-06-01') AS ref_at, NOT bool_or(open) AS churned
                 FROM (SELECT account_id, ended_at, ended_at IS NULL AS open FROM subscriptions WHERE mrr > 0) s GROUP BY account_id)
   SELECT e.event,
     count(*) FILTER (WHERE r.churned AND e.ts > r.ref_at - interval '30 days') AS cr,
     count(*) FILTER (WHERE r.churned AND e.ts <= r.ref_at - interval '30 days') AS cb,
     count(*) FILTER (WHERE NOT r.churned AND e.ts > r.ref_at - interval '30 days') AS rr,
     count(*) FILTER (WHERE NOT r.churned AND e.ts <= r.ref_at - interval '30 days') AS rb
   FROM events e JOIN refs r USING (account_id)
   WHERE e.ts > r.ref_at - interval '120 days' AND e.ts <= r.ref_at
   GROUP BY e.event
   $q$),
  ('churn signals per event type, every account', 'churn_signals', false, $q$
   WITH refs AS (SELECT account_id, coalesce(max(ended_at) FILTER (WHERE NOT open), '2025-06-01') AS ref_at, NOT bool_or(open) AS churned
                 FROM (SELECT account_id, ended_at, ended_at IS NULL AS open FROM subscriptions WHERE mrr > 0) s GROUP BY account_id)
   SELECT (s).* FROM (SELECT unnest(churn_signals(e.ts, e.event, r.ref_at, r.churned, '30 days', '90 days')) s
                      FROM events e JOIN refs r USING (account_id)) x
   $q$);

-- Magic actions: the actions of each trial's first 3 days, against paying.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('action lift, first 3 days of every trial', 'plain SQL (unnest, distinct, counts per action)', true, $q$
   WITH per_trial AS (
     SELECT t.account_id, array_agg(e.event) FILTER (WHERE e.event IS NOT NULL) AS acts,
            EXISTS (SELECT 1 FROM subscriptions p WHERE p.account_id = t.account_id AND p.plan <> 'trial') AS converted
     FROM subscriptions t LEFT JOIN events e ON e.account_id = t.account_id AND e.ts >= t.started_at
          AND e.ts < t.started_at + interval '3 days'
     WHERE t.plan = 'trial' GROUP BY t.account_id),
   tot AS (SELECT count(*) AS n, count(*) FILTER (WHERE converted) AS c FROM per_trial),
   did AS (SELECT DISTINCT account_id, converted, unnest(acts) AS action FROM per_trial)
   SELECT action, count(*) AS n1, count(*) FILTER (WHERE converted) AS a,
          (count(*) FILTER (WHERE converted))::float8 / count(*)
          / ((tot.c - count(*) FILTER (WHERE converted))::float8 / nullif(tot.n - count(*), 0)) AS lift
   FROM did, tot GROUP BY action, tot.n, tot.c
   $q$),
  ('action lift, first 3 days of every trial', 'action_lift', false, $q$
   WITH per_trial AS (
     SELECT t.account_id, array_agg(e.event) FILTER (WHERE e.event IS NOT NULL) AS acts,
            EXISTS (SELECT 1 FROM subscriptions p WHERE p.account_id = t.account_id AND p.plan <> 'trial') AS converted
     FROM subscriptions t LEFT JOIN events e ON e.account_id = t.account_id AND e.ts >= t.started_at
          AND e.ts < t.started_at + interval '3 days'
     WHERE t.plan = 'trial' GROUP BY t.account_id)
   SELECT (l).* FROM (SELECT unnest(action_lift(acts, converted)) l FROM per_trial) x
   $q$);

-- Account engagement at 2025-09-01: distinct users, features, days and events, 30 days and the 30 before.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('account engagement, every account, two 30-day windows', 'plain SQL (count DISTINCT ... FILTER)', true, $q$
   SELECT account_id,
     count(DISTINCT user_id) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '30 days' AND ts <= '2025-09-01'),
     count(DISTINCT event) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '30 days' AND ts <= '2025-09-01'),
     count(DISTINCT floor(extract(epoch FROM timestamptz '2025-09-01' - ts) / 86400)) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '30 days' AND ts <= '2025-09-01'),
     count(*) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '30 days' AND ts <= '2025-09-01'),
     count(DISTINCT user_id) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '60 days' AND ts <= timestamptz '2025-09-01' - interval '30 days'),
     count(DISTINCT event) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '60 days' AND ts <= timestamptz '2025-09-01' - interval '30 days'),
     count(DISTINCT floor(extract(epoch FROM timestamptz '2025-09-01' - ts) / 86400)) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '60 days' AND ts <= timestamptz '2025-09-01' - interval '30 days'),
     count(*) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '60 days' AND ts <= timestamptz '2025-09-01' - interval '30 days')
   FROM events WHERE account_id IS NOT NULL GROUP BY account_id
   $q$),
  ('account engagement, every account, two 30-day windows', 'account_engagement', false, $q$
   SELECT account_id, (e).* FROM (SELECT account_id, account_engagement(user_id, event, ts, '2025-09-01') AS e
                                  FROM events WHERE account_id IS NOT NULL GROUP BY account_id) x
   $q$);
