/*
 * retention.c
 *		The retention family's pure core (see retention.h).
 */
#include "retention/retention.h"

#include <string.h>

#include "common/bytes.h"

/* ---- names ----------------------------------------------------------------- */

static bool
name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(name, want, len) == 0;
}

RetStatus
ret_grain_parse(const char *name, size_t len, RetGrain *grain)
{
	if (name_is(name, len, "day"))
		*grain = RET_DAY;
	else if (name_is(name, len, "week"))
		*grain = RET_WEEK;
	else if (name_is(name, len, "month"))
		*grain = RET_MONTH;
	else
		return RET_ERR_GRAIN;
	return RET_OK;
}

RetStatus
ret_criterion_parse(const char *name, size_t len, uint8_t *option)
{
	if (name_is(name, len, "on"))
		*option &= ~RET_ON_OR_AFTER;
	else if (name_is(name, len, "on_or_after"))
		*option |= RET_ON_OR_AFTER;
	else
		return RET_ERR_CRITERION;
	return RET_OK;
}

RetStatus
ret_cohorts_parse(const char *name, size_t len, uint8_t *option)
{
	if (name_is(name, len, "first"))
		*option &= ~RET_RECURRING;
	else if (name_is(name, len, "recurring"))
		*option |= RET_RECURRING;
	else
		return RET_ERR_COHORTS;
	return RET_OK;
}

const char *
ret_grain_name(RetGrain grain)
{
	switch (grain)
	{
		case RET_DAY:
			return "day";
		case RET_WEEK:
			return "week";
		case RET_MONTH:
			return "month";
	}
	return "?";
}

static bool
grain_valid(unsigned g)
{
	return g >= RET_DAY && g <= RET_MONTH;
}

/* ---- calendar -------------------------------------------------------------- */

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t		q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days from 0000-03-01 counted in 400-year eras of 146,097 days; 2000-01-01 is day 730,425 of them. */
#define DAYS_0000_03_01_TO_2000_01_01 730425

int64_t
ret_day_from_civil(int64_t year, int month, int day)
{
	int64_t		y = year - (month <= 2);
	int64_t		era = floor_div(y, 400);
	int64_t		year_of_era = y - era * 400;
	int			month_from_march = month > 2 ? month - 3 : month + 9;
	int64_t		day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
	int64_t		day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

	return era * 146097 + day_of_era - DAYS_0000_03_01_TO_2000_01_01;
}

