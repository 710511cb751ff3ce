-- pgTAP: touch attribution on the sample dataset against plain-SQL oracles
-- (window functions over the events, no touches value), model by model, to the
-- last digit: a lead is a champion visitor, a touch is a page view or a marketing
-- touch (email_open, webinar, case_study_view, sales_call) with its channel, a
-- conversion is its 'paid' event.
BEGIN;
SET client_min_messages = warning;
SELECT plan(14);

CREATE SCHEMA attr_tap;
SET search_path = attr_tap, public;
CALL b2b_sample_generate(0.5, 42);
SET timezone = 'UTC';

CREATE TABLE attr_tap.ev AS
SELECT visitor_id AS lead, ts,
       CASE WHEN event <> 'paid' THEN channel END AS channel, event = 'paid' AS conv
FROM attr_tap.events
WHERE event IN ('page_view', 'email_open', 'webinar', 'case_study_view', 'sales_call', 'paid');
CREATE TABLE attr_tap.leads AS
SELECT lead, touches_agg(ts, channel, conv) AS t FROM attr_tap.ev GROUP BY lead;

SELECT ok((SELECT count(*) FROM attr_tap.ev WHERE conv) > 100, 'the sample has conversions to attribute');

-- Each conversion's path: the touches after the previous conversion, at most 90 days before it.
CREATE TABLE attr_tap.path AS
WITH conv AS (
  SELECT lead, ts AS conv_ts, lag(ts) OVER (PARTITION BY lead ORDER BY ts) AS prev_ts
  FROM attr_tap.ev WHERE conv
), p AS (
  SELECT c.lead, c.conv_ts, e.ts, e.channel,
         row_number() OVER w AS pos, count(*) OVER (PARTITION BY c.lead, c.conv_ts) AS n,
         max(e.ts) OVER (PARTITION BY c.lead, c.conv_ts) AS newest
  FROM conv c JOIN attr_tap.ev e ON e.lead = c.lead AND e.channel IS NOT NULL
   AND e.ts <= c.conv_ts AND e.ts >= c.conv_ts - interval '90 days'
   AND (c.prev_ts IS NULL OR e.ts > c.prev_ts)
  WINDOW w AS (PARTITION BY c.lead, c.conv_ts ORDER BY e.ts, e.channel COLLATE "C")
)
SELECT * FROM p;

