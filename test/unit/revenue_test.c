/*
 * revenue_test.c: unit tests of the revenue core (no server).
 * Expected values are worked out by hand in the comments.
 */
#include <string.h>

#include "revenue/revenue.h"
#include "tap.h"

#define DAY ((int64_t) 86400 * 1000000)

static int
parses_to(const char *text, long long units, int scale)
{
	rev_amount	u;
	int			s;

	return rev_amount_parse(text, &u, &s) == REV_OK && u == units && s == scale;
}

static int
formats_to(rev_amount units, int scale, const char *expected)
{
	char		buf[REV_AMOUNT_BUFSIZE];

	rev_amount_format(units, scale, buf);
	return strcmp(buf, expected) == 0;
}

static void
test_decimals(void)
{
	rev_amount	u;
	int			s;
	char		buf[REV_AMOUNT_BUFSIZE];

	ok(parses_to("49", 49, 0), "parse an integer");
	ok(parses_to("1274.15", 127415, 2), "parse two decimals");
	ok(parses_to("-0.50", -50, 2), "parse a negative with a trailing zero");
	ok(parses_to("0.00000000000000000001", 1, 20), "parse 20 decimals");
	ok(rev_amount_parse("1.5000000000000000000000000", &u, &s) == REV_OK && s == 20 &&
	   u == (rev_amount) 15 * 10000000000LL * 1000000000LL,
	   "zeros past scale 20 are dropped exactly");
	ok(rev_amount_parse("0.000000000000000000001", &u, &s) == REV_ERR_TOO_PRECISE,
	   "a 21st significant decimal is refused, not rounded");
	ok(rev_amount_parse("NaN", &u, &s) == REV_ERR_NOT_FINITE &&
	   rev_amount_parse("-Infinity", &u, &s) == REV_ERR_NOT_FINITE, "NaN and infinity refused");
	ok(rev_amount_parse("", &u, &s) == REV_ERR_SYNTAX && rev_amount_parse("1e5", &u, &s) == REV_ERR_SYNTAX &&
	   rev_amount_parse("1.2.3", &u, &s) == REV_ERR_SYNTAX && rev_amount_parse("-", &u, &s) == REV_ERR_SYNTAX,
	   "syntax errors");
	ok(rev_amount_parse("1000000000000000000000000000000000000000", &u, &s) == REV_ERR_OVERFLOW,
	   "40 digits overflow 128 bits");
	ok(rev_amount_parse("170141183460469231731687303715884105727", &u, &s) == REV_OK && s == 0,
	   "2^127 - 1 fits");

	ok(formats_to(127415, 2, "1274.15"), "format 1274.15");
	ok(formats_to(5, 3, "0.005"), "format 0.005 (leading zeros)");
	ok(formats_to(-5, 3, "-0.005"), "format -0.005");
	ok(formats_to(0, 2, "0.00"), "format 0.00");
	ok(formats_to(42, 0, "42"), "format an integer");
	rev_amount_format(-((rev_amount) (((unsigned __int128) 1 << 127) - 1)) - 1, 20, buf);
	ok(strcmp(buf, "-1701411834604692317.31687303715884105728") == 0, "format -2^127 at scale 20");

	ok(rev_amount_rescale(12345, 2, 5, &u) == REV_OK && u == 12345000, "rescale 123.45 to 5 decimals");
	ok(rev_amount_rescale((rev_amount) 1 << 120, 0, 20, &u) == REV_ERR_OVERFLOW, "rescale overflow is reported");
	ok(rev_amount_rescale(1, 3, 2, &u) != REV_OK, "rescale never drops digits");
}

