/*
 * attribution_fuzz.c: libFuzzer harness for the decoder of touches values
 * (text, binary, bytea casts and serialized touches_agg states share it).
 * Any bytes must be rejected or decoded within bounds; what decodes must
 * encode back to the very same bytes, and every conversion's credits, under
 * every model, must add up to exactly one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attribution/attribution.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *models[] = {"first", "last", "last_non_direct", "linear", "time_decay", "position"};
	uint32_t	n;
	AttrEvent  *events;
	uint8_t    *again,
			   *p;
	int64_t    *units;

	if (attr_decode(data, size, &n, NULL) != NULL)
		return 0;
	events = malloc(sizeof(AttrEvent) * (n + 1));
	again = malloc(size);
	units = malloc(sizeof(int64_t) * (n + 1));
	if (attr_decode(data, size, &n, events) != NULL)
		abort();
	attr_encode_header(again, n);
	p = again + ATTR_HEADER_SIZE;
	for (uint32_t i = 0; i < n; i++)
		p = attr_encode_event(p, &events[i]);
	if ((size_t) (p - again) != size || memcmp(again, data, size) != 0)
		abort();
	attr_sort(events, n);
	for (size_t m = 0; m < sizeof(models) / sizeof(models[0]); m++)
	{
		AttrOptions o;
		size_t		prev_end = 0;

		attr_options_init(&o, models[m], strlen(models[m]));
		for (uint32_t c = 0; c < n; c++)
		{
			size_t		first,
						k;
			int64_t		sum = 0;

			if (!(events[c].flags & ATTR_CONVERSION))
				continue;
			attr_path(events, c, prev_end, &o, &first, &k);
			prev_end = c + 1;
			attr_credits(events + first, k, &o, units);
			for (size_t i = 0; i < k; i++)
			{
				if (units[i] < 0)
					abort();
				sum += units[i];
			}
			if (k > 0 && sum != ATTR_CREDIT_SCALE)
				abort();
		}
	}
	free(events);
	free(again);
	free(units);
	return 0;
}
