/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 input (RFC 791, RFC 1122 3.2.1): every header check with its own drop
 * reason, options walked and skipped, link padding trimmed, martian sources,
 * datagrams not for us, protocols we do not handle.
 */
#include <string.h>

#include "harness.h"

#define ECHO_DATA "abcd"
#define ECHO_LEN 4

static const struct h_echo_exp echo_exp = {
	.ip = { .eth_dst = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}}, /* h_peer_mac */
		.dst = H_PEER_IP, .proto = IPPROTO_ICMP },
	.id = 7, .seq = 9, .data = (const uint8_t *)ECHO_DATA, .len = ECHO_LEN,
};

/* An echo request (4 data bytes) from the peer to us with the header @p ip describes. */
static size_t
echo(uint8_t *buf, const struct h_ip *ip)
{
	uint8_t icmp[64];
	size_t n = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 0, 7, 9, ECHO_DATA, ECHO_LEN);

	return h_build_ipv4(buf, ip, icmp, n);
}

static void
base(struct h_ip *ip)
{
	h_ip_init(ip, IPPROTO_ICMP, H_PEER_IP, H_OUR_IP);
}

/* Inject an echo request built from @p ip and expect @p why. */
#define EXPECT_DROP(h, ip, why)                                                  \
	do {                                                                     \
		uint8_t b_[256];                                                 \
		size_t n_ = echo(b_, (ip));                                      \
		h_inject_drop((h), b_, n_, (why));                               \
	} while (0)

/* Version, IHL, lengths, checksum, TTL. */
static void
test_header_checks(void)
{
	struct h *h = h_create(NULL);
	struct h_ip ip;
	uint8_t buf[256];
	size_t n;
	unsigned int i;

	base(&ip);
	n = echo(buf, &ip);
	h_inject(h, buf, n);
	h_expect(h, h_chk_echo_reply, &echo_exp, NULL);
	CHECK_EQ(h_cnt(h, STK_CNT_IPV4_RX), 1);
	/* Version 6 and 0 in an IPv4 EtherType. */
	base(&ip);
	ip.version = 6;
	EXPECT_DROP(h, &ip, STK_DROP_IPV4_BAD_VERSION);
	ip.version = 0;
	EXPECT_DROP(h, &ip, STK_DROP_IPV4_BAD_VERSION);
	/* IHL 0 to 4 (h_ip's ihl 0 means "computed": patch IHL 0 in). */
	for (i = 1; i < 5; i++) {
		base(&ip);
		ip.ihl = (uint8_t)i;
		EXPECT_DROP(h, &ip, STK_DROP_IPV4_BAD_IHL);
	}
	base(&ip);
	n = echo(buf, &ip);
	buf[14] = 0x40;
	h_inject_drop(h, buf, n, STK_DROP_IPV4_BAD_IHL);
	/* IHL 15 (60 bytes) in a 32-byte datagram. */
	base(&ip);
	ip.ihl = 15;
	EXPECT_DROP(h, &ip, STK_DROP_IPV4_TRUNCATED);
	/* Shorter than a header: 0 to 19 bytes after Ethernet. */
	base(&ip);
	n = echo(buf, &ip);
	for (i = 0; i < 20; i++)
		h_inject_drop(h, buf, 14 + i, STK_DROP_IPV4_TRUNCATED);
	/* Total length below the header length; above the frame. */
	base(&ip);
	ip.total_len = 19;
	EXPECT_DROP(h, &ip, STK_DROP_IPV4_BAD_LENGTH);
	ip.total_len = 0;
	ip.opt = (const uint8_t *)"\x01\x01\x01\x00";
	ip.opt_len = 4;
	ip.total_len = 20; /* header is 24 */
	EXPECT_DROP(h, &ip, STK_DROP_IPV4_BAD_LENGTH);
	base(&ip);
	ip.total_len = 20 + 8 + ECHO_LEN + 1;
	EXPECT_DROP(h, &ip, STK_DROP_IPV4_TRUNCATED);
	ip.total_len = 1500;
	EXPECT_DROP(h, &ip, STK_DROP_IPV4_TRUNCATED);
	/* Checksum. */
	base(&ip);
	ip.bad_cksum = true;
	EXPECT_DROP(h, &ip, STK_DROP_IPV4_BAD_CHECKSUM);
	/* TTL 0 is refused; TTL 1 is fine for a datagram addressed to us. */
	base(&ip);
	ip.ttl = 0;
	EXPECT_DROP(h, &ip, STK_DROP_IPV4_TTL_ZERO);
	ip.ttl = 1;
	n = echo(buf, &ip);
	h_inject(h, buf, n);
	h_expect(h, h_chk_echo_reply, &echo_exp, NULL);
	h_destroy(h);
}

