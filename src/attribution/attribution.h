/*
 * attribution.h
 *		Touch attribution (pure C, no PostgreSQL headers): the touches state
 *		(one lead's touches and conversions), its little-endian form, and the
 *		attribution models that split each conversion's credit between the
 *		touches before it.
 *
 * The touches form, which is also the datum after the varlena header:
 *   u8  version (1)
 *   u32 number of events (at most ATTR_MAX_EVENTS)
 *   per event:
 *     i64 ts (microseconds since 2000-01-01, finite)
 *     u8  flags: ATTR_TOUCH, ATTR_CONVERSION or both (never 0)
 *     u16 channel length (0 when not a touch; at most ATTR_MAX_CHANNEL), then its bytes
 *     u8  value length (1..ATTR_MAX_VALUE for a conversion, 0 otherwise), then the
 *         conversion's value as a plain decimal: -?digits(.digits)?
 * Events may come in any order; every reader sorts them first (attr_sort).
 */
#ifndef ATTRIBUTION_H
#define ATTRIBUTION_H

#include <stddef.h>
#include <stdint.h>

#define ATTR_VERSION		1
#define ATTR_TOUCH			0x01
#define ATTR_CONVERSION		0x02
#define ATTR_MAX_EVENTS		100000		/* per touches value: keeps every credit exact (below) */
#define ATTR_MAX_CHANNEL	1000		/* bytes of a channel name */
#define ATTR_MAX_VALUE		100			/* characters of a conversion value as text */
#define ATTR_HEADER_SIZE	5
/* Credits are integers of 10^-10: each conversion's credits add up to exactly this. */
#define ATTR_CREDIT_SCALE	INT64_C(10000000000)
#define ATTR_CREDIT_DECIMALS 10
#define ATTR_NONE_CHANNEL	"(none)"

typedef enum AttrStatus
{
	ATTR_OK = 0,
	ATTR_BAD_BYTES,
	ATTR_TOO_MANY_EVENTS,
	ATTR_CHANNEL_TOO_LONG,
	ATTR_VALUE_TOO_LONG,
	ATTR_UNKNOWN_MODEL,
	ATTR_UNKNOWN_PARAM,
	ATTR_PARAM_NOT_FOR_MODEL,
	ATTR_BAD_LOOKBACK,
	ATTR_BAD_HALF_LIFE,
	ATTR_BAD_WEIGHTS
} AttrStatus;

typedef struct AttrEvent
{
	int64_t		ts;
	uint8_t		flags;
	uint16_t	channel_len;
	uint8_t		value_len;
	const uint8_t *channel;		/* points into the encoded bytes */
	const char *value;
} AttrEvent;

/* Bytes one event takes in the form. */
static inline size_t
attr_event_size(size_t channel_len, size_t value_len)
{
	return 8 + 1 + 2 + channel_len + 1 + value_len;
}

/* Appends one event's encoding at out; returns the end. */
extern uint8_t *attr_encode_event(uint8_t *out, const AttrEvent *e);
extern void attr_encode_header(uint8_t *out, uint32_t nevents);

/*
 * Validates len bytes completely; on success *nevents is their event count
 * and, when events is not NULL, events[0..n) point into in.  Returns NULL, or
 * why the bytes are not a touches value.
 */
extern const char *attr_decode(const uint8_t *in, size_t len, uint32_t *nevents, AttrEvent *events);

/* True when text is a plain decimal the form accepts as a value. */
extern int	attr_valid_value(const char *text, size_t len);

/* Time order; at one instant touches before conversions, then by channel and value. */
extern void attr_sort(AttrEvent *events, size_t n);
extern int	attr_event_cmp(const AttrEvent *a, const AttrEvent *b);

/* ---- models ------------------------------------------------------------------ */

typedef enum AttrModel
{
	ATTR_FIRST,
	ATTR_LAST,
	ATTR_LAST_NON_DIRECT,
	ATTR_LINEAR,
	ATTR_TIME_DECAY,
	ATTR_POSITION
} AttrModel;

typedef enum AttrParam
{
	ATTR_PARAM_HALF_LIFE,		/* time_decay: an interval, default 7 days */
	ATTR_PARAM_DIRECT,			/* last_non_direct: the direct channel's name, default 'direct' */
	ATTR_PARAM_FIRST,			/* position: the first touch's share, default 0.4 */
	ATTR_PARAM_LAST				/* position: the last touch's share, default 0.4 */
} AttrParam;

typedef struct AttrOptions
{
	AttrModel	model;
	int64_t		lookback_us;	/* touches at most this long before the conversion count */
	int64_t		half_life_us;
	const uint8_t *direct;
	size_t		direct_len;
	double		first_share;	/* position: the rest is shared by the middle touches */
	double		last_share;
} AttrOptions;

#define ATTR_DEFAULT_HALF_LIFE_US	(INT64_C(7) * 86400 * 1000000)

/* Fills *o with the model's defaults (lookback 90 days); ATTR_UNKNOWN_MODEL. */
extern AttrStatus attr_options_init(AttrOptions *o, const char *model, size_t len);
/* The parameter a params key names: ATTR_UNKNOWN_PARAM, ATTR_PARAM_NOT_FOR_MODEL. */
extern AttrStatus attr_param_lookup(const AttrOptions *o, const char *key, size_t len, AttrParam *param);
extern AttrStatus attr_set_lookback(AttrOptions *o, int64_t us);
extern AttrStatus attr_set_half_life(AttrOptions *o, int64_t us);
/* Custom position weights: each in [0, 1] (ATTR_BAD_WEIGHTS)... */
extern AttrStatus attr_set_share(AttrOptions *o, AttrParam param, double share);
/* ... and together at most 1, once every parameter is set (ATTR_BAD_WEIGHTS). */
extern AttrStatus attr_options_check(const AttrOptions *o);

/*
 * The path of the conversion at events[conv] (sorted): the touches in
 * events[*first .. conv] (the conversion's own row counts when it is a touch
 * too), after the previous conversion and at most lookback before it.
 * *ntouches is 0 when there is none.  *first is the first touch's index.
 */
extern void attr_path(const AttrEvent *events, size_t conv, size_t prev_end,
					  const AttrOptions *o, size_t *first, size_t *ntouches);

/*
 * The credit of each of the n touches of a path (touches[i], time order)
 * toward their conversion, in units of 1 / ATTR_CREDIT_SCALE: each
 * share rounded half up, the remainder to the last touch, so they add up to
 * ATTR_CREDIT_SCALE exactly.
 */
extern void attr_credits(const AttrEvent *touches, size_t n,
						 const AttrOptions *o, int64_t *units);

/* A credit in units as a decimal without trailing zeros ("1", "0.5"); buf of 24 bytes. */
extern void attr_credit_text(int64_t units, char *buf);

/* ---- the touch curve ---------------------------------------------------------- */

typedef struct AttrSummary
{
	uint32_t	touches;		/* before the first conversion, or all when none */
	int			converted;
	int64_t		first_touch_ts;	/* valid when touches > 0 */
	int64_t		converted_ts;	/* valid when converted */
} AttrSummary;

extern int	attr_has_conversion(const AttrEvent *events, size_t n);
extern void attr_summary(const AttrEvent *events, size_t n, AttrSummary *s);

#endif							/* ATTRIBUTION_H */
