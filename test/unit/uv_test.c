/*
 * hll_test.c: unit tests of the uvsketch core (src/uv/uv.c), no server.
 *
 * Expected values come from outside the code under test: exact counts are
 * the number of distinct inputs we generated, folded sketches are compared
 * with sketches built directly at the coarse precision, the error bound is
 * the 1.1 x 1.04 / sqrt(2^p), and the pinned bytes were worked out
 * by hand from the format in uv.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "uv/uv.h"
#include "tap.h"

static void *
test_alloc(size_t size, void *ctx)
{
	/* malloc's alignment (16 on glibc) covers the 8 the core needs */
	void	   *p = malloc(size ? size : 1);

	(void) ctx;
	if (p == NULL)
		abort();
	return p;
}

static void
test_release(void *ptr, void *ctx)
{
	(void) ctx;
	free(ptr);
}

static const UvAllocator A = {test_alloc, test_release, NULL};

/* splitmix64: a reproducible stream of uniform 64-bit "hashes" */
static uint64_t
next_hash(uint64_t *state)
{
	*state += UINT64_C(0x9e3779b97f4a7c15);
	return uv_mix64(*state);
}

/* add and take ownership: free the old sketch when a new one comes back */
static UvSketch *
add(UvSketch *s, uint64_t h)
{
	UvSketch   *n = uv_add_hash(s, h, &A);

	if (n != s)
		free(s);
	return n;
}

static UvSketch *
build(int p, uint64_t seed, uint64_t n)
{
	UvSketch   *s = uv_new(p, &A);
	uint64_t	state = seed;
	uint64_t	i;

	for (i = 0; i < n; i++)
		s = add(s, next_hash(&state));
	return s;
}

static UvSketch *
canon(UvSketch *s)
{
	UvSketch   *c = uv_canonical(s, &A);

	if (c != s)
		free(s);
	return c;
}

static void
test_mix64(void)
{
	/* values computed independently (Python, same constants) */
	ok(uv_mix64(0) == 0, "mix64(0) = 0");
	ok(uv_mix64(1) == UINT64_C(0x5692161d100b05e5), "mix64(1) pinned");
	ok(uv_mix64(0xdeadbeef) == UINT64_C(0x4e062702ec929eea), "mix64(0xdeadbeef) pinned");
}

static void
test_exact_small(void)
{
	int			sizes[] = {0, 1, 2, 25, 26, 27, 28, 100, 1000, 1791, 1792};
	size_t		k;
	int			all_exact = 1;
	int			all_sparse = 1;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
	{
		UvSketch   *s = build(14, 42 + k, sizes[k]);
		uint64_t	state = 42 + k;
		int			i;

		/* adding every hash again changes nothing */
		for (i = 0; i < sizes[k]; i++)
			s = add(s, next_hash(&state));
		if (uv_estimate(s) != sizes[k])
			all_exact = 0;
		if (s->repr != UV_REPR_HASHSET)
			all_sparse = 0;
		free(s);
	}
	ok(all_exact, "p=14: counts 0..1792 are exact, duplicates ignored");
	ok(all_sparse, "p=14: up to 1792 distinct hashes stay sparse");
	ok(uv_sparse_limit(14) == 1792 && uv_sparse_limit(4) == 1 && uv_sparse_limit(18) == 28672,
	   "sparse limit is 7m/64");
	{
		UvSketch   *s = build(14, 7, 1793);

		ok(s->repr == UV_REPR_DENSE && s->capacity == 16384, "1793rd distinct hash switches to registers");
		free(s);
	}
	{
		UvSketch   *s = build(4, 7, 1);

		ok(s->repr == UV_REPR_HASHSET && uv_estimate(s) == 1, "p=4 holds one exact hash");
		s = add(s, 12345);
		ok(s->repr == UV_REPR_DENSE, "p=4 second hash goes dense");
		free(s);
	}
}

