-- Revenue: the two implementations of the benchmark's MRR bridge compute the
-- same thing.  Every column the plain SQL has is compared with mrr_bridge's,
-- period by period (numeric equality, so to the cent); 0 differing periods
-- means the timing comparison above is like for like.
\echo '### Revenue: plain SQL and mrr_bridge agree'
SELECT count(*) AS periods,
       count(*) FILTER (WHERE p.start_mrr IS DISTINCT FROM (b).start_mrr OR p.new_mrr IS DISTINCT FROM (b).new_mrr
                          OR p.expansion_mrr IS DISTINCT FROM (b).expansion_mrr
                          OR p.reactivation_mrr IS DISTINCT FROM (b).reactivation_mrr
                          OR p.contraction_mrr IS DISTINCT FROM (b).contraction_mrr
                          OR p.churned_mrr IS DISTINCT FROM (b).churned_mrr OR p.end_mrr IS DISTINCT FROM (b).end_mrr
                          OR p.start_customers IS DISTINCT FROM (b).start_customers
                          OR p.churned_customers IS DISTINCT FROM (b).churned_customers
                          OR p.end_customers IS DISTINCT FROM (b).end_customers) AS differing_periods,
       sum((b).end_mrr) FILTER (WHERE period = '2025-12-01') AS end_mrr_dec_2025
FROM (SELECT (m).period, mrr_bridge(m) AS b
      FROM (SELECT unnest(mrr_movement(started_at, ended_at, mrr, '2023-01-01', '2026-01-01')) AS m
            FROM subscriptions GROUP BY account_id) x
      GROUP BY 1) e
FULL JOIN (
   WITH months AS (
     SELECT m FROM generate_series(timestamptz '2023-01-01', timestamptz '2026-01-01', interval '1 month') m
   ), snapshot AS (
     SELECT s.account_id, m.m, sum(s.mrr) AS mrr
     FROM subscriptions s JOIN months m ON s.started_at <= m.m AND (s.ended_at IS NULL OR s.ended_at > m.m)
     GROUP BY 1, 2
   ), paying AS (
     SELECT account_id, min(started_at) AS first_paid_at FROM subscriptions WHERE mrr > 0 GROUP BY 1
   ), spine AS (
     SELECT p.account_id, m.m, coalesce(sn.mrr, 0) AS mrr, p.first_paid_at
     FROM paying p CROSS JOIN months m
     LEFT JOIN snapshot sn ON sn.account_id = p.account_id AND sn.m = m.m
   ), moves AS (
     SELECT account_id, m AS period, mrr AS before, lead(mrr) OVER (PARTITION BY account_id ORDER BY m) AS after,
            first_paid_at
     FROM spine
   )
   SELECT period,
          sum(before) AS start_mrr,
          coalesce(sum(after) FILTER (WHERE before = 0 AND after > 0 AND first_paid_at >= period), 0) AS new_mrr,
          coalesce(sum(after - before) FILTER (WHERE before > 0 AND after > before), 0) AS expansion_mrr,
          coalesce(sum(after) FILTER (WHERE before = 0 AND after > 0 AND first_paid_at < period), 0) AS reactivation_mrr,
          coalesce(sum(before - after) FILTER (WHERE after > 0 AND after < before), 0) AS contraction_mrr,
          coalesce(sum(before) FILTER (WHERE before > 0 AND after = 0), 0) AS churned_mrr,
          sum(after) AS end_mrr,
          count(*) FILTER (WHERE before > 0) AS start_customers,
          count(*) FILTER (WHERE before > 0 AND after = 0) AS churned_customers,
          count(*) FILTER (WHERE after > 0) AS end_customers
   FROM moves
   WHERE period < timestamptz '2026-01-01' AND (before > 0 OR after > 0)
   GROUP BY period) p USING (period);
