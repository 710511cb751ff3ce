/*
 * sessions_pg.c
 *		SQL glue of the sessions family: sessions_agg and sessions_rollup (an
 *		internal state, the visitor's events, with serialize and deserialize for
 *		parallel plans), the `sessions` type (the canonical wire form of
 *		sessions.h in a varlena, read in place after validation), its
 *		accessors, and traffic_anomalies.  The rules are in sessions.c.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "common/b2b_pg.h"
#include "engine/engine_pg.h"
#include "sessions/sessions.h"

PG_FUNCTION_INFO_V1(sessions_agg_transfn);
PG_FUNCTION_INFO_V1(sessions_rollup_transfn);
PG_FUNCTION_INFO_V1(sessions_agg_combinefn);
PG_FUNCTION_INFO_V1(sessions_agg_serialfn);
PG_FUNCTION_INFO_V1(sessions_agg_deserialfn);
PG_FUNCTION_INFO_V1(sessions_agg_finalfn);
PG_FUNCTION_INFO_V1(session_count);
PG_FUNCTION_INFO_V1(bounce_count);
PG_FUNCTION_INFO_V1(engaged_count);
PG_FUNCTION_INFO_V1(total_duration);
PG_FUNCTION_INFO_V1(session_rows);
PG_FUNCTION_INFO_V1(page_stats);
PG_FUNCTION_INFO_V1(path_edges);
PG_FUNCTION_INFO_V1(session_quality);
PG_FUNCTION_INFO_V1(traffic_anomalies);

static void
report_status(SessStatus s, const char *what)
{
	switch (s)
	{
		case SESS_OK:
			return;
		case SESS_ERR_MEMORY:
			b2b_report_memory_limit(what, "group the rows by visitor.");
			pg_unreachable();
		case SESS_ERR_TOO_MANY:
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s has too many events for one visitor", what),
					 errdetail("A sessions value holds at most %u events and %u bytes of distinct pages.",
							   SESS_MAX_EVENTS, SESS_MAX_PAGE_BYTES),
					 errhint("Group by visitor (and by day or week for very active visitors), then combine with sessions_rollup only what fits.")));
			pg_unreachable();
		case SESS_ERR_GAP_CHANGED:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("gap must be the same on every row of a group and in every combined sessions value")));
			pg_unreachable();
		case SESS_ERR_CORRUPT:
			b2b_report_bad_bytes(what, "A sessions value is a version byte (1), a positive gap, "
								 "distinct pages in byte order, then events in (time, page) order with finite times and pages in range.");
	}
	elog(ERROR, "unexpected sessions status %d", (int) s);
}

static SessBuilder *
builder_new(FunctionCallInfo fcinfo, MemoryContext aggcontext)
{
	SessBuilder *b;

	b = MemoryContextAllocZero(aggcontext, sizeof(SessBuilder));
	/*
	 * A visitor's state is bounded by SESS_MAX_EVENTS; the call site's shared
	 * budget would fail GROUP BY visitor_id on a large table, where hash
	 * aggregation holds every visitor's state at once (and accounts for it).
	 */
	sess_builder_init(b, b2b_engine_memory_unbounded(aggcontext));
	return b;
}

/* sessions_agg(ts, page, gap): NULL times are skipped, the gap checked on every row. */
Datum
sessions_agg_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	SessBuilder *b = PG_ARGISNULL(0) ? NULL : (SessBuilder *) PG_GETARG_POINTER(0);
	int64		gap;
	TimestampTz ts;

	if (PG_NARGS() > 3)
	{
		b2b_require_not_null(fcinfo, 3, "gap");
		gap = b2b_interval_usec(PG_GETARG_INTERVAL_P(3), "gap");
	}
	else
		gap = SESS_DEFAULT_GAP_USEC;
	if (b == NULL)
		b = builder_new(fcinfo, aggcontext);
	report_status(sess_builder_gap(b, gap), "sessions_agg");
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(b);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	b2b_require_finite(ts, "ts");
	if (PG_NARGS() < 3 || PG_ARGISNULL(2))
		report_status(sess_builder_add(b, ts, NULL, 0), "sessions_agg");
	else
	{
		text	   *page = PG_GETARG_TEXT_PP(2);

		report_status(sess_builder_add(b, ts, (const uint8 *) VARDATA_ANY(page), VARSIZE_ANY_EXHDR(page)),
					  "sessions_agg");
	}
	PG_RETURN_POINTER(b);
}

