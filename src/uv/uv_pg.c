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

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "uv.h"

/* Part of the on-disk contract: changing it changes every stored sketch. */
#define UV_HASH_SEED	UINT64CONST(0x7576736b65746368)	/* "uvsketch" */

PG_FUNCTION_INFO_V1(uvsketch_in);
PG_FUNCTION_INFO_V1(uvsketch_out);
PG_FUNCTION_INFO_V1(uvsketch_recv);
PG_FUNCTION_INFO_V1(uvsketch_send);
PG_FUNCTION_INFO_V1(uvsketch_to_bytea);
PG_FUNCTION_INFO_V1(uvsketch_from_bytea);
PG_FUNCTION_INFO_V1(uvsketch_eq);
PG_FUNCTION_INFO_V1(uvsketch_hash);
PG_FUNCTION_INFO_V1(uv_sketch_trans);
PG_FUNCTION_INFO_V1(uv_sketch_trans_precision);
PG_FUNCTION_INFO_V1(uv_hll_final);
PG_FUNCTION_INFO_V1(uv_sketch_final);
PG_FUNCTION_INFO_V1(uv_count);
PG_FUNCTION_INFO_V1(uv_union);
PG_FUNCTION_INFO_V1(uv_add);
PG_FUNCTION_INFO_V1(uv_precision);
PG_FUNCTION_INFO_V1(uv_hash);

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
 * The transition state: our own datum, so it needs no checks, and it is
 * only ever copied (never compressed), so detoasting is a formality
 * skipped on the per-row path.
 */
static inline UvSketch *
uv_state_arg(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *v = (struct varlena *) PG_GETARG_POINTER(argno);

	if (unlikely(VARATT_IS_EXTENDED(v)))
		v = pg_detoast_datum(v);
	return (UvSketch *) v;
}

static int
uv_check_precision(int32 precision)
{
	if (precision < UV_PRECISION_MIN || precision > UV_PRECISION_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("uvsketch precision %d is out of range", precision),
				 errdetail("The precision must be between %d and %d.",
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

/* ---- hashing values ---------------------------------------------------------- */

/*
 * The extended hash function of the argument's type (the one hash
 * partitioning uses), looked up once per call site and kept in fn_extra.
 */
typedef enum UvHashKind
{
	UV_HASH_GENERIC,			/* call the type's extended hash function */
	UV_HASH_INT2,				/* the same result, computed inline */
	UV_HASH_INT4,
	UV_HASH_INT8,
	UV_HASH_NUMERIC				/* generic, plus the sign (see below) */
} UvHashKind;

typedef struct UvHasher
{
	UvHashKind	kind;
	FmgrInfo	proc;
	Datum		numeric_zero;
} UvHasher;

static UvHasher *
uv_hasher_lookup(FunctionCallInfo fcinfo, int argno)
{
	UvHasher   *hasher;
	Oid			type;
	TypeCacheEntry *entry;

	type = get_fn_expr_argtype(fcinfo->flinfo, argno);
	if (!OidIsValid(type))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not determine the type of the value to hash")));
	entry = lookup_type_cache(type, TYPECACHE_HASH_EXTENDED_PROC_FINFO);
	if (!OidIsValid(entry->hash_extended_proc_finfo.fn_oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify an extended hash function for type %s",
						format_type_be(type)),
				 errdetail("uvsketch hashes values with the type's default hash operator class."),
				 errhint("Cast the value to a type that has one, such as text.")));
	hasher = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(UvHasher));
	fmgr_info_copy(&hasher->proc, &entry->hash_extended_proc_finfo,
				   fcinfo->flinfo->fn_mcxt);
	switch (hasher->proc.fn_oid)
	{
		case F_HASHINT2EXTENDED:
			hasher->kind = UV_HASH_INT2;
			break;
		case F_HASHINT4EXTENDED:
			hasher->kind = UV_HASH_INT4;
			break;
		case F_HASHINT8EXTENDED:
			hasher->kind = UV_HASH_INT8;
			break;
		case F_HASH_NUMERIC_EXTENDED:
			hasher->kind = UV_HASH_NUMERIC;
			break;
		default:
			hasher->kind = UV_HASH_GENERIC;
			break;
	}
	if (hasher->kind == UV_HASH_NUMERIC)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		hasher->numeric_zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));
		MemoryContextSwitchTo(old);
	}
	fcinfo->flinfo->fn_extra = hasher;
	return hasher;
}

