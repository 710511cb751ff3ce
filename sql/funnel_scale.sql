-- funnel_step at scale: an independent plain-SQL check of the default mode,
-- serial = forced-parallel for every mode, and a million matching rows.
SET timezone = 'UTC';

-- 20,000 visitors, 200,000 events on the hours of ~11 days (so ties occur),
-- steps A B C D plus noise X.
CREATE TABLE funnel_events AS
SELECT g % 20000 AS visitor,
       timestamptz '2024-01-01' + (hashint4(g) & 255) * interval '1 hour' AS ts,
       (ARRAY['A', 'B', 'C', 'D', 'X'])[1 + (hashint4(g + 7) & 2147483647) % 5] AS event
FROM generate_series(1, 200000) g;
ANALYZE funnel_events;

-- The default mode in plain SQL, straight from the definition: level >= k
-- when rows for steps 1..k exist in nondecreasing time within the window.
CREATE TEMP TABLE plain_levels AS
SELECT v.visitor,
       CASE WHEN EXISTS (SELECT FROM funnel_events a JOIN funnel_events b USING (visitor)
                         JOIN funnel_events c USING (visitor) JOIN funnel_events d USING (visitor)
                         WHERE a.visitor = v.visitor AND a.event = 'A' AND b.event = 'B' AND c.event = 'C'
                           AND d.event = 'D' AND a.ts <= b.ts AND b.ts <= c.ts AND c.ts <= d.ts
                           AND d.ts - a.ts <= interval '3 days') THEN 4
            WHEN EXISTS (SELECT FROM funnel_events a JOIN funnel_events b USING (visitor)
                         JOIN funnel_events c USING (visitor)
                         WHERE a.visitor = v.visitor AND a.event = 'A' AND b.event = 'B' AND c.event = 'C'
                           AND a.ts <= b.ts AND b.ts <= c.ts AND c.ts - a.ts <= interval '3 days') THEN 3
            WHEN EXISTS (SELECT FROM funnel_events a JOIN funnel_events b USING (visitor)
                         WHERE a.visitor = v.visitor AND a.event = 'A' AND b.event = 'B'
                           AND a.ts <= b.ts AND b.ts - a.ts <= interval '3 days') THEN 2
            WHEN EXISTS (SELECT FROM funnel_events a WHERE a.visitor = v.visitor AND a.event = 'A') THEN 1
            ELSE 0 END AS level
FROM (SELECT DISTINCT visitor FROM funnel_events) v;

