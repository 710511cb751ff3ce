/*
 * revenue_pg.c
 *		PostgreSQL glue of the subscription revenue family: mrr_movement,
 *		mrr_classify, the mrr_totals type and its aggregates (mrr_bridge,
 *		churn_rate, ltv_agg, mrr_totals, mrr_rollup), the accessors, ltv and
 *		mrr_normalize.
 *
 * The core (revenue.c) decides: every rule, option, default and formula is
 * there and answers with a rev_status.  This file converts numeric and
 * timestamptz values to the core's exact types and back, computes period
 * boundaries with PostgreSQL's own calendar arithmetic (timestamptz +
 * interval in the session time zone), owns memory, and maps each status to
 * one ereport.  Divisions (rates, LTV, normalization) are done in numeric at
 * the very end, once, from the exact factors the core names.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "common/b2b_pg.h"
#include "revenue.h"
#include "revenue_pg.h"

PG_FUNCTION_INFO_V1(mrr_movement_transfn);
PG_FUNCTION_INFO_V1(mrr_movement_combinefn);
PG_FUNCTION_INFO_V1(mrr_movement_serialfn);
PG_FUNCTION_INFO_V1(mrr_movement_deserialfn);
PG_FUNCTION_INFO_V1(mrr_movement_finalfn);
PG_FUNCTION_INFO_V1(mrr_classify);
PG_FUNCTION_INFO_V1(mrr_classify_float8);
PG_FUNCTION_INFO_V1(mrr_totals_combinefn);
PG_FUNCTION_INFO_V1(mrr_totals_transfn);
PG_FUNCTION_INFO_V1(mrr_totals_finalfn);
PG_FUNCTION_INFO_V1(mrr_rollup_transfn);
PG_FUNCTION_INFO_V1(mrr_rollup_finalfn);
PG_FUNCTION_INFO_V1(mrr_bridge_transfn);
PG_FUNCTION_INFO_V1(mrr_bridge_finalfn);
PG_FUNCTION_INFO_V1(churn_rate_transfn);
PG_FUNCTION_INFO_V1(churn_rate_finalfn);
PG_FUNCTION_INFO_V1(ltv_agg_transfn);
PG_FUNCTION_INFO_V1(ltv_agg_finalfn);
PG_FUNCTION_INFO_V1(mrr_totals_bridge);
PG_FUNCTION_INFO_V1(mrr_totals_churn_rate);
PG_FUNCTION_INFO_V1(mrr_totals_ltv);
PG_FUNCTION_INFO_V1(mrr_totals_ltv_float8);
PG_FUNCTION_INFO_V1(ltv);
PG_FUNCTION_INFO_V1(ltv_float8);
PG_FUNCTION_INFO_V1(mrr_normalize);
PG_FUNCTION_INFO_V1(mrr_normalize_float8);

#define AMOUNTS_DETAIL "Amounts are summed exactly in 128-bit fixed point with up to %d decimals."

/* ---- numeric <-> exact amounts ------------------------------------------ */

/*
 * An exact amount from a numeric, through numeric's own text form (the one
 * public way to see all of its digits).  'what' names the value in errors.
 */
void
numeric_to_amount(Numeric num, const char *what, rev_amount *units, int *scale)
{
	char	   *text = b2b_numeric_text(num);

	switch (rev_amount_parse(text, units, scale))
	{
		case REV_OK:
			break;
		case REV_ERR_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a finite number", what),
					 errdetail("The value given is %s.", text)));
			break;
		case REV_ERR_TOO_PRECISE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s has more than %d decimal digits", what, REV_MAX_SCALE),
					 errdetail("The value given is %s.", text),
					 errhint("Round it first, for example round(%s, 6); amounts are kept exact, never rounded silently.",
							 what)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s is out of range for exact revenue arithmetic", what),
					 errdetail("The value given is %s. " AMOUNTS_DETAIL, text, REV_MAX_SCALE)));
	}
	pfree(text);
}

/* The numeric units / 10^scale, with exactly 'scale' decimals. */
Numeric
amount_to_numeric(rev_amount units, int scale)
{
	char		buf[REV_AMOUNT_BUFSIZE];

#ifdef B2B_HAVE_INT64_DIV_FAST_TO_NUMERIC
	/* The common case without text. */
	if (rev_amount_fits_int64(units))
		return int64_div_fast_to_numeric((int64) units, scale);
#endif
	rev_amount_format(units, scale, buf);
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

Numeric
decimal_to_numeric(rev_decimal d)
{
	return amount_to_numeric(d.units, d.scale);
}

/* The core's ratio, multiplied and divided once in numeric. */
Numeric
ratio_to_numeric(const rev_ratio *r)
{
	Numeric		num = decimal_to_numeric(r->num[0]);
	Numeric		den = decimal_to_numeric(r->den[0]);

	for (int i = 1; i < r->nnum; i++)
		num = b2b_numeric_mul(num, decimal_to_numeric(r->num[i]));
	for (int i = 1; i < r->nden; i++)
		den = b2b_numeric_mul(den, decimal_to_numeric(r->den[i]));
	return b2b_numeric_div(num, den);
}

/* What the core's rules need to know of a number it does not convert. */
rev_numclass
numeric_class(Numeric n)
{
	rev_numclass c = {false, 0, 0};

	if (numeric_is_nan(n))
	{
		c.nan = true;
		return c;
	}
	c.sign = b2b_numeric_cmp_int64(n, 0);
	c.sign = (c.sign > 0) - (c.sign < 0);
	c.cmp_one = b2b_numeric_cmp_int64(n, 1);
	c.cmp_one = (c.cmp_one > 0) - (c.cmp_one < 0);
	return c;
}

/* A double as numeric (NaN and infinities included), for the float8 twins. */
Numeric
float8_to_numeric(float8 d)
{
	return DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(d)));
}

void
report_overflow(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range for exact revenue arithmetic", what),
			 errdetail(AMOUNTS_DETAIL, REV_MAX_SCALE)));
}

/* ---- the OIDs of mrr_kind's labels ---------------------------------------- */

/*
 * Kept per backend, keyed by the enum type, because Citus calls transition
 * functions through a fresh FmgrInfo for every row (no fn_extra to keep
 * them in); any change to an enum or a type forgets them.
 */
static Oid	kind_cache_type = InvalidOid;
static Oid	kind_cache_oids[REV_NKINDS];
static bool kind_cache_registered = false;

static void
kind_cache_forget(Datum arg, int cacheid, uint32 hashvalue)
{
	kind_cache_type = InvalidOid;
}

