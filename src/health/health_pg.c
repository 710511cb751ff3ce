/*
 * health_pg.c
 *		SQL glue of the customer health score: health_score,
 *		health_score_detail and health_band.
 *
 * The model (jsonb) is parsed and validated once per query: the first model
 * a function call sees is kept for the whole query in fn_extra, and every
 * later row, group or partial state whose model has the same bytes shares
 * it.  A different model in another group (say, joined per segment) is
 * allowed; it is parsed once for that group and lives in the group's state.
 * Within one group every row must carry the same model and the same as_of.
 *
 * The aggregate state is the model plus two int64 counters per signal.  For
 * parallel plans it is serialized (by the core, health_state_encode) as
 * as_of, the model's canonical JSON text and the counters; deserialization
 * decodes with bounds checks, compares the text with the query's model (the
 * usual case, a memcmp) and otherwise parses and validates it again, so no
 * byte of a serialized state is trusted.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "common/int.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "common/b2b_pg.h"
#include "health.h"

PG_FUNCTION_INFO_V1(health_transfn);
PG_FUNCTION_INFO_V1(health_combinefn);
PG_FUNCTION_INFO_V1(health_serializefn);
PG_FUNCTION_INFO_V1(health_deserializefn);
PG_FUNCTION_INFO_V1(health_score_finalfn);
PG_FUNCTION_INFO_V1(health_detail_finalfn);
PG_FUNCTION_INFO_V1(health_band);
PG_FUNCTION_INFO_V1(health_band_thresholds);

/* Defaults when the model leaves the windows out. */
#define HEALTH_DEFAULT_RECENT	"30 days"
#define HEALTH_DEFAULT_BASELINE "90 days"

/* Values quoted in error messages are cut to this many bytes. */
#define HEALTH_MAX_QUOTED		80

/* A parsed model, with what the SQL side needs beside the core's view. */
typedef struct HealthModelEntry
{
	HealthModel model;			/* signal names are copies owned by the entry */
	Jsonb	   *jsonb;			/* the model as given */
	char	   *text;			/* its canonical text, for serialization */
	int			text_len;
	Numeric    *weight_numeric; /* per signal, the weight as written */
	Numeric    *target_numeric; /* per signal, the target as written, or NULL */
} HealthModelEntry;

/* Per call site (fn_extra): the query's model, parsed once. */
typedef struct HealthCache
{
	HealthModelEntry *shared;	/* first model seen; lives in fn_mcxt */
	bool		model_arg_checked;
	bool		model_arg_is_const; /* rows need no per-row model check */
} HealthCache;

typedef struct HealthState
{
	HealthModelEntry *entry;
	HealthWindows windows;
	int64		counts[FLEXIBLE_ARRAY_MEMBER];	/* 2 per signal */
} HealthState;

#define HEALTH_STATE_SIZE(nsignals) \
	(offsetof(HealthState, counts) + sizeof(int64) * 2 * (nsignals))


/* ---------- parsing and validating the model ---------- */

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

static bool
key_is(JsonbValue *key, const char *name)
{
	return key->val.string.len == (int) strlen(name) &&
		memcmp(key->val.string.val, name, key->val.string.len) == 0;
}

/*
 * An interval string as microseconds.  interval_in reports a bad string with
 * its own SQLSTATE (22007) and no mention of the model, so we catch that
 * error and raise ours, naming the key; nothing is resumed after the catch.
 */
static int64
parse_window(JsonbValue *key, JsonbValue *value)
{
	char	   *name = key_text(key);
	char	   *str;
	Interval   *iv = NULL;
	MemoryContext oldcxt = CurrentMemoryContext;
	int64		days_us;
	int64		total;

	if (value->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model: \"%s\" must be an interval string, not %s",
						name, quote_value(value)),
				 errhint("Write it like \"30 days\".")));
	str = pnstrdup(value->val.string.val, value->val.string.len);

	PG_TRY();
	{
		iv = DatumGetIntervalP(DirectFunctionCall3(interval_in,
												   CStringGetDatum(str),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		/* Only a data exception is a bad interval; anything else (out of memory...) goes on up. */
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model: \"%s\" is not a valid interval: %s",
						name, quote_value(value)),
				 errdetail("%s", edata->message),
				 errhint("Write it like \"30 days\".")));
	}
	PG_END_TRY();

#if PG_VERSION_NUM >= 170000
	if (INTERVAL_NOT_FINITE(iv))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model: \"%s\" must be finite, not %s", name, quote_value(value))));
