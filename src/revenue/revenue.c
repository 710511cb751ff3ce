/*
 * revenue.c
 *		Pure C core of the subscription revenue family (see revenue.h).
 *
 * Three ideas carry the family:
 *
 * 1. Exact decimals.  PostgreSQL's numeric cannot be used outside the
 *    server, and floating point would break the bridge identity
 *    start + new + expansion + reactivation - contraction - churn = end by
 *    a cent here and there.  So an amount is an integer count of 10^-scale
 *    units in 128 bits.  Inputs keep their own decimals (a state's scale is
 *    the largest scale it has seen; smaller-scale values are multiplied up),
 *    every addition is overflow-checked, and nothing is ever rounded.
 *
 * 2. Snapshots by a sweep.  A customer's MRR at instant t is the sum of mrr
 *    over subscriptions with started_at <= t < ended_at.  Written as
 *        MRR(t) = sum(mrr | started_at <= t) - sum(mrr | ended_at <= t)
 *    (a subscription that ended by t also started by t), it needs only the
 *    start events and the end events, each sorted by time, and one forward
 *    walk of two cursors over the period boundaries: O(n log n + periods).
 *
 * 3. Pooling.  mrr_bridge, churn_rate and ltv all read the same sums over
 *    movement rows (rev_totals); they differ only in the final division.
 */
#include "revenue.h"

#include <stdlib.h>
#include <string.h>

const char *const rev_kind_names[REV_NKINDS] = {
	"new", "expansion", "contraction", "churn", "reactivation", "unchanged"
};

#define REV_AMOUNT_MAX ((rev_amount) (((unsigned __int128) 1 << 127) - 1))

/* ---- exact decimals -------------------------------------------------- */

/*
 * Parse the text numeric_out() produces: an optional '-', digits, and an
 * optional '.' followed by digits.  Fraction digits past REV_MAX_SCALE are
 * accepted only when they are zeros (numeric keeps trailing zeros of its
 * display scale; dropping them loses nothing).
 */
rev_status
rev_amount_parse(const char *text, rev_amount *units, int *scale)
{
	const char *p = text;
	bool		negative = false;
	int			ndigits = 0;
	int			frac = 0;
	bool		in_fraction = false;
	rev_amount	value = 0;

	if (*p == '-' || *p == '+')
		negative = (*p++ == '-');
	if (strcmp(p, "NaN") == 0 || strcmp(p, "Infinity") == 0)
		return REV_ERR_NOT_FINITE;

	for (; *p; p++)
	{
		if (*p == '.' && !in_fraction)
		{
			in_fraction = true;
			continue;
		}
		if (*p < '0' || *p > '9')
			return REV_ERR_SYNTAX;
		ndigits++;
		if (in_fraction && frac == REV_MAX_SCALE)
		{
			if (*p != '0')
				return REV_ERR_TOO_PRECISE;
			continue;			/* a trailing zero past the scale we keep */
		}
		if (__builtin_mul_overflow(value, 10, &value) ||
			__builtin_add_overflow(value, *p - '0', &value))
			return REV_ERR_OVERFLOW;
		if (in_fraction)
			frac++;
	}
	if (ndigits == 0)
		return REV_ERR_SYNTAX;
	*units = negative ? -value : value;
	*scale = frac;
	return REV_OK;
}

/* Re-express units from from_scale to the larger or equal to_scale. */
rev_status
rev_amount_rescale(rev_amount units, int from_scale, int to_scale, rev_amount *out)
{
	if (from_scale < 0 || to_scale > REV_MAX_SCALE || to_scale < from_scale)
		return REV_ERR_OVERFLOW;
	for (int i = from_scale; i < to_scale; i++)
		if (__builtin_mul_overflow(units, 10, &units))
			return REV_ERR_OVERFLOW;
	*out = units;
	return REV_OK;
}

/* Write units / 10^scale as plain decimal text; returns its length. */
size_t
rev_amount_format(rev_amount units, int scale, char *buf)
{
	char		digits[REV_AMOUNT_BUFSIZE];
	int			n = 0;
	size_t		len = 0;
	unsigned __int128 magnitude;

	magnitude = units < 0 ? -(unsigned __int128) units : (unsigned __int128) units;
	do
	{
		digits[n++] = (char) ('0' + (int) (magnitude % 10));
		magnitude /= 10;
	} while (magnitude != 0);
	while (n <= scale)			/* at least one digit before the point */
		digits[n++] = '0';

	if (units < 0)
		buf[len++] = '-';
	while (n > 0)
	{
		if (n == scale)
			buf[len++] = '.';
		buf[len++] = digits[--n];
	}
	buf[len] = '\0';
	return len;
}

