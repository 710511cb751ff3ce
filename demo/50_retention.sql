-- Retention: who comes back, and who stays.  One weekly activity per user
-- (activity_agg), then the population states built from them: the weekly
-- cohort table, consecutive active weeks, and the monthly lifecycle.
SET timezone = 'UTC';
CREATE TEMP TABLE demo_weeks AS
SELECT user_id, activity_agg(ts, 'week') AS weeks, activity_agg(ts, 'month') AS months
FROM events WHERE user_id IS NOT NULL GROUP BY user_id;

\echo
\echo '--- Weekly cohorts of Q3 2025: % of each first-active week''s users active k weeks later (as of 2025-10-15) ---'
WITH cells AS (
  SELECT * FROM retention_cells((SELECT cohort_retention(weeks, weeks, 8) FROM demo_weeks), '2025-10-15')
  WHERE cohort >= '2025-06-30' AND cohort < '2025-09-29')
SELECT cohort::date AS cohort_week, max(cohort_size) AS users,
       max(round(100 * rate)) FILTER (WHERE "offset" = 1) AS w1, max(round(100 * rate)) FILTER (WHERE "offset" = 2) AS w2,
       max(round(100 * rate)) FILTER (WHERE "offset" = 3) AS w3, max(round(100 * rate)) FILTER (WHERE "offset" = 4) AS w4,
       max(round(100 * rate)) FILTER (WHERE "offset" = 6) AS w6, max(round(100 * rate)) FILTER (WHERE "offset" = 8) AS w8
FROM cells GROUP BY cohort ORDER BY cohort;

\echo
\echo '--- Consecutive active weeks (连续活跃 n 周): users by their longest streak; important users have 4 or more ---'
SELECT longest_streak(weeks) AS consecutive_weeks, count(*) AS users,
       CASE WHEN longest_streak(weeks) >= 4 THEN 'important' ELSE '' END AS segment,
       count(*) FILTER (WHERE current_streak(weeks, '2025-12-31') >= 4) AS still_on_a_4_week_streak
FROM demo_weeks GROUP BY 1 ORDER BY 1;

\echo
\echo '--- Monthly lifecycle of 2025: new, returning, resurrecting and dormant users ---'
SELECT to_char(period, 'YYYY-MM') AS month, new, "returning", resurrecting, dormant,
       new + "returning" + resurrecting AS active
FROM lifecycle_rows((SELECT lifecycle(months, '2025-01-01', 12) FROM demo_weeks));

\echo
\echo '--- Stickiness: of the users active in the 4 weeks from 2025-09-01, how many weeks they came ---'
SELECT k AS active_weeks, users
FROM unnest((SELECT stickiness(weeks, '2025-09-01', 4) FROM demo_weeks)) WITH ORDINALITY s(users, k);
DROP TABLE demo_weeks;
