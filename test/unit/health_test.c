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

	/* the serialized state */
	{
		const char *text = "{\"signals\": {\"a\": {\"weight\": 1}}}";
		int64_t		in[2] = {7, INT64_MAX};
		uint8_t		buf[128];
		size_t		size = health_state_size(strlen(text), 1);
		HealthStateView v;

		ok(size == 13 + strlen(text) + 4 + 16, "state size: header, text, count, 2 counters");
		health_state_encode(buf, -42, text, strlen(text), 1, in);
		ok(health_state_decode(buf, size, &v) == NULL && v.as_of == -42 && v.nsignals == 1 &&
		   v.text_len == strlen(text) && memcmp(v.text, text, v.text_len) == 0 &&
		   health_state_count(&v, 0) == 7 && health_state_count(&v, 1) == INT64_MAX,
		   "encode then decode gives back every field");
		ok(health_state_decode(buf, size - 1, &v) != NULL, "one byte short: rejected");
		ok(health_state_decode(buf, size + 8, &v) != NULL, "8 bytes too many: rejected");
		ok(health_state_decode(buf, 5, &v) != NULL, "a truncated header: rejected");
		buf[0] = 2;
		ok(health_state_decode(buf, size, &v) != NULL, "another version: rejected");
		buf[0] = HEALTH_STATE_VERSION;
		buf[9] = 0x7f;			/* text length far beyond the bytes */
		ok(health_state_decode(buf, size, &v) != NULL, "a text length beyond the end: rejected");
		health_state_encode(buf, 0, text, strlen(text), 1, in);
		buf[size - 8] = 0x80;	/* the last counter negative */
		ok(health_state_decode(buf, size, &v) != NULL, "a negative count: rejected");
	}
	return done_testing();
}
