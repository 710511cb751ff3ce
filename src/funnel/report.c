/*
 * report.c
 *		funnel_report: the whole funnel in one aggregate (see funnel.h).
 */
#include "funnel/funnel.h"

#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"


enum
{
	LAYOUT_NONE = 0,
	LAYOUT_BY_VALUE = 1,
	LAYOUT_BY_ID = 2,
	LAYOUT_WIDE = 3
};

static FunnelStatus
from_engine(EngStatus s)
{
	switch (s)
	{
		case ENG_OK:
			return FUNNEL_OK;
		case ENG_ERR_MEMORY:
			return FUNNEL_ERR_MEMORY;
		case ENG_ERR_TOO_MANY:
			return FUNNEL_ERR_TOO_MANY;
		default:
			return FUNNEL_ERR_CORRUPT;
	}
}

FunnelStatus
funnel_report_init(FunnelReport *r, const FunnelSpec *spec, bool streaming, EngMemory *memory)
{
	memset(r, 0, sizeof(*r));
	r->spec = *spec;
	r->streaming = streaming;
	r->counts.nsteps = spec->nsteps;
	funnel_dp_init(&r->fold.dp);
	r->memory = memory;
	eng_log_init(&r->log, r->memory);
	return FUNNEL_OK;
}

/* The entity table, made when the first key needs an id. */
static FunnelStatus
ensure_table(FunnelReport *r)
{
	if (r->has_table)
		return FUNNEL_OK;
	if (eng_table_init(&r->entities, r->memory) != ENG_OK)
		return FUNNEL_ERR_MEMORY;
	r->has_table = true;
	return FUNNEL_OK;
}

/* Check for interrupts now and then in a loop over rows. */
static inline void
now_and_then(const FunnelReport *r, uint64_t i)
{
	if ((i & (ENG_CHECK_EVERY - 1)) == 0 && r->memory->allocator->check != NULL)
		r->memory->allocator->check(r->memory->allocator->ctx);
}

void
funnel_report_free(FunnelReport *r)
{
	eng_log_free(&r->log);
	if (r->has_table)
		eng_table_free(&r->entities);
	r->has_table = false;
	if (r->key != NULL)
		eng_free(r->memory, r->key, r->key_capacity);
	r->key = NULL;
}

/* ---- streaming ------------------------------------------------------------------ */

static void
count_fold(FunnelReport *r, FunnelCounts *into)
{
	FunnelDP	dp = r->fold.dp;

	if (r->fold.pending_steps != 0)
		funnel_dp_push(&dp, &r->spec, r->fold.pending_ts, r->fold.pending_steps);
	into->at_level[dp.best]++;
}

static FunnelStatus
stream_add(FunnelReport *r, const uint8_t *key, uint32_t key_len, int64_t ts, uint32_t steps)
{
	if (!r->has_key || key_len != r->key_len || (key_len > 0 && memcmp(key, r->key, key_len) != 0))
	{
		if (r->has_key)
		{
			count_fold(r, &r->counts);
			r->fold.pending_steps = 0;
			funnel_dp_init(&r->fold.dp);
		}
		if (key_len > r->key_capacity)
		{
			uint32_t	capacity = key_len < 64 ? 64 : key_len;
			uint8_t    *k = eng_alloc(r->memory, capacity);

			if (k == NULL)
				return FUNNEL_ERR_MEMORY;
			if (r->key != NULL)
				eng_free(r->memory, r->key, r->key_capacity);
			r->key = k;
			r->key_capacity = capacity;
		}
		if (key_len > 0)
			memcpy(r->key, key, key_len);
		r->key_len = key_len;
		r->has_key = true;
	}
	if (r->fold.pending_steps != 0)
	{
		if (ts == r->fold.pending_ts)
		{
			r->fold.pending_steps |= steps;
			return FUNNEL_OK;
		}
		if (ts < r->fold.pending_ts)
			return FUNNEL_ERR_ORDER;
		funnel_dp_push(&r->fold.dp, &r->spec, r->fold.pending_ts, r->fold.pending_steps);
	}
	r->fold.pending_ts = ts;
	r->fold.pending_steps = steps;
	return FUNNEL_OK;
}

/* ---- the layouts of the log ----------------------------------------------------------- */

