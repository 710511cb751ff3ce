/*
 * retention_pg.c
 *		PostgreSQL glue of the retention family: the activity and
 *		retention_counts types, their aggregates and accessors, and
 *		ClickHouse's retention().  The core (retention.c) decides; this file
 *		converts Datums, owns memory and reports.
 *
 * Periods follow date_trunc in the session time zone: a timestamptz is turned
 * into its local calendar date, and a period back into the timestamptz of its
 * first local midnight (as date_trunc('week', ts) gives it).  So the functions
 * that convert are STABLE, like date_trunc on timestamptz.
 */
#include "postgres.h"

#include "common/int.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "common/b2b_pg.h"
#include "common/bytes.h"
#include "engine/engine_pg.h"
#include "retention/retention.h"

PG_FUNCTION_INFO_V1(activity_agg_transfn);
PG_FUNCTION_INFO_V1(activity_union_transfn);
PG_FUNCTION_INFO_V1(activity_combinefn);
PG_FUNCTION_INFO_V1(activity_union);
PG_FUNCTION_INFO_V1(activity_grain);
PG_FUNCTION_INFO_V1(first_active);
PG_FUNCTION_INFO_V1(last_active);
PG_FUNCTION_INFO_V1(active_periods);
PG_FUNCTION_INFO_V1(active_periods_between);
PG_FUNCTION_INFO_V1(is_active);
PG_FUNCTION_INFO_V1(longest_streak);
PG_FUNCTION_INFO_V1(current_streak);
PG_FUNCTION_INFO_V1(streaks);
PG_FUNCTION_INFO_V1(retention_transfn);
PG_FUNCTION_INFO_V1(retention_combinefn);
PG_FUNCTION_INFO_V1(retention_finalfn);
PG_FUNCTION_INFO_V1(retention_report_transfn);
PG_FUNCTION_INFO_V1(retention_report_combinefn);
PG_FUNCTION_INFO_V1(retention_report_serialfn);
PG_FUNCTION_INFO_V1(retention_report_deserialfn);
PG_FUNCTION_INFO_V1(retention_report_finalfn);
PG_FUNCTION_INFO_V1(cohort_retention_transfn);
PG_FUNCTION_INFO_V1(lifecycle_transfn);
PG_FUNCTION_INFO_V1(stickiness_transfn);
PG_FUNCTION_INFO_V1(retention_counts_union_transfn);
PG_FUNCTION_INFO_V1(retention_counts_combinefn);
PG_FUNCTION_INFO_V1(stickiness_finalfn);
PG_FUNCTION_INFO_V1(stickiness_cumulative_finalfn);
PG_FUNCTION_INFO_V1(retention_cells);
PG_FUNCTION_INFO_V1(lifecycle_rows);

/* ---- errors ------------------------------------------------------------------- */

static void
report_status(RetStatus st)
{
	switch (st)
	{
		case RET_OK:
			return;
		case RET_ERR_GRAIN_MISMATCH:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("activities of different grains cannot be combined"),
					 errhint("Build every activity of a computation with the same grain.")));
			break;
		case RET_ERR_PARAMS_MISMATCH:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("retention_counts of different kinds or parameters cannot be combined"),
					 errhint("Combine only states built by the same aggregate with the same arguments.")));
			break;
		case RET_ERR_SPAN:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many periods"),
					 errdetail("An activity spans at most %u periods and a retention_counts table holds at most %u cells.",
							   RET_MAX_SPAN, RET_MAX_CELLS)));
			break;
		case RET_ERR_PERIODS:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("n must be between 1 and %d", RET_MAX_PERIODS)));
			break;
		case RET_ERR_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("periods out of the range of timestamps")));
			break;
		case RET_ERR_MEMORY:
			b2b_report_memory_limit("retention_report", NULL);
			break;
		case RET_ERR_TOO_MANY_ENTITIES:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many entities in one retention_report group")));
			break;
		case RET_ERR_OVERFLOW:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("retention counts are out of range")));
			break;
		default:
			elog(ERROR, "unexpected retention status %d", (int) st);
	}
}

/* ---- arguments -------------------------------------------------------------------- */

static RetGrain
grain_arg(FunctionCallInfo fcinfo, int argno)
{
	text	   *t;
	RetGrain	grain;

	b2b_require_not_null(fcinfo, argno, "grain");
	t = PG_GETARG_TEXT_PP(argno);
	if (ret_grain_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &grain) != RET_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown grain \"%s\"", text_to_cstring(t)),
				 errhint("The grain is one of: %s.", RET_GRAIN_NAMES)));
	return grain;
}

