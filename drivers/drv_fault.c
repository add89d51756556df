/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The seeded fault injector (drv_fault.h): a netdev over another netdev that
 * loses, duplicates, corrupts, reorders and delays frames on virtual time.
 *
 * Each impaired direction of each queue pair is a pipeline: the arrival
 * stage draws every random decision for a frame (loss, duplicate, corrupt,
 * hold, jitter), held frames wait in a small ordered hold array, and
 * everything else waits in a FIFO ring stamped with release times that never
 * decrease. Random numbers are drawn only on arrival, so the output depends
 * on the seed, the input sequence and the tick times alone.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "drv_fault.h"

/* Frames pulled from the lower device per rx_burst call of the lower device. */
#define FAULT_RX_CHUNK 64

/* splitmix64 (Steele, Lea and Flood, 2014): one 64-bit word of state. */
struct fault_rng {
	uint64_t s;
};

/* A frame held back for reordering. */
struct fault_hold {
	struct rte_mbuf *m;
	stk_time_t due;      /* release time it had on arrival */
	stk_time_t deadline; /* released then at the latest (UINT64_MAX: never) */
	uint32_t left;       /* later frames still to enter the queue before it */
};

/* One direction of one queue pair. */
struct fault_dir {
	struct fault_rng rng;
	struct rte_mbuf **ring;   /* FIFO of queue_cap frames */
	stk_time_t *due;          /* release time of each ring slot */
	unsigned int head;        /* oldest slot */
	unsigned int count;       /* frames in the ring */
	stk_time_t tail_due;      /* release time of the newest frame */
	unsigned int nb_hold;     /* frames held, oldest first */
	struct fault_hold hold[DRV_FAULT_MAX_HOLD];
	struct drv_fault_dir_stats st;
};

struct fault_queue {
	stk_time_t now; /* virtual time of the last tick */
	struct fault_dir tx;
	struct fault_dir rx;
};

struct drv_fault {
	struct drv_fault_conf c;
	const struct stk_netdev_ops *lower_ops;
	void *lower_dev;
	struct fault_queue q[];
};

/* ---- random numbers ---- */

static uint64_t
fault_rng_next(struct fault_rng *r)
{
	uint64_t z;

	r->s += 0x9e3779b97f4a7c15ULL;
	z = r->s;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Stream @p stream of seed @p seed: a distinct starting point per stream. */
static void
fault_rng_seed(struct fault_rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed;
	r->s = fault_rng_next(r) ^ ((stream + 1) * 0xd1b54a32d192ed03ULL);
	(void)fault_rng_next(r);
}

/* @return true with probability @p p; draws nothing when p is 0 or 1. */
static bool
fault_chance(struct fault_rng *r, double p)
{
	if (p <= 0.0)
		return false;
	if (p >= 1.0)
		return true;
	return (double)(fault_rng_next(r) >> 11) * 0x1.0p-53 < p;
}

/* @return a value in [0, @p n); n > 0. The modulo bias is below n / 2^64. */
static uint64_t
fault_below(struct fault_rng *r, uint64_t n)
{
	return fault_rng_next(r) % n;
}

/* ---- mbuf helpers ---- */

/* @return true if no one else can see any byte of @p m. */
static bool
fault_private(const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next)
		if (!RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1)
			return false;
	return true;
}

/* @return the pool to copy @p m into, or NULL if none has data room. */
static struct rte_mempool *
fault_copy_pool(const struct drv_fault *f, struct rte_mbuf *m)
{
	struct rte_mempool *mp = f->c.mp;
	const struct rte_mbuf *s;

	for (s = m; mp == NULL && s != NULL; s = s->next)
		if (RTE_MBUF_DIRECT(s))
			mp = s->pool;
	if (mp == NULL && RTE_MBUF_CLONED(m))
		mp = rte_mbuf_from_indirect(m)->pool;
	if (mp == NULL || rte_pktmbuf_data_room_size(mp) <= RTE_PKTMBUF_HEADROOM)
		return NULL;
	return mp;
}

/* @return a private deep copy of @p m (the caller still owns @p m), or NULL. */
static struct rte_mbuf *
fault_copy(const struct drv_fault *f, struct rte_mbuf *m)
{
	struct rte_mempool *mp = fault_copy_pool(f, m);

	if (mp == NULL)
		return NULL;
	return rte_pktmbuf_copy(m, mp, 0, UINT32_MAX);
}

/*
 * Flip one bit (or XOR one byte) of @p m at a random offset past
 * corrupt_skip, on a private copy if @p m is shared.
 * @return the frame to pass on (@p m or its copy).
 */
