/*
 * saas_pg.c
 *		PostgreSQL glue of the SaaS metrics of the revenue family: the
 *		accessors of mrr_totals for the quick ratio, ARR, ARPA, NRR, GRR,
 *		CAC, CAC payback and LTV:CAC.  The core (saas.c) decides; this
 *		file converts and reports.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "common/int.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/datetime.h"
#include "utils/tuplestore.h"
#include "pgtime.h"

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
PG_FUNCTION_INFO_V1(mrr_renewals_transfn);
PG_FUNCTION_INFO_V1(mrr_renewals_combinefn);
PG_FUNCTION_INFO_V1(mrr_renewals_serialfn);
PG_FUNCTION_INFO_V1(mrr_renewals_deserialfn);
PG_FUNCTION_INFO_V1(mrr_renewals_finalfn);
PG_FUNCTION_INFO_V1(renewal_rate_transfn);
PG_FUNCTION_INFO_V1(renewal_rate_combinefn);
PG_FUNCTION_INFO_V1(renewal_rate_finalfn);
PG_FUNCTION_INFO_V1(mrr_cohort_moves);

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

/* ---- mrr_renewals: one customer's subscriptions -> its renewal decisions ---- */

/*
 * The state is a rev_term_history (internal, unbounded like mrr_movement's):
 * grouped by customer it runs whole where the customer's rows are.  Room
 * for four subscriptions to start with (64 + 4 x 48 bytes).
 */
#define TERM_HISTORY_INITIAL_CAPACITY 4

static rev_term_history *
term_history_new(MemoryContext cxt, uint32 capacity)
{
	rev_term_history *h = MemoryContextAllocZero(cxt, sizeof(rev_term_history));

	h->capacity = Max(capacity, TERM_HISTORY_INITIAL_CAPACITY);
	h->subs = MemoryContextAlloc(cxt, sizeof(rev_term_sub) * h->capacity);
	return h;
}

static void
term_history_reserve(rev_term_history *h, uint32 more)
{
	uint64		need = (uint64) h->nsubs + more;
	uint64		capacity;

	if (need <= h->capacity)
		return;
	if (need > MaxAllocSize / sizeof(rev_term_sub))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many subscriptions for one customer"),
				 errdetail("mrr_renewals keeps at most %zu subscriptions per group.",
						   (size_t) (MaxAllocSize / sizeof(rev_term_sub)))));
	capacity = Max(need, (uint64) h->capacity * 2);
	capacity = Min(capacity, MaxAllocSize / sizeof(rev_term_sub));
	h->capacity = (uint32) capacity;
	h->subs = repalloc(h->subs, sizeof(rev_term_sub) * h->capacity);
}

static Interval
term_grace(const rev_term_history *h)
{
	Interval	iv;

	iv.time = h->grace_usec;
	iv.day = h->grace_days;
	iv.month = h->grace_months;
	return iv;
}

static void
report_renewal_window_mismatch(const rev_term_history *a, const rev_term_history *b)
{
	Interval	ga = term_grace(a);
	Interval	gb = term_grace(b);

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("period arguments differ between rows of one group"),
			 errdetail("One row has (%s, %s, grace %s), another (%s, %s, grace %s).",
					   b2b_timestamptz_text(a->period_from), b2b_timestamptz_text(a->period_to),
					   b2b_interval_text(&ga), b2b_timestamptz_text(b->period_from),
					   b2b_timestamptz_text(b->period_to), b2b_interval_text(&gb)),
			 errhint("Pass the same period_from, period_to and grace on every row, for example as constants.")));
}

/*
 * mrr_renewals_transfn(state, started_at, ended_at, mrr, billing_period,
 * period_from, period_to [, grace]): collect one subscription row.
 */
