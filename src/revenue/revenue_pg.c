/*
 * revenue_pg.c
 *		PostgreSQL glue of the subscription revenue family: mrr_movement,
 *		mrr_bridge, churn_rate, ltv and mrr_normalize.
 *
 * The core (revenue.c) does the arithmetic on exact fixed-point amounts;
 * this file converts numeric to and from them, computes the period
 * boundaries with PostgreSQL's own calendar arithmetic (timestamptz +
 * interval in the session time zone), checks every input, and builds the
 * composite results.  Divisions (rates, LTV, normalization) are done in
 * numeric at the very end, once, from exact operands.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "common/int.h"
#include "fmgr.h"
#include "funcapi.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "revenue.h"

PG_FUNCTION_INFO_V1(mrr_movement_trans);
PG_FUNCTION_INFO_V1(mrr_movement_combine);
PG_FUNCTION_INFO_V1(mrr_movement_serialize);
PG_FUNCTION_INFO_V1(mrr_movement_deserialize);
PG_FUNCTION_INFO_V1(mrr_movement_final);
PG_FUNCTION_INFO_V1(mrr_movement_classify);
PG_FUNCTION_INFO_V1(mrr_totals_combine);
PG_FUNCTION_INFO_V1(mrr_totals_serialize);
PG_FUNCTION_INFO_V1(mrr_totals_deserialize);
PG_FUNCTION_INFO_V1(mrr_bridge_trans);
PG_FUNCTION_INFO_V1(mrr_bridge_final);
PG_FUNCTION_INFO_V1(churn_rate_trans);
PG_FUNCTION_INFO_V1(churn_rate_final);
PG_FUNCTION_INFO_V1(ltv_trans);
PG_FUNCTION_INFO_V1(ltv_final);
PG_FUNCTION_INFO_V1(ltv_formula);
PG_FUNCTION_INFO_V1(mrr_normalize);

/* ---- numeric <-> exact amounts ------------------------------------------ */

static char *
numeric_text(Numeric num)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
}

/*
 * An exact amount from a numeric, through numeric's own text form (the one
 * public way to see all of its digits).  'what' names the value in errors.
 */
static void
numeric_to_amount(Numeric num, const char *what, rev_amount *units, int *scale)
{
	char	   *text = numeric_text(num);

	switch (rev_amount_parse(text, units, scale))
	{
		case REV_OK:
			break;
		case REV_ERR_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a finite number, not %s", what, text)));
			break;
		case REV_ERR_TOO_PRECISE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s %s has more than %d decimal digits", what, text, REV_MAX_SCALE),
					 errhint("Round it first, e.g. round(%s, 6); amounts are kept exact, never rounded silently.", what)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s %s is out of range for exact revenue arithmetic", what, text)));
	}
	pfree(text);
}

/* The numeric units / 10^scale, with exactly 'scale' decimals. */
static Numeric
amount_to_numeric(rev_amount units, int scale)
{
	char		buf[REV_AMOUNT_BUFSIZE];

#if PG_VERSION_NUM >= 150000
	/* The common case without text: PostgreSQL 15 keeps the scale we pass. */
	if (rev_amount_fits_int64(units))
		return int64_div_fast_to_numeric((int64) units, scale);
#endif
	rev_amount_format(units, scale, buf);
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

static Numeric
int64_numeric(int64 v)
{
#if PG_VERSION_NUM >= 140000
	return int64_to_numeric(v);
#else
	return DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(v)));
#endif
}

static void
report_overflow(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range for exact revenue arithmetic", what),
			 errdetail("Amounts are summed exactly in 128-bit fixed point with up to %d decimals.",
					   REV_MAX_SCALE)));
}

static char *
timestamptz_text(TimestampTz t)
{
	return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(t)));
}

static char *
interval_text(const Interval *iv)
{
	return DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(iv)));
}

/* The OIDs of mrr_kind's labels, in rev_kind order. */
static void
lookup_kind_oids(Oid kind_type, Oid *oids)
{
	for (int k = 0; k < REV_NKINDS; k++)
		oids[k] = DatumGetObjectId(DirectFunctionCall2(enum_in,
													   CStringGetDatum(rev_kind_names[k]),
													   ObjectIdGetDatum(kind_type)));
}