bool
rev_amount_fits_int64(rev_amount units)
{
	return units >= INT64_MIN && units <= INT64_MAX;
}

/* ---- one customer's timeline ------------------------------------------ */

bool
rev_window_equal(const rev_window *a, const rev_window *b)
{
	return a->period_from == b->period_from && a->period_to == b->period_to &&
		a->grain_usec == b->grain_usec && a->grain_days == b->grain_days &&
		a->grain_months == b->grain_months;
}

/*
 * A grain is positive when no part of it is negative and some part is not
 * zero.  Mixed signs ('1 month -30 days') are refused: whether such a step
 * moves forward depends on the month, so periods could collapse.
 */
bool
rev_window_grain_positive(const rev_window *w)
{
	return w->grain_usec >= 0 && w->grain_days >= 0 && w->grain_months >= 0 &&
		(w->grain_usec > 0 || w->grain_days > 0 || w->grain_months > 0);
}

/* Move every subscription's mrr to the larger 'scale' (all or nothing). */
rev_status
rev_history_rescale(rev_history *h, int scale)
{
	rev_amount	scratch;

	if (scale <= h->scale)
		return REV_OK;
	for (uint32_t i = 0; i < h->nsubs; i++)
		if (rev_amount_rescale(h->subs[i].mrr, h->scale, scale, &scratch) != REV_OK)
			return REV_ERR_OVERFLOW;
	for (uint32_t i = 0; i < h->nsubs; i++)
		(void) rev_amount_rescale(h->subs[i].mrr, h->scale, scale, &h->subs[i].mrr);
	h->scale = scale;
	return REV_OK;
}

/* A start or an end of a subscription: at instant t the MRR moves by amount. */
typedef struct rev_event
{
	int64_t		t;
	rev_amount	amount;
} rev_event;

static int
rev_event_cmp(const void *a, const void *b)
{
	int64_t		ta = ((const rev_event *) a)->t;
	int64_t		tb = ((const rev_event *) b)->t;

	return (ta > tb) - (ta < tb);
}

/* Customers have a handful of subscriptions: insertion sort beats qsort there. */
static void
rev_sort_events(rev_event *ev, uint32_t n)
{
	if (n > 16)
	{
		qsort(ev, n, sizeof(rev_event), rev_event_cmp);
		return;
	}
	for (uint32_t i = 1; i < n; i++)
	{
		rev_event	x = ev[i];
		uint32_t	j = i;

		while (j > 0 && ev[j - 1].t > x.t)
		{
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = x;
	}
}

size_t
rev_movements_scratch_size(uint32_t nsubs)
{
	return 2 * (size_t) (nsubs ? nsubs : 1) * sizeof(rev_event);
}

/*
 * The movement rows of one customer.  bounds[0..nperiods] are the period
 * boundaries p_0 < p_1 < ... < p_nperiods (the last one closes the last
 * period); out has room for nperiods rows; scratch is
 * rev_movements_scratch_size(h->nsubs) bytes.  Rows come out by period.
 */
rev_status
rev_movements(const rev_history *h, const int64_t *bounds, int nperiods,
			  void *scratch, rev_movement *out, int *nout)
{
	rev_event  *starts = scratch;
	rev_event  *ends = starts + (h->nsubs ? h->nsubs : 1);
	uint32_t	nstarts = 0;
	uint32_t	nends = 0;
	uint32_t	si = 0;
	uint32_t	ei = 0;
	int64_t		first_paid_start = INT64_MAX;
	rev_amount	started = 0;	/* sum of mrr started at or before the boundary */
	rev_amount	ended = 0;		/* sum of mrr ended at or before the boundary */
	rev_amount	before = 0;
	int			n = 0;

	/* Free subscriptions move nothing; only paid ones become events. */
	for (uint32_t i = 0; i < h->nsubs; i++)
	{
		const rev_subscription *s = &h->subs[i];

		if (s->mrr == 0)
			continue;
		if (s->started_at < first_paid_start)
			first_paid_start = s->started_at;
		starts[nstarts].t = s->started_at;
		starts[nstarts++].amount = s->mrr;
		if (s->ended_at != REV_NEVER)
		{
			ends[nends].t = s->ended_at;
			ends[nends++].amount = s->mrr;
		}
	}
	rev_sort_events(starts, nstarts);
	rev_sort_events(ends, nends);

	for (int k = 0; k <= nperiods; k++)
	{
		rev_amount	level;

		while (si < nstarts && starts[si].t <= bounds[k])
			if (__builtin_add_overflow(started, starts[si++].amount, &started))
				return REV_ERR_OVERFLOW;
		while (ei < nends && ends[ei].t <= bounds[k])
			ended += ends[ei++].amount; /* ended <= started: cannot overflow */
		level = started - ended;

		if (k > 0)
		{
			rev_kind	kind = rev_classify(before, level,
											first_paid_start < bounds[k - 1]);

			if (kind != REV_KIND_NONE)
			{
				out[n].period = bounds[k - 1];
				out[n].kind = kind;
				out[n].before = before;
				out[n].after = level;
				n++;
			}
		}
		before = level;
	}
	*nout = n;
	return REV_OK;
}

/*
 * Byte encoding, little-endian whatever the host: a state serialized by one
 * process may be read by another (parallel workers, or a Citus node).
 */
static uint8_t *
put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		*p++ = (uint8_t) (v >> (8 * i));
	return p;
}

