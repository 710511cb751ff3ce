/*
 * signals_test.c: unit tests of the signals core (no server).  AUC values are
 * checked against a brute-force count over all pairs; the other expected
 * values are worked out by hand in the comment beside them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "signals/signals.h"
#include "tap.h"

static void *
test_alloc(size_t size, void *ctx)
{
	(void) ctx;
	return malloc(size ? size : 1);
}

static void
test_release(void *ptr, void *ctx)
{
	(void) ctx;
	free(ptr);
}

static const EngAllocator allocator = {test_alloc, test_release, NULL, NULL};

/* The AUC of rows by counting all pairs: 2 per positive above a negative, 1 per tie. */
static double
brute_auc(const double *s, const int *y, int n, bool *defined)
{
	uint64_t	twice = 0,
				pos = 0,
				neg = 0;

	for (int i = 0; i < n; i++)
	{
		pos += y[i];
		neg += !y[i];
		for (int j = 0; j < n; j++)
			if (y[i] && !y[j])
				twice += sig_score_cmp(s[i], s[j]) > 0 ? 2 : (sig_score_cmp(s[i], s[j]) == 0 ? 1 : 0);
	}
	*defined = pos > 0 && neg > 0;
	return *defined ? (double) twice / (double) (2 * pos * neg) : 0;
}

static bool
auc_of(const double *s, const int *y, int n, double *auc)
{
	SigAucPoint *p = malloc(sizeof(SigAucPoint) * (n ? n : 1));
	SigAucResult r;
	size_t		m;
	bool		ok;

	for (int i = 0; i < n; i++)
	{
		p[i].score = s[i];
		p[i].pos = y[i];
		p[i].neg = !y[i];
	}
	m = sig_auc_compact(p, n, 0);
	ok = sig_auc_result(p, m, &r);
	if (ok)
		*auc = sig_auc_value(&r);
	free(p);
	return ok;
}

static void
test_auc(void)
{
	double		auc = -1;
	bool		defined;

	/* scores 1,2,3,4 with outcomes f,f,t,t: every positive above every negative */
	{
		double		s[] = {1, 2, 3, 4};
		int			y[] = {0, 0, 1, 1};

		ok(auc_of(s, y, 4, &auc) && auc == 1.0, "perfect separation: AUC 1");
	}
	/* 1 t, 2 f, 2 t, 3 f: pairs (t1,f2) 0, (t1,f3) 0, (t2,f2) tie 1/2, (t2,f3) 0 -> 0.5/4 = 0.125 */
	{
		double		s[] = {1, 2, 2, 3};
		int			y[] = {1, 0, 1, 0};

		ok(auc_of(s, y, 4, &auc) && auc == 0.125, "a tie counts half: 0.125");
	}
	/* all scores equal: every pair ties, AUC 0.5 */
	{
		double		s[] = {7, 7, 7};
		int			y[] = {1, 0, 0};

		ok(auc_of(s, y, 3, &auc) && auc == 0.5, "all tied: 0.5");
	}
	{
		double		s[] = {1, 2};
		int			y[] = {1, 1};

		ok(!auc_of(s, y, 2, &auc), "all positive: undefined");
		ok(!auc_of(s, y, 0, &auc), "no rows: undefined");
	}
	/* NaN sorts above infinity, -0 equals 0 (PostgreSQL's float8 order) */
	{
		double		s[] = {NAN, INFINITY, -0.0, 0.0};
		int			y[] = {1, 0, 1, 0};

		/* pairs: NaN>inf 2, NaN>0 2, -0 vs inf 0, -0 tie 0 1 -> 5/8 */
		ok(auc_of(s, y, 4, &auc) && auc == 0.625, "NaN highest, -0 ties 0: 0.625");
	}
	/* random rows against brute force, with many ties */
	srand(7);
	for (int round = 0; round < 200; round++)
	{
		int			n = rand() % 60;
		double		s[60];
		int			y[60];
		double		want;
		bool		got;

		for (int i = 0; i < n; i++)
		{
			s[i] = (rand() % 9) / 4.0;
			y[i] = rand() % 3 == 0;
		}
		want = brute_auc(s, y, n, &defined);
		got = auc_of(s, y, n, &auc);
		if (got != defined || (got && auc != want))
		{
			ok(0, "random AUC %d: %g vs brute force %g", round, auc, want);
			return;
		}
	}
	ok(1, "200 random samples equal the brute-force pair count");
}

