/*
 * retention_test.c: the retention core against brute-force references.
 */
#include "retention/retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int
month_length(int64_t year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool		leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* Walk the calendar a day at a time, from 1600-01-01 to 2400-12-31. */
static void
test_calendar(void)
{
	int64_t		day = ret_day_from_civil(1600, 1, 1);
	int			bad_civil = 0,
				bad_back = 0,
				bad_week = 0,
				bad_month = 0;
	int			weekday = 5;		/* 1600-01-01 was a Saturday (Monday = 0) */
	int64_t		week_start = day - weekday;

	ok(ret_day_from_civil(2000, 1, 1) == 0, "2000-01-01 is day 0");
	ok(ret_day_from_civil(1970, 1, 1) == -10957, "1970-01-01 is day -10957, as PostgreSQL's date");
	ok(ret_day_from_civil(-4713, 11, 24) == RET_DAY_MIN, "4714-11-24 BC (year -4713) is the first day of timestamps");
	ok(ret_day_from_civil(294276, 12, 31) == RET_DAY_MAX, "294276-12-31 is the last day of timestamps");
	for (int64_t year = 1600; year <= 2400; year++)
		for (int month = 1; month <= 12; month++)
			for (int d = 1; d <= month_length(year, month); d++, day++)
			{
				int64_t		y;
				int			m,
							md;

				if (ret_day_from_civil(year, month, d) != day)
					bad_civil++;
				ret_civil_from_day(day, &y, &m, &md);
				if (y != year || m != month || md != d)
					bad_back++;
				if (weekday == 0)
					week_start = day;
				if (ret_period_start_day(RET_WEEK, ret_period_of_day(RET_WEEK, (int32_t) day)) != week_start)
					bad_week++;
				if (ret_period_start_day(RET_MONTH, ret_period_of_day(RET_MONTH, (int32_t) day)) !=
					ret_day_from_civil(year, month, 1) ||
					ret_period_of_day(RET_MONTH, (int32_t) day) != (year - 2000) * 12 + month - 1)
					bad_month++;
				weekday = (weekday + 1) % 7;
			}
	ok(bad_civil == 0, "day numbers of 801 years of dates (%d wrong)", bad_civil);
	ok(bad_back == 0, "dates of 801 years of day numbers (%d wrong)", bad_back);
	ok(bad_week == 0, "ISO weeks start on the Monday on or before each day (%d wrong)", bad_week);
	ok(bad_month == 0, "months start on the first of the month (%d wrong)", bad_month);
	ok(ret_period_start_day(RET_WEEK, ret_period_of_day(RET_WEEK, (int32_t) ret_day_from_civil(2021, 1, 3))) ==
	   ret_day_from_civil(2020, 12, 28), "2021-01-03 is in ISO week 53 of 2020, which starts 2020-12-28");
	ok(ret_period_of_day(RET_WEEK, 2) == 0 && ret_period_of_day(RET_WEEK, 1) == -1,
	   "the Monday 2000-01-03 starts week 0; the Sunday before is in week -1");
	ok(ret_period_valid(RET_MONTH, ret_period_of_day(RET_MONTH, RET_DAY_MIN)) &&
	   !ret_period_valid(RET_MONTH, ret_period_of_day(RET_MONTH, RET_DAY_MIN) - 1) &&
	   !ret_period_valid(RET_DAY, (int64_t) RET_DAY_MAX + 1), "periods are valid exactly within the timestamp range");
}

static void
test_names(void)
{
	RetGrain	g = RET_DAY;
	uint8_t		opt = 0;

	ok(ret_grain_parse("week", 4, &g) == RET_OK && g == RET_WEEK, "grain week");
	ok(ret_grain_parse("month", 5, &g) == RET_OK && g == RET_MONTH, "grain month");
	ok(ret_grain_parse("Day", 3, &g) == RET_ERR_GRAIN && ret_grain_parse("", 0, &g) == RET_ERR_GRAIN,
	   "unknown grains are refused");
	ok(ret_criterion_parse("on_or_after", 11, &opt) == RET_OK && opt == RET_ON_OR_AFTER &&
	   ret_criterion_parse("on", 2, &opt) == RET_OK && opt == 0 &&
	   ret_criterion_parse("after", 5, &opt) == RET_ERR_CRITERION, "criteria");
	ok(ret_cohorts_parse("recurring", 9, &opt) == RET_OK && opt == RET_RECURRING &&
	   ret_cohorts_parse("all", 3, &opt) == RET_ERR_COHORTS, "cohort modes");
}

/* An activity built by the core, its words in a buffer of the largest span used. */
#define MAXSPAN 700
typedef struct Built
{
	RetActivity a;
	uint64_t	words[(MAXSPAN + 63) / 64 + 1];
	bool		has[MAXSPAN];	/* relative to base */
	int32_t		base;
	bool		any;
} Built;

static void
built_init(Built *b, RetGrain grain, int32_t base)
{
	memset(b, 0, sizeof(*b));
	b->a.grain = grain;
	b->a.words = b->words;
	b->base = base;
}

static void
built_add(Built *b, int32_t period)
{
	b->has[period - b->base] = true;
	if (!b->any)
	{
		b->a.first = period;
		b->a.span = 1;
		b->words[0] = 0;
		b->any = true;
	}
	else
	{
		int32_t		first;
		uint32_t	span;

		ret_activity_extent(&b->a, period, &first, &span);
		ret_activity_rebase(&b->a, first, span);
	}
	ret_activity_set(&b->a, period);
}

static void
random_activity(Built *b, int32_t base, int maxspan, int density)
{
	int			n = 1 + (int) (rnd() % (uint64_t) (maxspan / density + 1));

	built_init(b, RET_DAY, base);
	for (int i = 0; i < n; i++)
		built_add(b, base + (int32_t) (rnd() % (uint64_t) maxspan));
}

static void
test_activity(void)
{
	int			bad_bits = 0,
				bad_count = 0,
				bad_streak = 0,
				bad_ending = 0,
				bad_runs = 0,
				bad_wire = 0,
				bad_union = 0,
				bad_next = 0;

	for (int iter = 0; iter < 3000; iter++)
	{
		Built		b,
					c;
		int32_t		base = (int32_t) (rnd() % 100000) - 50000;
		int			maxspan = 1 + (int) (rnd() % 600);
		int			first = -1,
					last = -1,
					longest = 0,
					run = 0;

		random_activity(&b, base, maxspan, 1 + (int) (rnd() % 8));
		for (int i = 0; i < MAXSPAN; i++)
			if (b.has[i])
			{
				if (first < 0)
					first = i;
				last = i;
			}
		if (b.a.first != base + first || ret_activity_last(&b.a) != base + last)
			bad_bits++;
		for (int i = -70; i < MAXSPAN + 70; i++)
			if (ret_activity_has(&b.a, base + i) != (i >= 0 && i < MAXSPAN && b.has[i]))
				bad_bits++;
		/* counts over random ranges */
		for (int t = 0; t < 20; t++)
		{
			int			lo = (int) (rnd() % (MAXSPAN + 40)) - 20,
						hi = lo + (int) (rnd() % 300) - 20;
			int64_t		want = 0;

			for (int i = lo; i <= hi; i++)
				want += i >= 0 && i < MAXSPAN && b.has[i];
			if (ret_activity_count(&b.a, base + lo, base + hi) != want)
				bad_count++;
		}
		/* streaks */
		for (int i = 0; i < MAXSPAN; i++)
		{
			run = b.has[i] ? run + 1 : 0;
			if (run > longest)
				longest = run;
			if (ret_activity_streak_ending(&b.a, base + i) != (uint32_t) run)
				bad_ending++;
		}
		if (ret_activity_longest_streak(&b.a) != (uint32_t) longest)
			bad_streak++;
		{
			uint32_t	pos = 0,
						length;
			int32_t		start;
			bool		seen[MAXSPAN] = {false};
			bool		prev_end = false;

			while (ret_activity_next_run(&b.a, &pos, &start, &length))
			{
				for (uint32_t k = 0; k < length; k++)
					seen[start - base + k] = true;
				if (start - base > 0 && b.has[start - base - 1])
					prev_end = true;	/* a run must start after an inactive period */
				if (start - base + length < MAXSPAN && b.has[start - base + length])
					prev_end = true;
			}
			if (prev_end || memcmp(seen, b.has, sizeof(seen)) != 0)
				bad_runs++;
		}
		for (int t = 0; t < 10; t++)
		{
			int			at = (int) (rnd() % (MAXSPAN + 40)) - 20;
			int			want = -1;
			int64_t		found;
			bool		got;

			for (int i = at < 0 ? 0 : at; i < MAXSPAN; i++)
				if (b.has[i])
				{
					want = i;
					break;
				}
			got = ret_activity_next_active(&b.a, base + at, &found);
			if (got != (want >= 0) || (got && found != base + want))
				bad_next++;
		}
		/* the wire form: round trip and canonical */
		{
			size_t		size = ret_activity_wire_size(b.a.span);
			uint8_t    *wire = malloc(size);
			uint8_t    *again = malloc(size);
			RetActivity head;
			uint64_t	words[(MAXSPAN + 63) / 64 + 1];

			ret_activity_encode(&b.a, wire);
			if (ret_activity_decode(wire, size, &head) != NULL)
				bad_wire++;
			else
			{
				head.words = words;
				ret_activity_decode_bits(wire, &head);
				ret_activity_encode(&head, again);
				if (memcmp(wire, again, size) != 0 || head.first != b.a.first || head.span != b.a.span)
					bad_wire++;
			}
			if (ret_activity_decode(wire, size - 1, &head) == NULL)
				bad_wire++;
			free(wire);
			free(again);
		}
		/* union against the union of the sets */
		{
			int32_t		first_u;
			uint32_t	span_u;

			random_activity(&c, base, MAXSPAN, 3);
			ret_activity_union_extent(&b.a, &c.a, &first_u, &span_u);
			ret_activity_rebase(&b.a, first_u, span_u);
			ret_activity_or(&b.a, &c.a);
			for (int i = -70; i < MAXSPAN + 70; i++)
			{
				bool		want = i >= 0 && i < MAXSPAN && (b.has[i] || c.has[i]);

				if (ret_activity_has(&b.a, base + i) != want)
					bad_union++;
			}
		}
	}
	ok(bad_bits == 0, "random activities built in random order hold their periods (%d wrong)", bad_bits);
	ok(bad_count == 0, "active periods over ranges (%d wrong)", bad_count);
	ok(bad_streak == 0, "longest streaks (%d wrong)", bad_streak);
	ok(bad_ending == 0, "streaks ending at each period (%d wrong)", bad_ending);
	ok(bad_runs == 0, "runs are the maximal streaks (%d wrong)", bad_runs);
	ok(bad_next == 0, "next active period (%d wrong)", bad_next);
	ok(bad_wire == 0, "wire form round trip and canonical (%d wrong)", bad_wire);
	ok(bad_union == 0, "union (%d wrong)", bad_union);
}

static void
test_activity_decode(void)
{
	/* day grain, first 0, span 3: periods 0 and 2 */
	uint8_t		good[] = {1, 1, 0, 0, 0, 0, 3, 0, 0, 0, 0x05};
	uint8_t		bad[sizeof(good)];
	RetActivity head;

	ok(ret_activity_decode(good, sizeof(good), &head) == NULL && head.span == 3, "a hand-made activity decodes");
	memcpy(bad, good, sizeof(good));
	bad[0] = 2;
	ok(ret_activity_decode(bad, sizeof(bad), &head) != NULL, "a wrong version is refused");
	memcpy(bad, good, sizeof(good));
	bad[1] = 4;
	ok(ret_activity_decode(bad, sizeof(bad), &head) != NULL, "a wrong grain is refused");
	memcpy(bad, good, sizeof(good));
	bad[10] = 0x04;
	ok(ret_activity_decode(bad, sizeof(bad), &head) != NULL, "an inactive first period is refused");
	bad[10] = 0x01;
	ok(ret_activity_decode(bad, sizeof(bad), &head) != NULL, "an inactive last period is refused");
	bad[10] = 0x0d;
	ok(ret_activity_decode(bad, sizeof(bad), &head) != NULL, "bits beyond the span are refused");
	memcpy(bad, good, sizeof(good));
	bad[6] = 0;
	ok(ret_activity_decode(bad, sizeof(bad), &head) != NULL, "an empty span is refused");
	memcpy(bad, good, sizeof(good));
	bad[2] = 0xff, bad[3] = 0xff, bad[4] = 0xff, bad[5] = 0x7f;
	ok(ret_activity_decode(bad, sizeof(bad), &head) != NULL, "periods beyond the timestamp range are refused");
}

static void
test_retention(void)
{
	int32_t		r[64];
	bool		conds[64] = {false};
	uint8_t		wire[RET_CONDITIONS_STATE_SIZE];
	uint8_t		n;
	uint64_t	seen;

	conds[0] = true;
	conds[2] = true;
	ret_retention_result(ret_conditions_mask(conds, 4), 4, r);
	ok(r[0] == 1 && r[1] == 0 && r[2] == 1 && r[3] == 0, "retention: first and third seen");
	ret_retention_result(UINT64_C(0xe), 4, r);
	ok(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0, "retention: without the first condition all zero");
	memset(conds, 1, sizeof(conds));
	ret_retention_result(ret_conditions_mask(conds, 64), 64, r);
	ok(r[0] == 1 && r[63] == 1, "retention: 64 conditions");
	ret_conditions_encode(5, 0x13, wire);
	ok(ret_conditions_decode(wire, sizeof(wire), &n, &seen) == NULL && n == 5 && seen == 0x13, "retention state round trip");
	ret_conditions_encode(4, 0x13, wire);
	ok(ret_conditions_decode(wire, sizeof(wire), &n, &seen) != NULL, "a mask beyond the conditions is refused");
	ret_conditions_encode(65, 0, wire);
	ok(ret_conditions_decode(wire, sizeof(wire), &n, &seen) != NULL, "more than 64 conditions are refused");
}

/* Cohorts, lifecycle and stickiness of random entities against brute force. */
#define NENT 60
#define RANGE 120

static void
test_counts(void)
{
	int			bad_cohort = 0,
				bad_lifecycle = 0,
				bad_sticky = 0,
				bad_wire = 0;

	for (int iter = 0; iter < 200; iter++)
	{
		static Built start[NENT],
					ret[NENT];
		uint32_t	n = 1 + (uint32_t) (rnd() % 15);
		uint8_t		option = (uint8_t) (rnd() % 4);
		int32_t		base = 1000;
		int64_t		cells[RANGE * 20];
		int64_t		want[RANGE * 20];
		RetCounts	c = {RET_COHORT, RET_DAY, option, 0, 0, n + 2, cells};

		for (int e = 0; e < NENT; e++)
		{
			random_activity(&start[e], base, 1 + (int) (rnd() % (RANGE - 20)), 4);
			random_activity(&ret[e], base, RANGE, 1 + (int) (rnd() % 4));
		}
		/* cohort table over all start periods */
		memset(want, 0, sizeof(want));
		c.first = start[0].a.first;
		c.nrows = 1;
		memset(cells, 0, sizeof(cells));
		for (int e = 0; e < NENT; e++)
		{
			int32_t		first;
			uint32_t	nrows;

			ret_counts_cohort_extent(&c, start[e].a.first, ret_activity_last(&start[e].a), &first, &nrows);
			ret_counts_rebase(&c, first, nrows);
			if (ret_cohort_add(&c, &start[e].a, e % 7 == 0 ? NULL : &ret[e].a) != RET_OK)
				bad_cohort++;
			for (int s = 0; s < RANGE; s++)
			{
				int64_t    *row = want + (size_t) s * (n + 2);

				if (!start[e].has[s] || ((option & RET_RECURRING) == 0 && base + s != start[e].a.first))
					continue;
				row[0]++;
				if (e % 7 == 0)
					continue;
				for (uint32_t k = 0; k <= n; k++)
				{
					bool		hit = false;

					for (int t = s + (int) k; t < MAXSPAN; t++)
						if (ret[e].has[t] && ((option & RET_ON_OR_AFTER) || t == s + (int) k))
							hit = true;
					row[1 + k] += hit;
				}
			}
		}
		for (int s = 0; s < RANGE; s++)
			for (uint32_t col = 0; col < n + 2; col++)
			{
				int64_t		got = (base + s >= c.first && base + s < c.first + (int64_t) c.nrows)
					? ret_counts_row(&c, (uint32_t) (base + s - c.first))[col] : 0;

				if (got != want[(size_t) s * (n + 2) + col])
					bad_cohort++;
			}
		/* the wire form of the cohort table */
		{
			size_t		size = ret_counts_wire_size(c.nrows, c.ncols);
			uint8_t    *wire = malloc(size);
			RetCounts	head;
			static int64_t back[RANGE * 20];

			ret_counts_encode(&c, wire);
			if (ret_counts_decode(wire, size, &head) != NULL)
				bad_wire++;
			else
			{
				head.cells = back;
				ret_counts_decode_cells(wire, &head);
				if (!ret_counts_compatible(&head, &c) ||
					memcmp(back, cells, (size_t) c.nrows * c.ncols * 8) != 0)
					bad_wire++;
			}
			free(wire);
		}
		/* lifecycle over a range that starts inside the histories */
		{
			int32_t		from = base + 10 + (int32_t) (rnd() % 30);
			int64_t		lc[RANGE * 4] = {0};
			RetCounts	l = {RET_LIFECYCLE, RET_DAY, 0, from, n * 4, 4, lc};

			for (int e = 0; e < NENT; e++)
				ret_lifecycle_add(&l, &ret[e].a);
			for (uint32_t i = 0; i < l.nrows; i++)
			{
				int			t = from - base + (int) i;
				int64_t		w[4] = {0};

				for (int e = 0; e < NENT; e++)
				{
					bool		now = t < MAXSPAN && ret[e].has[t];
					bool		before = t - 1 >= 0 && ret[e].has[t - 1];
					bool		earlier = false;

					for (int u = 0; u < t; u++)
						earlier |= ret[e].has[u];
					if (now && !earlier)
						w[RET_NEW]++;
					else if (now && before)
						w[RET_RETURNING]++;
					else if (now)
						w[RET_RESURRECTING]++;
					else if (before)
						w[RET_DORMANT]++;
				}
				if (memcmp(w, ret_counts_row(&l, i), sizeof(w)) != 0)
					bad_lifecycle++;
			}
		}
		/* stickiness */
		{
			int32_t		from = base + (int32_t) (rnd() % 60);
			int64_t		st[RANGE] = {0};
			int64_t		w[RANGE] = {0};
			RetCounts	s = {RET_STICKINESS, RET_DAY, 0, from, 1, n, st};

			for (int e = 0; e < NENT; e++)
			{
				int			k = 0;

				ret_stickiness_add(&s, &ret[e].a);
				for (uint32_t i = 0; i < n; i++)
					k += ret[e].has[from - base + i];
				if (k > 0)
					w[k - 1]++;
			}
			if (memcmp(w, st, n * 8) != 0)
				bad_sticky++;
		}
	}
	ok(bad_cohort == 0, "cohort retention, both criteria, first and recurring cohorts (%d wrong)", bad_cohort);
	ok(bad_wire == 0, "cohort tables round trip (%d wrong)", bad_wire);
	ok(bad_lifecycle == 0, "lifecycle with histories starting before the range (%d wrong)", bad_lifecycle);
	ok(bad_sticky == 0, "stickiness (%d wrong)", bad_sticky);
}

static void
test_counts_decode(void)
{
	/* a cohort table, day grain, option 0, first 5, 1 row, n = 1: size 2, retained 2, 1 */
	uint8_t		good[16 + 24] = {1, 1, 1, 0, 5, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
	2, 0, 0, 0, 0, 0, 0, 0, 1};
	uint8_t		bad[sizeof(good)];
	RetCounts	head;

	ok(ret_counts_decode(good, sizeof(good), &head) == NULL && head.ncols == 3, "a hand-made cohort table decodes");
	memcpy(bad, good, sizeof(good));
	bad[16] = 1;
	ok(ret_counts_decode(bad, sizeof(bad), &head) != NULL, "retaining more than the cohort is refused");
	memcpy(bad, good, sizeof(good));
	bad[3] = 1;
	bad[24] = 0;
	ok(ret_counts_decode(bad, sizeof(bad), &head) != NULL, "on_or_after counts that grow are refused");
	memcpy(bad, good, sizeof(good));
	bad[39] = 0x80;
	ok(ret_counts_decode(bad, sizeof(bad), &head) != NULL, "negative cells are refused");
	memcpy(bad, good, sizeof(good));
	bad[1] = 2;
	ok(ret_counts_decode(bad, sizeof(bad), &head) != NULL, "a lifecycle table has 4 columns");
	ok(ret_counts_decode(good, sizeof(good) - 1, &head) != NULL, "a short table is refused");
}

static void *
test_alloc(size_t size, void *ctx)
{
	(void) ctx;
	return malloc(size);
}

static void
test_release(void *ptr, void *ctx)
{
	(void) ctx;
	free(ptr);
}

static const EngAllocator test_allocator = {test_alloc, test_release, NULL, NULL};

/* retention_report against per-entity retention() of random rows, also split in two and combined. */
static void
test_report(void)
{
	int			bad_sums = 0,
				bad_combine = 0,
				bad_wire = 0;

	for (int iter = 0; iter < 50; iter++)
	{
		enum { NENTITIES = 3000, NROWS = 20000 };
		static uint64_t want_mask[NENTITIES];
		uint8_t		nconds = (uint8_t) (1 + rnd() % 64);
		EngMemory	mem,
					mem2;
		RetReport	whole,
					a,
					b,
					back;
		int64_t		want[64] = {0},
					got[64];
		int32_t		one[64];
		bool		text_keys = iter % 2 == 1;

		eng_memory_init(&mem, &test_allocator, 0);
		eng_memory_init(&mem2, &test_allocator, 0);
		ret_report_init(&whole, nconds, &mem);
		ret_report_init(&a, nconds, &mem);
		ret_report_init(&b, nconds, &mem2);
		memset(want_mask, 0, sizeof(want_mask));
		for (int i = 0; i < NROWS; i++)
		{
			uint32_t	e = (uint32_t) (rnd() % NENTITIES);
			uint64_t	mask = (rnd() % 3 == 0) ? 0 : (rnd() & rnd() & rnd());
			uint8_t		key[24];
			uint32_t	len;

			if (nconds < 64)
				mask &= (UINT64_C(1) << nconds) - 1;
			if (text_keys)
				len = (uint32_t) snprintf((char *) key, sizeof(key), "visitor-%u", e);
			else
			{
				for (int j = 0; j < 8; j++)
					key[j] = (uint8_t) ((uint64_t) e * 2654435761u >> (8 * j));
				len = 8;
			}
			want_mask[e] |= mask;
			ret_report_add(&whole, key, len, mask);
			ret_report_add(i % 2 ? &a : &b, key, len, mask);
		}
		for (int e = 0; e < NENTITIES; e++)
		{
			ret_retention_result(want_mask[e], nconds, one);
			for (int k = 0; k < nconds; k++)
				want[k] += one[k];
		}
		ret_report_sums(&whole, got);
		if (memcmp(got, want, nconds * sizeof(int64_t)) != 0)
			bad_sums++;
		ret_report_combine(&a, &b);
		ret_report_sums(&a, got);
		if (memcmp(got, want, nconds * sizeof(int64_t)) != 0)
			bad_combine++;
		{
			size_t		size = ret_report_serial_size(&a);
			uint8_t    *wire = malloc(size);

			ret_report_serialize(&a, wire);
			if (ret_report_deserialize(&back, wire, size, &mem2) != RET_OK)
				bad_wire++;
			else
			{
				ret_report_sums(&back, got);
				if (memcmp(got, want, nconds * sizeof(int64_t)) != 0)
					bad_wire++;
				ret_report_free(&back);
			}
			if (ret_report_deserialize(&back, wire, size - 1, &mem2) == RET_OK)
				bad_wire++;
			free(wire);
		}
		ret_report_free(&whole);
		ret_report_free(&a);
		ret_report_free(&b);
	}
	ok(bad_sums == 0, "retention_report sums equal per-entity retention(), integer and text keys (%d wrong)", bad_sums);
	ok(bad_combine == 0, "retention_report of two halves combined (%d wrong)", bad_combine);
	ok(bad_wire == 0, "retention_report serialized and back; a short state is refused (%d wrong)", bad_wire);
}

int
main(void)
{
	test_calendar();
	test_names();
	test_activity();
	test_activity_decode();
	test_retention();
	test_counts();
	test_counts_decode();
	test_report();
	return done_testing();
}
