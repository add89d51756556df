/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The seeded fault injector over an in-memory device: measured rates of
 * loss, duplication, corruption and reordering against the configured
 * probabilities and against its own counters; determinism by seed; never a
 * write to a shared buffer; delay, jitter and reorder timeouts on virtual
 * time; a bounded queue; a lower device that refuses; queue routing;
 * configuration checks. test_eal_finish() checks that no mbuf leaked.
 *
 * Every test frame carries its sequence number in bytes 0..3, the complement
 * in bytes 4..7 and a pattern derived from the number after that, so an
 * output frame tells which input it came from and which bits changed.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include "check.h"
#include "drv.h"
#include "drv_fault.h"

#define FRAME_LEN 64
#define RATE_FRAMES 100000
#define MAX_SEQ (RATE_FRAMES + 20000)
#define BURST 32
#define T0 STK_NS_PER_S

static struct rte_mempool *mp, *ind_mp;
static const struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0x0f, 0x01}};

/* ---- frames ---- */

/* Write test frame @p seq's first @p len bytes at @p b. */
static void
fill(uint8_t *b, uint32_t seq, uint32_t len)
{
	uint32_t i, inv = ~seq;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(seq * 131u + i * 7u + 1u);
	memcpy(b, &seq, 4);
	memcpy(b + 4, &inv, 4);
}

static struct rte_mbuf *
frame(uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m != NULL)
		fill((uint8_t *)rte_pktmbuf_append(m, FRAME_LEN), seq, FRAME_LEN);
	return m;
}

/* @return the sequence number of @p m, or -1 if bytes 0..7 are inconsistent. */
static int64_t
frame_seq(const struct rte_mbuf *m)
{
	uint8_t buf[8];
	const uint8_t *b = rte_pktmbuf_read(m, 0, 8, buf);
	uint32_t seq, inv;

	if (b == NULL)
		return -1;
	memcpy(&seq, b, 4);
	memcpy(&inv, b + 4, 4);
	return inv == ~seq ? (int64_t)seq : -1;
}

/* @return the number of bits in which @p m differs from the bytes @p want. */
static unsigned int
bit_diff(const struct rte_mbuf *m, const uint8_t *want, uint32_t len)
{
	uint8_t buf[4096];
	const uint8_t *b;
	unsigned int i, n = 0;

	if (m->pkt_len != len || len > sizeof(buf))
		return 9999;
	b = rte_pktmbuf_read(m, 0, len, buf);
	for (i = 0; i < len; i++)
		n += (unsigned int)__builtin_popcount(b[i] ^ want[i]);
	return n;
}

/* @return bits in which @p m differs from the test frame it claims to be. */
static unsigned int
frame_diff(const struct rte_mbuf *m)
{
	uint8_t want[FRAME_LEN];
	int64_t seq = frame_seq(m);

	if (seq < 0)
		return 9999;
	fill(want, (uint32_t)seq, FRAME_LEN);
	return bit_diff(m, want, FRAME_LEN);
}

/* Offer @p n (<= BURST) frames from @p seq on to queue @p q; free the refused. @return accepted. */
static unsigned int
send_seq(struct drv_fault *f, uint16_t q, uint32_t seq, unsigned int n)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int i, sent;

	for (i = 0; i < n; i++)
		pkts[i] = frame(seq + i);
	sent = drv_fault_ops.tx_burst(f, q, pkts, (uint16_t)n);
	for (i = sent; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
	return sent;
}

static unsigned int
drain_free(struct drv_memdev *d, uint16_t q)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int n, i, total = 0;

	while ((n = drv_memdev_take(d, q, pkts, BURST)) > 0) {
		for (i = 0; i < n; i++)
			rte_pktmbuf_free(pkts[i]);
		total += n;
	}
	return total;
}

/* |observed - n p| within 5 standard deviations of a binomial (plus one). */
static bool
near(uint64_t observed, uint64_t n, double p)
{
	double mean = (double)n * p, sd = sqrt((double)n * p * (1.0 - p));

	printf("  %" PRIu64 " of %" PRIu64 " (%.4f%%, expected %.4f%%)\n", observed, n,
	       n ? 100.0 * (double)observed / (double)n : 0.0, 100.0 * p);
	return fabs((double)observed - mean) <= 5.0 * sd + 1.0;
}