#endif
	if (iv->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model: \"%s\" must not use months or years: %s",
						name, quote_value(value)),
				 errdetail("Months have different lengths, so the two windows could not be compared."),
				 errhint("Use days (a day counts as 24 hours), for example \"30 days\" or \"12 weeks\".")));

	if (pg_mul_s64_overflow((int64) iv->day, USECS_PER_DAY, &days_us) ||
		pg_add_s64_overflow(days_us, iv->time, &total))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model: \"%s\" is out of range: %s", name, quote_value(value))));
	if (total <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model: \"%s\" must be a positive interval, not %s",
						name, quote_value(value))));
	return total;
}

/*
 * A JSON number as a double, or an error naming signal, key and value.  The
 * range is the core's (health_check_weight, health_check_target).
 */
static double
parse_number(const char *signal, JsonbValue *key, JsonbValue *value,
			 bool is_target, Numeric *as_written)
{
	double		d;

	if (value->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model: \"%s\" of signal \"%s\" must be a number, not %s",
						key_text(key), signal, quote_value(value))));
	d = b2b_numeric_to_double(value->val.numeric);
	if ((is_target ? health_check_target(d) : health_check_weight(d)) != HEALTH_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of signal \"%s\" is out of range", key_text(key), signal),
				 errdetail("The value given is %s; %s.", number_text(value->val.numeric, d),
						   is_target ? "a target is 0 or a number from 1e-9 to 1e15"
						   : "a weight is a number from 1e-9 to 1e15")));
	*as_written = DatumGetNumericCopy(NumericGetDatum(value->val.numeric));
	return d;
}

static void
parse_signal(HealthModelEntry *entry, int i, JsonbValue *name, JsonbValue *spec)
{
	HealthSignal *s = &entry->model.signals[i];
	char	   *signal = key_text(name);
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	JsonbIteratorToken tok;
	bool		has_weight = false;

	s->name = signal;
	s->name_len = name->val.string.len;
	s->direction = HEALTH_UP;
	s->has_target = 0;
	entry->target_numeric[i] = NULL;

	if (spec->type != jbvBinary || !JsonContainerIsObject(spec->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model: signal \"%s\" must be an object, not %s",
						signal, quote_value(spec)),
				 errhint("Write it like {\"weight\": 3, \"direction\": \"up\"}.")));

	it = JsonbIteratorInit(spec->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &value, true);
		Assert(tok == WJB_VALUE);
		if (key_is(&key, "weight"))
		{
			s->weight = parse_number(signal, &key, &value, false, &entry->weight_numeric[i]);
			has_weight = true;
		}
		else if (key_is(&key, "target"))
		{
			s->target = parse_number(signal, &key, &value, true, &entry->target_numeric[i]);
			s->has_target = 1;
		}
		else if (key_is(&key, "direction"))
		{
			if (value.type == jbvString && value.val.string.len == 2 &&
				memcmp(value.val.string.val, "up", 2) == 0)
				s->direction = HEALTH_UP;
			else if (value.type == jbvString && value.val.string.len == 4 &&
					 memcmp(value.val.string.val, "down", 4) == 0)
				s->direction = HEALTH_DOWN;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("health model: \"direction\" of signal \"%s\" must be \"up\" or \"down\", not %s",
								signal, quote_value(&value))));
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("health model: unknown key \"%s\" in signal \"%s\" (value %s)",
							key_text(&key), signal, quote_value(&value)),
					 errhint("A signal has the keys \"weight\", \"direction\" and \"target\".")));
	}
	if (!has_weight)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model: signal \"%s\" has no \"weight\"", signal),
				 errhint("Write it like {\"weight\": 3}.")));
}

/*
 * Parse and validate a model into a new entry allocated in cxt.  Any flaw is
 * an error naming the key and value; the entry is complete on return.
 */