/* ---- mrr_movement aggregate: state ----------------------------------- */

/*
 * The state is a rev_history: the customer's subscriptions as exact
 * amounts, plus the period arguments of the first row (every row of a
 * group must repeat them).
 */
static rev_history *
history_new(MemoryContext cxt, uint32 capacity)
{
	rev_history *h = MemoryContextAllocZero(cxt, sizeof(rev_history));

	h->capacity = Max(capacity, 4);
	h->subs = MemoryContextAlloc(cxt, sizeof(rev_subscription) * h->capacity);
	return h;
}

static void
history_reserve(rev_history *h, uint32 more)
{
	uint64		need = (uint64) h->nsubs + more;

	if (need <= h->capacity)
		return;
	if (need > MaxAllocSize / sizeof(rev_subscription))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many subscriptions for one customer in mrr_movement")));
	h->capacity = (uint32) Min(Max(need, (uint64) h->capacity * 2),
							   MaxAllocSize / sizeof(rev_subscription));
	h->subs = repalloc(h->subs, sizeof(rev_subscription) * h->capacity);
}

/* The period arguments of a row, checked. */
static rev_window
window_from_args(FunctionCallInfo fcinfo)
{
	rev_window	w;
	Interval	monthly = {0, 0, 1};
	Interval   *grain = &monthly;
	TimestampTz from;
	TimestampTz to;

	for (int arg = 4; arg < PG_NARGS(); arg++)
		if (PG_ARGISNULL(arg))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("mrr_movement: %s must not be NULL",
							arg == 4 ? "period_from" : arg == 5 ? "period_to" : "grain")));
	from = PG_GETARG_TIMESTAMPTZ(4);
	to = PG_GETARG_TIMESTAMPTZ(5);
	if (PG_NARGS() > 6)
		grain = PG_GETARG_INTERVAL_P(6);

	if (TIMESTAMP_NOT_FINITE(from) || TIMESTAMP_NOT_FINITE(to))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("mrr_movement: period_from and period_to must be finite, not %s and %s",
						timestamptz_text(from), timestamptz_text(to))));
	if (to <= from)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mrr_movement: period_to %s must be after period_from %s",
						timestamptz_text(to), timestamptz_text(from))));
	w.period_from = from;
	w.period_to = to;
	w.grain_usec = grain->time;
	w.grain_days = grain->day;
	w.grain_months = grain->month;
	if (!rev_window_grain_positive(&w)
#ifdef INTERVAL_NOT_FINITE
		|| INTERVAL_NOT_FINITE(grain)
#endif
		)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mrr_movement: grain must be a positive interval, not %s",
						interval_text(grain)),
				 errhint("No part of the grain may be negative, e.g. '1 month', '7 days', '3 months'.")));
	return w;
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

static void
report_window_mismatch(const rev_window *a, const rev_window *b)
{
	Interval	ga = window_grain(a);
	Interval	gb = window_grain(b);

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("mrr_movement: period arguments differ between rows of one group"),
			 errdetail("One row has (%s, %s, %s), another (%s, %s, %s).",
					   timestamptz_text(a->period_from), timestamptz_text(a->period_to),
					   interval_text(&ga), timestamptz_text(b->period_from),
					   timestamptz_text(b->period_to), interval_text(&gb)),
			 errhint("Pass the same period_from, period_to and grain on every row, e.g. as constants.")));
}

/*
 * mrr_movement_trans(state, started_at, ended_at, mrr, period_from,
 * period_to [, grain]): collect one subscription row.
 */
