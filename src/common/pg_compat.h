/*
 * pg_compat.h
 *		The one place that knows PostgreSQL versions.  Glue code uses these
 *		names and never tests PG_VERSION_NUM itself.
 *
 * Only PostgreSQL 15 is built and tested (docs/developer.md, "Compatibility");
 * the fallbacks below cover the API differences of 13, 14 and 16, 17 as far
 * as their headers show, without a claim that those versions work.
 */
#ifndef B2B_PG_COMPAT_H
#define B2B_PG_COMPAT_H

#include "postgres.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

/* Infinite intervals exist from PostgreSQL 17 on. */
#ifdef INTERVAL_NOT_FINITE
#define B2B_INTERVAL_IS_FINITE(iv)	(!INTERVAL_NOT_FINITE(iv))
#else
#define B2B_INTERVAL_IS_FINITE(iv)	true
#endif

/* numeric infinities (and numeric_is_inf) exist from PostgreSQL 14 on. */
#if PG_VERSION_NUM >= 140000
#define B2B_NUMERIC_IS_INF(n)		numeric_is_inf(n)
#else
#define B2B_NUMERIC_IS_INF(n)		false
#endif

/*
 * int64_div_fast_to_numeric() keeps the scale it is given (an int64 of
 * 10^-scale units) from PostgreSQL 15 on.
 */
#if PG_VERSION_NUM >= 150000
#define B2B_HAVE_INT64_DIV_FAST_TO_NUMERIC 1
#endif

#if PG_VERSION_NUM < 140000
#define int64_to_numeric(v) \
	DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(v)))
#endif

#endif							/* B2B_PG_COMPAT_H */
