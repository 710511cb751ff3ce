/*
 * funnel_test.c: unit tests of the funnel core (src/funnel/funnel.c).
 *
 * The heart of it is a brute-force reference written straight from the
 * definitions in the issue and README: it enumerates every chain of rows and
 * keeps the longest valid one.  The core's dynamic programme must agree with
 * it on many thousands of random small event sets (ties, rows matching
 * several steps, window edges, repeated steps), in every mode combination,
 * with the rows fed in random order, split across two states that are then
 * combined, and passed through serialization.
 */
#include "funnel/funnel.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 9

typedef struct Row
{
	int64_t		ts;
	uint32_t	steps;
} Row;

/* ---- brute force, row level: default and strict_increase ----------------
 * The level is the largest k with rows r1..rk, ri matching step i,
 * ts(r1) <= ... <= ts(rk) (strict < under strict_increase), ts(rk) - ts(r1)
 * <= window.  A row may be used again for a later step (one row filling
 * several steps), which only the non-strict order allows.
 */
static int
brute_rows(const Row *rows, int n, int nsteps, int64_t window, bool strict,
		   int step, int64_t first_ts, int64_t prev_ts)
{
	int			best = step - 1;
	int			r;

	if (step > nsteps)
		return nsteps;
	for (r = 0; r < n; r++)
	{
		int			got;

		if (!(rows[r].steps >> (step - 1) & 1))
			continue;
		if (step > 1)
		{
			if (strict ? rows[r].ts <= prev_ts : rows[r].ts < prev_ts)
				continue;
			if (rows[r].ts - first_ts > window)
				continue;
		}
		got = brute_rows(rows, n, nsteps, window, strict, step + 1,
						 step == 1 ? rows[r].ts : first_ts, rows[r].ts);
		if (got > best)
			best = got;
	}
	return best;
}

/* ---- brute force, moment level: every mode -------------------------------
 * Rows with equal timestamps are merged into one moment (the documented tie
 * rule); a chain picks moments p[1] <= ... <= p[k] (strictly increasing under
 * strict_increase) and is then checked against the kill rules, moment by
 * moment, exactly as worded in the definitions.
 */
typedef struct Moments
{
	int			n;
	int64_t		ts[MAX_ROWS];
	uint32_t	steps[MAX_ROWS];
} Moments;

static void
to_moments(const Row *rows, int n, Moments *m)
{
	bool		used[MAX_ROWS] = {false};
	int			i,
				j;

	m->n = 0;
	for (;;)
	{
		int			pick = -1;

		for (i = 0; i < n; i++)
			if (!used[i] && (pick < 0 || rows[i].ts < rows[pick].ts))
				pick = i;
		if (pick < 0)
			break;
		m->ts[m->n] = rows[pick].ts;
		m->steps[m->n] = 0;
		for (j = 0; j < n; j++)
			if (!used[j] && rows[j].ts == rows[pick].ts)
			{
				used[j] = true;
				m->steps[m->n] |= rows[j].steps;
			}
		m->n++;
	}
}

static bool
chain_valid(const Moments *m, const int *p, int k, uint32_t modes)
{
	int			q,
				i;

	for (q = p[1]; q <= p[k]; q++)
	{
		int			cur = 0;	/* steps filled at moments before q */
		int			lowest = 0;

		for (i = 1; i <= k; i++)
			if (p[i] < q)
				cur++;
		for (i = 1; i <= FUNNEL_MAX_STEPS; i++)
			if (m->steps[q] >> (i - 1) & 1)
			{
				lowest = i;
				break;
			}
		if ((modes & FUNNEL_STRICT_ORDER) && lowest > cur + 1)
			return false;		/* every step of q skips ahead */
		if (modes & FUNNEL_STRICT_DEDUPLICATION)
			for (i = 2; i <= cur; i++)
				if (m->steps[q] >> (i - 1) & 1)
					return false;	/* q repeats a passed step */
	}
	return true;
}

