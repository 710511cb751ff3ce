/*
 * signals_pg.c
 *		PostgreSQL glue of the signals family: score_auc, action_lift,
 *		churn_signals, churn_signals_model and account_engagement.  The core (signals.c) decides;
 *		this file converts Datums, owns memory and reports.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "common/b2b_pg.h"
#include "engine/engine_pg.h"
#include "signals/signals.h"

PG_FUNCTION_INFO_V1(score_auc_transfn);
PG_FUNCTION_INFO_V1(score_auc_combinefn);
PG_FUNCTION_INFO_V1(score_auc_serialfn);
PG_FUNCTION_INFO_V1(score_auc_deserialfn);
PG_FUNCTION_INFO_V1(score_auc_finalfn);
PG_FUNCTION_INFO_V1(action_lift_transfn);
PG_FUNCTION_INFO_V1(action_lift_combinefn);
PG_FUNCTION_INFO_V1(action_lift_serialfn);
PG_FUNCTION_INFO_V1(action_lift_deserialfn);
PG_FUNCTION_INFO_V1(action_lift_finalfn);
PG_FUNCTION_INFO_V1(churn_signals_transfn);
PG_FUNCTION_INFO_V1(churn_signals_combinefn);
PG_FUNCTION_INFO_V1(churn_signals_serialfn);
PG_FUNCTION_INFO_V1(churn_signals_deserialfn);
PG_FUNCTION_INFO_V1(churn_signals_finalfn);
PG_FUNCTION_INFO_V1(churn_signals_model_finalfn);
PG_FUNCTION_INFO_V1(account_engagement_transfn);
PG_FUNCTION_INFO_V1(account_engagement_combinefn);
PG_FUNCTION_INFO_V1(account_engagement_serialfn);
PG_FUNCTION_INFO_V1(account_engagement_deserialfn);
PG_FUNCTION_INFO_V1(account_engagement_finalfn);

/* ---- score_auc(score, outcome) ------------------------------------------------------- */

/*
 * The rows as points; points[0 .. sorted) are sorted with distinct scores.
 * When the array is full it is compacted, and grows only when compacting
 * frees less than half: memory follows the distinct scores, not the rows.
 */
typedef struct AucState
{
	SigAucPoint *points;
	size_t		n;
	size_t		sorted;
	size_t		capacity;
} AucState;

static AucState *
auc_new(MemoryContext cxt, size_t capacity)
{
	AucState   *s = MemoryContextAllocZero(cxt, sizeof(AucState));

	s->capacity = Max(capacity, 64);
	if (s->capacity * sizeof(SigAucPoint) > b2b_engine_memory_limit())
		b2b_report_memory_limit("score_auc", NULL);
	s->points = MemoryContextAllocHuge(cxt, s->capacity * sizeof(SigAucPoint));
	return s;
}

static void
auc_compact(AucState *s)
{
	if (s->sorted < s->n)
		s->n = s->sorted = sig_auc_compact(s->points, s->n, s->sorted);
}

Datum
score_auc_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	AucState   *s = PG_ARGISNULL(0) ? NULL : (AucState *) PG_GETARG_POINTER(0);

	if (s == NULL)
		s = auc_new(aggcontext, 64);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(s);
	if (s->n == s->capacity)
	{
		auc_compact(s);
		if (s->n > s->capacity / 2)
		{
			size_t		bytes = 2 * s->capacity * sizeof(SigAucPoint);

			if (bytes > b2b_engine_memory_limit())
				b2b_report_memory_limit("score_auc", NULL);
			s->points = repalloc_huge(s->points, bytes);
			s->capacity *= 2;
		}
	}
	s->points[s->n].score = PG_GETARG_FLOAT8(1);
	s->points[s->n].pos = PG_GETARG_BOOL(2) ? 1 : 0;
	s->points[s->n].neg = PG_GETARG_BOOL(2) ? 0 : 1;
	s->n++;
	PG_RETURN_POINTER(s);
}