static void
criterion_arg(FunctionCallInfo fcinfo, int argno, uint8 *option)
{
	text	   *t;

	b2b_require_not_null(fcinfo, argno, "criterion");
	t = PG_GETARG_TEXT_PP(argno);
	if (ret_criterion_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), option) != RET_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown criterion \"%s\"", text_to_cstring(t)),
				 errhint("The criterion is one of: %s.", RET_CRITERION_NAMES)));
}

static void
cohorts_arg(FunctionCallInfo fcinfo, int argno, uint8 *option)
{
	text	   *t;

	b2b_require_not_null(fcinfo, argno, "cohorts");
	t = PG_GETARG_TEXT_PP(argno);
	if (ret_cohorts_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), option) != RET_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown cohorts \"%s\"", text_to_cstring(t)),
				 errhint("The cohorts are one of: %s.", RET_COHORTS_NAMES)));
}

static uint32
n_arg(FunctionCallInfo fcinfo, int argno)
{
	int32		n;

	b2b_require_not_null(fcinfo, argno, "n");
	n = PG_GETARG_INT32(argno);
	if (n < 1 || n > RET_MAX_PERIODS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("n must be between 1 and %d", RET_MAX_PERIODS),
				 errdetail("The value given is %d.", n)));
	return (uint32) n;
}

/* ---- periods and timestamps --------------------------------------------------------- */

