/*
 * b2b_pg.c
 *		Shared PostgreSQL glue (see b2b_pg.h).
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"

#include "common/b2b_pg.h"
#include "common/bytes.h"

/* ---- aggregates ---------------------------------------------------------- */

MemoryContext
b2b_agg_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
	{
		char	   *name = fcinfo->flinfo ? get_func_name(fcinfo->flinfo->fn_oid) : NULL;

		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be called as part of an aggregate",
						name ? name : "this function")));
	}
	return aggcontext;
}

bool
b2b_agg_arg_is_const(FunctionCallInfo fcinfo, int argno)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	TargetEntry *tle;

	if (aggref == NULL || list_length(aggref->args) <= argno)
		return false;
	tle = list_nth_node(TargetEntry, aggref->args, argno);
	return IsA(tle->expr, Const);
}

/* ---- arguments ----------------------------------------------------------- */

void
b2b_require_not_null(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", name)));
}

int64
b2b_interval_usec(const Interval *iv, const char *name)
{
	int64		days_usec;
	int64		total;

	if (!B2B_INTERVAL_IS_FINITE(iv))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite interval", name),
				 errdetail("The value given is %s.", b2b_interval_text(iv))));
	if (iv->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not contain months or years", name),
				 errdetail("The value given is %s.", b2b_interval_text(iv)),
				 errhint("A month has no fixed length: give the %s in days (a day counts as 24 hours), for example '30 days'.",
						 name)));
	if (pg_mul_s64_overflow((int64) iv->day, USECS_PER_DAY, &days_usec) ||
		pg_add_s64_overflow(days_usec, iv->time, &total))
		ereport(ERROR,
				(errcode(ERRCODE_INTERVAL_FIELD_OVERFLOW),
				 errmsg("%s is out of range", name),
				 errdetail("The value given is %s.", b2b_interval_text(iv))));
	if (total <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive", name),
				 errdetail("The value given is %s.", b2b_interval_text(iv))));
	return total;
}

void
b2b_require_finite(TimestampTz t, const char *name)
{
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be a finite timestamp", name),
				 errdetail("The value given is %s.", b2b_timestamptz_text(t))));
}

/* ---- the text of values ------------------------------------------------- */

char *
b2b_timestamptz_text(TimestampTz t)
{
	return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(t)));
}

char *
b2b_interval_text(const Interval *iv)
{
	return DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(iv)));
}

char *
b2b_numeric_text(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
}

char *
b2b_datum_text(Datum value, Oid type)
{
	Oid			out;
	bool		varlena;

	getTypeOutputInfo(type, &out, &varlena);
	return OidOutputFunctionCall(out, value);
}

/* ---- numerics ---------------------------------------------------------- */

Numeric
b2b_numeric_from_int64(int64 v)
{
	return int64_to_numeric(v);
}

Numeric
b2b_numeric_scaled(int64 units, int decimals)
{
	return int64_div_fast_to_numeric(units, decimals);
}

/*
 * Printed with as many digits as the value needs (psprintf sizes the buffer),
 * so no magnitude is cut; rounding is printf's, of the exact binary value.
 */
Numeric
b2b_numeric_from_double(double d, int decimals)
{
	char	   *s;
	int			len;

	if (!isfinite(d))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range: %g is not a finite number", d)));
	s = psprintf("%.*f", decimals, d);
	len = strlen(s);
	if (strchr(s, '.') != NULL)
	{
		while (s[len - 1] == '0')
			len--;
		if (s[len - 1] == '.')
			len--;
		s[len] = '\0';
	}
	if (strcmp(s, "-0") == 0)
		s = "0";
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
											   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
}

double
b2b_numeric_to_double(Numeric n)
{
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, NumericGetDatum(n)));
}

Numeric
b2b_numeric_mul(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(a), NumericGetDatum(b)));
}

Numeric
b2b_numeric_div(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_div, NumericGetDatum(a), NumericGetDatum(b)));
}

/* numeric's own order: NaN above everything. */
int
b2b_numeric_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b)));
}

int
b2b_numeric_cmp_int64(Numeric a, int64 b)
{
	return b2b_numeric_cmp(a, int64_to_numeric(b));
}

/* ---- bytes ----------------------------------------------------------------- */

bytea *
b2b_bytea_new(Size len, uint8 **data)
{
	bytea	   *out;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("value too large to be stored or sent"),
				 errdetail("It needs %zu bytes; the limit is %zu.", len, (Size) (MaxAllocSize - VARHDRSZ))));
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	*data = (uint8 *) VARDATA(out);
	return out;
}

void
b2b_report_bad_bytes(const char *what, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary representation of %s", what),
			 errdetail("%s", why)));
}

/* ---- state types ------------------------------------------------------------ */

struct varlena *
b2b_state_from_text(const B2bStateIO *io, const char *text)
{
	size_t		prefix_len = strlen(io->prefix);
	size_t		len = strlen(text);
	uint8	   *bytes;
	struct varlena *value;
	const char *why;

	if (len < prefix_len + 1 || memcmp(text, io->prefix, prefix_len) != 0 || text[prefix_len] != ':')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", io->type_name),
				 errdetail("The text form starts with \"%s:\".", io->prefix)));
	text += prefix_len + 1;
	len -= prefix_len + 1;
	bytes = palloc(len / 2 + 1);
	if (!b2b_hex_decode(text, len, bytes))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", io->type_name),
				 errdetail("After \"%s:\" comes an even number of hexadecimal digits.", io->prefix)));
	why = io->decode(bytes, len / 2, &value);
	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", io->type_name),
				 errdetail("%s", why)));
	pfree(bytes);
	return value;
}

char *
b2b_state_to_text(const B2bStateIO *io, const struct varlena *value)
{
	Size		n = io->wire_size(value);
	size_t		prefix_len = strlen(io->prefix);
	uint8	   *bytes = palloc(n > 0 ? n : 1);
	char	   *out = palloc(prefix_len + 1 + 2 * n + 1);

	io->encode(value, bytes);
	memcpy(out, io->prefix, prefix_len);
	out[prefix_len] = ':';
	b2b_hex_encode(bytes, n, out + prefix_len + 1);
	out[prefix_len + 1 + 2 * n] = '\0';
	pfree(bytes);
	return out;
}

struct varlena *
b2b_state_from_binary(const B2bStateIO *io, const uint8 *in, Size len)
{
	struct varlena *value;
	const char *why = io->decode(in, len, &value);

	if (why != NULL)
		b2b_report_bad_bytes(io->type_name, why);
	return value;
}

bytea *
b2b_state_to_binary(const B2bStateIO *io, const struct varlena *value)
{
	uint8	   *data;
	bytea	   *out = b2b_bytea_new(io->wire_size(value), &data);

	io->encode(value, data);
	return out;
}

struct varlena *
b2b_state_recv(const B2bStateIO *io, StringInfo buf)
{
	struct varlena *value = b2b_state_from_binary(io, (const uint8 *) buf->data + buf->cursor,
												  buf->len - buf->cursor);

	buf->cursor = buf->len;
	return value;
}

/* ---- symbols of released versions --------------------------------------- */

void
b2b_report_not_updated(const char *symbol, const char *version)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("b2bmetrics %s function %s cannot run with this version of the library", version, symbol),
			 errhint("Run ALTER EXTENSION b2bmetrics UPDATE in this database.")));
}

bool
b2b_text_bytes_valid(const uint8 *bytes, Size len)
{
	return memchr(bytes, '\0', len) == NULL &&
		pg_verifymbstr((const char *) bytes, (int) len, true);
}