static struct rte_mbuf *
fault_corrupt(const struct drv_fault *f, struct fault_dir *d, struct rte_mbuf *m)
{
	uint32_t skip = f->c.corrupt_skip;
	struct rte_mbuf *seg, *c;
	uint32_t off;
	uint8_t mask;

	if (m->pkt_len <= skip)
		return m;
	off = skip + (uint32_t)fault_below(&d->rng, m->pkt_len - skip);
	if (f->c.corrupt_byte)
		mask = (uint8_t)(1 + fault_below(&d->rng, 255));
	else
		mask = (uint8_t)(1u << fault_below(&d->rng, 8));
	if (!fault_private(m)) {
		c = fault_copy(f, m);
		if (c == NULL) {
			d->st.nomem++;
			return m;
		}
		rte_pktmbuf_free(m);
		m = c;
		d->st.corrupt_copied++;
	}
	for (seg = m; seg != NULL && off >= seg->data_len; seg = seg->next)
		off -= seg->data_len;
	if (seg == NULL)
		return m; /* pkt_len larger than the segments: leave it alone */
	*rte_pktmbuf_mtod_offset(seg, uint8_t *, off) ^= mask;
	d->st.corrupted++;
	return m;
}

/* ---- the delay queue and the hold array ---- */

/* Append @p m released at @p due (raised to the tail's time); drop it if full. */
static void
fault_push(const struct drv_fault *f, struct fault_dir *d, struct rte_mbuf *m, stk_time_t due,
	   stk_time_t now)
{
	unsigned int slot;

	if (d->count >= f->c.queue_cap) {
		rte_pktmbuf_free(m);
		d->st.overflow++;
		return;
	}
	if (d->count > 0 && due < d->tail_due)
		due = d->tail_due;
	if (due > now)
		d->st.delayed++;
	slot = d->head + d->count;
	if (slot >= f->c.queue_cap)
		slot -= f->c.queue_cap;
	d->ring[slot] = m;
	d->due[slot] = due;
	d->tail_due = due;
	d->count++;
}

/* Drop @p n frames from the head of the ring (they were handed on). */
static void
fault_pop(const struct drv_fault *f, struct fault_dir *d, unsigned int n)
{
	d->head += n;
	if (d->head >= f->c.queue_cap)
		d->head -= f->c.queue_cap;
	d->count -= n;
}

/* Move held frame @p i into the delay queue. */
static void
fault_unhold(const struct drv_fault *f, struct fault_dir *d, unsigned int i, stk_time_t now)
{
	struct fault_hold h = d->hold[i];

	memmove(&d->hold[i], &d->hold[i + 1], (d->nb_hold - i - 1) * sizeof(d->hold[0]));
	d->nb_hold--;
	fault_push(f, d, h.m, h.due, now);
}

/* A frame entered the queue: count it against every held frame, release those done. */
static void
fault_hold_step(const struct drv_fault *f, struct fault_dir *d, stk_time_t now)
{
	unsigned int i = 0;

	while (i < d->nb_hold) {
		if (--d->hold[i].left == 0)
			fault_unhold(f, d, i, now);
		else
			i++;
	}
}

/* Release held frames whose timeout passed, oldest first. */
static void
fault_hold_expire(const struct drv_fault *f, struct fault_dir *d, stk_time_t now)
{
	unsigned int i = 0;

	while (i < d->nb_hold) {
		if (d->hold[i].deadline <= now)
			fault_unhold(f, d, i, now);
		else
			i++;
	}
}

/* Hold @p m back for reordering. @return false if every hold slot is taken. */
static bool
fault_hold_add(const struct drv_fault *f, struct fault_dir *d, struct rte_mbuf *m, stk_time_t due,
	       stk_time_t now)
{
	struct fault_hold *h;

	if (d->nb_hold >= DRV_FAULT_MAX_HOLD)
		return false;
	h = &d->hold[d->nb_hold++];
	h->m = m;
	h->due = due;
	h->left = f->c.reorder_depth;
	h->deadline = UINT64_MAX;
	if (f->c.reorder_timeout > 0)
		h->deadline = now + f->c.reorder_timeout;
	d->st.reordered++;
	return true;
}

/* Corrupt, hold or queue one frame (an original or its duplicate). */
static void
fault_stage(const struct drv_fault *f, struct fault_dir *d, struct rte_mbuf *m, stk_time_t now)
{
	const struct drv_fault_conf *c = &f->c;
	stk_time_t due = now + c->delay;

	if (fault_chance(&d->rng, c->corrupt))
		m = fault_corrupt(f, d, m);
	if (c->jitter > 0)
		due += fault_below(&d->rng, c->jitter + 1);
	/* with every hold slot taken, a frame drawn for reordering goes through in order */
	if (fault_chance(&d->rng, c->reorder) && fault_hold_add(f, d, m, due, now))
		return;
	fault_push(f, d, m, due, now);
	fault_hold_step(f, d, now);
}

