/*
 * b2b_pg.h
 *		What the glue of every family needs, written once: aggregate
 *		context, argument checks, intervals and timestamps, numerics, the
 *		text of values for messages, bytea, and the I/O of state types.
 *
 * Every error here follows the extension's one vocabulary (docs/developer.md,
 * "Errors"): one SQLSTATE per condition, a short lowercase primary message
 * naming the parameter, the values in errdetail, advice in errhint.
 */
#ifndef B2B_PG_H
#define B2B_PG_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "common/pg_compat.h"

/* ---- aggregates ---------------------------------------------------------- */

/*
 * The aggregate memory context of the call.  Called outside an aggregate
 * (say, SELECT some_transfn(...) by hand) it is an error (0A000).
 */
extern MemoryContext b2b_agg_context(FunctionCallInfo fcinfo);

/* True when the aggregate's argument argno (0-based) is a constant. */
extern bool b2b_agg_arg_is_const(FunctionCallInfo fcinfo, int argno);

/* ---- arguments ----------------------------------------------------------- */

/* An error (22004) when argument argno is NULL; name is the parameter's name. */
extern void b2b_require_not_null(FunctionCallInfo fcinfo, int argno, const char *name);

/*
 * An interval of fixed length as microseconds, for windows, gaps and
 * half-lives: finite, without months or years (22023; their length varies),
 * positive (22023) and within range (22015).  name is the parameter's name.
 */
extern int64 b2b_interval_usec(const Interval *iv, const char *name);

/* An error (22008) when t is -infinity or infinity. */
extern void b2b_require_finite(TimestampTz t, const char *name);

/* ---- the text of values, for messages (palloc'd, no static buffers) ------- */

extern char *b2b_timestamptz_text(TimestampTz t);
extern char *b2b_interval_text(const Interval *iv);
extern char *b2b_numeric_text(Numeric n);
extern char *b2b_datum_text(Datum value, Oid type);

/* ---- numerics -------------------------------------------------------------- */

extern Numeric b2b_numeric_from_int64(int64 v);
/* units / 10^decimals, exactly, with that many decimals (1234, 2 is 12.34). */
extern Numeric b2b_numeric_scaled(int64 units, int decimals);
/* A finite double as numeric rounded to decimals places (trailing zeros dropped). */
extern Numeric b2b_numeric_from_double(double d, int decimals);
extern double b2b_numeric_to_double(Numeric n);
extern Numeric b2b_numeric_mul(Numeric a, Numeric b);
extern Numeric b2b_numeric_div(Numeric a, Numeric b);
extern int	b2b_numeric_cmp(Numeric a, Numeric b);
extern int	b2b_numeric_cmp_int64(Numeric a, int64 b);

/* ---- bytes ----------------------------------------------------------------- */

/* A new bytea of len data bytes (54000 beyond 1 GB); *data points at them. */
extern bytea *b2b_bytea_new(Size len, uint8 **data);

/*
 * Whether bytes from a decoded state can become a text value: valid in the
 * database encoding and free of NUL bytes (a forged state must not smuggle in
 * text that no input function would accept).
 */
extern bool b2b_text_bytes_valid(const uint8 *bytes, Size len);

/* The error for bytes that fail validation (22P03): what they were meant to be, and why not. */
extern void b2b_report_bad_bytes(const char *what, const char *why) pg_attribute_noreturn();

/*
 * State types: a varlena value with a text form "<prefix>:<hex of its
 * binary form>" and that binary form for send/recv and bytea casts.  The
 * family supplies the binary form: its size and encoding, and a decoder that
 * validates untrusted bytes and returns a new datum (palloc'd) or a reason.
 */
typedef struct B2bStateIO
{
	const char *type_name;		/* for messages */
	const char *prefix;			/* text form prefix, without the colon */
	Size		(*wire_size) (const struct varlena *value);
	void		(*encode) (const struct varlena *value, uint8 *out);
	const char *(*decode) (const uint8 *in, Size len, struct varlena **value);
} B2bStateIO;

