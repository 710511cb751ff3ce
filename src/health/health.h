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

/* What a core function found: 0 is OK, anything else an error the glue reports. */
typedef enum HealthStatus
{
	HEALTH_OK = 0,
	HEALTH_ERR_OUT_OF_RANGE		/* a weight or target outside its documented range */
} HealthStatus;

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

/*
 * The serialized aggregate state, for parallel plans:
 *
 *		version byte (1), as_of (int64), model text length (uint32), the model
 *		text, nsignals (uint32), 2 * nsignals counters (int64, each >= 0)
 *
 * integers big-endian.  The decoder trusts nothing: it checks every length
 * against the bytes there are, and the counters' signs.
 */
#define HEALTH_STATE_VERSION 1

typedef struct HealthStateView
{
	int64_t		as_of;
	const char *text;			/* points into the decoded bytes */
	uint32_t	text_len;
	uint32_t	nsignals;
	const uint8_t *counts;		/* 2 * nsignals big-endian int64, read with health_state_count() */
} HealthStateView;

extern size_t health_state_size(uint32_t text_len, uint32_t nsignals);
extern void health_state_encode(uint8_t *out, int64_t as_of, const char *text, uint32_t text_len,
								uint32_t nsignals, const int64_t *counts);
/* NULL when the bytes are a well-formed state, else what is wrong with them. */
extern const char *health_state_decode(const uint8_t *bytes, size_t len, HealthStateView *view);
extern int64_t health_state_count(const HealthStateView *view, uint32_t slot);

#endif							/* B2B_HEALTH_H */