/* The local calendar day (0 = 2000-01-01) of a finite timestamptz, in the session time zone. */
static int32
local_day(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;

	if (timestamp2tm(ts, &tz, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE;
}

/* The period of a finite timestamp; name is the parameter's, for the error on infinity. */
static int32
period_of(RetGrain grain, TimestampTz ts, const char *name)
{
	b2b_require_finite(ts, name);
	return ret_period_of_day(grain, local_day(ts));
}

/* A range bound: infinities are before and after every period. */
static int64
period_bound(RetGrain grain, TimestampTz ts)
{
	if (TIMESTAMP_IS_NOBEGIN(ts))
		return INT64_MIN / 2;
	if (TIMESTAMP_IS_NOEND(ts))
		return INT64_MAX / 2;
	return ret_period_of_day(grain, local_day(ts));
}

/* The first local midnight of a period, as date_trunc gives it. */
static TimestampTz
period_start(RetGrain grain, int64 period)
{
	int64		day = ret_period_start_day(grain, (int32) period);
	int			overflow = 0;
	TimestampTz ts;

	if (day < RET_DAY_MIN || day > RET_DAY_MAX)
		overflow = 1;
	else
		ts = date2timestamptz_opt_overflow((DateADT) day, &overflow);
	if (overflow != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range"),
				 errdetail("The %s starts outside the range of timestamps.", ret_grain_name(grain))));
	return ts;
}

/* ---- the activity datum --------------------------------------------------------------- */

/* A varlena header, then the core's activity in host order. */
typedef struct Activity
{
	int32		vl_len_;
	uint8		grain;
	uint8		reserved[3];
	int32		first;
	uint32		span;
	uint32		reserved2;
	uint64		words[FLEXIBLE_ARRAY_MEMBER];
} Activity;

#define ACTIVITY_SIZE(span) (offsetof(Activity, words) + sizeof(uint64) * ret_activity_words(span))

static RetActivity
activity_view(Activity *a)
{
	RetActivity v = {(RetGrain) a->grain, a->first, a->span, a->words};

	return v;
}

static void
activity_store(Activity *a, const RetActivity *v)
{
	a->first = v->first;
	a->span = v->span;
}

static Activity *
activity_new(RetGrain grain, int32 first, uint32 span)
{
	Activity   *a = palloc0(ACTIVITY_SIZE(span));

	SET_VARSIZE(a, ACTIVITY_SIZE(span));
	a->grain = (uint8) grain;
	a->first = first;
	a->span = span;
	return a;
}

/*
 * An activity argument.  Our own states and values from the input functions
 * are sound; a datum whose size does not match its span is not ours.
 */
static Activity *
activity_arg(FunctionCallInfo fcinfo, int argno)
{
	Activity   *a = (Activity *) PG_GETARG_VARLENA_P(argno);

	if (VARSIZE(a) < offsetof(Activity, words) || a->grain < RET_DAY || a->grain > RET_MONTH ||
		a->span < 1 || a->span > RET_MAX_SPAN || VARSIZE(a) != ACTIVITY_SIZE(a->span))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt activity value")));
	return a;
}

static Size
activity_wire_size(const struct varlena *value)
{
	return ret_activity_wire_size(((const Activity *) value)->span);
}

static void
activity_encode(const struct varlena *value, uint8 *out)
{
	RetActivity v = activity_view((Activity *) value);

	ret_activity_encode(&v, out);
}

static const char *
activity_decode(const uint8 *in, Size len, struct varlena **value)
{
	RetActivity head;
	const char *why = ret_activity_decode(in, len, &head);
	Activity   *a;

	if (why != NULL)
		return why;
	a = activity_new(head.grain, head.first, head.span);
	head.words = a->words;
	ret_activity_decode_bits(in, &head);
	*value = (struct varlena *) a;
	return NULL;
}

static const B2bStateIO activity_io = {"activity", "activity", activity_wire_size, activity_encode, activity_decode};

B2B_STATE_TYPE_IO(activity, activity_io, activity_arg(fcinfo, 0));
B2B_STATE_TYPE_BYTEA_CASTS(activity, activity_io, activity_arg(fcinfo, 0));

/*
 * Make room in a for the span [first, first + span) and move its bits there.
 * In place when its words suffice; otherwise a new, larger value (the
 * executor copies a new transition value into its context and frees the old
 * one, so the old one is left alone here).
 */
static Activity *
activity_rebase(Activity *a, int32 first, uint32 span)
{
	RetActivity v;

	if (ret_activity_words(span) > ret_activity_words(a->span))
	{
		Activity   *grown = palloc(ACTIVITY_SIZE(span));

		memcpy(grown, a, VARSIZE(a));
		SET_VARSIZE(grown, ACTIVITY_SIZE(span));
		a = grown;
	}
	v = activity_view(a);
	ret_activity_rebase(&v, first, span);
	activity_store(a, &v);
	return a;
}

/* into with from's periods added: into itself when it has room. */
static Activity *
activity_union_into(Activity *into, const Activity *from)
{
	RetActivity iv = activity_view(into);
	RetActivity fv = activity_view((Activity *) from);
	int32		first;
	uint32		span;

	report_status(ret_activity_union_extent(&iv, &fv, &first, &span));
	if (first != into->first || span != into->span)
		into = activity_rebase(into, first, span);
	iv = activity_view(into);
	ret_activity_or(&iv, &fv);
	return into;
}

static Activity *
activity_copy(const Activity *a)
{
	Activity   *c = palloc(VARSIZE(a));

	memcpy(c, a, VARSIZE(a));
	return c;
}

/*
 * activity_agg(ts [, grain]).  The state is the activity, updated in place;
 * NULL timestamps are skipped, after the grain was checked.
 */
Datum
activity_agg_transfn(PG_FUNCTION_ARGS)
{
	RetGrain	grain = PG_NARGS() > 2 ? grain_arg(fcinfo, 2) : RET_DAY;
	Activity   *state;
	int32		period;
	RetActivity v;

	b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	period = period_of(grain, PG_GETARG_TIMESTAMPTZ(1), "ts");
	if (PG_ARGISNULL(0))
	{
		state = activity_new(grain, period, 1);
		state->words[0] = 1;
		PG_RETURN_POINTER(state);
	}
	state = (Activity *) PG_GETARG_POINTER(0);
	if (state->grain != grain)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("grain must be the same on every row of a group"),
				 errdetail("One row has %s and another %s.", ret_grain_name(state->grain), ret_grain_name(grain))));
	v = activity_view(state);
	if (period < v.first || period > ret_activity_last(&v))
	{
		int32		first;
		uint32		span;

		report_status(ret_activity_extent(&v, period, &first, &span));
		state = activity_rebase(state, first, span);
		v = activity_view(state);
	}
	ret_activity_set(&v, period);
	PG_RETURN_POINTER(state);
}

/* activity_union(activity): NULL values are skipped. */
Datum
activity_union_transfn(PG_FUNCTION_ARGS)
{
	b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(activity_copy(activity_arg(fcinfo, 1)));
	PG_RETURN_POINTER(activity_union_into((Activity *) PG_GETARG_POINTER(0), activity_arg(fcinfo, 1)));
}

/* Strict: the executor keeps a lone non-NULL state as it is. */
Datum
activity_combinefn(PG_FUNCTION_ARGS)
{
	b2b_agg_context(fcinfo);
	PG_RETURN_POINTER(activity_union_into(activity_arg(fcinfo, 0), activity_arg(fcinfo, 1)));
}

Datum
activity_union(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(activity_union_into(activity_copy(activity_arg(fcinfo, 0)), activity_arg(fcinfo, 1)));
}

/* ---- accessors ---------------------------------------------------------------------- */

Datum
activity_grain(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(ret_grain_name(activity_arg(fcinfo, 0)->grain)));
}

