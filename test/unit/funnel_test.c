/*
 * funnel_test.c: unit tests of the funnel core (src/funnel/funnel.c).
 *
 * The heart of it is a brute-force reference written straight from the
 * definitions in the issue and README: it enumerates every chain of rows and
 * keeps the longest valid one.  The core's dynamic programme must agree with
 * it on many thousands of random small event sets (ties, rows matching
 * several steps, window edges, repeated steps), in every mode combination,
 * with the rows fed in random order, split across two states that are then
 * combined, passed through serialization, asked for their level halfway as
 * a window aggregate does, packed and wide.  funnel_report is checked
 * against the per-entity levels, and the engine it stands on has its own
 * tests in engine_test.c.
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

static int checks;

static void
test_check(void *ctx)
{
	(void) ctx;
	checks++;
}

static const FunnelAllocator allocator = {test_alloc, test_release, test_check, NULL};
static const EngAllocator eng_allocator = {test_alloc, test_release, test_check, NULL};

static FunnelState *
new_state(int nsteps, int64_t window, uint32_t modes)
{
	FunnelSpec	spec = {window, modes, nsteps};

	return funnel_state_new(&spec, false, &allocator);
}

static int
level_now(FunnelState *s)
{
	int			level = -1;

	if (funnel_state_level(s, &allocator, &level) != FUNNEL_OK)
		return -1;
	return level;
}

/*
 * The rows split between two states at 'split'; the second one serialized
 * and decoded when roundtrip; the first asked for its level halfway when
 * split is odd (then more rows come, as in a window aggregate); then the
 * second combined into the first.  shift moves every time, to reach wide
 * packing when it is far from the first row.
 */
static int
core_level(const Row *rows, int n, int nsteps, int64_t window, uint32_t modes,
		   int split, bool roundtrip, int64_t shift)
{
	FunnelState *a = new_state(nsteps, window, modes);
	FunnelState *b = new_state(nsteps, window, modes);
	int			i,
				level;

	for (i = 0; i < n; i++)
	{
		int64_t		ts = rows[i].ts + (i % 2 ? shift : 0);

		if (i == split / 2 && split % 2 == 1)
			(void) level_now(a);
		if (funnel_state_add(i < split ? &a : &b, ts, rows[i].steps, &allocator) != FUNNEL_OK)
			return -3;
	}
	if (roundtrip)
	{
		size_t		len = funnel_serial_size(b);
		uint8_t    *buf = malloc(len + 1);
		FunnelState *c;

		funnel_serialize(b, buf);
		if (funnel_deserialize(buf, len, &c, &allocator) != FUNNEL_OK)
			return -1;
		free(buf);
		funnel_state_free(b, &allocator);
		b = c;
	}
	if (funnel_state_combine(&a, b, &allocator) != FUNNEL_OK)
		return -4;
	level = level_now(a);
	/* asking again changes nothing */
	if (level_now(a) != level)
		level = -2;
	funnel_state_free(a, &allocator);
	funnel_state_free(b, &allocator);
	return level;
}

