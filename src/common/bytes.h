/*
 * bytes.h
 *		Little-endian encoding for every stored, sent or serialized format of
 *		the extension, and a bounded reader for decoding untrusted bytes.
 *		Pure C: the cores use it as well as the glue.
 *
 * One byte order everywhere: the text form of a state, its binary send/recv
 * form, a bytea cast and a serialized aggregate state are all little-endian,
 * whatever the host, so a value written by one process (a parallel worker, a
 * Citus node, a dump) reads the same in any other.
 *
 * The reader never reads past its end.  Every read checks the bytes left;
 * a short read returns 0 and marks the reader failed, and it stays failed,
 * so a decoder can read a whole header and test b2b_reader_ok() once.
 */
#ifndef B2B_BYTES_H
#define B2B_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint8_t *
b2b_put_u8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}

static inline uint8_t *
b2b_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t) v;
	p[1] = (uint8_t) (v >> 8);
	return p + 2;
}

static inline uint8_t *
b2b_put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t) (v >> (8 * i));
	return p + 4;
}

static inline uint8_t *
b2b_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t) (v >> (8 * i));
	return p + 8;
}

static inline uint8_t *
b2b_put_i64(uint8_t *p, int64_t v)
{
	return b2b_put_u64(p, (uint64_t) v);
}

static inline uint8_t *
b2b_put_bytes(uint8_t *p, const void *src, size_t n)
{
	const uint8_t *s = (const uint8_t *) src;

	for (size_t i = 0; i < n; i++)
		p[i] = s[i];
	return p + n;
}

static inline uint16_t
b2b_get_u16(const uint8_t *p)
{
	return (uint16_t) (p[0] | (uint16_t) p[1] << 8);
}

static inline uint32_t
b2b_get_u32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
		(uint32_t) p[3] << 24;
}

static inline uint64_t
b2b_get_u64(const uint8_t *p)
{
	return (uint64_t) b2b_get_u32(p) | (uint64_t) b2b_get_u32(p + 4) << 32;
}

static inline int64_t
b2b_get_i64(const uint8_t *p)
{
	return (int64_t) b2b_get_u64(p);
}

typedef struct B2bReader
{
	const uint8_t *p;
	size_t		left;
	bool		failed;
} B2bReader;

static inline B2bReader
b2b_reader(const uint8_t *bytes, size_t len)
{
	B2bReader	r = {bytes, len, false};

	return r;
}

/* The next n bytes, or NULL (and the reader failed) when fewer are left. */
static inline const uint8_t *
b2b_read_span(B2bReader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->failed || r->left < n)
	{
		r->failed = true;
		r->left = 0;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static inline uint8_t
b2b_read_u8(B2bReader *r)
{
	const uint8_t *p = b2b_read_span(r, 1);

	return p ? p[0] : 0;
}

static inline uint16_t
b2b_read_u16(B2bReader *r)
{
	const uint8_t *p = b2b_read_span(r, 2);

	return p ? b2b_get_u16(p) : 0;
}

static inline uint32_t
b2b_read_u32(B2bReader *r)
{
	const uint8_t *p = b2b_read_span(r, 4);

	return p ? b2b_get_u32(p) : 0;
}

static inline uint64_t
b2b_read_u64(B2bReader *r)
{
	const uint8_t *p = b2b_read_span(r, 8);

	return p ? b2b_get_u64(p) : 0;
}

static inline int64_t
b2b_read_i64(B2bReader *r)
{
	return (int64_t) b2b_read_u64(r);
}

/* True when no read came up short. */
static inline bool
b2b_reader_ok(const B2bReader *r)
{
	return !r->failed;
}

/* True when every byte was read and none was missing: the usual last check. */
static inline bool
b2b_reader_done(const B2bReader *r)
{
	return !r->failed && r->left == 0;
}

/*
 * Hex for text forms: lowercase out, either case in.  b2b_hex_decode()
 * returns false on an odd length or a non-hex digit; out holds len / 2 bytes.
 */
extern void b2b_hex_encode(const uint8_t *in, size_t n, char *out);
extern bool b2b_hex_decode(const char *in, size_t len, uint8_t *out);

#endif							/* B2B_BYTES_H */
