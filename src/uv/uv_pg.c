/*
 * uv_pg.c
 *		PostgreSQL glue for the uvsketch type and the uv_hll / uv_sketch
 *		aggregates.  The sketch logic is in uv.c; this file turns values
 *		into hashes, manages memory contexts and reports errors.
 *
 * Aggregate state
 * ---------------
 * The transition state is the uvsketch datum itself (not `internal`), so
 * partial aggregates travel between processes and Citus nodes as ordinary
 * sketches and need no serialize/deserialize pair.  The transition and
 * combine functions update the state in place: the executor keeps it in the
 * aggregate context, and handing back the same pointer costs nothing.  When
 * the state must grow (or first appears) we build the new one in the
 * per-call memory context and return it; the executor then copies it into
 * the aggregate context and frees the old state (ExecAggTransReparent).
 * Allocating it in the aggregate context ourselves would leave one dead
 * copy per group.  In-memory states may be a hash table (HASHSET); every
 * function that hands a sketch to SQL returns it canonical (uv.h).
 */
#include "postgres.h"

#include <math.h>

#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "common/b2b_pg.h"
#include "uv/uv_pg.h"

PG_FUNCTION_INFO_V1(uvsketch_in);
PG_FUNCTION_INFO_V1(uvsketch_out);
PG_FUNCTION_INFO_V1(uvsketch_recv);
PG_FUNCTION_INFO_V1(uvsketch_send);
PG_FUNCTION_INFO_V1(uvsketch_to_bytea);
PG_FUNCTION_INFO_V1(uvsketch_from_bytea);
PG_FUNCTION_INFO_V1(uvsketch_eq);
PG_FUNCTION_INFO_V1(uvsketch_hash);
PG_FUNCTION_INFO_V1(uv_sketch_transfn);
PG_FUNCTION_INFO_V1(uv_sketch_char_transfn);
PG_FUNCTION_INFO_V1(uv_sketch_int2_transfn);
PG_FUNCTION_INFO_V1(uv_sketch_int4_transfn);
PG_FUNCTION_INFO_V1(uv_sketch_int8_transfn);
PG_FUNCTION_INFO_V1(uv_sketch_text_transfn);
PG_FUNCTION_INFO_V1(uv_sketch_uuid_transfn);
PG_FUNCTION_INFO_V1(uv_union_transfn);
PG_FUNCTION_INFO_V1(uv_sketch_combinefn);
PG_FUNCTION_INFO_V1(uv_hll_finalfn);
PG_FUNCTION_INFO_V1(uv_sketch_finalfn);
PG_FUNCTION_INFO_V1(uv_count);
PG_FUNCTION_INFO_V1(uv_union);
PG_FUNCTION_INFO_V1(uv_add);
PG_FUNCTION_INFO_V1(uv_precision);
PG_FUNCTION_INFO_V1(uv_hash);
PG_FUNCTION_INFO_V1(uv_hash_version);

/* ---- memory and datums ----------------------------------------------------- */

static void *
uv_palloc(size_t size, void *ctx)
{
	return palloc(size);
}

static void
uv_pfree(void *ptr, void *ctx)
{
	pfree(ptr);
}

/* Allocates in CurrentMemoryContext. */
static const UvAllocator uv_allocator = {uv_palloc, uv_pfree, NULL};

/* Stamp the varlena header on a sketch about to become a Datum. */
static inline UvSketch *
uv_finish(UvSketch *s)
{
	SET_VARSIZE(s, uv_size(s));
	return s;
}

/*
 * A sketch argument, detoasted (a copy when it was compressed, external or
 * had a short header, so the payload is always 8-byte aligned).  Stored
 * sketches came through our own input functions, but a damaged or hand-made
 * datum must not be read out of bounds: uv_check_layout() vets it first.
 */
static UvSketch *
uv_sketch_arg(FunctionCallInfo fcinfo, int argno)
{
	UvSketch   *s = (UvSketch *) PG_GETARG_VARLENA_P(argno);
	UvError		err = uv_check_layout(s, VARSIZE(s));

	if (err != UV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt uvsketch value"),
				 errdetail("%s", uv_error_message(err))));
	return s;
}

/*
 * The transition state: our own datum, so it needs no checks (only the
 * sketches that come in are checked), and it is only ever copied (never
 * compressed), so detoasting is a formality skipped on the per-row path.
 */
static inline UvSketch *
uv_state_arg(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v = (struct varlena *) PG_GETARG_POINTER(argno);

	if (unlikely(VARATT_IS_EXTENDED(v)))
		v = pg_detoast_datum(v);
	return (UvSketch *) v;
}