/* Rows sorted by time into a FOLDED state, as under ORDER BY ts. */
static int
folded_level(const Row *rows, int n, int nsteps, int64_t window, uint32_t modes)
{
	FunnelSpec	spec = {window, modes, nsteps};
	FunnelState *s = funnel_state_new(&spec, true, &allocator);
	Row			sorted[MAX_ROWS];
	int			level;

	memcpy(sorted, rows, sizeof(Row) * n);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && sorted[j - 1].ts > sorted[j].ts; j--)
		{
			Row			t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	for (int i = 0; i < n; i++)
		if (funnel_state_add(&s, sorted[i].ts, sorted[i].steps, &allocator) != FUNNEL_OK)
			return -3;
	level = level_now(s);
	funnel_state_free(s, &allocator);
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
	return core_level(rows, n, nsteps, window, modes, n, false, 0);
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
	   "-infinity to infinity does not overflow the window test (wide events)");
	ok(level_of(far, 2, 2, INT64_MAX, 0) == 2, "the largest window reaches infinity");
	ok(level_of(NULL, 0, 3, 10, 0) == 0, "no rows gives 0");
	ok(funnel_parse_modes("", 0, &modes, &bad, &bad_len) == FUNNEL_OK && modes == 0,
	   "mode '' is the default");
	ok(funnel_parse_modes("  ", 2, &modes, &bad, &bad_len) == FUNNEL_OK && modes == 0,
	   "a blank mode is the default");
	ok(funnel_parse_modes("default", 7, &modes, &bad, &bad_len) == FUNNEL_OK && modes == 0,
	   "mode default");
	ok(funnel_parse_modes(" strict_order , strict_increase", 31, &modes, &bad, &bad_len) == FUNNEL_OK &&
	   modes == (FUNNEL_STRICT_ORDER | FUNNEL_STRICT_INCREASE), "modes combine, spaces ignored");
	ok(funnel_parse_modes("strict_order,strict", 19, &modes, &bad, &bad_len) == FUNNEL_ERR_UNKNOWN_MODE &&
	   bad_len == 6 && memcmp(bad, "strict", 6) == 0, "an unknown mode is reported by name");
	ok(funnel_parse_modes("strict_order,", 13, &modes, &bad, &bad_len) == FUNNEL_ERR_EMPTY_MODE,
	   "a trailing comma is an empty entry, not an unknown mode");
	ok(funnel_parse_modes(",strict_order", 13, &modes, &bad, &bad_len) == FUNNEL_ERR_EMPTY_MODE &&
	   funnel_parse_modes("strict_order, ,strict_increase", 30, &modes, &bad, &bad_len) == FUNNEL_ERR_EMPTY_MODE,
	   "leading and inner empty entries too");
}

static void
state_cases(void)
{
	FunnelSpec	spec = {10, 0, 3};
	FunnelSpec	strict = {100, FUNNEL_STRICT_ORDER, 3};
	FunnelState *s;
	uint8_t		buf[256];
	size_t		len;
	FunnelState *d;
	int			level;

	/* saturation: once the last step is reached, rows cost nothing */
	s = funnel_state_new(&spec, false, &allocator);
	for (int i = 0; i < 40; i++)
		funnel_state_add(&s, i, i % 3 == 0 ? A : i % 3 == 1 ? B : C, &allocator);
	ok((s->flags & FUNNEL_SATURATED) && s->count == 0,
	   "a default-mode group that reached the last step drops its events when it must grow");
	funnel_state_add(&s, -100, A, &allocator);
	ok(level_now(s) == 3, "a saturated state stays at the last level");
	len = funnel_serial_size(s);
	funnel_serialize(s, buf);
	ok(funnel_deserialize(buf, len, &d, &allocator) == FUNNEL_OK && (d->flags & FUNNEL_SATURATED) &&
	   level_now(d) == 3, "saturation survives serialization");
	funnel_state_free(d, &allocator);
	funnel_state_free(s, &allocator);

	/* strict modes never saturate: a later row may kill the chain */
	s = funnel_state_new(&strict, false, &allocator);
	for (int i = 0; i < 40; i++)
		funnel_state_add(&s, 10 * i, i % 3 == 0 ? A : i % 3 == 1 ? B : C, &allocator);
	ok(!(s->flags & FUNNEL_SATURATED) && level_now(s) == 3, "strict_order keeps its events");
	funnel_state_free(s, &allocator);

	/* packed events: 8 bytes each; far times turn the state wide, and the level is unchanged */
	s = funnel_state_new(&spec, false, &allocator);
	funnel_state_add(&s, 1000, A, &allocator);
	funnel_state_add(&s, 1005, B, &allocator);
	ok(!(s->flags & FUNNEL_WIDE), "near times pack");
	funnel_state_add(&s, INT64_MAX, C, &allocator);
	ok((s->flags & FUNNEL_WIDE) && level_now(s) == 2, "a far time makes the state wide, levels agree");
	funnel_state_free(s, &allocator);

	/* window use: asked after every row, in time order and in reverse */
	{
		FunnelState *asc = funnel_state_new(&spec, false, &allocator);
		FunnelState *desc = funnel_state_new(&spec, false, &allocator);
		int			asc_ok = 1,
					desc_ok = 1;
		Row			rows[6] = {{0, A}, {3, B}, {5, C}, {20, A}, {25, B}, {29, C}};

		for (int i = 0; i < 6; i++)
		{
			Row			sub[6];

			funnel_state_add(&asc, rows[i].ts, rows[i].steps, &allocator);
			memcpy(sub, rows, sizeof(Row) * (i + 1));
			if (level_now(asc) != brute_level(sub, i + 1, 3, 10, 0))
				asc_ok = 0;
			funnel_state_add(&desc, rows[5 - i].ts, rows[5 - i].steps, &allocator);
			if (level_now(desc) != brute_level(rows + 5 - i, i + 1, 3, 10, 0))
				desc_ok = 0;
		}
		ok(asc_ok && asc->fold != NULL, "a running window in time order keeps a fold and agrees");
		ok(desc_ok, "a running window in reverse order agrees");
		funnel_state_free(asc, &allocator);
		funnel_state_free(desc, &allocator);
	}

	/* FOLDED: rows out of order are refused */
	s = funnel_state_new(&spec, true, &allocator);
	funnel_state_add(&s, 10, A, &allocator);
	ok(funnel_state_add(&s, 5, B, &allocator) == FUNNEL_ERR_ORDER, "a folded state refuses a row out of order");
	ok(funnel_state_level(s, &allocator, &level) == FUNNEL_OK && level == 1, "and keeps what it had");
	funnel_state_free(s, &allocator);
}

