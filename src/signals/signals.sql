-- Signals (src/signals/): what predicts churn and conversion.  score_auc backtests
-- a score against outcomes, action_lift finds the actions after which users
-- convert, churn_signals finds the events whose rate falls (or rises) before churn
-- and churn_signals_model turns the best of them into a health model; account_engagement
-- measures how broadly and deeply an account uses the product, for a sales list.
-- Every aggregate has an internal state of bounded size (the distinct scores, the
-- distinct action or event names) with validated serialize/deserialize functions.

-- ---- score_auc(score, outcome): the exact ROC AUC ---------------------------------------

CREATE FUNCTION score_auc_transfn(internal, double precision, boolean) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION score_auc_combinefn(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION score_auc_serialfn(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION score_auc_deserialfn(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION score_auc_finalfn(internal) RETURNS double precision
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE score_auc(score double precision, outcome boolean) (
    SFUNC = score_auc_transfn,
    STYPE = internal,
    SSPACE = 1600,      -- 24 bytes per distinct score held
    FINALFUNC = score_auc_finalfn,
    COMBINEFUNC = score_auc_combinefn,
    SERIALFUNC = score_auc_serialfn,
    DESERIALFUNC = score_auc_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE score_auc(double precision, boolean) IS
    'exact ROC AUC (Mann-Whitney U / (positives x negatives), ties count half) of scores against a boolean outcome; NULL when either class is empty';

-- ---- action_lift(actions, converted [, min_support]): magic actions ------------------------

CREATE TYPE action_lift AS (
    action        text,
    users_did     bigint,
    converted_did bigint,
    rate_did      double precision,
    users_not     bigint,
    converted_not bigint,
    rate_not      double precision,
    lift          double precision,
    lift_low      double precision,
    lift_high     double precision,
    p_value       double precision
);
COMMENT ON TYPE action_lift IS
    'one action of action_lift: users who did it and did not, their conversions and rates, lift with its 95 % interval, two-proportion p-value';

CREATE FUNCTION action_lift_transfn(internal, text[], boolean) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION action_lift_transfn(internal, text[], boolean, bigint) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION action_lift_combinefn(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION action_lift_serialfn(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION action_lift_deserialfn(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION action_lift_finalfn(internal) RETURNS action_lift[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE action_lift(actions text[], converted boolean) (
    SFUNC = action_lift_transfn,
    STYPE = internal,
    SSPACE = 2048,
    FINALFUNC = action_lift_finalfn,
    COMBINEFUNC = action_lift_combinefn,
    SERIALFUNC = action_lift_serialfn,
    DESERIALFUNC = action_lift_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE action_lift(actions text[], converted boolean, min_support bigint) (
    SFUNC = action_lift_transfn,
    STYPE = internal,
    SSPACE = 2048,
    FINALFUNC = action_lift_finalfn,
    COMBINEFUNC = action_lift_combinefn,
    SERIALFUNC = action_lift_serialfn,
    DESERIALFUNC = action_lift_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE action_lift(text[], boolean) IS
    'over one row per user (the actions it did in its first days, whether it converted): per action the users who did it vs did not, conversion rates, lift, its 95 % interval and a p-value, highest lift first';
COMMENT ON AGGREGATE action_lift(text[], boolean, bigint) IS
    'action_lift of the actions done by at least min_support users';

-- ---- churn_signals(ts, event, ref_at, churned, recent, baseline): what falls before churn ------

CREATE TYPE churn_signals AS (
    event             text,
    churned_recent    bigint,
    churned_baseline  bigint,
    retained_recent   bigint,
    retained_baseline bigint,
    churned_ratio     double precision,
    retained_ratio    double precision,
    difference        double precision,
    z                 double precision,
    p_value           double precision
);
COMMENT ON TYPE churn_signals IS
    'one event type of churn_signals: its counts in the recent and baseline windows for churned and retained accounts, rate ratios, their difference and a two-proportion test';

CREATE FUNCTION churn_signals_transfn(internal, timestamptz, text, timestamptz, boolean, interval, interval)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION churn_signals_transfn(internal, timestamptz, text, timestamptz, boolean, interval, interval, integer)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION churn_signals_combinefn(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION churn_signals_serialfn(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION churn_signals_deserialfn(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION churn_signals_finalfn(internal) RETURNS churn_signals[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION churn_signals_model_finalfn(internal) RETURNS jsonb
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE churn_signals(ts timestamptz, event text, ref_at timestamptz, churned boolean,
                               recent interval, baseline interval) (
    SFUNC = churn_signals_transfn,
    STYPE = internal,
    SSPACE = 2048,
    FINALFUNC = churn_signals_finalfn,
    COMBINEFUNC = churn_signals_combinefn,
    SERIALFUNC = churn_signals_serialfn,
    DESERIALFUNC = churn_signals_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE churn_signals_model(ts timestamptz, event text, ref_at timestamptz, churned boolean,
                                     recent interval, baseline interval, k integer) (
    SFUNC = churn_signals_transfn,
    STYPE = internal,
    SSPACE = 2048,
    FINALFUNC = churn_signals_model_finalfn,
    COMBINEFUNC = churn_signals_combinefn,
    SERIALFUNC = churn_signals_serialfn,
    DESERIALFUNC = churn_signals_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE churn_signals(timestamptz, text, timestamptz, boolean, interval, interval) IS
    'per event type: counts in the recent and baseline windows before each account''s reference date (its churn, or a date for retained accounts), rate ratios of churned and retained accounts, their difference and a two-proportion test, most separating first';
COMMENT ON AGGREGATE churn_signals_model(timestamptz, text, timestamptz, boolean, interval, interval, integer) IS
    'a health model (jsonb, as health_score takes it) of the k most separating churn_signals: weight |z|, direction up for signals that fall before churn';

-- ---- account_engagement(user_id, feature, ts, as_of [, window]): high-value accounts --------

CREATE TYPE account_engagement AS (
    users                bigint,
    features             bigint,
    active_days          bigint,
    events               bigint,
    previous_users       bigint,
    previous_features    bigint,
    previous_active_days bigint,
    previous_events      bigint,
    users_trend          double precision,
    events_trend         double precision
);
COMMENT ON TYPE account_engagement IS
    'a group''s distinct users, features and active days and its events in the window ending at as_of and in the window before, with trends';

CREATE FUNCTION account_engagement_transfn(internal, bigint, text, timestamptz, timestamptz)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION account_engagement_transfn(internal, bigint, text, timestamptz, timestamptz, interval)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION account_engagement_combinefn(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION account_engagement_serialfn(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION account_engagement_deserialfn(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION account_engagement_finalfn(internal) RETURNS account_engagement
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE account_engagement(user_id bigint, feature text, ts timestamptz, as_of timestamptz) (
    SFUNC = account_engagement_transfn,
    STYPE = internal,
    SSPACE = 4096,
    FINALFUNC = account_engagement_finalfn,
    COMBINEFUNC = account_engagement_combinefn,
    SERIALFUNC = account_engagement_serialfn,
    DESERIALFUNC = account_engagement_deserialfn,
    PARALLEL = SAFE
);
CREATE AGGREGATE account_engagement(user_id bigint, feature text, ts timestamptz, as_of timestamptz, "window" interval) (
    SFUNC = account_engagement_transfn,
    STYPE = internal,
    SSPACE = 4096,
    FINALFUNC = account_engagement_finalfn,
    COMBINEFUNC = account_engagement_combinefn,
    SERIALFUNC = account_engagement_serialfn,
    DESERIALFUNC = account_engagement_deserialfn,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE account_engagement(bigint, text, timestamptz, timestamptz) IS
    'account_engagement over the 30 days ending at as_of and the 30 days before';
COMMENT ON AGGREGATE account_engagement(bigint, text, timestamptz, timestamptz, interval) IS
    'a group''s exact distinct users (breadth), features (depth), active days and events in (as_of - window, as_of] and in the window before, with trends';
