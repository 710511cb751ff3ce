/*
 * uv.c
 *		The pure C core of the uvsketch type (see uv.h for the layout and
 *		the binary format).  No PostgreSQL headers: memory comes from the
 *		caller's UvAllocator, errors are returned as UvError codes.
 *
 * How the count works
 * -------------------
 * Every value is reduced to a uniform 64-bit hash.  While a sketch has seen
 * few distinct hashes it simply keeps them, so its count is exact (64-bit
 * collisions are negligible below 10^9 values).  Past 7m/64 hashes that
 * list would be larger than the m registers of a HyperLogLog sketch, so it
 * turns into one: the top p bits of a hash pick a register, and the register
 * remembers the longest run of leading zeros (plus one, "rho") seen in the
 * other q = 64 - p bits.  Long runs are rare, so the registers reveal how
 * many distinct hashes went by.  The estimate is Otmar Ertl's "improved raw
 * estimator" (New cardinality estimation algorithms for HyperLogLog
 * sketches, 2017): unbiased over the whole range from a handful of values
 * to 2^64 without the empirical bias tables of HLL++, and with no switch
 * between linear counting and the raw estimate (the "hump" that switch
 * causes near 5m/2 is what postgresql-hll users see).
 */
#include "uv.h"

#include "common/bytes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Hash table capacities: 14, 62, 254, ... slots (and 126, 510, 2046 from the
 * initial table), so that the whole sketch (16-byte header + 8 bytes a slot)
 * is exactly a power of two bytes and fills a memory allocator chunk without
 * waste; the last step is m/8 slots.  A full table grows fourfold: 1 KiB,
 * 4 KiB, then 16 KiB at p = 14.  Every table a state outgrows stays on the
 * aggregate memory context's free lists, so fewer, larger steps keep a
 * group's whole footprint (the SSPACE the aggregates declare) near its
 * final size: 1 + 4 + 16 KiB rather than 1 + 2 + 4 + 8 + 16.
 */
#define UV_MIN_HASHSET_CAPACITY 14
#define UV_INITIAL_HASHSET_CAPACITY 126	/* 1 KiB (110 hashes) */
#define UV_NEXT_HASHSET_CAPACITY(c) (4 * (c) + 6)

static inline const uint64_t *
uv_hashes_const(const UvSketch *s)
{
	return (const uint64_t *) ((const char *) s + UV_HEADER_SIZE);
}

static inline const uint8_t *
uv_registers_const(const UvSketch *s)
{
	return (const uint8_t *) s + UV_HEADER_SIZE;
}

static inline uint32_t
uv_max_hashset_capacity(int precision)
{
	return ((uint32_t) 1 << precision) / 8;
}

/* The sparse forms hold at most 7m/64 hashes: a full table of m/8 slots,
 * which is m bytes, the size of the registers. */
uint32_t
uv_sparse_limit(int precision)
{
	return uv_hashset_load_limit(uv_max_hashset_capacity(precision));
}

size_t
uv_size(const UvSketch *s)
{
	if (s->repr == UV_REPR_DENSE)
		return UV_HEADER_SIZE + (size_t) s->capacity;
	return UV_HEADER_SIZE + (size_t) s->capacity * sizeof(uint64_t);
}

static UvSketch *
uv_alloc(const UvAllocator *a, uint8_t version, int precision, uint8_t repr, uint32_t capacity)
{
	UvSketch	header;
	UvSketch   *s;
	size_t		size;

	memset(&header, 0, sizeof(header));
	header.version = version;
	header.precision = (uint8_t) precision;
	header.repr = repr;
	header.capacity = capacity;
	size = uv_size(&header);
	s = a->alloc(size, a->ctx);
	memset(s, 0, size);
	*s = header;
	return s;
}

/* ---- dense registers ------------------------------------------------------ */

/*
 * Merge the registers of src (precision >= dst's) into dst.  Going from a
 * finer precision pf to a coarser pc moves the low d = pf - pc bits of each
 * fine index into the value part, in front of the old value bits: if those
 * moved bits are not all zero, the new rho is the position of their first
 * 1; if they are, the run of zeros continues into the old value, so the new
 * rho is d + old rho.  This gives exactly the registers the coarse sketch
 * would have built from the same hashes.
 */
