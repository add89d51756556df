/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826, RFC 5227 probes): announcement at start, replies, learning,
 * malformed and hostile packets, resolution with its retries and bounded
 * queue, aging, static entries, the gateway as next hop, no route.
 */
#include <string.h>

#include <rte_arp.h>

#include "harness.h"

#define HOST(n) H_IP4(198, 18, 0, n)

static const struct rte_ether_addr mac_a = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}};
static const struct rte_ether_addr mac_b = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b}};

static struct h_udp_rx rx;

/* Inject an ARP packet from @p sha / @p spa about @p tpa. */
static void
arp_in(struct h *h, uint16_t op, const struct rte_ether_addr *sha, rte_be32_t spa, rte_be32_t tpa)
{
	struct h_arp a;
	uint8_t buf[64];

	h_arp_init(&a, op, sha, spa, tpa);
	h_inject(h, buf, h_build_arp(buf, &a));
}

/* An ARP packet we should send. */
static void
arp_out(struct h_arp *a, uint16_t op, const struct rte_ether_addr *eth_dst,
	const struct rte_ether_addr *tha, rte_be32_t tpa)
{
	h_arp_init(a, op, &h_our_mac, H_OUR_IP, tpa);
	a->eth_dst = *eth_dst;
	a->tha = *tha;
}

static bool
expect_request(struct h *h, rte_be32_t tpa, int line)
{
	struct h_arp a;

	arp_out(&a, RTE_ARP_OP_REQUEST, &h_bcast_mac, &h_zero_mac, tpa);
	return h_expect_at(h, h_chk_arp, &a, NULL, __FILE__, line);
}

static struct h *
h_no_static(void)
{
	struct h_opts o;

	h_opts_init(&o);
	o.peer_static = false;
	return h_create(&o);
}

/* Start-up announcement: a request for our own address, exact fields. */
static void
test_gratuitous_at_start(void)
{
	struct h_opts o;
	struct h_arp a;
	struct h *h;

	h_opts_init(&o);
	o.keep_garp = true;
	h = h_create(&o);
	arp_out(&a, RTE_ARP_OP_REQUEST, &h_bcast_mac, &h_zero_mac, H_OUR_IP);
	h_expect(h, h_chk_arp, &a, NULL);
	CHECK_EQ(stk_inst_stats(h->in)->cnt[STK_CNT_ARP_GRATUITOUS_TX], 1);
	h_destroy(h);
}

/* A request for us is answered with exact fields; the sender is learned. */
static void
test_request_for_us(void)
{
	struct h *h = h_no_static();
	struct stk_arp_info e;
	struct h_arp req, rep;
	uint8_t buf[64];
	size_t n;

	arp_in(h, RTE_ARP_OP_REQUEST, &mac_a, HOST(10), H_OUR_IP);
	arp_out(&rep, RTE_ARP_OP_REPLY, &mac_a, &mac_a, HOST(10));
	h_expect(h, h_chk_arp, &rep, NULL);
	CHECK_EQ(h_cnt(h, STK_CNT_ARP_REPLY_TX), 1);
	CHECK_EQ(h_cnt(h, STK_CNT_ARP_LEARNED), 1);
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK(h_arp_find(h, HOST(10), &e) && e.state == 1 && rte_is_same_ether_addr(&e.mac, &mac_a),
	      "requester not learned");
	CHECK_EQ(e.expires, h->now + h->p->arp_timeout);
	/* The same request padded to 60 bytes by the sender's NIC, from another host. */
	h_arp_init(&req, RTE_ARP_OP_REQUEST, &mac_b, HOST(11), H_OUR_IP);
	memset(buf, 0xee, sizeof(buf));
	n = h_build_arp(buf, &req);
	CHECK_EQ(n, 42);
	h_inject(h, buf, 60);
	arp_out(&rep, RTE_ARP_OP_REPLY, &mac_b, &mac_b, HOST(11));
	h_expect(h, h_chk_arp, &rep, NULL);
	CHECK(h_arp_find(h, HOST(11), &e) && rte_is_same_ether_addr(&e.mac, &mac_b),
	      "padded request's sender not learned");
	h_destroy(h);
}

