/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two stacks in one process, each on its own port, joined by a real PMD pair:
 * an in-process ring pair (rte_eth_from_rings) and a memif server/client pair.
 * Host B runs a UDP echo; host A resolves B with ARP, sends datagrams of
 * several sizes (fragmented above the MTU) and checks every echo byte for
 * byte. Both ports are brought up by drv_port_open(), the runtime's own code.
 *
 *   test_loop_udp ring|memif
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "check.h"
#include "drv.h"

struct host {
	struct drv_port *port;
	struct stk_shared *sh;
	struct stk_inst *in;
	struct stk_udp_sock *sock;
};

struct echo_seen {
	unsigned int datagrams;
	uint8_t buf[16384];
	uint32_t len;
	rte_be32_t src;
	rte_be16_t sport;
};

static struct rte_mempool *mp, *indirect;
static stk_time_t now = STK_NS_PER_S;

static void
echo_back(void *arg, struct stk_udp_sock *s, struct rte_mbuf *m, rte_be32_t src, rte_be16_t sport,
	  rte_be32_t dst)
{
	CHECK(stk_udp_sendto(s, m, src, sport) == 0, "echo send");
}

static void
record(void *arg, struct stk_udp_sock *s, struct rte_mbuf *m, rte_be32_t src, rte_be16_t sport,
       rte_be32_t dst)
{
	struct echo_seen *e = arg;

	e->datagrams++;
	e->len = RTE_MIN(m->pkt_len, (uint32_t)sizeof(e->buf));
	e->src = src;
	e->sport = sport;
	{
		const void *d = rte_pktmbuf_read(m, 0, e->len, e->buf);

		if (d != NULL && d != e->buf)
			memcpy(e->buf, d, e->len);
	}
	rte_pktmbuf_free(m);
}

static const struct stk_udp_upcalls echo_up = { .recv = echo_back };
static const struct stk_udp_upcalls record_up = { .recv = record };

static int
host_up(struct host *h, const struct drv_conf_port *pc, unsigned int idx)
{
	struct stk_params p;
	struct stk_port_conf spc;
	char err[256];

	h->port = drv_port_open(pc, idx, 1, mp, err, sizeof(err));
	if (h->port == NULL) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	stk_params_default(&p);
	h->sh = stk_shared_create(&p, SOCKET_ID_ANY);
	drv_port_stk_conf(h->port, &spc);
	CHECK(stk_shared_add_port(h->sh, &spc) == 0);
	CHECK(stk_shared_freeze(h->sh) == 0);
	h->in = stk_inst_create(h->sh, 0, 1, mp, indirect, SOCKET_ID_ANY);
	CHECK(h->in != NULL, "instance");
	if (h->in != NULL)
		stk_inst_link(&h->in, 1);
	return h->in == NULL ? -1 : 0;
}

static void
print_drops(const char *name, const struct host *h)
{
	const struct stk_stats *s = stk_inst_stats(h->in);
	unsigned int i;

	for (i = 1; i < STK_DROP__MAX; i++)
		if (s->drop[i] != 0)
			printf("%s dropped %" PRIu64 " as %s\n", name, s->drop[i], stk_drop_name(i));
}

static void
host_down(struct host *h)
{
	if (h->sock != NULL)
		stk_udp_close(h->sock);
	stk_inst_destroy(h->in);
	stk_shared_free(h->sh);
	drv_port_close(h->port);
}

/* Poll both hosts until @p done or @p max_ms of virtual time (real time moves too: memif). */
static void
run(struct host *a, struct host *b, const unsigned int *counter, unsigned int want,
    unsigned int max_ms)
{
	unsigned int i;

	for (i = 0; i < max_ms * 10 && (counter == NULL || *counter < want); i++) {
		now += STK_NS_PER_MS / 10;
		stk_inst_poll(a->in, now);
		stk_inst_poll(b->in, now);
		if (i % 10 == 0)
			usleep(100);
	}
}

static void
conf_pair(const char *kind, struct drv_conf_port *a, struct drv_conf_port *b, char *sock)
{
	memset(a, 0, sizeof(*a));
	a->mtu = 1500;
	a->offloads = true;
	a->prefix_len = 24;
	*b = *a;
	a->addr = TEST_IP4(198, 18, 7, 1);
	b->addr = TEST_IP4(198, 18, 7, 2);
	a->mac_set = b->mac_set = true;
	rte_ether_unformat_addr("02:00:00:00:07:01", &a->mac);
	rte_ether_unformat_addr("02:00:00:00:07:02", &b->mac);
	if (strcmp(kind, "ring") == 0) {
		a->kind = b->kind = DRV_PORT_RING;
		strcpy(a->ring, "loop0");
		strcpy(b->ring, "loop0");
		b->ring_side = 1;
	} else {
		a->kind = b->kind = DRV_PORT_MEMIF;
		a->memif_server = true;
		strcpy(a->memif_socket, sock);
		strcpy(b->memif_socket, sock);
	}
}

