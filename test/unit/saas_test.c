/*
 * saas_test.c: unit tests of the SaaS metrics core (no server).
 * Expected values are worked out by hand in the comments.
 */
#include <string.h>

#include "revenue/saas.h"
#include "tap.h"

/* A ratio's factors multiplied out (small test values fit), with scales summed. */
static int
ratio_is(const rev_ratio *r, long long num, int num_scale, long long den, int den_scale)
{
	rev_amount	n = 1;
	rev_amount	d = 1;
	int			ns = 0;
	int			ds = 0;

	for (int i = 0; i < r->nnum; i++)
	{
		n *= r->num[i].units;
		ns += r->num[i].scale;
	}
	for (int i = 0; i < r->nden; i++)
	{
		d *= r->den[i].units;
		ds += r->den[i].scale;
	}
	return n == num && ns == num_scale && d == den && ds == den_scale;
}

/*
 * One 12-month period of five customers (amounts in cents, scale 2):
 *   A 100 -> 0 (churn), B 50 -> 60 (expansion), C 40 -> 40, D 0 -> 30 (new),
 *   E 0 -> 20 (reactivation).  Start 190, end 150.
 */
static void
year_of_five(rev_totals *t)
{
	rev_totals_init(t);
	rev_totals_add_row(t, 0, REV_KIND_CHURN, 10000, 0, 2, false);
	rev_totals_add_row(t, 0, REV_KIND_EXPANSION, 5000, 6000, 2, false);
	rev_totals_add_row(t, 0, REV_KIND_UNCHANGED, 4000, 4000, 2, false);
	rev_totals_add_row(t, 0, REV_KIND_NEW, 0, 3000, 2, false);
	rev_totals_add_row(t, 0, REV_KIND_REACTIVATION, 0, 2000, 2, false);
}

static void
test_ratios(void)
{
	rev_totals	t;
	rev_ratio	r;
	rev_amount	arr;
	rev_decimal spend = {600, 0};
	rev_decimal no_spend = {0, 0};
	rev_decimal negative = {-1, 0};

	year_of_five(&t);
	ok(rev_totals_check(&t) == REV_OK && rev_totals_chained(&t) == REV_OK, "the year is a valid chain");
	/* (30 + 10 + 20) / 100 */
	ok(rev_totals_quick_ratio(&t, &r) == REV_OK && ratio_is(&r, 6000, 2, 10000, 2), "quick ratio 60 / 100");
	ok(rev_totals_arr(&t, &arr) == REV_OK && arr == 180000, "ARR 12 x 150.00 = 1800.00");
	ok(rev_totals_arpa(&t, &r) == REV_OK && ratio_is(&r, 15000, 2, 4, 0), "ARPA 150.00 / 4");
	/* NRR (0 + 60 + 40) / 190, with E 120 / 190; GRR (0 + 50 + 40) / 190 */
	ok(rev_totals_nrr(&t, false, &r) == REV_OK && ratio_is(&r, 10000, 2, 19000, 2), "NRR 100 / 190");
	ok(rev_totals_nrr(&t, true, &r) == REV_OK && ratio_is(&r, 12000, 2, 19000, 2),
	   "NRR with the reactivation 120 / 190");
	ok(rev_totals_grr(&t, &r) == REV_OK && ratio_is(&r, 9000, 2, 19000, 2), "GRR 90 / 190");
	/* one new customer (D at 30): CAC 600 / 1, payback 600 / (30.00 x 0.8), LTV:CAC */
	ok(rev_totals_cac(&t, spend, &r) == REV_OK && ratio_is(&r, 600, 0, 1, 0), "CAC 600 / 1");
	ok(rev_totals_cac_payback(&t, spend, REV_MARGIN_ONE / 10 * 8, &r) == REV_OK && r.nden == 2 &&
	   r.den[0].units == 3000 && r.den[0].scale == 2 && r.den[1].units == 8 && r.den[1].scale == 1,
	   "payback 600 / (30.00 x 0.8)");
	/* LTV = 150/4 x 3/1 = 112.5; LTV:CAC = 112.5 x 1 / 600: 150 x 3 x 1 / (4 x 1 x 600) */
	ok(rev_totals_ltv_cac(&t, spend, 0, &r) == REV_OK && ratio_is(&r, 15000 * 3, 2, 4 * 1 * 600, 0),
	   "LTV:CAC (150.00 x 3 x 1) / (4 x 1 churned x 600)");
	ok(rev_totals_cac(&t, no_spend, &r) == REV_OK && ratio_is(&r, 0, 0, 1, 0) &&
	   rev_totals_ltv_cac(&t, no_spend, 0, &r) == REV_UNDEFINED, "zero spend: CAC 0, LTV:CAC undefined");
	ok(rev_totals_cac(&t, negative, &r) == REV_ERR_NEGATIVE &&
	   rev_totals_cac_payback(&t, negative, 0, &r) == REV_ERR_NEGATIVE &&
	   rev_totals_ltv_cac(&t, negative, 0, &r) == REV_ERR_NEGATIVE, "a negative spend is refused");

	/* No losses and no new customers: B 50 -> 50 only. */
	rev_totals_init(&t);
	rev_totals_add_row(&t, 0, REV_KIND_UNCHANGED, 5000, 5000, 2, false);
	ok(rev_totals_quick_ratio(&t, &r) == REV_UNDEFINED, "quick ratio undefined without losses");
	ok(rev_totals_cac(&t, spend, &r) == REV_UNDEFINED && rev_totals_cac_payback(&t, spend, 0, &r) == REV_UNDEFINED &&
	   rev_totals_ltv_cac(&t, spend, 0, &r) == REV_UNDEFINED, "CAC, payback, LTV:CAC undefined without new customers");
	ok(rev_totals_nrr(&t, false, &r) == REV_OK && ratio_is(&r, 5000, 2, 5000, 2), "NRR 1 when nothing moves");

	/* Nobody at the start: a new customer only. */
	rev_totals_init(&t);
	rev_totals_add_row(&t, 0, REV_KIND_NEW, 0, 5000, 2, false);
	ok(rev_totals_nrr(&t, true, &r) == REV_UNDEFINED && rev_totals_grr(&t, &r) == REV_UNDEFINED,
	   "NRR and GRR undefined without a cohort");
	rev_totals_init(&t);
	ok(rev_totals_arpa(&t, &r) == REV_UNDEFINED, "ARPA undefined when nobody pays");
}

int
main(void)
{
	test_ratios();
	return done_testing();
}
