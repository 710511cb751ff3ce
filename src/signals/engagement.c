/*
 * engagement.c
 *		account_engagement's core: exact distinct users, features and active
 *		days of an account in two windows (see signals.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "signals/signals.h"

#define REC_HEADER 5			/* u8 window, u32 key length */

/* ---- sets of tagged keys ---------------------------------------------------------- */

static size_t
rec_size(const uint8_t *rec)
{
	return REC_HEADER + b2b_get_u32(rec + 1);
}

/* Records compare by window, then key length, then key bytes. */
static int
rec_cmp(const uint8_t *a, const uint8_t *b)
{
	uint32_t	la = b2b_get_u32(a + 1),
				lb = b2b_get_u32(b + 1);

	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	if (la != lb)
		return la < lb ? -1 : 1;
	return memcmp(a + REC_HEADER, b + REC_HEADER, la);
}

static int
rec_ptr_cmp(const void *x, const void *y)
{
	return rec_cmp(*(const uint8_t *const *) x, *(const uint8_t *const *) y);
}

static SigStatus
set_compact(EngMemory *m, SigKeySet *s)
{
	size_t		n = 0,
				out = 0;
	const uint8_t **recs;
	uint8_t    *nbuf;

	if (s->compact_len == s->len)
		return SIG_OK;
	for (size_t off = 0; off < s->len; off += rec_size(s->buf + off))
		n++;
	recs = eng_alloc(m, sizeof(uint8_t *) * n);
	nbuf = recs ? eng_alloc(m, s->cap) : NULL;
	if (nbuf == NULL)
	{
		if (recs)
			eng_free(m, recs, sizeof(uint8_t *) * n);
		return SIG_ERR_MEMORY;
	}
	n = 0;
	for (size_t off = 0; off < s->len; off += rec_size(s->buf + off))
		recs[n++] = s->buf + off;
	qsort(recs, n, sizeof(uint8_t *), rec_ptr_cmp);
	s->distinct[0] = s->distinct[1] = 0;
	for (size_t i = 0; i < n; i++)
	{
		if (i > 0 && rec_cmp(recs[i - 1], recs[i]) == 0)
			continue;
		memcpy(nbuf + out, recs[i], rec_size(recs[i]));
		out += rec_size(recs[i]);
		s->distinct[recs[i][0]]++;
	}
	eng_free(m, recs, sizeof(uint8_t *) * n);
	eng_free(m, s->buf, s->cap);
	s->buf = nbuf;
	s->len = s->compact_len = out;
	return SIG_OK;
}

/* Room for need more bytes: compact first, grow when that frees less than half. */
static SigStatus
set_reserve(EngMemory *m, SigKeySet *s, size_t need)
{
	size_t		cap;
	uint8_t    *nbuf;
	SigStatus	st;

	if (s->len + need <= s->cap)
		return SIG_OK;
	if (s->len > 0 && (st = set_compact(m, s)) != SIG_OK)
		return st;
	if (s->len + need <= s->cap && s->len <= s->cap / 2)
		return SIG_OK;
	cap = s->cap ? s->cap : 256;
	while (cap < 2 * (s->len + need))
		cap *= 2;
	nbuf = eng_alloc(m, cap);
	if (nbuf == NULL)
		return SIG_ERR_MEMORY;
	if (s->len)
		memcpy(nbuf, s->buf, s->len);
	if (s->buf)
		eng_free(m, s->buf, s->cap);
	s->buf = nbuf;
	s->cap = cap;
	return SIG_OK;
}

static SigStatus
set_add(EngMemory *m, SigKeySet *s, int window, const uint8_t *key, uint32_t len)
{
	SigStatus	st = set_reserve(m, s, REC_HEADER + (size_t) len);
	uint8_t    *p;

	if (st != SIG_OK)
		return st;
	p = s->buf + s->len;
	p = b2b_put_u8(p, (uint8_t) window);
	p = b2b_put_u32(p, len);
	memcpy(p, key, len);
	s->len += REC_HEADER + (size_t) len;
	return SIG_OK;
}

/* ---- the state ------------------------------------------------------------------- */

SigStatus
sig_engage_init(SigEngage *e, EngMemory *memory, int64_t as_of, int64_t window_us)
{
	memset(e, 0, sizeof(*e));
	e->memory = memory;
	e->as_of = as_of;
	e->window_us = window_us;
	return SIG_OK;
}

void
sig_engage_free(SigEngage *e)
{
	for (int s = 0; s < SIG_NSETS; s++)
		if (e->sets[s].buf)
			eng_free(e->memory, e->sets[s].buf, e->sets[s].cap);
	memset(e->sets, 0, sizeof(e->sets));
}

int
sig_engage_window(const SigEngage *e, int64_t ts)
{
	/* age = as_of - ts without overflow: ts after as_of, or too old, is out */
	uint64_t	age;

	if (ts > e->as_of)
		return -1;
	age = (uint64_t) e->as_of - (uint64_t) ts;
	if (age < (uint64_t) e->window_us)
		return 0;
	if (age - (uint64_t) e->window_us < (uint64_t) e->window_us)
		return 1;
	return -1;
}

static SigStatus
add_int_key(SigEngage *e, int set, int window, int64_t v)
{
	uint8_t		key[8];

	b2b_put_i64(key, v);
	return set_add(e->memory, &e->sets[set], window, key, 8);
}