Datum
score_auc_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	AucState   *a = PG_ARGISNULL(0) ? NULL : (AucState *) PG_GETARG_POINTER(0);
	AucState   *b = PG_ARGISNULL(1) ? NULL : (AucState *) PG_GETARG_POINTER(1);
	AucState   *out;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	auc_compact(b);
	if (a == NULL)
		a = auc_new(aggcontext, 64);
	auc_compact(a);
	out = auc_new(aggcontext, a->n + b->n);
	out->n = out->sorted = sig_auc_merge(a->points, a->n, b->points, b->n, out->points);
	pfree(a->points);
	pfree(a);
	PG_RETURN_POINTER(out);
}

Datum
score_auc_serialfn(PG_FUNCTION_ARGS)
{
	AucState   *s = (AucState *) PG_GETARG_POINTER(0);
	uint8	   *data;
	bytea	   *out;

	auc_compact(s);
	out = b2b_bytea_new(sig_auc_encoded_size(s->n), &data);
	sig_auc_encode(s->points, s->n, data);
	PG_RETURN_BYTEA_P(out);
}

Datum
score_auc_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const uint8 *bytes = (const uint8 *) VARDATA_ANY(in);
	Size		len = VARSIZE_ANY_EXHDR(in);
	size_t		n;
	const char *why = sig_auc_decode_count(bytes, len, &n);
	AucState   *s;

	b2b_agg_context(fcinfo);
	if (why == NULL)
	{
		s = auc_new(CurrentMemoryContext, n);
		why = sig_auc_decode(bytes, len, s->points);
		s->n = s->sorted = n;
	}
	if (why != NULL)
		b2b_report_bad_bytes("score_auc state", why);
	PG_RETURN_POINTER(s);
}

Datum
score_auc_finalfn(PG_FUNCTION_ARGS)
{
	AucState   *s;
	SigAucResult r;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = (AucState *) PG_GETARG_POINTER(0);
	auc_compact(s);
	if (!sig_auc_result(s->points, s->n, &r))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sig_auc_value(&r));
}

/* ---- counters per name: action_lift and churn_signals ------------------------------------ */

typedef struct CountsArgs
{
	EngMemory  *budget;
} CountsArgs;

static void
counts_status(SigStatus st, const char *what)
{
	switch (st)
	{
		case SIG_OK:
			return;
		case SIG_ERR_MEMORY:
			b2b_report_memory_limit(what, NULL);
			break;
		case SIG_ERR_TOO_MANY:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many distinct names or rows in one %s group", what),
					 errdetail("A group holds at most %d distinct names and 2^62 rows.", SIG_MAX_NAMES)));
			break;
		case SIG_ERR_CORRUPT:
			b2b_report_bad_bytes(what, "invalid state");
			break;
	}
}

/* A new state's memory, counted against the call site's budget (kept in fn_extra). */
static EngMemory *
state_memory(FunctionCallInfo fcinfo, MemoryContext aggcontext)
{
	CountsArgs *args;

	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CountsArgs));
	args = (CountsArgs *) fcinfo->flinfo->fn_extra;
	return b2b_engine_memory(fcinfo, aggcontext, &args->budget);
}

static SigCounts *
counts_new(FunctionCallInfo fcinfo, MemoryContext aggcontext, uint8 kind, const int64 params[3],
		   const char *what)
{
	SigCounts  *c = MemoryContextAllocZero(aggcontext, sizeof(SigCounts));

	counts_status(sig_counts_init(c, state_memory(fcinfo, aggcontext), kind), what);
	memcpy(c->params, params, sizeof(c->params));
	return c;
}

static void
different_parameters(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the parameters of %s must be the same on every row of a group", what),
			 errhint("Pass constants, or group by the parameters.")));
}

static Datum
counts_combine(FunctionCallInfo fcinfo, uint8 kind, const char *what)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	SigCounts  *a = PG_ARGISNULL(0) ? NULL : (SigCounts *) PG_GETARG_POINTER(0);
	SigCounts  *b = PG_ARGISNULL(1) ? NULL : (SigCounts *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = counts_new(fcinfo, aggcontext, kind, b->params, what);
	else if (memcmp(a->params, b->params, sizeof(a->params)) != 0)
		different_parameters(what);
	counts_status(sig_counts_merge(a, b), what);
	PG_RETURN_POINTER(a);
}

