/*
 * engine_pg.h
 *		The PostgreSQL side of the per-entity engine, for every family whose
 *		aggregates hold many entities (funnel_report, and the families built on
 *		the engine after it): memory from the aggregate context, counted
 *		against one budget per aggregate call site, interrupts checked in long
 *		loops, and the aggregate's ORDER BY read to know when rows arrive in
 *		an order that lets a state stream.
 */
#ifndef B2B_ENGINE_PG_H
#define B2B_ENGINE_PG_H

#include "postgres.h"

#include "fmgr.h"

#include "engine/engine.h"

/*
 * A state's memory: allocations in aggcontext, counted against the call
 * site's budget of work_mem x hash_mem_multiplier shared by all the groups of
 * that aggregate (*budget, kept in the family's fn_extra, made on first use).
 * When aggcontext is reset the state's share goes back to the budget.
 */
extern EngMemory *b2b_engine_memory(FunctionCallInfo fcinfo, MemoryContext aggcontext, EngMemory **budget);

/* An allocator in cxt that checks for interrupts in long loops. */
extern EngAllocator b2b_engine_allocator(MemoryContext cxt);

/* Memory without a budget, in cxt: for a partial state that a combine function only reads. */
extern EngMemory *b2b_engine_memory_unbounded(MemoryContext cxt);

/* The memory limit a budget gets: work_mem x hash_mem_multiplier, in bytes. */
extern size_t b2b_engine_memory_limit(void);

/* The error for ENG_ERR_MEMORY (53200, with the limit and the settings to raise). */
/*
 * The 53200 error of an aggregate past work_mem x hash_mem_multiplier; the hint
 * offers ALTERNATIVE (a sentence that completes "or ...") when the aggregate has one.
 */
extern void b2b_report_memory_limit(const char *what, const char *alternative) pg_attribute_noreturn();

/*
 * Does the aggregate's ORDER BY begin with these arguments (0-based), in this
 * order?  ascending[i] requires argument i sorted ascending by its type's
 * default "<" (for a time); otherwise any direction will do (for an entity,
 * whose rows only need to come together).
 */
extern bool b2b_agg_ordered_by(FunctionCallInfo fcinfo, const int *args, const bool *ascending, int n);

/*
 * Entities of a whole-table aggregate (funnel_report, retention_report): the
 * kind of the entity argument argno (1-based, as PG_GETARG numbers it in a
 * transition function) of the call, checked once per call site (42P18 when its
 * type cannot be determined, 42804 for a type without canonical bytes, 0A000
 * for text under a nondeterministic collation); then each value's key bytes,
 * equal exactly when the values are equal (*key points into buf, 8 bytes, or
 * into the value).  what names the aggregate in messages.
 */
extern int	b2b_entity_kind(FunctionCallInfo fcinfo, int argno, const char *what);
extern uint32 b2b_entity_key(int kind, Datum value, uint8 *buf, const uint8 **key, const char *what);

#endif							/* B2B_ENGINE_PG_H */