Datum
first_active(PG_FUNCTION_ARGS)
{
	Activity   *a = activity_arg(fcinfo, 0);

	PG_RETURN_TIMESTAMPTZ(period_start(a->grain, a->first));
}

Datum
last_active(PG_FUNCTION_ARGS)
{
	Activity   *a = activity_arg(fcinfo, 0);
	RetActivity v = activity_view(a);

	PG_RETURN_TIMESTAMPTZ(period_start(a->grain, ret_activity_last(&v)));
}

Datum
active_periods(PG_FUNCTION_ARGS)
{
	RetActivity v = activity_view(activity_arg(fcinfo, 0));

	PG_RETURN_INT32((int32) ret_activity_count(&v, v.first, ret_activity_last(&v)));
}

/* The active periods from the one containing from to the one containing to. */
Datum
active_periods_between(PG_FUNCTION_ARGS)
{
	RetActivity v = activity_view(activity_arg(fcinfo, 0));

	PG_RETURN_INT32((int32) ret_activity_count(&v, period_bound(v.grain, PG_GETARG_TIMESTAMPTZ(1)),
											   period_bound(v.grain, PG_GETARG_TIMESTAMPTZ(2))));
}

Datum
is_active(PG_FUNCTION_ARGS)
{
	RetActivity v = activity_view(activity_arg(fcinfo, 0));

	PG_RETURN_BOOL(ret_activity_has(&v, period_of(v.grain, PG_GETARG_TIMESTAMPTZ(1), "at")));
}

Datum
longest_streak(PG_FUNCTION_ARGS)
{
	RetActivity v = activity_view(activity_arg(fcinfo, 0));

	PG_RETURN_INT32((int32) ret_activity_longest_streak(&v));
}

Datum
current_streak(PG_FUNCTION_ARGS)
{
	RetActivity v = activity_view(activity_arg(fcinfo, 0));

	PG_RETURN_INT32((int32) ret_activity_streak_ending(&v, period_of(v.grain, PG_GETARG_TIMESTAMPTZ(1), "as_of")));
}

Datum
streaks(PG_FUNCTION_ARGS)
{
	RetActivity v = activity_view(activity_arg(fcinfo, 0));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	uint32		pos = 0,
				length;
	int32		start;

	InitMaterializedSRF(fcinfo, 0);
	while (ret_activity_next_run(&v, &pos, &start, &length))
	{
		Datum		values[2] = {TimestampTzGetDatum(period_start(v.grain, start)), Int32GetDatum((int32) length)};
		bool		nulls[2] = {false, false};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---- retention(VARIADIC conds boolean[]) ------------------------------------------------ */

/*
 * The state is a 10-byte bytea (ret_conditions_encode): the number of
 * conditions and the mask of those some row matched.  A concrete type, so
 * Citus combines it on its workers; the combine function validates it.
 */
static int
conditions_count(ArrayType *conds)
{
	int			n;

	if (ARR_NDIM(conds) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("retention conditions must be a one-dimensional array")));
	n = ARR_NDIM(conds) == 0 ? 0 : ARR_DIMS(conds)[0];
	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention needs at least one condition")));
	if (n > RET_MAX_CONDITIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("retention has at most %d conditions", RET_MAX_CONDITIONS),
				 errdetail("The call gives %d.", n)));
	return n;
}

/* The conditions a row matches; a NULL condition is false. */
static uint64
conditions_mask(ArrayType *conds, int n)
{
	const bool *values = (const bool *) ARR_DATA_PTR(conds);
	const bits8 *nulls = ARR_NULLBITMAP(conds);
	uint64		mask = 0;
	int			v = 0;

	if (nulls == NULL)
		return ret_conditions_mask(values, n);
	/* Data holds only the non-NULL elements. */
	for (int i = 0; i < n; i++)
		if ((nulls[i / 8] & (1 << (i % 8))) && values[v++])
			mask |= UINT64_C(1) << i;
	return mask;
}

static void
conditions_state(bytea *state, uint8 *n, uint64 *seen)
{
	const char *why = ret_conditions_decode((const uint8 *) VARDATA_ANY(state), VARSIZE_ANY_EXHDR(state), n, seen);

	if (why != NULL)
		b2b_report_bad_bytes("retention state", why);
}

static void
different_conditions(int a, int b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("the number of retention conditions must be the same on every row of a group"),
			 errdetail("One row has %d and another %d.", a, b)));
}