static Datum
counts_serialize(FunctionCallInfo fcinfo)
{
	SigCounts  *c = (SigCounts *) PG_GETARG_POINTER(0);
	uint8	   *data;
	bytea	   *out = b2b_bytea_new(sig_counts_encoded_size(c), &data);

	sig_counts_encode(c, data);
	PG_RETURN_BYTEA_P(out);
}

static Datum
counts_deserialize(FunctionCallInfo fcinfo, uint8 kind, const char *what)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	SigCounts  *c = palloc0(sizeof(SigCounts));
	const char *why;

	b2b_agg_context(fcinfo);
	counts_status(sig_counts_init(c, b2b_engine_memory_unbounded(CurrentMemoryContext), kind), what);
	why = sig_counts_decode(c, (const uint8 *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in));
	if (why != NULL)
		b2b_report_bad_bytes(what, why);
	PG_RETURN_POINTER(c);
}

/* The final function's row type: the element type of its array result. */
typedef struct RowsCache
{
	Oid			elemtype;
	int16		elemlen;
	bool		elembyval;
	char		elemalign;
	TupleDesc	tupdesc;
} RowsCache;

static RowsCache *
rows_cache(FunctionCallInfo fcinfo, int natts, const char *what)
{
	RowsCache  *cache = fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		Oid			arraytype = get_fn_expr_rettype(fcinfo->flinfo);

		cache = palloc0(sizeof(RowsCache));
		cache->elemtype = OidIsValid(arraytype) ? get_element_type(arraytype) : InvalidOid;
		if (!OidIsValid(cache->elemtype))
			elog(ERROR, "%s: could not determine the result type", what);
		cache->tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(cache->elemtype, -1));
		if (cache->tupdesc->natts != natts)
			elog(ERROR, "%s type has %d columns, expected %d", what, cache->tupdesc->natts, natts);
		get_typlenbyvalalign(cache->elemtype, &cache->elemlen, &cache->elembyval, &cache->elemalign);
		fcinfo->flinfo->fn_extra = cache;
		MemoryContextSwitchTo(old);
	}
	return cache;
}

static text *
counts_name(const SigCounts *c, uint32 id)
{
	const EngEntity *e = eng_table_entity(&c->names, id);

	return cstring_to_text_with_len((const char *) eng_entity_key(e), e->key_len);
}

static int
name_cmp(const SigCounts *c, uint32 a, uint32 b)
{
	const EngEntity *ea = eng_table_entity(&c->names, a);
	const EngEntity *eb = eng_table_entity(&c->names, b);
	int			r = memcmp(eng_entity_key(ea), eng_entity_key(eb), Min(ea->key_len, eb->key_len));

	return r != 0 ? r : (ea->key_len < eb->key_len ? -1 : (ea->key_len > eb->key_len ? 1 : 0));
}

#define FLOAT_OR_NULL(i, has, v) (nulls[i] = !(has), values[i] = Float8GetDatum((has) ? (v) : 0))

/* ---- action_lift(actions, converted [, min_support]) ------------------------------------- */

#define LIFT_NATTS 11

Datum
action_lift_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	SigCounts  *c = PG_ARGISNULL(0) ? NULL : (SigCounts *) PG_GETARG_POINTER(0);
	int64		params[3] = {1, 0, 0};
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *enulls;
	int			n,
				m = 0;
	const uint8 **names;
	uint32	   *lens;

	if (PG_NARGS() > 3)
	{
		b2b_require_not_null(fcinfo, 3, "min_support");
		params[0] = PG_GETARG_INT64(3);
		if (params[0] < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("min_support must be at least 1"),
					 errdetail("The value given is " INT64_FORMAT ".", params[0]),
					 errhint("min_support is the least number of users who did an action for it to be reported.")));
	}
	if (c == NULL)
		c = counts_new(fcinfo, aggcontext, SIG_KIND_LIFT, params, "action_lift");
	else if (c->params[0] != params[0])
		different_parameters("action_lift");
	if (PG_ARGISNULL(2))
		PG_RETURN_POINTER(c);	/* a user without an outcome is not counted */
	if (PG_ARGISNULL(1))
		n = 0;					/* no actions in the window */
	else
	{
		arr = PG_GETARG_ARRAYTYPE_P(1);
		if (ARR_NDIM(arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("actions must be a one-dimensional array")));
		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &n);
	}
	names = palloc(sizeof(uint8 *) * (n + 1));
	lens = palloc(sizeof(uint32) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		text	   *t;

		if (enulls[i])
			continue;
		t = DatumGetTextPP(elems[i]);
		if (VARSIZE_ANY_EXHDR(t) > ENG_MAX_KEY)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("an action name is longer than %u bytes", ENG_MAX_KEY)));
		names[m] = (const uint8 *) VARDATA_ANY(t);
		lens[m++] = VARSIZE_ANY_EXHDR(t);
	}
	counts_status(sig_lift_add_user(c, names, lens, m, PG_GETARG_BOOL(2)), "action_lift");
	PG_RETURN_POINTER(c);
}