const Oid *
kind_oids(Oid kind_type)
{
	Oid			oids[REV_NKINDS];

	if (kind_type == kind_cache_type && OidIsValid(kind_type))
		return kind_cache_oids;
	if (!kind_cache_registered)
	{
		CacheRegisterSyscacheCallback(ENUMOID, kind_cache_forget, (Datum) 0);
		CacheRegisterSyscacheCallback(TYPEOID, kind_cache_forget, (Datum) 0);
		kind_cache_registered = true;
	}
	for (int k = 0; k < REV_NKINDS; k++)
		oids[k] = DatumGetObjectId(DirectFunctionCall2(enum_in,
													   CStringGetDatum(rev_kind_names[k]),
													   ObjectIdGetDatum(kind_type)));
	memcpy(kind_cache_oids, oids, sizeof(oids));
	kind_cache_type = kind_type;
	return kind_cache_oids;
}

/* The type a function returns: from its call expression, else its declaration. */
Oid
result_type(FunctionCallInfo fcinfo)
{
	Oid			type = get_fn_expr_rettype(fcinfo->flinfo);

	return OidIsValid(type) ? type : get_func_rettype(fcinfo->flinfo->fn_oid);
}

/* ---- mrr_movement aggregate: state ----------------------------------- */

/*
 * The state is a rev_history: the customer's subscriptions as exact
 * amounts, plus the period arguments of the first row (every row of a
 * group must repeat them).  It is internal, and unbounded in principle (a
 * customer's whole history): grouped by customer, which is how it is used
 * and how Citus tables are distributed, it runs whole where the rows are.
 *
 * A new state makes room for four subscriptions, most customers' whole
 * history: the struct (64 bytes) and the array (128) are chunks of 80 and
 * 144 bytes with their headers, 224 in all; with its share of the hash
 * table's memory, the SSPACE the aggregate declares, 256.  The array
 * doubles from there.
 */
#define HISTORY_INITIAL_CAPACITY 4

static rev_history *
history_new(MemoryContext cxt, uint32 capacity)
{
	rev_history *h = MemoryContextAllocZero(cxt, sizeof(rev_history));

	h->capacity = Max(capacity, HISTORY_INITIAL_CAPACITY);
	h->subs = MemoryContextAlloc(cxt, sizeof(rev_subscription) * h->capacity);
	return h;
}

static void
history_reserve(rev_history *h, uint32 more)
{
	uint64		need = (uint64) h->nsubs + more;
	uint64		capacity;

	if (need <= h->capacity)
		return;
	/* The final function's sweep needs rev_movements_scratch_size(): bound by both. */
	if (need > MaxAllocSize / sizeof(rev_subscription) ||
		rev_movements_scratch_size((uint32) need) > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many subscriptions for one customer"),
				 errdetail("mrr_movement keeps at most %zu subscriptions per group.",
						   (size_t) (MaxAllocSize / rev_movements_scratch_size(1)))));
	capacity = Max(need, (uint64) h->capacity * 2);
	capacity = Min(capacity, MaxAllocSize / rev_movements_scratch_size(1));
	h->capacity = (uint32) capacity;
	h->subs = repalloc(h->subs, sizeof(rev_subscription) * h->capacity);
}

static Interval
window_grain(const rev_window *w)
{
	Interval	iv;

	iv.time = w->grain_usec;
	iv.day = w->grain_days;
	iv.month = w->grain_months;
	return iv;
}

/* The period arguments of a row, checked. */
static rev_window
window_from_args(FunctionCallInfo fcinfo)
{
	rev_window	w;
	Interval	monthly = {0, 0, REV_DEFAULT_GRAIN_MONTHS};
	Interval   *grain = &monthly;
	rev_status	st;

	b2b_require_not_null(fcinfo, 4, "period_from");
	b2b_require_not_null(fcinfo, 5, "period_to");
	if (PG_NARGS() > 6)
	{
		b2b_require_not_null(fcinfo, 6, "grain");
		grain = PG_GETARG_INTERVAL_P(6);
	}
	w.period_from = PG_GETARG_TIMESTAMPTZ(4);
	w.period_to = PG_GETARG_TIMESTAMPTZ(5);
	b2b_require_finite(w.period_from, "period_from");
	b2b_require_finite(w.period_to, "period_to");
	w.grain_usec = grain->time;
	w.grain_days = grain->day;
	w.grain_months = grain->month;

	st = rev_window_check(&w);
	if (st == REV_ERR_EMPTY_WINDOW)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period_to must be after period_from"),
				 errdetail("The periods run from %s to %s.",
						   b2b_timestamptz_text(w.period_from), b2b_timestamptz_text(w.period_to))));
	if (st != REV_OK || !B2B_INTERVAL_IS_FINITE(grain))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("grain must be a positive interval"),
				 errdetail("The value given is %s.", b2b_interval_text(grain)),
				 errhint("No part of the grain may be negative, for example '1 month', '7 days' or '3 months'.")));
	return w;
}

static void
report_window_mismatch(const rev_window *a, const rev_window *b)
{
	Interval	ga = window_grain(a);
	Interval	gb = window_grain(b);

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("period arguments differ between rows of one group"),
			 errdetail("One row has (%s, %s, %s), another (%s, %s, %s).",
					   b2b_timestamptz_text(a->period_from), b2b_timestamptz_text(a->period_to),
					   b2b_interval_text(&ga), b2b_timestamptz_text(b->period_from),
					   b2b_timestamptz_text(b->period_to), b2b_interval_text(&gb)),
			 errhint("Pass the same period_from, period_to and grain on every row, for example as constants.")));
}

/*
 * mrr_movement_transfn(state, started_at, ended_at, mrr, period_from,
 * period_to [, grain]): collect one subscription row.
 */
Datum
mrr_movement_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	rev_history *h;
	rev_window	w;
	TimestampTz started_at;
	TimestampTz ended_at;
	rev_amount	mrr;
	int			scale;
	rev_status	st;

	w = window_from_args(fcinfo);
	if (PG_ARGISNULL(0))
	{
		h = history_new(aggcontext, HISTORY_INITIAL_CAPACITY);
		h->has_window = true;
		h->window = w;
	}
	else
	{
		h = (rev_history *) PG_GETARG_POINTER(0);
		if (!rev_window_equal(&h->window, &w))
			report_window_mismatch(&h->window, &w);
	}

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("started_at must not be NULL"),
				 errdetail("The subscription row has ended_at %s and mrr %s.",
						   PG_ARGISNULL(2) ? "NULL" : b2b_timestamptz_text(PG_GETARG_TIMESTAMPTZ(2)),
						   PG_ARGISNULL(3) ? "NULL" : b2b_numeric_text(PG_GETARG_NUMERIC(3))),
				 errhint("Every subscription row needs a start; leave out rows without a subscription.")));
	started_at = PG_GETARG_TIMESTAMPTZ(1);
	ended_at = PG_ARGISNULL(2) ? REV_NEVER : PG_GETARG_TIMESTAMPTZ(2);
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("mrr must not be NULL"),
				 errdetail("The subscription starts at %s.", b2b_timestamptz_text(started_at)),
				 errhint("Use 0 for trials and free plans.")));
	numeric_to_amount(PG_GETARG_NUMERIC(3), "mrr", &mrr, &scale);

	st = rev_subscription_check(started_at, ended_at, mrr);
	if (st == REV_ERR_ENDS_BEFORE_START)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ended_at must not be before started_at"),
				 errdetail("The subscription starts at %s and ends at %s.",
						   b2b_timestamptz_text(started_at), b2b_timestamptz_text(ended_at))));
	if (st == REV_ERR_NEGATIVE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mrr must not be negative"),
				 errdetail("The subscription starting at %s has mrr %s.",
						   b2b_timestamptz_text(started_at), b2b_numeric_text(PG_GETARG_NUMERIC(3))),
				 errhint("Use 0 for trials and free plans.")));

	history_reserve(h, 1);
	if (rev_history_add(h, started_at, ended_at, mrr, scale) != REV_OK)
		report_overflow("mrr");
	PG_RETURN_POINTER(h);
}

