-- health_score, health_score_detail, health_band: hand-worked cases.
-- as_of = 2025-09-01 00:00 UTC, recent 30 days, baseline 90 days:
--   R = (2025-08-02, 2025-09-01], B = (2025-05-04, 2025-08-02].
-- In each case the expected score is worked out by hand in the comment.
SET timezone = 'UTC';
SET extra_float_digits = 0;

CREATE TEMP TABLE ev (grp text, ts timestamptz, signal text);

-- r rows in R (spread over 2025-08-03 ..) and b rows in B (2025-06-01 ..) of one signal
CREATE FUNCTION pg_temp.rows(grp text, signal text, r int, b int)
RETURNS SETOF ev LANGUAGE sql AS $$
  SELECT grp, timestamptz '2025-08-03' + i * interval '1 hour', signal FROM generate_series(1, r) i
  UNION ALL
  SELECT grp, timestamptz '2025-06-01' + i * interval '1 hour', signal FROM generate_series(1, b) i
$$;

INSERT INTO ev SELECT * FROM pg_temp.rows('no_data', 'page_view', 5, 5);         -- no model signal: NULL
INSERT INTO ev VALUES ('out_of_windows', '2025-09-02', 'login'), ('out_of_windows', '2025-01-01', 'login'); -- NULL
INSERT INTO ev SELECT * FROM pg_temp.rows('e0_r_pos', 'login', 2, 0);            -- e = 0 < r: x = 1, 100
INSERT INTO ev SELECT * FROM pg_temp.rows('up_half', 'login', 1, 6);             -- e = 2, x = 0.5, c = 0.5
INSERT INTO ev SELECT * FROM pg_temp.rows('up_half', 'core_feature', 3, 9);      -- e = 3, x = 1, c = 1
                                                                              -- 100 (3 * 0.5 + 5) / 8 = 81.25
INSERT INTO ev SELECT * FROM pg_temp.rows('up_capped', 'login', 5, 3);           -- e = 1, x = 5, c = 1: 100
INSERT INTO ev SELECT * FROM pg_temp.rows('down', 'login', 1, 3);                -- c = 1
INSERT INTO ev SELECT * FROM pg_temp.rows('down', 'help_view', 2, 3);            -- e = 1, x = 2, c = 1/2
                                                                              -- 100 (3 + 0.5) / 4 = 87.5
INSERT INTO ev SELECT * FROM pg_temp.rows('down_x0', 'help_view', 0, 3);         -- x = 0, c = 1
INSERT INTO ev SELECT * FROM pg_temp.rows('down_x0', 'core_feature', 0, 3);      -- x = 0, c = 0
                                                                              -- 100 (1) / 6 = 16.666.. = 16.67
INSERT INTO ev SELECT * FROM pg_temp.rows('down_below', 'help_view', 1, 6);      -- x = 0.5 < 1, c = 1: 100
INSERT INTO ev SELECT * FROM pg_temp.rows('thirds', 'login', 1, 9);              -- e = 3, x = 1/3
                                                                              -- 100 / 3 = 33.333.. = 33.33
INSERT INTO ev SELECT * FROM pg_temp.rows('nulls', 'login', 1, 6);               -- as up_half's login: 50
INSERT INTO ev VALUES ('nulls', NULL, 'login'), ('nulls', '2025-08-20', NULL), ('nulls', NULL, NULL);
INSERT INTO ev VALUES ('case', '2025-08-20', 'Login'), ('case', '2025-08-20', 'login '); -- not "login": NULL
-- Window edges, all login: at as_of (R), at as_of - 30 days (B), 1 us after it (R),
-- at as_of - 120 days (ignored), 1 us after it (B), 1 us after as_of (ignored):
-- r = 2, b = 2, e = 2/3, x = 3, c = 1: 100.
INSERT INTO ev VALUES
  ('edges', '2025-09-01 00:00:00', 'login'),
  ('edges', timestamptz '2025-09-01' - interval '30 days', 'login'),
  ('edges', timestamptz '2025-09-01' - interval '30 days' + interval '1 microsecond', 'login'),
  ('edges', timestamptz '2025-09-01' - interval '120 days', 'login'),
  ('edges', timestamptz '2025-09-01' - interval '120 days' + interval '1 microsecond', 'login'),
  ('edges', timestamptz '2025-09-01' + interval '1 microsecond', 'login');
