/*
 * hll_fuzz.c: libFuzzer harness for the uvsketch decoders (src/uv/uv.c).
 *
 * Any bytes must either decode to a valid sketch or return an error code,
 * with no over-read (AddressSanitizer) and no undefined behaviour (UBSan).
 * A decoded sketch must re-encode to exactly the input (the format has one
 * encoding per sketch), and must survive the operations the server applies
 * to stored sketches: estimate, add, fold, union, canonicalise.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "uv/uv.h"

static void *
fuzz_alloc(size_t size, void *ctx)
{
	void	   *p = malloc(size ? size : 1);

	(void) ctx;
	if (p == NULL)
		abort();
	return p;
}

static void
fuzz_release(void *ptr, void *ctx)
{
	(void) ctx;
	free(ptr);
}

static const UvAllocator A = {fuzz_alloc, fuzz_release, NULL};

static UvSketch *
replace(UvSketch *old, UvSketch *new)
{
	if (new != old)
		free(old);
	return new;
}

/* Work a valid sketch through the operations and check the invariants. */
static void
exercise(UvSketch *s, const uint8_t *data, size_t size)
{
	size_t		n = uv_wire_size(s);
	uint8_t    *again = malloc(n);
	UvSketch   *copy;
	UvSketch   *other;
	double		e;

	uv_encode(s, again);
	if (n != size || memcmp(again, data, n) != 0)
		abort();				/* decode then encode must be the identity */
	free(again);

	e = uv_estimate(s);
	if (!(e >= 0.0))
		abort();

	copy = uv_fold(s, s->precision, &A);
	copy = replace(copy, uv_add_hash(copy, size * UINT64_C(0x9e3779b97f4a7c15), &A));
	other = uv_fold(s, UV_PRECISION_MIN + (int) (size % (s->precision - UV_PRECISION_MIN + 1)), &A);
	copy = replace(copy, uv_union_into(copy, other, &A));
	copy = replace(copy, uv_union_into(copy, s, &A));
	copy = replace(copy, uv_canonical(copy, &A));
	if (copy->precision > s->precision)
		abort();
	free(other);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	UvSketch   *s = NULL;
	char	   *text;

	/* the binary format (recv, bytea cast) */
	if (uv_decode(data, size, &s, &A) == UV_OK)
	{
		exercise(s, data, size);
		free(s);
	}
	else if (s != NULL)
		abort();				/* an error must not hand back a sketch */

	/* the text form (uvsketch_in), from a NUL-free copy of the bytes */
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	s = NULL;
	if (uv_decode_text(text, strlen(text), &s, &A) == UV_OK)
	{
		size_t		n = uv_text_size(s);
		char	   *out = malloc(n + 1);
		size_t		i;

		uv_encode_text(s, out);
		if (n != strlen(text))
			abort();
		for (i = 0; i < n; i++)
			if (tolower((unsigned char) text[i]) != out[i])
				abort();		/* output(input(x)) = x, up to hex case */
		free(out);
		free(s);
	}
	free(text);
	return 0;
}
