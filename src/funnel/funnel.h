/*
 * funnel.h
 *		Pure C core of funnel_step: exact windowed conversion funnels.
 *
 * No PostgreSQL headers here, so the unit test (test/unit/funnel_test.c)
 * links this core alone and checks it against a brute-force reference.
 *
 * The aggregate keeps only the rows that match at least one step, as
 * (timestamp in microseconds, bit mask of the steps it matches): bit i-1 is
 * step i.  The final computation sorts them by time, merges rows with equal
 * timestamps into one "moment" (the union of their steps) and runs a dynamic
 * programme over the moments in O(moments x steps); see funnel.c.
 */
#ifndef B2B_FUNNEL_H
#define B2B_FUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FUNNEL_MAX_STEPS		32

/* Modes: bit flags, combinable. 0 is the default mode. */
#define FUNNEL_STRICT_INCREASE		0x1u
#define FUNNEL_STRICT_ORDER			0x2u
#define FUNNEL_STRICT_DEDUPLICATION	0x4u
#define FUNNEL_ALL_MODES			0x7u

/* The names accepted in the mode text, for parsing and error messages. */
#define FUNNEL_MODE_NAMES "default, strict_increase, strict_order, strict_deduplication"

typedef struct FunnelEvent
{
	int64_t		ts;				/* microseconds, as in a timestamptz */
	uint32_t	steps;			/* bit i-1 set: the row matches step i; never 0 */
} FunnelEvent;

/*
 * What one funnel_step call computes: fixed for a whole group.  nsteps is 0
 * until the first row is seen.
 */
typedef struct FunnelSpec
{
	int64_t		window;			/* microseconds, > 0 */
	uint32_t	modes;			/* FUNNEL_* flags */
	int32_t		nsteps;			/* 1..FUNNEL_MAX_STEPS, or 0 if not yet known */
} FunnelSpec;

/*
 * The transition state: the spec plus the matching rows.  It is one
 * allocation (header and a flexible array) that the caller grows; "sorted"
 * says that events[] is already in nondecreasing time order, so the final
 * sort can be skipped (the common case when rows come from an index or an
 * ORDER BY).  The header is 32 bytes, so with 2^k - 2 events a state fills a
 * power-of-two allocation exactly (most visitors have one or two rows).
 */
typedef struct FunnelState
{
	FunnelSpec	spec;
	uint32_t	count;
	uint32_t	capacity;
	bool		sorted;
	FunnelEvent events[];
} FunnelState;

#define FUNNEL_MAX_EVENTS UINT32_MAX

/* Bytes needed for a state holding up to capacity events. */
static inline size_t
funnel_state_size(uint32_t capacity)
{
	return sizeof(FunnelState) + capacity * sizeof(FunnelEvent);
}

extern void funnel_state_init(FunnelState *state, uint32_t capacity);

/*
 * Append one matching row; the caller guarantees count < capacity.  A row
 * with the same timestamp as the last one is merged into it (both would be
 * merged into one moment later anyway), which keeps ties cheap.
 */
static inline void
funnel_append(FunnelState *state, int64_t ts, uint32_t steps)
{
	if (state->count > 0)
	{
		FunnelEvent *last = &state->events[state->count - 1];

		if (last->ts == ts)
		{
			last->steps |= steps;
			return;
		}
		if (ts < last->ts)
			state->sorted = false;
	}
	state->events[state->count].ts = ts;
	state->events[state->count].steps = steps;
	state->count++;
}

/* Append every event of src to dst (dst->capacity must suffice). */
extern void funnel_append_all(FunnelState *dst, const FunnelState *src);

/*
 * Sort the events by time and merge equal timestamps into one event (the
 * union of their steps).  The state keeps its meaning: the level computed
 * from it, and from it with more rows appended, is the same as before.
 */
extern void funnel_normalize(FunnelState *state);

/*
 * The funnel level (0..nsteps) of normalized events: strictly increasing
 * timestamps.  See funnel.c for the exact definition of each mode.
 */
extern int	funnel_level(const FunnelEvent *events, uint32_t count,
						 const FunnelSpec *spec);

/*
 * Parse a mode text: a comma-separated list of mode names (spaces around
 * names are ignored, "default" adds nothing, an empty text is the default).
 * Returns true and sets *modes, or returns false and points *bad at the
 * first unknown name and *bad_len at its length.
 */
extern bool funnel_parse_modes(const char *text, size_t len, uint32_t *modes,
							   const char **bad, size_t *bad_len);

/*
 * The serialized state (for parallel aggregation): a fixed header
 *   int64 window, uint32 modes, int32 nsteps, uint64 count
 * followed by count events of (int64 ts, uint32 steps), all in native byte
 * order (it never leaves one cluster).  count is at most FUNNEL_MAX_EVENTS.  Sorted order is re-derived.
 */
#define FUNNEL_SERIAL_HEADER	24
#define FUNNEL_SERIAL_EVENT		12

static inline size_t
funnel_serial_size(uint32_t count)
{
	return FUNNEL_SERIAL_HEADER + count * FUNNEL_SERIAL_EVENT;
}

extern void funnel_serialize(const FunnelState *state, unsigned char *out);

/*
 * Validate serialized bytes.  Returns NULL and sets *spec and *count when
 * they are well formed, else a message saying what is wrong.
 */
extern const char *funnel_check_serial(const unsigned char *in, size_t len,
									   FunnelSpec *spec, uint32_t *count);

/* Decode validated bytes into a state of capacity >= count. */
extern void funnel_deserialize(const unsigned char *in, FunnelState *state);

#endif							/* B2B_FUNNEL_H */
