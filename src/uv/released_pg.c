/*
 * released_pg.c
 *		C symbols that b2bmetrics 1.0's install script names and 1.1 renamed
 *		(docs/developer.md, "Versions and upgrades").  Their calling
 *		conventions did not change, so each old name runs the new function:
 *		a 1.0 catalog (before ALTER EXTENSION b2bmetrics UPDATE) keeps
 *		working, with 1.1's hashing.
 */
#include "postgres.h"

#include "fmgr.h"

extern Datum uv_sketch_transfn(PG_FUNCTION_ARGS);
extern Datum uv_hll_finalfn(PG_FUNCTION_ARGS);
extern Datum uv_sketch_finalfn(PG_FUNCTION_ARGS);

#define UV_RELEASED_ALIAS(old_name, new_name) \
	PG_FUNCTION_INFO_V1(old_name); \
	Datum old_name(PG_FUNCTION_ARGS); \
	Datum old_name(PG_FUNCTION_ARGS) { return new_name(fcinfo); }

/* uv_sketch_trans(uvsketch, anyelement), uv_sketch_trans_precision(uvsketch, anyelement, integer) */
UV_RELEASED_ALIAS(uv_sketch_trans, uv_sketch_transfn)
UV_RELEASED_ALIAS(uv_sketch_trans_precision, uv_sketch_transfn)
UV_RELEASED_ALIAS(uv_hll_final, uv_hll_finalfn)
UV_RELEASED_ALIAS(uv_sketch_final, uv_sketch_finalfn)
