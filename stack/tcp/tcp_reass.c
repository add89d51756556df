/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP out-of-order reassembly queue and the receiver's SACK blocks.
 *
 * Invariants of a queue: segments sorted by sequence number, none empty,
 * none overlapping another (adjacent ones are allowed: they are separate
 * arrivals that form one SACK block); bytes and segs are the sums of their
 * lengths and their count; tail is the last segment.
 */
#include <rte_common.h>
#include <rte_mbuf.h>

#include "stk.h"
#include "tcp_reass.h"
#include "tcp_seq.h"

/* ---- bookkeeping kept in a queued chain's head mbuf (see tcp_reass.h) ---- */

static inline uint32_t
rq_seq(const struct rte_mbuf *m)
{
	return m->hash.usr;
}

static inline uint32_t
rq_end(const struct rte_mbuf *m)
{
	return m->hash.usr + m->pkt_len;
}

static inline struct rte_mbuf *
rq_next(const struct rte_mbuf *m)
{
	return (struct rte_mbuf *)(uintptr_t)m->tx_offload;
}

static inline void
rq_set_next(struct rte_mbuf *m, struct rte_mbuf *next)
{
	m->tx_offload = (uint64_t)(uintptr_t)next;
}

static inline uint32_t
rq_stamp(const struct rte_mbuf *m)
{
	return m->packet_type;
}

/* Give chain @p m its queue metadata; the RX hash it overwrites is no longer valid. */
static void
rq_mark(struct rte_mbuf *m, uint32_t seq, uint32_t stamp)
{
	m->ol_flags &= ~(RTE_MBUF_F_RX_RSS_HASH | RTE_MBUF_F_RX_FDIR |
			 RTE_MBUF_F_RX_FDIR_ID | RTE_MBUF_F_RX_FDIR_FLX);
	m->hash.usr = seq;
	m->packet_type = stamp;
	rq_set_next(m, NULL);
}

/* Return the borrowed fields to their neutral values. */
static void
rq_unmark(struct rte_mbuf *m)
{
	m->hash.rss = 0;
	m->hash.fdir.hi = 0;
	m->packet_type = 0;
	m->tx_offload = 0;
}

/* ---- chain surgery ---- */

struct rte_mbuf *
tcp_reass_mbuf_trim_front(struct rte_mbuf *m, uint32_t len)
{
	/* Free whole leading segments, moving the packet fields to the next one. */
	while (m->next != NULL && len >= m->data_len) {
		struct rte_mbuf *nx = m->next;

		len -= m->data_len;
		nx->pkt_len = m->pkt_len - m->data_len;
		nx->nb_segs = (uint16_t)(m->nb_segs - 1);
		m->next = NULL;
		m->nb_segs = 1;
		m->pkt_len = m->data_len;
		rte_pktmbuf_free(m);
		m = nx;
	}
	if (len > 0)
		rte_pktmbuf_adj(m, (uint16_t)RTE_MIN(len, (uint32_t)m->data_len));
	return m;
}

void
tcp_reass_mbuf_trim_back(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m;
	uint32_t left = len;
	uint16_t nb = 1;

	if (m->pkt_len <= len)
		return;
	/* Find the segment holding byte len - 1 (the head when len is 0). */
	while (left > seg->data_len && seg->next != NULL) {
		left -= seg->data_len;
		seg = seg->next;
		nb++;
	}
	seg->data_len = (uint16_t)left;
	if (seg->next != NULL) {
		rte_pktmbuf_free(seg->next);
		seg->next = NULL;
	}
	m->pkt_len = len;
	m->nb_segs = nb;
}

/* ---- the queue ---- */

void
tcp_reass_init(struct tcp_reass *q, uint32_t max_bytes, uint32_t max_segs)
{
	q->head = NULL;
	q->tail = NULL;
	q->bytes = 0;
	q->segs = 0;
	q->max_bytes = max_bytes;
	q->max_segs = max_segs;
	q->stamp = 0;
	q->drops = 0;
}

/* Unlink @p m, whose predecessor is @p prev (NULL: m is the head), and free it. */
static void
rq_free(struct tcp_reass *q, struct rte_mbuf *prev, struct rte_mbuf *m)
{
	struct rte_mbuf *next = rq_next(m);

	if (prev == NULL)
		q->head = next;
	else
		rq_set_next(prev, next);
	if (q->tail == m)
		q->tail = prev;
	q->bytes -= m->pkt_len;
	q->segs--;
	rq_unmark(m);
	rte_pktmbuf_free(m);
}

