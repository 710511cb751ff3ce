-- Touch attribution (src/attribution/): touches_agg, touches_rollup, attribution and the
-- touch-curve accessors touches_before_conversion, touches_first_at, touches_converted_at.
-- See docs/attribution.md.

-- ---- touches: one lead's touches and conversions, a value to store ---------------
-- Text form 'touches:' + hex of the little-endian binary form (src/attribution/attribution.h),
-- validated completely on the way in; at most 100000 events.

CREATE TYPE touches;
CREATE FUNCTION touches_in(cstring) RETURNS touches
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION touches_out(touches) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION touches_recv(internal) RETURNS touches
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION touches_send(touches) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE touches (
    INPUT = touches_in,
    OUTPUT = touches_out,
    RECEIVE = touches_recv,
    SEND = touches_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);
COMMENT ON TYPE touches IS
    'one lead''s touches (rows with a channel) and conversions in time order: the state of touches_agg';

CREATE FUNCTION touches_to_bytea(touches) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION touches_from_bytea(bytea) RETURNS touches
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (touches AS bytea) WITH FUNCTION touches_to_bytea(touches);
CREATE CAST (bytea AS touches) WITH FUNCTION touches_from_bytea(bytea);

-- ---- touches_agg and touches_rollup ----------------------------------------------
-- The state holds the group's events (about 20 bytes each plus the channel name).

CREATE FUNCTION touches_agg_transfn(internal, timestamptz, text, boolean)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION touches_agg_transfn(internal, timestamptz, text, boolean, numeric)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION touches_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION touches_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION touches_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION touches_finalfn(internal)
RETURNS touches AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE AGGREGATE touches_agg(ts timestamptz, channel text, is_conversion boolean) (
    SFUNC = touches_agg_transfn, STYPE = internal, SSPACE = 256,
    FINALFUNC = touches_finalfn, COMBINEFUNC = touches_combinefn,
    SERIALFUNC = touches_serialfn, DESERIALFUNC = touches_deserialfn, PARALLEL = SAFE
);
CREATE AGGREGATE touches_agg(ts timestamptz, channel text, is_conversion boolean, value numeric) (
    SFUNC = touches_agg_transfn, STYPE = internal, SSPACE = 256,
    FINALFUNC = touches_finalfn, COMBINEFUNC = touches_combinefn,
    SERIALFUNC = touches_serialfn, DESERIALFUNC = touches_deserialfn, PARALLEL = SAFE
);
-- touches_rollup's state is the touches type itself (the first value, then the merges),
-- so Citus combines partial rollups on its workers.
CREATE FUNCTION touches_rollup_transfn(touches, touches)
RETURNS touches AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION touches_rollup_combinefn(touches, touches)
RETURNS touches AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE touches_rollup(t touches) (
    SFUNC = touches_rollup_transfn, STYPE = touches, SSPACE = 256,
    COMBINEFUNC = touches_rollup_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE touches_agg(timestamptz, text, boolean) IS
    'a group''s touches (rows with a non-NULL channel) and conversions (rows with is_conversion), each conversion worth 1';
COMMENT ON AGGREGATE touches_agg(timestamptz, text, boolean, numeric) IS
    'a group''s touches (rows with a non-NULL channel) and conversions (rows with is_conversion) with the conversion''s value';
COMMENT ON AGGREGATE touches_rollup(touches) IS
    'the touches values of a group together, as if touches_agg had seen all their rows';

-- ---- attribution: each conversion's credit, one row per touch --------------------

CREATE FUNCTION attribution(t touches, model text DEFAULT 'linear', lookback interval DEFAULT '90 days',
                            params jsonb DEFAULT '{}')
RETURNS TABLE (conversion_ts timestamptz, channel text, touch_ts timestamptz, "position" int,
               touches_before int, time_to_convert interval, credit numeric, value numeric)
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION attribution(touches, text, interval, jsonb) IS
    'one row per touch of each conversion''s path with its credit (first, last, last_non_direct, linear, time_decay, position; credits of a conversion sum to exactly 1)';

-- ---- the touch curve --------------------------------------------------------------

CREATE FUNCTION touches_before_conversion(t touches) RETURNS int
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION touches_first_at(t touches) RETURNS timestamptz
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION touches_converted_at(t touches) RETURNS timestamptz
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION touches_before_conversion(touches) IS
    'the number of touches up to the first conversion (a touch on the converting row counts), or all touches when none';
COMMENT ON FUNCTION touches_first_at(touches) IS 'the time of the first touch; NULL when none';
COMMENT ON FUNCTION touches_converted_at(touches) IS 'the time of the first conversion; NULL when none';