INSERT INTO ev SELECT * FROM pg_temp.rows('tickets', 'support_ticket', 5, 0);    -- target 2: x = 2.5, c = 0.4
INSERT INTO ev SELECT * FROM pg_temp.rows('tickets_few', 'support_ticket', 1, 0); -- x = 0.5, c = 1
INSERT INTO ev SELECT * FROM pg_temp.rows('tickets_none', 'page_view', 1, 0);    -- x = 0, c = 1 (e = 2 > 0)

\set m '{"recent": "30 days", "baseline": "90 days", "signals": {"login": {"weight": 3}, "core_feature": {"weight": 5}, "help_view": {"weight": 1, "direction": "down"}, "support_ticket": {"weight": 1, "direction": "down", "target": 2}}}'
-- Without support_ticket (its target makes every group have data):
\set m3 '{"recent": "30 days", "baseline": "90 days", "signals": {"login": {"weight": 3}, "core_feature": {"weight": 5}, "help_view": {"weight": 1, "direction": "down"}}}'

SELECT grp,
       health_score(ts, signal, '2025-09-01', :'m3') AS score3,
       health_score(ts, signal, '2025-09-01', :'m') AS score
FROM ev GROUP BY grp ORDER BY grp;

-- The detail of the window edges: 2 recent, 2 baseline.
SELECT health_score_detail(ts, signal, '2025-09-01', :'m3') -> 'signals' -> 'login'
FROM ev WHERE grp = 'edges';

-- The whole detail of one group: help_view costs it 10 points (100 * 1 * (1 - 0.5) / 5).
SELECT jsonb_pretty(health_score_detail(ts, signal, '2025-09-01', :'m'))
FROM ev WHERE grp = 'down';

-- Points lost add up to 100 - score.
SELECT grp, (d ->> 'score')::numeric AS score,
       round(100 - sum((s.value ->> 'points_lost')::numeric), 2) AS from_points_lost
FROM (SELECT grp, health_score_detail(ts, signal, '2025-09-01', :'m') AS d FROM ev GROUP BY grp) g,
     jsonb_each(d -> 'signals') s
GROUP BY grp, d ORDER BY grp;

-- Targets on an up signal: r = 3, target 4: 75.  Target 0: no data when r = 0, x = 1 when r > 0.
-- Half hundredths round up: r = 3, target 32: 9.375 -> 9.38; r = 1, target 32: 3.125 -> 3.13.
SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "target": 4}}}'),
       health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "target": 32}}}'),
       health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "target": 0}}}'),
       health_score(ts, signal, '2025-09-01', '{"signals": {"core_feature": {"weight": 1, "target": 0}}}')
FROM pg_temp.rows('t', 'login', 3, 0);
SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "target": 32}}}')
FROM pg_temp.rows('t', 'login', 1, 0);

-- Decimal weights: login c = 0.5 (weight 0.5), core c = 1 (weight 1.5): 100 (0.25 + 1.5) / 2 = 87.5.
SELECT health_score(ts, signal, '2025-09-01',
                    '{"signals": {"login": {"weight": 0.5}, "core_feature": {"weight": 1.5}}}')
FROM ev WHERE grp = 'up_half';

-- recent and baseline default to 30 and 90 days; other lengths: recent 1 week, baseline 3 weeks
-- (in hours): login r = 1 in (08-25, 09-01], b = 3 in (08-04, 08-25] -> e = 1, c = 1: 100;
-- recent 1 day, baseline 3 weeks: r = 0 in (08-31, 09-01], b = 3 in (08-10, 08-31] (08-10 itself
-- is the open end), e = 3/21, x = 0: 0.
CREATE TEMP TABLE wk (ts timestamptz, signal text);
INSERT INTO wk VALUES ('2025-08-28', 'login'), ('2025-08-10', 'login'), ('2025-08-12', 'login'),
                      ('2025-08-14', 'login'), ('2025-07-01', 'login');
SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1}}}') AS defaults,
       health_score(ts, signal, '2025-09-01', '{"recent": "7 days", "baseline": "504 hours", "signals": {"login": {"weight": 1}}}') AS week,
       health_score(ts, signal, '2025-09-01', '{"recent": "1 day", "baseline": "3 weeks", "signals": {"login": {"weight": 1}}}') AS day