/*
 * The 64-bit hash a value contributes: the type's extended hash with a fixed
 * seed, then a finaliser.  Equal values hash equally wherever the type's hash
 * says so: int2/int4/int8 agree (hashint8extended folds values that fit in
 * 32 bits to the int4 hash), and numeric ignores trailing zeros.
 *
 * PostgreSQL's numeric hash ignores the sign (hash(-5) = hash(5): harmless
 * for a hash table, which compares keys, but a sketch only sees hashes), so
 * a negative numeric gets a constant folded in before the finaliser.
 */
#define UV_NEGATIVE_NUMERIC	UINT64CONST(0x6e65676174697665)	/* "negative" */
#define UV_NAN_NUMERIC		UINT64CONST(0x6e756d6572696e61)	/* "numerina" */
#define UV_INFINITE_NUMERIC	UINT64CONST(0x696e66696e697465)	/* "infinite" */

/*
 * It also hashes NaN and both infinities to the same value (the seed alone),
 * so those get constants of their own too.
 */
static uint64
uv_numeric_hash_fixup(uint64 h, Datum value, Datum zero)
{
	Numeric		n = DatumGetNumeric(value);

	if (numeric_is_nan(n))
		return h ^ UV_NAN_NUMERIC;
#if PG_VERSION_NUM >= 140000
	if (numeric_is_inf(n))
		h ^= UV_INFINITE_NUMERIC;
#endif
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(n), zero)) < 0)
		h ^= UV_NEGATIVE_NUMERIC;
	return h;
}

static inline uint64
uv_hash_value(FunctionCallInfo fcinfo, int argno)
{
	UvHasher   *hasher = (UvHasher *) fcinfo->flinfo->fn_extra;
	Datum		value = PG_GETARG_DATUM(argno);
	uint64		h;

	if (unlikely(hasher == NULL))
		hasher = uv_hasher_lookup(fcinfo, argno);
	switch (hasher->kind)
	{
			/*
			 * The integer hashes inline, exactly as hashint2/4/8extended
			 * compute them (the pinned hashes in sql/hll.sql check that):
			 * an int8 folds its high half into the low one, which leaves
			 * values that fit in 32 bits with their int4 hash.
			 */
		case UV_HASH_INT2:
			h = hash_bytes_uint32_extended((uint32) (int32) DatumGetInt16(value), UV_HASH_SEED);
			break;
		case UV_HASH_INT4:
			h = hash_bytes_uint32_extended((uint32) DatumGetInt32(value), UV_HASH_SEED);
			break;
		case UV_HASH_INT8:
			{
				int64		v = DatumGetInt64(value);
				uint32		lo = (uint32) v;
				uint32		hi = (uint32) (v >> 32);

				lo ^= (v >= 0) ? hi : ~hi;
				h = hash_bytes_uint32_extended(lo, UV_HASH_SEED);
				break;
			}
		default:
			h = DatumGetUInt64(FunctionCall2Coll(&hasher->proc, PG_GET_COLLATION(),
												 value, UInt64GetDatum(UV_HASH_SEED)));
			if (hasher->kind == UV_HASH_NUMERIC)
				h = uv_numeric_hash_fixup(h, value, hasher->numeric_zero);
			break;
	}
	return uv_mix64(h);
}

/* ---- type input and output ----------------------------------------------- */

Datum
uvsketch_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	UvSketch   *s;
	UvError		err;

	err = uv_decode_text(str, strlen(str), &s, &uv_allocator);
	if (err != UV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type uvsketch"),
				 errdetail("%s", uv_error_message(err))));
	PG_RETURN_POINTER(uv_finish(s));
}

Datum
uvsketch_out(PG_FUNCTION_ARGS)
{
	UvSketch   *s = uv_canonical(uv_sketch_arg(fcinfo, 0), &uv_allocator);
	size_t		n = uv_text_size(s);
	char	   *out = palloc(n + 1);

	uv_encode_text(s, out);
	out[n] = '\0';
	PG_RETURN_CSTRING(out);
}

