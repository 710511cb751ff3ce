/*
 * funnel.h
 *		Pure C core of the funnel family: exact windowed conversion funnels.
 *
 * No PostgreSQL headers here: test/unit/funnel_test.c links this core alone
 * and checks it against brute-force references.
 *
 * A funnel has 1..32 steps, each a condition on a row; a row matching at
 * least one step becomes an event: its time in microseconds (as in a
 * timestamptz) and the bit mask of the steps it matches (bit i-1 is step i).  Events with equal times merge into
 * one "moment" matching the union of their steps.  The level of a group is
 * computed by a dynamic programme that reads the moments in time order, one
 * at a time, in O(steps) each (FunnelDP; funnel.c explains it).
 *
 * The state of funnel_step (FunnelState) keeps the group's events, 8 bytes
 * each when the steps and times allow (the time relative to the group's
 * first row, shifted left over the step mask, so that sorting the packed
 * values sorts by time).  They cannot be reduced to less in general: a row
 * arriving later, or a partial state combined in, can form a chain with any
 * of them.  What can be dropped is dropped:
 *   - rows at the same time as the last one merge into it;
 *   - in the modes where more rows never lower the level (default and
 *     strict_increase), a group whose events already reach the last step is
 *     "saturated": its events go, and later rows cost nothing;
 *   - rows out of order are sorted into place when the buffer must grow (which
 *     is when saturation is checked, so that costs O(log n) sorts a group);
 *   - when PostgreSQL guarantees time order (ORDER BY ts inside the aggregate
 *     call), no event is kept at all: each row is folded into the programme
 *     (FUNNEL_FOLDED, O(steps) bytes).
 * The final function leaves the events sorted and remembers the programme
 * over them, so a running window over rows in time order reads each row once.
 */
#ifndef B2B_FUNNEL_H
#define B2B_FUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

#define FUNNEL_MAX_STEPS		32

/* Modes: bit flags, combinable. 0 is the default mode. */
#define FUNNEL_STRICT_INCREASE		0x1u
#define FUNNEL_STRICT_ORDER			0x2u
#define FUNNEL_STRICT_DEDUPLICATION	0x4u
#define FUNNEL_ALL_MODES			0x7u

/* The names accepted in the mode text, for parsing and error messages. */
#define FUNNEL_MODE_NAMES "default, strict_increase, strict_order, strict_deduplication"

typedef enum FunnelStatus
{
	FUNNEL_OK = 0,
	FUNNEL_ERR_UNKNOWN_MODE,	/* a name in the mode list is not a mode */
	FUNNEL_ERR_EMPTY_MODE,		/* the mode list has an empty entry ("a,,b", "a,") */
	FUNNEL_ERR_CORRUPT,			/* serialized bytes fail validation */
	FUNNEL_ERR_TOO_MANY,		/* more events than a state holds */
	FUNNEL_ERR_MEMORY,			/* beyond the memory limit (funnel_report) */
	FUNNEL_ERR_ORDER			/* a FOLDED state got rows out of time order */
} FunnelStatus;

/* What one funnel call computes: fixed for a whole group. */
typedef struct FunnelSpec
{
	int64_t		window;			/* microseconds, > 0 */
	uint32_t	modes;			/* FUNNEL_* flags */
	int32_t		nsteps;			/* 1..FUNNEL_MAX_STEPS */
} FunnelSpec;

static inline uint32_t
funnel_all_steps(int nsteps)
{
	return nsteps >= 32 ? ~UINT32_C(0) : (UINT32_C(1) << nsteps) - 1;
}

/* More rows never lower the level in these modes (no kill rules). */
static inline bool
funnel_monotone(const FunnelSpec *spec)
{
	return (spec->modes & (FUNNEL_STRICT_ORDER | FUNNEL_STRICT_DEDUPLICATION)) == 0;
}

extern bool funnel_spec_equal(const FunnelSpec *a, const FunnelSpec *b);

/*
 * Parse a mode text: a comma-separated list of mode names (spaces around
 * names are ignored, "default" adds nothing, an empty text is the default).
 * On an error, *bad and *bad_len point at the offending name.
 */
extern FunnelStatus funnel_parse_modes(const char *text, size_t len, uint32_t *modes,
									   const char **bad, size_t *bad_len);

/* ---- the dynamic programme -------------------------------------------------- */

/*
 * For each level k (1..nsteps): whether a chain at level k is alive, and the
 * latest start among such chains.  start[k - 1] is level k's start.
 */
typedef struct FunnelDP
{
	uint64_t	alive;			/* bit k: a chain at level k is alive */
	int32_t		best;			/* the highest level reached so far */
	int32_t		unused;
	int64_t		start[FUNNEL_MAX_STEPS];
} FunnelDP;

