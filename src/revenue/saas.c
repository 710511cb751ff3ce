/*
 * saas.c
 *		The SaaS metrics of the revenue family (see saas.h): ratios of an
 *		mrr_totals value and the renewal sweep.
 */
#include "revenue/saas.h"

#include <stdlib.h>
#include <string.h>

static void
ratio_init(rev_ratio *r)
{
	memset(r, 0, sizeof(*r));
}

rev_status
rev_totals_quick_ratio(const rev_totals *t, rev_ratio *r)
{
	rev_amount	won;
	rev_amount	lost;

	ratio_init(r);
	if (__builtin_add_overflow(t->new_mrr, t->expansion_mrr, &won) ||
		__builtin_add_overflow(won, t->reactivation_mrr, &won) ||
		__builtin_add_overflow(t->contraction_mrr, t->churned_mrr, &lost))
		return REV_ERR_OVERFLOW;
	if (lost == 0)
		return REV_UNDEFINED;
	r->num[r->nnum++] = rev_amount_decimal(won, t->scale);
	r->den[r->nden++] = rev_amount_decimal(lost, t->scale);
	return REV_OK;
}

rev_status
rev_totals_arr(const rev_totals *t, rev_amount *arr)
{
	if (__builtin_mul_overflow(t->end_mrr, (rev_amount) 12, arr))
		return REV_ERR_OVERFLOW;
	return REV_OK;
}

rev_status
rev_totals_arpa(const rev_totals *t, rev_ratio *r)
{
	ratio_init(r);
	if (t->end_customers == 0)
		return REV_UNDEFINED;
	r->num[r->nnum++] = rev_amount_decimal(t->end_mrr, t->scale);
	r->den[r->nden++] = rev_count_decimal(t->end_customers);
	return REV_OK;
}

/* start - contraction - churned (+ expansion (+ reactivation)): what the starters pay at the end. */
static rev_status
retained(const rev_totals *t, bool net, bool with_reactivation, rev_ratio *r)
{
	rev_amount	kept;

	ratio_init(r);
	if (t->pooled_start_mrr == 0)
		return REV_UNDEFINED;
	if (__builtin_sub_overflow(t->pooled_start_mrr, t->contraction_mrr, &kept) ||
		__builtin_sub_overflow(kept, t->churned_mrr, &kept) ||
		(net && __builtin_add_overflow(kept, t->expansion_mrr, &kept)) ||
		(with_reactivation && __builtin_add_overflow(kept, t->reactivation_mrr, &kept)))
		return REV_ERR_OVERFLOW;
	r->num[r->nnum++] = rev_amount_decimal(kept, t->scale);
	r->den[r->nden++] = rev_amount_decimal(t->pooled_start_mrr, t->scale);
	return REV_OK;
}

rev_status
rev_totals_nrr(const rev_totals *t, bool with_reactivation, rev_ratio *r)
{
	return retained(t, true, with_reactivation, r);
}

rev_status
rev_totals_grr(const rev_totals *t, rev_ratio *r)
{
	return retained(t, false, false, r);
}

rev_status
rev_totals_cac(const rev_totals *t, rev_decimal spend, rev_ratio *r)
{
	ratio_init(r);
	if (spend.units < 0)
		return REV_ERR_NEGATIVE;
	if (t->new_customers == 0)
		return REV_UNDEFINED;
	r->num[r->nnum++] = spend;
	r->den[r->nden++] = rev_count_decimal(t->new_customers);
	return REV_OK;
}

rev_status
rev_totals_cac_payback(const rev_totals *t, rev_decimal spend, rev_amount margin, rev_ratio *r)
{
	ratio_init(r);
	if (spend.units < 0)
		return REV_ERR_NEGATIVE;
	if (t->new_customers == 0)
		return REV_UNDEFINED;
	r->num[r->nnum++] = spend;
	r->den[r->nden++] = rev_amount_decimal(t->new_mrr, t->scale);
	if (margin != 0)
		r->den[r->nden++] = rev_margin_decimal(margin);
	return REV_OK;
}

