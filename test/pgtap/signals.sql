-- The signals family on the sample dataset against plain-SQL oracles: score_auc
-- against a count of concordant pairs by a self-join, action_lift and
-- churn_signals against per-user and per-window counts, and the signals the
-- generator plants (usage down and tickets up before churn, help views flat; the
-- report created in a trial's first 3 days).
BEGIN;
SELECT plan(20);
SET LOCAL client_min_messages = warning;
SET LOCAL timezone = 'UTC';
CALL b2b_sample_generate(0.2, 42);

-- ---- score_auc: the health score against churn in the next 30 days -------------------------
CREATE TEMP TABLE churn_day AS
SELECT account_id, min((m).period) AS churned_at
FROM (SELECT account_id, unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01', '1 day')) AS m
      FROM subscriptions GROUP BY account_id) x
WHERE (m).kind = 'churn' GROUP BY account_id;

-- Every paying account on the 1st of each month of 2024-2025, scored then; the
-- outcome: it churns within the next 30 days.
CREATE TEMP TABLE scored AS
SELECT p.account_id, p.as_of,
       (SELECT health_score(e.ts, e.event, p.as_of,
          '{"signals": {"login": {"weight": 3}, "core_feature": {"weight": 5},
                        "help_view": {"weight": 1, "direction": "down"},
                        "support_ticket": {"weight": 1, "direction": "down", "target": 2}}}')
        FROM events e WHERE e.account_id = p.account_id AND e.ts > p.as_of - interval '120 days' AND e.ts <= p.as_of)::float8 AS score,
       EXISTS (SELECT 1 FROM churn_day c WHERE c.account_id = p.account_id
               AND c.churned_at > p.as_of AND c.churned_at <= p.as_of + interval '30 days') AS churned
FROM (SELECT DISTINCT s.account_id, o AS as_of
      FROM subscriptions s, generate_series('2024-01-01'::timestamptz, '2025-12-01', '1 month') o
      WHERE s.mrr > 0 AND s.started_at <= o AND (s.ended_at IS NULL OR s.ended_at > o)) p;

-- The oracle: a healthy score predicts staying, so the positive class is "stayed".
CREATE TEMP TABLE pairs AS
SELECT count(*) FILTER (WHERE a.score > b.score) AS wins, count(*) FILTER (WHERE a.score = b.score) AS ties,
       (SELECT count(*) FROM scored WHERE NOT churned AND score IS NOT NULL) AS pos,
       (SELECT count(*) FROM scored WHERE churned AND score IS NOT NULL) AS neg
FROM scored a JOIN scored b ON NOT a.churned AND b.churned
WHERE a.score IS NOT NULL AND b.score IS NOT NULL;

SELECT ok((SELECT pos > 500 AND neg > 20 AND ties > 0 FROM pairs), 'the backtest has both classes and tied scores');
SELECT is((SELECT score_auc(score, NOT churned) FROM scored),
          (SELECT (2 * wins + ties)::float8 / (2 * pos * neg)::float8 FROM pairs),
          'score_auc = (2 concordant + tied pairs) / (2 P N), to the last digit');
SELECT ok((SELECT score_auc(score, NOT churned) > 0.7 FROM scored), 'the sample''s health model separates churners (AUC > 0.7)');
SELECT is((SELECT score_auc(-score, NOT churned) FROM scored),
          (SELECT (2 * (pos * neg - wins - ties) + ties)::float8 / (2 * pos * neg)::float8 FROM pairs),
          'the reversed score gives 1 - AUC exactly as the pairs count it');

