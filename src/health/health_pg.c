/*
 * health_pg.c
 *		SQL glue of the customer health score: the health_state type and
 *		its aggregates (health_score, health_score_detail, health_state,
 *		health_rollup) and accessors, health_signals and health_band.
 *
 * The core (health.c) owns the model's schema, ranges and defaults, the
 * formula, the rounding, the bands and the state's byte format; this file
 * walks the jsonb, converts Datums and reports the core's status codes.
 *
 * The aggregate state is a health_state datum (the core's HealthState): as_of,
 * two counters per signal and the model's canonical JSON text, so that a
 * partial state is a value of its own that a parallel worker or a Citus node
 * can send as it is.  The parsed model is not in the state: it is kept in a
 * small per-process cache keyed by the jsonb bytes of a row's model and by
 * the canonical text of a state's, so a model is parsed once per process,
 * whoever calls (Citus calls the transition function with a fresh FmgrInfo
 * on every row, so fn_extra would not remember it).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "common/b2b_pg.h"
#include "health.h"

PG_FUNCTION_INFO_V1(health_state_transfn);
PG_FUNCTION_INFO_V1(health_state_combinefn);
PG_FUNCTION_INFO_V1(health_state_score_finalfn);
PG_FUNCTION_INFO_V1(health_state_detail_finalfn);
PG_FUNCTION_INFO_V1(health_rollup_transfn);
PG_FUNCTION_INFO_V1(health_state_score);
PG_FUNCTION_INFO_V1(health_state_detail);
PG_FUNCTION_INFO_V1(health_signals);
PG_FUNCTION_INFO_V1(health_band);
PG_FUNCTION_INFO_V1(health_band_thresholds);
PG_FUNCTION_INFO_V1(health_band_float8);
PG_FUNCTION_INFO_V1(health_band_thresholds_float8);

/* Values quoted in error messages are cut to this many bytes. */
#define HEALTH_MAX_QUOTED		80

/* Models kept per process. */
#define HEALTH_CACHED_MODELS	4

/* A parsed model, with what the SQL side needs beside the core's view; all in cxt. */
typedef struct HealthModelEntry
{
	MemoryContext cxt;
	HealthModel model;			/* signal names are copies in cxt */
	Jsonb	   *jsonb;			/* the model as given: the key of row lookups */
	char	   *text;			/* its canonical text: the key of state lookups */
	uint32		text_len;
	int			interval_style; /* the windows were parsed under it */
	Numeric    *weight_numeric; /* per signal, the weight as written */
	Numeric    *target_numeric; /* per signal, the target as written, or NULL */
} HealthModelEntry;

static HealthModelEntry *model_cache[HEALTH_CACHED_MODELS];
static int	model_cache_next;

/* ---------- reading the model ---------- */

/* Where in the model the parser is, for the error context. */
typedef struct ModelPosition
{
	const char *signal;			/* or NULL */
	const char *key;			/* or NULL */
} ModelPosition;

static void
model_error_context(void *arg)
{
	ModelPosition *pos = arg;

	if (pos->signal && pos->key)
		errcontext("health model, signal \"%s\", key \"%s\"", pos->signal, pos->key);
	else if (pos->signal)
		errcontext("health model, signal \"%s\"", pos->signal);
	else if (pos->key)
		errcontext("health model, key \"%s\"", pos->key);
	else
		errcontext("health model");
}

/* A JSON value as text for an error message, cut short when long. */
static char *
quote_value(JsonbValue *v)
{
	char	   *s;

	if (v->type == jbvBinary)
		s = JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
	else
	{
		Jsonb	   *j = JsonbValueToJsonb(v);

		s = JsonbToCString(NULL, &j->root, VARSIZE(j));
	}
	if (strlen(s) > HEALTH_MAX_QUOTED)
	{
		int			cut = pg_mbcliplen(s, strlen(s), HEALTH_MAX_QUOTED);

		s[cut] = '\0';
		s = psprintf("%s...", s);
	}
	return s;
}

/* A number for a message: as written when short, else as the nearest double (1e-320). */
static char *
number_text(Numeric n, double d)
{
	char	   *s = b2b_numeric_text(n);

	if (strlen(s) <= 24)
		return s;
	return double_to_shortest_decimal(d);
}

static char *
key_text(JsonbValue *key)
{
	return pnstrdup(key->val.string.val, key->val.string.len);
}