Datum
mrr_renewals_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	rev_term_history w = {0};
	rev_term_history *h;
	rev_term_sub s;
	Interval	default_grace = {0, REV_DEFAULT_GRACE_DAYS, 0};
	Interval   *grace = &default_grace;
	Interval   *period;
	int			scale;

	b2b_require_not_null(fcinfo, 5, "period_from");
	b2b_require_not_null(fcinfo, 6, "period_to");
	if (PG_NARGS() > 7)
	{
		b2b_require_not_null(fcinfo, 7, "grace");
		grace = PG_GETARG_INTERVAL_P(7);
	}
	w.has_window = true;
	w.period_from = PG_GETARG_TIMESTAMPTZ(5);
	w.period_to = PG_GETARG_TIMESTAMPTZ(6);
	b2b_require_finite(w.period_from, "period_from");
	b2b_require_finite(w.period_to, "period_to");
	if (w.period_to <= w.period_from)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period_to must be after period_from"),
				 errdetail("The periods run from %s to %s.",
						   b2b_timestamptz_text(w.period_from), b2b_timestamptz_text(w.period_to))));
	if (!B2B_INTERVAL_IS_FINITE(grace) || grace->time < 0 || grace->day < 0 || grace->month < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("grace must not be negative"),
				 errdetail("The value given is %s.", b2b_interval_text(grace)),
				 errhint("No part may be negative, for example '30 days' or '0 days'.")));
	w.grace_usec = grace->time;
	w.grace_days = grace->day;
	w.grace_months = grace->month;

	if (PG_ARGISNULL(0))
	{
		h = term_history_new(aggcontext, TERM_HISTORY_INITIAL_CAPACITY);
		h->has_window = true;
		h->period_from = w.period_from;
		h->period_to = w.period_to;
		h->grace_usec = w.grace_usec;
		h->grace_days = w.grace_days;
		h->grace_months = w.grace_months;
	}
	else
	{
		h = (rev_term_history *) PG_GETARG_POINTER(0);
		if (!rev_term_window_equal(h, &w))
			report_renewal_window_mismatch(h, &w);
	}

	b2b_require_not_null(fcinfo, 1, "started_at");
	b2b_require_not_null(fcinfo, 3, "mrr");
	b2b_require_not_null(fcinfo, 4, "billing_period");
	s.started_at = PG_GETARG_TIMESTAMPTZ(1);
	s.ended_at = PG_ARGISNULL(2) ? REV_NEVER : PG_GETARG_TIMESTAMPTZ(2);
	numeric_to_amount(PG_GETARG_NUMERIC(3), "mrr", &s.mrr, &scale);
	period = PG_GETARG_INTERVAL_P(4);
	s.period_usec = period->time;
	s.period_days = period->day;
	s.period_months = period->month;
	b2b_require_finite(s.started_at, "started_at");
	switch (B2B_INTERVAL_IS_FINITE(period) ? rev_term_sub_check(&s) : REV_ERR_GRAIN_NOT_POSITIVE)
	{
		case REV_OK:
			break;
		case REV_ERR_ENDS_BEFORE_START:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("ended_at must not be before started_at"),
					 errdetail("The subscription starts at %s and ends at %s.",
							   b2b_timestamptz_text(s.started_at), b2b_timestamptz_text(s.ended_at))));
			break;
		case REV_ERR_NEGATIVE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("mrr must not be negative"),
					 errdetail("The subscription starting at %s has mrr %s.",
							   b2b_timestamptz_text(s.started_at), b2b_numeric_text(PG_GETARG_NUMERIC(3))),
					 errhint("Use 0 for trials and free plans.")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("billing_period must be a positive interval"),
					 errdetail("The value given is %s.", b2b_interval_text(period)),
					 errhint("No part may be negative, for example '1 month' or '1 year'.")));
	}
	term_history_reserve(h, 1);
	if (rev_term_history_add(h, &s, scale) != REV_OK)
		report_overflow("mrr");
	PG_RETURN_POINTER(h);
}

Datum
mrr_renewals_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	rev_term_history *into;
	rev_term_history *from;
	rev_status	st;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	from = (rev_term_history *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
	{
		into = term_history_new(aggcontext, from->nsubs);
		into->scale = from->scale;
	}
	else
		into = (rev_term_history *) PG_GETARG_POINTER(0);
	term_history_reserve(into, from->nsubs);
	st = rev_term_history_merge(into, from);
	if (st == REV_ERR_OPTION_CHANGED)
		report_renewal_window_mismatch(into, from);
	if (st != REV_OK)
		report_overflow("mrr");
	PG_RETURN_POINTER(into);
}

Datum
mrr_renewals_serialfn(PG_FUNCTION_ARGS)
{
	rev_term_history *h = (rev_term_history *) PG_GETARG_POINTER(0);
	uint8	   *data;
	bytea	   *out = b2b_bytea_new(rev_term_history_encoded_size(h), &data);

	rev_term_history_encode(h, data);
	PG_RETURN_BYTEA_P(out);
}

