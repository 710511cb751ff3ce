/*
 * attribution_test.c: unit tests of the attribution core (no server).
 * Every expected credit is worked out by hand in the comment beside it;
 * credits are in units of 10^-10.
 */
#include <stdint.h>
#include <string.h>

#include "attribution/attribution.h"
#include "tap.h"

#define HOUR_US		INT64_C(3600000000)
#define DAY_US		(24 * HOUR_US)
#define ONE			ATTR_CREDIT_SCALE

static AttrEvent ev[16];

static AttrEvent
touch(int64_t day, const char *channel)
{
	AttrEvent	e = {0};

	e.ts = day * DAY_US;
	e.flags = ATTR_TOUCH;
	e.channel = (const uint8_t *) channel;
	e.channel_len = strlen(channel);
	return e;
}

static AttrEvent
conversion(int64_t day, const char *value)
{
	AttrEvent	e = {0};

	e.ts = day * DAY_US;
	e.flags = ATTR_CONVERSION;
	e.value = value;
	e.value_len = strlen(value);
	return e;
}

static AttrOptions
options(const char *model)
{
	AttrOptions o;

	attr_options_init(&o, model, strlen(model));
	return o;
}

/* Credits of the n touches in ev toward a conversion (at day conv_day: for the reader) under model. */
static void
credits(const char *model, size_t n, int64_t conv_day, int64_t *units)
{
	AttrOptions o = options(model);

	(void) conv_day;

	attr_credits(ev, n, &o, units);
}

static int64_t
sum(const int64_t *u, size_t n)
{
	int64_t		s = 0;

	for (size_t i = 0; i < n; i++)
		s += u[i];
	return s;
}

