/*
 * attribution.c
 *		The touches form and the attribution models (see attribution.h).
 */
#include "attribution/attribution.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"

uint8_t *
attr_encode_event(uint8_t *out, const AttrEvent *e)
{
	out = b2b_put_i64(out, e->ts);
	out = b2b_put_u8(out, e->flags);
	out = b2b_put_u16(out, e->channel_len);
	out = b2b_put_bytes(out, e->channel, e->channel_len);
	out = b2b_put_u8(out, e->value_len);
	return b2b_put_bytes(out, e->value, e->value_len);
}

void
attr_encode_header(uint8_t *out, uint32_t nevents)
{
	out = b2b_put_u8(out, ATTR_VERSION);
	b2b_put_u32(out, nevents);
}

int
attr_valid_value(const char *text, size_t len)
{
	size_t		i = 0,
				digits = 0,
				fraction = 0;

	if (len < 1 || len > ATTR_MAX_VALUE)
		return 0;
	if (text[0] == '-')
		i++;
	for (; i < len && text[i] >= '0' && text[i] <= '9'; i++)
		digits++;
	if (i < len && text[i] == '.')
	{
		for (i++; i < len && text[i] >= '0' && text[i] <= '9'; i++)
			fraction++;
		if (fraction == 0)
			return 0;
	}
	return digits > 0 && i == len;
}

/* PostgreSQL's finite timestamps: 4714-11-24 BC to 294276-12-31 AD (MIN_TIMESTAMP, END_TIMESTAMP). */
#define ATTR_TS_MIN			INT64_C(-211813488000000000)
#define ATTR_TS_END			INT64_C(9223371331200000000)

const char *
attr_decode(const uint8_t *in, size_t len, uint32_t *nevents, AttrEvent *events)
{
	B2bReader	r = b2b_reader(in, len);
	uint8_t		version = b2b_read_u8(&r);
	uint32_t	n = b2b_read_u32(&r);

	if (!b2b_reader_ok(&r))
		return "A touches value starts with a version byte and a 32-bit event count.";
	if (version != ATTR_VERSION)
		return "The version byte of a touches value must be 1.";
	if (n > ATTR_MAX_EVENTS)
		return "A touches value holds at most 100000 events.";
	/* the smallest event takes 12 bytes: reject a huge count before reading on */
	if ((size_t) n * attr_event_size(0, 0) > r.left)
		return "The touches value is shorter than its event count says.";
	for (uint32_t i = 0; i < n; i++)
	{
		AttrEvent	e;

		e.ts = b2b_read_i64(&r);
		e.flags = b2b_read_u8(&r);
		e.channel_len = b2b_read_u16(&r);
		e.channel = b2b_read_span(&r, e.channel_len);
		e.value_len = b2b_read_u8(&r);
		e.value = (const char *) b2b_read_span(&r, e.value_len);
		if (!b2b_reader_ok(&r))
			return "The touches value is shorter than its events.";
		if (e.ts < ATTR_TS_MIN || e.ts >= ATTR_TS_END)
			return "An event time of a touches value is infinite or out of range.";
		if (e.flags == 0 || (e.flags & ~(ATTR_TOUCH | ATTR_CONVERSION)) != 0)
			return "The flags of an event must be 1 (touch), 2 (conversion) or 3 (both).";
		if (e.channel_len > ATTR_MAX_CHANNEL || (!(e.flags & ATTR_TOUCH) && e.channel_len != 0))
			return "Only a touch has a channel, of at most 1000 bytes.";
		if ((e.flags & ATTR_CONVERSION) ? !attr_valid_value(e.value, e.value_len) : e.value_len != 0)
			return "A conversion's value is a plain decimal of at most 100 characters; other events have none.";
		if (events)
			events[i] = e;
	}
	if (!b2b_reader_done(&r))
		return "The touches value has bytes after its last event.";
	*nevents = n;
	return NULL;
}

static int
bytes_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

int
attr_event_cmp(const AttrEvent *a, const AttrEvent *b)
{
	int			ca = (a->flags & ATTR_CONVERSION) != 0,
				cb = (b->flags & ATTR_CONVERSION) != 0,
				c;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (ca != cb)
		return ca - cb;
	if (a->flags != b->flags)
		return a->flags - b->flags;
	c = bytes_cmp(a->channel, a->channel_len, b->channel, b->channel_len);
	if (c != 0)
		return c;
	return bytes_cmp(a->value, a->value_len, b->value, b->value_len);
}

