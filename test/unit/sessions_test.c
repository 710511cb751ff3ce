/*
 * sessions_test.c: the sessions core against a brute-force reference
 * (sessionization of sorted events written out naively), the decoder's
 * validation, and the anomaly detector on hand-worked series.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "sessions/sessions.h"
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

static const char *const page_names[] = {"/", "/pricing", "/docs", "", "/a/very/long/page/name/beyond/sixteen/bytes"};

typedef struct Ev
{
	int64_t		ts;
	int			page;			/* -1: none */
} Ev;

static int
ev_cmp(const void *a, const void *b)
{
	const Ev   *x = a,
			   *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->page != y->page)
	{
		if (x->page < 0 || y->page < 0)
			return x->page < y->page ? -1 : 1;
		return strcmp(page_names[x->page], page_names[y->page]);
	}
	return 0;
}

static uint64_t rng = 12345;

static uint32_t
rnd(uint32_t n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t) (rng >> 33) % n;
}

/* The reference: sort, split where the pause exceeds gap, count by hand. */
static void
reference(Ev *ev, int n, int64_t gap, SessTotals *t, int64_t ref_views[5], int64_t ref_time[5],
		  int64_t ref_timed[5], int64_t ref_entries[5], int64_t ref_exits[5], int64_t ref_bounces[5])
{
	qsort(ev, n, sizeof(Ev), ev_cmp);
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < n;)
	{
		int			j = i + 1,
					pv = 0,
					entry = -1,
					exit = -1;

		while (j < n && ev[j].ts - ev[j - 1].ts <= gap)
			j++;
		for (int k = i; k < j; k++)
			if (ev[k].page >= 0)
			{
				pv++;
				if (entry < 0)
					entry = ev[k].page;
				exit = ev[k].page;
				ref_views[ev[k].page]++;
				if (k + 1 < j)
				{
					ref_time[ev[k].page] += ev[k + 1].ts - ev[k].ts;
					ref_timed[ev[k].page]++;
				}
			}
		t->sessions++;
		t->events += j - i;
		t->pageviews += pv;
		t->duration += ev[j - 1].ts - ev[i].ts;
		if (j - i == 1 && pv == 1)
		{
			t->bounces++;
			ref_bounces[entry]++;
		}
		if (ev[j - 1].ts - ev[i].ts >= 10000000 || pv >= 2)
			t->engaged++;
		if (entry >= 0)
		{
			ref_entries[entry]++;
			ref_exits[exit]++;
		}
		i = j;
	}
}

static uint8_t *
encode(SessBuilder *b, size_t *len)
{
	uint8_t    *out;

	if (sess_builder_wire_size(b, len) != SESS_OK)
		return NULL;
	out = malloc(*len);
	sess_builder_encode(b, out);
	return out;
}

static int
page_index(const SessView *v, int page)
{
	const uint8_t *at = v->pages;

	for (uint32_t i = 0; i < v->npages; i++)
	{
		uint32_t	len;
		const uint8_t *p = sess_next_page(&at, &len);

		if (len == strlen(page_names[page]) && memcmp(p, page_names[page], len) == 0)
			return (int) i;
	}
	return -1;
}

