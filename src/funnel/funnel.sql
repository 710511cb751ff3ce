-- Conversion funnels (src/funnel/): funnel_step, funnel_counts, funnel_report, funnel_steps.

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

-- funnel_step's state holds the group's matching rows (8 bytes each when they pack; see
-- src/funnel/funnel.h); a typical group, a visitor with a few rows, takes 64 bytes.
-- The final function may sort the rows in place and remember how far it read them:
-- invisible, so READ_ONLY holds and the aggregate works as a window function.

CREATE AGGREGATE funnel_step(ts timestamptz, "window" interval, VARIADIC steps boolean[]) (
    SFUNC = funnel_step_transfn,
    STYPE = internal,
    SSPACE = 96,
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
    SSPACE = 96,
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

-- ---- funnel_counts' state: funnel_levels, a count of groups per level ----------
-- A concrete type (not internal), so Citus combines partial counts on its workers.
-- Text form "funnel:" + hex of the little-endian binary form (src/funnel/funnel.h).

CREATE TYPE funnel_levels;

CREATE FUNCTION funnel_levels_in(cstring) RETURNS funnel_levels
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_levels_out(funnel_levels) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_levels_recv(internal) RETURNS funnel_levels
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_levels_send(funnel_levels) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE funnel_levels (
    INPUT = funnel_levels_in,
    OUTPUT = funnel_levels_out,
    RECEIVE = funnel_levels_recv,
    SEND = funnel_levels_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE funnel_levels IS
    'State of funnel_counts: the number of groups that reached each funnel level';

-- bytea casts carry the binary form (validated on the way in).
CREATE FUNCTION funnel_levels_to_bytea(funnel_levels) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_levels_from_bytea(bytea) RETURNS funnel_levels
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (funnel_levels AS bytea) WITH FUNCTION funnel_levels_to_bytea(funnel_levels);
CREATE CAST (bytea AS funnel_levels) WITH FUNCTION funnel_levels_from_bytea(bytea);

CREATE FUNCTION funnel_levels_transfn(funnel_levels, int, int) RETURNS funnel_levels
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION funnel_levels_combinefn(funnel_levels, funnel_levels) RETURNS funnel_levels
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_levels_finalfn(funnel_levels) RETURNS bigint[]
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE funnel_counts(level int, nsteps int) (
    SFUNC = funnel_levels_transfn,
    STYPE = funnel_levels,
    SSPACE = 272,
    FINALFUNC = funnel_levels_finalfn,
    COMBINEFUNC = funnel_levels_combinefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_counts(int, int) IS
'cumulative funnel: element k is the number of groups whose level is at least k';

-- ---- funnel_report: the whole funnel in one aggregate -------------------------------
-- Groups the rows by entity itself (src/engine), so no GROUP BY entity is needed:
--   SELECT channel, funnel_report(visitor_id, ts, '7 days', event = 'a', event = 'b') FROM events GROUP BY channel
-- returns what funnel_counts(funnel_step(...)) per visitor would.  Its state holds every
-- matching row (16 bytes each; a group starts at about 2 kB), within work_mem x
-- hash_mem_multiplier for all its groups; with ORDER BY entity, ts inside the call it
-- streams in constant memory.

CREATE FUNCTION funnel_report_transfn(internal, anyelement, timestamptz, interval, VARIADIC boolean[])
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION funnel_report_mode_transfn(internal, anyelement, timestamptz, interval, text, VARIADIC boolean[])
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION funnel_report_finalfn(internal)
RETURNS bigint[] AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION funnel_report_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION funnel_report_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION funnel_report_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;

CREATE AGGREGATE funnel_report(entity anyelement, ts timestamptz, "window" interval, VARIADIC steps boolean[]) (
    SFUNC = funnel_report_transfn,
    STYPE = internal,
    SSPACE = 2048,
    FINALFUNC = funnel_report_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = funnel_report_combinefn,
    SERIALFUNC = funnel_report_serialfn,
    DESERIALFUNC = funnel_report_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE funnel_report(entity anyelement, ts timestamptz, "window" interval, mode text, VARIADIC steps boolean[]) (
    SFUNC = funnel_report_mode_transfn,
    STYPE = internal,
    SSPACE = 2048,
    FINALFUNC = funnel_report_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = funnel_report_combinefn,
    SERIALFUNC = funnel_report_serialfn,
    DESERIALFUNC = funnel_report_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE funnel_report(anyelement, timestamptz, interval, VARIADIC boolean[]) IS
'the funnel of all entities in the group: element k is the number of entities that reached step k in order within the window';
COMMENT ON AGGREGATE funnel_report(anyelement, timestamptz, interval, text, VARIADIC boolean[]) IS
'funnel_report with modes: a comma-separated list of default, strict_increase, strict_order, strict_deduplication';

-- ---- funnel_steps: a funnel as rows, for charts -----------------------------------------

CREATE FUNCTION funnel_steps(counts bigint[], names text[] DEFAULT NULL)
RETURNS TABLE (step int, name text, reached bigint, pct_of_first float8, pct_of_previous float8)
AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION funnel_steps(bigint[], text[]) IS
'one row per funnel step: its name, the groups that reached it, and the percentages of the first and the previous step';