static uint64_t
get_u64(const uint8_t *p)
{
	uint64_t	v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t) p[i] << (8 * i);
	return v;
}

static uint8_t *
put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		*p++ = (uint8_t) (v >> (8 * i));
	return p;
}

static uint32_t
get_u32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
		(uint32_t) p[3] << 24;
}

static uint8_t *
put_amount(uint8_t *p, rev_amount v)
{
	unsigned __int128 u = (unsigned __int128) v;

	p = put_u64(p, (uint64_t) u);
	return put_u64(p, (uint64_t) (u >> 64));
}

static rev_amount
get_amount(const uint8_t *p)
{
	unsigned __int128 u = (unsigned __int128) get_u64(p + 8) << 64 | get_u64(p);

	return (rev_amount) u;
}

/* flags, period_from, period_to, grain usec, days, months, scale, nsubs */
#define REV_HISTORY_HEADER (1 + 8 + 8 + 8 + 4 + 4 + 1 + 4)
#define REV_HISTORY_ENTRY  (8 + 8 + 16)

size_t
rev_history_encoded_size(const rev_history *h)
{
	return REV_HISTORY_HEADER + (size_t) h->nsubs * REV_HISTORY_ENTRY;
}

void
rev_history_encode(const rev_history *h, uint8_t *p)
{
	*p++ = h->has_window ? 1 : 0;
	p = put_u64(p, (uint64_t) h->window.period_from);
	p = put_u64(p, (uint64_t) h->window.period_to);
	p = put_u64(p, (uint64_t) h->window.grain_usec);
	p = put_u32(p, (uint32_t) h->window.grain_days);
	p = put_u32(p, (uint32_t) h->window.grain_months);
	*p++ = (uint8_t) h->scale;
	p = put_u32(p, h->nsubs);
	for (uint32_t i = 0; i < h->nsubs; i++)
	{
		p = put_u64(p, (uint64_t) h->subs[i].started_at);
		p = put_u64(p, (uint64_t) h->subs[i].ended_at);
		p = put_amount(p, h->subs[i].mrr);
	}
}

rev_status
rev_history_decode_count(const uint8_t *buf, size_t len, uint32_t *nsubs)
{
	uint32_t	n;

	if (len < REV_HISTORY_HEADER)
		return REV_ERR_CORRUPT;
	n = get_u32(buf + REV_HISTORY_HEADER - 4);
	if ((len - REV_HISTORY_HEADER) / REV_HISTORY_ENTRY != n ||
		(len - REV_HISTORY_HEADER) % REV_HISTORY_ENTRY != 0)
		return REV_ERR_CORRUPT;
	*nsubs = n;
	return REV_OK;
}

