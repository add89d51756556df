/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * What the two halves of the datagram socket code share: wsk_udp.c (the
 * receive side: buffer, indications, bind, close) and wsk_udp_io.c
 * (WskSendTo, WskSendMessages, WskReceiveFrom, options).
 */
#ifndef WSK_UDP_PRIV_H
#define WSK_UDP_PRIV_H

#include <rte_mbuf_dyn.h>

#include "wsk_priv.h"

#define UDP_MAX_PAYLOAD   65507u   /* 65535 - IPv4 header - UDP header */
#define UDP_RCVBUF_DFLT   65536u   /* SO_RCVBUF default: payload bytes buffered */
#define UDP_RCVBUF_MAX    (8u << 20)
#define UDP_DGQ_MAX       4096u    /* datagrams buffered at most, whatever their size */
#define UDP_IND_BATCH     64u      /* datagrams per WskReceiveFromEvent call at most */

/** What a buffered or forwarded datagram carries besides its payload. */
struct dg_meta {
	union {
		struct rte_mbuf *next;  /**< buffered: next datagram of the socket's queue */
		struct wsk_sock *s;     /**< forwarded to the home lcore: its socket */
	};
	rte_be32_t addr;                /**< sender */
	rte_be16_t port;
	uint16_t flags;                 /**< MSG_BCAST */
};

/** Offset of the dynamic mbuf field holding struct dg_meta. */
extern atomic_int wsk_udp_dg_meta_off;

static inline struct dg_meta *
dg_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, atomic_load_explicit(&wsk_udp_dg_meta_off, memory_order_relaxed),
				 struct dg_meta *);
}

/** @p s is a datagram socket (or a basic UDP one). */
bool wsk_udp_sock(const struct wsk_sock *s);
/** Receive buffer limit in payload bytes. */
uint32_t wsk_udp_rcvbuf_of(const struct wsk_sock *s);
/** Take the oldest buffered datagram (home lcore). @return it, or NULL. */
struct rte_mbuf *wsk_udp_dgq_pop(struct wsk_sock *s);
/** Complete a WskReceiveFrom with datagram @p m (consumed). */
void wsk_udp_rfrom_fill(struct wsk_op *op, struct rte_mbuf *m);
/** @p dst is a broadcast address of one of the host's ports. */
bool wsk_udp_is_bcast(struct stk_inst *in, rte_be32_t dst);

#endif /* WSK_UDP_PRIV_H */
