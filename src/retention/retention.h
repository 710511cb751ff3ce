/*
 * retention.h
 *		Pure C core of the retention family: activity sets of calendar
 *		periods, ClickHouse's retention(), cohort retention, stickiness and
 *		lifecycle.  No PostgreSQL headers: test/unit/retention_test.c links
 *		this core alone and checks it against brute-force references.
 *
 * Days are numbered as PostgreSQL's date is (0 = 2000-01-01, the local
 * calendar date in the session time zone; the glue turns a timestamptz into
 * one).  A period is a day, an ISO week (Monday to Sunday) or a calendar month,
 * numbered from the one containing 2000-01-01 (for weeks, the Monday
 * 2000-01-03 starts week 0), exactly as date_trunc groups them.
 *
 * An activity is a set of periods of one grain: a bitmap relative to its first
 * period (bit i is period first + i), whose first and last bits are set, so
 * every set has one representation and equal sets have equal bytes.
 *
 * Wire form of an activity (little-endian, what send/recv, bytea casts and
 * the text form "activity:<hex>" carry):
 *		version (1 byte, 1), grain (1 byte: 1 day, 2 week, 3 month),
 *		first period (int32), span (uint32, last - first + 1, >= 1),
 *		ceil(span / 8) bytes of bitmap (bit i of byte j is period first + 8j + i),
 *		bits from span on zero.
 *
 * Counts (retention_counts) are the states of the whole-population
 * aggregates: a table of non-negative int64 cells, nrows x ncols, whose rows
 * are consecutive periods from first:
 *		cohort retention: a row per cohort (its start period); column 0 the
 *			cohort's size, column 1 + k the entities retained at offset k (0..n);
 *		lifecycle: a row per period of the range; columns new, returning,
 *			resurrecting, dormant;
 *		stickiness: one row (the window starting at first); column k - 1 the
 *			entities active in exactly k of its n periods.
 * Wire form: version (1), kind (1 byte), grain (1 byte), option (1 byte: the
 * criterion and cohort mode of cohort retention, else 0), first (int32),
 * nrows (uint32), ncols (uint32), nrows x ncols cells (int64, each >= 0).
 */
#ifndef B2B_RETENTION_H
#define B2B_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

typedef enum RetStatus
{
	RET_OK = 0,
	RET_ERR_GRAIN,				/* not a grain name */
	RET_ERR_CRITERION,			/* not a criterion name */
	RET_ERR_COHORTS,			/* not a cohort mode name */
	RET_ERR_GRAIN_MISMATCH,		/* activities of different grains */
	RET_ERR_PARAMS_MISMATCH,	/* counts of different kinds or parameters */
	RET_ERR_SPAN,				/* an activity or a table beyond the built-in limit */
	RET_ERR_PERIODS,			/* n out of 1..RET_MAX_PERIODS */
	RET_ERR_RANGE,				/* a period outside the timestamp range */
	RET_ERR_OVERFLOW,			/* a count beyond int64 */
	RET_ERR_CONDITIONS,			/* retention() conditions: none, or a different number */
	RET_ERR_TOO_MANY_CONDITIONS,	/* more than RET_MAX_CONDITIONS */
	RET_ERR_MEMORY,				/* beyond the memory limit (retention_report) */
	RET_ERR_TOO_MANY_ENTITIES	/* more entities than the engine holds */
} RetStatus;

typedef enum RetGrain
{
	RET_DAY = 1,
	RET_WEEK = 2,
	RET_MONTH = 3
} RetGrain;

#define RET_GRAIN_NAMES "day, week, month"
#define RET_CRITERION_NAMES "on, on_or_after"
#define RET_COHORTS_NAMES "first, recurring"

/* The cohort option byte: the criterion in bit 0, the cohort mode in bit 1. */
#define RET_ON_OR_AFTER		0x1u
#define RET_RECURRING		0x2u
#define RET_COHORT_OPTIONS	0x3u

#define RET_ACTIVITY_VERSION 1
#define RET_COUNTS_VERSION 1

/* An activity's span (periods from first to last) at most: 2^24 days is 45,000 years. */
#define RET_MAX_SPAN		(UINT32_C(1) << 24)
/* n (offsets, a lifecycle range or a stickiness window) at most. */
#define RET_MAX_PERIODS		10000
/* Cells of a counts table at most (32 MB). */
#define RET_MAX_CELLS		(UINT32_C(1) << 22)
#define RET_MAX_CONDITIONS	64

/* The days of timestamptz: 4714-11-24 BC to 294276-12-31 (PostgreSQL's range). */
#define RET_DAY_MIN			(-2451545)
#define RET_DAY_MAX			106751982

