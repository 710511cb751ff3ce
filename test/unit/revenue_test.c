/*
 * revenue_test.c: unit tests of the revenue core (no server).
 * Expected values are worked out by hand in the comments, or computed by a
 * brute-force reference written out plainly below (snapshots by direct
 * sums, totals by loops over the rows).
 */
#include <string.h>

#include "revenue/revenue.h"
#include "tap.h"

#define DAY ((int64_t) 86400 * 1000000)

/* A small deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static int
rng_below(int n)
{
	return (int) (rng() % (uint64_t) n);
}

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
	rev_decimal d;

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

	d = rev_decimal_trim((rev_decimal) {8000, 4});
	ok(d.units == 8 && d.scale == 1, "0.8000 trims to 0.8");
	d = rev_decimal_trim((rev_decimal) {1200, 2});
	ok(d.units == 12 && d.scale == 0, "12.00 trims to 12, never past the point");
	d = rev_decimal_trim((rev_decimal) {0, 3});
	ok(d.units == 0 && d.scale == 0, "0.000 trims to 0");
}

static void
test_classify(void)
{
	rev_kind	k;

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
	ok(rev_classify_amounts(-1, 5, true, &k) == REV_ERR_NEGATIVE &&
	   rev_classify_amounts(5, -1, true, &k) == REV_ERR_NEGATIVE, "the classifier refuses negative MRR");
	ok(rev_classify_amounts(0, 5, false, &k) == REV_OK && k == REV_KIND_NEW, "the classifier classifies");
}

static void
test_rules(void)
{
	rev_window	w = {0, 10, 0, 0, 1};
	int64_t		bounds[3] = {0, 5, 0};
	bool		last = false;
	rev_basis	b = REV_BASIS_UNSET;
	rev_amount	m;
	rev_decimal d;
	rev_numclass pos_below_one = {false, 1, -1};
	rev_numclass one = {false, 1, 0};
	rev_numclass zero = {false, 0, -1};
	rev_numclass negative = {false, -1, -1};
	rev_numclass above_one = {false, 1, 1};
	rev_numclass nan = {true, 0, 0};

	ok(rev_window_check(&w) == REV_OK, "a window of one month");
	w.period_to = 0;
	ok(rev_window_check(&w) == REV_ERR_EMPTY_WINDOW, "period_to = period_from is empty");
	w.period_to = 10;
	w.grain_months = 0;
	ok(rev_window_check(&w) == REV_ERR_GRAIN_NOT_POSITIVE, "a zero grain is not positive");
	w.grain_months = 1;
	w.grain_days = -1;
	ok(rev_window_check(&w) == REV_ERR_GRAIN_NOT_POSITIVE, "a grain with a negative part is not positive");
	ok(REV_DEFAULT_GRAIN_MONTHS == 1, "the default grain is one month");

	ok(rev_bound_step(bounds, 0, 0, 10, &last) == REV_OK && !last, "p_0 before period_to: go on");
	ok(rev_bound_step(bounds, 2, 10, 10, &last) == REV_OK && last, "p_k at period_to closes the last period");
	ok(rev_bound_step(bounds, 2, 5, 10, &last) == REV_ERR_NOT_FORWARD, "a boundary must move forward");
	{
		static int64_t many[REV_MAX_PERIODS + 1];

		for (int k = 0; k < REV_MAX_PERIODS; k++)
			many[k] = k - REV_MAX_PERIODS;
		ok(rev_bound_step(many, REV_MAX_PERIODS, 11, 10, &last) == REV_OK && last,
		   "10,000 periods are allowed");
		ok(rev_bound_step(many, REV_MAX_PERIODS, 9, 10, &last) == REV_ERR_TOO_MANY_PERIODS,
		   "a 10,001st period is not");
	}

	ok(rev_subscription_check(5, 5, 0) == REV_OK, "a zero-length free subscription is fine");
	ok(rev_subscription_check(5, 4, 10) == REV_ERR_ENDS_BEFORE_START, "ending before the start is refused");
	ok(rev_subscription_check(5, REV_NEVER, -1) == REV_ERR_NEGATIVE, "negative mrr is refused");

	ok(rev_basis_parse("logo", 4, &b) == REV_OK && b == REV_BASIS_LOGO &&
	   rev_basis_parse("gross_mrr", 9, &b) == REV_OK && b == REV_BASIS_GROSS_MRR &&
	   rev_basis_parse("net_mrr", 7, &b) == REV_OK && b == REV_BASIS_NET_MRR, "the three bases");
	ok(rev_basis_parse("Logo", 4, &b) == REV_ERR_UNKNOWN_BASIS && rev_basis_parse("", 0, &b) == REV_ERR_UNKNOWN_BASIS &&
	   rev_basis_parse("logox", 4, &b) == REV_OK && rev_basis_parse("logox", 5, &b) == REV_ERR_UNKNOWN_BASIS,
	   "bases are exact, by length");

	ok(rev_margin_check(pos_below_one) == REV_OK && rev_margin_check(one) == REV_OK, "margins in (0, 1]");
	ok(rev_margin_check(zero) == REV_ERR_MARGIN_RANGE && rev_margin_check(negative) == REV_ERR_MARGIN_RANGE &&
	   rev_margin_check(above_one) == REV_ERR_MARGIN_RANGE && rev_margin_check(nan) == REV_ERR_MARGIN_RANGE,
	   "margins 0, negative, above 1 and NaN refused");
	ok(rev_margin_normalize(8, 1, &m) == REV_OK && m == REV_MARGIN_ONE / 10 * 8, "0.8 normalized");
	ok(rev_margin_normalize(80, 2, &m) == REV_OK && m == REV_MARGIN_ONE / 10 * 8, "0.80 is the same margin");
	d = rev_margin_decimal(m);
	ok(d.units == 8 && d.scale == 1, "and reads back as 0.8");
	d = rev_margin_decimal(REV_MARGIN_ONE);
	ok(d.units == 1 && d.scale == 0, "a margin of 1 reads back as 1");
	ok(rev_margin_normalize(11, 1, &m) == REV_ERR_MARGIN_RANGE && rev_margin_normalize(0, 0, &m) == REV_ERR_MARGIN_RANGE,
	   "normalizing checks the range too");

	ok(rev_ltv_formula_check(pos_below_one, pos_below_one, one) == REV_OK, "ltv formula: fine");
	ok(rev_ltv_formula_check(zero, pos_below_one, one) == REV_OK, "ltv formula: arpa 0 is fine");
	ok(rev_ltv_formula_check(pos_below_one, zero, one) == REV_UNDEFINED, "ltv formula: churn 0 gives NULL");
	ok(rev_ltv_formula_check(negative, pos_below_one, one) == REV_ERR_ARPA_RANGE &&
	   rev_ltv_formula_check(nan, pos_below_one, one) == REV_ERR_ARPA_RANGE, "ltv formula: arpa negative or NaN");
	ok(rev_ltv_formula_check(pos_below_one, above_one, one) == REV_ERR_CHURN_RANGE &&
	   rev_ltv_formula_check(pos_below_one, negative, one) == REV_ERR_CHURN_RANGE &&
	   rev_ltv_formula_check(pos_below_one, nan, one) == REV_ERR_CHURN_RANGE, "ltv formula: churn outside [0, 1]");
	ok(rev_ltv_formula_check(pos_below_one, pos_below_one, zero) == REV_ERR_MARGIN_RANGE,
	   "ltv formula: margin checked");
	ok(rev_ltv_formula_check(negative, above_one, zero) == REV_ERR_ARPA_RANGE,
	   "ltv formula: arpa is checked first");
}

/* Run the sweep on subs over boundaries given in days. */
static int
sweep(rev_subscription *subs, uint32_t n, const int64_t *bound_days, int nperiods,
	  rev_movement *out)
{
	rev_history h = {true, {0, 1, 0, 0, 1}, 2, n, n, subs};
	int64_t		bounds[16];
	char		scratch[2048];
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
		/* Review item 7: a paid subscription [5,10) strictly inside period 0
		 * never shows at a boundary, so coming back at 45 is new, not a
		 * reactivation (1.0 said reactivation and never counted it new). */
		rev_subscription s[] = {{5 * DAY, 10 * DAY, 100}, {45 * DAY, REV_NEVER, 100}};
		int			n = sweep(s, 2, b, 4, m);

		ok(n == 3 && m[0].period == 30 * DAY && m[0].kind == REV_KIND_NEW,
		   "a paid blip between two boundaries does not make the return a reactivation");
	}
	{
		/* The other side: the same blip before p_0, [-20,-10), was paying at
		 * an instant before the sweep: reactivation. */
		rev_subscription s[] = {{-20 * DAY, -10 * DAY, 100}, {45 * DAY, REV_NEVER, 100}};
		int			n = sweep(s, 2, b, 4, m);

		ok(n == 3 && m[0].period == 30 * DAY && m[0].kind == REV_KIND_REACTIVATION,
		   "a paid subscription entirely before period_from makes the return a reactivation");
	}
	{
		/* Ending exactly at p_0, [-20, 0): paying at -20 < p_0 (not at p_0). */
		rev_subscription s[] = {{-20 * DAY, 0, 100}, {45 * DAY, REV_NEVER, 100}};
		int			n = sweep(s, 2, b, 4, m);

		ok(n == 3 && m[0].kind == REV_KIND_REACTIVATION, "paid until exactly period_from counts as paid before");
	}
	{
		/* A zero-length paid subscription before p_0 never paid. */
		rev_subscription s[] = {{-20 * DAY, -20 * DAY, 100}, {45 * DAY, REV_NEVER, 100}};
		int			n = sweep(s, 2, b, 4, m);

		ok(n == 3 && m[0].kind == REV_KIND_NEW, "an empty paid subscription before period_from never paid");
	}
	{
		/* Paying over the boundary 30, [25, 35): new in period 0 (0 -> 100 at
		 * 30), churn in period 30, and back at 70: reactivation. */
		rev_subscription s[] = {{25 * DAY, 35 * DAY, 100}, {70 * DAY, REV_NEVER, 100}};
		int			n = sweep(s, 2, b, 4, m);

		ok(n == 4 && m[0].kind == REV_KIND_NEW && m[1].kind == REV_KIND_CHURN &&
		   m[2].period == 60 * DAY && m[2].kind == REV_KIND_REACTIVATION,
		   "paying at a boundary makes a later return a reactivation");
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

/* MRR at t by direct sum: the definition, with no sweep. */
static rev_amount
brute_mrr(const rev_subscription *s, int n, int64_t t)
{
	rev_amount	sum = 0;

	for (int i = 0; i < n; i++)
		if (s[i].started_at <= t && t < s[i].ended_at)
			sum += s[i].mrr;
	return sum;
}

/* The sweep against the definitions, on random histories. */
static void
test_sweep_brute_force(void)
{
	int			failures = 0;

	for (int trial = 0; trial < 3000; trial++)
	{
		rev_subscription s[12];
		int			n = 1 + rng_below(12);
		int			nperiods = 1 + rng_below(7);
		int64_t		bounds[9];
		rev_history h = {true, {0, 1, 0, 0, 1}, 0, (uint32_t) n, (uint32_t) n, s};
		char		scratch[1024];
		rev_movement out[8];
		int			nout;
		int			j = 0;
		bool		paid;

		bounds[0] = rng_below(20) - 10;
		for (int k = 1; k <= nperiods; k++)
			bounds[k] = bounds[k - 1] + 1 + rng_below(10);
		for (int i = 0; i < n; i++)
		{
			int64_t		a = rng_below(100) - 30;
			int64_t		len = rng_below(4) == 0 ? 0 : rng_below(30);

			s[i].started_at = a;
			s[i].ended_at = rng_below(5) == 0 ? REV_NEVER : a + len;
			s[i].mrr = rng_below(3) == 0 ? 0 : 1 + rng_below(5);
		}
		if (rev_movements(&h, bounds, nperiods, scratch, out, &nout) != REV_OK)
		{
			failures++;
			continue;
		}
		/* paid before p_0: a paid subscription running at some instant < p_0 */
		paid = false;
		for (int i = 0; i < n; i++)
			if (s[i].mrr > 0 && s[i].started_at < s[i].ended_at && s[i].started_at < bounds[0])
				paid = true;
		for (int k = 0; k < nperiods; k++)
		{
			rev_amount	before = brute_mrr(s, n, bounds[k]);
			rev_amount	after = brute_mrr(s, n, bounds[k + 1]);
			bool		paid_before = paid;
			rev_kind	kind;

			/* ... or MRR > 0 at an earlier boundary of the sweep */
			for (int e = 0; e < k; e++)
				if (brute_mrr(s, n, bounds[e]) > 0)
					paid_before = true;
			if (before == 0 && after == 0)
				continue;
			if (before == 0)
				kind = paid_before ? REV_KIND_REACTIVATION : REV_KIND_NEW;
			else if (after == 0)
				kind = REV_KIND_CHURN;
			else if (after > before)
				kind = REV_KIND_EXPANSION;
			else if (after < before)
				kind = REV_KIND_CONTRACTION;
			else
				kind = REV_KIND_UNCHANGED;
			if (j >= nout || out[j].period != bounds[k] || out[j].kind != kind ||
				out[j].before != before || out[j].after != after)
				failures++;
			j++;
		}
		if (j != nout)
			failures++;
	}
	ok(failures == 0, "3,000 random histories: every row equals the definitions (%d failures)", failures);
}

static void
test_history(void)
{
	rev_subscription s[] = {{-5, 10, 4900}, {3, REV_NEVER, 0}};
	rev_history h = {true, {100, 200, 0, 0, 1}, 2, 2, 2, s};
	uint8_t		buf[256];
	rev_subscription back_subs[2];
	rev_history back = {false, {0}, 0, 0, 2, back_subs};
	uint32_t	n;
	size_t		len = rev_history_encoded_size(&h);
	rev_subscription room[4];
	rev_history a = {false, {0}, 0, 0, 4, room};
	rev_subscription other_subs[] = {{0, 5, 7}};
	rev_history other = {true, {100, 200, 0, 0, 1}, 0, 1, 1, other_subs};

	rev_history_encode(&h, buf);
	ok(buf[0] == REV_HISTORY_VERSION && buf[1] == 1 && buf[2] == 100 && buf[3] == 0,
	   "history bytes: version first, then little-endian fields");
	ok(rev_history_decode_count(buf, len, &n) == REV_OK && n == 2 &&
	   rev_history_decode(buf, len, &back) == REV_OK && back.has_window &&
	   rev_window_equal(&back.window, &h.window) && back.scale == 2 && back.nsubs == 2 &&
	   back_subs[0].started_at == -5 && back_subs[1].ended_at == REV_NEVER && back_subs[0].mrr == 4900,
	   "history round trip");
	ok(rev_history_decode_count(buf, len - 1, &n) == REV_ERR_BAD_LENGTH, "truncated history refused");
	buf[0] = 9;
	ok(rev_history_decode_count(buf, len, &n) == REV_ERR_BAD_VERSION, "unknown version refused");
	buf[0] = REV_HISTORY_VERSION;
	buf[len - 1] ^= 0x80;		/* the last mrr becomes negative */
	ok(rev_history_decode(buf, len, &back) == REV_ERR_CORRUPT, "negative mrr refused");
	buf[len - 1] ^= 0x80;
	buf[1] = 0;
	ok(rev_history_decode(buf, len, &back) == REV_ERR_CORRUPT, "rows without a window refused");
	buf[1] = 1;
	back.capacity = 1;
	ok(rev_history_decode(buf, len, &back) == REV_ERR_NO_ROOM, "more rows than room refused");

	/* Adding keeps one scale, the largest seen: 49 then 0.125 -> scale 3. */
	ok(rev_history_add(&a, 0, 10, 49, 0) == REV_OK && rev_history_add(&a, 5, REV_NEVER, 125, 3) == REV_OK &&
	   a.scale == 3 && room[0].mrr == 49000 && room[1].mrr == 125, "history add rescales to the largest scale");
	a.has_window = true;
	a.window = other.window;
	ok(rev_history_merge(&a, &other) == REV_OK && a.nsubs == 3 && room[2].mrr == 7000,
	   "history merge appends at the common scale");
	other.window.period_to = 300;
	ok(rev_history_merge(&a, &other) == REV_ERR_OPTION_CHANGED, "histories of different windows do not merge");
	other.window.period_to = 200;
	a.capacity = 3;
	ok(rev_history_merge(&a, &other) == REV_ERR_NO_ROOM && a.nsubs == 3, "merging needs room made first");
	a.capacity = 4;
	ok(rev_history_add(&a, 0, 1, (rev_amount) 1 << 125, 0) == REV_ERR_OVERFLOW && a.nsubs == 3,
	   "an amount too large at the history's scale is refused");
}

/* ---- totals ------------------------------------------------------------ */

typedef struct row
{
	int64_t		period;
	rev_kind	kind;
	rev_amount	before;
	rev_amount	after;
} row;

/* The expected totals of rows, by plain loops over them. */
static void
brute_totals(const row *rows, int n, rev_totals *t)
{
	int64_t		first = INT64_MAX;
	int64_t		last = INT64_MIN;

	rev_totals_init(t);
	if (n == 0)
		return;
	t->flags = REV_TOTALS_HAS_ROWS;
	for (int i = 0; i < n; i++)
	{
		if (rows[i].period < first)
			first = rows[i].period;
		if (rows[i].period > last)
			last = rows[i].period;
	}
	t->first_period = first;
	t->last_period = last;
	for (int i = 0; i < n; i++)
	{
		const row  *r = &rows[i];

		if (r->period == first)
		{
			t->start_mrr += r->before;
			t->start_customers += r->before > 0;
		}
		if (r->period == last)
		{
			t->end_mrr += r->after;
			t->end_customers += r->after > 0;
		}
		t->pooled_start_mrr += r->before;
		t->pooled_end_mrr += r->after;
		t->pooled_start_customers += r->before > 0;
		t->pooled_end_customers += r->after > 0;
		if (r->kind == REV_KIND_NEW)
			t->new_mrr += r->after, t->new_customers++;
		if (r->kind == REV_KIND_REACTIVATION)
			t->reactivation_mrr += r->after, t->reactivated_customers++;
		if (r->kind == REV_KIND_EXPANSION)
			t->expansion_mrr += r->after - r->before, t->expanded_customers++;
		if (r->kind == REV_KIND_CONTRACTION)
			t->contraction_mrr += r->before - r->after, t->contracted_customers++;
		if (r->kind == REV_KIND_CHURN)
			t->churned_mrr += r->before, t->churned_customers++;
	}
}

/*
 * Random customers over consecutive periods: each customer's MRR is a walk,
 * so one row's after is the next row's before, as mrr_movement makes them.
 */
static int
random_rows(row *rows, int max, int nperiods, int ncustomers)
{
	int			n = 0;

	for (int c = 0; c < ncustomers; c++)
	{
		rev_amount	level = rng_below(2) ? 0 : 100 * (1 + rng_below(5));
		bool		paid = level > 0;

		for (int k = 0; k < nperiods && n < max; k++)
		{
			rev_amount	next = rng_below(3) == 0 ? 0 : 100 * rng_below(6);
			rev_kind	kind;

			if (rng_below(2))
				next = level;
			kind = rev_classify(level, next, paid && rng_below(2));
			if (kind != REV_KIND_NONE)
				rows[n++] = (row) {1000 + k * 10, kind, level, next};
			if (next > 0)
				paid = true;
			level = next;
		}
	}
	return n;
}

static bool
totals_equal(const rev_totals *a, const rev_totals *b)
{
	uint8_t		ea[REV_TOTALS_ENCODED_SIZE];
	uint8_t		eb[REV_TOTALS_ENCODED_SIZE];

	rev_totals_encode(a, ea);
	rev_totals_encode(b, eb);
	return memcmp(ea, eb, sizeof(ea)) == 0;
}

/* Totals of rows[lo..hi) added one by one. */
static rev_status
add_rows(rev_totals *t, const row *rows, int lo, int hi, bool one_period)
{
	rev_totals_init(t);
	for (int i = lo; i < hi; i++)
	{
		rev_status	st = rev_totals_add_row(t, rows[i].period, rows[i].kind, rows[i].before,
											rows[i].after, 0, one_period);

		if (st != REV_OK)
			return st;
	}
	return REV_OK;
}

static void
test_totals_hand(void)
{
	rev_totals	t;
	rev_totals	u;
	rev_ratio	r;
	uint8_t		buf[REV_TOTALS_ENCODED_SIZE];

	rev_totals_init(&t);
	ok(rev_totals_check(&t) == REV_OK && !rev_totals_has_rows(&t), "empty totals are valid");
	/* One period: start 100 + new 20 + expansion 5 + react 7 - contraction 30 - churn 40 = 62 */
	ok(rev_totals_add_row(&t, 7, REV_KIND_NEW, 0, 2000, 2, true) == REV_OK &&
	   rev_totals_add_row(&t, 7, REV_KIND_EXPANSION, 10, 15, 0, true) == REV_OK &&
	   rev_totals_add_row(&t, 7, REV_KIND_REACTIVATION, 0, 7, 0, true) == REV_OK &&
	   rev_totals_add_row(&t, 7, REV_KIND_CONTRACTION, 50, 20, 0, true) == REV_OK &&
	   rev_totals_add_row(&t, 7, REV_KIND_CHURN, 40, 0, 0, true) == REV_OK, "add rows of mixed scales");
	ok(t.scale == 2 && t.start_mrr == 10000 && t.end_mrr == 6200 && t.new_mrr == 2000 &&
	   t.expansion_mrr == 500 && t.reactivation_mrr == 700 && t.contraction_mrr == 3000 &&
	   t.churned_mrr == 4000 && t.pooled_start_mrr == 10000 && t.pooled_end_mrr == 6200,
	   "amounts pooled at scale 2");
	ok(t.start_customers == 3 && t.end_customers == 4 && t.new_customers == 1 &&
	   t.churned_customers == 1 && rev_totals_check(&t) == REV_OK && rev_totals_chained(&t) == REV_OK,
	   "counts and identities hold");
	ok(rev_totals_add_row(&t, 8, REV_KIND_NEW, 0, 1, 0, true) == REV_ERR_MIXED_PERIODS,
	   "mrr_bridge: a row of another period is refused");
	ok(rev_totals_add_row(&t, 7, REV_KIND_EXPANSION, 10, 5, 0, true) == REV_ERR_INCONSISTENT_ROW &&
	   rev_totals_add_row(&t, 7, REV_KIND_NEW, 0, 0, 0, true) == REV_ERR_INCONSISTENT_ROW &&
	   rev_totals_add_row(&t, 7, REV_KIND_NEW, -1, 5, 0, true) == REV_ERR_INCONSISTENT_ROW,
	   "rows whose kind contradicts their amounts are refused");

	/* Churn: logo 1/3; gross (40 + 30) / 100; net (70 - 5 - 7) / 100 = 58 / 100. */
	ok(rev_totals_churn(&t, REV_BASIS_UNSET, &r) == REV_OK && r.nnum == 1 && r.nden == 1 &&
	   r.num[0].units == 1 && r.den[0].units == 3 && r.num[0].scale == 0, "logo churn 1 / 3");
	ok(rev_totals_churn(&t, REV_BASIS_GROSS_MRR, &r) == REV_OK && r.num[0].units == 7000 &&
	   r.num[0].scale == 2 && r.den[0].units == 10000, "gross MRR churn 70.00 / 100.00");
	ok(rev_totals_churn(&t, REV_BASIS_NET_MRR, &r) == REV_OK && r.num[0].units == 5800 &&
	   r.den[0].units == 10000, "net MRR churn 58.00 / 100.00");
	/* LTV: 62.00 x 3 customers at start x 0.8 / (4 paying x 1 churned). */
	ok(rev_totals_ltv(&t, REV_MARGIN_ONE / 10 * 8, &r) == REV_OK && r.nnum == 3 && r.nden == 2 &&
	   r.num[0].units == 6200 && r.num[0].scale == 2 && r.num[1].units == 3 &&
	   r.num[2].units == 8 && r.num[2].scale == 1 && r.den[0].units == 4 && r.den[1].units == 1,
	   "LTV 62.00 x 3 x 0.8 / (4 x 1)");
	ok(rev_totals_ltv(&t, 0, &r) == REV_OK && r.nnum == 2, "LTV without a margin has no margin factor");

	u = t;
	ok(rev_totals_merge(&u, &t) == REV_OK && u.end_mrr == 12400 && u.end_customers == 8 &&
	   u.start_mrr == 20000 && rev_totals_check(&u) == REV_OK, "merging the same period adds (segments)");

	rev_totals_encode(&t, buf);
	ok(buf[0] == REV_TOTALS_VERSION && buf[1] == REV_TOTALS_HAS_ROWS && buf[3] == 2 &&
	   buf[4 + 16] == 7 && buf[4 + 16 + 1] == 0, "totals bytes: version, flags, basis, scale, then little-endian");
	ok(rev_totals_decode(buf, sizeof(buf), &u) == REV_OK && totals_equal(&u, &t), "totals round trip");
	buf[4 + 16 + 16] ^= 1;		/* start_mrr changes: an identity breaks */
	ok(rev_totals_decode(buf, sizeof(buf), &u) == REV_ERR_CORRUPT, "a broken identity is refused");
	buf[4 + 16 + 16] ^= 1;
	ok(rev_totals_decode(buf, sizeof(buf) - 1, &u) == REV_ERR_BAD_LENGTH, "the wrong length is refused");
	buf[0] = 2;
	ok(rev_totals_decode(buf, sizeof(buf), &u) == REV_ERR_BAD_VERSION, "an unknown version is refused");
	buf[0] = REV_TOTALS_VERSION;
	buf[2] = 4;
	ok(rev_totals_decode(buf, sizeof(buf), &u) == REV_ERR_CORRUPT, "an unknown basis is refused");
	buf[2] = 0;
	buf[1] = 3;
	ok(rev_totals_decode(buf, sizeof(buf), &u) == REV_ERR_CORRUPT, "unknown flags are refused");
	buf[1] = 0;
	ok(rev_totals_decode(buf, sizeof(buf), &u) == REV_ERR_CORRUPT, "rows without the rows flag are refused");
	buf[1] = REV_TOTALS_HAS_ROWS;
	buf[3] = 21;
	ok(rev_totals_decode(buf, sizeof(buf), &u) == REV_ERR_CORRUPT, "a scale above 20 is refused");
	buf[3] = 2;

	/* Options: checked on every row and every merge. */
	rev_totals_init(&u);
	ok(rev_totals_set_basis(&u, REV_BASIS_GROSS_MRR) == REV_OK &&
	   rev_totals_set_basis(&u, REV_BASIS_GROSS_MRR) == REV_OK &&
	   rev_totals_set_basis(&u, REV_BASIS_NET_MRR) == REV_ERR_OPTION_CHANGED, "the basis may not change");
	ok(rev_totals_set_margin(&u, 5) == REV_OK && rev_totals_set_margin(&u, 6) == REV_ERR_OPTION_CHANGED,
	   "the margin may not change");
	ok(rev_totals_merge(&u, &t) == REV_OK && u.basis == REV_BASIS_GROSS_MRR && u.margin == 5 &&
	   u.end_mrr == 6200, "rows merge into a state that has only options, which stay");
	t.basis = REV_BASIS_LOGO;
	ok(rev_totals_merge(&u, &t) == REV_ERR_OPTION_CHANGED && u.end_mrr == 6200,
	   "states of different bases do not merge, and nothing changes");
	t.basis = REV_BASIS_UNSET;

	/* Nothing but options, then no rows: NULL results. */
	rev_totals_init(&u);
	ok(rev_totals_churn(&u, REV_BASIS_LOGO, &r) == REV_UNDEFINED &&
	   rev_totals_churn(&u, REV_BASIS_GROSS_MRR, &r) == REV_UNDEFINED &&
	   rev_totals_ltv(&u, 0, &r) == REV_UNDEFINED, "no rows: no churn, no LTV");
}

static void
test_totals_chain(void)
{
	/* Two months of two customers.  A: 100 -> 150 (expansion) -> 150
	 * (unchanged); B: 0 -> 50 (new) -> 0 (churn). */
	row			rows[] = {
		{1, REV_KIND_EXPANSION, 100, 150}, {2, REV_KIND_UNCHANGED, 150, 150},
		{1, REV_KIND_NEW, 0, 50}, {2, REV_KIND_CHURN, 50, 0}
	};
	rev_totals	jan;
	rev_totals	feb;
	rev_totals	t;
	rev_totals	q;

	add_rows(&t, rows, 0, 4, false);
	/* start 100 (January) + 50 + 50 - 50 = 150 (end of February). */
	ok(t.first_period == 1 && t.last_period == 2 && t.start_mrr == 100 && t.end_mrr == 150 &&
	   t.start_customers == 1 && t.end_customers == 1 && t.pooled_start_mrr == 300 &&
	   t.pooled_start_customers == 3 && t.pooled_end_customers == 3 &&
	   rev_totals_chained(&t) == REV_OK && rev_totals_check(&t) == REV_OK,
	   "two consecutive months chain: 100 + 50 new + 50 expansion - 50 churn = 150");
	ok(rev_totals_one_period(&t) == REV_ERR_MIXED_PERIODS, "and are more than one period");

	rev_totals_init(&jan);
	rev_totals_init(&feb);
	for (int i = 0; i < 4; i++)
		rev_totals_add_row(rows[i].period == 1 ? &jan : &feb, rows[i].period, rows[i].kind,
						   rows[i].before, rows[i].after, 0, true);
	q = feb;
	ok(rev_totals_merge(&q, &jan) == REV_OK && totals_equal(&q, &t),
	   "rolling up February then January equals the two months at once");

	/* January twice: 200 + 100 + 100 = 400, but February ends at 150. */
	q = jan;
	rev_totals_merge(&q, &jan);
	rev_totals_merge(&q, &feb);
	ok(rev_totals_check(&q) == REV_OK && rev_totals_chained(&q) == REV_ERR_NOT_CHAINED,
	   "a month counted twice does not chain");

	/* January and March: start 100 + 100 movements, but the end is March's. */
	feb.first_period = feb.last_period = 3;
	q = jan;
	rev_totals_merge(&q, &feb);
	ok(rev_totals_chained(&q) == REV_OK,
	   "a missing month whose movements net to zero passes (documented limit)");
	{
		row			more[] = {{1, REV_KIND_NEW, 0, 70}};
		rev_totals	x;

		add_rows(&x, more, 0, 1, false);
		rev_totals_merge(&x, &q);
		/* Jan start 100 + (70 + 50 + 50 - 50) = 220, March ends at 150. */
		ok(rev_totals_chained(&x) == REV_ERR_NOT_CHAINED,
		   "a missing month whose movements do not net to zero is caught");
	}
}

/* Totals of random rows: any split, any merge order, the same value. */
static void
test_totals_brute_force(void)
{
	int			failures = 0;
	int			chain_failures = 0;
	int			broken_caught = 0;
	int			broken = 0;

	for (int trial = 0; trial < 500; trial++)
	{
		row			rows[200];
		int			n = random_rows(rows, 200, 1 + rng_below(6), 1 + rng_below(30));
		rev_totals	expect;
		rev_totals	serial;
		rev_totals	parts[8];
		int			nparts = 1 + rng_below(8);
		int			cut[9];
		rev_totals	merged;

		brute_totals(rows, n, &expect);
		if (add_rows(&serial, rows, 0, n, false) != REV_OK || !totals_equal(&serial, &expect) ||
			rev_totals_check(&serial) != REV_OK)
			failures++;
		if (rev_totals_chained(&serial) != REV_OK)
			chain_failures++;

		/* Shuffle, split into parts, merge the parts in a random order. */
		for (int i = n - 1; i > 0; i--)
		{
			int			j = rng_below(i + 1);
			row			tmp = rows[i];

			rows[i] = rows[j];
			rows[j] = tmp;
		}
		cut[0] = 0;
		cut[nparts] = n;
		for (int p = 1; p < nparts; p++)
			cut[p] = rng_below(n + 1);
		for (int p = 1; p < nparts; p++)	/* sort the cuts */
			for (int q = p; q > 1 && cut[q - 1] > cut[q]; q--)
			{
				int			tmp = cut[q];

				cut[q] = cut[q - 1];
				cut[q - 1] = tmp;
			}
		for (int p = 0; p < nparts; p++)
			add_rows(&parts[p], rows, cut[p], cut[p + 1], false);
		rev_totals_init(&merged);
		while (nparts > 0)
		{
			int			p = rng_below(nparts);
			rev_totals	a = parts[p];

			if (rng_below(2))
			{
				rev_totals_merge(&a, &merged);
				merged = a;
			}
			else
				rev_totals_merge(&merged, &a);
			parts[p] = parts[--nparts];
		}
		if (!totals_equal(&merged, &expect))
			failures++;

		/* Drop the rows of one period that nets to nonzero: caught. */
		if (n > 0 && expect.first_period != expect.last_period)
		{
			int64_t		gone = rows[rng_below(n)].period;
			row			kept[200];
			int			m = 0;
			rev_amount	net = 0;
			int64_t		net_customers = 0;
			rev_totals	t;

			for (int i = 0; i < n; i++)
				if (rows[i].period != gone)
					kept[m++] = rows[i];
				else
				{
					net += rows[i].after - rows[i].before;
					net_customers += (rows[i].after > 0) - (rows[i].before > 0);
				}
			if (gone != expect.first_period && gone != expect.last_period &&
				(net != 0 || net_customers != 0))
			{
				broken++;
				add_rows(&t, kept, 0, m, false);
				if (rev_totals_chained(&t) == REV_ERR_NOT_CHAINED)
					broken_caught++;
			}
		}
	}
	ok(failures == 0, "500 random row sets: totals equal the loops, whatever the split and merge order (%d failures)",
	   failures);
	ok(chain_failures == 0, "consecutive periods of the same customers always chain (%d failures)",
	   chain_failures);
	ok(broken == broken_caught, "every dropped inner period with a nonzero net is caught (%d of %d)",
	   broken_caught, broken);
}

/* Random bytes that decode are valid, and re-encode to the same bytes. */
static void
test_totals_decode_random(void)
{
	int			decoded = 0;
	int			failures = 0;
	uint8_t		buf[REV_TOTALS_ENCODED_SIZE];
	uint8_t		again[REV_TOTALS_ENCODED_SIZE];
	row			rows[100];
	rev_totals	t;
	rev_totals	u;

	for (int trial = 0; trial < 20000; trial++)
	{
		int			n = random_rows(rows, 100, 1 + rng_below(4), 1 + rng_below(20));

		add_rows(&t, rows, 0, n, false);
		rev_totals_encode(&t, buf);
		/* Flip one to three bytes. */
		for (int f = 0, nf = 1 + rng_below(3); f < nf; f++)
			buf[rng_below(sizeof(buf))] ^= (uint8_t) (1 + rng_below(255));
		if (rev_totals_decode(buf, sizeof(buf), &u) == REV_OK)
		{
			decoded++;
			rev_totals_encode(&u, again);
			if (rev_totals_check(&u) != REV_OK || memcmp(again, buf, sizeof(buf)) != 0)
				failures++;
		}
	}
	ok(failures == 0, "damaged totals that still decode are valid and round-trip (%d decoded, %d failures)",
	   decoded, failures);
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
	test_rules();
	test_sweep();
	test_sweep_brute_force();
	test_history();
	test_totals_hand();
	test_totals_chain();
	test_totals_brute_force();
	test_totals_decode_random();
	test_billing();
	return done_testing();
}
