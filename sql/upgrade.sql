-- Upgrades: a database that installed 1.0 and ran ALTER EXTENSION b2bmetrics UPDATE
-- has exactly the catalog of a fresh install of the current version, and the values
-- it stored under 1.0 still read.
SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
CREATE SCHEMA upgrade_check;

-- One line per member object of the extension, with everything that defines it
-- (names and signatures, not OIDs, so two installs compare).
CREATE FUNCTION upgrade_check.members() RETURNS SETOF text LANGUAGE sql AS $$
  WITH m AS (
    SELECT d.classid, d.objid, d.objsubid
    FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'b2bmetrics' AND d.deptype = 'e'
  )
  SELECT pg_describe_object(m.classid, m.objid, m.objsubid) || ' | ' || coalesce(CASE
      WHEN m.classid = 'pg_proc'::regclass THEN (
        SELECT format('returns %s; %s; lang %s; %s; %s; strict %s; parallel %s; rows %s; cost %s; args %s; src %s',
                      pg_get_function_result(p.oid), p.prokind, l.lanname, p.provolatile, p.prosecdef,
                      p.proisstrict, p.proparallel, p.prorows, p.procost,
                      pg_get_function_arguments(p.oid), p.prosrc)
          || coalesce((SELECT format('; agg transfn %s finalfn %s combinefn %s serialfn %s deserialfn %s stype %s sspace %s finalextra %s finalmodify %s initcond %s sortop %s mtrans %s',
                                     a.aggtransfn::regprocedure, a.aggfinalfn::regprocedure, a.aggcombinefn::regprocedure,
                                     a.aggserialfn::regprocedure, a.aggdeserialfn::regprocedure,
                                     a.aggtranstype::regtype, a.aggtransspace, a.aggfinalextra, a.aggfinalmodify,
                                     a.agginitval, a.aggsortop::regoperator, a.aggmtransfn::regprocedure)
                       FROM pg_aggregate a WHERE a.aggfnoid = p.oid), '')
        FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.oid = m.objid)
      WHEN m.classid = 'pg_type'::regclass THEN (
        SELECT format('type %s len %s byval %s align %s storage %s in %s out %s recv %s send %s category %s preferred %s; enum %s; attributes %s',
                      t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typinput::regproc,
                      t.typoutput::regproc, t.typreceive::regproc, t.typsend::regproc, t.typcategory,
                      t.typispreferred,
                      (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid),
                      (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
                       FROM pg_attribute WHERE attrelid = t.typrelid AND attnum > 0 AND NOT attisdropped))
        FROM pg_type t WHERE t.oid = m.objid)
      WHEN m.classid = 'pg_cast'::regclass THEN (
        SELECT format('function %s context %s method %s', c.castfunc::regprocedure, c.castcontext, c.castmethod)
        FROM pg_cast c WHERE c.oid = m.objid)
      WHEN m.classid = 'pg_operator'::regclass THEN (
        SELECT format('code %s commutator %s negator %s restrict %s join %s hashes %s merges %s',
                      o.oprcode::regprocedure, o.oprcom::regoperator, o.oprnegate::regoperator,
                      o.oprrest, o.oprjoin, o.oprcanhash, o.oprcanmerge)
        FROM pg_operator o WHERE o.oid = m.objid)
      WHEN m.classid = 'pg_opclass'::regclass THEN (
        SELECT format('default %s type %s; operators %s; functions %s', c.opcdefault, c.opcintype::regtype,
                      (SELECT string_agg(ao.amopstrategy || ' ' || ao.amopopr::regoperator, ', ' ORDER BY ao.amopstrategy)
                       FROM pg_amop ao WHERE ao.amopfamily = c.opcfamily),
                      (SELECT string_agg(ap.amprocnum || ' ' || ap.amproc::regprocedure, ', ' ORDER BY ap.amprocnum)
                       FROM pg_amproc ap WHERE ap.amprocfamily = c.opcfamily))
        FROM pg_opclass c WHERE c.oid = m.objid)
      END, '')
    || ' | comment: ' || coalesce(obj_description(m.objid,
         (SELECT relname FROM pg_class WHERE oid = m.classid)), '-')
  FROM m
$$;

-- A fresh install of the current version.
DROP EXTENSION b2bmetrics CASCADE;
CREATE EXTENSION b2bmetrics;
SELECT extversion AS fresh_version FROM pg_extension WHERE extname = 'b2bmetrics';
CREATE TABLE upgrade_check.fresh AS SELECT * FROM upgrade_check.members() AS line;

-- 1.0, with values stored the way 1.0 stored them.
DROP EXTENSION b2bmetrics CASCADE;
CREATE EXTENSION b2bmetrics VERSION '1.0';
SELECT extversion AS old_version FROM pg_extension WHERE extname = 'b2bmetrics';
CREATE TABLE upgrade_check.stored_sketches (label text, s uvsketch);
-- Bytes as 1.0 wrote them (its hashes of 1, 2, 3 and a hand-made dense p = 4 sketch).
INSERT INTO upgrade_check.stored_sketches VALUES
  ('sparse 1..3', 'uv:010e010003000000cdb921c6315ea06a196f279b7735d778e5a1656bc8faa6c7'),
  ('dense p4', 'uv:01040200000000000001050000000000000000000000003d');
