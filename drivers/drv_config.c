/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INI profile loader (drv_config.h); every key is described in
 * config/README.md.
 *
 * rte_cfgfile reads the file, but it skips lines without '=' and truncates
 * long names and values without a word, and it gives no reason when it
 * fails. So a line scan runs first and reports those with a line number.
 * Then every section is checked against its key table (type, range, field
 * of each key), and last come the checks that need several keys or
 * sections: required port keys, port numbering, gateways, routes and
 * static ARP entries.
 *
 * This file holds the key tables, the sections and those checks; the line
 * scan and the parsers of one value are in drv_config_value.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bitops.h>
#include <rte_cfgfile.h>
#include <rte_common.h>

#include "drv_config_priv.h"

/* Linux interface names: IFNAMSIZ - 1. */
#define IFNAME_MAX 15

#define CF(f) .off = offsetof(struct drv_conf, f), .size = RTE_SIZEOF_FIELD(struct drv_conf, f)
#define PF(f) .off = offsetof(struct drv_conf_port, f), \
	.size = RTE_SIZEOF_FIELD(struct drv_conf_port, f)
#define UINT(lo, hi) .type = K_UINT, .min = (lo), .max = (hi)
#define DRV(k) RTE_BIT32(DRV_PORT_##k)

static const struct conf_enum kind_names[] = {
	{ "af_packet", DRV_PORT_AF_PACKET }, { "pcap", DRV_PORT_PCAP },
	{ "ring", DRV_PORT_RING }, { "memif", DRV_PORT_MEMIF },
	{ "tap", DRV_PORT_TAP }, { "null", DRV_PORT_NULL }, { NULL, 0 },
};
static const struct conf_enum bool_names[] = {
	{ "true", 1 }, { "false", 0 }, { "yes", 1 }, { "no", 0 },
	{ "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 }, { NULL, 0 },
};
static const struct conf_enum hugepage_names[] = {
	{ "auto", -1 }, { "on", 1 }, { "off", 0 }, { NULL, 0 },
};
static const struct conf_enum side_names[] = { { "a", 0 }, { "b", 1 }, { NULL, 0 } };
static const struct conf_enum role_names[] = { { "server", 1 }, { "client", 0 }, { NULL, 0 } };
static const struct conf_enum offload_names[] = { { "auto", 1 }, { "off", 0 }, { NULL, 0 } };

static bool
is_alnum(char ch)
{
	return conf_is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool
only_chars(const char *v, const char *extra)
{
	for (; *v != '\0'; v++)
		if (!is_alnum(*v) && strchr(extra, *v) == NULL)
			return false;
	return true;
}

static const char *
chk_name(const char *v)
{
	return only_chars(v, "_.-") ? NULL : "may contain only A-Z a-z 0-9 _ . -";
}

static const char *
chk_prefix(const char *v)
{
	return only_chars(v, "_-") ? NULL : "may contain only A-Z a-z 0-9 _ -";
}

static const char *
chk_log_level(const char *v)
{
	return only_chars(v, "_.*:,") ? NULL : "may contain only A-Z a-z 0-9 _ . * : ,";
}

/* The value goes into "key=value,..." device arguments: no ',' inside. */
static const char *
chk_dev_path(const char *v)
{
	return strchr(v, ',') == NULL ? NULL : "must not contain ','";
}

/* lcores: N or N-M, comma-separated, N <= M. */
static const char *
chk_lcores(const char *v)
{
	static const char *const why = "is not an lcore list (like 0 or 0-3,8)";
	unsigned long lo, hi;
	char *end;

	for (;;) {
		if (!conf_is_digit(*v))
			return why;
		lo = hi = strtoul(v, &end, 10);
		if (*end == '-') {
			if (!conf_is_digit(end[1]))
				return why;
			hi = strtoul(end + 1, &end, 10);
		}
		if (lo > hi || hi >= RTE_MAX_LCORE)
			return why;
		if (*end == '\0')
			return NULL;
		if (*end != ',')
			return why;
		v = end + 1;
	}
}

/* devargs: key=value[,key=value...], no blanks. */
static const char *
chk_devargs(const char *v)
{
	static const char *const why = "is not key=value[,key=value...]";
	const char *item = v, *p;
	bool eq = false;

	for (p = v;; p++) {
		if (*p == ',' || *p == '\0') {
			if (!eq || *item == '=')
				return why;
			if (*p == '\0')
				return NULL;
			item = p + 1;
			eq = false;
		} else if (*p == '=') {
			eq = true;
		} else if (*p == ' ' || *p == '\t') {
			return why;
		}
	}
}

/* [eal] */
static const struct conf_key eal_keys[] = {
	{ .name = "lcores", .type = K_STR, CF(lcores), .check = chk_lcores },
	{ .name = "hugepages", .type = K_ENUM, CF(hugepages), .names = hugepage_names },
	{ .name = "memory_mb", UINT(64, 65536), CF(memory_mb) },
	{ .name = "file_prefix", .type = K_STR, CF(file_prefix), .check = chk_prefix },
	{ .name = "log_level", .type = K_STR, CF(log_level), .check = chk_log_level },
	{ .name = "args", .type = K_STR, CF(eal_args) },
};

/* [stack] */
static const struct conf_key stack_keys[] = {
	{ .name = "mbufs", UINT(1023, 16777215), CF(mbufs) },
	{ .name = "mbuf_cache", UINT(0, 512), CF(mbuf_cache) },
	{ .name = "idle_sleep_us", UINT(0, 100000), CF(idle_sleep_us) },
	{ .name = "arp_timeout_s", UINT(1, 86400), .scale = STK_NS_PER_S,
	  CF(params.arp_timeout) },
	{ .name = "arp_retry_ms", UINT(1, 60000), .scale = STK_NS_PER_MS, CF(params.arp_retry) },
	{ .name = "arp_retries", UINT(1, 100), CF(params.arp_retries) },
	{ .name = "arp_cache_size", UINT(16, 1048576), CF(params.arp_cache_size) },
	{ .name = "arp_queue_len", UINT(1, 65536), CF(params.arp_queue_len) },
	{ .name = "frag_max_flows", UINT(1, 65536), CF(params.frag_max_flows) },
	{ .name = "frag_timeout_ms", UINT(1, 120000), .scale = STK_NS_PER_MS,
	  CF(params.frag_timeout) },
	{ .name = "ip_ttl", UINT(1, 255), CF(params.ip_ttl) },
	{ .name = "icmp_rate", UINT(0, 1000000), CF(params.icmp_rate) },
	{ .name = "udp_sockets", UINT(1, 65536), CF(params.udp_sockets) },
	{ .name = "req_ring_size", .type = K_POW2, .min = 16, .max = 1048576,
	  CF(params.req_ring_size) },
	{ .name = "burst", UINT(1, 512), CF(params.burst) },
};

/* [capture] */
static const struct conf_key capture_keys[] = {
	{ .name = "enabled", .type = K_ENUM, CF(capture), .names = bool_names },
	{ .name = "dir", .type = K_STR, CF(capture_dir) },
	{ .name = "snaplen", UINT(64, 262144), CF(capture_snaplen) },
};

/* [telemetry] */
static const struct conf_key telemetry_keys[] = {
	{ .name = "enabled", .type = K_ENUM, CF(telemetry), .names = bool_names },
};

/* [portN]; the order is the order of the checks in port_finish(). */
enum {
	PK_DRIVER, PK_IFACE, PK_RX_PCAP, PK_TX_PCAP, PK_RING, PK_RING_SIDE,
	PK_MEMIF_ROLE, PK_MEMIF_SOCKET, PK_MEMIF_ID, PK_MAC, PK_MTU, PK_ADDRESS,
	PK_GATEWAY, PK_OFFLOADS, PK_DEVARGS, PK_NUM
};

static const struct conf_key port_keys[PK_NUM] = {
	[PK_DRIVER] = { .name = "driver", .type = K_ENUM, PF(kind), .names = kind_names },
	[PK_IFACE] = { .name = "iface", .type = K_STR, PF(iface), .max = IFNAME_MAX,
		       .check = chk_name, .drivers = DRV(AF_PACKET) | DRV(TAP),
		       .required = DRV(AF_PACKET) | DRV(TAP) },
	[PK_RX_PCAP] = { .name = "rx_pcap", .type = K_STR, PF(rx_pcap), .check = chk_dev_path,
			 .drivers = DRV(PCAP) },
	[PK_TX_PCAP] = { .name = "tx_pcap", .type = K_STR, PF(tx_pcap), .check = chk_dev_path,
			 .drivers = DRV(PCAP) },
	[PK_RING] = { .name = "ring", .type = K_STR, PF(ring), .check = chk_name,
		      .drivers = DRV(RING), .required = DRV(RING) },
	[PK_RING_SIDE] = { .name = "ring_side", .type = K_ENUM, PF(ring_side),
			   .names = side_names, .drivers = DRV(RING), .required = DRV(RING) },
	[PK_MEMIF_ROLE] = { .name = "memif_role", .type = K_ENUM, PF(memif_server),
			    .names = role_names, .drivers = DRV(MEMIF) },
	[PK_MEMIF_SOCKET] = { .name = "memif_socket", .type = K_STR, PF(memif_socket),
			      .check = chk_dev_path, .drivers = DRV(MEMIF),
			      .required = DRV(MEMIF) },
	[PK_MEMIF_ID] = { .name = "memif_id", UINT(0, UINT32_MAX), PF(memif_id),
			  .drivers = DRV(MEMIF) },
	[PK_MAC] = { .name = "mac", .type = K_MAC, PF(mac) },
	[PK_MTU] = { .name = "mtu", UINT(68, 9000), PF(mtu) },
	[PK_ADDRESS] = { .name = "address", .type = K_ADDR },
	[PK_GATEWAY] = { .name = "gateway", .type = K_IPV4, PF(gateway) },
	[PK_OFFLOADS] = { .name = "offloads", .type = K_ENUM, PF(offloads),
			  .names = offload_names },
	[PK_DEVARGS] = { .name = "devargs", .type = K_STR, PF(devargs), .check = chk_devargs },
};

static const char *
chk_cc(const char *v)
{
	return strcmp(v, "cubic") == 0 || strcmp(v, "newreno") == 0 ? NULL :
								      "is not cubic or newreno";
}

/* [tcp] */
static const struct conf_key tcp_keys[] = {
	{ .name = "max_conns", UINT(16, 1u << 22), CF(params.tcp_max_conns) },
	{ .name = "max_sendops", UINT(16, 1u << 24), CF(params.tcp_max_sendops) },
	{ .name = "msl_ms", UINT(1, 600000), .scale = STK_NS_PER_MS, CF(params.tcp_msl) },
	{ .name = "rto_min_ms", UINT(1, 60000), .scale = STK_NS_PER_MS, CF(params.tcp_rto_min) },
	{ .name = "rto_max_ms", UINT(100, 600000), .scale = STK_NS_PER_MS,
	  CF(params.tcp_rto_max) },
	{ .name = "rto_init_ms", UINT(1, 60000), .scale = STK_NS_PER_MS,
	  CF(params.tcp_rto_init) },
	{ .name = "delack_ms", UINT(1, 500), .scale = STK_NS_PER_MS, CF(params.tcp_delack) },
	{ .name = "retries", UINT(1, 100), CF(params.tcp_retries) },
	{ .name = "syn_retries", UINT(1, 100), CF(params.tcp_syn_retries) },
	{ .name = "rcvbuf", UINT(1024, 1u << 30), CF(params.tcp_rcvbuf) },
	{ .name = "sndbuf", UINT(1024, 1u << 30), CF(params.tcp_sndbuf) },
	{ .name = "reass_segs", UINT(0, 65535), CF(params.tcp_reass_segs) },
	{ .name = "keepidle_s", UINT(1, 604800), .scale = STK_NS_PER_S,
	  CF(params.tcp_keep_idle) },
	{ .name = "keepintvl_s", UINT(1, 86400), .scale = STK_NS_PER_S,
	  CF(params.tcp_keep_intvl) },
	{ .name = "keepcnt", UINT(1, 100), CF(params.tcp_keep_cnt) },
	{ .name = "cc", .type = K_STR, CF(params.tcp_cc), .check = chk_cc },
};

/* RTO bounds must nest: min <= init <= max. */
static int
tcp_finish(struct conf_ctx *c)
{
	const struct stk_params *p = &c->conf->params;

	if (p->tcp_rto_min > p->tcp_rto_max)
		return conf_fail(c, "rto_min_ms", "larger than rto_max_ms");
	if (p->tcp_rto_init < p->tcp_rto_min || p->tcp_rto_init > p->tcp_rto_max)
		return conf_fail(c, "rto_init_ms", "outside rto_min_ms..rto_max_ms");
	return 0;
}

/* Sections; [portN] is SEC_PORT0 + N. */
enum { SEC_EAL, SEC_STACK, SEC_ROUTE, SEC_ARP, SEC_CAPTURE, SEC_TELEMETRY, SEC_TCP, SEC_PORT0 };

static const char *const sec_names[SEC_PORT0] = {
	[SEC_EAL] = "eal", [SEC_STACK] = "stack", [SEC_ROUTE] = "route",
	[SEC_ARP] = "arp", [SEC_CAPTURE] = "capture", [SEC_TELEMETRY] = "telemetry",
	[SEC_TCP] = "tcp",
};

/* Apply the entries of one section by its key table; @p seen gets a bit per key. */
static int
conf_apply(struct conf_ctx *c, const struct conf_key *keys, unsigned int nb_keys,
	   void *base, const struct rte_cfgfile_entry *e, int n, uint32_t *seen)
{
	unsigned int j;
	int i;

	*seen = 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < nb_keys; j++)
			if (strcmp(keys[j].name, e[i].name) == 0)
				break;
		if (j == nb_keys)
			return conf_fail(c, e[i].name, "unknown key");
		if (*seen & RTE_BIT32(j))
			return conf_fail(c, e[i].name, "duplicate key");
		*seen |= RTE_BIT32(j);
		if (e[i].value[0] == '\0')
			return conf_fail(c, e[i].name, "empty value");
		if (conf_value(c, &keys[j], e[i].value, base) < 0)
			return -1;
	}
	return 0;
}

