-- funnel_step and funnel_counts: semantics, edge cases and errors.
-- Every expected level below was worked out by hand from the definitions in
-- README.md ("Conversion funnels"); steps are written A, B, C, D.
SET timezone = 'UTC';

-- A little helper: the level of a funnel over (seconds, event) pairs, so a
-- case reads like the README.  Window in seconds.
CREATE FUNCTION pg_temp.level(events text, win int, mode text DEFAULT 'default', nsteps int DEFAULT 3)
RETURNS int LANGUAGE sql AS $$
  SELECT funnel_step(timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => split_part(e, '@', 2)::int),
                     make_interval(secs => win), mode,
                     VARIADIC (SELECT array_agg(split_part(e, '@', 1) LIKE '%' || s || '%' ORDER BY i)
                               FROM unnest('{A,B,C,D,E}'::text[]) WITH ORDINALITY u(s, i) WHERE i <= nsteps))
  FROM unnest(string_to_array(events, ' ')) e
$$;

-- Default mode: steps in order within the window, ties count as in order.
SELECT pg_temp.level('A@0 B@1 C@2', 10) AS abc_3,
       pg_temp.level('A@0 C@1 B@2', 10) AS acb_2,
       pg_temp.level('B@0 C@1', 10) AS no_start_0,
       pg_temp.level('A@5 B@5 C@5', 10) AS ties_3,
       pg_temp.level('C@0 B@0 A@0', 10) AS ties_any_order_3,
       pg_temp.level('ABC@0', 10) AS one_row_three_steps_3,
       pg_temp.level('AC@0 B@1', 10) AS multi_step_row_2;

-- The window: a row exactly at the edge counts, one second later does not.
SELECT pg_temp.level('A@0 B@5 C@10', 10) AS edge_3,
       pg_temp.level('A@0 B@5 C@11', 10) AS past_edge_2,
       pg_temp.level('A@0 A@3 B@5 C@11', 10) AS later_start_3;

-- Microsecond precision at the edge, and a window given in days (24 hours).
SELECT funnel_step(ts, '1 day', e = 'A', e = 'B') AS edge_day_2
FROM (VALUES ('2024-03-30 12:00:00+00'::timestamptz, 'A'), ('2024-03-31 12:00:00+00', 'B')) v(ts, e);
SELECT funnel_step(ts, '1 day', e = 'A', e = 'B') AS one_microsecond_late_1
FROM (VALUES ('2024-03-30 12:00:00+00'::timestamptz, 'A'), ('2024-03-31 12:00:00.000001+00', 'B')) v(ts, e);
SELECT funnel_step(ts, make_interval(days => 2, hours => -24), e = 'A', e = 'B') AS mixed_sign_interval_2
FROM (VALUES ('2024-03-30 12:00:00+00'::timestamptz, 'A'), ('2024-03-31 12:00:00+00', 'B')) v(ts, e);

-- The plain-SQL "first occurrence" mistake: the first page view is too early,
-- the attempt that converts starts later.  funnel_step finds it.
CREATE TEMP TABLE attempts (visitor int, ts timestamptz, event text);
INSERT INTO attempts VALUES
  (1, '2024-01-01', 'page_view'), (1, '2024-01-20', 'page_view'),
  (1, '2024-01-21', 'signup'), (1, '2024-01-22', 'paid'),
  (2, '2024-01-01', 'page_view'), (2, '2024-01-09', 'signup');
SELECT visitor,
       funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'paid') AS level
FROM attempts GROUP BY visitor ORDER BY visitor;
-- What the first-occurrence self-join says (wrong for visitor 1):
SELECT f.visitor, (s.ts IS NOT NULL AND s.ts - f.ts <= '7 days')::int + 1 AS first_occurrence_level
FROM (SELECT visitor, min(ts) ts FROM attempts WHERE event = 'page_view' GROUP BY visitor) f
LEFT JOIN (SELECT visitor, min(ts) ts FROM attempts WHERE event = 'signup' GROUP BY visitor) s USING (visitor)
ORDER BY f.visitor;

