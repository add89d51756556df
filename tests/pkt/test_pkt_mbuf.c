/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames as software PMDs deliver them: chains cut anywhere (even inside a
 * header, even with empty segments), indirect and shared mbufs. The stack
 * must answer exactly as for a flat frame and never write into buffers or
 * mbuf headers it does not own.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PORT 5000

static struct h_udp_rx rx;
static uint8_t data[H_L4_MAX];
static uint8_t frame[H_FRAME_MAX];

static struct h_echo_exp
reply(size_t len)
{
	struct h_echo_exp e = {
		.ip = { .eth_dst = h_peer_mac, .dst = H_PEER_IP, .proto = IPPROTO_ICMP },
		.id = 3, .seq = 4, .data = data, .len = len,
	};

	return e;
}

/* An echo request from the peer with @p len data bytes into frame[]. @return its length. */
static size_t
echo_frame(size_t len)
{
	uint8_t *icmp = malloc(H_L4_MAX);
	struct h_ip ip;
	size_t n;

	h_fill(data, len, (uint32_t)len);
	h_ip_init(&ip, IPPROTO_ICMP, H_PEER_IP, H_OUR_IP);
	n = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 0, 3, 4, data, len);
	n = h_build_ipv4(frame, &ip, icmp, n);
	free(icmp);
	return n;
}

/*
 * An echo request cut in two at every offset, and in three around the headers.
 *
 * Regressions: an empty first segment (cut at 0), where rte_pktmbuf_read()
 * returns a pointer into a later segment, and cuts leaving an odd number of
 * ICMP bytes in the first segment (135, 137, ...: see test_odd_segments()).
 */
static void
test_split_echo(void)
{
	static const uint16_t three[][2] = {
		{ 0, 0 }, { 1, 2 }, { 6, 12 }, { 13, 14 }, { 14, 14 }, { 14, 34 }, { 20, 30 },
		{ 33, 35 }, { 34, 42 }, { 36, 40 }, { 42, 142 }, { 100, 141 },
	};
	struct h *h = h_create(NULL);
	struct h_echo_exp e = reply(100);
	size_t n = echo_frame(100);
	uint16_t cut;
	unsigned int i;

	CHECK_EQ(n, 142);
	for (cut = 0; cut <= n; cut++) {
		h_inject_mbuf(h, h_mbuf_chain(h, frame, n, &cut, 1));
		CHECK(h_expect(h, h_chk_echo_reply, &e, NULL), "cut at %u", cut);
	}
	for (i = 0; i < RTE_DIM(three); i++) {
		h_inject_mbuf(h, h_mbuf_chain(h, frame, n, three[i], 2));
		CHECK(h_expect(h, h_chk_echo_reply, &e, NULL), "cuts at %u, %u", three[i][0],
		      three[i][1]);
	}
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK_EQ(h_in_use(h), 0);
	h_destroy(h);
}

/* ARP in pieces. */
static void
test_split_arp(void)
{
	struct h_opts o;
	struct h *h;
	struct h_arp a, rep;
	uint8_t buf[64];
	uint16_t cut;
	size_t n;

	h_opts_init(&o);
	o.peer_static = false;
	h = h_create(&o);
	h_arp_init(&a, 1, &h_peer_mac, H_PEER_IP, H_OUR_IP);
	n = h_build_arp(buf, &a);
	h_arp_init(&rep, 2, &h_our_mac, H_OUR_IP, H_PEER_IP);
	rep.eth_dst = h_peer_mac;
	rep.tha = h_peer_mac;
	for (cut = 0; cut <= n; cut++) {
		h_inject_mbuf(h, h_mbuf_chain(h, buf, n, &cut, 1));
		CHECK(h_expect(h, h_chk_arp, &rep, NULL), "ARP cut at %u", cut);
	}
	h_expect_drops(h, STK_DROP_NONE, 0);
	h_destroy(h);
}

/* A UDP datagram and a fragmented one, each fragment in pieces. */
static void
test_split_udp(void)
{
	static const uint16_t cuts[] = { 5, 20, 40, 600 };
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, PORT);
	uint8_t *udp = malloc(H_L4_MAX);
	struct h_ip ip;
	size_t n, off, fl;
	unsigned int k = 0;

	h_fill(data, 3000, 11);
	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	n = h_build_udp(udp, H_PEER_IP, H_OUR_IP, 4000, PORT, data, 1000);
	fl = h_build_ipv4(frame, &ip, udp, n);
	h_inject_mbuf(h, h_mbuf_chain(h, frame, fl, cuts, RTE_DIM(cuts)));
	CHECK(rx.n == 1 && rx.len == 1000 && memcmp(rx.data, data, 1000) == 0,
	      "chained datagram not delivered whole");
	n = h_build_udp(udp, H_PEER_IP, H_OUR_IP, 4000, PORT, data, 3000);
	for (off = 0; off < n; off += 1480) {
		fl = h_build_frag(frame, &ip, udp, n, off, RTE_MIN((size_t)1480, n - off));
		h_inject_mbuf(h, h_mbuf_chain(h, frame, fl, &cuts[k++ % 4], 1));
	}
	CHECK(rx.n == 2 && rx.len == 3000 && memcmp(rx.data, data, 3000) == 0,
	      "chained fragments not reassembled");
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_NONE, 0);
	free(udp);
	stk_udp_close(s);
	h_destroy(h);
}

