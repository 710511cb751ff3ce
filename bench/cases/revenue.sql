-- Monthly MRR bridge over 36 months (issue 5).  The reference is the plain SQL
-- a finance analyst writes: a month spine, MRR snapshots per customer-month,
-- LEAD to the next snapshot, classification, and a GROUP BY month.  Snapshot
-- semantics: mrr_before = MRR at the period start, mrr_after = MRR at the next
-- period start; reactivation = back from 0 after paying at an earlier month
-- start of the window, or at any instant before the window (docs/revenue.md).
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('MRR bridge, 36 months', 'plain SQL spine + LEAD', true,
   $q$
   WITH months AS (
     SELECT m FROM generate_series(timestamptz '2023-01-01', timestamptz '2026-01-01', interval '1 month') m
   ), snapshot AS (
     SELECT s.account_id, m.m, sum(s.mrr) AS mrr
     FROM subscriptions s JOIN months m ON s.started_at <= m.m AND (s.ended_at IS NULL OR s.ended_at > m.m)
     GROUP BY 1, 2
   ), paying AS (
     SELECT account_id,
            bool_or(started_at < timestamptz '2023-01-01' AND (ended_at IS NULL OR ended_at > started_at)) AS paid_before_window
     FROM subscriptions WHERE mrr > 0 GROUP BY 1
   ), spine AS (
     SELECT p.account_id, m.m, coalesce(sn.mrr, 0) AS mrr, p.paid_before_window
     FROM paying p CROSS JOIN months m
     LEFT JOIN snapshot sn ON sn.account_id = p.account_id AND sn.m = m.m
   ), moves AS (
     SELECT account_id, m AS period, mrr AS before, lead(mrr) OVER w AS after,
            paid_before_window OR coalesce(bool_or(mrr > 0) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false)
              AS paid_before
     FROM spine
     WINDOW w AS (PARTITION BY account_id ORDER BY m)
   )
   SELECT period,
          sum(before) AS start_mrr,
          coalesce(sum(after) FILTER (WHERE before = 0 AND after > 0 AND NOT paid_before), 0) AS new_mrr,
          coalesce(sum(after - before) FILTER (WHERE before > 0 AND after > before), 0) AS expansion_mrr,
          coalesce(sum(after) FILTER (WHERE before = 0 AND after > 0 AND paid_before), 0) AS reactivation_mrr,
          coalesce(sum(before - after) FILTER (WHERE after > 0 AND after < before), 0) AS contraction_mrr,
          coalesce(sum(before) FILTER (WHERE before > 0 AND after = 0), 0) AS churned_mrr,
          sum(after) AS end_mrr,
          count(*) FILTER (WHERE before > 0) AS start_customers,
          count(*) FILTER (WHERE before > 0 AND after = 0) AS churned_customers,
          count(*) FILTER (WHERE after > 0) AS end_customers
   FROM moves
   WHERE period < timestamptz '2026-01-01' AND (before > 0 OR after > 0)
   GROUP BY period ORDER BY period
   $q$),
  ('MRR bridge, 36 months', 'mrr_movement + mrr_bridge', false,
   $q$
   SELECT (m).period, (mrr_bridge(m)).*
   FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01')) AS m
         FROM subscriptions GROUP BY account_id) per_customer
   GROUP BY (m).period ORDER BY (m).period
   $q$);

-- The same on subscriptions hash-partitioned by customer.  With partitionwise
-- aggregation each partition's customers are finished (the expensive final
-- sweep) by one worker under a Parallel Append, which partial aggregation of
-- the plain table cannot do: there the states meet in the leader first.
DROP TABLE IF EXISTS subscriptions_by_account;
CREATE TABLE subscriptions_by_account (LIKE subscriptions) PARTITION BY HASH (account_id);
SELECT format('CREATE TABLE subscriptions_by_account_%s PARTITION OF subscriptions_by_account
               FOR VALUES WITH (MODULUS 4, REMAINDER %s)', r, r)
FROM generate_series(0, 3) r \gexec
INSERT INTO subscriptions_by_account SELECT * FROM subscriptions;
ANALYZE subscriptions_by_account;
SET enable_partitionwise_aggregate = on;   -- only partitioned tables notice it

INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('MRR bridge, 36 months', 'mrr_movement + mrr_bridge, partitioned by customer', false,
   $q$
   SELECT (m).period, (mrr_bridge(m)).*
   FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01')) AS m
         FROM subscriptions_by_account GROUP BY account_id) per_customer
   GROUP BY (m).period ORDER BY (m).period
   $q$);