static int
brute_moments(const Moments *m, int nsteps, int64_t window, uint32_t modes,
			  int *p, int step)
{
	int			best = 0;
	int			q;

	if (step > 1 && chain_valid(m, p, step - 1, modes))
		best = step - 1;
	if (step > nsteps)
		return best;
	for (q = step == 1 ? 0 : p[step - 1]; q < m->n; q++)
	{
		int			got;

		if (!(m->steps[q] >> (step - 1) & 1))
			continue;
		if (step > 1 && (modes & FUNNEL_STRICT_INCREASE) && q == p[step - 1])
			continue;
		if (step > 1 && m->ts[q] - m->ts[p[1]] > window)
			continue;
		p[step] = q;
		got = brute_moments(m, nsteps, window, modes, p, step + 1);
		if (got > best)
			best = got;
	}
	return best;
}

static int
brute_level(const Row *rows, int n, int nsteps, int64_t window, uint32_t modes)
{
	Moments		m;
	int			p[FUNNEL_MAX_STEPS + 2];

	to_moments(rows, n, &m);
	return brute_moments(&m, nsteps, window, modes, p, 1);
}

/* ---- the core, fed like the aggregate feeds it ---------------------------- */

static FunnelState *
new_state(uint32_t capacity, int nsteps, int64_t window, uint32_t modes)
{
	FunnelState *s = malloc(funnel_state_size(capacity));

	funnel_state_init(s, capacity);
	s->spec.nsteps = nsteps;
	s->spec.window = window;
	s->spec.modes = modes;
	return s;
}

static int
core_level(const Row *rows, int n, int nsteps, int64_t window, uint32_t modes,
		   int split, bool roundtrip)
{
	FunnelState *a = new_state(MAX_ROWS, nsteps, window, modes);
	FunnelState *b = new_state(MAX_ROWS, nsteps, window, modes);
	int			i,
				level;

	for (i = 0; i < n; i++)
		funnel_append(i < split ? a : b, rows[i].ts, rows[i].steps);
	/* As in a window aggregate: a final call, then more rows. */
	if (split % 2 == 1)
		funnel_normalize(a);
	if (roundtrip)
	{
		size_t		len = funnel_serial_size(b->count);
		unsigned char *buf = malloc(len);
		FunnelSpec	spec;
		uint32_t	count;

		funnel_serialize(b, buf);
		if (funnel_check_serial(buf, len, &spec, &count) != NULL)
			return -1;
		funnel_deserialize(buf, b);
		free(buf);
	}
	funnel_append_all(a, b);
	funnel_normalize(a);
	level = funnel_level(a->events, a->count, &a->spec);
	/* normalizing again, and asking again, changes nothing */
	funnel_normalize(a);
	if (funnel_level(a->events, a->count, &a->spec) != level)
		level = -2;
	free(a);
	free(b);
	return level;
}

/* ---- deterministic random numbers --------------------------------------- */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t) (rng_state % n);
}

/* ---- hand-written cases ---------------------------------------------------- */
#define A 1u
#define B 2u
#define C 4u
#define D 8u

static int
level_of(const Row *rows, int n, int nsteps, int64_t window, uint32_t modes)
{
	return core_level(rows, n, nsteps, window, modes, n, false);
}