/* A sessions argument: validated before use (a damaged stored value is XX001). */
static bytea *
sessions_arg(FunctionCallInfo fcinfo, int argno, SessView *v)
{
	bytea	   *s = PG_GETARG_BYTEA_PP(argno);

	if (sess_view((const uint8 *) VARDATA_ANY(s), VARSIZE_ANY_EXHDR(s), v) != SESS_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt sessions value")));
	return s;
}

/* sessions_rollup(sessions): the union of the events of stored values. */
Datum
sessions_rollup_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	SessBuilder *b = PG_ARGISNULL(0) ? NULL : (SessBuilder *) PG_GETARG_POINTER(0);
	SessView	v;
	bytea	   *s;

	if (b == NULL)
		b = builder_new(fcinfo, aggcontext);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(b);
	s = sessions_arg(fcinfo, 1, &v);
	report_status(sess_builder_decode(b, (const uint8 *) VARDATA_ANY(s), VARSIZE_ANY_EXHDR(s)), "sessions_rollup");
	PG_RETURN_POINTER(b);
}

Datum
sessions_agg_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = b2b_agg_context(fcinfo);
	SessBuilder *into = PG_ARGISNULL(0) ? NULL : (SessBuilder *) PG_GETARG_POINTER(0);
	SessBuilder *from = PG_ARGISNULL(1) ? NULL : (SessBuilder *) PG_GETARG_POINTER(1);

	if (from == NULL)
	{
		if (into == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(into);
	}
	if (into == NULL)
		into = builder_new(fcinfo, aggcontext);
	if (from->gap != 0)
		report_status(sess_builder_gap(into, from->gap), "sessions_agg");
	report_status(sess_builder_merge(into, from), "sessions_agg");
	PG_RETURN_POINTER(into);
}

/* The canonical wire form in a new varlena (bytea layout), for serialfn and finalfn. */
static bytea *
builder_wire(SessBuilder *b)
{
	size_t		size;
	uint8	   *data;
	bytea	   *out;

	report_status(sess_builder_wire_size(b, &size), "sessions_agg");
	out = b2b_bytea_new(size, &data);
	sess_builder_encode(b, data);
	return out;
}

Datum
sessions_agg_serialfn(PG_FUNCTION_ARGS)
{
	SessBuilder *b = (SessBuilder *) PG_GETARG_POINTER(0);
	uint8	   *data;
	bytea	   *out;

	if (b->gap == 0)
	{
		/* no row yet: an empty state, one zero byte */
		out = b2b_bytea_new(1, &data);
		data[0] = 0;
		PG_RETURN_BYTEA_P(out);
	}
	PG_RETURN_BYTEA_P(builder_wire(b));
}

/* A partial state from a worker, for the combine function only: no budget of its own. */
Datum
sessions_agg_deserialfn(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	SessBuilder *b = palloc0(sizeof(SessBuilder));
	const uint8 *data = (const uint8 *) VARDATA_ANY(in);
	size_t		len = VARSIZE_ANY_EXHDR(in);

	sess_builder_init(b, b2b_engine_memory_unbounded(CurrentMemoryContext));
	if (len == 1 && data[0] == 0)
		PG_RETURN_POINTER(b);
	report_status(sess_builder_decode(b, data, len), "sessions_agg state");
	if (b->gap == 0)
	{
		/* a value without events still carries its gap */
		SessView	v;

		report_status(sess_view(data, len, &v), "sessions_agg state");
		b->gap = v.gap;
	}
	PG_RETURN_POINTER(b);
}

/* The visitor's sessions value; NULL when the group had no event. */
Datum
sessions_agg_finalfn(PG_FUNCTION_ARGS)
{
	SessBuilder *b;

	b2b_agg_context(fcinfo);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	b = (SessBuilder *) PG_GETARG_POINTER(0);
	if (b->nevents == 0)
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(builder_wire(b));
}

/* ---- the sessions type ---------------------------------------------------------------- */

static Size
wire_size(const struct varlena *value)
{
	return VARSIZE_ANY_EXHDR(value);
}

