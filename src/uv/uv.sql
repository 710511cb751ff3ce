-- Unique visitors: the uvsketch type (a HyperLogLog sketch that counts
-- exactly while small) and the uv_hll / uv_sketch aggregates.
-- See src/uv/uv.h for the representation, the binary format and the hash versions.

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
-- text: an untyped parameter, uv_add(s, $1), resolves to it.
CREATE FUNCTION uv_add(uvsketch, text) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uv_add(uvsketch, text) IS
    'The sketch with one more value (a NULL sketch starts a new one at precision 14)';

-- "char" casts implicitly to text but is not a string type: without a form
-- of its own, uv_add(s, "char") could not choose between text and anyelement.
CREATE FUNCTION uv_add(uvsketch, "char") RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION uv_add(uvsketch, "char") IS
    'The sketch with one more value (a NULL sketch starts a new one at precision 14)';

CREATE FUNCTION uv_precision(uvsketch) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_precision(uvsketch) IS 'The sketch''s precision p (2^p registers)';

CREATE FUNCTION uv_hash_version(uvsketch) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_hash_version(uvsketch) IS
    'How the sketch''s values were hashed: 1 = b2bmetrics 1.0 (cannot be combined with newer sketches), 2 = 1.1';

CREATE FUNCTION uv_hash(anyelement) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_hash(anyelement) IS
    'The 64-bit hash a value contributes to a sketch (hash version 2; part of the stored format)';
CREATE FUNCTION uv_hash(text) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_hash(text) IS
    'The 64-bit hash a value contributes to a sketch (hash version 2; part of the stored format)';
CREATE FUNCTION uv_hash("char") RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_hash("char") IS
    'The 64-bit hash a value contributes to a sketch (hash version 2; part of the stored format)';