static void
test_random(void)
{
	int			bad = 0,
				bad_merge = 0;

	for (int round = 0; round < 300; round++)
	{
		EngMemory	m;
		SessBuilder b,
					half1,
					half2;
		int			n = 1 + rnd(60);
		Ev		   *ev = malloc(sizeof(Ev) * n);
		int64_t		gap = 1 + rnd(4) * 1000000;
		SessTotals	t,
					rt;
		int64_t		rv[5] = {0}, rtm[5] = {0}, rtd[5] = {0}, ren[5] = {0}, rex[5] = {0}, rbo[5] = {0};
		size_t		len,
					len2;
		uint8_t    *wire,
				   *wire2;
		SessView	v;
		SessPageStat st[5];

		eng_memory_init(&m, &allocator, 0);
		sess_builder_init(&b, &m);
		sess_builder_init(&half1, &m);
		sess_builder_init(&half2, &m);
		sess_builder_gap(&b, gap);
		sess_builder_gap(&half1, gap);
		sess_builder_gap(&half2, gap);
		for (int i = 0; i < n; i++)
		{
			/* times on a coarse grid so that equal times and pauses of exactly gap happen */
			ev[i].ts = (int64_t) rnd(40) * 500000 - 3000000;
			ev[i].page = (int) rnd(6) - 1;
			if (ev[i].page >= 0)
			{
				sess_builder_add(&b, ev[i].ts, (const uint8_t *) page_names[ev[i].page], strlen(page_names[ev[i].page]));
				sess_builder_add(i % 2 ? &half1 : &half2, ev[i].ts, (const uint8_t *) page_names[ev[i].page],
								 strlen(page_names[ev[i].page]));
			}
			else
			{
				sess_builder_add(&b, ev[i].ts, NULL, 0);
				sess_builder_add(i % 2 ? &half1 : &half2, ev[i].ts, NULL, 0);
			}
		}
		reference(ev, n, gap, &rt, rv, rtm, rtd, ren, rex, rbo);
		wire = encode(&b, &len);
		if (sess_view(wire, len, &v) != SESS_OK)
		{
			bad++;
			continue;
		}
		sess_totals(&v, &t);
		if (memcmp(&t, &rt, sizeof(t)) != 0)
			bad++;
		memset(st, 0, sizeof(st));
		sess_page_stats(&v, st);
		for (int p = 0; p < 5; p++)
		{
			int			i = page_index(&v, p);

			if (i < 0 ? rv[p] != 0
				: st[i].views != rv[p] || (int64_t) st[i].time_total != rtm[p] || st[i].timed_views != rtd[p] ||
				st[i].entries != ren[p] || st[i].exits != rex[p] || st[i].bounces != rbo[p])
				bad++;
		}
		/* the union of two halves encodes to the same bytes */
		sess_builder_merge(&half1, &half2);
		wire2 = encode(&half1, &len2);
		if (len2 != len || memcmp(wire, wire2, len) != 0)
		{
			bad_merge += 1000;
			if (getenv("SESS_DEBUG"))
			{
				fprintf(stderr, "n=%d len %zu %zu half1 %u half2 %u\n", n, len, len2, half1.nevents, half2.nevents);
				for (size_t q = 0; q < len && q < len2; q++)
					if (wire[q] != wire2[q]) { fprintf(stderr, "differ at %zu\n", q); break; }
			}
		}
		/* decoding and re-encoding is the identity */
		{
			SessBuilder c;
			uint8_t    *wire3;
			size_t		len3;

			sess_builder_init(&c, &m);
			if (sess_builder_decode(&c, wire, len) != SESS_OK)
				bad_merge++;
			wire3 = encode(&c, &len3);
			if (len3 != len || memcmp(wire, wire3, len) != 0)
				bad_merge++;
			free(wire3);
			sess_builder_free(&c);
		}
		free(wire);
		free(wire2);
		free(ev);
		sess_builder_free(&b);
		sess_builder_free(&half1);
		sess_builder_free(&half2);
		if (m.used != 0)
			bad_merge += 1000000;
	}
	ok(bad == 0, "300 random visitors: totals and page stats equal the brute-force reference (%d differ)", bad);
	ok(bad_merge == 0, "merged halves and decode/encode give the same canonical bytes, memory all given back (%d)", bad_merge);
}

