-- uv: what changed in this family's SQL from 1.0 to 1.1.
-- The upgrade test (sql/upgrade.sql) checks that 1.0 plus this equals a fresh 1.1 install.
--
-- Hash version 2 (src/uv/uv.h): sketches stored by 1.0 keep hash version 1;
-- they still read, count and print as before, and combining them with new
-- sketches is an error.  Support functions follow the _transfn / _combinefn /
-- _finalfn scheme; the aggregates get typed forms for the common key types,
-- an honest SSPACE, and a union transition that validates only the incoming
-- sketch.

-- Renamed support functions, pointed at their new C symbols (the old symbols
-- stay in the library for 1.0 catalogs, src/uv/released_pg.c).
ALTER FUNCTION uv_sketch_trans(uvsketch, anyelement) RENAME TO uv_sketch_transfn;
ALTER FUNCTION uv_sketch_trans_precision(uvsketch, anyelement, integer) RENAME TO uv_sketch_transfn;
ALTER FUNCTION uv_hll_final(uvsketch) RENAME TO uv_hll_finalfn;
ALTER FUNCTION uv_sketch_final(uvsketch) RENAME TO uv_sketch_finalfn;
CREATE OR REPLACE FUNCTION uv_sketch_transfn(uvsketch, anyelement) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION uv_sketch_transfn(uvsketch, anyelement, integer) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION uv_hll_finalfn(uvsketch) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION uv_sketch_finalfn(uvsketch) RETURNS uvsketch
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION uv_hash(anyelement) IS
    'The 64-bit hash a value contributes to a sketch (hash version 2; part of the stored format)';

-- New functions.
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

CREATE FUNCTION uv_hash_version(uvsketch) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_hash_version(uvsketch) IS
    'How the sketch''s values were hashed: 1 = b2bmetrics 1.0 (cannot be combined with newer sketches), 2 = 1.1';

CREATE FUNCTION uv_hash(text) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_hash(text) IS
    'The 64-bit hash a value contributes to a sketch (hash version 2; part of the stored format)';
CREATE FUNCTION uv_hash("char") RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION uv_hash("char") IS
    'The 64-bit hash a value contributes to a sketch (hash version 2; part of the stored format)';

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

-- The 1.0 aggregates: new support functions and SSPACE (signatures unchanged,
-- so views that use them stay).
CREATE OR REPLACE AGGREGATE uv_hll(anyelement) (
    SFUNC = uv_sketch_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
CREATE OR REPLACE AGGREGATE uv_hll(anyelement, integer) (
    SFUNC = uv_sketch_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
CREATE OR REPLACE AGGREGATE uv_hll(uvsketch) (
    SFUNC = uv_union_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_hll_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
CREATE OR REPLACE AGGREGATE uv_sketch(anyelement) (
    SFUNC = uv_sketch_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
CREATE OR REPLACE AGGREGATE uv_sketch(anyelement, integer) (
    SFUNC = uv_sketch_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);
CREATE OR REPLACE AGGREGATE uv_sketch(uvsketch) (
    SFUNC = uv_union_transfn, STYPE = uvsketch, SSPACE = 21600,
    FINALFUNC = uv_sketch_finalfn,
    COMBINEFUNC = uv_sketch_combinefn, PARALLEL = SAFE
);

-- Typed forms for the common key types.
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
