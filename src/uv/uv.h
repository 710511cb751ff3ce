/*
 * uv.h
 *		The pure C core of the uvsketch type: a HyperLogLog sketch of 64-bit
 *		hashes that counts exactly while small.  No PostgreSQL headers here:
 *		the core is unit-tested and fuzzed on its own (test/unit/uv_test.c,
 *		test/fuzz/uv_fuzz.c); src/uv/uv_pg.c is the server glue.
 *
 * Representations
 * ---------------
 * A sketch of precision p (UV_PRECISION_MIN..UV_PRECISION_MAX) has m = 2^p
 * registers.  It holds the distinct 64-bit hashes themselves while they are
 * few, so small counts are exact, and switches for good to registers when
 * the hashes would need more room than the registers:
 *
 *   UV_REPR_SPARSE   count hashes, sorted ascending, no duplicates.  At most
 *                    uv_sparse_limit(p) = 7m/64 of them (1,792 at p = 14).
 *   UV_REPR_DENSE    m one-byte registers; register i holds the largest rho
 *                    seen among hashes whose top p bits are i, where rho is
 *                    the position of the first 1 bit in the remaining
 *                    q = 64 - p bits (q + 1 when they are all zero).
 *   UV_REPR_HASHSET  aggregate state only, never stored or sent: the sparse
 *                    hashes in an open-addressing table (linear probing,
 *                    home slot from the top bits of the hash, 0 marks an
 *                    empty slot, a flag records the hash 0 itself), filled
 *                    to at most 7/8 of its capacity.  Inserting is O(1) and
 *                    deduplicates, so the per-row path never sorts.
 *
 * SPARSE and DENSE are canonical: the value a function returns to SQL is
 * always one of them, so byte equality is sketch equality.  A sketch is
 * sparse exactly when it has seen at most uv_sparse_limit(p) distinct hashes
 * (a dense sketch never goes back).
 *
 * In-memory layout (the datum: PostgreSQL varlena, host byte order)
 * -----------------------------------------------------------------
 *   offset 0   uint32 varlena header (set by the glue, never read here)
 *          4   uint8  version: the hash version, 1 or 2 (below)
 *          5   uint8  precision p
 *          6   uint8  representation
 *          7   uint8  flags (HASHSET: UV_FLAG_HAS_ZERO; otherwise 0)
 *          8   uint32 count: distinct hashes held (SPARSE, HASHSET); 0 (DENSE)
 *         12   uint32 capacity: hash slots (SPARSE: = count; HASHSET: 14, 30,
 *                     62, ... up to m/8) or m registers (DENSE)
 *         16   payload: uint64 hashes[capacity] or uint8 registers[m]
 *
 * External binary format (send/recv, bytea casts, text form): the contract
 * for stored and exchanged sketches.  Little-endian, canonical only:
 *   byte 0     version: 1 or 2, the hash version of the sketch's hashes
 *   byte 1     precision p, 4..18
 *   byte 2     representation: 1 = sparse, 2 = dense
 *   byte 3     0 (reserved)
 *   bytes 4-7  uint32: number of hashes (sparse); 0 (dense)
 *   sparse:    count x uint64 hashes, strictly increasing, count <= 7m/64
 *   dense:     m bytes, register values 0..q+1
 * The text form is "uv:" followed by the lowercase hex of those bytes.
 * uv_decode() checks every byte of that before trusting it.
 *
 * Hash versions
 * -------------
 * The version byte says how the values were hashed; the layout is the same.
 *   1  b2bmetrics 1.0: the type's extended hash, then uv_mix64().  PostgreSQL
 *      folds an int8 (and timestamp, time, interval) to 32 bits before
 *      hashing, and ignores the sign of a numeric inside arrays, records,
 *      ranges and jsonb, so such values collided.  Read, counted and printed
 *      as before; never written by this version.
 *   2  b2bmetrics 1.1: every integer-like value through uv_hash_int64() (a
 *      bijection of the full 64 bits), containers through uv_hash_step()
 *      over their structure and their elements' own version-2 hashes.
 * Sketches of different versions hold incomparable hashes: uv_check_union()
 * refuses to combine them, uv_check_add() refuses to add a new hash to a
 * version 1 sketch.
 */
