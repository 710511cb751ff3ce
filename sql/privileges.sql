-- Trusted and relocatable (docs/developer.md): a database owner without superuser creates
-- the extension in a schema of its own and stores values; a superuser moves it to another
-- schema (the member objects of a trusted extension belong to the bootstrap superuser, so
-- PostgreSQL lets only a superuser relocate it); nothing looks an object up by name at run
-- time, so the moved functions keep working with a search_path that does not contain them.
SELECT version, superuser, trusted, relocatable, schema
FROM pg_available_extension_versions WHERE name = 'b2bmetrics' ORDER BY version;

DROP EXTENSION b2bmetrics;
CREATE ROLE b2b_regress_owner NOLOGIN;
SELECT format('GRANT CREATE ON DATABASE %I TO b2b_regress_owner', current_database()) \gexec
SET ROLE b2b_regress_owner;
CREATE SCHEMA metrics;
CREATE EXTENSION b2bmetrics SCHEMA metrics;
SELECT e.extname, r.rolname AS owner, n.nspname AS schema
FROM pg_extension e JOIN pg_roles r ON r.oid = e.extowner JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'b2bmetrics';

-- A sketch stored before the move.
CREATE TABLE metrics.stored AS
SELECT metrics.uv_sketch(g) AS visitors FROM generate_series(1, 1000) g;

RESET ROLE;
CREATE SCHEMA metrics_moved;
ALTER EXTENSION b2bmetrics SET SCHEMA metrics_moved;
SELECT DISTINCT n.nspname AS schema_of_every_function
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'b2bmetrics';

-- Nothing of the extension on the search_path: every call is qualified.
SET search_path = pg_catalog;
SET timezone = 'UTC';
SELECT metrics_moved.uv_count(visitors) AS stored_count,
       metrics_moved.uv_count(visitors::text::metrics_moved.uvsketch) AS text_round_trip
FROM metrics.stored;
SELECT metrics_moved.funnel_counts(level, 3) AS funnel
FROM (SELECT v, metrics_moved.funnel_step(ts, interval '1 hour', e = 'a', e = 'b', e = 'c') AS level
      FROM (VALUES (1, timestamptz '2025-01-01 10:00', 'a'), (1, '2025-01-01 10:10', 'b'),
                   (2, '2025-01-01 10:00', 'a'), (2, '2025-01-01 10:05', 'b'),
                   (2, '2025-01-01 10:30', 'c')) ev(v, ts, e)
      GROUP BY v) per_visitor;
SELECT metrics_moved.funnel_report(v, ts, interval '1 hour', e = 'a', e = 'b', e = 'c') AS report
FROM (VALUES (1, timestamptz '2025-01-01 10:00', 'a'), (1, '2025-01-01 10:10', 'b'),
             (2, '2025-01-01 10:00', 'a'), (2, '2025-01-01 10:05', 'b'),
             (2, '2025-01-01 10:30', 'c')) ev(v, ts, e);
SELECT (m).period::date AS period, (metrics_moved.mrr_bridge(m)).end_mrr
FROM (SELECT unnest(metrics_moved.mrr_movement(started, ended, mrr,
                    timestamptz '2025-01-01 00:00+00', timestamptz '2025-04-01 00:00+00')) AS m
      FROM (VALUES (1, timestamptz '2024-12-01 00:00+00', timestamptz '2025-03-01 00:00+00', 100.00),
                   (2, timestamptz '2025-02-01 00:00+00', NULL::timestamptz, 50.00)) s(customer, started, ended, mrr)
      GROUP BY customer) movements
GROUP BY 1 ORDER BY 1;
SELECT metrics_moved.health_score(ts, signal, timestamptz '2025-01-31',
         '{"recent": "30 days", "baseline": "90 days", "signals": {"login": {"weight": 1}}}') AS score
FROM (VALUES (timestamptz '2025-01-20', 'login'), (timestamptz '2024-12-25', 'login')) ev(ts, signal);
SELECT metrics_moved.health_state_score(metrics_moved.health_state(ts, signal, timestamptz '2025-01-31',
         '{"signals": {"login": {"weight": 1}}}')::text::metrics_moved.health_state) AS state_text_round_trip
FROM (VALUES (timestamptz '2025-01-20', 'login'), (timestamptz '2024-12-25', 'login')) ev(ts, signal);
RESET search_path;
RESET timezone;

-- Put things back: the extension in public, created by the superuser as the other suites expect.
DROP TABLE metrics.stored;
DROP EXTENSION b2bmetrics;
DROP SCHEMA metrics, metrics_moved;
SELECT format('REVOKE CREATE ON DATABASE %I FROM b2b_regress_owner', current_database()) \gexec
DROP ROLE b2b_regress_owner;
CREATE EXTENSION b2bmetrics;
