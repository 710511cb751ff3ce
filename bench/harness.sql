-- bench/harness.sql: the timing machinery of `make bench` (bench/run.sh drives it).
--
-- Case files (bench/cases/<family>.sql) insert rows into bench_case; for each
-- round, each parallel setting and each case in order, bench_run() executes
--   EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) <query>
-- in this one session and keeps the execution time, the parallel workers
-- launched, the peak memory of hash/sort nodes and any spill to disk.
-- Interleaving the implementations of a workload round by round spreads the
-- noise of a shared machine evenly; medians and ratios to the workload's
-- reference implementation are what bench_report() prints.

CREATE TEMP TABLE bench_case (
  ord       serial,
  family    text,
  workload  text NOT NULL,
  impl      text NOT NULL,
  reference boolean NOT NULL DEFAULT false,
  query     text NOT NULL,
  engine    text NOT NULL DEFAULT 'postgres'   -- or 'clickhouse': the query is ClickHouse SQL
);

-- What bench/clickhouse.sh run prints: milliseconds and peak memory in kB.
CREATE TEMP TABLE bench_ch_out (ms float8, peak_kb bigint);

CREATE TEMP TABLE bench_result (
  ord       int,
  round     int,
  workers   int,          -- max_parallel_workers_per_gather
  ms        float8,
  launched  int,
  peak_kb   bigint,
  disk_kb   bigint
);

CREATE FUNCTION pg_temp.bench_run(rounds int, worker_settings int[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c    record;
  w    int;
  plan jsonb;
BEGIN
  FOR r IN 1..rounds LOOP
    FOREACH w IN ARRAY worker_settings LOOP
      PERFORM set_config('max_parallel_workers_per_gather', w::text, false);
      FOR c IN SELECT * FROM bench_case ORDER BY ord LOOP
        RAISE NOTICE 'bench: round % of %, % worker(s): % / %', r, rounds, w, c.workload, c.impl;
        IF c.engine = 'clickhouse' THEN
          -- ClickHouse on the same rows, with max_threads = the PostgreSQL workers (1 when serial)
          TRUNCATE bench_ch_out;
          EXECUTE format('COPY bench_ch_out FROM PROGRAM %L',
                         format('%s run %s %s b2b_bench_%s_%s_%s %s', current_setting('b2b.clickhouse_script'),
                                current_setting('b2b.clickhouse_port'), greatest(w, 1), c.ord, r, w,
                                replace(encode(convert_to(c.query, 'UTF8'), 'base64'), E'\n', '')));
          INSERT INTO bench_result SELECT c.ord, r, w, ms, greatest(w, 1), peak_kb, 0 FROM bench_ch_out;
          CONTINUE;
        END IF;
        EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || c.query INTO plan;
        INSERT INTO bench_result VALUES (c.ord, r, w,
          (plan -> 0 ->> 'Execution Time')::float8,
          (SELECT coalesce(sum(v::int), 0) FROM jsonb_path_query(plan, 'strict $.** ? (exists (@."Workers Launched"))."Workers Launched"') v),
          (SELECT max(v::bigint) FROM jsonb_path_query(plan, 'strict $.** ? (exists (@."Peak Memory Usage"))."Peak Memory Usage"') v),
          (SELECT coalesce(sum(v::bigint), 0) FROM jsonb_path_query(plan, 'strict $.** ? (exists (@."Disk Usage"))."Disk Usage"') v)
          + (SELECT coalesce(sum(v::bigint), 0) FROM jsonb_path_query(plan,
              'strict $.** ? (@."Sort Space Type" == "Disk")."Sort Space Used"') v));
      END LOOP;
    END LOOP;
  END LOOP;
END $$;

-- One markdown table: a row per case, medians per parallel setting, ratios to the reference.
CREATE FUNCTION pg_temp.bench_report() RETURNS SETOF text
LANGUAGE sql AS $$
  WITH med AS (
    SELECT ord, workers,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms,
           max(launched) AS launched, max(peak_kb) AS peak_kb, max(disk_kb) AS disk_kb
    FROM bench_result GROUP BY ord, workers
  ), rel AS (
    SELECT c.*, m.workers, m.ms, m.launched, m.peak_kb, m.disk_kb,
           m.ms / nullif(first_value(m.ms) OVER (PARTITION BY c.workload, m.workers
                                               ORDER BY c.reference DESC, c.ord), 0) AS ratio
    FROM bench_case c JOIN med m USING (ord)
  )
  SELECT '| workload | implementation | serial ms | ratio | 2 workers ms | ratio | workers launched | peak memory | spilled |'
  UNION ALL SELECT '|---|---|--:|--:|--:|--:|--:|--:|--:|'
  UNION ALL (
  SELECT format('| %s | %s%s | %s | %s | %s | %s | %s | %s | %s |',
                s.workload, s.impl, CASE WHEN s.reference THEN ' (ref)' WHEN s.engine = 'clickhouse' THEN ' (threads = workers)' ELSE '' END,
                round(s.ms::numeric, 1), round(s.ratio::numeric, 2) || '×',
                round(p.ms::numeric, 1), round(p.ratio::numeric, 2) || '×',
                p.launched,
                coalesce(pg_size_pretty(greatest(s.peak_kb, p.peak_kb) * 1024), '-'),
                CASE WHEN greatest(s.disk_kb, p.disk_kb) > 0
                     THEN pg_size_pretty(greatest(s.disk_kb, p.disk_kb) * 1024) ELSE 'no' END)
  FROM rel s JOIN rel p ON p.ord = s.ord AND p.workers = 2
  WHERE s.workers = 0
  ORDER BY s.ord)
$$;