Datum
retention_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	ArrayType  *conds;
	int			n;
	uint64		mask;
	bytea	   *state;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	conds = PG_GETARG_ARRAYTYPE_P(1);
	n = conditions_count(conds);
	mask = conditions_mask(conds, n);
	if (PG_ARGISNULL(0))
	{
		state = MemoryContextAlloc(aggcontext, VARHDRSZ + RET_CONDITIONS_STATE_SIZE);
		SET_VARSIZE(state, VARHDRSZ + RET_CONDITIONS_STATE_SIZE);
		ret_conditions_encode((uint8) n, mask, (uint8 *) VARDATA(state));
	}
	else
	{
		/* Our own state, written by the branch above. */
		uint8	   *bytes;

		state = (bytea *) PG_GETARG_POINTER(0);
		bytes = (uint8 *) VARDATA(state);
		if (bytes[1] != n)
			different_conditions(bytes[1], n);
		if ((b2b_get_u64(bytes + 2) | mask) != b2b_get_u64(bytes + 2))
			b2b_put_u64(bytes + 2, b2b_get_u64(bytes + 2) | mask);
	}
	PG_RETURN_POINTER(state);
}

Datum
retention_combinefn(PG_FUNCTION_ARGS)
{
	bytea	   *into = PG_GETARG_BYTEA_PP(0);
	bytea	   *from = PG_GETARG_BYTEA_PP(1);
	uint8		n_into,
				n_from;
	uint64		seen_into,
				seen_from;
	bytea	   *out;

	b2b_agg_context(fcinfo);
	conditions_state(into, &n_into, &seen_into);
	conditions_state(from, &n_from, &seen_from);
	if (n_into != n_from)
		different_conditions(n_into, n_from);
	out = palloc(VARHDRSZ + RET_CONDITIONS_STATE_SIZE);
	SET_VARSIZE(out, VARHDRSZ + RET_CONDITIONS_STATE_SIZE);
	ret_conditions_encode(n_into, seen_into | seen_from, (uint8 *) VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

Datum
retention_finalfn(PG_FUNCTION_ARGS)
{
	uint8		n;
	uint64		seen;
	int32		r[RET_MAX_CONDITIONS];
	Datum		elems[RET_MAX_CONDITIONS];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	conditions_state(PG_GETARG_BYTEA_PP(0), &n, &seen);
	ret_retention_result(seen, n, r);
	for (int i = 0; i < n; i++)
		elems[i] = Int32GetDatum(r[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, INT4OID, sizeof(int32), true, TYPALIGN_INT));
}

/* ---- retention_report(entity, VARIADIC conds) ------------------------------------------- */

/* Per call site: the entity's kind and the memory budget of all the groups. */
typedef struct ReportArgs
{
	bool		have_kind;
	int			entity_kind;
	EngMemory  *budget;
} ReportArgs;

static ReportArgs *
report_args(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ReportArgs));
	return (ReportArgs *) fcinfo->flinfo->fn_extra;
}

static RetReport *
report_new(FunctionCallInfo fcinfo, MemoryContext aggcontext, uint8 nconds)
{
	ReportArgs *args = report_args(fcinfo);
	RetReport  *r = MemoryContextAllocZero(aggcontext, sizeof(RetReport));

	ret_report_init(r, nconds, b2b_engine_memory(fcinfo, aggcontext, &args->budget));
	return r;
}

Datum
retention_report_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	ReportArgs *args = report_args(fcinfo);
	RetReport  *r = PG_ARGISNULL(0) ? NULL : (RetReport *) PG_GETARG_POINTER(0);
	ArrayType  *conds;
	int			n;
	uint8		buf[8];
	const uint8 *key;
	uint32		key_len;

	if (!args->have_kind)
	{
		args->entity_kind = b2b_entity_kind(fcinfo, 1, "retention_report");
		args->have_kind = true;
	}
	if (PG_ARGISNULL(2))
		PG_RETURN_POINTER(r);
	conds = PG_GETARG_ARRAYTYPE_P(2);
	n = conditions_count(conds);
	if (r == NULL)
		r = report_new(fcinfo, aggcontext, (uint8) n);
	else if (r->nconds != n)
		different_conditions(r->nconds, n);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(r);
	key_len = b2b_entity_key(args->entity_kind, PG_GETARG_DATUM(1), buf, &key, "retention_report");
	report_status(ret_report_add(r, key, key_len, conditions_mask(conds, n)));
	PG_RETURN_POINTER(r);
}

Datum
retention_report_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	RetReport  *into = PG_ARGISNULL(0) ? NULL : (RetReport *) PG_GETARG_POINTER(0);
	RetReport  *from = PG_ARGISNULL(1) ? NULL : (RetReport *) PG_GETARG_POINTER(1);

	if (from == NULL)
		PG_RETURN_POINTER(into);
	if (into == NULL)
		into = report_new(fcinfo, aggcontext, from->nconds);
	else if (into->nconds != from->nconds)
		different_conditions(into->nconds, from->nconds);
	report_status(ret_report_combine(into, from));
	PG_RETURN_POINTER(into);
}

