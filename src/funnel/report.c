/*
 * report.c
 *		funnel_report: the whole funnel in one aggregate (see funnel.h).
 */
#include "funnel/funnel.h"

#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"

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
	r->wide = spec->nsteps > FUNNEL_PACKED_MAX_STEPS;
	r->counts.nsteps = spec->nsteps;
	funnel_dp_init(&r->fold.dp);
	r->memory = memory;
	eng_log_init(&r->log, r->memory);
	if (streaming)
		return FUNNEL_OK;
	return from_engine(eng_table_init(&r->entities, r->memory));
}

void
funnel_report_free(FunnelReport *r)
{
	eng_log_free(&r->log);
	if (!r->streaming)
		eng_table_free(&r->entities);
	if (r->key != NULL)
		eng_free(r->memory, r->key, r->key_capacity);
	r->key = NULL;
}

/* Count the level of the streaming entity and start afresh. */
static void
finish_entity(FunnelReport *r)
{
	FunnelDP	dp = r->fold.dp;

	if (r->fold.pending_steps != 0)
		funnel_dp_push(&dp, &r->spec, r->fold.pending_ts, r->fold.pending_steps);
	r->counts.at_level[dp.best]++;
	r->fold.pending_steps = 0;
	funnel_dp_init(&r->fold.dp);
}

