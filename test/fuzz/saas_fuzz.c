/*
 * saas_fuzz.c: libFuzzer harness for the decoders of the SaaS metrics core:
 *   - rev_term_history_decode_count / rev_term_history_decode (the
 *     serialized state of mrr_renewals, handed over by parallel workers),
 *   - rev_renewal_totals_decode (renewal_totals: text and binary input).
 * Whatever decodes must satisfy the invariants the decoders promise, survive
 * re-encoding unchanged, and be safe to use: swept for renewals, merged, read.
 */
#include <stdlib.h>
#include <string.h>

#include "revenue/saas.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void
fuzz_term_history(const uint8_t *data, size_t size)
{
	uint32_t	n;
	rev_term_history h;
	uint8_t    *again;

	if (rev_term_history_decode_count(data, size, &n) != REV_OK)
		return;
	memset(&h, 0, sizeof(h));
	h.capacity = n;
	h.subs = malloc(sizeof(rev_term_sub) * (n ? n : 1));
	CHECK(h.subs != NULL);
	if (rev_term_history_decode(data, size, &h) == REV_OK)
	{
		rev_due    *dues = malloc(sizeof(rev_due) * (2 * n + 1));
		rev_renewal *out = malloc(sizeof(rev_renewal) * (2 * n + 1));
		uint32_t	ndues = 0;
		uint32_t	nout;

		CHECK(dues != NULL && out != NULL);
		CHECK(h.nsubs == n && h.scale >= 0 && h.scale <= REV_MAX_SCALE);
		for (uint32_t i = 0; i < n; i++)
			CHECK(rev_term_sub_check(&h.subs[i]) == REV_OK);
		again = malloc(rev_term_history_encoded_size(&h));
		CHECK(again != NULL && rev_term_history_encoded_size(&h) == size);
		rev_term_history_encode(&h, again);
		CHECK(memcmp(again, data, size) == 0);
		free(again);

		/* Any decoded history can be swept: a due at each start and end. */
		for (uint32_t i = 0; i < n && i < 64; i++)
		{
			rev_due		d = {h.subs[i].started_at, h.subs[i].started_at, i, true};

			dues[ndues++] = d;
			if (h.subs[i].ended_at != REV_NEVER)
			{
				d.due_at = h.subs[i].ended_at;
				d.grace_end = d.due_at == INT64_MAX ? d.due_at : d.due_at + 1;
				d.continues = false;
				dues[ndues++] = d;
			}
		}
		if (rev_renewals(&h, dues, ndues, out, &nout) == REV_OK)
		{
			CHECK(nout <= ndues);
			for (uint32_t i = 0; i < nout; i++)
				CHECK(out[i].due_mrr >= 0 && out[i].renewed_mrr >= 0 && out[i].sub < n &&
					  (out[i].renewed_at == REV_NEVER) == (out[i].renewed_mrr == 0));
		}
		free(dues);
		free(out);
	}
	free(h.subs);
}

static void
fuzz_renewal_totals(const uint8_t *data, size_t size)
{
	rev_renewal_totals t;
	rev_renewal_totals u;
	uint8_t		again[REV_RENEWAL_TOTALS_ENCODED_SIZE];
	rev_ratio	r;

	if (rev_renewal_totals_decode(data, size, &t) != REV_OK)
		return;
	CHECK(size == REV_RENEWAL_TOTALS_ENCODED_SIZE && rev_renewal_totals_check(&t) == REV_OK);
	rev_renewal_totals_encode(&t, again);
	CHECK(memcmp(again, data, size) == 0);
	for (int which = 0; which < 3; which++)
		CHECK(rev_renewal_rate(&t, which, &r) == (t.dues == 0 ? REV_UNDEFINED : REV_OK));
	u = t;
	if (rev_renewal_totals_merge(&u, &t) == REV_OK)
		CHECK(rev_renewal_totals_check(&u) == REV_OK && u.dues == 2 * t.dues);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] % 2 == 0)
		fuzz_term_history(data + 1, size - 1);
	else
		fuzz_renewal_totals(data + 1, size - 1);
	return 0;
}