Datum
retention_report_serialfn(PG_FUNCTION_ARGS)
{
	RetReport  *r = (RetReport *) PG_GETARG_POINTER(0);
	uint8	   *data;
	bytea	   *out = b2b_bytea_new(ret_report_serial_size(r), &data);

	ret_report_serialize(r, data);
	PG_RETURN_BYTEA_P(out);
}

Datum
retention_report_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	RetReport  *r = palloc0(sizeof(RetReport));
	RetStatus	st = ret_report_deserialize(r, (const uint8 *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in),
											b2b_engine_memory_unbounded(CurrentMemoryContext));

	if (st == RET_ERR_CONDITIONS)
		b2b_report_bad_bytes("retention_report state",
							 "A retention_report state is a version byte (1), the number of conditions (1 to 64), "
							 "the entities and one mask per entity without bits beyond the conditions.");
	report_status(st);
	PG_RETURN_POINTER(r);
}

/* Element k: the entities whose retention() element k is 1; NULL for no rows. */
Datum
retention_report_finalfn(PG_FUNCTION_ARGS)
{
	RetReport  *r;
	int64		sums[RET_MAX_CONDITIONS];
	Datum		elems[RET_MAX_CONDITIONS];

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	r = (RetReport *) PG_GETARG_POINTER(0);
	ret_report_sums(r, sums);
	for (int k = 0; k < r->nconds; k++)
		elems[k] = Int64GetDatum(sums[k]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, r->nconds, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* ---- the retention_counts datum ------------------------------------------------------------ */

typedef struct Counts
{
	int32		vl_len_;
	uint8		kind;
	uint8		grain;
	uint8		option;
	uint8		reserved;
	int32		first;
	uint32		nrows;
	uint32		ncols;
	int64		cells[FLEXIBLE_ARRAY_MEMBER];
} Counts;

#define COUNTS_SIZE(nrows, ncols) (offsetof(Counts, cells) + sizeof(int64) * (Size) (nrows) * (ncols))

static RetCounts
counts_view(Counts *c)
{
	RetCounts	v = {(RetKind) c->kind, (RetGrain) c->grain, c->option, c->first, c->nrows, c->ncols, c->cells};

	return v;
}

static Counts *
counts_new(RetKind kind, RetGrain grain, uint8 option, int32 first, uint32 nrows, uint32 ncols)
{
	Counts	   *c = palloc0(COUNTS_SIZE(nrows, ncols));

	SET_VARSIZE(c, COUNTS_SIZE(nrows, ncols));
	c->kind = (uint8) kind;
	c->grain = (uint8) grain;
	c->option = option;
	c->first = first;
	c->nrows = nrows;
	c->ncols = ncols;
	return c;
}

static Counts *
counts_arg(FunctionCallInfo fcinfo, int argno)
{
	Counts	   *c = (Counts *) PG_GETARG_VARLENA_P(argno);

	if (VARSIZE(c) < offsetof(Counts, cells) || c->kind < RET_COHORT || c->kind > RET_STICKINESS ||
		c->grain < RET_DAY || c->grain > RET_MONTH || c->ncols < 1 ||
		(uint64) c->nrows * c->ncols > RET_MAX_CELLS || VARSIZE(c) != COUNTS_SIZE(c->nrows, c->ncols))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt retention_counts value")));
	return c;
}

static Size
counts_wire_size(const struct varlena *value)
{
	const Counts *c = (const Counts *) value;

	return ret_counts_wire_size(c->nrows, c->ncols);
}

static void
counts_encode(const struct varlena *value, uint8 *out)
{
	RetCounts	v = counts_view((Counts *) value);

	ret_counts_encode(&v, out);
}

static const char *
counts_decode(const uint8 *in, Size len, struct varlena **value)
{
	RetCounts	head;
	const char *why = ret_counts_decode(in, len, &head);
	Counts	   *c;

	if (why != NULL)
		return why;
	c = counts_new(head.kind, head.grain, head.option, head.first, head.nrows, head.ncols);
	head.cells = c->cells;
	ret_counts_decode_cells(in, &head);
	*value = (struct varlena *) c;
	return NULL;
}

static const B2bStateIO counts_io = {"retention_counts", "retention", counts_wire_size, counts_encode, counts_decode};

B2B_STATE_TYPE_IO(retention_counts, counts_io, counts_arg(fcinfo, 0));
B2B_STATE_TYPE_BYTEA_CASTS(retention_counts, counts_io, counts_arg(fcinfo, 0));

/* A cohort table that also holds the rows [lo, hi]: c itself when they are there. */
static Counts *
counts_cover(Counts *c, int32 lo, int32 hi)
{
	RetCounts	v = counts_view(c);
	int32		first;
	uint32		nrows;
	Counts	   *grown;

	if (lo >= c->first && (int64) hi < (int64) c->first + c->nrows)
		return c;
	report_status(ret_counts_cohort_extent(&v, lo, hi, &first, &nrows));
	grown = palloc(COUNTS_SIZE(nrows, c->ncols));
	memcpy(grown, c, VARSIZE(c));
	SET_VARSIZE(grown, COUNTS_SIZE(nrows, c->ncols));
	v = counts_view(grown);
	ret_counts_rebase(&v, first, nrows);
	grown->first = v.first;
	grown->nrows = v.nrows;
	return grown;
}

static void
different_parameters(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("n, criterion, cohorts, from and the grain must be the same on every row of a group")));
}

