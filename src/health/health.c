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

/* ---------- the serialized state ---------- */

#define HEALTH_STATE_HEADER (1 + 8 + 4)	/* version, as_of, text length */

static void
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	put_u32(p, (uint32_t) (v >> 32));
	put_u32(p + 4, (uint32_t) v);
}

static uint32_t
get_u32(const uint8_t *p)
{
	return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

static uint64_t
get_u64(const uint8_t *p)
{
	return ((uint64_t) get_u32(p) << 32) | get_u32(p + 4);
}

size_t
health_state_size(uint32_t text_len, uint32_t nsignals)
{
	return HEALTH_STATE_HEADER + (size_t) text_len + 4 + (size_t) nsignals * 16;
}

void
health_state_encode(uint8_t *out, int64_t as_of, const char *text, uint32_t text_len,
					uint32_t nsignals, const int64_t *counts)
{
	uint32_t	i;

	out[0] = HEALTH_STATE_VERSION;
	put_u64(out + 1, (uint64_t) as_of);
	put_u32(out + 9, text_len);
	memcpy(out + HEALTH_STATE_HEADER, text, text_len);
	out += HEALTH_STATE_HEADER + text_len;
	put_u32(out, nsignals);
	out += 4;
	for (i = 0; i < 2 * nsignals; i++)
		put_u64(out + 8 * i, (uint64_t) counts[i]);
}

const char *
health_state_decode(const uint8_t *bytes, size_t len, HealthStateView *view)
{
	size_t		rest;
	uint32_t	i;

	if (len < HEALTH_STATE_HEADER)
		return "too short";
	if (bytes[0] != HEALTH_STATE_VERSION)
		return "unknown version";
	view->as_of = (int64_t) get_u64(bytes + 1);
	view->text_len = get_u32(bytes + 9);
	rest = len - HEALTH_STATE_HEADER;
	if (view->text_len == 0 || view->text_len > rest || rest - view->text_len < 4)
		return "model text length out of range";
	view->text = (const char *) bytes + HEALTH_STATE_HEADER;
	rest -= view->text_len + 4;
	view->nsignals = get_u32(bytes + HEALTH_STATE_HEADER + view->text_len);
	if (view->nsignals == 0 || rest / 16 != view->nsignals || rest % 16 != 0)
		return "signal count does not match the length";
	view->counts = bytes + HEALTH_STATE_HEADER + view->text_len + 4;
	for (i = 0; i < 2 * view->nsignals; i++)
		if (health_state_count(view, i) < 0)
			return "negative count";
	return NULL;
}

int64_t
health_state_count(const HealthStateView *view, uint32_t slot)
{
	return (int64_t) get_u64(view->counts + 8 * (size_t) slot);
}
