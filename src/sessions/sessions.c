/*
 * sessions.c
 *		Sessions of one visitor and the traffic anomaly detector (see sessions.h).
 */
#include "sessions/sessions.h"

#include <math.h>
#include <string.h>

#include "common/bytes.h"

/* ---- the builder ------------------------------------------------------------------ */

void
sess_builder_init(SessBuilder *b, EngMemory *memory)
{
	memset(b, 0, sizeof(*b));
	b->memory = memory;
}

void
sess_builder_free(SessBuilder *b)
{
	eng_free(b->memory, b->events, (size_t) b->events_cap * sizeof(SessEvent));
	eng_free(b->memory, b->bytes, b->bytes_cap);
	eng_free(b->memory, b->page_off, (size_t) b->pages_cap * sizeof(uint32_t));
	eng_free(b->memory, b->page_len, (size_t) b->pages_cap * sizeof(uint32_t));
	if (b->index)
		eng_free(b->memory, b->index, ((size_t) b->index_mask + 1) * sizeof(uint32_t));
	sess_builder_init(b, b->memory);
}

SessStatus
sess_builder_gap(SessBuilder *b, int64_t gap)
{
	if (b->gap == 0)
		b->gap = gap;
	return b->gap == gap ? SESS_OK : SESS_ERR_GAP_CHANGED;
}

/* Grow an array of elem-sized items from *cap to at least need (doubling). */
static SessStatus
grow(EngMemory *m, void **array, size_t *cap, size_t need, size_t elem, size_t used)
{
	size_t		ncap = *cap ? *cap : 8;
	void	   *n;

	while (ncap < need)
		ncap *= 2;
	n = eng_alloc(m, ncap * elem);
	if (n == NULL)
		return SESS_ERR_MEMORY;
	if (used)
		memcpy(n, *array, used * elem);
	if (*array)
		eng_free(m, *array, *cap * elem);
	*array = n;
	*cap = ncap;
	return SESS_OK;
}

static uint64_t
page_hash(const uint8_t *p, uint32_t len)
{
	/* FNV-1a, then mixed: pages are short text */
	uint64_t	h = UINT64_C(1469598103934665603);

	for (uint32_t i = 0; i < len; i++)
		h = (h ^ p[i]) * UINT64_C(1099511628211);
	return eng_mix64(h ^ len);
}

static SessStatus
rebuild_index(SessBuilder *b, uint32_t slots)
{
	uint32_t   *index = eng_alloc(b->memory, (size_t) slots * sizeof(uint32_t));

	if (index == NULL)
		return SESS_ERR_MEMORY;
	memset(index, 0, (size_t) slots * sizeof(uint32_t));
	if (b->index)
		eng_free(b->memory, b->index, ((size_t) b->index_mask + 1) * sizeof(uint32_t));
	b->index = index;
	b->index_mask = slots - 1;
	for (uint32_t id = 0; id < b->npages; id++)
	{
		uint64_t	i = page_hash(b->bytes + b->page_off[id], b->page_len[id]) & b->index_mask;

		while (index[i])
			i = (i + 1) & b->index_mask;
		index[i] = id + 1;
	}
	return SESS_OK;
}

