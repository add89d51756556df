/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP errors about our segments (RFC 1122 4.2.3.9, RFC 5461, RFC 5927):
 * the error must quote a sequence number we sent and have not seen
 * acknowledged (RFC 5927 4.1), or it is ignored.
 *
 * - Hard errors in SYN-SENT (destination unreachable: protocol, port,
 *   administratively prohibited; RFC 1122 4.2.3.9 and RFC 5461 4.1), and
 *   time exceeded there, abort the connection attempt (FreeBSD's
 *   net.inet.tcp.icmp_may_rst; Linux aborts SYN-SENT on these too), when
 *   tcp_icmp_abort_syn_sent is on. In synchronized states no ICMP error
 *   aborts (RFC 5461 4.2: soft errors there).
 * - Fragmentation needed (RFC 1191): a synchronized connection lowers its
 *   segment size to the next-hop MTU (not below 576 - 40, RFC 1191 3's
 *   floor being 68 for IP, our own minimum); the lost segment comes again
 *   by the usual retransmission.
 */
#include "tcp_priv.h"

#define ICMP_CODE_PROTO_UNREACH 2
#define ICMP_CODE_NET_PROHIB 9
#define ICMP_CODE_HOST_PROHIB 10
#define ICMP_CODE_ADMIN_PROHIB 13

/* The smallest segment size a next-hop MTU may bring us to (RFC 879's default MSS). */
#define TCP_PMTU_MIN_MSS 536

static bool
tcp_icmp_hard(uint8_t type, uint8_t code)
{
	if (type == ICMP_TIME_EXCEEDED)
		return true;
	return type == ICMP_DEST_UNREACH &&
	       (code == ICMP_CODE_PROTO_UNREACH || code == ICMP_CODE_PORT_UNREACH ||
		code == ICMP_CODE_NET_PROHIB || code == ICMP_CODE_HOST_PROHIB ||
		code == ICMP_CODE_ADMIN_PROHIB);
}

/* RFC 1191: segments no larger than the next-hop MTU allows. */
static void
tcp_icmp_pmtu(struct stk_tcp_conn *c, uint16_t mtu)
{
	uint16_t mss;

	if (mtu < IPV4_HDR_LEN + TCP_HDR_LEN + TCP_PMTU_MIN_MSS)
		mtu = IPV4_HDR_LEN + TCP_HDR_LEN + TCP_PMTU_MIN_MSS;
	mss = (uint16_t)(mtu - IPV4_HDR_LEN - TCP_HDR_LEN);
	if (mss >= c->mss_base)
		return;
	c->mss_base = mss;
	c->smss = (uint16_t)(mss - ((c->flags & TCPF_TS) ? 12 : 0));
}

bool
tcp_icmp_error(struct stk_inst *in, const struct icmp_quote *q, uint8_t type, uint8_t code,
	       uint16_t mtu)
{
	struct tcp_key k = { q->src, q->dst, rte_cpu_to_be_16(q->sport),
			     rte_cpu_to_be_16(q->dport) };
	struct stk_tcp_conn *c = tcp_conn_lookup(in, &k);

	if (c == NULL || c->state < TCPS_SYN_SENT || c->state == TCPS_TIME_WAIT ||
	    !(SEQ_GEQ(q->seq, c->snd_una) && SEQ_LT(q->seq, c->snd_max)))
		return false;
	if (c->state == TCPS_SYN_SENT && tcp_icmp_hard(type, code) &&
	    in->sh->p.tcp_icmp_abort_syn_sent) {
		tcp_conn_drop(c, type == ICMP_TIME_EXCEEDED ? STK_TCP_EUNREACH :
							      STK_TCP_ECONNREFUSED);
		return true;
	}
	if (type == ICMP_DEST_UNREACH && code == ICMP_CODE_FRAG_NEEDED && mtu != 0 &&
	    c->state >= TCPS_ESTABLISHED) {
		tcp_icmp_pmtu(c, mtu);
		return true;
	}
	return false;
}
