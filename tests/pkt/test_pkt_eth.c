/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet input filtering, the request ring (stk_inst_post() from another
 * thread) and a full TX queue.
 */
#include <pthread.h>
#include <string.h>

#include <rte_arp.h>

#include "harness.h"

static const struct rte_ether_addr other_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x99}};
static const struct rte_ether_addr mcast4_mac = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
static const struct rte_ether_addr mcast6_mac = {{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}};

/* An echo request from the peer to us, with the Ethernet header as given. */
static size_t
echo_frame(uint8_t *buf, const struct rte_ether_addr *dst, const struct rte_ether_addr *src)
{
	uint8_t icmp[64];
	struct h_ip ip;
	size_t n = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 0, 1, 1, "ping", 4);

	h_ip_init(&ip, IPPROTO_ICMP, H_PEER_IP, H_OUR_IP);
	ip.eth_dst = *dst;
	ip.eth_src = *src;
	return h_build_ipv4(buf, &ip, icmp, n);
}

static const struct h_echo_exp echo_exp = {
	.ip = { .eth_dst = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}}, /* h_peer_mac */
		.dst = H_PEER_IP, .proto = IPPROTO_ICMP },
	.id = 1, .seq = 1, .data = (const uint8_t *)"ping", .len = 4,
};

/* Frames not for our MAC, from our MAC, tagged, of unknown type, too short. */
static void
test_eth_filter(void)
{
	struct h *h = h_create(NULL);
	uint8_t buf[128], tagged[128];
	size_t n;
	unsigned int i;

	n = echo_frame(buf, &h_our_mac, &h_peer_mac);
	h_inject(h, buf, n);
	h_expect(h, h_chk_echo_reply, &echo_exp, NULL);
	CHECK_EQ(h_cnt(h, STK_CNT_RX_FRAMES), 1);
	CHECK_EQ(h_cnt(h, STK_CNT_RX_BYTES), n);
	n = echo_frame(buf, &other_mac, &h_peer_mac);
	h_inject_drop(h, buf, n, STK_DROP_ETH_NOT_FOR_US);
	n = echo_frame(buf, &mcast4_mac, &h_peer_mac);
	h_inject_drop(h, buf, n, STK_DROP_ETH_NOT_FOR_US);
	n = echo_frame(buf, &mcast6_mac, &h_peer_mac);
	h_inject_drop(h, buf, n, STK_DROP_ETH_NOT_FOR_US);
	n = echo_frame(buf, &h_our_mac, &h_our_mac);
	h_inject_drop(h, buf, n, STK_DROP_ETH_OWN_SRC);
	n = echo_frame(buf, &h_bcast_mac, &h_our_mac);
	h_inject_drop(h, buf, n, STK_DROP_ETH_OWN_SRC);
	/* 802.1Q and 802.1ad tags in front of the IPv4 EtherType. */
	n = echo_frame(buf, &h_our_mac, &h_peer_mac);
	memcpy(tagged, buf, 12);
	memcpy(tagged + 12, "\x81\x00\x00\x05", 4);
	memcpy(tagged + 16, buf + 12, n - 12);
	h_inject_drop(h, tagged, n + 4, STK_DROP_ETH_VLAN);
	memcpy(tagged + 12, "\x88\xa8\x00\x05", 4);
	h_inject_drop(h, tagged, n + 4, STK_DROP_ETH_VLAN);
	/* IPv6, LLDP and an unassigned type, unicast to us and broadcast. */
	memcpy(buf + 12, "\x86\xdd", 2);
	h_inject_drop(h, buf, n, STK_DROP_ETH_UNKNOWN_TYPE);
	memcpy(buf + 12, "\x88\xcc", 2);
	h_inject_drop(h, buf, n, STK_DROP_ETH_UNKNOWN_TYPE);
	memcpy(buf, &h_bcast_mac, 6);
	memcpy(buf + 12, "\x12\x34", 2);
	h_inject_drop(h, buf, n, STK_DROP_ETH_UNKNOWN_TYPE);
	/* Runts: 0 to 13 bytes. */
	n = echo_frame(buf, &h_our_mac, &h_peer_mac);
	for (i = 0; i < 14; i++)
		h_inject_drop(h, buf, i, STK_DROP_ETH_TRUNCATED);
	/* Still working. */
	h_inject(h, buf, n);
	h_expect(h, h_chk_echo_reply, &echo_exp, NULL);
	h_destroy(h);
}

