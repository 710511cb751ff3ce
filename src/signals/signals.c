/*
 * signals.c
 *		The signals family's pure core (see signals.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "signals/signals.h"

/* ---- score_auc ---------------------------------------------------------------- */

int
sig_score_cmp(double a, double b)
{
	bool		an = isnan(a),
				bn = isnan(b);

	if (an || bn)
		return an && bn ? 0 : (an ? 1 : -1);
	return a < b ? -1 : (a > b ? 1 : 0);
}

static int
point_cmp(const void *x, const void *y)
{
	return sig_score_cmp(((const SigAucPoint *) x)->score, ((const SigAucPoint *) y)->score);
}

/* Merge runs of equal scores of a sorted array in place. */
static size_t
merge_equal(SigAucPoint *p, size_t n)
{
	size_t		out = 0;

	for (size_t i = 0; i < n; i++)
	{
		if (out > 0 && sig_score_cmp(p[out - 1].score, p[i].score) == 0)
		{
			p[out - 1].pos += p[i].pos;
			p[out - 1].neg += p[i].neg;
		}
		else
			p[out++] = p[i];
	}
	return out;
}

size_t
sig_auc_compact(SigAucPoint *p, size_t n, size_t sorted)
{
	/* Only the unsorted tail needs sorting; then everything is sorted again. */
	qsort(p + sorted, n - sorted, sizeof(SigAucPoint), point_cmp);
	if (sorted > 0 && sorted < n)
		qsort(p, n, sizeof(SigAucPoint), point_cmp);
	return merge_equal(p, n);
}

size_t
sig_auc_merge(const SigAucPoint *a, size_t na, const SigAucPoint *b, size_t nb, SigAucPoint *out)
{
	size_t		i = 0,
				j = 0,
				k = 0;

	while (i < na || j < nb)
	{
		int			c = i == na ? 1 : (j == nb ? -1 : sig_score_cmp(a[i].score, b[j].score));

		if (c < 0)
			out[k++] = a[i++];
		else if (c > 0)
			out[k++] = b[j++];
		else
		{
			out[k] = a[i++];
			out[k].pos += b[j].pos;
			out[k++].neg += b[j++].neg;
		}
	}
	return k;
}

bool
sig_auc_result(const SigAucPoint *p, size_t n, SigAucResult *r)
{
	uint64_t	neg_below = 0;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < n; i++)
	{
		/* a positive beats every negative below it and ties those at its score */
		r->twice_u += (unsigned __int128) p[i].pos * (2 * (unsigned __int128) neg_below + p[i].neg);
		neg_below += p[i].neg;
		r->positives += p[i].pos;
	}
	r->negatives = neg_below;
	return r->positives > 0 && r->negatives > 0;
}

double
sig_auc_value(const SigAucResult *r)
{
	unsigned __int128 pairs2 = 2 * (unsigned __int128) r->positives * r->negatives;

	return (double) r->twice_u / (double) pairs2;
}

size_t
sig_auc_encoded_size(size_t n)
{
	return 1 + 8 + 24 * n;
}

void
sig_auc_encode(const SigAucPoint *p, size_t n, uint8_t *out)
{
	out = b2b_put_u8(out, SIG_AUC_VERSION);
	out = b2b_put_u64(out, n);
	for (size_t i = 0; i < n; i++)
	{
		uint64_t	bits;

		memcpy(&bits, &p[i].score, 8);
		out = b2b_put_u64(out, bits);
		out = b2b_put_u64(out, p[i].pos);
		out = b2b_put_u64(out, p[i].neg);
	}
}

const char *
sig_auc_decode_count(const uint8_t *in, size_t len, size_t *n)
{
	B2bReader	r = b2b_reader(in, len);
	uint8_t		version = b2b_read_u8(&r);
	uint64_t	count = b2b_read_u64(&r);

	if (!b2b_reader_ok(&r))
		return "too short";
	if (version != SIG_AUC_VERSION)
		return "unknown version";
	if (count > (len - 9) / 24 || sig_auc_encoded_size(count) != len)
		return "length does not match the number of scores";
	*n = (size_t) count;
	return NULL;
}

