/*
 * engine_pg.c
 *		The PostgreSQL side of the per-entity engine (see engine_pg.h).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "optimizer/optimizer.h"
#include "utils/memutils.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

#include "common/bytes.h"
#include "engine/engine_pg.h"

static void *
context_alloc(size_t size, void *ctx)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size);
}

static void
context_release(void *ptr, void *ctx)
{
	pfree(ptr);
}

static void
check_interrupts(void *ctx)
{
	CHECK_FOR_INTERRUPTS();
}

EngAllocator
b2b_engine_allocator(MemoryContext cxt)
{
	EngAllocator a = {context_alloc, context_release, check_interrupts, cxt};

	return a;
}

/* The same, allocated in cxt, for memory that outlives the call. */
static EngAllocator *
allocator_in(MemoryContext cxt)
{
	EngAllocator *a = MemoryContextAlloc(cxt, sizeof(EngAllocator));

	*a = b2b_engine_allocator(cxt);
	return a;
}

size_t
b2b_engine_memory_limit(void)
{
	return get_hash_memory_limit();
}

/* A state's share, given back when the memory it counts goes away with its context. */
typedef struct StateMemory
{
	EngMemory	memory;
	MemoryContextCallback reset;
} StateMemory;

static void
give_back(void *arg)
{
	eng_memory_detach(&((StateMemory *) arg)->memory);
}

EngMemory *
b2b_engine_memory(FunctionCallInfo fcinfo, MemoryContext aggcontext, EngMemory **budget)
{
	StateMemory *sm;

	if (*budget == NULL)
	{
		/* the budget only counts: its allocator is never called */
		*budget = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(EngMemory));
		eng_memory_init(*budget, allocator_in(fcinfo->flinfo->fn_mcxt), b2b_engine_memory_limit());
	}
	sm = MemoryContextAllocZero(aggcontext, sizeof(StateMemory));
	eng_memory_init(&sm->memory, allocator_in(aggcontext), 0);
	sm->memory.parent = *budget;
	sm->reset.func = give_back;
	sm->reset.arg = sm;
	MemoryContextRegisterResetCallback(aggcontext, &sm->reset);
	return &sm->memory;
}

EngMemory *
b2b_engine_memory_unbounded(MemoryContext cxt)
{
	EngMemory  *m = MemoryContextAlloc(cxt, sizeof(EngMemory));

	eng_memory_init(m, allocator_in(cxt), 0);
	return m;
}

void
b2b_report_memory_limit(const char *what, const char *alternative)
{
	ereport(ERROR,
			(errcode(ERRCODE_OUT_OF_MEMORY),
			 errmsg("%s exceeds its memory limit", what),
			 errdetail("Its rows need more than work_mem x hash_mem_multiplier (%zu kB here).",
					   b2b_engine_memory_limit() / 1024),
			 alternative ?
			 errhint("Raise work_mem or hash_mem_multiplier for this query, or %s", alternative) :
			 errhint("Raise work_mem or hash_mem_multiplier for this query.")));
}

bool
b2b_agg_ordered_by(FunctionCallInfo fcinfo, const int *args, const bool *ascending, int n)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	ListCell   *lc;
	int			k = 0;

	if (aggref == NULL || list_length(aggref->aggorder) < n)
		return false;
	foreach(lc, aggref->aggorder)
	{
		SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);
		TargetEntry *tle;

		if (k == n)
			break;
		tle = get_sortgroupclause_tle(sgc, aggref->args);
		if (tle->resno != args[k] + 1)
			return false;
		if (ascending[k])
		{
			TypeCacheEntry *tc = lookup_type_cache(exprType((Node *) tle->expr), TYPECACHE_LT_OPR);

			if (!OidIsValid(tc->lt_opr) || sgc->sortop != tc->lt_opr)
				return false;
		}
		k++;
	}
	return k == n;
}

/* ---- entity keys ------------------------------------------------------------------- */

/*
 * Entity keys become bytes that are equal exactly when the values are equal:
 * integers as 8 little-endian bytes (so smallint, integer and bigint agree),
 * dates and timestamps likewise, uuids as their 16 bytes, text as its bytes
 * (under a deterministic collation; trailing blanks dropped for character(n),
 * which ignores them).
 */
