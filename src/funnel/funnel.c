/*
 * funnel.c
 *		Exact windowed conversion funnels: the pure C core of funnel_step.
 *
 * Definitions (README.md, "Conversion funnels", says the same for users).
 * Rows that match no step, or whose time is NULL, never get here.  Rows with
 * the same timestamp are merged into one "moment" matching the union of
 * their steps: SQL gives simultaneous rows no order, so no result may depend
 * on one.  For the default mode and strict_increase this changes nothing
 * (their definitions only compare timestamps); for strict_order and
 * strict_deduplication it is how ties are read.
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
 * valid chain up to that point.  Cost: O(moments x steps), usually far less
 * since only the steps a moment matches are visited.
 */
#include "funnel.h"

#include <stdlib.h>
#include <string.h>

void
funnel_state_init(FunnelState *state, uint32_t capacity)
{
	state->spec.window = 0;
	state->spec.modes = 0;
	state->spec.nsteps = 0;
	state->sorted = true;
	state->count = 0;
	state->capacity = capacity;
}

void
funnel_append_all(FunnelState *dst, const FunnelState *src)
{
	uint32_t	i;

	for (i = 0; i < src->count; i++)
		funnel_append(dst, src->events[i].ts, src->events[i].steps);
	/* funnel_append only sees neighbours: an unsorted src stays unsorted. */
	if (!src->sorted)
		dst->sorted = false;
}

static int
compare_events(const void *a, const void *b)
{
	int64_t		ta = ((const FunnelEvent *) a)->ts;
	int64_t		tb = ((const FunnelEvent *) b)->ts;

	return (ta > tb) - (ta < tb);
}

void
funnel_normalize(FunnelState *state)
{
	uint32_t	in,
				out;

	if (state->sorted)
		return;					/* funnel_append already merged equal neighbours */
	qsort(state->events, state->count, sizeof(FunnelEvent), compare_events);
	out = 0;
	for (in = 1; in < state->count; in++)
	{
		if (state->events[in].ts == state->events[out].ts)
			state->events[out].steps |= state->events[in].steps;
		else
			state->events[++out] = state->events[in];
	}
	if (state->count > 0)
		state->count = out + 1;
	state->sorted = true;
}

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

int
funnel_level(const FunnelEvent *events, uint32_t count, const FunnelSpec *spec)
{
	int			nsteps = spec->nsteps;
	uint64_t	window = (uint64_t) spec->window;
	bool		strict_increase = (spec->modes & FUNNEL_STRICT_INCREASE) != 0;
	bool		strict_order = (spec->modes & FUNNEL_STRICT_ORDER) != 0;
	bool		strict_dedup = (spec->modes & FUNNEL_STRICT_DEDUPLICATION) != 0;
	uint32_t	all_steps;
	int64_t		start[FUNNEL_MAX_STEPS + 1];	/* indexed by level 1..nsteps */
	uint64_t	alive = 0;		/* bit k: some chain is at level k */
	int			best = 0;
	uint32_t	i;

	if (nsteps <= 0)
		return 0;
	all_steps = nsteps >= 32 ? ~UINT32_C(0) : (UINT32_C(1) << nsteps) - 1;

	for (i = 0; i < count; i++)
	{
		int64_t		ts = events[i].ts;
		uint32_t	steps = events[i].steps & all_steps;
		uint32_t	later_steps;

		if (steps == 0)
			continue;

		/* 1. kills, by the level before this moment */
		if (strict_order)
		{
			int			lowest = __builtin_ctz(steps) + 1;

			alive &= ~level_range(1, lowest - 2);
		}
		if (strict_dedup && (steps & ~UINT32_C(1)) != 0)
		{
			int			lowest_repeatable = __builtin_ctz(steps & ~UINT32_C(1)) + 1;

			alive &= ~level_range(lowest_repeatable, nsteps);
		}

		/* 2 and 3. start and advance chains */
		later_steps = steps & ~UINT32_C(1);
		if (!strict_increase)
		{
			if (steps & 1)
			{
				start[1] = ts;
				alive |= UINT64_C(1) << 1;
				if (best < 1)
					best = 1;
			}
			while (later_steps != 0)
			{
				int			level = __builtin_ctz(later_steps) + 1;	/* reached */

				later_steps &= later_steps - 1;
				if ((alive >> (level - 1) & 1) &&
					within_window(start[level - 1], ts, window) &&
					(!(alive >> level & 1) || start[level - 1] > start[level]))
				{
					start[level] = start[level - 1];
					alive |= UINT64_C(1) << level;
					if (best < level)
						best = level;
				}
			}
		}
		else
		{
			while (later_steps != 0)
			{
				int			level = 32 - __builtin_clz(later_steps);

				later_steps &= ~(UINT32_C(1) << (level - 1));
				if ((alive >> (level - 1) & 1) &&
					within_window(start[level - 1], ts, window) &&
					(!(alive >> level & 1) || start[level - 1] > start[level]))
				{
					start[level] = start[level - 1];
					alive |= UINT64_C(1) << level;
					if (best < level)
						best = level;
				}
			}
			if (steps & 1)
			{
				start[1] = ts;
				alive |= UINT64_C(1) << 1;
				if (best < 1)
					best = 1;
			}
		}
		if (best == nsteps)
			break;
	}
	return best;
}

