/*
 * funnel.c
 *		Exact windowed conversion funnels: the pure C core (see funnel.h).
 *
 * Definitions (docs/funnel.md says the same for users).  Rows that match no
 * step, or whose time is NULL, never get here.  Rows with the same timestamp
 * are merged into one "moment" matching the union of their steps: SQL gives
 * simultaneous rows no order, so no result may depend on one.  For the
 * default mode and strict_increase this changes nothing (their definitions
 * only compare timestamps); for strict_order and strict_deduplication it is
 * how ties are read.
 *
 * A chain of level k picks, for each step i = 1..k, a moment p(i) whose steps
 * include i, with p(1) <= p(2) <= ... <= p(k) (strictly increasing under
 * strict_increase, so one moment fills one step; otherwise one moment may
 * fill several consecutive steps) and ts(p(k)) - ts(p(1)) <= window.  For a
 * moment q with p(1) <= q <= p(k), let cur(q) be the number of steps the
 * chain filled at moments before q.  Then
 *   strict_order:          no moment q has all its steps > cur(q) + 1
 *                          (it would skip ahead);
 *   strict_deduplication:  no moment q matches a step s with 2 <= s <= cur(q)
 *                          (a step already passed; a new step 1 is fine).
 * The level is the largest k of any chain; 0 when there is none.
 *
 * The dynamic programme.  Scan the moments in time order and keep, for each
 * level k, whether some chain currently at level k is alive and the LATEST
 * start time among those chains.  That one value per level is enough, and
 * exact in every mode: whether a moment kills a chain, or lets it advance,
 * depends only on the chain's level and on the moment, except for the window
 * test ts - start <= window, which a later start passes whenever an earlier
 * one does.  So the latest-starting chain of a level can do everything the
 * others of that level can.  At each moment:
 *   1. kills, judged against the level a chain had BEFORE the moment:
 *      strict_order kills levels c with min(steps) > c + 1, i.e. all levels
 *      below min(steps) - 1 (a chain that advances at this moment matches
 *      step c + 1, so it is never killed); strict_deduplication kills levels
 *      c >= s, s being the lowest step >= 2 of the moment;
 *   2. a moment matching step 1 starts a chain at level 1 (its start is the
 *      latest possible, so it replaces the old one);
 *   3. a moment matching step s lets the chain of level s - 1 advance to
 *      level s if ts - start <= window.  Without strict_increase the steps
 *      are visited low to high, so one moment can carry a chain over several
 *      steps; with strict_increase high to low, so each advance reads the
 *      state from before the moment (one step per moment).
 * The answer is the highest level ever reached: a chain killed later was a
 * valid chain up to that point.  Cost: O(steps) a moment, usually far less
 * since only the steps a moment matches are visited.
 *
 * Saturation.  Without kill rules (default, strict_increase) a chain found in
 * some rows is still a chain in any superset of them, so once the events of a
 * group reach the last step, no row or partial state added later can change
 * the level: the events can go.
 */
#include "funnel/funnel.h"

#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "engine/engine.h"

bool
funnel_spec_equal(const FunnelSpec *a, const FunnelSpec *b)
{
	return a->window == b->window && a->modes == b->modes && a->nsteps == b->nsteps;
}

FunnelStatus
funnel_parse_modes(const char *text, size_t len, uint32_t *modes,
				   const char **bad, size_t *bad_len)
{
	static const struct
	{
		const char *name;
		uint32_t	flag;
	}			known[] = {
		{"default", 0},
		{"strict_increase", FUNNEL_STRICT_INCREASE},
		{"strict_order", FUNNEL_STRICT_ORDER},
		{"strict_deduplication", FUNNEL_STRICT_DEDUPLICATION},
	};
	size_t		pos = 0;

	*modes = 0;
	while (pos <= len)
	{
		size_t		raw_begin = pos,
					begin = pos,
					end;
		size_t		k;
		bool		found = false;

		while (pos < len && text[pos] != ',')
			pos++;
		end = pos;
		pos++;					/* past the comma (or the end) */
		while (begin < end && (text[begin] == ' ' || text[begin] == '\t'))
			begin++;
		while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t'))
			end--;
		if (begin == end)
		{
			if (raw_begin == 0 && pos > len)
				break;			/* '' (or only blanks) is the default mode */
			*bad = text + begin;
			*bad_len = 0;
			return FUNNEL_ERR_EMPTY_MODE;
		}
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		{
			if (strlen(known[k].name) == end - begin &&
				memcmp(known[k].name, text + begin, end - begin) == 0)
			{
				*modes |= known[k].flag;
				found = true;
				break;
			}
		}
		if (!found)
		{
			*bad = text + begin;
			*bad_len = end - begin;
			return FUNNEL_ERR_UNKNOWN_MODE;
		}
	}
	return FUNNEL_OK;
}