/* A request for another host: no reply, nothing learned, arp_not_for_us. */
static void
test_request_for_other(void)
{
	struct h *h = h_no_static();
	struct stk_arp_info e;
	struct h_arp a;
	uint8_t buf[64];

	h_arp_init(&a, RTE_ARP_OP_REQUEST, &mac_a, HOST(10), HOST(77));
	h_inject_drop(h, buf, h_build_arp(buf, &a), STK_DROP_ARP_NOT_FOR_US);
	CHECK(!h_arp_find(h, HOST(10), &e), "sender of a request for another host learned");
	CHECK_EQ(h_arp_count(h), 0);
	h_destroy(h);
}

/* Gratuitous ARP refreshes a known host (new MAC, new lifetime); unknown ones are counted. */
static void
test_gratuitous_in(void)
{
	struct h *h = h_no_static();
	struct stk_arp_info e;
	struct h_arp a;
	uint8_t buf[64];

	arp_in(h, RTE_ARP_OP_REQUEST, &mac_a, HOST(10), H_OUR_IP);
	h_drain(h);
	h_advance(h, STK_NS_PER_S);
	h_mark(h);
	/* Announcement as a request (spa == tpa), with a new MAC. */
	arp_in(h, RTE_ARP_OP_REQUEST, &mac_b, HOST(10), HOST(10));
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK(h_arp_find(h, HOST(10), &e) && rte_is_same_ether_addr(&e.mac, &mac_b),
	      "gratuitous ARP did not update the MAC");
	CHECK_EQ(e.expires, h->now + h->p->arp_timeout);
	CHECK_EQ(h_cnt(h, STK_CNT_ARP_LEARNED), 1);
	/* Announcement as a broadcast reply, back to the first MAC. */
	h_arp_init(&a, RTE_ARP_OP_REPLY, &mac_a, HOST(10), HOST(10));
	a.eth_dst = h_bcast_mac;
	h_inject(h, buf, h_build_arp(buf, &a));
	h_expect_none(h);
	CHECK(h_arp_find(h, HOST(10), &e) && rte_is_same_ether_addr(&e.mac, &mac_a),
	      "gratuitous reply did not update the MAC");
	/* From an unknown host: not learned, counted. */
	h_arp_init(&a, RTE_ARP_OP_REQUEST, &mac_b, HOST(12), HOST(12));
	h_inject_drop(h, buf, h_build_arp(buf, &a), STK_DROP_ARP_NOT_FOR_US);
	CHECK(!h_arp_find(h, HOST(12), &e), "unknown announcer learned");
	/* RFC 826 merge: a known host asking for someone else is refreshed, and counted. */
	h_advance(h, STK_NS_PER_S);
	h_arp_init(&a, RTE_ARP_OP_REQUEST, &mac_b, HOST(10), HOST(77));
	h_inject_drop(h, buf, h_build_arp(buf, &a), STK_DROP_ARP_NOT_FOR_US);
	CHECK(h_arp_find(h, HOST(10), &e) && rte_is_same_ether_addr(&e.mac, &mac_b) &&
	      e.expires == h->now + h->p->arp_timeout, "known sender not merged");
	h_destroy(h);
}

/* Malformed packets, each its own drop reason. */
static void
test_malformed(void)
{
	struct h *h = h_no_static();
	struct h_arp a;
	uint8_t buf[64];
	size_t n;
	unsigned int i;
	static const struct {
		uint16_t htype, ptype;
		uint8_t hlen, plen;
		uint16_t op;
		enum stk_drop why;
	} bad[] = {
		{ 6, RTE_ETHER_TYPE_IPV4, 6, 4, 1, STK_DROP_ARP_BAD_FORMAT },   /* IEEE 802 */
		{ 1, RTE_ETHER_TYPE_IPV6, 6, 4, 1, STK_DROP_ARP_BAD_FORMAT },
		{ 1, RTE_ETHER_TYPE_IPV4, 8, 4, 1, STK_DROP_ARP_BAD_FORMAT },
		{ 1, RTE_ETHER_TYPE_IPV4, 6, 16, 1, STK_DROP_ARP_BAD_FORMAT },
		{ 1, RTE_ETHER_TYPE_IPV4, 6, 4, 0, STK_DROP_ARP_BAD_OP },
		{ 1, RTE_ETHER_TYPE_IPV4, 6, 4, 3, STK_DROP_ARP_BAD_OP },       /* RARP request */
		{ 1, RTE_ETHER_TYPE_IPV4, 6, 4, 0x100, STK_DROP_ARP_BAD_OP },
	};

	for (i = 0; i < RTE_DIM(bad); i++) {
		h_arp_init(&a, RTE_ARP_OP_REQUEST, &mac_a, HOST(10), H_OUR_IP);
		a.htype = bad[i].htype;
		a.ptype = bad[i].ptype;
		a.hlen = bad[i].hlen;
		a.plen = bad[i].plen;
		a.op = bad[i].op;
		h_inject_drop(h, buf, h_build_arp(buf, &a), bad[i].why);
	}
	/* Truncated: every length from an empty payload to 27 bytes. */
	h_arp_init(&a, RTE_ARP_OP_REQUEST, &mac_a, HOST(10), H_OUR_IP);
	n = h_build_arp(buf, &a);
	for (i = 0; i < 28; i++)
		h_inject_drop(h, buf, n - 28 + i, STK_DROP_ARP_TRUNCATED);
	CHECK_EQ(h_arp_count(h), 0);
	h_destroy(h);
}