-- Aggregate support.  The state is the uvsketch itself, updated in place.
-- uv_sketch_transfn takes any hashable type (anyelement) and finds its type
-- from the call; the typed transition functions look nothing up, so they
-- also run where there is no call expression (Citus workers).  Each serves
-- the forms with and without a precision.
CREATE FUNCTION uv_sketch_transfn(uvsketch, anyelement) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_transfn(uvsketch, anyelement, integer) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_char_transfn(uvsketch, "char") RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_char_transfn(uvsketch, "char", integer) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_int2_transfn(uvsketch, smallint) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_int2_transfn(uvsketch, smallint, integer) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_int4_transfn(uvsketch, integer) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_int4_transfn(uvsketch, integer, integer) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_int8_transfn(uvsketch, bigint) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_int8_transfn(uvsketch, bigint, integer) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_text_transfn(uvsketch, text) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_text_transfn(uvsketch, text, integer) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_uuid_transfn(uvsketch, uuid) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_uuid_transfn(uvsketch, uuid, integer) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_union_transfn(uvsketch, uvsketch) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_combinefn(uvsketch, uvsketch) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION uv_hll_finalfn(uvsketch) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION uv_sketch_finalfn(uvsketch) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- SSPACE: the memory a group's state comes to at the default precision, so
-- that a hash aggregate whose groups all grow stays within work_mem x
-- hash_mem_multiplier (the executor admits as many groups as that many bytes
-- each fit, and a state keeps growing after its group was admitted).  A state
-- starts as a 1 KiB table of exact hashes (up to 110 distinct values), grows
-- to 4 KiB, then 16 KiB (16,400 bytes with the header, the size of the
-- registers); the tables it outgrew stay on the aggregate context's free
-- lists: 16,400 + 4,096 + 1,024 bytes and the allocator's headers, 21,600.
-- Precisions above 14 grow to 2^p bytes, beyond what is declared here.
CREATE AGGREGATE uv_hll(anyelement) (
    SFUNC = uv_sketch_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(anyelement) IS 'Estimated number of distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_hll(anyelement, integer) (
    SFUNC = uv_sketch_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(anyelement, integer) IS 'Estimated number of distinct non-NULL values at a precision 4..18';
CREATE AGGREGATE uv_hll(uvsketch) (
    SFUNC = uv_union_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(uvsketch) IS 'Estimated number of distinct values in the union of the sketches';
-- uv_hll over the common key types: the same hashes as uv_hll(anyelement), with typed transition functions.
CREATE AGGREGATE uv_hll(smallint) (
    SFUNC = uv_sketch_int2_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(smallint) IS 'Estimated number of distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_hll(smallint, integer) (
    SFUNC = uv_sketch_int2_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(smallint, integer) IS 'Estimated number of distinct non-NULL values at a precision 4..18';
CREATE AGGREGATE uv_hll(integer) (
    SFUNC = uv_sketch_int4_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(integer) IS 'Estimated number of distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_hll(integer, integer) (
    SFUNC = uv_sketch_int4_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(integer, integer) IS 'Estimated number of distinct non-NULL values at a precision 4..18';
CREATE AGGREGATE uv_hll(bigint) (
    SFUNC = uv_sketch_int8_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(bigint) IS 'Estimated number of distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_hll(bigint, integer) (
    SFUNC = uv_sketch_int8_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(bigint, integer) IS 'Estimated number of distinct non-NULL values at a precision 4..18';
CREATE AGGREGATE uv_hll(text) (
    SFUNC = uv_sketch_text_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(text) IS 'Estimated number of distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_hll(text, integer) (
    SFUNC = uv_sketch_text_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(text, integer) IS 'Estimated number of distinct non-NULL values at a precision 4..18';
CREATE AGGREGATE uv_hll(uuid) (
    SFUNC = uv_sketch_uuid_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(uuid) IS 'Estimated number of distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_hll(uuid, integer) (
    SFUNC = uv_sketch_uuid_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll(uuid, integer) IS 'Estimated number of distinct non-NULL values at a precision 4..18';
-- "char" (implicitly cast to text, but not a string type) keeps resolving: a form of its own.
CREATE AGGREGATE uv_hll("char") (
    SFUNC = uv_sketch_char_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll("char") IS 'Estimated number of distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_hll("char", integer) (
    SFUNC = uv_sketch_char_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_hll("char", integer) IS 'Estimated number of distinct non-NULL values at a precision 4..18';
CREATE AGGREGATE uv_sketch(anyelement) (
    SFUNC = uv_sketch_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(anyelement) IS 'Sketch of the distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_sketch(anyelement, integer) (
    SFUNC = uv_sketch_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(anyelement, integer) IS 'Sketch of the distinct non-NULL values at a precision 4..18';
CREATE AGGREGATE uv_sketch(uvsketch) (
    SFUNC = uv_union_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(uvsketch) IS 'Union of the sketches';
-- uv_sketch over the common key types: the same hashes as uv_sketch(anyelement), with typed transition functions.
CREATE AGGREGATE uv_sketch(smallint) (
    SFUNC = uv_sketch_int2_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(smallint) IS 'Sketch of the distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_sketch(smallint, integer) (
    SFUNC = uv_sketch_int2_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(smallint, integer) IS 'Sketch of the distinct non-NULL values at a precision 4..18';
CREATE AGGREGATE uv_sketch(integer) (
    SFUNC = uv_sketch_int4_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(integer) IS 'Sketch of the distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_sketch(integer, integer) (
    SFUNC = uv_sketch_int4_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(integer, integer) IS 'Sketch of the distinct non-NULL values at a precision 4..18';
CREATE AGGREGATE uv_sketch(bigint) (
    SFUNC = uv_sketch_int8_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(bigint) IS 'Sketch of the distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_sketch(bigint, integer) (
    SFUNC = uv_sketch_int8_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(bigint, integer) IS 'Sketch of the distinct non-NULL values at a precision 4..18';
CREATE AGGREGATE uv_sketch(text) (
    SFUNC = uv_sketch_text_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(text) IS 'Sketch of the distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_sketch(text, integer) (
    SFUNC = uv_sketch_text_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(text, integer) IS 'Sketch of the distinct non-NULL values at a precision 4..18';
CREATE AGGREGATE uv_sketch(uuid) (
    SFUNC = uv_sketch_uuid_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(uuid) IS 'Sketch of the distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_sketch(uuid, integer) (
    SFUNC = uv_sketch_uuid_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch(uuid, integer) IS 'Sketch of the distinct non-NULL values at a precision 4..18';
-- "char" (implicitly cast to text, but not a string type) keeps resolving: a form of its own.
CREATE AGGREGATE uv_sketch("char") (
    SFUNC = uv_sketch_char_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch("char") IS 'Sketch of the distinct non-NULL values (precision 14)';
CREATE AGGREGATE uv_sketch("char", integer) (
    SFUNC = uv_sketch_char_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE uv_sketch("char", integer) IS 'Sketch of the distinct non-NULL values at a precision 4..18';