/* A row of the log as (entity key bytes, time, steps); key points into buf or the table. */
static void
unpack_row(const FunnelReport *r, const EngPair *p, uint8_t *buf,
		   const uint8_t **key, uint32_t *key_len, int64_t *ts, uint32_t *steps)
{
	if (r->by_value)
	{
		b2b_put_u64(buf, p->key);
		*key = buf;
		*key_len = 8;
	}
	else
	{
		const EngEntity *e = eng_table_entity(&r->entities, (uint32_t) (r->wide ? p->key >> 32 : p->key));

		*key = eng_entity_key(e);
		*key_len = e->key_len;
	}
	if (r->wide)
	{
		*ts = eng_key_time(p->value);
		*steps = (uint32_t) p->key;
	}
	else
	{
		*ts = eng_unpack_time(p->value, r->base, r->spec.nsteps);
		*steps = eng_unpack_tag(p->value, r->spec.nsteps);
	}
}

/* From by-value keys to table ids (an entity of another length arrived, or rows must go wide). */
static FunnelStatus
to_ids(FunnelReport *r)
{
	FunnelStatus st = ensure_table(r);

	if (st != FUNNEL_OK || !r->by_value)
		return st;
	for (uint64_t i = 0; i < r->log.count; i++)
	{
		EngPair    *p = eng_log_pair(&r->log, i);
		uint8_t		key[8];
		uint32_t	id;
		bool		added;
		EngStatus	s;

		now_and_then(r, i);
		b2b_put_u64(key, p->key);
		s = eng_table_lookup(&r->entities, eng_key_hash(key, 8), key, 8, &id, &added);
		if (s != ENG_OK)
			return from_engine(s);
		p->key = id;
	}
	r->by_value = false;
	return FUNNEL_OK;
}

/* Rewrite the packed rows as wide ones, in place. */
static FunnelStatus
go_wide(FunnelReport *r)
{
	FunnelStatus st = to_ids(r);

	if (st != FUNNEL_OK)
		return st;
	for (uint64_t i = 0; i < r->log.count; i++)
	{
		EngPair    *p = eng_log_pair(&r->log, i);
		int64_t		ts = eng_unpack_time(p->value, r->base, r->spec.nsteps);
		uint32_t	steps = eng_unpack_tag(p->value, r->spec.nsteps);

		now_and_then(r, i);
		p->key = p->key << 32 | steps;
		p->value = eng_time_key(ts);
	}
	r->wide = true;
	return FUNNEL_OK;
}

FunnelStatus
funnel_report_add(FunnelReport *r, const uint8_t *key, uint32_t key_len, int64_t ts, uint32_t steps)
{
	uint64_t	log_key;

	if (r->streaming)
		return stream_add(r, key, key_len, ts, steps);
	if (!r->has_rows)
	{
		r->has_rows = true;
		r->base = ts;
		r->wide = r->spec.nsteps > FUNNEL_PACKED_MAX_STEPS;
		r->by_value = key_len == 8 && !r->wide;	/* wide rows carry the steps in the key */
	}
	if (!r->wide && !eng_time_fits(ts, r->base, r->spec.nsteps))
	{
		FunnelStatus st = go_wide(r);

		if (st != FUNNEL_OK)
			return st;
	}
	if (r->by_value && key_len != 8)
	{
		FunnelStatus st = to_ids(r);

		if (st != FUNNEL_OK)
			return st;
	}
	if (r->by_value)
		log_key = b2b_get_u64(key);
	else
	{
		uint32_t	id;
		bool		added;
		FunnelStatus st = ensure_table(r);
		EngStatus	s;

		if (st != FUNNEL_OK)
			return st;
		s = eng_table_lookup(&r->entities, eng_key_hash(key, key_len), key, key_len, &id, &added);
		if (s != ENG_OK)
			return from_engine(s);
		log_key = r->wide ? (uint64_t) id << 32 | steps : id;
	}
	return from_engine(eng_log_append(&r->log, log_key,
									  r->wide ? eng_time_key(ts)
									  : eng_pack_time(ts, r->base, r->spec.nsteps, steps)));
}