/* Copy @p len bytes into a chain of mbufs from @p in's pool. */
static struct rte_mbuf *
mbuf_from_bytes(struct stk_inst *in, const uint8_t *buf, uint32_t len)
{
	struct rte_mbuf *head = stk_pktmbuf_alloc(in), *seg = head;
	uint32_t off = 0;

	while (seg != NULL && off < len) {
		uint16_t n = (uint16_t)RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(seg));

		/* Appending to a later segment grows only that segment's counts. */
		memcpy(rte_pktmbuf_append(seg, n), buf + off, n);
		if (seg != head)
			head->pkt_len += n;
		off += n;
		if (off < len) {
			seg = stk_pktmbuf_alloc(in);
			if (seg != NULL && rte_pktmbuf_chain(head, seg) != 0) {
				rte_pktmbuf_free(seg);
				seg = NULL;
			}
		}
	}
	if (seg == NULL) {
		rte_pktmbuf_free(head);
		return NULL;
	}
	return head;
}

static void
exchange(struct host *a, struct host *b, struct echo_seen *seen, uint32_t size)
{
	static uint8_t payload[16384];
	unsigned int before = seen->datagrams;
	struct rte_mbuf *m;
	uint32_t i;

	for (i = 0; i < size; i++)
		payload[i] = (uint8_t)(i * 13 + size);
	m = mbuf_from_bytes(a->in, payload, size);
	CHECK(m != NULL && m->pkt_len == size, "payload of %u bytes built", size);
	if (m == NULL)
		return;
	CHECK(stk_udp_sendto(a->sock, m, TEST_IP4(198, 18, 7, 2),
			     rte_cpu_to_be_16(7)) == 0, "send %u", size);
	run(a, b, &seen->datagrams, before + 1, 2000);
	CHECK(seen->datagrams == before + 1, "echo of %u bytes came back", size);
	CHECK_EQ(seen->len, size);
	CHECK(seen->len == size && memcmp(seen->buf, payload, size) == 0,
	      "echo of %u bytes is byte-exact", size);
	CHECK(seen->src == TEST_IP4(198, 18, 7, 2) &&
	      seen->sport == rte_cpu_to_be_16(7), "echo source");
}

int
main(int argc, char **argv)
{
	static const uint32_t sizes[] = { 1, 64, 1472, 1473, 3000, 8000 };
	const char *kind = argc > 1 ? argv[1] : "ring";
	struct drv_conf_port ca, cb;
	struct host a = { 0 }, b = { 0 };
	struct echo_seen seen = { 0 };
	char sock[64];
	unsigned int i;

	test_eal_init(argv[0]);
	snprintf(sock, sizeof(sock), "/tmp/wskloop-%d.sock", (int)getpid());
	mp = rte_pktmbuf_pool_create("loop_pkt", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	indirect = rte_pktmbuf_pool_create("loop_ind", 2047, 64, 0, 0, SOCKET_ID_ANY);
	conf_pair(kind, &ca, &cb, sock);
	if (host_up(&a, &ca, 0) != 0 || host_up(&b, &cb, 1) != 0) {
		CHECK(0, "%s ports up", kind);
		goto out;
	}
	CHECK(stk_udp_open(b.in, &echo_up, NULL, &b.sock) == 0);
	CHECK(stk_udp_bind(b.sock, 0, rte_cpu_to_be_16(7)) == 0);
	CHECK(stk_udp_open(a.in, &record_up, &seen, &a.sock) == 0);
	CHECK(stk_udp_bind(a.sock, 0, 0) == 0);
	/* memif links come up asynchronously: wait for both. */
	for (i = 0; i < 5000; i++) {
		struct rte_eth_link la, lb;

		rte_eth_link_get_nowait(drv_port_id(a.port), &la);
		rte_eth_link_get_nowait(drv_port_id(b.port), &lb);
		if (la.link_status && lb.link_status)
			break;
		usleep(1000);
	}
	CHECK(i < 5000, "%s links up", kind);
	stk_inst_start(a.in, now);
	stk_inst_start(b.in, now);
	/* Let both poll a while: a memif client posts its RX buffers on its
	 * first polls, and until then the server's TX accepts nothing. */
	run(&a, &b, NULL, 0, 100);
	for (i = 0; i < RTE_DIM(sizes); i++)
		exchange(&a, &b, &seen, sizes[i]);
	printf("%s: %u echoes, A sent %" PRIu64 " frames, B sent %" PRIu64 " frames\n", kind,
	       seen.datagrams, stk_inst_stats(a.in)->cnt[STK_CNT_TX_FRAMES],
	       stk_inst_stats(b.in)->cnt[STK_CNT_TX_FRAMES]);
	CHECK(stk_inst_stats(a.in)->cnt[STK_CNT_ARP_REQUEST_TX] == 1, "A resolved B once");
	print_drops("A", &a);
	print_drops("B", &b);
out:
	host_down(&b);
	host_down(&a);
	test_eal_finish();
	unlink(sock);
	return check_done();
}