/* The id of a page, added when new. */
static SessStatus
page_id(SessBuilder *b, const uint8_t *page, uint32_t len, uint32_t *id)
{
	uint64_t	i;
	SessStatus	s;

	if (b->index == NULL && (s = rebuild_index(b, 16)) != SESS_OK)
		return s;
	i = page_hash(page, len) & b->index_mask;
	while (b->index[i])
	{
		uint32_t	c = b->index[i] - 1;

		if (b->page_len[c] == len && memcmp(b->bytes + b->page_off[c], page, len) == 0)
		{
			*id = c;
			return SESS_OK;
		}
		i = (i + 1) & b->index_mask;
	}
	if (b->bytes_used + len > SESS_MAX_PAGE_BYTES)
		return SESS_ERR_TOO_MANY;
	/* bytes is never NULL once a page exists, so an empty page's bytes are a valid pointer */
	if ((b->bytes == NULL || b->bytes_used + len > b->bytes_cap) &&
		(s = grow(b->memory, (void **) &b->bytes, &b->bytes_cap, b->bytes_used + len, 1, b->bytes_used)) != SESS_OK)
		return s;
	if (b->npages == b->pages_cap)
	{
		size_t		cap = b->pages_cap;

		if ((s = grow(b->memory, (void **) &b->page_off, &cap, b->npages + 1, sizeof(uint32_t), b->npages)) != SESS_OK)
			return s;
		cap = b->pages_cap;
		if ((s = grow(b->memory, (void **) &b->page_len, &cap, b->npages + 1, sizeof(uint32_t), b->npages)) != SESS_OK)
			return s;
		b->pages_cap = (uint32_t) cap;
	}
	if (len)
		memcpy(b->bytes + b->bytes_used, page, len);
	b->page_off[b->npages] = (uint32_t) b->bytes_used;
	b->page_len[b->npages] = len;
	b->bytes_used += len;
	b->index[i] = b->npages + 1;
	*id = b->npages++;
	/* keep the index at most half full */
	if ((size_t) b->npages * 2 > (size_t) b->index_mask + 1)
		return rebuild_index(b, (b->index_mask + 1) * 2);
	return SESS_OK;
}

static SessStatus
add_event(SessBuilder *b, int64_t ts, uint32_t page)
{
	if (b->nevents >= SESS_MAX_EVENTS)
		return SESS_ERR_TOO_MANY;
	if (b->nevents == b->events_cap)
	{
		size_t		cap = b->events_cap;
		SessStatus	s = grow(b->memory, (void **) &b->events, &cap, b->nevents + 1, sizeof(SessEvent), b->nevents);

		if (s != SESS_OK)
			return s;
		b->events_cap = (uint32_t) cap;
	}
	b->events[b->nevents].ts = ts;
	b->events[b->nevents].page = page;
	b->events[b->nevents].pad = 0;
	b->nevents++;
	return SESS_OK;
}

SessStatus
sess_builder_add(SessBuilder *b, int64_t ts, const uint8_t *page, uint32_t len)
{
	uint32_t	id = SESS_NO_PAGE;

	if (page)
	{
		SessStatus	s = page_id(b, page, len, &id);

		if (s != SESS_OK)
			return s;
	}
	return add_event(b, ts, id);
}

SessStatus
sess_builder_merge(SessBuilder *b, const SessBuilder *src)
{
	SessStatus	s;

	if (src->nevents == 0)
		return SESS_OK;
	if ((s = sess_builder_gap(b, src->gap)) != SESS_OK)
		return s;
	if ((uint64_t) b->nevents + src->nevents > SESS_MAX_EVENTS)
		return SESS_ERR_TOO_MANY;
	for (uint32_t i = 0; i < src->nevents; i++)
	{
		uint32_t	p = src->events[i].page;
		uint32_t	id = SESS_NO_PAGE;

		/* page_id, not sess_builder_add: an empty page may have no bytes (NULL) */
		if (p != SESS_NO_PAGE)
			s = page_id(b, src->bytes + src->page_off[p], src->page_len[p], &id);
		if (s == SESS_OK)
			s = add_event(b, src->events[i].ts, id);
		if (s != SESS_OK)
			return s;
	}
	return SESS_OK;
}

/* ---- canonical order ---------------------------------------------------------------- */