Datum
action_lift_combinefn(PG_FUNCTION_ARGS)
{
	return counts_combine(fcinfo, SIG_KIND_LIFT, "action_lift");
}

Datum
action_lift_serialfn(PG_FUNCTION_ARGS)
{
	return counts_serialize(fcinfo);
}

Datum
action_lift_deserialfn(PG_FUNCTION_ARGS)
{
	return counts_deserialize(fcinfo, SIG_KIND_LIFT, "action_lift state");
}

typedef struct LiftSort
{
	uint32		id;
	SigLiftRow	row;
} LiftSort;

static const SigCounts *lift_sort_counts;

/* The core's order, then by name. */
static int
lift_order(const void *x, const void *y)
{
	const LiftSort *a = x,
			   *b = y;
	int			r = sig_lift_order(&a->row, &b->row);

	return r != 0 ? r : name_cmp(lift_sort_counts, a->id, b->id);
}

Datum
action_lift_finalfn(PG_FUNCTION_ARGS)
{
	RowsCache  *cache = rows_cache(fcinfo, LIFT_NATTS, "action_lift");
	SigCounts  *c;
	LiftSort   *rows;
	Datum	   *elems;
	uint32		n = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	c = (SigCounts *) PG_GETARG_POINTER(0);
	rows = palloc(sizeof(LiftSort) * (c->names.count + 1));
	for (uint32 i = 0; i < c->names.count; i++)
	{
		const uint64_t *k = c->counts + (size_t) i * c->ncols;

		if ((int64) k[0] < c->params[0])
			continue;
		rows[n].id = i;
		sig_lift_row(k[0], k[1], c->totals[0], c->totals[1], &rows[n].row);
		n++;
	}
	lift_sort_counts = c;
	qsort(rows, n, sizeof(LiftSort), lift_order);
	elems = palloc(sizeof(Datum) * (n + 1));
	for (uint32 i = 0; i < n; i++)
	{
		const SigLiftRow *r = &rows[i].row;
		Datum		values[LIFT_NATTS];
		bool		nulls[LIFT_NATTS] = {false};

		values[0] = PointerGetDatum(counts_name(c, rows[i].id));
		values[1] = Int64GetDatum((int64) r->users_did);
		values[2] = Int64GetDatum((int64) r->converted_did);
		FLOAT_OR_NULL(3, r->has_rate_did, r->rate_did);
		values[4] = Int64GetDatum((int64) r->users_not);
		values[5] = Int64GetDatum((int64) r->converted_not);
		FLOAT_OR_NULL(6, r->has_rate_not, r->rate_not);
		FLOAT_OR_NULL(7, r->has_lift, r->lift);
		FLOAT_OR_NULL(8, r->has_interval, r->lift_low);
		FLOAT_OR_NULL(9, r->has_interval, r->lift_high);
		FLOAT_OR_NULL(10, r->has_p, r->p_value);
		elems[i] = HeapTupleGetDatum(heap_form_tuple(cache->tupdesc, values, nulls));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, cache->elemtype, cache->elemlen,
										  cache->elembyval, cache->elemalign));
}

/* ---- churn_signals(ts, event, ref_at, churned, recent, baseline) --------------------------- */

#define CHURN_NATTS 10