/* An interval string (PostgreSQL's syntax) as microseconds; interval_in reports bad text. */
static int64
read_window(JsonbValue *key, JsonbValue *value)
{
	char	   *name = key_text(key);
	Interval   *iv;

	if (value->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of the health model must be an interval string", name),
				 errdetail("The value given is %s.", quote_value(value)),
				 errhint("Write it like \"30 days\".")));
	iv = DatumGetIntervalP(DirectFunctionCall3(interval_in,
											   CStringGetDatum(pnstrdup(value->val.string.val,
																		value->val.string.len)),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
	return b2b_interval_usec(iv, name);
}

/* A weight or target: a JSON number in the core's range. */
static double
read_number(const char *signal, JsonbValue *key, JsonbValue *value, bool is_target,
			Numeric *as_written)
{
	char	   *name = key_text(key);
	double		d;

	if (value->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of signal \"%s\" must be a number", name, signal),
				 errdetail("The value given is %s.", quote_value(value))));
	d = b2b_numeric_to_double(value->val.numeric);
	if ((is_target ? health_check_target(d) : health_check_weight(d)) != HEALTH_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of signal \"%s\" is out of range", name, signal),
				 errdetail("The value given is %s; %s.", number_text(value->val.numeric, d),
						   is_target ? "a target is 0 or a number from 1e-9 to 1e15"
						   : "a weight is a number from 1e-9 to 1e15")));
	*as_written = DatumGetNumericCopy(NumericGetDatum(value->val.numeric));
	return d;
}

static void
read_signal(HealthModelEntry *entry, int i, JsonbValue *name, JsonbValue *spec, ModelPosition *pos)
{
	HealthSignal *s = &entry->model.signals[i];
	char	   *signal = key_text(name);
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	JsonbIteratorToken tok;

	s->name = signal;
	s->name_len = name->val.string.len;
	s->direction = HEALTH_UP;
	pos->signal = signal;
	pos->key = NULL;

	if (spec->type != jbvBinary || !JsonContainerIsObject(spec->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("signal \"%s\" of the health model must be an object", signal),
				 errdetail("The value given is %s.", quote_value(spec)),
				 errhint("Write it like {\"weight\": 3, \"direction\": \"up\"}.")));

	it = JsonbIteratorInit(spec->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &value, true);
		pos->key = key_text(&key);
		switch (health_key(key.val.string.val, key.val.string.len, 1))
		{
			case HEALTH_KEY_WEIGHT:
				s->weight = read_number(signal, &key, &value, false, &entry->weight_numeric[i]);
				s->has_weight = 1;
				break;
			case HEALTH_KEY_TARGET:
				s->target = read_number(signal, &key, &value, true, &entry->target_numeric[i]);
				s->has_target = 1;
				break;
			case HEALTH_KEY_DIRECTION:
				if (value.type != jbvString ||
					health_parse_direction(value.val.string.val, value.val.string.len,
										   &s->direction) != HEALTH_OK)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("direction of signal \"%s\" must be \"up\" or \"down\"", signal),
							 errdetail("The value given is %s.", quote_value(&value))));
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown key \"%s\" in signal \"%s\" of the health model",
								pos->key, signal),
						 errhint("A signal has the keys \"weight\", \"direction\" and \"target\".")));
		}
	}
	pos->key = NULL;
}

/*
 * Parse and validate a model into a new entry with a context of its own
 * (a child of parent).  Any flaw is an error naming the key and value, with
 * the place in the model as its context; the entry is complete on return.
 */