Datum
mrr_movement_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	rev_history *h;
	rev_window	w;
	TimestampTz started_at;
	TimestampTz ended_at;
	rev_amount	mrr;
	int			scale;
	rev_subscription *s;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "mrr_movement_trans called in non-aggregate context");

	w = window_from_args(fcinfo);
	if (PG_ARGISNULL(0))
	{
		h = history_new(aggcontext, 4);
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
				 errmsg("mrr_movement: started_at must not be NULL (ended_at %s, mrr %s)",
						PG_ARGISNULL(2) ? "NULL" : timestamptz_text(PG_GETARG_TIMESTAMPTZ(2)),
						PG_ARGISNULL(3) ? "NULL" : numeric_text(PG_GETARG_NUMERIC(3))),
				 errhint("Every subscription row needs a start; leave out rows without a subscription.")));
	started_at = PG_GETARG_TIMESTAMPTZ(1);
	ended_at = PG_ARGISNULL(2) ? REV_NEVER : PG_GETARG_TIMESTAMPTZ(2);
	if (ended_at < started_at)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mrr_movement: subscription ends at %s, before it starts at %s",
						timestamptz_text(ended_at), timestamptz_text(started_at))));
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("mrr_movement: mrr must not be NULL (subscription starting %s)",
						timestamptz_text(started_at)),
				 errhint("Use 0 for trials and free plans.")));
	numeric_to_amount(PG_GETARG_NUMERIC(3), "mrr", &mrr, &scale);
	if (mrr < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mrr_movement: mrr must not be negative, not %s (subscription starting %s)",
						numeric_text(PG_GETARG_NUMERIC(3)),
						timestamptz_text(started_at)),
				 errhint("Use 0 for trials and free plans.")));

	/* Keep one scale for the whole history: the largest seen. */
	if (rev_history_rescale(h, scale) != REV_OK ||
		rev_amount_rescale(mrr, scale, h->scale, &mrr) != REV_OK)
		report_overflow("mrr");

	history_reserve(h, 1);
	s = &h->subs[h->nsubs++];
	s->started_at = started_at;
	s->ended_at = ended_at;
	s->mrr = mrr;
	PG_RETURN_POINTER(h);
}

Datum
mrr_movement_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	rev_history *into;
	rev_history *from;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "mrr_movement_combine called in non-aggregate context");
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0));
	from = (rev_history *) PG_GETARG_POINTER(1);

	if (PG_ARGISNULL(0))
	{
		/* Copy into the aggregate's context: 'from' may be short-lived. */
		into = history_new(aggcontext, from->nsubs);
		into->has_window = from->has_window;
		into->window = from->window;
		into->scale = from->scale;
	}
	else
	{
		into = (rev_history *) PG_GETARG_POINTER(0);
		if (into->has_window && from->has_window &&
			!rev_window_equal(&into->window, &from->window))
			report_window_mismatch(&into->window, &from->window);
		if (!into->has_window)
		{
			into->has_window = from->has_window;
			into->window = from->window;
		}
	}

	if (rev_history_rescale(into, from->scale) != REV_OK)
		report_overflow("mrr");
	history_reserve(into, from->nsubs);
	for (uint32 i = 0; i < from->nsubs; i++)
	{
		rev_subscription *s = &into->subs[into->nsubs + i];

		*s = from->subs[i];
		if (rev_amount_rescale(s->mrr, from->scale, into->scale, &s->mrr) != REV_OK)
			report_overflow("mrr");
	}
	into->nsubs += from->nsubs;
	PG_RETURN_POINTER(into);
}