FROM wk;
SELECT health_score_detail(ts, signal, '2025-09-01', '{"recent": "1 day", "baseline": "3 weeks", "signals": {"login": {"weight": 1}}}') -> 'signals'
FROM wk;

-- A group without rows: NULL, like every aggregate.
SELECT health_score(ts, signal, '2025-09-01', :'m'), health_score_detail(ts, signal, '2025-09-01', :'m')
FROM ev WHERE false;

-- A different model per group is allowed (each group parses its own once).
CREATE TEMP TABLE models (grp text, model jsonb);
INSERT INTO models VALUES ('up_half', '{"signals": {"login": {"weight": 1}}}'),
                          ('down', '{"signals": {"help_view": {"weight": 1, "direction": "down"}}}'),
                          ('thirds', '{"signals": {"login": {"weight": 1}, "core_feature": {"weight": 1}}}');
SELECT grp, health_score(ts, signal, '2025-09-01', model)
FROM ev JOIN models USING (grp) GROUP BY grp ORDER BY grp;

-- Other ways to call the aggregates.  As a window function, the running score of the 'down'
-- group by time: the first help view alone gives 100; with a baseline login and no recent one,
-- login has x = 0: 100 (0 + 1) / 4 = 25; the recent login makes it 100, the second recent help
-- view (x = 2, c = 1/2) 87.5.  With grouping sets: login over both groups r = 2, b = 9, x = 2/3:
-- 66.67; all: 100 (3 * 2/3 + 5 + 0.5) / 9 = 83.33.  With the model as a parameter.
SELECT ts, signal, health_score(ts, signal, '2025-09-01', :'m3') OVER (ORDER BY ts, signal)
FROM ev WHERE grp = 'down' ORDER BY ts, signal;
SELECT grp, signal, health_score(ts, signal, '2025-09-01', :'m3')
FROM ev WHERE grp IN ('up_half', 'down')
GROUP BY GROUPING SETS ((grp), (signal), ()) ORDER BY grp, signal;
PREPARE scores(jsonb) AS
  SELECT grp, health_score(ts, signal, '2025-09-01', $1) FROM ev WHERE grp IN ('up_half', 'down') GROUP BY grp ORDER BY grp;
EXECUTE scores(:'m3');
DEALLOCATE scores;

-- health_band: red up to 50, yellow up to 75, green above; custom thresholds.
SELECT s, health_band(s), health_band(s, 60, 80)
FROM (VALUES (0), (50), (50.01), (60), (75), (75.01), (80), (100), (NULL)) v(s);
SELECT health_band(NULL, 60, 80), health_band(70, NULL, 80);

-- Errors: SQLSTATE and message, caught one statement at a time.
CREATE FUNCTION pg_temp.err(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  EXECUTE query;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' DETAIL: ' || nullif(detail, ''), '');
END $$;