/* Bytes beyond the datagram spread over more than the last segment. */
static void
test_trailing_bytes_chain(void)
{
	static const uint16_t cuts[] = { 200, 600 };
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, PORT);
	uint8_t udp[600];
	struct h_echo_exp e = reply(500);
	struct h_ip ip;
	size_t n, fl;

	/*
	 * Bytes beyond the datagram longer than the last segment: they must
	 * be cut across segments (rte_pktmbuf_trim() refuses), or the UDP
	 * payload carries them and an echo's checksum covers them.
	 */
	h_fill(data, 500, 12);
	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	n = h_build_udp(udp, H_PEER_IP, H_OUR_IP, 4000, PORT, data, 500);
	fl = h_build_ipv4(frame, &ip, udp, n);
	h_fill(frame + fl, 600, 0xee);
	h_inject_mbuf(h, h_mbuf_chain(h, frame, fl + 600, cuts, 2));
	CHECK(rx.n == 1 && rx.len == 500, "datagram delivered with %zu bytes, expected 500",
	      rx.len);
	/* The same junk behind a UDP length shorter than the IP payload. */
	ip.total_len = (uint16_t)(20 + n + 600);
	fl = h_build_ipv4(frame, &ip, udp, n);
	h_fill(frame + fl, 600, 0xee);
	h_inject_mbuf(h, h_mbuf_chain(h, frame, fl + 600, cuts, 2));
	CHECK(rx.n == 2 && rx.len == 500, "datagram delivered with %zu bytes, expected 500",
	      rx.len);
	fl = echo_frame(500);
	h_fill(frame + fl, 600, 0xee);
	h_inject_mbuf(h, h_mbuf_chain(h, frame, fl + 600, cuts, 2));
	CHECK(h_expect(h, h_chk_echo_reply, &e, NULL), "echo with trailing bytes in a chain");
	h_drain(h);
	CHECK_EQ(h_in_use(h), 0);
	stk_udp_close(s);
	h_destroy(h);
}

/*
 * Checksums over chains whose segments hold odd numbers of bytes.
 *
 * DPDK 22.11's rte_raw_cksum_mbuf() truncates a segment's 32-bit partial
 * sum to 16 bits before byte-swapping it when an odd number of bytes
 * precede the segment, losing carries; the stack sums chains itself
 * (stk_cksum_mbuf). Valid chained datagrams must pass and chained payloads
 * must leave with right checksums.
 */
static void
test_odd_segments(void)
{
	static const uint16_t pay_cuts[][2] = { { 101, 200 }, { 1, 2 }, { 333, 334 } };
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, PORT);
	struct h_udp_exp u = { .ip = { .eth_dst = h_peer_mac, .dst = H_PEER_IP,
				       .proto = IPPROTO_UDP },
			       .sport = PORT, .dport = 9, .data = data, .len = 600 };
	uint8_t udp[700];
	struct h_ip ip;
	unsigned int i, delivered = 0, tried = 0;
	uint16_t cut;
	size_t n, fl;

	/* Input: cut after 135..160 bytes (no pull-up, odd and even UDP parts). */
	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	for (cut = 135; cut <= 160; cut++) {
		h_fill(data, 600, cut);
		n = h_build_udp(udp, H_PEER_IP, H_OUR_IP, 4000, PORT, data, 600);
		fl = h_build_ipv4(frame, &ip, udp, n);
		h_inject_mbuf(h, h_mbuf_chain(h, frame, fl, &cut, 1));
		tried++;
		if (rx.n == delivered + 1 && rx.len == 600 && memcmp(rx.data, data, 600) == 0)
			delivered++;
		else
			CHECK(false, "datagram cut at %u not delivered (drops: udp_bad_checksum %"
			      PRIu64 ")", cut, h_drop(h, STK_DROP_UDP_BAD_CHECKSUM));
		delivered = rx.n;
	}
	CHECK_EQ(h_drop(h, STK_DROP_UDP_BAD_CHECKSUM), 0);
	/* Output: payloads in three segments of odd sizes. */
	for (i = 0; i < RTE_DIM(pay_cuts) * 4; i++) {
		h_fill(data, 600, 1000 + i);
		CHECK_EQ(stk_udp_sendto(s, h_mbuf_chain(h, data, 600, pay_cuts[i % 3], 2), H_PEER_IP,
					RTE_BE16(9)), 0);
		h_poll(h);
		CHECK(h_expect(h, h_chk_udp, &u, NULL), "payload cut at %u, %u (seed %u)",
		      pay_cuts[i % 3][0], pay_cuts[i % 3][1], 1000 + i);
	}
	CHECK_EQ(h_in_use(h), 0);
	stk_udp_close(s);
	h_destroy(h);
}