Datum
mrr_movement_serialize(PG_FUNCTION_ARGS)
{
	rev_history *h = (rev_history *) PG_GETARG_POINTER(0);
	size_t		len = rev_history_encoded_size(h);
	bytea	   *out;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("mrr_movement state is too large to serialize")));
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	rev_history_encode(h, (uint8 *) VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

/* The bytes are checked completely before anything uses them. */
Datum
mrr_movement_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const uint8 *buf = (const uint8 *) VARDATA_ANY(in);
	size_t		len = VARSIZE_ANY_EXHDR(in);
	uint32		nsubs;
	rev_history *h;

	if (rev_history_decode_count(buf, len, &nsubs) != REV_OK ||
		(uint64) nsubs * sizeof(rev_subscription) > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid mrr_movement aggregate state (%zu bytes)", len)));
	h = history_new(CurrentMemoryContext, nsubs);
	if (rev_history_decode(buf, len, h) != REV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid mrr_movement aggregate state (%zu bytes)", len)));
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
 * p_k at or after period_to, which closes the last period.
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

		if (pg_mul_s32_overflow(grain.month, k, &step.month) ||
			pg_mul_s32_overflow(grain.day, k, &step.day) ||
			pg_mul_s64_overflow(grain.time, k, &step.time))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("mrr_movement: period %d of grain %s is out of range", k,
							interval_text(&grain))));
		p = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
													TimestampTzGetDatum(w->period_from),
													IntervalPGetDatum(&step)));
		if (k > 0 && p <= bounds[k - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("mrr_movement: grain %s does not move forward from %s",
							interval_text(&grain), timestamptz_text(bounds[k - 1]))));
		if (k == REV_MAX_PERIODS && p < w->period_to)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("mrr_movement: more than %d periods of %s from %s to %s",
							REV_MAX_PERIODS, interval_text(&grain),
							timestamptz_text(w->period_from), timestamptz_text(w->period_to)),
					 errhint("Use a coarser grain or a shorter range.")));
		bounds[k] = p;
		if (p >= w->period_to)
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
		Oid			arraytype = get_fn_expr_rettype(fcinfo->flinfo);

		cache = palloc0(sizeof(MovementCache));
		cache->elemtype = OidIsValid(arraytype) ? get_element_type(arraytype) : InvalidOid;
		if (!OidIsValid(cache->elemtype))
			elog(ERROR, "mrr_movement_final: could not determine the result type");
		cache->tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(cache->elemtype, -1));
		if (cache->tupdesc->natts != 5)
			elog(ERROR, "mrr_movement type has %d columns, expected 5", cache->tupdesc->natts);
		get_typlenbyvalalign(cache->elemtype, &cache->elemlen, &cache->elembyval,
							 &cache->elemalign);
		lookup_kind_oids(TupleDescAttr(cache->tupdesc, 1)->atttypid, cache->kind_oids);
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

Datum
mrr_movement_final(PG_FUNCTION_ARGS)
{
	MovementCache *cache;
	rev_history *h;
	rev_movement *rows;
	Datum	   *elems;
	void	   *scratch;
	int			nrows;
	Datum		zero;
	Datum		last_after = (Datum) 0;

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

/*
 * mrr_movement(prev, cur, paid_before): the classifier alone.
 */
Datum
mrr_movement_classify(PG_FUNCTION_ARGS)
{
	Oid		   *kind_oids = fcinfo->flinfo->fn_extra;
	rev_amount	prev;
	rev_amount	cur;
	int			prev_scale;
	int			cur_scale;
	rev_kind	kind;

	numeric_to_amount(PG_GETARG_NUMERIC(0), "prev", &prev, &prev_scale);
	numeric_to_amount(PG_GETARG_NUMERIC(1), "cur", &cur, &cur_scale);
	if (prev < 0 || cur < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mrr_movement: MRR must not be negative, not prev %s and cur %s",
						numeric_text(PG_GETARG_NUMERIC(0)),
						numeric_text(PG_GETARG_NUMERIC(1)))));
	if (rev_amount_rescale(prev, prev_scale, Max(prev_scale, cur_scale), &prev) != REV_OK ||
		rev_amount_rescale(cur, cur_scale, Max(prev_scale, cur_scale), &cur) != REV_OK)
		report_overflow("MRR");
	kind = rev_classify(prev, cur, PG_GETARG_BOOL(2));
	if (kind == REV_KIND_NONE)
		PG_RETURN_NULL();

	if (kind_oids == NULL)
	{
		Oid			kind_type = get_fn_expr_rettype(fcinfo->flinfo);

		if (!OidIsValid(kind_type))
			elog(ERROR, "mrr_movement: could not determine the mrr_kind type");
		kind_oids = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(Oid) * REV_NKINDS);
		lookup_kind_oids(kind_type, kind_oids);
		fcinfo->flinfo->fn_extra = kind_oids;
	}
	PG_RETURN_OID(kind_oids[kind]);
}

/* ---- mrr_bridge, churn_rate, ltv: pooled totals ------------------------ */

typedef enum ChurnBasis
{
	BASIS_UNSET = 0,			/* churn_rate(m) means logo */
	BASIS_LOGO,
	BASIS_GROSS_MRR,
	BASIS_NET_MRR
} ChurnBasis;

/*
 * The shared state: the core's totals plus the constant argument of the
 * aggregate (churn basis or gross margin), which must not vary by row.
 */
typedef struct TotalsState
{
	rev_totals	totals;
	uint8		basis;			/* ChurnBasis */
	bool		has_margin;
	uint8		margin_scale;
	rev_amount	margin;
} TotalsState;