rev_status
rev_history_decode(const uint8_t *buf, size_t len, rev_history *h)
{
	const uint8_t *p = buf;
	uint32_t	n;

	if (rev_history_decode_count(buf, len, &n) != REV_OK || n > h->capacity)
		return REV_ERR_CORRUPT;
	if (*p > 1)
		return REV_ERR_CORRUPT;
	h->has_window = *p++ == 1;
	h->window.period_from = (int64_t) get_u64(p);
	h->window.period_to = (int64_t) get_u64(p + 8);
	h->window.grain_usec = (int64_t) get_u64(p + 16);
	h->window.grain_days = (int32_t) get_u32(p + 24);
	h->window.grain_months = (int32_t) get_u32(p + 28);
	p += 32;
	h->scale = *p++;
	p += 4;
	h->nsubs = n;
	if (h->scale > REV_MAX_SCALE)
		return REV_ERR_CORRUPT;
	/* A state without a window has never seen a row. */
	if (!h->has_window && n != 0)
		return REV_ERR_CORRUPT;
	if (h->has_window && (h->window.period_to <= h->window.period_from ||
						  !rev_window_grain_positive(&h->window)))
		return REV_ERR_CORRUPT;
	for (uint32_t i = 0; i < n; i++)
	{
		rev_subscription *s = &h->subs[i];

		s->started_at = (int64_t) get_u64(p);
		s->ended_at = (int64_t) get_u64(p + 8);
		s->mrr = get_amount(p + 16);
		p += REV_HISTORY_ENTRY;
		if (s->ended_at < s->started_at || s->mrr < 0)
			return REV_ERR_CORRUPT;
	}
	return REV_OK;
}

/* ---- classifying and pooling movements -------------------------------- */

/*
 * The kind of a customer-period that went from 'before' to 'after' (both
 * non-negative).  paid_before: a subscription with mrr > 0 started before
 * the period, so a customer coming back from zero is reactivated, not new.
 */
rev_kind
rev_classify(rev_amount before, rev_amount after, bool paid_before)
{
	if (before == 0 && after == 0)
		return REV_KIND_NONE;
	if (before == 0)
		return paid_before ? REV_KIND_REACTIVATION : REV_KIND_NEW;
	if (after == 0)
		return REV_KIND_CHURN;
	if (after > before)
		return REV_KIND_EXPANSION;
	if (after < before)
		return REV_KIND_CONTRACTION;
	return REV_KIND_UNCHANGED;
}

/*
 * Whether a row's kind could have come from its amounts: everything but the
 * new/reactivation choice, which depends on history the row does not carry.
 */
bool
rev_kind_consistent(rev_kind kind, rev_amount before, rev_amount after)
{
	rev_kind	expected = rev_classify(before, after, false);

	if (before < 0 || after < 0 || expected == REV_KIND_NONE)
		return false;
	if (kind == REV_KIND_REACTIVATION)
		return expected == REV_KIND_NEW;
	return kind == expected;
}

void
rev_totals_init(rev_totals *t)
{
	memset(t, 0, sizeof(*t));
}

static rev_status
rev_totals_rescale(rev_totals *t, int scale)
{
	rev_amount *amounts[] = {&t->start_mrr, &t->new_mrr, &t->expansion_mrr,
		&t->reactivation_mrr, &t->contraction_mrr, &t->churned_mrr, &t->end_mrr};
	rev_amount	scaled[7];

	if (scale <= t->scale)
		return REV_OK;
	for (int i = 0; i < 7; i++)
		if (rev_amount_rescale(*amounts[i], t->scale, scale, &scaled[i]) != REV_OK)
			return REV_ERR_OVERFLOW;
	for (int i = 0; i < 7; i++)
		*amounts[i] = scaled[i];
	t->scale = scale;
	return REV_OK;
}

static bool
add_amount(rev_amount *sum, rev_amount x)
{
	return !__builtin_add_overflow(*sum, x, sum);
}

/*
 * Add one movement row (its kind already checked by rev_kind_consistent).
 * The amounts are at 'scale'; the totals move to the larger of the scales.
 */
