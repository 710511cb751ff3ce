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

#endif							/* B2B_SAAS_H */
