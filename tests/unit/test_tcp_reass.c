/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the TCP reassembly queue (stack/tcp/tcp_reass.c): chain
 * trimming, every kind of overlap, the caps, pull, the receiver's SACK
 * blocks on RFC 2018's examples, and seeded random arrival orders with
 * duplicates, overlaps and losses checked against the original byte stream
 * and a per-byte model of what the queue holds. Every mbuf comes from a
 * pool that must be empty at the end (test_eal_finish()).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "check.h"
#include "stk.h"
#include "tcp_reass.h"
#include "tcp_seq.h"

#define STREAM_LEN (256 * 1024)
#define ROOM 200 /* data room of an mbuf: long segments become chains */

static struct rte_mempool *mp;
static uint8_t stream[STREAM_LEN];
static uint32_t rng_state;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift32 */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return n ? rng_state % n : 0;
}

/* The bytes [off, off + len) of the stream as a chain of random-sized segments. */
static struct rte_mbuf *
mk(uint32_t off, uint32_t len)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t done = 0;

	while (done < len || head == NULL) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t take = RTE_MIN(len - done, 1 + rnd(ROOM));

		if (m == NULL) {
			fprintf(stderr, "mbuf pool exhausted\n");
			exit(1);
		}
		if (head != NULL && rnd(16) == 0)
			take = 0; /* an empty segment inside the chain */
		memcpy(rte_pktmbuf_append(m, (uint16_t)take), stream + off + done, take);
		done += take;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += take;
		}
		last = m;
	}
	return head;
}

/* Chain @p m is well formed and holds stream bytes [off, off + len). */
static bool
chain_is(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	const struct rte_mbuf *s;
	uint32_t sum = 0;
	uint16_t nb = 0;

	if (m == NULL || m->pkt_len != len)
		return false;
	for (s = m; s != NULL; s = s->next) {
		if (memcmp(rte_pktmbuf_mtod(s, const uint8_t *), stream + off + sum, s->data_len))
			return false;
		sum += s->data_len;
		nb++;
	}
	return sum == len && nb == m->nb_segs;
}

static unsigned int
in_use(void)
{
	return rte_mempool_in_use_count(mp);
}

/* Three segments of 100 bytes: stream bytes [off, off + 300). */
static struct rte_mbuf *
mk3(uint32_t off)
{
	struct rte_mbuf *m[3];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		m[i] = rte_pktmbuf_alloc(mp);
		memcpy(rte_pktmbuf_append(m[i], 100), stream + off + 100 * i, 100);
	}
	rte_pktmbuf_chain(m[0], m[1]);
	rte_pktmbuf_chain(m[0], m[2]);
	return m[0];
}

static void
test_trim(void)
{
	unsigned int i, base = in_use();
	struct rte_mbuf *m;

	/* Cuts on segment boundaries free the emptied segments. */
	m = tcp_reass_mbuf_trim_front(mk3(0), 100);
	CHECK(chain_is(m, 100, 200));
	CHECK_EQ(m->nb_segs, 2);
	CHECK_EQ(in_use(), base + 2);
	m = tcp_reass_mbuf_trim_front(m, 150);
	CHECK(chain_is(m, 250, 50));
	CHECK_EQ(m->nb_segs, 1);
	rte_pktmbuf_free(m);
	m = mk3(0);
	tcp_reass_mbuf_trim_back(m, 200);
	CHECK(chain_is(m, 0, 200));
	CHECK_EQ(m->nb_segs, 2);
	CHECK_EQ(in_use(), base + 2);
	tcp_reass_mbuf_trim_back(m, 100);
	CHECK_EQ(m->nb_segs, 1);
	tcp_reass_mbuf_trim_back(m, 0);
	CHECK(chain_is(m, 0, 0));
	rte_pktmbuf_free(m);
	CHECK_EQ(in_use(), base);

	for (i = 0; i < 2000; i++) {
		uint32_t len = 1 + rnd(1500), cut = rnd(len);

		m = mk(100, len);
		if (rnd(2)) {
			m = tcp_reass_mbuf_trim_front(m, cut);
			CHECK(chain_is(m, 100 + cut, len - cut), "front %u of %u", cut, len);
		} else {
			tcp_reass_mbuf_trim_back(m, cut);
			CHECK(chain_is(m, 100, cut), "back to %u of %u", cut, len);
			tcp_reass_mbuf_trim_back(m, cut + 10); /* not longer: no-op */
			CHECK(chain_is(m, 100, cut));
		}
		rte_pktmbuf_free(m);
	}
	CHECK_EQ(in_use(), base);
}

