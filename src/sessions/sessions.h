/*
 * sessions.h
 *		Sessions of one visitor (pure C, no PostgreSQL headers): the events a
 *		sessions_agg group saw, split into sessions after more than `gap` of
 *		inactivity, and what web analytics reads from them (bounces, time on
 *		page, entry and exit pages); and the seasonal robust-z detector of
 *		traffic anomalies.  Unit-tested in test/unit/sessions_test.c, the
 *		decoder fuzzed in test/fuzz/sessions_fuzz.c.
 *
 * A visitor's state keeps every event as (time, page id) and its distinct
 * pages once: sessions and time on page depend on the order of all events, so
 * partial states (parallel workers, rollups) can only be combined exactly by
 * merging their events.  The number of events per state is capped
 * (SESS_MAX_EVENTS, 54000 beyond it).
 *
 * Wire form (the `sessions` type's binary form, its text form in hex, and the
 * serialized aggregate state), little-endian:
 *   u8  version (SESS_VERSION)
 *   i64 gap in microseconds (> 0)
 *   u32 npages, then per page u32 length and its bytes, pages in strictly
 *       increasing byte order (so distinct), each used by some event
 *   u32 nevents, then per event i64 time (finite) and u32 page index
 *       (SESS_NO_PAGE for an event that is not a page view), in event order
 * Event order: by time, then events without a page first, then by page bytes.
 * That is the order in which equal timestamps are read (documented).
 */
#ifndef B2B_SESSIONS_H
#define B2B_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

#define SESS_VERSION		1
#define SESS_NO_PAGE		UINT32_MAX
#define SESS_MAX_EVENTS		(1u << 20)	/* 1,048,576 events per visitor (16 MB) */
#define SESS_MAX_PAGE_BYTES	(1u << 26)	/* 64 MB of distinct page text per visitor */
/*
 * PostgreSQL's finite timestamps, [4714-11-24 BC, 294277 AD): decoded events
 * must lie in it.  Two of them differ by less than 2^64 microseconds, so
 * durations are unsigned; beyond INT64_MAX they are no interval (the glue says so).
 */
#define SESS_MIN_TS			INT64_C(-211813488000000000)
#define SESS_END_TS			INT64_C(9223371331200000000)
#define SESS_DEFAULT_GAP_USEC	(INT64_C(30) * 60 * 1000000)	/* 30 minutes */
/* GA4's engaged session: at least 10 seconds, or at least 2 page views. */
#define SESS_ENGAGED_USEC	INT64_C(10000000)

typedef enum SessStatus
{
	SESS_OK = 0,
	SESS_ERR_MEMORY,			/* beyond the memory limit (53200) */
	SESS_ERR_TOO_MANY,			/* more events or page bytes than a state holds (54000) */
	SESS_ERR_GAP_CHANGED,		/* a different gap within a group or between states (22023) */
	SESS_ERR_CORRUPT			/* bytes fail validation (22P03) */
} SessStatus;

typedef struct SessEvent
{
	int64_t		ts;
	uint32_t	page;			/* index into the pages, or SESS_NO_PAGE */
	uint32_t	pad;
} SessEvent;

/* The state sessions_agg builds: events in arrival order, pages by a hash. */
typedef struct SessBuilder
{
	EngMemory  *memory;
	int64_t		gap;			/* 0 until the first row */
	SessEvent  *events;
	uint32_t	nevents;
	uint32_t	events_cap;
	uint8_t    *bytes;			/* the distinct pages' bytes, one after another */
	size_t		bytes_used;
	size_t		bytes_cap;
	uint32_t   *page_off;		/* page i is bytes[page_off[i] .. + page_len[i]] */
	uint32_t   *page_len;
	uint32_t	npages;
	uint32_t	pages_cap;
	uint32_t   *index;			/* open addressing: page id + 1, 0 empty */
	uint32_t	index_mask;
} SessBuilder;

extern void sess_builder_init(SessBuilder *b, EngMemory *memory);
extern void sess_builder_free(SessBuilder *b);
/* Fix the gap (> 0): the first call sets it, later ones must agree. */
extern SessStatus sess_builder_gap(SessBuilder *b, int64_t gap);
/* An event; page NULL for one that is not a page view. */
extern SessStatus sess_builder_add(SessBuilder *b, int64_t ts, const uint8_t *page, uint32_t len);
/* Add every event of src (its gap must agree, or src must be empty). */
extern SessStatus sess_builder_merge(SessBuilder *b, const SessBuilder *src);

/* The canonical wire form (sorts the events and renumbers the pages in place). */
extern SessStatus sess_builder_wire_size(SessBuilder *b, size_t *size);
extern void sess_builder_encode(const SessBuilder *b, uint8_t *out);
/* Validate wire bytes completely and add their events to b (SESS_ERR_CORRUPT when bad). */
extern SessStatus sess_builder_decode(SessBuilder *b, const uint8_t *in, size_t len);

/* A validated wire form read in place: pages and events point into the bytes. */
typedef struct SessView
{
	int64_t		gap;
	uint32_t	npages;
	uint32_t	nevents;
	const uint8_t *pages;		/* the page records */
	const uint8_t *events;		/* nevents x 12 bytes */
} SessView;

/* Validate; on success v reads the bytes (which must outlive it). */
extern SessStatus sess_view(const uint8_t *in, size_t len, SessView *v);

