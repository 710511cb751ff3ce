-- pgTAP: the sample dataset generator (sample/b2b_sample.sql).
BEGIN;
SET client_min_messages = warning;
SELECT plan(22);

CREATE SCHEMA gen_a; CREATE SCHEMA gen_b; CREATE SCHEMA gen_c;
SET search_path = gen_a, public; CALL b2b_sample_generate(0.2, 7);
SET search_path = gen_b, public; CALL b2b_sample_generate(0.2, 7);
SET search_path = gen_c, public; CALL b2b_sample_generate(0.2, 8);
SET search_path = gen_a, public;

-- Deterministic for a seed, and the seed matters.
SELECT is((SELECT count(*) FROM (SELECT * FROM gen_a.events EXCEPT ALL SELECT * FROM gen_b.events) d)
          + (SELECT count(*) FROM (SELECT * FROM gen_b.events EXCEPT ALL SELECT * FROM gen_a.events) d),
          0::bigint, 'same seed, same events');
SELECT is((SELECT count(*) FROM (SELECT * FROM gen_a.subscriptions EXCEPT ALL SELECT * FROM gen_b.subscriptions) d)
          + (SELECT count(*) FROM (SELECT * FROM gen_a.accounts EXCEPT ALL SELECT * FROM gen_b.accounts) d)
          + (SELECT count(*) FROM (SELECT * FROM gen_a.users EXCEPT ALL SELECT * FROM gen_b.users) d),
          0::bigint, 'same seed, same accounts, users and subscriptions');
SELECT ok((SELECT count(*) FROM (SELECT * FROM gen_a.events EXCEPT ALL SELECT * FROM gen_c.events) d) > 0,
          'another seed, other events');
SELECT is((SELECT count(*) FROM accounts), 200::bigint, 'scale 0.2 is 200 accounts');
SELECT ok((SELECT count(*) FROM events) BETWEEN 14000 AND 28000, 'scale 0.2 is about 20,000 events');

-- Foreign keys are declared and hold.
SELECT col_is_fk('gen_a', 'events', 'user_id', 'events.user_id references users');
SELECT is((SELECT count(*) FROM events e WHERE e.user_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM users u WHERE u.user_id = e.user_id))
          + (SELECT count(*) FROM events e WHERE e.account_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.account_id = e.account_id))
          + (SELECT count(*) FROM subscriptions s WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.account_id = s.account_id))
          + (SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.account_id = u.account_id)),
          0::bigint, 'no orphan rows');
SELECT is((SELECT count(*) FROM events e JOIN users u USING (user_id) WHERE e.account_id <> u.account_id),
          0::bigint, 'an event''s account is its user''s account');

-- Subscriptions.
SELECT is((SELECT count(*) FROM subscriptions WHERE ended_at < started_at), 0::bigint,
          'subscriptions never end before they start');
SELECT is((SELECT count(*) FROM subscriptions WHERE billing_period = '1 year' AND mrr <> amount / 12), 0::bigint,
          'annual plans have mrr = amount / 12');
SELECT ok((SELECT count(*) FROM subscriptions WHERE billing_period = '1 year') > 0
          AND (SELECT count(*) FROM subscriptions WHERE billing_period = '1 mon' AND mrr > 0) > 0
          AND (SELECT count(*) FROM subscriptions WHERE plan = 'trial' AND mrr = 0) > 0,
          'monthly and annual plans, trials at mrr 0');
SELECT ok((SELECT count(*) FROM subscriptions s WHERE s.mrr > 0 AND s.ended_at IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM subscriptions n WHERE n.account_id = s.account_id
                              AND n.started_at <= s.ended_at AND coalesce(n.ended_at, 'infinity') > s.ended_at)) > 0
          AND (SELECT count(*) FROM subscriptions s WHERE s.mrr > 0 AND EXISTS (
                 SELECT 1 FROM subscriptions p WHERE p.account_id = s.account_id AND p.mrr > 0
                   AND p.ended_at < s.started_at
                   AND NOT EXISTS (SELECT 1 FROM subscriptions q WHERE q.account_id = s.account_id AND q.mrr > 0
                                     AND q.started_at <= p.ended_at AND coalesce(q.ended_at, 'infinity') > p.ended_at))) > 0,
          'there is churn, and reactivation after a gap');
SELECT ok((SELECT count(*) FROM (SELECT account_id FROM subscriptions WHERE mrr > 0
                                  GROUP BY 1 HAVING count(DISTINCT mrr) > 1) x) > 0
          AND (SELECT count(*) FROM subscriptions a JOIN subscriptions b
                 ON a.account_id = b.account_id AND a.subscription_id < b.subscription_id AND a.mrr > 0 AND b.mrr > 0
                AND a.started_at < coalesce(b.ended_at, 'infinity') AND b.started_at < coalesce(a.ended_at, 'infinity')) > 0,
          'plan changes and overlapping subscriptions');

