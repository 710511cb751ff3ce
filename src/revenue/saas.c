/*
 * saas.c
 *		The SaaS metrics of the revenue family (see saas.h): ratios of an
 *		mrr_totals value and the renewal sweep.
 */
#include "revenue/saas.h"

#include <string.h>

static void
ratio_init(rev_ratio *r)
{
	memset(r, 0, sizeof(*r));
}

rev_status
rev_totals_quick_ratio(const rev_totals *t, rev_ratio *r)
{
	rev_amount	won;
	rev_amount	lost;

	ratio_init(r);
	if (__builtin_add_overflow(t->new_mrr, t->expansion_mrr, &won) ||
		__builtin_add_overflow(won, t->reactivation_mrr, &won) ||
		__builtin_add_overflow(t->contraction_mrr, t->churned_mrr, &lost))
		return REV_ERR_OVERFLOW;
	if (lost == 0)
		return REV_UNDEFINED;
	r->num[r->nnum++] = rev_amount_decimal(won, t->scale);
	r->den[r->nden++] = rev_amount_decimal(lost, t->scale);
	return REV_OK;
}

rev_status
rev_totals_arr(const rev_totals *t, rev_amount *arr)
{
	if (__builtin_mul_overflow(t->end_mrr, (rev_amount) 12, arr))
		return REV_ERR_OVERFLOW;
	return REV_OK;
}

rev_status
rev_totals_arpa(const rev_totals *t, rev_ratio *r)
{
	ratio_init(r);
	if (t->end_customers == 0)
		return REV_UNDEFINED;
	r->num[r->nnum++] = rev_amount_decimal(t->end_mrr, t->scale);
	r->den[r->nden++] = rev_count_decimal(t->end_customers);
	return REV_OK;
}

/* start - contraction - churned (+ expansion (+ reactivation)): what the starters pay at the end. */
static rev_status
retained(const rev_totals *t, bool net, bool with_reactivation, rev_ratio *r)
{
	rev_amount	kept;

	ratio_init(r);
	if (t->pooled_start_mrr == 0)
		return REV_UNDEFINED;
	if (__builtin_sub_overflow(t->pooled_start_mrr, t->contraction_mrr, &kept) ||
		__builtin_sub_overflow(kept, t->churned_mrr, &kept) ||
		(net && __builtin_add_overflow(kept, t->expansion_mrr, &kept)) ||
		(with_reactivation && __builtin_add_overflow(kept, t->reactivation_mrr, &kept)))
		return REV_ERR_OVERFLOW;
	r->num[r->nnum++] = rev_amount_decimal(kept, t->scale);
	r->den[r->nden++] = rev_amount_decimal(t->pooled_start_mrr, t->scale);
	return REV_OK;
}

rev_status
rev_totals_nrr(const rev_totals *t, bool with_reactivation, rev_ratio *r)
{
	return retained(t, true, with_reactivation, r);
}

rev_status
rev_totals_grr(const rev_totals *t, rev_ratio *r)
{
	return retained(t, false, false, r);
}

rev_status
rev_totals_cac(const rev_totals *t, rev_decimal spend, rev_ratio *r)
{
	ratio_init(r);
	if (spend.units < 0)
		return REV_ERR_NEGATIVE;
	if (t->new_customers == 0)
		return REV_UNDEFINED;
	r->num[r->nnum++] = spend;
	r->den[r->nden++] = rev_count_decimal(t->new_customers);
	return REV_OK;
}

rev_status
rev_totals_cac_payback(const rev_totals *t, rev_decimal spend, rev_amount margin, rev_ratio *r)
{
	ratio_init(r);
	if (spend.units < 0)
		return REV_ERR_NEGATIVE;
	if (t->new_customers == 0)
		return REV_UNDEFINED;
	r->num[r->nnum++] = spend;
	r->den[r->nden++] = rev_amount_decimal(t->new_mrr, t->scale);
	if (margin != 0)
		r->den[r->nden++] = rev_margin_decimal(margin);
	return REV_OK;
}

rev_status
rev_totals_ltv_cac(const rev_totals *t, rev_decimal spend, rev_amount margin, rev_ratio *r)
{
	rev_status	st;

	if (spend.units < 0)
		return REV_ERR_NEGATIVE;
	st = rev_totals_ltv(t, margin, r);
	if (st != REV_OK)
		return st;
	if (t->new_customers == 0 || spend.units == 0)
	{
		ratio_init(r);
		return REV_UNDEFINED;
	}
	/* LTV = num / den; LTV:CAC = LTV x new customers / spend. */
	r->num[r->nnum++] = rev_count_decimal(t->new_customers);
	r->den[r->nden++] = spend;
	return REV_OK;
}