/* Bytes of a FunnelDP that a spec of nsteps uses (the rest of start[] is never read). */
static inline size_t
funnel_dp_size(int nsteps)
{
	return offsetof(FunnelDP, start) + sizeof(int64_t) * (size_t) nsteps;
}

extern void funnel_dp_init(FunnelDP *dp);
/* Feed one moment; moments must come in strictly increasing time. */
extern void funnel_dp_push(FunnelDP *dp, const FunnelSpec *spec, int64_t ts, uint32_t steps);


/* ---- the funnel_step state ------------------------------------------------- */

/* Memory for states, from the caller (palloc in the server): the engine's allocator. */
typedef EngAllocator FunnelAllocator;

#define FUNNEL_SORTED		0x01	/* events[] in increasing time, equal times merged */
#define FUNNEL_WIDE			0x02	/* events[] are EngPair (eng_time_key(ts), steps), not packed */
#define FUNNEL_SATURATED	0x04	/* the level is nsteps for good; no events kept */
#define FUNNEL_FOLDED		0x08	/* time order guaranteed: no events kept, folded into fold */
#define FUNNEL_FINALIZED	0x10	/* the level was asked for once (a second time: keep a fold) */

/* Packed events hold the steps in the low nsteps bits: up to this many steps. */
#define FUNNEL_PACKED_MAX_STEPS 16

/*
 * The programme over a prefix of the events, and the moment after it (which
 * may still gain steps from rows at the same time).  A FOLDED state folds
 * every row into one; a sorted state used as a window aggregate keeps one
 * (allocated by the first final call) so each later call only reads the new
 * rows.
 */
typedef struct FunnelFold
{
	uint32_t	upto;			/* events[0 .. upto) are in dp (not FOLDED) */
	uint32_t	pending_steps;	/* 0: no pending moment */
	int64_t		pending_ts;
	FunnelDP	dp;
} FunnelFold;

typedef struct FunnelState
{
	int64_t		window;
	uint8_t		nsteps;
	uint8_t		modes;
	uint16_t	flags;
	uint32_t	count;			/* events held */
	uint32_t	capacity;		/* events the allocation holds */
	uint32_t	sorted_upto;	/* events[0 .. sorted_upto) are sorted and merged */
	int64_t		base;			/* packing base: the first event's time */
	int64_t		last_ts;		/* the last event's time (count > 0): read with the header */
	FunnelFold *fold;			/* a window's fold, or NULL; a FOLDED state's is at funnel_state_events() */
	/* events follow */
} FunnelState;

#define FUNNEL_STATE_HEADER sizeof(FunnelState)

static inline void *
funnel_state_events(const FunnelState *s)
{
	return (char *) s + FUNNEL_STATE_HEADER;
}

static inline FunnelSpec
funnel_state_spec(const FunnelState *s)
{
	FunnelSpec	spec = {s->window, s->modes, s->nsteps};

	return spec;
}

extern size_t funnel_state_size(bool wide, uint32_t capacity);

/*
 * A new empty state, FOLDED when the caller guarantees rows in time order.
 * NULL when the allocator returns NULL.
 */
extern FunnelState *funnel_state_new(const FunnelSpec *spec, bool folded, const FunnelAllocator *a);
extern void funnel_state_free(FunnelState *s, const FunnelAllocator *a);

/*
 * Add one row (steps != 0, within the spec's steps).  May move the state
 * (returned through *s).
 */
extern FunnelStatus funnel_state_add(FunnelState **s, int64_t ts, uint32_t steps,
									 const FunnelAllocator *a);

/* Add every event of src to *dst (equal specs; neither FOLDED). */
extern FunnelStatus funnel_state_combine(FunnelState **dst, const FunnelState *src,
										 const FunnelAllocator *a);

/*
 * The level.  It may sort the events in place and remember how far it has
 * read them, which changes nothing the state means: more rows may be added
 * after it, as a window aggregate does.  The state does not move.
 */
extern FunnelStatus funnel_state_level(FunnelState *s, const FunnelAllocator *a, int *level);

/*
 * Serialized form, little-endian: u8 version (1), i64 window, u8 modes,
 * u8 nsteps, u8 flags (only FUNNEL_SATURATED travels), u32 count, then
 * count x (i64 ts, u32 steps).
 */
#define FUNNEL_SERIAL_VERSION 1
#define FUNNEL_SERIAL_HEADER (1 + 8 + 1 + 1 + 1 + 4)
#define FUNNEL_SERIAL_EVENT  12

extern size_t funnel_serial_size(const FunnelState *s);
extern void funnel_serialize(const FunnelState *s, uint8_t *out);
/* Decode and validate; *s is a new state.  FUNNEL_ERR_CORRUPT on bad bytes. */
extern FunnelStatus funnel_deserialize(const uint8_t *in, size_t len, FunnelState **s,
									   const FunnelAllocator *a);

