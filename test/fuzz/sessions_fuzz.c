/*
 * sessions_fuzz.c: the sessions decoder (sess_view and sess_builder_decode)
 * on arbitrary bytes.  Whatever it accepts must read without fault (totals,
 * page stats) and re-encode to the same bytes when it was canonical.
 */
#include <stdlib.h>
#include <string.h>

#include "sessions/sessions.h"

static void *
fuzz_alloc(size_t size, void *ctx)
{
	(void) ctx;
	return malloc(size ? size : 1);
}

static void
fuzz_release(void *ptr, void *ctx)
{
	(void) ctx;
	free(ptr);
}

static const EngAllocator allocator = {fuzz_alloc, fuzz_release, NULL, NULL};

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	SessView	v;
	SessBuilder b;
	EngMemory	m;
	SessTotals	t;

	if (sess_view(data, size, &v) != SESS_OK)
		return 0;
	sess_totals(&v, &t);
	{
		SessPageStat *st = calloc(v.npages ? v.npages : 1, sizeof(SessPageStat));

		sess_page_stats(&v, st);
		free(st);
	}
	eng_memory_init(&m, &allocator, 0);
	sess_builder_init(&b, &m);
	if (sess_builder_decode(&b, data, size) == SESS_OK && b.nevents > 0)
	{
		size_t		len;

		if (sess_builder_wire_size(&b, &len) == SESS_OK)
		{
			uint8_t    *out = malloc(len);
			SessView	v2;
			SessTotals	t2;

			sess_builder_encode(&b, out);
			if (sess_view(out, len, &v2) != SESS_OK)
				abort();
			sess_totals(&v2, &t2);
			if (memcmp(&t, &t2, sizeof(t)) != 0)
				abort();
			free(out);
		}
	}
	sess_builder_free(&b);
	return 0;
}
