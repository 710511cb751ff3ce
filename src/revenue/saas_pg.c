/*
 * saas_pg.c
 *		PostgreSQL glue of the SaaS metrics of the revenue family: the
 *		accessors of mrr_totals for the quick ratio, ARR, ARPA, NRR, GRR,
 *		CAC, CAC payback and LTV:CAC.  The core (saas.c) decides; this
 *		file converts and reports.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/numeric.h"

#include "common/b2b_pg.h"
#include "revenue/revenue_pg.h"
#include "revenue/saas.h"

PG_FUNCTION_INFO_V1(mrr_totals_quick_ratio);
PG_FUNCTION_INFO_V1(mrr_totals_arr);
PG_FUNCTION_INFO_V1(mrr_totals_arpa);
PG_FUNCTION_INFO_V1(mrr_totals_nrr);
PG_FUNCTION_INFO_V1(mrr_totals_grr);
PG_FUNCTION_INFO_V1(mrr_totals_cac);
PG_FUNCTION_INFO_V1(mrr_totals_cac_float8);
PG_FUNCTION_INFO_V1(mrr_totals_cac_payback);
PG_FUNCTION_INFO_V1(mrr_totals_cac_payback_float8);
PG_FUNCTION_INFO_V1(mrr_totals_ltv_cac);
PG_FUNCTION_INFO_V1(mrr_totals_ltv_cac_float8);

/* A ratio of the core: its value, NULL when undefined, or the overflow. */
static Datum
ratio_result(FunctionCallInfo fcinfo, rev_status st, const rev_ratio *r, const char *what)
{
	switch (st)
	{
		case REV_OK:
			PG_RETURN_NUMERIC(ratio_to_numeric(r));
		case REV_UNDEFINED:
			PG_RETURN_NULL();
		default:
			report_overflow(what);
	}
}

/* mrr_totals_quick_ratio(totals) */
Datum
mrr_totals_quick_ratio(PG_FUNCTION_ARGS)
{
	rev_ratio	r;
	rev_status	st = rev_totals_quick_ratio(totals_chained(PG_GETARG_DATUM(0)), &r);

	return ratio_result(fcinfo, st, &r, "sum of MRR");
}

/* mrr_totals_arr(totals): 12 x the end MRR, exact. */
Datum
mrr_totals_arr(PG_FUNCTION_ARGS)
{
	rev_totals *t = totals_chained(PG_GETARG_DATUM(0));
	rev_amount	arr;

	if (!rev_totals_has_rows(t))
		PG_RETURN_NULL();
	if (rev_totals_arr(t, &arr) != REV_OK)
		report_overflow("ARR");
	PG_RETURN_NUMERIC(amount_to_numeric(arr, t->scale));
}

/* mrr_totals_arpa(totals) */
Datum
mrr_totals_arpa(PG_FUNCTION_ARGS)
{
	rev_ratio	r;
	rev_status	st = rev_totals_arpa(totals_chained(PG_GETARG_DATUM(0)), &r);

	return ratio_result(fcinfo, st, &r, "MRR");
}

/* mrr_totals_nrr(totals, include_reactivation DEFAULT false) */
Datum
mrr_totals_nrr(PG_FUNCTION_ARGS)
{
	rev_ratio	r;
	rev_status	st = rev_totals_nrr(totals_chained(PG_GETARG_DATUM(0)), PG_GETARG_BOOL(1), &r);

	return ratio_result(fcinfo, st, &r, "retained MRR");
}

/* mrr_totals_grr(totals) */
Datum
mrr_totals_grr(PG_FUNCTION_ARGS)
{
	rev_ratio	r;
	rev_status	st = rev_totals_grr(totals_chained(PG_GETARG_DATUM(0)), &r);

	return ratio_result(fcinfo, st, &r, "retained MRR");
}

/* ---- acquisition: a spend against the new customers ------------------------ */

/* A formula of the totals, a spend (exact) and a gross margin (NULL: none). */
static Datum
acquisition(FunctionCallInfo fcinfo, Numeric spend_num, Numeric margin_num,
			rev_status (*formula) (const rev_totals *, rev_decimal, rev_amount, rev_ratio *))
{
	rev_totals *t = totals_chained(PG_GETARG_DATUM(0));
	rev_decimal spend;
	rev_amount	margin = margin_num == NULL ? 0 : margin_from_numeric(margin_num);
	rev_ratio	r;
	rev_status	st;

	numeric_to_amount(spend_num, "spend", &spend.units, &spend.scale);
	st = formula(t, spend, margin, &r);
	if (st == REV_ERR_NEGATIVE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("spend must be at least 0"),
				 errdetail("The value given is %s.", b2b_numeric_text(spend_num))));
	return ratio_result(fcinfo, st, &r, "spend");
}

static rev_status
cac_formula(const rev_totals *t, rev_decimal spend, rev_amount margin, rev_ratio *r)
{
	return rev_totals_cac(t, spend, r);
}

/* mrr_totals_cac(totals, spend), and its double precision twin */
Datum
mrr_totals_cac(PG_FUNCTION_ARGS)
{
	return acquisition(fcinfo, PG_GETARG_NUMERIC(1), NULL, cac_formula);
}

Datum
mrr_totals_cac_float8(PG_FUNCTION_ARGS)
{
	return acquisition(fcinfo, float8_to_numeric(PG_GETARG_FLOAT8(1)), NULL, cac_formula);
}

/* mrr_totals_cac_payback(totals, spend, gross_margin DEFAULT 1), in months */
Datum
mrr_totals_cac_payback(PG_FUNCTION_ARGS)
{
	return acquisition(fcinfo, PG_GETARG_NUMERIC(1), PG_GETARG_NUMERIC(2), rev_totals_cac_payback);
}

Datum
mrr_totals_cac_payback_float8(PG_FUNCTION_ARGS)
{
	return acquisition(fcinfo, float8_to_numeric(PG_GETARG_FLOAT8(1)),
					   float8_to_numeric(PG_GETARG_FLOAT8(2)), rev_totals_cac_payback);
}

/* mrr_totals_ltv_cac(totals, spend, gross_margin DEFAULT 1) */
Datum
mrr_totals_ltv_cac(PG_FUNCTION_ARGS)
{
	return acquisition(fcinfo, PG_GETARG_NUMERIC(1), PG_GETARG_NUMERIC(2), rev_totals_ltv_cac);
}

Datum
mrr_totals_ltv_cac_float8(PG_FUNCTION_ARGS)
{
	return acquisition(fcinfo, float8_to_numeric(PG_GETARG_FLOAT8(1)),
					   float8_to_numeric(PG_GETARG_FLOAT8(2)), rev_totals_ltv_cac);
}