/* Queue @p q holds exactly the stream ranges in @p edges (start, end pairs, as segments). */
static bool
queue_is(const struct tcp_reass *q, uint32_t isn, const uint32_t *edges, unsigned int n)
{
	const struct rte_mbuf *m;
	uint32_t seq, bytes = 0;
	unsigned int i = 0;

	for (m = tcp_reass_first(q, &seq); m != NULL; m = tcp_reass_next(m, &seq), i++) {
		if (i >= n || seq != isn + edges[2 * i] ||
		    !chain_is(m, edges[2 * i], edges[2 * i + 1] - edges[2 * i]))
			return false;
		bytes += m->pkt_len;
	}
	return i == n && tcp_reass_segs(q) == n && tcp_reass_bytes(q) == bytes;
}

static int
ins(struct tcp_reass *q, uint32_t isn, uint32_t start, uint32_t end)
{
	return tcp_reass_insert(q, isn + start, mk(start, end - start));
}

static void
test_overlaps(void)
{
	const uint32_t isn = 0xffffff00u; /* the sequence space wraps at stream byte 256 */
	struct tcp_reass q;

	tcp_reass_init(&q, 1 << 20, 64);
	CHECK_EQ(ins(&q, isn, 1000, 2000), 1000);
	CHECK_EQ(ins(&q, isn, 3000, 4000), 1000);
	/* Exact duplicate and a segment inside a queued one: freed, 0 new bytes. */
	CHECK_EQ(ins(&q, isn, 1000, 2000), 0);
	CHECK_EQ(ins(&q, isn, 1200, 1300), 0);
	CHECK(queue_is(&q, isn, (uint32_t[]){1000, 2000, 3000, 4000}, 2));
	/* Front overlap: the queued bytes win, the new front is cut. */
	CHECK_EQ(ins(&q, isn, 1500, 2500), 500);
	CHECK(queue_is(&q, isn, (uint32_t[]){1000, 2000, 2000, 2500, 3000, 4000}, 3));
	/* Back overlap: the new back is cut. */
	CHECK_EQ(ins(&q, isn, 2700, 3300), 300);
	CHECK(queue_is(&q, isn, (uint32_t[]){1000, 2000, 2000, 2500, 2700, 3000, 3000, 4000}, 4));
	/* Inside two adjacent queued segments: a duplicate. */
	CHECK_EQ(ins(&q, isn, 1800, 2300), 0);
	CHECK_EQ(ins(&q, isn, 2900, 3100), 0);
	/* Both ends overlapping, gap in the middle: only the middle stays. */
	CHECK_EQ(ins(&q, isn, 2400, 2800), 200);
	CHECK(queue_is(&q, isn,
		       (uint32_t[]){1000, 2000, 2000, 2500, 2500, 2700, 2700, 3000, 3000,
				    4000}, 5));
	/* Covering: the new segment replaces those it covers entirely. */
	CHECK_EQ(ins(&q, isn, 5000, 5100), 100);
	CHECK_EQ(ins(&q, isn, 5200, 5300), 100);
	CHECK_EQ(ins(&q, isn, 4900, 5400), 300);
	CHECK(queue_is(&q, isn,
		       (uint32_t[]){1000, 2000, 2000, 2500, 2500, 2700, 2700, 3000, 3000, 4000,
				    4900, 5400}, 6));
	/* Same start, longer: covers the queued one, which goes. */
	CHECK_EQ(ins(&q, isn, 4900, 5600), 200);
	CHECK(queue_is(&q, isn,
		       (uint32_t[]){1000, 2000, 2000, 2500, 2500, 2700, 2700, 3000, 3000, 4000,
				    4900, 5600}, 6));
	/* Covering some, overlapping others at both ends. */
	CHECK_EQ(ins(&q, isn, 1500, 4950), 900);
	CHECK(queue_is(&q, isn, (uint32_t[]){1000, 2000, 2000, 4900, 4900, 5600}, 3));
	/* Below everything, then a segment covering the whole queue. */
	CHECK_EQ(ins(&q, isn, 10, 20), 10);
	CHECK_EQ(ins(&q, isn, 0, 6000), 6000 - 10 - 1000 - 2900 - 700);
	CHECK(queue_is(&q, isn, (uint32_t[]){0, 6000}, 1));
	/* Empty and NULL segments. */
	CHECK_EQ(tcp_reass_insert(&q, isn + 7000, mk(7000, 0)), STK_EINVAL);
	CHECK_EQ(tcp_reass_insert(&q, isn + 7000, NULL), STK_EINVAL);
	CHECK_EQ(tcp_reass_drops(&q), 0);
	tcp_reass_flush(&q);
	CHECK_EQ(tcp_reass_bytes(&q), 0);
	CHECK_EQ(tcp_reass_segs(&q), 0);
	CHECK(tcp_reass_first(&q, &(uint32_t){0}) == NULL);
	CHECK_EQ(in_use(), 0);
}

