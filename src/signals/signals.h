/*
 * signals.h
 *		The signals family's pure core: what predicts churn and conversion.
 *		No PostgreSQL headers; unit-tested in test/unit/signals_test.c and
 *		fuzzed in test/fuzz/signals_fuzz.c.
 *
 *   score_auc      the exact ROC AUC (Mann-Whitney U) of scores against a
 *                  boolean outcome: the distinct scores with their positive and
 *                  negative counts, sorted and merged, so a state grows with the
 *                  number of distinct scores (at most 10,001 for health scores),
 *                  not with rows.
 *   counters       per name (an action, an event type) a few 64-bit counters,
 *                  names kept in the engine's EngTable: the state of
 *                  action_lift and churn_signals.
 *   engagement     account_engagement: exact distinct users, features and
 *                  active days of an account in two windows.
 *   statistics     the formulas of lift, its confidence interval, the
 *                  two-proportion test, and the drop ratios.
 *
 * Binary forms (serialized aggregate states) are little-endian with a version
 * byte first, validated completely by the decoders below.
 */
#ifndef B2B_SIGNALS_H
#define B2B_SIGNALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

typedef enum SigStatus
{
	SIG_OK = 0,
	SIG_ERR_MEMORY,				/* beyond the memory limit (53200) */
	SIG_ERR_TOO_MANY,			/* a count beyond 2^62, or too many names (54000) */
	SIG_ERR_CORRUPT				/* encoded bytes fail validation (22P03) */
} SigStatus;

/* ---- score_auc ---------------------------------------------------------------- */

typedef struct SigAucPoint
{
	double		score;
	uint64_t	pos;			/* rows with this score and outcome true */
	uint64_t	neg;			/* ... and false */
} SigAucPoint;

#define SIG_AUC_VERSION 1
#define SIG_MAX_COUNT	(UINT64_C(1) << 62)

/*
 * Scores are ordered as PostgreSQL orders float8: -0 equals 0, NaN equals NaN
 * and is greater than every other value (infinity included).
 */
extern int	sig_score_cmp(double a, double b);

/*
 * Sort p[0..n) by score and merge equal scores; returns the new n.  The prefix
 * p[0..sorted) is already sorted and merged (0 when unknown).
 */
extern size_t sig_auc_compact(SigAucPoint *p, size_t n, size_t sorted);

/* Merge two sorted, merged arrays into out (room for na + nb); returns its length. */
extern size_t sig_auc_merge(const SigAucPoint *a, size_t na, const SigAucPoint *b, size_t nb,
							SigAucPoint *out);

typedef struct SigAucResult
{
	uint64_t	positives;
	uint64_t	negatives;
	/* twice the Mann-Whitney U of the positives: 2 x (pairs ranked right) + (tied pairs) */
	unsigned __int128 twice_u;
} SigAucResult;

/* The counts of a sorted, merged array; false when no pair exists (AUC undefined). */
extern bool sig_auc_result(const SigAucPoint *p, size_t n, SigAucResult *r);
/* twice_u / (2 x positives x negatives), each side exact before one rounding division. */
extern double sig_auc_value(const SigAucResult *r);

/* Encoding: u8 version, u64 n, then n x (u64 score bits, u64 pos, u64 neg). */
extern size_t sig_auc_encoded_size(size_t n);
extern void sig_auc_encode(const SigAucPoint *p, size_t n, uint8_t *out);
/* The number of points the bytes hold, or NULL and why they are not a valid state. */
extern const char *sig_auc_decode_count(const uint8_t *in, size_t len, size_t *n);
/* Decode into p (room for the count); validates sorted, merged, non-empty points and totals. */
extern const char *sig_auc_decode(const uint8_t *in, size_t len, SigAucPoint *p);

/* ---- counters per name -------------------------------------------------------- */

#define SIG_MAX_COLS	4
#define SIG_MAX_NAMES	100000
#define SIG_COUNTS_VERSION 1

typedef enum SigCountsKind
{
	SIG_KIND_LIFT = 1,			/* cols: users who did, of whom converted; totals: users, converted */
	SIG_KIND_CHURN = 2			/* cols: churned recent, churned baseline, retained recent, retained baseline */
} SigCountsKind;

typedef struct SigCounts
{
	EngMemory  *memory;
	EngTable	names;
	uint8_t		kind;
	uint32_t	ncols;
	/* lift: min_support; churn: recent and baseline (microseconds), top k (0: none) */
	int64_t		params[3];
	uint64_t	totals[SIG_MAX_COLS];
	uint64_t   *counts;			/* names.count x ncols */
	uint64_t   *last_row;		/* per name, the row that counted it last (not encoded) */
	uint32_t	capacity;		/* names the arrays have room for */
	uint64_t	rows;			/* rows seen, for last_row */
} SigCounts;

extern uint32_t sig_kind_cols(uint8_t kind);
extern SigStatus sig_counts_init(SigCounts *c, EngMemory *memory, uint8_t kind);
extern void sig_counts_free(SigCounts *c);
/* The counters of a name, adding it with zeros if new. */
extern SigStatus sig_counts_row(SigCounts *c, const uint8_t *name, uint32_t len, uint64_t **row,
								uint32_t *id);
/* Do the parameters of a state make sense (also those decoded from untrusted bytes)? */
extern bool sig_params_valid(uint8_t kind, const int64_t params[3]);
/* Add b's counts into a (same kind; the caller compares the parameters). */
extern SigStatus sig_counts_merge(SigCounts *a, const SigCounts *b);

/* action_lift: one user's row: each distinct name in names counts once. */
extern SigStatus sig_lift_add_user(SigCounts *c, const uint8_t *const *names, const uint32_t *lens,
								   int n, bool converted);

