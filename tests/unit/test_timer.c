/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Unit tests of the timer wheel (stack/core/timer.[ch]) on virtual time.
 *
 * Directed tests pin down each rule timer.h states: a timer fires in the
 * first run whose `now` reaches its expiry rounded up to the tick (never
 * earlier, less than a tick later), re-arming moves it, callbacks may cancel
 * or re-arm any timer, timers armed for a passed time fire in the next run,
 * delays of hours and years, the work of a huge jump over a sparse wheel, and
 * next_expiry. A seeded random workload (100k operations per configuration)
 * checks every firing against a brute-force reference model. The last test
 * prints the cost of arm+cancel of 1M timers (no time is asserted).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "timer.h"

#define MS STK_NS_PER_MS
#define SEC STK_NS_PER_S
#define HOUR (3600 * SEC)
#define DAY (24 * HOUR)

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state;

/* splitmix64 */
static uint64_t
rng_next(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
rng_below(uint64_t n)
{
	return n != 0 ? rng_next() % n : 0;
}

/* Expiry tick: the timer fires from ceil_tick(e) * tick on. */
static uint64_t
ceil_tick(uint64_t e, uint64_t tick)
{
	return e / tick + (e % tick != 0);
}

/* Time a timer for @p e fires from, saturated like stk_wheel_next_expiry(). */
static uint64_t
fire_time(uint64_t e, uint64_t tick)
{
	uint64_t t = ceil_tick(e, tick);

	return t > UINT64_MAX / tick ? UINT64_MAX : t * tick;
}

/* Fire log of the directed tests. */
#define LOG_MAX 4096
static struct stk_timer *log_t[LOG_MAX];
static stk_time_t log_now[LOG_MAX];
static unsigned int log_n;

static void
log_cb(struct stk_timer *t, void *arg, stk_time_t now)
{
	if (log_n < LOG_MAX) {
		log_t[log_n] = t;
		log_now[log_n] = now;
	}
	log_n++;
}

/* ---- directed tests ------------------------------------------------------- */

static void
test_arm_cancel_rearm(void)
{
	struct stk_wheel w;
	struct stk_timer a;
	stk_time_t t0 = 1000 * SEC;

	CHECK_EQ(stk_wheel_init(&w, 0, t0), STK_EINVAL);
	CHECK_EQ(stk_wheel_init(&w, MS, t0), 0);
	CHECK_EQ(stk_wheel_count(&w), 0);
	CHECK(stk_wheel_next_expiry(&w) == UINT64_MAX);
	CHECK_EQ(stk_wheel_run(&w, t0 + 10 * SEC), 0);
	t0 += 10 * SEC;

	stk_timer_init(&a, log_cb, NULL);
	CHECK(!stk_timer_armed(&a));
	CHECK(!stk_timer_cancel(&w, &a));
	CHECK(stk_timer_expiry(&w, &a) == UINT64_MAX);

	stk_timer_arm(&w, &a, t0 + 5 * MS);
	CHECK(stk_timer_armed(&a));
	CHECK_EQ(stk_wheel_count(&w), 1);
	CHECK_EQ(stk_timer_expiry(&w, &a), t0 + 5 * MS);
	CHECK_EQ(stk_wheel_next_expiry(&w), t0 + 5 * MS);
	CHECK(stk_timer_cancel(&w, &a));
	CHECK(!stk_timer_armed(&a));
	CHECK_EQ(stk_wheel_count(&w), 0);
	CHECK(stk_wheel_next_expiry(&w) == UINT64_MAX);
	CHECK_EQ(stk_wheel_run(&w, t0 + 10 * MS), 0);
	t0 += 10 * MS;

	/* Re-arm earlier: fires once, at the new time. */
	log_n = 0;
	stk_timer_arm(&w, &a, t0 + 10 * MS);
	stk_timer_arm(&w, &a, t0 + 3 * MS);
	CHECK_EQ(stk_wheel_count(&w), 1);
	CHECK_EQ(stk_timer_expiry(&w, &a), t0 + 3 * MS);
	CHECK_EQ(stk_wheel_run(&w, t0 + 3 * MS - 1), 0);
	CHECK_EQ(stk_wheel_run(&w, t0 + 3 * MS), 1);
	CHECK(log_n == 1 && log_t[0] == &a && log_now[0] == t0 + 3 * MS);
	CHECK(!stk_timer_armed(&a));
	CHECK_EQ(stk_wheel_count(&w), 0);
	CHECK_EQ(stk_wheel_run(&w, t0 + 20 * MS), 0);
	t0 += 20 * MS;

	/* Re-arm later: does not fire at the old time. */
	stk_timer_arm(&w, &a, t0 + 3 * MS);
	stk_timer_arm(&w, &a, t0 + 8 * MS);
	CHECK_EQ(stk_wheel_run(&w, t0 + 5 * MS), 0);
	CHECK_EQ(stk_wheel_run(&w, t0 + 8 * MS - 1), 0);
	CHECK_EQ(stk_wheel_run(&w, t0 + 8 * MS), 1);

	/* A fired timer can be armed again; re-arming to the same time is harmless. */
	stk_timer_arm(&w, &a, t0 + 9 * MS);
	stk_timer_arm(&w, &a, t0 + 9 * MS);
	CHECK_EQ(stk_wheel_count(&w), 1);
	CHECK_EQ(stk_wheel_run(&w, t0 + 9 * MS), 1);
	CHECK_EQ(log_n, 3);
}

/* Each timer fires at its expiry rounded up to the tick: not one ns before. */
static void
test_exact_times(uint64_t tick)
{
	struct stk_wheel w;
	struct stk_timer a;
	stk_time_t now = 5000 * SEC + 123457;
	unsigned int i, early = 0, missed = 0, late = 0;

	stk_wheel_init(&w, tick, now);
	stk_timer_init(&a, log_cb, NULL);
	for (i = 0; i < 2000; i++) {
		/* Unaligned, and every tenth exactly on a tick. */
		stk_time_t e = now + 1 + rng_below(300 * tick);
		stk_time_t fire;

		if (i % 10 == 0)
			e = ceil_tick(e, tick) * tick;
		fire = ceil_tick(e, tick) * tick;
		stk_timer_arm(&w, &a, e);
		log_n = 0;
		if (stk_wheel_run(&w, fire - 1) != 0 || !stk_timer_armed(&a))
			early++;
		if (stk_wheel_run(&w, fire) != 1 || log_n != 1 || log_now[0] != fire)
			missed++;
		if (fire < e || fire - e >= tick)
			late++;
		now = fire;
	}
	CHECK(early == 0, "tick %" PRIu64 ": %u timers fired before their tick", tick, early);
	CHECK(missed == 0, "tick %" PRIu64 ": %u timers did not fire at their tick", tick, missed);
	CHECK(late == 0, "tick %" PRIu64 ": %u rounded expiries a tick or more late", tick, late);
}

#define ORDER_N 2000

/* 2000 timers, some sharing a tick, fire in expiry order in one jump of 3 hours. */
static void
test_order(void)
{
	static struct stk_timer tv[ORDER_N];
	static stk_time_t ex[ORDER_N];
	static bool done[ORDER_N];
	struct stk_wheel w;
	stk_time_t t0 = 777 * SEC + 3;
	unsigned int i, k, bad_order = 0, dup = 0;

	stk_wheel_init(&w, MS, t0);
	for (i = 0; i < ORDER_N; i++) {
		stk_timer_init(&tv[i], log_cb, NULL);
		/* One in ten shares one of five expiry times. */
		ex[i] = t0 + 1 + (i % 10 == 0 ? (i % 5) * 77 * SEC : rng_below(2 * HOUR));
		stk_timer_arm(&w, &tv[i], ex[i]);
	}
	CHECK_EQ(stk_wheel_count(&w), ORDER_N);
	log_n = 0;
	CHECK_EQ(stk_wheel_run(&w, t0 + 3 * HOUR), ORDER_N);
	memset(done, 0, sizeof(done));
	for (k = 0; k < log_n && k < LOG_MAX; k++) {
		i = (unsigned int)(log_t[k] - tv);
		if (done[i])
			dup++;
		done[i] = true;
		if (k > 0 && ceil_tick(ex[i], MS) < ceil_tick(ex[log_t[k - 1] - tv], MS))
			bad_order++;
	}
	CHECK(bad_order == 0 && dup == 0, "%u out of order, %u twice", bad_order, dup);
	CHECK_EQ(stk_wheel_count(&w), 0);

}

/* Timers armed for a passed time fire in the next run, whatever its now. */
static void
self_now_cb(struct stk_timer *t, void *arg, stk_time_t now)
{
	log_cb(t, arg, now);
	stk_timer_arm(arg, t, now);
}

static void
test_past(void)
{
	struct stk_wheel w;
	struct stk_timer a, b;
	stk_time_t t0 = 100 * SEC;

	stk_wheel_init(&w, MS, t0);
	stk_timer_init(&a, log_cb, NULL);
	CHECK_EQ(stk_wheel_run(&w, t0 + 100 * MS), 0);
	t0 += 100 * MS;
	stk_timer_arm(&w, &a, t0 - 50 * MS);
	CHECK_EQ(stk_wheel_next_expiry(&w), t0 - 50 * MS);
	CHECK_EQ(stk_wheel_run(&w, t0), 1);
	stk_timer_arm(&w, &a, t0);
	CHECK_EQ(stk_wheel_run(&w, t0), 1);
	stk_timer_arm(&w, &a, t0 + 1);
	CHECK_EQ(stk_wheel_run(&w, t0), 0);
	CHECK_EQ(stk_wheel_run(&w, t0 + MS - 1), 0);
	CHECK_EQ(stk_wheel_run(&w, t0 + MS), 1);
	t0 += MS;

	/*
	 * A callback re-arming its own timer for now does not loop: the
	 * re-armed timer waits for the next run. At t0 + 5 ms it fires twice:
	 * first as already due (while the wheel is still at t0's tick), and
	 * then at t0 + 5 ms's tick, for which that first callback re-armed it.
	 */
	stk_timer_init(&b, self_now_cb, &w);
	stk_timer_arm(&w, &b, t0);
	CHECK_EQ(stk_wheel_run(&w, t0), 1);
	CHECK_EQ(stk_wheel_run(&w, t0), 1);
	CHECK_EQ(stk_wheel_run(&w, t0 + 5 * MS), 2);
	CHECK_EQ(stk_wheel_run(&w, t0 + 5 * MS), 1);
	CHECK(stk_timer_armed(&b));
	CHECK(stk_timer_cancel(&w, &b));
	t0 += 5 * MS;

	/* now going backwards is taken as the latest now. */
	stk_timer_arm(&w, &a, t0 + MS);
	CHECK_EQ(stk_wheel_run(&w, t0 - 10 * SEC), 0);
	CHECK_EQ(w.now, t0);
	CHECK(stk_timer_armed(&a));
	CHECK_EQ(stk_wheel_run(&w, t0 + MS), 1);
	CHECK_EQ(stk_wheel_count(&w), 0);
}

/* Hours to years, on a 1 ms and a 1 ns tick: exact to the tick. */
static void
test_large_delays(uint64_t tick)
{
	static const uint64_t delays[] = {
		3 * HOUR, 30 * HOUR, 13 * DAY, 400 * DAY, 1000 * DAY, 3650 * DAY,
	};
	const unsigned int n = RTE_DIM(delays);
	struct stk_timer tv[RTE_DIM(delays)];
	struct stk_wheel w;
	stk_time_t t0 = 54321 * SEC + 17;
	unsigned int i;

	stk_wheel_init(&w, tick, t0);
	/* Armed latest first; each expiry is unaligned by i + 1 ns. */
	for (i = n; i-- > 0;) {
		stk_timer_init(&tv[i], log_cb, NULL);
		stk_timer_arm(&w, &tv[i], t0 + delays[i] + i + 1);
	}
	for (i = 0; i < n; i++) {
		stk_time_t f = fire_time(t0 + delays[i] + i + 1, tick);

		CHECK_EQ(stk_wheel_next_expiry(&w), f);
		log_n = 0;
		CHECK_EQ(stk_wheel_run(&w, f - 1), 0);
		CHECK(stk_timer_armed(&tv[i]), "tick %" PRIu64 ": delay %u fired early", tick, i);
		CHECK_EQ(stk_wheel_run(&w, f), 1);
		CHECK(log_n == 1 && log_t[0] == &tv[i], "tick %" PRIu64 ": delay %u", tick, i);
	}
	CHECK_EQ(stk_wheel_count(&w), 0);
}

/* A huge jump over a sparse wheel visits only the lists that hold timers. */
static void
test_sparse_jump(void)
{
	struct stk_wheel w;
	struct stk_timer tv[3];
	stk_time_t t0 = UINT64_MAX / 4;
	uint64_t v0;
	unsigned int i;

	stk_wheel_init(&w, 1, 0);
	CHECK_EQ(stk_wheel_run(&w, t0), 0);
	CHECK_EQ(w.visits, 0);
	for (i = 0; i < 3; i++)
		stk_timer_init(&tv[i], log_cb, NULL);
	stk_timer_arm(&w, &tv[0], t0 + HOUR);
	stk_timer_arm(&w, &tv[1], t0 + DAY + 5);
	stk_timer_arm(&w, &tv[2], t0 + 365 * DAY + 77);
	v0 = w.visits;
	log_n = 0;
	/* 6.3e16 one-ns ticks in one call. */
	CHECK_EQ(stk_wheel_run(&w, t0 + 730 * DAY), 3);
	CHECK(w.visits - v0 <= 3 * (STK_WHEEL_LEVELS + 1), "visits %" PRIu64, w.visits - v0);
	CHECK(log_n == 3 && log_t[0] == &tv[0] && log_t[1] == &tv[1] && log_t[2] == &tv[2]);

	/* The very end of time, on a 1 ns tick. */
	stk_wheel_init(&w, 1, UINT64_MAX - 1000);
	stk_timer_arm(&w, &tv[0], UINT64_MAX);
	stk_timer_arm(&w, &tv[1], UINT64_MAX - 500);
	CHECK_EQ(stk_wheel_run(&w, UINT64_MAX - 1), 1);
	CHECK_EQ(stk_wheel_run(&w, UINT64_MAX), 1);
	CHECK_EQ(w.cur, UINT64_MAX);
	stk_timer_arm(&w, &tv[0], UINT64_MAX);
	CHECK_EQ(stk_wheel_run(&w, UINT64_MAX), 1);
	CHECK_EQ(stk_wheel_count(&w), 0);
}

/* ---- callbacks that cancel and re-arm ----------------------------------- */

enum cb_action { ACT_CANCEL, ACT_ARM, ACT_FREE };

struct cb_ctx {
	struct stk_wheel *w;
	struct stk_timer *other; /**< timer acted on */
	stk_time_t when;         /**< for ACT_ARM */
	enum cb_action action;
	bool result;             /**< of stk_timer_cancel() */
};

static void
act_cb(struct stk_timer *t, void *arg, stk_time_t now)
{
	struct cb_ctx *c = arg;

	log_cb(t, arg, now);
	if (c->action == ACT_CANCEL)
		c->result = stk_timer_cancel(c->w, c->other);
	else if (c->action == ACT_ARM)
		stk_timer_arm(c->w, c->other, c->when);
	else
		free(t);
}

static void
test_cancel_in_callbacks(void)
{
	struct stk_wheel w;
	struct stk_timer a, b, c, d;
	struct cb_ctx ca = {&w, &b, 0, ACT_CANCEL, false}, cb = {&w, &a, 0, ACT_CANCEL, false};
	struct cb_ctx cc = {&w, &c, 0, ACT_CANCEL, false}, cf = {&w, NULL, 0, ACT_FREE, false};
	stk_time_t t0 = 42 * SEC;
	struct stk_timer *heap;

	stk_wheel_init(&w, MS, t0);
	/* Same tick, each cancels the other: exactly one fires. */
	stk_timer_init(&a, act_cb, &ca);
	stk_timer_init(&b, act_cb, &cb);
	stk_timer_arm(&w, &a, t0 + 2 * MS);
	stk_timer_arm(&w, &b, t0 + 2 * MS);
	log_n = 0;
	CHECK_EQ(stk_wheel_run(&w, t0 + 5 * MS), 1);
	CHECK(ca.result != cb.result, "exactly one cancel found its timer armed");
	CHECK_EQ(stk_wheel_count(&w), 0);
	t0 += 5 * MS;

	/* One jump: a (1 ms) cancels c (5 ms); c never fires. */
	stk_timer_init(&c, log_cb, NULL);
	stk_timer_arm(&w, &a, t0 + MS);
	stk_timer_arm(&w, &c, t0 + 5 * MS);
	ca.other = &c;
	ca.result = false;
	log_n = 0;
	CHECK_EQ(stk_wheel_run(&w, t0 + 10 * MS), 1);
	CHECK(ca.result && log_t[0] == &a && !stk_timer_armed(&c));
	t0 += 10 * MS;

	/* a re-arms c, due in the same run, for a time after the run. */
	ca.action = ACT_ARM;
	ca.when = t0 + 20 * MS;
	stk_timer_arm(&w, &a, t0 + MS);
	stk_timer_arm(&w, &c, t0 + 5 * MS);
	CHECK_EQ(stk_wheel_run(&w, t0 + 10 * MS), 1);
	CHECK_EQ(stk_timer_expiry(&w, &c), t0 + 20 * MS);
	CHECK_EQ(stk_wheel_run(&w, t0 + 20 * MS), 1);

	/* a arms d for a tick inside the same run: d fires in it, after a. */
	stk_timer_init(&d, log_cb, NULL);
	ca.other = &d;
	ca.when = t0 + 23 * MS;
	stk_timer_arm(&w, &a, t0 + 21 * MS);
	log_n = 0;
	CHECK_EQ(stk_wheel_run(&w, t0 + 30 * MS), 2);
	CHECK(log_n == 2 && log_t[0] == &a && log_t[1] == &d && log_now[1] == t0 + 30 * MS);
	t0 += 30 * MS;

	/* Cancelling itself from its callback: not armed any more. */
	stk_timer_init(&c, act_cb, &cc);
	cc.result = true;
	stk_timer_arm(&w, &c, t0 + MS);
	CHECK_EQ(stk_wheel_run(&w, t0 + MS), 1);
	CHECK(!cc.result);

	/* Two timers already due: the first cancels the second. */
	ca.action = ACT_CANCEL;
	ca.other = &b;
	cb.other = &a;
	stk_timer_arm(&w, &a, t0 - MS);
	stk_timer_arm(&w, &b, t0 - MS);
	CHECK_EQ(stk_wheel_run(&w, t0 + MS), 1);
	CHECK_EQ(stk_wheel_count(&w), 0);

	/* A callback frees its own timer (ASan checks the wheel does not touch it). */
	heap = malloc(sizeof(*heap));
	stk_timer_init(heap, act_cb, &cf);
	stk_timer_arm(&w, heap, t0 + 2 * MS);
	CHECK_EQ(stk_wheel_run(&w, t0 + 3 * MS), 1);
	CHECK_EQ(stk_wheel_count(&w), 0);
}

struct periodic {
	struct stk_timer t;
	struct stk_wheel *w;
	stk_time_t next;
	stk_time_t period;
};

/* Re-arms on its own schedule, not relative to now: catches up within one run. */
static void
periodic_cb(struct stk_timer *t, void *arg, stk_time_t now)
{
	struct periodic *p = arg;

	log_cb(t, arg, now);
	p->next += p->period;
	stk_timer_arm(p->w, &p->t, p->next);
}

static void
test_periodic_catch_up(void)
{
	struct stk_wheel w;
	struct periodic p;
	struct stk_timer other;
	stk_time_t t0 = 3600 * SEC;
	unsigned int k, bad = 0;

	stk_wheel_init(&w, MS, t0);
	p.w = &w;
	p.period = 10 * MS;
	p.next = t0 + p.period;
	stk_timer_init(&p.t, periodic_cb, &p);
	stk_timer_arm(&w, &p.t, p.next);
	stk_timer_init(&other, log_cb, NULL);
	stk_timer_arm(&w, &other, t0 + 505 * MS);
	log_n = 0;
	CHECK_EQ(stk_wheel_run(&w, t0 + SEC), 101);
	CHECK(log_n == 101 && log_t[50] == &other,
	      "the timer at 505 ms fired after the 50 periodic ones (10 to 500 ms)");
	for (k = 0; k < log_n && k < LOG_MAX; k++)
		if (log_now[k] != t0 + SEC)
			bad++;
	CHECK(bad == 0, "%u callbacks not given the run's now", bad);
	CHECK_EQ(stk_timer_expiry(&w, &p.t), t0 + SEC + 10 * MS);
	stk_timer_cancel(&w, &p.t);
}

/* ---- next_expiry ---------------------------------------------------------- */

static void
test_next_expiry(void)
{
	struct stk_wheel w;
	struct stk_timer a, b, c, d, e, f;
	struct stk_timer *all[] = {&a, &b, &c, &d, &e, &f};
	stk_time_t t0 = 1000 * SEC;
	unsigned int i;

	stk_wheel_init(&w, MS, t0);
	CHECK(stk_wheel_next_expiry(&w) == UINT64_MAX);
	for (i = 0; i < RTE_DIM(all); i++)
		stk_timer_init(all[i], log_cb, NULL);
	stk_timer_arm(&w, &a, t0 + 3 * MS + 1);
	CHECK_EQ(stk_wheel_next_expiry(&w), t0 + 4 * MS);
	stk_timer_arm(&w, &b, t0 + 70 * SEC + 7);
	CHECK_EQ(stk_wheel_next_expiry(&w), t0 + 4 * MS);
	stk_timer_cancel(&w, &a);
	CHECK_EQ(stk_wheel_next_expiry(&w), t0 + 70 * SEC + MS);
	/* c shares b's tick; d is earlier, in the same level-3 slot (a walk). */
	stk_timer_arm(&w, &c, t0 + 70 * SEC + MS);
	stk_timer_arm(&w, &d, t0 + 69 * SEC + 500 * MS);
	CHECK_EQ(stk_wheel_next_expiry(&w), t0 + 69 * SEC + 500 * MS);
	/* Runs that only cascade leave it unchanged. */
	CHECK_EQ(stk_wheel_run(&w, t0 + 60 * SEC), 0);
	CHECK_EQ(stk_wheel_run(&w, t0 + 69 * SEC), 0);
	CHECK_EQ(stk_wheel_next_expiry(&w), t0 + 69 * SEC + 500 * MS);
	CHECK_EQ(stk_wheel_run(&w, t0 + 69 * SEC + 500 * MS), 1);
	CHECK_EQ(stk_wheel_next_expiry(&w), t0 + 70 * SEC + MS);
	CHECK_EQ(stk_wheel_run(&w, t0 + 70 * SEC + MS), 2);
	CHECK(stk_wheel_next_expiry(&w) == UINT64_MAX);
	t0 += 70 * SEC + MS;

	/* Only an overflow timer; then one already due, which comes first. */
	stk_timer_arm(&w, &e, t0 + 1000 * DAY + 1);
	CHECK_EQ(stk_wheel_next_expiry(&w), t0 + 1000 * DAY + MS);
	stk_timer_arm(&w, &f, t0 - SEC);
	CHECK_EQ(stk_wheel_next_expiry(&w), t0 - SEC);
	CHECK_EQ(stk_wheel_run(&w, t0), 1);
	CHECK_EQ(stk_wheel_next_expiry(&w), t0 + 1000 * DAY + MS);
	stk_timer_cancel(&w, &e);
	CHECK(stk_wheel_next_expiry(&w) == UINT64_MAX);

	/* Saturation: rounded up past UINT64_MAX. */
	stk_wheel_init(&w, 3, 0);
	stk_timer_arm(&w, &a, UINT64_MAX);
	CHECK_EQ(stk_wheel_count(&w), 1);
	CHECK(stk_wheel_next_expiry(&w) == UINT64_MAX);
	CHECK(stk_timer_expiry(&w, &a) == UINT64_MAX);
	stk_timer_cancel(&w, &a);
}

/* ---- random workload against a reference model -------------------------- */

#define RM_TIMERS 1000

/* One timer and what the model knows of it. */
struct rm_timer {
	struct stk_timer t;
	bool armed;         /* armed, by the model */
	bool due;           /* armed for a tick <= the wheel's current tick */
	bool in_d;          /* was due when the current run started */
	uint64_t tick;      /* ceil(expires / tick_ns) */
	stk_time_t expires;
};

/* The model: a brute-force list of every timer. */
static struct {
	struct stk_wheel w;
	struct rm_timer tm[RM_TIMERS];
	uint64_t tick_ns;
	uint64_t cur;        /* the wheel's current tick, as the model sees it */
	stk_time_t now;      /* largest now so far */
	bool in_run;
	stk_time_t run_now;  /* now given to callbacks of this run */
	uint64_t limit;      /* last tick this run processes */
	bool phase_ticks;    /* a timer that was not due at the start has fired */
	unsigned int run_fired;
	uint64_t fired, runs;
} rm;

static stk_time_t
rm_random_expiry(stk_time_t base)
{
	uint64_t r = rng_below(100), d, t = rm.tick_ns;

	if (r < 20) {
		d = rng_below(10 * t);
		return base > d ? base - d : 0;
	}
	if (r < 45)
		d = rng_below(4 * t);
	else if (r < 70)
		d = rng_below(200 * t);
	else if (r < 85)
		d = rng_below(UINT64_C(1) << 22) * t;
	else if (r < 95)
		d = rng_below(10 * HOUR);
	else if (r < 99)
		d = rng_below(UINT64_C(1) << 38) * t;
	else
		return UINT64_MAX - rng_below(4 * t);
	return base + d;
}

static void
rm_arm(unsigned int i, stk_time_t e)
{
	struct rm_timer *x = &rm.tm[i];

	stk_timer_arm(&rm.w, &x->t, e);
	x->armed = true;
	x->expires = e;
	x->tick = ceil_tick(e, rm.tick_ns);
	x->due = x->tick <= rm.cur;
	x->in_d = false;
}

static void
rm_cancel(unsigned int i)
{
	struct rm_timer *x = &rm.tm[i];

	CHECK_EQ(stk_timer_cancel(&rm.w, &x->t), x->armed);
	x->armed = false;
	x->in_d = false;
}

/* next_expiry and the count against the model. */
static void
rm_check_next(void)
{
	stk_time_t min = UINT64_MAX;
	unsigned int i, n = 0;

	for (i = 0; i < RM_TIMERS; i++) {
		if (!rm.tm[i].armed)
			continue;
		n++;
		if (fire_time(rm.tm[i].expires, rm.tick_ns) < min)
			min = fire_time(rm.tm[i].expires, rm.tick_ns);
	}
	CHECK_EQ(stk_wheel_count(&rm.w), n);
	CHECK_EQ(stk_wheel_next_expiry(&rm.w), min);
}

/* What a callback does to the wheel: nothing, re-arm, cancel or arm another. */
static void
rm_actions(struct rm_timer *x, stk_time_t now)
{
	uint64_t r = rng_below(100);
	stk_time_t base = rng_below(2) ? now : x->tick * rm.tick_ns;

	if (r < 30)
		return;
	if (r < 50)
		rm_arm((unsigned int)(x - rm.tm), rm_random_expiry(base));
	else if (r < 70)
		rm_cancel((unsigned int)rng_below(RM_TIMERS));
	else if (r < 90)
		rm_arm((unsigned int)rng_below(RM_TIMERS), rm_random_expiry(base));
	else
		rm_check_next();
}

/* An armed timer that should have fired before tick @p tick in this run. */
static int
rm_missed_before(uint64_t tick, bool with_d)
{
	unsigned int i;

	for (i = 0; i < RM_TIMERS; i++) {
		const struct rm_timer *y = &rm.tm[i];

		if (y->armed && ((with_d && y->in_d) || (!y->due && y->tick < tick)))
			return (int)i;
	}
	return -1;
}

static void
rm_cb(struct stk_timer *t, void *arg, stk_time_t now)
{
	struct rm_timer *x = arg;
	unsigned int i = (unsigned int)(x - rm.tm);
	int m;

	CHECK(rm.in_run && now == rm.run_now && !stk_timer_armed(t));
	CHECK(x->armed, "timer %u fired but is not armed", i);
	CHECK(x->expires <= now, "timer %u fired early", i);
	if (x->in_d) {
		CHECK(!rm.phase_ticks, "due timer %u fired after a later one", i);
	} else {
		CHECK(!x->due, "timer %u, armed for a processed tick, fired in the same run", i);
		CHECK(x->tick <= rm.limit, "timer %u fired before its tick", i);
		CHECK(x->tick >= rm.cur, "timer %u fired out of order", i);
		m = rm_missed_before(x->tick, !rm.phase_ticks);
		CHECK(m < 0, "timer %u fired while %d, earlier, is still armed", i, m);
		rm.phase_ticks = true;
		rm.cur = x->tick;
	}
	x->armed = false;
	x->in_d = false;
	rm.run_fired++;
	rm_actions(x, now);
}

static unsigned int
rm_run(stk_time_t now)
{
	unsigned int i, n;
	int m;

	rm.in_run = true;
	if (now > rm.now)
		rm.now = now;
	rm.run_now = rm.now;
	rm.limit = rm.now / rm.tick_ns;
	rm.phase_ticks = false;
	rm.run_fired = 0;
	for (i = 0; i < RM_TIMERS; i++)
		rm.tm[i].in_d = rm.tm[i].armed && rm.tm[i].due;
	n = stk_wheel_run(&rm.w, now);
	rm.in_run = false;
	CHECK_EQ(n, rm.run_fired);
	m = rm_missed_before(rm.limit + 1, true);
	CHECK(m < 0, "timer %d due at or before now %" PRIu64 " did not fire", m, rm.now);
	if (rm.limit > rm.cur)
		rm.cur = rm.limit;
	rm.runs++;
	rm.fired += n;
	return n;
}

/* Run at next_expiry - 1 (nothing fires) and at next_expiry (something does). */
static void
rm_run_to_next(void)
{
	stk_time_t n = stk_wheel_next_expiry(&rm.w);

	if (n == UINT64_MAX)
		return;
	if (n > rm.now)
		CHECK_EQ(rm_run(n - 1), 0);
	CHECK(rm_run(n) >= 1);
}

static stk_time_t
rm_advance(void)
{
	uint64_t r = rng_below(100), t = rm.tick_ns;

	if (r < 10)
		return rm.now;
	if (r < 15)
		return rm.now - rng_below(rm.now / 2 + 1); /* backwards */
	if (r < 45)
		return rm.now + rng_below(2 * t);
	if (r < 75)
		return rm.now + rng_below(100 * t);
	if (r < 90)
		return rm.now + rng_below(5000 * t);
	if (r < 97)
		return rm.now + rng_below(30 * 60 * SEC);
	return rm.now + rng_below(UINT64_C(1) << 30) * t;
}

static void
test_random(uint64_t tick, uint64_t seed, stk_time_t start, unsigned int ops)
{
	unsigned int op, i, armed = 0;
	uint64_t v0;

	memset(&rm, 0, sizeof(rm));
	rng_state = seed;
	rm.tick_ns = tick;
	rm.now = start;
	rm.cur = start / tick;
	stk_wheel_init(&rm.w, tick, start);
	for (i = 0; i < RM_TIMERS; i++)
		stk_timer_init(&rm.tm[i].t, rm_cb, &rm.tm[i]);
	v0 = rm.w.visits;
	for (op = 0; op < ops && check_fail_count < 20; op++) {
		uint64_t r = rng_below(100);

		i = (unsigned int)rng_below(RM_TIMERS);
		if (r < 35)
			rm_arm(i, rm_random_expiry(rm.now));
		else if (r < 50)
			rm_cancel(i);
		else if (r < 85)
			rm_run(rm_advance());
		else if (r < 92)
			rm_run_to_next();
		if (r & 1)
			rm_check_next();
	}
	for (i = 0; i < RM_TIMERS; i++) {
		armed += rm.tm[i].armed;
		rm_cancel(i);
	}
	rm_check_next();
	CHECK_EQ(stk_wheel_count(&rm.w), 0);
	printf("random tick %" PRIu64 " ns seed %" PRIu64 ": %u ops, %" PRIu64 " runs, %" PRIu64
	       " fired, %" PRIu64 " lists visited, %u left armed, virtual time %.1f days\n",
	       tick, seed, op, rm.runs, rm.fired, rm.w.visits - v0, armed,
	       (double)(rm.now - start) / DAY);
}

/* ---- throughput ------------------------------------------------------------ */

static double
elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void
test_throughput(void)
{
	const unsigned int n = 1u << 20;
	struct stk_timer *tv = calloc(n, sizeof(*tv));
	stk_time_t *ex = calloc(n, sizeof(*ex));
	stk_time_t t0 = 1000 * SEC;
	struct timespec a, b, c;
	struct stk_wheel w;
	unsigned int i, fired;

	CHECK(tv != NULL && ex != NULL);
	if (tv == NULL || ex == NULL)
		goto out;
	stk_wheel_init(&w, MS, t0);
	for (i = 0; i < n; i++) {
		stk_timer_init(&tv[i], log_cb, NULL);
		ex[i] = t0 + 1 + rng_below(i % 4 == 0 ? 2 * HOUR : 500 * MS);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		stk_timer_arm(&w, &tv[i], ex[i]);
	for (i = 0; i < n; i++)
		stk_timer_cancel(&w, &tv[i]);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK_EQ(stk_wheel_count(&w), 0);
	for (i = 0; i < n; i++)
		stk_timer_arm(&w, &tv[i], ex[i]);
	log_n = 0;
	fired = stk_wheel_run(&w, t0 + 3 * HOUR);
	clock_gettime(CLOCK_MONOTONIC, &c);
	CHECK_EQ(fired, n);
	printf("throughput: arm+cancel of %u timers %.1f ms (%.1f ns per pair); "
	       "arm %u + fire all in one run %.1f ms\n", n, elapsed_ms(&a, &b),
	       elapsed_ms(&a, &b) * 1e6 / n, n, elapsed_ms(&b, &c));
out:
	free(tv);
	free(ex);
}

int main(void);

int
main(void)
{
	rng_state = 20240601;
	test_arm_cancel_rearm();
	test_exact_times(MS);
	test_exact_times(1000003);
	test_exact_times(7);
	test_order();
	test_past();
	test_large_delays(MS);
	test_large_delays(1);
	test_sparse_jump();
	test_cancel_in_callbacks();
	test_periodic_catch_up();
	test_next_expiry();
	test_random(MS, 1, 1000 * SEC + 123, 100000);
	test_random(1000003, 2, (UINT64_C(1) << 40) + 5, 100000);
	test_random(7, 3, 12345, 100000);
	test_random(1, 4, 0, 100000);
	test_random(MS, 5, UINT64_C(1) << 61, 100000);
	test_throughput();
	return check_done();
}
