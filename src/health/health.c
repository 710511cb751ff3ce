/*
 * health.c
 *		Customer health score: windows, signal lookup and the formula.
 *
 * The formula, for each signal k of the model:
 *
 *		r = rows in R,  e = target if given, else (rows in B) * recent / baseline
 *		e = 0 and r = 0:  no data, k is left out
 *		e = 0 and r > 0:  x = 1
 *		otherwise:        x = r / e
 *		up:    c = min(x, 1)
 *		down:  c = min(1, 1 / x), and 1 when x = 0
 *
 *		score = 100 * sum(w * c) / sum(w), over the signals with data
 *
 * Rounding.  The score is a decimal with two places, so what matters is on
 * which side of a half hundredth it falls.  We keep the arithmetic exact
 * wherever a double can: recent/baseline is reduced to lowest terms once
 * (30 and 90 days become 1 and 3), so x is one correctly rounded division
 * of two small integers, r * 3 / b, and c for `down` is the reciprocal
 * division rather than 1 / x.  Components that are dyadic fractions (b a
 * power of two times 3, say) are then exact, and so are their sums with
 * integer weights, and the last step divides 10000 * sum(w * c) by sum(w)
 * to get hundredths directly: when the true score is exactly on a half
 * hundredth (like 9.375), the double is exactly on it too and rounds half
 * up, as PostgreSQL's round(numeric, 2) does.  Only when the true score is
 * within about 1e-12 of a half hundredth through a non-dyadic component can
 * the last digit differ from exact rational arithmetic.
 */
#include "health.h"

#include "common/bytes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Order of signals: by name length, then bytes (cheap to compare, any total order will do). */
static int
signal_name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return alen == 0 ? 0 : memcmp(a, b, alen);
}

static int
signal_qsort_cmp(const void *a, const void *b)
{
	const HealthSignal *sa = a;
	const HealthSignal *sb = b;

	return signal_name_cmp(sa->name, sa->name_len, sb->name, sb->name_len);
}

