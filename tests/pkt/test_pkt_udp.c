/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP (RFC 768, RFC 1122 4.1) through the socket seam: receive, send, bind
 * rules, port unreachable and its rate limit, bad datagrams, datagrams that
 * arrive or leave in fragments.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_udp.h>

#include "harness.h"

#define EPHEMERAL_FIRST 49152
#define FRAG_LEN 1480

static struct h_udp_rx rx, rx2;
static uint8_t data[H_L4_MAX];

static struct h_udp_exp
to_peer(uint16_t sport, uint16_t dport, size_t len)
{
	struct h_udp_exp e = {
		.ip = { .eth_dst = h_peer_mac, .dst = H_PEER_IP, .proto = IPPROTO_UDP },
		.sport = sport, .dport = dport, .data = data, .len = len,
	};

	return e;
}

static bool
rx_is(const struct h_udp_rx *r, unsigned int n, size_t len, uint16_t sport, rte_be32_t dst)
{
	return r->n == n && r->len == len && memcmp(r->data, data, len) == 0 &&
	       r->src == H_PEER_IP && r->sport == rte_cpu_to_be_16(sport) && r->dst == dst;
}

/* Receive on wildcard and specific binds; send; broadcast in both directions. */
static void
test_recv_send(void)
{
	struct h *h = h_create(NULL);
	struct stk_udp_sock *any = h_udp_open(h, &rx, 0, 5000);
	struct stk_udp_sock *one = h_udp_open(h, &rx2, H_OUR_IP, 5001);
	struct h_udp_exp e;
	rte_be32_t a;
	rte_be16_t p;

	stk_udp_local(one, &a, &p);
	CHECK(a == H_OUR_IP && p == RTE_BE16(5001), "stk_udp_local");
	h_fill(data, 100, 1);
	h_send_udp(h, H_OUR_IP, 4000, 5000, data, 100);
	CHECK(rx_is(&rx, 1, 100, 4000, H_OUR_IP), "wildcard socket: datagram wrong");
	h_send_udp(h, H_OUR_IP, 4001, 5001, data, 100);
	CHECK(rx_is(&rx2, 1, 100, 4001, H_OUR_IP), "bound socket: datagram wrong");
	CHECK_EQ(h_cnt(h, STK_CNT_UDP_RX), 2);
	/* Broadcast reaches the wildcard socket only, silently elsewhere. */
	h_send_udp(h, H_BCAST_IP, 4002, 5000, data, 10);
	CHECK(rx_is(&rx, 2, 10, 4002, H_BCAST_IP), "broadcast datagram wrong");
	h_mark(h);
	h_send_udp(h, H_BCAST_IP, 4002, 5001, data, 10);
	CHECK_EQ(rx2.n, 1);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_UDP_NO_SOCKET, 1);
	/* Empty datagram. */
	h_send_udp(h, H_OUR_IP, 4003, 5000, NULL, 0);
	CHECK(rx_is(&rx, 3, 0, 4003, H_OUR_IP), "empty datagram wrong");
	/* Sending: from the bound port and address, checksum valid. */
	h_fill(data, 1472, 2);
	CHECK_EQ(h_udp_send(h, any, H_PEER_IP, 6000, data, 1472), 0);
	e = to_peer(5000, 6000, 1472);
	h_expect(h, h_chk_udp, &e, NULL);
	CHECK_EQ(h_udp_send(h, one, H_PEER_IP, 6001, data, 0), 0);
	e = to_peer(5001, 6001, 0);
	h_expect(h, h_chk_udp, &e, NULL);
	/* To the subnet broadcast: a broadcast frame, no ARP. */
	CHECK_EQ(h_udp_send(h, any, H_BCAST_IP, 6002, data, 20), 0);
	e = to_peer(5000, 6002, 20);
	e.ip.eth_dst = h_bcast_mac;
	e.ip.dst = H_BCAST_IP;
	h_expect(h, h_chk_udp, &e, NULL);
	CHECK_EQ(h_cnt(h, STK_CNT_UDP_TX), 3);
	stk_udp_close(any);
	stk_udp_close(one);
	h_destroy(h);
}

