-- attribution on Citus: events distributed by account_id (tools/citus-test.sh, docs/citus.md).
-- A touches value per account runs whole on the workers; touches_rollup's state is the
-- touches type, so rolling stored values up by anything else combines partials.

-- @case touches_per_account pushdown touches_agg
SELECT account_id,
       touches_agg(ts, CASE WHEN event <> 'paid' THEN channel END, event = 'paid')::text AS t
FROM events
WHERE account_id <> 0
  AND event IN ('page_view', 'email_open', 'webinar', 'case_study_view', 'sales_call', 'paid')
GROUP BY account_id

-- Monthly touches per account, rolled up to all accounts per month: partial on the workers.
-- @case touches_rollup_by_month partial touches_rollup
SELECT month, touches_before_conversion(touches_rollup(t)) AS touches
FROM (SELECT account_id, date_trunc('month', ts) AS month,
             touches_agg(ts, CASE WHEN event <> 'paid' THEN channel END, event = 'paid') AS t
      FROM events
      WHERE account_id <> 0
        AND event IN ('page_view', 'email_open', 'webinar', 'case_study_view', 'sales_call', 'paid')
      GROUP BY account_id, month) monthly
GROUP BY month