/* ---- request ring ---- */

struct post_ctx {
	struct stk_inst *in;
	unsigned int want;      /* posts to try */
	unsigned int accepted;  /* posts that returned 0 */
	int last_rc;
	unsigned int ran;       /* runs of req_fn */
	pthread_t lcore;        /* the thread req_fn must run on */
	bool wrong_thread;
	struct stk_udp_sock *sock; /* req_send: socket to send on */
};

static void
req_fn(struct stk_inst *in, void *arg)
{
	struct post_ctx *c = arg;

	c->ran++;
	if (!pthread_equal(pthread_self(), c->lcore) || in != c->in)
		c->wrong_thread = true;
}

static void *
poster(void *arg)
{
	struct post_ctx *c = arg;
	unsigned int i;

	for (i = 0; i < c->want; i++) {
		c->last_rc = stk_inst_post(c->in, req_fn, c);
		if (c->last_rc != 0)
			break;
		c->accepted++;
	}
	return NULL;
}

static void
post_from_thread(struct post_ctx *c)
{
	pthread_t t;

	CHECK(pthread_create(&t, NULL, poster, c) == 0, "pthread_create");
	pthread_join(t, NULL);
}

/* A request made by a datagram send on the owning lcore. */
static void
req_send(struct stk_inst *in, void *arg)
{
	struct post_ctx *c = arg;
	struct rte_mbuf *m = stk_pktmbuf_alloc(in);

	memcpy(rte_pktmbuf_append(m, 4), "post", 4);
	c->last_rc = stk_udp_sendto(c->sock, m, H_PEER_IP, RTE_BE16(9));
	c->ran++;
}

static void
test_request_ring(void)
{
	struct h_opts o;
	struct h *h;
	struct post_ctx c = { .lcore = pthread_self() };
	static struct h_udp_rx rx;
	struct h_udp_exp u = { .ip = { .eth_dst = h_peer_mac, .dst = H_PEER_IP,
				       .proto = IPPROTO_UDP },
			       .sport = 7000, .dport = 9, .data = (const uint8_t *)"post", .len = 4 };

	h_opts_init(&o);
	o.p.req_ring_size = 16;
	h = h_create(&o);
	c.in = h->in;
	CHECK_EQ(stk_inst_post(h->in, NULL, NULL), STK_EINVAL);
	/* One request from another thread runs on the next poll, on the polling thread. */
	c.want = 1;
	post_from_thread(&c);
	CHECK_EQ(c.accepted, 1);
	CHECK_EQ(c.ran, 0);
	h_poll(h);
	CHECK_EQ(c.ran, 1);
	CHECK(!c.wrong_thread, "request ran on another thread or instance");
	CHECK_EQ(h_cnt(h, STK_CNT_REQUESTS), 1);
	/* Fill the ring: STK_EAGAIN once it is full (a 16-slot rte_ring holds 15). */
	c = (struct post_ctx){ .in = h->in, .lcore = pthread_self(), .want = 100 };
	post_from_thread(&c);
	CHECK_EQ(c.last_rc, STK_EAGAIN);
	CHECK(c.accepted >= 15 && c.accepted <= 16, "%u requests accepted", c.accepted);
	CHECK_EQ(c.ran, 0);
	h_poll(h);
	CHECK_EQ(c.ran, c.accepted);
	CHECK(!c.wrong_thread, "request ran on another thread or instance");
	CHECK_EQ(stk_inst_post(h->in, req_fn, &c), 0);
	h_poll(h);
	CHECK_EQ(c.ran, c.accepted + 1);
	/* A request may use the socket API: its datagram leaves in the same poll. */
	c = (struct post_ctx){ .in = h->in, .lcore = pthread_self() };
	c.sock = h_udp_open(h, &rx, 0, 7000);
	CHECK_EQ(stk_inst_post(h->in, req_send, &c), 0);
	h_poll(h);
	CHECK_EQ(c.ran, 1);
	CHECK_EQ(c.last_rc, 0);
	h_expect(h, h_chk_udp, &u, NULL);
	stk_udp_close(c.sock);
	/* Requests still queued at destroy run then (they may own their argument). */
	c = (struct post_ctx){ .in = h->in, .lcore = pthread_self() };
	CHECK_EQ(stk_inst_post(h->in, req_fn, &c), 0);
	h_destroy(h);
	CHECK_EQ(c.ran, 1);
}

