/*
 * revenue.h
 *		Pure C core of the subscription revenue family: exact decimal
 *		amounts, the MRR timeline sweep, the movement classifier, and the
 *		pooled totals behind mrr_bridge, churn_rate and ltv.
 *
 * No PostgreSQL headers here: the glue (revenue_pg.c) converts numeric and
 * timestamptz values into the plain types below and back.
 *
 * Amounts are exact fixed-point decimals: a rev_amount holds value * 10^scale
 * in a 128-bit integer, and every structure says which scale its amounts
 * use.  Sums and rescaling check for overflow and report it instead of
 * wrapping, so an answer is either exact to the last digit or an error.
 */
#ifndef B2B_REVENUE_H
#define B2B_REVENUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * 8-byte alignment, as PostgreSQL does for its int128: palloc only promises
 * MAXALIGN, and a 16-byte-aligned type would let the compiler use aligned
 * vector loads on memory that is not.
 */
typedef __int128 rev_amount __attribute__((aligned(8)));

/*
 * The largest decimal scale we keep.  Values such as amount / 12 computed
 * in numeric carry 16 to 20 decimals; 20 digits of fraction still leave
 * 18 integer digits of headroom in 128 bits.
 */
#define REV_MAX_SCALE	20

/* Enough for a sign, 39 digits, a leading "0", a point and a NUL. */
#define REV_AMOUNT_BUFSIZE 48

/* An open-ended subscription ends at "never". */
#define REV_NEVER	INT64_MAX

/* Largest number of periods one mrr_movement call may produce. */
#define REV_MAX_PERIODS 10000

typedef enum rev_status
{
	REV_OK = 0,
	REV_ERR_SYNTAX,				/* not a plain decimal number */
	REV_ERR_NOT_FINITE,			/* NaN or Infinity */
	REV_ERR_TOO_PRECISE,		/* more than REV_MAX_SCALE significant decimals */
	REV_ERR_OVERFLOW,			/* does not fit 128 bits at the needed scale */
	REV_ERR_CORRUPT				/* encoded state fails validation */
} rev_status;

/* The movement kinds, in the order of the SQL enum mrr_kind's labels. */
typedef enum rev_kind
{
	REV_KIND_NONE = -1,			/* both snapshots zero: no movement row */
	REV_KIND_NEW = 0,
	REV_KIND_EXPANSION,
	REV_KIND_CONTRACTION,
	REV_KIND_CHURN,
	REV_KIND_REACTIVATION,
	REV_KIND_UNCHANGED,
	REV_NKINDS
} rev_kind;

extern const char *const rev_kind_names[REV_NKINDS];

/* ---- exact decimals -------------------------------------------------- */

extern rev_status rev_amount_parse(const char *text, rev_amount *units, int *scale);
extern rev_status rev_amount_rescale(rev_amount units, int from_scale, int to_scale,
									 rev_amount *out);
extern size_t rev_amount_format(rev_amount units, int scale, char *buf);
extern bool rev_amount_fits_int64(rev_amount units);

/* ---- one customer's timeline ------------------------------------------ */

typedef struct rev_subscription
{
	int64_t		started_at;		/* microseconds, PostgreSQL's timestamptz */
	int64_t		ended_at;		/* REV_NEVER while active */
	rev_amount	mrr;			/* at the owning history's scale, >= 0 */
} rev_subscription;

/* The period arguments of an mrr_movement call, as PostgreSQL values. */
typedef struct rev_window
{
	int64_t		period_from;
	int64_t		period_to;
	int64_t		grain_usec;		/* Interval.time */
	int32_t		grain_days;		/* Interval.day */
	int32_t		grain_months;	/* Interval.month */
} rev_window;

/* The aggregate state of mrr_movement: the subscriptions seen so far. */
typedef struct rev_history
{
	bool		has_window;		/* false until the first row */
	rev_window	window;
	int			scale;			/* scale of every subs[i].mrr */
	uint32_t	nsubs;
	uint32_t	capacity;		/* owned and sized by the caller */
	rev_subscription *subs;
} rev_history;

typedef struct rev_movement
{
	int64_t		period;			/* p_k */
	rev_kind	kind;
	rev_amount	before;			/* MRR at p_k */
	rev_amount	after;			/* MRR at p_k+1 */
} rev_movement;

extern bool rev_window_equal(const rev_window *a, const rev_window *b);
extern bool rev_window_grain_positive(const rev_window *w);
extern rev_status rev_history_rescale(rev_history *h, int scale);

extern size_t rev_movements_scratch_size(uint32_t nsubs);
extern rev_status rev_movements(const rev_history *h, const int64_t *bounds,
								int nperiods, void *scratch,
								rev_movement *out, int *nout);

/*
 * The byte encoding of a history (the serialized aggregate state):
 * rev_history_decode_count() validates the header and the length and says
 * how many subscriptions to make room for; rev_history_decode() then fills
 * h->subs (capacity at least that count) and validates every entry.
 */
extern size_t rev_history_encoded_size(const rev_history *h);
extern void rev_history_encode(const rev_history *h, uint8_t *buf);
extern rev_status rev_history_decode_count(const uint8_t *buf, size_t len,
										   uint32_t *nsubs);
extern rev_status rev_history_decode(const uint8_t *buf, size_t len,
									 rev_history *h);

/* ---- classifying and pooling movements -------------------------------- */

extern rev_kind rev_classify(rev_amount before, rev_amount after, bool paid_before);
extern bool rev_kind_consistent(rev_kind kind, rev_amount before, rev_amount after);

/*
 * Totals over movement rows: the state of mrr_bridge, churn_rate and ltv.
 * Amounts are positive (contraction and churned as losses), all at 'scale'.
 */
typedef struct rev_totals
{
	int			scale;
	bool		has_period;		/* mrr_bridge: the one period seen */
	int64_t		period;
	rev_amount	start_mrr;
	rev_amount	new_mrr;
	rev_amount	expansion_mrr;
	rev_amount	reactivation_mrr;
	rev_amount	contraction_mrr;
	rev_amount	churned_mrr;
	rev_amount	end_mrr;
	int64_t		start_customers;
	int64_t		new_customers;
	int64_t		expanded_customers;
	int64_t		reactivated_customers;
	int64_t		contracted_customers;
	int64_t		churned_customers;
	int64_t		end_customers;
} rev_totals;

extern void rev_totals_init(rev_totals *t);
extern rev_status rev_totals_add(rev_totals *t, rev_kind kind,
								 rev_amount before, rev_amount after, int scale);
extern rev_status rev_totals_merge(rev_totals *into, const rev_totals *from);
extern bool rev_totals_valid(const rev_totals *t);

#define REV_TOTALS_ENCODED_SIZE (4 + 1 + 8 + 7 * 16 + 7 * 8)
extern void rev_totals_encode(const rev_totals *t, uint8_t *buf);
extern rev_status rev_totals_decode(const uint8_t *buf, size_t len, rev_totals *t);

/* ---- billing periods -------------------------------------------------- */

extern bool rev_billing_factor(int32_t months, int32_t days, int64_t usec,
							   rev_amount *numerator, rev_amount *denominator);

#endif							/* B2B_REVENUE_H */