FunnelStatus
funnel_report_combine(FunnelReport *r, const FunnelReport *src)
{
	FunnelStatus st = FUNNEL_OK;

	if (r->streaming || src->streaming)
		return FUNNEL_ERR_ORDER;
	if (!src->has_rows)
		return FUNNEL_OK;
	if (!r->has_rows)
	{
		r->has_rows = true;
		r->base = src->base;
		r->by_value = src->by_value;
		r->wide = src->wide;
	}
	if (src->by_value && r->by_value && !src->wide && !r->wide && src->base == r->base)
		return from_engine(eng_log_append_log(&r->log, &src->log, NULL));
	if (!src->by_value && !r->by_value && src->wide == r->wide && (r->wide || src->base == r->base))
	{
		/* the same layout by id: map the ids, then the rows */
		size_t		map_size = sizeof(uint32_t) * (src->entities.count ? src->entities.count : 1);
		uint32_t   *map;

		st = ensure_table(r);
		if (st != FUNNEL_OK)
			return st;
		map = eng_alloc(r->memory, map_size);
		if (map == NULL)
			return FUNNEL_ERR_MEMORY;
		st = from_engine(eng_table_merge(&r->entities, &src->entities, map));
		for (uint64_t i = 0; st == FUNNEL_OK && i < src->log.count; i++)
		{
			const EngPair *p = eng_log_pair(&src->log, i);
			uint64_t	key = r->wide ? (uint64_t) map[p->key >> 32] << 32 | (p->key & UINT32_MAX) : map[p->key];

			now_and_then(r, i);
			st = from_engine(eng_log_append(&r->log, key, p->value));
		}
		eng_free(r->memory, map, map_size);
		return st;
	}
	/* different layouts: row by row */
	for (uint64_t i = 0; st == FUNNEL_OK && i < src->log.count; i++)
	{
		uint8_t		buf[8];
		const uint8_t *key;
		uint32_t	key_len;
		int64_t		ts;
		uint32_t	steps;

		now_and_then(r, i);
		unpack_row(src, eng_log_pair(&src->log, i), buf, &key, &key_len, &ts, &steps);
		st = funnel_report_add(r, key, key_len, ts, steps);
	}
	return st;
}

/* ---- the levels ------------------------------------------------------------------ */

/*
 * The rows of one entity come in pieces, in (key, value) order.  Packed rows
 * are then in time order: each moment's steps are merged and pushed into the
 * programme as the pieces come.  Wide rows are in (steps, time) order: they
 * are gathered, sorted by time, and pushed at the run's end.
 */
typedef struct CountContext
{
	FunnelReport *report;
	FunnelCounts *counts;
	FunnelDP	dp;
	uint64_t	moment;			/* packed: the pending moment's time bits */
	uint32_t	pending_steps;	/* 0: none */
	EngPair    *events;			/* wide: (eng_time_key(ts), steps) of the entity */
	uint32_t	nevents;
	uint32_t	capacity;
	FunnelStatus status;
} CountContext;

static void
finish_run(CountContext *cx)
{
	cx->counts->at_level[cx->dp.best]++;
	funnel_dp_init(&cx->dp);
	cx->pending_steps = 0;
	cx->nevents = 0;
}