-- Errors in the model: SQLSTATE 22023, naming key and value.
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '[1, 2]') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '"login"') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"recent": "30 days"}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": ["login"]}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": 3}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": "3"}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 0}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": -2}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1e16}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "direction": "sideways"}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "direction": "UP"}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "target": -1}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "target": null}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "colour": "red"}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1}}, "window": "30 days"}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"recent": "1 month", "signals": {"login": {"weight": 1}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"baseline": "1 year", "signals": {"login": {"weight": 1}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"recent": "thirty days", "signals": {"login": {"weight": 1}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"recent": 30, "signals": {"login": {"weight": 1}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"recent": "0 days", "signals": {"login": {"weight": 1}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"baseline": "-90 days", "signals": {"login": {"weight": 1}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"baseline": "1 day -25 hours", "signals": {"login": {"weight": 1}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"baseline": "2147483647 days", "signals": {"login": {"weight": 1}}}') FROM ev$q$);
-- The model is checked even when no row is counted.
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 0}}}') FROM ev WHERE ts IS NULL$q$);

-- Errors in the other arguments.
SELECT pg_temp.err($q$SELECT health_score(ts, signal, NULL, '{"signals": {"login": {"weight": 1}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', NULL) FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, 'infinity', '{"signals": {"login": {"weight": 1}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, ts, '{"signals": {"login": {"weight": 1}}}') FROM ev WHERE grp = 'up_half'$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', m) FROM ev,
  (VALUES ('{"signals": {"login": {"weight": 1}}}'::jsonb), ('{"signals": {"login": {"weight": 2}}}')) v(m)
WHERE grp = 'up_half'$q$);
SELECT pg_temp.err($q$SELECT health_band('NaN')$q$);
SELECT pg_temp.err($q$SELECT health_band(60, 80, 70)$q$);

-- Very wide windows saturate instead of overflowing: every past row is in B.
SELECT health_score_detail(ts, signal, '2025-09-01',
         '{"recent": "1 day", "baseline": "100000000 days", "signals": {"login": {"weight": 1}}}') -> 'signals' -> 'login' ->> 'baseline'
FROM ev WHERE grp = 'edges';

-- Issue 10: the model's numbers stay in their documented range, so no number of a detail is
-- infinite.  A target of 1e-320 (a denormal: 1 / 1e-320 overflows) and a weight of 5e-324 (its
-- products underflow to 0, which scored 0.00 where any weight scores 50.00) are errors (22023).
SELECT pg_temp.err($q$SELECT health_score_detail(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "target": 1e-320}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 5e-324}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 9.9e-10}}}') FROM ev$q$);
SELECT pg_temp.err($q$SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "target": 1.1e15}}}') FROM ev$q$);
-- The ends of the range.  up_half's login alone (r = 1, e = 2, c = 1/2) scores 50.00 whatever its
-- weight; with core_feature (c = 1): 100 (1e15 / 2 + 1e-9) / (1e15 + 1e-9) = 50.00 and
-- 100 (1e-9 / 2 + 1e15) / (1e15 + 1e-9) = 100.00.
SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1e-9}}}') AS tiny,
       health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1e15}}}') AS huge,
       health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1e15}, "core_feature": {"weight": 1e-9}}}') AS login_heavy,
       health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1e-9}, "core_feature": {"weight": 1e15}}}') AS core_heavy
FROM ev WHERE grp = 'up_half';
-- The largest ratio: r = 3 against a target of 1e-9 is 3e9 (printed in full, no fixed-size
-- buffer), and the detail reads back as jsonb (it held Infinity for a target of 1e-320).
SELECT d -> 'signals' -> 'login' ->> 'ratio' AS ratio, d::text::jsonb = d AS reparses
FROM (SELECT health_score_detail(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "target": 1e-9}}}') AS d
      FROM pg_temp.rows('t', 'login', 3, 0)) s;
-- Two as_of in one group: the detail names both instants (it printed the same one twice).
SELECT health_score(ts, s, a, '{"signals": {"login": {"weight": 1}}}')
FROM (VALUES (timestamptz '2025-08-20', 'login', timestamptz '2025-09-01'),
             (timestamptz '2025-08-21', 'login', timestamptz '2025-09-02 12:30')) v(ts, s, a);

-- A bad interval in the model is interval_in's error (22007), with the place in the model
-- as its context.
SELECT health_score(ts, signal, '2025-09-01', '{"recent": "thirty days", "signals": {"login": {"weight": 1}}}') FROM ev;
SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1, "direction": 1}}}') FROM ev;

-- ---- health_state: the aggregates' state, a value of its own -------------------------------
-- Its text form is "health:" and the hex of its little-endian binary form: version 2, as_of
-- (int64 microseconds since 2000-01-01), the model's canonical text, the number of signals
-- and the counters.  By hand, for as_of 2000-01-01 00:00:01 UTC (1000000 us = 0x0f4240) and
-- the model {"signals": {"a": {"weight": 1}}} (33 bytes = 0x21) with recent 1, baseline 0:
SELECT encode(convert_to('{"signals": {"a": {"weight": 1}}}', 'UTF8'), 'hex') AS model_hex;
\set one_state 'health:' '0240420f0000000000' '21000000' '7b227369676e616c73223a207b2261223a207b22776569676874223a20317d7d7d' '01000000' '0100000000000000' '0000000000000000'
SELECT :'one_state'::health_state::text = :'one_state' AS text_round_trip,
       (:'one_state'::health_state)::bytea::health_state::text = :'one_state' AS bytea_round_trip;
