/*
 * engine.h
 *		The per-entity event engine: what every family that computes per user,
 *		visitor or account needs, built once.  Pure C (no PostgreSQL headers),
 *		unit-tested in test/unit/engine_test.c.
 *
 * A whole-table aggregate such as funnel_report(visitor_id, ts, ...) groups by
 * entity inside one aggregate instead of asking PostgreSQL to GROUP BY the
 * entity (a sort or a hash table of millions of groups, each with a state of
 * its own that every row must chase).  The engine gives it three things:
 *
 *   EngTable   the entities: an open-addressing index over 64-bit hashes of
 *              canonical key bytes (equal keys have equal bytes; the glue
 *              makes them so), each entity with a dense id 0, 1, 2, ... in
 *              order of arrival.  Ids never change, so they can be stored.
 *
 *   EngLog     the rows: an append-only log of (key, value) pairs in 1 MB
 *              chunks.  A row costs one sequential write: with 8-byte keys
 *              (integer entities) the key is the entity itself and nothing
 *              per entity is touched while scanning; other keys are first
 *              mapped to ids by the table.  At the end, eng_log_runs() sorts
 *              each chunk in cache and merges them, handing each entity's
 *              rows in order.
 *
 *   memory     every allocation is counted against a limit (the glue sets
 *              work_mem x hash_mem_multiplier); going beyond it is a status
 *              the glue reports (53200), never an out-of-memory kill.
 *
 * Values are the family's business; eng_pack_time() packs a timestamp and a
 * small tag (a funnel's step mask) into one sortable 64-bit value, so sorting
 * an entity's values sorts its rows by time.
 *
 * Both structures have a little-endian byte encoding, so partial aggregates
 * from parallel workers can be combined: eng_table_merge() maps the other
 * table's ids into this one, and eng_log_append_log() adds its rows.
 */
#ifndef B2B_ENGINE_H
#define B2B_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum EngStatus
{
	ENG_OK = 0,
	ENG_ERR_MEMORY,				/* beyond the memory limit */
	ENG_ERR_TOO_MANY,			/* more entities or rows than ids and counts hold */
	ENG_ERR_CORRUPT				/* encoded bytes fail validation */
} EngStatus;

/* Memory comes from the caller; alloc returns 8-byte aligned memory or does not return. */
typedef struct EngAllocator
{
	void	   *(*alloc) (size_t size, void *ctx);
	void		(*release) (void *ptr, void *ctx);
	void		(*check) (void *ctx);	/* NULL, or called now and then in long loops
										 * (the glue checks for interrupts there) */
	void	   *ctx;
} EngAllocator;

/* Call the allocator's check, if any, every 2^16 units of work. */
#define ENG_CHECK_EVERY 65536

/*
 * What a table or log has allocated, against its limit.  With a parent, every
 * byte also counts against the parent's limit: the states of all groups of one
 * aggregate share one budget, each knowing its own share.
 */
typedef struct EngMemory
{
	const EngAllocator *allocator;
	size_t		used;
	size_t		limit;			/* 0: no limit */
	struct EngMemory *parent;	/* NULL, or shared with other states */
} EngMemory;

extern void eng_memory_init(EngMemory *m, const EngAllocator *a, size_t limit);
/* Give back m's share of its parent (when m's memory went away without eng_free). */
extern void eng_memory_detach(EngMemory *m);
/* NULL when the allocation would exceed the limit. */
extern void *eng_alloc(EngMemory *m, size_t size);
extern void eng_free(EngMemory *m, void *ptr, size_t size);

/* ---- keys ---------------------------------------------------------------- */

/* A bijective 64-bit finaliser (splitmix64's): distinct inputs, distinct outputs. */
static inline uint64_t
eng_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/* The hash of canonical key bytes (keys of 8 bytes or fewer hash by value). */
extern uint64_t eng_key_hash(const uint8_t *key, uint32_t len);

/* ---- the entity table -------------------------------------------------------- */

#define ENG_INLINE_KEY	16		/* keys up to this long live in the entity itself */
#define ENG_MAX_KEY		(1u << 20)	/* longer keys are refused by the glue */
#define ENG_MAX_ENTITIES (UINT32_MAX / 2)

typedef struct EngEntity
{
	uint64_t	hash;
	uint32_t	key_len;
	uint32_t	pad;
	union
	{
		uint8_t		bytes[ENG_INLINE_KEY];
		uint8_t    *ptr;		/* key_len > ENG_INLINE_KEY */
	}			key;
} EngEntity;

