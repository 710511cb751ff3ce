/*
 * funnel_pg.c
 *		SQL glue of the funnel family: the funnel_step and funnel_counts
 *		aggregates.  The computation itself is in funnel.c.
 *
 * funnel_step keeps, per group, a FunnelState (see funnel.h) in the
 * aggregate's memory context: a header and the matching rows, grown by
 * doubling.  Rows matching no step or with a NULL time are not stored, so
 * memory is proportional to the matching rows.  The window, the mode and the
 * number of steps are parsed and checked on every row against a per-call
 * cache (fn_extra), so a constant costs a memcmp; they must be the same on
 * every row of a group.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "funnel.h"

PG_FUNCTION_INFO_V1(funnel_step_transfn);
PG_FUNCTION_INFO_V1(funnel_step_mode_transfn);
PG_FUNCTION_INFO_V1(funnel_step_finalfn);
PG_FUNCTION_INFO_V1(funnel_step_combinefn);
PG_FUNCTION_INFO_V1(funnel_step_serialfn);
PG_FUNCTION_INFO_V1(funnel_step_deserialfn);
PG_FUNCTION_INFO_V1(funnel_counts_transfn);
PG_FUNCTION_INFO_V1(funnel_counts_finalfn);
PG_FUNCTION_INFO_V1(funnel_counts_combinefn);
PG_FUNCTION_INFO_V1(funnel_counts_serialfn);
PG_FUNCTION_INFO_V1(funnel_counts_deserialfn);

/*
 * Capacities of the form 2^k - 2 make a state fill a power-of-two chunk of
 * the allocator exactly (funnel.h); the first holds two rows in 64 bytes.
 */
#define INITIAL_CAPACITY 2

StaticAssertDecl(sizeof(FunnelState) == 32 && sizeof(FunnelEvent) == 16,
				 "funnel state layout assumed by the capacity steps");

/* ---- funnel_step ---------------------------------------------------------- */

/* What the last row's window and mode arguments parsed to. */
typedef struct FunnelArgCache
{
	bool		have_window;
	Interval	window_arg;
	int64		window;
	bool		have_mode;
	uint32		modes;
	int			mode_len;
	char	   *mode_text;		/* in fn_mcxt */
} FunnelArgCache;

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *name)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in a non-aggregate context", name)));
	return aggcontext;
}

static FunnelArgCache *
arg_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(FunnelArgCache));
	return (FunnelArgCache *) fcinfo->flinfo->fn_extra;
}

/* The window in microseconds: positive, no months, a day is 24 hours. */
static int64
window_microseconds(const Interval *window)
{
	int64		days_us;
	int64		total;

	if (window->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel window must not contain months or years"),
				 errdetail("The window is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out,
															   IntervalPGetDatum(window)))),
				 errhint("Months vary in length; give the window in days, e.g. '30 days'.")));
	if (pg_mul_s64_overflow((int64) window->day, USECS_PER_DAY, &days_us) ||
		pg_add_s64_overflow(days_us, window->time, &total))
		ereport(ERROR,
				(errcode(ERRCODE_INTERVAL_FIELD_OVERFLOW),
				 errmsg("funnel window is out of range")));
	if (total <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel window must be positive"),
				 errdetail("The window is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out,
															   IntervalPGetDatum(window))))));
	return total;
}

static int64
window_arg(FunctionCallInfo fcinfo, FunnelArgCache *cache, int argno)
{
	Interval   *window;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("funnel window must not be NULL")));
	window = PG_GETARG_INTERVAL_P(argno);
	if (!cache->have_window || memcmp(window, &cache->window_arg, sizeof(Interval)) != 0)
	{
		cache->window = window_microseconds(window);
		cache->window_arg = *window;
		cache->have_window = true;
	}
	return cache->window;
}

