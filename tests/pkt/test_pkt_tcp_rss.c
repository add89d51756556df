/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Active opens on a multi-queue port (DESIGN: connections map to lcores by
 * the RSS hash of the 4-tuple). Two instances on a two-queue in-memory
 * device:
 *  - with a Toeplitz key and RETA on the port, instance 1's connect picks a
 *    local port whose inbound hash lands on queue 1 (checked with DPDK's
 *    byte-swapped-key variant, rte_softrss_be, not the stack's call), and the
 *    SYN-ACK on queue 1 completes it;
 *  - without RSS (as net_af_packet), instance 1 picks a port equal to 1 mod
 *    2, and a SYN-ACK that arrives on queue 0 is passed to instance 1, which
 *    completes the handshake.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_thash.h>

#include "check.h"
#include "drv.h"
#include "stk_tcp.h"

#define NQ 2
static const struct rte_ether_addr our_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct rte_ether_addr peer_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const uint8_t key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static struct rte_mempool *mp, *ind;
static int connected_err = 1;

static void
on_connected(void *arg, struct stk_tcp_conn *c, int err)
{
	connected_err = err;
}

static const struct stk_tcp_upcalls up = { .connected = on_connected };

/* The SYN-ACK answering @p syn (a frame the stack sent). */
static struct rte_mbuf *
synack_for(const struct rte_mbuf *syn)
{
	const struct rte_ipv4_hdr *sip = rte_pktmbuf_mtod_offset(syn, const struct rte_ipv4_hdr *, 14);
	const struct rte_tcp_hdr *st = rte_pktmbuf_mtod_offset(syn, const struct rte_tcp_hdr *, 34);
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 14 + 20 + 20);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + 1);

	e->dst_addr = our_mac;
	e->src_addr = peer_mac;
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16(40);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = sip->dst_addr;
	ip->dst_addr = sip->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memset(t, 0, sizeof(*t));
	t->src_port = st->dst_port;
	t->dst_port = st->src_port;
	t->sent_seq = rte_cpu_to_be_32(5000);
	t->recv_ack = rte_cpu_to_be_32(rte_be_to_cpu_32(st->sent_seq) + 1);
	t->data_off = 5 << 4;
	t->tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
	t->rx_win = rte_cpu_to_be_16(65535);
	t->cksum = rte_ipv4_udptcp_cksum(ip, t);
	return m;
}

static struct rte_mbuf *
take_tcp(struct drv_memdev *d, uint16_t q)
{
	struct rte_mbuf *m;

	while (drv_memdev_take(d, q, &m, 1) == 1) {
		const struct rte_ether_hdr *e = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

		if (e->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
			return m;
		rte_pktmbuf_free(m); /* gratuitous ARP */
	}
	return NULL;
}

static void
run(bool rss)
{
	struct stk_port_conf pc;
	struct stk_params p;
	struct drv_memdev *d = drv_memdev_create(&our_mac, NQ, 64);
	struct stk_shared *sh;
	struct stk_inst *in[NQ];
	struct stk_tcp_conn *c = NULL;
	struct rte_mbuf *syn, *ack;
	stk_time_t now = STK_NS_PER_S;
	unsigned int i, q;

	stk_params_default(&p);
	sh = stk_shared_create(&p, SOCKET_ID_ANY);
	drv_memdev_stk_conf(d, &pc);
	pc.addr = TEST_IP4(198, 18, 0, 1);
	pc.prefix_len = 24;
	if (rss) {
		memcpy(pc.rss_key, key, sizeof(key));
		pc.rss_key_len = sizeof(key);
		pc.reta_size = 128;
		for (i = 0; i < pc.reta_size; i++)
			pc.reta[i] = (uint16_t)(i % NQ);
	}
	CHECK(stk_shared_add_port(sh, &pc) == 0);
	CHECK(stk_shared_add_static_arp(sh, TEST_IP4(198, 18, 0, 2), &peer_mac) == 0);
	CHECK(stk_shared_freeze(sh) == 0);
	for (i = 0; i < NQ; i++)
		in[i] = stk_inst_create(sh, i, NQ, mp, ind, SOCKET_ID_ANY);
	stk_inst_link(in, NQ);
	for (i = 0; i < NQ; i++)
		stk_inst_start(in[i], now);
	connected_err = 1;
	CHECK(stk_tcp_connect(in[1], 0, 0, TEST_IP4(198, 18, 0, 2), rte_cpu_to_be_16(80), &up, NULL,
			      &c) == 0, "connect");
	stk_inst_poll(in[1], now);
	syn = take_tcp(d, 1);
	CHECK(syn != NULL, "%s: SYN out on queue 1", rss ? "rss" : "no rss");
	if (syn != NULL) {
		const struct rte_tcp_hdr *t = rte_pktmbuf_mtod_offset(syn, const struct rte_tcp_hdr *, 34);
		uint16_t lport = rte_be_to_cpu_16(t->src_port);

		if (rss) {
			uint8_t bekey[40];
			uint32_t tuple[3] = { rte_be_to_cpu_32(TEST_IP4(198, 18, 0, 2)),
					      rte_be_to_cpu_32(TEST_IP4(198, 18, 0, 1)),
					      80u << 16 | lport };

			rte_convert_rss_key((const uint32_t *)key, (uint32_t *)bekey, sizeof(key));
			CHECK(rte_softrss_be(tuple, 3, bekey) % 128 % NQ == 1,
			      "rss: local port %u hashes to queue 1", lport);
		} else {
			CHECK(lport % NQ == 1, "no rss: local port %u is 1 mod %u", lport, NQ);
		}
		/* With RSS the answer comes back on the hashed queue; without, on queue 0. */
		q = rss ? 1 : 0;
		drv_memdev_inject(d, (uint16_t)q, synack_for(syn));
		rte_pktmbuf_free(syn);
		for (i = 0; i < 4; i++) {
			now += STK_NS_PER_MS;
			stk_inst_poll(in[q], now);
			stk_inst_poll(in[1], now);
		}
		CHECK(connected_err == 0, "%s: connected (%d)", rss ? "rss" : "no rss", connected_err);
		ack = take_tcp(d, 1);
		CHECK(ack != NULL, "%s: handshake ACK from instance 1", rss ? "rss" : "no rss");
		rte_pktmbuf_free(ack);
		if (!rss)
			CHECK(stk_inst_stats(in[0])->cnt[STK_CNT_TCP_REDIRECTED] == 1,
			      "no rss: instance 0 passed the SYN-ACK on");
	}
	if (c != NULL) {
		stk_tcp_abort(c);
		stk_tcp_close(c);
		stk_inst_poll(in[1], now);
	}
	for (i = 0; i < NQ; i++) {
		while ((ack = take_tcp(d, (uint16_t)i)) != NULL)
			rte_pktmbuf_free(ack);
		stk_inst_destroy(in[i]);
	}
	stk_shared_free(sh);
	drv_memdev_free(d);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	mp = rte_pktmbuf_pool_create("rss_pkt", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	ind = rte_pktmbuf_pool_create("rss_ind", 1023, 0, 0, 0, SOCKET_ID_ANY);
	run(true);
	run(false);
	test_eal_finish();
	return check_done();
}