-- Units of 10^-10 per touch and model: shares rounded half up in float8 the way the
-- definition says, the remainder to the last touch.
CREATE TABLE attr_tap.oracle_units AS
WITH shares AS (
  SELECT p.*, m.model,
         CASE m.model
           WHEN 'first' THEN CASE WHEN pos = 1 THEN 10000000000 ELSE 0 END
           WHEN 'last' THEN CASE WHEN pos = n THEN 10000000000 ELSE 0 END
           WHEN 'last_non_direct' THEN
             CASE WHEN pos = coalesce(max(pos) FILTER (WHERE channel <> 'direct') OVER (PARTITION BY lead, conv_ts), n)
                  THEN 10000000000 ELSE 0 END
           WHEN 'linear' THEN floor((1.0::float8 / n) * 1e10::float8 + 0.5)
           WHEN 'position' THEN CASE WHEN n = 2 THEN 5000000000
                                     WHEN pos = 1 THEN 4000000000
                                     ELSE floor((0.2::float8 / (n - 2)) * 1e10::float8 + 0.5) END
           WHEN 'time_decay' THEN floor(power(2::float8, -((extract(epoch FROM newest - ts) * 1000000)::float8 / 604800000000::float8))
                                        / sum(power(2::float8, -((extract(epoch FROM newest - ts) * 1000000)::float8 / 604800000000::float8)))
                                          OVER (PARTITION BY m.model, lead, conv_ts ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
                                        * 1e10::float8 + 0.5)
         END::bigint AS units
  FROM attr_tap.path p,
       unnest('{first,last,last_non_direct,linear,position,time_decay}'::text[]) m(model)
)
SELECT model, lead, conv_ts, channel, pos, n,
       CASE WHEN pos < n OR model IN ('first', 'last', 'last_non_direct') THEN units
            ELSE 10000000000 - coalesce(sum(units) FILTER (WHERE pos < n) OVER (PARTITION BY model, lead, conv_ts), 0) END AS units
FROM shares;

CREATE FUNCTION attr_tap.oracle(model text) RETURNS TABLE (channel text, credit numeric) LANGUAGE sql AS $$
  SELECT channel, sum(units) / 10000000000.0 FROM attr_tap.oracle_units WHERE oracle_units.model = $1 GROUP BY 1
  UNION ALL   -- conversions without a touch in the lookback
  SELECT '(none)', count(*) FROM attr_tap.ev c WHERE c.conv AND NOT EXISTS
    (SELECT 1 FROM attr_tap.path p WHERE p.lead = c.lead AND p.conv_ts = c.ts) HAVING count(*) > 0
$$;
CREATE FUNCTION attr_tap.ours(model text) RETURNS TABLE (channel text, credit numeric) LANGUAGE sql AS $$
  SELECT a.channel, sum(a.credit) FROM attr_tap.leads, attribution(t, $1) a GROUP BY 1
$$;

SELECT set_eq('SELECT channel, credit FROM attr_tap.ours(''' || m || ''')',
              'SELECT channel, credit FROM attr_tap.oracle(''' || m || ''')',
              m || ': credit per channel equals the window-function oracle to the last digit')
FROM unnest('{first,last,last_non_direct,linear,position,time_decay}'::text[]) m;

-- Custom position weights (first 0.3, last 0.5): the first's units, the middle's total
-- in units shared per touch, the remainder to the last; 2 touches 0.375 / 0.625.
SELECT set_eq(
  $$SELECT a.channel, sum(a.credit) FROM attr_tap.leads, attribution(t, 'position', '90 days', '{"first": 0.3, "last": 0.5}') a
    WHERE a.channel <> '(none)' GROUP BY 1$$,
  $$WITH u AS (
      SELECT lead, conv_ts, channel, pos, n,
             CASE WHEN n = 1 THEN 0
                  WHEN n = 2 THEN CASE WHEN pos = 1 THEN 3750000000 ELSE 0 END
                  WHEN pos = 1 THEN 3000000000
                  WHEN pos < n THEN floor(((2000000000::float8 / 1e10::float8) / (n - 2)) * 1e10::float8 + 0.5)::bigint
                  ELSE 0 END AS units
      FROM attr_tap.path)
    SELECT channel, sum(CASE WHEN pos < n THEN units
                             ELSE 10000000000 - (SELECT coalesce(sum(units), 0) FROM u u2
                                                 WHERE u2.lead = u.lead AND u2.conv_ts = u.conv_ts AND u2.pos < u2.n) END) / 10000000000.0
    FROM u GROUP BY 1$$,
  'position with first 0.3 and last 0.5: credit per channel equals the oracle to the last digit');

SELECT is((SELECT count(*) FROM (SELECT a.conversion_ts, leads.lead FROM attr_tap.leads, attribution(t, 'time_decay') a
                                 GROUP BY 1, 2 HAVING sum(a.credit) <> 1) x), 0::bigint,
          'every conversion''s time_decay credits sum to exactly 1');
SELECT is((SELECT count(*) FROM attr_tap.leads, attribution(t) a WHERE a.channel = '(none)'),
          (SELECT count(*) FROM attr_tap.ev c WHERE c.conv AND NOT EXISTS
             (SELECT 1 FROM attr_tap.path p WHERE p.lead = c.lead AND p.conv_ts = c.ts)),
          'conversions without a touch in 90 days are (none)');
SELECT is((SELECT sum(a.touches_before) FILTER (WHERE a.position = 1) FROM attr_tap.leads, attribution(t) a),
          (SELECT sum(n) FILTER (WHERE pos = 1) FROM attr_tap.path)::bigint,
          'path lengths (touches_before) equal the oracle''s');

-- The touch curve: touches up to the first conversion (all for leads that never convert).
SELECT set_eq(
  $$SELECT touches_before_conversion(t), touches_converted_at(t) IS NOT NULL, count(*) AS leads FROM attr_tap.leads GROUP BY 1, 2$$,
  $$SELECT (SELECT count(*) FROM attr_tap.ev e WHERE e.lead = l.lead AND e.channel IS NOT NULL
                                              AND (f.first_conv IS NULL OR e.ts <= f.first_conv))::int,
           f.first_conv IS NOT NULL, count(*) AS leads
    FROM (SELECT DISTINCT lead FROM attr_tap.ev) l
    LEFT JOIN LATERAL (SELECT min(ts) FILTER (WHERE conv) AS first_conv FROM attr_tap.ev e WHERE e.lead = l.lead) f ON true
    GROUP BY 1, 2$$,
  'touch curve: touches before the first conversion per lead equal a plain count');
SELECT is((SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY touches_converted_at(t) - touches_first_at(t)) FROM attr_tap.leads),
          (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY c - f) FROM
             (SELECT min(ts) FILTER (WHERE conv) c, min(ts) FILTER (WHERE channel IS NOT NULL) f FROM attr_tap.ev GROUP BY lead) x),
          'median time from first touch to conversion equals the plain-SQL one');

-- Serial and forced-parallel touches values are the same, lead by lead.
SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TABLE attr_tap.serial AS SELECT lead, touches_agg(ts, channel, conv)::text AS t FROM attr_tap.ev GROUP BY lead;
SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0; SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2; SET LOCAL parallel_leader_participation = off;
CREATE TABLE attr_tap.par AS SELECT lead, touches_agg(ts, channel, conv)::text AS t FROM attr_tap.ev GROUP BY lead;
SELECT set_eq('SELECT * FROM attr_tap.serial', 'SELECT * FROM attr_tap.par', 'forced-parallel touches values equal serial ones');

SELECT * FROM finish();
ROLLBACK;