CREATE TABLE upgrade_check.stored_movements (customer int, m mrr_movement);
INSERT INTO upgrade_check.stored_movements VALUES
  (1, ('2025-01-01 00:00+00', 'new', 0, 49.00, 49.00)),
  (1, ('2025-02-01 00:00+00', 'expansion', 49.00, 199.00, 150.00)),
  (2, ('2025-01-01 00:00+00', 'unchanged', 99.00, 99.00, 0.00)),
  (2, ('2025-02-01 00:00+00', 'churn', 99.00, 0, -99.00));
-- revenue: views over what 1.1 renames (the classifier mrr_movement(prev, cur,
-- paid_before) becomes mrr_classify, the aggregate ltv(mrr_movement) ltv_agg) or
-- moves to a new state (churn_rate, mrr_bridge: internal -> mrr_totals).
CREATE VIEW upgrade_check.revenue_kinds AS
SELECT customer, (m).period, mrr_movement((m).mrr_before, (m).mrr_after, customer = 2) AS kind
FROM upgrade_check.stored_movements;
CREATE VIEW upgrade_check.revenue_pooled AS
SELECT churn_rate(m) AS logo, churn_rate(m, 'gross_mrr') AS gross, ltv(m) AS ltv, ltv(m, 0.8) AS ltv_80
FROM upgrade_check.stored_movements;
CREATE VIEW upgrade_check.revenue_bridges AS
SELECT (m).period, (mrr_bridge(m)).end_mrr, (mrr_bridge(m)).churned_customers
FROM upgrade_check.stored_movements GROUP BY 1;
-- revenue: between installing the 1.1 library and ALTER EXTENSION UPDATE, a 1.0
-- function whose C symbol kept its calling convention runs; one whose state
-- changed refuses (55000) rather than misread it.
SELECT mrr_movement(0, 5, false) AS classifier_before_update;
SELECT churn_rate(m) FROM upgrade_check.stored_movements;

-- uv: the 1.0 catalog runs on this library (its renamed C symbols are kept), and a
-- view over the 1.0 aggregates must survive the update.
SELECT uv_hll(x) AS uv_before_update, uv_count(uv_sketch(x, 10)) FROM generate_series(1, 100) x;
CREATE VIEW upgrade_check.uv_view AS
SELECT uv_hll(x) AS n, uv_sketch(x::int8) AS s FROM generate_series(1, 100) x;

-- health: a score and a detail as 1.0 stored them (worked by hand: login r = 1, b = 3, e = 1,
-- c = 1; help_view (down) r = 2, b = 3, e = 1, x = 2, c = 1/2: 100 (3 + 0.5) / 4 = 87.50, and
-- help_view loses 100 x 1 x 0.5 / 4 = 12.5 points), and a view over the aggregates, whose
-- internal state 1.1 replaces by health_state: before the update they refuse (55000).
CREATE TABLE upgrade_check.stored_health (score numeric, detail jsonb);
INSERT INTO upgrade_check.stored_health VALUES (87.50,
  '{"score": 87.50, "signals": {"login": {"ratio": 1, "recent": 1, "target": null, "weight": 3, "baseline": 3, "expected": 1, "has_data": true, "component": 1, "direction": "up", "points_lost": 0}, "help_view": {"ratio": 2, "recent": 2, "target": null, "weight": 1, "baseline": 3, "expected": 1, "has_data": true, "component": 0.5, "direction": "down", "points_lost": 12.5}}, "signals_with_data": 2}');
CREATE VIEW upgrade_check.health_events AS
SELECT * FROM (VALUES (timestamptz '2025-08-20', 'login'), ('2025-06-01', 'login'), ('2025-06-02', 'login'),
                      ('2025-06-03', 'login'), ('2025-08-21', 'help_view'), ('2025-08-22', 'help_view'),
                      ('2025-06-04', 'help_view'), ('2025-06-05', 'help_view'), ('2025-06-06', 'help_view')) v(ts, signal);
CREATE VIEW upgrade_check.health_view AS
SELECT health_score(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 3}, "help_view": {"weight": 1, "direction": "down"}}}') AS score,
       health_score_detail(ts, signal, '2025-09-01', '{"signals": {"login": {"weight": 3}, "help_view": {"weight": 1, "direction": "down"}}}') AS detail
FROM upgrade_check.health_events;
SELECT score FROM upgrade_check.health_view;
SELECT health_band(score) AS band_before_update FROM upgrade_check.stored_health;

ALTER EXTENSION b2bmetrics UPDATE;
SELECT extversion AS updated_version FROM pg_extension WHERE extname = 'b2bmetrics';

-- The catalog: both differences must be empty.
SELECT line AS only_in_fresh_install FROM upgrade_check.fresh
EXCEPT SELECT line FROM upgrade_check.members() AS line ORDER BY 1;
SELECT line AS only_after_upgrade FROM upgrade_check.members() AS line
EXCEPT SELECT line FROM upgrade_check.fresh ORDER BY 1;
SELECT count(*) AS objects_compared FROM upgrade_check.fresh;

