/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The INI profile: read with rte_cfgfile, checked, turned into this struct.
 *
 * Every key is documented in config/README.md. An unknown section, an
 * unknown key, a missing required key or a bad value stops loading with a
 * message naming the file, section, key and the reason, for example:
 *
 *     config/default.ini: [port0] mtu: value "99999" out of range 68..9000
 */
#ifndef DRV_CONFIG_H
#define DRV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "stk.h"

#define DRV_MAX_PORTS 8
#define DRV_MAX_ROUTES 32
#define DRV_MAX_STATIC_ARP 32
#define DRV_PATH_MAX 256

/** Port driver kinds. */
enum drv_port_kind {
	DRV_PORT_AF_PACKET,  /**< net_af_packet on a Linux interface */
	DRV_PORT_PCAP,       /**< net_pcap: read one pcap, write another */
	DRV_PORT_RING,       /**< in-process ring pair (rte_eth_from_rings) */
	DRV_PORT_MEMIF,      /**< net_memif */
	DRV_PORT_TAP,        /**< net_tap */
	DRV_PORT_NULL,       /**< net_null, for benchmarks of the stack alone */
};

/** [portN] */
struct drv_conf_port {
	enum drv_port_kind kind;        /**< driver = af_packet|pcap|ring|memif|tap|null */
	char iface[64];                 /**< iface: Linux interface (af_packet, tap) */
	char rx_pcap[DRV_PATH_MAX];     /**< rx_pcap: file to replay (pcap) */
	char tx_pcap[DRV_PATH_MAX];     /**< tx_pcap: file to write (pcap) */
	char ring[32];                  /**< ring: pair name (ring) */
	uint8_t ring_side;              /**< ring_side: 0 for "a", 1 for "b" */
	bool memif_server;              /**< memif_role = server|client */
	char memif_socket[DRV_PATH_MAX];/**< memif_socket: control socket path */
	uint32_t memif_id;              /**< memif_id */
	bool mac_set;                   /**< mac given */
	struct rte_ether_addr mac;      /**< mac: override the device MAC */
	uint16_t mtu;                   /**< mtu: IP MTU, 68..9000, default 1500 */
	rte_be32_t addr;                /**< address: a.b.c.d/len (required) */
	uint8_t prefix_len;
	rte_be32_t gateway;             /**< gateway: default route via this port (0: none) */
	bool offloads;                  /**< offloads = auto|off: use device offloads if reported */
	char devargs[DRV_PATH_MAX];     /**< devargs: extra vdev arguments appended verbatim */
};

/** [route] entries: routeN = a.b.c.d/len via a.b.c.d port N */
struct drv_conf_route {
	rte_be32_t prefix;
	uint8_t len;
	rte_be32_t gateway;
	uint16_t port;
};

/** Whole profile. */
struct drv_conf {
	char path[DRV_PATH_MAX];        /**< file it came from */

	/* [eal] */
	char lcores[64];                /**< lcores: EAL -l list, default "0"; one stack instance each */
	int hugepages;                  /**< hugepages = auto|on|off (-1 auto, 1 on, 0 off) */
	uint32_t memory_mb;             /**< memory_mb: EAL -m, default 512 */
	char file_prefix[64];           /**< file_prefix: EAL --file-prefix, default "wskstack" */
	char log_level[32];             /**< log_level: EAL --log-level, default "notice" */
	char eal_args[DRV_PATH_MAX];    /**< args: extra EAL arguments, space-separated */

	/* [stack] */
	struct stk_params params;       /**< arp_*, frag_*, ip_ttl, icmp_rate, udp_sockets, burst, ... */
	uint32_t mbufs;                 /**< mbufs: packet mbufs per NUMA socket, default 16383 */
	uint32_t mbuf_cache;            /**< mbuf_cache: per-lcore mempool cache, default 256 */
	uint32_t idle_sleep_us;         /**< idle_sleep_us: sleep of an idle lcore, 0: pure busy poll; default 20 */

	/* [portN], N = 0..7, contiguous */
	unsigned int nb_ports;
	struct drv_conf_port ports[DRV_MAX_PORTS];

	/* [route] */
	unsigned int nb_routes;
	struct drv_conf_route routes[DRV_MAX_ROUTES];

	/* [arp] static entries: a.b.c.d = xx:xx:xx:xx:xx:xx */
	unsigned int nb_static_arp;
	rte_be32_t static_arp_ip[DRV_MAX_STATIC_ARP];
	struct rte_ether_addr static_arp_mac[DRV_MAX_STATIC_ARP];

	/* [capture] */
	bool capture;                   /**< enabled = true|false */
	char capture_dir[DRV_PATH_MAX]; /**< dir: where port<N>.pcap are written, default /tmp/wskstack-capture */
	uint32_t capture_snaplen;       /**< snaplen, default 65535 */

	/* [telemetry] */
	bool telemetry;                 /**< enabled = true|false, default true */
};

/**
 * Load and check a profile. Does not need EAL (call before rte_eal_init).
 * @param path INI file
 * @param conf filled on success
 * @param err  on failure, "FILE: [SECTION] KEY: reason" (NUL-terminated)
 * @return 0 on success, -1 on failure.
 */
int drv_conf_load(const char *path, struct drv_conf *conf, char *err, size_t errlen);

/** Fill @p conf with defaults (no ports). */
void drv_conf_default(struct drv_conf *conf);

/** @return the driver name for @p k ("af_packet", ...). */
const char *drv_port_kind_name(enum drv_port_kind k);

#endif /* DRV_CONFIG_H */
