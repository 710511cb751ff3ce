/*
 * revenue.c
 *		Pure C core of the subscription revenue family (see revenue.h).
 *
 * Four ideas carry the family:
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
 * 3. "Paid before" is what the sweep saw.  A customer coming back from zero
 *    MRR is reactivated when it had MRR > 0 at an earlier period boundary
 *    of the sweep, or at any instant before the sweep's first boundary;
 *    otherwise it is new.  A paid subscription that starts and ends between
 *    two boundaries never showed at a boundary, so it does not make a later
 *    return a reactivation: every customer counted as reactivated was
 *    counted as new (or was paying) before, inside the window or before it.
 *
 * 4. Linear totals.  mrr_bridge, churn_rate, ltv_agg and the stored
 *    mrr_totals all read one set of sums over movement rows (rev_totals);
 *    merging two of them is addition plus "earliest start, latest end", so
 *    any order of merging gives the same value, and the identities that
 *    hold for consecutive periods are checked when a value is read.
 */
#include "revenue.h"

#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "revenue/saas.h"

const char *const rev_kind_names[REV_NKINDS] = {
	"new", "expansion", "contraction", "churn", "reactivation", "unchanged"
};

const char *const rev_basis_names[REV_BASIS_MAX + 1] = {
	"logo", "logo", "gross_mrr", "net_mrr"
};

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

rev_decimal
rev_decimal_trim(rev_decimal d)
{
	while (d.scale > 0 && d.units % 10 == 0)
	{
		d.units /= 10;
		d.scale--;
	}
	return d;
}

static bool
add_amount(rev_amount *sum, rev_amount x)
{
	return !__builtin_add_overflow(*sum, x, sum);
}