static void
test_caps(void)
{
	struct tcp_reass q;

	tcp_reass_init(&q, 1000, 3);
	CHECK_EQ(ins(&q, 0, 100, 200), 100);
	CHECK_EQ(ins(&q, 0, 300, 400), 100);
	CHECK_EQ(ins(&q, 0, 500, 600), 100);
	/* A fourth segment: over the segment cap. */
	CHECK_EQ(ins(&q, 0, 700, 710), STK_ENOMEM);
	CHECK_EQ(tcp_reass_drops(&q), 1);
	CHECK(queue_is(&q, 0, (uint32_t[]){100, 200, 300, 400, 500, 600}, 3));
	/* A duplicate while full is not a drop. */
	CHECK_EQ(ins(&q, 0, 300, 400), 0);
	CHECK_EQ(tcp_reass_drops(&q), 1);
	/* Replacing two segments with one fits the segment cap... */
	CHECK_EQ(ins(&q, 0, 250, 650), 200);
	CHECK(queue_is(&q, 0, (uint32_t[]){100, 200, 250, 650}, 2));
	/* ... and the byte cap counts the bytes after replacement: 500 + 500 fits, 501 does not. */
	CHECK_EQ(ins(&q, 0, 1000, 1501), STK_ENOMEM);
	CHECK_EQ(ins(&q, 0, 1000, 1500), 500);
	CHECK_EQ(tcp_reass_bytes(&q), 1000);
	CHECK_EQ(ins(&q, 0, 2000, 2001), STK_ENOMEM);
	CHECK_EQ(tcp_reass_drops(&q), 3);
	tcp_reass_flush(&q);
	CHECK_EQ(tcp_reass_drops(&q), 3); /* kept across flush */
	/* Caps of 0 queue nothing. */
	tcp_reass_init(&q, 0, 10);
	CHECK_EQ(ins(&q, 0, 100, 101), STK_ENOMEM);
	tcp_reass_init(&q, 10000, 0);
	CHECK_EQ(ins(&q, 0, 100, 101), STK_ENOMEM);
	CHECK_EQ(tcp_reass_segs(&q), 0);
	CHECK_EQ(in_use(), 0);
}

static void
test_pull(void)
{
	const uint32_t isn = 0xfffffe00u;
	struct tcp_reass q;
	struct rte_mbuf *m;
	uint32_t len = 99;

	tcp_reass_init(&q, 1 << 20, 64);
	CHECK(tcp_reass_pull(&q, isn, &len) == NULL);
	CHECK_EQ(len, 0);
	ins(&q, isn, 100, 200);
	ins(&q, isn, 200, 350);
	ins(&q, isn, 350, 400);
	ins(&q, isn, 500, 600);
	/* A gap at rcv_nxt: nothing. */
	CHECK(tcp_reass_pull(&q, isn + 50, &len) == NULL);
	CHECK_EQ(len, 0);
	CHECK_EQ(tcp_reass_segs(&q), 4);
	/* rcv_nxt inside the second segment: the first is freed, the second cut,
	 * and the contiguous rest comes as one chain. */
	m = tcp_reass_pull(&q, isn + 260, &len);
	CHECK_EQ(len, 140);
	CHECK(chain_is(m, 260, 140));
	CHECK(m != NULL && m->packet_type == 0 && m->tx_offload == 0 && m->hash.usr == 0);
	rte_pktmbuf_free(m);
	CHECK(queue_is(&q, isn, (uint32_t[]){500, 600}, 1));
	CHECK(tcp_reass_pull(&q, isn + 400, &len) == NULL);
	/* rcv_nxt beyond everything: all freed, nothing returned. */
	CHECK(tcp_reass_pull(&q, isn + 600, &len) == NULL);
	CHECK_EQ(tcp_reass_segs(&q), 0);
	CHECK_EQ(tcp_reass_bytes(&q), 0);
	/* Exactly at rcv_nxt, then appended later. */
	ins(&q, isn, 600, 700);
	m = tcp_reass_pull(&q, isn + 600, &len);
	CHECK(chain_is(m, 600, 100));
	rte_pktmbuf_free(m);
	CHECK_EQ(in_use(), 0);
}

