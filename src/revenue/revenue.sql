-- Subscription revenue: MRR movements, the MRR bridge, churn and lifetime value.
--
--   mrr_movement(started_at, ended_at, mrr, period_from, period_to [, grain])
--       aggregate over one customer's subscriptions -> mrr_movement[]
--   mrr_classify(prev, cur, paid_before)      the classifier alone -> mrr_kind
--   mrr_bridge(mrr_movement)                  aggregate over one period's rows -> mrr_bridge
--   churn_rate(mrr_movement [, basis])        pooled churn over movement rows
--   ltv_agg(mrr_movement [, gross_margin])    ARPA x margin / logo churn over movement rows
--   ltv(arpa, churn_rate [, gross_margin])    the formula alone
--   mrr_normalize(amount, billing_period)     monthly equivalent of a price
--   mrr_totals(mrr_movement)                  aggregate -> mrr_totals, a value to store
--   mrr_rollup(mrr_totals)                    aggregate: the totals of consecutive periods
--   mrr_totals_bridge(t), mrr_totals_churn_rate(t [, basis]), mrr_totals_ltv(t [, gross_margin])
--                                             what a stored mrr_totals says
--   mrr_totals_arr, _arpa, _quick_ratio, _nrr, _grr, _cac, _cac_payback, _ltv_cac
--                                             the SaaS metrics of a stored mrr_totals (docs/saas.md)
--   mrr_renewals(started_at, ended_at, mrr, billing_period, period_from, period_to [, grace])
--                                             aggregate over one customer's subscriptions -> mrr_renewal[]
--   renewal_rate(mrr_renewal)                 logo, gross and net dollar renewal rates -> renewal_rates
--   mrr_cohort_moves(mrr_movement[])          a customer's rows tagged with its first-paid cohort

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

-- ---- mrr_totals: the totals of movement rows, a value to store and roll up ----
-- 256 bytes in memory and on disk (ALIGNMENT double and STORAGE plain: read
-- in place, never compressed); text 'mrr_totals:<hex>' and binary forms are
-- the little-endian wire format of src/revenue/revenue.h, validated on input.