static bool
count_piece(const EngPair *rows, uint32_t n, bool run_ends, void *arg)
{
	CountContext *cx = arg;
	FunnelReport *r = cx->report;
	int			shift = r->spec.nsteps;

	if (!r->wide)
	{
		for (uint32_t i = 0; i < n; i++)
		{
			uint64_t	moment = rows[i].value >> shift;

			if (cx->pending_steps != 0 && moment == cx->moment)
			{
				cx->pending_steps |= eng_unpack_tag(rows[i].value, shift);
				continue;
			}
			if (cx->pending_steps != 0 && cx->dp.best < r->spec.nsteps)
				funnel_dp_push(&cx->dp, &r->spec, eng_unpack_time(cx->moment << shift, r->base, shift),
							   cx->pending_steps);
			cx->moment = moment;
			cx->pending_steps = eng_unpack_tag(rows[i].value, shift);
		}
		if (run_ends)
		{
			if (cx->pending_steps != 0 && cx->dp.best < r->spec.nsteps)
				funnel_dp_push(&cx->dp, &r->spec, eng_unpack_time(cx->moment << shift, r->base, shift),
							   cx->pending_steps);
			finish_run(cx);
		}
		return true;
	}

	if ((uint64_t) cx->nevents + n > cx->capacity)
	{
		uint64_t	capacity = cx->capacity ? cx->capacity : 64;
		EngPair    *bigger;

		while (capacity < (uint64_t) cx->nevents + n)
			capacity *= 2;
		if (capacity > UINT32_MAX)
		{
			cx->status = FUNNEL_ERR_TOO_MANY;
			return false;
		}
		bigger = eng_alloc(r->memory, sizeof(EngPair) * capacity);
		if (bigger == NULL)
		{
			cx->status = FUNNEL_ERR_MEMORY;
			return false;
		}
		if (cx->nevents > 0)
			memcpy(bigger, cx->events, sizeof(EngPair) * cx->nevents);
		if (cx->events != NULL)
			eng_free(r->memory, cx->events, sizeof(EngPair) * cx->capacity);
		cx->events = bigger;
		cx->capacity = (uint32_t) capacity;
	}
	for (uint32_t i = 0; i < n; i++)
	{
		cx->events[cx->nevents].key = rows[i].value;	/* the time */
		cx->events[cx->nevents].value = (uint32_t) rows[i].key;	/* the steps */
		cx->nevents++;
	}
	if (run_ends)
	{
		uint32_t	i = 0;

		eng_sort_pairs(cx->events, cx->nevents, r->memory->allocator);
		while (i < cx->nevents && cx->dp.best < r->spec.nsteps)
		{
			uint64_t	t = cx->events[i].key;
			uint32_t	steps = 0;

			for (; i < cx->nevents && cx->events[i].key == t; i++)
				steps |= (uint32_t) cx->events[i].value;
			funnel_dp_push(&cx->dp, &r->spec, eng_key_time(t), steps);
		}
		finish_run(cx);
	}
	return true;
}

FunnelStatus
funnel_report_counts(FunnelReport *r, FunnelCounts *out, bool *any)
{
	CountContext cx;
	EngStatus	s;

	memset(&cx, 0, sizeof(cx));
	cx.report = r;
	cx.counts = out;
	funnel_dp_init(&cx.dp);
	*out = r->counts;
	if (r->streaming)
	{
		*any = r->has_key;
		if (r->has_key)
			count_fold(r, out);
		return FUNNEL_OK;
	}
	*any = r->log.count > 0;
	s = eng_log_runs(&r->log, r->wide ? 32 : 0, r->memory, count_piece, &cx);
	if (cx.events != NULL)
		eng_free(r->memory, cx.events, sizeof(EngPair) * cx.capacity);
	if (s != ENG_OK)
		return from_engine(s);
	return cx.status;
}

/* ---- serialization ------------------------------------------------------------------ */

#define REPORT_HEADER (1 + 8 + 1 + 1 + 1 + 8)

static uint8_t
layout(const FunnelReport *r)
{
	if (!r->has_rows)
		return LAYOUT_NONE;
	if (r->wide)
		return LAYOUT_WIDE;
	return r->by_value ? LAYOUT_BY_VALUE : LAYOUT_BY_ID;
}

size_t
funnel_report_serial_size(const FunnelReport *r)
{
	return REPORT_HEADER + (r->has_table && !r->by_value ? eng_table_encoded_size(&r->entities) : 0) +
		eng_log_encoded_size(&r->log);
}

void
funnel_report_serialize(const FunnelReport *r, uint8_t *out)
{
	out = b2b_put_u8(out, FUNNEL_REPORT_VERSION);
	out = b2b_put_i64(out, r->spec.window);
	out = b2b_put_u8(out, (uint8_t) r->spec.modes);
	out = b2b_put_u8(out, (uint8_t) r->spec.nsteps);
	out = b2b_put_u8(out, layout(r));
	out = b2b_put_i64(out, r->has_rows ? r->base : 0);
	if (layout(r) == LAYOUT_BY_ID || layout(r) == LAYOUT_WIDE)
		out = eng_table_encode(&r->entities, out);
	(void) eng_log_encode(&r->log, out);
}

static FunnelStatus deserialize_into(FunnelReport *r, const uint8_t *in, size_t len, EngMemory *memory,
									 bool *initialized);

