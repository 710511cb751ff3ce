/*
 * funnel_fuzz.c: libFuzzer harness for the funnel family's decoders.
 *
 * The places where the core reads bytes it did not write in this call: the
 * mode text, the serialized funnel_step state and funnel_report state (what
 * parallel workers send to the leader), and the funnel_levels wire form (what
 * Citus and binary COPY send).  The first input byte picks the decoder; any
 * input must either be rejected or decode into a value that every operation
 * accepts (level, counts, re-serialization to the same bytes where the form
 * is canonical), with no out-of-bounds access (ASan) and no undefined
 * behaviour (UBSan).
 */
#include "funnel/funnel.h"

#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *
fuzz_alloc(size_t size, void *ctx)
{
	(void) ctx;
	return malloc(size);
}

static void
fuzz_release(void *ptr, void *ctx)
{
	(void) ctx;
	free(ptr);
}

static const FunnelAllocator allocator = {fuzz_alloc, fuzz_release, NULL, NULL};
static const EngAllocator eng_allocator = {fuzz_alloc, fuzz_release, NULL, NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		which;

	if (size == 0)
		return 0;
	which = data[0] % 4;
	data++;
	size--;

	if (which == 0)
	{
		uint32_t	modes;
		const char *bad;
		size_t		bad_len;

		/* a rejection points inside the text */
		if (funnel_parse_modes((const char *) data, size, &modes, &bad, &bad_len) != FUNNEL_OK &&
			(bad < (const char *) data || bad + bad_len > (const char *) data + size))
			abort();
		if ((modes & ~FUNNEL_ALL_MODES) != 0)
			abort();
	}
	else if (which == 1)
	{
		FunnelState *s;
		int			level;

		if (funnel_deserialize(data, size, &s, &allocator) == FUNNEL_OK)
		{
			size_t		len;
			uint8_t    *again;
			FunnelState *t;

			/* the level may merge simultaneous events: serialize after it */
			if (funnel_state_level(s, &allocator, &level) != FUNNEL_OK || level < 0 || level > s->nsteps)
				abort();
			len = funnel_serial_size(s);
			again = malloc(len);
			funnel_serialize(s, again);
			if (funnel_deserialize(again, len, &t, &allocator) != FUNNEL_OK)
				abort();
			if (funnel_state_level(t, &allocator, &level) != FUNNEL_OK)
				abort();
			funnel_state_free(t, &allocator);
			free(again);
			funnel_state_free(s, &allocator);
		}
	}
	else if (which == 2)
	{
		FunnelCounts c;

		if (funnel_counts_decode(data, size, &c) == FUNNEL_OK)
		{
			uint8_t		again[2 + 8 * (FUNNEL_MAX_STEPS + 1)];
			int64_t		reached[FUNNEL_MAX_STEPS];

			if (funnel_counts_wire_size(&c) != size)
				abort();
			funnel_counts_encode(&c, again);
			if (memcmp(again, data, size) != 0)
				abort();
			(void) funnel_counts_reached(&c, reached);
		}
	}
	else
	{
		EngMemory	memory;
		FunnelReport r;
		FunnelCounts c;
		bool		any;

		eng_memory_init(&memory, &eng_allocator, 64 * 1024 * 1024);
		if (funnel_report_deserialize(&r, data, size, &memory) == FUNNEL_OK)
		{
			if (funnel_report_counts(&r, &c, &any) != FUNNEL_OK && memory.used > memory.limit)
				abort();
			funnel_report_free(&r);
		}
		if (memory.used != 0)
			abort();
	}
	return 0;
}