static HealthModelEntry *
parse_model(Jsonb *jb, MemoryContext cxt)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	HealthModelEntry *entry = palloc0(sizeof(HealthModelEntry));
	JsonbIterator *it;
	JsonbValue	key;
	JsonbValue	value;
	JsonbValue	signals = {0};
	JsonbIteratorToken tok;
	bool		has_recent = false;
	bool		has_baseline = false;
	bool		has_signals = false;
	int			n = 0;

	if (!JB_ROOT_IS_OBJECT(jb))
	{
		JsonbValue	whole;

		whole.type = jbvBinary;
		whole.val.binary.data = &jb->root;
		whole.val.binary.len = VARSIZE(jb) - VARHDRSZ;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model must be a JSON object, not %s", quote_value(&whole)),
				 errhint("Write it like {\"recent\": \"30 days\", \"baseline\": \"90 days\", \"signals\": {\"login\": {\"weight\": 1}}}.")));
	}

	it = JsonbIteratorInit(&jb->root);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &value, true);
		Assert(tok == WJB_VALUE);
		if (key_is(&key, "recent"))
		{
			entry->model.recent_us = parse_window(&key, &value);
			has_recent = true;
		}
		else if (key_is(&key, "baseline"))
		{
			entry->model.baseline_us = parse_window(&key, &value);
			has_baseline = true;
		}
		else if (key_is(&key, "signals"))
		{
			if (value.type != jbvBinary || !JsonContainerIsObject(value.val.binary.data) ||
				JsonContainerSize(value.val.binary.data) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("health model: \"signals\" must be a non-empty object, not %s",
								quote_value(&value)),
						 errhint("Write it like {\"login\": {\"weight\": 3}, \"support_ticket\": {\"weight\": 1, \"direction\": \"down\"}}.")));
			signals = value;
			has_signals = true;
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("health model: unknown key \"%s\" (value %s)",
							key_text(&key), quote_value(&value)),
					 errhint("A model has the keys \"recent\", \"baseline\" and \"signals\".")));
	}
	if (!has_signals)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health model has no \"signals\""),
				 errhint("Add \"signals\": {\"login\": {\"weight\": 1}}, one entry per event name.")));

	if (!has_recent || !has_baseline)
	{
		JsonbValue	k;
		JsonbValue	v;

		k.type = v.type = jbvString;
		if (!has_recent)
		{
			k.val.string.val = "recent";
			k.val.string.len = 6;
			v.val.string.val = HEALTH_DEFAULT_RECENT;
			v.val.string.len = strlen(HEALTH_DEFAULT_RECENT);
			entry->model.recent_us = parse_window(&k, &v);
		}
		if (!has_baseline)
		{
			k.val.string.val = "baseline";
			k.val.string.len = 8;
			v.val.string.val = HEALTH_DEFAULT_BASELINE;
			v.val.string.len = strlen(HEALTH_DEFAULT_BASELINE);
			entry->model.baseline_us = parse_window(&k, &v);
		}
	}

	entry->model.nsignals = JsonContainerSize(signals.val.binary.data);
	entry->model.signals = palloc0(sizeof(HealthSignal) * entry->model.nsignals);
	entry->weight_numeric = palloc0(sizeof(Numeric) * entry->model.nsignals);
	entry->target_numeric = palloc0(sizeof(Numeric) * entry->model.nsignals);

	it = JsonbIteratorInit(signals.val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &key, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &value, true);
		Assert(tok == WJB_VALUE);
		parse_signal(entry, n++, &key, &value);
	}
	Assert(n == entry->model.nsignals);

	/*
	 * jsonb keeps object keys sorted by length and bytes, the core's order,
	 * so this sort finds them in order; it keeps the texts aligned anyway.
	 */
	{
		HealthSignal *unsorted = palloc(sizeof(HealthSignal) * n);
		Numeric    *weights = palloc(sizeof(Numeric) * n);
		Numeric    *targets = palloc(sizeof(Numeric) * n);
		int			i;

		memcpy(unsorted, entry->model.signals, sizeof(HealthSignal) * n);
		health_model_prepare(&entry->model);
		for (i = 0; i < n; i++)
		{
			int			from;

			for (from = 0; unsorted[from].name != entry->model.signals[i].name; from++)
				;
			weights[i] = entry->weight_numeric[from];
			targets[i] = entry->target_numeric[from];
		}
		entry->weight_numeric = weights;
		entry->target_numeric = targets;
		pfree(unsorted);
	}

	entry->jsonb = palloc(VARSIZE(jb));
	memcpy(entry->jsonb, jb, VARSIZE(jb));
	entry->text = JsonbToCString(NULL, &entry->jsonb->root, VARSIZE(entry->jsonb));
	entry->text_len = strlen(entry->text);

	MemoryContextSwitchTo(oldcxt);
	return entry;
}

static HealthCache *
get_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(HealthCache));
	return (HealthCache *) fcinfo->flinfo->fn_extra;
}