static void
serial_cases(void)
{
	FunnelSpec	spec = {10, FUNNEL_STRICT_ORDER, 3};
	FunnelState *s = funnel_state_new(&spec, false, &allocator);
	FunnelState *d;
	uint8_t		buf[256];
	size_t		len;

	funnel_state_add(&s, 5, A, &allocator);
	funnel_state_add(&s, 1, B | C, &allocator);
	len = funnel_serial_size(s);
	funnel_serialize(s, buf);
	ok(len == FUNNEL_SERIAL_HEADER + 2 * FUNNEL_SERIAL_EVENT && buf[0] == FUNNEL_SERIAL_VERSION &&
	   buf[1] == 10 && buf[2] == 0, "serialized little-endian: version, then the window");
	ok(funnel_deserialize(buf, len, &d, &allocator) == FUNNEL_OK && d->count == 2 && d->nsteps == 3 &&
	   d->window == 10 && d->modes == FUNNEL_STRICT_ORDER, "serialize then decode round-trips");
	funnel_state_free(d, &allocator);
	ok(funnel_deserialize(buf, len - 1, &d, &allocator) == FUNNEL_ERR_CORRUPT, "truncated bytes are rejected");
	ok(funnel_deserialize(buf, 10, &d, &allocator) == FUNNEL_ERR_CORRUPT, "a short header is rejected");
	buf[FUNNEL_SERIAL_HEADER + 8] = 8;	/* first event: step 4 of 3 */
	ok(funnel_deserialize(buf, len, &d, &allocator) == FUNNEL_ERR_CORRUPT, "a step beyond nsteps is rejected");
	funnel_serialize(s, buf);
	buf[FUNNEL_SERIAL_HEADER + 8] = 0;	/* first event: no step */
	ok(funnel_deserialize(buf, len, &d, &allocator) == FUNNEL_ERR_CORRUPT, "an event with no step is rejected");
	funnel_serialize(s, buf);
	buf[14] = 0xff;				/* a huge count */
	ok(funnel_deserialize(buf, len, &d, &allocator) == FUNNEL_ERR_CORRUPT, "a wrong count is rejected");
	funnel_serialize(s, buf);
	buf[10] = 40;				/* nsteps 40 */
	ok(funnel_deserialize(buf, len, &d, &allocator) == FUNNEL_ERR_CORRUPT, "nsteps > 32 is rejected");
	funnel_serialize(s, buf);
	buf[11] = FUNNEL_SATURATED;	/* saturated, with events, in a strict mode */
	ok(funnel_deserialize(buf, len, &d, &allocator) == FUNNEL_ERR_CORRUPT,
	   "saturation with events or in a strict mode is rejected");
	funnel_serialize(s, buf);
	buf[1] = 0;
	buf[2] = 0;					/* window 0 */
	ok(funnel_deserialize(buf, len, &d, &allocator) == FUNNEL_ERR_CORRUPT, "a zero window is rejected");
	funnel_state_free(s, &allocator);

	{
		FunnelCounts c = {3, {5, 4, 0, 1}};
		FunnelCounts e;
		int64_t		reached[3];
		uint8_t		cbuf[64];

		funnel_counts_encode(&c, cbuf);
		ok(funnel_counts_wire_size(&c) == 34 && funnel_counts_decode(cbuf, 34, &e) == FUNNEL_OK &&
		   e.nsteps == 3 && e.at_level[0] == 5 && e.at_level[3] == 1, "funnel counts round-trip");
		ok(funnel_counts_decode(cbuf, 33, &e) == FUNNEL_ERR_CORRUPT, "short counts are rejected");
		cbuf[2 + 8 + 7] = 0x80;	/* level 1 count negative */
		ok(funnel_counts_decode(cbuf, 34, &e) == FUNNEL_ERR_CORRUPT, "a negative count is rejected");
		ok(funnel_counts_reached(&c, reached) && reached[0] == 5 && reached[1] == 1 && reached[2] == 1,
		   "reached: groups with level >= k");
		c.at_level[1] = INT64_MAX;
		e = c;
		ok(!funnel_counts_add(&e, &c), "adding counts past int64 is refused");
	}
}