static bool
add_count(int64_t *sum, int64_t x)
{
	return !__builtin_add_overflow(*sum, x, sum);
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
rev_status
rev_window_check(const rev_window *w)
{
	if (w->period_to <= w->period_from)
		return REV_ERR_EMPTY_WINDOW;
	if (w->grain_usec < 0 || w->grain_days < 0 || w->grain_months < 0 ||
		(w->grain_usec == 0 && w->grain_days == 0 && w->grain_months == 0))
		return REV_ERR_GRAIN_NOT_POSITIVE;
	return REV_OK;
}

/*
 * p_k for every p_k < period_to, then the first p_k at or after period_to,
 * which closes the last period; at most REV_MAX_PERIODS periods.
 */
rev_status
rev_bound_step(const int64_t *bounds, int k, int64_t p, int64_t period_to, bool *last)
{
	if (k > 0 && p <= bounds[k - 1])
		return REV_ERR_NOT_FORWARD;
	if (k >= REV_MAX_PERIODS && p < period_to)
		return REV_ERR_TOO_MANY_PERIODS;
	*last = p >= period_to;
	return REV_OK;
}

rev_status
rev_subscription_check(int64_t started_at, int64_t ended_at, rev_amount mrr)
{
	if (ended_at < started_at)
		return REV_ERR_ENDS_BEFORE_START;
	if (mrr < 0)
		return REV_ERR_NEGATIVE;
	return REV_OK;
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

/* One scale for the whole history: the largest seen. */
rev_status
rev_history_add(rev_history *h, int64_t started_at, int64_t ended_at, rev_amount mrr,
				int scale)
{
	rev_subscription *s;

	if (h->nsubs >= h->capacity)
		return REV_ERR_NO_ROOM;
	if (rev_history_rescale(h, scale) != REV_OK ||
		rev_amount_rescale(mrr, scale, h->scale, &mrr) != REV_OK)
		return REV_ERR_OVERFLOW;
	s = &h->subs[h->nsubs++];
	s->started_at = started_at;
	s->ended_at = ended_at;
	s->mrr = mrr;
	return REV_OK;
}

rev_status
rev_history_merge(rev_history *into, const rev_history *from)
{
	int			scale = into->scale > from->scale ? into->scale : from->scale;
	rev_amount	scratch;

	if (!from->has_window)
		return REV_OK;
	if (into->has_window && !rev_window_equal(&into->window, &from->window))
		return REV_ERR_OPTION_CHANGED;
	if ((uint64_t) into->nsubs + from->nsubs > into->capacity)
		return REV_ERR_NO_ROOM;
	for (uint32_t i = 0; i < from->nsubs; i++)
		if (rev_amount_rescale(from->subs[i].mrr, from->scale, scale, &scratch) != REV_OK)
			return REV_ERR_OVERFLOW;
	if (rev_history_rescale(into, scale) != REV_OK)
		return REV_ERR_OVERFLOW;
	into->has_window = true;
	into->window = from->window;
	for (uint32_t i = 0; i < from->nsubs; i++)
	{
		rev_subscription *s = &into->subs[into->nsubs++];

		*s = from->subs[i];
		(void) rev_amount_rescale(s->mrr, from->scale, scale, &s->mrr);
	}
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
 *
 * "Paid before" (idea 3 above): paid starts as "some paid subscription was
 * running at an instant before p_0", i.e. one with mrr > 0 and
 * started_at < min(ended_at, p_0), and becomes true at the first boundary
 * where MRR > 0.  It only matters for a period that starts at 0 MRR, whose
 * own first boundary therefore never counts.
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
	bool		paid = false;
	rev_amount	started = 0;	/* sum of mrr started at or before the boundary */
	rev_amount	ended = 0;		/* sum of mrr ended at or before the boundary */
	rev_amount	before = 0;
	int			n = 0;

	/* Free and empty subscriptions never pay; only the others become events. */
	for (uint32_t i = 0; i < h->nsubs; i++)
	{
		const rev_subscription *s = &h->subs[i];

		if (s->mrr == 0 || s->ended_at <= s->started_at)
			continue;
		if (s->started_at < bounds[0])
			paid = true;
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
			rev_kind	kind = rev_classify(before, level, paid);

			if (kind != REV_KIND_NONE)
			{
				out[n].period = bounds[k - 1];
				out[n].kind = kind;
				out[n].before = before;
				out[n].after = level;
				n++;
			}
		}
		if (level > 0)
			paid = true;
		before = level;
	}
	*nout = n;
	return REV_OK;
}

/*
 * Byte encoding of a history, little-endian whatever the host (bytes.h): a
 * state serialized by one process may be read by another.
 *
 *   version u8, flags u8 (1 = has a window), period_from i64, period_to i64,
 *   grain usec i64, days u32, months u32, scale u8, nsubs u32,
 *   then per subscription: started_at i64, ended_at i64, mrr i128.
 */
#define REV_HISTORY_HEADER (1 + 1 + 8 + 8 + 8 + 4 + 4 + 1 + 4)
#define REV_HISTORY_ENTRY  (8 + 8 + 16)

uint8_t *
rev_put_amount(uint8_t *p, rev_amount v)
{
	unsigned __int128 u = (unsigned __int128) v;

	p = b2b_put_u64(p, (uint64_t) u);
	return b2b_put_u64(p, (uint64_t) (u >> 64));
}

rev_amount
rev_read_amount(B2bReader *r)
{
	uint64_t	lo = b2b_read_u64(r);
	uint64_t	hi = b2b_read_u64(r);

	return (rev_amount) ((unsigned __int128) hi << 64 | lo);
}

size_t
rev_history_encoded_size(const rev_history *h)
{
	return REV_HISTORY_HEADER + (size_t) h->nsubs * REV_HISTORY_ENTRY;
}

void
rev_history_encode(const rev_history *h, uint8_t *p)
{
	p = b2b_put_u8(p, REV_HISTORY_VERSION);
	p = b2b_put_u8(p, h->has_window ? 1 : 0);
	p = b2b_put_i64(p, h->window.period_from);
	p = b2b_put_i64(p, h->window.period_to);
	p = b2b_put_i64(p, h->window.grain_usec);
	p = b2b_put_u32(p, (uint32_t) h->window.grain_days);
	p = b2b_put_u32(p, (uint32_t) h->window.grain_months);
	p = b2b_put_u8(p, (uint8_t) h->scale);
	p = b2b_put_u32(p, h->nsubs);
	for (uint32_t i = 0; i < h->nsubs; i++)
	{
		p = b2b_put_i64(p, h->subs[i].started_at);
		p = b2b_put_i64(p, h->subs[i].ended_at);
		p = rev_put_amount(p, h->subs[i].mrr);
	}
}

rev_status
rev_history_decode_count(const uint8_t *buf, size_t len, uint32_t *nsubs)
{
	uint32_t	n;

	if (len < REV_HISTORY_HEADER)
		return REV_ERR_BAD_LENGTH;
	if (buf[0] != REV_HISTORY_VERSION)
		return REV_ERR_BAD_VERSION;
	n = b2b_get_u32(buf + REV_HISTORY_HEADER - 4);
	if ((len - REV_HISTORY_HEADER) % REV_HISTORY_ENTRY != 0 ||
		(len - REV_HISTORY_HEADER) / REV_HISTORY_ENTRY != n)
		return REV_ERR_BAD_LENGTH;
	*nsubs = n;
	return REV_OK;
}

rev_status
rev_history_decode(const uint8_t *buf, size_t len, rev_history *h)
{
	B2bReader	r = b2b_reader(buf, len);
	uint32_t	n;
	uint8_t		flags;
	rev_status	st = rev_history_decode_count(buf, len, &n);

	if (st != REV_OK)
		return st;
	if (n > h->capacity)
		return REV_ERR_NO_ROOM;
	(void) b2b_read_u8(&r);		/* the version, checked above */
	flags = b2b_read_u8(&r);
	h->window.period_from = b2b_read_i64(&r);
	h->window.period_to = b2b_read_i64(&r);
	h->window.grain_usec = b2b_read_i64(&r);
	h->window.grain_days = (int32_t) b2b_read_u32(&r);
	h->window.grain_months = (int32_t) b2b_read_u32(&r);
	h->scale = b2b_read_u8(&r);
	(void) b2b_read_u32(&r);	/* nsubs, checked above */
	if (flags > 1 || h->scale > REV_MAX_SCALE)
		return REV_ERR_CORRUPT;
	h->has_window = flags == 1;
	/* A state without a window has never seen a row. */
	if (!h->has_window && n != 0)
		return REV_ERR_CORRUPT;
	if (h->has_window && rev_window_check(&h->window) != REV_OK)
		return REV_ERR_CORRUPT;
	h->nsubs = 0;
	for (uint32_t i = 0; i < n; i++)
	{
		rev_subscription *s = &h->subs[i];

		s->started_at = b2b_read_i64(&r);
		s->ended_at = b2b_read_i64(&r);
		s->mrr = rev_read_amount(&r);
		if (rev_subscription_check(s->started_at, s->ended_at, s->mrr) != REV_OK)
			return REV_ERR_CORRUPT;
	}
	if (!b2b_reader_done(&r))
		return REV_ERR_BAD_LENGTH;
	h->nsubs = n;
	return REV_OK;
}

/* ---- classifying movements -------------------------------------------- */

/*
 * The kind of a customer-period that went from 'before' to 'after' (both
 * non-negative).  paid_before: the customer paid before this period (see
 * rev_movements), so coming back from zero is reactivation, not new.
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

rev_status
rev_classify_amounts(rev_amount before, rev_amount after, bool paid_before, rev_kind *kind)
{
	if (before < 0 || after < 0)
		return REV_ERR_NEGATIVE;
	*kind = rev_classify(before, after, paid_before);
	return REV_OK;
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

/* ---- options of the aggregates ---------------------------------------- */

rev_status
rev_basis_parse(const char *name, size_t len, rev_basis *basis)
{
	for (int b = REV_BASIS_LOGO; b <= REV_BASIS_MAX; b++)
		if (strlen(rev_basis_names[b]) == len && memcmp(rev_basis_names[b], name, len) == 0)
		{
			*basis = (rev_basis) b;
			return REV_OK;
		}
	return REV_ERR_UNKNOWN_BASIS;
}

rev_status
rev_margin_check(rev_numclass margin)
{
	if (margin.nan || margin.sign <= 0 || margin.cmp_one > 0)
		return REV_ERR_MARGIN_RANGE;
	return REV_OK;
}

rev_status
rev_margin_normalize(rev_amount units, int scale, rev_amount *normalized)
{
	rev_amount	m;

	if (rev_amount_rescale(units, scale, REV_MAX_SCALE, &m) != REV_OK ||
		m <= 0 || m > REV_MARGIN_ONE)
		return REV_ERR_MARGIN_RANGE;
	*normalized = m;
	return REV_OK;
}

rev_decimal
rev_margin_decimal(rev_amount normalized)
{
	rev_decimal d = {normalized, REV_MAX_SCALE};

	return rev_decimal_trim(d);
}

/*
 * ltv(arpa, churn_rate, gross_margin) = arpa x gross_margin / churn_rate:
 * arpa at least 0 (infinity allowed, as numeric allows it), churn_rate in
 * [0, 1] (a rate per period), the margin in (0, 1]; NULL when churn is 0.
 */
rev_status
rev_ltv_formula_check(rev_numclass arpa, rev_numclass churn, rev_numclass margin)
{
	if (arpa.nan || arpa.sign < 0)
		return REV_ERR_ARPA_RANGE;
	if (churn.nan || churn.sign < 0 || churn.cmp_one > 0)
		return REV_ERR_CHURN_RANGE;
	if (rev_margin_check(margin) != REV_OK)
		return REV_ERR_MARGIN_RANGE;
	return churn.sign == 0 ? REV_UNDEFINED : REV_OK;
}

/* ---- mrr_totals ------------------------------------------------------- */

#define REV_TOTALS_NAMOUNTS 9
#define REV_TOTALS_NCOUNTS 9

/*
 * The amounts and counts of a totals, in struct (and wire) order: the two
 * chain snapshots first, then the pool and the movements, which add.
 */
static const size_t totals_amount_offsets[REV_TOTALS_NAMOUNTS] = {
	offsetof(rev_totals, start_mrr), offsetof(rev_totals, end_mrr),
	offsetof(rev_totals, pooled_start_mrr), offsetof(rev_totals, pooled_end_mrr),
	offsetof(rev_totals, new_mrr), offsetof(rev_totals, expansion_mrr),
	offsetof(rev_totals, reactivation_mrr), offsetof(rev_totals, contraction_mrr),
	offsetof(rev_totals, churned_mrr)
};
static const size_t totals_count_offsets[REV_TOTALS_NCOUNTS] = {
	offsetof(rev_totals, start_customers), offsetof(rev_totals, end_customers),
	offsetof(rev_totals, pooled_start_customers), offsetof(rev_totals, pooled_end_customers),
	offsetof(rev_totals, new_customers), offsetof(rev_totals, expanded_customers),
	offsetof(rev_totals, reactivated_customers), offsetof(rev_totals, contracted_customers),
	offsetof(rev_totals, churned_customers)
};
#define REV_TOTALS_FIRST_ADDED 2	/* the index of the first field that adds */

static rev_amount *
totals_amount(rev_totals *t, int i)
{
	return (rev_amount *) ((char *) t + totals_amount_offsets[i]);
}

static int64_t *
totals_count(rev_totals *t, int i)
{
	return (int64_t *) ((char *) t + totals_count_offsets[i]);
}

static rev_amount
totals_amount_get(const rev_totals *t, int i)
{
	return *(const rev_amount *) ((const char *) t + totals_amount_offsets[i]);
}

static int64_t
totals_count_get(const rev_totals *t, int i)
{
	return *(const int64_t *) ((const char *) t + totals_count_offsets[i]);
}

void
rev_totals_init(rev_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->version = REV_TOTALS_VERSION;
}

static rev_status
totals_rescale(rev_totals *t, int scale)
{
	rev_amount	scaled[REV_TOTALS_NAMOUNTS];

	if (scale <= t->scale)
		return REV_OK;
	for (int i = 0; i < REV_TOTALS_NAMOUNTS; i++)
		if (rev_amount_rescale(totals_amount_get(t, i), t->scale, scale, &scaled[i]) != REV_OK)
			return REV_ERR_OVERFLOW;
	for (int i = 0; i < REV_TOTALS_NAMOUNTS; i++)
		*totals_amount(t, i) = scaled[i];
	t->scale = (uint8_t) scale;
	return REV_OK;
}

rev_status
rev_totals_set_basis(rev_totals *t, rev_basis basis)
{
	if (t->basis != REV_BASIS_UNSET && t->basis != basis)
		return REV_ERR_OPTION_CHANGED;
	t->basis = (uint8_t) basis;
	return REV_OK;
}

rev_status
rev_totals_set_margin(rev_totals *t, rev_amount normalized)
{
	if (t->margin != 0 && t->margin != normalized)
		return REV_ERR_OPTION_CHANGED;
	t->margin = normalized;
	return REV_OK;
}

rev_status
rev_totals_merge(rev_totals *into, const rev_totals *from)
{
	rev_totals	r = *into;
	rev_totals	f = *from;
	bool		ok = true;

	if (f.basis != REV_BASIS_UNSET && rev_totals_set_basis(&r, (rev_basis) f.basis) != REV_OK)
		return REV_ERR_OPTION_CHANGED;
	if (f.margin != 0 && rev_totals_set_margin(&r, f.margin) != REV_OK)
		return REV_ERR_OPTION_CHANGED;
	if (!rev_totals_has_rows(&f))
	{
		*into = r;
		return REV_OK;
	}
	if (!rev_totals_has_rows(&r))
	{
		/* Take the rows of 'from', keep the options just merged. */
		f.basis = r.basis;
		f.margin = r.margin;
		f.varlena_header = r.varlena_header;
		*into = f;
		return REV_OK;
	}

	if (totals_rescale(&r, f.scale) != REV_OK || totals_rescale(&f, r.scale) != REV_OK)
		return REV_ERR_OVERFLOW;

	/* The chain: the earliest start and the latest end win, equal ones add. */
	if (f.first_period < r.first_period)
	{
		r.first_period = f.first_period;
		r.start_mrr = f.start_mrr;
		r.start_customers = f.start_customers;
	}
	else if (f.first_period == r.first_period)
		ok = add_amount(&r.start_mrr, f.start_mrr) &&
			add_count(&r.start_customers, f.start_customers);
	if (f.last_period > r.last_period)
	{
		r.last_period = f.last_period;
		r.end_mrr = f.end_mrr;
		r.end_customers = f.end_customers;
	}
	else if (f.last_period == r.last_period)
		ok = ok && add_amount(&r.end_mrr, f.end_mrr) &&
			add_count(&r.end_customers, f.end_customers);

	/* The pool and the movements add (everything after the chain fields). */
	for (int i = REV_TOTALS_FIRST_ADDED; i < REV_TOTALS_NAMOUNTS && ok; i++)
		ok = add_amount(totals_amount(&r, i), totals_amount_get(&f, i));
	for (int i = REV_TOTALS_FIRST_ADDED; i < REV_TOTALS_NCOUNTS && ok; i++)
		ok = add_count(totals_count(&r, i), totals_count_get(&f, i));
	if (!ok)
		return REV_ERR_OVERFLOW;
	*into = r;
	return REV_OK;
}

/*
 * Add one movement row: the merge of a one-row totals into t, written out
 * for the per-row path (t unchanged on error).
 */
rev_status
rev_totals_add_row(rev_totals *t, int64_t period, rev_kind kind, rev_amount before,
				   rev_amount after, int scale, bool one_period)
{
	rev_totals	r;
	int64_t		paying_before;
	int64_t		paying_after;
	bool		ok = true;

	if (kind < 0 || kind >= REV_NKINDS || !rev_kind_consistent(kind, before, after) ||
		scale < 0 || scale > REV_MAX_SCALE)
		return REV_ERR_INCONSISTENT_ROW;
	if (one_period && rev_totals_has_rows(t) &&
		(t->first_period != period || t->last_period != period))
		return REV_ERR_MIXED_PERIODS;

	r = *t;
	if (scale != r.scale &&
		(totals_rescale(&r, scale) != REV_OK ||
		 rev_amount_rescale(before, scale, r.scale, &before) != REV_OK ||
		 rev_amount_rescale(after, scale, r.scale, &after) != REV_OK))
		return REV_ERR_OVERFLOW;
	paying_before = before > 0;
	paying_after = after > 0;

	/* The chain, as in rev_totals_merge. */
	if (!rev_totals_has_rows(&r))
	{
		r.flags |= REV_TOTALS_HAS_ROWS;
		r.first_period = r.last_period = period;
		r.start_mrr = before;
		r.start_customers = paying_before;
		r.end_mrr = after;
		r.end_customers = paying_after;
	}
	else
	{
		if (period < r.first_period)
		{
			r.first_period = period;
			r.start_mrr = before;
			r.start_customers = paying_before;
		}
		else if (period == r.first_period)
			ok = add_amount(&r.start_mrr, before) && add_count(&r.start_customers, paying_before);
		if (period > r.last_period)
		{
			r.last_period = period;
			r.end_mrr = after;
			r.end_customers = paying_after;
		}
		else if (period == r.last_period)
			ok = ok && add_amount(&r.end_mrr, after) && add_count(&r.end_customers, paying_after);
	}

	/* The pool and the movement. */
	ok = ok && add_amount(&r.pooled_start_mrr, before) && add_amount(&r.pooled_end_mrr, after) &&
		add_count(&r.pooled_start_customers, paying_before) &&
		add_count(&r.pooled_end_customers, paying_after);
	switch (kind)
	{
		case REV_KIND_NEW:
			ok = ok && add_amount(&r.new_mrr, after) && add_count(&r.new_customers, 1);
			break;
		case REV_KIND_REACTIVATION:
			ok = ok && add_amount(&r.reactivation_mrr, after) && add_count(&r.reactivated_customers, 1);
			break;
		case REV_KIND_EXPANSION:
			ok = ok && add_amount(&r.expansion_mrr, after - before) && add_count(&r.expanded_customers, 1);
			break;
		case REV_KIND_CONTRACTION:
			ok = ok && add_amount(&r.contraction_mrr, before - after) && add_count(&r.contracted_customers, 1);
			break;
		case REV_KIND_CHURN:
			ok = ok && add_amount(&r.churned_mrr, before) && add_count(&r.churned_customers, 1);
			break;
		default:
			break;
	}
	if (!ok)
		return REV_ERR_OVERFLOW;
	*t = r;
	return REV_OK;
}

/* start + new + expansion + reactivation - contraction - churned, checked. */
static bool
bridge_end(const rev_totals *t, rev_amount start, rev_amount *end)
{
	return !__builtin_add_overflow(start, t->new_mrr, end) &&
		!__builtin_add_overflow(*end, t->expansion_mrr, end) &&
		!__builtin_add_overflow(*end, t->reactivation_mrr, end) &&
		!__builtin_sub_overflow(*end, t->contraction_mrr, end) &&
		!__builtin_sub_overflow(*end, t->churned_mrr, end);
}

/* start + new + reactivated - churned customers, checked. */
static bool
bridge_end_customers(const rev_totals *t, int64_t start, int64_t *end)
{
	return !__builtin_add_overflow(start, t->new_customers, end) &&
		!__builtin_add_overflow(*end, t->reactivated_customers, end) &&
		!__builtin_sub_overflow(*end, t->churned_customers, end);
}

/* Both zero or both positive: an amount and the count of its rows. */
static bool
paired(rev_amount amount, int64_t count)
{
	return (amount == 0) == (count == 0);
}

/*
 * The invariants of every honestly built value.  Each movement row has
 * mrr_before > 0 or mrr_after > 0, an amount that is positive exactly when
 * its kind counts it, and satisfies before + its movement = after; so do
 * their sums.  A contraction or a churn loses at most what was there at
 * the start, and new, expansion and reactivation add at most what is there
 * at the end.  The chain's snapshots are sums over a subset of the pooled
 * ones, and equal them when there is one period.
 */
rev_status
rev_totals_check(const rev_totals *t)
{
	rev_amount	sum;
	rev_amount	losses;
	rev_amount	gains;
	int64_t		n;

	if (t->version != REV_TOTALS_VERSION || (t->flags & ~REV_TOTALS_HAS_ROWS) != 0 ||
		t->basis > REV_BASIS_MAX || t->scale > REV_MAX_SCALE ||
		t->margin < 0 || t->margin > REV_MARGIN_ONE)
		return REV_ERR_CORRUPT;

	if (!rev_totals_has_rows(t))
	{
		if (t->scale != 0 || t->first_period != 0 || t->last_period != 0)
			return REV_ERR_CORRUPT;
		for (int i = 0; i < REV_TOTALS_NAMOUNTS; i++)
			if (totals_amount_get(t, i) != 0)
				return REV_ERR_CORRUPT;
		for (int i = 0; i < REV_TOTALS_NCOUNTS; i++)
			if (totals_count_get(t, i) != 0)
				return REV_ERR_CORRUPT;
		return REV_OK;
	}

	if (t->first_period > t->last_period)
		return REV_ERR_CORRUPT;
	for (int i = 0; i < REV_TOTALS_NAMOUNTS; i++)
		if (totals_amount_get(t, i) < 0)
			return REV_ERR_CORRUPT;
	for (int i = 0; i < REV_TOTALS_NCOUNTS; i++)
		if (totals_count_get(t, i) < 0)
			return REV_ERR_CORRUPT;
	if (t->pooled_start_customers == 0 && t->pooled_end_customers == 0)
		return REV_ERR_CORRUPT;

	/* The pool's identities. */
	if (!bridge_end(t, t->pooled_start_mrr, &sum) || sum != t->pooled_end_mrr)
		return REV_ERR_CORRUPT;
	if (!bridge_end_customers(t, t->pooled_start_customers, &n) || n != t->pooled_end_customers)
		return REV_ERR_CORRUPT;

	/* Amounts and the rows that carry them. */
	if (!paired(t->pooled_start_mrr, t->pooled_start_customers) ||
		!paired(t->pooled_end_mrr, t->pooled_end_customers) ||
		!paired(t->start_mrr, t->start_customers) ||
		!paired(t->end_mrr, t->end_customers) ||
		!paired(t->new_mrr, t->new_customers) ||
		!paired(t->expansion_mrr, t->expanded_customers) ||
		!paired(t->reactivation_mrr, t->reactivated_customers) ||
		!paired(t->contraction_mrr, t->contracted_customers) ||
		!paired(t->churned_mrr, t->churned_customers))
		return REV_ERR_CORRUPT;

	/* Losses come out of the start, gains go into the end. */
	if (__builtin_add_overflow(t->contraction_mrr, t->churned_mrr, &losses) ||
		losses > t->pooled_start_mrr ||
		__builtin_add_overflow(t->new_mrr, t->expansion_mrr, &gains) ||
		__builtin_add_overflow(gains, t->reactivation_mrr, &gains) ||
		gains > t->pooled_end_mrr)
		return REV_ERR_CORRUPT;
	if (__builtin_add_overflow(t->churned_customers, t->contracted_customers, &n) ||
		__builtin_add_overflow(n, t->expanded_customers, &n) ||
		n > t->pooled_start_customers ||
		__builtin_add_overflow(t->new_customers, t->reactivated_customers, &n) ||
		__builtin_add_overflow(n, t->expanded_customers, &n) ||
		__builtin_add_overflow(n, t->contracted_customers, &n) ||
		n > t->pooled_end_customers)
		return REV_ERR_CORRUPT;

	/* The chain's snapshots. */
	if (t->start_mrr > t->pooled_start_mrr || t->end_mrr > t->pooled_end_mrr ||
		t->start_customers > t->pooled_start_customers ||
		t->end_customers > t->pooled_end_customers)
		return REV_ERR_CORRUPT;
	if (t->first_period == t->last_period &&
		(t->start_mrr != t->pooled_start_mrr || t->end_mrr != t->pooled_end_mrr ||
		 t->start_customers != t->pooled_start_customers ||
		 t->end_customers != t->pooled_end_customers))
		return REV_ERR_CORRUPT;
	return REV_OK;
}

/*
 * For movement rows of consecutive periods of the same customers (every
 * customer's row in every period where it paid at a boundary), each
 * period's end is the next one's start, so the start of the first period
 * plus every movement is the end of the last, in MRR and in paying
 * customers.  A missing, repeated or overlapping period, or a segment
 * missing from some period, breaks this unless its own movements net to
 * exactly zero in both.
 */
rev_status
rev_totals_chained(const rev_totals *t)
{
	rev_amount	end;
	int64_t		customers;

	if (!rev_totals_has_rows(t))
		return REV_OK;
	if (!bridge_end(t, t->start_mrr, &end) || end != t->end_mrr ||
		!bridge_end_customers(t, t->start_customers, &customers) ||
		customers != t->end_customers)
		return REV_ERR_NOT_CHAINED;
	return REV_OK;
}

rev_status
rev_totals_one_period(const rev_totals *t)
{
	if (rev_totals_has_rows(t) && t->first_period != t->last_period)
		return REV_ERR_MIXED_PERIODS;
	return REV_OK;
}

rev_decimal
rev_count_decimal(int64_t n)
{
	rev_decimal d = {n, 0};

	return d;
}

rev_decimal
rev_amount_decimal(rev_amount units, int scale)
{
	rev_decimal d = {units, scale};

	return d;
}

/*
 * Churn over the rows, pooled: the sum of the per-period numerators over
 * the sum of the denominators (customers or MRR at risk), so over several
 * periods it is the per-period rate weighted by what was at risk.
 *   logo:      churned customers / customers paying at a period start
 *   gross_mrr: (churned + contraction MRR) / MRR at the period starts
 *   net_mrr:   (churned + contraction - expansion - reactivation MRR) / the same
 */
rev_status
rev_totals_churn(const rev_totals *t, rev_basis basis, rev_ratio *r)
{
	rev_amount	lost;
	rev_amount	won;

	memset(r, 0, sizeof(*r));
	r->nnum = r->nden = 1;
	if (basis == REV_BASIS_UNSET || basis == REV_BASIS_LOGO)
	{
		if (t->pooled_start_customers == 0)
			return REV_UNDEFINED;
		r->num[0] = rev_count_decimal(t->churned_customers);
		r->den[0] = rev_count_decimal(t->pooled_start_customers);
		return REV_OK;
	}
	if (t->pooled_start_mrr == 0)
		return REV_UNDEFINED;
	if (__builtin_add_overflow(t->churned_mrr, t->contraction_mrr, &lost))
		return REV_ERR_OVERFLOW;
	if (basis == REV_BASIS_NET_MRR &&
		(__builtin_add_overflow(t->expansion_mrr, t->reactivation_mrr, &won) ||
		 __builtin_sub_overflow(lost, won, &lost)))
		return REV_ERR_OVERFLOW;
	r->num[0] = rev_amount_decimal(lost, t->scale);
	r->den[0] = rev_amount_decimal(t->pooled_start_mrr, t->scale);
	return REV_OK;
}

/*
 * LTV = ARPA x margin / logo churn, with ARPA = pooled end MRR / paying
 * customer-periods and churn = churned / customers at period starts, as the
 * one division  end MRR x start customers x margin / (paying x churned)
 * of exact operands, so nothing is rounded before the last step.  NULL when
 * nobody churned or nobody pays.
 */
rev_status
rev_totals_ltv(const rev_totals *t, rev_amount margin, rev_ratio *r)
{
	memset(r, 0, sizeof(*r));
	if (t->churned_customers == 0 || t->pooled_end_customers == 0)
		return REV_UNDEFINED;
	r->num[r->nnum++] = rev_amount_decimal(t->pooled_end_mrr, t->scale);
	r->num[r->nnum++] = rev_count_decimal(t->pooled_start_customers);
	if (margin != 0)
		r->num[r->nnum++] = rev_margin_decimal(margin);
	r->den[r->nden++] = rev_count_decimal(t->pooled_end_customers);
	r->den[r->nden++] = rev_count_decimal(t->churned_customers);
	return REV_OK;
}

/*
 * Wire form, version 1 (252 bytes, little-endian):
 *   version u8, flags u8, basis u8, scale u8, margin i128,
 *   first_period i64, last_period i64,
 *   9 amounts i128 (start, end, pooled start, pooled end, new, expansion,
 *   reactivation, contraction, churned MRR), 9 counts i64 (the same, in
 *   customers).
 */
void
rev_totals_encode(const rev_totals *t, uint8_t *p)
{
	p = b2b_put_u8(p, t->version);
	p = b2b_put_u8(p, t->flags);
	p = b2b_put_u8(p, t->basis);
	p = b2b_put_u8(p, t->scale);
	p = rev_put_amount(p, t->margin);
	p = b2b_put_i64(p, t->first_period);
	p = b2b_put_i64(p, t->last_period);
	for (int i = 0; i < REV_TOTALS_NAMOUNTS; i++)
		p = rev_put_amount(p, totals_amount_get(t, i));
	for (int i = 0; i < REV_TOTALS_NCOUNTS; i++)
		p = b2b_put_i64(p, totals_count_get(t, i));
}

rev_status
rev_totals_decode(const uint8_t *buf, size_t len, rev_totals *t)
{
	B2bReader	r = b2b_reader(buf, len);

	if (len >= 1 && buf[0] != REV_TOTALS_VERSION)
		return REV_ERR_BAD_VERSION;
	if (len != REV_TOTALS_ENCODED_SIZE)
		return REV_ERR_BAD_LENGTH;
	rev_totals_init(t);
	t->version = b2b_read_u8(&r);
	t->flags = b2b_read_u8(&r);
	t->basis = b2b_read_u8(&r);
	t->scale = b2b_read_u8(&r);
	t->margin = rev_read_amount(&r);
	t->first_period = b2b_read_i64(&r);
	t->last_period = b2b_read_i64(&r);
	for (int i = 0; i < REV_TOTALS_NAMOUNTS; i++)
		*totals_amount(t, i) = rev_read_amount(&r);
	for (int i = 0; i < REV_TOTALS_NCOUNTS; i++)
		*totals_count(t, i) = b2b_read_i64(&r);
	if (!b2b_reader_done(&r))
		return REV_ERR_BAD_LENGTH;
	return rev_totals_check(t) == REV_OK ? REV_OK : REV_ERR_CORRUPT;
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

/* The datum layout the glue relies on: 256 bytes, nothing hidden. */
typedef char rev_totals_is_256_bytes[sizeof(rev_totals) == 256 ? 1 : -1];