/*
 * cohort_retention(start, return, n [, criterion [, cohorts]]): entities
 * without a start activity are skipped, after the parameters were checked.
 */
Datum
cohort_retention_transfn(PG_FUNCTION_ARGS)
{
	uint32		n = n_arg(fcinfo, 3);
	uint8		option = 0;
	Counts	   *state;
	Activity   *start;
	Activity   *ret = NULL;
	RetActivity sv,
				rv;
	RetCounts	v;

	b2b_agg_context(fcinfo);
	if (PG_NARGS() > 4)
		criterion_arg(fcinfo, 4, &option);
	if (PG_NARGS() > 5)
		cohorts_arg(fcinfo, 5, &option);
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	start = activity_arg(fcinfo, 1);
	sv = activity_view(start);
	if (!PG_ARGISNULL(2))
	{
		ret = activity_arg(fcinfo, 2);
		rv = activity_view(ret);
	}
	if (PG_ARGISNULL(0))
	{
		report_status(ret_counts_check_shape(RET_COHORT, sv.grain, sv.first, 1, n));
		state = counts_new(RET_COHORT, sv.grain, option, sv.first, 1, ret_counts_columns(RET_COHORT, n));
	}
	else
	{
		state = (Counts *) PG_GETARG_POINTER(0);
		if (state->option != option || state->ncols != ret_counts_columns(RET_COHORT, n))
			different_parameters();
	}
	state = counts_cover(state, sv.first, (option & RET_RECURRING) ? ret_activity_last(&sv) : sv.first);
	v = counts_view(state);
	report_status(ret_cohort_add(&v, &sv, ret ? &rv : NULL));
	PG_RETURN_POINTER(state);
}

/* lifecycle(a, from, n) and stickiness(a, from, n): a fixed range of periods from the one containing from. */
static Datum
range_transfn(FunctionCallInfo fcinfo, RetKind kind)
{
	uint32		n = n_arg(fcinfo, 3);
	TimestampTz from;
	Counts	   *state;
	RetActivity av;
	RetCounts	v;
	int32		first;

	b2b_agg_context(fcinfo);
	b2b_require_not_null(fcinfo, 2, "from");
	from = PG_GETARG_TIMESTAMPTZ(2);
	b2b_require_finite(from, "from");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	av = activity_view(activity_arg(fcinfo, 1));
	first = period_of(av.grain, from, "from");
	if (PG_ARGISNULL(0))
	{
		uint32		nrows = kind == RET_LIFECYCLE ? n : 1;

		report_status(ret_counts_check_shape(kind, av.grain, first, nrows, n));
		state = counts_new(kind, av.grain, 0, first, nrows, ret_counts_columns(kind, n));
	}
	else
	{
		state = (Counts *) PG_GETARG_POINTER(0);
		v = counts_view(state);
		if (state->grain != av.grain)
			report_status(RET_ERR_GRAIN_MISMATCH);
		if (state->first != first || ret_counts_n(&v) != n)
			different_parameters();
	}
	v = counts_view(state);
	report_status(kind == RET_LIFECYCLE ? ret_lifecycle_add(&v, &av) : ret_stickiness_add(&v, &av));
	PG_RETURN_POINTER(state);
}

Datum
lifecycle_transfn(PG_FUNCTION_ARGS)
{
	return range_transfn(fcinfo, RET_LIFECYCLE);
}

Datum
stickiness_transfn(PG_FUNCTION_ARGS)
{
	return range_transfn(fcinfo, RET_STICKINESS);
}