static void
test_edges(void)
{
	EngMemory	m;
	SessBuilder b;
	size_t		len;
	uint8_t    *wire;
	SessView	v;
	SessTotals	t;

	eng_memory_init(&m, &allocator, 0);
	sess_builder_init(&b, &m);
	ok(sess_builder_gap(&b, 1800000000) == SESS_OK && sess_builder_gap(&b, 60) == SESS_ERR_GAP_CHANGED,
	   "a different gap in the same state is refused");
	/* 0, +30 min exactly (no split), +30 min + 1 us (split) */
	sess_builder_add(&b, 0, (const uint8_t *) "/", 1);
	sess_builder_add(&b, 1800000000, NULL, 0);
	sess_builder_add(&b, 3600000001, (const uint8_t *) "/x", 2);
	wire = encode(&b, &len);
	ok(sess_view(wire, len, &v) == SESS_OK, "a built value validates");
	sess_totals(&v, &t);
	ok(t.sessions == 2 && t.bounces == 1 && t.duration == 1800000000 && t.engaged == 1,
	   "a pause of exactly gap does not split, one more microsecond does");
	/* corruption: every truncation fails, a flipped version fails, unsorted events fail */
	{
		int			accepted = 0;

		for (size_t cut = 0; cut < len; cut++)
			accepted += sess_view(wire, cut, &v) == SESS_OK;
		ok(accepted == 0, "every truncation is refused");
		wire[0] = 2;
		ok(sess_view(wire, len, &v) == SESS_ERR_CORRUPT, "an unknown version is refused");
		wire[0] = 1;
		/* the last event's time (offset len - 12) set before the first */
		memset(wire + len - 12, 0, 8);
		ok(sess_view(wire, len, &v) == SESS_ERR_CORRUPT, "events out of order are refused");
	}
	free(wire);
	sess_builder_free(&b);
	{
		/* a zero gap, and pages out of order */
		uint8_t		z[] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
		uint8_t		p[] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 'b', 1, 0, 0, 0, 'a',
		2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};

		ok(sess_view(z, sizeof(z), &v) == SESS_ERR_CORRUPT, "a zero gap is refused");
		ok(sess_view(p, sizeof(p), &v) == SESS_ERR_CORRUPT, "pages out of byte order are refused");
		p[17] = 'a';
		p[22] = 'b';
		ok(sess_view(p, sizeof(p), &v) == SESS_OK, "the same value with pages in order is accepted");
	}
	{
		/* a time outside PostgreSQL's finite range is refused (durations stay below 2^64) */
		SessBuilder one;
		uint8_t    *w;
		size_t		wl;

		sess_builder_init(&one, &m);
		sess_builder_gap(&one, 1);
		sess_builder_add(&one, SESS_END_TS - 1, NULL, 0);
		w = encode(&one, &wl);
		ok(sess_view(w, wl, &v) == SESS_OK, "the last finite time is accepted");
		b2b_put_i64(w + wl - 12, SESS_END_TS);	/* 'infinity' and beyond */
		ok(sess_view(w, wl, &v) == SESS_ERR_CORRUPT, "a time at or beyond the end of the finite range is refused");
		free(w);
		sess_builder_free(&one);
	}
	{
		SessBuilder lim;

		sess_builder_init(&lim, &m);
		sess_builder_gap(&lim, 1);
		lim.nevents = SESS_MAX_EVENTS;	/* pretend it is full */
		ok(sess_builder_add(&lim, 0, NULL, 0) == SESS_ERR_TOO_MANY, "beyond SESS_MAX_EVENTS is SESS_ERR_TOO_MANY");
		lim.nevents = 0;
		sess_builder_free(&lim);
	}
	{
		EngMemory	small;
		SessBuilder lim;
		SessStatus	s = SESS_OK;

		eng_memory_init(&small, &allocator, 4096);
		sess_builder_init(&lim, &small);
		sess_builder_gap(&lim, 1);
		for (int i = 0; i < 10000 && s == SESS_OK; i++)
			s = sess_builder_add(&lim, i, NULL, 0);
		ok(s == SESS_ERR_MEMORY, "beyond the memory limit is SESS_ERR_MEMORY");
		sess_builder_free(&lim);
	}
}

