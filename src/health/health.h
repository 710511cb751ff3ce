/*
 * health.h
 *		Customer health score: the pure C core (no PostgreSQL headers).
 *
 * A model names a few signals (event names) with a weight, a direction and
 * an optional target, and two windows that end at an instant as_of:
 *
 *		baseline B = (as_of - recent - baseline, as_of - recent]
 *		recent   R = (as_of - recent, as_of]
 *
 * Per group the state is two counters per signal (rows in R, rows in B);
 * rows are never kept.  The score compares each signal's recent count with
 * what its baseline (or target) leads one to expect, caps the comparison at
 * 1 and takes the weighted mean, scaled to 0..100.  Timestamps and lengths
 * are in microseconds, like PostgreSQL's timestamptz.
 */
#ifndef B2B_HEALTH_H
#define B2B_HEALTH_H

#include <stddef.h>
#include <stdint.h>

typedef enum HealthDirection
{
	HEALTH_UP,					/* more is better: c = min(x, 1) */
	HEALTH_DOWN					/* less is better: c = min(1, 1/x) */
} HealthDirection;

typedef struct HealthSignal
{
	const char *name;			/* not NUL-terminated; owned by the caller */
	size_t		name_len;
	double		weight;			/* > 0 */
	HealthDirection direction;
	int			has_target;
	double		target;			/* >= 0: expected recent count, if has_target */
	int			has_weight;		/* set by the glue while it reads the model */
} HealthSignal;

typedef struct HealthModel
{
	int64_t		recent_us;		/* > 0 */
	int64_t		baseline_us;	/* > 0 */
	/* recent/baseline in lowest terms, set by health_model_prepare() */
	int64_t		recent_part;
	int64_t		baseline_part;
	int			nsignals;		/* >= 1 */
	HealthSignal *signals;		/* sorted by health_model_prepare() */
} HealthModel;

/* The window bounds of one as_of, computed once per group. */
typedef struct HealthWindows
{
	int64_t		as_of;
	int64_t		recent_start;	/* as_of - recent, saturated at INT64_MIN */
	int64_t		baseline_start; /* recent_start - baseline, saturated */
} HealthWindows;

/* Where one row falls. */
typedef enum HealthWindow
{
	HEALTH_IGNORED = -1,
	HEALTH_RECENT = 0,
	HEALTH_BASELINE = 1
} HealthWindow;

/* The evaluation of one signal, for the score and for health_score_detail. */
typedef struct HealthComponent
{
	int			has_data;		/* 0 when e = 0 and r = 0: left out */
	int64_t		recent;			/* r */
	int64_t		baseline;		/* count in B */
	double		expected;		/* e */
	double		ratio;			/* x as used: 1 when e = 0 < r */
	double		component;		/* c in [0, 1] */
	double		points_lost;	/* 100 * w * (1 - c) / sum of weights with data */
} HealthComponent;

/* Counters of a group: counts[2 * i + HEALTH_RECENT], counts[2 * i + HEALTH_BASELINE]. */
#define HEALTH_COUNT_SLOT(signal, window) (2 * (signal) + (window))

/* What a core function found: 0 is OK, anything else an error the glue reports (one ereport each). */
typedef enum HealthStatus
{
	HEALTH_OK = 0,
	/* the model */
	HEALTH_ERR_UNKNOWN_KEY,		/* a key the model or a signal does not have */
	HEALTH_ERR_NO_SIGNALS,		/* the model has no "signals" */
	HEALTH_ERR_EMPTY_SIGNALS,	/* "signals" is an empty object */
	HEALTH_ERR_NO_WEIGHT,		/* a signal without "weight" */
	HEALTH_ERR_OUT_OF_RANGE,	/* a weight or target outside its documented range */
	HEALTH_ERR_BAD_DIRECTION,	/* "direction" other than "up" or "down" */
	/* health_band */
	HEALTH_ERR_BAND_NAN,		/* a NaN score or threshold */
	HEALTH_ERR_BAND_ORDER,		/* red_max > yellow_max */
	/* states */
	HEALTH_ERR_DIFFERENT_AS_OF, /* two states (or rows) of a group with different as_of */
	HEALTH_ERR_DIFFERENT_MODEL, /* ... with different models */
	HEALTH_ERR_COUNT_OVERFLOW,	/* a counter beyond 2^63 - 1 */
	HEALTH_ERR_BAD_VERSION,		/* bytes of an unknown format version */
	HEALTH_ERR_BAD_LENGTH,		/* bytes whose lengths do not add up */
	HEALTH_ERR_BAD_COUNT		/* a negative counter */
} HealthStatus;

/* ---- the model's schema ---------------------------------------------------- */

/*
 * A model is a JSON object {"recent": interval, "baseline": interval,
 * "signals": {name: {"weight": number, "direction": "up" | "down",
 * "target": number}}}.  The glue walks the JSON and asks the core what each
 * key is and whether each value is allowed; the core owns the schema, the
 * ranges and the defaults.
 */
typedef enum HealthKey
{
	HEALTH_KEY_UNKNOWN = 0,
	/* keys of the model */
	HEALTH_KEY_RECENT,
	HEALTH_KEY_BASELINE,
	HEALTH_KEY_SIGNALS,
	/* keys of a signal */
	HEALTH_KEY_WEIGHT,
	HEALTH_KEY_DIRECTION,
	HEALTH_KEY_TARGET
} HealthKey;

/* What a key of the model (in_signal = 0) or of a signal (in_signal = 1) is. */
extern HealthKey health_key(const char *key, size_t len, int in_signal);

