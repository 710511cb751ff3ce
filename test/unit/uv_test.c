/*
 * uv_test.c: unit tests of the uvsketch core (src/uv/uv.c), no server.
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

#include "common/bytes.h"
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

/* the text form of the server: "uv:" + hex of the binary format */
static char *
to_text(const UvSketch *c)
{
	size_t		n = uv_wire_size(c);
	uint8_t    *bytes = malloc(n);
	char	   *text = malloc(3 + 2 * n + 1);

	uv_encode(c, bytes);
	memcpy(text, "uv:", 3);
	b2b_hex_encode(bytes, n, text + 3);
	text[3 + 2 * n] = '\0';
	free(bytes);
	return text;
}

/* pinned bytes of a known sketch: worked out by hand from uv.h */
static void
test_pinned_bytes(void)
{
	UvSketch   *s = uv_new(12, &A);
	UvSketch   *c;
	char	   *text;
	uint8_t		bytes[64];
	const char *expect = "uv:020c010002000000"
		"0100000000000000"
		"0807060504030201";

	s = add(s, UINT64_C(0x0102030405060708));
	s = add(s, 1);
	c = canon(s);
	ok(uv_wire_size(c) == 24, "sparse of 2 hashes is 24 bytes");
	uv_encode(c, bytes);
	ok(bytes[0] == 2 && bytes[1] == 12 && bytes[2] == 1 && bytes[3] == 0 && bytes[4] == 2 &&
	   bytes[8] == 1 && bytes[16] == 8 && bytes[23] == 1, "binary: version 2, p, repr, LE count, LE hashes");
	text = to_text(c);
	ok(strcmp(text, expect) == 0, "text form pinned: %s", text);
	free(text);
	free(c);

	/* dense p=4: hash 0xF000...0 -> register 15, rest 0 -> rho = q + 1 = 61 */
	s = uv_new(4, &A);
	s = add(s, UINT64_C(0xF000000000000000));
	s = add(s, UINT64_C(0x1800000000000000));	/* register 1, rest 1000.. -> rho 1 */
	s = add(s, UINT64_C(0x2080000000000000));	/* register 2, rest 0000 1000.. -> rho 5 */
	c = canon(s);
	text = to_text(c);
	ok(strcmp(text, "uv:0204020000000000" "000105000000000000000000000000" "3d") == 0,
	   "dense text pinned: %s", text);
	free(text);
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
		char	   *text = to_text(c);
		uint8_t    *back = malloc(n + 1);
		UvSketch   *d = NULL;

		uv_encode(c, buf);
		if (uv_decode(buf, n, &d, &A) != UV_OK || !uv_equal(c, d))
			bin_ok = 0;
		free(d);
		if (!b2b_hex_decode(text + 3, strlen(text + 3), back) ||
			uv_decode(back, n, &d, &A) != UV_OK || !uv_equal(c, d))
			text_ok = 0;
		free(d);
		free(back);
		free(text);
		free(buf);
		free(c);
	}
	ok(bin_ok, "binary round trip (sparse and dense, p=10 and 14)");
	ok(text_ok, "text round trip");
}

/* "uv:<hex>" through the common hex decoder and uv_decode, as uvsketch_in does */
static UvError
decode_hex(const char *text)
{
	UvSketch   *s = NULL;
	size_t		len = strlen(text) - 3;
	uint8_t    *bytes = malloc(len / 2 + 1);
	UvError		err;

	if (strncmp(text, "uv:", 3) != 0 || !b2b_hex_decode(text + 3, len, bytes))
		abort();
	err = uv_decode(bytes, len / 2, &s, &A);
	free(bytes);
	free(s);
	return err;
}