/* Hostile senders: broadcast, multicast or our own address, bad MACs. */
static void
test_bad_sender(void)
{
	struct h *h = h_no_static();
	static const struct rte_ether_addr mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
	static const struct {
		const struct rte_ether_addr *sha;
		rte_be32_t spa;
	} bad[] = {
		{ &mac_a, H_IP4(255, 255, 255, 255) },
		{ &mac_a, H_IP4(224, 0, 0, 1) },
		{ &mac_a, H_IP4(239, 255, 255, 250) },
		{ &mac_a, H_OUR_IP },  /* someone claims our address */
		{ &h_bcast_mac, HOST(10) },
		{ &mcast, HOST(10) },
		{ &h_zero_mac, HOST(10) },
	};
	struct h_arp a;
	uint8_t buf[64];
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		h_arp_init(&a, RTE_ARP_OP_REQUEST, bad[i].sha, bad[i].spa, H_OUR_IP);
		a.eth_src = mac_a;
		h_inject_drop(h, buf, h_build_arp(buf, &a), STK_DROP_ARP_BAD_SENDER);
		/* The same as a gratuitous announcement. */
		a.tpa = bad[i].spa;
		h_inject_drop(h, buf, h_build_arp(buf, &a), STK_DROP_ARP_BAD_SENDER);
	}
	CHECK_EQ(h_arp_count(h), 0);
	/* The subnet-directed broadcast 198.18.0.255 is no sender either. */
	h_arp_init(&a, RTE_ARP_OP_REQUEST, &mac_a, H_BCAST_IP, H_OUR_IP);
	h_inject_drop(h, buf, h_build_arp(buf, &a), STK_DROP_ARP_BAD_SENDER);
	h_drain(h);
	CHECK_EQ(h_arp_count(h), 0);
	h_destroy(h);
}

/* RFC 5227 probe (sender address 0) for our address: answered, nothing learned. */
static void
test_probe(void)
{
	struct h *h = h_no_static();
	struct h_arp a, rep;
	uint8_t buf[64];

	arp_in(h, RTE_ARP_OP_REQUEST, &mac_a, 0, H_OUR_IP);
	arp_out(&rep, RTE_ARP_OP_REPLY, &mac_a, &mac_a, 0);
	h_expect(h, h_chk_arp, &rep, NULL);
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK_EQ(h_cnt(h, STK_CNT_ARP_LEARNED), 0);
	CHECK_EQ(h_arp_count(h), 0);
	/* A probe for an address that is not ours: silence. */
	h_arp_init(&a, RTE_ARP_OP_REQUEST, &mac_a, 0, HOST(77));
	h_inject_drop(h, buf, h_build_arp(buf, &a), STK_DROP_ARP_NOT_FOR_US);
	CHECK_EQ(h_arp_count(h), 0);
	h_destroy(h);
}

/* Sending to an unknown on-link host: queued, ARP request, the reply releases it. */
static void
test_resolve(void)
{
	struct h *h = h_no_static();
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, 7000);
	struct h_udp_exp u = { .ip = { .eth_dst = mac_a, .dst = HOST(3), .proto = IPPROTO_UDP },
			       .sport = 7000, .dport = 9, .data = (const uint8_t *)"hello",
			       .len = 5 };
	struct stk_arp_info e;

	CHECK_EQ(h_udp_send(h, s, HOST(3), 9, "hello", 5), 0);
	expect_request(h, HOST(3), __LINE__);
	h_expect_none(h);
	CHECK(h_arp_find(h, HOST(3), &e) && e.state == 0, "no incomplete entry");
	CHECK(h_in_use(h) == 1, "the waiting packet holds one mbuf (%u)", h_in_use(h));
	arp_in(h, RTE_ARP_OP_REPLY, &mac_a, HOST(3), H_OUR_IP);
	h_expect(h, h_chk_udp, &u, NULL);
	h_expect_none(h);
	CHECK(h_arp_find(h, HOST(3), &e) && e.state == 1 && rte_is_same_ether_addr(&e.mac, &mac_a),
	      "reply not learned");
	/* Now resolved: the next datagram goes straight out. */
	CHECK_EQ(h_udp_send(h, s, HOST(3), 9, "hello", 5), 0);
	h_expect(h, h_chk_udp, &u, NULL);
	h_expect_drops(h, STK_DROP_NONE, 0);
	CHECK_EQ(h_in_use(h), 0);
	stk_udp_close(s);
	h_destroy(h);
}