/*
 * Encoding: u8 version, u8 kind, params (3 x i64), totals (ncols x u64), the EngTable encoding
 * of the names (distinct), then names x ncols u64 counts.
 */
extern size_t sig_counts_encoded_size(const SigCounts *c);
extern void sig_counts_encode(const SigCounts *c, uint8_t *out);
/* Decode into c, freshly initialised with the kind the bytes must have. */
extern const char *sig_counts_decode(SigCounts *c, const uint8_t *in, size_t len);

/* ---- statistics ------------------------------------------------------------------ */

/* The two-sided 95 % normal quantile. */
#define SIG_Z95 1.959963984540054

typedef struct SigLiftRow
{
	uint64_t	users_did, converted_did, users_not, converted_not;
	double		rate_did, rate_not;		/* NaN when no users (the glue gives NULL) */
	double		lift, lift_low, lift_high;	/* rate_did / rate_not and its 95 % interval */
	double		p_value;		/* two-proportion z test, pooled, two-sided */
	bool		has_rate_did, has_rate_not, has_lift, has_interval, has_p;
} SigLiftRow;

/* The row of one action from its counters and the totals. */
extern void sig_lift_row(uint64_t users_did, uint64_t converted_did, uint64_t users, uint64_t converted,
						 SigLiftRow *out);

/* Order for action_lift: highest lift first (no lift last), then more users; 0 leaves it to the name. */
extern int	sig_lift_order(const SigLiftRow *a, const SigLiftRow *b);

/*
 * Two-proportion z test of x1/n1 against x2/n2 with the pooled proportion:
 * z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)); false when undefined (an
 * empty group, or p 0 or 1).
 */
extern bool sig_two_proportion(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double *z, double *p_value);

typedef struct SigChurnRow
{
	uint64_t	churned_recent, churned_baseline, retained_recent, retained_baseline;
	/* (recent per unit of time) / (baseline per unit of time) */
	double		churned_ratio, retained_ratio, difference;
	double		z, p_value;		/* recent share of the churned vs of the retained */
	bool		has_churned_ratio, has_retained_ratio, has_difference, has_test;
} SigChurnRow;

/* recent_len and baseline_len: the windows' lengths in any one unit. */
extern void sig_churn_row(const uint64_t counts[4], int64_t recent_len, int64_t baseline_len, SigChurnRow *out);

/* Order for churn_signals: smaller p first, no test last, then by name. */
extern int	sig_churn_order(const SigChurnRow *a, const SigChurnRow *b);

/* ---- account_engagement: breadth and depth of use over a window ------------------------- */

/*
 * The rows of one account (or company) in two windows ending at as_of:
 * current = (as_of - window, as_of], previous = (as_of - 2 window, as_of - window].
 * Distinct users, features and active days are exact: sets of keys, each key
 * tagged with its window (one byte, 0 current, 1 previous) so one EngTable holds
 * both windows.  An active day is a 24-hour slice counted back from as_of.
 */
typedef enum SigSet
{
	SIG_SET_USERS = 0,
	SIG_SET_FEATURES = 1,
	SIG_SET_DAYS = 2,
	SIG_NSETS = 3
} SigSet;

#define SIG_ENGAGE_VERSION 1
#define SIG_DAY_US INT64_C(86400000000)

/*
 * A set of tagged keys as records [u8 window][u32 length][key bytes] in one
 * buffer, appended as rows come and sorted and deduplicated when the buffer
 * fills (and before it is read or encoded): a group costs the bytes of its
 * distinct keys, not a hash table.
 */
typedef struct SigKeySet
{
	uint8_t    *buf;
	size_t		len;
	size_t		cap;
	size_t		compact_len;	/* buf[0 .. compact_len) is sorted and distinct */
	uint64_t	distinct[2];	/* per window, of the compacted prefix */
} SigKeySet;

typedef struct SigEngage
{
	EngMemory  *memory;
	int64_t		as_of;
	int64_t		window_us;
	uint64_t	events[2];
	SigKeySet	sets[SIG_NSETS];
} SigEngage;

typedef struct SigEngageRow
{
	uint64_t	users[2], features[2], active_days[2], events[2];
	double		users_trend, events_trend;	/* current / previous */
	bool		has_users_trend, has_events_trend;
} SigEngageRow;

extern SigStatus sig_engage_init(SigEngage *e, EngMemory *memory, int64_t as_of, int64_t window_us);
extern void sig_engage_free(SigEngage *e);
/* Which window ts falls in: 0 current, 1 previous, -1 neither. */
extern int	sig_engage_window(const SigEngage *e, int64_t ts);
/* One row: its user (has_user false: none), its feature (NULL: none), its time. */
extern SigStatus sig_engage_add(SigEngage *e, int64_t ts, bool has_user, int64_t user,
								const uint8_t *feature, uint32_t feature_len);
/* Add b into a (same as_of and window, checked by the caller). */
extern SigStatus sig_engage_merge(SigEngage *a, const SigEngage *b);
/* Sort and deduplicate every set (before reading or encoding). */
extern SigStatus sig_engage_compact(SigEngage *e);
extern void sig_engage_row(const SigEngage *e, SigEngageRow *out);
/* Encoding (of a compacted state): u8 version, i64 as_of, i64 window, 2 x u64 events,
 * then per set u64 length and its records, sorted and distinct. */
extern size_t sig_engage_encoded_size(const SigEngage *e);
extern void sig_engage_encode(const SigEngage *e, uint8_t *out);
/* Decode into e, freshly initialised (its as_of and window are replaced by the bytes'). */
extern const char *sig_engage_decode(SigEngage *e, const uint8_t *in, size_t len);

#endif							/* B2B_SIGNALS_H */
