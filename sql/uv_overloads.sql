-- uv_hll / uv_sketch / uv_add / uv_hash overloads: adding typed forms (smallint, integer,
-- bigint, text, uuid, "char") made no existing call ambiguous and changed no count.
-- For each argument type: the aggregate the call resolves to (read from a view's
-- dependencies) and its count next to count(DISTINCT) over the same values.
SET extra_float_digits = 0;
CREATE FUNCTION pg_temp.resolves_to(expr text, source text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE format('CREATE TEMP VIEW resolution_probe AS SELECT %s AS v FROM %s', expr, source);
  SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1) INTO r
  FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid JOIN pg_proc p ON p.oid = d.refobjid
  WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_proc'::regclass
    AND w.ev_class = 'resolution_probe'::regclass AND p.proname LIKE 'uv\_%';
  DROP VIEW resolution_probe;
  RETURN r;
END $$;
CREATE TEMP TABLE vals AS
SELECT k, (k % 50 - 25) AS i, 'v' || (k % 40) AS t FROM generate_series(1, 400) k;
CREATE TEMP TABLE cases (label text, expr text);
INSERT INTO cases VALUES
  ('int2', 'i::int2'), ('int4', 'i'), ('int8', 'i::int8 << 40'), ('numeric', 'i::numeric / 4'),
  ('float8', 'i::float8 / 3'), ('text', 't'), ('varchar', 't::varchar'), ('char(n)', 't::char(6)'),
  ('name', 't::name'), ('"char"', 'chr(65 + abs(i))::"char"'), ('uuid', 'md5(t)::uuid'),
  ('date', 'date ''2024-01-01'' + i'), ('timestamp', 'timestamp ''2024-01-01'' + i * interval ''1 hour'''),
  ('timestamptz', 'timestamptz ''2024-01-01 00:00+00'' + i * interval ''1 hour'''),
  ('bool', 'i > 0'), ('int[]', 'ARRAY[i, -i]'), ('text[]', 'ARRAY[t]'), ('record', 'ROW(i, t)'),
  ('jsonb', 'jsonb_build_object(''a'', i)'), ('domain over text', 't::information_schema.character_data'),
  ('an unknown literal', '''constant'''), ('a NULL literal', 'NULL');
SELECT label, pg_temp.resolves_to(format('uv_hll(%s)', expr), 'vals') AS uv_hll,
       pg_temp.resolves_to(format('uv_sketch(%s, 10)', expr), 'vals') AS uv_sketch_p
FROM cases ORDER BY label;
-- the counts (all below the sparse limits, so exact): uv_hll, uv_hll at p = 12, and uv_count(uv_sketch(...)), each against count(DISTINCT)
DO $$
DECLARE c record; a bigint; b bigint; s bigint; d bigint; bad text := '';
BEGIN
  FOR c IN SELECT * FROM cases ORDER BY label LOOP
    EXECUTE format('SELECT uv_hll(%1$s), uv_hll(%1$s, 12), uv_count(uv_sketch(%1$s)), count(DISTINCT %1$s) FROM vals', c.expr)
      INTO a, b, s, d;
    IF a IS DISTINCT FROM d OR b IS DISTINCT FROM d OR coalesce(s, 0) IS DISTINCT FROM d THEN
      bad := bad || format('%s: %s %s %s vs %s; ', c.label, a, b, s, d);
    END IF;
  END LOOP;
  RAISE NOTICE 'counts that differ from count(DISTINCT): %', CASE WHEN bad = '' THEN 'none' ELSE bad END;
END $$;
-- uv_add and uv_hash
SELECT label, pg_temp.resolves_to(format('uv_add(NULL::uvsketch, %s)', expr), 'vals') AS uv_add,
       pg_temp.resolves_to(format('uv_hash(%s)', expr), 'vals') AS uv_hash
FROM cases WHERE label IN ('int4', 'int8', 'text', 'varchar', '"char"', 'uuid', 'numeric',
                           'an unknown literal', 'a NULL literal') ORDER BY label;
-- uvsketch arguments keep their aggregates
SELECT pg_temp.resolves_to('uv_hll(s)', '(SELECT uv_sketch(k) AS s FROM vals) v') AS sketch_union,
       pg_temp.resolves_to('uv_sketch(s)', '(SELECT uv_sketch(k) AS s FROM vals) v') AS sketch_union_agg;

-- Untyped parameters (what node-postgres and psqlODBC send) resolve, to the text forms.
PREPARE count_param AS SELECT uv_hll($1), count(DISTINCT $1) FROM vals;
EXECUTE count_param('x');
PREPARE count_param_p AS SELECT uv_hll($1, $2) FROM vals;
EXECUTE count_param_p('x', 10);
PREPARE add_param AS SELECT uv_count(uv_add(uv_add(NULL, $1), $2));
EXECUTE add_param('a', 'b');
PREPARE hash_param AS SELECT uv_hash($1) = uv_hash('a'::text);
EXECUTE hash_param('a');
PREPARE sketch_param AS SELECT uv_count(uv_sketch($1)) FROM vals;
EXECUTE sketch_param(NULL);
SELECT name, parameter_types FROM pg_prepared_statements ORDER BY name;
DEALLOCATE ALL;
