/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Making headers contiguous and writable (BSD's m_pullup). Frames from
 * software PMDs can arrive as chains whose first segment holds little or
 * nothing (an in-process ring passes a peer's fragments through as they were
 * built), or whose data belongs to someone else (indirect or shared
 * buffers). The stack parses headers from the first segment and rewrites
 * some in place, so input starts by putting the headers in a private one.
 */
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

struct rte_mbuf *
stk_mbuf_pullup(struct stk_inst *in, struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *h, *rest;
	uint32_t total = m->pkt_len;
	uint16_t segs = 0;

	len = RTE_MIN(len, total);
	if (likely(m->data_len >= len && seg_writable(m)))
		return m;
	h = rte_pktmbuf_alloc(in->mp);
	if (h == NULL || rte_pktmbuf_tailroom(h) < len) {
		STK_DROP(in, NO_MBUF);
		rte_pktmbuf_free(h);
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (rte_pktmbuf_read(m, 0, len, rte_pktmbuf_mtod(h, void *)) !=
	    rte_pktmbuf_mtod(h, void *))
		rte_memcpy(rte_pktmbuf_mtod(h, void *), rte_pktmbuf_mtod(m, void *), len);
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