static void
wire_encode(const struct varlena *value, uint8 *out)
{
	memcpy(out, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

static const char *
wire_decode(const uint8 *in, Size len, struct varlena **value)
{
	SessView	v;
	uint8	   *data;

	if (sess_view(in, len, &v) != SESS_OK)
		return "A sessions value is a version byte (1), a positive gap, distinct pages in byte order, "
			"then events in (time, page) order with finite times and pages in range.";
	{
		const uint8 *at = v.pages;

		for (uint32 i = 0; i < v.npages; i++)
		{
			uint32		plen;
			const uint8 *page = sess_next_page(&at, &plen);

			if (!b2b_text_bytes_valid(page, plen))
				return "A page is not valid text in the database encoding, or holds a NUL byte.";
		}
	}
	*value = (struct varlena *) b2b_bytea_new(len, &data);
	memcpy(data, in, len);
	return NULL;
}

static const B2bStateIO sessions_io = {"sessions", "sessions", wire_size, wire_encode, wire_decode};

B2B_STATE_TYPE_IO(sessions, sessions_io, sessions_arg(fcinfo, 0, &(SessView) {0}));
B2B_STATE_TYPE_BYTEA_CASTS(sessions, sessions_io, sessions_arg(fcinfo, 0, &(SessView) {0}));

/* ---- accessors -------------------------------------------------------------------------- */

static void
totals_arg(FunctionCallInfo fcinfo, SessTotals *t)
{
	SessView	v;

	sessions_arg(fcinfo, 0, &v);
	sess_totals(&v, t);
}

Datum
session_count(PG_FUNCTION_ARGS)
{
	SessTotals	t;

	totals_arg(fcinfo, &t);
	PG_RETURN_INT64(t.sessions);
}

Datum
bounce_count(PG_FUNCTION_ARGS)
{
	SessTotals	t;

	totals_arg(fcinfo, &t);
	PG_RETURN_INT64(t.bounces);
}

Datum
engaged_count(PG_FUNCTION_ARGS)
{
	SessTotals	t;

	totals_arg(fcinfo, &t);
	PG_RETURN_INT64(t.engaged);
}

/* A duration (microseconds, unsigned: see SESS_END_TS) as an interval. */
static Interval *
usec_interval(uint64 usec)
{
	Interval   *iv = palloc0(sizeof(Interval));

	if (usec > (uint64) PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INTERVAL_FIELD_OVERFLOW),
				 errmsg("duration is out of range for an interval"),
				 errdetail("It is %llu microseconds.", (unsigned long long) usec)));
	iv->time = (int64) usec;
	return iv;
}

Datum
total_duration(PG_FUNCTION_ARGS)
{
	SessTotals	t;

	totals_arg(fcinfo, &t);
	PG_RETURN_INTERVAL_P(usec_interval(t.duration));
}

/* Page i of the view as text (pages are read in order once, into an array). */
static text **
page_texts(const SessView *v)
{
	text	  **pages = palloc(sizeof(text *) * Max(v->npages, 1));
	const uint8 *at = v->pages;

	for (uint32 i = 0; i < v->npages; i++)
	{
		uint32		len;
		const uint8 *p = sess_next_page(&at, &len);

		pages[i] = cstring_to_text_with_len((const char *) p, len);
	}
	return pages;
}