/* Ephemeral ports, EADDRINUSE (specific and wildcard), EADDRNOTAVAIL, ESTATE. */
static void
test_bind_rules(void)
{
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s[6];
	rte_be32_t a;
	rte_be16_t p1, p2;
	unsigned int i;
	struct h_udp_exp e;

	for (i = 0; i < RTE_DIM(s); i++)
		CHECK_EQ(stk_udp_open(h->in, &h_udp_upcalls, &rx, &s[i]), 0);
	CHECK_EQ(stk_udp_bind(s[0], 0, 0), 0);
	CHECK_EQ(stk_udp_bind(s[1], H_OUR_IP, 0), 0);
	stk_udp_local(s[0], &a, &p1);
	stk_udp_local(s[1], &a, &p2);
	CHECK(rte_be_to_cpu_16(p1) >= EPHEMERAL_FIRST && rte_be_to_cpu_16(p2) >= EPHEMERAL_FIRST,
	      "ephemeral ports %u %u", rte_be_to_cpu_16(p1), rte_be_to_cpu_16(p2));
	CHECK(p1 != p2, "two ephemeral binds got port %u", rte_be_to_cpu_16(p1));
	CHECK_EQ(stk_udp_bind(s[0], 0, RTE_BE16(7)), STK_ESTATE);
	/* Same port twice. */
	CHECK_EQ(stk_udp_bind(s[2], 0, RTE_BE16(7000)), 0);
	CHECK_EQ(stk_udp_bind(s[3], 0, RTE_BE16(7000)), STK_EADDRINUSE);
	CHECK_EQ(stk_udp_bind(s[3], H_OUR_IP, RTE_BE16(7000)), STK_EADDRINUSE);
	CHECK_EQ(stk_udp_bind(s[3], H_OUR_IP, RTE_BE16(7001)), 0);
	CHECK_EQ(stk_udp_bind(s[4], H_OUR_IP, RTE_BE16(7001)), STK_EADDRINUSE);
	CHECK_EQ(stk_udp_bind(s[4], 0, RTE_BE16(7001)), STK_EADDRINUSE);
	/* Not one of our addresses. */
	CHECK_EQ(stk_udp_bind(s[4], H_PEER_IP, RTE_BE16(7002)), STK_EADDRNOTAVAIL);
	CHECK_EQ(stk_udp_bind(s[4], H_BCAST_IP, RTE_BE16(7002)), STK_EADDRNOTAVAIL);
	/* A failed bind leaves the socket usable. */
	CHECK_EQ(stk_udp_bind(s[4], 0, RTE_BE16(7002)), 0);
	/* Sending from an unbound socket binds it to an ephemeral port first. */
	h_fill(data, 8, 3);
	CHECK_EQ(h_udp_send(h, s[5], H_PEER_IP, 9, data, 8), 0);
	stk_udp_local(s[5], &a, &p1);
	CHECK(rte_be_to_cpu_16(p1) >= EPHEMERAL_FIRST, "send did not bind (%u)",
	      rte_be_to_cpu_16(p1));
	e = to_peer(rte_be_to_cpu_16(p1), 9, 8);
	h_expect(h, h_chk_udp, &e, NULL);
	/* Closing frees the port. */
	stk_udp_close(s[2]);
	CHECK_EQ(stk_udp_open(h->in, &h_udp_upcalls, &rx, &s[2]), 0);
	CHECK_EQ(stk_udp_bind(s[2], 0, RTE_BE16(7000)), 0);
	for (i = 0; i < RTE_DIM(s); i++)
		stk_udp_close(s[i]);
	h_destroy(h);
}