/* Options: malformed ones dropped, well-formed ones skipped. */
static void
test_options(void)
{
	static const struct {
		const char *bytes;
		uint8_t len;
	} bad[] = {
		{ "\x07\x01\x00\x00", 4 },                 /* length 1 */
		{ "\x07\x00\x00\x00", 4 },                 /* length 0 */
		{ "\x07\x0c\x04\x00", 4 },                 /* runs past the header */
		{ "\x01\x01\x01\x44", 4 },                 /* type byte with no length byte */
		{ "\x83\x07\x04\x00\x00\x00\x00\x44", 8 }, /* second option cut */
	};
	static const struct {
		const char *bytes;
		uint8_t len;
	} good[] = {
		{ "\x01\x01\x01\x00", 4 },                              /* NOP NOP NOP EOL */
		{ "\x00\xff\xff\xff", 4 },                              /* EOL, then junk */
		{ "\x07\x0b\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12 }, /* record route */
		{ "\x94\x04\x00\x00", 4 },                              /* router alert */
		{ "\x44\x0c\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12 }, /* timestamp */
		{ "\x01\x07\x0b\x04\x00\x00\x00\x00\x00\x00\x00\x00", 12 }, /* NOP, RR to the end */
	};
	struct h *h = h_create(NULL);
	struct h_ip ip;
	uint8_t buf[256];
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		base(&ip);
		ip.opt = (const uint8_t *)bad[i].bytes;
		ip.opt_len = bad[i].len;
		EXPECT_DROP(h, &ip, STK_DROP_IPV4_BAD_OPTION);
	}
	for (i = 0; i < RTE_DIM(good); i++) {
		base(&ip);
		ip.opt = (const uint8_t *)good[i].bytes;
		ip.opt_len = good[i].len;
		h_mark(h);
		h_inject(h, buf, echo(buf, &ip));
		CHECK(h_expect(h, h_chk_echo_reply, &echo_exp, NULL), "options %u not skipped", i);
		h_expect_drops(h, STK_DROP_NONE, 0);
	}
	CHECK_EQ(h_in_use(h), 0);
	h_destroy(h);
}

/* Link padding beyond total_length is not part of the datagram. */
static void
test_padding(void)
{
	struct h *h = h_create(NULL);
	struct h_frame f;
	struct h_ip ip;
	uint8_t buf[64];
	size_t n;

	base(&ip);
	memset(buf, 0xa5, sizeof(buf));
	n = echo(buf, &ip);
	CHECK_EQ(n, 14 + 20 + 8 + ECHO_LEN);
	h_inject(h, buf, 60);
	h_expect(h, h_chk_echo_reply, &echo_exp, &f);
	CHECK_EQ(f.len, 14 + 20 + 8 + ECHO_LEN);
	/* Two bytes of data only: padding must not join the echo data. */
	{
		uint8_t icmp[16];
		struct h_echo_exp e = echo_exp;
		size_t m = h_build_icmp(icmp, RTE_IP_ICMP_ECHO_REQUEST, 0, 7, 9, "ab", 2);

		memset(buf, 0x5a, sizeof(buf));
		h_build_ipv4(buf, &ip, icmp, m);
		h_inject(h, buf, 60);
		e.len = 2;
		h_expect(h, h_chk_echo_reply, &e, NULL);
	}
	h_expect_drops(h, STK_DROP_NONE, 0);
	h_destroy(h);
}

/* RFC 1122 3.2.1.3: sources a host must not accept. */
static void
test_martian_src(void)
{
	static const rte_be32_t bad[] = {
		H_IP4(0, 0, 0, 0),
		H_IP4(127, 0, 0, 1),
		H_IP4(127, 255, 0, 9),
		H_IP4(224, 0, 0, 1),
		H_IP4(239, 1, 2, 3),
		H_IP4(240, 0, 0, 1),
		H_IP4(255, 255, 255, 255),
		H_BCAST_IP,
		H_OUR_IP,
	};
	struct h *h = h_create(NULL);
	struct h_ip ip;
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		base(&ip);
		ip.src = bad[i];
		EXPECT_DROP(h, &ip, STK_DROP_IPV4_BAD_SRC);
	}
	h_destroy(h);
}

/* Destinations that are not ours. */
static void
test_not_for_us(void)
{
	static const rte_be32_t other[] = {
		H_IP4(198, 18, 0, 77),
		H_IP4(198, 18, 1, 1),
		H_IP4(10, 0, 0, 1),
		H_IP4(224, 0, 0, 1),   /* no multicast group joined */
		H_IP4(0, 0, 0, 0),
		H_IP4(198, 18, 0, 0),  /* old-style network broadcast */
	};
	struct h *h = h_create(NULL);
	struct h_ip ip;
	unsigned int i;

	for (i = 0; i < RTE_DIM(other); i++) {
		base(&ip);
		ip.dst = other[i];
		EXPECT_DROP(h, &ip, STK_DROP_IPV4_NOT_FOR_US);
	}
	h_destroy(h);
}

/* Protocols the stack does not handle are dropped silently. */
static void
test_unknown_proto(void)
{
	static const uint8_t protos[] = { 0, 2, 41, 47, 50, 89, 132, 255 }; /* not 1, 6, 17 */
	struct h *h = h_create(NULL);
	struct h_ip ip;
	uint8_t buf[128];
	unsigned int i;

	for (i = 0; i < RTE_DIM(protos); i++) {
		base(&ip);
		ip.proto = protos[i];
		h_inject_drop(h, buf, h_build_ipv4(buf, &ip, "0123456789abcdefghij", 20),
			      STK_DROP_IPV4_UNKNOWN_PROTO);
	}
	h_destroy(h);
}

/* The replies we originate carry ip_ttl and a fresh, valid header. */
static void
test_ttl_param(void)
{
	struct h_opts o;
	struct h *h;
	struct h_echo_exp e = echo_exp;
	struct h_ip ip;
	uint8_t buf[128];

	h_opts_init(&o);
	o.p.ip_ttl = 7;
	h = h_create(&o);
	base(&ip);
	ip.ttl = 200;
	ip.tos = 0x10;
	ip.frag = RTE_IPV4_HDR_DF_FLAG;
	h_inject(h, buf, echo(buf, &ip));
	e.ip.ttl = 7;
	h_expect(h, h_chk_echo_reply, &e, NULL);
	h_destroy(h);
}

int
main(int argc, char **argv)
{
	test_eal_init(argv[0]);
	test_header_checks();
	test_options();
	test_padding();
	test_martian_src();
	test_not_for_us();
	test_unknown_proto();
	test_ttl_param();
	test_eal_finish();
	return check_done();
}
