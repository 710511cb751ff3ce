-- Customer health (src/health/): the health_state type, health_score, health_score_detail,
-- health_state, health_rollup and the accessors, health_signals, health_band.  See docs/health.md for the model and the formula.

-- ---- the state type ------------------------------------------------------------------

CREATE TYPE health_state;
CREATE FUNCTION health_state_in(cstring) RETURNS health_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION health_state_out(health_state) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION health_state_recv(internal) RETURNS health_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION health_state_send(health_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE health_state (
    INPUT = health_state_in,
    OUTPUT = health_state_out,
    RECEIVE = health_state_recv,
    SEND = health_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE health_state IS
  'The state of health_score and health_score_detail: as_of, two counters per signal and the model';

CREATE FUNCTION health_state_to_bytea(health_state) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION health_state_from_bytea(bytea) RETURNS health_state
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (health_state AS bytea) WITH FUNCTION health_state_to_bytea(health_state);
CREATE CAST (bytea AS health_state) WITH FUNCTION health_state_from_bytea(bytea);

-- ---- the aggregates ----------------------------------------------------------------------

CREATE FUNCTION health_state_transfn(health_state, timestamptz, text, timestamptz, jsonb)
RETURNS health_state AS 'MODULE_PATHNAME', 'health_state_transfn'
LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION health_state_combinefn(health_state, health_state)
RETURNS health_state AS 'MODULE_PATHNAME', 'health_state_combinefn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION health_state_score_finalfn(health_state)
RETURNS numeric AS 'MODULE_PATHNAME', 'health_state_score_finalfn'
LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION health_state_detail_finalfn(health_state)
RETURNS jsonb AS 'MODULE_PATHNAME', 'health_state_detail_finalfn'
LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

-- SSPACE: the state is 24 bytes, 16 per signal and the model's canonical text: 316 bytes for
-- the four-signal model of docs/health.md (its text has 228), which the allocator rounds up to
-- a 512-byte chunk with a 16-byte header.
CREATE AGGREGATE health_score(ts timestamptz, signal text, as_of timestamptz, model jsonb) (
  SFUNC = health_state_transfn,
  STYPE = health_state,
  SSPACE = 528,
  FINALFUNC = health_state_score_finalfn,
  COMBINEFUNC = health_state_combinefn,
  PARALLEL = SAFE
);

CREATE AGGREGATE health_score_detail(ts timestamptz, signal text, as_of timestamptz, model jsonb) (
  SFUNC = health_state_transfn,
  STYPE = health_state,
  SSPACE = 528,
  FINALFUNC = health_state_detail_finalfn,
  COMBINEFUNC = health_state_combinefn,
  PARALLEL = SAFE
);

-- The two-step form: the state of a group, to store or to combine later (per segment, per
-- shard, per user then per account), rolled up by health_rollup and read by the accessors.
-- States of one as_of and one model combine; anything else is an error.
CREATE AGGREGATE health_state(ts timestamptz, signal text, as_of timestamptz, model jsonb) (
  SFUNC = health_state_transfn,
  STYPE = health_state,
  SSPACE = 528,
  COMBINEFUNC = health_state_combinefn,
  PARALLEL = SAFE
);

CREATE FUNCTION health_rollup_transfn(health_state, health_state)
RETURNS health_state AS 'MODULE_PATHNAME', 'health_rollup_transfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE health_rollup(health_state) (
  SFUNC = health_rollup_transfn,
  STYPE = health_state,
  SSPACE = 528,
  COMBINEFUNC = health_state_combinefn,
  PARALLEL = SAFE
);

CREATE FUNCTION health_state_score(state health_state)
RETURNS numeric AS 'MODULE_PATHNAME', 'health_state_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION health_state_detail(state health_state)
RETURNS jsonb AS 'MODULE_PATHNAME', 'health_state_detail'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- flat forms and bands --------------------------------------------------------------

CREATE FUNCTION health_signals(detail jsonb)
RETURNS TABLE (signal text, recent bigint, baseline bigint, expected numeric, ratio numeric,
               component numeric, weight numeric, direction text, target numeric,
               has_data boolean, points_lost numeric)
AS 'MODULE_PATHNAME', 'health_signals' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;

CREATE FUNCTION health_band(score numeric)
RETURNS text AS 'MODULE_PATHNAME', 'health_band'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION health_band(score numeric, red_max numeric, yellow_max numeric)
RETURNS text AS 'MODULE_PATHNAME', 'health_band_thresholds'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION health_band(score double precision)
RETURNS text AS 'MODULE_PATHNAME', 'health_band_float8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION health_band(score double precision, red_max double precision, yellow_max double precision)
RETURNS text AS 'MODULE_PATHNAME', 'health_band_thresholds_float8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON AGGREGATE health_score(timestamptz, text, timestamptz, jsonb) IS
  'customer health score 0..100 (two decimals) of a group''s events (ts, signal) at as_of under a jsonb model; NULL when no signal has data';
COMMENT ON AGGREGATE health_score_detail(timestamptz, text, timestamptz, jsonb) IS
  'health_score with, per signal, the recent and baseline counts, expected count, ratio, component, weight and points lost, as jsonb';
COMMENT ON FUNCTION health_signals(jsonb) IS
  'one row per signal of a health_score_detail result, every field a column';
COMMENT ON FUNCTION health_band(numeric) IS
  'red (score <= 50), yellow (<= 75) or green; NULL for NULL';
COMMENT ON FUNCTION health_band(numeric, numeric, numeric) IS
  'red (score <= red_max), yellow (<= yellow_max) or green; NULL for NULL';
COMMENT ON FUNCTION health_band(double precision) IS
  'red (score <= 50), yellow (<= 75) or green; NULL for NULL; double precision score';
COMMENT ON FUNCTION health_band(double precision, double precision, double precision) IS
  'red (score <= red_max), yellow (<= yellow_max) or green; NULL for NULL; double precision arguments';
COMMENT ON AGGREGATE health_state(timestamptz, text, timestamptz, jsonb) IS
  'the health_state of a group''s events at as_of under a model, to store and roll up';
COMMENT ON AGGREGATE health_rollup(health_state) IS
  'the sum of health_state values of one as_of and model (segments, shards, users of an account)';
COMMENT ON FUNCTION health_state_score(health_state) IS
  'the health_score of a health_state';
COMMENT ON FUNCTION health_state_detail(health_state) IS
  'the health_score_detail of a health_state';