/* The socket table holds udp_sockets; closing one frees a slot. */
static void
test_socket_table(void)
{
	struct h_opts o;
	struct h *h;
	struct stk_udp_sock *s[4], *x = NULL;
	unsigned int i;

	h_opts_init(&o);
	o.p.udp_sockets = 4;
	h = h_create(&o);
	memset(&rx, 0, sizeof(rx));
	memset(&rx2, 0, sizeof(rx2));
	for (i = 0; i < RTE_DIM(s); i++) {
		CHECK_EQ(stk_udp_open(h->in, &h_udp_upcalls, &rx, &s[i]), 0);
		CHECK_EQ(stk_udp_bind(s[i], 0, rte_cpu_to_be_16((uint16_t)(7000 + i))), 0);
	}
	CHECK_EQ(stk_udp_open(h->in, &h_udp_upcalls, &rx, &x), STK_ENOMEM);
	CHECK_EQ(stk_udp_open(h->in, NULL, &rx, &x), STK_EINVAL);
	stk_udp_close(s[1]);
	CHECK_EQ(stk_udp_open(h->in, &h_udp_upcalls, &rx2, &x), 0);
	CHECK_EQ(stk_udp_bind(x, 0, RTE_BE16(7001)), 0);
	h_fill(data, 4, 10);
	h_send_udp(h, H_OUR_IP, 4000, 7001, data, 4);
	CHECK(rx2.n == 1 && rx.n == 0, "datagram to the re-used slot went to %u/%u", rx2.n, rx.n);
	stk_udp_close(x);
	for (i = 0; i < RTE_DIM(s); i++)
		if (i != 1)
			stk_udp_close(s[i]);
	h_destroy(h);
}

/* A datagram to a closed port: ICMP port unreachable quoting it; none for broadcast. */
static void
test_port_unreachable(void)
{
	struct h *h = h_create(NULL);
	struct h_unreach_exp u = { .ip = { .eth_dst = h_peer_mac, .dst = H_PEER_IP,
					   .proto = IPPROTO_ICMP },
				   .code = H_ICMP_PORT_UNREACH };
	uint8_t udp[1100], frame[1200];
	struct h_ip ip;
	size_t n, flen;

	/* Short: the whole datagram is quoted (IP header + UDP header + data). */
	h_fill(data, 20, 4);
	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	n = h_build_udp(udp, H_PEER_IP, H_OUR_IP, 4000, 5555, data, 20);
	flen = h_build_ipv4(frame, &ip, udp, n);
	h_inject(h, frame, flen);
	u.quote = frame + 14;
	u.quote_len = flen - 14;
	h_expect(h, h_chk_unreach, &u, NULL);
	h_expect_drops(h, STK_DROP_UDP_NO_SOCKET, 1);
	CHECK_EQ(h_cnt(h, STK_CNT_ICMP_UNREACH_TX), 1);
	/* Long: IP header + 8 bytes at least, 576 bytes of ICMP datagram at most. */
	h_mark(h);
	h_fill(data, 1000, 5);
	n = h_build_udp(udp, H_PEER_IP, H_OUR_IP, 4000, 5555, data, 1000);
	flen = h_build_ipv4(frame, &ip, udp, n);
	h_inject(h, frame, flen);
	u.quote_len = 576 - 20 - 8;
	h_expect(h, h_chk_unreach, &u, NULL);
	h_expect_drops(h, STK_DROP_UDP_NO_SOCKET, 1);
	/* To the broadcast address: silence. */
	h_mark(h);
	h_send_udp(h, H_BCAST_IP, 4000, 5555, data, 20);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_UDP_NO_SOCKET, 1);
	CHECK_EQ(h_cnt(h, STK_CNT_ICMP_UNREACH_TX), 0);
	CHECK_EQ(h_in_use(h), 0);
	h_destroy(h);
}

/* At most icmp_rate errors per second. */
static void
test_icmp_rate_limit(void)
{
	struct h_opts o;
	struct h *h;
	unsigned int i, sent;

	h_opts_init(&o);
	o.p.icmp_rate = 5;
	h = h_create(&o);
	h_fill(data, 8, 6);
	/* A burst of 50 at one instant: icmp_rate answers. */
	for (i = 0; i < 50; i++)
		h_send_udp(h, H_OUR_IP, 4000, 5555, data, 8);
	CHECK_EQ(h_drain(h), 5);
	CHECK_EQ(h_drop(h, STK_DROP_UDP_NO_SOCKET), 50);
	CHECK_EQ(h_drop(h, STK_DROP_ICMP_RATELIMIT), 45);
	CHECK_EQ(h_cnt(h, STK_CNT_ICMP_UNREACH_TX), 5);
	/* Then one every 10 ms for a second: the bucket refills at icmp_rate per second. */
	h_mark(h);
	sent = 0;
	for (i = 0; i < 100; i++) {
		h_advance(h, 10 * STK_NS_PER_MS);
		h_send_udp(h, H_OUR_IP, 4000, 5555, data, 8);
		sent += h_drain(h);
	}
	CHECK(sent >= 4 && sent <= 5, "%u errors in the next second, icmp_rate 5", sent);
	CHECK_EQ(h_drop(h, STK_DROP_ICMP_RATELIMIT), 100 - sent);
	CHECK_EQ(h_in_use(h), 0);
	h_destroy(h);
}