static void
test_models(void)
{
	int64_t		u[16];
	AttrOptions o;

	ev[0] = touch(0, "email");
	credits("linear", 1, 1, u);
	ok(u[0] == ONE, "1 touch gets 100%% (linear)");
	credits("position", 1, 1, u);
	ok(u[0] == ONE, "1 touch gets 100%% (position)");
	credits("time_decay", 1, 1, u);
	ok(u[0] == ONE, "1 touch gets 100%% (time_decay)");

	ev[1] = touch(1, "social");
	credits("position", 2, 2, u);
	ok(u[0] == ONE / 2 && u[1] == ONE / 2, "2 touches: position splits 50/50");

	ev[2] = touch(2, "direct");
	/* linear over 3: 0.3333333333 twice, the remainder 0.3333333334 to the last */
	credits("linear", 3, 3, u);
	ok(u[0] == 3333333333 && u[1] == 3333333333 && u[2] == 3333333334, "linear 1/3: remainder to the last touch");
	credits("first", 3, 3, u);
	ok(u[0] == ONE && u[1] == 0 && u[2] == 0, "first: all to the first touch");
	credits("last", 3, 3, u);
	ok(u[2] == ONE && u[0] == 0, "last: all to the last touch");
	credits("last_non_direct", 3, 3, u);
	ok(u[1] == ONE && u[2] == 0, "last_non_direct skips the last touch when it is direct");
	ev[0] = touch(0, "direct");
	ev[1] = touch(1, "direct");
	credits("last_non_direct", 3, 3, u);
	ok(u[2] == ONE, "last_non_direct: only direct touches, the last direct gets it");
	ev[0] = touch(0, "email");
	ev[1] = touch(1, "social");

	/* position over 4: 0.4, 0.1, 0.1, 0.4 */
	ev[3] = touch(3, "email");
	credits("position", 4, 4, u);
	ok(u[0] == 4000000000 && u[1] == 1000000000 && u[2] == 1000000000 && u[3] == 4000000000, "position 40/10/10/40");
	/* position over 5: middle 0.2 / 3 = 0.0666666667 each (half up), last 1 - 0.4 - 0.2000000001 */
	ev[4] = touch(4, "email");
	credits("position", 5, 5, u);
	ok(u[1] == 666666667 && u[3] == 666666667 && u[4] == 3999999999 && sum(u, 5) == ONE,
	   "position 5 touches: remainder to the last touch");

	/* time_decay, half-life 7 days: touches 14 and 7 days and 0 days before: weights 1/4, 1/2, 1
	 * of a sum 7/4: 1/7 = 0.1428571429 (half up), 2/7 = 0.2857142857, the last 0.5714285714 */
	ev[0] = touch(0, "a");
	ev[1] = touch(7, "b");
	ev[2] = touch(14, "c");
	credits("time_decay", 3, 14, u);
	ok(u[0] == 1428571429 && u[1] == 2857142857 && u[2] == 5714285714, "time_decay halves per half-life");
	o = options("time_decay");
	ok(attr_set_half_life(&o, 14 * DAY_US) == ATTR_OK, "half-life 14 days");
	attr_credits(ev, 3, &o, u);
	/* weights 2^-1, 2^-0.5, 1: 0.5 / 2.2071067812 = 0.2265409197... */
	ok(sum(u, 3) == ONE && u[0] < u[1] && u[1] < u[2], "time_decay with a longer half-life: still sums to one, newest heaviest");
	ok(attr_set_half_life(&o, 0) == ATTR_BAD_HALF_LIFE, "half-life 0 is refused");
	ok(attr_set_lookback(&o, -1) == ATTR_BAD_LOOKBACK, "negative lookback is refused");

	/* custom position weights first 0.3, last 0.5: 5 touches 0.3, 0.0666666667 x 3, the last 0.4999999999 */
	for (int i = 0; i < 5; i++)
		ev[i] = touch(i, "x");
	o = options("position");
	ok(attr_set_share(&o, ATTR_PARAM_FIRST, 0.3) == ATTR_OK && attr_set_share(&o, ATTR_PARAM_LAST, 0.5) == ATTR_OK,
	   "position weights 0.3 / 0.5");
	attr_credits(ev, 5, &o, u);
	ok(u[0] == 3000000000 && u[1] == 666666667 && u[3] == 666666667 && u[4] == 4999999999,
	   "custom position weights: the middle shares the rest, remainder to the last");
	/* 2 touches: 0.3 : 0.5 = 0.375 : 0.625 */
	attr_credits(ev, 2, &o, u);
	ok(u[0] == 3750000000 && u[1] == 6250000000, "custom position weights, 2 touches: the ends' proportion");
	ok(attr_set_share(&o, ATTR_PARAM_FIRST, 0.6) == ATTR_OK && attr_options_check(&o) == ATTR_BAD_WEIGHTS,
	   "first + last above 1 is refused once both are set");
	ok(attr_set_share(&o, ATTR_PARAM_LAST, 0.4) == ATTR_OK && attr_options_check(&o) == ATTR_OK,
	   "first 0.6 and last 0.4 together are fine, in either order");
	ok(attr_set_share(&o, ATTR_PARAM_FIRST, 1.5) == ATTR_BAD_WEIGHTS, "a share above 1 is refused");
	ok(attr_set_share(&o, ATTR_PARAM_LAST, -0.1) == ATTR_BAD_WEIGHTS, "a negative share is refused");
	ok(attr_set_share(&o, ATTR_PARAM_LAST, 0.0 / 0.0) == ATTR_BAD_WEIGHTS, "a NaN share is refused");
	o = options("position");
	attr_set_share(&o, ATTR_PARAM_FIRST, 0);
	attr_set_share(&o, ATTR_PARAM_LAST, 0);
	attr_credits(ev, 2, &o, u);
	ok(u[0] == ONE / 2 && u[1] == ONE / 2, "position 0 / 0 with 2 touches: 50/50");
	attr_credits(ev, 4, &o, u);
	ok(u[0] == 0 && u[1] == ONE / 2 && u[2] == ONE / 2 && u[3] == 0, "position 0 / 0: all to the middle");

	/* linear over 7: 1/7 = 0.1428571429 six times (half up), the last 0.1428571426 */
	for (int i = 0; i < 7; i++)
		ev[i] = touch(i, "x");
	credits("linear", 7, 7, u);
	ok(u[0] == 1428571429 && u[6] == 1428571426 && sum(u, 7) == ONE, "linear 1/7");
}

static void
test_paths(void)
{
	AttrOptions o = options("linear");
	size_t		first,
				n;

	/* touches day 0 and 1, conversion day 2, touch day 3, conversion day 4 */
	ev[0] = touch(0, "a");
	ev[1] = touch(1, "b");
	ev[2] = conversion(2, "1");
	ev[3] = touch(3, "c");
	ev[4] = conversion(4, "1");
	attr_path(ev, 2, 0, &o, &first, &n);
	ok(first == 0 && n == 2, "the first conversion's path: the 2 touches before it");
	attr_path(ev, 4, 3, &o, &first, &n);
	ok(first == 3 && n == 1, "touches after a conversion count toward the next one only");

	/* lookback 1 day: the touch 2 days before is out, the one exactly 1 day before is in */
	attr_set_lookback(&o, DAY_US);
	attr_path(ev, 2, 0, &o, &first, &n);
	ok(first == 1 && n == 1, "lookback: a touch exactly lookback before counts, older ones not");
	ev[1] = touch(0, "b");
	attr_path(ev, 2, 0, &o, &first, &n);
	ok(n == 0, "no touch in the lookback: an empty path ('(none)')");

	/* a row that is a touch and a conversion counts as its own last touch */
	ev[0] = touch(0, "a");
	ev[1] = touch(1, "b");
	ev[1].flags |= ATTR_CONVERSION;
	ev[1].value = "5";
	ev[1].value_len = 1;
	attr_set_lookback(&o, 90 * DAY_US);
	attr_path(ev, 1, 0, &o, &first, &n);
	ok(first == 0 && n == 2, "a converting touch is the last touch of its own path");
}