#define TOTALS_STATE_ENCODED_SIZE (REV_TOTALS_ENCODED_SIZE + 3 + 16)

/* How to read movement rows; kept in the transition function's fn_extra. */
/*
 * The last two numerics parsed, by their bytes.  Movement rows arrive a
 * customer at a time, period after period, so a row's mrr_before is usually
 * the previous row's mrr_after, and an unchanged row's mrr_after its
 * mrr_before: comparing a few bytes saves most conversions.
 */
#define AMOUNT_MEMO_BYTES 32

typedef struct AmountMemo
{
	Size		len[2];			/* 0: empty slot */
	char		bytes[2][AMOUNT_MEMO_BYTES];
	rev_amount	units[2];
	int			scale[2];
	int			next;			/* the slot to replace on a miss */
} AmountMemo;

typedef struct MovementRowReader
{
	Oid			rowtype;
	TupleDesc	tupdesc;
	Oid			kind_oids[REV_NKINDS];
	AmountMemo	memo;
} MovementRowReader;

/* numeric_to_amount of a numeric datum, remembering the last two. */
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

static TotalsState *
totals_state(FunctionCallInfo fcinfo, MemoryContext *aggcontext)
{
	if (!AggCheckCallContext(fcinfo, aggcontext))
		elog(ERROR, "movement aggregate called in non-aggregate context");
	if (PG_ARGISNULL(0))
		return MemoryContextAllocZero(*aggcontext, sizeof(TotalsState));
	return (TotalsState *) PG_GETARG_POINTER(0);
}

/*
 * Add the movement row in argument 1 to the totals; returns false for a
 * NULL row (skipped, as aggregates skip NULLs).  With check_period, every
 * row must belong to the same period (mrr_bridge).
 */
static bool
totals_add_row(FunctionCallInfo fcinfo, TotalsState *state, bool check_period)
{
	MovementRowReader *reader = fcinfo->flinfo->fn_extra;
	HeapTupleHeader row;
	HeapTupleData tuple;
	Datum		values[5];
	bool		nulls[5];
	rev_kind	kind = REV_KIND_NONE;
	rev_amount	before;
	rev_amount	after;
	int			before_scale;
	int			after_scale;
	int			scale;

	if (PG_ARGISNULL(1))
		return false;
	row = PG_GETARG_HEAPTUPLEHEADER(1);

	if (reader == NULL || reader->rowtype != HeapTupleHeaderGetTypeId(row))
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		reader = palloc0(sizeof(MovementRowReader));
		reader->rowtype = HeapTupleHeaderGetTypeId(row);
		reader->tupdesc = lookup_rowtype_tupdesc_copy(reader->rowtype,
													  HeapTupleHeaderGetTypMod(row));
		if (reader->tupdesc->natts != 5)
			elog(ERROR, "mrr_movement row has %d columns, expected 5", reader->tupdesc->natts);
		lookup_kind_oids(TupleDescAttr(reader->tupdesc, 1)->atttypid, reader->kind_oids);
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = reader;
	}
	tuple.t_len = HeapTupleHeaderGetDatumLength(row);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = row;
	heap_deform_tuple(&tuple, reader->tupdesc, values, nulls);

	if (nulls[0] || nulls[1] || nulls[2] || nulls[3])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("mrr_movement row has a NULL period, kind, mrr_before or mrr_after")));
	for (int k = 0; k < REV_NKINDS; k++)
		if (reader->kind_oids[k] == DatumGetObjectId(values[1]))
			kind = (rev_kind) k;
	datum_to_amount_memo(&reader->memo, values[2], "mrr_before", &before, &before_scale);
	datum_to_amount_memo(&reader->memo, values[3], "mrr_after", &after, &after_scale);
	scale = Max(before_scale, after_scale);
	if (rev_amount_rescale(before, before_scale, scale, &before) != REV_OK ||
		rev_amount_rescale(after, after_scale, scale, &after) != REV_OK)
		report_overflow("MRR");
	if (!rev_kind_consistent(kind, before, after))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("inconsistent mrr_movement row: kind %s from mrr_before %s to mrr_after %s",
						kind == REV_KIND_NONE ? "?" : rev_kind_names[kind],
						numeric_text(DatumGetNumeric(values[2])),
						numeric_text(DatumGetNumeric(values[3]))),
				 errhint("Rows should come from mrr_movement(); kinds follow mrr_movement(prev, cur, paid_before).")));

	if (check_period)
	{
		TimestampTz period = DatumGetTimestampTz(values[0]);

		if (state->totals.has_period && state->totals.period != period)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("mrr_bridge: rows of periods %s and %s in one group",
							timestamptz_text(state->totals.period), timestamptz_text(period)),
					 errhint("A bridge covers one period: GROUP BY the period (and any segment).")));
		state->totals.has_period = true;
		state->totals.period = period;
	}
	if (rev_totals_add(&state->totals, kind, before, after, scale) != REV_OK)
		report_overflow("sum of MRR");
	return true;
}