#ifndef B2B_UV_H
#define B2B_UV_H

#include <stddef.h>
#include <stdint.h>

#define UV_VERSION_1			1	/* hash version of b2bmetrics 1.0 */
#define UV_VERSION_CURRENT		2	/* hash version of new sketches */
#define UV_PRECISION_MIN		4
#define UV_PRECISION_MAX		18
#define UV_PRECISION_DEFAULT	14

#define UV_REPR_SPARSE			1
#define UV_REPR_DENSE			2
#define UV_REPR_HASHSET			3

#define UV_FLAG_HAS_ZERO		0x01

#define UV_HEADER_SIZE			16	/* in memory, varlena header included */
#define UV_WIRE_HEADER_SIZE		8	/* external binary format */
#define UV_TEXT_PREFIX			"uv"	/* text form: "uv:" + hex */

typedef struct UvSketch
{
	uint32_t	vl_len_;		/* varlena header: owned by the glue */
	uint8_t		version;
	uint8_t		precision;
	uint8_t		repr;
	uint8_t		flags;
	uint32_t	count;
	uint32_t	capacity;
	/* payload follows, 8-byte aligned */
} UvSketch;

/*
 * Memory comes from the caller (palloc in the server, malloc in the tests).
 * alloc must return 8-byte aligned memory or not return at all.
 */
typedef struct UvAllocator
{
	void	   *(*alloc) (size_t size, void *ctx);
	void		(*release) (void *ptr, void *ctx);
	void	   *ctx;
} UvAllocator;

/* Error codes of the decoders (0 is success). */
typedef enum UvError
{
	UV_OK = 0,
	UV_ERR_TRUNCATED,			/* fewer bytes than the header or payload needs */
	UV_ERR_VERSION,				/* unknown format version */
	UV_ERR_PRECISION,			/* precision outside 4..18 */
	UV_ERR_REPR,				/* unknown representation */
	UV_ERR_RESERVED,			/* a reserved field is not zero */
	UV_ERR_LENGTH,				/* more bytes than the header announces */
	UV_ERR_COUNT,				/* too many sparse hashes for the precision */
	UV_ERR_ORDER,				/* sparse hashes not strictly increasing */
	UV_ERR_REGISTER,			/* a register above q + 1 */
	UV_ERR_HASH_VERSION			/* sketches of different hash versions */
} UvError;

/* Sizes and limits. */
extern uint32_t uv_sparse_limit(int precision);
extern size_t uv_size(const UvSketch *s);

/*
 * The 64-bit finaliser of splitmix64: two rounds of xor-shift and
 * multiplication by an odd constant, so each input bit flips about half of
 * the output bits, and a bijection (each step can be undone), so distinct
 * inputs give distinct outputs.  Part of the stored format.
 */
static inline uint64_t
uv_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/* ---- hash version 2: what a value contributes (the glue picks the kind) -- */

/* Seed of the type hash functions ("uvsketch"), and splitmix64's increment. */
#define UV_HASH_SEED		UINT64_C(0x7576736b65746368)
#define UV_HASH_GAMMA		UINT64_C(0x9e3779b97f4a7c15)

/*
 * An integer-like value (int2, int4 and int8 sign-extended, so equal values
 * of different widths agree; date, timestamps, time, oid, bool, money,
 * pg_lsn, ...): splitmix64 of the value itself.  A bijection of the full 64
 * bits, so distinct values never collide.
 */
static inline uint64_t
uv_hash_int64(int64_t v)
{
	return uv_mix64((uint64_t) v * UV_HASH_GAMMA + UV_HASH_SEED);
}

/* Any other leaf: the type's extended hash (seed UV_HASH_SEED), finalised. */
static inline uint64_t
uv_hash_typed(uint64_t type_hash)
{
	return uv_mix64(type_hash);
}

/*
 * A numeric: PostgreSQL's numeric hash ignores the sign and gives NaN and
 * both infinities one hash, so those are told apart here (constants, then
 * the finaliser).  Same value as hash version 1 gave a top-level numeric.
 */