/* One arriving frame: loss, then duplication, then the rest for each copy. */
static void
fault_arrive(const struct drv_fault *f, struct fault_dir *d, struct rte_mbuf *m, stk_time_t now)
{
	struct rte_mbuf *copy = NULL;

	d->st.frames_in++;
	if (fault_chance(&d->rng, f->c.loss)) {
		rte_pktmbuf_free(m);
		d->st.lost++;
		return;
	}
	if (fault_chance(&d->rng, f->c.dup)) {
		copy = fault_copy(f, m);
		if (copy == NULL)
			d->st.nomem++;
		else
			d->st.duplicated++;
	}
	fault_stage(f, d, m, now);
	if (copy != NULL)
		fault_stage(f, d, copy, now);
}

/* ---- TX ---- */

/* Send due frames from the head of the queue until none is due or the lower device refuses. */
static void
fault_tx_flush(struct drv_fault *f, uint16_t q, struct fault_dir *d, stk_time_t now)
{
	unsigned int n, max;
	uint16_t sent;

	while (d->count > 0) {
		max = RTE_MIN(d->count, f->c.queue_cap - d->head);
		max = RTE_MIN(max, (unsigned int)UINT16_MAX);
		for (n = 0; n < max && d->due[d->head + n] <= now; n++)
			;
		if (n == 0)
			return;
		sent = f->lower_ops->tx_burst(f->lower_dev, q, &d->ring[d->head], (uint16_t)n);
		fault_pop(f, d, sent);
		d->st.frames_out += sent;
		if (sent < n)
			return;
	}
}

static uint16_t
fault_tx(void *dev, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct drv_fault *f = dev;
	struct fault_queue *fq;
	struct fault_dir *d;
	uint16_t i;

	if (!f->c.tx || q >= f->c.nb_queues)
		return f->lower_ops->tx_burst(f->lower_dev, q, pkts, n);
	fq = &f->q[q];
	d = &fq->tx;
	fault_tx_flush(f, q, d, fq->now);
	for (i = 0; i < n; i++) {
		if (d->count >= f->c.queue_cap) {
			fault_tx_flush(f, q, d, fq->now);
			if (d->count >= f->c.queue_cap)
				break;
		}
		fault_arrive(f, d, pkts[i], fq->now);
	}
	d->st.frames_in += n - i;
	d->st.overflow += n - i;
	fault_tx_flush(f, q, d, fq->now);
	return i;
}

/* ---- RX ---- */

/* Take up to @p n frames from the lower device into the pipeline. */
static void
fault_rx_pull(struct drv_fault *f, uint16_t q, struct fault_dir *d, uint16_t n, stk_time_t now)
{
	struct rte_mbuf *burst[FAULT_RX_CHUNK];
	uint16_t want, got, i;

	while (n > 0) {
		want = RTE_MIN(n, (uint16_t)FAULT_RX_CHUNK);
		got = f->lower_ops->rx_burst(f->lower_dev, q, burst, want);
		for (i = 0; i < got; i++)
			fault_arrive(f, d, burst[i], now);
		if (got < want)
			return;
		n -= got;
	}
}

static uint16_t
fault_rx(void *dev, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct drv_fault *f = dev;
	struct fault_queue *fq;
	struct fault_dir *d;
	uint16_t k = 0;

	if (!f->c.rx || q >= f->c.nb_queues)
		return f->lower_ops->rx_burst(f->lower_dev, q, pkts, n);
	fq = &f->q[q];
	d = &fq->rx;
	fault_hold_expire(f, d, fq->now);
	fault_rx_pull(f, q, d, n, fq->now);
	while (k < n && d->count > 0 && d->due[d->head] <= fq->now) {
		pkts[k++] = d->ring[d->head];
		fault_pop(f, d, 1);
	}
	d->st.frames_out += k;
	return k;
}

const struct stk_netdev_ops drv_fault_ops = {
	.rx_burst = fault_rx,
	.tx_burst = fault_tx,
};

/* ---- control ---- */

void
drv_fault_conf_default(struct drv_fault_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->seed = 1;
	c->reorder_depth = 3;
	c->reorder_timeout = 10 * STK_NS_PER_MS;
	c->queue_cap = 4096;
	c->nb_queues = 1;
	c->tx = true;
}

static bool
fault_prob_ok(double p)
{
	return !isnan(p) && p >= 0.0 && p <= 1.0;
}