static int
event_qsort_cmp(const void *a, const void *b)
{
	return attr_event_cmp((const AttrEvent *) a, (const AttrEvent *) b);
}

void
attr_sort(AttrEvent *events, size_t n)
{
	if (n > 1)
		qsort(events, n, sizeof(AttrEvent), event_qsort_cmp);
}

/* ---- models ------------------------------------------------------------------ */

static const struct
{
	const char *name;
	AttrModel	model;
}			models[] = {
	{"first", ATTR_FIRST},
	{"last", ATTR_LAST},
	{"last_non_direct", ATTR_LAST_NON_DIRECT},
	{"linear", ATTR_LINEAR},
	{"time_decay", ATTR_TIME_DECAY},
	{"position", ATTR_POSITION},
};

static int
name_is(const char *name, const char *s, size_t len)
{
	return strlen(name) == len && memcmp(name, s, len) == 0;
}

AttrStatus
attr_options_init(AttrOptions *o, const char *model, size_t len)
{
	memset(o, 0, sizeof(*o));
	o->lookback_us = INT64_C(90) * 86400 * 1000000;
	o->half_life_us = ATTR_DEFAULT_HALF_LIFE_US;
	o->direct = (const uint8_t *) "direct";
	o->direct_len = 6;
	o->first_share = 0.4;
	o->last_share = 0.4;
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		if (name_is(models[i].name, model, len))
		{
			o->model = models[i].model;
			return ATTR_OK;
		}
	return ATTR_UNKNOWN_MODEL;
}

AttrStatus
attr_param_lookup(const AttrOptions *o, const char *key, size_t len, AttrParam *param)
{
	if (name_is("half_life", key, len))
	{
		*param = ATTR_PARAM_HALF_LIFE;
		return o->model == ATTR_TIME_DECAY ? ATTR_OK : ATTR_PARAM_NOT_FOR_MODEL;
	}
	if (name_is("direct", key, len))
	{
		*param = ATTR_PARAM_DIRECT;
		return o->model == ATTR_LAST_NON_DIRECT ? ATTR_OK : ATTR_PARAM_NOT_FOR_MODEL;
	}
	if (name_is("first", key, len) || name_is("last", key, len))
	{
		*param = key[0] == 'f' ? ATTR_PARAM_FIRST : ATTR_PARAM_LAST;
		return o->model == ATTR_POSITION ? ATTR_OK : ATTR_PARAM_NOT_FOR_MODEL;
	}
	return ATTR_UNKNOWN_PARAM;
}

AttrStatus
attr_set_share(AttrOptions *o, AttrParam param, double share)
{
	/* written so that NaN fails; the sum is checked once all are set (attr_options_check) */
	if (!(share >= 0 && share <= 1))
		return ATTR_BAD_WEIGHTS;
	if (param == ATTR_PARAM_FIRST)
		o->first_share = share;
	else
		o->last_share = share;
	return ATTR_OK;
}

AttrStatus
attr_set_lookback(AttrOptions *o, int64_t us)
{
	if (us < 0)
		return ATTR_BAD_LOOKBACK;
	o->lookback_us = us;
	return ATTR_OK;
}

AttrStatus
attr_set_half_life(AttrOptions *o, int64_t us)
{
	if (us <= 0)
		return ATTR_BAD_HALF_LIFE;
	o->half_life_us = us;
	return ATTR_OK;
}

AttrStatus
attr_options_check(const AttrOptions *o)
{
	return o->first_share + o->last_share <= 1 ? ATTR_OK : ATTR_BAD_WEIGHTS;
}

void
attr_path(const AttrEvent *events, size_t conv, size_t prev_end,
		  const AttrOptions *o, size_t *first, size_t *ntouches)
{
	int64_t		conv_ts = events[conv].ts;
	size_t		end = conv + ((events[conv].flags & ATTR_TOUCH) ? 1 : 0);
	size_t		i = prev_end;

	/* conv_ts - lookback without overflow: every ts is finite, lookback >= 0 */
	while (i < end && events[i].ts < conv_ts &&
		   (uint64_t) conv_ts - (uint64_t) events[i].ts > (uint64_t) o->lookback_us)
		i++;
	*first = i;
	*ntouches = end - i;
}