static bool
same_jsonb(const Jsonb *a, const Jsonb *b)
{
	return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

/* A deep copy of an entry in cxt, without the garbage its parsing left. */
static HealthModelEntry *
copy_entry(const HealthModelEntry *src, MemoryContext cxt)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	HealthModelEntry *entry = palloc(sizeof(HealthModelEntry));
	int			n = src->model.nsignals;
	int			i;

	*entry = *src;
	entry->model.signals = palloc(sizeof(HealthSignal) * n);
	entry->weight_numeric = palloc(sizeof(Numeric) * n);
	entry->target_numeric = palloc(sizeof(Numeric) * n);
	for (i = 0; i < n; i++)
	{
		entry->model.signals[i] = src->model.signals[i];
		entry->model.signals[i].name = pnstrdup(src->model.signals[i].name,
												src->model.signals[i].name_len);
		entry->weight_numeric[i] = DatumGetNumericCopy(NumericGetDatum(src->weight_numeric[i]));
		entry->target_numeric[i] = src->target_numeric[i] == NULL ? NULL
			: DatumGetNumericCopy(NumericGetDatum(src->target_numeric[i]));
	}
	entry->jsonb = palloc(VARSIZE(src->jsonb));
	memcpy(entry->jsonb, src->jsonb, VARSIZE(src->jsonb));
	entry->text = pnstrdup(src->text, src->text_len);
	MemoryContextSwitchTo(oldcxt);
	return entry;
}

/*
 * The entry for a model: the query's shared one when the bytes match, else
 * a new one, which becomes the shared one if there is none yet (it then
 * lives as long as the call site, in fn_cxt) or lives in group_cxt.  Parsing
 * happens in a scratch context; only the finished entry is copied out.
 */
static HealthModelEntry *
lookup_model(HealthCache *cache, Jsonb *jb, MemoryContext fn_cxt, MemoryContext group_cxt)
{
	MemoryContext scratch;
	HealthModelEntry *entry;

	if (cache->shared != NULL && same_jsonb(cache->shared->jsonb, jb))
		return cache->shared;
	scratch = AllocSetContextCreate(CurrentMemoryContext, "health model parsing",
									ALLOCSET_SMALL_SIZES);
	entry = copy_entry(parse_model(jb, scratch), cache->shared == NULL ? fn_cxt : group_cxt);
	MemoryContextDelete(scratch);
	if (cache->shared == NULL)
		cache->shared = entry;
	return entry;
}

static HealthState *
new_state(HealthModelEntry *entry, int64 as_of, MemoryContext cxt)
{
	HealthState *state = MemoryContextAllocZero(cxt, HEALTH_STATE_SIZE(entry->model.nsignals));

	state->entry = entry;
	health_windows_init(&state->windows, as_of, entry->model.recent_us, entry->model.baseline_us);
	return state;
}

static void
check_as_of(TimestampTz as_of)
{
	if (TIMESTAMP_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health_score: as_of must be a finite timestamp")));
}

static void
different_as_of(int64 a, int64 b)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("health_score: as_of must be the same for every row of a group"),
			 errdetail("Found %s and %s.", b2b_timestamptz_text(a), b2b_timestamptz_text(b))));
}

static void
different_model(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("health_score: the model must be the same for every row of a group")));
}

/* Is the aggregate's argument argno a constant, the same for every row? */
static bool
agg_arg_is_const(FunctionCallInfo fcinfo, int argno)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	TargetEntry *tle;

	if (aggref == NULL || list_length(aggref->args) <= argno)
		return false;
	tle = list_nth_node(TargetEntry, aggref->args, argno);
	return IsA(tle->expr, Const);
}

/* ---------- the aggregate ---------- */

/*
 * health_transfn(state, ts, signal, as_of, model): count one row.  Not
 * strict: NULL ts or signal rows are skipped, NULL as_of or model are errors.
 */