static void
check_balance(const struct drv_fault_dir_stats *s)
{
	CHECK_EQ(s->frames_in + s->duplicated,
		 s->frames_out + s->lost + s->overflow + s->queued + s->held);
}

/* One test's injector over a fresh in-memory device. */
struct fx {
	struct drv_fault_conf c;   /* defaults; the test edits it before fx_start() */
	struct drv_memdev *d;
	struct drv_fault *f;
	struct drv_fault_stats st; /* filled by fx_stats() */
};

/* Create the device (@p nq queues) and the injector, ticked to T0. @return false on failure. */
static bool
fx_start(struct fx *x, uint16_t nq)
{
	x->d = drv_memdev_create(&mac, nq, 4096);
	if (x->d != NULL)
		x->f = drv_fault_create(&x->c, &drv_memdev_ops, x->d);
	CHECK(x->f != NULL, "injector over an in-memory device");
	if (x->f != NULL)
		drv_fault_tick(x->f, T0);
	return x->f != NULL;
}

static const struct drv_fault_stats *
fx_stats(struct fx *x)
{
	drv_fault_stats(x->f, &x->st);
	return &x->st;
}

/* Run @p fn on a default configuration, then free the injector and the device. */
static void
fx_run(void (*fn)(struct fx *x))
{
	struct fx x;

	memset(&x, 0, sizeof(x));
	drv_fault_conf_default(&x.c);
	fn(&x);
	drv_fault_free(x.f);
	drv_memdev_free(x.d);
}

/* ---- rates over 100k frames ---- */

struct seen {
	uint8_t count[MAX_SEQ];
	int64_t max_seq;
	uint64_t out, late, one_bit, bad;
};

static void
see(struct seen *w, struct rte_mbuf *m)
{
	int64_t seq = frame_seq(m);
	unsigned int diff = frame_diff(m);

	w->out++;
	if (seq < 0 || seq >= MAX_SEQ) {
		w->bad++;
	} else {
		w->count[seq]++;
		if (seq < w->max_seq)
			w->late++;
		if (seq > w->max_seq)
			w->max_seq = seq;
	}
	if (diff == 1)
		w->one_bit++;
	else if (diff != 0)
		w->bad++;
	rte_pktmbuf_free(m);
}

static void
see_all(struct seen *w, struct drv_memdev *d)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int n, i;

	while ((n = drv_memdev_take(d, 0, pkts, BURST)) > 0)
		for (i = 0; i < n; i++)
			see(w, pkts[i]);
}

static void
check_seen(const struct seen *w, const struct drv_fault_dir_stats *s, uint32_t sent)
{
	uint64_t distinct = 0, twice = 0, more = 0;
	uint32_t i;

	for (i = 0; i < sent; i++) {
		distinct += w->count[i] > 0;
		twice += w->count[i] == 2;
		more += w->count[i] > 2;
	}
	CHECK_EQ(s->frames_in, sent);
	CHECK_EQ(s->overflow + s->nomem + s->queued + s->held, 0);
	CHECK_EQ(w->out, s->frames_out);
	CHECK_EQ(w->out, s->frames_in - s->lost + s->duplicated);
	CHECK_EQ(distinct, s->frames_in - s->lost);
	CHECK_EQ(twice, s->duplicated);
	CHECK_EQ(more + w->bad + s->corrupt_copied, 0);
	CHECK_EQ(w->one_bit, s->corrupted);
	/* a held frame leaves after later ones; nothing else does */
	CHECK_EQ(w->late, s->reordered);
	check_balance(s);
}