/* Step time until the stack sends a frame or @p limit passes. @return the time waited. */
static stk_time_t
wait_frame(struct h *h, stk_time_t limit, struct h_frame *f, bool *got)
{
	stk_time_t start = h->now;

	*got = false;
	while (h->now - start < limit) {
		h_advance(h, H_STEP_NS);
		if (h_take(h, f)) {
			*got = true;
			break;
		}
	}
	return h->now - start;
}

/* No answer: a request every arp_retry, arp_retries in all, then the waiting packets go. */
static void
test_retries(void)
{
	struct h *h = h_no_static();
	const struct stk_params *p = h->p;
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, 7000);
	static struct h_frame f;
	struct h_arp a;
	char why[128];
	stk_time_t waited;
	unsigned int i;
	bool got;

	CHECK_EQ(p->arp_retries, 3);
	h_udp_send(h, s, HOST(4), 9, "one", 3);
	h_udp_send(h, s, HOST(4), 9, "two", 3);
	expect_request(h, HOST(4), __LINE__);
	h_expect_none(h);
	arp_out(&a, RTE_ARP_OP_REQUEST, &h_bcast_mac, &h_zero_mac, HOST(4));
	for (i = 1; i < p->arp_retries; i++) {
		/* Housekeeping runs every 50 ms: a retry is due within that of arp_retry. */
		waited = wait_frame(h, p->arp_retry + 100 * STK_NS_PER_MS, &f, &got);
		CHECK(got && h_chk_arp(&f, &a, why, sizeof(why)), "retry %u missing or wrong", i);
		CHECK(waited >= p->arp_retry && waited <= p->arp_retry + 51 * STK_NS_PER_MS,
		      "retry %u after %" PRIu64 " ns", i, waited);
		CHECK_EQ(h_drop(h, STK_DROP_ARP_UNRESOLVED), 0);
	}
	CHECK_EQ(h_cnt(h, STK_CNT_ARP_REQUEST_TX), p->arp_retries);
	/* After the last one's interval the packets are dropped, nothing sent. */
	h_advance(h, p->arp_retry - STK_NS_PER_MS);
	CHECK_EQ(h_drop(h, STK_DROP_ARP_UNRESOLVED), 0);
	h_advance(h, 60 * STK_NS_PER_MS);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_ARP_UNRESOLVED, 2);
	CHECK_EQ(h_in_use(h), 0);
	CHECK_EQ(h_arp_count(h), 0);
	/* The next packet starts a new resolution. */
	h_udp_send(h, s, HOST(4), 9, "three", 5);
	expect_request(h, HOST(4), __LINE__);
	stk_udp_close(s);
	h_destroy(h);
}

/* The queue of packets awaiting resolution is bounded by arp_queue_len. */
static void
test_queue_full(void)
{
	struct h_opts o;
	struct h *h;
	struct stk_udp_sock *s;
	struct h_udp_exp u = { .ip = { .eth_dst = mac_a, .dst = HOST(5), .proto = IPPROTO_UDP },
			       .sport = 7000, .dport = 9, .len = 2 };

	h_opts_init(&o);
	o.peer_static = false;
	o.p.arp_queue_len = 2;
	h = h_create(&o);
	s = h_udp_open(h, &rx, 0, 7000);
	CHECK_EQ(h_udp_send(h, s, HOST(5), 9, "p0", 2), 0);
	CHECK_EQ(h_udp_send(h, s, HOST(5), 9, "p1", 2), 0);
	expect_request(h, HOST(5), __LINE__);
	h_udp_send(h, s, HOST(5), 9, "p2", 2);
	h_udp_send(h, s, HOST(5), 9, "p3", 2);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_ARP_QUEUE_FULL, 2);
	CHECK(h_in_use(h) == 2, "%u mbufs held, expected the 2 queued", h_in_use(h));
	arp_in(h, RTE_ARP_OP_REPLY, &mac_a, HOST(5), H_OUR_IP);
	u.data = (const uint8_t *)"p0";
	h_expect(h, h_chk_udp, &u, NULL);
	u.data = (const uint8_t *)"p1";
	h_expect(h, h_chk_udp, &u, NULL);
	CHECK_EQ(h_in_use(h), 0);
	stk_udp_close(s);
	h_destroy(h);
}