extern struct varlena *b2b_state_from_text(const B2bStateIO *io, const char *text);
extern char *b2b_state_to_text(const B2bStateIO *io, const struct varlena *value);
extern struct varlena *b2b_state_from_binary(const B2bStateIO *io, const uint8 *in, Size len);
extern bytea *b2b_state_to_binary(const B2bStateIO *io, const struct varlena *value);
extern struct varlena *b2b_state_recv(const B2bStateIO *io, StringInfo buf);

/*
 * The SQL-callable functions of a state type TYPE whose B2bStateIO is IO:
 * TYPE_in, _out, _recv and _send, and (B2B_STATE_TYPE_BYTEA_CASTS) the casts
 * TYPE_to_bytea and TYPE_from_bytea.  ARG0 is how the family reads its first
 * argument as its in-memory value (detoasted, aligned, layout checked), an
 * expression in fcinfo; input always goes through IO's validating decoder.
 */
#define B2B_STATE_TYPE_IO(TYPE, IO, ARG0) \
	PG_FUNCTION_INFO_V1(TYPE##_in); \
	PG_FUNCTION_INFO_V1(TYPE##_out); \
	PG_FUNCTION_INFO_V1(TYPE##_recv); \
	PG_FUNCTION_INFO_V1(TYPE##_send); \
	Datum TYPE##_in(PG_FUNCTION_ARGS) \
	{ PG_RETURN_POINTER(b2b_state_from_text(&(IO), PG_GETARG_CSTRING(0))); } \
	Datum TYPE##_out(PG_FUNCTION_ARGS) \
	{ PG_RETURN_CSTRING(b2b_state_to_text(&(IO), (const struct varlena *) (ARG0))); } \
	Datum TYPE##_recv(PG_FUNCTION_ARGS) \
	{ PG_RETURN_POINTER(b2b_state_recv(&(IO), (StringInfo) PG_GETARG_POINTER(0))); } \
	Datum TYPE##_send(PG_FUNCTION_ARGS) \
	{ PG_RETURN_BYTEA_P(b2b_state_to_binary(&(IO), (const struct varlena *) (ARG0))); } \
	extern int b2b_state_type_io_##TYPE		/* swallows the caller's semicolon */

#define B2B_STATE_TYPE_BYTEA_CASTS(TYPE, IO, ARG0) \
	PG_FUNCTION_INFO_V1(TYPE##_to_bytea); \
	PG_FUNCTION_INFO_V1(TYPE##_from_bytea); \
	Datum TYPE##_to_bytea(PG_FUNCTION_ARGS) \
	{ PG_RETURN_BYTEA_P(b2b_state_to_binary(&(IO), (const struct varlena *) (ARG0))); } \
	Datum TYPE##_from_bytea(PG_FUNCTION_ARGS) \
	{ \
		bytea	   *in = PG_GETARG_BYTEA_PP(0); \
		PG_RETURN_POINTER(b2b_state_from_binary(&(IO), (const uint8 *) VARDATA_ANY(in), \
												VARSIZE_ANY_EXHDR(in))); \
	} \
	extern int b2b_state_bytea_casts_##TYPE	/* swallows the caller's semicolon */

/* ---- symbols of released versions --------------------------------------- */

/*
 * Every C symbol a released install script names stays exported, so that
 * CREATE EXTENSION b2bmetrics VERSION '1.0' works with this library.  A symbol
 * whose calling convention changed since keeps its name as a stub that
 * refuses to run (55000) until ALTER EXTENSION b2bmetrics UPDATE has pointed
 * the SQL objects at the new functions.  Use it as
 *		B2B_RELEASED_SYMBOL_STUB(mrr_movement_trans, "1.0")
 * in the family's released_pg.c.
 */
extern void b2b_report_not_updated(const char *symbol, const char *version) pg_attribute_noreturn();

#define B2B_RELEASED_SYMBOL_STUB(symbol, version) \
	PG_FUNCTION_INFO_V1(symbol); \
	Datum symbol(PG_FUNCTION_ARGS); \
	Datum symbol(PG_FUNCTION_ARGS) { b2b_report_not_updated(#symbol, version); }

#endif							/* B2B_PG_H */