-- A function that tells whether a query's plan aggregates in parallel.
CREATE FUNCTION pg_temp.plan_is_parallel(query text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  line text;
  partial boolean := false;
  finalize boolean := false;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
    partial := partial OR line LIKE '%Partial%Aggregate%';
    finalize := finalize OR line LIKE '%Finalize%Aggregate%';
  END LOOP;
  RETURN partial AND finalize;
END $$;

-- The levels per visitor for one mode, as a query text.
CREATE FUNCTION pg_temp.levels_query(mode text) RETURNS text LANGUAGE sql AS $$
  SELECT format($q$SELECT visitor, funnel_step(ts, '3 days', %L, event = 'A', event = 'B', event = 'C', event = 'D') AS level
                   FROM funnel_events GROUP BY visitor$q$, mode)
$$;

CREATE TEMP TABLE modes (mode text);
INSERT INTO modes VALUES ('default'), ('strict_increase'), ('strict_order'), ('strict_deduplication'),
  ('strict_increase,strict_order'), ('strict_increase,strict_deduplication'),
  ('strict_order,strict_deduplication'), ('strict_increase,strict_order,strict_deduplication');

-- Serial results for every mode.
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_levels (mode text, visitor int, level int);
DO $$
DECLARE m text;
BEGIN
  FOR m IN SELECT mode FROM modes LOOP
    EXECUTE format('INSERT INTO serial_levels SELECT %L, * FROM (%s) q', m, pg_temp.levels_query(m));
  END LOOP;
END $$;

-- The default mode agrees with the plain-SQL definition on every visitor.
SELECT count(*) AS visitors,
       count(*) FILTER (WHERE s.level IS DISTINCT FROM p.level) AS disagreements
FROM plain_levels p FULL JOIN (SELECT * FROM serial_levels WHERE mode = 'default') s USING (visitor);

-- The stricter modes never exceed the default mode.
SELECT count(*) AS above_default
FROM serial_levels s JOIN serial_levels d ON d.mode = 'default' AND d.visitor = s.visitor
WHERE s.level > d.level;

-- Some visitors at every level, in every mode (the data exercises all paths).
SELECT mode, funnel_counts(level, 4) FROM serial_levels GROUP BY mode ORDER BY mode;

-- funnel_report groups by visitor itself: the same funnel as funnel_counts over
-- the per-visitor levels, in every mode.  (Eight groups of 200,000 rows: more
-- than the default work_mem x hash_mem_multiplier holds, which all the groups of
-- one aggregate share.)
SET work_mem = '64MB';
SELECT m.mode,
       funnel_report(e.visitor, e.ts, '3 days', m.mode, e.event = 'A', e.event = 'B', e.event = 'C', e.event = 'D')
         = (SELECT funnel_counts(level, 4) FROM serial_levels s WHERE s.mode = m.mode) AS same_funnel
FROM modes m CROSS JOIN funnel_events e GROUP BY m.mode ORDER BY m.mode;
-- Per segment (GROUP BY), and with the entity as other types: smallint, bigint,
-- text, uuid, character(n), a domain.
CREATE DOMAIN pg_temp.visitor_id AS bigint;
SELECT r.segment, r.funnel = c.funnel AS same_funnel
FROM (SELECT visitor % 3 AS segment,
             funnel_report(visitor, ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D') AS funnel
      FROM funnel_events GROUP BY 1) r
JOIN (SELECT visitor % 3 AS segment, funnel_counts(level, 4) AS funnel
      FROM serial_levels WHERE mode = 'default' GROUP BY 1) c USING (segment)
ORDER BY 1;
CREATE TEMP TABLE some_events AS SELECT * FROM funnel_events WHERE visitor < 4000;
SELECT count(DISTINCT r) AS one_answer_for_every_entity_type,
       min(r::text) = (SELECT funnel_counts(level, 4)::text FROM serial_levels WHERE mode = 'default' AND visitor < 4000)
         AS and_it_is_right
FROM (SELECT funnel_report(visitor, ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D') FROM some_events
      UNION ALL SELECT funnel_report(visitor::int2, ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D') FROM some_events
      UNION ALL SELECT funnel_report(visitor::int8, ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D') FROM some_events
      UNION ALL SELECT funnel_report('v' || visitor, ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D') FROM some_events
      UNION ALL SELECT funnel_report(md5(visitor::text)::uuid, ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D') FROM some_events
      UNION ALL SELECT funnel_report(visitor::text::char(12), ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D') FROM some_events
      UNION ALL SELECT funnel_report(visitor::pg_temp.visitor_id, ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D') FROM some_events) v(r);
-- Streaming: with ORDER BY entity, ts inside the call, the same answer in constant
-- memory (so even a work_mem too small for the rows is enough).
SET work_mem = '1MB';
SELECT m.mode,
       funnel_report(e.visitor, e.ts, '3 days', m.mode, e.event = 'A', e.event = 'B', e.event = 'C', e.event = 'D'
                     ORDER BY e.visitor, e.ts)
         = (SELECT funnel_counts(level, 4) FROM serial_levels s WHERE s.mode = m.mode) AS same_funnel_streamed
FROM modes m CROSS JOIN funnel_events e WHERE m.mode IN ('default', 'strict_order,strict_deduplication')
GROUP BY m.mode ORDER BY m.mode;
-- Without ORDER BY the rows must fit work_mem x hash_mem_multiplier: past it, a clear error.
DO $$
BEGIN
  PERFORM funnel_report(visitor, ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D') FROM funnel_events;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'SQLSTATE %: %', SQLSTATE, SQLERRM;
END $$;
RESET work_mem;

-- Forced parallel: Partial and Finalize aggregates, same results.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET enable_indexscan = off;
SELECT pg_temp.plan_is_parallel(pg_temp.levels_query('strict_order')) AS funnel_step_parallel;
CREATE TEMP TABLE parallel_levels (mode text, visitor int, level int);
DO $$
DECLARE m text;
BEGIN
  FOR m IN SELECT mode FROM modes LOOP
    EXECUTE format('INSERT INTO parallel_levels SELECT %L, * FROM (%s) q', m, pg_temp.levels_query(m));
  END LOOP;
END $$;
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE s.level IS DISTINCT FROM p.level) AS disagreements
FROM serial_levels s FULL JOIN parallel_levels p USING (mode, visitor);

-- funnel_report in parallel: each worker sees part of every visitor's rows (a
-- visitor's rows are spread over the table), and the partial states combine exactly,
-- also when one worker's rows include a time that does not pack (its state goes wide,
-- the other's stays keyed by visitor, and the leader combines the two layouts).
CREATE TABLE funnel_events_far AS SELECT * FROM funnel_events;
INSERT INTO funnel_events_far VALUES (20000, 'infinity', 'A'), (20001, '-infinity', 'A'), (20001, 'infinity', 'B');
ANALYZE funnel_events_far;
SELECT (SELECT funnel_report(visitor, ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D')
        FROM funnel_events_far) AS parallel_mixed_layouts;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT funnel_report(visitor, ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D')
        FROM funnel_events_far) AS serial_mixed_layouts;
SET max_parallel_workers_per_gather = 2;
DROP TABLE funnel_events_far;
SELECT pg_temp.plan_is_parallel($q$SELECT funnel_report(visitor, ts, '3 days', event = 'A', event = 'B', event = 'C', event = 'D')
                                  FROM funnel_events$q$) AS funnel_report_parallel;
SELECT m.mode,
       (SELECT funnel_report(e.visitor, e.ts, '3 days', m.mode, e.event = 'A', e.event = 'B', e.event = 'C', e.event = 'D')
        FROM funnel_events e)
         = (SELECT funnel_counts(level, 4) FROM serial_levels s WHERE s.mode = m.mode) AS same_funnel_parallel
FROM modes m ORDER BY m.mode;

-- funnel_counts in parallel, over a real table, equals the serial result.
CREATE TABLE funnel_level_rows AS SELECT * FROM serial_levels;
ANALYZE funnel_level_rows;
SELECT pg_temp.plan_is_parallel('SELECT funnel_counts(level, 4) FROM funnel_level_rows') AS funnel_counts_parallel;
SELECT funnel_counts(level, 4) = (SELECT array_agg(n ORDER BY k) FROM
         (SELECT k, count(*) FILTER (WHERE level >= k) AS n FROM funnel_level_rows, generate_series(1, 4) k GROUP BY k) c)
       AS matches_plain_count
FROM funnel_level_rows;

-- A million matching rows in one group, fed in a scrambled order: second k
-- (a permutation of 0..999,999) matches step k % 3 + 1 of four.  Windows of
-- 2 s and 1 s give 3 and 2 (step 4 never matches, so every row is scanned).
CREATE TABLE funnel_million AS
SELECT timestamptz '2024-01-01' + k * interval '1 second' AS ts, k % 3 AS step
FROM (SELECT (g * 7919) % 1000000 AS k FROM generate_series(0::bigint, 999999) g) s;
SELECT funnel_step(ts, '2 seconds', step = 0, step = 1, step = 2, false) AS million_3,
       funnel_step(ts, '1 second', step = 0, step = 1, step = 2, false) AS million_2,
       funnel_step(ts, '2 seconds', 'strict_order,strict_increase', step = 0, step = 1, step = 2, false) AS million_strict_3
FROM funnel_million;
-- The same group split across parallel workers (serialized and combined).
ANALYZE funnel_million;
SELECT pg_temp.plan_is_parallel($q$SELECT funnel_step(ts, '2 seconds', step = 0, step = 1, step = 2, false) FROM funnel_million$q$)
       AS million_parallel;
SELECT funnel_step(ts, '2 seconds', step = 0, step = 1, step = 2, false) AS million_parallel_3
FROM funnel_million;
SET work_mem = '64MB';
SELECT funnel_report(1, ts, '2 seconds', step = 0, step = 1, step = 2, false) AS million_report
FROM funnel_million;
RESET work_mem;

-- A running window over rows in reverse time order: each row re-sorts into place
-- and reads the rows once (20,000 rows took 7.7 s when every call sorted a copy).
SET statement_timeout = '5s';
SELECT count(*) AS rows, max(level) AS top_level, min(level) AS bottom_level
FROM (SELECT funnel_step(ts, '2 seconds', step = 0, step = 1, step = 2) OVER (ORDER BY ts DESC) AS level
      FROM funnel_million WHERE ts < timestamptz '2024-01-01' + interval '20000 seconds') w;
RESET statement_timeout;

-- One group of three million rows in reverse order obeys statement_timeout: the
-- sort and the scan check for interrupts.  Three interleaved steps keep every row
-- in the state, so the group costs about 0.5 s on a fast machine, five times the
-- timeout (a machine fast enough to finish first would make this test fail).
CREATE TABLE funnel_three_million AS
SELECT timestamptz '2024-01-01' - g * interval '1 millisecond' AS ts, g FROM generate_series(1, 3000000) g;
SET statement_timeout = '100ms';
SELECT funnel_step(ts, '1 day', g % 3 = 0, g % 3 = 1, g % 3 = 2) FROM funnel_three_million;
RESET statement_timeout;

RESET ALL;
DROP TABLE funnel_events, funnel_level_rows, funnel_million, funnel_three_million;