rev_status
rev_totals_ltv_cac(const rev_totals *t, rev_decimal spend, rev_amount margin, rev_ratio *r)
{
	rev_status	st;

	if (spend.units < 0)
		return REV_ERR_NEGATIVE;
	st = rev_totals_ltv(t, margin, r);
	if (st != REV_OK)
		return st;
	if (t->new_customers == 0 || spend.units == 0)
	{
		ratio_init(r);
		return REV_UNDEFINED;
	}
	/* LTV = num / den; LTV:CAC = LTV x new customers / spend. */
	r->num[r->nnum++] = rev_count_decimal(t->new_customers);
	r->den[r->nden++] = spend;
	return REV_OK;
}

/* ---- revenue cohorts ------------------------------------------------------ */

bool
rev_cohort_member(rev_kind first_row_kind)
{
	return first_row_kind == REV_KIND_NEW;
}

int64_t
rev_month_offset(int cohort_year, int cohort_month, int year, int month)
{
	return ((int64_t) year - cohort_year) * 12 + (month - cohort_month);
}

/* ---- renewals ------------------------------------------------------------ */

rev_status
rev_term_sub_check(const rev_term_sub *s)
{
	if (s->ended_at < s->started_at)
		return REV_ERR_ENDS_BEFORE_START;
	if (s->mrr < 0)
		return REV_ERR_NEGATIVE;
	if (s->period_months < 0 || s->period_days < 0 || s->period_usec < 0 ||
		(s->period_months == 0 && s->period_days == 0 && s->period_usec == 0))
		return REV_ERR_GRAIN_NOT_POSITIVE;
	return REV_OK;
}

static rev_status
term_history_rescale(rev_term_history *h, int scale)
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

rev_status
rev_term_history_add(rev_term_history *h, const rev_term_sub *s, int scale)
{
	rev_term_sub *d;
	rev_amount	mrr;

	if (h->nsubs >= h->capacity)
		return REV_ERR_NO_ROOM;
	if (term_history_rescale(h, scale) != REV_OK ||
		rev_amount_rescale(s->mrr, scale, h->scale, &mrr) != REV_OK)
		return REV_ERR_OVERFLOW;
	d = &h->subs[h->nsubs++];
	*d = *s;
	d->mrr = mrr;
	return REV_OK;
}

bool
rev_term_window_equal(const rev_term_history *a, const rev_term_history *b)
{
	return a->period_from == b->period_from && a->period_to == b->period_to &&
		a->grace_usec == b->grace_usec && a->grace_days == b->grace_days &&
		a->grace_months == b->grace_months;
}

rev_status
rev_term_history_merge(rev_term_history *into, const rev_term_history *from)
{
	int			scale = into->scale > from->scale ? into->scale : from->scale;
	rev_amount	scratch;

	if (!from->has_window)
		return REV_OK;
	if (into->has_window && !rev_term_window_equal(into, from))
		return REV_ERR_OPTION_CHANGED;
	if ((uint64_t) into->nsubs + from->nsubs > into->capacity)
		return REV_ERR_NO_ROOM;
	for (uint32_t i = 0; i < from->nsubs; i++)
		if (rev_amount_rescale(from->subs[i].mrr, from->scale, scale, &scratch) != REV_OK)
			return REV_ERR_OVERFLOW;
	if (term_history_rescale(into, scale) != REV_OK)
		return REV_ERR_OVERFLOW;
	if (!into->has_window)
	{
		into->has_window = true;
		into->period_from = from->period_from;
		into->period_to = from->period_to;
		into->grace_usec = from->grace_usec;
		into->grace_days = from->grace_days;
		into->grace_months = from->grace_months;
	}
	for (uint32_t i = 0; i < from->nsubs; i++)
	{
		rev_term_sub *d = &into->subs[into->nsubs++];

		*d = from->subs[i];
		(void) rev_amount_rescale(from->subs[i].mrr, from->scale, scale, &d->mrr);
	}
	return REV_OK;
}