/* Sketches of different hash versions must not meet (22023). */
static void
uv_require_same_version(const UvSketch *a, const UvSketch *b)
{
	if (uv_check_union(a, b) != UV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine uvsketch values of different hash versions"),
				 errdetail("One sketch has hash version %d, the other hash version %d.",
						   a->version, b->version),
				 errhint("Sketches of hash version 1 were stored by b2bmetrics 1.0: rebuild them from the raw rows with uv_sketch(); uv_hash_version() finds them.")));
}

static void
uv_require_current_version(const UvSketch *s)
{
	if (uv_check_add(s) != UV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot add a value to a uvsketch of hash version %d", s->version),
				 errdetail("Values are hashed with hash version %d now.", UV_VERSION_CURRENT),
				 errhint("Sketches of hash version 1 were stored by b2bmetrics 1.0: rebuild them from the raw rows with uv_sketch(); uv_hash_version() finds them.")));
}

static int
uv_check_precision(int32 precision)
{
	if (precision < UV_PRECISION_MIN || precision > UV_PRECISION_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("precision %d is out of range", precision),
				 errdetail("The precision of a uvsketch is between %d and %d.",
						   UV_PRECISION_MIN, UV_PRECISION_MAX),
				 errhint("The default, %d, gives a standard error of about 0.8%%.",
						 UV_PRECISION_DEFAULT)));
	return precision;
}

/* The estimate as a bigint (it cannot be negative; clamp the far end). */
static int64
uv_estimate_int64(const UvSketch *s)
{
	double		e = uv_estimate(s);

	if (e >= (double) PG_INT64_MAX)
		return PG_INT64_MAX;
	return (int64) llround(e);
}

/* ---- type input and output ----------------------------------------------- */

static Size
uv_io_wire_size(const struct varlena *value)
{
	return uv_wire_size((const UvSketch *) value);
}

static void
uv_io_encode(const struct varlena *value, uint8 *out)
{
	uv_encode((const UvSketch *) value, out);
}

static const char *
uv_io_decode(const uint8 *in, Size len, struct varlena **value)
{
	UvSketch   *s;
	UvError		err = uv_decode(in, len, &s, &uv_allocator);

	if (err != UV_OK)
		return uv_error_message(err);
	*value = (struct varlena *) uv_finish(s);
	return NULL;
}

/* Text "uv:<hex>", binary and bytea: the little-endian format of uv.h. */
static const B2bStateIO uv_io = {"uvsketch", UV_TEXT_PREFIX, uv_io_wire_size, uv_io_encode, uv_io_decode};

Datum
uvsketch_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(b2b_state_from_text(&uv_io, PG_GETARG_CSTRING(0)));
}

/* States in memory may be hash tables: every output is of the canonical form. */
Datum
uvsketch_out(PG_FUNCTION_ARGS)
{
	UvSketch   *s = uv_canonical(uv_sketch_arg(fcinfo, 0), &uv_allocator);

	PG_RETURN_CSTRING(b2b_state_to_text(&uv_io, (struct varlena *) s));
}

Datum
uvsketch_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(b2b_state_recv(&uv_io, (StringInfo) PG_GETARG_POINTER(0)));
}

Datum
uvsketch_send(PG_FUNCTION_ARGS)
{
	UvSketch   *s = uv_canonical(uv_sketch_arg(fcinfo, 0), &uv_allocator);

	PG_RETURN_BYTEA_P(b2b_state_to_binary(&uv_io, (struct varlena *) s));
}

Datum
uvsketch_to_bytea(PG_FUNCTION_ARGS)
{
	UvSketch   *s = uv_canonical(uv_sketch_arg(fcinfo, 0), &uv_allocator);

	PG_RETURN_BYTEA_P(b2b_state_to_binary(&uv_io, (struct varlena *) s));
}

Datum
uvsketch_from_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);

	PG_RETURN_POINTER(b2b_state_from_binary(&uv_io, (const uint8 *) VARDATA_ANY(b),
											VARSIZE_ANY_EXHDR(b)));
}

/* ---- equality and the hash opclass --------------------------------------- */

Datum
uvsketch_eq(PG_FUNCTION_ARGS)
{
	UvSketch   *a = uv_canonical(uv_sketch_arg(fcinfo, 0), &uv_allocator);
	UvSketch   *b = uv_canonical(uv_sketch_arg(fcinfo, 1), &uv_allocator);

	PG_RETURN_BOOL(uv_equal(a, b));
}

Datum
uvsketch_hash(PG_FUNCTION_ARGS)
{
	UvSketch   *s = uv_canonical(uv_sketch_arg(fcinfo, 0), &uv_allocator);

	/* everything after the varlena header, which uv_equal compares */
	return hash_any((unsigned char *) s + VARHDRSZ, uv_size(s) - VARHDRSZ);
}

/* ---- aggregates over values ------------------------------------------------ */