Datum
churn_signals_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	SigCounts  *c = PG_ARGISNULL(0) ? NULL : (SigCounts *) PG_GETARG_POINTER(0);
	int64		params[3] = {0, 0, 0};
	TimestampTz ts,
				ref;
	int64		age;
	int			window;
	text	   *event;
	uint64_t   *row;
	uint32		id;
	int			slot;

	b2b_require_not_null(fcinfo, 5, "recent");
	b2b_require_not_null(fcinfo, 6, "baseline");
	params[0] = b2b_interval_usec(PG_GETARG_INTERVAL_P(5), "recent");
	params[1] = b2b_interval_usec(PG_GETARG_INTERVAL_P(6), "baseline");
	if (PG_NARGS() > 7)
	{
		b2b_require_not_null(fcinfo, 7, "k");
		params[2] = PG_GETARG_INT32(7);
		if (params[2] < 1 || params[2] > 1000)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("k must be between 1 and 1000"),
					 errdetail("The value given is " INT64_FORMAT ".", params[2]),
					 errhint("k is the number of signals the model takes, the most separating first.")));
	}
	if (c == NULL)
		c = counts_new(fcinfo, aggcontext, SIG_KIND_CHURN, params, "churn_signals");
	else if (memcmp(c->params, params, sizeof(params)) != 0)
		different_parameters("churn_signals");
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
		PG_RETURN_POINTER(c);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	ref = PG_GETARG_TIMESTAMPTZ(3);
	b2b_require_finite(ref, "ref_at");
	if (TIMESTAMP_NOT_FINITE(ts))
		PG_RETURN_POINTER(c);
	/* recent = (ref - recent, ref], baseline = (ref - recent - baseline, ref - recent] */
	if (pg_sub_s64_overflow(ref, ts, &age) || age < 0 ||
		(age >= params[0] && age - params[0] >= params[1]))
		PG_RETURN_POINTER(c);
	window = age < params[0] ? 0 : 1;
	event = PG_GETARG_TEXT_PP(2);
	if (VARSIZE_ANY_EXHDR(event) > ENG_MAX_KEY)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("an event name is longer than %u bytes", ENG_MAX_KEY)));
	counts_status(sig_counts_row(c, (const uint8 *) VARDATA_ANY(event), VARSIZE_ANY_EXHDR(event), &row, &id),
				  "churn_signals");
	slot = (PG_GETARG_BOOL(4) ? 0 : 2) + window;
	if (c->totals[slot] >= SIG_MAX_COUNT)
		counts_status(SIG_ERR_TOO_MANY, "churn_signals");
	row[slot]++;
	c->totals[slot]++;
	PG_RETURN_POINTER(c);
}

Datum
churn_signals_combinefn(PG_FUNCTION_ARGS)
{
	return counts_combine(fcinfo, SIG_KIND_CHURN, "churn_signals");
}

Datum
churn_signals_serialfn(PG_FUNCTION_ARGS)
{
	return counts_serialize(fcinfo);
}

Datum
churn_signals_deserialfn(PG_FUNCTION_ARGS)
{
	return counts_deserialize(fcinfo, SIG_KIND_CHURN, "churn_signals state");
}

typedef struct ChurnSort
{
	uint32		id;
	SigChurnRow row;
} ChurnSort;

static const SigCounts *churn_sort_counts;

static int
churn_order(const void *x, const void *y)
{
	const ChurnSort *a = x,
			   *b = y;
	int			r = sig_churn_order(&a->row, &b->row);

	return r != 0 ? r : name_cmp(churn_sort_counts, a->id, b->id);
}

static ChurnSort *
churn_rows(SigCounts *c)
{
	ChurnSort  *rows = palloc(sizeof(ChurnSort) * (c->names.count + 1));

	for (uint32 i = 0; i < c->names.count; i++)
	{
		rows[i].id = i;
		sig_churn_row(c->counts + (size_t) i * c->ncols, c->params[0], c->params[1], &rows[i].row);
	}
	churn_sort_counts = c;
	qsort(rows, c->names.count, sizeof(ChurnSort), churn_order);
	return rows;
}

