-- retention on Citus: events distributed by account_id (tools/citus-test.sh, format in docs/citus.md).
-- activity (a concrete type) and retention()'s bytea state combine partials from any grouping;
-- the counts over activities (a retention_counts state) too; retention_report (an internal
-- state of every entity's rows) runs whole on the workers grouped by account_id.
-- The periods follow the session time zone, the same on every node of the test cluster.

-- @case activity_agg_per_visitor partial activity_agg
SELECT visitor_id, activity_agg(ts, 'week')::text FROM events GROUP BY visitor_id

-- @case retention_per_visitor partial retention
SELECT visitor_id, retention(event = 'signup', event = 'login', event = 'core_feature')
FROM events GROUP BY visitor_id

-- @case retention_report_by_account pushdown retention_report
SELECT account_id, retention_report(visitor_id, event = 'signup', event = 'login', event = 'core_feature')
FROM events GROUP BY account_id

-- @case cohort_retention_by_channel partial cohort_retention
SELECT channel, cohort_retention(weeks, weeks, 8)::text
FROM (SELECT account_id, min(channel) AS channel, activity_agg(ts, 'week') AS weeks
      FROM events WHERE account_id IS NOT NULL GROUP BY account_id) per_account
GROUP BY channel

-- @case lifecycle_all_accounts partial lifecycle
SELECT lifecycle(months, '2025-01-01', 12)::text
FROM (SELECT account_id, activity_agg(ts, 'month') AS months
      FROM events GROUP BY account_id) per_account