/* Checks of one [portN] that need several of its keys. */
static int
port_finish(struct conf_ctx *c, unsigned int i, uint32_t seen)
{
	struct drv_conf_port *p = &c->conf->ports[i];
	const char *drv = drv_port_kind_name(p->kind), *why;
	char buf[INET_ADDRSTRLEN], reason[128];
	unsigned int j;

	if (!(seen & RTE_BIT32(PK_DRIVER)))
		return conf_fail(c, "driver", "required key missing");
	for (j = 0; j < PK_NUM; j++) {
		const struct conf_key *k = &port_keys[j];

		if ((seen & RTE_BIT32(j)) && k->drivers && !(k->drivers & RTE_BIT32(p->kind)))
			return conf_fail(c, k->name, "not used by driver %s", drv);
		if (!(seen & RTE_BIT32(j)) && (k->required & RTE_BIT32(p->kind)))
			return conf_fail(c, k->name, "required for driver %s", drv);
	}
	if (p->kind == DRV_PORT_PCAP &&
	    !(seen & (RTE_BIT32(PK_RX_PCAP) | RTE_BIT32(PK_TX_PCAP))))
		return conf_fail(c, "rx_pcap", "driver pcap needs rx_pcap, tx_pcap or both");
	if (!(seen & RTE_BIT32(PK_ADDRESS)))
		return conf_fail(c, "address", "required key missing");
	p->mac_set = (seen & RTE_BIT32(PK_MAC)) != 0;
	if (p->gateway != 0) {
		why = conf_neighbour_why(c->conf, i, rte_be_to_cpu_32(p->gateway), reason,
				    sizeof(reason));
		if (why != NULL)
			return conf_fail(c, "gateway", "value \"%s\" %s",
					 conf_ipv4_fmt(rte_be_to_cpu_32(p->gateway), buf), why);
	}
	return 0;
}