const char *
sig_auc_decode(const uint8_t *in, size_t len, SigAucPoint *p)
{
	size_t		n;
	const char *why = sig_auc_decode_count(in, len, &n);
	const uint8_t *q = in + 9;
	uint64_t	pos = 0,
				neg = 0;

	if (why != NULL)
		return why;
	for (size_t i = 0; i < n; i++, q += 24)
	{
		uint64_t	bits = b2b_get_u64(q);

		memcpy(&p[i].score, &bits, 8);
		p[i].pos = b2b_get_u64(q + 8);
		p[i].neg = b2b_get_u64(q + 16);
		if (p[i].pos > SIG_MAX_COUNT || p[i].neg > SIG_MAX_COUNT)
			return "count out of range";
		if (p[i].pos == 0 && p[i].neg == 0)
			return "score without rows";
		if (i > 0 && sig_score_cmp(p[i - 1].score, p[i].score) >= 0)
			return "scores not strictly increasing";
		pos += p[i].pos;
		neg += p[i].neg;
		if (pos > SIG_MAX_COUNT || neg > SIG_MAX_COUNT)
			return "total count out of range";
	}
	return NULL;
}

/* ---- counters per name -------------------------------------------------------- */

uint32_t
sig_kind_cols(uint8_t kind)
{
	return kind == SIG_KIND_LIFT ? 2 : (kind == SIG_KIND_CHURN ? 4 : 0);
}

bool
sig_params_valid(uint8_t kind, const int64_t params[3])
{
	if (kind == SIG_KIND_LIFT)
		return params[0] >= 1 && params[1] == 0 && params[2] == 0;
	return params[0] > 0 && params[1] > 0 && params[2] >= 0 && params[2] <= SIG_MAX_NAMES;
}

SigStatus
sig_counts_init(SigCounts *c, EngMemory *memory, uint8_t kind)
{
	memset(c, 0, sizeof(*c));
	c->memory = memory;
	c->kind = kind;
	c->ncols = sig_kind_cols(kind);
	return eng_table_init(&c->names, memory) == ENG_OK ? SIG_OK : SIG_ERR_MEMORY;
}

void
sig_counts_free(SigCounts *c)
{
	if (c->counts)
		eng_free(c->memory, c->counts, sizeof(uint64_t) * c->ncols * c->capacity);
	if (c->last_row)
		eng_free(c->memory, c->last_row, sizeof(uint64_t) * c->capacity);
	eng_table_free(&c->names);
	c->counts = c->last_row = NULL;
	c->capacity = 0;
}

static SigStatus
grow(SigCounts *c, uint32_t need)
{
	uint32_t	cap = c->capacity ? c->capacity : 16;
	uint64_t   *counts,
			   *last;

	while (cap < need)
		cap *= 2;
	counts = eng_alloc(c->memory, sizeof(uint64_t) * c->ncols * cap);
	last = counts ? eng_alloc(c->memory, sizeof(uint64_t) * cap) : NULL;
	if (last == NULL)
	{
		if (counts)
			eng_free(c->memory, counts, sizeof(uint64_t) * c->ncols * cap);
		return SIG_ERR_MEMORY;
	}
	memset(counts, 0, sizeof(uint64_t) * c->ncols * cap);
	memset(last, 0, sizeof(uint64_t) * cap);
	if (c->capacity)
	{
		memcpy(counts, c->counts, sizeof(uint64_t) * c->ncols * c->capacity);
		memcpy(last, c->last_row, sizeof(uint64_t) * c->capacity);
		eng_free(c->memory, c->counts, sizeof(uint64_t) * c->ncols * c->capacity);
		eng_free(c->memory, c->last_row, sizeof(uint64_t) * c->capacity);
	}
	c->counts = counts;
	c->last_row = last;
	c->capacity = cap;
	return SIG_OK;
}