static FunnelStatus
stream_add(FunnelReport *r, const uint8_t *key, uint32_t key_len, int64_t ts, uint32_t steps)
{
	if (!r->has_key || key_len != r->key_len || memcmp(key, r->key, key_len) != 0)
	{
		if (r->has_key)
			finish_entity(r);
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

/* Rewrite the packed log as (time, steps) pairs: a time or the steps did not pack. */
static FunnelStatus
go_wide(FunnelReport *r)
{
	EngLog		wide;

	eng_log_init(&wide, r->memory);
	for (uint64_t i = 0; i < r->log.count; i++)
	{
		const EngLogChunk *c = r->log.chunks[i >> ENG_LOG_CHUNK_SHIFT];
		uint32_t	slot = (uint32_t) (i & (ENG_LOG_CHUNK - 1));
		uint64_t	v = c->values[slot];
		EngStatus	s;

		s = eng_log_append(&wide, c->ids[slot], (uint64_t) eng_unpack_time(v, r->base, r->spec.nsteps));
		if (s == ENG_OK)
			s = eng_log_append(&wide, c->ids[slot], eng_unpack_tag(v, r->spec.nsteps));
		if (s != ENG_OK)
		{
			eng_log_free(&wide);
			return from_engine(s);
		}
	}
	eng_log_free(&r->log);
	r->log = wide;
	r->wide = true;
	return FUNNEL_OK;
}

static FunnelStatus
log_event(FunnelReport *r, uint32_t id, int64_t ts, uint32_t steps)
{
	EngStatus	s;

	if (!r->has_base)
	{
		r->base = ts;
		r->has_base = true;
	}
	if (!r->wide && !eng_time_fits(ts, r->base, r->spec.nsteps))
	{
		FunnelStatus st = go_wide(r);

		if (st != FUNNEL_OK)
			return st;
	}
	if (!r->wide)
		return from_engine(eng_log_append(&r->log, id, eng_pack_time(ts, r->base, r->spec.nsteps, steps)));
	s = eng_log_append(&r->log, id, (uint64_t) ts);
	if (s == ENG_OK)
		s = eng_log_append(&r->log, id, steps);
	return from_engine(s);
}

FunnelStatus
funnel_report_add(FunnelReport *r, const uint8_t *key, uint32_t key_len, int64_t ts, uint32_t steps)
{
	uint32_t	id;
	bool		added;
	EngStatus	s;

	if (r->streaming)
		return stream_add(r, key, key_len, ts, steps);
	s = eng_table_lookup(&r->entities, eng_key_hash(key, key_len), key, key_len, &id, &added);
	if (s != ENG_OK)
		return from_engine(s);
	return log_event(r, id, ts, steps);
}

FunnelStatus
funnel_report_combine(FunnelReport *r, const FunnelReport *src)
{
	uint32_t   *map;
	size_t		map_size = sizeof(uint32_t) * (src->entities.count ? src->entities.count : 1);
	EngStatus	s;
	FunnelStatus st = FUNNEL_OK;

	if (r->streaming || src->streaming)
		return FUNNEL_ERR_ORDER;
	map = eng_alloc(r->memory, map_size);
	if (map == NULL)
		return FUNNEL_ERR_MEMORY;
	s = eng_table_merge(&r->entities, &src->entities, map);
	if (s != ENG_OK)
		st = from_engine(s);
	if (st == FUNNEL_OK && !src->wide && !r->wide && (!r->has_base || src->base == r->base))
	{
		/* same packing: copy the values as they are */
		if (!r->has_base && src->has_base)
		{
			r->base = src->base;
			r->has_base = true;
		}
		st = from_engine(eng_log_append_mapped(&r->log, &src->log, map));
	}
	else
	{
		for (uint64_t i = 0; st == FUNNEL_OK && i < src->log.count; i++)
		{
			const EngLogChunk *c = src->log.chunks[i >> ENG_LOG_CHUNK_SHIFT];
			uint32_t	slot = (uint32_t) (i & (ENG_LOG_CHUNK - 1));
			int64_t		ts;
			uint32_t	steps;

			if (src->wide)
			{
				const EngLogChunk *c2 = src->log.chunks[(i + 1) >> ENG_LOG_CHUNK_SHIFT];

				ts = (int64_t) c->values[slot];
				steps = (uint32_t) c2->values[(i + 1) & (ENG_LOG_CHUNK - 1)];
				i++;
			}
			else
			{
				ts = eng_unpack_time(c->values[slot], src->base, src->spec.nsteps);
				steps = eng_unpack_tag(c->values[slot], src->spec.nsteps);
			}
			st = log_event(r, map[c->ids[slot]], ts, steps);
		}
	}
	eng_free(r->memory, map, map_size);
	return st;
}

typedef struct CountContext
{
	FunnelReport *report;
	FunnelCounts *counts;
	FunnelEvent *events;		/* wide: scratch for one entity */
	uint32_t	capacity;
	FunnelStatus status;
} CountContext;

static bool
count_entity(uint32_t id, uint64_t *values, uint32_t n, void *arg)
{
	CountContext *cx = arg;
	FunnelReport *r = cx->report;
	FunnelDP	dp;
	int			shift = r->spec.nsteps;

	funnel_dp_init(&dp);
	if (!r->wide)
	{
		uint32_t	i = 0;

		eng_sort_u64(values, n, r->memory->allocator);
		while (i < n && dp.best < r->spec.nsteps)
		{
			uint64_t	moment = values[i] >> shift;
			uint32_t	steps = 0;

			for (; i < n && values[i] >> shift == moment; i++)
				steps |= eng_unpack_tag(values[i], shift);
			funnel_dp_push(&dp, &r->spec, eng_unpack_time(values[i - 1], r->base, shift), steps);
		}
	}
	else
	{
		uint32_t	m = n / 2;

		if (m > cx->capacity)
		{
			uint32_t	capacity = m < 64 ? 64 : m;
			FunnelEvent *e = eng_alloc(r->memory, sizeof(FunnelEvent) * capacity);

			if (e == NULL)
			{
				cx->status = FUNNEL_ERR_MEMORY;
				return false;
			}
			if (cx->events != NULL)
				eng_free(r->memory, cx->events, sizeof(FunnelEvent) * cx->capacity);
			cx->events = e;
			cx->capacity = capacity;
		}
		for (uint32_t i = 0; i < m; i++)
		{
			cx->events[i].ts = (int64_t) values[2 * i];
			cx->events[i].steps = (uint32_t) values[2 * i + 1];
		}
		m = funnel_sort_merge(cx->events, m);
		for (uint32_t i = 0; i < m && dp.best < r->spec.nsteps; i++)
			funnel_dp_push(&dp, &r->spec, cx->events[i].ts, cx->events[i].steps);
	}
	cx->counts->at_level[dp.best]++;
	(void) id;
	return true;
}

FunnelStatus
funnel_report_counts(FunnelReport *r, FunnelCounts *out)
{
	CountContext cx = {r, out, NULL, 0, FUNNEL_OK};
	EngStatus	s;

	*out = r->counts;
	if (r->streaming)
	{
		if (r->has_key)
		{
			FunnelDP	dp = r->fold.dp;

			if (r->fold.pending_steps != 0)
				funnel_dp_push(&dp, &r->spec, r->fold.pending_ts, r->fold.pending_steps);
			out->at_level[dp.best]++;
		}
		return FUNNEL_OK;
	}
	s = eng_log_group(&r->log, r->entities.count, r->memory, count_entity, &cx);
	if (cx.events != NULL)
		eng_free(r->memory, cx.events, sizeof(FunnelEvent) * cx.capacity);
	if (s != ENG_OK)
		return from_engine(s);
	return cx.status;
}

#define REPORT_HEADER (1 + 8 + 1 + 1 + 1 + 8)

size_t
funnel_report_serial_size(const FunnelReport *r)
{
	return REPORT_HEADER + eng_table_encoded_size(&r->entities) + eng_log_encoded_size(&r->log);
}

void
funnel_report_serialize(const FunnelReport *r, uint8_t *out)
{
	out = b2b_put_u8(out, FUNNEL_REPORT_VERSION);
	out = b2b_put_i64(out, r->spec.window);
	out = b2b_put_u8(out, (uint8_t) r->spec.modes);
	out = b2b_put_u8(out, (uint8_t) r->spec.nsteps);
	out = b2b_put_u8(out, r->wide ? 1 : 0);
	out = b2b_put_i64(out, r->has_base ? r->base : 0);
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
	uint8_t		wide;
	int64_t		base;
	uint32_t	nentities;
	uint32_t   *map;
	size_t		map_size;
	size_t		used;
	FunnelStatus st;
	uint32_t	all_steps;

	spec.window = b2b_read_i64(&rd);
	spec.modes = b2b_read_u8(&rd);
	spec.nsteps = b2b_read_u8(&rd);
	wide = b2b_read_u8(&rd);
	base = b2b_read_i64(&rd);
	if (!b2b_reader_ok(&rd) || version != FUNNEL_REPORT_VERSION || spec.window <= 0 ||
		spec.nsteps < 1 || spec.nsteps > FUNNEL_MAX_STEPS ||
		(spec.modes & ~FUNNEL_ALL_MODES) != 0 || wide > 1 ||
		(!wide && spec.nsteps > FUNNEL_PACKED_MAX_STEPS))
		return FUNNEL_ERR_CORRUPT;
	if (eng_table_encoded_count(rd.p, rd.left, &nentities) != ENG_OK)
		return FUNNEL_ERR_CORRUPT;
	st = funnel_report_init(r, &spec, false, memory);
	*initialized = true;
	if (st != FUNNEL_OK)
		return st;
	r->wide = wide == 1;
	r->base = base;
	r->has_base = true;
	map_size = sizeof(uint32_t) * (nentities ? nentities : 1);
	map = eng_alloc(r->memory, map_size);
	if (map == NULL)
		return FUNNEL_ERR_MEMORY;
	st = from_engine(eng_table_decode(&r->entities, rd.p, rd.left, &used, map));
	if (st == FUNNEL_OK)
	{
		rd.p += used;
		rd.left -= used;
		st = from_engine(eng_log_decode_mapped(&r->log, rd.p, rd.left, &used, map, nentities));
	}
	eng_free(r->memory, map, map_size);
	if (st != FUNNEL_OK)
		return st;
	if (used != rd.left)
		return FUNNEL_ERR_CORRUPT;

	/* Every value must decode to valid steps; wide logs hold pairs of one entity. */
	all_steps = funnel_all_steps(spec.nsteps);
	for (uint64_t i = 0; i < r->log.count; i++)
	{
		const EngLogChunk *c = r->log.chunks[i >> ENG_LOG_CHUNK_SHIFT];
		uint32_t	slot = (uint32_t) (i & (ENG_LOG_CHUNK - 1));
		uint32_t	steps;

		if (r->wide)
		{
			const EngLogChunk *c2;
			uint64_t	v;

			if (i + 1 >= r->log.count)
				return FUNNEL_ERR_CORRUPT;
			c2 = r->log.chunks[(i + 1) >> ENG_LOG_CHUNK_SHIFT];
			if (c2->ids[(i + 1) & (ENG_LOG_CHUNK - 1)] != c->ids[slot])
				return FUNNEL_ERR_CORRUPT;
			v = c2->values[(i + 1) & (ENG_LOG_CHUNK - 1)];
			if (v > UINT32_MAX)
				return FUNNEL_ERR_CORRUPT;
			steps = (uint32_t) v;
			i++;
		}
		else
			steps = eng_unpack_tag(c->values[slot], spec.nsteps);
		if (steps == 0 || (steps & ~all_steps) != 0)
			return FUNNEL_ERR_CORRUPT;
	}
	return FUNNEL_OK;
}
