/*
 * released_pg.c
 *		The C symbols that b2bmetrics 1.0's revenue objects name, kept for a
 *		1.0 catalog running with this library until ALTER EXTENSION
 *		b2bmetrics UPDATE points them at the 1.1 functions.
 *
 * Two kinds.  A symbol renamed in 1.1 with its calling convention unchanged
 * (the mrr_movement aggregate's support functions, the classifier, the ltv
 * formula) runs the 1.1 function.  A symbol whose convention changed (the
 * support functions of mrr_bridge, churn_rate and ltv, whose internal state
 * became the mrr_totals type) refuses to run (55000): called with a 1.0
 * state it would misread it.
 */
#include "postgres.h"

#include "fmgr.h"

#include "common/b2b_pg.h"

/* A 1.0 symbol that is the 1.1 function under its old name. */
#define RELEASED_SYMBOL_ALIAS(symbol, current) \
	extern Datum current(PG_FUNCTION_ARGS); \
	PG_FUNCTION_INFO_V1(symbol); \
	Datum symbol(PG_FUNCTION_ARGS); \
	Datum symbol(PG_FUNCTION_ARGS) { return current(fcinfo); }

RELEASED_SYMBOL_ALIAS(mrr_movement_trans, mrr_movement_transfn)
RELEASED_SYMBOL_ALIAS(mrr_movement_combine, mrr_movement_combinefn)
RELEASED_SYMBOL_ALIAS(mrr_movement_serialize, mrr_movement_serialfn)
RELEASED_SYMBOL_ALIAS(mrr_movement_deserialize, mrr_movement_deserialfn)
RELEASED_SYMBOL_ALIAS(mrr_movement_final, mrr_movement_finalfn)
RELEASED_SYMBOL_ALIAS(mrr_movement_classify, mrr_classify)
RELEASED_SYMBOL_ALIAS(ltv_formula, ltv)

B2B_RELEASED_SYMBOL_STUB(mrr_totals_combine, "1.0")
B2B_RELEASED_SYMBOL_STUB(mrr_totals_serialize, "1.0")
B2B_RELEASED_SYMBOL_STUB(mrr_totals_deserialize, "1.0")
B2B_RELEASED_SYMBOL_STUB(mrr_bridge_trans, "1.0")
B2B_RELEASED_SYMBOL_STUB(mrr_bridge_final, "1.0")
B2B_RELEASED_SYMBOL_STUB(churn_rate_trans, "1.0")
B2B_RELEASED_SYMBOL_STUB(churn_rate_final, "1.0")
B2B_RELEASED_SYMBOL_STUB(ltv_trans, "1.0")
B2B_RELEASED_SYMBOL_STUB(ltv_final, "1.0")
