-- Properties every object of the extension must have, whatever family it belongs to.
SELECT extversion FROM pg_extension WHERE extname = 'b2bmetrics';

-- Every function is PARALLEL SAFE (a query using one can still run in parallel).
SELECT p.oid::regprocedure AS not_parallel_safe
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'b2bmetrics'
WHERE p.proparallel <> 's'
ORDER BY 1::text;

-- Every aggregate has a combine function, and serialize/deserialize when its state is internal.
SELECT a.aggfnoid::regprocedure AS aggregate_missing_parallel_support
FROM pg_aggregate a JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'b2bmetrics'
WHERE a.aggcombinefn = 0
   OR (a.aggtranstype = 'internal'::regtype AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0))
ORDER BY 1::text;

-- Every function and type has a comment (\df+ and \dT+ explain themselves).
SELECT p.oid::regprocedure AS function_without_comment
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'b2bmetrics'
WHERE obj_description(p.oid, 'pg_proc') IS NULL
  AND p.prorettype NOT IN ('internal'::regtype, 'cstring'::regtype)   -- support functions
  AND NOT EXISTS (SELECT 1 FROM pg_aggregate a WHERE p.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn,
                                                               a.aggserialfn, a.aggdeserialfn))
  AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend))
  AND NOT EXISTS (SELECT 1 FROM pg_operator o WHERE o.oprcode = p.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_amproc ap WHERE ap.amproc = p.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_cast c WHERE c.castfunc = p.oid)
ORDER BY 1::text;

-- Every function a dashboard may call resolves when a driver sends its parameters
-- untyped (node-postgres and psqlODBC do; PREPARE without types is the same):
-- one PREPARE per function name and argument count, listing those that fail.  A
-- polymorphic argument (anyelement, anyarray) is a column, not a bound parameter:
-- it gets a typed value, integer.
DO $$
DECLARE
  f record;
  n int;
  failed text[] := '{}';
BEGIN
  FOR f IN
    SELECT p.proname, p.pronargs, p.pronargdefaults, p.proargtypes::oid[] AS types
    FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'b2bmetrics'
    WHERE 'internal'::regtype <> ALL (p.proargtypes::oid[])
      AND p.prorettype NOT IN ('internal'::regtype, 'cstring'::regtype)
      AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend))
      AND NOT EXISTS (SELECT 1 FROM pg_aggregate a WHERE p.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn))
    ORDER BY 1, 2
  LOOP
    FOR n IN f.pronargs - f.pronargdefaults .. f.pronargs LOOP
      BEGIN
        EXECUTE format('PREPARE untyped_check AS SELECT %I(%s)', f.proname,
                       (SELECT string_agg(CASE WHEN t = 'anyelement'::regtype THEN '1::integer'
                                               WHEN t = 'anyarray'::regtype THEN 'ARRAY[1]'
                                               ELSE '$' || k END, ', ' ORDER BY i)
                        FROM (SELECT i, f.types[i - 1] AS t,
                                     count(*) FILTER (WHERE f.types[i - 1] NOT IN ('anyelement'::regtype, 'anyarray'::regtype))
                                       OVER (ORDER BY i) AS k
                              FROM generate_series(1, n) i) a));
        DEALLOCATE untyped_check;
      EXCEPTION WHEN OTHERS THEN
        failed := failed || format('%s/%s: %s %s', f.proname, n, SQLSTATE, SQLERRM);
      END;
    END LOOP;
  END LOOP;
  RAISE NOTICE 'functions that do not resolve with untyped parameters: %',
    CASE WHEN cardinality(failed) = 0 THEN 'none' ELSE array_to_string(failed, '; ') END;
END $$;