static void
uv_dense_merge(UvSketch *dst, const UvSketch *src)
{
	int			d = src->precision - dst->precision;
	uint32_t	m_src = (uint32_t) 1 << src->precision;
	const uint8_t *in = uv_registers_const(src);
	uint8_t    *out = uv_registers(dst);
	uint32_t	i;

	if (d == 0)
	{
		for (i = 0; i < m_src; i++)
			if (out[i] < in[i])
				out[i] = in[i];
		return;
	}
	for (i = 0; i < m_src; i++)
	{
		uint32_t	moved = i & (((uint32_t) 1 << d) - 1);
		uint8_t		rho;

		if (in[i] == 0)
			continue;
		if (moved != 0)
			rho = (uint8_t) (__builtin_clz(moved) - (32 - d) + 1);
		else
			rho = (uint8_t) (d + in[i]);
		if (out[i >> d] < rho)
			out[i >> d] = rho;
	}
}

/* ---- sets of hashes (SPARSE, HASHSET) --------------------------------------- */

typedef struct UvIterator
{
	const UvSketch *s;
	uint32_t	next;
	int			zero_pending;
} UvIterator;

static void
uv_iter_init(UvIterator *it, const UvSketch *s)
{
	it->s = s;
	it->next = 0;
	it->zero_pending = (s->repr == UV_REPR_HASHSET && (s->flags & UV_FLAG_HAS_ZERO));
}

static int
uv_iter_next(UvIterator *it, uint64_t *hash)
{
	const uint64_t *h = uv_hashes_const(it->s);

	if (it->s->repr == UV_REPR_SPARSE)
	{
		if (it->next >= it->s->count)
			return 0;
		*hash = h[it->next++];
		return 1;
	}
	if (it->zero_pending)
	{
		it->zero_pending = 0;
		*hash = 0;
		return 1;
	}
	while (it->next < it->s->capacity)
	{
		uint64_t	v = h[it->next++];

		if (v != 0)
		{
			*hash = v;
			return 1;
		}
	}
	return 0;
}

/* A dense sketch of the given precision holding the hashes of set s. */
static UvSketch *
uv_set_to_dense(const UvSketch *s, int precision, const UvAllocator *a)
{
	UvSketch   *d = uv_alloc(a, s->version, precision, UV_REPR_DENSE, (uint32_t) 1 << precision);
	UvIterator	it;
	uint64_t	h;

	uv_iter_init(&it, s);
	while (uv_iter_next(&it, &h))
		uv_dense_add(d, h);
	return d;
}

/*
 * A mutable copy of set s at the given precision with room for `extra` more
 * hashes: a hash table of at least `capacity` slots when the hashes fit under
 * the sparse limit, else dense registers.
 */
static UvSketch *
uv_set_rebuild(const UvSketch *s, int precision, uint32_t extra, uint32_t capacity,
			   const UvAllocator *a)
{
	uint32_t	want = s->count + extra;
	uint32_t	max_capacity = uv_max_hashset_capacity(precision);
	UvSketch   *t;
	UvIterator	it;
	uint64_t	h;

	if (s->count > uv_sparse_limit(precision))
		return uv_set_to_dense(s, precision, a);
	if (want > uv_sparse_limit(precision))
		want = uv_sparse_limit(precision);
	while (capacity < max_capacity && uv_hashset_load_limit(capacity) < want)
		capacity = UV_NEXT_HASHSET_CAPACITY(capacity);
	if (capacity > max_capacity)
		capacity = max_capacity;
	t = uv_alloc(a, s->version, precision, UV_REPR_HASHSET, capacity);
	uv_iter_init(&it, s);
	while (uv_iter_next(&it, &h))
		(void) uv_hashset_insert(t, h);
	return t;
}

UvSketch *
uv_new(int precision, const UvAllocator *a)
{
	uint32_t	capacity = uv_max_hashset_capacity(precision);

	if (capacity > UV_INITIAL_HASHSET_CAPACITY)
		capacity = UV_INITIAL_HASHSET_CAPACITY;
	return uv_alloc(a, UV_VERSION_CURRENT, precision, UV_REPR_HASHSET, capacity);
}

