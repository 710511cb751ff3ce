-- Customer health: health_score, health_score_detail, health_band.
-- See README.md, "Customer health", for the model and the formula.

CREATE FUNCTION health_transfn(internal, timestamptz, text, timestamptz, jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'health_transfn'
LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION health_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'health_combinefn'
LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION health_serializefn(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'health_serializefn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION health_deserializefn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'health_deserializefn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION health_score_finalfn(internal)
RETURNS numeric AS 'MODULE_PATHNAME', 'health_score_finalfn'
LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION health_detail_finalfn(internal)
RETURNS jsonb AS 'MODULE_PATHNAME', 'health_detail_finalfn'
LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE AGGREGATE health_score(ts timestamptz, signal text, as_of timestamptz, model jsonb) (
  SFUNC = health_transfn,
  STYPE = internal,
  SSPACE = 128,          -- bytes per group with a few signals; without it the planner assumes 8 kB
  FINALFUNC = health_score_finalfn,
  COMBINEFUNC = health_combinefn,
  SERIALFUNC = health_serializefn,
  DESERIALFUNC = health_deserializefn,
  PARALLEL = SAFE
);

CREATE AGGREGATE health_score_detail(ts timestamptz, signal text, as_of timestamptz, model jsonb) (
  SFUNC = health_transfn,
  STYPE = internal,
  SSPACE = 128,          -- bytes per group with a few signals; without it the planner assumes 8 kB
  FINALFUNC = health_detail_finalfn,
  COMBINEFUNC = health_combinefn,
  SERIALFUNC = health_serializefn,
  DESERIALFUNC = health_deserializefn,
  PARALLEL = SAFE
);

CREATE FUNCTION health_band(score numeric)
RETURNS text AS 'MODULE_PATHNAME', 'health_band'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION health_band(score numeric, red_max numeric, yellow_max numeric)
RETURNS text AS 'MODULE_PATHNAME', 'health_band_thresholds'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON AGGREGATE health_score(timestamptz, text, timestamptz, jsonb) IS
  'customer health score 0..100 (two decimals) of a group''s events (ts, signal) at as_of under a jsonb model; NULL when no signal has data';
COMMENT ON AGGREGATE health_score_detail(timestamptz, text, timestamptz, jsonb) IS
  'health_score with, per signal, the recent and baseline counts, expected count, ratio, component, weight and points lost, as jsonb';
COMMENT ON FUNCTION health_band(numeric) IS
  'red (score <= 50), yellow (<= 75) or green; NULL for NULL';
COMMENT ON FUNCTION health_band(numeric, numeric, numeric) IS
  'red (score <= red_max), yellow (<= yellow_max) or green; NULL for NULL';
