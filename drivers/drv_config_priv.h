/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Inside the INI profile loader (drv_config.h), shared by its two files:
 * drv_config.c (key tables, sections, the checks across keys and sections,
 * the public calls) and drv_config_value.c (the line scan that runs before
 * rte_cfgfile, and the parsers of one value). Private to drivers/.
 */
#ifndef DRV_CONFIG_PRIV_H
#define DRV_CONFIG_PRIV_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>

#include "drv_config.h"

/** Where the loader is, for messages. */
struct conf_ctx {
	const char *path;      /**< file, first part of every message */
	const char *sec;       /**< section being checked, NULL before any */
	char *err;             /**< caller's message buffer (may be NULL) */
	size_t errlen;         /**< its size */
	struct drv_conf *conf; /**< profile being filled */
};

/** One accepted word of an enumerated or boolean key. */
struct conf_enum {
	const char *name; /**< the word, NULL in the terminating entry */
	int value;        /**< value stored for it */
};

/** How a key's value is parsed (struct conf_key). */
enum conf_type {
	K_UINT, /**< decimal in min..max, stored times scale */
	K_POW2, /**< K_UINT that must be a power of two */
	K_ENUM, /**< one of names[] (booleans too) */
	K_STR,  /**< string of at most max (or size - 1) characters, then check() */
	K_ADDR, /**< [portN] address: a.b.c.d/len into addr and prefix_len */
	K_IPV4, /**< unicast a.b.c.d, network order */
	K_MAC,  /**< unicast xx:xx:xx:xx:xx:xx */
};

/** One key of a section: how to parse it and where it goes. */
struct conf_key {
	const char *name;                    /**< key as written in the file */
	enum conf_type type;                 /**< how the value is parsed */
	size_t off;                          /**< field offset in the section's struct */
	size_t size;                         /**< field size in bytes */
	uint64_t min, max;                   /**< K_UINT, K_POW2 range; K_STR max length */
	uint64_t scale;                      /**< K_UINT: unit of the field per unit given */
	const struct conf_enum *names;       /**< K_ENUM words, NULL-terminated */
	const char *(*check)(const char *v); /**< K_STR: NULL if fine, else why not */
	uint32_t drivers;                    /**< [portN]: drivers using the key (0: all) */
	uint32_t required;                   /**< [portN]: drivers needing the key */
};

/**
 * Record "FILE: [SECTION] KEY: reason" in the caller's buffer: without KEY
 * if @p key is NULL, without SECTION if c->sec is NULL. Nothing is written
 * if the caller gave no buffer.
 *
 * @return
 *   -1, always.
 */
int conf_fail(struct conf_ctx *c, const char *key, const char *fmt, ...)
	__rte_format_printf(3, 4);

/** @return true if @p ch is '0'..'9'. */
bool conf_is_digit(char ch);

/**
 * Parse @p s as decimal digits only, in @p min..@p max, into *@p out;
 * @p what names @p s in messages.
 *
 * @return
 *   0 on success, -1 (message recorded) if @p s is not such a number.
 */
int conf_dec(struct conf_ctx *c, const char *key, const char *what, const char *s,
	     uint64_t min, uint64_t max, uint64_t *out);

/**
 * Parse @p v for key @p k into the section's struct at @p base (at
 * k->off, or for K_ADDR into the struct drv_conf_port at @p base).
 *
 * @return
 *   0 on success, -1 (message recorded) if @p v is not a valid value.
 */
int conf_value(struct conf_ctx *c, const struct conf_key *k, const char *v, void *base);

/**
 * Parse @p v as a unicast MAC address xx:xx:xx:xx:xx:xx into *@p out.
 *
 * @return
 *   0 on success, -1 (message recorded, naming @p key) otherwise.
 */
int conf_mac(struct conf_ctx *c, const char *key, const char *v, struct rte_ether_addr *out);

/** @return the host-order netmask of prefix length @p len (0..32). */
uint32_t conf_mask_of(unsigned int len);

/**
 * Parse a.b.c.d into *@p host, host order.
 *
 * @return
 *   0 on success, -1 if @p s is not an IPv4 address (no message).
 */
int conf_ipv4_parse(const char *s, uint32_t *host);

/**
 * Format @p host (host order) as a.b.c.d into @p buf.
 *
 * @return
 *   @p buf.
 */
const char *conf_ipv4_fmt(uint32_t host, char buf[INET_ADDRSTRLEN]);

/**
 * Tell whether @p ip (host order) may be a neighbour on port @p i of
 * @p conf: inside its subnet, not its own, network or broadcast address.
 *
 * @return
 *   NULL if it may, else @p why, filled with the reason (@p n bytes).
 */
const char *conf_neighbour_why(const struct drv_conf *conf, unsigned int i, uint32_t ip,
			       char *why, size_t n);

/**
 * Read the file c->path line by line, as rte_cfgfile will, and report what
 * rte_cfgfile would skip, truncate or fail on without a reason: NUL
 * characters, over-long lines, names and values, lines that are neither
 * "key = value" nor "[section]", keys outside any section.
 *
 * @return
 *   0 if rte_cfgfile may read the file, -1 (message recorded) otherwise.
 */
int conf_scan(struct conf_ctx *c);

#endif /* DRV_CONFIG_PRIV_H */