SigStatus
sig_counts_row(SigCounts *c, const uint8_t *name, uint32_t len, uint64_t **row, uint32_t *id)
{
	uint32_t	i;
	bool		added;
	EngStatus	st;

	if (c->names.count >= SIG_MAX_NAMES)
	{
		/* only a new name is refused: look it up without adding first */
		st = eng_table_lookup(&c->names, eng_key_hash(name, len), name, len, &i, &added);
		if (st != ENG_OK)
			return SIG_ERR_MEMORY;
		if (added)
			return SIG_ERR_TOO_MANY;
	}
	else
	{
		st = eng_table_lookup(&c->names, eng_key_hash(name, len), name, len, &i, &added);
		if (st != ENG_OK)
			return st == ENG_ERR_MEMORY ? SIG_ERR_MEMORY : SIG_ERR_TOO_MANY;
	}
	if (i >= c->capacity && grow(c, i + 1) != SIG_OK)
		return SIG_ERR_MEMORY;
	*row = c->counts + (size_t) i * c->ncols;
	*id = i;
	return SIG_OK;
}

static SigStatus
add_count(uint64_t *to, uint64_t v)
{
	if (v > SIG_MAX_COUNT || *to > SIG_MAX_COUNT - v)
		return SIG_ERR_TOO_MANY;
	*to += v;
	return SIG_OK;
}

SigStatus
sig_counts_merge(SigCounts *a, const SigCounts *b)
{
	for (uint32_t k = 0; k < a->ncols; k++)
		if (add_count(&a->totals[k], b->totals[k]) != SIG_OK)
			return SIG_ERR_TOO_MANY;
	for (uint32_t i = 0; i < b->names.count; i++)
	{
		const EngEntity *e = eng_table_entity(&b->names, i);
		uint64_t   *row;
		uint32_t	id;
		SigStatus	st = sig_counts_row(a, eng_entity_key(e), e->key_len, &row, &id);

		if (st != SIG_OK)
			return st;
		for (uint32_t k = 0; k < a->ncols; k++)
			if (add_count(&row[k], b->counts[(size_t) i * b->ncols + k]) != SIG_OK)
				return SIG_ERR_TOO_MANY;
	}
	return SIG_OK;
}

SigStatus
sig_lift_add_user(SigCounts *c, const uint8_t *const *names, const uint32_t *lens, int n, bool converted)
{
	c->rows++;
	if (add_count(&c->totals[0], 1) != SIG_OK || add_count(&c->totals[1], converted) != SIG_OK)
		return SIG_ERR_TOO_MANY;
	for (int i = 0; i < n; i++)
	{
		uint64_t   *row;
		uint32_t	id;
		SigStatus	st = sig_counts_row(c, names[i], lens[i], &row, &id);

		if (st != SIG_OK)
			return st;
		if (c->last_row[id] == c->rows)
			continue;			/* the same action twice in one user's list */
		c->last_row[id] = c->rows;
		row[0]++;
		row[1] += converted;
	}
	return SIG_OK;
}

size_t
sig_counts_encoded_size(const SigCounts *c)
{
	return 2 + 24 + 8 * c->ncols + eng_table_encoded_size(&c->names) + 8 * (size_t) c->ncols * c->names.count;
}

void
sig_counts_encode(const SigCounts *c, uint8_t *out)
{
	out = b2b_put_u8(out, SIG_COUNTS_VERSION);
	out = b2b_put_u8(out, c->kind);
	for (int k = 0; k < 3; k++)
		out = b2b_put_i64(out, c->params[k]);
	for (uint32_t k = 0; k < c->ncols; k++)
		out = b2b_put_u64(out, c->totals[k]);
	out = eng_table_encode(&c->names, out);
	for (size_t i = 0; i < (size_t) c->names.count * c->ncols; i++)
		out = b2b_put_u64(out, c->counts[i]);
}