/* A share of one (a double in [0, 1]) in credit units, rounded half up. */
static int64_t
share_units(double share)
{
	return (int64_t) floor(share * (double) ATTR_CREDIT_SCALE + 0.5);
}

void
attr_credits(const AttrEvent *touches, size_t n,
			 const AttrOptions *o, int64_t *units)
{
	int64_t		given = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		units[i] = 0;
	if (n == 0)
		return;
	switch (o->model)
	{
		case ATTR_FIRST:
			units[0] = ATTR_CREDIT_SCALE;
			return;
		case ATTR_LAST:
			units[n - 1] = ATTR_CREDIT_SCALE;
			return;
		case ATTR_LAST_NON_DIRECT:
			/* the last touch not from the direct channel; direct only when nothing else */
			for (i = n; i-- > 0;)
				if (bytes_cmp(touches[i].channel, touches[i].channel_len, o->direct, o->direct_len) != 0)
				{
					units[i] = ATTR_CREDIT_SCALE;
					return;
				}
			units[n - 1] = ATTR_CREDIT_SCALE;
			return;
		case ATTR_LINEAR:
			for (i = 0; i + 1 < n; i++)
				units[i] = share_units(1.0 / (double) n);
			break;
		case ATTR_POSITION:
			if (n == 2)
			{
				/* the ends share it all, in their proportion (40/40: 50/50) */
				double		ends = o->first_share + o->last_share;

				units[0] = ends > 0 ? share_units(o->first_share / ends) : ATTR_CREDIT_SCALE / 2;
			}
			else if (n > 2)
			{
				int64_t		first = share_units(o->first_share);
				int64_t		middle = ATTR_CREDIT_SCALE - first - share_units(o->last_share);

				/* the middle's total in units, then per touch: 40/40 gives exactly 0.2 / (n - 2) */
				units[0] = first;
				for (i = 1; i + 1 < n; i++)
					units[i] = share_units((double) middle / (double) ATTR_CREDIT_SCALE / (double) (n - 2));
			}
			break;
		case ATTR_TIME_DECAY:
			{
				double		sum = 0;
				double		newest = (double) touches[n - 1].ts;

				/*
				 * Weight 2^(-age / half_life), normalised.  Ages are measured from
				 * the newest touch, not the conversion: the shares are the same
				 * (a common factor cancels), and the newest weighs 1, so the sum
				 * never underflows.
				 */
				for (i = 0; i < n; i++)
					sum += pow(2.0, -((newest - (double) touches[i].ts) / (double) o->half_life_us));
				for (i = 0; i + 1 < n; i++)
					units[i] = share_units(pow(2.0, -((newest - (double) touches[i].ts) / (double) o->half_life_us)) / sum);
				break;
			}
	}
	for (i = 0; i + 1 < n; i++)
		given += units[i];
	/* at most 100000 touches: the rounding of the others never exceeds the last one's share */
	units[n - 1] = ATTR_CREDIT_SCALE - given;
}

void
attr_credit_text(int64_t units, char *buf)
{
	int64_t		whole = units / ATTR_CREDIT_SCALE,
				frac = units % ATTR_CREDIT_SCALE;
	char	   *p = buf;
	int			d;

	if (units < 0)
	{
		*p++ = '-';
		whole = -whole;
		frac = -frac;
	}
	p += sprintf(p, "%lld", (long long) whole);
	if (frac == 0)
		return;
	*p++ = '.';
	for (d = 0; d < ATTR_CREDIT_DECIMALS && frac != 0; d++)
	{
		int64_t		scale = ATTR_CREDIT_SCALE / 10;

		*p++ = (char) ('0' + frac / scale);
		frac = (frac % scale) * 10;
	}
	*p = '\0';
}

int
attr_has_conversion(const AttrEvent *events, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (events[i].flags & ATTR_CONVERSION)
			return 1;
	return 0;
}

void
attr_summary(const AttrEvent *events, size_t n, AttrSummary *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++)
	{
		if (events[i].flags & ATTR_TOUCH)
		{
			if (s->touches == 0)
				s->first_touch_ts = events[i].ts;
			s->touches++;
		}
		if (events[i].flags & ATTR_CONVERSION)
		{
			s->converted = 1;
			s->converted_ts = events[i].ts;
			return;
		}
	}
}