/*
 * The transition functions of uv_hll(value [, precision]) and
 * uv_sketch(value [, precision]): one C function per argument type, each
 * serving the 2- and 3-argument SQL forms (PG_NARGS() tells them apart).
 * Not strict: NULL values are skipped here, after the precision has been
 * checked, so that a bad precision is an error on every row.
 */
static inline int
uv_trans_precision(FunctionCallInfo fcinfo)
{
	if (PG_NARGS() < 3)
		return UV_PRECISION_DEFAULT;
	b2b_require_not_null(fcinfo, 2, "precision");
	return uv_check_precision(PG_GETARG_INT32(2));
}

/*
 * Add the hash to the state, creating the state on the first non-NULL value.
 * The state is updated in place when it has room; a state that must grow
 * (or first appears) is built in the per-call context and returned, and the
 * executor copies it into the aggregate context and frees the old one.
 */
static Datum
uv_trans_add(FunctionCallInfo fcinfo, uint64 hash, int precision)
{
	UvSketch   *state = PG_ARGISNULL(0) ? NULL : uv_state_arg(fcinfo, 0);
	UvSketch   *next;

	if (state == NULL)
		state = uv_finish(uv_new(precision, &uv_allocator));
	else if (precision < state->precision)
	{
		/*
		 * Rows of one group asking for different precisions get the coarsest,
		 * as a union of their sketches would: the same answer whether a
		 * parallel plan splits the group or not.
		 */
		state = uv_finish(uv_fold(state, precision, &uv_allocator));
	}
	next = uv_add_hash(state, hash, &uv_allocator);
	PG_RETURN_POINTER(next == state ? state : uv_finish(next));
}

/* The common head: aggregate context, precision, a NULL value. */
#define UV_TRANSFN_PROLOGUE(fcinfo, precision) \
	do { \
		(void) b2b_agg_context(fcinfo); \
		(precision) = uv_trans_precision(fcinfo); \
		if (PG_ARGISNULL(1)) \
		{ \
			if (PG_ARGISNULL(0)) \
				PG_RETURN_NULL(); \
			PG_RETURN_DATUM(PG_GETARG_DATUM(0)); \
		} \
	} while (0)

/* Any hashable type (anyelement): the plan of the call site's type. */
Datum
uv_sketch_transfn(PG_FUNCTION_ARGS)
{
	int			precision;

	UV_TRANSFN_PROLOGUE(fcinfo, precision);
	return uv_trans_add(fcinfo, uv_hash_datum(uv_hash_plan(fcinfo, 1), PG_GETARG_DATUM(1)),
						precision);
}

/*
 * The typed forms look nothing up, so they work the same without a call
 * expression and without fn_extra (Citus runs them so on its workers); each
 * computes exactly what uv_hash_datum() computes for its type.
 */
/*
 * "char" hashes as the integer of its byte (as uv_hash_datum does); a form of
 * its own because Citus calls the transition function through a fresh
 * FmgrInfo on every row, where the generic one would look its type up again.
 */
Datum
uv_sketch_char_transfn(PG_FUNCTION_ARGS)
{
	int			precision;

	UV_TRANSFN_PROLOGUE(fcinfo, precision);
	return uv_trans_add(fcinfo, uv_hash_int64((int8) DatumGetChar(PG_GETARG_DATUM(1))), precision);
}

Datum
uv_sketch_int2_transfn(PG_FUNCTION_ARGS)
{
	int			precision;

	UV_TRANSFN_PROLOGUE(fcinfo, precision);
	return uv_trans_add(fcinfo, uv_hash_int64(PG_GETARG_INT16(1)), precision);
}

Datum
uv_sketch_int4_transfn(PG_FUNCTION_ARGS)
{
	int			precision;

	UV_TRANSFN_PROLOGUE(fcinfo, precision);
	return uv_trans_add(fcinfo, uv_hash_int64(PG_GETARG_INT32(1)), precision);
}

Datum
uv_sketch_int8_transfn(PG_FUNCTION_ARGS)
{
	int			precision;

	UV_TRANSFN_PROLOGUE(fcinfo, precision);
	return uv_trans_add(fcinfo, uv_hash_int64(PG_GETARG_INT64(1)), precision);
}

Datum
uv_sketch_text_transfn(PG_FUNCTION_ARGS)
{
	int			precision;

	UV_TRANSFN_PROLOGUE(fcinfo, precision);
	return uv_trans_add(fcinfo, uv_hash_text(PG_GETARG_DATUM(1), PG_GET_COLLATION()), precision);
}

Datum
uv_sketch_uuid_transfn(PG_FUNCTION_ARGS)
{
	int			precision;

	UV_TRANSFN_PROLOGUE(fcinfo, precision);
	return uv_trans_add(fcinfo, uv_hash_uuid(PG_GETARG_DATUM(1)), precision);
}

