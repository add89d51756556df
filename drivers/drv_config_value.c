/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * INI profile loader, one value at a time (drv_config_priv.h): the line
 * scan that runs before rte_cfgfile, and the parsers of a key's value by
 * its type. The key tables and sections are in drv_config.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "drv_config_priv.h"

/* Longest line rte_cfgfile reads: its buffer is NAME + VALUE + 4 bytes. */
#define SCAN_LINE_MAX (CFG_NAME_LEN + CFG_VALUE_LEN + 2)

bool
conf_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Record "FILE: [SECTION] KEY: reason" (or without KEY / SECTION); @return -1. */
int __rte_format_printf(3, 4)
conf_fail(struct conf_ctx *c, const char *key, const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	if (c->err == NULL || c->errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (c->sec == NULL)
		snprintf(c->err, c->errlen, "%s: %s", c->path, reason);
	else if (key == NULL)
		snprintf(c->err, c->errlen, "%s: [%s]: %s", c->path, c->sec, reason);
	else
		snprintf(c->err, c->errlen, "%s: [%s] %s: %s", c->path, c->sec, key, reason);
	return -1;
}

/* Decimal digits only, @p min..@p max; @p what names @p s in messages. */
int
conf_dec(struct conf_ctx *c, const char *key, const char *what, const char *s,
	 uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;
	bool big = false;
	const char *p;

	if (!conf_is_digit(*s))
		return conf_fail(c, key, "%s \"%s\" is not a decimal number", what, s);
	for (p = s; conf_is_digit(*p); p++) {
		if (x > (UINT64_MAX - 9) / 10)
			big = true;
		else
			x = x * 10 + (uint64_t)(*p - '0');
	}
	if (*p != '\0')
		return conf_fail(c, key, "%s \"%s\" has junk after the number", what, s);
	if (big || x < min || x > max)
		return conf_fail(c, key, "%s \"%s\" out of range %" PRIu64 "..%" PRIu64,
				 what, s, min, max);
	*out = x;
	return 0;
}

static void
store_uint(void *dst, size_t size, uint64_t v)
{
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;

	if (size == 1)
		memcpy(dst, &u8, 1);
	else if (size == 2)
		memcpy(dst, &u16, 2);
	else if (size == 4)
		memcpy(dst, &u32, 4);
	else
		memcpy(dst, &v, 8);
}

static int
conf_enum(struct conf_ctx *c, const struct conf_key *k, const char *v, void *dst)
{
	const struct conf_enum *e;
	char list[128] = "";
	size_t len = 0;

	for (e = k->names; e->name != NULL; e++) {
		if (strcmp(e->name, v) == 0) {
			store_uint(dst, k->size, (uint64_t)(int64_t)e->value);
			return 0;
		}
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					len ? "|" : "", e->name);
	}
	return conf_fail(c, k->name, "value \"%s\" is not one of %s", v, list);
}

static int
conf_str(struct conf_ctx *c, const struct conf_key *k, const char *v, char *dst)
{
	size_t max = k->max ? k->max : k->size - 1, len = strlen(v);
	const char *why;

	if (len > max)
		return conf_fail(c, k->name, "value too long (%zu characters, at most %zu)",
				 len, max);
	why = k->check != NULL ? k->check(v) : NULL;
	if (why != NULL)
		return conf_fail(c, k->name, "value \"%s\" %s", v, why);
	memcpy(dst, v, len + 1);
	return 0;
}

uint32_t
conf_mask_of(unsigned int len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

/* a.b.c.d into host order. @return 0 or -1. */
int
conf_ipv4_parse(const char *s, uint32_t *host)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*host = rte_be_to_cpu_32(a.s_addr);
	return 0;
}

