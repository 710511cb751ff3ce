/*
 * engine_test.c: unit tests of the per-entity engine (src/engine/), no server.
 * The references are plain: an array indexed by key for the table, per-entity
 * lists kept while appending for the log, qsort for the sort.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "tap.h"

static void *
test_alloc(size_t size, void *ctx)
{
	(void) ctx;
	return malloc(size);
}

static void
test_release(void *ptr, void *ctx)
{
	(void) ctx;
	free(ptr);
}

static const EngAllocator allocator = {test_alloc, test_release, NULL, NULL};

static uint64_t rng_state = 0x2545F4914F6CDD1Du;

static uint64_t
rnd64(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return (x > y) - (x < y);
}

/* key i: 8 bytes for even i, 24 bytes (inline limit exceeded) for odd i */
static uint32_t
make_key(uint32_t i, uint8_t *key)
{
	uint32_t	len = i % 2 ? 24 : 8;

	memset(key, 0xa5, 24);
	memcpy(key, &i, sizeof i);
	return len;
}

static void
table_cases(void)
{
	EngMemory	m;
	EngTable	t,
				u;
	uint32_t	n = 50000;
	int			ids_ok = 1,
				again_ok = 1,
				keys_ok = 1;
	uint8_t		key[24];
	uint8_t    *buf;
	size_t		len,
				used;
	uint32_t   *map;
	uint32_t	count;

	eng_memory_init(&m, &allocator, 0);
	eng_table_init(&t, &m);
	for (uint32_t i = 0; i < n; i++)
	{
		uint32_t	k = make_key(i, key);
		uint32_t	id;
		bool		added;

		if (eng_table_lookup(&t, eng_key_hash(key, k), key, k, &id, &added) != ENG_OK || !added || id != i)
			ids_ok = 0;
	}
	ok(ids_ok && t.count == n, "new keys get the ids 0, 1, 2, ... in order of arrival");
	for (uint32_t i = 0; i < n; i++)
	{
		uint32_t	k = make_key(i, key);
		uint32_t	id;
		bool		added;

		if (eng_table_lookup(&t, eng_key_hash(key, k), key, k, &id, &added) != ENG_OK || added || id != i)
			again_ok = 0;
		if (eng_table_entity(&t, i)->key_len != k || memcmp(eng_entity_key(eng_table_entity(&t, i)), key, k) != 0)
			keys_ok = 0;
	}
	ok(again_ok, "known keys find their ids, across index growth and %u blocks", t.nblocks);
	ok(keys_ok, "every entity keeps its key, inline or not");
	{
		uint8_t		a = 0;
		uint32_t	id;
		bool		added;

		eng_table_lookup(&t, eng_key_hash(NULL, 0), NULL, 0, &id, &added);
		ok(added && id == n, "the empty key is a key");
		eng_table_lookup(&t, eng_key_hash(&a, 1), &a, 1, &id, &added);
		ok(added && id == n + 1, "the one-byte key 0 differs from the empty key");
		ok(eng_key_hash(NULL, 0) != eng_key_hash(&a, 1), "and hashes differently");
	}

	/* encode, decode into a table that already has some keys */
	len = eng_table_encoded_size(&t);
	buf = malloc(len);
	ok(eng_table_encode(&t, buf) == buf + len, "the encoding fills its size exactly");
	eng_table_init(&u, &m);
	for (uint32_t i = n / 2; i < n / 2 + 100; i++)
	{
		uint32_t	k = make_key(i, key);
		uint32_t	id;
		bool		added;

		eng_table_lookup(&u, eng_key_hash(key, k), key, k, &id, &added);
	}
	ok(eng_table_encoded_count(buf, len, &count) == ENG_OK && count == t.count, "the encoded count");
	map = malloc(sizeof(uint32_t) * count);
	ok(eng_table_decode(&u, buf, len, &used, map) == ENG_OK && used == len && u.count == t.count &&
	   map[n / 2] == 0 && map[n / 2 + 99] == 99 && map[0] == 100,
	   "decoding maps known keys to their ids and adds the others");
	ok(eng_table_decode(&u, buf, len - 1, &used, map) == ENG_ERR_CORRUPT, "a truncated table is rejected");
	buf[0] = 0xff;
	buf[3] = 0x7f;
	ok(eng_table_encoded_count(buf, len, &count) == ENG_ERR_CORRUPT, "an impossible count is rejected");
	free(buf);
	{
		uint8_t		bad[12] = {1, 0, 0, 0, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3, 4};

		ok(eng_table_decode(&u, bad, sizeof bad, &used, map) == ENG_ERR_CORRUPT,
		   "a key longer than the bytes is rejected");
	}
	eng_table_free(&u);
	{
		EngTable	w;

		eng_table_init(&w, &m);
		ok(eng_table_merge(&w, &t, map) == ENG_OK && w.count == t.count && map[7] == 7,
		   "merging into an empty table keeps the ids");
		eng_table_free(&w);
	}
	free(map);
	eng_table_free(&t);
	ok(m.used == 0, "tables give back every byte");

	/* the limit */
	eng_memory_init(&m, &allocator, 64 * 1024);
	eng_table_init(&t, &m);
	{
		EngStatus	s = ENG_OK;
		uint32_t	i;

		for (i = 0; s == ENG_OK && i < 1000000; i++)
		{
			uint32_t	k = make_key(i, key);
			uint32_t	id;
			bool		added;

			s = eng_table_lookup(&t, eng_key_hash(key, k), key, k, &id, &added);
		}
		ok(s == ENG_ERR_MEMORY && m.used <= m.limit, "a table stops at its memory limit (%u keys)", i);
	}
	eng_table_free(&t);
	ok(m.used == 0, "and gives back every byte");
}

