-- Touch attribution: touches_agg, touches_rollup, attribution, the touch-curve accessors.
-- Every expected value is worked out by hand in the comment above its query.
SET timezone = 'UTC';
SET extra_float_digits = 0;
-- Errors show their message, detail and hint as psql prints them; their SQLSTATEs are
-- pinned in a table after them, through this (the code, or ok).
CREATE FUNCTION pg_temp.sqlstate_of(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE statement;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE;
END $$;

-- Lead 1: email (day 1), social (day 3), direct (day 5), a conversion worth 100 (day 6),
-- then organic (day 8) and a conversion without a value (day 9, worth 1).
-- Lead 2: email (day 1), social (day 2), conversion (day 4).
-- Lead 3: a conversion with no touch at all.
CREATE TABLE attr_rows (lead int, ts timestamptz, channel text, is_conversion boolean, value numeric);
INSERT INTO attr_rows VALUES
  (1, '2025-01-01', 'email', false, NULL), (1, '2025-01-03', 'social', false, NULL),
  (1, '2025-01-05', 'direct', false, NULL), (1, '2025-01-06', NULL, true, 100),
  (1, '2025-01-08', 'organic', false, NULL), (1, '2025-01-09', NULL, true, NULL),
  (2, '2025-01-01', 'email', false, NULL), (2, '2025-01-02', 'social', false, NULL),
  (2, '2025-01-04', NULL, true, 10),
  (3, '2025-01-04', NULL, true, 5),
  (3, NULL, 'email', false, NULL),              -- NULL ts: ignored
  (3, '2025-01-05', NULL, false, NULL);         -- neither a touch nor a conversion: ignored
CREATE TABLE attr_leads AS
SELECT lead, touches_agg(ts, channel, is_conversion, value) AS t FROM attr_rows GROUP BY lead;

-- linear, lead 1: 1/3 each, 0.3333333333 twice and the remainder 0.3333333334 to the last
-- touch; the value is credit x 100.  The second conversion has only the organic touch
-- (the touches before the first conversion count toward it only): 100 %, value 1.
SELECT conversion_ts, channel, touch_ts, position, touches_before, time_to_convert, credit, value
FROM attr_leads, attribution(t) WHERE lead = 1;
-- Every conversion's credits sum to exactly 1.
SELECT lead, conversion_ts, sum(credit) FROM attr_leads, attribution(t) GROUP BY 1, 2 ORDER BY 1, 2;

-- first: email; last: direct; last_non_direct: social (the last touch is direct).
SELECT model, channel, credit
FROM attr_leads, unnest('{first,last,last_non_direct}'::text[]) model, attribution(t, model)
WHERE lead = 1 AND conversion_ts = '2025-01-06' AND credit > 0 ORDER BY model;
-- last_non_direct with another direct channel: 'social' is now the direct one, so direct wins.
SELECT channel, credit FROM attr_leads, attribution(t, 'last_non_direct', '90 days', '{"direct": "social"}')
WHERE lead = 1 AND conversion_ts = '2025-01-06' AND credit > 0;
-- Only direct touches: the last direct touch gets the credit.
SELECT channel, touch_ts, credit FROM attribution(
  (SELECT touches_agg(ts, channel, is_conversion) FROM (VALUES ('2025-01-01'::timestamptz, 'direct', false),
     ('2025-01-02', 'direct', false), ('2025-01-03', NULL, true)) v(ts, channel, is_conversion)),
  'last_non_direct');

-- position: 3 touches 0.4 / 0.2 / 0.4; 2 touches (lead 2) 0.5 / 0.5; 1 touch 1.
SELECT lead, conversion_ts, position, channel, credit FROM attr_leads, attribution(t, 'position')
ORDER BY lead, conversion_ts, position;

-- Custom position weights: first 0.3, last 0.5, the middle 0.2; with 2 touches (lead 2)
-- the ends' proportion 0.3 : 0.5 = 0.375 : 0.625.
SELECT lead, conversion_ts, position, channel, credit
FROM attr_leads, attribution(t, 'position', '90 days', '{"first": 0.3, "last": 0.5}')
WHERE lead IN (1, 2) ORDER BY lead, conversion_ts, position;
-- first 0.1 and last 0.8 (jsonb sets "last" first: the sum is checked at the end): 0.1 / 0.1 / 0.8.
SELECT position, credit FROM attr_leads, attribution(t, 'position', '90 days', '{"first": 0.1, "last": 0.8}')
WHERE lead = 1 AND conversion_ts = '2025-01-06' ORDER BY 1;

-- time_decay (half-life 7 days): ages from the conversion of day 6 are 5, 3 and 1 days;
-- weights 2^(-5/7), 2^(-3/7), 2^(-1/7), normalised, each rounded to 10 decimals half up,
-- the remainder to the last.  The plain formula beside it:
SELECT a.position, a.channel, a.credit,
       CASE WHEN a.position < 3
            THEN round((power(2, -(6 - d) / 7.0) / (power(2, -5 / 7.0) + power(2, -3 / 7.0) + power(2, -1 / 7.0)))::numeric, 10)
       END AS by_formula
FROM attr_leads, attribution(t, 'time_decay') a, LATERAL (SELECT extract(day FROM a.touch_ts)::int AS d) dd
WHERE lead = 1 AND a.conversion_ts = '2025-01-06' ORDER BY 1;
-- half-life 1 day: 2^-4, 2^-2, 1 of 21/16: 1/21 = 0.0476190476, 4/21 = 0.1904761905,
-- the last 1 - 0.2380952381 = 0.7619047619.
SELECT position, credit FROM attr_leads, attribution(t, 'time_decay', '90 days', '{"half_life": "1 day"}')
WHERE lead = 1 AND conversion_ts = '2025-01-06' ORDER BY 1;

-- lookback: 2 days before day 6 reaches back to day 4: only direct (day 5).  12 hours:
-- no touch, so the conversion is credited to '(none)' with its whole value.
SELECT channel, credit, value FROM attr_leads, attribution(t, 'linear', '2 days') WHERE lead = 1 AND conversion_ts = '2025-01-06';
SELECT channel, touch_ts, position, touches_before, time_to_convert, credit, value
FROM attr_leads, attribution(t, 'linear', '12 hours') WHERE lead = 1 AND conversion_ts = '2025-01-06';
-- Lead 3 never had a touch.
SELECT channel, credit, value FROM attr_leads, attribution(t) WHERE lead = 3;
-- A touch exactly lookback before the conversion counts (day 5 to day 6 is 1 day).
SELECT channel, credit FROM attr_leads, attribution(t, 'first', '1 day') WHERE lead = 1 AND conversion_ts = '2025-01-06' AND credit > 0;

-- A row that is a touch and a conversion is its own last touch; at one instant a touch
-- sorts before a conversion, so it counts toward it.
SELECT channel, credit FROM attribution(
  (SELECT touches_agg(ts, channel, is_conversion) FROM (VALUES ('2025-01-01'::timestamptz, 'email', false),
     ('2025-01-02', 'paid_search', true), ('2025-01-03', NULL, true), ('2025-01-03', 'social', false)) v(ts, channel, is_conversion)),
  'linear') ORDER BY 1;

-- The touch curve accessors: lead 1 has 3 touches before it first converts (day 1 to day 6);
-- lead 2 has 2; lead 3 none; a lead that never converts counts all its touches.
SELECT lead, touches_before_conversion(t), touches_first_at(t), touches_converted_at(t),
       touches_converted_at(t) - touches_first_at(t) AS time_to_convert
FROM attr_leads ORDER BY lead;
SELECT touches_before_conversion(t), touches_converted_at(t) FROM
  (SELECT touches_agg(ts, 'email', false) t FROM generate_series('2025-01-01'::timestamptz, '2025-01-05', '1 day') ts) x;

-- ---- the type: text and binary forms, rollup -----------------------------------------
SELECT t::text = (t::text)::touches::text AS text_round_trip,
       t::bytea::touches::text = t::text AS bytea_round_trip,
       left(t::text, 18) AS prefix
FROM attr_leads WHERE lead = 2;
-- The smallest touches value: version 1, no events.
SELECT 'touches:0100000000'::touches, touches_before_conversion('touches:0100000000');
-- touches_rollup of the leads' parts equals touches_agg of all their rows.
SELECT (SELECT touches_rollup(t)::text FROM (SELECT touches_agg(ts, channel, is_conversion, value) t
          FROM attr_rows GROUP BY ts) parts)
     = (SELECT touches_agg(ts, channel, is_conversion, value)::text FROM attr_rows) AS rollup_equals_rows;
-- An empty group has no touches value.
SELECT touches_agg(ts, channel, is_conversion) IS NULL AS empty FROM attr_rows WHERE false;

-- ---- errors ------------------------------------------------------------------------
SELECT * FROM attr_leads, attribution(t, 'u_shaped') WHERE lead = 1;
SELECT * FROM attr_leads, attribution(t, 'time_decay', '90 days', '{"halflife": "7 days"}') WHERE lead = 1;
SELECT * FROM attr_leads, attribution(t, 'linear', '90 days', '{"half_life": "7 days"}') WHERE lead = 1;
SELECT * FROM attr_leads, attribution(t, 'time_decay', '90 days', '{"half_life": "-7 days"}') WHERE lead = 1;
SELECT * FROM attr_leads, attribution(t, 'time_decay', '90 days', '{"half_life": 7}') WHERE lead = 1;
SELECT * FROM attr_leads, attribution(t, 'linear', '90 days', '[]') WHERE lead = 1;
SELECT * FROM attr_leads, attribution(t, 'position', '90 days', '{"first": 0.7}') WHERE lead = 1;
SELECT * FROM attr_leads, attribution(t, 'position', '90 days', '{"first": 1.2, "last": 0}') WHERE lead = 1;
SELECT * FROM attr_leads, attribution(t, 'position', '90 days', '{"last": "0.3"}') WHERE lead = 1;
SELECT * FROM attr_leads, attribution(t, 'linear', '-1 day') WHERE lead = 1;
SELECT * FROM attr_leads, attribution(t, 'linear', '3 months') WHERE lead = 1;
SELECT * FROM attr_leads, attribution(t, NULL) WHERE lead = 1;
SELECT touches_agg(ts, 'email', false) FROM (VALUES ('infinity'::timestamptz)) v(ts);
SELECT touches_agg(ts, NULL, true, 'NaN') FROM (VALUES ('2025-01-01'::timestamptz)) v(ts);
SELECT touches_agg(now(), 'email', g = 100001) FROM generate_series(1, 100001) g;
SELECT 'touches:02'::touches;
SELECT 'touches:0101000000'::touches;
SELECT 'touches:zz'::touches;
SELECT '\x0100000001'::bytea::touches;
-- ts 0, flags 1, channel length 0, value length 0: fine; flags 4: refused.
SELECT 'touches:0101000000000000000000000001000000'::touches IS NOT NULL AS ok;
SELECT 'touches:0101000000000000000000000004000000'::touches;
-- The SQLSTATE of each error above, in order.
SELECT row_number() OVER () AS n, pg_temp.sqlstate_of(q) AS sqlstate FROM (VALUES
  ($$SELECT * FROM attr_leads, attribution(t, 'u_shaped') WHERE lead = 1$$),
  ($$SELECT * FROM attr_leads, attribution(t, 'time_decay', '90 days', '{"halflife": "7 days"}') WHERE lead = 1$$),
  ($$SELECT * FROM attr_leads, attribution(t, 'linear', '90 days', '{"half_life": "7 days"}') WHERE lead = 1$$),
  ($$SELECT * FROM attr_leads, attribution(t, 'time_decay', '90 days', '{"half_life": "-7 days"}') WHERE lead = 1$$),
  ($$SELECT * FROM attr_leads, attribution(t, 'time_decay', '90 days', '{"half_life": 7}') WHERE lead = 1$$),
  ($$SELECT * FROM attr_leads, attribution(t, 'linear', '90 days', '[]') WHERE lead = 1$$),
  ($$SELECT * FROM attr_leads, attribution(t, 'position', '90 days', '{"first": 0.7}') WHERE lead = 1$$),
  ($$SELECT * FROM attr_leads, attribution(t, 'position', '90 days', '{"first": 1.2, "last": 0}') WHERE lead = 1$$),
  ($$SELECT * FROM attr_leads, attribution(t, 'position', '90 days', '{"last": "0.3"}') WHERE lead = 1$$),
  ($$SELECT * FROM attr_leads, attribution(t, 'linear', '-1 day') WHERE lead = 1$$),
  ($$SELECT * FROM attr_leads, attribution(t, 'linear', '3 months') WHERE lead = 1$$),
  ($$SELECT * FROM attr_leads, attribution(t, NULL) WHERE lead = 1$$),
  ($$SELECT touches_agg(ts, 'email', false) FROM (VALUES ('infinity'::timestamptz)) v(ts)$$),
  ($$SELECT touches_agg(ts, NULL, true, 'NaN') FROM (VALUES ('2025-01-01'::timestamptz)) v(ts)$$),
  ($$SELECT touches_agg(now(), 'email', g = 100001) FROM generate_series(1, 100001) g$$),
  ($$SELECT 'touches:02'::touches$$),
  ($$SELECT 'touches:0101000000'::touches$$),
  ($$SELECT 'touches:zz'::touches$$),
  ($$SELECT '\x0100000001'::bytea::touches$$),
  ($$SELECT 'touches:0101000000000000000000000001000000'::touches IS NOT NULL AS ok$$),
  ($$SELECT 'touches:0101000000000000000000000004000000'::touches$$)) v(q);

-- ---- parallel plans give the serial answers ------------------------------------------
-- 3000 leads, 1 to 12 touches of 5 channels each, a conversion after every fourth touch.
CREATE TABLE attr_par AS
SELECT l AS lead, timestamptz '2025-01-01' + ((l * 7 + k * 13) % 200) * interval '1 day' + k * interval '1 hour' AS ts,
       (ARRAY['email', 'social', 'direct', 'organic', 'paid_search'])[1 + (l + k) % 5] AS channel,
       k % 4 = 3 AS is_conversion, (l % 7) * 10 AS value
FROM generate_series(1, 3000) l, generate_series(0, l % 12) k;
ANALYZE attr_par;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE attr_serial AS
SELECT lead, touches_agg(ts, channel, is_conversion, value)::text AS t FROM attr_par GROUP BY lead;
CREATE TABLE attr_serial_all AS SELECT touches_agg(ts, channel, is_conversion, value)::text AS t FROM attr_par WHERE lead < 400;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) CREATE TABLE attr_parallel_all AS
SELECT touches_agg(ts, channel, is_conversion, value)::text AS t FROM attr_par WHERE lead < 400;
CREATE TABLE attr_parallel_all AS
SELECT touches_agg(ts, channel, is_conversion, value)::text AS t FROM attr_par WHERE lead < 400;
CREATE TABLE attr_parallel AS
SELECT lead, touches_agg(ts, channel, is_conversion, value)::text AS t FROM attr_par GROUP BY lead;
-- touches_rollup of the stored per-lead values, partial in the workers (a touches state).
CREATE TABLE attr_stored AS SELECT lead, t::touches AS t FROM attr_serial;
ANALYZE attr_stored;
EXPLAIN (COSTS OFF) SELECT touches_rollup(t) FROM attr_stored WHERE lead < 400;
CREATE TABLE attr_parallel_rollup AS SELECT touches_rollup(t)::text AS t FROM attr_stored WHERE lead < 400;
SELECT (SELECT t FROM attr_parallel_rollup) = (SELECT t FROM attr_serial_all) AS rollup_equals_rows;
SELECT (SELECT t FROM attr_serial_all) = (SELECT t FROM attr_parallel_all) AS same_state,
       (SELECT count(*) FROM attr_serial) AS leads,
       (SELECT count(*) FROM (SELECT * FROM attr_serial EXCEPT SELECT * FROM attr_parallel) d) AS leads_differing;
