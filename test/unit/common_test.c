/*
 * common_test.c: unit tests of src/common's pure helpers (byte order, the
 * bounded reader, hex), no server.
 */
#include <string.h>

#include "common/bytes.h"
#include "tap.h"

int
main(void)
{
	uint8_t		buf[32];
	uint8_t    *p = buf;
	B2bReader	r;
	char		hex[65];
	uint8_t		back[32];

	/* Little-endian whatever the host: the bytes are fixed. */
	p = b2b_put_u16(p, 0x0102);
	p = b2b_put_u32(p, 0x03040506);
	p = b2b_put_u64(p, UINT64_C(0x0708090a0b0c0d0e));
	p = b2b_put_i64(p, -2);
	ok(p - buf == 22, "puts advance by their widths");
	ok(buf[0] == 0x02 && buf[1] == 0x01, "u16 is little-endian");
	ok(buf[2] == 0x06 && buf[5] == 0x03, "u32 is little-endian");
	ok(buf[6] == 0x0e && buf[13] == 0x07, "u64 is little-endian");
	ok(buf[14] == 0xfe && buf[21] == 0xff, "i64 is two's complement, little-endian");
	ok(b2b_get_u16(buf) == 0x0102 && b2b_get_u32(buf + 2) == 0x03040506 &&
	   b2b_get_u64(buf + 6) == UINT64_C(0x0708090a0b0c0d0e) && b2b_get_i64(buf + 14) == -2,
	   "gets read back what puts wrote");

	/* The reader: reads within bounds, then fails and stays failed. */
	r = b2b_reader(buf, 22);
	ok(b2b_read_u16(&r) == 0x0102 && b2b_read_u32(&r) == 0x03040506 &&
	   b2b_read_u64(&r) == UINT64_C(0x0708090a0b0c0d0e) && b2b_read_i64(&r) == -2,
	   "reader reads each field in order");
	ok(b2b_reader_done(&r), "reader is done after the last byte");
	ok(b2b_read_u8(&r) == 0 && !b2b_reader_ok(&r), "a read past the end returns 0 and fails");
	r = b2b_reader(buf, 3);
	(void) b2b_read_u32(&r);
	ok(!b2b_reader_ok(&r) && b2b_read_u8(&r) == 0 && !b2b_reader_ok(&r),
	   "a short read fails the reader for good, even for reads that would fit");
	r = b2b_reader(buf, 5);
	ok(b2b_read_span(&r, 5) == buf && b2b_reader_done(&r), "a span of every byte");
	r = b2b_reader(buf, 5);
	(void) b2b_read_u8(&r);
	ok(b2b_reader_ok(&r) && !b2b_reader_done(&r), "bytes left: ok but not done");
	r = b2b_reader(NULL, 0);
	ok(b2b_reader_done(&r), "an empty input is done at once");

	/* Hex. */
	b2b_hex_encode(buf, 4, hex);
	hex[8] = '\0';
	ok(strcmp(hex, "02010605") == 0, "hex is lowercase, two digits a byte");
	ok(b2b_hex_decode("0201ABcd", 8, back) && back[0] == 0x02 && back[2] == 0xab && back[3] == 0xcd,
	   "hex decodes either case");
	ok(!b2b_hex_decode("020", 3, back), "odd length is refused");
	ok(!b2b_hex_decode("0g", 2, back), "a non-hex digit is refused");
	ok(!b2b_hex_decode("0 ", 2, back) && !b2b_hex_decode("\0" "0", 2, back), "space and NUL are refused");
	ok(b2b_hex_decode("", 0, back), "empty hex is empty bytes");
	return done_testing();
}