-- The stored values still read, and their text is unchanged byte for byte.
SELECT label, uv_count(s), s::text = (SELECT s::text FROM upgrade_check.stored_sketches t WHERE t.label = v.label) AS same_text
FROM upgrade_check.stored_sketches v ORDER BY label;
SELECT (m).period::date, (mrr_bridge(m)).*
FROM upgrade_check.stored_movements GROUP BY (m).period ORDER BY 1;
-- revenue: the views survive, now naming the 1.1 functions, and the stored 1.0
-- movements aggregate through mrr_totals.  By hand: customer 1 is new (49) in
-- January and expands 49 -> 199 in February; customer 2 pays 99 in January and
-- churns in February.  The two months: start 99, new 49, expansion 150,
-- churned 99, end 199; 1 + 1 new - 1 churned = 1 customer.  Pooled: logo churn
-- 1 / (1 + 2) customers at the starts; gross 99 / (99 + 148); LTV 347 (148 +
-- 199 at the ends) x 3 / (3 paying customer-months x 1 churned) = 347, and
-- 277.6 at 0.8.
SELECT pg_get_viewdef('upgrade_check.revenue_kinds'::regclass) ~ 'mrr_classify\(' AS kinds_view_uses_mrr_classify,
       pg_get_viewdef('upgrade_check.revenue_pooled'::regclass) ~ 'ltv_agg\(' AS pooled_view_uses_ltv_agg;
SELECT * FROM upgrade_check.revenue_kinds ORDER BY customer, period;
SELECT * FROM upgrade_check.revenue_pooled;
SELECT * FROM upgrade_check.revenue_bridges ORDER BY period;
SELECT b.*
FROM (SELECT mrr_rollup(t) AS t
      FROM (SELECT (m).period, mrr_totals(m) AS t FROM upgrade_check.stored_movements GROUP BY 1) monthly) x,
     mrr_totals_bridge(t) b;
SELECT mrr_totals_churn_rate(t) AS logo, mrr_totals_ltv(t) AS ltv, mrr_totals_ltv(t, 0.8) AS ltv_80
FROM (SELECT mrr_totals(m) AS t FROM upgrade_check.stored_movements) x;

-- uv: sketches stored by 1.0 have hash version 1; they still count and print exactly the
-- bytes 1.0 wrote, and combining them with a new sketch is an error with a hint.
SELECT v.label, uv_hash_version(s), uv_count(s), uv_precision(s), s::text = v.stored AS text_as_stored
FROM upgrade_check.stored_sketches t
JOIN (VALUES ('sparse 1..3', 'uv:010e010003000000cdb921c6315ea06a196f279b7735d778e5a1656bc8faa6c7'),
             ('dense p4', 'uv:01040200000000000001050000000000000000000000003d')) v(label, stored) USING (label)
ORDER BY 1;
-- a union of 1.0 sketches is still exact: {1, 2, 3} with {1, 2} (two of the stored hashes)
SELECT uv_count(s || 'uv:010e010002000000cdb921c6315ea06a196f279b7735d778'), uv_hash_version(s || s)
FROM upgrade_check.stored_sketches WHERE label = 'sparse 1..3';
SELECT s || (SELECT uv_sketch(x) FROM generate_series(1, 3) x) FROM upgrade_check.stored_sketches WHERE label = 'sparse 1..3';
SELECT uv_hll(s) FROM (SELECT s FROM upgrade_check.stored_sketches UNION ALL SELECT uv_sketch(1)) v;
SELECT uv_add(s, 4) FROM upgrade_check.stored_sketches WHERE label = 'dense p4';
-- rebuilt from the raw values (1, 2, 3), the sketch has hash version 2 and combines again
UPDATE upgrade_check.stored_sketches SET s = (SELECT uv_sketch(x) FROM generate_series(1, 3) x)
WHERE uv_hash_version(s) = 1 AND label = 'sparse 1..3';
SELECT uv_hash_version(s), uv_count(s || (SELECT uv_sketch(x) FROM generate_series(3, 4) x)) AS union_1_to_4
FROM upgrade_check.stored_sketches WHERE label = 'sparse 1..3';
-- the view made under 1.0 still runs, now with hash version 2
SELECT n, uv_hash_version(s), uv_count(s) FROM upgrade_check.uv_view;

-- health: the stored 1.0 score and detail read as they were stored, the new flat form reads
-- the 1.0 detail, and the view made under 1.0 now runs on health_state with the same answer.
SELECT score, health_band(score), detail ->> 'score' AS detail_score FROM upgrade_check.stored_health;
SELECT s.* FROM upgrade_check.stored_health, health_signals(detail) s ORDER BY s.signal;
SELECT v.score, v.detail = h.detail AS same_detail_as_stored
FROM upgrade_check.health_view v, upgrade_check.stored_health h;

-- Leave a fresh install for the suites that follow.
DROP SCHEMA upgrade_check CASCADE;
DROP EXTENSION b2bmetrics CASCADE;
CREATE EXTENSION b2bmetrics;
