/*
 * engine.c
 *		The per-entity event engine (see engine.h).
 */
#include "engine/engine.h"

#include <string.h>

#include "common/bytes.h"

/* ---- memory ------------------------------------------------------------------ */

void
eng_memory_init(EngMemory *m, const EngAllocator *a, size_t limit)
{
	m->allocator = a;
	m->used = 0;
	m->limit = limit;
	m->parent = NULL;
}

static bool
within_limit(const EngMemory *m, size_t size)
{
	return m->limit == 0 || (size <= m->limit && m->used <= m->limit - size);
}

void *
eng_alloc(EngMemory *m, size_t size)
{
	if (!within_limit(m, size) || (m->parent != NULL && !within_limit(m->parent, size)))
		return NULL;
	m->used += size;
	if (m->parent != NULL)
		m->parent->used += size;
	return m->allocator->alloc(size, m->allocator->ctx);
}

void
eng_free(EngMemory *m, void *ptr, size_t size)
{
	if (ptr == NULL)
		return;
	m->used -= size;
	if (m->parent != NULL)
		m->parent->used -= size;
	m->allocator->release(ptr, m->allocator->ctx);
}

void
eng_memory_detach(EngMemory *m)
{
	if (m->parent != NULL)
		m->parent->used -= m->used;
	m->used = 0;
	m->parent = NULL;
}

/* ---- keys ---------------------------------------------------------------------- */

uint64_t
eng_key_hash(const uint8_t *key, uint32_t len)
{
	uint64_t	h;

	if (len <= 8)
	{
		/* the value itself, then the length, through the bijection */
		h = 0;
		for (uint32_t i = 0; i < len; i++)
			h |= (uint64_t) key[i] << (8 * i);
		return eng_mix64(eng_mix64(h) ^ len);
	}
	/* longer keys: 8 bytes at a time, each folded through the finaliser */
	h = UINT64_C(0x6b2bd7e2a5f1c43d) ^ len;
	for (uint32_t i = 0; i + 8 <= len; i += 8)
		h = eng_mix64(h ^ b2b_get_u64(key + i)) + UINT64_C(0x9e3779b97f4a7c15);
	if (len % 8 != 0)
	{
		uint64_t	tail = 0;

		for (uint32_t i = len & ~7u; i < len; i++)
			tail |= (uint64_t) key[i] << (8 * (i % 8));
		h = eng_mix64(h ^ tail);
	}
	return eng_mix64(h);
}

/* ---- the entity table -------------------------------------------------------- */

#define INITIAL_INDEX_SLOTS 1024

static uint64_t *
new_index(EngMemory *m, uint32_t slots)
{
	uint64_t   *index = eng_alloc(m, sizeof(uint64_t) * slots);

	if (index != NULL)
		memset(index, 0, sizeof(uint64_t) * slots);
	return index;
}

EngStatus
eng_table_init(EngTable *t, EngMemory *memory)
{
	memset(t, 0, sizeof(*t));
	t->memory = memory;
	t->index = new_index(memory, INITIAL_INDEX_SLOTS);
	if (t->index == NULL)
		return ENG_ERR_MEMORY;
	t->index_mask = INITIAL_INDEX_SLOTS - 1;
	return ENG_OK;
}

void
eng_table_free(EngTable *t)
{
	for (uint32_t id = 0; id < t->count; id++)
	{
		const EngEntity *e = eng_table_entity(t, id);

		if (e->key_len > ENG_INLINE_KEY)
			eng_free(t->memory, e->key.ptr, e->key_len);
	}
	for (uint32_t b = 0; b < t->nblocks; b++)
		eng_free(t->memory, t->blocks[b], sizeof(EngEntity) * ENG_BLOCK);
	eng_free(t->memory, t->blocks, sizeof(EngEntity *) * t->blocks_capacity);
	eng_free(t->memory, t->index, sizeof(uint64_t) * ((size_t) t->index_mask + 1));
	memset(t, 0, sizeof(*t));
}

/* The slot's tag: the hash's top 32 bits, which the home slot (low bits) does not use. */
static inline uint64_t
slot_value(uint64_t hash, uint32_t id)
{
	return (hash >> 32) << 32 | ((uint64_t) id + 1);
}

