/*
 * attribution_pg.c
 *		SQL glue of the attribution family: the touches type, touches_agg and
 *		touches_rollup, attribution() rows and the touch-curve accessors.  The
 *		rules are in attribution.c.
 *
 * The aggregates' state is internal (the encoded events of the group, in
 * arrival order, in the aggregate context) with serialize/deserialize for
 * parallel plans; the final function sorts the events and returns a touches
 * value, the concrete type that is stored and that Citus moves between nodes.
 * A touches datum is its little-endian form after the varlena header: it is
 * a list of variable-length events, so there is no host-order struct to keep.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "attribution/attribution.h"
#include "common/b2b_pg.h"
#include "common/bytes.h"

PG_FUNCTION_INFO_V1(touches_agg_transfn);
PG_FUNCTION_INFO_V1(touches_rollup_transfn);
PG_FUNCTION_INFO_V1(touches_rollup_combinefn);
PG_FUNCTION_INFO_V1(touches_combinefn);
PG_FUNCTION_INFO_V1(touches_serialfn);
PG_FUNCTION_INFO_V1(touches_deserialfn);
PG_FUNCTION_INFO_V1(touches_finalfn);
PG_FUNCTION_INFO_V1(attribution);
PG_FUNCTION_INFO_V1(touches_before_conversion);
PG_FUNCTION_INFO_V1(touches_first_at);
PG_FUNCTION_INFO_V1(touches_converted_at);

/* ---- the touches type -------------------------------------------------------- */

static Size
touches_wire_size(const struct varlena *value)
{
	return VARSIZE(value) - VARHDRSZ;
}

static void
touches_encode(const struct varlena *value, uint8 *out)
{
	memcpy(out, VARDATA(value), VARSIZE(value) - VARHDRSZ);
}

static const char *
touches_decode(const uint8 *in, Size len, struct varlena **value)
{
	uint32		n;
	const char *why = attr_decode(in, len, &n, NULL);
	struct varlena *v;
	AttrEvent  *events;

	if (why)
		return why;
	events = palloc(sizeof(AttrEvent) * Max(n, 1));
	(void) attr_decode(in, len, &n, events);
	for (uint32 i = 0; i < n; i++)
		if (!b2b_text_bytes_valid(events[i].channel, events[i].channel_len))
			return "A channel is not valid text in the database encoding, or holds a NUL byte.";
	pfree(events);
	v = palloc(VARHDRSZ + len);
	SET_VARSIZE(v, VARHDRSZ + len);
	memcpy(VARDATA(v), in, len);
	*value = v;
	return NULL;
}

static const B2bStateIO touches_io = {"touches", "touches", touches_wire_size, touches_encode, touches_decode};

/* A touches argument's events, sorted (palloc'd); validated, as a stored value may be damaged. */
static AttrEvent *
touches_events(FunctionCallInfo fcinfo, int argno, uint32 *n)
{
	struct varlena *v = PG_GETARG_VARLENA_P(argno);
	const uint8 *in = (const uint8 *) VARDATA(v);
	Size		len = VARSIZE(v) - VARHDRSZ;
	AttrEvent  *events;

	if (attr_decode(in, len, n, NULL) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt touches value")));
	events = palloc(sizeof(AttrEvent) * Max(*n, 1));
	(void) attr_decode(in, len, n, events);
	attr_sort(events, *n);
	return events;
}

static struct varlena *
touches_arg(FunctionCallInfo fcinfo, int argno)
{
	uint32		n;

	pfree(touches_events(fcinfo, argno, &n));
	return PG_GETARG_VARLENA_P(argno);
}

B2B_STATE_TYPE_IO(touches, touches_io, touches_arg(fcinfo, 0));
B2B_STATE_TYPE_BYTEA_CASTS(touches, touches_io, touches_arg(fcinfo, 0));

/* ---- the aggregates: touches_agg and touches_rollup ----------------------------- */

typedef struct TouchesState
{
	uint32		nevents;
	StringInfoData events;		/* encoded events, arrival order */
} TouchesState;

static TouchesState *
state_new(MemoryContext cxt)
{
	TouchesState *s = MemoryContextAlloc(cxt, sizeof(TouchesState));

	/* a lead has a few events: start small (initStringInfo takes 1 kB), grow by doubling */
	s->nevents = 0;
	s->events.maxlen = 96;
	s->events.data = MemoryContextAlloc(cxt, s->events.maxlen);
	s->events.len = 0;
	s->events.cursor = 0;
	s->events.data[0] = '\0';
	return s;
}

static void
too_many_events(uint64 n)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("a touches value holds at most %d events", ATTR_MAX_EVENTS),
			 errdetail("The group has %llu touches and conversions.", (unsigned long long) n),
			 errhint("Group by a lead, user or account, or filter the rows to touches and conversions.")));
}