/* Unresolved entries fill a small cache: further next hops are refused, not queued. */
static void
test_cache_full(void)
{
	struct h_opts o;
	struct h *h;
	struct stk_udp_sock *s;
	unsigned int i, held;

	h_opts_init(&o);
	o.peer_static = false;
	o.p.arp_cache_size = 8;
	h = h_create(&o);
	s = h_udp_open(h, &rx, 0, 7000);
	for (i = 0; i < 100; i++)
		h_udp_send(h, s, HOST(100 + i), 9, "c", 1);
	held = h_arp_count(h);
	CHECK(held >= 8 && held <= 16, "%u entries in a cache of 8", held);
	CHECK_EQ(h_drain(h), held);
	CHECK_EQ(h_cnt(h, STK_CNT_ARP_REQUEST_TX), held);
	CHECK_EQ(h_in_use(h), held);
	h_expect_drops(h, STK_DROP_ARP_CACHE_FULL, 100 - held);
	/* Unanswered, they all go after the retries. */
	h_mark(h);
	h_advance(h, h->p->arp_retries * h->p->arp_retry + 100 * STK_NS_PER_MS);
	CHECK_EQ(h_drain(h), held * (h->p->arp_retries - 1));
	h_expect_drops(h, STK_DROP_ARP_UNRESOLVED, held);
	CHECK_EQ(h_in_use(h), 0);
	CHECK_EQ(h_arp_count(h), 0);
	stk_udp_close(s);
	h_destroy(h);
}

/* A learned entry ages out after arp_timeout; the next packet resolves again. */
static void
test_aging(void)
{
	struct h_opts o;
	struct h *h;
	struct stk_udp_sock *s;
	struct stk_arp_info e;
	struct h_udp_exp u = { .ip = { .eth_dst = mac_a, .dst = HOST(6), .proto = IPPROTO_UDP },
			       .sport = 7000, .dport = 9, .data = (const uint8_t *)"x", .len = 1 };

	h_opts_init(&o);
	o.peer_static = false;
	o.p.arp_timeout = 5 * STK_NS_PER_S;
	h = h_create(&o);
	s = h_udp_open(h, &rx, 0, 7000);
	arp_in(h, RTE_ARP_OP_REQUEST, &mac_a, HOST(6), H_OUR_IP);
	h_drain(h);
	h_udp_send(h, s, HOST(6), 9, "x", 1);
	h_expect(h, h_chk_udp, &u, NULL);
	h_advance(h, o.p.arp_timeout - 100 * STK_NS_PER_MS);
	CHECK(h_arp_find(h, HOST(6), &e), "entry gone before arp_timeout");
	h_udp_send(h, s, HOST(6), 9, "x", 1);
	h_expect(h, h_chk_udp, &u, NULL);
	h_advance(h, 200 * STK_NS_PER_MS);
	h_expect_none(h);
	CHECK(!h_arp_find(h, HOST(6), &e), "entry still cached after arp_timeout");
	CHECK_EQ(h_cnt(h, STK_CNT_ARP_EXPIRED), 1);
	h_udp_send(h, s, HOST(6), 9, "x", 1);
	expect_request(h, HOST(6), __LINE__);
	arp_in(h, RTE_ARP_OP_REPLY, &mac_a, HOST(6), H_OUR_IP);
	h_expect(h, h_chk_udp, &u, NULL);
	h_expect_drops(h, STK_DROP_NONE, 0);
	stk_udp_close(s);
	h_destroy(h);
}