/* Checks between ports: subnets, shared devices, one default gateway. */
static int
ports_cross(struct conf_ctx *c, char *sec, size_t seclen)
{
	const struct drv_conf *conf = c->conf;
	char n1[INET_ADDRSTRLEN], n2[INET_ADDRSTRLEN];
	unsigned int i, j;

	for (i = 1; i < conf->nb_ports; i++) {
		const struct drv_conf_port *p = &conf->ports[i];

		snprintf(sec, seclen, "port%u", i);
		c->sec = sec;
		for (j = 0; j < i; j++) {
			const struct drv_conf_port *q = &conf->ports[j];
			uint32_t m = conf_mask_of(RTE_MIN(p->prefix_len, q->prefix_len));
			uint32_t a = rte_be_to_cpu_32(p->addr), b = rte_be_to_cpu_32(q->addr);

			if ((a & m) == (b & m))
				return conf_fail(c, "address",
						 "subnet %s/%u overlaps port%u's subnet %s/%u",
						 conf_ipv4_fmt(a & conf_mask_of(p->prefix_len), n1),
						 p->prefix_len, j,
						 conf_ipv4_fmt(b & conf_mask_of(q->prefix_len), n2),
						 q->prefix_len);
			if (p->kind == DRV_PORT_RING && q->kind == DRV_PORT_RING &&
			    strcmp(p->ring, q->ring) == 0 && p->ring_side == q->ring_side)
				return conf_fail(c, "ring_side",
						 "side %c of ring \"%s\" is already port%u",
						 'a' + p->ring_side, p->ring, j);
			if (p->iface[0] != '\0' && strcmp(p->iface, q->iface) == 0)
				return conf_fail(c, "iface", "\"%s\" is already port%u's",
						 p->iface, j);
			if (p->gateway != 0 && q->gateway != 0)
				return conf_fail(c, "gateway",
						 "port%u already has the default gateway", j);
		}
	}
	return 0;
}