static void
test_anomalies(void)
{
	/* 10 weeks of one weekday (days 0, 7, ..., 63) plus the days between left out */
	int32_t		days[10];
	double		vals[10] = {10, 12, 11, 13, 10, 12, 11, 13, 12, 40};
	bool		has[10];
	double		scratch[16];
	SessAnomaly out[10];

	for (int i = 0; i < 10; i++)
	{
		days[i] = i * 7;
		has[i] = true;
	}
	sess_anomalies(days, vals, has, 10, 8, 3.5, scratch, out);
	ok(!out[7].scored && out[8].scored && out[9].scored, "scored from the 9th week on (8 weeks of history)");
	/*
	 * day 56 (12): history 10 12 11 13 10 12 11 13, median 11.5, |dev| 1.5 .5 .5 1.5 1.5 .5 .5 1.5
	 * -> MAD (0.5 + 1.5) / 2 = 1, z = 0.6745 * 0.5 / 1
	 */
	ok(fabs(out[8].expected - 11.5) < 1e-12 && fabs(out[8].score - 0.6745 * 0.5) < 1e-12 && !out[8].is_anomaly,
	   "day 56: expected 11.5, z 0.33725, not flagged");
	/*
	 * day 63 (40): history 12 11 13 10 12 11 13 12 sorted 10 11 11 12 12 12 13 13, median 12;
	 * |dev| 2 1 1 0 0 0 1 1 sorted 0 0 0 1 1 1 1 2, MAD 1; z = 0.6745 * 28 = 18.886
	 */
	ok(fabs(out[9].expected - 12) < 1e-12 && fabs(out[9].score - 0.6745 * 28) < 1e-9 && out[9].is_anomaly,
	   "day 63: expected 12, z 18.886, flagged");
	/* flat history: MAD 0 and mean AD 0 -> 0 when equal, infinite otherwise */
	{
		double		flat[3] = {5, 5, 5};
		int32_t		d3[3] = {0, 7, 14};
		bool		h3[3] = {true, true, true};
		SessAnomaly o3[3];

		sess_anomalies(d3, flat, h3, 3, 2, 3.5, scratch, o3);
		ok(o3[2].scored && o3[2].score == 0 && !o3[2].is_anomaly, "flat history, same value: score 0");
		flat[2] = 6;
		sess_anomalies(d3, flat, h3, 3, 2, 3.5, scratch, o3);
		ok(isinf(o3[2].score) && o3[2].score > 0 && o3[2].is_anomaly, "flat history, higher value: +infinity, flagged");
	}
	/* MAD 0 but mean AD > 0: history 5 5 5 9 (median 5, MAD 0, mean AD 1) -> z = 0.79788 * (7 - 5) / 1 */
	{
		double		v5[5] = {5, 5, 5, 9, 7};
		int32_t		d5[5] = {0, 7, 14, 21, 28};
		bool		h5[5] = {true, true, true, true, true};
		SessAnomaly o5[5];

		sess_anomalies(d5, v5, h5, 5, 4, 3.5, scratch, o5);
		ok(fabs(o5[4].score - 0.7978845608028654 * 2) < 1e-12, "MAD 0: the mean absolute deviation fallback");
	}
	/* a missing week leaves the day unscored */
	{
		double		v4[4] = {1, 2, 3, 4};
		int32_t		d4[4] = {0, 7, 21, 28};
		bool		h4[4] = {true, true, true, true};
		SessAnomaly o4[4];

		sess_anomalies(d4, v4, h4, 4, 2, 3.5, scratch, o4);
		ok(!o4[2].scored && !o4[3].scored, "a week missing from the history: no score");
		h4[1] = false;
		d4[2] = 14;
		sess_anomalies(d4, v4, h4, 4, 2, 3.5, scratch, o4);
		ok(!o4[1].scored && !o4[2].scored, "a NULL value is neither scored nor history");
	}
}

static void
test_paths(void)
{
	EngMemory	m;
	SessBuilder b;
	size_t		len;
	uint8_t    *wire;
	SessView	v;
	EngPair		scratch[16];
	SessEdge	e[16];
	uint32_t	n;

	eng_memory_init(&m, &allocator, 0);
	sess_builder_init(&b, &m);
	sess_builder_gap(&b, 100);
	/* session 1: / > /b > (event) > / > /b ; session 2 (after a pause of 1000): /b > / */
	sess_builder_add(&b, 0, (const uint8_t *) "/", 1);
	sess_builder_add(&b, 10, (const uint8_t *) "/b", 2);
	sess_builder_add(&b, 20, NULL, 0);
	sess_builder_add(&b, 30, (const uint8_t *) "/", 1);
	sess_builder_add(&b, 40, (const uint8_t *) "/b", 2);
	sess_builder_add(&b, 1040, (const uint8_t *) "/b", 2);
	sess_builder_add(&b, 1050, (const uint8_t *) "/", 1);
	wire = encode(&b, &len);
	sess_view(wire, len, &v);
	/* pages in byte order: 0 "/", 1 "/b" */
	n = sess_path_edges(&v, 5, SESS_NO_PAGE, scratch, NULL, e);
	ok(n == 4 && e[0].step == 1 && e[0].from_page == 0 && e[0].to_page == 1 && e[0].transitions == 1 &&
	   e[1].step == 1 && e[1].from_page == 1 && e[1].to_page == 0 && e[1].transitions == 1 &&
	   e[2].step == 2 && e[2].from_page == 1 && e[2].to_page == 0 &&
	   e[3].step == 3 && e[3].from_page == 0 && e[3].to_page == 1,
	   "path edges by step: events without a page are not on the path, sessions start again at step 1");
	n = sess_path_edges(&v, 1, SESS_NO_PAGE, scratch, NULL, e);
	ok(n == 2 && e[0].step == 1 && e[1].step == 1, "max_steps 1 keeps the first transition of each session");
	n = sess_path_edges(&v, 5, 1, scratch, NULL, e);
	/* from the first /b: session 1 /b > / > /b, session 2 /b > / */
	ok(n == 2 && e[0].step == 1 && e[0].from_page == 1 && e[0].to_page == 0 && e[0].transitions == 2 &&
	   e[1].step == 2 && e[1].from_page == 0 && e[1].to_page == 1 && e[1].transitions == 1,
	   "a start page: each session's path starts at its first view of it, equal edges counted");
	free(wire);
	sess_builder_free(&b);
}