/* The reference: every row kept, sorted by qsort, then cut into runs. */
static int
cmp_pair(const void *a, const void *b)
{
	const EngPair *x = a,
			   *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->value > y->value) - (x->value < y->value);
}

typedef struct RunCheck
{
	const EngPair *expected;	/* all rows, sorted */
	uint64_t	next;			/* where the next piece must start */
	uint64_t	total;
	int			shift;
	uint32_t	runs;
	uint32_t	pieces;
	int			ok;
} RunCheck;

/* Pieces must continue the expected rows; a run must end exactly where its entity does. */
static bool
check_run(const EngPair *rows, uint32_t n, bool run_ends, void *arg)
{
	RunCheck   *c = arg;
	bool		entity_goes_on;

	if (n == 0 || c->next + n > c->total ||
		memcmp(rows, c->expected + c->next, sizeof(EngPair) * n) != 0)
		c->ok = 0;
	entity_goes_on = c->next + n < c->total &&
		c->expected[c->next + n].key >> c->shift == rows[0].key >> c->shift;
	if (run_ends == entity_goes_on)
		c->ok = 0;
	c->next += n;
	c->pieces++;
	c->runs += run_ends;
	return true;
}

static bool
stop_at_three(const EngPair *rows, uint32_t n, bool run_ends, void *arg)
{
	(void) rows;
	(void) n;
	return !run_ends || ++*(int *) arg < 3;
}

