/*
 * retention_fuzz.c: libFuzzer harness for the retention family's decoders.
 *
 * The bytes the core reads without having written them: the activity wire
 * form, the retention_counts wire form (both reach it through input, receive
 * and bytea casts, and Citus), the retention() state (combine functions) and the
 * serialized retention_report state (what parallel workers send to the leader).
 * The first input byte picks the decoder.  Anything must be rejected or
 * decode into a value that every operation accepts and that encodes back to
 * the very same bytes (the forms are canonical), with no out-of-bounds access
 * (ASan) and no undefined behaviour (UBSan).
 */
#include "retention/retention.h"

#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_activity(const uint8_t *data, size_t size)
{
	RetActivity a;
	uint8_t    *again;
	uint32_t	pos = 0,
				length,
				total = 0;
	int32_t		start;
	int64_t		found;

	if (ret_activity_decode(data, size, &a) != NULL)
		return;
	if (ret_activity_wire_size(a.span) != size)
		abort();
	a.words = malloc(8 * (size_t) ret_activity_words(a.span));
	ret_activity_decode_bits(data, &a);
	if (!ret_activity_has(&a, a.first) || !ret_activity_has(&a, ret_activity_last(&a)))
		abort();
	while (ret_activity_next_run(&a, &pos, &start, &length))
		total += length;
	if ((int64_t) total != ret_activity_count(&a, a.first, ret_activity_last(&a)) ||
		ret_activity_longest_streak(&a) > total ||
		ret_activity_streak_ending(&a, ret_activity_last(&a)) < 1 ||
		!ret_activity_next_active(&a, (int64_t) a.first - 5, &found) || found != a.first)
		abort();
	again = malloc(size);
	ret_activity_encode(&a, again);
	if (memcmp(again, data, size) != 0)
		abort();
	free(again);
	free(a.words);
}

static void
fuzz_counts(const uint8_t *data, size_t size)
{
	RetCounts	c,
				sum;
	uint8_t    *again;
	size_t		ncells;

	if (ret_counts_decode(data, size, &c) != NULL)
		return;
	if (ret_counts_wire_size(c.nrows, c.ncols) != size || ret_counts_n(&c) < 1)
		abort();
	ncells = (size_t) c.nrows * c.ncols;
	c.cells = malloc(8 * ncells);
	ret_counts_decode_cells(data, &c);
	if (!ret_counts_compatible(&c, &c))
		abort();
	sum = c;
	sum.cells = malloc(8 * ncells);
	memcpy(sum.cells, c.cells, 8 * ncells);
	(void) ret_counts_add(&sum, &c);	/* may overflow: reported, not undefined */
	again = malloc(size);
	ret_counts_encode(&c, again);
	if (memcmp(again, data, size) != 0)
		abort();
	free(again);
	free(sum.cells);
	free(c.cells);
}

static void
fuzz_conditions(const uint8_t *data, size_t size)
{
	uint8_t		n;
	uint64_t	seen;
	int32_t		r[RET_MAX_CONDITIONS];
	uint8_t		again[RET_CONDITIONS_STATE_SIZE];

	if (ret_conditions_decode(data, size, &n, &seen) != NULL)
		return;
	ret_retention_result(seen, n, r);
	ret_conditions_encode(n, seen, again);
	if (memcmp(again, data, size) != 0)
		abort();
}

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

static const EngAllocator allocator = {fuzz_alloc, fuzz_release, NULL, NULL};

static void
fuzz_report(const uint8_t *data, size_t size)
{
	EngMemory	memory;
	RetReport	r;
	int64_t		sums[RET_MAX_CONDITIONS];
	uint8_t    *again;
	RetReport	back;

	eng_memory_init(&memory, &allocator, 64 << 20);
	if (ret_report_deserialize(&r, data, size, &memory) != RET_OK)
		return;
	ret_report_sums(&r, sums);
	/* a duplicate key merges two entities, so the bytes need not come back; the sums must */
	again = malloc(ret_report_serial_size(&r));
	ret_report_serialize(&r, again);
	if (ret_report_deserialize(&back, again, ret_report_serial_size(&r), &memory) != RET_OK)
		abort();
	{
		int64_t		sums2[RET_MAX_CONDITIONS];

		ret_report_sums(&back, sums2);
		if (memcmp(sums, sums2, sizeof(int64_t) * r.nconds) != 0)
			abort();
	}
	ret_report_free(&back);
	ret_report_free(&r);
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4)
	{
		case 0:
			fuzz_activity(data + 1, size - 1);
			break;
		case 1:
			fuzz_counts(data + 1, size - 1);
			break;
		case 2:
			fuzz_conditions(data + 1, size - 1);
			break;
		default:
			fuzz_report(data + 1, size - 1);
			break;
	}
	return 0;
}