static HealthModelEntry *
parse_model(Jsonb *jb, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "health model", ALLOCSET_SMALL_SIZES);
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	HealthModelEntry *entry = palloc0(sizeof(HealthModelEntry));
	ModelPosition pos = {NULL, NULL};
	ErrorContextCallback callback;
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	JsonbValue	signals = {0};
	JsonbIteratorToken tok;
	bool		has_recent = false;
	bool		has_baseline = false;
	bool		has_signals = false;
	int			bad_signal = 0;
	int			n = 0;
	HealthSignal *unsorted;
	HealthStatus status;

	callback.callback = model_error_context;
	callback.arg = &pos;
	callback.previous = error_context_stack;
	error_context_stack = &callback;

	entry->cxt = cxt;
	if (!JB_ROOT_IS_OBJECT(jb))
	{
		JsonbValue	whole;

		whole.type = jbvBinary;
		whole.val.binary.data = &jb->root;
		whole.val.binary.len = VARSIZE(jb) - VARHDRSZ;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model must be a JSON object"),
				 errdetail("The value given is %s.", quote_value(&whole)),
				 errhint("Write it like {\"recent\": \"30 days\", \"baseline\": \"90 days\", \"signals\": {\"login\": {\"weight\": 1}}}.")));
	}

	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &value, true);
		pos.key = key_text(&key);
		switch (health_key(key.val.string.val, key.val.string.len, 0))
		{
			case HEALTH_KEY_RECENT:
				entry->model.recent_us = read_window(&key, &value);
				has_recent = true;
				break;
			case HEALTH_KEY_BASELINE:
				entry->model.baseline_us = read_window(&key, &value);
				has_baseline = true;
				break;
			case HEALTH_KEY_SIGNALS:
				if (value.type != jbvBinary || !JsonContainerIsObject(value.val.binary.data))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("signals of the health model must be an object"),
							 errdetail("The value given is %s.", quote_value(&value)),
							 errhint("Write it like {\"login\": {\"weight\": 3}, \"support_ticket\": {\"weight\": 1, \"direction\": \"down\"}}.")));
				signals = value;
				has_signals = true;
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("unknown key \"%s\" in the health model", pos.key),
						 errhint("A model has the keys \"recent\", \"baseline\" and \"signals\".")));
		}
		pos.key = NULL;
	}

	if (has_signals)
	{
		entry->model.nsignals = JsonContainerSize(signals.val.binary.data);
		entry->model.signals = palloc0(sizeof(HealthSignal) * Max(entry->model.nsignals, 1));
		entry->weight_numeric = palloc0(sizeof(Numeric) * Max(entry->model.nsignals, 1));
		entry->target_numeric = palloc0(sizeof(Numeric) * Max(entry->model.nsignals, 1));
		it = JsonbIteratorInit(signals.val.binary.data);
		while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
		{
			if (tok != WJB_KEY)
				continue;
			tok = JsonbIteratorNext(&it, &value, true);
			read_signal(entry, n++, &key, &value, &pos);
		}
		pos.signal = NULL;
	}

	/* The core sorts the signals (jsonb's key order already is its order): keep the numerics with them. */
	unsorted = palloc(sizeof(HealthSignal) * Max(n, 1));
	memcpy(unsorted, entry->model.signals, sizeof(HealthSignal) * n);
	status = health_model_finish(&entry->model, has_recent, has_baseline, has_signals, &bad_signal);
	switch (status)
	{
		case HEALTH_OK:
			break;
		case HEALTH_ERR_NO_SIGNALS:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("health model has no signals"),
					 errhint("Add \"signals\": {\"login\": {\"weight\": 1}}, one entry per event name.")));
			break;
		case HEALTH_ERR_EMPTY_SIGNALS:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("signals of the health model must not be empty"),
					 errhint("Add one entry per event name, like {\"login\": {\"weight\": 1}}.")));
			break;
		case HEALTH_ERR_NO_WEIGHT:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("signal \"%s\" of the health model has no weight",
							entry->model.signals[bad_signal].name),
					 errhint("Write it like {\"weight\": 3}.")));
			break;
		default:
			elog(ERROR, "unexpected health status %d", (int) status);
	}
	{
		Numeric    *weights = palloc(sizeof(Numeric) * n);
		Numeric    *targets = palloc(sizeof(Numeric) * n);

		for (int i = 0; i < n; i++)
		{
			int			from = 0;

			while (unsorted[from].name != entry->model.signals[i].name)
				from++;
			weights[i] = entry->weight_numeric[from];
			targets[i] = entry->target_numeric[from];
		}
		entry->weight_numeric = weights;
		entry->target_numeric = targets;
	}

	entry->jsonb = palloc(VARSIZE(jb));
	memcpy(entry->jsonb, jb, VARSIZE(jb));
	entry->text = JsonbToCString(NULL, &entry->jsonb->root, VARSIZE(entry->jsonb));
	entry->text_len = strlen(entry->text);
	entry->interval_style = IntervalStyle;

	error_context_stack = callback.previous;
	MemoryContextSwitchTo(oldcxt);
	return entry;
}

