/*
 * uv_hash_pg.c
 *		Hash version 2: the 64-bit hash an SQL value contributes to a
 *		uvsketch, so that a sketch counts distinct values exactly as
 *		count(DISTINCT) compares them (see "Hash versions" in uv.h).
 *
 * A plan per type, built once per call site:
 *   - integer-like types whose equality is the equality of their bits (int2,
 *     int4, int8, date, timestamp, timestamptz, time, oid, enums, bool,
 *     "char", money, pg_lsn, xid8, ...) hash their value sign-extended to 64 bits
 *     through uv_hash_int64(), a bijection: distinct values never collide,
 *     and 1::int2, 1::int4 and 1::int8 agree.  (PostgreSQL's int8 hash
 *     folds the value to 32 bits, which made 1 and 2^32 one value.)
 *   - numeric, interval and time with time zone hash what their equality
 *     compares (uv.h);
 *   - arrays (with their dimensions and lower bounds), records (with NULL
 *     fields; anonymous ones too, which PostgreSQL cannot hash), ranges,
 *     multiranges and jsonb are walked here, and their
 *     elements go through the same plans, so every element type gets the
 *     same treatment as at top level; domains are their base type;
 *   - every other type uses its extended hash function (the default hash
 *     operator class; 42883 without one), seeded and finalised.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/multirangetypes.h"
#include "utils/numeric.h"
#include "utils/rangetypes.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "common/b2b_pg.h"
#include "uv/uv_pg.h"

typedef enum UvLeaf
{
	UV_LEAF_INT,				/* by value, 1/2/4/8 bytes, bitwise equality */
	UV_LEAF_NUMERIC,
	UV_LEAF_INTERVAL,
	UV_LEAF_TIMETZ,
	UV_LEAF_TYPED,				/* the type's extended hash function */
	UV_LEAF_ARRAY,
	UV_LEAF_RECORD,
	UV_LEAF_RANGE,
	UV_LEAF_MULTIRANGE,
	UV_LEAF_JSONB
} UvLeaf;

struct UvHashPlan
{
	UvLeaf		kind;
	Oid			type;			/* the base type */
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Oid			collation;		/* for collatable leaves and array elements */
	FmgrInfo	proc;			/* TYPED */
	UvHashPlan *sub;			/* ARRAY: element; RANGE: subtype; MULTIRANGE: range */
	TypeCacheEntry *typcache;	/* RANGE, MULTIRANGE */
	MemoryContext mcxt;
	/* RECORD: the plans of the last row type seen (anonymous records vary) */
	Oid			rec_type;
	int32		rec_typmod;
	TupleDesc	rec_desc;
	UvHashPlan **fields;
	Datum	   *values;
	bool	   *nulls;
};

static UvHashPlan *uv_plan_build(Oid type, Oid collation, MemoryContext mcxt);

/* ---- plans ------------------------------------------------------------------ */

static void
uv_report_no_hash(Oid type)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_FUNCTION),
			 errmsg("could not identify an extended hash function for type %s",
					format_type_be(type)),
			 errdetail("uvsketch hashes values with the type's default hash operator class."),
			 errhint("Cast the value to a type that has one, such as text.")));
}

/* A leaf whose type has a hash function: by that function. */
static UvLeaf
uv_leaf_kind(Oid hash_proc, int16 typlen, bool typbyval)
{
	bool		int_like = typbyval && (typlen == 1 || typlen == 2 || typlen == 4 || typlen == 8);

	switch (hash_proc)
	{
		case F_HASHINT2EXTENDED:
		case F_HASHINT4EXTENDED:
		case F_HASHINT8EXTENDED:
		case F_HASHOIDEXTENDED:
		case F_HASHCHAREXTENDED:
		case F_HASHENUMEXTENDED:
		case F_TIMESTAMP_HASH_EXTENDED:
		case F_TIME_HASH_EXTENDED:
		case F_PG_LSN_HASH_EXTENDED:
			return int_like ? UV_LEAF_INT : UV_LEAF_TYPED;
		case F_HASH_NUMERIC_EXTENDED:
			return UV_LEAF_NUMERIC;
		case F_INTERVAL_HASH_EXTENDED:
			return UV_LEAF_INTERVAL;
		case F_TIMETZ_HASH_EXTENDED:
			return UV_LEAF_TIMETZ;
		case F_JSONB_HASH_EXTENDED:
			return UV_LEAF_JSONB;
		default:
			return UV_LEAF_TYPED;
	}
}

