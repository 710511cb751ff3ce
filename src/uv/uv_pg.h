/*
 * uv_pg.h
 *		What the uv glue files share: turning SQL values into version-2
 *		hashes (uv_hash_pg.c) for the aggregates and functions (uv_pg.c).
 */
#ifndef B2B_UV_PG_H
#define B2B_UV_PG_H

#include "postgres.h"

#include "fmgr.h"

#include "uv/uv.h"

typedef struct UvHashPlan UvHashPlan;

/*
 * The hashing plan of argument argno of the call: its type from the call
 * expression, or, without one (Citus calls transition functions through a
 * bare FmgrInfo), the function's declared argument type.  Built once per
 * call site and kept in fn_extra when the caller keeps fn_extra.
 */
extern UvHashPlan *uv_hash_plan(FunctionCallInfo fcinfo, int argno);

/* The version-2 hash of a non-NULL value of the plan's type. */
extern uint64 uv_hash_datum(UvHashPlan *plan, Datum value);

/*
 * The typed fast paths, equal to uv_hash_datum() on a plan of that type:
 * the typed aggregates and the generic path must agree, since their
 * sketches are unioned with each other.
 */
extern uint64 uv_hash_text(Datum value, Oid collation);
extern uint64 uv_hash_uuid(Datum value);

#endif							/* B2B_UV_PG_H */
