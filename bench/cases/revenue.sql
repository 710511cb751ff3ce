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

-- ---- SaaS metrics (issue 15) ------------------------------------------------
-- The monthly SaaS board over 36 months: ARR, ARPA, quick ratio, NRR and GRR
-- per month.  The reference is the bridge's spine + LEAD query with the ratios
-- computed from its snapshots.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('SaaS board, 36 months', 'plain SQL spine + LEAD', true,
   $q$
   WITH months AS (
     SELECT m FROM generate_series(timestamptz '2023-01-01', timestamptz '2026-01-01', interval '1 month') m
   ), snapshot AS (
     SELECT s.account_id, m.m, sum(s.mrr) AS mrr
     FROM subscriptions s JOIN months m ON s.started_at <= m.m AND (s.ended_at IS NULL OR s.ended_at > m.m)
     GROUP BY 1, 2
   ), paying AS (
     SELECT DISTINCT account_id FROM subscriptions WHERE mrr > 0
   ), spine AS (
     SELECT p.account_id, m.m, coalesce(sn.mrr, 0) AS mrr
     FROM paying p CROSS JOIN months m LEFT JOIN snapshot sn ON sn.account_id = p.account_id AND sn.m = m.m
   ), moves AS (
     SELECT m AS period, mrr AS before, lead(mrr) OVER (PARTITION BY account_id ORDER BY m) AS after FROM spine
   )
   SELECT period, 12 * sum(after) AS arr, sum(after) / nullif(count(*) FILTER (WHERE after > 0), 0) AS arpa,
          sum(greatest(after - before, 0)) / nullif(sum(greatest(before - after, 0)), 0) AS quick_ratio,
          sum(after) FILTER (WHERE before > 0) / nullif(sum(before), 0) AS nrr,
          sum(least(after, before)) FILTER (WHERE before > 0) / nullif(sum(before), 0) AS grr
   FROM moves
   WHERE period < timestamptz '2026-01-01' AND (before > 0 OR after > 0)
   GROUP BY period ORDER BY period
   $q$),
  ('SaaS board, 36 months', 'mrr_movement + mrr_totals accessors', false,
   $q$
   SELECT period, mrr_totals_arr(t) AS arr, mrr_totals_arpa(t) AS arpa, mrr_totals_quick_ratio(t) AS quick_ratio,
          mrr_totals_nrr(t) AS nrr, mrr_totals_grr(t) AS grr
   FROM (SELECT (m).period, mrr_totals(m) AS t
         FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01')) AS m
               FROM subscriptions GROUP BY account_id) per_customer
         GROUP BY 1) x
   ORDER BY period
   $q$);

-- 12-month NRR and GRR of 2025: two snapshots per customer.  Plain SQL needs
-- one grouped scan here, so this is the case where the extension has least to win.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('NRR and GRR, 12 months', 'plain SQL two snapshots', true,
   $q$
   WITH snap AS (
     SELECT account_id,
            coalesce(sum(mrr) FILTER (WHERE started_at <= timestamptz '2025-01-01'
                                        AND (ended_at IS NULL OR ended_at > timestamptz '2025-01-01')), 0) AS s,
            coalesce(sum(mrr) FILTER (WHERE started_at <= timestamptz '2026-01-01'
                                        AND (ended_at IS NULL OR ended_at > timestamptz '2026-01-01')), 0) AS e
     FROM subscriptions GROUP BY account_id
   )
   SELECT sum(e) FILTER (WHERE s > 0) / sum(s) AS nrr, sum(least(e, s)) FILTER (WHERE s > 0) / sum(s) AS grr FROM snap
   $q$),
  ('NRR and GRR, 12 months', 'mrr_movement (12 months) + accessors', false,
   $q$
   SELECT mrr_totals_nrr(t) AS nrr, mrr_totals_grr(t) AS grr
   FROM (SELECT mrr_totals(m) AS t
         FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2025-01-01', '2026-01-01', '12 months')) AS m
               FROM subscriptions GROUP BY account_id) per_customer) x
   $q$);