/*
 * Containers are recognised by their type, not by a hash function: records
 * (anonymous ones have no hash function in PostgreSQL) and arrays of them
 * work, and an element without hashing is reported by its own type.
 */
static UvHashPlan *
uv_plan_build(Oid type, Oid collation, MemoryContext mcxt)
{
	UvHashPlan *plan;
	Oid			base;
	Oid			elem;

	check_stack_depth();
	base = getBaseType(type);
	plan = MemoryContextAllocZero(mcxt, sizeof(UvHashPlan));
	plan->mcxt = mcxt;
	plan->type = base;
	get_typlenbyvalalign(base, &plan->typlen, &plan->typbyval, &plan->typalign);
	plan->collation = collation;
	if (!OidIsValid(plan->collation) && type_is_collatable(base))
		plan->collation = DEFAULT_COLLATION_OID;

	if (type_is_rowtype(base))
		plan->kind = UV_LEAF_RECORD;	/* field plans come with the first row */
	else if (OidIsValid(elem = get_element_type(base)))
	{
		/* elements compare with the array's collation */
		plan->kind = UV_LEAF_ARRAY;
		plan->sub = uv_plan_build(elem, plan->collation, mcxt);
	}
	else if (type_is_range(base))
	{
		plan->kind = UV_LEAF_RANGE;
		plan->typcache = lookup_type_cache(base, TYPECACHE_RANGE_INFO);
		plan->sub = uv_plan_build(plan->typcache->rngelemtype->type_id,
								  plan->typcache->rng_collation, mcxt);
	}
	else if (type_is_multirange(base))
	{
		plan->kind = UV_LEAF_MULTIRANGE;
		plan->typcache = lookup_type_cache(base, TYPECACHE_MULTIRANGE_INFO);
		plan->sub = uv_plan_build(plan->typcache->rngtype->type_id, InvalidOid, mcxt);
	}
	else if (base == CASHOID)
		plan->kind = UV_LEAF_INT;	/* no hash operator class, but int8 equality */
	else
	{
		TypeCacheEntry *tc = lookup_type_cache(base, TYPECACHE_HASH_EXTENDED_PROC);

		if (!OidIsValid(tc->hash_extended_proc))
			uv_report_no_hash(type);
		plan->kind = uv_leaf_kind(tc->hash_extended_proc, plan->typlen, plan->typbyval);
		if (plan->kind == UV_LEAF_TYPED)
			fmgr_info_cxt(tc->hash_extended_proc, &plan->proc, mcxt);
	}
	return plan;
}

/* The plans of a row type's live columns (fields compare with their own collations). */
static void
uv_record_plan(UvHashPlan *plan, Oid type, int32 typmod)
{
	MemoryContext old = MemoryContextSwitchTo(plan->mcxt);
	TupleDesc	desc = lookup_rowtype_tupdesc_copy(type, typmod);
	int			i;

	MemoryContextSwitchTo(old);
	plan->fields = MemoryContextAllocZero(plan->mcxt, sizeof(UvHashPlan *) * Max(desc->natts, 1));
	plan->values = MemoryContextAlloc(plan->mcxt, sizeof(Datum) * Max(desc->natts, 1));
	plan->nulls = MemoryContextAlloc(plan->mcxt, sizeof(bool) * Max(desc->natts, 1));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped)
			plan->fields[i] = uv_plan_build(att->atttypid, att->attcollation, plan->mcxt);
	}
	plan->rec_desc = desc;
	plan->rec_type = type;
	plan->rec_typmod = typmod;
}