static UvSketch *
uv_decode_binary(const char *data, size_t len, const char *what)
{
	UvSketch   *s;
	UvError		err;

	err = uv_decode((const uint8_t *) data, len, &s, &uv_allocator);
	if (err != UV_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid %s for type uvsketch", what),
				 errdetail("%s", uv_error_message(err))));
	return uv_finish(s);
}

static bytea *
uv_encode_bytea(UvSketch *s)
{
	UvSketch   *c = uv_canonical(s, &uv_allocator);
	size_t		n = uv_wire_size(c);
	bytea	   *out = palloc(VARHDRSZ + n);

	SET_VARSIZE(out, VARHDRSZ + n);
	uv_encode(c, (uint8_t *) VARDATA(out));
	return out;
}

Datum
uvsketch_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	UvSketch   *s;

	s = uv_decode_binary(buf->data + buf->cursor, buf->len - buf->cursor,
						 "binary representation");
	buf->cursor = buf->len;
	PG_RETURN_POINTER(s);
}

Datum
uvsketch_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(uv_encode_bytea(uv_sketch_arg(fcinfo, 0)));
}

Datum
uvsketch_to_bytea(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(uv_encode_bytea(uv_sketch_arg(fcinfo, 0)));
}

Datum
uvsketch_from_bytea(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);

	PG_RETURN_POINTER(uv_decode_binary(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b), "bytea value"));
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

/* ---- aggregates ---------------------------------------------------------- */

static void
uv_require_aggregate(FunctionCallInfo fcinfo, const char *name)
{
	if (!AggCheckCallContext(fcinfo, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as part of an aggregate", name)));
}

/*
 * Transition for uv_hll(anyelement [, precision]) and uv_sketch(...):
 * add the value's hash to the state, creating the state on the first
 * non-NULL value.  Not strict, so that NULL values are skipped here.
 */
static Datum
uv_sketch_trans_common(FunctionCallInfo fcinfo, int precision)
{
	UvSketch   *state;
	UvSketch   *next;
	uint64		hash;

	uv_require_aggregate(fcinfo, "uv_sketch_trans");
	state = PG_ARGISNULL(0) ? NULL : uv_state_arg(fcinfo, 0);
	if (PG_ARGISNULL(1))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	hash = uv_hash_value(fcinfo, 1);
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

Datum
uv_sketch_trans(PG_FUNCTION_ARGS)
{
	return uv_sketch_trans_common(fcinfo, UV_PRECISION_DEFAULT);
}

Datum
uv_sketch_trans_precision(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("uvsketch precision must not be NULL")));
	return uv_sketch_trans_common(fcinfo, uv_check_precision(PG_GETARG_INT32(2)));
}

/* uv_hll's final function: the estimate, 0 when no value was seen. */
Datum
uv_hll_final(PG_FUNCTION_ARGS)
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
uv_sketch_final(PG_FUNCTION_ARGS)
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
 * uv_union(a, b) and a || b; also the transition function of uv_hll(uvsketch)
 * and uv_sketch(uvsketch), and the combine function of every aggregate here.
 *
 * Called by an aggregate, the first argument is the aggregate's own state
 * (the function is strict, so the executor starts the state with a copy of
 * the first non-NULL sketch): it is updated in place and handed back, maybe
 * as a hash table.  Called as a plain function it works on a copy, since an
 * argument may point into a shared buffer, and returns the canonical form.
 * The second argument is never modified.
 */
Datum
uv_union(PG_FUNCTION_ARGS)
{
	UvSketch   *a = uv_sketch_arg(fcinfo, 0);
	UvSketch   *b = uv_sketch_arg(fcinfo, 1);
	UvSketch   *result;

	if (AggCheckCallContext(fcinfo, NULL))
		PG_RETURN_POINTER(uv_finish(uv_union_into(a, b, &uv_allocator)));
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

		s = uv_fold(arg, arg->precision, &uv_allocator);
	}
	s = uv_add_hash(s, uv_hash_value(fcinfo, 1), &uv_allocator);
	PG_RETURN_POINTER(uv_finish(uv_canonical(s, &uv_allocator)));
}

Datum
uv_precision(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(uv_sketch_arg(fcinfo, 0)->precision);
}

Datum
uv_hash(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) uv_hash_value(fcinfo, 0));
}