-- The funnel steps appear in order for most users who reach them.
SELECT ok((SELECT avg((pv <= su AND su <= coalesce(dr, su) AND coalesce(dr, su) <= coalesce(tr, dr, su)
                       AND coalesce(tr, su) <= coalesce(pd, tr, su))::int)
           FROM (SELECT visitor_id,
                        min(ts) FILTER (WHERE event = 'page_view') AS pv, min(ts) FILTER (WHERE event = 'signup') AS su,
                        min(ts) FILTER (WHERE event = 'demo_request') AS dr, min(ts) FILTER (WHERE event = 'trial_start') AS tr,
                        min(ts) FILTER (WHERE event = 'paid') AS pd
                 FROM events GROUP BY visitor_id) v
           WHERE pv IS NOT NULL AND su IS NOT NULL) > 0.9,
          'funnel steps are in order for more than 90 % of those who sign up');
SELECT ok((SELECT count(*) FILTER (WHERE event = 'page_view') > 3 * count(*) FILTER (WHERE event = 'signup')
           AND count(*) FILTER (WHERE event = 'signup') > count(*) FILTER (WHERE event = 'paid')
           FROM events), 'the funnel narrows');

-- Usage falls before churn: logins in the 4 weeks before a churn vs weeks 12 to 16 before.
SELECT ok((WITH churn AS (
             SELECT s.account_id, s.ended_at FROM subscriptions s
             WHERE s.plan <> 'addon_seats' AND s.ended_at IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM subscriptions n WHERE n.account_id = s.account_id
                                 AND n.plan <> 'addon_seats' AND n.started_at = s.ended_at)
               AND s.ended_at - s.started_at > interval '16 weeks')
           SELECT 2 * count(*) FILTER (WHERE e.ts >= c.ended_at - interval '4 weeks')
                  < count(*) FILTER (WHERE e.ts < c.ended_at - interval '12 weeks')
           FROM churn c JOIN events e ON e.account_id = c.account_id AND e.event IN ('login', 'core_feature')
            AND e.ts >= c.ended_at - interval '16 weeks' AND e.ts < c.ended_at),
          'usage in the last 4 weeks before churn is less than half of weeks 12-16 before');

-- Touches, the magic action, bots and spend (for attribution, signals and traffic quality).
SELECT ok((SELECT count(*) FROM events e JOIN accounts a ON e.visitor_id = a.account_id * 10
           WHERE e.event IN ('email_open', 'webinar', 'case_study_view') AND e.ts < a.created_at AND e.user_id IS NULL) > 0,
          'champions are touched before they sign up, anonymously');
SELECT ok((SELECT avg(paid::int) FILTER (WHERE did) > 2 * avg(paid::int) FILTER (WHERE NOT did)
           FROM (SELECT EXISTS (SELECT 1 FROM events e WHERE e.account_id = t.account_id AND e.event = 'report_created'
                                  AND e.ts >= t.started_at AND e.ts < t.started_at + interval '3 days') AS did,
                        EXISTS (SELECT 1 FROM subscriptions p WHERE p.account_id = t.account_id AND p.plan <> 'trial') AS paid
                 FROM subscriptions t WHERE t.plan = 'trial') x),
          'trials with a report in their first 3 days pay more than twice as often');
SELECT ok((SELECT count(*) FROM (SELECT visitor_id FROM events WHERE visitor_id >= 3000000000 AND channel = 'paid_search'
                                 GROUP BY visitor_id HAVING max(ts) - min(ts) < count(*) * interval '1 second') b) = 12,
          'twelve bot visitors on paid_search, faster than a page a second');
SELECT is((SELECT count(*) FROM marketing_spend), 7 * (date '2026-01-01' - date '2023-01-01')::bigint,
          'spend has a row for every channel and day');
SELECT is((SELECT sum(spend) FROM marketing_spend WHERE channel IN ('organic', 'referral', 'direct')), 0.00,
          'organic, referral and direct cost nothing');
SELECT ok((SELECT min(spend) FROM marketing_spend WHERE channel = 'paid_search') > 0
          AND (SELECT max(spend) FROM marketing_spend WHERE channel = 'paid_search' AND day = '2025-03-12')
              > 10 * (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY spend) FROM marketing_spend WHERE channel = 'paid_search'),
          'paid search costs every day, and the bot day costs ten times a usual one');

SELECT * FROM finish();
ROLLBACK;