bool
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
		size_t		begin = pos,
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
		if (begin == end && len == 0)
			break;				/* '' is the default mode */
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
			return false;
		}
	}
	return true;
}

static void
put_bytes(unsigned char **out, const void *value, size_t size)
{
	memcpy(*out, value, size);
	*out += size;
}

static void
get_bytes(const unsigned char **in, void *value, size_t size)
{
	memcpy(value, *in, size);
	*in += size;
}

void
funnel_serialize(const FunnelState *state, unsigned char *out)
{
	uint32_t	i;

	put_bytes(&out, &state->spec.window, 8);
	put_bytes(&out, &state->spec.modes, 4);
	put_bytes(&out, &state->spec.nsteps, 4);
	{
		uint64_t	count = state->count;

		put_bytes(&out, &count, 8);
	}
	for (i = 0; i < state->count; i++)
	{
		put_bytes(&out, &state->events[i].ts, 8);
		put_bytes(&out, &state->events[i].steps, 4);
	}
}

const char *
funnel_check_serial(const unsigned char *in, size_t len,
					FunnelSpec *spec, uint32_t *count)
{
	const unsigned char *p = in;
	uint32_t	all_steps;
	uint64_t	stored;
	uint32_t	i;

	if (len < FUNNEL_SERIAL_HEADER)
		return "too short for the header";
	get_bytes(&p, &spec->window, 8);
	get_bytes(&p, &spec->modes, 4);
	get_bytes(&p, &spec->nsteps, 4);
	get_bytes(&p, &stored, 8);
	if (spec->nsteps < 1 || spec->nsteps > FUNNEL_MAX_STEPS)
		return "step count out of range";
	if (spec->window <= 0)
		return "window is not positive";
	if ((spec->modes & ~FUNNEL_ALL_MODES) != 0)
		return "unknown mode bits";
	if (stored > (len - FUNNEL_SERIAL_HEADER) / FUNNEL_SERIAL_EVENT ||
		stored > FUNNEL_MAX_EVENTS ||
		len != funnel_serial_size((uint32_t) stored))
		return "length does not match the event count";
	*count = (uint32_t) stored;
	all_steps = spec->nsteps >= 32 ? ~UINT32_C(0) : (UINT32_C(1) << spec->nsteps) - 1;
	for (i = 0; i < *count; i++)
	{
		uint32_t	steps;

		memcpy(&steps, p + i * FUNNEL_SERIAL_EVENT + 8, 4);
		if (steps == 0 || (steps & ~all_steps) != 0)
			return "an event matches no valid step";
	}
	return NULL;
}

void
funnel_deserialize(const unsigned char *in, FunnelState *state)
{
	const unsigned char *p = in;
	uint64_t	count,
				i;			/* count was checked to fit in uint32 */

	get_bytes(&p, &state->spec.window, 8);
	get_bytes(&p, &state->spec.modes, 4);
	get_bytes(&p, &state->spec.nsteps, 4);
	get_bytes(&p, &count, 8);
	state->count = 0;
	state->sorted = true;
	for (i = 0; i < count; i++)
	{
		int64_t		ts;
		uint32_t	steps;

		get_bytes(&p, &ts, 8);
		get_bytes(&p, &steps, 4);
		funnel_append(state, ts, steps);
	}
}