static const char *
term_history_problem(rev_status st)
{
	switch (st)
	{
		case REV_ERR_BAD_LENGTH:
			return "Its length does not match its number of subscriptions.";
		case REV_ERR_BAD_VERSION:
			return "Its format version is unknown to this library.";
		default:
			return "A period argument or a subscription in it is invalid.";
	}
}

Datum
mrr_renewals_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const uint8 *buf = (const uint8 *) VARDATA_ANY(in);
	size_t		len = VARSIZE_ANY_EXHDR(in);
	uint32		nsubs;
	rev_term_history *h;
	rev_status	st;

	(void) b2b_agg_context(fcinfo);
	st = rev_term_history_decode_count(buf, len, &nsubs);
	if (st != REV_OK)
		b2b_report_bad_bytes("an mrr_renewals aggregate state", term_history_problem(st));
	if ((uint64) nsubs * sizeof(rev_term_sub) > MaxAllocSize)
		b2b_report_bad_bytes("an mrr_renewals aggregate state", "It claims more subscriptions than fit in memory.");
	h = term_history_new(CurrentMemoryContext, nsubs);
	st = rev_term_history_decode(buf, len, h);
	if (st != REV_OK)
		b2b_report_bad_bytes("an mrr_renewals aggregate state", term_history_problem(st));
	PG_RETURN_POINTER(h);
}

/* t + k x period with the server's calendar (22015 when k x period overflows). */
static TimestampTz
add_periods(TimestampTz t, const Interval *period, int64 k)
{
	Interval	step;

	if (k > PG_INT32_MAX || pg_mul_s32_overflow(period->month, (int32) k, &step.month) ||
		pg_mul_s32_overflow(period->day, (int32) k, &step.day) ||
		pg_mul_s64_overflow(period->time, k, &step.time))
		ereport(ERROR,
				(errcode(ERRCODE_INTERVAL_FIELD_OVERFLOW),
				 errmsg("billing_period is out of range"),
				 errdetail("Term %lld of %s from %s does not fit an interval.", (long long) k,
						   b2b_interval_text(period), b2b_timestamptz_text(t))));
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval, TimestampTzGetDatum(t),
												   IntervalPGetDatum(&step)));
}

/* At most this many term ends of one subscription inside the window. */
#define MAX_DUES_PER_SUBSCRIPTION REV_MAX_PERIODS

/*
 * The term ends of subscription i inside [period_from, period_to), appended
 * to *dues.  Terms end at started_at + k x billing_period (k >= 1) before
 * ended_at, and at ended_at.  The first k tried is a lower bound from the
 * longest a period can be (31-day months, 25-hour days), so a subscription
 * started long before the window costs no walk through its old terms.
 */
static void
subscription_dues(const rev_term_history *h, uint32 i, rev_due **dues, uint32 *ndues, uint32 *capacity)
{
	const rev_term_sub *s = &h->subs[i];
	Interval	period = {s->period_usec, s->period_days, s->period_months};
	Interval	grace = term_grace(h);
	double		longest = (double) s->period_months * 31 * 25 * USECS_PER_HOUR +
		(double) s->period_days * 25 * USECS_PER_HOUR + (double) s->period_usec;
	int64		k = 1;
	int			added = 0;

	if (s->mrr == 0 || s->started_at >= s->ended_at || s->started_at >= h->period_to ||
		s->ended_at < h->period_from)
		return;
	if (h->period_from > s->started_at)
		k = Max(1, (int64) (((double) h->period_from - (double) s->started_at) / longest));
	for (;; k++)
	{
		TimestampTz t = add_periods(s->started_at, &period, k);
		bool		at_end = t >= s->ended_at;

		if (at_end)
			t = s->ended_at;		/* the last term ends with the subscription */
		if (t >= h->period_to)
			break;
		if (t >= h->period_from)
		{
			if (++added > MAX_DUES_PER_SUBSCRIPTION)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many term ends"),
						 errdetail("A subscription billed every %s has more than %d term ends from %s to %s.",
								   b2b_interval_text(&period), MAX_DUES_PER_SUBSCRIPTION,
								   b2b_timestamptz_text(h->period_from), b2b_timestamptz_text(h->period_to)),
						 errhint("Use a shorter window.")));
			if (*ndues == *capacity)
			{
				*capacity *= 2;
				*dues = repalloc(*dues, sizeof(rev_due) * *capacity);
			}
			(*dues)[*ndues].due_at = t;
			(*dues)[*ndues].grace_end = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
																			  TimestampTzGetDatum(t),
																			  IntervalPGetDatum(&grace)));
			(*dues)[*ndues].sub = i;
			(*dues)[*ndues].continues = !at_end;
			(*ndues)++;
		}
		if (at_end)
			break;
		CHECK_FOR_INTERRUPTS();
	}
}