static void
hand_cases(void)
{
	Row			acb[] = {{0, A}, {1, C}, {2, B}};
	Row			abbc[] = {{0, A}, {1, B}, {2, B}, {3, C}};
	Row			ch[] = {{0, A}, {1, B}, {2, B}, {2, C}};
	Row			edge[] = {{0, A}, {5, B}, {10, C}};
	Row			later[] = {{0, A}, {100, A}, {101, B}, {102, C}};
	Row			multi[] = {{0, A | B | C}};
	Row			dedup[] = {{0, A}, {1, B}, {2, C}, {3, B}, {4, D}};
	Row			dedup_a[] = {{0, A}, {1, B}, {2, A}, {3, C}};
	Row			infinities[] = {{INT64_MIN, A}, {INT64_MAX, B}};
	Row			far[] = {{0, A}, {INT64_MAX, B}};
	uint32_t	modes;
	const char *bad;
	size_t		bad_len;

	ok(level_of(acb, 3, 3, 100, FUNNEL_STRICT_ORDER) == 1, "strict_order: A C B gives 1");
	ok(level_of(acb, 3, 3, 100, 0) == 2, "default: A C B gives 2");
	ok(level_of(abbc, 4, 3, 100, FUNNEL_STRICT_ORDER) == 3, "strict_order: A B B C gives 3");
	ok(level_of(ch, 4, 3, 100, FUNNEL_STRICT_INCREASE) == 3,
	   "strict_increase: A@0 B@1 B@2 C@2 gives 3 (ClickHouse gives 2)");
	ok(level_of(edge, 3, 3, 10, 0) == 3, "a row exactly at the window edge counts");
	ok(level_of(edge, 3, 3, 9, 0) == 2, "one microsecond less and it does not");
	ok(level_of(later, 4, 3, 10, 0) == 3, "the successful attempt starts later");
	ok(level_of(multi, 1, 3, 1, 0) == 3, "one row fills several consecutive steps");
	ok(level_of(multi, 1, 3, 1, FUNNEL_STRICT_INCREASE) == 1,
	   "strict_increase: one row fills one step");
	ok(level_of(abbc, 4, 3, 100, FUNNEL_STRICT_DEDUPLICATION) == 3,
	   "strict_deduplication: A B B C gives 3 (the chain may take the second B)");
	ok(level_of(dedup, 5, 4, 100, FUNNEL_STRICT_DEDUPLICATION) == 3,
	   "strict_deduplication: A B C B D gives 3");
	ok(level_of(dedup, 5, 4, 100, FUNNEL_STRICT_ORDER) == 4, "strict_order: A B C B D gives 4");
	ok(level_of(dedup_a, 4, 3, 100, FUNNEL_STRICT_DEDUPLICATION) == 3,
	   "strict_deduplication: a repeated step 1 does not end the chain");
	ok(level_of(infinities, 2, 2, INT64_MAX, 0) == 1,
	   "-infinity to infinity does not overflow the window test");
	ok(level_of(far, 2, 2, INT64_MAX, 0) == 2, "the largest window reaches infinity");
	ok(level_of(NULL, 0, 3, 10, 0) == 0, "no rows gives 0");

	ok(funnel_parse_modes("", 0, &modes, &bad, &bad_len) && modes == 0, "mode '' is the default");
	ok(funnel_parse_modes("default", 7, &modes, &bad, &bad_len) && modes == 0, "mode default");
	ok(funnel_parse_modes(" strict_order , strict_increase", 31, &modes, &bad, &bad_len) &&
	   modes == (FUNNEL_STRICT_ORDER | FUNNEL_STRICT_INCREASE), "modes combine, spaces ignored");
	ok(!funnel_parse_modes("strict_order,strict", 19, &modes, &bad, &bad_len) &&
	   bad_len == 6 && memcmp(bad, "strict", 6) == 0, "an unknown mode is reported by name");
	ok(!funnel_parse_modes("strict_order,", 13, &modes, &bad, &bad_len) && bad_len == 0,
	   "an empty mode in a list is an error");
}