Datum
churn_signals_finalfn(PG_FUNCTION_ARGS)
{
	RowsCache  *cache = rows_cache(fcinfo, CHURN_NATTS, "churn_signals");
	SigCounts  *c;
	ChurnSort  *rows;
	Datum	   *elems;
	uint32		n;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	c = (SigCounts *) PG_GETARG_POINTER(0);
	n = c->names.count;
	rows = churn_rows(c);
	elems = palloc(sizeof(Datum) * (n + 1));
	for (uint32 i = 0; i < n; i++)
	{
		const SigChurnRow *r = &rows[i].row;
		Datum		values[CHURN_NATTS];
		bool		nulls[CHURN_NATTS] = {false};

		values[0] = PointerGetDatum(counts_name(c, rows[i].id));
		values[1] = Int64GetDatum((int64) r->churned_recent);
		values[2] = Int64GetDatum((int64) r->churned_baseline);
		values[3] = Int64GetDatum((int64) r->retained_recent);
		values[4] = Int64GetDatum((int64) r->retained_baseline);
		FLOAT_OR_NULL(5, r->has_churned_ratio, r->churned_ratio);
		FLOAT_OR_NULL(6, r->has_retained_ratio, r->retained_ratio);
		FLOAT_OR_NULL(7, r->has_difference, r->difference);
		FLOAT_OR_NULL(8, r->has_test, r->z);
		FLOAT_OR_NULL(9, r->has_test, r->p_value);
		elems[i] = HeapTupleGetDatum(heap_form_tuple(cache->tupdesc, values, nulls));
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, cache->elemtype, cache->elemlen,
										  cache->elembyval, cache->elemalign));
}

/* An interval as text that reads back the same under any IntervalStyle. */
static char *
usec_interval_text(int64 usec)
{
	if (usec % USECS_PER_DAY == 0)
		return psprintf(INT64_FORMAT " days", usec / USECS_PER_DAY);
	return psprintf(INT64_FORMAT " microseconds", usec);
}

/*
 * A health model (docs/health.md) from the k most separating signals with a
 * ratio for both groups: direction "up" when the churned fell more than the
 * retained (more is healthier), else "down"; weight |z| to two decimals (at
 * least 0.01).  NULL when no signal qualifies.
 */
Datum
churn_signals_model_finalfn(PG_FUNCTION_ARGS)
{
	SigCounts  *c;
	ChurnSort  *rows;
	StringInfoData buf;
	int			taken = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	c = (SigCounts *) PG_GETARG_POINTER(0);
	rows = churn_rows(c);
	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"recent\": ");
	escape_json(&buf, usec_interval_text(c->params[0]));
	appendStringInfoString(&buf, ", \"baseline\": ");
	escape_json(&buf, usec_interval_text(c->params[1]));
	appendStringInfoString(&buf, ", \"signals\": {");
	for (uint32 i = 0; i < c->names.count && taken < c->params[2]; i++)
	{
		const SigChurnRow *r = &rows[i].row;
		char	   *name;
		double		w;

		if (!r->has_test || !r->has_difference)
			continue;
		name = text_to_cstring(counts_name(c, rows[i].id));
		w = Max(0.01, round(fabs(r->z) * 100) / 100);
		if (taken++ > 0)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, name);
		appendStringInfo(&buf, ": {\"weight\": %.2f, \"direction\": \"%s\"}", w,
						 r->difference < 0 ? "up" : "down");
	}
	appendStringInfoString(&buf, "}}");
	if (taken == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* ---- account_engagement(user_id, feature, ts, as_of [, window]) --------------------------- */

#define ENGAGE_NATTS 10

typedef struct EngageState
{
	SigEngage	e;
} EngageState;

static void
engage_status(SigStatus st)
{
	counts_status(st, "account_engagement");
}

Datum
account_engagement_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	EngageState *s = PG_ARGISNULL(0) ? NULL : (EngageState *) PG_GETARG_POINTER(0);
	TimestampTz as_of;
	int64		window_us = 30 * USECS_PER_DAY;
	text	   *feature = NULL;

	b2b_require_not_null(fcinfo, 4, "as_of");
	as_of = PG_GETARG_TIMESTAMPTZ(4);
	b2b_require_finite(as_of, "as_of");
	if (PG_NARGS() > 5)
	{
		b2b_require_not_null(fcinfo, 5, "window");
		window_us = b2b_interval_usec(PG_GETARG_INTERVAL_P(5), "window");
	}
	if (s == NULL)
	{
		s = MemoryContextAllocZero(aggcontext, sizeof(EngageState));
		engage_status(sig_engage_init(&s->e, state_memory(fcinfo, aggcontext), as_of, window_us));
	}
	else if (s->e.as_of != as_of || s->e.window_us != window_us)
		different_parameters("account_engagement");
	if (PG_ARGISNULL(3) || TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(3)))
		PG_RETURN_POINTER(s);
	if (!PG_ARGISNULL(2))
	{
		feature = PG_GETARG_TEXT_PP(2);
		if (VARSIZE_ANY_EXHDR(feature) >= ENG_MAX_KEY)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("a feature name is longer than %u bytes", ENG_MAX_KEY - 1)));
	}
	engage_status(sig_engage_add(&s->e, PG_GETARG_TIMESTAMPTZ(3), !PG_ARGISNULL(1),
								 PG_ARGISNULL(1) ? 0 : PG_GETARG_INT64(1),
								 feature ? (const uint8 *) VARDATA_ANY(feature) : NULL,
								 feature ? VARSIZE_ANY_EXHDR(feature) : 0));
	PG_RETURN_POINTER(s);
}

