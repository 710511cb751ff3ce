/*
 * funnel_pg.c
 *		SQL glue of the funnel family: funnel_step, funnel_counts (and its
 *		funnel_levels state type), funnel_report and funnel_steps.  The
 *		computation is in funnel.c, report.c and the engine.
 *
 * funnel_step's state is internal (a FunnelState in the aggregate context;
 * it holds the group's rows, which no bound limits), with serialize and
 * deserialize for parallel plans.  funnel_counts' state is the concrete type
 * funnel_levels (a count per level), which Citus combines on its workers.
 * funnel_report's state is internal too: the entities and rows of the whole
 * group, within work_mem x hash_mem_multiplier for all the groups of one
 * aggregate together.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/pg_locale.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

#include "nodes/nodeFuncs.h"

#include "common/b2b_pg.h"
#include "common/bytes.h"
#include "engine/engine_pg.h"
#include "funnel/funnel.h"

PG_FUNCTION_INFO_V1(funnel_step_transfn);
PG_FUNCTION_INFO_V1(funnel_step_mode_transfn);
PG_FUNCTION_INFO_V1(funnel_step_finalfn);
PG_FUNCTION_INFO_V1(funnel_step_combinefn);
PG_FUNCTION_INFO_V1(funnel_step_serialfn);
PG_FUNCTION_INFO_V1(funnel_step_deserialfn);
PG_FUNCTION_INFO_V1(funnel_levels_transfn);
PG_FUNCTION_INFO_V1(funnel_levels_combinefn);
PG_FUNCTION_INFO_V1(funnel_levels_finalfn);
PG_FUNCTION_INFO_V1(funnel_report_transfn);
PG_FUNCTION_INFO_V1(funnel_report_mode_transfn);
PG_FUNCTION_INFO_V1(funnel_report_finalfn);
PG_FUNCTION_INFO_V1(funnel_report_combinefn);
PG_FUNCTION_INFO_V1(funnel_report_serialfn);
PG_FUNCTION_INFO_V1(funnel_report_deserialfn);
PG_FUNCTION_INFO_V1(funnel_steps);

/* ---- arguments ------------------------------------------------------------------ */

/* What the last row's window and mode arguments parsed to, per call site. */
typedef struct FunnelArgs
{
	bool		have_window;
	Interval	window_arg;
	int64		window;
	bool		have_mode;
	uint32		modes;
	int			mode_len;
	char	   *mode_text;		/* in fn_mcxt */
	int			ordered;		/* -1 unknown; 1 when ORDER BY guarantees the order the state needs */
	/* funnel_report */
	int			entity_kind;	/* EntityKind */
	EngMemory  *budget;			/* shared by the reports of this call site */
} FunnelArgs;

static FunnelArgs *
funnel_args(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
	{
		FunnelArgs *args = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(FunnelArgs));

		args->ordered = -1;
		fcinfo->flinfo->fn_extra = args;
	}
	return (FunnelArgs *) fcinfo->flinfo->fn_extra;
}

static int64
window_arg(FunctionCallInfo fcinfo, FunnelArgs *args, int argno)
{
	Interval   *window;

	b2b_require_not_null(fcinfo, argno, "funnel window");
	window = PG_GETARG_INTERVAL_P(argno);
	if (!args->have_window || memcmp(window, &args->window_arg, sizeof(Interval)) != 0)
	{
		args->window = b2b_interval_usec(window, "funnel window");
		args->window_arg = *window;
		args->have_window = true;
	}
	return args->window;
}