static void
test_zero_hash_and_canonical(void)
{
	UvSketch   *a = uv_new(14, &A);
	UvSketch   *b = uv_new(14, &A);
	UvSketch   *ca;
	UvSketch   *cb;
	uint64_t	hashes[] = {5, 0, UINT64_MAX, 1, 0, 5, UINT64_C(1) << 63};
	int			i;
	const uint64_t *h;

	for (i = 0; i < 7; i++)
		a = add(a, hashes[i]);
	for (i = 6; i >= 0; i--)
		b = add(b, hashes[i]);
	ok(uv_estimate(a) == 5, "hash 0 counts once among 5 distinct");
	ca = canon(a);
	cb = canon(b);
	h = (const uint64_t *) ((const char *) ca + UV_HEADER_SIZE);
	ok(ca->repr == UV_REPR_SPARSE && ca->count == 5 && h[0] == 0 && h[1] == 1 && h[2] == 5 &&
	   h[3] == UINT64_C(1) << 63 && h[4] == UINT64_MAX, "canonical form is sorted, deduplicated");
	ok(uv_equal(ca, cb), "insertion order does not matter");
	free(ca);
	free(cb);
}

/* pinned bytes of a known sketch: worked out by hand from uv.h */
static void
test_pinned_bytes(void)
{
	UvSketch   *s = uv_new(12, &A);
	UvSketch   *c;
	char		text[128];
	uint8_t		bytes[64];
	const char *expect = "uv:010c010002000000"
		"0100000000000000"
		"0807060504030201";

	s = add(s, UINT64_C(0x0102030405060708));
	s = add(s, 1);
	c = canon(s);
	ok(uv_wire_size(c) == 24, "sparse of 2 hashes is 24 bytes");
	uv_encode(c, bytes);
	ok(bytes[0] == 1 && bytes[1] == 12 && bytes[2] == 1 && bytes[3] == 0 && bytes[4] == 2 &&
	   bytes[8] == 1 && bytes[16] == 8 && bytes[23] == 1, "binary: version, p, repr, LE count, LE hashes");
	ok(uv_text_size(c) == strlen(expect), "text size");
	uv_encode_text(c, text);
	text[uv_text_size(c)] = '\0';
	ok(strcmp(text, expect) == 0, "text form pinned: %s", text);
	free(c);

	/* dense p=4: hash 0xF000...0 -> register 15, rest 0 -> rho = q + 1 = 61 */
	s = uv_new(4, &A);
	s = add(s, UINT64_C(0xF000000000000000));
	s = add(s, UINT64_C(0x1800000000000000));	/* register 1, rest 1000.. -> rho 1 */
	s = add(s, UINT64_C(0x2080000000000000));	/* register 2, rest 0000 1000.. -> rho 5 */
	c = canon(s);
	uv_encode_text(c, text);
	text[uv_text_size(c)] = '\0';
	ok(strcmp(text, "uv:0104020000000000" "000105000000000000000000000000" "3d") == 0,
	   "dense text pinned: %s", text);
	free(c);
}

static void
test_round_trips(void)
{
	int			sizes[] = {0, 1, 500, 1792, 1793, 100000};
	size_t		k;
	int			bin_ok = 1;
	int			text_ok = 1;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
	{
		UvSketch   *c = canon(build(k % 2 ? 10 : 14, 99 + k, sizes[k]));
		size_t		n = uv_wire_size(c);
		uint8_t    *buf = malloc(n);
		char	   *text = malloc(uv_text_size(c) + 1);
		UvSketch   *d = NULL;

		uv_encode(c, buf);
		if (uv_decode(buf, n, &d, &A) != UV_OK || !uv_equal(c, d))
			bin_ok = 0;
		free(d);
		uv_encode_text(c, text);
		if (uv_decode_text(text, uv_text_size(c), &d, &A) != UV_OK || !uv_equal(c, d))
			text_ok = 0;
		free(d);
		free(text);
		free(buf);
		free(c);
	}
	ok(bin_ok, "binary round trip (sparse and dense, p=10 and 14)");
	ok(text_ok, "text round trip");
}

static UvError
decode_hex(const char *text)
{
	UvSketch   *s = NULL;
	UvError		err = uv_decode_text(text, strlen(text), &s, &A);

	free(s);
	return err;
}