static void
test_classify(void)
{
	ok(rev_classify(0, 0, false) == REV_KIND_NONE && rev_classify(0, 0, true) == REV_KIND_NONE,
	   "0 -> 0 is no movement");
	ok(rev_classify(0, 5, false) == REV_KIND_NEW, "0 -> 5, never paid: new");
	ok(rev_classify(0, 5, true) == REV_KIND_REACTIVATION, "0 -> 5, paid before: reactivation");
	ok(rev_classify(5, 0, true) == REV_KIND_CHURN, "5 -> 0: churn");
	ok(rev_classify(5, 7, true) == REV_KIND_EXPANSION, "5 -> 7: expansion");
	ok(rev_classify(7, 5, true) == REV_KIND_CONTRACTION, "7 -> 5: contraction");
	ok(rev_classify(5, 5, true) == REV_KIND_UNCHANGED, "5 -> 5: unchanged");
	ok(rev_kind_consistent(REV_KIND_REACTIVATION, 0, 5) && rev_kind_consistent(REV_KIND_NEW, 0, 5) &&
	   !rev_kind_consistent(REV_KIND_EXPANSION, 7, 5) && !rev_kind_consistent(REV_KIND_UNCHANGED, 0, 0) &&
	   !rev_kind_consistent(REV_KIND_CHURN, -1, 0), "consistency of kind and amounts");
}

/* Run the sweep on subs over monthly-ish boundaries given in days. */
static int
sweep(rev_subscription *subs, uint32_t n, const int64_t *bound_days, int nperiods,
	  rev_movement *out)
{
	rev_history h = {true, {0, 1, 0, 0, 1}, 2, n, n, subs};
	int64_t		bounds[16];
	char		scratch[1024];
	int			nout = -1;

	for (int k = 0; k <= nperiods; k++)
		bounds[k] = bound_days[k] * DAY;
	if (rev_movements(&h, bounds, nperiods, scratch, out, &nout) != REV_OK)
		return -1;
	return nout;
}

