/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP (RFC 792, RFC 1122 3.2.2): echo replies of every size, including one
 * that arrives and leaves in fragments; bad, short, broadcast and ignored
 * messages.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define BIG_DATA 4000
#define FRAG_LEN 1480

static uint8_t data[BIG_DATA];

static struct h_echo_exp
reply_to_peer(uint16_t id, uint16_t seq, size_t len)
{
	struct h_echo_exp e = {
		.ip = { .eth_dst = h_peer_mac, .dst = H_PEER_IP, .proto = IPPROTO_ICMP },
		.id = id, .seq = seq, .data = data, .len = len,
	};

	return e;
}

/* Echo requests of 0, 1, 56, 57 and 1472 data bytes: exact replies, unfragmented. */
static void
test_echo_sizes(void)
{
	static const size_t sizes[] = { 0, 1, 56, 57, 1000, 1472 };
	struct h *h = h_create(NULL);
	struct h_echo_exp e;
	struct h_frame f;
	unsigned int i;

	for (i = 0; i < RTE_DIM(sizes); i++) {
		uint16_t id = (uint16_t)(0x4000 + i), seq = (uint16_t)(i * 3 + 1);

		h_fill(data, sizes[i], i);
		h_mark(h);
		h_send_echo(h, H_OUR_IP, id, seq, data, sizes[i]);
		e = reply_to_peer(id, seq, sizes[i]);
		CHECK(h_expect(h, h_chk_echo_reply, &e, &f), "echo of %zu bytes", sizes[i]);
		h_expect_none(h);
		h_expect_drops(h, STK_DROP_NONE, 0);
		CHECK_EQ(h_cnt(h, STK_CNT_ICMP_RX), 1);
		CHECK_EQ(h_cnt(h, STK_CNT_ICMP_ECHO_REPLY_TX), 1);
	}
	CHECK_EQ(f.len, 14 + 1500); /* the 1472-byte echo fills the MTU exactly */
	CHECK_EQ(h_in_use(h), 0);
	h_destroy(h);
}

/* A 4000-byte echo arrives as three fragments; its reply leaves as fragments. */
static void
test_echo_fragmented(void)
{
	struct h *h = h_create(NULL);
	struct h_ip_exp x = { .eth_dst = h_peer_mac, .dst = H_PEER_IP, .proto = IPPROTO_ICMP };
	uint8_t *icmp = malloc(H_L4_MAX), *got = malloc(H_L4_MAX);
	struct rte_icmp_hdr ic;
	struct h_ip ip;
	size_t n, len = 0;
	unsigned int nf;

	h_fill(data, BIG_DATA, 99);
	n = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 0, 0x77, 5, data, BIG_DATA);
	h_ip_init(&ip, IPPROTO_ICMP, H_PEER_IP, H_OUR_IP);
	ip.id = 0x4242;
	CHECK_EQ(h_inject_frags(h, &ip, icmp, n, FRAG_LEN, NULL, 3), 3);
	CHECK_EQ(h_cnt(h, STK_CNT_IPV4_FRAGS_RX), 3);
	/*
	 * Regression: the reassembled chain is re-parsed with the chain's
	 * length, not the first segment's (which made every reassembled
	 * datagram an ipv4_frag_bad drop).
	 */
	nf = h_expect_frags(h, &x, got, H_L4_MAX, &len);
	CHECK_EQ(nf, 3);
	CHECK_EQ(len, n);
	if (nf != 0 && len == n) {
		memcpy(&ic, got, sizeof(ic));
		CHECK(ic.icmp_type == RTE_IP_ICMP_ECHO_REPLY && ic.icmp_code == 0, "not a reply");
		CHECK(rte_raw_cksum(got, len) == 0xffff, "bad ICMP checksum over the reply");
		CHECK(ic.icmp_ident == RTE_BE16(0x77) && ic.icmp_seq_nb == RTE_BE16(5), "id/seq");
		CHECK(memcmp(got + sizeof(ic), data, BIG_DATA) == 0, "echo data differs");
	}
	CHECK_EQ(h_cnt(h, STK_CNT_IPV4_REASSEMBLED), 1);
	CHECK_EQ(h_cnt(h, STK_CNT_IPV4_FRAGS_TX), 3);
	h_expect_drops(h, STK_DROP_NONE, 0);
	h_drain(h);
	CHECK_EQ(h_in_use(h), 0);
	free(icmp);
	free(got);
	h_destroy(h);
}