static inline int64_t
sess_event_ts(const SessView *v, uint32_t i)
{
	const uint8_t *p = v->events + (size_t) i * 12;

	return (int64_t) ((uint64_t) p[0] | (uint64_t) p[1] << 8 | (uint64_t) p[2] << 16 |
					  (uint64_t) p[3] << 24 | (uint64_t) p[4] << 32 | (uint64_t) p[5] << 40 |
					  (uint64_t) p[6] << 48 | (uint64_t) p[7] << 56);
}

static inline uint32_t
sess_event_page(const SessView *v, uint32_t i)
{
	const uint8_t *p = v->events + (size_t) i * 12 + 8;

	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* Page records in order: call with *at = v->pages, npages times. */
extern const uint8_t *sess_next_page(const uint8_t **at, uint32_t *len);

/* One session: events first .. first + events - 1 of the view. */
typedef struct SessSession
{
	uint32_t	first;
	uint32_t	events;
	uint32_t	pageviews;
	int64_t		started;
	int64_t		ended;
	uint32_t	entry_page;		/* first page view's page, or SESS_NO_PAGE */
	uint32_t	exit_page;		/* last page view's page, or SESS_NO_PAGE */
	bool		is_bounce;		/* exactly one event, and it is a page view */
	bool		is_engaged;		/* GA4: >= 10 s long, or >= 2 page views */
} SessSession;

/*
 * The session that starts at event *next (0 for the first); *next moves past
 * it.  False when there is none left.  A session continues while the next
 * event comes at most gap after the previous one: a pause of exactly gap
 * does not split.
 */
extern bool sess_next_session(const SessView *v, uint32_t *next, SessSession *s);

typedef struct SessTotals
{
	int64_t		sessions;
	int64_t		bounces;
	int64_t		engaged;
	uint64_t	duration;		/* sum of session durations, microseconds */
	int64_t		events;
	int64_t		pageviews;
} SessTotals;

extern void sess_totals(const SessView *v, SessTotals *t);

/* Per page (indexed like the view's pages): see page_stats in docs/sessions.md. */
typedef struct SessPageStat
{
	int64_t		views;
	int64_t		entries;
	int64_t		exits;
	int64_t		bounces;
	uint64_t	time_total;		/* microseconds */
	int64_t		timed_views;
} SessPageStat;

/* out has v->npages elements, zeroed by the caller. */
extern void sess_page_stats(const SessView *v, SessPageStat *out);

/* ---- suspicious sessions ------------------------------------------------------------------ */

#define SESS_BOT_MAX_EVENTS		100		/* more events in one session: suspicious */
#define SESS_BOT_MAX_PER_MINUTE	60		/* more events in any 60 seconds: suspicious */
#define SESS_BOT_MIN_VIEWS		5		/* with at least this many page views, ... */
/* ... at least half of them shorter than a second: suspicious */
#define SESS_SUBSECOND_USEC		INT64_C(1000000)

typedef struct SessQuality
{
	uint32_t	peak_per_minute;	/* most events in any 60-second span [t, t + 60 s) */
	uint32_t	subsecond_views;	/* page views whose next event came less than 1 s later */
	bool		suspicious;
} SessQuality;

extern void sess_session_quality(const SessView *v, const SessSession *s, SessQuality *q);

/* ---- paths ------------------------------------------------------------------------------ */

#define SESS_MAX_PATH_STEPS	1000

/* A page-to-page transition at a step of the sessions' paths, and how often it happened. */
typedef struct SessEdge
{
	uint32_t	step;			/* 1: from the path's first page view to its second */
	uint32_t	from_page;
	uint32_t	to_page;
	uint64_t	transitions;
} SessEdge;

/*
 * The transitions between consecutive page views of each session (events
 * without a page are not on a path), steps 1 .. max_steps, distinct by (step,
 * from, to) in that order; returns how many.  With start_page (not
 * SESS_NO_PAGE) a session's path starts at its first view of that page, and a
 * session without one has none.  scratch and out have room for v->nevents.
 */
extern uint32_t sess_path_edges(const SessView *v, int max_steps, uint32_t start_page,
								EngPair *scratch, const EngAllocator *check, SessEdge *out);

/* ---- traffic anomalies ------------------------------------------------------------ */

#define SESS_ANOMALY_MAX_WEEKS	520
#define SESS_MAD_SCALE			0.6745		/* Iglewicz and Hoaglin's modified z */
#define SESS_MEANAD_SCALE		0.7978845608028654	/* sqrt(2/pi): the fallback when MAD = 0 */

typedef struct SessAnomaly
{
	bool		scored;			/* false: not enough history (expected, score NULL) */
	double		expected;		/* median of the same weekday over the trailing weeks */
	double		score;			/* robust z; +-infinity when history is flat and x differs */
	bool		is_anomaly;		/* |score| > threshold */
} SessAnomaly;

/*
 * days (day numbers, strictly increasing: the caller sorts and refuses
 * duplicates) and values (has_value[i] false: missing, never scored nor used
 * as history).  Day d is scored when every one of d - 7, d - 14, ...,
 * d - 7 * weeks has a value.  scratch holds 2 * weeks doubles.
 */
extern void sess_anomalies(const int32_t *days, const double *values, const bool *has_value,
						   uint32_t n, int weeks, double threshold, double *scratch,
						   SessAnomaly *out);

#endif							/* B2B_SESSIONS_H */
