/*
 * health_fuzz.c: libFuzzer harness for the decoder of serialized
 * health_score states.  Any bytes must be rejected or decoded within bounds;
 * what decodes must encode back to the very same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "health/health.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	HealthStateView view;
	int64_t    *counts;
	uint8_t    *again;
	uint32_t	i;

	if (health_state_decode(data, size, &view) != NULL)
		return 0;
	if (health_state_size(view.text_len, view.nsignals) != size)
		abort();
	counts = malloc(sizeof(int64_t) * 2 * view.nsignals);
	again = malloc(size);
	for (i = 0; i < 2 * view.nsignals; i++)
	{
		counts[i] = health_state_count(&view, i);
		if (counts[i] < 0)
			abort();
	}
	health_state_encode(again, view.as_of, view.text, view.text_len, view.nsignals, counts);
	if (memcmp(again, data, size) != 0)
		abort();
	free(counts);
	free(again);
	return 0;
}