static void
test_auc_merge_and_bytes(void)
{
	SigAucPoint a[] = {{1, 1, 0}, {3, 2, 1}};
	SigAucPoint b[] = {{2, 0, 1}, {3, 1, 1}, {NAN, 1, 0}};
	SigAucPoint out[5],
				back[5];
	size_t		n = sig_auc_merge(a, 2, b, 3, out),
				m = 0;
	uint8_t		bytes[256];
	const char *why;

	ok(n == 4 && out[2].score == 3 && out[2].pos == 3 && out[2].neg == 2, "merge adds equal scores");
	sig_auc_encode(out, n, bytes);
	why = sig_auc_decode_count(bytes, sig_auc_encoded_size(n), &m);
	ok(why == NULL && m == 4, "encoded count reads back");
	ok(sig_auc_decode(bytes, sig_auc_encoded_size(n), back) == NULL &&
	   back[3].pos == 1 && isnan(back[3].score) && back[0].score == 1, "decode is the inverse of encode");
	ok(sig_auc_decode(bytes, sig_auc_encoded_size(n) - 1, back) != NULL, "short bytes are refused");
	bytes[0] = 9;
	ok(sig_auc_decode(bytes, sig_auc_encoded_size(n), back) != NULL, "unknown version is refused");
	bytes[0] = SIG_AUC_VERSION;
	/* swap the first two scores: no longer increasing */
	{
		SigAucPoint bad[2] = {{2, 1, 0}, {1, 0, 1}};

		sig_auc_encode(bad, 2, bytes);
		ok(sig_auc_decode(bytes, sig_auc_encoded_size(2), back) != NULL, "unsorted scores are refused");
		bad[0].score = 0;
		bad[0].pos = 0;
		sig_auc_encode(bad, 2, bytes);
		ok(sig_auc_decode(bytes, sig_auc_encoded_size(2), back) != NULL, "a score without rows is refused");
	}
}

