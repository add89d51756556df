/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 reassembly and its bounds: any arrival order, overlaps and
 * duplicates, a flood of never-completed datagrams, bad offsets, too many
 * fragments, the timeout.
 *
 * Conservation law checked after every scenario once the reassembly timeout
 * has passed: each fragment received was either part of a reassembled
 * datagram or counted as dropped, and no mbuf is left in use.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PORT 5000
#define FRAG_LEN 1480

static struct h_udp_rx rx;
static uint8_t data[H_L4_MAX];
static uint8_t udp[H_L4_MAX];

/* Build a UDP datagram of @p len payload bytes from the peer to PORT into udp[]. */
static size_t
dgram(size_t len, uint32_t seed)
{
	h_fill(data, len, seed);
	return h_build_udp(udp, H_PEER_IP, H_OUR_IP, 4000, PORT, data, len);
}

static bool
got(unsigned int n, size_t len)
{
	return rx.n == n && rx.len == len && memcmp(rx.data, data, len) == 0 &&
	       rx.src == H_PEER_IP && rx.sport == RTE_BE16(4000);
}

/*
 * Let every pending reassembly time out; check that no mbuf is held and,
 * unless @p frags_in_datagrams is negative, the conservation law.
 */
static void
settle(struct h *h, int frags_in_datagrams, int line)
{
	uint64_t in = h_cnt(h, STK_CNT_IPV4_FRAGS_RX);
	uint64_t dropped, bad;

	h_advance(h, h->p->frag_timeout + 100 * STK_NS_PER_MS);
	CHECK(h_in_use(h) == 0, "line %d: %u mbufs in use after the reassembly timeout", line,
	      h_in_use(h));
	dropped = h_drop(h, STK_DROP_IPV4_FRAG_DROPPED);
	bad = h_drop(h, STK_DROP_IPV4_FRAG_BAD);
	CHECK(frags_in_datagrams < 0 || in == (uint64_t)frags_in_datagrams + dropped + bad,
	      "line %d: %" PRIu64 " fragments in, %d reassembled, %" PRIu64 " + %" PRIu64
	      " dropped", line, in, frags_in_datagrams, dropped, bad);
	h_expect_none(h);
}

/* Every order of three fragments is reassembled. */
static void
test_orders(void)
{
	static const unsigned int orders[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, PORT);
	struct h_ip ip;
	unsigned int i;
	size_t n = dgram(3000, 1);

	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	for (i = 0; i < RTE_DIM(orders); i++) {
		ip.id = (uint16_t)(100 + i);
		h_inject_frags(h, &ip, udp, n, FRAG_LEN, orders[i], 3);
		CHECK(got(i + 1, 3000), "order %u %u %u not reassembled", orders[i][0],
		      orders[i][1], orders[i][2]);
	}
	/* Two datagrams interleaved, same addresses, different ids. */
	ip.id = 105;
	h_inject_frags(h, &ip, udp, n, FRAG_LEN, orders[0], 2);
	ip.id = 7;
	h_inject_frags(h, &ip, udp, n, FRAG_LEN, orders[5], 3);
	CHECK(got(7, 3000), "interleaved datagram");
	ip.id = 105;
	h_inject_frags(h, &ip, udp, n, FRAG_LEN, &orders[0][2], 1);
	CHECK(got(8, 3000), "interleaved datagram completed last");
	CHECK_EQ(h_cnt(h, STK_CNT_IPV4_REASSEMBLED), 8);
	h_expect_drops(h, STK_DROP_NONE, 0);
	settle(h, 24, __LINE__);
	stk_udp_close(s);
	h_destroy(h);
}