/* ---- the dynamic programme -------------------------------------------------- */

/* Is "later" within the window of a chain started at "start" <= later?
 * The difference of two int64 with later >= start always fits in uint64,
 * even for -infinity and infinity. */
static inline bool
within_window(int64_t start, int64_t later, uint64_t window)
{
	return (uint64_t) later - (uint64_t) start <= window;
}

/* Bit mask of levels lo..hi (bit k = level k), empty when lo > hi. */
static inline uint64_t
level_range(int lo, int hi)
{
	if (lo > hi)
		return 0;
	return ((~UINT64_C(0)) >> (63 - hi)) & ~((UINT64_C(1) << lo) - 1);
}

void
funnel_dp_init(FunnelDP *dp)
{
	dp->alive = 0;
	dp->best = 0;
	dp->unused = 0;
}

/* start[level - 1] is the latest start of a live chain at level */
#define START(level) dp->start[(level) - 1]

static inline void
advance(FunnelDP *dp, int level, int64_t ts, uint64_t window)
{
	if ((dp->alive >> (level - 1) & 1) &&
		within_window(START(level - 1), ts, window) &&
		(!(dp->alive >> level & 1) || START(level - 1) > START(level)))
	{
		START(level) = START(level - 1);
		dp->alive |= UINT64_C(1) << level;
		if (dp->best < level)
			dp->best = level;
	}
}

static inline void
start_chain(FunnelDP *dp, int64_t ts)
{
	START(1) = ts;
	dp->alive |= UINT64_C(1) << 1;
	if (dp->best < 1)
		dp->best = 1;
}

void
funnel_dp_push(FunnelDP *dp, const FunnelSpec *spec, int64_t ts, uint32_t steps)
{
	int			nsteps = spec->nsteps;
	uint64_t	window = (uint64_t) spec->window;
	uint32_t	later_steps;

	steps &= funnel_all_steps(nsteps);
	if (steps == 0)
		return;

	/* 1. kills, by the level before this moment */
	if (spec->modes & FUNNEL_STRICT_ORDER)
	{
		int			lowest = __builtin_ctz(steps) + 1;

		dp->alive &= ~level_range(1, lowest - 2);
	}
	if ((spec->modes & FUNNEL_STRICT_DEDUPLICATION) && (steps & ~UINT32_C(1)) != 0)
	{
		int			lowest_repeatable = __builtin_ctz(steps & ~UINT32_C(1)) + 1;

		dp->alive &= ~level_range(lowest_repeatable, nsteps);
	}

	/* 2 and 3. start and advance chains */
	later_steps = steps & ~UINT32_C(1);
	if (!(spec->modes & FUNNEL_STRICT_INCREASE))
	{
		if (steps & 1)
			start_chain(dp, ts);
		while (later_steps != 0)
		{
			int			level = __builtin_ctz(later_steps) + 1; /* reached */

			later_steps &= later_steps - 1;
			advance(dp, level, ts, window);
		}
	}
	else
	{
		while (later_steps != 0)
		{
			int			level = 32 - __builtin_clz(later_steps);

			later_steps &= ~(UINT32_C(1) << (level - 1));
			advance(dp, level, ts, window);
		}
		if (steps & 1)
			start_chain(dp, ts);
	}
}

#undef START

/* ---- the funnel_step state ------------------------------------------------- */

static inline bool
is_wide(const FunnelState *s)
{
	return (s->flags & FUNNEL_WIDE) != 0;
}

static inline uint64_t *
packed_events(const FunnelState *s)
{
	return (uint64_t *) funnel_state_events(s);
}

static inline EngPair *
wide_events(const FunnelState *s)
{
	return (EngPair *) funnel_state_events(s);
}

static inline int64_t
event_ts(const FunnelState *s, uint32_t i)
{
	return is_wide(s) ? eng_key_time(wide_events(s)[i].key)
		: eng_unpack_time(packed_events(s)[i], s->base, s->nsteps);
}

static inline uint32_t
event_steps(const FunnelState *s, uint32_t i)
{
	return is_wide(s) ? (uint32_t) wide_events(s)[i].value : eng_unpack_tag(packed_events(s)[i], s->nsteps);
}