/*
 * An index slot: the entity's full hash and its id + 1 (0: empty).  While
 * every key has 8 bytes (integer entities), a key's hash is a bijection of it
 * (eng_key_hash), so equal hashes mean equal keys and a lookup reads only the
 * slot; other keys are compared in the entity after the hash matches.
 */
typedef struct EngSlot
{
	uint64_t	hash;
	uint32_t	id_plus1;
	uint32_t	unused;
} EngSlot;

typedef struct EngTable
{
	EngMemory  *memory;
	uint32_t	count;			/* entities, ids 0 .. count - 1 */
	uint32_t	index_mask;		/* index slots - 1 (a power of two minus one) */
	EngSlot    *index;
	bool		all_keys_8;		/* every key so far has 8 bytes */
	EngEntity **blocks;			/* entities in blocks of ENG_BLOCK, so they never move */
	uint32_t	nblocks;
	uint32_t	blocks_capacity;
} EngTable;

#define ENG_BLOCK_SHIFT	10
#define ENG_BLOCK		(1u << ENG_BLOCK_SHIFT)

extern EngStatus eng_table_init(EngTable *t, EngMemory *memory);
extern void eng_table_free(EngTable *t);

/* The id of the entity with this key, adding it if new (*added says which). */
extern EngStatus eng_table_lookup(EngTable *t, uint64_t hash, const uint8_t *key, uint32_t len,
								  uint32_t *id, bool *added);

static inline const EngEntity *
eng_table_entity(const EngTable *t, uint32_t id)
{
	return &t->blocks[id >> ENG_BLOCK_SHIFT][id & (ENG_BLOCK - 1)];
}

static inline const uint8_t *
eng_entity_key(const EngEntity *e)
{
	return e->key_len <= ENG_INLINE_KEY ? e->key.bytes : e->key.ptr;
}

/*
 * Encoding: u32 count, then per entity u32 key_len and the key bytes (hashes
 * are recomputed on decode, never trusted).  eng_table_decode() adds the
 * entities to t (which may already hold some) and fills map[i] with the id in
 * t of the i-th encoded entity; map has room for eng_table_encoded_count().
 */
extern size_t eng_table_encoded_size(const EngTable *t);
extern uint8_t *eng_table_encode(const EngTable *t, uint8_t *out);
extern EngStatus eng_table_encoded_count(const uint8_t *in, size_t len, uint32_t *count);
extern EngStatus eng_table_decode(EngTable *t, const uint8_t *in, size_t len, size_t *used,
								  uint32_t *map);
/* Add every entity of src to t; map[i] = id in t of src's entity i. */
extern EngStatus eng_table_merge(EngTable *t, const EngTable *src, uint32_t *map);

/* ---- the row log --------------------------------------------------------------- */

/*
 * A row: the entity's key (its 8-byte key value, or its id in an EngTable,
 * or whatever the family packs there) and a 64-bit value.
 */
typedef struct EngPair
{
	uint64_t	key;
	uint64_t	value;
} EngPair;

#define ENG_LOG_CHUNK_SHIFT	16
#define ENG_LOG_CHUNK		(1u << ENG_LOG_CHUNK_SHIFT)	/* rows per chunk (1 MB) */

typedef struct EngLogChunk
{
	EngPair		pairs[ENG_LOG_CHUNK];
} EngLogChunk;

/*
 * The first chunk starts with room for ENG_LOG_FIRST rows and doubles up to a
 * whole chunk, so a group with a few rows costs a few hundred bytes; every
 * later chunk is whole.
 */
#define ENG_LOG_FIRST		64

typedef struct EngLog
{
	EngMemory  *memory;
	uint64_t	count;			/* rows */
	EngLogChunk **chunks;
	uint32_t	nchunks;
	uint32_t	chunks_capacity;
	uint32_t	first_capacity;	/* rows the first chunk has room for */
} EngLog;

extern void eng_log_init(EngLog *log, EngMemory *memory);
extern void eng_log_free(EngLog *log);
extern EngStatus eng_log_grow(EngLog *log);

static inline EngStatus
eng_log_append(EngLog *log, uint64_t key, uint64_t value)
{
	uint64_t	slot = log->count & (ENG_LOG_CHUNK - 1);
	EngPair    *p;

	if (log->count < ENG_LOG_CHUNK ? log->count == log->first_capacity
		: slot == 0 && log->count == (uint64_t) log->nchunks * ENG_LOG_CHUNK)
	{
		EngStatus	s = eng_log_grow(log);

		if (s != ENG_OK)
			return s;
	}
	p = &log->chunks[log->count >> ENG_LOG_CHUNK_SHIFT]->pairs[slot];
	p->key = key;
	p->value = value;
	log->count++;
	return ENG_OK;
}