const char *
conf_ipv4_fmt(uint32_t host, char buf[INET_ADDRSTRLEN])
{
	struct in_addr a = { .s_addr = rte_cpu_to_be_32(host) };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* NULL if @p h (host order) may be a host's unicast address, else why not. */
static const char *
ipv4_unicast_why(uint32_t h)
{
	if (h >> 24 == 0)
		return "is in 0.0.0.0/8, not a host address";
	if (h >> 24 == 127)
		return "is a loopback address";
	if (h >> 28 == 14)
		return "is a multicast address";
	if (h >> 28 == 15)
		return "is a reserved or broadcast address";
	return NULL;
}

/* NULL if @p ip may be a neighbour on port @p i, else why not (into @p why). */
const char *
conf_neighbour_why(const struct drv_conf *conf, unsigned int i, uint32_t ip, char *why, size_t n)
{
	const struct drv_conf_port *p = &conf->ports[i];
	uint32_t a = rte_be_to_cpu_32(p->addr), m = conf_mask_of(p->prefix_len);
	char net[INET_ADDRSTRLEN];

	conf_ipv4_fmt(a & m, net);
	if ((ip & m) != (a & m))
		snprintf(why, n, "is outside port%u's subnet %s/%u", i, net, p->prefix_len);
	else if (ip == a)
		snprintf(why, n, "is port%u's own address", i);
	else if (p->prefix_len <= 30 && (ip & ~m) == 0)
		snprintf(why, n, "is the network address of port%u's subnet %s/%u", i, net,
			 p->prefix_len);
	else if (p->prefix_len <= 30 && (ip & ~m) == ~m)
		snprintf(why, n, "is the broadcast address of port%u's subnet %s/%u", i, net,
			 p->prefix_len);
	else
		return NULL;
	return why;
}

/* [portN] address = a.b.c.d/len: a unicast host address of its subnet. */
static int
conf_addr(struct conf_ctx *c, const char *key, const char *v, struct drv_conf_port *p)
{
	const char *slash = strchr(v, '/'), *why;
	char ip[CFG_VALUE_LEN], net[INET_ADDRSTRLEN];
	uint32_t a, m;
	uint64_t len;

	if (slash == NULL || (size_t)(slash - v) >= sizeof(ip))
		return conf_fail(c, key, "value \"%s\" is not a.b.c.d/len", v);
	memcpy(ip, v, (size_t)(slash - v));
	ip[slash - v] = '\0';
	if (conf_ipv4_parse(ip, &a) < 0)
		return conf_fail(c, key, "value \"%s\" is not a.b.c.d/len", v);
	if (conf_dec(c, key, "prefix length", slash + 1, 1, 32, &len) < 0)
		return -1;
	why = ipv4_unicast_why(a);
	if (why != NULL)
		return conf_fail(c, key, "value \"%s\" %s", v, why);
	m = conf_mask_of((unsigned int)len);
	if (len <= 30 && ((a & ~m) == 0 || (a & ~m) == ~m))
		return conf_fail(c, key, "value \"%s\" is the %s address of %s/%u", v,
				 (a & ~m) ? "broadcast" : "network", conf_ipv4_fmt(a & m, net),
				 (unsigned int)len);
	p->addr = rte_cpu_to_be_32(a);
	p->prefix_len = (uint8_t)len;
	return 0;
}

static int
conf_ipv4(struct conf_ctx *c, const char *key, const char *v, rte_be32_t *out)
{
	const char *why;
	uint32_t a;

	if (conf_ipv4_parse(v, &a) < 0)
		return conf_fail(c, key, "value \"%s\" is not an IPv4 address", v);
	why = ipv4_unicast_why(a);
	if (why != NULL)
		return conf_fail(c, key, "value \"%s\" %s", v, why);
	*out = rte_cpu_to_be_32(a);
	return 0;
}

int
conf_mac(struct conf_ctx *c, const char *key, const char *v, struct rte_ether_addr *out)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	struct rte_ether_addr m;
	unsigned int i;

	for (i = 0; i < 17 && v[i] != '\0'; i++)
		if (i % 3 == 2 ? v[i] != ':' : strchr(hex, v[i]) == NULL)
			break;
	if (i != 17 || v[17] != '\0' || rte_ether_unformat_addr(v, &m) < 0)
		return conf_fail(c, key, "value \"%s\" is not a MAC address (xx:xx:xx:xx:xx:xx)",
				 v);
	if (rte_is_zero_ether_addr(&m))
		return conf_fail(c, key, "value \"%s\" is the zero address", v);
	if (rte_is_broadcast_ether_addr(&m))
		return conf_fail(c, key, "value \"%s\" is the broadcast address", v);
	if (rte_is_multicast_ether_addr(&m))
		return conf_fail(c, key, "value \"%s\" is a multicast address", v);
	*out = m;
	return 0;
}

