/*
 * revenue_fuzz.c: libFuzzer harness for the revenue core's decoders, the
 * code that reads bytes it did not produce:
 *   - rev_history_decode_count / rev_history_decode (mrr_movement's
 *     serialized state, handed over by parallel workers or another node),
 *   - rev_totals_decode (the state of mrr_bridge, churn_rate and ltv),
 *   - rev_amount_parse (decimal text).
 * Whatever decodes must satisfy the invariants the decoders promise, survive
 * re-encoding unchanged, and be safe to run the sweep on.
 */
#include <stdlib.h>
#include <string.h>

#include "revenue/revenue.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void
fuzz_history(const uint8_t *data, size_t size)
{
	uint32_t	n;
	rev_history h;
	uint8_t    *again;
	int64_t		bounds[4];
	rev_movement out[3];
	void	   *scratch;
	int			nout;

	if (rev_history_decode_count(data, size, &n) != REV_OK)
		return;
	memset(&h, 0, sizeof(h));
	h.capacity = n;
	h.subs = malloc(sizeof(rev_subscription) * (n ? n : 1));
	CHECK(h.subs != NULL);
	if (rev_history_decode(data, size, &h) == REV_OK)
	{
		CHECK(h.nsubs == n && h.scale >= 0 && h.scale <= REV_MAX_SCALE);
		for (uint32_t i = 0; i < n; i++)
			CHECK(h.subs[i].mrr >= 0 && h.subs[i].ended_at >= h.subs[i].started_at);
		again = malloc(rev_history_encoded_size(&h));
		CHECK(again != NULL && rev_history_encoded_size(&h) == size);
		rev_history_encode(&h, again);
		CHECK(memcmp(again, data, size) == 0);
		free(again);

		/* Any decoded history can be swept without harm. */
		bounds[0] = INT64_MIN / 2;
		bounds[1] = -1;
		bounds[2] = 1;
		bounds[3] = INT64_MAX - 1;
		scratch = malloc(rev_movements_scratch_size(h.nsubs));
		CHECK(scratch != NULL);
		if (rev_movements(&h, bounds, 3, scratch, out, &nout) == REV_OK)
		{
			CHECK(nout >= 0 && nout <= 3);
			for (int i = 0; i < nout; i++)
				CHECK(out[i].before >= 0 && out[i].after >= 0 &&
					  rev_kind_consistent(out[i].kind, out[i].before, out[i].after));
		}
		free(scratch);
	}
	free(h.subs);
}

static void
fuzz_totals(const uint8_t *data, size_t size)
{
	rev_totals	t;
	uint8_t		again[REV_TOTALS_ENCODED_SIZE];

	if (rev_totals_decode(data, size, &t) != REV_OK)
		return;
	CHECK(rev_totals_valid(&t));
	rev_totals_encode(&t, again);
	/* has_period and period round-trip; everything else byte for byte. */
	CHECK(memcmp(again, data, REV_TOTALS_ENCODED_SIZE) == 0);
}

static void
fuzz_amount(const uint8_t *data, size_t size)
{
	char		text[64];
	char		formatted[REV_AMOUNT_BUFSIZE];
	rev_amount	units;
	rev_amount	back;
	int			scale;
	int			back_scale;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (rev_amount_parse(text, &units, &scale) != REV_OK)
		return;
	CHECK(scale >= 0 && scale <= REV_MAX_SCALE);
	rev_amount_format(units, scale, formatted);
	CHECK(rev_amount_parse(formatted, &back, &back_scale) == REV_OK);
	CHECK(back == units && back_scale == scale);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	/* The first byte picks the decoder. */
	switch (data[0] % 3)
	{
		case 0:
			fuzz_history(data + 1, size - 1);
			break;
		case 1:
			fuzz_totals(data + 1, size - 1);
			break;
		default:
			fuzz_amount(data + 1, size - 1);
			break;
	}
	return 0;
}
