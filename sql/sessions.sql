-- sessions: behaviour and the SQLSTATE of every error (test/pgtap/sessions.sql
-- has the plain-SQL oracles on the sample data).
-- default verbosity (no source line numbers); each error's SQLSTATE echoed after it
SET timezone = 'UTC';
CREATE TEMP TABLE hits(v int, ts timestamptz, page text);
INSERT INTO hits VALUES
  (1, '2025-01-01 10:00:00', '/'), (1, '2025-01-01 10:00:05', '/pricing'),
  (1, '2025-01-01 10:30:05', NULL), (1, '2025-01-01 11:00:06', '/docs'),
  (2, '2025-01-01 10:00:00', '/');
-- visitor 1: session 1 = 10:00:00 /, 10:00:05 /pricing, 10:30:05 (event) [30:00 later: joins];
-- session 2 = 11:00:06 /docs (30:01 later), a bounce.  Visitor 2: one bounce.
SELECT v, s, session_count(s), bounce_count(s), engaged_count(s), total_duration(s)
FROM (SELECT v, sessions_agg(ts, page) AS s FROM hits GROUP BY v) x ORDER BY v;
SELECT v, r.* FROM (SELECT v, sessions_agg(ts, page) AS s FROM hits GROUP BY v) x, session_rows(s) r ORDER BY v, session_no;
SELECT v, r.* FROM (SELECT v, sessions_agg(ts, page) AS s FROM hits GROUP BY v) x, page_stats(s) r ORDER BY v, page;
-- no rows, only NULL times: NULL
SELECT sessions_agg(ts) IS NULL AS empty FROM hits WHERE false;
SELECT sessions_agg(NULL::timestamptz, 'x', '1 minute') IS NULL AS only_null_ts;
-- the text form reads back; a value with a different gap cannot be rolled up with it
SELECT session_count('sessions:0100d2496b0000000001000000010000002f0100000000e898e0a0cd020000000000'::sessions);
SELECT session_count(sessions_rollup(s)) FROM (SELECT sessions_agg(ts, page, '1 minute') s FROM hits
                                               UNION ALL SELECT sessions_agg(ts, page, '1 hour') FROM hits) x;
\echo sqlstate :LAST_ERROR_SQLSTATE
-- errors
SELECT sessions_agg(ts, page, '0 seconds') FROM hits;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT sessions_agg(ts, page, '-1 minute') FROM hits;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT sessions_agg(ts, page, '1 month') FROM hits;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT sessions_agg(ts, page, NULL) FROM hits;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT sessions_agg(t, 'x') FROM (VALUES (timestamptz 'infinity')) v(t);
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT sessions_agg(ts, page, CASE WHEN v = 1 THEN interval '1 minute' ELSE '2 minutes' END) FROM hits;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT 'sessions:02'::sessions;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT 'sessions:zz'::sessions;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT 'other:01'::sessions;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT '\x01'::bytea::sessions;
\echo sqlstate :LAST_ERROR_SQLSTATE
-- gap 1 us, two events at the same time, one page twice: out of order pages rejected
SELECT ('\x01' || '0100000000000000' || '02000000' || '0100000062' || '0100000061' || '00000000')::bytea::sessions;
\echo sqlstate :LAST_ERROR_SQLSTATE
-- quality: 12 page views 0.3 s apart (a bot) and visitor 1's sessions (people)
SELECT q.* FROM (SELECT sessions_agg(timestamptz '2025-01-01' + g * interval '0.3 seconds', '/p' || g % 3) AS s
                 FROM generate_series(1, 12) g) b, session_quality(b.s) q;
SELECT q.* FROM (SELECT sessions_agg(ts, page) AS s FROM hits WHERE v = 1) x, session_quality(x.s) q;
-- paths: visitor 1's sessions are / > /pricing and /docs: one edge
SELECT v, p.* FROM (SELECT v, sessions_agg(ts, page) AS s FROM hits GROUP BY v) x, path_edges(s) p ORDER BY v, step;
SELECT count(*) FROM path_edges(NULL);
SELECT * FROM path_edges((SELECT sessions_agg(ts, page) FROM hits), 0);
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT * FROM path_edges((SELECT sessions_agg(ts, page) FROM hits), NULL);
\echo sqlstate :LAST_ERROR_SQLSTATE
-- anomalies: a weekly series where the last week jumps
SELECT * FROM traffic_anomalies(ARRAY(SELECT date '2025-01-01' + 7 * i FROM generate_series(0, 4) i),
                                ARRAY[10, 12, 11, 13, 40]::float8[], 3);
SELECT count(*) FROM traffic_anomalies('{}', '{}');
SELECT * FROM traffic_anomalies('{2025-01-01,2025-01-01}', '{1,2}');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT * FROM traffic_anomalies('{2025-01-01}', '{1,2}');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT * FROM traffic_anomalies('{2025-01-01}', '{1}', 0);
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT * FROM traffic_anomalies('{2025-01-01}', '{1}', 8, 0);
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT * FROM traffic_anomalies('{2025-01-01}', '{NaN}');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT * FROM traffic_anomalies('{infinity}', '{1}');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT * FROM traffic_anomalies('{NULL}', '{1}');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT * FROM traffic_anomalies(NULL, '{1}');
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT * FROM traffic_anomalies('{{2025-01-01}}', '{{1}}');
\echo sqlstate :LAST_ERROR_SQLSTATE
-- a visitor holds at most 1,048,576 events: one more is 54000; as many is fine
SELECT session_count(sessions_agg(timestamptz '2025-01-01' + g * interval '1 second')) FROM generate_series(1, 1048577) g;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT session_count(sessions_agg(timestamptz '2025-01-01' + g * interval '1 second')) FROM generate_series(1, 1048576) g;
-- serial = forced parallel, per visitor (groups split across workers)
CREATE TABLE sessions_par AS
SELECT (g % 97)::int AS v, timestamptz '2025-01-01' + (g * 37 % 5000) * interval '7 minutes' AS ts,
       CASE WHEN g % 3 = 0 THEN NULL ELSE '/p' || (g % 5) END AS page
FROM generate_series(1, 20000) g;
ANALYZE sessions_par;
CREATE TEMP TABLE serial_result AS
SELECT v, sessions_agg(ts, page) AS s FROM sessions_par GROUP BY v;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT v, sessions_agg(ts, page) FROM sessions_par GROUP BY v;
SELECT count(*) AS differ FROM serial_result r
  JOIN (SELECT v, sessions_agg(ts, page) AS s FROM sessions_par GROUP BY v) p USING (v)
  WHERE p.s::bytea <> r.s::bytea;
SELECT sum(session_count(s)) AS sessions, sum(bounce_count(s)) AS bounces FROM serial_result;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
DROP TABLE sessions_par;

-- Review findings: a forged sessions value whose page is not valid text in the database
-- encoding (bytes ff fe) or holds a NUL byte (61 00) is refused, never read as text.
SELECT '\x0100d2496b000000000100000002000000fffe0100000040f31c0d47ea020000000000'::bytea::sessions;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT '\x0100d2496b00000000010000000200000061000100000040f31c0d47ea020000000000'::bytea::sessions;
\echo sqlstate :LAST_ERROR_SQLSTATE
SELECT session_count('\x0100d2496b00000000010000000200000061620100000040f31c0d47ea020000000000'::bytea::sessions) AS valid_ab;