/* session_rows(sessions): one row per session, in time order. */
Datum
session_rows(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SessView	v;
	text	  **pages;
	uint32		next = 0;
	SessSession s;
	int32		no = 0;

	sessions_arg(fcinfo, 0, &v);
	InitMaterializedSRF(fcinfo, 0);
	pages = page_texts(&v);
	while (sess_next_session(&v, &next, &s))
	{
		Datum		values[9];
		bool		nulls[9] = {0};

		CHECK_FOR_INTERRUPTS();
		values[0] = Int32GetDatum(++no);
		values[1] = TimestampTzGetDatum(s.started);
		values[2] = TimestampTzGetDatum(s.ended);
		values[3] = IntervalPGetDatum(usec_interval((uint64) s.ended - (uint64) s.started));
		values[4] = Int64GetDatum(s.events);
		values[5] = Int64GetDatum(s.pageviews);
		if (s.entry_page == SESS_NO_PAGE)
			nulls[6] = nulls[7] = true;
		else
		{
			values[6] = PointerGetDatum(pages[s.entry_page]);
			values[7] = PointerGetDatum(pages[s.exit_page]);
		}
		values[8] = BoolGetDatum(s.is_bounce);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* page_stats(sessions): one row per page viewed, in page byte order. */
Datum
page_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SessView	v;
	text	  **pages;
	SessPageStat *st;

	sessions_arg(fcinfo, 0, &v);
	InitMaterializedSRF(fcinfo, 0);
	pages = page_texts(&v);
	st = palloc0(sizeof(SessPageStat) * Max(v.npages, 1));
	sess_page_stats(&v, st);
	for (uint32 i = 0; i < v.npages; i++)
	{
		Datum		values[7];
		bool		nulls[7] = {0};

		if (st[i].views == 0)
			continue;
		values[0] = PointerGetDatum(pages[i]);
		values[1] = Int64GetDatum(st[i].views);
		values[2] = Int64GetDatum(st[i].entries);
		values[3] = Int64GetDatum(st[i].exits);
		values[4] = Int64GetDatum(st[i].bounces);
		values[5] = IntervalPGetDatum(usec_interval(st[i].time_total));
		values[6] = Int64GetDatum(st[i].timed_views);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* session_quality(sessions): one row per session, with the signs of automated traffic. */
Datum
session_quality(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SessView	v;
	uint32		next = 0;
	SessSession s;
	int32		no = 0;

	sessions_arg(fcinfo, 0, &v);
	InitMaterializedSRF(fcinfo, 0);
	while (sess_next_session(&v, &next, &s))
	{
		Datum		values[7];
		bool		nulls[7] = {0};
		SessQuality q;

		CHECK_FOR_INTERRUPTS();
		sess_session_quality(&v, &s, &q);
		values[0] = Int32GetDatum(++no);
		values[1] = TimestampTzGetDatum(s.started);
		values[2] = Int64GetDatum(s.events);
		values[3] = Int64GetDatum(s.pageviews);
		values[4] = Int32GetDatum((int32) q.peak_per_minute);
		values[5] = Int64GetDatum(q.subsecond_views);
		values[6] = BoolGetDatum(q.suspicious);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * path_edges(sessions, max_steps, start_page): the page-to-page transitions of
 * the visitor's sessions, one row per (step, from, to).
 */
Datum
path_edges(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SessView	v;
	text	  **pages;
	int32		max_steps;
	uint32		start = SESS_NO_PAGE;
	EngPair    *scratch;
	SessEdge   *edges;
	uint32		n;
	EngAllocator a = b2b_engine_allocator(CurrentMemoryContext);

	b2b_require_not_null(fcinfo, 1, "max_steps");
	max_steps = PG_GETARG_INT32(1);
	if (max_steps < 1 || max_steps > SESS_MAX_PATH_STEPS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_steps must be between 1 and %d", SESS_MAX_PATH_STEPS),
				 errdetail("The value given is %d.", max_steps)));
	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	sessions_arg(fcinfo, 0, &v);
	pages = page_texts(&v);
	if (!PG_ARGISNULL(2))
	{
		text	   *want = PG_GETARG_TEXT_PP(2);
		bool		found = false;

		for (uint32 i = 0; i < v.npages && !found; i++)
			if (VARSIZE_ANY_EXHDR(pages[i]) == VARSIZE_ANY_EXHDR(want) &&
				memcmp(VARDATA_ANY(pages[i]), VARDATA_ANY(want), VARSIZE_ANY_EXHDR(want)) == 0)
			{
				start = i;
				found = true;
			}
		if (!found)
			return (Datum) 0;	/* never viewed: no path starts there */
	}
	scratch = palloc(sizeof(EngPair) * Max(v.nevents, 1));
	edges = palloc(sizeof(SessEdge) * Max(v.nevents, 1));
	n = sess_path_edges(&v, max_steps, start, scratch, &a, edges);
	for (uint32 i = 0; i < n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {0};

		values[0] = Int32GetDatum((int32) edges[i].step);
		values[1] = PointerGetDatum(pages[edges[i].from_page]);
		values[2] = PointerGetDatum(pages[edges[i].to_page]);
		values[3] = Int64GetDatum((int64) edges[i].transitions);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* ---- traffic_anomalies ------------------------------------------------------------------ */

typedef struct DayValue
{
	int32		day;
	bool		has_value;
	double		value;
} DayValue;

static int
day_value_cmp(const void *a, const void *b)
{
	int32		x = ((const DayValue *) a)->day;
	int32		y = ((const DayValue *) b)->day;

	return x < y ? -1 : x > y;
}

static void
one_dimension(ArrayType *a, const char *name)
{
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", name)));
}

/*
 * traffic_anomalies(days date[], vals double precision[], weeks, threshold):
 * one row per day, in day order (see sess_anomalies).
 */
Datum
traffic_anomalies(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ArrayType  *days_a,
			   *vals_a;
	Datum	   *days,
			   *vals;
	bool	   *days_null,
			   *vals_null;
	int			ndays,
				nvals;
	int32		weeks;
	double		threshold;
	DayValue   *dv;
	int32	   *sorted_days;
	double	   *values;
	bool	   *has_value;
	double	   *scratch;
	SessAnomaly *out;

	b2b_require_not_null(fcinfo, 0, "days");
	b2b_require_not_null(fcinfo, 1, "vals");
	b2b_require_not_null(fcinfo, 2, "weeks");
	b2b_require_not_null(fcinfo, 3, "threshold");
	days_a = PG_GETARG_ARRAYTYPE_P(0);
	vals_a = PG_GETARG_ARRAYTYPE_P(1);
	weeks = PG_GETARG_INT32(2);
	threshold = PG_GETARG_FLOAT8(3);
	one_dimension(days_a, "days");
	one_dimension(vals_a, "vals");
	if (weeks < 1 || weeks > SESS_ANOMALY_MAX_WEEKS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("weeks must be between 1 and %d", SESS_ANOMALY_MAX_WEEKS),
				 errdetail("The value given is %d.", weeks)));
	if (!(threshold > 0) || isinf(threshold))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("threshold must be a positive finite number"),
				 errdetail("The value given is %g.", threshold)));
	deconstruct_array(days_a, DATEOID, 4, true, TYPALIGN_INT, &days, &days_null, &ndays);
	deconstruct_array(vals_a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &vals, &vals_null, &nvals);
	if (ndays != nvals)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days and vals must have the same length"),
				 errdetail("days has %d elements and vals %d.", ndays, nvals)));
	dv = palloc(sizeof(DayValue) * Max(ndays, 1));
	for (int i = 0; i < ndays; i++)
	{
		if (days_null[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("days must not contain NULL")));
		dv[i].day = DatumGetDateADT(days[i]);
		if (DATE_NOT_FINITE(dv[i].day))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
					 errmsg("days must be finite")));
		dv[i].has_value = !vals_null[i];
		dv[i].value = vals_null[i] ? 0 : DatumGetFloat8(vals[i]);
		if (dv[i].has_value && (isnan(dv[i].value) || isinf(dv[i].value)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("vals must be finite"),
					 errdetail("The value of %s is %g.",
							   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(dv[i].day))),
							   dv[i].value)));
	}
	qsort(dv, ndays, sizeof(DayValue), day_value_cmp);
	sorted_days = palloc(sizeof(int32) * Max(ndays, 1));
	values = palloc(sizeof(double) * Max(ndays, 1));
	has_value = palloc(sizeof(bool) * Max(ndays, 1));
	for (int i = 0; i < ndays; i++)
	{
		if (i > 0 && dv[i].day == dv[i - 1].day)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("days must not repeat"),
					 errdetail("%s appears more than once.",
							   DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(dv[i].day)))),
					 errhint("Sum the values of each day first (GROUP BY day).")));
		sorted_days[i] = dv[i].day;
		values[i] = dv[i].value;
		has_value[i] = dv[i].has_value;
	}
	scratch = palloc(sizeof(double) * 2 * weeks);
	out = palloc(sizeof(SessAnomaly) * Max(ndays, 1));
	sess_anomalies(sorted_days, values, has_value, ndays, weeks, threshold, scratch, out);
	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < ndays; i++)
	{
		Datum		row[5];
		bool		nulls[5] = {0};

		row[0] = DateADTGetDatum(sorted_days[i]);
		row[1] = Float8GetDatum(values[i]);
		nulls[1] = !has_value[i];
		row[2] = Float8GetDatum(out[i].expected);
		row[3] = Float8GetDatum(out[i].score);
		row[4] = BoolGetDatum(out[i].is_anomaly);
		nulls[2] = nulls[3] = nulls[4] = !out[i].scored;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, row, nulls);
	}
	return (Datum) 0;
}