static int
due_cmp(const void *a, const void *b)
{
	const rev_due *x = a;
	const rev_due *y = b;

	if (x->due_at != y->due_at)
		return x->due_at < y->due_at ? -1 : 1;
	return (x->sub > y->sub) - (x->sub < y->sub);
}

/* Ties between due subscriptions go by content, not by row order (parallel plans merge in any order). */
static bool
longer_period(const rev_term_sub *a, const rev_term_sub *b)
{
	if (a->period_months != b->period_months)
		return a->period_months > b->period_months;
	if (a->period_days != b->period_days)
		return a->period_days > b->period_days;
	return a->period_usec > b->period_usec;
}

static bool
active_at(const rev_term_sub *s, int64_t t)
{
	return s->started_at <= t && t < s->ended_at;
}

/*
 * What the customer pays at instant x (>= due_at) on the successors of the
 * terms due at dues[lo..hi): the due subscriptions that run on, and every
 * subscription started at or after due_at.  Other subscriptions running
 * across due_at (an add-on on its own cycle) are not this renewal's.
 */
static rev_status
successor_mrr(const rev_term_history *h, const rev_due *dues, uint32_t lo, uint32_t hi,
			  int64_t x, rev_amount *sum)
{
	int64_t		due_at = dues[lo].due_at;

	*sum = 0;
	for (uint32_t i = 0; i < h->nsubs; i++)
	{
		const rev_term_sub *s = &h->subs[i];
		bool		successor = s->started_at >= due_at;

		for (uint32_t j = lo; !successor && j < hi; j++)
			successor = dues[j].sub == i && dues[j].continues;
		if (successor && active_at(s, x) && __builtin_add_overflow(*sum, s->mrr, sum))
			return REV_ERR_OVERFLOW;
	}
	return REV_OK;
}

rev_status
rev_renewals(const rev_term_history *h, rev_due *dues, uint32_t ndues,
			 rev_renewal *out, uint32_t *nout)
{
	uint32_t	n = 0;

	qsort(dues, ndues, sizeof(rev_due), due_cmp);
	for (uint32_t lo = 0, hi; lo < ndues; lo = hi)
	{
		rev_renewal *r = &out[n++];
		int64_t		due_at = dues[lo].due_at;
		int64_t		grace_end = dues[lo].grace_end;
		rev_amount	biggest = -1;
		rev_amount	paid;

		memset(r, 0, sizeof(*r));
		r->due_at = due_at;
		r->renewed_at = REV_NEVER;
		for (hi = lo; hi < ndues && dues[hi].due_at == due_at; hi++)
		{
			const rev_term_sub *s = &h->subs[dues[hi].sub];

			if (__builtin_add_overflow(r->due_mrr, s->mrr, &r->due_mrr))
				return REV_ERR_OVERFLOW;
			if (s->mrr > biggest || (s->mrr == biggest && longer_period(s, &h->subs[r->sub])))
			{
				biggest = s->mrr;
				r->sub = dues[hi].sub;
			}
		}

		/*
		 * What successors pay changes only where one starts or ends, and it
		 * can only become positive where one starts: try due_at, then every
		 * start inside the grace period, earliest first.
		 */
		if (successor_mrr(h, dues, lo, hi, due_at, &paid) != REV_OK)
			return REV_ERR_OVERFLOW;
		if (paid > 0)
		{
			r->renewed_at = due_at;
			r->renewed_mrr = paid;
			continue;
		}
		for (;;)
		{
			int64_t		next = REV_NEVER;

			for (uint32_t i = 0; i < h->nsubs; i++)
			{
				int64_t		start = h->subs[i].started_at;

				if (start > due_at && start <= grace_end && start < next &&
					(r->renewed_at == REV_NEVER || start > r->renewed_at))
					next = start;
			}
			if (next == REV_NEVER)
			{
				r->renewed_at = REV_NEVER;
				r->renewed_mrr = 0;
				break;
			}
			r->renewed_at = next;
			if (successor_mrr(h, dues, lo, hi, next, &paid) != REV_OK)
				return REV_ERR_OVERFLOW;
			if (paid > 0)
			{
				r->renewed_mrr = paid;
				break;
			}
		}
	}
	*nout = n;
	return REV_OK;
}

