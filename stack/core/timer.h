/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The timer wheel of one stack instance (private to the stack).
 *
 * One `struct stk_wheel` per stack lcore, used only by its owner: there is no
 * locking. Timers are `struct stk_timer` objects embedded in the structures
 * they serve (a TCP connection block holds its retransmit, delayed-ACK,
 * persist, keepalive and TIME_WAIT timers); arming one allocates nothing.
 *
 * Design: a hierarchical timing wheel (Varghese and Lauck's scheme 7) on
 * integer ticks of `tick_ns` nanoseconds. STK_WHEEL_LEVELS levels of 64
 * slots; level k resolves bits 6k..6k+5 of the expiry tick, so a level-k slot
 * spans 64^k ticks. A timer goes to the level of the highest bit in which its
 * expiry tick differs from the wheel's current tick, into the slot that
 * level's six bits of its expiry select. When the current tick reaches the
 * first tick of a level-k slot (k >= 1), the slot is cascaded: its timers move
 * down to lower levels. Timers more than 2^36 ticks away wait in an overflow
 * list, cascaded when the current tick reaches the 2^36-tick-aligned block
 * holding the earliest of them.
 * With a 1 ms tick, levels 0 to 5 reach 64 ms, 4 s, 4.4 min, 4.7 h, 12.4
 * days and 2^36 ms (795 days) ahead; with a 1 us tick the wheel reaches 19
 * hours ahead before the overflow list is used.
 *
 * Why not a single hashed wheel with a "rounds" count per timer: its run must
 * visit every slot of every revolution and touch every far timer once per
 * revolution, and after a long jump of `now` it cannot fire in expiry order
 * without sorting. The hierarchy keeps arm and cancel O(1) just the same and
 * lets empty time be skipped.
 *
 * Costs:
 * - stk_timer_arm(), stk_timer_cancel(): O(1) for any delay: one 64-bit
 *   division (nanoseconds to ticks), one count-leading-zeros, a list insert or
 *   unlink and a bit in a 64-bit occupancy map per level.
 * - Over its life a timer is moved by at most STK_WHEEL_LEVELS - 1 cascades
 *   between levels, each O(1). A timer in the overflow list is moved once more
 *   when its block is reached, and re-linked (O(1)) each time an earlier block
 *   of the overflow list is reached (a rare cost: with a 1 ms tick, only
 *   timers more than 795 days away are in the overflow list).
 * - stk_wheel_run(): empty ticks cost nothing. The occupancy maps give the next
 *   tick at which a slot must be fired or cascaded (O(STK_WHEEL_LEVELS)) and
 *   the wheel jumps straight to it, so a jump of `now` by any amount costs
 *   O(STK_WHEEL_LEVELS) per non-empty list fired or cascaded (at most
 *   STK_WHEEL_LEVELS + 1 per timer) plus O(1) per timer fired or moved.
 *   There is no per-call cap: every due timer fires in the call.
 * - stk_wheel_next_expiry(): O(STK_WHEEL_LEVELS) when the earliest timer is
 *   within the next 64 ticks; otherwise one walk of the single slot holding it.
 *   The answer is cached until a timer that could change it fires or is
 *   cancelled.
 * - Memory: 6.3 KB per wheel (387 list heads); 40 bytes per timer.
 *
 * Timing: let E be a timer's expiry rounded up to a multiple of `tick_ns`
 * (E - expires < tick_ns). A timer never fires in a stk_wheel_run() whose
 * `now` is below E; it fires in the first call whose `now` is at or above E.
 * Measured on the caller's clock it is therefore at most tick_ns - 1 ns late,
 * plus however late the caller calls stk_wheel_run(). Two cases in detail:
 * - A timer armed for a time the wheel has already passed (E at or below the
 *   `now` of the last run) fires in the next stk_wheel_run(), whatever its
 *   `now`.
 * - A timer armed from a callback fires in the same run if its E lies after
 *   the wheel's current tick and at or below the run's `now`; if E is at or
 *   before the current tick, it fires in the next run, not this one (so a
 *   callback re-arming its timer for "now" cannot loop). The current tick is
 *   the tick being processed; while the timers already due at the start of
 *   the run fire, it is still the last tick of the previous run (so a due
 *   timer re-armed for the run's `now` may fire once more in the same run).
 *
 * Order: within one run, timers fire in order of E. Timers with the same E
 * fire in an unspecified order; timers that were already due when the run
 * started (the first case above) fire first, in an unspecified order.
 */
#ifndef STK_TIMER_H
#define STK_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "stk.h"

/** Bits of the expiry tick resolved by one level. */
#define STK_WHEEL_BITS 6
/** Slots per level. */
#define STK_WHEEL_SLOTS (1u << STK_WHEEL_BITS)
/** Levels; the wheel spans 2^(STK_WHEEL_BITS * STK_WHEEL_LEVELS) ticks. */
#define STK_WHEEL_LEVELS 6
/** List index of the overflow list (timers beyond the span). */
#define STK_WHEEL_LIST_OVERFLOW (STK_WHEEL_LEVELS * STK_WHEEL_SLOTS)
/** List index of the timers armed for a tick already processed. */
#define STK_WHEEL_LIST_DUE (STK_WHEEL_LIST_OVERFLOW + 1)
/** List index of the due timers being fired by stk_wheel_run(). */
#define STK_WHEEL_LIST_FIRING (STK_WHEEL_LIST_OVERFLOW + 2)
/** Number of lists in a wheel. */
#define STK_WHEEL_NB_LISTS (STK_WHEEL_LIST_OVERFLOW + 3)

struct stk_timer;

/**
 * A timer's callback. It runs on the owning lcore inside stk_wheel_run(),
 * after @p t has been disarmed; the wheel does not touch @p t again after the
 * callback returns.
 *
 * Inside it the callee may arm, re-arm or cancel any timer of the wheel,
 * including @p t and timers due in the same run (a cancelled timer does not
 * fire), and may free or reuse the memory holding @p t. It may free another
 * timer's memory only after cancelling that timer. It must not call
 * stk_wheel_run() or stk_wheel_init() on the wheel.
 *
 * @param t
 *   The timer that fired.
 * @param arg
 *   The argument given to stk_timer_init().
 * @param now
 *   The `now` of the stk_wheel_run() call (the largest seen so far).
 */
typedef void (*stk_timer_fn)(struct stk_timer *t, void *arg, stk_time_t now);

/** Doubly linked list node; a list is circular through its head. */
struct stk_timer_link {
	struct stk_timer_link *next; /**< next node (NULL: timer not armed) */
	struct stk_timer_link *prev; /**< previous node */
};

/**
 * A timer, embedded in the object it serves. Initialise it with
 * stk_timer_init() before any other call; the fields are the wheel's.
 */
struct stk_timer {
	struct stk_timer_link link; /**< place in a wheel list; next == NULL when not armed */
	uint64_t tick;              /**< expiry tick: ceil(expires / tick_ns) */
	stk_timer_fn cb;            /**< callback */
	void *arg;                  /**< callback argument */
};

/** A timer wheel. All fields are private to timer.c; tests may read them. */
struct stk_wheel {
	uint64_t tick_ns;   /**< tick length in nanoseconds */
	uint64_t cur;       /**< current tick: every tick up to this one has been processed */
	stk_time_t now;     /**< largest `now` given to stk_wheel_init() or stk_wheel_run() */
	uint64_t next_tick; /**< cached earliest expiry tick (UINT64_MAX: none), if next_valid */
	bool next_valid;    /**< next_tick is up to date */
	unsigned int count; /**< armed timers */
	uint64_t ovf_min;   /**< no overflow timer expires before this tick (a lower bound) */
	uint64_t visits;    /**< non-empty lists fired or cascaded so far (work of stk_wheel_run()) */
	/** Occupancy: bit i % 64 of word i / 64 is set if list i may be non-empty. */
	uint64_t used[STK_WHEEL_LEVELS + 1];
	/** Heads: level k slot s at k * 64 + s, then overflow, due and firing. */
	struct stk_timer_link lists[STK_WHEEL_NB_LISTS];
};

/**
 * Initialise a wheel.
 *
 * @param w
 *   The wheel.
 * @param tick_ns
 *   Tick length in nanoseconds: the granularity of expiry times (1 ms suits
 *   TCP). Need not be a power of two.
 * @param now
 *   The current time; ticks up to floor(now / tick_ns) count as processed.
 * @return
 *   0, or STK_EINVAL if @p tick_ns is 0.
 */
int stk_wheel_init(struct stk_wheel *w, uint64_t tick_ns, stk_time_t now);

/**
 * Fire every timer due at or before @p now, in expiry order (see the file
 * comment for the exact rule), calling each callback with @p now.
 *
 * @param w
 *   The wheel.
 * @param now
 *   The current time. Time does not go backwards: a value below the largest
 *   seen so far is taken as that largest value.
 * @return
 *   The number of callbacks run.
 */
unsigned int stk_wheel_run(struct stk_wheel *w, stk_time_t now);

/**
 * The time from which the earliest armed timer fires: its expiry rounded up
 * to a multiple of the tick (saturated to UINT64_MAX). A poll loop may sleep
 * until then: stk_wheel_run() with an earlier `now` fires nothing, unless the
 * value is at or below the last run's `now` (a timer armed for a time already
 * passed), in which case the next run fires it.
 *
 * @param w
 *   The wheel; updates its cache.
 * @return
 *   The time in nanoseconds, or UINT64_MAX if no timer is armed.
 */
stk_time_t stk_wheel_next_expiry(struct stk_wheel *w);

/** @return the number of armed timers of @p w. */
static inline unsigned int
stk_wheel_count(const struct stk_wheel *w)
{
	return w->count;
}

/**
 * Initialise a timer (not armed). Must not be called on an armed timer.
 *
 * @param t
 *   The timer.
 * @param cb
 *   Callback run when it fires.
 * @param arg
 *   Argument passed to @p cb.
 */
void stk_timer_init(struct stk_timer *t, stk_timer_fn cb, void *arg);

/**
 * Arm @p t to fire at @p expires; an armed timer is moved. O(1).
 * The timer must have been initialised and must belong to no other wheel.
 *
 * @param w
 *   The wheel.
 * @param t
 *   The timer.
 * @param expires
 *   Expiry time in nanoseconds, absolute, on the clock given to
 *   stk_wheel_run(). A time already passed makes the timer fire in the next run.
 */
void stk_timer_arm(struct stk_wheel *w, struct stk_timer *t, stk_time_t expires);

/**
 * Disarm @p t if it is armed. O(1). Safe on a timer that is not armed, and
 * from any callback, including for a timer due in the same run.
 *
 * @param w
 *   The wheel @p t was armed on.
 * @param t
 *   The timer.
 * @return
 *   true if the timer was armed, false if it was not.
 */
bool stk_timer_cancel(struct stk_wheel *w, struct stk_timer *t);

/** @return true if @p t is armed (it has not fired or been cancelled since it was armed). */
static inline bool
stk_timer_armed(const struct stk_timer *t)
{
	return t->link.next != NULL;
}

/**
 * @return the time from which armed timer @p t fires (its expiry rounded up to
 *         the tick, saturated to UINT64_MAX), or UINT64_MAX if it is not armed.
 */
stk_time_t stk_timer_expiry(const struct stk_wheel *w, const struct stk_timer *t);

#endif /* STK_TIMER_H */