/* Where [*s, *e) goes: the outcome of comparing it with the queue, before any change. */
struct rq_place {
	struct rte_mbuf *prev; /* queued segment to link after (NULL: at the head) */
	struct rte_mbuf *next; /* first queued segment after the new one */
	struct rte_mbuf *dup;  /* non-NULL: the new bytes are all queued; this one holds some */
	uint32_t freed_bytes;  /* bytes of queued segments the new one covers */
	uint32_t freed_segs;   /* their number */
};

/*
 * Compare [*s, *e) with the queue: shrink it to the bytes no queued segment
 * holds at its ends, and find the queued segments it covers (those between
 * prev and next). Changes nothing in the queue.
 */
static void
rq_locate(const struct tcp_reass *q, uint32_t *s, uint32_t *e, struct rq_place *pl)
{
	struct rte_mbuf *p = q->head;

	pl->prev = NULL;
	pl->dup = NULL;
	pl->freed_bytes = 0;
	pl->freed_segs = 0;
	/* Fast path: above everything queued (the usual arrival after a hole). */
	if (q->tail != NULL && SEQ_GEQ(*s, rq_end(q->tail))) {
		pl->prev = q->tail;
		pl->next = NULL;
		return;
	}
	/* Skip segments entirely before the new one. */
	while (p != NULL && SEQ_LEQ(rq_end(p), *s)) {
		pl->prev = p;
		p = rq_next(p);
	}
	/* A segment holding all of ours: a duplicate. */
	if (p != NULL && SEQ_LEQ(rq_seq(p), *s) && SEQ_GEQ(rq_end(p), *e)) {
		pl->dup = p;
		pl->next = NULL;
		return;
	}
	/* A segment overlapping our front (starting before us): its bytes win. */
	if (p != NULL && SEQ_LT(rq_seq(p), *s)) {
		*s = rq_end(p);
		pl->prev = p;
		p = rq_next(p);
	}
	/* Segments we cover entirely: ours win, they go. */
	while (p != NULL && SEQ_LEQ(rq_end(p), *e)) {
		pl->freed_bytes += p->pkt_len;
		pl->freed_segs++;
		p = rq_next(p);
	}
	/* A segment overlapping our back: its bytes win. */
	if (p != NULL && SEQ_LT(rq_seq(p), *e)) {
		*e = rq_seq(p);
		if (*e == *s) {
			pl->dup = p; /* what was left lay inside the next segment */
			pl->next = NULL;
			return;
		}
	}
	pl->next = p;
}

int
tcp_reass_insert(struct tcp_reass *q, uint32_t seq, struct rte_mbuf *m)
{
	uint32_t s = seq, e, len;
	struct rq_place pl;

	if (m == NULL)
		return STK_EINVAL;
	if (m->pkt_len == 0) {
		rte_pktmbuf_free(m);
		return STK_EINVAL;
	}
	e = seq + m->pkt_len;
	rq_locate(q, &s, &e, &pl);
	if (pl.dup != NULL) {
		pl.dup->packet_type = ++q->stamp; /* RFC 2018: its block is the most recent */
		rte_pktmbuf_free(m);
		return 0;
	}
	len = e - s;
	if ((uint64_t)q->bytes - pl.freed_bytes + len > q->max_bytes ||
	    (uint64_t)q->segs - pl.freed_segs + 1 > q->max_segs) {
		q->drops++;
		rte_pktmbuf_free(m);
		return STK_ENOMEM;
	}
	/* Commit: free the covered segments, shorten the new one, link it. */
	while (pl.freed_segs-- > 0)
		rq_free(q, pl.prev, pl.prev != NULL ? rq_next(pl.prev) : q->head);
	if (s != seq)
		m = tcp_reass_mbuf_trim_front(m, s - seq);
	tcp_reass_mbuf_trim_back(m, len);
	rq_mark(m, s, ++q->stamp);
	rq_set_next(m, pl.next);
	if (pl.prev == NULL)
		q->head = m;
	else
		rq_set_next(pl.prev, m);
	if (pl.next == NULL)
		q->tail = m;
	q->bytes += len;
	q->segs++;
	return (int)(len - pl.freed_bytes);
}