static bool
fault_conf_ok(const struct drv_fault_conf *c, const struct stk_netdev_ops *ops)
{
	if (ops == NULL || ops->rx_burst == NULL || ops->tx_burst == NULL)
		return false;
	if (!fault_prob_ok(c->loss) || !fault_prob_ok(c->dup) || !fault_prob_ok(c->corrupt) ||
	    !fault_prob_ok(c->reorder))
		return false;
	if (c->reorder > 0.0 && c->reorder_depth == 0)
		return false;
	if (c->jitter >= UINT64_MAX - c->delay)
		return false;
	return c->queue_cap > 0 && c->nb_queues > 0 && c->nb_queues <= DRV_FAULT_MAX_QUEUES;
}

static int
fault_dir_init(struct fault_dir *d, const struct drv_fault_conf *c, uint64_t stream, bool on)
{
	fault_rng_seed(&d->rng, c->seed, stream);
	if (!on)
		return 0;
	d->ring = rte_calloc("drv_fault", c->queue_cap, sizeof(d->ring[0]), 0);
	d->due = rte_calloc("drv_fault", c->queue_cap, sizeof(d->due[0]), 0);
	return d->ring == NULL || d->due == NULL ? -1 : 0;
}

struct drv_fault *
drv_fault_create(const struct drv_fault_conf *c, const struct stk_netdev_ops *lower_ops,
		 void *lower_dev)
{
	struct drv_fault *f;
	uint16_t q;

	if (c == NULL || !fault_conf_ok(c, lower_ops)) {
		rte_errno = EINVAL;
		return NULL;
	}
	f = rte_zmalloc("drv_fault", sizeof(*f) + c->nb_queues * sizeof(f->q[0]), 0);
	if (f == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	f->c = *c;
	f->lower_ops = lower_ops;
	f->lower_dev = lower_dev;
	for (q = 0; q < c->nb_queues; q++) {
		if (fault_dir_init(&f->q[q].tx, c, 2u * q, c->tx) < 0 ||
		    fault_dir_init(&f->q[q].rx, c, 2u * q + 1, c->rx) < 0) {
			drv_fault_free(f);
			rte_errno = ENOMEM;
			return NULL;
		}
	}
	return f;
}

void
drv_fault_tick_queue(struct drv_fault *f, uint16_t q, stk_time_t now)
{
	struct fault_queue *fq;

	if (q >= f->c.nb_queues)
		return;
	fq = &f->q[q];
	if (now > fq->now)
		fq->now = now;
	if (f->c.tx) {
		fault_hold_expire(f, &fq->tx, fq->now);
		fault_tx_flush(f, q, &fq->tx, fq->now);
	}
	if (f->c.rx)
		fault_hold_expire(f, &fq->rx, fq->now);
}

void
drv_fault_tick(struct drv_fault *f, stk_time_t now)
{
	uint16_t q;

	for (q = 0; q < f->c.nb_queues; q++)
		drv_fault_tick_queue(f, q, now);
}

static void
fault_stats_add(struct drv_fault_dir_stats *sum, const struct fault_dir *d)
{
	const struct drv_fault_dir_stats *s = &d->st;

	sum->frames_in += s->frames_in;
	sum->frames_out += s->frames_out;
	sum->lost += s->lost;
	sum->duplicated += s->duplicated;
	sum->corrupted += s->corrupted;
	sum->corrupt_copied += s->corrupt_copied;
	sum->reordered += s->reordered;
	sum->delayed += s->delayed;
	sum->overflow += s->overflow;
	sum->nomem += s->nomem;
	sum->queued += d->count;
	sum->held += d->nb_hold;
}

void
drv_fault_stats(const struct drv_fault *f, struct drv_fault_stats *out)
{
	uint16_t q;

	memset(out, 0, sizeof(*out));
	for (q = 0; q < f->c.nb_queues; q++) {
		fault_stats_add(&out->tx, &f->q[q].tx);
		fault_stats_add(&out->rx, &f->q[q].rx);
	}
}

static void
fault_dir_free(const struct drv_fault *f, struct fault_dir *d)
{
	unsigned int i;

	if (d->ring != NULL)
		for (; d->count > 0; fault_pop(f, d, 1))
			rte_pktmbuf_free(d->ring[d->head]);
	for (i = 0; i < d->nb_hold; i++)
		rte_pktmbuf_free(d->hold[i].m);
	d->nb_hold = 0;
	rte_free(d->ring);
	rte_free(d->due);
	d->ring = NULL;
	d->due = NULL;
}

void
drv_fault_free(struct drv_fault *f)
{
	uint16_t q;

	if (f == NULL)
		return;
	for (q = 0; q < f->c.nb_queues; q++) {
		fault_dir_free(f, &f->q[q].tx);
		fault_dir_free(f, &f->q[q].rx);
	}
	rte_free(f);
}