Datum
mrr_totals_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	TotalsState *into;
	TotalsState *from;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "mrr_totals_combine called in non-aggregate context");
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0));
	from = (TotalsState *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
	{
		into = MemoryContextAlloc(aggcontext, sizeof(TotalsState));
		*into = *from;
		PG_RETURN_POINTER(into);
	}
	into = (TotalsState *) PG_GETARG_POINTER(0);

	if (into->totals.has_period && from->totals.has_period &&
		into->totals.period != from->totals.period)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mrr_bridge: rows of periods %s and %s in one group",
						timestamptz_text(into->totals.period),
						timestamptz_text(from->totals.period)),
				 errhint("A bridge covers one period: GROUP BY the period (and any segment).")));
	if (into->basis != BASIS_UNSET && from->basis != BASIS_UNSET && into->basis != from->basis)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("churn_rate: basis differs between rows of one group")));
	if (into->has_margin && from->has_margin)
	{
		int			scale = Max(into->margin_scale, from->margin_scale);
		rev_amount	a;
		rev_amount	b;

		if (rev_amount_rescale(into->margin, into->margin_scale, scale, &a) != REV_OK ||
			rev_amount_rescale(from->margin, from->margin_scale, scale, &b) != REV_OK ||
			a != b)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("ltv: gross_margin differs between rows of one group")));
	}
	if (into->basis == BASIS_UNSET)
		into->basis = from->basis;
	if (!into->has_margin && from->has_margin)
	{
		into->has_margin = true;
		into->margin = from->margin;
		into->margin_scale = from->margin_scale;
	}
	if (rev_totals_merge(&into->totals, &from->totals) != REV_OK)
		report_overflow("sum of MRR");
	PG_RETURN_POINTER(into);
}

Datum
mrr_totals_serialize(PG_FUNCTION_ARGS)
{
	TotalsState *state = (TotalsState *) PG_GETARG_POINTER(0);
	bytea	   *out = palloc(VARHDRSZ + TOTALS_STATE_ENCODED_SIZE);
	uint8	   *p = (uint8 *) VARDATA(out);
	unsigned __int128 margin = (unsigned __int128) state->margin;

	SET_VARSIZE(out, VARHDRSZ + TOTALS_STATE_ENCODED_SIZE);
	rev_totals_encode(&state->totals, p);
	p += REV_TOTALS_ENCODED_SIZE;
	*p++ = state->basis;
	*p++ = state->has_margin ? 1 : 0;
	*p++ = state->margin_scale;
	for (int i = 0; i < 16; i++)
		*p++ = (uint8) (margin >> (8 * i));
	PG_RETURN_BYTEA_P(out);
}

