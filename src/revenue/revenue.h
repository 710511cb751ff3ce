/*
 * revenue.h
 *		Pure C core of the subscription revenue family: exact decimal
 *		amounts, the MRR timeline sweep, the movement classifier, the
 *		mrr_totals value behind mrr_bridge, churn_rate, ltv_agg and the
 *		rollups, and every rule of the family (checks, options, formulas).
 *
 * No PostgreSQL headers here: the glue (revenue_pg.c) converts numeric and
 * timestamptz values into the plain types below and back, and maps each
 * rev_status to one ereport.
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

/* An open-ended subscription ends at "never" (ended_at NULL). */
#define REV_NEVER	INT64_MAX

/* Largest number of periods one mrr_movement call may produce. */
#define REV_MAX_PERIODS 10000

/* The default grain of mrr_movement: one calendar month. */
#define REV_DEFAULT_GRAIN_MONTHS 1

typedef enum rev_status
{
	REV_OK = 0,
	REV_UNDEFINED,				/* no error, but no answer: the result is NULL */

	/* decimals */
	REV_ERR_SYNTAX,				/* not a plain decimal number */
	REV_ERR_NOT_FINITE,			/* NaN or Infinity */
	REV_ERR_TOO_PRECISE,		/* more than REV_MAX_SCALE significant decimals */
	REV_ERR_OVERFLOW,			/* does not fit 128 bits at the needed scale */

	/* arguments and rows */
	REV_ERR_NEGATIVE,			/* an MRR amount below 0 */
	REV_ERR_ENDS_BEFORE_START,	/* ended_at < started_at */
	REV_ERR_EMPTY_WINDOW,		/* period_to <= period_from */
	REV_ERR_GRAIN_NOT_POSITIVE, /* a negative part, or all parts zero */
	REV_ERR_NOT_FORWARD,		/* a period boundary did not move forward */
	REV_ERR_TOO_MANY_PERIODS,	/* more than REV_MAX_PERIODS */
	REV_ERR_INCONSISTENT_ROW,	/* a movement whose kind contradicts its amounts */
	REV_ERR_MIXED_PERIODS,		/* mrr_bridge: rows of two periods in one group */
	REV_ERR_UNKNOWN_BASIS,		/* not logo, gross_mrr or net_mrr */
	REV_ERR_OPTION_CHANGED,		/* basis or margin differs between rows or states */
	REV_ERR_MARGIN_RANGE,		/* gross margin not in (0, 1] */
	REV_ERR_ARPA_RANGE,			/* ltv formula: arpa negative or not finite */
	REV_ERR_CHURN_RANGE,		/* ltv formula: churn rate not in [0, 1] */
	REV_ERR_NOT_CHAINED,		/* totals that are not consecutive periods */
	REV_ERR_NO_ROOM,			/* the caller did not make room */

	/* bytes */
	REV_ERR_BAD_LENGTH,			/* encoded value of the wrong length */
	REV_ERR_BAD_VERSION,		/* unknown format version */
	REV_ERR_CORRUPT				/* encoded value fails validation */
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

typedef struct rev_decimal
{
	rev_amount	units;
	int			scale;
} rev_decimal;

extern rev_status rev_amount_parse(const char *text, rev_amount *units, int *scale);
extern rev_status rev_amount_rescale(rev_amount units, int from_scale, int to_scale,
									 rev_amount *out);
extern size_t rev_amount_format(rev_amount units, int scale, char *buf);
extern bool rev_amount_fits_int64(rev_amount units);
/* The same value with trailing fraction zeros dropped (0.80 -> 0.8). */
extern rev_decimal rev_decimal_trim(rev_decimal d);

/*
 * What the rules need to know of a number they do not convert exactly (the
 * ltv formula takes any numeric or double): finite, its sign, and how it
 * compares with 1.
 */
typedef struct rev_numclass
{
	bool		nan;			/* NaN (infinities are ordinary here) */
	int			sign;			/* -1, 0, 1 */
	int			cmp_one;		/* -1, 0, 1: below, at or above 1 */
} rev_numclass;

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
/* REV_ERR_EMPTY_WINDOW or REV_ERR_GRAIN_NOT_POSITIVE, else REV_OK. */
extern rev_status rev_window_check(const rev_window *w);

/*
 * The period boundaries p_0 < p_1 < ...: the glue computes each candidate
 * p_k = period_from + k * grain with the server's calendar, and this says
 * what to do with it: keep it (REV_OK), and stop there when *last (it
 * closes the last period), or refuse it (REV_ERR_NOT_FORWARD,
 * REV_ERR_TOO_MANY_PERIODS).
 */
extern rev_status rev_bound_step(const int64_t *bounds, int k, int64_t p, int64_t period_to,
								 bool *last);

/* A subscription row's own rule: REV_ERR_ENDS_BEFORE_START or REV_ERR_NEGATIVE. */
extern rev_status rev_subscription_check(int64_t started_at, int64_t ended_at, rev_amount mrr);
/* Append a checked subscription (capacity permitting), at the history's scale. */
extern rev_status rev_history_add(rev_history *h, int64_t started_at, int64_t ended_at,
								  rev_amount mrr, int scale);
/* Append every subscription of 'from' (same window; room made by the caller). */
extern rev_status rev_history_merge(rev_history *into, const rev_history *from);
extern rev_status rev_history_rescale(rev_history *h, int scale);

extern size_t rev_movements_scratch_size(uint32_t nsubs);
extern rev_status rev_movements(const rev_history *h, const int64_t *bounds,
								int nperiods, void *scratch,
								rev_movement *out, int *nout);

/*
 * The byte encoding of a history (the serialized aggregate state), with a
 * version byte first: rev_history_decode_count() validates the header and
 * the length and says how many subscriptions to make room for;
 * rev_history_decode() then fills h->subs (capacity at least that count)
 * and validates every entry.
 */
#define REV_HISTORY_VERSION 1
extern size_t rev_history_encoded_size(const rev_history *h);
extern void rev_history_encode(const rev_history *h, uint8_t *buf);
extern rev_status rev_history_decode_count(const uint8_t *buf, size_t len,
										   uint32_t *nsubs);
extern rev_status rev_history_decode(const uint8_t *buf, size_t len,
									 rev_history *h);

/* ---- classifying movements -------------------------------------------- */

extern rev_kind rev_classify(rev_amount before, rev_amount after, bool paid_before);
/* The classifier of mrr_classify(prev, cur, paid_before): REV_ERR_NEGATIVE. */
extern rev_status rev_classify_amounts(rev_amount before, rev_amount after, bool paid_before,
									   rev_kind *kind);
extern bool rev_kind_consistent(rev_kind kind, rev_amount before, rev_amount after);

/* ---- options of the aggregates ---------------------------------------- */

typedef enum rev_basis
{
	REV_BASIS_UNSET = 0,		/* churn_rate(m) and the accessor's default: logo */
	REV_BASIS_LOGO,
	REV_BASIS_GROSS_MRR,
	REV_BASIS_NET_MRR
} rev_basis;

#define REV_BASIS_MAX REV_BASIS_NET_MRR
extern const char *const rev_basis_names[REV_BASIS_MAX + 1];

extern rev_status rev_basis_parse(const char *name, size_t len, rev_basis *basis);

/*
 * A gross margin is a fraction in (0, 1].  rev_margin_check() decides from
 * its class (before any exact conversion); rev_margin_normalize() turns an
 * exact margin into units of 10^-REV_MAX_SCALE, the one form states keep,
 * so that 0.8 and 0.80 are the same option.
 */
#define REV_MARGIN_ONE ((rev_amount) 10000000000LL * 10000000000LL)	/* 1 = 10^20 units */
extern rev_status rev_margin_check(rev_numclass margin);
extern rev_status rev_margin_normalize(rev_amount units, int scale, rev_amount *normalized);
extern rev_decimal rev_margin_decimal(rev_amount normalized);

/* ltv(arpa, churn_rate, gross_margin): REV_OK, REV_UNDEFINED (churn 0) or an error. */
extern rev_status rev_ltv_formula_check(rev_numclass arpa, rev_numclass churn,
										rev_numclass margin);

/* ---- mrr_totals ------------------------------------------------------- */

/*
 * The totals of movement rows: the value of the SQL type mrr_totals and the
 * state of mrr_bridge, churn_rate, ltv_agg, mrr_totals and mrr_rollup.
 *
 * A run of periods is described by two kinds of sums.  The chain: MRR and
 * paying customers at the start of its first period (start_*) and at the
 * end of its last (end_*), and the movements in between; for consecutive
 * periods of the same customers start + movements = end exactly.  The pool:
 * the same snapshots summed over every customer-period (pooled_*), the
 * denominators of churn and LTV; pooled_start + movements = pooled_end holds
 * for any set of movement rows.  Amounts are positive (contraction and
 * churned as losses), all at 'scale'.
 *
 * Combining is linear and order-free, so parallel workers and Citus nodes
 * may merge partial totals in any order: sums add; the earlier first period
 * keeps its start snapshot (equal first periods add theirs), and the later
 * last period its end snapshot.  Whether the result is a chain is checked
 * when it is read (rev_totals_chained).
 *
 * In memory this struct is the whole datum: its first four bytes are
 * PostgreSQL's varlena length word, which only the glue sets; the core
 * never reads them.  256 bytes, 8-aligned.
 */
#define REV_TOTALS_VERSION	1
#define REV_TOTALS_HAS_ROWS 0x01	/* flags: at least one movement row */

typedef struct rev_totals
{
	uint32_t	varlena_header; /* the glue's; see above */
	uint8_t		version;		/* REV_TOTALS_VERSION */
	uint8_t		flags;
	uint8_t		basis;			/* rev_basis option of churn_rate */
	uint8_t		scale;			/* decimals of every amount */
	rev_amount	margin;			/* ltv_agg option, normalized; 0 = unset */
	int64_t		first_period;	/* start of the first period */
	int64_t		last_period;	/* start of the last period */
	rev_amount	start_mrr;		/* chain: at the start of the first period */
	rev_amount	end_mrr;		/* chain: at the end of the last period */
	rev_amount	pooled_start_mrr;	/* pool: sum of mrr_before */
	rev_amount	pooled_end_mrr; /* pool: sum of mrr_after */
	rev_amount	new_mrr;
	rev_amount	expansion_mrr;
	rev_amount	reactivation_mrr;
	rev_amount	contraction_mrr;
	rev_amount	churned_mrr;
	int64_t		start_customers;
	int64_t		end_customers;
	int64_t		pooled_start_customers;
	int64_t		pooled_end_customers;
	int64_t		new_customers;
	int64_t		expanded_customers;
	int64_t		reactivated_customers;
	int64_t		contracted_customers;
	int64_t		churned_customers;
} rev_totals;

extern void rev_totals_init(rev_totals *t);
static inline bool
rev_totals_has_rows(const rev_totals *t)
{
	return (t->flags & REV_TOTALS_HAS_ROWS) != 0;
}

/*
 * Add one movement row (period p_k, kind, MRR before and after at 'scale').
 * one_period: every row must be of the same period (mrr_bridge).
 * REV_ERR_INCONSISTENT_ROW, REV_ERR_MIXED_PERIODS, REV_ERR_OVERFLOW.
 */
extern rev_status rev_totals_add_row(rev_totals *t, int64_t period, rev_kind kind,
									 rev_amount before, rev_amount after, int scale,
									 bool one_period);
/* Record an option, checking it against the one already recorded. */
extern rev_status rev_totals_set_basis(rev_totals *t, rev_basis basis);
extern rev_status rev_totals_set_margin(rev_totals *t, rev_amount normalized);
/* Merge 'from' into 'into' (into unchanged on error). */
extern rev_status rev_totals_merge(rev_totals *into, const rev_totals *from);

/* Every invariant of a value (REV_OK or REV_ERR_CORRUPT), chain aside. */
extern rev_status rev_totals_check(const rev_totals *t);
/* REV_OK when the rows form consecutive periods, else REV_ERR_NOT_CHAINED. */
extern rev_status rev_totals_chained(const rev_totals *t);
/* Rows of one period only (mrr_bridge): REV_ERR_MIXED_PERIODS otherwise. */
extern rev_status rev_totals_one_period(const rev_totals *t);

/*
 * The formulas.  A result is a ratio of exact factors, multiplied and
 * divided once in numeric by the glue: num[0] x ... / (den[0] x ...).
 * REV_UNDEFINED (NULL) when a denominator is 0.
 */
typedef struct rev_ratio
{
	int			nnum;
	int			nden;
	rev_decimal num[4];
	rev_decimal den[3];
} rev_ratio;

/* The factors of a ratio: a count (scale 0), an amount at a scale. */
extern rev_decimal rev_count_decimal(int64_t n);
extern rev_decimal rev_amount_decimal(rev_amount units, int scale);

extern rev_status rev_totals_churn(const rev_totals *t, rev_basis basis, rev_ratio *r);
/* margin: normalized, or 0 for none (the same as 1). */
extern rev_status rev_totals_ltv(const rev_totals *t, rev_amount margin, rev_ratio *r);

/*
 * The wire form (text, send/recv, bytea), little-endian: version, flags,
 * basis, scale, then the fields in struct order.  Decoding validates
 * everything (rev_totals_check) and fills a whole struct.
 */
#define REV_TOTALS_ENCODED_SIZE (4 + 16 + 2 * 8 + 9 * 16 + 9 * 8)
extern void rev_totals_encode(const rev_totals *t, uint8_t *buf);
extern rev_status rev_totals_decode(const uint8_t *buf, size_t len, rev_totals *t);

/* ---- billing periods -------------------------------------------------- */

extern bool rev_billing_factor(int32_t months, int32_t days, int64_t usec,
							   rev_amount *numerator, rev_amount *denominator);

#endif							/* B2B_REVENUE_H */