static uint32
mode_arg(FunctionCallInfo fcinfo, FunnelArgs *args, int argno)
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
	if (!args->have_mode || len != args->mode_len || memcmp(chars, args->mode_text, len) != 0)
	{
		uint32		modes;
		const char *bad;
		size_t		bad_len;

		switch (funnel_parse_modes(chars, len, &modes, &bad, &bad_len))
		{
			case FUNNEL_OK:
				break;
			case FUNNEL_ERR_EMPTY_MODE:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("funnel mode list has an empty entry"),
						 errdetail("The mode given is \"%.*s\".", len, chars),
						 errhint("Separate mode names with single commas, e.g. 'strict_order, strict_increase'.")));
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown funnel mode \"%.*s\"", (int) bad_len, bad),
						 errdetail("Valid modes are: %s.", FUNNEL_MODE_NAMES),
						 errhint("Combine modes as a comma-separated list, e.g. 'strict_order, strict_increase'.")));
		}
		if (args->mode_text != NULL)
			pfree(args->mode_text);
		args->mode_text = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len + 1);
		memcpy(args->mode_text, chars, len);
		args->mode_len = len;
		args->modes = modes;
		args->have_mode = true;
	}
	return args->modes;
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
				 errmsg("a funnel has at most %d steps", FUNNEL_MAX_STEPS),
				 errdetail("The call gives %d.", n)));
	return n;
}

/* The steps a row matches, as a bit mask; a NULL condition is false. */
static uint32
step_mask(ArrayType *steps, int n)
{
	const bool *values = (const bool *) ARR_DATA_PTR(steps);
	const bits8 *nulls = ARR_NULLBITMAP(steps);
	uint32		mask = 0;
	int			v = 0;

	/* Data holds only the non-NULL elements, one byte each. */
	for (int i = 0; i < n; i++)
	{
		if (nulls != NULL && !(nulls[i / 8] & (1 << (i % 8))))
			continue;
		if (values[v++])
			mask |= UINT32_C(1) << i;
	}
	return mask;
}

/* The spec of this row; steps_argno's array in *steps. */
static FunnelSpec
row_spec(FunctionCallInfo fcinfo, FunnelArgs *args, int window_argno, int mode_argno,
		 int steps_argno, ArrayType **steps)
{
	FunnelSpec	spec;

	if (PG_ARGISNULL(steps_argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("funnel steps must not be a NULL array")));
	*steps = PG_GETARG_ARRAYTYPE_P(steps_argno);
	spec.nsteps = step_count(*steps);
	spec.window = window_arg(fcinfo, args, window_argno);
	spec.modes = mode_argno < 0 ? 0 : mode_arg(fcinfo, args, mode_argno);
	return spec;
}

static void
check_same_spec(const FunnelSpec *have, const FunnelSpec *row)
{
	if (have->nsteps != row->nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel steps must be the same on every row of a group"),
				 errdetail("The group has rows with %d and with %d steps.", have->nsteps, row->nsteps)));
	if (have->window != row->window)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel window must be the same on every row of a group")));
	if (have->modes != row->modes)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("funnel mode must be the same on every row of a group")));
}

static void
report_status(FunnelStatus st, const char *what)
{
	switch (st)
	{
		case FUNNEL_OK:
			return;
		case FUNNEL_ERR_CORRUPT:
			b2b_report_bad_bytes(what, "The bytes are not a valid state.");
			break;
		case FUNNEL_ERR_MEMORY:
			b2b_report_memory_limit(what, "add ORDER BY entity, ts inside the call to stream the rows in constant memory.");
			break;
		case FUNNEL_ERR_ORDER:
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("rows reached %s out of the order its ORDER BY promised", what)));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many rows in one %s group", what)));
	}
}

/* ---- funnel_step ------------------------------------------------------------------ */