UvHashPlan *
uv_hash_plan(FunctionCallInfo fcinfo, int argno)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;
	UvHashPlan *plan = (UvHashPlan *) flinfo->fn_extra;
	Oid			type;

	if (likely(plan != NULL))
		return plan;

	type = get_fn_expr_argtype(flinfo, argno);
	if (!OidIsValid(type))
	{
		/* no call expression: the declared type, when it is a real one */
		HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(flinfo->fn_oid));

		if (HeapTupleIsValid(tuple))
		{
			Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tuple);

			if (argno < proc->pronargs && !IsPolymorphicType(proc->proargtypes.values[argno]))
				type = proc->proargtypes.values[argno];
			ReleaseSysCache(tuple);
		}
	}
	if (!OidIsValid(type))
		ereport(ERROR,
				(errcode(ERRCODE_INDETERMINATE_DATATYPE),
				 errmsg("could not determine the type of the value to hash"),
				 errdetail("The function was called without a call expression, and its argument is polymorphic."),
				 errhint("Use the smallint, integer, bigint, text or uuid form, which needs no call expression.")));
	plan = uv_plan_build(type, PG_GET_COLLATION(), flinfo->fn_mcxt);
	flinfo->fn_extra = plan;
	return plan;
}

/* ---- hashing ---------------------------------------------------------------- */

uint64
uv_hash_text(Datum value, Oid collation)
{
	if (!OidIsValid(collation))
		collation = DEFAULT_COLLATION_OID;
	return uv_hash_typed(DatumGetUInt64(DirectFunctionCall2Coll(hashtextextended, collation, value,
																UInt64GetDatum(UV_HASH_SEED))));
}

uint64
uv_hash_uuid(Datum value)
{
	return uv_hash_typed(DatumGetUInt64(DirectFunctionCall2(uuid_hash_extended, value,
															UInt64GetDatum(UV_HASH_SEED))));
}

static uint64
uv_hash_numeric_value(Numeric n)
{
	static Numeric zero = NULL;
	uint64		h = DatumGetUInt64(DirectFunctionCall2(hash_numeric_extended, NumericGetDatum(n),
													   UInt64GetDatum(UV_HASH_SEED)));
	bool		negative;
	UvNumericKind kind;

	if (zero == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		zero = b2b_numeric_from_int64(0);
		MemoryContextSwitchTo(old);
	}
	if (numeric_is_nan(n))
		return uv_hash_numeric(h, UV_NUMERIC_NAN);
	negative = b2b_numeric_cmp(n, zero) < 0;
	if (B2B_NUMERIC_IS_INF(n))
		kind = negative ? UV_NUMERIC_MINUS_INFINITY : UV_NUMERIC_PLUS_INFINITY;
	else
		kind = negative ? UV_NUMERIC_NEGATIVE : UV_NUMERIC_NONNEGATIVE;
	return uv_hash_numeric(h, kind);
}

static uint64
uv_hash_int_datum(const UvHashPlan *plan, Datum value)
{
	switch (plan->typlen)
	{
		case 1:
			return uv_hash_int64((int8) DatumGetChar(value));
		case 2:
			return uv_hash_int64(DatumGetInt16(value));
		case 4:
			return uv_hash_int64(DatumGetInt32(value));
		default:
			return uv_hash_int64(DatumGetInt64(value));
	}
}

