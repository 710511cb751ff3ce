/*
 * released_pg.c
 *		The C symbols that b2bmetrics 1.0's health objects name, kept for a
 *		1.0 catalog running with this library until ALTER EXTENSION
 *		b2bmetrics UPDATE points them at the 1.1 functions.
 *
 * health_band and health_band_thresholds keep their names and calling
 * convention.  The support functions of health_score and health_score_detail
 * took an internal state (with 1.0's big-endian serialized form) that 1.1
 * replaced by the health_state type: called with a 1.0 state they would
 * misread it, so they refuse to run (55000).
 */
#include "postgres.h"

#include "fmgr.h"

#include "common/b2b_pg.h"

B2B_RELEASED_SYMBOL_STUB(health_transfn, "1.0")
B2B_RELEASED_SYMBOL_STUB(health_combinefn, "1.0")
B2B_RELEASED_SYMBOL_STUB(health_serializefn, "1.0")
B2B_RELEASED_SYMBOL_STUB(health_deserializefn, "1.0")
B2B_RELEASED_SYMBOL_STUB(health_score_finalfn, "1.0")
B2B_RELEASED_SYMBOL_STUB(health_detail_finalfn, "1.0")