static void
log_cases(void)
{
	EngMemory	m;
	EngLog		log;
	uint64_t	nrows = 300000;
	EngPair    *all = malloc(sizeof(EngPair) * nrows);
	RunCheck	c;

	eng_memory_init(&m, &allocator, 0);
	eng_log_init(&log, &m);
	for (uint64_t i = 0; i < nrows; i++)
	{
		/* skewed: entity 7 is heavy (its rows in every chunk), the others light */
		uint64_t	key = i % 5 == 0 ? 7 : rnd64() % 20000;
		uint64_t	value = rnd64() % 1000000;

		all[i].key = key;
		all[i].value = value;
		eng_log_append(&log, key, value);
	}
	qsort(all, nrows, sizeof(EngPair), cmp_pair);
	ok(log.nchunks == (log.count + ENG_LOG_CHUNK - 1) / ENG_LOG_CHUNK && log.nchunks > 1,
	   "the log spans %u chunks", log.nchunks);
	c = (RunCheck) {all, 0, nrows, 0, 0, 0, 1};
	ok(eng_log_runs(&log, 0, &m, check_run, &c) == ENG_OK && c.ok && c.next == nrows && c.pieces > c.runs,
	   "runs: every key's rows in (key, value) order, keys ascending, %u runs in %u pieces", c.runs, c.pieces);
	c = (RunCheck) {all, 0, nrows, 0, 0, 0, 1};
	ok(eng_log_runs(&log, 0, &m, check_run, &c) == ENG_OK && c.ok && c.next == nrows,
	   "and again on the sorted log");
	c = (RunCheck) {all, 0, nrows, 8, 0, 0, 1};
	ok(eng_log_runs(&log, 8, &m, check_run, &c) == ENG_OK && c.ok && c.runs == 20000 / 256 + 1,
	   "runs by the key's high bits (key_shift 8): %u runs", c.runs);
	{
		int			seen = 0;

		ok(eng_log_runs(&log, 0, &m, stop_at_three, &seen) == ENG_OK && seen == 3,
		   "a visitor can stop the runs");
	}
	{
		EngMemory	limited;

		eng_memory_init(&limited, &allocator, sizeof(EngLogChunk) + 32 * 1024);
		c = (RunCheck) {all, 0, nrows, 0, 0, 0, 1};
		ok(eng_log_runs(&log, 0, &limited, check_run, &c) == ENG_OK && c.ok && limited.used == 0,
		   "one chunk of scratch and a piece buffer are all the runs need, even for the heavy entity");
		eng_memory_init(&limited, &allocator, sizeof(EngLogChunk) / 2);
		ok(eng_log_runs(&log, 0, &limited, check_run, &c) == ENG_ERR_MEMORY && limited.used == 0,
		   "without room for the scratch it is a memory status, all given back");
	}
	{
		EngLog		small;
		EngMemory	sm;

		eng_memory_init(&sm, &allocator, 0);
		eng_log_init(&small, &sm);
		eng_log_append(&small, 1, 2);
		ok(sm.used < 2048, "a log with one row takes a first chunk of 64 rows, not 1 MB (%zu bytes)", sm.used);
		for (int i = 0; i < 100; i++)
			eng_log_append(&small, 1, 3);
		ok(small.first_capacity == 128, "the first chunk doubles as it fills");
		eng_log_free(&small);
	}

	/* encode, decode with the ids mapped and as they are */
	{
		size_t		len = eng_log_encoded_size(&log);
		uint8_t    *buf = malloc(len);
		uint32_t   *map = malloc(sizeof(uint32_t) * 20000);
		EngLog		copy;
		size_t		used;
		int			mapped_ok = 1;

		eng_log_encode(&log, buf);
		for (uint32_t id = 0; id < 20000; id++)
			map[id] = 20000 - 1 - id;
		eng_log_init(&copy, &m);
		ok(eng_log_decode(&copy, buf, len, &used, map, 20000) == ENG_OK && used == len &&
		   copy.count == log.count, "a log decodes with its ids mapped");
		for (uint64_t i = 0; i < log.count; i++)
			if (eng_log_pair(&copy, i)->key != map[eng_log_pair(&log, i)->key] ||
				eng_log_pair(&copy, i)->value != eng_log_pair(&log, i)->value)
				mapped_ok = 0;
		ok(mapped_ok, "every row keeps its value under its mapped key");
		eng_log_free(&copy);
		eng_log_init(&copy, &m);
		ok(eng_log_decode(&copy, buf, len, &used, NULL, 0) == ENG_OK && copy.count == log.count &&
		   eng_log_pair(&copy, 12345)->key == eng_log_pair(&log, 12345)->key, "and without a map, as they are");
		eng_log_free(&copy);
		eng_log_init(&copy, &m);
		ok(eng_log_decode(&copy, buf, len, &used, map, 10) == ENG_ERR_CORRUPT, "a key outside the map is rejected");
		eng_log_free(&copy);
		eng_log_init(&copy, &m);
		ok(eng_log_decode(&copy, buf, len - 5, &used, NULL, 0) == ENG_ERR_CORRUPT, "a truncated log is rejected");
		eng_log_free(&copy);
		eng_log_init(&copy, &m);
		ok(eng_log_append_log(&copy, &log, NULL) == ENG_OK && copy.count == log.count,
		   "appending a log to another");
		eng_log_free(&copy);
		free(map);
		free(buf);
	}
	eng_log_free(&log);
	ok(m.used == 0, "logs give back every byte");
	free(all);
}