CREATE TYPE mrr_totals;
CREATE FUNCTION mrr_totals_in(cstring) RETURNS mrr_totals
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_totals_out(mrr_totals) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_totals_recv(internal) RETURNS mrr_totals
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_totals_send(mrr_totals) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE mrr_totals (
    INPUT = mrr_totals_in,
    OUTPUT = mrr_totals_out,
    RECEIVE = mrr_totals_recv,
    SEND = mrr_totals_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE mrr_totals IS
  'Totals of MRR movements over one period or consecutive periods: the bridge, churn and LTV, rollup-able';

CREATE FUNCTION mrr_totals_to_bytea(mrr_totals) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_totals_from_bytea(bytea) RETURNS mrr_totals
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (mrr_totals AS bytea) WITH FUNCTION mrr_totals_to_bytea(mrr_totals);
CREATE CAST (bytea AS mrr_totals) WITH FUNCTION mrr_totals_from_bytea(bytea);

-- ---- mrr_movement: one customer's subscriptions -> movement rows ---------
-- The state is internal and unbounded (a customer's whole history); grouped
-- by customer it runs whole in one place (a Citus table distributed by
-- customer runs it on the workers).  SSPACE: a customer with up to four
-- subscriptions takes two chunks, 80 and 144 bytes with their headers.

CREATE FUNCTION mrr_movement_transfn(internal, timestamptz, timestamptz, numeric, timestamptz, timestamptz)
RETURNS internal AS 'MODULE_PATHNAME', 'mrr_movement_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_movement_transfn(internal, timestamptz, timestamptz, numeric, timestamptz, timestamptz, interval)
RETURNS internal AS 'MODULE_PATHNAME', 'mrr_movement_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_movement_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'mrr_movement_combinefn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_movement_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'mrr_movement_serialfn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_movement_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'mrr_movement_deserialfn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_movement_finalfn(internal)
RETURNS mrr_movement[] AS 'MODULE_PATHNAME', 'mrr_movement_finalfn' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE mrr_movement(started_at timestamptz, ended_at timestamptz, mrr numeric,
                              period_from timestamptz, period_to timestamptz) (
  SFUNC = mrr_movement_transfn, STYPE = internal, SSPACE = 256, FINALFUNC = mrr_movement_finalfn,
  COMBINEFUNC = mrr_movement_combinefn, SERIALFUNC = mrr_movement_serialfn,
  DESERIALFUNC = mrr_movement_deserialfn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr_movement(timestamptz, timestamptz, numeric, timestamptz, timestamptz) IS
  'Monthly MRR movements of one customer (aggregate over its subscriptions)';

CREATE AGGREGATE mrr_movement(started_at timestamptz, ended_at timestamptz, mrr numeric,
                              period_from timestamptz, period_to timestamptz, grain interval) (
  SFUNC = mrr_movement_transfn, STYPE = internal, SSPACE = 256, FINALFUNC = mrr_movement_finalfn,
  COMBINEFUNC = mrr_movement_combinefn, SERIALFUNC = mrr_movement_serialfn,
  DESERIALFUNC = mrr_movement_deserialfn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr_movement(timestamptz, timestamptz, numeric, timestamptz, timestamptz, interval) IS
  'MRR movements of one customer per period of the given grain (aggregate over its subscriptions)';

CREATE FUNCTION mrr_classify(prev numeric, cur numeric, paid_before boolean)
RETURNS mrr_kind AS 'MODULE_PATHNAME', 'mrr_classify'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_classify(numeric, numeric, boolean) IS
  'The kind of a move from MRR prev to cur (NULL when both are 0)';
CREATE FUNCTION mrr_classify(prev double precision, cur double precision, paid_before boolean)
RETURNS mrr_kind AS 'MODULE_PATHNAME', 'mrr_classify_float8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_classify(double precision, double precision, boolean) IS
  'The kind of a move from MRR prev to cur (NULL when both are 0); double precision arguments';

-- ---- aggregates whose state is mrr_totals ----------------------------------
-- One state for all (256 bytes in a 256-byte chunk plus its 16-byte header:
-- SSPACE 272), one combine function; nothing to serialize.  Transition
-- functions are not strict: they skip NULL rows themselves, after checking
-- the option of the row.

CREATE FUNCTION mrr_totals_combinefn(mrr_totals, mrr_totals)
RETURNS mrr_totals AS 'MODULE_PATHNAME', 'mrr_totals_combinefn' LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION mrr_bridge_transfn(mrr_totals, mrr_movement)
RETURNS mrr_totals AS 'MODULE_PATHNAME', 'mrr_bridge_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_bridge_finalfn(mrr_totals)
RETURNS mrr_bridge AS 'MODULE_PATHNAME', 'mrr_bridge_finalfn' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE mrr_bridge(mrr_movement) (
  SFUNC = mrr_bridge_transfn, STYPE = mrr_totals, SSPACE = 272, FINALFUNC = mrr_bridge_finalfn,
  COMBINEFUNC = mrr_totals_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr_bridge(mrr_movement) IS
  'The MRR bridge of one period (GROUP BY period)';

CREATE FUNCTION churn_rate_transfn(mrr_totals, mrr_movement)
RETURNS mrr_totals AS 'MODULE_PATHNAME', 'churn_rate_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION churn_rate_transfn(mrr_totals, mrr_movement, text)
RETURNS mrr_totals AS 'MODULE_PATHNAME', 'churn_rate_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION churn_rate_finalfn(mrr_totals)
RETURNS numeric AS 'MODULE_PATHNAME', 'churn_rate_finalfn' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE churn_rate(mrr_movement) (
  SFUNC = churn_rate_transfn, STYPE = mrr_totals, SSPACE = 272, FINALFUNC = churn_rate_finalfn,
  COMBINEFUNC = mrr_totals_combinefn, PARALLEL = SAFE
);
CREATE AGGREGATE churn_rate(mrr_movement, basis text) (
  SFUNC = churn_rate_transfn, STYPE = mrr_totals, SSPACE = 272, FINALFUNC = churn_rate_finalfn,
  COMBINEFUNC = mrr_totals_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE churn_rate(mrr_movement) IS
  'Logo churn: churned customers / customers paying at the start, pooled over periods';
COMMENT ON AGGREGATE churn_rate(mrr_movement, text) IS
  'Churn on basis logo, gross_mrr or net_mrr, pooled over periods';

CREATE FUNCTION ltv_agg_transfn(mrr_totals, mrr_movement)
RETURNS mrr_totals AS 'MODULE_PATHNAME', 'ltv_agg_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ltv_agg_transfn(mrr_totals, mrr_movement, numeric)
RETURNS mrr_totals AS 'MODULE_PATHNAME', 'ltv_agg_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION ltv_agg_finalfn(mrr_totals)
RETURNS numeric AS 'MODULE_PATHNAME', 'ltv_agg_finalfn' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE ltv_agg(mrr_movement) (
  SFUNC = ltv_agg_transfn, STYPE = mrr_totals, SSPACE = 272, FINALFUNC = ltv_agg_finalfn,
  COMBINEFUNC = mrr_totals_combinefn, PARALLEL = SAFE
);
CREATE AGGREGATE ltv_agg(mrr_movement, gross_margin numeric) (
  SFUNC = ltv_agg_transfn, STYPE = mrr_totals, SSPACE = 272, FINALFUNC = ltv_agg_finalfn,
  COMBINEFUNC = mrr_totals_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE ltv_agg(mrr_movement) IS
  'Lifetime value: ARPA / logo churn over the movement rows given';
COMMENT ON AGGREGATE ltv_agg(mrr_movement, numeric) IS
  'Lifetime value: ARPA x gross_margin / logo churn over the movement rows given';

CREATE FUNCTION mrr_totals_transfn(mrr_totals, mrr_movement)
RETURNS mrr_totals AS 'MODULE_PATHNAME', 'mrr_totals_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_totals_finalfn(mrr_totals)
RETURNS mrr_totals AS 'MODULE_PATHNAME', 'mrr_totals_finalfn' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE mrr_totals(mrr_movement) (
  SFUNC = mrr_totals_transfn, STYPE = mrr_totals, SSPACE = 272, FINALFUNC = mrr_totals_finalfn,
  COMBINEFUNC = mrr_totals_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr_totals(mrr_movement) IS
  'The totals of movement rows of one period or consecutive periods, to store and roll up';

CREATE FUNCTION mrr_rollup_transfn(mrr_totals, mrr_totals)
RETURNS mrr_totals AS 'MODULE_PATHNAME', 'mrr_rollup_transfn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_rollup_finalfn(mrr_totals)
RETURNS mrr_totals AS 'MODULE_PATHNAME', 'mrr_rollup_finalfn' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE mrr_rollup(mrr_totals) (
  SFUNC = mrr_rollup_transfn, STYPE = mrr_totals, SSPACE = 272, FINALFUNC = mrr_rollup_finalfn,
  COMBINEFUNC = mrr_totals_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr_rollup(mrr_totals) IS
  'The totals of consecutive periods (or of segments of one period) from stored mrr_totals';

-- ---- what an mrr_totals says --------------------------------------------------

CREATE FUNCTION mrr_totals_bridge(totals mrr_totals)
RETURNS TABLE (first_period timestamptz, last_period timestamptz,
               start_mrr numeric, new_mrr numeric, expansion_mrr numeric, reactivation_mrr numeric,
               contraction_mrr numeric, churned_mrr numeric, end_mrr numeric,
               start_customers bigint, new_customers bigint, expanded_customers bigint,
               reactivated_customers bigint, contracted_customers bigint, churned_customers bigint,
               end_customers bigint)
AS 'MODULE_PATHNAME', 'mrr_totals_bridge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION mrr_totals_bridge(mrr_totals) IS
  'The MRR bridge of the totals'' periods as one row of flat columns';

CREATE FUNCTION mrr_totals_churn_rate(totals mrr_totals, basis text DEFAULT 'logo')
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_churn_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_churn_rate(mrr_totals, text) IS
  'Churn of the totals on basis logo, gross_mrr or net_mrr, pooled over their periods';

CREATE FUNCTION mrr_totals_ltv(totals mrr_totals, gross_margin numeric DEFAULT 1)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_ltv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_ltv(mrr_totals, numeric) IS
  'Lifetime value of the totals: ARPA x gross_margin / logo churn';
CREATE FUNCTION mrr_totals_ltv(totals mrr_totals, gross_margin double precision)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_ltv_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_ltv(mrr_totals, double precision) IS
  'Lifetime value of the totals: ARPA x gross_margin / logo churn; double precision margin';

-- ---- scalar formulas -------------------------------------------------------------

CREATE FUNCTION ltv(arpa numeric, churn_rate numeric, gross_margin numeric DEFAULT 1)
RETURNS numeric AS 'MODULE_PATHNAME', 'ltv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ltv(numeric, numeric, numeric) IS
  'Lifetime value: arpa x gross_margin / churn_rate (NULL when churn_rate is 0)';
CREATE FUNCTION ltv(arpa double precision, churn_rate double precision, gross_margin double precision DEFAULT 1)
RETURNS numeric AS 'MODULE_PATHNAME', 'ltv_float8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ltv(double precision, double precision, double precision) IS
  'Lifetime value: arpa x gross_margin / churn_rate (NULL when churn_rate is 0); double precision arguments';

CREATE FUNCTION mrr_normalize(amount numeric, billing_period interval)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_normalize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_normalize(numeric, interval) IS
  'Monthly equivalent of an amount billed every billing_period (a year = 12 months = 52 weeks)';
CREATE FUNCTION mrr_normalize(amount double precision, billing_period interval)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_normalize_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_normalize(double precision, interval) IS
  'Monthly equivalent of an amount billed every billing_period; double precision amount';

-- ---- SaaS metrics of an mrr_totals (quick ratio, ARR, ARPA, NRR, GRR, CAC) -----

CREATE FUNCTION mrr_totals_quick_ratio(totals mrr_totals)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_quick_ratio' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_quick_ratio(mrr_totals) IS
  'SaaS quick ratio: (new + expansion + reactivation MRR) / (contraction + churned MRR), NULL when nothing was lost';

CREATE FUNCTION mrr_totals_arr(totals mrr_totals)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_arr' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_arr(mrr_totals) IS
  'ARR: 12 x the MRR at the end of the last period';

CREATE FUNCTION mrr_totals_arpa(totals mrr_totals)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_arpa' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_arpa(mrr_totals) IS
  'ARPA: MRR / paying customers at the end of the last period (NULL when nobody pays)';

CREATE FUNCTION mrr_totals_nrr(totals mrr_totals, include_reactivation boolean DEFAULT false)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_nrr' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_nrr(mrr_totals, boolean) IS
  'Net revenue retention: what the customers paying at a period start pay at its end / what they paid, pooled';

CREATE FUNCTION mrr_totals_grr(totals mrr_totals)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_grr' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_grr(mrr_totals) IS
  'Gross revenue retention: NRR with each customer capped at its start MRR (no expansion), pooled';

CREATE FUNCTION mrr_totals_cac(totals mrr_totals, spend numeric)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_cac' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_cac(mrr_totals, numeric) IS
  'CAC: spend / new customers (NULL without new customers)';
CREATE FUNCTION mrr_totals_cac(totals mrr_totals, spend double precision)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_cac_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_cac(mrr_totals, double precision) IS
  'CAC: spend / new customers (NULL without new customers); double precision spend';

CREATE FUNCTION mrr_totals_cac_payback(totals mrr_totals, spend numeric, gross_margin numeric DEFAULT 1)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_cac_payback' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_cac_payback(mrr_totals, numeric, numeric) IS
  'CAC payback in months: CAC / (new customers'' average MRR x gross_margin)';
CREATE FUNCTION mrr_totals_cac_payback(totals mrr_totals, spend double precision, gross_margin double precision DEFAULT 1)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_cac_payback_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_cac_payback(mrr_totals, double precision, double precision) IS
  'CAC payback in months: CAC / (new customers'' average MRR x gross_margin); double precision arguments';

CREATE FUNCTION mrr_totals_ltv_cac(totals mrr_totals, spend numeric, gross_margin numeric DEFAULT 1)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_ltv_cac' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_ltv_cac(mrr_totals, numeric, numeric) IS
  'LTV:CAC: mrr_totals_ltv / mrr_totals_cac (NULL without new customers, spend or churn)';
CREATE FUNCTION mrr_totals_ltv_cac(totals mrr_totals, spend double precision, gross_margin double precision DEFAULT 1)
RETURNS numeric AS 'MODULE_PATHNAME', 'mrr_totals_ltv_cac_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mrr_totals_ltv_cac(mrr_totals, double precision, double precision) IS
  'LTV:CAC: mrr_totals_ltv / mrr_totals_cac; double precision arguments';

-- ---- renewals: mrr_renewals per customer, renewal_rate over its rows -------------

CREATE TYPE mrr_renewal AS (
  due_at          timestamptz,   -- a contract term end
  billing_period  interval,      -- of the subscription due (the one of largest MRR when several end at once)
  due_mrr         numeric,       -- MRR of the terms ending then
  renewed_at      timestamptz,   -- first instant the customer pays on again within the grace period; NULL if not
  renewed_mrr     numeric        -- what it pays then (0 if not renewed)
);
COMMENT ON TYPE mrr_renewal IS 'One renewal decision of a customer: its contract terms ending at one instant';

-- The state is internal and unbounded (a customer's subscriptions), like
-- mrr_movement's: grouped by customer it runs whole where the rows are.
CREATE FUNCTION mrr_renewals_transfn(internal, timestamptz, timestamptz, numeric, interval, timestamptz, timestamptz)
RETURNS internal AS 'MODULE_PATHNAME', 'mrr_renewals_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_renewals_transfn(internal, timestamptz, timestamptz, numeric, interval, timestamptz, timestamptz, interval)
RETURNS internal AS 'MODULE_PATHNAME', 'mrr_renewals_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_renewals_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'mrr_renewals_combinefn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION mrr_renewals_serialfn(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'mrr_renewals_serialfn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_renewals_deserialfn(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'mrr_renewals_deserialfn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION mrr_renewals_finalfn(internal)
RETURNS mrr_renewal[] AS 'MODULE_PATHNAME', 'mrr_renewals_finalfn' LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE mrr_renewals(started_at timestamptz, ended_at timestamptz, mrr numeric, billing_period interval,
                              period_from timestamptz, period_to timestamptz) (
  SFUNC = mrr_renewals_transfn, STYPE = internal, SSPACE = 320, FINALFUNC = mrr_renewals_finalfn,
  COMBINEFUNC = mrr_renewals_combinefn, SERIALFUNC = mrr_renewals_serialfn,
  DESERIALFUNC = mrr_renewals_deserialfn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr_renewals(timestamptz, timestamptz, numeric, interval, timestamptz, timestamptz) IS
  'Renewal decisions of one customer whose contract terms end in the window, 30 days of grace (aggregate over its subscriptions)';
CREATE AGGREGATE mrr_renewals(started_at timestamptz, ended_at timestamptz, mrr numeric, billing_period interval,
                              period_from timestamptz, period_to timestamptz, grace interval) (
  SFUNC = mrr_renewals_transfn, STYPE = internal, SSPACE = 320, FINALFUNC = mrr_renewals_finalfn,
  COMBINEFUNC = mrr_renewals_combinefn, SERIALFUNC = mrr_renewals_serialfn,
  DESERIALFUNC = mrr_renewals_deserialfn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE mrr_renewals(timestamptz, timestamptz, numeric, interval, timestamptz, timestamptz, interval) IS
  'Renewal decisions of one customer whose contract terms end in the window, with the given grace period';

-- renewal_totals: the sums of renewal rows (72 bytes), the state of renewal_rate.
CREATE TYPE renewal_totals;
CREATE FUNCTION renewal_totals_in(cstring) RETURNS renewal_totals
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION renewal_totals_out(renewal_totals) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION renewal_totals_recv(internal) RETURNS renewal_totals
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION renewal_totals_send(renewal_totals) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE renewal_totals (
    INPUT = renewal_totals_in,
    OUTPUT = renewal_totals_out,
    RECEIVE = renewal_totals_recv,
    SEND = renewal_totals_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE renewal_totals IS 'Sums of renewal rows: the partial state of renewal_rate';

CREATE TYPE renewal_rates AS (
  due_customers               bigint,    -- renewal rows: customer-terms due
  renewed_customers           bigint,
  due_mrr                     numeric,
  renewed_mrr_capped          numeric,   -- each row's renewed MRR capped at its due MRR
  renewed_mrr                 numeric,
  logo_renewal_rate           numeric,   -- renewed / due customers
  gross_dollar_renewal_rate   numeric,   -- renewed MRR capped / due MRR
  net_dollar_renewal_rate     numeric    -- renewed MRR / due MRR
);
COMMENT ON TYPE renewal_rates IS 'Logo, gross dollar and net dollar renewal rates with their sums';

CREATE FUNCTION renewal_rate_transfn(renewal_totals, mrr_renewal)
RETURNS renewal_totals AS 'MODULE_PATHNAME', 'renewal_rate_transfn' LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION renewal_rate_combinefn(renewal_totals, renewal_totals)
RETURNS renewal_totals AS 'MODULE_PATHNAME', 'renewal_rate_combinefn' LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION renewal_rate_finalfn(renewal_totals)
RETURNS renewal_rates AS 'MODULE_PATHNAME', 'renewal_rate_finalfn' LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE renewal_rate(mrr_renewal) (
  SFUNC = renewal_rate_transfn, STYPE = renewal_totals, SSPACE = 88, FINALFUNC = renewal_rate_finalfn,
  COMBINEFUNC = renewal_rate_combinefn, PARALLEL = SAFE
);
COMMENT ON AGGREGATE renewal_rate(mrr_renewal) IS
  'Logo, gross dollar (capped) and net dollar renewal rates of renewal rows';

-- ---- revenue cohorts ----------------------------------------------------------

CREATE FUNCTION mrr_cohort_moves(moves mrr_movement[])
RETURNS TABLE (cohort timestamptz, month_offset integer, movement mrr_movement)
AS 'MODULE_PATHNAME', 'mrr_cohort_moves' LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 24;
COMMENT ON FUNCTION mrr_cohort_moves(mrr_movement[]) IS
  'One customer''s movement rows from its first-paid period on, with that period (its cohort) and the months since';