static void
test_decode_errors(void)
{
	char	   *dense;
	size_t		i;

	ok(decode_hex("uv:010e010000000000") == UV_OK, "empty sparse decodes");
	ok(decode_hex("xx:010e010000000000") == UV_ERR_PREFIX, "bad prefix");
	ok(decode_hex("uv") == UV_ERR_PREFIX, "short prefix");
	ok(decode_hex("uv:010e01000000000") == UV_ERR_HEX, "odd hex");
	ok(decode_hex("uv:010e0100000000zz") == UV_ERR_HEX, "bad hex digit");
	ok(decode_hex("uv:010e0100") == UV_ERR_TRUNCATED, "header cut");
	ok(decode_hex("uv:020e010000000000") == UV_ERR_VERSION, "version 2");
	ok(decode_hex("uv:0103010000000000") == UV_ERR_PRECISION, "precision 3");
	ok(decode_hex("uv:0113010000000000") == UV_ERR_PRECISION, "precision 19");
	ok(decode_hex("uv:010e030000000000") == UV_ERR_REPR, "hash-table repr is never external");
	ok(decode_hex("uv:010e010100000000") == UV_ERR_RESERVED, "reserved byte");
	ok(decode_hex("uv:010e01000000000000") == UV_ERR_LENGTH, "trailing byte");
	ok(decode_hex("uv:010e010001000000") == UV_ERR_TRUNCATED, "count beyond data");
	ok(decode_hex("uv:010e0100ffffffff") == UV_ERR_COUNT, "huge count rejected before allocating");
	ok(decode_hex("uv:0104010002000000" "0100000000000000" "0200000000000000") == UV_ERR_COUNT,
	   "p=4 sparse holds at most 1 hash");
	ok(decode_hex("uv:010e010002000000" "0200000000000000" "0100000000000000") == UV_ERR_ORDER,
	   "unsorted hashes");
	ok(decode_hex("uv:010e010002000000" "0100000000000000" "0100000000000000") == UV_ERR_ORDER,
	   "duplicate hashes");
	ok(decode_hex("uv:0104020000000000" "00000000000000000000000000000000") == UV_OK,
	   "dense p=4 decodes");
	ok(decode_hex("uv:0104020000000000" "0000000000000000000000000000003d") == UV_OK,
	   "register 61 = q + 1 is allowed at p=4");
	ok(decode_hex("uv:0104020000000000" "0000000000000000000000000000003e") == UV_ERR_REGISTER,
	   "register 62 rejected at p=4");
	ok(decode_hex("uv:0104020001000000" "00000000000000000000000000000000") == UV_ERR_RESERVED,
	   "dense count field must be 0");
	ok(decode_hex("uv:0104020000000000" "000000000000000000000000000000") == UV_ERR_TRUNCATED,
	   "dense registers cut");
	dense = malloc(2 * (uv_max_wire_size() + 1) + 4);
	strcpy(dense, "uv:");
	for (i = 0; i < 2 * (uv_max_wire_size() + 1); i++)
		dense[3 + i] = '0';
	dense[3 + 2 * (uv_max_wire_size() + 1)] = '\0';
	ok(decode_hex(dense) == UV_ERR_LENGTH, "oversized text rejected before allocating");
	free(dense);
	ok(strlen(uv_error_message(UV_ERR_ORDER)) > 10, "error messages exist");
}

/* folding and unions give what a sketch built directly would give */
static void
test_fold_and_union(void)
{
	int			coarse;
	int			fold_ok = 1;
	int			union_ok = 1;

	for (coarse = 4; coarse <= 14; coarse += 5)
	{
		UvSketch   *fine = build(16, 5, 200000);
		UvSketch   *direct = build(coarse, 5, 200000);
		UvSketch   *folded = uv_fold(fine, coarse, &A);

		if (!uv_equal(folded, direct))
			fold_ok = 0;
		free(fine);
		free(direct);
		free(folded);
	}
	ok(fold_ok, "dense registers folded 16 -> 4, 9, 14 equal registers built at that precision");

	{
		/* sparse p=14 (1000 hashes) into dense p=10: exact fold of hashes */
		UvSketch   *a = build(14, 11, 1000);
		UvSketch   *b = build(10, 12, 3000);
		UvSketch   *u = uv_union_into(uv_fold(b, 10, &A), a, &A);
		UvSketch   *direct = uv_new(10, &A);
		uint64_t	s1 = 11,
					s2 = 12;
		int			i;

		for (i = 0; i < 1000; i++)
			direct = add(direct, next_hash(&s1));
		for (i = 0; i < 3000; i++)
			direct = add(direct, next_hash(&s2));
		if (!uv_equal(u, direct) || u->precision != 10)
			union_ok = 0;
		free(a);
		free(b);
		free(u);
		free(direct);
	}
	ok(union_ok, "mixed-precision union equals the sketch of all hashes at the coarser p");

	{
		/* two sparse sets whose union crosses the limit */
		UvSketch   *a = build(14, 21, 1000);
		UvSketch   *b = build(14, 22, 1000);
		UvSketch   *u = uv_union_into(a, b, &A);
		UvSketch   *overlap = build(14, 21, 800);
		UvSketch   *v;

		ok(u != a && u->repr == UV_REPR_DENSE, "sparse + sparse past the limit goes dense");
		ok(fabs(uv_estimate(u) - 2000) < 2000 * 0.03, "union estimate near 2000: %.1f", uv_estimate(u));
		free(u);
		a = build(14, 21, 1000);
		v = uv_union_into(a, overlap, &A);
		ok(v == a && uv_estimate(v) == 1000, "overlapping union stays exact and in place");
		free(a);
		free(overlap);
		free(b);
	}
	{
		/* sparse p=14 folded to p=8: 200 hashes > limit(8) = 24 -> dense */
		UvSketch   *a = build(14, 31, 200);
		UvSketch   *f = uv_fold(a, 8, &A);
		UvSketch   *direct = build(8, 31, 200);

		ok(f->repr == UV_REPR_DENSE && uv_equal(f, direct), "sparse folded below its limit turns dense exactly");
		free(a);
		free(f);
		free(direct);
	}
}