/*
 * The per-process cache.  An entry is a pure function of the model's bytes
 * (and of IntervalStyle, under which its windows were read), so it can be
 * shared by every query of the process; a new model evicts the oldest.  A
 * model is parsed in a context under the current one, so an error leaves
 * nothing behind, and is moved under TopMemoryContext when complete.
 */
static HealthModelEntry *
cache_add(HealthModelEntry *entry)
{
	HealthModelEntry **slot = &model_cache[model_cache_next];

	model_cache_next = (model_cache_next + 1) % HEALTH_CACHED_MODELS;
	if (*slot != NULL)
		MemoryContextDelete((*slot)->cxt);
	MemoryContextSetParent(entry->cxt, TopMemoryContext);
	*slot = entry;
	return entry;
}

/* The model of a row: by its jsonb bytes (any varlena header). */
static HealthModelEntry *
model_for_jsonb(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	Size		len = VARSIZE_ANY_EXHDR(v);
	Jsonb	   *jb;

	for (int i = 0; i < HEALTH_CACHED_MODELS; i++)
	{
		HealthModelEntry *e = model_cache[i];

		if (e != NULL && e->interval_style == IntervalStyle &&
			VARSIZE(e->jsonb) - VARHDRSZ == len && memcmp(VARDATA(e->jsonb), VARDATA_ANY(v), len) == 0)
			return e;
	}
	jb = DatumGetJsonbP(d);
	return cache_add(parse_model(jb, CurrentMemoryContext));
}

/*
 * The model of a state: by its canonical text.  Untrusted text (from a state
 * read by an input function) is parsed as JSON, then as a model, and must
 * be the canonical text of what it parses to.
 */
static HealthModelEntry *
model_for_text(const char *text, uint32 len)
{
	HealthModelEntry *entry;
	char	   *copy;
	Jsonb	   *jb;

	for (int i = 0; i < HEALTH_CACHED_MODELS; i++)
	{
		HealthModelEntry *e = model_cache[i];

		if (e != NULL && e->interval_style == IntervalStyle &&
			e->text_len == len && memcmp(e->text, text, len) == 0)
			return e;
	}
	copy = pnstrdup(text, len);
	if (strlen(copy) != len)
		b2b_report_bad_bytes("health_state", "The model text contains a NUL byte.");
	pg_verifymbstr(copy, len, false);
	jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(copy)));
	entry = parse_model(jb, CurrentMemoryContext);
	if (entry->text_len != len || memcmp(entry->text, text, len) != 0)
	{
		MemoryContextDelete(entry->cxt);
		b2b_report_bad_bytes("health_state", "The model text is not in the canonical form of its model.");
	}
	return cache_add(entry);
}

/* ---------- the health_state type ---------- */

static void
report_damaged(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("health_state value is damaged"),
			 errdetail("Its sizes do not match its layout of version %d.", HEALTH_STATE_VERSION)));
}

/* A datum's layout, checked before any field is read, aligned for its int64s. */
static HealthState *
state_datum(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM(d);
	HealthState *state = (HealthState *) v;

	if (!health_state_layout_ok(state, VARSIZE(v)))
		report_damaged();
	if ((uintptr_t) state % 8 != 0)
	{
		HealthState *aligned = palloc(VARSIZE(v));

		memcpy(aligned, state, VARSIZE(v));
		state = aligned;
	}
	return state;
}

static HealthState *
state_new(MemoryContext cxt, int64 as_of, const HealthModelEntry *entry)
{
	Size		size = health_state_mem_size(entry->model.nsignals, entry->text_len);
	HealthState *state;

	if (size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("health model too large for a health_state"),
				 errdetail("Its text has %u bytes.", entry->text_len)));
	state = MemoryContextAlloc(cxt, size);
	health_state_init(state, as_of, entry->model.nsignals, entry->text, entry->text_len);
	SET_VARSIZE(state, size);
	return state;
}

static Size
state_wire_size(const struct varlena *value)
{
	return health_state_wire_size((const HealthState *) value);
}

static void
state_encode(const struct varlena *value, uint8 *out)
{
	health_state_encode((const HealthState *) value, out);
}

static void
state_model_error_context(void *arg)
{
	errcontext("the model text of a health_state value");
}