static void
index_insert(uint64_t *index, uint32_t mask, uint64_t hash, uint32_t id)
{
	uint32_t	i = (uint32_t) hash & mask;

	while (index[i] != 0)
		i = (i + 1) & mask;
	index[i] = slot_value(hash, id);
}

/* Double the index when it is 3/4 full; linear probing stays short below that. */
static EngStatus
grow_index(EngTable *t)
{
	uint32_t	slots = (t->index_mask + 1) * 2;
	uint64_t   *index;

	if (slots == 0 || slots > (UINT32_C(1) << 31))
		return ENG_ERR_TOO_MANY;
	index = new_index(t->memory, slots);
	if (index == NULL)
		return ENG_ERR_MEMORY;
	for (uint32_t id = 0; id < t->count; id++)
		index_insert(index, slots - 1, eng_table_entity(t, id)->hash, id);
	eng_free(t->memory, t->index, sizeof(uint64_t) * ((size_t) t->index_mask + 1));
	t->index = index;
	t->index_mask = slots - 1;
	return ENG_OK;
}

static EngStatus
add_entity(EngTable *t, uint64_t hash, const uint8_t *key, uint32_t len, uint32_t *id)
{
	EngEntity  *e;
	uint32_t	block = t->count >> ENG_BLOCK_SHIFT;

	if (t->count >= ENG_MAX_ENTITIES)
		return ENG_ERR_TOO_MANY;
	if ((uint64_t) (t->count + 1) * 4 > (uint64_t) (t->index_mask + 1) * 3)
	{
		EngStatus	s = grow_index(t);

		if (s != ENG_OK)
			return s;
	}
	if (block == t->nblocks)
	{
		if (t->nblocks == t->blocks_capacity)
		{
			uint32_t	capacity = t->blocks_capacity ? 2 * t->blocks_capacity : 16;
			EngEntity **blocks = eng_alloc(t->memory, sizeof(EngEntity *) * capacity);

			if (blocks == NULL)
				return ENG_ERR_MEMORY;
			if (t->nblocks > 0)
				memcpy(blocks, t->blocks, sizeof(EngEntity *) * t->nblocks);
			eng_free(t->memory, t->blocks, sizeof(EngEntity *) * t->blocks_capacity);
			t->blocks = blocks;
			t->blocks_capacity = capacity;
		}
		t->blocks[t->nblocks] = eng_alloc(t->memory, sizeof(EngEntity) * ENG_BLOCK);
		if (t->blocks[t->nblocks] == NULL)
			return ENG_ERR_MEMORY;
		t->nblocks++;
	}
	e = &t->blocks[block][t->count & (ENG_BLOCK - 1)];
	e->hash = hash;
	e->key_len = len;
	e->pad = 0;
	if (len <= ENG_INLINE_KEY)
	{
		memset(e->key.bytes, 0, ENG_INLINE_KEY);
		if (len > 0)
			memcpy(e->key.bytes, key, len);
	}
	else
	{
		e->key.ptr = eng_alloc(t->memory, len);
		if (e->key.ptr == NULL)
			return ENG_ERR_MEMORY;
		memcpy(e->key.ptr, key, len);
	}
	*id = t->count;
	index_insert(t->index, t->index_mask, hash, t->count);
	t->count++;
	return ENG_OK;
}

EngStatus
eng_table_lookup(EngTable *t, uint64_t hash, const uint8_t *key, uint32_t len,
				 uint32_t *id, bool *added)
{
	uint32_t	i = (uint32_t) hash & t->index_mask;
	uint64_t	tag = hash >> 32;

	for (;;)
	{
		uint64_t	slot = t->index[i];

		if (slot == 0)
			break;
		if (slot >> 32 == tag)
		{
			uint32_t	candidate = (uint32_t) slot - 1;
			const EngEntity *e = eng_table_entity(t, candidate);

			if (e->hash == hash && e->key_len == len &&
				(len == 0 || memcmp(eng_entity_key(e), key, len) == 0))
			{
				*id = candidate;
				*added = false;
				return ENG_OK;
			}
		}
		i = (i + 1) & t->index_mask;
	}
	*added = true;
	return add_entity(t, hash, key, len, id);
}