static int
bytes_cmp(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Sort ids by their page bytes (a merge sort with scratch; pages per visitor are few). */
static void
sort_pages(const SessBuilder *b, uint32_t *ids, uint32_t *tmp, uint32_t n)
{
	if (n < 2)
		return;
	sort_pages(b, ids, tmp, n / 2);
	sort_pages(b, ids + n / 2, tmp, n - n / 2);
	{
		uint32_t	i = 0,
					j = n / 2,
					k = 0;

		while (i < n / 2 && j < n)
		{
			uint32_t	x = ids[i],
						y = ids[j];

			if (bytes_cmp(b->bytes + b->page_off[y], b->page_len[y], b->bytes + b->page_off[x], b->page_len[x]) < 0)
				tmp[k++] = ids[j++];
			else
				tmp[k++] = ids[i++];
		}
		while (i < n / 2)
			tmp[k++] = ids[i++];
		while (j < n)
			tmp[k++] = ids[j++];
		memcpy(ids, tmp, n * sizeof(uint32_t));
	}
}

/*
 * Renumber the pages in byte order (dropping none: every page has an event)
 * and sort the events by (time, page + 1), SESS_NO_PAGE + 1 being 0.
 */
static SessStatus
canonical_order(SessBuilder *b)
{
	uint32_t   *ids,
			   *rank;
	EngPair    *pairs;
	size_t		n = b->npages;

	if (n)
	{
		ids = eng_alloc(b->memory, n * 2 * sizeof(uint32_t));
		if (ids == NULL)
			return SESS_ERR_MEMORY;
		for (uint32_t i = 0; i < n; i++)
			ids[i] = i;
		sort_pages(b, ids, ids + n, (uint32_t) n);
		rank = ids + n;
		for (uint32_t i = 0; i < n; i++)
			rank[ids[i]] = i;
		for (uint32_t i = 0; i < b->nevents; i++)
			if (b->events[i].page != SESS_NO_PAGE)
				b->events[i].page = rank[b->events[i].page];
		/* reorder the page table to match */
		{
			uint32_t   *off = eng_alloc(b->memory, n * 2 * sizeof(uint32_t));

			if (off == NULL)
			{
				eng_free(b->memory, ids, n * 2 * sizeof(uint32_t));
				return SESS_ERR_MEMORY;
			}
			for (uint32_t i = 0; i < n; i++)
			{
				off[i] = b->page_off[ids[i]];
				off[n + i] = b->page_len[ids[i]];
			}
			memcpy(b->page_off, off, n * sizeof(uint32_t));
			memcpy(b->page_len, off + n, n * sizeof(uint32_t));
			eng_free(b->memory, off, n * 2 * sizeof(uint32_t));
		}
		eng_free(b->memory, ids, n * 2 * sizeof(uint32_t));
		if (b->index)
		{
			SessStatus	s = rebuild_index(b, b->index_mask + 1);

			if (s != SESS_OK)
				return s;
		}
	}
	/* the events, as (time key, page + 1) pairs sorted by the engine */
	pairs = eng_alloc(b->memory, (size_t) b->nevents * sizeof(EngPair) + 1);
	if (pairs == NULL)
		return SESS_ERR_MEMORY;
	for (uint32_t i = 0; i < b->nevents; i++)
	{
		pairs[i].key = eng_time_key(b->events[i].ts);
		pairs[i].value = ((uint64_t) b->events[i].page + 1) & UINT32_MAX;
	}
	eng_sort_pairs(pairs, b->nevents, b->memory->allocator);
	for (uint32_t i = 0; i < b->nevents; i++)
	{
		b->events[i].ts = eng_key_time(pairs[i].key);
		b->events[i].page = (uint32_t) pairs[i].value - 1;
	}
	eng_free(b->memory, pairs, (size_t) b->nevents * sizeof(EngPair) + 1);
	return SESS_OK;
}

SessStatus
sess_builder_wire_size(SessBuilder *b, size_t *size)
{
	SessStatus	s = canonical_order(b);

	if (s != SESS_OK)
		return s;
	*size = 1 + 8 + 4 + (size_t) b->npages * 4 + b->bytes_used + 4 + (size_t) b->nevents * 12;
	return SESS_OK;
}

void
sess_builder_encode(const SessBuilder *b, uint8_t *out)
{
	uint8_t    *p = out;

	p = b2b_put_u8(p, SESS_VERSION);
	p = b2b_put_i64(p, b->gap);
	p = b2b_put_u32(p, b->npages);
	for (uint32_t i = 0; i < b->npages; i++)
	{
		p = b2b_put_u32(p, b->page_len[i]);
		p = b2b_put_bytes(p, b->bytes + b->page_off[i], b->page_len[i]);
	}
	p = b2b_put_u32(p, b->nevents);
	for (uint32_t i = 0; i < b->nevents; i++)
	{
		p = b2b_put_i64(p, b->events[i].ts);
		p = b2b_put_u32(p, b->events[i].page);
	}
}

/* ---- reading the wire form ------------------------------------------------------------ */

const uint8_t *
sess_next_page(const uint8_t **at, uint32_t *len)
{
	const uint8_t *p = *at;

	*len = b2b_get_u32(p);
	*at = p + 4 + *len;
	return p + 4;
}

SessStatus
sess_view(const uint8_t *in, size_t len, SessView *v)
{
	B2bReader	r = b2b_reader(in, len);
	const uint8_t *prev = NULL;
	uint32_t	prev_len = 0;
	uint64_t	page_bytes = 0;

	if (b2b_read_u8(&r) != SESS_VERSION)
		return SESS_ERR_CORRUPT;
	v->gap = b2b_read_i64(&r);
	v->npages = b2b_read_u32(&r);
	if (!b2b_reader_ok(&r) || v->gap <= 0 || v->npages > SESS_MAX_EVENTS)
		return SESS_ERR_CORRUPT;
	v->pages = r.p;
	for (uint32_t i = 0; i < v->npages; i++)
	{
		uint32_t	plen = b2b_read_u32(&r);
		const uint8_t *page = b2b_read_span(&r, plen);

		if (page == NULL)
			return SESS_ERR_CORRUPT;
		page_bytes += plen;
		if (page_bytes > SESS_MAX_PAGE_BYTES)
			return SESS_ERR_CORRUPT;
		if (i > 0 && bytes_cmp(prev, prev_len, page, plen) >= 0)
			return SESS_ERR_CORRUPT;
		prev = page;
		prev_len = plen;
	}
	v->nevents = b2b_read_u32(&r);
	if (!b2b_reader_ok(&r) || v->nevents > SESS_MAX_EVENTS || r.left != (size_t) v->nevents * 12)
		return SESS_ERR_CORRUPT;
	if (v->npages > v->nevents)
		return SESS_ERR_CORRUPT;
	v->events = r.p;
	/* sorted, finite, page indexes in range (an unused page is harmless: nothing reads it) */
	{
		int64_t		pts = 0;
		uint64_t	prank = 0;

		for (uint32_t i = 0; i < v->nevents; i++)
		{
			int64_t		ts = sess_event_ts(v, i);
			uint32_t	page = sess_event_page(v, i);
			uint64_t	rank = ((uint64_t) page + 1) & UINT32_MAX;

			if (ts < SESS_MIN_TS || ts >= SESS_END_TS)
				return SESS_ERR_CORRUPT;
			if (page != SESS_NO_PAGE && page >= v->npages)
				return SESS_ERR_CORRUPT;
			if (i > 0 && (ts < pts || (ts == pts && rank < prank)))
				return SESS_ERR_CORRUPT;
			pts = ts;
			prank = rank;
		}
	}
	return SESS_OK;
}

SessStatus
sess_builder_decode(SessBuilder *b, const uint8_t *in, size_t len)
{
	SessView	v;
	SessStatus	s = sess_view(in, len, &v);
	uint32_t   *map = NULL;
	const uint8_t *at = v.pages;

	if (s != SESS_OK)
		return s;
	if (v.nevents == 0)
		return SESS_OK;
	if ((s = sess_builder_gap(b, v.gap)) != SESS_OK)
		return s;
	if ((uint64_t) b->nevents + v.nevents > SESS_MAX_EVENTS)
		return SESS_ERR_TOO_MANY;
	if (v.npages && (map = eng_alloc(b->memory, (size_t) v.npages * sizeof(uint32_t))) == NULL)
		return SESS_ERR_MEMORY;
	for (uint32_t i = 0; i < v.npages && s == SESS_OK; i++)
	{
		uint32_t	plen;
		const uint8_t *page = sess_next_page(&at, &plen);

		s = page_id(b, page, plen, &map[i]);
	}
	for (uint32_t i = 0; i < v.nevents && s == SESS_OK; i++)
	{
		uint32_t	page = sess_event_page(&v, i);

		s = add_event(b, sess_event_ts(&v, i), page == SESS_NO_PAGE ? SESS_NO_PAGE : map[page]);
	}
	if (map)
		eng_free(b->memory, map, (size_t) v.npages * sizeof(uint32_t));
	return s;
}

/* ---- sessions --------------------------------------------------------------------------- */

bool
sess_next_session(const SessView *v, uint32_t *next, SessSession *s)
{
	uint32_t	i = *next;
	int64_t		prev;

	if (i >= v->nevents)
		return false;
	memset(s, 0, sizeof(*s));
	s->first = i;
	s->started = prev = sess_event_ts(v, i);
	s->entry_page = s->exit_page = SESS_NO_PAGE;
	for (; i < v->nevents; i++)
	{
		int64_t		ts = sess_event_ts(v, i);
		uint32_t	page = sess_event_page(v, i);

		/* ts - prev > gap, without overflow: both are finite and ordered */
		if (i > s->first && (uint64_t) ts - (uint64_t) prev > (uint64_t) v->gap)
			break;
		prev = ts;
		s->events++;
		if (page != SESS_NO_PAGE)
		{
			if (s->pageviews == 0)
				s->entry_page = page;
			s->exit_page = page;
			s->pageviews++;
		}
	}
	s->ended = prev;
	s->is_bounce = s->events == 1 && s->pageviews == 1;
	s->is_engaged = (uint64_t) s->ended - (uint64_t) s->started >= (uint64_t) SESS_ENGAGED_USEC ||
		s->pageviews >= 2;
	*next = i;
	return true;
}

void
sess_totals(const SessView *v, SessTotals *t)
{
	uint32_t	next = 0;
	SessSession s;

	memset(t, 0, sizeof(*t));
	while (sess_next_session(v, &next, &s))
	{
		t->sessions++;
		t->bounces += s.is_bounce;
		t->engaged += s.is_engaged;
		/* a visitor's durations sum to at most the span of finite timestamps: < 2^64 */
		t->duration += (uint64_t) s.ended - (uint64_t) s.started;
		t->events += s.events;
		t->pageviews += s.pageviews;
	}
}

void
sess_page_stats(const SessView *v, SessPageStat *out)
{
	uint32_t	next = 0;
	SessSession s;

	while (sess_next_session(v, &next, &s))
	{
		uint32_t	end = s.first + s.events;

		if (s.entry_page != SESS_NO_PAGE)
		{
			out[s.entry_page].entries++;
			out[s.exit_page].exits++;
			if (s.is_bounce)
				out[s.entry_page].bounces++;
		}
		for (uint32_t i = s.first; i < end; i++)
		{
			uint32_t	page = sess_event_page(v, i);

			if (page == SESS_NO_PAGE)
				continue;
			out[page].views++;
			/* time on page: until the session's next event; the last one has none */
			if (i + 1 < end)
			{
				out[page].time_total += (uint64_t) sess_event_ts(v, i + 1) - (uint64_t) sess_event_ts(v, i);
				out[page].timed_views++;
			}
		}
	}
}

/* ---- suspicious sessions ------------------------------------------------------------------- */

void
sess_session_quality(const SessView *v, const SessSession *s, SessQuality *q)
{
	uint32_t	end = s->first + s->events;
	uint32_t	j = s->first;

	memset(q, 0, sizeof(*q));
	for (uint32_t i = s->first; i < end; i++)
	{
		int64_t		ts = sess_event_ts(v, i);

		/* events in [ts, ts + 60 s): j runs ahead of i, never back */
		if (j < i)
			j = i;
		while (j < end && (uint64_t) sess_event_ts(v, j) - (uint64_t) ts < UINT64_C(60000000))
			j++;
		if (j - i > q->peak_per_minute)
			q->peak_per_minute = j - i;
		if (sess_event_page(v, i) != SESS_NO_PAGE && i + 1 < end &&
			(uint64_t) sess_event_ts(v, i + 1) - (uint64_t) ts < (uint64_t) SESS_SUBSECOND_USEC)
			q->subsecond_views++;
	}
	q->suspicious = s->events > SESS_BOT_MAX_EVENTS || q->peak_per_minute > SESS_BOT_MAX_PER_MINUTE ||
		(s->pageviews >= SESS_BOT_MIN_VIEWS && (uint64_t) q->subsecond_views * 2 >= s->pageviews);
}

/* ---- paths -------------------------------------------------------------------------------- */

uint32_t
sess_path_edges(const SessView *v, int max_steps, uint32_t start_page,
				EngPair *scratch, const EngAllocator *check, SessEdge *out)
{
	uint32_t	next = 0,
				n = 0,
				nout = 0;
	SessSession s;

	while (sess_next_session(v, &next, &s))
	{
		uint32_t	end = s.first + s.events;
		uint32_t	prev = SESS_NO_PAGE;
		int			step = 0;
		bool		started = start_page == SESS_NO_PAGE;

		for (uint32_t i = s.first; i < end && step < max_steps; i++)
		{
			uint32_t	page = sess_event_page(v, i);

			if (page == SESS_NO_PAGE)
				continue;
			if (!started)
			{
				if (page != start_page)
					continue;
				started = true;
			}
			if (prev != SESS_NO_PAGE)
			{
				step++;
				scratch[n].key = (uint64_t) step << 32 | prev;
				scratch[n].value = page;
				n++;
			}
			prev = page;
		}
	}
	eng_sort_pairs(scratch, n, check);
	for (uint32_t i = 0; i < n; i++)
	{
		if (nout > 0 && scratch[i].key == scratch[i - 1].key && scratch[i].value == scratch[i - 1].value)
		{
			out[nout - 1].transitions++;
			continue;
		}
		out[nout].step = (uint32_t) (scratch[i].key >> 32);
		out[nout].from_page = (uint32_t) scratch[i].key;
		out[nout].to_page = (uint32_t) scratch[i].value;
		out[nout].transitions = 1;
		nout++;
	}
	return nout;
}

/* ---- traffic anomalies -------------------------------------------------------------- */

static double
median_inplace(double *x, int n)
{
	/* n is small (weeks): insertion sort */
	for (int i = 1; i < n; i++)
	{
		double		v = x[i];
		int			j = i - 1;

		while (j >= 0 && x[j] > v)
		{
			x[j + 1] = x[j];
			j--;
		}
		x[j + 1] = v;
	}
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

void
sess_anomalies(const int32_t *days, const double *values, const bool *has_value,
			   uint32_t n, int weeks, double threshold, double *scratch, SessAnomaly *out)
{
	for (uint32_t i = 0; i < n; i++)
	{
		SessAnomaly *a = &out[i];
		int			found = 0;
		uint32_t	j = i;

		memset(a, 0, sizeof(*a));
		if (!has_value[i])
			continue;
		/* days are strictly increasing: walk back to d - 7, d - 14, ... */
		for (int w = 1; w <= weeks; w++)
		{
			int64_t		want = (int64_t) days[i] - 7 * (int64_t) w;

			while (j > 0 && days[j] > want)
				j--;
			if (days[j] != want || !has_value[j])
				break;
			scratch[found++] = values[j];
		}
		if (found < weeks)
			continue;
		{
			double		med = median_inplace(scratch, weeks);
			double		dev = values[i] - med;
			double		mad,
						meanad = 0;

			for (int w = 0; w < weeks; w++)
			{
				scratch[weeks + w] = fabs(scratch[w] - med);
				meanad += scratch[weeks + w];
			}
			meanad /= weeks;
			mad = median_inplace(scratch + weeks, weeks);
			a->scored = true;
			a->expected = med;
			if (mad > 0)
				a->score = SESS_MAD_SCALE * dev / mad;
			else if (meanad > 0)
				a->score = SESS_MEANAD_SCALE * dev / meanad;
			else
				a->score = dev == 0 ? 0 : dev > 0 ? INFINITY : -INFINITY;
			a->is_anomaly = fabs(a->score) > threshold;
		}
	}
}