-- Renewal rates of 2025 by quarter: every term end, one decision per customer
-- and instant, the first paying instant of the successors within 30 days.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('renewal rates, 2025 by quarter', 'plain SQL term ends + lateral lookups', true,
   $q$
   WITH terms AS (
     SELECT s.account_id, s.subscription_id AS sid, s.mrr, t.due_at,
            t.due_at < coalesce(s.ended_at, 'infinity') AS continues
     FROM subscriptions s,
          LATERAL (SELECT s.started_at + k * s.billing_period AS due_at FROM generate_series(1, 60) k
                   WHERE s.started_at + k * s.billing_period < coalesce(s.ended_at, 'infinity')
                   UNION ALL SELECT s.ended_at WHERE s.ended_at IS NOT NULL) t
     WHERE s.mrr > 0 AND (s.ended_at IS NULL OR s.ended_at > s.started_at)
       AND t.due_at >= timestamptz '2025-01-01' AND t.due_at < timestamptz '2026-01-01'
   ), dues AS (
     SELECT account_id, due_at, sum(mrr) AS due_mrr,
            coalesce(array_agg(sid) FILTER (WHERE continues), '{}') AS continuing
     FROM terms GROUP BY 1, 2
   ), tries AS (
     SELECT d.account_id, d.due_at, d.due_mrr, x.at,
            (SELECT coalesce(sum(s.mrr), 0) FROM subscriptions s
             WHERE s.account_id = d.account_id AND s.started_at <= x.at AND (s.ended_at IS NULL OR s.ended_at > x.at)
               AND (s.started_at >= d.due_at OR s.subscription_id = ANY (d.continuing))) AS paying
     FROM dues d,
          LATERAL (SELECT d.due_at AS at
                   UNION SELECT s.started_at FROM subscriptions s WHERE s.account_id = d.account_id
                           AND s.started_at > d.due_at AND s.started_at <= d.due_at + interval '30 days') x
   ), decisions AS (
     SELECT DISTINCT ON (account_id, due_at) due_at, due_mrr, CASE WHEN paying > 0 THEN paying ELSE 0 END AS renewed
     FROM tries ORDER BY account_id, due_at, paying > 0 DESC, at
   )
   SELECT date_trunc('quarter', due_at) AS quarter, count(*) AS due_customers,
          count(*) FILTER (WHERE renewed > 0) AS renewed_customers,
          sum(due_mrr) AS due_mrr, sum(least(renewed, due_mrr)) AS renewed_mrr_capped, sum(renewed) AS renewed_mrr,
          count(*) FILTER (WHERE renewed > 0)::numeric / count(*) AS logo_renewal_rate,
          sum(least(renewed, due_mrr)) / sum(due_mrr) AS gross_dollar_renewal_rate,
          sum(renewed) / sum(due_mrr) AS net_dollar_renewal_rate
   FROM decisions GROUP BY 1 ORDER BY 1
   $q$),
  ('renewal rates, 2025 by quarter', 'mrr_renewals + renewal_rate', false,
   $q$
   SELECT date_trunc('quarter', (r).due_at) AS quarter, (renewal_rate(r)).*
   FROM (SELECT unnest(mrr_renewals(started_at, ended_at, mrr, billing_period, '2025-01-01', '2026-01-01')) AS r
         FROM subscriptions GROUP BY account_id) per_customer
   GROUP BY 1 ORDER BY 1
   $q$);

-- The revenue cohort table of 2024-2025: per first-paid month and month offset,
-- customers paying, MRR and churned customers.
INSERT INTO bench_case (workload, impl, reference, query) VALUES
  ('revenue cohorts, 24 months', 'plain SQL spine + first paid', true,
   $q$
   WITH months AS (
     SELECT m FROM generate_series(timestamptz '2024-01-01', timestamptz '2026-01-01', interval '1 month') m
   ), snapshot AS (
     SELECT s.account_id, m.m, sum(s.mrr) AS mrr
     FROM subscriptions s JOIN months m ON s.started_at <= m.m AND (s.ended_at IS NULL OR s.ended_at > m.m)
     GROUP BY 1, 2
   ), members AS (
     SELECT account_id, min(m) - interval '1 month' AS cohort FROM snapshot WHERE mrr > 0 GROUP BY 1
     HAVING min(m) > timestamptz '2024-01-01'
        AND NOT EXISTS (SELECT 1 FROM subscriptions p WHERE p.account_id = snapshot.account_id AND p.mrr > 0
                          AND p.started_at < timestamptz '2024-01-01' AND (p.ended_at IS NULL OR p.ended_at > p.started_at))
   ), cells AS (
     SELECT mb.cohort, m.m AS period_end, coalesce(a.mrr, 0.00) AS after, coalesce(b.mrr, 0.00) AS before
     FROM members mb JOIN months m ON m.m > mb.cohort
     LEFT JOIN snapshot a ON a.account_id = mb.account_id AND a.m = m.m
     LEFT JOIN snapshot b ON b.account_id = mb.account_id AND b.m = m.m - interval '1 month'
   )
   SELECT cohort, ((extract(year FROM period_end - interval '1 month') - extract(year FROM cohort)) * 12
                   + extract(month FROM period_end - interval '1 month') - extract(month FROM cohort))::int AS month_offset,
          count(*) FILTER (WHERE after > 0) AS paying, sum(after) AS mrr,
          count(*) FILTER (WHERE before > 0 AND after = 0) AS churned
   FROM cells WHERE before > 0 OR after > 0
   GROUP BY 1, 2 ORDER BY 1, 2
   $q$),
  ('revenue cohorts, 24 months', 'mrr_movement + mrr_cohort_moves + mrr_totals', false,
   $q$
   SELECT c.cohort, c.month_offset, b.end_customers AS paying, b.end_mrr AS mrr, b.churned_customers AS churned
   FROM (SELECT c.cohort, c.month_offset, mrr_totals(c.movement) AS t
         FROM (SELECT mrr_movement(started_at, ended_at, mrr, '2024-01-01', '2026-01-01') AS moves
               FROM subscriptions GROUP BY account_id) per_customer, mrr_cohort_moves(moves) c
         GROUP BY 1, 2) c, mrr_totals_bridge(c.t) b
   ORDER BY 1, 2
   $q$);