-- Bad text and bytes: 22P02 for text, 22P03 for bytes, naming what is wrong.
SELECT pg_temp.err($q$SELECT 'uv:00'::health_state$q$);
SELECT pg_temp.err($q$SELECT 'health:0'::health_state$q$);
SELECT pg_temp.err($q$SELECT '\x01'::bytea::health_state$q$);
SELECT pg_temp.err($q$SELECT '\x0240420f0000000000210000007b227369676e616c73223a207b2261223a207b22776569676874223a20317d7d7d010000000100000000000000'::bytea::health_state$q$);
SELECT pg_temp.err($q$SELECT '\x0240420f0000000000210000007b227369676e616c73223a207b2261223a207b22776569676874223a20317d7d7d0100000001000000000000000000000000000080'::bytea::health_state$q$);
SELECT pg_temp.err($q$SELECT '\x0240420f0000000000210000007b227369676e616c73223a207b2261223a207b22776569676874223a20307d7d7d0100000001000000000000000000000000000000'::bytea::health_state$q$);
SELECT pg_temp.err($q$SELECT '\x0240420f0000000000220000007b227369676e616c73223a207b2261223a207b22776569676874223a20317d7d207d0100000001000000000000000000000000000000'::bytea::health_state$q$);
SELECT pg_temp.err($q$SELECT '\x0200000000000000800a0000007b227369676e616c73223a207b2261223a207b22776569676874223a20317d7d7d0100000001000000000000000000000000000000'::bytea::health_state$q$);

-- ---- health_signals: a detail as rows -------------------------------------------------------
-- The 'down' group under m (see the detail above): one row per signal, every field a column.
SELECT s.* FROM (SELECT health_score_detail(ts, signal, '2025-09-01', :'m') AS d FROM ev WHERE grp = 'down') x,
     health_signals(d) s;