size_t
eng_table_encoded_size(const EngTable *t)
{
	size_t		size = 4;

	for (uint32_t id = 0; id < t->count; id++)
		size += 4 + eng_table_entity(t, id)->key_len;
	return size;
}

uint8_t *
eng_table_encode(const EngTable *t, uint8_t *out)
{
	out = b2b_put_u32(out, t->count);
	for (uint32_t id = 0; id < t->count; id++)
	{
		const EngEntity *e = eng_table_entity(t, id);

		out = b2b_put_u32(out, e->key_len);
		out = b2b_put_bytes(out, eng_entity_key(e), e->key_len);
	}
	return out;
}

EngStatus
eng_table_encoded_count(const uint8_t *in, size_t len, uint32_t *count)
{
	if (len < 4)
		return ENG_ERR_CORRUPT;
	*count = b2b_get_u32(in);
	/* every entity takes at least its 4-byte length */
	if (*count > ENG_MAX_ENTITIES || *count > (len - 4) / 4)
		return ENG_ERR_CORRUPT;
	return ENG_OK;
}

EngStatus
eng_table_decode(EngTable *t, const uint8_t *in, size_t len, size_t *used, uint32_t *map)
{
	B2bReader	r = b2b_reader(in, len);
	uint32_t	count = b2b_read_u32(&r);

	if (!b2b_reader_ok(&r) || count > ENG_MAX_ENTITIES)
		return ENG_ERR_CORRUPT;
	for (uint32_t i = 0; i < count; i++)
	{
		uint32_t	key_len = b2b_read_u32(&r);
		const uint8_t *key;
		bool		added;
		EngStatus	s;

		if (!b2b_reader_ok(&r) || key_len > ENG_MAX_KEY)
			return ENG_ERR_CORRUPT;
		key = b2b_read_span(&r, key_len);
		if (key == NULL)
			return ENG_ERR_CORRUPT;
		s = eng_table_lookup(t, eng_key_hash(key, key_len), key, key_len, &map[i], &added);
		if (s != ENG_OK)
			return s;
		/* a key encoded twice maps twice to one entity: its rows belong together anyway */
	}
	*used = len - r.left;
	return ENG_OK;
}

EngStatus
eng_table_merge(EngTable *t, const EngTable *src, uint32_t *map)
{
	for (uint32_t id = 0; id < src->count; id++)
	{
		const EngEntity *e = eng_table_entity(src, id);
		bool		added;
		EngStatus	s = eng_table_lookup(t, e->hash, eng_entity_key(e), e->key_len, &map[id], &added);

		if (s != ENG_OK)
			return s;
	}
	return ENG_OK;
}

/* ---- the row log --------------------------------------------------------------- */

void
eng_log_init(EngLog *log, EngMemory *memory)
{
	memset(log, 0, sizeof(*log));
	log->memory = memory;
}

void
eng_log_free(EngLog *log)
{
	for (uint32_t c = 0; c < log->nchunks; c++)
		eng_free(log->memory, log->chunks[c], sizeof(EngLogChunk));
	eng_free(log->memory, log->chunks, sizeof(EngLogChunk *) * log->chunks_capacity);
	log->chunks = NULL;
	log->nchunks = log->chunks_capacity = 0;
	log->count = 0;
}

EngStatus
eng_log_grow(EngLog *log)
{
	if (log->nchunks == UINT32_MAX)
		return ENG_ERR_TOO_MANY;
	if (log->nchunks == log->chunks_capacity)
	{
		uint32_t	capacity = log->chunks_capacity ? 2 * log->chunks_capacity : 16;
		EngLogChunk **chunks = eng_alloc(log->memory, sizeof(EngLogChunk *) * capacity);

		if (chunks == NULL)
			return ENG_ERR_MEMORY;
		if (log->nchunks > 0)
			memcpy(chunks, log->chunks, sizeof(EngLogChunk *) * log->nchunks);
		eng_free(log->memory, log->chunks, sizeof(EngLogChunk *) * log->chunks_capacity);
		log->chunks = chunks;
		log->chunks_capacity = capacity;
	}
	log->chunks[log->nchunks] = eng_alloc(log->memory, sizeof(EngLogChunk));
	if (log->chunks[log->nchunks] == NULL)
		return ENG_ERR_MEMORY;
	log->nchunks++;
	return ENG_OK;
}