static void
state_add_events(TouchesState *s, const uint8 *bytes, Size len, uint32 n)
{
	if ((uint64) s->nevents + n > ATTR_MAX_EVENTS)
		too_many_events((uint64) s->nevents + n);
	appendBinaryStringInfo(&s->events, (const char *) bytes, len);
	s->nevents += n;
}

static void
state_add(TouchesState *s, const AttrEvent *e)
{
	uint8		buf[64];
	Size		size = attr_event_size(e->channel_len, e->value_len);
	uint8	   *out = size <= sizeof(buf) ? buf : palloc(size);

	attr_encode_event(out, e);
	state_add_events(s, out, size, 1);
	if (out != buf)
		pfree(out);
}

/* touches_agg(ts, channel, is_conversion, value): a row with a channel is a touch. */
Datum
touches_agg_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = b2b_agg_context(fcinfo);
	TouchesState *s = PG_ARGISNULL(0) ? state_new(cxt) : (TouchesState *) PG_GETARG_POINTER(0);
	AttrEvent	e = {0};
	text	   *channel = NULL;
	char	   *value = NULL;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(s);	/* no time, no event */
	e.ts = PG_GETARG_TIMESTAMPTZ(1);
	b2b_require_finite(e.ts, "ts");
	if (!PG_ARGISNULL(2))
	{
		channel = PG_GETARG_TEXT_PP(2);
		if (VARSIZE_ANY_EXHDR(channel) > ATTR_MAX_CHANNEL)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("channel must be at most %d bytes", ATTR_MAX_CHANNEL),
					 errdetail("The channel given has %zu bytes.", VARSIZE_ANY_EXHDR(channel))));
		e.flags |= ATTR_TOUCH;
		e.channel = (const uint8 *) VARDATA_ANY(channel);
		e.channel_len = VARSIZE_ANY_EXHDR(channel);
	}
	if (!PG_ARGISNULL(3) && PG_GETARG_BOOL(3))
	{
		e.flags |= ATTR_CONVERSION;
		if (PG_NARGS() > 4 && !PG_ARGISNULL(4))
		{
			Numeric		n = PG_GETARG_NUMERIC(4);

			if (numeric_is_nan(n) || numeric_is_inf(n))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("value must be a finite number"),
						 errdetail("The value given is %s.", b2b_numeric_text(n))));
			value = b2b_numeric_text(n);
			if (!attr_valid_value(value, strlen(value)))
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("value must have at most %d characters", ATTR_MAX_VALUE),
						 errdetail("The value given has %zu characters.", strlen(value))));
		}
		else
			value = "1";		/* a conversion without a value counts as one */
		e.value = value;
		e.value_len = strlen(value);
	}
	if (e.flags != 0)
		state_add(s, &e);
	PG_RETURN_POINTER(s);
}

Datum
touches_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = b2b_agg_context(fcinfo);
	TouchesState *a = PG_ARGISNULL(0) ? NULL : (TouchesState *) PG_GETARG_POINTER(0);
	TouchesState *b = PG_ARGISNULL(1) ? NULL : (TouchesState *) PG_GETARG_POINTER(1);
	MemoryContext old;

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = state_new(cxt);
	old = MemoryContextSwitchTo(cxt);
	state_add_events(a, (const uint8 *) b->events.data, b->events.len, b->nevents);
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(a);
}