/* Wire form: version, flags, window (3 x i64 + 2 x i32), scale, count, then subscriptions. */
#define TERM_HISTORY_HEADER (1 + 1 + 8 + 8 + 8 + 4 + 4 + 1 + 4)
#define TERM_HISTORY_ENTRY	(8 + 8 + 8 + 4 + 4 + 16)

size_t
rev_term_history_encoded_size(const rev_term_history *h)
{
	return TERM_HISTORY_HEADER + (size_t) h->nsubs * TERM_HISTORY_ENTRY;
}

void
rev_term_history_encode(const rev_term_history *h, uint8_t *p)
{
	p = b2b_put_u8(p, REV_TERM_HISTORY_VERSION);
	p = b2b_put_u8(p, h->has_window ? 1 : 0);
	p = b2b_put_i64(p, h->period_from);
	p = b2b_put_i64(p, h->period_to);
	p = b2b_put_i64(p, h->grace_usec);
	p = b2b_put_u32(p, (uint32_t) h->grace_days);
	p = b2b_put_u32(p, (uint32_t) h->grace_months);
	p = b2b_put_u8(p, (uint8_t) h->scale);
	p = b2b_put_u32(p, h->nsubs);
	for (uint32_t i = 0; i < h->nsubs; i++)
	{
		const rev_term_sub *s = &h->subs[i];

		p = b2b_put_i64(p, s->started_at);
		p = b2b_put_i64(p, s->ended_at);
		p = b2b_put_i64(p, s->period_usec);
		p = b2b_put_u32(p, (uint32_t) s->period_days);
		p = b2b_put_u32(p, (uint32_t) s->period_months);
		p = rev_put_amount(p, s->mrr);
	}
}

rev_status
rev_term_history_decode_count(const uint8_t *buf, size_t len, uint32_t *nsubs)
{
	uint32_t	n;

	if (len < TERM_HISTORY_HEADER)
		return REV_ERR_BAD_LENGTH;
	if (buf[0] != REV_TERM_HISTORY_VERSION)
		return REV_ERR_BAD_VERSION;
	n = b2b_get_u32(buf + TERM_HISTORY_HEADER - 4);
	if ((len - TERM_HISTORY_HEADER) % TERM_HISTORY_ENTRY != 0 ||
		(len - TERM_HISTORY_HEADER) / TERM_HISTORY_ENTRY != n)
		return REV_ERR_BAD_LENGTH;
	*nsubs = n;
	return REV_OK;
}

rev_status
rev_term_history_decode(const uint8_t *buf, size_t len, rev_term_history *h)
{
	B2bReader	r = b2b_reader(buf, len);
	uint32_t	n;
	uint8_t		flags;
	rev_status	st = rev_term_history_decode_count(buf, len, &n);

	if (st != REV_OK)
		return st;
	if (n > h->capacity)
		return REV_ERR_NO_ROOM;
	(void) b2b_read_u8(&r);
	flags = b2b_read_u8(&r);
	h->period_from = b2b_read_i64(&r);
	h->period_to = b2b_read_i64(&r);
	h->grace_usec = b2b_read_i64(&r);
	h->grace_days = (int32_t) b2b_read_u32(&r);
	h->grace_months = (int32_t) b2b_read_u32(&r);
	h->scale = b2b_read_u8(&r);
	(void) b2b_read_u32(&r);
	if (flags > 1 || h->scale > REV_MAX_SCALE)
		return REV_ERR_CORRUPT;
	h->has_window = flags == 1;
	if (!h->has_window && n != 0)
		return REV_ERR_CORRUPT;
	if (h->has_window && (h->period_to <= h->period_from || h->grace_usec < 0 ||
						  h->grace_days < 0 || h->grace_months < 0))
		return REV_ERR_CORRUPT;
	h->nsubs = 0;
	for (uint32_t i = 0; i < n; i++)
	{
		rev_term_sub *s = &h->subs[i];

		s->started_at = b2b_read_i64(&r);
		s->ended_at = b2b_read_i64(&r);
		s->period_usec = b2b_read_i64(&r);
		s->period_days = (int32_t) b2b_read_u32(&r);
		s->period_months = (int32_t) b2b_read_u32(&r);
		s->mrr = rev_read_amount(&r);
		if (rev_term_sub_check(s) != REV_OK)
			return REV_ERR_CORRUPT;
	}
	if (!b2b_reader_done(&r))
		return REV_ERR_BAD_LENGTH;
	h->nsubs = n;
	return REV_OK;
}

