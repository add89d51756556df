/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Hierarchical timer wheel; the design and its costs are described in timer.h.
 *
 * Invariant between events: a timer at level k (slot s) has an expiry tick T
 * whose bits above 6k + 5 equal those of the current tick `cur`, and whose
 * level-k digit s is greater than cur's. So T > cur, every timer at a lower
 * level expires before every timer at a higher one, and the slot's first
 * tick, cur's upper bits followed by s and zeros, is where it must be
 * cascaded (level 0: fired). Overflow timers lie in a later 2^36-tick block
 * than cur, none in a block before that of ovf_min (a lower bound: a cancel
 * does not raise it; an overflow cascade recomputes it). Timers with
 * T <= cur wait in the due list.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "stk.h"
#include "timer.h"

#define WHEEL_SLOT_MASK ((uint64_t)STK_WHEEL_SLOTS - 1)
#define WHEEL_SPAN_BITS (STK_WHEEL_BITS * STK_WHEEL_LEVELS)

static void
link_init(struct stk_timer_link *h)
{
	h->next = h;
	h->prev = h;
}

static bool
link_empty(const struct stk_timer_link *h)
{
	return h->next == h;
}

/* Move every node of @p from to @p to (which must be empty); @p from is left empty. */
static void
link_splice(struct stk_timer_link *from, struct stk_timer_link *to)
{
	if (link_empty(from))
		return;
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	link_init(from);
}

static void
wheel_mark(struct stk_wheel *w, unsigned int idx)
{
	w->used[idx / 64] |= UINT64_C(1) << (idx % 64);
}

static void
wheel_unmark(struct stk_wheel *w, unsigned int idx)
{
	w->used[idx / 64] &= ~(UINT64_C(1) << (idx % 64));
}

/* Append @p t to list @p idx. */
static void
wheel_link(struct stk_wheel *w, unsigned int idx, struct stk_timer *t)
{
	struct stk_timer_link *h = &w->lists[idx];

	t->link.prev = h->prev;
	t->link.next = h;
	h->prev->next = &t->link;
	h->prev = &t->link;
	wheel_mark(w, idx);
}

/*
 * Take @p t off its list. When the list is left with its head only, both
 * neighbours were that head, which names the list whose bit to clear.
 * Every list a timer can be on while callbacks run is in w->lists.
 */
static void
wheel_unlink(struct stk_wheel *w, struct stk_timer *t)
{
	struct stk_timer_link *p = t->link.prev;
	struct stk_timer_link *n = t->link.next;

	p->next = n;
	n->prev = p;
	t->link.next = NULL;
	t->link.prev = NULL;
	if (p == n)
		wheel_unmark(w, (unsigned int)(p - w->lists));
}

/* List index for expiry tick @p tick >= w->cur, relative to the current tick. */
static unsigned int
wheel_index(const struct stk_wheel *w, uint64_t tick)
{
	/* Highest differing bit; "| 1" sends tick == cur to level 0. */
	unsigned int level = (rte_fls_u64((tick ^ w->cur) | 1) - 1) / STK_WHEEL_BITS;

	if (level >= STK_WHEEL_LEVELS)
		return STK_WHEEL_LIST_OVERFLOW;
	return level * STK_WHEEL_SLOTS +
	       (unsigned int)((tick >> (level * STK_WHEEL_BITS)) & WHEEL_SLOT_MASK);
}

/* Put armed timer @p t (t->tick > w->cur, or == w->cur when cascading) on its list. */
static void
wheel_place(struct stk_wheel *w, struct stk_timer *t)
{
	unsigned int idx = wheel_index(w, t->tick);

	if (idx == STK_WHEEL_LIST_OVERFLOW &&
	    (link_empty(&w->lists[idx]) || t->tick < w->ovf_min))
		w->ovf_min = t->tick;
	wheel_link(w, idx, t);
}

/*
 * The next tick after w->cur at which a slot must be fired or cascaded.
 * By the invariant it is the first slot of the lowest non-empty level.
 * @return false if the wheel proper (levels and overflow) is empty.
 */