/* ---- TX full ---- */

static void
test_tx_full(void)
{
	struct h *h = h_create(NULL);
	uint8_t buf[128];
	size_t n = echo_frame(buf, &h_our_mac, &h_peer_mac);
	static struct h_udp_rx rx;
	struct stk_udp_sock *s = h_udp_open(h, &rx, 0, 7000);

	/* One reply, refused by the device: dropped and counted, mbuf freed. */
	drv_memdev_block_tx(h->dev, 1);
	h_inject(h, buf, n);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TX_FULL, 1);
	CHECK_EQ(h_cnt(h, STK_CNT_TX_FRAMES), 0);
	CHECK_EQ(h_cnt(h, STK_CNT_ICMP_ECHO_REPLY_TX), 1);
	CHECK_EQ(h_in_use(h), 0);
	/* A batch of three in one poll, all refused. */
	h_mark(h);
	h_inject_only(h, buf, n);
	h_inject_only(h, buf, n);
	h_inject_only(h, buf, n);
	drv_memdev_block_tx(h->dev, 1);
	h_poll(h);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TX_FULL, 3);
	CHECK_EQ(h_in_use(h), 0);
	/* A datagram sent into a blocked queue. */
	h_mark(h);
	drv_memdev_block_tx(h->dev, 1);
	CHECK_EQ(h_udp_send(h, s, H_PEER_IP, 9, "lost", 4), 0);
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_TX_FULL, 1);
	CHECK_EQ(h_in_use(h), 0);
	/* The queue drains again. */
	h_mark(h);
	h_inject(h, buf, n);
	h_expect(h, h_chk_echo_reply, &echo_exp, NULL);
	CHECK_EQ(h_cnt(h, STK_CNT_TX_FRAMES), 1);
	h_expect_drops(h, STK_DROP_NONE, 0);
	stk_udp_close(s);
	h_destroy(h);
}

/* More replies in one poll than a TX batch holds: the batch flushes and none is lost. */
static void
test_tx_batch_overflow(void)
{
	struct h_opts o;
	struct h *h;
	uint8_t buf[128];
	size_t n = echo_frame(buf, &h_our_mac, &h_peer_mac);
	unsigned int i, got = 0;

	h_opts_init(&o);
	o.p.burst = 256;
	h = h_create(&o);
	for (i = 0; i < 200; i++)
		h_inject_only(h, buf, n);
	/* One poll takes all 200 (burst 256) and sends 200 replies through 64-frame batches. */
	CHECK_EQ(stk_inst_poll(h->in, h->now), 200);
	h_poll(h);
	while (h_expect(h, h_chk_echo_reply, &echo_exp, NULL))
		if (++got == 200)
			break;
	CHECK_EQ(got, 200);
	h_expect_drops(h, STK_DROP_NONE, 0);
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_eth_filter();
	test_request_ring();
	test_tx_full();
	test_tx_batch_overflow();
	test_eal_finish();
	return check_done();
}