/* Bad checksum, checksum 0, bad lengths, trailing bytes. */
static void
test_bad_datagrams(void)
{
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, 5000);
	uint8_t udp[128], frame[256];
	struct rte_udp_hdr *uh = (struct rte_udp_hdr *)udp;
	struct h_ip ip;
	size_t n;

	h_fill(data, 32, 7);
	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	n = h_build_udp(udp, H_PEER_IP, H_OUR_IP, 4000, 5000, data, 32);
	udp[20] ^= 0x80;
	h_inject_drop(h, frame, h_build_ipv4(frame, &ip, udp, n), STK_DROP_UDP_BAD_CHECKSUM);
	/* Checksum 0: "none", accepted. */
	n = h_build_udp(udp, H_PEER_IP, H_OUR_IP, 4000, 5000, data, 32);
	uh->dgram_cksum = 0;
	h_inject(h, frame, h_build_ipv4(frame, &ip, udp, n));
	CHECK(rx_is(&rx, 1, 32, 4000, H_OUR_IP), "datagram without checksum not delivered");
	/* UDP length beyond the IP payload, and below 8. */
	uh->dgram_len = RTE_BE16(41);
	h_inject_drop(h, frame, h_build_ipv4(frame, &ip, udp, n), STK_DROP_UDP_BAD_LENGTH);
	uh->dgram_len = RTE_BE16(7);
	h_inject_drop(h, frame, h_build_ipv4(frame, &ip, udp, n), STK_DROP_UDP_BAD_LENGTH);
	uh->dgram_len = RTE_BE16(0);
	h_inject_drop(h, frame, h_build_ipv4(frame, &ip, udp, n), STK_DROP_UDP_BAD_LENGTH);
	/* IP payload shorter than a UDP header. */
	h_inject_drop(h, frame, h_build_ipv4(frame, &ip, udp, 7), STK_DROP_UDP_TRUNCATED);
	h_inject_drop(h, frame, h_build_ipv4(frame, &ip, udp, 0), STK_DROP_UDP_TRUNCATED);
	/* UDP length shorter than the IP payload: the rest is not data. */
	n = h_build_udp(udp, H_PEER_IP, H_OUR_IP, 4000, 5000, data, 24);
	memset(udp + n, 0xee, 8);
	h_inject(h, frame, h_build_ipv4(frame, &ip, udp, n + 8));
	CHECK(rx_is(&rx, 2, 24, 4000, H_OUR_IP), "trailing bytes delivered as data");
	CHECK_EQ(h_in_use(h), 0);
	stk_udp_close(s);
	h_destroy(h);
}

/* A 3000-byte datagram arriving in three fragments is delivered whole. */
static void
test_frag_in(void)
{
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, 5000);
	uint8_t *udp = malloc(H_L4_MAX);
	static const unsigned int rev[] = { 2, 1, 0 };
	struct h_ip ip;
	size_t n;

	h_fill(data, 3000, 8);
	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	n = h_build_udp(udp, H_PEER_IP, H_OUR_IP, 4000, 5000, data, 3000);
	CHECK_EQ(h_inject_frags(h, &ip, udp, n, FRAG_LEN, NULL, 3), 3);
	CHECK(rx_is(&rx, 1, 3000, 4000, H_OUR_IP), "fragmented datagram not delivered whole");
	ip.id++;
	h_inject_frags(h, &ip, udp, n, FRAG_LEN, rev, 3);
	CHECK(rx_is(&rx, 2, 3000, 4000, H_OUR_IP), "reversed fragments not delivered whole");
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK_EQ(h_in_use(h), 0);
	free(udp);
	stk_udp_close(s);
	h_destroy(h);
}