/* Free what lies wholly below @p rcv_nxt; cut the front of a segment straddling it. */
static void
rq_drop_below(struct tcp_reass *q, uint32_t rcv_nxt)
{
	struct rte_mbuf *m;

	while (q->head != NULL && SEQ_LEQ(rq_end(q->head), rcv_nxt))
		rq_free(q, NULL, q->head);
	m = q->head;
	if (m != NULL && SEQ_LT(rq_seq(m), rcv_nxt)) {
		uint32_t cut = rcv_nxt - rq_seq(m), stamp = rq_stamp(m);
		struct rte_mbuf *next = rq_next(m), *h;

		h = tcp_reass_mbuf_trim_front(m, cut);
		if (h != m) {
			if (q->tail == m)
				q->tail = h;
			q->head = h;
		}
		rq_mark(h, rcv_nxt, stamp);
		rq_set_next(h, next);
		q->bytes -= cut;
	}
}

struct rte_mbuf *
tcp_reass_pull(struct tcp_reass *q, uint32_t rcv_nxt, uint32_t *len)
{
	struct rte_mbuf *head, *last, *m;

	*len = 0;
	rq_drop_below(q, rcv_nxt);
	head = q->head;
	if (head == NULL || rq_seq(head) != rcv_nxt)
		return NULL;
	/* Unlink the contiguous run, chaining each chain after the last segment. */
	last = rte_pktmbuf_lastseg(head);
	m = rq_next(head);
	q->bytes -= head->pkt_len;
	q->segs--;
	rq_unmark(head);
	while (m != NULL && rq_seq(m) == rcv_nxt + head->pkt_len &&
	       head->nb_segs + m->nb_segs <= RTE_MBUF_MAX_NB_SEGS) {
		struct rte_mbuf *next = rq_next(m);

		q->bytes -= m->pkt_len;
		q->segs--;
		rq_unmark(m);
		last->next = m;
		last = rte_pktmbuf_lastseg(m);
		head->pkt_len += m->pkt_len;
		head->nb_segs = (uint16_t)(head->nb_segs + m->nb_segs);
		m = next;
	}
	q->head = m;
	if (m == NULL)
		q->tail = NULL;
	*len = head->pkt_len;
	return head;
}

void
tcp_reass_flush(struct tcp_reass *q)
{
	while (q->head != NULL)
		rq_free(q, NULL, q->head);
}

const struct rte_mbuf *
tcp_reass_first(const struct tcp_reass *q, uint32_t *seq)
{
	if (q->head != NULL)
		*seq = rq_seq(q->head);
	return q->head;
}

const struct rte_mbuf *
tcp_reass_next(const struct rte_mbuf *m, uint32_t *seq)
{
	const struct rte_mbuf *n = rq_next(m);

	if (n != NULL)
		*seq = rq_seq(n);
	return n;
}

/*
 * Put run [left, right), last fed @p age arrivals ago, into the best-first
 * list out/ages of *nb entries (at most max), dropping the oldest if full.
 */
static void
sack_keep(struct tcp_sack_block *out, uint32_t *ages, unsigned int *nb, unsigned int max,
	  uint32_t left, uint32_t right, uint32_t age)
{
	unsigned int i = *nb;

	if (i == max) {
		if (max == 0 || age >= ages[max - 1])
			return;
		i--;
	} else {
		(*nb)++;
	}
	for (; i > 0 && ages[i - 1] > age; i--) {
		out[i] = out[i - 1];
		ages[i] = ages[i - 1];
	}
	out[i].left = left;
	out[i].right = right;
	ages[i] = age;
}

unsigned int
tcp_reass_sack_blocks(const struct tcp_reass *q, uint32_t rcv_nxt, struct tcp_sack_block *out,
		      unsigned int max)
{
	uint32_t ages[TCP_SACK_MAX];
	const struct rte_mbuf *m = q->head;
	unsigned int nb = 0;

	max = RTE_MIN(max, (unsigned int)TCP_SACK_MAX);
	while (m != NULL) {
		uint32_t left = rq_seq(m), right = rq_end(m);
		/* Ages count back from the newest stamp, so wrapping does not matter. */
		uint32_t age = q->stamp - rq_stamp(m);

		for (m = rq_next(m); m != NULL && rq_seq(m) == right; m = rq_next(m)) {
			right = rq_end(m);
			age = RTE_MIN(age, q->stamp - rq_stamp(m));
		}
		if (!SEQ_GT(right, rcv_nxt))
			continue;
		sack_keep(out, ages, &nb, max, seq_max(left, rcv_nxt), right, age);
	}
	return nb;
}