static const char *
state_decode(const uint8 *in, Size len, struct varlena **value)
{
	ErrorContextCallback callback;
	uint32		nsignals;
	uint32		text_len;
	HealthState *state;
	HealthModelEntry *entry;
	Size		size;

	switch (health_state_peek(in, len, &nsignals, &text_len))
	{
		case HEALTH_OK:
			break;
		case HEALTH_ERR_BAD_VERSION:
			return psprintf("Format version %u is unknown; this library reads version %d.",
							(unsigned) in[0], HEALTH_STATE_VERSION);
		case HEALTH_ERR_BAD_COUNT:
			return "A counter is negative.";
		default:
			return psprintf("Its lengths do not add up to its %zu bytes.", (size_t) len);
	}
	size = health_state_mem_size(nsignals, text_len);
	if (size > MaxAllocSize)
		return "It is too large.";
	state = palloc(size);
	health_state_decode(in, len, state);
	SET_VARSIZE(state, size);
	if (TIMESTAMP_NOT_FINITE(state->as_of) || !IS_VALID_TIMESTAMP(state->as_of))
		return "Its as_of is not a finite timestamp.";
	callback.callback = state_model_error_context;
	callback.arg = NULL;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	entry = model_for_text(health_state_text(state), text_len);
	error_context_stack = callback.previous;
	if (entry->model.nsignals != (int) nsignals)
		return psprintf("It has %u signals where its model has %d.", nsignals, entry->model.nsignals);
	*value = (struct varlena *) state;
	return NULL;
}

static const B2bStateIO state_io = {
	"health_state", "health", state_wire_size, state_encode, state_decode
};

B2B_STATE_TYPE_IO(health_state, state_io, state_datum(PG_GETARG_DATUM(0)));
B2B_STATE_TYPE_BYTEA_CASTS(health_state, state_io, state_datum(PG_GETARG_DATUM(0)));

/* ---------- the aggregates ---------- */

static void
report_merge(HealthStatus status, int64 as_of_a, int64 as_of_b)
{
	switch (status)
	{
		case HEALTH_OK:
			return;
		case HEALTH_ERR_DIFFERENT_AS_OF:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("as_of must be the same for every row of a group"),
					 errdetail("Found %s and %s.", b2b_timestamptz_text(as_of_a),
							   b2b_timestamptz_text(as_of_b))));
			break;
		case HEALTH_ERR_DIFFERENT_MODEL:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("model must be the same for every row of a group")));
			break;
		case HEALTH_ERR_COUNT_OVERFLOW:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("health_state counter out of range"),
					 errdetail("A signal's count would exceed 9223372036854775807 rows.")));
			break;
		default:
			elog(ERROR, "unexpected health status %d", (int) status);
	}
}

/*
 * health_state_transfn(state, ts, signal, as_of, model): count one row into
 * the group's state, changed in place (the executor keeps it in the
 * aggregate's context).  A group's first state is made in the current
 * context: the executor copies a new state into the aggregate's context, so
 * one made there would be left behind as garbage, a second copy per group.  Not strict: NULL ts or signal rows
 * are skipped, NULL as_of or model are errors, and every row's as_of and
 * model are checked against the group's.
 */
Datum
health_state_transfn(PG_FUNCTION_ARGS)
{
	HealthState *state = PG_ARGISNULL(0) ? NULL : (HealthState *) PG_GETARG_POINTER(0);
	HealthModelEntry *entry;
	HealthWindows windows;
	HealthWindow window;
	int64		as_of;

	(void) b2b_agg_context(fcinfo);
	b2b_require_not_null(fcinfo, 3, "as_of");
	b2b_require_not_null(fcinfo, 4, "model");
	as_of = PG_GETARG_TIMESTAMPTZ(3);
	entry = model_for_jsonb(PG_GETARG_DATUM(4));

	if (state == NULL)
	{
		b2b_require_finite(as_of, "as_of");
		state = state_new(CurrentMemoryContext, as_of, entry);
	}
	else if (state->as_of != as_of)
		report_merge(HEALTH_ERR_DIFFERENT_AS_OF, state->as_of, as_of);
	else if (state->text_len != entry->text_len ||
			 memcmp(health_state_text(state), entry->text, entry->text_len) != 0)
		report_merge(HEALTH_ERR_DIFFERENT_MODEL, 0, 0);

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);

	/* The window test is cheaper than the name lookup and rejects most rows. */
	health_windows_init(&windows, as_of, entry->model.recent_us, entry->model.baseline_us);
	window = health_classify(&windows, PG_GETARG_TIMESTAMPTZ(1));
	if (window != HEALTH_IGNORED)
	{
		text	   *name = PG_GETARG_TEXT_PP(2);
		int			signal = health_signal_index(&entry->model, VARDATA_ANY(name),
												 VARSIZE_ANY_EXHDR(name));

		if (signal >= 0)
			state->counts[HEALTH_COUNT_SLOT(signal, window)]++;
	}
	PG_RETURN_POINTER(state);
}