static void
random_cases(void)
{
	static const int64_t windows[] = {1, 2, 3, 5, 1000};
	static const int64_t shifts[] = {0, 0, INT64_C(1) << 60};
	uint32_t	modes;

	for (modes = 0; modes <= FUNNEL_ALL_MODES; modes++)
	{
		int			trials = 20000;
		int			mismatches = 0;
		int			row_mismatches = 0;
		int			folded_mismatches = 0;
		int			t;

		for (t = 0; t < trials; t++)
		{
			Row			rows[MAX_ROWS];
			Row			shifted[MAX_ROWS];
			int			n = rnd(MAX_ROWS + 1);
			int			nsteps = 1 + rnd(4);
			int64_t		window = windows[rnd(5)];
			int64_t		span = 2 + rnd(8);	/* small: many ties */
			int64_t		shift = shifts[rnd(3)];
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
				shifted[i] = rows[i];
				shifted[i].ts += i % 2 ? shift : 0;
			}
			want = brute_level(shifted, n, nsteps, window, modes);
			got = core_level(rows, n, nsteps, window, modes, rnd(n + 1), rnd(2), shift);
			if (want != got)
			{
				if (mismatches++ < 3)
				{
					printf("# modes %u nsteps %d window %lld shift %lld: want %d got %d:", modes, nsteps,
						   (long long) window, (long long) shift, want, got);
					for (i = 0; i < n; i++)
						printf(" %u@%lld", rows[i].steps, (long long) rows[i].ts);
					printf("\n");
				}
			}
			if (folded_level(shifted, n, nsteps, window, modes) != want)
				folded_mismatches++;
			/* default and strict_increase: the row-level definition, no merging */
			if ((modes & ~FUNNEL_STRICT_INCREASE) == 0 &&
				brute_rows(rows, n, nsteps, window, modes != 0, 1, 0, 0) !=
				brute_level(rows, n, nsteps, window, modes))
				row_mismatches++;
		}
		ok(mismatches == 0,
		   "modes %u: the state (any order, split, combined, serialized, asked halfway, packed or wide) equals the brute force on %d random sets",
		   modes, trials);
		ok(folded_mismatches == 0, "modes %u: the folded state (rows in time order) equals it too", modes);
		if ((modes & ~FUNNEL_STRICT_INCREASE) == 0)
			ok(row_mismatches == 0,
			   "modes %u: merging simultaneous rows agrees with the row-level definition", modes);
	}
}