UvSketch *
uv_add_hash_slow(UvSketch *s, uint64_t hash, const UvAllocator *a)
{
	UvSketch   *bigger;

	/*
	 * A full table grows fourfold (amortised O(1) per insert); past the
	 * sparse limit it becomes registers.  A SPARSE argument is read-only,
	 * so it is copied into a table with room for as many again first.
	 */
	if (s->repr == UV_REPR_HASHSET && s->count >= uv_sparse_limit(s->precision))
		bigger = uv_set_to_dense(s, s->precision, a);
	else if (s->repr == UV_REPR_HASHSET)
		bigger = uv_set_rebuild(s, s->precision, 1, UV_NEXT_HASHSET_CAPACITY(s->capacity), a);
	else
		bigger = uv_set_rebuild(s, s->precision, s->count + 1, UV_MIN_HASHSET_CAPACITY, a);
	if (bigger->repr == UV_REPR_DENSE)
		uv_dense_add(bigger, hash);
	else if (uv_hashset_insert(bigger, hash) < 0)
	{
		/* only when a SPARSE argument sat exactly at the limit */
		UvSketch   *dense = uv_set_to_dense(bigger, bigger->precision, a);

		a->release(bigger, a->ctx);
		uv_dense_add(dense, hash);
		bigger = dense;
	}
	return bigger;
}

UvSketch *
uv_fold(const UvSketch *s, int precision, const UvAllocator *a)
{
	UvSketch   *d;

	if (s->repr != UV_REPR_DENSE)
		return uv_set_rebuild(s, precision, 0, UV_MIN_HASHSET_CAPACITY, a);
	d = uv_alloc(a, s->version, precision, UV_REPR_DENSE, (uint32_t) 1 << precision);
	uv_dense_merge(d, s);
	return d;
}

/* Merge src (any representation, precision >= dst's) into dense dst. */
static void
uv_dense_union(UvSketch *dst, const UvSketch *src)
{
	UvIterator	it;
	uint64_t	h;

	if (src->repr == UV_REPR_DENSE)
	{
		uv_dense_merge(dst, src);
		return;
	}
	uv_iter_init(&it, src);
	while (uv_iter_next(&it, &h))
		uv_dense_add(dst, h);
}

UvSketch *
uv_union_into(UvSketch *dst, const UvSketch *src, const UvAllocator *a)
{
	int			precision = dst->precision < src->precision ? dst->precision : src->precision;
	UvSketch   *cur;
	UvIterator	it;
	uint64_t	h;

	if (dst->repr == UV_REPR_DENSE || src->repr == UV_REPR_DENSE)
	{
		if (dst->repr == UV_REPR_DENSE && dst->precision == precision)
			cur = dst;
		else if (dst->repr == UV_REPR_DENSE)
			cur = uv_fold(dst, precision, a);
		else
			cur = uv_set_to_dense(dst, precision, a);
		uv_dense_union(cur, src);
		return cur;
	}

	/* Two sets of hashes: insert src's hashes into a table at the precision. */
	if (dst->repr == UV_REPR_HASHSET && dst->precision == precision)
		cur = dst;
	else
		cur = uv_set_rebuild(dst, precision, src->count, UV_MIN_HASHSET_CAPACITY, a);
	uv_iter_init(&it, src);
	while (uv_iter_next(&it, &h))
	{
		UvSketch   *next = uv_add_hash(cur, h, a);

		if (next != cur)
		{
			if (cur != dst)
				a->release(cur, a->ctx);
			cur = next;
		}
	}
	return cur;
}

static int
uv_compare_hashes(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a;
	uint64_t	y = *(const uint64_t *) b;

	return (x > y) - (x < y);
}

UvSketch *
uv_canonical(UvSketch *s, const UvAllocator *a)
{
	UvSketch   *c;
	UvIterator	it;
	uint64_t	h;
	uint32_t	n = 0;

	if (s->repr != UV_REPR_HASHSET)
		return s;
	c = uv_alloc(a, s->version, s->precision, UV_REPR_SPARSE, s->count);
	uv_iter_init(&it, s);
	while (uv_iter_next(&it, &h))
		uv_hashes(c)[n++] = h;
	c->count = n;
	/* slots follow the top bits, so this input is nearly sorted already */
	qsort(uv_hashes(c), n, sizeof(uint64_t), uv_compare_hashes);
	return c;
}

/* ---- estimation ------------------------------------------------------------ */

/*
 * sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1) accounts for the empty
 * registers, tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3 for
 * the saturated ones (Ertl 2017, section 4).  Both series stop when adding a
 * term no longer changes the double.
 */
static double
uv_sigma(double x)
{
	double		y = 1.0;
	double		z = x;
	double		previous;

	if (x == 1.0)
		return INFINITY;
	do
	{
		x *= x;
		previous = z;
		z += x * y;
		y += y;
	} while (z != previous);
	return z;
}