/* Overlaps and duplicates: whatever is delivered is right, everything is released. */
static void
test_overlap_dup(void)
{
	static const unsigned int seqs[][5] = {
		{ 0, 0, 1, 2, 9 }, /* duplicate first fragment */
		{ 0, 1, 1, 2, 9 }, /* duplicate middle fragment */
		{ 2, 2, 0, 1, 9 }, /* duplicate last fragment */
		{ 0, 1, 2, 2, 9 }, /* duplicate after completion */
	};
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, PORT);
	uint8_t *frame = malloc(H_FRAME_MAX);
	struct h_ip ip;
	unsigned int i, k, done = 0;
	size_t n = dgram(3000, 2), fl;

	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	for (i = 0; i < RTE_DIM(seqs); i++) {
		ip.id = (uint16_t)(200 + i);
		for (k = 0; seqs[i][k] != 9; k++)
			h_inject_frags(h, &ip, udp, n, FRAG_LEN, &seqs[i][k], 1);
		CHECK(rx.n == done || got(done + 1, 3000), "sequence %u delivered wrong data", i);
		done = rx.n;
	}
	/* A fragment overlapping two others, between them. */
	ip.id = 300;
	h_inject_frags(h, &ip, udp, n, FRAG_LEN, (const unsigned int[]){ 0 }, 1);
	fl = h_build_frag(frame, &ip, udp, n, 1000, FRAG_LEN);
	h_inject(h, frame, fl);
	h_inject_frags(h, &ip, udp, n, FRAG_LEN, (const unsigned int[]){ 1, 2 }, 2);
	CHECK(rx.n == done || got(done + 1, 3000), "overlap delivered wrong data");
	done = rx.n;
	/* A fragment that fits in a hole but is not a multiple of the others. */
	ip.id = 301;
	h_inject_frags(h, &ip, udp, n, FRAG_LEN, (const unsigned int[]){ 0, 2 }, 2);
	fl = h_build_frag(frame, &ip, udp, n, FRAG_LEN, 800);
	h_inject(h, frame, fl);
	fl = h_build_frag(frame, &ip, udp, n, FRAG_LEN + 800, FRAG_LEN - 800);
	h_inject(h, frame, fl);
	CHECK(got(done + 1, 3000), "four fragments of unequal size not reassembled");
	done = rx.n;
	settle(h, -1, __LINE__);
	free(frame);
	stk_udp_close(s);
	h_destroy(h);
}

/* Thousands of first fragments that never complete: memory stays bounded. */
static void
test_flood(void)
{
	struct h_opts o;
	struct h *h;
	struct stk_udp_sock *s;
	uint8_t frame[256];
	struct h_ip ip;
	unsigned int i, max_use = 0;
	size_t n = dgram(3000, 3), fl;

	h_opts_init(&o);
	o.p.frag_max_flows = 16;
	h = h_create(&o);
	s = h_udp_open(h, &rx, 0, PORT);
	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	for (i = 0; i < 4000; i++) {
		ip.id = (uint16_t)(1000 + i);
		fl = h_build_frag(frame, &ip, udp, n, 0, 64);
		h_inject_only(h, frame, fl);
		if (i % 100 == 99) {
			h_poll(h);
			max_use = RTE_MAX(max_use, h_in_use(h));
		}
	}
	h_poll(h);
	CHECK(max_use <= o.p.frag_max_flows, "%u mbufs held during the flood (frag_max_flows %u)",
	      max_use, o.p.frag_max_flows);
	CHECK(h_drop(h, STK_DROP_IPV4_FRAG_DROPPED) >= 4000 - o.p.frag_max_flows,
	      "%" PRIu64 " fragments dropped", h_drop(h, STK_DROP_IPV4_FRAG_DROPPED));
	h_expect_none(h);
	settle(h, 0, __LINE__);
	CHECK_EQ(h_drop(h, STK_DROP_IPV4_FRAG_DROPPED), 4000);
	/* After the timeout, a real datagram gets through. */
	ip.id = 1;
	h_inject_frags(h, &ip, udp, n, FRAG_LEN, NULL, 3);
	CHECK(got(1, 3000), "datagram after the flood not reassembled");
	stk_udp_close(s);
	h_destroy(h);
}

/* Offsets past 65535 and MF fragments whose size is not a multiple of 8. */
static void
test_bad_fragments(void)
{
	struct h *h = h_create(NULL);
	uint8_t frame[256], l4[128];
	struct h_ip ip;
	size_t fl;

	memset(l4, 0x33, sizeof(l4));
	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	ip.frag = 8189; /* 65512 bytes: + 100 > 65535 */
	fl = h_build_ipv4(frame, &ip, l4, 100);
	h_inject_drop(h, frame, fl, STK_DROP_IPV4_FRAG_BAD);
	ip.frag = 0x1fff;
	fl = h_build_ipv4(frame, &ip, l4, 8);
	h_inject_drop(h, frame, fl, STK_DROP_IPV4_FRAG_BAD);
	ip.frag = RTE_IPV4_HDR_MF_FLAG | 1;
	fl = h_build_ipv4(frame, &ip, l4, 100);
	h_inject_drop(h, frame, fl, STK_DROP_IPV4_FRAG_BAD);
	ip.frag = RTE_IPV4_HDR_MF_FLAG;
	fl = h_build_ipv4(frame, &ip, l4, 0);
	h_inject_drop(h, frame, fl, STK_DROP_IPV4_FRAG_BAD);
	/* The last possible byte is fine: held, then timed out. */
	h_mark(h);
	ip.frag = 8189;
	fl = h_build_ipv4(frame, &ip, l4, 23);
	h_inject(h, frame, fl);
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK_EQ(h_in_use(h), 1);
	settle(h, 0, __LINE__);
	CHECK_EQ(h_drop(h, STK_DROP_IPV4_FRAG_DROPPED), 1);
	h_destroy(h);
}