/* ---- renewal_totals ------------------------------------------------------- */

void
rev_renewal_totals_init(rev_renewal_totals *t)
{
	uint32_t	header = t->varlena_header;

	memset(t, 0, sizeof(*t));
	t->varlena_header = header;
	t->version = REV_RENEWAL_TOTALS_VERSION;
}

static rev_status
renewal_totals_rescale(rev_renewal_totals *t, int scale)
{
	rev_amount	a, b, c;

	if (scale <= t->scale)
		return REV_OK;
	if (rev_amount_rescale(t->due_mrr, t->scale, scale, &a) != REV_OK ||
		rev_amount_rescale(t->renewed_mrr_capped, t->scale, scale, &b) != REV_OK ||
		rev_amount_rescale(t->renewed_mrr, t->scale, scale, &c) != REV_OK)
		return REV_ERR_OVERFLOW;
	t->due_mrr = a;
	t->renewed_mrr_capped = b;
	t->renewed_mrr = c;
	t->scale = (uint8_t) scale;
	return REV_OK;
}

rev_status
rev_renewal_totals_add(rev_renewal_totals *t, rev_amount due_mrr, bool renewed,
					   rev_amount renewed_mrr, int scale)
{
	rev_renewal_totals n = *t;

	if (due_mrr <= 0 || renewed_mrr < 0 || (renewed_mrr > 0) != renewed)
		return REV_ERR_INCONSISTENT_ROW;
	if (scale < n.scale)
	{
		if (rev_amount_rescale(due_mrr, scale, n.scale, &due_mrr) != REV_OK ||
			rev_amount_rescale(renewed_mrr, scale, n.scale, &renewed_mrr) != REV_OK)
			return REV_ERR_OVERFLOW;
	}
	else if (renewal_totals_rescale(&n, scale) != REV_OK)
		return REV_ERR_OVERFLOW;
	if (__builtin_add_overflow(n.due_mrr, due_mrr, &n.due_mrr) ||
		__builtin_add_overflow(n.renewed_mrr, renewed_mrr, &n.renewed_mrr) ||
		__builtin_add_overflow(n.renewed_mrr_capped, renewed_mrr < due_mrr ? renewed_mrr : due_mrr,
							   &n.renewed_mrr_capped) ||
		__builtin_add_overflow(n.dues, 1, &n.dues) ||
		__builtin_add_overflow(n.renewed, renewed ? 1 : 0, &n.renewed))
		return REV_ERR_OVERFLOW;
	*t = n;
	return REV_OK;
}