static double
uv_tau(double x)
{
	double		y = 1.0;
	double		z = 1.0 - x;
	double		previous;

	if (x == 0.0 || x == 1.0)
		return 0.0;
	do
	{
		x = sqrt(x);
		previous = z;
		y *= 0.5;
		z -= (1.0 - x) * (1.0 - x) * y;
	} while (z != previous);
	return z / 3.0;
}

double
uv_ertl_estimate(const uint32_t *histogram, int precision)
{
	double		m = (double) ((uint32_t) 1 << precision);
	int			q = 64 - precision;
	double		z;
	int			k;

	z = m * uv_tau(1.0 - histogram[q + 1] / m);
	for (k = q; k >= 1; k--)
		z = 0.5 * (z + histogram[k]);
	z += m * uv_sigma(histogram[0] / m);
	/* alpha_inf = 1 / (2 ln 2); all registers empty gives z = inf, so 0 */
	return m * m / (2.0 * log(2.0) * z);
}

double
uv_estimate(const UvSketch *s)
{
	uint32_t	histogram[66];
	uint32_t	m;
	uint32_t	i;
	const uint8_t *reg;

	if (s->repr != UV_REPR_DENSE)
		return (double) s->count;
	memset(histogram, 0, sizeof(histogram));
	m = (uint32_t) 1 << s->precision;
	reg = uv_registers_const(s);
	for (i = 0; i < m; i++)		/* clamped: a damaged datum must not write past the end */
		histogram[reg[i] <= 65 - s->precision ? reg[i] : 65 - s->precision]++;
	return uv_ertl_estimate(histogram, s->precision);
}

/*
 * Is this in-memory sketch, a datum of size bytes (varlena header
 * included), safe to read?  Datums normally come from our own functions,
 * but a damaged table or a hand-made value must not make a reader run off
 * the end, overflow a buffer or probe a full hash table forever.  So the
 * header fields must agree with each other and with the size, sparse hashes
 * must be strictly increasing, and a hash table must hold as many hashes as
 * its count says (so it keeps a free slot).  Register values need no check:
 * uv_estimate() clamps them.  O(count) for the sets, O(1) for registers.
 */
UvError
uv_check_layout(const UvSketch *s, size_t size)
{
	uint32_t	i;
	uint32_t	used = 0;

	if (size < UV_HEADER_SIZE)
		return UV_ERR_TRUNCATED;
	if (s->version < UV_VERSION_1 || s->version > UV_VERSION_CURRENT)
		return UV_ERR_VERSION;
	if (s->precision < UV_PRECISION_MIN || s->precision > UV_PRECISION_MAX)
		return UV_ERR_PRECISION;
	switch (s->repr)
	{
		case UV_REPR_SPARSE:
			if (s->flags != 0)
				return UV_ERR_RESERVED;
			if (s->count > uv_sparse_limit(s->precision) || s->capacity != s->count)
				return UV_ERR_COUNT;
			break;
		case UV_REPR_DENSE:
			if (s->flags != 0 || s->count != 0)
				return UV_ERR_RESERVED;
			if (s->capacity != (uint32_t) 1 << s->precision)
				return UV_ERR_LENGTH;
			break;
		case UV_REPR_HASHSET:
			if ((s->flags & ~UV_FLAG_HAS_ZERO) != 0)
				return UV_ERR_RESERVED;
			if (s->capacity < 1 || s->capacity > uv_max_hashset_capacity(s->precision))
				return UV_ERR_LENGTH;
			if (s->count > uv_hashset_load_limit(s->capacity))
				return UV_ERR_COUNT;
			break;
		default:
			return UV_ERR_REPR;
	}
	if (size != uv_size(s))
		return UV_ERR_LENGTH;

	if (s->repr == UV_REPR_SPARSE)
	{
		for (i = 1; i < s->count; i++)
			if (uv_hashes_const(s)[i - 1] >= uv_hashes_const(s)[i])
				return UV_ERR_ORDER;
	}
	else if (s->repr == UV_REPR_HASHSET)
	{
		for (i = 0; i < s->capacity; i++)
			used += uv_hashes_const(s)[i] != 0;
		if (used + ((s->flags & UV_FLAG_HAS_ZERO) ? 1 : 0) != s->count)
			return UV_ERR_COUNT;
	}
	return UV_OK;
}

int
uv_equal(const UvSketch *a, const UvSketch *b)
{
	return a->version == b->version && a->precision == b->precision &&
		a->repr == b->repr && a->flags == b->flags && a->count == b->count &&
		a->capacity == b->capacity &&
		memcmp((const char *) a + UV_HEADER_SIZE, (const char *) b + UV_HEADER_SIZE,
			   uv_size(a) - UV_HEADER_SIZE) == 0;
}