static void
test_rates(struct fx *x)
{
	struct seen *w = calloc(1, sizeof(*w));
	const struct drv_fault_dir_stats *s = &x->st.tx;
	uint32_t seq = 0;
	uint64_t staged;

	x->c.seed = 42;
	x->c.loss = 0.05;
	x->c.dup = 0.05;
	x->c.corrupt = 0.001;
	x->c.reorder = 0.05;
	x->c.reorder_depth = 3;
	x->c.reorder_timeout = 0;
	x->c.corrupt_skip = 8;
	CHECK(w != NULL);
	if (w == NULL || !fx_start(x, 1))
		goto out;
	w->max_seq = -1;
	for (; seq < RATE_FRAMES; seq += BURST) {
		CHECK(send_seq(x->f, 0, seq, BURST) == BURST);
		see_all(w, x->d);
	}
	/* then single frames until nothing is held, so every held frame was passed */
	do {
		CHECK(send_seq(x->f, 0, seq++, 1) == 1);
		see_all(w, x->d);
	} while (fx_stats(x)->tx.held > 0 && seq < MAX_SEQ);
	printf("rates over %u frames:\n", seq);
	staged = s->frames_in - s->lost + s->duplicated;
	CHECK(near(s->lost, s->frames_in, x->c.loss), "loss rate");
	CHECK(near(s->duplicated, s->frames_in - s->lost, x->c.dup), "dup rate");
	CHECK(near(s->corrupted, staged, x->c.corrupt), "corrupt rate");
	CHECK(near(s->reordered, staged, x->c.reorder), "reorder rate");
	check_seen(w, s, seq);
	CHECK_EQ(x->st.rx.frames_in, 0);
out:
	free(w);
}

/* RX impairs too: 20k frames at 10% loss and 5% duplication; TX, not impaired, passes as is. */
static void
test_rx_rates(struct fx *x)
{
	const struct drv_fault_dir_stats *s = &x->st.rx;
	struct rte_mbuf *pkts[BURST], *t = frame(1);
	uint64_t got = 0;
	unsigned int n, i;
	uint32_t seq;

	x->c.seed = 10;
	x->c.loss = 0.1;
	x->c.dup = 0.05;
	x->c.rx = true;
	x->c.tx = false;
	if (!fx_start(x, 1)) {
		rte_pktmbuf_free(t);
		return;
	}
	CHECK(drv_fault_ops.tx_burst(x->f, 0, &t, 1) == 1);
	CHECK(drv_memdev_take(x->d, 0, pkts, 2) == 1 && pkts[0] == t, "TX passes unimpaired");
	rte_pktmbuf_free(pkts[0]);
	for (seq = 0; seq < 20000; seq++) {
		CHECK(drv_memdev_inject(x->d, 0, frame(seq)) == 0);
		if (seq % BURST != BURST - 1)
			continue;
		while ((n = drv_fault_ops.rx_burst(x->f, 0, pkts, BURST)) > 0) {
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(pkts[i]);
			got += n;
		}
	}
	fx_stats(x);
	printf("rx rates over 20000 frames:\n");
	CHECK_EQ(s->frames_in, 20000);
	CHECK(near(s->lost, 20000, x->c.loss), "rx loss rate");
	CHECK(near(s->duplicated, 20000 - s->lost, x->c.dup), "rx dup rate");
	CHECK_EQ(got, s->frames_out);
	CHECK_EQ(got, 20000 - s->lost + s->duplicated);
	CHECK_EQ(x->st.tx.frames_in, 0);
	check_balance(s);
}

/* ---- determinism ---- */

struct trace {
	uint64_t hash;
	uint64_t frames;
	struct drv_fault_stats st;
};

