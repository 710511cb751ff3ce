-- Customer health (issue 6): score every account at as_of = 2025-09-01 with the
-- issue's model.  The reference is the same formula in plain SQL, the way an
-- analyst writes it: one FILTER count per signal and window, then the
-- components and the weighted mean.  Both read every event with an account.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('health score, every account', 'plain SQL (FILTER counts + formula)', true,
   $q$
   WITH counts AS (
     SELECT account_id,
       count(*) FILTER (WHERE event = 'login'          AND ts > timestamptz '2025-09-01' - interval '30 days'  AND ts <= timestamptz '2025-09-01') AS r_login,
       count(*) FILTER (WHERE event = 'login'          AND ts > timestamptz '2025-09-01' - interval '120 days' AND ts <= timestamptz '2025-09-01' - interval '30 days') AS b_login,
       count(*) FILTER (WHERE event = 'core_feature'   AND ts > timestamptz '2025-09-01' - interval '30 days'  AND ts <= timestamptz '2025-09-01') AS r_core,
       count(*) FILTER (WHERE event = 'core_feature'   AND ts > timestamptz '2025-09-01' - interval '120 days' AND ts <= timestamptz '2025-09-01' - interval '30 days') AS b_core,
       count(*) FILTER (WHERE event = 'help_view'      AND ts > timestamptz '2025-09-01' - interval '30 days'  AND ts <= timestamptz '2025-09-01') AS r_help,
       count(*) FILTER (WHERE event = 'help_view'      AND ts > timestamptz '2025-09-01' - interval '120 days' AND ts <= timestamptz '2025-09-01' - interval '30 days') AS b_help,
       count(*) FILTER (WHERE event = 'support_ticket' AND ts > timestamptz '2025-09-01' - interval '30 days'  AND ts <= timestamptz '2025-09-01') AS r_ticket
     FROM events WHERE account_id IS NOT NULL
     GROUP BY account_id
   ), components AS (
     SELECT account_id,
       CASE WHEN r_login + b_login = 0 THEN NULL WHEN b_login = 0 THEN 1
            ELSE least(1, r_login / (b_login * 30 / 90.0)) END AS c_login,
       CASE WHEN r_core + b_core = 0 THEN NULL WHEN b_core = 0 THEN 1
            ELSE least(1, r_core / (b_core * 30 / 90.0)) END AS c_core,
       CASE WHEN r_help + b_help = 0 THEN NULL WHEN b_help = 0 OR r_help = 0 THEN 1
            ELSE least(1, (b_help * 30 / 90.0) / r_help) END AS c_help,
       CASE WHEN r_ticket = 0 THEN 1 ELSE least(1, 2.0 / r_ticket) END AS c_ticket
     FROM counts
   )
   SELECT account_id,
          round(100 * (3 * coalesce(c_login, 0) + 5 * coalesce(c_core, 0) + coalesce(c_help, 0) + c_ticket)
                / (3 * (c_login IS NOT NULL)::int + 5 * (c_core IS NOT NULL)::int + (c_help IS NOT NULL)::int + 1), 2) AS score
   FROM components
   $q$),
  ('health score, every account', 'health_score',  false,
   $q$
   SELECT account_id,
          health_score(ts, event, '2025-09-01',
            '{"recent": "30 days", "baseline": "90 days", "signals": {"login": {"weight": 3}, "core_feature": {"weight": 5}, "help_view": {"weight": 1, "direction": "down"}, "support_ticket": {"weight": 1, "direction": "down", "target": 2}}}')
   FROM events WHERE account_id IS NOT NULL
   GROUP BY account_id
   $q$),
  ('health score, every account', 'health_score_detail',  false,
   $q$
   SELECT account_id,
          health_score_detail(ts, event, '2025-09-01',
            '{"recent": "30 days", "baseline": "90 days", "signals": {"login": {"weight": 3}, "core_feature": {"weight": 5}, "help_view": {"weight": 1, "direction": "down"}, "support_ticket": {"weight": 1, "direction": "down", "target": 2}}}')
   FROM events WHERE account_id IS NOT NULL
   GROUP BY account_id
   $q$);