/* ---- compatibility ------------------------------------------------------------ */

UvError
uv_check_union(const UvSketch *a, const UvSketch *b)
{
	return a->version == b->version ? UV_OK : UV_ERR_HASH_VERSION;
}

UvError
uv_check_add(const UvSketch *s)
{
	return s->version == UV_VERSION_CURRENT ? UV_OK : UV_ERR_HASH_VERSION;
}

/* ---- hash version 2 -------------------------------------------------------------- */

#define UV_NEGATIVE_NUMERIC	UINT64_C(0x6e65676174697665)	/* "negative" */
#define UV_NAN_NUMERIC		UINT64_C(0x6e756d6572696e61)	/* "numerina" */
#define UV_INFINITE_NUMERIC	UINT64_C(0x696e66696e697465)	/* "infinite" */

uint64_t
uv_hash_numeric(uint64_t type_hash, UvNumericKind kind)
{
	switch (kind)
	{
		case UV_NUMERIC_NONNEGATIVE:
			break;
		case UV_NUMERIC_NEGATIVE:
			type_hash ^= UV_NEGATIVE_NUMERIC;
			break;
		case UV_NUMERIC_NAN:
			type_hash ^= UV_NAN_NUMERIC;
			break;
		case UV_NUMERIC_PLUS_INFINITY:
			type_hash ^= UV_INFINITE_NUMERIC;
			break;
		case UV_NUMERIC_MINUS_INFINITY:
			type_hash ^= UV_INFINITE_NUMERIC ^ UV_NEGATIVE_NUMERIC;
			break;
	}
	return uv_mix64(type_hash);
}

/*
 * span = time + days x 86,400,000,000 as a 128-bit two's complement (hi, lo).
 * |days| < 2^37 and the constant < 2^37, so the product of magnitudes is
 * computed from 32-bit halves without overflow.
 */
#define UV_USECS_PER_DAY	UINT64_C(86400000000)

static void
uv_interval_span(int64_t time, int64_t days, int64_t *hi, uint64_t *lo)
{
	uint64_t	mag = days < 0 ? (uint64_t) 0 - (uint64_t) days : (uint64_t) days;
	uint64_t	a0 = mag & 0xffffffffu,
				a1 = mag >> 32;
	uint64_t	k0 = UV_USECS_PER_DAY & 0xffffffffu,
				k1 = UV_USECS_PER_DAY >> 32;
	uint64_t	p00 = a0 * k0,
				p01 = a0 * k1,
				p10 = a1 * k0,
				p11 = a1 * k1;
	uint64_t	mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
	uint64_t	plo = (p00 & 0xffffffffu) | (mid << 32);
	uint64_t	phi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
	uint64_t	tlo = (uint64_t) time;
	uint64_t	thi = time < 0 ? UINT64_MAX : 0;
	uint64_t	sum;

	if (days < 0)
	{
		/* negate the 128-bit product */
		plo = ~plo + 1;
		phi = ~phi + (plo == 0 ? 1 : 0);
	}
	sum = plo + tlo;
	phi = phi + thi + (sum < plo ? 1 : 0);
	*lo = sum;
	*hi = (int64_t) phi;
}

uint64_t
uv_hash_interval(int64_t time, int32_t day, int32_t month)
{
	int64_t		hi;
	uint64_t	lo;

	uv_interval_span(time, (int64_t) month * 30 + day, &hi, &lo);
	/* the span fits in 64 bits when hi is the sign extension of lo */
	if (hi == ((int64_t) lo < 0 ? -1 : 0))
		return uv_hash_int64((int64_t) lo);
	return uv_hash_step(uv_hash_int64((int64_t) lo), (uint64_t) hi);
}

uint64_t
uv_hash_timetz(int64_t time, int32_t zone)
{
	return uv_hash_step(uv_hash_int64(time), (uint64_t) (uint32_t) zone);
}

/* ---- external binary form ------------------------------------------------------ */

size_t
uv_wire_size(const UvSketch *canonical)
{
	if (canonical->repr == UV_REPR_DENSE)
		return UV_WIRE_HEADER_SIZE + canonical->capacity;
	return UV_WIRE_HEADER_SIZE + (size_t) canonical->count * 8;
}