RetStatus	ret_grain_parse(const char *name, size_t len, RetGrain *grain);
RetStatus	ret_criterion_parse(const char *name, size_t len, uint8_t *option);
RetStatus	ret_cohorts_parse(const char *name, size_t len, uint8_t *option);
const char *ret_grain_name(RetGrain grain);

/* ---- calendar -------------------------------------------------------------- */

/* Day number (0 = 2000-01-01) of a proleptic Gregorian date (year 0 = 1 BC). */
int64_t		ret_day_from_civil(int64_t year, int month, int day);
void		ret_civil_from_day(int64_t day, int64_t *year, int *month, int *mday);

/* The period containing a day, and the first day of a period. */
int32_t		ret_period_of_day(RetGrain grain, int32_t day);
int64_t		ret_period_start_day(RetGrain grain, int32_t period);

/* True when a period lies (at least partly) within the timestamp range. */
bool		ret_period_valid(RetGrain grain, int64_t period);

/* ---- activity ---------------------------------------------------------------- */

/* An activity in memory: its words live wherever the caller put them. */
typedef struct RetActivity
{
	RetGrain	grain;
	int32_t		first;
	uint32_t	span;			/* >= 1 */
	uint64_t   *words;			/* ret_activity_words(span) words, bits from span on zero */
} RetActivity;

static inline uint32_t
ret_activity_words(uint32_t span)
{
	return (span + 63) / 64;
}

static inline int32_t
ret_activity_last(const RetActivity *a)
{
	return (int32_t) ((int64_t) a->first + a->span - 1);
}

static inline bool
ret_activity_has(const RetActivity *a, int64_t period)
{
	int64_t		i = period - a->first;

	return i >= 0 && i < a->span && (a->words[i >> 6] >> (i & 63) & 1);
}

/*
 * The span an activity needs to hold period too (*first, *span), or
 * RET_ERR_SPAN.  The caller gives it room for ret_activity_words(*span) words,
 * then ret_activity_rebase() moves the bits there.
 */
RetStatus	ret_activity_extent(const RetActivity *a, int32_t period, int32_t *first, uint32_t *span);
RetStatus	ret_activity_union_extent(const RetActivity *a, const RetActivity *b,
									  int32_t *first, uint32_t *span);

/*
 * Move the bits of a to a new first and span that contain the old ones; a's
 * words must have room for the new span.  Works in place.
 */
void		ret_activity_rebase(RetActivity *a, int32_t first, uint32_t span);

/* Add one period (a's words have room for its extent: see ret_activity_extent). */
void		ret_activity_set(RetActivity *a, int32_t period);
/* into |= from; into already spans both (ret_activity_union_extent, rebase). */
void		ret_activity_or(RetActivity *into, const RetActivity *from);

/* Active periods in [from, to] (all when from <= first and to >= last). */
int64_t		ret_activity_count(const RetActivity *a, int64_t from, int64_t to);
/* The longest run of consecutive active periods. */
uint32_t	ret_activity_longest_streak(const RetActivity *a);
/* The run of consecutive active periods ending at period (0 when it is inactive). */
uint32_t	ret_activity_streak_ending(const RetActivity *a, int64_t period);
/*
 * Runs one by one: *pos starts at 0; each call returns true with the next run
 * (its first period, its length) until there are none.
 */
bool		ret_activity_next_run(const RetActivity *a, uint32_t *pos, int32_t *start, uint32_t *length);
/* The first active period >= period, or false when there is none. */
bool		ret_activity_next_active(const RetActivity *a, int64_t period, int64_t *found);

size_t		ret_activity_wire_size(uint32_t span);
void		ret_activity_encode(const RetActivity *a, uint8_t *out);
/*
 * Validate a wire form: NULL when sound (with its grain, first and span in
 * *head, head->words unset), else why not.  Then ret_activity_decode_bits()
 * fills ret_activity_words(span) words.
 */
const char *ret_activity_decode(const uint8_t *in, size_t len, RetActivity *head);
void		ret_activity_decode_bits(const uint8_t *in, RetActivity *a);

/* ---- retention(): ClickHouse's, up to 64 conditions ------------------------ */

/* conds[i] true when the row matched condition i + 1. */
static inline uint64_t
ret_conditions_mask(const bool *conds, int n)
{
	uint64_t	mask = 0;

	for (int i = 0; i < n; i++)
		mask |= (uint64_t) conds[i] << i;
	return mask;
}

/* r[0] = condition 1 seen; r[k] = conditions 1 and k + 1 seen. */
void		ret_retention_result(uint64_t seen, int n, int32_t *r);

#define RET_CONDITIONS_STATE_SIZE 10
void		ret_conditions_encode(uint8_t nconds, uint64_t seen, uint8_t *out);
const char *ret_conditions_decode(const uint8_t *in, size_t len, uint8_t *nconds, uint64_t *seen);