Datum
mrr_movement_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	rev_history *into;
	rev_history *from;
	rev_status	st;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	from = (rev_history *) PG_GETARG_POINTER(1);

	if (PG_ARGISNULL(0))
	{
		/* Copy into the aggregate's context: 'from' may be short-lived. */
		into = history_new(aggcontext, from->nsubs);
		into->scale = from->scale;
	}
	else
		into = (rev_history *) PG_GETARG_POINTER(0);

	history_reserve(into, from->nsubs);
	st = rev_history_merge(into, from);
	if (st == REV_ERR_OPTION_CHANGED)
		report_window_mismatch(&into->window, &from->window);
	if (st != REV_OK)
		report_overflow("mrr");
	PG_RETURN_POINTER(into);
}

Datum
mrr_movement_serialfn(PG_FUNCTION_ARGS)
{
	rev_history *h = (rev_history *) PG_GETARG_POINTER(0);
	uint8	   *data;
	bytea	   *out = b2b_bytea_new(rev_history_encoded_size(h), &data);

	rev_history_encode(h, data);
	PG_RETURN_BYTEA_P(out);
}

static const char *
history_problem(rev_status st)
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

/* The bytes are checked completely before anything uses them. */
Datum
mrr_movement_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const uint8 *buf = (const uint8 *) VARDATA_ANY(in);
	size_t		len = VARSIZE_ANY_EXHDR(in);
	uint32		nsubs;
	rev_history *h;
	rev_status	st;

	(void) b2b_agg_context(fcinfo);
	st = rev_history_decode_count(buf, len, &nsubs);
	if (st != REV_OK)
		b2b_report_bad_bytes("an mrr_movement aggregate state", history_problem(st));
	if ((uint64) nsubs * sizeof(rev_subscription) > MaxAllocSize)
		b2b_report_bad_bytes("an mrr_movement aggregate state", "It claims more subscriptions than fit in memory.");
	h = history_new(CurrentMemoryContext, nsubs);
	st = rev_history_decode(buf, len, h);
	if (st != REV_OK)
		b2b_report_bad_bytes("an mrr_movement aggregate state", history_problem(st));
	PG_RETURN_POINTER(h);
}

/* ---- mrr_movement aggregate: the final function ------------------------ */

/*
 * What the final function keeps between groups of one query: the period
 * boundaries (the same for every customer, so computed once) and the
 * output row type.
 */
typedef struct MovementCache
{
	bool		has_bounds;
	rev_window	window;
	pg_tz	   *timezone;		/* boundaries depend on the session zone */
	int			nperiods;
	int64	   *bounds;			/* nperiods + 1 entries */

	Oid			elemtype;		/* mrr_movement */
	TupleDesc	tupdesc;
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
	Oid			kind_oids[REV_NKINDS];
} MovementCache;

/*
 * p_k = period_from + k * grain, calendar arithmetic in the session time
 * zone (timestamptz + interval), for every p_k < period_to, plus the first
 * p_k at or after period_to, which closes the last period.  Each p_k is
 * computed from period_from, so month ends do not drift.
 */
static void
compute_bounds(MovementCache *cache, const rev_window *w, MemoryContext cxt)
{
	int64	   *bounds = MemoryContextAlloc(cxt, sizeof(int64) * (REV_MAX_PERIODS + 1));
	Interval	grain = window_grain(w);
	int			k;

	for (k = 0;; k++)
	{
		Interval	step;
		TimestampTz p;
		bool		last = false;

		if (pg_mul_s32_overflow(grain.month, k, &step.month) ||
			pg_mul_s32_overflow(grain.day, k, &step.day) ||
			pg_mul_s64_overflow(grain.time, k, &step.time))
			ereport(ERROR,
					(errcode(ERRCODE_INTERVAL_FIELD_OVERFLOW),
					 errmsg("grain is out of range"),
					 errdetail("Period %d of %s from %s does not fit an interval.", k,
							   b2b_interval_text(&grain), b2b_timestamptz_text(w->period_from))));
		p = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
													TimestampTzGetDatum(w->period_from),
													IntervalPGetDatum(&step)));
		switch (rev_bound_step(bounds, k, p, w->period_to, &last))
		{
			case REV_OK:
				break;
			case REV_ERR_NOT_FORWARD:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("grain must move periods forward"),
						 errdetail("Period %d of %s starts at %s, no later than the one before.", k,
								   b2b_interval_text(&grain), b2b_timestamptz_text(p))));
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many periods"),
						 errdetail("From %s to %s in steps of %s makes more than %d periods.",
								   b2b_timestamptz_text(w->period_from),
								   b2b_timestamptz_text(w->period_to),
								   b2b_interval_text(&grain), REV_MAX_PERIODS),
						 errhint("Use a coarser grain or a shorter range.")));
		}
		bounds[k] = p;
		if (last)
			break;
	}
	if (cache->bounds)
		pfree(cache->bounds);
	cache->bounds = bounds;
	cache->nperiods = k;
	cache->window = *w;
	cache->timezone = session_timezone;
	cache->has_bounds = true;
}

static MovementCache *
movement_cache(FunctionCallInfo fcinfo)
{
	MovementCache *cache = fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		Oid			arraytype = result_type(fcinfo);

		cache = palloc0(sizeof(MovementCache));
		cache->elemtype = OidIsValid(arraytype) ? get_element_type(arraytype) : InvalidOid;
		if (!OidIsValid(cache->elemtype))
			elog(ERROR, "mrr_movement_finalfn: could not determine the result type");
		cache->tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(cache->elemtype, -1));
		if (cache->tupdesc->natts != 5)
			elog(ERROR, "mrr_movement type has %d columns, expected 5", cache->tupdesc->natts);
		get_typlenbyvalalign(cache->elemtype, &cache->elemlen, &cache->elembyval,
							 &cache->elemalign);
		memcpy(cache->kind_oids, kind_oids(TupleDescAttr(cache->tupdesc, 1)->atttypid),
			   sizeof(cache->kind_oids));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