typedef struct RenewalCache
{
	Oid			elemtype;		/* mrr_renewal */
	TupleDesc	tupdesc;
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
} RenewalCache;

static RenewalCache *
renewal_cache(FunctionCallInfo fcinfo)
{
	RenewalCache *cache = fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		Oid			arraytype = result_type(fcinfo);

		cache = palloc0(sizeof(RenewalCache));
		cache->elemtype = OidIsValid(arraytype) ? get_element_type(arraytype) : InvalidOid;
		if (!OidIsValid(cache->elemtype))
			elog(ERROR, "mrr_renewals_finalfn: could not determine the result type");
		cache->tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(cache->elemtype, -1));
		if (cache->tupdesc->natts != 5)
			elog(ERROR, "mrr_renewal type has %d columns, expected 5", cache->tupdesc->natts);
		get_typlenbyvalalign(cache->elemtype, &cache->elemlen, &cache->elembyval, &cache->elemalign);
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

Datum
mrr_renewals_finalfn(PG_FUNCTION_ARGS)
{
	RenewalCache *cache;
	rev_term_history *h;
	rev_due    *dues;
	rev_renewal *rows;
	uint32		ndues = 0;
	uint32		capacity = 16;
	uint32		nrows;
	Datum	   *elems;

	(void) b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	h = (rev_term_history *) PG_GETARG_POINTER(0);
	cache = renewal_cache(fcinfo);
	if (!h->has_window)
		PG_RETURN_NULL();

	dues = palloc(sizeof(rev_due) * capacity);
	for (uint32 i = 0; i < h->nsubs; i++)
		subscription_dues(h, i, &dues, &ndues, &capacity);
	rows = palloc(sizeof(rev_renewal) * Max(ndues, 1));
	if (rev_renewals(h, dues, ndues, rows, &nrows) != REV_OK)
		report_overflow("sum of mrr");

	elems = palloc(sizeof(Datum) * Max(nrows, 1));
	for (uint32 i = 0; i < nrows; i++)
	{
		const rev_renewal *r = &rows[i];
		const rev_term_sub *s = &h->subs[r->sub];
		Interval   *period = palloc(sizeof(Interval));
		Datum		values[5];
		bool		nulls[5] = {false, false, false, r->renewed_at == REV_NEVER, false};

		period->time = s->period_usec;
		period->day = s->period_days;
		period->month = s->period_months;
		values[0] = TimestampTzGetDatum(r->due_at);
		values[1] = IntervalPGetDatum(period);
		values[2] = NumericGetDatum(amount_to_numeric(r->due_mrr, h->scale));
		values[3] = TimestampTzGetDatum(r->renewed_at);
		values[4] = NumericGetDatum(amount_to_numeric(r->renewed_mrr, h->scale));
		elems[i] = HeapTupleGetDatum(heap_form_tuple(cache->tupdesc, values, nulls));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, nrows, cache->elemtype, cache->elemlen,
										  cache->elembyval, cache->elemalign));
}

/* ---- renewal_totals and renewal_rate(mrr_renewal) ---------------------------- */

/* A datum's layout, checked before any field is read (XX001 if damaged). */
static rev_renewal_totals *
renewal_totals_datum(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	rev_renewal_totals *t = (rev_renewal_totals *) v;

	if (VARSIZE(v) != sizeof(rev_renewal_totals) || t->version != REV_RENEWAL_TOTALS_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("renewal_totals value is damaged"),
				 errdetail("It has %u bytes and version %u, where this library keeps %zu bytes of version %d.",
						   (unsigned) VARSIZE(v), (unsigned) t->version, sizeof(rev_renewal_totals),
						   REV_RENEWAL_TOTALS_VERSION)));
	if ((uintptr_t) t % 8 != 0)
	{
		rev_renewal_totals *aligned = palloc(sizeof(rev_renewal_totals));

		memcpy(aligned, t, sizeof(rev_renewal_totals));
		t = aligned;
	}
	return t;
}

static rev_renewal_totals *
renewal_totals_checked(Datum d)
{
	rev_renewal_totals *t = renewal_totals_datum(d);

	if (rev_renewal_totals_check(t) != REV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("renewal_totals value is damaged"),
				 errdetail("Its sums do not satisfy the identities every renewal_totals value keeps.")));
	return t;
}

