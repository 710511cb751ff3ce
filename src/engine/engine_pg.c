/*
 * engine_pg.c
 *		The PostgreSQL side of the per-entity engine (see engine_pg.h).
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/primnodes.h"
#include "optimizer/optimizer.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

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
b2b_report_memory_limit(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_OUT_OF_MEMORY),
			 errmsg("%s exceeds its memory limit", what),
			 errdetail("Its rows need more than work_mem x hash_mem_multiplier (%zu kB here).",
					   b2b_engine_memory_limit() / 1024),
			 errhint("Raise work_mem or hash_mem_multiplier for this query, or add ORDER BY entity, ts inside the call to stream the rows in constant memory.")));
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
