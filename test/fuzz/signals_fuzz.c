/*
 * signals_fuzz.c: libFuzzer harness for the decoders of serialized score_auc,
 * action_lift, churn_signals and account_engagement states.  Any bytes must be rejected or decoded
 * within bounds; what decodes must encode back to the very same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signals/signals.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

static void
counts_round_trip(const uint8_t *data, size_t size, uint8_t kind)
{
	EngMemory	m;
	SigCounts	c;

	eng_memory_init(&m, &allocator, 64 << 20);
	if (sig_counts_init(&c, &m, kind) != SIG_OK)
		abort();
	if (sig_counts_decode(&c, data, size) == NULL)
	{
		uint8_t    *again;

		if (sig_counts_encoded_size(&c) != size)
			abort();
		again = malloc(size);
		sig_counts_encode(&c, again);
		if (memcmp(again, data, size) != 0)
			abort();
		free(again);
	}
	sig_counts_free(&c);
}

static void
engage_round_trip(const uint8_t *data, size_t size)
{
	EngMemory	m;
	SigEngage	e;

	eng_memory_init(&m, &allocator, 64 << 20);
	if (sig_engage_init(&e, &m, 0, 1) != SIG_OK)
		abort();
	if (sig_engage_decode(&e, data, size) == NULL)
	{
		uint8_t    *again;
		SigEngageRow r;

		if (sig_engage_encoded_size(&e) != size)
			abort();
		again = malloc(size);
		sig_engage_encode(&e, again);
		if (memcmp(again, data, size) != 0)
			abort();
		sig_engage_row(&e, &r);
		if (r.users[0] > r.events[0] || r.active_days[1] > r.events[1])
			abort();
		free(again);
	}
	sig_engage_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		n;

	if (sig_auc_decode_count(data, size, &n) == NULL)
	{
		SigAucPoint *p = malloc(sizeof(SigAucPoint) * (n ? n : 1));

		if (sig_auc_decode(data, size, p) == NULL)
		{
			uint8_t    *again = malloc(size);
			SigAucResult r;

			sig_auc_encode(p, n, again);
			if (memcmp(again, data, size) != 0)
				abort();
			if (sig_auc_result(p, n, &r))
			{
				double		auc = sig_auc_value(&r);

				if (!(auc >= 0 && auc <= 1))
					abort();
			}
			free(again);
		}
		free(p);
	}
	counts_round_trip(data, size, SIG_KIND_LIFT);
	counts_round_trip(data, size, SIG_KIND_CHURN);
	engage_round_trip(data, size);
	return 0;
}