/* One SACK option's blocks equal @p edges (left, right pairs, wire order). */
static bool
sack_is(const struct tcp_reass *q, uint32_t rcv_nxt, unsigned int max, const uint32_t *edges,
	unsigned int n)
{
	struct tcp_sack_block b[8];
	unsigned int i, got = tcp_reass_sack_blocks(q, rcv_nxt, b, max);

	if (got != n)
		return false;
	for (i = 0; i < n; i++)
		if (b[i].left != edges[2 * i] || b[i].right != edges[2 * i + 1])
			return false;
	return true;
}

/* The engine's part: a segment at rcv_nxt is delivered, then the queue drained. */
static void
deliver(struct tcp_reass *q, uint32_t *rcv_nxt, uint32_t start, uint32_t end)
{
	struct rte_mbuf *m;
	uint32_t len;

	*rcv_nxt = end;
	while ((m = tcp_reass_pull(q, *rcv_nxt, &len)) != NULL) {
		*rcv_nxt += len;
		rte_pktmbuf_free(m);
	}
	(void)start;
}

/*
 * RFC 2018 section 4: the left window edge is 5000 and the sender sends
 * eight 500-byte segments. Sequence numbers here are the RFC's (the stream
 * bytes used as payload are irrelevant).
 */
static void
test_rfc2018(void)
{
	struct tcp_reass q;
	uint32_t rcv_nxt = 5000, s;

	/* Case 2: the first segment is dropped, the other seven arrive. */
	tcp_reass_init(&q, 1 << 20, 64);
	for (s = 5500; s < 9000; s += 500) {
		CHECK_EQ(tcp_reass_insert(&q, s, mk(0, 500)), 500);
		CHECK(sack_is(&q, rcv_nxt, 3, (uint32_t[]){5500, s + 500}, 1), "case 2 at %u", s);
	}
	tcp_reass_flush(&q);

	/* Case 3: the 2nd, 4th, 6th and 8th segments are dropped. */
	deliver(&q, &rcv_nxt, 5000, 5500);
	CHECK(sack_is(&q, rcv_nxt, 3, NULL, 0));
	tcp_reass_insert(&q, 6000, mk(0, 500));
	CHECK(sack_is(&q, rcv_nxt, 3, (uint32_t[]){6000, 6500}, 1));
	tcp_reass_insert(&q, 7000, mk(0, 500));
	CHECK(sack_is(&q, rcv_nxt, 3, (uint32_t[]){7000, 7500, 6000, 6500}, 2));
	tcp_reass_insert(&q, 8000, mk(0, 500));
	CHECK(sack_is(&q, rcv_nxt, 3, (uint32_t[]){8000, 8500, 7000, 7500, 6000, 6500}, 3));
	/* The 4th segment arrives out of order: two blocks, the merged one first. */
	tcp_reass_insert(&q, 6500, mk(0, 500));
	CHECK(sack_is(&q, rcv_nxt, 3, (uint32_t[]){6000, 7500, 8000, 8500}, 2));
	/* The 2nd segment arrives: ACK 7500, one block. */
	deliver(&q, &rcv_nxt, 5500, 6000);
	CHECK_EQ(rcv_nxt, 7500);
	CHECK(sack_is(&q, rcv_nxt, 3, (uint32_t[]){8000, 8500}, 1));
	tcp_reass_flush(&q);
	CHECK_EQ(in_use(), 0);
}

