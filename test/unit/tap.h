/*
 * tap.h: a minimal TAP producer for the unit tests of the pure C cores.
 * Each test binary prints "ok N - name" / "not ok N - name" lines, then
 * "1..N", and exits non-zero when anything failed.
 */
#ifndef B2B_TAP_H
#define B2B_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

static int
ok(int passed, const char *fmt, ...)
{
	va_list		ap;

	tap_count++;
	if (!passed)
		tap_failed++;
	printf("%sok %d - ", passed ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return passed;
}

static int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed == 0 ? 0 : 1;
}

#endif