size_t
funnel_state_size(bool wide, uint32_t capacity)
{
	return FUNNEL_STATE_HEADER + (size_t) capacity * (wide ? sizeof(EngPair) : sizeof(uint64_t));
}

static size_t
fold_size(int nsteps)
{
	return offsetof(FunnelFold, dp) + funnel_dp_size(nsteps);
}

static void
fold_init(FunnelFold *f)
{
	f->upto = 0;
	f->pending_steps = 0;
	f->pending_ts = 0;
	funnel_dp_init(&f->dp);
}

/* The state's allocation in bytes (what funnel_state_free gives back). */
static size_t
allocation_size(const FunnelState *s)
{
	if (s->flags & FUNNEL_FOLDED)
		return FUNNEL_STATE_HEADER + fold_size(s->nsteps);
	return funnel_state_size(is_wide(s), s->capacity);
}

FunnelState *
funnel_state_new(const FunnelSpec *spec, bool folded, const FunnelAllocator *a)
{
	/* a first allocation of 64 bytes: most groups hold one to three events */
	uint32_t	capacity = (uint32_t) ((64 - FUNNEL_STATE_HEADER) / sizeof(uint64_t));
	size_t		size = folded ? FUNNEL_STATE_HEADER + fold_size(spec->nsteps)
		: funnel_state_size(false, capacity);
	FunnelState *s = a->alloc(size, a->ctx);

	if (s == NULL)
		return NULL;
	memset(s, 0, FUNNEL_STATE_HEADER);
	s->window = spec->window;
	s->modes = (uint8_t) spec->modes;
	s->nsteps = (uint8_t) spec->nsteps;
	s->flags = FUNNEL_SORTED;
	if (spec->nsteps > FUNNEL_PACKED_MAX_STEPS)
		s->flags |= FUNNEL_WIDE;
	if (folded)
	{
		s->flags |= FUNNEL_FOLDED;
		fold_init((FunnelFold *) funnel_state_events(s));
	}
	else
		s->capacity = s->flags & FUNNEL_WIDE
			? (uint32_t) ((64 - FUNNEL_STATE_HEADER) / sizeof(EngPair))
			: capacity;
	return s;
}

void
funnel_state_free(FunnelState *s, const FunnelAllocator *a)
{
	if (s->fold != NULL)
		a->release(s->fold, a->ctx);
	a->release(s, a->ctx);
}

/* A copy of s with room for capacity events, wide or packed; s is freed. */
static FunnelState *
reallocate(FunnelState *s, uint32_t capacity, bool wide, const FunnelAllocator *a)
{
	FunnelState *n = a->alloc(funnel_state_size(wide, capacity), a->ctx);

	if (n == NULL)
		return NULL;
	memcpy(n, s, FUNNEL_STATE_HEADER);
	n->capacity = capacity;
	if (wide == is_wide(s))
		memcpy(funnel_state_events(n), funnel_state_events(s),
			   (size_t) s->count * (wide ? sizeof(EngPair) : sizeof(uint64_t)));
	else
	{
		/* packed to wide (never back) */
		EngPair    *out = wide_events(n);

		for (uint32_t i = 0; i < s->count; i++)
		{
			out[i].key = eng_time_key(event_ts(s, i));
			out[i].value = event_steps(s, i);
		}
		n->flags |= FUNNEL_WIDE;
	}
	a->release(s, a->ctx);
	return n;
}

/* Sort the events into place, merging equal times (the unsorted tail is merged into the sorted prefix). */
static void
normalize(FunnelState *s, const FunnelAllocator *a)
{
	uint32_t	n = s->count;

	if (s->flags & FUNNEL_SORTED)
		return;
	if (is_wide(s))
	{
		EngPair    *e = wide_events(s);
		uint32_t	out = 0;

		eng_sort_pairs(e, n, a);
		for (uint32_t in = 1; in < n; in++)
		{
			if (e[in].key == e[out].key)
				e[out].value |= e[in].value;
			else
				e[++out] = e[in];
		}
		s->count = n > 0 ? out + 1 : 0;
	}
	else
	{
		uint64_t   *v = packed_events(s);
		int			shift = s->nsteps;
		uint32_t	out = 0;

		eng_sort_u64(v, n, a);
		for (uint32_t in = 1; in < n; in++)
		{
			if (v[in] >> shift == v[out] >> shift)
				v[out] |= v[in];
			else
				v[++out] = v[in];
		}
		s->count = n > 0 ? out + 1 : 0;
	}
	s->sorted_upto = s->count;
	if (s->count > 0)
		s->last_ts = event_ts(s, s->count - 1);
	s->flags |= FUNNEL_SORTED;
	if (s->fold != NULL)
		fold_init(s->fold);		/* what it had read may have moved */
}