/* Defaults of the windows: 30 and 90 days, a day being 24 hours. */
#define HEALTH_DEFAULT_RECENT_US	(INT64_C(30) * 86400 * 1000000)
#define HEALTH_DEFAULT_BASELINE_US	(INT64_C(90) * 86400 * 1000000)

/*
 * The documented range of weights and targets.  Weights are in
 * [1e-9, 1e15], targets 0 or in [1e-9, 1e15]: no denormal (whose products
 * underflow to 0) and no value whose ratio r / target could overflow a
 * double (r < 2^63, so a ratio stays below 1e28), so every number of a
 * score and its detail is finite.
 */
#define HEALTH_MIN_NUMBER 1e-9
#define HEALTH_MAX_NUMBER 1e15

extern HealthStatus health_check_weight(double weight);
extern HealthStatus health_check_target(double target);
extern HealthStatus health_parse_direction(const char *value, size_t len, HealthDirection *direction);

/*
 * Complete a model the glue has filled in: the defaults of windows not given
 * (has_recent, has_baseline), the checks that need the whole model (signals
 * given and not empty, every signal with a weight: *bad_signal is then its
 * index), the signals sorted for lookup and recent/baseline reduced.
 * Windows are positive (the glue checked the intervals).
 */
extern HealthStatus health_model_finish(HealthModel *model, int has_recent, int has_baseline,
										int has_signals, int *bad_signal);

extern void health_model_prepare(HealthModel *model);
extern int	health_signal_index(const HealthModel *model, const char *name, size_t name_len);
extern void health_windows_init(HealthWindows *windows, int64_t as_of,
								int64_t recent_us, int64_t baseline_us);
extern HealthWindow health_classify(const HealthWindows *windows, int64_t ts);

/*
 * Evaluate every signal into components[nsignals] (may be NULL) and return 1
 * with the score, rounded half up to two decimals, as a count of hundredths
 * (0..10000) in *hundredths; or return 0 when no signal has data (NULL).
 */
extern int	health_evaluate(const HealthModel *model, const int64_t *counts,
							HealthComponent *components, int64_t *hundredths);

/* Decimals of the score (hundredths) and of the numbers of a detail. */
#define HEALTH_SCORE_DECIMALS	2
#define HEALTH_DETAIL_DECIMALS	4

/* ---- bands ------------------------------------------------------------------- */

typedef enum HealthBand
{
	HEALTH_BAND_RED,
	HEALTH_BAND_YELLOW,
	HEALTH_BAND_GREEN
} HealthBand;

/* The default thresholds: red up to 50, yellow up to 75, green above. */
#define HEALTH_BAND_RED_MAX		50
#define HEALTH_BAND_YELLOW_MAX	75

/*
 * The band of a score from its comparisons (< 0, 0, > 0) with the two
 * thresholds and theirs with each other, so that numeric scores are
 * compared exactly by the glue; any_nan when one of the three is NaN.
 */
extern HealthStatus health_band_of(int any_nan, int score_vs_red, int score_vs_yellow,
								   int red_vs_yellow, HealthBand *band);
extern HealthStatus health_band_of_double(double score, double red_max, double yellow_max,
										  HealthBand *band);
extern const char *health_band_name(HealthBand band);

/* ---- the state: the value of the SQL type health_state ------------------------- */

/*
 * The state of a group: as_of, two counters per signal and the model's
 * canonical JSON text (which the glue parses into a HealthModel, once per
 * model and process).  In memory it is this struct, a varlena datum whose
 * first four bytes are the glue's header; the counters come first, then the
 * text.  Everything that leaves the process is the little-endian encoding
 * below (bytes.h), with a version byte first:
 *
 *		version (u8) = HEALTH_STATE_VERSION, as_of (i64), text length (u32),
 *		the text, nsignals (u32), 2 * nsignals counters (i64, each >= 0)
 *
 * Version 1 was 1.0's serialized internal state, big-endian; version 2 is
 * the same fields little-endian.
 */
#define HEALTH_STATE_VERSION 2

typedef struct HealthState
{
	uint32_t	varlena_header; /* the glue's */
	uint8_t		version;		/* HEALTH_STATE_VERSION */
	uint8_t		padding[3];
	uint32_t	nsignals;
	uint32_t	text_len;
	int64_t		as_of;
	int64_t		counts[];		/* 2 * nsignals (HEALTH_COUNT_SLOT), then text_len bytes */
} HealthState;

extern size_t health_state_mem_size(uint32_t nsignals, uint32_t text_len);
/* A zeroed state in mem (health_state_mem_size bytes), the text copied in. */
extern void health_state_init(HealthState *state, int64_t as_of, uint32_t nsignals,
							  const char *text, uint32_t text_len);
extern const char *health_state_text(const HealthState *state);
/* 1 when the in-memory layout is consistent with its size (the glue checks stored datums). */
extern int	health_state_layout_ok(const HealthState *state, size_t size);
/* Add from's counters to into's: same as_of and model text, else an error. */
extern HealthStatus health_state_merge(HealthState *into, const HealthState *from);

extern size_t health_state_wire_size(const HealthState *state);
extern void health_state_encode(const HealthState *state, uint8_t *out);

/*
 * Decoding untrusted bytes is two steps: health_state_peek checks the whole
 * layout (lengths, version, counters' signs) and gives the sizes, so the
 * glue can allocate; health_state_decode then fills a state of that size.
 * The model text is not checked here: the glue parses it as a model and
 * wants it canonical.
 */
extern HealthStatus health_state_peek(const uint8_t *bytes, size_t len,
									  uint32_t *nsignals, uint32_t *text_len);
extern void health_state_decode(const uint8_t *bytes, size_t len, HealthState *state);

#endif							/* B2B_HEALTH_H */