-- NULL times are ignored, NULL conditions are false, no match gives 0.
SELECT funnel_step(ts, '1 hour', c1, c2) AS nulls_ignored_1
FROM (VALUES (NULL::timestamptz, true, true), ('2024-01-01', true, NULL), ('2024-01-01 00:10', NULL, NULL)) v(ts, c1, c2);
SELECT funnel_step(ts, '1 hour', e = 'A', e = 'B') AS null_event_1
FROM (VALUES ('2024-01-01'::timestamptz, 'A'), ('2024-01-01 00:10', NULL)) v(ts, e);
SELECT funnel_step(ts, '1 hour', false, false) AS no_match_0
FROM (VALUES ('2024-01-01'::timestamptz)) v(ts);
SELECT funnel_step(ts, '1 hour', true) AS no_rows_0 FROM (SELECT now() WHERE false) v(ts);
SELECT funnel_step(ts, '1 hour', 'strict_order', true, true) AS no_rows_mode_0 FROM (SELECT now() WHERE false) v(ts);

-- Infinite timestamps are ordinary extremes (no overflow in the window test).
SELECT funnel_step(ts, '100000 days', e = 'A', e = 'B') AS infinities_1
FROM (VALUES ('-infinity'::timestamptz, 'A'), ('infinity', 'B')) v(ts, e);
SELECT funnel_step(ts, '1 day', e = 'A', e = 'B') AS both_at_infinity_2
FROM (VALUES ('infinity'::timestamptz, 'A'), ('infinity', 'B')) v(ts, e);

-- strict_increase: strictly increasing times, one step per row.  The maximum
-- is found where a greedy scan (ClickHouse) stops at 2.
SELECT pg_temp.level('A@0 B@1 B@2 C@2', 10) AS default_3,
       pg_temp.level('A@0 B@1 B@2 C@2', 10, 'strict_increase') AS strict_increase_3,
       pg_temp.level('A@0 B@1 C@1', 10, 'strict_increase') AS tie_2,
       pg_temp.level('A@0 B@0 C@1', 10, 'strict_increase') AS tie_at_start_1,
       pg_temp.level('ABC@0', 10, 'strict_increase') AS one_row_1,
       pg_temp.level('AB@0 BC@1 C@2', 10, 'strict_increase') AS multi_step_rows_3;

-- strict_order: a row whose steps all lie beyond the next step ends the chain.
SELECT pg_temp.level('A@0 C@1 B@2', 10, 'strict_order') AS acb_1,
       pg_temp.level('A@0 B@1 B@2 C@3', 10, 'strict_order') AS abbc_3,
       pg_temp.level('A@0 A@1 B@2 C@3', 10, 'strict_order') AS repeat_ok_3,
       pg_temp.level('A@0 C@1 A@2 B@3 C@4', 10, 'strict_order') AS restart_after_skip_3,
       pg_temp.level('A@0 BD@1 C@2', 10, 'strict_order', 4) AS row_with_next_step_ok_3,
       pg_temp.level('A@0 D@1 B@2 C@3', 10, 'strict_order', 4) AS skip_to_d_1,
       pg_temp.level('A@0 B@1 D@1 C@2', 10, 'strict_order', 4) AS simultaneous_rows_merge_3;
-- Rows matching no step never end a chain (no pre-filtering needed).
SELECT funnel_step(ts, '1 hour', 'strict_order', e = 'A', e = 'B') AS unrelated_rows_ignored_2
FROM (VALUES ('2024-01-01'::timestamptz, 'A'), ('2024-01-01 00:01', 'login'), ('2024-01-01 00:02', 'B')) v(ts, e);