static void
test_sweep(void)
{
	/* Periods [0,30) [30,60) [60,90) [90,120); amounts at scale 2. */
	const int64_t b[] = {0, 30, 60, 90, 120};
	rev_movement m[8];

	{
		/* Starts exactly at 30, ends exactly at 90: before(30) = 0 -> new in
		 * period 0 (its after is the snapshot at 30), churn in period 60. */
		rev_subscription s[] = {{30 * DAY, 90 * DAY, 10000}};
		int			n = sweep(s, 1, b, 4, m);

		ok(n == 3 && m[0].period == 0 && m[0].kind == REV_KIND_NEW && m[0].before == 0 &&
		   m[0].after == 10000 && m[1].kind == REV_KIND_UNCHANGED && m[1].period == 30 * DAY &&
		   m[2].kind == REV_KIND_CHURN && m[2].period == 60 * DAY && m[2].after == 0,
		   "boundary start is new in the period before, boundary end churns in the period before");
	}
	{
		/* Upgrade 100 -> 150 at day 40 and downgrade to 120 at day 50, same
		 * period: one expansion 100 -> 120 (the snapshots only). */
		rev_subscription s[] = {{0, 40 * DAY, 10000}, {40 * DAY, 50 * DAY, 15000},
		{50 * DAY, REV_NEVER, 12000}};
		int			n = sweep(s, 3, b, 4, m);

		ok(n == 4 && m[0].kind == REV_KIND_UNCHANGED && m[0].before == 10000 &&
		   m[1].kind == REV_KIND_EXPANSION && m[1].before == 10000 && m[1].after == 12000 &&
		   m[2].kind == REV_KIND_UNCHANGED && m[3].after == 12000,
		   "upgrade and downgrade in one period net to one expansion; open end keeps going");
	}
	{
		/* Two overlapping subscriptions 50 [0,75) and 30 [20,200). */
		rev_subscription s[] = {{20 * DAY, 200 * DAY, 3000}, {0, 75 * DAY, 5000}};
		int			n = sweep(s, 2, b, 4, m);

		ok(n == 4 && m[0].before == 5000 && m[0].after == 8000 && m[0].kind == REV_KIND_EXPANSION &&
		   m[1].kind == REV_KIND_UNCHANGED && m[2].before == 8000 && m[2].after == 3000 &&
		   m[2].kind == REV_KIND_CONTRACTION && m[3].kind == REV_KIND_UNCHANGED,
		   "overlapping subscriptions add up");
	}
	{
		/* Paid [0,20), gap, back at 70: churn in period 0, nothing in 30,
		 * reactivation in 60. A trial at 0 before it all does not count. */
		rev_subscription s[] = {{-10 * DAY, 0, 0}, {0, 20 * DAY, 4900}, {70 * DAY, REV_NEVER, 4900}};
		int			n = sweep(s, 3, b, 4, m);

		ok(n == 3 && m[0].kind == REV_KIND_CHURN && m[1].period == 60 * DAY &&
		   m[1].kind == REV_KIND_REACTIVATION && m[2].kind == REV_KIND_UNCHANGED,
		   "a gap then reactivation");
	}
	{
		/* Only a trial at 0: no rows. A trial then paid at 45: new. */
		rev_subscription s[] = {{5 * DAY, 19 * DAY, 0}, {45 * DAY, REV_NEVER, 100}};
		int			n = sweep(s, 1, b, 4, m);

		ok(n == 0, "a trial at 0 alone makes no rows");
		n = sweep(s, 2, b, 4, m);
		ok(n == 3 && m[0].period == 30 * DAY && m[0].kind == REV_KIND_NEW, "trial then paid is new");
	}
	{
		/* A paid blip inside period 0 that no snapshot sees, then back at
		 * 45: reactivation (paid before p_1 = 30), per the rule. */
		rev_subscription s[] = {{5 * DAY, 10 * DAY, 100}, {45 * DAY, REV_NEVER, 100}};
		int			n = sweep(s, 2, b, 4, m);

		ok(n == 3 && m[0].period == 30 * DAY && m[0].kind == REV_KIND_REACTIVATION,
		   "an unseen earlier paid subscription makes the return a reactivation");
	}
	{
		/* Zero-length subscription and one that ends where the other starts. */
		rev_subscription s[] = {{30 * DAY, 30 * DAY, 999}, {0, 60 * DAY, 100}, {60 * DAY, REV_NEVER, 100}};
		int			n = sweep(s, 3, b, 4, m);

		ok(n == 4 && m[0].kind == REV_KIND_UNCHANGED && m[1].kind == REV_KIND_UNCHANGED &&
		   m[1].after == 100 && m[2].before == 100, "back-to-back renewal is unchanged; empty subscription is nothing");
	}
	{
		/* More than 16 subscriptions (qsort path): 20 stacked adds of 1. */
		rev_subscription s[20];
		int			n;

		for (int i = 0; i < 20; i++)
			s[i] = (rev_subscription) {(int64_t) (19 - i) * 5 * DAY, REV_NEVER, 1};
		n = sweep(s, 20, b, 4, m);
		/* starts at 0,5,...,95: MRR(0)=1, (30)=7, (60)=13, (90)=19, (120)=20 */
		ok(n == 4 && m[0].before == 1 && m[0].after == 7 && m[2].after == 19 && m[3].after == 20,
		   "many subscriptions sorted correctly");
	}
	{
		rev_subscription s[] = {{0, REV_NEVER, ((rev_amount) 1 << 126)}, {0, REV_NEVER, ((rev_amount) 1 << 126)}};

		ok(sweep(s, 2, b, 4, m) == -1, "a sum overflowing 128 bits is reported");
	}
}

static void
test_history_codec(void)
{
	rev_subscription s[] = {{-5, 10, 4900}, {3, REV_NEVER, 0}};
	rev_history h = {true, {100, 200, 0, 0, 1}, 2, 2, 2, s};
	uint8_t		buf[256];
	rev_subscription back_subs[2];
	rev_history back = {false, {0}, 0, 0, 2, back_subs};
	uint32_t	n;
	size_t		len = rev_history_encoded_size(&h);

	rev_history_encode(&h, buf);
	ok(rev_history_decode_count(buf, len, &n) == REV_OK && n == 2 &&
	   rev_history_decode(buf, len, &back) == REV_OK && back.has_window &&
	   rev_window_equal(&back.window, &h.window) && back.scale == 2 && back.nsubs == 2 &&
	   back_subs[0].started_at == -5 && back_subs[1].ended_at == REV_NEVER && back_subs[0].mrr == 4900,
	   "history round trip");
	ok(rev_history_decode_count(buf, len - 1, &n) != REV_OK, "truncated history refused");
	buf[len - 1] ^= 0x80;		/* the last mrr becomes negative */
	ok(rev_history_decode(buf, len, &back) == REV_ERR_CORRUPT, "negative mrr refused");
	buf[len - 1] ^= 0x80;
	buf[0] = 0;
	ok(rev_history_decode(buf, len, &back) == REV_ERR_CORRUPT, "rows without a window refused");
	buf[0] = 1;
	back.capacity = 1;
	ok(rev_history_decode(buf, len, &back) == REV_ERR_CORRUPT, "more rows than room refused");
}