static bool
wheel_next_event(const struct stk_wheel *w, uint64_t *event)
{
	unsigned int k;

	for (k = 0; k < STK_WHEEL_LEVELS; k++) {
		unsigned int shift = k * STK_WHEEL_BITS;
		uint64_t slot;

		if (w->used[k] == 0)
			continue;
		slot = rte_bsf64(w->used[k]);
		*event = (w->cur >> (shift + STK_WHEEL_BITS) << (shift + STK_WHEEL_BITS)) |
			 slot << shift;
		return true;
	}
	if (w->used[STK_WHEEL_LEVELS] & 1) {
		/*
		 * The block of the earliest overflow timer (ovf_min may be
		 * lower: never later). Cannot wrap: an overflow timer lies
		 * in a later block than cur.
		 */
		uint64_t next_block = ((w->cur >> WHEEL_SPAN_BITS) + 1) << WHEEL_SPAN_BITS;

		*event = RTE_MAX(w->ovf_min >> WHEEL_SPAN_BITS << WHEEL_SPAN_BITS, next_block);
		return true;
	}
	return false;
}

/* Re-place the timers of list @p idx relative to w->cur (which has just reached it). */
static void
wheel_cascade_list(struct stk_wheel *w, unsigned int idx)
{
	struct stk_timer_link tmp;

	if (link_empty(&w->lists[idx]))
		return;
	link_init(&tmp);
	link_splice(&w->lists[idx], &tmp);
	wheel_unmark(w, idx);
	/* No callback runs here, so nothing else unlinks from tmp. */
	while (!link_empty(&tmp)) {
		struct stk_timer *t = container_of(tmp.next, struct stk_timer, link);

		tmp.next = t->link.next;
		tmp.next->prev = &tmp;
		wheel_place(w, t);
	}
	w->visits++;
}

/*
 * w->cur has just become @p tick: cascade every higher-level slot (and the
 * overflow list) that starts at it. Re-placed timers go to lower levels (or
 * back to the overflow list), into slots after cur's digit there, or to level
 * 0 slot (tick & 63) when they expire at @p tick: never into a slot cascaded
 * at this tick, so the order of the cascades does not matter.
 */
static void
wheel_cascade(struct stk_wheel *w, uint64_t tick)
{
	unsigned int k;

	for (k = 1; k <= STK_WHEEL_LEVELS; k++) {
		unsigned int shift = k * STK_WHEEL_BITS;

		if ((tick & ((UINT64_C(1) << shift) - 1)) != 0)
			break;
		if (k == STK_WHEEL_LEVELS)
			wheel_cascade_list(w, STK_WHEEL_LIST_OVERFLOW);
		else
			wheel_cascade_list(w, k * STK_WHEEL_SLOTS +
						      (unsigned int)((tick >> shift) & WHEEL_SLOT_MASK));
	}
}

/*
 * Fire every timer on list @p idx. Callbacks may cancel timers on it; they
 * never add to it (arms go to the due list or to later slots). A fired timer
 * may be the cached earliest one, so the cache is dropped.
 */
static unsigned int
wheel_fire_list(struct stk_wheel *w, unsigned int idx)
{
	struct stk_timer_link *h = &w->lists[idx];
	unsigned int n = 0;

	if (link_empty(h))
		return 0;
	while (!link_empty(h)) {
		struct stk_timer *t = container_of(h->next, struct stk_timer, link);

		wheel_unlink(w, t);
		w->count--;
		w->next_valid = false;
		t->cb(t, t->arg, w->now);
		n++;
	}
	w->visits++;
	return n;
}

/* Smallest expiry tick on list @p idx, or @p min if smaller. */
static uint64_t
wheel_list_min(const struct stk_wheel *w, unsigned int idx, uint64_t min)
{
	const struct stk_timer_link *h = &w->lists[idx];
	const struct stk_timer_link *l;

	for (l = h->next; l != h; l = l->next) {
		const struct stk_timer *t = container_of(l, const struct stk_timer, link);

		if (t->tick < min)
			min = t->tick;
	}
	return min;
}