RESET ALL;
SET timezone = 'UTC';
-- Linear credit per channel over all leads: credits sum to the number of conversions.
SELECT (SELECT sum(credit) FROM attr_serial, attribution(t::touches)) AS credit,
       (SELECT count(*) FROM attr_par WHERE is_conversion) AS conversions;

-- ---- untyped parameters resolve (what a dashboard binds) -----------------------------
PREPARE attr_untyped AS SELECT channel, sum(credit) AS credit FROM attr_leads, attribution(t, $1, $2, $3)
  WHERE lead = $4 GROUP BY 1 ORDER BY 1;
EXECUTE attr_untyped('position', '90 days', '{}', 1);
DEALLOCATE attr_untyped;
PREPARE attr_untyped_agg AS SELECT touches_before_conversion(touches_agg(ts, $1, is_conversion, $2)) FROM attr_rows;
EXECUTE attr_untyped_agg('email', 3);
DEALLOCATE attr_untyped_agg;

DROP TABLE attr_rows, attr_leads, attr_par, attr_serial, attr_serial_all, attr_parallel_all, attr_parallel,
           attr_stored, attr_parallel_rollup;

-- Review findings: a forged touches value whose channel is not valid text in the database
-- encoding (bytes ff fe) or holds a NUL byte (61 00) is refused (22P03), never read as text.
SELECT pg_temp.sqlstate_of($$SELECT '\x0102000000402bd4e047ea0200010200fffe00402bd4e047eb02000200000131'::bytea::touches$$) AS invalid_utf8,
       pg_temp.sqlstate_of($$SELECT '\x0102000000402bd4e047ea0200010200610000402bd4e047eb02000200000131'::bytea::touches$$) AS nul_byte,
       pg_temp.sqlstate_of($$SELECT '\x0102000000402bd4e047ea0200010200616200402bd4e047eb02000200000131'::bytea::touches$$) AS valid_ab;