Datum
health_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	HealthCache *cache;
	HealthState *state = PG_ARGISNULL(0) ? NULL : (HealthState *) PG_GETARG_POINTER(0);
	int64		as_of;
	HealthWindow window;
	int			signal;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "health_transfn called in non-aggregate context");
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("health_score: as_of must not be NULL")));
	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("health_score: model must not be NULL")));
	as_of = PG_GETARG_TIMESTAMPTZ(3);
	cache = get_cache(fcinfo);

	if (state == NULL)
	{
		Jsonb	   *jb = PG_GETARG_JSONB_P(4);

		if (!cache->model_arg_checked)
		{
			cache->model_arg_is_const = agg_arg_is_const(fcinfo, 3);
			cache->model_arg_checked = true;
		}
		check_as_of(as_of);
		state = new_state(lookup_model(cache, jb, fcinfo->flinfo->fn_mcxt, aggcxt),
						  as_of, aggcxt);
	}
	else
	{
		if (state->windows.as_of != as_of)
			different_as_of(state->windows.as_of, as_of);
		if (!cache->model_arg_is_const && !same_jsonb(state->entry->jsonb, PG_GETARG_JSONB_P(4)))
			different_model();
	}

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);

	/* The window test is cheaper than the name lookup and rejects most rows. */
	window = health_classify(&state->windows, PG_GETARG_TIMESTAMPTZ(1));
	if (window != HEALTH_IGNORED)
	{
		text	   *name = PG_GETARG_TEXT_PP(2);

		signal = health_signal_index(&state->entry->model, VARDATA_ANY(name),
									 VARSIZE_ANY_EXHDR(name));
		if (signal >= 0)
			state->counts[HEALTH_COUNT_SLOT(signal, window)]++;
	}
	PG_RETURN_POINTER(state);
}

Datum
health_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	HealthState *a = PG_ARGISNULL(0) ? NULL : (HealthState *) PG_GETARG_POINTER(0);
	HealthState *b = PG_ARGISNULL(1) ? NULL : (HealthState *) PG_GETARG_POINTER(1);
	int			i;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "health_combinefn called in non-aggregate context");
	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		Size		size = HEALTH_STATE_SIZE(b->entry->model.nsignals);

		a = MemoryContextAlloc(aggcxt, size);
		memcpy(a, b, size);
		PG_RETURN_POINTER(a);
	}
	if (a->windows.as_of != b->windows.as_of)
		different_as_of(a->windows.as_of, b->windows.as_of);
	if (a->entry != b->entry && !same_jsonb(a->entry->jsonb, b->entry->jsonb))
		different_model();
	for (i = 0; i < 2 * a->entry->model.nsignals; i++)
		a->counts[i] += b->counts[i];
	PG_RETURN_POINTER(a);
}

/* The layout is the core's (health_state_encode). */
Datum
health_serializefn(PG_FUNCTION_ARGS)
{
	HealthState *state = (HealthState *) PG_GETARG_POINTER(0);
	const HealthModelEntry *entry = state->entry;
	size_t		size = health_state_size(entry->text_len, entry->model.nsignals);
	bytea	   *out = palloc(VARHDRSZ + size);

	SET_VARSIZE(out, VARHDRSZ + size);
	health_state_encode((uint8_t *) VARDATA(out), state->windows.as_of, entry->text,
						entry->text_len, entry->model.nsignals, state->counts);
	PG_RETURN_BYTEA_P(out);
}

static void
bad_state(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid health_score state: %s", why)));
}

Datum
health_deserializefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	HealthCache *cache;
	HealthModelEntry *entry;
	HealthState *state;
	HealthStateView view;
	const char *why;
	uint32		i;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "health_deserializefn called in non-aggregate context");
	cache = get_cache(fcinfo);

	why = health_state_decode((const uint8_t *) VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes), &view);
	if (why != NULL)
		bad_state(why);
	if (TIMESTAMP_NOT_FINITE(view.as_of) || !IS_VALID_TIMESTAMP(view.as_of))
		bad_state("as_of out of range");

	if (cache->shared != NULL && cache->shared->text_len == view.text_len &&
		memcmp(cache->shared->text, view.text, view.text_len) == 0)
		entry = cache->shared;
	else
	{
		/* Not the query's model: parse it as untrusted JSON text. */
		char	   *text = pnstrdup(view.text, view.text_len);
		Jsonb	   *jb;

		if (strlen(text) != view.text_len)
			bad_state("model text contains a NUL byte");
		pg_verifymbstr(text, view.text_len, false);
		jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text)));
		entry = lookup_model(cache, jb, fcinfo->flinfo->fn_mcxt, aggcxt);
		if (entry->text_len != (int) view.text_len || memcmp(entry->text, view.text, view.text_len) != 0)
			bad_state("model text is not canonical");
	}

	if (view.nsignals != (uint32) entry->model.nsignals)
		bad_state("signal count does not match the model");

	/*
	 * In the current (per-tuple) context: the combine function copies it
	 * into the aggregate's context when it starts a group, and otherwise
	 * adds it up, so a partial state never outlives the tuple it came in.
	 */
	state = new_state(entry, view.as_of, CurrentMemoryContext);
	for (i = 0; i < 2 * view.nsignals; i++)
		state->counts[i] = health_state_count(&view, i);
	PG_RETURN_POINTER(state);
}