static void
serial_cases(void)
{
	FunnelState *s = new_state(4, 3, 10, FUNNEL_STRICT_ORDER);
	unsigned char buf[256];
	FunnelSpec	spec;
	uint32_t	count;
	size_t		len;

	funnel_append(s, 5, A);
	funnel_append(s, 1, B | C);
	len = funnel_serial_size(s->count);
	funnel_serialize(s, buf);
	ok(funnel_check_serial(buf, len, &spec, &count) == NULL && count == 2 &&
	   spec.nsteps == 3 && spec.window == 10 && spec.modes == FUNNEL_STRICT_ORDER,
	   "serialize then check round-trips");
	ok(funnel_check_serial(buf, len - 1, &spec, &count) != NULL, "truncated bytes are rejected");
	ok(funnel_check_serial(buf, 10, &spec, &count) != NULL, "a short header is rejected");
	buf[FUNNEL_SERIAL_HEADER + 8] = 8;	/* first event: step 4 of 3 */
	ok(funnel_check_serial(buf, len, &spec, &count) != NULL, "a step beyond nsteps is rejected");
	funnel_serialize(s, buf);
	buf[16] = 0xff;				/* a huge count */
	ok(funnel_check_serial(buf, len, &spec, &count) != NULL, "a wrong count is rejected");
	funnel_serialize(s, buf);
	buf[12] = 40;				/* nsteps 40 */
	ok(funnel_check_serial(buf, len, &spec, &count) != NULL, "nsteps > 32 is rejected");
	free(s);
}

static void
random_cases(void)
{
	static const int64_t windows[] = {1, 2, 3, 5, 1000};
	uint32_t	modes;

	for (modes = 0; modes <= FUNNEL_ALL_MODES; modes++)
	{
		int			trials = 20000;
		int			mismatches = 0;
		int			row_mismatches = 0;
		int			t;

		for (t = 0; t < trials; t++)
		{
			Row			rows[MAX_ROWS];
			int			n = rnd(MAX_ROWS + 1);
			int			nsteps = 1 + rnd(4);
			int64_t		window = windows[rnd(5)];
			int64_t		span = 2 + rnd(8);	/* small: many ties */
			int			i,
						want,
						got;

			for (i = 0; i < n; i++)
			{
				rows[i].ts = rnd((uint32_t) span);
				if (rnd(4) == 0)	/* several steps in one row */
					rows[i].steps = 1 + rnd((1u << nsteps) - 1);
				else
					rows[i].steps = 1u << rnd(nsteps);
			}
			want = brute_level(rows, n, nsteps, window, modes);
			got = core_level(rows, n, nsteps, window, modes, rnd(n + 1), rnd(2));
			if (want != got)
			{
				if (mismatches++ < 3)
				{
					printf("# modes %u nsteps %d window %lld: want %d got %d:", modes, nsteps,
						   (long long) window, want, got);
					for (i = 0; i < n; i++)
						printf(" %u@%lld", rows[i].steps, (long long) rows[i].ts);
					printf("\n");
				}
			}
			/* default and strict_increase: the row-level definition, no merging */
			if ((modes & ~FUNNEL_STRICT_INCREASE) == 0 &&
				brute_rows(rows, n, nsteps, window, modes != 0, 1, 0, 0) != want)
				row_mismatches++;
		}
		ok(mismatches == 0, "modes %u: the core equals the brute force on %d random sets",
		   modes, trials);
		if ((modes & ~FUNNEL_STRICT_INCREASE) == 0)
			ok(row_mismatches == 0,
			   "modes %u: merging simultaneous rows agrees with the row-level definition", modes);
	}
}

static void
large_case(void)
{
	/* A million rows, reversed: sorting and one long scan. */
	uint32_t	n = 1000000,
				i;
	FunnelState *s = new_state(n, 3, 10, 0);

	for (i = 0; i < n; i++)
	{
		uint32_t	k = n - 1 - i;

		funnel_append(s, (int64_t) k * 100, k == n - 3 ? A : k == n - 2 ? B : k == n - 1 ? C : A);
	}
	funnel_normalize(s);
	ok(s->count == n && funnel_level(s->events, s->count, &s->spec) == 1,
	   "a million rows, window too short: level 1");
	s->spec.window = 200;
	ok(funnel_level(s->events, s->count, &s->spec) == 3, "a million rows, window 200: level 3");
	free(s);
}

int
main(void)
{
	hand_cases();
	serial_cases();
	random_cases();
	large_case();
	return done_testing();
}