typedef enum EntityKind
{
	ENTITY_INT2,
	ENTITY_INT4,
	ENTITY_INT8,
	ENTITY_OID,
	ENTITY_DATE,
	ENTITY_TIMESTAMP,
	ENTITY_UUID,
	ENTITY_TEXT,
	ENTITY_BPCHAR,
	ENTITY_BYTEA
} EntityKind;

/*
 * The collation that decides equality of text entities: the entity
 * expression's own (an explicit COLLATE on another argument must not hide a
 * nondeterministic one), else the call's.
 */
static Oid
entity_collation(FunctionCallInfo fcinfo, int argno)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);

	if (aggref != NULL && list_length(aggref->args) > argno - 1)
		return exprCollation((Node *) list_nth_node(TargetEntry, aggref->args, argno - 1)->expr);
	return PG_GET_COLLATION();
}

static int
entity_kind_of(Oid type, Oid collation, const char *what)
{
	Oid			base = getBaseType(type);

	switch (base)
	{
		case INT2OID:
			return ENTITY_INT2;
		case INT4OID:
			return ENTITY_INT4;
		case INT8OID:
			return ENTITY_INT8;
		case OIDOID:
			return ENTITY_OID;
		case DATEOID:
			return ENTITY_DATE;
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return ENTITY_TIMESTAMP;
		case UUIDOID:
			return ENTITY_UUID;
		case BYTEAOID:
			return ENTITY_BYTEA;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			if (OidIsValid(collation) && !get_collation_isdeterministic(collation))
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("%s entities cannot use a nondeterministic collation", what),
						 errhint("Add COLLATE \"C\" to the entity, or use its lower() or another canonical form.")));
			return base == BPCHAROID ? ENTITY_BPCHAR : ENTITY_TEXT;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s entities of type %s are not supported", what, format_type_be(type)),
					 errdetail("Entities may be smallint, integer, bigint, oid, date, timestamp, timestamptz, uuid, text, varchar, character or bytea."),
					 errhint("Cast the entity to text or bigint.")));
	}
	return -1;
}

int
b2b_entity_kind(FunctionCallInfo fcinfo, int argno, const char *what)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, argno);
	int			kind;

	if (!OidIsValid(type))
		ereport(ERROR,
				(errcode(ERRCODE_INDETERMINATE_DATATYPE),
				 errmsg("could not determine the type of the %s entity", what)));
	kind = entity_kind_of(type, entity_collation(fcinfo, argno), what);
	if (OidIsValid(PG_GET_COLLATION()))
		(void) entity_kind_of(type, PG_GET_COLLATION(), what);
	return kind;
}

uint32
b2b_entity_key(int kind, Datum value, uint8 *buf, const uint8 **key, const char *what)
{
	switch ((EntityKind) kind)
	{
		case ENTITY_INT2:
			b2b_put_i64(buf, DatumGetInt16(value));
			break;
		case ENTITY_INT4:
			b2b_put_i64(buf, DatumGetInt32(value));
			break;
		case ENTITY_INT8:
		case ENTITY_TIMESTAMP:
			b2b_put_i64(buf, DatumGetInt64(value));
			break;
		case ENTITY_OID:
			b2b_put_i64(buf, DatumGetObjectId(value));
			break;
		case ENTITY_DATE:
			b2b_put_i64(buf, DatumGetDateADT(value));
			break;
		case ENTITY_UUID:
			*key = DatumGetUUIDP(value)->data;
			return UUID_LEN;
		default:
			{
				struct varlena *v = PG_DETOAST_DATUM_PACKED(value);
				uint32		len = VARSIZE_ANY_EXHDR(v);

				*key = (const uint8 *) VARDATA_ANY(v);
				if (kind == ENTITY_BPCHAR)
					while (len > 0 && (*key)[len - 1] == ' ')
						len--;
				if (len > ENG_MAX_KEY)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("%s entity is too long", what),
							 errdetail("An entity may have at most %u bytes; this one has %u.", ENG_MAX_KEY, len)));
				return len;
			}
	}
	*key = buf;
	return 8;
}