static uint32
mode_arg(FunctionCallInfo fcinfo, FunnelArgCache *cache, int argno)
{
	text	   *mode;
	const char *chars;
	int			len;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("funnel mode must not be NULL"),
				 errhint("Use 'default' for the default mode.")));
	mode = PG_GETARG_TEXT_PP(argno);
	chars = VARDATA_ANY(mode);
	len = VARSIZE_ANY_EXHDR(mode);
	if (!cache->have_mode || len != cache->mode_len ||
		memcmp(chars, cache->mode_text, len) != 0)
	{
		uint32		modes;
		const char *bad;
		size_t		bad_len;

		if (!funnel_parse_modes(chars, len, &modes, &bad, &bad_len))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown funnel mode \"%.*s\"", (int) bad_len, bad),
					 errdetail("Valid modes are: %s.", FUNNEL_MODE_NAMES),
					 errhint("Combine modes as a comma-separated list, e.g. 'strict_order,strict_increase'.")));
		if (cache->mode_text != NULL)
			pfree(cache->mode_text);
		cache->mode_text = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len + 1);
		memcpy(cache->mode_text, chars, len);
		cache->mode_len = len;
		cache->modes = modes;
		cache->have_mode = true;
	}
	return cache->modes;
}

/* The step array's length (1..32), erroring on anything else. */
static int
step_count(ArrayType *steps)
{
	int			n;

	if (ARR_NDIM(steps) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("funnel steps must be a one-dimensional array")));
	n = ARR_NDIM(steps) == 0 ? 0 : ARR_DIMS(steps)[0];
	if (n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a funnel needs at least one step")));
	if (n > FUNNEL_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a funnel has at most %d steps, not %d", FUNNEL_MAX_STEPS, n)));
	return n;
}

/* The steps a row matches, as a bit mask; a NULL condition is false. */
static uint32
step_mask(ArrayType *steps, int n)
{
	const bool *values = (const bool *) ARR_DATA_PTR(steps);
	const bits8 *nulls = ARR_NULLBITMAP(steps);
	uint32		mask = 0;
	int			i,
				v = 0;

	/* Data holds only the non-NULL elements, one byte each. */
	for (i = 0; i < n; i++)
	{
		if (nulls != NULL && !(nulls[i / 8] & (1 << (i % 8))))
			continue;
		if (values[v++])
			mask |= UINT32_C(1) << i;
	}
	return mask;
}

static FunnelState *
new_state(MemoryContext context, uint32 capacity, const FunnelSpec *spec)
{
	FunnelState *state = MemoryContextAllocHuge(context, funnel_state_size(capacity));

	funnel_state_init(state, capacity);
	state->spec = *spec;
	return state;
}

/* Make room for "more" further events; may move the state. */
static FunnelState *
reserve(FunnelState *state, uint64 more)
{
	uint64		need = (uint64) state->count + more;
	uint64		capacity = state->capacity;

	if (need <= capacity)
		return state;
	if (need > FUNNEL_MAX_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many matching rows in one funnel_step group"),
				 errdetail("At most %u are supported.", FUNNEL_MAX_EVENTS)));
	while (capacity < need)
		capacity = Min(2 * capacity + 2, (uint64) FUNNEL_MAX_EVENTS);
	state = repalloc_huge(state, funnel_state_size((uint32) capacity));
	state->capacity = capacity;
	return state;
}

static void
check_same_spec(const FunnelSpec *have, const FunnelSpec *row)
{
	if (have->nsteps != row->nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_step got %d steps on one row and %d on another of the same group",
						have->nsteps, row->nsteps)));
	if (have->window != row->window)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel window must be the same on every row of a group")));
	if (have->modes != row->modes)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel mode must be the same on every row of a group")));
}

