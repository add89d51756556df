/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Making headers contiguous and writable (BSD's m_pullup). Frames from
 * software PMDs can arrive as chains whose first segment holds little or
 * nothing (an in-process ring passes a peer's fragments through as they were
 * built), or whose data belongs to someone else (indirect or shared
 * buffers). The stack parses headers from the first segment and rewrites
 * some in place, so input starts by putting the headers in a private one.
 */
#include <rte_ip.h>

#include "stk_priv.h"

/* Remove @p n bytes from the front of chain @p m, freeing emptied segments. @return new head. */
static struct rte_mbuf *
chain_trim_front(struct rte_mbuf *m, uint32_t n)
{
	while (m != NULL && n > 0) {
		if (m->data_len > n) {
			m->data_off = (uint16_t)(m->data_off + n);
			m->data_len = (uint16_t)(m->data_len - n);
			return m;
		}
		n -= m->data_len;
		{
			struct rte_mbuf *next = m->next;

			m->next = NULL;
			rte_pktmbuf_free_seg(m);
			m = next;
		}
	}
	return m;
}

static bool
seg_writable(const struct rte_mbuf *m)
{
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1;
}

/* True if some segment's mbuf header has other holders: input must not touch it. */
static bool
chain_shared(const struct rte_mbuf *m)
{
	for (; m != NULL; m = m->next)
		if (rte_mbuf_refcnt_read(m) != 1)
			return true;
	return false;
}

/* Replace @p m by a private deep copy (rare: a peer in this process shares its mbufs). */
static struct rte_mbuf *
chain_privatise(struct stk_inst *in, struct rte_mbuf *m)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, in->mp, 0, UINT32_MAX);

	rte_pktmbuf_free(m);
	if (c == NULL)
		STK_DROP(in, NO_MBUF);
	return c;
}

struct rte_mbuf *
stk_mbuf_pullup(struct stk_inst *in, struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *h, *rest;
	uint32_t total;
	uint16_t segs = 0;
	const void *p;

	len = RTE_MIN(len, m->pkt_len);
	if (likely(m->nb_segs == 1 && m->data_len >= len && seg_writable(m)))
		return m;
	/* Input trims and cuts segments: every mbuf header must be ours alone. */
	if (chain_shared(m)) {
		m = chain_privatise(in, m);
		if (m == NULL)
			return NULL;
	}
	if (m->data_len >= len && seg_writable(m))
		return m;
	total = m->pkt_len;
	h = rte_pktmbuf_alloc(in->mp);
	if (h == NULL || rte_pktmbuf_tailroom(h) < len) {
		STK_DROP(in, NO_MBUF);
		rte_pktmbuf_free(h);
		rte_pktmbuf_free(m);
		return NULL;
	}
	/* rte_pktmbuf_read() returns a pointer into @p m when the bytes are
	 * contiguous there (not necessarily in the first segment). */
	p = rte_pktmbuf_read(m, 0, len, rte_pktmbuf_mtod(h, void *));
	if (p != rte_pktmbuf_mtod(h, void *))
		rte_memcpy(rte_pktmbuf_mtod(h, void *), p, len);
	h->data_len = (uint16_t)len;
	h->port = m->port;
	h->ol_flags = m->ol_flags & ~(RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL);
	h->packet_type = m->packet_type;
	h->hash = m->hash;
	rest = chain_trim_front(m, len);
	h->next = rest;
	for (; rest != NULL; rest = rest->next)
		segs++;
	h->nb_segs = (uint16_t)(segs + 1);
	h->pkt_len = total;
	return h;
}

void
stk_mbuf_trim_to(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg;
	uint32_t left = len;

	if (m->pkt_len <= len)
		return;
	/* Walk to the segment holding the new last byte, cut it there and
	 * free the segments after it (padding can span a segment boundary). */
	for (seg = m; seg != NULL && left > seg->data_len; seg = seg->next)
		left -= seg->data_len;
	if (seg == NULL)
		return;
	seg->data_len = (uint16_t)left;
	if (seg->next != NULL) {
		rte_pktmbuf_free(seg->next);
		seg->next = NULL;
	}
	m->pkt_len = len;
	m->nb_segs = 0;
	for (seg = m; seg != NULL; seg = seg->next)
		m->nb_segs++;
}

uint16_t
stk_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t sum = 0, done = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	/* Fold each segment's sum before placing it: a segment that starts at
	 * an odd offset of the message contributes its sum byte-swapped. */
	for (; m != NULL && len > 0; m = m->next, off = 0) {
		uint32_t n = RTE_MIN((uint32_t)m->data_len - off, len);
		uint32_t s = __rte_raw_cksum_reduce(
			__rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *, off), n, 0));

		if (done & 1)
			s = ((s & 0xff) << 8) | (s >> 8);
		sum += s;
		done += n;
		len -= n;
	}
	return __rte_raw_cksum_reduce(sum);
}