/*
 * The state a combine or rollup transition is given as its own (argument 0):
 * changed in place when it is a plain datum of ours.  The executor copies a
 * first input into the aggregate's context as it came, and a state that
 * crossed a tuple (from a parallel worker, a table) may have a short header
 * or be compressed: then a detoasted copy, which the executor copies in turn
 * when it is returned.
 */
static HealthState *
own_state(Datum d)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);

	if (VARATT_IS_EXTENDED(v) || (uintptr_t) v % 8 != 0)
		return state_datum(d);
	if (!health_state_layout_ok((HealthState *) v, VARSIZE(v)))
		report_damaged();
	return (HealthState *) v;
}

/* health_state_combinefn(a, b), STRICT: b added into a, the aggregate's own state. */
Datum
health_state_combinefn(PG_FUNCTION_ARGS)
{
	HealthState *into;
	HealthState *from;

	(void) b2b_agg_context(fcinfo);
	into = own_state(PG_GETARG_DATUM(0));
	from = state_datum(PG_GETARG_DATUM(1));
	report_merge(health_state_merge(into, from), into->as_of, from->as_of);
	PG_RETURN_POINTER(into);
}

/* health_rollup(health_state), STRICT: the same merge, over stored states. */
Datum
health_rollup_transfn(PG_FUNCTION_ARGS)
{
	return health_state_combinefn(fcinfo);
}

/* The score as a numeric with two decimals, from a count of hundredths (0..10000). */
static Numeric
score_numeric(int64 hundredths)
{
	return b2b_numeric_scaled(hundredths, HEALTH_SCORE_DECIMALS);
}

Datum
health_state_score_finalfn(PG_FUNCTION_ARGS)
{
	HealthState *state;
	HealthModelEntry *entry;
	int64		hundredths;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = state_datum(PG_GETARG_DATUM(0));
	entry = model_for_text(health_state_text(state), state->text_len);
	if (!health_evaluate(&entry->model, state->counts, NULL, &hundredths))
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(score_numeric(hundredths));
}

/* A double of the detail as numeric, rounded to the detail's decimals. */
static Numeric
detail_numeric(double d)
{
	return b2b_numeric_from_double(d, HEALTH_DETAIL_DECIMALS);
}

/* Push a key, then its value, into the object being built. */
static void
push_key(JsonbParseState **st, const char *key, int key_len)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = key_len;
	pushJsonbValue(st, WJB_KEY, &k);
}

/* A NULL numeric is JSON null. */
static void
push_numeric(JsonbParseState **st, const char *key, Numeric value)
{
	JsonbValue	v;

	push_key(st, key, strlen(key));
	if (value == NULL)
		v.type = jbvNull;
	else
	{
		v.type = jbvNumeric;
		v.val.numeric = value;
	}
	pushJsonbValue(st, WJB_VALUE, &v);
}

static void
push_string(JsonbParseState **st, const char *key, const char *value)
{
	JsonbValue	v;

	push_key(st, key, strlen(key));
	v.type = jbvString;
	v.val.string.val = (char *) value;
	v.val.string.len = strlen(value);
	pushJsonbValue(st, WJB_VALUE, &v);
}

static void
push_bool(JsonbParseState **st, const char *key, bool value)
{
	JsonbValue	v;

	push_key(st, key, strlen(key));
	v.type = jbvBool;
	v.val.boolean = value;
	pushJsonbValue(st, WJB_VALUE, &v);
}

/*
 * health_score_detail: the score and, per signal, what went into it:
 * {"score": 90.00, "signals_with_data": 3, "signals": {"help_view": {"recent": 2,
 * "baseline": 3, "expected": 1, "ratio": 2, "component": 0.5, "weight": 1,
 * "direction": "down", "target": null, "has_data": true, "points_lost": 10}, ...}}.
 * points_lost is what the signal costs the score, 100 * w * (1 - c) over the
 * sum of the weights with data, so the points lost add up to 100 - score.
 * Built as a JsonbValue directly: printing and re-parsing text cost more than
 * the counting itself.
 */