static Datum
step_add_row(FunctionCallInfo fcinfo, int mode_argno, int steps_argno)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	FunnelArgs *args = funnel_args(fcinfo);
	FunnelState *state = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	FunnelAllocator a = b2b_engine_allocator(aggcontext);
	ArrayType  *steps;
	FunnelSpec	spec = row_spec(fcinfo, args, 2, mode_argno, steps_argno, &steps);
	uint32		mask;

	if (state == NULL)
	{
		if (args->ordered < 0)
		{
			static const int by_ts[] = {0};
			static const bool ascending[] = {true};

			args->ordered = b2b_agg_ordered_by(fcinfo, by_ts, ascending, 1);
		}
		state = funnel_state_new(&spec, args->ordered == 1, &a);
	}
	else
	{
		FunnelSpec	have = funnel_state_spec(state);

		check_same_spec(&have, &spec);
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	mask = step_mask(steps, spec.nsteps);
	if (mask != 0)
		report_status(funnel_state_add(&state, PG_GETARG_TIMESTAMPTZ(1), mask, &a), "funnel_step");
	PG_RETURN_POINTER(state);
}

/* funnel_step(ts, window, VARIADIC steps) */
Datum
funnel_step_transfn(PG_FUNCTION_ARGS)
{
	return step_add_row(fcinfo, -1, 3);
}

/* funnel_step(ts, window, mode, VARIADIC steps) */
Datum
funnel_step_mode_transfn(PG_FUNCTION_ARGS)
{
	return step_add_row(fcinfo, 3, 4);
}

/*
 * The level of the group.  The state may be sorted in place and remember how
 * far it was read, which is invisible: READ_ONLY holds, so the aggregate works
 * as a window function, and a running window in time order reads each row once.
 */
Datum
funnel_step_finalfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	FunnelAllocator a = b2b_engine_allocator(aggcontext);
	int			level;

	if (PG_ARGISNULL(0))
		PG_RETURN_INT32(0);
	report_status(funnel_state_level((FunnelState *) PG_GETARG_POINTER(0), &a, &level), "funnel_step");
	PG_RETURN_INT32(level);
}

Datum
funnel_step_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	FunnelAllocator a = b2b_engine_allocator(aggcontext);
	FunnelState *into = PG_ARGISNULL(0) ? NULL : (FunnelState *) PG_GETARG_POINTER(0);
	FunnelState *from = PG_ARGISNULL(1) ? NULL : (FunnelState *) PG_GETARG_POINTER(1);

	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)
	{
		FunnelSpec	spec = funnel_state_spec(from);

		into = funnel_state_new(&spec, false, &a);
	}
	else
	{
		FunnelSpec	have = funnel_state_spec(into);
		FunnelSpec	other = funnel_state_spec(from);

		check_same_spec(&have, &other);
	}
	report_status(funnel_state_combine(&into, from, &a), "funnel_step");
	PG_RETURN_POINTER(into);
}

Datum
funnel_step_serialfn(PG_FUNCTION_ARGS)
{
	FunnelState *state = (FunnelState *) PG_GETARG_POINTER(0);
	uint8	   *data;
	bytea	   *out = b2b_bytea_new(funnel_serial_size(state), &data);

	funnel_serialize(state, data);
	PG_RETURN_BYTEA_P(out);
}

Datum
funnel_step_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	FunnelAllocator a = b2b_engine_allocator(CurrentMemoryContext);
	FunnelState *state;

	report_status(funnel_deserialize((const uint8 *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), &state, &a),
				  "funnel_step state");
	PG_RETURN_POINTER(state);
}

/* ---- funnel_counts and its funnel_levels state ------------------------------------ */

/* The datum: a varlena header, then the counts in host order. */
typedef struct FunnelLevels
{
	int32		vl_len_;
	FunnelCounts counts;
} FunnelLevels;

static Size
levels_wire_size(const struct varlena *value)
{
	return funnel_counts_wire_size(&((const FunnelLevels *) value)->counts);
}

static void
levels_encode(const struct varlena *value, uint8 *out)
{
	funnel_counts_encode(&((const FunnelLevels *) value)->counts, out);
}

static FunnelLevels *
levels_new(void)
{
	FunnelLevels *l = palloc0(sizeof(FunnelLevels));

	SET_VARSIZE(l, sizeof(FunnelLevels));
	return l;
}