/* Send @p len bytes (fragmented on output) and check every fragment and the whole. */
static void
send_fragmented(struct h *h, struct stk_udp_sock *s, size_t len, unsigned int want_frags)
{
	uint8_t *got = malloc(H_L4_MAX);
	struct h_ip_exp x = { .eth_dst = h_peer_mac, .dst = H_PEER_IP, .proto = IPPROTO_UDP };
	struct rte_ipv4_hdr ph = { .version_ihl = RTE_IPV4_VHL_DEF, .next_proto_id = IPPROTO_UDP,
				   .src_addr = H_OUR_IP, .dst_addr = H_PEER_IP };
	struct rte_udp_hdr uh;
	size_t l4len = 0;
	unsigned int nf;

	h_fill(data, len, (uint32_t)len);
	CHECK_EQ(h_udp_send(h, s, H_PEER_IP, 6000, data, len), 0);
	nf = h_expect_frags(h, &x, got, H_L4_MAX, &l4len);
	CHECK(nf == want_frags, "%zu bytes sent as %u fragments, expected %u", len, nf,
	      want_frags);
	CHECK_EQ(l4len, len + 8);
	if (nf != 0 && l4len == len + 8) {
		memcpy(&uh, got, sizeof(uh));
		ph.total_length = rte_cpu_to_be_16((uint16_t)(20 + l4len));
		CHECK(uh.src_port == RTE_BE16(5000) && uh.dst_port == RTE_BE16(6000), "ports");
		CHECK_EQ(rte_be_to_cpu_16(uh.dgram_len), l4len);
		CHECK(uh.dgram_cksum != 0 && rte_ipv4_udptcp_cksum_verify(&ph, got) == 0,
		      "bad UDP checksum over the reassembled datagram");
		CHECK(memcmp(got + 8, data, len) == 0, "reassembled payload differs");
	}
	free(got);
}

/* Datagrams larger than the MTU leave in valid fragments; too large is refused. */
static void
test_frag_out(void)
{
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, 5000);
	const size_t max = 65535 - 20 - 8;

	send_fragmented(h, s, 1473, 2);  /* one byte over the MTU, one mbuf */
	send_fragmented(h, s, 2000, 2);  /* one mbuf */
	send_fragmented(h, s, 3000, 3);  /* a two-mbuf chain */
	send_fragmented(h, s, max, 45);  /* the largest datagram */
	CHECK_EQ(h_cnt(h, STK_CNT_IPV4_FRAGS_TX), 2 + 2 + 3 + 45);
	h_mark(h);
	CHECK_EQ(stk_udp_sendto(s, h_payload(h, data, max + 1), H_PEER_IP, RTE_BE16(6000)),
		 STK_EMSGSIZE);
	h_poll(h);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK_EQ(h_in_use(h), 0);
	stk_udp_close(s);
	h_destroy(h);
}

/* Close, then the port is closed on the wire; re-open and it receives again. */
static void
test_close_reopen(void)
{
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, 5000);

	h_fill(data, 16, 9);
	h_send_udp(h, H_OUR_IP, 4000, 5000, data, 16);
	CHECK_EQ(rx.n, 1);
	stk_udp_close(s);
	h_mark(h);
	h_send_udp(h, H_OUR_IP, 4000, 5000, data, 16);
	CHECK_EQ(rx.n, 1);
	h_expect(h, h_chk_ipv4, &((struct h_ip_exp){ .eth_dst = h_peer_mac, .dst = H_PEER_IP,
						      .proto = IPPROTO_ICMP }), NULL);
	h_expect_drops(h, STK_DROP_UDP_NO_SOCKET, 1);
	s = h_udp_open(h, &rx2, 0, 5000);
	h_send_udp(h, H_OUR_IP, 4000, 5000, data, 16);
	CHECK(rx_is(&rx2, 1, 16, 4000, H_OUR_IP), "re-opened socket did not receive");
	CHECK_EQ(rx.n, 1);
	stk_udp_close(s);
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_recv_send();
	test_bind_rules();
	test_socket_table();
	test_port_unreachable();
	test_icmp_rate_limit();
	test_bad_datagrams();
	test_frag_in();
	test_frag_out();
	test_close_reopen();
	test_eal_finish();
	return check_done();
}