-- strict_deduplication: a chain ends at a row repeating a passed step other than 1.
SELECT pg_temp.level('A@0 B@1 C@2 B@3 D@4', 10, 'strict_deduplication', 4) AS abcbd_3,
       pg_temp.level('A@0 B@1 C@2 B@3 D@4', 10, 'default', 4) AS abcbd_default_4,
       pg_temp.level('A@0 B@1 A@2 C@3', 10, 'strict_deduplication') AS repeated_start_ok_3,
       pg_temp.level('A@0 B@1 B@2 C@3', 10, 'strict_deduplication') AS second_b_may_be_used_3,
       pg_temp.level('A@0 B@1 BC@2', 10, 'strict_deduplication') AS skips_first_b_3,
       pg_temp.level('A@0 B@1 C@2 BD@3', 10, 'strict_deduplication', 4) AS row_repeating_and_advancing_3,
       pg_temp.level('A@0 B@1 C@2 BD@3', 10, 'default', 4) AS same_default_4;

-- Modes combine; spaces and "default" are allowed in the list.
SELECT pg_temp.level('A@0 B@1 B@2 C@2', 10, 'strict_increase, strict_order') AS combo_3,
       pg_temp.level('A@0 C@1 B@2 C@3', 10, 'strict_increase,strict_order') AS combo_acbc_1,
       pg_temp.level('A@0 B@1 C@2 B@3 D@4', 10, 'default,strict_order,strict_deduplication', 4) AS combo_3b,
       pg_temp.level('A@0 B@1 C@2', 10, '') AS empty_mode_3;

-- The 32-step maximum, one row per step.
SELECT funnel_step(ts, '1 day', VARIADIC (SELECT array_agg(g = i ORDER BY g) FROM generate_series(1, 32) g)) AS steps_32
FROM generate_series(1, 32) i, LATERAL (SELECT timestamptz '2024-01-01' + i * interval '1 minute') t(ts);

-- As a window function: running level per visitor, and a moving frame.
SELECT visitor, ts, event,
       funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'paid')
         OVER (PARTITION BY visitor ORDER BY ts) AS running_level,
       funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'paid')
         OVER (PARTITION BY visitor ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS pair_level,
       funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'paid')
         OVER (PARTITION BY visitor) AS whole_level
FROM attempts ORDER BY visitor, ts;
-- Descending order feeds the rows unsorted: the final sort must not disturb the running state.
SELECT ts, funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'paid')
         OVER (ORDER BY ts DESC) AS level_from_the_end
FROM attempts WHERE visitor = 1 ORDER BY ts DESC;

-- funnel_counts: element k counts groups with level >= k.
SELECT funnel_counts(level, 3) FROM (VALUES (0), (1), (3), (2), (3), (NULL)) v(level);
SELECT funnel_counts(level, 1) FROM (VALUES (0), (0)) v(level);
SELECT funnel_counts(level, 2) IS NULL AS no_rows_null FROM (SELECT 1 WHERE false) v(level);
SELECT funnel_counts(level, 3) AS all_null_levels FROM (VALUES (NULL::int)) v(level);
SELECT funnel_counts(level, 3)
FROM (SELECT visitor, funnel_step(ts, '7 days', event = 'page_view', event = 'signup', event = 'paid') AS level
      FROM attempts GROUP BY visitor) per_visitor;

-- funnel_report: the funnel of every entity in the group, from the rows alone.
-- Visitor 1 reaches 3 steps, 2 reaches 2 (its paid comes too late), 3 reaches 1,
-- NULL entities and rows matching no step are not seen: {3, 2, 1}.
CREATE TEMP TABLE report_rows (visitor int, ts timestamptz, event text);
INSERT INTO report_rows VALUES
  (1, '2024-01-01 10:00', 'view'), (1, '2024-01-02 10:00', 'signup'), (1, '2024-01-03 10:00', 'paid'),
  (2, '2024-01-05 10:00', 'signup'), (2, '2024-01-01 10:00', 'view'), (2, '2024-01-20 10:00', 'paid'),
  (3, '2024-01-01 10:00', 'view'), (3, '2024-01-01 11:00', 'other'),
  (NULL, '2024-01-01 10:00', 'view'), (4, NULL, 'view');
