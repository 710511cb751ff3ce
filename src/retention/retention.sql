-- Retention (src/retention/): the activity type and its accessors, ClickHouse's
-- retention(), cohort retention, stickiness and lifecycle.
-- See src/retention/retention.h for the representations and the binary forms.
-- Functions that turn timestamps into periods follow date_trunc in the session
-- time zone, so they are STABLE, like date_trunc on timestamptz.

-- ---- activity: the set of calendar periods in which an entity had a row ---------------

CREATE TYPE activity;

CREATE FUNCTION activity_in(cstring) RETURNS activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION activity_out(activity) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION activity_recv(internal) RETURNS activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION activity_send(activity) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ALIGNMENT double keeps the 64-bit words of the bitmap aligned.
CREATE TYPE activity (
    INPUT = activity_in,
    OUTPUT = activity_out,
    RECEIVE = activity_recv,
    SEND = activity_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE activity IS
    'Set of calendar periods (day, ISO week or month) in which an entity was active: a bitmap from its first period';

CREATE FUNCTION activity_to_bytea(activity) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION activity_from_bytea(bytea) RETURNS activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (activity AS bytea) WITH FUNCTION activity_to_bytea(activity);
CREATE CAST (bytea AS activity) WITH FUNCTION activity_from_bytea(bytea);

-- The state is the activity itself, updated in place: 16 bytes and 8 per 64 periods
-- (a year of days is 64 bytes).
CREATE FUNCTION activity_agg_transfn(activity, timestamptz) RETURNS activity
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_agg_transfn(activity, timestamptz, text) RETURNS activity
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION activity_union_transfn(activity, activity) RETURNS activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION activity_combinefn(activity, activity) RETURNS activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE activity_agg(ts timestamptz) (
    SFUNC = activity_agg_transfn,
    STYPE = activity,
    SSPACE = 64,
    COMBINEFUNC = activity_combinefn,
    PARALLEL = SAFE
);
CREATE AGGREGATE activity_agg(ts timestamptz, grain text) (
    SFUNC = activity_agg_transfn,
    STYPE = activity,
    SSPACE = 64,
    COMBINEFUNC = activity_combinefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_agg(timestamptz) IS
    'the days (in the session time zone) in which the group had a row, as an activity';
COMMENT ON AGGREGATE activity_agg(timestamptz, text) IS
    'the periods (grain day, week or month, as date_trunc in the session time zone) in which the group had a row, as an activity';

CREATE AGGREGATE activity_union(activity) (
    SFUNC = activity_union_transfn,
    STYPE = activity,
    SSPACE = 64,
    COMBINEFUNC = activity_combinefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE activity_union(activity) IS
    'the union of stored activities of one grain: the periods in which any of them was active';

CREATE FUNCTION activity_union(a activity, b activity) RETURNS activity
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_union(activity, activity) IS
    'the union of two activities of one grain';

CREATE FUNCTION activity_grain(a activity) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION activity_grain(activity) IS 'the grain of an activity: day, week or month';

CREATE FUNCTION first_active(a activity) RETURNS timestamptz
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION first_active(activity) IS
    'the start of the first active period (date_trunc of the grain, in the session time zone)';
CREATE FUNCTION last_active(a activity) RETURNS timestamptz
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION last_active(activity) IS
    'the start of the last active period (date_trunc of the grain, in the session time zone)';

CREATE FUNCTION active_periods(a activity) RETURNS int
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION active_periods(activity) IS 'the number of active periods';
CREATE FUNCTION active_periods(a activity, "from" timestamptz, "to" timestamptz) RETURNS int
    AS 'MODULE_PATHNAME', 'active_periods_between' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION active_periods(activity, timestamptz, timestamptz) IS
    'the number of active periods from the one containing "from" to the one containing "to", both included';

CREATE FUNCTION is_active(a activity, at timestamptz) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION is_active(activity, timestamptz) IS 'whether the period containing at is active';

CREATE FUNCTION longest_streak(a activity) RETURNS int
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION longest_streak(activity) IS 'the longest run of consecutive active periods';

CREATE FUNCTION current_streak(a activity, as_of timestamptz DEFAULT now()) RETURNS int
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION current_streak(activity, timestamptz) IS
    'the run of consecutive active periods ending with the period containing as_of (0 when that one is inactive)';

CREATE FUNCTION streaks(a activity) RETURNS TABLE (start timestamptz, periods int)
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION streaks(activity) IS
    'one row per run of consecutive active periods: the start of its first period and its length';

-- ---- retention(VARIADIC conds): ClickHouse's retention, up to 64 conditions ---------------
-- The state is a 10-byte bytea: the number of conditions and the mask of those seen.

CREATE FUNCTION retention_transfn(bytea, VARIADIC boolean[]) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_combinefn(bytea, bytea) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_finalfn(bytea) RETURNS int[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE retention(VARIADIC conds boolean[]) (
    SFUNC = retention_transfn,
    STYPE = bytea,
    SSPACE = 16,
    FINALFUNC = retention_finalfn,
    COMBINEFUNC = retention_combinefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention(VARIADIC boolean[]) IS
    'ClickHouse''s retention: element 1 is 1 when a row matched condition 1; element k is 1 when rows matched conditions 1 and k';

-- ---- retention_report(entity, VARIADIC conds): retention() of every entity, summed ---------
-- Groups by entity itself (src/engine): SELECT retention_report(user_id, event = 'signup', ...)
-- FROM events returns, per element, the users whose retention() element is 1, without a
-- GROUP BY user_id.  The state holds 8 bytes of mask and the entity's key (in the engine's
-- table) per entity with a matching row, within work_mem x hash_mem_multiplier for all groups.

CREATE FUNCTION retention_report_transfn(internal, anyelement, VARIADIC boolean[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION retention_report_combinefn(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION retention_report_serialfn(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION retention_report_deserialfn(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION retention_report_finalfn(internal) RETURNS bigint[]
    AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

CREATE AGGREGATE retention_report(entity anyelement, VARIADIC conds boolean[]) (
    SFUNC = retention_report_transfn,
    STYPE = internal,
    SSPACE = 16384,
    FINALFUNC = retention_report_finalfn,
    COMBINEFUNC = retention_report_combinefn,
    SERIALFUNC = retention_report_serialfn,
    DESERIALFUNC = retention_report_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_report(anyelement, VARIADIC boolean[]) IS
    'retention() of every entity of the group, summed: element k is the number of entities with rows matching conditions 1 and k';

-- ---- retention_counts: cohort retention, lifecycle and stickiness of a population ---------

CREATE TYPE retention_counts;

CREATE FUNCTION retention_counts_in(cstring) RETURNS retention_counts
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_counts_out(retention_counts) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_counts_recv(internal) RETURNS retention_counts
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_counts_send(retention_counts) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE retention_counts (
    INPUT = retention_counts_in,
    OUTPUT = retention_counts_out,
    RECEIVE = retention_counts_recv,
    SEND = retention_counts_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);
COMMENT ON TYPE retention_counts IS
    'State of cohort_retention, lifecycle and stickiness: counts of entities per period';

CREATE FUNCTION retention_counts_to_bytea(retention_counts) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION retention_counts_from_bytea(bytea) RETURNS retention_counts
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (retention_counts AS bytea) WITH FUNCTION retention_counts_to_bytea(retention_counts);
CREATE CAST (bytea AS retention_counts) WITH FUNCTION retention_counts_from_bytea(bytea);

CREATE FUNCTION cohort_retention_transfn(retention_counts, activity, activity, int) RETURNS retention_counts
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cohort_retention_transfn(retention_counts, activity, activity, int, text) RETURNS retention_counts
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cohort_retention_transfn(retention_counts, activity, activity, int, text, text) RETURNS retention_counts
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION lifecycle_transfn(retention_counts, activity, timestamptz, int) RETURNS retention_counts
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION stickiness_transfn(retention_counts, activity, timestamptz, int) RETURNS retention_counts
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION retention_counts_union_transfn(retention_counts, retention_counts) RETURNS retention_counts
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION retention_counts_combinefn(retention_counts, retention_counts) RETURNS retention_counts
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stickiness_finalfn(retention_counts) RETURNS bigint[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stickiness_cumulative_finalfn(retention_counts) RETURNS bigint[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Cohort retention: a row of n + 2 counts per cohort period (weekly cohorts of a year
-- with n = 12 are 5.8 kB).
CREATE AGGREGATE cohort_retention(start activity, return activity, n int) (
    SFUNC = cohort_retention_transfn,
    STYPE = retention_counts,
    SSPACE = 4096,
    COMBINEFUNC = retention_counts_combinefn,
    PARALLEL = SAFE
);
CREATE AGGREGATE cohort_retention(start activity, return activity, n int, criterion text) (
    SFUNC = cohort_retention_transfn,
    STYPE = retention_counts,
    SSPACE = 4096,
    COMBINEFUNC = retention_counts_combinefn,
    PARALLEL = SAFE
);
CREATE AGGREGATE cohort_retention(start activity, return activity, n int, criterion text, cohorts text) (
    SFUNC = cohort_retention_transfn,
    STYPE = retention_counts,
    SSPACE = 4096,
    COMBINEFUNC = retention_counts_combinefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE cohort_retention(activity, activity, int) IS
    'cohort retention of entities: per cohort (the first period of start), how many were active in return at offsets 0..n';
COMMENT ON AGGREGATE cohort_retention(activity, activity, int, text) IS
    'cohort retention with a criterion: on (active in the period at offset k) or on_or_after (in it or later)';
COMMENT ON AGGREGATE cohort_retention(activity, activity, int, text, text) IS
    'cohort retention with a criterion and cohorts: first (an entity''s first start period) or recurring (every start period)';

CREATE AGGREGATE lifecycle(a activity, "from" timestamptz, n int) (
    SFUNC = lifecycle_transfn,
    STYPE = retention_counts,
    SSPACE = 512,
    COMBINEFUNC = retention_counts_combinefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE lifecycle(activity, timestamptz, int) IS
    'per period of the n from the one containing "from": entities new, returning, resurrecting and dormant';

CREATE AGGREGATE stickiness(a activity, "from" timestamptz, n int) (
    SFUNC = stickiness_transfn,
    STYPE = retention_counts,
    SSPACE = 128,
    FINALFUNC = stickiness_finalfn,
    COMBINEFUNC = retention_counts_combinefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE stickiness(activity, timestamptz, int) IS
    'element k: the entities active in exactly k of the n periods from the one containing "from"';
CREATE AGGREGATE stickiness_cumulative(a activity, "from" timestamptz, n int) (
    SFUNC = stickiness_transfn,
    STYPE = retention_counts,
    SSPACE = 128,
    FINALFUNC = stickiness_cumulative_finalfn,
    COMBINEFUNC = retention_counts_combinefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE stickiness_cumulative(activity, timestamptz, int) IS
    'element k: the entities active in at least k of the n periods from the one containing "from"';

CREATE AGGREGATE retention_counts_union(retention_counts) (
    SFUNC = retention_counts_union_transfn,
    STYPE = retention_counts,
    SSPACE = 4096,
    COMBINEFUNC = retention_counts_combinefn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE retention_counts_union(retention_counts) IS
    'the sum of stored cohort_retention or lifecycle states of the same parameters (disjoint populations)';

CREATE FUNCTION retention_cells(counts retention_counts, as_of timestamptz DEFAULT now())
RETURNS TABLE (cohort timestamptz, "offset" int, cohort_size bigint, retained bigint, eligible bigint, rate float8)
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION retention_cells(retention_counts, timestamptz) IS
    'one row per cohort and offset 0..n: size, retained, eligible and rate; a cell whose period starts after as_of is not eligible (NULL retained and rate)';

CREATE FUNCTION lifecycle_rows(counts retention_counts)
RETURNS TABLE (period timestamptz, new bigint, "returning" bigint, resurrecting bigint, dormant bigint)
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION lifecycle_rows(retention_counts) IS
    'one row per period of a lifecycle state: the start of the period and its new, returning, resurrecting and dormant entities';
