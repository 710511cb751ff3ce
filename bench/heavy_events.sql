-- bench/heavy_events.sql: the heavy-user shape of the benchmark (issue 17).
--
-- 200,000 visitors with about 50 events each (10 million rows) spread over
-- 2025, stored in random order (so no visitor's rows are in time order, and no
-- visitor's rows are together).  Deterministic: every draw is a hash of the
-- row number.  A visitor logs in and uses the product a lot; the funnel steps
-- are page_view, signup, demo_request, trial_start and paid, rarer in that order,
-- so levels spread over 0..5 in a 7-day window.
DROP TABLE IF EXISTS heavy_events;
CREATE TABLE heavy_events AS
WITH rows AS (
  SELECT n, n / 50 AS visitor_id,
         (hashint8extended(n, 11) & 2147483647)::float8 / 2147483648 AS u_event,
         (hashint8extended(n, 12) & 2147483647)::float8 / 2147483648 AS u_time,
         (hashint8extended(n / 50, 13) & 2147483647)::float8 / 2147483648 AS u_visitor
  FROM generate_series(0::bigint, 9999999) n
)
SELECT visitor_id,
       -- a visitor is active in a 60-day stretch somewhere in 2025, to the second
       date_trunc('second', timestamptz '2025-01-01 00:00+00' + u_visitor * interval '300 days'
                            + u_time * interval '60 days') AS ts,
       CASE WHEN u_event < 0.30 THEN 'page_view'
            WHEN u_event < 0.36 THEN 'signup'
            WHEN u_event < 0.40 THEN 'demo_request'
            WHEN u_event < 0.43 THEN 'trial_start'
            WHEN u_event < 0.45 THEN 'paid'
            WHEN u_event < 0.75 THEN 'login'
            ELSE 'core_feature' END AS event
FROM rows
ORDER BY hashint8extended(n, 14);
ANALYZE heavy_events;
