/*
 * health_test.c: unit tests of the health score core (no server).
 * Every expected value is worked out by hand in the comment beside it.
 */
#include <stdint.h>
#include <string.h>

#include "health/health.h"
#include "tap.h"

#define DAY_US	INT64_C(86400000000)

static HealthSignal signals[4];
static HealthModel model;

/* The model: login 3, core_feature 5, help_view 1 down, support_ticket 1 down target 2. */
static void
default_model(void)
{
	memset(signals, 0, sizeof(signals));
	signals[0].name = "login";
	signals[0].weight = 3;
	signals[1].name = "core_feature";
	signals[1].weight = 5;
	signals[2].name = "help_view";
	signals[2].weight = 1;
	signals[2].direction = HEALTH_DOWN;
	signals[3].name = "support_ticket";
	signals[3].weight = 1;
	signals[3].direction = HEALTH_DOWN;
	signals[3].has_target = 1;
	signals[3].target = 2;
	for (int i = 0; i < 4; i++)
		signals[i].name_len = strlen(signals[i].name);
	model.recent_us = 30 * DAY_US;
	model.baseline_us = 90 * DAY_US;
	model.nsignals = 4;
	model.signals = signals;
	health_model_prepare(&model);
}

static int
idx(const char *name)
{
	return health_signal_index(&model, name, strlen(name));
}

/* Score in hundredths for counts given as {r, b} per named signal; -1 for NULL. */
static int64_t
score(int64_t r_login, int64_t b_login, int64_t r_core, int64_t b_core,
	  int64_t r_help, int64_t b_help, int64_t r_ticket)
{
	int64_t		counts[8] = {0};
	int64_t		h;

	counts[HEALTH_COUNT_SLOT(idx("login"), HEALTH_RECENT)] = r_login;
	counts[HEALTH_COUNT_SLOT(idx("login"), HEALTH_BASELINE)] = b_login;
	counts[HEALTH_COUNT_SLOT(idx("core_feature"), HEALTH_RECENT)] = r_core;
	counts[HEALTH_COUNT_SLOT(idx("core_feature"), HEALTH_BASELINE)] = b_core;
	counts[HEALTH_COUNT_SLOT(idx("help_view"), HEALTH_RECENT)] = r_help;
	counts[HEALTH_COUNT_SLOT(idx("help_view"), HEALTH_BASELINE)] = b_help;
	counts[HEALTH_COUNT_SLOT(idx("support_ticket"), HEALTH_RECENT)] = r_ticket;
	return health_evaluate(&model, counts, NULL, &h) ? h : -1;
}