SigStatus
sig_engage_add(SigEngage *e, int64_t ts, bool has_user, int64_t user, const uint8_t *feature,
			   uint32_t feature_len)
{
	int			w = sig_engage_window(e, ts);
	SigStatus	st;

	if (w < 0)
		return SIG_OK;
	if (e->events[w] >= SIG_MAX_COUNT)
		return SIG_ERR_TOO_MANY;
	e->events[w]++;
	if (has_user && (st = add_int_key(e, SIG_SET_USERS, w, user)) != SIG_OK)
		return st;
	/* day k counts back from as_of: (as_of - (k + 1) day, as_of - k day] */
	st = add_int_key(e, SIG_SET_DAYS, w, (int64_t) (((uint64_t) e->as_of - (uint64_t) ts) / SIG_DAY_US));
	if (st != SIG_OK)
		return st;
	if (feature != NULL)
		return set_add(e->memory, &e->sets[SIG_SET_FEATURES], w, feature, feature_len);
	return SIG_OK;
}

SigStatus
sig_engage_merge(SigEngage *a, const SigEngage *b)
{
	for (int w = 0; w < 2; w++)
	{
		if (b->events[w] > SIG_MAX_COUNT - a->events[w])
			return SIG_ERR_TOO_MANY;
		a->events[w] += b->events[w];
	}
	for (int s = 0; s < SIG_NSETS; s++)
	{
		const SigKeySet *from = &b->sets[s];

		for (size_t off = 0; off < from->len; off += rec_size(from->buf + off))
		{
			const uint8_t *rec = from->buf + off;
			SigStatus	st = set_add(a->memory, &a->sets[s], rec[0], rec + REC_HEADER, b2b_get_u32(rec + 1));

			if (st != SIG_OK)
				return st;
		}
	}
	return SIG_OK;
}

SigStatus
sig_engage_compact(SigEngage *e)
{
	for (int s = 0; s < SIG_NSETS; s++)
	{
		SigStatus	st = set_compact(e->memory, &e->sets[s]);

		if (st != SIG_OK)
			return st;
	}
	return SIG_OK;
}

void
sig_engage_row(const SigEngage *e, SigEngageRow *out)
{
	memset(out, 0, sizeof(*out));
	for (int w = 0; w < 2; w++)
	{
		out->users[w] = e->sets[SIG_SET_USERS].distinct[w];
		out->features[w] = e->sets[SIG_SET_FEATURES].distinct[w];
		out->active_days[w] = e->sets[SIG_SET_DAYS].distinct[w];
		out->events[w] = e->events[w];
	}
	out->has_users_trend = out->users[1] > 0;
	if (out->has_users_trend)
		out->users_trend = (double) out->users[0] / (double) out->users[1];
	out->has_events_trend = out->events[1] > 0;
	if (out->has_events_trend)
		out->events_trend = (double) out->events[0] / (double) out->events[1];
}

size_t
sig_engage_encoded_size(const SigEngage *e)
{
	size_t		n = 1 + 8 + 8 + 16;

	for (int s = 0; s < SIG_NSETS; s++)
		n += 8 + e->sets[s].len;
	return n;
}

void
sig_engage_encode(const SigEngage *e, uint8_t *out)
{
	out = b2b_put_u8(out, SIG_ENGAGE_VERSION);
	out = b2b_put_i64(out, e->as_of);
	out = b2b_put_i64(out, e->window_us);
	out = b2b_put_u64(out, e->events[0]);
	out = b2b_put_u64(out, e->events[1]);
	for (int s = 0; s < SIG_NSETS; s++)
	{
		out = b2b_put_u64(out, e->sets[s].len);
		out = b2b_put_bytes(out, e->sets[s].buf, e->sets[s].len);
	}
}

const char *
sig_engage_decode(SigEngage *e, const uint8_t *in, size_t len)
{
	B2bReader	r = b2b_reader(in, len);
	uint8_t		version = b2b_read_u8(&r);

	e->as_of = b2b_read_i64(&r);
	e->window_us = b2b_read_i64(&r);
	e->events[0] = b2b_read_u64(&r);
	e->events[1] = b2b_read_u64(&r);
	if (!b2b_reader_ok(&r))
		return "too short";
	if (version != SIG_ENGAGE_VERSION)
		return "unknown version";
	if (e->window_us <= 0 || e->events[0] > SIG_MAX_COUNT || e->events[1] > SIG_MAX_COUNT)
		return "window or counts out of range";
	for (int s = 0; s < SIG_NSETS; s++)
	{
		SigKeySet  *set = &e->sets[s];
		uint64_t	n = b2b_read_u64(&r);
		const uint8_t *bytes;
		const uint8_t *prev = NULL;
		size_t		off = 0;

		if (!b2b_reader_ok(&r) || n > r.left)
			return "set longer than the bytes";
		bytes = b2b_read_span(&r, (size_t) n);
		while (off < n)
		{
			const uint8_t *rec = bytes + off;
			uint32_t	klen;

			if (n - off < REC_HEADER)
				return "truncated key";
			klen = b2b_get_u32(rec + 1);
			if (rec[0] > 1 || klen > n - off - REC_HEADER || (s != SIG_SET_FEATURES && klen != 8))
				return "bad key";
			if (prev != NULL && rec_cmp(prev, rec) >= 0)
				return "keys not sorted and distinct";
			set->distinct[rec[0]]++;
			prev = rec;
			off += REC_HEADER + klen;
		}
		if (n > 0)
		{
			set->buf = eng_alloc(e->memory, (size_t) n);
			if (set->buf == NULL)
				return "out of memory";
			memcpy(set->buf, bytes, (size_t) n);
		}
		set->len = set->cap = set->compact_len = (size_t) n;
	}
	if (r.left != 0)
		return "trailing bytes";
	/* every distinct key came with an event of its window */
	for (int w = 0; w < 2; w++)
		for (int s = 0; s < SIG_NSETS; s++)
			if (e->sets[s].distinct[w] > e->events[w])
				return "more distinct keys than events";
	return NULL;
}
