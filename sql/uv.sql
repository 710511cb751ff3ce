-- uvsketch / uv_hll / uv_sketch: functions, types, formats, errors.
-- Expected counts come from count(DISTINCT ...) over the same rows, or by hand.
SET extra_float_digits = 0;

-- Empty input and NULLs: uv_hll gives 0, uv_sketch gives NULL.
SELECT uv_hll(x) AS none FROM generate_series(1, 0) x;
SELECT uv_hll(NULL::int) AS all_null FROM generate_series(1, 5);
SELECT uv_sketch(x) IS NULL AS no_sketch FROM generate_series(1, 0) x;
SELECT uv_hll(x) AS four FROM (VALUES (1), (NULL), (2), (3), (NULL), (4), (4)) v(x);
SELECT uv_hll(s) AS union_of_none FROM (SELECT NULL::uvsketch) v(s);

-- Small counts are exact: compare with count(DISTINCT) at many sizes.
SELECT n, uv_hll(x) = count(DISTINCT x) AS exact
FROM (VALUES (1), (2), (10), (99), (500), (1000), (1499), (1792)) v(n),
     LATERAL (SELECT (i * 7919) % 100003 AS x FROM generate_series(1, n) i,
              generate_series(1, 3)) d
GROUP BY n ORDER BY n;

-- Every supported type: exact below the sparse limit, same answer as count(DISTINCT).
SELECT uv_hll(x::int2) AS int2, uv_hll(x::int4) AS int4, uv_hll(x::int8) AS int8,
       uv_hll(x::numeric / 8) AS numeric, uv_hll(x::float8 / 3) AS float8,
       uv_hll('v' || x) AS text, uv_hll(('v' || x)::varchar) AS varchar,
       uv_hll(('v' || x)::bytea) AS bytea,
       uv_hll(md5(x::text)::uuid) AS uuid, uv_hll(date '2024-01-01' + x) AS date,
       uv_hll(timestamp '2024-01-01' + x * interval '1 minute') AS ts,
       uv_hll(timestamptz '2024-01-01 00:00+00' + x * interval '1 second') AS tstz,
       uv_hll(ARRAY[x, x + 1]) AS int_array, uv_hll(x % 2 = 0) AS bool,
       count(DISTINCT x) AS reference
FROM generate_series(-300, 899) x;

-- Cross-type hash equality: one value, one hash, whatever the integer width.
SELECT uv_hash(1::int2) = uv_hash(1::int4) AND uv_hash(1::int4) = uv_hash(1::int8) AS ints_agree,
       uv_hash((-32768)::int2) = uv_hash((-32768)::int8) AS negative_agree,
       uv_hash(2147483647::int4) = uv_hash(2147483647::int8) AS int4_max_agrees,
       uv_hash(4294967296::int8) <> uv_hash(0::int8) AS wide_int8_differs,
       uv_hash(1.0::numeric) = uv_hash(1.00::numeric) AS numeric_scale_ignored,
       uv_hash('a'::varchar) = uv_hash('a'::text) AS varchar_is_text,
       uv_hash('a'::text) <> uv_hash('b'::text) AS text_differs;
SELECT uv_hll(x) AS mixed_widths
FROM (SELECT 5::int8 UNION ALL SELECT 5::int4 UNION ALL SELECT 5::int2 UNION ALL SELECT 6::int8) v(x);
SELECT uv_hll(x) AS numeric_scales FROM (VALUES (1.0), (1.00), (1), (2.50), (2.5)) v(x);
-- PostgreSQL's numeric hash ignores the sign; ours does not.
SELECT uv_hll(x) AS signed_numerics, uv_hash(-1.5) <> uv_hash(1.5) AS sign_matters
FROM (VALUES (-1.5), (1.5), (-1.50), (0), (-0.0)) v(x);