static Datum
add_row(FunctionCallInfo fcinfo, int mode_argno, int steps_argno)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "funnel_step");
	FunnelArgCache *cache = arg_cache(fcinfo);
	FunnelState *state = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	ArrayType  *steps;
	FunnelSpec	spec;
	uint32		mask;

	if (PG_ARGISNULL(steps_argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("funnel steps must not be a NULL array")));
	steps = PG_GETARG_ARRAYTYPE_P(steps_argno);
	spec.nsteps = step_count(steps);
	spec.window = window_arg(fcinfo, cache, 2);
	spec.modes = mode_argno < 0 ? 0 : mode_arg(fcinfo, cache, mode_argno);

	if (state == NULL)
		state = new_state(aggcontext, INITIAL_CAPACITY, &spec);
	else
		check_same_spec(&state->spec, &spec);

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	mask = step_mask(steps, spec.nsteps);
	if (mask == 0)
		PG_RETURN_POINTER(state);
	state = reserve(state, 1);
	funnel_append(state, PG_GETARG_TIMESTAMPTZ(1), mask);
	PG_RETURN_POINTER(state);
}

/* funnel_step(ts, window, VARIADIC steps) */
Datum
funnel_step_transfn(PG_FUNCTION_ARGS)
{
	return add_row(fcinfo, -1, 3);
}

/* funnel_step(ts, window, mode, VARIADIC steps) */
Datum
funnel_step_mode_transfn(PG_FUNCTION_ARGS)
{
	return add_row(fcinfo, 3, 4);
}

/*
 * The level of the group.  Rows that arrived out of time order are sorted in
 * a copy: the state is never modified, as FINALFUNC_MODIFY = READ_ONLY says,
 * so window frames and shared states may call this again and add more rows.
 */
Datum
funnel_step_finalfn(PG_FUNCTION_ARGS)
{
	FunnelState *state;
	int			level;

	aggregate_context(fcinfo, "funnel_step");
	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	state = (FunnelState *) PG_GETARG_POINTER(0);
	if (state->sorted)
		PG_RETURN_INT32(funnel_level(state->events, state->count, &state->spec));

	state = memcpy(MemoryContextAllocHuge(CurrentMemoryContext, funnel_state_size(state->count)),
				   state, funnel_state_size(state->count));
	state->capacity = state->count;
	funnel_normalize(state);
	level = funnel_level(state->events, state->count, &state->spec);
	pfree(state);
	PG_RETURN_INT32(level);
}

Datum
funnel_step_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "funnel_step");
	FunnelState *into = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	FunnelState *from = PG_ARGISNULL(1) ? NULL : (FunnelState *) PG_GETARG_POINTER(1);

	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)
		into = new_state(aggcontext, Max(from->count, INITIAL_CAPACITY), &from->spec);
	else
		check_same_spec(&into->spec, &from->spec);
	into = reserve(into, from->count);
	funnel_append_all(into, from);
	PG_RETURN_POINTER(into);
}

Datum
funnel_step_serialfn(PG_FUNCTION_ARGS)
{
	FunnelState *state = (FunnelState *) PG_GETARG_POINTER(0);
	size_t		size = funnel_serial_size(state->count);
	bytea	   *out;

	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("funnel_step state too large to pass between parallel workers"),
				 errhint("Disable parallel aggregation for this query.")));
	out = palloc(VARHDRSZ + size);
	SET_VARSIZE(out, VARHDRSZ + size);
	funnel_serialize(state, (unsigned char *) VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

Datum
funnel_step_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const unsigned char *bytes = (const unsigned char *) VARDATA_ANY(in);
	FunnelSpec	spec;
	uint32		count;
	const char *problem;
	FunnelState *state;

	problem = funnel_check_serial(bytes, VARSIZE_ANY_EXHDR(in), &spec, &count);
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid funnel_step state: %s", problem)));
	state = new_state(CurrentMemoryContext, Max(count, INITIAL_CAPACITY), &spec);
	funnel_deserialize(bytes, state);
	PG_RETURN_POINTER(state);
}

/* ---- funnel_counts ------------------------------------------------------- */

/* Number of groups at each exact level 0..nsteps. */
typedef struct FunnelCounts
{
	int32		nsteps;
	int64		at_level[FUNNEL_MAX_STEPS + 1];
} FunnelCounts;

