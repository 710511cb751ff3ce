-- Revenue: the implementations timed for the MRR bridge compute the same
-- thing.  The queries are taken from bench_case as they were timed, their
-- results stored, and every column the plain SQL has is compared with each
-- mrr_bridge variant's, period by period (numeric equality: to the cent).
-- 0 differing periods means the timing comparison above is like for like.
\echo '### Revenue: plain SQL and mrr_bridge agree'
SELECT format('CREATE TEMP TABLE revenue_bench_%s AS %s', ord, query)
FROM bench_case WHERE family = 'revenue' AND workload = 'MRR bridge, 36 months' \gexec
SELECT format($f$
  SELECT %L AS implementation, count(*) AS periods,
         count(*) FILTER (WHERE (p.start_mrr, p.new_mrr, p.expansion_mrr, p.reactivation_mrr, p.contraction_mrr,
                                 p.churned_mrr, p.end_mrr, p.start_customers, p.churned_customers, p.end_customers)
                          IS DISTINCT FROM
                                (e.start_mrr, e.new_mrr, e.expansion_mrr, e.reactivation_mrr, e.contraction_mrr,
                                 e.churned_mrr, e.end_mrr, e.start_customers, e.churned_customers, e.end_customers))
           AS differing_periods,
         min(e.end_mrr) FILTER (WHERE period = '2025-12-01') AS end_mrr_dec_2025
  FROM revenue_bench_%s e FULL JOIN revenue_bench_%s p USING (period)$f$, c.impl, c.ord, r.ord)
FROM bench_case c JOIN bench_case r USING (family, workload)
WHERE c.family = 'revenue' AND c.workload = 'MRR bridge, 36 months' AND r.reference AND NOT c.reference
ORDER BY c.ord \gexec

-- The SaaS workloads: each implementation's rows, as text (the same columns in
-- the same order, amounts at the same scale), against the plain SQL's.
\echo '### Revenue: plain SQL and the SaaS functions agree (rows in one and not the other)'
SELECT format('CREATE TEMP TABLE revenue_bench_%s AS %s', ord, query)
FROM bench_case WHERE family = 'revenue' AND workload IN ('SaaS board, 36 months', 'NRR and GRR, 12 months',
                                                          'renewal rates, 2025 by quarter', 'revenue cohorts, 24 months') \gexec
SELECT format($f$
  SELECT %L AS workload, %L AS implementation, (SELECT count(*) FROM revenue_bench_%s) AS rows,
         (SELECT count(*) FROM (SELECT row(e.*)::text FROM revenue_bench_%s e EXCEPT ALL SELECT row(p.*)::text FROM revenue_bench_%s p) d)
       + (SELECT count(*) FROM (SELECT row(p.*)::text FROM revenue_bench_%s p EXCEPT ALL SELECT row(e.*)::text FROM revenue_bench_%s e) d)
           AS differing_rows$f$, c.workload, c.impl, c.ord, c.ord, r.ord, r.ord, c.ord)
FROM bench_case c JOIN bench_case r USING (family, workload)
WHERE c.family = 'revenue' AND c.workload IN ('SaaS board, 36 months', 'NRR and GRR, 12 months',
                                              'renewal rates, 2025 by quarter', 'revenue cohorts, 24 months')
  AND r.reference AND NOT c.reference
ORDER BY c.ord \gexec
