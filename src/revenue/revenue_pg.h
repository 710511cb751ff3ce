/*
 * revenue_pg.h
 *		What the revenue family's glue files share (defined in
 *		revenue_pg.c): exact amounts to and from numeric, ratios, the
 *		checked mrr_totals datum, the gross margin argument.
 */
#ifndef B2B_REVENUE_PG_H
#define B2B_REVENUE_PG_H

#include "postgres.h"

#include "fmgr.h"
#include "access/tupdesc.h"
#include "utils/numeric.h"

#include "revenue/revenue.h"

/* An exact amount from a numeric; 'what' names the value in errors (22023, 22003). */
extern void numeric_to_amount(Numeric num, const char *what, rev_amount *units, int *scale);
extern Numeric amount_to_numeric(rev_amount units, int scale);
extern Numeric decimal_to_numeric(rev_decimal d);
/* The core's ratio, multiplied and divided once in numeric. */
extern Numeric ratio_to_numeric(const rev_ratio *r);
extern rev_numclass numeric_class(Numeric n);
extern Numeric float8_to_numeric(float8 d);
extern void report_overflow(const char *what) pg_attribute_noreturn();
/* An mrr_totals argument: valid, and its periods a chain (XX001, 22023). */
extern rev_totals *totals_chained(Datum d);
/* A gross margin argument, checked and normalized (22023, 22003). */
extern rev_amount margin_from_numeric(Numeric margin);
extern TupleDesc result_tupdesc(FunctionCallInfo fcinfo);
/* The OIDs of the labels of mrr_kind (its type OID given), in rev_kind order. */
extern const Oid *kind_oids(Oid kind_type);
/*
 * The answer of a B2bStateIO decoder for a fixed-size state: on REV_OK the
 * decoded struct (of size bytes) becomes *value; otherwise why the bytes
 * were refused (the version, the length, or the core's checks).
 */
extern const char *rev_fixed_state_decoded(rev_status st, const uint8 *in, Size len, void *decoded, Size size,
										   const char *type_name, int version, int encoded_size,
										   struct varlena **value);
/* The type a function returns: from its call expression, else its declaration. */
extern Oid result_type(FunctionCallInfo fcinfo);

#endif							/* B2B_REVENUE_PG_H */