static int64_t
gcd64(int64_t a, int64_t b)
{
	while (b != 0)
	{
		int64_t		t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* ---------- the model's schema ---------- */

static int
key_is(const char *key, size_t len, const char *name)
{
	return len == strlen(name) && memcmp(key, name, len) == 0;
}

HealthKey
health_key(const char *key, size_t len, int in_signal)
{
	if (!in_signal)
	{
		if (key_is(key, len, "recent"))
			return HEALTH_KEY_RECENT;
		if (key_is(key, len, "baseline"))
			return HEALTH_KEY_BASELINE;
		if (key_is(key, len, "signals"))
			return HEALTH_KEY_SIGNALS;
	}
	else
	{
		if (key_is(key, len, "weight"))
			return HEALTH_KEY_WEIGHT;
		if (key_is(key, len, "direction"))
			return HEALTH_KEY_DIRECTION;
		if (key_is(key, len, "target"))
			return HEALTH_KEY_TARGET;
	}
	return HEALTH_KEY_UNKNOWN;
}

HealthStatus
health_check_weight(double weight)
{
	/* NaN fails both comparisons */
	return weight >= HEALTH_MIN_NUMBER && weight <= HEALTH_MAX_NUMBER ? HEALTH_OK : HEALTH_ERR_OUT_OF_RANGE;
}

HealthStatus
health_check_target(double target)
{
	return target == 0 ? HEALTH_OK : health_check_weight(target);
}

/* Case-sensitive, like the signal names. */
HealthStatus
health_parse_direction(const char *value, size_t len, HealthDirection *direction)
{
	if (key_is(value, len, "up"))
		*direction = HEALTH_UP;
	else if (key_is(value, len, "down"))
		*direction = HEALTH_DOWN;
	else
		return HEALTH_ERR_BAD_DIRECTION;
	return HEALTH_OK;
}

HealthStatus
health_model_finish(HealthModel *model, int has_recent, int has_baseline,
					int has_signals, int *bad_signal)
{
	if (!has_signals)
		return HEALTH_ERR_NO_SIGNALS;
	if (model->nsignals == 0)
		return HEALTH_ERR_EMPTY_SIGNALS;
	for (int i = 0; i < model->nsignals; i++)
		if (!model->signals[i].has_weight)
		{
			*bad_signal = i;
			return HEALTH_ERR_NO_WEIGHT;
		}
	if (!has_recent)
		model->recent_us = HEALTH_DEFAULT_RECENT_US;
	if (!has_baseline)
		model->baseline_us = HEALTH_DEFAULT_BASELINE_US;
	health_model_prepare(model);
	return HEALTH_OK;
}

/*
 * Sort the signals for binary search and reduce recent/baseline to lowest
 * terms.  The caller has checked recent_us > 0, baseline_us > 0.
 */
void
health_model_prepare(HealthModel *model)
{
	int64_t		g = gcd64(model->recent_us, model->baseline_us);

	model->recent_part = model->recent_us / g;
	model->baseline_part = model->baseline_us / g;
	if (model->nsignals > 1)
		qsort(model->signals, model->nsignals, sizeof(HealthSignal), signal_qsort_cmp);
}

/*
 * The index of the signal with this name, or -1.  Models have a handful of
 * signals and most rows' event names differ in length from all of them, so
 * the length test settles most comparisons.
 */
int
health_signal_index(const HealthModel *model, const char *name, size_t name_len)
{
	int			lo = 0;
	int			hi = model->nsignals - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const HealthSignal *s = &model->signals[mid];
		int			cmp = signal_name_cmp(name, name_len, s->name, s->name_len);

		if (cmp == 0)
			return mid;
		if (cmp < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* a - b for b > 0, saturating at INT64_MIN instead of wrapping. */
static int64_t
sub_saturating(int64_t a, int64_t b)
{
	return a < INT64_MIN + b ? INT64_MIN : a - b;
}

void
health_windows_init(HealthWindows *windows, int64_t as_of,
					int64_t recent_us, int64_t baseline_us)
{
	windows->as_of = as_of;
	windows->recent_start = sub_saturating(as_of, recent_us);
	windows->baseline_start = sub_saturating(windows->recent_start, baseline_us);
}

/*
 * Both windows are open at the start and closed at the end: a row exactly at
 * as_of is recent, one exactly at as_of - recent is baseline, one exactly at
 * as_of - recent - baseline is ignored.
 */
HealthWindow
health_classify(const HealthWindows *windows, int64_t ts)
{
	if (ts > windows->as_of || ts <= windows->baseline_start)
		return HEALTH_IGNORED;
	return ts > windows->recent_start ? HEALTH_RECENT : HEALTH_BASELINE;
}

/*
 * One signal.  Without a target, x = r / (b * recent / baseline)
 * = (r * baseline_part) / (b * recent_part), computed as one division.
 */
static void
evaluate_signal(const HealthModel *model, const HealthSignal *signal,
				int64_t r, int64_t b, HealthComponent *out)
{
	double		num;			/* x = num / den */
	double		den;

	out->recent = r;
	out->baseline = b;
	if (signal->has_target)
	{
		out->expected = signal->target;
		num = (double) r;
		den = signal->target;
	}
	else
	{
		out->expected = (double) b * (double) model->recent_part / (double) model->baseline_part;
		num = (double) r * (double) model->baseline_part;
		den = (double) b * (double) model->recent_part;
	}

	out->has_data = !(den == 0 && r == 0);
	if (!out->has_data)
	{
		out->ratio = 0;
		out->component = 0;
		return;
	}
	if (den == 0)
		out->ratio = 1;			/* e = 0 < r: as expected, nothing to compare */
	else
		out->ratio = num / den;

	if (signal->direction == HEALTH_UP)
		out->component = (den == 0 || num >= den) ? 1 : out->ratio;
	else
		out->component = (den == 0 || num <= den) ? 1 : den / num;
}

int
health_evaluate(const HealthModel *model, const int64_t *counts,
				HealthComponent *components, int64_t *hundredths)
{
	HealthComponent one;
	double		weighted = 0;	/* sum of w * c */
	double		weights = 0;	/* sum of w */
	int			i;

	for (i = 0; i < model->nsignals; i++)
	{
		HealthComponent *c = components ? &components[i] : &one;
		const HealthSignal *s = &model->signals[i];

		evaluate_signal(model, s,
						counts[HEALTH_COUNT_SLOT(i, HEALTH_RECENT)],
						counts[HEALTH_COUNT_SLOT(i, HEALTH_BASELINE)], c);
		if (c->has_data)
		{
			weighted += s->weight * c->component;
			weights += s->weight;
		}
	}

	if (components)
		for (i = 0; i < model->nsignals; i++)
			components[i].points_lost = components[i].has_data
				? 100 * model->signals[i].weight * (1 - components[i].component) / weights
				: 0;

	if (weights == 0)
		return 0;
	*hundredths = (int64_t) floor(10000 * weighted / weights + 0.5);
	return 1;
}

/* ---------- bands ---------- */

HealthStatus
health_band_of(int any_nan, int score_vs_red, int score_vs_yellow, int red_vs_yellow,
			   HealthBand *band)
{
	if (any_nan)
		return HEALTH_ERR_BAND_NAN;
	if (red_vs_yellow > 0)
		return HEALTH_ERR_BAND_ORDER;
	*band = score_vs_red <= 0 ? HEALTH_BAND_RED
		: score_vs_yellow <= 0 ? HEALTH_BAND_YELLOW : HEALTH_BAND_GREEN;
	return HEALTH_OK;
}

static int
cmp_double(double a, double b)
{
	return a < b ? -1 : a > b;
}

HealthStatus
health_band_of_double(double score, double red_max, double yellow_max, HealthBand *band)
{
	return health_band_of(isnan(score) || isnan(red_max) || isnan(yellow_max),
						  cmp_double(score, red_max), cmp_double(score, yellow_max),
						  cmp_double(red_max, yellow_max), band);
}

const char *
health_band_name(HealthBand band)
{
	return band == HEALTH_BAND_RED ? "red" : band == HEALTH_BAND_YELLOW ? "yellow" : "green";
}

/* ---------- the state ---------- */

size_t
health_state_mem_size(uint32_t nsignals, uint32_t text_len)
{
	return offsetof(HealthState, counts) + sizeof(int64_t) * 2 * (size_t) nsignals + text_len;
}

void
health_state_init(HealthState *state, int64_t as_of, uint32_t nsignals,
				  const char *text, uint32_t text_len)
{
	memset(state, 0, health_state_mem_size(nsignals, 0));
	state->version = HEALTH_STATE_VERSION;
	state->nsignals = nsignals;
	state->text_len = text_len;
	state->as_of = as_of;
	memcpy((char *) (state->counts + 2 * (size_t) nsignals), text, text_len);
}

const char *
health_state_text(const HealthState *state)
{
	return (const char *) (state->counts + 2 * (size_t) state->nsignals);
}

int
health_state_layout_ok(const HealthState *state, size_t size)
{
	return size >= offsetof(HealthState, counts) &&
		state->version == HEALTH_STATE_VERSION &&
		state->nsignals > 0 && state->nsignals <= (size - offsetof(HealthState, counts)) / 16 &&
		health_state_mem_size(state->nsignals, state->text_len) == size;
}

HealthStatus
health_state_merge(HealthState *into, const HealthState *from)
{
	if (into->as_of != from->as_of)
		return HEALTH_ERR_DIFFERENT_AS_OF;
	if (into->nsignals != from->nsignals || into->text_len != from->text_len ||
		memcmp(health_state_text(into), health_state_text(from), into->text_len) != 0)
		return HEALTH_ERR_DIFFERENT_MODEL;
	for (uint32_t i = 0; i < 2 * into->nsignals; i++)
		if (from->counts[i] > INT64_MAX - into->counts[i])
			return HEALTH_ERR_COUNT_OVERFLOW;
	for (uint32_t i = 0; i < 2 * into->nsignals; i++)
		into->counts[i] += from->counts[i];
	return HEALTH_OK;
}

#define HEALTH_WIRE_HEADER (1 + 8 + 4)	/* version, as_of, text length */

size_t
health_state_wire_size(const HealthState *state)
{
	return HEALTH_WIRE_HEADER + (size_t) state->text_len + 4 + (size_t) state->nsignals * 16;
}

void
health_state_encode(const HealthState *state, uint8_t *out)
{
	out = b2b_put_u8(out, HEALTH_STATE_VERSION);
	out = b2b_put_i64(out, state->as_of);
	out = b2b_put_u32(out, state->text_len);
	out = b2b_put_bytes(out, health_state_text(state), state->text_len);
	out = b2b_put_u32(out, state->nsignals);
	for (uint32_t i = 0; i < 2 * state->nsignals; i++)
		out = b2b_put_i64(out, state->counts[i]);
}

HealthStatus
health_state_peek(const uint8_t *bytes, size_t len, uint32_t *nsignals, uint32_t *text_len)
{
	B2bReader	r = b2b_reader(bytes, len);
	uint8_t		version = b2b_read_u8(&r);
	uint32_t	n;

	if (!b2b_reader_ok(&r))
		return HEALTH_ERR_BAD_LENGTH;
	if (version != HEALTH_STATE_VERSION)
		return HEALTH_ERR_BAD_VERSION;
	(void) b2b_read_i64(&r);
	*text_len = b2b_read_u32(&r);
	if (!b2b_reader_ok(&r) || *text_len == 0 || b2b_read_span(&r, *text_len) == NULL)
		return HEALTH_ERR_BAD_LENGTH;
	n = b2b_read_u32(&r);
	if (!b2b_reader_ok(&r) || n == 0 || r.left % 16 != 0 || r.left / 16 != n)
		return HEALTH_ERR_BAD_LENGTH;
	for (uint32_t i = 0; i < 2 * n; i++)
		if (b2b_read_i64(&r) < 0)
			return HEALTH_ERR_BAD_COUNT;
	*nsignals = n;
	return HEALTH_OK;
}

void
health_state_decode(const uint8_t *bytes, size_t len, HealthState *state)
{
	B2bReader	r = b2b_reader(bytes, len);
	int64_t		as_of;
	uint32_t	text_len;
	const uint8_t *text;
	uint32_t	n;

	(void) b2b_read_u8(&r);
	as_of = b2b_read_i64(&r);
	text_len = b2b_read_u32(&r);
	text = b2b_read_span(&r, text_len);
	n = b2b_read_u32(&r);
	health_state_init(state, as_of, n, (const char *) text, text_len);
	for (uint32_t i = 0; i < 2 * n; i++)
		state->counts[i] = b2b_read_i64(&r);
}