/* The score as a numeric with two decimals, from a count of hundredths (0..10000). */
static Numeric
hundredths_to_numeric(int64 hundredths)
{
	char		str[32];

	snprintf(str, sizeof(str), INT64_FORMAT ".%02d", hundredths / 100, (int) (hundredths % 100));
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(str),
											   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
}

Datum
health_score_finalfn(PG_FUNCTION_ARGS)
{
	HealthState *state;
	int64		hundredths;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (HealthState *) PG_GETARG_POINTER(0);
	if (!health_evaluate(&state->entry->model, state->counts, NULL, &hundredths))
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(hundredths_to_numeric(hundredths));
}

/* A double of the detail as numeric, rounded to four decimals, without trailing zeros. */
static Numeric
rounded_numeric(double d)
{
	return b2b_numeric_from_double(d, 4);
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
health_detail_finalfn(PG_FUNCTION_ARGS)
{
	HealthState *state;
	const HealthModel *model;
	HealthComponent *components;
	JsonbParseState *st = NULL;
	JsonbValue *result;
	int64		hundredths;
	bool		has_score;
	int			with_data = 0;
	int			i;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (HealthState *) PG_GETARG_POINTER(0);
	model = &state->entry->model;
	components = palloc(sizeof(HealthComponent) * model->nsignals);
	has_score = health_evaluate(model, state->counts, components, &hundredths);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_numeric(&st, "score", has_score ? hundredths_to_numeric(hundredths) : NULL);
	push_key(&st, "signals", 7);
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < model->nsignals; i++)
	{
		const HealthSignal *s = &model->signals[i];
		const HealthComponent *c = &components[i];

		with_data += c->has_data;
		push_key(&st, s->name, s->name_len);
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		push_numeric(&st, "recent", DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(c->recent))));
		push_numeric(&st, "baseline", DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(c->baseline))));
		push_numeric(&st, "expected", rounded_numeric(c->expected));
		push_numeric(&st, "ratio", c->has_data ? rounded_numeric(c->ratio) : NULL);
		push_numeric(&st, "component", c->has_data ? rounded_numeric(c->component) : NULL);
		push_numeric(&st, "weight", state->entry->weight_numeric[i]);
		push_string(&st, "direction", s->direction == HEALTH_UP ? "up" : "down");
		push_numeric(&st, "target", state->entry->target_numeric[i]);
		push_bool(&st, "has_data", c->has_data);
		push_numeric(&st, "points_lost", c->has_data ? rounded_numeric(c->points_lost) : NULL);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	push_numeric(&st, "signals_with_data",
				 DatumGetNumeric(DirectFunctionCall1(int4_numeric, Int32GetDatum(with_data))));
	result = pushJsonbValue(&st, WJB_END_OBJECT, NULL);

	PG_RETURN_JSONB_P(JsonbValueToJsonb(result));
}

/* ---------- bands ---------- */

static text *
band_of(Numeric score, Numeric red_max, Numeric yellow_max)
{
	if (numeric_is_nan(score) || numeric_is_nan(red_max) || numeric_is_nan(yellow_max))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health_band: score and thresholds must not be NaN")));
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(red_max),
										  NumericGetDatum(yellow_max))) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("health_band: red_max (%s) must not be greater than yellow_max (%s)",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(red_max))),
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(yellow_max))))));
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(score),
										  NumericGetDatum(red_max))) <= 0)
		return cstring_to_text("red");
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(score),
										  NumericGetDatum(yellow_max))) <= 0)
		return cstring_to_text("yellow");
	return cstring_to_text("green");
}

/* health_band(score): red up to 50, yellow up to 75, green above. */
Datum
health_band(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(band_of(PG_GETARG_NUMERIC(0), DatumGetNumeric(DirectFunctionCall1(int4_numeric, Int32GetDatum(50))),
							 DatumGetNumeric(DirectFunctionCall1(int4_numeric, Int32GetDatum(75)))));
}

/* health_band(score, red_max, yellow_max) */
Datum
health_band_thresholds(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(band_of(PG_GETARG_NUMERIC(0), PG_GETARG_NUMERIC(1), PG_GETARG_NUMERIC(2)));
}
