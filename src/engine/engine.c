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

/* Call the allocator's check every ENG_CHECK_EVERY units of work. */
static inline void
check_now_and_then(const EngMemory *m, uint64_t i)
{
	if ((i & (ENG_CHECK_EVERY - 1)) == 0 && m->allocator->check != NULL)
		m->allocator->check(m->allocator->ctx);
}

/* ---- keys ---------------------------------------------------------------------- */

/*
 * For a key of 8 bytes the hash is eng_mix64 of its value, a bijection: two
 * 8-byte keys are equal exactly when their hashes are (EngTable relies on it).
 */
uint64_t
eng_key_hash(const uint8_t *key, uint32_t len)
{
	uint64_t	h;

	if (len == 8)
		return eng_mix64(b2b_get_u64(key));
	if (len < 8)
	{
		/* the value, then the length, through the finaliser */
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

static EngSlot *
new_index(EngMemory *m, uint32_t slots)
{
	EngSlot    *index = eng_alloc(m, sizeof(EngSlot) * slots);

	if (index != NULL)
		memset(index, 0, sizeof(EngSlot) * slots);
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
	t->all_keys_8 = true;
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
	eng_free(t->memory, t->index, sizeof(EngSlot) * ((size_t) t->index_mask + 1));
	memset(t, 0, sizeof(*t));
}

static void
index_insert(EngSlot *index, uint32_t mask, uint64_t hash, uint32_t id)
{
	uint32_t	i = (uint32_t) hash & mask;

	while (index[i].id_plus1 != 0)
		i = (i + 1) & mask;
	index[i].hash = hash;
	index[i].id_plus1 = id + 1;
}

/* Double the index when it is 3/4 full; linear probing stays short below that. */
static EngStatus
grow_index(EngTable *t)
{
	uint32_t	slots = (t->index_mask + 1) * 2;
	EngSlot    *index;

	if (slots == 0 || slots > (UINT32_C(1) << 31))
		return ENG_ERR_TOO_MANY;
	index = new_index(t->memory, slots);
	if (index == NULL)
		return ENG_ERR_MEMORY;
	for (uint32_t id = 0; id < t->count; id++)
		index_insert(index, slots - 1, eng_table_entity(t, id)->hash, id);
	eng_free(t->memory, t->index, sizeof(EngSlot) * ((size_t) t->index_mask + 1));
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
	if (len != 8)
		t->all_keys_8 = false;
	return ENG_OK;
}

EngStatus
eng_table_lookup(EngTable *t, uint64_t hash, const uint8_t *key, uint32_t len,
				 uint32_t *id, bool *added)
{
	uint32_t	i = (uint32_t) hash & t->index_mask;
	bool		hash_decides = t->all_keys_8 && len == 8;

	for (;;)
	{
		const EngSlot *slot = &t->index[i];

		if (slot->id_plus1 == 0)
			break;
		if (slot->hash == hash)
		{
			uint32_t	candidate = slot->id_plus1 - 1;
			const EngEntity *e;

			if (hash_decides)
			{
				*id = candidate;
				*added = false;
				return ENG_OK;
			}
			e = eng_table_entity(t, candidate);
			if (e->key_len == len && (len == 0 || memcmp(eng_entity_key(e), key, len) == 0))
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

		check_now_and_then(t->memory, i);
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
		EngStatus	s;

		check_now_and_then(t->memory, id);
		s = eng_table_lookup(t, e->hash, eng_entity_key(e), e->key_len, &map[id], &added);
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

static size_t
chunk_bytes(const EngLog *log, uint32_t c)
{
	return c == 0 ? sizeof(EngPair) * (size_t) log->first_capacity : sizeof(EngLogChunk);
}

void
eng_log_free(EngLog *log)
{
	for (uint32_t c = 0; c < log->nchunks; c++)
		eng_free(log->memory, log->chunks[c], chunk_bytes(log, c));
	eng_free(log->memory, log->chunks, sizeof(EngLogChunk *) * log->chunks_capacity);
	log->chunks = NULL;
	log->nchunks = log->chunks_capacity = 0;
	log->first_capacity = 0;
	log->count = 0;
}

EngStatus
eng_log_grow(EngLog *log)
{
	if (log->nchunks == 1 && log->first_capacity < ENG_LOG_CHUNK)
	{
		/* the first chunk doubles until it is whole */
		uint32_t	capacity = 2 * log->first_capacity;
		EngPair    *bigger = eng_alloc(log->memory, sizeof(EngPair) * (size_t) capacity);

		if (bigger == NULL)
			return ENG_ERR_MEMORY;
		memcpy(bigger, log->chunks[0], sizeof(EngPair) * (size_t) log->first_capacity);
		eng_free(log->memory, log->chunks[0], chunk_bytes(log, 0));
		log->chunks[0] = (EngLogChunk *) bigger;
		log->first_capacity = capacity;
		return ENG_OK;
	}
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
	if (log->nchunks == 0)
	{
		log->chunks[0] = eng_alloc(log->memory, sizeof(EngPair) * ENG_LOG_FIRST);
		if (log->chunks[0] == NULL)
			return ENG_ERR_MEMORY;
		log->first_capacity = ENG_LOG_FIRST;
		log->nchunks = 1;
		return ENG_OK;
	}
	log->chunks[log->nchunks] = eng_alloc(log->memory, sizeof(EngLogChunk));
	if (log->chunks[log->nchunks] == NULL)
		return ENG_ERR_MEMORY;
	log->nchunks++;
	return ENG_OK;
}


#define LOG_RECORD_BYTES 16

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
		const EngPair *p = eng_log_pair(log, i);

		out = b2b_put_u64(out, p->key);
		out = b2b_put_u64(out, p->value);
	}
	return out;
}

EngStatus
eng_log_decode(EngLog *log, const uint8_t *in, size_t len, size_t *used,
			   const uint32_t *map, uint32_t nmap)
{
	B2bReader	r = b2b_reader(in, len);
	uint64_t	count = b2b_read_u64(&r);

	if (!b2b_reader_ok(&r) || count > r.left / LOG_RECORD_BYTES)
		return ENG_ERR_CORRUPT;
	for (uint64_t i = 0; i < count; i++)
	{
		uint64_t	key = b2b_read_u64(&r);
		uint64_t	value = b2b_read_u64(&r);
		EngStatus	s;

		check_now_and_then(log->memory, i);
		if (map != NULL)
		{
			if (key >= nmap)
				return ENG_ERR_CORRUPT;
			key = map[key];
		}
		s = eng_log_append(log, key, value);
		if (s != ENG_OK)
			return s;
	}
	*used = len - r.left;
	return ENG_OK;
}

EngStatus
eng_log_append_log(EngLog *log, const EngLog *src, const uint32_t *map)
{
	for (uint64_t i = 0; i < src->count; i++)
	{
		const EngPair *p = eng_log_pair(src, i);
		EngStatus	s;

		check_now_and_then(log->memory, i);
		s = eng_log_append(log, map ? map[p->key] : p->key, p->value);
		if (s != ENG_OK)
			return s;
	}
	return ENG_OK;
}

static inline bool
pair_less(const EngPair *a, const EngPair *b)
{
	return a->key < b->key || (a->key == b->key && a->value < b->value);
}

/*
 * Sort n pairs by (key, value): an LSD radix sort over the bytes of value,
 * then of key, skipping the bytes on which every pair agrees (times share
 * their high bytes, ids their high bytes), with scratch for n pairs.
 */
static void
sort_pairs(EngPair *p, uint32_t n, EngPair *scratch)
{
	uint64_t	or_key = 0,
				and_key = ~UINT64_C(0),
				or_value = 0,
				and_value = ~UINT64_C(0);
	EngPair    *from = p,
			   *to = scratch;

	if (n <= 32)
	{
		for (uint32_t i = 1; i < n; i++)
		{
			EngPair		x = p[i];
			uint32_t	j = i;

			while (j > 0 && pair_less(&x, &p[j - 1]))
			{
				p[j] = p[j - 1];
				j--;
			}
			p[j] = x;
		}
		return;
	}
	for (uint32_t i = 0; i < n; i++)
	{
		or_key |= p[i].key;
		and_key &= p[i].key;
		or_value |= p[i].value;
		and_value &= p[i].value;
	}
	for (int pass = 0; pass < 16; pass++)
	{
		bool		on_key = pass >= 8;
		int			shift = 8 * (pass % 8);
		uint64_t	varying = on_key ? or_key ^ and_key : or_value ^ and_value;
		uint32_t	count[256] = {0};
		uint32_t	sum = 0;

		if ((varying >> shift & 0xff) == 0)
			continue;
		for (uint32_t i = 0; i < n; i++)
			count[((on_key ? from[i].key : from[i].value) >> shift) & 0xff]++;
		for (int b = 0; b < 256; b++)
		{
			uint32_t	c = count[b];

			count[b] = sum;
			sum += c;
		}
		for (uint32_t i = 0; i < n; i++)
			to[count[((on_key ? from[i].key : from[i].value) >> shift) & 0xff]++] = from[i];
		{
			EngPair    *t = from;

			from = to;
			to = t;
		}
	}
	if (from != p)
		memcpy(p, from, sizeof(EngPair) * n);
}

/* A cursor per sorted chunk in a binary min-heap, by the cursor's current pair. */
typedef struct ChunkCursor
{
	const EngPair *at;
	const EngPair *end;
} ChunkCursor;

static void
heap_down(ChunkCursor *h, uint32_t n, uint32_t i)
{
	for (;;)
	{
		uint32_t	l = 2 * i + 1,
					smallest = i;

		if (l < n && pair_less(h[l].at, h[smallest].at))
			smallest = l;
		if (l + 1 < n && pair_less(h[l + 1].at, h[smallest].at))
			smallest = l + 1;
		if (smallest == i)
			return;
		{
			ChunkCursor t = h[i];

			h[i] = h[smallest];
			h[smallest] = t;
		}
		i = smallest;
	}
}

/* A run spread over several chunks goes to visit in pieces of at most this many rows. */
#define RUN_PIECE 1024

EngStatus
eng_log_runs(EngLog *log, int key_shift, EngMemory *memory, EngVisit visit, void *arg)
{
	EngPair    *scratch;
	size_t		scratch_size;
	ChunkCursor *heap;
	uint32_t	nheap = 0;
	EngPair    *piece;
	size_t		heap_size = sizeof(ChunkCursor) * (log->nchunks ? log->nchunks : 1);
	uint64_t	work = 0;

	if (log->count == 0)
		return ENG_OK;
	scratch_size = sizeof(EngPair) * (size_t) (log->count < ENG_LOG_CHUNK ? log->count : ENG_LOG_CHUNK);
	scratch = eng_alloc(memory, scratch_size);
	if (scratch == NULL)
		return ENG_ERR_MEMORY;
	heap = eng_alloc(memory, heap_size);
	piece = eng_alloc(memory, sizeof(EngPair) * RUN_PIECE);
	if (heap == NULL || piece == NULL)
	{
		eng_free(memory, scratch, scratch_size);
		eng_free(memory, heap, heap_size);
		eng_free(memory, piece, sizeof(EngPair) * RUN_PIECE);
		return ENG_ERR_MEMORY;
	}
	for (uint32_t c = 0; c < log->nchunks; c++)
	{
		uint32_t	n = c + 1 < log->nchunks ? ENG_LOG_CHUNK
			: (uint32_t) (log->count - (uint64_t) c * ENG_LOG_CHUNK);

		if (memory->allocator->check != NULL)
			memory->allocator->check(memory->allocator->ctx);
		if (n == 0)
			continue;
		sort_pairs(log->chunks[c]->pairs, n, scratch);
		heap[nheap].at = log->chunks[c]->pairs;
		heap[nheap].end = log->chunks[c]->pairs + n;
		nheap++;
	}
	eng_free(memory, scratch, scratch_size);
	for (uint32_t i = nheap / 2; i-- > 0;)
		heap_down(heap, nheap, i);

	/* merge: each run of rows whose keys agree above key_shift, to visit */
	while (nheap > 0)
	{
		uint64_t	entity = heap[0].at->key >> key_shift;
		bool		go_on = true;

		/* the other chunks' smallest heads are heap[1] and heap[2] */
		if (nheap == 1 || (heap[1].at->key >> key_shift != entity &&
						   (nheap < 3 || heap[2].at->key >> key_shift != entity)))
		{
			/* only the top chunk holds this entity: its rows are contiguous there */
			const EngPair *first = heap[0].at;
			const EngPair *p = first;

			while (p < heap[0].end && p->key >> key_shift == entity)
				p++;
			work += (uint64_t) (p - first);
			heap[0].at = p;
			if (heap[0].at == heap[0].end)
				heap[0] = heap[--nheap];
			heap_down(heap, nheap, 0);
			go_on = visit(first, (uint32_t) (p - first), true, arg);
		}
		else
		{
			uint32_t	n = 0;

			while (go_on && nheap > 0 && heap[0].at->key >> key_shift == entity)
			{
				piece[n++] = *heap[0].at++;
				if (heap[0].at == heap[0].end)
					heap[0] = heap[--nheap];
				heap_down(heap, nheap, 0);
				if (n == RUN_PIECE)
				{
					bool		ends = nheap == 0 || heap[0].at->key >> key_shift != entity;

					go_on = visit(piece, n, ends, arg);
					work += n;
					n = 0;
					if (ends)
						break;
				}
			}
			if (n > 0 && go_on)
			{
				go_on = visit(piece, n, true, arg);
				work += n;
			}
		}
		if (work >= ENG_CHECK_EVERY)
		{
			if (memory->allocator->check != NULL)
				memory->allocator->check(memory->allocator->ctx);
			work = 0;
		}
		if (!go_on)
			break;
	}
	eng_free(memory, piece, sizeof(EngPair) * RUN_PIECE);
	eng_free(memory, heap, heap_size);
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

static void
pair_heap_sift(EngPair *v, uint32_t root, uint32_t n)
{
	for (;;)
	{
		uint32_t	child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && pair_less(&v[child], &v[child + 1]))
			child++;
		if (!pair_less(&v[root], &v[child]))
			return;
		{
			EngPair		t = v[root];

			v[root] = v[child];
			v[child] = t;
		}
		root = child;
	}
}

static void
pair_intro_sort(EngPair *v, uint32_t n, int depth, const EngAllocator *check)
{
	while (n > 24)
	{
		EngPair		a = v[0],
					b = v[n / 2],
					c = v[n - 1];
		EngPair		pivot;
		uint32_t	i = 0,
					j = n - 1;

		if (pair_less(&a, &b))
			pivot = pair_less(&b, &c) ? b : (pair_less(&a, &c) ? c : a);
		else
			pivot = pair_less(&a, &c) ? a : (pair_less(&b, &c) ? c : b);
		if (depth-- == 0)
		{
			for (uint32_t k = n / 2; k-- > 0;)
				pair_heap_sift(v, k, n);
			for (uint32_t end = n; end-- > 1;)
			{
				EngPair		t = v[0];

				v[0] = v[end];
				v[end] = t;
				pair_heap_sift(v, 0, end);
			}
			return;
		}
		if (n >= ENG_CHECK_EVERY && check != NULL && check->check != NULL)
			check->check(check->ctx);
		for (;;)
		{
			while (pair_less(&v[i], &pivot))
				i++;
			while (pair_less(&pivot, &v[j]))
				j--;
			if (i >= j)
				break;
			{
				EngPair		t = v[i];

				v[i] = v[j];
				v[j] = t;
			}
			i++;
			j--;
		}
		if (j + 1 < n - (j + 1))
		{
			pair_intro_sort(v, j + 1, depth, check);
			v += j + 1;
			n -= j + 1;
		}
		else
		{
			pair_intro_sort(v + j + 1, n - (j + 1), depth, check);
			n = j + 1;
		}
	}
	for (uint32_t i = 1; i < n; i++)
	{
		EngPair		x = v[i];
		uint32_t	j = i;

		while (j > 0 && pair_less(&x, &v[j - 1]))
		{
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

void
eng_sort_pairs(EngPair *p, uint32_t n, const EngAllocator *check)
{
	int			depth = 0;

	for (uint32_t m = n; m > 1; m >>= 1)
		depth += 2;
	pair_intro_sort(p, n, depth, check);
}

void
eng_sort_u64(uint64_t *v, uint32_t n, const EngAllocator *check)
{
	int			depth = 0;

	for (uint32_t m = n; m > 1; m >>= 1)
		depth += 2;
	intro_sort(v, n, depth, check);
}
