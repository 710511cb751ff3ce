-- funnel on Citus: events distributed by account_id (tools/citus-test.sh, format in docs/citus.md).
-- funnel_step and funnel_report keep their group's rows (internal states): they run whole on the
-- workers when the query groups by account_id (with the visitor, for funnel_step); the counts
-- over their results, funnel_counts (a funnel_levels state), combine partials from any grouping.

-- @case funnel_step_per_visitor pushdown funnel_step
SELECT account_id, visitor_id,
       funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request',
                   event = 'trial_start', event = 'paid') AS level
FROM events GROUP BY account_id, visitor_id

-- @case funnel_counts_over_visitors partial funnel_counts
SELECT funnel_counts(level, 5)
FROM (SELECT account_id, visitor_id,
             funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request',
                         event = 'trial_start', event = 'paid') AS level
      FROM events GROUP BY account_id, visitor_id) per_visitor

-- @case funnel_counts_by_channel partial funnel_counts
SELECT channel, funnel_counts(level, 3)
FROM (SELECT account_id, visitor_id, min(channel) AS channel,
             funnel_step(ts, '30 days', 'strict_order', event = 'signup', event = 'trial_start', event = 'paid') AS level
      FROM events GROUP BY account_id, visitor_id) per_visitor
GROUP BY channel

-- @case funnel_report_by_account pushdown funnel_report
SELECT account_id,
       funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup', event = 'trial_start')
FROM events GROUP BY account_id

-- The funnel of every visitor, from per-account reports: each visitor's events live on one
-- account's shard, so the reports add up step by step (the sum is Citus's own partial sum).
-- One row a step; an array_agg over these rows would be a second step on the coordinator.
-- @case funnel_report_all_accounts pushdown funnel_report
SELECT step, sum(c)::bigint AS reached
FROM (SELECT account_id,
             funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup',
                           event = 'trial_start') AS r
      FROM events GROUP BY account_id) per_account,
     unnest(r) WITH ORDINALITY AS u(c, step)
GROUP BY step