-- Ordered by what they cost, what pulls each group down (a dashboard's query).  By hand, with
-- support_ticket (weight 1, c = 1 against its target) in every group: down: help_view
-- 100 x 0.5 / 5 = 10; down_x0: core_feature (c = 0) 100 x 5 / 7 = 71.4286; nulls: login
-- 100 x 3 x 0.5 / 4 = 37.5; thirds: login 100 x 3 x 2/3 / 4 = 50; tickets: support_ticket
-- (c = 0.4) alone 60; up_half: login 100 x 3 x 0.5 / 9 = 16.6667.
SELECT grp, string_agg(s.signal || ' -' || s.points_lost, ', ' ORDER BY s.points_lost DESC, s.signal) AS pulled_down_by
FROM (SELECT grp, health_score_detail(ts, signal, '2025-09-01', :'m') AS d FROM ev GROUP BY grp) x,
     health_signals(d) s
WHERE s.points_lost > 0 GROUP BY grp ORDER BY grp;
SELECT count(*) AS rows_of_null FROM health_signals(NULL);
SELECT pg_temp.err($q$SELECT * FROM health_signals('[1]')$q$);
SELECT pg_temp.err($q$SELECT * FROM health_signals('{"score": 1}')$q$);
SELECT pg_temp.err($q$SELECT * FROM health_signals('{"signals": {"login": {"recent": 1}}}')$q$);

-- ---- double precision twins of health_band ------------------------------------------------
SELECT s, health_band(s), health_band(s, 60, 80)
FROM (VALUES (0::float8), (50), (50.01), (60), (75), (75.01), (80), ('infinity')) v(s);
SELECT pg_temp.err($q$SELECT health_band('NaN'::float8)$q$);
SELECT pg_temp.err($q$SELECT health_band(1::float8, 80, 70.5)$q$);
-- numerics are compared exactly: 75.000000000000000001 is green, though as a double it is 75
SELECT health_band(75.000000000000000001), health_band(75.000000000000000001::float8);

-- ---- parallel plans give the serial answers ----------------------------------------------
-- Partial states (health_state values) are sent from the workers and combined.
CREATE TABLE health_par AS
SELECT a % 500 AS account_id, timestamptz '2025-04-01' + ((a * 7919) % 150) * interval '1 day' + (a % 24) * interval '1 hour' AS ts,
       (ARRAY['login', 'core_feature', 'help_view', 'support_ticket', 'page_view'])[1 + a % 5] AS signal
FROM generate_series(1, 60000) a;
ANALYZE health_par;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE health_serial AS
SELECT account_id, health_score(ts, signal, '2025-09-01', :'m') AS s, health_score_detail(ts, signal, '2025-09-01', :'m') AS d
FROM health_par GROUP BY account_id;
CREATE TABLE health_serial_all AS
SELECT health_score_detail(ts, signal, '2025-09-01', :'m') AS d FROM health_par;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT health_score_detail(ts, signal, '2025-09-01', :'m') AS d FROM health_par;
CREATE TABLE health_parallel_all AS
SELECT health_score_detail(ts, signal, '2025-09-01', :'m') AS d FROM health_par;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT account_id, health_score(ts, signal, '2025-09-01', :'m') FROM health_par GROUP BY account_id;
CREATE TABLE health_parallel AS
SELECT account_id, health_score(ts, signal, '2025-09-01', :'m') AS s, health_score_detail(ts, signal, '2025-09-01', :'m') AS d
FROM health_par GROUP BY account_id;
RESET ALL;
SET timezone = 'UTC';
SET extra_float_digits = 0;
-- A model so small that a state is under 127 bytes: a partial state then crosses the tuple
-- queue with a one-byte header, and the combine function must read it so.
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
CREATE TABLE health_parallel_small AS
SELECT account_id, health_score(ts, signal, '2025-09-01', '{"signals": {"a": {"weight": 1}, "login": {"weight": 1}}}') AS s
FROM health_par GROUP BY account_id;
CREATE TABLE health_parallel_small_all AS
SELECT health_score_detail(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1}}}') AS d FROM health_par;
RESET ALL;
SET timezone = 'UTC';
SET extra_float_digits = 0;
SELECT (SELECT count(*) FROM health_parallel_small p
        JOIN (SELECT account_id, health_score(ts, signal, '2025-09-01', '{"signals": {"a": {"weight": 1}, "login": {"weight": 1}}}') AS s
              FROM health_par GROUP BY account_id) o USING (account_id)
        WHERE o.s IS NOT DISTINCT FROM p.s) AS small_states_same,
       (SELECT d FROM health_parallel_small_all) =
       (SELECT health_score_detail(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1}}}') FROM health_par) AS small_whole_table_same;
SELECT (SELECT count(*) FROM health_serial) AS accounts,
       (SELECT count(*) FROM health_serial s JOIN health_parallel p USING (account_id)
        WHERE s.s IS NOT DISTINCT FROM p.s AND s.d = p.d) AS same,
       (SELECT d FROM health_serial_all) = (SELECT d FROM health_parallel_all) AS same_whole_table;
-- The whole table by hand: 60000 rows, a % 5 picks the signal; the counts of the detail are
-- those of plain SQL.
SELECT s.signal, s.recent = o.recent AND s.baseline = o.baseline AS counts_as_plain_sql
FROM health_serial_all, health_signals(d) s
JOIN (SELECT signal, count(*) FILTER (WHERE ts > '2025-08-02' AND ts <= '2025-09-01') AS recent,
             count(*) FILTER (WHERE ts > '2025-05-04' AND ts <= '2025-08-02') AS baseline
      FROM health_par GROUP BY signal) o USING (signal)
ORDER BY 1;

-- ---- the two-step form: health_state, health_rollup and the accessors ---------------------
-- States per account and shard (a % 4, the way Citus workers hold them), sent as text (what
-- a Citus worker sends the coordinator), rolled up per account: the same scores and details
-- as one aggregate over the rows; and rolled up across all accounts, the whole table's.
CREATE TABLE health_shards AS
SELECT account_id, a_shard, health_state(ts, signal, '2025-09-01', :'m')::text AS st
FROM (SELECT *, (hashtext(ts::text) & 3) AS a_shard FROM health_par) x GROUP BY account_id, a_shard;
SELECT count(*) AS accounts,
       count(*) FILTER (WHERE health_state_score(r) IS NOT DISTINCT FROM s.s AND health_state_detail(r) = s.d) AS same