Datum
health_state_detail_finalfn(PG_FUNCTION_ARGS)
{
	HealthState *state;
	HealthModelEntry *entry;
	const HealthModel *model;
	HealthComponent *components;
	JsonbParseState *st = NULL;
	JsonbValue *result;
	int64		hundredths;
	bool		has_score;
	int			with_data = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = state_datum(PG_GETARG_DATUM(0));
	entry = model_for_text(health_state_text(state), state->text_len);
	model = &entry->model;
	components = palloc(sizeof(HealthComponent) * model->nsignals);
	has_score = health_evaluate(model, state->counts, components, &hundredths);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_numeric(&st, "score", has_score ? score_numeric(hundredths) : NULL);
	push_key(&st, "signals", 7);
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < model->nsignals; i++)
	{
		const HealthSignal *s = &model->signals[i];
		const HealthComponent *c = &components[i];

		with_data += c->has_data;
		push_key(&st, s->name, s->name_len);
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		push_numeric(&st, "recent", b2b_numeric_from_int64(c->recent));
		push_numeric(&st, "baseline", b2b_numeric_from_int64(c->baseline));
		push_numeric(&st, "expected", detail_numeric(c->expected));
		push_numeric(&st, "ratio", c->has_data ? detail_numeric(c->ratio) : NULL);
		push_numeric(&st, "component", c->has_data ? detail_numeric(c->component) : NULL);
		push_numeric(&st, "weight", entry->weight_numeric[i]);
		push_string(&st, "direction", s->direction == HEALTH_UP ? "up" : "down");
		push_numeric(&st, "target", entry->target_numeric[i]);
		push_bool(&st, "has_data", c->has_data);
		push_numeric(&st, "points_lost", c->has_data ? detail_numeric(c->points_lost) : NULL);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	push_numeric(&st, "signals_with_data", b2b_numeric_from_int64(with_data));
	result = pushJsonbValue(&st, WJB_END_OBJECT, NULL);

	PG_RETURN_JSONB_P(JsonbValueToJsonb(result));
}

/* The accessors of a stored or rolled-up state: what the final functions give. */
Datum
health_state_score(PG_FUNCTION_ARGS)
{
	return health_state_score_finalfn(fcinfo);
}

Datum
health_state_detail(PG_FUNCTION_ARGS)
{
	return health_state_detail_finalfn(fcinfo);
}

/* ---------- health_signals: a detail as rows ---------- */

/* The columns of health_signals, in order, and the type each field of a signal must have. */
static const struct
{
	const char *key;
	enum jbvType type;			/* jbvNumeric, jbvString or jbvBool; null is allowed */
} signal_fields[] = {
	{"recent", jbvNumeric}, {"baseline", jbvNumeric}, {"expected", jbvNumeric},
	{"ratio", jbvNumeric}, {"component", jbvNumeric}, {"weight", jbvNumeric},
	{"direction", jbvString}, {"target", jbvNumeric}, {"has_data", jbvBool},
	{"points_lost", jbvNumeric}
};

#define SIGNAL_FIELDS lengthof(signal_fields)

static void
report_not_detail(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("detail is not a health_score_detail result"),
			 errdetail("%s", why)));
}

/*
 * health_signals(detail jsonb) returns one row per signal of a
 * health_score_detail result, in the detail's order: (signal, recent,
 * baseline, expected, ratio, component, weight, direction, target,
 * has_data, points_lost).  A detail of another shape is an error.
 */