int
main(void)
{
	HealthWindows w;
	HealthComponent comps[4];
	int64_t		counts[8] = {0};
	int64_t		h;
	const int64_t as_of = 1000 * DAY_US;

	default_model();

	/* model preparation */
	ok(model.recent_part == 1 && model.baseline_part == 3, "30 and 90 days reduce to 1 and 3");
	ok(idx("login") >= 0 && idx("core_feature") >= 0 && idx("help_view") >= 0 &&
	   idx("support_ticket") >= 0, "every signal is found after sorting");
	ok(idx("Login") == -1 && idx("login ") == -1 && idx("") == -1 && idx("page_view") == -1,
	   "other names are not signals");
	for (int i = 1; i < 4; i++)
		ok(signals[i - 1].name_len <= signals[i].name_len, "signals sorted by length (%d)", i);

	/* windows: R = (as_of - 30d, as_of], B = (as_of - 120d, as_of - 30d] */
	health_windows_init(&w, as_of, 30 * DAY_US, 90 * DAY_US);
	ok(health_classify(&w, as_of) == HEALTH_RECENT, "a row at as_of is recent");
	ok(health_classify(&w, as_of + 1) == HEALTH_IGNORED, "a row after as_of is ignored");
	ok(health_classify(&w, as_of - 30 * DAY_US) == HEALTH_BASELINE, "a row at as_of - recent is baseline");
	ok(health_classify(&w, as_of - 30 * DAY_US + 1) == HEALTH_RECENT, "1 us later it is recent");
	ok(health_classify(&w, as_of - 120 * DAY_US) == HEALTH_IGNORED, "a row at as_of - recent - baseline is ignored");
	ok(health_classify(&w, as_of - 120 * DAY_US + 1) == HEALTH_BASELINE, "1 us later it is baseline");
	ok(health_classify(&w, INT64_MIN) == HEALTH_IGNORED && health_classify(&w, INT64_MAX) == HEALTH_IGNORED,
	   "-infinity and infinity are ignored");

	/* saturation instead of overflow */
	health_windows_init(&w, INT64_MIN + 10, 30 * DAY_US, 90 * DAY_US);
	ok(w.recent_start == INT64_MIN && w.baseline_start == INT64_MIN, "window starts saturate at INT64_MIN");
	health_windows_init(&w, 0, INT64_MAX, INT64_MAX);
	ok(w.recent_start == -INT64_MAX && w.baseline_start == INT64_MIN, "huge lengths saturate");

	/* the formula */
	ok(score(0, 0, 0, 0, 0, 0, 0) == 10000, "only the ticket target has data: c = 1, 100");
	{
		/* without the ticket signal every signal can lack data */
		model.nsignals = 1;
		memset(signals, 0, sizeof(signals));
		signals[0].name = "a";
		signals[0].name_len = 1;
		signals[0].weight = 1;
		health_model_prepare(&model);
		ok(!health_evaluate(&model, counts, NULL, &h), "no data: NULL");
		counts[HEALTH_COUNT_SLOT(0, HEALTH_RECENT)] = 2;
		ok(health_evaluate(&model, counts, NULL, &h) && h == 10000, "e = 0 < r: x = 1, 100");
		default_model();
	}
	ok(score(1, 6, 3, 9, 0, 0, 0) == 8333, "login x = 1/2, core x = 1, ticket 1: 100 (1.5 + 5 + 1) / 9 = 83.33");
	ok(score(1, 6, 0, 0, 0, 0, 0) == 6250, "login x = 1/2, ticket 1: 100 (1.5 + 1) / 4 = 62.5");
	ok(score(5, 3, 0, 0, 0, 0, 0) == 10000, "login x = 5 capped at 1: 100");
	ok(score(1, 3, 0, 0, 2, 3, 0) == 9000, "help_view x = 2, down c = 1/2: 100 (3 + 0.5 + 1) / 5 = 90");
	ok(score(0, 0, 0, 3, 0, 3, 0) == 2857, "core x = 0: 0; help x = 0 down: 1; ticket 1: 200 / 7 = 28.57");
	ok(score(0, 0, 0, 0, 1, 6, 0) == 10000, "help x = 1/2, down: c = 1");
	ok(score(0, 0, 0, 0, 0, 0, 5) == 4000, "tickets r = 5, target 2: x = 2.5, c = 0.4: 40");
	ok(score(0, 0, 0, 0, 0, 0, 1) == 10000, "tickets r = 1, target 2: x = 0.5, down: 100");
	ok(score(1, 9, 0, 0, 0, 0, 0) == 5000, "login x = 1/3: 100 (1 + 1) / 4 = 50");
	ok(score(0, 0, 1, 16, 0, 0, 0) == 3229, "core x = 3/16: 100 (5 * 0.1875 + 1) / 6 = 32.291..: 32.29");
	/* with all four weights (sum 10), c = 3/16 on core lands exactly on a half hundredth */
	ok(score(3, 3, 1, 16, 0, 0, 0) == 5486, "100 (3 + 0.9375 + 1) / 9 = 54.861..: 54.86");
	ok(score(3, 3, 1, 16, 1, 3, 0) == 5938, "100 (3 + 0.9375 + 1 + 1) / 10 = 59.375: half up 59.38");

	/* components and points lost */
	counts[HEALTH_COUNT_SLOT(idx("help_view"), HEALTH_RECENT)] = 2;
	counts[HEALTH_COUNT_SLOT(idx("help_view"), HEALTH_BASELINE)] = 3;
	counts[HEALTH_COUNT_SLOT(idx("login"), HEALTH_RECENT)] = 1;
	counts[HEALTH_COUNT_SLOT(idx("login"), HEALTH_BASELINE)] = 3;
	ok(health_evaluate(&model, counts, comps, &h) && h == 9000, "detail: score 90");
	{
		HealthComponent *help = &comps[idx("help_view")];
		HealthComponent *core = &comps[idx("core_feature")];
		HealthComponent *ticket = &comps[idx("support_ticket")];

		ok(help->has_data && help->recent == 2 && help->baseline == 3 && help->expected == 1 &&
		   help->ratio == 2 && help->component == 0.5 && help->points_lost == 10,
		   "help_view: r 2, b 3, e 1, x 2, c 0.5, loses 100 * 1 * 0.5 / 5 = 10");
		ok(!core->has_data, "core_feature has no data");
		ok(ticket->has_data && ticket->expected == 2 && ticket->ratio == 0 && ticket->component == 1,
		   "support_ticket: e = target 2, x = 0, c = 1");
	}

	/* the model's schema: keys, ranges, directions, defaults, whole-model checks */
	{
		HealthDirection d = HEALTH_UP;
		HealthSignal	two[2];
		HealthModel		m;
		int				bad = -1;

		ok(health_key("recent", 6, 0) == HEALTH_KEY_RECENT && health_key("baseline", 8, 0) == HEALTH_KEY_BASELINE &&
		   health_key("signals", 7, 0) == HEALTH_KEY_SIGNALS, "the model's three keys");
		ok(health_key("weight", 6, 1) == HEALTH_KEY_WEIGHT && health_key("direction", 9, 1) == HEALTH_KEY_DIRECTION &&
		   health_key("target", 6, 1) == HEALTH_KEY_TARGET, "a signal's three keys");
		ok(health_key("weight", 6, 0) == HEALTH_KEY_UNKNOWN && health_key("recent", 6, 1) == HEALTH_KEY_UNKNOWN,
		   "a signal's key is not a model's, and back");
		ok(health_key("Recent", 6, 0) == HEALTH_KEY_UNKNOWN && health_key("recent", 5, 0) == HEALTH_KEY_UNKNOWN &&
		   health_key("recents", 7, 0) == HEALTH_KEY_UNKNOWN, "keys are exact: case, prefix, longer");
		ok(health_check_weight(1) == HEALTH_OK && health_check_weight(1e-9) == HEALTH_OK &&
		   health_check_weight(1e15) == HEALTH_OK, "weights 1, 1e-9 and 1e15 are in range");
		ok(health_check_weight(0) == HEALTH_ERR_OUT_OF_RANGE && health_check_weight(-1) == HEALTH_ERR_OUT_OF_RANGE &&
		   health_check_weight(5e-324) == HEALTH_ERR_OUT_OF_RANGE && health_check_weight(9.99e-10) == HEALTH_ERR_OUT_OF_RANGE &&
		   health_check_weight(1.0000000000000002e15) == HEALTH_ERR_OUT_OF_RANGE &&
		   health_check_weight(1.0 / 0.0) == HEALTH_ERR_OUT_OF_RANGE && health_check_weight(0.0 / 0.0) == HEALTH_ERR_OUT_OF_RANGE,
		   "weights 0, -1, a denormal, below 1e-9, above 1e15, infinity and NaN are not");
		ok(health_check_target(0) == HEALTH_OK && health_check_target(1e-9) == HEALTH_OK &&
		   health_check_target(1e-320) == HEALTH_ERR_OUT_OF_RANGE && health_check_target(-0.5) == HEALTH_ERR_OUT_OF_RANGE,
		   "targets: 0 and 1e-9 yes, a denormal and a negative no");
		ok(health_parse_direction("down", 4, &d) == HEALTH_OK && d == HEALTH_DOWN &&
		   health_parse_direction("up", 2, &d) == HEALTH_OK && d == HEALTH_UP, "directions up and down");
		ok(health_parse_direction("UP", 2, &d) == HEALTH_ERR_BAD_DIRECTION &&
		   health_parse_direction("upward", 6, &d) == HEALTH_ERR_BAD_DIRECTION &&
		   health_parse_direction("u", 1, &d) == HEALTH_ERR_BAD_DIRECTION, "no other direction");

		memset(two, 0, sizeof(two));
		memset(&m, 0, sizeof(m));
		two[0].name = "zz";
		two[0].name_len = 2;
		two[0].weight = 1;
		two[0].has_weight = 1;
		two[1].name = "a";
		two[1].name_len = 1;
		m.signals = two;
		ok(health_model_finish(&m, 0, 0, 0, &bad) == HEALTH_ERR_NO_SIGNALS, "no signals key: an error");
		ok(health_model_finish(&m, 0, 0, 1, &bad) == HEALTH_ERR_EMPTY_SIGNALS, "no signals: an error");
		m.nsignals = 2;
		ok(health_model_finish(&m, 0, 0, 1, &bad) == HEALTH_ERR_NO_WEIGHT && bad == 1,
		   "a signal without a weight: an error naming it (index 1)");
		two[1].weight = 2;
		two[1].has_weight = 1;
		m.recent_us = 7;		/* given: kept */
		ok(health_model_finish(&m, 1, 0, 1, &bad) == HEALTH_OK && m.recent_us == 7 &&
		   m.baseline_us == INT64_C(90) * 86400 * 1000000, "a given window is kept, a missing one is 90 days");
		ok(m.signals[0].name_len == 1 && m.signals[1].name_len == 2, "signals sorted by name length first");
		m.nsignals = 1;
		ok(health_model_finish(&m, 0, 0, 1, &bad) == HEALTH_OK && m.recent_us == INT64_C(30) * 86400 * 1000000 &&
		   m.recent_part == 1 && m.baseline_part == 3, "the default windows: 30 and 90 days, reduced to 1 and 3");
	}

	/* bands */
	{
		HealthBand	b = HEALTH_BAND_GREEN;

		ok(health_band_of_double(50, HEALTH_BAND_RED_MAX, HEALTH_BAND_YELLOW_MAX, &b) == HEALTH_OK && b == HEALTH_BAND_RED,
		   "50 is red (red up to 50 included)");
		ok(health_band_of_double(50.01, 50, 75, &b) == HEALTH_OK && b == HEALTH_BAND_YELLOW, "50.01 is yellow");
		ok(health_band_of_double(75, 50, 75, &b) == HEALTH_OK && b == HEALTH_BAND_YELLOW, "75 is yellow");
		ok(health_band_of_double(75.01, 50, 75, &b) == HEALTH_OK && b == HEALTH_BAND_GREEN, "75.01 is green");
		ok(health_band_of_double(-1.0 / 0.0, 50, 75, &b) == HEALTH_OK && b == HEALTH_BAND_RED, "-infinity is red");
		ok(health_band_of_double(60, 60, 60, &b) == HEALTH_OK && b == HEALTH_BAND_RED &&
		   health_band_of_double(60.5, 60, 60, &b) == HEALTH_OK && b == HEALTH_BAND_GREEN,
		   "equal thresholds: no yellow band");
		ok(health_band_of_double(0.0 / 0.0, 50, 75, &b) == HEALTH_ERR_BAND_NAN &&
		   health_band_of_double(1, 0.0 / 0.0, 75, &b) == HEALTH_ERR_BAND_NAN, "NaN: an error");
		ok(health_band_of_double(1, 80, 70, &b) == HEALTH_ERR_BAND_ORDER, "red_max above yellow_max: an error");
		ok(health_band_of(1, -1, -1, -1, &b) == HEALTH_ERR_BAND_NAN && health_band_of(0, 1, 1, 1, &b) == HEALTH_ERR_BAND_ORDER,
		   "the comparison form: NaN before order");
		ok(strcmp(health_band_name(HEALTH_BAND_RED), "red") == 0 && strcmp(health_band_name(HEALTH_BAND_YELLOW), "yellow") == 0 &&
		   strcmp(health_band_name(HEALTH_BAND_GREEN), "green") == 0, "band names");
	}

	/* the state: in memory, merged, and its little-endian encoding */
	{
		const char *text = "{\"signals\": {\"a\": {\"weight\": 1}}}";
		size_t		tl = strlen(text);
		uint64_t	mem_a[16];
		uint64_t	mem_b[16];
		uint64_t	mem_c[16];
		HealthState *a = (HealthState *) mem_a;
		HealthState *b = (HealthState *) mem_b;
		HealthState *c = (HealthState *) mem_c;
		uint8_t		buf[128];
		size_t		size;
		uint32_t	n = 0;
		uint32_t	l = 0;

		ok(health_state_mem_size(1, tl) == 24 + 16 + tl, "memory: 24 bytes, 16 per signal, the text");
		health_state_init(a, -42, 1, text, tl);
		a->varlena_header = 0;
		a->counts[0] = 7;
		a->counts[1] = INT64_MAX - 1;
		ok(memcmp(health_state_text(a), text, tl) == 0 && a->version == HEALTH_STATE_VERSION,
		   "the text follows the counters");
		ok(health_state_layout_ok(a, health_state_mem_size(1, tl)) &&
		   !health_state_layout_ok(a, health_state_mem_size(1, tl) + 1) &&
		   !health_state_layout_ok(a, 10), "the layout must match the size exactly");
		health_state_init(b, -42, 1, text, tl);
		b->counts[0] = 3;
		b->counts[1] = 1;
		ok(health_state_merge(a, b) == HEALTH_OK && a->counts[0] == 10 && a->counts[1] == INT64_MAX,
		   "merge adds counters: 7 + 3, (2^63 - 2) + 1");
		ok(health_state_merge(a, b) == HEALTH_ERR_COUNT_OVERFLOW && a->counts[0] == 10,
		   "a counter beyond 2^63 - 1: an error, nothing added");
		health_state_init(c, -41, 1, text, tl);
		ok(health_state_merge(a, c) == HEALTH_ERR_DIFFERENT_AS_OF, "another as_of: an error");
		health_state_init(c, -42, 1, "{\"signals\": {\"b\": {\"weight\": 1}}}", tl);
		ok(health_state_merge(a, c) == HEALTH_ERR_DIFFERENT_MODEL, "another model of the same length: an error");

		size = health_state_wire_size(a);
		ok(size == 13 + tl + 4 + 16, "wire size: header, text, count, 2 counters");
		health_state_encode(a, buf);
		/* by hand: version 2, then -42 little-endian is d6 ff ff ff ff ff ff ff, then the length */
		ok(buf[0] == 2 && buf[1] == 0xd6 && buf[2] == 0xff && buf[8] == 0xff && buf[9] == tl && buf[10] == 0,
		   "little-endian: version, as_of -42, text length");
		ok(buf[13 + tl] == 1 && buf[13 + tl + 4] == 10 && buf[size - 1] == 0x7f,
		   "little-endian: one signal, counter 10, the last counter's top byte 0x7f");
		ok(health_state_peek(buf, size, &n, &l) == HEALTH_OK && n == 1 && l == tl, "peek: the sizes");
		health_state_decode(buf, size, c);
		ok(c->as_of == -42 && c->nsignals == 1 && c->text_len == tl && c->counts[0] == 10 &&
		   c->counts[1] == INT64_MAX && memcmp(health_state_text(c), text, tl) == 0,
		   "encode then decode gives back every field");
		ok(health_state_peek(buf, size - 1, &n, &l) == HEALTH_ERR_BAD_LENGTH, "one byte short: rejected");
		ok(health_state_peek(buf, size + 8, &n, &l) == HEALTH_ERR_BAD_LENGTH, "8 bytes too many: rejected");
		ok(health_state_peek(buf, 5, &n, &l) == HEALTH_ERR_BAD_LENGTH, "a truncated header: rejected");
		ok(health_state_peek(buf, 0, &n, &l) == HEALTH_ERR_BAD_LENGTH, "no bytes: rejected");
		buf[0] = 1;
		ok(health_state_peek(buf, size, &n, &l) == HEALTH_ERR_BAD_VERSION, "version 1 (1.0's big-endian): rejected");
		buf[0] = HEALTH_STATE_VERSION;
		buf[12] = 0x7f;			/* text length far beyond the bytes */
		ok(health_state_peek(buf, size, &n, &l) == HEALTH_ERR_BAD_LENGTH, "a text length beyond the end: rejected");
		health_state_encode(a, buf);
		buf[9] = 0;				/* an empty text */
		ok(health_state_peek(buf, size, &n, &l) == HEALTH_ERR_BAD_LENGTH, "an empty text: rejected");
		health_state_encode(a, buf);
		buf[size - 1] = 0x80;	/* the last counter negative */
		ok(health_state_peek(buf, size, &n, &l) == HEALTH_ERR_BAD_COUNT, "a negative count: rejected");
	}
	return done_testing();
}