rev_status
rev_totals_add(rev_totals *t, rev_kind kind, rev_amount before, rev_amount after,
			   int scale)
{
	bool		ok;

	if (rev_totals_rescale(t, scale) != REV_OK ||
		rev_amount_rescale(before, scale, t->scale, &before) != REV_OK ||
		rev_amount_rescale(after, scale, t->scale, &after) != REV_OK)
		return REV_ERR_OVERFLOW;

	ok = add_amount(&t->start_mrr, before) && add_amount(&t->end_mrr, after);
	t->start_customers += before > 0;
	t->end_customers += after > 0;
	switch (kind)
	{
		case REV_KIND_NEW:
			ok = ok && add_amount(&t->new_mrr, after);
			t->new_customers++;
			break;
		case REV_KIND_REACTIVATION:
			ok = ok && add_amount(&t->reactivation_mrr, after);
			t->reactivated_customers++;
			break;
		case REV_KIND_EXPANSION:
			ok = ok && add_amount(&t->expansion_mrr, after - before);
			t->expanded_customers++;
			break;
		case REV_KIND_CONTRACTION:
			ok = ok && add_amount(&t->contraction_mrr, before - after);
			t->contracted_customers++;
			break;
		case REV_KIND_CHURN:
			ok = ok && add_amount(&t->churned_mrr, before);
			t->churned_customers++;
			break;
		default:
			break;
	}
	return ok ? REV_OK : REV_ERR_OVERFLOW;
}

/* Add 'from' into 'into'; the caller has checked that their periods agree. */
rev_status
rev_totals_merge(rev_totals *into, const rev_totals *from)
{
	rev_totals	other = *from;
	bool		ok;

	if (rev_totals_rescale(into, other.scale) != REV_OK ||
		rev_totals_rescale(&other, into->scale) != REV_OK)
		return REV_ERR_OVERFLOW;
	ok = add_amount(&into->start_mrr, other.start_mrr) &&
		add_amount(&into->new_mrr, other.new_mrr) &&
		add_amount(&into->expansion_mrr, other.expansion_mrr) &&
		add_amount(&into->reactivation_mrr, other.reactivation_mrr) &&
		add_amount(&into->contraction_mrr, other.contraction_mrr) &&
		add_amount(&into->churned_mrr, other.churned_mrr) &&
		add_amount(&into->end_mrr, other.end_mrr);
	ok = ok && !__builtin_add_overflow(into->start_customers, other.start_customers, &into->start_customers) &&
		!__builtin_add_overflow(into->new_customers, other.new_customers, &into->new_customers) &&
		!__builtin_add_overflow(into->expanded_customers, other.expanded_customers, &into->expanded_customers) &&
		!__builtin_add_overflow(into->reactivated_customers, other.reactivated_customers, &into->reactivated_customers) &&
		!__builtin_add_overflow(into->contracted_customers, other.contracted_customers, &into->contracted_customers) &&
		!__builtin_add_overflow(into->churned_customers, other.churned_customers, &into->churned_customers) &&
		!__builtin_add_overflow(into->end_customers, other.end_customers, &into->end_customers);
	if (other.has_period)
	{
		into->has_period = true;
		into->period = other.period;
	}
	return ok ? REV_OK : REV_ERR_OVERFLOW;
}

/*
 * The invariants every honestly built totals satisfy: no negative sums or
 * counts, and both bridge identities (amounts and customers) exact.
 */
bool
rev_totals_valid(const rev_totals *t)
{
	rev_amount	sum;

	if (t->scale < 0 || t->scale > REV_MAX_SCALE)
		return false;
	if (t->start_mrr < 0 || t->new_mrr < 0 || t->expansion_mrr < 0 ||
		t->reactivation_mrr < 0 || t->contraction_mrr < 0 || t->churned_mrr < 0 ||
		t->end_mrr < 0)
		return false;
	if (t->start_customers < 0 || t->new_customers < 0 || t->expanded_customers < 0 ||
		t->reactivated_customers < 0 || t->contracted_customers < 0 ||
		t->churned_customers < 0 || t->end_customers < 0)
		return false;
	if (__builtin_add_overflow(t->start_mrr, t->new_mrr, &sum) ||
		__builtin_add_overflow(sum, t->expansion_mrr, &sum) ||
		__builtin_add_overflow(sum, t->reactivation_mrr, &sum) ||
		__builtin_sub_overflow(sum, t->contraction_mrr, &sum) ||
		__builtin_sub_overflow(sum, t->churned_mrr, &sum) ||
		sum != t->end_mrr)
		return false;
	if (t->start_customers > INT64_MAX / 4 || t->new_customers > INT64_MAX / 4 ||
		t->reactivated_customers > INT64_MAX / 4)
		return false;
	return t->start_customers + t->new_customers + t->reactivated_customers -
		t->churned_customers == t->end_customers;
}