/* Bad checksum, truncated, broadcast echo, types we do not handle. */
static void
test_bad_and_ignored(void)
{
	static const struct {
		uint8_t type, code;
	} ignored[] = {
		{ RTE_IP_ICMP_ECHO_REPLY, 0 },
		{ H_ICMP_DEST_UNREACH, H_ICMP_PORT_UNREACH },
		{ 5, 1 },                   /* redirect */
		{ 11, 0 },                  /* time exceeded */
		{ H_ICMP_TIMESTAMP, 0 },
		{ 17, 0 },                  /* address mask request */
		{ 42, 0 },                  /* extended echo request */
	};
	struct h *h = h_create(NULL);
	uint8_t icmp[128], buf[256];
	struct h_ip ip;
	size_t n;
	unsigned int i;

	h_ip_init(&ip, IPPROTO_ICMP, H_PEER_IP, H_OUR_IP);
	n = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 0, 1, 1, "checksum", 8);
	icmp[10] ^= 0x01;
	h_inject_drop(h, buf, h_build_ipv4(buf, &ip, icmp, n), STK_DROP_ICMP_BAD_CHECKSUM);
	/* Truncated: 0 to 7 bytes of ICMP. */
	n = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 0, 1, 1, NULL, 0);
	for (i = 0; i < 8; i++)
		h_inject_drop(h, buf, h_build_ipv4(buf, &ip, icmp, i), STK_DROP_ICMP_TRUNCATED);
	/* Echo to the subnet broadcast and to 255.255.255.255: no reply. */
	n = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 0, 1, 1, "bcast", 5);
	ip.eth_dst = h_bcast_mac;
	ip.dst = H_BCAST_IP;
	h_inject_drop(h, buf, h_build_ipv4(buf, &ip, icmp, n), STK_DROP_ICMP_NOT_UNICAST);
	ip.dst = H_IP4(255, 255, 255, 255);
	h_inject_drop(h, buf, h_build_ipv4(buf, &ip, icmp, n), STK_DROP_ICMP_NOT_UNICAST);
	/* Unicast IP in a broadcast frame is still unicast: answered. */
	ip.dst = H_OUR_IP;
	h_inject(h, buf, h_build_ipv4(buf, &ip, icmp, n));
	h_expect(h, h_chk_ipv4, &((struct h_ip_exp){ .eth_dst = h_peer_mac, .dst = H_PEER_IP,
						      .proto = IPPROTO_ICMP }), NULL);
	/* Types other than echo request are counted and ignored. */
	h_ip_init(&ip, IPPROTO_ICMP, H_PEER_IP, H_OUR_IP);
	for (i = 0; i < RTE_DIM(ignored); i++) {
		n = h_build_icmp(icmp, ignored[i].type, ignored[i].code, 1, 1, "0123456789abcdef",
				 16);
		h_inject_drop(h, buf, h_build_ipv4(buf, &ip, icmp, n), STK_DROP_ICMP_TYPE_IGNORED);
	}
	/* RFC 792 defines only code 0 for echo; a non-zero code is still answered
	 * (as Linux does), with code 0 in the reply. */
	n = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 1, 1, 1, NULL, 0);
	h_inject(h, buf, h_build_ipv4(buf, &ip, icmp, n));
	h_expect(h, h_chk_echo_reply,
		 &((struct h_echo_exp){ .ip = { .eth_dst = h_peer_mac, .dst = H_PEER_IP,
						.proto = IPPROTO_ICMP },
					.id = 1, .seq = 1 }), NULL);
	h_destroy(h);
}

/* Many echoes in one poll: every reply, in order, and no mbuf kept. */
static void
test_echo_burst(void)
{
	struct h *h = h_create(NULL);
	uint8_t icmp[128], buf[256];
	struct h_echo_exp e;
	struct h_ip ip;
	unsigned int i;

	h_ip_init(&ip, IPPROTO_ICMP, H_PEER_IP, H_OUR_IP);
	h_fill(data, 64, 5);
	for (i = 0; i < 100; i++) {
		size_t n = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 0, 9, (uint16_t)i, data, 64);

		h_inject_only(h, buf, h_build_ipv4(buf, &ip, icmp, n));
	}
	h_poll(h);
	for (i = 0; i < 100; i++) {
		e = reply_to_peer(9, (uint16_t)i, 64);
		if (!h_expect(h, h_chk_echo_reply, &e, NULL))
			break;
	}
	CHECK_EQ(h_cnt(h, STK_CNT_ICMP_ECHO_REPLY_TX), 100);
	CHECK_EQ(h_in_use(h), 0);
	h_destroy(h);
}

/* Echo from an off-link host: the reply goes through the gateway, or nowhere. */
static void
test_echo_offlink(void)
{
	struct h_opts o;
	struct h *h;
	struct h_echo_exp e = reply_to_peer(1, 2, 32);
	struct h_arp req, rep;
	uint8_t icmp[64], buf[128];
	struct h_ip ip;
	size_t n;

	h_opts_init(&o);
	o.far_route = true;
	h = h_create(&o);
	h_fill(data, 32, 77);
	n = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 0, 1, 2, data, 32);
	h_ip_init(&ip, IPPROTO_ICMP, H_FAR_IP, H_OUR_IP);
	ip.eth_src = h_gw_mac;
	h_inject(h, buf, h_build_ipv4(buf, &ip, icmp, n));
	h_arp_init(&req, 1, &h_our_mac, H_OUR_IP, H_GW_IP);
	h_expect(h, h_chk_arp, &req, NULL);
	h_arp_init(&rep, 2, &h_gw_mac, H_GW_IP, H_OUR_IP);
	h_inject(h, buf, h_build_arp(buf, &rep));
	e.ip.eth_dst = h_gw_mac;
	e.ip.dst = H_FAR_IP;
	h_expect(h, h_chk_echo_reply, &e, NULL);
	h_expect_drops(h, STK_DROP_NONE, 0);
	h_destroy(h);
	/* Without a route back the reply is dropped. */
	h = h_create(NULL);
	h_inject(h, buf, h_build_ipv4(buf, &ip, icmp, n));
	h_expect_none(h);
	h_expect_drops(h, STK_DROP_IPV4_NO_ROUTE, 1);
	CHECK_EQ(h_in_use(h), 0);
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_echo_sizes();
	test_echo_fragmented();
	test_bad_and_ignored();
	test_echo_burst();
	test_echo_offlink();
	test_eal_finish();
	return check_done();
}