static void
test_lift(void)
{
	EngMemory	m;
	SigCounts	c,
				d,
				e;
	const uint8_t *names[3] = {(const uint8_t *) "report", (const uint8_t *) "export", (const uint8_t *) "report"};
	uint32_t	lens[3] = {6, 6, 6};
	uint64_t   *row;
	uint32_t	id;
	uint8_t    *bytes;
	size_t		size;
	SigLiftRow	l;

	eng_memory_init(&m, &allocator, 0);
	sig_counts_init(&c, &m, SIG_KIND_LIFT);
	c.params[0] = 1;
	/* user 1: report twice + export, converted; user 2: report, not; user 3: nothing, converted */
	sig_lift_add_user(&c, names, lens, 3, true);
	sig_lift_add_user(&c, names, lens, 1, false);
	sig_lift_add_user(&c, names, lens, 0, true);
	sig_counts_row(&c, (const uint8_t *) "report", 6, &row, &id);
	ok(c.totals[0] == 3 && c.totals[1] == 2 && row[0] == 2 && row[1] == 1,
	   "a user counts once per action: report 2 users, 1 converted; totals 3, 2");

	size = sig_counts_encoded_size(&c);
	bytes = malloc(size);
	sig_counts_encode(&c, bytes);
	sig_counts_init(&d, &m, SIG_KIND_LIFT);
	ok(sig_counts_decode(&d, bytes, size) == NULL && d.names.count == 2 && d.totals[0] == 3, "decode of encode");
	sig_counts_merge(&d, &c);
	sig_counts_row(&d, (const uint8_t *) "export", 6, &row, &id);
	ok(d.totals[0] == 6 && row[0] == 2 && row[1] == 2, "merge adds totals and counts");
	sig_counts_init(&e, &m, SIG_KIND_CHURN);
	ok(sig_counts_decode(&e, bytes, size) != NULL, "a lift state is not a churn state");
	sig_counts_free(&e);
	sig_counts_init(&e, &m, SIG_KIND_LIFT);
	ok(sig_counts_decode(&e, bytes, size - 1) != NULL, "short bytes are refused");
	sig_counts_free(&e);
	/* totals users 3 -> 1: the report row (2 users) exceeds it */
	bytes[2 + 24] = 1;
	sig_counts_init(&e, &m, SIG_KIND_LIFT);
	ok(sig_counts_decode(&e, bytes, size) != NULL, "counts beyond the totals are refused");
	sig_counts_free(&e);
	free(bytes);

	/* 100 did, 40 converted; 200 did not, 20 converted: rates 0.4 and 0.1, lift 4;
	 * se = sqrt(1/40 - 1/100 + 1/20 - 1/200) = sqrt(0.06); pooled p = 60/300 = 0.2,
	 * z = 0.3 / sqrt(0.2 * 0.8 * (1/100 + 1/200)) = 0.3 / 0.04899 = 6.1237 */
	sig_lift_row(100, 40, 300, 60, &l);
	ok(l.rate_did == 0.4 && l.rate_not == 0.1 && fabs(l.lift - 4) < 1e-15, "rates 0.4, 0.1, lift 4");
	ok(fabs(l.lift_low - 4 * exp(-SIG_Z95 * sqrt(0.06))) < 1e-12 &&
	   fabs(l.lift_high - 4 * exp(SIG_Z95 * sqrt(0.06))) < 1e-12, "Katz interval 4 exp(+-1.96 sqrt(0.06))");
	ok(l.has_p && fabs(l.p_value - erfc(6.123724356957945 / sqrt(2.0))) < 1e-15, "two-proportion p-value");
	sig_lift_row(0, 0, 10, 5, &l);
	ok(!l.has_rate_did && !l.has_lift && !l.has_p && l.rate_not == 0.5, "nobody did it: no rate, lift or test");
	sig_lift_row(5, 0, 10, 3, &l);
	ok(l.has_lift && l.lift == 0 && !l.has_interval, "no conversion among doers: lift 0, no interval");
	sig_counts_free(&c);
	sig_counts_free(&d);
}

static void
test_churn(void)
{
	uint64_t	counts[4] = {10, 60, 30, 90};
	SigChurnRow r,
				s;

	/* recent 30, baseline 90: churned 10*90/(60*30) = 0.5; retained 30*90/(90*30) = 1 */
	sig_churn_row(counts, 30, 90, &r);
	ok(r.churned_ratio == 0.5 && r.retained_ratio == 1 && r.difference == -0.5, "drop ratios 0.5 and 1");
	/* recent shares 10/70 and 30/120, pooled 40/190 */
	{
		double		p = 40.0 / 190,
					z = (10.0 / 70 - 30.0 / 120) / sqrt(p * (1 - p) * (1.0 / 70 + 1.0 / 120));

		ok(r.has_test && fabs(r.z - z) < 1e-12, "z of the recent shares");
	}
	counts[1] = 0;
	sig_churn_row(counts, 30, 90, &s);
	ok(!s.has_churned_ratio && !s.has_difference && s.has_test, "no baseline events: no ratio, a test");
	ok(sig_churn_order(&r, &s) != 0, "order decides between different p-values");
}

static void
test_lift_order(void)
{
	SigLiftRow	a = {0},
				b = {0};

	a.has_lift = b.has_lift = true;
	a.lift = 2.0;
	b.lift = 1.5;
	ok(sig_lift_order(&a, &b) < 0 && sig_lift_order(&b, &a) > 0, "higher lift first");
	b.lift = 2.0;
	a.users_did = 10;
	b.users_did = 30;
	ok(sig_lift_order(&b, &a) < 0, "equal lift: more users first");
	b.users_did = 10;
	ok(sig_lift_order(&a, &b) == 0, "equal lift and users: left to the name");
	b.has_lift = false;
	b.lift = 99;
	ok(sig_lift_order(&a, &b) < 0 && sig_lift_order(&b, &a) > 0, "no lift last, whatever its value");
}