typedef enum UvNumericKind
{
	UV_NUMERIC_NONNEGATIVE,
	UV_NUMERIC_NEGATIVE,
	UV_NUMERIC_NAN,
	UV_NUMERIC_PLUS_INFINITY,
	UV_NUMERIC_MINUS_INFINITY
} UvNumericKind;

extern uint64_t uv_hash_numeric(uint64_t type_hash, UvNumericKind kind);

/*
 * An interval compares by its span time + (30 months + days) x 1 day in
 * microseconds, 128 bits wide ('1 day' = '24 hours'); the hash is of that
 * span, a bijection while it fits in 64 bits.  A time with time zone
 * compares by both fields.
 */
extern uint64_t uv_hash_interval(int64_t time, int32_t day, int32_t month);
extern uint64_t uv_hash_timetz(int64_t time, int32_t zone);

/*
 * Containers (arrays, records, ranges, multiranges, jsonb) fold their
 * structure and their elements' hashes left to right: acc starts as
 * uv_hash_begin(kind) and takes one uv_hash_step() per part.  For a fixed
 * acc a step is a bijection of x, and for a fixed x a bijection of acc, so
 * two sequences of one length that differ in one part never collide.  A
 * NULL element is a step of its own kind (uv_hash_null_step).
 */
typedef enum UvHashTag
{
	UV_TAG_ARRAY = 1,
	UV_TAG_RECORD,
	UV_TAG_RANGE,
	UV_TAG_MULTIRANGE,
	UV_TAG_JSONB,
	UV_TAG_NULL,
	UV_TAG_JSON_BEGIN_ARRAY,
	UV_TAG_JSON_BEGIN_SCALAR,	/* a top-level scalar (a "raw scalar" array) */
	UV_TAG_JSON_END_ARRAY,
	UV_TAG_JSON_BEGIN_OBJECT,
	UV_TAG_JSON_END_OBJECT,
	UV_TAG_JSON_KEY,
	UV_TAG_JSON_VALUE,
	UV_TAG_JSON_ELEM,
	UV_TAG_JSON_NULL,
	UV_TAG_JSON_FALSE,
	UV_TAG_JSON_TRUE
} UvHashTag;

static inline uint64_t
uv_hash_step(uint64_t acc, uint64_t x)
{
	return uv_mix64((acc ^ x) + UV_HASH_GAMMA);
}

static inline uint64_t
uv_hash_begin(UvHashTag kind)
{
	return uv_hash_step(UV_HASH_SEED, (uint64_t) kind);
}

static inline uint64_t
uv_hash_null_step(uint64_t acc)
{
	return uv_hash_step(uv_hash_step(acc, UV_TAG_NULL), UV_TAG_NULL);
}

/* A new empty sketch (HASHSET, current hash version) of a valid precision. */
extern UvSketch *uv_new(int precision, const UvAllocator *a);

/*
 * The per-row path, inline: setting a register, or inserting into the hash
 * table while it has room.  Growing is uv_add_hash_slow() in uv.c.
 */
static inline uint64_t *
uv_hashes(UvSketch *s)
{
	return (uint64_t *) ((char *) s + UV_HEADER_SIZE);
}

static inline uint8_t *
uv_registers(UvSketch *s)
{
	return (uint8_t *) s + UV_HEADER_SIZE;
}

/*
 * A hash table is filled to at most 7/8: linear probing stays short at that
 * load (most lookups are repeat visitors, found in a few probes of one cache
 * line), and memory matters more, because every group of a GROUP BY holds
 * its own table.
 */
static inline uint32_t
uv_hashset_load_limit(uint32_t capacity)
{
	return (uint32_t) ((uint64_t) capacity * 7 / 8);
}

/* register[top p bits] = max(register, rho of the other q = 64 - p bits) */
static inline void
uv_dense_add(UvSketch *s, uint64_t hash)
{
	int			p = s->precision;
	uint32_t	index = (uint32_t) (hash >> (64 - p));
	uint64_t	rest = hash << p;
	uint8_t		rho = rest ? (uint8_t) (__builtin_clzll(rest) + 1) : (uint8_t) (64 - p + 1);
	uint8_t    *reg = uv_registers(s) + index;

	if (*reg < rho)
		*reg = rho;
}