static void
test_sort_and_summary(void)
{
	AttrSummary s;

	/* at one instant the touch sorts before the conversion */
	ev[0] = conversion(5, "1");
	ev[1] = touch(5, "a");
	ev[2] = touch(1, "b");
	attr_sort(ev, 3);
	ok(ev[0].ts == DAY_US && ev[1].flags == ATTR_TOUCH && ev[2].flags == ATTR_CONVERSION,
	   "time order, touches before conversions at one instant");
	attr_summary(ev, 3, &s);
	ok(s.touches == 2 && s.converted && s.converted_ts == 5 * DAY_US && s.first_touch_ts == DAY_US,
	   "summary: 2 touches before the conversion, first at day 1");
	attr_summary(ev, 2, &s);
	ok(s.touches == 2 && !s.converted, "summary of a lead that never converts: all its touches");
}

static void
test_text(void)
{
	char		buf[24];

	attr_credit_text(ONE, buf);
	ok(strcmp(buf, "1") == 0, "credit 1");
	attr_credit_text(ONE / 2, buf);
	ok(strcmp(buf, "0.5") == 0, "credit 0.5");
	attr_credit_text(3333333334, buf);
	ok(strcmp(buf, "0.3333333334") == 0, "credit 0.3333333334");
	attr_credit_text(1, buf);
	ok(strcmp(buf, "0.0000000001") == 0, "credit 1e-10");
	attr_credit_text(0, buf);
	ok(strcmp(buf, "0") == 0, "credit 0");
	ok(attr_valid_value("12.50", 5) && attr_valid_value("-3", 2) && !attr_valid_value("1e5", 3)
	   && !attr_valid_value("1.", 2) && !attr_valid_value("", 0) && !attr_valid_value("-", 1),
	   "conversion values are plain decimals");
}

static void
test_codec(void)
{
	uint8_t		buf[256],
			   *p;
	uint32_t	n;
	AttrEvent	out[4];

	ev[0] = touch(1, "email");
	ev[1] = conversion(2, "49.5");
	attr_encode_header(buf, 2);
	p = attr_encode_event(buf + ATTR_HEADER_SIZE, &ev[0]);
	p = attr_encode_event(p, &ev[1]);
	ok(attr_decode(buf, p - buf, &n, out) == NULL && n == 2 && out[0].channel_len == 5 &&
	   memcmp(out[1].value, "49.5", 4) == 0, "encode then decode");
	ok(attr_decode(buf, p - buf - 1, &n, NULL) != NULL, "a short value is refused");
	buf[0] = 2;
	ok(attr_decode(buf, p - buf, &n, NULL) != NULL, "another version is refused");
	buf[0] = 1;
	buf[ATTR_HEADER_SIZE + 8] = 0;
	ok(attr_decode(buf, p - buf, &n, NULL) != NULL, "flags 0 are refused");
	buf[ATTR_HEADER_SIZE + 8] = ATTR_CONVERSION;
	ok(attr_decode(buf, p - buf, &n, NULL) != NULL, "a conversion without a value is refused");
	buf[ATTR_HEADER_SIZE + 8] = ATTR_TOUCH;
	buf[1] = 0xff;
	buf[4] = 0xff;
	ok(attr_decode(buf, p - buf, &n, NULL) != NULL, "a huge event count is refused");
}

int
main(void)
{
	AttrOptions o;
	AttrParam	param;

	test_models();
	test_paths();
	test_sort_and_summary();
	test_text();
	test_codec();
	ok(attr_options_init(&o, "u_shaped", 8) == ATTR_UNKNOWN_MODEL, "an unknown model");
	attr_options_init(&o, "linear", 6);
	ok(attr_param_lookup(&o, "halflife", 8, &param) == ATTR_UNKNOWN_PARAM, "an unknown params key");
	ok(attr_param_lookup(&o, "half_life", 9, &param) == ATTR_PARAM_NOT_FOR_MODEL, "half_life is for time_decay only");
	attr_options_init(&o, "time_decay", 10);
	ok(attr_param_lookup(&o, "half_life", 9, &param) == ATTR_OK && param == ATTR_PARAM_HALF_LIFE, "half_life for time_decay");
	return done_testing();
}