Datum
mrr_movement_finalfn(PG_FUNCTION_ARGS)
{
	MovementCache *cache;
	rev_history *h;
	rev_movement *rows;
	Datum	   *elems;
	void	   *scratch;
	int			nrows;
	Datum		zero;
	Datum		last_after = (Datum) 0;

	(void) b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	h = (rev_history *) PG_GETARG_POINTER(0);
	cache = movement_cache(fcinfo);
	if (!h->has_window)
		PG_RETURN_NULL();
	if (!cache->has_bounds || cache->timezone != session_timezone ||
		!rev_window_equal(&cache->window, &h->window))
		compute_bounds(cache, &h->window, fcinfo->flinfo->fn_mcxt);

	scratch = palloc(rev_movements_scratch_size(h->nsubs));
	rows = palloc(sizeof(rev_movement) * cache->nperiods);
	if (rev_movements(h, cache->bounds, cache->nperiods, scratch, rows, &nrows) != REV_OK)
		report_overflow("sum of mrr");

	/*
	 * Consecutive periods share snapshots (this row's mrr_before is usually
	 * the last row's mrr_after, and most rows are unchanged), so each
	 * distinct numeric is built once and reused; heap_form_tuple copies it.
	 */
	elems = palloc(sizeof(Datum) * Max(nrows, 1));
	zero = NumericGetDatum(amount_to_numeric(0, h->scale));
	for (int i = 0; i < nrows; i++)
	{
		const rev_movement *r = &rows[i];
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = TimestampTzGetDatum(r->period);
		values[1] = ObjectIdGetDatum(cache->kind_oids[r->kind]);
		if (r->before == 0)
			values[2] = zero;
		else if (i > 0 && r->before == rows[i - 1].after)
			values[2] = last_after;
		else
			values[2] = NumericGetDatum(amount_to_numeric(r->before, h->scale));
		if (r->after == r->before)
			values[3] = values[2];
		else if (r->after == 0)
			values[3] = zero;
		else
			values[3] = NumericGetDatum(amount_to_numeric(r->after, h->scale));
		values[4] = r->after == r->before ? zero :
			NumericGetDatum(amount_to_numeric(r->after - r->before, h->scale));
		last_after = values[3];
		elems[i] = HeapTupleGetDatum(heap_form_tuple(cache->tupdesc, values, nulls));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, nrows, cache->elemtype, cache->elemlen,
										  cache->elembyval, cache->elemalign));
}

/* ---- mrr_classify(prev, cur, paid_before): the classifier alone ------------ */

static Datum
classify(FunctionCallInfo fcinfo, Numeric prev_num, Numeric cur_num, bool paid_before)
{
	rev_amount	prev;
	rev_amount	cur;
	int			prev_scale;
	int			cur_scale;
	int			scale;
	rev_kind	kind;

	numeric_to_amount(prev_num, "prev", &prev, &prev_scale);
	numeric_to_amount(cur_num, "cur", &cur, &cur_scale);
	scale = Max(prev_scale, cur_scale);
	if (rev_amount_rescale(prev, prev_scale, scale, &prev) != REV_OK ||
		rev_amount_rescale(cur, cur_scale, scale, &cur) != REV_OK)
		report_overflow("MRR");
	if (rev_classify_amounts(prev, cur, paid_before, &kind) != REV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("prev and cur must not be negative"),
				 errdetail("The values given are %s and %s.",
						   b2b_numeric_text(prev_num), b2b_numeric_text(cur_num))));
	if (kind == REV_KIND_NONE)
		PG_RETURN_NULL();
	PG_RETURN_OID(kind_oids(result_type(fcinfo))[kind]);
}

Datum
mrr_classify(PG_FUNCTION_ARGS)
{
	return classify(fcinfo, PG_GETARG_NUMERIC(0), PG_GETARG_NUMERIC(1), PG_GETARG_BOOL(2));
}

Datum
mrr_classify_float8(PG_FUNCTION_ARGS)
{
	return classify(fcinfo, float8_to_numeric(PG_GETARG_FLOAT8(0)),
					float8_to_numeric(PG_GETARG_FLOAT8(1)), PG_GETARG_BOOL(2));
}

/* ---- the mrr_totals type ------------------------------------------------ */

/*
 * An mrr_totals datum is the core's rev_totals itself (256 bytes, its first
 * four the varlena header), stored with ALIGNMENT double and STORAGE plain,
 * so it is never compressed or given a short header and its fields are
 * read in place.
 */
static rev_totals *
totals_new(void)
{
	rev_totals *t = palloc(sizeof(rev_totals));

	rev_totals_init(t);
	SET_VARSIZE(t, sizeof(rev_totals));
	return t;
}

/* A datum's layout, checked before any field is read (XX001 if damaged). */
static rev_totals *
totals_datum(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	rev_totals *t = (rev_totals *) v;

	if (VARSIZE(v) != sizeof(rev_totals) || t->version != REV_TOTALS_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("mrr_totals value is damaged"),
				 errdetail("It has %u bytes and version %u, where this library keeps %zu bytes of version %d.",
						   (unsigned) VARSIZE(v), (unsigned) t->version, sizeof(rev_totals),
						   REV_TOTALS_VERSION)));
	if ((uintptr_t) t % 8 != 0)
	{
		rev_totals *aligned = palloc(sizeof(rev_totals));

		memcpy(aligned, t, sizeof(rev_totals));
		t = aligned;
	}
	return t;
}

/* A value read by an accessor or a final function: every invariant too. */
static rev_totals *
totals_checked(Datum d)
{
	rev_totals *t = totals_datum(d);

	if (rev_totals_check(t) != REV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("mrr_totals value is damaged"),
				 errdetail("Its sums do not satisfy the identities every mrr_totals value keeps.")));
	return t;
}

static rev_totals *
totals_copy(const rev_totals *t)
{
	rev_totals *c = palloc(sizeof(rev_totals));

	memcpy(c, t, sizeof(rev_totals));
	return c;
}

static Size
totals_wire_size(const struct varlena *value)
{
	return REV_TOTALS_ENCODED_SIZE;
}

static void
totals_encode(const struct varlena *value, uint8 *out)
{
	rev_totals_encode((const rev_totals *) value, out);
}