/* What the counters of one kind must satisfy, whoever sent them. */
static const char *
check_row(uint8_t kind, const uint64_t *totals, const uint64_t *row)
{
	for (uint32_t k = 0; k < sig_kind_cols(kind); k++)
		if (row[k] > SIG_MAX_COUNT)
			return "count out of range";
	if (kind == SIG_KIND_LIFT &&
		(row[0] > totals[0] || row[1] > row[0] || row[1] > totals[1] || row[0] - row[1] > totals[0] - totals[1]))
		return "action counts exceed the totals";
	if (kind == SIG_KIND_CHURN)
		for (uint32_t k = 0; k < 4; k++)
			if (row[k] > totals[k])
				return "signal counts exceed the totals";
	return NULL;
}

const char *
sig_counts_decode(SigCounts *c, const uint8_t *in, size_t len)
{
	B2bReader	r = b2b_reader(in, len);
	uint8_t		version = b2b_read_u8(&r);
	uint8_t		kind = b2b_read_u8(&r);
	uint32_t	count;
	size_t		used;
	uint32_t   *map;
	const char *why = NULL;

	if (!b2b_reader_ok(&r))
		return "too short";
	if (version != SIG_COUNTS_VERSION)
		return "unknown version";
	if (kind != c->kind)
		return "state of another aggregate";
	for (int k = 0; k < 3; k++)
		c->params[k] = b2b_read_i64(&r);
	for (uint32_t k = 0; k < c->ncols; k++)
		c->totals[k] = b2b_read_u64(&r);
	if (!b2b_reader_ok(&r))
		return "too short";
	if (!sig_params_valid(kind, c->params))
		return "parameters out of range";
	if (c->totals[0] > SIG_MAX_COUNT || c->totals[1] > SIG_MAX_COUNT ||
		(kind == SIG_KIND_LIFT && c->totals[1] > c->totals[0]) ||
		(kind == SIG_KIND_CHURN && (c->totals[2] > SIG_MAX_COUNT || c->totals[3] > SIG_MAX_COUNT)))
		return "totals out of range";
	if (eng_table_encoded_count(r.p, r.left, &count) != ENG_OK)
		return "bad names";
	if (count > SIG_MAX_NAMES)
		return "too many names";
	map = eng_alloc(c->memory, sizeof(uint32_t) * (count ? count : 1));
	if (map == NULL)
		return "out of memory";
	if (eng_table_decode(&c->names, r.p, r.left, &used, map) != ENG_OK)
		why = "bad names";
	for (uint32_t i = 0; why == NULL && i < count; i++)
		if (map[i] != i)
			why = "names not distinct";
	eng_free(c->memory, map, sizeof(uint32_t) * (count ? count : 1));
	if (why)
		return why;
	b2b_read_span(&r, used);
	if (r.left != (size_t) count * c->ncols * 8)
		return "length does not match the number of names";
	if (count > 0 && grow(c, count) != SIG_OK)
		return "out of memory";
	for (size_t i = 0; i < (size_t) count * c->ncols; i++)
		c->counts[i] = b2b_read_u64(&r);
	for (uint32_t i = 0; i < count; i++)
		if ((why = check_row(kind, c->totals, c->counts + (size_t) i * c->ncols)) != NULL)
			return why;
	return NULL;
}

/* ---- statistics ------------------------------------------------------------------ */

bool
sig_two_proportion(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double *z, double *p_value)
{
	double		p1,
				p2,
				p,
				se;

	if (n1 == 0 || n2 == 0)
		return false;
	p1 = (double) x1 / (double) n1;
	p2 = (double) x2 / (double) n2;
	p = (double) (x1 + x2) / (double) (n1 + n2);
	se = sqrt(p * (1 - p) * (1.0 / (double) n1 + 1.0 / (double) n2));
	if (!(se > 0))
		return false;
	*z = (p1 - p2) / se;
	*p_value = erfc(fabs(*z) / sqrt(2.0));
	return true;
}