FROM (SELECT account_id, health_rollup(st::health_state) AS r FROM health_shards GROUP BY account_id) x
JOIN health_serial s USING (account_id);
SELECT health_state_detail(health_rollup(st::health_state)) = (SELECT d FROM health_serial_all) AS same_whole_table
FROM health_shards;
-- Through bytea, and forced parallel.
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
CREATE TABLE health_rolled AS SELECT health_rollup(st::health_state::bytea::health_state) AS r FROM health_shards;
RESET ALL;
SET timezone = 'UTC';
SET extra_float_digits = 0;
SELECT health_state_detail(r) = (SELECT d FROM health_serial_all) AS same_parallel_rollup FROM health_rolled;
-- No rows: NULL; NULL states are skipped; a single state rolls up to itself.
SELECT health_state(ts, signal, '2025-09-01', :'m') IS NULL AS no_rows,
       health_state_score(NULL) IS NULL AS null_score
FROM health_par WHERE false;
SELECT health_rollup(s)::text = (SELECT st FROM health_shards ORDER BY account_id, a_shard LIMIT 1) AS one_state
FROM ((SELECT st::health_state AS s FROM health_shards ORDER BY account_id, a_shard LIMIT 1)
      UNION ALL SELECT NULL) x;
-- States of another as_of or model do not combine.
SELECT pg_temp.err($q$SELECT health_rollup(s) FROM (SELECT health_state(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1}}}') s FROM health_par
  UNION ALL SELECT health_state(ts, signal, '2025-09-02', '{"signals": {"login": {"weight": 1}}}') FROM health_par) x$q$);
SELECT pg_temp.err($q$SELECT health_rollup(s) FROM (SELECT health_state(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 1}}}') s FROM health_par
  UNION ALL SELECT health_state(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 2}}}') FROM health_par) x$q$);
DROP TABLE health_par, health_serial, health_serial_all, health_parallel, health_parallel_all,
           health_parallel_small, health_parallel_small_all, health_shards, health_rolled;

-- ---- hash aggregation stays near work_mem x hash_mem_multiplier --------------------------
-- A group's state is 24 bytes, 16 per signal and the model's text (the declared SSPACE is for
-- four signals).  20,000 groups with work_mem 1MB and hash_mem_multiplier 2: the aggregate
-- spills to disk, its peak stays within a quarter above the 2 MB limit, and the scores are
-- those computed without the limit.
CREATE FUNCTION pg_temp.hash_agg_memory(q text, OUT batches int, OUT peak_kb int) LANGUAGE plpgsql AS $$
DECLARE
  plan jsonb;
  node jsonb;
BEGIN
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q INTO plan;
  node := jsonb_path_query_first(plan, 'strict $.**?(@."Strategy" == "Hashed")');
  batches := (node->>'HashAgg Batches')::int;
  peak_kb := (node->>'Peak Memory Usage')::int;
END $$;
CREATE TABLE health_mem AS
SELECT a % 20000 AS account_id, timestamptz '2025-06-01' + (a % 90) * interval '1 day' AS ts,
       (ARRAY['login', 'core_feature', 'help_view'])[1 + a % 3] AS signal
FROM generate_series(1, 100000) a;
ANALYZE health_mem;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE health_mem_free AS
SELECT account_id, health_score(ts, signal, '2025-09-01', :'m') AS s FROM health_mem GROUP BY account_id;
SET work_mem = '1MB'; SET hash_mem_multiplier = 2; SET enable_sort = off;
SELECT batches > 1 AS spilled, peak_kb <= 2560 AS within_limit
FROM pg_temp.hash_agg_memory(format($q$SELECT account_id, health_score(ts, signal, '2025-09-01', %L) FROM health_mem GROUP BY account_id$q$, :'m'));
CREATE TABLE health_mem_hashed AS
SELECT account_id, health_score(ts, signal, '2025-09-01', :'m') AS s FROM health_mem GROUP BY account_id;
RESET work_mem; RESET hash_mem_multiplier; RESET enable_sort; RESET max_parallel_workers_per_gather;
SELECT count(*) AS accounts,
       count(*) FILTER (WHERE h.s IS NOT DISTINCT FROM o.s) AS same_scores
FROM health_mem_free o JOIN health_mem_hashed h USING (account_id);
DROP TABLE health_mem, health_mem_free, health_mem_hashed;
