-- Customer health: how exact are the scores?  On every account of the benchmark
-- data (as_of 2025-09-01, the issue's model), health_score and the plain-SQL
-- reference of bench/cases/health.sql are compared with the formula computed in
-- exact integer arithmetic (each component a fraction of integers over a common
-- denominator; numeric keeps those integers exact).
\echo '### Customer health: scores against exact arithmetic (every account)'
CREATE TEMP TABLE health_counts AS
SELECT account_id,
  count(*) FILTER (WHERE event = 'login'          AND ts > timestamptz '2025-09-01' - interval '30 days'  AND ts <= timestamptz '2025-09-01') AS r_login,
  count(*) FILTER (WHERE event = 'login'          AND ts > timestamptz '2025-09-01' - interval '120 days' AND ts <= timestamptz '2025-09-01' - interval '30 days') AS b_login,
  count(*) FILTER (WHERE event = 'core_feature'   AND ts > timestamptz '2025-09-01' - interval '30 days'  AND ts <= timestamptz '2025-09-01') AS r_core,
  count(*) FILTER (WHERE event = 'core_feature'   AND ts > timestamptz '2025-09-01' - interval '120 days' AND ts <= timestamptz '2025-09-01' - interval '30 days') AS b_core,
  count(*) FILTER (WHERE event = 'help_view'      AND ts > timestamptz '2025-09-01' - interval '30 days'  AND ts <= timestamptz '2025-09-01') AS r_help,
  count(*) FILTER (WHERE event = 'help_view'      AND ts > timestamptz '2025-09-01' - interval '120 days' AND ts <= timestamptz '2025-09-01' - interval '30 days') AS b_help,
  count(*) FILTER (WHERE event = 'support_ticket' AND ts > timestamptz '2025-09-01' - interval '30 days'  AND ts <= timestamptz '2025-09-01') AS r_ticket,
  health_score(ts, event, '2025-09-01',
    '{"recent": "30 days", "baseline": "90 days", "signals": {"login": {"weight": 3}, "core_feature": {"weight": 5}, "help_view": {"weight": 1, "direction": "down"}, "support_ticket": {"weight": 1, "direction": "down", "target": 2}}}') AS ext
FROM events WHERE account_id IS NOT NULL
GROUP BY account_id;

CREATE TEMP TABLE health_scores AS
SELECT account_id, ext,
       -- the plain SQL of the bench case: numeric divisions, then round()
       round(100 * (3 * coalesce(c_login, 0) + 5 * coalesce(c_core, 0) + coalesce(c_help, 0) + c_ticket)
             / (3 * (c_login IS NOT NULL)::int + 5 * (c_core IS NOT NULL)::int + (c_help IS NOT NULL)::int + 1), 2) AS plain,
       -- exact: hundredths = div(20000 n + w d, 2 w d) with n / d = sum(w c)
       div(20000 * n + w * d, 2 * w * d) / 100.0 AS exact,
       mod(20000 * n + w * d, 2 * w * d) = 0 AS on_half_hundredth
FROM (
  SELECT *,
    CASE WHEN r_login + b_login = 0 THEN NULL WHEN b_login = 0 THEN 1 ELSE least(1, r_login / (b_login * 30 / 90.0)) END AS c_login,
    CASE WHEN r_core + b_core = 0 THEN NULL WHEN b_core = 0 THEN 1 ELSE least(1, r_core / (b_core * 30 / 90.0)) END AS c_core,
    CASE WHEN r_help + b_help = 0 THEN NULL WHEN b_help = 0 OR r_help = 0 THEN 1 ELSE least(1, (b_help * 30 / 90.0) / r_help) END AS c_help,
    CASE WHEN r_ticket = 0 THEN 1 ELSE least(1, 2.0 / r_ticket) END AS c_ticket,
    3 * (r_login + b_login > 0)::int + 5 * (r_core + b_core > 0)::int + (r_help + b_help > 0)::int + 1 AS w,
    3 * (r_login + b_login > 0)::int * c1n * c2d * c3d * c4d + 5 * (r_core + b_core > 0)::int * c2n * c1d * c3d * c4d
      + (r_help + b_help > 0)::int * c3n * c1d * c2d * c4d + c4n * c1d * c2d * c3d AS n,
    c1d * c2d * c3d * c4d AS d
  FROM health_counts,
  LATERAL (SELECT
    (CASE WHEN b_login = 0 THEN 1 ELSE least(3 * r_login, b_login) END)::numeric AS c1n, greatest(b_login, 1)::numeric AS c1d,
    (CASE WHEN b_core = 0 THEN 1 ELSE least(3 * r_core, b_core) END)::numeric AS c2n, greatest(b_core, 1)::numeric AS c2d,
    (CASE WHEN b_help = 0 OR 3 * r_help <= b_help THEN 1 ELSE b_help END)::numeric AS c3n,
    (CASE WHEN b_help = 0 OR 3 * r_help <= b_help THEN 1 ELSE 3 * r_help END)::numeric AS c3d,
    (CASE WHEN r_ticket <= 2 THEN 1 ELSE 2 END)::numeric AS c4n,
    (CASE WHEN r_ticket <= 2 THEN 1 ELSE r_ticket END)::numeric AS c4d) f
) s;

SELECT count(*) AS accounts,
       count(*) FILTER (WHERE on_half_hundredth) AS "exactly on a half hundredth",
       count(*) FILTER (WHERE ext IS DISTINCT FROM exact) AS "health_score ≠ exact",
       count(*) FILTER (WHERE plain IS DISTINCT FROM exact) AS "plain SQL ≠ exact",
       count(*) FILTER (WHERE plain IS DISTINCT FROM exact AND on_half_hundredth AND plain < exact) AS "of which half hundredths rounded down"
FROM health_scores;
DROP TABLE health_counts, health_scores;
