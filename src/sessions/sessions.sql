-- Sessions, page paths and traffic quality (src/sessions/): docs/sessions.md.
--   sessions_agg(ts, page, gap)        aggregate: a visitor's sessions (the `sessions` type)
--   sessions_rollup(sessions)          aggregate: the sessions of stored values together
--   session_count, bounce_count, engaged_count, total_duration   accessors of sessions
--   session_rows(sessions), page_stats(sessions)                 the sessions and pages as rows
--   session_quality(sessions)                                    signs of automated traffic per session
--   path_edges(sessions, max_steps, start_page)                  page-to-page transitions as rows
--   traffic_anomalies(days, vals, weeks, threshold)              seasonal robust z of a daily series

-- ---- the sessions type: a visitor's events, canonical -----------------------------------
-- Text form "sessions:" + hex of the little-endian binary form (src/sessions/sessions.h).

CREATE TYPE sessions;

CREATE FUNCTION sessions_in(cstring) RETURNS sessions
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sessions_out(sessions) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sessions_recv(internal) RETURNS sessions
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sessions_send(sessions) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE sessions (
    INPUT = sessions_in,
    OUTPUT = sessions_out,
    RECEIVE = sessions_recv,
    SEND = sessions_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = int4,
    STORAGE = extended
);
COMMENT ON TYPE sessions IS
    'A visitor''s events (time, page) and session gap: sessions, bounces, time on page';

CREATE FUNCTION sessions_to_bytea(sessions) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sessions_from_bytea(bytea) RETURNS sessions
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (sessions AS bytea) WITH FUNCTION sessions_to_bytea(sessions);
CREATE CAST (bytea AS sessions) WITH FUNCTION sessions_from_bytea(bytea);

-- ---- sessions_agg and sessions_rollup -----------------------------------------------------
-- The state holds the group's events (16 bytes each, and each distinct page once), at
-- most 1,048,576 per group (54000 beyond: 16 MB); a visitor with a few events takes ~256 bytes.
-- The groups' memory is PostgreSQL's (hash aggregation counts it against work_mem), not a
-- budget of the call site: GROUP BY visitor holds every visitor's state at once.

-- Three forms (an aggregate has no argument defaults): page NULL, gap 30 minutes by default.
CREATE FUNCTION sessions_agg_transfn(internal, timestamptz)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION sessions_agg_transfn(internal, timestamptz, text)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION sessions_agg_transfn(internal, timestamptz, text, interval)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION sessions_rollup_transfn(internal, sessions)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION sessions_agg_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION sessions_agg_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION sessions_agg_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION sessions_agg_finalfn(internal)
RETURNS sessions AS 'MODULE_PATHNAME' LANGUAGE C CALLED ON NULL INPUT PARALLEL SAFE;

-- The final function sorts the events in place: invisible, so READ_ONLY holds.
CREATE AGGREGATE sessions_agg(ts timestamptz) (
    SFUNC = sessions_agg_transfn,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = sessions_agg_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = sessions_agg_combinefn,
    SERIALFUNC = sessions_agg_serialfn,
    DESERIALFUNC = sessions_agg_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE sessions_agg(ts timestamptz, page text) (
    SFUNC = sessions_agg_transfn,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = sessions_agg_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = sessions_agg_combinefn,
    SERIALFUNC = sessions_agg_serialfn,
    DESERIALFUNC = sessions_agg_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE sessions_agg(ts timestamptz, page text, gap interval) (
    SFUNC = sessions_agg_transfn,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = sessions_agg_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = sessions_agg_combinefn,
    SERIALFUNC = sessions_agg_serialfn,
    DESERIALFUNC = sessions_agg_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE sessions_agg(timestamptz) IS
'sessions_agg(ts, NULL, ''30 minutes''): sessions of events that are not page views';
COMMENT ON AGGREGATE sessions_agg(timestamptz, text) IS
'sessions_agg(ts, page, ''30 minutes'')';
COMMENT ON AGGREGATE sessions_agg(timestamptz, text, interval) IS
'a visitor''s sessions: a new session starts after more than gap without an event; page NULL for events that are not page views';

CREATE AGGREGATE sessions_rollup(sessions) (
    SFUNC = sessions_rollup_transfn,
    STYPE = internal,
    SSPACE = 256,
    FINALFUNC = sessions_agg_finalfn,
    FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = sessions_agg_combinefn,
    SERIALFUNC = sessions_agg_serialfn,
    DESERIALFUNC = sessions_agg_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE sessions_rollup(sessions) IS
'the sessions of the events of stored sessions values together (their gaps must agree)';

-- ---- accessors ----------------------------------------------------------------------------

CREATE FUNCTION session_count(s sessions) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bounce_count(s sessions) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION engaged_count(s sessions) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION total_duration(s sessions) RETURNS interval
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION session_rows(s sessions,
    OUT session_no int, OUT started timestamptz, OUT ended timestamptz, OUT duration interval,
    OUT events bigint, OUT pageviews bigint, OUT entry_page text, OUT exit_page text, OUT is_bounce boolean)
RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
CREATE FUNCTION page_stats(s sessions,
    OUT page text, OUT views bigint, OUT entries bigint, OUT exits bigint, OUT bounces bigint,
    OUT time_on_page_total interval, OUT timed_views bigint)
RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;

COMMENT ON FUNCTION session_count(sessions) IS 'the number of sessions';
COMMENT ON FUNCTION bounce_count(sessions) IS
'sessions with exactly one event, a page view';
COMMENT ON FUNCTION engaged_count(sessions) IS
'GA4 engaged sessions: at least 10 seconds from first to last event, or at least 2 page views';
COMMENT ON FUNCTION total_duration(sessions) IS
'the sum of session durations (last event - first event of each session)';
COMMENT ON FUNCTION session_rows(sessions) IS
'one row per session: times, duration, events, page views, entry and exit page, bounce';
COMMENT ON FUNCTION page_stats(sessions) IS
'one row per page: views, entries, exits, bounces, time on page (to the session''s next event) and the views it was measured on';

CREATE FUNCTION session_quality(s sessions,
    OUT session_no int, OUT started timestamptz, OUT events bigint, OUT pageviews bigint,
    OUT peak_events_per_minute int, OUT subsecond_views bigint, OUT suspicious boolean)
RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION session_quality(sessions) IS
'one row per session: events, page views, the most events in any minute, page views shorter than a second, and whether it looks automated (> 100 events, > 60 in a minute, or >= 5 views of which half under a second)';

-- ---- paths ----------------------------------------------------------------------------------

CREATE FUNCTION path_edges(s sessions, max_steps int DEFAULT 5, start_page text DEFAULT NULL,
    OUT step int, OUT from_page text, OUT to_page text, OUT transitions bigint)
RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 8;
COMMENT ON FUNCTION path_edges(sessions, int, text) IS
'page-to-page transitions between consecutive page views of each session, steps 1 to max_steps, optionally from the first view of start_page';

-- ---- traffic anomalies --------------------------------------------------------------------

CREATE FUNCTION traffic_anomalies(days date[], vals double precision[], weeks int DEFAULT 8,
    threshold double precision DEFAULT 3.5,
    OUT day date, OUT value double precision, OUT expected double precision,
    OUT score double precision, OUT is_anomaly boolean)
RETURNS SETOF record
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 365;
COMMENT ON FUNCTION traffic_anomalies(date[], double precision[], int, double precision) IS
'per day of a daily series: the median of the same weekday over the trailing weeks, the robust z 0.6745 (x - median) / MAD, and whether |z| > threshold';