Datum
account_engagement_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	EngageState *a = PG_ARGISNULL(0) ? NULL : (EngageState *) PG_GETARG_POINTER(0);
	EngageState *b = PG_ARGISNULL(1) ? NULL : (EngageState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		a = MemoryContextAllocZero(aggcontext, sizeof(EngageState));
		engage_status(sig_engage_init(&a->e, state_memory(fcinfo, aggcontext), b->e.as_of, b->e.window_us));
	}
	else if (a->e.as_of != b->e.as_of || a->e.window_us != b->e.window_us)
		different_parameters("account_engagement");
	engage_status(sig_engage_merge(&a->e, &b->e));
	PG_RETURN_POINTER(a);
}

Datum
account_engagement_serialfn(PG_FUNCTION_ARGS)
{
	EngageState *s = (EngageState *) PG_GETARG_POINTER(0);
	uint8	   *data;
	bytea	   *out;

	engage_status(sig_engage_compact(&s->e));
	out = b2b_bytea_new(sig_engage_encoded_size(&s->e), &data);
	sig_engage_encode(&s->e, data);
	PG_RETURN_BYTEA_P(out);
}

Datum
account_engagement_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	EngageState *s = palloc0(sizeof(EngageState));
	const char *why;

	b2b_agg_context(fcinfo);
	engage_status(sig_engage_init(&s->e, b2b_engine_memory_unbounded(CurrentMemoryContext), 0, 1));
	why = sig_engage_decode(&s->e, (const uint8 *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in));
	if (why != NULL)
		b2b_report_bad_bytes("account_engagement state", why);
	PG_RETURN_POINTER(s);
}

Datum
account_engagement_finalfn(PG_FUNCTION_ARGS)
{
	EngageState *s;
	SigEngageRow r;
	TupleDesc	tupdesc = fcinfo->flinfo->fn_extra;
	Datum		values[ENGAGE_NATTS];
	bool		nulls[ENGAGE_NATTS] = {false};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(get_fn_expr_rettype(fcinfo->flinfo), -1));
		if (tupdesc->natts != ENGAGE_NATTS)
			elog(ERROR, "account_engagement type has %d columns, expected %d", tupdesc->natts, ENGAGE_NATTS);
		fcinfo->flinfo->fn_extra = tupdesc;
		MemoryContextSwitchTo(old);
	}
	s = (EngageState *) PG_GETARG_POINTER(0);
	engage_status(sig_engage_compact(&s->e));
	sig_engage_row(&s->e, &r);
	values[0] = Int64GetDatum((int64) r.users[0]);
	values[1] = Int64GetDatum((int64) r.features[0]);
	values[2] = Int64GetDatum((int64) r.active_days[0]);
	values[3] = Int64GetDatum((int64) r.events[0]);
	values[4] = Int64GetDatum((int64) r.users[1]);
	values[5] = Int64GetDatum((int64) r.features[1]);
	values[6] = Int64GetDatum((int64) r.active_days[1]);
	values[7] = Int64GetDatum((int64) r.events[1]);
	FLOAT_OR_NULL(8, r.has_users_trend, r.users_trend);
	FLOAT_OR_NULL(9, r.has_events_trend, r.events_trend);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