-- Many rows with many ties (event scores rounded to tenths), serial and forced-parallel,
-- against the ranks' closed form: U = sum over positives of (negatives below + ties / 2).
CREATE TEMP TABLE rowscores AS
SELECT event_id, round((hashint8(event_id) & 1023) / 102.4, 1)::float8 AS score, event = 'login' AS y FROM events;
ANALYZE rowscores;
CREATE TEMP TABLE rank_oracle AS
WITH g AS (SELECT score, count(*) FILTER (WHERE y) AS p, count(*) FILTER (WHERE NOT y) AS n FROM rowscores GROUP BY score)
SELECT (sum(p * (2 * coalesce(below, 0) + n)))::float8 / (2 * sum(p) * sum(n))::float8 AS auc
FROM (SELECT score, p, n, sum(n) OVER (ORDER BY score ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS below FROM g) x;
SELECT is((SELECT score_auc(score, y) FROM rowscores), (SELECT auc FROM rank_oracle), 'score_auc over all events = the rank-sum oracle');
SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0; SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2; SET LOCAL parallel_leader_participation = off;
SELECT is((SELECT score_auc(score, y) FROM rowscores), (SELECT auc FROM rank_oracle), 'forced-parallel score_auc = the oracle');
RESET max_parallel_workers_per_gather;

-- ---- action_lift: the actions of a trial's first 3 days against paying ---------------------
CREATE TEMP TABLE trials AS
SELECT t.account_id, t.started_at,
       EXISTS (SELECT 1 FROM subscriptions p WHERE p.account_id = t.account_id AND p.plan <> 'trial') AS converted
FROM subscriptions t WHERE t.plan = 'trial';
CREATE TEMP TABLE early AS
SELECT t.account_id, t.converted,
       array_agg(e.event) FILTER (WHERE e.event IS NOT NULL) AS actions
FROM trials t LEFT JOIN events e ON e.account_id = t.account_id AND e.ts >= t.started_at
     AND e.ts < t.started_at + interval '3 days' AND e.event NOT IN ('trial_start', 'paid')
GROUP BY t.account_id, t.converted;
CREATE TEMP TABLE lifts AS
SELECT l.* FROM (SELECT action_lift(actions, converted, 5) AS a FROM early) x, unnest(x.a) l;
-- The oracle: per action, the trials that did it at least once.
CREATE TEMP TABLE lift_oracle AS
WITH did AS (SELECT DISTINCT account_id, unnest(actions) AS action FROM early),
     tot AS (SELECT count(*) AS n, count(*) FILTER (WHERE converted) AS c FROM early)
SELECT d.action, count(*) AS users_did, count(*) FILTER (WHERE e.converted) AS converted_did,
       tot.n - count(*) AS users_not, tot.c - count(*) FILTER (WHERE e.converted) AS converted_not
FROM did d JOIN early e USING (account_id), tot
GROUP BY d.action, tot.n, tot.c HAVING count(*) >= 5;
SELECT set_eq('SELECT action, users_did, converted_did, users_not, converted_not FROM lifts',
              'SELECT action, users_did, converted_did, users_not, converted_not FROM lift_oracle',
              'action_lift counts = plain SQL per action (min_support 5)');
SELECT is((SELECT count(*) FROM lifts l JOIN lift_oracle o USING (action)
           WHERE l.rate_did = o.converted_did::float8 / o.users_did
             AND l.rate_not = o.converted_not::float8 / o.users_not
             AND l.lift = (o.converted_did::float8 / o.users_did) / (o.converted_not::float8 / o.users_not)
             AND abs(l.lift_low - l.lift * exp(-1.959963984540054 * sqrt(1.0 / o.converted_did - 1.0 / o.users_did
                                              + 1.0 / o.converted_not - 1.0 / o.users_not)::float8)) < 1e-12 * l.lift),
          (SELECT count(*) FROM lift_oracle), 'rates and lift to the last digit, the interval to 1e-12');
SELECT is((SELECT action FROM lifts ORDER BY lift DESC LIMIT 1), 'report_created', 'the planted magic action has the highest lift');
SELECT ok((SELECT lift_low > 1.5 AND p_value < 1e-6 FROM lifts WHERE action = 'report_created'),
          'its lift is significant: interval above 1.5, p < 1e-6');

-- ---- churn_signals: 30 days before churn against the 90 before, retained at 2025-06-01 -------
CREATE TEMP TABLE refs AS
SELECT account_id, churned_at AS ref_at, true AS churned FROM churn_day
UNION ALL
SELECT DISTINCT s.account_id, '2025-06-01'::timestamptz, false FROM subscriptions s
WHERE s.mrr > 0 AND s.started_at <= '2025-06-01' AND (s.ended_at IS NULL OR s.ended_at > '2025-06-01')
  AND s.account_id NOT IN (SELECT account_id FROM churn_day);
CREATE TEMP TABLE sig AS
SELECT s.* FROM (SELECT churn_signals(e.ts, e.event, r.ref_at, r.churned, '30 days', '90 days') AS a
                 FROM events e JOIN refs r USING (account_id)) x, unnest(x.a) s;
CREATE TEMP TABLE sig_oracle AS
SELECT e.event,
  count(*) FILTER (WHERE r.churned AND e.ts > r.ref_at - interval '30 days' AND e.ts <= r.ref_at) AS churned_recent,
  count(*) FILTER (WHERE r.churned AND e.ts > r.ref_at - interval '120 days' AND e.ts <= r.ref_at - interval '30 days') AS churned_baseline,
  count(*) FILTER (WHERE NOT r.churned AND e.ts > r.ref_at - interval '30 days' AND e.ts <= r.ref_at) AS retained_recent,
  count(*) FILTER (WHERE NOT r.churned AND e.ts > r.ref_at - interval '120 days' AND e.ts <= r.ref_at - interval '30 days') AS retained_baseline
FROM events e JOIN refs r USING (account_id)
WHERE e.ts > r.ref_at - interval '120 days' AND e.ts <= r.ref_at
GROUP BY e.event;
SELECT set_eq('SELECT event, churned_recent, churned_baseline, retained_recent, retained_baseline FROM sig',
              'SELECT event, churned_recent, churned_baseline, retained_recent, retained_baseline FROM sig_oracle',
              'churn_signals counts = plain SQL per event and window');
-- ratios: (r / 30) / (b / 90) = 3 r / b exactly; z of the recent shares, pooled.
SELECT is((SELECT count(*) FROM sig s
           JOIN (SELECT *, (churned_recent + retained_recent)::float8
                           / (churned_recent + churned_baseline + retained_recent + retained_baseline) AS p
                 FROM sig_oracle) o USING (event)
           WHERE s.churned_ratio IS NOT DISTINCT FROM (CASE WHEN o.churned_baseline > 0 THEN (3 * o.churned_recent)::float8 / o.churned_baseline END)
             AND s.retained_ratio IS NOT DISTINCT FROM (CASE WHEN o.retained_baseline > 0 THEN (3 * o.retained_recent)::float8 / o.retained_baseline END)
             AND abs(s.z - (o.churned_recent::float8 / (o.churned_recent + o.churned_baseline)
                            - o.retained_recent::float8 / (o.retained_recent + o.retained_baseline))
                 / sqrt(o.p * (1 - o.p) * (1.0 / (o.churned_recent + o.churned_baseline)
                                           + 1.0 / (o.retained_recent + o.retained_baseline)))) < 1e-9),
          (SELECT count(*) FROM sig WHERE z IS NOT NULL), 'ratios to the last digit, z to 1e-9');
SELECT is((SELECT array_agg(event ORDER BY event) FROM (SELECT event FROM sig ORDER BY p_value LIMIT 3) t),
          '{core_feature,login,support_ticket}', 'the three most separating signals: login and core feature use, support tickets');
SELECT ok((SELECT churned_ratio < 0.6 AND difference < 0 FROM sig WHERE event = 'login')
          AND (SELECT churned_ratio > 2 AND difference > 0 FROM sig WHERE event = 'support_ticket'),
          'usage falls before churn, tickets rise');
SELECT ok((SELECT p_value > 0.05 FROM sig WHERE event = 'help_view'), 'help views stay flat (p > 0.05)');
SELECT is((SELECT jsonb_object_keys_agg FROM (SELECT array_agg(k ORDER BY k) AS jsonb_object_keys_agg
           FROM jsonb_object_keys((SELECT churn_signals_model(e.ts, e.event, r.ref_at, r.churned, '30 days', '90 days', 3) -> 'signals'
                                   FROM events e JOIN refs r USING (account_id))) k) t),
          '{core_feature,login,support_ticket}', 'churn_signals_model takes the top 3');
SELECT lives_ok($$SELECT health_score(e.ts, e.event, '2025-06-01',
                   (SELECT churn_signals_model(e2.ts, e2.event, r.ref_at, r.churned, '30 days', '90 days', 3)
                    FROM events e2 JOIN refs r USING (account_id))) FROM events e GROUP BY e.account_id$$,
                'health_score accepts the model it builds');

-- ---- account_engagement: every account at 2025-09-01, 30 days and the 30 before ---------------
CREATE TEMP TABLE engagement AS
SELECT account_id, (e).* FROM (SELECT account_id, account_engagement(user_id, event, ts, '2025-09-01') AS e
                               FROM events WHERE account_id IS NOT NULL GROUP BY account_id) x;
CREATE TEMP TABLE engagement_oracle AS
SELECT account_id,
  count(DISTINCT user_id) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '30 days' AND ts <= '2025-09-01') AS users,
  count(DISTINCT event) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '30 days' AND ts <= '2025-09-01') AS features,
  count(DISTINCT floor(extract(epoch FROM timestamptz '2025-09-01' - ts) / 86400))
    FILTER (WHERE ts > timestamptz '2025-09-01' - interval '30 days' AND ts <= '2025-09-01') AS active_days,
  count(*) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '30 days' AND ts <= '2025-09-01') AS events,
  count(DISTINCT user_id) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '60 days' AND ts <= timestamptz '2025-09-01' - interval '30 days') AS previous_users,
  count(DISTINCT event) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '60 days' AND ts <= timestamptz '2025-09-01' - interval '30 days') AS previous_features,
  count(DISTINCT floor(extract(epoch FROM timestamptz '2025-09-01' - ts) / 86400))
    FILTER (WHERE ts > timestamptz '2025-09-01' - interval '60 days' AND ts <= timestamptz '2025-09-01' - interval '30 days') AS previous_active_days,
  count(*) FILTER (WHERE ts > timestamptz '2025-09-01' - interval '60 days' AND ts <= timestamptz '2025-09-01' - interval '30 days') AS previous_events
FROM events WHERE account_id IS NOT NULL GROUP BY account_id;
SELECT ok((SELECT count(*) > 20 FROM engagement_oracle WHERE users > 1), 'accounts with several active users');
SELECT set_eq('SELECT account_id, users, features, active_days, events, previous_users, previous_features, previous_active_days, previous_events FROM engagement',
              'SELECT * FROM engagement_oracle',
              'account_engagement = count(DISTINCT ...) FILTER per window, every account');
SELECT is((SELECT count(*) FROM engagement e JOIN engagement_oracle o USING (account_id)
           WHERE e.users_trend IS NOT DISTINCT FROM (o.users::float8 / nullif(o.previous_users, 0))
             AND e.events_trend IS NOT DISTINCT FROM (o.events::float8 / nullif(o.previous_events, 0))),
          (SELECT count(*) FROM engagement), 'trends: current / previous, NULL when the previous window is empty');

SELECT * FROM finish();
ROLLBACK;