/* On failure, nothing stays allocated. */
FunnelStatus
funnel_report_deserialize(FunnelReport *r, const uint8_t *in, size_t len, EngMemory *memory)
{
	bool		initialized = false;
	FunnelStatus st = deserialize_into(r, in, len, memory, &initialized);

	if (st != FUNNEL_OK && initialized)
		funnel_report_free(r);
	return st;
}

static FunnelStatus
deserialize_into(FunnelReport *r, const uint8_t *in, size_t len, EngMemory *memory, bool *initialized)
{
	B2bReader	rd = b2b_reader(in, len);
	FunnelSpec	spec;
	uint8_t		version = b2b_read_u8(&rd);
	uint8_t		kind;
	int64_t		base;
	uint32_t	nentities = 0;
	uint32_t   *map = NULL;
	size_t		map_size = 0;
	size_t		used;
	FunnelStatus st;
	uint32_t	all_steps;

	spec.window = b2b_read_i64(&rd);
	spec.modes = b2b_read_u8(&rd);
	spec.nsteps = b2b_read_u8(&rd);
	kind = b2b_read_u8(&rd);
	base = b2b_read_i64(&rd);
	if (!b2b_reader_ok(&rd) || version != FUNNEL_REPORT_VERSION || spec.window <= 0 ||
		spec.nsteps < 1 || spec.nsteps > FUNNEL_MAX_STEPS ||
		(spec.modes & ~FUNNEL_ALL_MODES) != 0 || kind > LAYOUT_WIDE ||
		(kind != LAYOUT_WIDE && kind != LAYOUT_NONE && spec.nsteps > FUNNEL_PACKED_MAX_STEPS))
		return FUNNEL_ERR_CORRUPT;
	st = funnel_report_init(r, &spec, false, memory);
	*initialized = true;
	if (st != FUNNEL_OK)
		return st;
	r->has_rows = kind != LAYOUT_NONE;
	r->by_value = kind == LAYOUT_BY_VALUE;
	r->wide = kind == LAYOUT_WIDE;
	r->base = base;
	if (kind == LAYOUT_BY_ID || kind == LAYOUT_WIDE)
	{
		if (eng_table_encoded_count(rd.p, rd.left, &nentities) != ENG_OK)
			return FUNNEL_ERR_CORRUPT;
		st = ensure_table(r);
		if (st != FUNNEL_OK)
			return st;
		map_size = sizeof(uint32_t) * (nentities ? nentities : 1);
		map = eng_alloc(r->memory, map_size);
		if (map == NULL)
			return FUNNEL_ERR_MEMORY;
		st = from_engine(eng_table_decode(&r->entities, rd.p, rd.left, &used, map));
		if (st == FUNNEL_OK)
		{
			rd.p += used;
			rd.left -= used;
		}
	}
	/* rows by id: decode the keys unmapped and check them below (wide keys carry steps) */
	if (st == FUNNEL_OK)
		st = from_engine(eng_log_decode(&r->log, rd.p, rd.left, &used, NULL, 0));
	if (st == FUNNEL_OK && used != rd.left)
		st = FUNNEL_ERR_CORRUPT;
	if (st == FUNNEL_OK && kind == LAYOUT_NONE && r->log.count != 0)
		st = FUNNEL_ERR_CORRUPT;

	/* every row: a known entity, valid steps */
	all_steps = funnel_all_steps(spec.nsteps);
	for (uint64_t i = 0; st == FUNNEL_OK && i < r->log.count; i++)
	{
		EngPair    *p = eng_log_pair(&r->log, i);
		uint64_t	id = kind == LAYOUT_WIDE ? p->key >> 32 : p->key;
		uint32_t	steps = kind == LAYOUT_WIDE ? (uint32_t) p->key : eng_unpack_tag(p->value, spec.nsteps);

		now_and_then(r, i);
		if (kind != LAYOUT_BY_VALUE)
		{
			if (id >= nentities)
			{
				st = FUNNEL_ERR_CORRUPT;
				break;
			}
			p->key = kind == LAYOUT_WIDE ? (uint64_t) map[id] << 32 | steps : map[id];
		}
		if (steps == 0 || (steps & ~all_steps) != 0)
			st = FUNNEL_ERR_CORRUPT;
	}
	if (map != NULL)
		eng_free(r->memory, map, map_size);
	return st;
}