/* The state's events as a touches form: header, then the events in arrival order. */
static bytea *
state_form(const TouchesState *s)
{
	uint8	   *data;
	bytea	   *b = b2b_bytea_new(ATTR_HEADER_SIZE + s->events.len, &data);

	attr_encode_header(data, s->nevents);
	memcpy(data + ATTR_HEADER_SIZE, s->events.data, s->events.len);
	return b;
}

Datum
touches_serialfn(PG_FUNCTION_ARGS)
{
	(void) b2b_agg_context(fcinfo);
	PG_RETURN_BYTEA_P(state_form((TouchesState *) PG_GETARG_POINTER(0)));
}

Datum
touches_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = b2b_agg_context(fcinfo);
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	const uint8 *in = (const uint8 *) VARDATA_ANY(b);
	Size		len = VARSIZE_ANY_EXHDR(b);
	uint32		n;
	const char *why = attr_decode(in, len, &n, NULL);
	TouchesState *s;
	MemoryContext old;

	if (why)
		b2b_report_bad_bytes("a serialized touches_agg state", why);
	s = state_new(cxt);
	old = MemoryContextSwitchTo(cxt);
	state_add_events(s, in + ATTR_HEADER_SIZE, len - ATTR_HEADER_SIZE, n);
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(s);
}

/* The touches value: the events sorted, so equal groups give equal values in any plan. */
Datum
touches_finalfn(PG_FUNCTION_ARGS)
{
	TouchesState *s = PG_ARGISNULL(0) ? NULL : (TouchesState *) PG_GETARG_POINTER(0);
	bytea	   *form;
	AttrEvent  *events;
	uint32		n;
	struct varlena *v;
	uint8	   *out;

	if (s == NULL)
		PG_RETURN_NULL();
	form = state_form(s);
	events = palloc(sizeof(AttrEvent) * Max(s->nevents, 1));
	if (attr_decode((const uint8 *) VARDATA(form), VARSIZE(form) - VARHDRSZ, &n, events) != NULL)
		elog(ERROR, "touches_agg built an invalid state");
	attr_sort(events, n);
	v = palloc(VARSIZE(form));
	SET_VARSIZE(v, VARSIZE(form));
	out = (uint8 *) VARDATA(v);
	attr_encode_header(out, n);
	out += ATTR_HEADER_SIZE;
	for (uint32 i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		out = attr_encode_event(out, &events[i]);
	}
	PG_RETURN_POINTER(v);
}

/* ---- touches_rollup: stored values together, a touches state ------------------------ */

/*
 * The events of a and b as one sorted touches value (palloc'd in the current
 * context; nodeAgg copies a new transition value into its own).  The state is
 * the concrete type, so Citus and parallel plans combine it as it is; each
 * step rewrites the whole value, which suits a lead's few stored values.
 */
static Datum
touches_merge(FunctionCallInfo fcinfo)
{
	uint32		na,
				nb;
	AttrEvent  *a = touches_events(fcinfo, 0, &na);
	AttrEvent  *b = touches_events(fcinfo, 1, &nb);
	AttrEvent  *all;
	Size		size = ATTR_HEADER_SIZE;
	struct varlena *v;
	uint8	   *out;

	if ((uint64) na + nb > ATTR_MAX_EVENTS)
		too_many_events((uint64) na + nb);
	all = palloc(sizeof(AttrEvent) * Max(na + nb, 1));
	memcpy(all, a, sizeof(AttrEvent) * na);
	memcpy(all + na, b, sizeof(AttrEvent) * nb);
	attr_sort(all, na + nb);
	for (uint32 i = 0; i < na + nb; i++)
		size += attr_event_size(all[i].channel_len, all[i].value_len);
	v = palloc(VARHDRSZ + size);
	SET_VARSIZE(v, VARHDRSZ + size);
	out = (uint8 *) VARDATA(v);
	attr_encode_header(out, na + nb);
	out += ATTR_HEADER_SIZE;
	for (uint32 i = 0; i < na + nb; i++)
		out = attr_encode_event(out, &all[i]);
	PG_RETURN_POINTER(v);
}