static const char *
levels_decode(const uint8 *in, Size len, struct varlena **value)
{
	FunnelLevels *l = levels_new();

	if (funnel_counts_decode(in, len, &l->counts) != FUNNEL_OK)
		return "A funnel_levels value is a version byte (1), the number of steps (1 to 32), "
			"then one non-negative 64-bit count per level from 0 to the number of steps.";
	*value = (struct varlena *) l;
	return NULL;
}

static const B2bStateIO levels_io = {"funnel_levels", "funnel", levels_wire_size, levels_encode, levels_decode};

/*
 * A funnel_levels argument.  Our own states and values from the input
 * functions are sound; a datum of the wrong size is not ours.
 */
static FunnelLevels *
levels_arg(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v = PG_GETARG_VARLENA_P(argno);
	FunnelLevels *l = (FunnelLevels *) v;

	if (VARSIZE(v) != sizeof(FunnelLevels) || l->counts.nsteps < 1 || l->counts.nsteps > FUNNEL_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt funnel_levels value")));
	return l;
}

B2B_STATE_TYPE_IO(funnel_levels, levels_io, levels_arg(fcinfo, 0));
B2B_STATE_TYPE_BYTEA_CASTS(funnel_levels, levels_io, levels_arg(fcinfo, 0));

static int32
nsteps_arg(FunctionCallInfo fcinfo, int argno)
{
	int32		nsteps;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("nsteps must not be NULL")));
	nsteps = PG_GETARG_INT32(argno);
	if (nsteps < 1 || nsteps > FUNNEL_MAX_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("nsteps must be between 1 and %d", FUNNEL_MAX_STEPS),
				 errdetail("The value given is %d.", nsteps)));
	return nsteps;
}

static void
different_nsteps(int a, int b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("nsteps must be the same on every row of a group"),
			 errdetail("One row has %d and another %d.", a, b)));
}

/*
 * funnel_counts(level, nsteps): the state is updated in place; the first row
 * makes it in the current context and the executor copies it into its own.
 */
Datum
funnel_levels_transfn(PG_FUNCTION_ARGS)
{
	FunnelLevels *state;
	int32		nsteps;
	int32		level;

	b2b_agg_context(fcinfo);
	nsteps = nsteps_arg(fcinfo, 2);
	if (PG_ARGISNULL(0))
	{
		state = levels_new();
		state->counts.nsteps = nsteps;
	}
	else
	{
		state = levels_arg(fcinfo, 0);
		if (state->counts.nsteps != nsteps)
			different_nsteps(state->counts.nsteps, nsteps);
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	level = PG_GETARG_INT32(1);
	if (level < 0 || level > nsteps)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("funnel level is out of range"),
				 errdetail("Level %d does not exist in a %d-step funnel.", level, nsteps),
				 errhint("A level is between 0 and nsteps, as funnel_step returns it.")));
	if (__builtin_add_overflow(state->counts.at_level[level], 1, &state->counts.at_level[level]))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("funnel counts are out of range")));
	PG_RETURN_POINTER(state);
}

Datum
funnel_levels_combinefn(PG_FUNCTION_ARGS)
{
	FunnelLevels *into;
	FunnelLevels *from;

	b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(levels_arg(fcinfo, 0));
	}
	from = levels_arg(fcinfo, 1);
	if (PG_ARGISNULL(0))
	{
		into = levels_new();
		memcpy(into, from, sizeof(FunnelLevels));
		PG_RETURN_POINTER(into);
	}
	into = levels_arg(fcinfo, 0);
	if (into->counts.nsteps != from->counts.nsteps)
		different_nsteps(into->counts.nsteps, from->counts.nsteps);
	if (!funnel_counts_add(&into->counts, &from->counts))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("funnel counts are out of range")));
	PG_RETURN_POINTER(into);
}