void
ret_civil_from_day(int64_t day, int64_t *year, int *month, int *mday)
{
	int64_t		z = day + DAYS_0000_03_01_TO_2000_01_01;
	int64_t		era = floor_div(z, 146097);
	int64_t		day_of_era = z - era * 146097;
	int64_t		year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t		day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t		month_from_march = (5 * day_of_year + 2) / 153;

	*mday = (int) (day_of_year - (153 * month_from_march + 2) / 5 + 1);
	*month = (int) (month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
	*year = year_of_era + era * 400 + (*month <= 2);
}

/* 2000-01-03, a Monday, starts week 0. */
#define FIRST_MONDAY 2

int32_t
ret_period_of_day(RetGrain grain, int32_t day)
{
	int64_t		year;
	int			month,
				mday;

	switch (grain)
	{
		case RET_DAY:
			return day;
		case RET_WEEK:
			return (int32_t) floor_div((int64_t) day - FIRST_MONDAY, 7);
		case RET_MONTH:
			ret_civil_from_day(day, &year, &month, &mday);
			return (int32_t) ((year - 2000) * 12 + month - 1);
	}
	return day;
}

int64_t
ret_period_start_day(RetGrain grain, int32_t period)
{
	switch (grain)
	{
		case RET_DAY:
			return period;
		case RET_WEEK:
			return FIRST_MONDAY + 7 * (int64_t) period;
		case RET_MONTH:
			return ret_day_from_civil(2000 + floor_div(period, 12),
									  (int) (period - 12 * floor_div(period, 12)) + 1, 1);
	}
	return period;
}

bool
ret_period_valid(RetGrain grain, int64_t period)
{
	return period >= ret_period_of_day(grain, RET_DAY_MIN) &&
		period <= ret_period_of_day(grain, RET_DAY_MAX);
}

/* ---- activity ---------------------------------------------------------------- */

static RetStatus
extent_of(int64_t lo, int64_t hi, int32_t *first, uint32_t *span)
{
	if (hi - lo + 1 > RET_MAX_SPAN)
		return RET_ERR_SPAN;
	*first = (int32_t) lo;
	*span = (uint32_t) (hi - lo + 1);
	return RET_OK;
}

RetStatus
ret_activity_extent(const RetActivity *a, int32_t period, int32_t *first, uint32_t *span)
{
	int64_t		last = ret_activity_last(a);

	return extent_of(period < a->first ? period : a->first, period > last ? period : last, first, span);
}

RetStatus
ret_activity_union_extent(const RetActivity *a, const RetActivity *b, int32_t *first, uint32_t *span)
{
	int64_t		alast = ret_activity_last(a),
				blast = ret_activity_last(b);

	if (a->grain != b->grain)
		return RET_ERR_GRAIN_MISMATCH;
	return extent_of(a->first < b->first ? a->first : b->first, alast > blast ? alast : blast, first, span);
}

void
ret_activity_rebase(RetActivity *a, int32_t first, uint32_t span)
{
	uint32_t	old_words = ret_activity_words(a->span);
	uint32_t	new_words = ret_activity_words(span);
	uint64_t	shift = (uint64_t) ((int64_t) a->first - first);
	uint64_t	q = shift >> 6;
	unsigned	r = (unsigned) (shift & 63);

	/* From the top down, so that every source word is read before it is written. */
	for (uint64_t i = new_words; i-- > 0;)
	{
		uint64_t	hi = (i >= q && i - q < old_words) ? a->words[i - q] : 0;
		uint64_t	lo = (r != 0 && i >= q + 1 && i - q - 1 < old_words) ? a->words[i - q - 1] : 0;

		a->words[i] = r == 0 ? hi : (hi << r) | (lo >> (64 - r));
	}
	a->first = first;
	a->span = span;
}

void
ret_activity_set(RetActivity *a, int32_t period)
{
	uint64_t	i = (uint64_t) ((int64_t) period - a->first);

	a->words[i >> 6] |= UINT64_C(1) << (i & 63);
}

void
ret_activity_or(RetActivity *into, const RetActivity *from)
{
	uint64_t	shift = (uint64_t) ((int64_t) from->first - into->first);
	uint64_t	q = shift >> 6;
	unsigned	r = (unsigned) (shift & 63);
	uint32_t	into_words = ret_activity_words(into->span);
	uint32_t	from_words = ret_activity_words(from->span);

	for (uint32_t k = 0; k < from_words; k++)
	{
		uint64_t	w = from->words[k];

		into->words[q + k] |= w << r;
		if (r != 0 && q + k + 1 < into_words)
			into->words[q + k + 1] |= w >> (64 - r);
	}
}

/* Bits [lo, hi] (offsets from first) of a's words. */
static int64_t
count_bits(const RetActivity *a, uint64_t lo, uint64_t hi)
{
	int64_t		n = 0;

	for (uint64_t w = lo >> 6; w <= hi >> 6; w++)
	{
		uint64_t	bits = a->words[w];

		if (w == lo >> 6)
			bits &= ~UINT64_C(0) << (lo & 63);
		if (w == hi >> 6 && (hi & 63) != 63)
			bits &= (UINT64_C(1) << ((hi & 63) + 1)) - 1;
		n += __builtin_popcountll(bits);
	}
	return n;
}

int64_t
ret_activity_count(const RetActivity *a, int64_t from, int64_t to)
{
	int64_t		lo = from < a->first ? a->first : from;
	int64_t		hi = to > ret_activity_last(a) ? ret_activity_last(a) : to;

	if (lo > hi)
		return 0;
	return count_bits(a, (uint64_t) (lo - a->first), (uint64_t) (hi - a->first));
}

/* The first offset >= pos whose bit is `set`, or span when there is none. */
static uint32_t
find_bit(const RetActivity *a, uint32_t pos, bool set)
{
	uint32_t	nwords = ret_activity_words(a->span);

	while (pos < a->span)
	{
		uint32_t	w = pos >> 6;
		uint64_t	bits = (set ? a->words[w] : ~a->words[w]) & (~UINT64_C(0) << (pos & 63));

		if (bits != 0)
		{
			uint32_t	found = (w << 6) + (uint32_t) __builtin_ctzll(bits);

			return found < a->span ? found : a->span;
		}
		if (w + 1 >= nwords)
			break;
		pos = (w + 1) << 6;
	}
	return a->span;
}

bool
ret_activity_next_run(const RetActivity *a, uint32_t *pos, int32_t *start, uint32_t *length)
{
	uint32_t	s = find_bit(a, *pos, true);
	uint32_t	e;

	if (s >= a->span)
		return false;
	e = find_bit(a, s, false);
	*start = (int32_t) ((int64_t) a->first + s);
	*length = e - s;
	*pos = e;
	return true;
}

uint32_t
ret_activity_longest_streak(const RetActivity *a)
{
	uint32_t	pos = 0,
				length,
				longest = 0;
	int32_t		start;

	while (ret_activity_next_run(a, &pos, &start, &length))
		if (length > longest)
			longest = length;
	return longest;
}

uint32_t
ret_activity_streak_ending(const RetActivity *a, int64_t period)
{
	int64_t		i = period - a->first;
	uint32_t	n = 0;

	if (!ret_activity_has(a, period))
		return 0;
	/* Back over whole words of ones, then the partial word's ones. */
	while (i >= 0)
	{
		uint64_t	w = a->words[i >> 6];
		unsigned	bit = (unsigned) (i & 63);
		uint64_t	below = bit == 63 ? w : w & ((UINT64_C(1) << (bit + 1)) - 1);
		/* ones from bit downwards: the leading ones of below shifted to the top */
		uint64_t	top = below << (63 - bit);
		unsigned	ones = ~top == 0 ? 64 : (unsigned) __builtin_clzll(~top);

		if (ones > bit + 1)
			ones = bit + 1;
		n += ones;
		if (ones < bit + 1)
			break;
		i -= ones;
	}
	return n;
}

bool
ret_activity_next_active(const RetActivity *a, int64_t period, int64_t *found)
{
	int64_t		i = period - a->first;
	uint32_t	at;

	if (i >= (int64_t) a->span)
		return false;
	at = find_bit(a, i < 0 ? 0 : (uint32_t) i, true);
	if (at >= a->span)
		return false;
	*found = (int64_t) a->first + at;
	return true;
}

#define ACTIVITY_HEADER 10

size_t
ret_activity_wire_size(uint32_t span)
{
	return ACTIVITY_HEADER + ((size_t) span + 7) / 8;
}

void
ret_activity_encode(const RetActivity *a, uint8_t *out)
{
	size_t		nbytes = ((size_t) a->span + 7) / 8;

	out = b2b_put_u8(out, RET_ACTIVITY_VERSION);
	out = b2b_put_u8(out, (uint8_t) a->grain);
	out = b2b_put_u32(out, (uint32_t) a->first);
	out = b2b_put_u32(out, a->span);
	for (size_t j = 0; j < nbytes; j++)
		out[j] = (uint8_t) (a->words[j >> 3] >> (8 * (j & 7)));
}

const char *
ret_activity_decode(const uint8_t *in, size_t len, RetActivity *head)
{
	B2bReader	r = b2b_reader(in, len);
	uint8_t		version = b2b_read_u8(&r);
	uint8_t		grain = b2b_read_u8(&r);
	int32_t		first = (int32_t) b2b_read_u32(&r);
	uint32_t	span = b2b_read_u32(&r);
	const uint8_t *bits;
	size_t		nbytes;

	if (!b2b_reader_ok(&r))
		return "An activity value starts with a 10-byte header.";
	if (version != RET_ACTIVITY_VERSION)
		return "The version byte of an activity value is 1.";
	if (!grain_valid(grain))
		return "The grain byte of an activity value is 1 (day), 2 (week) or 3 (month).";
	if (span < 1 || span > RET_MAX_SPAN)
		return "The span of an activity value is between 1 and 16777216 periods.";
	if (!ret_period_valid(grain, first) || !ret_period_valid(grain, (int64_t) first + span - 1))
		return "The periods of an activity value lie within the range of timestamps.";
	nbytes = ((size_t) span + 7) / 8;
	bits = b2b_read_span(&r, nbytes);
	if (bits == NULL || !b2b_reader_done(&r))
		return "An activity value has one bit per period of its span, in whole bytes, and nothing after them.";
	if ((bits[0] & 1) == 0 || (bits[(span - 1) / 8] >> ((span - 1) % 8) & 1) == 0)
		return "The first and the last period of an activity value's span are active.";
	if ((span % 8) != 0 && (bits[nbytes - 1] >> (span % 8)) != 0)
		return "The bits after an activity value's span are zero.";
	head->grain = (RetGrain) grain;
	head->first = first;
	head->span = span;
	head->words = NULL;
	return NULL;
}

void
ret_activity_decode_bits(const uint8_t *in, RetActivity *a)
{
	size_t		nbytes = ((size_t) a->span + 7) / 8;
	uint32_t	nwords = ret_activity_words(a->span);

	in += ACTIVITY_HEADER;
	memset(a->words, 0, (size_t) nwords * 8);
	for (size_t j = 0; j < nbytes; j++)
		a->words[j >> 3] |= (uint64_t) in[j] << (8 * (j & 7));
}

/* ---- retention() --------------------------------------------------------------- */

void
ret_retention_result(uint64_t seen, int n, int32_t *r)
{
	int32_t		first = (int32_t) (seen & 1);

	for (int k = 0; k < n; k++)
		r[k] = first & (int32_t) (seen >> k & 1);
}

#define CONDITIONS_VERSION 1

void
ret_conditions_encode(uint8_t nconds, uint64_t seen, uint8_t *out)
{
	out = b2b_put_u8(out, CONDITIONS_VERSION);
	out = b2b_put_u8(out, nconds);
	b2b_put_u64(out, seen);
}

const char *
ret_conditions_decode(const uint8_t *in, size_t len, uint8_t *nconds, uint64_t *seen)
{
	B2bReader	r = b2b_reader(in, len);
	uint8_t		version = b2b_read_u8(&r);
	uint8_t		n = b2b_read_u8(&r);
	uint64_t	bits = b2b_read_u64(&r);

	if (!b2b_reader_done(&r))
		return "A retention state is 10 bytes: a version byte, the number of conditions, a 64-bit mask.";
	if (version != CONDITIONS_VERSION)
		return "The version byte of a retention state is 1.";
	if (n < 1 || n > RET_MAX_CONDITIONS)
		return "A retention state has 1 to 64 conditions.";
	if (n < 64 && (bits >> n) != 0)
		return "A retention state's mask has no bits beyond its conditions.";
	*nconds = n;
	*seen = bits;
	return NULL;
}

/* ---- counts ---------------------------------------------------------------------- */

uint32_t
ret_counts_columns(RetKind kind, uint32_t n)
{
	switch (kind)
	{
		case RET_COHORT:
			return n + 2;
		case RET_LIFECYCLE:
			return RET_LIFECYCLE_COLUMNS;
		case RET_STICKINESS:
			return n;
	}
	return 0;
}

uint32_t
ret_counts_n(const RetCounts *c)
{
	switch (c->kind)
	{
		case RET_COHORT:
			return c->ncols - 2;
		case RET_LIFECYCLE:
			return c->nrows;
		case RET_STICKINESS:
			return c->ncols;
	}
	return 0;
}

RetStatus
ret_counts_check_shape(RetKind kind, RetGrain grain, int64_t first, uint32_t nrows, uint32_t n)
{
	int64_t		last_period;

	if (n < 1 || n > RET_MAX_PERIODS)
		return RET_ERR_PERIODS;
	if (nrows < 1 || (uint64_t) nrows * ret_counts_columns(kind, n) > RET_MAX_CELLS)
		return RET_ERR_SPAN;
	/* The periods the table speaks of: its rows, and a stickiness window's n periods. */
	last_period = first + (int64_t) nrows - 1 + (kind == RET_STICKINESS ? (int64_t) n - 1 : 0);
	if (!ret_period_valid(grain, first) || !ret_period_valid(grain, last_period))
		return RET_ERR_RANGE;
	return RET_OK;
}

bool
ret_counts_compatible(const RetCounts *a, const RetCounts *b)
{
	if (a->kind != b->kind || a->grain != b->grain || a->option != b->option || a->ncols != b->ncols)
		return false;
	return a->kind == RET_COHORT || (a->first == b->first && a->nrows == b->nrows);
}

RetStatus
ret_counts_cohort_extent(const RetCounts *c, int32_t lo, int32_t hi, int32_t *first, uint32_t *nrows)
{
	int64_t		last = (int64_t) c->first + c->nrows - 1;
	int64_t		new_lo = lo < c->first ? lo : c->first;
	int64_t		new_hi = hi > last ? hi : last;

	if ((uint64_t) (new_hi - new_lo + 1) * c->ncols > RET_MAX_CELLS)
		return RET_ERR_SPAN;
	*first = (int32_t) new_lo;
	*nrows = (uint32_t) (new_hi - new_lo + 1);
	return RET_OK;
}

void
ret_counts_rebase(RetCounts *c, int32_t first, uint32_t nrows)
{
	size_t		shift = (size_t) ((int64_t) c->first - first);
	size_t		row_bytes = (size_t) c->ncols * sizeof(int64_t);

	memmove(c->cells + shift * c->ncols, c->cells, c->nrows * row_bytes);
	memset(c->cells, 0, shift * row_bytes);
	memset(c->cells + (shift + c->nrows) * c->ncols, 0, (nrows - shift - c->nrows) * row_bytes);
	c->first = first;
	c->nrows = nrows;
}

static RetStatus
increment(int64_t *cell)
{
	return __builtin_add_overflow(*cell, 1, cell) ? RET_ERR_OVERFLOW : RET_OK;
}

/* One cohort of one entity: its start period and its return activity. */
static RetStatus
cohort_add_one(RetCounts *c, int64_t cohort, const RetActivity *ret)
{
	int64_t    *row = ret_counts_row(c, (uint32_t) (cohort - c->first));
	uint32_t	n = ret_counts_n(c);
	RetStatus	st = increment(&row[0]);

	if (st != RET_OK || ret == NULL)
		return st;
	for (uint32_t k = 0; k <= n; k++)
	{
		int64_t		period = cohort + k;
		bool		retained = (c->option & RET_ON_OR_AFTER) ? ret_activity_last(ret) >= period
			: ret_activity_has(ret, period);

		if (retained && (st = increment(&row[1 + k])) != RET_OK)
			return st;
	}
	return RET_OK;
}

RetStatus
ret_cohort_add(RetCounts *c, const RetActivity *start, const RetActivity *ret)
{
	RetStatus	st;
	uint32_t	pos = 0,
				length;
	int32_t		run;

	if (start->grain != c->grain || (ret != NULL && ret->grain != c->grain))
		return RET_ERR_GRAIN_MISMATCH;
	if (!(c->option & RET_RECURRING))
		return cohort_add_one(c, start->first, ret);
	while (ret_activity_next_run(start, &pos, &run, &length))
		for (uint32_t i = 0; i < length; i++)
			if ((st = cohort_add_one(c, (int64_t) run + i, ret)) != RET_OK)
				return st;
	return RET_OK;
}

RetStatus
ret_lifecycle_add(RetCounts *c, const RetActivity *a)
{
	int64_t		lo = c->first > a->first ? c->first : a->first;
	int64_t		hi = (int64_t) c->first + c->nrows - 1;
	RetStatus	st = RET_OK;

	if (a->grain != c->grain)
		return RET_ERR_GRAIN_MISMATCH;
	/* Nothing happens to an entity before its first period or after the one following its last. */
	if (hi > (int64_t) ret_activity_last(a) + 1)
		hi = (int64_t) ret_activity_last(a) + 1;
	for (int64_t t = lo; t <= hi && st == RET_OK; t++)
	{
		int64_t    *row = ret_counts_row(c, (uint32_t) (t - c->first));
		bool		now = ret_activity_has(a, t);
		bool		before = ret_activity_has(a, t - 1);

		if (now && t == a->first)
			st = increment(&row[RET_NEW]);
		else if (now && before)
			st = increment(&row[RET_RETURNING]);
		else if (now)
			st = increment(&row[RET_RESURRECTING]);
		else if (before)
			st = increment(&row[RET_DORMANT]);
	}
	return st;
}

RetStatus
ret_stickiness_add(RetCounts *c, const RetActivity *a)
{
	int64_t		k;

	if (a->grain != c->grain)
		return RET_ERR_GRAIN_MISMATCH;
	k = ret_activity_count(a, c->first, (int64_t) c->first + c->ncols - 1);
	return k == 0 ? RET_OK : increment(&c->cells[k - 1]);
}

RetStatus
ret_counts_add(RetCounts *into, const RetCounts *from)
{
	size_t		offset = (size_t) ((int64_t) from->first - into->first) * into->ncols;
	size_t		ncells = (size_t) from->nrows * from->ncols;

	for (size_t i = 0; i < ncells; i++)
		if (__builtin_add_overflow(into->cells[offset + i], from->cells[i], &into->cells[offset + i]))
			return RET_ERR_OVERFLOW;
	return RET_OK;
}

#define COUNTS_HEADER 16

size_t
ret_counts_wire_size(uint32_t nrows, uint32_t ncols)
{
	return COUNTS_HEADER + (size_t) nrows * ncols * 8;
}

void
ret_counts_encode(const RetCounts *c, uint8_t *out)
{
	size_t		ncells = (size_t) c->nrows * c->ncols;

	out = b2b_put_u8(out, RET_COUNTS_VERSION);
	out = b2b_put_u8(out, (uint8_t) c->kind);
	out = b2b_put_u8(out, (uint8_t) c->grain);
	out = b2b_put_u8(out, c->option);
	out = b2b_put_u32(out, (uint32_t) c->first);
	out = b2b_put_u32(out, c->nrows);
	out = b2b_put_u32(out, c->ncols);
	for (size_t i = 0; i < ncells; i++)
		out = b2b_put_i64(out, c->cells[i]);
}

const char *
ret_counts_decode(const uint8_t *in, size_t len, RetCounts *head)
{
	B2bReader	r = b2b_reader(in, len);
	uint8_t		version = b2b_read_u8(&r);
	uint8_t		kind = b2b_read_u8(&r);
	uint8_t		grain = b2b_read_u8(&r);
	uint8_t		option = b2b_read_u8(&r);
	int32_t		first = (int32_t) b2b_read_u32(&r);
	uint32_t	nrows = b2b_read_u32(&r);
	uint32_t	ncols = b2b_read_u32(&r);
	uint32_t	n;
	const uint8_t *cells;

	if (!b2b_reader_ok(&r))
		return "A retention_counts value starts with a 16-byte header.";
	if (version != RET_COUNTS_VERSION)
		return "The version byte of a retention_counts value is 1.";
	if (kind < RET_COHORT || kind > RET_STICKINESS)
		return "The kind byte of a retention_counts value is 1 (cohorts), 2 (lifecycle) or 3 (stickiness).";
	if (!grain_valid(grain))
		return "The grain byte of a retention_counts value is 1 (day), 2 (week) or 3 (month).";
	if (kind == RET_COHORT ? (option & ~RET_COHORT_OPTIONS) != 0 : option != 0)
		return "The option byte of a retention_counts value holds only the criterion and cohort bits of cohorts.";
	switch (kind)
	{
		case RET_COHORT:
			n = ncols >= 2 ? ncols - 2 : 0;
			break;
		case RET_LIFECYCLE:
			n = ncols == RET_LIFECYCLE_COLUMNS ? nrows : 0;
			break;
		default:
			n = nrows == 1 ? ncols : 0;
			break;
	}
	if (n == 0 || ret_counts_check_shape(kind, grain, first, nrows, n) != RET_OK)
		return "The shape of a retention_counts value is that of its kind: 1 to 10000 periods, at most 4194304 cells, periods within the range of timestamps.";
	cells = b2b_read_span(&r, (size_t) nrows * ncols * 8);
	if (cells == NULL || !b2b_reader_done(&r))
		return "A retention_counts value has 8 bytes per cell after its header, and nothing after them.";
	for (uint32_t row = 0; row < nrows; row++)
	{
		const uint8_t *p = cells + (size_t) row * ncols * 8;
		int64_t		row_sum = 0;

		for (uint32_t col = 0; col < ncols; col++)
		{
			int64_t		v = b2b_get_i64(p + 8 * col);

			if (v < 0)
				return "The cells of a retention_counts value are not negative.";
			/* a stickiness row counts each entity once: its sum (the cumulative form) fits */
			if (kind == RET_STICKINESS && __builtin_add_overflow(row_sum, v, &row_sum))
				return "The entities a stickiness value counts add up beyond the range of bigint.";
			if (kind == RET_COHORT && col > 0 && v > b2b_get_i64(p))
				return "No cohort of a retention_counts value retains more entities than it has.";
			if (kind == RET_COHORT && (option & RET_ON_OR_AFTER) && col > 1 && v > b2b_get_i64(p + 8 * (col - 1)))
				return "Under on_or_after, a cohort's retained counts do not grow with the offset.";
		}
	}
	head->kind = (RetKind) kind;
	head->grain = (RetGrain) grain;
	head->option = option;
	head->first = first;
	head->nrows = nrows;
	head->ncols = ncols;
	head->cells = NULL;
	return NULL;
}

void
ret_counts_decode_cells(const uint8_t *in, RetCounts *c)
{
	size_t		ncells = (size_t) c->nrows * c->ncols;

	in += COUNTS_HEADER;
	for (size_t i = 0; i < ncells; i++)
		c->cells[i] = b2b_get_i64(in + 8 * i);
}

/* ---- retention_report ----------------------------------------------------------------- */

static RetStatus
from_engine(EngStatus s)
{
	switch (s)
	{
		case ENG_OK:
			return RET_OK;
		case ENG_ERR_MEMORY:
			return RET_ERR_MEMORY;
		case ENG_ERR_TOO_MANY:
			return RET_ERR_TOO_MANY_ENTITIES;
		default:
			return RET_ERR_CONDITIONS;
	}
}

void
ret_report_init(RetReport *r, uint8_t nconds, EngMemory *memory)
{
	memset(r, 0, sizeof(*r));
	r->nconds = nconds;
	r->memory = memory;
}

void
ret_report_free(RetReport *r)
{
	if (r->has_table)
		eng_table_free(&r->entities);
	if (r->masks != NULL)
		eng_free(r->memory, r->masks, (size_t) r->masks_capacity * sizeof(uint64_t));
	r->has_table = false;
	r->masks = NULL;
	r->masks_capacity = 0;
}

/* Room for masks[0 .. n - 1], new ones zero: doubling, from 1024. */
static RetStatus
masks_reserve(RetReport *r, uint32_t n)
{
	uint32_t	capacity = r->masks_capacity == 0 ? 1024 : r->masks_capacity;
	uint64_t   *masks;

	if (n <= r->masks_capacity)
		return RET_OK;
	while (capacity < n)
		capacity = capacity > UINT32_MAX / 2 ? UINT32_MAX : capacity * 2;
	masks = eng_alloc(r->memory, (size_t) capacity * sizeof(uint64_t));
	if (masks == NULL)
		return RET_ERR_MEMORY;
	memset(masks, 0, (size_t) capacity * sizeof(uint64_t));
	if (r->masks != NULL)
	{
		memcpy(masks, r->masks, (size_t) r->masks_capacity * sizeof(uint64_t));
		eng_free(r->memory, r->masks, (size_t) r->masks_capacity * sizeof(uint64_t));
	}
	r->masks = masks;
	r->masks_capacity = capacity;
	return RET_OK;
}

static RetStatus
ensure_table(RetReport *r)
{
	if (r->has_table)
		return RET_OK;
	if (eng_table_init(&r->entities, r->memory) != ENG_OK)
		return RET_ERR_MEMORY;
	r->has_table = true;
	return RET_OK;
}

RetStatus
ret_report_add(RetReport *r, const uint8_t *key, uint32_t len, uint64_t mask)
{
	uint32_t	id;
	bool		added;
	RetStatus	st;

	if (mask == 0)
		return RET_OK;
	if ((st = ensure_table(r)) != RET_OK)
		return st;
	if ((st = from_engine(eng_table_lookup(&r->entities, eng_key_hash(key, len), key, len, &id, &added))) != RET_OK)
		return st;
	if (added && (st = masks_reserve(r, id + 1)) != RET_OK)
		return st;
	r->masks[id] |= mask;
	return RET_OK;
}

RetStatus
ret_report_combine(RetReport *r, const RetReport *src)
{
	uint32_t   *map;
	uint32_t	n;
	RetStatus	st;

	if (!src->has_table || src->entities.count == 0)
		return RET_OK;
	if ((st = ensure_table(r)) != RET_OK)
		return st;
	n = src->entities.count;
	map = eng_alloc(r->memory, (size_t) n * sizeof(uint32_t));
	if (map == NULL)
		return RET_ERR_MEMORY;
	st = from_engine(eng_table_merge(&r->entities, &src->entities, map));
	if (st == RET_OK)
		st = masks_reserve(r, r->entities.count);
	if (st == RET_OK)
		for (uint32_t i = 0; i < n; i++)
			r->masks[map[i]] |= src->masks[i];
	eng_free(r->memory, map, (size_t) n * sizeof(uint32_t));
	return st;
}

void
ret_report_sums(const RetReport *r, int64_t *sums)
{
	int32_t		one[RET_MAX_CONDITIONS];
	uint32_t	n = r->has_table ? r->entities.count : 0;

	memset(sums, 0, sizeof(int64_t) * r->nconds);
	for (uint32_t id = 0; id < n; id++)
	{
		if ((r->masks[id] & 1) == 0)
			continue;
		ret_retention_result(r->masks[id], r->nconds, one);
		for (int k = 0; k < r->nconds; k++)
			sums[k] += one[k];
	}
}

#define REPORT_VERSION 1

size_t
ret_report_serial_size(const RetReport *r)
{
	if (!r->has_table)
		return 2 + 4;
	return 2 + eng_table_encoded_size(&r->entities) + (size_t) r->entities.count * 8;
}

void
ret_report_serialize(const RetReport *r, uint8_t *out)
{
	out = b2b_put_u8(out, REPORT_VERSION);
	out = b2b_put_u8(out, r->nconds);
	if (!r->has_table)
	{
		b2b_put_u32(out, 0);
		return;
	}
	out = eng_table_encode(&r->entities, out);
	for (uint32_t id = 0; id < r->entities.count; id++)
		out = b2b_put_u64(out, r->masks[id]);
}

RetStatus
ret_report_deserialize(RetReport *r, const uint8_t *in, size_t len, EngMemory *memory)
{
	uint32_t	count,
			   *map = NULL;
	size_t		used;
	RetStatus	st = RET_OK;

	if (len < 6 || in[0] != REPORT_VERSION || in[1] < 1 || in[1] > RET_MAX_CONDITIONS)
		return RET_ERR_CONDITIONS;
	ret_report_init(r, in[1], memory);
	if (eng_table_encoded_count(in + 2, len - 2, &count) != ENG_OK)
		return RET_ERR_CONDITIONS;
	if (count == 0)
		return len == 6 ? RET_OK : RET_ERR_CONDITIONS;
	/* every entity takes at least 4 bytes of key length and 8 of mask */
	if (count > (len - 2) / 12)
		return RET_ERR_CONDITIONS;
	if ((st = ensure_table(r)) != RET_OK)
		return st;
	map = eng_alloc(memory, (size_t) count * sizeof(uint32_t));
	if (map == NULL)
		st = RET_ERR_MEMORY;
	if (st == RET_OK)
	{
		EngStatus	es = eng_table_decode(&r->entities, in + 2, len - 2, &used, map);

		st = es == ENG_OK ? RET_OK : es == ENG_ERR_MEMORY ? RET_ERR_MEMORY : RET_ERR_CONDITIONS;
	}
	if (st == RET_OK && len - 2 - used != (size_t) count * 8)
		st = RET_ERR_CONDITIONS;
	if (st == RET_OK)
		st = masks_reserve(r, r->entities.count);
	for (uint32_t i = 0; st == RET_OK && i < count; i++)
	{
		uint64_t	mask = b2b_get_u64(in + 2 + used + 8 * (size_t) i);

		if (r->nconds < 64 && (mask >> r->nconds) != 0)
			st = RET_ERR_CONDITIONS;
		else
			r->masks[map[i]] |= mask;
	}
	if (map != NULL)
		eng_free(memory, map, (size_t) count * sizeof(uint32_t));
	if (st != RET_OK)
		ret_report_free(r);
	return st;
}