/* 1: inserted, 0: already there, -1: no room (the table is at 7/8). */
static inline int
uv_hashset_insert(UvSketch *s, uint64_t hash)
{
	uint64_t   *slots = uv_hashes(s);
	uint32_t	capacity = s->capacity;
	uint32_t	i;

	if (hash == 0)
	{
		if (s->flags & UV_FLAG_HAS_ZERO)
			return 0;
		if (s->count >= uv_hashset_load_limit(capacity))
			return -1;
		s->flags |= UV_FLAG_HAS_ZERO;
		s->count++;
		return 1;
	}

	/*
	 * The home slot scales the top 32 bits to the capacity (a multiply
	 * instead of a modulo): uniform, and it keeps the table nearly sorted.
	 */
	i = (uint32_t) (((hash >> 32) * capacity) >> 32);
	while (slots[i] != 0)
	{
		if (slots[i] == hash)
			return 0;
		if (++i == capacity)
			i = 0;
	}
	if (s->count >= uv_hashset_load_limit(capacity))
		return -1;
	slots[i] = hash;
	s->count++;
	return 1;
}

extern UvSketch *uv_add_hash_slow(UvSketch *s, uint64_t hash, const UvAllocator *a);

/*
 * Add one hash.  DENSE and HASHSET sketches with room are updated in place
 * and returned; otherwise a new, larger sketch is returned and the argument
 * is left untouched (the caller frees it when it owns it).
 */
static inline UvSketch *
uv_add_hash(UvSketch *s, uint64_t hash, const UvAllocator *a)
{
	if (s->repr == UV_REPR_DENSE)
	{
		uv_dense_add(s, hash);
		return s;
	}
	if (s->repr == UV_REPR_HASHSET && uv_hashset_insert(s, hash) >= 0)
		return s;
	return uv_add_hash_slow(s, hash, a);
}

/*
 * dst := dst UNION src, at the smaller of the two precisions.  Updates dst
 * in place when it can (DENSE, HASHSET) and returns it; otherwise returns a
 * new sketch and leaves dst untouched.  src is never modified.
 */
extern UvSketch *uv_union_into(UvSketch *dst, const UvSketch *src, const UvAllocator *a);

/* s itself when canonical (SPARSE, DENSE), else a new canonical copy. */
extern UvSketch *uv_canonical(UvSketch *s, const UvAllocator *a);

/* A copy of s at a smaller or equal precision (hashes fold exactly). */
extern UvSketch *uv_fold(const UvSketch *s, int precision, const UvAllocator *a);

/* The cardinality estimate: exact below the sparse limit, else Ertl's. */
extern double uv_estimate(const UvSketch *s);

/* Byte equality of two canonical sketches. */
extern int	uv_equal(const UvSketch *a, const UvSketch *b);

/*
 * May a and b be combined (union, ||, the aggregates over sketches)?  Only
 * when their hashes have the same version: UV_ERR_HASH_VERSION otherwise.
 */
extern UvError uv_check_union(const UvSketch *a, const UvSketch *b);

/* May a value hashed now (UV_VERSION_CURRENT) be added to s? */
extern UvError uv_check_add(const UvSketch *s);

/* External binary format of a canonical sketch (the text form is its hex). */
extern size_t uv_wire_size(const UvSketch *canonical);
extern void uv_encode(const UvSketch *canonical, uint8_t *out);
/* Checks an in-memory datum of size bytes before it is read (see uv.c). */
extern UvError uv_check_layout(const UvSketch *s, size_t size);
extern UvError uv_decode(const uint8_t *in, size_t len, UvSketch **out, const UvAllocator *a);

/* A full sentence (capitalized, with a period) for errdetail. */
extern const char *uv_error_message(UvError err);

/* Ertl's estimator over a register histogram, exposed for the tests. */
extern double uv_ertl_estimate(const uint32_t *histogram, int precision);

#endif							/* B2B_UV_H */
