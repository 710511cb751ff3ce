/*
 * released_pg.c
 *		C symbols that released install scripts name but this library no
 *		longer implements with their old calling convention: funnel_counts'
 *		internal-state support functions of 1.0 (its state is funnel_levels
 *		since 1.1).  They refuse to run until ALTER EXTENSION b2bmetrics UPDATE.
 */
#include "postgres.h"

#include "fmgr.h"

#include "common/b2b_pg.h"

B2B_RELEASED_SYMBOL_STUB(funnel_counts_transfn, "1.0")
B2B_RELEASED_SYMBOL_STUB(funnel_counts_finalfn, "1.0")
B2B_RELEASED_SYMBOL_STUB(funnel_counts_combinefn, "1.0")
B2B_RELEASED_SYMBOL_STUB(funnel_counts_serialfn, "1.0")
B2B_RELEASED_SYMBOL_STUB(funnel_counts_deserialfn, "1.0")
