/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP (RFC 792, RFC 1122 3.2.2): echo reply and destination unreachable. */
#include <rte_ip.h>

#include "stk_priv.h"
#include "tcp_priv.h"
#include "wire/wire_cksum.h"

/* RFC 1812 4.3.2.1 style limit: a token bucket of icmp_rate errors per second. */
static bool
icmp_error_allowed(struct stk_inst *in)
{
	uint32_t rate = in->sh->p.icmp_rate;
	stk_time_t elapsed;
	uint64_t add;

	if (rate == 0)
		return true;
	elapsed = in->now - in->icmp_refill;
	add = elapsed * rate / STK_NS_PER_S;
	if (add > 0) {
		in->icmp_tokens = (uint32_t)RTE_MIN((uint64_t)rate, in->icmp_tokens + add);
		in->icmp_refill = in->now;
	}
	if (in->icmp_tokens == 0)
		return false;
	in->icmp_tokens--;
	return true;
}

static uint16_t
icmp_cksum(const struct rte_mbuf *m)
{
	return stk_cksum_mbuf(m, 0, m->pkt_len);
}

static void
icmp_echo_reply(struct stk_inst *in, struct rte_mbuf *m, const struct ipv4_repr *ip,
		struct icmp_repr *ic)
{
	void *hdr = rte_pktmbuf_mtod(m, void *);

	ic->type = ICMP_ECHO_REPLY;
	ic->code = 0;
	icmp_emit(hdr, ic, 0);
	l4_cksum_store(hdr, l4_cksum_offset(IPV4_PROTO_ICMP), (uint16_t)~icmp_cksum(m));
	STK_COUNT(in, ICMP_ECHO_REPLY_TX);
	ipv4_output(in, m, ip->dst, ip->src, IPV4_PROTO_ICMP);
}

/*
 * An error about a datagram we sent (RFC 1122 3.2.2.1): passed to the
 * transport of the quoted datagram; TCP is the only one that acts on them.
 * @return true if it was taken (and @p m freed).
 */
static bool
icmp_error_input(struct stk_inst *in, struct rte_mbuf *m, const struct icmp_repr *ic)
{
	uint8_t buf[60 + 8];
	uint32_t len = RTE_MIN(m->pkt_len - ICMP_HDR_LEN, (uint32_t)sizeof(buf));
	const void *q = m->pkt_len < ICMP_HDR_LEN ? NULL :
			rte_pktmbuf_read(m, ICMP_HDR_LEN, len, buf);
	struct icmp_quote quote;

	if (q == NULL || icmp_quote_parse(q, len, &quote) != STK_DROP_NONE ||
	    quote.proto != IPV4_PROTO_TCP || !tcp_icmp_error(in, &quote, ic->type, ic->code,
							      (uint16_t)ic->rest))
		return false;
	STK_COUNT(in, ICMP_ERRORS_TAKEN);
	rte_pktmbuf_free(m);
	return true;
}

void
icmp_input(struct stk_inst *in, struct rte_mbuf *m, const struct ipv4_repr *ip, bool bcast)
{
	struct icmp_repr ic;
	enum stk_drop why;

	STK_COUNT(in, ICMP_RX);
	why = icmp_parse(rte_pktmbuf_mtod(m, const void *), rte_pktmbuf_data_len(m), &ic);
	if (why == STK_DROP_NONE && icmp_cksum(m) != 0xffff)
		why = STK_DROP_ICMP_BAD_CHECKSUM;
	if (why == STK_DROP_NONE && !bcast &&
	    (ic.type == ICMP_DEST_UNREACH || ic.type == ICMP_TIME_EXCEEDED) && icmp_error_input(in, m, &ic))
		return;
	if (why == STK_DROP_NONE && ic.type != ICMP_ECHO_REQUEST)
		why = STK_DROP_ICMP_TYPE_IGNORED;
	if (why == STK_DROP_NONE && bcast)
		why = STK_DROP_ICMP_NOT_UNICAST; /* RFC 1122 3.2.2.6 allows silence */
	if (why != STK_DROP_NONE) {
		in->stats.drop[why]++;
		rte_pktmbuf_free(m);
		return;
	}
	icmp_echo_reply(in, m, ip, &ic);
}

/*
 * Send destination unreachable for the datagram in @p m (data offset at its
 * L4 header, IP header just before it). Consumes @p m. RFC 1122 3.2.2: never
 * about a broadcast, a non-initial fragment or an ICMP error.
 */
void
icmp_send_unreach(struct stk_inst *in, struct rte_mbuf *m, const struct ipv4_repr *ip,
		  uint8_t code)
{
	struct icmp_repr ic = { .type = ICMP_DEST_UNREACH, .code = code };
	uint32_t quote = RTE_MIN(m->pkt_len + ip->hdr_len, 576u - IPV4_HDR_LEN - ICMP_HDR_LEN);
	struct rte_mbuf *r;
	const void *src;
	uint8_t *buf;

	if (!icmp_error_allowed(in)) {
		STK_DROP(in, ICMP_RATELIMIT);
		rte_pktmbuf_free(m);
		return;
	}
	r = stk_pktmbuf_alloc(in);
	if (r == NULL || rte_pktmbuf_prepend(m, ip->hdr_len) == NULL) {
		rte_pktmbuf_free(r);
		rte_pktmbuf_free(m);
		return;
	}
	buf = (uint8_t *)rte_pktmbuf_append(r, (uint16_t)(ICMP_HDR_LEN + quote));
	src = buf == NULL ? NULL : rte_pktmbuf_read(m, 0, quote, buf + ICMP_HDR_LEN);
	if (src == NULL) {
		rte_pktmbuf_free(r);
		rte_pktmbuf_free(m);
		return;
	}
	if (src != buf + ICMP_HDR_LEN)
		rte_memcpy(buf + ICMP_HDR_LEN, src, quote);
	rte_pktmbuf_free(m);
	icmp_emit(buf, &ic, 0);
	l4_cksum_store(buf, l4_cksum_offset(IPV4_PROTO_ICMP), (uint16_t)~icmp_cksum(r));
	STK_COUNT(in, ICMP_UNREACH_TX);
	ipv4_output(in, r, ip->dst, ip->src, IPV4_PROTO_ICMP);
}
