-- Unique visitors: the uvsketch type (a HyperLogLog sketch that counts
-- exactly while small) and the uv_hll / uv_sketch aggregates.
-- See src/hll/hll.h for the representation and the binary format.

CREATE TYPE uvsketch;

CREATE FUNCTION uvsketch_in(cstring) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uvsketch_out(uvsketch) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uvsketch_recv(internal) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uvsketch_send(uvsketch) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ALIGNMENT double keeps the 64-bit hashes of a stored sketch aligned.
CREATE TYPE uvsketch (
    INPUT = uvsketch_in,
    OUTPUT = uvsketch_out,
    RECEIVE = uvsketch_recv,
    SEND = uvsketch_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE uvsketch IS
    'Distinct-count sketch: exact hashes while small, HyperLogLog registers beyond (precision 4..18)';

-- bytea casts carry the binary format (validated on the way in).
CREATE FUNCTION uvsketch_to_bytea(uvsketch) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uvsketch_from_bytea(bytea) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (uvsketch AS bytea) WITH FUNCTION uvsketch_to_bytea(uvsketch);
CREATE CAST (bytea AS uvsketch) WITH FUNCTION uvsketch_from_bytea(bytea);

-- Equality and a hash opclass, for GROUP BY, DISTINCT and hash joins.
CREATE FUNCTION uvsketch_eq(uvsketch, uvsketch) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uvsketch_hash(uvsketch) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR = (
    LEFTARG = uvsketch, RIGHTARG = uvsketch, FUNCTION = uvsketch_eq,
    COMMUTATOR = =, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES
);
CREATE OPERATOR CLASS uvsketch_hash_ops DEFAULT FOR TYPE uvsketch USING hash AS
    OPERATOR 1 = (uvsketch, uvsketch),
    FUNCTION 1 uvsketch_hash(uvsketch);

-- Functions on sketches.
CREATE FUNCTION uv_count(uvsketch) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_count(uvsketch) IS
    'Estimated number of distinct values in the sketch (exact while it is sparse)';

CREATE FUNCTION uv_union(uvsketch, uvsketch) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_union(uvsketch, uvsketch) IS
    'Union of two sketches, at the coarser of their precisions';
CREATE OPERATOR || (LEFTARG = uvsketch, RIGHTARG = uvsketch, FUNCTION = uv_union);

CREATE FUNCTION uv_add(uvsketch, anyelement) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uv_add(uvsketch, anyelement) IS
    'The sketch with one more value (a NULL sketch starts a new one at precision 14)';

CREATE FUNCTION uv_precision(uvsketch) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_precision(uvsketch) IS 'The sketch''s precision p (2^p registers)';

CREATE FUNCTION uv_hash(anyelement) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_hash(anyelement) IS
    'The 64-bit hash a value contributes to a sketch (part of the stored format)';

-- Aggregate support.  The state is the uvsketch itself, updated in place;
-- uv_union (above) is the combine function and the union aggregates' transition.
CREATE FUNCTION uv_sketch_trans(uvsketch, anyelement) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_trans_precision(uvsketch, anyelement, integer) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_hll_final(uvsketch) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_final(uvsketch) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- SSPACE: a state starts as a 1 KiB table of exact hashes (up to 110
-- distinct values, the typical per-page / per-hour group) and doubles as it
-- fills, up to 16 KiB of registers at p = 14.  Starting at the declared size
-- means a typical group never reallocates: growing leaves the old chunk on
-- the allocator's free list, and when all groups grow together nothing
-- reuses it.  A union of stored sketches starts as a copy of the first
-- one, and rollup sketches are mostly dense: 16 KiB at p = 14.
CREATE AGGREGATE uv_hll(anyelement) (
    SFUNC = uv_sketch_trans, STYPE = uvsketch, SSPACE = 1024,
    FINALFUNC = uv_hll_final,
    COMBINEFUNC = uv_union, PARALLEL = SAFE
);
CREATE AGGREGATE uv_hll(anyelement, integer) (
    SFUNC = uv_sketch_trans_precision, STYPE = uvsketch, SSPACE = 1024,
    FINALFUNC = uv_hll_final,
    COMBINEFUNC = uv_union, PARALLEL = SAFE
);
CREATE AGGREGATE uv_hll(uvsketch) (
    SFUNC = uv_union, STYPE = uvsketch, SSPACE = 16400,
    FINALFUNC = uv_hll_final,
    COMBINEFUNC = uv_union, PARALLEL = SAFE
);
CREATE AGGREGATE uv_sketch(anyelement) (
    SFUNC = uv_sketch_trans, STYPE = uvsketch, SSPACE = 1024,
    FINALFUNC = uv_sketch_final,
    COMBINEFUNC = uv_union, PARALLEL = SAFE
);
CREATE AGGREGATE uv_sketch(anyelement, integer) (
    SFUNC = uv_sketch_trans_precision, STYPE = uvsketch, SSPACE = 1024,
    FINALFUNC = uv_sketch_final,
    COMBINEFUNC = uv_union, PARALLEL = SAFE
);
CREATE AGGREGATE uv_sketch(uvsketch) (
    SFUNC = uv_union, STYPE = uvsketch, SSPACE = 16400,
    FINALFUNC = uv_sketch_final,
    COMBINEFUNC = uv_union, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(anyelement) IS 'Estimated number of distinct non-NULL values (precision 14)';
COMMENT ON AGGREGATE uv_hll(anyelement, integer) IS 'Estimated number of distinct non-NULL values at a precision 4..18';
COMMENT ON AGGREGATE uv_hll(uvsketch) IS 'Estimated number of distinct values in the union of the sketches';
COMMENT ON AGGREGATE uv_sketch(anyelement) IS 'Sketch of the distinct non-NULL values (precision 14)';
COMMENT ON AGGREGATE uv_sketch(anyelement, integer) IS 'Sketch of the distinct non-NULL values at a precision 4..18';
COMMENT ON AGGREGATE uv_sketch(uvsketch) IS 'Union of the sketches';