/* More fragments than RTE_LIBRTE_IP_FRAG_MAX_FRAG: dropped, counted, released. */
static void
test_too_many(void)
{
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, PORT);
	struct h_ip ip;
	size_t n;
	unsigned int nf;

	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	/* Exactly the limit: 8 fragments of 64 bytes. */
	n = dgram(RTE_LIBRTE_IP_FRAG_MAX_FRAG * 64 - 8, 4);
	nf = h_inject_frags(h, &ip, udp, n, 64, NULL, RTE_LIBRTE_IP_FRAG_MAX_FRAG);
	CHECK_EQ(nf, RTE_LIBRTE_IP_FRAG_MAX_FRAG);
	CHECK(got(1, RTE_LIBRTE_IP_FRAG_MAX_FRAG * 64 - 8), "8 fragments not reassembled");
	/* One more. */
	ip.id++;
	n = dgram((RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1) * 64 - 8, 5);
	nf = h_inject_frags(h, &ip, udp, n, 64, NULL, RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1);
	CHECK_EQ(nf, RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1);
	CHECK_EQ(rx.n, 1);
	CHECK(h_drop(h, STK_DROP_IPV4_FRAG_DROPPED) >= 1, "too many fragments not counted");
	h_expect_none(h);
	settle(h, RTE_LIBRTE_IP_FRAG_MAX_FRAG, __LINE__);
	CHECK_EQ(h_drop(h, STK_DROP_IPV4_FRAG_DROPPED), RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1);
	stk_udp_close(s);
	h_destroy(h);
}

/* Incomplete datagrams are released after frag_timeout, not before. */
static void
test_timeout(void)
{
	struct h *h = h_create(NULL);
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, PORT);
	struct h_ip ip;
	size_t n = dgram(3000, 6);

	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	h_inject_frags(h, &ip, udp, n, FRAG_LEN, NULL, 2);
	CHECK_EQ(h_in_use(h), 2);
	h_advance(h, h->p->frag_timeout - 100 * STK_NS_PER_MS);
	CHECK_EQ(h_in_use(h), 2);
	CHECK_EQ(h_drop(h, STK_DROP_IPV4_FRAG_DROPPED), 0);
	h_advance(h, 200 * STK_NS_PER_MS);
	CHECK_EQ(h_in_use(h), 0);
	h_expect_drops(h, STK_DROP_IPV4_FRAG_DROPPED, 2);
	/* The late last fragment starts a new datagram of its own, which also expires. */
	h_inject_frags(h, &ip, udp, n, FRAG_LEN, (const unsigned int[]){ 2 }, 1);
	CHECK_EQ(rx.n, 0);
	settle(h, 0, __LINE__);
	h_expect_drops(h, STK_DROP_IPV4_FRAG_DROPPED, 3);
	stk_udp_close(s);
	h_destroy(h);
}

/* A reassembled datagram to a closed port: port unreachable quoting its header. */
static void
test_unreach_after_reassembly(void)
{
	struct h *h = h_create(NULL);
	struct h_ip_exp x = { .eth_dst = h_peer_mac, .dst = H_PEER_IP, .proto = IPPROTO_ICMP };
	struct h_frame f;
	struct rte_ipv4_hdr q;
	struct h_ip ip;
	size_t n = dgram(3000, 7);

	h_ip_init(&ip, IPPROTO_UDP, H_PEER_IP, H_OUR_IP);
	h_inject_frags(h, &ip, udp, n, FRAG_LEN, NULL, 3);
	if (h_expect(h, h_chk_ipv4, &x, &f)) {
		CHECK_EQ(f.len, 14 + 576);
		CHECK(f.b[34] == H_ICMP_DEST_UNREACH && f.b[35] == H_ICMP_PORT_UNREACH, "type");
		memcpy(&q, f.b + 42, sizeof(q));
		CHECK(q.src_addr == H_PEER_IP && q.dst_addr == H_OUR_IP &&
		      q.next_proto_id == IPPROTO_UDP && q.packet_id == rte_cpu_to_be_16(ip.id),
		      "quoted header");
		CHECK(memcmp(f.b + 62, udp, 576 - 20 - 8 - 20) == 0, "quoted UDP header and data");
		/*
		 * RFC 792 quotes "the internet header" of the datagram: a valid
		 * one, not the one rte_ip_frag left with its checksum zeroed.
		 */
		CHECK(rte_raw_cksum(&q, sizeof(q)) == 0xffff, "quoted IP header checksum %04x",
		      rte_be_to_cpu_16(q.hdr_checksum));
	}
	h_expect_drops(h, STK_DROP_UDP_NO_SOCKET, 1);
	settle(h, 3, __LINE__);
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_orders();
	test_overlap_dup();
	test_flood();
	test_bad_fragments();
	test_too_many();
	test_timeout();
	test_unreach_after_reassembly();
	test_eal_finish();
	return check_done();
}