Datum
touches_rollup_transfn(PG_FUNCTION_ARGS)
{
	return touches_merge(fcinfo);
}

Datum
touches_rollup_combinefn(PG_FUNCTION_ARGS)
{
	return touches_merge(fcinfo);
}

/* ---- attribution(t, model, lookback, params) ------------------------------------- */

static char *
key_text(const JsonbValue *key)
{
	return pnstrdup(key->val.string.val, key->val.string.len);
}

static const char *
model_text(FunctionCallInfo fcinfo)
{
	return text_to_cstring(PG_GETARG_TEXT_PP(1));
}

static void
parse_params(FunctionCallInfo fcinfo, Jsonb *params, AttrOptions *o)
{
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	JsonbIteratorToken tok;

	if (!JB_ROOT_IS_OBJECT(params) || JB_ROOT_IS_SCALAR(params))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("params must be a jsonb object"),
				 errhint("For example '{\"half_life\": \"7 days\"}' with model time_decay.")));
	it = JsonbIteratorInit(&params->root);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		AttrParam	param;
		AttrStatus	st;

		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &value, true);
		st = attr_param_lookup(o, key.val.string.val, key.val.string.len, &param);
		if (st == ATTR_UNKNOWN_PARAM)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown attribution parameter \"%s\"", key_text(&key)),
					 errhint("The parameters are half_life (model time_decay), direct (model last_non_direct), first and last (model position).")));
		if (st == ATTR_PARAM_NOT_FOR_MODEL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("attribution parameter \"%s\" does not apply to model \"%s\"",
							key_text(&key), model_text(fcinfo)),
					 errhint("half_life applies to time_decay, direct to last_non_direct, first and last to position.")));
		if (param == ATTR_PARAM_FIRST || param == ATTR_PARAM_LAST)
		{
			double		share;

			if (value.type != jbvNumeric)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("attribution parameter \"%s\" must be a number", key_text(&key)),
						 errhint("Give the share of the touch, for example 0.4.")));
			share = b2b_numeric_to_double(value.val.numeric);
			if (attr_set_share(o, param, share) != ATTR_OK)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("attribution parameter \"%s\" must be between 0 and 1", key_text(&key)),
						 errdetail("The value given is %s.", b2b_numeric_text(value.val.numeric))));
			continue;
		}
		if (value.type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("attribution parameter \"%s\" must be a string", key_text(&key)),
					 errhint(param == ATTR_PARAM_HALF_LIFE ? "Give an interval, for example \"7 days\"."
							 : "Give a channel name, for example \"direct\".")));
		if (param == ATTR_PARAM_HALF_LIFE)
		{
			char	   *s = pnstrdup(value.val.string.val, value.val.string.len);
			Interval   *iv = DatumGetIntervalP(DirectFunctionCall3(interval_in, CStringGetDatum(s),
																   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));

			(void) attr_set_half_life(o, b2b_interval_usec(iv, "half_life"));
		}
		else
		{
			o->direct = (const uint8 *) pnstrdup(value.val.string.val, value.val.string.len);
			o->direct_len = value.val.string.len;
		}
	}
}

static Datum
numeric_datum(const char *text)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(text), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

static Datum
interval_datum(int64 usec)
{
	Interval   *iv = palloc0(sizeof(Interval));

	iv->time = usec;
	return IntervalPGetDatum(iv);
}