/* Blocks beyond the room: the most recently fed runs are kept, in that order. */
static void
test_sack_recency(void)
{
	struct tcp_reass q;

	tcp_reass_init(&q, 1 << 20, 64);
	ins(&q, 0, 100, 200);  /* A */
	ins(&q, 0, 300, 400);  /* B */
	ins(&q, 0, 500, 600);  /* C */
	ins(&q, 0, 700, 800);  /* D */
	ins(&q, 0, 900, 1000); /* E */
	CHECK(sack_is(&q, 0, 3, (uint32_t[]){900, 1000, 700, 800, 500, 600}, 3));
	/* More room than the option has: four blocks at most. */
	CHECK(sack_is(&q, 0, 8, (uint32_t[]){900, 1000, 700, 800, 500, 600, 300, 400}, 4));
	CHECK(sack_is(&q, 0, 0, NULL, 0));
	/* A duplicate of B makes B the most recent block. */
	CHECK_EQ(ins(&q, 0, 320, 380), 0);
	CHECK(sack_is(&q, 0, 3, (uint32_t[]){300, 400, 900, 1000, 700, 800}, 3));
	/* A segment extending A: A first, the block grown. */
	ins(&q, 0, 200, 250);
	CHECK(sack_is(&q, 0, 3, (uint32_t[]){100, 250, 300, 400, 900, 1000}, 3));
	/* Blocks never report data below rcv_nxt: clipped or left out. */
	CHECK(sack_is(&q, 150, 4, (uint32_t[]){150, 250, 300, 400, 900, 1000, 700, 800}, 4));
	CHECK(sack_is(&q, 700, 4, (uint32_t[]){900, 1000, 700, 800}, 2));
	CHECK(sack_is(&q, 1000, 4, NULL, 0));
	tcp_reass_flush(&q);
	CHECK_EQ(in_use(), 0);
}

/* ---- random arrival orders against the stream and a per-byte model ---- */

struct sim {
	struct tcp_reass q;
	uint32_t isn;
	uint32_t rcv;            /* stream offset of rcv_nxt */
	bool held[STREAM_LEN];   /* model: stream bytes the queue holds */
	uint32_t hi;             /* one past the highest byte ever queued */
	uint32_t lo;             /* lowest byte queued since the last pull */
	bool last_queued;        /* the latest arrival went into the queue */
	uint32_t last_s, last_e; /* ... and its range */
	unsigned int fails;
	unsigned int enomem;
};

static struct sim sim;

#define SIM_CHECK(cond)                                                                      \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			if (sim.fails++ < 10)                                                \
				fprintf(stderr, "line %d: %s (rcv %u)\n", __LINE__, #cond,   \
					sim.rcv);                                            \
		}                                                                            \
	} while (0)

/* The queue, walked, equals the model; each segment holds the stream's bytes. */
static void
sim_check_queue(void)
{
	const struct rte_mbuf *m;
	uint32_t seq, prev_end = sim.rcv, bytes = 0, segs = 0, i, held = 0;

	for (m = tcp_reass_first(&sim.q, &seq); m != NULL; m = tcp_reass_next(m, &seq)) {
		uint32_t off = seq - sim.isn;

		SIM_CHECK(off >= prev_end && off < STREAM_LEN);
		SIM_CHECK(chain_is(m, off, m->pkt_len));
		for (i = off; i < off + m->pkt_len && i < STREAM_LEN; i++)
			SIM_CHECK(sim.held[i]);
		prev_end = off + m->pkt_len;
		bytes += m->pkt_len;
		segs++;
	}
	for (i = sim.rcv; i < sim.hi; i++)
		held += sim.held[i];
	SIM_CHECK(held == bytes);
	SIM_CHECK(tcp_reass_bytes(&sim.q) == bytes);
	SIM_CHECK(tcp_reass_segs(&sim.q) == segs);
	SIM_CHECK(bytes <= sim.q.max_bytes && segs <= sim.q.max_segs);
}