/* ---- funnel_counts: groups at each level ---------------------------------------- */

/*
 * at_level[k] groups reached exactly level k; the funnel is its reverse
 * cumulative sum.  Stored as the funnel_counts state type: little-endian
 * u8 version (1), u8 nsteps, then nsteps + 1 i64 counts.
 */
typedef struct FunnelCounts
{
	int32_t		nsteps;			/* 1..32 */
	int64_t		at_level[FUNNEL_MAX_STEPS + 1];
} FunnelCounts;

#define FUNNEL_COUNTS_VERSION 1

extern size_t funnel_counts_wire_size(const FunnelCounts *c);
extern void funnel_counts_encode(const FunnelCounts *c, uint8_t *out);
extern FunnelStatus funnel_counts_decode(const uint8_t *in, size_t len, FunnelCounts *c);
/* Add src into dst; false on an overflow. */
extern bool funnel_counts_add(FunnelCounts *dst, const FunnelCounts *src);
/* reached[k - 1] = groups with level >= k, k = 1..nsteps; false on an overflow. */
extern bool funnel_counts_reached(const FunnelCounts *c, int64_t *reached);

/* ---- funnel_report: the whole funnel in one aggregate -------------------------- */

/*
 * funnel_report groups the rows by entity itself, with the engine's log of
 * (key, value) rows, written sequentially: no per-entity state is touched
 * while scanning.  The levels are computed at the end, entity by entity, from
 * each entity's rows in time order (eng_log_runs), and counted.  The rows:
 *   - entities of 8 bytes (integers): key = the entity, value = the row's time
 *     and steps packed as in a FunnelState, so the rows come sorted by time;
 *   - other entities: key = the entity's id in an EngTable, value packed;
 *   - "wide", when the steps or a time do not pack (more than 16 steps, or
 *     times further than 2^(63 - nsteps) us from the first row's): key = id
 *     << 32 | steps, value = the time (as an unsigned with the sign bit
 *     flipped), and each entity's rows are sorted by time at the end.
 *
 * Streaming: when PostgreSQL hands the rows ordered by (entity, ts) (ORDER BY
 * inside the call), each entity is folded as its rows arrive and counted when
 * the next entity starts: constant memory, whatever the number of rows.
 */
typedef struct FunnelReport
{
	FunnelSpec	spec;
	EngMemory  *memory;			/* shared by the reports of one aggregate, or not */
	EngTable	entities;		/* made when the first key needs an id */
	bool		has_table;
	EngLog		log;
	int64_t		base;			/* packing base: the first row's time */
	bool		has_rows;		/* base and the layout are set */
	bool		by_value;		/* the log's keys are the 8-byte entities themselves */
	bool		wide;
	bool		streaming;
	FunnelCounts counts;		/* entities finished so far (streaming) */
	/* streaming: the current entity */
	uint8_t    *key;
	uint32_t	key_len;
	uint32_t	key_capacity;
	bool		has_key;
	FunnelFold	fold;
} FunnelReport;

/* Allocations count against memory (its limit is the caller's); FUNNEL_ERR_MEMORY beyond it. */
extern FunnelStatus funnel_report_init(FunnelReport *r, const FunnelSpec *spec, bool streaming,
									   EngMemory *memory);
extern void funnel_report_free(FunnelReport *r);

/* One matching row of the entity with canonical key bytes (eng_key_hash hashes them). */
extern FunnelStatus funnel_report_add(FunnelReport *r, const uint8_t *key, uint32_t key_len,
									  int64_t ts, uint32_t steps);

/* Add every row of src (same spec, neither streaming). */
extern FunnelStatus funnel_report_combine(FunnelReport *r, const FunnelReport *src);

/*
 * The number of entities at each level (an entity with no matching row is not
 * seen); *any is false when no entity was seen at all (the result is NULL then).
 */
extern FunnelStatus funnel_report_counts(FunnelReport *r, FunnelCounts *out, bool *any);

/*
 * Serialized form (parallel workers), little-endian: u8 version (1), i64
 * window, u8 modes, u8 nsteps, u8 layout (0 no rows, 1 by value, 2 by id,
 * 3 wide), i64 base, the entity table (eng_table_encode) unless by value,
 * the log (eng_log_encode).
 */
#define FUNNEL_REPORT_VERSION 1
extern size_t funnel_report_serial_size(const FunnelReport *r);
extern void funnel_report_serialize(const FunnelReport *r, uint8_t *out);
/* A new report r from serialized bytes; FUNNEL_ERR_CORRUPT on bad bytes. */
extern FunnelStatus funnel_report_deserialize(FunnelReport *r, const uint8_t *in, size_t len,
											  EngMemory *memory);

#endif							/* B2B_FUNNEL_H */
