-- Subscription revenue: the MRR bridge, churn and lifetime value.
--
--   mrr_movement(started_at, ended_at, mrr, period_from, period_to [, grain])
--       aggregate over one customer's subscriptions -> mrr_movement[]
--   mrr_movement(prev, cur, paid_before)      the classifier alone -> mrr_kind
--   mrr_bridge(mrr_movement)                  aggregate over one period's rows
--   churn_rate(mrr_movement [, basis])        pooled churn over movement rows
--   ltv(mrr_movement [, gross_margin])        ARPA x margin / logo churn
--   ltv(arpa, churn_rate [, gross_margin])    the formula alone
--   mrr_normalize(amount, billing_period)     monthly equivalent of a price

CREATE TYPE mrr_kind AS ENUM ('new', 'expansion', 'contraction', 'churn', 'reactivation', 'unchanged');
COMMENT ON TYPE mrr_kind IS 'How a customer''s MRR moved over one period';

CREATE TYPE mrr_movement AS (
  period      timestamptz,   -- start of the period, p_k
  kind        mrr_kind,
  mrr_before  numeric,       -- MRR at p_k
  mrr_after   numeric,       -- MRR at p_k+1
  delta       numeric        -- mrr_after - mrr_before
);
COMMENT ON TYPE mrr_movement IS 'One customer-period of the MRR bridge';

CREATE TYPE mrr_bridge AS (
  start_mrr              numeric,
  new_mrr                numeric,
  expansion_mrr          numeric,
  reactivation_mrr       numeric,
  contraction_mrr        numeric,   -- a positive amount (a loss)
  churned_mrr            numeric,   -- a positive amount (a loss)
  end_mrr                numeric,
  start_customers        bigint,
  new_customers          bigint,
  expanded_customers     bigint,
  reactivated_customers  bigint,
  contracted_customers   bigint,
  churned_customers      bigint,
  end_customers          bigint
);
COMMENT ON TYPE mrr_bridge IS 'The MRR bridge of one period: start + new + expansion + reactivation - contraction - churned = end';

-- ---- mrr_movement: one customer's subscriptions -> movement rows ---------
-- SSPACE: the state is a small header plus 32 bytes per subscription (a
-- handful per customer), which lets the planner size hash aggregation.