const char *
rev_fixed_state_decoded(rev_status st, const uint8 *in, Size len, void *decoded, Size size,
						const char *type_name, int version, int encoded_size,
						struct varlena **value)
{
	switch (st)
	{
		case REV_OK:
			SET_VARSIZE(decoded, size);
			*value = (struct varlena *) decoded;
			return NULL;
		case REV_ERR_BAD_VERSION:
			return psprintf("Format version %u is unknown; this library reads version %d.",
							(unsigned) in[0], version);
		case REV_ERR_BAD_LENGTH:
			return psprintf("It has %zu bytes; version %d has %d.", (size_t) len, version, encoded_size);
		default:
			return psprintf("A field is out of range, or the sums do not satisfy the identities every %s value keeps.",
							type_name);
	}
}

static const char *
totals_decode(const uint8 *in, Size len, struct varlena **value)
{
	rev_totals *t = palloc(sizeof(rev_totals));

	return rev_fixed_state_decoded(rev_totals_decode(in, len, t), in, len, t, sizeof(rev_totals),
								   "mrr_totals", REV_TOTALS_VERSION, REV_TOTALS_ENCODED_SIZE, value);
}

static const B2bStateIO totals_io = {
	"mrr_totals", "mrr_totals", totals_wire_size, totals_encode, totals_decode
};

B2B_STATE_TYPE_IO(mrr_totals, totals_io, totals_datum(PG_GETARG_DATUM(0)));
B2B_STATE_TYPE_BYTEA_CASTS(mrr_totals, totals_io, totals_datum(PG_GETARG_DATUM(0)));

/* ---- reading movement rows -------------------------------------------------- */

/*
 * The last two numerics parsed, by their bytes, and the last gross margin.
 * Movement rows arrive a customer at a time, period after period, so a
 * row's mrr_before is usually the previous row's mrr_after, and an unchanged
 * row's mrr_after its mrr_before: comparing a few bytes saves most
 * conversions.  Kept in fn_extra when the executor keeps it (Citus gives a
 * fresh FmgrInfo for every row, and then nothing is remembered).
 */
#define AMOUNT_MEMO_BYTES 32

typedef struct AmountMemo
{
	Size		len[2];			/* 0: empty slot */
	char		bytes[2][AMOUNT_MEMO_BYTES];
	rev_amount	units[2];
	int			scale[2];
	int			next;			/* the slot to replace on a miss */
	Size		margin_len;		/* 0: none */
	char		margin_bytes[AMOUNT_MEMO_BYTES];
	rev_amount	margin;			/* normalized */
	Oid			rowtype;		/* the row type the next two are for */
	TupleDesc	tupdesc;		/* movement_tupdesc()'s, kept for this query */
	const Oid  *kinds;
} AmountMemo;

static AmountMemo *
amount_memo(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(AmountMemo));
	return (AmountMemo *) fcinfo->flinfo->fn_extra;
}

static void
datum_to_amount_memo(AmountMemo *memo, Datum value, const char *what,
					 rev_amount *units, int *scale)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(value);
	Size		len = VARSIZE_ANY_EXHDR(raw);
	int			slot;

	for (slot = 0; slot < 2; slot++)
		if (memo->len[slot] == len + 1 &&
			memcmp(memo->bytes[slot], VARDATA_ANY(raw), len) == 0)
		{
			*units = memo->units[slot];
			*scale = memo->scale[slot];
			return;
		}
	numeric_to_amount(DatumGetNumeric(value), what, units, scale);
	if (len < AMOUNT_MEMO_BYTES)
	{
		slot = memo->next;
		memo->next = 1 - slot;
		memo->len[slot] = len + 1;
		memcpy(memo->bytes[slot], VARDATA_ANY(raw), len);
		memo->units[slot] = *units;
		memo->scale[slot] = *scale;
	}
}

typedef struct MovementRow
{
	TimestampTz period;
	rev_kind	kind;
	rev_amount	before;
	rev_amount	after;
	int			scale;
	Datum		before_datum;	/* for messages */
	Datum		after_datum;
} MovementRow;

/*
 * The row type of movement rows, kept per backend like the kind OIDs (no
 * fn_extra under Citus): a copy of the type cache's descriptor, used while
 * the type cache's identifier of it is the same.  A copy replaced (the type
 * was altered, which mrr_movement never is in practice) is not freed, so a
 * pointer an aggregate kept for its query stays valid.
 */
static Oid	row_cache_type = InvalidOid;
static uint64 row_cache_id = 0;
static TupleDesc row_cache_desc = NULL;

static TupleDesc
movement_tupdesc(Oid rowtype)
{
	TypeCacheEntry *entry = lookup_type_cache(rowtype, TYPECACHE_TUPDESC);
	MemoryContext old;

	if (entry->tupDesc == NULL)
		elog(ERROR, "type %u is not a row type", rowtype);
	if (rowtype == row_cache_type && entry->tupDesc_identifier == row_cache_id)
		return row_cache_desc;
	if (entry->tupDesc->natts != 5)
		elog(ERROR, "mrr_movement row has %d columns, expected 5", entry->tupDesc->natts);
	old = MemoryContextSwitchTo(TopMemoryContext);
	row_cache_type = InvalidOid;
	row_cache_desc = CreateTupleDescCopy(entry->tupDesc);
	MemoryContextSwitchTo(old);
	row_cache_type = rowtype;
	row_cache_id = entry->tupDesc_identifier;
	return row_cache_desc;
}

/* The mrr_movement row in argument argno, converted (not yet checked). */
static void
read_movement(FunctionCallInfo fcinfo, int argno, AmountMemo *memo, MovementRow *m)
{
	HeapTupleHeader row = PG_GETARG_HEAPTUPLEHEADER(argno);
	Oid			rowtype = HeapTupleHeaderGetTypeId(row);
	HeapTupleData tuple;
	Datum		values[5];
	bool		nulls[5];
	const Oid  *kinds;
	int			before_scale;
	int			after_scale;

	/* The row type is the same on every row of a query: look it up once. */
	if (memo->rowtype != rowtype || memo->tupdesc == NULL)
	{
		memo->tupdesc = movement_tupdesc(rowtype);
		memo->kinds = kind_oids(TupleDescAttr(memo->tupdesc, 1)->atttypid);
		memo->rowtype = rowtype;
	}
	kinds = memo->kinds;
	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	heap_deform_tuple(&tuple, memo->tupdesc, values, nulls);

	if (nulls[0] || nulls[1] || nulls[2] || nulls[3])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("movement row must not have NULL fields"),
				 errdetail("The row is %s; its period, kind, mrr_before and mrr_after are required.",
						   b2b_datum_text(PG_GETARG_DATUM(argno), rowtype))));
	m->period = DatumGetTimestampTz(values[0]);
	m->kind = REV_KIND_NONE;
	for (int k = 0; k < REV_NKINDS; k++)
		if (kinds[k] == DatumGetObjectId(values[1]))
			m->kind = (rev_kind) k;
	datum_to_amount_memo(memo, values[2], "mrr_before", &m->before, &before_scale);
	datum_to_amount_memo(memo, values[3], "mrr_after", &m->after, &after_scale);
	m->scale = Max(before_scale, after_scale);
	if (before_scale != after_scale &&
		(rev_amount_rescale(m->before, before_scale, m->scale, &m->before) != REV_OK ||
		 rev_amount_rescale(m->after, after_scale, m->scale, &m->after) != REV_OK))
		report_overflow("MRR");
	m->before_datum = values[2];
	m->after_datum = values[3];
}