static void
test_totals(void)
{
	rev_totals	t;
	rev_totals	u;
	uint8_t		buf[REV_TOTALS_ENCODED_SIZE];

	rev_totals_init(&t);
	/* start 100 + new 20 + expansion 5 + react 7 - contraction 30 - churn 40 = 62 */
	ok(rev_totals_add(&t, REV_KIND_NEW, 0, 2000, 2) == REV_OK &&
	   rev_totals_add(&t, REV_KIND_EXPANSION, 10, 15, 0) == REV_OK &&
	   rev_totals_add(&t, REV_KIND_REACTIVATION, 0, 7, 0) == REV_OK &&
	   rev_totals_add(&t, REV_KIND_CONTRACTION, 50, 20, 0) == REV_OK &&
	   rev_totals_add(&t, REV_KIND_CHURN, 40, 0, 0) == REV_OK, "add rows of mixed scales");
	ok(t.scale == 2 && t.start_mrr == 10000 && t.end_mrr == 6200 && t.new_mrr == 2000 &&
	   t.expansion_mrr == 500 && t.reactivation_mrr == 700 && t.contraction_mrr == 3000 &&
	   t.churned_mrr == 4000, "amounts pooled at scale 2");
	ok(t.start_customers == 3 && t.end_customers == 4 && t.new_customers == 1 &&
	   t.churned_customers == 1 && rev_totals_valid(&t), "counts and identities hold");
	u = t;
	ok(rev_totals_merge(&u, &t) == REV_OK && u.end_mrr == 12400 && u.end_customers == 8 &&
	   rev_totals_valid(&u), "merge doubles");
	t.has_period = true;
	t.period = 123;
	rev_totals_encode(&t, buf);
	ok(rev_totals_decode(buf, sizeof(buf), &u) == REV_OK && memcmp(&u.start_mrr, &t.start_mrr, sizeof(rev_amount)) == 0 &&
	   u.period == 123 && u.has_period && u.end_customers == 4, "totals round trip");
	buf[13] ^= 1;				/* start_mrr changes: the identity breaks */
	ok(rev_totals_decode(buf, sizeof(buf), &u) == REV_ERR_CORRUPT, "broken identity refused");
	ok(rev_totals_decode(buf, sizeof(buf) - 1, &u) == REV_ERR_CORRUPT, "wrong length refused");
}

static void
test_billing(void)
{
	rev_amount	n;
	rev_amount	d;

	ok(rev_billing_factor(1, 0, 0, &n, &d) && n == 1 && d == 1, "monthly: x 1");
	ok(rev_billing_factor(12, 0, 0, &n, &d) && n == 1 && d == 12, "yearly: / 12");
	ok(rev_billing_factor(3, 0, 0, &n, &d) && n == 1 && d == 3, "quarterly: / 3");
	ok(rev_billing_factor(0, 7, 0, &n, &d) && n == 13 && d == 3, "weekly: x 52/12 = 13/3");
	ok(rev_billing_factor(0, 14, 0, &n, &d) && n == 13 && d == 6, "fortnightly: x 26/12");
	ok(rev_billing_factor(0, 1, 0, &n, &d) && n == 91 && d == 3, "daily: x 364/12");
	ok(rev_billing_factor(0, 0, 86400LL * 1000000, &n, &d) && n == 91 && d == 3, "24 hours = 1 day");
	ok(rev_billing_factor(1, 7, 0, &n, &d) && n == 13 && d == 16, "1 month 7 days: 30 1/3 / 37 1/3 = 13/16");
	ok(!rev_billing_factor(0, 0, 0, &n, &d) && !rev_billing_factor(1, -1, 0, &n, &d) &&
	   !rev_billing_factor(-12, 0, 0, &n, &d), "non-positive periods refused");
}

int
main(void)
{
	test_decimals();
	test_classify();
	test_sweep();
	test_history_codec();
	test_totals();
	test_billing();
	return done_testing();
}