/* Element k (1-based) of the funnel: groups whose level is at least k. */
static ArrayType *
funnel_array(const FunnelCounts *counts)
{
	int64		reached[FUNNEL_MAX_STEPS];
	Datum		elements[FUNNEL_MAX_STEPS];

	if (!funnel_counts_reached(counts, reached))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("funnel counts are out of range")));
	for (int k = 0; k < counts->nsteps; k++)
		elements[k] = Int64GetDatum(reached[k]);
	return construct_array(elements, counts->nsteps, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

Datum
funnel_levels_finalfn(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(funnel_array(&levels_arg(fcinfo, 0)->counts));
}

/* ---- funnel_report ----------------------------------------------------------------- */

static FunnelReport *
report_new(FunctionCallInfo fcinfo, FunnelArgs *args, MemoryContext aggcontext,
		   const FunnelSpec *spec, bool streaming)
{
	FunnelReport *r = MemoryContextAllocZero(aggcontext, sizeof(FunnelReport));

	report_status(funnel_report_init(r, spec, streaming, b2b_engine_memory(fcinfo, aggcontext, &args->budget)),
				  "funnel_report");
	return r;
}

static Datum
report_add_row(FunctionCallInfo fcinfo, int mode_argno, int steps_argno)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	FunnelArgs *args = funnel_args(fcinfo);
	FunnelReport *r = PG_ARGISNULL(0) ? NULL : (FunnelReport *) PG_GETARG_POINTER(0);
	ArrayType  *steps;
	FunnelSpec	spec = row_spec(fcinfo, args, 3, mode_argno, steps_argno, &steps);
	uint32		mask;
	uint8		buf[8];
	const uint8 *key;
	uint32		key_len;

	if (r == NULL)
	{
		if (args->ordered < 0)
		{
			args->entity_kind = b2b_entity_kind(fcinfo, 1, "funnel_report");
			{
				static const int by_entity_ts[] = {0, 1};
				static const bool ascending[] = {false, true};

				args->ordered = b2b_agg_ordered_by(fcinfo, by_entity_ts, ascending, 2);
			}
		}
		r = report_new(fcinfo, args, aggcontext, &spec, args->ordered == 1);
	}
	else
		check_same_spec(&r->spec, &spec);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(r);
	mask = step_mask(steps, spec.nsteps);
	if (mask == 0)
		PG_RETURN_POINTER(r);
	key_len = b2b_entity_key(args->entity_kind, PG_GETARG_DATUM(1), buf, &key, "funnel_report");
	report_status(funnel_report_add(r, key, key_len, PG_GETARG_TIMESTAMPTZ(2), mask), "funnel_report");
	PG_RETURN_POINTER(r);
}

/* funnel_report(entity, ts, window, VARIADIC steps) */
Datum
funnel_report_transfn(PG_FUNCTION_ARGS)
{
	return report_add_row(fcinfo, -1, 4);
}

/* funnel_report(entity, ts, window, mode, VARIADIC steps) */
Datum
funnel_report_mode_transfn(PG_FUNCTION_ARGS)
{
	return report_add_row(fcinfo, 4, 5);
}

/* What funnel_counts returns, from the levels of every entity; NULL for no rows. */
Datum
funnel_report_finalfn(PG_FUNCTION_ARGS)
{
	FunnelCounts counts;
	bool		any;

	b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	report_status(funnel_report_counts((FunnelReport *) PG_GETARG_POINTER(0), &counts, &any), "funnel_report");
	if (!any)
		PG_RETURN_NULL();		/* no entity: like funnel_counts over no groups */
	PG_RETURN_ARRAYTYPE_P(funnel_array(&counts));
}