static rev_renewal_totals *
renewal_totals_new(void)
{
	rev_renewal_totals *t = palloc0(sizeof(rev_renewal_totals));

	rev_renewal_totals_init(t);
	SET_VARSIZE(t, sizeof(rev_renewal_totals));
	return t;
}

static Size
renewal_totals_wire_size(const struct varlena *value)
{
	return REV_RENEWAL_TOTALS_ENCODED_SIZE;
}

static void
renewal_totals_encode(const struct varlena *value, uint8 *out)
{
	rev_renewal_totals_encode((const rev_renewal_totals *) value, out);
}

static const char *
renewal_totals_decode(const uint8 *in, Size len, struct varlena **value)
{
	rev_renewal_totals *t = palloc(sizeof(rev_renewal_totals));

	return rev_fixed_state_decoded(rev_renewal_totals_decode(in, len, t), in, len, t, sizeof(rev_renewal_totals),
								   "renewal_totals", REV_RENEWAL_TOTALS_VERSION, REV_RENEWAL_TOTALS_ENCODED_SIZE,
								   value);
}

static const B2bStateIO renewal_totals_io = {
	"renewal_totals", "renewal_totals", renewal_totals_wire_size, renewal_totals_encode, renewal_totals_decode
};

B2B_STATE_TYPE_IO(renewal_totals, renewal_totals_io, renewal_totals_datum(PG_GETARG_DATUM(0)));

/* renewal_rate(mrr_renewal): add one row. */
Datum
renewal_rate_transfn(PG_FUNCTION_ARGS)
{
	rev_renewal_totals *t;
	HeapTupleHeader row;
	bool		isnull[5];
	Datum		v[5];
	rev_amount	due_mrr;
	rev_amount	renewed_mrr;
	int			due_scale;
	int			renewed_scale;
	int			scale;

	(void) b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	t = PG_ARGISNULL(0) ? renewal_totals_new() : renewal_totals_datum(PG_GETARG_DATUM(0));
	row = PG_GETARG_HEAPTUPLEHEADER(1);
	for (int i = 0; i < 5; i++)
		v[i] = GetAttributeByNum(row, i + 1, &isnull[i]);
	if (isnull[0] || isnull[2] || isnull[4])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("renewal row has a NULL due_at, due_mrr or renewed_mrr"),
				 errhint("Pass the rows of mrr_renewals as they are.")));
	numeric_to_amount(DatumGetNumeric(v[2]), "due_mrr", &due_mrr, &due_scale);
	numeric_to_amount(DatumGetNumeric(v[4]), "renewed_mrr", &renewed_mrr, &renewed_scale);
	scale = Max(due_scale, renewed_scale);
	if (rev_amount_rescale(due_mrr, due_scale, scale, &due_mrr) != REV_OK ||
		rev_amount_rescale(renewed_mrr, renewed_scale, scale, &renewed_mrr) != REV_OK)
		report_overflow("due_mrr");
	switch (rev_renewal_totals_add(t, due_mrr, !isnull[3], renewed_mrr, scale))
	{
		case REV_OK:
			break;
		case REV_ERR_INCONSISTENT_ROW:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("renewal row is inconsistent"),
					 errdetail("It has due_mrr %s, renewed_at %s and renewed_mrr %s.",
							   b2b_numeric_text(DatumGetNumeric(v[2])),
							   isnull[3] ? "NULL" : b2b_timestamptz_text(DatumGetTimestampTz(v[3])),
							   b2b_numeric_text(DatumGetNumeric(v[4]))),
					 errhint("due_mrr must be positive, and renewed_mrr positive exactly when renewed_at is set.")));
			break;
		default:
			report_overflow("sum of due_mrr");
	}
	PG_RETURN_POINTER(t);
}

Datum
renewal_rate_combinefn(PG_FUNCTION_ARGS)
{
	rev_renewal_totals *into;

	(void) b2b_agg_context(fcinfo);
	into = renewal_totals_datum(PG_GETARG_DATUM(0));
	if (rev_renewal_totals_merge(into, renewal_totals_checked(PG_GETARG_DATUM(1))) != REV_OK)
		report_overflow("sum of due_mrr");
	PG_RETURN_POINTER(into);
}

static Datum
rate_datum(const rev_renewal_totals *t, int which, bool *isnull)
{
	rev_ratio	r;

	*isnull = rev_renewal_rate(t, which, &r) != REV_OK;
	return *isnull ? (Datum) 0 : NumericGetDatum(ratio_to_numeric(&r));
}

