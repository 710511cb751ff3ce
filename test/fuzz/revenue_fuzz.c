/*
 * revenue_fuzz.c: libFuzzer harness for the revenue core's decoders, the
 * code that reads bytes it did not produce:
 *   - rev_history_decode_count / rev_history_decode (mrr_movement's
 *     serialized state, handed over by parallel workers),
 *   - rev_totals_decode (the mrr_totals value: text and binary input, and
 *     the partial states Citus sends between nodes),
 *   - rev_amount_parse (decimal text) and rev_basis_parse (option text).
 * Whatever decodes must satisfy the invariants the decoders promise, survive
 * re-encoding unchanged, and be safe to use: swept, merged, read by every
 * accessor.
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
		CHECK(!h.has_window || rev_window_check(&h.window) == REV_OK);
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
	rev_totals	u;
	uint8_t		again[REV_TOTALS_ENCODED_SIZE];
	rev_ratio	r;

	if (rev_totals_decode(data, size, &t) != REV_OK)
		return;
	CHECK(size == REV_TOTALS_ENCODED_SIZE && rev_totals_check(&t) == REV_OK);
	rev_totals_encode(&t, again);
	CHECK(memcmp(again, data, REV_TOTALS_ENCODED_SIZE) == 0);

	/* Every reader copes with any valid value. */
	(void) rev_totals_chained(&t);
	(void) rev_totals_one_period(&t);
	for (int b = REV_BASIS_UNSET; b <= REV_BASIS_MAX; b++)
		if (rev_totals_churn(&t, (rev_basis) b, &r) == REV_OK)
			CHECK(r.nnum == 1 && r.nden == 1 && r.den[0].units > 0);
	if (rev_totals_ltv(&t, t.margin, &r) == REV_OK)
		CHECK(r.nnum >= 2 && r.nden == 2 && r.den[0].units > 0 && r.den[1].units > 0);

	/* A value merged with itself is valid (or an overflow), and chains
	 * exactly when the value does. */
	u = t;
	if (rev_totals_merge(&u, &t) == REV_OK)
	{
		CHECK(rev_totals_check(&u) == REV_OK);
		CHECK((rev_totals_chained(&u) == REV_OK) == (rev_totals_chained(&t) == REV_OK));
	}
	else
		CHECK(memcmp(&u, &t, sizeof(t)) == 0);	/* untouched on error */
}

static void
fuzz_text(const uint8_t *data, size_t size)
{
	char		text[64];
	char		formatted[REV_AMOUNT_BUFSIZE];
	rev_amount	units;
	rev_amount	back;
	int			scale;
	int			back_scale;
	rev_basis	basis;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (rev_basis_parse(text, size, &basis) == REV_OK)
		CHECK(basis >= REV_BASIS_LOGO && basis <= REV_BASIS_MAX &&
			  strcmp(rev_basis_names[basis], text) == 0);
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
			fuzz_text(data + 1, size - 1);
			break;
	}
	return 0;
}