-- The hash is part of the stored format: pinned values (a change here breaks stored rollups).
-- Hash version 2: an integer v hashes to splitmix64(v * 0x9e3779b97f4a7c15 + seed), worked
-- out independently in Python; text, numeric and uuid hash as in version 1.
SELECT uv_hash(1::int8) AS h_int_1, uv_hash(0::int4) AS h_int_0, uv_hash(-1::int8) AS h_int_m1,
       uv_hash('hello'::text) AS h_hello, uv_hash(''::text) AS h_empty,
       uv_hash(1.5::numeric) AS h_numeric,
       uv_hash('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid) AS h_uuid;

-- Pinned sketches: the exact text of a sparse sketch, and a digest of a dense one.
SELECT uv_sketch(x) AS sparse_1_to_3 FROM generate_series(1, 3) x;
SELECT uv_sketch(x, 4) AS dense_p4 FROM generate_series(1, 3) x;
SELECT length(s::text) AS dense_text_length, md5(s::text) AS dense_md5, uv_count(s)
FROM (SELECT uv_sketch(x) AS s FROM generate_series(1, 5000) x) v;
-- Known bytes in, same bytes out (hand-written sparse p=12 with hashes 1 and 0x0102030405060708),
-- in hash version 1 (as 1.0 wrote them) and 2.
SELECT 'uv:010c01000200000001000000000000000807060504030201'::uvsketch AS pinned_in_v1,
       'uv:020c01000200000001000000000000000807060504030201'::uvsketch AS pinned_in_v2;
SELECT uv_count('uv:010c01000200000001000000000000000807060504030201'),
       uv_precision('uv:010c01000200000001000000000000000807060504030201');
SELECT 'uv:010C01000200000001000000000000000807060504030201'::uvsketch::text AS upper_hex_accepted;
-- dense p=4: registers 1, 5 and 61 (q + 1) by hand
SELECT uv_count('uv:01040200000000000001050000000000000000000000003d') AS dense_p4_estimate_v1,
       uv_count('uv:02040200000000000001050000000000000000000000003d') AS dense_p4_estimate_v2;

-- Text, bytea round trips: output(input(x)) = x, for sparse and dense.
CREATE TEMP TABLE sk AS
SELECT g, uv_sketch(x) AS s, uv_sketch(x, 10) AS s10
FROM (SELECT i % 4 AS g, i * (i % 4 + 1) AS x FROM generate_series(1, 20000) i) d
WHERE x < CASE g WHEN 0 THEN 700 WHEN 1 THEN 3000 WHEN 2 THEN 40000 ELSE 100000 END
GROUP BY g;
SELECT g, uv_count(s), uv_precision(s), uv_count(s10), uv_precision(s10),
       (s::text)::uvsketch = s AS text_round_trip,
       ((s::text)::uvsketch)::text = s::text AS text_exact,
       (s::bytea)::uvsketch = s AS bytea_round_trip,
       (s10::bytea)::uvsketch = s10 AS bytea_round_trip_10,
       uvsketch_send(s) = s::bytea AS send_is_bytea
FROM sk ORDER BY g;
SELECT substr(encode(s::bytea, 'hex'), 1, 16) AS binary_header FROM sk ORDER BY g;

-- Binary COPY: send and recv.
COPY (SELECT g, s FROM sk) TO '/tmp/b2b_hll_regress.bin' (FORMAT binary);
CREATE TEMP TABLE sk_copy (g int, s uvsketch);
COPY sk_copy FROM '/tmp/b2b_hll_regress.bin' (FORMAT binary);
SELECT count(*) AS rows_equal FROM sk JOIN sk_copy USING (g) WHERE sk.s = sk_copy.s;

-- Equality and the hash opclass: GROUP BY, DISTINCT, hash join.
SELECT count(*) AS distinct_sketches FROM (SELECT DISTINCT s FROM (SELECT s FROM sk UNION ALL SELECT s FROM sk) u) v;
SELECT s = t AS same_set_any_order
FROM (SELECT uv_sketch(x ORDER BY x) AS s, uv_sketch(x ORDER BY -x) AS t FROM generate_series(1, 900) x) v;
SELECT uv_count(s), count(*) FROM (SELECT s FROM sk UNION ALL SELECT s FROM sk) v
GROUP BY s ORDER BY 1;
SET enable_mergejoin = off;
SET enable_nestloop = off;
SELECT count(*) AS hash_join_rows FROM sk a JOIN sk_copy b ON a.s = b.s;
RESET enable_mergejoin;
RESET enable_nestloop;

-- Union and ||: exact while sparse, and the union of sketches is the sketch of the union.
SELECT uv_count(a || b) AS union_count, uv_count(uv_union(a, b)) AS same,
       (SELECT count(DISTINCT x) FROM generate_series(1, 600) x) AS reference
FROM (SELECT uv_sketch(x) FILTER (WHERE x <= 400) AS a,
             uv_sketch(x) FILTER (WHERE x > 200) AS b FROM generate_series(1, 600) x) v;
SELECT (SELECT uv_sketch(x) FROM generate_series(1, 60000) x WHERE x % 3 <> 0)
    || (SELECT uv_sketch(x) FROM generate_series(1, 60000) x WHERE x % 3 = 0)
     = (SELECT uv_sketch(x) FROM generate_series(1, 60000) x) AS dense_union_is_sketch_of_union;
-- A plain call never modifies its arguments (dense, same precision: the in-place case of aggregates).
SELECT uv_count(a.s || b.s) >= uv_count(a.s) AS union_grows, uv_count(a.s) AS a_after, uv_count(b.s) AS b_after,
       a.s = (SELECT s FROM sk WHERE g = 2) AS a_unchanged
FROM sk a, sk b WHERE a.g = 2 AND b.g = 3;
-- Mixed precision folds down to the coarser one, equal to building it there.
SELECT uv_precision(a || b) AS p, (a || b) = c AS equals_direct, uv_count(a || b) = uv_count(c) AS same_count
FROM (SELECT uv_sketch(x, 14) FILTER (WHERE x % 2 = 0) AS a,
             uv_sketch(x, 9) FILTER (WHERE x % 2 = 1) AS b,
             uv_sketch(x, 9) AS c FROM generate_series(1, 50000) x) v;
SELECT uv_precision(uv_sketch(s)) AS p_union_agg, uv_hll(s) AS union_estimate,
       uv_hll(s) = (SELECT uv_hll(x, 10) FROM generate_series(1, 100) x) AS sparse_folded_exactly
FROM (SELECT uv_sketch(x, 10) FROM generate_series(1, 50) x
      UNION ALL SELECT uv_sketch(x, 16) FROM generate_series(51, 100) x) v(s);

-- Daily sketches roll up to the same monthly figure as counting the raw rows.
CREATE TEMP TABLE visits AS
SELECT date '2024-03-01' + (i % 31) AS day, (i * 2654435761) % 30000 AS visitor
FROM generate_series(1, 120000) i;
CREATE TEMP TABLE daily AS SELECT day, uv_sketch(visitor) AS s FROM visits GROUP BY day;
SELECT (SELECT uv_hll(s) FROM daily) = (SELECT uv_hll(visitor) FROM visits) AS rollup_equals_raw,
       abs((SELECT uv_hll(s) FROM daily) - 30000) < 30000 * 0.025 AS within_3_sigma,
       (SELECT uv_count(uv_sketch(s)) FROM daily) = (SELECT uv_hll(s) FROM daily) AS sketch_agg_agrees;

-- uv_add: one value at a time gives the aggregate's sketch.
SELECT uv_add(NULL, 1::int8) = uv_sketch(1::int8) AS from_null,
       uv_add(uv_sketch(1::int8), NULL::int8) = uv_sketch(1::int8) AS null_value_ignored,
       uv_add(NULL::uvsketch, NULL::int) IS NULL AS both_null,
       uv_add(uv_add(uv_add(NULL, 'a'::text), 'b'::text), 'a'::text) = (SELECT uv_sketch(v) FROM (VALUES ('b'), ('a')) t(v)) AS add_matches_agg,
       uv_count(uv_add('uv:02040200000000000001050000000000000000000000003d', 1)) AS add_to_dense,
       uv_precision(uv_add(uv_sketch(1, 6), 2)) AS keeps_precision;

-- As window aggregates: moving frames restart the state, running frames extend it.
SELECT x, uv_hll(x % 5) OVER (ORDER BY x ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS last_3,
       uv_hll(x % 5) OVER (ORDER BY x) AS running,
       uv_count(uv_sketch(x % 3) OVER (ORDER BY x)) AS running_sketch
FROM generate_series(1, 8) x;

-- Precision bounds.
SELECT uv_precision(uv_sketch(1)) AS default_p, uv_precision(uv_sketch(1, 4)) AS p4,
       uv_precision(uv_sketch(1, 18)) AS p18, uv_hll(x, 4) AS p4_count_1
FROM (VALUES (1)) v(x);
SELECT uv_hll(x, 3) FROM generate_series(1, 3) x;
SELECT uv_sketch(x, 19) FROM generate_series(1, 3) x;
SELECT uv_hll(x, NULL) FROM generate_series(1, 3) x;
-- rows of one group asking for different precisions get the coarsest, as a union would
SELECT uv_hll(x, CASE WHEN x < 3 THEN 10 ELSE 12 END) FROM generate_series(1, 5) x;
SELECT uv_precision(uv_sketch(x, CASE WHEN x < 3 THEN 12 ELSE 10 END)),
       uv_sketch(x, CASE WHEN x < 3 THEN 12 ELSE 10 END) = uv_sketch(x, 10)
FROM generate_series(1, 5000) x;

-- Accuracy at a few cardinalities (fixed data): within 3 standard errors.
SELECT n, abs(uv_hll(x) - n) / n::float8 < 3 * 1.04 / 128 AS within_3_sigma_p14,
       abs(uv_hll(x, 10) - n) / n::float8 < 3 * 1.04 / 32 AS within_3_sigma_p10
FROM (VALUES (5000), (100000), (1000000)) v(n), generate_series(1, n) x
GROUP BY n ORDER BY n;

-- Serial = parallel (Partial / Finalize Aggregate with 2 workers).
CREATE TABLE hll_par AS
SELECT i, i % 7 AS g, (i::int8 * 40503) % 250000 AS v, 'k' || (i % 5000) AS t
FROM generate_series(1, 300000) i;
ANALYZE hll_par;
CREATE TEMP TABLE serial_result AS
SELECT g, uv_hll(v) AS a, uv_hll(t) AS b, uv_sketch(v) AS c, uv_hll(v, 8) AS d FROM hll_par GROUP BY g;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT g, uv_hll(v), uv_hll(t), uv_sketch(v), uv_hll(v, 8) FROM hll_par GROUP BY g;
SELECT count(*) AS groups_equal
FROM (SELECT g, uv_hll(v) AS a, uv_hll(t) AS b, uv_sketch(v) AS c, uv_hll(v, 8) AS d FROM hll_par GROUP BY g) p
JOIN serial_result s USING (g) WHERE p.a = s.a AND p.b = s.b AND p.c = s.c AND p.d = s.d;
EXPLAIN (COSTS OFF) SELECT uv_hll(v) FROM hll_par;
SELECT abs(uv_hll(v) - 250000) < 250000 * 3 * 0.0081 AS parallel_within_3_sigma
FROM hll_par;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
DROP TABLE hll_par;

-- Malformed input: text (22P02), bytea cast and binary recv (22P03), one per decoder check.
\set VERBOSITY sqlstate
SELECT 'xx:010e010000000000'::uvsketch;
\set VERBOSITY default
SELECT 'xx:010e010000000000'::uvsketch;
SELECT 'uv:010e01000000000'::uvsketch;
SELECT 'uv:010e0100000000zz'::uvsketch;
SELECT 'uv:010e0100'::uvsketch;
SELECT 'uv:030e010000000000'::uvsketch;
SELECT 'uv:000e010000000000'::uvsketch;
SELECT 'uv:0113010000000000'::uvsketch;
SELECT 'uv:010e030000000000'::uvsketch;
SELECT 'uv:010e010100000000'::uvsketch;
SELECT 'uv:010e01000000000000'::uvsketch;
SELECT 'uv:010e0100ffffffff'::uvsketch;
SELECT 'uv:010e010002000000020000000000000001000000000000000'::uvsketch;
SELECT 'uv:010e01000200000002000000000000000100000000000000'::uvsketch;
SELECT 'uv:01040200000000000000000000000000000000000000003e'::uvsketch;
SELECT ''::uvsketch;
\set VERBOSITY sqlstate
SELECT '\x010e0100ffffffff'::bytea::uvsketch;
\set VERBOSITY default
SELECT '\x010e0100ffffffff'::bytea::uvsketch;
SELECT '\x'::bytea::uvsketch;
SELECT '\x010e01000200000002000000000000000100000000000000'::bytea::uvsketch;
SELECT '\x01040200000000000000000000000000000000000000003e'::bytea::uvsketch;
COPY (SELECT '\x010e0100ffffffff'::bytea) TO '/tmp/b2b_hll_regress.bin' (FORMAT binary);
CREATE TEMP TABLE bad_copy (s uvsketch);
COPY bad_copy FROM '/tmp/b2b_hll_regress.bin' (FORMAT binary);
COPY (SELECT '\x010e01000000000000'::bytea) TO '/tmp/b2b_hll_regress.bin' (FORMAT binary);
COPY bad_copy FROM '/tmp/b2b_hll_regress.bin' (FORMAT binary);

-- A type without hash support (also inside an array or a record), and calls outside an aggregate.
SELECT uv_hll(p) FROM (VALUES (point(1, 2))) v(p);
SELECT uv_hash(point(1, 2));
SELECT uv_hll(ARRAY[p]) FROM (VALUES (point(1, 2))) v(p);
SELECT uv_hll(ROW(1, p)) FROM (VALUES (point(1, 2))) v(p);
\set VERBOSITY sqlstate
SELECT uv_sketch_transfn(NULL::uvsketch, 1);
\set VERBOSITY default
SELECT uv_sketch_transfn(NULL::uvsketch, 1);
SELECT uv_sketch_int8_transfn(NULL, 1::int8, 10);
SELECT uv_union_transfn(NULL, NULL);
SELECT uv_sketch_combinefn('uv:020e010000000000', 'uv:020e010000000000');

-- Damaged datums (as from a corrupted table; forged here with a superuser-only
-- cast of raw bytes) are refused before they are read, never read out of bounds.
CREATE FUNCTION pg_temp.raw_uvsketch(bytea, bytea) RETURNS uvsketch LANGUAGE internal AS 'byteacat';
-- dense, but only 16 registers for p = 14
SELECT uv_count(pg_temp.raw_uvsketch(decode('010e020000000000' || '10000000' || repeat('01', 16), 'hex'), ''));
-- sparse claiming 100 hashes with none behind it
SELECT uv_count(pg_temp.raw_uvsketch(decode('010e01006400000000000000', 'hex'), ''));
-- a hash table whose count hides that it is full (would probe forever)
SELECT uv_hll(s) FROM (SELECT pg_temp.raw_uvsketch(decode('010e0300010000000200000001000000000000000200000000000000', 'hex'), '')
                       UNION ALL SELECT 'uv:010e0100010000000500000000000000'::uvsketch) v(s);
-- registers above q + 1 are clamped, not used as indexes
SELECT uv_count(pg_temp.raw_uvsketch(decode('010e0200' || '00000000' || '00400000' || repeat('ff', 16384), 'hex'), ''));

-- NaN and the infinities are distinct values (PostgreSQL's numeric hash gives them one hash).
SELECT uv_hll(x), count(DISTINCT x) FROM unnest('{NaN,Infinity,-Infinity,1,-1,1.0}'::numeric[]) x;

-- ---------------------------------------------------------------------------------
-- Hash version 2: every value counts as count(DISTINCT) compares it.
-- ---------------------------------------------------------------------------------
-- 64-bit values hash with all their bits.  Version 1 hashed an int8 (and timestamp,
-- timestamptz, time, interval, pg_lsn) as lo ^ hi, so (k << 32) | k was one value.
SELECT uv_hll(x) AS two, count(DISTINCT x) FROM (VALUES (1::int8), (4294967296::int8)) v(x);
SELECT uv_hll((k::int8 << 32) | k) AS structured, count(DISTINCT (k::int8 << 32) | k)
FROM generate_series(1, 1000) k;
-- sharded ids, shard << 32 | seq: exact while small, within 3 standard errors beyond
SELECT uv_hll((s::int8 << 32) | q) AS sharded, count(DISTINCT (s::int8 << 32) | q)
FROM generate_series(0, 15) s, generate_series(1, 100) q;
SELECT count(DISTINCT id) AS reference,
       abs(uv_hll(id) - count(DISTINCT id)) < 3 * 0.0081 * count(DISTINCT id) AS sharded_within_3_sigma
FROM (SELECT (s::int8 << 32) | q AS id FROM generate_series(0, 15) s, generate_series(1, 5000) q) v;
-- negative ids of the same shape, and the extremes
SELECT uv_hll(x) AS signed_ids, count(DISTINCT x)
FROM (SELECT -((k::int8 << 32) | k) FROM generate_series(1, 500) k
      UNION ALL SELECT (k::int8 << 32) | k FROM generate_series(1, 500) k
      UNION ALL VALUES (0::int8), (-1), (9223372036854775807), (-9223372036854775808)) v(x);
-- timestamps, timestamptz, time and intervals k x (2^32 + 1) microseconds apart
SELECT uv_hll(t) AS ts, count(DISTINCT t)
FROM (SELECT timestamp '2000-01-01' + k * interval '4294.967297 seconds' FROM generate_series(0, 999) k) v(t);
SELECT uv_hll(t) AS tstz, count(DISTINCT t)
FROM (SELECT timestamptz '2000-01-01 00:00+00' + k * interval '4294.967297 seconds' FROM generate_series(0, 999) k) v(t);
SELECT uv_hll(t) AS time, count(DISTINCT t)
FROM (SELECT time '00:00' + k * interval '4294.967297 seconds' FROM generate_series(0, 20) k) v(t);
SELECT uv_hll(i) AS intervals, count(DISTINCT i)
FROM (SELECT k * interval '4294.967297 seconds' FROM generate_series(0, 999) k
      UNION ALL VALUES (interval '1 day'), (interval '24 hours'), (interval '1 month'), (interval '30 days'),
                       (interval '-1 day'), (interval '1000000 years'), (interval '-1000000 years 1 second')) v(i);
SELECT uv_hll(x) AS lsn, count(DISTINCT x)
FROM (SELECT (k::text || '/' || to_hex(k))::pg_lsn FROM generate_series(0, 999) k) v(x);
SELECT uv_hll(x) AS money, count(DISTINCT x)
FROM (SELECT ((k::int8 << 32) | k)::numeric::money / 100 FROM generate_series(1, 300) k) v(x);
SELECT uv_hll(x) AS timetz, count(DISTINCT x)
FROM (VALUES (timetz '00:00:01+00'), (timetz '00:00:01+01'), (timetz '01:00:01+01'), (timetz '00:00:01+00')) v(x);
-- floats keep their equality: -0 = 0, NaN = NaN; real and double precision agree
SELECT uv_hll(x) AS floats, count(DISTINCT x)
FROM (VALUES (0::float8), ('-0'), ('NaN'), ('NaN'), (1.5), ('Infinity'), ('-Infinity')) v(x);
SELECT uv_hash(1.5::float4) = uv_hash(1.5::float8) AS real_agrees, uv_hash('-0'::float8) = uv_hash(0::float8) AS zeros_agree;
-- int2, int4 and int8 agree on every value they share, and so do date and int4 arithmetic
SELECT count(*) AS widths_agree FROM generate_series(-32768, 32767, 7) k
WHERE uv_hash(k::int2) = uv_hash(k::int8) AND uv_hash(k::int4) = uv_hash(k::int8);

-- Inside arrays, records, ranges, multiranges, jsonb and domains the elements hash as at top
-- level (version 1 used PostgreSQL's element hashes: signs and 64-bit values collided).
SELECT uv_hll(a) AS numeric_arrays, count(DISTINCT a)
FROM (VALUES ('{1,2}'::numeric[]), ('{-1,2}'), ('{1,-2}'), ('{-1,-2}'), ('{1.0,2.00}'),
             ('{NaN,2}'), ('{Infinity,2}'), ('{-Infinity,2}'), ('{0,2}'), ('{-0.0,2}')) v(a);
SELECT uv_hll(ARRAY[(k::int8 << 32) | k]) AS int8_arrays, count(DISTINCT ARRAY[(k::int8 << 32) | k])
FROM generate_series(1, 1000) k;
-- dimensions, lower bounds and NULL elements are part of the value
SELECT uv_hll(a) AS array_shapes, count(DISTINCT a)
FROM (VALUES ('{1,2}'::int[]), ('{{1,2}}'), ('[0:1]={1,2}'), ('{{1},{2}}'), ('{2,1}'), ('{1}'), ('{}'),
             ('{1,NULL}'), ('{NULL,1}'), ('{NULL,NULL}'), ('{NULL}'), ('{1,2}')) v(a);
SELECT uv_hll(r) AS records, count(DISTINCT r)
FROM (SELECT ROW(n, t) FROM (VALUES (-1.5::numeric, 'x'::text), (1.5, 'x'), (1.50, 'x'), (NULL, 'x'),
                                     (1.5, NULL), (NULL, NULL), (-1.5, 'y'), (0, ''), (-0.0, '')) w(n, t)) v(r);
SELECT uv_hll(ROW(k::int8 << 32, k)) AS int8_records, count(DISTINCT ROW(k::int8 << 32, k))
FROM generate_series(1, 1000) k;
SELECT uv_hll(j) AS jsonb, count(DISTINCT j)
FROM (VALUES ('{"a":-1}'::jsonb), ('{"a":1}'), ('{"a":1.0}'), ('{"a":-1.00}'), ('[1,[2]]'), ('[[1],2]'),
             ('[[1,2]]'), ('[1,2]'), ('[2,1]'), ('1'), ('[1]'), ('"1"'), ('["1"]'), ('{"1":1}'),
             ('{"a":[1]}'), ('{"b":1}'), ('null'), ('[null]'), ('{"a":null}'), ('{}'), ('[]'), ('[{}]'),
             ('true'), ('false'), ('{"a":1,"b":2}'), ('{"b":2,"a":1}'), ('{"a":{"b":1}}'), ('{"a":{"b":-1}}'),
             ('-0'), ('0'), ('"NaN"'), ('1e400'), ('-1e400')) v(j);
SELECT uv_hll(r) AS ranges, count(DISTINCT r)
FROM (VALUES (numrange(-1, 2)), (numrange(1, 2)), (numrange(1.0, 2)), (numrange(-1, 2, '[]')),
             (numrange(-1, 2, '(]')), ('empty'), (numrange(NULL, 2)), (numrange(-2, NULL)),
             (numrange(NULL, NULL)), (numrange(-2, -1)), (numrange(1, 1, '[]'))) v(r);
SELECT uv_hll(int8range(k::int8 << 32, (k::int8 << 32) + k)) AS int8_ranges,
       count(DISTINCT int8range(k::int8 << 32, (k::int8 << 32) + k))
FROM generate_series(1, 1000) k;
SELECT uv_hll(m) AS multiranges, count(DISTINCT m)
FROM (VALUES (nummultirange(numrange(-1, 2))), (nummultirange(numrange(1, 2))), ('{}'),
             (nummultirange(numrange(-5, -4), numrange(1, 2))), (nummultirange(numrange(-5, -4), numrange(-2, -1))),
             (nummultirange(numrange(1, 2), numrange(2, 3))), (nummultirange(numrange(1, 3)))) v(m);
CREATE SCHEMA uv_t;
CREATE DOMAIN uv_t.amount AS numeric;
CREATE DOMAIN uv_t.ids AS int8[];
CREATE TYPE uv_t.pair AS (a uv_t.amount, b int8);
SELECT uv_hll(x::uv_t.amount) AS numeric_domain, uv_hll(ARRAY[x::uv_t.amount]) AS domain_array,
       uv_hll(ARRAY[x::int8 << 32, x::int8]::uv_t.ids) AS array_domain,
       uv_hll(ROW(x, x::int8 << 32)::uv_t.pair) AS composite,
       count(DISTINCT x) AS reference
FROM (SELECT CASE WHEN k % 2 = 0 THEN k ELSE -k END::numeric FROM generate_series(1, 600) k
      UNION ALL SELECT k::numeric FROM generate_series(1, 600) k) v(x);
-- a composite with a dropped column counts the live columns only
CREATE TABLE uv_t.wide (a int8, gone text, b numeric);
INSERT INTO uv_t.wide SELECT k::int8 << 32, 'x' || k, -k FROM generate_series(1, 300) k;
ALTER TABLE uv_t.wide DROP COLUMN gone;
INSERT INTO uv_t.wide SELECT k::int8 << 32, -k FROM generate_series(1, 300) k;
SELECT uv_hll(w) AS dropped_column, count(DISTINCT w) FROM uv_t.wide w;
-- text follows its collation, as count(DISTINCT) does
CREATE COLLATION uv_t.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT uv_hll(x COLLATE uv_t.ci) AS case_insensitive, count(DISTINCT x COLLATE uv_t.ci),
       uv_hll(ARRAY[x] COLLATE uv_t.ci) AS in_arrays, count(DISTINCT ARRAY[x] COLLATE uv_t.ci),
       uv_hll(x) AS case_sensitive, count(DISTINCT x)
FROM (VALUES ('a'), ('A'), ('b'), ('B'), ('b')) v(x);
-- "char", enums, bool, date, oid
CREATE TYPE uv_t.mood AS ENUM ('sad', 'ok', 'happy');
SELECT uv_hll(c) AS "char", count(DISTINCT c), uv_hll(k % 3 = 0) AS bool,
       uv_hll((ARRAY['sad', 'ok', 'happy']::uv_t.mood[])[k % 3 + 1]) AS enum,
       uv_hll(date '2024-01-01' + k) AS date, uv_hll(k::oid) AS oid, count(DISTINCT k)
FROM (SELECT CASE WHEN k = 0 THEN '' ELSE chr(k) END::"char", k FROM generate_series(0, 127) k) v(c, k);

-- The typed forms (smallint, integer, bigint, text, uuid) hash exactly as the generic one.
CREATE AGGREGATE pg_temp.generic_sketch(anyelement) (
    SFUNC = uv_sketch_transfn, STYPE = uvsketch, FINALFUNC = uv_sketch_finalfn);
SELECT uv_sketch(x::int2) = pg_temp.generic_sketch(x::int2) AS int2,
       uv_sketch(x) = pg_temp.generic_sketch(x) AS int4,
       uv_sketch(x::int8 * 4294967297) = pg_temp.generic_sketch(x::int8 * 4294967297) AS int8,
       uv_sketch('v' || x) = pg_temp.generic_sketch('v' || x) AS text,
       uv_sketch(md5(x::text)::uuid) = pg_temp.generic_sketch(md5(x::text)::uuid) AS uuid,
       uv_sketch(('v' || x)::varchar) = pg_temp.generic_sketch(('v' || x)::varchar) AS varchar,
       uv_sketch(('v' || x)::char(8)) = pg_temp.generic_sketch(('v' || x)::char(8)) AS bpchar,
       uv_sketch(('v' || x)::name) = pg_temp.generic_sketch(('v' || x)::name) AS name,
       uv_sketch(chr(abs(x) % 127 + 1)::"char") = pg_temp.generic_sketch(chr(abs(x) % 127 + 1)::"char") AS "char",
       uv_sketch(x::int8, 10) = (SELECT uv_sketch(y, 10) FROM generate_series(-300, 3000) y) AS with_precision
FROM generate_series(-300, 3000) x;
SELECT uv_add(uv_add(NULL, 'a'), 'b') = uv_sketch(v) AS add_text, uv_add(NULL, 7::int8) = uv_sketch(7::int4) AS add_int
FROM (VALUES ('a'), ('b')) t(v);

-- ---------------------------------------------------------------------------------
-- Hash versions: sketches stored by 1.0 (version 1) still read, count and print byte for
-- byte; combining them with version 2 sketches, or adding a value, is an error.
-- ---------------------------------------------------------------------------------
CREATE TEMP TABLE old_sketches (label text, s uvsketch);
INSERT INTO old_sketches VALUES
  ('sparse 1..3', 'uv:010e010003000000cdb921c6315ea06a196f279b7735d778e5a1656bc8faa6c7'),
  ('dense p4', 'uv:01040200000000000001050000000000000000000000003d');
SELECT label, uv_hash_version(s), uv_count(s), uv_precision(s), s::text, encode(s::bytea, 'hex') FROM old_sketches ORDER BY label;
SELECT uv_hash_version(uv_sketch(1)) AS new_sketch, uv_hash_version(uv_sketch(1::int8, 4) || uv_sketch(2, 10)) AS union_of_new;
-- version 1 with version 1: still a union, still version 1 ({1, 2, 3} with {1, 2}, two of its hashes)
SELECT uv_hash_version(uv_sketch(s)), uv_count(uv_sketch(s)), uv_precision(uv_sketch(s)), uv_hll(s)
FROM (SELECT s FROM old_sketches WHERE label = 'sparse 1..3'
      UNION ALL SELECT 'uv:010e010002000000cdb921c6315ea06a196f279b7735d778') v;
SELECT label, uv_hash_version(s || s), uv_count(s || s) AS self_union FROM old_sketches ORDER BY label;
\set VERBOSITY sqlstate
SELECT s || (SELECT uv_sketch(1)) FROM old_sketches WHERE label = 'sparse 1..3';
\set VERBOSITY default
SELECT s || (SELECT uv_sketch(1)) FROM old_sketches WHERE label = 'sparse 1..3';
SELECT uv_union((SELECT uv_sketch(1)), s) FROM old_sketches WHERE label = 'dense p4';
SELECT uv_hll(s) FROM (SELECT s FROM old_sketches UNION ALL SELECT uv_sketch(1)) v;
SELECT uv_sketch(s) FROM (SELECT uv_sketch(1) UNION ALL SELECT s FROM old_sketches) v(s);
SELECT uv_add(s, 4) FROM old_sketches WHERE label = 'sparse 1..3';
-- how to find the sketches to rebuild
SELECT label FROM old_sketches WHERE uv_hash_version(s) = 1 ORDER BY label;

-- The union aggregates validate each incoming sketch once, not their own state on every row
-- (that cost O(2^p / 8) a row): a non-strict transition of their own, not uv_union.
SELECT a.aggfnoid::regprocedure AS aggregate, t.proname AS transfn, t.proisstrict AS strict
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_proc t ON t.oid = a.aggtransfn
WHERE p.proname IN ('uv_hll', 'uv_sketch') AND p.proargtypes[0] = 'uvsketch'::regtype ORDER BY 1::text;
-- every uv aggregate combines with uv_sketch_combinefn and declares the size a state reaches
SELECT count(*) AS aggregates, string_agg(DISTINCT c.proname, ', ') AS combinefn,
       string_agg(DISTINCT a.aggtransspace::text, ', ') AS sspace
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_proc c ON c.oid = a.aggcombinefn
WHERE p.proname IN ('uv_hll', 'uv_sketch');
-- a damaged first sketch is still refused before it becomes the state
SELECT uv_hll(s) FROM (SELECT pg_temp.raw_uvsketch(decode('020e0100640000000000000000', 'hex'), '')) v(s);
-- many stored sketches roll up to the sketch of all the values
CREATE TEMP TABLE many_sketches AS
SELECT k % 500 AS g, uv_sketch(k, 18) AS s FROM generate_series(1, 20000) k GROUP BY 1;
SELECT uv_sketch(s) = (SELECT uv_sketch(k, 18) FROM generate_series(1, 20000) k) AS rollup_equal,
       uv_hll(s) = 20000 AS exact_below_limit
FROM many_sketches;

DROP SCHEMA uv_t CASCADE;