/* Every byte is checked: the core validates the totals, we the options. */
Datum
mrr_totals_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const uint8 *p = (const uint8 *) VARDATA_ANY(in);
	size_t		len = VARSIZE_ANY_EXHDR(in);
	TotalsState *state = palloc0(sizeof(TotalsState));
	unsigned __int128 margin = 0;

	if (len != TOTALS_STATE_ENCODED_SIZE ||
		rev_totals_decode(p, REV_TOTALS_ENCODED_SIZE, &state->totals) != REV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid movement aggregate state (%zu bytes)", len)));
	p += REV_TOTALS_ENCODED_SIZE;
	state->basis = p[0];
	state->has_margin = p[1] == 1;
	state->margin_scale = p[2];
	for (int i = 15; i >= 0; i--)
		margin = margin << 8 | p[3 + i];
	state->margin = (rev_amount) margin;
	if (state->basis > BASIS_NET_MRR || p[1] > 1 || state->margin_scale > REV_MAX_SCALE ||
		(state->has_margin && state->margin <= 0) ||
		(!state->has_margin && (state->margin != 0 || state->margin_scale != 0)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid movement aggregate state (%zu bytes)", len)));
	PG_RETURN_POINTER(state);
}

/* mrr_bridge(mrr_movement) */
Datum
mrr_bridge_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	TotalsState *state = totals_state(fcinfo, &aggcontext);

	totals_add_row(fcinfo, state, true);
	PG_RETURN_POINTER(state);
}

Datum
mrr_bridge_final(PG_FUNCTION_ARGS)
{
	TotalsState *state;
	const rev_totals *t;
	TupleDesc	tupdesc;
	Datum		values[14];
	bool		nulls[14] = {0};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (TotalsState *) PG_GETARG_POINTER(0);
	t = &state->totals;
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "mrr_bridge_final: the result type is not composite");
	tupdesc = BlessTupleDesc(tupdesc);

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
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* churn_rate(mrr_movement [, basis]) */
Datum
churn_rate_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	TotalsState *state = totals_state(fcinfo, &aggcontext);

	if (!totals_add_row(fcinfo, state, false) || PG_NARGS() < 3)
		PG_RETURN_POINTER(state);

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("churn_rate: basis must not be NULL"),
				 errhint("Use logo, gross_mrr or net_mrr.")));
	else
	{
		char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(2));
		ChurnBasis	basis;

		if (strcmp(name, "logo") == 0)
			basis = BASIS_LOGO;
		else if (strcmp(name, "gross_mrr") == 0)
			basis = BASIS_GROSS_MRR;
		else if (strcmp(name, "net_mrr") == 0)
			basis = BASIS_NET_MRR;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("churn_rate: unknown basis \"%s\"", name),
					 errhint("Use logo, gross_mrr or net_mrr.")));
		if (state->basis != BASIS_UNSET && state->basis != basis)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("churn_rate: basis differs between rows of one group (now \"%s\")", name)));
		state->basis = basis;
		pfree(name);
	}
	PG_RETURN_POINTER(state);
}


static Numeric
numeric_quotient(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_div, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

static Numeric
numeric_product(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

Datum
churn_rate_final(PG_FUNCTION_ARGS)
{
	TotalsState *state;
	const rev_totals *t;
	rev_amount	lost;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (TotalsState *) PG_GETARG_POINTER(0);
	t = &state->totals;

	switch ((ChurnBasis) state->basis)
	{
		case BASIS_GROSS_MRR:
		case BASIS_NET_MRR:
			if (t->start_mrr == 0)
				PG_RETURN_NULL();
			lost = t->churned_mrr + t->contraction_mrr;
			if (state->basis == BASIS_NET_MRR)
				lost -= t->expansion_mrr + t->reactivation_mrr;
			/* Each term is at most a sum over rows the totals already hold. */
			PG_RETURN_NUMERIC(numeric_quotient(amount_to_numeric(lost, t->scale),
											   amount_to_numeric(t->start_mrr, t->scale)));
		default:
			if (t->start_customers == 0)
				PG_RETURN_NULL();
			PG_RETURN_NUMERIC(numeric_quotient(int64_numeric(t->churned_customers),
											   int64_numeric(t->start_customers)));
	}
}

/* Compare a numeric with a small integer; NaN sorts above everything. */
static int
numeric_cmp_int(Numeric a, int64 b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a),
											 NumericGetDatum(int64_numeric(b))));
}

/* A gross margin is a fraction in (0, 1]. */
static void
check_gross_margin(Numeric margin)
{
	if (numeric_is_nan(margin) || numeric_cmp_int(margin, 0) <= 0 || numeric_cmp_int(margin, 1) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ltv: gross_margin must be greater than 0 and at most 1, not %s",
						numeric_text(margin)),
				 errhint("Pass the margin as a fraction, e.g. 0.8 for 80 %%.")));
}