static void
test_decode_errors(void)
{
	ok(decode_hex("uv:010e010000000000") == UV_OK, "empty sparse of hash version 1 decodes");
	ok(decode_hex("uv:020e010000000000") == UV_OK, "empty sparse of hash version 2 decodes");
	ok(decode_hex("uv:010e0100") == UV_ERR_TRUNCATED, "header cut");
	ok(decode_hex("uv:") == UV_ERR_TRUNCATED, "no bytes");
	ok(decode_hex("uv:030e010000000000") == UV_ERR_VERSION, "version 3");
	ok(decode_hex("uv:000e010000000000") == UV_ERR_VERSION, "version 0");
	ok(decode_hex("uv:0103010000000000") == UV_ERR_PRECISION, "precision 3");
	ok(decode_hex("uv:0213010000000000") == UV_ERR_PRECISION, "precision 19");
	ok(decode_hex("uv:010e030000000000") == UV_ERR_REPR, "hash-table repr is never external");
	ok(decode_hex("uv:010e010100000000") == UV_ERR_RESERVED, "reserved byte");
	ok(decode_hex("uv:010e01000000000000") == UV_ERR_LENGTH, "trailing byte");
	ok(decode_hex("uv:010e010001000000") == UV_ERR_TRUNCATED, "count beyond data");
	ok(decode_hex("uv:010e0100ffffffff") == UV_ERR_COUNT, "huge count rejected before allocating");
	ok(decode_hex("uv:0104010002000000" "0100000000000000" "0200000000000000") == UV_ERR_COUNT,
	   "p=4 sparse holds at most 1 hash");
	ok(decode_hex("uv:010e010002000000" "0200000000000000" "0100000000000000") == UV_ERR_ORDER,
	   "unsorted hashes");
	ok(decode_hex("uv:020e010002000000" "0100000000000000" "0100000000000000") == UV_ERR_ORDER,
	   "duplicate hashes");
	ok(decode_hex("uv:0104020000000000" "00000000000000000000000000000000") == UV_OK,
	   "dense p=4 decodes");
	ok(decode_hex("uv:0204020000000000" "0000000000000000000000000000003d") == UV_OK,
	   "register 61 = q + 1 is allowed at p=4");
	ok(decode_hex("uv:0104020000000000" "0000000000000000000000000000003e") == UV_ERR_REGISTER,
	   "register 62 rejected at p=4");
	ok(decode_hex("uv:0104020001000000" "00000000000000000000000000000000") == UV_ERR_RESERVED,
	   "dense count field must be 0");
	ok(decode_hex("uv:0104020000000000" "000000000000000000000000000000") == UV_ERR_TRUNCATED,
	   "dense registers cut");
	{
		/* every message is a full sentence: capitalized, with a period */
		int			e;
		int			sentences = 1;

		for (e = UV_OK; e <= UV_ERR_HASH_VERSION; e++)
		{
			const char *m = uv_error_message((UvError) e);

			if (!(m[0] >= 'A' && m[0] <= 'Z') || m[strlen(m) - 1] != '.')
				sentences = 0;
		}
		ok(sentences, "error messages are capitalized sentences with a period");
	}
}

/* the hash version travels with the sketch through every operation */
static void
test_versions(void)
{
	UvSketch   *fresh = build(14, 3, 10);
	UvSketch   *v1 = NULL;
	UvSketch   *f;
	UvSketch   *u;
	uint8_t		bytes[8 + 16];

	ok(fresh->version == UV_VERSION_CURRENT && UV_VERSION_CURRENT == 2, "new sketches have hash version 2");
	memcpy(bytes, "\x01\x0e\x01\x00\x02\x00\x00\x00", 8);
	memset(bytes + 8, 0, 16);
	bytes[8] = 1;
	bytes[16] = 2;
	ok(uv_decode(bytes, sizeof(bytes), &v1, &A) == UV_OK && v1->version == 1, "a version 1 sketch reads as version 1");
	f = uv_fold(v1, 10, &A);
	ok(f->version == 1, "folding keeps the version");
	u = uv_union_into(uv_fold(v1, 14, &A), f, &A);
	ok(u->version == 1 && uv_estimate(u) == 2, "a union of version 1 sketches is version 1");
	u = canon(u);
	ok(u->version == 1, "the canonical form keeps the version");
	ok(uv_check_union(v1, f) == UV_OK && uv_check_union(fresh, fresh) == UV_OK, "same versions combine");
	ok(uv_check_union(v1, fresh) == UV_ERR_HASH_VERSION && uv_check_union(fresh, v1) == UV_ERR_HASH_VERSION,
	   "different versions do not");
	ok(uv_check_add(fresh) == UV_OK && uv_check_add(v1) == UV_ERR_HASH_VERSION,
	   "new hashes go only into version 2 sketches");
	{
		UvSketch   *dense = canon(build(4, 9, 100));
		uint8_t    *out = malloc(uv_wire_size(dense));

		uv_encode(dense, out);
		ok(out[0] == 2 && dense->repr == UV_REPR_DENSE, "a dense version 2 sketch encodes version 2");
		free(out);
		free(dense);
	}
	free(fresh);
	free(v1);
	free(f);
	free(u);
}

static int
compare_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a;
	uint64_t	y = *(const uint64_t *) b;

	return (x > y) - (x < y);
}

/* how many values of a[0..n) are repeated (after sorting) */
static size_t
duplicates(uint64_t *a, size_t n)
{
	size_t		i;
	size_t		d = 0;

	qsort(a, n, sizeof(uint64_t), compare_u64);
	for (i = 1; i < n; i++)
		d += a[i] == a[i - 1];
	return d;
}

