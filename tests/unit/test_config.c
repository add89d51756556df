/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config loader: the three shipped profiles, a fixture with every key, the
 * defaults, and one fixture per kind of error with its exact message.
 *
 * Usage: test_config FIXTURE_DIR CONFIG_DIR
 * (tests/unit/conf and config/). No EAL: the loader runs before rte_eal_init.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ether.h>

#include "check.h"
#include "drv_config.h"

#define CHECK_STR(a, b)                                                          \
	CHECK(strcmp((a), (b)) == 0, "%s = \"%s\", want \"%s\"", #a, (a), (b))

/* Network-order a.b.c.d (RTE_IPV4 shifts signed ints, which UBSan reports). */
#define IP4(a, b, c, d) \
	rte_cpu_to_be_32((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const char *fix_dir;
static const char *cfg_dir;

static int
load(const char *dir, const char *file, struct drv_conf *conf, char *err, size_t errlen)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return drv_conf_load(path, conf, err, errlen);
}

/* Load a shipped profile or a good fixture; fail loudly if it does not load. */
static int
load_ok(const char *dir, const char *file, struct drv_conf *conf)
{
	char err[512] = "";
	int rc = load(dir, file, conf, err, sizeof(err));

	CHECK(rc == 0, "%s/%s: %s", dir, file, err);
	CHECK_STR(err, "");
	return rc;
}

static bool
mac_is(const struct rte_ether_addr *m, uint8_t a, uint8_t b, uint8_t c, uint8_t d,
       uint8_t e, uint8_t f)
{
	const struct rte_ether_addr want = { .addr_bytes = { a, b, c, d, e, f } };

	return rte_is_same_ether_addr(m, &want);
}

static void
check_params_default(const struct stk_params *p)
{
	CHECK_EQ(p->arp_timeout, 300 * STK_NS_PER_S);
	CHECK_EQ(p->arp_retry, 1 * STK_NS_PER_S);
	CHECK_EQ(p->arp_retries, 3);
	CHECK_EQ(p->arp_cache_size, 1024);
	CHECK_EQ(p->arp_queue_len, 256);
	CHECK_EQ(p->frag_max_flows, 1024);
	CHECK_EQ(p->frag_timeout, 2 * STK_NS_PER_S);
	CHECK_EQ(p->ip_ttl, 64);
	CHECK_EQ(p->icmp_rate, 1000);
	CHECK_EQ(p->udp_sockets, 1024);
	CHECK_EQ(p->req_ring_size, 1024);
	CHECK_EQ(p->burst, 32);
}

/* Every default of drv_config.h, and drv_port_kind_name(). */
static void
test_defaults(void)
{
	struct drv_conf c;

	memset(&c, 0xa5, sizeof(c));
	drv_conf_default(&c);
	CHECK_STR(c.lcores, "0");
	CHECK_EQ(c.hugepages, -1);
	CHECK_EQ(c.memory_mb, 512);
	CHECK_STR(c.file_prefix, "wskstack");
	CHECK_STR(c.log_level, "notice");
	CHECK_STR(c.eal_args, "");
	check_params_default(&c.params);
	CHECK_EQ(c.mbufs, 16383);
	CHECK_EQ(c.mbuf_cache, 256);
	CHECK_EQ(c.idle_sleep_us, 20);
	CHECK_EQ(c.nb_ports, 0);
	CHECK_EQ(c.nb_routes, 0);
	CHECK_EQ(c.nb_static_arp, 0);
	CHECK_EQ(c.capture, false);
	CHECK_STR(c.capture_dir, "/tmp/wskstack-capture");
	CHECK_EQ(c.capture_snaplen, 65535);
	CHECK_EQ(c.telemetry, true);

	CHECK_STR(drv_port_kind_name(DRV_PORT_AF_PACKET), "af_packet");
	CHECK_STR(drv_port_kind_name(DRV_PORT_PCAP), "pcap");
	CHECK_STR(drv_port_kind_name(DRV_PORT_RING), "ring");
	CHECK_STR(drv_port_kind_name(DRV_PORT_MEMIF), "memif");
	CHECK_STR(drv_port_kind_name(DRV_PORT_TAP), "tap");
	CHECK_STR(drv_port_kind_name(DRV_PORT_NULL), "null");
	CHECK_STR(drv_port_kind_name((enum drv_port_kind)99), "unknown");
}

/* A port with no optional key set: the per-port defaults. */
static void
check_port_plain(const struct drv_conf_port *p)
{
	CHECK_EQ(p->mtu, 1500);
	CHECK_EQ(p->offloads, true);
	CHECK_EQ(p->mac_set, false);
	CHECK_EQ(p->gateway, 0);
	CHECK_STR(p->devargs, "");
}

static void
test_default_profile(void)
{
	struct drv_conf c;

	if (load_ok(cfg_dir, "default.ini", &c) != 0)
		return;
	CHECK_STR(c.lcores, "0");
	CHECK_EQ(c.hugepages, -1);
	CHECK_STR(c.file_prefix, "wskstack");
	CHECK_EQ(c.memory_mb, 512);
	check_params_default(&c.params);
	CHECK_EQ(c.nb_ports, 1);
	CHECK_EQ(c.ports[0].kind, DRV_PORT_AF_PACKET);
	CHECK_STR(c.ports[0].iface, "wsk0");
	CHECK_EQ(c.ports[0].addr, IP4(198, 18, 0, 1));
	CHECK_EQ(c.ports[0].prefix_len, 24);
	check_port_plain(&c.ports[0]);
	CHECK_EQ(c.nb_routes, 0);
	CHECK_EQ(c.nb_static_arp, 0);
	CHECK_EQ(c.capture, false);
	CHECK_STR(c.capture_dir, "/tmp/wskstack-capture");
	CHECK_EQ(c.telemetry, true);
}

static void
test_pcap_profile(void)
{
	struct drv_conf c;

	if (load_ok(cfg_dir, "pcap-replay.ini", &c) != 0)
		return;
	CHECK_STR(c.lcores, "0");
	CHECK_EQ(c.hugepages, 0);
	CHECK_STR(c.file_prefix, "wskstack-replay");
	CHECK_EQ(c.nb_ports, 1);
	CHECK_EQ(c.ports[0].kind, DRV_PORT_PCAP);
	CHECK_STR(c.ports[0].rx_pcap, "/tmp/wskstack-replay/in.pcap");
	CHECK_STR(c.ports[0].tx_pcap, "/tmp/wskstack-replay/out.pcap");
	CHECK_EQ(c.ports[0].addr, IP4(198, 18, 0, 1));
	CHECK_EQ(c.ports[0].prefix_len, 24);
	check_port_plain(&c.ports[0]);
	CHECK_EQ(c.capture, false);
}

static void
test_ring_profile(void)
{
	struct drv_conf c;
	unsigned int i;

	if (load_ok(cfg_dir, "ring-loopback.ini", &c) != 0)
		return;
	CHECK_STR(c.lcores, "0");
	CHECK_EQ(c.hugepages, 0);
	CHECK_STR(c.file_prefix, "wskstack-loop");
	CHECK_EQ(c.nb_ports, 2);
	for (i = 0; i < 2; i++) {
		CHECK_EQ(c.ports[i].kind, DRV_PORT_RING);
		CHECK_STR(c.ports[i].ring, "loop0");
		CHECK_EQ(c.ports[i].ring_side, i);
		CHECK_EQ(c.ports[i].prefix_len, 24);
		check_port_plain(&c.ports[i]);
	}
	CHECK_EQ(c.ports[0].addr, IP4(198, 18, 0, 1));
	CHECK_EQ(c.ports[1].addr, IP4(198, 18, 1, 1));
	CHECK_EQ(c.nb_routes, 0);
}

/* good-all.ini, sections other than [portN]. */
static void
check_all_globals(const struct drv_conf *c)
{
	const struct stk_params *p = &c->params;

	CHECK_STR(c->lcores, "0-2,4");
	CHECK_EQ(c->hugepages, 1);
	CHECK_EQ(c->memory_mb, 1024);
	CHECK_STR(c->file_prefix, "wsk_test-1");
	CHECK_STR(c->log_level, "pmd.net.*:debug");
	CHECK_STR(c->eal_args, "--no-pci --vdev=net_null9");
	CHECK_EQ(c->mbufs, 8191);
	CHECK_EQ(c->mbuf_cache, 128);
	CHECK_EQ(c->idle_sleep_us, 0);
	CHECK_EQ(c->params.tcp_max_conns, 4096);
	CHECK_EQ(c->params.tcp_max_sendops, 8192);
	CHECK_EQ(c->params.tcp_msl, 1000 * STK_NS_PER_MS);
	CHECK_EQ(c->params.tcp_rto_min, 50 * STK_NS_PER_MS);
	CHECK_EQ(c->params.tcp_rto_max, 30000 * STK_NS_PER_MS);
	CHECK_EQ(c->params.tcp_rto_init, 500 * STK_NS_PER_MS);
	CHECK_EQ(c->params.tcp_delack, 20 * STK_NS_PER_MS);
	CHECK_EQ(c->params.tcp_retries, 7);
	CHECK_EQ(c->params.tcp_syn_retries, 3);
	CHECK_EQ(c->params.tcp_rcvbuf, 1048576);
	CHECK_EQ(c->params.tcp_sndbuf, 524288);
	CHECK_EQ(c->params.tcp_reass_segs, 64);
	CHECK_EQ(c->params.tcp_keep_idle, 60 * STK_NS_PER_S);
	CHECK_EQ(c->params.tcp_keep_intvl, 5 * STK_NS_PER_S);
	CHECK_EQ(c->params.tcp_keep_cnt, 4);
	CHECK(strcmp(c->params.tcp_cc, "newreno") == 0, "cc %s", c->params.tcp_cc);
	CHECK_EQ(p->arp_timeout, 60 * STK_NS_PER_S);
	CHECK_EQ(p->arp_retry, 250 * STK_NS_PER_MS);
	CHECK_EQ(p->arp_retries, 5);
	CHECK_EQ(p->arp_cache_size, 2048);
	CHECK_EQ(p->arp_queue_len, 64);
	CHECK_EQ(p->frag_max_flows, 512);
	CHECK_EQ(p->frag_timeout, 1500 * STK_NS_PER_MS);
	CHECK_EQ(p->ip_ttl, 32);
	CHECK_EQ(p->icmp_rate, 0);
	CHECK_EQ(p->udp_sockets, 4096);
	CHECK_EQ(p->req_ring_size, 2048);
	CHECK_EQ(p->burst, 64);
	CHECK_EQ(c->capture, true);
	CHECK_STR(c->capture_dir, "/var/tmp/cap");
	CHECK_EQ(c->capture_snaplen, 262144);
	CHECK_EQ(c->telemetry, false);
}

/* good-all.ini, [port0]..[port5]: every key, every driver. */
static void
check_all_ports(const struct drv_conf *c)
{
	const struct drv_conf_port *p = c->ports;

	CHECK_EQ(c->nb_ports, 6);
	CHECK_EQ(p[0].kind, DRV_PORT_AF_PACKET);
	CHECK_STR(p[0].iface, "veth-a.1");
	CHECK(p[0].mac_set && mac_is(&p[0].mac, 0x02, 0, 0, 0, 0, 0x0a), "port0 mac");
	CHECK_EQ(p[0].mtu, 9000);
	CHECK_EQ(p[0].addr, IP4(10, 0, 0, 1));
	CHECK_EQ(p[0].prefix_len, 24);
	CHECK_EQ(p[0].gateway, IP4(10, 0, 0, 254));
	CHECK_EQ(p[0].offloads, false);
	CHECK_STR(p[0].devargs, "qpairs=2,blocksz=4096");

	CHECK_EQ(p[1].kind, DRV_PORT_PCAP);
	CHECK_STR(p[1].rx_pcap, "/tmp/in.pcap");
	CHECK_STR(p[1].tx_pcap, "/tmp/out.pcap");
	CHECK_EQ(p[1].addr, IP4(10, 0, 1, 1));
	CHECK_EQ(p[1].prefix_len, 31);
	check_port_plain(&p[1]);

	CHECK_EQ(p[2].kind, DRV_PORT_RING);
	CHECK_STR(p[2].ring, "pair_0");
	CHECK_EQ(p[2].ring_side, 1);
	CHECK_EQ(p[2].addr, IP4(10, 0, 2, 5));
	CHECK_EQ(p[2].prefix_len, 32);

	CHECK_EQ(p[3].kind, DRV_PORT_MEMIF);
	CHECK_EQ(p[3].memif_server, true);
	CHECK_STR(p[3].memif_socket, "/run/wsk-memif.sock");
	CHECK_EQ(p[3].memif_id, UINT32_MAX);
	CHECK_EQ(p[3].addr, IP4(10, 3, 0, 1));
	CHECK_EQ(p[3].prefix_len, 16);

	CHECK_EQ(p[4].kind, DRV_PORT_TAP);
	CHECK_STR(p[4].iface, "wsktap0");
	CHECK_EQ(p[4].addr, IP4(172, 16, 0, 1));
	CHECK_EQ(p[4].prefix_len, 12);

	CHECK_EQ(p[5].kind, DRV_PORT_NULL);
	CHECK_EQ(p[5].addr, IP4(192, 168, 100, 101));
	CHECK_EQ(p[5].prefix_len, 30);
	CHECK_EQ(p[5].mtu, 68);
}

/* good-all.ini, [route] (stored in routeN order) and [arp]. */
static void
check_all_routes_arp(const struct drv_conf *c)
{
	const struct drv_conf_route *r = c->routes;

	CHECK_EQ(c->nb_routes, 3);
	CHECK_EQ(r[0].prefix, IP4(192, 0, 2, 0));
	CHECK_EQ(r[0].len, 24);
	CHECK_EQ(r[0].gateway, IP4(10, 3, 0, 7));
	CHECK_EQ(r[0].port, 3);
	CHECK_EQ(r[1].prefix, 0);
	CHECK_EQ(r[1].len, 0);
	CHECK_EQ(r[1].gateway, IP4(10, 0, 0, 253));
	CHECK_EQ(r[1].port, 0);
	CHECK_EQ(r[2].prefix, IP4(203, 0, 113, 128));
	CHECK_EQ(r[2].len, 25);
	CHECK_EQ(r[2].gateway, IP4(10, 0, 0, 9));
	CHECK_EQ(r[2].port, 0);

	CHECK_EQ(c->nb_static_arp, 2);
	CHECK_EQ(c->static_arp_ip[0], IP4(10, 0, 0, 2));
	CHECK(mac_is(&c->static_arp_mac[0], 0x02, 0, 0, 0, 0, 0x02), "arp 0 mac");
	CHECK_EQ(c->static_arp_ip[1], IP4(172, 16, 255, 1));
	CHECK(mac_is(&c->static_arp_mac[1], 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f), "arp 1 mac");
}

static void
test_good_fixtures(void)
{
	char path[PATH_MAX];
	struct drv_conf c;

	if (load_ok(fix_dir, "good-all.ini", &c) == 0) {
		snprintf(path, sizeof(path), "%s/good-all.ini", fix_dir);
		CHECK_STR(c.path, path);
		check_all_globals(&c);
		check_all_ports(&c);
		check_all_routes_arp(&c);
	}
	if (load_ok(fix_dir, "good-minimal.ini", &c) == 0) {
		CHECK_STR(c.lcores, "0");
		CHECK_EQ(c.hugepages, -1);
		check_params_default(&c.params);
		CHECK_EQ(c.nb_ports, 1);
		CHECK_EQ(c.ports[0].kind, DRV_PORT_NULL);
		check_port_plain(&c.ports[0]);
		CHECK_EQ(c.telemetry, true);
	}
}

/*
 * Spellings a fixture per value would drown in: booleans, CRLF line ends,
 * an escaped ';'. Written to a temporary file.
 */
static void
test_spellings(void)
{
	static const struct {
		const char *text;
		bool value;
	} bools[] = {
		{ "true", true }, { "yes", true }, { "on", true }, { "1", true },
		{ "false", false }, { "no", false }, { "off", false }, { "0", false },
	};
	char path[] = "/tmp/wsk-test-config-XXXXXX", err[512];
	struct drv_conf c;
	unsigned int i;
	FILE *f;
	int fd;

	for (i = 0; i < RTE_DIM(bools) + 1; i++) {
		fd = mkstemp(path);
		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		CHECK(f != NULL, "cannot create %s", path);
		if (f == NULL)
			return;
		if (i < RTE_DIM(bools))
			fprintf(f, "[port0]\ndriver=null\naddress=192.0.2.1/24\n"
				"[capture]\nenabled = %s\n", bools[i].text);
		else
			fprintf(f, "[port0]\r\ndriver = null\r\naddress = 192.0.2.1/24\r\n"
				"[eal]\r\nargs = --a\\;b\r\n");
		fclose(f);
		CHECK(drv_conf_load(path, &c, err, sizeof(err)) == 0, "%s", err);
		if (i < RTE_DIM(bools))
			CHECK(c.capture == bools[i].value, "enabled = %s", bools[i].text);
		else
			CHECK_STR(c.eal_args, "--a;b");
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
}

/* One fixture per kind of error, and the exact message after "FILE: ". */
static const struct {
	const char *file;
	const char *msg;
} bad[] = {
	/* sections and keys */
	{ "bad-unknown-section.ini", "[dns]: unknown section" },
	{ "bad-key-eal.ini", "[eal] lcore: unknown key" },
	{ "bad-key-stack.ini", "[stack] arp_timeout: unknown key" },
	{ "bad-key-port.ini", "[port0] ip: unknown key" },
	{ "bad-key-route.ini", "[route] route32: unknown key (keys are route0..route31)" },
	{ "bad-key-arp.ini", "[arp] gateway: unknown key (keys are IPv4 addresses)" },
	{ "bad-key-capture.ini", "[capture] file: unknown key" },
	{ "bad-key-telemetry.ini", "[telemetry] socket: unknown key" },
	{ "bad-key-tcp.ini", "[tcp] mss: unknown key" },
	{ "bad-tcp-rto.ini", "[tcp] rto_min_ms: larger than rto_max_ms" },
	{ "bad-tcp-cc.ini", "[tcp] cc: value \"bbr\" is not cubic or newreno" },
	{ "bad-dup-section.ini", "[port0]: duplicate section" },
	{ "bad-dup-key.ini", "[port0] mtu: duplicate key" },
	{ "bad-empty.ini", "[port0] mtu: empty value" },
	/* numbers, booleans, words, strings */
	{ "bad-number.ini", "[stack] burst: value \"-32\" is not a decimal number" },
	{ "bad-range.ini", "[port0] mtu: value \"99999\" out of range 68..9000" },
	{ "bad-overflow.ini",
	  "[port0] memif_id: value \"99999999999999999999999\" out of range 0..4294967295" },
	{ "bad-junk.ini", "[stack] ip_ttl: value \"64s\" has junk after the number" },
	{ "bad-pow2.ini", "[stack] req_ring_size: value \"1000\" is not a power of two" },
	{ "bad-bool.ini",
	  "[telemetry] enabled: value \"maybe\" is not one of true|false|yes|no|on|off|1|0" },
	{ "bad-enum.ini", "[eal] hugepages: value \"sometimes\" is not one of auto|on|off" },
	{ "bad-too-long.ini", "[port0] iface: value too long (27 characters, at most 15)" },
	{ "bad-too-long-value.ini",
	  "[port0] rx_pcap: value too long (300 characters, at most 255)" },
	{ "bad-lcores.ini", "[eal] lcores: value \"0-\" is not an lcore list (like 0 or 0-3,8)" },
	{ "bad-file-prefix.ini",
	  "[eal] file_prefix: value \"wsk/stack\" may contain only A-Z a-z 0-9 _ -" },
	/* addresses */
	{ "bad-address.ini", "[port0] address: value \"192.0.2/24\" is not a.b.c.d/len" },
	{ "bad-address-noprefix.ini", "[port0] address: value \"192.0.2.1\" is not a.b.c.d/len" },
	{ "bad-prefix-len.ini", "[port0] address: prefix length \"33\" out of range 1..32" },
	{ "bad-network-addr.ini",
	  "[port0] address: value \"192.0.2.0/24\" is the network address of 192.0.2.0/24" },
	{ "bad-broadcast-addr.ini",
	  "[port0] address: value \"192.0.2.255/24\" is the broadcast address of 192.0.2.0/24" },
	{ "bad-multicast-addr.ini", "[port0] address: value \"224.0.0.5/4\" is a multicast address" },
	{ "bad-gateway-outside.ini",
	  "[port0] gateway: value \"198.51.100.1\" is outside port0's subnet 192.0.2.0/24" },
	{ "bad-gateway-network.ini", "[port0] gateway: value \"192.0.2.0\" "
				     "is the network address of port0's subnet 192.0.2.0/24" },
	{ "bad-arp-own.ini", "[arp] 192.0.2.1: address is port0's own address" },
	{ "bad-mac.ini",
	  "[port0] mac: value \"02:00:00:00:00\" is not a MAC address (xx:xx:xx:xx:xx:xx)" },
	{ "bad-mac-multicast.ini",
	  "[arp] 192.0.2.7: value \"01:00:5e:00:00:01\" is a multicast address" },
	{ "bad-arp-outside.ini", "[arp] 198.51.100.7: address is not in any port's subnet" },
	/* ports */
	{ "bad-missing-driver.ini", "[port0] driver: required key missing" },
	{ "bad-missing-address.ini", "[port0] address: required key missing" },
	{ "bad-afpacket-noiface.ini", "[port0] iface: required for driver af_packet" },
	{ "bad-pcap-nofiles.ini", "[port0] rx_pcap: driver pcap needs rx_pcap, tx_pcap or both" },
	{ "bad-ring-noside.ini", "[port0] ring_side: required for driver ring" },
	{ "bad-memif-nosocket.ini", "[port0] memif_socket: required for driver memif" },
	{ "bad-wrong-driver.ini", "[port0] rx_pcap: not used by driver af_packet" },
	{ "bad-port-gap.ini",
	  "[port2]: port1 is missing (ports are numbered from port0 without gaps)" },
	{ "bad-no-port.ini", "[port0]: section missing (at least one port is required)" },
	{ "bad-overlap.ini",
	  "[port1] address: subnet 192.0.2.0/25 overlaps port0's subnet 192.0.2.0/24" },
	{ "bad-ring-side-dup.ini", "[port1] ring_side: side a of ring \"loop0\" is already port0" },
	/* routes */
	{ "bad-route-port.ini", "[route] route0: port 1 does not exist (the last is port0)" },
	{ "bad-route-gw0.ini", "[route] route0: gateway 0.0.0.0 is not allowed" },
	{ "bad-route-format.ini", "[route] route0: value \"10.0.0.0/8 192.0.2.254 port 0\" "
				  "is not \"a.b.c.d/len via a.b.c.d port N\"" },
	{ "bad-route-hostbits.ini", "[route] route0: prefix 10.1.0.0/8 has host bits set" },
	{ "bad-route-gw-outside.ini",
	  "[route] route0: gateway 198.51.100.1 is outside port0's subnet 192.0.2.0/24" },
	{ "bad-route-dup.ini", "[route] route3: prefix 10.0.0.0/8 is also route1" },
	/* the file itself */
	{ "bad-syntax.ini", "cannot read: line 4: expected \"key = value\" or \"[section]\"" },
	{ "bad-outside-section.ini", "cannot read: line 2: \"lcores\" is outside any section" },
	{ "does-not-exist.ini", "cannot read: No such file or directory" },
	{ ".", "cannot read: Is a directory" },
};

static void
expect_error(const char *file, const char *msg)
{
	char path[PATH_MAX], want[PATH_MAX + 512], err[PATH_MAX + 512];
	struct drv_conf c;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", fix_dir, file);
	snprintf(want, sizeof(want), "%s: %s", path, msg);
	memset(err, 'x', sizeof(err));
	rc = drv_conf_load(path, &c, err, sizeof(err));
	CHECK(rc == -1, "%s: loaded", file);
	CHECK(strcmp(err, want) == 0, "%s:\n    got  %s\n    want %s", file, err, want);
}

static void
test_errors(void)
{
	char err[16], longpath[400], want[128];
	struct drv_conf c;
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++)
		expect_error(bad[i].file, bad[i].msg);

	/* The message is cut to the buffer, NUL-terminated; no buffer is fine too. */
	memset(err, 'x', sizeof(err));
	CHECK_EQ(load(fix_dir, "bad-range.ini", &c, err, sizeof(err)), -1);
	CHECK_EQ(strlen(err), sizeof(err) - 1);
	CHECK(strncmp(err, fix_dir, strlen(err) < strlen(fix_dir) ? strlen(err)
		      : strlen(fix_dir)) == 0, "%s", err);
	CHECK_EQ(load(fix_dir, "bad-range.ini", &c, NULL, 0), -1);

	/* A path that does not fit drv_conf.path. */
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	snprintf(want, sizeof(want), "cannot read: path longer than %zu characters",
		 sizeof(c.path) - 1);
	{
		char e[1024];

		CHECK_EQ(drv_conf_load(longpath, &c, e, sizeof(e)), -1);
		CHECK(strstr(e, want) != NULL, "%s", e);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s FIXTURE_DIR CONFIG_DIR\n", argv[0]);
		return 2;
	}
	fix_dir = argv[1];
	cfg_dir = argv[2];
	test_defaults();
	test_default_profile();
	test_pcap_profile();
	test_ring_profile();
	test_good_fixtures();
	test_spellings();
	test_errors();
	return check_done();
}