static uint64
uv_hash_array(UvHashPlan *plan, Datum value)
{
	ArrayType  *arr = DatumGetArrayTypeP(value);
	UvHashPlan *elem = plan->sub;
	int			ndim = ARR_NDIM(arr);
	int		   *dims = ARR_DIMS(arr);
	int		   *lbs = ARR_LBOUND(arr);
	int			nitems = ArrayGetNItems(ndim, dims);
	char	   *p = ARR_DATA_PTR(arr);
	bits8	   *bitmap = ARR_NULLBITMAP(arr);
	int			bitmask = 1;
	uint64		acc = uv_hash_begin(UV_TAG_ARRAY);
	int			i;

	/* '{1,2}', '{{1,2}}' and '[0:1]={1,2}' are three values */
	acc = uv_hash_step(acc, (uint64) ndim);
	for (i = 0; i < ndim; i++)
	{
		acc = uv_hash_step(acc, (uint64) (uint32) dims[i]);
		acc = uv_hash_step(acc, (uint64) (uint32) lbs[i]);
	}
	for (i = 0; i < nitems; i++)
	{
		if (bitmap && (*bitmap & bitmask) == 0)
			acc = uv_hash_null_step(acc);
		else
		{
			Datum		elt = fetch_att(p, elem->typbyval, elem->typlen);

			acc = uv_hash_step(acc, uv_hash_datum(elem, elt));
			p = att_addlength_pointer(p, elem->typlen, p);
			p = (char *) att_align_nominal(p, elem->typalign);
		}
		if (bitmap)
		{
			bitmask <<= 1;
			if (bitmask == 0x100)
			{
				bitmap++;
				bitmask = 1;
			}
		}
		if ((i & 1023) == 1023)
			CHECK_FOR_INTERRUPTS();
	}
	return acc;
}

static uint64
uv_hash_record(UvHashPlan *plan, Datum value)
{
	HeapTupleHeader td = DatumGetHeapTupleHeader(value);
	Oid			type = HeapTupleHeaderGetTypeId(td);
	int32		typmod = HeapTupleHeaderGetTypMod(td);
	HeapTupleData tuple;
	uint64		acc = uv_hash_begin(UV_TAG_RECORD);
	int			live = 0;
	int			i;

	if (plan->fields == NULL || type != plan->rec_type || typmod != plan->rec_typmod)
		uv_record_plan(plan, type, typmod);
	tuple.t_len = HeapTupleHeaderGetDatumLength(td);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = td;
	heap_deform_tuple(&tuple, plan->rec_desc, plan->values, plan->nulls);

	for (i = 0; i < plan->rec_desc->natts; i++)
		live += plan->fields[i] != NULL;
	acc = uv_hash_step(acc, (uint64) live);
	for (i = 0; i < plan->rec_desc->natts; i++)
	{
		if (plan->fields[i] == NULL)
			continue;			/* a dropped column */
		if (plan->nulls[i])
			acc = uv_hash_null_step(acc);
		else
			acc = uv_hash_step(acc, uv_hash_datum(plan->fields[i], plan->values[i]));
	}
	return acc;
}

/* flags, then the finite bounds: what range equality compares */
static uint64
uv_hash_range_value(UvHashPlan *plan, TypeCacheEntry *typcache, const RangeType *r)
{
	RangeBound	lower;
	RangeBound	upper;
	bool		empty;
	char		flags = range_get_flags(r);
	uint64		acc = uv_hash_begin(UV_TAG_RANGE);

	range_deserialize(typcache, r, &lower, &upper, &empty);
	acc = uv_hash_step(acc, (uint64) (flags & (RANGE_EMPTY | RANGE_LB_INC | RANGE_UB_INC |
											   RANGE_LB_INF | RANGE_UB_INF)));
	if (!empty)
	{
		if (!lower.infinite)
			acc = uv_hash_step(acc, uv_hash_datum(plan->sub, lower.val));
		if (!upper.infinite)
			acc = uv_hash_step(acc, uv_hash_datum(plan->sub, upper.val));
	}
	return acc;
}

static uint64
uv_hash_multirange(UvHashPlan *plan, Datum value)
{
	MultirangeType *mr = DatumGetMultirangeTypeP(value);
	UvHashPlan *range = plan->sub;
	int32		count;
	RangeType **ranges;
	uint64		acc = uv_hash_begin(UV_TAG_MULTIRANGE);
	int32		i;

	multirange_deserialize(plan->typcache->rngtype, mr, &count, &ranges);
	acc = uv_hash_step(acc, (uint64) count);
	for (i = 0; i < count; i++)
		acc = uv_hash_step(acc, uv_hash_range_value(range, range->typcache, ranges[i]));
	return acc;
}