/* One row per touch of each conversion's path, or one '(none)' row for a path without touches. */
Datum
attribution(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AttrOptions o;
	const char *model;
	AttrEvent  *events;
	uint32		n;
	size_t		prev_end = 0;
	int64	   *units;
	char		credit[24];

	b2b_require_not_null(fcinfo, 1, "model");
	b2b_require_not_null(fcinfo, 2, "lookback");
	b2b_require_not_null(fcinfo, 3, "params");
	model = model_text(fcinfo);
	if (attr_options_init(&o, model, strlen(model)) != ATTR_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown attribution model \"%s\"", model),
				 errhint("The models are first, last, last_non_direct, linear, time_decay and position.")));
	(void) attr_set_lookback(&o, b2b_interval_usec(PG_GETARG_INTERVAL_P(2), "lookback"));
	parse_params(fcinfo, PG_GETARG_JSONB_P(3), &o);
	if (attr_options_check(&o) != ATTR_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("position weights first and last must add up to at most 1"),
				 errdetail("They are %g and %g (a share not given is 0.4).", o.first_share, o.last_share)));

	if (PG_ARGISNULL(0))
	{
		InitMaterializedSRF(fcinfo, 0);
		return (Datum) 0;
	}
	events = touches_events(fcinfo, 0, &n);
	/* most leads never convert: no tuplestore for them (no result set is an empty set) */
	if (!attr_has_conversion(events, n))
	{
		rsinfo->returnMode = SFRM_Materialize;
		return (Datum) 0;
	}
	InitMaterializedSRF(fcinfo, 0);
	units = palloc(sizeof(int64) * Max(n, 1));
	for (uint32 c = 0; c < n; c++)
	{
		size_t		first,
					ntouches;
		Datum		values[8];
		bool		nulls[8] = {false};
		Numeric		conv_value;

		CHECK_FOR_INTERRUPTS();
		if (!(events[c].flags & ATTR_CONVERSION))
			continue;
		attr_path(events, c, prev_end, &o, &first, &ntouches);
		prev_end = c + 1;
		conv_value = DatumGetNumeric(numeric_datum(pnstrdup(events[c].value, events[c].value_len)));
		values[0] = TimestampTzGetDatum(events[c].ts);
		if (ntouches == 0)
		{
			values[1] = CStringGetTextDatum(ATTR_NONE_CHANNEL);
			nulls[2] = true;
			values[3] = Int32GetDatum(0);
			values[4] = Int32GetDatum(0);
			nulls[5] = true;
			values[6] = numeric_datum("1");
			values[7] = NumericGetDatum(conv_value);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			continue;
		}
		attr_credits(events + first, ntouches, &o, units);
		for (size_t i = 0; i < ntouches; i++)
		{
			const AttrEvent *t = &events[first + i];
			Numeric		cr;

			attr_credit_text(units[i], credit);
			cr = DatumGetNumeric(numeric_datum(credit));
			values[1] = PointerGetDatum(cstring_to_text_with_len((const char *) t->channel, t->channel_len));
			values[2] = TimestampTzGetDatum(t->ts);
			values[3] = Int32GetDatum((int32) i + 1);
			values[4] = Int32GetDatum((int32) ntouches);
			values[5] = interval_datum(events[c].ts - t->ts);
			values[6] = NumericGetDatum(cr);
			values[7] = NumericGetDatum(b2b_numeric_mul(cr, conv_value));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}
	return (Datum) 0;
}

/* ---- the touch curve: what one lead's path looks like --------------------------- */

static void
summary_arg(FunctionCallInfo fcinfo, AttrSummary *s)
{
	uint32		n;
	AttrEvent  *events = touches_events(fcinfo, 0, &n);

	attr_summary(events, n, s);
}

Datum
touches_before_conversion(PG_FUNCTION_ARGS)
{
	AttrSummary s;

	summary_arg(fcinfo, &s);
	PG_RETURN_INT32((int32) s.touches);
}

Datum
touches_first_at(PG_FUNCTION_ARGS)
{
	AttrSummary s;

	summary_arg(fcinfo, &s);
	if (s.touches == 0)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(s.first_touch_ts);
}

Datum
touches_converted_at(PG_FUNCTION_ARGS)
{
	AttrSummary s;

	summary_arg(fcinfo, &s);
	if (!s.converted)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(s.converted_ts);
}