Datum
funnel_report_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	FunnelArgs *args = funnel_args(fcinfo);
	FunnelReport *into = PG_ARGISNULL(0) ? NULL : (FunnelReport *) PG_GETARG_POINTER(0);
	FunnelReport *from = PG_ARGISNULL(1) ? NULL : (FunnelReport *) PG_GETARG_POINTER(1);

	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)
		into = report_new(fcinfo, args, aggcontext, &from->spec, false);
	else
		check_same_spec(&into->spec, &from->spec);
	report_status(funnel_report_combine(into, from), "funnel_report");
	PG_RETURN_POINTER(into);
}

Datum
funnel_report_serialfn(PG_FUNCTION_ARGS)
{
	FunnelReport *r = (FunnelReport *) PG_GETARG_POINTER(0);
	size_t		size = funnel_report_serial_size(r);
	uint8	   *data;
	bytea	   *out;

	if (size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("funnel_report state is too large to pass between parallel workers"),
				 errdetail("It needs %zu bytes; the limit is %zu.", size, (size_t) (MaxAllocSize - VARHDRSZ)),
				 errhint("Set max_parallel_workers_per_gather = 0 for this query, or group the rows into smaller groups.")));
	out = b2b_bytea_new(size, &data);
	funnel_report_serialize(r, data);
	PG_RETURN_BYTEA_P(out);
}

/* A partial state from a worker, for the combine function only: no budget of its own. */
Datum
funnel_report_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	FunnelReport *r = palloc0(sizeof(FunnelReport));

	report_status(funnel_report_deserialize(r, (const uint8 *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in),
											b2b_engine_memory_unbounded(CurrentMemoryContext)),
				  "funnel_report state");
	PG_RETURN_POINTER(r);
}

/* ---- funnel_steps: the funnel as rows ------------------------------------------------- */

/*
 * funnel_steps(counts bigint[], names text[] DEFAULT NULL) returns one row per
 * step: (step, name, reached, pct_of_first, pct_of_previous).  Percentages are
 * of 100; NULL where the base is 0 (or, for pct_of_previous, at step 1).
 */
Datum
funnel_steps(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *counts_arr;
	Datum	   *counts;
	bool	   *counts_null;
	int			n;
	Datum	   *names = NULL;
	bool	   *names_null = NULL;
	int			nnames = 0;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	counts_arr = PG_GETARG_ARRAYTYPE_P(0);
	if (ARR_NDIM(counts_arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("funnel counts must be a one-dimensional array")));
	deconstruct_array(counts_arr, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &counts, &counts_null, &n);
	if (!PG_ARGISNULL(1))
	{
		ArrayType  *names_arr = PG_GETARG_ARRAYTYPE_P(1);

		if (ARR_NDIM(names_arr) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("funnel step names must be a one-dimensional array")));
		deconstruct_array(names_arr, TEXTOID, -1, false, TYPALIGN_INT, &names, &names_null, &nnames);
		if (nnames != n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("funnel step names must match the counts"),
					 errdetail("There are %d counts and %d names.", n, nnames)));
	}
	for (int k = 0; k < n; k++)
	{
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};
		int64		reached;
		int64		first;
		int64		previous;

		if (counts_null[k])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("funnel counts must not contain NULL"),
					 errdetail("Step %d is NULL.", k + 1)));
		reached = DatumGetInt64(counts[k]);
		first = DatumGetInt64(counts[0]);
		previous = k > 0 ? DatumGetInt64(counts[k - 1]) : 0;
		if (reached < 0)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("funnel counts must not be negative"),
					 errdetail("Step %d is " INT64_FORMAT ".", k + 1, reached)));
		values[0] = Int32GetDatum(k + 1);
		if (names == NULL || names_null[k])
			nulls[1] = true;
		else
			values[1] = names[k];
		values[2] = Int64GetDatum(reached);
		if (first > 0)
			values[3] = Float8GetDatum(100.0 * (double) reached / (double) first);
		else
			nulls[3] = true;
		if (k > 0 && previous > 0)
			values[4] = Float8GetDatum(100.0 * (double) reached / (double) previous);
		else
			nulls[4] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