void
sig_lift_row(uint64_t users_did, uint64_t converted_did, uint64_t users, uint64_t converted, SigLiftRow *out)
{
	uint64_t	a = converted_did,
				n1 = users_did,
				c = converted - converted_did,
				n0 = users - users_did;
	double		z;

	memset(out, 0, sizeof(*out));
	out->users_did = n1;
	out->converted_did = a;
	out->users_not = n0;
	out->converted_not = c;
	out->has_rate_did = n1 > 0;
	out->has_rate_not = n0 > 0;
	if (n1 > 0)
		out->rate_did = (double) a / (double) n1;
	if (n0 > 0)
		out->rate_not = (double) c / (double) n0;
	out->has_lift = n1 > 0 && n0 > 0 && c > 0;
	if (out->has_lift)
		out->lift = out->rate_did / out->rate_not;
	/* Katz's log interval of a risk ratio; undefined with a zero count */
	out->has_interval = out->has_lift && a > 0;
	if (out->has_interval)
	{
		double		se = sqrt(1.0 / (double) a - 1.0 / (double) n1 + 1.0 / (double) c - 1.0 / (double) n0);

		out->lift_low = exp(log(out->lift) - SIG_Z95 * se);
		out->lift_high = exp(log(out->lift) + SIG_Z95 * se);
	}
	out->has_p = sig_two_proportion(a, n1, c, n0, &z, &out->p_value);
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

void
sig_churn_row(const uint64_t counts[4], int64_t recent_len, int64_t baseline_len, SigChurnRow *out)
{
	memset(out, 0, sizeof(*out));
	out->churned_recent = counts[0];
	out->churned_baseline = counts[1];
	out->retained_recent = counts[2];
	out->retained_baseline = counts[3];
	/*
	 * rate ratio = (r / recent) / (b / baseline) = r * baseline / (b * recent),
	 * with the lengths in lowest terms (30 and 90 days: 1 and 3), so each side
	 * is an exact integer before the one division
	 */
	{
		int64_t		g = gcd64(recent_len, baseline_len);
		unsigned __int128 rb = baseline_len / g,
					rr = recent_len / g;

		out->has_churned_ratio = counts[1] > 0;
		if (out->has_churned_ratio)
			out->churned_ratio = (double) (counts[0] * rb) / (double) (counts[1] * rr);
		out->has_retained_ratio = counts[3] > 0;
		if (out->has_retained_ratio)
			out->retained_ratio = (double) (counts[2] * rb) / (double) (counts[3] * rr);
	}
	out->has_difference = out->has_churned_ratio && out->has_retained_ratio;
	if (out->has_difference)
		out->difference = out->churned_ratio - out->retained_ratio;
	out->has_test = sig_two_proportion(counts[0], counts[0] + counts[1], counts[2], counts[2] + counts[3],
									   &out->z, &out->p_value);
}

int
sig_lift_order(const SigLiftRow *a, const SigLiftRow *b)
{
	if (a->has_lift != b->has_lift)
		return a->has_lift ? -1 : 1;
	if (a->has_lift && a->lift != b->lift)
		return a->lift > b->lift ? -1 : 1;
	if (a->users_did != b->users_did)
		return a->users_did > b->users_did ? -1 : 1;
	return 0;
}

int
sig_churn_order(const SigChurnRow *a, const SigChurnRow *b)
{
	if (a->has_test != b->has_test)
		return a->has_test ? -1 : 1;
	if (!a->has_test)
		return 0;
	if (a->p_value != b->p_value)
		return a->p_value < b->p_value ? -1 : 1;
	if (fabs(a->z) != fabs(b->z))
		return fabs(a->z) > fabs(b->z) ? -1 : 1;
	return 0;
}