/* The programme over events[from .. to) of a sorted state. */
static void
fold_events(const FunnelState *s, FunnelDP *dp, uint32_t from, uint32_t to)
{
	FunnelSpec	spec = funnel_state_spec(s);

	if (is_wide(s))
	{
		const EngPair *e = wide_events(s);

		for (uint32_t i = from; i < to && dp->best < spec.nsteps; i++)
			funnel_dp_push(dp, &spec, eng_key_time(e[i].key), (uint32_t) e[i].value);
	}
	else
	{
		const uint64_t *v = packed_events(s);

		for (uint32_t i = from; i < to && dp->best < spec.nsteps; i++)
			funnel_dp_push(dp, &spec, eng_unpack_time(v[i], s->base, s->nsteps),
						   eng_unpack_tag(v[i], s->nsteps));
	}
}

/* Drop the events for good: the level is nsteps whatever comes. */
static void
saturate(FunnelState *s)
{
	s->flags = (uint16_t) ((s->flags & FUNNEL_WIDE) | FUNNEL_SATURATED | FUNNEL_SORTED);
	s->count = 0;
	s->sorted_upto = 0;
}

/*
 * The buffer is full (or must become wide): sort it (merging ties may make
 * room), check for saturation, and otherwise double the allocation, whose
 * sizes stay powers of two as the allocator likes.
 */
static FunnelStatus
make_room(FunnelState **sp, bool wide, const FunnelAllocator *a)
{
	FunnelState *s = *sp;
	FunnelSpec	spec = funnel_state_spec(s);
	size_t		record = wide ? sizeof(EngPair) : sizeof(uint64_t);
	size_t		current;
	size_t		needed;
	size_t		total = 64;

	normalize(s, a);
	if (funnel_monotone(&spec))
	{
		FunnelDP	dp;

		funnel_dp_init(&dp);
		fold_events(s, &dp, 0, s->count);
		if (dp.best == s->nsteps)
		{
			saturate(s);
			return FUNNEL_OK;
		}
	}
	if (s->count < s->capacity && wide == is_wide(s))
		return FUNNEL_OK;
	if (s->count == UINT32_MAX)
		return FUNNEL_ERR_TOO_MANY;
	current = allocation_size(s);
	needed = FUNNEL_STATE_HEADER + ((size_t) s->count + 1) * record;
	while (total < needed || (wide == is_wide(s) && total <= current))
		total *= 2;
	s = reallocate(s, (uint32_t) ((total - FUNNEL_STATE_HEADER) / record > UINT32_MAX ? UINT32_MAX
								  : (total - FUNNEL_STATE_HEADER) / record), wide, a);
	if (s == NULL)
		return FUNNEL_ERR_TOO_MANY;
	*sp = s;
	return FUNNEL_OK;
}

static bool
merge_into_last(FunnelState *s, int64_t ts, uint32_t steps)
{
	uint32_t	last;

	if (s->count == 0 || s->last_ts != ts)
		return false;
	last = s->count - 1;
	if (is_wide(s))
		wide_events(s)[last].value |= steps;
	else
		packed_events(s)[last] |= steps;
	return true;
}

