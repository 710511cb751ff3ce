/*
 * uv_fuzz.c: libFuzzer harness for the uvsketch decoders (src/uv/uv.c).
 *
 * Any bytes must either decode to a valid sketch or return an error code,
 * with no over-read (AddressSanitizer) and no undefined behaviour (UBSan).
 * A decoded sketch must re-encode to exactly the input (the format has one
 * encoding per sketch), and must survive the operations the server applies
 * to stored sketches: estimate, add, fold, union, canonicalise, with the
 * hash version (1 for 1.0 sketches, 2 now) carried through each, and a
 * union with a sketch of the other version refused.  The text form is the
 * shared hex (src/common/bytes.c) of the same bytes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
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
	if (s->version != 1 && s->version != UV_VERSION_CURRENT)
		abort();

	/* a fresh sketch combines with s exactly when s has the current version */
	other = uv_new(s->precision, &A);
	if ((uv_check_union(s, other) == UV_OK) != (s->version == UV_VERSION_CURRENT) ||
		(uv_check_add(s) == UV_OK) != (s->version == UV_VERSION_CURRENT))
		abort();
	free(other);

	copy = uv_fold(s, s->precision, &A);
	copy = replace(copy, uv_add_hash(copy, size * UINT64_C(0x9e3779b97f4a7c15), &A));
	other = uv_fold(s, UV_PRECISION_MIN + (int) (size % (s->precision - UV_PRECISION_MIN + 1)), &A);
	copy = replace(copy, uv_union_into(copy, other, &A));
	copy = replace(copy, uv_union_into(copy, s, &A));
	copy = replace(copy, uv_canonical(copy, &A));
	if (copy->precision > s->precision || copy->version != s->version)
		abort();
	free(other);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	UvSketch   *s = NULL;

	/* the binary format (recv, bytea cast) */
	if (uv_decode(data, size, &s, &A) == UV_OK)
	{
		exercise(s, data, size);
		free(s);
	}
	else if (s != NULL)
		abort();				/* an error must not hand back a sketch */

	/* the text form (uvsketch_in): "uv:" + hex, decoded by the shared hex, then uv_decode */
	if (size >= 3 && memcmp(data, "uv:", 3) == 0)
	{
		size_t		len = size - 3;
		uint8_t    *bytes = malloc(len / 2 + 1);

		s = NULL;
		if (b2b_hex_decode((const char *) data + 3, len, bytes) &&
			uv_decode(bytes, len / 2, &s, &A) == UV_OK)
		{
			size_t		n = uv_wire_size(s);
			uint8_t    *again = malloc(n);
			char	   *hex = malloc(2 * n + 1);
			size_t		i;

			uv_encode(s, again);
			b2b_hex_encode(again, n, hex);
			if (2 * n != len)
				abort();
			for (i = 0; i < len; i++)
				if (tolower(data[3 + i]) != hex[i])
					abort();	/* output(input(x)) = x, up to hex case */
			free(hex);
			free(again);
		}
		else if (s != NULL)
			abort();
		free(s);
		free(bytes);
	}
	return 0;
}