/* Parse @p v for key @p k into the section's struct at @p base. */
int
conf_value(struct conf_ctx *c, const struct conf_key *k, const char *v, void *base)
{
	void *dst = (char *)base + k->off;
	uint64_t x;

	switch (k->type) {
	case K_UINT:
	case K_POW2:
		if (conf_dec(c, k->name, "value", v, k->min, k->max, &x) < 0)
			return -1;
		if (k->type == K_POW2 && (x & (x - 1)) != 0)
			return conf_fail(c, k->name, "value \"%s\" is not a power of two", v);
		store_uint(dst, k->size, x * (k->scale ? k->scale : 1));
		return 0;
	case K_ENUM:
		return conf_enum(c, k, v, dst);
	case K_STR:
		return conf_str(c, k, v, dst);
	case K_ADDR:
		return conf_addr(c, k->name, v, base);
	case K_IPV4:
		return conf_ipv4(c, k->name, v, dst);
	case K_MAC:
		return conf_mac(c, k->name, v, dst);
	}
	return conf_fail(c, k->name, "internal error: key type %d", (int)k->type);
}

static char *
strip(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
			   end[-1] == '\v' || end[-1] == '\f'))
		*--end = '\0';
	return s;
}

/* Value length as rte_cfgfile stores it: each "\;" becomes ";". */
static size_t
value_len(const char *v)
{
	size_t len = strlen(v);
	const char *p;

	for (p = strstr(v, "\\;"); p != NULL; p = strstr(p + 2, "\\;"))
		len--;
	return len;
}

/* Check one line as rte_cfgfile will read it; @p sec tracks the section. */
static int
scan_line(struct conf_ctx *c, char *line, size_t len, unsigned int no, char *sec)
{
	char *p, *end, *key, *val;

	if (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (memchr(line, '\0', len) != NULL)
		return conf_fail(c, NULL, "cannot read: line %u: NUL character", no);
	if (len > SCAN_LINE_MAX)
		return conf_fail(c, NULL, "cannot read: line %u: longer than %d characters", no,
				 SCAN_LINE_MAX);
	p = strchr(line, CFG_DEFAULT_COMMENT_CHARACTER);
	if (p != NULL && (p == line || p[-1] != '\\'))
		*p = '\0';
	p = strip(line);
	if (*p == '\0')
		return 0;
	if (*p == '[') {
		end = strchr(p, ']');
		if (end == NULL)
			return conf_fail(c, NULL, "cannot read: line %u: no ']'", no);
		*end = '\0';
		if (*strip(end + 1) != '\0')
			return conf_fail(c, NULL, "cannot read: line %u: text after ']'", no);
		p = strip(p + 1);
		if (*p == '\0' || strlen(p) >= CFG_NAME_LEN)
			return conf_fail(c, NULL, "cannot read: line %u: bad section name", no);
		memcpy(sec, p, strlen(p) + 1);
		return 0;
	}
	end = strchr(p, '=');
	if (end == NULL)
		return conf_fail(c, NULL,
				 "cannot read: line %u: expected \"key = value\" or \"[section]\"",
				 no);
	*end = '\0';
	key = strip(p);
	val = strip(end + 1);
	if (*key == '\0' || strlen(key) >= CFG_NAME_LEN)
		return conf_fail(c, NULL, "cannot read: line %u: bad key", no);
	if (*sec == '\0')
		return conf_fail(c, NULL, "cannot read: line %u: \"%s\" is outside any section",
				 no, key);
	if (value_len(val) >= CFG_VALUE_LEN) {
		c->sec = sec;
		conf_fail(c, key, "value too long (%zu characters, at most %d)",
			  value_len(val), CFG_VALUE_LEN - 1);
		c->sec = NULL;
		return -1;
	}
	return 0;
}

/* Read the file line by line before rte_cfgfile does. */
int
conf_scan(struct conf_ctx *c)
{
	char sec[CFG_NAME_LEN] = "", *line = NULL;
	unsigned int no = 0;
	size_t cap = 0;
	ssize_t len;
	int ret = 0, e;
	FILE *f;

	f = fopen(c->path, "r");
	if (f == NULL)
		return conf_fail(c, NULL, "cannot read: %s", strerror(errno));
	while (ret == 0 && (len = getline(&line, &cap, f)) >= 0)
		ret = scan_line(c, line, (size_t)len, ++no, sec);
	e = errno;
	if (ret == 0 && ferror(f))
		ret = conf_fail(c, NULL, "cannot read: %s", strerror(e));
	free(line);
	fclose(f);
	return ret;
}