FunnelStatus
funnel_state_add(FunnelState **sp, int64_t ts, uint32_t steps, const FunnelAllocator *a)
{
	FunnelState *s = *sp;
	bool		wide;

	if (s->flags & FUNNEL_SATURATED)
		return FUNNEL_OK;

	if (s->flags & FUNNEL_FOLDED)
	{
		FunnelFold *f = (FunnelFold *) funnel_state_events(s);
		FunnelSpec	spec = funnel_state_spec(s);

		if (f->pending_steps != 0)
		{
			if (ts == f->pending_ts)
			{
				f->pending_steps |= steps;
				return FUNNEL_OK;
			}
			if (ts < f->pending_ts)
				return FUNNEL_ERR_ORDER;
			funnel_dp_push(&f->dp, &spec, f->pending_ts, f->pending_steps);
			if (f->dp.best == s->nsteps && funnel_monotone(&spec))
			{
				s->flags |= FUNNEL_SATURATED;
				f->pending_steps = 0;
				return FUNNEL_OK;
			}
		}
		f->pending_ts = ts;
		f->pending_steps = steps;
		return FUNNEL_OK;
	}

	/* a row at the time of the last event joins it */
	if (merge_into_last(s, ts, steps))
		return FUNNEL_OK;
	if (s->count == 0)
		s->base = ts;
	wide = is_wide(s) || !eng_time_fits(ts, s->base, s->nsteps);
	if (s->count == s->capacity || wide != is_wide(s))
	{
		FunnelStatus st = make_room(sp, wide, a);

		if (st != FUNNEL_OK)
			return st;
		s = *sp;
		if (s->flags & FUNNEL_SATURATED)
			return FUNNEL_OK;
		/* sorting may have brought an event at this time to the end */
		if (merge_into_last(s, ts, steps))
			return FUNNEL_OK;
	}
	if (s->count > 0 && ts < s->last_ts)
		s->flags &= ~FUNNEL_SORTED;
	if (is_wide(s))
	{
		wide_events(s)[s->count].key = eng_time_key(ts);
		wide_events(s)[s->count].value = steps;
	}
	else
		packed_events(s)[s->count] = eng_pack_time(ts, s->base, s->nsteps, steps);
	s->count++;
	s->last_ts = ts;
	if (s->flags & FUNNEL_SORTED)
		s->sorted_upto = s->count;
	return FUNNEL_OK;
}

FunnelStatus
funnel_state_combine(FunnelState **dst, const FunnelState *src, const FunnelAllocator *a)
{
	if (((*dst)->flags | src->flags) & FUNNEL_FOLDED)
		return FUNNEL_ERR_ORDER;
	if ((*dst)->flags & FUNNEL_SATURATED)
		return FUNNEL_OK;
	if (src->flags & FUNNEL_SATURATED)
	{
		saturate(*dst);
		return FUNNEL_OK;
	}
	for (uint32_t i = 0; i < src->count; i++)
	{
		FunnelStatus st = funnel_state_add(dst, event_ts(src, i), event_steps(src, i), a);

		if (st != FUNNEL_OK)
			return st;
	}
	return FUNNEL_OK;
}

FunnelStatus
funnel_state_level(FunnelState *s, const FunnelAllocator *a, int *level)
{
	FunnelDP	dp;
	FunnelSpec	spec = funnel_state_spec(s);

	if (s->flags & FUNNEL_SATURATED)
	{
		*level = s->nsteps;
		return FUNNEL_OK;
	}
	if (s->flags & FUNNEL_FOLDED)
	{
		const FunnelFold *f = (const FunnelFold *) funnel_state_events(s);

		memcpy(&dp, &f->dp, funnel_dp_size(s->nsteps));
		if (f->pending_steps != 0)
			funnel_dp_push(&dp, &spec, f->pending_ts, f->pending_steps);
		*level = dp.best;
		return FUNNEL_OK;
	}
	normalize(s, a);

	/* Asked again (a window aggregate): keep the programme over all but the last event. */
	if (s->fold == NULL && (s->flags & FUNNEL_FINALIZED) && s->count > 1)
	{
		s->fold = a->alloc(fold_size(s->nsteps), a->ctx);
		if (s->fold == NULL)
			return FUNNEL_ERR_TOO_MANY;
		fold_init(s->fold);
	}
	s->flags |= FUNNEL_FINALIZED;
	if (s->fold != NULL && s->count > 0)
	{
		FunnelFold *f = s->fold;

		fold_events(s, &f->dp, f->upto, s->count - 1);
		f->upto = s->count - 1;
		memcpy(&dp, &f->dp, funnel_dp_size(s->nsteps));
		fold_events(s, &dp, s->count - 1, s->count);
	}
	else
	{
		funnel_dp_init(&dp);
		fold_events(s, &dp, 0, s->count);
	}
	*level = dp.best;
	return FUNNEL_OK;
}

size_t
funnel_serial_size(const FunnelState *s)
{
	return FUNNEL_SERIAL_HEADER + (size_t) s->count * FUNNEL_SERIAL_EVENT;
}

void
funnel_serialize(const FunnelState *s, uint8_t *out)
{
	out = b2b_put_u8(out, FUNNEL_SERIAL_VERSION);
	out = b2b_put_i64(out, s->window);
	out = b2b_put_u8(out, s->modes);
	out = b2b_put_u8(out, s->nsteps);
	out = b2b_put_u8(out, (uint8_t) (s->flags & FUNNEL_SATURATED));
	out = b2b_put_u32(out, s->count);
	for (uint32_t i = 0; i < s->count; i++)
	{
		out = b2b_put_i64(out, event_ts(s, i));
		out = b2b_put_u32(out, event_steps(s, i));
	}
}

