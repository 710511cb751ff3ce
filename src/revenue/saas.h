/*
 * saas.h
 *		Pure C core of the SaaS metrics of the revenue family: the ratios a
 *		stored mrr_totals value answers (quick ratio, ARR, ARPA, NRR, GRR,
 *		CAC, CAC payback, LTV:CAC) and the renewal sweep of one customer's
 *		contract terms.
 *
 * Like revenue.h, no PostgreSQL headers: a ratio is a product of exact
 * factors over another (rev_ratio), divided once in numeric by the glue.
 */
#ifndef B2B_SAAS_H
#define B2B_SAAS_H

#include "common/bytes.h"
#include "revenue/revenue.h"

/* ---- ratios of totals ------------------------------------------------- */

/*
 * Quick ratio = (new + expansion + reactivation MRR) / (contraction +
 * churned MRR) over the rows; REV_UNDEFINED when nothing was lost.
 */
extern rev_status rev_totals_quick_ratio(const rev_totals *t, rev_ratio *r);

/* ARR = 12 x MRR at the end of the last period, exact at t->scale. */
extern rev_status rev_totals_arr(const rev_totals *t, rev_amount *arr);

/* ARPA = MRR / paying customers at the end of the last period. */
extern rev_status rev_totals_arpa(const rev_totals *t, rev_ratio *r);

/*
 * Net and gross revenue retention of the customers paying at a period
 * start, pooled over the rows like churn (sum over sum):
 *   NRR = (start + expansion - contraction - churned [+ reactivation]) / start
 *   GRR = (start - contraction - churned) / start
 * where start is the MRR at the period starts.  REV_UNDEFINED when nobody
 * paid at a period start.
 */
extern rev_status rev_totals_nrr(const rev_totals *t, bool with_reactivation, rev_ratio *r);
extern rev_status rev_totals_grr(const rev_totals *t, rev_ratio *r);

/*
 * Acquisition: spend (exact, >= 0; REV_ERR_NEGATIVE otherwise) against the
 * new customers of the totals.
 *   CAC            = spend / new customers
 *   payback months = CAC / (new MRR / new customers x margin) = spend / (new MRR x margin)
 *   LTV:CAC        = LTV / CAC (LTV as rev_totals_ltv)
 * REV_UNDEFINED without new customers, and for LTV:CAC also without spend
 * or without an LTV.  margin: normalized, or 0 for none (the same as 1).
 */
extern rev_status rev_totals_cac(const rev_totals *t, rev_decimal spend, rev_ratio *r);
extern rev_status rev_totals_cac_payback(const rev_totals *t, rev_decimal spend, rev_amount margin,
										 rev_ratio *r);
extern rev_status rev_totals_ltv_cac(const rev_totals *t, rev_decimal spend, rev_amount margin,
									 rev_ratio *r);

/* ---- revenue cohorts ---------------------------------------------------- */

/*
 * A customer belongs to the first-paid cohort of the period of its first
 * movement row when that row is 'new' (it started paying inside the
 * window); a customer paying at the window's start, or whose first row is a
 * reactivation (it paid before the window), has no cohort in the window.
 */
extern bool rev_cohort_member(rev_kind first_row_kind);

/* Whole calendar months from the cohort's (year, month) to the period's. */
extern int64_t rev_month_offset(int cohort_year, int cohort_month, int year, int month);

/* ---- renewals ---------------------------------------------------------- */

/*
 * A customer's contract terms.  A paid subscription's terms end at
 * started_at + k x billing_period (k = 1, 2, ...) while before ended_at,
 * and at ended_at itself when it ends (a subscription cancelled or
 * replaced between two term ends closes its last term there).  The glue
 * computes those instants with the server's calendar and hands the core
 * one rev_due per (subscription, term end) inside the window.
 */
typedef struct rev_term_sub
{
	int64_t		started_at;
	int64_t		ended_at;		/* REV_NEVER while active */
	int64_t		period_usec;	/* billing period: Interval.time */
	int32_t		period_days;	/* Interval.day */
	int32_t		period_months;	/* Interval.month */
	rev_amount	mrr;			/* at the history's scale */
} rev_term_sub;

/* The state of mrr_renewals: one customer's subscriptions and the window. */
typedef struct rev_term_history
{
	bool		has_window;
	int64_t		period_from;
	int64_t		period_to;
	int64_t		grace_usec;		/* grace period: Interval.time, .day, .month */
	int32_t		grace_days;
	int32_t		grace_months;
	int			scale;
	uint32_t	nsubs;
	uint32_t	capacity;		/* owned and sized by the caller */
	rev_term_sub *subs;
} rev_term_history;

/* REV_DEFAULT_GRACE_DAYS: a term renewed up to 30 days late still counts. */
#define REV_DEFAULT_GRACE_DAYS 30