static void
sort_cases(void)
{
	static const uint32_t sizes[] = {0, 1, 2, 3, 23, 24, 25, 48, 49, 100, 257, 1000, 100000};
	int			all_ok = 1;

	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
	{
		for (int kind = 0; kind < 5; kind++)
		{
			uint32_t	n = sizes[k];
			uint64_t   *v = malloc(sizeof(uint64_t) * (n + 1));
			uint64_t   *w = malloc(sizeof(uint64_t) * (n + 1));

			for (uint32_t i = 0; i < n; i++)
				v[i] = kind == 0 ? rnd64() : kind == 1 ? rnd64() % 5 : kind == 2 ? i
					: kind == 3 ? n - i : (rnd64() % 3 == 0 ? UINT64_MAX : 0);
			memcpy(w, v, sizeof(uint64_t) * n);
			eng_sort_u64(v, n, NULL);
			qsort(w, n, sizeof(uint64_t), cmp_u64);
			if (n > 0 && memcmp(v, w, sizeof(uint64_t) * n) != 0)
				all_ok = 0;
			free(v);
			free(w);
		}
	}
	ok(all_ok, "sorting equals qsort: random, few values, sorted, reversed, extremes, sizes 0 to 100000");
	all_ok = 1;
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
	{
		uint32_t	n = sizes[k];
		EngPair    *v = malloc(sizeof(EngPair) * (n + 1));
		EngPair    *w = malloc(sizeof(EngPair) * (n + 1));

		for (uint32_t i = 0; i < n; i++)
		{
			v[i].key = rnd64() % 7;
			v[i].value = k % 2 ? rnd64() : rnd64() % 3;
		}
		memcpy(w, v, sizeof(EngPair) * n);
		eng_sort_pairs(v, n, NULL);
		qsort(w, n, sizeof(EngPair), cmp_pair);
		if (n > 0 && memcmp(v, w, sizeof(EngPair) * n) != 0)
			all_ok = 0;
		free(v);
		free(w);
	}
	ok(all_ok, "sorting pairs equals qsort by (key, value), with many equal keys and values");
}

static void
pack_cases(void)
{
	int			round_ok = 1;

	for (int i = 0; i < 100000; i++)
	{
		int			bits = 1 + (int) (rnd64() % 32);
		int64_t		base = (int64_t) rnd64();
		int64_t		half = (int64_t) (UINT64_C(1) << (63 - bits));
		int64_t		offset = (int64_t) (rnd64() % (uint64_t) half) * (rnd64() % 2 ? 1 : -1);
		int64_t		ts;
		uint32_t	tag = (uint32_t) (rnd64() & ((UINT64_C(1) << bits) - 1));

		if (__builtin_add_overflow(base, offset, &ts) || !eng_time_fits(ts, base, bits))
			continue;
		if (eng_unpack_time(eng_pack_time(ts, base, bits, tag), base, bits) != ts ||
			eng_unpack_tag(eng_pack_time(ts, base, bits, tag), bits) != tag)
			round_ok = 0;
	}
	ok(round_ok, "packed times and tags unpack to themselves");
	ok(eng_time_fits(1000 + (INT64_C(1) << 58) - 1, 1000, 5) && !eng_time_fits(1000 + (INT64_C(1) << 58), 1000, 5),
	   "with 5 tag bits, times up to 2^58 - 1 after the base fit, not 2^58");
	ok(eng_time_fits(1000 - (INT64_C(1) << 58), 1000, 5) && !eng_time_fits(1000 - (INT64_C(1) << 58) - 1, 1000, 5),
	   "and down to 2^58 before it, not one more");
	ok(!eng_time_fits(INT64_MAX, INT64_MIN, 1) && !eng_time_fits(INT64_MIN, INT64_MAX, 1) &&
	   eng_time_fits(INT64_MAX, INT64_MAX, 32), "the extremes do not overflow the test");
	ok(eng_pack_time(10, 0, 4, 0) < eng_pack_time(11, 0, 4, 0) &&
	   eng_pack_time(-1, 0, 4, 15) < eng_pack_time(0, 0, 4, 0),
	   "packed values sort by time first, whatever the tag");
}

int
main(void)
{
	table_cases();
	log_cases();
	sort_cases();
	pack_cases();
	return done_testing();
}