rev_status
rev_renewal_totals_merge(rev_renewal_totals *into, const rev_renewal_totals *from)
{
	rev_renewal_totals n = *into;
	rev_renewal_totals f = *from;

	if (renewal_totals_rescale(&n, f.scale) != REV_OK || renewal_totals_rescale(&f, n.scale) != REV_OK)
		return REV_ERR_OVERFLOW;
	if (__builtin_add_overflow(n.due_mrr, f.due_mrr, &n.due_mrr) ||
		__builtin_add_overflow(n.renewed_mrr, f.renewed_mrr, &n.renewed_mrr) ||
		__builtin_add_overflow(n.renewed_mrr_capped, f.renewed_mrr_capped, &n.renewed_mrr_capped) ||
		__builtin_add_overflow(n.dues, f.dues, &n.dues) ||
		__builtin_add_overflow(n.renewed, f.renewed, &n.renewed))
		return REV_ERR_OVERFLOW;
	*into = n;
	return REV_OK;
}

/* Every identity a value built from rows keeps. */
rev_status
rev_renewal_totals_check(const rev_renewal_totals *t)
{
	if (t->version != REV_RENEWAL_TOTALS_VERSION || t->scale > REV_MAX_SCALE ||
		t->pad[0] != 0 || t->pad[1] != 0 ||
		t->dues < 0 || t->renewed < 0 || t->renewed > t->dues ||
		t->due_mrr < 0 || t->renewed_mrr_capped < 0 || t->renewed_mrr < 0 ||
		t->renewed_mrr_capped > t->due_mrr || t->renewed_mrr_capped > t->renewed_mrr ||
		(t->dues == 0) != (t->due_mrr == 0) ||
		(t->renewed == 0) != (t->renewed_mrr == 0) ||
		(t->renewed == 0) != (t->renewed_mrr_capped == 0) ||
		(t->dues == 0 && t->scale != 0))
		return REV_ERR_CORRUPT;
	return REV_OK;
}

rev_status
rev_renewal_rate(const rev_renewal_totals *t, int which, rev_ratio *r)
{
	ratio_init(r);
	if (t->dues == 0)
		return REV_UNDEFINED;
	r->nnum = r->nden = 1;
	switch (which)
	{
		case 0:
			r->num[0] = rev_count_decimal(t->renewed);
			r->den[0] = rev_count_decimal(t->dues);
			break;
		case 1:
			r->num[0] = rev_amount_decimal(t->renewed_mrr_capped, t->scale);
			r->den[0] = rev_amount_decimal(t->due_mrr, t->scale);
			break;
		default:
			r->num[0] = rev_amount_decimal(t->renewed_mrr, t->scale);
			r->den[0] = rev_amount_decimal(t->due_mrr, t->scale);
	}
	return REV_OK;
}

void
rev_renewal_totals_encode(const rev_renewal_totals *t, uint8_t *p)
{
	p = b2b_put_u8(p, t->version);
	p = b2b_put_u8(p, t->scale);
	p = b2b_put_i64(p, t->dues);
	p = b2b_put_i64(p, t->renewed);
	p = rev_put_amount(p, t->due_mrr);
	p = rev_put_amount(p, t->renewed_mrr_capped);
	(void) rev_put_amount(p, t->renewed_mrr);
}

rev_status
rev_renewal_totals_decode(const uint8_t *buf, size_t len, rev_renewal_totals *t)
{
	B2bReader	r = b2b_reader(buf, len);

	if (len >= 1 && buf[0] != REV_RENEWAL_TOTALS_VERSION)
		return REV_ERR_BAD_VERSION;
	if (len != REV_RENEWAL_TOTALS_ENCODED_SIZE)
		return REV_ERR_BAD_LENGTH;
	memset(t, 0, sizeof(*t));
	t->version = b2b_read_u8(&r);
	t->scale = b2b_read_u8(&r);
	t->dues = b2b_read_i64(&r);
	t->renewed = b2b_read_i64(&r);
	t->due_mrr = rev_read_amount(&r);
	t->renewed_mrr_capped = rev_read_amount(&r);
	t->renewed_mrr = rev_read_amount(&r);
	if (!b2b_reader_done(&r))
		return REV_ERR_BAD_LENGTH;
	return rev_renewal_totals_check(t) == REV_OK ? REV_OK : REV_ERR_CORRUPT;
}
