/*
 * health_fuzz.c: libFuzzer harness for the decoder of health_state bytes
 * (the binary form of the type, its bytea cast and its text form's hex).
 * Any bytes must be rejected or decoded within bounds; what decodes must
 * have a consistent layout and encode back to the very same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "health/health.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t	nsignals;
	uint32_t	text_len;
	size_t		mem;
	HealthState *state;
	uint8_t    *again;

	if (health_state_peek(data, size, &nsignals, &text_len) != HEALTH_OK)
		return 0;
	mem = health_state_mem_size(nsignals, text_len);
	state = malloc(mem);
	health_state_decode(data, size, state);
	if (!health_state_layout_ok(state, mem) || health_state_wire_size(state) != size)
		abort();
	for (uint32_t i = 0; i < 2 * nsignals; i++)
		if (state->counts[i] < 0)
			abort();
	again = malloc(size);
	health_state_encode(state, again);
	if (memcmp(again, data, size) != 0)
		abort();
	free(state);
	free(again);
	return 0;
}