/* ---- aggregates over sketches, combining, finishing ---------------------- */

/*
 * Transition of uv_hll(uvsketch) and uv_sketch(uvsketch): the union of the
 * state and one stored sketch.  Only the incoming sketch is validated, once;
 * the state is our own (validating it on every row cost O(2^p / 8) per row).
 * Not strict, so that the first sketch is validated too before it becomes
 * the state (a strict function would have it copied in unseen).
 */
Datum
uv_union_transfn(PG_FUNCTION_ARGS)
{
	UvSketch   *state;
	UvSketch   *next;

	(void) b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	next = uv_sketch_arg(fcinfo, 1);
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(next);	/* the executor copies it into the aggregate context */
	state = uv_state_arg(fcinfo, 0);
	uv_require_same_version(state, next);
	PG_RETURN_POINTER(uv_finish(uv_union_into(state, next, &uv_allocator)));
}

/*
 * The combine function of every uv aggregate: state := state UNION partial.
 * Partial states come from parallel workers as they are, or from Citus
 * workers through the text form (validated by uvsketch_in); either way the
 * incoming one is checked before it is read.
 */
Datum
uv_sketch_combinefn(PG_FUNCTION_ARGS)
{
	UvSketch   *state;
	UvSketch   *partial;

	(void) b2b_agg_context(fcinfo);
	state = uv_state_arg(fcinfo, 0);
	partial = uv_sketch_arg(fcinfo, 1);
	uv_require_same_version(state, partial);
	PG_RETURN_POINTER(uv_finish(uv_union_into(state, partial, &uv_allocator)));
}

/*
 * uv_hll's final function: the estimate, 0 when no value was seen.  The
 * finals check the state once per group (cheap next to building it): a
 * strict transition, as a 1.0 catalog's uv_union is, hands the executor's
 * copy of a lone first sketch straight to them.
 */
Datum
uv_hll_finalfn(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(uv_estimate_int64(uv_sketch_arg(fcinfo, 0)));
}

/*
 * uv_sketch's final function: a canonical copy of the state (never the
 * state itself, which stays in the aggregate's memory).
 */
Datum
uv_sketch_finalfn(PG_FUNCTION_ARGS)
{
	UvSketch   *state = uv_sketch_arg(fcinfo, 0);
	UvSketch   *c = uv_canonical(state, &uv_allocator);

	if (c == state)
	{
		c = palloc(VARSIZE(state));
		memcpy(c, state, VARSIZE(state));
	}
	PG_RETURN_POINTER(uv_finish(c));
}

/* ---- functions on sketches ------------------------------------------------ */

Datum
uv_count(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(uv_estimate_int64(uv_sketch_arg(fcinfo, 0)));
}

/*
 * uv_union(a, b) and a || b: a new canonical sketch (an argument may point
 * into a shared buffer, so neither is modified).
 */
Datum
uv_union(PG_FUNCTION_ARGS)
{
	UvSketch   *a = uv_sketch_arg(fcinfo, 0);
	UvSketch   *b = uv_sketch_arg(fcinfo, 1);
	UvSketch   *result;

	uv_require_same_version(a, b);
	result = uv_union_into(uv_fold(a, a->precision, &uv_allocator), b, &uv_allocator);
	PG_RETURN_POINTER(uv_finish(uv_canonical(result, &uv_allocator)));
}

/*
 * uv_add(sketch, value): the sketch with one more value.  A NULL value
 * leaves the sketch as it is; a NULL sketch starts a new one at the default
 * precision, so that UPDATE ... SET s = uv_add(s, v) works from NULL.
 */
Datum
uv_add(PG_FUNCTION_ARGS)
{
	UvSketch   *s;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(uv_sketch_arg(fcinfo, 0));
	}
	if (PG_ARGISNULL(0))
		s = uv_new(UV_PRECISION_DEFAULT, &uv_allocator);
	else
	{
		UvSketch   *arg = uv_sketch_arg(fcinfo, 0);

		uv_require_current_version(arg);
		s = uv_fold(arg, arg->precision, &uv_allocator);
	}
	s = uv_add_hash(s, uv_hash_datum(uv_hash_plan(fcinfo, 1), PG_GETARG_DATUM(1)), &uv_allocator);
	PG_RETURN_POINTER(uv_finish(uv_canonical(s, &uv_allocator)));
}

Datum
uv_precision(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(uv_sketch_arg(fcinfo, 0)->precision);
}

Datum
uv_hash_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(uv_sketch_arg(fcinfo, 0)->version);
}

/* The version-2 hash a value contributes (uv_hash_datum). */
Datum
uv_hash(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) uv_hash_datum(uv_hash_plan(fcinfo, 0), PG_GETARG_DATUM(0)));
}