SELECT funnel_report(visitor, ts, '7 days', event = 'view', event = 'signup', event = 'paid') AS report
FROM report_rows;
SELECT funnel_counts(level, 3) AS from_per_visitor_levels
FROM (SELECT visitor, funnel_step(ts, '7 days', event = 'view', event = 'signup', event = 'paid') AS level
      FROM report_rows WHERE visitor IS NOT NULL GROUP BY visitor) v;
SELECT funnel_report(visitor, ts, '7 days', 'strict_order', event = 'view', event = 'signup', event = 'paid') AS strict,
       funnel_report(visitor, ts, '7 days', event = 'view', event = 'signup', event = 'paid'
                     ORDER BY visitor, ts) AS streamed
FROM report_rows;
SELECT funnel_report(visitor, ts, '7 days', event = 'view') IS NULL AS no_rows_null
FROM report_rows WHERE false;
SELECT funnel_report(visitor, ts, '7 days', false, false) IS NULL AS rows_but_no_entity_null FROM report_rows;
SELECT funnel_report(NULL::int, ts, '7 days', true) IS NULL AS only_null_entities FROM report_rows;

-- funnel_steps: a funnel as rows for charts; percentages of the first and previous step.
SELECT * FROM funnel_steps('{1000,250,50,0}', '{visit,signup,trial,paid}');
SELECT * FROM funnel_steps('{0,0}');
SELECT count(*) AS no_rows FROM funnel_steps(NULL);
SELECT s.* FROM (SELECT funnel_report(1, now(), '1 day', true, false) AS c) x, funnel_steps(x.c, '{seen,never}') s;

-- funnel_levels, the state of funnel_counts (what Citus sends between nodes): levels
-- {0, 3, 3, 1} of a 3-step funnel are counts 1, 1, 0, 2 at levels 0..3, written as
-- version 1, nsteps 3, then four little-endian int64.  Text and binary forms round-trip.
CREATE AGGREGATE pg_temp.levels_state(int, int) (SFUNC = funnel_levels_transfn, STYPE = funnel_levels);
CREATE AGGREGATE pg_temp.combine_levels(funnel_levels) (SFUNC = funnel_levels_combinefn, STYPE = funnel_levels);
SELECT s AS state, s::text = 'funnel:01030100000000000000010000000000000000000000000000000200000000000000' AS as_by_hand,
       s::text::funnel_levels::text = s::text AS text_round_trip,
       funnel_levels_recv_check.ok AS binary_form_by_hand
FROM (SELECT pg_temp.levels_state(l, 3) AS s FROM (VALUES (0), (3), (3), (1)) v(l)) x,
     LATERAL (SELECT funnel_levels_send(x.s) = '\x01030100000000000000010000000000000000000000000000000200000000000000'::bytea AS ok)
       funnel_levels_recv_check;
SELECT pg_temp.combine_levels(s) AS combined
FROM (VALUES ('funnel:0102010000000000000002000000000000000300000000000000'::funnel_levels),
             ('funnel:0102050000000000000000000000000000000100000000000000')) v(s);
CREATE TEMP TABLE levels_copy AS SELECT pg_temp.levels_state(l, 3) AS s FROM (VALUES (0), (3), (3), (1)) v(l);
COPY levels_copy TO '/tmp/b2b_funnel_levels_regress.bin' (FORMAT binary);
CREATE TEMP TABLE levels_back (s funnel_levels);
COPY levels_back FROM '/tmp/b2b_funnel_levels_regress.bin' (FORMAT binary);
SELECT b.s::text = c.s::text AS binary_copy_round_trip FROM levels_back b, levels_copy c;
SELECT (s::bytea)::funnel_levels::text = s::text AS bytea_round_trip,
       encode(s::bytea, 'hex') = substr(s::text, 8) AS bytea_is_the_binary_form
FROM levels_copy;