Datum
funnel_counts_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "funnel_counts");
	FunnelCounts *counts = PG_ARGISNULL(0) ? NULL : (FunnelCounts *) PG_GETARG_POINTER(0);
	int32		nsteps;
	int32		level;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("funnel_counts nsteps must not be NULL")));
	nsteps = PG_GETARG_INT32(2);
	if (nsteps < 1 || nsteps > FUNNEL_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_counts nsteps must be between 1 and %d, not %d",
						FUNNEL_MAX_STEPS, nsteps)));
	if (counts == NULL)
	{
		counts = MemoryContextAllocZero(aggcontext, sizeof(FunnelCounts));
		counts->nsteps = nsteps;
	}
	else if (counts->nsteps != nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_counts got nsteps %d on one row and %d on another of the same group",
						counts->nsteps, nsteps)));
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(counts);
	level = PG_GETARG_INT32(1);
	if (level < 0 || level > nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("funnel level %d is out of range for a %d-step funnel", level, nsteps),
				 errdetail("A level is between 0 and nsteps.")));
	counts->at_level[level]++;
	PG_RETURN_POINTER(counts);
}

/* Element k (1-based) is the number of groups with level >= k. */
Datum
funnel_counts_finalfn(PG_FUNCTION_ARGS)
{
	FunnelCounts *counts;
	Datum		elements[FUNNEL_MAX_STEPS];
	int64		reached = 0;
	int			k;

	aggregate_context(fcinfo, "funnel_counts");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	counts = (FunnelCounts *) PG_GETARG_POINTER(0);
	for (k = counts->nsteps; k >= 1; k--)
	{
		reached += counts->at_level[k];
		elements[k - 1] = Int64GetDatum(reached);
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(elements, counts->nsteps, INT8OID,
										  sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

Datum
funnel_counts_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = aggregate_context(fcinfo, "funnel_counts");
	FunnelCounts *into = PG_ARGISNULL(0) ? NULL : (FunnelCounts *) PG_GETARG_POINTER(0);
	FunnelCounts *from = PG_ARGISNULL(1) ? NULL : (FunnelCounts *) PG_GETARG_POINTER(1);
	int			k;

	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)
	{
		into = MemoryContextAlloc(aggcontext, sizeof(FunnelCounts));
		memcpy(into, from, sizeof(FunnelCounts));
		PG_RETURN_POINTER(into);
	}
	if (into->nsteps != from->nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel_counts got nsteps %d on one row and %d on another of the same group",
						into->nsteps, from->nsteps)));
	for (k = 0; k <= FUNNEL_MAX_STEPS; k++)
		into->at_level[k] += from->at_level[k];
	PG_RETURN_POINTER(into);
}

Datum
funnel_counts_serialfn(PG_FUNCTION_ARGS)
{
	FunnelCounts *counts = (FunnelCounts *) PG_GETARG_POINTER(0);
	bytea	   *out = palloc(VARHDRSZ + sizeof(FunnelCounts));

	SET_VARSIZE(out, VARHDRSZ + sizeof(FunnelCounts));
	memcpy(VARDATA(out), counts, sizeof(FunnelCounts));
	PG_RETURN_BYTEA_P(out);
}

Datum
funnel_counts_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	FunnelCounts *counts;
	int			k;

	if (VARSIZE_ANY_EXHDR(in) != sizeof(FunnelCounts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid funnel_counts state: wrong length")));
	counts = palloc(sizeof(FunnelCounts));
	memcpy(counts, VARDATA_ANY(in), sizeof(FunnelCounts));
	if (counts->nsteps < 1 || counts->nsteps > FUNNEL_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid funnel_counts state: nsteps out of range")));
	for (k = 0; k <= FUNNEL_MAX_STEPS; k++)
		if (counts->at_level[k] < 0 || (k > counts->nsteps && counts->at_level[k] != 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid funnel_counts state: bad count")));
	PG_RETURN_POINTER(counts);
}