/* Static entries need no ARP, never age and are not overwritten by ARP. */
static void
test_static(void)
{
	struct h_opts o;
	struct h *h;
	struct stk_udp_sock *s;
	struct stk_arp_info e;
	struct h_udp_exp u = { .ip = { .eth_dst = h_peer_mac, .dst = H_PEER_IP,
				       .proto = IPPROTO_UDP },
			       .sport = 7000, .dport = 9, .data = (const uint8_t *)"s", .len = 1 };
	struct h_arp a;
	uint8_t buf[64];

	h_opts_init(&o);
	o.p.arp_timeout = 2 * STK_NS_PER_S;
	h = h_create(&o);
	s = h_udp_open(h, &rx, 0, 7000);
	CHECK(h_arp_find(h, H_PEER_IP, &e) && e.state == 2 && e.expires == 0 &&
	      rte_is_same_ether_addr(&e.mac, &h_peer_mac), "static entry missing");
	h_udp_send(h, s, H_PEER_IP, 9, "s", 1);
	h_expect(h, h_chk_udp, &u, NULL);
	h_advance(h, 3 * o.p.arp_timeout);
	h_expect_none(h);
	/* An announcement claiming the peer's address from another MAC changes nothing. */
	h_arp_init(&a, RTE_ARP_OP_REQUEST, &mac_b, H_PEER_IP, H_PEER_IP);
	h_inject(h, buf, h_build_arp(buf, &a));
	h_expect_none(h);
	h_udp_send(h, s, H_PEER_IP, 9, "s", 1);
	h_expect(h, h_chk_udp, &u, NULL);
	CHECK(h_arp_find(h, H_PEER_IP, &e) && e.state == 2 &&
	      rte_is_same_ether_addr(&e.mac, &h_peer_mac), "static entry changed");
	CHECK_EQ(h_cnt(h, STK_CNT_ARP_REQUEST_TX), 0);
	stk_udp_close(s);
	h_destroy(h);
}

/* Through the gateway: the packet waits for the gateway's address, not the destination's. */
static void
gateway_resolve(struct h *h)
{
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, 7000);
	struct h_udp_exp u = { .ip = { .eth_dst = h_gw_mac, .dst = H_FAR_IP, .proto = IPPROTO_UDP },
			       .sport = 7000, .dport = 53, .data = (const uint8_t *)"far", .len = 3 };

	CHECK_EQ(h_udp_send(h, s, H_FAR_IP, 53, "far", 3), 0);
	expect_request(h, H_GW_IP, __LINE__);
	h_expect_none(h);
	arp_in(h, RTE_ARP_OP_REPLY, &h_gw_mac, H_GW_IP, H_OUR_IP);
	h_expect(h, h_chk_udp, &u, NULL);
	h_expect_drops(h, STK_DROP_NONE, 0);
	stk_udp_close(s);
}

/* Off-link destinations resolve the gateway's address; no gateway, no route. */
static void
test_gateway_and_no_route(void)
{
	struct h_udp_exp u = { .ip = { .eth_dst = h_peer_mac, .dst = H_PEER_IP,
				       .proto = IPPROTO_UDP },
			       .sport = 7000, .dport = 53, .data = (const uint8_t *)"far", .len = 3 };
	struct stk_udp_sock *s;
	struct h_opts o;
	struct h *h;

	/* A route to 203.0.113.0/24 via the gateway. */
	h_opts_init(&o);
	o.far_route = true;
	h = h_create(&o);
	gateway_resolve(h);
	h_destroy(h);
	/* A port's default gateway: 0.0.0.0/0, which rte_lpm (depths 1..32) can't hold. */
	h_opts_init(&o);
	o.gateway = true;
	h = h_create(&o);
	CHECK(h != NULL, "stack set-up with a default gateway failed");
	if (h != NULL)
		gateway_resolve(h);
	h_destroy(h);
	/* No gateway: off-link is unreachable. */
	h = h_create(NULL);
	s = h_udp_open(h, &rx, 0, 7000);
	CHECK_EQ(h_udp_send(h, s, H_FAR_IP, 53, "far", 3), STK_ENOROUTE);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_IPV4_NO_ROUTE, 1);
	CHECK_EQ(h_in_use(h), 0);
	/* On-link destinations still work. */
	h_udp_send(h, s, H_PEER_IP, 53, "far", 3);
	h_expect(h, h_chk_udp, &u, NULL);
	stk_udp_close(s);
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_gratuitous_at_start();
	test_request_for_us();
	test_request_for_other();
	test_gratuitous_in();
	test_malformed();
	test_bad_sender();
	test_probe();
	test_resolve();
	test_retries();
	test_queue_full();
	test_cache_full();
	test_aging();
	test_static();
	test_gateway_and_no_route();
	test_eal_finish();
	return check_done();
}