/* routeN, N = 0..31 without leading zeros. @return N or -1. */
static int
route_index(const char *name)
{
	const char *d = name + 5;

	if (strncmp(name, "route", 5) != 0 || !conf_is_digit(d[0]))
		return -1;
	if (d[1] == '\0')
		return d[0] - '0';
	if (d[0] == '0' || !conf_is_digit(d[1]) || d[2] != '\0')
		return -1;
	return (d[0] - '0') * 10 + (d[1] - '0') < DRV_MAX_ROUTES ?
		(d[0] - '0') * 10 + (d[1] - '0') : -1;
}

/* "a.b.c.d/len via a.b.c.d port N" into @p r; the ports are known. */
static int
route_parse(struct conf_ctx *c, const char *key, const char *v, struct drv_conf_route *r)
{
	char buf[CFG_VALUE_LEN], gw_s[INET_ADDRSTRLEN], why[128];
	char *tok[6], *save = NULL, *t, *slash;
	uint32_t pfx, gw;
	uint64_t len, port;
	unsigned int n = 0;

	snprintf(buf, sizeof(buf), "%s", v);
	for (t = strtok_r(buf, " \t", &save); t != NULL && n < RTE_DIM(tok);
	     t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	slash = n == 5 ? strchr(tok[0], '/') : NULL;
	if (slash == NULL || strcmp(tok[1], "via") != 0 || strcmp(tok[3], "port") != 0)
		return conf_fail(c, key, "value \"%s\" is not \"a.b.c.d/len via a.b.c.d port N\"",
				 v);
	*slash = '\0';
	if (conf_ipv4_parse(tok[0], &pfx) < 0)
		return conf_fail(c, key, "prefix \"%s\" is not an IPv4 address", tok[0]);
	if (conf_dec(c, key, "prefix length", slash + 1, 0, 32, &len) < 0)
		return -1;
	if (pfx & ~conf_mask_of((unsigned int)len))
		return conf_fail(c, key, "prefix %s/%u has host bits set", tok[0],
				 (unsigned int)len);
	if (conf_ipv4_parse(tok[2], &gw) < 0)
		return conf_fail(c, key, "gateway \"%s\" is not an IPv4 address", tok[2]);
	if (gw == 0)
		return conf_fail(c, key, "gateway 0.0.0.0 is not allowed");
	if (conf_dec(c, key, "port", tok[4], 0, UINT16_MAX, &port) < 0)
		return -1;
	if (port >= c->conf->nb_ports)
		return conf_fail(c, key, "port %u does not exist (the last is port%u)",
				 (unsigned int)port, c->conf->nb_ports - 1);
	if (conf_neighbour_why(c->conf, (unsigned int)port, gw, why, sizeof(why)) != NULL)
		return conf_fail(c, key, "gateway %s %s", conf_ipv4_fmt(gw, gw_s), why);
	r->prefix = rte_cpu_to_be_32(pfx);
	r->len = (uint8_t)len;
	r->gateway = rte_cpu_to_be_32(gw);
	r->port = (uint16_t)port;
	return 0;
}

/* [route]: parsed in file order, stored in routeN order. */
static int
conf_routes(struct conf_ctx *c, const struct rte_cfgfile_entry *e, int n)
{
	struct drv_conf_route slot[DRV_MAX_ROUTES];
	struct drv_conf *conf = c->conf;
	int8_t from[DRV_MAX_ROUTES];
	char net[INET_ADDRSTRLEN];
	uint32_t seen = 0;
	int i, idx, j;

	c->sec = "route";
	for (i = 0; i < n; i++) {
		idx = route_index(e[i].name);
		if (idx < 0)
			return conf_fail(c, e[i].name, "unknown key (keys are route0..route%d)",
					 DRV_MAX_ROUTES - 1);
		if (seen & RTE_BIT32(idx))
			return conf_fail(c, e[i].name, "duplicate key");
		seen |= RTE_BIT32(idx);
		if (e[i].value[0] == '\0')
			return conf_fail(c, e[i].name, "empty value");
		if (route_parse(c, e[i].name, e[i].value, &slot[idx]) < 0)
			return -1;
	}
	for (idx = 0; idx < DRV_MAX_ROUTES; idx++) {
		const struct drv_conf_route *r = &slot[idx];
		char key[16];

		if (!(seen & RTE_BIT32(idx)))
			continue;
		snprintf(key, sizeof(key), "route%d", idx);
		for (j = 0; j < (int)conf->nb_routes; j++)
			if (conf->routes[j].prefix == r->prefix && conf->routes[j].len == r->len)
				return conf_fail(c, key, "prefix %s/%u is also route%d",
						 conf_ipv4_fmt(rte_be_to_cpu_32(r->prefix), net),
						 r->len, from[j]);
		from[conf->nb_routes] = (int8_t)idx;
		conf->routes[conf->nb_routes++] = *r;
	}
	return 0;
}

/* [arp]: a.b.c.d = xx:xx:xx:xx:xx:xx, a neighbour on one of the ports. */
static int
conf_arp(struct conf_ctx *c, const struct rte_cfgfile_entry *e, int n)
{
	struct drv_conf *conf = c->conf;
	char why[128];
	unsigned int j, k;
	uint32_t ip;
	int i;

	c->sec = "arp";
	for (i = 0; i < n; i++) {
		const char *key = e[i].name;

		if (conf_ipv4_parse(key, &ip) < 0)
			return conf_fail(c, key, "unknown key (keys are IPv4 addresses)");
		for (j = 0; j < conf->nb_static_arp; j++)
			if (conf->static_arp_ip[j] == rte_cpu_to_be_32(ip))
				return conf_fail(c, key, "duplicate key");
		if (conf->nb_static_arp == DRV_MAX_STATIC_ARP)
			return conf_fail(c, key, "too many entries (at most %d)",
					 DRV_MAX_STATIC_ARP);
		if (e[i].value[0] == '\0')
			return conf_fail(c, key, "empty value");
		for (j = 0; j < conf->nb_ports; j++) {
			uint32_t m = conf_mask_of(conf->ports[j].prefix_len);

			if ((ip & m) == (rte_be_to_cpu_32(conf->ports[j].addr) & m))
				break;
		}
		if (j == conf->nb_ports)
			return conf_fail(c, key, "address is not in any port's subnet");
		if (conf_neighbour_why(conf, j, ip, why, sizeof(why)) != NULL)
			return conf_fail(c, key, "address %s", why);
		k = conf->nb_static_arp;
		if (conf_mac(c, key, e[i].value, &conf->static_arp_mac[k]) < 0)
			return -1;
		conf->static_arp_ip[k] = rte_cpu_to_be_32(ip);
		conf->nb_static_arp++;
	}
	return 0;
}

/* [portN] with N in 0..DRV_MAX_PORTS-1, or any other section. @return SEC_* or -1. */
static int
sec_lookup(const char *name)
{
	int i;

	if (strncmp(name, "port", 4) == 0 && conf_is_digit(name[4]) && name[5] == '\0' &&
	    name[4] - '0' < DRV_MAX_PORTS)
		return SEC_PORT0 + name[4] - '0';
	for (i = 0; i < SEC_PORT0; i++)
		if (strcmp(sec_names[i], name) == 0)
			return i;
	return -1;
}

/* [portN]: defaults, keys, then the checks that need several keys. */
static int
conf_port(struct conf_ctx *c, unsigned int i, const struct rte_cfgfile_entry *e, int n)
{
	struct drv_conf_port *p = &c->conf->ports[i];
	uint32_t seen;

	p->mtu = 1500;
	p->offloads = true;
	if (conf_apply(c, port_keys, PK_NUM, p, e, n, &seen) < 0)
		return -1;
	return port_finish(c, i, seen);
}

/* One section but [route] and [arp]. */
static int
conf_section(struct conf_ctx *c, int id, const struct rte_cfgfile_entry *e, int n)
{
	struct drv_conf *conf = c->conf;
	uint32_t seen;

	switch (id) {
	case SEC_EAL:
		return conf_apply(c, eal_keys, RTE_DIM(eal_keys), conf, e, n, &seen);
	case SEC_STACK:
		return conf_apply(c, stack_keys, RTE_DIM(stack_keys), conf, e, n, &seen);
	case SEC_CAPTURE:
		return conf_apply(c, capture_keys, RTE_DIM(capture_keys), conf, e, n, &seen);
	case SEC_TELEMETRY:
		return conf_apply(c, telemetry_keys, RTE_DIM(telemetry_keys), conf, e, n,
				  &seen);
	case SEC_TCP:
		if (conf_apply(c, tcp_keys, RTE_DIM(tcp_keys), conf, e, n, &seen) != 0)
			return -1;
		return tcp_finish(c);
	default:
		return conf_port(c, (unsigned int)(id - SEC_PORT0), e, n);
	}
}

/* Entries of section @p idx (malloc'ed into *@p e). @return their number or -1. */
static int
sec_entries(struct conf_ctx *c, struct rte_cfgfile *cfg, int idx, char *name,
	    struct rte_cfgfile_entry **e)
{
	int n = rte_cfgfile_section_num_entries_by_index(cfg, name, idx);

	*e = calloc(n > 0 ? (size_t)n : 1, sizeof(**e));
	if (n < 0 || *e == NULL)
		return conf_fail(c, NULL, "cannot read: out of memory");
	return rte_cfgfile_section_entries_by_index(cfg, idx, name, *e, n);
}

/* Ports present: at least port0, numbered without gaps. */
static int
ports_present(struct conf_ctx *c, uint32_t ports, char *sec, size_t seclen)
{
	unsigned int n = 0;

	while (n < DRV_MAX_PORTS && (ports & RTE_BIT32(n)))
		n++;
	c->sec = sec;
	if (n == 0) {
		snprintf(sec, seclen, "port0");
		return conf_fail(c, NULL, "section missing (at least one port is required)");
	}
	if (ports >> n) {
		snprintf(sec, seclen, "port%u", n + (unsigned int)__builtin_ctz(ports >> n));
		return conf_fail(c, NULL,
				 "port%u is missing (ports are numbered from port0 without gaps)", n);
	}
	c->conf->nb_ports = n;
	return 0;
}

/* Walk the sections of @p cfg into c->conf. */
static int
conf_sections(struct conf_ctx *c, struct rte_cfgfile *cfg)
{
	int nsec = rte_cfgfile_num_sections(cfg, NULL, 0), i, id, n, ret = 0;
	int late[SEC_PORT0] = { -1, -1, -1, -1, -1, -1, -1 };
	char name[CFG_NAME_LEN];
	struct rte_cfgfile_entry *e;
	uint32_t seen = 0;

	for (i = 0; i < nsec && ret == 0; i++) {
		c->sec = NULL;
		n = sec_entries(c, cfg, i, name, &e);
		c->sec = name;
		id = sec_lookup(name);
		if (n < 0)
			ret = -1;
		else if (id < 0)
			ret = conf_fail(c, NULL, "unknown section");
		else if (seen & RTE_BIT32(id))
			ret = conf_fail(c, NULL, "duplicate section");
		else if (id == SEC_ROUTE || id == SEC_ARP)
			late[id] = i;
		else
			ret = conf_section(c, id, e, n);
		seen |= id >= 0 ? RTE_BIT32(id) : 0;
		free(e);
	}
	if (ret == 0)
		ret = ports_present(c, seen >> SEC_PORT0, name, sizeof(name));
	if (ret == 0)
		ret = ports_cross(c, name, sizeof(name));
	for (id = SEC_ROUTE; id <= SEC_ARP && ret == 0; id++) {
		if (late[id] < 0)
			continue;
		c->sec = NULL;
		n = sec_entries(c, cfg, late[id], name, &e);
		if (n < 0)
			ret = -1;
		else
			ret = id == SEC_ROUTE ? conf_routes(c, e, n) : conf_arp(c, e, n);
		free(e);
	}
	c->sec = NULL;
	return ret;
}

void
drv_conf_default(struct drv_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	snprintf(conf->lcores, sizeof(conf->lcores), "0");
	conf->hugepages = -1;
	conf->memory_mb = 512;
	snprintf(conf->file_prefix, sizeof(conf->file_prefix), "wskstack");
	snprintf(conf->log_level, sizeof(conf->log_level), "notice");
	stk_params_default(&conf->params);
	conf->mbufs = 16383;
	conf->mbuf_cache = 256;
	conf->idle_sleep_us = 20;
	conf->capture = false;
	snprintf(conf->capture_dir, sizeof(conf->capture_dir), "/tmp/wskstack-capture");
	conf->capture_snaplen = 65535;
	conf->telemetry = true;
}

const char *
drv_port_kind_name(enum drv_port_kind k)
{
	const struct conf_enum *e;

	for (e = kind_names; e->name != NULL; e++)
		if (e->value == (int)k)
			return e->name;
	return "unknown";
}

int
drv_conf_load(const char *path, struct drv_conf *conf, char *err, size_t errlen)
{
	struct conf_ctx c = { .path = path, .err = err, .errlen = errlen };
	struct rte_cfgfile *cfg;
	struct drv_conf *tmp;
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || conf == NULL) {
		c.path = "(null)";
		return conf_fail(&c, NULL, "cannot read: no file or no result given");
	}
	if (strlen(path) >= sizeof(conf->path))
		return conf_fail(&c, NULL, "cannot read: path longer than %zu characters",
				 sizeof(conf->path) - 1);
	if (conf_scan(&c) < 0)
		return -1;
	cfg = rte_cfgfile_load(path, CFG_FLAG_EMPTY_VALUES);
	if (cfg == NULL)
		return conf_fail(&c, NULL, "cannot read: rte_cfgfile_load failed");
	tmp = malloc(sizeof(*tmp));
	if (tmp == NULL) {
		rte_cfgfile_close(cfg);
		return conf_fail(&c, NULL, "cannot read: out of memory");
	}
	drv_conf_default(tmp);
	memcpy(tmp->path, path, strlen(path) + 1);
	c.conf = tmp;
	ret = conf_sections(&c, cfg);
	rte_cfgfile_close(cfg);
	if (ret == 0)
		*conf = *tmp;
	free(tmp);
	return ret;
}