static Counts *
counts_union_into(Counts *into, const Counts *from)
{
	RetCounts	iv = counts_view(into);
	RetCounts	fv = counts_view((Counts *) from);

	if (!ret_counts_compatible(&iv, &fv))
		report_status(RET_ERR_PARAMS_MISMATCH);
	if (into->kind == RET_COHORT)
	{
		into = counts_cover(into, from->first, (int32) ((int64) from->first + from->nrows - 1));
		iv = counts_view(into);
	}
	report_status(ret_counts_add(&iv, &fv));
	return into;
}

Datum
retention_counts_union_transfn(PG_FUNCTION_ARGS)
{
	Counts	   *from;
	Counts	   *copy;

	b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	from = counts_arg(fcinfo, 1);
	if (!PG_ARGISNULL(0))
		PG_RETURN_POINTER(counts_union_into((Counts *) PG_GETARG_POINTER(0), from));
	copy = palloc(VARSIZE(from));
	memcpy(copy, from, VARSIZE(from));
	PG_RETURN_POINTER(copy);
}

Datum
retention_counts_combinefn(PG_FUNCTION_ARGS)
{
	b2b_agg_context(fcinfo);
	PG_RETURN_POINTER(counts_union_into(counts_arg(fcinfo, 0), counts_arg(fcinfo, 1)));
}

static Counts *
counts_of_kind(FunctionCallInfo fcinfo, int argno, RetKind kind, const char *what)
{
	Counts	   *c = counts_arg(fcinfo, argno);

	if (c->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("this retention_counts value is not %s", what)));
	return c;
}

static Datum
stickiness_array(FunctionCallInfo fcinfo, bool cumulative)
{
	Counts	   *c;
	Datum	   *elems;
	int64		sum = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	c = counts_of_kind(fcinfo, 0, RET_STICKINESS, "a stickiness state");
	elems = palloc(sizeof(Datum) * c->ncols);
	for (int k = c->ncols - 1; k >= 0; k--)
	{
		if (pg_add_s64_overflow(sum, c->cells[k], &sum))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("retention counts are out of range"),
					 errdetail("The entities of a stickiness value add up beyond the range of bigint.")));
		elems[k] = Int64GetDatum(cumulative ? sum : c->cells[k]);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, c->ncols, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

Datum
stickiness_finalfn(PG_FUNCTION_ARGS)
{
	return stickiness_array(fcinfo, false);
}

Datum
stickiness_cumulative_finalfn(PG_FUNCTION_ARGS)
{
	return stickiness_array(fcinfo, true);
}

/*
 * retention_cells(counts, as_of): a row per cohort with entities and offset
 * 0..n.  A cell whose period starts after as_of is not eligible: no retained
 * count, no rate.
 */
Datum
retention_cells(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Counts	   *c;
	RetCounts	v;
	int64		as_of_period;
	uint32		n;

	b2b_require_not_null(fcinfo, 1, "as_of");
	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	c = counts_of_kind(fcinfo, 0, RET_COHORT, "a cohort_retention state");
	v = counts_view(c);
	n = ret_counts_n(&v);
	as_of_period = period_bound(v.grain, PG_GETARG_TIMESTAMPTZ(1));
	for (uint32 row = 0; row < v.nrows; row++)
	{
		int64	   *cells = ret_counts_row(&v, row);
		int64		cohort = (int64) v.first + row;
		TimestampTz cohort_ts;

		if (cells[0] == 0)
			continue;
		cohort_ts = period_start(v.grain, cohort);
		for (uint32 k = 0; k <= n; k++)
		{
			bool		eligible = cohort + k <= as_of_period;
			Datum		values[6];
			bool		nulls[6] = {false, false, false, !eligible, false, !eligible};

			values[0] = TimestampTzGetDatum(cohort_ts);
			values[1] = Int32GetDatum((int32) k);
			values[2] = Int64GetDatum(cells[0]);
			values[3] = Int64GetDatum(cells[1 + k]);
			values[4] = Int64GetDatum(eligible ? cells[0] : 0);
			values[5] = Float8GetDatum((double) cells[1 + k] / (double) cells[0]);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

Datum
lifecycle_rows(PG_FUNCTION_ARGS)
{
	Counts	   *c = counts_of_kind(fcinfo, 0, RET_LIFECYCLE, "a lifecycle state");
	RetCounts	v = counts_view(c);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (uint32 row = 0; row < v.nrows; row++)
	{
		int64	   *cells = ret_counts_row(&v, row);
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		values[0] = TimestampTzGetDatum(period_start(v.grain, (int64) v.first + row));
		for (int i = 0; i < RET_LIFECYCLE_COLUMNS; i++)
			values[1 + i] = Int64GetDatum(cells[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
