-- sample/b2b_sample.sql: a deterministic generator of realistic B2B SaaS data.
-- generator version: 4   (bump when the data it makes changes: the benchmark's cache key)
--
--   \i sample/b2b_sample.sql
--   CALL b2b_sample_generate(scale => 1, seed => 42);
--
-- creates (dropping them first) the tables accounts, users, events and
-- subscriptions in the first schema of search_path.  scale = 1 gives 1,000
-- accounts and about 100,000 events; the benchmark uses scale = 100
-- (100,000 accounts, about 10 million events).  The same scale and seed give
-- the same rows: every random draw is a hash of (seed, key, salt), never
-- random(), so the result does not depend on plan or row order.
--
-- The data spans 2023-01-01 to 2026-01-01 (UTC); what would happen later is
-- cut off (subscriptions still running then have ended_at NULL).
--
-- The story of an account:
--   * its champion visits the site (page_view) from a marketing channel, a
--     quarter of them in an earlier attempt weeks before, then signs up (the
--     account's created_at), maybe requests a demo, maybe starts a 14-day trial
--     (a subscription at mrr 0), and maybe pays, before or when the trial ends;
--   * a paying account moves through plans (starter 49, growth 199,
--     business 499, enterprise 1499 a month; annual plans cost 12 x 85 %,
--     so their mrr is amount / 12), upgrading, downgrading or churning, and a
--     churned account may come back after a gap (reactivation); some add a
--     seats add-on, a second subscription that overlaps the plan;
--   * while on a trial or a plan, its users log in, use the core feature,
--     create reports and exports, view help pages and open support tickets.
--     In the eight weeks before an account churns, usage falls steadily and
--     support tickets rise (help views stay flat);
--   * anonymous visitors (15 per account) browse and never sign up;
--   * marketing and sales touch each account's champion before it signs up and,
--     on a trial, before it pays (email_open, webinar, case_study_view,
--     sales_call, each from its own channel); accounts that pay are touched more;
--   * the "magic action": a report created in the first 3 days of a trial, which
--     70 % of the trials that pay do and 25 % of the others;
--   * bot traffic: on three days, a few visitors on paid_search fire page views a
--     fraction of a second apart;
--   * marketing_spend: what each channel cost each day, from its page views (the
--     bots' clicks cost too) and its sales calls; organic, referral and direct cost 0.

-- A uniform draw in [0, 1) for (seed, key, salt).  Hashing twice: one round of
-- PostgreSQL's integer hash leaves adjacent keys measurably correlated.
CREATE OR REPLACE FUNCTION b2b_rand(seed int, k bigint, salt int) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (hashint8extended(hashint8extended($2, $1::bigint * 1024 + $3), $1) & 9007199254740991)::float8
          / 9007199254740992.0 $$;

-- A pick from a text array by a uniform draw u in [0, 1).
CREATE OR REPLACE FUNCTION b2b_pick(choices text[], u float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT $1[1 + floor($2 * cardinality($1))::int] $$;

-- A log-uniform duration between lo and hi for a uniform draw u.
CREATE OR REPLACE FUNCTION b2b_loguniform(lo interval, hi interval, u float8) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT make_interval(secs => round(exp(ln(extract(epoch FROM $1)) +
                  $3 * (ln(extract(epoch FROM $2)) - ln(extract(epoch FROM $1)))))) $$;

CREATE OR REPLACE PROCEDURE b2b_sample_generate(scale numeric DEFAULT 1, seed int DEFAULT 42)
LANGUAGE plpgsql AS $proc$
DECLARE
  n_accounts  int := greatest(1, round(1000 * scale));
  t0          constant timestamptz := '2023-01-01 00:00:00+00';
  t1          constant timestamptz := '2026-01-01 00:00:00+00';
  prices      constant numeric[] := '{49,199,499,1499}';
  plans       constant text[] := '{starter,growth,business,enterprise}';
  acc         record;
  next_sub    bigint := 0;
  seg         int;
  tier        int;
  s           timestamptz;
  e           timestamptz;
  annual      boolean;
  amount      numeric;
  u           float8;
  first_churn timestamptz;
BEGIN
  IF scale IS NULL OR scale <= 0 THEN
    RAISE EXCEPTION 'scale must be positive, not %', scale USING ERRCODE = '22023';
  END IF;
  -- Plain serial plans: generation is deterministic anyway, this keeps it quiet.
  PERFORM set_config('max_parallel_workers_per_gather', '0', true);
  PERFORM set_config('work_mem', '512MB', true);
  PERFORM set_config('jit', 'off', true);   -- the row estimates are wild; compiling costs more than it saves

  DROP TABLE IF EXISTS events, subscriptions, users, accounts, marketing_spend;

  CREATE TABLE accounts (
    account_id  bigint PRIMARY KEY,
    name        text NOT NULL,
    industry    text NOT NULL,
    employees   int NOT NULL,
    country     text NOT NULL,
    channel     text NOT NULL,           -- first-touch marketing channel
    created_at  timestamptz NOT NULL     -- the champion's signup
  );
  CREATE TABLE users (
    user_id      bigint PRIMARY KEY,
    account_id   bigint NOT NULL REFERENCES accounts,
    email_domain text NOT NULL,
    created_at   timestamptz NOT NULL
  );
  CREATE TABLE subscriptions (
    subscription_id bigint PRIMARY KEY,
    account_id      bigint NOT NULL REFERENCES accounts,
    plan            text NOT NULL,
    billing_period  interval NOT NULL,
    amount          numeric(12,2) NOT NULL,   -- charged per billing period
    mrr             numeric(12,2) NOT NULL,   -- monthly equivalent; 0 for trials
    started_at      timestamptz NOT NULL,
    ended_at        timestamptz,              -- NULL while active
    CHECK (ended_at IS NULL OR ended_at >= started_at)
  );

  INSERT INTO accounts
  SELECT a,
         b2b_pick('{Acme,Globex,Initech,Umbrella,Stark,Wayne,Hooli,Vandelay,Soylent,Tyrell,Wonka,Cyberdyne,Aperture,Gringotts,Monarch,Oscorp,Pied,Dunder,Prestige,Massive}', b2b_rand(seed, a, 1))
           || ' ' || b2b_pick('{Labs,Systems,Analytics,Software,Logistics,Health,Capital,Cloud,Retail,Media}', b2b_rand(seed, a, 2)),
         b2b_pick('{software,fintech,healthcare,retail,manufacturing,education,logistics,media}', b2b_rand(seed, a, 3)),
         round(5 * exp(b2b_rand(seed, a, 4) * 6.5))::int,
         b2b_pick('{US,US,US,US,GB,GB,DE,DE,FR,CA,NL,AU,IN,BR,SE}', b2b_rand(seed, a, 5)),
         b2b_pick('{organic,organic,organic,paid_search,paid_search,referral,social,email,direct}', b2b_rand(seed, a, 6)),
         date_trunc('second', t0 + b2b_rand(seed, a, 7) * (t1 - interval '75 days' - t0))
  FROM generate_series(1, n_accounts) a;

  -- Up to ten users an account, more for larger companies; user 0 is the champion.
  INSERT INTO users
  SELECT a.account_id * 10 + k, a.account_id,
         lower(split_part(a.name, ' ', 1) || split_part(a.name, ' ', 2)) || '.com',
         CASE WHEN k = 0 THEN a.created_at
              ELSE date_trunc('second', a.created_at + b2b_rand(seed, a.account_id * 10 + k, 1)
                                         * least(interval '180 days', t1 - a.created_at - interval '1 day')) END
  FROM accounts a,
       generate_series(0, least(9, floor(b2b_rand(seed, a.account_id, 8) * (1 + ln(a.employees) / 1.5))::int)) k
  ;

  -- Each account's fate in the funnel.
  DROP TABLE IF EXISTS pg_temp.b2b_fate;
  CREATE TEMP TABLE b2b_fate AS
  SELECT a.account_id, a.created_at, a.channel,
         u.n_users,
         b2b_rand(seed, a.account_id, 9) < 0.45 AS demo,
         b2b_rand(seed, a.account_id, 10) < 0.65 AS trial,
         b2b_rand(seed, a.account_id, 11) < CASE WHEN b2b_rand(seed, a.account_id, 9) < 0.45 THEN 0.7 ELSE 0.5 END AS paid,
         a.created_at + b2b_loguniform('10 minutes', '30 days', b2b_rand(seed, a.account_id, 12)) AS trial_at,
         0.6 + 0.8 * b2b_rand(seed, a.account_id, 13) AS engagement
  FROM accounts a JOIN (SELECT account_id, count(*) AS n_users FROM users GROUP BY account_id) u USING (account_id);

  RAISE DEBUG 'b2b_sample: accounts and users at %', clock_timestamp();
  -- Subscriptions: a trial, then plan segments until churn or the end of data.
  FOR acc IN SELECT * FROM b2b_fate WHERE trial ORDER BY account_id LOOP
    -- A trial lasts 14 days, or less when the account pays early.
    next_sub := next_sub + 1;
    s := date_trunc('second', acc.trial_at);
    e := s + CASE WHEN acc.paid THEN b2b_loguniform('2 hours', '14 days', b2b_rand(seed, acc.account_id, 14))
                  ELSE interval '14 days' END;
    INSERT INTO subscriptions VALUES (next_sub, acc.account_id, 'trial', '14 days', 0, 0, s,
      CASE WHEN e < t1 THEN e END);
    CONTINUE WHEN NOT acc.paid;

    s := e;
    tier := 1 + floor(b2b_rand(seed, acc.account_id, 20) * 3)::int;
    first_churn := NULL;
    FOR seg IN 1..10 LOOP
      EXIT WHEN s >= t1;
      annual := b2b_rand(seed, acc.account_id * 16 + seg, 1) < 0.3;
      IF annual THEN
        e := s + CASE WHEN b2b_rand(seed, acc.account_id * 16 + seg, 2) < 0.7 THEN interval '1 year' ELSE interval '2 years' END;
        amount := prices[tier] * 12 * 0.85;
      ELSE
        e := date_trunc('second', s + (1 + floor(b2b_rand(seed, acc.account_id * 16 + seg, 2) * 17)::int) * interval '1 month'
                                    + b2b_rand(seed, acc.account_id * 16 + seg, 3) * interval '20 days');
        amount := prices[tier];
      END IF;
      next_sub := next_sub + 1;
      INSERT INTO subscriptions VALUES (next_sub, acc.account_id, plans[tier],
        CASE WHEN annual THEN interval '1 year' ELSE interval '1 month' END,
        amount, CASE WHEN annual THEN amount / 12 ELSE amount END, s, CASE WHEN e < t1 THEN e END);
      EXIT WHEN e >= t1;

      u := b2b_rand(seed, acc.account_id * 16 + seg, 4);
      IF u < 0.35 OR (u >= 0.8 AND tier = 1) THEN          -- churn
        first_churn := coalesce(first_churn, e);
        EXIT WHEN b2b_rand(seed, acc.account_id * 16 + seg, 5) >= 0.3;
        s := date_trunc('second', e + b2b_loguniform('20 days', '240 days', b2b_rand(seed, acc.account_id * 16 + seg, 6)));
        tier := 1 + floor(b2b_rand(seed, acc.account_id * 16 + seg, 7) * 3)::int;   -- reactivation
      ELSE
        s := e;
        IF u < 0.65 THEN tier := least(4, tier + 1);            -- upgrade
        ELSIF u < 0.8 THEN tier := greatest(1, tier - 1);        -- downgrade
        END IF;                                                  -- else renew as is
      END IF;
    END LOOP;

    -- A seats add-on that overlaps the plan until the first churn.
    IF b2b_rand(seed, acc.account_id, 21) < 0.25 THEN
      s := date_trunc('second', acc.trial_at + interval '14 days'
                      + b2b_loguniform('20 days', '300 days', b2b_rand(seed, acc.account_id, 22)));
      IF s < least(first_churn, t1) THEN
        amount := 25 * (1 + floor(b2b_rand(seed, acc.account_id, 23) * 4));
        next_sub := next_sub + 1;
        INSERT INTO subscriptions VALUES (next_sub, acc.account_id, 'addon_seats', '1 month', amount, amount,
                                          s, first_churn);
      END IF;
    END IF;
  END LOOP;

  RAISE DEBUG 'b2b_sample: subscriptions at %', clock_timestamp();
  CREATE TABLE events (
    event_id     bigint PRIMARY KEY,
    visitor_id   bigint NOT NULL,      -- cookie id; equals user_id once a visitor signs up
    user_id      bigint REFERENCES users,
    account_id   bigint REFERENCES accounts,
    ts           timestamptz NOT NULL,
    event        text NOT NULL,
    channel      text NOT NULL,
    utm_source   text,
    utm_campaign text,
    page         text
  );

  CREATE INDEX ON subscriptions (account_id);
  ANALYZE subscriptions;
  ANALYZE b2b_fate;

  WITH champion AS (            -- funnel events of each account's champion
    SELECT f.*, f.account_id * 10 AS visitor_id, p.paid_at
    FROM b2b_fate f
    LEFT JOIN (SELECT account_id, min(started_at) AS paid_at FROM subscriptions
               WHERE plan <> 'trial' GROUP BY account_id) p USING (account_id)
  ),
  pre_signup_views AS (         -- 1 to 5 visits in the 10 days before signup, a quarter
    SELECT c.*, c.created_at - b2b_rand(seed, c.visitor_id, 30 + i) * interval '10 days' AS ts
    FROM champion c, generate_series(1, 1 + floor(b2b_rand(seed, c.visitor_id, 29) * 5)::int) i
    UNION ALL                   -- ... with an earlier attempt 3 to 12 weeks before
    SELECT c.*, c.created_at - interval '21 days' - b2b_rand(seed, c.visitor_id, 40 + i) * interval '63 days'
    FROM champion c, generate_series(1, 2) i
    WHERE b2b_rand(seed, c.visitor_id, 39) < 0.25
  ),
  anonymous AS (
    SELECT 1000000000 + v AS visitor_id,
           b2b_pick('{organic,organic,organic,paid_search,paid_search,referral,social,email,direct}', b2b_rand(seed, 1000000000 + v, 1)) AS channel,
           t0 + b2b_rand(seed, 1000000000 + v, 2) * (t1 - t0) AS first_at,
           1 + floor(-ln(1 - b2b_rand(seed, 1000000000 + v, 3)) * 1.4)::int AS views
    FROM generate_series(1, 15 * n_accounts) v
  ),
  usage_weeks AS (              -- one row per trial/plan subscription and week
    SELECT s.account_id, s.subscription_id, w,
           s.started_at + w * interval '7 days' AS week_at,
           coalesce(s.ended_at, t1) AS until,
           f.engagement, f.n_users,
           CASE WHEN s.ended_at IS NULL OR succ.subscription_id IS NOT NULL
                THEN 1.0
                ELSE least(1.0, greatest(0.05,
                       extract(epoch FROM s.ended_at - s.started_at - w * interval '7 days') / (8 * 604800.0)))
           END AS vitality          -- falls to 0.05 over the 8 weeks before a churn
    FROM subscriptions s JOIN b2b_fate f USING (account_id)
         LEFT JOIN subscriptions succ            -- a successor means no churn at ended_at
           ON succ.account_id = s.account_id AND succ.plan <> 'addon_seats' AND succ.started_at = s.ended_at,
         generate_series(0, ceil(extract(epoch FROM coalesce(s.ended_at, t1) - s.started_at) / 604800.0)::int - 1) w
    WHERE s.plan <> 'addon_seats'
  ),
  usage_counts AS (
    SELECT uw.*, k, kind,
           CASE kind WHEN 'help_view' THEN 0.25
                     WHEN 'support_ticket' THEN 0.04 + 0.5 * (1 - uw.vitality)
                     ELSE uw.vitality * uw.engagement *
                          CASE kind WHEN 'login' THEN 0.6 + 0.15 * uw.n_users
                                    WHEN 'core_feature' THEN 0.8
                                    WHEN 'report_created' THEN 0.25
                                    ELSE 0.1 END
           END AS rate
    FROM usage_weeks uw,
         unnest('{login,core_feature,report_created,export,help_view,support_ticket}'::text[]) WITH ORDINALITY AS kinds(kind, k)
  ),
  all_events AS (
    -- anonymous browsing
    SELECT an.visitor_id, NULL::bigint AS user_id, NULL::bigint AS account_id,
           an.first_at + CASE WHEN i = 1 THEN interval '0' ELSE b2b_loguniform('1 minute', '21 days', b2b_rand(seed, an.visitor_id, 10 + i)) END AS ts,
           'page_view' AS event, an.channel, an.visitor_id AS src_key
    FROM anonymous an, generate_series(1, an.views) i
    UNION ALL
    -- the champion's visits before signing up
    SELECT p.visitor_id, NULL, NULL, p.ts, 'page_view', p.channel, p.visitor_id FROM pre_signup_views p
    UNION ALL
    -- signups of every user (the champion's is the account's creation)
    SELECT u.user_id, u.user_id, u.account_id, u.created_at, 'signup',
           CASE WHEN u.user_id % 10 = 0 THEN a.channel ELSE 'email' END, u.user_id
    FROM users u JOIN accounts a USING (account_id)
    UNION ALL
    SELECT c.visitor_id, c.visitor_id, c.account_id,
           c.created_at + CASE WHEN c.trial THEN (c.trial_at - c.created_at) * b2b_rand(seed, c.visitor_id, 50)
                               ELSE b2b_loguniform('5 minutes', '10 days', b2b_rand(seed, c.visitor_id, 50)) END,
           'demo_request', c.channel, c.visitor_id
    FROM champion c WHERE c.demo
    UNION ALL
    SELECT c.visitor_id, c.visitor_id, c.account_id, s.started_at, 'trial_start', c.channel, c.visitor_id
    FROM champion c JOIN subscriptions s ON s.account_id = c.account_id AND s.plan = 'trial'
    UNION ALL
    SELECT c.visitor_id, c.visitor_id, c.account_id, c.paid_at, 'paid', c.channel, c.visitor_id
    FROM champion c WHERE c.paid_at IS NOT NULL
    UNION ALL
    -- product usage and support while on a trial or a plan
    SELECT v.user_id, v.user_id, uc.account_id,
           uc.week_at + b2b_rand(seed, uc.subscription_id * 4096 + uc.w, 8 * uc.k::int + n % 8) * interval '7 days',
           uc.kind, 'direct', NULL
    FROM usage_counts uc,
         generate_series(1, floor(2 * uc.rate * b2b_rand(seed, uc.subscription_id * 4096 + uc.w, uc.k::int)
                                  + b2b_rand(seed, uc.subscription_id * 4096 + uc.w, 7 + uc.k::int))::int) n,
         LATERAL (SELECT uc.account_id * 10 + floor(b2b_rand(seed, uc.subscription_id * 4096 + uc.w, 60 + n % 4) * uc.n_users)::bigint AS user_id) v
    WHERE uc.week_at + b2b_rand(seed, uc.subscription_id * 4096 + uc.w, 8 * uc.k::int + n % 8) * interval '7 days' < uc.until
  )
  INSERT INTO events
  SELECT row_number() OVER (ORDER BY ts, visitor_id, event, channel), visitor_id, user_id, account_id, ts, event, channel,
         CASE channel WHEN 'paid_search' THEN b2b_pick('{google,google,bing}', b2b_rand(seed, src_key, 70))
                      WHEN 'social' THEN b2b_pick('{linkedin,linkedin,twitter}', b2b_rand(seed, src_key, 70))
                      WHEN 'email' THEN 'newsletter'
                      WHEN 'referral' THEN b2b_pick('{g2,capterra,partner}', b2b_rand(seed, src_key, 70)) END,
         CASE WHEN channel IN ('paid_search', 'social', 'email')
              THEN b2b_pick('{brand,competitor,analytics_guide,webinar,free_trial}', b2b_rand(seed, src_key, 71)) END,
         CASE event WHEN 'page_view' THEN b2b_pick('{/,/,/pricing,/pricing,/features,/customers,/blog/b2b-metrics,/blog/churn,/docs,/demo}',
                                                   b2b_rand(seed, src_key, extract(epoch FROM ts)::int % 1000))
                    WHEN 'help_view' THEN '/help/' || b2b_pick('{getting-started,billing,reports,integrations,sso}', b2b_rand(seed, src_key, 72))
                    WHEN 'signup' THEN '/signup'
                    WHEN 'demo_request' THEN '/demo'
                    ELSE '/app' END
  FROM (SELECT visitor_id, user_id, account_id, date_trunc('second', ts) AS ts, event, channel,
               coalesce(src_key, visitor_id) AS src_key
        FROM all_events WHERE ts < t1) ev;

  RAISE DEBUG 'b2b_sample: events at %', clock_timestamp();

  -- Touches, the magic action and the bots (see the story at the top).
  INSERT INTO events
  SELECT (SELECT max(event_id) FROM events) + row_number() OVER (ORDER BY ts, visitor_id, event),
         visitor_id, user_id, account_id, ts, event, channel,
         CASE channel WHEN 'paid_search' THEN 'google' WHEN 'email' THEN 'newsletter'
                      WHEN 'social' THEN 'linkedin' END,
         CASE WHEN channel IN ('paid_search', 'social', 'email') THEN 'nurture' END,
         page
  FROM (
    -- touches before signup: the champion is still anonymous
    SELECT f.account_id * 10 AS visitor_id, NULL::bigint AS user_id, NULL::bigint AS account_id,
           date_trunc('second', f.created_at - b2b_rand(seed, f.account_id * 16 + i, 81) * interval '20 days') AS ts,
           k.kind AS event, k.channel, k.page
    FROM b2b_fate f,
         generate_series(1, floor(b2b_rand(seed, f.account_id, 80) * CASE WHEN f.paid THEN 4 ELSE 3 END)::int) i,
         LATERAL (SELECT * FROM (VALUES (0, 'email_open', 'email', NULL), (1, 'webinar', 'social', '/webinar'),
                                        (2, 'case_study_view', 'organic', '/customers'))
                      t(n, kind, channel, page)
                  WHERE n = floor(b2b_rand(seed, f.account_id * 16 + i, 82) * 3)::int) k
    UNION ALL
    -- touches during a trial, before it pays (or ends): more for those that pay
    SELECT f.account_id * 10, f.account_id * 10, f.account_id,
           date_trunc('second', f.trial_at + b2b_rand(seed, f.account_id * 16 + i, 84)
                                * least(interval '14 days', coalesce(p.paid_at, f.trial_at + interval '14 days') - f.trial_at)),
           k.kind, k.channel, k.page
    FROM b2b_fate f
         LEFT JOIN (SELECT account_id, min(started_at) AS paid_at FROM subscriptions
                    WHERE plan <> 'trial' GROUP BY account_id) p USING (account_id),
         generate_series(1, CASE WHEN f.paid THEN 1 + floor(b2b_rand(seed, f.account_id, 83) * 5)::int
                                 ELSE floor(b2b_rand(seed, f.account_id, 83) * 3)::int END) i,
         LATERAL (SELECT * FROM (VALUES (0, 'email_open', 'email', NULL), (1, 'webinar', 'social', '/webinar'),
                                        (2, 'sales_call', 'outbound', NULL), (3, 'case_study_view', 'organic', '/customers'))
                      t(n, kind, channel, page)
                  WHERE n = floor(b2b_rand(seed, f.account_id * 16 + i, 85) * 4)::int) k
    WHERE f.trial
    UNION ALL
    -- the magic action: a report in the first 3 days of a trial
    SELECT f.account_id * 10, f.account_id * 10, f.account_id,
           date_trunc('second', f.trial_at + b2b_rand(seed, f.account_id, 87) * interval '3 days'),
           'report_created', 'direct', '/app'
    FROM b2b_fate f
    WHERE f.trial AND b2b_rand(seed, f.account_id, 86) < CASE WHEN f.paid THEN 0.7 ELSE 0.25 END
    UNION ALL
    -- bots: four visitors a day on three days, a page view every 0.2 to 0.7 seconds
    SELECT 3000000000 + d.n * 10 + b, NULL, NULL,
           d.day + interval '9 hours' + b * interval '17 minutes'
             + (v * 0.45 + b2b_rand(seed, (d.n * 10 + b) * 100000 + v, 88) * 0.25) * interval '1 second',
           'page_view', 'paid_search',
           b2b_pick('{/,/pricing,/features,/blog/b2b-metrics,/docs}', b2b_rand(seed, (d.n * 10 + b) * 100000 + v, 89))
    FROM (VALUES (1, timestamptz '2025-03-12 00:00+00'), (2, '2025-07-08 00:00+00'), (3, '2025-10-21 00:00+00')) d(n, day),
         generate_series(0, 3) b, generate_series(1, greatest(20, round(400 * scale))::int) v
  ) x
  WHERE ts < t1;

  -- What each channel cost each day: clicks on paid search and social, opens of
  -- email, the sales team's calls; organic, referral and direct are free.
  CREATE TABLE marketing_spend (
    channel text NOT NULL,
    day     date NOT NULL,
    spend   numeric(12,2) NOT NULL,
    PRIMARY KEY (channel, day)
  );
  INSERT INTO marketing_spend
  SELECT c.channel, d.day,
         round(CASE c.channel
                 WHEN 'paid_search' THEN 1.80 * coalesce(a.views, 0) + 15
                 WHEN 'social' THEN 1.10 * coalesce(a.views, 0) + 8
                 WHEN 'email' THEN 0.05 * coalesce(a.opens, 0) + 4
                 WHEN 'outbound' THEN 25.0 * coalesce(a.calls, 0)
                 ELSE 0 END
               * CASE WHEN c.channel IN ('organic', 'referral', 'direct') THEN 0
                      ELSE 0.9 + 0.2 * b2b_rand(seed, (d.day - date '2023-01-01') * 16 + c.n, 90)::numeric END, 2)
  FROM (VALUES (1, 'organic'), (2, 'paid_search'), (3, 'referral'), (4, 'social'), (5, 'email'),
               (6, 'direct'), (7, 'outbound')) c(n, channel)
       CROSS JOIN (SELECT g::date AS day FROM generate_series(t0, t1 - interval '1 day', interval '1 day') g) d
       LEFT JOIN (SELECT channel, (ts AT TIME ZONE 'UTC')::date AS day,
                         count(*) FILTER (WHERE event = 'page_view') AS views,
                         count(*) FILTER (WHERE event = 'email_open') AS opens,
                         count(*) FILTER (WHERE event = 'sales_call') AS calls
                  FROM events GROUP BY 1, 2) a ON a.channel = c.channel AND a.day = d.day;

  CREATE INDEX ON events (account_id, ts);
  ANALYZE accounts; ANALYZE users; ANALYZE subscriptions; ANALYZE events; ANALYZE marketing_spend;
  DROP TABLE b2b_fate;
END
$proc$;