/* Earliest expiry tick of all armed timers, UINT64_MAX if none. */
static uint64_t
wheel_earliest(const struct stk_wheel *w)
{
	uint64_t min = UINT64_MAX;
	unsigned int k;

	/* Due timers expire at or before cur, all others after it. */
	if (!link_empty(&w->lists[STK_WHEEL_LIST_DUE]) ||
	    !link_empty(&w->lists[STK_WHEEL_LIST_FIRING])) {
		min = wheel_list_min(w, STK_WHEEL_LIST_DUE, min);
		return wheel_list_min(w, STK_WHEEL_LIST_FIRING, min);
	}
	for (k = 0; k < STK_WHEEL_LEVELS; k++) {
		unsigned int slot;
		uint64_t event;

		if (w->used[k] == 0)
			continue;
		slot = rte_bsf64(w->used[k]);
		if (k == 0) {
			/* Every timer of a level-0 slot expires at the slot's tick. */
			wheel_next_event(w, &event);
			return event;
		}
		return wheel_list_min(w, k * STK_WHEEL_SLOTS + slot, min);
	}
	return wheel_list_min(w, STK_WHEEL_LIST_OVERFLOW, min);
}

/* tick * w->tick_ns, saturated. */
static stk_time_t
wheel_tick_time(const struct stk_wheel *w, uint64_t tick)
{
	if (tick > UINT64_MAX / w->tick_ns)
		return UINT64_MAX;
	return tick * w->tick_ns;
}

int
stk_wheel_init(struct stk_wheel *w, uint64_t tick_ns, stk_time_t now)
{
	unsigned int i;

	if (tick_ns == 0)
		return STK_EINVAL;
	memset(w, 0, sizeof(*w));
	w->tick_ns = tick_ns;
	w->cur = now / tick_ns;
	w->now = now;
	w->next_tick = UINT64_MAX;
	w->next_valid = true;
	for (i = 0; i < STK_WHEEL_NB_LISTS; i++)
		link_init(&w->lists[i]);
	return 0;
}

unsigned int
stk_wheel_run(struct stk_wheel *w, stk_time_t now)
{
	unsigned int fired;
	uint64_t limit, event;

	if (now > w->now)
		w->now = now;
	limit = w->now / w->tick_ns;

	/* Timers armed for ticks already processed; later such arms wait for the next run. */
	link_splice(&w->lists[STK_WHEEL_LIST_DUE], &w->lists[STK_WHEEL_LIST_FIRING]);
	wheel_unmark(w, STK_WHEEL_LIST_DUE);
	fired = wheel_fire_list(w, STK_WHEEL_LIST_FIRING);

	while (wheel_next_event(w, &event) && event <= limit) {
		w->cur = event;
		wheel_cascade(w, event);
		fired += wheel_fire_list(w, (unsigned int)(event & WHEEL_SLOT_MASK));
	}
	/* No slot starts in (cur, limit]: the invariant holds for limit too. */
	if (limit > w->cur)
		w->cur = limit;
	return fired;
}

stk_time_t
stk_wheel_next_expiry(struct stk_wheel *w)
{
	if (!w->next_valid) {
		w->next_tick = wheel_earliest(w);
		w->next_valid = true;
	}
	return wheel_tick_time(w, w->next_tick);
}

void
stk_timer_init(struct stk_timer *t, stk_timer_fn cb, void *arg)
{
	t->link.next = NULL;
	t->link.prev = NULL;
	t->tick = 0;
	t->cb = cb;
	t->arg = arg;
}

void
stk_timer_arm(struct stk_wheel *w, struct stk_timer *t, stk_time_t expires)
{
	uint64_t tick = expires / w->tick_ns + (expires % w->tick_ns != 0);

	stk_timer_cancel(w, t);
	t->tick = tick;
	w->count++;
	if (tick <= w->cur)
		wheel_link(w, STK_WHEEL_LIST_DUE, t);
	else
		wheel_place(w, t);
	if (w->next_valid && tick < w->next_tick)
		w->next_tick = tick;
}

bool
stk_timer_cancel(struct stk_wheel *w, struct stk_timer *t)
{
	if (!stk_timer_armed(t))
		return false;
	wheel_unlink(w, t);
	w->count--;
	if (t->tick <= w->next_tick)
		w->next_valid = false;
	return true;
}

stk_time_t
stk_timer_expiry(const struct stk_wheel *w, const struct stk_timer *t)
{
	if (!stk_timer_armed(t))
		return UINT64_MAX;
	return wheel_tick_time(w, t->tick);
}
