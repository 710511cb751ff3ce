/*
 * b2bmetrics.c
 *		The module's single PG_MODULE_MAGIC.  Everything else lives in one
 *		folder per family under src/: a pure C core (no PostgreSQL headers)
 *		plus a *_pg.c glue file and the family's SQL declarations.
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;