Datum
health_signals(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Jsonb	   *detail = PG_GETARG_JSONB_P(0);
	JsonbValue *signals;
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	spec;
	JsonbIteratorToken tok;

	InitMaterializedSRF(fcinfo, 0);
	if (!JB_ROOT_IS_OBJECT(detail))
		report_not_detail("It is not a JSON object.");
	signals = getKeyJsonValueFromContainer(&detail->root, "signals", 7, NULL);
	if (signals == NULL || signals->type != jbvBinary || !JsonContainerIsObject(signals->val.binary.data))
		report_not_detail("It has no object \"signals\".");

	it = JsonbIteratorInit(signals->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		Datum		values[1 + SIGNAL_FIELDS];
		bool		nulls[1 + SIGNAL_FIELDS];

		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &spec, true);
		if (spec.type != jbvBinary || !JsonContainerIsObject(spec.val.binary.data))
			report_not_detail(psprintf("Signal \"%s\" is not an object.", key_text(&key)));
		values[0] = PointerGetDatum(cstring_to_text_with_len(key.val.string.val, key.val.string.len));
		nulls[0] = false;
		for (int f = 0; f < (int) SIGNAL_FIELDS; f++)
		{
			JsonbValue *v = getKeyJsonValueFromContainer(spec.val.binary.data, signal_fields[f].key,
														 strlen(signal_fields[f].key), NULL);

			if (v == NULL)
				report_not_detail(psprintf("Signal \"%s\" has no \"%s\".", key_text(&key),
										   signal_fields[f].key));
			nulls[1 + f] = v->type == jbvNull;
			if (v->type == jbvNull)
				continue;
			if (v->type != signal_fields[f].type)
				report_not_detail(psprintf("\"%s\" of signal \"%s\" is %s.", signal_fields[f].key,
										   key_text(&key), quote_value(v)));
			if (v->type == jbvString)
				values[1 + f] = PointerGetDatum(cstring_to_text_with_len(v->val.string.val, v->val.string.len));
			else if (v->type == jbvBool)
				values[1 + f] = BoolGetDatum(v->val.boolean);
			else if (f <= 1)	/* recent, baseline: bigint */
				values[1 + f] = DirectFunctionCall1(numeric_int8, NumericGetDatum(v->val.numeric));
			else
				values[1 + f] = NumericGetDatum(v->val.numeric);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---------- bands ---------- */

static text *
band_text(HealthStatus status, HealthBand band, const char *red_max, const char *yellow_max)
{
	switch (status)
	{
		case HEALTH_OK:
			return cstring_to_text(health_band_name(band));
		case HEALTH_ERR_BAND_NAN:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("score and thresholds must not be NaN")));
			break;
		case HEALTH_ERR_BAND_ORDER:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("red_max must not be greater than yellow_max"),
					 errdetail("red_max is %s and yellow_max is %s.", red_max, yellow_max)));
			break;
		default:
			break;
	}
	elog(ERROR, "unexpected health status %d", (int) status);
	return NULL;
}

/* Numerics are compared exactly, as numerics. */
static text *
band_numeric(Numeric score, Numeric red_max, Numeric yellow_max)
{
	HealthBand	band = HEALTH_BAND_RED;
	HealthStatus status = health_band_of(numeric_is_nan(score) || numeric_is_nan(red_max) ||
										 numeric_is_nan(yellow_max),
										 b2b_numeric_cmp(score, red_max),
										 b2b_numeric_cmp(score, yellow_max),
										 b2b_numeric_cmp(red_max, yellow_max), &band);

	return band_text(status, band,
					 status == HEALTH_ERR_BAND_ORDER ? b2b_numeric_text(red_max) : NULL,
					 status == HEALTH_ERR_BAND_ORDER ? b2b_numeric_text(yellow_max) : NULL);
}

static text *
band_float8(double score, double red_max, double yellow_max)
{
	HealthBand	band = HEALTH_BAND_RED;
	HealthStatus status = health_band_of_double(score, red_max, yellow_max, &band);

	return band_text(status, band,
					 status == HEALTH_ERR_BAND_ORDER ? double_to_shortest_decimal(red_max) : NULL,
					 status == HEALTH_ERR_BAND_ORDER ? double_to_shortest_decimal(yellow_max) : NULL);
}

/* health_band(score): the core's default thresholds. */
Datum
health_band(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(band_numeric(PG_GETARG_NUMERIC(0), b2b_numeric_from_int64(HEALTH_BAND_RED_MAX),
								  b2b_numeric_from_int64(HEALTH_BAND_YELLOW_MAX)));
}

/* health_band(score, red_max, yellow_max) */
Datum
health_band_thresholds(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(band_numeric(PG_GETARG_NUMERIC(0), PG_GETARG_NUMERIC(1), PG_GETARG_NUMERIC(2)));
}

/* The double precision twins. */
Datum
health_band_float8(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(band_float8(PG_GETARG_FLOAT8(0), HEALTH_BAND_RED_MAX, HEALTH_BAND_YELLOW_MAX));
}

Datum
health_band_thresholds_float8(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(band_float8(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2)));
}