static void
report_periods_mixed(TimestampTz a, TimestampTz b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("movement rows of more than one period in one group"),
			 errdetail("The group has rows of the periods starting %s and %s.",
					   b2b_timestamptz_text(Min(a, b)), b2b_timestamptz_text(Max(a, b))),
			 errhint("A bridge covers one period: GROUP BY the period (and any segment), or roll several periods up with mrr_totals() and mrr_rollup().")));
}

/* Add the row in argument 1 to t, reporting what the core refuses. */
static void
totals_add_movement(FunctionCallInfo fcinfo, rev_totals *t, bool one_period)
{
	MovementRow m;

	read_movement(fcinfo, 1, amount_memo(fcinfo), &m);
	switch (rev_totals_add_row(t, m.period, m.kind, m.before, m.after, m.scale, one_period))
	{
		case REV_OK:
			break;
		case REV_ERR_MIXED_PERIODS:
			report_periods_mixed(t->first_period, m.period);
			break;
		case REV_ERR_INCONSISTENT_ROW:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("movement kind does not match its amounts"),
					 errdetail("The row has kind %s from mrr_before %s to mrr_after %s.",
							   m.kind == REV_KIND_NONE ? "?" : rev_kind_names[m.kind],
							   b2b_numeric_text(DatumGetNumeric(m.before_datum)),
							   b2b_numeric_text(DatumGetNumeric(m.after_datum))),
					 errhint("Rows should come from mrr_movement(); kinds follow mrr_classify(prev, cur, paid_before).")));
			break;
		default:
			report_overflow("sum of MRR");
	}
}

/*
 * The state of a transition function: ours, updated in place (the executor
 * keeps it in the aggregate's context), or a new one in the current
 * context, which the executor copies into the aggregate's context.
 */
static rev_totals *
totals_state(FunctionCallInfo fcinfo)
{
	(void) b2b_agg_context(fcinfo);
	return PG_ARGISNULL(0) ? totals_new() : totals_datum(PG_GETARG_DATUM(0));
}

static void
report_totals_not_chained(const rev_totals *t)
{
	rev_amount	end = 0;
	int64		customers = 0;
	const char *end_text = "beyond range";

	if (!__builtin_add_overflow(t->start_mrr, t->new_mrr, &end) &&
		!__builtin_add_overflow(end, t->expansion_mrr, &end) &&
		!__builtin_add_overflow(end, t->reactivation_mrr, &end) &&
		!__builtin_sub_overflow(end, t->contraction_mrr, &end) &&
		!__builtin_sub_overflow(end, t->churned_mrr, &end))
		end_text = b2b_numeric_text(amount_to_numeric(end, t->scale));
	if (__builtin_add_overflow(t->start_customers, t->new_customers, &customers) ||
		__builtin_add_overflow(customers, t->reactivated_customers, &customers) ||
		__builtin_sub_overflow(customers, t->churned_customers, &customers))
		customers = -1;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("mrr_totals values are not consecutive periods of the same customers"),
			 errdetail("The periods start from %s to %s. Start MRR %s plus the movements gives %s, but the end MRR is %s; "
					   "paying customers: %lld by the movements, %lld at the end.",
					   b2b_timestamptz_text(t->first_period), b2b_timestamptz_text(t->last_period),
					   b2b_numeric_text(amount_to_numeric(t->start_mrr, t->scale)), end_text,
					   b2b_numeric_text(amount_to_numeric(t->end_mrr, t->scale)),
					   (long long) customers, (long long) t->end_customers),
			 errhint("Roll up every period once, each with all of its rows or segments; "
					 "per segment only when customers never move between segments.")));
}

/* A value read as a whole: valid, and its periods a chain. */
rev_totals *
totals_chained(Datum d)
{
	rev_totals *t = totals_checked(d);

	if (rev_totals_chained(t) != REV_OK)
		report_totals_not_chained(t);
	return t;
}

static void
report_option_changed(const rev_totals *into, const rev_totals *from)
{
	if (into->basis != from->basis && into->basis != REV_BASIS_UNSET && from->basis != REV_BASIS_UNSET)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("basis differs between rows of one group"),
				 errdetail("One part of the group has basis \"%s\", another \"%s\".",
						   rev_basis_names[into->basis], rev_basis_names[from->basis]),
				 errhint("Pass the basis as a constant.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("gross_margin differs between rows of one group"),
			 errdetail("One part of the group has gross_margin %s, another %s.",
					   b2b_numeric_text(decimal_to_numeric(rev_margin_decimal(into->margin))),
					   b2b_numeric_text(decimal_to_numeric(rev_margin_decimal(from->margin)))),
			 errhint("Pass the margin as a constant.")));
}

/* Merge from into into (ours, in place), reporting what the core refuses. */
static void
totals_merge(rev_totals *into, const rev_totals *from)
{
	switch (rev_totals_merge(into, from))
	{
		case REV_OK:
			break;
		case REV_ERR_OPTION_CHANGED:
			report_option_changed(into, from);
			break;
		default:
			report_overflow("sum of MRR");
	}
}

/* ---- the aggregates over movement rows and over totals ------------------------ */

/*
 * mrr_totals_combinefn(a, b), STRICT: the combine function of every
 * aggregate whose state is mrr_totals.  a is the aggregate's own state.
 */
Datum
mrr_totals_combinefn(PG_FUNCTION_ARGS)
{
	rev_totals *into;

	(void) b2b_agg_context(fcinfo);
	into = totals_datum(PG_GETARG_DATUM(0));
	totals_merge(into, totals_checked(PG_GETARG_DATUM(1)));
	PG_RETURN_POINTER(into);
}

/* mrr_rollup(mrr_totals): the same merge, over stored values. */
Datum
mrr_rollup_transfn(PG_FUNCTION_ARGS)
{
	return mrr_totals_combinefn(fcinfo);
}

/* The final function of mrr_totals and mrr_rollup: a chain, or an error. */
static Datum
totals_final(FunctionCallInfo fcinfo)
{
	rev_totals *t;

	(void) b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = totals_chained(PG_GETARG_DATUM(0));
	if (!rev_totals_has_rows(t))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(totals_copy(t));
}

Datum
mrr_rollup_finalfn(PG_FUNCTION_ARGS)
{
	return totals_final(fcinfo);
}