static void
test_engagement(void)
{
	EngMemory	m;
	SigEngage	e,
				f,
				g;
	SigEngageRow r;
	int64_t		asof = 100 * SIG_DAY_US;
	int64_t		w = 10 * SIG_DAY_US;
	uint8_t    *bytes;
	size_t		size;

	eng_memory_init(&m, &allocator, 0);
	sig_engage_init(&e, &m, asof, w);
	ok(sig_engage_window(&e, asof) == 0 && sig_engage_window(&e, asof - w) == 1 &&
	   sig_engage_window(&e, asof - 2 * w) == -1 && sig_engage_window(&e, asof + 1) == -1 &&
	   sig_engage_window(&e, asof - w + 1) == 0 && sig_engage_window(&e, INT64_MIN) == -1,
	   "windows (as_of - w, as_of] and (as_of - 2w, as_of - w]");
	/* current: user 1 twice on day 0 (report, export), user 2 on day 3 (report), a row
	 * without user or feature on day 3; previous: user 1 on day 12 (login) */
	sig_engage_add(&e, asof, true, 1, (const uint8_t *) "report", 6);
	sig_engage_add(&e, asof - 1, true, 1, (const uint8_t *) "export", 6);
	sig_engage_add(&e, asof - 3 * SIG_DAY_US - 5, true, 2, (const uint8_t *) "report", 6);
	sig_engage_add(&e, asof - 3 * SIG_DAY_US - 6, false, 0, NULL, 0);
	sig_engage_add(&e, asof - 12 * SIG_DAY_US, true, 1, (const uint8_t *) "login", 5);
	sig_engage_add(&e, asof - 30 * SIG_DAY_US, true, 9, (const uint8_t *) "login", 5);
	sig_engage_compact(&e);
	sig_engage_row(&e, &r);
	ok(r.users[0] == 2 && r.features[0] == 2 && r.active_days[0] == 2 && r.events[0] == 4,
	   "current: 2 users, 2 features, 2 days, 4 events");
	ok(r.users[1] == 1 && r.features[1] == 1 && r.active_days[1] == 1 && r.events[1] == 1 &&
	   r.users_trend == 2 && r.events_trend == 4, "previous: 1 of each; trends 2 and 4");

	size = sig_engage_encoded_size(&e);
	bytes = malloc(size);
	sig_engage_encode(&e, bytes);
	sig_engage_init(&f, &m, 0, 1);
	ok(sig_engage_decode(&f, bytes, size) == NULL && f.as_of == asof && f.sets[SIG_SET_USERS].distinct[0] == 2,
	   "decode of encode");
	sig_engage_merge(&f, &e);
	sig_engage_compact(&f);
	sig_engage_row(&f, &r);
	ok(r.users[0] == 2 && r.events[0] == 8, "merging the same rows twice: distinct stay, events add");
	sig_engage_init(&g, &m, 0, 1);
	ok(sig_engage_decode(&g, bytes, size - 1) != NULL, "short bytes are refused");
	sig_engage_free(&g);
	/* many rows of few users: compaction keeps the buffer small */
	sig_engage_init(&g, &m, asof, w);
	for (int i = 0; i < 100000; i++)
		sig_engage_add(&g, asof - (i % 7) * SIG_DAY_US, true, i % 5, (const uint8_t *) "f", 1);
	sig_engage_compact(&g);
	sig_engage_row(&g, &r);
	ok(r.users[0] == 5 && r.active_days[0] == 7 && r.features[0] == 1 && r.events[0] == 100000 &&
	   g.sets[SIG_SET_USERS].cap <= 1024, "100,000 rows of 5 users over 7 days: small sets");
	sig_engage_free(&g);
	/* events of the current window 4 -> 1: fewer events than distinct days */
	bytes[17] = 1;
	sig_engage_init(&g, &m, 0, 1);
	ok(sig_engage_decode(&g, bytes, size) != NULL, "more distinct keys than events is refused");
	sig_engage_free(&g);
	free(bytes);
	sig_engage_free(&e);
	sig_engage_free(&f);
}

int
main(void)
{
	test_auc();
	test_auc_merge_and_bytes();
	test_lift();
	test_churn();
	test_lift_order();
	test_engagement();
	return done_testing();
}