FunnelStatus
funnel_deserialize(const uint8_t *in, size_t len, FunnelState **out, const FunnelAllocator *a)
{
	B2bReader	r = b2b_reader(in, len);
	FunnelSpec	spec;
	uint8_t		version = b2b_read_u8(&r);
	uint8_t		flags;
	uint32_t	count;
	uint32_t	all_steps;
	FunnelState *s;

	spec.window = b2b_read_i64(&r);
	spec.modes = b2b_read_u8(&r);
	spec.nsteps = b2b_read_u8(&r);
	flags = b2b_read_u8(&r);
	count = b2b_read_u32(&r);
	if (!b2b_reader_ok(&r) || version != FUNNEL_SERIAL_VERSION ||
		spec.nsteps < 1 || spec.nsteps > FUNNEL_MAX_STEPS || spec.window <= 0 ||
		(spec.modes & ~FUNNEL_ALL_MODES) != 0 || (flags & ~FUNNEL_SATURATED) != 0 ||
		r.left != (size_t) count * FUNNEL_SERIAL_EVENT)
		return FUNNEL_ERR_CORRUPT;
	if ((flags & FUNNEL_SATURATED) && (count != 0 || !funnel_monotone(&spec)))
		return FUNNEL_ERR_CORRUPT;
	all_steps = funnel_all_steps(spec.nsteps);
	s = funnel_state_new(&spec, false, a);
	if (s == NULL)
		return FUNNEL_ERR_TOO_MANY;
	if (flags & FUNNEL_SATURATED)
		saturate(s);
	for (uint32_t i = 0; i < count; i++)
	{
		int64_t		ts = b2b_read_i64(&r);
		uint32_t	steps = b2b_read_u32(&r);
		FunnelStatus st;

		if (steps == 0 || (steps & ~all_steps) != 0)
		{
			funnel_state_free(s, a);
			return FUNNEL_ERR_CORRUPT;
		}
		st = funnel_state_add(&s, ts, steps, a);
		if (st != FUNNEL_OK)
		{
			funnel_state_free(s, a);
			return st;
		}
	}
	*out = s;
	return FUNNEL_OK;
}

/* ---- funnel_counts ------------------------------------------------------------- */

size_t
funnel_counts_wire_size(const FunnelCounts *c)
{
	return 2 + 8 * ((size_t) c->nsteps + 1);
}

void
funnel_counts_encode(const FunnelCounts *c, uint8_t *out)
{
	out = b2b_put_u8(out, FUNNEL_COUNTS_VERSION);
	out = b2b_put_u8(out, (uint8_t) c->nsteps);
	for (int k = 0; k <= c->nsteps; k++)
		out = b2b_put_i64(out, c->at_level[k]);
}

FunnelStatus
funnel_counts_decode(const uint8_t *in, size_t len, FunnelCounts *c)
{
	B2bReader	r = b2b_reader(in, len);
	uint8_t		version = b2b_read_u8(&r);
	uint8_t		nsteps = b2b_read_u8(&r);

	if (!b2b_reader_ok(&r) || version != FUNNEL_COUNTS_VERSION ||
		nsteps < 1 || nsteps > FUNNEL_MAX_STEPS || r.left != 8 * ((size_t) nsteps + 1))
		return FUNNEL_ERR_CORRUPT;
	memset(c, 0, sizeof(*c));
	c->nsteps = nsteps;
	for (int k = 0; k <= nsteps; k++)
	{
		c->at_level[k] = b2b_read_i64(&r);
		if (c->at_level[k] < 0)
			return FUNNEL_ERR_CORRUPT;
	}
	return FUNNEL_OK;
}

bool
funnel_counts_add(FunnelCounts *dst, const FunnelCounts *src)
{
	for (int k = 0; k <= dst->nsteps; k++)
		if (__builtin_add_overflow(dst->at_level[k], src->at_level[k], &dst->at_level[k]))
			return false;
	return true;
}

bool
funnel_counts_reached(const FunnelCounts *c, int64_t *reached)
{
	int64_t		sum = 0;

	for (int k = c->nsteps; k >= 1; k--)
	{
		if (__builtin_add_overflow(sum, c->at_level[k], &sum))
			return false;
		reached[k - 1] = sum;
	}
	return true;
}