#define LOG_RECORD_BYTES 12

size_t
eng_log_encoded_size(const EngLog *log)
{
	return 8 + (size_t) log->count * LOG_RECORD_BYTES;
}

uint8_t *
eng_log_encode(const EngLog *log, uint8_t *out)
{
	out = b2b_put_u64(out, log->count);
	for (uint64_t i = 0; i < log->count; i++)
	{
		const EngLogChunk *c = log->chunks[i >> ENG_LOG_CHUNK_SHIFT];
		uint32_t	slot = (uint32_t) (i & (ENG_LOG_CHUNK - 1));

		out = b2b_put_u32(out, c->ids[slot]);
		out = b2b_put_u64(out, c->values[slot]);
	}
	return out;
}

EngStatus
eng_log_decode_mapped(EngLog *log, const uint8_t *in, size_t len, size_t *used,
					  const uint32_t *map, uint32_t nmap)
{
	B2bReader	r = b2b_reader(in, len);
	uint64_t	count = b2b_read_u64(&r);

	if (!b2b_reader_ok(&r) || count > r.left / LOG_RECORD_BYTES)
		return ENG_ERR_CORRUPT;
	for (uint64_t i = 0; i < count; i++)
	{
		uint32_t	id = b2b_read_u32(&r);
		uint64_t	value = b2b_read_u64(&r);
		EngStatus	s;

		if (id >= nmap)
			return ENG_ERR_CORRUPT;
		s = eng_log_append(log, map[id], value);
		if (s != ENG_OK)
			return s;
	}
	*used = len - r.left;
	return ENG_OK;
}

EngStatus
eng_log_append_mapped(EngLog *log, const EngLog *src, const uint32_t *map)
{
	for (uint64_t i = 0; i < src->count; i++)
	{
		const EngLogChunk *c = src->chunks[i >> ENG_LOG_CHUNK_SHIFT];
		uint32_t	slot = (uint32_t) (i & (ENG_LOG_CHUNK - 1));
		EngStatus	s = eng_log_append(log, map[c->ids[slot]], c->values[slot]);

		if (s != ENG_OK)
			return s;
	}
	return ENG_OK;
}

/*
 * A counting sort by entity id, in passes over consecutive id ranges: each
 * pass holds the values of as many entities as fit in the memory left.
 */