static uint64
uv_hash_jsonb_scalar(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return uv_hash_int64(UV_TAG_JSON_NULL);
		case jbvBool:
			return uv_hash_int64(v->val.boolean ? UV_TAG_JSON_TRUE : UV_TAG_JSON_FALSE);
		case jbvString:
			/* jsonb compares strings by their bytes (the default collation is deterministic) */
			return uv_hash_typed(hash_bytes_extended((const unsigned char *) v->val.string.val,
													 v->val.string.len, UV_HASH_SEED));
		case jbvNumeric:
			return uv_hash_numeric_value(v->val.numeric);
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("unexpected jsonb value type %d", (int) v->type)));
	}
	return 0;					/* not reached */
}

/* every token of the structure, and every key and scalar, in jsonb's own order */
static uint64
uv_hash_jsonb(Datum value)
{
	Jsonb	   *jb = DatumGetJsonbP(value);
	JsonbIterator *it = JsonbIteratorInit(&jb->root);
	JsonbValue	v;
	JsonbIteratorToken token;
	uint64		acc = uv_hash_begin(UV_TAG_JSONB);

	while ((token = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		switch (token)
		{
			case WJB_BEGIN_ARRAY:
				acc = uv_hash_step(acc, v.val.array.rawScalar ? UV_TAG_JSON_BEGIN_SCALAR
								   : UV_TAG_JSON_BEGIN_ARRAY);
				break;
			case WJB_END_ARRAY:
				acc = uv_hash_step(acc, UV_TAG_JSON_END_ARRAY);
				break;
			case WJB_BEGIN_OBJECT:
				acc = uv_hash_step(acc, UV_TAG_JSON_BEGIN_OBJECT);
				break;
			case WJB_END_OBJECT:
				acc = uv_hash_step(acc, UV_TAG_JSON_END_OBJECT);
				break;
			case WJB_KEY:
				acc = uv_hash_step(uv_hash_step(acc, UV_TAG_JSON_KEY), uv_hash_jsonb_scalar(&v));
				break;
			case WJB_VALUE:
				acc = uv_hash_step(uv_hash_step(acc, UV_TAG_JSON_VALUE), uv_hash_jsonb_scalar(&v));
				break;
			case WJB_ELEM:
				acc = uv_hash_step(uv_hash_step(acc, UV_TAG_JSON_ELEM), uv_hash_jsonb_scalar(&v));
				break;
			default:
				break;
		}
	}
	return acc;
}

uint64
uv_hash_datum(UvHashPlan *plan, Datum value)
{
	switch (plan->kind)
	{
		case UV_LEAF_INT:
			return uv_hash_int_datum(plan, value);
		case UV_LEAF_NUMERIC:
			return uv_hash_numeric_value(DatumGetNumeric(value));
		case UV_LEAF_INTERVAL:
			{
				Interval   *iv = DatumGetIntervalP(value);

				return uv_hash_interval(iv->time, iv->day, iv->month);
			}
		case UV_LEAF_TIMETZ:
			{
				TimeTzADT  *t = DatumGetTimeTzADTP(value);

				return uv_hash_timetz(t->time, t->zone);
			}
		case UV_LEAF_TYPED:
			return uv_hash_typed(DatumGetUInt64(FunctionCall2Coll(&plan->proc, plan->collation, value,
																  UInt64GetDatum(UV_HASH_SEED))));
		case UV_LEAF_ARRAY:
			check_stack_depth();
			return uv_hash_array(plan, value);
		case UV_LEAF_RECORD:
			check_stack_depth();
			return uv_hash_record(plan, value);
		case UV_LEAF_RANGE:
			return uv_hash_range_value(plan, plan->typcache, DatumGetRangeTypeP(value));
		case UV_LEAF_MULTIRANGE:
			return uv_hash_multirange(plan, value);
		case UV_LEAF_JSONB:
			return uv_hash_jsonb(value);
	}
	return 0;					/* not reached */
}