CREATE FUNCTION mrr_movement_trans(internal, timestamptz, timestamptz, numeric, timestamptz, timestamptz)
RETURNS internal AS 'MODULE_PATHNAME', 'mrr_movement_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_movement_trans(internal, timestamptz, timestamptz, numeric, timestamptz, timestamptz, interval)
RETURNS internal AS 'MODULE_PATHNAME', 'mrr_movement_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_movement_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_movement_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_movement_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_movement_final(internal)
RETURNS mrr_movement[] AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE mrr_movement(started_at timestamptz, ended_at timestamptz, mrr numeric,
                              period_from timestamptz, period_to timestamptz) (
  SFUNC = mrr_movement_trans, STYPE = internal, SSPACE = 256, FINALFUNC = mrr_movement_final,
  COMBINEFUNC = mrr_movement_combine, SERIALFUNC = mrr_movement_serialize,
  DESERIALFUNC = mrr_movement_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr_movement(timestamptz, timestamptz, numeric, timestamptz, timestamptz) IS
  'Monthly MRR movements of one customer (aggregate over its subscriptions)';

CREATE AGGREGATE mrr_movement(started_at timestamptz, ended_at timestamptz, mrr numeric,
                              period_from timestamptz, period_to timestamptz, grain interval) (
  SFUNC = mrr_movement_trans, STYPE = internal, SSPACE = 256, FINALFUNC = mrr_movement_final,
  COMBINEFUNC = mrr_movement_combine, SERIALFUNC = mrr_movement_serialize,
  DESERIALFUNC = mrr_movement_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr_movement(timestamptz, timestamptz, numeric, timestamptz, timestamptz, interval) IS
  'MRR movements of one customer per period of the given grain (aggregate over its subscriptions)';

CREATE FUNCTION mrr_movement(prev numeric, cur numeric, paid_before boolean)
RETURNS mrr_kind AS 'MODULE_PATHNAME', 'mrr_movement_classify'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_movement(numeric, numeric, boolean) IS
  'The kind of a move from MRR prev to cur (NULL when both are 0)';

-- ---- mrr_bridge, churn_rate, ltv: sums over movement rows ----------------
-- The three share one state (the pooled sums, about 300 bytes) and its
-- combine/serialize.

CREATE FUNCTION mrr_totals_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_totals_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_totals_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION mrr_bridge_trans(internal, mrr_movement)
RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_bridge_final(internal)
RETURNS mrr_bridge AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE mrr_bridge(mrr_movement) (
  SFUNC = mrr_bridge_trans, STYPE = internal, SSPACE = 320, FINALFUNC = mrr_bridge_final,
  COMBINEFUNC = mrr_totals_combine, SERIALFUNC = mrr_totals_serialize,
  DESERIALFUNC = mrr_totals_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr_bridge(mrr_movement) IS
  'The MRR bridge of one period (GROUP BY period)';

CREATE FUNCTION churn_rate_trans(internal, mrr_movement)
RETURNS internal AS 'MODULE_PATHNAME', 'churn_rate_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION churn_rate_trans(internal, mrr_movement, text)
RETURNS internal AS 'MODULE_PATHNAME', 'churn_rate_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION churn_rate_final(internal)
RETURNS numeric AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE churn_rate(mrr_movement) (
  SFUNC = churn_rate_trans, STYPE = internal, SSPACE = 320, FINALFUNC = churn_rate_final,
  COMBINEFUNC = mrr_totals_combine, SERIALFUNC = mrr_totals_serialize,
  DESERIALFUNC = mrr_totals_deserialize, PARALLEL = SAFE
);
CREATE AGGREGATE churn_rate(mrr_movement, basis text) (
  SFUNC = churn_rate_trans, STYPE = internal, SSPACE = 320, FINALFUNC = churn_rate_final,
  COMBINEFUNC = mrr_totals_combine, SERIALFUNC = mrr_totals_serialize,
  DESERIALFUNC = mrr_totals_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE churn_rate(mrr_movement) IS
  'Logo churn: churned customers / customers paying at the start, pooled over periods';
COMMENT ON AGGREGATE churn_rate(mrr_movement, text) IS
  'Churn on basis logo, gross_mrr or net_mrr, pooled over periods';

CREATE FUNCTION ltv_trans(internal, mrr_movement)
RETURNS internal AS 'MODULE_PATHNAME', 'ltv_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ltv_trans(internal, mrr_movement, numeric)
RETURNS internal AS 'MODULE_PATHNAME', 'ltv_trans' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ltv_final(internal)
RETURNS numeric AS 'MODULE_PATHNAME' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE ltv(mrr_movement) (
  SFUNC = ltv_trans, STYPE = internal, SSPACE = 320, FINALFUNC = ltv_final,
  COMBINEFUNC = mrr_totals_combine, SERIALFUNC = mrr_totals_serialize,
  DESERIALFUNC = mrr_totals_deserialize, PARALLEL = SAFE
);
CREATE AGGREGATE ltv(mrr_movement, gross_margin numeric) (
  SFUNC = ltv_trans, STYPE = internal, SSPACE = 320, FINALFUNC = ltv_final,
  COMBINEFUNC = mrr_totals_combine, SERIALFUNC = mrr_totals_serialize,
  DESERIALFUNC = mrr_totals_deserialize, PARALLEL = SAFE
);
COMMENT ON AGGREGATE ltv(mrr_movement) IS
  'Lifetime value: ARPA / logo churn over the movement rows given';
COMMENT ON AGGREGATE ltv(mrr_movement, numeric) IS
  'Lifetime value: ARPA x gross_margin / logo churn over the movement rows given';

CREATE FUNCTION ltv(arpa numeric, churn_rate numeric, gross_margin numeric DEFAULT 1)
RETURNS numeric AS 'MODULE_PATHNAME', 'ltv_formula'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ltv(numeric, numeric, numeric) IS
  'Lifetime value: arpa x gross_margin / churn_rate (NULL when churn_rate is 0)';

CREATE FUNCTION mrr_normalize(amount numeric, billing_period interval)
RETURNS numeric AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_normalize(numeric, interval) IS
  'Monthly equivalent of an amount billed every billing_period (a year = 12 months = 52 weeks)';