static inline EngPair *
eng_log_pair(const EngLog *log, uint64_t i)
{
	return &log->chunks[i >> ENG_LOG_CHUNK_SHIFT]->pairs[i & (ENG_LOG_CHUNK - 1)];
}

/* Encoding: u64 count, then count x (u64 key, u64 value). */
extern size_t eng_log_encoded_size(const EngLog *log);
extern uint8_t *eng_log_encode(const EngLog *log, uint8_t *out);
/*
 * Append encoded rows.  With a map, keys are ids: a key >= nmap is corrupt,
 * and it is replaced by map[key].  Without one (NULL), keys are kept.
 */
extern EngStatus eng_log_decode(EngLog *log, const uint8_t *in, size_t len, size_t *used,
								const uint32_t *map, uint32_t nmap);
/* Append src's rows, their keys mapped through map (ids), or kept (map NULL). */
extern EngStatus eng_log_append_log(EngLog *log, const EngLog *src, const uint32_t *map);

/*
 * Sort the rows by (key, value) and hand each run of rows whose keys agree
 * above the low key_shift bits (0: equal keys) to visit, runs in key order,
 * each run's rows in (key, value) order, in one or more pieces: run_ends is
 * true on a run's last piece.  Each chunk is sorted in place (a radix sort
 * with scratch for one chunk) and the chunks are merged; no run is gathered,
 * so the memory needed beyond the rows is one chunk's scratch.  The log keeps
 * its rows, reordered.  visit returns false to stop.
 */
typedef bool (*EngVisit) (const EngPair *rows, uint32_t n, bool run_ends, void *arg);
extern EngStatus eng_log_runs(EngLog *log, int key_shift, EngMemory *memory, EngVisit visit, void *arg);

/* Sort pairs by (key, value) in place (introsort); check may be NULL. */
extern void eng_sort_pairs(EngPair *p, uint32_t n, const EngAllocator *check);

/* ---- values ---------------------------------------------------------------------- */

/*
 * A timestamp and a tag of tag_bits bits (1..32) in one value that sorts by
 * time first: ((ts - base) + 2^(63 - tag_bits)) << tag_bits | tag.  It fits
 * when |ts - base| < 2^(63 - tag_bits) (about 4.4 years either side of base
 * in microseconds with 16 tag bits, 9,000 years with 5); eng_time_fits()
 * says whether it does.
 */
static inline bool
eng_time_fits(int64_t ts, int64_t base, int tag_bits)
{
	int64_t		half = (int64_t) (UINT64_C(1) << (63 - tag_bits));

	/* ts - base without overflow: both sides of base separately */
	if (ts >= base)
		return (uint64_t) ts - (uint64_t) base < (uint64_t) half;
	return (uint64_t) base - (uint64_t) ts <= (uint64_t) half;
}

static inline uint64_t
eng_pack_time(int64_t ts, int64_t base, int tag_bits, uint32_t tag)
{
	uint64_t	biased = (uint64_t) ts - (uint64_t) base + (UINT64_C(1) << (63 - tag_bits));

	return biased << tag_bits | tag;
}

static inline int64_t
eng_unpack_time(uint64_t v, int64_t base, int tag_bits)
{
	return (int64_t) ((v >> tag_bits) - (UINT64_C(1) << (63 - tag_bits)) + (uint64_t) base);
}

static inline uint32_t
eng_unpack_tag(uint64_t v, int tag_bits)
{
	return (uint32_t) (v & ((UINT64_C(1) << tag_bits) - 1));
}

/* A time as an unsigned key that sorts like it (the sign bit flipped), and back. */
static inline uint64_t
eng_time_key(int64_t ts)
{
	return (uint64_t) ts ^ (UINT64_C(1) << 63);
}

static inline int64_t
eng_key_time(uint64_t key)
{
	return (int64_t) (key ^ (UINT64_C(1) << 63));
}

/* Sort values ascending, in place (insertion sort when few, else introsort); check may be NULL. */
extern void eng_sort_u64(uint64_t *v, uint32_t n, const EngAllocator *check);

#endif							/* B2B_ENGINE_H */