static void
trace_take(struct trace *t, struct drv_memdev *d)
{
	struct rte_mbuf *pkts[BURST];
	uint8_t buf[FRAME_LEN];
	const uint8_t *b;
	unsigned int n, i, j;

	while ((n = drv_memdev_take(d, 0, pkts, BURST)) > 0) {
		for (i = 0; i < n; i++) {
			b = rte_pktmbuf_read(pkts[i], 0, FRAME_LEN, buf);
			for (j = 0; b != NULL && j < FRAME_LEN; j++)
				t->hash = (t->hash ^ b[j]) * 0x100000001b3ULL;
			t->hash = (t->hash ^ pkts[i]->pkt_len) * 0x100000001b3ULL;
			t->frames++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
}

static uint64_t trace_seed;
static struct trace *trace_out;

/* Every impairment at once, ticking 100 us between bursts of 8. */
static void
run_trace(struct fx *x)
{
	struct trace *t = trace_out;
	stk_time_t now = T0;
	uint32_t seq;

	x->c.seed = trace_seed;
	x->c.loss = 0.05;
	x->c.dup = 0.05;
	x->c.corrupt = 0.01;
	x->c.reorder = 0.05;
	x->c.reorder_timeout = 3 * STK_NS_PER_MS;
	x->c.delay = STK_NS_PER_MS;
	x->c.jitter = 2 * STK_NS_PER_MS;
	if (!fx_start(x, 1))
		return;
	for (seq = 0; seq < 20000; seq += 8, now += 100 * 1000) {
		drv_fault_tick(x->f, now);
		CHECK(send_seq(x->f, 0, seq, 8) == 8);
		trace_take(t, x->d);
	}
	drv_fault_tick(x->f, now + STK_NS_PER_S);
	trace_take(t, x->d);
	t->st = *fx_stats(x);
	CHECK_EQ(t->st.tx.queued + t->st.tx.held, 0);
	CHECK_EQ(t->frames, t->st.tx.frames_out);
	check_balance(&t->st.tx);
}

static void
trace(uint64_t seed, struct trace *t)
{
	memset(t, 0, sizeof(*t));
	t->hash = 0xcbf29ce484222325ULL; /* FNV-1a over every byte sent, in order */
	trace_seed = seed;
	trace_out = t;
	fx_run(run_trace);
}

static void
test_determinism(void)
{
	struct trace a, b, o;

	trace(7, &a);
	trace(7, &b);
	trace(8, &o);
	CHECK_EQ(a.frames, b.frames);
	CHECK(a.hash == b.hash, "same seed, same output sequence");
	CHECK(memcmp(&a.st, &b.st, sizeof(a.st)) == 0, "same seed, same counters");
	CHECK(a.hash != o.hash, "another seed, another output sequence");
	CHECK(a.st.tx.lost != o.st.tx.lost || a.st.tx.duplicated != o.st.tx.duplicated ||
	      a.st.tx.reordered != o.st.tx.reordered, "another seed, other counters");
	CHECK(a.st.tx.delayed > 0 && a.st.tx.corrupted > 0 && a.st.tx.reordered > 0);
}

/* ---- corruption and duplication never write to a shared buffer ---- */

/* Send @p m alone; @return what reached the lower device (NULL if not one frame). */
static struct rte_mbuf *
pass_one(struct fx *x, struct rte_mbuf *m)
{
	struct rte_mbuf *out[2];

	CHECK(drv_fault_ops.tx_burst(x->f, 0, &m, 1) == 1);
	if (drv_memdev_take(x->d, 0, out, 2) != 1)
		return NULL;
	return out[0];
}

/* A frame the test still references (@p clone: via an indirect clone) is corrupted on a copy. */
static void
shared_one(struct fx *x, bool clone)
{
	struct rte_mbuf *m = frame(2), *in, *o;

	in = clone ? rte_pktmbuf_clone(m, ind_mp) : m;
	CHECK(in != NULL);
	if (in == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	if (!clone)
		rte_mbuf_refcnt_update(m, 1);
	o = pass_one(x, in);
	CHECK(o != NULL && o != in, "a shared frame is corrupted on a copy");
	CHECK_EQ(frame_diff(m), 0);
	CHECK_EQ(rte_mbuf_refcnt_read(m), 1); /* the injector let go of its reference */
	if (o != NULL) {
		CHECK_EQ(frame_diff(o), 1);
		CHECK(RTE_MBUF_DIRECT(o) && rte_mbuf_refcnt_read(o) == 1);
	}
	rte_pktmbuf_free(o);
	rte_pktmbuf_free(m);
}

/* A private head chained to a tail segment someone else also holds. */
static void
shared_tail(struct fx *x)
{
	struct rte_mbuf *head = frame(4), *tail = frame(5), *o;
	uint8_t whole[2 * FRAME_LEN], tail_bytes[FRAME_LEN];

	fill(whole, 4, FRAME_LEN);
	fill(whole + FRAME_LEN, 5, FRAME_LEN);
	memcpy(tail_bytes, whole + FRAME_LEN, FRAME_LEN);
	rte_mbuf_refcnt_update(tail, 1);
	CHECK(rte_pktmbuf_chain(head, tail) == 0);
	o = pass_one(x, head);
	CHECK(o != NULL && o != head, "a chain with a shared segment is corrupted on a copy");
	CHECK_EQ(bit_diff(tail, tail_bytes, FRAME_LEN), 0);
	CHECK_EQ(rte_mbuf_refcnt_read(tail), 1);
	if (o != NULL)
		CHECK_EQ(bit_diff(o, whole, 2 * FRAME_LEN), 1);
	rte_pktmbuf_free(o);
	rte_pktmbuf_free(tail);
}

static void
test_corrupt_shared(struct fx *x)
{
	struct rte_mbuf *m, *o;

	x->c.corrupt = 1.0;
	x->c.corrupt_skip = 8;
	if (!fx_start(x, 1))
		return;
	m = frame(1);
	o = pass_one(x, m);
	CHECK(o == m, "a private frame is corrupted in place");
	if (o != NULL)
		CHECK_EQ(frame_diff(o), 1);
	rte_pktmbuf_free(o);
	shared_one(x, false);
	shared_one(x, true);
	shared_tail(x);
	CHECK_EQ(fx_stats(x)->tx.corrupted, 4);
	CHECK_EQ(x->st.tx.corrupt_copied, 3);
	CHECK_EQ(x->st.tx.nomem, 0);
}

/* Byte mode: each frame differs from its original in one byte, by one to eight bits. */
static void
test_corrupt_byte(struct fx *x)
{
	uint8_t want[FRAME_LEN], buf[FRAME_LEN];
	const uint8_t *b;
	unsigned int i, j, bytes, bits, multi_bit = 0;
	struct rte_mbuf *o;

	x->c.corrupt = 1.0;
	x->c.corrupt_byte = true;
	x->c.corrupt_skip = 8;
	if (!fx_start(x, 1))
		return;
	for (i = 0; i < 200; i++) {
		o = pass_one(x, frame(i));
		fill(want, i, FRAME_LEN);
		b = o != NULL ? rte_pktmbuf_read(o, 0, FRAME_LEN, buf) : want;
		for (j = 0, bytes = 0; j < FRAME_LEN; j++)
			bytes += b[j] != want[j];
		bits = o != NULL ? bit_diff(o, want, FRAME_LEN) : 0;
		CHECK(bytes == 1 && bits >= 1 && bits <= 8, "frame %u: %u bytes changed", i, bytes);
		multi_bit += bits > 1;
		rte_pktmbuf_free(o);
	}
	CHECK(multi_bit > 100, "bytes, not just bits: %u of 200 with several bits", multi_bit);
}

/* With no pool able to hold a copy, a shared frame passes intact: no duplicate, no corruption. */
static void
test_no_copy_pool(struct fx *x)
{
	struct rte_mbuf *m = frame(7), *o;

	x->c.corrupt = 1.0;
	x->c.dup = 1.0;
	x->c.mp = ind_mp; /* no data room */
	if (fx_start(x, 1)) {
		rte_mbuf_refcnt_update(m, 1);
		o = pass_one(x, m);
		CHECK(o == m, "passed as is");
		CHECK_EQ(frame_diff(m), 0);
		CHECK_EQ(fx_stats(x)->tx.nomem, 2);
		CHECK_EQ(x->st.tx.corrupted + x->st.tx.duplicated, 0);
		rte_pktmbuf_free(o);
	}
	rte_pktmbuf_free(m);
}

/* Duplicates are separate direct mbufs with the same bytes, even of a shared frame. */
static void
test_dup_separate(struct fx *x)
{
	struct rte_mbuf *m = frame(6), *c = rte_pktmbuf_clone(m, ind_mp), *out[4];
	unsigned int n;

	x->c.dup = 1.0;
	CHECK(c != NULL);
	if (c != NULL && fx_start(x, 1)) {
		CHECK(drv_fault_ops.tx_burst(x->f, 0, &c, 1) == 1);
		n = drv_memdev_take(x->d, 0, out, 4);
		CHECK_EQ(n, 2);
		CHECK(n == 2 && out[0] == c, "the original goes first, untouched");
		CHECK(n == 2 && out[1] != c && out[1] != m, "the duplicate is another mbuf");
		if (n == 2) {
			CHECK(RTE_MBUF_DIRECT(out[1]) && rte_mbuf_refcnt_read(out[1]) == 1);
			CHECK_EQ(frame_diff(out[0]) + frame_diff(out[1]), 0);
			CHECK_EQ(frame_seq(out[1]), 6);
		}
		while (n > 0)
			rte_pktmbuf_free(out[--n]);
		c = NULL;
	}
	rte_pktmbuf_free(c);
	CHECK_EQ(rte_mbuf_refcnt_read(m), 1);
	rte_pktmbuf_free(m);
}

/* ---- virtual time ---- */

/* One frame sent at T0 reaches the device at T0 + @p wait, not 1 ns sooner. */
static void
check_release(struct fx *x, stk_time_t wait)
{
	CHECK(send_seq(x->f, 0, 0, 1) == 1);
	CHECK_EQ(drain_free(x->d, 0), 0);
	drv_fault_tick(x->f, T0 + wait - 1);
	CHECK_EQ(drain_free(x->d, 0), 0);
	drv_fault_tick(x->f, T0); /* time never goes back */
	drv_fault_tick(x->f, T0 + wait);
	CHECK_EQ(drain_free(x->d, 0), 1);
}

static void
test_delay_fixed(struct fx *x)
{
	x->c.delay = 10 * STK_NS_PER_MS;
	if (fx_start(x, 1))
		check_release(x, x->c.delay);
}

static void
test_reorder_timeout(struct fx *x)
{
	x->c.reorder = 1.0;
	x->c.reorder_timeout = 2 * STK_NS_PER_MS;
	if (!fx_start(x, 1))
		return;
	check_release(x, x->c.reorder_timeout);
	CHECK_EQ(fx_stats(x)->tx.reordered, 1);
}

/* Take what reached the lower device at @p now; check order and waiting time. */
static void
jitter_take(struct drv_memdev *d, const stk_time_t *sent_at, stk_time_t now, int64_t *next,
	    stk_time_t *min_wait, stk_time_t *max_wait)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int n, i;
	int64_t seq;

	while ((n = drv_memdev_take(d, 0, pkts, BURST)) > 0) {
		for (i = 0; i < n; i++) {
			seq = frame_seq(pkts[i]);
			CHECK(seq == *next, "frame %" PRId64 " came when %" PRId64 " was due",
			      seq, *next);
			if (seq >= 0 && seq < 1000) {
				*min_wait = RTE_MIN(*min_wait, now - sent_at[seq]);
				*max_wait = RTE_MAX(*max_wait, now - sent_at[seq]);
			}
			(*next)++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
}

/* Jittered delay: every frame waits within [delay, delay + jitter], in order. */
static void
test_delay_jitter(struct fx *x)
{
	const stk_time_t step = 100 * 1000, lo = 10 * STK_NS_PER_MS, hi = 15 * STK_NS_PER_MS;
	stk_time_t sent_at[1000], now, min_wait = UINT64_MAX, max_wait = 0;
	int64_t next = 0;
	unsigned int i;

	x->c.delay = lo;
	x->c.jitter = hi - lo;
	if (!fx_start(x, 1))
		return;
	/* ticks on a 100 us grid, a frame every 5 ms; send times and delay + jitter lie on it */
	for (i = 0, now = T0; next < 1000 && i < 51000; i++, now += step) {
		drv_fault_tick(x->f, now);
		if (i % 50 == 0 && i / 50 < 1000) {
			sent_at[i / 50] = now;
			CHECK(send_seq(x->f, 0, i / 50, 1) == 1);
		}
		jitter_take(x->d, sent_at, now, &next, &min_wait, &max_wait);
	}
	CHECK_EQ(next, 1000);
	printf("jitter: waits from %" PRIu64 " to %" PRIu64 " ns\n", min_wait, max_wait);
	CHECK(min_wait >= lo && max_wait <= hi, "waits within [delay, delay + jitter]");
	CHECK(min_wait < lo + STK_NS_PER_MS && max_wait > hi - STK_NS_PER_MS, "jitter spreads");
	CHECK_EQ(fx_stats(x)->tx.delayed, 1000);
	CHECK_EQ(x->st.tx.reordered, 0);
}

/* With every frame drawn for holding: 32 held, the next 3 pass them, then they follow in order. */
static void
test_reorder_depth(struct fx *x)
{
	struct rte_mbuf *pkts[64];
	unsigned int n, i;

	x->c.reorder = 1.0;
	x->c.reorder_depth = 3;
	x->c.reorder_timeout = 0;
	if (!fx_start(x, 1))
		return;
	CHECK(send_seq(x->f, 0, 0, 32) == 32);
	CHECK(send_seq(x->f, 0, 32, 3) == 3);
	n = drv_memdev_take(x->d, 0, pkts, 64);
	CHECK_EQ(n, DRV_FAULT_MAX_HOLD + 3);
	for (i = 0; i < n; i++) {
		CHECK_EQ(frame_seq(pkts[i]), i < 3 ? DRV_FAULT_MAX_HOLD + i : i - 3);
		rte_pktmbuf_free(pkts[i]);
	}
	CHECK_EQ(fx_stats(x)->tx.reordered, DRV_FAULT_MAX_HOLD);
	CHECK_EQ(x->st.tx.held, 0);
	/* no timeout: a held frame waits for later ones however long it takes */
	CHECK(send_seq(x->f, 0, 100, 1) == 1);
	drv_fault_tick(x->f, T0 + 1000 * STK_NS_PER_S);
	CHECK_EQ(drain_free(x->d, 0), 0);
	CHECK_EQ(fx_stats(x)->tx.held, 1); /* freed by drv_fault_free() */
}

/* ---- bounds, lower device, queues, configuration ---- */

/* A full delay queue refuses TX frames and drops RX frames, counting both; RX waits too. */
static void
test_overflow(struct fx *x)
{
	struct rte_mbuf *out[32];
	unsigned int i;

	x->c.rx = true;
	x->c.queue_cap = 8;
	x->c.delay = STK_NS_PER_MS;
	if (!fx_start(x, 1))
		return;
	CHECK_EQ(send_seq(x->f, 0, 0, 20), 8);
	for (i = 0; i < 20; i++)
		CHECK(drv_memdev_inject(x->d, 0, frame(100 + i)) == 0);
	CHECK_EQ(drv_fault_ops.rx_burst(x->f, 0, out, 32), 0);
	drv_fault_tick(x->f, T0 + x->c.delay - 1);
	CHECK_EQ(drv_fault_ops.rx_burst(x->f, 0, out, 32), 0);
	CHECK_EQ(drain_free(x->d, 0), 0);
	CHECK_EQ(fx_stats(x)->tx.overflow, 12);
	CHECK_EQ(x->st.rx.overflow, 12);
	CHECK_EQ(x->st.tx.queued, 8);
	CHECK_EQ(x->st.rx.queued, 8);
	check_balance(&x->st.tx);
	check_balance(&x->st.rx);
	drv_fault_tick(x->f, T0 + x->c.delay);
	CHECK_EQ(drain_free(x->d, 0), 8);
	CHECK_EQ(drv_fault_ops.rx_burst(x->f, 0, out, 32), 8);
	for (i = 0; i < 8; i++) {
		CHECK_EQ(frame_seq(out[i]), 100 + i);
		rte_pktmbuf_free(out[i]);
	}
	check_balance(&fx_stats(x)->tx);
	check_balance(&x->st.rx);
	/* leave frames inside: drv_fault_free() frees them (test_eal_finish() checks) */
	CHECK_EQ(send_seq(x->f, 0, 200, 3), 3);
	for (i = 0; i < 3; i++)
		CHECK(drv_memdev_inject(x->d, 0, frame(300 + i)) == 0);
	CHECK_EQ(drv_fault_ops.rx_burst(x->f, 0, out, 32), 0);
	CHECK(fx_stats(x)->tx.queued == 3 && x->st.rx.queued == 3);
}

/*
 * Frames the lower device refuses wait in the queue and go, in order, on the
 * next tick; a full queue refuses only while the lower device takes nothing.
 */
static void
test_lower_full(struct fx *x)
{
	struct rte_mbuf *out[8];
	unsigned int i, n;

	x->c.queue_cap = 4;
	if (!fx_start(x, 1))
		return;
	drv_memdev_block_tx(x->d, 2); /* the flush when full and the one at the end */
	CHECK_EQ(send_seq(x->f, 0, 0, 5), 4);
	CHECK_EQ(drain_free(x->d, 0), 0);
	CHECK_EQ(fx_stats(x)->tx.queued, 4);
	CHECK_EQ(x->st.tx.overflow, 1);
	drv_fault_tick(x->f, T0);
	n = drv_memdev_take(x->d, 0, out, 8);
	CHECK_EQ(n, 4);
	for (i = 0; i < n; i++) {
		CHECK_EQ(frame_seq(out[i]), i);
		rte_pktmbuf_free(out[i]);
	}
	CHECK_EQ(send_seq(x->f, 0, 10, 20), 20);
	CHECK_EQ(drain_free(x->d, 0), 20);
	CHECK_EQ(fx_stats(x)->tx.frames_out, 24);
	CHECK_EQ(x->st.tx.overflow + x->st.tx.lost + x->st.tx.queued, 1);
	check_balance(&x->st.tx);
}

/* Each queue pair goes to the same queue of the lower device; queues past nb_queues pass as is. */
static void
test_queues(struct fx *x)
{
	x->c.nb_queues = 2;
	x->c.delay = STK_NS_PER_MS;
	if (!fx_start(x, 3))
		return;
	CHECK(send_seq(x->f, 1, 0, 2) == 2);
	CHECK(send_seq(x->f, 2, 0, 3) == 3);
	CHECK_EQ(drain_free(x->d, 2), 3);
	CHECK_EQ(drain_free(x->d, 1), 0);
	drv_fault_tick_queue(x->f, 0, T0 + x->c.delay);
	CHECK_EQ(drain_free(x->d, 1), 0);
	drv_fault_tick_queue(x->f, 1, T0 + x->c.delay);
	CHECK_EQ(drain_free(x->d, 1), 2);
	CHECK_EQ(drain_free(x->d, 0), 0);
	CHECK_EQ(fx_stats(x)->tx.frames_in, 2);
}

static void
expect_einval(const struct drv_fault_conf *c, const struct stk_netdev_ops *ops, const char *what)
{
	struct drv_fault *f = drv_fault_create(c, ops, NULL);

	CHECK(f == NULL && rte_errno == EINVAL, "%s", what);
	drv_fault_free(f);
}

static void
test_conf(void)
{
	const struct stk_netdev_ops half = { .rx_burst = drv_memdev_ops.rx_burst };
	struct drv_fault_conf c, b;

#define EXPECT_BAD(what, ...)                                                    \
	do {                                                                     \
		b = c;                                                           \
		__VA_ARGS__;                                                     \
		expect_einval(&b, &drv_memdev_ops, what);                        \
	} while (0)
	drv_fault_conf_default(&c);
	EXPECT_BAD("loss above 1", b.loss = 1.5);
	EXPECT_BAD("negative dup", b.dup = -0.1);
	EXPECT_BAD("NaN corrupt", b.corrupt = NAN);
	EXPECT_BAD("reorder without depth", b.reorder = 0.1, b.reorder_depth = 0);
	EXPECT_BAD("queue_cap 0", b.queue_cap = 0);
	EXPECT_BAD("no queues", b.nb_queues = 0);
	EXPECT_BAD("too many queues", b.nb_queues = DRV_FAULT_MAX_QUEUES + 1);
	EXPECT_BAD("delay + jitter overflows", b.delay = 10, b.jitter = UINT64_MAX - 10);
#undef EXPECT_BAD
	expect_einval(&c, NULL, "no lower ops");
	expect_einval(&c, &half, "no tx_burst");
	expect_einval(NULL, &drv_memdev_ops, "no conf");
	drv_fault_free(NULL);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	mp = rte_pktmbuf_pool_create("fault_mp", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	ind_mp = rte_pktmbuf_pool_create("fault_ind", 255, 0, 0, 0, SOCKET_ID_ANY);
	CHECK(mp != NULL && ind_mp != NULL, "pools");
	if (mp != NULL && ind_mp != NULL) {
		fx_run(test_rates);
		fx_run(test_rx_rates);
		test_determinism();
		fx_run(test_corrupt_shared);
		fx_run(test_corrupt_byte);
		fx_run(test_no_copy_pool);
		fx_run(test_dup_separate);
		fx_run(test_delay_fixed);
		fx_run(test_reorder_timeout);
		fx_run(test_delay_jitter);
		fx_run(test_reorder_depth);
			fx_run(test_overflow);
		fx_run(test_lower_full);
		fx_run(test_queues);
		test_conf();
	}
	test_eal_finish(); /* every pool back to zero in use: nothing leaked */
	return check_done();
}