void
rev_totals_encode(const rev_totals *t, uint8_t *p)
{
	p = put_u32(p, (uint32_t) t->scale);
	*p++ = t->has_period ? 1 : 0;
	p = put_u64(p, (uint64_t) t->period);
	p = put_amount(p, t->start_mrr);
	p = put_amount(p, t->new_mrr);
	p = put_amount(p, t->expansion_mrr);
	p = put_amount(p, t->reactivation_mrr);
	p = put_amount(p, t->contraction_mrr);
	p = put_amount(p, t->churned_mrr);
	p = put_amount(p, t->end_mrr);
	p = put_u64(p, (uint64_t) t->start_customers);
	p = put_u64(p, (uint64_t) t->new_customers);
	p = put_u64(p, (uint64_t) t->expanded_customers);
	p = put_u64(p, (uint64_t) t->reactivated_customers);
	p = put_u64(p, (uint64_t) t->contracted_customers);
	p = put_u64(p, (uint64_t) t->churned_customers);
	(void) put_u64(p, (uint64_t) t->end_customers);
}

rev_status
rev_totals_decode(const uint8_t *p, size_t len, rev_totals *t)
{
	uint32_t	scale;

	if (len != REV_TOTALS_ENCODED_SIZE)
		return REV_ERR_CORRUPT;
	scale = get_u32(p);
	if (scale > REV_MAX_SCALE || p[4] > 1)
		return REV_ERR_CORRUPT;
	t->scale = (int) scale;
	t->has_period = p[4] == 1;
	t->period = (int64_t) get_u64(p + 5);
	p += 13;
	t->start_mrr = get_amount(p);
	t->new_mrr = get_amount(p + 16);
	t->expansion_mrr = get_amount(p + 32);
	t->reactivation_mrr = get_amount(p + 48);
	t->contraction_mrr = get_amount(p + 64);
	t->churned_mrr = get_amount(p + 80);
	t->end_mrr = get_amount(p + 96);
	p += 112;
	t->start_customers = (int64_t) get_u64(p);
	t->new_customers = (int64_t) get_u64(p + 8);
	t->expanded_customers = (int64_t) get_u64(p + 16);
	t->reactivated_customers = (int64_t) get_u64(p + 24);
	t->contracted_customers = (int64_t) get_u64(p + 32);
	t->churned_customers = (int64_t) get_u64(p + 40);
	t->end_customers = (int64_t) get_u64(p + 48);
	return rev_totals_valid(t) ? REV_OK : REV_ERR_CORRUPT;
}

/* ---- billing periods -------------------------------------------------- */

static rev_amount
gcd_amount(rev_amount a, rev_amount b)
{
	while (b != 0)
	{
		rev_amount	r = a % b;

		a = b;
		b = r;
	}
	return a;
}

/*
 * The monthly equivalent of an amount billed every (months, days, usec) is
 * amount * numerator / denominator, a fraction in lowest terms.  The year
 * has twelve months or 52 weeks, so a week is 12/52 of a month and a day a
 * seventh of that (a month is 30 1/3 days); clock time counts as a fraction
 * of a day.  False when the period is not positive (a negative part, or
 * all parts zero).
 */
bool
rev_billing_factor(int32_t months, int32_t days, int64_t usec,
				   rev_amount *numerator, rev_amount *denominator)
{
	/* In twelfths of a microsecond, so that a month is a whole number. */
	const rev_amount usec_per_day = (rev_amount) 86400 * 1000000;
	const rev_amount month = 364 * usec_per_day;
	rev_amount	period;
	rev_amount	g;

	if (months < 0 || days < 0 || usec < 0 || (months == 0 && days == 0 && usec == 0))
		return false;
	period = months * month + (rev_amount) days * 12 * usec_per_day + (rev_amount) usec * 12;
	g = gcd_amount(month, period);
	*numerator = month / g;
	*denominator = period / g;
	return true;
}