/* SACK blocks: distinct runs of held bytes, all of them if they fit, the latest arrival's first. */
static void
sim_check_sack(void)
{
	struct tcp_sack_block b[TCP_SACK_MAX];
	unsigned int n = tcp_reass_sack_blocks(&sim.q, sim.isn + sim.rcv, b, TCP_SACK_MAX);
	unsigned int runs = 0, k, j;
	uint32_t i;

	for (i = sim.rcv; i < sim.hi; i++)
		runs += sim.held[i] && (i == sim.rcv || !sim.held[i - 1]);
	SIM_CHECK(n == RTE_MIN(runs, (unsigned int)TCP_SACK_MAX));
	for (k = 0; k < n; k++) {
		uint32_t l = b[k].left - sim.isn, r = b[k].right - sim.isn;

		SIM_CHECK(l >= sim.rcv && l < r && r <= STREAM_LEN);
		if (!(l >= sim.rcv && l < r && r <= STREAM_LEN))
			continue;
		SIM_CHECK(sim.held[l] && (l == sim.rcv || !sim.held[l - 1]));
		SIM_CHECK(sim.held[r - 1] && (r == STREAM_LEN || !sim.held[r]));
		for (i = l; i < r; i++)
			SIM_CHECK(sim.held[i]);
		for (j = 0; j < k; j++)
			SIM_CHECK(b[j].left != b[k].left);
	}
	if (sim.last_queued && sim.last_e > sim.rcv) {
		uint32_t s = RTE_MAX(sim.last_s, sim.rcv);

		SIM_CHECK(n > 0 && SEQ_LEQ(b[0].left, sim.isn + s) &&
			  SEQ_GEQ(b[0].right, sim.isn + sim.last_e));
	}
}

static void
sim_pull(void)
{
	uint32_t len, i, from = RTE_MIN(sim.lo, sim.rcv);
	struct rte_mbuf *m;

	while ((m = tcp_reass_pull(&sim.q, sim.isn + sim.rcv, &len)) != NULL) {
		SIM_CHECK(len > 0 && chain_is(m, sim.rcv, len));
		SIM_CHECK(m->packet_type == 0 && m->tx_offload == 0);
		for (i = sim.rcv; i < sim.rcv + len && i < STREAM_LEN; i++)
			SIM_CHECK(sim.held[i]);
		sim.rcv += len;
		rte_pktmbuf_free(m);
	}
	/* The queue dropped what lies below rcv_nxt. */
	for (i = from; i < sim.rcv; i++)
		sim.held[i] = false;
	sim.lo = UINT32_MAX;
}

/* One segment [s, e) of the stream reaches the receiver. */
static void
sim_arrive(uint32_t s, uint32_t e)
{
	struct rte_mbuf *m = mk(s, e - s);
	uint32_t fresh = 0, i;
	int ret;

	sim.lo = RTE_MIN(sim.lo, sim.rcv); /* a direct delivery below skips queued bytes */
	sim.last_queued = false;
	if (e <= sim.rcv) {
		rte_pktmbuf_free(m); /* old duplicate: the engine never queues it */
	} else if (s <= sim.rcv && rnd(3) != 0) {
		/* In order: the engine delivers it without the queue. */
		m = tcp_reass_mbuf_trim_front(m, sim.rcv - s);
		SIM_CHECK(chain_is(m, sim.rcv, e - sim.rcv));
		sim.rcv = e;
		rte_pktmbuf_free(m);
	} else {
		for (i = s; i < e; i++)
			fresh += !sim.held[i];
		ret = tcp_reass_insert(&sim.q, sim.isn + s, m);
		if (ret == STK_ENOMEM) {
			/* Only a cap can refuse it: bytes after, or one more segment. */
			SIM_CHECK(tcp_reass_bytes(&sim.q) + fresh > sim.q.max_bytes ||
				  tcp_reass_segs(&sim.q) + 1 > sim.q.max_segs);
			sim.enomem++;
		} else {
			SIM_CHECK(ret >= 0 && (uint32_t)ret == fresh);
			for (i = s; i < e; i++)
				sim.held[i] = true;
			sim.hi = RTE_MAX(sim.hi, e);
			sim.lo = RTE_MIN(sim.lo, s);
			sim.last_queued = true;
			sim.last_s = s;
			sim.last_e = e;
		}
	}
	sim_pull();
	sim_check_queue();
	sim_check_sack();
}

