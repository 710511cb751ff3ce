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

#define DAY ((int64_t) 86400 * 1000000)

static rev_term_sub
sub(int64_t start_day, int64_t end_day, long long mrr, int months)
{
	rev_term_sub s = {start_day * DAY, end_day < 0 ? REV_NEVER : end_day * DAY, 0, 0, months, mrr};

	return s;
}

static void
test_renewals(void)
{
	rev_term_sub subs[4];
	rev_term_history h = {true, 0, 400 * DAY, 0, 30, 0, 0, 0, 4, subs};
	rev_due		dues[4];
	rev_renewal out[4];
	uint32_t	n;
	uint8_t		buf[256];
	rev_term_sub back_subs[4];
	rev_term_history back = {0};
	uint32_t	count;
	rev_renewal_totals t;
	rev_renewal_totals u;
	rev_ratio	r;

	/*
	 * Day 0-100 a plan at 100 (ends: due at day 100, not continuing); an
	 * add-on at 25 running across day 100 on its own cycle; the new plan at
	 * 150 from day 110 (inside 30 days of grace); a plan due at day 50 that
	 * runs on (continuing, 40).
	 */
	subs[0] = sub(0, 100, 100, 1);
	subs[1] = sub(20, -1, 25, 1);
	subs[2] = sub(110, -1, 150, 1);
	subs[3] = sub(20, -1, 40, 12);
	ok(rev_term_sub_check(&subs[0]) == REV_OK, "a subscription is valid");
	h.nsubs = 4;
	dues[0] = (rev_due) {100 * DAY, 130 * DAY, 0, false};
	dues[1] = (rev_due) {50 * DAY, 80 * DAY, 3, true};
	dues[2] = (rev_due) {100 * DAY, 130 * DAY, 3, true};
	ok(rev_renewals(&h, dues, 3, out, &n) == REV_OK && n == 2, "two decision instants");
	ok(out[0].due_at == 50 * DAY && out[0].due_mrr == 40 && out[0].renewed_at == 50 * DAY && out[0].renewed_mrr == 40,
	   "a term that runs on renews in place");
	/* day 100: due 100 + 40 = 140; at day 100 the successors pay 40 (the add-on is not one). */
	ok(out[1].due_at == 100 * DAY && out[1].due_mrr == 140 && out[1].renewed_at == 100 * DAY &&
	   out[1].renewed_mrr == 40 && out[1].sub == 0, "an add-on on its own cycle is no successor; the largest due names the row");
	/* The plan alone at day 100: renewed at day 110 (inside the grace) at 150. */
	dues[0] = (rev_due) {100 * DAY, 130 * DAY, 0, false};
	ok(rev_renewals(&h, dues, 1, out, &n) == REV_OK && n == 1 && out[0].renewed_at == 110 * DAY &&
	   out[0].renewed_mrr == 150, "a new plan inside the grace renews, at its MRR");
	dues[0] = (rev_due) {100 * DAY, 105 * DAY, 0, false};
	ok(rev_renewals(&h, dues, 1, out, &n) == REV_OK && out[0].renewed_at == REV_NEVER && out[0].renewed_mrr == 0,
	   "after the grace it is not a renewal");

	/* Round trip of the state. */
	ok(rev_term_history_encoded_size(&h) <= sizeof(buf), "the state fits the buffer");
	rev_term_history_encode(&h, buf);
	back.capacity = 4;
	back.subs = back_subs;
	ok(rev_term_history_decode_count(buf, rev_term_history_encoded_size(&h), &count) == REV_OK && count == 4 &&
	   rev_term_history_decode(buf, rev_term_history_encoded_size(&h), &back) == REV_OK &&
	   back.nsubs == 4 && memcmp(back_subs, subs, sizeof(subs)) == 0 && rev_term_window_equal(&back, &h),
	   "the state survives encoding");
	buf[0] = 9;
	ok(rev_term_history_decode_count(buf, rev_term_history_encoded_size(&h), &count) == REV_ERR_BAD_VERSION,
	   "an unknown state version is refused");
	ok(rev_term_history_decode_count(buf, 10, &count) == REV_ERR_BAD_LENGTH, "a short state is refused");
	subs[0].period_months = 0;
	ok(rev_term_sub_check(&subs[0]) == REV_ERR_GRAIN_NOT_POSITIVE, "a zero billing period is refused");

	/* renewal totals: rows (due, renewed?, renewed MRR) = (100, yes, 150), (50, yes, 20), (80, no, 0) */
	memset(&t, 0, sizeof(t));
	rev_renewal_totals_init(&t);
	ok(rev_renewal_totals_add(&t, 10000, true, 15000, 2) == REV_OK &&
	   rev_renewal_totals_add(&t, 50, true, 20, 0) == REV_OK &&
	   rev_renewal_totals_add(&t, 80, false, 0, 0) == REV_OK, "three rows add");
	/* capped: 100 + 20 + 0 = 120; renewed 150 + 20 = 170; due 230 */
	ok(t.dues == 3 && t.renewed == 2 && t.scale == 2 && t.due_mrr == 23000 && t.renewed_mrr_capped == 12000 &&
	   t.renewed_mrr == 17000 && rev_renewal_totals_check(&t) == REV_OK, "sums: due 230, capped 120, renewed 170");
	ok(rev_renewal_rate(&t, 0, &r) == REV_OK && r.num[0].units == 2 && r.den[0].units == 3 &&
	   rev_renewal_rate(&t, 1, &r) == REV_OK && r.num[0].units == 12000 && r.den[0].units == 23000 &&
	   rev_renewal_rate(&t, 2, &r) == REV_OK && r.num[0].units == 17000, "logo 2/3, gross 120/230, net 170/230");
	ok(rev_renewal_totals_add(&t, 0, false, 0, 0) == REV_ERR_INCONSISTENT_ROW &&
	   rev_renewal_totals_add(&t, 10, false, 5, 0) == REV_ERR_INCONSISTENT_ROW &&
	   rev_renewal_totals_add(&t, 10, true, 0, 0) == REV_ERR_INCONSISTENT_ROW, "inconsistent rows are refused");
	u = t;
	ok(rev_renewal_totals_merge(&u, &t) == REV_OK && u.dues == 6 && u.due_mrr == 46000, "totals merge");
	rev_renewal_totals_encode(&t, buf);
	ok(rev_renewal_totals_decode(buf, REV_RENEWAL_TOTALS_ENCODED_SIZE, &u) == REV_OK && u.renewed_mrr == t.renewed_mrr &&
	   u.dues == t.dues, "totals survive encoding");
	buf[10] = 100;				/* renewed (bytes 10-17): 100 of 3 due */
	ok(rev_renewal_totals_decode(buf, REV_RENEWAL_TOTALS_ENCODED_SIZE, &u) == REV_ERR_CORRUPT,
	   "bytes claiming more renewed than due are corrupt");
	ok(rev_renewal_totals_decode(buf, REV_RENEWAL_TOTALS_ENCODED_SIZE - 1, &u) == REV_ERR_BAD_LENGTH,
	   "a short value is refused");
	t.renewed = 4;
	ok(rev_renewal_totals_check(&t) == REV_ERR_CORRUPT, "more renewed than due is corrupt");
	memset(&t, 0, sizeof(t));
	rev_renewal_totals_init(&t);
	ok(rev_renewal_rate(&t, 0, &r) == REV_UNDEFINED, "no rows: undefined");
}

static void
test_cohorts(void)
{
	ok(rev_cohort_member(REV_KIND_NEW) && !rev_cohort_member(REV_KIND_REACTIVATION) &&
	   !rev_cohort_member(REV_KIND_UNCHANGED) && !rev_cohort_member(REV_KIND_EXPANSION),
	   "only a first row that is new makes a cohort member");
	ok(rev_month_offset(2025, 1, 2025, 1) == 0 && rev_month_offset(2024, 11, 2025, 2) == 3 &&
	   rev_month_offset(2023, 12, 2025, 12) == 24, "month offsets: 0, Nov -> Feb 3, two years 24");
}

int
main(void)
{
	test_cohorts();
	test_ratios();
	test_renewals();
	return done_testing();
}