/* Many entities of random rows: funnel_report's counts equal the per-entity levels. */
static void
report_cases(void)
{
	static const uint32_t modes_list[] = {0, FUNNEL_STRICT_INCREASE, FUNNEL_STRICT_ORDER,
	FUNNEL_STRICT_DEDUPLICATION, FUNNEL_ALL_MODES};

	for (int m = 0; m < 5; m++)
	{
		int			nentities = 3000;
		int			nsteps = 1 + m % 4 + (m == 4 ? 20 : 0);	/* 1 to 4 steps, and 21 */
		FunnelSpec	spec = {5, modes_list[m], nsteps};
		FunnelReport whole,
					half1,
					half2,
					decoded,
					streamed;
		EngMemory	memory;
		bool		any;
		FunnelCounts want = {nsteps, {0}};
		FunnelCounts got,
					got_split,
					got_stream;
		int			errors = 0;
		uint8_t    *buf;
		size_t		len;

		eng_memory_init(&memory, &eng_allocator, 0);
		funnel_report_init(&whole, &spec, false, &memory);
		funnel_report_init(&half1, &spec, false, &memory);
		funnel_report_init(&half2, &spec, false, &memory);
		funnel_report_init(&streamed, &spec, true, &memory);
		for (int e = 0; e < nentities; e++)
		{
			Row			rows[MAX_ROWS];
			int			n = 1 + rnd(MAX_ROWS);
			uint8_t		key[20];
			uint32_t	key_len = (m == 1 || e % 3 == 0) ? 8 : 20;	/* report 1: integer keys only */
			FunnelState *s = new_state(nsteps, spec.window, spec.modes);
			int			level;

			memset(key, 0, sizeof key);
			memcpy(key, &e, sizeof e);
			for (int i = 0; i < n; i++)
			{
				rows[i].ts = rnd(12) + (e % 7 == 0 && m != 1 ? (INT64_C(1) << 61) : 0);
				rows[i].steps = 1u << rnd(nsteps < 4 ? nsteps : 4);
				funnel_state_add(&s, rows[i].ts, rows[i].steps, &allocator);
				funnel_report_add(&whole, key, key_len, rows[i].ts, rows[i].steps);
				funnel_report_add(i % 2 ? &half1 : &half2, key, key_len, rows[i].ts, rows[i].steps);
			}
			level = level_now(s);
			funnel_state_free(s, &allocator);
			want.at_level[level]++;
			/* streaming: the same entity's rows in time order */
			for (int i = 1; i < n; i++)
				for (int j = i; j > 0 && rows[j - 1].ts > rows[j].ts; j--)
				{
					Row			t = rows[j];

					rows[j] = rows[j - 1];
					rows[j - 1] = t;
				}
			for (int i = 0; i < n; i++)
				if (funnel_report_add(&streamed, key, key_len, rows[i].ts, rows[i].steps) != FUNNEL_OK)
					errors++;
		}
		ok(funnel_report_counts(&whole, &got, &any) == FUNNEL_OK && any &&
		   memcmp(&got, &want, sizeof want) == 0,
		   "report %d (modes %u, %d steps): counts equal the per-entity levels", m, spec.modes, nsteps);
		ok(m == 1 ? !whole.wide && whole.by_value : whole.wide == (nsteps >= 2),
		   "report %d: a %s log keyed %s (times 2^61 us apart pack with 1 step, not with more)",
		   m, whole.wide ? "wide" : "packed", whole.by_value ? "by entity" : "by id");
		/* halves, the second through serialization, combined */
		len = funnel_report_serial_size(&half2);
		buf = malloc(len);
		funnel_report_serialize(&half2, buf);
		ok(funnel_report_deserialize(&decoded, buf, len, &memory) == FUNNEL_OK &&
		   funnel_report_combine(&half1, &decoded) == FUNNEL_OK &&
		   funnel_report_counts(&half1, &got_split, &any) == FUNNEL_OK &&
		   memcmp(&got_split, &want, sizeof want) == 0,
		   "report %d: entities split across two partial states combine exactly", m);
		funnel_report_free(&decoded);
		ok(funnel_report_deserialize(&decoded, buf, len - 1, &memory) == FUNNEL_ERR_CORRUPT,
		   "report %d: truncated bytes are rejected", m);
		free(buf);
		ok(errors == 0 && funnel_report_counts(&streamed, &got_stream, &any) == FUNNEL_OK &&
		   memcmp(&got_stream, &want, sizeof want) == 0,
		   "report %d: streaming over rows ordered by (entity, time) gives the same counts", m);
		funnel_report_free(&whole);
		funnel_report_free(&half1);
		funnel_report_free(&half2);
		funnel_report_free(&streamed);
		ok(memory.used == 0, "report %d: every byte given back", m);
	}

	/* the memory limit is a status, never more memory */
	{
		FunnelSpec	spec = {5, 0, 2};
		FunnelReport r;
		FunnelStatus st = FUNNEL_OK;
		EngMemory	memory;
		int			i;

		eng_memory_init(&memory, &eng_allocator, 2 * 1024 * 1024);
		funnel_report_init(&r, &spec, false, &memory);
		for (i = 0; i < 1000000 && st == FUNNEL_OK; i++)
			st = funnel_report_add(&r, (const uint8_t *) &i, sizeof i, i, A);
		ok(st == FUNNEL_ERR_MEMORY && memory.used <= memory.limit,
		   "a report stops at its memory limit (%d rows, %zu bytes)", i, memory.used);
		funnel_report_free(&r);
		ok(memory.used == 0, "and gives every byte back");
	}
	/* streaming rows out of order are refused */
	{
		FunnelSpec	spec = {5, 0, 2};
		FunnelReport r;
		EngMemory	memory;
		uint8_t		key = 1;

		eng_memory_init(&memory, &eng_allocator, 0);
		funnel_report_init(&r, &spec, true, &memory);
		funnel_report_add(&r, &key, 1, 10, A);
		ok(funnel_report_add(&r, &key, 1, 9, B) == FUNNEL_ERR_ORDER, "a streaming report refuses rows out of time order");
		funnel_report_free(&r);
	}
}

static void
large_case(void)
{
	/* A million rows, reversed: sorting and one long scan. */
	FunnelSpec	spec = {10, FUNNEL_STRICT_ORDER, 3};
	FunnelState *s = funnel_state_new(&spec, false, &allocator);
	uint32_t	n = 1000000,
				i;

	for (i = 0; i < n; i++)
	{
		uint32_t	k = n - 1 - i;

		funnel_state_add(&s, (int64_t) k * 100, k == n - 3 ? A : k == n - 2 ? B : k == n - 1 ? C : A, &allocator);
	}
	checks = 0;
	ok(level_now(s) == 1 && s->count == n, "a million rows, window too short: level 1");
	ok(checks > 0, "sorting them checks for interrupts (%d times)", checks);
	s->window = 200;
	ok(level_now(s) == 3, "a million rows, window 200: level 3");
	funnel_state_free(s, &allocator);
}

int
main(void)
{
	hand_cases();
	state_cases();
	serial_cases();
	random_cases();
	report_cases();
	large_case();
	return done_testing();
}