static void
shuffle(uint32_t (*v)[2], unsigned int n)
{
	unsigned int i;

	for (i = n; i > 1; i--) {
		unsigned int j = rnd(i);
		uint32_t s = v[i - 1][0], e = v[i - 1][1];

		v[i - 1][0] = v[j][0];
		v[i - 1][1] = v[j][1];
		v[j][0] = s;
		v[j][1] = e;
	}
}

/*
 * Send the stream window by window: each window's segments (a random MSS),
 * plus duplicates and segments with other boundaries overlapping them, in a
 * random order with some lost; then the window again in order with yet
 * another MSS, as retransmissions would. The receiver must end with exactly
 * the stream.
 */
static void
test_random(uint32_t seed, uint32_t max_bytes, uint32_t max_segs)
{
	static uint32_t arrivals[4096][2];
	uint32_t w0;

	memset(&sim, 0, sizeof(sim));
	rng_state = seed;
	sim.isn = rnd(4) == 0 ? 0u - rnd(70000) : rng_state; /* wraps now and then */
	sim.lo = UINT32_MAX;
	tcp_reass_init(&sim.q, max_bytes, max_segs);
	for (w0 = 0; w0 < STREAM_LEN; w0 = sim.rcv) {
		uint32_t wlen = RTE_MIN(2000 + rnd(40000), STREAM_LEN - w0);
		uint32_t mss = 1 + rnd(1460), n = 0, off, k;

		for (off = w0; off < w0 + wlen && n < RTE_DIM(arrivals); off += mss) {
			arrivals[n][0] = off;
			arrivals[n++][1] = RTE_MIN(off + mss, w0 + wlen);
			if (rnd(8) == 0 && n < RTE_DIM(arrivals)) { /* duplicate */
				arrivals[n][0] = arrivals[n - 1][0];
				arrivals[n][1] = arrivals[n - 1][1];
				n++;
			}
		}
		for (k = rnd(wlen / 500 + 1); k > 0 && n < RTE_DIM(arrivals); k--) {
			uint32_t s = w0 + rnd(wlen); /* other boundaries */

			arrivals[n][0] = s;
			arrivals[n++][1] = RTE_MIN(s + 1 + rnd(3000), w0 + wlen);
		}
		shuffle(arrivals, n);
		for (k = 0; k < n; k++)
			if (rnd(5) != 0) /* 20% lost */
				sim_arrive(arrivals[k][0], arrivals[k][1]);
		mss = 1 + rnd(1460);
		for (off = sim.rcv; off < w0 + wlen; off = RTE_MAX(off + mss, sim.rcv))
			sim_arrive(off, RTE_MIN(off + mss, w0 + wlen));
		if (sim.fails > 0)
			break;
	}
	CHECK(sim.fails == 0, "seed %u: %u failures", seed, sim.fails);
	CHECK_EQ(sim.rcv, STREAM_LEN);
	if (max_segs >= 4096)
		CHECK_EQ(tcp_reass_drops(&sim.q), 0);
	else
		CHECK(sim.enomem > 0 && tcp_reass_drops(&sim.q) == sim.enomem,
		      "seed %u: %u refusals, %u drops counted", seed, sim.enomem,
		      tcp_reass_drops(&sim.q));
	tcp_reass_flush(&sim.q);
	CHECK_EQ(in_use(), 0);
}

int
main(int argc, char **argv)
{
	uint32_t seed = 0x2018u;
	unsigned int i;

	test_eal_init(argv[0]);
	if (argc > 1)
		seed = (uint32_t)strtoul(argv[1], NULL, 0);
	mp = rte_pktmbuf_pool_create("test_reass", 32767, 0, 0, RTE_PKTMBUF_HEADROOM + ROOM,
				     (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "cannot create the mbuf pool\n");
		return 1;
	}
	rng_state = seed;
	for (i = 0; i < STREAM_LEN; i++)
		stream[i] = (uint8_t)rnd(256);

	test_trim();
	test_overlaps();
	test_caps();
	test_pull();
	test_rfc2018();
	test_sack_recency();
	for (i = 0; i < 6; i++)
		test_random(seed * 31 + i, 1u << 24, 1u << 16);
	for (i = 0; i < 6; i++)
		test_random(seed * 37 + i, 2000 + i * 3000, 2 + i * 3);

	test_eal_finish();
	return check_done();
}