EngStatus
eng_log_group(const EngLog *log, uint32_t nentities, EngMemory *memory,
			  EngVisit visit, void *arg)
{
	uint32_t   *position;
	uint64_t   *scratch;
	uint64_t	budget;
	uint64_t	largest = 0;
	uint32_t	from = 0;
	size_t		counts_size = sizeof(uint32_t) * ((size_t) nentities + 1);

	if (nentities == 0 || log->count == 0)
		return ENG_OK;
	position = eng_alloc(memory, counts_size);
	if (position == NULL)
		return ENG_ERR_MEMORY;
	memset(position, 0, counts_size);
	for (uint64_t i = 0; i < log->count; i++)
	{
		uint32_t	id = log->chunks[i >> ENG_LOG_CHUNK_SHIFT]->ids[i & (ENG_LOG_CHUNK - 1)];

		if ((i & (ENG_CHECK_EVERY - 1)) == 0 && memory->allocator->check != NULL)
			memory->allocator->check(memory->allocator->ctx);
		if (position[id] == UINT32_MAX)
		{
			eng_free(memory, position, counts_size);
			return ENG_ERR_TOO_MANY;
		}
		position[id]++;
	}
	for (uint32_t id = 0; id < nentities; id++)
		if (position[id] > largest)
			largest = position[id];

	/* As many values per pass as the memory left holds, all when there is no limit. */
	budget = log->count;
	for (const EngMemory *m = memory; m != NULL; m = m->parent)
		if (m->limit != 0)
		{
			size_t		left = m->limit > m->used ? m->limit - m->used : 0;

			if (left / 2 / sizeof(uint64_t) < budget)
				budget = left / 2 / sizeof(uint64_t);
		}
	if (budget < largest)
	{
		eng_free(memory, position, counts_size);
		return ENG_ERR_MEMORY;
	}
	scratch = eng_alloc(memory, sizeof(uint64_t) * (budget > 0 ? budget : 1));
	if (scratch == NULL)
	{
		eng_free(memory, position, counts_size);
		return ENG_ERR_MEMORY;
	}

	while (from < nentities)
	{
		uint32_t	to = from;
		uint64_t	total = 0;
		uint32_t	begin = 0;
		bool		go_on = true;

		/* the range [from, to): counts become start positions */
		while (to < nentities && total + position[to] <= budget)
		{
			uint32_t	n = position[to];

			position[to] = (uint32_t) total;
			total += n;
			to++;
		}
		for (uint64_t i = 0; i < log->count; i++)
		{
			const EngLogChunk *c = log->chunks[i >> ENG_LOG_CHUNK_SHIFT];
			uint32_t	slot = (uint32_t) (i & (ENG_LOG_CHUNK - 1));
			uint32_t	id = c->ids[slot];

			if (slot == 0 && memory->allocator->check != NULL)
				memory->allocator->check(memory->allocator->ctx);
			if (id >= from && id < to)
				scratch[position[id]++] = c->values[slot];
		}
		/* position[id] is now the end of id's values, and the start of id + 1's */
		for (uint32_t id = from; id < to && go_on; id++)
		{
			uint32_t	end = position[id];

			if (end > begin)
				go_on = visit(id, scratch + begin, end - begin, arg);
			begin = end;
		}
		if (!go_on)
			break;
		from = to;
	}
	eng_free(memory, scratch, sizeof(uint64_t) * (budget > 0 ? budget : 1));
	eng_free(memory, position, counts_size);
	return ENG_OK;
}

/* ---- sorting ------------------------------------------------------------------------ */

static void
insertion_sort(uint64_t *v, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
	{
		uint64_t	x = v[i];
		uint32_t	j = i;

		while (j > 0 && v[j - 1] > x)
		{
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

static void
sift_down(uint64_t *v, uint32_t root, uint32_t n)
{
	for (;;)
	{
		uint32_t	child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && v[child + 1] > v[child])
			child++;
		if (v[root] >= v[child])
			return;
		{
			uint64_t	t = v[root];

			v[root] = v[child];
			v[child] = t;
		}
		root = child;
	}
}

static void
heap_sort(uint64_t *v, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (uint32_t end = n; end-- > 1;)
	{
		uint64_t	t = v[0];

		v[0] = v[end];
		v[end] = t;
		sift_down(v, 0, end);
	}
}

/* Quicksort, median of three, insertion sort below 24, heapsort past the depth limit. */
static void
intro_sort(uint64_t *v, uint32_t n, int depth, const EngAllocator *check)
{
	while (n > 24)
	{
		uint64_t	a = v[0],
					b = v[n / 2],
					c = v[n - 1];
		uint64_t	pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		uint32_t	i = 0,
					j = n - 1;

		if (depth-- == 0)
		{
			heap_sort(v, n);
			return;
		}
		if (n >= ENG_CHECK_EVERY && check != NULL && check->check != NULL)
			check->check(check->ctx);
		for (;;)
		{
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i >= j)
				break;
			{
				uint64_t	t = v[i];

				v[i] = v[j];
				v[j] = t;
			}
			i++;
			j--;
		}
		/* [0, j] <= pivot <= [j + 1, n): recurse into the smaller side */
		if (j + 1 < n - (j + 1))
		{
			intro_sort(v, j + 1, depth, check);
			v += j + 1;
			n -= j + 1;
		}
		else
		{
			intro_sort(v + j + 1, n - (j + 1), depth, check);
			n = j + 1;
		}
	}
	insertion_sort(v, n);
}

void
eng_sort_u64(uint64_t *v, uint32_t n, const EngAllocator *check)
{
	int			depth = 0;

	for (uint32_t m = n; m > 1; m >>= 1)
		depth += 2;
	intro_sort(v, n, depth, check);
}
