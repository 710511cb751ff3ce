/*
 * funnel_fuzz.c: libFuzzer harness for the funnel core's decoders.
 *
 * The serialized state (what parallel workers send to the leader) and the
 * mode text are the two places where the core reads bytes it did not write
 * itself in this call.  Any input must either be rejected by
 * funnel_check_serial / funnel_parse_modes or decode into a state whose level
 * can be computed, with no out-of-bounds access (ASan) and no undefined
 * behaviour (UBSan).
 */
#include "funnel/funnel.h"

#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FunnelSpec	spec;
	uint32_t	count;
	uint32_t	modes;
	const char *bad;
	size_t		bad_len;

	/* The same bytes as a mode list: parse, and a rejection points inside. */
	if (!funnel_parse_modes((const char *) data, size, &modes, &bad, &bad_len))
	{
		if (bad < (const char *) data || bad + bad_len > (const char *) data + size)
			abort();
	}
	else if ((modes & ~FUNNEL_ALL_MODES) != 0)
		abort();

	/* As a serialized state. */
	if (funnel_check_serial(data, size, &spec, &count) == NULL)
	{
		FunnelState *state = malloc(funnel_state_size(count));
		int			level;
		unsigned char *again;

		funnel_state_init(state, count);
		funnel_deserialize(data, state);
		if (state->count > count || state->spec.nsteps != spec.nsteps)
			abort();
		/* Round trip: what we write must pass our own check. */
		again = malloc(funnel_serial_size(state->count));
		funnel_serialize(state, again);
		if (funnel_check_serial(again, funnel_serial_size(state->count), &spec, &count) != NULL)
			abort();
		free(again);
		funnel_normalize(state);
		level = funnel_level(state->events, state->count, &state->spec);
		if (level < 0 || level > state->spec.nsteps)
			abort();
		free(state);
	}
	return 0;
}