/*
 * The transition of every aggregate over movement rows: mrr_totals,
 * mrr_bridge (one_period), churn_rate and ltv_agg (set_option records their
 * option, argument 2, when they have one).  A NULL row is skipped; the
 * option is checked on every row, NULL rows included, and then needs a
 * state to be remembered in.
 */
static Datum
movement_transition(FunctionCallInfo fcinfo, bool one_period,
					void (*set_option) (FunctionCallInfo fcinfo, rev_totals *t))
{
	bool		has_option = set_option != NULL && PG_NARGS() >= 3;
	rev_totals *t;

	(void) b2b_agg_context(fcinfo);
	if (!has_option && PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	t = totals_state(fcinfo);
	if (has_option)
		set_option(fcinfo, t);
	if (!PG_ARGISNULL(1))
		totals_add_movement(fcinfo, t, one_period);
	PG_RETURN_POINTER(t);
}

/* mrr_totals(mrr_movement) */
Datum
mrr_totals_transfn(PG_FUNCTION_ARGS)
{
	return movement_transition(fcinfo, false, NULL);
}

Datum
mrr_totals_finalfn(PG_FUNCTION_ARGS)
{
	return totals_final(fcinfo);
}

/* mrr_bridge(mrr_movement): the totals of rows of one period. */
Datum
mrr_bridge_transfn(PG_FUNCTION_ARGS)
{
	return movement_transition(fcinfo, true, NULL);
}

/* The 14 columns of an mrr_bridge (also the tail of mrr_totals_bridge). */
static void
bridge_values(const rev_totals *t, Datum *values)
{
	values[0] = NumericGetDatum(amount_to_numeric(t->start_mrr, t->scale));
	values[1] = NumericGetDatum(amount_to_numeric(t->new_mrr, t->scale));
	values[2] = NumericGetDatum(amount_to_numeric(t->expansion_mrr, t->scale));
	values[3] = NumericGetDatum(amount_to_numeric(t->reactivation_mrr, t->scale));
	values[4] = NumericGetDatum(amount_to_numeric(t->contraction_mrr, t->scale));
	values[5] = NumericGetDatum(amount_to_numeric(t->churned_mrr, t->scale));
	values[6] = NumericGetDatum(amount_to_numeric(t->end_mrr, t->scale));
	values[7] = Int64GetDatum(t->start_customers);
	values[8] = Int64GetDatum(t->new_customers);
	values[9] = Int64GetDatum(t->expanded_customers);
	values[10] = Int64GetDatum(t->reactivated_customers);
	values[11] = Int64GetDatum(t->contracted_customers);
	values[12] = Int64GetDatum(t->churned_customers);
	values[13] = Int64GetDatum(t->end_customers);
}

TupleDesc
result_tupdesc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "function returning a row called in a context that cannot accept one");
	return BlessTupleDesc(tupdesc);
}

Datum
mrr_bridge_finalfn(PG_FUNCTION_ARGS)
{
	rev_totals *t;
	Datum		values[14];
	bool		nulls[14] = {0};

	(void) b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = totals_checked(PG_GETARG_DATUM(0));
	if (!rev_totals_has_rows(t))
		PG_RETURN_NULL();
	if (rev_totals_one_period(t) != REV_OK)
		report_periods_mixed(t->first_period, t->last_period);
	bridge_values(t, values);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(result_tupdesc(fcinfo), values, nulls)));
}

static rev_basis
basis_from_text(text *arg)
{
	char	   *name = VARDATA_ANY(arg);
	size_t		len = VARSIZE_ANY_EXHDR(arg);
	rev_basis	basis;

	if (rev_basis_parse(name, len, &basis) != REV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown churn basis"),
				 errdetail("The basis given is \"%s\".", text_to_cstring(arg)),
				 errhint("Use logo, gross_mrr or net_mrr.")));
	return basis;
}

/* churn_rate(mrr_movement, basis): the basis of a row. */
static void
set_basis_option(FunctionCallInfo fcinfo, rev_totals *t)
{
	rev_basis	basis;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("basis must not be NULL"),
				 errhint("Use logo, gross_mrr or net_mrr.")));
	basis = basis_from_text(PG_GETARG_TEXT_PP(2));
	if (rev_totals_set_basis(t, basis) != REV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("basis differs between rows of one group"),
				 errdetail("One row has basis \"%s\", another \"%s\".",
						   rev_basis_names[t->basis], rev_basis_names[basis]),
				 errhint("Pass the basis as a constant.")));
}

/* churn_rate(mrr_movement [, basis]) */
Datum
churn_rate_transfn(PG_FUNCTION_ARGS)
{
	return movement_transition(fcinfo, false, set_basis_option);
}

static Datum
churn_result(FunctionCallInfo fcinfo, const rev_totals *t, rev_basis basis)
{
	rev_ratio	r;

	switch (rev_totals_churn(t, basis, &r))
	{
		case REV_OK:
			PG_RETURN_NUMERIC(ratio_to_numeric(&r));
		case REV_UNDEFINED:
			PG_RETURN_NULL();
		default:
			report_overflow("lost MRR");
	}
	PG_RETURN_NULL();			/* not reached */
}

Datum
churn_rate_finalfn(PG_FUNCTION_ARGS)
{
	rev_totals *t;

	(void) b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = totals_checked(PG_GETARG_DATUM(0));
	return churn_result(fcinfo, t, (rev_basis) t->basis);
}

/*
 * A gross margin argument, checked (22023 outside (0, 1], 22003 beyond 20
 * decimals) and normalized as the core keeps it.
 */
rev_amount
margin_from_numeric(Numeric margin)
{
	rev_amount	units;
	int			scale;
	rev_amount	normalized;

	if (rev_margin_check(numeric_class(margin)) != REV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("gross_margin must be greater than 0 and at most 1"),
				 errdetail("The value given is %s.", b2b_numeric_text(margin)),
				 errhint("Pass the margin as a fraction, for example 0.8 for 80 %%.")));
	numeric_to_amount(margin, "gross_margin", &units, &scale);
	if (rev_margin_normalize(units, scale, &normalized) != REV_OK)
		elog(ERROR, "gross_margin %s passed the range check but not the exact one",
			 b2b_numeric_text(margin));
	return normalized;
}

/* margin_from_numeric of a datum, remembered by its bytes. */
static rev_amount
margin_from_datum_memo(AmountMemo *memo, Datum value)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(value);
	Size		len = VARSIZE_ANY_EXHDR(raw);
	rev_amount	margin;

	if (memo->margin_len == len + 1 && memcmp(memo->margin_bytes, VARDATA_ANY(raw), len) == 0)
		return memo->margin;
	margin = margin_from_numeric(DatumGetNumeric(value));
	if (len < AMOUNT_MEMO_BYTES)
	{
		memo->margin_len = len + 1;
		memcpy(memo->margin_bytes, VARDATA_ANY(raw), len);
		memo->margin = margin;
	}
	return margin;
}