-- Errors.
\set VERBOSITY default
SELECT funnel_step(now(), '1 month', true);
SELECT funnel_step(now(), '1 year 2 days', true);
SELECT funnel_step(now(), '0', true);
SELECT funnel_step(now(), '-1 day', true);
SELECT funnel_step(now(), '1 day -24 hours', true);
SELECT funnel_step(now(), NULL, true);
SELECT funnel_step(now(), '1 day', 'strict', true);
SELECT funnel_step(now(), '1 day', 'strict_order,,strict_increase', true);
SELECT funnel_step(now(), '1 day', NULL::text, true);
SELECT funnel_step(now(), '1 day', VARIADIC (SELECT array_agg(true) FROM generate_series(1, 33)));
SELECT funnel_step(now(), '1 day', VARIADIC '{}'::boolean[]);
SELECT funnel_step(now(), '1 day', VARIADIC NULL::boolean[]);
SELECT funnel_step(now(), '1 day', VARIADIC '{{true},{false}}'::boolean[]);
SELECT funnel_step(now(), '2147483647 days', true);
SELECT funnel_step(ts, '1 day', VARIADIC c) FROM (VALUES (now(), '{true}'::boolean[]), (now(), '{true,false}')) v(ts, c);
SELECT funnel_step(ts, w, true) FROM (VALUES (now(), '1 day'::interval), (now(), '2 days')) v(ts, w);
SELECT funnel_step(ts, '1 day', m, true) FROM (VALUES (now(), 'default'), (now(), 'strict_order')) v(ts, m);
SELECT funnel_counts(1, 0);
SELECT funnel_counts(1, 33);
SELECT funnel_counts(4, 3);
SELECT funnel_counts(-1, 3);
SELECT funnel_counts(1, NULL);
SELECT funnel_counts(l, n) FROM (VALUES (1, 3), (1, 4)) v(l, n);
SELECT funnel_report(v, now(), '1 day', true) FROM (VALUES (1.5::numeric)) t(v);
SELECT funnel_report(v, now(), '1 day', 'strict_order,', true) FROM (VALUES (1)) t(v);
SELECT funnel_report(v, ts, '1 day', VARIADIC c) FROM (VALUES (1, now(), '{true}'::boolean[]), (2, now(), '{true,false}')) t(v, ts, c);
SELECT * FROM funnel_steps('{10,5}', '{a}');
SELECT * FROM funnel_steps('{10,NULL}');
SELECT * FROM funnel_steps('{10,-1}');
SELECT * FROM funnel_steps('{{1},{2}}');
SELECT 'funnel:01'::funnel_levels;
SELECT 'funnel:0103000000000000000000000000000000000000000000000000000000000000000000'::funnel_levels;
SELECT 'levels:00'::funnel_levels;
SELECT 'funnel:0g'::funnel_levels;
SELECT funnel_levels_transfn(NULL, 1, 3);
SELECT pg_temp.combine_levels(s)
FROM (VALUES ('funnel:0102010000000000000002000000000000000300000000000000'::funnel_levels),
             ('funnel:010100000000000000000100000000000000'::funnel_levels)) v(s);
-- a count at the top of bigint cannot grow (an initial state at 2^63 - 1)
CREATE AGGREGATE pg_temp.levels_from_max(int, int) (SFUNC = funnel_levels_transfn, STYPE = funnel_levels,
  INITCOND = 'funnel:01010000000000000000ffffffffffffff7f');
SELECT pg_temp.levels_from_max(1, 1);
SELECT '\x01'::bytea::funnel_levels;
-- an entity compared by a nondeterministic collation cannot be an entity, even when
-- another argument carries an explicit collation
CREATE COLLATION pg_temp.case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TEMP TABLE names (name text COLLATE pg_temp.case_insensitive, ts timestamptz);
INSERT INTO names VALUES ('Alice', now()), ('alice', now());
SELECT funnel_report(name, ts, '1 day', true) FROM names;
SELECT funnel_report(name, ts, '1 day', 'default' COLLATE "C", true) FROM names;
