-- Conversion funnels: funnel_step and funnel_counts (src/funnel/).

CREATE FUNCTION funnel_step_transfn(internal, timestamptz, interval, VARIADIC boolean[])
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION funnel_step_mode_transfn(internal, timestamptz, interval, text, VARIADIC boolean[])
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION funnel_step_finalfn(internal)
RETURNS int AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION funnel_step_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION funnel_step_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION funnel_step_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;

-- SSPACE: a typical group (a header and a few rows) takes about 128 bytes,
-- which lets the planner hash-aggregate by visitor instead of sorting.
-- The final function sorts a copy when the rows did not arrive in time order
-- and never modifies the state: READ_ONLY, so the aggregate also works as a
-- window function.
CREATE AGGREGATE funnel_step(ts timestamptz, "window" interval, VARIADIC steps boolean[]) (
    SFUNC = funnel_step_transfn,
    STYPE = internal,
    SSPACE = 128,
    FINALFUNC = funnel_step_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = funnel_step_combinefn,
    SERIALFUNC = funnel_step_serialfn,
    DESERIALFUNC = funnel_step_deserialfn,
    PARALLEL = SAFE
);

CREATE AGGREGATE funnel_step(ts timestamptz, "window" interval, mode text, VARIADIC steps boolean[]) (
    SFUNC = funnel_step_mode_transfn,
    STYPE = internal,
    SSPACE = 128,
    FINALFUNC = funnel_step_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = funnel_step_combinefn,
    SERIALFUNC = funnel_step_serialfn,
    DESERIALFUNC = funnel_step_deserialfn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE funnel_step(timestamptz, interval, VARIADIC boolean[]) IS
'number of funnel steps (0..N) a group reached in order within the window; one boolean condition per step';
COMMENT ON AGGREGATE funnel_step(timestamptz, interval, text, VARIADIC boolean[]) IS
'funnel_step with modes: a comma-separated list of default, strict_increase, strict_order, strict_deduplication';

CREATE FUNCTION funnel_counts_transfn(internal, int, int)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION funnel_counts_finalfn(internal)
RETURNS bigint[] AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION funnel_counts_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE FUNCTION funnel_counts_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION funnel_counts_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE funnel_counts(level int, nsteps int) (
    SFUNC = funnel_counts_transfn,
    STYPE = internal,
    FINALFUNC = funnel_counts_finalfn,
    COMBINEFUNC = funnel_counts_combinefn,
    SERIALFUNC = funnel_counts_serialfn,
    DESERIALFUNC = funnel_counts_deserialfn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE funnel_counts(int, int) IS
'cumulative funnel: element k is the number of groups whose level is at least k';
