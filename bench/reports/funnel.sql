-- bench/reports/funnel.sql: do the funnel implementations agree, and what memory does
-- funnel_report account for?  (After the timing table of `make bench`.)
\echo '### Funnels: the answers side by side (levels reached, step 1..5)'
SET max_parallel_workers_per_gather = 2;
SET work_mem = '256MB';

CREATE TEMP TABLE funnel_answers (shape text, implementation text, funnel text);
INSERT INTO funnel_answers
SELECT 'heavy', 'funnel_report', funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup',
       event = 'demo_request', event = 'trial_start', event = 'paid')::text
FROM heavy_events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid');
INSERT INTO funnel_answers
SELECT 'heavy', 'funnel_step + funnel_counts', funnel_counts(level, 5)::text
FROM (SELECT visitor_id, funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'demo_request',
                                     event = 'trial_start', event = 'paid') AS level
      FROM heavy_events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
      GROUP BY visitor_id) v;
INSERT INTO funnel_answers
SELECT 'light', 'funnel_report', funnel_report(visitor_id, ts, '7 days', event = 'page_view', event = 'signup',
       event = 'demo_request', event = 'trial_start', event = 'paid')::text
FROM events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid');

-- ClickHouse's windowFunnel on the same rows, as a cumulative funnel (it is greedy: it may find
-- less). ClickHouse 18.16 has no lambdas over aggregates, hence the spelled-out array.
DO $$
DECLARE
  shape text;
  q text;
BEGIN
  IF current_setting('b2b.clickhouse_port', true) IS NULL THEN
    RETURN;
  END IF;
  FOREACH shape IN ARRAY ARRAY['heavy', 'light'] LOOP
    q := format($q$SELECT toString([countIf(level >= 1), countIf(level >= 2), countIf(level >= 3), countIf(level >= 4), countIf(level >= 5)]) FROM (
                    SELECT visitor_id, windowFunnel(604800)(ts, event = 'page_view', event = 'signup',
                           event = 'demo_request', event = 'trial_start', event = 'paid') AS level
                    FROM %s_events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
                    GROUP BY visitor_id)$q$, shape);
    CREATE TEMP TABLE IF NOT EXISTS ch_answer (a text);
    TRUNCATE ch_answer;
    EXECUTE format('COPY ch_answer FROM PROGRAM %L',
                   format('echo %s | base64 -d | clickhouse-client --port %s --format TSV',
                          replace(encode(convert_to(q, 'UTF8'), 'base64'), E'\n', ''),
                          current_setting('b2b.clickhouse_port')));
    INSERT INTO funnel_answers SELECT shape, 'ClickHouse windowFunnel', replace(replace(a, '[', '{'), ']', '}') FROM ch_answer;
  END LOOP;
END $$;
SELECT shape, implementation, funnel FROM funnel_answers ORDER BY shape, implementation;

\echo '### funnel_report: the memory its budget accounts for (16 bytes a matching row, 1 MB chunks)'
SELECT shape, matching_rows, visitors,
       pg_size_pretty(16 * matching_rows) AS rows_memory,
       pg_size_pretty((ceil(matching_rows / 65536.0) * 1048576)::bigint) AS in_whole_chunks
FROM (SELECT 'heavy' AS shape, count(*) AS matching_rows, count(DISTINCT visitor_id) AS visitors
      FROM heavy_events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')
      UNION ALL
      SELECT 'light', count(*), count(DISTINCT visitor_id)
      FROM events WHERE event IN ('page_view', 'signup', 'demo_request', 'trial_start', 'paid')) s
ORDER BY shape;
RESET max_parallel_workers_per_gather;
RESET work_mem;