/*
 * retention_report(entity, VARIADIC conds): retention() of every entity of a
 * group, summed, in one aggregate.  The entities are an engine table (dense
 * ids); each has the mask of the conditions its rows matched, 8 bytes, so the
 * state is the table and masks[count].  Rows that match no condition change
 * nothing and are not looked up.
 *
 * Serialized (for parallel plans): version (1), nconds (1 byte), the engine
 * table's encoding, then one uint64 mask per encoded entity (no bit at or
 * beyond nconds).
 */
typedef struct RetReport
{
	EngMemory  *memory;
	uint8_t		nconds;
	bool		has_table;
	EngTable	entities;
	uint64_t   *masks;			/* masks[id] */
	uint32_t	masks_capacity;
} RetReport;

void		ret_report_init(RetReport *r, uint8_t nconds, EngMemory *memory);
void		ret_report_free(RetReport *r);
RetStatus	ret_report_add(RetReport *r, const uint8_t *key, uint32_t len, uint64_t mask);
/* r gains src's entities (src's nconds must be r's). */
RetStatus	ret_report_combine(RetReport *r, const RetReport *src);
/* sums[k] = entities whose retention() element k + 1 is 1. */
void		ret_report_sums(const RetReport *r, int64_t *sums);
size_t		ret_report_serial_size(const RetReport *r);
void		ret_report_serialize(const RetReport *r, uint8_t *out);
/* A new report in *r from untrusted bytes: RET_OK, or RET_ERR_CONDITIONS / RET_ERR_MEMORY / ... */
RetStatus	ret_report_deserialize(RetReport *r, const uint8_t *in, size_t len, EngMemory *memory);

/* ---- counts: cohort retention, lifecycle, stickiness ---------------------- */

typedef enum RetKind
{
	RET_COHORT = 1,
	RET_LIFECYCLE = 2,
	RET_STICKINESS = 3
} RetKind;

typedef struct RetCounts
{
	RetKind		kind;
	RetGrain	grain;
	uint8_t		option;			/* RET_ON_OR_AFTER | RET_RECURRING for cohorts */
	int32_t		first;
	uint32_t	nrows;
	uint32_t	ncols;
	int64_t    *cells;			/* nrows x ncols, row-major */
} RetCounts;

#define RET_LIFECYCLE_COLUMNS 4
enum
{
	RET_NEW = 0, RET_RETURNING = 1, RET_RESURRECTING = 2, RET_DORMANT = 3
};

static inline int64_t *
ret_counts_row(const RetCounts *c, uint32_t row)
{
	return c->cells + (size_t) row * c->ncols;
}

/* The columns of a kind with parameter n (offsets 0..n, periods, window). */
uint32_t	ret_counts_columns(RetKind kind, uint32_t n);
/* The n of a table (from its columns). */
uint32_t	ret_counts_n(const RetCounts *c);
/* Check a table's shape: n, the number of cells, the periods it covers. */
RetStatus	ret_counts_check_shape(RetKind kind, RetGrain grain, int64_t first, uint32_t nrows, uint32_t n);

/* Same kind, grain, option, columns, and for fixed ranges the same first and rows. */
bool		ret_counts_compatible(const RetCounts *a, const RetCounts *b);

/*
 * The rows a cohort table needs to also hold the cohorts of [lo, hi]
 * (*first, *nrows), or RET_ERR_SPAN; ret_counts_rebase() moves the rows
 * (the cells must have room; new rows are zero).
 */
RetStatus	ret_counts_cohort_extent(const RetCounts *c, int32_t lo, int32_t hi,
									 int32_t *first, uint32_t *nrows);
void		ret_counts_rebase(RetCounts *c, int32_t first, uint32_t nrows);

/*
 * Add one entity.  Cohorts: its start and return activities (return may be
 * NULL: never retained); the table already spans the cohorts of start (its
 * first period, or all its periods when recurring).  Lifecycle and
 * stickiness: its activity, within the table's fixed range.
 */
RetStatus	ret_cohort_add(RetCounts *c, const RetActivity *start, const RetActivity *ret);
RetStatus	ret_lifecycle_add(RetCounts *c, const RetActivity *a);
RetStatus	ret_stickiness_add(RetCounts *c, const RetActivity *a);

/* into += from, cell by cell; into spans from's rows (compatible tables). */
RetStatus	ret_counts_add(RetCounts *into, const RetCounts *from);

size_t		ret_counts_wire_size(uint32_t nrows, uint32_t ncols);
void		ret_counts_encode(const RetCounts *c, uint8_t *out);
/* Validate a wire form (NULL or why not), then copy the cells out. */
const char *ret_counts_decode(const uint8_t *in, size_t len, RetCounts *head);
void		ret_counts_decode_cells(const uint8_t *in, RetCounts *c);

#endif							/* B2B_RETENTION_H */
