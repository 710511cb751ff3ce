-- sessions_agg and its accessors against a LAG-based plain-SQL sessionization
-- on the sample data plus hand-made edge cases (equal timestamps, a pause of
-- exactly the gap, one-event visitors, NULL pages, midnight and DST), serial
-- and forced-parallel; traffic_anomalies on synthetic series with known answers.
BEGIN;
SELECT plan(30);

SET LOCAL client_min_messages = warning;
SET LOCAL timezone = 'Europe/Berlin';
CALL b2b_sample_generate(0.05, 7);

CREATE FUNCTION pg_temp.explain_lines(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || query;
END $$;

-- Page views carry their page; every other event is an event without a page.
-- A plain table (rolled back at the end): parallel workers cannot read temporary ones.
CREATE TABLE ev AS
SELECT visitor_id, ts, CASE WHEN event = 'page_view' THEN page END AS pg FROM events;
INSERT INTO ev VALUES
  -- -1: equal timestamps: a non-page event and two pages at one instant (read: NULL, '/a', '/b')
  (-1, '2025-05-01 10:00:00+00', '/b'), (-1, '2025-05-01 10:00:00+00', NULL), (-1, '2025-05-01 10:00:00+00', '/a'),
  (-1, '2025-05-01 10:00:07+00', '/c'),
  -- -2: pauses of exactly 30 minutes (one session), then 30 minutes + 1 microsecond (a new one)
  (-2, '2025-05-01 10:00:00+00', '/'), (-2, '2025-05-01 10:30:00+00', '/pricing'),
  (-2, '2025-05-01 11:00:00.000001+00', '/docs'),
  -- -3: one event, a page view: one bounce
  (-3, '2025-05-01 10:00:00+00', '/'),
  -- -4: one event without a page: a session, no page view, not a bounce
  (-4, '2025-05-01 10:00:00+00', NULL),
  -- -5: across midnight (Berlin) and across the DST change of 2025-03-30 (02:00 CET -> 03:00 CEST):
  --     01:50 CET and 03:10 CEST are 20 minutes apart
  (-5, '2025-05-01 23:50:00+02', '/'), (-5, '2025-05-02 00:10:00+02', '/x'),
  (-5, '2025-03-30 01:50:00+01', '/'), (-5, '2025-03-30 03:10:00+02', '/y'),
  -- -6: a page view followed by a NULL-page event: timed, and no bounce
  (-6, '2025-05-01 10:00:00+00', '/'), (-6, '2025-05-01 10:00:30+00', NULL),
  -- -7: an empty page text is a page
  (-7, '2025-05-01 10:00:00+00', ''), (-7, '2025-05-01 10:00:01+00', '');

-- The oracle: events in (ts, page bytes NULLS FIRST) order, a new session where the pause
-- exceeds 30 minutes, the next event of the same session for time on page.
CREATE TEMP TABLE oracle_events AS
WITH ord AS (
  SELECT visitor_id, ts, pg,
         row_number() OVER (PARTITION BY visitor_id ORDER BY ts, pg COLLATE "C" NULLS FIRST) AS rn
  FROM ev
), marked AS (
  SELECT *, CASE WHEN lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > interval '30 minutes' THEN 1 ELSE 0 END AS starts
  FROM ord WINDOW w AS (PARTITION BY visitor_id ORDER BY rn)
)
SELECT *, sum(starts) OVER (PARTITION BY visitor_id ORDER BY rn)::int AS session_no FROM marked;
CREATE TEMP TABLE oracle_sessions AS
SELECT visitor_id, session_no, min(ts) AS started, max(ts) AS ended, max(ts) - min(ts) AS duration,
       count(*) AS events, count(pg) AS pageviews,
       (array_agg(pg ORDER BY rn) FILTER (WHERE pg IS NOT NULL))[1] AS entry_page,
       (array_agg(pg ORDER BY rn DESC) FILTER (WHERE pg IS NOT NULL))[1] AS exit_page,
       count(*) = 1 AND count(pg) = 1 AS is_bounce
FROM oracle_events GROUP BY visitor_id, session_no;
CREATE TEMP TABLE oracle_pages AS
WITH timed AS (
  SELECT *, lead(ts) OVER (PARTITION BY visitor_id, session_no ORDER BY rn) - ts AS on_page FROM oracle_events
)
SELECT t.visitor_id, t.pg AS page, count(*) AS views,
       (SELECT count(*) FROM oracle_sessions s WHERE s.visitor_id = t.visitor_id AND s.entry_page = t.pg) AS entries,
       (SELECT count(*) FROM oracle_sessions s WHERE s.visitor_id = t.visitor_id AND s.exit_page = t.pg) AS exits,
       (SELECT count(*) FROM oracle_sessions s WHERE s.visitor_id = t.visitor_id AND s.entry_page = t.pg AND s.is_bounce) AS bounces,
       coalesce(sum(on_page), interval '0') AS time_on_page_total, count(on_page) AS timed_views
FROM timed t WHERE t.pg IS NOT NULL GROUP BY t.visitor_id, t.pg;

CREATE TEMP TABLE visitor_sessions AS
SELECT visitor_id, sessions_agg(ts, pg, '30 minutes') AS s FROM ev GROUP BY visitor_id;

SELECT ok((SELECT count(*) FROM oracle_sessions) > 1000, 'the oracle has more than 1000 sessions');
SELECT is((SELECT count(*) FROM (
             (SELECT v.visitor_id, r.* FROM visitor_sessions v, session_rows(v.s) r
              EXCEPT ALL SELECT * FROM oracle_sessions)
             UNION ALL
             (SELECT * FROM oracle_sessions
              EXCEPT ALL SELECT v.visitor_id, r.* FROM visitor_sessions v, session_rows(v.s) r)) d),
          0::bigint, 'session_rows equals the LAG sessionization, every column of every session');
SELECT is((SELECT count(*) FROM (
             (SELECT v.visitor_id, r.* FROM visitor_sessions v, page_stats(v.s) r
              EXCEPT ALL SELECT * FROM oracle_pages)
             UNION ALL
             (SELECT * FROM oracle_pages
              EXCEPT ALL SELECT v.visitor_id, r.* FROM visitor_sessions v, page_stats(v.s) r)) d),
          0::bigint, 'page_stats equals the plain-SQL page counts and times on page');
SELECT is((SELECT array[sum(session_count(s)), sum(bounce_count(s)), sum(engaged_count(s))]::bigint[] FROM visitor_sessions),
          (SELECT array[count(*), count(*) FILTER (WHERE is_bounce),
                        count(*) FILTER (WHERE duration >= interval '10 seconds' OR pageviews >= 2)]::bigint[]
           FROM oracle_sessions),
          'session_count, bounce_count and engaged_count (GA4: >= 10 s or >= 2 page views)');
SELECT is((SELECT sum(total_duration(s)) FROM visitor_sessions), (SELECT sum(duration) FROM oracle_sessions),
          'total_duration is the sum of session durations');

-- The edge cases by hand.
SELECT is((SELECT array_agg(entry_page || '>' || exit_page || ':' || events ORDER BY session_no)
           FROM visitor_sessions, session_rows(s) WHERE visitor_id = -1),
          array['/a>/c:4'], 'equal timestamps: the page-less event first, then pages in byte order');
SELECT is((SELECT array_agg(events ORDER BY session_no) FROM visitor_sessions, session_rows(s) WHERE visitor_id = -2),
          array[2, 1]::bigint[], 'a pause of exactly the gap does not split; one microsecond more does');
SELECT is((SELECT array[session_count(s), bounce_count(s)] FROM visitor_sessions WHERE visitor_id = -3),
          array[1, 1]::bigint[], 'one page view: one session, a bounce');
SELECT is((SELECT array[session_count(s), bounce_count(s), engaged_count(s)] FROM visitor_sessions WHERE visitor_id = -4),
          array[1, 0, 0]::bigint[], 'one event without a page: a session, no bounce, not engaged');
SELECT is((SELECT array_agg(duration ORDER BY session_no) FROM visitor_sessions, session_rows(s) WHERE visitor_id = -5),
          array[interval '20 minutes', interval '20 minutes'], 'across DST and midnight: 20 real minutes, one session each');
SELECT is((SELECT array[views, timed_views, bounces]::bigint[] || array[extract(epoch FROM time_on_page_total)::bigint]
           FROM visitor_sessions, page_stats(s) WHERE visitor_id = -6),
          array[1, 1, 0, 30]::bigint[], 'a page view followed by an event: timed 30 s, not a bounce');
SELECT is((SELECT array_agg(page || ':' || views) FROM visitor_sessions, page_stats(s) WHERE visitor_id = -7),
          array[':2'], 'an empty page is a page');

-- path_edges against plain SQL: consecutive page views of a session (row_number among them),
-- summed over visitors; visitors = the visitors with that transition.
CREATE TEMP TABLE oracle_paths AS
WITH pv AS (
  SELECT visitor_id, session_no, rn, pg,
         row_number() OVER (PARTITION BY visitor_id, session_no ORDER BY rn) AS k,
         lead(pg) OVER (PARTITION BY visitor_id, session_no ORDER BY rn) AS next_pg
  FROM oracle_events WHERE pg IS NOT NULL
)
SELECT k::int AS step, pg AS from_page, next_pg AS to_page, count(*) AS transitions,
       count(DISTINCT visitor_id) AS visitors
FROM pv WHERE next_pg IS NOT NULL AND k <= 3 GROUP BY 1, 2, 3;
SELECT is((SELECT count(*) FROM (
             (SELECT p.step, p.from_page, p.to_page, sum(p.transitions)::bigint, count(*)
              FROM visitor_sessions v, path_edges(v.s, 3) p GROUP BY 1, 2, 3
              EXCEPT ALL SELECT * FROM oracle_paths)
             UNION ALL
             (SELECT * FROM oracle_paths
              EXCEPT ALL SELECT p.step, p.from_page, p.to_page, sum(p.transitions)::bigint, count(*)
              FROM visitor_sessions v, path_edges(v.s, 3) p GROUP BY 1, 2, 3)) d),
          0::bigint, 'path_edges (3 steps) equals consecutive page views in plain SQL');
SELECT ok((SELECT count(*) FROM oracle_paths) > 10, 'the path oracle has more than 10 edges');
SELECT is((SELECT array_agg(step || ':' || from_page || '>' || to_page || '=' || transitions ORDER BY step)
           FROM visitor_sessions, path_edges(s, 5, '/pricing') WHERE visitor_id = -2),
          NULL::text[], 'from a start page: /pricing ends its session, no transition');
SELECT is((SELECT array_agg(step || ':' || from_page || '>' || to_page || '=' || transitions ORDER BY step)
           FROM visitor_sessions, path_edges(s, 5, '/a') WHERE visitor_id = -1),
          array['1:/a>/b=1', '2:/b>/c=1'], 'from a start page: the path starts at its first view');

-- session_quality against plain SQL: events in [ts, ts + 60 s) of the same session, page views
-- whose next event of the session came less than a second later.
CREATE TEMP TABLE oracle_quality AS
WITH peak AS (
  SELECT a.visitor_id, a.session_no, max(c) AS peak
  FROM (SELECT x.visitor_id, x.session_no, x.rn,
               (SELECT count(*) FROM oracle_events y
                WHERE y.visitor_id = x.visitor_id AND y.session_no = x.session_no
                  AND y.ts >= x.ts AND y.ts < x.ts + interval '60 seconds') AS c
        FROM oracle_events x) a
  GROUP BY 1, 2
), sub AS (
  SELECT visitor_id, session_no,
         count(*) FILTER (WHERE pg IS NOT NULL AND next_ts - ts < interval '1 second') AS subsecond
  FROM (SELECT *, lead(ts) OVER (PARTITION BY visitor_id, session_no ORDER BY rn) AS next_ts FROM oracle_events) e
  GROUP BY 1, 2
)
SELECT s.visitor_id, s.session_no, s.started, s.events, s.pageviews, p.peak::int, u.subsecond,
       s.events > 100 OR p.peak > 60 OR (s.pageviews >= 5 AND 2 * u.subsecond >= s.pageviews) AS suspicious
FROM oracle_sessions s JOIN peak p USING (visitor_id, session_no) JOIN sub u USING (visitor_id, session_no);
SELECT is((SELECT count(*) FROM (
             (SELECT v.visitor_id, q.* FROM visitor_sessions v, session_quality(v.s) q
              EXCEPT ALL SELECT * FROM oracle_quality)
             UNION ALL
             (SELECT * FROM oracle_quality
              EXCEPT ALL SELECT v.visitor_id, q.* FROM visitor_sessions v, session_quality(v.s) q)) d),
          0::bigint, 'session_quality equals plain SQL, every column of every session');
SELECT is((SELECT array_agg(DISTINCT visitor_id ORDER BY visitor_id) FROM visitor_sessions v, session_quality(v.s) q
           WHERE q.suspicious),
          (SELECT array_agg(DISTINCT visitor_id ORDER BY visitor_id) FROM events WHERE visitor_id >= 3000000000),
          'the suspicious visitors are exactly the sample''s bots');
SELECT is((SELECT count(DISTINCT visitor_id) FROM events WHERE visitor_id >= 3000000000), 12::bigint,
          'the sample has its 12 bot visitors (4 a day on 3 days)');

-- Defaults, NULL ts ignored, and the gap parameter.
SELECT is((SELECT array[session_count(sessions_agg(ts)), bounce_count(sessions_agg(ts))] FROM ev WHERE visitor_id = -2),
          array[2, 0]::bigint[], 'sessions_agg(ts): default gap 30 minutes, no pages, no bounces');
SELECT is((SELECT session_count(sessions_agg(ts, pg, '1 hour')) FROM ev WHERE visitor_id = -2), 1::bigint,
          'a gap of 1 hour joins the three events');
SELECT is((SELECT session_count(sessions_agg(t, 'x')) FROM (VALUES (NULL::timestamptz), ('2025-01-01'), (NULL)) v(t)),
          1::bigint, 'NULL times are ignored');

-- Stored values: text and bytea round trips, sessions_rollup of per-day values equals the whole.
SELECT is((SELECT count(*) FROM visitor_sessions
           WHERE (s::text::sessions)::bytea <> s::bytea OR (s::bytea::sessions)::text <> s::text),
          0::bigint, 'text and bytea forms round-trip');
CREATE TEMP TABLE daily AS
SELECT visitor_id, ts::date AS day, sessions_agg(ts, pg, '30 minutes') AS s FROM ev GROUP BY 1, 2;
SELECT is((SELECT count(*) FROM visitor_sessions v
           JOIN (SELECT visitor_id, sessions_rollup(s) AS s FROM daily GROUP BY 1) r USING (visitor_id)
           WHERE r.s::bytea <> v.s::bytea),
          0::bigint, 'sessions_rollup of per-day values is the per-visitor value (sessions across midnight join again)');

-- Forced parallel: per-visitor groups split across workers, combined exactly.
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL enable_indexscan = off;
SET LOCAL enable_bitmapscan = off;
SET LOCAL enable_hashagg = off;
ANALYZE ev;
SELECT ok((SELECT bool_or(p LIKE '%Partial%Aggregate%') FROM pg_temp.explain_lines(
             $q$SELECT visitor_id, sessions_agg(ts, pg, '30 minutes') FROM ev GROUP BY visitor_id$q$) p),
          'sessions_agg runs as a partial aggregate in parallel workers');
SELECT is((SELECT count(*) FROM visitor_sessions v
           JOIN (SELECT visitor_id, sessions_agg(ts, pg, '30 minutes') AS s FROM ev GROUP BY visitor_id) p USING (visitor_id)
           WHERE p.s::bytea <> v.s::bytea),
          0::bigint, 'forced parallel gives the serial values');
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET enable_indexscan;
RESET enable_bitmapscan;
RESET enable_hashagg;

-- traffic_anomalies: a year of daily traffic with weekly seasonality (weekends at a third),
-- a linear trend and deterministic noise of +-20 (a Weyl sequence); spikes and drops injected on known days.
CREATE TEMP TABLE series AS
SELECT d::date AS day,
       (CASE WHEN extract(isodow FROM d) >= 6 THEN 300 ELSE 1000 END) * (1 + 0.0003 * (d::date - date '2025-01-01'))
         + 40 * (((d::date - date '2025-01-01') * 0.6180339887) % 1 - 0.5) AS clean
FROM generate_series(date '2025-01-01', date '2025-12-31', interval '1 day') d;
CREATE TEMP TABLE injected(day date, factor float8);
INSERT INTO injected VALUES ('2025-04-15', 3), ('2025-06-07', 4), ('2025-08-20', 0.2), ('2025-11-03', 0.1), ('2025-12-10', 2.5);
SELECT is((SELECT count(*) FROM (SELECT array_agg(day ORDER BY day) d, array_agg(clean ORDER BY day) v FROM series) s,
                                 traffic_anomalies(d, v) a WHERE a.is_anomaly),
          0::bigint, 'a clean seasonal series with a trend: nothing flagged');
SELECT is((SELECT array_agg(a.day ORDER BY a.day)
           FROM (SELECT array_agg(day ORDER BY day) d,
                        array_agg(clean * coalesce(i.factor, 1) ORDER BY day) v
                 FROM series LEFT JOIN injected i USING (day)) s,
                traffic_anomalies(d, v) a WHERE a.is_anomaly),
          (SELECT array_agg(day ORDER BY day) FROM injected), 'exactly the injected spikes and drops are flagged');
SELECT is((SELECT count(*) FILTER (WHERE score IS NULL) FROM
             (SELECT array_agg(day ORDER BY day) d, array_agg(clean ORDER BY day) v FROM series) s, traffic_anomalies(d, v) a),
          56::bigint, 'the first 8 weeks (56 days) have no score, without error');
-- One day by hand: the same weekday of the 8 weeks before, their median and MAD in plain SQL.
SELECT is((SELECT round(a.score::numeric, 9) FROM (SELECT array_agg(day ORDER BY day) d, array_agg(clean ORDER BY day) v
                                                   FROM series) s, traffic_anomalies(d, v) a WHERE a.day = '2025-09-17'),
          (WITH h AS (SELECT clean FROM series WHERE day IN (SELECT date '2025-09-17' - 7 * w FROM generate_series(1, 8) w)),
                m AS (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY clean) AS med FROM h),
                mad AS (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(clean - med)) AS mad FROM h, m)
           SELECT round((0.6745 * ((SELECT clean FROM series WHERE day = '2025-09-17') - med) / mad)::numeric, 9) FROM m, mad),
          'the score of one day equals 0.6745 (x - median) / MAD in plain SQL');

SELECT * FROM finish();
ROLLBACK;