void
uv_encode(const UvSketch *canonical, uint8_t *out)
{
	uint8_t    *p = out;
	uint32_t	i;

	p = b2b_put_u8(p, canonical->version);
	p = b2b_put_u8(p, canonical->precision);
	p = b2b_put_u8(p, canonical->repr);
	p = b2b_put_u8(p, 0);
	if (canonical->repr == UV_REPR_DENSE)
	{
		p = b2b_put_u32(p, 0);
		b2b_put_bytes(p, uv_registers_const(canonical), canonical->capacity);
		return;
	}
	p = b2b_put_u32(p, canonical->count);
	for (i = 0; i < canonical->count; i++)
		p = b2b_put_u64(p, uv_hashes_const(canonical)[i]);
}

UvError
uv_decode(const uint8_t *in, size_t len, UvSketch **out, const UvAllocator *a)
{
	B2bReader	r = b2b_reader(in, len);
	uint8_t		version = b2b_read_u8(&r);
	uint8_t		precision = b2b_read_u8(&r);
	uint8_t		repr = b2b_read_u8(&r);
	uint8_t		reserved = b2b_read_u8(&r);
	uint32_t	count = b2b_read_u32(&r);
	const uint8_t *payload;
	UvSketch   *s;
	uint32_t	i;

	*out = NULL;
	if (!b2b_reader_ok(&r))
		return UV_ERR_TRUNCATED;
	if (version < UV_VERSION_1 || version > UV_VERSION_CURRENT)
		return UV_ERR_VERSION;
	if (precision < UV_PRECISION_MIN || precision > UV_PRECISION_MAX)
		return UV_ERR_PRECISION;
	if (repr != UV_REPR_SPARSE && repr != UV_REPR_DENSE)
		return UV_ERR_REPR;
	if (reserved != 0)
		return UV_ERR_RESERVED;

	if (repr == UV_REPR_DENSE)
	{
		uint32_t	m = (uint32_t) 1 << precision;
		uint8_t		max_rho = (uint8_t) (64 - precision + 1);

		if (count != 0)
			return UV_ERR_RESERVED;
		payload = b2b_read_span(&r, m);
		if (payload == NULL)
			return UV_ERR_TRUNCATED;
		if (!b2b_reader_done(&r))
			return UV_ERR_LENGTH;
		for (i = 0; i < m; i++)
			if (payload[i] > max_rho)
				return UV_ERR_REGISTER;
		s = uv_alloc(a, version, precision, UV_REPR_DENSE, m);
		memcpy(uv_registers(s), payload, m);
		*out = s;
		return UV_OK;
	}

	/* the count is bounded before it sizes anything */
	if (count > uv_sparse_limit(precision))
		return UV_ERR_COUNT;
	payload = b2b_read_span(&r, (size_t) count * 8);
	if (payload == NULL)
		return UV_ERR_TRUNCATED;
	if (!b2b_reader_done(&r))
		return UV_ERR_LENGTH;
	for (i = 1; i < count; i++)
		if (b2b_get_u64(payload + 8 * (size_t) i) <= b2b_get_u64(payload + 8 * (size_t) (i - 1)))
			return UV_ERR_ORDER;
	s = uv_alloc(a, version, precision, UV_REPR_SPARSE, count);
	s->count = count;
	for (i = 0; i < count; i++)
		uv_hashes(s)[i] = b2b_get_u64(payload + 8 * (size_t) i);
	*out = s;
	return UV_OK;
}

const char *
uv_error_message(UvError err)
{
	switch (err)
	{
		case UV_OK:
			return "No error.";
		case UV_ERR_TRUNCATED:
			return "The data ends before the sketch does.";
		case UV_ERR_VERSION:
			return "The version byte is not 1 or 2, the hash versions this build reads.";
		case UV_ERR_PRECISION:
			return "The precision is outside 4 to 18.";
		case UV_ERR_REPR:
			return "The representation is not 1 (sparse) or 2 (dense).";
		case UV_ERR_RESERVED:
			return "A reserved field is not zero.";
		case UV_ERR_LENGTH:
			return "The length does not match the sketch's header.";
		case UV_ERR_COUNT:
			return "The sketch holds more hashes than its precision allows.";
		case UV_ERR_ORDER:
			return "The sparse hashes are not strictly increasing.";
		case UV_ERR_REGISTER:
			return "A register value exceeds 65 minus the precision.";
		case UV_ERR_HASH_VERSION:
			return "The sketches were built with different hash versions.";
	}
	return "Unknown error.";
}