/*
 * Relative RMSE over `trials` sketches of n distinct hashes must stay within
 * 1.1 x 1.04 / sqrt(m).  Fixed seeds make the test deterministic.
 */
static void
check_rmse(int p, uint64_t n, int trials)
{
	double		sum_sq = 0.0;
	double		bound = 1.1 * 1.04 / sqrt((double) ((uint32_t) 1 << p));
	int			t;
	double		rmse;

	for (t = 0; t < trials; t++)
	{
		UvSketch   *s = build(p, UINT64_C(1000003) * (uint64_t) (t + 1) + n, n);
		double		rel = (uv_estimate(s) - (double) n) / (double) n;

		sum_sq += rel * rel;
		free(s);
	}
	rmse = sqrt(sum_sq / trials);
	ok(rmse <= bound, "p=%d n=%llu: relative RMSE %.4f <= %.4f (%d trials)",
	   p, (unsigned long long) n, rmse, bound, trials);
}

static void
test_accuracy(void)
{
	uint64_t	small_p[] = {20, 50, 200, 1000, 10000, 100000};
	uint64_t	mid_p[] = {100, 400, 1000, 3000, 10000, 30000, 100000, 1000000};
	uint64_t	default_p[] = {2000, 5000, 12000, 30000, 100000, 1000000};
	size_t		i;

	for (i = 0; i < sizeof(small_p) / sizeof(small_p[0]); i++)
		check_rmse(6, small_p[i], 300);
	for (i = 0; i < sizeof(mid_p) / sizeof(mid_p[0]); i++)
		check_rmse(10, mid_p[i], 150);
	for (i = 0; i < sizeof(default_p) / sizeof(default_p[0]); i++)
		check_rmse(14, default_p[i], 40);
	check_rmse(10, 3000000, 40);
	{
		/* 10^8 at the default precision: one sketch, within 3 sigma */
		UvSketch   *s = build(14, 2024, 100000000);
		double		rel = fabs(uv_estimate(s) - 1e8) / 1e8;

		ok(rel < 3 * 1.04 / 128, "p=14 n=1e8: relative error %.4f within 3 sigma", rel);
		free(s);
	}
}

static void
test_ertl_edges(void)
{
	uint32_t	h[66];

	memset(h, 0, sizeof(h));
	h[0] = 16384;
	ok(uv_ertl_estimate(h, 14) == 0.0, "all registers empty estimates 0");
	memset(h, 0, sizeof(h));
	h[0] = 16383;
	h[1] = 1;
	ok(fabs(uv_ertl_estimate(h, 14) - 1.0) < 0.01, "one register set estimates about 1: %.4f",
	   uv_ertl_estimate(h, 14));
	memset(h, 0, sizeof(h));
	h[51] = 16384;
	ok(!isnan(uv_ertl_estimate(h, 14)) && uv_ertl_estimate(h, 14) > 1e18,
	   "all registers saturated estimates beyond 1e18 (not NaN)");
}

int
main(void)
{
	test_mix64();
	test_exact_small();
	test_zero_hash_and_canonical();
	test_pinned_bytes();
	test_round_trips();
	test_decode_errors();
	test_fold_and_union();
	test_ertl_edges();
	test_accuracy();
	return done_testing();
}