/* A term end of one subscription. */
typedef struct rev_due
{
	int64_t		due_at;			/* the term end */
	int64_t		grace_end;		/* due_at + grace */
	uint32_t	sub;			/* index into the history */
	bool		continues;		/* the subscription runs on past due_at (due_at < ended_at) */
} rev_due;

/*
 * One renewal decision: the customer's terms ending at one instant.
 *   due_mrr      sum of the MRR of the subscriptions whose term ends then
 *   renewed_at   the first instant in [due_at, grace_end] at which the
 *                customer pays on them or on a subscription started at or
 *                after due_at; REV_NEVER when there is none (not renewed)
 *   renewed_mrr  what it pays then on those subscriptions (0 if not renewed)
 *   sub          the due subscription with the largest MRR, the longest billing
 *                period on ties (the row's billing period)
 */
typedef struct rev_renewal
{
	int64_t		due_at;
	int64_t		renewed_at;
	rev_amount	due_mrr;
	rev_amount	renewed_mrr;
	uint32_t	sub;
} rev_renewal;

/* A history row's own rule: REV_ERR_ENDS_BEFORE_START, REV_ERR_NEGATIVE, REV_ERR_GRAIN_NOT_POSITIVE. */
extern rev_status rev_term_sub_check(const rev_term_sub *s);
/* Append a checked subscription (capacity permitting), rescaling as needed. */
extern rev_status rev_term_history_add(rev_term_history *h, const rev_term_sub *s, int scale);
/* Append every subscription of 'from' (same window; room made by the caller). */
extern rev_status rev_term_history_merge(rev_term_history *into, const rev_term_history *from);
extern bool rev_term_window_equal(const rev_term_history *a, const rev_term_history *b);

/*
 * The renewal decisions of the dues (any order; sorted in place by
 * due_at): one rev_renewal per distinct due_at, in time order, into out
 * (room for ndues).  REV_ERR_OVERFLOW.
 */
extern rev_status rev_renewals(const rev_term_history *h, rev_due *dues, uint32_t ndues,
							   rev_renewal *out, uint32_t *nout);

/* Byte encoding of a rev_term_history (the serialized state), version byte first. */
#define REV_TERM_HISTORY_VERSION 1
extern size_t rev_term_history_encoded_size(const rev_term_history *h);
extern void rev_term_history_encode(const rev_term_history *h, uint8_t *buf);
extern rev_status rev_term_history_decode_count(const uint8_t *buf, size_t len, uint32_t *nsubs);
extern rev_status rev_term_history_decode(const uint8_t *buf, size_t len, rev_term_history *h);

/*
 * renewal_totals: the sums of renewal rows, the state of renewal_rate and a
 * value of its own (72 bytes, the first four the glue's varlena header).
 */
#define REV_RENEWAL_TOTALS_VERSION 1
typedef struct rev_renewal_totals
{
	uint32_t	varlena_header;
	uint8_t		version;
	uint8_t		scale;
	uint8_t		pad[2];
	int64_t		dues;			/* renewal rows (customer-terms due) */
	int64_t		renewed;		/* of which renewed */
	rev_amount	due_mrr;
	rev_amount	renewed_mrr_capped;	/* sum of min(renewed, due) per row */
	rev_amount	renewed_mrr;
} rev_renewal_totals;

extern void rev_renewal_totals_init(rev_renewal_totals *t);
/*
 * Add one renewal row (amounts at 'scale'): REV_ERR_INCONSISTENT_ROW when
 * due_mrr is not positive, renewed_mrr negative, or renewed_mrr > 0
 * disagrees with 'renewed'; REV_ERR_OVERFLOW.
 */
extern rev_status rev_renewal_totals_add(rev_renewal_totals *t, rev_amount due_mrr, bool renewed,
										 rev_amount renewed_mrr, int scale);
extern rev_status rev_renewal_totals_merge(rev_renewal_totals *into, const rev_renewal_totals *from);
extern rev_status rev_renewal_totals_check(const rev_renewal_totals *t);
/* which: 0 logo (renewed / dues), 1 gross dollar (capped / due), 2 net dollar (renewed / due). */
extern rev_status rev_renewal_rate(const rev_renewal_totals *t, int which, rev_ratio *r);

#define REV_RENEWAL_TOTALS_ENCODED_SIZE (2 + 2 * 8 + 3 * 16)
extern void rev_renewal_totals_encode(const rev_renewal_totals *t, uint8_t *buf);
extern rev_status rev_renewal_totals_decode(const uint8_t *buf, size_t len, rev_renewal_totals *t);

/* Shared with revenue.c: 128-bit amounts on the wire, little-endian. */
extern uint8_t *rev_put_amount(uint8_t *p, rev_amount v);
extern rev_amount rev_read_amount(B2bReader *r);

#endif							/* B2B_SAAS_H */