/* ltv(mrr_movement [, gross_margin]) */
Datum
ltv_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	TotalsState *state = totals_state(fcinfo, &aggcontext);
	rev_amount	margin;
	int			scale;

	if (!totals_add_row(fcinfo, state, false) || PG_NARGS() < 3)
		PG_RETURN_POINTER(state);

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("ltv: gross_margin must not be NULL")));
	check_gross_margin(PG_GETARG_NUMERIC(2));
	numeric_to_amount(PG_GETARG_NUMERIC(2), "gross_margin", &margin, &scale);
	if (state->has_margin)
	{
		int			common = Max(scale, state->margin_scale);
		rev_amount	a;
		rev_amount	b;

		(void) rev_amount_rescale(margin, scale, common, &a);
		(void) rev_amount_rescale(state->margin, state->margin_scale, common, &b);
		if (a != b)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("ltv: gross_margin differs between rows of one group (now %s)",
							numeric_text(PG_GETARG_NUMERIC(2)))));
	}
	else
	{
		state->has_margin = true;
		state->margin = margin;
		state->margin_scale = (uint8) scale;
	}
	PG_RETURN_POINTER(state);
}

/*
 * LTV = ARPA x margin / churn, with ARPA = end_mrr / end_customers and
 * churn = churned_customers / start_customers, evaluated as the single
 * division end_mrr x start_customers x margin / (end_customers x churned)
 * of exact operands, so nothing is rounded before the last step.
 */
Datum
ltv_final(PG_FUNCTION_ARGS)
{
	TotalsState *state;
	const rev_totals *t;
	Numeric		numerator;
	Numeric		denominator;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (TotalsState *) PG_GETARG_POINTER(0);
	t = &state->totals;
	if (t->churned_customers == 0 || t->end_customers == 0)
		PG_RETURN_NULL();

	numerator = numeric_product(amount_to_numeric(t->end_mrr, t->scale),
								int64_numeric(t->start_customers));
	if (state->has_margin)
		numerator = numeric_product(numerator,
									amount_to_numeric(state->margin, state->margin_scale));
	denominator = numeric_product(int64_numeric(t->end_customers),
								  int64_numeric(t->churned_customers));
	PG_RETURN_NUMERIC(numeric_quotient(numerator, denominator));
}

/* ltv(arpa, churn_rate, gross_margin DEFAULT 1) */
Datum
ltv_formula(PG_FUNCTION_ARGS)
{
	Numeric		arpa = PG_GETARG_NUMERIC(0);
	Numeric		churn = PG_GETARG_NUMERIC(1);
	Numeric		margin = PG_GETARG_NUMERIC(2);

	if (numeric_is_nan(arpa) || numeric_cmp_int(arpa, 0) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ltv: arpa must be a number at least 0, not %s", numeric_text(arpa))));
	if (numeric_is_nan(churn) || numeric_cmp_int(churn, 0) < 0 || numeric_cmp_int(churn, 1) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ltv: churn_rate must be between 0 and 1, not %s", numeric_text(churn)),
				 errhint("Use a logo churn rate per period, e.g. from churn_rate(m).")));
	check_gross_margin(margin);
	if (numeric_cmp_int(churn, 0) == 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(numeric_quotient(numeric_product(arpa, margin), churn));
}

/*
 * mrr_normalize(amount, billing_period): the monthly equivalent, exact when
 * the factor is an integer, otherwise one numeric division.
 */
Datum
mrr_normalize(PG_FUNCTION_ARGS)
{
	Numeric		amount = PG_GETARG_NUMERIC(0);
	Interval   *period = PG_GETARG_INTERVAL_P(1);
	rev_amount	numerator;
	rev_amount	denominator;
	Numeric		result = amount;

	if (!rev_billing_factor(period->month, period->day, period->time, &numerator, &denominator)
#ifdef INTERVAL_NOT_FINITE
		|| INTERVAL_NOT_FINITE(period)
#endif
		)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("mrr_normalize: billing_period must be a positive interval, not %s",
						interval_text(period)),
				 errhint("No part may be negative, e.g. '1 month', '1 year', '3 months', '7 days'.")));
	if (numerator != 1)
		result = numeric_product(result, amount_to_numeric(numerator, 0));
	if (denominator != 1)
		result = numeric_quotient(result, amount_to_numeric(denominator, 0));
	PG_RETURN_NUMERIC(result);
}
