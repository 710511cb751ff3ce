-- bench/reports/retention.sql: do b2bmetrics and ClickHouse agree?  retention() summed per
-- element on both shapes (the sample's events and the heavy-user events), and the weekly cohort
-- table of the heavy shape as one checksum row.  (After the timing table of `make bench`.)
\echo '### Retention: the answers side by side'
SET max_parallel_workers_per_gather = 2;
SET timezone = 'UTC';

CREATE TEMP TABLE retention_answers (shape text, what text, implementation text, answer text);
INSERT INTO retention_answers
SELECT 'heavy', 'retention() sums', 'b2bmetrics retention()', ARRAY[sum(r[1]), sum(r[2]), sum(r[3]), sum(r[4])]::text
FROM (SELECT visitor_id, retention(event = 'signup', event = 'login', event = 'core_feature', event = 'paid') AS r
      FROM heavy_events GROUP BY visitor_id) v;
INSERT INTO retention_answers
SELECT 'light', 'retention() sums', 'b2bmetrics retention()', ARRAY[sum(r[1]), sum(r[2]), sum(r[3]), sum(r[4])]::text
FROM (SELECT visitor_id, retention(event = 'signup', event = 'login', event = 'core_feature', event = 'paid') AS r
      FROM events GROUP BY visitor_id) v;
INSERT INTO retention_answers
SELECT 'heavy', 'cohort cells: count, sum of k * retained, sum of retained', 'b2bmetrics cohort_retention',
       ARRAY[count(*), sum("offset" * retained), sum(retained)]::text
FROM retention_cells((SELECT cohort_retention(a, a, 12)
                      FROM (SELECT visitor_id, activity_agg(ts, 'week') AS a FROM heavy_events GROUP BY visitor_id) v),
                     'infinity')
WHERE cohort >= '2025-01-06' AND cohort < '2025-03-31' AND retained > 0;

DO $$
DECLARE
  q record;
BEGIN
  IF current_setting('b2b.clickhouse_port', true) IS NULL THEN
    RETURN;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS ch_answer (a text);
  FOR q IN
    SELECT 'heavy' AS shape, 'retention() sums' AS what,
           $c$SELECT toString([sum(r[1]), sum(r[2]), sum(r[3]), sum(r[4])]) FROM (SELECT visitor_id,
                retention(event = 'signup', event = 'login', event = 'core_feature', event = 'paid') AS r
                FROM heavy_events GROUP BY visitor_id)$c$ AS query
    UNION ALL
    SELECT 'light', 'retention() sums',
           $c$SELECT toString([sum(r[1]), sum(r[2]), sum(r[3]), sum(r[4])]) FROM (SELECT visitor_id,
                retention(event = 'signup', event = 'login', event = 'core_feature', event = 'paid') AS r
                FROM light_events GROUP BY visitor_id)$c$
    UNION ALL
    SELECT 'heavy', 'cohort cells: count, sum of k * retained, sum of retained',
           $c$SELECT toString([toInt64(count()), toInt64(sum(k * n)), toInt64(sum(n))]) FROM (
                SELECT c, toRelativeWeekNum(w) - toRelativeWeekNum(c) AS k, count() AS n
                FROM (SELECT visitor_id, toMonday(ts) AS w FROM heavy_events GROUP BY visitor_id, w)
                ALL INNER JOIN (SELECT visitor_id, min(toMonday(ts)) AS c FROM heavy_events GROUP BY visitor_id) USING visitor_id
                WHERE c >= toDate('2025-01-06') AND c < toDate('2025-03-31') AND toRelativeWeekNum(w) - toRelativeWeekNum(c) <= 12
                GROUP BY c, k)$c$
  LOOP
    TRUNCATE ch_answer;
    EXECUTE format('COPY ch_answer FROM PROGRAM %L',
                   format('echo %s | base64 -d | clickhouse-client --port %s --format TSV',
                          replace(encode(convert_to(q.query, 'UTF8'), 'base64'), E'\n', ''),
                          current_setting('b2b.clickhouse_port')));
    INSERT INTO retention_answers SELECT q.shape, q.what, 'ClickHouse', replace(replace(a, '[', '{'), ']', '}') FROM ch_answer;
  END LOOP;
END $$;
SELECT shape, what, implementation, answer FROM retention_answers ORDER BY shape, what, implementation;
RESET max_parallel_workers_per_gather;