/* ltv_agg(mrr_movement, gross_margin): the margin of a row. */
static void
set_margin_option(FunctionCallInfo fcinfo, rev_totals *t)
{
	rev_amount	margin;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("gross_margin must not be NULL"),
				 errhint("Pass the margin as a fraction, for example 0.8 for 80 %%, or leave it out for 1.")));
	margin = margin_from_datum_memo(amount_memo(fcinfo), PG_GETARG_DATUM(2));
	if (rev_totals_set_margin(t, margin) != REV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("gross_margin differs between rows of one group"),
				 errdetail("One row has gross_margin %s, another %s.",
						   b2b_numeric_text(decimal_to_numeric(rev_margin_decimal(t->margin))),
						   b2b_numeric_text(PG_GETARG_NUMERIC(2))),
				 errhint("Pass the margin as a constant.")));
}

/* ltv_agg(mrr_movement [, gross_margin]) */
Datum
ltv_agg_transfn(PG_FUNCTION_ARGS)
{
	return movement_transition(fcinfo, false, set_margin_option);
}

static Datum
ltv_result(FunctionCallInfo fcinfo, const rev_totals *t, rev_amount margin)
{
	rev_ratio	r;

	if (rev_totals_ltv(t, margin, &r) != REV_OK)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(ratio_to_numeric(&r));
}

Datum
ltv_agg_finalfn(PG_FUNCTION_ARGS)
{
	rev_totals *t;

	(void) b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = totals_checked(PG_GETARG_DATUM(0));
	return ltv_result(fcinfo, t, t->margin);
}

/* ---- accessors of mrr_totals --------------------------------------------- */

/*
 * mrr_totals_bridge(totals) RETURNS TABLE (first_period, last_period, the
 * 14 columns of mrr_bridge): one row, for charting.
 */
Datum
mrr_totals_bridge(PG_FUNCTION_ARGS)
{
	FuncCallContext *funcctx;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		rev_totals *t = totals_chained(PG_GETARG_DATUM(0));

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		funcctx->tuple_desc = result_tupdesc(fcinfo);
		funcctx->user_fctx = totals_copy(t);
		funcctx->max_calls = rev_totals_has_rows(t) ? 1 : 0;
		MemoryContextSwitchTo(old);
	}
	funcctx = SRF_PERCALL_SETUP();
	if (funcctx->call_cntr < funcctx->max_calls)
	{
		const rev_totals *t = funcctx->user_fctx;
		Datum		values[16];
		bool		nulls[16] = {0};

		values[0] = TimestampTzGetDatum(t->first_period);
		values[1] = TimestampTzGetDatum(t->last_period);
		bridge_values(t, values + 2);
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

/* mrr_totals_churn_rate(totals, basis DEFAULT 'logo') */
Datum
mrr_totals_churn_rate(PG_FUNCTION_ARGS)
{
	rev_basis	basis = basis_from_text(PG_GETARG_TEXT_PP(1));

	return churn_result(fcinfo, totals_chained(PG_GETARG_DATUM(0)), basis);
}

/* mrr_totals_ltv(totals, gross_margin DEFAULT 1), and its double precision twin */
Datum
mrr_totals_ltv(PG_FUNCTION_ARGS)
{
	rev_amount	margin = margin_from_numeric(PG_GETARG_NUMERIC(1));

	return ltv_result(fcinfo, totals_chained(PG_GETARG_DATUM(0)), margin);
}

Datum
mrr_totals_ltv_float8(PG_FUNCTION_ARGS)
{
	rev_amount	margin = margin_from_numeric(float8_to_numeric(PG_GETARG_FLOAT8(1)));

	return ltv_result(fcinfo, totals_chained(PG_GETARG_DATUM(0)), margin);
}

/* ---- ltv(arpa, churn_rate, gross_margin DEFAULT 1): the formula ------------- */

static Datum
ltv_formula(FunctionCallInfo fcinfo, Numeric arpa, Numeric churn, Numeric margin)
{
	switch (rev_ltv_formula_check(numeric_class(arpa), numeric_class(churn), numeric_class(margin)))
	{
		case REV_OK:
			break;
		case REV_UNDEFINED:
			PG_RETURN_NULL();
		case REV_ERR_ARPA_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("arpa must be a number at least 0"),
					 errdetail("The value given is %s.", b2b_numeric_text(arpa))));
			break;
		case REV_ERR_CHURN_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("churn_rate must be between 0 and 1"),
					 errdetail("The value given is %s.", b2b_numeric_text(churn)),
					 errhint("Use a logo churn rate per period, for example from churn_rate(m).")));
			break;
		default:
			(void) margin_from_numeric(margin); /* reports the margin */
	}
	PG_RETURN_NUMERIC(b2b_numeric_div(b2b_numeric_mul(arpa, margin), churn));
}

Datum
ltv(PG_FUNCTION_ARGS)
{
	return ltv_formula(fcinfo, PG_GETARG_NUMERIC(0), PG_GETARG_NUMERIC(1), PG_GETARG_NUMERIC(2));
}

Datum
ltv_float8(PG_FUNCTION_ARGS)
{
	return ltv_formula(fcinfo, float8_to_numeric(PG_GETARG_FLOAT8(0)),
					   float8_to_numeric(PG_GETARG_FLOAT8(1)),
					   float8_to_numeric(PG_GETARG_FLOAT8(2)));
}

/* ---- mrr_normalize(amount, billing_period) --------------------------------- */

/* The monthly equivalent: exact when the factor is an integer, else one numeric division. */
static Datum
normalize(FunctionCallInfo fcinfo, Numeric amount, const Interval *period)
{
	rev_amount	numerator;
	rev_amount	denominator;
	Numeric		result = amount;

	if (!B2B_INTERVAL_IS_FINITE(period) ||
		!rev_billing_factor(period->month, period->day, period->time, &numerator, &denominator))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("billing_period must be a positive interval"),
				 errdetail("The value given is %s.", b2b_interval_text(period)),
				 errhint("No part may be negative, for example '1 month', '1 year', '3 months' or '7 days'.")));
	if (numerator != 1)
		result = b2b_numeric_mul(result, amount_to_numeric(numerator, 0));
	if (denominator != 1)
		result = b2b_numeric_div(result, amount_to_numeric(denominator, 0));
	PG_RETURN_NUMERIC(result);
}

Datum
mrr_normalize(PG_FUNCTION_ARGS)
{
	return normalize(fcinfo, PG_GETARG_NUMERIC(0), PG_GETARG_INTERVAL_P(1));
}

Datum
mrr_normalize_float8(PG_FUNCTION_ARGS)
{
	return normalize(fcinfo, float8_to_numeric(PG_GETARG_FLOAT8(0)), PG_GETARG_INTERVAL_P(1));
}