/* The flat columns of renewal_rates. */
Datum
renewal_rate_finalfn(PG_FUNCTION_ARGS)
{
	rev_renewal_totals *t;
	Datum		values[8];
	bool		nulls[8] = {0};

	(void) b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = renewal_totals_checked(PG_GETARG_DATUM(0));
	if (t->dues == 0)
		PG_RETURN_NULL();
	values[0] = Int64GetDatum(t->dues);
	values[1] = Int64GetDatum(t->renewed);
	values[2] = NumericGetDatum(amount_to_numeric(t->due_mrr, t->scale));
	values[3] = NumericGetDatum(amount_to_numeric(t->renewed_mrr_capped, t->scale));
	values[4] = NumericGetDatum(amount_to_numeric(t->renewed_mrr, t->scale));
	values[5] = rate_datum(t, 0, &nulls[5]);
	values[6] = rate_datum(t, 1, &nulls[6]);
	values[7] = rate_datum(t, 2, &nulls[7]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_tupdesc(fcinfo), values, nulls)));
}

/* ---- mrr_cohort_moves(moves): a customer's rows tagged with its cohort ------------ */

/* The year and month of t in the session time zone. */
static void
year_month(TimestampTz t, int *year, int *month)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;

	if (timestamp2tm(t, &tz, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	*year = tm.tm_year;
	*month = tm.tm_mon;
}

/*
 * mrr_cohort_moves(moves mrr_movement[]) RETURNS TABLE (cohort timestamptz,
 * month_offset integer, movement mrr_movement): the customer's movement rows
 * from its first-paid period on, each with that period (the cohort) and the
 * calendar months since it; no rows for a customer without a cohort in the
 * window (rev_cohort_member).
 */
Datum
mrr_cohort_moves(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *moves = PG_GETARG_ARRAYTYPE_P(0);
	Oid			elemtype = ARR_ELEMTYPE(moves);
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
	Datum	   *elems;
	bool	   *elemnulls;
	int			nelems;
	TupleDesc	rowdesc;
	const Oid  *kinds;
	TimestampTz cohort = 0;
	int			cohort_year = 0;
	int			cohort_month = 0;

	InitMaterializedSRF(fcinfo, 0);
	if (ARR_NDIM(moves) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("moves must be a one-dimensional array"),
				 errhint("Pass one customer's mrr_movement(...) result as it is.")));
	get_typlenbyvalalign(elemtype, &elemlen, &elembyval, &elemalign);
	deconstruct_array(moves, elemtype, elemlen, elembyval, elemalign, &elems, &elemnulls, &nelems);
	if (nelems == 0)
		return (Datum) 0;
	rowdesc = lookup_rowtype_tupdesc(elemtype, -1);
	kinds = kind_oids(TupleDescAttr(rowdesc, 1)->atttypid);
	ReleaseTupleDesc(rowdesc);

	for (int i = 0; i < nelems; i++)
	{
		HeapTupleHeader row;
		bool		isnull;
		Datum		period;
		Datum		kind;
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		int			year;
		int			month;
		int64		offset;

		if (elemnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("moves must not contain NULL rows"),
					 errhint("Pass one customer's mrr_movement(...) result as it is.")));
		row = DatumGetHeapTupleHeader(elems[i]);
		period = GetAttributeByNum(row, 1, &isnull);
		kind = isnull ? (Datum) 0 : GetAttributeByNum(row, 2, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("movement row has a NULL period or kind"),
					 errhint("Pass one customer's mrr_movement(...) result as it is.")));
		if (i == 0)
		{
			rev_kind	first = REV_KIND_NONE;

			for (int k = 0; k < REV_NKINDS; k++)
				if (kinds[k] == DatumGetObjectId(kind))
					first = (rev_kind) k;
			if (!rev_cohort_member(first))
				break;
			cohort = DatumGetTimestampTz(period);
			year_month(cohort, &cohort_year, &cohort_month);
		}
		else if (DatumGetTimestampTz(period) < cohort)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("movement rows are not in period order"),
					 errhint("Pass one customer's mrr_movement(...) result as it is.")));
		year_month(DatumGetTimestampTz(period), &year, &month);
		offset = rev_month_offset(cohort_year, cohort_month, year, month);
		values[0] = TimestampTzGetDatum(cohort);
		values[1] = Int32GetDatum((int32) offset);
		values[2] = elems[i];
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