/* A frame whose mbuf someone else also holds: neither its header nor its bytes change. */
static void
test_shared_input(void)
{
	struct h *h = h_create(NULL);
	struct h_echo_exp e = reply(200);
	size_t n = echo_frame(200);
	struct rte_mbuf *m = h_mbuf_chain(h, frame, n, NULL, 0), *c;
	uint16_t off = m->data_off, dlen = m->data_len;

	/* Shared: refcnt 2, the harness keeps a reference. */
	rte_mbuf_refcnt_update(m, 1);
	h_inject_mbuf(h, m);
	h_expect(h, h_chk_echo_reply, &e, NULL);
	/*
	 * Input must leave a shared mbuf's header and data as they were
	 * (stk_mbuf_pullup() works on a private copy).
	 */
	CHECK(m->data_off == off && m->data_len == dlen && m->pkt_len == n && m->next == NULL,
	      "shared mbuf header changed: data_off %u->%u data_len %u->%u", off, m->data_off,
	      dlen, m->data_len);
	CHECK(memcmp((uint8_t *)m->buf_addr + off, frame, n) == 0, "shared frame bytes changed");
	CHECK_EQ(rte_mbuf_refcnt_read(m), 1);
	m->data_off = off;
	m->data_len = dlen;
	rte_pktmbuf_free(m);
	/* Indirect: a clone of the harness's frame. */
	m = h_mbuf_chain(h, frame, n, NULL, 0);
	c = rte_pktmbuf_clone(m, h->ind);
	h_inject_mbuf(h, c);
	h_expect(h, h_chk_echo_reply, &e, NULL);
	CHECK(memcmp(rte_pktmbuf_mtod(m, void *), frame, n) == 0, "cloned frame's bytes changed");
	CHECK(m->data_off == off && m->data_len == n, "cloned frame's mbuf changed");
	rte_pktmbuf_free(m);
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK_EQ(h_in_use(h), 0);
	h_destroy(h);
}

/* Sending a payload the caller shares: its buffer (headroom included) is not written. */
static void
test_shared_payload(void)
{
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, PORT);
	struct h_udp_exp u = { .ip = { .eth_dst = h_peer_mac, .dst = H_PEER_IP,
				       .proto = IPPROTO_UDP },
			       .sport = PORT, .dport = 9, .data = data, .len = 300 };
	struct rte_mbuf *m;
	uint8_t *before = malloc(RTE_MBUF_DEFAULT_BUF_SIZE);
	uint16_t off;

	h_fill(data, 300, 13);
	/* An indirect clone of a payload with plenty of headroom. */
	m = h_payload(h, data, 300);
	off = m->data_off;
	memcpy(before, m->buf_addr, m->buf_len);
	CHECK_EQ(stk_udp_sendto(s, rte_pktmbuf_clone(m, h->ind), H_PEER_IP, RTE_BE16(9)), 0);
	h_poll(h);
	h_expect(h, h_chk_udp, &u, NULL);
	CHECK(memcmp(before, m->buf_addr, m->buf_len) == 0, "cloned payload's buffer written");
	/* The same mbuf with a second reference. */
	rte_mbuf_refcnt_update(m, 1);
	CHECK_EQ(stk_udp_sendto(s, m, H_PEER_IP, RTE_BE16(9)), 0);
	h_poll(h);
	h_expect(h, h_chk_udp, &u, NULL);
	CHECK(memcmp(before, m->buf_addr, m->buf_len) == 0, "shared payload's buffer written");
	CHECK(m->data_off == off && m->data_len == 300 && m->pkt_len == 300,
	      "shared payload's mbuf changed");
	CHECK_EQ(rte_mbuf_refcnt_read(m), 1);
	rte_pktmbuf_free(m);
	/* Fragmented on output. */
	h_fill(data, 1800, 14);
	m = h_payload(h, data, 1800);
	memcpy(before, m->buf_addr, m->buf_len);
	rte_mbuf_refcnt_update(m, 1);
	CHECK_EQ(stk_udp_sendto(s, m, H_PEER_IP, RTE_BE16(9)), 0);
	h_poll(h);
	CHECK_EQ(h_drain(h), 2);
	CHECK(memcmp(before, m->buf_addr, m->buf_len) == 0, "shared payload's buffer written");
	CHECK_EQ(rte_mbuf_refcnt_read(m), 1);
	rte_pktmbuf_free(m);
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK_EQ(h_in_use(h), 0);
	free(before);
	stk_udp_close(s);
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_split_echo();
	test_split_arp();
	test_split_udp();
	test_trailing_bytes_chain();
	test_odd_segments();
	test_shared_input();
	test_shared_payload();
	test_eal_finish();
	return check_done();
}