static void
test_quality(void)
{
	EngMemory	m;
	SessBuilder b;
	size_t		len;
	uint8_t    *wire;
	SessView	v;
	uint32_t	next = 0;
	SessSession s;
	SessQuality q;

	eng_memory_init(&m, &allocator, 0);
	sess_builder_init(&b, &m);
	sess_builder_gap(&b, INT64_C(1800000000));
	/* a bot: 6 page views 0.4 s apart; then, 1 hour later, a person: 3 views 20 s apart */
	for (int i = 0; i < 6; i++)
		sess_builder_add(&b, i * 400000, (const uint8_t *) "/", 1);
	for (int i = 0; i < 3; i++)
		sess_builder_add(&b, INT64_C(3600000000) + i * INT64_C(20000000), (const uint8_t *) "/", 1);
	wire = encode(&b, &len);
	sess_view(wire, len, &v);
	sess_next_session(&v, &next, &s);
	sess_session_quality(&v, &s, &q);
	ok(q.peak_per_minute == 6 && q.subsecond_views == 5 && q.suspicious,
	   "6 views 0.4 s apart: 6 in a minute, 5 under a second, suspicious");
	sess_next_session(&v, &next, &s);
	sess_session_quality(&v, &s, &q);
	ok(q.peak_per_minute == 3 && q.subsecond_views == 0 && !q.suspicious,
	   "3 views 20 s apart: 3 in a minute (0, 20, 40 s), none under a second, not suspicious");
	free(wire);
	sess_builder_free(&b);
	/* 61 events in 59 seconds: more than 60 in a minute; 60 in 60 s [t, t + 60 s): not */
	sess_builder_init(&b, &m);
	sess_builder_gap(&b, INT64_C(1800000000));
	for (int i = 0; i < 61; i++)
		sess_builder_add(&b, (int64_t) i * 983000, NULL, 0);
	wire = encode(&b, &len);
	sess_view(wire, len, &v);
	next = 0;
	sess_next_session(&v, &next, &s);
	sess_session_quality(&v, &s, &q);
	ok(q.peak_per_minute == 61 && q.suspicious, "61 events within 59 s: more than 60 in a minute");
	free(wire);
	sess_builder_free(&b);
	sess_builder_init(&b, &m);
	sess_builder_gap(&b, INT64_C(1800000000));
	for (int i = 0; i < 61; i++)
		sess_builder_add(&b, (int64_t) i * 1000000, NULL, 0);
	wire = encode(&b, &len);
	sess_view(wire, len, &v);
	next = 0;
	sess_next_session(&v, &next, &s);
	sess_session_quality(&v, &s, &q);
	ok(q.peak_per_minute == 60 && !q.suspicious, "61 events 1 s apart: 60 in any [t, t + 60 s)");
	free(wire);
	sess_builder_free(&b);
}

int
main(void)
{
	test_random();
	test_edges();
	test_anomalies();
	test_paths();
	test_quality();
	return done_testing();
}