static void
test_hash_version_2(void)
{
	size_t		n = 200000;
	uint64_t   *h = malloc(n * sizeof(uint64_t));
	size_t		i;
	int			agree = 1;

	/* pinned: splitmix64 of v * gamma + seed, computed independently in Python */
	ok(uv_hash_int64(1) == UINT64_C(4480747724339269201), "hash of 1 pinned");
	ok(uv_hash_int64(0) == UINT64_C(448284845567837532), "hash of 0 pinned");
	ok(uv_hash_int64(-1) == (uint64_t) INT64_C(-6880314080130092572), "hash of -1 pinned");

	/* the structured ids that collided in version 1 (lo ^ hi) are all distinct now */
	for (i = 0; i < n; i++)
		h[i] = uv_hash_int64((int64_t) (((uint64_t) i << 32) | i));
	ok(duplicates(h, n) == 0, "(k << 32) | k: %zu values, no collision", n);
	for (i = 0; i < n; i++)
		h[i] = uv_hash_int64((int64_t) ((uint64_t) (i % 16) << 32 | (i / 16)));
	ok(duplicates(h, n) == 0, "sharded ids shard << 32 | seq: no collision");

	/* int2 and int4 values are sign-extended: the same as int8 */
	for (i = 0; i < 65536; i++)
	{
		int16_t		v = (int16_t) (i - 32768);

		if (uv_hash_int64((int32_t) v) != uv_hash_int64((int64_t) v))
			agree = 0;
	}
	ok(agree, "sign extension: int2, int4 and int8 agree");

	/* intervals: the 128-bit span decides */
	ok(uv_hash_interval(0, 1, 0) == uv_hash_interval(INT64_C(86400000000), 0, 0), "'1 day' = '24 hours'");
	ok(uv_hash_interval(0, 30, 0) == uv_hash_interval(0, 0, 1), "'1 month' = '30 days'");
	ok(uv_hash_interval(1, 0, 0) != uv_hash_interval(INT64_C(4294967296), 0, 0),
	   "1 us and 2^32 us differ (version 1 folded them together)");
	ok(uv_hash_interval(-5, 0, 0) == uv_hash_int64(-5), "a span that fits 64 bits hashes as that integer");
#ifdef __SIZEOF_INT128__
	{
		/* spans beyond 64 bits: equal spans agree, against the compiler's int128 */
		int32_t		months[] = {0, 1, -1, 2147483647, -2147483647 - 1, 12000000, -12000000};
		int32_t		days[] = {0, 1, -1, 2147483647, -2147483647 - 1};
		int64_t		times[] = {0, 1, -1, INT64_C(9223372036854775807), INT64_C(-9223372036854775807) - 1};
		size_t		a,
					b,
					c;
		int			same = 1;

		for (a = 0; a < 7; a++)
			for (b = 0; b < 5; b++)
				for (c = 0; c < 5; c++)
				{
					__int128	span = (__int128) times[c] +
						((__int128) months[a] * 30 + days[b]) * (__int128) INT64_C(86400000000);
					/* the same span as days only, when it fits, else by one more day and less time */
					int64_t		lo = (int64_t) (uint64_t) span;
					int			fits = span == (__int128) lo;

					if (fits && uv_hash_interval(times[c], days[b], months[a]) != uv_hash_int64(lo))
						same = 0;
					if (!fits && times[c] < INT64_C(9223372036854775807) - INT64_C(86400000000) &&
						days[b] > -2147483647 &&
						uv_hash_interval(times[c] + INT64_C(86400000000), days[b] - 1, months[a]) !=
						uv_hash_interval(times[c], days[b], months[a]))
						same = 0;
				}
		ok(same, "interval spans, 64-bit and wider, hash by value");
	}
#endif
	ok(uv_hash_timetz(1000000, 0) != uv_hash_timetz(1000000, 3600) &&
	   uv_hash_timetz(1000000, 3600) == uv_hash_timetz(1000000, 3600), "time with time zone: both fields count");

	/* numerics: the five kinds differ; non-negative keeps the version-1 hash */
	h[0] = uv_hash_numeric(42, UV_NUMERIC_NONNEGATIVE);
	h[1] = uv_hash_numeric(42, UV_NUMERIC_NEGATIVE);
	h[2] = uv_hash_numeric(42, UV_NUMERIC_NAN);
	h[3] = uv_hash_numeric(42, UV_NUMERIC_PLUS_INFINITY);
	h[4] = uv_hash_numeric(42, UV_NUMERIC_MINUS_INFINITY);
	ok(duplicates(h, 5) == 0, "sign, NaN and both infinities are told apart");
	ok(uv_hash_numeric(42, UV_NUMERIC_NONNEGATIVE) == uv_mix64(42), "a non-negative numeric hashes as in version 1");

	/* container steps: sequences differing in one part never collide */
	{
		uint64_t	base = uv_hash_begin(UV_TAG_ARRAY);
		int			distinct = 1;

		for (i = 0; i < n; i++)
			h[i] = uv_hash_step(uv_hash_step(base, uv_hash_int64(7)), uv_hash_int64((int64_t) i));
		distinct = duplicates(h, n) == 0;
		for (i = 0; i < n; i++)
			h[i] = uv_hash_step(uv_hash_step(base, uv_hash_int64((int64_t) i)), uv_hash_int64(7));
		distinct = distinct && duplicates(h, n) == 0;
		ok(distinct, "one differing element in either position: distinct hashes");
		ok(uv_hash_step(uv_hash_step(base, 1), 2) != uv_hash_step(uv_hash_step(base, 2), 1),
		   "order matters");
		ok(uv_hash_null_step(base) != uv_hash_step(base, UV_TAG_NULL) && uv_hash_null_step(base) != base,
		   "a NULL element is a step of its own");
		ok(uv_hash_begin(UV_TAG_ARRAY) != uv_hash_begin(UV_TAG_RECORD), "container kinds start apart");
	}
	free(h);
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
	test_versions();
	test_hash_version_2();
	test_fold_and_union();
	test_ertl_edges();
	test_accuracy();
	return done_testing();
}
